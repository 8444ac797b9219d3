-- The public functions (no leading underscore) are `security definer`: application roles are
-- granted functions, never tables, so every function that reads or writes a table must run
-- with its owner's rights. Two public functions touch no table and need no elevated rights:
-- the clock now() (also used by column defaults) and the constant error_codes().
begin;
select plan(3);

select is_empty(
    $$select p.oid::regprocedure::text
      from pg_catalog.pg_proc p
      where p.pronamespace = 'steadfast'::regnamespace
        and p.proname not like '\_%'
        and p.proname not in ('now', 'error_codes')
        and not p.prosecdef
      order by 1$$,
    'every public function in schema steadfast is security definer');

select is_empty(
    $$select p.oid::regprocedure::text
      from pg_catalog.pg_proc p
      where p.pronamespace = 'steadfast'::regnamespace
        and p.proname in ('now', 'error_codes')
        and (p.prosecdef or p.provolatile = 'v')$$,
    'now() and error_codes() run with the caller''s rights and are not volatile');

select is_empty(
    $$select p.oid::regprocedure::text
      from pg_catalog.pg_proc p
      where p.pronamespace = 'steadfast'::regnamespace
        and p.proname like '\_%' and p.prosecdef
      order by 1$$,
    'private helpers are not security definer (they run inside a public function''s rights)');

select * from finish();
rollback;
