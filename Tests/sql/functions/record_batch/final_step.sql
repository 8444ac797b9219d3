-- A completion in record_batch may carry the workflow's last step ("step"): the step is
-- recorded and the workflow completed in one write — both, or (a refused step) neither.
begin;
select plan(14);

select steadfast_test.queue('fin_q');
select steadfast.register_executor('fin-e', '{"queues": ["fin_q"]}');
select steadfast.start_workflow('fin-' || n, 'job', '{}', '{"queue": "fin_q"}') from generate_series(1, 4) n;
select is((select count(*) from steadfast.claim_workflows('fin-e', 4)), 4::bigint, 'four running workflows');
select * from steadfast.record_step('fin-1', 1, 'a', '1');
select * from steadfast.record_step('fin-3', 1, 'c', '"recorded"');

create temporary table answer as
select * from steadfast.record_batch($$[
    {"kind": "complete", "workflow_id": "fin-1", "attempt": 1, "output": {"done": 1},
     "step": {"name": "b", "output": 2, "options": {"started_at": 1700000000}}},
    {"kind": "complete", "workflow_id": "fin-2", "attempt": 9, "output": {"done": 2},
     "step": {"name": "b", "output": 2}},
    {"kind": "complete", "workflow_id": "fin-3", "attempt": 1, "output": {"done": 3},
     "step": {"name": "c", "output": "something else"}},
    {"kind": "complete", "workflow_id": "fin-4", "attempt": 1, "output": {"done": 4}, "step": null}
]$$);

select results_eq($$select ordinal, error_code, step_key, seq, recorded, completed_at is not null from answer order by ordinal$$,
    $$values (1, null, 'b', 2, true, true), (2, 'SF003', null, null, null, false),
             (3, 'SF007', null, null, null, false), (4, null, null, null, null, true)$$,
    'each completion answered with its step: recorded and completed, fenced, non-deterministic, without a step');
select results_eq($$select id, status, output from steadfast.workflows where id like 'fin-%' order by id$$,
    $$values ('fin-1', 'succeeded', '{"done": 1}'::jsonb), ('fin-2', 'running', null),
             ('fin-3', 'running', null), ('fin-4', 'succeeded', '{"done": 4}')$$,
    'a workflow completes only when its last step was recorded');
select results_eq($$select workflow_id, step_key, seq, output, started_at from steadfast.steps where workflow_id like 'fin-%'
                    order by workflow_id, seq$$,
    $$values ('fin-1', 'a', 1, '1'::jsonb, null::timestamptz), ('fin-1', 'b', 2, '2', to_timestamp(1700000000)),
             ('fin-3', 'c', 1, '"recorded"', null)$$,
    'the last step is stored as record_step stores it, and a refused one not at all');

-- Sent again (a lost answer): idempotent, the same answer.
select results_eq($$select ordinal, error_code, step_key, recorded, completed_at is not null
                    from steadfast.record_batch('[{"kind": "complete", "workflow_id": "fin-1", "attempt": 1, "output": {"done": 1},
                                                   "step": {"name": "b", "output": 2}}]')$$,
    $$values (1, null::text, 'b', false, true)$$, 'sent again: the step is found, the completion too');
select is((select count(*) from steadfast.steps where workflow_id = 'fin-1'), 2::bigint, 'nothing recorded twice');

-- Bad steps: SF005 naming the write, nothing applied.
select * from steadfast_test.rejects($$select * from steadfast.record_batch('[{"kind": "complete", "workflow_id": "fin-3", "attempt": 1, "output": 1, "step": {"output": 2}}]')$$,
    'SF005', 'a step without a name');
select * from steadfast_test.rejects($$select * from steadfast.record_batch('[{"kind": "complete", "workflow_id": "fin-3", "attempt": 1, "output": 1, "step": {"name": "x", "colour": 2}}]')$$,
    'SF005', 'a step with an unknown key');
select * from steadfast_test.rejects($$select * from steadfast.record_batch('[{"kind": "complete", "workflow_id": "fin-3", "attempt": 1, "output": 1, "step": [1]}]')$$,
    'SF005', 'a step that is not an object');
select throws_ok($$select * from steadfast.record_batch('[{"kind": "complete", "workflow_id": "fin-3", "attempt": 1, "output": 1, "step": {"name": "x", "options": {"occurrence": 0}}}]')$$,
    'SF005', 'record_batch[1]: record_step: option occurrence must be an integer ≥ 1, got 0', 'a bad option of the step names the write');
select is((select status from steadfast.workflows where id = 'fin-3'), 'running', 'fin-3 still running');

select * from finish();
rollback;
