-- Starting a workflow while another session deletes its queue: the start either finds no
-- queue (SF001) or the delete finds the workflow (SF004) — never a foreign-key error (23503).
--
-- The starters lock the queue's row KEY SHARE when they check it (sql/30_start.sql,
-- _key_share_queue, from _new_workflows and _schedule_settings), so a delete that holds the row first makes
-- the start wait and then not find the queue, and a start that holds it first makes the delete
-- wait and then find the workflow. Before, the start checked without a lock, and the insert's
-- queue check (migration 0008) met the deleted row: 23503.
--
-- Commits rows through dblink: queues and ids are prefixed sqrace; cleaned up at both ends.
delete from steadfast.workflows where queue like 'sqrace%';
delete from steadfast.schedules where name like 'sqrace%';
delete from steadfast.queues where name like 'sqrace%';

begin;
select plan(13);

do $$ begin
    perform steadfast_test.remote_value('setup',
        $r$select count(*) from unnest(array['sqrace_1', 'sqrace_2', 'sqrace_3', 'sqrace_4', 'sqrace_5']) q,
                                steadfast.create_queue(q)$r$);
    perform steadfast_test.connect('b');
end $$;

-- race(queue, start sql): A deletes the queue without committing, B starts (and waits), A
-- commits; → B's SQLSTATE (null: no error).
create function pg_temp.race(p_queue text, p_sql text) returns text language plpgsql as $$
declare
    v_state text;
begin
    perform steadfast_test.remote('a', 'begin');
    perform steadfast_test.remote_value('a', format('select steadfast.delete_queue(%L)', p_queue));
    perform dblink_send_query('b', p_sql);
    if not steadfast_test.waits_for_lock('b') then
        raise exception 'race: B did not wait for A';
    end if;
    perform steadfast_test.remote('a', 'commit');
    begin
        perform * from dblink_get_result('b') as t(v text);
    exception when others then
        v_state := sqlstate;
    end;
    perform * from dblink_get_result('b') as t(v text);  -- the end of B's results
    return v_state;
end;
$$;

-- 1. The delete holds the queue first: each starter waits, then finds no queue.
select is(pg_temp.race('sqrace_1',
    $r$select created::text from steadfast.start_workflow('sqrace-1', 'job', '{}', '{"queue": "sqrace_1"}')$r$),
    'SF001', 'start_workflow waits for the delete, then finds no queue: SF001');
select is(pg_temp.race('sqrace_2',
    $r$select count(*)::text from steadfast.start_workflows('[{"workflow_id": "sqrace-2", "name": "job"}]',
                                                            '{"queue": "sqrace_2"}')$r$),
    'SF001', 'start_workflows (its set-based path) waits, then finds no queue: SF001');
do $$ begin
    perform steadfast_test.remote_value('b',
        $r$select count(*) from steadfast.register_executor('sqrace-e', '{"queues": ["sqrace_5"], "lease_seconds": 3600}')$r$);
end $$;
select is(pg_temp.race('sqrace_3',
    $r$select claimed::text from steadfast.start_workflow_and_claim('sqrace-e', 'sqrace-3', 'job', '{}',
                                                                     '{"queue": "sqrace_3"}')$r$),
    'SF001', 'start_workflow_and_claim waits, then finds no queue: SF001');
select is(pg_temp.race('sqrace_4',
    $r$select created::text from steadfast.create_schedule('sqrace-s', '0 0 * * *', 'job', '{"queue": "sqrace_4"}')$r$),
    'SF001', 'create_schedule waits, then finds no queue: SF001');
select is(steadfast_test.remote_value('check',
              $r$select count(*)::text from steadfast.queues where name in ('sqrace_1', 'sqrace_2', 'sqrace_3', 'sqrace_4')$r$),
          '0', 'the four queues are deleted');
select is(steadfast_test.remote_value('check',
              $r$select count(*)::text from steadfast.workflows where id like 'sqrace-%'$r$),
          '0', 'no workflow was started');
select is(steadfast_test.remote_value('check',
              $r$select count(*)::text from steadfast.schedules where name like 'sqrace%'$r$),
          '0', 'no schedule was created');

-- 2. The start holds the queue first: the delete waits, then finds the workflow.
select is(steadfast_test.remote('a', 'begin'), 'BEGIN', 'session A opens a transaction');
select is(steadfast_test.remote_value('a',
    $r$select created::text from steadfast.start_workflow('sqrace-5', 'job', '{}', '{"queue": "sqrace_5"}')$r$),
    'true', 'A starts a workflow in sqrace_5 and does not commit yet');
select is(dblink_send_query('b', $r$select steadfast.delete_queue('sqrace_5')::text$r$), 1, 'B deletes sqrace_5');
select ok(steadfast_test.waits_for_lock('b'), 'B waits for A');
select is(steadfast_test.remote('a', 'commit'), 'COMMIT', 'A commits');
select throws_ok($$select * from dblink_get_result('b') as t(v text)$$, 'SF004', null,
                 'the delete finds the workflow: SF004');
do $$ begin perform * from dblink_get_result('b') as t(v text); exception when others then null; end $$;

select * from finish();
rollback;

do $$ begin
    perform steadfast_test.remote_value('b', $r$select steadfast.deregister_executor('sqrace-e')$r$);
    perform dblink_disconnect(c) from unnest(dblink_get_connections()) c;
end $$;
delete from steadfast.workflows where queue like 'sqrace%';
delete from steadfast.executors where id = 'sqrace-e';
delete from steadfast.schedules where name like 'sqrace%';
delete from steadfast.queues where name like 'sqrace%';
