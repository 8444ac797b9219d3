-- Starting workflows.

-- _new_workflow(workflow_id, name, input, options, function) → a workflows row, validated and
-- filled with its defaults, not yet inserted. Options: queue (default "default"), priority
-- (integer, lower runs first; default 0), delay_seconds (number ≥ 0) or available_at
-- (timestamp), app_version, max_recovery_attempts (integer ≥ 1; default 10), retry (a retry
-- policy, see _retry_policy), parent_id, parent_step, deadline (timestamp), dedup_key (text:
-- at most one active workflow per queue holds a key, see _insert_workflow), dedup_policy
-- ("return", the default, or "error"; read by the caller), partition_key (text: the
-- partition the queue's partition_concurrency counts it in).
-- Ids, names and keys are at most 255 characters (app_version, parent_id and parent_step
-- too); timestamps are within 1970 … 3000 (see _opt_timestamptz). Ids beginning with
-- "schedule:" are reserved for the workflows tick_schedules starts (it builds its row here
-- with a generated id and then gives it its own): any other caller is refused.
-- Locks the queue's row KEY SHARE until the caller's transaction ends (as the insert's queue
-- check, migration 0008, would): a delete_queue racing the start waits for it and then finds
-- the workflow (SF004), or, holding the queue first, deletes it and the start finds no queue
-- (SF001) — never a foreign-key error.
-- Raises SF005 (bad argument), SF001 (unknown queue), SF006 (input too large).
create or replace function steadfast._new_workflow(p_workflow_id text, p_name text, p_input jsonb,
                                                  p_options jsonb, p_function text)
returns steadfast.workflows
language plpgsql
volatile
as $fn$
declare
    v_now timestamptz := steadfast.now();
    v_options jsonb := steadfast._options(p_options,
        array['queue', 'priority', 'delay_seconds', 'available_at', 'app_version', 'max_recovery_attempts',
              'retry', 'parent_id', 'parent_step', 'deadline', 'dedup_key', 'dedup_policy', 'partition_key'],
        p_function);
    v_dedup_policy text := steadfast._opt_text(v_options, 'dedup_policy', 'return');
    v_delay double precision := steadfast._opt_number(v_options, 'delay_seconds');
    w steadfast.workflows;
begin
    -- Not _require_text(coalesce(…, gen_random_uuid())): a volatile argument keeps the check
    -- from being inlined (see sql/10_arguments.sql), costing a parse and plan per call.
    w.id := coalesce(p_workflow_id, pg_catalog.gen_random_uuid()::text);
    w.id := steadfast._require_text(w.id, 'workflow_id', p_function);
    if pg_catalog.left(w.id, 9) = 'schedule:' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: workflow_id %s is in the schedule: namespace', p_function, steadfast._echo(w.id)),
            hint = 'Ids beginning with "schedule:" are reserved for the workflows schedules start (tick_schedules).';
    end if;
    w.name := steadfast._require_text(p_name, 'name', p_function);
    w.input := steadfast._check_payload(coalesce(p_input, 'null'::jsonb), 'workflow input');
    w.queue := steadfast._opt_text(v_options, 'queue', 'default');
    perform from steadfast.queues q where q.name = w.queue for key share;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('%s: unknown queue %s', p_function, steadfast._echo(w.queue));
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
    if pg_catalog.length(w.app_version) > 255 then
        perform steadfast._require_text(w.app_version, 'app_version', p_function);
    end if;
    w.max_recovery_attempts := steadfast._opt_int(v_options, 'max_recovery_attempts', 10);
    if w.max_recovery_attempts < 1 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: max_recovery_attempts must be ≥ 1, got %s', p_function, w.max_recovery_attempts);
    end if;
    w.retry_policy := steadfast._retry_policy(v_options -> 'retry');
    w.parent_id := steadfast._opt_text(v_options, 'parent_id');
    if pg_catalog.length(w.parent_id) > 255 then
        perform steadfast._require_text(w.parent_id, 'parent_id', p_function);
    end if;
    w.parent_step := steadfast._opt_text(v_options, 'parent_step');
    if pg_catalog.length(w.parent_step) > 255 then
        perform steadfast._require_text(w.parent_step, 'parent_step', p_function);
    end if;
    w.deadline := steadfast._opt_timestamptz(v_options, 'deadline');
    if v_options ? 'dedup_key' and pg_catalog.jsonb_typeof(v_options -> 'dedup_key') <> 'null' then
        w.dedup_key := steadfast._require_text(steadfast._opt_text(v_options, 'dedup_key'), 'dedup_key', p_function);
    end if;
    if v_dedup_policy not in ('return', 'error') then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: dedup_policy must be "return" or "error", got %s', p_function,
                                        steadfast._echo(v_dedup_policy));
    end if;
    if v_options ? 'partition_key' and pg_catalog.jsonb_typeof(v_options -> 'partition_key') <> 'null' then
        w.partition_key := steadfast._require_text(steadfast._opt_text(v_options, 'partition_key'), 'partition_key', p_function);
    end if;
    w.status := 'enqueued';
    w.attempt := 0;
    w.recovery_attempts := 0;
    w.retry_count := 0;
    w.created_at := v_now;
    w.updated_at := v_now;
    return w;
