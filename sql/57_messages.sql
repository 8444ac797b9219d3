-- Messages: talk to a running workflow, exactly once.
--
-- send_message stores a JSON message for a workflow under a topic. receive_message, called by
-- the workflow as its step, consumes the oldest unconsumed message of the topic and records
-- the step — {"received": true, "message": …} — in one transaction: a message is received by
-- exactly one step, once, and a replay returns the recorded message. While none has arrived,
-- the receiving workflow waits holding nothing (wait = {"kind": "message", "step", "topic",
-- "until"?}); the send that brings its topic a message enqueues it in the send's own
-- transaction, and a timeout ends the wait like a sleep's wake time (the claims of its queue
-- wake it at `until`). A timeout is recorded too ({"received": false}), so replays take the
-- same branch.
--
-- Order: a send locks the receiving workflow's row before it inserts, so the sends to one
-- workflow commit one at a time and its messages' ids follow their commit order; a receive
-- takes the lowest id of the topic. The receive locks the same row (its fence) before it
-- looks: a message is either seen by the receive or its send finds the workflow waiting and
-- wakes it — never neither.
--
-- The receive's deadline is computed once, by the first call, and kept in the wait until the
-- receive is recorded (a woken workflow's wait is not cleared for a message: _wake_due), so a
-- receive that replays after a wake-up or a crash has the same deadline.

-- send_message(workflow_id, message, options) → (message_id, created).
-- Sends `message` (any JSON; SQL null means JSON null) to the workflow, under options.topic
-- (default "default"). With options.idempotency_key, a send repeated with the same key for the
-- same workflow stores nothing and returns the first message's id (created false) — whatever
-- the workflow's status by then. When the workflow waits for a message of this topic, it is
-- enqueued (available now) and steadfast_enqueued notified, in this transaction. Locks the
-- workflow's row. Raises SF001 (unknown workflow), SF004 (the workflow has finished: the
-- message would never be received; nothing is stored), SF005, SF006 (message over
-- max_payload_bytes).
create or replace function steadfast.send_message(p_workflow_id text, p_message jsonb default 'null',
                                                  p_options jsonb default '{}')
returns table (message_id bigint, created boolean)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.send_options := steadfast._parse_options(null::steadfast.send_options, p_options, 'send_message');
    v_topic text := coalesce(o.topic, 'default');
    v_message jsonb := steadfast._check_payload(coalesce(p_message, 'null'::jsonb), 'message');
    v_now timestamptz := steadfast.now();
    w record;
    v_id bigint;
begin
    perform steadfast._require_text(p_workflow_id, 'workflow_id', 'send_message');
    select x.id, x.status, x.queue, x.wait into w from steadfast.workflows x where x.id = p_workflow_id for no key update;
    if not found then
        perform steadfast._unknown_workflow(p_workflow_id, 'send_message');
    end if;
    if o.idempotency_key is not null then
        select m.id into v_id from steadfast.messages m
        where m.workflow_id = p_workflow_id and m.idempotency_key = o.idempotency_key;
        if found then
            return query select v_id, false;
            return;
        end if;
    end if;
    if w.status in ('succeeded', 'failed', 'cancelled', 'dead') then
        raise exception using errcode = 'SF004',
            message = pg_catalog.format('send_message: workflow %s already finished (%s)', steadfast._echo(p_workflow_id), w.status),
            hint = 'A finished workflow receives nothing: the message was not stored.';
    end if;
    insert into steadfast.messages (workflow_id, topic, message, idempotency_key, sent_at)
    values (p_workflow_id, v_topic, v_message, o.idempotency_key, v_now)
    returning id into v_id;
    if w.status = 'waiting' and w.wait ->> 'kind' = 'message' and w.wait ->> 'topic' = v_topic then
        update steadfast.workflows x set status = 'enqueued', available_at = v_now, updated_at = v_now
        where x.id = p_workflow_id;
        perform pg_catalog.pg_notify('steadfast_enqueued', w.queue);
    end if;
    return query select v_id, true;
end;
$fn$;
comment on function steadfast.send_message(text, jsonb, jsonb) is
    'Sends a JSON message to a workflow under options.topic (default "default"); options.idempotency_key makes a repeated send a no-op. Wakes the workflow if it waits for that topic. SF001, SF004 (finished), SF005, SF006.';

