-- Claiming workflows: the only way a workflow becomes `running`.

-- _live_executor(executor_id, function) → the executor's row, when it is registered by this
-- very session and not stopped. Raises SF001 (unknown), SF008 (registered by another session:
-- only the session that registered an executor claims for it), or SF003 (stopped: declared
-- dead or deregistered).
create or replace function steadfast._live_executor(p_executor_id text, p_function text)
returns steadfast.executors
language plpgsql
volatile
as $fn$
declare
    e steadfast.executors;
begin
    perform steadfast._require_text(p_executor_id, 'executor_id', p_function);
    -- KEY SHARE until the caller's transaction ends: recovery (which takes the executor's row
    -- FOR UPDATE SKIP LOCKED) cannot declare this executor dead while a claim of its is in
    -- flight — else a dying process's claim could commit after the recovery and leave its
    -- workflows running under a stopped executor, which nothing would ever recover.
    select * into e from steadfast.executors x where x.id = p_executor_id for key share;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('%s: unknown executor %s', p_function, steadfast._echo(p_executor_id)),
            hint = 'Call steadfast.register_executor first.';
    end if;
    -- The process id is enough here, and cheap (the session's start time costs a scan of every
    -- backend's status, ~0.1 ms): no two live sessions share a pid, so no session can claim for
    -- a live executor registered by another. A later session that happens to reuse the pid of
    -- a dead executor's session could claim for it only until its lease expires (the exact
    -- check in heartbeat_executor keeps it from extending the lease) — no more than it could
    -- claim under an executor of its own.
    if e.session_pid is distinct from pg_catalog.pg_backend_pid() then
        raise exception using errcode = 'SF008',
            message = pg_catalog.format('%s: executor %s was registered by another database session', p_function,
                                        steadfast._echo(p_executor_id)),
            hint = 'Call register_executor from this session first: only the session that registered an executor acts for it.';
    end if;
    if e.stopped_at is not null then
        raise exception using errcode = 'SF003',
            message = pg_catalog.format('%s: executor %s was stopped (%s)', p_function,
                                        steadfast._echo(p_executor_id), e.stop_reason),
            hint = 'Register again.';
    end if;
    return e;
end;
$fn$;

-- _steps_of(workflow_ids) → (workflow_id, steps): for each of the workflows that recorded
-- steps, its steps as a JSON array in recording order:
-- [{"key", "seq", "name", "output", "error", "child_workflow_id", "parallel", "attempt"}, …],
-- where attempt is the workflow attempt that recorded the step. Workflows without steps have
-- no row. In SQL, so that a caller's query inlines it: a claim reads the steps of all the
-- workflows it took with one query, not one call each.
create or replace function steadfast._steps_of(p_workflow_ids text[])
returns table (workflow_id text, steps jsonb)
language sql
stable
as $fn$
    select s.workflow_id,
           pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
               'key', s.step_key, 'seq', s.seq, 'name', s.name, 'output', s.output, 'error', s.error,
               'child_workflow_id', s.child_workflow_id, 'parallel', s.parallel,
               'attempt', s.attempt) order by s.seq)
    from steadfast.steps s
    where s.workflow_id = any (p_workflow_ids)
    group by s.workflow_id
$fn$;

-- _steps(workflow_id) → the workflow's recorded steps as a JSON array in recording order, as
-- _steps_of gives them ('[]' when none).
create or replace function steadfast._steps(p_workflow_id text)
returns jsonb
language plpgsql
stable
as $fn$
begin
    return coalesce((select x.steps from steadfast._steps_of(array[p_workflow_id]) x), '[]'::jsonb);
end;
$fn$;

-- _take(workflow ids, executor) → the ids that are now `running` under that executor.
-- For each (already locked by the caller) enqueued workflow: increments attempt (the fencing
-- token) and recovery_attempts; when recovery_attempts had reached max_recovery_attempts the
-- workflow becomes `dead` instead, with an error saying so, and steadfast_finished is notified.
create or replace function steadfast._take(p_workflow_ids text[], p_executor_id text)
returns text[]
language plpgsql
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
            -- the claiming session's login role: only its sessions write to the workflow
            -- (record_step, complete_workflow, fail_workflow)
            executor_role = session_user,
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
        where w.id = any (p_workflow_ids) and (w.status = 'enqueued') is true  -- by id (sql/01_overview.sql)
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

