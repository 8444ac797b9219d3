-- Fixtures for the pgTAP tests (Tests/sql/functions/**), loaded by scripts/test.sh after the
-- engine is installed. Run with psql -v url=<the database URL>, used by tests that open a
-- second session with dblink.
\set ON_ERROR_STOP on
set client_min_messages = warning;
create extension if not exists pgtap;
create extension if not exists dblink;

drop schema if exists steadfast_test cascade;
create schema steadfast_test;

create table steadfast_test.settings (url text not null);
insert into steadfast_test.settings values (:'url');

-- url() → the database URL, for dblink_connect.
create function steadfast_test.url() returns text language sql stable
as $$ select url from steadfast_test.settings $$;

-- snapshot() → a digest of every row of the engine's tables; equal before and after a call
-- that must change nothing.
create function steadfast_test.snapshot() returns text language sql stable as $$
    select md5(concat_ws('|',
        (select string_agg(t::text, ',' order by t.id) from steadfast.workflows t),
        (select string_agg(t::text, ',' order by t.workflow_id, t.step_key) from steadfast.steps t),
        (select string_agg(t::text, ',' order by t.id) from steadfast.executors t),
        (select string_agg(t::text, ',' order by t.name) from steadfast.queues t),
        (select string_agg(t::text, ',' order by t::text) from steadfast.queue_starts t),
        (select string_agg(t::text, ',' order by t.queue, t.partition_key) from steadfast.queue_partitions t),
        (select string_agg(t::text, ',' order by t.name) from steadfast.schedules t)))
$$;

-- queue(name) → name, creating the queue: tests claim from queues of their own so that rows
-- left by other tests never interfere.
create function steadfast_test.queue(p_name text) returns text language sql as $$
    insert into steadfast.queues (name) values (p_name) on conflict do nothing;
    select p_name
$$;

-- set_now(ts) / clear_now(): move this session's clock (steadfast.now()).
create function steadfast_test.set_now(p_now timestamptz) returns timestamptz language sql as $$
    select set_config('steadfast.fake_now', p_now::text, false)::timestamptz
$$;
create function steadfast_test.clear_now() returns void language sql as $$
    select set_config('steadfast.fake_now', '', false); select
$$;

-- session_name(name) → the application_name connect() gives the dblink session `name`:
-- 'steadfast_test <this backend's pid> <name>', so that no other test session has it.
create function steadfast_test.session_name(p_conn text) returns text language sql stable as $$
    select left(format('steadfast_test %s %s', pg_backend_pid(), p_conn), 63)
$$;

-- connect(name, url) → dblink_connect's status: opens the dblink session `name` (to url; by
-- default the database's, as the user running the tests) and names it session_name(name) in
-- pg_stat_activity, where waits_for_lock finds it while it is busy. remote(), remote_value()
-- and connect_as() open their sessions this way.
create function steadfast_test.connect(p_conn text, p_url text default steadfast_test.url()) returns text
language plpgsql as $$
declare
    v_status text := dblink_connect(p_conn, p_url);
begin
    perform dblink_exec(p_conn, format('set application_name = %L', steadfast_test.session_name(p_conn)));
    return v_status;
end;
$$;

-- remote(name, sql) → runs sql in the dblink session `name` (connecting it first if needed),
-- committed at once: what another process would do.
create function steadfast_test.remote(p_conn text, p_sql text) returns text language plpgsql as $$
begin
    if p_conn <> all (coalesce(dblink_get_connections(), '{}')) then
        perform steadfast_test.connect(p_conn);
    end if;
    return dblink_exec(p_conn, p_sql);
end;
$$;

-- wait_for(sql returning boolean, seconds) → true once sql returns true, polling every 20 ms.
-- Each poll sees fresh activity statistics: pg_stat_activity is otherwise read once per
-- transaction, and a test runs in one (a wait that began after the first poll went unseen).
create function steadfast_test.wait_for(p_sql text, p_seconds double precision default 5) returns boolean
language plpgsql as $$
declare
    v_deadline timestamptz := clock_timestamp() + make_interval(secs => p_seconds);
    v_ok boolean;
begin
    loop
        perform pg_stat_clear_snapshot();
        execute p_sql into v_ok;
        if v_ok then return true; end if;
        if clock_timestamp() > v_deadline then return false; end if;
        perform pg_sleep(0.02);
    end loop;
end;
$$;

-- waits_for_lock(name, seconds) → true once the dblink session `name` (opened by connect(),
-- remote() or remote_value()) waits for a lock — a statement sent with dblink_send_query that
-- blocks on a row or key another session holds; false when it does not within the seconds.
create function steadfast_test.waits_for_lock(p_conn text, p_seconds double precision default 5) returns boolean
language sql as $$
    select steadfast_test.wait_for(format(
        'select exists (select 1 from pg_stat_activity where application_name = %L and wait_event_type = %L)',
        steadfast_test.session_name(p_conn), 'Lock'), p_seconds)
$$;

-- rejects(sql, sqlstate, description) → two TAP lines: sql raises that SQLSTATE, and the
-- engine's tables are exactly as before (snapshot()). For "bad input changes nothing" checks;
-- count 2 in the plan per call. Usage: select * from steadfast_test.rejects($$…$$, 'SF005', '…');
create function steadfast_test.rejects(p_sql text, p_errcode text, p_description text) returns setof text
language plpgsql as $$
declare
    v_before text := steadfast_test.snapshot();
begin
    return next throws_ok(p_sql, p_errcode, null, p_description);
    return next is(steadfast_test.snapshot(), v_before, p_description || ' — and changes nothing');
end;
$$;

-- remote_value(name, sql) → the first column of the first row sql returns in the dblink
-- session `name` (connecting it first if needed), as text; committed at once unless that
-- session is inside a transaction it opened with remote(name, 'begin').
create function steadfast_test.remote_value(p_conn text, p_sql text) returns text language plpgsql as $$
declare
    v text;
begin
    if p_conn <> all (coalesce(dblink_get_connections(), '{}')) then
        perform steadfast_test.connect(p_conn);
    end if;
    select t.v into v from dblink(p_conn, p_sql) as t(v text) limit 1;
    return v;
end;
$$;

-- disconnect(name, seconds) → true once the dblink session `name` is closed and its backend
-- has released every lock it held (its executor's advisory lock in particular): a process
-- that died. The backend exits asynchronously, hence the wait.
create function steadfast_test.disconnect(p_conn text, p_seconds double precision default 10) returns boolean
language plpgsql as $$
declare
    v_pid integer := steadfast_test.remote_value(p_conn, 'select pg_backend_pid()')::integer;
begin
    perform dblink_disconnect(p_conn);
    return steadfast_test.wait_for(
        format('select not exists (select 1 from pg_catalog.pg_locks where pid = %s)', v_pid), p_seconds);
end;
$$;

-- as_role(role, sql) → runs sql as that role (SET LOCAL ROLE), then switches back. When sql
-- raises, the caller's exception handler (throws_ok) rolls the role switch back with it. For
-- the role tests: select throws_ok($$select steadfast_test.as_role('r', 'select …')$$, '42501', …).
create function steadfast_test.as_role(p_role text, p_sql text) returns void language plpgsql as $$
begin
    execute format('set local role %I', p_role);
    execute p_sql;
    reset role;
end;
$$;

-- as_role_value(role, sql) → the first column of the first row sql returns, as text, run as
-- that role (SET LOCAL ROLE, then back), e.g. to call an internal function with another
-- role's rights.
create function steadfast_test.as_role_value(p_role text, p_sql text) returns text language plpgsql as $$
declare
    v text;
begin
    execute format('set local role %I', p_role);
    execute p_sql into v;
    reset role;
    return v;
end;
$$;

-- sqlstate_of(sql) → the SQLSTATE that sql raises, or null when it succeeds (its effects are
-- rolled back either way). For checks made through dblink, where throws_ok cannot run.
create function steadfast_test.sqlstate_of(p_sql text) returns text language plpgsql as $$
begin
    begin
        execute p_sql;
    exception when others then
        return sqlstate;
    end;
    raise exception using errcode = 'P0004', message = 'sqlstate_of: rolling back';
exception when sqlstate 'P0004' then
    return null;
end;
$$;

-- ─── Roles of the hostile-role tests (Tests/sql/functions/_hostile) ──────────────────────────
--
-- These tests act as application roles. A role another session logs in as (dblink) must exist
-- before the test's transaction, committed: such a file makes its roles with fresh_role first
-- (their names end in the database's, so that runs in other databases never meet), commits its
-- fixtures under a prefix of its own, and removes both at the end with cleanup — and a
-- previous run's leftovers at the start the same way. A role used only through SET ROLE
-- in the test's own session (as_role) may be made inside the transaction: fresh_role(role, set,
-- p_login => false), rolled back with it.

-- drop_role(role) drops the role if it exists, after revoking its grant sets
-- (steadfast.revoke_grants) and dropping whatever it owns.
create function steadfast_test.drop_role(p_role text) returns void language plpgsql as $$
begin
    if exists (select 1 from pg_roles where rolname = p_role) then
        perform steadfast.revoke_grants(p_role);
        execute format('drop owned by %I', p_role);
        execute format('drop role %I', p_role);
    end if;
end;
$$;

-- fresh_role(role, set, login) creates the role anew (drop_role first) with the grant set
-- steadfast.grant_<set> — viewer, client or worker; null: no grant at all. A login role (the
-- default) has the password 'sfh-' || role, which connect_as uses; p_login => false makes a role
-- without login or password.
create function steadfast_test.fresh_role(p_role text, p_set text, p_login boolean default true) returns void
language plpgsql as $$
begin
    perform steadfast_test.drop_role(p_role);
    if p_login then
        execute format('create role %I login password %L', p_role, 'sfh-' || p_role);
    else
        execute format('create role %I nologin', p_role);
    end if;
    if p_set is not null then
        execute format('select count(*) from steadfast.grant_%s(%L)', p_set, p_role);
    end if;
end;
$$;

-- connect_as(name, role, parameters) → dblink_connect's status: opens the dblink session `name`
-- (connect()) logged in as a role fresh_role made, with its password; parameters are more
-- connection parameters, appended to the URL as they are ('&options=-c%20…').
create function steadfast_test.connect_as(p_conn text, p_role text, p_parameters text default '') returns text
language sql as $$
    select steadfast_test.connect(p_conn,
        steadfast_test.url() || '&user=' || p_role || '&password=sfh-' || p_role || p_parameters)
$$;

-- cleanup(prefix, roles…) removes what a hostile-role file leaves: closes every dblink session
-- of this session (disconnect: their executors' locks released), deletes the committed
-- fixtures named with the prefix — the workflows <prefix>-*, those in the queue <prefix>_q and
-- the schedule occurrences schedule:<prefix>*, the executors <prefix>-*, the schedules
-- <prefix>*, the queue <prefix>_q — and drops the roles (drop_role). At the start of a file
-- (a previous run's leftovers) and at its end, after the test's transaction.
create function steadfast_test.cleanup(p_prefix text, variadic p_roles text[] default '{}') returns void
language plpgsql as $$
begin
    perform steadfast_test.disconnect(c) from unnest(coalesce(dblink_get_connections(), '{}')) c;
    delete from steadfast.workflows
    where id like p_prefix || '-%' or queue = p_prefix || '_q' or id like 'schedule:' || p_prefix || '%';
    delete from steadfast.executors where id like p_prefix || '-%';
    delete from steadfast.schedules where name like p_prefix || '%';
    delete from steadfast.queues where name = p_prefix || '_q';
    perform steadfast_test.drop_role(r) from unnest(p_roles) r;
end;
$$;

-- ─── Bad-input property tests (Tests/sql/functions/_bad_input) ────────────────────────────────
--
-- Every public function of the engine (schema steadfast, name not starting with _), listed from
-- pg_proc, is called with one bad value at a time in one "slot" — an argument, or a key of an
-- options object found inside a jsonb argument — the other arguments holding valid fixtures.
-- Options keys are discovered from the function itself: called with the unknown key
-- __bad_input_probe__, it raises SF005 with the HINT "Known options: a, b, c." (nested objects —
-- a retry policy, an element of a batch, its options — are found the same way, one level down).
-- A key's kind (timestamp, number) is inferred from which probe values it accepts.
--
-- Each call runs in a subtransaction that is always rolled back (a success raises the sentinel
-- BI000 after its checks), so every call meets the same fixtures. A call either succeeds —
-- leaving sane state: no text column over 1000 characters, no infinite or out-of-range
-- (1970 … 3000) timestamp, no non-finite number, no new workflow in the schedule: namespace
-- but by tick_schedules; and values that must be refused (a non-finite timestamp for a
-- timestamp, 1e400 for a number) are not accepted — or fails with (1) a SQLSTATE of
-- steadfast.error_codes(), (2) a message naming the slot, (3) message, detail and hint of at
-- most 500 characters, (4) steadfast_test.snapshot() unchanged. A statement_timeout of 2 s per
-- call (each call is a statement of its own: bad_input_call_statements) turns a runaway call
-- into 57014, a failure.
--
-- Values come from classes (bad_input_classes) grouped in families, one family per test file;
-- each class generates its concrete value with random(), seeded (setseed) per run: every
-- (function, slot, class) pair runs at least once, plus one random extra draw per slot.
-- pg_prove --set bad_input_seed=<seed> replays a run (the seed is printed as a diagnostic).

-- bad_input_functions() → the public functions, by name.
create function steadfast_test.bad_input_functions()
returns table (proc regprocedure, fname text)
language sql stable as $$
    select p.oid::regprocedure, p.proname::text
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'steadfast' and p.proname !~ '^_' and p.prokind = 'f'
    order by p.proname, p.oid::regprocedure::text
$$;

-- bad_input_plan() → the TAP count of a bad-input file: one test per function, one for coverage.
create function steadfast_test.bad_input_plan() returns integer language sql stable as $$
    select count(*)::integer + 1 from steadfast_test.bad_input_functions()
$$;

-- bad_input_args(proc) → its input arguments: position, name, type.
create function steadfast_test.bad_input_args(p_proc regprocedure)
returns table (argnum integer, argname text, argtype text)
language sql stable as $$
    select row_number() over (order by a.ord)::integer, a.name, format_type(a.type, null)
    from pg_proc p,
         unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), p.proargnames,
                coalesce(p.proargmodes, array_fill('i'::"char", array[p.pronargs])))
             with ordinality as a(type, name, mode, ord)
    where p.oid = p_proc and a.mode in ('i', 'b', 'v')
    order by a.ord
$$;

-- bad_input_base_value(function, argument, type) → a valid value for the argument (as text),
-- given the fixtures of bad_input_setup: per function, else per argument name, else per type.
create function steadfast_test.bad_input_base_value(p_fname text, p_argname text, p_argtype text)
returns text language sql immutable as $$
    select coalesce(
        (select o.v from (values
            ('start_workflow', 'p_workflow_id', 'bi-new'),
            ('start_workflow', 'p_name', 'job'),
            ('start_workflow_and_claim', 'p_workflow_id', 'bi-new'),
            ('start_workflow_and_claim', 'p_name', 'job'),
            ('start_workflows', 'p_workflows',
             '[{"name": "job", "workflow_id": "bi-new-1", "input": {"n": 1}, "options": {}}]'),
            ('validate_workflows', 'p_workflows',
             '[{"name": "job", "workflow_id": "bi-new-1", "input": {"n": 1}, "options": {}}]'),
            ('record_step', 'p_name', 'bi-step'),
            ('sleep_workflow', 'p_name', 'bi-nap'),
            ('sleep_workflow', 'p_options', '{"seconds": 60}'),
            ('start_child_workflow', 'p_name', 'bi-child'),
            ('start_child_workflow', 'p_child_name', 'job'),
            ('start_child_workflows', 'p_name', 'bi-children'),
            ('start_child_workflows', 'p_children', '[{"name": "job", "input": {"n": 1}, "options": {}}]'),
            ('await_event', 'p_name', 'bi-await-event'),
            ('await_event', 'p_target_workflow_id', 'bi-wf'),
            ('await_event', 'p_key', 'bi-key'),
            ('await_event', 'p_options', '{"timeout_seconds": 60}'),
            ('set_event', 'p_name', 'bi-event'),
            ('set_event', 'p_key', 'bi-key'),
            ('write_stream', 'p_name', 'bi-write'),
            ('write_stream', 'p_key', 'bi-stream'),
            ('get_event', 'p_key', 'bi-key'),
            ('read_stream', 'p_key', 'bi-stream'),
            ('read_stream', 'p_from_offset', '0'),
            ('read_stream', 'p_limit', '10'),
            ('receive_message', 'p_name', 'bi-receive'),
            ('receive_message', 'p_options', '{"timeout_seconds": 60}'),
            ('send_message', 'p_message', '{"m": 1}'),
            ('await_children', 'p_name', 'bi-await'),
            ('await_children', 'p_children', '{bi-wf/bi-kid}'),
            ('record_batch', 'p_writes',
             '[{"kind": "step", "workflow_id": "bi-wf", "attempt": 1, "name": "bi-step", "output": {"v": 1}, "options": {}}]'),
            ('resume_workflow', 'p_workflow_id', 'bi-cancelled'),
            ('fork_workflow', 'p_from_step', '1'),
            ('release_workflows', 'p_workflow_ids', '{bi-wf}'),
            ('deregister_executor', 'p_executor_id', 'bi-exec-2'),
            ('register_executor', 'p_executor_id', 'bi-exec-new'),
            ('create_queue', 'p_name', 'bi_new_q'),
            ('define_queue', 'p_name', 'bi_q'),
            ('alter_queue', 'p_name', 'bi_q'),
            ('delete_queue', 'p_name', 'bi_empty_q'),
            ('create_schedule', 'p_name', 'bi-new-sched'),
            ('create_schedule', 'p_cron', '0 * * * *'),
            ('create_schedule', 'p_workflow_name', 'job'),
            ('define_schedule', 'p_name', 'bi-sched'),
            ('define_schedule', 'p_cron', '0 * * * *'),
            ('define_schedule', 'p_workflow_name', 'job'),
            ('next_fire_times', 'p_cron', '*/5 * * * *'),
            ('next_fire_times', 'p_after', '2030-01-01T00:00:00Z'),
            ('next_fire_times', 'p_count', '3'),
            ('prune_workflows', 'p_older_than', '1 day'),
            ('prune_workflows', 'p_batch_size', '100'),
            ('set_fake_now', 'p_now', '2030-01-01T00:00:00Z'),
            ('configure_shard', 'p_shard', '0'),
            ('configure_shard', 'p_shards', '1'),
            ('shard_of', 'p_shards', '4')
         ) o(f, a, v) where o.f = p_fname and o.a = p_argname),
        (select o.v from (values
            ('p_workflow_id', 'bi-wf'),
            ('p_executor_id', 'bi-exec'),
            ('p_attempt', '1'),
            ('p_name', 'bi-sched'),
            ('p_role', 'steadfast_bad_input_role'),
            ('p_input', '{"n": 1}'),
            ('p_output', '{"v": 1}'),
            ('p_error', '{"message": "boom"}'),
            ('p_time_zone', 'UTC'),
            ('p_limit', '1')
         ) o(a, v) where o.a = p_argname),
        case p_argtype
            when 'text' then 'bi-value'
            when 'integer' then '1'
            when 'jsonb' then '{}'
            when 'timestamp with time zone' then '2030-01-01T00:00:00Z'
            when 'interval' then '1 day'
            when 'text[]' then '{bi-value}'
            when 'boolean' then 'true'
        end)
