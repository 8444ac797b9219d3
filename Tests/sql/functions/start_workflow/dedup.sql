-- start_workflow with a dedup_key: while a workflow of the queue holding the key is active
-- (enqueued, running, waiting), a second start returns it (dedup_policy "return", the
-- default) or raises SF009 (dedup_policy "error"), changing nothing; the key is free again once
-- the holder succeeded, failed, was cancelled or died. Keys are per queue; ids stay idempotent.
begin;
select plan(33);

select steadfast_test.queue('dd_q');
select steadfast_test.queue('dd_other');
select steadfast.register_executor('dd-e', '{"queues": ["dd_q"], "lease_seconds": 86400}');

select results_eq(
    $$select workflow_id, status, created from steadfast.start_workflow('dd-1', 'job', '{"n": 1}', '{"queue": "dd_q", "dedup_key": "k"}')$$,
    $$values ('dd-1', 'enqueued', true)$$, 'the first start with a key creates the workflow');
select is((select dedup_key from steadfast.workflows where id = 'dd-1'), 'k', 'and records its key');

select results_eq(
    $$select workflow_id, status, created, queue from steadfast.start_workflow('dd-2', 'job', '{"n": 2}', '{"queue": "dd_q", "dedup_key": "k"}')$$,
    $$values ('dd-1', 'enqueued', false, 'dd_q')$$, 'a second start with the key returns the holder (created = false)');
select is((select count(*)::int from steadfast.workflows where id = 'dd-2'), 0, 'and creates nothing');
select results_eq(
    $$select workflow_id, created from steadfast.start_workflow(null, 'job', '{}', '{"queue": "dd_q", "dedup_key": "k", "dedup_policy": "return"}')$$,
    $$values ('dd-1', false)$$, 'also without an id, with the policy spelled out');

select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('dd-3', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k", "dedup_policy": "error"}')$$,
    'SF009', 'with dedup_policy "error", a held key is SF009');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('dd-4', 'other_job', '{}', '{"queue": "dd_q", "dedup_key": "k"}')$$,
    'SF009', 'a held key is SF009 when the holder is another workflow name, whatever the policy');
select throws_like(
    $$select * from steadfast.start_workflow('dd-3', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k", "dedup_policy": "error"}')$$,
    '%''dd-1''%', 'the error names the holder');

select results_eq(
    $$select workflow_id, created from steadfast.start_workflow('dd-1', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k", "dedup_policy": "error"}')$$,
    $$values ('dd-1', false)$$, 'starting the holder''s own id again is idempotent, not a duplicate');
select results_eq(
    $$select workflow_id, created from steadfast.start_workflow('dd-o', 'job', '{}', '{"queue": "dd_other", "dedup_key": "k"}')$$,
    $$values ('dd-o', true)$$, 'the same key in another queue is another key');
select results_eq(
    $$select workflow_id, created from steadfast.start_workflow('dd-n', 'job', '{}', '{"queue": "dd_q"}')$$,
    $$values ('dd-n', true)$$, 'workflows without a key are never deduplicated');
select results_eq(
    $$select workflow_id, created from steadfast.start_workflow('dd-n2', 'job', '{}', '{"queue": "dd_q", "dedup_key": null}')$$,
    $$values ('dd-n2', true)$$, 'a null key is no key');

-- Running: still held.
select is((select workflow_id from steadfast.claim_workflows('dd-e', 1, '{"names": ["job"]}') where workflow_id = 'dd-1'), 'dd-1',
          'the holder is claimed');
select results_eq(
    $$select workflow_id, status, created from steadfast.start_workflow('dd-5', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k"}')$$,
    $$values ('dd-1', 'running', false)$$, 'while it runs, the key is still held');

-- A retry sends it back to the queue: still active, still held.
select steadfast.fail_workflow('dd-1', 1, '{"message": "boom"}', '{"retry": {"kind": "fixed", "max_attempts": 2, "base_delay": 0}}');
select results_eq(
    $$select workflow_id, status, created from steadfast.start_workflow('dd-5', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k"}')$$,
    $$values ('dd-1', 'enqueued', false)$$, 'while it waits for a retry, the key is still held');

-- Waiting: still held.
update steadfast.workflows set status = 'waiting' where id = 'dd-1';
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('dd-5', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k", "dedup_policy": "error"}')$$,
    'SF009', 'while it is waiting, the key is still held');

-- Finished, one way or another: free.
update steadfast.workflows set status = 'succeeded', completed_at = steadfast.now() where id = 'dd-1';
select results_eq(
    $$select workflow_id, created from steadfast.start_workflow('dd-s', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k", "dedup_policy": "error"}')$$,
    $$values ('dd-s', true)$$, 'once the holder succeeded, the key is free');
update steadfast.workflows set status = 'failed', completed_at = steadfast.now() where id = 'dd-s';
select results_eq(
    $$select workflow_id, created from steadfast.start_workflow('dd-f', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k"}')$$,
    $$values ('dd-f', true)$$, 'once the holder failed, the key is free');
update steadfast.workflows set status = 'cancelled', completed_at = steadfast.now() where id = 'dd-f';
select results_eq(
    $$select workflow_id, created from steadfast.start_workflow('dd-c', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k"}')$$,
    $$values ('dd-c', true)$$, 'once the holder was cancelled, the key is free');
update steadfast.workflows set status = 'dead', completed_at = steadfast.now() where id = 'dd-c';
select results_eq(
    $$select workflow_id, created from steadfast.start_workflow('dd-d', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k"}')$$,
    $$values ('dd-d', true)$$, 'once the holder died, the key is free');
select is((select count(*)::int from steadfast.workflows where dedup_key = 'k' and queue = 'dd_q'), 5,
          'history keeps every holder of the key');

select throws_ok($$update steadfast.workflows set status = 'enqueued' where id = 'dd-c'$$, '23505', null,
                 'the unique index itself forbids a second active holder');

select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('dd-x', 'job', '{}', '{"queue": "dd_q", "dedup_key": ""}')$$, 'SF005', 'an empty key');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('dd-x', 'job', '{}', '{"queue": "dd_q", "dedup_key": 5}')$$, 'SF005', 'a key that is not a string');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('dd-x', 'job', '{}', jsonb_build_object('queue', 'dd_q', 'dedup_key', repeat('k', 256)))$$,
    'SF005', 'a key longer than 255 characters');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflow('dd-x', 'job', '{}', '{"queue": "dd_q", "dedup_key": "k2", "dedup_policy": "ignore"}')$$,
    'SF005', 'an unknown dedup_policy');

select * from finish();
rollback;
