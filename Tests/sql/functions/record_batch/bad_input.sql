-- A batch with a malformed write fails as a whole, naming the write, and changes nothing —
-- the writes before it included.
begin;
select plan(21);

select steadfast_test.queue('batchbad_q');
select steadfast.register_executor('batchbad-e', '{"queues": ["batchbad_q"]}');
select steadfast.start_workflow('batchbad-w', 'job', '{}', '{"queue": "batchbad_q"}');
select steadfast.claim_workflows('batchbad-e', 1);

select * from steadfast_test.rejects($$select * from steadfast.record_batch(null)$$, 'SF005', 'null');
select * from steadfast_test.rejects($$select * from steadfast.record_batch('{}')$$, 'SF005', 'an object, not an array');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_batch((select jsonb_agg('{}'::jsonb) from generate_series(1, 1001)))$$,
    'SF005', 'more than 1000 writes');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_batch('[{"kind": "step", "workflow_id": "batchbad-w", "attempt": 1, "name": "ok", "output": 1}, 7]')$$,
    'SF005', 'a write that is not an object');
select throws_ok(
    $$select * from steadfast.record_batch('[{"kind": "step", "workflow_id": "batchbad-w", "attempt": 1, "name": "ok", "output": 1}, 7]')$$,
    'SF005', 'record_batch[2]: each element must be a JSON object, got number', 'the error names the write');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_batch('[{"kind": "step", "workflow_id": "batchbad-w", "attempt": 1, "name": "ok", "output": 1},
                                             {"kind": "delete", "workflow_id": "batchbad-w"}]')$$,
    'SF005', 'an unknown kind');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_batch('[{"kind": "step", "workflow_id": "batchbad-w", "attempt": 1, "name": "ok", "output": 1, "colour": "red"}]')$$,
    'SF005', 'an unknown key');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_batch('[{"kind": "step", "workflow_id": "batchbad-w", "attempt": 1, "name": "a#2", "output": 1}]')$$,
    'SF005', 'a bad step, as record_step would refuse it');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_batch('[{"kind": "step", "workflow_id": "batchbad-w", "attempt": "one", "name": "a", "output": 1}]')$$,
    'SF005', 'an attempt that is not a number');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_batch('[{"kind": "complete", "workflow_id": "batchbad-w", "output": 1}]')$$,
    'SF005', 'a completion without its attempt');
-- the smallest limit settings allow (rolled back with the test)
select steadfast.set_settings('{"max_payload_bytes": 65536}');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_batch(jsonb_build_array(
        '{"kind": "step", "workflow_id": "batchbad-w", "attempt": 1, "name": "ok", "output": 1}'::jsonb,
        jsonb_build_object('kind', 'step', 'workflow_id', 'batchbad-w', 'attempt', 1, 'name', 'big', 'output', (select string_agg(md5(i::text), '') from generate_series(1, 2200) i))))$$,
    'SF006', 'a payload too large');
select steadfast.set_settings('{"max_payload_bytes": 4194304}');

select * from finish();
rollback;
