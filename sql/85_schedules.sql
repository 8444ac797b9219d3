-- Schedules: cron expressions that start workflows, without a scheduler process.
--
-- A schedule is a row of steadfast.schedules: a cron expression read in an IANA time zone,
-- the workflow (name, queue, JSON input) each occurrence starts, and a missed-run policy. Its
-- `next_fire_at` is the next occurrence not yet started.
--
-- Nobody leads. Every worker calls tick_schedules() on its own timer, with random jitter so
-- that workers do not wake in step; a deployment without Swift workers calls the same
-- function from pg_cron or any cron. A tick locks the due schedules it can (FOR UPDATE SKIP
-- LOCKED: another tick skips them instead of waiting), starts their due occurrences, and
-- moves next_fire_at past them, in one transaction. Each occurrence's workflow id is derived
-- from the schedule's name and the scheduled time — schedule:<name>@<UTC time> — and inserted
-- with ON CONFLICT DO NOTHING, so however many workers tick, each occurrence starts once.
-- When nothing is due a tick is one probe of the partial index schedules_due.
--
-- The workflow's input is the schedule's input (a JSON object) with "scheduled_at" set to the
-- occurrence's time in UTC, ISO 8601 ("2026-03-08T07:30:00Z"); it is also in the id.
--
-- Missed runs. When a tick finds several occurrences due (no worker ticked for a while):
--   latest  starts only the most recent due occurrence; the older ones are skipped.
--   all     starts every due occurrence scheduled within catch_up_window (default a day, at
--           most 31 days) before now, oldest first; older ones are skipped. A tick starts at
--           most `limit` workflows; the next tick continues.
-- Pausing skips the occurrences of the pause: resume_schedule starts again from now.
--
-- Cron expressions (Vixie cron, plus an optional seconds field):
--
--   ┌──────────── second (0-59)     only in a 6-field expression: seconds come FIRST
--   │ ┌────────── minute (0-59)
--   │ │ ┌──────── hour (0-23)
--   │ │ │ ┌────── day of month (1-31)
--   │ │ │ │ ┌──── month (1-12 or jan-dec)
--   │ │ │ │ │ ┌── day of week (0-7 or sun-sat; 0 and 7 are Sunday)
--   * * * * * *
--
--   Each field is `*` or a comma-separated list of items: a value (`5`, `mon`), a range
--   (`1-5`, `mon-fri`), or either followed by a step (`*/15`, `0-30/10`, `10/20` = 10 to the
--   field's maximum every 20). Names are English three-letter abbreviations, in any case.
--   A range never wraps (`fri-mon` is an error). @yearly (@annually), @monthly, @weekly,
--   @daily (@midnight) and @hourly stand for their usual 5-field expressions. L, W, #, ? and
--   @reboot are not supported. A 5-field expression fires at second 0.
--
--   Day of month and day of week (Vixie cron's rule): when both fields are restricted, a day
--   matches if EITHER matches (`0 0 1,15 * mon` runs on the 1st, the 15th and every Monday);
--   when either field starts with `*` (`*`, `*/2`), a day must match both. An expression that
--   can never match (`0 0 30 feb *`) is an error.
--
-- Time zones and DST. The fields are matched against the wall clock of the schedule's time
-- zone. When clocks spring forward, a wall time that does not exist (02:30 on 2026-03-08 in
-- America/New_York) fires when it would have been without the change, i.e. shifted by the
-- gap (03:30 EDT) — PostgreSQL's own reading of such a time; occurrences that land on the
-- same instant fire once. When clocks fall back, a wall time that happens twice (01:30 on
-- 2026-11-01) fires once, at its first pass, unless the hour field starts with `*` (`*`,
-- `*/2`): such schedules keep their rhythm in real time and fire in both passes
-- (`*/5 * * * *` runs 276 times on the spring-forward day and 300 on the fall-back day).
--
-- Errors: a bad expression, time zone or option is SF005, an unknown schedule or queue SF001;
-- a failed call changes nothing.

-- _cron_value(text, what, min, max, names, name_base, expression, function) → the number a
-- cron value stands for: digits, or a name (names[i] stands for name_base + i - 1). Raises
-- SF005 naming the field when it is neither or out of min…max.
create or replace function steadfast._cron_value(p_text text, p_what text, p_min integer, p_max integer,
                                                 p_names text[], p_name_base integer, p_expression text,
                                                 p_function text)
returns integer
language plpgsql
immutable
as $fn$
declare
    v_value integer;
begin
    if p_text ~ '^[0-9]{1,6}$' then
        v_value := p_text::integer;
    elsif p_names is not null and p_text = any (p_names) then
        v_value := pg_catalog.array_position(p_names, p_text) + p_name_base - 1;
    else
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: cron expression %s: %s field: %s is not a %s', p_function,
                                        steadfast._echo(p_expression), p_what,
                                        steadfast._echo(p_text),
                                        case when p_names is null then 'number' else 'number or a known name' end),
            hint = case when p_names is null then pg_catalog.format('Values are %s-%s.', p_min, p_max)
                        else pg_catalog.format('Values are %s-%s or %s.', p_min, p_max,
                                               pg_catalog.array_to_string(p_names, ', ')) end;
    end if;
    if v_value < p_min or v_value > p_max then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: cron expression %s: %s field: %s is out of range %s-%s', p_function,
                                        steadfast._echo(p_expression), p_what, v_value, p_min, p_max);
    end if;
    return v_value;
end;
$fn$;

-- _cron_field(field, what, min, max, names, name_base, expression, function) → the sorted,
-- distinct values one field of a cron expression allows. Raises SF005 naming the field for
-- an empty item, a bad value or name, a backwards range, a step that is not 1…max.
create or replace function steadfast._cron_field(p_field text, p_what text, p_min integer, p_max integer,
                                                 p_names text[], p_name_base integer, p_expression text,
                                                 p_function text)
returns integer[]
language plpgsql
immutable
as $fn$
declare
    v_values integer[] := '{}'::integer[];
    v_item text;
    v_range text;
    v_parts text[];
    v_step integer;
    v_low integer;
    v_high integer;
