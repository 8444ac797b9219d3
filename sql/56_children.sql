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

-- _start_children(workflow_id, attempt, name, occurrence, elements, defaults, inherit_deadline,
-- function, name_each) → (ordinal, child_id, created, status), one row per element, in order
-- (with name_each, an error names its element: "<function>[n]: …"): the work of
-- start_child_workflow(s). The running workflow (fenced like record_step: SF003, SF008) starts
-- one child per element as its steps `name`, occurrences `occurrence`, `occurrence` + 1, …,
-- and records those steps (output {"workflow_id"}, child_workflow_id set), all in one
-- transaction. An element's options are `defaults` overridden by its own, then parent_id and
-- parent_step set, and — with inherit_deadline, when they give neither deadline nor
-- timeout_seconds — the parent's deadline, and, when they give no traceparent, the parent's
-- trace context (traceparent, tracestate: the child joins its parent's trace). Its id defaults to _child_id(workflow_id, step key).
-- When the first step is recorded already (a replay, or the call sent again), starts nothing
-- and returns the recorded children (created false; status null for one pruned since); SF005
-- unless every step is recorded, as a child's start. Created children are built and inserted
-- by the one creation path (_new_workflows, _insert_workflows); an element whose id or
-- deduplication key finds a workflow that is not this one's child raises SF002 or SF009.
-- Notifies steadfast_enqueued once per queue that received a claimable child. Locks the
-- parent's row.
-- (Its first form, without name_each, lived on main for an hour: dropped where it was installed.)
drop function if exists steadfast._start_children(text, integer, text, integer, steadfast.start_element[], jsonb, boolean, text);
create or replace function steadfast._start_children(p_workflow_id text, p_attempt integer, p_name text,
                                                    p_occurrence integer, p_elements steadfast.start_element[],
                                                    p_defaults jsonb, p_inherit_deadline boolean, p_function text,
                                                    p_name_each boolean)
returns table (ordinal integer, child_id text, created boolean, status text)
language plpgsql
volatile
as $fn$
#variable_conflict use_column
declare
    v_now timestamptz := steadfast.now();
    v_count integer := pg_catalog.cardinality(p_elements);
    v_steps steadfast.steps[];
    v_deadline jsonb;
    v_trace jsonb;
    v_recorded integer;
    v_ids text[];
    v_created boolean[];
    v_stranger record;
    n record;
begin
    -- The steps' rows first: their checks (name, attempt, occurrence) precede everything.
    select pg_catalog.array_agg(steadfast._step_row(p_workflow_id, p_attempt, p_name, null,
                                                    pg_catalog.jsonb_build_object('occurrence', p_occurrence + i - 1), v_now)
                                order by i)
    into v_steps
    from pg_catalog.generate_series(1, v_count) i;
    if not steadfast._held(p_workflow_id, p_attempt) then
        perform steadfast._fenced(p_workflow_id, p_attempt, p_function);
    end if;

    select pg_catalog.count(*)::integer into v_recorded
    from steadfast.steps x where x.workflow_id = p_workflow_id and x.step_key = any (select (pg_catalog.unnest(v_steps)).step_key);
    if v_recorded > 0 then
        -- A replay, or this call sent again after it committed: the children it started.
        if v_recorded < v_count or exists (
               select from pg_catalog.unnest(v_steps) t join steadfast.steps x
                    on x.workflow_id = p_workflow_id and x.step_key = t.step_key
               where x.child_workflow_id is null or x.error is not null) then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('%s: steps %s of workflow %s are recorded, but not as these children''s starts',
                                            p_function, steadfast._echo((v_steps[1]).step_key), steadfast._echo(p_workflow_id)),
                hint = 'The workflow is not deterministic: its code started children where it ran other steps before.';
        end if;
        return query
        select t.ordinality::integer, x.child_workflow_id, false, w.status
        from pg_catalog.unnest(v_steps) with ordinality as t
        join steadfast.steps x on x.workflow_id = p_workflow_id and x.step_key = t.step_key
        left join steadfast.workflows w on w.id = x.child_workflow_id
        order by t.ordinality;
        return;
    end if;

    select case when p_inherit_deadline then pg_catalog.to_jsonb(w.deadline) end,
           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('traceparent', w.traceparent, 'tracestate', w.tracestate))
    into v_deadline, v_trace
    from steadfast.workflows w where w.id = p_workflow_id;
    -- Each element's id and options; an explicit id in the schedule: namespace is refused here,
    -- as _workflow_row would (derived ids, which may begin with the parent's, are allowed).
    select pg_catalog.array_agg(row(e.name,
                                    case when e.workflow_id is null then steadfast._child_id(p_workflow_id, (v_steps[e.i]).step_key)
                                         when pg_catalog.left(e.workflow_id, 9) = 'schedule:' then steadfast._reserved_id(e.workflow_id, p_function)
                                         else e.workflow_id end,
                                    e.input,
                                    case when pg_catalog.jsonb_typeof(e.o) <> 'object' then e.o
                                         else e.o || pg_catalog.jsonb_build_object('parent_id', p_workflow_id,
                                                                                   'parent_step', (v_steps[e.i]).step_key)
                                              || case when v_deadline is null or e.o ? 'deadline' or e.o ? 'timeout_seconds' then '{}'::jsonb
                                                      else pg_catalog.jsonb_build_object('deadline', v_deadline) end
                                              || case when e.o ? 'traceparent' then '{}'::jsonb else v_trace end
                                    end)::steadfast.start_element order by e.i)
    into p_elements
    from (select x.name, x.workflow_id, x.input, steadfast._element_options(p_defaults, x.options) as o, x.i
          from pg_catalog.unnest(p_elements) with ordinality as x(name, workflow_id, input, options, i)) e;
    if p_name_each then
        n := steadfast._new_workflows_named(p_elements, null, p_function, true);
    else
        n := steadfast._new_workflows(p_elements, null, p_function, true);
    end if;
    select pg_catalog.array_agg(i.workflow_id order by i.ordinal), pg_catalog.array_agg(i.created order by i.ordinal)
    into v_ids, v_created
    from steadfast._insert_workflows(n.rows, n.policies, p_function, p_name_each) i;
    -- A workflow found instead of created must be this one's child.
    select u.id, u.i, w.parent_id into v_stranger
    from rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_created)) with ordinality as u(id, created, i)
    join steadfast.workflows w on w.id = u.id
    where not u.created and w.parent_id is distinct from p_workflow_id
    limit 1;
    if v_stranger.id is not null then
        raise exception using errcode = case when v_stranger.id = (n.rows[v_stranger.i]).id then 'SF002' else 'SF009' end,
            message = pg_catalog.format('%s: workflow %s is not a child of workflow %s', p_function,
                                        steadfast._echo(v_stranger.id), steadfast._echo(p_workflow_id)),
            detail = pg_catalog.format('its parent: %s', coalesce(steadfast._echo(v_stranger.parent_id), 'none')),
            hint = 'Give the child an id (or deduplication key) of its own.';
    end if;

    select pg_catalog.array_agg(steadfast._step_row(p_workflow_id, p_attempt, p_name, pg_catalog.jsonb_build_object('workflow_id', u.id),
                                                    pg_catalog.jsonb_build_object('occurrence', p_occurrence + u.i - 1,
                                                                                  'child_workflow_id', u.id), v_now)
                                order by u.i)
    into v_steps
    from pg_catalog.unnest(v_ids) with ordinality as u(id, i);
    select pg_catalog.count(*)::integer into v_recorded from steadfast._insert_steps(v_steps);
    if v_recorded < v_count then
        raise exception using errcode = 'SF006',
            message = pg_catalog.format('%s: the steps of workflow %s would exceed max_workflow_bytes (%s)', p_function,
                                        steadfast._echo(p_workflow_id), steadfast._max_workflow_bytes());
    end if;

    perform steadfast._notify_enqueued(n.rows, v_created, v_now);
    return query
    select u.i::integer, u.id, u.created, case when u.created then 'enqueued' else w.status end
    from rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_created)) with ordinality as u(id, created, i)
    left join steadfast.workflows w on not u.created and w.id = u.id
    order by u.i;
