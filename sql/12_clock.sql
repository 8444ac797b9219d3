-- The clock. Every time comparison and default in the engine reads steadfast.now(): the
-- session setting steadfast.fake_now first, then the database-wide fake clock
-- (steadfast.fake_clock, migration 0005), then the real statement time.
--
-- Only the schema's owner moves time. Any role can SET steadfast.fake_now in its own session,
-- and the engine's functions run as the owner: a worker that moved its clock would expire
-- other executors' leases and take their workflows, a client would back-date its starts to
-- jump the queue. So the session setting is honoured only when the session's login role
-- (session_user, which SET ROLE does not change) is a member of the owner role — the owner
-- itself, or a superuser; for anyone else it is ignored. The database-wide clock is written
-- only by set_fake_now, which no grant set has.

-- now() → the engine's current time, as above. Defined first by migrations 0001 and 0005 (the
-- tables' defaults reference it); redefined here in PL/pgSQL, whose query plans are cached for
-- the session: as a SQL function with a pinned search_path (never inlined, and its scalar
-- subquery would prevent inlining anyway) it was parsed and planned again on every call —
-- 30 µs, six calls per workflow. It is safe unpinned: every name in it is qualified, only the
-- schema's owner may execute it, and it runs inside the engine's functions, whose search_path
-- is pinned.
-- _may_fake_time() → whether this session's login role may move the clock: a member of the
-- role that owns the schema (the owner, or a superuser).
create or replace function steadfast._may_fake_time()
returns boolean
language plpgsql
stable
as $fn$
begin
    return pg_catalog.pg_has_role(session_user,
        (select n.nspowner from pg_catalog.pg_namespace n where n.nspname = 'steadfast'), 'MEMBER');
end;
$fn$;

create or replace function steadfast.now()
returns timestamptz
language plpgsql
stable
as $fn$
declare
    v_setting text := pg_catalog.current_setting('steadfast.fake_now', true);
    v_fake timestamptz;
begin
    -- Unset, the setting is null, and `null and x` evaluates x: the coalesce spares the role
    -- check (6 µs, four times per workflow) when no session clock is set.
    if coalesce(v_setting, '') <> '' and steadfast._may_fake_time() then
        return v_setting::timestamptz;
    end if;
    select c.fake_now into v_fake from steadfast.fake_clock c;
    return coalesce(v_fake, pg_catalog.statement_timestamp());
end;
$fn$;

-- set_fake_now(now) → now: sets the database-wide fake clock (null clears it), so every
-- session of this database — a test's pool, its workers — sees time stand still at `now`
-- until it is set again. For tests and staging; never needed in production. Moving the clock
-- backwards is allowed (tests may rewind). Locks the clock row. Idempotent. Raises SF005 for a
-- time that is not finite or not between 1970 and 3000.
create or replace function steadfast.set_fake_now(p_now timestamptz)
returns timestamptz
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
begin
    perform steadfast._check_timestamp(p_now, 'now', 'set_fake_now');
    if p_now is null then
        delete from steadfast.fake_clock;
    else
        insert into steadfast.fake_clock (singleton, fake_now) values (true, p_now)
        on conflict (singleton) do update set fake_now = excluded.fake_now;
    end if;
    return p_now;
end;
$fn$;
comment on function steadfast.set_fake_now(timestamptz) is
    'Sets (or with null clears) the database-wide fake clock that steadfast.now() reads. For tests.';
comment on function steadfast.now() is
    'The engine''s clock: the session setting steadfast.fake_now, else the database-wide fake clock (set_fake_now), else the statement time.';
