-- record_step: the checkpoint. Recording the same result again is accepted (recorded =
-- false, one row, nothing changed); a different result under a recorded key is SF007 and
-- changes nothing; occurrences give keys name#n; seq numbers the steps in recording order;
-- a failed step records an error object instead of an output.
begin;
select plan(25);

select steadfast_test.queue('step_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('step-e', '{"queues": ["step_q"]}');
select steadfast.start_workflow('step-w', 'order', '{}', '{"queue": "step_q"}');
select steadfast.claim_workflows('step-e', 1);

select results_eq($$select step_key, seq, recorded from steadfast.record_step('step-w', 1, 'charge', '{"id": "ch_1"}')$$,
                  $$values ('charge', 1, true)$$, 'a first record: key = name, seq 1, recorded');
select results_eq(
    $$select name, output, error, attempt, step_attempts, parallel, completed_at
      from steadfast.steps where workflow_id = 'step-w' and step_key = 'charge'$$,
    $$values ('charge', '{"id": "ch_1"}'::jsonb, null::jsonb, 1, 1, false, '2030-01-01 00:00:00+00'::timestamptz)$$,
    'the step row holds the output, the attempt and the time');

-- Same result again.
create temp table snap as select steadfast_test.snapshot() as s;
select results_eq($$select step_key, seq, recorded from steadfast.record_step('step-w', 1, 'charge', '{"id": "ch_1"}')$$,
                  $$values ('charge', 1, false)$$, 'the same output again: recorded = false, the original seq');
select is((select count(*)::int from steadfast.steps where workflow_id = 'step-w' and step_key = 'charge'), 1, 'still one row');
select is(steadfast_test.snapshot(), (select s from snap), 'an idempotent repeat changes nothing');

-- A different result under the same key.
select * from steadfast_test.rejects($$select * from steadfast.record_step('step-w', 1, 'charge', '{"id": "ch_2"}')$$,
    'SF007', 'a different output for a recorded step');
select * from steadfast_test.rejects($$select * from steadfast.record_step('step-w', 1, 'charge', null, '{"error": {"type": "declined"}}')$$,
    'SF007', 'an error for a step recorded with an output');

-- Occurrences and seq.
select results_eq($$select step_key, recorded from steadfast.record_step('step-w', 1, 'charge', '{"id": "ch_9"}', '{"occurrence": 2}')$$,
                  $$values ('charge#2', true)$$, 'the second occurrence of a step has key name#2');
select results_eq($$select step_key, recorded from steadfast.record_step('step-w', 1, 'ship', '"box"')$$,
                  $$values ('ship', true)$$, 'another step');
select results_eq($$select step_key, seq from steadfast.steps where workflow_id = 'step-w' order by seq$$,
                  $$values ('charge', 1), ('charge#2', 2), ('ship', 3)$$,
                  'seq numbers the recorded steps 1, 2, 3 in recording order');
select is((select seq from steadfast.record_step('step-w', 1, 'charge', '{"id": "ch_9"}', '{"occurrence": 2}')), 2,
          'recording a step again returns its own number');

-- '#' separates the occurrence in keys, so a step named pay#2 could collide with the 2nd pay.
select * from steadfast_test.rejects($$select * from steadfast.record_step('step-w', 1, 'pay#2', '1')$$,
    'SF005', 'a step name containing # is refused');

-- Failed steps.
select results_eq(
    $$select step_key, recorded from steadfast.record_step('step-w', 1, 'mail', null, '{"error": {"type": "smtp", "code": 554}}')$$,
    $$values ('mail', true)$$, 'a failed step records its error');
select results_eq($$select output, error from steadfast.steps where workflow_id = 'step-w' and step_key = 'mail'$$,
                  $$values (null::jsonb, '{"type": "smtp", "code": 554}'::jsonb)$$, 'with a null output');
select results_eq(
    $$select recorded from steadfast.record_step('step-w', 1, 'mail', 'null', '{"error": {"type": "smtp", "code": 554}}')$$,
    $$values (false)$$, 'the same error again is accepted');
select * from steadfast_test.rejects($$select * from steadfast.record_step('step-w', 1, 'mail', '"sent"')$$,
    'SF007', 'an output for a step recorded as failed');
select * from steadfast_test.rejects($$select * from steadfast.record_step('step-w', 1, 'other', '"x"', '{"error": {"type": "e"}}')$$,
    'SF005', 'both an output and an error');

-- Null outputs and the remaining options.
select steadfast.record_step('step-w', 1, 'void', null);
select is((select output from steadfast.steps where workflow_id = 'step-w' and step_key = 'void'), 'null'::jsonb,
          'a SQL null output is recorded as JSON null');
select results_eq($$select recorded from steadfast.record_step('step-w', 1, 'void', 'null')$$, $$values (false)$$,
                  'and JSON null matches it');
select steadfast.record_step('step-w', 1, 'spawn', '"ok"',
    '{"started_at": "2029-12-31T23:59:00Z", "step_attempts": 3, "child_workflow_id": "step-child", "parallel": true, "error": null}');
select results_eq(
    $$select started_at, step_attempts, child_workflow_id, parallel, error from steadfast.steps
      where workflow_id = 'step-w' and step_key = 'spawn'$$,
    $$values ('2029-12-31 23:59:00+00'::timestamptz, 3, 'step-child', true, null::jsonb)$$,
    'started_at, step_attempts, child_workflow_id and parallel are stored; a JSON null error means none');

select * from finish();
rollback;