begin
    foreach v_item in array pg_catalog.string_to_array(p_field, ',') loop
        v_step := null;
        v_range := v_item;
        if pg_catalog.strpos(v_item, '/') > 0 then
            v_parts := pg_catalog.string_to_array(v_item, '/');
            if pg_catalog.cardinality(v_parts) <> 2 or v_parts[2] !~ '^[0-9]{1,6}$'
               or v_parts[2]::integer < 1 or v_parts[2]::integer > p_max then
                raise exception using errcode = 'SF005',
                    message = pg_catalog.format('%s: cron expression %s: %s field: bad step in %s', p_function,
                                                steadfast._echo(p_expression), p_what,
                                                steadfast._echo(v_item)),
                    hint = pg_catalog.format('A step is a number from 1 to %s after a *, a value or a range: */15, 0-30/10.', p_max);
            end if;
            v_step := v_parts[2]::integer;
            v_range := v_parts[1];
        end if;
        if v_range = '*' then
            v_low := p_min;
            v_high := p_max;
        elsif pg_catalog.strpos(v_range, '-') > 0 then
            v_parts := pg_catalog.string_to_array(v_range, '-');
            if pg_catalog.cardinality(v_parts) <> 2 then
                raise exception using errcode = 'SF005',
                    message = pg_catalog.format('%s: cron expression %s: %s field: bad range %s', p_function,
                                                steadfast._echo(p_expression), p_what,
                                                steadfast._echo(v_range));
            end if;
            v_low := steadfast._cron_value(v_parts[1], p_what, p_min, p_max, p_names, p_name_base, p_expression, p_function);
            v_high := steadfast._cron_value(v_parts[2], p_what, p_min, p_max, p_names, p_name_base, p_expression, p_function);
            if v_low > v_high then
                raise exception using errcode = 'SF005',
                    message = pg_catalog.format('%s: cron expression %s: %s field: range %s goes backwards', p_function,
                                                steadfast._echo(p_expression), p_what,
                                                steadfast._echo(v_range)),
                    hint = 'Ranges do not wrap around: write 22-23,0-2 or fri,sat,sun.';
            end if;
        else
            -- '' (as in "1,,2" or "/5") is neither a number nor a name: _cron_value says so.
            v_low := steadfast._cron_value(v_range, p_what, p_min, p_max, p_names, p_name_base, p_expression, p_function);
            v_high := case when v_step is null then v_low else p_max end;
        end if;
        v_values := v_values || array(select pg_catalog.generate_series(v_low, v_high, coalesce(v_step, 1)));
    end loop;
    return array(select distinct v from pg_catalog.unnest(v_values) v order by v);
end;
$fn$;

-- _parse_cron(expression, function) → the expression's spec: {"seconds", "minutes",
-- "hours", "days", "months", "weekdays": sorted arrays of allowed values (weekdays 0-6,
-- Sunday 0), "dom_star", "dow_star": whether the day fields start with `*` (Vixie's day
-- rule, see above), "hour_star": whether the hour field does (both passes of a repeated
-- hour)}. Raises SF005 for a null, empty or too long expression, a wrong number of fields,
-- an unknown @macro, a bad field (see _cron_field), or an expression that never fires.
create or replace function steadfast._parse_cron(p_expression text, p_function text)
returns jsonb
language plpgsql
immutable
as $fn$
declare
    v_text text;
    v_fields text[];
    v_months integer[];
    v_days integer[];
    v_weekdays integer[];
    v_dow_star boolean;
