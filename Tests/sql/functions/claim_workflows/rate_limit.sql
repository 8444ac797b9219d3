-- claim_workflows honours a queue's rate limit: at most rate_limit starts in any window of
-- rate_period (fake clock). A start is any claim that hands a workflow to an executor —
-- retries and re-runs after a crash count; a workflow declared dead does not. The start log
-- (queue_starts) keeps one period of history.
begin;
select plan(18);

select steadfast.create_queue('rl_q', '{"rate_limit": 3, "rate_period": 10}');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('rl-e', '{"queues": ["rl_q"], "lease_seconds": 86400}');
select steadfast.start_workflow('rl-' || lpad(i::text, 2, '0'), 'job', '{}', '{"queue": "rl_q"}') from generate_series(1, 20) i;

select is((select count(*)::int from steadfast.claim_workflows('rl-e', 10)), 3, 'at t=0: 3 of 10 asked for');
select steadfast_test.set_now('2030-01-01 00:00:04+00');
select is((select count(*)::int from steadfast.claim_workflows('rl-e', 10)), 0, 'at t=4: none, 3 started in the last 10 s');
select steadfast_test.set_now('2030-01-01 00:00:09.999+00');
select is((select count(*)::int from steadfast.claim_workflows('rl-e', 10)), 0, 'at t=9.999: still none');
select steadfast_test.set_now('2030-01-01 00:00:10+00');
select is((select count(*)::int from steadfast.claim_workflows('rl-e', 1)), 1, 'at t=10 the window has moved past t=0: one (asked for 1)');
select steadfast_test.set_now('2030-01-01 00:00:15+00');
select is((select count(*)::int from steadfast.claim_workflows('rl-e', 10)), 2, 'at t=15: two more, three in (5, 15]');
select steadfast_test.set_now('2030-01-01 00:00:19+00');
select is((select count(*)::int from steadfast.claim_workflows('rl-e', 10)), 0, 'at t=19: none');
select steadfast_test.set_now('2030-01-01 00:00:20+00');
select is((select count(*)::int from steadfast.claim_workflows('rl-e', 10)), 1, 'at t=20 the start of t=10 left the window: one');

-- Every window of 10 s holds at most 3 starts, checked pairwise over the start log.
select is_empty(
    $$select a.started_at from steadfast.queue_starts a
      where a.queue = 'rl_q'
        and (select sum(b.n) from steadfast.queue_starts b
             where b.queue = 'rl_q' and b.started_at >= a.started_at and b.started_at < a.started_at + interval '10 seconds') > 3$$,
    'no window of 10 s starting at a logged start holds more than 3');
select steadfast_test.set_now('2030-01-01 00:00:25+00');
select is((select count(*)::int from steadfast.claim_workflows('rl-e', 1)), 1, 'at t=25: one more');
select is((select min(started_at) from steadfast.queue_starts where queue = 'rl_q'), '2030-01-01 00:00:20+00'::timestamptz,
          'starts older than the period were pruned');

-- Runtime change: the next claim obeys.
select steadfast.alter_queue('rl_q', '{"rate_limit": 5}');
select is((select count(*)::int from steadfast.claim_workflows('rl-e', 10)), 3, 'raised to 5 per 10 s: three more now (with those of t=20 and t=25)');
select steadfast.alter_queue('rl_q', '{"rate_limit": null, "rate_period": null}');
select is((select count(*)::int from steadfast.claim_workflows('rl-e', 100)), 9, 'lifted: the rest start');
select is((select count(*)::int from steadfast.workflows where queue = 'rl_q' and status = 'enqueued'), 0, 'none left');

-- Retries count: each claim of a retried workflow is a start.
select steadfast_test.set_now('2030-01-01 00:04:00+00');
select steadfast.create_queue('rl_retry', '{"rate_limit": 2, "rate_period": 10}');
select steadfast.register_executor('rl-r', '{"queues": ["rl_retry"], "lease_seconds": 86400}');
select steadfast.start_workflow('rl-retried', 'job', '{}', '{"queue": "rl_retry", "retry": {"kind": "fixed", "max_attempts": 5, "base_delay": 0}}');
select steadfast.start_workflow('rl-other', 'job', '{}', '{"queue": "rl_retry", "available_at": "2030-01-01 00:05:01+00"}');
select steadfast_test.set_now('2030-01-01 00:05:00+00');
select results_eq($$select workflow_id, attempt from steadfast.claim_workflows('rl-r', 1)$$, $$values ('rl-retried', 1)$$,
                  'a workflow starts (its first run: one start)');
select steadfast.fail_workflow('rl-retried', 1, '{"message": "x"}');
select results_eq($$select workflow_id, attempt from steadfast.claim_workflows('rl-r', 1)$$, $$values ('rl-retried', 2)$$,
                  'it failed and is retried at once (its second start)');
select steadfast.fail_workflow('rl-retried', 2, '{"message": "x"}');
select steadfast_test.set_now('2030-01-01 00:05:05+00');
select is((select count(*)::int from steadfast.claim_workflows('rl-r', 5)), 0,
          'two starts in the window: neither its next retry nor another workflow starts');

-- Workflows declared dead take no start.
select steadfast.create_queue('rl_dead', '{"rate_limit": 1, "rate_period": 10}');
select steadfast.register_executor('rl-d', '{"queues": ["rl_dead"], "lease_seconds": 86400}');
select steadfast.start_workflow('rl-dead-' || i, 'job', '{}', '{"queue": "rl_dead"}') from generate_series(1, 3) i;
update steadfast.workflows set recovery_attempts = max_recovery_attempts where id in ('rl-dead-1', 'rl-dead-2');
select results_eq($$select workflow_id from steadfast.claim_workflows('rl-d', 3)$$, $$values ('rl-dead-3')$$,
                  'two exhausted workflows die without using the rate; the third starts');
select results_eq($$select status from steadfast.workflows where id in ('rl-dead-1', 'rl-dead-2')$$,
                  $$values ('dead'), ('dead')$$, 'they are dead');

select * from finish();
rollback;
