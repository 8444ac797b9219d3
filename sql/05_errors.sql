-- The SQLSTATEs of the engine: one class, SF, listed here once.
--
-- Every error a client must react to is raised with one of these codes, a message naming the
-- object, and a DETAIL where useful. Clients match the code, never the text. A failed call
-- changes nothing (each function is one transaction).

-- error_codes() → one row per SQLSTATE the engine raises: its code, a stable name, its meaning.
-- Read-only; never raises.
create or replace function steadfast.error_codes()
returns table (sqlstate text, name text, meaning text)
language sql
immutable
set search_path = pg_catalog, pg_temp
as $fn$
    values
        ('SF001', 'not_found',          'The workflow, executor, queue, step or role named does not exist.'),
        ('SF002', 'workflow_conflict',  'The workflow id is already used by a workflow with another name.'),
        ('SF003', 'fenced',             'The write presents an attempt that no longer holds the workflow: it was reclaimed, released, cancelled or finished meanwhile (or the executor was declared dead). Abandon the workflow.'),
        ('SF004', 'wrong_state',        'The workflow is not in a state that allows this operation.'),
        ('SF005', 'invalid_argument',   'An argument is missing, null, malformed, out of range, or an option is unknown.'),
        ('SF006', 'payload_too_large',  'A JSON payload exceeds max_payload_bytes (default 4 MiB), or a workflow''s recorded steps would exceed max_workflow_bytes (default 64 MiB); see get_settings().'),
        ('SF007', 'non_determinism',    'A step key was already recorded with a different result: the execution diverged from its record.'),
        ('SF008', 'executor_in_use',    'The executor id is held by another live database session: only the session that registered an executor may register it again or act for it (claim, heartbeat, release, deregister).'),
        ('SF009', 'duplicate',          'An active (enqueued, running or waiting) workflow of the queue already holds the deduplication key, and the start asked for an error (dedup_policy "error") or names another workflow.')
$fn$;
comment on function steadfast.error_codes() is
    'The SQLSTATEs (class SF) the engine raises, with their names and meanings.';

-- _raise(code, message, detail, hint) raises that error; a null detail or hint is left out.
create or replace function steadfast._raise(p_code text, p_message text, p_detail text default null,
                                            p_hint text default null)
returns void
language plpgsql
volatile
as $fn$
-- plpgsql_check (scripts/plpgsql-check.sh) would have it immutable: it only raises. Volatile on
-- purpose, so that no plan folds a call with constant arguments and raises while planning.
-- @plpgsql_check_options: performance_warnings = false
begin
    -- RAISE refuses null options, and an empty one still prints: pass only what there is.
    if p_detail is not null and p_hint is not null then
        raise exception using errcode = p_code, message = p_message, detail = p_detail, hint = p_hint;
    elsif p_detail is not null then
        raise exception using errcode = p_code, message = p_message, detail = p_detail;
    elsif p_hint is not null then
        raise exception using errcode = p_code, message = p_message, hint = p_hint;
    end if;
    raise exception using errcode = p_code, message = p_message;
end;
$fn$;