begin
    if p_expression is null or pg_catalog.btrim(p_expression) = '' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: a cron expression is required', p_function);
    end if;
    if pg_catalog.length(p_expression) > 1000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: a cron expression has at most 1000 characters', p_function);
    end if;
    -- [[:space:]], not a backslash escape: a string literal's backslashes depend on the session's
    -- standard_conforming_strings when this body is parsed ('\s+' would read 's+').
    v_text := pg_catalog.lower(pg_catalog.btrim(pg_catalog.regexp_replace(p_expression, '[[:space:]]+', ' ', 'g')));
    if pg_catalog.left(v_text, 1) = '@' then
        v_text := case v_text
                      when '@yearly' then '0 0 1 1 *'
                      when '@annually' then '0 0 1 1 *'
                      when '@monthly' then '0 0 1 * *'
                      when '@weekly' then '0 0 * * 0'
                      when '@daily' then '0 0 * * *'
                      when '@midnight' then '0 0 * * *'
                      when '@hourly' then '0 * * * *'
                  end;
        if v_text is null then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('%s: cron expression %s: unknown macro', p_function,
                                            steadfast._echo(p_expression)),
                hint = 'Known macros: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly.';
        end if;
    end if;
    v_fields := pg_catalog.string_to_array(v_text, ' ');
    if pg_catalog.cardinality(v_fields) = 5 then
        v_fields := array['0'] || v_fields;
    elsif pg_catalog.cardinality(v_fields) <> 6 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: cron expression %s has %s fields', p_function,
                                        steadfast._echo(p_expression), pg_catalog.cardinality(v_fields)),
            hint = 'Give 5 fields (minute hour day-of-month month day-of-week) or 6 (second first).';
    end if;
    v_months := steadfast._cron_field(v_fields[5], 'month', 1, 12,
        array['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], 1,
        p_expression, p_function);
    v_days := steadfast._cron_field(v_fields[4], 'day-of-month', 1, 31, null, null, p_expression, p_function);
    v_weekdays := array(select distinct d % 7 from pg_catalog.unnest(steadfast._cron_field(v_fields[6], 'day-of-week', 0, 7,
        array['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], 0, p_expression, p_function)) d order by 1);
    v_dow_star := pg_catalog.left(v_fields[6], 1) = '*';
    -- Days must match both fields when either starts with *: then a day of the month that no
    -- chosen month has never comes. (With both restricted, every weekday comes each month.)
    if (v_dow_star or pg_catalog.left(v_fields[4], 1) = '*')
       and not exists (select 1 from pg_catalog.unnest(v_months) m
                       where v_days[1] <= case when m = 2 then 29 when m in (4, 6, 9, 11) then 30 else 31 end) then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: cron expression %s never fires: no chosen month has day %s', p_function,
                                        steadfast._echo(p_expression), v_days[1]);
    end if;
    return pg_catalog.jsonb_build_object(
        'seconds', steadfast._cron_field(v_fields[1], 'second', 0, 59, null, null, p_expression, p_function),
        'minutes', steadfast._cron_field(v_fields[2], 'minute', 0, 59, null, null, p_expression, p_function),
        'hours', steadfast._cron_field(v_fields[3], 'hour', 0, 23, null, null, p_expression, p_function),
        'days', v_days,
        'months', v_months,
        'weekdays', v_weekdays,
        'dom_star', pg_catalog.left(v_fields[4], 1) = '*',
        'dow_star', v_dow_star,
        'hour_star', pg_catalog.left(v_fields[3], 1) = '*');
end;
$fn$;

-- _int_array(jsonb array of integers) → integer[], in order.
create or replace function steadfast._int_array(p_array jsonb)
returns integer[]
language plpgsql
immutable
as $fn$
begin
    return (
        select coalesce(pg_catalog.array_agg(e::integer order by o), '{}')
        from pg_catalog.jsonb_array_elements_text(p_array) with ordinality t (e, o)
    );
end;
$fn$;

-- _next_in_day(seconds, minutes, hours, bound) → the first second of the day (0…86399) after
-- `bound` (a second of the day; < 0 for "from midnight") whose hour, minute and second are
-- allowed (sorted arrays); null when none is left in the day.
create or replace function steadfast._next_in_day(p_seconds integer[], p_minutes integer[], p_hours integer[],
                                                  p_bound integer)
returns integer
language plpgsql
immutable
as $fn$
declare
    v_hour integer;
    v_minute integer;
    v_second integer;
    v_bound_hour integer := p_bound / 3600;
    v_bound_minute integer := p_bound % 3600 / 60;
    v_bound_second integer := p_bound % 60;
begin
    if p_bound < 0 then
        return p_hours[1] * 3600 + p_minutes[1] * 60 + p_seconds[1];
    end if;
    foreach v_hour in array p_hours loop
        continue when v_hour < v_bound_hour;
        if v_hour > v_bound_hour then
            return v_hour * 3600 + p_minutes[1] * 60 + p_seconds[1];
        end if;
        foreach v_minute in array p_minutes loop
            continue when v_minute < v_bound_minute;
            if v_minute > v_bound_minute then
                return v_hour * 3600 + v_minute * 60 + p_seconds[1];
            end if;
            foreach v_second in array p_seconds loop
                if v_second > v_bound_second then
                    return v_hour * 3600 + v_minute * 60 + v_second;
                end if;
            end loop;
        end loop;
    end loop;
    return null;
end;
$fn$;

-- _utc_offset(instant, time zone) → the zone's offset from UTC at that instant (local − UTC).
create or replace function steadfast._utc_offset(p_at timestamptz, p_time_zone text)
returns interval
language sql
stable
as $fn$
    select (p_at at time zone p_time_zone) - (p_at at time zone 'UTC')
$fn$;

-- _first_in_segment(seconds, minutes, hours, day, from, to, offset, after) → the earliest
-- instant after `after` (a UTC timestamp) among the allowed wall times of `day` whose second
-- of the day is in [from, to), read with the given UTC offset; null when there is none.
create or replace function steadfast._first_in_segment(p_seconds integer[], p_minutes integer[], p_hours integer[],
                                                       p_day date, p_from integer, p_to integer, p_offset interval,
                                                       p_after timestamp)
returns timestamptz
language plpgsql
immutable
as $fn$
declare
    -- a wall time t of the day is after p_after exactly when t > v_x seconds
    v_x numeric := pg_catalog.floor(pg_catalog.date_part('epoch', p_after + p_offset - p_day::timestamp)::numeric);
    v_tod integer;
begin
    if p_from >= p_to or v_x >= p_to - 1 then
        return null;
    end if;
    v_tod := steadfast._next_in_day(p_seconds, p_minutes, p_hours, greatest(v_x, p_from - 1)::integer);
    if v_tod is null or v_tod >= p_to then
        return null;
    end if;
    return (p_day::timestamp + pg_catalog.make_interval(secs => v_tod) - p_offset) at time zone 'UTC';
end;
$fn$;

-- _next_fire_time(spec, after, time zone) → the first occurrence of the parsed expression
-- (see _parse_cron) strictly after `after`, in the time zone (DST as described above); null
-- when none comes within 50 years. Read-only.
--
-- Day by day in local time, from the day before `after`'s: a day that matches the day
-- fields is read with its UTC offset; a day whose offset changes (a DST transition, found by
-- bisection to the second) is read as two segments, before and after the transition.
create or replace function steadfast._next_fire_time(p_spec jsonb, p_after timestamptz, p_time_zone text)
returns timestamptz
language plpgsql
stable
as $fn$
declare
    v_seconds integer[] := steadfast._int_array(p_spec -> 'seconds');
    v_minutes integer[] := steadfast._int_array(p_spec -> 'minutes');
    v_hours integer[] := steadfast._int_array(p_spec -> 'hours');
    v_days integer[] := steadfast._int_array(p_spec -> 'days');
    v_months integer[] := steadfast._int_array(p_spec -> 'months');
    v_weekdays integer[] := steadfast._int_array(p_spec -> 'weekdays');
    v_either boolean := not ((p_spec ->> 'dom_star')::boolean or (p_spec ->> 'dow_star')::boolean);
    v_hour_star boolean := (p_spec ->> 'hour_star')::boolean;
    v_after timestamp := p_after at time zone 'UTC';
    v_day date := (p_after at time zone p_time_zone)::date - 1;
    v_last date := v_day + 366 * 50;
    v_dom_ok boolean;
    v_dow_ok boolean;
    v_offset_before interval;
    v_offset_after interval;
    v_low bigint;
    v_high bigint;
    v_middle bigint;
    v_transition timestamp;
    v_before_end integer;
    v_after_start integer;
    v_first timestamptz;
    v_second timestamptz;
begin
    while v_day <= v_last loop
        if not pg_catalog.date_part('month', v_day)::integer = any (v_months) then
            v_day := (pg_catalog.date_trunc('month', v_day) + interval '1 month')::date;
            continue;
        end if;
        v_dom_ok := pg_catalog.date_part('day', v_day)::integer = any (v_days);
        v_dow_ok := pg_catalog.date_part('dow', v_day)::integer = any (v_weekdays);
        if (v_either and (v_dom_ok or v_dow_ok)) or (not v_either and v_dom_ok and v_dow_ok) then
            -- The offsets a day before and two days after midnight: equal, the day has one.
            v_offset_before := steadfast._utc_offset((v_day - 1)::timestamp at time zone p_time_zone, p_time_zone);
            v_offset_after := steadfast._utc_offset((v_day + 2)::timestamp at time zone p_time_zone, p_time_zone);
            if v_offset_before = v_offset_after then
                v_first := steadfast._first_in_segment(v_seconds, v_minutes, v_hours, v_day, 0, 86400,
                                                       v_offset_before, v_after);
                v_second := null;
            else
                v_low := pg_catalog.date_part('epoch', (v_day - 1)::timestamp at time zone p_time_zone)::bigint;
                v_high := pg_catalog.date_part('epoch', (v_day + 2)::timestamp at time zone p_time_zone)::bigint;
                while v_high - v_low > 1 loop
                    v_middle := (v_low + v_high) / 2;
                    if steadfast._utc_offset(pg_catalog.to_timestamp(v_middle), p_time_zone) = v_offset_before then
                        v_low := v_middle;
                    else
                        v_high := v_middle;
                    end if;
                end loop;
                -- the transition, as a UTC timestamp; the wall times before it end at
                -- transition + offset_before, those after it start at transition + offset_after
                v_transition := pg_catalog.to_timestamp(v_high) at time zone 'UTC';
                v_before_end := pg_catalog.date_part('epoch', v_transition + v_offset_before - v_day::timestamp)::integer;
                v_after_start := pg_catalog.date_part('epoch', v_transition + v_offset_after - v_day::timestamp)::integer;
                if v_offset_after > v_offset_before then
                    -- Spring forward: wall times in the gap are read with the old offset.
                    v_first := steadfast._first_in_segment(v_seconds, v_minutes, v_hours, v_day, 0,
                                                           least(greatest(v_after_start, 0), 86400), v_offset_before, v_after);
                    v_second := steadfast._first_in_segment(v_seconds, v_minutes, v_hours, v_day,
                                                            least(greatest(v_after_start, 0), 86400), 86400, v_offset_after, v_after);
                else
                    -- Fall back: the repeated wall times fire again only for an hour field starting with *.
                    v_first := steadfast._first_in_segment(v_seconds, v_minutes, v_hours, v_day, 0,
                                                           least(greatest(v_before_end, 0), 86400), v_offset_before, v_after);
                    v_second := steadfast._first_in_segment(v_seconds, v_minutes, v_hours, v_day,
                                                            least(greatest(case when v_hour_star then v_after_start
                                                                                else v_before_end end, 0), 86400),
                                                            86400, v_offset_after, v_after);
                end if;
            end if;
            if v_first is not null or v_second is not null then
                return least(v_first, v_second);
            end if;
        end if;
        v_day := v_day + 1;
    end loop;
    return null;
end;
$fn$;

-- _latest_fire_time(spec, time zone, not_before, at_most) → the latest occurrence in
-- [not_before, at_most], where not_before is itself an occurrence ≤ at_most. Looks back from
-- at_most over growing windows (a second, a minute, an hour, a day, a month, a year) for an
-- occurrence, then steps forward to the last one, so a long gap costs a few look-ups, not
-- one per missed occurrence. Read-only.
create or replace function steadfast._latest_fire_time(p_spec jsonb, p_time_zone text, p_not_before timestamptz,
                                                       p_at_most timestamptz)
returns timestamptz
language plpgsql
stable
as $fn$
declare
    v_latest timestamptz := p_not_before;
    v_window interval;
    v_try timestamptz;
begin
    foreach v_window in array array[interval '1 second', interval '1 minute', interval '1 hour', interval '1 day',
                                    interval '32 days', interval '366 days']::interval[] loop
        exit when p_at_most - v_window <= v_latest;
        v_try := steadfast._next_fire_time(p_spec, p_at_most - v_window, p_time_zone);
        if v_try <= p_at_most then
            v_latest := v_try;
            exit;
        end if;
    end loop;
    loop
        v_try := steadfast._next_fire_time(p_spec, v_latest, p_time_zone);
        exit when v_try is null or v_try > p_at_most;
        v_latest := v_try;
    end loop;
    return v_latest;
end;
$fn$;

-- _time_zone(name, function) → the IANA time zone's canonical name (matched in any case), or
-- SF005 when PostgreSQL does not know the zone. Abbreviations (CEST) and POSIX strings (UTC+3)
-- are refused: only a zone name carries its DST rules. A name longer than 100 characters (the
-- longest IANA name has 32) is refused before the look-up, which compares it with every zone
-- PostgreSQL knows. "UTC", the default, is answered without the look-up (reading the zone
-- list costs tens of milliseconds). Read-only.
create or replace function steadfast._time_zone(p_time_zone text, p_function text)
returns text
language plpgsql
stable
as $fn$
declare
    v_name text;
    v_lower text;
begin
    if p_time_zone is null or p_time_zone = '' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: a time zone is required', p_function);
    end if;
    if p_time_zone = 'UTC' then
        return 'UTC';
    end if;
    if pg_catalog.length(p_time_zone) > 100 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: unknown time zone %s (a zone name has at most 100 characters)', p_function,
                                        steadfast._echo(p_time_zone)),
            hint = 'Give an IANA time zone name, e.g. UTC, Europe/Berlin, America/New_York (see pg_timezone_names).';
    end if;
    v_lower := pg_catalog.lower(p_time_zone);
    select z.name into v_name from pg_catalog.pg_timezone_names z
    where pg_catalog.lower(z.name) = v_lower
    order by z.name = p_time_zone desc, z.name
    limit 1;
    if v_name is null then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: unknown time zone %s', p_function, steadfast._echo(p_time_zone)),
            hint = 'Give an IANA time zone name, e.g. UTC, Europe/Berlin, America/New_York (see pg_timezone_names).';
    end if;
    return v_name;
end;
$fn$;

-- _schedule_workflow_id(name, scheduled time) → the id of the workflow an occurrence starts:
-- schedule:<name>@<UTC time, ISO 8601 to the second>, e.g. schedule:nightly@2026-03-08T07:30:00Z.
create or replace function steadfast._schedule_workflow_id(p_name text, p_at timestamptz)
returns text
language sql
stable
as $fn$
    select 'schedule:' || p_name || '@' || pg_catalog.to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$fn$;

-- _schedule_settings(schedule, options, allowed keys, function) → the schedule row with the
-- settings named in options (a steadfast.schedule_options, migration 0010; keys outside
-- `allowed` refused) applied and checked: cron (see _parse_cron), time_zone (IANA),
-- workflow_name, queue (must exist), input (a JSON object; null for {}), enabled,
-- missed_runs ("latest" or "all"), catch_up_window (seconds, from a microsecond to 2678400,
-- 31 days). Locks the queue's row KEY SHARE when the queue is set (so that it cannot be
-- deleted meanwhile). Raises SF005 (bad or unknown option), SF001 (unknown queue), SF006 (input
-- too large). No other side effects.
create or replace function steadfast._schedule_settings(s steadfast.schedules, p_options jsonb, p_allowed text[],
                                                        p_function text)
returns steadfast.schedules
language plpgsql
volatile
as $fn$
declare
    o steadfast.schedule_options := steadfast._parse_options(null::steadfast.schedule_options,
        steadfast._options_or_raise(p_options, p_allowed, p_function), p_function);
begin
    if p_options ? 'cron' then
        s.cron := pg_catalog.btrim(o.cron);
        perform steadfast._parse_cron(s.cron, p_function);
    end if;
    if p_options ? 'time_zone' then
        s.time_zone := steadfast._time_zone(o.time_zone, p_function);
    end if;
    if p_options ? 'workflow_name' then
        s.workflow_name := steadfast._require_text(o.workflow_name, 'workflow_name', p_function);
    end if;
    if p_options ? 'queue' then
        s.queue := steadfast._require_text(o.queue, 'queue', p_function);
        -- Until the caller's transaction ends, as the schedule's foreign key will.
        perform steadfast._key_share_queue(s.queue, p_function);
    end if;
    if p_options ? 'input' then
        s.input := coalesce(nullif(o.input, 'null'::jsonb), '{}'::jsonb);
        if pg_catalog.jsonb_typeof(s.input) <> 'object' then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('%s: input must be a JSON object (each run gets it with "scheduled_at" added), got %s',
                                            p_function, pg_catalog.jsonb_typeof(s.input));
        end if;
        perform steadfast._check_payload(s.input, 'schedule input');
    end if;
    if p_options ? 'enabled' then
        s.enabled := coalesce(o.enabled, true);
    end if;
    if p_options ? 'missed_runs' then
        s.missed_runs := coalesce(o.missed_runs, 'latest');
    end if;
    if p_options ? 'catch_up_window' then
        -- An interval counts microseconds: the domain keeps a window from rounding to 0.
        s.catch_up_window := pg_catalog.make_interval(secs => coalesce(o.catch_up_window, 86400));
    end if;
    return s;
end;
$fn$;

-- _schedule_name(name, function) → name, when it is a valid schedule name (1…200
-- characters). Raises SF005.
create or replace function steadfast._schedule_name(p_name text, p_function text)
returns text
language plpgsql
immutable
as $fn$
begin
    perform steadfast._require_text(p_name, 'name', p_function);
    if pg_catalog.length(p_name) > 200 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: a schedule name has at most 200 characters', p_function);
    end if;
    return p_name;
end;
$fn$;

-- _locked_schedule(name, function) → the schedule's row, locked FOR UPDATE (waiting for a
-- tick that holds it). Raises SF001 (unknown schedule), SF005 (bad name).
create or replace function steadfast._locked_schedule(p_name text, p_function text)
returns steadfast.schedules
language plpgsql
as $fn$
declare
    s steadfast.schedules;
begin
    perform steadfast._schedule_name(p_name, p_function);
    select * into s from steadfast.schedules x where x.name = p_name for update;
    if not found then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('%s: unknown schedule %s', p_function, steadfast._echo(p_name));
    end if;
    return s;
end;
$fn$;

-- _changed_schedule(old, new, function) → new, written: stores the settings of new (cron,
-- time_zone, workflow_name, queue, input, missed_runs, catch_up_window) over old, a row the
-- caller has locked. Settings equal to old's change nothing (updated_at included), so
-- declaring the same schedule at every deploy is free; a new cron or time_zone moves
-- next_fire_at to the first occurrence after now. enabled is not touched.
create or replace function steadfast._changed_schedule(v_old steadfast.schedules, s steadfast.schedules, p_function text)
returns steadfast.schedules
language plpgsql
as $fn$
declare
    r steadfast.schedules := v_old;
begin
    if (s.cron, s.time_zone, s.workflow_name, s.queue, s.input, s.missed_runs, s.catch_up_window)
       is not distinct from
       (v_old.cron, v_old.time_zone, v_old.workflow_name, v_old.queue, v_old.input, v_old.missed_runs, v_old.catch_up_window)
    then
        return r;
    end if;
    r.cron := s.cron;
    r.time_zone := s.time_zone;
    r.workflow_name := s.workflow_name;
    r.queue := s.queue;
    r.input := s.input;
    r.missed_runs := s.missed_runs;
    r.catch_up_window := s.catch_up_window;
    if r.cron is distinct from v_old.cron or r.time_zone is distinct from v_old.time_zone then
        r.next_fire_at := steadfast._next_fire_time(steadfast._parse_cron(r.cron, p_function), steadfast.now(), r.time_zone);
    end if;
    r.updated_at := steadfast.now();
    update steadfast.schedules x
    set cron = r.cron, time_zone = r.time_zone, workflow_name = r.workflow_name, queue = r.queue, input = r.input,
        missed_runs = r.missed_runs, catch_up_window = r.catch_up_window, next_fire_at = r.next_fire_at,
        updated_at = r.updated_at
    where x.name = r.name;
    return r;
end;
$fn$;

-- _put_schedule(name, cron, workflow_name, options, replace, function) → (created, enabled,
-- next_fire_at): create_schedule and define_schedule. Checks the options' keys (replace has
-- no `enabled`), builds the whole schedule (defaults for absent options), checks everything,
-- and inserts it; an existing schedule is left as it is, or with replace locked and given
-- these settings (_changed_schedule; enabled kept).
create or replace function steadfast._put_schedule(p_name text, p_cron text, p_workflow_name text, p_options jsonb,
                                                   p_replace boolean, p_function text,
                                                   out created boolean, out enabled boolean, out next_fire_at timestamptz)
