-- Hostile roles, shadowing: objects a role creates where name resolution could find them never
-- run with the owner's rights inside the engine's security definer functions.
--
-- For each grant set (viewer, client, worker), a role with that set — and CREATE on the
-- database, so that it owns a schema too — creates, in pg_temp and in its own schema:
--   * domains named like the built-in types (text, jsonb, timestamptz, int4, float8, …) whose
--     CHECK calls sfh_check();
--   * views named like every table and view of schema steadfast and like the catalogs the
--     engine reads (pg_locks, pg_stat_activity, …), same columns, whose rows call sfh_check()
--     and whose INSTEAD OF triggers do too;
--   * a function for every pg_catalog function whose name appears in the engine's code (now,
--     jsonb_typeof, format, …) and an operator for every pg_catalog operator over the types
--     the engine uses (->, ->>, ||, =, <=, …), each calling sfh_check();
--   * collations "C" and "POSIX";
-- then, with its search_path set to its schema, pg_temp, pg_catalog, calls EVERY function of
-- its set (generated from steadfast.grant_sets() joined to pg_proc) with arguments generated
-- from the parameters' names and types (fixtures: a running and a failed workflow, an
-- executor registered by the worker role in this session, a due schedule, a queue). Each call
-- is rolled back so the next sees the same fixtures.
-- sfh_check() passes when current_user is the hostile role; otherwise — shadow code running as
-- the owner — it bumps a sequence (nextval survives any rollback, so an engine that swallows
-- the error still leaves a trace) and raises XX666.
-- Asserts, per set: the shadows were really created; four deliberately vulnerable security
-- definer functions (controls: pg_temp first for a type, pg_temp first for a table, no pinned
-- path, pinned path but an unqualified table name) are caught — the harness detects what it
-- looks for; every function of the set was called; no call moved the trace; no call raised
-- XX666; every call succeeded or raised an engine error (a SQLSTATE of steadfast.error_codes()).
-- Runs in the test's session (shadows are per session); the calls' session_user is the
-- owner's, which only the clock looks at (session_clock.sql covers that).
begin;
select plan(19);
set local client_min_messages = warning;

select 'sfh_sh_v_' || pg_backend_pid() as viewer, 'sfh_sh_c_' || pg_backend_pid() as client,
       'sfh_sh_w_' || pg_backend_pid() as worker \gset
select steadfast_test.fresh_role(:'viewer', 'viewer', p_login => false);
select steadfast_test.fresh_role(:'client', 'client', p_login => false);
select steadfast_test.fresh_role(:'worker', 'worker', p_login => false);
do $$ begin
    execute format('grant create on database %I to %I, %I, %I', current_database(),
                   'sfh_sh_v_' || pg_backend_pid(), 'sfh_sh_c_' || pg_backend_pid(), 'sfh_sh_w_' || pg_backend_pid());
end $$;

