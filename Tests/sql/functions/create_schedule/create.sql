-- create_schedule: creates a schedule whose first occurrence is the first after now, with
-- its defaults (UTC, queue "default", input {}, enabled, missed_runs latest, a day's
-- catch-up window); an existing name is left unchanged (created = false); the time zone is
-- stored under its canonical name.
begin;
select plan(14);

select steadfast_test.set_now('2026-06-01 10:02:03Z');
select steadfast_test.queue('cs_q');

select results_eq($$select name, created, enabled, next_fire_at from steadfast.create_schedule('cs-a', '*/5 * * * *', 'report')$$,
                  $$values ('cs-a', true, true, '2026-06-01 10:05Z'::timestamptz)$$,
                  'created; the first occurrence is the first after now');
select results_eq($$select cron, time_zone, workflow_name, queue, input, enabled, missed_runs, catch_up_window,
                           last_fired_at, last_error, created_at, updated_at
                    from steadfast.schedules where name = 'cs-a'$$,
                  $$values ('*/5 * * * *', 'UTC', 'report', 'default', '{}'::jsonb, true, 'latest', interval '1 day',
                            null::timestamptz, null::text, '2026-06-01 10:02:03Z'::timestamptz, '2026-06-01 10:02:03Z'::timestamptz)$$,
                  'with the defaults');

select results_eq($$select name, created, enabled, next_fire_at from steadfast.create_schedule('cs-b', '0 30 2 * * *', 'report',
                      '{"time_zone": "america/new_york", "queue": "cs_q", "input": {"region": "us"}, "enabled": false,
                        "missed_runs": "all", "catch_up_window": 3600}')$$,
                  $$values ('cs-b', true, false, '2026-06-02 06:30Z'::timestamptz)$$,
                  'created with every option (seconds first; 02:30 in New York)');
select results_eq($$select time_zone, queue, input, enabled, missed_runs, catch_up_window from steadfast.schedules where name = 'cs-b'$$,
                  $$values ('America/New_York', 'cs_q', '{"region": "us"}'::jsonb, false, 'all', interval '1 hour')$$,
                  'options stored; the time zone under its canonical name');

select steadfast_test.set_now('2026-06-01 11:00Z');
select results_eq($$select name, created, enabled, next_fire_at from steadfast.create_schedule('cs-a', '0 0 * * *', 'other')$$,
                  $$values ('cs-a', false, true, '2026-06-01 10:05Z'::timestamptz)$$,
                  'an existing schedule is returned unchanged');
select is((select cron || ' ' || workflow_name from steadfast.schedules where name = 'cs-a'), '*/5 * * * * report',
          'its settings are kept');
select * from steadfast_test.rejects($$select * from steadfast.create_schedule('cs-a', '0 0 31 feb *', 'other')$$, 'SF005',
                                     'an existing name with a bad expression is still checked');

select results_eq($$select next_fire_at from steadfast.create_schedule('cs-c', '@yearly', 'report', '{"input": null}')$$,
                  $$values ('2027-01-01 00:00Z'::timestamptz)$$, 'a macro; null input means {}');
select is((select input from steadfast.schedules where name = 'cs-c'), '{}'::jsonb, 'input {}');
select is((select cron from steadfast.schedules where name = 'cs-c'), '@yearly', 'the expression is stored as written');

select ok(steadfast.create_schedule('cs-long', '* * * * *', 'report') is not null, 'created in the default queue');
select * from steadfast_test.rejects($$select steadfast.delete_queue('cs_q')$$, 'SF004',
                                     'delete_queue refuses a queue a schedule starts workflows in');

select * from finish();
rollback;
