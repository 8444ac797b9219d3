-- validate_workflows: a batch checked as start_workflows checks it, starting nothing (what a
-- router over shards does before it sends each shard its part).
begin;
select plan(7);

select is(steadfast.validate_workflows('[{"name": "job", "workflow_id": "vw-1"}, {"name": "job", "input": {"n": 2}}]', '{}'),
          2, 'a good batch: its size');
select is((select count(*) from steadfast.workflows where id = 'vw-1'), 0::bigint, '… and nothing started');
select throws_ok($$select steadfast.validate_workflows('[{"name": "job"}, {"name": "job", "options": {"bogus": 1}}]', '{}')$$,
                 'SF005', null, 'an unknown option: SF005');
select throws_like($$select steadfast.validate_workflows('[{"name": "job"}, {"name": "job", "options": {"bogus": 1}}]', '{}')$$,
                   'validate_workflows[2]: %', '… naming the element');
select throws_ok($$select steadfast.validate_workflows('[{"name": "job", "options": {"queue": "no_such_queue"}}]', '{}')$$,
                 'SF001', null, 'an unknown queue: SF001');
select throws_ok($$select steadfast.validate_workflows('[{"name": "job"}]', '[]')$$, 'SF005', null, 'options must be an object');
-- The same batch, started, gives the same error, naming start_workflows.
select throws_like($$select * from steadfast.start_workflows('[{"name": "job"}, {"name": "job", "options": {"bogus": 1}}]', '{}')$$,
                   'start_workflows[2]: %', 'start_workflows refuses it alike');

select * from finish();
rollback;
