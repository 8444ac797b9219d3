-- prune_workflows: bad arguments are SF005 and change nothing.
begin;
select plan(12);

select * from steadfast_test.rejects($$select * from steadfast.prune_workflows('1 day', 0)$$, 'SF005', 'batch size 0');
select * from steadfast_test.rejects($$select * from steadfast.prune_workflows('1 day', 100001)$$, 'SF005', 'batch size 100001');
select * from steadfast_test.rejects($$select * from steadfast.prune_workflows('1 day', null)$$, 'SF005', 'a null batch size');
select * from steadfast_test.rejects($$select * from steadfast.prune_workflows('1 day', 10, '{"status": "running"}')$$,
    'SF005', 'an unfinished status');
select * from steadfast_test.rejects($$select * from steadfast.prune_workflows('1 day', 10, '{"status": ["failed", "nope"]}')$$,
    'SF005', 'an unknown status');
select * from steadfast_test.rejects($$select * from steadfast.prune_workflows('1 day', 10, '{"before": "2030-01-01"}')$$,
    'SF005', 'an unknown option');

select * from finish();
rollback;
