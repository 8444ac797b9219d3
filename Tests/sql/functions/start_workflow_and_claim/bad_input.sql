-- start_workflow_and_claim: bad arguments are SF005, unknown queue SF001, oversized input
-- SF006; nothing changes.
begin;
select plan(16);

select steadfast_test.queue('swcbad_q');
select steadfast.register_executor('swcbad-a', '{"queues": ["swcbad_q"]}');

select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim(null, 'swcbad-1', 'job')$$, 'SF005', 'a null executor id');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swcbad-a', 'swcbad-1', null)$$, 'SF005', 'a null name');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swcbad-a', '', 'job')$$, 'SF005', 'an empty workflow id');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swcbad-a', 'swcbad-1', 'job', '{}', '{"queue": "swcbad_q", "prio": 1}')$$,
    'SF005', 'an unknown option');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swcbad-a', 'swcbad-1', 'job', '{}', '{"queue": "swcbad_nope"}')$$,
    'SF001', 'an unknown queue');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swcbad-a', 'swcbad-1', 'job', '{}', '{"retry": {"kind": "sometimes"}}')$$,
    'SF005', 'an unknown retry kind');
-- the smallest limit settings allow (rolled back with the test)
select steadfast.set_settings('{"max_payload_bytes": 65536}');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swcbad-a', 'swcbad-1', 'job', jsonb_build_object('b', (select string_agg(md5(i::text), '') from generate_series(1, 2200) i)))$$,
    'SF006', 'an oversized input');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swcbad-a', 'swcbad-1', 'job', '{}', '{"queue": "swcbad_q", "priority": "high"}')$$,
    'SF005', 'a priority that is not an integer');

select * from finish();
rollback;
