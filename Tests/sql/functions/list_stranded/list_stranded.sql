-- list_stranded(): the workflows no live executor can run, oldest first, each with its reason;
-- a queue filter and a limit; bad options are SF005 and change nothing.
begin;
select plan(6);

select steadfast_test.queue('ls_q');
select steadfast_test.queue('ls_orphan');
-- Other tests' executors may be alive: ours claims ls_q only, for workflow "job" at version v1.
select steadfast.register_executor('ls-e', '{"queues": ["ls_q"], "app_version": "v1", "metadata": {"workflows": ["job"]}}');
select steadfast.start_workflow('ls-1', 'job', '{}', '{"queue": "ls_orphan"}');
select steadfast.start_workflow('ls-2', 'job', '{}', '{"queue": "ls_q", "app_version": "v2"}');
select steadfast.start_workflow('ls-3', 'other', '{}', '{"queue": "ls_q"}');
select steadfast.start_workflow('ls-ok', 'job', '{}', '{"queue": "ls_q"}');

select results_eq($$select workflow_id, reason from steadfast.list_stranded() where workflow_id like 'ls-%' order by workflow_id$$,
                  $$values ('ls-1', 'no live executor claims from queue ls_orphan'),
                           ('ls-2', 'no live executor runs app_version v2'),
                           ('ls-3', 'no live executor has workflow other registered')$$,
                  'each stranded workflow with its reason; the runnable one is not listed');
select results_eq($$select workflow_id from steadfast.list_stranded('{"queue": "ls_q"}') order by workflow_id$$,
                  $$values ('ls-2'), ('ls-3')$$, 'filtered by queue');
select is((select count(*)::int from steadfast.list_stranded('{"queue": "ls_q", "limit": 1}')), 1, 'limit');
select results_eq($$select workflow_id from steadfast.list_stranded('{"queue": "ls_q", "name": "other"}')$$,
                  $$values ('ls-3')$$, 'filtered by name: is any workflow of this name stranded here?');
select * from steadfast_test.rejects($$select * from steadfast.list_stranded('{"limit": 0}')$$, 'SF005', 'limit 0');
select * from finish();
rollback;
