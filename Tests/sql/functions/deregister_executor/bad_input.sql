-- deregister_executor: bad arguments are SF005, an unknown executor SF001; nothing changes.
begin;
select plan(6);

select steadfast.register_executor('deregbad-a');

select * from steadfast_test.rejects($$select steadfast.deregister_executor(null)$$, 'SF005', 'a null id');
select * from steadfast_test.rejects($$select steadfast.deregister_executor('')$$, 'SF005', 'an empty id');
select * from steadfast_test.rejects($$select steadfast.deregister_executor('deregbad-nope')$$, 'SF001', 'an unknown executor');

select * from finish();
rollback;
