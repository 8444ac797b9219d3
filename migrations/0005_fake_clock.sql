-- 0005 — a database-wide fake clock, for tests that run many sessions (a pool, several
-- workers) on a database of their own.
--
-- steadfast.now() reads, in order: the session setting steadfast.fake_now, this table's
-- fake_now, the real statement time. The table is empty outside tests; set it with
-- steadfast.set_fake_now(…), clear it with steadfast.set_fake_now(null).

create table if not exists steadfast.fake_clock (
    singleton boolean primary key default true constraint fake_clock_one_row check (singleton),
    fake_now  timestamptz not null
);
comment on table steadfast.fake_clock is
    'At most one row: when present, steadfast.now() returns its fake_now (unless the session sets steadfast.fake_now). For tests.';

create or replace function steadfast.now()
returns timestamptz
language sql
stable
set search_path = ''
as $fn$
    select coalesce(
        nullif(pg_catalog.current_setting('steadfast.fake_now', true), '')::timestamptz,
        (select c.fake_now from steadfast.fake_clock c),
        pg_catalog.statement_timestamp())
$fn$;
