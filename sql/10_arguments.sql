-- Argument checking shared by every function: options objects (each a composite type of
-- migration 0010, parsed by _parse_options), timestamps, payload sizes and retry policies. All
-- raise SF005 (invalid argument) or SF006 (payload too large) and have no side effects.
--
-- The checks of plain arguments the engine makes on every call come in pairs: `_x_or_raise`, in PL/pgSQL, checks
-- and raises; `_x`, in SQL, accepts the values that pass and hands anything else to
-- `_x_or_raise`. The SQL one is inlined by the planner into the calling expression, so a
-- value that passes costs no function call — a PL/pgSQL call costs a few microseconds, and a
-- checkpoint made a dozen of them (measured in BENCHMARKS.md). The `_or_raise` ones are
-- declared `cost 1`: the planner refuses to inline a function whose argument it deems
-- expensive when the body uses that argument twice, and a fast path nested in another's
-- argument must stay cheap. An argument with a volatile
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

-- _parse_options(type, options, function) → the options object as a record of `type`, one of
-- the options types of migration 0010 (pass it as null::steadfast.<type>): each key an
-- attribute, JSON null or an absent key SQL null (the caller applies its defaults). Filled by
-- one jsonb_populate_record; the result is taken when it holds exactly what was given: the
-- record as JSON, with the options written over it, is unchanged (no unknown key, no value
-- converted from another JSON type: "5" is not the integer 5; an equality, linear in the size
-- of the values, where a containment test would be quadratic in an array's length). Anything
-- else — not an object, an unknown key, a wrong type, a value out of its domain's range — goes
-- to _option_failure, which raises SF005 naming the key. SQL null → a record of nulls.
create or replace function steadfast._parse_options(p_type anyelement, p_options jsonb, p_function text)
returns anyelement
language plpgsql
stable
as $fn$
declare
    v_json jsonb;
begin
    if p_options is null or p_options operator(pg_catalog.=) '{}'::jsonb then
        return pg_catalog.jsonb_populate_record(p_type, '{}'::jsonb);  -- the usual case
    end if;
    if pg_catalog.jsonb_typeof(p_options) = 'object' then
        begin
            p_type := pg_catalog.jsonb_populate_record(p_type, p_options);
            v_json := pg_catalog.to_jsonb(p_type);
            if (v_json operator(pg_catalog.||) p_options) operator(pg_catalog.=) v_json then
                return p_type;
            end if;
        exception when others then
            null;  -- named below
        end;
    end if;
    return steadfast._option_failure(p_type, p_options, p_function);
end;
$fn$;

-- _parse_array(type, array, function) → a JSON array of objects as an array of records of
-- `type`, each element parsed as _parse_options parses one: one jsonb_populate_record per
-- element, no PL/pgSQL call. When an element does not pass, the elements are parsed one by
-- one through _parse_options, which raises SF005 naming the first bad one ("<function>[n]:
-- …"). SF005 as well when `array` is not a JSON array.
create or replace function steadfast._parse_array(p_type anyelement, p_array jsonb, p_function text)
returns anyarray
language plpgsql
stable
as $fn$
declare
    v_result alias for $0;
    v_ok boolean;
    v_n bigint;
    v_type text;
begin
    if pg_catalog.jsonb_typeof(p_array) is distinct from 'array' then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s: expected a JSON array, got %s', p_function,
                                        coalesce(pg_catalog.jsonb_typeof(p_array), 'null'));
    end if;
    if pg_catalog.jsonb_array_length(p_array) = 0 then
        return pg_catalog.array_fill(p_type, array[0]);
    end if;
    if pg_catalog.jsonb_array_length(p_array) = 1 and pg_catalog.jsonb_typeof(p_array operator(pg_catalog.->) 0) = 'object' then
        -- One object (a lone checkpoint, a single start): _parse_options, as the failure path
        -- below parses it, without the set query and its subtransaction (29 → 16 µs a call).
        return array[steadfast._parse_options(p_type, p_array operator(pg_catalog.->) 0, p_function || '[1]')];
    end if;
    begin
        select pg_catalog.bool_and((j operator(pg_catalog.||) x.v) operator(pg_catalog.=) j),
               pg_catalog.array_agg(y order by x.n)
        into v_ok, v_result
        from pg_catalog.jsonb_array_elements(p_array) with ordinality as x(v, n)
        cross join lateral pg_catalog.jsonb_populate_record(p_type, x.v) as y
        cross join lateral pg_catalog.to_jsonb(y) as j;
        if v_ok then
            return v_result;
        end if;
    exception when others then
        null;  -- named below
    end;
    select x.n, pg_catalog.jsonb_typeof(x.v) into v_n, v_type
    from pg_catalog.jsonb_array_elements(p_array) with ordinality as x(v, n)
    where pg_catalog.jsonb_typeof(x.v) <> 'object'
    order by x.n limit 1;
    if found then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('%s[%s]: each element must be a JSON object, got %s', p_function, v_n, v_type);
    end if;
    select pg_catalog.array_agg(steadfast._parse_options(p_type, x.v, pg_catalog.format('%s[%s]', p_function, x.n))
                                order by x.n)
    into v_result
    from pg_catalog.jsonb_array_elements(p_array) with ordinality as x(v, n);
    return v_result;
end;
$fn$;

-- _option_failure(type, options, function) → the record _parse_options could not take at
-- once: raises SF005 for options that are not an object, for unknown keys (hint: the known
-- ones), or for the first key, in the type's order, whose value is not of its attribute's JSON
-- type (string, number, true/false, array of strings) or does not convert into it ("must be
-- <the domain's comment>"). Returns the record when every key passes: a number with more
-- digits than a double keeps, an integer written 5.0.
create or replace function steadfast._option_failure(p_type anyelement, p_options jsonb, p_function text)
returns anyelement
language plpgsql
stable
as $fn$
declare
    v_class oid := (select t.typrelid from pg_catalog.pg_type t where t.oid = pg_catalog.pg_typeof(p_type));
    v_options jsonb := p_options;
    v_value jsonb;
    v_ok boolean;
    r record;
begin
    perform steadfast._options_or_raise(p_options,
        array(select a.attname::text from pg_catalog.pg_attribute a
              where a.attrelid = v_class and a.attnum > 0 and not a.attisdropped order by a.attnum),
        p_function);
    for r in
        select e.key, e.value, a.atttypid,
               coalesce(nullif(b.typbasetype, 0), nullif(t.typbasetype, 0), a.atttypid)::regtype as base,
               case coalesce(nullif(b.typbasetype, 0), nullif(t.typbasetype, 0), a.atttypid)
                   when 'text'::regtype then 'string'
                   when 'integer'::regtype then 'number'
                   when 'double precision'::regtype then 'number'
                   when 'boolean'::regtype then 'boolean'
                   when 'text[]'::regtype then 'array'
               end as json_type,
               -- a domain of ours says what it takes; a built-in type's own comment does not
               -- ("-2 billion to 2 billion integer, 4-byte storage")
               coalesce(case when t.typnamespace = 'steadfast'::regnamespace
                             then pg_catalog.obj_description(a.atttypid, 'pg_type') end,
                        case a.atttypid
                            when 'text'::regtype then 'a string'
                            when 'integer'::regtype then 'an integer from -2147483648 to 2147483647'
                            when 'boolean'::regtype then 'true or false'
                            when 'text[]'::regtype then 'an array of strings'
                            else pg_catalog.format_type(a.atttypid, null) end) as expected
        from pg_catalog.jsonb_each(p_options) e
        join pg_catalog.pg_attribute a on a.attrelid = v_class and a.attname = e.key
        join pg_catalog.pg_type t on t.oid = a.atttypid
        left join pg_catalog.pg_type b on b.oid = t.typbasetype  -- a domain over a domain: its base
        where pg_catalog.jsonb_typeof(e.value) <> 'null'
        order by a.attnum
    loop
        v_value := r.value;
        v_ok := r.json_type is null or pg_catalog.jsonb_typeof(v_value) = r.json_type;
        -- An integer may be written with a fraction of zero (5.0, as some JSON encoders do).
        if v_ok and r.base = 'integer'::regtype and (v_value #>> '{}')::numeric = pg_catalog.trunc((v_value #>> '{}')::numeric) then
            v_value := pg_catalog.to_jsonb(pg_catalog.trunc((v_value #>> '{}')::numeric));
            v_options := pg_catalog.jsonb_set(v_options, array[r.key], v_value);
        end if;
        if v_ok and r.json_type = 'array' then
            v_ok := not exists (select from pg_catalog.jsonb_array_elements(r.value) x
                                where pg_catalog.jsonb_typeof(x) <> 'string');
        end if;
        if v_ok then
            begin
                perform pg_catalog.jsonb_populate_record(p_type, pg_catalog.jsonb_build_object(r.key, v_value));
            exception when others then
                v_ok := false;
            end;
        end if;
        if not v_ok then
            raise exception using errcode = 'SF005',
                message = pg_catalog.format('%s: option %s must be %s, got %s', p_function, r.key, r.expected,
                                            steadfast._echo(r.value));
        end if;
    end loop;
    return pg_catalog.jsonb_populate_record(p_type, v_options);
end;
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

-- _instant(value, key, function) → the timestamp a timestamp option holds: an ISO 8601 string
-- or a number of seconds since 1970 (what clients that care about speed send), from
-- 1970-01-01 to 3000-01-01; SQL or JSON null → null. Anything else — another JSON type, a
-- string that is not a time, 'infinity', year 294276 (which would make a workflow that never
-- runs, or overflow the first interval added to it) — raises SF005 naming the key.
create or replace function steadfast._instant_or_raise(p_value jsonb, p_key text, p_function text)
returns timestamptz
language plpgsql
stable
cost 1
as $fn$
declare
    t timestamptz;
begin
    case pg_catalog.jsonb_typeof(p_value)
        when 'number' then
            -- Compared as numeric, which holds any JSON number (a double overflows at 1e309);
            -- rounded to the microsecond (1e-400 is 0).
            if (p_value #>> '{}')::numeric between 0 and 32503680000 then
                return pg_catalog.to_timestamp(pg_catalog.round((p_value #>> '{}')::numeric, 6)::double precision);
            end if;
        when 'string' then
            begin
                t := (p_value #>> '{}')::timestamptz;
            exception when others then
                t := null;
            end;
            if t between '1970-01-01 00:00:00+00'::timestamptz and '3000-01-01 00:00:00+00'::timestamptz then
                return t;
            end if;
        else
            if p_value is null or pg_catalog.jsonb_typeof(p_value) = 'null' then
                return null;
            end if;
    end case;
    raise exception using errcode = 'SF005',
        message = pg_catalog.format('%s: option %s must be a time from 1970-01-01 to 3000-01-01 (an ISO 8601 string or seconds since 1970), got %s',
                                    p_function, p_key, steadfast._echo(p_value)),
        hint = 'Timestamps must be finite, in 1970 … 3000.';
end;
$fn$;

-- _instant(…): the same, for what passes quickly — null, or a number of seconds in range — in
-- SQL, so that the planner inlines it into the caller's expression (no call at all); anything
-- else, strings included, goes to _instant_or_raise.
create or replace function steadfast._instant(p_value jsonb, p_key text, p_function text)
returns timestamptz
language sql
stable
as $fn$
    -- The cast is nested in its own CASE: a condition's AND does not promise an order.
    select case when p_value is null or pg_catalog.jsonb_typeof(p_value) = 'null' then null
                when pg_catalog.jsonb_typeof(p_value) = 'number'
                    then case when (p_value operator(pg_catalog.#>>) '{}')::numeric between 0 and 32503680000
                              then pg_catalog.to_timestamp(pg_catalog.round((p_value operator(pg_catalog.#>>) '{}')::numeric, 6)::double precision)
                              else steadfast._instant_or_raise(p_value, p_key, p_function) end
                else steadfast._instant_or_raise(p_value, p_key, p_function) end
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

-- _retry_policy(policy, function) → the policy, normalized with its defaults, or null for
-- none. A policy is a steadfast.retry_policy (migration 0010): {"kind": "none" | "fixed" |
-- "exponential" (required), "max_attempts": runs in all, the first included (default 3),
-- "base_delay": seconds (default 1), "factor": exponential only (default 2), "max_delay":
-- seconds (default 3600), "jitter": the largest fraction of the delay taken off at random
-- (default 0)}. Unknown kinds or keys, and values out of range → SF005, naming the key. No
-- side effects.
create or replace function steadfast._retry_policy(p_policy jsonb)
returns jsonb
language plpgsql
stable
as $fn$
declare
    p steadfast.retry_policy;
begin
    if p_policy is null or pg_catalog.jsonb_typeof(p_policy) = 'null' then
        return null;
    end if;
    p := steadfast._parse_options(null::steadfast.retry_policy, p_policy, 'retry policy');
    if p.kind is null then
        raise exception using errcode = 'SF005', message = 'retry policy: option kind is required',
            hint = 'Known kinds: none, fixed, exponential.';
    end if;
    if p.kind = 'none' then
        return pg_catalog.jsonb_build_object('kind', 'none', 'max_attempts', 1);
    end if;
    return pg_catalog.jsonb_build_object('kind', p.kind, 'max_attempts', coalesce(p.max_attempts, 3),
                                         'base_delay', coalesce(p.base_delay, 1), 'factor', coalesce(p.factor, 2),
                                         'max_delay', coalesce(p.max_delay, 3600), 'jitter', coalesce(p.jitter, 0));
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
