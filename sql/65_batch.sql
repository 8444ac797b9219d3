-- Batched writes: many executions' checkpoints and completions in one transaction.
--
-- A worker running many workflows at once writes a checkpoint for each of their steps. One
-- transaction per write costs a commit (and a round trip) each, and on a small server the
-- commits, not the writes, are what the CPU spends its time on. record_batch takes the writes
-- that piled up while the previous batch was committing — from different workflows, each
-- waiting for its own — and applies them in one transaction: group commit, done by the
-- client. Each write is the same as its single call (record_step, complete_workflow) and is
-- refused on its own (fenced, unknown, non-deterministic) without failing the others.

-- _record_batch_at_once(writes) → record_batch's rows when the whole batch can be applied
-- set-wise: every write valid, every workflow held by its write's attempt, no step recorded
-- already or past the 1 MiB below which max_workflow_bytes is not checked, and a completion
-- its workflow's last write. Then the workflows are locked in id order by one statement, the
-- steps recorded by one insert (_insert_steps), and the completions applied by one update
-- (_complete_workflows): the rows the writes one by one would give, for a fraction of the
-- statements. Otherwise no rows, and nothing changed but those row locks: record_batch then
-- applies the writes one by one, which tells each refusal and error apart. Generic plans:
-- planned for each call's arrays, its statements cost more to plan than to run.
create or replace function steadfast._record_batch_at_once(p_writes steadfast.batch_write[])
returns table (ordinal integer, error_code text, error_message text, step_key text, seq integer,
               recorded boolean, completed_at timestamptz)
language plpgsql
volatile
set plan_cache_mode = force_generic_plan
as $fn$
declare
    v_now timestamptz := steadfast.now();
    v_steps steadfast.steps[];
    v_ns integer[];
    v_keys text[];
    v_seqs integer[];
    v_done timestamptz[];
    v_count integer;
    v_ids text[];
    v_attempts integer[];
    v_outputs jsonb[];
    v_completing integer[];
    c record;
