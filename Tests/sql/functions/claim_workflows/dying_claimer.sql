-- A dying process's claim still in flight when its executor's session is gone: recovery must
-- wait for that claim (the claim holds its executor's row KEY SHARE), or the claim would commit
-- after the recovery and leave its workflow running under a stopped executor for good.
-- Committed data through dblink; cleaned up before and after.
begin;
select plan(7);

select steadfast_test.remote('dc_setup', $$
    delete from steadfast.workflows where id like 'dc-%';
    delete from steadfast.executors where id like 'dc-%';
    insert into steadfast.queues (name) values ('dc_q') on conflict do nothing;
    do $b$ begin perform steadfast.start_workflow('dc-w', 'job', '{}', '{"queue": "dc_q"}'); end $b$;
$$);
-- The dying executor's session, holding its lock.
select steadfast_test.remote_value('dc_session', $$select executor_id from steadfast.register_executor('dc-e', '{"queues": ["dc_q"]}')$$);
-- Its claim, on another connection, not yet committed.
select steadfast_test.remote('dc_claimer', 'begin');
select is(steadfast_test.remote_value('dc_claimer', $$select workflow_id from steadfast.claim_workflows('dc-e', 1)$$),
          'dc-w', 'the dying process''s claim took the workflow (uncommitted)');
-- The process dies: its session goes first.
select ok(steadfast_test.disconnect('dc_session'), 'its session is gone');

select is(steadfast_test.remote_value('dc_setup', 'select steadfast.recover_workflows()'), '0',
          'recovery (in another session) leaves the executor alone while its claim is in flight');
select is((select stopped_at from steadfast.executors where id = 'dc-e'), null, 'the executor is not declared dead yet');

-- The claim commits (its backend finishes the statement before noticing the dead client).
select steadfast_test.remote('dc_claimer', 'commit');
select is((select status from steadfast.workflows where id = 'dc-w'), 'running', 'the workflow is running under the dying executor');
-- The next recovery declares the executor dead and takes the workflow back.
select is(steadfast_test.remote_value('dc_setup', 'select steadfast.recover_workflows()'), '1', 'then recovery puts it back');
select is((select status from steadfast.workflows where id = 'dc-w'), 'enqueued', 'claimable again');

select steadfast_test.disconnect('dc_claimer');
select steadfast_test.remote('dc_setup', $$
    delete from steadfast.workflows where id like 'dc-%';
    delete from steadfast.executors where id like 'dc-%';
$$);
select steadfast_test.disconnect('dc_setup');
select * from finish();
rollback;
