-- Hostile roles, acting for another executor: only the database session that registered an
-- executor may act for it.
--
-- An executor hei-e is registered, and runs hei-1, in a session logged in as worker role W1.
-- From three other sessions — another session of the same role W1, a session of another
-- worker role W2 that registered an executor of its own, and this test's own session (as W1
-- via SET ROLE) — every call that acts for an executor (register_executor of that id,
-- heartbeat_executor, claim_workflows, start_workflow_and_claim, release_workflows,
-- deregister_executor) raises SF008 and changes nothing (steadfast_test.snapshot()), and hei-e
-- stays live with hei-1 running under it at attempt 1; W2's own executor cannot release or
-- start-and-claim hei-e's running workflow either. Control: the registering session itself
-- may heartbeat and release.
-- Login roles and committed fixtures (prefix hei) are created first and removed at the end;
-- a previous run's leftovers are removed first. After a check that failed (a call that should
-- have been refused changed something), the fixtures are put back before the next caller.
set client_min_messages = warning;

select 'sfh_ei_w1_' || current_database() as w1, 'sfh_ei_w2_' || current_database() as w2 \gset
select steadfast_test.cleanup('hei');
select steadfast_test.fresh_role(:'w1', 'worker');
select steadfast_test.fresh_role(:'w2', 'worker');

begin;
select plan(45);

select steadfast_test.remote('hei_owner', $$
    insert into steadfast.queues (name) values ('hei_q') on conflict do nothing;
    do $b$ begin
        perform steadfast.start_workflow('hei-1', 'job', '{}', '{"queue": "hei_q", "priority": 0}');
        perform steadfast.start_workflow('hei-2', 'job', '{}', '{"queue": "hei_q", "priority": 1}');
    end $b$;
$$);

-- The executor, in its own session.
select steadfast_test.connect_as('hei_exec', :'w1');
select steadfast_test.remote_value('hei_exec',
    $$select executor_id from steadfast.register_executor('hei-e', '{"queues": ["hei_q"], "lease_seconds": 3600}')$$);
select is(steadfast_test.remote_value('hei_exec', $$select workflow_id from steadfast.claim_workflows('hei-e', 1)$$),
          'hei-1', 'hei-e, registered in its own session, runs hei-1');
select lives_ok($$select steadfast_test.remote_value('hei_exec', 'select steadfast.heartbeat_executor(''hei-e'')')$$,
                'its own session may heartbeat it (control)');
select lives_ok($$select steadfast_test.remote_value('hei_exec', 'select steadfast.release_workflows(''hei-e'', ''{hei-none}'')')$$,
                'and release for it (control)');

-- The calls that act for an executor, each refused (SF008) and changing nothing.
create function pg_temp.hei_calls() returns table (n integer, fn text, sql text) language sql as $$
    values (1, 'register_executor', $q$select count(*) from steadfast.register_executor('hei-e', '{"queues": ["hei_q"]}')$q$),
           (2, 'heartbeat_executor', $q$select steadfast.heartbeat_executor('hei-e')$q$),
           (3, 'claim_workflows', $q$select count(*) from steadfast.claim_workflows('hei-e', 10)$q$),
           (4, 'start_workflow_and_claim',
               $q$select count(*) from steadfast.start_workflow_and_claim('hei-e', 'hei-x1', 'job', '{}', '{"queue": "hei_q"}')$q$),
           (5, 'release_workflows', $q$select steadfast.release_workflows('hei-e', null)$q$),
           (6, 'deregister_executor', $q$select steadfast.deregister_executor('hei-e')$q$)
$$;
-- hei_checks(caller, connection or null for this session, role) → 2 TAP lines per call.
create function pg_temp.hei_checks(p_caller text, p_conn text, p_role text) returns setof text language plpgsql as $$
declare
    c record;
begin
    for c in select * from pg_temp.hei_calls() order by n loop
        return query select * from steadfast_test.rejects(
            case when p_conn is null then format('select steadfast_test.as_role(%L, %L)', p_role, c.sql)
                 else format('select steadfast_test.remote_value(%L, %L)', p_conn, c.sql) end,
            'SF008', p_caller || ': ' || c.fn || ' for another session''s executor');
    end loop;
end $$;
-- hei_state() → hei-e's and hei-1's state, for the checks after each caller.
create function pg_temp.hei_state() returns text language sql as $$
    select (select coalesce(stopped_at::text, 'live') from steadfast.executors where id = 'hei-e') || ' / '
        || (select status || ' under ' || coalesce(executor_id, '-') || ' attempt ' || attempt
            from steadfast.workflows where id = 'hei-1') || ' / '
        || (select status from steadfast.workflows where id = 'hei-2')
        || (select coalesce(' / ' || string_agg(id, ','), '') from steadfast.workflows where id like 'hei-x%')
$$;
-- hei_restore(): puts the fixtures back (only needed after a failed check).
create function pg_temp.hei_restore() returns text language sql as $$
    select steadfast_test.remote('hei_owner', $q$
        update steadfast.executors set stopped_at = null, stop_reason = null where id = 'hei-e';
        update steadfast.workflows set status = 'running', executor_id = 'hei-e', attempt = 1 where id = 'hei-1';
        update steadfast.workflows set status = 'enqueued', executor_id = null, attempt = 0, recovery_attempts = 0
        where id = 'hei-2';
        delete from steadfast.workflows where id like 'hei-x%';
    $q$)
$$;

-- (a) another session of the same role.
select steadfast_test.connect_as('hei_same', :'w1');
select * from pg_temp.hei_checks('same role, other session', 'hei_same', null);
select is(pg_temp.hei_state(), 'live / running under hei-e attempt 1 / enqueued',
          'same role, other session: hei-e is still live, hei-1 still running under it');
select pg_temp.hei_restore();

-- (b) another worker role, with an executor of its own.
select steadfast_test.connect_as('hei_other', :'w2');
select lives_ok($$select steadfast_test.remote_value('hei_other',
                    'select executor_id from steadfast.register_executor(''hei-o2'', ''{"queues": ["hei_q"], "lease_seconds": 3600}'')')$$,
                'another worker registers an executor of its own');
select * from pg_temp.hei_checks('other role, own executor', 'hei_other', null);
-- Its own executor cannot reach hei-e's workflow either.
select is(steadfast_test.remote_value('hei_other', $$select steadfast.release_workflows('hei-o2', '{hei-1}')$$), '0',
          'other role, own executor: releasing hei-e''s workflow under its own executor hands back nothing');
select is(steadfast_test.remote_value('hei_other',
              $$select claimed from steadfast.start_workflow_and_claim('hei-o2', 'hei-1', 'job', '{}', '{"queue": "hei_q"}')$$),
          'f', 'other role, own executor: start_workflow_and_claim of hei-e''s running workflow does not claim it');
select is(pg_temp.hei_state(), 'live / running under hei-e attempt 1 / enqueued',
          'other role, own executor: hei-e is still live, hei-1 still running under it');
select pg_temp.hei_restore();

-- (c) this test's session, as W1. Last: a call wrongly accepted here holds its row locks until
-- the rollback, and nothing after this reaches those rows through another session.
select * from pg_temp.hei_checks('this session as W1', null, :'w1');
select is(pg_temp.hei_state(), 'live / running under hei-e attempt 1 / enqueued',
          'this session as W1: hei-e is still live, hei-1 still running under it');

select * from finish();
rollback;

select steadfast_test.cleanup('hei', :'w1', :'w2');
