-- list_workflows: newest first, filtered by status (one or several), name and queue, at most
-- `limit` rows, with keyset pagination; bad options are SF005.
begin;
select plan(26);

select steadfast_test.queue('lw_q');
select steadfast_test.queue('lw_other');
select steadfast.register_executor('lw-e', '{"queues": ["lw_q"]}');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.start_workflow('lw-1', 'invoice', '{}', '{"queue": "lw_q", "delay_seconds": 3600}');
select steadfast_test.set_now('2030-01-01 00:00:01+00');
select steadfast.start_workflow('lw-2', 'receipt', '{}', '{"queue": "lw_q", "delay_seconds": 3600}');
select steadfast_test.set_now('2030-01-01 00:00:02+00');
select steadfast.start_workflow('lw-3', 'invoice', '{}', '{"queue": "lw_q"}');
select steadfast.start_workflow('lw-4', 'invoice', '{}', '{"queue": "lw_q", "delay_seconds": 3600}');
select steadfast.start_workflow('lw-x', 'invoice', '{}', '{"queue": "lw_other"}');
select steadfast.heartbeat_executor('lw-e');  -- the clock moved past its lease
select steadfast.claim_workflows('lw-e', 1);

select results_eq($$select workflow_id from steadfast.list_workflows('{"queue": "lw_q"}')$$,
                  $$values ('lw-4'), ('lw-3'), ('lw-2'), ('lw-1')$$,
                  'newest first (id descending among equal times)');
select results_eq(
    $$select workflow_id, name, status, queue, attempt, executor_id, created_at, completed_at, error
      from steadfast.list_workflows('{"queue": "lw_q", "status": "running"}')$$,
    $$values ('lw-3', 'invoice', 'running', 'lw_q', 1, 'lw-e', '2030-01-01 00:00:02+00'::timestamptz, null::timestamptz, null::jsonb)$$,
    'status as a string; every column');
select results_eq($$select workflow_id from steadfast.list_workflows('{"queue": "lw_q", "status": ["running", "enqueued"], "name": "invoice"}')$$,
                  $$values ('lw-4'), ('lw-3'), ('lw-1')$$, 'status as an array, and name');
select is_empty($$select * from steadfast.list_workflows('{"queue": "lw_q", "status": "dead"}')$$, 'no match, no rows');

-- Pagination.
select results_eq($$select workflow_id from steadfast.list_workflows('{"queue": "lw_q", "limit": 2}')$$,
                  $$values ('lw-4'), ('lw-3')$$, 'limit: the first page');
select results_eq(
    $$select workflow_id from steadfast.list_workflows(
        '{"queue": "lw_q", "limit": 2, "before_created_at": "2030-01-01T00:00:02Z", "before_id": "lw-3"}')$$,
    $$values ('lw-2'), ('lw-1')$$, 'the next page after the last row''s created_at and id');
select results_eq(
    $$select workflow_id from steadfast.list_workflows('{"queue": "lw_q", "before_created_at": "2030-01-01T00:00:02Z"}')$$,
    $$values ('lw-2'), ('lw-1')$$, 'before_created_at alone: strictly older');

-- Bad options.
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"status": "paused"}')$$,
    'SF005', 'an unknown status');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"status": ["running", "nope"]}')$$,
    'SF005', 'an unknown status in an array');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"status": 3}')$$,
    'SF005', 'a status that is neither a string nor an array');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"limit": 0}')$$, 'SF005', 'limit 0');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"limit": 1001}')$$, 'SF005', 'limit 1001');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"limit": "10"}')$$, 'SF005', 'a limit given as a string');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"before_created_at": "yesterday-ish"}')$$,
    'SF005', 'a before_created_at that is not a timestamp');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('{"states": ["running"]}')$$,
    'SF005', 'an unknown option');
select * from steadfast_test.rejects($$select * from steadfast.list_workflows('[]')$$,
    'SF005', 'options that are not an object');

select lives_ok($$select * from steadfast.list_workflows(null)$$, 'null options mean no options');

select * from finish();
rollback;
