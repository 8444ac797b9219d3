-- Hostile roles, under the recommended production owner: the executor identity checks must not
-- depend on the owner being a superuser. (Beyond the brief: found while writing this suite.)
--
-- README recommends installing the engine as a dedicated role that is NOT a superuser (and
-- Tests/bundle/test.sh creates it with LOGIN only). The session checks run inside security
-- definer functions, i.e. with the owner's rights; a first version read the sessions' start
-- times (pg_stat_get_activity(pid).backend_start), which a role that is neither a superuser
-- nor a member of pg_read_all_stats sees as NULL for every session logged in as another role
-- — its callers' own included. They now read pg_locks (who holds an executor's advisory
-- lock), which no privilege filters. Simulated here inside the transaction: every function of
-- the schema is handed to a fresh non-superuser role R (given the table and function
-- privileges it needs, nothing else), as an installation by such a role — or a deployment
-- moved to one, as README advises — would have it. Proves:
--   * the engine can still tell which session holds an executor's lock, with R's rights;
--   * a worker re-registering its own executor in the same session is still allowed (it is
--     not mistaken for another live session: SF008);
--   * an executor registered (committed) by a live session of worker role W1 cannot be acted
--     for (heartbeat_executor, claim_workflows) nor taken over (register_executor with its
--     id) by worker role W2: SF008, nothing changes, and it still runs its workflow.
-- Login roles and committed fixtures (prefix hno) are created first and removed at the end.
set client_min_messages = warning;

select 'sfh_no_w1_' || current_database() as w1, 'sfh_no_w2_' || current_database() as w2,
       'sfh_no_owner_' || pg_backend_pid() as owner \gset
select steadfast_test.cleanup('hno');
select steadfast_test.fresh_role(:'w1', 'worker');
select steadfast_test.fresh_role(:'w2', 'worker');

-- The victim: a live executor of W1, in its own session, running hno-1.
select steadfast_test.remote('hno_owner', $$
    insert into steadfast.queues (name) values ('hno_q') on conflict do nothing;
    do $b$ begin perform steadfast.start_workflow('hno-1', 'job', '{}', '{"queue": "hno_q"}'); end $b$;
$$);
select steadfast_test.connect_as('hno_victim', :'w1');
select steadfast_test.remote_value('hno_victim',
    $$select executor_id from steadfast.register_executor('hno-victim', '{"queues": ["hno_q"], "lease_seconds": 3600}')$$);
select steadfast_test.remote_value('hno_victim', $$select workflow_id from steadfast.claim_workflows('hno-victim', 1)$$);

begin;
select plan(12);

select results_eq($$select status, executor_id from steadfast.workflows where id = 'hno-1'$$,
                  $$values ('running', 'hno-victim')$$, 'the victim executor runs hno-1');

-- The owner becomes R: no superuser, no pg_read_all_stats; what it needs on the schema only.
create role :"owner" nologin;
grant usage, create on schema steadfast to :"owner";
grant all on all tables in schema steadfast to :"owner";
grant execute on all functions in schema steadfast to :"owner";
do $$
declare
    f regprocedure;
begin
    for f in select p.oid::regprocedure from pg_proc p where p.pronamespace = 'steadfast'::regnamespace loop
        execute format('alter function %s owner to %I', f, 'sfh_no_owner_' || pg_backend_pid());
    end loop;
end $$;
select ok(not (select rolsuper from pg_roles where rolname = :'owner')
          and not pg_has_role(:'owner', 'pg_read_all_stats', 'member')
          and (select count(*) from pg_proc where pronamespace = 'steadfast'::regnamespace
                                              and proowner <> :'owner'::regrole) = 0,
          'every function of the schema now belongs to a non-superuser owner without pg_read_all_stats');

select is(steadfast_test.as_role_value(:'owner',
              $$select steadfast._executor_lock_holder(lock_key)::text from steadfast.executors where id = 'hno-victim'$$),
          steadfast_test.remote_value('hno_victim', 'select pg_backend_pid()'),
          'with the owner''s rights the engine still sees which session holds an executor''s lock');

-- A worker's own re-registration, in this session.
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'w1',
    $$select steadfast.register_executor('hno-self', '{"queues": ["hno_q"], "lease_seconds": 3600}')$$),
    'a worker registers an executor');
select lives_ok(format('select steadfast_test.as_role(%L, %L)', :'w1',
    $$select steadfast.register_executor('hno-self', '{"queues": ["hno_q"], "lease_seconds": 3600}')$$),
    'and registers it again from the same session (not taken for another live session)');

-- Another worker role, in this session, against the victim's live executor.
select * from steadfast_test.rejects(format('select steadfast_test.as_role(%L, %L)', :'w2',
    $$select steadfast.heartbeat_executor('hno-victim')$$),
    'SF008', 'another role cannot heartbeat a live executor of another session');
select * from steadfast_test.rejects(format('select steadfast_test.as_role(%L, %L)', :'w2',
    $$select steadfast.claim_workflows('hno-victim', 1)$$),
    'SF008', 'nor claim for it');
select * from steadfast_test.rejects(format('select steadfast_test.as_role(%L, %L)', :'w2',
    $$select steadfast.register_executor('hno-victim', '{"queues": ["hno_q"], "lease_seconds": 3600}')$$),
    'SF008', 'nor take it over by registering its id');
select results_eq(
    format($$select e.stopped_at is null, e.session_pid, w.status, w.executor_id, w.attempt
             from steadfast.executors e, steadfast.workflows w where e.id = 'hno-victim' and w.id = 'hno-1'$$),
    format($$values (true, %s, 'running', 'hno-victim', 1)$$,
           steadfast_test.remote_value('hno_victim', 'select pg_backend_pid()')),
    'the victim executor is still live, still its session''s, and still runs hno-1 at attempt 1');

select * from finish();
rollback;

select steadfast_test.cleanup('hno', :'w1', :'w2');
