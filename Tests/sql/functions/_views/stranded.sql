-- The view stranded_workflows (and list_workflows' stranded option): unfinished workflows no
-- live executor can run — none claims from their queue, runs their version, or registered
-- their name — with the reason; moving one with resume_workflow un-strands it.
begin;
select plan(6);

select steadfast_test.queue('sv_q');
select steadfast_test.queue('sv_q_none');
select steadfast.register_executor('sv-e', '{"queues": ["sv_q"], "app_version": "v1", "lease_seconds": 3600,
                                              "metadata": {"workflows": ["job"]}}');
select steadfast.start_workflow('sv-any', 'job', '{}', '{"queue": "sv_q"}');
select steadfast.start_workflow('sv-v1', 'job', '{}', '{"queue": "sv_q", "app_version": "v1"}');
select steadfast.start_workflow('sv-v2', 'job', '{}', '{"queue": "sv_q", "app_version": "v2"}');
select steadfast.start_workflow('sv-name', 'report', '{}', '{"queue": "sv_q"}');
select steadfast.start_workflow('sv-queue', 'job', '{}', '{"queue": "sv_q_none"}');
select steadfast.start_workflow('sv-done', 'job', '{}', '{"queue": "sv_q_none"}');
select steadfast.start_workflow('sv-orphan', 'job', '{}', '{"queue": "sv_q", "app_version": "v2"}');
update steadfast.workflows set status = 'succeeded', completed_at = steadfast.now() where id = 'sv-done';
-- Running under an executor whose process is gone (no session holds its lock).
insert into steadfast.executors (id, queues, app_version, session_pid, lease_expires_at)
values ('sv-lost', '{sv_q}', 'v2', 0, steadfast.now() + interval '1 hour');
update steadfast.workflows set status = 'running', executor_id = 'sv-lost', attempt = 1 where id = 'sv-orphan';

select results_eq(
    $$select workflow_id, status, reason from steadfast.stranded_workflows where workflow_id like 'sv-%' order by 1$$,
    $$values ('sv-name', 'enqueued', 'no live executor has workflow report registered'),
             ('sv-orphan', 'running', 'no live executor runs app_version v2'),
             ('sv-queue', 'enqueued', 'no live executor claims from queue sv_q_none'),
             ('sv-v2', 'enqueued', 'no live executor runs app_version v2')$$,
    'each stranded workflow with its reason; runnable and finished ones are not listed');
select results_eq($$select workflow_id from steadfast.list_workflows('{"stranded": true, "queue": "sv_q_none"}')$$,
                  $$values ('sv-queue')$$, 'list_workflows filters on it');

select steadfast.resume_workflow('sv-v2', '{"app_version": "v1"}');
select steadfast.resume_workflow('sv-queue', '{"queue": "sv_q"}');
select results_eq($$select workflow_id from steadfast.stranded_workflows where workflow_id like 'sv-%' order by 1$$,
                  $$values ('sv-name'), ('sv-orphan')$$, 'moved to a version and a queue a live executor serves, they are not stranded');
select results_eq($$select workflow_id from steadfast.claim_workflows('sv-e', 10, '{"names": ["job"]}') order by 1$$,
                  $$values ('sv-any'), ('sv-queue'), ('sv-v1'), ('sv-v2')$$,
                  'a worker that knows "job" claims exactly the workflows the view called runnable (claim recovers the orphan first)');
select results_eq($$select workflow_id, status from steadfast.stranded_workflows where workflow_id like 'sv-%' order by 1$$,
                  $$values ('sv-name', 'enqueued'), ('sv-orphan', 'enqueued')$$,
                  'the orphan, recovered to its queue, is still stranded: no live executor runs v2');

select steadfast.deregister_executor('sv-e');
select results_eq($$select count(*)::int, min(reason), max(reason) from steadfast.stranded_workflows where workflow_id like 'sv-%'$$,
                  $$values (6, 'no live executor', 'no live executor')$$,
                  'with no live executor, every unfinished workflow is stranded, its own released ones included');

select * from finish();
rollback;
