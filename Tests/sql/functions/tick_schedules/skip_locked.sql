-- A tick never waits for another: a schedule held by a tick in progress (its row locked) is
-- skipped (FOR UPDATE SKIP LOCKED), the others fire; once that tick commits, the schedule has
-- moved on and a later tick does not fire its occurrence again.
-- Commits rows through dblink: named sl; cleaned up at both ends.
create function pg_temp.cleanup() returns void language plpgsql as $$
begin
    perform steadfast_test.remote('sl_setup', $r$
        delete from steadfast.workflows where queue = 'sl_q';
        delete from steadfast.schedules where name like 'sl-%';
        delete from steadfast.queues where name = 'sl_q';
    $r$);
end;
$$;
select pg_temp.cleanup();

begin;
select plan(6);

do $$ begin
    perform steadfast_test.remote_value('sl_setup', $r$select steadfast.create_queue('sl_q')$r$);
    perform steadfast_test.remote_value('sl_setup', $r$
        select count(*) from steadfast.create_schedule('sl-a', '*/5 * * * *', 'job', '{"queue": "sl_q"}') a,
                             steadfast.create_schedule('sl-b', '*/5 * * * *', 'job', '{"queue": "sl_q"}') b$r$);
    -- Both due now: next_fire_at in the past.
    perform steadfast_test.remote('sl_setup', $r$update steadfast.schedules set next_fire_at = date_trunc('minute', now()) - interval '1 minute'
                                                 where name like 'sl-%'$r$);
end $$;

select is(steadfast_test.remote('sl_other', 'begin'), 'BEGIN', 'another session opens a transaction');
select is(steadfast_test.remote_value('sl_other', $r$select name from steadfast.schedules where name = 'sl-a' for update$r$), 'sl-a',
          'and holds schedule sl-a, as a tick in progress would');
set local lock_timeout = '2s';
select is((select started from steadfast.tick_schedules()), 1, 'a tick does not wait: it fires sl-b and skips sl-a');
select is((select string_agg(split_part(id, '@', 1), ',') from steadfast.workflows where queue = 'sl_q'), 'schedule:sl-b',
          'only sl-b''s occurrence started');
select is(steadfast_test.remote('sl_other', 'rollback'), 'ROLLBACK', 'the other session lets go');
select is((select started from steadfast.tick_schedules()), 1, 'the next tick fires sl-a');

select * from finish();
rollback;

select pg_temp.cleanup();
select dblink_disconnect(c) from unnest(dblink_get_connections()) c where c like 'sl\_%';