end;
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
-- generated UUID; options as in _new_workflow. Idempotent on the id: when a workflow with this
-- id and name exists, it is returned unchanged with created = false (its input and options
-- are not compared). With a dedup_key held by an active workflow of the queue, that workflow
-- is returned (created = false, its own id) or, with dedup_policy "error", SF009 is raised
-- (see _insert_workflow). Notifies steadfast_enqueued with the queue's name when the workflow
-- is claimable now. Locks the new row, and the queue's row KEY SHARE (as the insert itself
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
    w steadfast.workflows := steadfast._new_workflow(p_workflow_id, p_name, p_input, p_options, 'start_workflow');
    r record;
begin
    select * into r from steadfast._insert_workflow(w, steadfast._opt_text(p_options, 'dedup_policy', 'return'),
                                                    'start_workflow') i;
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

-- _start_workflows_each(workflows, defaults) → the rows of start_workflows: the batch started
-- element by element through _new_workflow and _insert_workflow, exactly as start_workflow
-- starts one. This is the reference semantics of start_workflows and its path for every batch
-- the set-based path does not take (see start_workflows). `workflows` must be a JSON array and
-- `defaults` an object: start_workflows checks both first. One exception block for the whole
-- batch: an error is raised again naming the element it came from (start_workflows[n]).
-- Notifies steadfast_enqueued once per queue that received claimable work, in the order of the
-- elements. Raises SF001, SF002, SF005, SF006, SF009 as start_workflow. Locks the new rows and
-- their queues' rows (KEY SHARE).
create or replace function steadfast._start_workflows_each(p_workflows jsonb, p_defaults jsonb)
returns table (ordinal integer, workflow_id text, status text, created boolean, queue text,
               available_at timestamptz, output jsonb, error jsonb)
language plpgsql
as $fn$
#variable_conflict use_column
declare
    v_now timestamptz := steadfast.now();
    v_element jsonb;
    v_ordinal integer := 0;
    v_function text := 'start_workflows';
    v_state text;
    v_message text;
    v_detail text;
    v_hint text;
    v_element_options jsonb;
    v_options jsonb;
    v_notify text[] := '{}';
    w steadfast.workflows;
    r record;
