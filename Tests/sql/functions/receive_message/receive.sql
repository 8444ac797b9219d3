-- receive_message: a workflow receives the oldest message of a topic exactly once, as a
-- recorded step; waits holding nothing while none is there, woken by the send in the send's
-- transaction; a timeout is recorded and replayed, whether a message comes later or not (fake
-- clock).
begin;
select plan(30);

select steadfast_test.set_now('2026-12-03 10:00:00+00');
select steadfast_test.queue('msg_q');
select steadfast.register_executor('msg-e', '{"queues": ["msg_q"]}');
select steadfast.start_workflow('msg-w', 'approval', '{}', '{"queue": "msg_q"}');
select is((select workflow_id from steadfast.claim_workflows('msg-e', 1)), 'msg-w', 'claimed');

-- Two messages already there: received oldest first, each once.
select results_eq($$select created from steadfast.send_message('msg-w', '{"n": 1}', '{"topic": "t"}')$$, $$values (true)$$, 'sent');
select steadfast.send_message('msg-w', '{"n": 2}', '{"topic": "t"}');
select steadfast.send_message('msg-w', '"other"', '{"topic": "u"}');
select results_eq($$select waiting, received, message from steadfast.receive_message('msg-w', 1, 'get', '{"topic": "t"}')$$,
                  $$values (false, true, '{"n": 1}'::jsonb)$$, 'the oldest of the topic');
select results_eq($$select waiting, received, message from steadfast.receive_message('msg-w', 1, 'get', '{"topic": "t", "occurrence": 2}')$$,
                  $$values (false, true, '{"n": 2}'::jsonb)$$, 'then the next');
select results_eq($$select step_key, output - 'message_id' from steadfast.steps where workflow_id = 'msg-w' order by seq$$,
                  $$values ('get', '{"received": true, "message": {"n": 1}}'::jsonb), ('get#2', '{"received": true, "message": {"n": 2}}'::jsonb)$$,
                  'each receive is a recorded step holding its message');
select results_eq($$select topic, consumed_step from steadfast.messages where workflow_id = 'msg-w' order by id$$,
                  $$values ('t', 'get'), ('t', 'get#2'), ('u', null::text)$$, 'consumed by those steps; the other topic untouched');
select results_eq($$select waiting, received, message from steadfast.receive_message('msg-w', 1, 'get', '{"topic": "t"}')$$,
                  $$values (false, true, '{"n": 1}'::jsonb)$$, 'a replay returns the recorded message and consumes nothing');

-- None there: the workflow waits, no executor, until a send of its topic.
select results_eq($$select waiting, received from steadfast.receive_message('msg-w', 1, 'get', '{"topic": "t", "occurrence": 3}')$$,
                  $$values (true, false)$$, 'nothing there: it waits');
select results_eq($$select status, executor_id, wait from steadfast.workflows where id = 'msg-w'$$,
                  $$values ('waiting', null::text, '{"kind": "message", "step": "get#3", "topic": "t"}'::jsonb)$$,
                  'waiting for a message of its topic, holding nothing');
select is((select waiting_for from steadfast.workflow_overview where workflow_id = 'msg-w'), 'message on t', 'the overview says so');
select results_eq($$select waiting from steadfast.receive_message('msg-w', 1, 'get', '{"topic": "t", "occurrence": 3}')$$,
                  $$values (true)$$, 'the same call again answers the same');
select steadfast.send_message('msg-w', '"wrong topic"', '{"topic": "u"}');
select is((select status from steadfast.workflows where id = 'msg-w'), 'waiting', 'another topic does not wake it');
select steadfast.send_message('msg-w', '{"n": 3}', '{"topic": "t"}');
select results_eq($$select status, available_at from steadfast.workflows where id = 'msg-w'$$,
                  $$values ('enqueued', '2026-12-03 10:00:00+00'::timestamptz)$$, 'its topic''s message wakes it, in the send''s transaction');
select is((select attempt from steadfast.claim_workflows('msg-e', 1)), 2, 'claimed again');
select results_eq($$select waiting, received, message from steadfast.receive_message('msg-w', 2, 'get', '{"topic": "t", "occurrence": 3}')$$,
                  $$values (false, true, '{"n": 3}'::jsonb)$$, 'its replay receives the message');
select is((select wait from steadfast.workflows where id = 'msg-w'), null, 'the wait is over');

-- With a timeout: the deadline is fixed by the first call, kept through the wake-up.
select results_eq($$select waiting from steadfast.receive_message('msg-w', 2, 'late', '{"topic": "t", "timeout_seconds": 60}')$$,
                  $$values (true)$$, 'waits at most 60 s');
select results_eq($$select available_at, wait ->> 'until' from steadfast.workflows where id = 'msg-w'$$,
                  $$values ('2026-12-03 10:01:00+00'::timestamptz, '2026-12-03T10:01:00+00:00')$$, 'until its deadline');
select steadfast_test.set_now('2026-12-03 10:01:00+00');
select steadfast.heartbeat_executor('msg-e');
select is((select attempt from steadfast.claim_workflows('msg-e', 1)), 3, 'the deadline wakes it (a claim of its queue)');
select is((select wait ->> 'step' from steadfast.workflows where id = 'msg-w'), 'late', 'its wait, and deadline, kept until the receive is recorded');
select results_eq($$select waiting, received, message from steadfast.receive_message('msg-w', 3, 'late', '{"topic": "t", "timeout_seconds": 3600}')$$,
                  $$values (false, false, null::jsonb)$$, 'timed out: the first call''s deadline, not the replay''s options');
select is((select output from steadfast.steps where workflow_id = 'msg-w' and step_key = 'late'), '{"received": false}'::jsonb,
          'the timeout is recorded');
select steadfast.send_message('msg-w', '"too late"', '{"topic": "t"}');
select results_eq($$select waiting, received from steadfast.receive_message('msg-w', 3, 'late', '{"topic": "t"}')$$,
                  $$values (false, false)$$, 'a message arriving later does not change the recorded branch');
select is((select count(*)::int from steadfast.messages where workflow_id = 'msg-w' and consumed_at is null and topic = 't'), 1,
          'and stays for the next receive');

-- A message there before the deadline is received, whatever the deadline.
select results_eq($$select received, message from steadfast.receive_message('msg-w', 3, 'again', '{"topic": "t", "timeout_seconds": 0}')$$,
                  $$values (true, '"too late"'::jsonb)$$, 'a zero timeout still takes a message that is there');
select results_eq($$select waiting, received from steadfast.receive_message('msg-w', 3, 'none', '{"topic": "t", "until": "2026-12-03T09:00:00Z"}')$$,
                  $$values (false, false)$$, 'a deadline in the past with nothing there: timed out at once');

-- Non-determinism and fencing.
select steadfast.record_step('msg-w', 3, 'plain', '1');
select * from steadfast_test.rejects($$select * from steadfast.receive_message('msg-w', 3, 'plain', '{}')$$, 'SF005',
    'receiving where a plain step was recorded');
select * from steadfast_test.rejects($$select * from steadfast.receive_message('msg-w', 2, 'x', '{}')$$, 'SF003',
    'an old attempt is fenced');
select * from finish();
rollback;