language plpgsql
as $fn$
declare
    v_options jsonb := steadfast._options_or_raise(p_options,
        array['time_zone', 'queue', 'input', 'missed_runs', 'catch_up_window']
            || case when p_replace then '{}'::text[] else array['enabled'] end,
        p_function);
    v_now timestamptz := steadfast.now();
    s steadfast.schedules;
begin
    s.name := steadfast._schedule_name(p_name, p_function);
    s.time_zone := 'UTC';
    s.queue := 'default';
    s.input := '{}'::jsonb;
    s.enabled := true;
    s.missed_runs := 'latest';
    s.catch_up_window := interval '1 day';
    s := steadfast._schedule_settings(s,
        v_options || pg_catalog.jsonb_build_object('cron', p_cron, 'workflow_name', p_workflow_name),
        array['cron', 'workflow_name', 'time_zone', 'queue', 'input', 'enabled', 'missed_runs', 'catch_up_window'],
        p_function);
    s.next_fire_at := steadfast._next_fire_time(steadfast._parse_cron(s.cron, p_function), v_now, s.time_zone);
    s.created_at := v_now;
    s.updated_at := v_now;
    insert into steadfast.schedules select s.* on conflict do nothing;
    created := found;
    if not created then
        if p_replace then
            s := steadfast._changed_schedule(steadfast._locked_schedule(p_name, p_function), s, p_function);
        else
            select * into s from steadfast.schedules x where x.name = p_name;
        end if;
    end if;
    enabled := s.enabled;
    next_fire_at := s.next_fire_at;
