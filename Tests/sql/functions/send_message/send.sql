-- send_message: to an unknown workflow SF001, to a finished one SF004 (nothing stored); an
-- idempotency key makes a repeated send store one message, whatever happened since.
begin;
select plan(11);

select steadfast_test.queue('sm_q');
select steadfast.start_workflow('sm-w', 'job', '{}', '{"queue": "sm_q"}');
select results_eq($$select message_id is not null, created from steadfast.send_message('sm-w', '{"a": 1}', '{"idempotency_key": "k1"}')$$,
                  $$values (true, true)$$, 'stored');
select results_eq($$select created from steadfast.send_message('sm-w', '{"a": 2}', '{"idempotency_key": "k1"}')$$,
                  $$values (false)$$, 'the same key again: nothing stored');
select results_eq($$select topic, message from steadfast.messages where workflow_id = 'sm-w'$$,
                  $$values ('default', '{"a": 1}'::jsonb)$$, 'one message, the first, on the default topic');
select * from steadfast_test.rejects($$select * from steadfast.send_message('sm-nobody', '1')$$, 'SF001', 'an unknown workflow');
select * from steadfast_test.rejects($$select * from steadfast.send_message('sm-w', '1', '{"topic": ""}')$$, 'SF005', 'an empty topic');
select steadfast.cancel_workflow('sm-w');
select * from steadfast_test.rejects($$select * from steadfast.send_message('sm-w', '1')$$, 'SF004', 'a finished workflow');
select results_eq($$select created from steadfast.send_message('sm-w', '{"a": 3}', '{"idempotency_key": "k1"}')$$,
                  $$values (false)$$, 'a retried send with its key still answers, the workflow finished meanwhile');
select is((select count(*)::int from steadfast.messages where workflow_id = 'sm-w'), 1, 'still one message');
select * from finish();
rollback;
