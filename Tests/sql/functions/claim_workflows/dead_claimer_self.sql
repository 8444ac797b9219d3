-- A claim for an executor whose session is gone, sent from another connection (a dying
-- process's pool, or an impostor): refused with SF008 — only the session that registered the
-- executor claims for it — and it changes nothing: the workflow stays enqueued and the
-- executor is left for recovery to declare dead. (Before claims were tied to the session, such
-- a claim declared its own executor dead and took workflows under it, where no recovery looks.)
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

select is(steadfast_test.remote_value('dcs_claimer',
          $$select steadfast_test.sqlstate_of('select steadfast.claim_workflows(''dcs-e'', 1)')$$),
          'SF008', 'a claim for it from another connection is refused');
select is((select status || ' ' || coalesce(executor_id, '-') from steadfast.workflows where id = 'dcs-w'), 'enqueued -',
          'the workflow is untouched');
select ok(steadfast_test.wait_for($$select steadfast_test.remote_value('dcs_setup', 'select steadfast.recover_workflows()') = '0'
                                   and (select stop_reason from steadfast.executors where id = 'dcs-e') = 'session lost'$$),
          'the next recovery declares the executor dead');
select is((select status from steadfast.workflows where id = 'dcs-w'), 'enqueued', 'and the workflow is still claimable');

select steadfast_test.remote('dcs_setup', $$
    delete from steadfast.workflows where id like 'dcs-%';
    delete from steadfast.executors where id like 'dcs-%';
$$);
select steadfast_test.disconnect('dcs_claimer');
select steadfast_test.disconnect('dcs_setup');
select * from finish();
rollback;
