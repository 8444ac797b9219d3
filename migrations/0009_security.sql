-- 0009 — limits where application roles cannot change them, executor lock keys nobody can
-- guess ahead of time, and a running total of each workflow's recorded steps.
--
-- * steadfast.settings: the engine's limits, one row, written only by the schema's owner
--   (steadfast.set_settings). They used to be session settings (steadfast.max_payload_bytes),
--   which any role can SET for itself: a client lifted its own limit. The value a database
--   had (`alter database … set steadfast.max_payload_bytes`) is carried over when it is a
--   valid number of bytes in range; the setting is ignored from now on.
-- * executors.lock_key: a random key instead of the next value of a sequence. Any session can
--   take any advisory lock; with a sequence, a session with no grant at all could hold the
--   next thousand keys and make every registration fail (SF008). register_executor now picks
--   a random key that is free.
-- * steps.total_bytes: the size of the workflow's recorded steps up to and including this
--   one, so that record_step can refuse a step that would make the workflow's checkpoints
--   larger than settings.max_workflow_bytes — a claim and get_workflow return them all, and
--   PostgreSQL cannot build a JSON value over 256 MB: one such workflow used to make every
--   claim of its queue fail. Steps recorded before this migration count 0.

create table if not exists steadfast.settings (
    singleton          boolean primary key default true constraint settings_one_row check (singleton),
    max_payload_bytes  integer not null default 4194304
                       constraint settings_max_payload_bytes check (max_payload_bytes between 65536 and 67108864),
    max_workflow_bytes bigint not null default 67108864
                       constraint settings_max_workflow_bytes check (max_workflow_bytes between 1048576 and 134217728),
    updated_at         timestamptz not null default pg_catalog.now(),
    constraint settings_payload_within_workflow check (max_payload_bytes <= max_workflow_bytes)
);
comment on table steadfast.settings is
    'The engine''s limits (one row). Change them with steadfast.set_settings(…); application roles cannot.';

insert into steadfast.settings (singleton, max_payload_bytes)
select true,
       case when pg_catalog.current_setting('steadfast.max_payload_bytes', true) ~ '^[0-9]{5,8}$'
                 and pg_catalog.current_setting('steadfast.max_payload_bytes', true)::integer between 65536 and 67108864
            then pg_catalog.current_setting('steadfast.max_payload_bytes', true)::integer
            else 4194304 end
on conflict (singleton) do nothing;

alter table steadfast.executors alter column lock_key
    set default (pg_catalog.floor(pg_catalog.random() * 4294967296) - 2147483648)::integer;
drop sequence if exists steadfast.executor_lock_keys;

alter table steadfast.steps add column if not exists total_bytes bigint not null default 0;

-- workflows.executor_role: the login role (session_user) of the session that claimed the
-- workflow — the session that registered its executor. A worker's writes to a workflow
-- (record_step, complete_workflow, fail_workflow, record_batch) must come from a session of
-- that role: a worker role cannot write to the workflows another role's executor holds, even
-- knowing their attempt (which any viewer can read). Workflows claimed before this migration
-- have none and are not checked.
alter table steadfast.workflows add column if not exists executor_role text;

-- _requeue gained a fourth argument (skip_locked: recovery never waits for a row another
-- session holds); the three-argument version would make its calls ambiguous.
drop function if exists steadfast._requeue(text[], text[], boolean);
