-- Executors: register, heartbeat, deregister — and the recovery of workflows whose executor
-- is gone.
--
-- An executor's liveness has two signals. The lease (heartbeat_at + lease_seconds) is the
-- safety net for a session that is alive but silent. The fast signal is a session-level
-- advisory lock, (_executor_lock_space(), lock_key), taken by register_executor in the
-- caller's session: when that session ends — the process was killed, the connection dropped —
-- PostgreSQL frees the lock, and the next claim anywhere notices with a non-blocking probe.
-- So an executor must call register_executor from the session it keeps open while it runs.

-- _executor_lock_space() → the first key of every executor's advisory lock ('SF' + 1).
create or replace function steadfast._executor_lock_space()
returns integer
language sql
immutable
as $fn$ select 1397096449 $fn$;

-- _executor_locks() → (pid, lock_key): the advisory locks of the executor lock space held in
-- this database, by process. The one reader of pg_locks for executors: every role may read it
-- and no privilege filters it, so it works the same under a non-superuser owner (about 0.1 ms a
-- call: the checks that need it are rare — registration, heartbeats, hand-backs, views).
create or replace function steadfast._executor_locks()
returns table (pid integer, lock_key integer)
language plpgsql
stable
as $fn$
begin
    return query
    select l.pid, (l.objid::bigint - case when l.objid::bigint >= 2147483648 then 4294967296 else 0 end)::integer
    from pg_catalog.pg_locks l
    where l.locktype = 'advisory' and l.granted and l.objsubid = 2
      and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
      and l.classid::bigint = (steadfast._executor_lock_space()::bigint & 4294967295);
end;
$fn$;

-- _holds_executor_lock(lock_key) → whether this session holds that executor's session lock.
create or replace function steadfast._holds_executor_lock(p_lock_key integer)
returns boolean
language plpgsql
stable
as $fn$
begin
    return exists (select 1 from steadfast._executor_locks() l
                   where l.pid = pg_catalog.pg_backend_pid() and l.lock_key = p_lock_key);
end;
$fn$;

-- _executor_lock_holder(lock_key) → the process id of the session holding that executor's
-- session-level advisory lock, or null when none does.
create or replace function steadfast._executor_lock_holder(p_lock_key integer)
returns integer
language plpgsql
stable
as $fn$
begin
    return (select l.pid from steadfast._executor_locks() l where l.lock_key = p_lock_key limit 1);
end;
$fn$;

-- _own_executor(executor_id, function) → the executor's row, when the calling session is the
-- one that registered it: it has the executor's pid and holds its advisory lock (so a later
-- session that reuses a dead one's pid does not pass). The check heartbeat_executor,
-- release_workflows and deregister_executor make first; claims make a cheaper one
-- (_live_executor). Any worker role may name any executor id; only the session that
-- registered it acts for it. Locks nothing. Raises SF005 (no id), SF001 (unknown executor),
-- SF008 (registered by another session).
create or replace function steadfast._own_executor(p_executor_id text, p_function text)
returns steadfast.executors
language plpgsql
stable
as $fn$
declare
    v_executor steadfast.executors;
begin
    perform steadfast._require_text(p_executor_id, 'executor_id', p_function);
    select * into v_executor from steadfast.executors e where e.id = p_executor_id;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('%s: unknown executor %s', p_function, steadfast._echo(p_executor_id));
    end if;
    -- A stopped executor's lock is free (deregistered, or its session is gone): the pid alone
    -- then — it can do nothing any more but report that it was stopped.
    if v_executor.session_pid is distinct from pg_catalog.pg_backend_pid()
       or (v_executor.stopped_at is null and not steadfast._holds_executor_lock(v_executor.lock_key)) then
        raise exception using errcode = 'SF008',
            message = pg_catalog.format('%s: executor %s was registered by another database session', p_function,
                                        steadfast._echo(p_executor_id)),
            hint = 'Call register_executor from this session first: only the session that registered an executor acts for it.';
    end if;
    return v_executor;
end;
$fn$;

-- _recover_squatted(except_executor_id) → the number of workflows made claimable again.
-- Declares dead every live executor whose advisory lock is not held by its own session (by
-- pid), and puts its running workflows back (_requeue). The fast probe of claims
-- (_recover_workflows) takes a free lock as the sign of a lost session; but any session may
-- take any advisory lock, so a session that grabbed a dead executor's key the moment it was
-- freed would keep it looking alive until its lease expired. Every heartbeat runs this
-- exact check (one read of pg_locks), so such an executor is found within a heartbeat
-- interval of any live executor. Locks as _recover_workflows.
create or replace function steadfast._recover_squatted(p_except_executor_id text)
returns integer
language plpgsql
as $fn$
declare
    v_dead text[];
    v_reasons text[];
