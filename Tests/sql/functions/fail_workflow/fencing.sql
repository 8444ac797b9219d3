-- fail_workflow is fenced like every write: only the current attempt of a running workflow
-- may fail it (SF003); a repeat of a call that committed is recognized; an attempt whose
-- workflow was handed back (released, recovered) is refused even when its error equals the
-- error the workflow last recorded.
begin;
select plan(12);

select steadfast_test.queue('failfence_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('failfence-e', '{"queues": ["failfence_q"], "lease_seconds": 86400}');
select steadfast.start_workflow('failfence-w', 'job', '{}', '{"queue": "failfence_q", "retry": {"kind": "fixed", "max_attempts": 5, "base_delay": 0}}');
select steadfast.claim_workflows('failfence-e', 1);

select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failfence-w', 2, '{"type": "timeout"}')$$,
    'SF003', 'an attempt ahead of the current one');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failfence-nope', 1, '{"type": "timeout"}')$$,
    'SF001', 'an unknown workflow');

-- Attempt 1 fails and is retried at once (base_delay 0).
select is((select status from steadfast.fail_workflow('failfence-w', 1, '{"type": "timeout"}')), 'enqueued', 'attempt 1 fails, retried');
create temp table snap as select steadfast_test.snapshot() as s;
select results_eq($$select status, retry_count from steadfast.fail_workflow('failfence-w', 1, '{"type": "timeout"}')$$,
                  $$values ('enqueued', 1)$$, 'its repeat returns the same state');
select is(steadfast_test.snapshot(), (select s from snap), 'and changes nothing');

-- Attempt 2 claims, then hands the workflow back; it later fails with the same error as attempt 1.
select is((select attempt from steadfast.claim_workflows('failfence-e', 1)), 2, 'attempt 2 runs');
select steadfast.release_workflows('failfence-e');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failfence-w', 2, '{"type": "timeout"}')$$,
    'SF003', 'a released attempt failing with the error the workflow last recorded');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failfence-w', 2, '{"type": "other"}')$$,
    'SF003', 'a released attempt failing with another error');

select * from finish();
rollback;
