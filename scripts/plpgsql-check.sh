#!/usr/bin/env bash
# plpgsql_check over every PL/pgSQL function and procedure of schema steadfast, run by
# `make test` (scripts/test.sh, after pgTAP).
#
#   DATABASE_URL=… scripts/plpgsql-check.sh
#
# PostgreSQL checks a PL/pgSQL body only as far as its syntax when the function is created; a
# misspelt column, a wrong type or a missing RETURN shows only when that statement first runs.
# plpgsql_check (Debian: postgresql-NN-plpgsql-check, installed by scripts/db.sh) checks every
# statement of every function now, with all its warnings on (other, extra, performance,
# security, compatibility). Trigger functions are checked against the table of each of their
# triggers, with that table's transition tables.
#
# DATABASE_URL is a database with the engine installed, as a superuser (the extension is not
# trusted): the extension is created there if missing. Every finding is printed with its
# function. A finding is allowed only when it is listed below with its reason, or when the
# function's body switches that kind of warning off with an in-comment option (a comment line
# `@plpgsql_check_options: …_warnings = false` and a line saying why); docs/plpgsql-check.md
# lists each reviewed warning and what was decided. Exits non-zero on any other finding —
# an error or a new warning — and on an allowance that no longer matches a finding (remove it).
set -euo pipefail

: "${DATABASE_URL:?plpgsql-check: set DATABASE_URL to a database with the engine installed}"

psql "$DATABASE_URL" -Xq -v ON_ERROR_STOP=1 -c 'set client_min_messages = warning' \
    -c 'create extension if not exists plpgsql_check' \
    -c "do \$\$ begin
            if pg_catalog.to_regnamespace('steadfast') is null then
                raise exception 'plpgsql-check: schema steadfast does not exist: install the engine first (scripts/bundle.sh)';
            end if;
        end \$\$" >/dev/null

# One line per finding: status (error | warning | allowed | unused), then the text to print.
report="$(psql "$DATABASE_URL" -XAt -F $'\t' -v ON_ERROR_STOP=1 <<'SQL'
set client_min_messages = warning;
-- The allowed findings: (function signature, message) and why. Keep each one precise.
create temp table allowed (function text, message text, reason text);
insert into allowed values
    ('steadfast.read_stream(text,text,integer,integer)', 'name of parameter "offset" is reserved keyword',
     'the result column "offset" is the public API (clients read it by name); it is always quoted'),
    ('steadfast.write_stream(text,integer,text,text,jsonb,jsonb)', 'name of parameter "offset" is reserved keyword',
     'the result column "offset" is the public API (clients read it by name); it is always quoted'),
    ('steadfast._start_template(jsonb,timestamp with time zone,text)', 'composite OUT variable "template" is not single argument',
     'two OUT parameters on purpose (the row template and its dedup_policy); callers read (t).template'),
    ('steadfast.configure_shard(integer,integer)', 'text type variable is not sanitized',
     'the triggers'' WHEN clause is built by format(''%s'') from integers only (the shard and the shard counts)');

-- Trigger functions whose triggers are created on demand, with the tables they serve: checked
-- as triggers of those tables even where no trigger uses them yet.
create temp table on_demand_triggers (function text, relid regclass);
insert into on_demand_triggers values
    -- configure_shard (sql/25_shards.sql) installs them on a shard
    ('steadfast._misplaced()', 'steadfast.workflows'), ('steadfast._misplaced()', 'steadfast.schedules');

create temp table findings as
with targets as (
    -- every PL/pgSQL function and procedure; a trigger function once per table it is a trigger of
    select p.oid, coalesce(t.tgrelid, 0)::regclass as relid, t.oldtable, t.newtable,
           p.prorettype = 'trigger'::regtype and t.tgrelid is null as orphan_trigger
    from pg_catalog.pg_proc p
    join pg_catalog.pg_language l on l.oid = p.prolang
    left join lateral (
        select tg.tgrelid, pg_catalog.max(tg.tgoldtable) as oldtable, pg_catalog.max(tg.tgnewtable) as newtable
        from pg_catalog.pg_trigger tg where tg.tgfoid = p.oid group by tg.tgrelid
        union
        select d.relid, null, null from on_demand_triggers d where d.function::regprocedure = p.oid) t on true
    where p.pronamespace = 'steadfast'::regnamespace and l.lanname = 'plpgsql' and p.prokind in ('f', 'p')
)
select x.oid::regprocedure::text as function, r.lineno, r.level, r.sqlstate, r.message, r.detail, r.hint, r.query
from targets x
cross join lateral plpgsql_check_function_tb(
    x.oid, x.relid, fatal_errors => false, other_warnings => true, extra_warnings => true,
    performance_warnings => true, security_warnings => true, compatibility_warnings => true,
    oldtable => x.oldtable, newtable => x.newtable) r
where not x.orphan_trigger
union all
select x.oid::regprocedure::text, null, 'warning', null, 'trigger function used by no trigger: not checked', null, null, null
from targets x where x.orphan_trigger;

select case when a.function is not null then 'allowed' when f.level = 'error' then 'error' else 'warning' end,
       pg_catalog.format('%s%s: %s: %s%s%s%s', f.function, coalesce(' line ' || f.lineno, ''), f.level, f.message,
                         coalesce(' — ' || nullif(f.detail, ''), ''), coalesce(' (hint: ' || nullif(f.hint, '') || ')', ''),
                         coalesce(' — allowed: ' || a.reason, ''))
from findings f
left join allowed a on a.function = f.function and a.message = f.message
order by f.function, f.lineno nulls first, f.message;

select 'unused', pg_catalog.format('%s: "%s" is allowed but no longer reported: remove it from scripts/plpgsql-check.sh',
                                   a.function, a.message)
from allowed a
where not exists (select 1 from findings f where f.function = a.function and f.message = a.message);

select 'checked', pg_catalog.count(*)::text
from pg_catalog.pg_proc p join pg_catalog.pg_language l on l.oid = p.prolang
where p.pronamespace = 'steadfast'::regnamespace and l.lanname = 'plpgsql' and p.prokind in ('f', 'p');
SQL
)"

errors=0 warnings=0 allowed=0 unused=0 checked=0
while IFS=$'\t' read -r status text; do
    case "$status" in
        error) errors=$((errors + 1)); echo "ERROR   $text" ;;
        warning) warnings=$((warnings + 1)); echo "WARNING $text" ;;
        allowed) allowed=$((allowed + 1)); echo "allowed $text" ;;
        unused) unused=$((unused + 1)); echo "STALE   $text" ;;
        checked) checked="$text" ;;
    esac
done <<<"$report"

echo "plpgsql_check: $checked functions checked; $errors errors, $warnings warnings, $allowed allowed, $unused stale allowances"
if [ "$checked" = 0 ]; then echo "plpgsql_check: no PL/pgSQL function found in schema steadfast" >&2; exit 1; fi
[ "$errors" = 0 ] && [ "$warnings" = 0 ] && [ "$unused" = 0 ]
