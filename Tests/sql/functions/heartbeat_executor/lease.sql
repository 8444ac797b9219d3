-- heartbeat_executor: extends the executor's lease by updating its one row, however many
-- workflows it holds; a stopped executor gets SF003 and may register again.
begin;
select plan(15);

select steadfast_test.queue('hb_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('hb-a', '{"queues": ["hb_q"], "lease_seconds": 30}');

select steadfast_test.set_now('2030-01-01 00:00:10+00');
select is(steadfast.heartbeat_executor('hb-a'), '2030-01-01 00:00:40+00'::timestamptz,
          'returns the new lease expiry, now + lease_seconds');
select results_eq(
    $$select heartbeat_at, lease_expires_at from steadfast.executors where id = 'hb-a'$$,
    $$values ('2030-01-01 00:00:10+00'::timestamptz, '2030-01-01 00:00:40+00'::timestamptz)$$,
    'the executor row records the heartbeat and the new expiry');

-- O(1): with workflows running, a heartbeat writes the executor's row and nothing else.
select steadfast.start_workflow('hb-w' || i, 'job', '{}', '{"queue": "hb_q"}') from generate_series(1, 3) i;
select is((select count(*)::int from steadfast.claim_workflows('hb-a', 10)), 3, 'the executor runs three workflows');
create temp table before as
    select pg_stat_get_xact_tuples_updated('steadfast.executors'::regclass) as executors,
           pg_stat_get_xact_tuples_updated('steadfast.workflows'::regclass) as workflows,
           (select string_agg(w::text, ',' order by w.id) from steadfast.workflows w) as rows;
select steadfast_test.set_now('2030-01-01 00:00:20+00');
select is(steadfast.heartbeat_executor('hb-a'), '2030-01-01 00:00:50+00'::timestamptz, 'a heartbeat while running');
select is(pg_stat_get_xact_tuples_updated('steadfast.executors'::regclass) - (select executors from before), 1::bigint,
          'a heartbeat updates exactly one executor row');
select is(pg_stat_get_xact_tuples_updated('steadfast.workflows'::regclass) - (select workflows from before), 0::bigint,
          'and no workflow row');
select is((select string_agg(w::text, ',' order by w.id) from steadfast.workflows w), (select rows from before),
          'the workflows are untouched');

-- An expired lease not yet noticed by anyone: the heartbeat still renews it.
select steadfast_test.set_now('2030-01-01 00:01:00+00');
select is(steadfast.heartbeat_executor('hb-a'), '2030-01-01 00:01:30+00'::timestamptz,
          'a late heartbeat, before any claim declared the executor dead, renews the lease');

-- Declared dead by a claim after its lease expired: SF003, until it registers again.
select steadfast_test.set_now('2030-01-01 00:05:00+00');
select steadfast.register_executor('hb-b', '{"queues": ["hb_q"]}');
select is((select count(*)::int from steadfast.claim_workflows('hb-b', 10)), 3,
          'another executor takes the workflows of the expired one');
select * from steadfast_test.rejects($$select steadfast.heartbeat_executor('hb-a')$$,
    'SF003', 'the heartbeat of an executor declared dead');
select lives_ok($$select steadfast.register_executor('hb-a', '{"queues": ["hb_q"]}')$$,
                'the dead executor registers again');
select is(steadfast.heartbeat_executor('hb-a'), '2030-01-01 00:05:30+00'::timestamptz, 'and its heartbeat works again');

-- Deregistered: SF003 as well.
select steadfast.deregister_executor('hb-b');
select * from steadfast_test.rejects($$select steadfast.heartbeat_executor('hb-b')$$,
    'SF003', 'the heartbeat of a deregistered executor');

select * from finish();
rollback;
