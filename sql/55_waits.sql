-- Durable waits: a workflow that waits ends its attempt and holds nothing while it waits.
--
-- sleep_workflow records the sleep as a step — its wake time, computed once, so that every
-- replay sleeps until the same instant — and, unless that time has come, makes the workflow
-- `waiting`: no executor, no slot, its wake time in available_at and what it waits for in
-- `wait`. Nothing polls for it. The claims of its queue wake it when its time has come
-- (_wake_due, called by claim_workflows before it claims): it becomes `enqueued`, keeping its
-- place by its wake time, and is claimed, replayed and continued after the sleep like any
-- other workflow. So it wakes within a claim poll of its time, on whichever worker claims
-- first; a cancel, a deadline (later) or a resume finds it like any unfinished workflow.

-- _wake_due(queues, now) → how many waiting workflows of those queues whose wait ended at a
-- time (available_at) not after `now` became `enqueued` (their wait cleared — but a receive's,
-- which keeps its deadline until the receive is recorded, sql/57_messages.sql — available at
-- that time). Rows another session holds are skipped and woken by a later claim. Locks the
-- rows it wakes; reads the partial index workflows_waking only.
create or replace function steadfast._wake_due(p_queues text[], p_now timestamptz)
returns integer
language plpgsql
volatile
as $fn$
declare
    v_count integer;
begin
    update steadfast.workflows w
    set status = 'enqueued', updated_at = p_now,
        -- A receive's (an event read's) wait stays until it is recorded: it holds its deadline.
        wait = case when w.wait ->> 'kind' in ('message', 'event') then w.wait end
    where w.id in (select x.id from steadfast.workflows x
                   where x.status = 'waiting' and x.queue = any (p_queues) and x.available_at <= p_now
                   order by x.id
                   for update skip locked)
      and (w.status = 'waiting') is true;  -- by id (sql/01_overview.sql)
    get diagnostics v_count = row_count;
    return v_count;
end;
$fn$;

-- _waits_in(workflow_id, attempt, step_key) → whether that attempt of the workflow ended by
-- waiting in that step: a wait call sent again after it committed (its answer lost) answers
-- as the first did. By id (sql/01_overview.sql).
create or replace function steadfast._waits_in(p_workflow_id text, p_attempt integer, p_step_key text)
returns boolean
language sql
stable
as $fn$
    select exists (select from steadfast.workflows w
                   where w.id = p_workflow_id
                     and (w.attempt = p_attempt and w.status = 'waiting' and w.wait ->> 'step' = p_step_key) is true)
$fn$;

-- The machinery every wait shares (sleep_workflow; await_children, sql/56_children.sql;
-- receive_message, sql/57_messages.sql; await_event, sql/58_events.sql).

-- _never() → the available_at of a wait that no time ends (a wait for children; a receive or
-- an event's read without a timeout): 2999-12-31,
-- after any clock, yet finite, so that its comparisons and arithmetic stay ordinary.
create or replace function steadfast._never()
returns timestamptz
language sql
immutable
as $fn$
    select '2999-12-31 00:00:00+00'::timestamptz
$fn$;

-- _wait_fence(workflow_id, attempt, step_key, function) → true when the call is a wait sent
-- again after it committed (its answer lost: that attempt ended waiting in that step) — the
-- caller answers "waiting" again; false when the attempt holds the workflow (its row locked,
-- _held). Any other call is refused (_fenced: SF001, SF003, SF008).
create or replace function steadfast._wait_fence(p_workflow_id text, p_attempt integer, p_step_key text,
                                                 p_function text)
returns boolean
language plpgsql
volatile
as $fn$
begin
    if steadfast._held(p_workflow_id, p_attempt) then
        return false;
    end if;
    if steadfast._waits_in(p_workflow_id, p_attempt, p_step_key) then
        return true;
    end if;
    perform steadfast._fenced(p_workflow_id, p_attempt, p_function);
    return false;
end;
$fn$;

-- _replayed(workflow_id, step_key, marker, function, what) → the recorded output of that step
-- (a replay), or null while it is not recorded. A step recorded otherwise — failed, or without
-- the key `marker` its kind records — is the workflow's code taking another path than its
-- record: SF005, naming `what` it should have been.
create or replace function steadfast._replayed(p_workflow_id text, p_step_key text, p_marker text, p_function text,
                                               p_what text)
returns jsonb
language plpgsql
stable
as $fn$
declare
    s record;
begin
    select x.output, x.error into s from steadfast.steps x where x.workflow_id = p_workflow_id and x.step_key = p_step_key;
    if not found then
        return null;
    end if;
    if s.error is not null or not coalesce(s.output ? p_marker, false) then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: step %s of workflow %s is recorded, but not as %s', p_function,
                                        steadfast._echo(p_step_key), steadfast._echo(p_workflow_id), p_what),
            hint = 'The workflow is not deterministic: its code took another path than the one recorded.';
    end if;
    return s.output;
end;
$fn$;

-- _wait_deadline(workflow_id, step_key, kind, timeout_seconds, until, now) → when a wait with
-- a timeout ends: the deadline its first call fixed, kept in the workflow's wait while it is
-- the same wait (kind and step) — so a call after a wake-up or a crash has the same — else
-- `until`, else now + timeout_seconds; null for none.
create or replace function steadfast._wait_deadline(p_workflow_id text, p_step_key text, p_kind text,
                                                    p_timeout_seconds double precision, p_until timestamptz,
                                                    p_now timestamptz)
