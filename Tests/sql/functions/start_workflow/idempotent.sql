-- start_workflow: idempotent on the id; the same id with another name is SF002.
begin;
select plan(9);

select is(
    (select created from steadfast.start_workflow('t-start-1', 'checkout', '{"cart": 1}')),
    true, 'a new id creates the workflow');
select is(
    (select status from steadfast.workflows where id = 't-start-1'),
    'enqueued', 'a started workflow is enqueued');
select is(
    (select input from steadfast.workflows where id = 't-start-1'),
    '{"cart": 1}'::jsonb, 'its input is stored as given');

select results_eq(
    $$select workflow_id, status, created from steadfast.start_workflow('t-start-1', 'checkout', '{"cart": 2}')$$,
    $$values ('t-start-1', 'enqueued', false)$$,
    'the same id and name returns the existing workflow, flagged as not created');
select is(
    (select input from steadfast.workflows where id = 't-start-1'),
    '{"cart": 1}'::jsonb, 'starting again does not change the input');
select is((select count(*)::int from steadfast.workflows where id = 't-start-1'), 1, 'still one row');

create temp table snap as select steadfast_test.snapshot() as s;
select throws_ok(
    $$select * from steadfast.start_workflow('t-start-1', 'refund', '{}')$$,
    'SF002', null, 'the same id with another name is SF002');
select is(steadfast_test.snapshot(), (select s from snap), 'the conflicting start changed nothing');

select ok(
    (select workflow_id from steadfast.start_workflow(null, 'checkout')) ~ '^[0-9a-f-]{36}$',
    'a null id is replaced by a generated UUID');

select * from finish();
rollback;
