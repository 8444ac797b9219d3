-- 0022 — every table and every column of the schema explains itself (psql's describe, or any
-- tool that reads pg_description): what a row is, what each column means, its unit, who
-- writes it and what it may hold. Comments only: nothing else changes.
--
-- The tables that had a comment keep it (schema_migrations and schema_code get theirs from
-- sql/00_migrate.sql on every migrate); the others get one here. A column or table added later
-- comes with its comment in its own migration: Tests/sql/functions/_schema/comments.sql fails
-- on any table or column without one. Times written by the engine's functions come from its
-- clock, steadfast.now() (sql/12_clock.sql), unless a comment says pg_catalog.now().

-- The migration machinery (sql/00_migrate.sql).
comment on column steadfast.schema_migrations.version is
    'The migration''s number, the NNNN of migrations/NNNN_name.sql; schema_version() is the highest.';
comment on column steadfast.schema_migrations.name is
    'The migration''s file name without .sql, e.g. 0001_core.';
comment on column steadfast.schema_migrations.applied_at is
    'When the migration was applied (pg_catalog.now() of the migrating transaction).';
comment on column steadfast.schema_migrations.checksum is
    'md5 of the migration''s text as applied (trimmed of surrounding blank space); a migrate refuses a migration whose text has changed since (SQLSTATE 55000).';
comment on column steadfast.schema_migrations.breaking is
    'Whether the migration has a steadfast breaking marker line: a build for an older schema refuses to run past it (breaking_migrations_after).';

comment on column steadfast.schema_code.file is
    'The sql/ file name, e.g. 40_claim.sql.';
comment on column steadfast.schema_code.checksum is
    'md5 of the file''s text as last applied (trimmed); a migrate re-applies the file when it differs. Every applied migration clears this table.';
comment on column steadfast.schema_code.applied_at is
    'When the file was last applied (pg_catalog.now()).';

-- Queues (migrations 0001, 0004).
comment on column steadfast.queues.name is
    'The queue''s name, 1 to 200 characters; workflows.queue, executors.queues and schedules.queue refer to it. The queue default always exists.';
comment on column steadfast.queues.created_at is
    'When the queue was created.';
comment on column steadfast.queues.updated_at is
    'When its settings last changed (alter_queue, define_queue).';
comment on column steadfast.queues.concurrency is
    'At most this many of the queue''s workflows running at once, across all executors; null: no limit, 0: nothing starts (paused).';
comment on column steadfast.queues.worker_concurrency is
    'At most this many of the queue''s workflows running under one executor; null: no limit.';
comment on column steadfast.queues.partition_concurrency is
    'At most this many running per partition_key (workflows without a key are not limited by it); partitions take turns. Null: no limit.';
comment on column steadfast.queues.rate_limit is
    'At most this many starts (claims that hand a workflow to an executor) in any window of rate_period; null with rate_period: no rate limit.';
comment on column steadfast.queues.rate_period is
    'The window of rate_limit, from a microsecond to a year; set together with rate_limit, or both null.';

comment on table steadfast.queue_starts is
    'The start log of rate-limited queues, written by claim_workflows: one row per claim that started workflows. Claims count the last rate_period of it and delete older rows.';
comment on column steadfast.queue_starts.queue is
    'The rate-limited queue (queues.name; deleted with it).';
comment on column steadfast.queue_starts.started_at is
    'When the claim started them.';
comment on column steadfast.queue_starts.n is
    'How many workflows that claim started (at least 1).';

comment on table steadfast.queue_partitions is
    'The fairness memory of queues with partition_concurrency, written by claim_workflows: when each partition last had a workflow claimed; the least recently served goes first. Rows idle for a day are deleted.';
comment on column steadfast.queue_partitions.queue is
    'The partitioned queue (queues.name; deleted with it).';
comment on column steadfast.queue_partitions.partition_key is
    'The partition (workflows.partition_key); the empty string stands for the workflows without one.';
comment on column steadfast.queue_partitions.last_claimed_at is
    'When a claim last took a workflow of this partition.';

