-- Hostile roles, session settings: nothing an application role can SET in its own session
-- changes what the engine accepts or does.
--
-- Proves, in real sessions logged in as the roles (dblink):
--   * limits: a client or worker that SETs steadfast.max_payload_bytes (and
--     steadfast.max_workflow_bytes) to 2 GB still cannot store a payload larger than
--     steadfast.get_settings()->>'max_payload_bytes' — workflow input (start_workflow and
--     start_workflows), step output, workflow output, workflow error, schedule input: SF006,
--     nothing stored; the roles read the limits with get_settings, and cannot call
--     set_settings (42501);
--   * parsing: a worker session with standard_conforming_strings = off (any role may set it;
--     it changes how a backslash in a string literal of the engine's own PL/pgSQL code is
--     read, e.g. the regular expression '\s+' becomes 's+') ticks another application's
--     schedule whose cron expression contains an 's' ('* * * * sun-sat'): it must fire it and
--     leave it scheduled, not record a parse error and set next_fire_at to null — which would
--     stop that schedule until someone alters it;
--   * time zones, styles and PL/pgSQL options: a worker session with TimeZone =
--     Pacific/Kiritimati, DateStyle = 'SQL, DMY', IntervalStyle = sql_standard,
--     plpgsql.extra_errors = all, plpgsql.variable_conflict = use_variable, array_nulls = off,
--     transform_null_equals = on and extra_float_digits = -15 ticks a schedule (in another time
--     zone): the occurrence's workflow id and the next fire time are the ones any other session
--     would compute, and no error is recorded.
-- Login roles and committed fixtures (prefix hset) are created first and removed at the end;
-- a previous run's leftovers are removed first.
set client_min_messages = warning;

-- sfh_occurrence_id(schedule, at) → the workflow id of an occurrence, as documented
-- (schedule:<name>@<UTC time to the second>), computed here independently of the engine.
create function pg_temp.sfh_occurrence_id(p_name text, p_at timestamptz) returns text language sql as $$
    select 'schedule:' || p_name || '@' || to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

select 'sfh_set_w_' || current_database() as worker, 'sfh_set_c_' || current_database() as client \gset
select steadfast_test.cleanup('hset');
select steadfast_test.fresh_role(:'worker', 'worker');
select steadfast_test.fresh_role(:'client', 'client');

begin;
select plan(22);

select steadfast_test.remote('hset_owner', $$
    insert into steadfast.queues (name) values ('hset_q') on conflict do nothing;
    do $b$ begin
        perform steadfast.start_workflow('hset-1', 'job', '{}', '{"queue": "hset_q"}');
        perform steadfast.start_workflow('hset-2', 'job', '{}', '{"queue": "hset_q"}');
    end $b$;
$$);

-- The limit, as the owner sees it, and a payload just over it.
create temp table limits as
select (steadfast.get_settings() ->> 'max_payload_bytes')::integer as max_payload_bytes,
       (select s::text from steadfast.settings s) as settings_row;
select cmp_ok((select max_payload_bytes from limits), '>=', 65536, 'the owner reads the payload limit with get_settings');
select (select max_payload_bytes from limits) + 4096 as big \gset

-- Limits: a client that lifted its session's limits.
select steadfast_test.connect_as('hset_client', :'client');
select lives_ok($$select steadfast_test.remote('hset_client', 'set steadfast.max_payload_bytes = ''2000000000''')$$,
                'a client session may set steadfast.max_payload_bytes');
select steadfast_test.remote('hset_client', 'set steadfast.max_workflow_bytes = ''2000000000''');
select is(steadfast_test.remote_value('hset_client', 'select steadfast.get_settings()')::jsonb, steadfast.get_settings(),
          'the client reads the same limits with get_settings');
select throws_ok(format($$select steadfast_test.remote_value('hset_client',
    'select steadfast.start_workflow(''hset-big'', ''job'', to_jsonb(repeat(''x'', %s)), ''{"queue": "hset_q"}'')')$$, :big),
    'SF006', null, 'its start_workflow still refuses an input over the limit');
select throws_ok(format($$select steadfast_test.remote_value('hset_client',
    'select steadfast.start_workflows(jsonb_build_array(jsonb_build_object(''name'', ''job'', ''workflow_id'', ''hset-big2'',
                                      ''input'', repeat(''x'', %s))), ''{"queue": "hset_q"}'')')$$, :big),
    'SF006', null, 'so does its start_workflows');
select is_empty($$select id from steadfast.workflows where id in ('hset-big', 'hset-big2')$$, 'nothing was stored');
select throws_ok($$select steadfast_test.remote_value('hset_client', 'select steadfast.set_settings(''{"max_payload_bytes": 67108864}'')')$$,
                 '42501', null, 'a client cannot call set_settings');

-- Limits: a worker that lifted its session's limits, running hset-1.
select steadfast_test.connect_as('hset_worker', :'worker');
select steadfast_test.remote('hset_worker', 'set steadfast.max_payload_bytes = ''2000000000''');
select steadfast_test.remote('hset_worker', 'set steadfast.max_workflow_bytes = ''2000000000''');
select steadfast_test.remote_value('hset_worker',
    $$select executor_id from steadfast.register_executor('hset-e', '{"queues": ["hset_q"], "lease_seconds": 3600}')$$);
select is(steadfast_test.remote_value('hset_worker', $$select workflow_id from steadfast.claim_workflows('hset-e', 1)$$),
          'hset-1', 'the worker runs hset-1');