begin
    -- One exception block for the whole batch (one subtransaction, not one per element): an
    -- error is raised again naming the element it came from.
    begin
    for v_element in select e from pg_catalog.jsonb_array_elements(p_workflows) e loop
        v_ordinal := v_ordinal + 1;
        if pg_catalog.jsonb_typeof(v_element) <> 'object' then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('%s: each workflow must be a JSON object, got %s', v_function,
                                            pg_catalog.jsonb_typeof(v_element));
        end if;
        perform steadfast._options(v_element, array['name', 'workflow_id', 'input', 'options'], v_function);
        v_element_options := coalesce(v_element -> 'options', '{}'::jsonb);
        if pg_catalog.jsonb_typeof(v_element_options) = 'null' then
            v_element_options := '{}'::jsonb;
        end if;
        if pg_catalog.jsonb_typeof(v_element_options) <> 'object' then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('%s: options must be a JSON object', v_function);
        end if;
        v_options := p_defaults || v_element_options;
        w := steadfast._new_workflow(steadfast._opt_text(v_element, 'workflow_id'), steadfast._opt_text(v_element, 'name'),
                                     coalesce(v_element -> 'input', 'null'::jsonb), v_options, v_function);
        select * into r from steadfast._insert_workflow(w, steadfast._opt_text(v_options, 'dedup_policy', 'return'),
                                                        v_function) i;
        if r.created then
            if w.available_at <= v_now and not w.queue = any (v_notify) then
                v_notify := v_notify || w.queue;
            end if;
            return query select v_ordinal, w.id, w.status, true, w.queue, w.available_at, null::jsonb, null::jsonb;
        else
            return query select v_ordinal, x.id, x.status, false, x.queue, x.available_at, x.output, x.error
                         from steadfast.workflows x where x.id = r.workflow_id;
        end if;
    end loop;
    exception when others then
        get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
                                v_hint = pg_exception_hint;
        v_message := pg_catalog.format('start_workflows[%s]: %s', v_ordinal,
                                       pg_catalog.regexp_replace(v_message, '^start_workflows: ', ''));
        perform steadfast._raise(v_state, v_message, nullif(v_detail, ''), nullif(v_hint, ''));
    end;
    perform pg_catalog.pg_notify('steadfast_enqueued', q) from pg_catalog.unnest(v_notify) q;
end;
$fn$;

