-- Starting workflows. Every starter — start_workflow, start_workflows, start_workflow_and_claim
-- (sql/40_claim.sql), the schedule tick (sql/85_schedules.sql) — builds its new workflows with
-- _new_workflows and inserts them with _insert_workflows: a rule about a new workflow lives
-- here, once, and holds for one workflow as for ten thousand.

-- _start_template(options, now, function) → (template, dedup_policy): a new workflow's row as
-- its start options make it — everything but its id, name and input — and its dedup_policy.
-- The options are parsed (steadfast.start_options, migration 0010) and given their defaults:
-- queue "default", priority 0 (lower runs first), available_at (a timestamp) or delay_seconds
-- (not both; default now), app_version, max_recovery_attempts (default 10), retry (a retry
-- policy, see _retry_policy), parent_id, parent_step, deadline (a timestamp; once it passes,
-- the workflow is cancelled: sql/80_operate.sql, _expire_deadlines), timeout_seconds (the
-- deadline as seconds from now; the earlier wins when both are given), dedup_key (at
-- most one active workflow per queue holds a key, see _insert_workflow), dedup_policy
-- ("return", the default, or "error"), partition_key (the partition the queue's
-- partition_concurrency counts it in), traceparent and tracestate (the starter's W3C trace
-- context, which every execution joins; migration 0018). The row is `enqueued`, attempt 0,
-- created now. Raises SF005.
create or replace function steadfast._start_template(p_options jsonb, p_now timestamptz, p_function text,
                                                    out template steadfast.workflows, out dedup_policy text)
language plpgsql
stable
as $fn$
declare
    o steadfast.start_options := steadfast._parse_options(null::steadfast.start_options, p_options, p_function);
begin
    if o.delay_seconds is not null and o.available_at is not null and pg_catalog.jsonb_typeof(o.available_at) <> 'null' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: give delay_seconds or available_at, not both', p_function);
    end if;
    template.status := 'enqueued';
    template.queue := coalesce(o.queue, 'default');
    template.priority := coalesce(o.priority, 0);
    template.attempt := 0;
    template.recovery_attempts := 0;
    template.max_recovery_attempts := coalesce(o.max_recovery_attempts, 10);
    template.retry_count := 0;
    if o.retry is not null then
        template.retry_policy := steadfast._retry_policy(o.retry);
    end if;
    if o.available_at is not null then
        template.available_at := steadfast._instant(o.available_at, 'available_at', p_function);
    end if;
    template.available_at := coalesce(template.available_at,
                                      p_now + pg_catalog.make_interval(secs => coalesce(o.delay_seconds, 0)));
    template.app_version := o.app_version;
    template.parent_id := o.parent_id;
    template.parent_step := o.parent_step;
    template.dedup_key := o.dedup_key;
    template.partition_key := o.partition_key;
    template.traceparent := o.traceparent;
    template.tracestate := o.tracestate;
    if o.deadline is not null then
        template.deadline := steadfast._instant(o.deadline, 'deadline', p_function);
    end if;
    if o.timeout_seconds is not null then
        -- The earlier of the two when both are given.
        template.deadline := least(template.deadline, p_now + pg_catalog.make_interval(secs => o.timeout_seconds));
    end if;
    template.created_at := p_now;
    template.updated_at := p_now;
    dedup_policy := coalesce(o.dedup_policy, 'return');
end;
$fn$;

-- _reserved_id(id, function): raises SF005 for an id in the schedule: namespace (see _new_workflows).
create or replace function steadfast._reserved_id(p_workflow_id text, p_function text)
returns text
language plpgsql
immutable
as $fn$
begin
    raise exception using errcode = 'SF005',
        message = pg_catalog.format('%s: workflow_id %s is in the schedule: namespace', p_function,
                                    steadfast._echo(p_workflow_id)),
        hint = 'Ids beginning with "schedule:" are reserved for the workflows schedules start (tick_schedules).';
end;
$fn$;

-- _workflow_row(template, workflow_id, name, input, function, schedule) → the template with
-- its id, name and input, each checked: an id of 1 to 255 characters (ids beginning with
-- "schedule:" are reserved for the workflows tick_schedules starts, `schedule` true; any other
-- caller is refused, SF005), a name of 1 to 255, an input within max_payload_bytes (SF006).
-- SQL, inlined by the planner: one row costs no function call.
create or replace function steadfast._workflow_row(t steadfast.workflows, p_workflow_id text, p_name text,
                                                  p_input jsonb, p_function text, p_schedule boolean)