-- receive_message(workflow_id, attempt, name, options) → (waiting, received, message).
-- The running workflow (fenced like record_step: SF003, SF008) receives, as its step `name`
-- (the options.occurrence-th call, default 1), the oldest unconsumed message of options.topic
-- (default "default"), waiting at most options.timeout_seconds from the first call, or until
-- options.until (a timestamp), or — neither given — for as long as it takes. A message there:
-- consumed and recorded ({"received": true, "message"}), returned with received true. None,
-- and the deadline has passed: the timeout is recorded ({"received": false}) and returned
-- (received false). None yet: the workflow becomes `waiting` (no executor; wait = {"kind":
-- "message", "step", "topic", "until"?}; available_at the deadline, or _never()) and waiting
-- is true: the caller's attempt has ended; a send of that topic or the deadline wakes it, and
-- its next execution calls again. A later call for the recorded step (a replay) returns the
-- recorded outcome, whatever its options; the same call again once its attempt is waiting (its
-- answer lost) returns waiting true. Raises SF001, SF003, SF005 (bad arguments; both
-- timeout_seconds and until; a recorded step of that key that is not a receive), SF008.
-- Locks the workflow's row and the message it consumes.
create or replace function steadfast.receive_message(p_workflow_id text, p_attempt integer, p_name text,
                                                     p_options jsonb default '{}')
returns table (waiting boolean, received boolean, message jsonb)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    o steadfast.receive_options := steadfast._parse_options(null::steadfast.receive_options, p_options, 'receive_message');
    v_topic text := coalesce(o.topic, 'default');
    v_occurrence jsonb := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('occurrence', o.occurrence));
    v_now timestamptz := steadfast.now();
    v_until timestamptz := steadfast._instant(o."until", 'until', 'receive_message');
    s steadfast.steps := steadfast._step_row(p_workflow_id, p_attempt, p_name, null, v_occurrence, steadfast.now());
    v_recorded jsonb;
    m record;
begin
    if o.timeout_seconds is not null and v_until is not null then
        raise exception using errcode = 'SF005',
            message = 'receive_message: options may give timeout_seconds or until, not both';
    end if;
    if steadfast._wait_fence(p_workflow_id, p_attempt, s.step_key, 'receive_message') then
        -- Sent again after it committed (its answer lost): the same wait of the same attempt.
        return query select true, false, null::jsonb;
        return;
    end if;
    v_recorded := steadfast._replayed(p_workflow_id, s.step_key, 'received', 'receive_message', 'a receive');
    if v_recorded is not null then
        -- A replay: the outcome recorded the first time.
        return query select false, (v_recorded ->> 'received')::boolean, v_recorded -> 'message';
        return;
    end if;

    v_until := steadfast._wait_deadline(p_workflow_id, s.step_key, 'message', o.timeout_seconds, v_until, v_now);
    update steadfast.messages x set consumed_at = v_now, consumed_step = s.step_key
    where x.id = (select y.id from steadfast.messages y
                  where y.workflow_id = p_workflow_id and y.topic = v_topic and y.consumed_at is null
                  order by y.id limit 1 for update)
    returning x.id, x.message into m;
    if m.id is not null or v_until <= v_now then
        perform steadfast._record_wait(p_workflow_id, p_attempt, p_name,
                                       case when m.id is not null
                                            then pg_catalog.jsonb_build_object('received', true, 'message', m.message, 'message_id', m.id)
                                            else '{"received": false}'::jsonb end,
                                       v_occurrence);
        return query select false, m.id is not null, m.message;
        return;
    end if;
    perform steadfast._suspend(p_workflow_id, v_until,
                               pg_catalog.jsonb_build_object('kind', 'message', 'step', s.step_key, 'topic', v_topic,
                                                             'until', v_until), v_now);
    return query select true, false, null::jsonb;
end;
$fn$;
comment on function steadfast.receive_message(text, integer, text, jsonb) is
    'A running workflow receives the oldest message of options.topic as its step name, exactly once (consumed and recorded together), waiting at most timeout_seconds / until — the timeout recorded too; while none is there it waits holding no executor, woken by the send. Fenced (SF003). SF001, SF005, SF008.';