-- Executors (migrations 0001, 0009).
comment on table steadfast.executors is
    'One row per executor (a worker process, or any program that runs workflows), written by register_executor, heartbeat_executor and deregister_executor. Stopped executors stay, with stopped_at set. Read it in executor_overview.';
comment on column steadfast.executors.id is
    'The executor''s id, 1 to 255 characters, chosen by the worker (default a UUID); workflows.executor_id refers to it.';
comment on column steadfast.executors.host is
    'The host name the worker reported (register_executor option host); informational.';
comment on column steadfast.executors.pid is
    'The worker''s operating-system process id as it reported it (option pid); informational. Not the database session: see session_pid.';
comment on column steadfast.executors.app_version is
    'The application version the worker runs: it claims workflows of that version or of none. Null: it claims every version.';
comment on column steadfast.executors.queues is
    'The queues the executor claims from when a claim names none (at least one; default {default}).';
comment on column steadfast.executors.metadata is
    'A JSON object the worker reported (at most 64 KiB); its key workflows, an array of workflow names, says what the worker can run (stranded_workflows reads it).';
comment on column steadfast.executors.lease_seconds is
    'The lease, in seconds (more than 0, default 30): a heartbeat extends lease_expires_at to now plus this.';
comment on column steadfast.executors.lock_key is
    'The second key of the session-level advisory lock (first key _executor_lock_space()) the executor''s session holds while it lives: random, so that no session can take it ahead. A free lock means the session is gone.';
comment on column steadfast.executors.session_pid is
    'pg_backend_pid() of the database session that registered the executor: only that session acts for it (heartbeat, release, deregister).';
comment on column steadfast.executors.registered_at is
    'When the executor was registered, or taken over by a new session.';
comment on column steadfast.executors.heartbeat_at is
    'When its last heartbeat (or registration) was recorded.';
comment on column steadfast.executors.lease_expires_at is
    'When its lease ends: past it, the next claim anywhere declares the executor dead and puts its running workflows back in their queues.';
comment on column steadfast.executors.stopped_at is
    'When the executor stopped: deregistered, or declared dead by a recovery. Null while it is live.';
comment on column steadfast.executors.stop_reason is
    'Why it stopped: deregistered, lease expired or session lost. Null while it is live.';

-- Workflows (migrations 0001 to 0018).
comment on table steadfast.workflows is
    'One row per workflow: its input, status, lease (attempt, executor), queue placement, lineage and outcome. Written only by the engine''s functions (start, claim, steps, waits, finish, cancel, resume, fork, prune). Read it in workflow_overview.';
comment on column steadfast.workflows.id is
    'The workflow''s id, 1 to 255 characters: chosen by the starter or a generated UUID. Ids beginning with schedule: belong to the workflows tick_schedules starts.';
comment on column steadfast.workflows.name is
    'The workflow''s name (its type: the code that runs it), 1 to 255 characters.';
comment on column steadfast.workflows.status is
    'enqueued (claimable from available_at), running (held by executor_id), waiting (suspended on a sleep, message, event or children; holds no executor), or final: succeeded, failed, cancelled, dead (recovery attempts exhausted).';
comment on column steadfast.workflows.queue is
    'The queue it runs in (queues.name; checked by the triggers of migration 0008, renamed with the queue).';
comment on column steadfast.workflows.priority is
    'Claim order within the queue: lower first, then by available_at (FIFO). Default 0.';
comment on column steadfast.workflows.input is
    'The workflow''s input, any JSON (at most settings.max_payload_bytes), as the starter gave it.';
comment on column steadfast.workflows.output is
    'The output it succeeded with (complete_workflow), any JSON; null until then.';
comment on column steadfast.workflows.error is
    'The last failure, a JSON object such as {"type", "message"}: from fail_workflow, or written by the engine (type cancelled, recovery_attempts_exhausted). Cleared by success; kept by a retry or a resume until the workflow finishes.';
comment on column steadfast.workflows.attempt is
    'The fencing token: every claim increments it, and every write of an execution presents it (SF003 when it no longer holds the workflow). 0 before the first claim.';
comment on column steadfast.workflows.executor_id is
    'The executor (executors.id) running it while it is running; null otherwise.';