end;
$fn$;

-- create_schedule(name, cron, workflow_name, options) → (name, created, enabled,
-- next_fire_at). Creates the schedule: from now on each occurrence of `cron` starts the
-- workflow `workflow_name`. Options: time_zone (IANA name; default "UTC"), queue (default
-- "default"), input (a JSON object; default {}), enabled (default true), missed_runs
-- ("latest", the default, or "all"), catch_up_window (seconds; default 86400). Its first
-- occurrence is the first after now. An existing schedule of that name is left unchanged
-- (created = false; use alter_schedule to change one); everything is checked either way.
-- Idempotent. Locks the new row and its queue's row (KEY SHARE, as its foreign key does: a
-- racing delete_queue waits). Raises SF005 (bad name, expression, time zone or
-- option), SF001 (unknown queue), SF006 (input too large).
create or replace function steadfast.create_schedule(p_name text, p_cron text, p_workflow_name text,
                                                     p_options jsonb default '{}')
returns table (name text, created boolean, enabled boolean, next_fire_at timestamptz)
language sql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select p_name, x.* from steadfast._put_schedule(p_name, p_cron, p_workflow_name, p_options, false, 'create_schedule') x;
$fn$;
comment on function steadfast.create_schedule(text, text, text, jsonb) is
    'Creates a cron schedule that starts workflow_name at each occurrence (options: time_zone, queue, input, enabled, missed_runs, catch_up_window); an existing one is left unchanged (created = false).';

