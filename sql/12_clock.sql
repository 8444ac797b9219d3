-- The clock. Every time comparison and default in the engine reads steadfast.now()
-- (migrations/0001 and 0005): the session setting steadfast.fake_now first, then the
-- database-wide fake clock (steadfast.fake_clock), then the real statement time.

-- set_fake_now(now) → now: sets the database-wide fake clock (null clears it), so every
-- session of this database — a test's pool, its workers — sees time stand still at `now`
-- until it is set again. For tests and staging; never needed in production. Moving the clock
-- backwards is allowed (tests may rewind). Locks the clock row. Idempotent.
create or replace function steadfast.set_fake_now(p_now timestamptz)
returns timestamptz
language plpgsql
security definer
set search_path = ''
as $fn$
begin
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