end;
$fn$;

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
    v_recorded jsonb;
    v_results jsonb;
    v_known integer;
    v_stranger text;
    v_finished integer;
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
    if steadfast._wait_fence(p_workflow_id, p_attempt, s.step_key, 'await_children') then
        -- Sent again after it committed (its answer lost): the same wait of the same attempt.
        return query select true, null::jsonb;
        return;
    end if;
    v_recorded := steadfast._replayed(p_workflow_id, s.step_key, 'children', 'await_children', 'a wait for children');
    if v_recorded is not null then
        -- A replay: the outcomes recorded when the wait was satisfied.
        return query select false, v_recorded -> 'children';
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
        perform steadfast._record_wait(p_workflow_id, p_attempt, p_name, pg_catalog.jsonb_build_object('children', v_results),
                                       v_occurrence);
        return query select false, v_results;
        return;
    end if;
    perform steadfast._suspend(p_workflow_id, null,
                               pg_catalog.jsonb_build_object('kind', 'children', 'step', s.step_key, 'mode', v_mode,
                                                             'children', pg_catalog.cardinality(p_children),
                                                             'finished', v_finished), v_now);
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

-- _only_keys(object, keys) → the JSON object's members whose keys are among `keys` (the
-- options a child's start reads itself; the others are the child's start options).
create or replace function steadfast._only_keys(p_object jsonb, p_keys text[])
returns jsonb
language sql
immutable
as $fn$
    select coalesce(pg_catalog.jsonb_object_agg(e.key, e.value), '{}'::jsonb)
    from pg_catalog.jsonb_each(p_object) e where e.key = any (p_keys)
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
-- by a workflow that is not this one's child). Locks the parent's row. (_start_children.)
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
begin
    perform steadfast._require_text(p_child_name, 'child_name', 'start_child_workflow');
    if pg_catalog.jsonb_typeof(p_options) = 'object' then
        c := steadfast._parse_options(null::steadfast.child_options, steadfast._only_keys(p_options, v_own),
                                      'start_child_workflow');
        p_options := p_options - v_own;
    end if;
    return query
    select s.child_id, s.created, s.status
    from steadfast._start_children(p_workflow_id, p_attempt, p_name, coalesce(c.occurrence, 1),
                                   array[row(p_child_name, c.workflow_id, coalesce(p_input, 'null'::jsonb), p_options)::steadfast.start_element],
                                   null, coalesce(c.inherit_deadline, true), 'start_child_workflow', false) s;