returns steadfast.workflows
language sql
stable
as $fn$
    -- In the column order of steadfast.workflows (a column more or less fails the cast).
    select row(case when pg_catalog.left(p_workflow_id, 9) = 'schedule:' and not p_schedule
                    then steadfast._reserved_id(p_workflow_id, p_function)
                    else steadfast._require_text(p_workflow_id, 'workflow_id', p_function) end,
               steadfast._require_text(p_name, 'name', p_function),
               t.status, t.queue, t.priority,
               steadfast._check_payload(p_input, 'workflow input'),
               t.output, t.error, t.attempt, t.executor_id, t.recovery_attempts, t.max_recovery_attempts,
               t.retry_count, t.retry_policy, t.available_at, t.app_version, t.parent_id, t.parent_step,
               t.forked_from, t.forked_at_step, t.dedup_key, t.partition_key, t.deadline, t.created_at,
               t.updated_at, t.started_at, t.completed_at, t.error_attempt, t.executor_role, t.wait,
               t.traceparent, t.tracestate)::steadfast.workflows
$fn$;

-- _element_options(defaults, options) → an element's options: `defaults` overridden key by key
-- by the element's own (null or JSON null: the defaults); anything but an object is passed on
-- for _parse_options to refuse.
create or replace function steadfast._element_options(p_defaults jsonb, p_options jsonb)
returns jsonb
language sql
immutable
as $fn$
    select case when p_options is null or pg_catalog.jsonb_typeof(p_options) = 'null' then coalesce(p_defaults, '{}'::jsonb)
                when pg_catalog.jsonb_typeof(p_options) = 'object' then coalesce(p_defaults, '{}'::jsonb) || p_options
                else p_options end
$fn$;

