-- Child workflows: a workflow starts children as steps and waits for them holding nothing.
--
-- start_child_workflow starts the child and records the start as a step of the parent, in one
-- transaction: the step's output names the child, and the child's id is derived from the
-- parent's id and the step's key, so a replay — or the same call sent again — never starts a
-- second child. The child is an ordinary workflow (any queue, any worker) with parent_id and
-- parent_step set; it inherits its parent's deadline unless it sets its own or opts out.
--
-- await_children is one wait for all of several children or for the first of them. When it
-- is satisfied already, it records the children's outcomes as the parent's step and returns
-- them; otherwise the parent becomes `waiting` (wait = {"kind": "children", "step", "mode",
-- "children": how many, "finished": how many have}) and its attempt ends. A child's final
-- transition — whatever makes it succeeded, failed, cancelled or dead — counts itself in its
-- waiting parent's wait in the same transaction (the trigger workflows_child_finished,
-- migration 0014, running _child_finished), and enqueues the parent once the wait is
-- satisfied: nothing polls. The parent is claimed, replays, calls await_children again, finds
-- it satisfied and records it. The count is a hint, never trusted: every child of the parent
-- that finishes counts, awaited or not, so a parent awaiting some of its children may wake
-- before they have all finished — its await_children then counts again and waits again.
--
-- Locks: a child's final transition holds the child's row and then locks its parent's; a
-- cancel locks a tree deepest first (_lock_tree), in the same order, so the two never deadlock.

-- _child_id(parent_id, step_key) → the id of the child the parent's step starts:
-- "<parent_id>/<step_key>", or, when that is longer than 255 characters, its first 222
-- followed by "~" and the md5 of the whole.
create or replace function steadfast._child_id(p_parent_id text, p_step_key text)
returns text
language sql
immutable
as $fn$
    select case when pg_catalog.length(p_parent_id || '/' || p_step_key) <= 255 then p_parent_id || '/' || p_step_key
                else pg_catalog.left(p_parent_id || '/' || p_step_key, 222) || '~' || pg_catalog.md5(p_parent_id || '/' || p_step_key) end
$fn$;

-- _never() → the available_at of a wait that no time ends (a wait for children): 2999-12-31,
-- after any clock, yet finite, so that its comparisons and arithmetic stay ordinary.
create or replace function steadfast._never()
returns timestamptz
language sql
immutable
as $fn$
    select '2999-12-31 00:00:00+00'::timestamptz
$fn$;

