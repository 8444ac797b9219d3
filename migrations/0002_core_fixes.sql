-- 0002 — fixes to the core tables found by the pgTAP suite.

-- steps.parallel was added to 0001 after some development databases had applied it; add it
-- where it is missing (a no-op on databases created since).
alter table steadfast.steps add column if not exists parallel boolean not null default false;

-- The attempt that recorded `error`, so fail_workflow can tell a repeated call of the same
-- attempt (accepted) from a stale attempt whose workflow was released in between (fenced).
alter table steadfast.workflows add column if not exists error_attempt integer;
