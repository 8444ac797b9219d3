-- claim_workflows: the limit bounds the batch; the executor's queues are claimed in order;
-- options.queues overrides them and options.names restricts the workflow names.
begin;
select plan(14);

select steadfast_test.queue('limq_a');
select steadfast_test.queue('limq_b');
select steadfast.register_executor('lim-e', '{"queues": ["limq_a", "limq_b"]}');
select steadfast.register_executor('lim-only-a', '{"queues": ["limq_a"]}');
select steadfast.start_workflow('lim-a' || i, 'job', '{}', '{"queue": "limq_a"}') from generate_series(1, 5) i;

select is((select count(*)::int from steadfast.claim_workflows('lim-e')), 1, 'the default limit is 1');
select is((select count(*)::int from steadfast.claim_workflows('lim-e', 3)), 3, 'at most limit workflows');
select is((select count(*)::int from steadfast.claim_workflows('lim-e', 1000)), 1, 'fewer when fewer are left');
select is_empty($$select * from steadfast.claim_workflows('lim-e', 1000)$$, 'none when none are left');

-- Queues in order: the first queue is drained before the next, whatever the priorities.
select steadfast.start_workflow('lim-b1', 'job', '{}', '{"queue": "limq_b", "priority": -10}');
select steadfast.start_workflow('lim-a6', 'job', '{}', '{"queue": "limq_a", "priority": 10}');
select is((select workflow_id from steadfast.claim_workflows('lim-e', 1)), 'lim-a6', 'the executor''s first queue first');
select is((select workflow_id from steadfast.claim_workflows('lim-e', 1)), 'lim-b1', 'then its next queue');

-- options.queues
select steadfast.start_workflow('lim-b2', 'job', '{}', '{"queue": "limq_b"}');
select is_empty($$select * from steadfast.claim_workflows('lim-only-a', 10)$$,
                'an executor does not claim from queues it did not register');
select results_eq($$select workflow_id, queue from steadfast.claim_workflows('lim-only-a', 10, '{"queues": ["limq_b"]}')$$,
                  $$values ('lim-b2', 'limq_b')$$, 'options.queues overrides the executor''s queues');
select steadfast.start_workflow('lim-a7', 'job', '{}', '{"queue": "limq_a"}');
select is_empty($$select * from steadfast.claim_workflows('lim-e', 10, '{"queues": []}')$$,
                'an empty queue list claims nothing');
select is_empty($$select * from steadfast.claim_workflows('lim-e', 10, '{"queues": ["limq_b"]}')$$,
                'options.queues replaces the executor''s queues (limq_a not claimed)');

-- options.names
select steadfast.start_workflow('lim-mail', 'send_mail', '{}', '{"queue": "limq_a"}');
select results_eq($$select workflow_id from steadfast.claim_workflows('lim-e', 10, '{"names": ["send_mail", "other"]}')$$,
                  $$values ('lim-mail')$$, 'options.names claims only workflows of those names');
select results_eq($$select workflow_id from steadfast.claim_workflows('lim-e', 10)$$,
                  $$values ('lim-a7')$$, 'the others stay for a claimer that runs them');

-- Each claimed row carries what the caller needs.
select steadfast.start_workflow('lim-full', 'job', '{"n": 1}', '{"queue": "limq_a", "app_version": "v1", "parent_id": "p", "deadline": "2040-01-01T00:00:00Z"}');
select results_eq(
    $$select workflow_id, name, queue, input, attempt, app_version, parent_id, deadline, steps
      from steadfast.claim_workflows('lim-e', 10)$$,
    $$values ('lim-full', 'job', 'limq_a', '{"n": 1}'::jsonb, 1, 'v1', 'p', '2040-01-01 00:00:00+00'::timestamptz, '[]'::jsonb)$$,
    'a claimed row: id, name, queue, input, attempt, app_version, parent, deadline, steps');
select results_eq(
    $$select status, executor_id, attempt, recovery_attempts from steadfast.workflows where id = 'lim-full'$$,
    $$values ('running', 'lim-e', 1, 1)$$,
    'the workflow is running under the executor');

select * from finish();
rollback;
