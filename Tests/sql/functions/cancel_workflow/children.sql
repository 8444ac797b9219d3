-- cancel_workflow and children, with real concurrent sessions (dblink):
-- 1. a child finishing while its waiting parent is cancelled: the child's transition locks the
--    parent after the child; the cancel locks the child first, so neither waits for the other
--    in a cycle (before, the cancel held the parent and waited for the child: 40P01);
-- 2. a child started while its parent is being cancelled does not escape the cancel: the
--    cancel waits for the parent's row, then finds the new child and cancels it too.
--
-- Commits rows through dblink (ids prefixed lc-); cleaned up at both ends.
delete from steadfast.workflows where id like 'lc-%';
delete from steadfast.executors where id like 'lc-%';

begin;
select plan(14);

do $$ begin
    perform steadfast_test.remote('setup', $r$
        insert into steadfast.queues (name) values ('lc_q') on conflict do nothing;
        do $b$ begin
            perform steadfast.start_workflow('lc-p', 'parent', '{}', '{"queue": "lc_q"}');
            perform steadfast.start_workflow('lc-q', 'parent', '{}', '{"queue": "lc_q"}');
        end $b$;
    $r$);
    perform steadfast_test.remote_value('a', $r$select executor_id from steadfast.register_executor('lc-e', '{"queues": ["lc_q"]}')$r$);
    perform steadfast_test.remote_value('a', $r$select count(*) from steadfast.claim_workflows('lc-e', 2)$r$);
    perform steadfast_test.remote_value('a', $r$select child_id from steadfast.start_child_workflow('lc-p', 1, 'kid', 'child', '{}', '{"queue": "lc_q"}')$r$);
    perform steadfast_test.remote_value('a', $r$select child_id from steadfast.start_child_workflow('lc-p', 1, 'kid', 'child', '{}', '{"queue": "lc_q", "occurrence": 2}')$r$);
    perform steadfast_test.remote_value('a', $r$select count(*) from steadfast.claim_workflows('lc-e', 2)$r$);
    perform steadfast_test.remote_value('a', $r$select waiting from steadfast.await_children('lc-p', 1, 'kids', array['lc-p/kid', 'lc-p/kid#2'])$r$);
    perform steadfast_test.connect('b');
end $$;

select is((select status from steadfast.workflows where id = 'lc-p'), 'waiting', 'the parent waits for its two children');

-- 1. The worker writes a child's step (holding the child's row); the cancel waits for it.
select is(steadfast_test.remote('a', 'begin'), 'BEGIN', 'A opens a transaction');
select is(steadfast_test.remote_value('a', $r$select recorded from steadfast.record_step('lc-p/kid', 1, 's', '1')$r$),
          't', 'A records a step of a child (its row locked until A commits)');
select is(dblink_send_query('b', $r$select string_agg(workflow_id || ':' || previous_status, ',' order by workflow_id) from steadfast.cancel_workflow('lc-p')$r$), 1,
          'B cancels the waiting parent');
select ok(steadfast_test.waits_for_lock('b'), 'B waits for the child, holding nothing of the parent');
select is(steadfast_test.remote_value('a', $r$select steadfast.complete_workflow('lc-p/kid', 1, '"done"') is not null$r$),
          't', 'A completes the child, whose transition locks the parent: no deadlock');
select is(steadfast_test.remote('a', 'commit'), 'COMMIT', 'A commits');
select results_eq($$select * from dblink_get_result('b') as t(v text)$$, $$values ('lc-p:waiting,lc-p/kid#2:running')$$,
                  'then B cancels the parent and the unfinished child');
do $$ begin perform * from dblink_get_result('b') as t(v text); end $$;
select results_eq($$select id, status from steadfast.workflows where id like 'lc-p%' order by id$$,
                  $$values ('lc-p', 'cancelled'), ('lc-p/kid', 'succeeded'), ('lc-p/kid#2', 'cancelled')$$,
                  'the finished child keeps its outcome');

-- 2. The parent starts a child (holding its own row); a cancel of the parent begins meanwhile.
select is(steadfast_test.remote('a', 'begin'), 'BEGIN', 'A opens a transaction');
select is(steadfast_test.remote_value('a', $r$select child_id from steadfast.start_child_workflow('lc-q', 1, 'late', 'child', '{}', '{"queue": "lc_q"}')$r$),
          'lc-q/late', 'A starts a child of lc-q (not yet committed)');
select is(dblink_send_query('b', $r$select string_agg(workflow_id, ',' order by workflow_id) from steadfast.cancel_workflow('lc-q')$r$), 1,
          'B cancels lc-q');
select ok(steadfast_test.waits_for_lock('b'), 'B waits for the parent''s row');
do $$ begin perform steadfast_test.remote('a', 'commit'); end $$;
select results_eq($$select * from dblink_get_result('b') as t(v text)$$, $$values ('lc-q,lc-q/late')$$,
                  'once A commits, B finds the child started meanwhile and cancels it with its parent');
do $$ begin perform * from dblink_get_result('b') as t(v text); end $$;

select steadfast_test.remote('setup', $r$
    delete from steadfast.workflows where id like 'lc-%';
    delete from steadfast.executors where id like 'lc-%';
$r$);
select steadfast_test.disconnect('a');
select steadfast_test.disconnect('b');
select steadfast_test.disconnect('setup');
select * from finish();
rollback;
