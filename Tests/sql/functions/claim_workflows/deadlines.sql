-- A workflow's deadline is enforced: once it passes, the next claim by any worker cancels the
-- workflow — enqueued, running or sleeping — with its unfinished descendants, the reason
-- "deadline exceeded", and a steadfast_cancelled notice for a running one. timeout_seconds
-- sets the deadline from the start. Fake clock.
begin;
select plan(14);

select steadfast_test.set_now('2026-12-03 12:00:00+00');
select steadfast_test.queue('dl_q');
select steadfast_test.queue('dl_other');
select steadfast.register_executor('dl-e', '{"queues": ["dl_q"], "lease_seconds": 86400}');
select steadfast.register_executor('dl-other', '{"queues": ["dl_other"], "lease_seconds": 86400}');

select steadfast.start_workflow('dl-run', 'job', '{}', '{"queue": "dl_q", "timeout_seconds": 60}');
select is((select deadline from steadfast.workflows where id = 'dl-run'), '2026-12-03 12:01:00+00'::timestamptz,
          'timeout_seconds: the deadline is the start plus the timeout');
select steadfast.start_workflow('dl-both', 'job', '{}', '{"queue": "dl_q", "timeout_seconds": 600, "deadline": "2026-12-03T12:01:00Z"}');
select is((select deadline from steadfast.workflows where id = 'dl-both'), '2026-12-03 12:01:00+00'::timestamptz,
          'with both, the earlier');
select is((select count(*)::int from steadfast.claim_workflows('dl-e', 2)), 2, 'both claimed');
select steadfast.sleep_workflow('dl-both', 1, 'nap', '{"seconds": 3600}');
select steadfast.start_workflow('dl-queued', 'job', '{}', '{"queue": "dl_q", "deadline": "2026-12-03T12:01:00Z", "delay_seconds": 7200}');
select steadfast.start_workflow('dl-child', 'job', '{}', '{"queue": "dl_q", "parent_id": "dl-run"}');
select steadfast.start_workflow('dl-later', 'job', '{}', '{"queue": "dl_q", "deadline": "2026-12-03T13:00:00Z", "delay_seconds": 7200}');
select * from steadfast_test.rejects($$select steadfast.start_workflow('dl-bad', 'job', '{}', '{"queue": "dl_q", "timeout_seconds": -1}')$$,
    'SF005', 'a negative timeout');

-- Before the deadline, claims change nothing.
select steadfast_test.set_now('2026-12-03 12:00:59+00');
select is((select count(*)::int from steadfast.claim_workflows('dl-other', 1)), 0, 'a claim before the deadline');
select is((select count(*)::int from steadfast.workflows where id like 'dl-%' and status = 'cancelled'), 0, 'cancels nothing');

-- After it, a claim of any queue cancels them all, wherever they are.
select steadfast_test.set_now('2026-12-03 12:01:00+00');
listen steadfast_cancelled;
select is((select count(*)::int from steadfast.claim_workflows('dl-other', 1)), 0, 'a claim of another queue');
select results_eq($$select id, status, error ->> 'message' from steadfast.workflows where id like 'dl-%' order by id$$,
                  $$values ('dl-both', 'cancelled', 'deadline exceeded'),
                           ('dl-child', 'cancelled', 'ancestor dl-run was cancelled'),
                           ('dl-later', 'enqueued', null),
                           ('dl-queued', 'cancelled', 'deadline exceeded'),
                           ('dl-run', 'cancelled', 'deadline exceeded')$$,
                  'cancels the running, the sleeping and the enqueued ones past their deadline, and the child of one');
select is((select executor_id from steadfast.workflows where id = 'dl-run'), null, 'the running one lost its executor');
select * from steadfast_test.rejects($$select * from steadfast.record_step('dl-run', 1, 's', '1')$$, 'SF003',
    'its worker''s next write is fenced');

-- A deadline already past when the workflow starts: the next claim cancels it.
select steadfast.start_workflow('dl-past', 'job', '{}', '{"queue": "dl_q", "deadline": "2026-12-03T11:00:00Z", "delay_seconds": 7200}');
select is((select count(*)::int from steadfast.claim_workflows('dl-other', 1)), 0, 'the next claim');
select is((select status from steadfast.workflows where id = 'dl-past'), 'cancelled', 'cancels it');

select * from finish();
rollback;
