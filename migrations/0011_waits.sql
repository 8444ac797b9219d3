-- 0011 — durable waits. A workflow that waits ends its attempt: it is `waiting`, holds no
-- executor, and `wait` says what it waits for ({"kind": "sleep", "step", "until"}; later kinds
-- add their own keys). A wait that ends at a time keeps that time in available_at, and the
-- claims of its queue wake it once it has come (sql/55_waits.sql): the index below finds the
-- queue's due waits without reading the others.
alter table steadfast.workflows add column if not exists wait jsonb;
create index if not exists workflows_waking on steadfast.workflows (queue, available_at) where status = 'waiting';
-- sleep_workflow's options: the step's occurrence, and either a duration or an instant.
create type steadfast.sleep_options as (occurrence steadfast.positive, seconds steadfast.delay, "until" jsonb);
