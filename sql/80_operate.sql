-- Operating workflows: cancel, resume, fork, prune. Each is one call, from psql or any client.
--
--   enqueued / running / waiting ──cancel_workflow──► cancelled   (and every unfinished descendant)
--   cancelled / failed / dead ────resume_workflow──► enqueued     (same id, checkpoints kept)
--   any workflow ──fork_workflow(id, from_step)──► a new enqueued workflow with the steps before from_step
--   succeeded / failed / cancelled / dead ──prune_workflows──► deleted, with their steps
--
-- Cancelling a running workflow reaches its executor twice: its next write (record_step,
-- complete_workflow, fail_workflow) is fenced (SF003) because the workflow is no longer
-- `running`, and NOTIFY steadfast_cancelled (payload: the workflow id) tells a listening
-- worker to stop the workflow's code at once (the Swift Worker cancels its task).

-- _unknown_workflow(workflow_id, function) raises SF001 naming the workflow.
create or replace function steadfast._unknown_workflow(p_workflow_id text, p_function text)
returns void
language plpgsql
immutable
as $fn$
begin
    raise exception using errcode = 'SF001',
        message = pg_catalog.format('%s: unknown workflow %s', p_function, steadfast._echo(p_workflow_id));
end;
$fn$;

-- (_tree, its unlocked predecessor, is gone.)
drop function if exists steadfast._tree(text);

-- _lock_tree(workflow_id, nowait) → the ids of the workflow and of its descendants (children,
-- their children, … by parent_id), their rows locked FOR UPDATE until the caller's transaction
-- ends; null when the workflow does not exist. Locked deepest first, then by id: a child
-- before its parent — the order in which a child's final transition locks its parent
-- (sql/56_children.sql, _child_finished) — so that a cancel and a finishing child never
-- deadlock. Once it holds them it reads the tree again, and locks again while a descendant
-- appeared meanwhile (started before its parent's row was locked; none can start after:
-- start_child_workflow locks its parent). With nowait, a row another session holds raises
-- lock_not_available (55P03) instead of being waited for. A cycle written by hand ends at
-- depth 1000.
create or replace function steadfast._lock_tree(p_workflow_id text, p_nowait boolean)
returns text[]
language plpgsql
volatile
as $fn$
declare
    v_ids text[];
    v_locked text[];
begin
    loop
        with recursive tree (id, depth) as (
            select w.id, 0 from steadfast.workflows w where w.id = p_workflow_id
            union
            select c.id, t.depth + 1 from steadfast.workflows c join tree t on c.parent_id = t.id where t.depth < 1000)
        select pg_catalog.array_agg(t.id order by t.depth desc, t.id) into v_ids
        from (select tree.id, pg_catalog.max(tree.depth) as depth from tree group by tree.id) t;
        exit when v_ids is null or v_ids <@ v_locked;
        if p_nowait then
            perform from steadfast.workflows w join pg_catalog.unnest(v_ids) with ordinality as u(id, n) on w.id = u.id
            order by u.n for update of w nowait;
        else
            perform from steadfast.workflows w join pg_catalog.unnest(v_ids) with ordinality as u(id, n) on w.id = u.id
            order by u.n for update of w;
        end if;
        v_locked := v_ids;
    end loop;
    return v_ids;
end;
$fn$;

