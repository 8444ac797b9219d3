-- register_executor across sessions: an id held by another live session is SF008; once that
-- session is gone the id can be taken over, and what the old session held becomes claimable
-- at once (its claim counted as a recovery attempt).
--
-- Commits rows through dblink: ids and the queue are prefixed reg_other; cleaned up at both ends.
delete from steadfast.workflows where queue = 'reg_other';
delete from steadfast.executors where id like 'reg\_other-%';
delete from steadfast.queues where name = 'reg_other';

begin;
select plan(11);

do $$ begin
    perform steadfast_test.remote_value('setup', $r$
        insert into steadfast.queues (name) values ('reg_other');
        select steadfast.start_workflow('reg_other-w', 'job', '{}', '{"queue": "reg_other"}');
        $r$);
    perform steadfast_test.remote_value('h', $r$select steadfast.register_executor('reg_other-h', '{"queues": ["reg_other"]}')$r$);
end $$;
select is(steadfast_test.remote_value('h', $$select workflow_id from steadfast.claim_workflows('reg_other-h', 5)$$),
          'reg_other-w', 'the other session''s executor claimed the workflow (committed)');

select * from steadfast_test.rejects($$select * from steadfast.register_executor('reg_other-h', '{"queues": ["reg_other"]}')$$,
    'SF008', 'an id held by another live session');
select * from steadfast_test.rejects($$select * from steadfast.register_executor('reg_other-h')$$,
    'SF008', 'an id held by another live session, whatever the options');
select is((select status from steadfast.workflows where id = 'reg_other-w'), 'running',
          'its workflow is still running');

select ok(steadfast_test.disconnect('h'), 'the other session ends (its process died)');

select results_eq(
    $$select executor_id from steadfast.register_executor('reg_other-h', '{"queues": ["reg_other"]}')$$,
    $$values ('reg_other-h')$$,
    'once that session is gone, the id can be registered again');
select results_eq(
    $$select session_pid, stopped_at from steadfast.executors where id = 'reg_other-h'$$,
    $$values (pg_backend_pid(), null::timestamptz)$$,
    'the row now names this session');
select results_eq(
    $$select status, executor_id, attempt, recovery_attempts from steadfast.workflows where id = 'reg_other-w'$$,
    $$values ('enqueued', null::text, 1, 1)$$,
    'the workflow the dead session held is back in its queue; its claim counted as a recovery attempt');
select results_eq(
    $$select workflow_id, attempt from steadfast.claim_workflows('reg_other-h', 5)$$,
    $$values ('reg_other-w', 2)$$,
    'and is claimable at once, at the next attempt');

select * from finish();
rollback;

delete from steadfast.workflows where queue = 'reg_other';
delete from steadfast.executors where id like 'reg\_other-%';
delete from steadfast.queues where name = 'reg_other';
