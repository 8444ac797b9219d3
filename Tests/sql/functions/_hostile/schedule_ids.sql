-- Hostile roles, schedule ids: the workflow ids of the schedule namespace (prefix 'schedule:')
-- are reserved for tick_schedules.
--
-- An occurrence of a schedule runs as the workflow schedule:<name>@<UTC time>, inserted ON
-- CONFLICT DO NOTHING, so that however many workers tick it runs once. A client that could
-- start (or fork into) such an id ahead of time would decide what that occurrence runs, or
-- that it never runs. Proves, for a client role and a worker role: start_workflow,
-- start_workflows (alone, in a batch with a valid element, and on its element-by-element
-- path), start_workflow_and_claim
-- (worker) and fork_workflow (options.workflow_id; beyond the brief) with an id of the
-- namespace — a future occurrence of a real schedule, the documented example, the bare prefix,
-- one without '@', and an occurrence the tick already created — raise SF005 and create
-- nothing. Controls: the tick (as the worker) still creates its occurrences, and ordinary
-- ids, or ids that merely contain 'schedule:', are still accepted by the same calls.
-- Roles are created inside the transaction (rolled back); names are unique per backend.
begin;
select plan(15);

select 'sfh_si_c_' || pg_backend_pid() as client, 'sfh_si_w_' || pg_backend_pid() as worker \gset
select steadfast_test.fresh_role(:'client', 'client', p_login => false);
select steadfast_test.fresh_role(:'worker', 'worker', p_login => false);

-- Fixtures: a queue, the worker's executor (this session), a succeeded workflow with a step
-- (to fork), a due schedule.
select steadfast_test.queue('hsi_q');
select steadfast_test.as_role(:'worker',
    $$select steadfast.register_executor('hsi-e', '{"queues": ["hsi_q"], "lease_seconds": 3600}')$$);
select count(*) from steadfast.start_workflow('hsi-src', 'job', '{}', '{"queue": "hsi_q"}');
select steadfast_test.as_role(:'worker', $$select steadfast.claim_workflows('hsi-e', 1)$$);
select steadfast_test.as_role(:'worker', $$select steadfast.record_step('hsi-src', 1, 'a', '1')$$);
select steadfast_test.as_role(:'worker', $$select steadfast.complete_workflow('hsi-src', 1, '"done"')$$);
select count(*) from steadfast.create_schedule('hsi_sched', '* * * * *', 'job', '{"queue": "hsi_q"}');
update steadfast.schedules set next_fire_at = date_trunc('minute', now()) - interval '1 minute' where name = 'hsi_sched';

-- Control: the tick, as the worker, creates its occurrence.
select steadfast_test.as_role(:'worker', $$select steadfast.tick_schedules()$$);
select ok(exists (select 1 from steadfast.workflows where id like 'schedule:hsi\_sched@%'),
          'the tick (as the worker) still starts its occurrence under a schedule: id');
select id as fired from steadfast.workflows where id like 'schedule:hsi\_sched@%' order by id limit 1 \gset

-- try_as(role, sql) → 'ok' (followed by ', created ' and the ids of the workflows the call
-- created), or the SQLSTATE raised (a call that raises creates nothing: it is one statement).
-- Always rolled back, so each call sees the same fixtures.
create function pg_temp.try_as(p_role text, p_sql text) returns text language plpgsql as $$
declare
    v_before text[] := array(select id from steadfast.workflows);
    v_result text;
begin
    begin
        execute format('set local role %I', p_role);
        execute p_sql;
        reset role;
        v_result := 'ok' || coalesce(', created ' || (select string_agg(id, ', ' order by id) from steadfast.workflows
                                                      where id <> all (v_before)), '');
        raise exception using errcode = 'ZZ001';
    exception
        when sqlstate 'ZZ001' then return v_result;
        when others then return sqlstate;
    end;
end $$;

create temp table reserved_ids (id text primary key);
insert into reserved_ids values ('schedule:hsi_sched@2030-01-01T00:00:00Z'), ('schedule:nightly@2026-03-08T07:30:00Z'),
                                ('schedule:'), ('schedule:x'), (:'fired');

create temp table calls (role_set text, fn text, sql text);
insert into calls values
    ('client', 'start_workflow', $$select count(*) from steadfast.start_workflow(%L, 'job', '{}', '{"queue": "hsi_q"}')$$),
    ('client', 'start_workflows', $$select count(*) from steadfast.start_workflows(
        jsonb_build_array(jsonb_build_object('name', 'job', 'workflow_id', %L)), '{"queue": "hsi_q"}')$$),
    ('client', 'start_workflows (in a batch)', $$select count(*) from steadfast.start_workflows(
        jsonb_build_array(jsonb_build_object('name', 'job', 'workflow_id', 'hsi-fine'),
                          jsonb_build_object('name', 'job', 'workflow_id', %L)), '{"queue": "hsi_q"}')$$),
    -- (a dedup_key takes the batch off the set-based path: element by element)
    ('client', 'start_workflows (element by element)', $$select count(*) from steadfast.start_workflows(
        jsonb_build_array(jsonb_build_object('name', 'job', 'workflow_id', %L)), '{"queue": "hsi_q", "dedup_key": "hsi-k"}')$$),
    ('client', 'fork_workflow', $$select count(*) from steadfast.fork_workflow('hsi-src', 1, jsonb_build_object('workflow_id', %L))$$);
insert into calls select 'worker', fn, sql from calls where role_set = 'client';
insert into calls values
    ('worker', 'start_workflow_and_claim', $$select count(*) from steadfast.start_workflow_and_claim('hsi-e', %L, 'job', '{}', '{"queue": "hsi_q"}')$$);

create temp table results as
select c.role_set, c.fn, r.id,
       pg_temp.try_as(case c.role_set when 'client' then :'client' else :'worker' end, format(c.sql, r.id)) as got
from calls c cross join reserved_ids r;

select is_empty(format($q$select id || ' → ' || got from results where role_set = %L and fn = %L and got <> 'SF005' order by 1$q$,
                       c.role_set, c.fn),
                c.role_set || ': ' || c.fn || ' with a schedule: id raises SF005')
from calls c order by c.role_set, c.fn;

-- Controls: ordinary ids, even ones containing 'schedule:', are accepted.
select is(pg_temp.try_as(:'client', $$select count(*) from steadfast.start_workflow('my-schedule:x', 'job', '{}', '{"queue": "hsi_q"}')$$),
          'ok, created my-schedule:x', 'an id that merely contains schedule: is accepted');
select is(pg_temp.try_as(:'worker', $$select count(*) from steadfast.start_workflow_and_claim('hsi-e', 'hsi-plain', 'job', '{}', '{"queue": "hsi_q"}')$$),
          'ok, created hsi-plain', 'and an ordinary id, by start_workflow_and_claim too');
select is(pg_temp.try_as(:'client', $$select count(*) from steadfast.fork_workflow('hsi-src', 1, '{"workflow_id": "hsi-forked"}')$$),
          'ok, created hsi-forked', 'and by fork_workflow (the fork above was refused for its id alone)');

select * from finish();
rollback;