-- define_schedule(name, cron, workflow_name, options) → (name, created, enabled,
-- next_fire_at): the schedule as code declares it, in one call. Creates it (enabled), or
-- gives an existing one exactly these settings — an option absent from options takes its
-- default (see create_schedule), so the definition wins over alter_schedule's changes.
-- Settings equal to the stored ones change nothing, so the next occurrence is kept; a new
-- cron or time_zone starts from the first occurrence after now. A paused schedule stays
-- paused (options have no `enabled`). Idempotent; racing calls are safe. Locks the schedule's
-- row (and its queue's row KEY SHARE). Raises SF005, SF001 (unknown queue; or the schedule
-- deleted by a racing call), SF006.
create or replace function steadfast.define_schedule(p_name text, p_cron text, p_workflow_name text,
                                                     p_options jsonb default '{}')
returns table (name text, created boolean, enabled boolean, next_fire_at timestamptz)
language sql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select p_name, x.* from steadfast._put_schedule(p_name, p_cron, p_workflow_name, p_options, true, 'define_schedule') x;
$fn$;
comment on function steadfast.define_schedule(text, text, text, jsonb) is
    'Creates a cron schedule, or gives an existing one exactly these settings (absent options take their defaults; equal settings change nothing; a paused schedule stays paused): the schedule as code declares it.';

-- alter_schedule(name, options) → (name, enabled, next_fire_at). Changes only the settings
-- named in options: cron, time_zone, workflow_name, queue, input, missed_runs,
-- catch_up_window (see create_schedule; enabled changes with pause_schedule and
-- resume_schedule). A new cron or time_zone moves next_fire_at to the first occurrence after
-- now; other changes apply from the next occurrence. Settings equal to the current ones
-- change nothing (updated_at included), so declaring the same schedule at every deploy is
-- free. Locks the schedule's row (and a new queue's row KEY SHARE). Idempotent. Raises SF001
-- (unknown schedule or queue), SF005, SF006.
create or replace function steadfast.alter_schedule(p_name text, p_options jsonb)
returns table (name text, enabled boolean, next_fire_at timestamptz)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_old steadfast.schedules;
    s steadfast.schedules;
begin
    if p_options is null then
        raise exception using errcode = 'SF005', message = 'alter_schedule: options are required';
    end if;
    v_old := steadfast._locked_schedule(p_name, 'alter_schedule');
    s := steadfast._changed_schedule(v_old, steadfast._schedule_settings(v_old, p_options,
        array['cron', 'time_zone', 'workflow_name', 'queue', 'input', 'missed_runs', 'catch_up_window'], 'alter_schedule'),
        'alter_schedule');
    return query select s.name, s.enabled, s.next_fire_at;
end;
$fn$;
comment on function steadfast.alter_schedule(text, jsonb) is
    'Changes the named settings of a schedule (cron, time_zone, workflow_name, queue, input, missed_runs, catch_up_window); a new cron or time zone starts from the next occurrence after now.';