-- cancel_workflow(workflow_id, options) → (workflow_id, previous_status, status), one row for
-- the workflow and one for each descendant (children, their children, … by parent_id) that
-- this call cancelled; the workflow first, then descendants by id.
-- An enqueued, running or waiting workflow becomes `cancelled` (completed_at = now, error =
-- {"type": "cancelled", "message": options.reason or "cancelled"}), and so does every
-- unfinished descendant (error message "ancestor <id> was cancelled"); finished descendants
-- are left alone. A running one loses its executor: that executor's next write is fenced
-- (SF003). Notifies steadfast_finished (payload: id) for each workflow cancelled, and
-- steadfast_cancelled (payload: id) for each that was running, so its worker stops it.
-- Options: reason (text, at most 1000 characters). Idempotent: a cancelled workflow returns
-- its own row unchanged (previous_status = 'cancelled') and only descendants still unfinished
-- are cancelled. Locks the workflow's row and its descendants' rows, children first (_lock_tree).
-- Raises SF001 (unknown workflow), SF004 (the workflow already succeeded, failed or is dead:
-- nothing changes), SF005.
create or replace function steadfast.cancel_workflow(p_workflow_id text, p_options jsonb default '{}')
returns table (workflow_id text, previous_status text, status text)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_reason text := coalesce((steadfast._parse_options(null::steadfast.cancel_options, p_options,
                                                        'cancel_workflow')).reason, 'cancelled');
    v_now timestamptz := steadfast.now();
    v_status text;
    v_ids text[];
    v_previous text[];
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'cancel_workflow');
    if pg_catalog.length(v_reason) > 1000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('cancel_workflow: reason is longer than 1000 characters (%s)',
                                        pg_catalog.length(v_reason));
    end if;
    -- The workflow and its descendants, locked children first (_lock_tree). A batch of
    -- checkpoints holding a parent and waiting for its child (id order) can meet this order
    -- the other way round: the deadlock's victim, when it is this call, lets go and tries again.
    for v_try in 1 .. 10 loop
        begin
            v_ids := steadfast._lock_tree(p_workflow_id, false);
            exit;
        exception when deadlock_detected then
            if v_try = 10 then
                raise;
            end if;
        end;
    end loop;
    if v_ids is null then
        perform steadfast._unknown_workflow(p_workflow_id, 'cancel_workflow');
    end if;
    select w.status into v_status from steadfast.workflows w where w.id = p_workflow_id;
    if v_status in ('succeeded', 'failed', 'dead') then
        raise exception using errcode = 'SF004',
            message = pg_catalog.format('cancel_workflow: workflow %s already finished (%s)',
                                        steadfast._echo(p_workflow_id), v_status),
            hint = 'Only enqueued, running and waiting workflows can be cancelled.';
    end if;

    -- The unfinished descendants, in id order.
    select pg_catalog.array_agg(w.id order by w.id), pg_catalog.array_agg(w.status order by w.id)
    into v_ids, v_previous
    from steadfast.workflows w
    where w.id = any (v_ids) and w.id <> p_workflow_id
      and (w.status in ('enqueued', 'running', 'waiting')) is true;  -- by id (sql/01_overview.sql)
    v_ids := array[p_workflow_id] || coalesce(v_ids, '{}');
    v_previous := array[v_status] || coalesce(v_previous, '{}');

    update steadfast.workflows w
    set status = 'cancelled', executor_id = null, recovery_attempts = 0, completed_at = v_now, updated_at = v_now,
        error = pg_catalog.jsonb_build_object('type', 'cancelled', 'message',
                    case when w.id = p_workflow_id then v_reason
                         else pg_catalog.format('ancestor %s was cancelled', p_workflow_id) end)
    where w.id = any (v_ids) and (w.status in ('enqueued', 'running', 'waiting')) is true;  -- by id (sql/01_overview.sql)

    for i in 1 .. pg_catalog.cardinality(v_ids) loop
        if v_previous[i] <> 'cancelled' then
            perform pg_catalog.pg_notify('steadfast_finished', v_ids[i]);
        end if;
        if v_previous[i] = 'running' then
            perform pg_catalog.pg_notify('steadfast_cancelled', v_ids[i]);
        end if;
        workflow_id := v_ids[i];
        previous_status := v_previous[i];
        status := 'cancelled';
        return next;
    end loop;
end;
$fn$;
comment on function steadfast.cancel_workflow(text, jsonb) is
    'Cancels an enqueued, running or waiting workflow and its unfinished descendants; notifies steadfast_finished and (for running ones) steadfast_cancelled. SF004 if it already finished; idempotent when already cancelled. Option: reason.';

-- _expire_deadlines(now) → how many workflows this call cancelled because their deadline
-- (start option deadline or timeout_seconds) passed: up to 100 enqueued, running or waiting
-- workflows whose deadline is not after `now`, oldest deadline first, each cancelled by
-- cancel_workflow with the reason "deadline exceeded" (its unfinished descendants with it;
-- the worker running one is told to stop it). claim_workflows calls it on every claim, so a
-- deadline is enforced within a claim poll of any worker. A workflow that finished meanwhile
-- is skipped, and so is one whose tree has a row another session holds (never waited for; a
-- later claim cancels it). Reads the partial index workflows_deadline, with the generic plan
-- (a custom one was planned again at every claim: 160 µs, for an index that is mostly empty).
create or replace function steadfast._expire_deadlines(p_now timestamptz)
returns integer
language plpgsql
volatile
set plan_cache_mode = force_generic_plan
as $fn$
declare
    v_id text;
    v_count integer := 0;
