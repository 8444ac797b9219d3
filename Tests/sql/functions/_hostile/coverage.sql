-- Hostile roles, coverage: what each application role can reach, generated from the catalogs so
-- that a function or table added later is covered without editing this file.
--
-- Proves: every public function of schema steadfast (name not starting with '_') is either in
-- a grant set (steadfast.grant_sets()) or in the owner-only list below, which no application
-- role can execute; every function outside a role's set — owner-only functions and the '_'
-- helpers included — raises 42501 (insufficient_privilege) when that role calls it, for every
-- (set, function) pair, and for a role with no grant at all; no role holds any privilege on,
-- or can select/insert/update/delete/truncate, any table, view or sequence of the schema, nor
-- create in it; every security definer function (and every function a set grants) pins
-- search_path = pg_catalog, pg_temp with pg_temp last; every function belongs to the schema's
-- owner; no function body reads a backslash through the session's standard_conforming_strings
-- (any role may turn it off); and a function created through the install path
-- (_apply_migration, _apply_code — each bundle step commits on its own) is not executable by
-- application roles once that step commits, before sql/90_grants.sql runs again.
-- Roles are created inside the transaction (rolled back); names are unique per backend.
begin;
select plan(22);

select 'sfh_cov_v_' || pg_backend_pid() as viewer, 'sfh_cov_c_' || pg_backend_pid() as client,
       'sfh_cov_w_' || pg_backend_pid() as worker, 'sfh_cov_n_' || pg_backend_pid() as nogrant \gset
select steadfast_test.fresh_role(:'viewer', 'viewer', p_login => false);
select steadfast_test.fresh_role(:'client', 'client', p_login => false);
select steadfast_test.fresh_role(:'worker', 'worker', p_login => false);
select steadfast_test.fresh_role(:'nogrant', null, p_login => false);

-- The roles under test: one per grant set, and one with no grant at all (set 'none').
create temp table hostile_roles (role_set text primary key, role_name text not null);
insert into hostile_roles values ('viewer', :'viewer'), ('client', :'client'), ('worker', :'worker'),
                                 ('none', :'nogrant');

-- The functions no grant set has: migrations, grants, queue settings, schedule pausing and
-- deletion, prune, recovery, limits, the test clock, and making a shard or a router. Application roles must never execute
-- them. (get_settings is not here: roles read the limits with it.)
create temp table owner_only (proname text primary key);
insert into owner_only values
    ('now'), ('set_fake_now'), ('set_settings'), ('recover_workflows'),
    ('create_queue'), ('define_queue'), ('alter_queue'), ('delete_queue'),
    ('pause_schedule'), ('resume_schedule'), ('delete_schedule'),
    ('prune_workflows'),
    ('grant_sets'), ('grant_viewer'), ('grant_client'), ('grant_worker'), ('revoke_grants'),
    ('configure_shard'), ('router_ddl');

-- Every function of the schema, with the sets that grant it.
create temp table engine_functions as
select p.oid, p.oid::regprocedure::text as signature, p.proname::text as proname, p.prosecdef, p.proconfig,
       p.proowner,
       coalesce((select array_agg(distinct g.role_set) from steadfast.grant_sets() g
                 where pg_catalog.to_regprocedure(g.function_signature) = p.oid), '{}') as sets
from pg_catalog.pg_proc p
where p.pronamespace = 'steadfast'::regnamespace;

-- A plausible non-null literal per parameter type: with a constant NULL argument, a strict
-- function could be folded away by the planner before its EXECUTE privilege is checked.
create function pg_temp.dummy_args(p_oid oid) returns text language sql stable as $$
    select coalesce(string_agg(
        case
            when t.oid = 'pg_catalog.text'::regtype then '''x''::pg_catalog.text'
            when t.oid = 'pg_catalog.jsonb'::regtype then '''{}''::pg_catalog.jsonb'
            when t.oid in ('pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype, 'pg_catalog.int2'::regtype,
                           'pg_catalog.float8'::regtype, 'pg_catalog.numeric'::regtype)
                then format('1::%s', t.oid::regtype)
            when t.oid = 'pg_catalog.bool'::regtype then 'false'
            when t.oid = 'pg_catalog.timestamptz'::regtype then 'pg_catalog.now()'
            when t.oid = 'pg_catalog.timestamp'::regtype then 'localtimestamp'
            when t.oid = 'pg_catalog.date'::regtype then 'current_date'
            when t.oid = 'pg_catalog.interval'::regtype then '''1 day''::pg_catalog.interval'
            when t.typcategory = 'A' then format('''{}''::%s', t.oid::regtype)
            when t.typtype = 'c' then format('%L::%s',
                '(' || repeat(',', (select count(*)::integer - 1 from pg_catalog.pg_attribute a
                                    where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped)) || ')',
                t.oid::regtype)
            -- a polymorphic argument (anyelement): any concrete type
            when t.typtype = 'p' then 'null::pg_catalog.int4'
            else format('null::%s', t.oid::regtype)
        end, ', ' order by a.ord), '')
    from pg_catalog.pg_proc p
         cross join lateral unnest(p.proargtypes::oid[]) with ordinality a(typ, ord)
         join pg_catalog.pg_type t on t.oid = a.typ
    where p.oid = p_oid
