-- complete_workflow: the current attempt of a running workflow completes it with an output;
-- the same call again returns the first completion time; any other attempt, or a workflow
-- not running, is fenced (SF003); an unknown workflow is SF001.
begin;
select plan(19);

select steadfast_test.queue('done_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('done-e', '{"queues": ["done_q"], "lease_seconds": 3600}');
select steadfast.start_workflow('done-' || i, 'job', '{}', '{"queue": "done_q"}') from generate_series(1, 4) i;
select is((select count(*)::int from steadfast.claim_workflows('done-e', 4)), 4, 'four workflows running at attempt 1');
select steadfast.record_step('done-1', 1, 'a', '1');

select steadfast_test.set_now('2030-01-01 00:00:05+00');
select is(steadfast.complete_workflow('done-1', 1, '{"total": 3}'), '2030-01-01 00:00:05+00'::timestamptz,
          'returns the completion time');
select results_eq(
    $$select status, output, error, executor_id, recovery_attempts, completed_at from steadfast.workflows where id = 'done-1'$$,
    $$values ('succeeded', '{"total": 3}'::jsonb, null::jsonb, null::text, 0, '2030-01-01 00:00:05+00'::timestamptz)$$,
    'the workflow succeeded with its output, held by no one');
select is((select count(*)::int from steadfast.steps where workflow_id = 'done-1'), 1, 'its steps are kept');

-- Repeat.
select steadfast_test.set_now('2030-01-01 00:00:09+00');
create temp table snap as select steadfast_test.snapshot() as s;
select is(steadfast.complete_workflow('done-1', 1, '{"total": 3}'), '2030-01-01 00:00:05+00'::timestamptz,
          'completing again with the same attempt and output returns the first completion time');
select is(steadfast_test.snapshot(), (select s from snap), 'and changes nothing');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('done-1', 1, '{"total": 4}')$$,
    'SF003', 'completing again with another output');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('done-1', 2, '{"total": 3}')$$,
    'SF003', 'completing again with another attempt');

-- Output defaults.
select steadfast.complete_workflow('done-2', 1);
select is((select output from steadfast.workflows where id = 'done-2'), 'null'::jsonb, 'no output means JSON null');
select steadfast.complete_workflow('done-3', 1, null);
select is((select output from steadfast.workflows where id = 'done-3'), 'null'::jsonb, 'a SQL null output is JSON null');
select is(steadfast.complete_workflow('done-3', 1, 'null'), '2030-01-01 00:00:09+00'::timestamptz,
          'and the repeat with JSON null is recognized');

-- Fencing.
select * from steadfast_test.rejects($$select steadfast.complete_workflow('done-4', 2, '1')$$,
    'SF003', 'a wrong attempt on a running workflow');
select steadfast.release_workflows('done-e', array['done-4']);
select * from steadfast_test.rejects($$select steadfast.complete_workflow('done-4', 1, '1')$$,
    'SF003', 'a workflow that is no longer running (released)');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('done-nope', 1, '1')$$,
    'SF001', 'an unknown workflow');

select * from finish();
rollback;
