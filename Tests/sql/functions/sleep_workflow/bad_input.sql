-- sleep_workflow refuses bad arguments with SF005 and changes nothing.
begin;
select plan(15);

select steadfast_test.queue('sleepbad_q');
select steadfast.register_executor('sleepbad-e', '{"queues": ["sleepbad_q"]}');
select steadfast.start_workflow('sleepbad-w', 'job', '{}', '{"queue": "sleepbad_q"}');
select steadfast.claim_workflows('sleepbad-e', 1);

select * from steadfast_test.rejects($$select * from steadfast.sleep_workflow('sleepbad-w', 1, 'nap', '{}')$$, 'SF005',
    'neither seconds nor until');
select * from steadfast_test.rejects($$select * from steadfast.sleep_workflow('sleepbad-w', 1, 'nap', '{"seconds": 1, "until": 0}')$$,
    'SF005', 'both');
select * from steadfast_test.rejects($$select * from steadfast.sleep_workflow('sleepbad-w', 1, 'nap', '{"seconds": -1}')$$,
    'SF005', 'a negative duration');
select * from steadfast_test.rejects($$select * from steadfast.sleep_workflow('sleepbad-w', 1, 'nap', '{"until": "not a time"}')$$,
    'SF005', 'an instant that is not one');
select * from steadfast_test.rejects($$select * from steadfast.sleep_workflow('sleepbad-w', 1, 'na#p', '{"seconds": 1}')$$,
    'SF005', 'a name with #');
select * from steadfast_test.rejects($$select * from steadfast.sleep_workflow('sleepbad-w', 1, 'nap', '{"seconds": 1, "forever": true}')$$,
    'SF005', 'an unknown option');
select * from steadfast_test.rejects($$select * from steadfast.sleep_workflow('sleepbad-nope', 1, 'nap', '{"seconds": 1}')$$,
    'SF001', 'an unknown workflow');
select results_eq($$select status, (select count(*)::int from steadfast.steps where workflow_id = 'sleepbad-w')
                    from steadfast.workflows where id = 'sleepbad-w'$$,
                  $$values ('running', 0)$$, 'nothing changed');

select * from finish();
rollback;
