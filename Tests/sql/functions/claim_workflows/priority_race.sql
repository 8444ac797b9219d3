-- Priority holds between racing claimers: while session A holds the three most urgent
-- workflows (its transaction open), session B skips them and gets the next three in priority
-- and FIFO order — not arbitrary ones. With a concurrency limit, B waits for A and then gets
-- the next in line too.
--
-- Commits rows through dblink: queues, ids and executors are prefixed prace; cleaned up at
-- both ends.
create function pg_temp.cleanup() returns void language sql as $$
    delete from steadfast.workflows where queue like 'prace\_%';
    delete from steadfast.executors where id like 'prace-%';
    delete from steadfast.queues where name like 'prace\_%';
$$;
select pg_temp.cleanup();

begin;
select plan(6);

-- Ids sort against the expected order, so only priority and FIFO can explain it.
do $$ begin
    perform steadfast_test.remote_value('setup', $r$
        select count(*) from (values ('prace_free', '{}'), ('prace_lim', '{"concurrency": 4}')) q (name, options),
            steadfast.create_queue(q.name, q.options::jsonb)$r$);
    perform steadfast_test.remote_value('setup', $r$
        select count(*) from unnest(array['free', 'lim']) q,
            (values ('z1', 3), ('z2', 0), ('z3', 1), ('z4', 2), ('z5', 0), ('z6', -1), ('z7', 2), ('z8', 1)) w (id, priority),
            steadfast.start_workflow('prace-' || q || '-' || w.id, 'job', '{}',
                                     jsonb_build_object('queue', 'prace_' || q, 'priority', w.priority))$r$);
    perform steadfast_test.remote_value('a', $r$select steadfast.register_executor('prace-a', '{"queues": ["prace_free", "prace_lim"]}')$r$);
    perform steadfast_test.remote_value('b', $r$select steadfast.register_executor('prace-b', '{"queues": ["prace_free", "prace_lim"]}')$r$);
end $$;

-- Expected order: z6 (-1), z2 (0), z5 (0), z3 (1), z8 (1), z4 (2), z7 (2), z1 (3).
do $$ begin perform steadfast_test.remote('a', 'begin'); end $$;
select results_eq(
    $$select * from dblink('a', $r$select workflow_id from steadfast.claim_workflows('prace-a', 3, '{"queues": ["prace_free"]}')$r$) as t(id text)$$,
    $$values ('prace-free-z6'), ('prace-free-z2'), ('prace-free-z5')$$, 'A claims the three most urgent, transaction open');
select results_eq(
    $$select * from dblink('b', $r$select workflow_id from steadfast.claim_workflows('prace-b', 3, '{"queues": ["prace_free"]}')$r$) as t(id text)$$,
    $$values ('prace-free-z3'), ('prace-free-z8'), ('prace-free-z4')$$, 'B, meanwhile, gets the next three in order');
select is(steadfast_test.remote('a', 'commit'), 'COMMIT', 'A commits');

do $$ begin perform steadfast_test.remote('a', 'begin'); end $$;
select results_eq(
    $$select * from dblink('a', $r$select workflow_id from steadfast.claim_workflows('prace-a', 3, '{"queues": ["prace_lim"]}')$r$) as t(id text)$$,
    $$values ('prace-lim-z6'), ('prace-lim-z2'), ('prace-lim-z5')$$, 'in a limited queue A claims the three most urgent');
do $$ begin
    perform dblink_send_query('b', $r$select workflow_id from steadfast.claim_workflows('prace-b', 3, '{"queues": ["prace_lim"]}')$r$);
    perform pg_sleep(0.1);
    perform steadfast_test.remote('a', 'commit');
end $$;
select results_eq($$select * from dblink_get_result('b') as t(id text)$$, $$values ('prace-lim-z3')$$,
                  'B, racing, gets the one slot left, for the next in line');
do $$ begin perform * from dblink_get_result('b') as t(id text); end $$;
select is((select count(*)::int from steadfast.workflows where queue like 'prace\_%' and attempt > 1), 0, 'none claimed twice');

select * from finish();
rollback;

select pg_temp.cleanup();
