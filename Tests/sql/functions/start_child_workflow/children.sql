-- start_child_workflow and await_children: a parent starts children as recorded steps (one
-- child however often it is called), waits for all of them with one wait holding no executor,
-- and is woken by the last child's final transition in that child's transaction (fake clock).
begin;
select plan(39);

select steadfast_test.set_now('2026-12-03 10:00:00+00');
select steadfast_test.queue('kids_q');
select steadfast.register_executor('kids-e', '{"queues": ["kids_q"]}');
select steadfast.start_workflow('p', 'parent', '{}', '{"queue": "kids_q", "deadline": "2026-12-03T11:00:00Z"}');
select is((select workflow_id from steadfast.claim_workflows('kids-e', 1)), 'p', 'the parent is claimed');
select steadfast.record_step('p', 1, 'before', '1');

select results_eq($$select child_id, created, status from steadfast.start_child_workflow('p', 1, 'child', 'kid', '{"n": 1}', '{"queue": "kids_q"}')$$,
                  $$values ('p/child', true, 'enqueued')$$, 'a child, its id derived from the parent and the step key');
select results_eq($$select child_id, created from steadfast.start_child_workflow('p', 1, 'child', 'kid', '{"n": 1}', '{"queue": "kids_q"}')$$,
                  $$values ('p/child', false)$$, 'the same call again starts nothing');
select results_eq($$select child_id, created from steadfast.start_child_workflow('p', 1, 'child', 'kid', '{"n": 2}', '{"queue": "kids_q", "occurrence": 2}')$$,
                  $$values ('p/child#2', true)$$, 'the second occurrence is a second child');
select results_eq($$select child_id, created from steadfast.start_child_workflow('p', 1, 'other', 'kid', '{"n": 3}', '{"queue": "kids_q", "workflow_id": "kid-3", "inherit_deadline": false}')$$,
                  $$values ('kid-3', true)$$, 'a child of a given id');
select results_eq($$select id, parent_id, parent_step, deadline, input from steadfast.workflows where parent_id = 'p' order by id$$,
                  $$values ('kid-3', 'p', 'other', null::timestamptz, '{"n": 3}'::jsonb),
                           ('p/child', 'p', 'child', '2026-12-03 11:00:00+00'::timestamptz, '{"n": 1}'::jsonb),
                           ('p/child#2', 'p', 'child#2', '2026-12-03 11:00:00+00'::timestamptz, '{"n": 2}'::jsonb)$$,
                  'children record their parent and step; they inherit its deadline unless they opt out');
select results_eq($$select step_key, seq, output, child_workflow_id from steadfast.steps where workflow_id = 'p' order by seq$$,
                  $$values ('before', 1, '1'::jsonb, null::text),
                           ('child', 2, '{"workflow_id": "p/child"}'::jsonb, 'p/child'),
                           ('child#2', 3, '{"workflow_id": "p/child#2"}'::jsonb, 'p/child#2'),
                           ('other', 4, '{"workflow_id": "kid-3"}'::jsonb, 'kid-3')$$,
                  'each start is a recorded step naming its child');
select steadfast.start_child_workflow('p', 1, 'own', 'kid', '{}', '{"queue": "kids_q", "timeout_seconds": 60}');
select is((select deadline from steadfast.workflows w where w.id = 'p/own'),
          '2026-12-03 10:01:00+00'::timestamptz, 'a child with its own timeout keeps it');
select * from steadfast_test.rejects($$select * from steadfast.start_child_workflow('p', 1, 'before', 'kid', '{}', '{}')$$,
    'SF005', 'starting a child where a step was recorded');
select * from steadfast_test.rejects($$select * from steadfast.start_child_workflow('p', 1, 'stranger', 'kid', '{}', '{"workflow_id": "p"}')$$,
    'SF002', 'an id that belongs to a workflow that is not a child');

-- Waiting for all three: the wait is not satisfied, so the parent waits, holding nothing.
select results_eq($$select waiting, results from steadfast.await_children('p', 1, 'all', array['p/child', 'p/child#2', 'kid-3'])$$,
                  $$values (true, null::jsonb)$$, 'the parent waits');
select results_eq($$select status, executor_id, wait from steadfast.workflows where id = 'p'$$,
                  $$values ('waiting', null::text, '{"kind": "children", "step": "all", "mode": "all", "children": 3, "finished": 0}'::jsonb)$$,
                  'waiting for 3 children, none finished, with no executor');
select is((select waiting_for from steadfast.workflow_overview where workflow_id = 'p'), '0 of 3 children',
          'the overview says how many have finished');
select results_eq($$select waiting from steadfast.await_children('p', 1, 'all', array['p/child', 'p/child#2', 'kid-3'])$$,
                  $$values (true)$$, 'the same call again answers the same');
