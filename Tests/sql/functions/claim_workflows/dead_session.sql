-- A dead executor's session is detected without waiting for its lease: an executor registered
-- in another session claims a workflow; while that session lives (and its lease is valid) no
-- one else may take it; once the session is gone (its advisory lock is free) the next claim
-- takes it at attempt 2, at once, and marks the executor stopped: session lost.
--
-- Commits rows through dblink: ids and the queue are prefixed dead_session; cleaned up at both
-- ends. The clock is not moved: the dead executor's lease is still valid.
delete from steadfast.workflows where queue = 'dead_session';
delete from steadfast.executors where id like 'dead\_session-%';
delete from steadfast.queues where name = 'dead_session';

begin;
select plan(15);

do $$ begin
    perform steadfast_test.remote_value('setup', $r$
        insert into steadfast.queues (name) values ('dead_session');
        select steadfast.start_workflow('dead_session-w', 'job', '{}', '{"queue": "dead_session"}')
        $r$);
    perform steadfast_test.remote_value('d',
        $r$select steadfast.register_executor('dead_session-d', '{"queues": ["dead_session"], "lease_seconds": 3600}')$r$);
end $$;
select is(steadfast_test.remote_value('d', $$select attempt from steadfast.claim_workflows('dead_session-d', 1)$$),
          '1', 'the other session''s executor claims the workflow (committed)');

-- Alive: untouchable.
select steadfast.register_executor('dead_session-t', '{"queues": ["dead_session"]}');
select is_empty($$select * from steadfast.claim_workflows('dead_session-t', 10)$$,
                'while its session lives and its lease is valid, another executor cannot take its workflow');
select results_eq(
    $$select status, executor_id, attempt from steadfast.workflows where id = 'dead_session-w'$$,
    $$values ('running', 'dead_session-d', 1)$$, 'it still runs under the live executor');
select is((select stopped_at from steadfast.executors where id = 'dead_session-d'), null,
          'the live executor is not declared dead');

-- The process dies.
select ok(steadfast_test.disconnect('d'), 'the executor''s session ends');
select ok((select lease_expires_at > steadfast.now() from steadfast.executors where id = 'dead_session-d'),
          'its lease has not expired');

select results_eq(
    $$select workflow_id, attempt from steadfast.claim_workflows('dead_session-t', 10)$$,
    $$values ('dead_session-w', 2)$$,
    'the next claim takes its workflow at attempt 2, without waiting for the lease');
select results_eq(
    $$select status, executor_id, recovery_attempts from steadfast.workflows where id = 'dead_session-w'$$,
    $$values ('running', 'dead_session-t', 2)$$, 'running under the claimer; the crash counted as a recovery attempt');
select results_eq(
    $$select stopped_at is not null, stop_reason from steadfast.executors where id = 'dead_session-d'$$,
    $$values (true, 'session lost')$$, 'the dead executor is marked stopped: session lost');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('dead_session-w', 1, '1')$$,
    'SF003', 'the dead session''s attempt is fenced');
select * from steadfast_test.rejects($$select steadfast.heartbeat_executor('dead_session-d')$$,
    'SF008', 'a heartbeat for the dead executor from another session is refused');

-- The dead executor's id registered again in this session, in the transaction whose claim
-- declared it dead (and took its lock for the rest of the transaction, to probe it): the new
-- registration must hold the session-level lock, or it would look dead again at commit.
select lives_ok($$select steadfast.register_executor('dead_session-d', '{"queues": ["dead_session"]}')$$,
                'the dead executor''s id is registered again');
set local client_min_messages = error;  -- pg_advisory_unlock warns when the lock is not held
select ok((select pg_advisory_unlock(1397096449, lock_key) from steadfast.executors where id = 'dead_session-d'),
          'the new registration holds its session-level advisory lock (not just the probe''s transaction lock)');

select * from finish();
rollback;

delete from steadfast.workflows where queue = 'dead_session';
delete from steadfast.executors where id like 'dead\_session-%';
delete from steadfast.queues where name = 'dead_session';
