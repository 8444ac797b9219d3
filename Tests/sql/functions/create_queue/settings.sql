-- create_queue with settings: each limit is stored as given (null: no limit); an existing
-- queue is left as it is, whatever the options; out-of-range settings are SF005 and change
-- nothing.
begin;
select plan(35);

select results_eq(
    $$select name, created from steadfast.create_queue('cqs_all',
        '{"concurrency": 3, "worker_concurrency": 2, "partition_concurrency": 1, "rate_limit": 10, "rate_period": 60}')$$,
    $$values ('cqs_all', true)$$, 'a queue is created with every setting');
select results_eq(
    $$select concurrency, worker_concurrency, partition_concurrency, rate_limit, rate_period
      from steadfast.queues where name = 'cqs_all'$$,
    $$values (3, 2, 1, 10, interval '60 seconds')$$, 'its settings are stored');

select results_eq($$select name, created from steadfast.create_queue('cqs_all', '{"concurrency": 9}')$$,
                  $$values ('cqs_all', false)$$, 'creating it again with other settings returns created = false');
select is((select concurrency from steadfast.queues where name = 'cqs_all'), 3,
          'and leaves its settings alone (alter_queue changes them)');

select results_eq($$select name, created from steadfast.create_queue('cqs_none')$$, $$values ('cqs_none', true)$$,
                  'a queue without settings');
select results_eq(
    $$select concurrency, worker_concurrency, partition_concurrency, rate_limit, rate_period
      from steadfast.queues where name = 'cqs_none'$$,
    $$values (null::integer, null::integer, null::integer, null::integer, null::interval)$$, 'has no limits');

select lives_ok($$select steadfast.create_queue('cqs_paused', '{"concurrency": 0}')$$, 'a limit of 0 (paused) is allowed');
select lives_ok($$select steadfast.create_queue('cqs_nulls', '{"concurrency": null, "rate_limit": null, "rate_period": null}')$$,
                'null settings mean no limit');
select is((select rate_period from steadfast.queues where name = 'cqs_nulls'), null, 'no rate period');
select lives_ok($$select steadfast.create_queue('cqs_fast', '{"rate_limit": 5, "rate_period": 0.25}')$$,
                'a rate period may be a fraction of a second');
select is((select rate_period from steadfast.queues where name = 'cqs_fast'), interval '0.25 seconds', 'stored as an interval');

select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"concurrency": -1}')$$,
    'SF005', 'a negative concurrency');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"worker_concurrency": -3}')$$,
    'SF005', 'a negative worker_concurrency');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"partition_concurrency": -1}')$$,
    'SF005', 'a negative partition_concurrency');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"rate_limit": -1, "rate_period": 1}')$$,
    'SF005', 'a negative rate_limit');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"rate_limit": 1, "rate_period": 0}')$$,
    'SF005', 'a zero rate_period');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"rate_limit": 1, "rate_period": -5}')$$,
    'SF005', 'a negative rate_period');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"rate_limit": 1, "rate_period": 31536001}')$$,
    'SF005', 'a rate_period longer than a year');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"rate_limit": 10}')$$,
    'SF005', 'a rate_limit without a rate_period');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"rate_period": 10}')$$,
    'SF005', 'a rate_period without a rate_limit');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"concurrency": "3"}')$$,
    'SF005', 'a concurrency given as a string');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"concurrency": 1.5}')$$,
    'SF005', 'a fractional concurrency');
select * from steadfast_test.rejects($$select steadfast.create_queue('cqs_x', '{"concurrency": 3000000000}')$$,
    'SF005', 'a concurrency beyond 32 bits');

select * from finish();
rollback;
