-- Events and streams: what a running workflow publishes for others to read.
--
-- An event is a key with a JSON value; the latest write wins. A stream is an append-only
-- sequence of JSON values per key, numbered 0, 1, 2 …, that a close ends. Both are written by
-- the workflow as steps (set_event, write_stream), fenced like record_step: the write and its
-- step commit together, so a replay never writes twice, and each write is kept with its step
-- (event_writes, stream_entries: migration 0016) so that a fork carries the writes made before
-- its fork point (fork_workflow, sql/80_operate.sql). Anyone granted the viewer set reads them
-- (get_event, list_events, read_stream); NOTIFY steadfast_event / steadfast_stream (payload:
-- the workflow id) tell a waiting reader to look again.

-- set_event(workflow_id, attempt, name, key, value, options) → (step_key, recorded).
-- The running workflow sets its event `key` (1 to 255 characters) to `value` (any JSON; SQL
-- null is JSON null) as its step `name` (the options.occurrence-th call, default 1): the step
-- (output {"event": key, "value"}) and the write commit together; the event's value is the
-- latest write. The workflows waiting for the event (await_event) are enqueued in the same
-- transaction. The same call again (a replay) writes nothing (recorded false); the same step
-- with another key or value is SF007. Notifies steadfast_event. Raises SF001, SF003, SF005,
-- SF006, SF007, SF008. Locks the workflow's row.
create or replace function steadfast.set_event(p_workflow_id text, p_attempt integer, p_name text, p_key text,
                                               p_value jsonb default 'null', p_options jsonb default '{}')
returns table (step_key text, recorded boolean)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.event_options := steadfast._parse_options(null::steadfast.event_options, p_options, 'set_event');
    v_output jsonb;
    r record;
begin
    perform steadfast._require_text(p_key, 'key', 'set_event');
    v_output := pg_catalog.jsonb_build_object('event', p_key, 'value',
                                              steadfast._check_payload(coalesce(p_value, 'null'::jsonb), 'event value'));
    r := steadfast._record_step(p_workflow_id, p_attempt, p_name, v_output,
                                pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('occurrence', o.occurrence)));
    if r.error_code is not null then
        perform steadfast._raise(r.error_code, r.error_message, r.error_detail, r.error_hint);
    end if;
    if r.recorded then
        insert into steadfast.event_writes (workflow_id, step_key, seq, key, value, written_at)
        values (p_workflow_id, r.step_key, r.seq, p_key, v_output -> 'value', steadfast.now());
        perform pg_catalog.pg_notify('steadfast_event', p_workflow_id);
        -- The workflows waiting for this event (await_event) are enqueued, in this transaction.
        perform pg_catalog.pg_notify('steadfast_enqueued', q.queue)
        from (select distinct w.queue from steadfast.workflows w
              where w.status = 'waiting' and w.wait ->> 'kind' = 'event'
                and w.wait ->> 'workflow' = p_workflow_id and w.wait ->> 'key' = p_key) q;
        update steadfast.workflows w set status = 'enqueued', available_at = steadfast.now(), updated_at = steadfast.now()
        where w.status = 'waiting' and w.wait ->> 'kind' = 'event'
          and w.wait ->> 'workflow' = p_workflow_id and w.wait ->> 'key' = p_key;
    end if;
    return query select r.step_key, r.recorded;
end;
$fn$;
comment on function steadfast.set_event(text, integer, text, text, jsonb, jsonb) is
    'A running workflow sets its event key to a JSON value as its step name (the latest write wins; each write kept with its step). Fenced (SF003). SF001, SF005, SF006, SF007, SF008.';

-- _known_workflow(workflow_id, function) raises SF005 for a missing id and SF001 for an unknown
-- workflow.
create or replace function steadfast._known_workflow(p_workflow_id text, p_function text)
returns void
language plpgsql
stable
as $fn$
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', p_function);
    if not exists (select from steadfast.workflows w where w.id = p_workflow_id) then
        perform steadfast._unknown_workflow(p_workflow_id, p_function);
    end if;
