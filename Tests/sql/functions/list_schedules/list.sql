-- list_schedules and the view schedule_overview: each schedule with its next occurrence (as
-- an instant and as the zone's wall time; null while paused), the last occurrence fired
-- with its workflow's id and status, and its settings.
begin;
select plan(7);

select steadfast_test.set_now('2026-06-01 10:02Z');
select steadfast_test.queue('ls_q');
select steadfast.create_schedule('ls-a', '*/5 * * * *', 'job', '{"queue": "ls_q", "time_zone": "Europe/Berlin", "input": {"k": 1}}');
select steadfast.create_schedule('ls-b', '0 3 * * *', 'job', '{"queue": "ls_q", "missed_runs": "all", "catch_up_window": 7200}');
select steadfast.pause_schedule('ls-b');
select steadfast_test.set_now('2026-06-01 10:05:01Z');
select steadfast.tick_schedules();

select results_eq(
    $$select name, enabled, cron, time_zone, workflow_name, queue, next_fire_at, next_fire_local, last_fired_at,
             last_workflow_id, last_status, missed_runs, catch_up_window, input, last_error
      from steadfast.list_schedules() where name like 'ls-%'$$,
    $$values ('ls-a', true, '*/5 * * * *', 'Europe/Berlin', 'job', 'ls_q', '2026-06-01 10:10Z'::timestamptz,
              '2026-06-01 12:10'::timestamp, '2026-06-01 10:05Z'::timestamptz, 'schedule:ls-a@2026-06-01T10:05:00Z',
              'enqueued', 'latest', 86400::double precision, '{"k": 1}'::jsonb, null::text),
             ('ls-b', false, '0 3 * * *', 'UTC', 'job', 'ls_q', null, null, null, null, null, 'all', 7200, '{}', null)$$,
    'list_schedules: settings, next and last occurrence, by name');
select results_eq($$select name from steadfast.list_schedules('{"name": "ls-b"}')$$, $$values ('ls-b')$$, 'one by name');
select is_empty($$select * from steadfast.list_schedules('{"name": "ls-none"}')$$, 'an unknown name lists nothing');
select results_eq($$select last_fired_local, catch_up_window from steadfast.schedule_overview where name = 'ls-a'$$,
                  $$values ('2026-06-01 12:05'::timestamp, interval '1 day')$$, 'the view: last occurrence in local time, the window as an interval');
select isnt(obj_description('steadfast.schedule_overview'::regclass, 'pg_class'), null, 'the view is commented');
select * from steadfast_test.rejects($$select * from steadfast.list_schedules('{"enabled": true}')$$, 'SF005', 'an unknown option');

select * from finish();
rollback;
