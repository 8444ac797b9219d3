-- get_workflow: one workflow with its steps in recording order; unknown SF001, bad id SF005.
begin;
select plan(13);

select steadfast_test.queue('get_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('get-e', '{"queues": ["get_q"]}');
select steadfast.start_workflow('get-w', 'invoice', '{"n": 1}', '{"queue": "get_q"}');

select results_eq(
    $$select workflow_id, name, status, queue, input, output, error, attempt, recovery_attempts, retry_count,
             executor_id, available_at, created_at, updated_at, started_at, completed_at, steps
      from steadfast.get_workflow('get-w')$$,
    $$values ('get-w', 'invoice', 'enqueued', 'get_q', '{"n": 1}'::jsonb, null::jsonb, null::jsonb, 0, 0, 0,
              null::text, '2030-01-01 00:00:00+00'::timestamptz, '2030-01-01 00:00:00+00'::timestamptz,
              '2030-01-01 00:00:00+00'::timestamptz, null::timestamptz, null::timestamptz, '[]'::jsonb)$$,
    'an enqueued workflow, every column');

select steadfast_test.set_now('2030-01-01 00:00:01+00');
select steadfast.claim_workflows('get-e', 1);
select steadfast.record_step('get-w', 1, 'b', '2');
select steadfast.record_step('get-w', 1, 'a', '1');
select results_eq(
    $$select status, attempt, recovery_attempts, executor_id, started_at from steadfast.get_workflow('get-w')$$,
    $$values ('running', 1, 1, 'get-e', '2030-01-01 00:00:01+00'::timestamptz)$$,
    'a running workflow shows its attempt and executor');
select is((select jsonb_path_query_array(steps, '$[*].key') from steadfast.get_workflow('get-w')), '["b", "a"]'::jsonb,
          'steps in recording order');
select results_eq(
    $$select s.key, s.name, s.output, s.error, s.child_workflow_id, s.parallel
      from steadfast.get_workflow('get-w') g,
           jsonb_to_record(g.steps -> 0) as s(key text, name text, output jsonb, error jsonb, child_workflow_id text, parallel boolean)$$,
    $$values ('b', 'b', '2'::jsonb, null::jsonb, null::text, false)$$,
    'each step with its key, name, output, error, child and parallel flag');

select steadfast.complete_workflow('get-w', 1, '"paid"');
select results_eq($$select status, output, completed_at from steadfast.get_workflow('get-w')$$,
                  $$values ('succeeded', '"paid"'::jsonb, '2030-01-01 00:00:01+00'::timestamptz)$$,
                  'a finished workflow shows its output');

select * from steadfast_test.rejects($$select * from steadfast.get_workflow('get-nope')$$, 'SF001', 'an unknown workflow');
select * from steadfast_test.rejects($$select * from steadfast.get_workflow(null)$$, 'SF005', 'a null id');
select * from steadfast_test.rejects($$select * from steadfast.get_workflow('')$$, 'SF005', 'an empty id');
select * from steadfast_test.rejects($$select * from steadfast.get_workflow(repeat('x', 256))$$, 'SF005', 'an over-long id');

select * from finish();
rollback;