begin
    with held as (
        select l.pid, l.lock_key from steadfast._executor_locks() l
    ), dead as (
        select e.id from steadfast.executors e
        where e.stopped_at is null and e.id is distinct from p_except_executor_id
          and not exists (select 1 from held h where h.pid = e.session_pid and h.lock_key = e.lock_key)
        for update skip locked
    )
    select pg_catalog.array_agg(dead.id), pg_catalog.array_agg('session lost'::text) into v_dead, v_reasons from dead;
    return steadfast._declare_dead(v_dead, v_reasons);
end;
$fn$;

-- _free_lock_key() → a random key of the executor lock space that this session now holds as
-- a session-level advisory lock and that no live executor uses. Keys are random, not the next
-- value of a sequence: any session may take any advisory lock, and keys that can be predicted
-- can be squatted. Raises SF008 when 100 random keys in a row were taken (only a session
-- holding a large part of the 2^32 keys could cause it).
create or replace function steadfast._free_lock_key()
returns integer
language plpgsql
volatile
as $fn$
declare
    v_key integer;
begin
    for i in 1..100 loop
        v_key := (pg_catalog.floor(pg_catalog.random() * 4294967296) - 2147483648)::integer;
        if not exists (select 1 from steadfast.executors e where e.lock_key = v_key and e.stopped_at is null)
           and pg_catalog.pg_try_advisory_lock(steadfast._executor_lock_space(), v_key) then
            return v_key;
        end if;
    end loop;
    raise exception using errcode = 'SF008', message = 'register_executor: no free executor lock key',
        hint = 'Another session holds a great many advisory locks in the executor lock space.';
end;
$fn$;

-- _recover_workflows(except_executor_id) → the number of workflows made claimable again.
-- Declares dead every live executor whose lease has expired or whose session is gone (its
-- advisory lock is free; the probe takes the lock for the rest of this transaction, so the
-- executor cannot re-register meanwhile), marks it stopped, and puts its running workflows
-- back in their queues (_requeue). `except_executor_id` is never declared dead here: a claim
-- passes its own executor, whose session may die while the claim is in flight — declaring
-- itself dead and then taking workflows would leave them running under a stopped executor,
-- where no recovery looks (the next claim anywhere recovers them instead). Locks: the dead
-- executors' rows (SKIP LOCKED: concurrent claimers split the work), then their workflows.
-- Cheap when nothing is dead: one probe per live executor.
create or replace function steadfast._recover_workflows(p_except_executor_id text)
returns integer
language plpgsql
as $fn$
declare
    v_now timestamptz := steadfast.now();
    v_dead text[];
    v_reasons text[];
begin
    with dead as (
        select e.id,
               case when e.lease_expires_at <= v_now then 'lease expired' else 'session lost' end as reason
        from steadfast.executors e
        where e.stopped_at is null
          and e.id is distinct from p_except_executor_id
          and (e.lease_expires_at <= v_now
               or (e.session_pid is distinct from pg_catalog.pg_backend_pid()
                   and pg_catalog.pg_try_advisory_xact_lock(steadfast._executor_lock_space(), e.lock_key)))
        for update skip locked
    )
    select pg_catalog.array_agg(dead.id), pg_catalog.array_agg(dead.reason) into v_dead, v_reasons from dead;
    return steadfast._declare_dead(v_dead, v_reasons);
end;
$fn$;

-- _recover_workflows() → as _recover_workflows(null): every dead executor.
create or replace function steadfast._recover_workflows()
returns integer
language plpgsql
as $fn$
begin
    return steadfast._recover_workflows(null::text);
end;
$fn$;

-- recover_workflows() → the number of workflows made claimable again.
-- Declares dead, now, every executor whose lease expired or whose session is gone, and puts
-- their running workflows back in their queues (_recover_workflows). Every claim does this
-- first; call it to recover without claiming (an operator, a test). Idempotent.
create or replace function steadfast.recover_workflows()
returns integer
language sql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select steadfast._recover_workflows()
$fn$;
comment on function steadfast.recover_workflows() is
    'Declares dead every executor whose lease expired or whose session is gone and re-enqueues its running workflows (every claim does this first); returns how many.';

