-- Schedules and the grant sets: a viewer lists schedules and previews expressions; a worker
-- also ticks and upserts the schedules its code declares; pausing, resuming and deleting
-- stay with the owner (operators), like queue settings.
begin;
select plan(9);

select 'sf_test_sched_w_' || pg_backend_pid() as w, 'sf_test_sched_v_' || pg_backend_pid() as v \gset
create role :"w" nologin;
create role :"v" nologin;
select count(*) from steadfast.grant_worker(:'w');
select count(*) from steadfast.grant_viewer(:'v');
select steadfast_test.set_now('2026-06-01 10:00Z');
select steadfast_test.queue('sr_q');

select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'v', $$select * from steadfast.list_schedules()$$),
                'a viewer lists schedules');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'v', $$select * from steadfast.next_fire_times('@daily')$$),
                'and previews an expression');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'v', $$select * from steadfast.tick_schedules()$$),
                 '42501', null, 'but does not tick');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'w',
    $$select * from steadfast.create_schedule('sr-a', '*/5 * * * *', 'job', '{"queue": "sr_q"}')$$), 'a worker creates a schedule');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'w',
    $$select * from steadfast.alter_schedule('sr-a', '{"input": {"x": 1}}')$$), 'alters it');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'w', $$select * from steadfast.tick_schedules()$$), 'ticks');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'w', $$select * from steadfast.pause_schedule('sr-a')$$),
                 '42501', null, 'but does not pause');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'w', $$select steadfast.delete_schedule('sr-a')$$),
                 '42501', null, 'nor delete');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'w', $$select * from steadfast.schedules$$),
                 '42501', null, 'nor read the table');

select * from finish();
rollback;