-- start_child_workflow(workflow_id, attempt, name, child_name, input, options) →
--   (child_id, created, status).
-- The running workflow (fenced like record_step: SF003, SF008) starts a workflow `child_name`
-- with `input` as its step `name` (the options.occurrence-th call, default 1), and records the
-- step (output {"workflow_id": child id}, child_workflow_id set) in the same transaction.
-- Options: occurrence; workflow_id (the child's id; default _child_id(workflow_id, step key));
-- inherit_deadline (default true: a child given neither deadline nor timeout_seconds gets its
-- parent's deadline); every other key is a start option of the child (_start_template), but
-- parent_id and parent_step, which are the caller's and the step's. A later call for the
-- recorded step (a replay, or this call sent again) starts nothing and returns the recorded
-- child (created false). Notifies steadfast_enqueued when the child is claimable now. Raises
-- SF001 (unknown workflow or queue), SF002 (the child's id belongs to a workflow of another
-- name, or to one that is not this workflow's child), SF003, SF005 (bad arguments; a recorded
-- step of that key that is not a child's start), SF006, SF008, SF009 (a deduplication key held
-- by a workflow that is not this one's child). Locks the parent's row.
create or replace function steadfast.start_child_workflow(p_workflow_id text, p_attempt integer, p_name text,
                                                          p_child_name text, p_input jsonb default 'null',
                                                          p_options jsonb default '{}')
returns table (child_id text, created boolean, status text)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_own constant text[] := array['occurrence', 'workflow_id', 'inherit_deadline'];
    c steadfast.child_options;
    v_start jsonb;
    v_now timestamptz := steadfast.now();
    s steadfast.steps;
    v_recorded steadfast.steps;
    v_deadline timestamptz;
    v_id text;
    n record;
    r record;
    x steadfast.workflows;
begin
    perform steadfast._require_text(p_child_name, 'child_name', 'start_child_workflow');
    if p_options is not null and pg_catalog.jsonb_typeof(p_options) = 'object' then
        c := steadfast._parse_options(null::steadfast.child_options,
                                      (select coalesce(pg_catalog.jsonb_object_agg(e.key, e.value), '{}')
                                       from pg_catalog.jsonb_each(p_options) e where e.key = any (v_own)),
                                      'start_child_workflow');
        v_start := p_options - v_own;
    else
        v_start := p_options;  -- refused below by _new_workflows, with the start options' message
    end if;
    s := steadfast._step_row(p_workflow_id, p_attempt, p_name, null,
                             pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('occurrence', c.occurrence)),
                             v_now);
    if not steadfast._held(p_workflow_id, p_attempt) then
        perform steadfast._fenced(p_workflow_id, p_attempt, 'start_child_workflow');
    end if;

    select * into v_recorded from steadfast.steps x where x.workflow_id = p_workflow_id and x.step_key = s.step_key;
    if found then
        -- A replay, or this call sent again after it committed: the child it started.
        if v_recorded.child_workflow_id is null or v_recorded.error is not null then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('start_child_workflow: step %s of workflow %s is recorded, but not as a child''s start',
                                            steadfast._echo(s.step_key), steadfast._echo(p_workflow_id)),
                hint = 'The workflow is not deterministic: its code started a child where it ran a step before.';
        end if;
        return query select w.id, false, w.status from steadfast.workflows w where w.id = v_recorded.child_workflow_id;
        if not found then
            return query select v_recorded.child_workflow_id, false, null::text;  -- pruned since
        end if;
        return;
    end if;

    if pg_catalog.jsonb_typeof(v_start) = 'object' then
        v_start := v_start || pg_catalog.jsonb_build_object('parent_id', p_workflow_id, 'parent_step', s.step_key);
        if coalesce(c.inherit_deadline, true) and not (v_start ? 'deadline' or v_start ? 'timeout_seconds') then
            select w.deadline into v_deadline from steadfast.workflows w where w.id = p_workflow_id;
            if v_deadline is not null then
                v_start := v_start || pg_catalog.jsonb_build_object('deadline', v_deadline);
            end if;
        end if;
    end if;
    v_id := coalesce(c.workflow_id, steadfast._child_id(p_workflow_id, s.step_key));
    -- A derived id may begin with "schedule:" (the child of a scheduled workflow): allowed.
    n := steadfast._new_workflows(array[row(p_child_name, v_id, p_input, v_start)::steadfast.start_element], null,
                                  'start_child_workflow', c.workflow_id is null);
    select * into r from steadfast._insert_workflow(n.rows[1], n.policies[1], 'start_child_workflow') i;
    select * into x from steadfast.workflows w where w.id = r.workflow_id;
    if not r.created and x.parent_id is distinct from p_workflow_id then
        raise exception using errcode = case when x.id = v_id then 'SF002' else 'SF009' end,
            message = pg_catalog.format('start_child_workflow: workflow %s is not a child of workflow %s',
                                        steadfast._echo(x.id), steadfast._echo(p_workflow_id)),
            detail = pg_catalog.format('its parent: %s', coalesce(steadfast._echo(x.parent_id), 'none')),
            hint = 'Give the child an id (or deduplication key) of its own.';
    end if;
    n := steadfast._record_step(p_workflow_id, p_attempt, p_name, pg_catalog.jsonb_build_object('workflow_id', x.id),
                                pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                                    'occurrence', c.occurrence, 'child_workflow_id', x.id)));
    if n.error_code is not null then
        perform steadfast._raise(n.error_code, n.error_message, n.error_detail, n.error_hint);
    end if;
    if r.created and x.available_at <= v_now then
        perform pg_catalog.pg_notify('steadfast_enqueued', x.queue);
    end if;
    return query select x.id, r.created, x.status;
end;
$fn$;
comment on function steadfast.start_child_workflow(text, integer, text, text, jsonb, jsonb) is
    'A running workflow starts a child workflow as its step name (id derived from the parent and the step key unless given; the parent''s deadline inherited): one child however often it is called or replayed. Fenced (SF003). SF001, SF002, SF005, SF006, SF008, SF009.';

