-- register_executor: bad arguments are SF005 (unknown queue SF001) and change nothing.
begin;
select plan(38);

select steadfast_test.queue('regbad_q');

select * from steadfast_test.rejects($$select * from steadfast.register_executor('')$$,
    'SF005', 'an empty id');
select * from steadfast_test.rejects($$select * from steadfast.register_executor(repeat('x', 256))$$,
    'SF005', 'an id longer than 255 characters');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '[]')$$,
    'SF005', 'options that are not an object');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"lease": 10}')$$,
    'SF005', 'an unknown option');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"lease_seconds": 0}')$$,
    'SF005', 'lease_seconds 0');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"lease_seconds": -5}')$$,
    'SF005', 'a negative lease_seconds');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"lease_seconds": 86401}')$$,
    'SF005', 'lease_seconds above one day');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"lease_seconds": "30"}')$$,
    'SF005', 'lease_seconds as a string');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"queues": []}')$$,
    'SF005', 'an empty queue list');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"queues": "regbad_q"}')$$,
    'SF005', 'queues as a string');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"queues": ["regbad_q", 1]}')$$,
    'SF005', 'queues with a non-string element');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"queues": ["regbad_q", "regbad_nope"]}')$$,
    'SF001', 'an unknown queue');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"metadata": []}')$$,
    'SF005', 'metadata that is not an object');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"pid": "42"}')$$,
    'SF005', 'pid as a string');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"pid": 4.5}')$$,
    'SF005', 'a fractional pid');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"host": 1}')$$,
    'SF005', 'host as a number');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad', '{"app_version": 2}')$$,
    'SF005', 'app_version as a number');

-- An executor that exists: a failed re-registration leaves it as it was.
select lives_ok($$select * from steadfast.register_executor('regbad-live', '{"queues": ["regbad_q"]}')$$,
                'a valid registration');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('regbad-live', '{"queues": ["regbad_nope"]}')$$,
    'SF001', 're-registering with an unknown queue');
select is((select queues from steadfast.executors where id = 'regbad-live'), array['regbad_q'],
          'the existing registration is untouched');

select * from finish();
rollback;