comment on column steadfast.workflows.recovery_attempts is
    'Claims since the workflow last ended an attempt cleanly (completed, failed, waited, cancelled, resumed); a release or deregister does not count the claim it hands back. A claim when it has reached max_recovery_attempts makes it dead instead of running it.';
comment on column steadfast.workflows.max_recovery_attempts is
    'How many claims in a row may end without a clean end of the attempt (a crash, a lost lease) before it is declared dead (start option max_recovery_attempts, at least 1, default 10).';
comment on column steadfast.workflows.retry_count is
    'Failures retried so far under the retry policy (fail_workflow); reset by a resume.';
comment on column steadfast.workflows.retry_policy is
    'Its retry policy, normalized with its defaults: {"kind": "fixed" or "exponential", "max_attempts" (runs in all), "base_delay", "factor", "max_delay" (seconds), "jitter" (0 to 1)}. Null: a failure is final.';
comment on column steadfast.workflows.available_at is
    'Enqueued: when it becomes claimable (start delay, retry backoff). Waiting: when its wait times out, or 2999-12-31 (_never()) when no time ends it.';
comment on column steadfast.workflows.app_version is
    'The application version it must run under (start option, or kept by fork and resume unless they change it); only executors of that version or of none claim it. Null: any executor.';
comment on column steadfast.workflows.parent_id is
    'The workflow that started it as a child (start_child_workflow, or start option parent_id); null for a top-level workflow. Not a foreign key: a parent may be pruned first.';
comment on column steadfast.workflows.parent_step is
    'The step key in the parent that started it (start_child_workflow), or the start option parent_step.';
comment on column steadfast.workflows.forked_from is
    'The workflow it was forked from (fork_workflow); kept after that one is pruned. Null when not a fork.';
comment on column steadfast.workflows.forked_at_step is
    'The fork point: the 1-based seq of the original''s first step not copied (steps with a smaller seq were). Null when not a fork.';
comment on column steadfast.workflows.dedup_key is
    'Start option dedup_key: at most one enqueued, running or waiting workflow of the queue holds it (unique index workflows_dedup).';
comment on column steadfast.workflows.partition_key is
    'Start option partition_key (e.g. a customer id): the partition whose running workflows the queue''s partition_concurrency counts.';
comment on column steadfast.workflows.deadline is
    'When the workflow must have finished (start options deadline or timeout_seconds; a child inherits its parent''s by default): past it, the next claim anywhere cancels it and its descendants.';
comment on column steadfast.workflows.created_at is
    'When it was started.';
comment on column steadfast.workflows.updated_at is
    'When its row last changed state (claim, wait, wake, finish, release, cancel, resume).';
comment on column steadfast.workflows.started_at is
    'When it was first claimed; null while it never ran.';
comment on column steadfast.workflows.completed_at is
    'When it reached its final status (succeeded, failed, cancelled, dead); null while unfinished (a resume clears it).';
comment on column steadfast.workflows.error_attempt is
    'The attempt whose fail_workflow recorded error: that call sent again is answered as the first was, while a stale attempt is fenced.';
comment on column steadfast.workflows.executor_role is
    'The login role (session_user) of the session that last claimed it: only sessions of that role write to it (SF008). Null for workflows claimed before migration 0009.';
comment on column steadfast.workflows.wait is
    'What a waiting workflow waits for: {"kind": "sleep", "message", "event" or "children", "step": the wait''s step key, and the kind''s keys (until, topic, workflow, key, mode, children, finished)}. Null when not waiting (a receive keeps its own until the receive is recorded).';
comment on column steadfast.workflows.traceparent is
    'The W3C traceparent of whoever started it (start option traceparent; children and forks inherit it): every execution joins that trace. Null: none.';
comment on column steadfast.workflows.tracestate is
    'The W3C tracestate that came with traceparent (at most 512 characters). Null: none.';

-- Steps (migrations 0001, 0002, 0007, 0009).
comment on table steadfast.steps is
    'One row per checkpointed operation of a workflow (record_step and every step-like call: waits, children, messages, events, streams): a replay returns its recorded output instead of running it again. Read it in workflow_steps.';
comment on column steadfast.steps.workflow_id is
    'The workflow (workflows.id) that recorded the step; its steps are deleted with it.';
