-- start_workflow's partition_key option: recorded on the workflow (claim_workflows/partitions.sql
-- shows what a queue does with it); an empty or non-string key is SF005.
begin;
select plan(8);

select steadfast_test.queue('pk_q');
select lives_ok($$select steadfast.start_workflow('pk-1', 'job', '{}', '{"queue": "pk_q", "partition_key": "customer-7"}')$$,
                'a workflow with a partition key');
select is((select partition_key from steadfast.workflows where id = 'pk-1'), 'customer-7', 'the key is recorded');
select lives_ok($$select steadfast.start_workflow('pk-2', 'job', '{}', '{"queue": "pk_q", "partition_key": null}')$$,
                'a null key is no key');
select is((select partition_key from steadfast.workflows where id = 'pk-2'), null, 'none is recorded');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('pk-x', 'job', '{}', '{"queue": "pk_q", "partition_key": ""}')$$, 'SF005', 'an empty key');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('pk-x', 'job', '{}', '{"queue": "pk_q", "partition_key": 7}')$$, 'SF005', 'a number');

select * from finish();
rollback;