-- _new_workflows(elements, defaults, function, schedule) → (rows, policies): the workflows the
-- elements describe, validated, with their defaults, `enqueued`, not yet inserted, in order,
-- and each one's dedup_policy. An element's options are `defaults` overridden key by key by its
-- own (_element_options); each distinct options object is parsed once (_start_template), and
-- each row built by _workflow_row. Locks the queues' rows KEY SHARE until the caller's
-- transaction ends (as the insert's queue check, migration 0008, would): a delete_queue racing
-- the start waits for it and then finds the workflows (SF004), or, holding the queue first,
-- deletes it and the start finds no queue (SF001) — never a foreign-key error. Raises SF005
-- (bad argument), SF001 (unknown queue), SF006 (input too large); messages name `function`.
-- One element — every start but a batch — takes the same steps without the set query.
create or replace function steadfast._new_workflows(p_elements steadfast.start_element[], p_defaults jsonb,
                                                   p_function text, p_schedule boolean default false,
                                                   out rows steadfast.workflows[], out policies text[])
language plpgsql
volatile
as $fn$
declare
    v_now timestamptz := steadfast.now();
    v_element steadfast.start_element;
    t record;
begin
    if pg_catalog.cardinality(p_elements) = 1 then
        v_element := p_elements[1];
        t := steadfast._start_template(steadfast._element_options(p_defaults, v_element.options), v_now, p_function);
        -- Not in the expression below: a volatile argument would keep _workflow_row from
        -- being inlined.
        v_element.workflow_id := coalesce(v_element.workflow_id, pg_catalog.gen_random_uuid()::text);
        rows := array[steadfast._workflow_row(t.template, v_element.workflow_id, v_element.name,
                                              coalesce(v_element.input, 'null'::jsonb), p_function, p_schedule)];
        policies := array[t.dedup_policy];
        perform steadfast._key_share_queue((t.template).queue, p_function);
        return;
    else
        with e as materialized (
            select x.ord, x.name, coalesce(x.workflow_id, pg_catalog.gen_random_uuid()::text) as id,
                   coalesce(x.input, 'null'::jsonb) as input, steadfast._element_options(p_defaults, x.options) as options
            from pg_catalog.unnest(p_elements) with ordinality as x(name, workflow_id, input, options, ord)
        ),
        o as materialized (
            select d.options, s.template, s.dedup_policy
            from (select distinct e.options from e) d
            cross join lateral steadfast._start_template(d.options, v_now, p_function) s
        )
        -- One sort for both arrays: the aggregates take the rows in the subquery's order.
        select pg_catalog.array_agg(s.w), pg_catalog.array_agg(s.dedup_policy)
        into rows, policies
        from (select steadfast._workflow_row(o.template, e.id, e.name, e.input, p_function, p_schedule) as w,
                     o.dedup_policy
              from e join o on o.options = e.options
              order by e.ord) s;
    end if;
    perform steadfast._key_share_queue(q.queue, p_function)
    from (select distinct r.queue from pg_catalog.unnest(rows) r order by r.queue) q;
end;
$fn$;

-- _new_workflows_named(elements, defaults, function, schedule) → _new_workflows' answer; when
-- building the rows fails, the elements are built again one at a time, and the first that
-- fails alone raises its error naming it: "<function>[n]: …" (a batch's caller learns which).
create or replace function steadfast._new_workflows_named(p_elements steadfast.start_element[], p_defaults jsonb,
                                                         p_function text, p_schedule boolean default false,
                                                         out rows steadfast.workflows[], out policies text[])
language plpgsql
volatile
as $fn$
declare
    v_state text;
    v_message text;
    v_detail text;
    v_hint text;
begin
    select * into rows, policies from steadfast._new_workflows(p_elements, p_defaults, p_function, p_schedule);
exception when others then
    for i in 1 .. pg_catalog.cardinality(p_elements) loop
        begin
            perform from steadfast._new_workflows(array[p_elements[i]], p_defaults, p_function, p_schedule);
        exception when others then
            get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                                    v_detail = pg_exception_detail, v_hint = pg_exception_hint;
            perform steadfast._raise(v_state, pg_catalog.format('%s[%s]: %s', p_function, i,
                                         pg_catalog.regexp_replace(v_message, '^' || p_function || ': ', '')),
                                     nullif(v_detail, ''), nullif(v_hint, ''));
        end;
    end loop;
    raise;
end;
$fn$;

-- _insert_workflows(rows, policies, function, name_each) → (ordinal, workflow_id, created),
-- one row per element of `rows` (ordinal: its 1-based position): inserts them in one
-- statement, in order; an element whose id or dedup_key is taken — by an existing workflow or
-- an earlier element — is the workflow of its id when that has its name (found at once), else
-- resolved by _insert_workflow (the existing workflow, SF002, SF009).
-- With name_each, an error names the element: "<function>[n]: …". Notifies nothing. One row
-- is inserted by _insert_workflow directly (the same insert, without the set query).
create or replace function steadfast._insert_workflows(p_rows steadfast.workflows[], p_policies text[],
                                                      p_function text, p_name_each boolean default false)
returns table (ordinal integer, workflow_id text, created boolean)
language plpgsql
volatile
as $fn$
#variable_conflict use_column
declare
    v_inserted text[];
    c record;
    r record;
begin
    if pg_catalog.cardinality(p_rows) = 1 then
        return query select 1, i.workflow_id, i.created from steadfast._insert_workflow(p_rows[1], p_policies[1], p_function) i;
        return;
    end if;
    -- First as a plain insert, in a subtransaction of its own: when no id or key is taken (the
    -- usual case) it is the whole work, and 15–20 % cheaper than ON CONFLICT's speculative
    -- insertion; a taken one undoes it, and the insert below resolves each.
    begin
        insert into steadfast.workflows select * from pg_catalog.unnest(p_rows);
        -- (Not p_rows[i]: an element of an array of rows is found by walking from the start.)
        return query select u.ordinality::integer, u.id, true from pg_catalog.unnest(p_rows) with ordinality as u;
        return;
    exception when unique_violation then
        null;
    end;
    with ins as (
        insert into steadfast.workflows select * from pg_catalog.unnest(p_rows) on conflict do nothing returning id
    )
    select pg_catalog.array_agg(ins.id) into v_inserted from ins;
    return query
    select x.n::integer, x.id, true
    from (select u.id, u.ordinality as n, pg_catalog.row_number() over (partition by u.id order by u.ordinality) as k
          from pg_catalog.unnest(p_rows) with ordinality as u) x
    join pg_catalog.unnest(v_inserted) as i(id) on i.id = x.id
    where x.k = 1;
    -- The others: an id that stands for a workflow of the same name (a batch sent again, or
    -- an id repeated in it) is that workflow, found here at once; the rest one at a time.
    return query select t.n, (t.w).id, false from steadfast._not_inserted(p_rows, p_policies, v_inserted) t where t.found;
    for c in
        select t.n, t.w, t.policy from steadfast._not_inserted(p_rows, p_policies, v_inserted) t where not t.found order by t.n
    loop
        select * into r from steadfast._insert_workflow(c.w, c.policy,
            case when p_name_each then pg_catalog.format('%s[%s]', p_function, c.n) else p_function end) i;
        return query select c.n, r.workflow_id, r.created;
    end loop;
end;
$fn$;

-- _not_inserted(rows, policies, inserted ids) → (n, w, policy, found): the rows of a batch the
-- set insert did not insert — their id was taken, or repeated an earlier element's — each
-- with its position, its dedup_policy, and whether a workflow of its id and name exists
-- (then it is that workflow).
create or replace function steadfast._not_inserted(p_rows steadfast.workflows[], p_policies text[], p_inserted text[])
returns table (n integer, w steadfast.workflows, policy text, found boolean)
language sql
stable
as $fn$
    select x.n::integer, x.w, p.policy, e.id is not null
    from (select w, pg_catalog.row_number() over () as n from pg_catalog.unnest(p_rows) as w) x
    join pg_catalog.unnest(p_policies) with ordinality as p(policy, n) on p.n = x.n
    join (select u.ordinality as n, pg_catalog.row_number() over (partition by u.id order by u.ordinality) as k
          from pg_catalog.unnest(p_rows) with ordinality as u) d on d.n = x.n
    left join pg_catalog.unnest(p_inserted) as i(id) on i.id = (x.w).id
    left join steadfast.workflows e on e.id = (x.w).id and e.name = (x.w).name
    where d.k > 1 or i.id is null
$fn$;

-- _insert_workflow(workflow, dedup_policy, function) → (workflow_id, created): inserts the
-- workflow, or finds the one that stands for it. When its id exists with the same name, that
-- workflow (created = false; SF002 when the name differs). When an active (enqueued, running
-- or waiting) workflow of the same queue holds its dedup_key: with dedup_policy "return",
-- that workflow (created = false) if it has the same name; SF009 if the policy is "error" or
-- the name differs. Two racing inserts with the same id or key are serialized by the unique
-- indexes: the second waits for the first to commit, then finds it (and inserts after all if
-- the holder finished or rolled back meanwhile). Notifies nothing.
create or replace function steadfast._insert_workflow(w steadfast.workflows, p_dedup_policy text, p_function text)
returns table (workflow_id text, created boolean)
language plpgsql
as $fn$
#variable_conflict use_column
declare
    e steadfast.workflows;
begin
    for v_try in 1..10 loop
        insert into steadfast.workflows select w.* on conflict do nothing;
        if found then
            return query select w.id, true;
            return;
        end if;
        if exists (select 1 from steadfast.workflows x where x.id = w.id) then
            perform steadfast._existing_workflow(w.id, w.name, p_function);
            return query select w.id, false;
            return;
        end if;
        select * into e from steadfast.workflows x
        where x.queue = w.queue and x.dedup_key = w.dedup_key and x.status in ('enqueued', 'running', 'waiting');
        if found then
            if p_dedup_policy = 'error' or e.name <> w.name then
                raise exception using errcode = 'SF009',
                    message = pg_catalog.format('%s: workflow %s (%s) already holds deduplication key %s in queue %s',
                                                p_function, steadfast._echo(e.id), steadfast._echo(e.name),
                                                steadfast._echo(w.dedup_key), steadfast._echo(w.queue)),
                    detail = pg_catalog.format('existing workflow: %s, status %s', steadfast._echo(e.id), e.status),
                    hint = 'The key is free again once that workflow finishes, fails or is cancelled.';
            end if;
            return query select e.id, false;
            return;
        end if;
        -- The holder finished, or its transaction rolled back, between the insert and the look-up.
    end loop;
    raise exception using errcode = 'SF009',
        message = pg_catalog.format('%s: deduplication key %s in queue %s stayed contended', p_function,
                                    steadfast._echo(w.dedup_key), steadfast._echo(w.queue));
end;
$fn$;

-- start_workflow(workflow_id, name, input, options) →
--   (workflow_id, status, created, queue, available_at, output, error).
-- Enqueues a workflow: `input` is any JSON (SQL null means JSON null); workflow_id null → a
-- generated UUID; options as in _start_template. Idempotent on the id: when a workflow with this
-- id and name exists, it is returned unchanged with created = false (its input and options
-- are not compared). With a dedup_key held by an active workflow of the queue, that workflow
-- is returned (created = false, its own id) or, with dedup_policy "error", SF009 is raised
-- (see _insert_workflow). Notifies steadfast_enqueued with the queue's name when the workflow
-- is claimable now. Works in the caller's transaction: started inside BEGIN … COMMIT with the
-- caller's own writes, the workflow exists (and the notification is sent) only if that
-- transaction commits. Locks the new row, and the queue's row KEY SHARE (as the insert itself
-- would; a racing delete_queue waits). Raises SF002 (the id belongs to a workflow with another
-- name), SF005 (a bad argument; an id in the schedule: namespace, reserved for tick_schedules),
-- SF001 (unknown queue), SF006, SF009 (deduplicated).
create or replace function steadfast.start_workflow(p_workflow_id text, p_name text, p_input jsonb default 'null',
                                                    p_options jsonb default '{}')
returns table (workflow_id text, status text, created boolean, queue text, available_at timestamptz,
               output jsonb, error jsonb)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    n record;
    w steadfast.workflows;
    r record;
begin
    n := steadfast._new_workflows(array[row(p_name, p_workflow_id, p_input, p_options)::steadfast.start_element],
                                  null, 'start_workflow');
    w := n.rows[1];
    select * into r from steadfast._insert_workflow(w, n.policies[1], 'start_workflow') i;
    if r.created then
        if w.available_at <= steadfast.now() then
            perform pg_catalog.pg_notify('steadfast_enqueued', w.queue);
        end if;
        return query select w.id, w.status, true, w.queue, w.available_at, null::jsonb, null::jsonb;
        return;
    end if;
    return query select x.id, x.status, false, x.queue, x.available_at, x.output, x.error
                 from steadfast.workflows x where x.id = r.workflow_id;
end;
$fn$;
comment on function steadfast.start_workflow(text, text, jsonb, jsonb) is
    'Enqueues a workflow (name, JSON input, options: queue, priority, delay, retry, app_version, dedup and partition keys…); idempotent on the id. SF002 if the id belongs to another workflow name.';

-- _notify_enqueued(rows, created, now): notifies steadfast_enqueued once per queue that
-- received claimable work — a row created (its created flag, by position) and available at
-- `now` — in the order of the rows.
create or replace function steadfast._notify_enqueued(p_rows steadfast.workflows[], p_created boolean[], p_now timestamptz)
returns void
language sql
volatile
as $fn$
    select pg_catalog.pg_notify('steadfast_enqueued', q.queue)
    from (select u.queue, pg_catalog.min(u.ordinality) as first
          from pg_catalog.unnest(p_rows) with ordinality as u
          join pg_catalog.unnest(p_created) with ordinality as c(created, n) on c.n = u.ordinality
          where c.created and u.available_at <= p_now
          group by u.queue
          order by first) q
$fn$;

-- start_workflows(workflows, options) →
--   (ordinal, workflow_id, status, created, queue, available_at, output, error),
-- one row per element, in order (ordinal counts from 1). Batch enqueue: `workflows` is a JSON
-- array (at most 10000 elements) of {"name", "workflow_id"?, "input"?, "options"?}; each
-- element is started as start_workflow would (idempotent on id, deduplicated on dedup_key —
-- also against earlier elements of the same batch), its options being `options` overridden
-- key by key by the element's own. One transaction: an error in any element (its message
-- names it: start_workflows[n]) starts none. One steadfast_enqueued notification per queue that
-- received claimable work, in the order of the elements. Raises SF001, SF002, SF005, SF006,
-- SF009 as start_workflow. Locks the new rows and, KEY SHARE, their queues' rows.
-- Set-based: each distinct options object is parsed once, the rows are built by one query and
-- inserted by one statement (_new_workflows, _insert_workflows). When building them fails, the
-- elements are built again one at a time to name the first that fails alone.
create or replace function steadfast.start_workflows(p_workflows jsonb, p_options jsonb default '{}')
returns table (ordinal integer, workflow_id text, status text, created boolean, queue text,
               available_at timestamptz, output jsonb, error jsonb)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_now timestamptz := steadfast.now();
    v_ids text[];
    v_created boolean[];
    n record;
