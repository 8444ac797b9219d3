-- Checkpoints: recording a step's result.

-- _refusal(workflow_id, attempt, function) → (error_code, error_message, error_detail,
-- error_hint): why a write by that attempt is refused — SF001 when the workflow does not exist,
-- SF008 when the attempt holds it but the caller's login role is not the role that claimed it
-- (workflows.executor_role: worker sessions of one role trust each other — a pool writes the
-- checkpoints of what its executor claimed — but another role may not write to them even
-- knowing their attempt, which any viewer can read), SF003 otherwise (reclaimed, released, or no longer running), with
-- the current status and attempt in the detail. Reads only; raises nothing.
create or replace function steadfast._refusal(p_workflow_id text, p_attempt integer, p_function text,
                                              out error_code text, out error_message text,
                                              out error_detail text, out error_hint text)
language plpgsql
stable
as $fn$
declare
    w steadfast.workflows;
begin
    select * into w from steadfast.workflows x where x.id = p_workflow_id;
    if not found then
        error_code := 'SF001';
        error_message := pg_catalog.format('%s: unknown workflow %s', p_function, steadfast._echo(p_workflow_id));
        return;
    end if;
    if w.status = 'running' and w.attempt = p_attempt then
        -- The attempt holds it, but under an executor registered by another role.
        error_code := 'SF008';
        error_message := pg_catalog.format('%s: workflow %s is held by an executor of another role', p_function,
                                           steadfast._echo(p_workflow_id));
        error_hint := 'Only sessions of the role that registered the executor write to its workflows.';
        return;
    end if;
    error_code := 'SF003';
    error_message := pg_catalog.format('%s: attempt %s no longer holds workflow %s', p_function, p_attempt,
                                       steadfast._echo(p_workflow_id));
    error_detail := pg_catalog.format('The workflow is %s at attempt %s.', w.status, w.attempt);
    error_hint := 'Another execution owns it now: abandon this one.';
end;
$fn$;

-- _fenced(workflow_id, attempt, function) raises the _refusal of a write by that attempt.
create or replace function steadfast._fenced(p_workflow_id text, p_attempt integer, p_function text)
returns void
language plpgsql
stable
as $fn$
declare
    r record;
begin
    r := steadfast._refusal(p_workflow_id, p_attempt, p_function);
    perform steadfast._raise(r.error_code, r.error_message, r.error_detail, r.error_hint);
end;
$fn$;

-- _step_key(name, occurrence) → the step's key: the name for its first occurrence in a
-- workflow, `name#n` for the n-th. Unpinned and immutable throughout so that the planner
-- inlines it (a SQL function call that is not inlined is parsed and planned on every call).
create or replace function steadfast._step_key(p_name text, p_occurrence integer)
returns text
language sql
immutable
as $fn$
    select case when p_occurrence = 1 then p_name else p_name || '#' || p_occurrence::text end
$fn$;

-- _record_step(workflow_id, attempt, name, output, options) → (step_key, seq, recorded,
-- error_code, error_message, error_detail, error_hint): record_step's work. Bad arguments
-- raise (SF005, SF006); a write refused for a reason of this workflow's own — unknown (SF001),
-- fenced (SF003), the workflow's steps would exceed max_workflow_bytes (SF006), a different
-- result recorded (SF007), the numbering raced (40001) — is
-- returned in error_* instead, changing nothing, so that record_batch can refuse one write
-- and keep the others.
create or replace function steadfast._record_step(p_workflow_id text, p_attempt integer, p_name text,
                                                  p_output jsonb, p_options jsonb,
                                                  out step_key text, out seq integer, out recorded boolean,
                                                  out error_code text, out error_message text,
                                                  out error_detail text, out error_hint text)
