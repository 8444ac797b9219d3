-- The engine's limits live in steadfast.settings and change only through set_settings, by the
-- owner. A session setting no longer lifts them: `set steadfast.max_payload_bytes` used to let
-- any client store a payload over the limit, and a malformed database-level value made every
-- start fail with 22P02.
begin;
select plan(21);

select is(steadfast.get_settings(), '{"max_payload_bytes": 4194304, "max_workflow_bytes": 67108864}',
          'the defaults: 4 MiB per payload, 64 MiB of steps per workflow');
select is(steadfast.set_settings('{"max_payload_bytes": 65536}'),
          '{"max_payload_bytes": 65536, "max_workflow_bytes": 67108864}', 'set_settings changes the keys given');
select is(steadfast.get_settings() ->> 'max_payload_bytes', '65536', 'and get_settings reads them');

-- A session setting changes nothing.
set local steadfast.max_payload_bytes = '2000000000';
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('set-big', 'job', to_jsonb((select string_agg(md5(i::text), '') from generate_series(1, 2200) i)))$$,
    'SF006', 'a payload over the limit is refused whatever the session sets');
set local steadfast.max_payload_bytes = '8MB';
select lives_ok($$select * from steadfast.start_workflow('set-small', 'job', '{}')$$,
                'a malformed session value breaks nothing');
reset steadfast.max_payload_bytes;

select * from steadfast_test.rejects($$select steadfast.set_settings('{"max_payload_bytes": 100}')$$, 'SF005', 'a payload limit below 64 KiB');
select * from steadfast_test.rejects($$select steadfast.set_settings('{"max_payload_bytes": "8MB"}')$$, 'SF005', 'a limit that is not a number');
select * from steadfast_test.rejects($$select steadfast.set_settings('{"max_workflow_bytes": 1e400}')$$, 'SF005', 'a huge number');
select * from steadfast_test.rejects($$select steadfast.set_settings('{"max_payload_bytes": 2097152, "max_workflow_bytes": 1048576}')$$,
                                     'SF005', 'a payload limit over the workflow limit');
select * from steadfast_test.rejects($$select steadfast.set_settings('{"max_payload_byte": 65536}')$$, 'SF005', 'an unknown key');
select * from steadfast_test.rejects($$select steadfast.set_settings(null)$$, 'SF005', 'null');
select is(steadfast.get_settings() ->> 'max_payload_bytes', '65536', 'refused changes changed nothing');
select is(steadfast.set_settings('{}') ->> 'max_payload_bytes', '65536', 'an empty object changes nothing (idempotent)');

-- Application roles cannot change the limits.
create role set_settings_client;
select steadfast.grant_client('set_settings_client');
set local role set_settings_client;
select throws_ok($$select steadfast.set_settings('{"max_payload_bytes": 67108864}')$$, '42501', null,
                 'no grant set has set_settings');
reset role;

select * from finish();
rollback;
