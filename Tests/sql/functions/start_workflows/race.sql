-- start_workflows racing another session's start of the same id. The set-based path decides
-- from its snapshot that the id is new; its insert then waits for the other transaction (the
-- primary key) and fails if that one commits: the batch is started element by element
-- instead, and ends exactly as start_workflows always did — the other's workflow is returned
-- (created = false), or SF002 when it has another name; when the other rolls back, the batch
-- creates its own.
--
-- Commits rows through dblink: the queue and ids are prefixed swrace; cleaned up at both ends.
delete from steadfast.workflows where queue = 'swrace_q';
delete from steadfast.queues where name = 'swrace_q';

begin;
select plan(9);

do $$ begin
    perform steadfast_test.remote_value('setup', $r$ select steadfast.create_queue('swrace_q') $r$);
    perform steadfast_test.connect('b');
end $$;

-- 1. The other session commits the same id and name: B gets its workflow.
select is(steadfast_test.remote('a', 'begin'), 'BEGIN', 'session A opens a transaction');
select is(steadfast_test.remote_value('a',
    $r$select created from steadfast.start_workflow('swrace-1', 'job', '{"by": "a"}', '{"queue": "swrace_q"}')$r$),
    't', 'A starts swrace-1 and does not commit yet');
select is(dblink_send_query('b',
    $r$select string_agg(workflow_id || ' ' || created, ', ' order by ordinal) from steadfast.start_workflows(
           '[{"workflow_id": "swrace-0", "name": "job"}, {"workflow_id": "swrace-1", "name": "job", "input": {"by": "b"}}]',
           '{"queue": "swrace_q"}')$r$),
    1, 'B starts a batch with swrace-1');
select ok(steadfast_test.waits_for_lock('b'), 'B waits for A (the primary key)');
select is(steadfast_test.remote('a', 'commit'), 'COMMIT', 'A commits');
select results_eq($$select * from dblink_get_result('b') as t(v text)$$,
                  $$values ('swrace-0 true, swrace-1 false')$$, 'B creates swrace-0 and finds A''s swrace-1');
do $$ begin perform * from dblink_get_result('b') as t(v text); end $$;

-- 2. The other session commits the same id with another name: B fails with SF002.
do $$ begin
    perform steadfast_test.remote('a', 'begin');
    perform steadfast_test.remote_value('a',
        $r$select steadfast.start_workflow('swrace-2', 'other', '{}', '{"queue": "swrace_q"}')$r$);
    perform dblink_send_query('b',
        $r$select count(*)::text from steadfast.start_workflows('[{"workflow_id": "swrace-2", "name": "job"}]',
                                                                '{"queue": "swrace_q"}')$r$);
    perform steadfast_test.waits_for_lock('b');
    perform steadfast_test.remote('a', 'commit');
end $$;
select throws_ok($$select * from dblink_get_result('b') as t(v text)$$, 'SF002', null,
                 'with another name, B fails with SF002 once A commits');
do $$ begin perform * from dblink_get_result('b') as t(v text); exception when others then null; end $$;

-- 3. The other session rolls back: B creates its own.
do $$ begin
    perform steadfast_test.remote('a', 'begin');
    perform steadfast_test.remote_value('a',
        $r$select steadfast.start_workflow('swrace-3', 'job', '{"by": "a"}', '{"queue": "swrace_q"}')$r$);
    perform dblink_send_query('b',
        $r$select string_agg(workflow_id || ' ' || created, ', ') from steadfast.start_workflows(
               '[{"workflow_id": "swrace-3", "name": "job", "input": {"by": "b"}}]', '{"queue": "swrace_q"}')$r$);
    perform steadfast_test.waits_for_lock('b');
    perform steadfast_test.remote('a', 'rollback');
end $$;
select results_eq($$select * from dblink_get_result('b') as t(v text)$$,
                  $$values ('swrace-3 true')$$, 'when A rolls back, B creates the workflow');
do $$ begin perform * from dblink_get_result('b') as t(v text); end $$;

select results_eq(
    $$select id, name, input from steadfast.workflows where queue = 'swrace_q' order by id$$,
    $$values ('swrace-0', 'job', 'null'::jsonb), ('swrace-1', 'job', '{"by": "a"}'), ('swrace-2', 'other', '{}'),
             ('swrace-3', 'job', '{"by": "b"}')$$,
    'one workflow per id: the first committed');

select * from finish();
rollback;

delete from steadfast.workflows where queue = 'swrace_q';
delete from steadfast.queues where name = 'swrace_q';
