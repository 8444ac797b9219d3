-- release_workflows: bad arguments are SF005, an unknown executor SF001; nothing changes.
begin;
select plan(8);

select steadfast.register_executor('relbad-a');

select * from steadfast_test.rejects($$select steadfast.release_workflows(null)$$, 'SF005', 'a null executor id');
select * from steadfast_test.rejects($$select steadfast.release_workflows('', array['x'])$$, 'SF005', 'an empty executor id');
select * from steadfast_test.rejects($$select steadfast.release_workflows('relbad-nope')$$, 'SF001', 'an unknown executor');
select * from steadfast_test.rejects($$select steadfast.release_workflows('relbad-nope', array['x'])$$,
    'SF001', 'an unknown executor, with ids');

select * from finish();
rollback;
