-- Nothing in schema steadfast is granted to PUBLIC: application roles receive functions by
-- explicit grants. This must hold for a fresh install and after an upgrade that adds a
-- function in a new or changed sql/ file (only changed files are re-applied, so the revokes
-- of 90_grants.sql do not run again by themselves).
begin;
select plan(4);

select is_empty(
    $$select p.oid::regprocedure::text
      from pg_catalog.pg_proc p
      where p.pronamespace = 'steadfast'::regnamespace
        and exists (select 1 from pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
                    where a.grantee = 0 and a.privilege_type = 'EXECUTE')
      order by 1$$,
    'no function in schema steadfast is executable by PUBLIC');

select is_empty(
    $$select c.oid::regclass::text
      from pg_catalog.pg_class c
      where c.relnamespace = 'steadfast'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'S')
        and exists (select 1 from pg_catalog.aclexplode(coalesce(c.relacl,
                        pg_catalog.acldefault((case when c.relkind = 'S' then 's' else 'r' end)::"char", c.relowner))) a
                    where a.grantee = 0)
      order by 1$$,
    'no table, view or sequence in schema steadfast is granted to PUBLIC');

-- An upgrade that ships a new sql/ file defining a new function: _apply_code applies only
-- that file.
select is(
    steadfast._apply_code('45_grants_probe.sql',
        $$create function steadfast.grants_probe() returns integer language sql security definer
          set search_path = '' as 'select 1'$$),
    true, 'a new sql/ file is applied on upgrade');
select is(
    pg_catalog.has_function_privilege('public', 'steadfast.grants_probe()', 'execute'),
    false, 'a function added by an upgrade is not executable by PUBLIC either');

select * from finish();
rollback;
