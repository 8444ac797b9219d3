-- Queues. A queue is a row of steadfast.queues; its settings are enforced by claim_workflows
-- (sql/40_claim.sql), so every client — Swift, psql, a service in any language — gets the
-- same guarantees. A setting that is null imposes nothing.
--
--   concurrency            at most this many workflows of the queue `running`, across all
--                          executors. Exact under racing claims: a claim from a queue with a
--                          global rule (concurrency, rate_limit or partition_concurrency)
--                          locks the queue's row first, so such claims take turns; a queue
--                          without one is claimed lock-free (FOR UPDATE SKIP LOCKED).
--   worker_concurrency     at most this many running under one executor (its claims lock
--                          the executor's row, not the queue's).
--   rate_limit, rate_period  at most rate_limit starts in any window of rate_period seconds.
--                          A start is a claim that hands a workflow to an executor: its first
--                          run, and every later one — a retry after a failure, a re-run after
--                          its executor died or handed it back, a wake-up after a wait. Each
--                          runs workflow code, which is what a rate limit protects. A claim
--                          that declares a workflow dead starts nothing.
--   partition_concurrency  at most this many running per partition_key (a workflow option,
--                          e.g. a customer id); workflows without a key are not limited by
--                          it. Partitions take turns: among workflows of equal priority, a
--                          claim serves first the partition that was served least recently,
--                          so a partition with a large backlog cannot starve the others.
--
-- Limits count `running` workflows: a waiting workflow holds no worker and no slot; it takes
-- one again when it is claimed after waking. A limit of 0 lets nothing start (a paused queue).
-- Settings are read afresh by every claim: a change takes effect at the next claim.
--
-- A claim must run at READ COMMITTED (PostgreSQL's default), as every engine function: each
-- statement then sees what the claims before it committed.

-- _queue_settings(queue, options, function) → the queue row with the settings named in
-- options (a steadfast.queue_options, migration 0010) applied: concurrency,
-- worker_concurrency, partition_concurrency, rate_limit (integers ≥ 0), rate_period (seconds,
-- from a microsecond to a year). A key given as JSON null
-- clears the setting. rate_limit and rate_period must end up both set or both null.
-- Raises SF005 (unknown option, wrong type, out of range). No side effects.
create or replace function steadfast._queue_settings(q steadfast.queues, p_options jsonb, p_function text)
returns steadfast.queues
language plpgsql
stable
as $fn$
declare
    o steadfast.queue_options := steadfast._parse_options(null::steadfast.queue_options, p_options, p_function);
begin
    if p_options ? 'concurrency' then q.concurrency := o.concurrency; end if;
    if p_options ? 'worker_concurrency' then q.worker_concurrency := o.worker_concurrency; end if;
    if p_options ? 'partition_concurrency' then q.partition_concurrency := o.partition_concurrency; end if;
    if p_options ? 'rate_limit' then q.rate_limit := o.rate_limit; end if;
    if p_options ? 'rate_period' then
        -- An interval counts microseconds: the domain keeps a period from rounding to 0.
        q.rate_period := pg_catalog.make_interval(secs => o.rate_period);
    end if;
    if (q.rate_limit is null) <> (q.rate_period is null) then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: rate_limit and rate_period go together (got rate_limit %s, rate_period %s)',
                                        p_function, coalesce(q.rate_limit::text, 'null'),
                                        coalesce(pg_catalog.date_part('epoch', q.rate_period)::text, 'null')),
            hint = 'Set both (at most rate_limit starts per rate_period seconds), or clear both with nulls.';
    end if;
    return q;
end;
$fn$;

-- _key_share_queue(queue, function) → queue, its row locked KEY SHARE until the caller's
-- transaction ends, as a foreign key to it would lock it: a delete_queue racing the caller
-- waits, then finds what the caller wrote (SF004), instead of the caller failing on the key
-- (23503) after the queue was deleted. SF001 when there is no such queue.
create or replace function steadfast._key_share_queue(p_queue text, p_function text)
returns text
language plpgsql
as $fn$
begin
    perform from steadfast.queues q where q.name = p_queue for key share;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('%s: unknown queue %s', p_function, steadfast._echo(p_queue));
    end if;
    return p_queue;
end;
$fn$;

-- _queue_name(name, function) → name, when it is a valid queue name (1…200 characters).
-- Raises SF005.
create or replace function steadfast._queue_name(p_name text, p_function text)
returns text
language plpgsql
immutable
as $fn$
begin
    perform steadfast._require_text(p_name, 'name', p_function);
    if pg_catalog.length(p_name) > 200 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: a queue name has at most 200 characters', p_function);
    end if;
    return p_name;
end;
$fn$;

-- _put_queue(name, options, replace, function) → whether the queue was created. Creates the
-- queue with the settings in options (see _queue_settings; absent settings are null: no
-- limit). An existing queue is left as it is (not even locked), or with replace gets exactly
-- these settings: it is written only when they differ (updated_at; waiting workers are woken,
-- since raised limits may let waiting work start). One statement either way, so racing calls
-- are safe. Raises SF005.
create or replace function steadfast._put_queue(p_name text, p_options jsonb, p_replace boolean, p_function text)
returns boolean
language plpgsql
as $fn$
declare
    q steadfast.queues;
    v_inserted boolean;
