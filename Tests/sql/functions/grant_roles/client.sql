-- grant_client: a role gets USAGE on the schema and EXECUTE on exactly the client set (start,
-- read, list, cancel, resume, fork); it cannot claim, checkpoint, read or write any table or
-- view, or call anything else. Each check runs as that role (as_role: SET LOCAL ROLE).
begin;
select plan(26);

select 'sf_test_client_' || pg_backend_pid() as r \gset
create role :"r" nologin;
select steadfast_test.queue('rc_q');

select results_eq(format('select * from steadfast.grant_client(%L)', :'r'),
                  $$select function_signature from steadfast.grant_sets() where role_set = 'client' order by 1$$,
                  'grant_client grants the client set and returns it');
select ok(has_schema_privilege(:'r', 'steadfast', 'usage'), 'with USAGE on the schema');
select is_empty(format($$select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'steadfast'::regnamespace
                           and has_function_privilege(%L, p.oid, 'execute')
                         except select function_signature from steadfast.grant_sets() where role_set = 'client'$$, :'r'),
                'it can execute nothing outside the set');
select is_empty(format($$select c.oid::regclass::text from pg_class c where c.relnamespace = 'steadfast'::regnamespace
                           and c.relkind in ('r', 'v', 'S', 'p')
                           and (has_table_privilege(%1$L, c.oid, 'select') or has_table_privilege(%1$L, c.oid, 'insert')
                                or has_table_privilege(%1$L, c.oid, 'update') or has_table_privilege(%1$L, c.oid, 'delete'))$$, :'r'),
                'it has no privilege on any table, view or sequence');

-- What a client does.
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select steadfast.start_workflow('rc-1', 'job', '{"n": 1}', '{"queue": "rc_q"}')$$), 'it starts a workflow');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select steadfast.start_workflow('rc-2', 'job', '{}', '{"queue": "rc_q"}')$$), 'and another');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.get_workflow('rc-1')$$), 'it reads a workflow and its result');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.list_workflows('{"queue": "rc_q"}')$$), 'it lists workflows');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.list_steps('rc-1')$$), 'it lists steps');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.fork_workflow('rc-1', 1, '{"workflow_id": "rc-1-fork"}')$$), 'it forks');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.cancel_workflow('rc-2')$$), 'it cancels');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.resume_workflow('rc-2')$$), 'it resumes');
select is((select count(*)::int from steadfast.workflows where queue = 'rc_q'), 3, 'all of which took effect');

-- What it cannot do: run workflows.
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select steadfast.register_executor('rc-e', '{"queues": ["rc_q"]}')$$), '42501', null, 'it cannot register an executor');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.claim_workflows('rc-e', 1)$$), '42501', null, 'it cannot claim');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.record_step('rc-1', 1, 'a', '1')$$), '42501', null, 'it cannot checkpoint');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select steadfast.complete_workflow('rc-1', 1, '1')$$), '42501', null, 'it cannot complete');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.prune_workflows('0 seconds')$$), '42501', null, 'it cannot prune');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.grant_worker(current_user)$$), '42501', null, 'it cannot grant itself more');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.list_executors()$$), '42501', null, 'it does not see executors');
-- Nor read or write the tables.
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.workflows$$), '42501', null, 'it cannot read the workflows table');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.steps$$), '42501', null, 'nor the steps');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.executors$$), '42501', null, 'nor the executors');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.workflow_overview$$), '42501', null, 'nor the views');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$update steadfast.workflows set status = 'succeeded'$$), '42501', null, 'it cannot write a table');
select is(current_user::text, session_user::text, 'the test is back to its own role');

select * from finish();
rollback;
