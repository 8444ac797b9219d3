-- heartbeat_executor: bad arguments are SF005, an unknown executor SF001; nothing changes.
begin;
select plan(8);

select steadfast.register_executor('hbbad-a');

select * from steadfast_test.rejects($$select steadfast.heartbeat_executor(null)$$, 'SF005', 'a null id');
select * from steadfast_test.rejects($$select steadfast.heartbeat_executor('')$$, 'SF005', 'an empty id');
select * from steadfast_test.rejects($$select steadfast.heartbeat_executor(repeat('x', 256))$$, 'SF005', 'an over-long id');
select * from steadfast_test.rejects($$select steadfast.heartbeat_executor('hbbad-nope')$$, 'SF001', 'an unknown executor');

select * from finish();
rollback;
