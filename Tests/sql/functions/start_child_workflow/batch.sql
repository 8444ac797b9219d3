-- start_child_workflows: fan-out in one call — the same children and steps as that many
-- start_child_workflow calls, in one transaction; a replay starts nothing; an error in one
-- element starts none.
begin;
select plan(14);

select steadfast_test.set_now('2026-12-03 10:00:00+00');
select steadfast_test.queue('kb_q');
select steadfast.register_executor('kb-e', '{"queues": ["kb_q"]}');
select steadfast.start_workflow('kb', 'parent', '{}', '{"queue": "kb_q", "deadline": "2026-12-04T00:00:00Z"}');
select is((select workflow_id from steadfast.claim_workflows('kb-e', 1)), 'kb', 'claimed');
select steadfast.record_step('kb', 1, 'before', '1');
select steadfast.start_child_workflow('kb', 1, 'part', 'kid', '{"n": 0}', '{"queue": "kb_q"}');

select results_eq($$select ordinal, child_id, created, status from steadfast.start_child_workflows('kb', 1, 'part',
                      '[{"name": "kid", "input": {"n": 1}}, {"name": "kid", "input": {"n": 2}, "options": {"priority": 5}},
                        {"name": "other", "workflow_id": "kb-own", "input": {"n": 3}}]',
                      '{"occurrence": 2, "queue": "kb_q"}')$$,
                  $$values (1, 'kb/part#2', true, 'enqueued'), (2, 'kb/part#3', true, 'enqueued'), (3, 'kb-own', true, 'enqueued')$$,
                  'three children, numbered after the first start of the same name');
select results_eq($$select id, name, input, queue, priority, parent_id, parent_step, deadline from steadfast.workflows
                    where parent_id = 'kb' order by parent_step$$,
                  $$values ('kb/part', 'kid', '{"n": 0}'::jsonb, 'kb_q', 0, 'kb', 'part', '2026-12-04 00:00:00+00'::timestamptz),
                           ('kb/part#2', 'kid', '{"n": 1}'::jsonb, 'kb_q', 0, 'kb', 'part#2', '2026-12-04 00:00:00+00'::timestamptz),
                           ('kb/part#3', 'kid', '{"n": 2}'::jsonb, 'kb_q', 5, 'kb', 'part#3', '2026-12-04 00:00:00+00'::timestamptz),
                           ('kb-own', 'other', '{"n": 3}'::jsonb, 'kb_q', 0, 'kb', 'part#4', '2026-12-04 00:00:00+00'::timestamptz)$$,
                  'each with its input and options, the shared ones overridden by its own, and the parent''s deadline');
select results_eq($$select step_key, seq, output, child_workflow_id from steadfast.steps where workflow_id = 'kb' order by seq$$,
                  $$values ('before', 1, '1'::jsonb, null::text), ('part', 2, '{"workflow_id": "kb/part"}'::jsonb, 'kb/part'),
                           ('part#2', 3, '{"workflow_id": "kb/part#2"}'::jsonb, 'kb/part#2'),
                           ('part#3', 4, '{"workflow_id": "kb/part#3"}'::jsonb, 'kb/part#3'),
                           ('part#4', 5, '{"workflow_id": "kb-own"}'::jsonb, 'kb-own')$$,
                  'the same steps as one start_child_workflow call each');
select results_eq($$select ordinal, child_id, created from steadfast.start_child_workflows('kb', 1, 'part',
                      '[{"name": "kid"}, {"name": "kid"}, {"name": "kid"}]', '{"occurrence": 2, "queue": "kb_q"}')$$,
                  $$values (1, 'kb/part#2', false), (2, 'kb/part#3', false), (3, 'kb-own', false)$$,
                  'sent again (or replayed): the recorded children, nothing started');
select is((select count(*)::int from steadfast.workflows where parent_id = 'kb'), 4, 'still four children');
select * from steadfast_test.rejects($$select * from steadfast.start_child_workflows('kb', 1, 'part', '[{"name": "kid"}, {"name": "kid"}]', '{"occurrence": 4}')$$,
    'SF005', 'a replay that does not match the record');
select * from steadfast_test.rejects($$select * from steadfast.start_child_workflows('kb', 1, 'more', '[{"name": "kid", "options": {"queue": "kb_q"}}, {"name": "kid", "options": {"queue": "no_such_q"}}]')$$,
    'SF001', 'an unknown queue in one element starts none');
select * from steadfast_test.rejects($$select * from steadfast.start_child_workflows('kb', 1, 'more', '[{"name": "kid", "workflow_id": "kb"}]')$$,
    'SF002', 'an id that belongs to a workflow that is not a child');
select * from steadfast_test.rejects($$select * from steadfast.start_child_workflows('kb', 1, 'more', '[]')$$,
    'SF005', 'no children');

select * from finish();
rollback;
