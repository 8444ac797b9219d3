-- define_schedule: creates a schedule (enabled), or gives an existing one exactly these
-- settings — an absent option takes its default, so alter_schedule's changes are undone; the
-- same definition again changes nothing (updated_at, next_fire_at, last_fired_at kept); a new
-- expression starts from the next occurrence after now; a paused schedule stays paused;
-- `enabled` is not an option; bad input changes nothing.
begin;
select plan(14);

select steadfast_test.set_now('2026-06-01 10:02Z');
select steadfast_test.queue('ds_q');
select results_eq($$select * from steadfast.define_schedule('ds-a', '*/5 * * * *', 'report', '{"input": {"a": 1}, "queue": "ds_q"}')$$,
                  $$values ('ds-a', true, true, '2026-06-01 10:05Z'::timestamptz)$$, 'a new schedule is created, enabled');
update steadfast.schedules set last_fired_at = '2026-06-01 10:00Z' where name = 'ds-a';

select steadfast_test.set_now('2026-06-01 10:03Z');
select results_eq($$select * from steadfast.define_schedule('ds-a', '*/5 * * * *', 'report', '{"input": {"a": 1}, "queue": "ds_q"}')$$,
                  $$values ('ds-a', false, true, '2026-06-01 10:05Z'::timestamptz)$$, 'the same definition again: not created');
select results_eq($$select updated_at, last_fired_at from steadfast.schedules where name = 'ds-a'$$,
                  $$values ('2026-06-01 10:02Z'::timestamptz, '2026-06-01 10:00Z'::timestamptz)$$,
                  'and nothing written: updated_at and last_fired_at kept');

select steadfast.alter_schedule('ds-a', '{"missed_runs": "all", "catch_up_window": 600}');
select results_eq($$select * from steadfast.define_schedule('ds-a', '*/5 * * * *', 'report2', '{"input": {"a": 1}, "queue": "ds_q"}')$$,
                  $$values ('ds-a', false, true, '2026-06-01 10:05Z'::timestamptz)$$,
                  'a changed workflow: the next occurrence stays');
select results_eq($$select workflow_name, missed_runs, catch_up_window, updated_at, last_fired_at from steadfast.schedules where name = 'ds-a'$$,
                  $$values ('report2', 'latest', interval '1 day', '2026-06-01 10:03Z'::timestamptz, '2026-06-01 10:00Z'::timestamptz)$$,
                  'the definition wins: options it leaves out take their defaults again');

select steadfast.pause_schedule('ds-a');
select steadfast_test.set_now('2026-06-01 10:07Z');
select results_eq($$select * from steadfast.define_schedule('ds-a', '0 * * * *', 'report2', '{"input": {"a": 1}, "queue": "ds_q"}')$$,
                  $$values ('ds-a', false, false, '2026-06-01 11:00Z'::timestamptz)$$,
                  'a new expression starts from the next occurrence after now; a paused schedule stays paused');
select results_eq($$select * from steadfast.define_schedule('ds-a', '0 * * * *', 'report2', '{}')$$,
                  $$values ('ds-a', false, false, '2026-06-01 11:00Z'::timestamptz)$$, 'input and queue back to their defaults');
select results_eq($$select input, queue from steadfast.schedules where name = 'ds-a'$$,
                  $$values ('{}'::jsonb, 'default')$$, 'input {} and queue default');

create temp table before_bad as select * from steadfast.schedules where name = 'ds-a';
select throws_ok($$select steadfast.define_schedule('ds-a', '0 * * * *', 'report2', '{"enabled": false}')$$, 'SF005', null,
                 'enabled is not an option of define_schedule');
select throws_ok($$select steadfast.define_schedule('ds-a', '61 * * * *', 'report2')$$, 'SF005', null,
                 'a bad expression is SF005');
select throws_ok($$select steadfast.define_schedule('ds-a', '0 * * * *', 'report2', '{"queue": "ds_none"}')$$, 'SF001', null,
                 'an unknown queue is SF001');
select throws_ok($$select steadfast.define_schedule('ds-a', '0 * * * *', 'report2', '{"time_zone": "Mars/Base"}')$$, 'SF005', null,
                 'an unknown time zone is SF005');
select results_eq($$select * from steadfast.schedules where name = 'ds-a'$$, $$select * from before_bad$$,
                  'and bad input changed nothing');
select is((select count(*)::integer from steadfast.schedules where name like 'ds-%'), 1, 'one schedule in all');

select * from finish();
rollback;
