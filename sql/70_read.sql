-- Reading workflows.

-- schema_version() → the highest migration applied; clients refuse a database whose schema
-- is newer than they understand.
create or replace function steadfast.schema_version()
returns integer
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select coalesce(pg_catalog.max(version), 0) from steadfast.schema_migrations
$fn$;
comment on function steadfast.schema_version() is
    'The highest migration applied to this database.';

-- breaking_migrations_after(version) → (version, name): the migrations applied to this database
-- after `version` that break code built for it (marked `-- steadfast: breaking`). A build for
-- schema N runs against a newer database when this is empty for N (the compatibility window);
-- otherwise it must be upgraded. Read-only.
create or replace function steadfast.breaking_migrations_after(p_version integer)
returns table (version integer, name text)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select m.version, m.name from steadfast.schema_migrations m
    where m.version > coalesce(p_version, 0) and m.breaking
    order by m.version
$fn$;
comment on function steadfast.breaking_migrations_after(integer) is
    'The applied migrations after a version that break code built for it; empty: that code may run here.';

-- get_workflow(workflow_id) → (workflow_id, name, status, queue, input, output, error, attempt,
-- recovery_attempts, retry_count, executor_id, available_at, created_at, updated_at,
-- started_at, completed_at, steps, priority, app_version, parent_id, parent_step, forked_from,
-- forked_at_step, max_recovery_attempts, deadline, wait): one workflow with its steps in
-- recording order (see _steps; list_steps has their timings); `wait`, for a waiting workflow,
-- what it waits for ({"kind": "sleep", "step", "until"}). Read-only. Raises SF001 (unknown
-- workflow), SF005.
create or replace function steadfast.get_workflow(p_workflow_id text)
returns table (workflow_id text, name text, status text, queue text, input jsonb, output jsonb, error jsonb,
               attempt integer, recovery_attempts integer, retry_count integer, executor_id text,
               available_at timestamptz, created_at timestamptz, updated_at timestamptz,
               started_at timestamptz, completed_at timestamptz, steps jsonb,
               priority integer, app_version text, parent_id text, parent_step text, forked_from text,
               forked_at_step integer, max_recovery_attempts integer, deadline timestamptz, wait jsonb)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'get_workflow');
    return query
    select w.id, w.name, w.status, w.queue, w.input, w.output, w.error, w.attempt, w.recovery_attempts,
           w.retry_count, w.executor_id, w.available_at, w.created_at, w.updated_at, w.started_at,
           w.completed_at, steadfast._steps(w.id), w.priority, w.app_version, w.parent_id, w.parent_step,
           w.forked_from, w.forked_at_step, w.max_recovery_attempts, w.deadline, w.wait
    from steadfast.workflows w where w.id = p_workflow_id;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('get_workflow: unknown workflow %s', steadfast._echo(p_workflow_id));
    end if;
end;
$fn$;
comment on function steadfast.get_workflow(text) is
    'One workflow: status, input, output, error, timings, lineage, and its steps (JSON array, recording order). SF001 when unknown.';

