-- delete_queue: deletes an unused queue with its start log and fairness memory; refuses a
-- queue that still has workflows or live executors (SF004), the default queue (SF005) and
-- unknown queues (SF001), changing nothing.
begin;
select plan(20);

select steadfast.create_queue('dq_empty', '{"rate_limit": 5, "rate_period": 60, "partition_concurrency": 1}');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('dq-e', '{"queues": ["dq_empty"], "lease_seconds": 86400}');
select steadfast.start_workflow('dq-w', 'job', '{}', '{"queue": "dq_empty", "partition_key": "p"}');
select is((select count(*)::int from steadfast.claim_workflows('dq-e', 1)), 1, 'a workflow of the queue was claimed');
select steadfast.complete_workflow('dq-w', 1, '1');
select is((select count(*)::int from steadfast.queue_starts where queue = 'dq_empty'), 1, 'the claim was logged as a start');
select is((select count(*)::int from steadfast.queue_partitions where queue = 'dq_empty'), 1, 'and its partition remembered');

select * from steadfast_test.rejects($$select steadfast.delete_queue('dq_empty')$$, 'SF004',
    'a queue with workflows (finished ones too) is not deleted');
delete from steadfast.workflows where id = 'dq-w';
select * from steadfast_test.rejects($$select steadfast.delete_queue('dq_empty')$$, 'SF004',
    'a queue a live executor claims from is not deleted');
select steadfast.deregister_executor('dq-e');

select lives_ok($$select steadfast.delete_queue('dq_empty')$$, 'an unused queue is deleted');
select is((select count(*)::int from steadfast.queues where name = 'dq_empty'), 0, 'its row is gone');
select is((select count(*)::int from steadfast.queue_starts where queue = 'dq_empty'), 0, 'with its start log');
select is((select count(*)::int from steadfast.queue_partitions where queue = 'dq_empty'), 0, 'and its fairness memory');
select throws_ok($$select steadfast.start_workflow('dq-w2', 'job', '{}', '{"queue": "dq_empty"}')$$, 'SF001', null,
                 'starting a workflow on it is SF001');

select * from steadfast_test.rejects($$select steadfast.delete_queue('dq_empty')$$, 'SF001', 'deleting it again: unknown queue');
select * from steadfast_test.rejects($$select steadfast.delete_queue('default')$$, 'SF005', 'the default queue');
select * from steadfast_test.rejects($$select steadfast.delete_queue(null)$$, 'SF005', 'a null name');
select * from steadfast_test.rejects($$select steadfast.delete_queue('')$$, 'SF005', 'an empty name');

select * from finish();
rollback;