begin
    n := steadfast._batch_rows(p_workflows, p_options, 'start_workflows');
    select pg_catalog.array_agg(i.workflow_id order by i.ordinal), pg_catalog.array_agg(i.created order by i.ordinal)
    into v_ids, v_created
    from steadfast._insert_workflows(n.rows, n.policies, 'start_workflows', true) i;
    -- The created ones from their rows; the others looked up by id, one index probe each (a
    -- join would let the planner scan the whole table for them).
    return query
    select s.* from (
        select c.n::integer, c.workflow_id, u.status, true, u.queue, u.available_at, null::jsonb, null::jsonb
        from pg_catalog.unnest(n.rows) with ordinality as u
        join rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_created)) with ordinality as c(workflow_id, created, n)
             on c.n = u.ordinality
        where c.created
        union all
        select c.n::integer, x.id, x.status, false, x.queue, x.available_at, x.output, x.error
        from rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_created)) with ordinality as c(workflow_id, created, n)
        cross join lateral (select w.id, w.status, w.queue, w.available_at, w.output, w.error
                            from steadfast.workflows w where w.id = c.workflow_id offset 0) x
        where not c.created
    ) s
    order by 1;
    perform steadfast._notify_enqueued(n.rows, v_created, v_now);
end;
$fn$;
comment on function steadfast.start_workflows(jsonb, jsonb) is
    'Enqueues a JSON array of workflows in one transaction, as start_workflow would each; one row per element.';