begin
    q.name := steadfast._queue_name(p_name, p_function);
    q := steadfast._queue_settings(q, p_options, p_function);
    if not p_replace then
        -- Locks nothing but a new row: an existing queue is not touched at all.
        insert into steadfast.queues (name, concurrency, worker_concurrency, partition_concurrency, rate_limit, rate_period)
        values (q.name, q.concurrency, q.worker_concurrency, q.partition_concurrency, q.rate_limit, q.rate_period)
        on conflict do nothing;
        return found;
    end if;
    insert into steadfast.queues as x (name, concurrency, worker_concurrency, partition_concurrency, rate_limit, rate_period)
    values (q.name, q.concurrency, q.worker_concurrency, q.partition_concurrency, q.rate_limit, q.rate_period)
    on conflict (name) do update
    set concurrency = excluded.concurrency, worker_concurrency = excluded.worker_concurrency,
        partition_concurrency = excluded.partition_concurrency, rate_limit = excluded.rate_limit,
        rate_period = excluded.rate_period, updated_at = steadfast.now()
    where (x.concurrency, x.worker_concurrency, x.partition_concurrency, x.rate_limit, x.rate_period)
          is distinct from (excluded.concurrency, excluded.worker_concurrency, excluded.partition_concurrency,
                            excluded.rate_limit, excluded.rate_period)
    -- xmax is 0 only in a row version this statement inserted: an updated row carries it.
    returning x.xmax = 0 into v_inserted;
    if v_inserted is false then
        perform pg_catalog.pg_notify('steadfast_enqueued', p_name);
    end if;
    return coalesce(v_inserted, false);
end;
$fn$;

-- create_queue(name, options) → (name, created): creates the queue with the settings in
-- options (see _queue_settings; absent settings are null: no limit), or leaves an existing
-- queue unchanged (created = false) — use alter_queue to change one. Idempotent. Locks
-- nothing but the new row. Raises SF005 (bad name or option).
create or replace function steadfast.create_queue(p_name text, p_options jsonb default '{}')
returns table (name text, created boolean)
language sql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select p_name, steadfast._put_queue(p_name, p_options, false, 'create_queue');
$fn$;

-- define_queue(name, options) → (name, created): the queue as code declares it, in one call —
-- creates it with the settings in options, or gives an existing queue exactly these settings:
-- a setting absent from options is cleared (no limit), so the definition wins over changes
-- made with alter_queue meanwhile (use create_queue to keep those). An existing queue whose
-- settings already match is not written (updated_at unchanged); a changed one gets
-- updated_at and wakes waiting workers, as alter_queue does. Idempotent; safe under racing
-- calls (one upsert). Raises SF005 (bad name or option; rate_limit without rate_period),
-- changing nothing.
create or replace function steadfast.define_queue(p_name text, p_options jsonb default '{}')
returns table (name text, created boolean)
language sql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select p_name, steadfast._put_queue(p_name, p_options, true, 'define_queue');
$fn$;

-- alter_queue(name, options) → the queue's settings after the change, as list_queues returns
-- them. Changes only the settings named in options; a setting given as JSON null is cleared
-- (no limit). Takes effect at the next claim. Locks the queue's row (waiting for a claim of
-- a limited queue in progress). Idempotent. Raises SF001 (unknown queue), SF005 (bad option;
-- rate_limit without rate_period).
create or replace function steadfast.alter_queue(p_name text, p_options jsonb)
returns table (queue text, concurrency integer, worker_concurrency integer, partition_concurrency integer,
               rate_limit integer, rate_period double precision, created_at timestamptz, updated_at timestamptz)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    q steadfast.queues;
begin
    perform steadfast._queue_name(p_name, 'alter_queue');
    if p_options is null then
        raise exception using errcode = 'SF005', message = 'alter_queue: options are required';
    end if;
    select * into q from steadfast.queues x where x.name = p_name for no key update;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('alter_queue: unknown queue %s', steadfast._echo(p_name));
    end if;
    q := steadfast._queue_settings(q, p_options, 'alter_queue');
    return query
    update steadfast.queues x
    set concurrency = q.concurrency, worker_concurrency = q.worker_concurrency,
        partition_concurrency = q.partition_concurrency, rate_limit = q.rate_limit, rate_period = q.rate_period,
        updated_at = steadfast.now()
    where x.name = p_name
    returning x.name, x.concurrency, x.worker_concurrency, x.partition_concurrency, x.rate_limit,
              pg_catalog.date_part('epoch', x.rate_period), x.created_at, x.updated_at;
    -- Raised limits may let waiting work start now.
    perform pg_catalog.pg_notify('steadfast_enqueued', p_name);
end;
$fn$;

