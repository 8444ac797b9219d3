-- 0024 — sharding: a database can be one shard of N (a power of two) behind a PL/Proxy router
-- (docs/scale-out.md). The shard records which one it is; steadfast.configure_shard (sql/
-- 95_shards.sql) fills this row and installs the placement triggers that refuse a workflow or
-- schedule belonging on another shard. A database that is not a shard has no row and no trigger.
create table steadfast.shard_identity (
    singleton boolean primary key default true check (singleton),
    shard integer not null,
    shards integer not null check (shards between 1 and 1024 and shards & (shards - 1) = 0),
    previous_shards integer[] not null default '{}',
    configured_at timestamptz not null default pg_catalog.now(),
    check (shard >= 0 and shard < shards)
);
comment on table steadfast.shard_identity is
    'Which shard of a PL/Proxy cluster this database is (one row), or no row when it is not a shard. Written by configure_shard.';
comment on column steadfast.shard_identity.singleton is 'Always true: the table holds at most one row.';
comment on column steadfast.shard_identity.shard is 'This database''s shard number, 0 … shards - 1 (its partition in the router''s cluster).';
comment on column steadfast.shard_identity.shards is 'How many shards the cluster has (a power of two, as PL/Proxy requires).';
comment on column steadfast.shard_identity.previous_shards is 'The shard counts the cluster had before it grew, oldest first: a workflow placed here by one of them stays here, and its children join it.';
comment on column steadfast.shard_identity.configured_at is 'When configure_shard last set this row.';
