-- deregister_executor: a graceful stop hands the executor's running workflows back at once
-- (claimable by another executor, not counted as a recovery attempt), marks it stopped and
-- frees its session lock. Idempotent.
begin;
select plan(17);

select steadfast_test.queue('dereg_q');
select steadfast.register_executor('dereg-a', '{"queues": ["dereg_q"]}');
select steadfast.register_executor('dereg-b', '{"queues": ["dereg_q"]}');
-- max_recovery_attempts 1: had the hand-back counted, the next claim would make them dead
select steadfast.start_workflow('dereg-w' || i, 'job', '{}', '{"queue": "dereg_q", "max_recovery_attempts": 1}')
from generate_series(1, 2) i;
create temp table a_lock as select lock_key from steadfast.executors where id = 'dereg-a';
select is((select count(*)::int from steadfast.claim_workflows('dereg-a', 10)), 2, 'dereg-a runs two workflows');

select is(steadfast.deregister_executor('dereg-a'), 2, 'returns the number of workflows handed back');
select results_eq(
    $$select id, status, executor_id, attempt, recovery_attempts from steadfast.workflows
      where queue = 'dereg_q' order by id$$,
    $$values ('dereg-w1', 'enqueued', null::text, 1, 0), ('dereg-w2', 'enqueued', null::text, 1, 0)$$,
    'its workflows are enqueued again, attempt kept, the claim not counted as a recovery attempt');
select ok((select available_at <= steadfast.now() from steadfast.workflows where id = 'dereg-w1'),
          'available at once');
select results_eq(
    $$select stopped_at is not null, stop_reason from steadfast.executors where id = 'dereg-a'$$,
    $$values (true, 'deregistered')$$,
    'the executor is stopped, reason "deregistered"');
select ok(
    not exists (select 1 from pg_locks l
                where l.locktype = 'advisory' and l.pid = pg_backend_pid()
                  and l.classid = 1397096449 and l.objid = (select lock_key from a_lock) and l.objsubid = 2),
    'its session lock is released');

select * from steadfast_test.rejects($$select * from steadfast.record_step('dereg-w1', 1, 'late', '1')$$,
    'SF003', 'the handed-back attempt is fenced (record_step)');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('dereg-w2', 1, '1')$$,
    'SF003', 'the handed-back attempt is fenced (complete_workflow)');

select results_eq(
    $$select workflow_id, attempt from steadfast.claim_workflows('dereg-b', 10) order by 1$$,
    $$values ('dereg-w1', 2), ('dereg-w2', 2)$$,
    'another executor claims them immediately, at the next attempt (not dead)');

create temp table snap as select steadfast_test.snapshot() as s;
select is(steadfast.deregister_executor('dereg-a'), 0, 'deregistering again returns 0');
select is(steadfast_test.snapshot(), (select s from snap), 'and changes nothing');

select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('dereg-a', 10)$$,
    'SF003', 'a deregistered executor cannot claim');
select lives_ok($$select steadfast.register_executor('dereg-a', '{"queues": ["dereg_q"]}')$$,
                'it may register again');
select is((select count(*)::int from steadfast.claim_workflows('dereg-a', 10)), 0,
          'and claim again (nothing left: dereg-b holds both)');

select * from finish();
rollback;