-- _claimable(queue, app_version, names, now, limit) → the ids of up to `limit` workflows of
-- the queue claimable now, lowest priority first and FIFO (available_at, then id) within,
-- locked FOR UPDATE SKIP LOCKED: rows other claimers hold are skipped, never waited for.
-- app_version null takes every version, otherwise that version or none; names null takes
-- every name. A workflow past its deadline is never offered (a claim's _expire_deadlines
-- cancels it; one whose tree another session held is left for the next claim to cancel, not
-- run). The candidate query of queues without partition_concurrency: it walks the
-- partial index workflows_claimable. Positional parameters, so that the EXPLAIN test
-- (Tests/sql/functions/claim_workflows/explain.sql) can prepare this very text. Generic plan
-- (the test checks it walks the index): a custom one was planned again at every claim, 110 µs.
create or replace function steadfast._claimable(p_queue text, p_app_version text, p_names text[],
                                                p_now timestamptz, p_limit integer)
returns setof text
language plpgsql
volatile
set plan_cache_mode = force_generic_plan
as $fn$
begin
    return query
        select w.id from steadfast.workflows w
        where w.queue = $1 and w.status = 'enqueued' and w.available_at <= $4
          and (w.deadline is null or w.deadline > $4)
          and ($2 is null or w.app_version is null or w.app_version = $2)
          and ($3 is null or w.name = any ($3))
        order by w.priority, w.available_at, w.id
        limit $5
        for update skip locked;
end;
$fn$;

-- _claimable_partitioned(queue, app_version, names, now, limit, partition_concurrency) → the
-- ids of up to `limit` workflows of a partitioned queue claimable now, in the order to take
-- them; not locked (the caller locks them, skipping rows others hold). Each partition offers
-- its next workflows (priority, then FIFO) up to its free capacity, partition_concurrency
-- minus its running workflows; workflows without a partition key form one group without a
-- cap. Offers are ordered by priority, then by turn (a partition's first offer before anyone's
-- second), then by when the partition was last served (queue_partitions; never first), then
-- FIFO. The distinct partitions with enqueued work are found by a loose index scan of
-- workflows_claimable_by_partition, one index probe per partition, so a large backlog in one
-- partition costs nothing. Positional parameters, for the EXPLAIN test.
create or replace function steadfast._claimable_partitioned(p_queue text, p_app_version text, p_names text[],
                                                            p_now timestamptz, p_limit integer,
                                                            p_partition_concurrency integer)
returns setof text
language sql
stable
as $fn$
    with recursive keys (partition_key) as (
        select pg_catalog.min(w.partition_key) from steadfast.workflows w
        where w.queue = $1 and w.status = 'enqueued' and w.partition_key is not null
        union all
        select (select pg_catalog.min(w.partition_key) from steadfast.workflows w
                where w.queue = $1 and w.status = 'enqueued' and w.partition_key > k.partition_key)
        from keys k
        where k.partition_key is not null
    ), offers as (
        select o.id, o.priority, o.available_at, o.turn, k.partition_key
        from keys k
        cross join lateral (
            select w.id, w.priority, w.available_at,
                   pg_catalog.row_number() over (order by w.priority, w.available_at, w.id) as turn
            from steadfast.workflows w
            where w.queue = $1 and w.status = 'enqueued' and w.partition_key = k.partition_key
              and w.available_at <= $4 and (w.deadline is null or w.deadline > $4)
              and ($2 is null or w.app_version is null or w.app_version = $2)
              and ($3 is null or w.name = any ($3))
            order by w.priority, w.available_at, w.id
            limit least($5, greatest(0, $6 - (select pg_catalog.count(*) from steadfast.workflows r
                                               where r.queue = $1 and r.status = 'running'
                                                 and r.partition_key = k.partition_key)))
        ) o
        where k.partition_key is not null
        union all
        select w.id, w.priority, w.available_at,
               pg_catalog.row_number() over (order by w.priority, w.available_at, w.id), null
        from (select w.id, w.priority, w.available_at from steadfast.workflows w
              where w.queue = $1 and w.status = 'enqueued' and w.partition_key is null
                and w.available_at <= $4 and (w.deadline is null or w.deadline > $4)
                and ($2 is null or w.app_version is null or w.app_version = $2)
                and ($3 is null or w.name = any ($3))
              -- partition_key (all null here) first: the order of workflows_claimable_by_partition,
              -- so the keyless group is read from that index, not found among the whole backlog.
              order by w.partition_key, w.priority, w.available_at, w.id
              limit $5) w
    )
    select o.id
    from offers o
    left join steadfast.queue_partitions p on p.queue = $1 and p.partition_key = coalesce(o.partition_key, '')
    order by o.priority, o.turn, p.last_claimed_at nulls first, o.available_at, o.id
    limit $5
