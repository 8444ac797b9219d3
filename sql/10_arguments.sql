-- Argument checking shared by every function: options objects, typed option values, payload
-- sizes and retry policies. All raise SF005 (invalid argument) or SF006 (payload too large)
-- and have no side effects.
--
-- The checks the engine makes on every call come in pairs: `_x_or_raise`, in PL/pgSQL, checks
-- and raises; `_x`, in SQL, accepts the values that pass and hands anything else to
-- `_x_or_raise`. The SQL one is inlined by the planner into the calling expression, so a
-- value that passes costs no function call — a PL/pgSQL call costs a few microseconds, and a
-- checkpoint made a dozen of them (measured in BENCHMARKS.md). The `_or_raise` ones are
-- declared `cost 1`: the planner refuses to inline a function whose argument it deems
-- expensive when the body uses that argument twice, and a fast path nested in another's
-- argument (`_require_text(_opt_text(…))`) must stay cheap. An argument with a volatile
-- function in it (gen_random_uuid()) is never inlined: compute it into a variable first.

-- _echo(value) → the value as an error message shows it: a text quoted as a literal, a JSON
-- value as JSON text, either cut to its first 100 characters followed by "…"; 'null' for SQL
-- null. Every message that repeats a caller's input goes through it, so that a message stays
-- short (a 1 MiB argument is not sent back in the error) whatever the input. Never raises.
create or replace function steadfast._echo(p_value text)
returns text
language sql
immutable
as $fn$
    select case when p_value is null then 'null'
                when pg_catalog.length(p_value) <= 100 then pg_catalog.quote_literal(p_value)
                else pg_catalog.quote_literal(pg_catalog.left(p_value, 100)) || '…' end
$fn$;

create or replace function steadfast._echo(p_value jsonb)
returns text
language sql
immutable
as $fn$
    select case when p_value is null then 'null'
                when pg_catalog.length(p_value::text) <= 100 then p_value::text
                else pg_catalog.left(p_value::text, 100) || '…' end
$fn$;

-- _options_or_raise(options, allowed keys, function) → the options object ('{}' for SQL null).
-- Raises SF005 when it is not a JSON object or has a key outside `allowed`: a typo in an
-- option name is an error, never silently ignored.
create or replace function steadfast._options_or_raise(p_options jsonb, p_allowed text[], p_function text)
returns jsonb
language plpgsql
immutable
cost 1
as $fn$
declare
    v_unknown text[];
begin
    if p_options is null then
        return '{}'::jsonb;
    end if;
    if pg_catalog.jsonb_typeof(p_options) <> 'object' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: options must be a JSON object, got %s', p_function, pg_catalog.jsonb_typeof(p_options));
    end if;
    if p_options operator(pg_catalog.-) p_allowed = '{}'::jsonb then
        return p_options;  -- the usual case, without a query
    end if;
    select pg_catalog.array_agg(k order by k) into v_unknown
    from pg_catalog.jsonb_object_keys(p_options) as k
    where not (k = any (p_allowed));
    if v_unknown is not null then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: unknown option(s) %s', p_function,
                                        steadfast._echo(pg_catalog.array_to_string(v_unknown, ', '))),
            hint = pg_catalog.format('Known options: %s.', pg_catalog.array_to_string(p_allowed, ', '));
    end if;
    return p_options;
end;
$fn$;

-- _options(…): the same, for values that pass, in SQL so that the planner inlines it into
-- the caller's expression (no call at all); anything else goes to _options_or_raise.
create or replace function steadfast._options(p_options jsonb, p_allowed text[], p_function text)
returns jsonb
language sql
immutable
as $fn$
    select case when pg_catalog.jsonb_typeof(p_options) = 'object'
                     and p_options operator(pg_catalog.-) p_allowed = '{}'::jsonb then p_options
                else steadfast._options_or_raise(p_options, p_allowed, p_function) end
$fn$;