-- delete_queue(name) → void. Deletes a queue no workflow belongs to (finished ones included:
-- prune them first), no schedule starts workflows in, and no live executor claims from; its
-- start log and fairness memory go with it. Locks the queue's row. Raises SF001 (unknown
-- queue), SF004 (workflows, schedules or live executors use it), SF005 (bad name; the queue
-- "default", which start_workflow falls back to, cannot be deleted).
create or replace function steadfast.delete_queue(p_name text)
returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    v_executor text;
begin
    perform steadfast._queue_name(p_name, 'delete_queue');
    if p_name = 'default' then
        raise exception using errcode = 'SF005', message = 'delete_queue: the queue "default" cannot be deleted';
    end if;
    perform 1 from steadfast.queues x where x.name = p_name for update;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('delete_queue: unknown queue %s', steadfast._echo(p_name));
    end if;
    if exists (select 1 from steadfast.workflows w where w.queue = p_name) then
        raise exception using errcode = 'SF004',
            message = pg_catalog.format('delete_queue: queue %s still has workflows', steadfast._echo(p_name)),
            hint = 'Wait for them to finish and prune them, or move them to another queue.';
    end if;
    if exists (select 1 from steadfast.schedules s where s.queue = p_name) then
        raise exception using errcode = 'SF004',
            message = pg_catalog.format('delete_queue: schedule %s starts workflows in queue %s',
                                        steadfast._echo((select s.name from steadfast.schedules s
                                                         where s.queue = p_name order by s.name limit 1)),
                                        steadfast._echo(p_name)),
            hint = 'Delete the schedule or move it to another queue (alter_schedule) first.';
    end if;
    select e.id into v_executor from steadfast.executors e
    where e.stopped_at is null and p_name = any (e.queues) limit 1;
    if v_executor is not null then
        raise exception using errcode = 'SF004',
            message = pg_catalog.format('delete_queue: live executor %s claims from queue %s',
                                        steadfast._echo(v_executor), steadfast._echo(p_name)),
            hint = 'Stop the workers of this queue first.';
    end if;
    delete from steadfast.queues x where x.name = p_name;
end;
$fn$;

-- queue_stats: one row per queue — its settings, and what it holds now: enqueued (of which
-- delayed: not claimable before a later available_at), running, waiting, and
-- oldest_enqueued_age, how long the oldest claimable workflow has waited since it became
-- claimable (null when none waits). Counts come from the partial indexes on active
-- workflows; finished history is not scanned.
create or replace view steadfast.queue_stats as
select q.name as queue,
       e.enqueued,
       e.delayed,
       (select pg_catalog.count(*) from steadfast.workflows w where w.queue = q.name and w.status = 'running') as running,
       (select pg_catalog.count(*) from steadfast.workflows w where w.queue = q.name and w.status = 'waiting') as waiting,
       e.oldest_enqueued_age,
       q.concurrency,
       q.worker_concurrency,
       q.partition_concurrency,
       q.rate_limit,
       q.rate_period,
       q.created_at,
       q.updated_at
from steadfast.queues q
cross join lateral (
    select pg_catalog.count(*) as enqueued,
           pg_catalog.count(*) filter (where w.available_at > steadfast.now()) as delayed,
           steadfast.now() - pg_catalog.min(w.available_at) filter (where w.available_at <= steadfast.now())
               as oldest_enqueued_age
    from steadfast.workflows w
    where w.queue = q.name and w.status = 'enqueued') e;

comment on view steadfast.queue_stats is
    'Per queue: its flow-control settings (null: no limit), the workflows enqueued (of which delayed), running and waiting, and the age of the oldest claimable workflow. Reads only active workflows.';

-- list_queues() → the rows of queue_stats, by queue name, with rate_period in seconds: for
-- clients, which are granted functions rather than views. Read-only.
create or replace function steadfast.list_queues()
returns table (queue text, enqueued bigint, delayed bigint, running bigint, waiting bigint,
               oldest_enqueued_age double precision, concurrency integer, worker_concurrency integer,
               partition_concurrency integer, rate_limit integer, rate_period double precision,
               created_at timestamptz, updated_at timestamptz)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select s.queue, s.enqueued, s.delayed, s.running, s.waiting,
           pg_catalog.date_part('epoch', s.oldest_enqueued_age), s.concurrency, s.worker_concurrency,
           s.partition_concurrency, s.rate_limit, pg_catalog.date_part('epoch', s.rate_period),
           s.created_at, s.updated_at
    from steadfast.queue_stats s
    order by s.queue
$fn$;

comment on function steadfast.create_queue(text, jsonb) is
    'Creates a queue with flow-control settings (concurrency, worker_concurrency, partition_concurrency, rate_limit + rate_period); an existing queue is left unchanged (created = false). SF005.';
comment on function steadfast.define_queue(text, jsonb) is
    'Creates a queue, or gives an existing one exactly these settings (an absent setting is cleared; unchanged settings are not written): the queue as code declares it. SF005.';
comment on function steadfast.alter_queue(text, jsonb) is
    'Changes only the named settings of a queue (JSON null clears one); workers see them at their next claim. SF001, SF005.';
comment on function steadfast.delete_queue(text) is
    'Deletes a queue no workflow, schedule or live executor uses; "default" cannot be deleted. SF001, SF004, SF005.';
comment on function steadfast.list_queues() is
    'Every queue with its settings and what it holds now (the rows of steadfast.queue_stats).';
