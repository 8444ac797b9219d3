-- start_workflow_and_claim in a queue with settings: the workflow is claimed only as the
-- queue's limits allow (concurrency, worker_concurrency, partition_concurrency, rate limit);
-- otherwise it stays enqueued for a later claim. Deduplication applies as in start_workflow.
begin;
select plan(16);

select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.create_queue('swc_lim', '{"concurrency": 1}');
select steadfast.register_executor('swc-e', '{"queues": ["swc_lim"], "lease_seconds": 86400}');

select results_eq(
    $$select workflow_id, status, created, claimed, attempt from steadfast.start_workflow_and_claim('swc-e', 'swc-1', 'job', '{}', '{"queue": "swc_lim"}')$$,
    $$values ('swc-1', 'running', true, true, 1)$$, 'the queue has room: started and claimed');
select results_eq(
    $$select workflow_id, status, created, claimed, attempt from steadfast.start_workflow_and_claim('swc-e', 'swc-2', 'job', '{}', '{"queue": "swc_lim"}')$$,
    $$values ('swc-2', 'enqueued', true, false, 0)$$, 'the queue is full: started, left enqueued');
select is(steadfast._running_count('swc_lim'), 1::bigint, 'one running, as the queue allows');
select steadfast.complete_workflow('swc-1', 1, '1');
select results_eq(
    $$select workflow_id, status, created, claimed, attempt from steadfast.start_workflow_and_claim('swc-e', 'swc-2', 'job', '{}', '{"queue": "swc_lim"}')$$,
    $$values ('swc-2', 'running', false, true, 1)$$, 'once there is room, the existing workflow is claimed by its id');

-- Worker concurrency.
select steadfast.create_queue('swc_wc', '{"worker_concurrency": 1}');
select steadfast.register_executor('swc-w', '{"queues": ["swc_wc"], "lease_seconds": 86400}');
select results_eq($$select claimed from steadfast.start_workflow_and_claim('swc-w', 'swc-w1', 'job', '{}', '{"queue": "swc_wc"}')$$,
                  $$values (true)$$, 'per worker: the first is claimed');
select results_eq($$select claimed from steadfast.start_workflow_and_claim('swc-w', 'swc-w2', 'job', '{}', '{"queue": "swc_wc"}')$$,
                  $$values (false)$$, 'the second is not: the executor runs one already');

-- Partitions.
select steadfast.create_queue('swc_part', '{"partition_concurrency": 1}');
select steadfast.register_executor('swc-p', '{"queues": ["swc_part"], "lease_seconds": 86400}');
select results_eq(
    $$select claimed from steadfast.start_workflow_and_claim('swc-p', 'swc-p1', 'job', '{}', '{"queue": "swc_part", "partition_key": "a"}')$$,
    $$values (true)$$, 'partition a: claimed');
select results_eq(
    $$select claimed from steadfast.start_workflow_and_claim('swc-p', 'swc-p2', 'job', '{}', '{"queue": "swc_part", "partition_key": "a"}')$$,
    $$values (false)$$, 'partition a again: not while the first runs');
select results_eq(
    $$select claimed from steadfast.start_workflow_and_claim('swc-p', 'swc-p3', 'job', '{}', '{"queue": "swc_part", "partition_key": "b"}')$$,
    $$values (true)$$, 'partition b: claimed');
select is((select last_claimed_at from steadfast.queue_partitions where queue = 'swc_part' and partition_key = 'b'),
          '2030-01-01 00:00:00+00'::timestamptz, 'the partition''s turn is recorded');

-- Rate limit.
select steadfast.create_queue('swc_rate', '{"rate_limit": 1, "rate_period": 60}');
select steadfast.register_executor('swc-r', '{"queues": ["swc_rate"], "lease_seconds": 86400}');
select results_eq($$select claimed from steadfast.start_workflow_and_claim('swc-r', 'swc-r1', 'job', '{}', '{"queue": "swc_rate"}')$$,
                  $$values (true)$$, 'rate limit: the first start');
select results_eq($$select claimed from steadfast.start_workflow_and_claim('swc-r', 'swc-r2', 'job', '{}', '{"queue": "swc_rate"}')$$,
                  $$values (false)$$, 'no second start within the period');
select is((select sum(n)::int from steadfast.queue_starts where queue = 'swc_rate'), 1, 'one start logged');

-- Deduplication.
select steadfast_test.queue('swc_dd');
select steadfast.register_executor('swc-d', '{"queues": ["swc_dd"], "lease_seconds": 86400}');
select steadfast.start_workflow('swc-d1', 'job', '{}', '{"queue": "swc_dd", "dedup_key": "k"}');
select results_eq(
    $$select workflow_id, created, claimed from steadfast.start_workflow_and_claim('swc-d', 'swc-d2', 'job', '{}', '{"queue": "swc_dd", "dedup_key": "k"}')$$,
    $$values ('swc-d1', false, true)$$, 'a held key returns the holder, claimed when it is claimable');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('swc-d', 'swc-d3', 'job', '{}', '{"queue": "swc_dd", "dedup_key": "k", "dedup_policy": "error"}')$$,
    'SF009', 'with dedup_policy "error", a held key is SF009');

select * from finish();
rollback;
