-- grant_viewer: a role that can read workflows, steps and executors through functions and
-- change nothing: every function it may execute is read-only, and each write is refused.
begin;
select plan(20);

select 'sf_test_viewer_' || pg_backend_pid() as r \gset
create role :"r" nologin;
select steadfast_test.queue('rv_q');
select steadfast.start_workflow('rv-1', 'job', '{}', '{"queue": "rv_q"}');

select results_eq(format('select * from steadfast.grant_viewer(%L)', :'r'),
                  $$select function_signature from steadfast.grant_sets() where role_set = 'viewer' order by 1$$,
                  'grant_viewer grants the viewer set and returns it');
select results_eq(format('select * from steadfast.grant_viewer(%L)', :'r'),
                  $$select function_signature from steadfast.grant_sets() where role_set = 'viewer' order by 1$$,
                  'granting again is harmless');
select is_empty(format($$select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'steadfast'::regnamespace
                           and has_function_privilege(%L, p.oid, 'execute') and p.provolatile = 'v'$$, :'r'),
                'every function it can execute is read-only (none is volatile)');
select is_empty(format($$select p.oid::regprocedure::text from pg_proc p where p.pronamespace = 'steadfast'::regnamespace
                           and has_function_privilege(%L, p.oid, 'execute')
                         except select function_signature from steadfast.grant_sets() where role_set = 'viewer'$$, :'r'),
                'it can execute nothing outside the set');

select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.list_workflows('{"queue": "rv_q"}')$$), 'it lists workflows');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.get_workflow('rv-1')$$), 'it reads one');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.list_steps('rv-1')$$), 'its steps');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.list_executors('{"include_stopped": true}')$$), 'and the executors');

create temp table snap as select steadfast_test.snapshot() as s;
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select steadfast.start_workflow('rv-2', 'job')$$), '42501', null, 'it cannot start a workflow');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.cancel_workflow('rv-1')$$), '42501', null, 'nor cancel one');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.resume_workflow('rv-1')$$), '42501', null, 'nor resume one');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.fork_workflow('rv-1', 1)$$), '42501', null, 'nor fork one');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.prune_workflows('0 seconds')$$), '42501', null, 'nor prune');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.claim_workflows('x', 1)$$), '42501', null, 'nor claim');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$insert into steadfast.queues (name) values ('rv-new')$$), '42501', null, 'nor insert into a table');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$delete from steadfast.workflows$$), '42501', null, 'nor delete from one');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.workflows$$), '42501', null, 'nor read a table directly');
select is(steadfast_test.snapshot(), (select s from snap), 'nothing changed');

-- revoke_grants takes the set away.
select is(steadfast.revoke_grants(:'r'), 1, 'revoke_grants forgets the role''s one set');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.list_workflows()$$), '42501', null, 'after which it cannot even list');

select * from finish();
rollback;
