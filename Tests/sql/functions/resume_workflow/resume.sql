-- resume_workflow: a failed, cancelled or dead workflow goes back to its queue with the same id
-- and its succeeded checkpoints (failed steps are forgotten so they run again); recovery
-- attempts and retries start from zero; the next claim replays the kept steps.
begin;
select plan(14);

select steadfast_test.queue('rw_q');
select steadfast_test.queue('rw_q2');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('rw-e', '{"queues": ["rw_q"], "lease_seconds": 3600}');
select steadfast.start_workflow('rw-f', 'job', '{"n": 1}', '{"queue": "rw_q", "app_version": "v1"}');
select steadfast.start_workflow('rw-c', 'job', '{}', '{"queue": "rw_q"}');
select steadfast.start_workflow('rw-d', 'job', '{}', '{"queue": "rw_q", "max_recovery_attempts": 1}');
select steadfast.claim_workflows('rw-e', 10);
select steadfast.record_step('rw-f', 1, 'a', '1');
select steadfast.record_step('rw-f', 1, 'b', '2');
select steadfast.record_step('rw-f', 1, 'c', null, '{"error": {"type": "Bug", "message": "boom"}}');
select steadfast.fail_workflow('rw-f', 1, '{"type": "Bug", "message": "boom"}');
select steadfast.cancel_workflow('rw-c');
select steadfast.release_workflows('rw-e', array['rw-d']);
update steadfast.workflows set recovery_attempts = 1 where id = 'rw-d';
select steadfast.claim_workflows('rw-e', 10);

select steadfast_test.set_now('2030-01-01 00:01:00+00');
select results_eq(
    $$select workflow_id, previous_status, status, queue, app_version, available_at from steadfast.resume_workflow('rw-f')$$,
    $$values ('rw-f', 'failed', 'enqueued', 'rw_q', 'v1', '2030-01-01 00:01:00+00'::timestamptz)$$,
    'a failed workflow is enqueued again, available now');
select results_eq(
    $$select status, executor_id, attempt, recovery_attempts, retry_count, completed_at, error
      from steadfast.workflows where id = 'rw-f'$$,
    $$values ('enqueued', null::text, 1, 0, 0, null::timestamptz, '{"type": "Bug", "message": "boom"}'::jsonb)$$,
    'same id and attempt, counters reset, unfinished, its last error kept until it finishes');
select results_eq($$select step_key from steadfast.steps where workflow_id = 'rw-f' order by seq$$,
                  $$values ('a'), ('b')$$, 'the succeeded steps are kept, the failed one is forgotten');
select results_eq(
    $$select workflow_id, attempt, jsonb_path_query_array(steps, '$[*].key') from steadfast.claim_workflows('rw-e', 1)$$,
    $$values ('rw-f', 2, '["a", "b"]'::jsonb)$$, 'the next claim replays the kept steps, at attempt 2');

select results_eq($$select previous_status, status from steadfast.resume_workflow('rw-c')$$,
                  $$values ('cancelled', 'enqueued')$$, 'a cancelled workflow is resumed');
select results_eq($$select previous_status, status from steadfast.resume_workflow('rw-d')$$,
                  $$values ('dead', 'enqueued')$$, 'a dead workflow is resumed');
select is((select recovery_attempts from steadfast.workflows where id = 'rw-d'), 0,
          'with its recovery attempts reset, so it can be claimed again');

-- An enqueued workflow: nothing to resume, nothing changes.
create temp table snap as select steadfast_test.snapshot() as s;
select results_eq($$select previous_status, status from steadfast.resume_workflow('rw-c')$$,
                  $$values ('enqueued', 'enqueued')$$, 'resuming an enqueued workflow returns it');
select is(steadfast_test.snapshot(), (select s from snap), 'and changes nothing (idempotent)');

-- Moving: to another queue and version, e.g. away from a version no worker runs.
select results_eq(
    $$select previous_status, queue, app_version from steadfast.resume_workflow('rw-c', '{"queue": "rw_q2", "app_version": "v2"}')$$,
    $$values ('enqueued', 'rw_q2', 'v2')$$, 'options move an enqueued workflow to another queue and version');
select results_eq(
    $$select app_version from steadfast.resume_workflow('rw-c', '{"app_version": null}')$$,
    $$values (null::text)$$, 'app_version null lifts the version: any worker may run it');
select is((select queue from steadfast.workflows where id = 'rw-c'), 'rw_q2', 'an option not given is left as it is');
select steadfast.cancel_workflow('rw-d');
select results_eq($$select queue, app_version from steadfast.resume_workflow('rw-d', '{"queue": "rw_q2"}')$$,
                  $$values ('rw_q2', null::text)$$, 'a cancelled workflow can be resumed into another queue');
select is((select count(*)::int from steadfast.workflows where queue = 'rw_q2' and status = 'enqueued'), 2,
          'both wait in the new queue');

select * from finish();
rollback;
