-- 0010 — every options object is a composite type, parsed in one call.
--
-- An options object (start options, a retry policy, queue and schedule settings, …) used to be
-- read key by key by a family of checkers in sql/10_arguments.sql, with inlinable twins of
-- them for speed and a second, set-based copy of the start rules for batches. Now each object
-- is one composite type below: its attributes are the object's keys, their types (domains
-- carry the ranges, their comments say them) are the checks, and
-- steadfast._parse_options(null::<type>, options, function) fills it with one
-- jsonb_populate_record after the keys are checked; a precise per-key SF005 message is made
-- only when that fails. Adding an option is one attribute here.
--
-- Timestamps are `jsonb` attributes — an ISO 8601 string or seconds since 1970 — converted by
-- steadfast._instant (sql/10_arguments.sql). Nested objects (a retry policy) are `jsonb`
-- too, parsed with their own type. JSON null is SQL null: the caller applies its default.

-- Domains: a range per kind of value; the comment is what an error message says it must be.
-- Every number is a steadfast.number first: no magnitude a double cannot hold, and none so
-- close to zero that arithmetic on it underflows (22003).
create domain steadfast.key as text check (pg_catalog.length(value) between 1 and 255);
comment on domain steadfast.key is 'a string of 1 to 255 characters';
create domain steadfast.label as text check (pg_catalog.length(value) <= 255);
comment on domain steadfast.label is 'a string of at most 255 characters';
create domain steadfast.positive as integer check (value >= 1);
comment on domain steadfast.positive is 'an integer ≥ 1';
create domain steadfast.natural as integer check (value >= 0);
comment on domain steadfast.natural is 'an integer ≥ 0';
create domain steadfast.number as double precision
    check (value between -1e300 and 1e300 and (value = 0 or pg_catalog.abs(value) >= 1e-300));
comment on domain steadfast.number is 'a number from -1e300 to 1e300';
create domain steadfast.seconds as steadfast.number check (value between 0 and 31536000);
comment on domain steadfast.seconds is 'a number of seconds from 0 to 31536000 (a year)';
create domain steadfast.delay as steadfast.number check (value between 0 and 3153600000);
comment on domain steadfast.delay is 'a number of seconds from 0 to 3153600000 (100 years)';
create domain steadfast.period as steadfast.number check (value between 0.000001 and 31536000);
comment on domain steadfast.period is 'a number of seconds from 0.000001 to 31536000 (a year)';
create domain steadfast.window as steadfast.number check (value between 0.000001 and 2678400);
comment on domain steadfast.window is 'a number of seconds from 0.000001 to 2678400 (31 days)';
create domain steadfast.lease as steadfast.number check (value > 0 and value <= 86400);
comment on domain steadfast.lease is 'a number of seconds, more than 0 and at most 86400';
create domain steadfast.fraction as steadfast.number check (value between 0 and 1);
comment on domain steadfast.fraction is 'a number from 0 to 1';
create domain steadfast.factor as steadfast.number check (value between 1 and 1000);
comment on domain steadfast.factor is 'a number from 1 to 1000';
create domain steadfast.page as integer check (value between 1 and 1000);
comment on domain steadfast.page is 'an integer from 1 to 1000';
create domain steadfast.tick_limit as integer check (value between 1 and 10000);
comment on domain steadfast.tick_limit is 'an integer from 1 to 10000';
create domain steadfast.dedup_policy as text check (value in ('return', 'error'));
comment on domain steadfast.dedup_policy is '"return" or "error"';
create domain steadfast.retry_kind as text check (value in ('none', 'fixed', 'exponential'));
comment on domain steadfast.retry_kind is '"none", "fixed" or "exponential"';
create domain steadfast.missed_runs as text check (value in ('latest', 'all'));
comment on domain steadfast.missed_runs is '"latest" or "all"';
create domain steadfast.write_kind as text check (value in ('step', 'complete'));
comment on domain steadfast.write_kind is '"step" or "complete"';

