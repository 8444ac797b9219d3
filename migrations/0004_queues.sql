-- 0004 — flow control: queue settings, the start log of rate-limited queues, the fairness
-- memory of partitioned queues, and the indexes the claim and deduplication rely on.
--
-- Every rule is enforced by claim_workflows (sql/40_claim.sql); sql/15_queues.sql explains
-- them. A setting that is null imposes nothing, so existing queues keep their behaviour.

-- Settings. Limits are integers ≥ 0 (0 lets nothing start: a paused queue); rate_limit and
-- rate_period come together. Changed by alter_queue, read afresh by every claim.
alter table steadfast.queues
    add column if not exists concurrency integer
        constraint queues_concurrency_valid check (concurrency >= 0),
    add column if not exists worker_concurrency integer
        constraint queues_worker_concurrency_valid check (worker_concurrency >= 0),
    add column if not exists partition_concurrency integer
        constraint queues_partition_concurrency_valid check (partition_concurrency >= 0),
    add column if not exists rate_limit integer
        constraint queues_rate_limit_valid check (rate_limit >= 0),
    add column if not exists rate_period interval
        constraint queues_rate_period_valid check (rate_period > interval '0'),
    add constraint queues_rate_limit_complete check ((rate_limit is null) = (rate_period is null));

comment on table steadfast.queues is
    'One row per queue, with its flow-control settings (null: no limit). Change them with steadfast.alter_queue; every claim reads them afresh.';

-- The start log of rate-limited queues: one row per claim that started workflows (n of them,
-- at started_at). claim_workflows counts the rows of the last rate_period and deletes older
-- ones, so the table holds about one period of history per queue.
create table if not exists steadfast.queue_starts (
    queue      text not null references steadfast.queues (name) on update cascade on delete cascade,
    started_at timestamptz not null,
    n          integer not null constraint queue_starts_n_positive check (n > 0)
);
create index if not exists queue_starts_window on steadfast.queue_starts (queue, started_at);

-- The fairness memory of partitioned queues: when each partition (partition_key; '' stands
-- for the workflows without one) last had a workflow claimed. Claims serve the partition
-- served least recently first, so a partition with a large backlog cannot starve the others.
-- Rows of partitions idle for a day are deleted by claims (a forgotten partition counts as
-- never served, which is where it would sort anyway).
create table if not exists steadfast.queue_partitions (
    queue           text not null references steadfast.queues (name) on update cascade on delete cascade,
    partition_key   text not null,
    last_claimed_at timestamptz not null,
    primary key (queue, partition_key)
);
create index if not exists queue_partitions_idle on steadfast.queue_partitions (queue, last_claimed_at);

-- Deduplication: at most one active (enqueued, running or waiting) workflow per queue and
-- key. The unique index is what makes two racing starts with the same key safe: the second
-- waits for the first to commit and then sees it.
create unique index if not exists workflows_dedup on steadfast.workflows (queue, dedup_key)
    where dedup_key is not null and status in ('enqueued', 'running', 'waiting');

-- Counting what runs: per queue (global concurrency) and per partition (partition
-- concurrency), without touching finished history.
create index if not exists workflows_running_by_queue on steadfast.workflows (queue, partition_key)
    where status = 'running';

-- Claiming from a partitioned queue: the distinct partitions with enqueued work (a loose
-- index scan), then each partition's next workflows in priority and FIFO order.
create index if not exists workflows_claimable_by_partition
    on steadfast.workflows (queue, partition_key, priority, available_at, id)
    where status = 'enqueued';