$$;

-- sqlstate_as(role, sql) → 'ok' when sql runs as that role without error, else its SQLSTATE.
-- Always rolled back (a savepoint), role switch included.
create function pg_temp.sqlstate_as(p_role text, p_sql text) returns text language plpgsql as $$
begin
    begin
        execute format('set local role %I', p_role);
        execute p_sql;
        raise exception using errcode = 'ZZ001';
    exception
        when sqlstate 'ZZ001' then return 'ok';
        when others then return sqlstate;
    end;
end;
$$;

select cmp_ok((select count(*)::integer from engine_functions where proname !~ '^_'), '>=', 30,
              'the engine''s public functions are installed');

-- 1. Coverage of the public functions.
select is_empty(
    $$select signature from engine_functions f
      where f.proname !~ '^_' and cardinality(f.sets) = 0
        and f.proname not in (select proname from owner_only)
      order by 1$$,
    'every public function is in a grant set or in the owner-only list');

select is_empty(
    $$select o.proname from owner_only o
      where not exists (select 1 from engine_functions f where f.proname = o.proname)$$,
    'the owner-only list names only functions that exist');

select is_empty(
    $$select signature from engine_functions f
      where f.proname in (select proname from owner_only) and cardinality(f.sets) > 0$$,
    'no owner-only function is in a grant set');

select is_empty(
    $$select r.role_set || ' can execute ' || f.signature
      from engine_functions f cross join hostile_roles r
      where f.proname in (select proname from owner_only)
        and has_function_privilege(r.role_name, f.oid, 'execute')
      order by 1$$,
    'no application role can execute an owner-only function');

select is_empty(
    $$select r.role_set || ' can execute ' || f.signature
      from engine_functions f cross join hostile_roles r
      where f.proname ~ '^_' and has_function_privilege(r.role_name, f.oid, 'execute')
      order by 1$$,
    'no application role can execute a private helper (_…)');

select is_empty(
    $$select r.role_set || ' cannot execute ' || f.signature
      from engine_functions f cross join hostile_roles r
      where r.role_set = any (f.sets) and not has_function_privilege(r.role_name, f.oid, 'execute')
      order by 1$$,
    'each role can execute every function of its set');

-- 2. Calling any function outside one's set: 42501, for every (role, function) pair.
create temp table outside_calls as
select r.role_set, f.signature,
       pg_temp.sqlstate_as(r.role_name, format('select %s(%s)', f.oid::regproc::text, pg_temp.dummy_args(f.oid))) as got
from engine_functions f cross join hostile_roles r
where not (r.role_set = any (f.sets));

select cmp_ok((select count(*)::integer from outside_calls where role_set = 'none'),
              '=', (select count(*)::integer from engine_functions), 'every function was called by the role with no grant');
select is_empty(
    $$select role_set || ': ' || signature || ' → ' || got from outside_calls
      where role_set in ('viewer', 'client', 'worker') and got <> '42501' order by 1$$,
    'every function outside a role''s set raises 42501 when that role calls it');
select is_empty(
    $$select signature || ' → ' || got from outside_calls where role_set = 'none' and got <> '42501' order by 1$$,
    'every function of the schema raises 42501 for a role with no grant');

-- 3. Tables, views and sequences.
create temp table engine_relations as
select c.oid, c.oid::regclass::text as name, c.relkind
from pg_catalog.pg_class c
where c.relnamespace = 'steadfast'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S');

select cmp_ok((select count(*)::integer from engine_relations where relkind = 'r'), '>=', 8,
              'the engine''s tables are installed');

select is_empty(
    $$select r.role_set || ' has a privilege on ' || c.name
      from engine_relations c cross join hostile_roles r
      where c.relkind <> 'S'
        and (has_table_privilege(r.role_name, c.oid, 'select, insert, update, delete, truncate, references, trigger')
             or has_any_column_privilege(r.role_name, c.oid, 'select, insert, update, references'))
      order by 1$$,
    'no application role has any privilege on a table or view of the schema');

select is_empty(
    $$select r.role_set || ' has a privilege on sequence ' || c.name
      from engine_relations c cross join hostile_roles r
      where c.relkind = 'S' and has_sequence_privilege(r.role_name, c.oid, 'usage, select, update')
      order by 1$$,
    'no application role has any privilege on a sequence of the schema');

create temp table relation_attempts as
select r.role_set, c.name, s.verb,
       pg_temp.sqlstate_as(r.role_name, s.sql) as got