$$;

-- bad_input_nested_base(key) → a valid value for an options key that holds an object itself.
create function steadfast_test.bad_input_nested_base(p_key text) returns jsonb language sql immutable as $$
    select case p_key when 'retry' then '{"kind": "exponential"}'::jsonb else '{}'::jsonb end
$$;

-- bad_input_setup(family, seed) creates the fixtures (the smallest payload limit, queues,
-- executors registered in this session, a running workflow with a step, a cancelled one, a
-- schedule, a role) and the work tables, in the caller's transaction.
create function steadfast_test.bad_input_setup(p_family text, p_seed text) returns void language plpgsql as $$
begin
    create temp table bad_input_meta (family text, seed double precision, snapshot text, schedule_ids bigint,
                                      sanity_sql text) on commit drop;
    create temp table bad_input_bases (proc regprocedure, callee text, argnum integer, argname text, literal text)
        on commit drop;
    create temp table bad_input_slots (id serial primary key, proc regprocedure, fname text, argnum integer,
                                       argname text, argtype text, path text[], container jsonb, label text,
                                       names text[], domain text, kind text) on commit drop;
    create temp table bad_input_calls (id serial primary key, slot_id integer, class text, must_refuse boolean,
                                       sql text) on commit drop;
    create temp table bad_input_results (call_id integer primary key, sqlstate text, message text, problem text,
                                         ms double precision) on commit drop;

    if not exists (select from pg_roles where rolname = 'steadfast_bad_input_role') then
        create role steadfast_bad_input_role;
    end if;
    -- The smallest payload limit (65536 bytes), so that a value over it stays cheap to build.
    if to_regprocedure('steadfast.set_settings(jsonb)') is not null then
        perform steadfast.set_settings('{"max_payload_bytes": 65536}');
    end if;
    perform steadfast.create_queue('bi_q');
    perform steadfast.create_queue('bi_empty_q');
    perform steadfast.register_executor('bi-exec', '{"queues": ["bi_q", "default"], "lease_seconds": 86400}');
    perform steadfast.register_executor('bi-exec-2', '{"queues": ["bi_q"], "lease_seconds": 86400}');
    perform steadfast.start_workflow('bi-wf', 'job', '{"n": 1}', '{"queue": "bi_q"}');
    perform from steadfast.claim_workflows('bi-exec', 1, '{"queues": ["bi_q"]}') w where w.workflow_id = 'bi-wf';
    if not found or (select attempt from steadfast.workflows where id = 'bi-wf') <> 1 then
        raise exception 'bad_input_setup: bi-wf was not claimed at attempt 1';
    end if;
    perform steadfast.record_step('bi-wf', 1, 'first', '{"v": 1}');
    if to_regprocedure('steadfast.start_child_workflow(text,integer,text,text,jsonb,jsonb)') is not null then
        perform steadfast.start_child_workflow('bi-wf', 1, 'bi-kid', 'job', '{}', '{"queue": "bi_q"}');
    end if;
    perform steadfast.start_workflow('bi-cancelled', 'job', '{}', '{"queue": "bi_q"}');
    perform steadfast.cancel_workflow('bi-cancelled');
    perform steadfast.create_schedule('bi-sched', '0 0 1 1 *', 'job', '{"queue": "bi_q"}');

    insert into bad_input_meta (family, seed, snapshot, schedule_ids, sanity_sql)
    select p_family,
           coalesce(nullif(p_seed, '')::double precision, round(random()::numeric, 6)::double precision),
           steadfast_test.snapshot(),
           (select count(*) from steadfast.workflows where id like 'schedule:%'),
           (select string_agg(c.q, ' union all ')
            from (select format('(select %L::text from steadfast.%I t where %s limit 1)',
                                format('%s.%s %s', r.relname, a.attname,
                                       case when t.typname = 'text' then 'holds a text over 1000 characters'
                                            when t.typname = 'timestamptz' then 'holds a timestamp that is infinite or outside 1970 … 3000'
                                            else 'holds a non-finite number' end),
                                r.relname,
                                case when t.typname = 'text' then format('length(t.%I) > 1000', a.attname)
                                     when t.typname = 'timestamptz'
                                         then format('not isfinite(t.%1$I) or t.%1$I < ''1970-01-01Z'' or t.%1$I > ''3000-01-01Z''',
                                                     a.attname)
                                     else format('t.%1$I in (''Infinity'', ''-Infinity'', ''NaN'')', a.attname) end) as q
                  from pg_class r
                  join pg_namespace n on n.oid = r.relnamespace and n.nspname = 'steadfast'
                  join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
                  join pg_type t on t.oid = a.atttypid and t.typname in ('text', 'timestamptz', 'float8')
                  where r.relkind in ('r', 'p') and r.relname <> 'schema_code'
                  order by r.relname, a.attnum) c);
