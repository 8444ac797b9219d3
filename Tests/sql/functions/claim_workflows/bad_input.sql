-- claim_workflows: bad arguments are SF005, unknown executor or queue SF001, a stopped
-- executor SF003; nothing changes.
begin;
select plan(29);

select steadfast_test.queue('claimbad_q');
select steadfast.register_executor('claimbad-a', '{"queues": ["claimbad_q"]}');
select steadfast.register_executor('claimbad-stopped', '{"queues": ["claimbad_q"]}');
select steadfast.deregister_executor('claimbad-stopped');
select steadfast.start_workflow('claimbad-w', 'job', '{}', '{"queue": "claimbad_q"}');

select * from steadfast_test.rejects($$select * from steadfast.claim_workflows(null)$$, 'SF005', 'a null executor id');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('')$$, 'SF005', 'an empty executor id');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-nope')$$, 'SF001', 'an unknown executor');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-stopped')$$, 'SF003', 'a stopped executor');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', 0)$$, 'SF005', 'limit 0');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', -1)$$, 'SF005', 'a negative limit');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', 1001)$$, 'SF005', 'limit 1001');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', null)$$, 'SF005', 'a null limit');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', 1, '[]')$$,
    'SF005', 'options that are not an object');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', 1, '{"queue": "claimbad_q"}')$$,
    'SF005', 'an unknown option');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', 1, '{"queues": "claimbad_q"}')$$,
    'SF005', 'queues as a string');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', 1, '{"queues": [1]}')$$,
    'SF005', 'queues with a non-string element');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', 1, '{"queues": ["claimbad_nope"]}')$$,
    'SF001', 'an unknown queue');
select * from steadfast_test.rejects($$select * from steadfast.claim_workflows('claimbad-a', 1, '{"names": "job"}')$$,
    'SF005', 'names as a string');
select is((select status from steadfast.workflows where id = 'claimbad-w'), 'enqueued', 'the workflow was not claimed');

select * from finish();
rollback;