begin
    for v_id in
        select w.id from steadfast.workflows w
        where w.deadline <= p_now and w.deadline is not null and w.status in ('enqueued', 'running', 'waiting')
        order by w.deadline, w.id
        limit 100
    loop
        begin
            -- Its whole tree at once, or not now: a row another session holds (a frozen
            -- worker's transaction step) is not waited for, and a later claim tries again.
            perform steadfast._lock_tree(v_id, true);
            perform steadfast.cancel_workflow(v_id, '{"reason": "deadline exceeded"}');
            v_count := v_count + 1;
        exception when sqlstate 'SF004' or lock_not_available then
            null;  -- finished meanwhile, or held
        end;
    end loop;
    return v_count;
end;
$fn$;

-- resume_workflow(workflow_id, options) → (workflow_id, previous_status, status, queue,
-- app_version, available_at).
-- Puts a cancelled, failed or dead workflow back in its queue, enqueued and available now,
-- with the same id, input and checkpoints: its next run replays every step that succeeded;
-- steps recorded as failed are forgotten so they run again. Its recovery attempts and retry
-- count start again from zero; its last error stays until it finishes. Options: queue (move
-- it to that queue), app_version (a version string, or null for any worker): to give a
-- workflow no live worker can run (see stranded_workflows) to one that can. An enqueued
-- workflow is left as it is, but for those options: resuming twice changes nothing the second
-- time. Notifies steadfast_enqueued (payload: the queue). Locks the workflow row.
-- Raises SF001 (unknown workflow or queue), SF004 (running, waiting or succeeded: nothing
-- changes), SF005, SF009 (another active workflow of the queue holds its deduplication key).
create or replace function steadfast.resume_workflow(p_workflow_id text, p_options jsonb default '{}')
returns table (workflow_id text, previous_status text, status text, queue text, app_version text,
               available_at timestamptz)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.resume_options := steadfast._parse_options(null::steadfast.resume_options, p_options, 'resume_workflow');
    v_queue text := o.queue;
    v_version text := o.app_version::text;
    v_now timestamptz := steadfast.now();
    w steadfast.workflows;
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'resume_workflow');
    if p_options ? 'queue' then
        perform steadfast._require_text(v_queue, 'queue', 'resume_workflow');
        perform steadfast._key_share_queue(v_queue, 'resume_workflow');
    end if;
    select * into w from steadfast.workflows x where x.id = p_workflow_id for update;
    if not found then
        perform steadfast._unknown_workflow(p_workflow_id, 'resume_workflow');
    end if;
    if w.status in ('running', 'waiting', 'succeeded') then
        raise exception using errcode = 'SF004',
            message = pg_catalog.format('resume_workflow: workflow %s is %s', steadfast._echo(p_workflow_id), w.status),
            hint = 'Only cancelled, failed and dead workflows can be resumed; fork a succeeded one to run it again.';
    end if;

    if w.status <> 'enqueued' then
        delete from steadfast.steps s where s.workflow_id = p_workflow_id and s.error is not null;
    end if;
    begin
    return query
    update steadfast.workflows x
    set status = 'enqueued',
        queue = coalesce(v_queue, x.queue),
        app_version = case when p_options ? 'app_version' then v_version else x.app_version end,
        executor_id = null,
        available_at = case when w.status = 'enqueued' then x.available_at else v_now end,
        recovery_attempts = case when w.status = 'enqueued' then x.recovery_attempts else 0 end,
        retry_count = case when w.status = 'enqueued' then x.retry_count else 0 end,
        completed_at = null,
        updated_at = case when w.status = 'enqueued' and coalesce(p_options, '{}'::jsonb) = '{}'::jsonb then x.updated_at else v_now end
    where x.id = p_workflow_id
    returning x.id, w.status, x.status, x.queue, x.app_version, x.available_at;
    exception when foreign_key_violation then
        -- The queue was deleted after it was checked (the queue trigger of migration 0008).
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('resume_workflow: unknown queue %s', steadfast._echo(v_queue));
    when unique_violation then
        -- workflows_dedup: another active workflow of the queue holds its deduplication key.
        raise exception using errcode = 'SF009',
            message = pg_catalog.format('resume_workflow: an active workflow of queue %s already holds deduplication key %s',
                                        steadfast._echo(coalesce(v_queue, w.queue)), steadfast._echo(w.dedup_key)),
            hint = 'Cancel or finish that workflow first, or fork this one (a fork has no deduplication key).';
    end;

    if (w.status <> 'enqueued' or v_queue is distinct from null)
       and (select x.available_at <= v_now from steadfast.workflows x where x.id = p_workflow_id) then
        perform pg_catalog.pg_notify('steadfast_enqueued', coalesce(v_queue, w.queue));
    end if;