-- start_workflows(workflows, options) →
--   (ordinal, workflow_id, status, created, queue, available_at, output, error),
-- one row per element, in order (ordinal counts from 1). Batch enqueue: `workflows` is a JSON
-- array (at most 10000 elements) of {"name", "workflow_id"?, "input"?, "options"?}; each
-- element is started as start_workflow would (idempotent on id, deduplicated on dedup_key —
-- also against earlier elements of the same batch), its options being `options` overridden
-- key by key by the element's own. One transaction: an error in any element (its message
-- names it: start_workflows[n]) starts none. One steadfast_enqueued notification per queue that
-- received claimable work. Raises SF001, SF002, SF005, SF006, SF009 as start_workflow. Locks
-- the new rows and, KEY SHARE, their queues' rows.
--
-- Two paths, one behaviour. A batch of plain elements — objects whose merged options set no
-- dedup_key and hold values of the right types and ranges, naming queues that exist, with
-- inputs within the payload limit — is checked and inserted by one set-based statement, each
-- distinct options object checked once: 17 µs a workflow, most of it the insert itself (heap,
-- four indexes, the queue's foreign key), against 46 µs through _new_workflow and
-- _insert_workflow one element at a time (pgbench, 5,000 per call). Every other batch, and
-- every batch that statement cannot finish — an id used by another name, a timestamp that
-- does not parse, a retry policy _retry_policy refuses, a row inserted or deleted
-- concurrently, whatever error it meets — is rolled back to the start of the set-based
-- attempt and started element by element by _start_workflows_each, the reference, which
-- raises the error the caller sees. The set-based statement computes each column with
-- the expressions _new_workflow uses (retry policies through _retry_policy itself) and takes
-- only what _new_workflow accepts, so both paths give the same result, the same rows and the
-- same errors: Tests/sql/functions/start_workflows/fast_path.sql compares them.
create or replace function steadfast.start_workflows(p_workflows jsonb, p_options jsonb default '{}')
returns table (ordinal integer, workflow_id text, status text, created boolean, queue text,
               available_at timestamptz, output jsonb, error jsonb)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_defaults jsonb := coalesce(p_options, '{}'::jsonb);
    v_now timestamptz := steadfast.now();
    v_max integer;
    v_plain boolean := false;
    -- per element, in order: its id, name, queue, available_at, and whether this call created it
    v_ids text[];
    v_names text[];
    v_queues text[];
    v_available timestamptz[];
    v_created boolean[];
    v_queue text;
begin
    if p_workflows is null or pg_catalog.jsonb_typeof(p_workflows) <> 'array' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('start_workflows: workflows must be a JSON array, got %s',
                                        coalesce(pg_catalog.jsonb_typeof(p_workflows), 'null'));
    end if;
    if pg_catalog.jsonb_array_length(p_workflows) > 10000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('start_workflows: at most 10000 workflows per call, got %s',
                                        pg_catalog.jsonb_array_length(p_workflows));
    end if;
    if pg_catalog.jsonb_typeof(v_defaults) <> 'object' then
        raise exception using errcode = 'SF005', message = 'start_workflows: options must be a JSON object';
    end if;

    -- The set-based path, in a subtransaction of its own: whatever stops it undoes what it did.
    begin
        v_max := steadfast._max_payload_bytes();
        with e as materialized (
            -- each element: whether it is an object of name, workflow_id, input and options; its
            -- own options ('null' when absent); its id, generated here (once) when it has none
            select x.ord::integer as ord,
                   case when pg_catalog.jsonb_typeof(x.v) = 'object'
                        then x.v - '{name,workflow_id,input,options}'::text[] = '{}'::jsonb
                        else false end as shaped,
                   coalesce(x.v -> 'options', 'null'::jsonb) as options,
                   coalesce(pg_catalog.jsonb_typeof(x.v -> 'name'), 'null') as t_name,
                   coalesce(pg_catalog.jsonb_typeof(x.v -> 'workflow_id'), 'null') as t_id,
                   x.v ->> 'name' as name,
                   case when pg_catalog.jsonb_typeof(x.v -> 'workflow_id') = 'string' then x.v ->> 'workflow_id'
                        else pg_catalog.gen_random_uuid()::text end as id,
                   coalesce(x.v -> 'input', 'null'::jsonb) as input,
                   -- measured here, as _check_payload measures it: once stored in the CTE, a
                   -- small value has a shorter header
                   pg_catalog.pg_column_size(coalesce(x.v -> 'input', 'null'::jsonb)) as input_size
            from pg_catalog.jsonb_array_elements(p_workflows) with ordinality as x(v, ord)
        ),
        -- The options: each distinct options object of the elements (usually one or a few) is
        -- merged over the batch's and checked and converted once. o is null when the element's
        -- options are neither an object nor null.
        m as materialized (
            select d.options,
                   case pg_catalog.jsonb_typeof(d.options)
                       when 'null' then v_defaults
                       when 'object' then v_defaults || d.options
                   end as o
            from (select distinct e.options from e) d
        ),
        t as (
            -- the JSON type of each option ('null' when absent), and the numbers and timestamps
            -- converted as _opt_int, _opt_number and _opt_timestamptz convert them: a number
            -- longer than 30 characters (1e400) is left null (not plain) rather than cast
            select m.options, m.o, s.*,
                   case when s.t_priority = 'number' then (m.o ->> 'priority')::numeric end as n_priority,
                   case when s.t_recovery = 'number' then (m.o ->> 'max_recovery_attempts')::numeric end as n_recovery,
                   case when s.t_delay = 'number' and pg_catalog.length(m.o ->> 'delay_seconds') <= 30
                        then (m.o ->> 'delay_seconds')::double precision end as n_delay,
                   case s.t_available_at
                       when 'number' then
                           case when pg_catalog.length(m.o ->> 'available_at') > 30 then null
                                when (m.o ->> 'available_at')::double precision between 0 and 32503680000
                                then pg_catalog.to_timestamp((m.o ->> 'available_at')::double precision) end
                       when 'string' then (m.o ->> 'available_at')::timestamptz
                   end as n_available_at,
                   case s.t_deadline
                       when 'number' then
                           case when pg_catalog.length(m.o ->> 'deadline') > 30 then null
                                when (m.o ->> 'deadline')::double precision between 0 and 32503680000
                                then pg_catalog.to_timestamp((m.o ->> 'deadline')::double precision) end
                       when 'string' then (m.o ->> 'deadline')::timestamptz
                   end as n_deadline
            from m
            cross join lateral (
                select coalesce(pg_catalog.jsonb_typeof(m.o -> 'queue'), 'null') as t_queue,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'priority'), 'null') as t_priority,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'delay_seconds'), 'null') as t_delay,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'available_at'), 'null') as t_available_at,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'app_version'), 'null') as t_app_version,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'max_recovery_attempts'), 'null') as t_recovery,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'retry'), 'null') as t_retry,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'parent_id'), 'null') as t_parent_id,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'parent_step'), 'null') as t_parent_step,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'deadline'), 'null') as t_deadline,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'dedup_key'), 'null') as t_dedup_key,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'dedup_policy'), 'null') as t_dedup_policy,
                       coalesce(pg_catalog.jsonb_typeof(m.o -> 'partition_key'), 'null') as t_partition_key
            ) s
        ),
        o as materialized (
            -- plain: _new_workflow would accept these options (retry policies aside: _retry_policy
            -- itself normalizes or refuses them), they name a queue that exists, and they set no
            -- dedup_key. The values are _new_workflow's, defaults included.
            select t.options,
                   coalesce(t.o is not null
                            and t.o - '{queue,priority,delay_seconds,available_at,app_version,max_recovery_attempts,retry,parent_id,parent_step,deadline,dedup_key,dedup_policy,partition_key}'::text[]
                                = '{}'::jsonb
                            and t.t_queue in ('null', 'string')
                            and exists (select from steadfast.queues q where q.name = coalesce(t.o ->> 'queue', 'default'))
                            and (t.t_priority = 'null'
                                 or t.n_priority = pg_catalog.trunc(t.n_priority)
                                    and t.n_priority between -2147483648 and 2147483647)
                            and (t.t_delay = 'null' or t.n_delay >= 0 and t.n_delay <= 3153600000)
                            and (t.t_available_at = 'null'
                                 or t.n_available_at between '1970-01-01 00:00:00+00'::timestamptz
                                                         and '3000-01-01 00:00:00+00'::timestamptz)
                            and (t.t_delay = 'null' or t.t_available_at = 'null')
                            and (t.t_app_version = 'null'
                                 or t.t_app_version = 'string' and pg_catalog.length(t.o ->> 'app_version') <= 255)
                            and (t.t_recovery = 'null'
                                 or t.n_recovery = pg_catalog.trunc(t.n_recovery)
                                    and t.n_recovery between 1 and 2147483647)
                            and (t.t_parent_id = 'null'
                                 or t.t_parent_id = 'string' and pg_catalog.length(t.o ->> 'parent_id') <= 255)
                            and (t.t_parent_step = 'null'
                                 or t.t_parent_step = 'string' and pg_catalog.length(t.o ->> 'parent_step') <= 255)
                            and (t.t_deadline = 'null'
                                 or t.n_deadline between '1970-01-01 00:00:00+00'::timestamptz
                                                     and '3000-01-01 00:00:00+00'::timestamptz)
                            and t.t_dedup_key = 'null'
                            and (t.t_dedup_policy = 'null' or t.o ->> 'dedup_policy' in ('return', 'error'))
                            and (t.t_partition_key = 'null'
                                 or t.t_partition_key = 'string'
                                    and pg_catalog.length(t.o ->> 'partition_key') between 1 and 255),
                            false) as plain,
                   coalesce(t.o ->> 'queue', 'default') as queue,
                   coalesce(t.n_priority, 0) as priority,
                   coalesce(t.n_available_at, v_now + pg_catalog.make_interval(secs => coalesce(t.n_delay, 0))) as available_at,
                   t.o ->> 'app_version' as app_version,
                   coalesce(t.n_recovery, 10) as max_recovery_attempts,
                   case when t.t_retry <> 'null' then steadfast._retry_policy(t.o -> 'retry') end as retry_policy,
                   t.o ->> 'parent_id' as parent_id,
                   t.o ->> 'parent_step' as parent_step,
                   t.n_deadline as deadline,
                   t.o ->> 'partition_key' as partition_key
            from t
        ),
        -- The given ids: the first element of each, and whether a workflow has it already.
        g as (
            select e.id, pg_catalog.min(e.ord) as first,
                   exists (select from steadfast.workflows x where x.id = e.id) as found
            from e
            where e.t_id = 'string'
            group by e.id
        ),
        p as materialized (
            -- plain: _new_workflow would accept the element. created: it is inserted — unless
            -- its id exists, or an earlier element has it (then it finds that workflow). A
            -- generated id is new; an id that appears meanwhile fails the insert.
            select e.ord, e.id, e.name, e.input,
                   coalesce(g.first = e.ord and not g.found, e.t_id <> 'string') as created,
                   coalesce(e.shaped and o.plain
                            and e.t_name = 'string' and pg_catalog.length(e.name) between 1 and 255
                            and (e.t_id = 'null'
                                 or e.t_id = 'string' and pg_catalog.length(e.id) between 1 and 255
                                    and pg_catalog.left(e.id, 9) <> 'schedule:')
                            and e.input_size <= v_max,
                            false) as plain,
                   o.queue, o.priority, o.available_at, o.app_version, o.max_recovery_attempts, o.retry_policy,
                   o.parent_id, o.parent_step, o.deadline, o.partition_key
            from e join o on o.options = e.options left join g on e.t_id = 'string' and g.id = e.id
        ),
        ok as (
            select coalesce(pg_catalog.bool_and(p.plain), true) as ok from p
        ),
        ins as (
            insert into steadfast.workflows
                (id, name, status, queue, priority, input, attempt, recovery_attempts, max_recovery_attempts,
                 retry_count, retry_policy, available_at, app_version, parent_id, parent_step, deadline,
                 partition_key, created_at, updated_at)
            select p.id, p.name, 'enqueued', p.queue, p.priority::integer, p.input, 0, 0, p.max_recovery_attempts::integer,
                   0, p.retry_policy, p.available_at, p.app_version, p.parent_id, p.parent_step, p.deadline,
                   p.partition_key, v_now, v_now
            from p
            where p.created and (select ok.ok from ok)
            order by p.ord
        )
        select (select ok.ok from ok),
               pg_catalog.array_agg(p.id order by p.ord), pg_catalog.array_agg(p.name order by p.ord),
               pg_catalog.array_agg(p.queue order by p.ord), pg_catalog.array_agg(p.available_at order by p.ord),
               pg_catalog.array_agg(p.created order by p.ord)
        into v_plain, v_ids, v_names, v_queues, v_available, v_created
        from p;

        -- An element that found its id taken by another name (or by a row gone since) is an
        -- error: the element-by-element path raises it.
        if v_plain and exists (
            select from rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_names), pg_catalog.unnest(v_created))
                 as u(id, name, created)
            left join steadfast.workflows x on x.id = u.id
            where not u.created and x.name is distinct from u.name) then
            raise exception 'start_workflows: an id is used by another workflow name';
        end if;
    exception when others then
        v_plain := false;
    end;

    if not v_plain then
        return query select * from steadfast._start_workflows_each(p_workflows, v_defaults);
        return;
    end if;

    return query
        select u.ord::integer, u.id, 'enqueued'::text, true, u.queue, u.available_at, null::jsonb, null::jsonb
        from rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_queues), pg_catalog.unnest(v_available),
                        pg_catalog.unnest(v_created)) with ordinality as u(id, queue, available_at, created, ord)
        where u.created
        union all
        select u.ord::integer, x.id, x.status, false, x.queue, x.available_at, x.output, x.error
        from rows from (pg_catalog.unnest(v_ids), pg_catalog.unnest(v_created)) with ordinality as u(id, created, ord)
        join steadfast.workflows x on x.id = u.id
        where not u.created
        order by 1;
    for v_queue in
        select u.queue
        from rows from (pg_catalog.unnest(v_queues), pg_catalog.unnest(v_available), pg_catalog.unnest(v_created))
             with ordinality as u(queue, available_at, created, ord)
        where u.created and u.available_at <= v_now
        group by u.queue
        order by pg_catalog.min(u.ord)
    loop
        perform pg_catalog.pg_notify('steadfast_enqueued', v_queue);
    end loop;
end;
$fn$;
comment on function steadfast.start_workflows(jsonb, jsonb) is
    'Enqueues a JSON array of workflows in one transaction, as start_workflow would each; one row per element.';

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
