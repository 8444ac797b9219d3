-- The acceptance test of decentralized schedules: five sessions (dblink; each a worker)
-- call tick_schedules in a loop, concurrently, with random pauses, while this session moves
-- the database-wide fake clock through a simulated day, minute by minute. Three `*/5 * * * *`
-- schedules — missed_runs latest, all, and all within an hour — must each start every one
-- of the day's 288 occurrences exactly once. Then the workers stop for three hours (an
-- outage) and start again: latest starts only the most recent missed occurrence, all every
-- one of the 37, all-within-an-hour the 12 of the last hour.
--
-- What runs concurrently: the five sessions' ticks (each its own transaction, committed).
-- The clock only moves forward once the workers have fired what is due, as it would in real
-- time, where occurrences are five minutes apart and workers tick every second or so.
-- Commits through dblink: rows are named cday; cleaned up at both ends.
create function pg_temp.cleanup() returns void language plpgsql as $$
begin
    perform steadfast_test.remote('cday_setup', $r$
        drop table if exists steadfast_test.cday_control, steadfast_test.cday_ticks;
        delete from steadfast.workflows where queue = 'cday_q';
        delete from steadfast.schedules where name like 'cday-%';
        delete from steadfast.queues where name = 'cday_q';
    $r$);
    perform steadfast_test.remote_value('cday_setup', 'select steadfast.set_fake_now(null)');
end;
$$;
select pg_temp.cleanup();

begin;
select plan(12);

do $$ begin
    perform steadfast_test.remote('cday_setup', $r$
        create table steadfast_test.cday_control (stop boolean not null);
        insert into steadfast_test.cday_control values (false);
        create table steadfast_test.cday_ticks (session integer not null, started integer not null, checked_at timestamptz not null);
    $r$);
    perform steadfast_test.remote_value('cday_setup', $r$select steadfast.set_fake_now('2026-05-31 23:59:59Z')$r$);
    perform steadfast_test.remote_value('cday_setup', $r$select steadfast.create_queue('cday_q')$r$);
    perform steadfast_test.remote_value('cday_setup', $r$
        select count(*) from (values ('cday-latest', '{"queue": "cday_q"}'),
                                     ('cday-all', '{"queue": "cday_q", "missed_runs": "all"}'),
                                     ('cday-window', '{"queue": "cday_q", "missed_runs": "all", "catch_up_window": 3600}')) v (name, options),
            steadfast.create_schedule(v.name, '*/5 * * * *', 'report', v.options::jsonb)
    $r$);
end $$;

-- start_workers() / stop_workers(): five sessions ticking in a loop until told to stop, each
-- tick its own transaction; every tick that started workflows is logged in cday_ticks.
create function pg_temp.start_workers() returns void language plpgsql as $f$
begin
    perform steadfast_test.remote('cday_setup', 'update steadfast_test.cday_control set stop = false');
    for i in 1..5 loop
        perform steadfast_test.remote_value('cday_w' || i, 'select 1');
        perform dblink_send_query('cday_w' || i, pg_catalog.format($w$
            do $tick$
            declare
                r record;
            begin
                loop
                    exit when (select c.stop from steadfast_test.cday_control c);
                    select * into r from steadfast.tick_schedules();
                    if r.started > 0 then
                        insert into steadfast_test.cday_ticks values (%s, r.started, r.checked_at);
                    end if;
                    commit;
                    perform pg_sleep(0.002 + random() * 0.004);
                end loop;
            end $tick$;$w$, i));
    end loop;
end;
$f$;
create function pg_temp.stop_workers() returns void language plpgsql as $$
begin
    perform steadfast_test.remote('cday_setup', 'update steadfast_test.cday_control set stop = true');
    for i in 1..5 loop
        perform * from dblink_get_result('cday_w' || i) as t(status text);
        perform * from dblink_get_result('cday_w' || i) as t(status text);
    end loop;
end;
$$;
-- caught_up(t) → true once no cday schedule has an occurrence due at t left (10 s at most).
create function pg_temp.caught_up(p_now timestamptz) returns boolean language sql as $$
    select steadfast_test.wait_for(pg_catalog.format(
        $q$select not exists (select 1 from steadfast.schedules where name like 'cday-%%' and next_fire_at <= %L)$q$, p_now), 10)
$$;

create temp table late (at timestamptz);
select pg_temp.start_workers();

-- The day: the clock moves minute by minute (at a random second of each); after each
-- occurrence falls due, the clock waits until the workers fired it.
do $$
declare
    v_now timestamptz;