-- _batch_rows(workflows, options, function) → (rows, policies): the rows a batch start inserts
-- and each one's dedup_policy, built and checked as start_workflows does (at most 10000
-- elements; options an object; each element as start_workflow checks its arguments), inserting
-- nothing. Raises SF005, SF001 (unknown queue), SF006, naming the element: "<function>[n]: …".
create or replace function steadfast._batch_rows(p_workflows jsonb, p_options jsonb, p_function text,
                                                out rows steadfast.workflows[], out policies text[])
language plpgsql
volatile
as $fn$
declare
    v_defaults jsonb := coalesce(p_options, '{}'::jsonb);
    n record;
begin
    if pg_catalog.jsonb_typeof(p_workflows) = 'array' and pg_catalog.jsonb_array_length(p_workflows) > 10000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: at most 10000 workflows per call, got %s',
                                        p_function, pg_catalog.jsonb_array_length(p_workflows));
    end if;
    if pg_catalog.jsonb_typeof(v_defaults) <> 'object' then
        raise exception using errcode = 'SF005', message = pg_catalog.format('%s: options must be a JSON object', p_function);
    end if;
    n := steadfast._new_workflows_named(steadfast._parse_array(null::steadfast.start_element, p_workflows, p_function),
                                        v_defaults, p_function);
    rows := n.rows;
    policies := n.policies;
