-- fork_workflow: an unknown workflow or queue and a step past the end are SF001, an id used by
-- another workflow SF002, a step below 1 and bad options SF005. Each changes nothing.
begin;
select plan(24);

select steadfast_test.queue('fwb_q');
select steadfast.register_executor('fwb-e', '{"queues": ["fwb_q"], "lease_seconds": 3600}');
select steadfast.start_workflow('fwb-o', 'job', '{}', '{"queue": "fwb_q"}');
select steadfast.start_workflow('fwb-other', 'job', '{}', '{"queue": "fwb_q"}');
select steadfast.claim_workflows('fwb-e', 1);
select steadfast.record_step('fwb-o', 1, 'a', '1');
select steadfast.record_step('fwb-o', 1, 'b', '2');
select steadfast.fork_workflow('fwb-o', 2, '{"workflow_id": "fwb-fork"}');

select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-o', 4)$$, 'SF001',
    'a step past the last step + 1 (the workflow has 2 steps)');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-other', 2)$$, 'SF001',
    'step 2 of a workflow with no steps');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-nope', 1)$$, 'SF001', 'an unknown workflow');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-o', 1, '{"queue": "fwb-nowhere"}')$$,
    'SF001', 'an unknown queue');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-o', 1, '{"workflow_id": "fwb-other"}')$$,
    'SF002', 'a new id that another workflow has');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-o', 1, '{"workflow_id": "fwb-fork"}')$$,
    'SF002', 'the id of a fork of the same workflow at another step');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-o', 2, '{"workflow_id": "fwb-o"}')$$,
    'SF002', 'the original''s own id');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-o', 0)$$, 'SF005', 'step 0');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-o', null)$$, 'SF005', 'a null step');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow(null, 1)$$, 'SF005', 'a null id');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-o', 1, '{"workflow_id": ""}')$$, 'SF005', 'an empty new id');
select * from steadfast_test.rejects($$select * from steadfast.fork_workflow('fwb-o', 1, '{"input": {}}')$$, 'SF005', 'an unknown option');

select * from finish();
rollback;
