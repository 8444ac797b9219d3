-- grant_worker: a role runs workflows (executors, claim, checkpoints, complete) and can do what
-- a client does, but cannot drop, alter or create anything, nor touch the tables.
begin;
select plan(22);

select 'sf_test_worker_' || pg_backend_pid() as r \gset
create role :"r" nologin;
select steadfast_test.queue('rk_q');
select steadfast.start_workflow('rk-1', 'job', '{}', '{"queue": "rk_q"}');

select results_eq(format('select * from steadfast.grant_worker(%L)', :'r'),
                  $$select function_signature from steadfast.grant_sets() where role_set = 'worker' order by 1$$,
                  'grant_worker grants the worker set and returns it');
select is_empty($$select function_signature from steadfast.grant_sets() where role_set = 'client'
                  except select function_signature from steadfast.grant_sets() where role_set = 'worker'$$,
                'the worker set includes the client set');

select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select steadfast.register_executor('rk-e', '{"queues": ["rk_q"], "lease_seconds": 3600}')$$), 'it registers an executor');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.claim_workflows('rk-e', 1)$$), 'claims');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select * from steadfast.record_step('rk-1', 1, 'a', '1')$$), 'checkpoints');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select steadfast.complete_workflow('rk-1', 1, '"ok"')$$), 'completes');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$select steadfast.deregister_executor('rk-e')$$), 'and deregisters');
select results_eq($$select status, output from steadfast.workflows where id = 'rk-1'$$,
                  $$values ('succeeded', '"ok"'::jsonb)$$, 'all of which took effect');

create temp table snap as select steadfast_test.snapshot() as s;
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$drop table steadfast.steps$$),
                 '42501', null, 'it cannot drop a table');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$alter table steadfast.workflows add column x int$$),
                 '42501', null, 'nor alter one');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$truncate steadfast.workflows cascade$$),
                 '42501', null, 'nor truncate one');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$delete from steadfast.steps$$),
                 '42501', null, 'nor delete rows');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$select * from steadfast.executors$$),
                 '42501', null, 'nor read a table');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$drop function steadfast.claim_workflows(text, integer, jsonb)$$),
                 '42501', null, 'nor drop a function');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r',
    $$create or replace function steadfast.now() returns timestamptz language sql as 'select now()'$$),
                 '42501', null, 'nor replace one');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$alter function steadfast.now() owner to current_user$$),
                 '42501', null, 'nor alter one');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$create table steadfast.mine (x int)$$),
                 '42501', null, 'nor create a table in the schema');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$drop view steadfast.workflow_overview$$),
                 '42501', null, 'nor drop a view');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$drop schema steadfast cascade$$),
                 '42501', null, 'nor drop the schema');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$select * from steadfast.prune_workflows('0 seconds')$$),
                 '42501', null, 'nor prune');
select throws_ok(format('select steadfast_test.as_role(%L, %L)', :'r', $$select * from steadfast.grant_worker('postgres')$$),
                 '42501', null, 'nor grant');
select is(steadfast_test.snapshot(), (select s from snap), 'nothing changed');

select * from finish();
rollback;
