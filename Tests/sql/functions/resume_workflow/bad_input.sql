-- resume_workflow: running, waiting and succeeded workflows are SF004; unknown workflows and
-- queues SF001; bad arguments SF005. Each changes nothing.
begin;
select plan(22);

select steadfast_test.queue('rwb_q');
select steadfast.register_executor('rwb-e', '{"queues": ["rwb_q"], "lease_seconds": 3600}');
select steadfast.start_workflow('rwb-run', 'job', '{}', '{"queue": "rwb_q"}');
select steadfast.start_workflow('rwb-ok', 'job', '{}', '{"queue": "rwb_q"}');
select steadfast.start_workflow('rwb-wait', 'job', '{}', '{"queue": "rwb_q"}');
select steadfast.start_workflow('rwb-f', 'job', '{}', '{"queue": "rwb_q"}');
select steadfast.claim_workflows('rwb-e', 10);
select steadfast.complete_workflow('rwb-ok', 1, '1');
select steadfast.fail_workflow('rwb-f', 1, '{"type": "E", "message": "m"}');
update steadfast.workflows set status = 'waiting', executor_id = null where id = 'rwb-wait';

select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-run')$$, 'SF004', 'a running workflow');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-ok')$$, 'SF004', 'a succeeded workflow');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-wait')$$, 'SF004', 'a waiting workflow');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-nope')$$, 'SF001', 'an unknown workflow');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-f', '{"queue": "rwb-nowhere"}')$$,
    'SF001', 'an unknown queue');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow(null)$$, 'SF005', 'a null id');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-f', '{"queue": ""}')$$, 'SF005', 'an empty queue');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-f', '{"app_version": 2}')$$,
    'SF005', 'an app_version that is not text');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-f', '{"reset": true}')$$, 'SF005', 'an unknown option');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-f', '"x"')$$, 'SF005', 'options that are not an object');

-- Deduplication: a cancelled workflow's key was taken by a newer active one.
select steadfast.start_workflow('rwb-k1', 'job', '{}', '{"queue": "rwb_q", "dedup_key": "k"}');
select steadfast.cancel_workflow('rwb-k1');
select steadfast.start_workflow('rwb-k2', 'job', '{}', '{"queue": "rwb_q", "dedup_key": "k"}');
select * from steadfast_test.rejects($$select * from steadfast.resume_workflow('rwb-k1')$$, 'SF009',
    'a workflow whose deduplication key another active workflow holds');

select * from finish();
rollback;
