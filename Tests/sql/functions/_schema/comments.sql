-- Every public function and every view of the schema explains itself in \df+ and \d+, and so
-- does every table and every column of a table (migration 0022): a table or column added
-- later comes with its COMMENT in its own migration.
begin;
select plan(4);

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
select is(
    array(select c.relname::text from pg_class c
          where c.relnamespace = 'steadfast'::regnamespace and c.relkind in ('r', 'p')
            and obj_description(c.oid, 'pg_class') is null
          order by 1),
    '{}'::text[], 'every table has a COMMENT');
select is(
    array(select c.relname || '.' || a.attname from pg_class c
          join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
          where c.relnamespace = 'steadfast'::regnamespace and c.relkind in ('r', 'p')
            and col_description(c.oid, a.attnum) is null
          order by 1),
    '{}'::text[], 'every column of every table has a COMMENT');

select * from finish();
rollback;
