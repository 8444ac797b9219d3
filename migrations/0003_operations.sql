-- 0003 — operating workflows: fork lineage as a step number, the roles granted by the grant
-- helpers, and richer read results.

-- forked_at_step names the first step a fork did not copy: the 1-based `seq` of the
-- original's steps (steps with a smaller seq were copied). It was sketched as text in 0001
-- and nothing wrote it until fork_workflow (sql/80_operate.sql); a value written by hand that
-- is not a number is dropped rather than failing the upgrade.
alter table steadfast.workflows
    alter column forked_at_step type integer
    using case when forked_at_step ~ '^[0-9]{1,9}$' then forked_at_step::integer end;

-- Forks of a workflow, for list_workflows' `forked_from` filter and the lineage of `show`.
create index if not exists workflows_forked_from on steadfast.workflows (forked_from)
    where forked_from is not null;

-- The roles given a function set by grant_worker / grant_client / grant_viewer. Recorded so
-- that every migrate grants each role the set as it is now (sql/90_grants.sql): a function
-- added by an upgrade reaches the roles of its set, and one re-created by a migration (which
-- loses its grants) gets them back. Owner-only, like every table.
create table if not exists steadfast.role_grants (
    role_name  text not null,
    role_set   text not null
               constraint role_grants_set_valid check (role_set in ('worker', 'client', 'viewer')),
    granted_at timestamptz not null default pg_catalog.now(),
    primary key (role_name, role_set)
);

-- list_workflows and get_workflow return more columns (app version, lineage, timings): a
-- function's result type cannot change in place, so the old ones go and sql/70_read.sql
-- creates the new ones (every sql/ file is re-applied after a migration). Their grants come
-- back from role_grants above.
drop function if exists steadfast.list_workflows(jsonb);
drop function if exists steadfast.get_workflow(text);
