-- Hostile roles, lock squatting: advisory locks held by a role with no grant at all cannot
-- stop executors from registering, nor keep a dead executor looking alive.
--
-- Any session may take any advisory lock, including in the executor lock space
-- (1397096449, key). A squatter — a login role with no grant at all — holds 2000 keys there:
-- the thousand after the largest key in use, the 500 smallest non-negative ones, and 500
-- random ones. Then:
--   * a worker registers 20 executors: every registration succeeds, each under a key the
--     squatter does not hold, held by the worker's session;
--   * an executor's session dies with a workflow running and the squatter grabs the key it
--     freed: the next claim elsewhere must still see that session is gone and hand the
--     workflow on (not wait for the one-hour lease) — beyond the brief: the session lock is
--     the engine's fast crash signal, and a squatted key silences it;
--   * a new session registers that dead executor's id again: it succeeds under a fresh key.
-- (A squatter on the migration lock is tested with the migrate path, not here.)
-- Login roles and committed fixtures (prefix hls) are created first and removed at the end;
-- a previous run's leftovers are removed first.
set client_min_messages = warning;

-- sfh_try_value(connection, sql) → remote_value, or 'error <SQLSTATE>: <message>' (so that one
-- failure does not stop the file).
create function pg_temp.sfh_try_value(p_conn text, p_sql text) returns text language plpgsql as $$
begin
    return steadfast_test.remote_value(p_conn, p_sql);
exception when others then
    return 'error ' || sqlstate || ': ' || sqlerrm;
end $$;
-- sfh_holds(connection, key) → whether that dblink session holds the executor lock of key.
create function pg_temp.sfh_holds(p_conn text, p_key integer) returns boolean language sql as $$
    select exists (
        select 1 from pg_locks l
        where l.locktype = 'advisory' and l.granted and l.objsubid = 2
          and l.pid = steadfast_test.remote_value(p_conn, 'select pg_backend_pid()')::integer
          and l.database = (select oid from pg_database where datname = current_database())
          and l.classid::bigint = 1397096449 and l.objid::bigint = (p_key::bigint & 4294967295))
$$;

select 'sfh_ls_s_' || current_database() as squatter, 'sfh_ls_w_' || current_database() as worker \gset
select steadfast_test.cleanup('hls');
select steadfast_test.fresh_role(:'squatter', null);
select steadfast_test.fresh_role(:'worker', 'worker');

begin;
select plan(12);

select steadfast_test.remote('hls_owner', $$
    insert into steadfast.queues (name) values ('hls_q') on conflict do nothing;
    do $b$ begin
        perform steadfast.start_workflow('hls-w1', 'job', '{}', '{"queue": "hls_q", "priority": 0}');
    end $b$;
$$);

-- The squatter: no grant at all, 2000 keys of the executor lock space.
select steadfast_test.connect_as('hls_squat', :'squatter');
select throws_ok($$select steadfast_test.remote_value('hls_squat', 'select steadfast.register_executor(''hls-s'')')$$,
                 '42501', null, 'the squatter has no grant');
-- "The next keys": after the largest key in use, or after the last value of the key sequence
-- of engines that still number executors' keys from one.
create function pg_temp.sfh_next_key_base() returns bigint language plpgsql as $$
declare
    v_base bigint := (select coalesce(max(lock_key), 0) from steadfast.executors);
    v_last bigint;
begin
    if to_regclass('steadfast.executor_lock_keys') is not null then
        execute 'select last_value from steadfast.executor_lock_keys' into v_last;
        v_base := greatest(v_base, v_last);
    end if;
    return v_base;
end $$;
create temp table squatted as
select distinct k::integer as k from (
    select pg_temp.sfh_next_key_base() + g as k from generate_series(1, 1000) g
    union all select g from generate_series(0, 499) g
    union all select floor(random() * 4294967296)::bigint - 2147483648 from generate_series(1, 500)
) s where k between -2147483648 and 2147483647;
select cmp_ok(steadfast_test.remote_value('hls_squat', format(
    'select count(*) from unnest(%L::integer[]) k where pg_try_advisory_lock(1397096449, k)',
    (select array_agg(k)::text from squatted)))::integer, '>=', (select count(*)::integer - 10 from squatted),
    'the squatter holds about 2000 keys of the executor lock space (the next ones, small ones, random ones)');

-- Registrations still succeed, each under a key of its own.
select steadfast_test.connect_as('hls_w', :'worker');
select lives_ok($$select steadfast_test.remote_value('hls_w',
    'select count(*) from generate_series(1, 20) i,
         lateral steadfast.register_executor(''hls-e'' || i, ''{"queues": ["hls_q"], "lease_seconds": 3600}'')')$$,
    'a worker registers 20 executors while the squatter holds its keys');
select is_empty(
    $$select id || ' (key ' || lock_key || ')' from steadfast.executors
      where id like 'hls-e%' and (stopped_at is not null or lock_key in (select k from squatted)
                                  or not pg_temp.sfh_holds('hls_w', lock_key))$$,
    'each is live under a key the squatter does not hold, held by the worker''s session');
select is((select count(*)::integer from steadfast.executors where id like 'hls-e%'), 20, 'all 20 were registered');

-- A dead executor whose freed key the squatter grabs.
select steadfast_test.connect_as('hls_dead', :'worker');
select lives_ok($$select steadfast_test.remote_value('hls_dead',
    'select executor_id from steadfast.register_executor(''hls-dead'', ''{"queues": ["hls_q"], "lease_seconds": 3600}'')')$$,
    'another executor, hls-dead, registers in a session of its own');
select is(pg_temp.sfh_try_value('hls_dead', $$select workflow_id from steadfast.claim_workflows('hls-dead', 1)$$),
          'hls-w1', 'hls-dead runs hls-w1');
select coalesce((select lock_key from steadfast.executors where id = 'hls-dead'), 0) as dead_key \gset
select steadfast_test.disconnect('hls_dead');
select is(steadfast_test.remote_value('hls_squat', format('select pg_try_advisory_lock(1397096449, %s)', :dead_key))::boolean, true,
          'hls-dead''s session died and the squatter took the key it freed');

-- A claim's quick probe sees the key held and takes hls-dead for alive; the exact check every
-- heartbeat makes (is the key held by the executor's own session?) does not.
select pg_temp.sfh_try_value('hls_w', $$select steadfast.heartbeat_executor('hls-e1')$$);
select isnt((select stopped_at from steadfast.executors where id = 'hls-dead'), null,
            'the next heartbeat of another executor declares the dead executor dead (its session is gone)');
select isnt((select executor_id from steadfast.workflows where id = 'hls-w1'), 'hls-dead',
            'and its workflow is no longer held by it');

-- Its id registered again, from a new session: under a fresh key.
select steadfast_test.connect_as('hls_back', :'worker');
select lives_ok($$select steadfast_test.remote_value('hls_back',
    'select executor_id from steadfast.register_executor(''hls-dead'', ''{"queues": ["hls_q"], "lease_seconds": 3600}'')')$$,
    'the dead executor''s id registers again while the squatter holds its old key');
select ok((select lock_key <> :dead_key and stopped_at is null and pg_temp.sfh_holds('hls_back', lock_key)
           from steadfast.executors where id = 'hls-dead'),
          'under a fresh key, held by the new session');

select * from finish();
rollback;

select steadfast_test.cleanup('hls', :'squatter', :'worker');