end;
$$;

-- bad_input_sql(proc, argnum, expression) → the call of proc with valid values in every
-- argument but argnum, which gets the expression (no argnum: the baseline call). The valid
-- values are cached per function in bad_input_bases by bad_input_discover.
create function steadfast_test.bad_input_sql(p_proc regprocedure, p_argnum integer, p_expr text)
returns text language plpgsql stable as $$
begin
    return (select format('select * from %s(%s)', min(b.callee),
                          coalesce(string_agg(format('%I => %s', b.argname,
                                                     case when b.argnum = p_argnum then p_expr else b.literal end),
                                              ', ' order by b.argnum) filter (where b.argnum is not null), ''))
            from bad_input_bases b where b.proc = p_proc);
end;
$$;

-- bad_input_try(sql, check) → (sqlstate, message, detail, hint): runs sql in a subtransaction
-- that is always rolled back. Success: sqlstate null, and with check the problems of the state
-- it left (bad_input_meta.sanity_sql) in message, else null. Catches a statement timeout too.
create function steadfast_test.bad_input_try(p_sql text, p_check text default null,
                                             out err_state text, out err_message text, out err_detail text,
                                             out err_hint text)
language plpgsql as $$
declare
    v_problems text;
begin
    begin
        execute p_sql;
        if p_check is not null then
            execute (select m.sanity_sql from bad_input_meta m) into v_problems;
            if (select count(*) from steadfast.workflows where id like 'schedule:%')
               > (select m.schedule_ids from bad_input_meta m) and p_check <> 'tick_schedules' then
                v_problems := concat_ws('; ', v_problems, 'created a workflow in the schedule: namespace');
            end if;
        end if;
        raise exception using errcode = 'BI000', message = coalesce(v_problems, '');
    exception
        when query_canceled then
            get stacked diagnostics err_state = returned_sqlstate, err_message = message_text;
        when others then
            get stacked diagnostics err_state = returned_sqlstate, err_message = message_text,
                                    err_detail = pg_exception_detail, err_hint = pg_exception_hint;
    end;
    if err_state = 'BI000' then
        err_state := null;
        err_message := nullif(err_message, '');
        err_detail := null;
        err_hint := null;
    end if;
