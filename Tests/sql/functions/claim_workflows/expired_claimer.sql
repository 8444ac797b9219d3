-- An executor whose own lease has expired calls claim_workflows: the claim's recovery step
-- declares that very executor dead. It must not then be handed workflows (they would run
-- under a stopped executor, which no later recovery looks at): either the claim is refused
-- (SF003) or what it took stays recoverable by others.
begin;
select plan(3);

select steadfast_test.queue('expclaim_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('expclaim-a', '{"queues": ["expclaim_q"], "lease_seconds": 30}');
select steadfast.start_workflow('expclaim-w', 'job', '{}', '{"queue": "expclaim_q"}');

-- expclaim-a was paused past its lease; it wakes up and claims without heartbeating first.
select steadfast_test.set_now('2030-01-01 00:01:00+00');
do $$ begin
    perform steadfast.claim_workflows('expclaim-a', 10);
exception when sqlstate 'SF003' then null;
end $$;

select is_empty(
    $$select w.id from steadfast.workflows w join steadfast.executors e on e.id = w.executor_id
      where w.status = 'running' and e.stopped_at is not null$$,
    'no workflow is left running under a stopped executor');

select steadfast.register_executor('expclaim-b', '{"queues": ["expclaim_q"], "lease_seconds": 30}');
select is((select workflow_id from steadfast.claim_workflows('expclaim-b', 10)), 'expclaim-w',
          'a live executor can claim the workflow');

-- expclaim-a learns it was declared dead and registers again from the same session.
select steadfast.register_executor('expclaim-a', '{"queues": ["expclaim_q"], "lease_seconds": 30}');
select is((select count(*)::int from steadfast.workflows where executor_id = 'expclaim-a' and status = 'running'), 0,
          'the re-registered executor does not silently hold workflows it was never told it has');

select * from finish();
rollback;
