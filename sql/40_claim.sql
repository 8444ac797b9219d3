-- Claiming workflows: the only way a workflow becomes `running`.

-- _live_executor(executor_id, function) → the executor's row, when it is registered and not
-- stopped. Raises SF001 (unknown) or SF003 (stopped: declared dead or deregistered).
create or replace function steadfast._live_executor(p_executor_id text, p_function text)
returns steadfast.executors
language plpgsql
stable
set search_path = ''
as $fn$
declare
    e steadfast.executors;
begin
    perform steadfast._require_text(p_executor_id, 'executor_id', p_function);
    select * into e from steadfast.executors x where x.id = p_executor_id;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('%s: unknown executor %s', p_function, pg_catalog.quote_literal(p_executor_id)),
            hint = 'Call steadfast.register_executor first.';
    end if;
    if e.stopped_at is not null then
        raise exception using errcode = 'SF003',
            message = pg_catalog.format('%s: executor %s was stopped (%s)', p_function,
                                        pg_catalog.quote_literal(p_executor_id), e.stop_reason),
            hint = 'Register again.';
    end if;
    return e;
end;
$fn$;

-- _steps(workflow_id) → the workflow's recorded steps as a JSON array in recording order:
-- [{"key", "seq", "name", "output", "error", "child_workflow_id", "parallel", "attempt"}, …],
-- where attempt is the workflow attempt that recorded the step.
create or replace function steadfast._steps(p_workflow_id text)
returns jsonb
language sql
stable
set search_path = ''
as $fn$
    select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
               'key', s.step_key, 'seq', s.seq, 'name', s.name, 'output', s.output, 'error', s.error,
               'child_workflow_id', s.child_workflow_id, 'parallel', s.parallel,
               'attempt', s.attempt) order by s.seq), '[]'::jsonb)
    from steadfast.steps s
    where s.workflow_id = p_workflow_id
$fn$;

-- _take(workflow ids, executor) → the ids that are now `running` under that executor.
-- For each (already locked by the caller) enqueued workflow: increments attempt (the fencing
-- token) and recovery_attempts; when recovery_attempts had reached max_recovery_attempts the
-- workflow becomes `dead` instead, with an error saying so, and steadfast_finished is notified.
create or replace function steadfast._take(p_workflow_ids text[], p_executor_id text)
returns text[]
language plpgsql
set search_path = ''
as $fn$
declare
    v_now timestamptz := steadfast.now();
    v_running text[];
    r record;
begin
    for r in
        update steadfast.workflows w
        set status = case when w.recovery_attempts >= w.max_recovery_attempts then 'dead' else 'running' end,
            executor_id = case when w.recovery_attempts >= w.max_recovery_attempts then null else p_executor_id end,
            attempt = w.attempt + 1,
            recovery_attempts = w.recovery_attempts + 1,
            started_at = coalesce(w.started_at, v_now),
            updated_at = v_now,
            completed_at = case when w.recovery_attempts >= w.max_recovery_attempts then v_now end,
            error = case when w.recovery_attempts >= w.max_recovery_attempts
                         then pg_catalog.jsonb_build_object(
                                  'type', 'recovery_attempts_exhausted',
                                  'message', pg_catalog.format('claimed %s times without finishing (max_recovery_attempts = %s)',
                                                               w.recovery_attempts, w.max_recovery_attempts),
                                  'last_error', w.error)
                         else w.error end
        where w.id = any (p_workflow_ids) and w.status = 'enqueued'
        returning w.id, w.status
    loop
        if r.status = 'dead' then
            perform pg_catalog.pg_notify('steadfast_finished', r.id);
        else
            v_running := v_running || r.id;
        end if;
    end loop;
    return coalesce(v_running, '{}');
end;
$fn$;

-- claim_workflows(executor_id, limit, options) →
--   (workflow_id, name, queue, input, attempt, app_version, parent_id, deadline, created_at, steps)
-- one row per workflow now `running` under the executor, at most `limit` (1…1000), with all
-- its recorded steps (see _steps) so the caller can replay without another round trip.
-- First recovers the workflows of dead executors (_recover_workflows), then takes enqueued
-- workflows whose available_at has come, from the executor's queues in order (option
-- `queues`, an array of queue names, overrides them; option `names`, an array of workflow
-- names, restricts the claim to workflows the caller can run), lowest priority first and FIFO within,
-- skipping rows other claimers hold (FOR UPDATE SKIP LOCKED): concurrent claimers never get
-- the same workflow. An executor with an app_version takes workflows of that version or of
-- none; one without takes every version. Each claim increments `attempt`: present it to every
-- later write. A workflow claimed past its max_recovery_attempts becomes `dead` and is not
-- returned, and the claim goes on to the next candidates. An executor whose lease has expired
-- may not claim (SF003: heartbeat or register again first) — others may be taking over its
-- workflows. Raises SF001 (unknown executor or queue), SF003 (executor stopped or its lease
-- expired), SF005.
create or replace function steadfast.claim_workflows(p_executor_id text, p_limit integer default 1,
                                                     p_options jsonb default '{}')
returns table (workflow_id text, name text, queue text, input jsonb, attempt integer, app_version text,
               parent_id text, deadline timestamptz, created_at timestamptz, steps jsonb)
