-- create_queue: creates a queue, or leaves an existing one unchanged (created = false); bad
-- names and options are SF005 and change nothing.
begin;
select plan(16);

select results_eq($$select name, created from steadfast.create_queue('cq_emails')$$,
                  $$values ('cq_emails', true)$$, 'a new queue is created');
select is((select count(*)::int from steadfast.queues where name = 'cq_emails'), 1, 'its row exists');
select lives_ok($$select steadfast.start_workflow('cq-w', 'job', '{}', '{"queue": "cq_emails"}')$$,
                'workflows can be started on it');

create temp table snap as select steadfast_test.snapshot() as s;
select results_eq($$select name, created from steadfast.create_queue('cq_emails', '{}')$$,
                  $$values ('cq_emails', false)$$, 'creating it again returns created = false');
select is(steadfast_test.snapshot(), (select s from snap), 'and changes nothing');
select results_eq($$select name, created from steadfast.create_queue('cq_nullopts', null)$$,
                  $$values ('cq_nullopts', true)$$, 'null options mean no options');

select * from steadfast_test.rejects($$select * from steadfast.create_queue(null)$$, 'SF005', 'a null name');
select * from steadfast_test.rejects($$select * from steadfast.create_queue('')$$, 'SF005', 'an empty name');
select * from steadfast_test.rejects($$select * from steadfast.create_queue(repeat('q', 201))$$,
    'SF005', 'a name longer than a queue name may be (200 characters)');
select * from steadfast_test.rejects($$select * from steadfast.create_queue('cq_x', '{"concurency": 5}')$$,
    'SF005', 'an unknown option (a typo of concurrency)');
select * from steadfast_test.rejects($$select * from steadfast.create_queue('cq_x', '[]')$$,
    'SF005', 'options that are not an object');

select * from finish();
rollback;