$fn$;

-- _running_count(queue) → how many workflows of the queue are running, read from the partial
-- index workflows_running_by_queue. Positional parameter, for the EXPLAIN test.
create or replace function steadfast._running_count(p_queue text)
returns bigint
language plpgsql
stable
as $fn$
begin
    return (
        select pg_catalog.count(*) from steadfast.workflows w where w.queue = $1 and w.status = 'running'
    );
end;
$fn$;

-- _has_global_rule(queue row) → whether claims from the queue must take turns (lock its
-- row): it has a concurrency, rate_limit or partition_concurrency.
create or replace function steadfast._has_global_rule(q steadfast.queues)
returns boolean
language sql
immutable
as $fn$
    select q.concurrency is not null or q.rate_limit is not null or q.partition_concurrency is not null
$fn$;

-- _claim_from_queue(executor, queue, limit, names, only) → the ids now running under the
-- executor: up to `limit` workflows of the queue, as the queue's settings allow (see
-- sql/15_queues.sql). Reads the settings afresh. Locks: the executor's row when the queue
-- has worker_concurrency, then the queue's row (FOR NO KEY UPDATE) when it has a global rule
-- — normally both held already by claim_workflows, which takes them in that order — then the
-- workflow rows taken. The budget is the least of `limit`, concurrency minus running,
-- worker_concurrency minus running under this executor, and rate_limit minus the starts of
-- the last rate_period (counted in queue_starts, which this claim appends to and prunes);
-- it is recomputed after each round of _take, since a workflow past its recovery limit
-- becomes dead instead of running. `only` (a workflow id) restricts the claim to that
-- workflow, enqueued and claimable now, within the same limits (start_workflow_and_claim).
create or replace function steadfast._claim_from_queue(p_executor steadfast.executors, p_queue text, p_limit integer,
                                                       p_names text[], p_only text default null)
returns text[]
language plpgsql
as $fn$
declare
    v_now timestamptz := steadfast.now();
    q steadfast.queues;
    v_budget bigint;
    v_picked text[];
    v_round text[];
    v_taken text[] := '{}'::text[];
