-- sleep_workflow: a running workflow sleeps as a recorded step, holding no executor, until a
-- claim of its queue wakes it at its time (fake clock); a replay sleeps until the recorded time;
-- a sleep whose time has come changes nothing.
begin;
select plan(28);

select steadfast_test.set_now('2026-12-03 10:00:00+00');
select steadfast_test.queue('sleep_q');
select steadfast.register_executor('sleep-e', '{"queues": ["sleep_q"]}');
select steadfast.start_workflow('sleep-w', 'job', '{}', '{"queue": "sleep_q"}');
select is((select count(*)::int from steadfast.claim_workflows('sleep-e', 1)), 1, 'claimed');
select steadfast.record_step('sleep-w', 1, 'before', '1');

select results_eq($$select wake_at, sleeping from steadfast.sleep_workflow('sleep-w', 1, 'nap', '{"seconds": 60}')$$,
                  $$values ('2026-12-03 10:01:00+00'::timestamptz, true)$$, 'sleeps for 60 s from now');
select results_eq($$select status, executor_id, available_at, wait from steadfast.workflows where id = 'sleep-w'$$,
                  $$values ('waiting', null::text, '2026-12-03 10:01:00+00'::timestamptz,
                            '{"kind": "sleep", "step": "nap", "until": "2026-12-03T10:01:00+00:00"}'::jsonb)$$,
                  'waiting, with no executor, until its wake time, saying what for');
select is((select wait ->> 'kind' from steadfast.get_workflow('sleep-w')), 'sleep', 'get_workflow says what it waits for');
select is((select waiting_for from steadfast.workflow_overview where workflow_id = 'sleep-w'),
          'sleep until 2026-12-03T10:01:00+00:00', 'the overview too');
select is((select wait ->> 'step' from steadfast.list_workflows('{"status": "waiting", "queue": "sleep_q"}')), 'nap',
          'and so does list_workflows');
select results_eq($$select step_key, seq, output from steadfast.steps where workflow_id = 'sleep-w' order by seq$$,
                  $$values ('before', 1, '1'::jsonb), ('nap', 2, '{"until": "2026-12-03T10:01:00+00:00"}'::jsonb)$$,
                  'the sleep is a recorded step with its wake time');
select results_eq($$select wake_at, sleeping from steadfast.sleep_workflow('sleep-w', 1, 'nap', '{"seconds": 60}')$$,
                  $$values ('2026-12-03 10:01:00+00'::timestamptz, true)$$, 'the same call again answers the same');
select * from steadfast_test.rejects($$select * from steadfast.record_step('sleep-w', 1, 'after', '1')$$, 'SF003',
    'the sleeping attempt has ended: its writes are fenced');
select is((select count(*)::int from steadfast.claim_workflows('sleep-e', 10)), 0, 'not claimed before its time');

select steadfast_test.set_now('2026-12-03 10:00:59+00');
select steadfast.heartbeat_executor('sleep-e');
select is((select count(*)::int from steadfast.claim_workflows('sleep-e', 10)), 0, 'nor a second before');
select steadfast_test.set_now('2026-12-03 10:01:00+00');
select steadfast.heartbeat_executor('sleep-e');
select results_eq($$select workflow_id, attempt, jsonb_array_length(steps) from steadfast.claim_workflows('sleep-e', 10)$$,
                  $$values ('sleep-w', 2, 2)$$, 'claimed at its time, with its steps to replay');
select results_eq($$select status, wait, recovery_attempts from steadfast.workflows where id = 'sleep-w'$$,
                  $$values ('running', null::jsonb, 1)$$, 'running again, the wait cleared');
select results_eq($$select wake_at, sleeping from steadfast.sleep_workflow('sleep-w', 2, 'nap', '{"seconds": 3600}')$$,
                  $$values ('2026-12-03 10:01:00+00'::timestamptz, false)$$,
                  'the replayed sleep keeps its recorded time, which has come: carry on');
select is((select status from steadfast.workflows where id = 'sleep-w'), 'running', 'and the workflow keeps running');
select is((select count(*)::int from steadfast.steps where workflow_id = 'sleep-w'), 2, 'nothing more recorded');

-- A second sleep of the same name is its own step; an instant works as well as a duration.
select results_eq($$select wake_at, sleeping from steadfast.sleep_workflow('sleep-w', 2, 'nap', '{"occurrence": 2, "until": "2026-12-04T00:00:00Z"}')$$,
                  $$values ('2026-12-04 00:00:00+00'::timestamptz, true)$$, 'sleeps until an instant');
select is((select step_key from steadfast.steps where workflow_id = 'sleep-w' order by seq desc limit 1), 'nap#2',
          'as the second occurrence of its name');
-- Woken by a claim of its queue only.
select steadfast_test.set_now('2026-12-04 00:00:01+00');
select steadfast.heartbeat_executor('sleep-e');
select is((select status from steadfast.workflows where id = 'sleep-w'), 'waiting', 'still waiting until a claim');
select is((select count(*)::int from steadfast.claim_workflows('sleep-e', 1, '{"queues": ["default"]}')), 0,
          'a claim of another queue does not wake it');
select is((select status from steadfast.workflows where id = 'sleep-w'), 'waiting', 'still waiting');
select is((select workflow_id from steadfast.claim_workflows('sleep-e', 1)), 'sleep-w', 'a claim of its queue does');

-- A sleep whose time has passed already is recorded and does not stop the workflow.
select results_eq($$select sleeping from steadfast.sleep_workflow('sleep-w', 3, 'past', '{"seconds": 0}')$$,
                  $$values (false)$$, 'a zero sleep carries on at once');
select is((select status from steadfast.workflows where id = 'sleep-w'), 'running', 'running');

-- A recorded step that is not a sleep: non-determinism.
select * from steadfast_test.rejects($$select * from steadfast.sleep_workflow('sleep-w', 3, 'before', '{"seconds": 1}')$$,
    'SF005', 'sleeping where a step was recorded');
-- Cancelling a sleeper cancels it.
select steadfast.sleep_workflow('sleep-w', 3, 'last', '{"seconds": 10}');
select is((select status from steadfast.cancel_workflow('sleep-w')), 'cancelled', 'a sleeping workflow is cancelled');

select * from finish();
rollback;
