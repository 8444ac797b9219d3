-- Settings: the engine's limits, in one row of steadfast.settings (migration 0009).
--
-- Limits live in a table that only the schema's owner can write, never in session settings:
-- any role can SET a custom setting for its own session, so a limit read from one is a limit
-- every caller can lift. Application roles read them (get_settings, in the viewer set); the
-- owner changes them with set_settings. Each value is checked when it is set (SF005), so a
-- malformed limit can never make later calls fail.
--
--   max_payload_bytes   the largest JSON payload accepted: an input, output, error or step
--                       result (SF006 above it). 65536 … 67108864; default 4194304 (4 MiB).
--   max_workflow_bytes  the largest total of one workflow's recorded steps (outputs, errors,
--                       keys, names, and 256 bytes of bookkeeping per step): a claim and
--                       get_workflow return them all, so this bounds their results.
--                       1048576 … 134217728; default 67108864 (64 MiB); ≥ max_payload_bytes.

-- _max_payload_bytes() → settings.max_payload_bytes.
create or replace function steadfast._max_payload_bytes()
returns integer
language plpgsql
stable
as $fn$
begin
    return coalesce((select s.max_payload_bytes from steadfast.settings s), 4194304);
end;
$fn$;

-- _max_workflow_bytes() → settings.max_workflow_bytes.
create or replace function steadfast._max_workflow_bytes()
returns bigint
language plpgsql
stable
as $fn$
begin
    return coalesce((select s.max_workflow_bytes from steadfast.settings s), 67108864);
end;
$fn$;

-- get_settings() → the limits as a JSON object {max_payload_bytes, max_workflow_bytes}.
-- Read-only; never raises.
create or replace function steadfast.get_settings()
returns jsonb
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select pg_catalog.jsonb_build_object('max_payload_bytes', steadfast._max_payload_bytes(),
                                         'max_workflow_bytes', steadfast._max_workflow_bytes())
$fn$;
comment on function steadfast.get_settings() is
    'The engine''s limits: {max_payload_bytes, max_workflow_bytes}.';

-- set_settings(settings) → the limits after the change, as get_settings(). Changes the keys
-- given (max_payload_bytes, max_workflow_bytes; integers in the ranges above) and keeps the
-- others. Owner only (no grant set has it). Locks the settings row. Idempotent. Raises SF005
-- (unknown key, wrong type, out of range, or max_payload_bytes > max_workflow_bytes) and then
-- changes nothing.
create or replace function steadfast.set_settings(p_settings jsonb)
returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    v_settings steadfast.settings_options := steadfast._parse_options(null::steadfast.settings_options, p_settings, 'set_settings');
    v_payload bigint;
    v_workflow bigint;
begin
    if p_settings is null then
        raise exception using errcode = 'SF005', message = 'set_settings: settings is required (got null)';
    end if;
    insert into steadfast.settings (singleton) values (true) on conflict (singleton) do nothing;
    select s.max_payload_bytes::bigint, s.max_workflow_bytes into v_payload, v_workflow
    from steadfast.settings s for update;
    v_payload := coalesce(v_settings.max_payload_bytes, v_payload);
    v_workflow := coalesce(v_settings.max_workflow_bytes, v_workflow);
    if v_payload not between 65536 and 67108864 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('set_settings: max_payload_bytes must be between 65536 and 67108864, got %s', v_payload);
    end if;
    if v_workflow not between 1048576 and 134217728 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('set_settings: max_workflow_bytes must be between 1048576 and 134217728, got %s', v_workflow);
    end if;
    if v_payload > v_workflow then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('set_settings: max_payload_bytes (%s) must not exceed max_workflow_bytes (%s)',
                                        v_payload, v_workflow);
    end if;
    update steadfast.settings s
    set max_payload_bytes = v_payload, max_workflow_bytes = v_workflow, updated_at = pg_catalog.now();
    return steadfast.get_settings();
end;
$fn$;
comment on function steadfast.set_settings(jsonb) is
    'Owner only: changes the engine''s limits (max_payload_bytes, max_workflow_bytes); returns them. SF005 for an unknown key or a value out of range.';
