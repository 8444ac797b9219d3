-- claim_workflows and versions: an executor with an app_version takes workflows of that
-- version or of none; an executor without one takes every version.
begin;
select plan(4);

select steadfast_test.queue('av_q');
select steadfast.start_workflow('av-v1', 'job', '{}', '{"queue": "av_q", "app_version": "v1"}');
select steadfast.start_workflow('av-v2', 'job', '{}', '{"queue": "av_q", "app_version": "v2"}');
select steadfast.start_workflow('av-none', 'job', '{}', '{"queue": "av_q"}');
select steadfast.register_executor('av-e1', '{"queues": ["av_q"], "app_version": "v1"}');
select steadfast.register_executor('av-e3', '{"queues": ["av_q"], "app_version": "v3"}');
select steadfast.register_executor('av-any', '{"queues": ["av_q"]}');

select results_eq($$select workflow_id from steadfast.claim_workflows('av-e1', 10) order by 1$$,
                  $$values ('av-none'), ('av-v1')$$,
                  'a v1 executor takes v1 workflows and unversioned ones');
select is_empty($$select * from steadfast.claim_workflows('av-e3', 10)$$,
                'a v3 executor takes no v2 workflow');
select results_eq($$select workflow_id from steadfast.claim_workflows('av-any', 10)$$,
                  $$values ('av-v2')$$, 'an unversioned executor takes any version');

select steadfast.start_workflow('av-v9', 'job', '{}', '{"queue": "av_q", "app_version": "v9"}');
select results_eq($$select workflow_id from steadfast.claim_workflows('av-any', 10)$$,
                  $$values ('av-v9')$$, 'even one no versioned executor could run');

select * from finish();
rollback;
