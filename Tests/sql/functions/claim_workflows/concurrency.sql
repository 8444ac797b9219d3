-- claim_workflows honours a queue's concurrency (running across all executors) and
-- worker_concurrency (running under one executor); alter_queue takes effect at the next
-- claim; 0 pauses; workflows declared dead on the way take no slot.
begin;
select plan(19);

select steadfast.create_queue('cc_q', '{"concurrency": 2}');
select steadfast.register_executor('cc-1', '{"queues": ["cc_q"], "lease_seconds": 86400}');
select steadfast.register_executor('cc-2', '{"queues": ["cc_q"], "lease_seconds": 86400}');
select steadfast.start_workflow('cc-' || i, 'job', '{}', '{"queue": "cc_q"}') from generate_series(1, 8) i;

-- Global concurrency.
select is((select count(*)::int from steadfast.claim_workflows('cc-1', 5)), 2, 'asked for 5, gets the 2 the queue allows');
select is((select count(*)::int from steadfast.claim_workflows('cc-2', 5)), 0, 'another executor gets none: the queue is full');
select steadfast.complete_workflow('cc-1', 1, '1');
select results_eq($$select workflow_id from steadfast.claim_workflows('cc-2', 5)$$, $$values ('cc-3')$$,
                  'one finished: one more may start, the next in line');
select is(steadfast._running_count('cc_q'), 2::bigint, 'two running');

-- Raised, lowered, paused, lifted at runtime: the next claim obeys.
select steadfast.alter_queue('cc_q', '{"concurrency": 4}');
select is((select count(*)::int from steadfast.claim_workflows('cc-1', 5)), 2, 'raised to 4: two more start at the next claim');
select steadfast.alter_queue('cc_q', '{"concurrency": 1}');
select steadfast.complete_workflow('cc-2', 1, '1');
select is((select count(*)::int from steadfast.claim_workflows('cc-1', 5)), 0,
          'lowered to 1 with 3 running: none starts (running ones are not stopped)');
select steadfast.alter_queue('cc_q', '{"concurrency": 0}');
select complete_workflow from steadfast.workflows w, steadfast.complete_workflow(w.id, w.attempt, '1')
where w.queue = 'cc_q' and w.status = 'running';
select is((select count(*)::int from steadfast.claim_workflows('cc-1', 5)), 0, 'concurrency 0: a paused queue starts nothing');
select steadfast.alter_queue('cc_q', '{"concurrency": null}');
select is((select count(*)::int from steadfast.claim_workflows('cc-1', 5)), 3, 'no limit: all the rest start');

-- A workflow past its recovery limit becomes dead and takes no slot; the claim goes on.
select steadfast.create_queue('cc_dead', '{"concurrency": 1}');
select steadfast.register_executor('cc-3', '{"queues": ["cc_dead"], "lease_seconds": 86400}');
select steadfast.start_workflow('cc-dead-1', 'job', '{}', '{"queue": "cc_dead", "max_recovery_attempts": 1}');
select steadfast.start_workflow('cc-dead-2', 'job', '{}', '{"queue": "cc_dead"}');
update steadfast.workflows set recovery_attempts = 1 where id = 'cc-dead-1';
select results_eq($$select workflow_id from steadfast.claim_workflows('cc-3', 5)$$, $$values ('cc-dead-2')$$,
                  'the exhausted workflow is declared dead and the next one takes the slot');
select is((select status from steadfast.workflows where id = 'cc-dead-1'), 'dead', 'the first is dead');

-- Per-worker concurrency.
select steadfast.create_queue('wc_q', '{"worker_concurrency": 2}');
select steadfast.register_executor('wc-1', '{"queues": ["wc_q"], "lease_seconds": 86400}');
select steadfast.register_executor('wc-2', '{"queues": ["wc_q"], "lease_seconds": 86400}');
select steadfast.start_workflow('wc-' || i, 'job', '{}', '{"queue": "wc_q"}') from generate_series(1, 7) i;
select is((select count(*)::int from steadfast.claim_workflows('wc-1', 5)), 2, 'an executor gets at most 2');
select is((select count(*)::int from steadfast.claim_workflows('wc-1', 5)), 0, 'and no more while they run');
select is((select count(*)::int from steadfast.claim_workflows('wc-2', 5)), 2, 'another executor gets its own 2');
select steadfast.complete_workflow('wc-1', 1, '1');
select is((select count(*)::int from steadfast.claim_workflows('wc-1', 5)), 1, 'one finished: that executor takes one more');
select steadfast.alter_queue('wc_q', '{"worker_concurrency": 3}');
select is((select count(*)::int from steadfast.claim_workflows('wc-2', 5)), 1, 'raised to 3 at runtime: one more');
select is((select count(*)::int from steadfast.workflows where queue = 'wc_q' and status = 'running' and executor_id = 'wc-2'), 3,
          'three under wc-2');

-- Both: the tighter wins.
select steadfast.create_queue('both_q', '{"concurrency": 3, "worker_concurrency": 2}');
select steadfast.register_executor('both-1', '{"queues": ["both_q"], "lease_seconds": 86400}');
select steadfast.register_executor('both-2', '{"queues": ["both_q"], "lease_seconds": 86400}');
select steadfast.start_workflow('both-' || i, 'job', '{}', '{"queue": "both_q"}') from generate_series(1, 6) i;
select is((select count(*)::int from steadfast.claim_workflows('both-1', 5)), 2, 'per worker 2');
select is((select count(*)::int from steadfast.claim_workflows('both-2', 5)), 1, 'and 3 in all');

-- Several queues in one claim: each keeps its own limit, the claim's limit spans them.
select steadfast.create_queue('multi_a', '{"concurrency": 1}');
select steadfast.create_queue('multi_b');
select steadfast.register_executor('multi-e', '{"queues": ["multi_a", "multi_b"], "lease_seconds": 86400}');
select steadfast.start_workflow('multi-a' || i, 'job', '{}', '{"queue": "multi_a"}') from generate_series(1, 3) i;
select steadfast.start_workflow('multi-b' || i, 'job', '{}', '{"queue": "multi_b"}') from generate_series(1, 3) i;
select results_eq($$select queue, count(*)::int from steadfast.claim_workflows('multi-e', 3) group by 1 order by 1$$,
                  $$values ('multi_a', 1), ('multi_b', 2)$$, 'one from the limited queue, the rest from the next');

select * from finish();
rollback;