end;
$$;

-- bad_input_names(name, element) → the words a message may use to name a slot: the name, with
-- spaces for underscores, without a trailing _id or s; for an array element, also "[1]".
create function steadfast_test.bad_input_names(p_name text, p_element boolean) returns text[]
language sql immutable as $$
    select array_agg(distinct n) filter (where n <> '')
    from (select unnest(array[x, replace(x, '_', ' '), regexp_replace(x, '_ids?$', ''),
                              regexp_replace(x, 's$', ''), case when p_element then '[1]' else '' end]) as n
          from (select regexp_replace(p_name, '^p_', '') as x) s) v
$$;

-- bad_input_add_slot(…) records a slot; a key slot gets its kind from three probe values.
create function steadfast_test.bad_input_add_slot(p_proc regprocedure, p_argnum integer, p_argname text,
                                                  p_argtype text, p_path text[], p_container jsonb)
returns void language plpgsql as $$
declare
    v_fname text := (select proname::text from pg_proc where oid = p_proc);
    v_key text := p_path[cardinality(p_path)];
    v_element boolean := v_key ~ '^[0-9]+$';
    v_kind text;
    v_ok_string boolean;
    v_ok_number boolean;
    v_ok_time boolean;
begin
    if p_path is null then
        v_kind := case p_argtype when 'timestamp with time zone' then 'timestamp' when 'integer' then 'number' end;
    else
        v_ok_string := (steadfast_test.bad_input_try(steadfast_test.bad_input_sql(p_proc, p_argnum,
            format('jsonb_set(%L::jsonb, %L::text[], %L::jsonb, true)', p_container, p_path, '"bi-x"')))).err_state is null;
        v_ok_time := (steadfast_test.bad_input_try(steadfast_test.bad_input_sql(p_proc, p_argnum,
            format('jsonb_set(%L::jsonb, %L::text[], %L::jsonb, true)', p_container, p_path, '"2030-01-01T00:00:00Z"')))).err_state is null;
        select bool_or((steadfast_test.bad_input_try(steadfast_test.bad_input_sql(p_proc, p_argnum,
                   format('jsonb_set(%L::jsonb, %L::text[], %L::jsonb, true)', p_container, p_path, n)))).err_state is null)
        into v_ok_number from unnest(array['1', '100000', '2000000']) n;
        v_kind := case when v_ok_time and not v_ok_string then 'timestamp'
                       when v_ok_number and not v_ok_string then 'number' end;
    end if;
    insert into bad_input_slots (proc, fname, argnum, argname, argtype, path, container, label, names, domain, kind)
    values (p_proc, v_fname, p_argnum, p_argname, p_argtype, p_path, p_container,
            regexp_replace(p_argname, '^p_', '')
                || coalesce((select string_agg(case when e ~ '^[0-9]+$' then '[' || e || ']' else '.' || e end, '' order by o)
                             from unnest(p_path) with ordinality u(e, o)), ''),
            steadfast_test.bad_input_names(case when v_element then p_argname else coalesce(v_key, p_argname) end, v_element)
                -- the name argument of verb_noun names the noun: alter_queue's is the queue's
                || case when p_path is null and p_argname = 'p_name' then array[regexp_replace(v_fname, '^[a-z]+_', '')]
                        else '{}' end
                -- an array argument (a batch) names its element: start_workflows[1]
                || case when p_path is null and p_argtype = 'jsonb'
                             and jsonb_typeof(steadfast_test.bad_input_base_value(v_fname, p_argname, p_argtype)::jsonb) = 'array'
                        then array['[1]'] else '{}' end,
            case when p_path is not null then 'k'
                 else case p_argtype when 'text' then 't' when 'integer' then 'i' when 'jsonb' then 'j'
                                     when 'timestamp with time zone' then 'ts' when 'interval' then 'iv'
                                     when 'text[]' then 'ta' else 'other' end end,
            v_kind);
