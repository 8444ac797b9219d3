-- create_schedule refuses bad arguments and changes nothing: SF005 for a bad name,
-- expression, workflow name, time zone, input, policy, window or option; SF001 for an
-- unknown queue; SF006 for an input over the payload limit.
begin;
select plan(40);

select steadfast_test.set_now('2026-06-01 10:00Z');

select * from steadfast_test.rejects($$select * from steadfast.create_schedule(null, '* * * * *', 'w')$$, 'SF005', 'no name');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('', '* * * * *', 'w')$$, 'SF005', 'an empty name');
select * from steadfast_test.rejects(pg_catalog.format('select * from steadfast.create_schedule(%L, %L, %L)', repeat('n', 201), '* * * * *', 'w'),
                                     'SF005', 'a name over 200 characters');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', null, 'w')$$, 'SF005', 'no expression');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * *', 'w')$$, 'SF005', 'three fields');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '0 25 * * *', 'w')$$, 'SF005', 'hour 25');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '*/0 * * * *', 'w')$$, 'SF005', 'a step of 0');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '0 0 * smarch *', 'w')$$, 'SF005', 'an unknown month');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', null)$$, 'SF005', 'no workflow name');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', '')$$, 'SF005', 'an empty workflow name');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', 'w', '{"time_zone": "Atlantis/Capital"}')$$,
                                     'SF005', 'an unknown time zone');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', 'w', '{"time_zone": 5}')$$,
                                     'SF005', 'a time zone that is not a string');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', 'w', '{"queue": "cb-nowhere"}')$$,
                                     'SF001', 'an unknown queue');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', 'w', '{"input": [1, 2]}')$$,
                                     'SF005', 'an input that is not an object');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', 'w', '{"missed_runs": "some"}')$$,
                                     'SF005', 'an unknown missed_runs policy');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', 'w', '{"catch_up_window": 0}')$$,
                                     'SF005', 'a catch-up window of 0');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', 'w', '{"catch_up_window": 2678401}')$$,
                                     'SF005', 'a catch-up window over 31 days');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', 'w', '{"enabled": "yes"}')$$,
                                     'SF005', 'enabled that is not a boolean');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cb', '* * * * *', 'w', '{"cron": "* * * * *"}')$$,
                                     'SF005', 'an unknown option (cron is an argument)');
-- the smallest limit settings allow (rolled back with the test)
select steadfast.set_settings('{"max_payload_bytes": 65536}');
select * from steadfast_test.rejects(pg_catalog.format('select * from steadfast.create_schedule(%L, %L, %L, %L)', 'cb', '* * * * *', 'w',
                                                       jsonb_build_object('input', jsonb_build_object('big', (select string_agg(md5(i::text), '') from generate_series(1, 2200) i)))),
                                     'SF006', 'an input over the payload limit');

select * from finish();
rollback;
