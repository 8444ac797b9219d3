-- list_workflows: the filters for operators (app_version, parent_id, forked_from, a creation
-- time range, stranded) combine with status/name/queue and keyset pagination; the lineage
-- and version columns come back.
begin;
select plan(13);

select steadfast_test.queue('lf_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.start_workflow('lf-1', 'invoice', '{}', '{"queue": "lf_q", "app_version": "v1"}');
select steadfast_test.set_now('2030-01-01 01:00:00+00');
select steadfast.start_workflow('lf-2', 'invoice', '{}', '{"queue": "lf_q", "app_version": "v2", "parent_id": "lf-1", "priority": 4}');
select steadfast_test.set_now('2030-01-01 02:00:00+00');
select steadfast.start_workflow('lf-3', 'receipt', '{}', '{"queue": "lf_q", "parent_id": "lf-1"}');
select steadfast_test.set_now('2030-01-01 03:00:00+00');
select steadfast.fork_workflow('lf-2', 1, '{"workflow_id": "lf-4"}');

select results_eq($$select workflow_id from steadfast.list_workflows('{"queue": "lf_q", "app_version": "v2"}')$$,
                  $$values ('lf-4'), ('lf-2')$$, 'app_version (a fork keeps its original''s)');
select results_eq($$select workflow_id from steadfast.list_workflows('{"queue": "lf_q", "parent_id": "lf-1"}')$$,
                  $$values ('lf-3'), ('lf-2')$$, 'parent_id: the children');
select results_eq($$select workflow_id from steadfast.list_workflows('{"forked_from": "lf-2"}')$$,
                  $$values ('lf-4')$$, 'forked_from: the forks');
select results_eq(
    $$select workflow_id from steadfast.list_workflows('{"queue": "lf_q", "created_after": "2030-01-01T01:00:00Z", "created_before": "2030-01-01T03:00:00Z"}')$$,
    $$values ('lf-3'), ('lf-2')$$, 'a time range: created_after inclusive, created_before exclusive');
select results_eq(
    $$select workflow_id from steadfast.list_workflows('{"queue": "lf_q", "parent_id": "lf-1", "name": "invoice", "status": "enqueued"}')$$,
    $$values ('lf-2')$$, 'filters combine');
select results_eq(
    $$select workflow_id from steadfast.list_workflows('{"queue": "lf_q", "created_after": "2030-01-01T00:30:00Z", "limit": 1,
                                                        "before_created_at": "2030-01-01T03:00:00Z", "before_id": "lf-4"}')$$,
    $$values ('lf-3')$$, 'with keyset pagination');
select results_eq(
    $$select workflow_id, priority, app_version, parent_id, forked_from, forked_at_step, started_at
      from steadfast.list_workflows('{"queue": "lf_q", "limit": 2}')$$,
    $$values ('lf-4', 4, 'v2', null::text, 'lf-2', 1, null::timestamptz), ('lf-3', 0, null, 'lf-1', null, null, null)$$,
    'priority, version, parent and lineage columns');

select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"created_after": "soon"}')$$,
    'SF005', 'a created_after that is not a timestamp');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"stranded": "yes"}')$$,
    'SF005', 'stranded that is not a boolean');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"parent_id": 1}')$$,
    'SF005', 'a parent_id that is not text');

select * from finish();
rollback;
