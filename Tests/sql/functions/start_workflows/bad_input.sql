-- start_workflows: a malformed batch, or any bad element, is an error naming the element, and
-- starts none of the batch.
begin;
select plan(30);

select steadfast_test.queue('swb_q');
select steadfast.start_workflow('swb-held', 'job', '{}', '{"queue": "swb_q", "dedup_key": "k"}');

select * from steadfast_test.rejects($$select * from steadfast.start_workflows(null)$$, 'SF005', 'a null batch');
select * from steadfast_test.rejects($$select * from steadfast.start_workflows('{"name": "job"}')$$, 'SF005', 'an object, not an array');
select * from steadfast_test.rejects($$select * from steadfast.start_workflows('["job"]')$$, 'SF005', 'an element that is not an object');
select * from steadfast_test.rejects($$select * from steadfast.start_workflows('[{"name": "job", "queue": "swb_q"}]')$$,
    'SF005', 'an unknown key in an element (options go under "options")');
select * from steadfast_test.rejects($$select * from steadfast.start_workflows('[{"input": 1}]')$$, 'SF005', 'an element without a name');
select * from steadfast_test.rejects($$select * from steadfast.start_workflows('[{"name": "job", "options": []}]')$$,
    'SF005', 'element options that are not an object');
select * from steadfast_test.rejects($$select * from steadfast.start_workflows('[{"name": "job"}]', '[]')$$,
    'SF005', 'shared options that are not an object');
select * from steadfast_test.rejects($$select * from steadfast.start_workflows('[{"name": "job"}]', '{"queue": "swb_q", "colour": 1}')$$,
    'SF005', 'an unknown shared option');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows((select jsonb_agg(jsonb_build_object('name', 'job')) from generate_series(1, 10001)),
                                              '{"queue": "swb_q"}')$$,
    'SF005', 'more than 10000 elements');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows('[{"workflow_id": "swb-1", "name": "job"}, {"workflow_id": "swb-2", "name": "job", "options": {"queue": "swb_nope"}}]',
                                              '{"queue": "swb_q"}')$$,
    'SF001', 'an unknown queue in the second element: the first is not started either');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows('[{"workflow_id": "swb-1", "name": "job"}, {"workflow_id": "swb-held", "name": "other"}]',
                                              '{"queue": "swb_q"}')$$,
    'SF002', 'an id used by another workflow name');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows('[{"workflow_id": "swb-1", "name": "job"}, {"workflow_id": "swb-2", "name": "job", "options": {"dedup_key": "k", "dedup_policy": "error"}}]',
                                              '{"queue": "swb_q"}')$$,
    'SF009', 'a held dedup key with dedup_policy "error"');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows('[{"workflow_id": "swb-1", "name": "job", "options": {"dedup_key": "n"}}, {"workflow_id": "swb-2", "name": "job", "options": {"dedup_key": "n", "dedup_policy": "error"}}]',
                                              '{"queue": "swb_q"}')$$,
    'SF009', 'a dedup key held by an earlier element of the batch');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows('[{"workflow_id": "swb-1", "name": "job"}, {"workflow_id": "swb-2", "name": "job", "options": {"priority": "high"}}]',
                                              '{"queue": "swb_q"}')$$,
    'SF005', 'a bad option in an element');
select throws_like(
    $$select * from steadfast.start_workflows('[{"name": "job"}, {"name": "job"}, {"name": "job", "options": {"priority": "high"}}]',
                                              '{"queue": "swb_q"}')$$,
    'start_workflows[3]:%', 'the message names the element');
select is((select count(*)::int from steadfast.workflows where queue = 'swb_q'), 1, 'nothing was started');

select * from finish();
rollback;
