-- The starter's W3C trace context (start options traceparent, tracestate; migration 0018):
-- stored with the workflow, returned by every claim of it (so each execution joins that
-- trace), inherited by its children unless they give their own, kept by a fork and by a
-- resume; a malformed traceparent is SF005 naming the option and changes nothing. The claims
-- also return recovery_attempts and queued_seconds (schedule-to-start; fake clock).
begin;
select plan(23);

select steadfast_test.set_now('2026-12-03 10:00:00+00');
select steadfast_test.queue('tc_q');
select steadfast.register_executor('tc-e', '{"queues": ["tc_q"], "lease_seconds": 3600}');
select steadfast.start_workflow('tc-1', 'job', '{}',
    '{"queue": "tc_q", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "vendor=1"}');
select steadfast.start_workflow('tc-plain', 'job', '{}', '{"queue": "tc_q"}');

select results_eq($$select traceparent, tracestate from steadfast.workflows where id = 'tc-1'$$,
                  $$values ('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'::text, 'vendor=1'::text)$$,
                  'the trace context is stored with the workflow');
select is((select traceparent from steadfast.workflow_overview where workflow_id = 'tc-1'),
          '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'workflow_overview shows it');
select is((select traceparent from steadfast.workflows where id = 'tc-plain'), null, 'none given, none stored');

select steadfast_test.set_now('2026-12-03 10:00:07+00');
create temp table claimed as select * from steadfast.claim_workflows('tc-e', 2);
select results_eq($$select workflow_id, traceparent, tracestate, recovery_attempts, queued_seconds from claimed order by workflow_id$$,
                  $$values ('tc-1', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'::text, 'vendor=1'::text, 1, 7::float8),
                           ('tc-plain', null, null, 1, 7::float8)$$,
                  'a claim returns the trace context, recovery_attempts 1 and the 7 s waited');

-- A crash: the executor's workflows are recovered; the next claim is a recovery.
select steadfast.register_executor('tc-e2', '{"queues": ["tc_q"], "lease_seconds": 3600}');
update steadfast.executors set lease_expires_at = steadfast.now() - interval '1 second' where id = 'tc-e';
select steadfast_test.set_now('2026-12-03 10:00:09+00');
select results_eq($$select workflow_id, traceparent, recovery_attempts from steadfast.claim_workflows('tc-e2', 2) order by workflow_id$$,
                  $$values ('tc-1', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'::text, 2),
                           ('tc-plain', null, 2)$$,
                  'the recovering claim returns the same trace context, recovery_attempts 2');

-- Children inherit the parent's context unless they give their own.
select steadfast.start_child_workflow('tc-1', 2, 'kid', 'child', '{}', '{"queue": "tc_q"}');
select steadfast.start_child_workflow('tc-1', 2, 'own', 'child', '{}',
    '{"queue": "tc_q", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01"}');
select steadfast.start_child_workflows('tc-1', 2, 'many', '[{"name": "child", "input": {}}, {"name": "child", "input": {}}]', '{"queue": "tc_q"}');
select steadfast.start_child_workflow('tc-plain', 2, 'kid', 'child', '{}', '{"queue": "tc_q"}');
select results_eq($$select id, traceparent, tracestate from steadfast.workflows where parent_id in ('tc-1', 'tc-plain') order by id$$,
                  $$values ('tc-1/kid', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'::text, 'vendor=1'::text),
                           ('tc-1/many', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'vendor=1'),
                           ('tc-1/many#2', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'vendor=1'),
                           ('tc-1/own', '00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01', null),
                           ('tc-plain/kid', null, null)$$,
                  'children join the parent''s trace, or the one they are given');

-- A fork keeps the original's context; a resume keeps the workflow's.
select steadfast.fork_workflow('tc-1', 1, '{"workflow_id": "tc-fork"}');
select results_eq($$select traceparent, tracestate from steadfast.workflows where id = 'tc-fork'$$,
                  $$values ('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'::text, 'vendor=1'::text)$$,
                  'a fork joins the original''s trace');
select steadfast.cancel_workflow('tc-1');
select steadfast.resume_workflow('tc-1');
select is((select traceparent from steadfast.claim_workflows('tc-e2', 1, '{"names": ["job"]}') where workflow_id = 'tc-1'),
          '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'a resumed workflow''s claim returns its context');

-- start_workflow_and_claim returns the same columns.
select results_eq($$select workflow_id, claimed, traceparent, recovery_attempts, queued_seconds
                    from steadfast.start_workflow_and_claim('tc-e2', 'tc-direct', 'job', '{}',
                         '{"queue": "tc_q", "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}')$$,
                  $$values ('tc-direct', true, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00'::text, 1, 0::float8)$$,
                  'start_workflow_and_claim returns the trace context');

-- Bad trace contexts: SF005 naming the option; nothing is started.
select * from steadfast_test.rejects($$select steadfast.start_workflow('tc-bad', 'job', '{}', '{"queue": "tc_q", "traceparent": "not-a-traceparent"}')$$,
    'SF005', 'a malformed traceparent');
select * from steadfast_test.rejects($$select steadfast.start_workflow('tc-bad', 'job', '{}', '{"queue": "tc_q", "traceparent": "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}')$$,
    'SF005', 'an all-zero trace id');
select * from steadfast_test.rejects($$select steadfast.start_workflow('tc-bad', 'job', '{}', '{"queue": "tc_q", "traceparent": "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}')$$,
    'SF005', 'version ff');
select * from steadfast_test.rejects($$select steadfast.start_workflow('tc-bad', 'job', '{}', '{"queue": "tc_q", "traceparent": "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}')$$,
    'SF005', 'upper-case hex');
select * from steadfast_test.rejects($$select steadfast.start_workflow('tc-bad', 'job', '{}', '{"queue": "tc_q", "traceparent": 7}')$$,
    'SF005', 'a number');
select * from steadfast_test.rejects($$select steadfast.start_workflow('tc-bad', 'job', '{}', ('{"queue": "tc_q", "tracestate": "' || repeat('x', 513) || '"}')::jsonb)$$,
    'SF005', 'a tracestate over 512 characters');
select throws_like($$select steadfast.start_workflow('tc-bad', 'job', '{}', '{"queue": "tc_q", "traceparent": "nope"}')$$,
                   '%traceparent%W3C traceparent%', 'the message names the option and says what it must be');
select is((select count(*)::int from steadfast.workflows where id = 'tc-bad'), 0, 'nothing was started');
select * from finish();
rollback;
