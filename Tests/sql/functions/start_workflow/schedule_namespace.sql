-- Workflow ids beginning with "schedule:" are reserved for the occurrences tick_schedules
-- starts (schedule:<name>@<UTC time>, inserted ON CONFLICT DO NOTHING so that each runs once):
-- a caller that could take one ahead of time would decide what that occurrence runs. The
-- starters — start_workflow, start_workflows (on either of its paths), start_workflow_and_claim
-- — refuse them with SF005 and change nothing; tick_schedules still starts its occurrences.
begin;
select plan(14);

select steadfast_test.queue('sns_q');
select steadfast.register_executor('sns-e', '{"queues": ["sns_q"], "lease_seconds": 3600}');
select steadfast.create_schedule('sns-nightly', '30 7 * * *', 'job', '{"queue": "sns_q"}');

select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('schedule:sns-nightly@2030-01-01T07:30:00Z', 'job', '{}', '{"queue": "sns_q"}')$$,
    'SF005', 'start_workflow: a future occurrence of a schedule');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('schedule:', 'job', '{}', '{"queue": "sns_q"}')$$,
    'SF005', 'start_workflow: the bare prefix');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows('[{"workflow_id": "schedule:sns-nightly@2030-01-01T07:30:00Z", "name": "job"}]',
                                              '{"queue": "sns_q"}')$$,
    'SF005', 'start_workflows: a plain batch (the set-based path)');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows('[{"name": "job", "options": {"dedup_key": "k"}},
                                                {"workflow_id": "schedule:x", "name": "job"}]', '{"queue": "sns_q"}')$$,
    'SF005', 'start_workflows: a batch started element by element, the second element');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow_and_claim('sns-e', 'schedule:sns-nightly@2030-01-01T07:30:00Z', 'job', '{}',
                                                       '{"queue": "sns_q"}')$$,
    'SF005', 'start_workflow_and_claim');
select throws_like(
    $$select * from steadfast.start_workflows('[{"name": "job"}, {"workflow_id": "schedule:x", "name": "job"}]',
                                              '{"queue": "sns_q"}')$$,
    'start_workflows[2]: workflow_id ''schedule:x'' is in the schedule: namespace', 'the message names the element and the id');

select results_eq(
    $$select workflow_id, created from steadfast.start_workflow('my-schedule:1', 'job', '{}', '{"queue": "sns_q"}')
      union all
      select workflow_id, created from steadfast.start_workflow('Schedule:1', 'job', '{}', '{"queue": "sns_q"}')$$,
    $$values ('my-schedule:1', true), ('Schedule:1', true)$$,
    'ids that merely contain "schedule:", or spell it in another case, are ordinary ids');

select steadfast_test.set_now('2030-01-01 07:30:01Z');
update steadfast.schedules set next_fire_at = '2030-01-01 07:30Z' where name = 'sns-nightly';
select results_eq($$select started from steadfast.tick_schedules()$$, $$values (1)$$, 'the tick starts the due occurrence');
select is((select name from steadfast.workflows where id = 'schedule:sns-nightly@2030-01-01T07:30:00Z'), 'job',
          'under its id in the schedule: namespace');

select * from finish();
rollback;
