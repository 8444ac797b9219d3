-- fail_workflow: bad arguments are SF005, an oversized error SF006; nothing changes.
begin;
select plan(32);

select steadfast_test.queue('failbad_q');
select steadfast.register_executor('failbad-e', '{"queues": ["failbad_q"]}');
select steadfast.start_workflow('failbad-w', 'job', '{}', '{"queue": "failbad_q"}');
select steadfast.claim_workflows('failbad-e', 1);

select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, '"boom"')$$,
    'SF005', 'an error that is a string, not an object');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, '[{"type": "x"}]')$$,
    'SF005', 'an error that is an array');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, 'null')$$,
    'SF005', 'a JSON null error');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, null)$$,
    'SF005', 'a SQL null error');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow(null, 1, '{"type": "x"}')$$,
    'SF005', 'a null workflow id');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', null, '{"type": "x"}')$$,
    'SF005', 'a null attempt');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 0, '{"type": "x"}')$$,
    'SF005', 'attempt 0');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, '{"type": "x"}', '"retry"')$$,
    'SF005', 'options that are not an object');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, '{"type": "x"}', '{"retriable": false}')$$,
    'SF005', 'an unknown option (a typo)');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, '{"type": "x"}', '{"retryable": "no"}')$$,
    'SF005', 'retryable that is not a boolean');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, '{"type": "x"}', '{"retry": "fixed"}')$$,
    'SF005', 'a retry policy that is not an object');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, '{"type": "x"}', '{"retry": {"kind": "fixed", "max_attempts": 0}}')$$,
    'SF005', 'a retry policy with max_attempts 0');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, '{"type": "x"}', '{"retry": {"kind": "fixed", "base_delay": -1}}')$$,
    'SF005', 'a retry policy with a negative delay');
select * from steadfast_test.rejects($$select * from steadfast.fail_workflow('failbad-w', 1, '{"type": "x"}', '{"retry": {"kind": "fixed", "base_delay": "1"}}')$$,
    'SF005', 'a retry policy with a delay given as a string');
-- the smallest limit settings allow (rolled back with the test)
select steadfast.set_settings('{"max_payload_bytes": 65536}');
select * from steadfast_test.rejects(
    $$select * from steadfast.fail_workflow('failbad-w', 1, jsonb_build_object('message', (select string_agg(md5(i::text), '') from generate_series(1, 2200) i)))$$,
    'SF006', 'an error larger than settings.max_payload_bytes');
select steadfast.set_settings('{"max_payload_bytes": 4194304}');
select results_eq($$select status, executor_id from steadfast.workflows where id = 'failbad-w'$$,
                  $$values ('running', 'failbad-e')$$, 'the workflow is still running');
select is((select status from steadfast.fail_workflow('failbad-w', 1, '{"type": "x"}')), 'failed',
          'and the same call with good arguments works');

select * from finish();
rollback;
