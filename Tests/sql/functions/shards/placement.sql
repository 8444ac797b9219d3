-- Shards (sql/25_shards.sql, sql/96_router.sql): where a workflow is placed, and a shard that
-- refuses what belongs on another. The router itself (PL/Proxy over four databases) is tested
-- by Tests/sharded/test.sh and the Swift suite "Sharded".
begin;
select plan(25);

-- The shard key: the id before its first "/"; schedule ids before their "@".
select is(steadfast.shard_key('order-1'), 'order-1', 'a plain id is its own key');
select is(steadfast.shard_key('tenant-7/order-1'), 'tenant-7', 'a prefixed id is placed by its prefix');
select is(steadfast.shard_key('order-1/charge'), 'order-1', 'a child (parent/step) is placed with its parent');
select is(steadfast.shard_key('order-1/charge/refund#2'), 'order-1', 'a grandchild too');
select is(steadfast.shard_key('schedule:nightly@2030-01-01T00:00:00Z'), 'schedule:nightly',
          'a schedule''s occurrence is placed by the schedule');
select is(steadfast.shard_key('schedule:nightly@2030-01-01T00:00:00Z/report'), 'schedule:nightly',
          'and so are its children');
select is(steadfast.shard_key(steadfast._child_id(pg_catalog.repeat('p', 250), 'step')),
          pg_catalog.repeat('p', 200), 'a long parent''s child, its id shortened, keeps the parent''s key');
select is(steadfast.shard_key(pg_catalog.repeat('p', 250)), pg_catalog.repeat('p', 200), 'a key has at most 200 characters');
select is(steadfast.shard_key(null), null, 'null has no key');
select is(steadfast.shard_hash(null), 0, 'null hashes to 0 (the shard then gives its own SF005)');
select is(steadfast.shard_hash('order-1'), pg_catalog.hashtext('order-1'), 'the hash is hashtext of the key, as PL/Proxy masks it');

-- shard_of: a power of two.
select is(steadfast.shard_of('a/b', 4), steadfast.shard_hash('a') & 3, 'shard_of masks the hash by shards - 1');
select is((select pg_catalog.count(distinct steadfast.shard_of('w-' || i, 4)) from pg_catalog.generate_series(1, 200) i),
          4::bigint, '200 ids reach all four shards');
select throws_ok($$select steadfast.shard_of('a', 3)$$, 'SF005', null, 'shards must be a power of two');
select throws_ok($$select steadfast.shard_of('a', 2048)$$, 'SF005', null, 'at most 1024 shards');

-- configure_shard: this database becomes shard k of 4.
select is((select count(*) from steadfast.shard_identity()), 0::bigint, 'not a shard by default');
select lives_ok($$select * from steadfast.configure_shard(steadfast.shard_of('here-1', 4), 4)$$, 'configure_shard');
select results_eq($$select shard, shards from steadfast.shard_identity()$$,
                  $$values (steadfast.shard_of('here-1', 4), 4)$$, 'shard_identity says which');
select lives_ok($$select * from steadfast.start_workflow('here-1', 'job', '{}', '{}')$$, 'a workflow of this shard is created');
select lives_ok($$select * from steadfast.start_workflow('here-1/extra', 'job', '{}', '{}')$$,
                'one sharing its key too');
-- An id on another shard.
select id as elsewhere from (select 'there-' || i as id from pg_catalog.generate_series(1, 100) i) x
where steadfast.shard_of(x.id, 4) <> steadfast.shard_of('here-1', 4) limit 1 \gset
select throws_like(format($$select * from steadfast.start_workflow(%L, 'job', '{}', '{}')$$, :'elsewhere'),
                   '%belongs on shard%',
                   'one that belongs on another shard is refused, naming the shard (SF005)');
select is((select count(*) from steadfast.workflows where id = :'elsewhere'), 0::bigint, 'and nothing is created');
-- Schedules: each lives on one shard.
select is((select pg_catalog.count(*) from steadfast.schedules_here(array(select 's-' || i from pg_catalog.generate_series(1, 100) i))),
          (select pg_catalog.count(*) from pg_catalog.generate_series(1, 100) i
           where steadfast.shard_hash('schedule:s-' || i || '@') & 3 = steadfast.shard_of('here-1', 4)),
          'schedules_here names the schedules whose occurrences belong here');

-- A workflow awaiting the event of a workflow this shard does not hold: SF001, and the hint
-- says why on a shard.
select count(*) from steadfast.register_executor('shard-exec', '{}');
create temp table hint (hint text);
do $$
declare
    v_attempt integer;
    v_hint text;
begin
    select c.attempt into v_attempt from steadfast.claim_workflows('shard-exec', 10) c where c.workflow_id = 'here-1';
    begin
        perform steadfast.await_event('here-1', v_attempt, 'wait-other', 'elsewhere-1', 'k', '{}');
    exception when sqlstate 'SF001' then
        get stacked diagnostics v_hint = pg_exception_hint;
    end;
    insert into hint values (v_hint);
end;
$$;
select ok((select h.hint from hint h) like '%same shard key%', 'await_event of a workflow on another shard: SF001 whose hint names the shard key');

-- The router's functions are generated from every public function; one with no route stops it.
create function steadfast.unrouted_for_test() returns integer language sql as 'select 1';
select throws_like($$select count(*) from steadfast.router_ddl()$$, '%no route for unrouted_for_test%',
                   'router_ddl refuses a public function it has no route for');

select * from finish();
rollback;
