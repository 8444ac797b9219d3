-- One workflow must never wedge its queue. Each step output may be as large as
-- max_payload_bytes, but a claim and get_workflow return all of a workflow's steps, and
-- PostgreSQL cannot build a JSON value over 256 MB: many large steps used to make every claim of
-- the queue fail with 54000. record_step now refuses (SF006) a step that would make the
-- workflow's steps total more than max_workflow_bytes, so claims and get_workflow stay bounded,
-- and the other workflows of the queue are claimed as usual. The limit is lowered to its
-- smallest (1 MiB) for the test.
begin;
select plan(14);

select steadfast.set_settings('{"max_payload_bytes": 65536, "max_workflow_bytes": 1048576}');
select steadfast_test.queue('wt_q');
select steadfast.register_executor('wt-e', '{"queues": ["wt_q"]}');
select steadfast.start_workflow('wt-big', 'job', '{}', '{"queue": "wt_q"}');
select steadfast.start_workflow('wt-other', 'job', '{}', '{"queue": "wt_q"}');
select is((select workflow_id from steadfast.claim_workflows('wt-e', 1)), 'wt-big', 'the big one is claimed first');

-- 60 KB of barely compressible text per step: 17 steps fit in 1 MiB, the 18th does not.
create temp table blob as select to_jsonb((select string_agg(md5(i::text), '') from generate_series(1, 1900) i)) as v;
select is((select pg_column_size(v) between 60000 and 65536 from blob), true, 'each output is within max_payload_bytes');
select is((select count(*)::integer from generate_series(1, 17) n,
                  lateral steadfast.record_step('wt-big', 1, 's' || n, (select v from blob))),
          17, '17 large steps are recorded');
select * from steadfast_test.rejects($$select * from steadfast.record_step('wt-big', 1, 's18', (select v from blob))$$,
    'SF006', 'the step that would take the workflow past max_workflow_bytes is refused');
select is((select count(*)::integer from steadfast.steps where workflow_id = 'wt-big'), 17, 'nothing was recorded');
select lives_ok($$select * from steadfast.record_step('wt-big', 1, 's1', (select v from blob))$$,
                'recording an already recorded step again is still accepted (a replay)');
select lives_ok($$select * from steadfast.record_step('wt-big', 1, 'small', '1')$$,
                'a small step still fits');
select is((select max(total_bytes) <= 1048576 from steadfast.steps where workflow_id = 'wt-big'), true,
          'the running total stays within the limit');

-- The workflow's reads are bounded, and its queue keeps moving.
select is((select jsonb_array_length(steps) from steadfast.get_workflow('wt-big')), 18, 'get_workflow returns its steps');
select is((select workflow_id from steadfast.claim_workflows('wt-e', 5)), 'wt-other', 'the next workflow of the queue is claimed');
select steadfast.release_workflows('wt-e', array['wt-big']);
select is((select pg_column_size(steps) < 2 * 1048576 from steadfast.claim_workflows('wt-e', 5) where workflow_id = 'wt-big'),
          true, 'the big one is claimed again, its steps within the bound');

select * from steadfast_test.rejects($$select steadfast.set_settings('{"max_workflow_bytes": 100}')$$, 'SF005',
    'a limit below its range');

select * from finish();
rollback;