select throws_ok(format($$select steadfast_test.remote_value('hset_worker',
    'select steadfast.record_step(''hset-1'', 1, ''a'', to_jsonb(repeat(''x'', %s)))')$$, :big),
    'SF006', null, 'its record_step still refuses an output over the limit');
select throws_ok(format($$select steadfast_test.remote_value('hset_worker',
    'select steadfast.record_batch(jsonb_build_array(jsonb_build_object(''kind'', ''step'', ''workflow_id'', ''hset-1'',
        ''attempt'', 1, ''name'', ''b'', ''output'', repeat(''x'', %s))))')$$, :big),
    'SF006', null, 'so does its record_batch');
select throws_ok(format($$select steadfast_test.remote_value('hset_worker',
    'select steadfast.complete_workflow(''hset-1'', 1, to_jsonb(repeat(''x'', %s)))')$$, :big),
    'SF006', null, 'and its complete_workflow');
select throws_ok(format($$select steadfast_test.remote_value('hset_worker',
    'select steadfast.fail_workflow(''hset-1'', 1, jsonb_build_object(''message'', repeat(''x'', %s)))')$$, :big),
    'SF006', null, 'and its fail_workflow');
select throws_ok(format($$select steadfast_test.remote_value('hset_worker',
    'select steadfast.create_schedule(''hset_big'', ''0 0 1 1 *'', ''job'',
        jsonb_build_object(''queue'', ''hset_q'', ''input'', jsonb_build_object(''x'', repeat(''x'', %s))))')$$, :big),
    'SF006', null, 'and its create_schedule');
select results_eq($$select status, attempt, (select count(*)::integer from steadfast.steps s where s.workflow_id = w.id)
                    from steadfast.workflows w where id = 'hset-1'$$,
                  $$values ('running', 1, 0)$$, 'nothing was recorded');
select is_empty($$select name from steadfast.schedules where name = 'hset_big'$$, 'and no schedule was created');
select throws_ok($$select steadfast_test.remote_value('hset_worker', 'select steadfast.set_settings(''{"max_payload_bytes": 67108864}'')')$$,
                 '42501', null, 'a worker cannot call set_settings');
select is((select s::text from steadfast.settings s), (select settings_row from limits), 'the settings are unchanged');

-- Parsing: a worker session reading string literals the pre-standard way.
select steadfast_test.remote('hset_owner', $$
    do $b$ begin
        perform steadfast.create_schedule('hset_scs', '* * * * sun-sat', 'job', '{"queue": "hset_q"}');
    end $b$;
    update steadfast.schedules set next_fire_at = date_trunc('minute', statement_timestamp()) - interval '1 minute'
    where name = 'hset_scs';
$$);
select steadfast_test.connect_as('hset_scs', :'worker', '&options=-c%20standard_conforming_strings%3Doff');
select is(steadfast_test.remote_value('hset_scs', 'show standard_conforming_strings'), 'off',
          'a worker session may turn standard_conforming_strings off');
select steadfast_test.remote_value('hset_scs', 'select steadfast.tick_schedules()');
select results_eq(
    $$select last_error, next_fire_at is not null and next_fire_at > clock_timestamp() - interval '2 minutes'
      from steadfast.schedules where name = 'hset_scs'$$,
    $$values (null::text, true)$$,
    'its tick leaves another application''s schedule (cron with an s in it) valid and scheduled');
select ok(exists (select 1 from steadfast.workflows w, steadfast.schedules s
                  where s.name = 'hset_scs' and w.id = pg_temp.sfh_occurrence_id('hset_scs', s.next_fire_at - interval '1 minute')),
          'and fires its due occurrence');

-- Time zones and styles: the occurrence and the next fire time do not depend on the session.
select steadfast_test.remote('hset_owner', $$
    do $b$ begin
        perform steadfast.create_schedule('hset_tz', '* * * * *', 'job', '{"queue": "hset_q", "time_zone": "America/Santiago"}');
    end $b$;
    update steadfast.schedules set next_fire_at = date_trunc('minute', statement_timestamp()) - interval '1 minute'
    where name = 'hset_tz';
$$);
select steadfast_test.connect_as('hset_tz', :'worker',
    '&options=-c%20TimeZone%3DPacific/Kiritimati%20-c%20DateStyle%3DSQL%5C,%5C%20DMY%20-c%20IntervalStyle%3Dsql_standard');
select steadfast_test.remote('hset_tz', $$
    set plpgsql.extra_errors = 'all';
    set plpgsql.variable_conflict = 'use_variable';
    set array_nulls = off;
    set transform_null_equals = on;
    set extra_float_digits = -15;
    set lc_time = 'C';
$$);
select is(steadfast_test.remote_value('hset_tz', 'show timezone'), 'Pacific/Kiritimati',
          'a worker session may use its own time zone, styles and PL/pgSQL options');
select steadfast_test.remote_value('hset_tz', 'select steadfast.tick_schedules()');
select ok(exists (select 1 from steadfast.workflows w, steadfast.schedules s
                  where s.name = 'hset_tz' and s.last_error is null
                    and s.next_fire_at = date_trunc('minute', s.next_fire_at)
                    and s.next_fire_at > clock_timestamp() - interval '2 minutes'
                    and w.id = pg_temp.sfh_occurrence_id('hset_tz', s.next_fire_at - interval '1 minute')),
          'its tick fires the occurrence under the id any session computes, and schedules the next minute');

select * from finish();
rollback;

select steadfast_test.cleanup('hset', :'worker', :'client');