begin
    for i in 0..1439 loop
        v_now := '2026-06-01 00:00Z'::timestamptz + i * interval '1 minute' + (1 + pg_catalog.random() * 50) * interval '1 second';
        perform steadfast_test.remote_value('cday_clock', pg_catalog.format('select steadfast.set_fake_now(%L)', v_now));
        if i % 5 = 0 and not pg_temp.caught_up(v_now) then
            insert into late values (v_now);
        end if;
    end loop;
end $$;
select is_empty('select * from late', 'the workers fired every occurrence within 10 s of it falling due');

select results_eq(
    $$select s.name, count(w.id)::int from steadfast.schedules s
      left join steadfast.workflows w on w.queue = 'cday_q' and w.id like 'schedule:' || s.name || '@%'
      where s.name like 'cday-%' group by 1 order by 1$$,
    $$values ('cday-all', 288), ('cday-latest', 288), ('cday-window', 288)$$,
    'each schedule started 288 workflows during the day');
select is_empty(
    $$select s.name, t from steadfast.schedules s,
             generate_series('2026-06-01 00:00Z'::timestamptz, '2026-06-01 23:55Z', interval '5 minutes') t
      where s.name like 'cday-%'
        and not exists (select 1 from steadfast.workflows w where w.id = steadfast._schedule_workflow_id(s.name, t))$$,
    'none of the day''s occurrences is missing');
select is((select sum(started)::int from steadfast_test.cday_ticks), 3 * 288,
          'the ticks reported 864 starts: each workflow was created by exactly one tick');
select cmp_ok((select count(distinct session)::int from steadfast_test.cday_ticks), '>', 1,
              'more than one of the five sessions fired occurrences');
select diag('workflows started by each session during the day: ' ||
            (select string_agg(pg_catalog.format('w%s %s', session, n), ', ' order by session)
             from (select session, sum(started) n from steadfast_test.cday_ticks group by 1) t));

-- The outage: no worker ticks from just before midnight to 03:00:30 the next day.
select pg_temp.stop_workers();
select steadfast_test.remote('cday_setup', 'delete from steadfast_test.cday_ticks');
select steadfast_test.remote_value('cday_clock', $r$select steadfast.set_fake_now('2026-06-02 03:00:30Z')$r$);
select pg_temp.start_workers();
select ok(pg_temp.caught_up('2026-06-02 03:00:30Z'), 'after the outage the workers catch up');

select results_eq(
    $$select array_agg((w.input ->> 'scheduled_at')::timestamptz order by w.id) from steadfast.workflows w
      where w.id like 'schedule:cday-latest@%' and w.id > 'schedule:cday-latest@2026-06-01T23:55:00Z'$$,
    $$values (array['2026-06-02 03:00Z'::timestamptz])$$,
    'latest: only the most recent missed occurrence ran');
select results_eq(
    $$select array_agg((w.input ->> 'scheduled_at')::timestamptz order by w.id) from steadfast.workflows w
      where w.id like 'schedule:cday-all@%' and w.id > 'schedule:cday-all@2026-06-01T23:55:00Z'$$,
    $$select array_agg(t) from generate_series('2026-06-02 00:00Z'::timestamptz, '2026-06-02 03:00Z', interval '5 minutes') t$$,
    'all: each of the 37 missed occurrences ran, once');
select results_eq(
    $$select array_agg((w.input ->> 'scheduled_at')::timestamptz order by w.id) from steadfast.workflows w
      where w.id like 'schedule:cday-window@%' and w.id > 'schedule:cday-window@2026-06-01T23:55:00Z'$$,
    $$select array_agg(t) from generate_series('2026-06-02 02:05Z'::timestamptz, '2026-06-02 03:00Z', interval '5 minutes') t$$,
    'all within an hour: the 12 occurrences of the last hour ran');
select is((select sum(started)::int from steadfast_test.cday_ticks), 1 + 37 + 12, 'the ticks reported 50 starts');
select results_eq($$select name, next_fire_at from steadfast.schedules where name like 'cday-%' order by name$$,
                  $$values ('cday-all', '2026-06-02 03:05Z'::timestamptz), ('cday-latest', '2026-06-02 03:05Z'),
                           ('cday-window', '2026-06-02 03:05Z')$$,
                  'all three wait for 03:05');
select pg_temp.stop_workers();
select is((select count(*)::int from steadfast.workflows where queue = 'cday_q'), 289 + 325 + 300, 'in all, 914 workflows');

select * from finish();
rollback;

select pg_temp.cleanup();
select dblink_disconnect(c) from unnest(dblink_get_connections()) c where c like 'cday\_%';
