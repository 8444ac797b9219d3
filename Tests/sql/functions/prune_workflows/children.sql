-- prune_workflows keeps a finished child while its parent is unfinished (the parent may still
-- await its outcome), and prunes it once the parent has finished; `more` does not count the
-- kept ones, so a pruning loop ends (fake clock).
begin;
select plan(6);

select steadfast_test.set_now('2026-12-01 10:00:00+00');
select steadfast_test.queue('pc_q');
select steadfast.register_executor('pc-e', '{"queues": ["pc_q"]}');
select steadfast.start_workflow('pc', 'parent', '{}', '{"queue": "pc_q"}');
select is((select workflow_id from steadfast.claim_workflows('pc-e', 1)), 'pc', 'the parent is claimed');
select steadfast.start_child_workflow('pc', 1, 'kid', 'child', '{}', '{"queue": "pc_q"}');
select is((select workflow_id from steadfast.claim_workflows('pc-e', 1)), 'pc/kid', 'the child is claimed');
select steadfast.complete_workflow('pc/kid', 1, '"done"');

select steadfast_test.set_now('2026-12-03 10:00:00+00');
select steadfast.heartbeat_executor('pc-e');
select results_eq($$select deleted_workflows, more from steadfast.prune_workflows('1 day', 100, '{"queue": "pc_q"}')$$,
                  $$values (0, false)$$, 'a finished child of a running parent is kept, and not counted as more');
select is((select status from steadfast.workflows where id = 'pc/kid'), 'succeeded', 'still there');
select steadfast.complete_workflow('pc', 1, '"ok"');
select steadfast_test.set_now('2026-12-05 10:00:00+00');
select results_eq($$select deleted_workflows, more from steadfast.prune_workflows('1 day', 100, '{"queue": "pc_q"}')$$,
                  $$values (2, false)$$, 'once the parent has finished, both go');
select is((select count(*)::int from steadfast.workflows where id like 'pc%'), 0, 'none left');

select * from finish();
rollback;