-- register_executor(executor_id, options) → (executor_id, lock_key, lease_expires_at).
-- Registers the caller's session as a live executor and takes its session-level advisory
-- lock; keep this session open while the executor runs (its end is how a crash is noticed).
-- executor_id null → a generated UUID. Options: host (text), pid (integer), app_version (text;
-- null runs every version), queues (array of queue names; default ["default"]),
-- lease_seconds (number > 0; default 30), metadata (object).
-- Re-registering an id is allowed when no other live session holds it: a process restarted
-- under the same id gets its row back (under a new lock key), and the workflows its previous
-- session still held become claimable at once. Same session again: the options are updated.
-- The lock key is random and free (_free_lock_key): sessions holding advisory locks of their
-- own cannot block registration. Locks the executor row. Raises SF005 (bad argument), SF006
-- (metadata over 64 KiB), SF001 (unknown queue), SF008 (the id is held by another live
-- session, or was registered by one at the same moment).
create or replace function steadfast.register_executor(p_executor_id text default null, p_options jsonb default '{}')
returns table (executor_id text, lock_key integer, lease_expires_at timestamptz)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_now timestamptz := steadfast.now();
    o steadfast.executor_options := steadfast._parse_options(null::steadfast.executor_options, p_options, 'register_executor');
    v_id text := coalesce(p_executor_id, pg_catalog.gen_random_uuid()::text);
    v_queues text[] := coalesce(o.queues, array['default']);
    v_lease double precision := coalesce(o.lease_seconds, 30);
    v_metadata jsonb := coalesce(o.metadata, '{}'::jsonb);
    v_host text := o.host::text;
    v_pid integer := o.pid::integer;
    v_version text := o.app_version::text;
    v_existing steadfast.executors;
    v_key integer;
    v_unknown text;
begin
    perform steadfast._require_text(v_id, 'executor_id', 'register_executor');
    if pg_catalog.jsonb_typeof(v_metadata) = 'null' then
        v_metadata := '{}'::jsonb;
    end if;
    if pg_catalog.jsonb_typeof(v_metadata) <> 'object' then
        raise exception using errcode = 'SF005', message = 'register_executor: metadata must be a JSON object';
    end if;
    if pg_catalog.pg_column_size(v_metadata) > 65536 then
        raise exception using errcode = 'SF006',
            message = pg_catalog.format('register_executor: metadata is %s bytes, more than the limit of 65536 bytes',
                                        pg_catalog.pg_column_size(v_metadata));
    end if;
    if pg_catalog.cardinality(v_queues) = 0 or pg_catalog.cardinality(v_queues) > 1000 then
        raise exception using errcode = 'SF005', message = 'register_executor: queues must name 1 to 1000 queues';
    end if;
    select q into v_unknown from pg_catalog.unnest(v_queues) q
    where not exists (select 1 from steadfast.queues sq where sq.name = q) limit 1;
    if v_unknown is not null then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('register_executor: unknown queue %s', steadfast._echo(v_unknown));
    end if;

    select * into v_existing from steadfast.executors e where e.id = v_id for update;
    if found then
        if v_existing.session_pid = pg_catalog.pg_backend_pid() and steadfast._holds_executor_lock(v_existing.lock_key) then
            -- This session's own re-registration: keep its key and take the lock again (a claim
            -- that declared the executor dead may have freed it; the lock is re-entrant).
            v_key := v_existing.lock_key;
            perform pg_catalog.pg_advisory_lock(steadfast._executor_lock_space(), v_key);
        elsif v_existing.stopped_at is null
              and steadfast._executor_lock_holder(v_existing.lock_key) = v_existing.session_pid then
            -- Its session is alive: it still holds the executor's lock.
            raise exception using errcode = 'SF008',
                message = pg_catalog.format('register_executor: executor %s is held by another live session',
                                            steadfast._echo(v_id)),
                hint = 'Use a distinct executor id per process.';
        else
            -- The previous session is gone (or the executor was stopped): this session takes
            -- the id over, under a fresh key (a session squatting the old one cannot block it), and
            -- what the previous session still held is claimable now.
            v_key := steadfast._free_lock_key();
            perform steadfast._requeue(array[v_id], null, false, false);
        end if;
        return query
        update steadfast.executors e
        set host = v_host, pid = v_pid, app_version = v_version, queues = v_queues, metadata = v_metadata,
            lease_seconds = v_lease, lock_key = v_key, session_pid = pg_catalog.pg_backend_pid(),
            registered_at = case when e.stopped_at is null and e.lock_key = v_key
                                 then e.registered_at else v_now end,
            heartbeat_at = v_now, lease_expires_at = v_now + pg_catalog.make_interval(secs => v_lease),
            stopped_at = null, stop_reason = null
        where e.id = v_id
        returning e.id, e.lock_key, e.lease_expires_at;
        return;
    end if;

    v_key := steadfast._free_lock_key();
    insert into steadfast.executors as e (id, host, pid, app_version, queues, metadata, lease_seconds, lock_key,
                                          session_pid, registered_at, heartbeat_at, lease_expires_at)
    values (v_id, v_host, v_pid, v_version, v_queues, v_metadata, v_lease, v_key,
            pg_catalog.pg_backend_pid(), v_now, v_now, v_now + pg_catalog.make_interval(secs => v_lease))
    on conflict (id) do nothing
    returning * into v_existing;
    if not found then
        -- Another session registered the same new id at the same moment and committed first.
        perform pg_catalog.pg_advisory_unlock(steadfast._executor_lock_space(), v_key);
        raise exception using errcode = 'SF008',
            message = pg_catalog.format('register_executor: executor %s is held by another live session',
                                        steadfast._echo(v_id)),
            hint = 'Use a distinct executor id per process.';
    end if;
    return query select v_existing.id, v_existing.lock_key, v_existing.lease_expires_at;
