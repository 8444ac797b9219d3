-- set_event / get_event / list_events: the latest write wins, each write is a step (a replay
-- writes nothing), and a fork carries the writes made before its fork point.
begin;
select plan(13);

select steadfast_test.queue('ev_q');
select steadfast.register_executor('ev-e', '{"queues": ["ev_q"]}');
select steadfast.start_workflow('ev-w', 'job', '{}', '{"queue": "ev_q"}');
select is((select workflow_id from steadfast.claim_workflows('ev-e', 1)), 'ev-w', 'claimed');
select results_eq($$select found, value from steadfast.get_event('ev-w', 'progress')$$, $$values (false, null::jsonb)$$,
                  'unset: found false');
select results_eq($$select step_key, recorded from steadfast.set_event('ev-w', 1, 'progress', 'progress', '{"pct": 10}')$$,
                  $$values ('progress', true)$$, 'set, as a step');
select results_eq($$select recorded from steadfast.set_event('ev-w', 1, 'progress', 'progress', '{"pct": 10}')$$,
                  $$values (false)$$, 'a replay writes nothing');
select steadfast.set_event('ev-w', 1, 'progress', 'progress', '{"pct": 90}', '{"occurrence": 2}');
select steadfast.set_event('ev-w', 1, 'status', 'status', '"shipping"');
select results_eq($$select found, value from steadfast.get_event('ev-w', 'progress')$$, $$values (true, '{"pct": 90}'::jsonb)$$,
                  'the latest write wins');
select results_eq($$select key, value, step_key from steadfast.list_events('ev-w')$$,
                  $$values ('progress', '{"pct": 90}'::jsonb, 'progress#2'), ('status', '"shipping"'::jsonb, 'status')$$,
                  'list_events: each key''s latest value and the step that wrote it');
select results_eq($$select step_key, output from steadfast.steps where workflow_id = 'ev-w' order by seq$$,
                  $$values ('progress', '{"event": "progress", "value": {"pct": 10}}'::jsonb),
                           ('progress#2', '{"event": "progress", "value": {"pct": 90}}'::jsonb),
                           ('status', '{"event": "status", "value": "shipping"}'::jsonb)$$, 'each write a recorded step');
select * from steadfast_test.rejects($$select * from steadfast.set_event('ev-w', 1, 'progress', 'progress', '{"pct": 11}')$$,
    'SF007', 'the same step with another value');
select * from steadfast_test.rejects($$select * from steadfast.get_event('ev-nobody', 'x')$$, 'SF001', 'an unknown workflow');

-- A fork before the second write carries the first only.
select steadfast.complete_workflow('ev-w', 1, '1');
select is((select fork_workflow.workflow_id from steadfast.fork_workflow('ev-w', 2, '{"workflow_id": "ev-fork"}')), 'ev-fork', 'forked at step 2');
select results_eq($$select key, value from steadfast.list_events('ev-fork')$$, $$values ('progress', '{"pct": 10}'::jsonb)$$,
                  'the fork has the event as it was before its fork point');
select * from finish();
rollback;