begin
    begin
        if exists (select from pg_catalog.unnest(p_writes) u where u.kind is null) then
            return;
        end if;
        -- A completion is its workflow's last write, and its only completion.
        if exists (select from (select u.kind, u.n, pg_catalog.max(u.n) over k as last,
                                       pg_catalog.count(*) filter (where u.kind = 'complete') over k as completions
                                from pg_catalog.unnest(p_writes) with ordinality as u(kind, workflow_id, attempt, name,
                                                                                       output, options, step, n)
                                window k as (partition by u.workflow_id)) x
                   where x.completions > 1 or (x.kind = 'complete' and x.n <> x.last)) then
            return;
        end if;
        select pg_catalog.array_agg(case when u.kind = 'step'
                                         then steadfast._step_row(u.workflow_id, u.attempt, u.name, u.output,
                                                                  coalesce(u.options, '{}'::jsonb), v_now)
                                         else steadfast._step_row(u.workflow_id, u.attempt, f.name, f.output,
                                                                  coalesce(f.options, '{}'::jsonb), v_now) end
                                    order by u.workflow_id, u.n),
               pg_catalog.array_agg(u.n::integer order by u.workflow_id, u.n)
        into v_steps, v_ns
        from pg_catalog.unnest(p_writes) with ordinality as u(kind, workflow_id, attempt, name, output, options, step, n)
        cross join lateral steadfast._parse_options(null::steadfast.final_step, nullif(u.step, 'null'::jsonb), 'step') f
        where u.kind = 'step' or nullif(u.step, 'null'::jsonb) is not null;
        -- Every workflow held by its write's attempt, locked in id order (sql/01_overview.sql).
        select pg_catalog.count(*)::integer into v_count
        from (select from steadfast.workflows w
              join (select distinct u.workflow_id, u.attempt from pg_catalog.unnest(p_writes) u) x on x.workflow_id = w.id
              where (w.attempt = x.attempt and w.status = 'running'
                     and (w.executor_role is null or w.executor_role = session_user)) is true
              order by w.id
              for no key update of w) l;
        if v_count < (select pg_catalog.count(*) from (select distinct u.workflow_id, u.attempt
                                                       from pg_catalog.unnest(p_writes) u) x) then
            return;
        end if;
        v_count := 0;
        for c in
            select i.step_key, i.seq, v_ns[s.ordinality] as n
            from steadfast._insert_steps(v_steps) i
            join pg_catalog.unnest(v_steps) with ordinality as s on s.workflow_id = i.workflow_id and s.step_key = i.step_key
        loop
            v_keys[c.n] := c.step_key;
            v_seqs[c.n] := c.seq;
            v_count := v_count + 1;
        end loop;
        if v_count < coalesce(pg_catalog.cardinality(v_steps), 0) then
            raise exception 'a step is recorded already, or past 1 MiB';  -- undone below
        end if;
        select pg_catalog.array_agg(u.workflow_id), pg_catalog.array_agg(u.attempt),
               pg_catalog.array_agg(steadfast._check_payload(coalesce(u.output, 'null'::jsonb), 'workflow output')),
               pg_catalog.array_agg(u.n::integer)
        into v_ids, v_attempts, v_outputs, v_completing
        from pg_catalog.unnest(p_writes) with ordinality as u(kind, workflow_id, attempt, name, output, options, step, n)
        where u.kind = 'complete';
        v_count := 0;
        if v_ids is not null then
            for c in select d.n from steadfast._complete_workflows(v_ids, v_attempts, v_outputs, v_now) as d(n) loop
                v_done[v_completing[c.n]] := v_now;
                v_count := v_count + 1;
            end loop;
            if v_count < pg_catalog.cardinality(v_ids) then
                raise exception 'a completion was refused';  -- undone below
            end if;
        end if;
    exception when others then
        return;  -- one by one, then
    end;
    return query
    select u.n::integer, null::text, null::text, v_keys[u.n], v_seqs[u.n], v_keys[u.n] is not null or null, v_done[u.n]
    from pg_catalog.unnest(p_writes) with ordinality as u(kind, workflow_id, attempt, name, output, options, step, n)
    order by u.workflow_id, u.n;
end;
$fn$;