-- pause_schedule(name) → (name, enabled, next_fire_at): ticks stop firing the schedule.
-- Workflows it already started are not touched. Idempotent. Locks the schedule's row.
-- Raises SF001 (unknown schedule), SF005.
create or replace function steadfast.pause_schedule(p_name text)
returns table (name text, enabled boolean, next_fire_at timestamptz)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    s steadfast.schedules := steadfast._locked_schedule(p_name, 'pause_schedule');
begin
    if s.enabled then
        update steadfast.schedules x set enabled = false, updated_at = steadfast.now() where x.name = p_name;
    end if;
    return query select s.name, false, s.next_fire_at;
end;
$fn$;
comment on function steadfast.pause_schedule(text) is
    'Stops a schedule from firing until resume_schedule; idempotent.';

-- resume_schedule(name) → (name, enabled, next_fire_at): a paused schedule fires again from
-- its first occurrence after now — the occurrences of the pause are skipped, whatever
-- missed_runs says. Resuming an enabled schedule changes nothing. Locks the schedule's row.
-- Raises SF001 (unknown schedule), SF005.
create or replace function steadfast.resume_schedule(p_name text)
returns table (name text, enabled boolean, next_fire_at timestamptz)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    s steadfast.schedules := steadfast._locked_schedule(p_name, 'resume_schedule');
begin
    if not s.enabled then
        s.next_fire_at := steadfast._next_fire_time(steadfast._parse_cron(s.cron, 'resume_schedule'), steadfast.now(),
                                                    s.time_zone);
        update steadfast.schedules x
        set enabled = true, next_fire_at = s.next_fire_at, updated_at = steadfast.now()
        where x.name = p_name;
    end if;
    return query select s.name, true, s.next_fire_at;
end;
$fn$;
comment on function steadfast.resume_schedule(text) is
    'Lets a paused schedule fire again from its next occurrence after now (the paused ones are skipped); idempotent.';

-- delete_schedule(name) → void. Deletes the schedule; workflows it started are not touched
-- (their ids still name it). Locks the schedule's row. Raises SF001 (unknown schedule), SF005.
create or replace function steadfast.delete_schedule(p_name text)
returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
begin
    perform steadfast._locked_schedule(p_name, 'delete_schedule');
    delete from steadfast.schedules x where x.name = p_name;
end;
$fn$;
comment on function steadfast.delete_schedule(text) is
    'Deletes a schedule; the workflows it started stay.';

-- next_fire_times(cron, after, count, time_zone) → (fire_at, local_time), one row per
-- occurrence: the first `count` (1…1000; default 10) occurrences of the expression strictly
-- after `after` (default: now), as instants and as wall times of the time zone (default
-- "UTC"). For people in psql and for checking an expression before creating a schedule:
--   select * from steadfast.next_fire_times('30 2 * * *', '2026-03-07', 3, 'America/New_York');
-- `after` must be finite and within 1970 … 3000 (see _check_timestamp). Read-only. Raises
-- SF005 (bad expression, time zone, after or count).
create or replace function steadfast.next_fire_times(p_cron text, p_after timestamptz default null,
                                                     p_count integer default 10, p_time_zone text default 'UTC')
returns table (fire_at timestamptz, local_time timestamp)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    v_spec jsonb := steadfast._parse_cron(p_cron, 'next_fire_times');
    v_time_zone text := steadfast._time_zone(p_time_zone, 'next_fire_times');
    v_at timestamptz := coalesce(steadfast._check_timestamp(p_after, 'after', 'next_fire_times'), steadfast.now());
begin
    if p_count is null or p_count < 1 or p_count > 1000 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('next_fire_times: count must be between 1 and 1000, got %s',
                                        coalesce(p_count::text, 'null'));
    end if;
    for v_i in 1..p_count loop
        v_at := steadfast._next_fire_time(v_spec, v_at, v_time_zone);
        exit when v_at is null;
        fire_at := v_at;
        local_time := v_at at time zone v_time_zone;
        return next;
    end loop;
end;
$fn$;
comment on function steadfast.next_fire_times(text, timestamptz, integer, text) is
    'The next count (default 10) occurrences of a cron expression after a time (default now) in a time zone (default UTC), as instants and local wall times.';

-- _fire_schedule(schedule, scheduled time) → whether the occurrence's workflow was created
-- now (false: it existed). Inserts the workflow with the id _schedule_workflow_id derives,
-- the schedule's input plus "scheduled_at", in the schedule's queue, ON CONFLICT DO NOTHING.
-- Notifies nothing (the tick does, once per queue). Locks the queue's row KEY SHARE. Raises
-- as _new_workflows: SF001 (the queue is gone), SF006 (the input grew past a lowered limit).
create or replace function steadfast._fire_schedule(s steadfast.schedules, p_at timestamptz)
returns boolean
language plpgsql
as $fn$
declare
    n record;
    r record;
