-- cancel_workflow: an enqueued, running or waiting workflow and its unfinished descendants
-- become cancelled; finished descendants and other workflows are left alone; a running one's
-- executor is fenced (SF003) from then on; cancelling again changes nothing.
begin;
select plan(13);

select steadfast_test.queue('cw_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('cw-e', '{"queues": ["cw_q"], "lease_seconds": 3600}');
select steadfast.start_workflow('cw-p', 'order', '{}', '{"queue": "cw_q"}');
select steadfast.start_workflow('cw-c1', 'child', '{}', '{"queue": "cw_q", "parent_id": "cw-p"}');
select steadfast.start_workflow('cw-c3', 'child', '{}', '{"queue": "cw_q", "parent_id": "cw-p"}');
select steadfast.claim_workflows('cw-e', 3);
select steadfast.complete_workflow('cw-c3', 1, '"done"');
select steadfast.start_workflow('cw-c2', 'grandchild', '{}', '{"queue": "cw_q", "parent_id": "cw-c1"}');
select steadfast.start_workflow('cw-c4', 'grandchild', '{}', '{"queue": "cw_q", "parent_id": "cw-c3"}');
select steadfast.start_workflow('cw-other', 'order', '{}', '{"queue": "cw_q"}');
select steadfast.record_step('cw-p', 1, 'charge', '"ch-1"');

select steadfast_test.set_now('2030-01-01 00:00:05+00');
select results_eq(
    $$select workflow_id, previous_status, status from steadfast.cancel_workflow('cw-p', '{"reason": "customer asked"}')$$,
    $$values ('cw-p', 'running', 'cancelled'), ('cw-c1', 'running', 'cancelled'), ('cw-c2', 'enqueued', 'cancelled'),
             ('cw-c4', 'enqueued', 'cancelled')$$,
    'the workflow first, then its unfinished descendants by id, each with its previous status');
select results_eq(
    $$select id, status from steadfast.workflows where queue = 'cw_q' order by id$$,
    $$values ('cw-c1', 'cancelled'), ('cw-c2', 'cancelled'), ('cw-c3', 'succeeded'), ('cw-c4', 'cancelled'),
             ('cw-other', 'enqueued'), ('cw-p', 'cancelled')$$,
    'a finished child and an unrelated workflow are left alone; the finished child''s own child is cancelled');
select results_eq(
    $$select error, executor_id, completed_at, updated_at, recovery_attempts from steadfast.workflows where id = 'cw-p'$$,
    $$values ('{"type": "cancelled", "message": "customer asked"}'::jsonb, null::text,
              '2030-01-01 00:00:05+00'::timestamptz, '2030-01-01 00:00:05+00'::timestamptz, 0)$$,
    'the reason is its error; it has no executor and is finished now');
select is((select error from steadfast.workflows where id = 'cw-c2'),
          '{"type": "cancelled", "message": "ancestor cw-p was cancelled"}'::jsonb,
          'a descendant says which ancestor was cancelled');
select is((select count(*)::int from steadfast.steps where workflow_id = 'cw-p'), 1, 'its checkpoints are kept');

-- The executor that was running it is fenced.
select * from steadfast_test.rejects($$select * from steadfast.record_step('cw-p', 1, 'ship', '"s"')$$,
    'SF003', 'the old executor''s next checkpoint');
select * from steadfast_test.rejects($$select steadfast.complete_workflow('cw-c1', 1, '"x"')$$,
    'SF003', 'the old executor completing a cancelled child');
select is_empty($$select * from steadfast.claim_workflows('cw-e', 10) where workflow_id <> 'cw-other'$$,
                'a cancelled workflow is never claimed');

-- Again: idempotent.
create temp table before_again as select steadfast_test.snapshot() as s;
select results_eq($$select workflow_id, previous_status, status from steadfast.cancel_workflow('cw-p')$$,
                  $$values ('cw-p', 'cancelled', 'cancelled')$$,
                  'cancelling again returns only the workflow itself, as it was');
select is(steadfast_test.snapshot(), (select s from before_again), 'and changes nothing');

-- A waiting workflow (suspended on a sleep or message) is cancelled too.
update steadfast.workflows set status = 'waiting' where id = 'cw-other';
select results_eq($$select previous_status from steadfast.cancel_workflow('cw-other')$$, $$values ('waiting')$$,
                  'a waiting workflow is cancelled');

select * from finish();
rollback;