-- Fixtures, as the owner and the worker role (in this session: the executor is this session's).
select steadfast_test.queue('hsh_q');
select steadfast_test.as_role(:'worker',
    $$select steadfast.register_executor('hsh-e', '{"queues": ["hsh_q"], "lease_seconds": 3600}')$$);
select count(*) from steadfast.start_workflow('hsh-failed', 'job', '{"n": 1}', '{"queue": "hsh_q"}');
select steadfast_test.as_role(:'worker', $$select steadfast.claim_workflows('hsh-e', 1)$$);
select steadfast_test.as_role(:'worker', $$select steadfast.record_step('hsh-failed', 1, 'a', '1')$$);
select steadfast_test.as_role(:'worker',
    $$select steadfast.fail_workflow('hsh-failed', 1, '{"message": "boom"}', '{"retryable": false}')$$);
select count(*) from steadfast.start_workflow('hsh-run', 'job', '{"n": 2}', '{"queue": "hsh_q"}');
select steadfast_test.as_role(:'worker', $$select steadfast.claim_workflows('hsh-e', 1)$$);
select steadfast_test.as_role(:'worker', $$select steadfast.record_step('hsh-run', 1, 'a', '1')$$);
select count(*) from steadfast.create_schedule('hsh_sched', '* * * * *', 'job', '{"queue": "hsh_q"}');
update steadfast.schedules set next_fire_at = date_trunc('minute', now()) - interval '5 minutes'
where name = 'hsh_sched';

select results_eq(
    $$select id, status, attempt, executor_id from steadfast.workflows where id like 'hsh-%' order by id$$,
    $$values ('hsh-failed', 'failed', 1, null::text), ('hsh-run', 'running', 1, 'hsh-e')$$,
    'fixtures: a failed workflow and one running under the worker''s executor');

-- The controls: security definer functions (the owner's) that resolve names the wrong way.
-- Calling them must be caught, or the harness proves nothing.
create schema sfh_control;
create function sfh_control.pg_temp_first_type() returns integer language plpgsql security definer
set search_path = pg_temp, pg_catalog as $$ begin return length('x'::text); end $$;
create function sfh_control.pg_temp_first_relation() returns integer language plpgsql security definer
set search_path = pg_temp, pg_catalog as $$ begin return (select count(*) from workflows); end $$;
create function sfh_control.unpinned() returns integer language plpgsql security definer
as $$ begin return extract(year from now())::integer; end $$;
-- (pinned as the engine pins, but naming a table without its schema: pg_temp, though last,
-- is still searched for a name pg_catalog does not have)
create function sfh_control.pinned_unqualified() returns integer language plpgsql security definer
set search_path = pg_catalog, pg_temp as $$ begin return (select count(*) from workflows); end $$;
grant usage on schema sfh_control to public;
grant execute on all functions in schema sfh_control to public;

-- The trace: bumped by shadow code that runs as anyone but the hostile role.
create temp sequence sfh_hits;
grant all on sequence pg_temp.sfh_hits to public;
create function pg_temp.sfh_hit_count() returns bigint language sql as
$$ select case when is_called then last_value else 0 end from pg_temp.sfh_hits $$;

-- sfh_qualified_type(type) → the type's schema-qualified name (shadows must not capture the
-- DDL that builds them).
create function pg_temp.sfh_qualified_type(p_type oid) returns text language sql stable as $$
    select quote_ident(n.nspname) || '.' || quote_ident(t.typname)
    from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace where t.oid = p_type
$$;

-- sfh_shadow_ddl(role, schema) → the statements that create the shadows, in pg_temp and in the
-- role's own schema. Built from the catalogs before any shadow exists.
create function pg_temp.sfh_shadow_ddl(p_role text, p_schema text) returns text[] language plpgsql
set search_path = pg_catalog, pg_temp as $fn$
declare
    v_ddl text[] := array[format('create schema %I', p_schema)];
    v_check text;
    v_target text;
    v_targets text[] := array['pg_temp', quote_ident(p_schema)];
    v_types text[] := array['text', 'jsonb', 'json', 'timestamptz', 'timestamp', 'interval', 'int4', 'int8', 'int2',
                            'float8', 'float4', 'numeric', 'bool', 'date', 'uuid', 'name', 'oid', 'varchar', 'bpchar',
                            'regclass', 'regproc', 'bytea'];
    v_aliases text[] := array['integer', 'bigint', 'smallint', 'boolean', 'double precision', 'real',
                              'timestamp with time zone', 'character varying', 'text[]', 'jsonb[]', 'int'];
    v_operand_types oid[] := array['text', 'jsonb', 'json', 'timestamptz', 'timestamp', 'interval', 'int4', 'int8',
                                   'int2', 'float8', 'numeric', 'bool', 'date', '_text', '_int4', 'anyarray',
                                   'anyelement', 'anycompatiblearray', 'anycompatible', 'name', 'uuid', 'oid']::regtype[]::oid[];
    v_type text;
    r record;
begin
    foreach v_target in array v_targets loop
        -- The check: passes for the hostile role; anyone else leaves a trace and fails.
        v_check := v_target || '.sfh_check()';
        v_ddl := v_ddl || format($ddl$create function %s.sfh_check() returns boolean language plpgsql
            set search_path = pg_catalog, pg_temp as $b$
            begin
                if current_user operator(pg_catalog.<>) %L then
                    perform pg_catalog.nextval('pg_temp.sfh_hits'::pg_catalog.regclass);
                    raise exception using errcode = 'XX666',
                        message = pg_catalog.format('hostile shadow code ran as %%s', current_user);
                end if;
                return true;
            end $b$$ddl$, v_target, p_role);
        v_ddl := v_ddl || format($ddl$create function %s.sfh_trigger() returns trigger language plpgsql
            set search_path = pg_catalog, pg_temp as $b$ begin perform %s; return null; end $b$$ddl$, v_target, v_check);

        -- Functions named like every pg_catalog function the engine's code mentions.
        for r in
            select p.oid, p.proname, pg_catalog.pg_get_function_result(p.oid) as result,
                   (select coalesce(string_agg(pg_temp.sfh_qualified_type(a.t), ', ' order by a.n), '')
                    from unnest(p.proargtypes::oid[]) with ordinality a(t, n)) as args
            from pg_catalog.pg_proc p
            where p.pronamespace = 'pg_catalog'::regnamespace and p.prokind = 'f'
              and p.proname in (select w from pg_catalog.pg_proc e,
                                     lateral pg_catalog.regexp_split_to_table(pg_catalog.lower(e.prosrc), '[^a-z0-9_]+') w
                                where e.pronamespace = 'steadfast'::regnamespace)
        loop
            v_ddl := v_ddl || format($ddl$create function %s.%I(%s) returns %s language plpgsql
                set search_path = pg_catalog, pg_temp as $b$
                begin
                    perform %s;
                    raise exception using errcode = 'XX667', message = 'shadow function %s called by its own role';
                end $b$$ddl$, v_target, r.proname, r.args, r.result, v_check, r.proname);
        end loop;

        -- Operators over the types the engine uses.
        for r in
            select o.oid, o.oprname, o.oprleft, o.oprright, o.oprresult
            from pg_catalog.pg_operator o
            where o.oprnamespace = 'pg_catalog'::regnamespace
              and (o.oprleft = 0 or o.oprleft = any (v_operand_types)) and o.oprright = any (v_operand_types)
        loop
            v_ddl := v_ddl || format($ddl$create function %s.sfh_op_%s(%s) returns %s language plpgsql
                set search_path = pg_catalog, pg_temp as $b$
                begin
                    perform %s;
                    raise exception using errcode = 'XX667', message = 'shadow operator called by its own role';
                end $b$$ddl$, v_target, r.oid,
                case when r.oprleft = 0 then pg_temp.sfh_qualified_type(r.oprright)
                     else pg_temp.sfh_qualified_type(r.oprleft) || ', ' || pg_temp.sfh_qualified_type(r.oprright) end,
                pg_temp.sfh_qualified_type(r.oprresult), v_check);
            v_ddl := v_ddl || format('create operator %s.%s (%s rightarg = %s, function = %s.sfh_op_%s)',
                v_target, r.oprname,
                case when r.oprleft = 0 then '' else 'leftarg = ' || pg_temp.sfh_qualified_type(r.oprleft) || ',' end,
                pg_temp.sfh_qualified_type(r.oprright), v_target, r.oid);
        end loop;

        -- Views named like every relation of the engine and the catalogs it reads.
        for r in
            select c.oid, c.relname
            from pg_catalog.pg_class c
            where (c.relnamespace = 'steadfast'::regnamespace and c.relkind in ('r', 'p', 'v', 'm'))
               or (c.relnamespace = 'pg_catalog'::regnamespace
                   and c.relname in ('pg_locks', 'pg_stat_activity', 'pg_database', 'pg_namespace', 'pg_roles',
                                     'pg_timezone_names', 'pg_proc', 'pg_class', 'pg_settings', 'pg_type',
                                     'pg_authid', 'pg_auth_members', 'pg_attribute'))
        loop
            v_ddl := v_ddl || format('create view %s.%I as select %s where %s', v_target, r.relname,
                (select string_agg(format('null::%s as %I',
                                          case when (select t.typtype from pg_catalog.pg_type t where t.oid = a.atttypid) = 'p'
                                               then 'pg_catalog.text' else pg_temp.sfh_qualified_type(a.atttypid) end,
                                          a.attname), ', '
                                   order by a.attnum)
                 from pg_catalog.pg_attribute a where a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped),
                v_check);
            v_ddl := v_ddl || format('create trigger sfh_t instead of insert or update or delete on %s.%I
                for each row execute function %s.sfh_trigger()', v_target, r.relname, v_target);
        end loop;

        -- Collations.
        v_ddl := v_ddl || format('create collation %s."C" from pg_catalog."POSIX"', v_target)
                       || format('create collation %s."POSIX" from pg_catalog."C"', v_target);

        -- Domains named like the built-in types, last (nothing above may resolve to them).
        foreach v_type in array v_types || v_aliases loop
            v_ddl := v_ddl || format('create domain %s.%I as %s check (%s or value is null)', v_target, v_type,
                case when v_type = any (v_aliases) then v_type else 'pg_catalog.' || v_type end, v_check);
        end loop;
    end loop;
    return v_ddl;
end;
$fn$;

-- sfh_arg(function, parameter name, type, variant) → a plausible SQL argument: fixtures where
-- the parameter's name says what it is, else a value of its type.
create function pg_temp.sfh_arg(p_function text, p_role text, p_name text, p_type oid, p_variant integer)
returns text language sql stable as $fn$
    select case
        when p_type = 'pg_catalog.text'::regtype then format('%L::pg_catalog.text', case
            when p_name ~ 'executor' then 'hsh-e'
            when p_name ~ 'workflow_id' then (array['hsh-run', 'hsh-failed', 'hsh-new'])[p_variant]
            when p_name ~ 'workflow_name' then 'job'
            when p_name ~ 'cron' then '* * * * *'
            when p_name ~ 'time_zone' then 'UTC'
            when p_name ~ 'queue' then 'hsh_q'
            when p_name ~ 'role' then p_role
            when p_name ~ '^p_name$' and p_function ~ 'schedule' then 'hsh_sched'
            when p_name ~ 'name' then 'job'
            else 'hsh-x' end)
        when p_type = 'pg_catalog.jsonb'::regtype then format('%L::pg_catalog.jsonb', case
            when p_name ~ 'writes' then '[{"kind": "step", "workflow_id": "hsh-run", "attempt": 1, "name": "b", "output": 2},
                                          {"kind": "complete", "workflow_id": "hsh-run", "attempt": 1, "output": {"ok": true}}]'
            when p_name ~ 'workflows' then '[{"name": "job", "workflow_id": "hsh-batch", "input": {"n": 3}},
                                             {"name": "job", "input": null, "options": {"queue": "hsh_q"}}]'
            when p_name ~ 'error' then '{"message": "boom"}'
            when p_name ~ 'input|output' then '{"n": 4}'
            else '{}' end)
        when p_type in ('pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype, 'pg_catalog.int2'::regtype) then
            format('%s::%s', case when p_name ~ 'limit|count|batch' then 10 else 1 end, p_type::regtype)
        when p_type in ('pg_catalog.float8'::regtype, 'pg_catalog.numeric'::regtype) then format('1::%s', p_type::regtype)
        when p_type = 'pg_catalog.bool'::regtype then 'false'
        when p_type = 'pg_catalog.timestamptz'::regtype then 'pg_catalog.now()'
        when p_type = 'pg_catalog.interval'::regtype then '''1 day''::pg_catalog.interval'
        when p_type = 'pg_catalog._text'::regtype then 'null::pg_catalog.text[]'
        else format('null::%s', pg_temp.sfh_qualified_type(p_type))
    end
$fn$;

-- sfh_calls(role, set) → (ord, fn, sql): one call per function of the set, three for those
-- taking a workflow id (running, failed, new); deregister_executor last.
create function pg_temp.sfh_calls(p_role text, p_set text) returns table (ord bigint, fn text, sql text)
language sql stable as $fn$
    with fns as (
        select p.oid, p.proname::text as proname, p.oid::regprocedure::text as signature,
               exists (select 1 from unnest(p.proargnames) n where n ~ 'workflow_id')
               and p.proname <> 'start_workflows' as has_workflow_id
        from steadfast.grant_sets() g join pg_catalog.pg_proc p on p.oid = pg_catalog.to_regprocedure(g.function_signature)
        where g.role_set = p_set
    ), calls as (
        select f.*, v.variant
        from fns f cross join lateral generate_series(1, case when f.has_workflow_id then 3 else 1 end) v(variant)
    )
    select row_number() over (order by c.proname = 'deregister_executor', c.proname, c.variant) + 4,
           c.signature,
           format('select pg_catalog.count(*) from %s(%s)', c.oid::regproc::text,
                  (select coalesce(string_agg(pg_temp.sfh_arg(c.proname, p_role, a.name, a.typ, c.variant), ', '
                                              order by a.ord), '')
                   from pg_catalog.pg_proc p
                        cross join lateral unnest(p.proargtypes::oid[]) with ordinality a0(typ, ord)
                        cross join lateral (select a0.typ, a0.ord, (p.proargnames)[a0.ord] as name) a
                   where p.oid = c.oid))
    from calls c
    union all
    -- The controls (first): deliberately vulnerable functions, which must be caught.
    values (1, '(control) pg_temp first, a type', 'select pg_catalog.count(*) from sfh_control.pg_temp_first_type()'),
           (2, '(control) pg_temp first, a relation', 'select pg_catalog.count(*) from sfh_control.pg_temp_first_relation()'),
           (3, '(control) unpinned', 'select pg_catalog.count(*) from sfh_control.unpinned()'),
           (4, '(control) pinned, unqualified table', 'select pg_catalog.count(*) from sfh_control.pinned_unqualified()')
$fn$;

-- sfh_shadow_run(role, set) → (fn, call, outcome, message): creates the shadows as the role,
-- makes every call as the role with its hostile search_path, and rolls everything back.
-- outcome: 'ok', or the SQLSTATE raised. One extra row, fn '(shadows)', outcome = how many
-- shadow objects were created, message = how many statements were refused.
create function pg_temp.sfh_shadow_run(p_role text, p_set text)
returns table (fn text, call text, outcome text, message text, hits bigint)
language plpgsql set search_path = pg_catalog, pg_temp as $fn$
declare
    v_schema text := p_role || '_schema';
    v_ddl text[] := pg_temp.sfh_shadow_ddl(p_role, v_schema);
    v_fns text[];
    v_calls text[];
    v_path text := format('%I, pg_temp, pg_catalog', v_schema);
    v_created integer := 0;
    v_refused integer := 0;
    v_out jsonb := '[]';
    v_stmt text;
    v_state text;
    v_message text;
    v_hits bigint;
begin
    select array_agg(c.fn order by c.ord), array_agg(c.sql order by c.ord) into v_fns, v_calls
    from pg_temp.sfh_calls(p_role, p_set) c;
    begin
        execute format('set local role %I', p_role);
        foreach v_stmt in array v_ddl loop
            begin
                execute v_stmt;
                v_created := v_created + 1;
            exception when others then
                v_refused := v_refused + 1;
            end;
        end loop;
        for i in 1 .. cardinality(v_calls) loop
            v_hits := pg_temp.sfh_hit_count();
            begin
                perform pg_catalog.set_config('search_path', v_path, true);
                execute v_calls[i];
                raise exception using errcode = 'ZZ001';
            exception when others then
                get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
                v_out := v_out || jsonb_build_array(jsonb_build_object(
                    'fn', v_fns[i], 'call', v_calls[i],
                    'outcome', case when v_state = 'ZZ001' then 'ok' else v_state end,
                    'message', case when v_state = 'ZZ001' then '' else v_message end,
                    'hits', pg_temp.sfh_hit_count() - v_hits));
            end;
        end loop;
        raise exception using errcode = 'ZZ002';
    exception when sqlstate 'ZZ002' then
        null;
    end;
    return query
    select x ->> 'fn', x ->> 'call', x ->> 'outcome', x ->> 'message', (x ->> 'hits')::bigint
    from jsonb_array_elements(v_out) x
    union all
    select '(shadows)', '', v_created::text, v_refused::text, 0::bigint;
end;
$fn$;

create temp table shadow_results (role_set text, fn text, call text, outcome text, message text, hits bigint);

insert into shadow_results select 'viewer', r.* from pg_temp.sfh_shadow_run(:'viewer', 'viewer') r;
insert into shadow_results select 'client', r.* from pg_temp.sfh_shadow_run(:'client', 'client') r;
insert into shadow_results select 'worker', r.* from pg_temp.sfh_shadow_run(:'worker', 'worker') r;

-- (The outcome of every call is in shadow_results; the checks below list the offenders.)

create function pg_temp.sfh_checks(p_set text) returns setof text language plpgsql as $fn$
begin
    return next cmp_ok((select outcome::integer from shadow_results where role_set = p_set and fn = '(shadows)'), '>=', 1000,
                       p_set || ': the role created its shadow objects (domains, views, functions, operators)');
    return next is_empty(format($q$
        select fn || ' → ' || outcome || ', trace moved by ' || hits from shadow_results
        where role_set = %L and fn like '(control)%%' and not (outcome = 'XX666' and hits > 0)$q$, p_set),
        p_set || ': the controls (definer functions that resolve a name through pg_temp or the caller''s path) are caught');
    return next is_empty(format($q$
        select signature from steadfast.grant_sets() g, lateral (select g.function_signature as signature) s
        where g.role_set = %L and pg_catalog.to_regprocedure(g.function_signature) is not null
          and pg_catalog.to_regprocedure(g.function_signature)::text
              not in (select fn from shadow_results where role_set = %L)$q$, p_set, p_set),
        p_set || ': every function of the set was called');
    return next is_empty(format($q$
        select call || ' → trace moved by ' || hits from shadow_results
        where role_set = %L and fn not like '(%%' and hits <> 0$q$, p_set),
        p_set || ': no shadow object ever ran as another role than the hostile one');
    return next is_empty(format($q$
        select call || ' → ' || outcome || ': ' || message from shadow_results
        where role_set = %L and fn not like '(%%'
          and (outcome in ('XX666', 'XX667') or message ~ 'hostile shadow|shadow (function|operator)')$q$, p_set),
        p_set || ': no call raised the shadow code''s error');
    return next is_empty(format($q$
        select call || ' → ' || outcome || ': ' || message from shadow_results
        where role_set = %L and fn not like '(%%' and outcome <> 'ok'
          and outcome not in (select sqlstate from steadfast.error_codes())$q$, p_set),
        p_set || ': every call succeeded or raised an engine error (class SF)');
end;
$fn$;

select * from pg_temp.sfh_checks('viewer');
select * from pg_temp.sfh_checks('client');
select * from pg_temp.sfh_checks('worker');

select * from finish();
rollback;
