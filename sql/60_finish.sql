-- Finishing workflows: complete, fail, retry.

-- _complete_workflows(workflow_ids, attempts, outputs, now) → the 1-based positions of the
-- workflows completed: each workflow whose row is `running` under that attempt, from a session
-- of the role whose executor holds it, becomes `succeeded` with that output (checked by the
-- caller), completed `now`, and steadfast_finished is notified with its id. The others are
-- left as they are (the caller tells why). The one statement that completes workflows, for a
-- single completion and a batch's alike: one update for a batch's completions, not one each
-- (a batch of 20 cost 20 statements). Generic plan: by id, whatever the array holds.
create or replace function steadfast._complete_workflows(p_workflow_ids text[], p_attempts integer[], p_outputs jsonb[],
                                                         p_now timestamptz)
returns setof integer
language plpgsql
volatile
set plan_cache_mode = force_generic_plan
as $fn$
declare
    r record;
begin
    for r in
        update steadfast.workflows w
        set status = 'succeeded', output = c.output, error = null, executor_id = null,
            recovery_attempts = 0, completed_at = p_now, updated_at = p_now
        from rows from (pg_catalog.unnest(p_workflow_ids), pg_catalog.unnest(p_attempts), pg_catalog.unnest(p_outputs))
             with ordinality as c(workflow_id, attempt, output, n)
        where w.id = c.workflow_id
          and (w.attempt = c.attempt and w.status = 'running'
               and (w.executor_role is null or w.executor_role = session_user)) is true  -- by id (sql/01_overview.sql)
        returning c.n::integer as n, w.id
    loop
        perform pg_catalog.pg_notify('steadfast_finished', r.id);
        return next r.n;
    end loop;
end;
$fn$;

-- _complete_workflow(workflow_id, attempt, output) → (completed_at, error_code, error_message,
-- error_detail, error_hint): complete_workflow's work. Bad arguments raise (SF005, SF006); a
-- refused completion (unknown workflow SF001, fenced SF003, another role's SF008) is returned in error_* instead,
-- changing nothing, for record_batch.
create or replace function steadfast._complete_workflow(p_workflow_id text, p_attempt integer, p_output jsonb,
                                                        out completed_at timestamptz, out error_code text,
                                                        out error_message text, out error_detail text,
                                                        out error_hint text)
language plpgsql
volatile
as $fn$
#variable_conflict use_column
declare
    v_now timestamptz := steadfast.now();
    v_output jsonb := steadfast._check_payload(coalesce(p_output, 'null'::jsonb), 'workflow output');
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'complete_workflow');
    if p_attempt is null or p_attempt < 1 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('complete_workflow: attempt must be ≥ 1, got %s', coalesce(p_attempt::text, 'null'));
    end if;
    perform from steadfast._complete_workflows(array[p_workflow_id], array[p_attempt], array[v_output], v_now);
    if found then
        completed_at := v_now;
        return;
    end if;
    select w.completed_at into completed_at from steadfast.workflows w
    where w.id = p_workflow_id and w.attempt = p_attempt and w.status = 'succeeded' and w.output = v_output;
    if found then
        return;
    end if;
    select * into error_code, error_message, error_detail, error_hint
    from steadfast._refusal(p_workflow_id, p_attempt, 'complete_workflow');
end;
$fn$;

