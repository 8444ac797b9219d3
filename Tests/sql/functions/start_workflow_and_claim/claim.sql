-- start_workflow_and_claim: starts a workflow already running under the caller at attempt 1;
-- an existing enqueued one is claimed (attempt + 1) with its steps; a running one is returned
-- unclaimed; another name is SF002; a delayed start is only enqueued.
begin;
select plan(20);

select steadfast_test.queue('swc_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('swc-a', '{"queues": ["swc_q"], "lease_seconds": 3600}');
select steadfast.register_executor('swc-b', '{"queues": ["swc_q"], "lease_seconds": 3600}');

-- A new id.
select results_eq(
    $$select workflow_id, name, queue, input, attempt, steps, status, created, claimed
      from steadfast.start_workflow_and_claim('swc-a', 'swc-1', 'checkout', '{"cart": 1}', '{"queue": "swc_q"}')$$,
    $$values ('swc-1', 'checkout', 'swc_q', '{"cart": 1}'::jsonb, 1, '[]'::jsonb, 'running', true, true)$$,
    'a new workflow is created running, at attempt 1, with no steps');
select results_eq(
    $$select status, executor_id, attempt, recovery_attempts, started_at from steadfast.workflows where id = 'swc-1'$$,
    $$values ('running', 'swc-a', 1, 1, '2030-01-01 00:00:00+00'::timestamptz)$$,
    'it is held by the executor, like a claim');
select results_eq(
    $$select step_key, recorded from steadfast.record_step('swc-1', 1, 'reserve', '{"ok": true}')$$,
    $$values ('reserve', true)$$,
    'attempt 1 is the fencing token for its writes');

-- The same id while it runs.
select results_eq(
    $$select workflow_id, attempt, status, created, claimed
      from steadfast.start_workflow_and_claim('swc-b', 'swc-1', 'checkout', '{"cart": 2}', '{"queue": "swc_q"}')$$,
    $$values ('swc-1', 1, 'running', false, false)$$,
    'a running workflow is returned, not claimed');
select results_eq(
    $$select executor_id, attempt, input from steadfast.workflows where id = 'swc-1'$$,
    $$values ('swc-a', 1, '{"cart": 1}'::jsonb)$$,
    'and left as it was');

-- Another name.
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swc-b', 'swc-1', 'refund', '{}', '{"queue": "swc_q"}')$$,
    'SF002', 'the id of a workflow with another name');

-- An existing enqueued workflow with steps: claimed, steps returned for replay.
select steadfast.release_workflows('swc-a', array['swc-1']);
select results_eq(
    $$select workflow_id, attempt, status, created, claimed, steps -> 0 ->> 'key', steps -> 0 -> 'output'
      from steadfast.start_workflow_and_claim('swc-b', 'swc-1', 'checkout', '{}', '{"queue": "swc_q"}')$$,
    $$values ('swc-1', 2, 'running', false, true, 'reserve', '{"ok": true}'::jsonb)$$,
    'an enqueued workflow is claimed at the next attempt, with its recorded steps');
select results_eq(
    $$select executor_id, attempt from steadfast.workflows where id = 'swc-1'$$,
    $$values ('swc-b', 2)$$,
    'now held by the second executor');
select * from steadfast_test.rejects($$select * from steadfast.record_step('swc-1', 1, 'late', '1')$$,
    'SF003', 'the previous attempt is fenced');

-- A workflow that already finished.
select steadfast.complete_workflow('swc-1', 2, '"done"');
select results_eq(
    $$select status, created, claimed, output
      from steadfast.start_workflow_and_claim('swc-a', 'swc-1', 'checkout', '{}', '{"queue": "swc_q"}')$$,
    $$values ('succeeded', false, false, '"done"'::jsonb)$$,
    'a finished workflow is returned with its output, not claimed');

-- A delayed start.
select results_eq(
    $$select workflow_id, attempt, status, created, claimed
      from steadfast.start_workflow_and_claim('swc-a', 'swc-2', 'checkout', '{}', '{"queue": "swc_q", "delay_seconds": 60}')$$,
    $$values ('swc-2', 0, 'enqueued', true, false)$$,
    'a workflow delayed into the future is only enqueued');
select results_eq(
    $$select status, executor_id, available_at from steadfast.workflows where id = 'swc-2'$$,
    $$values ('enqueued', null::text, '2030-01-01 00:01:00+00'::timestamptz)$$,
    'unheld, available later');
select results_eq(
    $$select attempt, status, created, claimed
      from steadfast.start_workflow_and_claim('swc-a', 'swc-2', 'checkout', '{}', '{"queue": "swc_q"}')$$,
    $$values (0, 'enqueued', false, false)$$,
    'starting it again before its time does not claim it');
select steadfast_test.set_now('2030-01-01 00:01:00+00');
select results_eq(
    $$select attempt, status, created, claimed
      from steadfast.start_workflow_and_claim('swc-a', 'swc-2', 'checkout', '{}', '{"queue": "swc_q"}')$$,
    $$values (1, 'running', false, true)$$,
    'once available, the same call claims it');

-- Executors that may not claim.
select steadfast.deregister_executor('swc-b');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swc-b', 'swc-3', 'checkout', '{}', '{"queue": "swc_q"}')$$,
    'SF003', 'a stopped executor');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swc-nope', 'swc-3', 'checkout', '{}', '{"queue": "swc_q"}')$$,
    'SF001', 'an unknown executor');

select * from finish();
rollback;
