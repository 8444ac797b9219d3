-- Reading workflows.

-- schema_version() → the highest migration applied; clients refuse a database whose schema
-- is newer than they understand.
create or replace function steadfast.schema_version()
returns integer
language sql
stable
security definer
set search_path = ''
as $fn$
    select coalesce(pg_catalog.max(version), 0) from steadfast.schema_migrations
$fn$;

-- get_workflow(workflow_id) → (workflow_id, name, status, queue, input, output, error, attempt,
-- recovery_attempts, retry_count, executor_id, available_at, created_at, updated_at,
-- started_at, completed_at, steps): one workflow with its steps in recording order.
-- Read-only. Raises SF001 (unknown workflow), SF005.
create or replace function steadfast.get_workflow(p_workflow_id text)
returns table (workflow_id text, name text, status text, queue text, input jsonb, output jsonb, error jsonb,
               attempt integer, recovery_attempts integer, retry_count integer, executor_id text,
               available_at timestamptz, created_at timestamptz, updated_at timestamptz,
               started_at timestamptz, completed_at timestamptz, steps jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $fn$
#variable_conflict use_column
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'get_workflow');
    return query
    select w.id, w.name, w.status, w.queue, w.input, w.output, w.error, w.attempt, w.recovery_attempts,
           w.retry_count, w.executor_id, w.available_at, w.created_at, w.updated_at, w.started_at,
           w.completed_at, steadfast._steps(w.id)
    from steadfast.workflows w where w.id = p_workflow_id;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('get_workflow: unknown workflow %s', pg_catalog.quote_literal(p_workflow_id));
    end if;
end;
$fn$;

-- list_workflows(options) → (workflow_id, name, status, queue, attempt, executor_id,
-- created_at, updated_at, completed_at, error), newest first.
-- Options: status (one status or an array of them), name, queue, limit (1…1000; default
-- 100), before_created_at + before_id (keyset pagination: pass the last row's created_at and
-- workflow_id to get the next page). Read-only. Raises SF005 (bad option or unknown status).
create or replace function steadfast.list_workflows(p_options jsonb default '{}')
returns table (workflow_id text, name text, status text, queue text, attempt integer, executor_id text,
               created_at timestamptz, updated_at timestamptz, completed_at timestamptz, error jsonb)
language plpgsql
stable
security definer
set search_path = ''
as $fn$
#variable_conflict use_column
declare
    v_options jsonb := steadfast._options(p_options,
        array['status', 'name', 'queue', 'limit', 'before_created_at', 'before_id'], 'list_workflows');
    v_statuses text[];
    v_limit integer := steadfast._opt_int(v_options, 'limit', 100);
    v_before timestamptz := steadfast._opt_timestamptz(v_options, 'before_created_at');
    v_before_id text := steadfast._opt_text(v_options, 'before_id', '');
    v_name text := steadfast._opt_text(v_options, 'name');
    v_queue text := steadfast._opt_text(v_options, 'queue');
    v_bad text;
begin
    if pg_catalog.jsonb_typeof(v_options -> 'status') = 'string' then
        v_statuses := array[v_options ->> 'status'];
    else
        v_statuses := steadfast._opt_text_array(v_options, 'status');
    end if;
    select s into v_bad from pg_catalog.unnest(v_statuses) s
    where s not in ('enqueued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'dead') limit 1;
    if v_bad is not null then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('list_workflows: unknown status %s', pg_catalog.quote_literal(v_bad));
    end if;
    if v_limit < 1 or v_limit > 1000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('list_workflows: limit must be between 1 and 1000, got %s', v_limit);
    end if;
    return query
    select w.id, w.name, w.status, w.queue, w.attempt, w.executor_id, w.created_at, w.updated_at,
           w.completed_at, w.error
    from steadfast.workflows w
    where (v_statuses is null or w.status = any (v_statuses))
      and (v_name is null or w.name = v_name)
      and (v_queue is null or w.queue = v_queue)
      and (v_before is null or (w.created_at, w.id) < (v_before, v_before_id))
    order by w.created_at desc, w.id desc
    limit v_limit;
end;
$fn$;