end;
$fn$;

-- validate_workflows(workflows, options) → how many elements: checks a batch exactly as
-- start_workflows(workflows, options) checks it before it inserts — the arguments, options,
-- sizes and queues of every element — and starts nothing. A router over shards calls it before
-- it sends each shard its part of a batch, so that bad input starts none of it. Raises SF005,
-- SF001 (unknown queue), SF006, naming the element: "validate_workflows[n]: …". Read-only
-- (locks the queues' rows KEY SHARE until the transaction ends).
create or replace function steadfast.validate_workflows(p_workflows jsonb, p_options jsonb default '{}')
returns integer
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
begin
    return pg_catalog.cardinality((steadfast._batch_rows(p_workflows, p_options, 'validate_workflows')).rows);
end;
$fn$;
comment on function steadfast.validate_workflows(jsonb, jsonb) is
    'Checks a batch as start_workflows would and starts nothing; returns how many elements. SF005, SF001, SF006.';

-- _existing_workflow(id, name, function) → the workflow with that id, when its name matches.
-- Raises SF002 when the name differs.
create or replace function steadfast._existing_workflow(p_workflow_id text, p_name text, p_function text)
returns steadfast.workflows
language plpgsql
stable
as $fn$
declare
    e steadfast.workflows;
begin
    select * into e from steadfast.workflows w where w.id = p_workflow_id;
    if e.name is distinct from p_name then
        raise exception using errcode = 'SF002',
            message = pg_catalog.format('%s: workflow id %s is already used by workflow %s', p_function,
                                        steadfast._echo(p_workflow_id), steadfast._echo(e.name)),
            detail = pg_catalog.format('requested name: %s', pg_catalog.left(p_name, 255));
    end if;
    return e;
end;
$fn$;