end;
$fn$;

-- get_event(workflow_id, key) → (found, value, written_at): the event's latest value, or found
-- false (value and written_at null) while the workflow has not set it. Raises SF001 (unknown
-- workflow), SF005.
create or replace function steadfast.get_event(p_workflow_id text, p_key text)
returns table (found boolean, value jsonb, written_at timestamptz)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
begin
    perform steadfast._known_workflow(p_workflow_id, 'get_event');
    perform steadfast._require_text(p_key, 'key', 'get_event');
    return query select true, e.value, e.written_at from steadfast.event_writes e
                 where e.workflow_id = p_workflow_id and e.key = p_key order by e.seq desc limit 1;
    if not found then
        return query select false, null::jsonb, null::timestamptz;
    end if;
end;
$fn$;
comment on function steadfast.get_event(text, text) is
    'The latest value of a workflow''s event key, or found = false while it is unset. SF001, SF005.';

-- list_events(workflow_id) → (key, value, step_key, written_at): every event of the workflow
-- with its latest value and the step that wrote it, by key. Raises SF001, SF005.
create or replace function steadfast.list_events(p_workflow_id text)
returns table (key text, value jsonb, step_key text, written_at timestamptz)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
begin
    perform steadfast._known_workflow(p_workflow_id, 'list_events');
    return query select distinct on (e.key) e.key, e.value, e.step_key, e.written_at
                 from steadfast.event_writes e where e.workflow_id = p_workflow_id
                 order by e.key, e.seq desc;
end;
$fn$;
comment on function steadfast.list_events(text) is
    'A workflow''s events with their latest values, by key. SF001, SF005.';

-- await_event(workflow_id, attempt, name, target_workflow_id, key, options) → (waiting, found, value).
-- The running workflow (fenced like record_step: SF003, SF008) reads the event `key` of the
-- workflow `target_workflow_id` as its step `name` (the options.occurrence-th call, default 1),
-- waiting for it to be set at most options.timeout_seconds from the first call, or until
-- options.until, or — neither given — as long as it takes. Set: recorded ({"found": true,
-- "value"}) and returned. Unset, and the deadline has passed or the target has finished (it
-- sets nothing more): recorded as not found ({"found": false}). Unset yet: the workflow
-- becomes `waiting` (wait = {"kind": "event", "step", "workflow", "key", "until"?};
-- available_at the deadline or _never()) and waiting is true: end the attempt; the target's
-- set_event of that key (in its transaction) or the deadline wakes it, and its next execution
-- calls again (the deadline kept in the wait). A replay returns the recorded outcome. Locks
-- the workflow's row, and the target's FOR SHARE — which its set_event's fence excludes, so an
-- event set meanwhile is either seen here or finds this workflow waiting. Raises SF001
-- (unknown workflow or target), SF003, SF005, SF008.
create or replace function steadfast.await_event(p_workflow_id text, p_attempt integer, p_name text,
                                                 p_target_workflow_id text, p_key text, p_options jsonb default '{}')
returns table (waiting boolean, found boolean, value jsonb)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.await_event_options := steadfast._parse_options(null::steadfast.await_event_options, p_options, 'await_event');
    v_occurrence jsonb := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('occurrence', o.occurrence));
    v_now timestamptz := steadfast.now();
    v_until timestamptz := steadfast._instant(o."until", 'until', 'await_event');
    s steadfast.steps := steadfast._step_row(p_workflow_id, p_attempt, p_name, null, v_occurrence, steadfast.now());
    v_recorded jsonb;
    v_target_status text;
    e record;