-- _child_results(children, mode) → the outcomes of the awaited children as a JSON array of
-- {"workflow_id", "status", "output", "error"}: with mode "all", of every child, in the
-- order given, once all have finished; with "any", of the first to finish (earliest
-- completed_at, then the order given), once one has. Null while the wait is not satisfied.
create or replace function steadfast._child_results(p_children text[], p_mode text)
returns jsonb
language sql
stable
as $fn$
    with c as (
        select u.n, w.id, w.status, w.output, w.error, w.completed_at,
               w.status in ('succeeded', 'failed', 'cancelled', 'dead') as finished
        from pg_catalog.unnest(p_children) with ordinality as u(id, n)
        cross join lateral (select x.id, x.status, x.output, x.error, x.completed_at
                            from steadfast.workflows x where x.id = u.id offset 0) w
    )
    select case
        when p_mode = 'all' and pg_catalog.bool_and(c.finished) then
            pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('workflow_id', c.id, 'status', c.status,
                                                               'output', c.output, 'error', c.error) order by c.n)
        when p_mode = 'any' and pg_catalog.bool_or(c.finished) then
            pg_catalog.jsonb_build_array((pg_catalog.array_agg(
                pg_catalog.jsonb_build_object('workflow_id', c.id, 'status', c.status, 'output', c.output, 'error', c.error)
                order by c.completed_at, c.n) filter (where c.finished))[1])
        end
    from c
$fn$;

-- await_children(workflow_id, attempt, name, children, options) → (waiting, results).
-- The running workflow (fenced like record_step: SF003, SF008) waits, as its step `name` (the
-- options.occurrence-th call, default 1), for its children `children` (1 to 10000 ids, no
-- null, no repeat): for all of them (options.mode "all", the default) or for the first to
-- finish ("any"). When the wait is satisfied, it records the step — output {"children":
-- results}, results as _child_results makes them: all the children's outcomes in order, or the
-- first's — and returns waiting false with the results. Otherwise the workflow becomes
-- `waiting` (no executor; wait = {"kind": "children", "step", "mode", "children": count,
-- "finished": count}; available_at _never()) and waiting is true: the caller's attempt has
-- ended, and the children's final transitions wake it (_child_finished). A later call for the
-- recorded step (a replay) returns the recorded results, whatever its arguments; the same call
-- again once its attempt is waiting (its answer lost) returns waiting true. Each awaited
-- workflow must be a child of this one (parent_id), or have finished already (the children of
-- the workflow a fork copied its steps from). Raises SF001 (unknown workflow, or an unknown
-- child), SF003, SF005 (bad arguments; an awaited workflow that is neither a child nor
-- finished; a recorded step of that key that is not a children's wait), SF006 (the results
-- exceed max_payload_bytes: await fewer children at once), SF008. Locks the workflow's row.
create or replace function steadfast.await_children(p_workflow_id text, p_attempt integer, p_name text,
                                                    p_children text[], p_options jsonb default '{}')
returns table (waiting boolean, results jsonb)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.await_options := steadfast._parse_options(null::steadfast.await_options, p_options, 'await_children');
    v_mode text := coalesce(o.mode, 'all');
    v_occurrence jsonb := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('occurrence', o.occurrence));
    v_now timestamptz := steadfast.now();
    s steadfast.steps := steadfast._step_row(p_workflow_id, p_attempt, p_name, null, v_occurrence, steadfast.now());
    v_recorded steadfast.steps;
    v_results jsonb;
    v_known integer;
    v_stranger text;
    v_finished integer;
    r record;
