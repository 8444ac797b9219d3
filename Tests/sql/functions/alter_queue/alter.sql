-- alter_queue: changes only the settings it names, clears those given as null, returns the
-- queue's settings; rate_limit and rate_period must stay together; the next claim obeys the
-- new settings (claim_workflows/concurrency.sql shows that at work).
begin;
select plan(13);

select steadfast.create_queue('aq_q', '{"concurrency": 3, "rate_limit": 10, "rate_period": 60}');
select steadfast_test.set_now('2030-01-01 00:00:00+00');

select results_eq(
    $$select queue, concurrency, worker_concurrency, partition_concurrency, rate_limit, rate_period
      from steadfast.alter_queue('aq_q', '{"worker_concurrency": 2}')$$,
    $$values ('aq_q', 3, 2, null::integer, 10, 60::double precision)$$,
    'a setting is added; the others are untouched; the result has rate_period in seconds');
select is((select updated_at from steadfast.queues where name = 'aq_q'), '2030-01-01 00:00:00+00'::timestamptz,
          'updated_at is the time of the change');

select results_eq(
    $$select concurrency, rate_limit, rate_period from steadfast.alter_queue('aq_q', '{"rate_limit": 20}')$$,
    $$values (3, 20, 60::double precision)$$, 'changing rate_limit alone keeps rate_period');
select results_eq(
    $$select concurrency, rate_limit, rate_period from steadfast.alter_queue('aq_q', '{"concurrency": null}')$$,
    $$values (null::integer, 20, 60::double precision)$$, 'a setting given as null is cleared');
select results_eq(
    $$select rate_limit, rate_period from steadfast.alter_queue('aq_q', '{"rate_limit": null, "rate_period": null}')$$,
    $$values (null::integer, null::double precision)$$, 'the rate limit is cleared with both keys');
select results_eq(
    $$select partition_concurrency, rate_limit, rate_period
      from steadfast.alter_queue('aq_q', '{"partition_concurrency": 1, "rate_limit": 5, "rate_period": 0.5}')$$,
    $$values (1, 5, 0.5::double precision)$$, 'several settings at once');

create temp table before_noop as select * from steadfast.queues where name = 'aq_q';
select results_eq($$select queue, concurrency from steadfast.alter_queue('aq_q', '{}')$$,
                  $$values ('aq_q', null::integer)$$, 'no options: nothing changes but updated_at');
select results_eq(
    $$select concurrency, worker_concurrency, partition_concurrency, rate_limit, rate_period from steadfast.queues where name = 'aq_q'$$,
    $$select concurrency, worker_concurrency, partition_concurrency, rate_limit, rate_period from before_noop$$,
    'the settings are as before');

select results_eq($$select queue, concurrency from steadfast.alter_queue('default', '{"concurrency": 50}')$$,
                  $$values ('default', 50)$$, 'the default queue can be limited too');

select results_eq(
    $$select queue, concurrency, rate_limit from steadfast.list_queues() where queue in ('aq_q', 'default') order by queue$$,
    $$values ('aq_q', null::integer, 5), ('default', 50, null::integer)$$, 'list_queues shows the settings');

select is((select count(*)::int from steadfast.queues where name = 'aq_q'), 1, 'still one row');
select is((select rate_period from steadfast.queues where name = 'aq_q'), interval '0.5 seconds', 'the period as an interval');
select is((select worker_concurrency from steadfast.queues where name = 'aq_q'), 2, 'worker_concurrency was kept throughout');

select * from finish();
rollback;
