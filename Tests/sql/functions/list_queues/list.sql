-- list_queues and the view queue_stats: per queue, workflows enqueued (of which delayed),
-- running and waiting, the age of the oldest claimable one, and the settings.
begin;
select plan(9);

select steadfast.create_queue('lq_q', '{"concurrency": 5, "rate_limit": 100, "rate_period": 3600}');
select steadfast.create_queue('lq_empty');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('lq-e', '{"queues": ["lq_q"], "lease_seconds": 86400}');
select steadfast.start_workflow('lq-' || i, 'job', '{}', '{"queue": "lq_q"}') from generate_series(1, 4) i;
select steadfast_test.set_now('2030-01-01 00:00:30+00');
select steadfast.start_workflow('lq-later', 'job', '{}', '{"queue": "lq_q", "delay_seconds": 600}');
select steadfast.start_workflow('lq-5', 'job', '{}', '{"queue": "lq_q"}');
select steadfast_test.set_now('2030-01-01 00:01:00+00');
select count(*) from steadfast.claim_workflows('lq-e', 2);   -- lq-1, lq-2
update steadfast.workflows set status = 'waiting', executor_id = null where id = 'lq-3';
select steadfast_test.set_now('2030-01-01 00:02:00+00');

select results_eq(
    $$select queue, enqueued, delayed, running, waiting, oldest_enqueued_age from steadfast.queue_stats
      where queue in ('lq_q', 'lq_empty') order by queue$$,
    $$values ('lq_empty', 0::bigint, 0::bigint, 0::bigint, 0::bigint, null::interval),
             ('lq_q', 3::bigint, 1::bigint, 2::bigint, 1::bigint, interval '2 minutes')$$,
    'queue_stats counts enqueued (with delayed), running and waiting; the oldest claimable waited 2 minutes');
select results_eq(
    $$select concurrency, worker_concurrency, partition_concurrency, rate_limit, rate_period
      from steadfast.queue_stats where queue = 'lq_q'$$,
    $$values (5, null::integer, null::integer, 100, interval '1 hour')$$, 'and shows the settings');

select results_eq(
    $$select queue, enqueued, delayed, running, waiting, oldest_enqueued_age, concurrency, rate_limit, rate_period
      from steadfast.list_queues() where queue = 'lq_q'$$,
    $$values ('lq_q', 3::bigint, 1::bigint, 2::bigint, 1::bigint, 120::double precision, 5, 100, 3600::double precision)$$,
    'list_queues returns the same, with durations in seconds');
select ok((select count(*) from steadfast.list_queues() where queue = 'default') = 1, 'every queue is listed, default included');
select results_eq($$select queue from steadfast.list_queues() where queue like 'lq\_%'$$,
                  $$values ('lq_empty'), ('lq_q')$$, 'ordered by name');

-- Once nothing is claimable the age is null; delayed work does not count as waiting to run.
update steadfast.workflows set status = 'cancelled', completed_at = steadfast.now()
where queue = 'lq_q' and status = 'enqueued' and available_at <= steadfast.now();
select results_eq($$select enqueued, delayed, oldest_enqueued_age from steadfast.queue_stats where queue = 'lq_q'$$,
                  $$values (1::bigint, 1::bigint, null::interval)$$, 'only delayed work left: no age');

select isnt(obj_description('steadfast.queue_stats'::regclass, 'pg_class'), null, 'the view has a comment');
select is(has_table_privilege('public', 'steadfast.queue_stats', 'select'), false, 'the view is not granted to PUBLIC');
select is(has_function_privilege('public', 'steadfast.list_queues()', 'execute'), false,
          'list_queues is not executable by PUBLIC');

select * from finish();
rollback;
