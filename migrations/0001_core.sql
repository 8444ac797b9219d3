-- 0001 — the core tables: queues, executors, workflows, steps; and the clock.
--
-- Tables are state: they change only by a new migration. Functions live in sql/ and are
-- re-applied by every migrate. The one exception is the clock, defined here because column
-- defaults use it; change it with a migration.

-- The clock: every time comparison and default in the engine reads it. A session may set
-- `steadfast.fake_now` (a timestamptz literal) to move time, so leases, backoffs and schedules
-- are testable without sleeping. `statement_timestamp()` is stable within one call from a
-- client and advances between calls, even inside one transaction.
create or replace function steadfast.now()
returns timestamptz
language sql
stable
set search_path = ''
as $fn$
    select coalesce(
        nullif(pg_catalog.current_setting('steadfast.fake_now', true), '')::timestamptz,
        pg_catalog.statement_timestamp())
$fn$;

-- Queues: flow-control settings live in the database, not only in code. Flow-control columns
-- (concurrency, rate limits, partitions) arrive with a later migration.
create table steadfast.queues (
    name       text primary key
               constraint queues_name_valid check (name <> '' and pg_catalog.length(name) <= 200),
    created_at timestamptz not null default steadfast.now(),
    updated_at timestamptz not null default steadfast.now()
);
insert into steadfast.queues (name) values ('default') on conflict do nothing;

-- Executors: one row per worker process (or any program that runs workflows). A heartbeat
-- updates this one row, however many workflows the executor holds. `lock_key` names the
-- session-level advisory lock the executor's database session holds while it lives: when the
-- session is gone the lock is free, which claimers detect without waiting for the lease.
create sequence steadfast.executor_lock_keys as integer cycle;

create table steadfast.executors (
    id               text primary key
                     constraint executors_id_valid check (id <> '' and pg_catalog.length(id) <= 255),
    host             text,
    pid              integer,
    app_version      text,
    queues           text[] not null default '{default}',
    metadata         jsonb not null default '{}',
    lease_seconds    double precision not null default 30
                     constraint executors_lease_positive check (lease_seconds > 0),
    lock_key         integer not null default pg_catalog.nextval('steadfast.executor_lock_keys'),
    session_pid      integer,
    registered_at    timestamptz not null default steadfast.now(),
    heartbeat_at     timestamptz not null default steadfast.now(),
    lease_expires_at timestamptz not null,
    stopped_at       timestamptz,
    stop_reason      text
);
alter sequence steadfast.executor_lock_keys owned by steadfast.executors.lock_key;
create index executors_live on steadfast.executors (lease_expires_at) where stopped_at is null;

-- Workflows: one row per workflow. Hot transitions (claim, step count, complete) touch only
-- unindexed columns or `status`/`executor_id`, and the table leaves room on each page
-- (fillfactor) so most updates stay HOT. Large inputs and outputs are TOASTed out of line and
-- are not rewritten by updates that do not change them.
create table steadfast.workflows (
    id                    text primary key
                          constraint workflows_id_valid check (id <> '' and pg_catalog.length(id) <= 255),
    name                  text not null
                          constraint workflows_name_valid check (name <> '' and pg_catalog.length(name) <= 255),
    status                text not null
                          constraint workflows_status_valid check (status in
                              ('enqueued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'dead')),
    queue                 text not null references steadfast.queues (name) on update cascade,
    priority              integer not null default 0,
    input                 jsonb not null default 'null',
    output                jsonb,
    error                 jsonb,
    -- the fencing token: incremented by every claim; every write presents it
    attempt               integer not null default 0,
    executor_id           text,
    -- claims since the last clean hand-back (complete, fail, retry, release); past the limit
    -- the next claim marks the workflow dead instead
    recovery_attempts     integer not null default 0,
    max_recovery_attempts integer not null default 10,
    -- failures retried so far under `retry_policy`
    retry_count           integer not null default 0,
    retry_policy          jsonb,
    step_count            integer not null default 0,
    available_at          timestamptz not null default steadfast.now(),
    app_version           text,
    parent_id             text,
    parent_step           text,
    forked_from           text,
    forked_at_step        text,
    dedup_key             text,
    partition_key         text,
    deadline              timestamptz,
    created_at            timestamptz not null default steadfast.now(),
    updated_at            timestamptz not null default steadfast.now(),
    started_at            timestamptz,
    completed_at          timestamptz
) with (fillfactor = 80);

-- claim: the next enqueued workflows of a queue, lowest priority first, FIFO within.
create index workflows_claimable on steadfast.workflows (queue, priority, available_at, id)
    where status = 'enqueued';
-- recovery: the running workflows of an executor found dead.
create index workflows_running_by_executor on steadfast.workflows (executor_id)
    where status = 'running';
-- listing by status and age.
create index workflows_status_created on steadfast.workflows (status, created_at);
create index workflows_parent on steadfast.workflows (parent_id) where parent_id is not null;

-- Steps: one row per checkpointed operation. The key is the step's name plus its occurrence
-- (`charge`, `charge#2`); `seq` is the order in which the workflow recorded its steps.
create table steadfast.steps (
    workflow_id       text not null references steadfast.workflows (id) on delete cascade,
    step_key          text not null,
    seq               integer not null,
    name              text not null,
    output            jsonb,
    error             jsonb,
    child_workflow_id text,
    attempt           integer not null,
    step_attempts     integer not null default 1,
    -- whether another step of the workflow ran at the same time (async let, task groups):
    -- a replay may call parallel steps in another order, so only the order of sequential
    -- steps is checked for non-determinism
    parallel          boolean not null default false,
    started_at        timestamptz,
    completed_at      timestamptz not null default steadfast.now(),
    primary key (workflow_id, step_key)
);
