-- release_workflows: an executor hands back the given running workflows (or all of them);
-- others' workflows and ids it does not hold are ignored; the released attempts are fenced;
-- a release is not a recovery attempt. Idempotent.
begin;
select plan(18);

select steadfast_test.queue('rel_q');
select steadfast.register_executor('rel-a', '{"queues": ["rel_q"]}');
select steadfast.register_executor('rel-b', '{"queues": ["rel_q"]}');
select steadfast.start_workflow('rel-w' || i, 'job', '{}', '{"queue": "rel_q", "max_recovery_attempts": 1}')
from generate_series(1, 3) i;
select is((select count(*)::int from steadfast.claim_workflows('rel-a', 3)), 3, 'rel-a runs three workflows');
select steadfast.start_workflow('rel-w4', 'job', '{}', '{"queue": "rel_q"}');
select is((select workflow_id from steadfast.claim_workflows('rel-b', 3)), 'rel-w4', 'rel-b runs the fourth');

select is(steadfast.release_workflows('rel-a', array['rel-w1']), 1, 'releasing one id hands back one workflow');
select results_eq(
    $$select id, status, executor_id, attempt, recovery_attempts from steadfast.workflows
      where queue = 'rel_q' order by id$$,
    $$values ('rel-w1', 'enqueued', null::text, 1, 0), ('rel-w2', 'running', 'rel-a', 1, 1),
             ('rel-w3', 'running', 'rel-a', 1, 1), ('rel-w4', 'running', 'rel-b', 1, 1)$$,
    'only that workflow is back in its queue, its claim not counted as a recovery attempt');

create temp table snap as select steadfast_test.snapshot() as s;
select is(steadfast.release_workflows('rel-a', array['rel-w1']), 0, 'releasing it again hands back nothing');
select is(steadfast.release_workflows('rel-a', array['rel-w4', 'rel-nope']), 0,
          'ids held by another executor, or by no one, are ignored');
select is(steadfast.release_workflows('rel-a', array[]::text[]), 0, 'an empty array releases nothing (not all)');
select is(steadfast_test.snapshot(), (select s from snap), 'none of these changed anything');

select is(steadfast.release_workflows('rel-a'), 2, 'without ids, every workflow the executor runs is handed back');
select results_eq(
    $$select id, status from steadfast.workflows where queue = 'rel_q' order by id$$,
    $$values ('rel-w1', 'enqueued'), ('rel-w2', 'enqueued'), ('rel-w3', 'enqueued'), ('rel-w4', 'running')$$,
    'the other executor''s workflow keeps running');
select is((select stopped_at from steadfast.executors where id = 'rel-a'), null, 'the executor itself stays live');

select * from steadfast_test.rejects($$select * from steadfast.record_step('rel-w2', 1, 'late', '1')$$,
    'SF003', 'a released attempt is fenced (record_step)');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('rel-w3', 1, '1')$$,
    'SF003', 'a released attempt is fenced (complete_workflow)');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('rel-w1', 1, '{"type": "late"}')$$,
    'SF003', 'a released attempt is fenced (fail_workflow)');

select results_eq(
    $$select workflow_id, attempt from steadfast.claim_workflows('rel-b', 10) order by 1$$,
    $$values ('rel-w1', 2), ('rel-w2', 2), ('rel-w3', 2)$$,
    'another executor claims them at once, running (not dead: releases are not recovery attempts)');

select * from finish();
rollback;