end;
$$;

-- bad_input_discover_object(proc, argnum, argname, value, path, depth): the slots inside the
-- container at path of a jsonb argument whose valid value is `value`: an array's first
-- element, or an options object's keys (from the "Known options" hint), recursively.
create function steadfast_test.bad_input_discover_object(p_proc regprocedure, p_argnum integer, p_argname text,
                                                         p_value jsonb, p_path text[], p_depth integer)
returns void language plpgsql as $$
declare
    v_container jsonb := p_value #> p_path;
    v_keys text[];
    v_key text;
    v_nested jsonb;
    r record;
begin
    if p_depth > 4 then
        return;
    end if;
    if jsonb_typeof(v_container) = 'array' then
        if jsonb_array_length(v_container) > 0 and jsonb_typeof(v_container -> 0) = 'object' then
            perform steadfast_test.bad_input_add_slot(p_proc, p_argnum, p_argname, 'jsonb', p_path || '0'::text, p_value);
            perform steadfast_test.bad_input_discover_object(p_proc, p_argnum, p_argname, p_value, p_path || '0'::text,
                                                             p_depth + 1);
        end if;
        return;
    end if;
    if jsonb_typeof(v_container) is distinct from 'object' then
        return;
    end if;
    r := steadfast_test.bad_input_try(steadfast_test.bad_input_sql(p_proc, p_argnum,
             format('%L::jsonb', jsonb_set(p_value, p_path || '__bad_input_probe__'::text, '1', true))));
    if coalesce(r.err_message not like '%\_\_bad\_input\_probe\_\_%' or r.err_hint !~ '^Known options: .*\.$', true) then
        return;
    end if;
    v_keys := string_to_array(substring(r.err_hint from '^Known options: (.*)\.$'), ', ');
    foreach v_key in array v_keys loop
        perform steadfast_test.bad_input_add_slot(p_proc, p_argnum, p_argname, 'jsonb', p_path || v_key, p_value);
        v_nested := jsonb_set(p_value, p_path || v_key, steadfast_test.bad_input_nested_base(v_key), true);
        perform steadfast_test.bad_input_discover_object(p_proc, p_argnum, p_argname, v_nested, p_path || v_key,
                                                         p_depth + 1);
    end loop;
end;
$$;

-- bad_input_discover(proc) records the function's slots: each argument, and inside each
-- jsonb argument its options keys and array elements.
create function steadfast_test.bad_input_discover(p_proc regprocedure) returns void language plpgsql as $$
declare
    a record;
begin
    insert into bad_input_bases (proc, callee, argnum, argname, literal)
    select p_proc, p.oid::regproc::text, x.argnum, x.argname,
           format('%s::%s', quote_nullable(steadfast_test.bad_input_base_value(p.proname::text, x.argname, x.argtype)),
                  x.argtype)
    from pg_proc p left join steadfast_test.bad_input_args(p_proc) x on true
    where p.oid = p_proc;
    for a in select * from steadfast_test.bad_input_args(p_proc) loop
        perform steadfast_test.bad_input_add_slot(p_proc, a.argnum, a.argname, a.argtype, null, null);
        if a.argtype = 'jsonb' then
            perform steadfast_test.bad_input_discover_object(p_proc, a.argnum, a.argname,
                steadfast_test.bad_input_base_value((select proname::text from pg_proc where oid = p_proc),
                                                    a.argname, a.argtype)::jsonb,
                '{}', 0);
        end if;
    end loop;
