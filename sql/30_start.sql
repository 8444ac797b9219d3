-- Starting workflows.

-- _new_workflow(workflow_id, name, input, options, function) → a workflows row, validated and
-- filled with its defaults, not yet inserted. Options: queue (default "default"), priority
-- (integer, lower runs first; default 0), delay_seconds (number ≥ 0) or available_at
-- (timestamp), app_version, max_recovery_attempts (integer ≥ 1; default 10), retry (a retry
-- policy, see _retry_policy), parent_id, parent_step, deadline (timestamp).
-- Raises SF005 (bad argument), SF001 (unknown queue), SF006 (input too large).
create or replace function steadfast._new_workflow(p_workflow_id text, p_name text, p_input jsonb,
                                                  p_options jsonb, p_function text)
returns steadfast.workflows
language plpgsql
volatile
set search_path = ''
as $fn$
declare
    v_now timestamptz := steadfast.now();
    v_options jsonb := steadfast._options(p_options,
        array['queue', 'priority', 'delay_seconds', 'available_at', 'app_version', 'max_recovery_attempts',
              'retry', 'parent_id', 'parent_step', 'deadline'], p_function);
    v_delay double precision := steadfast._opt_number(v_options, 'delay_seconds');
    w steadfast.workflows;
begin
    w.id := steadfast._require_text(coalesce(p_workflow_id, pg_catalog.gen_random_uuid()::text), 'workflow_id', p_function);
    w.name := steadfast._require_text(p_name, 'name', p_function);
    w.input := steadfast._check_payload(coalesce(p_input, 'null'::jsonb), 'workflow input');
    w.queue := steadfast._opt_text(v_options, 'queue', 'default');
    if not exists (select 1 from steadfast.queues q where q.name = w.queue) then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('%s: unknown queue %s', p_function, pg_catalog.quote_literal(w.queue));
    end if;
    w.priority := steadfast._opt_int(v_options, 'priority', 0);
    if v_delay is not null and steadfast._opt_timestamptz(v_options, 'available_at') is not null then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: give delay_seconds or available_at, not both', p_function);
    end if;
    if v_delay < 0 or v_delay > 3153600000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: delay_seconds must be between 0 and 100 years, got %s', p_function, v_delay);
    end if;
    w.available_at := coalesce(steadfast._opt_timestamptz(v_options, 'available_at'),
                               v_now + pg_catalog.make_interval(secs => coalesce(v_delay, 0)));
    w.app_version := steadfast._opt_text(v_options, 'app_version');
    w.max_recovery_attempts := steadfast._opt_int(v_options, 'max_recovery_attempts', 10);
    if w.max_recovery_attempts < 1 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: max_recovery_attempts must be ≥ 1, got %s', p_function, w.max_recovery_attempts);
    end if;
    w.retry_policy := steadfast._retry_policy(v_options -> 'retry');
    w.parent_id := steadfast._opt_text(v_options, 'parent_id');
    w.parent_step := steadfast._opt_text(v_options, 'parent_step');
    w.deadline := steadfast._opt_timestamptz(v_options, 'deadline');
    w.status := 'enqueued';
    w.attempt := 0;
    w.recovery_attempts := 0;
    w.retry_count := 0;
    w.step_count := 0;
    w.created_at := v_now;
    w.updated_at := v_now;
    return w;
end;
$fn$;

-- start_workflow(workflow_id, name, input, options) →
--   (workflow_id, status, created, queue, available_at, output, error).
-- Enqueues a workflow: `input` is any JSON (SQL null means JSON null); workflow_id null → a
-- generated UUID; options as in _new_workflow. Idempotent on the id: when a workflow with this
-- id and name exists, it is returned unchanged with created = false (its input and options
-- are not compared). Notifies steadfast_enqueued with the queue's name when the workflow is
-- claimable now. Raises SF002 (the id belongs to a workflow with another name), SF005, SF001
-- (unknown queue), SF006.
create or replace function steadfast.start_workflow(p_workflow_id text, p_name text, p_input jsonb default 'null',
                                                    p_options jsonb default '{}')
returns table (workflow_id text, status text, created boolean, queue text, available_at timestamptz,
               output jsonb, error jsonb)
language plpgsql
security definer
set search_path = ''
as $fn$
#variable_conflict use_column
declare
    w steadfast.workflows := steadfast._new_workflow(p_workflow_id, p_name, p_input, p_options, 'start_workflow');
begin
    insert into steadfast.workflows select w.* on conflict (id) do nothing;
    if found then
        if w.available_at <= steadfast.now() then
            perform pg_catalog.pg_notify('steadfast_enqueued', w.queue);
        end if;
        return query select w.id, w.status, true, w.queue, w.available_at, null::jsonb, null::jsonb;
        return;
    end if;
    return query select e.id, e.status, false, e.queue, e.available_at, e.output, e.error
                 from steadfast._existing_workflow(w.id, w.name, 'start_workflow') e;
end;
$fn$;

-- _existing_workflow(id, name, function) → the workflow with that id, when its name matches.
-- Raises SF002 when the name differs.
create or replace function steadfast._existing_workflow(p_workflow_id text, p_name text, p_function text)
returns steadfast.workflows
language plpgsql
stable
set search_path = ''
as $fn$
declare
    e steadfast.workflows;
begin
    select * into e from steadfast.workflows w where w.id = p_workflow_id;
    if e.name is distinct from p_name then
        raise exception using errcode = 'SF002',
            message = pg_catalog.format('%s: workflow id %s is already used by workflow %s', p_function,
                                        pg_catalog.quote_literal(p_workflow_id), pg_catalog.quote_literal(e.name)),
            detail = pg_catalog.format('requested name: %s', p_name);
    end if;
    return e;
end;
$fn$;
