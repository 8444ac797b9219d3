-- cancel_workflow and a worker's writes lock workflow rows in one order (id order), so they
-- never deadlock. The case that did: a child whose id sorts before its parent's. Session A
-- (a worker's group commit) holds the child's row and then writes the parent; session B cancels
-- the parent meanwhile. B used to lock the parent first and then wait for the child, while A
-- waited for the parent: 40P01 reached one of them. Now B waits for the child first, holding
-- nothing A needs: A finishes, then B cancels both.
--
-- Commits rows through dblink (ids prefixed lo-); cleaned up at both ends.
delete from steadfast.workflows where id like 'lo-%';
delete from steadfast.executors where id like 'lo-%';

begin;
select plan(7);

do $$ begin
    perform steadfast_test.remote('setup', $r$
        insert into steadfast.queues (name) values ('lo_q') on conflict do nothing;
        do $b$ begin
            perform steadfast.start_workflow('lo-b-parent', 'parent', '{}', '{"queue": "lo_q"}');
            perform steadfast.start_workflow('lo-a-child', 'child', '{}', '{"queue": "lo_q", "parent_id": "lo-b-parent"}');
        end $b$;
    $r$);
    perform steadfast_test.remote_value('a', $r$select executor_id from steadfast.register_executor('lo-e', '{"queues": ["lo_q"]}')$r$);
    perform steadfast_test.remote_value('a', $r$select count(*) from steadfast.claim_workflows('lo-e', 2)$r$);
    perform steadfast_test.connect('b');
end $$;

select is(steadfast_test.remote('a', 'begin'), 'BEGIN', 'A opens a transaction');
select is(steadfast_test.remote_value('a', $r$select recorded from steadfast.record_step('lo-a-child', 1, 's', '1')$r$),
          't', 'A records a step of the child (its row locked until A commits)');
select is(dblink_send_query('b', $r$select count(*)::text from steadfast.cancel_workflow('lo-b-parent')$r$), 1,
          'B cancels the parent');
select ok(steadfast_test.waits_for_lock('b'), 'B waits (for the child, first in id order)');
select is(steadfast_test.remote_value('a', $r$select recorded from steadfast.record_step('lo-b-parent', 1, 's', '1')$r$),
          't', 'A writes the parent without waiting for B: no deadlock');
select is(steadfast_test.remote('a', 'commit'), 'COMMIT', 'A commits');
select results_eq($$select * from dblink_get_result('b') as t(n text)$$, $$values ('2')$$,
                  'then B cancels the parent and the child');
do $$ begin perform * from dblink_get_result('b') as t(n text); end $$;

select steadfast_test.remote('setup', $r$
    delete from steadfast.workflows where id like 'lo-%';
    delete from steadfast.executors where id like 'lo-%';
$r$);
select steadfast_test.disconnect('a');
select steadfast_test.disconnect('b');
select steadfast_test.disconnect('setup');
select * from finish();
rollback;