begin
    -- The locks claim_workflows takes first (executor, then queue), in the same order; no-ops
    -- when it holds them already, needed when the settings changed since or when called from
    -- start_workflow_and_claim. The second read sees the settings as of the lock.
    select * into q from steadfast.queues x where x.name = p_queue;
    if q.worker_concurrency is not null then
        perform 1 from steadfast.executors e where e.id = p_executor.id for no key update;
    end if;
    if steadfast._has_global_rule(q) then
        select * into q from steadfast.queues x where x.name = p_queue for no key update;
    end if;

    for v_round_number in 1..3 loop
        v_budget := (p_limit - pg_catalog.cardinality(v_taken))::bigint;
        if q.concurrency is not null then
            v_budget := least(v_budget, q.concurrency - steadfast._running_count(p_queue));
        end if;
        if q.worker_concurrency is not null then
            v_budget := least(v_budget, q.worker_concurrency - (
                select pg_catalog.count(*) from steadfast.workflows w
                where w.executor_id = p_executor.id and w.status = 'running' and w.queue = p_queue));
        end if;
        if q.rate_limit is not null then
            v_budget := least(v_budget, q.rate_limit - (
                select coalesce(pg_catalog.sum(s.n), 0) from steadfast.queue_starts s
                where s.queue = p_queue and s.started_at > v_now - q.rate_period));
        end if;
        exit when v_budget <= 0;

        if p_only is not null then
            select pg_catalog.array_agg(c.id) into v_picked
            from (select w.id from steadfast.workflows w
                  where w.id = p_only  -- by id (sql/01_overview.sql)
                    and (w.queue = p_queue and w.status = 'enqueued' and w.available_at <= v_now) is true
                    and (w.deadline is null or w.deadline > v_now)
                    and (q.partition_concurrency is null or w.partition_key is null
                         or (select pg_catalog.count(*) from steadfast.workflows r
                             where r.queue = p_queue and r.status = 'running' and r.partition_key = w.partition_key)
                            < q.partition_concurrency)
                  for update skip locked) c;
        elsif q.partition_concurrency is null then
            select pg_catalog.array_agg(c) into v_picked
            from steadfast._claimable(p_queue, p_executor.app_version, p_names, v_now, v_budget::integer) c;
        else
            select pg_catalog.array_agg(l.id) into v_picked
            from (select w.id from steadfast.workflows w
                  where w.id in (select c from steadfast._claimable_partitioned(p_queue, p_executor.app_version, p_names,
                                                                               v_now, v_budget::integer,
                                                                               q.partition_concurrency) c)
                    and w.status = 'enqueued'
                  for update skip locked) l;
        end if;
        exit when v_picked is null;

        v_round := steadfast._take(v_picked, p_executor.id);
        if pg_catalog.cardinality(v_round) > 0 then
            if q.rate_limit is not null then
                insert into steadfast.queue_starts (queue, started_at, n)
                values (p_queue, v_now, pg_catalog.cardinality(v_round));
            end if;
            if q.partition_concurrency is not null then
                insert into steadfast.queue_partitions as p (queue, partition_key, last_claimed_at)
                select distinct p_queue, coalesce(w.partition_key, ''), v_now
                from steadfast.workflows w where w.id = any (v_round)
                on conflict (queue, partition_key) do update set last_claimed_at = excluded.last_claimed_at;
            end if;
        end if;
        v_taken := v_taken || v_round;
        exit when pg_catalog.cardinality(v_round) = pg_catalog.cardinality(v_picked) or p_only is not null;
    end loop;

    -- Housekeeping, under the queue's lock: starts older than the window no longer count;
    -- partitions idle for a day are forgotten (they would sort first anyway).
    if q.rate_limit is not null then
        delete from steadfast.queue_starts s where s.queue = p_queue and s.started_at <= v_now - q.rate_period;
    end if;
    if q.partition_concurrency is not null then
        delete from steadfast.queue_partitions p
        where p.queue = p_queue and p.last_claimed_at < v_now - interval '1 day';
    end if;
    return v_taken;
end;
$fn$;

-- claim_workflows(executor_id, limit, options) →
--   (workflow_id, name, queue, input, attempt, app_version, parent_id, deadline, created_at, steps,
--    traceparent, tracestate, recovery_attempts, queued_seconds)
-- one row per workflow now `running` under the executor, at most `limit` (1…1000), with all
-- its recorded steps (see _steps) so the caller can replay without another round trip, the
-- trace context its starter gave (migration 0018: the execution joins that trace), its
-- recovery_attempts counting this claim (more than 1: the execution before this one ended
-- without an outcome — a crash, a lost session — and this one recovers it) and how long it
-- waited claimable (seconds from available_at to this claim: schedule-to-start).
-- First recovers the workflows of dead executors other than the caller (_recover_workflows),
-- then takes enqueued workflows whose available_at has come, from the executor's queues in
-- order (option
-- `queues`, an array of queue names, overrides them; option `names`, an array of workflow
-- names, restricts the claim to workflows the caller can run), lowest priority first and FIFO
-- within, as each queue's settings allow (_claim_from_queue: concurrency, worker_concurrency,
-- rate limit, partition_concurrency with fair turns between partitions).
-- Locks, in this order: the dead executors' rows and their workflows (recovery); this
-- executor's row, when one of the queues has worker_concurrency; the rows of the queues with
-- a global rule (concurrency, rate_limit, partition_concurrency), in name order, so claims of
-- such a queue take turns and its limits hold exactly (claimers listing queues in different
-- orders cannot deadlock); the workflows past their deadline, with their descendants, in id
-- order (_expire_deadlines, through cancel_workflow); the sleepers of its queues whose time
-- has come, woken (_wake_due, skipping rows others hold); then the workflows taken, FOR UPDATE SKIP LOCKED — queues without
-- a global rule are claimed without any shared lock, and concurrent claimers never get the
-- same workflow. An executor with an app_version takes workflows of that version or of
-- none; one without takes every version. Each claim increments `attempt`: present it to every
-- later write. A workflow claimed past its max_recovery_attempts becomes `dead` and is not
-- returned, and the claim goes on to the next candidates. An executor whose lease has expired
-- may not claim (SF003: heartbeat or register again first) — others may be taking over its
-- workflows. Only the session that registered the executor may claim for it. Each row is
-- bounded: a workflow's steps total at most settings.max_workflow_bytes (record_step refuses
-- more), so one large workflow never makes its queue's claims fail. Run it at READ COMMITTED
-- (the default). Raises SF001 (unknown executor or queue), SF003 (executor stopped or its
-- lease expired), SF005, SF008 (another session registered the executor).
create or replace function steadfast.claim_workflows(p_executor_id text, p_limit integer default 1,
                                                     p_options jsonb default '{}')
