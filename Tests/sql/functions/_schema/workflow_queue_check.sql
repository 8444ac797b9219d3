-- workflows.queue names an existing queue (migration 0008: checked per statement by triggers,
-- no longer per row by a foreign key): inserts and moves to an unknown queue fail with 23503,
-- a queue in use cannot be deleted, a renamed queue takes its workflows along, and a queue
-- used by an uncommitted insert cannot be deleted under it.
begin;
select plan(11);

select steadfast_test.queue('qref_a');
select steadfast_test.queue('qref_b');

select throws_ok($$insert into steadfast.workflows (id, name, status, queue) values ('qref-1', 'w', 'enqueued', 'qref_none')$$,
                 '23503', 'workflow queue ''qref_none'' does not exist', 'a workflow in an unknown queue is refused');
select throws_ok($$insert into steadfast.workflows (id, name, status, queue)
                   values ('qref-2', 'w', 'enqueued', 'qref_a'), ('qref-3', 'w', 'enqueued', 'qref_none')$$,
                 '23503', null, 'one unknown queue among many rows fails the statement');
select is((select count(*) from steadfast.workflows where id like 'qref-%'), 0::bigint, 'and inserts none of them');

select lives_ok($$insert into steadfast.workflows (id, name, status, queue)
                  values ('qref-4', 'w', 'enqueued', 'qref_a'), ('qref-5', 'w', 'enqueued', 'qref_b')$$,
                'rows in existing queues are inserted');
select throws_ok($$update steadfast.workflows set queue = 'qref_none' where id = 'qref-4'$$,
                 '23503', null, 'moving a workflow to an unknown queue is refused');
select lives_ok($$update steadfast.workflows set queue = 'qref_b' where id = 'qref-4'$$, 'moving it to another queue is not');

select throws_ok($$delete from steadfast.queues where name = 'qref_b'$$, '23503', 'queue ''qref_b'' is still used by workflows',
                 'a queue still used by workflows cannot be deleted');
select lives_ok($$delete from steadfast.queues where name = 'qref_a'$$, 'an unused one can');

update steadfast.queues set name = 'qref_c' where name = 'qref_b';
select results_eq($$select id, queue from steadfast.workflows where id like 'qref-%' order by id$$,
                  $$values ('qref-4', 'qref_c'), ('qref-5', 'qref_c')$$, 'renaming a queue renames it in its workflows');

-- Another session's uncommitted insert into a queue holds that queue: deleting it waits, then fails.
select steadfast_test.remote('qref_setup', $$
    delete from steadfast.workflows where id like 'qref-r%';
    delete from steadfast.queues where name = 'qref_r';
    insert into steadfast.queues (name) values ('qref_r');
$$);
select steadfast_test.remote('qref_writer', 'begin');
select steadfast_test.remote('qref_writer', $$insert into steadfast.workflows (id, name, status, queue) values ('qref-r1', 'w', 'enqueued', 'qref_r')$$);
select steadfast_test.connect('qref_deleter');
select dblink_send_query('qref_deleter', $$delete from steadfast.queues where name = 'qref_r'$$);
select ok(steadfast_test.waits_for_lock('qref_deleter'), 'deleting the queue waits for the uncommitted insert');
select steadfast_test.remote('qref_writer', 'commit');
select throws_ok($$select * from dblink_get_result('qref_deleter') as t(v text)$$, '23503', null,
                 'then fails: the queue is used');
select dblink_disconnect('qref_deleter');
select steadfast_test.disconnect('qref_writer');
select steadfast_test.remote('qref_setup', $$
    delete from steadfast.workflows where id like 'qref-r%';
    delete from steadfast.queues where name = 'qref_r';
$$);
select steadfast_test.disconnect('qref_setup');

select * from finish();
rollback;
