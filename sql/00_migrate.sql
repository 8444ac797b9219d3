-- Steadfast — the migration machinery (bootstrap).
--
-- This file runs first on every migrate, before any migration, and must stay safe to run any
-- number of times, concurrently: it takes a session-level advisory lock that serializes
-- migrators (released when the migrating session ends), then creates the schema, the two
-- bookkeeping tables and the two functions that apply migrations and code.
--
-- The rest of the bundle is a list of calls:
--   select steadfast._apply_migration(1, '0001_core', $$...$$);   -- migrations/, in order
--   select steadfast._apply_code('10_clock.sql', $$...$$);           -- sql/, in order
-- `make sql` writes that list for psql; the Swift library sends the same files as parameters.

-- 'steadfast migrate': a session-level lock, held until the migrating session ends. Any
-- session can take any advisory lock, so a migrator that finds it taken says who holds it
-- (NOTICE), waits at most the session's lock_timeout (5 minutes when none is set), and then
-- fails with SQLSTATE 55P03 naming the holder, rather than hang behind a session that never
-- lets go.
do $lock$
declare
    v_holder text;
begin
    if pg_catalog.pg_try_advisory_lock(7293475118305624701) then
        return;
    end if;
    select pg_catalog.string_agg(pg_catalog.format('pid %s (role %s, application %s, connected since %s)',
                                                   a.pid, a.usename, coalesce(nullif(a.application_name, ''), '-'),
                                                   a.backend_start), '; ')
    into v_holder
    from pg_catalog.pg_locks l join pg_catalog.pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.objsubid = 1
      and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
      and l.classid::bigint = (7293475118305624701::bigint >> 32)
      and l.objid::bigint = (7293475118305624701::bigint & 4294967295);
    v_holder := coalesce(v_holder, 'a session that has just let it go');
    raise notice 'steadfast migrate: waiting for the migration lock, held by %', v_holder;
    if pg_catalog.current_setting('lock_timeout') in ('0', '0ms', '0s') then
        perform pg_catalog.set_config('lock_timeout', '300s', true);
    end if;
    begin
        perform pg_catalog.pg_advisory_lock(7293475118305624701);
    exception when lock_not_available then
        raise exception using errcode = '55P03',
            message = pg_catalog.format('steadfast migrate: the migration lock is held by %s', v_holder),
            hint = 'Another migration is running, or a session holds the lock (advisory lock 7293475118305624701): wait for it, or end it with pg_terminate_backend(pid), then migrate again.';
    end;
end $lock$;

create schema if not exists steadfast;
comment on schema steadfast is
    'Steadfast: durable workflows with PostgreSQL as the orchestrator. Call the functions; do not write the tables.';

create table if not exists steadfast.schema_migrations (
    version    integer primary key,
    name       text not null,
    applied_at timestamptz not null default pg_catalog.now()
);
comment on table steadfast.schema_migrations is
    'One row per migration applied, inserted in the same transaction as the migration.';
-- The text each migration had when it was applied (md5; recorded on the next migrate for those
-- applied before checksums existed), and whether it breaks older code (a `-- steadfast:
-- breaking` line in it): a build for an older schema runs against this one only when no
-- breaking migration lies in between (steadfast.breaking_migrations_after, sql/70_read.sql).
alter table steadfast.schema_migrations add column if not exists checksum text;
alter table steadfast.schema_migrations add column if not exists breaking boolean not null default false;

create table if not exists steadfast.schema_code (
    file       text primary key,
    checksum   text not null,
    applied_at timestamptz not null default pg_catalog.now()
);
comment on table steadfast.schema_code is
    'The checksum of each sql/ file as last applied; a file is re-applied when it changes.';

