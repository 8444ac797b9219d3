-- tick_schedules starts each due occurrence once, with the id schedule:<name>@<UTC time>
-- and the schedule's input plus "scheduled_at", and moves next_fire_at past it. After a gap,
-- `latest` starts only the most recent due occurrence and `all` every one of the catch-up
-- window, oldest first, at most `limit` per call (more = true: call again). An occurrence
-- whose id exists is not started again; a schedule that cannot fire is skipped with its
-- reason in last_error, and the others still fire.
begin;
select plan(31);

select steadfast_test.set_now('2026-06-01 09:59:59Z');
select steadfast_test.queue('tk_q');
select steadfast.create_schedule('tk-latest', '*/5 * * * *', 'report', '{"queue": "tk_q", "input": {"region": "eu"}}');
select steadfast.create_schedule('tk-all', '*/5 * * * *', 'report', '{"queue": "tk_q", "missed_runs": "all"}');
select steadfast.create_schedule('tk-window', '*/5 * * * *', 'report', '{"queue": "tk_q", "missed_runs": "all", "catch_up_window": 3600}');
create temp view tk as select * from steadfast.schedules where name like 'tk-%';

-- 1. Nothing due: nothing happens; the answer says when to tick next.
select results_eq($$select started, more, next_due_at, checked_at from steadfast.tick_schedules()$$,
                  $$values (0, false, '2026-06-01 10:00Z'::timestamptz, '2026-06-01 09:59:59Z'::timestamptz)$$,
                  'nothing due: nothing started; next due at 10:00');

-- 2. Due: one workflow per schedule, its id derived from the name and the scheduled time.
select steadfast_test.set_now('2026-06-01 10:00:00.4Z');
select is((select started from steadfast.tick_schedules()), 3, 'three schedules due: three workflows started');
select results_eq($$select id, name, status, queue, input from steadfast.workflows where id = 'schedule:tk-latest@2026-06-01T10:00:00Z'$$,
                  $$values ('schedule:tk-latest@2026-06-01T10:00:00Z', 'report', 'enqueued', 'tk_q',
                            '{"region": "eu", "scheduled_at": "2026-06-01T10:00:00Z"}'::jsonb)$$,
                  'the workflow: its name, queue, and the schedule''s input with scheduled_at');
select results_eq($$select next_fire_at, last_fired_at, last_error from tk where name = 'tk-latest'$$,
                  $$values ('2026-06-01 10:05Z'::timestamptz, '2026-06-01 10:00Z'::timestamptz, null::text)$$,
                  'next_fire_at moved past it; last_fired_at is its scheduled time');
select is((select started from steadfast.tick_schedules()), 0, 'ticking again starts nothing');
select is((select count(*)::int from steadfast.workflows where queue = 'tk_q'), 3, 'still three workflows');

-- 3. A gap of three hours: latest starts one, all every occurrence, all with a window those in the last hour.
select steadfast_test.set_now('2026-06-01 13:02Z');
select results_eq($$select started, more from steadfast.tick_schedules()$$, $$values (1 + 36 + 12, false)$$,
                  'after a 3-hour gap: 1 (latest) + 36 (all) + 12 (all within an hour)');
select results_eq($$select array_agg(input ->> 'scheduled_at' order by id) from steadfast.workflows
                    where id like 'schedule:tk-latest@%' and id > 'schedule:tk-latest@2026-06-01T10:00:00Z'$$,
                  $$values (array['2026-06-01T13:00:00Z'])$$, 'latest: only the most recent due occurrence');
select results_eq($$select array_agg((input ->> 'scheduled_at')::timestamptz order by id) from steadfast.workflows
                    where id like 'schedule:tk-all@%'$$,
                  $$select array_agg(t) from generate_series('2026-06-01 10:00Z'::timestamptz, '2026-06-01 13:00Z', interval '5 minutes') t$$,
                  'all: every occurrence from 10:00 to 13:00, none missed, none twice');
select results_eq($$select min(input ->> 'scheduled_at'), max(input ->> 'scheduled_at'), count(*)::int from steadfast.workflows
                    where id like 'schedule:tk-window@%' and id > 'schedule:tk-window@2026-06-01T10:00:00Z'$$,
                  $$values ('2026-06-01T12:05:00Z', '2026-06-01T13:00:00Z', 12)$$,
                  'all with a one-hour window: the occurrences of the last hour (12:02 to 13:02)');
select results_eq($$select name, next_fire_at, last_fired_at from tk order by name$$,
                  $$values ('tk-all', '2026-06-01 13:05Z'::timestamptz, '2026-06-01 13:00Z'::timestamptz),
                           ('tk-latest', '2026-06-01 13:05Z', '2026-06-01 13:00Z'),
                           ('tk-window', '2026-06-01 13:05Z', '2026-06-01 13:00Z')$$,
                  'each moved past now');

