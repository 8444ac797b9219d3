-- A workflow past its deadline is never claimed, even when the claim could not cancel it: here
-- another session holds a row of its tree (its child), so _expire_deadlines skips it (it never
-- waits) — and the candidate queries must not then hand the parent to a worker. Once the row is
-- free, the next claim cancels the whole tree.
--
-- Commits rows through dblink: ids and the queue are prefixed dl_locked; cleaned up at both ends.
delete from steadfast.workflows where queue = 'dl_locked';
delete from steadfast.executors where id like 'dl\_locked-%';
delete from steadfast.queues where name = 'dl_locked';

begin;
select plan(6);

do $$ begin
    perform steadfast_test.remote_value('setup', $r$
        insert into steadfast.queues (name) values ('dl_locked');
        insert into steadfast.workflows (id, name, status, queue, created_at, available_at, deadline)
        values ('dl_locked-parent', 'job', 'enqueued', 'dl_locked', now(), now(), now() + interval '60 seconds');
        insert into steadfast.workflows (id, name, status, queue, parent_id, created_at, available_at)
        values ('dl_locked-child', 'job', 'enqueued', 'dl_locked', 'dl_locked-parent', now(), now());
        select 1
        $r$);
    perform steadfast_test.remote_value('holder', 'select 1');
    perform steadfast_test.remote('holder', 'begin');
    perform steadfast_test.remote_value('holder',
        $r$select id from steadfast.workflows where id = 'dl_locked-child' for update$r$);
end $$;

select steadfast_test.set_now(now() + interval '2 minutes');
select steadfast.register_executor('dl_locked-e', '{"queues": ["dl_locked"]}');
set local lock_timeout = '5s';

select is_empty($$select workflow_id from steadfast.claim_workflows('dl_locked-e', 10)$$,
                'the parent, past its deadline, is not claimed while its tree cannot be cancelled');
select is((select status from steadfast.workflows where id = 'dl_locked-parent'), 'enqueued',
          'and it is not cancelled yet: the claim did not wait for the held row');

select is(steadfast_test.remote('holder', 'commit'), 'COMMIT', 'the other session lets its row go');
select is_empty($$select workflow_id from steadfast.claim_workflows('dl_locked-e', 10)$$,
                'the next claim claims nothing');
select results_eq($$select id, status, error->>'message' from steadfast.workflows where queue = 'dl_locked' order by id$$,
                  $$values ('dl_locked-child', 'cancelled', 'ancestor dl_locked-parent was cancelled'),
                           ('dl_locked-parent', 'cancelled', 'deadline exceeded')$$,
                  'it cancels the tree: the parent and its child, for the deadline');
select is((select count(*)::int from steadfast.workflows where queue = 'dl_locked' and attempt > 0), 0,
          'neither ever ran');

select * from finish();
rollback;

delete from steadfast.workflows where queue = 'dl_locked';
delete from steadfast.executors where id like 'dl\_locked-%';
delete from steadfast.queues where name = 'dl_locked';
