-- The evidence schema of `make chaos` (scripts/chaos.sh): loaded into the chaos run's database
-- after the engine, read back by Tests/chaos/checks.sql. Test-only: it puts plain triggers on
-- the engine's tables (steadfast.workflows, steadfast.steps), which no real install has.
--
-- What writes here:
--   effects, tx_effects   the ChaosWorkflow's step bodies (Tests/SteadfastTestWorker/ChaosWorkflow.swift)
--   completions, claims,  the triggers below, in the engine's own transactions: a row exists
--   requeues,             exactly when the engine's write committed
--   step_writes
--   faults, workers       the driver, at the end of the run (times are the driver's clock, the
--                         same host's clock as clock_timestamp())
--
-- The trigger functions pin no search_path and qualify every name: they run inside engine
-- functions whose search_path is `pg_catalog, pg_temp`.
\set ON_ERROR_STOP on
set client_min_messages = warning;

create schema chaos;

-- One row per run of a plain step's body, written before its checkpoint: by the body itself
-- for s1, s2; for s4, s5 (side effects outside the database) loaded by the driver after the
-- run from the lines the bodies appended to their worker's effects-<pid>.tsv. pid: the
-- backend's for s1, s2, the worker's for s4, s5.
create table chaos.effects (
    workflow_id text not null,
    step        text not null,
    attempt     integer not null,
    pid         integer,
    at          timestamptz not null default pg_catalog.clock_timestamp()
);
create index effects_workflow_step on chaos.effects (workflow_id, step);

-- One row per committed run of the transaction step s3: inserted in the step's own
-- transaction, which also records its checkpoint.
create table chaos.tx_effects (
    workflow_id text not null,
    attempt     integer not null,
    pid         integer,
    at          timestamptz not null default pg_catalog.clock_timestamp()
);
create index tx_effects_workflow on chaos.tx_effects (workflow_id);

-- Every transition of a workflow to `succeeded`, with the row as it was before.
create table chaos.completions (
    workflow_id text not null,
    attempt     integer not null,      -- new.attempt
    old_attempt integer not null,
    old_status  text not null,
    executor_id text,                  -- old.executor_id: who held it when it completed
    at          timestamptz not null
);
create index completions_workflow on chaos.completions (workflow_id);
create index completions_at on chaos.completions (at);

-- Every claim (attempt incremented, now running). The engine's requeue sets executor_id to
-- null (steadfast._requeue), so old.executor_id of a claim is null after a recovery: the
-- previous holder is the executor of the claim of the previous attempt, read from this table.
create table chaos.claims (
    workflow_id          text not null,
    attempt              integer not null,
    executor_id          text,
    previous_executor_id text,
    old_status           text not null,
    at                   timestamptz not null
);
create index claims_workflow_attempt on chaos.claims (workflow_id, attempt);
create index claims_previous on chaos.claims (previous_executor_id, at);

-- Every running workflow put back in its queue (recovery of a dead executor, release).
create table chaos.requeues (
    workflow_id text not null,
    attempt     integer not null,
    executor_id text,                  -- old.executor_id: the holder it was taken from
    at          timestamptz not null
);

-- Every checkpoint insert, with the workflow's row as the inserting transaction sees it (the
-- engine has locked that row before inserting, so this is its current state). A BEFORE
-- trigger: it also logs inserts that ON CONFLICT DO NOTHING then skips (a step recorded again
-- with the same result), which the engine fenced all the same.
create table chaos.step_writes (
    workflow_id      text not null,
    step_key         text not null,
    step_attempt     integer not null,
    workflow_attempt integer,
    workflow_status  text,
    at               timestamptz not null
);

-- The driver's record of what it did (inserted at the end of the run).
create table chaos.faults (
    id          integer primary key,
    kind        text not null,         -- kill, stop, freeze, restart_fast, restart_immediate, outage, failover
    target      text not null,
    pid         integer,
    executor_id text,                  -- the worker's executor, for worker faults
    started_at  timestamptz not null,
    ended_at    timestamptz not null,
    detail      text
);
create table chaos.workers (
    slot        integer not null,
    generation  integer not null,
    pid         integer not null,
    executor_id text,
    started_at  timestamptz not null,
    ended_at    timestamptz,
    end_reason  text,                  -- killed, unexpected exit, sigterm, sigkill at shutdown
    exit_code   integer
);

create function chaos.on_workflow_update() returns trigger
language plpgsql
as $fn$
begin
    if new.status = 'succeeded' and old.status is distinct from 'succeeded' then
        insert into chaos.completions (workflow_id, attempt, old_attempt, old_status, executor_id, at)
        values (new.id, new.attempt, old.attempt, old.status, old.executor_id, pg_catalog.clock_timestamp());
    end if;
    if new.attempt > old.attempt and new.status = 'running' then
        insert into chaos.claims (workflow_id, attempt, executor_id, previous_executor_id, old_status, at)
        values (new.id, new.attempt, new.executor_id,
                coalesce(old.executor_id,
                         (select c.executor_id from chaos.claims c
                          where c.workflow_id = new.id and c.attempt = old.attempt
                          order by c.at desc limit 1)),
                old.status, pg_catalog.clock_timestamp());
    end if;
    if old.status = 'running' and new.status = 'enqueued' then
        insert into chaos.requeues (workflow_id, attempt, executor_id, at)
        values (new.id, old.attempt, old.executor_id, pg_catalog.clock_timestamp());
    end if;
    return null;
end;
$fn$;

create trigger chaos_workflow_update
    after update on steadfast.workflows
    for each row
    when (old.status is distinct from new.status or old.attempt is distinct from new.attempt)
    execute function chaos.on_workflow_update();

create function chaos.on_step_insert() returns trigger
language plpgsql
as $fn$
begin
    insert into chaos.step_writes (workflow_id, step_key, step_attempt, workflow_attempt, workflow_status, at)
    select new.workflow_id, new.step_key, new.attempt, w.attempt, w.status, pg_catalog.clock_timestamp()
    from (select 1) one
    left join steadfast.workflows w on w.id = new.workflow_id;
    return new;
end;
$fn$;

create trigger chaos_step_insert
    before insert on steadfast.steps
    for each row
    execute function chaos.on_step_insert();
