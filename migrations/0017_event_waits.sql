-- 0017 — a workflow can wait for another workflow's event (await_event, sql/58_events.sql):
-- `waiting` with wait = {"kind": "event", "step", "workflow", "key", "until"?}. set_event
-- finds the workflows waiting for its key through the index below and wakes them.
create type steadfast.await_event_options as (occurrence steadfast.positive, timeout_seconds steadfast.delay,
                                              "until" jsonb);
create index if not exists workflows_event_waits on steadfast.workflows ((wait ->> 'workflow'), (wait ->> 'key'))
    where status = 'waiting' and wait ->> 'kind' = 'event';
