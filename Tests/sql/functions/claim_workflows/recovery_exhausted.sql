-- Recovery attempts: each claim of a workflow whose holder died counts; once
-- max_recovery_attempts claims went by without finishing, the next claim marks it `dead`
-- (visible, with an error saying why) instead of running it. A graceful release does not count.
begin;
select plan(15);

select steadfast_test.queue('exh_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('exh-a', '{"queues": ["exh_q"], "lease_seconds": 30}');
select steadfast.start_workflow('exh-w', 'job', '{}', '{"queue": "exh_q", "max_recovery_attempts": 2}');

select is((select attempt from steadfast.claim_workflows('exh-a', 1)), 1, 'first claim: attempt 1');

-- exh-a's lease expires; exh-b recovers the workflow: its second run.
select steadfast_test.set_now('2030-01-01 00:01:00+00');
select steadfast.register_executor('exh-b', '{"queues": ["exh_q"], "lease_seconds": 30}');
select is((select attempt from steadfast.claim_workflows('exh-b', 1)), 2, 'second claim, after a crash: attempt 2');
select is((select recovery_attempts from steadfast.workflows where id = 'exh-w'), 2, 'two recovery attempts used');

-- exh-b's lease expires too; the next claim finds the limit reached.
select steadfast_test.set_now('2030-01-01 00:02:00+00');
select steadfast.register_executor('exh-a', '{"queues": ["exh_q"], "lease_seconds": 30}');
select is_empty($$select * from steadfast.claim_workflows('exh-a', 10)$$,
                'the third claim does not return the workflow');
select results_eq(
    $$select status, executor_id, completed_at, error ->> 'type' from steadfast.workflows where id = 'exh-w'$$,
    $$values ('dead', null::text, '2030-01-01 00:02:00+00'::timestamptz, 'recovery_attempts_exhausted')$$,
    'it is dead, finished now, with error type recovery_attempts_exhausted');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('exh-w', 2, '1')$$,
    'SF003', 'the last holder''s attempt is fenced');
select is_empty($$select * from steadfast.claim_workflows('exh-a', 10)$$, 'a dead workflow is never claimed again');
select is((select status from steadfast.workflows where id = 'exh-w'), 'dead', 'and stays dead');

-- Graceful releases do not count: with a limit of 1, claim and release three times.
select steadfast.start_workflow('exh-r', 'job', '{}', '{"queue": "exh_q", "max_recovery_attempts": 1}');
select is((select attempt from steadfast.claim_workflows('exh-a', 1)), 1, 'claim 1');
select steadfast.release_workflows('exh-a');
select is((select attempt from steadfast.claim_workflows('exh-a', 1)), 2, 'released and claimed again');
select steadfast.deregister_executor('exh-a');
select steadfast.register_executor('exh-a', '{"queues": ["exh_q"], "lease_seconds": 30}');
select is((select attempt from steadfast.claim_workflows('exh-a', 1)), 3, 'deregistered, registered, claimed again');
select results_eq(
    $$select status, recovery_attempts from steadfast.workflows where id = 'exh-r'$$,
    $$values ('running', 1)$$, 'still running: only the current claim counts');

-- A claim that meets an exhausted workflow still returns the next claimable one.
select steadfast_test.queue('exh_q2');
select steadfast.register_executor('exh-c', '{"queues": ["exh_q2"], "lease_seconds": 30}');
select steadfast.start_workflow('exh-old', 'job', '{}', '{"queue": "exh_q2", "max_recovery_attempts": 1}');
select steadfast.claim_workflows('exh-c', 1);
select steadfast_test.set_now('2030-01-01 00:03:00+00');
select steadfast.register_executor('exh-d', '{"queues": ["exh_q2"], "lease_seconds": 30}');
select steadfast.start_workflow('exh-young', 'job', '{}', '{"queue": "exh_q2"}');
-- exh-c's lease has expired: exh-d's claim requeues exh-old, first in line, and finds it exhausted.
select results_eq($$select workflow_id from steadfast.claim_workflows('exh-d', 1)$$,
                  $$values ('exh-young')$$,
                  'claiming 1 behind an exhausted workflow marks it dead and still returns the next one');
select is((select status from steadfast.workflows where id = 'exh-old'), 'dead', 'the exhausted one is dead');

select * from finish();
rollback;
