-- Two sessions register the same new executor id at the same moment: the second waits for the
-- first to commit, then gets SF008 (the id is held by another live session) — never the raw
-- unique violation (23505) it used to get.
--
-- Commits rows through dblink (ids prefixed rr-); cleaned up at both ends.
delete from steadfast.executors where id like 'rr-%';

begin;
select plan(5);

select steadfast_test.connect('b');
select is(steadfast_test.remote('a', 'begin'), 'BEGIN', 'A opens a transaction');
select is(steadfast_test.remote_value('a', $r$select executor_id from steadfast.register_executor('rr-e')$r$), 'rr-e',
          'A registers rr-e and does not commit yet');
select is(dblink_send_query('b', $r$select steadfast_test.sqlstate_of('select steadfast.register_executor(''rr-e'')')$r$), 1,
          'B registers rr-e too');
select ok(steadfast_test.waits_for_lock('b'), 'B waits for A');
select steadfast_test.remote('a', 'commit');
select results_eq($$select * from dblink_get_result('b') as t(sqlstate text)$$, $$values ('SF008')$$,
                  'once A commits, B gets SF008');
do $$ begin perform * from dblink_get_result('b') as t(s text); end $$;

select steadfast_test.disconnect('a');
select steadfast_test.disconnect('b');
select steadfast_test.remote('setup', $r$ delete from steadfast.executors where id like 'rr-%' $r$);
select steadfast_test.disconnect('setup');
select * from finish();
rollback;