language plpgsql
volatile
as $fn$
#variable_conflict use_column
declare
    o steadfast.step_options := steadfast._parse_options(null::steadfast.step_options, p_options, 'record_step');
    v_occurrence integer := coalesce(o.occurrence, 1);
    v_started_at timestamptz := steadfast._instant(o.started_at, 'started_at', 'record_step');
    v_error jsonb := o.error;
    v_key text;
    v_output jsonb;
    v_seq integer;
    v_last_seq integer;
    v_total bigint;
    v_existing steadfast.steps;
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'record_step');
    perform steadfast._require_text(p_name, 'name', 'record_step');
    if p_attempt is null or p_attempt < 1 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('record_step: attempt must be ≥ 1, got %s', coalesce(p_attempt::text, 'null'));
    end if;
    if pg_catalog.strpos(p_name, '#') > 0 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('record_step: step name %s contains #, which separates the occurrence in step keys',
                                        steadfast._echo(p_name));
    end if;
    if v_error is not null and pg_catalog.jsonb_typeof(v_error) = 'null' then
        v_error := null;
    end if;
    if v_error is not null and pg_catalog.jsonb_typeof(v_error) <> 'object' then
        raise exception using errcode = 'SF005', message = 'record_step: error must be a JSON object';
    end if;
    if v_error is not null and p_output is not null and pg_catalog.jsonb_typeof(p_output) <> 'null' then
        raise exception using errcode = 'SF005', message = 'record_step: a step has an output or an error, not both';
    end if;
    perform steadfast._check_payload(p_output, 'step output');
    perform steadfast._check_payload(v_error, 'step error');
    v_key := steadfast._step_key(p_name, v_occurrence);
    v_output := case when v_error is null then coalesce(p_output, 'null'::jsonb) end;

    -- Fence and lock: only the holder of the current attempt may write, one step at a time.
    perform from steadfast.workflows w
    where w.id = p_workflow_id
      and (w.attempt = p_attempt and w.status = 'running'
           and (w.executor_role is null or w.executor_role = session_user)) is true  -- by id (sql/01_overview.sql)
    for no key update;
    if not found then
        select * into error_code, error_message, error_detail, error_hint
        from steadfast._refusal(p_workflow_id, p_attempt, 'record_step');
        return;
    end if;
    -- Number after the last recorded step, and keep the running total of the workflow's steps
    -- (their outputs and errors, keys and names, and 256 bytes of bookkeeping each): a claim
    -- and get_workflow return them all, so a workflow may not record more than
    -- settings.max_workflow_bytes (never less than 1 MiB, so a smaller total is not checked).
    select s.seq, s.total_bytes into v_last_seq, v_total
    from steadfast.steps s where s.workflow_id = p_workflow_id order by s.seq desc limit 1;
    v_total := coalesce(v_total, 0) + 256 + pg_catalog.octet_length(v_key) + pg_catalog.octet_length(p_name)
               + coalesce(pg_catalog.pg_column_size(v_output), 0) + coalesce(pg_catalog.pg_column_size(v_error), 0)
               + coalesce(pg_catalog.octet_length(o.child_workflow_id), 0);
    if v_total > 1048576 and v_total > steadfast._max_workflow_bytes()
       and not exists (select 1 from steadfast.steps s where s.workflow_id = p_workflow_id and s.step_key = v_key) then
        error_code := 'SF006';
        error_message := pg_catalog.format('record_step: workflow %s would record %s bytes of steps, more than the limit of %s bytes',
                                           steadfast._echo(p_workflow_id), v_total, steadfast._max_workflow_bytes());
        error_hint := 'Return less from steps (store large data elsewhere and record a reference), or raise max_workflow_bytes (steadfast.set_settings).';
        return;
    end if;
    insert into steadfast.steps (workflow_id, step_key, seq, name, output, error, child_workflow_id, attempt,
                                 step_attempts, parallel, started_at, completed_at, total_bytes)
    values (p_workflow_id, v_key, coalesce(v_last_seq, 0) + 1,
            p_name, v_output, v_error, o.child_workflow_id, p_attempt, coalesce(o.step_attempts, 1),
            coalesce(o.parallel, false), v_started_at, steadfast.now(), v_total)
    on conflict do nothing
    returning seq into v_seq;
    if found then
        step_key := v_key; seq := v_seq; recorded := true;
        return;
    end if;

    select * into v_existing from steadfast.steps s where s.workflow_id = p_workflow_id and s.step_key = v_key;
    if not found then
        -- Not the key but the number was taken: the caller's transaction reads from a snapshot
        -- older than another step of this workflow (repeatable read or serializable).
        error_code := '40001';
        error_message := pg_catalog.format('record_step: another step of workflow %s was recorded concurrently',
                                           steadfast._echo(p_workflow_id));
        error_hint := 'Retry the transaction.';
        return;
    end if;
    if v_existing.output is not distinct from v_output and v_existing.error is not distinct from v_error then
        step_key := v_key; seq := v_existing.seq; recorded := false;
        return;
    end if;
    error_code := 'SF007';
    error_message := pg_catalog.format('record_step: step %s of workflow %s is already recorded with a different result',
                                       steadfast._echo(v_key), steadfast._echo(p_workflow_id));
    error_detail := pg_catalog.format('recorded output %s, error %s', pg_catalog.left(v_existing.output::text, 200),
                                      pg_catalog.left(v_existing.error::text, 200));
    error_hint := 'The workflow is not deterministic: its code called this step again with a different outcome.';
end;
$fn$;

-- record_step(workflow_id, attempt, name, output, options) → (step_key, seq, recorded).
-- The checkpoint: stores the result of the step `name` (its `occurrence`-th call in the
-- workflow, default 1) for the execution holding `attempt`. `output` is the step's JSON
-- result; a step that failed for good records options.error (a JSON object) and a null output.
-- Other options: occurrence (integer ≥ 1), started_at (timestamp), step_attempts (integer ≥ 1,
-- how many times the step's code ran), child_workflow_id, parallel (boolean: another step of
-- the workflow ran at the same time; default false).
-- Fenced: only the workflow's current attempt, while `running`, may record (SF003 otherwise),
-- from a session of the role that registered the executor holding it (SF008 otherwise).
-- Idempotent: recording exactly the same output and error again returns recorded = false and
-- changes nothing; a different result for a recorded key raises SF007 and changes nothing.
-- Step names may not contain '#' (it separates the occurrence in keys). `seq` numbers the
-- steps in recording order (one more than the last recorded). Locks the workflow row FOR NO
-- KEY UPDATE (serializing the workflow's concurrent steps). A step that would make the
-- workflow's recorded steps total more than settings.max_workflow_bytes is refused (SF006),
-- so that a claim or get_workflow of it stays bounded. Raises SF001, SF003, SF005, SF006,
-- SF007, SF008 (another role's executor holds it), and 40001 (serialization failure) when a caller at repeatable read or serializable
-- records a step while another step of the same workflow commits.
create or replace function steadfast.record_step(p_workflow_id text, p_attempt integer, p_name text,
                                                 p_output jsonb, p_options jsonb default '{}')
returns table (step_key text, seq integer, recorded boolean)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    r record;
begin
    r := steadfast._record_step(p_workflow_id, p_attempt, p_name, p_output, p_options);
    if r.error_code is not null then
        perform steadfast._raise(r.error_code, r.error_message, r.error_detail, r.error_hint);
    end if;
    step_key := r.step_key; seq := r.seq; recorded := r.recorded;
    return next;
end;
$fn$;
comment on function steadfast.record_step(text, integer, text, jsonb, jsonb) is
    'The checkpoint: records a step''s output (or error) for the execution holding attempt; fenced (SF003); the same result again is accepted, a different one is SF007.';