end;
$$;

-- bad_input_classes() → the value classes: family, the slot domains they apply to (t text,
-- i integer, j jsonb argument, k JSON value inside one, ts timestamptz, iv interval, ta text[];
-- tz: a slot named time_zone, text or JSON), and the slot kinds that must refuse them.
create function steadfast_test.bad_input_classes()
returns table (family text, class text, domains text[], strict_kinds text[])
language sql immutable as $$
    values
        ('shape', 'sql_null',        '{t,i,j,ts,iv,ta}'::text[], '{}'::text[]),
        ('shape', 'json_null',       '{j,k}', '{}'),
        ('shape', 'json_string',     '{j,k}', '{}'),
        ('shape', 'json_number',     '{j,k}', '{}'),
        ('shape', 'json_bool',       '{j,k}', '{}'),
        ('shape', 'json_array',      '{j,k}', '{}'),
        ('shape', 'json_object',     '{j,k}', '{}'),
        ('shape', 'empty_string',    '{t,j,k,ta}', '{}'),
        ('shape', 'empty_array',     '{ta}', '{}'),
        ('shape', 'null_element',    '{ta}', '{}'),
        ('size',  'long_256',        '{t,k,ta}', '{}'),
        ('size',  'huge_1mib',       '{t,j,k,ta}', '{}'),
        ('size',  'deep_json',       '{j,k}', '{}'),
        ('size',  'wide_object',     '{j,k}', '{}'),
        ('size',  'wide_array',      '{j,k,ta}', '{}'),
        ('size',  'over_limit',      '{j,k}', '{}'),
        ('range', 'int_negative',    '{i}', '{}'),
        ('range', 'int_zero',        '{i}', '{}'),
        ('range', 'int_min',         '{i}', '{}'),
        ('range', 'int_max',         '{i}', '{}'),
        ('range', 'num_negative',    '{j,k}', '{}'),
        ('range', 'num_zero',        '{j,k}', '{}'),
        ('range', 'num_negative_zero', '{k}', '{}'),
        ('range', 'num_fraction',    '{k}', '{}'),
        ('range', 'num_2p31',        '{j,k}', '{}'),
        ('range', 'num_2p63',        '{k}', '{}'),
        ('range', 'num_1e15',        '{k}', '{timestamp}'),
        ('range', 'num_1e400',       '{j,k}', '{timestamp,number}'),
        ('range', 'num_1e-400',      '{j,k}', '{}'),
        ('range', 'num_-1e400',      '{j,k}', '{timestamp,number}'),
        ('range', 'ts_infinity',     '{k,ts}', '{timestamp}'),
        ('range', 'ts_-infinity',    '{k,ts}', '{timestamp}'),
        ('range', 'ts_294276',       '{k,ts}', '{timestamp}'),
        ('range', 'ts_4714bc',       '{k,ts}', '{timestamp}'),
        ('range', 'ts_1969',         '{k,ts}', '{timestamp}'),
        ('range', 'ts_3001',         '{k,ts}', '{timestamp}'),
        ('range', 'ts_odd',          '{k}', '{}'),
        ('range', 'iv_100000y',      '{iv}', '{}'),
        ('range', 'iv_-100000y',     '{iv}', '{}'),
        ('range', 'iv_max',          '{iv}', '{}'),
        ('range', 'iv_negative',     '{iv}', '{}'),
        ('range', 'iv_zero',         '{iv}', '{}'),
        ('range', 'iv_odd',          '{iv}', '{}'),
        ('text',  'unicode',         '{t,k,ta}', '{}'),
        ('text',  'control',         '{t,k,ta}', '{}'),
        ('text',  'blank',           '{t,k,ta}', '{}'),
        ('text',  'schedule_ns',     '{t,k,ta}', '{}'),
        ('text',  'quoting',         '{t,k,ta}', '{}'),
        ('text',  'odd_name',        '{t,k,ta}', '{}'),
        ('text',  'huge_time_zone',  '{tz}', '{}')
$$;

-- bad_input_pick(choices) → one of them, at random.
create function steadfast_test.bad_input_pick(p_choices text[]) returns text language sql volatile as $$
    select p_choices[1 + floor(random() * cardinality(p_choices))::integer]
$$;

-- bad_input_value(class, domain) → an SQL expression of the slot's type (a JSON value for j
-- and k) drawing a value of the class.
create function steadfast_test.bad_input_value(p_class text, p_domain text) returns text language plpgsql volatile as $$
declare
    v_text text;   -- a text expression, for the classes made of strings
    v_json text;   -- a jsonb expression
    v_other text;  -- an expression of the slot's own type
    v_letter text := chr(97 + floor(random() * 26)::integer);
