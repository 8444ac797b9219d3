-- Lease expiry (fake clock): once an executor's lease has expired, the next claim declares it
-- dead and takes its workflow at attempt + 1; the old attempt is fenced on checkpoint,
-- complete and fail (SF003); the dead executor's heartbeat is SF003 and it may register again.
begin;
select plan(22);

select steadfast_test.queue('lease_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('lease-a', '{"queues": ["lease_q"], "lease_seconds": 30}');
select steadfast.start_workflow('lease-w', 'job', '{}', '{"queue": "lease_q"}');
select is((select attempt from steadfast.claim_workflows('lease-a', 1)), 1, 'lease-a claims at attempt 1');
select steadfast.record_step('lease-w', 1, 'first', '1');

-- Within the lease: nobody else can take it.
select steadfast_test.set_now('2030-01-01 00:00:29+00');
select steadfast.register_executor('lease-b', '{"queues": ["lease_q"], "lease_seconds": 300}');
select is_empty($$select * from steadfast.claim_workflows('lease-b', 10)$$,
                'while lease-a''s lease is valid, lease-b cannot take its workflow');
select results_eq($$select status, executor_id from steadfast.workflows where id = 'lease-w'$$,
                  $$values ('running', 'lease-a')$$, 'it still runs under lease-a');

-- Lease over.
select steadfast_test.set_now('2030-01-01 00:00:30+00');
select results_eq(
    $$select workflow_id, attempt, steps -> 0 ->> 'key' from steadfast.claim_workflows('lease-b', 10)$$,
    $$values ('lease-w', 2, 'first')$$,
    'at its lease expiry, lease-b reclaims it at attempt 2, with its steps');
select results_eq(
    $$select status, executor_id, attempt, recovery_attempts from steadfast.workflows where id = 'lease-w'$$,
    $$values ('running', 'lease-b', 2, 2)$$,
    'running under lease-b; the reclaim counted as a recovery attempt');
select results_eq(
    $$select stopped_at, stop_reason from steadfast.executors where id = 'lease-a'$$,
    $$values ('2030-01-01 00:00:30+00'::timestamptz, 'lease expired')$$,
    'lease-a is marked stopped: lease expired');

select * from steadfast_test.rejects($$select * from steadfast.record_step('lease-w', 1, 'second', '2')$$,
    'SF003', 'the old attempt''s checkpoint');
select * from steadfast_test.rejects($$select * from steadfast.record_step('lease-w', 1, 'first', '1')$$,
    'SF003', 'the old attempt''s checkpoint, even one identical to a recorded step');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('lease-w', 1, '"stale"')$$,
    'SF003', 'the old attempt''s completion');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('lease-w', 1, '{"type": "stale"}')$$,
    'SF003', 'the old attempt''s failure');
select * from steadfast_test.rejects($$select steadfast.heartbeat_executor('lease-a')$$,
    'SF003', 'the expired executor''s heartbeat');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('lease-a', 1)$$,
    'SF003', 'the expired executor''s claim');

select lives_ok($$select steadfast.register_executor('lease-a', '{"queues": ["lease_q"], "lease_seconds": 30}')$$,
                'the expired executor registers again');
select is(steadfast.heartbeat_executor('lease-a'), '2030-01-01 00:01:00+00'::timestamptz, 'and heartbeats');
select is_empty($$select * from steadfast.claim_workflows('lease-a', 10)$$,
                'but its old workflow now belongs to lease-b');

select is(steadfast.complete_workflow('lease-w', 2, '"ok"'), '2030-01-01 00:00:30+00'::timestamptz,
          'the new attempt completes it');

select * from finish();
rollback;
