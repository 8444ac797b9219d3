-- A dying process's claim that runs after its own executor session is gone: the claim must not
-- declare its own executor dead and then take workflows under it (they would stay `running`
-- under a stopped executor, where no recovery looks — found by the 200-kill transaction test).
-- It takes them under its live-looking executor, and the next recovery anywhere puts them back.
-- Committed data through dblink; cleaned up before and after.
begin;
select plan(5);

select steadfast_test.remote('dcs_setup', $$
    delete from steadfast.workflows where id like 'dcs-%';
    delete from steadfast.executors where id like 'dcs-%';
    insert into steadfast.queues (name) values ('dcs_q') on conflict do nothing;
    do $b$ begin perform steadfast.start_workflow('dcs-w', 'job', '{}', '{"queue": "dcs_q"}'); end $b$;
$$);
select steadfast_test.remote_value('dcs_session', $$select executor_id from steadfast.register_executor('dcs-e', '{"queues": ["dcs_q"]}')$$);
select ok(steadfast_test.disconnect('dcs_session'), 'the executor''s session is gone');

-- Its claim, still running on another connection. (Every write goes through dblink and
-- commits: this session only reads, so the cleanup below never waits for it.)
select is(steadfast_test.remote_value('dcs_claimer', $$select workflow_id from steadfast.claim_workflows('dcs-e', 1)$$),
          'dcs-w', 'the dying process''s claim takes the workflow');
select is((select stopped_at from steadfast.executors where id = 'dcs-e'), null,
          'without declaring its own executor dead');
select is(steadfast_test.remote_value('dcs_setup', 'select steadfast.recover_workflows()'), '1',
          'the next recovery declares it dead');
select is((select status || ' ' || coalesce(executor_id, '-') from steadfast.workflows where id = 'dcs-w'), 'enqueued -',
          'and puts the workflow back');

select steadfast_test.remote('dcs_setup', $$
    delete from steadfast.workflows where id like 'dcs-%';
    delete from steadfast.executors where id like 'dcs-%';
$$);
select steadfast_test.disconnect('dcs_claimer');
select steadfast_test.disconnect('dcs_setup');
select * from finish();
rollback;