comment on column steadfast.steps.step_key is
    'The step''s key, unique in its workflow: its name for the first occurrence, name#n for the n-th (charge, charge#2).';
comment on column steadfast.steps.seq is
    'The step''s number in its workflow, 1, 2, … in recording order (unique per workflow). fork_workflow''s from_step counts it.';
comment on column steadfast.steps.name is
    'The step''s name as the workflow''s code gave it; a replay that calls another name at that position is not deterministic.';
comment on column steadfast.steps.output is
    'The step''s recorded result, any JSON (at most settings.max_payload_bytes); for the engine''s own steps, what they recorded (e.g. {"received": true, "message": …}).';
comment on column steadfast.steps.error is
    'The error of a step recorded as failed (record_step option error), a JSON object; null for a step that succeeded. Failed steps are forgotten when the workflow is retried or resumed, so they run again.';
comment on column steadfast.steps.child_workflow_id is
    'The child workflow this step started (start_child_workflow(s)); null for other steps.';
comment on column steadfast.steps.attempt is
    'The workflow''s attempt (its fencing token) that recorded the step; a fork keeps the original''s.';
comment on column steadfast.steps.step_attempts is
    'How many times the worker ran the step before recording it (record_step option step_attempts, default 1).';
comment on column steadfast.steps.parallel is
    'Whether the step ran alongside others of its workflow (async let, task groups): the order of parallel steps is not checked on replay, only that of sequential ones.';
comment on column steadfast.steps.started_at is
    'When the worker began the step (record_step option started_at); null when it did not say.';
comment on column steadfast.steps.completed_at is
    'When the step was recorded.';
comment on column steadfast.steps.total_bytes is
    'The workflow''s running total of recorded step bytes up to and including this step (output, error, key, name and 256 bytes of bookkeeping each): a step that would take it past settings.max_workflow_bytes is refused (SF006). 0 for steps recorded before migration 0009.';

-- Grants (migration 0003).
comment on table steadfast.role_grants is
    'The function sets given to roles by grant_viewer, grant_client and grant_worker (removed by revoke_grants); every migrate grants each recorded role its set as it is now.';
comment on column steadfast.role_grants.role_name is
    'The role granted the set (a role name, not an oid: a dropped role''s row is skipped).';
comment on column steadfast.role_grants.role_set is
    'The set: viewer (read-only), client (starts, messages, operations) or worker (claims and writes); see grant_sets().';
comment on column steadfast.role_grants.granted_at is
    'When the set was first granted to the role (pg_catalog.now()).';

-- The fake clock (migration 0005).
comment on column steadfast.fake_clock.singleton is
    'Always true: the primary key that keeps the table to one row.';
comment on column steadfast.fake_clock.fake_now is
    'The time steadfast.now() returns while this row exists (a session''s own steadfast.fake_now setting comes first, for the owner). Written by set_fake_now, for tests.';

-- Schedules (migration 0006).
comment on column steadfast.schedules.name is
    'The schedule''s name, 1 to 200 characters; the workflows it starts have the id schedule:<name>@<UTC time of the occurrence>.';
comment on column steadfast.schedules.cron is
    'The cron expression as written: 5 fields, or 6 with seconds first, or an @macro (@hourly, @daily, …); checked when it is set.';
comment on column steadfast.schedules.time_zone is
    'The IANA time zone in which the expression is read, daylight saving time included (default UTC).';
comment on column steadfast.schedules.workflow_name is
    'The name of the workflow each occurrence starts, 1 to 255 characters.';
comment on column steadfast.schedules.queue is
    'The queue its workflows are started in (queues.name; default default).';
comment on column steadfast.schedules.input is
    'The input of its workflows, a JSON object; each occurrence gets it with scheduled_at (the occurrence''s time, ISO 8601 UTC) added.';
comment on column steadfast.schedules.enabled is
    'False while paused (pause_schedule): ticks skip it, and resume_schedule starts again from now, skipping the occurrences of the pause.';
comment on column steadfast.schedules.missed_runs is
    'When a tick finds several occurrences due: latest starts only the most recent; all starts every one within catch_up_window, oldest first.';
