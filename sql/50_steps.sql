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

-- _held(workflow_id, attempt) → whether that attempt holds the workflow: it is running at
-- that attempt, claimed by a session of this login role (or by an executor without one). If
-- so, its row is locked FOR NO KEY UPDATE until the caller's transaction ends, so that the
-- workflow's writes happen one at a time. The fence of every write an execution makes; by id
-- (sql/01_overview.sql).
create or replace function steadfast._held(p_workflow_id text, p_attempt integer)
returns boolean
language plpgsql
volatile
as $fn$
begin
    perform from steadfast.workflows w
    where w.id = p_workflow_id
      and (w.attempt = p_attempt and w.status = 'running'
           and (w.executor_role is null or w.executor_role = session_user)) is true
    for no key update;
    return found;
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

-- _step_row(workflow_id, attempt, name, output, options, now) → the steps row record_step
-- would write at `now`, but for seq and total_bytes: total_bytes holds the step's own share of
-- the workflow's total (its output and error, key and name, and 256 bytes of bookkeeping),
-- which _insert_steps adds to the workflow's. record_step's argument checks, in one place for
-- every writer; raises SF005 or SF006 (a payload too large), reads nothing.
-- (Its first form, without `now`, lived on main for a day: dropped where it was installed.)
drop function if exists steadfast._step_row(text, integer, text, jsonb, jsonb);
create or replace function steadfast._step_row(p_workflow_id text, p_attempt integer, p_name text, p_output jsonb,
                                               p_options jsonb, p_now timestamptz)
returns steadfast.steps
language plpgsql
stable
as $fn$
declare
    o steadfast.step_options := steadfast._parse_options(null::steadfast.step_options, p_options, 'record_step');
    v_error jsonb := nullif(o.error, 'null'::jsonb);
    s steadfast.steps;
begin
    -- Assigned, not PERFORMed: an assignment's expression skips the executor (1 µs each).
    s.workflow_id := steadfast._require_text(p_workflow_id, 'workflow_id', 'record_step');
    s.name := steadfast._require_text(p_name, 'name', 'record_step');
    if p_attempt is null or p_attempt < 1 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('record_step: attempt must be ≥ 1, got %s', coalesce(p_attempt::text, 'null'));
    end if;
    if pg_catalog.strpos(p_name, '#') > 0 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('record_step: step name %s contains #, which separates the occurrence in step keys',
                                        steadfast._echo(p_name));
    end if;
    if v_error is not null and pg_catalog.jsonb_typeof(v_error) <> 'object' then
        raise exception using errcode = 'SF005', message = 'record_step: error must be a JSON object';
    end if;
    if v_error is not null and p_output is not null and pg_catalog.jsonb_typeof(p_output) <> 'null' then
        raise exception using errcode = 'SF005', message = 'record_step: a step has an output or an error, not both';
    end if;
    s.step_key := steadfast._step_key(p_name, coalesce(o.occurrence, 1));
    s.output := case when v_error is null then steadfast._check_payload(coalesce(p_output, 'null'::jsonb), 'step output') end;
    s.error := steadfast._check_payload(v_error, 'step error');
    s.child_workflow_id := o.child_workflow_id;
    s.attempt := p_attempt;
    s.step_attempts := coalesce(o.step_attempts, 1);
    s.parallel := coalesce(o.parallel, false);
    s.started_at := steadfast._instant(o.started_at, 'started_at', 'record_step');
    s.completed_at := p_now;
    s.total_bytes := 256::bigint + pg_catalog.octet_length(s.step_key) + pg_catalog.octet_length(p_name)
                     + coalesce(pg_catalog.pg_column_size(s.output), 0) + coalesce(pg_catalog.pg_column_size(s.error), 0)
                     + coalesce(pg_catalog.octet_length(s.child_workflow_id), 0);
    return s;
end;
$fn$;

