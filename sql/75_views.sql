-- Views for operators in psql, and the read functions that serve the same rows to roles.
--
-- The views are for the role that owns the schema (the DBA's psql session): `\d+
-- steadfast.workflow_overview` explains each. They are granted to no application role, like
-- the tables: a role granted the viewer set (grant_viewer) reads the same rows through
-- list_workflows, get_workflow, list_steps and list_executors, whose columns and errors are
-- a documented contract where a view's shape may change between versions.
--
-- The views depend on the tables' columns: a migration that changes the type of a column a
-- view reads must drop that view first (this file re-creates it after every migration).
--
--   select * from steadfast.workflow_overview where status = 'failed' order by created_at desc limit 20;
--   select * from steadfast.workflow_steps where workflow_id = 'order-1';
--   select * from steadfast.executor_overview;
--   select * from steadfast.stranded_workflows;

-- _live_executors() → the executors that can claim now: not stopped, lease not expired, and
-- their database session still holds its advisory lock (_executor_locks, read from pg_locks;
-- nothing is locked, unlike the probe claim_workflows makes). Read-only.
create or replace function steadfast._live_executors()
returns setof steadfast.executors
language sql
stable
as $fn$
    select e.*
    from steadfast.executors e
    where e.stopped_at is null
      and e.lease_expires_at > steadfast.now()
      and exists (select 1 from steadfast._executor_locks() l where l.pid = e.session_pid and l.lock_key = e.lock_key)
$fn$;

-- _can_run(executor, workflow name, queue, app_version) → whether that executor would claim
-- such a workflow: it claims from the queue, its app_version is null or equal to the
-- workflow's (a workflow without a version runs anywhere), and the workflow names it
-- registered (metadata.workflows, when the worker told) include the name.
create or replace function steadfast._can_run(p_executor steadfast.executors, p_name text, p_queue text,
                                              p_app_version text)
returns boolean
language sql
immutable
as $fn$
    select p_queue = any (p_executor.queues)
       and (p_executor.app_version is null or p_app_version is null or p_executor.app_version = p_app_version)
       and (pg_catalog.jsonb_typeof(p_executor.metadata -> 'workflows') is distinct from 'array'
            or (p_executor.metadata -> 'workflows') ? p_name)
$fn$;

create or replace view steadfast.workflow_overview as
select w.id as workflow_id,
       w.name,
       w.status,
       w.queue,
       w.priority,
       w.app_version,
       w.attempt,
       w.recovery_attempts,
       w.retry_count,
       (select pg_catalog.count(*) from steadfast.steps s where s.workflow_id = w.id)::integer as steps,
       w.executor_id,
       w.parent_id,
       w.forked_from,
       w.forked_at_step,
       w.created_at,
       w.available_at,
       w.started_at,
       w.completed_at,
       w.started_at - w.created_at as queued_for,
       coalesce(w.completed_at, steadfast.now()) - w.started_at as run_time,
       w.error ->> 'type' as error_type,
       pg_catalog.left(w.error ->> 'message', 200) as error_message,
       case when w.status <> 'waiting' then null
            when w.wait ->> 'kind' = 'children' and w.wait ->> 'mode' = 'any'
            then 'first of ' || (w.wait ->> 'children') || ' children'
            when w.wait ->> 'kind' = 'children'
            then least((w.wait ->> 'finished')::integer, (w.wait ->> 'children')::integer) || ' of '
                 || (w.wait ->> 'children') || ' children'
            when w.wait ->> 'kind' = 'event'
            then 'event ' || (w.wait ->> 'key') || ' of ' || (w.wait ->> 'workflow') || coalesce(' until ' || (w.wait ->> 'until'), '')
            when w.wait ->> 'kind' = 'message'
            then 'message on ' || (w.wait ->> 'topic') || coalesce(' until ' || (w.wait ->> 'until'), '')
            else (w.wait ->> 'kind') || coalesce(' until ' || (w.wait ->> 'until'), '') end as waiting_for,
       w.traceparent
from steadfast.workflows w;
comment on view steadfast.workflow_overview is
    'One row per workflow: status, name, queue, version, claims (attempt), recovery and retry counts, steps recorded, lineage, timings (queued_for: created → first claim; run_time: first claim → finished, or → now while unfinished), a summary of its error, and what a waiting one waits for (waiting_for: "sleep until …", "3 of 5 children" finished, "first of 2 children", "message on approvals until …"), and the W3C traceparent its executions join (its trace id: substr(traceparent, 4, 32)).';

create or replace view steadfast.workflow_steps as
select s.workflow_id,
       s.seq,
       s.step_key,
       s.name,
       case when s.error is null then 'succeeded' else 'failed' end as status,
       s.started_at,
       s.completed_at,
       s.completed_at - s.started_at as duration,
       s.step_attempts,
       s.attempt,
       s.parallel,
       s.child_workflow_id,
       s.output,
       s.error
from steadfast.steps s;
comment on view steadfast.workflow_steps is
    'The recorded steps (checkpoints) of every workflow: order (seq, the number fork_workflow takes), key, name, outcome, timings, how many times the step ran (step_attempts), the workflow attempt that recorded it, and its output or error. Filter by workflow_id and order by seq.';

create or replace view steadfast.executor_overview as
with live as (select e.id from steadfast._live_executors() e)
select e.id as executor_id,
       e.host,
       e.pid,
       e.app_version,
       e.queues,
       case when e.stopped_at is not null then 'stopped'
            when e.id in (select live.id from live) then 'alive'
            when e.lease_expires_at <= steadfast.now() then 'lease expired'
            else 'session lost' end as state,
       e.id in (select live.id from live) as alive,
       (select pg_catalog.count(*) from steadfast.workflows w
        where w.executor_id = e.id and w.status = 'running')::integer as running,
       e.registered_at,
       e.heartbeat_at,
       e.lease_expires_at,
       e.stopped_at,
       e.stop_reason,
       e.metadata -> 'workflows' as workflows
from steadfast.executors e;
comment on view steadfast.executor_overview is
    'One row per executor (worker process): state (alive; lease expired or session lost: dead but not yet noticed by a claim; stopped), version, queues, the workflows it is running now, heartbeat and lease, and the workflow names it registered (when its worker told).';

create or replace view steadfast.stranded_workflows as
with live as (select e from steadfast._live_executors() e)
select w.id as workflow_id,
       w.name,
       w.status,
       w.queue,
       w.app_version,
       w.created_at,
       case when not exists (select 1 from live) then 'no live executor'
            when not exists (select 1 from live where w.queue = any ((live.e).queues))
                then pg_catalog.format('no live executor claims from queue %s', w.queue)
            when not exists (select 1 from live where w.queue = any ((live.e).queues)
                             and ((live.e).app_version is null or w.app_version is null
                                  or (live.e).app_version = w.app_version))
                then pg_catalog.format('no live executor runs app_version %s', w.app_version)
            else pg_catalog.format('no live executor has workflow %s registered', w.name) end as reason
from steadfast.workflows w
where (w.status in ('enqueued', 'waiting')
       or (w.status = 'running' and not exists (select 1 from live where (live.e).id = w.executor_id)))
  and not exists (select 1 from live where steadfast._can_run(live.e, w.name, w.queue, w.app_version));
comment on view steadfast.stranded_workflows is
    'Unfinished workflows no live executor can run (none claims from their queue, runs their app_version, or registered their name), with the reason. Move them with resume_workflow(id, {"queue", "app_version"}) or fork them.';

-- list_steps(workflow_id) → (workflow_id, seq, step_key, name, status, started_at,
-- completed_at, step_attempts, attempt, parallel, child_workflow_id, output, error): the
-- workflow's recorded steps in order (seq), as the view workflow_steps shows them. `seq` is
-- the number fork_workflow's from_step refers to. Read-only. Raises SF001 (unknown workflow),
-- SF005.
create or replace function steadfast.list_steps(p_workflow_id text)
returns table (workflow_id text, seq integer, step_key text, name text, status text, started_at timestamptz,
               completed_at timestamptz, step_attempts integer, attempt integer, parallel boolean,
               child_workflow_id text, output jsonb, error jsonb)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'list_steps');
    if not exists (select 1 from steadfast.workflows w where w.id = p_workflow_id) then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('list_steps: unknown workflow %s', steadfast._echo(p_workflow_id));
    end if;
    return query
    select s.workflow_id, s.seq, s.step_key, s.name, s.status, s.started_at, s.completed_at, s.step_attempts,
           s.attempt, s.parallel, s.child_workflow_id, s.output, s.error
    from steadfast.workflow_steps s
    where s.workflow_id = p_workflow_id
    order by s.seq;
end;
$fn$;
comment on function steadfast.list_steps(text) is
    'The recorded steps of one workflow in order (seq: what fork_workflow''s from_step counts), with timings, runs, output or error. SF001 when the workflow is unknown.';

-- list_executors(options) → (executor_id, host, pid, app_version, queues, state, alive,
-- running, registered_at, heartbeat_at, lease_expires_at, stopped_at, stop_reason,
-- workflows), as the view executor_overview shows them, ordered by id; queues and workflows
-- are JSON arrays. Options: include_stopped (boolean; default false: only executors not
-- stopped, which includes dead ones no claim has noticed yet). Read-only. Raises SF005.
create or replace function steadfast.list_executors(p_options jsonb default '{}')
returns table (executor_id text, host text, pid integer, app_version text, queues jsonb, state text,
               alive boolean, running integer, registered_at timestamptz, heartbeat_at timestamptz,
               lease_expires_at timestamptz, stopped_at timestamptz, stop_reason text, workflows jsonb)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_all boolean := coalesce((steadfast._parse_options(null::steadfast.list_executors_options, p_options,
                                                        'list_executors')).include_stopped, false);
begin
    return query
    select e.executor_id, e.host, e.pid, e.app_version, pg_catalog.to_jsonb(e.queues), e.state, e.alive,
           e.running, e.registered_at, e.heartbeat_at, e.lease_expires_at, e.stopped_at, e.stop_reason,
           e.workflows
    from steadfast.executor_overview e
    where v_all or e.stopped_at is null
    order by e.executor_id;
end;
$fn$;
comment on function steadfast.list_executors(jsonb) is
    'Executors (worker processes): alive or dead, version, queues, how many workflows each is running, heartbeat and lease. Option include_stopped (default false).';
