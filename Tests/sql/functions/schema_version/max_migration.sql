-- schema_version(): the highest migration applied.
begin;
select plan(3);

select is(steadfast.schema_version(),
          (select max(version) from steadfast.schema_migrations),
          'schema_version() is the highest version in schema_migrations');
select ok(steadfast.schema_version() >= 1, 'the core migration is applied');

insert into steadfast.schema_migrations (version, name) values (9999, '9999_future');
select is(steadfast.schema_version(), 9999, 'it follows a newly applied migration');

select * from finish();
rollback;
