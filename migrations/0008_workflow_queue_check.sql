-- 0008 — a workflow's queue is checked once per statement, not once per row.
--
-- The foreign key workflows.queue → queues.name checked every inserted row with a query of its
-- own: 15 % of a 5,000-workflow start_workflows (BENCHMARKS.md). Statement-level triggers keep
-- the same guarantees with one set-based check per statement:
--   * inserting or updating workflows whose queue does not exist fails with 23503
--     (foreign_key_violation), as the key did, and the queues used are locked KEY SHARE until
--     the transaction ends, so they cannot be deleted under it;
--   * deleting a queue that workflows use fails with 23503;
--   * renaming a queue renames it in its workflows (the key's ON UPDATE CASCADE).
-- The engine's functions check the queue themselves first (SF001); these are the safety net
-- for statements typed in psql.

-- _workflow_queues_exist() — after inserting workflows (per statement, on the new rows) or
-- changing a workflow's queue (per row): every queue named exists. Locks those queues' rows
-- KEY SHARE until the transaction ends, as the key's check did. Raises 23503.
create or replace function steadfast._workflow_queues_exist()
returns trigger
language plpgsql
as $fn$
declare
    v_missing text;
begin
    if tg_level = 'ROW' then
        perform from steadfast.queues q where q.name = new.queue for key share;
        if not found then
            v_missing := new.queue;
        end if;
    else
        select n.queue into v_missing
        from (select distinct r.queue from new_rows r) n
        left join lateral (select q.name from steadfast.queues q where q.name = n.queue for key share) q on true
        where q.name is null
        limit 1;
    end if;
    if v_missing is not null then
        raise exception using errcode = '23503',
            message = pg_catalog.format('workflow queue %s does not exist', pg_catalog.quote_literal(v_missing)),
            hint = 'Create the queue first (steadfast.create_queue).';
    end if;
    return null;
end;
$fn$;

-- _queue_delete_unused() — before deleting a queue: no workflow may still name it. Raises 23503.
create or replace function steadfast._queue_delete_unused()
returns trigger
language plpgsql
as $fn$
begin
    if exists (select 1 from steadfast.workflows w where w.queue = old.name) then
        raise exception using errcode = '23503',
            message = pg_catalog.format('queue %s is still used by workflows', pg_catalog.quote_literal(old.name));
    end if;
    return old;
end;
$fn$;

-- _queue_rename_workflows() — after renaming a queue: its workflows follow.
create or replace function steadfast._queue_rename_workflows()
returns trigger
language plpgsql
as $fn$
begin
    update steadfast.workflows w set queue = new.name where w.queue = old.name;
    return null;
end;
$fn$;

alter table steadfast.workflows drop constraint if exists workflows_queue_fkey;

drop trigger if exists workflows_queue_exists_insert on steadfast.workflows;
create trigger workflows_queue_exists_insert after insert on steadfast.workflows
    referencing new table as new_rows
    for each statement execute function steadfast._workflow_queues_exist();
-- Per row for updates: a statement-level trigger would copy the rows of every claim and
-- completion (the check needs only the rare updates that move a workflow to another queue).
drop trigger if exists workflows_queue_exists_update on steadfast.workflows;
create trigger workflows_queue_exists_update after update of queue on steadfast.workflows
    for each row when (old.queue is distinct from new.queue) execute function steadfast._workflow_queues_exist();
drop trigger if exists queues_delete_unused on steadfast.queues;
create trigger queues_delete_unused before delete on steadfast.queues
    for each row execute function steadfast._queue_delete_unused();
drop trigger if exists queues_rename_workflows on steadfast.queues;
create trigger queues_rename_workflows after update of name on steadfast.queues
    for each row when (old.name is distinct from new.name) execute function steadfast._queue_rename_workflows();
