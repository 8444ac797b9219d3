-- alter_schedule changes only the settings named; a new expression or time zone moves
-- next_fire_at to the first occurrence after now, other changes keep it; the same settings
-- again change nothing, updated_at included (declaring a schedule at every deploy is free);
-- bad arguments are refused and change nothing.
begin;
select plan(22);

select steadfast_test.set_now('2026-06-01 10:02Z');
select steadfast_test.queue('as_q');
select steadfast.create_schedule('as-a', '*/5 * * * *', 'report', '{"input": {"a": 1}}');

select steadfast_test.set_now('2026-06-01 10:03Z');
select results_eq($$select * from steadfast.alter_schedule('as-a', '{"input": {"a": 2}, "queue": "as_q", "missed_runs": "all",
                                                                   "catch_up_window": 600, "workflow_name": "report2"}')$$,
                  $$values ('as-a', true, '2026-06-01 10:05Z'::timestamptz)$$,
                  'input, queue, policy, window and workflow changed: the next occurrence stays');
select results_eq($$select input, queue, missed_runs, catch_up_window, workflow_name, cron, updated_at from steadfast.schedules where name = 'as-a'$$,
                  $$values ('{"a": 2}'::jsonb, 'as_q', 'all', interval '10 minutes', 'report2', '*/5 * * * *', '2026-06-01 10:03Z'::timestamptz)$$,
                  'the named settings changed, the others not');

select steadfast_test.set_now('2026-06-01 10:04Z');
select results_eq($$select * from steadfast.alter_schedule('as-a', '{"input": {"a": 2}, "queue": "as_q", "cron": "*/5 * * * *"}')$$,
                  $$values ('as-a', true, '2026-06-01 10:05Z'::timestamptz)$$, 'the same settings again');
select is((select updated_at from steadfast.schedules where name = 'as-a'), '2026-06-01 10:03Z'::timestamptz,
          'change nothing, not even updated_at');

select results_eq($$select * from steadfast.alter_schedule('as-a', '{"cron": "0 * * * *"}')$$,
                  $$values ('as-a', true, '2026-06-01 11:00Z'::timestamptz)$$, 'a new expression: the first occurrence after now');
select results_eq($$select * from steadfast.alter_schedule('as-a', '{"time_zone": "Asia/Kolkata"}')$$,
                  $$values ('as-a', true, '2026-06-01 10:30Z'::timestamptz)$$,
                  'a new time zone: the next whole hour there (UTC+05:30)');
select is((select updated_at from steadfast.schedules where name = 'as-a'), '2026-06-01 10:04Z'::timestamptz, 'updated_at moved');

-- Paused: the next occurrence is computed on resume; altering keeps the schedule paused.
select steadfast.pause_schedule('as-a');
select results_eq($$select * from steadfast.alter_schedule('as-a', '{"cron": "0 0 * * *"}')$$,
                  $$values ('as-a', false, '2026-06-01 18:30Z'::timestamptz)$$, 'altering a paused schedule leaves it paused');

select * from steadfast_test.rejects($$select * from steadfast.alter_schedule('as-nope', '{"cron": "* * * * *"}')$$, 'SF001', 'an unknown schedule');
select * from steadfast_test.rejects($$select * from steadfast.alter_schedule('as-a', '{"cron": "* * * * * * *"}')$$, 'SF005', 'a bad expression');
select * from steadfast_test.rejects($$select * from steadfast.alter_schedule('as-a', '{"queue": "as-nowhere"}')$$, 'SF001', 'an unknown queue');
select * from steadfast_test.rejects($$select * from steadfast.alter_schedule('as-a', '{"enabled": true}')$$, 'SF005',
                                     'enabled is not an alter option (pause and resume are)');
select * from steadfast_test.rejects($$select * from steadfast.alter_schedule('as-a', null)$$, 'SF005', 'no options');
select * from steadfast_test.rejects($$select * from steadfast.alter_schedule('as-a', '{"time_zone": "Nowhere/Special"}')$$, 'SF005', 'a bad time zone');
select * from steadfast_test.rejects($$select * from steadfast.alter_schedule('as-a', '{"input": "text"}')$$, 'SF005', 'an input that is not an object');

select * from finish();
rollback;
