-- claim_workflows order: lowest priority first, FIFO (by available_at) within a priority;
-- a delayed workflow is not claimable before its available_at (fake clock).
begin;
select plan(10);

select steadfast_test.queue('order_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('order-e', '{"queues": ["order_q"], "lease_seconds": 86400}');

-- Ids sort against the expected order, so only priority and FIFO can explain it.
select steadfast.start_workflow('order-a', 'job', '{}', '{"queue": "order_q", "priority": 5}');
select steadfast_test.set_now('2030-01-01 00:00:01+00');
select steadfast.start_workflow('order-z', 'job', '{}', '{"queue": "order_q"}');
select steadfast_test.set_now('2030-01-01 00:00:02+00');
select steadfast.start_workflow('order-y', 'job', '{}', '{"queue": "order_q"}');
select steadfast_test.set_now('2030-01-01 00:00:03+00');
select steadfast.start_workflow('order-x', 'job', '{}', '{"queue": "order_q", "priority": -1}');
select steadfast.start_workflow('order-delayed', 'job', '{}', '{"queue": "order_q", "priority": -100, "delay_seconds": 60}');

select is((select workflow_id from steadfast.claim_workflows('order-e', 1)), 'order-x', 'the lowest priority first');
select is((select workflow_id from steadfast.claim_workflows('order-e', 1)), 'order-z', 'then, at equal priority, the oldest');
select is((select workflow_id from steadfast.claim_workflows('order-e', 1)), 'order-y', 'then the next oldest');
select is((select workflow_id from steadfast.claim_workflows('order-e', 1)), 'order-a', 'the highest priority last');
select is_empty($$select * from steadfast.claim_workflows('order-e', 10)$$,
                'a delayed workflow is not claimable before its time, whatever its priority');

select steadfast_test.set_now('2030-01-01 00:01:02.999+00');
select is_empty($$select * from steadfast.claim_workflows('order-e', 10)$$, 'nor a moment before');
select steadfast_test.set_now('2030-01-01 00:01:03+00');
select results_eq($$select workflow_id, attempt from steadfast.claim_workflows('order-e', 10)$$,
                  $$values ('order-delayed', 1)$$, 'it is claimable at its available_at');

-- Several claimed at once come back in the same order.
select steadfast.start_workflow('order-b' || i, 'job', '{}', jsonb_build_object('queue', 'order_q', 'priority', 3 - i))
from generate_series(1, 3) i;
select results_eq($$select workflow_id from steadfast.claim_workflows('order-e', 10)$$,
                  $$values ('order-b3'), ('order-b2'), ('order-b1')$$,
                  'a batch is returned in claim order');

-- available_at in the past puts a workflow ahead of younger ones of its priority.
select steadfast.start_workflow('order-new', 'job', '{}', '{"queue": "order_q"}');
select steadfast.start_workflow('order-old', 'job', '{}', '{"queue": "order_q", "available_at": "2029-12-31T00:00:00Z"}');
select is((select workflow_id from steadfast.claim_workflows('order-e', 1)), 'order-old',
          'FIFO is by available_at');
select is((select workflow_id from steadfast.claim_workflows('order-e', 1)), 'order-new', 'then the younger');

select * from finish();
rollback;
