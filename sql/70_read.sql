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