-- _opt_text / _opt_int / _opt_number / _opt_bool / _opt_timestamptz (each with its
-- _or_raise) / _opt_text_array (options, key, default) → the typed value of options->key, or
-- the default when the key is absent or JSON null. Raise SF005 naming the key when the value
-- has the wrong type or is out of the type's range: an integer beyond 32 bits, a number beyond
-- ±1e300 (see _opt_number_or_raise), a timestamp that is not finite or not within 1970 … 3000.
-- A timestamp is an ISO 8601 string or a number of seconds since 1970. No side effects.
create or replace function steadfast._opt_text_or_raise(p_options jsonb, p_key text, p_default text default null)
returns text
language plpgsql
immutable
cost 1
as $fn$
declare
    v jsonb := p_options -> p_key;
begin
    if v is null or pg_catalog.jsonb_typeof(v) = 'null' then
        return p_default;
    end if;
    if pg_catalog.jsonb_typeof(v) <> 'string' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s must be a string, got %s', p_key, steadfast._echo(v));
    end if;
    return v #>> '{}';
end;
$fn$;

-- _opt_text(…): the same, for values that pass, in SQL so that the planner inlines it into
-- the caller's expression (no call at all); anything else goes to _opt_text_or_raise.
create or replace function steadfast._opt_text(p_options jsonb, p_key text, p_default text default null)
returns text
language sql
immutable
as $fn$
    select case when p_options operator(pg_catalog.->) p_key is null then p_default
                when pg_catalog.jsonb_typeof(p_options operator(pg_catalog.->) p_key) = 'string'
                    then p_options operator(pg_catalog.->>) p_key
                else steadfast._opt_text_or_raise(p_options, p_key, p_default) end
$fn$;

-- A JSON number is a numeric of any size; a double precision holds magnitudes from about
-- 1e-307 to 1e308. Numbers outside ±1e300 (1e400) and non-zero numbers within ±1e-300
-- (1e-400) are refused (SF005) rather than overflowing (22003) in a cast; the callers check
-- their own narrower ranges on what passes.
create or replace function steadfast._opt_number_or_raise(p_options jsonb, p_key text, p_default double precision default null)
returns double precision
language plpgsql
immutable
cost 1
as $fn$
declare
    v jsonb := p_options -> p_key;
    n numeric;
