-- write_stream / read_stream: offsets from 0, a replay appends nothing, a close ends the
-- stream, a reader resumes from any offset, and a fork carries the entries before its fork
-- point.
begin;
select plan(13);

select steadfast_test.queue('st_q');
select steadfast.register_executor('st-e', '{"queues": ["st_q"]}');
select steadfast.start_workflow('st-w', 'job', '{}', '{"queue": "st_q"}');
select is((select workflow_id from steadfast.claim_workflows('st-e', 1)), 'st-w', 'claimed');
select results_eq($$select "offset", recorded from steadfast.write_stream('st-w', 1, 'out', 'log', '"a"')$$,
                  $$values (0, true)$$, 'the first entry is offset 0');
select results_eq($$select "offset", recorded from steadfast.write_stream('st-w', 1, 'out', 'log', '"a"')$$,
                  $$values (0, false)$$, 'a replay appends nothing and returns the recorded offset');
select steadfast.write_stream('st-w', 1, 'out', 'log', '"b"', '{"occurrence": 2}');
select steadfast.write_stream('st-w', 1, 'out', 'log', '"c"', '{"occurrence": 3}');
select results_eq($$select "offset", value, closed from steadfast.read_stream('st-w', 'log')$$,
                  $$values (0, '"a"'::jsonb, false), (1, '"b"'::jsonb, false), (2, '"c"'::jsonb, false)$$, 'read from 0');
select results_eq($$select "offset", value from steadfast.read_stream('st-w', 'log', 2)$$, $$values (2, '"c"'::jsonb)$$,
                  'resumed from offset 2');
select results_eq($$select "offset" from steadfast.read_stream('st-w', 'log', 0, 2)$$, $$values (0), (1)$$, 'at most limit entries');
select results_eq($$select "offset", closed from steadfast.write_stream('st-w', 1, 'end', 'log', null, '{"closed": true}') w
                    join lateral (select true as closed) c on true$$, $$values (3, true)$$, 'closed at offset 3');
select results_eq($$select "offset", value, closed from steadfast.read_stream('st-w', 'log', 3)$$,
                  $$values (3, null::jsonb, true)$$, 'the closing entry ends the stream');
select * from steadfast_test.rejects($$select * from steadfast.write_stream('st-w', 1, 'more', 'log', '"d"')$$, 'SF004',
    'nothing is appended to a closed stream');
select * from steadfast_test.rejects($$select * from steadfast.read_stream('st-w', 'log', -1)$$, 'SF005', 'a negative offset');

select steadfast.complete_workflow('st-w', 1, '1');
select steadfast.fork_workflow('st-w', 3, '{"workflow_id": "st-fork"}');
select results_eq($$select "offset", value from steadfast.read_stream('st-fork', 'log')$$,
                  $$values (0, '"a"'::jsonb), (1, '"b"'::jsonb)$$, 'a fork carries the entries written before its fork point');
select * from finish();
rollback;