from engine_relations c
     cross join hostile_roles r
     cross join lateral (values
        ('select', format('select 1 from %s where false', c.name)),
        ('insert', format('insert into %s default values', c.name)),
        ('update', format('update %s set %I = %I where false', c.name,
                          (select a.attname from pg_catalog.pg_attribute a
                           where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum limit 1),
                          (select a.attname from pg_catalog.pg_attribute a
                           where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum limit 1))),
        ('delete', format('delete from %s where false', c.name)),
        ('truncate', case when c.relkind in ('r', 'p') then format('truncate %s', c.name) end),
        ('nextval', case when c.relkind = 'S' then format('select pg_catalog.nextval(%L::pg_catalog.regclass)', c.name) end)
     ) s(verb, sql)
-- (a view that is not auto-updatable refuses DML before privileges are checked: its
-- privileges are checked above; it is only read here)
where s.sql is not null
  and case c.relkind when 'S' then s.verb in ('select', 'nextval')
                     when 'v' then s.verb = 'select'
                     else s.verb <> 'nextval' end;

select is_empty(
    $$select role_set || ': ' || verb || ' ' || name || ' → ' || got from relation_attempts
      where got <> '42501' order by 1$$,
    'no application role can select, insert, update, delete or truncate any table or view of the schema');

select is_empty(
    $$select r.role_set from hostile_roles r where has_schema_privilege(r.role_name, 'steadfast', 'create')$$,
    'no application role can create objects in schema steadfast');

-- 4. search_path pinning and ownership.
select is_empty(
    $$select signature || ' ' || coalesce(array_to_string(proconfig, ' '), '(no settings)')
      from engine_functions f
      where (f.prosecdef or cardinality(f.sets) > 0)
        and not exists (select 1 from unnest(f.proconfig) c
                        where replace(c, ' ', '') in ('search_path=pg_catalog,pg_temp', 'search_path="pg_catalog","pg_temp"'))
      order by 1$$,
    'every security definer function, and every function a set grants, pins search_path = pg_catalog, pg_temp');

select is_empty(
    $$select signature || ' is owned by ' || proowner::regrole::text from engine_functions f
      where f.proowner <> (select n.nspowner from pg_catalog.pg_namespace n where n.nspname = 'steadfast')
      order by 1$$,
    'every function of the schema belongs to the schema''s owner');

select is_empty(
    $$select p.oid::regprocedure::text from pg_catalog.pg_proc p
      where p.prosecdef and p.pronamespace <> 'steadfast'::regnamespace
        and exists (select 1 from hostile_roles r where r.role_name::regrole = p.proowner)$$,
    'no application role owns a security definer function');

-- A backslash in an ordinary string literal of a function body means what the session's
-- standard_conforming_strings says, and any role may turn it off: '\s+' became 's+' and a
-- worker's tick then recorded a parse error and unscheduled other applications' schedules
-- (see session_settings.sql). No body may hold one outside comments and E'…' literals,
-- unless the function pins standard_conforming_strings = on.
select is_empty(
    $$select signature from engine_functions f
      where not exists (select 1 from unnest(f.proconfig) c where c = 'standard_conforming_strings=on')
        and regexp_replace(regexp_replace((select p.prosrc from pg_catalog.pg_proc p where p.oid = f.oid),
                                          '--[^\n]*', '', 'g'),
                           '[eE]''([^''\\]|''''|\\.)*''', '', 'g') like '%\\%'
      order by 1$$,
    'no function body reads a backslash through the session''s standard_conforming_strings');

-- 5. A function an upgrade adds to the schema (a new function, or one a migration drops and
-- creates again with a new signature) gets PUBLIC's EXECUTE by default. Each step of the
-- bundle commits on its own, so unless the step that creates it also revokes that, a new
-- owner-only security definer function is callable by every role with USAGE on the schema
-- until sql/90_grants.sql runs. Applied here through the install path itself.
select ok(steadfast._apply_migration(2147483000, '2147483000_hostile_probe',
    $$create function steadfast.hostile_probe_migration() returns integer language sql security definer
      set search_path = pg_catalog, pg_temp as 'select 1'$$), 'a probe migration creates a function');
select ok(steadfast._apply_code('zz_hostile_probe.sql',
    $$create function steadfast.hostile_probe_code() returns integer language sql security definer
      set search_path = pg_catalog, pg_temp as 'select 1'$$), 'a probe code file creates a function');
select is_empty(
    $$select r.role_set || ' → ' || f || ': ' || pg_temp.sqlstate_as(r.role_name, format('select %s()', f))
      from hostile_roles r
           cross join unnest(array['steadfast.hostile_probe_migration', 'steadfast.hostile_probe_code']) f
      where pg_temp.sqlstate_as(r.role_name, format('select %s()', f)) <> '42501'
      order by 1$$,
    'a function created by a migration or a code file is not executable by application roles once that step commits');

select * from finish();
rollback;