select * from steadfast_test.rejects($$select * from steadfast.record_step('p', 1, 'after', '1')$$, 'SF003',
    'the waiting attempt has ended: its writes are fenced');

-- The children run; the parent is not claimed until the last one has finished.
select is((select count(*)::int from steadfast.claim_workflows('kids-e', 10)), 4, 'the four children are claimed, not the parent');
select steadfast.complete_workflow('p/child', 1, '"one"');
select is((select wait ->> 'finished' from steadfast.workflows where id = 'p'), '1', 'a finished child is counted');
select steadfast.fail_workflow('p/child#2', 1, '{"type": "Boom", "message": "no"}');
select is((select wait ->> 'finished' from steadfast.workflows where id = 'p'), '2', 'a failed child is counted');
-- p/own is not awaited, but the count is a hint: any child of the parent counts, and this
-- one wakes the parent early; its await counts again and waits again.
select steadfast.complete_workflow('p/own', 1, '"own"');
select is((select status from steadfast.workflows where id = 'p'), 'enqueued', 'woken by the count');
select is((select attempt from steadfast.claim_workflows('kids-e', 1)), 2, 'claimed');
select results_eq($$select waiting from steadfast.await_children('p', 2, 'all', array['p/child', 'p/child#2', 'kid-3'])$$,
                  $$values (true)$$, 'its await counts again: kid-3 is still running, so it waits again');
select is((select wait ->> 'finished' from steadfast.workflows where id = 'p'), '2', 'with the true count');
select steadfast.complete_workflow('kid-3', 1, '"three"');
select results_eq($$select status, wait, available_at from steadfast.workflows where id = 'p'$$,
                  $$values ('enqueued', null::jsonb, '2026-12-03 10:00:00+00'::timestamptz)$$,
                  'the last child''s completion enqueued the parent, in its own transaction');
select results_eq($$select workflow_id, attempt from steadfast.claim_workflows('kids-e', 10)$$,
                  $$values ('p', 3)$$, 'claimed again');
select results_eq($$select waiting, results from steadfast.await_children('p', 3, 'all', array['p/child', 'p/child#2', 'kid-3'])$$,
                  $$values (false, '[{"workflow_id": "p/child", "status": "succeeded", "output": "one", "error": null},
                                    {"workflow_id": "p/child#2", "status": "failed", "output": null, "error": {"type": "Boom", "message": "no"}},
                                    {"workflow_id": "kid-3", "status": "succeeded", "output": "three", "error": null}]'::jsonb)$$,
                  'the replayed await finds them finished and returns their outcomes, in order');
select is((select output -> 'children' -> 2 ->> 'output' from steadfast.steps where workflow_id = 'p' and step_key = 'all'),
          'three', 'recorded as the parent''s step');
select results_eq($$select child_id, created from steadfast.start_child_workflow('p', 3, 'child', 'kid', '{"n": 9}', '{}')$$,
                  $$values ('p/child', false)$$, 'a replayed start returns the recorded child and starts nothing');
select is((select count(*)::int from steadfast.workflows where parent_id = 'p'), 4, 'no second child');

-- First of several: the first child to finish wakes it.
select steadfast.start_child_workflow('p', 3, 'race', 'kid', '{}', '{"queue": "kids_q"}');
select steadfast.start_child_workflow('p', 3, 'race', 'kid', '{}', '{"queue": "kids_q", "occurrence": 2}');
select results_eq($$select waiting from steadfast.await_children('p', 3, 'first', array['p/race', 'p/race#2'], '{"mode": "any"}')$$,
                  $$values (true)$$, 'waits for the first');
select is((select waiting_for from steadfast.workflow_overview where workflow_id = 'p'), 'first of 2 children', 'says so');
select is((select count(*)::int from steadfast.claim_workflows('kids-e', 10)), 2, 'both race');
select steadfast.complete_workflow('p/race#2', 1, '"second won"');
select is((select status from steadfast.workflows where id = 'p'), 'enqueued', 'the first to finish wakes the parent');
select is((select attempt from steadfast.claim_workflows('kids-e', 1)), 4, 'claimed');
select results_eq($$select results from steadfast.await_children('p', 4, 'first', array['p/race', 'p/race#2'], '{"mode": "any"}')$$,
                  $$values ('[{"workflow_id": "p/race#2", "status": "succeeded", "output": "second won", "error": null}]'::jsonb)$$,
                  'its outcome alone');
select steadfast.complete_workflow('p/race', 1, '"late"');
select is((select status from steadfast.workflows where id = 'p'), 'running', 'a later child does not disturb the running parent');

-- A wait satisfied already records at once; a workflow that is not a child may not be awaited.
select results_eq($$select waiting, results -> 0 ->> 'output' from steadfast.await_children('p', 4, 'again', array['p/race'])$$,
                  $$values (false, 'late')$$, 'satisfied at once: recorded, no wait');

select * from finish();
rollback;
