-- Steps of one workflow recorded concurrently from several sessions: the workflow's row lock
-- serializes them and numbers them without gaps or duplicates; a caller whose transaction
-- reads from an older snapshot (repeatable read) gets a serialization failure, never a
-- duplicate number. Committed data through dblink; cleaned up before and after.
begin;
select plan(6);

select steadfast_test.remote('rsc_setup', $$
    delete from steadfast.workflows where id like 'rsc-%';
    delete from steadfast.executors where id like 'rsc-%';
$$);
select steadfast_test.remote_value('rsc_setup', $$select executor_id from steadfast.register_executor('rsc-e')$$);
select is(steadfast_test.remote_value('rsc_setup',
              $$select status from steadfast.start_workflow_and_claim('rsc-e', 'rsc-w', 'job')$$),
          'running', 'a running workflow');

-- Read committed: the second step waits for the first one's transaction, then numbers after it.
select steadfast_test.remote('rsc_a', 'begin');
select is(steadfast_test.remote_value('rsc_a', $$select seq from steadfast.record_step('rsc-w', 1, 'a', '1')$$), '1',
          'session A records step a (uncommitted)');
select steadfast_test.connect('rsc_b');
select dblink_send_query('rsc_b', $$select seq::text from steadfast.record_step('rsc-w', 1, 'b', '2')$$);
select ok(steadfast_test.waits_for_lock('rsc_b'), 'session B waits for A''s lock on the workflow');
select steadfast_test.remote('rsc_a', 'commit');
select is((select v from dblink_get_result('rsc_b') as t(v text)), '2', 'then B numbers its step 2');
select dblink_get_result('rsc_b');

-- Repeatable read: A's snapshot predates B's step, so A cannot number after it.
select steadfast_test.remote('rsc_a', 'begin isolation level repeatable read');
select steadfast_test.remote_value('rsc_a', 'select count(*) from steadfast.steps');
select is(steadfast_test.remote_value('rsc_setup', $$select seq from steadfast.record_step('rsc-w', 1, 'c', '3')$$), '3',
          'another session records step c');
select throws_ok($$select steadfast_test.remote_value('rsc_a', $q$select seq from steadfast.record_step('rsc-w', 1, 'd', '4')$q$)$$,
                 '40001', null, 'a step from the older snapshot is a serialization failure, not a duplicate number');

select dblink_disconnect('rsc_b');
select steadfast_test.remote('rsc_a', 'rollback');
select steadfast_test.disconnect('rsc_a');
select steadfast_test.remote('rsc_setup', $$
    delete from steadfast.workflows where id like 'rsc-%';
    delete from steadfast.executors where id like 'rsc-%';
$$);
select steadfast_test.disconnect('rsc_setup');
select * from finish();
rollback;