begin
    if p_children is null or pg_catalog.cardinality(p_children) not between 1 and 10000
       or pg_catalog.array_position(p_children, null) is not null then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('await_children: children must be 1 to 10000 workflow ids without null, got %s',
                                        coalesce(pg_catalog.cardinality(p_children)::text || ' ids', 'null'));
    end if;
    if (select pg_catalog.count(distinct u) from pg_catalog.unnest(p_children) u) < pg_catalog.cardinality(p_children) then
        raise exception using errcode = 'SF005', message = 'await_children: children repeats an id';
    end if;
    if not steadfast._held(p_workflow_id, p_attempt) then
        -- Sent again after it committed (its answer lost): the same wait of the same attempt.
        perform from steadfast.workflows w
        where w.id = p_workflow_id
          and (w.attempt = p_attempt and w.status = 'waiting' and w.wait ->> 'step' = s.step_key) is true;
        if found then
            return query select true, null::jsonb;
            return;
        end if;
        perform steadfast._fenced(p_workflow_id, p_attempt, 'await_children');
    end if;

    select * into v_recorded from steadfast.steps x where x.workflow_id = p_workflow_id and x.step_key = s.step_key;
    if found then
        -- A replay: the outcomes recorded when the wait was satisfied.
        if v_recorded.error is not null or pg_catalog.jsonb_typeof(v_recorded.output -> 'children') is distinct from 'array' then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('await_children: step %s of workflow %s is recorded, but not as a wait for children',
                                            steadfast._echo(s.step_key), steadfast._echo(p_workflow_id)),
                hint = 'The workflow is not deterministic: its code waited for children where it ran a step before.';
        end if;
        return query select false, v_recorded.output -> 'children';
        return;
    end if;

    select pg_catalog.count(*)::integer,
           pg_catalog.min(w.id) filter (where w.parent_id is distinct from p_workflow_id
                                        and w.status not in ('succeeded', 'failed', 'cancelled', 'dead')),
           (pg_catalog.count(*) filter (where w.status in ('succeeded', 'failed', 'cancelled', 'dead')))::integer
    into v_known, v_stranger, v_finished
    from pg_catalog.unnest(p_children) u(id)
    cross join lateral (select x.id, x.parent_id, x.status from steadfast.workflows x where x.id = u.id offset 0) w;
    if v_known < pg_catalog.cardinality(p_children) then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('await_children: unknown workflow %s', steadfast._echo(
                (select u from pg_catalog.unnest(p_children) u
                 where not exists (select from steadfast.workflows x where x.id = u) limit 1)));
    end if;
    if v_stranger is not null then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('await_children: workflow %s is not a child of workflow %s',
                                        steadfast._echo(v_stranger), steadfast._echo(p_workflow_id)),
            hint = 'A workflow waits for the children it started (start_child_workflow); another workflow''s result is read with get_workflow.';
    end if;

    v_results := steadfast._child_results(p_children, v_mode);
    if v_results is not null then
        r := steadfast._record_step(p_workflow_id, p_attempt, p_name, pg_catalog.jsonb_build_object('children', v_results),
                                    v_occurrence);
        if r.error_code is not null then
            perform steadfast._raise(r.error_code, r.error_message, r.error_detail, r.error_hint);
        end if;
        return query select false, v_results;
        return;
    end if;
    update steadfast.workflows w
    set status = 'waiting', executor_id = null, recovery_attempts = 0, available_at = steadfast._never(), updated_at = v_now,
        wait = pg_catalog.jsonb_build_object('kind', 'children', 'step', s.step_key, 'mode', v_mode,
                                             'children', pg_catalog.cardinality(p_children), 'finished', v_finished)
    where w.id = p_workflow_id;
    return query select true, null::jsonb;
end;
$fn$;
comment on function steadfast.await_children(text, integer, text, text[], jsonb) is
    'A running workflow waits for all (or, mode "any", the first) of its children as its step name: the outcomes, recorded, when satisfied; else waiting, holding no executor, until a child''s final transition wakes it. Fenced (SF003). SF001, SF005, SF006, SF008.';

-- _child_finished(): the trigger workflows_child_finished (migration 0014), after a child
-- became succeeded, failed, cancelled or dead. When its parent waits for children, counts it
-- in the parent's wait — and when that makes the wait satisfied (mode "any", or as many
-- finished as awaited), enqueues the parent, available now, and notifies steadfast_enqueued
-- with its queue. Locks the parent's row FOR NO KEY UPDATE: a parent about to wait holds it
-- (await_children's fence) while it counts its children, so the child's transition is either
-- counted there or counted here after the parent's wait commits — never missed.
create or replace function steadfast._child_finished()
returns trigger
language plpgsql
as $fn$
declare
    p record;
    v_finished integer;
    v_now timestamptz;
begin
    select w.id, w.status, w.queue, w.wait into p from steadfast.workflows w where w.id = new.parent_id for no key update;
    if not found or p.status <> 'waiting' or (p.wait ->> 'kind') is distinct from 'children' then
        return null;
    end if;
    v_finished := (p.wait ->> 'finished')::integer + 1;
    v_now := steadfast.now();
    if p.wait ->> 'mode' = 'any' or v_finished >= (p.wait ->> 'children')::integer then
        update steadfast.workflows w
        set status = 'enqueued', wait = null, available_at = v_now, updated_at = v_now
        where w.id = p.id;
        perform pg_catalog.pg_notify('steadfast_enqueued', p.queue);
    else
        update steadfast.workflows w
        set wait = pg_catalog.jsonb_set(w.wait, '{finished}', pg_catalog.to_jsonb(v_finished)), updated_at = v_now
        where w.id = p.id;
    end if;
    return null;
end;
$fn$;
