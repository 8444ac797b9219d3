-- Which functions pin their search_path (`set search_path = …`). A function that resolves names
-- through the caller's search_path can be hijacked by objects the caller creates, and a
-- security definer one would run them with the owner's rights: every function that anyone but
-- the schema's owner may execute pins it, and so does every security definer function.
-- The internal helpers (`_…`, and now()) do not: only the owner may execute them, every name
-- in them is qualified, and they run inside the pinned functions, in their search_path. A SET
-- clause would cost a configuration switch on every call and keep the planner from inlining
-- the SQL ones (parsed and planned again on every call otherwise) — measured in BENCHMARKS.md.
begin;
select plan(5);

select ok(
    (select count(*) from pg_catalog.pg_proc p where p.pronamespace = 'steadfast'::regnamespace) >= 13,
    'the engine''s functions are installed');

select is_empty(
    $$select p.oid::regprocedure::text
      from pg_catalog.pg_proc p
      where p.pronamespace = 'steadfast'::regnamespace
        and (p.prosecdef or p.proname !~ '^_' and p.proname <> 'now')
        and not exists (select 1 from pg_catalog.unnest(p.proconfig) c where c like 'search\_path=%')
      order by 1$$,
    'every security definer or public function in schema steadfast pins search_path');

-- `set search_path = ''` is not enough: an empty path still searches pg_temp first for types
-- and tables, so a caller's `create domain pg_temp.jsonb … check (evil())` ran as the owner.
-- pg_temp must be named, and last.
select is_empty(
    $$select p.oid::regprocedure::text || ': ' || c
      from pg_catalog.pg_proc p, pg_catalog.unnest(p.proconfig) c
      where p.pronamespace = 'steadfast'::regnamespace
        and c like 'search\_path=%' and c <> 'search_path=pg_catalog, pg_temp'
      order by 1$$,
    'every pinned search_path is exactly pg_catalog, pg_temp (pg_temp last)');

select is_empty(
    $$select p.oid::regprocedure::text
      from pg_catalog.pg_proc p
      where p.pronamespace = 'steadfast'::regnamespace
        and not exists (select 1 from pg_catalog.unnest(p.proconfig) c where c like 'search\_path=%')
        and (p.proacl is null
             or exists (select 1 from pg_catalog.aclexplode(p.proacl) a where a.grantee <> p.proowner))
      order by 1$$,
    'only the owner may execute the functions that do not pin search_path');

-- A hostile search_path in the calling session changes nothing: the helpers resolve nothing
-- through it.
create schema hostile;
create function hostile.jsonb_typeof(jsonb) returns text language sql as $$select 'hijacked'$$;
create function hostile.now() returns timestamptz language sql as $$select '2000-01-01'::timestamptz$$;
set local search_path = hostile, pg_catalog, public;
select is(
    (select w.status || ' ' || (w.available_at > '2020-01-01') from steadfast.start_workflow('hostile-1', 'w', '{"a": 1}') w),
    'enqueued true',
    'the engine''s functions and helpers resolve nothing through the session''s search_path');

select * from finish();
rollback;
