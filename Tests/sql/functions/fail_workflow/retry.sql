-- fail_workflow with an exponential retry policy, timed with the fake clock:
-- {"kind": "exponential", "max_attempts": 3, "base_delay": 10, "factor": 2, "max_delay": 100, "jitter": 0}
-- first failure → enqueued, available 10 s later; second → 20 s later; third → failed.
-- A retry keeps the steps that succeeded and forgets those recorded as failed.
begin;
select plan(20);

select steadfast_test.queue('retry_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('retry-e', '{"queues": ["retry_q"], "lease_seconds": 86400}');
select steadfast.start_workflow('retry-w', 'job', '{}', $${"queue": "retry_q", "retry":
    {"kind": "exponential", "max_attempts": 3, "base_delay": 10, "factor": 2, "max_delay": 100, "jitter": 0}}$$);
select is((select attempt from steadfast.claim_workflows('retry-e', 1)), 1, 'run 1 claimed');
select steadfast.record_step('retry-w', 1, 'ok', '"kept"');
select steadfast.record_step('retry-w', 1, 'broken', null, '{"error": {"type": "io"}}');

-- Failure 1.
select results_eq(
    $$select status, available_at, retry_count from steadfast.fail_workflow('retry-w', 1, '{"type": "boom", "n": 1}')$$,
    $$values ('enqueued', '2030-01-01 00:00:10+00'::timestamptz, 1)$$,
    'failure 1: enqueued, available after base_delay (10 s), retry_count 1');
select results_eq(
    $$select status, error, executor_id, attempt, recovery_attempts, completed_at from steadfast.workflows where id = 'retry-w'$$,
    $$values ('enqueued', '{"type": "boom", "n": 1}'::jsonb, null::text, 1, 0, null::timestamptz)$$,
    'the error is recorded, the workflow held by no one, not completed');
select results_eq($$select step_key from steadfast.steps where workflow_id = 'retry-w' order by seq$$,
                  $$values ('ok')$$, 'the succeeded step is kept; the failed one is forgotten so the retry runs it again');
select * from steadfast_test.rejects($$select * from steadfast.record_step('retry-w', 1, 'late', '1')$$,
    'SF003', 'the failed attempt is fenced');

select steadfast_test.set_now('2030-01-01 00:00:09.999+00');
select is_empty($$select * from steadfast.claim_workflows('retry-e', 1)$$, 'not claimable before the delay');
select steadfast_test.set_now('2030-01-01 00:00:10+00');
select results_eq($$select attempt, steps -> 0 ->> 'key', jsonb_array_length(steps) from steadfast.claim_workflows('retry-e', 1)$$,
                  $$values (2, 'ok', 1)$$, 'claimable at available_at: run 2, with the kept step');

-- Failure 2.
select results_eq(
    $$select status, available_at, retry_count from steadfast.fail_workflow('retry-w', 2, '{"type": "boom", "n": 2}')$$,
    $$values ('enqueued', '2030-01-01 00:00:30+00'::timestamptz, 2)$$,
    'failure 2: available after base_delay × factor (20 s), retry_count 2');
select steadfast_test.set_now('2030-01-01 00:00:29.999+00');
select is_empty($$select * from steadfast.claim_workflows('retry-e', 1)$$, 'not claimable before the delay');
select steadfast_test.set_now('2030-01-01 00:00:30+00');
select is((select attempt from steadfast.claim_workflows('retry-e', 1)), 3, 'run 3 at its time');

-- Failure 3: no runs left.
select results_eq(
    $$select status, retry_count from steadfast.fail_workflow('retry-w', 3, '{"type": "boom", "n": 3}')$$,
    $$values ('failed', 2)$$,
    'failure 3 (max_attempts runs used): failed');
select results_eq(
    $$select status, error, executor_id, completed_at from steadfast.workflows where id = 'retry-w'$$,
    $$values ('failed', '{"type": "boom", "n": 3}'::jsonb, null::text, '2030-01-01 00:00:30+00'::timestamptz)$$,
    'failed with the last error, completed now');
select steadfast_test.set_now('2030-01-02 00:00:00+00');
select steadfast.heartbeat_executor('retry-e');
select is_empty($$select * from steadfast.claim_workflows('retry-e', 1)$$, 'a failed workflow is never claimed');

-- Repeats.
create temp table snap as select steadfast_test.snapshot() as s;
select results_eq(
    $$select status, retry_count from steadfast.fail_workflow('retry-w', 3, '{"type": "boom", "n": 3}')$$,
    $$values ('failed', 2)$$, 'the same failure again returns the same result');
select is(steadfast_test.snapshot(), (select s from snap), 'the repeat changes nothing');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('retry-w', 2, '{"type": "boom", "n": 2}')$$,
    'SF003', 'an earlier attempt''s failure repeated after the workflow moved on');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('retry-w', 3, '{"type": "other"}')$$,
    'SF003', 'the same attempt with another error');

select * from finish();
rollback;