comment on column steadfast.schedules.catch_up_window is
    'How far back missed_runs all starts due occurrences: more than 0, at most 31 days (default 1 day).';
comment on column steadfast.schedules.next_fire_at is
    'The next occurrence not yet started (what ticks look for, through the index schedules_due); null when the expression has none left.';
comment on column steadfast.schedules.last_fired_at is
    'The scheduled time of the last occurrence a tick started; null until one did.';
comment on column steadfast.schedules.last_error is
    'Why the last tick could not start its occurrence (at most 1000 characters); null once one did.';
comment on column steadfast.schedules.created_at is
    'When the schedule was created.';
comment on column steadfast.schedules.updated_at is
    'When it was last changed (alter_schedule, define_schedule, pause, resume).';

-- The engine's limits (migration 0009).
comment on column steadfast.settings.singleton is
    'Always true: the primary key that keeps the table to one row.';
comment on column steadfast.settings.max_payload_bytes is
    'The largest JSON value a call may store (a workflow''s input, output or error, a step''s output or error, a message, an event or stream value, a schedule''s input), in bytes: 65536 to 67108864, default 4194304 (4 MiB); larger is SF006.';
comment on column steadfast.settings.max_workflow_bytes is
    'The most a workflow''s recorded steps may hold in all (steps.total_bytes), in bytes: 1048576 to 134217728, default 67108864 (64 MiB), at least max_payload_bytes; a claim returns them all.';
comment on column steadfast.settings.updated_at is
    'When set_settings last wrote the row (pg_catalog.now()).';

-- Messages (migration 0015).
comment on column steadfast.messages.id is
    'The message''s id, increasing in the order its sends committed: a receive takes the lowest unconsumed id of the topic.';
comment on column steadfast.messages.workflow_id is
    'The workflow the message is for (workflows.id; deleted with it).';
comment on column steadfast.messages.topic is
    'The topic it was sent under (send_message option topic, default default); a receive names the topic it reads.';
comment on column steadfast.messages.message is
    'The message, any JSON (at most settings.max_payload_bytes).';
comment on column steadfast.messages.idempotency_key is
    'send_message option idempotency_key: a send repeated with the same key for the same workflow stores nothing more. Null: none.';
comment on column steadfast.messages.sent_at is
    'When it was sent.';
comment on column steadfast.messages.consumed_at is
    'When a receive_message consumed it; null while unconsumed. A message is consumed once.';
comment on column steadfast.messages.consumed_step is
    'The step key of the receive that consumed it; null while unconsumed.';

-- Events and streams (migration 0016).
comment on column steadfast.event_writes.workflow_id is
    'The workflow that set the event (workflows.id; deleted with it).';
comment on column steadfast.event_writes.step_key is
    'The set_event step that wrote it (steps.step_key): a replay writes nothing more.';
comment on column steadfast.event_writes.seq is
    'That step''s seq: the latest write of a key (highest seq) is the event''s value, and a fork copies the writes made before its fork point.';
comment on column steadfast.event_writes.key is
    'The event''s key, 1 to 255 characters.';
comment on column steadfast.event_writes.value is
    'The value written, any JSON (at most settings.max_payload_bytes).';
comment on column steadfast.event_writes.written_at is
    'When it was written.';

comment on column steadfast.stream_entries.workflow_id is
    'The workflow whose stream it is (workflows.id; deleted with it).';
comment on column steadfast.stream_entries.key is
    'The stream''s key, 1 to 255 characters.';
comment on column steadfast.stream_entries."offset" is
    'The entry''s position in its stream: 0, 1, 2, … with no gap.';
comment on column steadfast.stream_entries.value is
    'The value appended, any JSON (at most settings.max_payload_bytes); null for a closing entry.';
comment on column steadfast.stream_entries.closed is
    'True for the closing entry (write_stream option closed): the stream''s last; nothing can be written after it.';
comment on column steadfast.stream_entries.step_key is
    'The write_stream step that wrote it (steps.step_key; unique per workflow): a replay writes nothing more.';
comment on column steadfast.stream_entries.seq is
    'That step''s seq: a fork copies the entries written before its fork point.';
comment on column steadfast.stream_entries.written_at is
    'When it was written.';