begin
    -- An occurrence whose id is taken is started already, whatever holds the id.
    if exists (select from steadfast.workflows x where x.id = steadfast._schedule_workflow_id(s.name, p_at)) then
        return false;
    end if;
    n := steadfast._new_workflows(
        array[row(s.workflow_name, steadfast._schedule_workflow_id(s.name, p_at),
                  s.input || pg_catalog.jsonb_build_object('scheduled_at',
                      pg_catalog.to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                  pg_catalog.jsonb_build_object('queue', s.queue))::steadfast.start_element],
        null, 'tick_schedules', true);
    select * into r from steadfast._insert_workflow(n.rows[1], n.policies[1], 'tick_schedules') i;
    return r.created;
end;
$fn$;

-- tick_schedules(options) → (started, more, next_due_at, checked_at), one row.
-- Fires the due schedules: every enabled schedule whose next_fire_at ≤ now, earliest first,
-- locked FOR UPDATE SKIP LOCKED (a schedule another tick holds is skipped, not waited for).
-- For each, starts its due occurrences as missed_runs says (see the top of this file) and
-- moves next_fire_at past them. started: workflows created; more: the limit was reached and
-- more may be due (call again); next_due_at: the earliest next_fire_at of enabled schedules
-- after this tick (when to tick next); checked_at: the now() it used.
-- A schedule that cannot fire (e.g. its input became too large for a lowered limit) is
-- skipped until its next occurrence, with the reason in last_error and a WARNING; the other
-- schedules still fire. Options: limit (workflows started per call, 1…10000; default 100).
-- Notifies steadfast_enqueued once per queue that received workflows. Safe to call from any
-- number of sessions at once, and from pg_cron:
--   select cron.schedule('steadfast-tick', '* * * * *', 'select steadfast.tick_schedules()');
-- Raises SF005 (bad option).
create or replace function steadfast.tick_schedules(p_options jsonb default '{}')
returns table (started integer, more boolean, next_due_at timestamptz, checked_at timestamptz)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_limit integer := coalesce((steadfast._parse_options(null::steadfast.tick_options, p_options, 'tick_schedules'))."limit", 100);
    v_now timestamptz := steadfast.now();
    v_started integer := 0;
    v_more boolean := false;
    v_queues text[] := '{}'::text[];
    v_spec jsonb;
    v_at timestamptz;
    v_fired timestamptz;
    v_message text;
    s steadfast.schedules;
begin
    for s in
        select * from steadfast.schedules x
        where x.enabled and x.next_fire_at <= v_now
        order by x.next_fire_at, x.name
        limit v_limit
        for update skip locked
    loop
        if v_started >= v_limit then
            v_more := true;
            exit;
        end if;
        v_fired := null;
        begin
            v_spec := steadfast._parse_cron(s.cron, 'tick_schedules');
            if s.missed_runs = 'latest' then
                v_at := steadfast._latest_fire_time(v_spec, s.time_zone, s.next_fire_at, v_now);
            elsif s.next_fire_at < v_now - s.catch_up_window then
                v_at := steadfast._next_fire_time(v_spec, v_now - s.catch_up_window - interval '1 microsecond', s.time_zone);
            else
                v_at := s.next_fire_at;
            end if;
            while v_at <= v_now loop
                if v_started >= v_limit then
                    v_more := true;
                    exit;
                end if;
                if steadfast._fire_schedule(s, v_at) then
                    v_started := v_started + 1;
                    if not s.queue = any (v_queues) then
                        v_queues := v_queues || s.queue;
                    end if;
                end if;
                v_fired := v_at;
                v_at := steadfast._next_fire_time(v_spec, v_at, s.time_zone);
            end loop;
            update steadfast.schedules x
            set next_fire_at = v_at, last_fired_at = coalesce(v_fired, x.last_fired_at),
                last_error = case when v_fired is null then x.last_error end
            where x.name = s.name;
        exception when others then
            get stacked diagnostics v_message = message_text;
            raise warning 'tick_schedules: schedule % cannot fire: %', steadfast._echo(s.name), v_message;
            begin
                v_at := steadfast._next_fire_time(steadfast._parse_cron(s.cron, 'tick_schedules'), v_now, s.time_zone);
            exception when others then
                v_at := null;  -- the expression no longer parses: it waits for alter_schedule
            end;
            update steadfast.schedules x
            set next_fire_at = v_at, last_error = pg_catalog.left(v_message, 1000)
            where x.name = s.name;
        end;
    end loop;
    perform pg_catalog.pg_notify('steadfast_enqueued', q) from pg_catalog.unnest(v_queues) q;
    return query
    select v_started, v_more or v_started >= v_limit,
           (select pg_catalog.min(x.next_fire_at) from steadfast.schedules x where x.enabled),
           v_now;
end;
$fn$;
comment on function steadfast.tick_schedules(jsonb) is
    'Starts the due occurrences of every schedule (ids derived from schedule name and scheduled time, so concurrent ticks start each once); returns how many started, whether more are due, and the next due time. Call it from every worker, pg_cron or any cron.';

-- schedule_overview: one row per schedule — its expression, time zone, target, policy, the
-- next occurrence (as an instant and as the zone's wall time; null while paused), the last
-- occurrence fired with the id and status of its workflow, and why the last tick could not
-- fire it (last_error).
create or replace view steadfast.schedule_overview as
select s.name,
       s.enabled,
       s.cron,
       s.time_zone,
       s.workflow_name,
       s.queue,
       case when s.enabled then s.next_fire_at end as next_fire_at,
       case when s.enabled then s.next_fire_at at time zone s.time_zone end as next_fire_local,
       s.last_fired_at,
       s.last_fired_at at time zone s.time_zone as last_fired_local,
       w.id as last_workflow_id,
       w.status as last_status,
       s.missed_runs,
       s.catch_up_window,
       s.input,
       s.last_error,
       s.created_at,
       s.updated_at
from steadfast.schedules s
left join steadfast.workflows w on w.id = steadfast._schedule_workflow_id(s.name, s.last_fired_at);
comment on view steadfast.schedule_overview is
    'One row per cron schedule: expression, time zone, target workflow and queue, enabled, next occurrence (instant and local wall time; null while paused), last occurrence fired with its workflow id and status, missed-run policy, input, last error. Upcoming runs: steadfast.next_fire_times(cron, null, 5, time_zone).';

-- list_schedules(options) → the rows of schedule_overview, by name, with catch_up_window in
-- seconds: for roles, which are granted functions rather than views. Options: name (only
-- that schedule). Read-only. Raises SF005.
create or replace function steadfast.list_schedules(p_options jsonb default '{}')
returns table (name text, enabled boolean, cron text, time_zone text, workflow_name text, queue text,
               next_fire_at timestamptz, next_fire_local timestamp, last_fired_at timestamptz,
               last_workflow_id text, last_status text, missed_runs text, catch_up_window double precision,
               input jsonb, last_error text, created_at timestamptz, updated_at timestamptz)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
#variable_conflict use_column
declare
    v_name text := (steadfast._parse_options(null::steadfast.list_schedules_options, p_options, 'list_schedules')).name;
begin
    return query
    select o.name, o.enabled, o.cron, o.time_zone, o.workflow_name, o.queue, o.next_fire_at, o.next_fire_local,
           o.last_fired_at, o.last_workflow_id, o.last_status, o.missed_runs,
           pg_catalog.date_part('epoch', o.catch_up_window), o.input, o.last_error, o.created_at, o.updated_at
    from steadfast.schedule_overview o
    where v_name is null or o.name = v_name
    order by o.name;
end;
$fn$;
comment on function steadfast.list_schedules(jsonb) is
    'The rows of steadfast.schedule_overview by name (catch_up_window in seconds); option name selects one.';