-- _insert_steps(rows) → the rows inserted, of rows made by _step_row (for workflows whose
-- rows the caller holds locked): numbered after each workflow's last recorded step in array
-- order (seq), with the workflow's running total of steps' bytes (total_bytes: a claim and
-- get_workflow return all of a workflow's steps, so a workflow may not record more than
-- settings.max_workflow_bytes, never less than 1 MiB, so that a smaller total is not
-- checked). A row past that limit, or whose key or number is taken, is not inserted; the
-- caller tells which. Its plan is the generic one: planned for each call's array, the insert
-- cost more than it saved (170 µs a checkpoint).
create or replace function steadfast._insert_steps(p_rows steadfast.steps[])
returns setof steadfast.steps
language plpgsql
volatile
set plan_cache_mode = force_generic_plan
as $fn$
begin
    return query
    insert into steadfast.steps as x (workflow_id, step_key, seq, name, output, error, child_workflow_id, attempt,
                                      step_attempts, parallel, started_at, completed_at, total_bytes)
    select n.workflow_id, n.step_key, n.seq, n.name, n.output, n.error, n.child_workflow_id, n.attempt,
           n.step_attempts, n.parallel, n.started_at, n.completed_at, n.total_bytes
    from (select s.workflow_id, s.step_key, coalesce(l.seq, 0) + pg_catalog.row_number() over w as seq,
                 s.name, s.output, s.error, s.child_workflow_id, s.attempt, s.step_attempts, s.parallel,
                 s.started_at, s.completed_at, coalesce(l.total_bytes, 0) + pg_catalog.sum(s.total_bytes) over w as total_bytes
          from pg_catalog.unnest(p_rows) with ordinality as s
          left join lateral (select y.seq, y.total_bytes from steadfast.steps y where y.workflow_id = s.workflow_id
                             order by y.seq desc limit 1) l on true
          window w as (partition by s.workflow_id order by s.ordinality)) n
    where n.total_bytes <= 1048576 or n.total_bytes <= steadfast._max_workflow_bytes()
    on conflict do nothing
    returning x.*;
end;
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
    s steadfast.steps := steadfast._step_row(p_workflow_id, p_attempt, p_name, p_output, p_options, steadfast.now());
    v_existing steadfast.steps;
    v_total bigint;
begin
    if not steadfast._held(p_workflow_id, p_attempt) then
        select * into error_code, error_message, error_detail, error_hint
        from steadfast._refusal(p_workflow_id, p_attempt, 'record_step');
        return;
    end if;
    select i.step_key, i.seq, true into step_key, seq, recorded from steadfast._insert_steps(array[s]) i;
    if found then
        return;
    end if;

    select * into v_existing from steadfast.steps x where x.workflow_id = p_workflow_id and x.step_key = s.step_key;
    if found then
        if v_existing.output is not distinct from s.output and v_existing.error is not distinct from s.error then
            step_key := s.step_key; seq := v_existing.seq; recorded := false;
            return;
        end if;
        error_code := 'SF007';
        error_message := pg_catalog.format('record_step: step %s of workflow %s is already recorded with a different result',
                                           steadfast._echo(s.step_key), steadfast._echo(p_workflow_id));
        error_detail := pg_catalog.format('recorded output %s, error %s', pg_catalog.left(v_existing.output::text, 200),
                                          pg_catalog.left(v_existing.error::text, 200));
        error_hint := 'The workflow is not deterministic: its code called this step again with a different outcome.';
        return;
    end if;
    select x.total_bytes + s.total_bytes into v_total
    from steadfast.steps x where x.workflow_id = p_workflow_id order by x.seq desc limit 1;
    if v_total > 1048576 and v_total > steadfast._max_workflow_bytes() then
        error_code := 'SF006';
        error_message := pg_catalog.format('record_step: workflow %s would record %s bytes of steps, more than the limit of %s bytes',
                                           steadfast._echo(p_workflow_id), v_total, steadfast._max_workflow_bytes());
        error_hint := 'Return less from steps (store large data elsewhere and record a reference), or raise max_workflow_bytes (steadfast.set_settings).';
        return;
    end if;
    -- Not the key but the number was taken: the caller's transaction reads from a snapshot
    -- older than another step of this workflow (repeatable read or serializable).
    error_code := '40001';
    error_message := pg_catalog.format('record_step: another step of workflow %s was recorded concurrently',
                                       steadfast._echo(p_workflow_id));
    error_hint := 'Retry the transaction.';
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
