-- 0014 — child workflows. A workflow starts children as steps (start_child_workflow) and
-- waits for all or the first of several with one wait (await_children, sql/56_children.sql):
-- `waiting`, holding no executor, wait = {"kind": "children", "step", "mode", "children",
-- "finished"}, available_at far in the future (no time wakes it). The child's final transition wakes it:
-- the trigger below runs in the transaction that makes a child succeeded, failed, cancelled or
-- dead — whichever function does it — and counts it in its waiting parent's wait, enqueuing
-- the parent once the wait is satisfied. Nothing polls.

create domain steadfast.await_mode as text check (value in ('all', 'any'));
comment on domain steadfast.await_mode is '"all" or "any"';

-- start_child_workflow's own options (the others are the child's start options): the step's
-- occurrence, the child's id (default: derived from the parent's id and the step's key), and
-- whether the child inherits its parent's deadline (default true).
create type steadfast.child_options as (occurrence steadfast.positive, workflow_id steadfast.key,
                                        inherit_deadline boolean);
-- await_children's options: the step's occurrence, and whether it waits for all the children
-- or the first to finish.
create type steadfast.await_options as (occurrence steadfast.positive, mode steadfast.await_mode);

-- The trigger's function; its body is sql/56_children.sql's (_child_finished), installed after
-- the migrations.
create or replace function steadfast._child_finished()
returns trigger
language plpgsql
as $fn$
begin
    return null;
end;
$fn$;

-- Only a child's transition into a final status fires it: the condition is evaluated without
-- a function call for every other update.
create trigger workflows_child_finished after update of status on steadfast.workflows
    for each row
    when (new.parent_id is not null
          and new.status in ('succeeded', 'failed', 'cancelled', 'dead')
          and old.status not in ('succeeded', 'failed', 'cancelled', 'dead'))
    execute function steadfast._child_finished();
