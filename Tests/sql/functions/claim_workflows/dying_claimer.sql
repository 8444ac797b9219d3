-- A claim in flight when its executor's process dies. Claims come only from the session that
-- registered the executor (SF008 from any other), so the session's advisory lock is held for
-- as long as the claim runs: recovery elsewhere cannot declare the executor dead under it. Once
-- the claim has committed and the session is gone, the next recovery puts the workflow back.
-- Committed data through dblink; cleaned up before and after.
begin;
select plan(7);

select steadfast_test.remote('dc_setup', $$
    delete from steadfast.workflows where id like 'dc-%';
    delete from steadfast.executors where id like 'dc-%';
    insert into steadfast.queues (name) values ('dc_q') on conflict do nothing;
    do $b$ begin perform steadfast.start_workflow('dc-w', 'job', '{}', '{"queue": "dc_q"}'); end $b$;
$$);
-- The executor's session, holding its lock, with a claim not yet committed.
select steadfast_test.remote_value('dc_session', $$select executor_id from steadfast.register_executor('dc-e', '{"queues": ["dc_q"]}')$$);
select steadfast_test.remote('dc_session', 'begin');
select is(steadfast_test.remote_value('dc_session', $$select workflow_id from steadfast.claim_workflows('dc-e', 1)$$),
          'dc-w', 'the executor''s own session claims the workflow (uncommitted)');
-- Another connection cannot claim for it.
select is(steadfast_test.remote_value('dc_claimer',
          $$select steadfast_test.sqlstate_of('select steadfast.claim_workflows(''dc-e'', 1)')$$),
          'SF008', 'a claim for the executor from another session is refused');

select is(steadfast_test.remote_value('dc_setup', 'select steadfast.recover_workflows()'), '0',
          'recovery (in another session) leaves the executor alone while its claim is in flight');
select is((select stopped_at from steadfast.executors where id = 'dc-e'), null, 'the executor is not declared dead');

select steadfast_test.remote('dc_session', 'commit');
select is((select status from steadfast.workflows where id = 'dc-w'), 'running', 'the workflow is running under the executor');
-- The process dies; the next recovery declares the executor dead and takes the workflow back.
select steadfast_test.disconnect('dc_session');
select ok(steadfast_test.wait_for($$select steadfast_test.remote_value('dc_setup', 'select steadfast.recover_workflows()') = '1'$$),
          'then recovery puts it back');
select is((select status from steadfast.workflows where id = 'dc-w'), 'enqueued', 'claimable again');

select steadfast_test.disconnect('dc_claimer');
select steadfast_test.remote('dc_setup', $$
    delete from steadfast.workflows where id like 'dc-%';
    delete from steadfast.executors where id like 'dc-%';
$$);
select steadfast_test.disconnect('dc_setup');
select * from finish();
rollback;
