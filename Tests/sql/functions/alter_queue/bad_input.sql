-- alter_queue: an unknown queue is SF001; bad names, options and settings are SF005; a failed
-- call changes nothing.
begin;
select plan(26);

select steadfast.create_queue('aqb_q', '{"concurrency": 3, "rate_limit": 10, "rate_period": 60}');

select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_nope', '{"concurrency": 1}')$$,
    'SF001', 'an unknown queue');
select * from steadfast_test.rejects($$select steadfast.alter_queue(null, '{"concurrency": 1}')$$, 'SF005', 'a null name');
select * from steadfast_test.rejects($$select steadfast.alter_queue('', '{"concurrency": 1}')$$, 'SF005', 'an empty name');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', null)$$, 'SF005', 'null options');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', '[]')$$, 'SF005', 'options that are not an object');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', '{"limit": 3}')$$, 'SF005', 'an unknown option');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', '{"concurrency": -1}')$$,
    'SF005', 'a negative concurrency');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', '{"worker_concurrency": -1}')$$,
    'SF005', 'a negative worker_concurrency');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', '{"partition_concurrency": -2}')$$,
    'SF005', 'a negative partition_concurrency');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', '{"rate_limit": -1}')$$,
    'SF005', 'a negative rate_limit');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', '{"rate_period": 0}')$$,
    'SF005', 'a zero rate_period');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', '{"rate_limit": null}')$$,
    'SF005', 'clearing rate_limit but not rate_period');
select * from steadfast_test.rejects($$select steadfast.alter_queue('aqb_q', '{"concurrency": 1, "rate_period": -1}')$$,
    'SF005', 'one bad setting among good ones');

select * from finish();
rollback;
