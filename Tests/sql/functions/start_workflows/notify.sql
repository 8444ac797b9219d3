-- start_workflows notifies steadfast_enqueued once per queue that received claimable work, in
-- the order of the elements, on either path (set-based, or element by element when a dedup key
-- is given): not for a queue whose workflows are all delayed, not for workflows that existed.
--
-- Notifications are delivered on commit: the batches are committed through dblink and heard by
-- another session. Queues and ids are prefixed swn; cleaned up at both ends.
delete from steadfast.workflows where queue like 'swn\_%';
delete from steadfast.queues where name like 'swn\_%';

begin;
select plan(4);

select steadfast_test.remote_value('swn_setup',
    $$select count(*) from unnest(array['swn_a', 'swn_b', 'swn_c']) q, steadfast.create_queue(q)$$);
select steadfast_test.remote('swn_listen', 'listen steadfast_enqueued');

-- heard(batch, options) → the payloads the listener hears after the batch is committed, in
-- order; a marker notified afterwards bounds the wait.
create function pg_temp.heard(p_batch text, p_options text) returns text[] language plpgsql as $$
declare
    v_heard text[] := '{}';
    v_deadline timestamptz := clock_timestamp() + interval '10 seconds';
    r record;
begin
    perform steadfast_test.remote_value('swn_start',
        format('select count(*) from steadfast.start_workflows(%L, %L)', p_batch, p_options));
    perform steadfast_test.remote('swn_start', $r$notify steadfast_enqueued, 'swn-marker'$r$);
    loop
        for r in select * from dblink_get_notify('swn_listen') loop
            v_heard := v_heard || r.extra;
        end loop;
        exit when 'swn-marker' = any (v_heard) or clock_timestamp() > v_deadline;
        perform pg_sleep(0.01);
    end loop;
    return v_heard;
end;
$$;

select is(pg_temp.heard($$[{"workflow_id": "swn-1", "name": "job", "options": {"queue": "swn_b"}},
                           {"workflow_id": "swn-2", "name": "job"},
                           {"workflow_id": "swn-3", "name": "job", "options": {"queue": "swn_c", "delay_seconds": 3600}},
                           {"workflow_id": "swn-4", "name": "job", "options": {"queue": "swn_b"}}]$$,
                        '{"queue": "swn_a"}'),
          array['swn_b', 'swn_a', 'swn-marker'],
          'a plain batch: once per queue with claimable work, in the order of the elements; none for delayed work');
select is(pg_temp.heard($$[{"workflow_id": "swn-1", "name": "job", "options": {"queue": "swn_b"}},
                           {"workflow_id": "swn-2", "name": "job"}]$$,
                        '{"queue": "swn_a"}'),
          array['swn-marker'],
          'workflows that existed: no notification');
select is(pg_temp.heard($$[{"workflow_id": "swn-5", "name": "job", "options": {"queue": "swn_c", "delay_seconds": 3600}},
                           {"workflow_id": "swn-6", "name": "job", "options": {"dedup_key": "k"}},
                           {"workflow_id": "swn-7", "name": "job", "options": {"queue": "swn_b"}},
                           {"workflow_id": "swn-8", "name": "job", "options": {"queue": "swn_b"}}]$$,
                        '{"queue": "swn_a"}'),
          array['swn_a', 'swn_b', 'swn-marker'],
          'a batch with a dedup key (element by element): the same');
select is((select count(*)::int from steadfast.workflows where queue like 'swn\_%'), 8, 'all committed');

select steadfast_test.disconnect('swn_listen');
select steadfast_test.disconnect('swn_start');
select steadfast_test.remote('swn_setup', $$
    delete from steadfast.workflows where queue like 'swn\_%';
    delete from steadfast.queues where name like 'swn\_%';
$$);
select steadfast_test.disconnect('swn_setup');
select * from finish();
rollback;

delete from steadfast.workflows where queue like 'swn\_%';
delete from steadfast.queues where name like 'swn\_%';
