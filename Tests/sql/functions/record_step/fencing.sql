-- record_step is fenced: only the current attempt of a running workflow may record (SF003);
-- an unknown workflow is SF001.
begin;
select plan(13);

select steadfast_test.queue('stepfence_q');
select steadfast.register_executor('stepfence-e', '{"queues": ["stepfence_q"]}');
select steadfast.start_workflow('stepfence-w', 'job', '{}', '{"queue": "stepfence_q"}');
select steadfast.start_workflow('stepfence-queued', 'job', '{}', '{"queue": "stepfence_q", "delay_seconds": 3600}');

select * from steadfast_test.rejects($$select * from steadfast.record_step('stepfence-queued', 1, 's', '1')$$,
    'SF003', 'a workflow never claimed');
select steadfast.claim_workflows('stepfence-e', 1);
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepfence-w', 2, 's', '1')$$,
    'SF003', 'an attempt ahead of the current one');
select lives_ok($$select * from steadfast.record_step('stepfence-w', 1, 's', '1')$$, 'the current attempt records');

select steadfast.release_workflows('stepfence-e');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepfence-w', 1, 't', '1')$$,
    'SF003', 'a released attempt');
select steadfast.claim_workflows('stepfence-e', 1);
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepfence-w', 1, 't', '1')$$,
    'SF003', 'an attempt superseded by a reclaim');
select steadfast.complete_workflow('stepfence-w', 2, '1');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepfence-w', 2, 't', '1')$$,
    'SF003', 'the attempt that completed the workflow');
select * from steadfast_test.rejects($$select * from steadfast.record_step('stepfence-nope', 1, 't', '1')$$,
    'SF001', 'an unknown workflow');

select * from finish();
rollback;
