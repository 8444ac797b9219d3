-- register_executor: registers the caller's session as a live executor with a lease and a
-- session-level advisory lock; the same session registering again updates the row.
begin;
select plan(16);

select steadfast_test.queue('reg_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');

select results_eq(
    $$select executor_id, lease_expires_at
      from steadfast.register_executor('reg-a', '{"queues": ["reg_q"], "lease_seconds": 60, "host": "web-1",
                                                 "pid": 4242, "app_version": "v7", "metadata": {"zone": "eu"}}')$$,
    $$values ('reg-a', '2030-01-01 00:01:00+00'::timestamptz)$$,
    'returns the executor id and its lease expiry, now + lease_seconds');
select results_eq(
    $$select host, pid, app_version, queues, metadata, lease_seconds, session_pid, stopped_at,
             registered_at, heartbeat_at
      from steadfast.executors where id = 'reg-a'$$,
    $$values ('web-1', 4242, 'v7', array['reg_q'], '{"zone": "eu"}'::jsonb, 60::double precision,
              pg_backend_pid(), null::timestamptz,
              '2030-01-01 00:00:00+00'::timestamptz, '2030-01-01 00:00:00+00'::timestamptz)$$,
    'every option is stored; the row names this session and is live');
select ok(
    exists (select 1 from pg_locks l join steadfast.executors e on e.id = 'reg-a'
            where l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.granted
              and l.classid = 1397096449 and l.objid = e.lock_key and l.objsubid = 2),
    'this session holds the executor''s advisory lock');

-- The same session registers again: the row is updated in place.
select steadfast_test.set_now('2030-01-01 00:00:10+00');
create temp table first_key as select lock_key from steadfast.executors where id = 'reg-a';
select results_eq(
    $$select executor_id, lease_expires_at
      from steadfast.register_executor('reg-a', '{"queues": ["reg_q", "default"], "lease_seconds": 120, "host": "web-2"}')$$,
    $$values ('reg-a', '2030-01-01 00:02:10+00'::timestamptz)$$,
    're-registering from the same session returns a fresh lease');
select is((select count(*)::int from steadfast.executors where id = 'reg-a'), 1, 'still one row');
select results_eq(
    $$select host, pid, app_version, queues, metadata, lease_seconds, heartbeat_at
      from steadfast.executors where id = 'reg-a'$$,
    $$values ('web-2', null::int, null::text, array['reg_q', 'default'], '{}'::jsonb, 120::double precision,
              '2030-01-01 00:00:10+00'::timestamptz)$$,
    'the options are replaced by the new ones (absent options take their defaults)');
select is((select registered_at from steadfast.executors where id = 'reg-a'),
          '2030-01-01 00:00:00+00'::timestamptz, 'registered_at is kept for the same live session');
select is((select lock_key from steadfast.executors where id = 'reg-a'), (select lock_key from first_key),
          'the lock key is kept');

-- Defaults.
select ok(
    (select executor_id from steadfast.register_executor()) ~ '^[0-9a-f-]{36}$',
    'a null id is replaced by a generated UUID');
select ok(
    (select executor_id from steadfast.register_executor(null, null)) ~ '^[0-9a-f-]{36}$',
    'null options mean no options');
select steadfast.register_executor('reg-defaults');
select results_eq(
    $$select e.queues, e.lease_seconds, e.metadata, e.app_version, e.lease_expires_at
      from steadfast.executors e where e.id = 'reg-defaults'$$,
    $$values (array['default'], 30::double precision, '{}'::jsonb, null::text, '2030-01-01 00:00:40+00'::timestamptz)$$,
    'defaults: queue "default", a 30 s lease, no metadata, no app version');
select isnt(
    (select lock_key from steadfast.executors where id = 'reg-defaults'),
    (select lock_key from steadfast.executors where id = 'reg-a'),
    'each executor has its own lock key');

-- A stopped executor registers again from its session: live again.
select steadfast.deregister_executor('reg-a');
select is((select stop_reason from steadfast.executors where id = 'reg-a'), 'deregistered', 'deregistered');
select lives_ok($$select * from steadfast.register_executor('reg-a', '{"queues": ["reg_q"]}')$$,
                'a deregistered executor may register again');
select results_eq(
    $$select stopped_at, stop_reason from steadfast.executors where id = 'reg-a'$$,
    $$values (null::timestamptz, null::text)$$,
    'it is live again');
select ok(
    exists (select 1 from pg_locks l join steadfast.executors e on e.id = 'reg-a'
            where l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.granted
              and l.classid = 1397096449 and l.objid = e.lock_key and l.objsubid = 2),
    'and holds its advisory lock again');

select * from finish();
rollback;
