-- fail_workflow retry policies: fixed delays; kind none, no policy and retryable = false fail
-- at once; a policy given at fail time overrides the workflow's; max_delay caps the delay;
-- jitter only shortens it; an unknown kind is SF005 and changes nothing.
begin;
select plan(16);

select steadfast_test.queue('pol_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('pol-e', '{"queues": ["pol_q"], "lease_seconds": 86400}');

-- fixed
select steadfast.start_workflow('pol-fixed', 'job', '{}', '{"queue": "pol_q", "retry": {"kind": "fixed", "max_attempts": 3, "base_delay": 5}}');
select steadfast.claim_workflows('pol-e', 1);
select results_eq($$select status, available_at from steadfast.fail_workflow('pol-fixed', 1, '{"type": "x"}')$$,
                  $$values ('enqueued', '2030-01-01 00:00:05+00'::timestamptz)$$, 'fixed: first retry after base_delay');
select steadfast_test.set_now('2030-01-01 00:00:05+00');
select steadfast.claim_workflows('pol-e', 1);
select results_eq($$select status, available_at from steadfast.fail_workflow('pol-fixed', 2, '{"type": "x"}')$$,
                  $$values ('enqueued', '2030-01-01 00:00:10+00'::timestamptz)$$, 'fixed: the same delay again');
select steadfast_test.set_now('2030-01-01 00:00:10+00');
select steadfast.claim_workflows('pol-e', 1);
select is((select status from steadfast.fail_workflow('pol-fixed', 3, '{"type": "x"}')), 'failed', 'fixed: failed after max_attempts runs');

-- Fail at once.
select steadfast.start_workflow('pol-plain', 'job', '{}', '{"queue": "pol_q"}');
select steadfast.start_workflow('pol-none', 'job', '{}', '{"queue": "pol_q", "retry": {"kind": "none"}}');
select steadfast.start_workflow('pol-noretry', 'job', '{}', '{"queue": "pol_q", "retry": {"kind": "fixed", "max_attempts": 5}}');
select is((select count(*)::int from steadfast.claim_workflows('pol-e', 10)), 3, 'three more running');
select is((select status from steadfast.fail_workflow('pol-plain', 1, '{"type": "x"}')), 'failed', 'no policy: failed at once');
select is((select status from steadfast.fail_workflow('pol-none', 1, '{"type": "x"}')), 'failed', 'kind none: failed at once');
select results_eq(
    $$select status, retry_count from steadfast.fail_workflow('pol-noretry', 1, '{"type": "x"}', '{"retryable": false}')$$,
    $$values ('failed', 0)$$, 'retryable = false: failed at once despite runs left');

-- Overrides at fail time.
select steadfast.start_workflow('pol-override', 'job', '{}', '{"queue": "pol_q"}');
select steadfast.start_workflow('pol-override2', 'job', '{}', '{"queue": "pol_q", "retry": {"kind": "fixed", "max_attempts": 9, "base_delay": 1}}');
select steadfast.claim_workflows('pol-e', 10);
select results_eq(
    $$select status, available_at from steadfast.fail_workflow('pol-override', 1, '{"type": "x"}',
        '{"retry": {"kind": "fixed", "max_attempts": 2, "base_delay": 7}}')$$,
    $$values ('enqueued', '2030-01-01 00:00:17+00'::timestamptz)$$,
    'a policy given at fail time applies to a workflow started without one');
select results_eq(
    $$select status, available_at from steadfast.fail_workflow('pol-override2', 1, '{"type": "x"}',
        '{"retry": {"kind": "exponential", "max_attempts": 9, "base_delay": 60}}')$$,
    $$values ('enqueued', '2030-01-01 00:01:10+00'::timestamptz)$$,
    'and overrides the policy the workflow was started with');
select is((select status from steadfast.fail_workflow('pol-override', 1, '{"type": "x"}')), 'enqueued',
          'the repeat of that call (without the policy) returns the same state');

-- max_delay and jitter.
select steadfast.start_workflow('pol-cap', 'job', '{}', $${"queue": "pol_q", "retry":
    {"kind": "exponential", "max_attempts": 5, "base_delay": 10, "factor": 10, "max_delay": 50}}$$);
select steadfast.start_workflow('pol-jitter', 'job', '{}', $${"queue": "pol_q", "retry":
    {"kind": "fixed", "max_attempts": 5, "base_delay": 10, "jitter": 0.5}}$$);
select steadfast.claim_workflows('pol-e', 10);
select is((select available_at from steadfast.fail_workflow('pol-cap', 1, '{"type": "x"}')),
          '2030-01-01 00:00:20+00'::timestamptz, 'exponential: base_delay first');
select ok((select available_at between '2030-01-01 00:00:15+00' and '2030-01-01 00:00:20+00'
           from steadfast.fail_workflow('pol-jitter', 1, '{"type": "x"}')),
          'jitter takes at most that fraction off the delay');
select steadfast_test.set_now('2030-01-01 00:00:20+00');
select is((select attempt from steadfast.claim_workflows('pol-e', 10) where workflow_id = 'pol-cap'), 2, 'pol-cap run 2');
select is((select available_at from steadfast.fail_workflow('pol-cap', 2, '{"type": "x"}')),
          '2030-01-01 00:01:10+00'::timestamptz, 'exponential: 10 × 10 = 100 s, capped at max_delay (50 s)');

-- Unknown kind.
select steadfast.start_workflow('pol-bad', 'job', '{}', '{"queue": "pol_q"}');
select steadfast.claim_workflows('pol-e', 10);
select * from steadfast_test.rejects(
    $$select * from steadfast.fail_workflow('pol-bad', 1, '{"type": "x"}', '{"retry": {"kind": "eventually"}}')$$,
    'SF005', 'a retry policy of an unknown kind');

select * from finish();
rollback;
