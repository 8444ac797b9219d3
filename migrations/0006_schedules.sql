-- 0006 — schedules: cron expressions that start workflows, fired by whichever worker ticks
-- first (sql/85_schedules.sql explains the model).
--
-- One row per schedule. `next_fire_at` is the next occurrence not yet started, kept by
-- create/alter/resume and by every tick that fires the schedule; the partial index on it is
-- all a tick reads when nothing is due.

create table if not exists steadfast.schedules (
    name            text primary key
                    constraint schedules_name_valid check (name <> '' and pg_catalog.length(name) <= 200),
    -- a cron expression as written (5 fields, or 6 with seconds first, or an @macro),
    -- checked by steadfast._parse_cron when it is set
    cron            text not null,
    -- an IANA time zone name, in which the expression is read (DST included)
    time_zone       text not null default 'UTC',
    workflow_name   text not null
                    constraint schedules_workflow_name_valid check (workflow_name <> '' and pg_catalog.length(workflow_name) <= 255),
    queue           text not null default 'default' references steadfast.queues (name) on update cascade,
    -- a JSON object; each occurrence's workflow gets it with "scheduled_at" added
    input           jsonb not null default '{}'
                    constraint schedules_input_object check (pg_catalog.jsonb_typeof(input) = 'object'),
    enabled         boolean not null default true,
    -- 'latest': after a gap, start only the most recent due occurrence; 'all': start every
    -- due occurrence of the last catch_up_window
    missed_runs     text not null default 'latest'
                    constraint schedules_missed_runs_valid check (missed_runs in ('latest', 'all')),
    catch_up_window interval not null default interval '1 day'
                    constraint schedules_catch_up_window_valid check (catch_up_window > interval '0'
                                                                      and catch_up_window <= interval '31 days'),
    -- the next occurrence not yet started (null: the expression has none left)
    next_fire_at    timestamptz,
    -- the scheduled time of the last occurrence a tick started
    last_fired_at   timestamptz,
    -- why the last tick could not fire the schedule (null once one did)
    last_error      text,
    created_at      timestamptz not null default steadfast.now(),
    updated_at      timestamptz not null default steadfast.now()
);
comment on table steadfast.schedules is
    'One row per cron schedule. Change them with steadfast.create_schedule / alter_schedule / pause_schedule / resume_schedule / delete_schedule; read them in steadfast.schedule_overview.';

-- The tick: due schedules, earliest first. Nothing else reads schedules on a hot path.
create index if not exists schedules_due on steadfast.schedules (next_fire_at, name) where enabled;