begin
    perform steadfast._require_text(p_target_workflow_id, 'target_workflow_id', 'await_event');
    perform steadfast._require_text(p_key, 'key', 'await_event');
    if o.timeout_seconds is not null and v_until is not null then
        raise exception using errcode = 'SF005', message = 'await_event: options may give timeout_seconds or until, not both';
    end if;
    if steadfast._wait_fence(p_workflow_id, p_attempt, s.step_key, 'await_event') then
        -- Sent again after it committed (its answer lost): the same wait of the same attempt.
        return query select true, false, null::jsonb;
        return;
    end if;
    v_recorded := steadfast._replayed(p_workflow_id, s.step_key, 'found', 'await_event', 'an event''s read');
    if v_recorded is not null then
        -- A replay: the outcome recorded the first time.
        return query select false, (v_recorded ->> 'found')::boolean, v_recorded -> 'value';
        return;
    end if;

    select w.status into v_target_status from steadfast.workflows w where w.id = p_target_workflow_id for share;
    if not found then
        -- On a shard, the target may simply live on another one: say so.
        perform steadfast._raise('SF001',
            pg_catalog.format('await_event: unknown target_workflow_id %s', steadfast._echo(p_target_workflow_id)),
            null,
            case when exists (select 1 from steadfast.shard_identity)
                 then 'This database is a shard: a workflow awaits the events of workflows on its own shard only — give the two ids the same shard key ("<key>/…"; docs/scale-out.md).' end);
    end if;
    v_until := steadfast._wait_deadline(p_workflow_id, s.step_key, 'event', o.timeout_seconds, v_until, v_now);
    select x.value into e from steadfast.event_writes x
    where x.workflow_id = p_target_workflow_id and x.key = p_key order by x.seq desc limit 1;
    if e.value is not null or v_until <= v_now or v_target_status in ('succeeded', 'failed', 'cancelled', 'dead') then
        perform steadfast._record_wait(p_workflow_id, p_attempt, p_name,
                                       case when e.value is not null then pg_catalog.jsonb_build_object('found', true, 'value', e.value)
                                            else '{"found": false}'::jsonb end,
                                       v_occurrence);
        return query select false, e.value is not null, e.value;
        return;
    end if;
    perform steadfast._suspend(p_workflow_id, v_until,
                               pg_catalog.jsonb_build_object('kind', 'event', 'step', s.step_key, 'workflow', p_target_workflow_id,
                                                             'key', p_key, 'until', v_until), v_now);
    return query select true, false, null::jsonb;
end;
$fn$;
comment on function steadfast.await_event(text, integer, text, text, text, jsonb) is
    'A running workflow reads another workflow''s event as its step name, waiting (holding no executor) until it is set — woken by the set_event — or its timeout; the outcome recorded, so replays agree. Fenced (SF003). SF001, SF005, SF008.';

-- write_stream(workflow_id, attempt, name, key, value, options) → (offset, recorded).
-- The running workflow appends `value` (any JSON) to its stream `key` (1 to 255 characters) as
-- its step `name` (the options.occurrence-th call, default 1): the entry takes the next offset
-- (0 for the first) and the step (output {"stream": key, "offset"}) commits with it. With
-- options.closed true the entry closes the stream instead (its value is ignored; readers end
-- there). A later call for the recorded step (a replay) writes nothing and returns the
-- recorded offset (recorded false). Notifies steadfast_stream. Raises SF001, SF003, SF004 (the
-- stream is closed), SF005 (bad arguments; a recorded step of that key that is not this
-- stream's write), SF006, SF008. Locks the workflow's row.
create or replace function steadfast.write_stream(p_workflow_id text, p_attempt integer, p_name text, p_key text,
                                                  p_value jsonb default 'null', p_options jsonb default '{}')
returns table ("offset" integer, recorded boolean)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.stream_options := steadfast._parse_options(null::steadfast.stream_options, p_options, 'write_stream');
    v_occurrence jsonb := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('occurrence', o.occurrence));
    v_closed boolean := coalesce(o.closed, false);
    v_value jsonb := case when coalesce(o.closed, false) then null
                          else steadfast._check_payload(coalesce(p_value, 'null'::jsonb), 'stream value') end;
    s steadfast.steps := steadfast._step_row(p_workflow_id, p_attempt, p_name, null, v_occurrence, steadfast.now());
    v_recorded steadfast.steps;
    v_last record;
    v_offset integer;
    r record;
