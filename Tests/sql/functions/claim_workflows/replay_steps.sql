-- claim_workflows returns the recorded steps of a reclaimed workflow, in recording order, so
-- the new attempt can replay without another round trip.
begin;
select plan(4);

select steadfast_test.queue('replay_q');
select steadfast.register_executor('replay-a', '{"queues": ["replay_q"]}');
select steadfast.register_executor('replay-b', '{"queues": ["replay_q"]}');
select steadfast.start_workflow('replay-w', 'order', '{"id": 7}', '{"queue": "replay_q"}');

select is((select steps from steadfast.claim_workflows('replay-a', 1)), '[]'::jsonb, 'a first claim has no steps');
select steadfast.record_step('replay-w', 1, 'fetch', '{"total": 12}');
select steadfast.record_step('replay-w', 1, 'charge', '"ch_1"');
select steadfast.record_step('replay-w', 1, 'charge', '"ch_2"', '{"occurrence": 2, "parallel": true}');
select steadfast.record_step('replay-w', 1, 'notify', null, '{"error": {"type": "smtp"}, "child_workflow_id": "replay-child"}');
select steadfast.release_workflows('replay-a');

create temp table got as select * from steadfast.claim_workflows('replay-b', 1);
select is((select attempt from got), 2, 'the workflow is reclaimed at attempt 2');
select results_eq(
    $$select s.key, s.name, s.output, s.error, s.child_workflow_id, s.parallel, s.attempt
      from got, jsonb_array_elements(got.steps) with ordinality as x(step, ord),
           jsonb_to_record(x.step) as s(key text, name text, output jsonb, error jsonb, child_workflow_id text,
                                        parallel boolean, attempt int)
      order by x.ord$$,
    $$values ('fetch', 'fetch', '{"total": 12}'::jsonb, null::jsonb, null::text, false, 1),
             ('charge', 'charge', '"ch_1"', null, null, false, 1),
             ('charge#2', 'charge', '"ch_2"', null, null, true, 1),
             ('notify', 'notify', null, '{"type": "smtp"}', 'replay-child', false, 1)$$,
    'with every recorded step: key, name, output, error, child, parallel, the attempt that recorded it');
select ok(
    (select bool_and(a < b) from (select (s ->> 'seq')::int a, lead((s ->> 'seq')::int) over (order by ord) b
                                  from got, jsonb_array_elements(got.steps) with ordinality as x(s, ord)) q
     where b is not null),
    'in recording order (seq increasing)');

select * from finish();
rollback;
