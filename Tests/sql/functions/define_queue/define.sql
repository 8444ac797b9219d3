-- define_queue: creates a queue, or gives an existing one exactly the settings passed (absent
-- ones cleared); a definition equal to the stored one writes nothing; a changed one sets
-- updated_at and notifies waiting workers; bad input changes nothing.
begin;
select plan(12);

select steadfast_test.set_now('2030-01-01 00:00:00+00');
select results_eq($$select name, created from steadfast.define_queue('dq_q', '{"concurrency": 3, "rate_limit": 10, "rate_period": 60}')$$,
                  $$values ('dq_q', true)$$, 'a new queue is created');
select results_eq($$select concurrency, worker_concurrency, rate_limit, pg_catalog.date_part('epoch', rate_period)
                    from steadfast.queues where name = 'dq_q'$$,
                  $$values (3, null::integer, 10, 60::double precision)$$, 'with the settings given');

select steadfast_test.set_now('2030-01-02 00:00:00+00');
select results_eq($$select name, created from steadfast.define_queue('dq_q', '{"concurrency": 3, "rate_limit": 10, "rate_period": 60}')$$,
                  $$values ('dq_q', false)$$, 'the same definition again: not created');
select is((select updated_at from steadfast.queues where name = 'dq_q'), '2030-01-01 00:00:00+00'::timestamptz,
          'and not written: updated_at is unchanged');

select steadfast.alter_queue('dq_q', '{"worker_concurrency": 7}');
select steadfast_test.set_now('2030-01-03 00:00:00+00');
select results_eq($$select name, created from steadfast.define_queue('dq_q', '{"concurrency": 5}')$$,
                  $$values ('dq_q', false)$$, 'a changed definition: not created');
select results_eq($$select concurrency, worker_concurrency, rate_limit, rate_period, updated_at
                    from steadfast.queues where name = 'dq_q'$$,
                  $$values (5, null::integer, null::integer, null::interval, '2030-01-03 00:00:00+00'::timestamptz)$$,
                  'the definition wins: a setting it does not name is cleared, alter_queue''s change included');

select results_eq($$select created from steadfast.define_queue('dq_q', '{}')$$, $$values (false)$$,
                  'an empty definition clears every limit');
select is((select count(*)::integer from steadfast.queues where name = 'dq_q' and concurrency is null), 1,
          'concurrency is cleared');
select results_eq($$select created from steadfast.define_queue('dq_new')$$, $$values (true)$$,
                  'options default to none');

create temp table before_bad as select * from steadfast.queues where name = 'dq_q';
select throws_ok($$select steadfast.define_queue('dq_q', '{"concurrency": -1}')$$, 'SF005',
                 'define_queue: option concurrency must be an integer ≥ 0, got -1', 'a bad setting is SF005');
select throws_ok($$select steadfast.define_queue('dq_q', '{"rate_limit": 5}')$$, 'SF005', null,
                 'rate_limit without rate_period is SF005');
select results_eq($$select * from steadfast.queues where name = 'dq_q'$$, $$select * from before_bad$$,
                  'and bad input changed nothing');

select * from finish();
rollback;