begin
    perform steadfast._require_text(p_key, 'key', 'write_stream');
    if not steadfast._held(p_workflow_id, p_attempt) then
        perform steadfast._fenced(p_workflow_id, p_attempt, 'write_stream');
    end if;
    select * into v_recorded from steadfast.steps x where x.workflow_id = p_workflow_id and x.step_key = s.step_key;
    if found then
        if v_recorded.output ->> 'stream' is distinct from p_key then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('write_stream: step %s of workflow %s is recorded, but not as a write to stream %s',
                                            steadfast._echo(s.step_key), steadfast._echo(p_workflow_id), steadfast._echo(p_key)),
                hint = 'The workflow is not deterministic: its code wrote to a stream where it ran another step before.';
        end if;
        return query select (v_recorded.output ->> 'offset')::integer, false;
        return;
    end if;
    select e."offset", e.closed into v_last from steadfast.stream_entries e
    where e.workflow_id = p_workflow_id and e.key = p_key order by e."offset" desc limit 1;
    if v_last.closed then
        raise exception using errcode = 'SF004',
            message = pg_catalog.format('write_stream: stream %s of workflow %s is closed', steadfast._echo(p_key),
                                        steadfast._echo(p_workflow_id));
    end if;
    v_offset := coalesce(v_last."offset" + 1, 0);
    r := steadfast._record_step(p_workflow_id, p_attempt, p_name,
                                pg_catalog.jsonb_build_object('stream', p_key, 'offset', v_offset)
                                || case when v_closed then '{"closed": true}'::jsonb else '{}'::jsonb end,
                                v_occurrence);
    if r.error_code is not null then
        perform steadfast._raise(r.error_code, r.error_message, r.error_detail, r.error_hint);
    end if;
    insert into steadfast.stream_entries (workflow_id, key, "offset", value, closed, step_key, seq, written_at)
    values (p_workflow_id, p_key, v_offset, v_value, v_closed, r.step_key, r.seq, steadfast.now());
    perform pg_catalog.pg_notify('steadfast_stream', p_workflow_id);
    return query select v_offset, true;
end;
$fn$;
comment on function steadfast.write_stream(text, integer, text, text, jsonb, jsonb) is
    'A running workflow appends a JSON value to its stream key (offsets 0, 1, …), or closes it (options.closed), as its step name; a replay writes nothing. Fenced (SF003). SF001, SF004 (closed), SF005, SF006, SF008.';

-- read_stream(workflow_id, key, from_offset, limit) → ("offset", value, closed), in order: at
-- most `limit` (1 to 1000, default 1000) entries of the stream from `from_offset` (≥ 0,
-- default 0). A closed entry is the stream's last. No row: nothing there yet (or an unknown
-- stream) — a reader waits for steadfast_stream and asks again, and stops once the workflow has
-- finished. Raises SF001 (unknown workflow), SF005.
create or replace function steadfast.read_stream(p_workflow_id text, p_key text, p_from_offset integer default 0,
                                                 p_limit integer default 1000)
returns table ("offset" integer, value jsonb, closed boolean)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
begin
    perform steadfast._known_workflow(p_workflow_id, 'read_stream');
    perform steadfast._require_text(p_key, 'key', 'read_stream');
    if p_from_offset is null or p_from_offset < 0 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('read_stream: from_offset must be ≥ 0, got %s', coalesce(p_from_offset::text, 'null'));
    end if;
    if p_limit is null or p_limit not between 1 and 1000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('read_stream: limit must be between 1 and 1000, got %s', coalesce(p_limit::text, 'null'));
    end if;
    return query select e."offset", e.value, e.closed from steadfast.stream_entries e
                 where e.workflow_id = p_workflow_id and e.key = p_key and e."offset" >= p_from_offset
                 order by e."offset" limit p_limit;
end;
$fn$;
comment on function steadfast.read_stream(text, text, integer, integer) is
    'Up to limit entries of a workflow''s stream from from_offset, in order; a closed entry ends the stream. SF001, SF005.';