end;
$fn$;
comment on function steadfast.register_executor(text, jsonb) is
    'Registers the calling session as a live executor (options: host, pid, app_version, queues, lease_seconds, metadata) and takes its session lock; keep the session open. SF008 if another live session holds the id.';

-- heartbeat_executor(executor_id) → the new lease expiry (now + lease_seconds).
-- Updates the executor's one row: O(1) however many workflows it runs. Call it well within
-- the lease (a third of it is usual). Only from the session that registered the executor.
-- Also declares dead any other executor whose lock its own session no longer holds
-- (_recover_squatted), and re-enqueues its workflows.
-- Raises SF001 (unknown executor), SF008 (another session registered it), and SF003 when the
-- executor was declared dead (lease expired or session lost): its workflows have been handed
-- to others; stop working on them and register again.
create or replace function steadfast.heartbeat_executor(p_executor_id text)
returns timestamptz
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    v_now timestamptz := steadfast.now();
    v_executor steadfast.executors := steadfast._own_executor(p_executor_id, 'heartbeat_executor');
    v_expires timestamptz;
begin
    update steadfast.executors e
    set heartbeat_at = v_now, lease_expires_at = v_now + pg_catalog.make_interval(secs => e.lease_seconds)
    where e.id = p_executor_id and e.stopped_at is null
    returning e.lease_expires_at into v_expires;
    if found then
        perform steadfast._recover_squatted(p_executor_id);
        return v_expires;
    end if;
    raise exception using errcode = 'SF003',
        message = pg_catalog.format('heartbeat_executor: executor %s was stopped (%s)', steadfast._echo(p_executor_id),
                                    v_executor.stop_reason),
        hint = 'Its workflows were handed to other executors. Abandon them and register again.';
end;
$fn$;
comment on function steadfast.heartbeat_executor(text) is
    'Extends an executor''s lease; returns the new expiry. SF003 once the executor was declared dead.';

-- _requeue(executor ids, workflow ids or null for all, clean, skip_locked) → the number of
-- workflows put back. The running workflows of those executors return to their queue, keeping
-- their place (available_at is unchanged, and was already reached), and each queue is
-- notified. Their attempt is unchanged, but they are no longer `running`, so the old holder's
-- writes are fenced (SF003). A clean hand-back (release, deregister) does not count the claim
-- that took them as a recovery attempt; a crash does. Locks the workflow rows in id order;
-- with skip_locked (recovery), a row another session holds — a frozen worker in the middle of
-- a transaction step — is left as it is rather than waited for: it stays `running`, and its
-- executor is not marked stopped until it is put back too (_declare_dead).
create or replace function steadfast._requeue(p_executor_ids text[], p_workflow_ids text[], p_clean boolean,
                                              p_skip_locked boolean)
returns integer
language plpgsql
as $fn$
declare
    v_now timestamptz := steadfast.now();
    v_ids text[];
    v_count integer;
    v_queues text[];