-- record_batch(writes) → (ordinal, error_code, error_message, step_key, seq, recorded,
-- completed_at), one row per write, in the order they were applied (match them by ordinal,
-- the write's 1-based position in the array).
-- `writes` is a JSON array of at most 1000 objects, each either
--   {"kind": "step", "workflow_id", "attempt", "name", "output", "options"} — as record_step, or
--   {"kind": "complete", "workflow_id", "attempt", "output", "step"?} — as complete_workflow;
--   with "step": {"name", "output", "options"} (as record_step's), the workflow's last step is
--   recorded first and the completion applied only if the step was: the last checkpoint and
--   the result commit together, one round trip and one transaction where two were (a refusal
--   of the step is the write's refusal, and nothing of it is applied).
-- Writes are applied in workflow id order (then array order), so that two batches lock the
-- workflows' rows in the same order and never deadlock each other. A write refused for a reason
-- of its own workflow — SF001 (unknown workflow), SF003 (fenced), SF008 (another role's executor holds it), SF006 (its steps would
-- exceed max_workflow_bytes), SF007 (a different result already recorded), 40001 (numbering
-- raced, at repeatable read) — comes back with error_code
-- and error_message and changes nothing; the others are applied. Anything else wrong with a
-- write (a bad argument, SF005; a payload too large, SF006) raises, naming the write
-- (record_batch[n]), and nothing in the batch is applied: a client then sends the writes one by
-- one to learn which failed. Locks the rows of the batch's workflows; notifies
-- steadfast_finished for each completion.
create or replace function steadfast.record_batch(p_writes jsonb)
returns table (ordinal integer, error_code text, error_message text, step_key text, seq integer,
               recorded boolean, completed_at timestamptz)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    v_writes steadfast.batch_write[];
    v record;
    s steadfast.final_step;
    v_refused text;
    r record;
    v_count integer;
    v_n integer;
    v_code text;
    v_message text;
    v_detail text;
    v_hint text;
begin
    if p_writes is null or pg_catalog.jsonb_typeof(p_writes) <> 'array' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('record_batch: writes must be a JSON array, got %s',
                                        coalesce(pg_catalog.jsonb_typeof(p_writes), 'null'));
    end if;
    v_count := pg_catalog.jsonb_array_length(p_writes);
    if v_count > 1000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('record_batch: at most 1000 writes per call, got %s', v_count);
    end if;
    v_writes := steadfast._parse_array(null::steadfast.batch_write, p_writes, 'record_batch');
    -- At once when there are several writes (one costs fewer statements on its own).
    if v_count > 1 then
        return query select * from steadfast._record_batch_at_once(v_writes);
        if found then
            return;
        end if;
    end if;
    -- One exception block for the batch (one subtransaction, not one per write), to name the
    -- write an error came from.
    begin
    for v in
        select u.kind, u.workflow_id, u.attempt, u.name, u.output, u.options, u.step, u.ordinality::integer as n
        from pg_catalog.unnest(v_writes) with ordinality as u
        order by u.workflow_id, u.ordinality
    loop
        v_n := v.n;
        ordinal := v.n;
        step_key := null; seq := null; recorded := null; completed_at := null;
        if v.kind = 'step' then
            r := steadfast._record_step(v.workflow_id, v.attempt, v.name, v.output, coalesce(v.options, '{}'::jsonb));
            step_key := r.step_key; seq := r.seq; recorded := r.recorded;
        elsif v.kind = 'complete' then
            v_refused := null;
            s := null;
            -- The last step first; a refused step is the write's refusal. Fenced (SF003) may
            -- mean that this very write was applied already (its answer lost, sent again): the
            -- completion, idempotent, tells — and then the step is the one it recorded.
            if nullif(v.step, 'null'::jsonb) is not null then
                s := steadfast._parse_options(null::steadfast.final_step, v.step, 'step');
                r := steadfast._record_step(v.workflow_id, v.attempt, s.name, s.output, coalesce(s.options, '{}'::jsonb));
                step_key := r.step_key; seq := r.seq; recorded := r.recorded;
                v_refused := r.error_code;
            end if;
            if v_refused is null or v_refused = 'SF003' then
                r := steadfast._complete_workflow(v.workflow_id, v.attempt, v.output);
                completed_at := r.completed_at;
                if completed_at is not null and step_key is null and s.name is not null then
                    select x.step_key, x.seq, false into step_key, seq, recorded
                    from steadfast.steps x
                    where x.workflow_id = v.workflow_id
                      and x.step_key = steadfast._step_key(s.name, coalesce((steadfast._parse_options(
                              null::steadfast.step_options, s.options, 'record_step')).occurrence, 1));
                end if;
            end if;
        else
            raise exception using errcode = 'SF005', message = 'option kind is required ("step" or "complete")';
        end if;
        error_code := r.error_code;
        error_message := r.error_message;
        return next;
    end loop;
    exception when others then
        get stacked diagnostics v_code = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
                                v_hint = pg_exception_hint;
        perform steadfast._raise(v_code, pg_catalog.format('record_batch[%s]: %s', v_n, v_message),
                                 nullif(v_detail, ''), nullif(v_hint, ''));
    end;
end;
$fn$;
comment on function steadfast.record_batch(jsonb) is
    'Applies many record_step and complete_workflow writes in one transaction; each write is refused on its own (SF001, SF003, SF006 past max_workflow_bytes, SF007, SF008, 40001 in its row), any other error fails the batch. SF005, SF006.';
