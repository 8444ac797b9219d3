-- Every public function and every view of the schema explains itself in \df+ and \d+.
begin;
select plan(2);

select is(
    (select array_agg(p.proname::text order by p.proname) from pg_proc p
     where p.pronamespace = 'steadfast'::regnamespace and p.proname !~ '^_'
       and obj_description(p.oid, 'pg_proc') is null),
    null, 'every public function has a COMMENT');
select is(
    (select array_agg(c.relname::text order by c.relname) from pg_class c
     where c.relnamespace = 'steadfast'::regnamespace and c.relkind = 'v'
       and obj_description(c.oid, 'pg_class') is null),
    null, 'every view has a COMMENT');

select * from finish();
rollback;
