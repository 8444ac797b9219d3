-- Every function in the schema pins its search_path (`set search_path = …`): a function that
-- resolves names through the caller's search_path can be hijacked by objects the caller
-- creates, and a security definer one runs them with the owner's rights.
begin;
select plan(2);

select ok(
    (select count(*) from pg_catalog.pg_proc p where p.pronamespace = 'steadfast'::regnamespace) >= 13,
    'the engine''s functions are installed');

select is_empty(
    $$select p.oid::regprocedure::text
      from pg_catalog.pg_proc p
      where p.pronamespace = 'steadfast'::regnamespace
        and not exists (select 1 from pg_catalog.unnest(p.proconfig) c where c like 'search\_path=%')
      order by 1$$,
    'every function in schema steadfast pins search_path');

select * from finish();
rollback;
