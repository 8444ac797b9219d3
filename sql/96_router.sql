-- The router: a database whose steadfast.* functions have the engine's names, arguments and
-- results, implemented with PL/Proxy over N shards (docs/scale-out.md). router_ddl() writes it
-- from this database's own catalog — every public function's signature comes from pg_proc, and
-- how it is routed from _router_routes() below, which must name every one (a function added
-- later and not routed makes router_ddl raise, and the pgTAP suite fail) — so the router cannot
-- drift from the engine it fronts. Install: scripts/shards.sh, or by hand:
--
--   psql shard_k -c "select steadfast.configure_shard(k, N)"        -- each shard, once
--   psql router  -c "create extension plproxy"                        -- a superuser
--   psql router  -c "create server steadfast_shards foreign data wrapper plproxy
--                    options (p0 'dbname=… host=…', p1 …)"       -- and steadfast_probe, the same
--   psql router  -c "create user mapping for public server steadfast_shards"  -- and _probe
--   psql shard_0 -XAtc "select steadfast.router_ddl()" | psql router -v ON_ERROR_STOP=1
--
-- Routes:
--   workflow   the call is about one workflow (its id is the first argument): it runs on the
--              workflow's shard (RUN ON shard_hash(id)).
--   schedule   the call is about one schedule (its name is the first argument): it runs on the
--              shard of the schedule's occurrences, which tick there.
--   one        the answer is the same on every shard (constants, settings read): shard 0.
--   all        the call runs on every shard, in parallel, and the rows are combined by the
--              query in `combine` over r (the rows of all shards; a scalar function's value is
--              r.v): sums of counts, a merged order with the caller's limit, one settings row.
--   router     the call needs work on the router first (an id to generate so that later calls
--              find the workflow, a batch to split by shard, a claim to spread): its body is
--              `combine`, run on the router; it calls _on_<name>(partition, …), which runs the
--              engine's function on one partition.
--   grant      grant_viewer/client/worker: the set granted on every shard, then on the router
--              (its functions, their helpers and the servers).
-- The router's functions run with the caller's rights (never security definer), and PL/Proxy
-- connects to the shards as the calling role: a role can do through the router exactly what
-- its grants on the shards let it do. grant_viewer/client/worker on the router grant a set on
-- every shard and on the router alike.