begin
    case p_class
        when 'sql_null' then v_other := 'null';
        when 'json_null' then v_json := $j$'null'::jsonb$j$;
        when 'json_string' then v_json := format('to_jsonb(%L::text)', 'bi-' || substr(md5(random()::text), 1, 6));
        when 'json_number' then v_json := format('%L::jsonb', (2 + floor(random() * 998)::integer)::text);
        when 'json_bool' then v_json := format('%L::jsonb', steadfast_test.bad_input_pick('{true,false}'));
        when 'json_array' then v_json := format('%L::jsonb', steadfast_test.bad_input_pick(array['[]', '[1, "a", null]', '[{}]', '["bi-x"]']));
        when 'json_object' then v_json := format('%L::jsonb', steadfast_test.bad_input_pick(array['{}', '{"a": 1}', '{"bi": {"nested": [1]}}']));
        when 'empty_string' then v_text := $t$''$t$;
        when 'empty_array' then v_other := $t$'{}'::text[]$t$;
        when 'null_element' then v_other := 'array[null]::text[]';
        when 'long_256' then v_text := format('repeat(%L, 256)', v_letter);
        when 'huge_1mib' then v_text := format('repeat(%L, %s)', v_letter, 1048576 + floor(random() * 64)::integer);
        when 'huge_time_zone' then v_text := format('repeat(%L, %s)', steadfast_test.bad_input_pick('{Europe/,A,/}'), 349525);
        when 'deep_json' then
            v_json := case when random() < 0.5
                           then format($f$(repeat('[', %1$s) || repeat(']', %1$s))::jsonb$f$, 1000 + floor(random() * 7000)::integer)
                           else format($f$(repeat('{"a": ', %1$s) || '1' || repeat('}', %1$s))::jsonb$f$,
                                       1000 + floor(random() * 7000)::integer) end;
        when 'wide_object' then
            v_json := format('(select jsonb_object_agg(%L || i, i) from generate_series(1, %s) i)', v_letter,
                             2000 + floor(random() * 3000)::integer);
        when 'wide_array' then
            if p_domain = 'ta' then
                v_other := format('array(select %L || i from generate_series(1, %s) i)', v_letter, 10000 + floor(random() * 10000)::integer);
            else
                v_json := format('(select jsonb_agg(i) from generate_series(1, %s) i)', 10000 + floor(random() * 10000)::integer);
            end if;
        -- the payload limit is lowered to its minimum, 65536 bytes, by bad_input_setup
        when 'over_limit' then v_json := format('to_jsonb(repeat(%L, %s))', v_letter, 65536 + floor(random() * 64)::integer);
        when 'int_negative' then v_other := (-1 - floor(random() * random() * 1000)::integer)::text;
        when 'int_zero' then v_other := '0';
        when 'int_min' then v_other := '(-2147483648)';
        when 'int_max' then v_other := '2147483647';
        when 'num_negative' then v_json := format('%L::jsonb', (-1 - floor(random() * random() * 1000)::integer)::text);
        when 'num_zero' then v_json := $j$'0'::jsonb$j$;
        when 'num_negative_zero' then v_json := $j$'-0.0'::jsonb$j$;
        when 'num_fraction' then v_json := format('%L::jsonb', steadfast_test.bad_input_pick(array['0.5', '1.5', '0.000001', round(random()::numeric, 4)::text]));
        when 'num_2p31' then v_json := $j$'2147483648'::jsonb$j$;
        when 'num_2p63' then v_json := $j$'9223372036854775808'::jsonb$j$;
        when 'num_1e15' then v_json := $j$'1e15'::jsonb$j$;
        when 'num_1e400' then v_json := format('%L::jsonb', steadfast_test.bad_input_pick('{1e400,1.7976931348623157e309,1e1000}'));
        when 'num_1e-400' then v_json := format('%L::jsonb', steadfast_test.bad_input_pick('{1e-400,4e-324,1e-1000}'));
        when 'num_-1e400' then v_json := format('%L::jsonb', steadfast_test.bad_input_pick('{-1e400,-1e1000}'));
        when 'ts_infinity' then v_text := $t$'infinity'$t$;
        when 'ts_-infinity' then v_text := $t$'-infinity'$t$;
        when 'ts_294276' then v_text := format('%L', steadfast_test.bad_input_pick('{294276-12-31,294276-12-31T23:59:59Z,200000-01-01}'));
        when 'ts_4714bc' then v_text := format('%L', steadfast_test.bad_input_pick('{4714-11-24 00:00:00+00 BC,0001-01-01 BC,0001-01-01}'));
        when 'ts_1969' then v_text := format('%L', steadfast_test.bad_input_pick('{1969-12-31T23:59:59Z,1900-01-01,1969-07-20T20:17:00Z}'));
        when 'ts_3001' then v_text := format('%L', steadfast_test.bad_input_pick('{3001-01-01T00:00:00Z,9999-12-31T23:59:59Z,3000-01-01T00:00:01Z}'));
        when 'ts_odd' then v_text := format('%L', steadfast_test.bad_input_pick('{now,epoch,today,allballs,2026-02-30,NaN,2026-13-01,24:00:00,J2451187}'));
        when 'iv_100000y' then v_other := $t$'100000 years'::interval$t$;
        when 'iv_-100000y' then v_other := $t$'-100000 years'::interval$t$;
        when 'iv_max' then v_other := $t$'178000000 years'::interval$t$;
        when 'iv_negative' then v_other := format('%L::interval', steadfast_test.bad_input_pick('{-1 second,-1 day,-0.000001 seconds}'));
        when 'iv_zero' then v_other := $t$'0'::interval$t$;
        when 'iv_odd' then v_other := format('%L::interval', steadfast_test.bad_input_pick('{1 mon -30 days,-1 mon 32 days,2147483647 days,-2147483648 days}'));
        when 'unicode' then
            v_text := format('%L', (select string_agg(steadfast_test.bad_input_pick(
                          array['é', '日本', '🎉', U&'\202E', U&'\200B', U&'\FEFF', 'ß', U&'e\0301', U&'\FFFD', U&'\+10FFFF',
                                'Ω', 'ı', 'İ', U&'\00A0']), '') from generate_series(1, 1 + floor(random() * 8)::integer)));
        when 'control' then
            v_text := format('%L', 'bi' || (select string_agg(chr(steadfast_test.bad_input_pick(
                          array['1', '7', '8', '9', '10', '13', '27', '31', '127'])::integer), '')
                                            from generate_series(1, 1 + floor(random() * 4)::integer)));
        when 'blank' then v_text := format('%L', steadfast_test.bad_input_pick(array[' ', '   ', E'\t', E'\n', E' \r\n ']));
        when 'schedule_ns' then
            v_text := format('%L', format('schedule:%s@2026-01-0%sT00:00:00Z',
                                          steadfast_test.bad_input_pick('{bi-sched,nightly,x}'), 1 + floor(random() * 9)::integer));
        when 'quoting' then
            v_text := format('%L', steadfast_test.bad_input_pick(array[$q$'); drop table steadfast.workflows; --$q$,
                                                                   '%s %I %L %%', E'\\', '"', $q$''$q$, '$fn$', 'x''y']));
        when 'odd_name' then
            v_text := format('%L', steadfast_test.bad_input_pick(array['../../etc/passwd', 'UTC+3', 'CEST', 'posixrules',
                                                                   'Factory', 'localtime', 'default', 'DEFAULT', 'utc',
                                                                   'Europe/../Europe/Berlin']));
    end case;
    if v_text is not null then
        return case p_domain when 't' then v_text
                             when 'ts' then v_text || '::timestamptz'
                             when 'ta' then format('array[%s]::text[]', v_text)
                             else format('to_jsonb(%s::text)', v_text) end;
    end if;
    if v_json is not null then
        return v_json;
    end if;
    return v_other;
end;
$$;

-- bad_input_generate() → the number of calls: for each slot, one per class of the file's
-- family that applies to it, plus one more of a class drawn at random, from the seeded
-- generator.
create function steadfast_test.bad_input_generate() returns integer language plpgsql as $$
declare
    v_family text := (select m.family from bad_input_meta m);
    s record;
    c record;
    v_expr text;
    v_classes text[];
begin
    perform setseed((select m.seed from bad_input_meta m));
    for s in select * from bad_input_slots order by id loop
        v_classes := array(select x.class from steadfast_test.bad_input_classes() x
                           where x.family = v_family
                             and (s.domain = any (x.domains)
                                  or 'tz' = any (x.domains) and s.label ~ 'time_zone$' and s.domain in ('t', 'k')));
        continue when cardinality(v_classes) = 0;
        v_classes := v_classes || steadfast_test.bad_input_pick(v_classes);
        for c in select x.* from unnest(v_classes) with ordinality u(class, o)
                 join steadfast_test.bad_input_classes() x on x.class = u.class order by u.o loop
            v_expr := steadfast_test.bad_input_value(c.class, s.domain);
            insert into bad_input_calls (slot_id, class, must_refuse, sql)
            values (s.id, c.class, coalesce(s.kind = any (c.strict_kinds), false),
                    steadfast_test.bad_input_sql(s.proc, s.argnum,
                        case when s.path is null then format('(%s)::%s', v_expr, s.argtype)
                             else format('jsonb_set(%L::jsonb, %L::text[], %s, true)', s.container, s.path, v_expr) end));
        end loop;
    end loop;
    return (select count(*) from bad_input_calls);
