-- 0013 — workflow deadlines are enforced. A start may give a deadline (an instant) or a
-- timeout (seconds from the start: start option timeout_seconds); once it passes, the next
-- claim by any worker cancels the workflow, wherever it is (sql/80_operate.sql,
-- _expire_deadlines). The index finds the unfinished workflows whose deadline has come without
-- reading any other.
alter type steadfast.start_options add attribute timeout_seconds steadfast.delay;
create index if not exists workflows_deadline on steadfast.workflows (deadline)
    where deadline is not null and status in ('enqueued', 'running', 'waiting');