begin
    if v is null or pg_catalog.jsonb_typeof(v) = 'null' then
        return p_default;
    end if;
    if pg_catalog.jsonb_typeof(v) <> 'number' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s must be a number, got %s', p_key, steadfast._echo(v));
    end if;
    n := (v #>> '{}')::numeric;
    if n <> 0 and (pg_catalog.abs(n) > 1e300 or pg_catalog.abs(n) < 1e-300) then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s is out of range for a number, got %s', p_key, steadfast._echo(v)),
            hint = 'Numbers are between -1e300 and 1e300 (and further from 0 than 1e-300).';
    end if;
    return n::double precision;
end;
$fn$;

-- _opt_number(…): the same, for values that pass, in SQL so that the planner inlines it into
-- the caller's expression (no call at all); anything else goes to _opt_number_or_raise.
create or replace function steadfast._opt_number(p_options jsonb, p_key text, p_default double precision default null)
returns double precision
language sql
immutable
as $fn$
    -- A number of at most 30 characters (its plain notation, as ->> gives it) casts without
    -- overflow or underflow: no need to look further.
    select case when p_options operator(pg_catalog.->) p_key is null then p_default
                when pg_catalog.jsonb_typeof(p_options operator(pg_catalog.->) p_key) = 'number'
                     and pg_catalog.length(p_options operator(pg_catalog.->>) p_key) <= 30
                    then (p_options operator(pg_catalog.->>) p_key)::double precision
                else steadfast._opt_number_or_raise(p_options, p_key, p_default) end
$fn$;

create or replace function steadfast._opt_int_or_raise(p_options jsonb, p_key text, p_default integer default null)
returns integer
language plpgsql
immutable
cost 1
as $fn$
declare
    v jsonb := p_options -> p_key;
    n numeric;
begin
    if v is null or pg_catalog.jsonb_typeof(v) = 'null' then
        return p_default;
    end if;
    if pg_catalog.jsonb_typeof(v) <> 'number' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s must be an integer, got %s', p_key, steadfast._echo(v));
    end if;
    n := (v #>> '{}')::numeric;
    if n <> pg_catalog.trunc(n) or n < -2147483648 or n > 2147483647 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s must be a 32-bit integer, got %s', p_key, steadfast._echo(v));
    end if;
    return n::integer;
end;
$fn$;

-- _opt_int(…): the same, for values that pass, in SQL so that the planner inlines it into
-- the caller's expression (no call at all); anything else goes to _opt_int_or_raise.
create or replace function steadfast._opt_int(p_options jsonb, p_key text, p_default integer default null)
returns integer
language sql
immutable
as $fn$
    select case when p_options operator(pg_catalog.->) p_key is null then p_default
                when (p_options operator(pg_catalog.->>) p_key) operator(pg_catalog.~) '^-?[0-9]{1,9}$'
                     and pg_catalog.jsonb_typeof(p_options operator(pg_catalog.->) p_key) = 'number'
                    then (p_options operator(pg_catalog.->>) p_key)::integer
                else steadfast._opt_int_or_raise(p_options, p_key, p_default) end
$fn$;

create or replace function steadfast._opt_bool_or_raise(p_options jsonb, p_key text, p_default boolean default null)
returns boolean
language plpgsql
immutable
cost 1
as $fn$
declare
    v jsonb := p_options -> p_key;
begin
    if v is null or pg_catalog.jsonb_typeof(v) = 'null' then
        return p_default;
    end if;
    if pg_catalog.jsonb_typeof(v) <> 'boolean' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s must be true or false, got %s', p_key, steadfast._echo(v));
    end if;
    return (v #>> '{}')::boolean;
end;
$fn$;

-- _opt_bool(…): the same, for values that pass, in SQL so that the planner inlines it into
-- the caller's expression (no call at all); anything else goes to _opt_bool_or_raise.
create or replace function steadfast._opt_bool(p_options jsonb, p_key text, p_default boolean default null)
returns boolean
language sql
immutable
as $fn$
    select case when p_options operator(pg_catalog.->) p_key is null then p_default
                when pg_catalog.jsonb_typeof(p_options operator(pg_catalog.->) p_key) = 'boolean'
                    then (p_options operator(pg_catalog.->>) p_key)::boolean
                else steadfast._opt_bool_or_raise(p_options, p_key, p_default) end
$fn$;

-- _check_timestamp_or_raise(value, what, function) → value (SQL null included), or SF005
-- naming the argument when it is not finite or not between 1970-01-01 and 3000-01-01 (UTC):
-- the range every timestamp the engine takes must be in ('infinity' would make a workflow
-- that never runs, year 294276 overflows the first interval added to it).
create or replace function steadfast._check_timestamp_or_raise(p_value timestamptz, p_what text, p_function text)
returns timestamptz
language plpgsql
immutable
cost 1
as $fn$
begin
    if p_value is null
       or p_value between '1970-01-01 00:00:00+00'::timestamptz and '3000-01-01 00:00:00+00'::timestamptz then
        return p_value;
    end if;
    raise exception using errcode = 'SF005',
        message = pg_catalog.format('%s: %s must be a time from 1970-01-01 to 3000-01-01, got %s', p_function, p_what,
                                    steadfast._echo(pg_catalog.to_char(p_value at time zone 'UTC',
                                                                       'YYYY-MM-DD"T"HH24:MI:SS"Z" BC'))),
        hint = 'Timestamps must be finite, in 1970 … 3000.';
end;
$fn$;

-- _check_timestamp(…): the same, for values that pass, in SQL so that the planner inlines it
-- into the caller's expression (no call at all); anything else goes to _check_timestamp_or_raise.
create or replace function steadfast._check_timestamp(p_value timestamptz, p_what text, p_function text)
returns timestamptz
language sql
immutable
as $fn$
    select case when p_value is null
                     or p_value between '1970-01-01 00:00:00+00'::timestamptz and '3000-01-01 00:00:00+00'::timestamptz
                    then p_value
                else steadfast._check_timestamp_or_raise(p_value, p_what, p_function) end
$fn$;

create or replace function steadfast._opt_timestamptz_or_raise(p_options jsonb, p_key text, p_default timestamptz default null)
returns timestamptz
language plpgsql
stable
cost 1
as $fn$
declare
    v jsonb := p_options -> p_key;
    n numeric;
    t timestamptz;
begin
    if v is null or pg_catalog.jsonb_typeof(v) = 'null' then
        return p_default;
    end if;
    -- Seconds since 1970 (what clients that care about speed send): no parsing to fail.
    -- Compared as numeric, which holds any JSON number (a double overflows at 1e309).
    if pg_catalog.jsonb_typeof(v) = 'number' then
        n := (v #>> '{}')::numeric;
        if n < 0 or n > 32503680000 then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('option %s must be seconds since 1970 before the year 3000, got %s', p_key,
                                            steadfast._echo(v));
        end if;
        return pg_catalog.to_timestamp(pg_catalog.round(n, 6)::double precision);  -- to the microsecond: 1e-400 is 0
    end if;
    if pg_catalog.jsonb_typeof(v) <> 'string' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s must be a timestamp string or seconds since 1970, got %s', p_key,
                                        steadfast._echo(v));
    end if;
    begin
        t := (v #>> '{}')::timestamptz;
    exception when others then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s is not a valid timestamp: %s', p_key, steadfast._echo(v));
    end;
    -- The same range as the numbers: 'infinity' or year 294276 would make a workflow that
    -- never runs, or overflow the first interval added to it.
    if not t between '1970-01-01 00:00:00+00'::timestamptz and '3000-01-01 00:00:00+00'::timestamptz then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s must be a time from 1970-01-01 to 3000-01-01, got %s', p_key,
                                        steadfast._echo(v)),
            hint = 'Timestamps must be finite, in 1970 … 3000.';
    end if;
    return t;
end;
$fn$;

-- _opt_timestamptz(…): the same, for values that pass, in SQL so that the planner inlines it into
-- the caller's expression (no call at all); anything else goes to _opt_timestamptz_or_raise.
create or replace function steadfast._opt_timestamptz(p_options jsonb, p_key text, p_default timestamptz default null)
returns timestamptz
language sql
stable
as $fn$
    -- The cast is nested in its own CASE, after the length test that keeps it from overflowing
    -- (see _opt_number): a condition's AND does not promise an order of evaluation.
    select case when p_options operator(pg_catalog.->) p_key is null then p_default
                when pg_catalog.jsonb_typeof(p_options operator(pg_catalog.->) p_key) = 'number'
                     and pg_catalog.length(p_options operator(pg_catalog.->>) p_key) <= 30
                    then case when (p_options operator(pg_catalog.->>) p_key)::double precision between 0 and 32503680000
                              then pg_catalog.to_timestamp((p_options operator(pg_catalog.->>) p_key)::double precision)
                              else steadfast._opt_timestamptz_or_raise(p_options, p_key, p_default) end
                else steadfast._opt_timestamptz_or_raise(p_options, p_key, p_default) end
$fn$;

create or replace function steadfast._opt_text_array(p_options jsonb, p_key text, p_default text[] default null)
returns text[]
language plpgsql
immutable
as $fn$
declare
    v jsonb := p_options -> p_key;
begin
    if v is null or pg_catalog.jsonb_typeof(v) = 'null' then
        return p_default;
    end if;
    if pg_catalog.jsonb_typeof(v) <> 'array'
       or exists (select 1 from pg_catalog.jsonb_array_elements(v) e where pg_catalog.jsonb_typeof(e) <> 'string') then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('option %s must be an array of strings, got %s', p_key, steadfast._echo(v));
    end if;
    return array(select pg_catalog.jsonb_array_elements_text(v));
end;
$fn$;

-- _require_text_or_raise(value, what, function) → value; SF005 naming the argument when it is
-- null, empty or longer than 255 characters.
create or replace function steadfast._require_text_or_raise(p_value text, p_what text, p_function text)
returns text
language plpgsql
immutable
cost 1
as $fn$
begin
    if p_value is null or p_value = '' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: %s is required (got %s)', p_function, p_what, steadfast._echo(p_value));
    end if;
    if pg_catalog.length(p_value) > 255 then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: %s is longer than 255 characters (got %s characters: %s)', p_function,
                                        p_what, pg_catalog.length(p_value), steadfast._echo(p_value));
    end if;
    return p_value;
end;
$fn$;

-- _require_text(…): the same, for values that pass, in SQL so that the planner inlines it into
-- the caller's expression (no call at all); anything else goes to _require_text_or_raise.
create or replace function steadfast._require_text(p_value text, p_what text, p_function text)
returns text
language sql
immutable
as $fn$
    select case when p_value <> '' and pg_catalog.length(p_value) <= 255 then p_value
                else steadfast._require_text_or_raise(p_value, p_what, p_function) end
$fn$;

-- _check_payload_or_raise(value, what) → value, or SF006 when it is larger than
-- settings.max_payload_bytes (sql/11_settings.sql).
create or replace function steadfast._check_payload_or_raise(p_value jsonb, p_what text)
returns jsonb
language plpgsql
stable
cost 1
as $fn$
declare
    v_size integer := pg_catalog.pg_column_size(p_value);
    v_max integer := steadfast._max_payload_bytes();
begin
    if v_size > v_max then
        raise exception using errcode = 'SF006',
            message = pg_catalog.format('%s is %s bytes, more than the limit of %s bytes', p_what, v_size, v_max),
            hint = 'Store large data elsewhere and pass a reference, or raise the limit (steadfast.set_settings).';
    end if;
    return p_value;
end;
$fn$;

-- _check_payload(…): the same, for values that pass, in SQL so that the planner inlines it into
-- the caller's expression (no call at all); anything else goes to _check_payload_or_raise.
create or replace function steadfast._check_payload(p_value jsonb, p_what text)
returns jsonb
language sql
stable
as $fn$
    -- 65536 is the smallest limit settings accept: below it no limit can be exceeded, and the
    -- limit is not read at all.
    select case when p_value is null or pg_catalog.pg_column_size(p_value) <= 65536 then p_value
                else steadfast._check_payload_or_raise(p_value, p_what) end
$fn$;

-- _retry_policy(policy) → the policy, normalized with its defaults, or null for none.
-- A policy is {"kind": "none" | "fixed" | "exponential", "max_attempts": n ≥ 1 (runs in all,
-- the first included; default 3), "base_delay": seconds ≥ 0 (default 1), "factor": ≥ 1
-- (exponential only; default 2), "max_delay": seconds, 0…31536000 (a year; default 3600), "jitter": 0…1, the
-- largest fraction of the delay taken off at random (default 0)}. Unknown kinds or keys, and
-- values out of range → SF005, naming the key. No side effects.
create or replace function steadfast._retry_policy(p_policy jsonb)
returns jsonb
language plpgsql
immutable
as $fn$
declare
    v_kind text;
    v_max_attempts integer;
    v_base double precision;
    v_factor double precision;
    v_max_delay double precision;
    v_jitter double precision;
    v_bad text;
begin
    if p_policy is null or pg_catalog.jsonb_typeof(p_policy) = 'null' then
        return null;
    end if;
    perform steadfast._options(p_policy, array['kind', 'max_attempts', 'base_delay', 'factor', 'max_delay', 'jitter'], 'retry policy');
    v_kind := steadfast._opt_text(p_policy, 'kind');
    if v_kind is null or v_kind not in ('none', 'fixed', 'exponential') then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('retry policy: unknown kind %s', steadfast._echo(v_kind)),
            hint = 'Known kinds: none, fixed, exponential.';
    end if;
    if v_kind = 'none' then
        return pg_catalog.jsonb_build_object('kind', 'none', 'max_attempts', 1);
    end if;
    v_max_attempts := steadfast._opt_int(p_policy, 'max_attempts', 3);
    v_base := steadfast._opt_number(p_policy, 'base_delay', 1);
    v_factor := steadfast._opt_number(p_policy, 'factor', 2);
    v_max_delay := steadfast._opt_number(p_policy, 'max_delay', 3600);
    v_jitter := steadfast._opt_number(p_policy, 'jitter', 0);
    -- One message per key, naming it.
    v_bad := case when v_max_attempts < 1 then pg_catalog.format('max_attempts must be ≥ 1, got %s', v_max_attempts)
                  when v_base < 0 or v_base > 31536000
                      then pg_catalog.format('base_delay must be from 0 to 31536000 seconds, got %s', v_base)
                  when v_factor < 1 or v_factor > 1000 then pg_catalog.format('factor must be from 1 to 1000, got %s', v_factor)
                  when v_max_delay < 0 or v_max_delay > 31536000
                      then pg_catalog.format('max_delay must be from 0 to 31536000 seconds, got %s', v_max_delay)
                  when v_jitter < 0 or v_jitter > 1 then pg_catalog.format('jitter must be from 0 to 1, got %s', v_jitter)
             end;
    if v_bad is not null then
        raise exception using errcode = 'SF005',
            message = 'retry policy out of range: ' || v_bad,
            hint = 'max_attempts ≥ 1, 0 ≤ base_delay ≤ 31536000, 1 ≤ factor ≤ 1000, 0 ≤ max_delay ≤ 31536000, 0 ≤ jitter ≤ 1.';
    end if;
    return pg_catalog.jsonb_build_object('kind', v_kind, 'max_attempts', v_max_attempts, 'base_delay', v_base,
                                         'factor', v_factor, 'max_delay', v_max_delay, 'jitter', v_jitter);
end;
$fn$;

-- _retry_delay(policy, retries so far) → seconds to wait before the next run.
-- fixed: base_delay; exponential: base_delay × factor^retries; both capped at max_delay
-- (compared in logarithms, so many retries never overflow), then reduced by a random
-- fraction up to `jitter`.
create or replace function steadfast._retry_delay(p_policy jsonb, p_retries integer)
returns double precision
language sql
volatile
as $fn$
    select d * (1 - (p_policy ->> 'jitter')::double precision * pg_catalog.random())
    from (select least((p_policy ->> 'max_delay')::double precision,
                       case when p_policy ->> 'kind' = 'exponential'
                                 and (p_policy ->> 'base_delay')::double precision > 0
                                 and pg_catalog.ln((p_policy ->> 'base_delay')::double precision)
                                     + p_retries * pg_catalog.ln((p_policy ->> 'factor')::double precision) < 40
                            then (p_policy ->> 'base_delay')::double precision
                                 * pg_catalog.power((p_policy ->> 'factor')::double precision, p_retries)
                            when p_policy ->> 'kind' = 'exponential' and (p_policy ->> 'base_delay')::double precision > 0
                            then (p_policy ->> 'max_delay')::double precision
                            else (p_policy ->> 'base_delay')::double precision
                       end) as d) s
$fn$;