end;
$$;

-- bad_input_run(call id): makes the call and records what was wrong with its outcome.
create function steadfast_test.bad_input_run(p_id integer) returns void language plpgsql as $$
declare
    c record;
    r record;
    v_before text := steadfast_test.snapshot();
    v_problems text[] := '{}';
    v_start timestamptz := clock_timestamp();
begin
    select k.*, s.fname, s.names into c from bad_input_calls k join bad_input_slots s on s.id = k.slot_id where k.id = p_id;
    r := steadfast_test.bad_input_try(c.sql, c.fname);
    if r.err_state is null then
        if c.must_refuse then
            v_problems := v_problems || 'accepted a value it must refuse'::text;
        end if;
        if r.err_message is not null then
            v_problems := v_problems || ('succeeded, but ' || r.err_message);
        end if;
    elsif r.err_state = '57014' then
        v_problems := v_problems || 'ran past the statement timeout'::text;
    elsif not exists (select from steadfast.error_codes() e where e.sqlstate = r.err_state) then
        v_problems := v_problems || 'raised a SQLSTATE that is not the engine''s'::text;
    else
        if not exists (select from unnest(c.names) n where strpos(lower(r.err_message), lower(n)) > 0) then
            v_problems := v_problems || format('message does not name %s', array_to_string(c.names, ' / '));
        end if;
        if length(r.err_message) > 500 or length(r.err_detail) > 500 or length(r.err_hint) > 500 then
            v_problems := v_problems || format('message/detail/hint of %s/%s/%s characters', length(r.err_message),
                                               coalesce(length(r.err_detail), 0), coalesce(length(r.err_hint), 0));
        end if;
    end if;
    if steadfast_test.snapshot() is distinct from v_before then
        v_problems := v_problems || 'changed the tables'::text;
    end if;
    insert into bad_input_results (call_id, sqlstate, message, problem, ms)
    values (p_id, r.err_state, left(r.err_message, 500), nullif(array_to_string(v_problems, '; '), ''),
            1000 * extract(epoch from clock_timestamp() - v_start));
end;
$$;

-- bad_input_offenders(proc) → the calls of proc whose outcome was wrong, for is_empty: the
-- slot, the value class, the SQLSTATE, what was wrong, and the start of the message. The
-- baseline call (valid values everywhere) must succeed, else the fixtures are wrong.
create function steadfast_test.bad_input_offenders(p_proc regprocedure)
returns table (slot text, class text, sqlstate text, problem text, message text)
language plpgsql as $$
begin
    return query
    select '(baseline)', null, b.err_state, 'the call with valid values failed', left(b.err_message, 160)
    from steadfast_test.bad_input_try(steadfast_test.bad_input_sql(p_proc, null, null)) b
    where b.err_state is not null
    union all
    select s.label, k.class, r.sqlstate, r.problem, left(regexp_replace(r.message, '\s+', ' ', 'g'), 160)
    from bad_input_results r
    join bad_input_calls k on k.id = r.call_id
    join bad_input_slots s on s.id = k.slot_id
    where s.proc = p_proc and r.problem is not null
    order by 1, 2;
end;
$$;

-- bad_input_report() → the TAP lines of a bad-input file: one is_empty per public function,
-- then one check that the discovery worked (each options argument revealed its keys) and
-- that every call ran.
create function steadfast_test.bad_input_report() returns setof text language plpgsql as $$
declare
    f record;
    v_family text := (select m.family from bad_input_meta m);
begin
    return next diag(format('bad_input %s: seed %s (replay: pg_prove --set bad_input_seed=%2$s); %s calls over %s slots',
                            v_family, (select m.seed from bad_input_meta m), (select count(*) from bad_input_calls),
                            (select count(*) from bad_input_slots)));
    for f in select * from steadfast_test.bad_input_functions() loop
        return next is_empty(format('select * from steadfast_test.bad_input_offenders(%L)', f.proc),
                             format('%s: every %s bad value is refused with an SF code, a short message naming it, no change — or accepted sanely',
                                    f.proc, v_family));
    end loop;
    return next is_empty($q$
        select s.fname || ': ' || s.label || ' revealed no options' from bad_input_slots s
        where s.argname = 'p_options' and s.path is null
          and not exists (select from bad_input_slots k where k.proc = s.proc and k.argnum = s.argnum and k.path is not null)
        union all
        select 'call ' || k.id || ' did not run' from bad_input_calls k
        where not exists (select from bad_input_results r where r.call_id = k.id)$q$,
        'bad_input: every options argument revealed its keys, and every generated call ran');
end;
$$;

-- bad_input_statements(family, seed) → the statements that prepare a bad-input file's calls,
-- in order, for psql's \gexec: the fixtures (bad_input_setup) and one discovery per public
-- function (bad_input_discover), each a statement of its own under a statement_timeout of 2 s,
-- then the generator (bad_input_generate: test code, not bounded). The calls follow from
-- bad_input_call_statements(), then the TAP lines from bad_input_report(). A file of the family
-- runs, inside its transaction, with output off but for the TAP lines:
--     select plan(steadfast_test.bad_input_plan());
--     \o /dev/null
--     select * from steadfast_test.bad_input_statements('<family>', :'bad_input_seed') \gexec
--     select * from steadfast_test.bad_input_call_statements() \gexec
--     \o
--     select * from steadfast_test.bad_input_report();
create function steadfast_test.bad_input_statements(p_family text, p_seed text) returns setof text
language plpgsql stable as $$
begin
    return next $s$set local statement_timeout = '2s'$s$;
    return next format('select steadfast_test.bad_input_setup(%L, %L)', p_family, p_seed);
    return query select format('select steadfast_test.bad_input_discover(%s)', f.proc::oid)
                 from steadfast_test.bad_input_functions() f;
    return next 'set local statement_timeout = 0';
    return next 'select steadfast_test.bad_input_generate()';
    return next $s$set local statement_timeout = '2s'$s$;
end;
$$;

-- bad_input_call_statements() → one statement per generated call (bad_input_run), for \gexec:
-- each call bounded by the statement_timeout on its own.
create function steadfast_test.bad_input_call_statements() returns setof text language plpgsql stable as $$
begin
    return query select format('select steadfast_test.bad_input_run(%s)', k.id) from bad_input_calls k order by k.id;
end;
$$;