-- _statuses(value, function) → the statuses a `status` option names: a string (one status) or
-- an array of strings; null for SQL or JSON null. SF005 for anything else, naming the option.
-- Whether each is a status the caller accepts is the caller's check.
create or replace function steadfast._statuses(p_value jsonb, p_function text)
returns text[]
language plpgsql
immutable
as $fn$
begin
    case pg_catalog.jsonb_typeof(p_value)
        when 'string' then
            return array[p_value #>> '{}'];
        when 'array' then
            if not exists (select from pg_catalog.jsonb_array_elements(p_value) x where pg_catalog.jsonb_typeof(x) <> 'string') then
                return array(select pg_catalog.jsonb_array_elements_text(p_value));
            end if;
        else
            if p_value is null or pg_catalog.jsonb_typeof(p_value) = 'null' then
                return null;
            end if;
    end case;
    raise exception using errcode = 'SF005',
        message = pg_catalog.format('%s: option status must be a status or an array of statuses, got %s', p_function,
                                    steadfast._echo(p_value));
end;
$fn$;

-- list_workflows(options) → (workflow_id, name, status, queue, attempt, executor_id,
-- created_at, updated_at, completed_at, error, priority, app_version, parent_id, forked_from,
-- forked_at_step, started_at, wait), newest first.
-- Options (all optional, combined with AND): status (one status or an array of them), name,
-- queue, app_version, parent_id (the children of that workflow), forked_from (the forks of
-- that workflow), created_after (created at or after this time), created_before (created
-- strictly before), stranded (true: only workflows no live executor can run, as the view
-- steadfast.stranded_workflows shows), limit (1…1000; default 100), before_created_at +
-- before_id (keyset pagination: pass the last row's created_at and workflow_id to get the
-- next page). Read-only. Raises SF005 (bad option or unknown status).
create or replace function steadfast.list_workflows(p_options jsonb default '{}')
returns table (workflow_id text, name text, status text, queue text, attempt integer, executor_id text,
               created_at timestamptz, updated_at timestamptz, completed_at timestamptz, error jsonb,
               priority integer, app_version text, parent_id text, forked_from text, forked_at_step integer,
               started_at timestamptz, wait jsonb)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.list_options := steadfast._parse_options(null::steadfast.list_options, p_options, 'list_workflows');
    v_statuses text[] := steadfast._statuses(o.status, 'list_workflows');
    v_limit integer := coalesce(o."limit", 100);
    v_before timestamptz := steadfast._instant(o.before_created_at, 'before_created_at', 'list_workflows');
    v_before_id text := coalesce(o.before_id, '');
    v_name text := o.name;
    v_queue text := o.queue;
    v_version text := o.app_version;
    v_parent text := o.parent_id;
    v_forked_from text := o.forked_from;
    v_after timestamptz := steadfast._instant(o.created_after, 'created_after', 'list_workflows');
    v_until timestamptz := steadfast._instant(o.created_before, 'created_before', 'list_workflows');
    v_stranded boolean := coalesce(o.stranded, false);
    v_bad text;
begin
    select s into v_bad from pg_catalog.unnest(v_statuses) s
    where s not in ('enqueued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'dead') limit 1;
    if v_bad is not null then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('list_workflows: unknown status %s', steadfast._echo(v_bad));
    end if;
    return query
    select w.id, w.name, w.status, w.queue, w.attempt, w.executor_id, w.created_at, w.updated_at,
           w.completed_at, w.error, w.priority, w.app_version, w.parent_id, w.forked_from, w.forked_at_step,
           w.started_at, w.wait
    from steadfast.workflows w
    where (v_statuses is null or w.status = any (v_statuses))
      and (v_name is null or w.name = v_name)
      and (v_queue is null or w.queue = v_queue)
      and (v_version is null or w.app_version = v_version)
      and (v_parent is null or w.parent_id = v_parent)
      and (v_forked_from is null or w.forked_from = v_forked_from)
      and (v_after is null or w.created_at >= v_after)
      and (v_until is null or w.created_at < v_until)
      and (not v_stranded or exists (select 1 from steadfast.stranded_workflows s where s.workflow_id = w.id))
      and (v_before is null or (w.created_at, w.id) < (v_before, v_before_id))
    order by w.created_at desc, w.id desc
    limit v_limit;
end;
$fn$;
comment on function steadfast.list_workflows(jsonb) is
    'Workflows newest first, filtered by status, name, queue, app_version, parent_id, forked_from, created_after/created_before, stranded; keyset pagination with before_created_at + before_id; limit 1…1000 (default 100).';

-- list_stranded(options) → (workflow_id, name, status, queue, app_version, created_at, reason):
-- the workflows no live executor can run (the view steadfast.stranded_workflows: enqueued or
-- waiting ones no live executor claims, running ones whose executor is gone), oldest first,
-- each with why — no live executor, none on its queue, none of its app_version, none with its
-- workflow registered. Options: queue, name, limit (1…1000; default 100). Read-only. Raises
-- SF005.
create or replace function steadfast.list_stranded(p_options jsonb default '{}')
returns table (workflow_id text, name text, status text, queue text, app_version text, created_at timestamptz,
               reason text)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.stranded_options := steadfast._parse_options(null::steadfast.stranded_options, p_options, 'list_stranded');
begin
    return query
    select s.workflow_id, s.name, s.status, s.queue, s.app_version, s.created_at, s.reason
    from steadfast.stranded_workflows s
    where (o.queue is null or s.queue = o.queue) and (o.name is null or s.name = o.name)
    order by s.created_at, s.workflow_id
    limit coalesce(o."limit", 100);
end;
$fn$;
comment on function steadfast.list_stranded(jsonb) is
    'Workflows no live executor can run, oldest first, each with the reason; options queue, name, limit (1…1000, default 100). SF005.';
