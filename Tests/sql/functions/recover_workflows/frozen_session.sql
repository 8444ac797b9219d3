-- Recovery never waits for a row another session holds. A worker frozen inside a transaction
-- step (SIGSTOP between record_step and COMMIT) keeps its workflow's row locked for as long as
-- it stays frozen. Its executor's lease expires; the next claim anywhere must then return at
-- once (it used to wait for the row: every claim of every queue blocked behind one frozen
-- session), put the executor's other workflows back, and leave only the locked one running —
-- with its executor not yet marked stopped, so that a later recovery puts that one back too
-- once the row is free.
--
-- Committed data through dblink (ids prefixed fz-); the clock moves through the database-wide
-- fake clock, which every session reads. Cleaned up at both ends.
delete from steadfast.workflows where id like 'fz-%';
delete from steadfast.executors where id like 'fz-%';
select steadfast.set_fake_now(null);  -- a run that stopped half-way may have left the clock set

begin;
select plan(9);

select steadfast_test.remote('fz_setup', $r$
    insert into steadfast.queues (name) values ('fz_q') on conflict do nothing;
    do $b$ begin
        perform steadfast.set_fake_now('2031-01-01 00:00:00+00');
        perform steadfast.start_workflow('fz-1', 'job', '{}', '{"queue": "fz_q"}');
        perform steadfast.start_workflow('fz-2', 'job', '{}', '{"queue": "fz_q"}');
    end $b$;
$r$);
-- The worker that will freeze: its executor session claims both; its pool session opens a
-- transaction step on fz-1 and never commits.
select steadfast_test.remote_value('fz_exec', $r$select executor_id from steadfast.register_executor('fz-e', '{"queues": ["fz_q"], "lease_seconds": 30}')$r$);
select is(steadfast_test.remote_value('fz_exec', $r$select count(*) from steadfast.claim_workflows('fz-e', 2)$r$), '2',
          'the worker runs fz-1 and fz-2');
select steadfast_test.remote('fz_tx', 'begin');
select is(steadfast_test.remote_value('fz_tx', $r$select recorded from steadfast.record_step('fz-1', 1, 'tx', '1')$r$), 't',
          'a transaction step of fz-1 records its checkpoint and freezes before COMMIT');

-- Past the lease: another worker claims.
select steadfast_test.remote_value('fz_setup', $r$select steadfast.set_fake_now('2031-01-01 00:01:00+00')$r$);
-- (Every write goes through dblink and commits: this session only reads, so the cleanup below
-- never waits for it.)
select steadfast_test.remote_value('fz_other', $r$select executor_id from steadfast.register_executor('fz-t', '{"queues": ["fz_q"]}')$r$);
select steadfast_test.remote('fz_other', 'set lock_timeout = ''500ms''');
select is(steadfast_test.remote_value('fz_other',
          $r$select string_agg(workflow_id || ' ' || attempt, ',') from steadfast.claim_workflows('fz-t', 5)$r$),
          'fz-2 2',
          'the claim returns without waiting for the frozen row (lock_timeout 500 ms), with the dead executor''s other workflow');
select results_eq($$select status, executor_id from steadfast.workflows where id = 'fz-1'$$,
                  $$values ('running', 'fz-e')$$, 'the locked workflow is left as it is');
select is((select stopped_at from steadfast.executors where id = 'fz-e'), null,
          'its executor is not marked stopped while a workflow still runs under it');

-- The frozen session wakes up and commits; the next recovery puts fz-1 back.
select is(steadfast_test.remote('fz_tx', 'commit'), 'COMMIT', 'the frozen transaction commits at last');
select is(steadfast_test.remote_value('fz_other', 'select steadfast.recover_workflows()'), '1', 'the next recovery puts the workflow back');
select results_eq($$select status, executor_id from steadfast.workflows where id = 'fz-1'$$,
                  $$values ('enqueued', null::text)$$, 'claimable again, with its checkpoint kept');
select is((select stop_reason from steadfast.executors where id = 'fz-e'), 'lease expired',
          'and the executor is now marked stopped');

select steadfast_test.remote('fz_setup', $r$
    delete from steadfast.workflows where id like 'fz-%';
    delete from steadfast.executors where id like 'fz-%';
    do $b$ begin perform steadfast.set_fake_now(null); end $b$;
$r$);
select steadfast_test.disconnect('fz_tx');
select steadfast_test.disconnect('fz_other');
select steadfast_test.disconnect('fz_exec');
select steadfast_test.disconnect('fz_setup');
select * from finish();
rollback;