returns table (workflow_id text, name text, queue text, input jsonb, attempt integer, app_version text,
               parent_id text, deadline timestamptz, created_at timestamptz, steps jsonb,
               traceparent text, tracestate text, recovery_attempts integer, queued_seconds double precision)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_executor steadfast.executors := steadfast._live_executor(p_executor_id, 'claim_workflows');
    v_options steadfast.claim_options := steadfast._parse_options(null::steadfast.claim_options, p_options, 'claim_workflows');
    v_queues text[] := coalesce(v_options.queues, v_executor.queues);
    v_names text[] := v_options.names;
    v_now timestamptz := steadfast.now();
    v_queue text;
    v_claimed text[] := '{}'::text[];
    q steadfast.queues;
    v_global text[] := '{}'::text[];
    v_worker_limited boolean := false;
begin
    if p_limit is null or p_limit < 1 or p_limit > 1000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('claim_workflows: limit must be between 1 and 1000, got %s', coalesce(p_limit::text, 'null'));
    end if;
    -- One look-up per queue (a query over the whole array was planned again on every claim:
    -- 160 µs, as much as claiming two workflows).
    foreach v_queue in array v_queues loop
        select * into q from steadfast.queues x where x.name = v_queue;
        if not found then
            raise exception using errcode = 'SF001',
                message = pg_catalog.format('claim_workflows: unknown queue %s', pg_catalog.quote_literal(v_queue));
        end if;
        if steadfast._has_global_rule(q) then
            v_global := v_global || v_queue;
        end if;
        v_worker_limited := v_worker_limited or q.worker_concurrency is not null;
    end loop;

    if v_executor.lease_expires_at <= v_now then
        raise exception using errcode = 'SF003',
            message = pg_catalog.format('claim_workflows: the lease of executor %s expired at %s',
                                        pg_catalog.quote_literal(p_executor_id), v_executor.lease_expires_at),
            hint = 'Heartbeat (or register again) before claiming.';
    end if;

    perform steadfast._recover_workflows(p_executor_id);

    if v_worker_limited then
        perform 1 from steadfast.executors e where e.id = p_executor_id for no key update;
    end if;
    if pg_catalog.cardinality(v_global) > 0 then
        perform 1 from steadfast.queues x
        where x.name = any (v_global)
        order by x.name
        for no key update of x;
    end if;

    -- Workflows past their deadline are cancelled, wherever they are; then sleepers whose
    -- time has come are enqueued again and claimed like the rest.
    perform steadfast._expire_deadlines(v_now);
    perform steadfast._wake_due(v_queues, v_now);

    foreach v_queue in array v_queues loop
        exit when pg_catalog.cardinality(v_claimed) >= p_limit;
        v_claimed := v_claimed || steadfast._claim_from_queue(v_executor, v_queue, p_limit - pg_catalog.cardinality(v_claimed),
                                                              v_names);
    end loop;

    return query
    select w.id, w.name, w.queue, w.input, w.attempt, w.app_version, w.parent_id, w.deadline, w.created_at,
           coalesce(s.steps, '[]'::jsonb), w.traceparent, w.tracestate, w.recovery_attempts,
           greatest(pg_catalog.date_part('epoch', v_now - w.available_at), 0)
    from steadfast.workflows w
    left join steadfast._steps_of(v_claimed) s on s.workflow_id = w.id
    where w.id = any (v_claimed)
    order by w.priority, w.available_at, w.id;
end;
$fn$;

