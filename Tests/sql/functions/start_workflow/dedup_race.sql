-- Two sessions start workflows with the same dedup_key at the same time: the unique index on
-- active keys makes the second wait for the first to commit; then it returns the first's
-- workflow (policy "return") or raises SF009 (policy "error"). When the first rolls back, the
-- second creates its own. Never two active holders.
--
-- Commits rows through dblink: the queue and ids are prefixed ddrace; cleaned up at both ends.
delete from steadfast.workflows where queue = 'ddrace_q';
delete from steadfast.queues where name = 'ddrace_q';

begin;
select plan(9);

do $$ begin
    perform steadfast_test.remote_value('setup', $r$ select steadfast.create_queue('ddrace_q') $r$);
    perform steadfast_test.connect('b');
end $$;

-- 1. "return": the second start waits, then returns the first's workflow.
select is(steadfast_test.remote('a', 'begin'), 'BEGIN', 'session A opens a transaction');
select is(steadfast_test.remote_value('a',
    $r$select created from steadfast.start_workflow('ddrace-a', 'job', '{}', '{"queue": "ddrace_q", "dedup_key": "k"}')$r$),
    't', 'A starts a workflow with key k and does not commit yet');
select is(dblink_send_query('b',
    $r$select workflow_id, created::text from steadfast.start_workflow('ddrace-b', 'job', '{}', '{"queue": "ddrace_q", "dedup_key": "k"}')$r$),
    1, 'B starts another with key k');
select ok(steadfast_test.waits_for_lock('b'), 'B waits for A (the unique index on active keys)');
select is(steadfast_test.remote('a', 'commit'), 'COMMIT', 'A commits');
select results_eq($$select * from dblink_get_result('b') as t(workflow_id text, created text)$$,
                  $$values ('ddrace-a', 'false')$$, 'B gets A''s workflow, not a new one');
do $$ begin perform * from dblink_get_result('b') as t(a text, b text); end $$;

-- 2. "error": the second start waits, then raises SF009.
do $$ begin
    perform steadfast_test.remote('a', 'begin');
    perform steadfast_test.remote_value('a',
        $r$select steadfast.start_workflow('ddrace-a2', 'job', '{}', '{"queue": "ddrace_q", "dedup_key": "k2"}')$r$);
    perform dblink_send_query('b',
        $r$select workflow_id from steadfast.start_workflow('ddrace-b2', 'job', '{}', '{"queue": "ddrace_q", "dedup_key": "k2", "dedup_policy": "error"}')$r$);
    perform steadfast_test.waits_for_lock('b');
    perform steadfast_test.remote('a', 'commit');
end $$;
select throws_ok($$select * from dblink_get_result('b') as t(workflow_id text)$$, 'SF009', null,
                 'with dedup_policy "error", B fails with SF009 once A commits');
do $$ begin perform * from dblink_get_result('b') as t(a text); exception when others then null; end $$;

-- 3. The first rolls back: the second creates its own.
do $$ begin
    perform steadfast_test.remote('a', 'begin');
    perform steadfast_test.remote_value('a',
        $r$select steadfast.start_workflow('ddrace-a3', 'job', '{}', '{"queue": "ddrace_q", "dedup_key": "k3"}')$r$);
    perform dblink_send_query('b',
        $r$select workflow_id, created::text from steadfast.start_workflow('ddrace-b3', 'job', '{}', '{"queue": "ddrace_q", "dedup_key": "k3"}')$r$);
    perform steadfast_test.waits_for_lock('b');
    perform steadfast_test.remote('a', 'rollback');
end $$;
select results_eq($$select * from dblink_get_result('b') as t(workflow_id text, created text)$$,
                  $$values ('ddrace-b3', 'true')$$, 'when A rolls back, B creates its workflow');
do $$ begin perform * from dblink_get_result('b') as t(a text, b text); end $$;

select results_eq(
    $$select dedup_key, count(*)::int from steadfast.workflows where queue = 'ddrace_q' group by 1 order by 1$$,
    $$values ('k', 1), ('k2', 1), ('k3', 1)$$, 'one workflow per key');

select * from finish();
rollback;

delete from steadfast.workflows where queue = 'ddrace_q';
delete from steadfast.queues where name = 'ddrace_q';