-- _apply_migration(version, name, sql) → true when applied now, false when already applied.
-- Inserts the version row first (so two migrators that raced past the lock cannot both apply
-- it), with the text's checksum and whether it is breaking, then runs the migration, all in
-- the caller's transaction. An applied migration whose text has changed since is refused
-- (SQLSTATE 55000, naming it): migrations are never edited once applied — write a new one.
-- The escape hatch for a deliberate edit (say, a comment fixed): list its name in the session
-- setting steadfast.accept_changed_migrations (comma-separated, or `*`) for that migrate; its
-- new checksum is recorded. Applying a migration forgets every code checksum, so the whole of
-- sql/ is re-applied afterwards (a migration may have dropped a function whose file did not
-- change).
create or replace function steadfast._apply_migration(p_version integer, p_name text, p_sql text)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $fn$
-- plpgsql_check (scripts/plpgsql-check.sh): EXECUTE p_sql runs a migration of the engine's own,
-- as the migrating owner; that is this function's purpose, not an injection.
-- @plpgsql_check_options: security_warnings = false
declare
    -- Of the text without its surrounding blank space: the bundle's dollar quoting adds a line
    -- break that the Swift library's copy of the file does not have.
    v_checksum text := pg_catalog.md5(pg_catalog.btrim(p_sql, E' \t\r\n'));
    v_recorded steadfast.schema_migrations;
    v_accepted text := coalesce(pg_catalog.current_setting('steadfast.accept_changed_migrations', true), '');
begin
    insert into steadfast.schema_migrations (version, name, checksum, breaking)
    values (p_version, p_name, v_checksum, p_sql ~ E'(^|\\n)[-][-]\\s*steadfast:\\s*breaking\\M')
    on conflict (version) do nothing;
    if not found then
        select * into v_recorded from steadfast.schema_migrations m where m.version = p_version;
        if v_recorded.checksum is distinct from v_checksum then
            if v_recorded.checksum is not null
               and not (v_accepted = '*' or p_name = any (pg_catalog.string_to_array(pg_catalog.replace(v_accepted, ' ', ''), ','))) then
                raise exception using errcode = '55000',
                    message = pg_catalog.format('steadfast migrate: migration %s was changed after it was applied', p_name),
                    detail = pg_catalog.format('Applied with checksum %s on %s; its text now has checksum %s.',
                                               v_recorded.checksum, v_recorded.applied_at, v_checksum),
                    hint = pg_catalog.format('Migrations are never edited once applied: restore the file and write a new migration. If the edit is deliberate and harmless, migrate once with the setting steadfast.accept_changed_migrations = %L (steadfast migrate --accept-changed %s).', p_name, p_name);
            end if;
            -- Recorded for the first time (applied before checksums existed), or accepted.
            update steadfast.schema_migrations m set checksum = v_checksum where m.version = p_version;
        end if;
        return false;
    end if;
    execute p_sql;
    delete from steadfast.schema_code;
    -- Nothing in the schema is executable by PUBLIC, whatever created it.
    revoke all on all functions in schema steadfast from public;
    return true;
end;
$fn$;

-- _apply_code(file, sql) → true when (re-)applied now, false when unchanged since last time.
create or replace function steadfast._apply_code(p_file text, p_sql text)
returns boolean
language plpgsql
set search_path = pg_catalog, pg_temp
as $fn$
-- plpgsql_check (scripts/plpgsql-check.sh): EXECUTE p_sql runs a file of the engine's own sql/,
-- as the migrating owner; that is this function's purpose, not an injection.
-- @plpgsql_check_options: security_warnings = false
declare
    v_checksum text := pg_catalog.md5(pg_catalog.btrim(p_sql, E' \t\r\n'));  -- as _apply_migration's
begin
    if exists (select 1 from steadfast.schema_code c
               where c.file = p_file and c.checksum = v_checksum) then
        return false;
    end if;
    execute p_sql;
    revoke all on all functions in schema steadfast from public;
    insert into steadfast.schema_code (file, checksum) values (p_file, v_checksum)
    on conflict (file) do update set checksum = excluded.checksum, applied_at = pg_catalog.now();
    return true;
end;
$fn$;

revoke all on function steadfast._apply_migration(integer, text, text) from public;
revoke all on function steadfast._apply_code(text, text) from public;
