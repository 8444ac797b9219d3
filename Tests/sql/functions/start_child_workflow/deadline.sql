-- A deadline that passes while a parent waits for its children cancels the parent and the
-- children (which inherited it) at the next claim; a child's own deadline cancels the child
-- alone, and its cancellation wakes the waiting parent like any final transition (fake clock).
begin;
select plan(9);

select steadfast_test.set_now('2026-12-03 10:00:00+00');
select steadfast_test.queue('kd_q');
select steadfast.register_executor('kd-e', '{"queues": ["kd_q"]}');
select steadfast.start_workflow('kd-p', 'parent', '{}', '{"queue": "kd_q", "timeout_seconds": 600}');
select steadfast.start_workflow('kd-r', 'parent', '{}', '{"queue": "kd_q"}');
select is((select count(*)::int from steadfast.claim_workflows('kd-e', 2)), 2, 'both parents claimed');
select steadfast.start_child_workflow('kd-p', 1, 'kid', 'child', '{}', '{"queue": "kd_q"}');
select steadfast.start_child_workflow('kd-r', 1, 'kid', 'child', '{}', '{"queue": "kd_q", "timeout_seconds": 60}');
select is((select deadline from steadfast.workflows where id = 'kd-p/kid'), '2026-12-03 10:10:00+00'::timestamptz,
          'the child inherits its parent''s deadline');
select is((select waiting from steadfast.await_children('kd-p', 1, 'kids', array['kd-p/kid'])), true, 'kd-p waits');
select is((select waiting from steadfast.await_children('kd-r', 1, 'kids', array['kd-r/kid'])), true, 'kd-r waits');

-- The child with its own timeout passes it first: cancelled, it wakes its parent.
select steadfast_test.set_now('2026-12-03 10:01:00+00');
select steadfast.heartbeat_executor('kd-e');
select results_eq($$select workflow_id from steadfast.claim_workflows('kd-e', 10) order by workflow_id$$,
                  $$values ('kd-p/kid'), ('kd-r')$$,
                  'the claim cancels the overdue child, which wakes its parent, claimed at once');
select results_eq($$select status, error ->> 'message' from steadfast.workflows where id = 'kd-r/kid'$$,
                  $$values ('cancelled', 'deadline exceeded')$$, 'the child was cancelled for its deadline');
select is((select results -> 0 ->> 'status' from steadfast.await_children('kd-r', 2, 'kids', array['kd-r/kid'])),
          'cancelled', 'its parent learns the child''s outcome');

-- The parent's deadline passes while it waits: parent and child cancelled.
select steadfast_test.set_now('2026-12-03 10:10:00+00');
select steadfast.heartbeat_executor('kd-e');
select is((select count(*)::int from steadfast.claim_workflows('kd-e', 10)), 0, 'nothing to claim');
select results_eq($$select id, status, error ->> 'message' from steadfast.workflows where id like 'kd-p%' order by id$$,
                  $$values ('kd-p', 'cancelled', 'deadline exceeded'), ('kd-p/kid', 'cancelled', 'ancestor kd-p was cancelled')$$,
                  'the waiting parent and its running child are cancelled for the deadline they share');

select * from finish();
rollback;
