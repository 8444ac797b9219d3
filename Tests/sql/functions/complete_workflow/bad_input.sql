-- complete_workflow: bad arguments are SF005, an oversized output SF006; nothing changes.
begin;
select plan(13);

select steadfast_test.queue('donebad_q');
select steadfast.register_executor('donebad-e', '{"queues": ["donebad_q"]}');
select steadfast.start_workflow('donebad-w', 'job', '{}', '{"queue": "donebad_q"}');
select steadfast.claim_workflows('donebad-e', 1);

select * from steadfast_test.rejects($$select steadfast.complete_workflow(null, 1, '1')$$, 'SF005', 'a null workflow id');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('', 1, '1')$$, 'SF005', 'an empty workflow id');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('donebad-w', null, '1')$$, 'SF005', 'a null attempt');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('donebad-w', 0, '1')$$, 'SF005', 'attempt 0');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('donebad-w', -3, '1')$$, 'SF005', 'a negative attempt');
-- the smallest limit settings allow (rolled back with the test)
select steadfast.set_settings('{"max_payload_bytes": 65536}');
select * from steadfast_test.rejects(
    $$select steadfast.complete_workflow('donebad-w', 1, jsonb_build_object('b', (select string_agg(md5(i::text), '') from generate_series(1, 2200) i)))$$,
    'SF006', 'an output larger than settings.max_payload_bytes');
select is((select status from steadfast.workflows where id = 'donebad-w'), 'running', 'the workflow is still running');

select * from finish();
rollback;
