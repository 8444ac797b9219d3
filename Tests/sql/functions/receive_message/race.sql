-- A send racing a receive that is about to wait (real sessions, dblink): the send waits for the
-- receiving workflow's row, then finds it waiting and wakes it — the message is never missed.
-- Commits rows through dblink (ids prefixed mr-); cleaned up at both ends.
delete from steadfast.workflows where id like 'mr-%';
delete from steadfast.executors where id like 'mr-%';

begin;
select plan(6);

do $$ begin
    perform steadfast_test.remote('setup', $r$
        insert into steadfast.queues (name) values ('mr_q') on conflict do nothing;
        do $b$ begin perform steadfast.start_workflow('mr-w', 'job', '{}', '{"queue": "mr_q"}'); end $b$;
    $r$);
    perform steadfast_test.remote_value('a', $r$select executor_id from steadfast.register_executor('mr-e', '{"queues": ["mr_q"]}')$r$);
    perform steadfast_test.remote_value('a', $r$select count(*) from steadfast.claim_workflows('mr-e', 1)$r$);
    perform steadfast_test.connect('b');
end $$;

select is(steadfast_test.remote('a', 'begin'), 'BEGIN', 'A opens a transaction');
select is(steadfast_test.remote_value('a', $r$select waiting from steadfast.receive_message('mr-w', 1, 'get')$r$), 't',
          'A finds no message: the workflow is to wait (not yet committed)');
select is(dblink_send_query('b', $r$select created::text from steadfast.send_message('mr-w', '"hello"')$r$), 1, 'B sends');
select ok(steadfast_test.waits_for_lock('b'), 'B waits for the workflow''s row');
do $$ begin perform steadfast_test.remote('a', 'commit'); end $$;
select results_eq($$select * from dblink_get_result('b') as t(v text)$$, $$values ('true')$$, 'B''s send lands');
do $$ begin perform * from dblink_get_result('b') as t(v text); end $$;
select is(steadfast_test.remote_value('setup', $r$select status from steadfast.workflows where id = 'mr-w'$r$), 'enqueued',
          'and finds the workflow waiting, and wakes it');

select steadfast_test.remote('setup', $r$
    delete from steadfast.workflows where id like 'mr-%';
    delete from steadfast.executors where id like 'mr-%';
$r$);
select steadfast_test.disconnect('a');
select steadfast_test.disconnect('b');
select steadfast_test.disconnect('setup');
select * from finish();
rollback;
