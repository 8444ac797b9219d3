-- record_batch applies many executions' writes in one transaction, each as its single call
-- would, and refuses a write on its own (fenced, unknown, non-deterministic) while applying the
-- others.
begin;
select plan(15);

select steadfast_test.queue('batch_q');
select steadfast.register_executor('batch-e', '{"queues": ["batch_q"]}');
select steadfast.start_workflow('batch-' || n, 'job', '{}', '{"queue": "batch_q"}') from generate_series(1, 3) n;
select is((select count(*) from steadfast.claim_workflows('batch-e', 3)), 3::bigint, 'three running workflows');
select * from steadfast.record_step('batch-3', 1, 'charge', '"ch_1"');

create temporary table answer as
select * from steadfast.record_batch($$[
    {"kind": "step", "workflow_id": "batch-2", "attempt": 1, "name": "charge", "output": {"id": 2},
     "options": {"started_at": 1700000000, "step_attempts": 2}},
    {"kind": "step", "workflow_id": "batch-1", "attempt": 1, "name": "charge", "output": {"id": 1}},
    {"kind": "step", "workflow_id": "batch-1", "attempt": 1, "name": "charge", "output": {"id": 1}, "options": {"occurrence": 2}},
    {"kind": "step", "workflow_id": "batch-1", "attempt": 7, "name": "ship", "output": 1},
    {"kind": "step", "workflow_id": "batch-none", "attempt": 1, "name": "ship", "output": 1},
    {"kind": "step", "workflow_id": "batch-3", "attempt": 1, "name": "charge", "output": "ch_other"},
    {"kind": "step", "workflow_id": "batch-3", "attempt": 1, "name": "charge", "output": "ch_1"},
    {"kind": "complete", "workflow_id": "batch-2", "attempt": 1, "output": {"done": true}}
]$$);

select results_eq($$select ordinal, error_code, step_key, seq, recorded from answer where step_key is not null or error_code is not null order by ordinal$$,
    $$values (1, null, 'charge', 1, true), (2, null, 'charge', 1, true), (3, null, 'charge#2', 2, true),
             (4, 'SF003', null, null, null), (5, 'SF001', null, null, null), (6, 'SF007', null, null, null),
             (7, null, 'charge', 1, false)$$,
    'every write answered by its ordinal: applied, fenced, unknown, non-deterministic, idempotent');
select is((select count(*) from answer), 8::bigint, 'one row per write');
select ok((select completed_at is not null and error_code is null from answer where ordinal = 8), 'the completion applied');
select is((select error_message from answer where ordinal = 4),
          'record_step: attempt 7 no longer holds workflow ''batch-1''', 'a refusal carries record_step''s message');
select is((select error_message from answer where ordinal = 5), 'record_step: unknown workflow ''batch-none''',
          'an unknown workflow''s too');

select results_eq($$select workflow_id, step_key, seq, output, step_attempts, started_at from steadfast.steps
                    where workflow_id like 'batch-%' order by workflow_id, seq$$,
    $$values ('batch-1', 'charge', 1, '{"id": 1}'::jsonb, 1, null::timestamptz),
             ('batch-1', 'charge#2', 2, '{"id": 1}'::jsonb, 1, null),
             ('batch-2', 'charge', 1, '{"id": 2}'::jsonb, 2, to_timestamp(1700000000)),
             ('batch-3', 'charge', 1, '"ch_1"'::jsonb, 1, null)$$,
    'the applied steps are recorded as record_step records them; the refused ones are not');
select results_eq($$select id, status, output from steadfast.workflows where id like 'batch-%' order by id$$,
    $$values ('batch-1', 'running', null::jsonb), ('batch-2', 'succeeded', '{"done": true}'::jsonb),
             ('batch-3', 'running', null)$$,
    'the completed workflow succeeded with its output');

-- The same batch again changes nothing: every write is idempotent or refused.
select lives_ok($$select * from steadfast.record_batch('[{"kind": "complete", "workflow_id": "batch-2", "attempt": 1, "output": {"done": true}},
                                                         {"kind": "step", "workflow_id": "batch-1", "attempt": 1, "name": "charge", "output": {"id": 1}}]')$$,
                'a batch written twice (a retry after a lost connection) is accepted');
select is((select count(*) from steadfast.steps where workflow_id like 'batch-%'), 4::bigint, 'and records nothing more');
select is((select count(*) from steadfast.record_batch('[]')), 0::bigint, 'an empty batch writes nothing');

-- Writes are applied in workflow id order (rows locked in one order: no deadlock between batches).
select is((select array_agg(ordinal) from steadfast.record_batch($$[
    {"kind": "step", "workflow_id": "batch-3", "attempt": 1, "name": "a", "output": 1},
    {"kind": "step", "workflow_id": "batch-1", "attempt": 1, "name": "b", "output": 1},
    {"kind": "step", "workflow_id": "batch-3", "attempt": 1, "name": "c", "output": 1}]$$)),
    array[2, 1, 3], 'writes are applied in workflow id order, then in array order');
select results_eq($$select step_key, seq from steadfast.steps where workflow_id = 'batch-3' order by seq$$,
    $$values ('charge', 1), ('a', 2), ('c', 3)$$, 'a workflow''s writes in one batch are numbered in array order');

-- A batch of one completion (its notification is complete_workflow's own code, _complete_workflow).
select steadfast.start_workflow('batch-n', 'job', '{}', '{"queue": "batch_q"}');
select steadfast.claim_workflows('batch-e', 1);
select is((select error_code from steadfast.record_batch('[{"kind": "complete", "workflow_id": "batch-n", "attempt": 1, "output": 1}]')),
          null, 'a lone completion');
select is((select status from steadfast.workflows where id = 'batch-n'), 'succeeded', 'completes the workflow');

select * from finish();
rollback;