returns timestamptz
language sql
stable
as $fn$
    select coalesce((select (w.wait ->> 'until')::timestamptz from steadfast.workflows w
                     where w.id = p_workflow_id and w.wait ->> 'kind' = p_kind and w.wait ->> 'step' = p_step_key),
                    p_until, p_now + pg_catalog.make_interval(secs => p_timeout_seconds))
$fn$;

-- _suspend(workflow_id, available_at, wait, now): the workflow, held by the caller's attempt,
-- now waits: `waiting`, no executor, recovery count reset, `wait` saying on what, available at
-- the time that ends the wait (_never() for none: no claim wakes it by time).
create or replace function steadfast._suspend(p_workflow_id text, p_available_at timestamptz, p_wait jsonb,
                                              p_now timestamptz)
returns void
language sql
volatile
as $fn$
    update steadfast.workflows w
    set status = 'waiting', executor_id = null, recovery_attempts = 0, updated_at = p_now,
        available_at = coalesce(p_available_at, steadfast._never()), wait = pg_catalog.jsonb_strip_nulls(p_wait)
    where w.id = p_workflow_id
$fn$;

-- _record_wait(workflow_id, attempt, name, output, options): records the ended wait as the
-- step `name` (raising a refusal: SF003, SF006, SF007, …) and clears the wait the workflow kept
-- for it, if any.
create or replace function steadfast._record_wait(p_workflow_id text, p_attempt integer, p_name text, p_output jsonb,
                                                  p_options jsonb)
returns void
language plpgsql
volatile
as $fn$
declare
    r record;
begin
    r := steadfast._record_step(p_workflow_id, p_attempt, p_name, p_output, p_options);
    if r.error_code is not null then
        perform steadfast._raise(r.error_code, r.error_message, r.error_detail, r.error_hint);
    end if;
    update steadfast.workflows w set wait = null
    where w.id = p_workflow_id and (w.wait is not null) is true;  -- by id (sql/01_overview.sql)
end;
$fn$;

-- sleep_workflow(workflow_id, attempt, name, options) → (wake_at, sleeping).
-- The running workflow sleeps: until options.until (a timestamp: ISO 8601 or seconds since
-- 1970) or for options.seconds (a number ≥ 0) from now — one of the two — as its step `name`
-- (its options.occurrence-th call, default 1). The first call records the step, its output
-- {"until": wake_at}; a later call for the recorded step (a replay) returns the recorded time,
-- whatever its options say now. While wake_at is ahead, the workflow becomes `waiting` (no
-- executor; wait = {"kind": "sleep", "step", "until"}; available_at = wake_at) and sleeping is
-- true: the caller's attempt has ended, and the claims of the workflow's queue wake it at
-- wake_at. Once wake_at has come, nothing changes and sleeping is false: carry on. The same
-- call again once its attempt is waiting (its answer lost) returns the same. Fenced like
-- record_step (SF003), from the claiming role's sessions only (SF008). Locks the
-- workflow row. Raises SF001, SF003, SF005 (bad arguments; neither or both of seconds and
-- until; a recorded step of that key that is not a sleep), SF006, SF008.
create or replace function steadfast.sleep_workflow(p_workflow_id text, p_attempt integer, p_name text,
                                                    p_options jsonb default '{}')
returns table (wake_at timestamptz, sleeping boolean)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.sleep_options := steadfast._parse_options(null::steadfast.sleep_options, p_options, 'sleep_workflow');
    v_now timestamptz := steadfast.now();
    v_until timestamptz := steadfast._instant(o."until", 'until', 'sleep_workflow');
    s steadfast.steps;
    v_recorded jsonb;
begin
    if (o.seconds is null) = (v_until is null) then
        raise exception using errcode = 'SF005',
            message = 'sleep_workflow: options must give either seconds or until, not both',
            hint = 'seconds: how long to sleep from now; until: the instant to wake at.';
    end if;
    v_until := coalesce(v_until, v_now + pg_catalog.make_interval(secs => o.seconds));
    s := steadfast._step_row(p_workflow_id, p_attempt, p_name, pg_catalog.jsonb_build_object('until', v_until),
                             pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('occurrence', o.occurrence)),
                             v_now);
    if steadfast._wait_fence(p_workflow_id, p_attempt, s.step_key, 'sleep_workflow') then
        -- Sent again after it committed (its answer lost): the same sleep of the same attempt.
        return query select (w.wait ->> 'until')::timestamptz, true from steadfast.workflows w where w.id = p_workflow_id;
        return;
    end if;
    v_recorded := steadfast._replayed(p_workflow_id, s.step_key, 'until', 'sleep_workflow', 'a sleep');
    if v_recorded is not null then
        -- A replay: the time recorded the first time.
        v_until := steadfast._instant(v_recorded -> 'until', 'until', 'sleep_workflow');
    else
        perform steadfast._record_wait(p_workflow_id, p_attempt, p_name, s.output,
                                       pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('occurrence', o.occurrence)));
    end if;
    if v_until <= v_now then
        return query select v_until, false;
        return;
    end if;
    perform steadfast._suspend(p_workflow_id, v_until,
                               pg_catalog.jsonb_build_object('kind', 'sleep', 'step', s.step_key, 'until', v_until), v_now);
    return query select v_until, true;
end;
$fn$;
comment on function steadfast.sleep_workflow(text, integer, text, jsonb) is
    'A running workflow sleeps until options.until or for options.seconds, recorded as its step name (replays keep the first wake time): waiting, holding no executor, until a claim of its queue wakes it. Fenced (SF003). SF001, SF005, SF006, SF008.';
