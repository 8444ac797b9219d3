-- list_steps: a workflow's steps in order with timings and outcomes; SF001 for an unknown
-- workflow, SF005 for a bad id.
begin;
select plan(7);

select steadfast_test.queue('ls_q');
select steadfast_test.set_now('2030-01-01 00:00:10+00');
select steadfast.register_executor('ls-e', '{"queues": ["ls_q"], "lease_seconds": 3600}');
select steadfast.start_workflow('ls-w', 'job', '{}', '{"queue": "ls_q"}');
select steadfast.start_workflow('ls-empty', 'job', '{}', '{"queue": "ls_q"}');
select steadfast.claim_workflows('ls-e', 2);
select steadfast.record_step('ls-w', 1, 'fetch', '{"rows": 3}', '{"started_at": "2030-01-01T00:00:08Z", "step_attempts": 2}');
select steadfast.record_step('ls-w', 1, 'fetch', '"again"', '{"occurrence": 2, "parallel": true}');
select steadfast.record_step('ls-w', 1, 'send', null, '{"error": {"type": "Timeout", "message": "slow"}, "child_workflow_id": "ls-c"}');

select results_eq(
    $$select workflow_id, seq, step_key, name, status, started_at, completed_at, step_attempts, attempt, parallel,
             child_workflow_id, output, error
      from steadfast.list_steps('ls-w')$$,
    $$values ('ls-w', 1, 'fetch', 'fetch', 'succeeded', '2030-01-01 00:00:08+00'::timestamptz, '2030-01-01 00:00:10+00'::timestamptz,
              2, 1, false, null::text, '{"rows": 3}'::jsonb, null::jsonb),
             ('ls-w', 2, 'fetch#2', 'fetch', 'succeeded', null, '2030-01-01 00:00:10+00', 1, 1, true, null, '"again"', null),
             ('ls-w', 3, 'send', 'send', 'failed', null, '2030-01-01 00:00:10+00', 1, 1, false, 'ls-c', null,
              '{"type": "Timeout", "message": "slow"}')$$,
    'every step in order, with its key, outcome, timings, runs and payload');
select is((select duration from steadfast.workflow_steps where workflow_id = 'ls-w' and seq = 1), interval '2 seconds',
          'the view shows each step''s duration');
select is_empty($$select * from steadfast.list_steps('ls-empty')$$, 'a workflow with no steps has none');

select * from steadfast_test.rejects($$select * from steadfast.list_steps('ls-nope')$$, 'SF001', 'an unknown workflow');
select * from steadfast_test.rejects($$select * from steadfast.list_steps(null)$$, 'SF005', 'a null id');

select * from finish();
rollback;