-- 4. The limit: at most `limit` workflows per call; more = true; the next calls continue.
select steadfast.pause_schedule('tk-latest');
select steadfast.pause_schedule('tk-window');
select steadfast_test.set_now('2026-06-01 14:00:30Z');
select results_eq($$select started, more from steadfast.tick_schedules('{"limit": 5}')$$, $$values (5, true)$$,
                  'limit 5 of 12 due: 5 started, more');
select is((select next_fire_at from tk where name = 'tk-all'), '2026-06-01 13:30Z'::timestamptz,
          'next_fire_at is the first occurrence not yet started');
select results_eq($$select started, more from steadfast.tick_schedules('{"limit": 5}')$$, $$values (5, true)$$, 'five more');
select results_eq($$select started, more from steadfast.tick_schedules('{"limit": 5}')$$, $$values (2, false)$$, 'the last two');
select is((select count(*)::int from steadfast.workflows where id like 'schedule:tk-all@%'), 37 + 12, 'every one of them, once');

-- 5. An occurrence whose id is taken is not started again, even by a workflow of another name.
-- (Only the owner can take it, by hand: the starters refuse ids in the schedule: namespace.)
insert into steadfast.workflows (id, name, status, queue, input, attempt, recovery_attempts, max_recovery_attempts,
                                 retry_count, available_at, created_at, updated_at)
values ('schedule:tk-all@2026-06-01T14:05:00Z', 'someone-else', 'enqueued', 'tk_q', '{}', 0, 0, 10, 0,
        steadfast.now(), steadfast.now(), steadfast.now());
select steadfast_test.set_now('2026-06-01 14:05:01Z');
select results_eq($$select started, more from steadfast.tick_schedules()$$, $$values (0, false)$$,
                  'the existing workflow stands for the occurrence: nothing started, no error');
select results_eq($$select name, next_fire_at, last_fired_at from tk where name = 'tk-all'$$,
                  $$values ('tk-all', '2026-06-01 14:10Z'::timestamptz, '2026-06-01 14:05Z'::timestamptz)$$,
                  'and the schedule moved on');

-- 6. A schedule that cannot fire does not stop the others.
select steadfast.resume_schedule('tk-window');
select steadfast.alter_schedule('tk-window', pg_catalog.jsonb_build_object('input', pg_catalog.jsonb_build_object('pad', (select string_agg(md5(i::text), '') from generate_series(1, 2200) i))));
-- the smallest limit settings allow (rolled back with the test)
select steadfast.set_settings('{"max_payload_bytes": 65536}');
select steadfast_test.set_now('2026-06-01 14:10:01Z');
set local client_min_messages = error;
select results_eq($$select started from steadfast.tick_schedules()$$, $$values (1)$$,
                  'one schedule''s input outgrew the payload limit: the other still fired');
reset client_min_messages;
select results_eq($$select next_fire_at, last_error ~ 'payload|larger|bytes' from tk where name = 'tk-window'$$,
                  $$values ('2026-06-01 14:15Z'::timestamptz, true)$$,
                  'the failing one moved past now, with its reason in last_error');
select is((select last_error from steadfast.schedule_overview where name = 'tk-window') is not null, true, 'the view shows it');
select steadfast.set_settings('{"max_payload_bytes": 4194304}');
select steadfast_test.set_now('2026-06-01 14:15:01Z');
select is((select started from steadfast.tick_schedules()), 2, 'once the limit is back, both fire');
select is((select last_error from tk where name = 'tk-window'), null, 'and the error is cleared');

-- 7. Options.
select * from steadfast_test.rejects($$select * from steadfast.tick_schedules('{"limit": 0}')$$, 'SF005', 'limit 0');
select * from steadfast_test.rejects($$select * from steadfast.tick_schedules('{"limit": 10001}')$$, 'SF005', 'limit over 10000');
select * from steadfast_test.rejects($$select * from steadfast.tick_schedules('{"batch": 5}')$$, 'SF005', 'an unknown option');

-- 8. The scheduled time survives DST: a New York schedule at 02:30 on the spring-forward day.
select steadfast_test.set_now('2026-03-07 12:00Z');
select steadfast.create_schedule('tk-ny', '30 2 * * *', 'report', '{"queue": "tk_q", "time_zone": "America/New_York"}');
select steadfast_test.set_now('2026-03-08 07:30:01Z');
select is((select started from steadfast.tick_schedules()), 1, 'fires at 03:30 EDT on the day 02:30 does not exist');
select is((select input ->> 'scheduled_at' from steadfast.workflows where id like 'schedule:tk-ny@%'), '2026-03-08T07:30:00Z',
          'scheduled_at is the instant, in UTC');

select * from finish();
rollback;
