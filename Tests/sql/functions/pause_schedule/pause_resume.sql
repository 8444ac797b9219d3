-- pause_schedule stops a schedule from firing; resume_schedule lets it fire again from its
-- first occurrence after now (the occurrences of the pause are skipped, whatever the
-- missed-run policy). Both are idempotent and refuse unknown schedules.
begin;
select plan(14);

select steadfast_test.set_now('2026-06-01 10:02Z');
select steadfast_test.queue('pr_q');
select steadfast.create_schedule('pr-a', '*/5 * * * *', 'job', '{"queue": "pr_q", "missed_runs": "all"}');

select results_eq($$select * from steadfast.pause_schedule('pr-a')$$, $$values ('pr-a', false, '2026-06-01 10:05Z'::timestamptz)$$, 'paused');
select results_eq($$select * from steadfast.pause_schedule('pr-a')$$, $$values ('pr-a', false, '2026-06-01 10:05Z'::timestamptz)$$,
                  'pausing again changes nothing');
select is((select next_fire_at from steadfast.schedule_overview where name = 'pr-a'), null, 'a paused schedule shows no next occurrence');

select steadfast_test.set_now('2026-06-01 11:01Z');
select is((select started from steadfast.tick_schedules()), 0, 'a tick fires nothing while it is paused');
select is((select count(*)::int from steadfast.workflows where queue = 'pr_q'), 0, 'no workflow');

select results_eq($$select * from steadfast.resume_schedule('pr-a')$$, $$values ('pr-a', true, '2026-06-01 11:05Z'::timestamptz)$$,
                  'resumed from the first occurrence after now');
select results_eq($$select * from steadfast.resume_schedule('pr-a')$$, $$values ('pr-a', true, '2026-06-01 11:05Z'::timestamptz)$$,
                  'resuming again changes nothing');
select steadfast_test.set_now('2026-06-01 11:05:01Z');
select is((select started from steadfast.tick_schedules()), 1, 'the first tick after resuming starts one: the paused hour is skipped');

select * from steadfast_test.rejects($$select * from steadfast.pause_schedule('pr-nope')$$, 'SF001', 'pausing an unknown schedule');
select * from steadfast_test.rejects($$select * from steadfast.resume_schedule('pr-nope')$$, 'SF001', 'resuming an unknown schedule');
select * from steadfast_test.rejects($$select * from steadfast.pause_schedule(null)$$, 'SF005', 'no name');

select * from finish();
rollback;