-- start_workflow_and_claim(executor_id, workflow_id, name, input, options) →
--   (workflow_id, name, queue, input, attempt, app_version, parent_id, deadline, created_at,
--    steps, status, created, claimed, output, error, traceparent, tracestate, recovery_attempts,
--    queued_seconds) — the last four as claim_workflows'.
-- For a caller that runs the workflow itself: starts it (as start_workflow) already `running`
-- under the executor, attempt 1, in one call. When the id exists with the same name (or,
-- with dedup_policy "return", an active workflow of the queue holds its dedup_key), the
-- existing workflow is returned (created = false) and claimed if it is enqueued and
-- claimable now and no one else holds its row (claimed says which); its steps come along for
-- replay. A workflow started with a future available_at is only enqueued (claimed = false).
-- In a queue with settings the workflow is enqueued first and then claimed only as the
-- queue's limits allow (as _claim_from_queue, ahead of older workflows: the caller asked to
-- run this one); when they do not, it stays enqueued (claimed = false) and the queue is
-- notified. Locks the new row, then as _claim_from_queue. Raises SF001, SF002, SF003
-- (executor stopped), SF005, SF006, SF008 (another session registered the executor), SF009
-- (deduplicated, with dedup_policy "error").
create or replace function steadfast.start_workflow_and_claim(p_executor_id text, p_workflow_id text, p_name text,
                                                              p_input jsonb default 'null', p_options jsonb default '{}')
returns table (workflow_id text, name text, queue text, input jsonb, attempt integer, app_version text,
               parent_id text, deadline timestamptz, created_at timestamptz, steps jsonb,
               status text, created boolean, claimed boolean, output jsonb, error jsonb,
               traceparent text, tracestate text, recovery_attempts integer, queued_seconds double precision)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_executor steadfast.executors := steadfast._live_executor(p_executor_id, 'start_workflow_and_claim');
    n record;
    w steadfast.workflows;
    v_now timestamptz := steadfast.now();
    q steadfast.queues;
    v_direct boolean;
    v_id text;
    v_created boolean;
    v_claimed boolean := false;
    v_locked text;
begin
    n := steadfast._new_workflows(array[row(p_name, p_workflow_id, p_input, p_options)::steadfast.start_element],
                                  null, 'start_workflow_and_claim');
    w := n.rows[1];
    select * into q from steadfast.queues x where x.name = w.queue;
    -- A queue without settings: the new workflow is inserted running.
    v_direct := w.available_at <= v_now and not steadfast._has_global_rule(q) and q.worker_concurrency is null;
    if v_direct then
        w.status := 'running';
        w.executor_id := p_executor_id;
        w.attempt := 1;
        w.recovery_attempts := 1;
        w.started_at := v_now;
    end if;
    select i.workflow_id, i.created into v_id, v_created
    from steadfast._insert_workflow(w, n.policies[1], 'start_workflow_and_claim') i;
    if v_created and v_direct then
        v_claimed := true;
    elsif not v_direct and (steadfast._has_global_rule(q) or q.worker_concurrency is not null) then
        v_claimed := pg_catalog.cardinality(steadfast._claim_from_queue(v_executor, w.queue, 1, null, v_id)) = 1;
        if v_created and not v_claimed and w.available_at <= v_now then
            perform pg_catalog.pg_notify('steadfast_enqueued', w.queue);
        end if;
    elsif not v_created then
        select x.id into v_locked from steadfast.workflows x
        where x.id = v_id and (x.status = 'enqueued' and x.available_at <= v_now) is true  -- by id (sql/01_overview.sql)
        for update skip locked;
        if v_locked is not null then
            v_claimed := pg_catalog.cardinality(steadfast._take(array[v_locked], p_executor_id)) = 1;
        end if;
    end if;
    return query
    select x.id, x.name, x.queue, x.input, x.attempt, x.app_version, x.parent_id, x.deadline, x.created_at,
           case when v_created then '[]'::jsonb else steadfast._steps(x.id) end,
           x.status, v_created, v_claimed, x.output, x.error, x.traceparent, x.tracestate, x.recovery_attempts,
           greatest(pg_catalog.date_part('epoch', v_now - x.available_at), 0)
    from steadfast.workflows x where x.id = v_id;
end;
$fn$;

comment on function steadfast.claim_workflows(text, integer, jsonb) is
    'Claims up to limit claimable workflows for an executor (FOR UPDATE SKIP LOCKED, queue limits enforced), after recovering the workflows of dead executors; each comes with its attempt (the fencing token) and recorded steps. SF001, SF003, SF005.';
comment on function steadfast.start_workflow_and_claim(text, text, text, jsonb, jsonb) is
    'Starts a workflow already running under the calling executor (attempt 1), or claims the existing one with that id when it is claimable; for callers that run the workflow themselves. SF001, SF002, SF003, SF005, SF006.';
