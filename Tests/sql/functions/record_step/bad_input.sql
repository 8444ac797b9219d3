-- record_step: bad arguments are SF005, oversized payloads SF006; nothing changes.
begin;
select plan(44);

select steadfast_test.queue('stepbad_q');
select steadfast.register_executor('stepbad-e', '{"queues": ["stepbad_q"]}');
select steadfast.start_workflow('stepbad-w', 'job', '{}', '{"queue": "stepbad_q"}');
select steadfast.claim_workflows('stepbad-e', 1);

select * from steadfast_test.rejects($$select * from steadfast.record_step(null, 1, 's', '1')$$, 'SF005', 'a null workflow id');
select * from steadfast_test.rejects($$select * from steadfast.record_step('', 1, 's', '1')$$, 'SF005', 'an empty workflow id');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, null, '1')$$, 'SF005', 'a null step name');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, '', '1')$$, 'SF005', 'an empty step name');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, repeat('s', 256), '1')$$,
    'SF005', 'a step name longer than 255 characters');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', null, 's', '1')$$, 'SF005', 'a null attempt');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 0, 's', '1')$$, 'SF005', 'attempt 0');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '[]')$$,
    'SF005', 'options that are not an object');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"occurence": 2}')$$,
    'SF005', 'an unknown option (a typo)');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"occurrence": 0}')$$,
    'SF005', 'occurrence 0');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"occurrence": "2"}')$$,
    'SF005', 'an occurrence given as a string');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"occurrence": 1.5}')$$,
    'SF005', 'a fractional occurrence');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', null, '{"error": "boom"}')$$,
    'SF005', 'an error that is not an object');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', null, '{"error": [1]}')$$,
    'SF005', 'an error that is an array');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"error": {"type": "x"}}')$$,
    'SF005', 'an output and an error');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"step_attempts": "3"}')$$,
    'SF005', 'step_attempts given as a string');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"step_attempts": 0}')$$,
    'SF005', 'step_attempts 0 (the contract says ≥ 1)');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"started_at": "a while ago"}')$$,
    'SF005', 'a started_at that is not a timestamp');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"parallel": "yes"}')$$,
    'SF005', 'parallel that is not a boolean');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepbad-w', 1, 's', '1', '{"child_workflow_id": 5}')$$,
    'SF005', 'a child_workflow_id that is not a string');

-- the smallest limit settings allow (rolled back with the test)
select steadfast.set_settings('{"max_payload_bytes": 65536}');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_step('stepbad-w', 1, 's', jsonb_build_object('b', (select string_agg(md5(i::text), '') from generate_series(1, 2200) i)))$$,
    'SF006', 'an output larger than settings.max_payload_bytes');
select * from steadfast_test.rejects(
    $$select * from steadfast.record_step('stepbad-w', 1, 's', null, jsonb_build_object('error', jsonb_build_object('b', (select string_agg(md5(i::text), '') from generate_series(1, 2200) i))))$$,
    'SF006', 'an error larger than settings.max_payload_bytes');

select * from finish();
rollback;