end;
$fn$;
comment on function steadfast.start_child_workflow(text, integer, text, text, jsonb, jsonb) is
    'A running workflow starts a child workflow as its step name (id derived from the parent and the step key unless given; the parent''s deadline inherited): one child however often it is called or replayed. Fenced (SF003). SF001, SF002, SF005, SF006, SF008, SF009.';

-- start_child_workflows(workflow_id, attempt, name, children, options) →
--   (ordinal, child_id, created, status), one row per element, in order.
-- Fan-out in one call and one transaction: `children` is a JSON array (1 to 10000 elements)
-- of {"name", "input"?, "workflow_id"?, "options"?}, each started as start_child_workflow
-- would start it, as the steps `name` of occurrences options.occurrence (default 1), + 1, …
-- — the same steps as that many start_child_workflow calls. Options: occurrence,
-- inherit_deadline, and start options shared by every child (each element's own override
-- them key by key). A replay of the recorded steps returns the recorded children. An error in
-- any element (named start_child_workflows[n]) starts none. Raises as start_child_workflow.
-- Locks the parent's row.
create or replace function steadfast.start_child_workflows(p_workflow_id text, p_attempt integer, p_name text,
                                                           p_children jsonb, p_options jsonb default '{}')
returns table (ordinal integer, child_id text, created boolean, status text)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_own constant text[] := array['occurrence', 'inherit_deadline'];
    c steadfast.child_options;
    v_elements steadfast.start_element[];
begin
    if pg_catalog.jsonb_typeof(p_options) is distinct from 'object' then
        raise exception using errcode = 'SF005', message = 'start_child_workflows: options must be a JSON object';
    end if;
    c := steadfast._parse_options(null::steadfast.child_options, steadfast._only_keys(p_options, v_own),
                                  'start_child_workflows');
    if pg_catalog.jsonb_typeof(p_children) is distinct from 'array' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('start_child_workflows: children must be a JSON array, got %s',
                                        coalesce(pg_catalog.jsonb_typeof(p_children), 'null'));
    end if;
    if pg_catalog.jsonb_array_length(p_children) not between 1 and 10000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('start_child_workflows: children must hold 1 to 10000 workflows, got %s',
                                        pg_catalog.jsonb_array_length(p_children));
    end if;
    v_elements := steadfast._parse_array(null::steadfast.start_element, p_children, 'start_child_workflows');
    return query
    select * from steadfast._start_children(p_workflow_id, p_attempt, p_name, coalesce(c.occurrence, 1), v_elements,
                                            p_options - v_own, coalesce(c.inherit_deadline, true), 'start_child_workflows', true);
end;
$fn$;
comment on function steadfast.start_child_workflows(text, integer, text, jsonb, jsonb) is
    'A running workflow starts many children in one transaction, as that many start_child_workflow calls would (steps name, occurrences from options.occurrence). Fenced (SF003). SF001, SF002, SF005, SF006, SF008, SF009.';
