-- The view workflow_overview: one row per workflow with its counts, timings, lineage and an
-- error summary; and every view and public function explains itself (COMMENT ON).
begin;
select plan(4);

select steadfast_test.queue('ov_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('ov-e', '{"queues": ["ov_q"], "lease_seconds": 3600}');
select steadfast.start_workflow('ov-w', 'job', '{}', '{"queue": "ov_q", "app_version": "v1"}');
select steadfast_test.set_now('2030-01-01 00:00:02+00');
select steadfast.claim_workflows('ov-e', 1);
select steadfast.record_step('ov-w', 1, 'a', '1');
select steadfast_test.set_now('2030-01-01 00:00:05+00');
select steadfast.fail_workflow('ov-w', 1, '{"type": "Bug", "message": "boom"}');
select steadfast.fork_workflow('ov-w', 2, '{"workflow_id": "ov-f"}');

select results_eq(
    $$select workflow_id, name, status, queue, app_version, attempt, steps, queued_for, run_time, error_type, error_message,
             forked_from, forked_at_step
      from steadfast.workflow_overview where queue = 'ov_q' order by 1$$,
    $$values ('ov-f', 'job', 'enqueued', 'ov_q', 'v1', 0, 1, null::interval, null::interval, null, null, 'ov-w', 2),
             ('ov-w', 'job', 'failed', 'ov_q', 'v1', 1, 1, interval '2 seconds', interval '3 seconds', 'Bug', 'boom', null, null)$$,
    'status, version, claims, steps, time queued and running, error summary and lineage');

select is_empty(
    $$select c.oid::regclass::text from pg_catalog.pg_class c
      where c.relnamespace = 'steadfast'::regnamespace and c.relkind = 'v'
        and pg_catalog.obj_description(c.oid, 'pg_class') is null$$,
    'every view has a comment (\d+)');
select ok((select count(*) from pg_catalog.pg_class c where c.relnamespace = 'steadfast'::regnamespace and c.relkind = 'v') >= 4,
          'the four views are installed');
select is_empty(
    $$select p.oid::regprocedure::text from pg_catalog.pg_proc p
      where p.pronamespace = 'steadfast'::regnamespace and p.proname not like '\_%'
        and p.proname in ('list_workflows', 'get_workflow', 'list_steps', 'list_executors', 'cancel_workflow',
                          'resume_workflow', 'fork_workflow', 'prune_workflows', 'grant_viewer', 'grant_client',
                          'grant_worker', 'revoke_grants', 'grant_sets', 'schema_version', 'error_codes')
        and pg_catalog.obj_description(p.oid, 'pg_proc') is null$$,
    'every operating function has a comment (\df+)');

select * from finish();
rollback;
