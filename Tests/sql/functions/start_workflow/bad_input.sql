-- start_workflow: bad arguments are SF005, an unknown queue SF001, an oversized input SF006;
-- none of them changes anything.
begin;
select plan(59);

select steadfast_test.queue('startbad_q');
select steadfast.start_workflow('startbad-existing', 'job', '{}', '{"queue": "startbad_q"}');

select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', null)$$,
    'SF005', 'a null name');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', '')$$,
    'SF005', 'an empty name');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', repeat('n', 256))$$,
    'SF005', 'a name longer than 255 characters');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('', 'job')$$,
    'SF005', 'an empty id');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow(repeat('i', 256), 'job')$$,
    'SF005', 'an id longer than 255 characters');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '[]')$$,
    'SF005', 'options that are not an object');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"delay": 5}')$$,
    'SF005', 'an unknown option');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"queue": "startbad_nope"}')$$,
    'SF001', 'an unknown queue');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"queue": 7}')$$,
    'SF005', 'a queue that is not a string');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"priority": 1.5}')$$,
    'SF005', 'a fractional priority');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"priority": "1"}')$$,
    'SF005', 'a priority given as a string');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"priority": 4294967296}')$$,
    'SF005', 'a priority beyond 32 bits');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"delay_seconds": -1}')$$,
    'SF005', 'a negative delay_seconds');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"delay_seconds": "10"}')$$,
    'SF005', 'delay_seconds given as a string');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"delay_seconds": 1e15}')$$,
    'SF005', 'a delay_seconds beyond any representable time');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"available_at": "soon"}')$$,
    'SF005', 'an available_at that is not a timestamp');
-- A number is seconds since 1970 (sql/10_arguments.sql); negative or past the year 3000 is refused.
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"available_at": -1893456000}')$$,
    'SF005', 'an available_at given as a negative number of seconds');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"delay_seconds": 5, "available_at": "2030-01-01T00:00:00Z"}')$$,
    'SF005', 'both delay_seconds and available_at');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"max_recovery_attempts": 0}')$$,
    'SF005', 'max_recovery_attempts 0');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"app_version": 3}')$$,
    'SF005', 'an app_version that is not a string');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"deadline": "tomorrow-ish"}')$$,
    'SF005', 'a deadline that is not a timestamp');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"retry": "exponential"}')$$,
    'SF005', 'a retry policy that is not an object');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"retry": {"kind": "linear"}}')$$,
    'SF005', 'a retry policy of an unknown kind');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"retry": {"max_attempts": 3}}')$$,
    'SF005', 'a retry policy without a kind');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"retry": {"kind": "fixed", "tries": 3}}')$$,
    'SF005', 'a retry policy with an unknown key');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"retry": {"kind": "fixed", "max_attempts": 0}}')$$,
    'SF005', 'a retry policy with max_attempts 0');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"retry": {"kind": "exponential", "factor": 0.5}}')$$,
    'SF005', 'a retry policy with a factor below 1');
select * from steadfast_test.rejects($$select * from steadfast.start_workflow('startbad-1', 'job', '{}', '{"retry": {"kind": "fixed", "jitter": 1.5}}')$$,
    'SF005', 'a retry policy with a jitter above 1');

-- Payload limit, lowered for the test.
-- the smallest limit settings allow (rolled back with the test)
select steadfast.set_settings('{"max_payload_bytes": 65536}');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('startbad-1', 'job', jsonb_build_object('blob', (select string_agg(md5(i::text), '') from generate_series(1, 2200) i)))$$,
    'SF006', 'an input larger than settings.max_payload_bytes');
select lives_ok($$select * from steadfast.start_workflow('startbad-small', 'job', '{"blob": "x"}')$$,
                'an input within the limit is accepted');

select * from finish();
rollback;
