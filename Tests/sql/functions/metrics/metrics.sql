-- metrics(): unfinished workflows by queue and status, the claimable backlog and its age,
-- waiting by kind, executors by state (fake clock). Rows of other tests' queues are ignored.
begin;
select plan(6);

select steadfast_test.set_now('2026-12-03 10:00:00+00');
select steadfast_test.queue('mx_q');
select steadfast.register_executor('mx-e', '{"queues": ["mx_q"]}');
select steadfast.start_workflow('mx-1', 'job', '{}', '{"queue": "mx_q"}');
select steadfast_test.set_now('2026-12-03 10:00:30+00');
select steadfast.start_workflow('mx-2', 'job', '{}', '{"queue": "mx_q"}');
select steadfast.start_workflow('mx-later', 'job', '{}', '{"queue": "mx_q", "delay_seconds": 600}');
select steadfast.start_workflow('mx-3', 'job', '{}', '{"queue": "mx_q"}');
select steadfast.start_workflow('mx-4', 'job', '{}', '{"queue": "mx_q"}');
select steadfast_test.set_now('2026-12-03 10:01:00+00');
select steadfast.heartbeat_executor('mx-e');
select is((select count(*)::int from steadfast.claim_workflows('mx-e', 2)), 2, 'two claimed (mx-1, mx-2)');
select steadfast.sleep_workflow('mx-2', 1, 'nap', '{"seconds": 60}');

select results_eq($$select label, value from steadfast.metrics() where metric = 'steadfast_workflows' and queue = 'mx_q' order by label$$,
                  $$values ('enqueued', 3::float8), ('running', 1::float8), ('waiting', 1::float8)$$, 'unfinished by status');
select results_eq($$select value from steadfast.metrics() where metric = 'steadfast_workflows_ready' and queue = 'mx_q'$$,
                  $$values (2::float8)$$, 'claimable now: not the delayed one');
select results_eq($$select value from steadfast.metrics() where metric = 'steadfast_oldest_ready_seconds' and queue = 'mx_q'$$,
                  $$values (30::float8)$$, 'the oldest claimable has waited 30 s');
select results_eq($$select label, value from steadfast.metrics() where metric = 'steadfast_waiting' and queue = 'mx_q'$$,
                  $$values ('sleep', 1::float8)$$, 'waiting by kind');
select ok((select value >= 1 from steadfast.metrics() where metric = 'steadfast_executors' and label = 'alive'),
          'the live executor is counted');
select * from finish();
rollback;