begin
    -- In id order, the engine's one order for workflow rows (sql/01_overview.sql).
    if p_skip_locked then
        select pg_catalog.array_agg(x.id) into v_ids
        from (select w.id from steadfast.workflows w
              where w.executor_id = any (p_executor_ids) and w.status = 'running'
                and (p_workflow_ids is null or w.id = any (p_workflow_ids))
              order by w.id
              for update skip locked) x;
    else
        select pg_catalog.array_agg(x.id) into v_ids
        from (select w.id from steadfast.workflows w
              where w.executor_id = any (p_executor_ids) and w.status = 'running'
                and (p_workflow_ids is null or w.id = any (p_workflow_ids))
              order by w.id
              for update) x;
    end if;
    if v_ids is null then
        return 0;
    end if;
    with requeued as (
        update steadfast.workflows w
        set status = 'enqueued', executor_id = null, updated_at = v_now,
            recovery_attempts = case when p_clean then greatest(w.recovery_attempts - 1, 0)
                                     else w.recovery_attempts end
        where w.id = any (v_ids) and w.executor_id = any (p_executor_ids) and w.status = 'running'
        returning w.queue
    )
    select pg_catalog.count(*)::integer, pg_catalog.array_agg(distinct queue) into v_count, v_queues
    from requeued;
    perform pg_catalog.pg_notify('steadfast_enqueued', q) from pg_catalog.unnest(v_queues) q;
    return v_count;
end;
$fn$;

-- _declare_dead(executor ids, reasons) → the number of workflows made claimable again. The
-- recovery of executors found dead (their rows locked by the caller): their running workflows
-- go back to their queues (_requeue, skipping rows other sessions hold: recovery never waits
-- for a frozen session), and each executor is marked stopped with its reason once nothing
-- runs under it any more. One whose workflow was skipped stays unstopped, so the next
-- recovery — every claim runs one — finds it dead again and puts that workflow back once its
-- row is free. Only that workflow waits; the executor's others, and every other queue, do not.
create or replace function steadfast._declare_dead(p_executor_ids text[], p_reasons text[])
returns integer
language plpgsql
as $fn$
declare
    v_count integer;
begin
    if p_executor_ids is null then
        return 0;
    end if;
    v_count := steadfast._requeue(p_executor_ids, null, false, true);
    update steadfast.executors e
    set stopped_at = steadfast.now(), stop_reason = r.reason
    from rows from (pg_catalog.unnest(p_executor_ids), pg_catalog.unnest(p_reasons)) r (id, reason)
    where e.id = r.id
      and not exists (select 1 from steadfast.workflows w where w.executor_id = e.id and w.status = 'running');
    return v_count;
end;
$fn$;

-- release_workflows(executor_id, workflow_ids default null = all) → the number handed back.
-- A gracefully stopping executor hands its running workflows back at once, so another can
-- claim them without waiting for a lease; ids not held by the executor are ignored. The
-- released attempts are fenced (SF003) from then on. Idempotent. Only from the session that
-- registered the executor. Raises SF001 (unknown executor), SF005 (bad argument), SF008
-- (another session registered it).
create or replace function steadfast.release_workflows(p_executor_id text, p_workflow_ids text[] default null)
returns integer
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
begin
    perform steadfast._own_executor(p_executor_id, 'release_workflows');
    return steadfast._requeue(array[p_executor_id], p_workflow_ids, true, false);
end;
$fn$;
comment on function steadfast.release_workflows(text, text[]) is
    'Hands an executor''s running workflows (all, or those listed) back to their queues without counting a recovery attempt; returns how many.';

-- deregister_executor(executor_id) → the number of workflows handed back.
-- A graceful stop: releases the executor's running workflows (as release_workflows), marks it
-- stopped, and frees its session lock. Idempotent: a stopped executor returns 0. Only from the
-- session that registered the executor. Locks the executor row. Raises SF001 (unknown
-- executor), SF005, SF008 (another session registered it).
create or replace function steadfast.deregister_executor(p_executor_id text)
returns integer
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    v_executor steadfast.executors := steadfast._own_executor(p_executor_id, 'deregister_executor');
    v_count integer;
begin
    select * into v_executor from steadfast.executors e where e.id = p_executor_id for update;
    if v_executor.stopped_at is null then
        v_count := steadfast._requeue(array[p_executor_id], null, true, false);
        update steadfast.executors e set stopped_at = steadfast.now(), stop_reason = 'deregistered'
        where e.id = p_executor_id;
    end if;
    -- Registering again stacks the session lock: release every hold this session has.
    for i in 1..1000 loop
        exit when not steadfast._holds_executor_lock(v_executor.lock_key)
               or not pg_catalog.pg_advisory_unlock(steadfast._executor_lock_space(), v_executor.lock_key);
    end loop;
    return coalesce(v_count, 0);
end;
$fn$;
comment on function steadfast.deregister_executor(text) is
    'Graceful stop: hands the executor''s workflows back, marks it stopped, frees its session lock; returns how many were handed back.';
