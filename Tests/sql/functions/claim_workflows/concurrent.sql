-- Two sessions claiming at once never get the same workflow: session A claims 5 of 20 and
-- keeps its transaction open; this session then claims 20 and gets exactly the 15 others
-- (FOR UPDATE SKIP LOCKED), without waiting.
--
-- Commits rows through dblink: ids and the queue are prefixed claim_concurrent; cleaned up at
-- both ends.
delete from steadfast.workflows where queue = 'claim_concurrent';
delete from steadfast.executors where id like 'claim\_concurrent-%';
delete from steadfast.queues where name = 'claim_concurrent';

begin;
select plan(9);

do $$ begin
    perform steadfast_test.remote_value('setup', $r$
        insert into steadfast.queues (name) values ('claim_concurrent');
        select count(*) from generate_series(1, 20) i,
            steadfast.start_workflow('claim_concurrent-' || lpad(i::text, 2, '0'), 'job', '{}',
                                     '{"queue": "claim_concurrent"}')
        $r$);
    perform steadfast_test.remote_value('a',
        $r$select steadfast.register_executor('claim_concurrent-a', '{"queues": ["claim_concurrent"]}')$r$);
    perform steadfast_test.remote('a', 'begin');
end $$;

create temp table a_got as
    select workflow_id from dblink('a', $$select workflow_id from steadfast.claim_workflows('claim_concurrent-a', 5)$$)
        as t(workflow_id text);
select is((select count(*)::int from a_got), 5, 'session A claims 5 and keeps its transaction open');

select steadfast.register_executor('claim_concurrent-b', '{"queues": ["claim_concurrent"]}');
set local lock_timeout = '5s';
create temp table b_got as select workflow_id, attempt from steadfast.claim_workflows('claim_concurrent-b', 20);
select is((select count(*)::int from b_got), 15, 'session B, claiming 20, gets the 15 others without waiting');
select is_empty($$select workflow_id from a_got intersect select workflow_id from b_got$$,
                'no workflow is claimed by both');
select is((select count(*)::int from (select workflow_id from a_got union select workflow_id from b_got) u), 20,
          'together they claimed all 20');
select is((select array_agg(distinct attempt) from b_got), array[1], 'each at attempt 1');

select is(steadfast_test.remote('a', 'commit'), 'COMMIT', 'session A commits');
select is_empty($$select * from steadfast.claim_workflows('claim_concurrent-b', 20)$$,
                'after A commits, its 5 are running under A and not claimable by B');
select results_eq(
    $$select executor_id, count(*)::int from steadfast.workflows where queue = 'claim_concurrent'
      group by executor_id order by executor_id$$,
    $$values ('claim_concurrent-a', 5), ('claim_concurrent-b', 15)$$,
    'each workflow is held by exactly one executor');
select is((select count(*)::int from steadfast.workflows where queue = 'claim_concurrent' and attempt <> 1), 0,
          'every attempt is 1: no workflow was claimed twice');

select * from finish();
rollback;

delete from steadfast.workflows where queue = 'claim_concurrent';
delete from steadfast.executors where id like 'claim\_concurrent-%';
delete from steadfast.queues where name = 'claim_concurrent';