-- _router_routes() → (function_name, route, combine): how the router runs each public
-- function. Immutable; never raises.
create or replace function steadfast._router_routes()
returns table (function_name text, route text, combine text)
language sql
immutable
as $fn$
    values
    -- one workflow
    ('get_workflow', 'workflow', null), ('list_steps', 'workflow', null),
    ('cancel_workflow', 'workflow', null), ('resume_workflow', 'workflow', null),
    ('record_step', 'workflow', null), ('complete_workflow', 'workflow', null),
    ('fail_workflow', 'workflow', null), ('sleep_workflow', 'workflow', null),
    ('start_child_workflow', 'workflow', null), ('start_child_workflows', 'workflow', null),
    ('await_children', 'workflow', null), ('receive_message', 'workflow', null),
    ('send_message', 'workflow', null), ('set_event', 'workflow', null), ('await_event', 'workflow', null),
    ('get_event', 'workflow', null), ('list_events', 'workflow', null),
    ('write_stream', 'workflow', null), ('read_stream', 'workflow', null),
    -- one schedule
    ('create_schedule', 'schedule', null), ('define_schedule', 'schedule', null),
    ('alter_schedule', 'schedule', null), ('pause_schedule', 'schedule', null),
    ('resume_schedule', 'schedule', null), ('delete_schedule', 'schedule', null),
    -- the same everywhere
    ('error_codes', 'one', null), ('next_fire_times', 'one', null), ('grant_sets', 'one', null),
    ('breaking_migrations_after', 'one', null), ('get_settings', 'one', null), ('now', 'one', null),
    ('shard_key', 'one', null), ('shard_hash', 'one', null), ('shard_of', 'one', null),
    ('router_ddl', 'one', null),
    -- every shard, combined
    ('schema_version', 'all', 'select pg_catalog.min(r.v) from r'),
    ('shard_identity', 'all', 'select r.shard, r.shards from r order by r.shard'),
    ('schedules_here', 'all', 'select r.name, pg_catalog.bool_or(r.present) from r group by r.name order by r.name'),
    ('holds', 'workflow', null),
    ('validate_workflows', 'one', null),
    ('list_workflows', 'all',
     'select r.* from r order by r.created_at desc, r.workflow_id desc
      limit coalesce((p_options ->> ''limit'')::integer, 100)'),
    ('list_stranded', 'all',
     'select r.* from r order by r.created_at, r.workflow_id limit coalesce((p_options ->> ''limit'')::integer, 100)'),
    ('list_schedules', 'all', 'select r.* from r order by r.name'),
    ('list_queues', 'all',
     'select r.queue, pg_catalog.sum(r.enqueued)::bigint, pg_catalog.sum(r.delayed)::bigint,
             pg_catalog.sum(r.running)::bigint, pg_catalog.sum(r.waiting)::bigint,
             pg_catalog.max(r.oldest_enqueued_age), pg_catalog.max(r.concurrency), pg_catalog.max(r.worker_concurrency),
             pg_catalog.max(r.partition_concurrency), pg_catalog.max(r.rate_limit), pg_catalog.max(r.rate_period),
             pg_catalog.min(r.created_at), pg_catalog.max(r.updated_at)
      from r group by r.queue order by r.queue'),
    ('list_executors', 'all',
     'select distinct on (r.executor_id) r.executor_id, r.host, r.pid, r.app_version, r.queues, r.state,
             pg_catalog.bool_and(r.alive) over w, (pg_catalog.sum(r.running) over w)::integer, r.registered_at,
             r.heartbeat_at, r.lease_expires_at, r.stopped_at, r.stop_reason, r.workflows
      from r window w as (partition by r.executor_id)
      order by r.executor_id, r.alive, r.heartbeat_at'),
    ('metrics', 'all',
     'select r.metric, r.queue, r.label,
             case when r.metric in (''steadfast_oldest_ready_seconds'', ''steadfast_executors'')
                  then pg_catalog.max(r.value) else pg_catalog.sum(r.value) end
      from r group by r.metric, r.queue, r.label order by r.metric, r.queue, r.label'),
    ('create_queue', 'all', 'select r.name, pg_catalog.bool_or(r.created) from r group by r.name'),
    ('define_queue', 'all', 'select r.name, pg_catalog.bool_or(r.created) from r group by r.name'),
    ('alter_queue', 'all', 'select r.* from r order by r.updated_at desc limit 1'),
    ('delete_queue', 'all', null),
    ('set_settings', 'all', 'select (pg_catalog.array_agg(r.v))[1] from r'),
    ('set_fake_now', 'all', 'select pg_catalog.max(r.v) from r'),
    ('recover_workflows', 'all', 'select coalesce(pg_catalog.sum(r.v), 0)::integer from r'),
    ('prune_workflows', 'all',
     'select coalesce(pg_catalog.sum(r.deleted_workflows), 0)::integer, coalesce(pg_catalog.sum(r.deleted_steps), 0)::integer,
             coalesce(pg_catalog.bool_or(r.more), false) from r'),
    ('tick_schedules', 'all',
     'select coalesce(pg_catalog.sum(r.started), 0)::integer, coalesce(pg_catalog.bool_or(r.more), false),
             pg_catalog.min(r.next_due_at), pg_catalog.max(r.checked_at) from r'),
    ('register_executor', 'all',
     'select r.executor_id, pg_catalog.min(r.lock_key), pg_catalog.min(r.lease_expires_at) from r group by r.executor_id'),
    ('heartbeat_executor', 'all', 'select pg_catalog.min(r.v) from r'),
    ('deregister_executor', 'all', 'select coalesce(pg_catalog.sum(r.v), 0)::integer from r'),
    ('release_workflows', 'all', 'select coalesce(pg_catalog.sum(r.v), 0)::integer from r'),

    -- on the router first
    ('start_workflow', 'router', $r$
declare
    v_id text := coalesce(p_workflow_id, pg_catalog.gen_random_uuid()::text);
begin
    return query select * from steadfast._on_start_workflow(steadfast._router_place(v_id), v_id, p_name, p_input, p_options);
end;
$r$),
    ('start_workflow_and_claim', 'router', $r$
declare
    v_id text := coalesce(p_workflow_id, pg_catalog.gen_random_uuid()::text);
begin
    return query select * from steadfast._on_start_workflow_and_claim(steadfast._router_place(v_id), p_executor_id, v_id,
                                                                       p_name, p_input, p_options);
end;
$r$),
    ('fork_workflow', 'router', $r$
declare
    v_options jsonb := coalesce(p_options, '{}');
    v_shards integer := steadfast._router_shards();
    v_place integer := steadfast._router_place(p_workflow_id);
    v_id text;
begin
    -- The fork is created on the original's shard, so its id must belong there: the original's
    -- key and a new suffix (a tenant's forks stay with the tenant), or, for an id in the
    -- reserved schedule: namespace, a new id drawn until it lands on that shard.
    if pg_catalog.jsonb_typeof(v_options) = 'object' and v_options ->> 'workflow_id' is null and p_workflow_id is not null then
        if pg_catalog.starts_with(p_workflow_id, 'schedule:') then
            loop
                v_id := 'fork-' || pg_catalog.gen_random_uuid()::text;
                exit when (steadfast.shard_hash(v_id) & (v_shards - 1)) = v_place;
            end loop;
        else
            v_id := steadfast.shard_key(p_workflow_id) || '/fork-' || pg_catalog.gen_random_uuid()::text;
        end if;
        v_options := v_options || pg_catalog.jsonb_build_object('workflow_id', v_id);
    end if;
    return query select * from steadfast._on_fork_workflow(v_place, p_workflow_id, p_from_step, v_options);
end;
$r$),
    ('start_workflows', 'router', $r$
declare
    v_elements jsonb;
    v_parts jsonb;
    v_state text;
    v_message text;
    v_detail text;
    v_hint text;
begin
    -- Not an array, or an empty one: shard 0 answers as a single database would.
    if pg_catalog.jsonb_typeof(p_workflows) is distinct from 'array' or pg_catalog.jsonb_array_length(p_workflows) = 0 then
        return query select * from steadfast._on_start_workflows(0, p_workflows, p_options);
        return;
    end if;
    -- Ids are chosen here, so that later calls find the workflows; then one call per shard,
    -- each shard's part in one transaction of its own (no transaction spans shards).
    select pg_catalog.jsonb_agg(case when pg_catalog.jsonb_typeof(e.value) = 'object' and e.value ->> 'workflow_id' is null
                                     then e.value || pg_catalog.jsonb_build_object('workflow_id', pg_catalog.gen_random_uuid()::text)
                                     else e.value end order by e.n)
    into v_elements
    from pg_catalog.jsonb_array_elements(p_workflows) with ordinality as e(value, n);
    v_parts := steadfast._router_parts(v_elements);
    -- Bad input is found first, by one shard checking the whole batch (validate_workflows), so
    -- that it starts none of it.
    if pg_catalog.jsonb_array_length(v_parts) > 1 then
        begin
            perform steadfast.validate_workflows(v_elements, p_options);
        exception when others then
            get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
                                    v_hint = pg_exception_hint;
            perform steadfast._raise(v_state, pg_catalog.replace(v_message, 'REMOTE ERROR: validate_workflows', 'REMOTE ERROR: start_workflows'),
                                     nullif(v_detail, ''), nullif(v_hint, ''));
        end;
    end if;
    return query
    select x.ordinal, x.workflow_id, x.status, x.created, x.queue, x.available_at, x.output, x.error
    from pg_catalog.jsonb_to_recordset(steadfast._router_run_parts('start_workflows', v_parts, p_options))
         as x(ordinal integer, workflow_id text, status text, created boolean, queue text, available_at timestamptz,
              output jsonb, error jsonb)
    order by x.ordinal;
end;
$r$),
    ('record_batch', 'router', $r$
begin
    -- Not an array, or an empty one: shard 0 answers as a single database would.
    if pg_catalog.jsonb_typeof(p_writes) is distinct from 'array' or pg_catalog.jsonb_array_length(p_writes) = 0 then
        return query select * from steadfast._on_record_batch(0, p_writes);
        return;
    end if;
    return query
    select x.ordinal, x.error_code, x.error_message, x.step_key, x.seq, x.recorded, x.completed_at
    from pg_catalog.jsonb_to_recordset(steadfast._router_run_parts('record_batch', steadfast._router_parts(p_writes), null))
         as x(ordinal integer, error_code text, error_message text, step_key text, seq integer, recorded boolean,
              completed_at timestamptz)
    order by x.ordinal;
end;
$r$),
    ('claim_workflows', 'router', $r$
declare
    v_shards integer := steadfast._router_shards();
    v_first integer := (pg_catalog.random() * 1024)::integer;
    v_left integer := p_limit;
    v_claimed integer;
begin
    -- Shard by shard from a random one, until the limit is reached. The first call always
    -- runs, so that a bad argument is refused as on one database.
    for i in 0 .. v_shards - 1 loop
        return query select * from steadfast._on_claim_workflows((v_first + i) % v_shards, p_executor_id, v_left, p_options);
        get diagnostics v_claimed = row_count;
        v_left := v_left - v_claimed;
        exit when v_left <= 0;
    end loop;
end;
$r$),
    ('configure_shard', 'router', $r$
begin
    raise exception using errcode = 'SF005',
        message = 'configure_shard: run it in each shard''s database, not through the router';
end;
$r$),
    ('grant_viewer', 'grant', null), ('grant_client', 'grant', null), ('grant_worker', 'grant', null),
    ('revoke_grants', 'router', $r$
declare
    v_revoked integer;
begin
    select pg_catalog.max(r) into v_revoked from steadfast._on_all_revoke_grants(p_role) r;
    execute pg_catalog.format('revoke all on all functions in schema steadfast from %I', p_role);
    execute pg_catalog.format('revoke usage on schema steadfast from %I', p_role);
    execute pg_catalog.format('revoke usage on foreign server steadfast_shards from %I', p_role);
    execute pg_catalog.format('revoke usage on foreign server steadfast_probe from %I', p_role);
    return v_revoked;
end;
$r$)
$fn$;

-- router_ddl() → the statements that install (or refresh) the router's schema steadfast, in
-- order: run them in the router database, which has the plproxy extension and the server
-- steadfast_shards (see above). Generated from pg_proc: each public function of schema
-- steadfast gets its signature from here and its body from its route. Raises SF005 naming
-- every public function that _router_routes() does not route. Read-only.
create or replace function steadfast.router_ddl()
returns setof text
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
-- @plpgsql_check_options: performance_warnings = false
declare
    v_missing text;
    f record;
    v_call text;
    v_scalar boolean;
    v_void boolean;
    v_all_result text;
begin
    select pg_catalog.string_agg(p.proname, ', ' order by p.proname) into v_missing
    from pg_catalog.pg_proc p
    where p.pronamespace = 'steadfast'::regnamespace and p.proname !~ '^_'
      and not exists (select 1 from steadfast._router_routes() r where r.function_name = p.proname);
    if v_missing is not null then
        raise exception using errcode = 'SF005',
            message = pg_catalog.format('router_ddl: no route for %s', v_missing),
            hint = 'Add the function to steadfast._router_routes() (sql/96_router.sql).';
    end if;

    return next 'create schema if not exists steadfast';
    return next 'revoke all on schema steadfast from public';
    -- The placement functions, as this database defines them: router and shards hash alike.
    return next pg_catalog.pg_get_functiondef('steadfast.shard_key(text)'::regprocedure);
    return next pg_catalog.pg_get_functiondef('steadfast.shard_hash(text)'::regprocedure);
    -- _router_shards() → the cluster's partition count (the server's p0, p1, … options).
    return next $ddl$create or replace function steadfast._router_shards() returns integer language sql stable
set search_path = pg_catalog, pg_temp as $body$
    select pg_catalog.count(*)::integer from pg_catalog.pg_foreign_server s, pg_catalog.unnest(s.srvoptions) o
    where s.srvname = 'steadfast_shards' and o ~ '^(p|partition_)[0-9]+='
$body$$ddl$;
    -- _router_maps() → the shard counts the cluster has had, newest first (one while it never
    -- grew): made from the server's partitions, and when the server has more partitions than
    -- the newest count (the cluster grew), that count is put in front of the earlier ones.
    return next $ddl$do $body$
declare
    v_now integer := steadfast._router_shards();
    v_maps integer[];
begin
    if pg_catalog.to_regprocedure('steadfast._router_maps()') is not null then
        execute 'select steadfast._router_maps()' into v_maps;
    end if;
    if v_maps is null or v_now > v_maps[1] then
        execute pg_catalog.format('create or replace function steadfast._router_maps() returns integer[] language sql immutable
                                   set search_path = pg_catalog, pg_temp as %L',
                                  pg_catalog.format('select %L::integer[]', (array[v_now] || coalesce(v_maps, '{}'::integer[]))::text));
    end if;
end;
$body$$ddl$;
    -- _on_holds(partition, id): steadfast.holds on that partition, through the server
    -- steadfast_probe (the same partitions): it runs while a call to steadfast_shards is being
    -- placed, and PL/Proxy does not nest calls to one cluster.
    return next $ddl$create or replace function steadfast._on_holds(p_partition integer, p_workflow_id text) returns boolean
language plproxy as $body$
cluster 'steadfast_probe';
run on p_partition;
select steadfast.holds(p_workflow_id);
$body$$ddl$;
    -- _router_place(id) → the partition of the workflow (or, for "schedule:<name>@", the
    -- schedule): by the current map; after the cluster grew, the earlier map's shard when that
    -- shard holds it (steadfast.holds) — existing workflows stay where they were placed.
    return next $ddl$create or replace function steadfast._router_place(p_workflow_id text) returns integer
language plpgsql stable set search_path = pg_catalog, pg_temp as $body$
declare
    v_maps integer[] := steadfast._router_maps();
    v_hash integer := steadfast.shard_hash(p_workflow_id);
    v_new integer := v_hash & (v_maps[1] - 1);
    v_old integer;
begin
    for i in 2 .. pg_catalog.cardinality(v_maps) loop
        v_old := v_hash & (v_maps[i] - 1);
        if v_old <> v_new and steadfast._on_holds(v_old, p_workflow_id) then
            return v_old;
        end if;
    end loop;
    return v_new;
end;
$body$$ddl$;
    -- _raise(code, message, detail, hint), as the engine raises its errors.
    return next pg_catalog.pg_get_functiondef('steadfast._raise(text,text,text,text)'::regprocedure);
    -- _router_renumbered(message, function, ordinals) → a shard's error message about element n
    -- of its part ("function[n]: …"), about that element's place in the whole batch (ordinals:
    -- the part's elements' places) instead.
    return next $ddl$create or replace function steadfast._router_renumbered(p_message text, p_function text, p_ordinals jsonb)
returns text language sql immutable set search_path = pg_catalog, pg_temp as $body$
    select coalesce(m[1], '') || p_function || '[' || coalesce(p_ordinals ->> (m[2]::integer - 1), m[2]) || ']' || m[3]
    from (select pg_catalog.regexp_match(p_message, '^(.*?REMOTE ERROR: )?' || p_function || '[[]([0-9]+)[]](.*)$') as m) x
    where m is not null
    union all
    select p_message where pg_catalog.regexp_match(p_message, '^(.*?REMOTE ERROR: )?' || p_function || '[[]([0-9]+)[]](.*)$') is null
$body$$ddl$;
    -- _router_parts(elements) → [[partition, [its elements], [their places in the batch]], …]:
    -- a batch (of objects with a workflow_id) split by the partition each element belongs on.
    return next $ddl$create or replace function steadfast._router_parts(p_elements jsonb) returns jsonb
language sql stable set search_path = pg_catalog, pg_temp as $body$
    select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(g.part, g.batch, g.places) order by g.part), '[]')
    from (select steadfast._router_place(e.value ->> 'workflow_id') as part,
                 pg_catalog.jsonb_agg(e.value order by e.n) as batch, pg_catalog.jsonb_agg(e.n order by e.n) as places
          from pg_catalog.jsonb_array_elements(p_elements) with ordinality as e(value, n)
          group by 1) g
$body$$ddl$;
    -- _router_run_parts(function, parts, options) → the rows of every part's call of
    -- _on_<function>(partition, batch[, options]), one shard at a time, as JSON objects whose
    -- ordinal is the element's place in the whole batch; an element's error names that place.
    return next $ddl$create or replace function steadfast._router_run_parts(p_function text, p_parts jsonb, p_options jsonb)
returns jsonb language plpgsql set search_path = pg_catalog, pg_temp as $body$
declare
    v_part jsonb;
    v_part_rows jsonb;
    v_rows jsonb := '[]';
    v_state text;
    v_message text;
    v_detail text;
    v_hint text;
begin
    for v_part in select p.part from pg_catalog.jsonb_array_elements(p_parts) as p(part) loop
        begin
            execute pg_catalog.format(
                'select coalesce(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(s) || pg_catalog.jsonb_build_object(%L, $2 -> (s.ordinal - 1))), %L)
                 from steadfast.%I($1, $3%s) s',
                'ordinal', '[]', '_on_' || p_function, case when p_function = 'record_batch' then '' else ', $4' end)
            into v_part_rows using (v_part ->> 0)::integer, v_part -> 2, v_part -> 1, p_options;
            v_rows := v_rows || v_part_rows;
        exception when others then
            get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
                                    v_hint = pg_exception_hint;
            perform steadfast._raise(v_state, steadfast._router_renumbered(v_message, p_function, v_part -> 2),
                                     nullif(v_detail, ''), nullif(v_hint, ''));
        end;
    end loop;
    return v_rows;
end;
$body$$ddl$;

    for f in
        select p.oid, p.proname::text as name, r.route, r.combine,
               pg_catalog.pg_get_function_arguments(p.oid) as arguments,
               pg_catalog.pg_get_function_identity_arguments(p.oid) as identity,
               pg_catalog.pg_get_function_result(p.oid) as result,
               p.proretset as setof,
               -- One column (a scalar or a set of them), named after the function: read as r.v.
               p.prorettype not in ('record'::regtype, 'void'::regtype)
                 and (select t.typtype <> 'c' from pg_catalog.pg_type t where t.oid = p.prorettype) as single,
               -- The input arguments: the first pronargs names (RETURNS TABLE columns follow them).
               coalesce((select pg_catalog.string_agg(pg_catalog.quote_ident(a.n), ', ' order by a.i)
                         from pg_catalog.unnest(p.proargnames) with ordinality as a(n, i)
                         where a.i <= p.pronargs), '') as names,
               (select pg_catalog.quote_ident(a.n) from pg_catalog.unnest(p.proargnames) with ordinality as a(n, i)
                where a.i = 1) as first
        from pg_catalog.pg_proc p
        join steadfast._router_routes() r on r.function_name = p.proname
        where p.pronamespace = 'steadfast'::regnamespace and p.proname !~ '^_'
          and p.proname not in ('shard_key', 'shard_hash')
        order by p.proname
    loop
        -- A proxy runs the function of the same name on the shard (TARGET), passing the
        -- arguments by position.
        v_scalar := f.single;
        v_void := f.result = 'void';
        if f.route in ('workflow', 'schedule', 'one') then
            return next pg_catalog.format(
                'create or replace function steadfast.%I(%s) returns %s language plproxy as %L',
                f.name, f.arguments, f.result,
                pg_catalog.format(E'cluster %L;\nrun on %s;\ntarget steadfast.%I;\n', 'steadfast_shards',
                    case f.route when 'workflow' then pg_catalog.format('steadfast._router_place(%s)', f.first)
                                 when 'schedule' then pg_catalog.format('steadfast._router_place(%L || %s || %L)', 'schedule:', f.first, '@')
                                 else '0' end,
                    f.name));
        elsif f.route = 'all' then
            -- _on_all_<name>(…): the function on every shard, as a set; <name>(…) combines it.
            v_all_result := case when v_void then 'setof integer'
                                 when not f.setof then 'setof ' || f.result else f.result end;
            return next pg_catalog.format(
                'create or replace function steadfast.%I(%s) returns %s language plproxy as %L',
                '_on_all_' || f.name, f.arguments, v_all_result,
                pg_catalog.format(E'cluster %L;\nrun on all;\n%s',  'steadfast_shards',
                    case when v_void then pg_catalog.format(E'select 1 from steadfast.%I(%s);\n', f.name, f.names)
                         else pg_catalog.format(E'target steadfast.%I;\n', f.name) end));
            v_call := pg_catalog.format('select %s from steadfast.%I(%s) %s',
                                        case when v_scalar and not v_void then 'v' else '*' end,
                                        '_on_all_' || f.name, f.names,
                                        case when v_scalar then 'as v' else 'as r' end);
            -- (A combine reads all of r, so every shard's call runs: an unread CTE never does.)
            return next pg_catalog.format(
                'create or replace function steadfast.%I(%s) returns %s language sql volatile set search_path = pg_catalog, pg_temp as %L',
                f.name, f.arguments, f.result,
                case when v_void then pg_catalog.format('select pg_catalog.count(*) from steadfast.%I(%s)', '_on_all_' || f.name, f.names)
                     else pg_catalog.format('with r as (%s) %s', v_call, coalesce(f.combine, 'select r.* from r')) end);
        elsif f.route = 'grant' then
            return next pg_catalog.format(
                'create or replace function steadfast.%I(%s) returns %s language plproxy as %L',
                '_on_all_' || f.name, f.arguments, f.result,
                pg_catalog.format(E'cluster %L;\nrun on all;\ntarget steadfast.%I;\n', 'steadfast_shards', f.name));
            return next pg_catalog.format(
                'create or replace function steadfast.%I(%s) returns %s language plpgsql volatile set search_path = pg_catalog, pg_temp as %L',
                f.name, f.arguments, f.result,
                pg_catalog.format(E'begin\n    perform from steadfast.%I(p_role);\n    return query select steadfast._router_grant(p_role, %L);\nend;\n',
                                  '_on_all_' || f.name, pg_catalog.substr(f.name, 7)));
        elsif f.route = 'router' then
            -- _on_<name>(partition, …) runs the function on one partition (the partition is a
            -- hash: PL/Proxy masks it), and for grants _on_all_<name>(…) on every shard.
            return next pg_catalog.format(
                'create or replace function steadfast.%I(%s) returns %s language plproxy as %L',
                case when f.name = 'revoke_grants' then '_on_all_' || f.name else '_on_' || f.name end,
                case when f.name = 'revoke_grants' then f.arguments else 'p_partition integer, ' || f.arguments end,
                case when f.setof then f.result else 'setof ' || f.result end,
                case when f.name = 'revoke_grants'
                     then pg_catalog.format(E'cluster %L;\nrun on all;\ntarget steadfast.%I;\n', 'steadfast_shards', f.name)
                     -- (p_partition only chooses the shard: the shard's function gets the rest.)
                     else pg_catalog.format(E'cluster %L;\nrun on p_partition;\nselect %s from steadfast.%I(%s);\n',
                                            'steadfast_shards', case when f.setof then '*' else pg_catalog.quote_ident('_on_' || f.name) end,
                                            f.name, f.names) end);
            return next pg_catalog.format(
                'create or replace function steadfast.%I(%s) returns %s language plpgsql volatile set search_path = pg_catalog, pg_temp as %L',
                f.name, f.arguments, f.result, f.combine);
        end if;
    end loop;

    -- Grants: nothing to PUBLIC; the sets as on the shards, plus what the router adds.
    return next 'revoke all on all functions in schema steadfast from public';
    return next $ddl$create or replace function steadfast._router_grant(p_role text, p_set text)
returns setof text language plpgsql set search_path = pg_catalog, pg_temp as $body$
declare
    v_signature text;
    v_name text;
    v_helper regprocedure;
begin
    execute pg_catalog.format('grant usage on schema steadfast to %I', p_role);
    execute pg_catalog.format('grant usage on foreign server steadfast_shards to %I', p_role);
    execute pg_catalog.format('grant usage on foreign server steadfast_probe to %I', p_role);
    execute pg_catalog.format('grant execute on function steadfast.shard_key(text), steadfast.shard_hash(text),
                               steadfast._router_shards(), steadfast._router_renumbered(text, text, jsonb),
                               steadfast._raise(text, text, text, text), steadfast._router_maps(),
                               steadfast._router_place(text), steadfast._on_holds(integer, text),
                               steadfast._router_parts(jsonb), steadfast._router_run_parts(text, jsonb, jsonb) to %I', p_role);
    for v_signature in
        select g.function_signature from steadfast.grant_sets() g
        where g.role_set = p_set and pg_catalog.to_regprocedure(g.function_signature) is not null
        order by 1
    loop
        execute pg_catalog.format('grant execute on function %s to %I',
                                  pg_catalog.to_regprocedure(v_signature), p_role);
        v_name := pg_catalog.split_part(pg_catalog.split_part(v_signature, '(', 1), '.', 2);
        for v_helper in
            select p.oid::regprocedure from pg_catalog.pg_proc p
            where p.pronamespace = 'steadfast'::regnamespace and p.proname in ('_on_' || v_name, '_on_all_' || v_name)
        loop
            execute pg_catalog.format('grant execute on function %s to %I', v_helper, p_role);
        end loop;
        return next v_signature;
    end loop;
end;
$body$$ddl$;
    return next 'revoke all on function steadfast._router_grant(text, text) from public';
end;
$fn$;
comment on function steadfast.router_ddl() is
    'The statements that install the PL/Proxy router''s schema steadfast, generated from this database''s functions and their routes (_router_routes). Owner only. SF005 names a function with no route.';
