-- prune_workflows: finished workflows older than the cutoff go, oldest first, with their steps,
-- one batch per call; unfinished ones always stay. The table is emptied first (in this
-- transaction only) so the counts are this test's.
begin;
select plan(14);

delete from steadfast.workflows;
select steadfast_test.queue('pw_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('pw-e', '{"queues": ["pw_q"], "lease_seconds": 86400}');
select steadfast.start_workflow(id, 'job', '{}', '{"queue": "pw_q"}')
from unnest(array['pw-1', 'pw-2', 'pw-3', 'pw-4', 'pw-running', 'pw-z-enqueued']) id;
select steadfast.claim_workflows('pw-e', 5);
select steadfast.record_step('pw-1', 1, 'a', '1');
select steadfast.record_step('pw-1', 1, 'b', '2');
select steadfast.record_step('pw-3', 1, 'a', '1');
select steadfast_test.set_now('2030-01-02 00:00:00+00');
select steadfast.complete_workflow('pw-1', 1, '1');
select steadfast_test.set_now('2030-01-03 00:00:00+00');
select steadfast.fail_workflow('pw-2', 1, '{"type": "E", "message": "m"}');
select steadfast_test.set_now('2030-01-04 00:00:00+00');
select steadfast.cancel_workflow('pw-3');
select steadfast_test.set_now('2030-01-09 00:00:00+00');
select steadfast.complete_workflow('pw-4', 1, '4');
select steadfast.fork_workflow('pw-1', 2, '{"workflow_id": "pw-fork"}');

select steadfast_test.set_now('2030-01-10 00:00:00+00');
select results_eq($$select deleted_workflows, deleted_steps, more from steadfast.prune_workflows('5 days', 2)$$,
                  $$values (2, 2, true)$$, 'one batch: the two oldest finished workflows and their steps; more remain');
select results_eq($$select id from steadfast.workflows order by id$$,
                  $$values ('pw-3'), ('pw-4'), ('pw-fork'), ('pw-running'), ('pw-z-enqueued')$$,
                  'the oldest went first');
select is((select count(*)::int from steadfast.steps where workflow_id in ('pw-1', 'pw-2')), 0, 'their steps went with them');
select is((select forked_from from steadfast.workflows where id = 'pw-fork'), 'pw-1', 'a fork keeps the pruned original''s id');
select results_eq($$select deleted_workflows, deleted_steps, more from steadfast.prune_workflows('5 days', 2)$$,
                  $$values (1, 1, false)$$, 'the next batch takes the rest older than 5 days');
select results_eq($$select deleted_workflows, deleted_steps, more from steadfast.prune_workflows('5 days', 2)$$,
                  $$values (0, 0, false)$$, 'then nothing is left to prune');
select results_eq($$select deleted_workflows from steadfast.prune_workflows('0 seconds', 100, '{"queue": "default"}')$$,
                  $$values (0)$$, 'a queue filter: nothing finished in another queue');
select results_eq($$select deleted_workflows from steadfast.prune_workflows('0 seconds', 100, '{"status": "failed"}')$$,
                  $$values (0)$$, 'a status filter: no failed workflow is left');
select results_eq($$select deleted_workflows, more from steadfast.prune_workflows('0 seconds', 100, '{"status": ["succeeded"]}')$$,
                  $$values (1, false)$$, 'older_than 0: every finished workflow of the statuses asked');
select results_eq($$select id, status from steadfast.workflows order by id$$,
                  $$values ('pw-fork', 'enqueued'), ('pw-running', 'running'), ('pw-z-enqueued', 'enqueued')$$,
                  'unfinished workflows are never pruned, however old');

select * from steadfast_test.rejects($$select * from steadfast.prune_workflows(null)$$, 'SF005', 'a null age');
select * from steadfast_test.rejects($$select * from steadfast.prune_workflows('-1 day')$$, 'SF005', 'a negative age');

select * from finish();
rollback;
