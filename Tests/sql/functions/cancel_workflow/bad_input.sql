-- cancel_workflow: a finished workflow is SF004, an unknown one SF001, bad arguments SF005;
-- each changes nothing.
begin;
select plan(20);

select steadfast_test.queue('cwb_q');
select steadfast.register_executor('cwb-e', '{"queues": ["cwb_q"], "lease_seconds": 3600}');
select steadfast.start_workflow('cwb-ok', 'job', '{}', '{"queue": "cwb_q"}');
select steadfast.start_workflow('cwb-failed', 'job', '{}', '{"queue": "cwb_q"}');
select steadfast.start_workflow('cwb-dead', 'job', '{}', '{"queue": "cwb_q", "max_recovery_attempts": 1}');
select steadfast.start_workflow('cwb-child', 'job', '{}', '{"queue": "cwb_q", "parent_id": "cwb-ok"}');
select steadfast.claim_workflows('cwb-e', 10);
select steadfast.complete_workflow('cwb-ok', 1, '1');
select steadfast.fail_workflow('cwb-failed', 1, '{"type": "E", "message": "m"}');
select steadfast.release_workflows('cwb-e', array['cwb-dead']);
update steadfast.workflows set recovery_attempts = 1 where id = 'cwb-dead';
select steadfast.claim_workflows('cwb-e', 10);
select is((select status from steadfast.workflows where id = 'cwb-dead'), 'dead', 'fixture: a dead workflow');

select * from steadfast_test.rejects($$select * from steadfast.cancel_workflow('cwb-ok')$$, 'SF004',
    'a succeeded workflow (its running child stays running)');
select * from steadfast_test.rejects($$select * from steadfast.cancel_workflow('cwb-failed')$$, 'SF004', 'a failed workflow');
select * from steadfast_test.rejects($$select * from steadfast.cancel_workflow('cwb-dead')$$, 'SF004', 'a dead workflow');
select * from steadfast_test.rejects($$select * from steadfast.cancel_workflow('cwb-nope')$$, 'SF001', 'an unknown workflow');
select * from steadfast_test.rejects($$select * from steadfast.cancel_workflow(null)$$, 'SF005', 'a null id');
select * from steadfast_test.rejects($$select * from steadfast.cancel_workflow('')$$, 'SF005', 'an empty id');
select * from steadfast_test.rejects($$select * from steadfast.cancel_workflow('cwb-child', '{"why": "x"}')$$, 'SF005', 'an unknown option');
select * from steadfast_test.rejects($$select * from steadfast.cancel_workflow('cwb-child', '{"reason": 3}')$$, 'SF005', 'a reason that is not text');
select * from steadfast_test.rejects($$select * from steadfast.cancel_workflow('cwb-child', '[]')$$, 'SF005', 'options that are not an object');
select lives_ok($$select * from steadfast.cancel_workflow('cwb-child', null)$$, 'null options mean none');

select * from finish();
rollback;
