-- prune_workflows with dry_run: the counts every batch together would delete, in one call, and
-- nothing deleted; the same filters as a real prune; a bad dry_run is SF005.
begin;
select plan(8);

delete from steadfast.workflows;
select steadfast_test.queue('pd_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('pd-e', '{"queues": ["pd_q"], "lease_seconds": 86400}');
select steadfast.start_workflow(id, 'job', '{}', '{"queue": "pd_q"}')
from unnest(array['pd-1', 'pd-2', 'pd-3', 'pd-running']) id;
select steadfast.claim_workflows('pd-e', 4);
select steadfast.record_step('pd-1', 1, 'a', '1');
select steadfast.record_step('pd-1', 1, 'b', '2');
select steadfast.record_step('pd-2', 1, 'a', '1');
select steadfast.record_step('pd-running', 1, 'a', '1');
select steadfast.complete_workflow('pd-1', 1, '1');
select steadfast.fail_workflow('pd-2', 1, '{"type": "E", "message": "m"}');
select steadfast.complete_workflow('pd-3', 1, '3');
select steadfast_test.set_now('2030-01-10 00:00:00+00');

select results_eq($$select deleted_workflows, deleted_steps, more from steadfast.prune_workflows('1 day', 1, '{"dry_run": true}')$$,
                  $$values (3, 3, false)$$, 'a dry run counts every finished workflow and its steps, whatever the batch size');
select is((select count(*)::int from steadfast.workflows), 4, 'a dry run deletes no workflow');
select is((select count(*)::int from steadfast.steps), 4, 'a dry run deletes no step');
select results_eq($$select deleted_workflows, deleted_steps from steadfast.prune_workflows('1 day', 10, '{"dry_run": true, "status": "failed"}')$$,
                  $$values (1, 1)$$, 'a dry run honours the status filter');
select results_eq($$select deleted_workflows from steadfast.prune_workflows('30 days', 10, '{"dry_run": true}')$$,
                  $$values (0)$$, 'a dry run honours the age');
select results_eq($$select deleted_workflows, deleted_steps from steadfast.prune_workflows('1 day', 10, '{"dry_run": false}')$$,
                  $$values (3, 3)$$, 'dry_run false prunes, and deletes what the dry run counted');
select * from steadfast_test.rejects($$select * from steadfast.prune_workflows('1 day', 10, '{"dry_run": "yes"}')$$,
    'SF005', 'dry_run must be a boolean');

select * from finish();
rollback;