-- complete_workflow(workflow_id, attempt, output) → completed_at.
-- The workflow succeeded with `output` (any JSON; SQL null means JSON null). Fenced like
-- record_step: only the current attempt of a running workflow may complete it (SF003).
-- Idempotent: completing again with the same attempt and output returns the first completion
-- time. Notifies steadfast_finished with the workflow id. Locks the workflow row.
-- Raises SF001, SF003, SF005, SF006, SF008 (another role's executor holds it).
create or replace function steadfast.complete_workflow(p_workflow_id text, p_attempt integer, p_output jsonb default 'null')
returns timestamptz
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    r record;
begin
    r := steadfast._complete_workflow(p_workflow_id, p_attempt, p_output);
    if r.error_code is not null then
        perform steadfast._raise(r.error_code, r.error_message, r.error_detail, r.error_hint);
    end if;
    return r.completed_at;
end;
$fn$;
comment on function steadfast.complete_workflow(text, integer, jsonb) is
    'Completes a running workflow with its output (fenced by attempt, SF003); notifies steadfast_finished.';

-- fail_workflow(workflow_id, attempt, error, options) → (status, available_at, retry_count).
-- The workflow's code failed with `error` (a JSON object, e.g. {"type", "message"}). When a
-- retry policy applies (options.retry, else the policy the workflow was started with) and
-- runs remain (retry_count + 1 < max_attempts), the workflow goes back to its queue as
-- `enqueued`, available after the policy's delay, keeping the steps that succeeded (those
-- recorded as failed are forgotten, so the retry runs them again); otherwise it is `failed`
-- and steadfast_finished is notified. options.retryable = false fails it at once. Fenced like
-- record_step (SF003). Idempotent for the same attempt and error. Locks the workflow row.
-- Raises SF001, SF003, SF005 (bad error or policy; unknown policy kind), SF006, SF008
-- (another role's executor holds it).
create or replace function steadfast.fail_workflow(p_workflow_id text, p_attempt integer, p_error jsonb,
                                                   p_options jsonb default '{}')
returns table (status text, available_at timestamptz, retry_count integer)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_now timestamptz := steadfast.now();
    o steadfast.fail_options := steadfast._parse_options(null::steadfast.fail_options, p_options, 'fail_workflow');
    v_policy jsonb := steadfast._retry_policy(o.retry);
    v_retryable boolean := coalesce(o.retryable, true);
    w steadfast.workflows;
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'fail_workflow');
    if p_attempt is null or p_attempt < 1 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('fail_workflow: attempt must be ≥ 1, got %s', coalesce(p_attempt::text, 'null'));
    end if;
    if p_error is null or pg_catalog.jsonb_typeof(p_error) <> 'object' then
        raise exception using errcode = 'SF005', message = 'fail_workflow: error must be a JSON object';
    end if;
    perform steadfast._check_payload(p_error, 'workflow error');

    select * into w from steadfast.workflows x
    where x.id = p_workflow_id
      and (x.attempt = p_attempt and x.status = 'running'
           and (x.executor_role is null or x.executor_role = session_user)) is true  -- by id (sql/01_overview.sql)
    for update;
    if not found then
        -- A retried call whose first try committed: same attempt, same error.
        return query select x.status, x.available_at, x.retry_count from steadfast.workflows x
                     where x.id = p_workflow_id and x.attempt = p_attempt and x.error = p_error
                       and x.error_attempt = p_attempt and x.status in ('failed', 'enqueued');
        if found then
            return;
        end if;
        perform steadfast._fenced(p_workflow_id, p_attempt, 'fail_workflow');
    end if;

    v_policy := coalesce(v_policy, w.retry_policy);
    if v_retryable and v_policy is not null and w.retry_count + 1 < (v_policy ->> 'max_attempts')::integer then
        delete from steadfast.steps s where s.workflow_id = p_workflow_id and s.error is not null;
        return query
        update steadfast.workflows x
        set status = 'enqueued', error = p_error, error_attempt = p_attempt, executor_id = null, recovery_attempts = 0,
            retry_count = x.retry_count + 1, updated_at = v_now,
            available_at = v_now + pg_catalog.make_interval(secs => steadfast._retry_delay(v_policy, x.retry_count))
        where x.id = p_workflow_id
        returning x.status, x.available_at, x.retry_count;
        return;
    end if;

    return query
    update steadfast.workflows x
    set status = 'failed', error = p_error, error_attempt = p_attempt, executor_id = null, recovery_attempts = 0,
        completed_at = v_now, updated_at = v_now
    where x.id = p_workflow_id
    returning x.status, x.available_at, x.retry_count;
    perform pg_catalog.pg_notify('steadfast_finished', p_workflow_id);
end;
$fn$;
comment on function steadfast.fail_workflow(text, integer, jsonb, jsonb) is
    'Fails a running workflow with its error (fenced by attempt), or schedules a retry per its policy; notifies steadfast_finished when final.';
