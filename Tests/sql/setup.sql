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

-- remote(name, sql) → runs sql in the dblink session `name` (connecting it first if needed),
-- committed at once: what another process would do.
create function steadfast_test.remote(p_conn text, p_sql text) returns text language plpgsql as $$
begin
    if p_conn <> all (coalesce(dblink_get_connections(), '{}')) then
        perform dblink_connect(p_conn, steadfast_test.url());
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
        perform dblink_connect(p_conn, steadfast_test.url());
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
