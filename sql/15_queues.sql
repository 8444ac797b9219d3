-- Queues. A queue is a row; every rule about it is enforced by claim_workflows.

-- create_queue(name, options) → (name, created): creates the queue, or leaves an existing one
-- unchanged (created = false). No options yet (flow control arrives later; unknown options
-- are SF005). Raises SF005 (bad name or option).
create or replace function steadfast.create_queue(p_name text, p_options jsonb default '{}')
returns table (name text, created boolean)
language plpgsql
security definer
set search_path = ''
as $fn$
#variable_conflict use_column
begin
    perform steadfast._require_text(p_name, 'name', 'create_queue');
    if pg_catalog.length(p_name) > 200 then
        raise exception using errcode = 'SF005', message = 'create_queue: a queue name has at most 200 characters';
    end if;
    perform steadfast._options(p_options, array[]::text[], 'create_queue');
    insert into steadfast.queues (name) values (p_name) on conflict do nothing;
    return query select p_name, found;
end;
$fn$;
