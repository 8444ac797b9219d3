-- 0016 — events and streams: what a workflow publishes while it runs (sql/58_events.sql). Each write is a step of the workflow's, kept with the step's key, so a
-- replay never writes twice and a fork carries the writes made before its fork point.

-- Events: key → value, the latest write wins; every write kept (seq: the step's number).
create table steadfast.event_writes (
    workflow_id text not null references steadfast.workflows (id) on delete cascade,
    step_key    text not null,
    seq         integer not null,
    key         text not null,
    value       jsonb not null,
    written_at  timestamptz not null,
    primary key (workflow_id, step_key)
);
comment on table steadfast.event_writes is
    'Every set_event of a workflow (one per step); the event''s value is its latest write (highest seq).';
create index event_writes_latest on steadfast.event_writes (workflow_id, key, seq desc);

-- Streams: an append-only sequence of values per (workflow, key), numbered from 0; a closing
-- entry (closed, value null) ends it.
create table steadfast.stream_entries (
    workflow_id text not null references steadfast.workflows (id) on delete cascade,
    key         text not null,
    "offset"    integer not null,
    value       jsonb,
    closed      boolean not null default false,
    step_key    text not null,
    seq         integer not null,
    written_at  timestamptz not null,
    primary key (workflow_id, key, "offset")
);
comment on table steadfast.stream_entries is
    'Values a workflow wrote to its streams (write_stream), numbered from 0 per key; a closed entry (close_stream) ends a stream.';
create unique index stream_entries_step on steadfast.stream_entries (workflow_id, step_key);

create type steadfast.event_options as (occurrence steadfast.positive);
create type steadfast.stream_options as (occurrence steadfast.positive, closed boolean);