end;
$fn$;
comment on function steadfast.resume_workflow(text, jsonb) is
    'Puts a cancelled, failed or dead workflow back in its queue (same id; succeeded steps kept, failed ones run again; recovery and retry counts reset). Options queue and app_version also move an enqueued one. SF004 if running, waiting or succeeded.';

-- fork_workflow(workflow_id, from_step, options) → (workflow_id, created, forked_from,
-- forked_at_step, copied_steps, status, queue, app_version).
-- Starts a new workflow with the original's name and input that begins as if it had run the
-- original's steps before `from_step`: the steps whose seq (as list_steps and get_workflow
-- show it, 1-based) is below from_step are copied with their outputs and errors, so its first
-- run replays them without running them and runs step from_step onwards with the code of
-- whatever worker claims it. from_step 1 copies nothing; the original's last seq + 1 copies
-- every step. The new workflow records its lineage (forked_from, forked_at_step), keeps the
-- original's queue, priority, app_version, partition key, retry policy and recovery limit
-- unless options say otherwise, and its trace context (the fork's executions join the
-- original's trace), and has no parent and no deduplication key. The original is
-- not changed, whatever its status.
-- Options: workflow_id (the new id; default a generated UUID), queue, app_version (a version,
-- or null for any worker: e.g. the version with the fix). Idempotent on options.workflow_id:
-- when a fork of the same workflow at the same step already has that id, it is returned with
-- created = false. Notifies steadfast_enqueued (payload: the queue). Locks the original's row
-- (key share: it cannot be pruned meanwhile; its steps are read in one snapshot).
-- Raises SF001 (unknown workflow or queue; from_step past the original's last step + 1),
-- SF002 (workflow_id is already used by another workflow), SF005 (from_step null or < 1,
-- bad option, a workflow_id in the schedule namespace 'schedule:…').
create or replace function steadfast.fork_workflow(p_workflow_id text, p_from_step integer,
                                                   p_options jsonb default '{}')
returns table (workflow_id text, created boolean, forked_from text, forked_at_step integer, copied_steps integer,
               status text, queue text, app_version text)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.fork_options := steadfast._parse_options(null::steadfast.fork_options, p_options, 'fork_workflow');
    v_id text := o.workflow_id;
    v_queue text := o.queue;
    v_now timestamptz := steadfast.now();
    v_last integer;
    v_copied integer;
    w steadfast.workflows;
    e steadfast.workflows;
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'fork_workflow');
    if p_from_step is null or p_from_step < 1 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('fork_workflow: from_step must be ≥ 1 (the seq of the first step to run again), got %s',
                                        coalesce(p_from_step::text, 'null'));
    end if;
    if p_options ? 'workflow_id' then
        perform steadfast._require_text(v_id, 'options.workflow_id', 'fork_workflow');
        if pg_catalog.starts_with(v_id, 'schedule:') then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('fork_workflow: options.workflow_id %s is in the schedule namespace', steadfast._echo(v_id)),
                hint = 'Ids beginning with ''schedule:'' are reserved for tick_schedules.';
        end if;
    end if;
    v_id := coalesce(v_id, pg_catalog.gen_random_uuid()::text);
    if p_options ? 'queue' then
        perform steadfast._require_text(v_queue, 'queue', 'fork_workflow');
        perform steadfast._key_share_queue(v_queue, 'fork_workflow');
    end if;

    select * into w from steadfast.workflows x where x.id = p_workflow_id for key share;
    if not found then
        perform steadfast._unknown_workflow(p_workflow_id, 'fork_workflow');
    end if;
    select coalesce(pg_catalog.max(s.seq), 0) into v_last from steadfast.steps s where s.workflow_id = p_workflow_id;
    if p_from_step > v_last + 1 then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('fork_workflow: from_step %s is past the last step of workflow %s', p_from_step,
                                        steadfast._echo(p_workflow_id)),
            detail = pg_catalog.format('Its last recorded step is seq %s: fork from 1 to %s.', v_last, v_last + 1);
    end if;

    begin
        insert into steadfast.workflows as x (id, name, status, queue, priority, input, app_version, max_recovery_attempts,
                                              retry_policy, partition_key, forked_from, forked_at_step,
                                              available_at, created_at, updated_at, traceparent, tracestate)
        values (v_id, w.name, 'enqueued', coalesce(v_queue, w.queue), w.priority, w.input,
                case when p_options ? 'app_version' then o.app_version else w.app_version end,
                w.max_recovery_attempts, w.retry_policy, w.partition_key, p_workflow_id, p_from_step,
                v_now, v_now, v_now, w.traceparent, w.tracestate)
        on conflict (id) do nothing;
    exception when foreign_key_violation then
        -- The queue was deleted after it was checked (the queue trigger of migration 0008).
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('fork_workflow: unknown queue %s', steadfast._echo(coalesce(v_queue, w.queue)));
    end;
    if not found then
        select * into e from steadfast.workflows x where x.id = v_id;
        if e.forked_from is distinct from p_workflow_id or e.forked_at_step is distinct from p_from_step then
            raise exception using errcode = 'SF002',
                message = pg_catalog.format('fork_workflow: workflow id %s is already used', steadfast._echo(v_id)),
                detail = pg_catalog.format('It is workflow %s, forked from %s at step %s.', e.name,
                                           coalesce(e.forked_from, 'nothing'), coalesce(e.forked_at_step::text, '-'));
        end if;
        return query
        select e.id, false, e.forked_from, e.forked_at_step,
               (select pg_catalog.count(*)::integer from steadfast.steps s where s.workflow_id = e.id and s.seq < p_from_step),
               e.status, e.queue, e.app_version;
        return;
    end if;

    insert into steadfast.steps (workflow_id, step_key, seq, name, output, error, child_workflow_id, attempt,
                                 step_attempts, parallel, started_at, completed_at, total_bytes)
    select v_id, s.step_key, s.seq, s.name, s.output, s.error, s.child_workflow_id, s.attempt,
           s.step_attempts, s.parallel, s.started_at, s.completed_at, s.total_bytes
    from steadfast.steps s
    where s.workflow_id = p_workflow_id and s.seq < p_from_step;
    get diagnostics v_copied = row_count;
    -- The events and stream entries those steps wrote (sql/58_events.sql) come with them.
    insert into steadfast.event_writes (workflow_id, step_key, seq, key, value, written_at)
    select v_id, e.step_key, e.seq, e.key, e.value, e.written_at
    from steadfast.event_writes e where e.workflow_id = p_workflow_id and e.seq < p_from_step;
    insert into steadfast.stream_entries (workflow_id, key, "offset", value, closed, step_key, seq, written_at)
    select v_id, e.key, e."offset", e.value, e.closed, e.step_key, e.seq, e.written_at
    from steadfast.stream_entries e where e.workflow_id = p_workflow_id and e.seq < p_from_step;

    perform pg_catalog.pg_notify('steadfast_enqueued', coalesce(v_queue, w.queue));
    return query
    select x.id, true, x.forked_from, x.forked_at_step, v_copied, x.status, x.queue, x.app_version
    from steadfast.workflows x where x.id = v_id;
end;
$fn$;
comment on function steadfast.fork_workflow(text, integer, jsonb) is
    'Starts a new workflow with the original''s name and input and copies its steps with seq < from_step, recording forked_from/forked_at_step; the original is untouched. Options: workflow_id, queue, app_version. SF001 when from_step is past the last step + 1.';

-- _parent_unfinished(parent_id) → whether that parent exists and is enqueued, running or
-- waiting: its child's outcome may still be awaited (await_children reads it), so the child is
-- kept. False for null. SQL, inlined.
create or replace function steadfast._parent_unfinished(p_parent_id text)
returns boolean
language sql
stable
as $fn$
    select p_parent_id is not null
           and exists (select from steadfast.workflows p
                       where p.id = p_parent_id and (p.status in ('enqueued', 'running', 'waiting')) is true)
$fn$;

-- prune_workflows(older_than, batch_size, options) → (deleted_workflows, deleted_steps, more).
-- Deletes up to batch_size finished workflows (succeeded, failed, cancelled, dead) that
-- completed more than `older_than` ago, oldest first, but for children whose parent is not
-- finished (their outcome may still be awaited), with their steps (and everything else
-- that belongs to a workflow, by ON DELETE CASCADE). One batch per call, in one transaction:
-- call again while `more` is true (the CLI and the Swift client loop). Forks of a pruned
-- workflow keep its id in forked_from. Options: status (a finished status or an array of
-- them; default all four), queue (only that queue's: a retention per queue), dry_run (boolean,
-- default false: true deletes nothing and returns, in one call, how many workflows and steps
-- every batch together would delete, with more = false). Locks the rows it deletes, skipping
-- rows others hold (SKIP LOCKED), so concurrent pruners share the work. Raises SF005 (older_than null, negative or
-- over 1000 years,
-- batch_size outside 1…100000, a status that is not finished).
create or replace function steadfast.prune_workflows(p_older_than interval, p_batch_size integer default 1000,
                                                     p_options jsonb default '{}')
returns table (deleted_workflows integer, deleted_steps integer, more boolean)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.prune_options := steadfast._parse_options(null::steadfast.prune_options, p_options, 'prune_workflows');
    v_queue text := o.queue;
    v_statuses text[] := coalesce(steadfast._statuses(o.status, 'prune_workflows'),
                                  array['succeeded', 'failed', 'cancelled', 'dead']);
    v_cutoff timestamptz;
    v_ids text[];
    v_steps integer;
    v_deleted integer;
    v_bad text;
begin
    if p_older_than is null or p_older_than < interval '0' or p_older_than > interval '1000 years' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('prune_workflows: older_than must be an interval between 0 and 1000 years, got %s',
                                        coalesce(p_older_than::text, 'null'));
    end if;
    if p_batch_size is null or p_batch_size < 1 or p_batch_size > 100000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('prune_workflows: batch_size must be between 1 and 100000, got %s',
                                        coalesce(p_batch_size::text, 'null'));
    end if;
    select s into v_bad from pg_catalog.unnest(v_statuses) s
    where s not in ('succeeded', 'failed', 'cancelled', 'dead') limit 1;
    if v_bad is not null then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('prune_workflows: %s is not a finished status', steadfast._echo(v_bad)),
            hint = 'Only succeeded, failed, cancelled and dead workflows are pruned.';
    end if;
    v_cutoff := steadfast.now() - p_older_than;

    if o.dry_run then
        return query
        select pg_catalog.count(distinct w.id)::integer, pg_catalog.count(s.workflow_id)::integer, false
        from steadfast.workflows w
        left join steadfast.steps s on s.workflow_id = w.id
        where w.status = any (v_statuses) and w.created_at < v_cutoff and w.completed_at < v_cutoff
          and (v_queue is null or w.queue = v_queue) and not steadfast._parent_unfinished(w.parent_id);
        return;
    end if;

    -- created_at <= completed_at: the extra bound lets workflows_status_created narrow the scan.
    select pg_catalog.array_agg(v.id) into v_ids
    from (select w.id from steadfast.workflows w
          where w.status = any (v_statuses) and w.created_at < v_cutoff and w.completed_at < v_cutoff
            and (v_queue is null or w.queue = v_queue) and not steadfast._parent_unfinished(w.parent_id)
          order by w.completed_at, w.id
          limit p_batch_size
          for update skip locked) v;
    if v_ids is null then
        return query select 0, 0, false;
        return;
    end if;
    select pg_catalog.count(*)::integer into v_steps from steadfast.steps s where s.workflow_id = any (v_ids);
    delete from steadfast.workflows w where w.id = any (v_ids);
    get diagnostics v_deleted = row_count;
    return query
    select v_deleted, v_steps,
           exists (select 1 from steadfast.workflows w
                   where w.status = any (v_statuses) and w.created_at < v_cutoff and w.completed_at < v_cutoff
                     and (v_queue is null or w.queue = v_queue) and not steadfast._parent_unfinished(w.parent_id));
end;
$fn$;
comment on function steadfast.prune_workflows(interval, integer, jsonb) is
    'Deletes up to batch_size finished workflows completed more than older_than ago, with their steps; returns the counts and whether more remain (call again while more). Options: status, queue, dry_run (count, delete nothing).';
