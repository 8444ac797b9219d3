-- fork_workflow: a new workflow with the original's name and input and copies of its steps
-- before from_step, its lineage recorded; the original is untouched; the fork's first claim
-- replays the copies and records new steps after them.
begin;
select plan(19);

select steadfast_test.queue('fw_q');
select steadfast_test.queue('fw_q2');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('fw-e', '{"queues": ["fw_q", "fw_q2"], "lease_seconds": 3600}');
select steadfast.start_workflow('fw-o', 'fulfil', '{"order": 7}',
    '{"queue": "fw_q", "app_version": "v1", "priority": 3, "retry": {"kind": "fixed", "max_attempts": 2}, "parent_id": "fw-parent"}');
select steadfast.claim_workflows('fw-e', 1);
select steadfast.record_step('fw-o', 1, 'reserve', '{"r": 1}');
select steadfast.record_step('fw-o', 1, 'charge', '{"c": 2}', '{"step_attempts": 2}');
select steadfast.record_step('fw-o', 1, 'ship', null, '{"error": {"type": "Bug", "message": "off by one"}}');
select steadfast.fail_workflow('fw-o', 1, '{"type": "Bug", "message": "off by one"}', '{"retryable": false}');
create temp table original as select w::text as w from steadfast.workflows w where id = 'fw-o';
create temp table original_steps as select string_agg(s::text, ',' order by seq) as s from steadfast.steps s where workflow_id = 'fw-o';

select steadfast_test.set_now('2030-01-01 00:05:00+00');
select results_eq(
    $$select workflow_id, created, forked_from, forked_at_step, copied_steps, status, queue, app_version
      from steadfast.fork_workflow('fw-o', 3, '{"workflow_id": "fw-f"}')$$,
    $$values ('fw-f', true, 'fw-o', 3, 2, 'enqueued', 'fw_q', 'v1')$$,
    'forking from step 3 copies steps 1 and 2');
select results_eq(
    $$select name, input, status, queue, priority, app_version, retry_policy ->> 'kind', attempt, parent_id,
             forked_from, forked_at_step, created_at, available_at, completed_at, error
      from steadfast.workflows where id = 'fw-f'$$,
    $$values ('fulfil', '{"order": 7}'::jsonb, 'enqueued', 'fw_q', 3, 'v1', 'fixed', 0, null::text, 'fw-o', 3,
              '2030-01-01 00:05:00+00'::timestamptz, '2030-01-01 00:05:00+00'::timestamptz, null::timestamptz, null::jsonb)$$,
    'the fork has the original''s name, input, queue, priority, version and policy, no parent, and its lineage');
select results_eq(
    $$select step_key, seq, name, output, error, step_attempts from steadfast.steps where workflow_id = 'fw-f' order by seq$$,
    $$values ('reserve', 1, 'reserve', '{"r": 1}'::jsonb, null::jsonb, 1), ('charge', 2, 'charge', '{"c": 2}'::jsonb, null::jsonb, 2)$$,
    'the copied steps keep their keys, order, outputs and run counts');
select is((select w::text from steadfast.workflows w where id = 'fw-o'), (select w from original), 'the original workflow is untouched');
select is((select string_agg(s::text, ',' order by seq) from steadfast.steps s where workflow_id = 'fw-o'),
          (select s from original_steps), 'and so are its steps');

select results_eq(
    $$select workflow_id, attempt, jsonb_path_query_array(steps, '$[*].key') from steadfast.claim_workflows('fw-e', 1)$$,
    $$values ('fw-f', 1, '["reserve", "charge"]'::jsonb)$$, 'its first claim comes with the copied steps to replay');
select results_eq($$select step_key, seq from steadfast.record_step('fw-f', 1, 'ship', '"s-1"')$$,
                  $$values ('ship', 3)$$, 'the step it runs again is recorded after them');

-- Idempotent on the new id.
create temp table snap as select steadfast_test.snapshot() as s;
select results_eq(
    $$select workflow_id, created, forked_from, forked_at_step, copied_steps, status from steadfast.fork_workflow('fw-o', 3, '{"workflow_id": "fw-f"}')$$,
    $$values ('fw-f', false, 'fw-o', 3, 2, 'running')$$, 'forking again with the same id returns the existing fork');
select is(steadfast_test.snapshot(), (select s from snap), 'and changes nothing');

-- From the first step, and past the last.
select is((select copied_steps from steadfast.fork_workflow('fw-o', 1)), 0, 'from step 1 copies nothing');
select is((select copied_steps from steadfast.fork_workflow('fw-o', 4, '{"workflow_id": "fw-all"}')), 3,
          'from the last step + 1 copies every step, failed ones too');
update steadfast.workflows set status = 'running', attempt = 1 where id = 'fw-all';
select is((select seq from steadfast.record_step('fw-all', 1, 'after', '1')), 4, 'and numbers new steps after them');
select ok((select workflow_id from steadfast.fork_workflow('fw-o', 2)) ~ '^[0-9a-f-]{36}$', 'without an id, a UUID');

-- Options: another queue and version, or none.
select results_eq(
    $$select queue, app_version from steadfast.fork_workflow('fw-o', 3, '{"workflow_id": "fw-q2", "queue": "fw_q2", "app_version": "v2"}')$$,
    $$values ('fw_q2', 'v2')$$, 'a fork can go to another queue and version (the fixed code)');
select results_eq($$select app_version from steadfast.fork_workflow('fw-o', 3, '{"app_version": null}')$$,
                  $$values (null::text)$$, 'app_version null: any worker may run it');
select is((select count(*)::int from steadfast.workflows where forked_from = 'fw-o'), 6, 'six forks of the original');
select results_eq($$select workflow_id from steadfast.list_workflows('{"forked_from": "fw-o", "queue": "fw_q2"}')$$,
                  $$values ('fw-q2')$$, 'listed by forked_from');

-- A running workflow can be forked too; it keeps running.
select is((select forked_from from steadfast.fork_workflow('fw-f', 3, '{"workflow_id": "fw-ff"}')), 'fw-f',
          'a running workflow can be forked');
select is((select status from steadfast.workflows where id = 'fw-f'), 'running', 'and keeps running');

select * from finish();
rollback;