language plpgsql
security definer
set search_path = ''
as $fn$
#variable_conflict use_column
declare
    v_executor steadfast.executors := steadfast._live_executor(p_executor_id, 'claim_workflows');
    v_options jsonb := steadfast._options(p_options, array['queues', 'names'], 'claim_workflows');
    v_queues text[] := steadfast._opt_text_array(v_options, 'queues', v_executor.queues);
    v_names text[] := steadfast._opt_text_array(v_options, 'names');
    v_now timestamptz := steadfast.now();
    v_queue text;
    v_picked text[];
    v_taken text[];
    v_round integer;
    v_claimed text[] := '{}';
begin
    if p_limit is null or p_limit < 1 or p_limit > 1000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('claim_workflows: limit must be between 1 and 1000, got %s', coalesce(p_limit::text, 'null'));
    end if;
    select q into v_queue from pg_catalog.unnest(v_queues) q
    where not exists (select 1 from steadfast.queues sq where sq.name = q) limit 1;
    if v_queue is not null then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('claim_workflows: unknown queue %s', pg_catalog.quote_literal(v_queue));
    end if;

    if v_executor.lease_expires_at <= v_now then
        raise exception using errcode = 'SF003',
            message = pg_catalog.format('claim_workflows: the lease of executor %s expired at %s',
                                        pg_catalog.quote_literal(p_executor_id), v_executor.lease_expires_at),
            hint = 'Heartbeat (or register again) before claiming.';
    end if;

    perform steadfast._recover_workflows();

    foreach v_queue in array v_queues loop
        -- Candidates past their recovery limit become dead instead of running: take more.
        for v_round in 1..3 loop
            exit when pg_catalog.cardinality(v_claimed) >= p_limit;
            select pg_catalog.array_agg(c.id) into v_picked
            from (select w.id from steadfast.workflows w
                  where w.queue = v_queue and w.status = 'enqueued' and w.available_at <= v_now
                    and (v_executor.app_version is null or w.app_version is null or w.app_version = v_executor.app_version)
                    and (v_names is null or w.name = any (v_names))
                  order by w.priority, w.available_at, w.id
                  limit p_limit - pg_catalog.cardinality(v_claimed)
                  for update skip locked) c;
            exit when v_picked is null;
            v_taken := steadfast._take(v_picked, p_executor_id);
            v_claimed := v_claimed || v_taken;
            exit when pg_catalog.cardinality(v_taken) = pg_catalog.cardinality(v_picked);
        end loop;
    end loop;

    return query
    select w.id, w.name, w.queue, w.input, w.attempt, w.app_version, w.parent_id, w.deadline, w.created_at,
           steadfast._steps(w.id)
    from steadfast.workflows w
    where w.id = any (v_claimed)
    order by w.priority, w.available_at, w.id;
end;
$fn$;

-- start_workflow_and_claim(executor_id, workflow_id, name, input, options) →
--   (workflow_id, name, queue, input, attempt, app_version, parent_id, deadline, created_at,
--    steps, status, created, claimed, output, error)
-- For a caller that runs the workflow itself: starts it (as start_workflow) already `running`
-- under the executor, attempt 1, in one call. When the id exists with the same name, the
-- existing workflow is returned (created = false) and claimed if it is enqueued and claimable
-- now and no one else holds its row (claimed says which); its steps come along for replay.
-- A workflow started with a future available_at is only enqueued (claimed = false).
-- Raises SF001, SF002, SF003 (executor stopped), SF005, SF006.
create or replace function steadfast.start_workflow_and_claim(p_executor_id text, p_workflow_id text, p_name text,
                                                              p_input jsonb default 'null', p_options jsonb default '{}')
returns table (workflow_id text, name text, queue text, input jsonb, attempt integer, app_version text,
               parent_id text, deadline timestamptz, created_at timestamptz, steps jsonb,
               status text, created boolean, claimed boolean, output jsonb, error jsonb)
language plpgsql
security definer
set search_path = ''
as $fn$
#variable_conflict use_column
declare
    v_executor steadfast.executors := steadfast._live_executor(p_executor_id, 'start_workflow_and_claim');
    w steadfast.workflows := steadfast._new_workflow(p_workflow_id, p_name, p_input, p_options, 'start_workflow_and_claim');
    v_now timestamptz := steadfast.now();
    v_created boolean := false;
    v_claimed boolean := false;
    v_locked text;
begin
    if w.available_at <= v_now then
        w.status := 'running';
        w.executor_id := p_executor_id;
        w.attempt := 1;
        w.recovery_attempts := 1;
        w.started_at := v_now;
    end if;
    insert into steadfast.workflows select w.* on conflict (id) do nothing;
    if found then
        v_created := true;
        v_claimed := w.status = 'running';
    else
        perform steadfast._existing_workflow(w.id, w.name, 'start_workflow_and_claim');
        select x.id into v_locked from steadfast.workflows x
        where x.id = w.id and x.status = 'enqueued' and x.available_at <= v_now
        for update skip locked;
        if v_locked is not null then
            v_claimed := pg_catalog.cardinality(steadfast._take(array[v_locked], p_executor_id)) = 1;
        end if;
    end if;
    return query
    select x.id, x.name, x.queue, x.input, x.attempt, x.app_version, x.parent_id, x.deadline, x.created_at,
           case when v_created then '[]'::jsonb else steadfast._steps(x.id) end,
           x.status, v_created, v_claimed, x.output, x.error
    from steadfast.workflows x where x.id = w.id;
end;
$fn$;
