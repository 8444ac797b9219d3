-- await_event: a workflow waits for another workflow's event holding nothing; the set_event
-- wakes it in its own transaction; a timeout and a finished target are recorded as not found
-- (fake clock).
begin;
select plan(13);

select steadfast_test.set_now('2026-12-03 10:00:00+00');
select steadfast_test.queue('ae_q');
select steadfast.register_executor('ae-e', '{"queues": ["ae_q"]}');
select steadfast.start_workflow('ae-waiter', 'job', '{}', '{"queue": "ae_q"}');
select steadfast.start_workflow('ae-setter', 'job', '{}', '{"queue": "ae_q"}');
select is((select count(*)::int from steadfast.claim_workflows('ae-e', 2)), 2, 'both claimed');

select results_eq($$select waiting, found from steadfast.await_event('ae-waiter', 1, 'ready', 'ae-setter', 'ready')$$,
                  $$values (true, false)$$, 'unset: the waiter waits');
select results_eq($$select status, executor_id, wait from steadfast.workflows where id = 'ae-waiter'$$,
                  $$values ('waiting', null::text, '{"kind": "event", "step": "ready", "workflow": "ae-setter", "key": "ready"}'::jsonb)$$,
                  'waiting for that event, holding nothing');
select is((select waiting_for from steadfast.workflow_overview where workflow_id = 'ae-waiter'), 'event ready of ae-setter', 'the overview');
select steadfast.set_event('ae-setter', 1, 'other', 'other', '1');
select is((select status from steadfast.workflows where id = 'ae-waiter'), 'waiting', 'another key does not wake it');
select steadfast.set_event('ae-setter', 1, 'ready', 'ready', '{"go": true}');
select is((select status from steadfast.workflows where id = 'ae-waiter'), 'enqueued', 'its key wakes it, in the set''s transaction');
select is((select attempt from steadfast.claim_workflows('ae-e', 1)), 2, 'claimed again');
select results_eq($$select waiting, found, value from steadfast.await_event('ae-waiter', 2, 'ready', 'ae-setter', 'ready')$$,
                  $$values (false, true, '{"go": true}'::jsonb)$$, 'its replay reads the value');
select is((select output from steadfast.steps where workflow_id = 'ae-waiter' and step_key = 'ready'),
          '{"found": true, "value": {"go": true}}'::jsonb, 'recorded');

-- A timeout: recorded as not found, and a later set does not change the replay.
select results_eq($$select waiting from steadfast.await_event('ae-waiter', 2, 'later', 'ae-setter', 'later', '{"timeout_seconds": 30}')$$,
                  $$values (true)$$, 'waits at most 30 s');
select steadfast_test.set_now('2026-12-03 10:00:30+00');
select steadfast.heartbeat_executor('ae-e');
select is((select attempt from steadfast.claim_workflows('ae-e', 1)), 3, 'the deadline wakes it');
select results_eq($$select waiting, found from steadfast.await_event('ae-waiter', 3, 'later', 'ae-setter', 'later')$$,
                  $$values (false, false)$$, 'timed out: recorded as not found');
-- A finished target sets nothing more: not found at once.
select steadfast.complete_workflow('ae-setter', 1, '1');
select results_eq($$select waiting, found from steadfast.await_event('ae-waiter', 3, 'never', 'ae-setter', 'never')$$,
                  $$values (false, false)$$, 'a finished target: not found, no wait');
select * from finish();
rollback;
