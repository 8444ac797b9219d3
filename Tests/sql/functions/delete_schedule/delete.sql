-- delete_schedule deletes the schedule and leaves the workflows it started; an unknown
-- schedule is SF001, no name SF005, and neither changes anything.
begin;
select plan(7);

select steadfast_test.set_now('2026-06-01 10:02Z');
select steadfast_test.queue('ds_q');
select steadfast.create_schedule('ds-a', '*/5 * * * *', 'job', '{"queue": "ds_q"}');
select steadfast_test.set_now('2026-06-01 10:05:01Z');
select steadfast.tick_schedules();

select lives_ok($$select steadfast.delete_schedule('ds-a')$$, 'deleted');
select is((select count(*)::int from steadfast.schedules where name = 'ds-a'), 0, 'the row is gone');
select is((select status from steadfast.workflows where id = 'schedule:ds-a@2026-06-01T10:05:00Z'), 'enqueued',
          'the workflow it started stays');
select * from steadfast_test.rejects($$select steadfast.delete_schedule('ds-a')$$, 'SF001', 'deleting it again');
select * from steadfast_test.rejects($$select steadfast.delete_schedule('')$$, 'SF005', 'an empty name');

select * from finish();
rollback;