-- start_workflow, start_workflows (and each element's), start_workflow_and_claim.
create type steadfast.start_options as (
    queue text,
    priority integer,
    delay_seconds steadfast.delay,
    available_at jsonb,
    app_version steadfast.label,
    max_recovery_attempts steadfast.positive,
    retry jsonb,
    parent_id steadfast.label,
    parent_step steadfast.label,
    deadline jsonb,
    dedup_key steadfast.key,
    dedup_policy steadfast.dedup_policy,
    partition_key steadfast.key
);
-- An element of start_workflows' array.
create type steadfast.start_element as (name text, workflow_id text, input jsonb, options jsonb);
-- A retry policy (start option `retry`, fail_workflow option `retry`).
create type steadfast.retry_policy as (
    kind steadfast.retry_kind,
    max_attempts steadfast.positive,
    base_delay steadfast.seconds,
    factor steadfast.factor,
    max_delay steadfast.seconds,
    jitter steadfast.fraction
);
create type steadfast.queue_options as (
    concurrency steadfast.natural,
    worker_concurrency steadfast.natural,
    partition_concurrency steadfast.natural,
    rate_limit steadfast.natural,
    rate_period steadfast.period
);
create type steadfast.schedule_options as (
    cron text,
    workflow_name text,
    time_zone text,
    queue text,
    input jsonb,
    enabled boolean,
    missed_runs steadfast.missed_runs,
    catch_up_window steadfast.window
);
create type steadfast.executor_options as (
    host steadfast.label,
    pid steadfast.natural,
    app_version steadfast.label,
    queues text[],
    lease_seconds steadfast.lease,
    metadata jsonb
);
create type steadfast.claim_options as (queues text[], names text[]);
create type steadfast.step_options as (
    occurrence steadfast.positive,
    error jsonb,
    started_at jsonb,
    step_attempts steadfast.positive,
    child_workflow_id steadfast.label,
    parallel boolean
);
create type steadfast.fail_options as (retry jsonb, retryable boolean);
-- An element of record_batch's array; a completion may carry the workflow's last step.
create type steadfast.batch_write as (
    kind steadfast.write_kind,
    workflow_id text,
    attempt integer,
    name text,
    output jsonb,
    options jsonb,
    step jsonb
);
create type steadfast.final_step as (name text, output jsonb, options jsonb);
create type steadfast.list_options as (
    status jsonb,
    name text,
    queue text,
    app_version text,
    parent_id text,
    forked_from text,
    created_after jsonb,
    created_before jsonb,
    stranded boolean,
    "limit" steadfast.page,
    before_created_at jsonb,
    before_id text
);
create type steadfast.list_executors_options as (include_stopped boolean);
create type steadfast.cancel_options as (reason text);
create type steadfast.resume_options as (queue text, app_version steadfast.label);
create type steadfast.fork_options as (workflow_id text, queue text, app_version steadfast.label);
create type steadfast.prune_options as (status jsonb, queue text);
create type steadfast.tick_options as ("limit" steadfast.tick_limit);
create type steadfast.list_schedules_options as (name text);
create type steadfast.settings_options as (max_payload_bytes integer, max_workflow_bytes integer);

-- The key-by-key checkers these types replace, and the element-by-element batch start.
drop function if exists steadfast._options(jsonb, text[], text);
drop function if exists steadfast._opt_text(jsonb, text, text);
drop function if exists steadfast._opt_text_or_raise(jsonb, text, text);
drop function if exists steadfast._opt_number(jsonb, text, double precision);
drop function if exists steadfast._opt_number_or_raise(jsonb, text, double precision);
drop function if exists steadfast._opt_int(jsonb, text, integer);
drop function if exists steadfast._opt_int_or_raise(jsonb, text, integer);
drop function if exists steadfast._opt_bool(jsonb, text, boolean);
drop function if exists steadfast._opt_bool_or_raise(jsonb, text, boolean);
drop function if exists steadfast._opt_timestamptz(jsonb, text, timestamptz);
drop function if exists steadfast._opt_timestamptz_or_raise(jsonb, text, timestamptz);
drop function if exists steadfast._opt_text_array(jsonb, text, text[]);
drop function if exists steadfast._start_workflows_each(jsonb, jsonb);
drop function if exists steadfast._new_workflow(text, text, jsonb, jsonb, text);
drop function if exists steadfast._queue_settings(steadfast.queues, jsonb, text);
drop function if exists steadfast._schedule_settings(steadfast.schedules, jsonb, text[], text);
-- Replaced by _key_share_queue (sql/15_queues.sql), which also locks the queue as starts do.
drop function if exists steadfast._existing_queue(text, text);
