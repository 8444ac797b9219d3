-- Racing claims from several sessions (dblink) never exceed a queue's limits: a claim from a
-- queue with a global rule locks the queue's row, so a second claimer waits for the first to
-- commit and then sees what it took; a queue without one is claimed without that lock.
-- Several sessions firing at once: concurrency, partition_concurrency and rate_limit hold
-- exactly, and no workflow is claimed twice.
--
-- Commits rows through dblink: queues, ids and executors are prefixed lrace; cleaned up at
-- both ends.
create function pg_temp.cleanup() returns void language sql as $$
    delete from steadfast.workflows where queue like 'lrace\_%';
    delete from steadfast.executors where id like 'lrace-%';
    delete from steadfast.queues where name like 'lrace\_%';
$$;
select pg_temp.cleanup();

begin;
select plan(15);

do $$ begin
    perform steadfast_test.remote_value('setup', $r$
        select count(*) from (values ('lrace_lim', '{"concurrency": 3}'), ('lrace_free', '{}'),
                                     ('lrace_many', '{"concurrency": 4}'), ('lrace_part', '{"partition_concurrency": 1}'),
                                     ('lrace_rate', '{"rate_limit": 5, "rate_period": 3600}')) q (name, options),
            steadfast.create_queue(q.name, q.options::jsonb)
        $r$);
    perform steadfast_test.remote_value('setup', $r$
        select count(*) from generate_series(1, 10) i, unnest(array['lim', 'free']) q,
            steadfast.start_workflow('lrace-' || q || '-' || i, 'job', '{}', jsonb_build_object('queue', 'lrace_' || q))
        $r$);
    perform steadfast_test.remote_value('setup', $r$
        select count(*) from generate_series(1, 30) i, unnest(array['many', 'rate', 'part']) q,
            steadfast.start_workflow('lrace-' || q || '-' || i, 'job', '{}',
                                     jsonb_build_object('queue', 'lrace_' || q, 'partition_key', 'p' || (i % 3)))
        $r$);
    for i in 1..6 loop
        perform steadfast_test.remote_value('s' || i, pg_catalog.format(
            $r$select steadfast.register_executor('lrace-%s', '{"queues": ["lrace_lim", "lrace_free", "lrace_many", "lrace_part", "lrace_rate"]}')$r$, i));
    end loop;
end $$;

-- 1. One claimer holds the queue; the next waits, then sees its claims.
select is(steadfast_test.remote('s1', 'begin'), 'BEGIN', 'session 1 opens a transaction');
select is(steadfast_test.remote_value('s1',
    $r$select count(*) from steadfast.claim_workflows('lrace-1', 2, '{"queues": ["lrace_lim"]}')$r$), '2',
    'session 1 claims 2 of the queue''s 3 and does not commit yet');
select throws_ok($$select 1 from steadfast.queues where name = 'lrace_lim' for no key update nowait$$, '55P03', null,
                 'it holds the queue''s row');
set local lock_timeout = '2s';
select lives_ok($$select steadfast.start_workflow('lrace-lim-new', 'job', '{}', '{"queue": "lrace_lim"}')$$,
                'starting a workflow in that queue meanwhile does not wait for the claim (FOR KEY SHARE of the queue row)');
reset lock_timeout;
select is(dblink_send_query('s2', $r$select count(*) from steadfast.claim_workflows('lrace-2', 10, '{"queues": ["lrace_lim"]}')$r$),
          1, 'session 2 claims up to 10');
select ok(steadfast_test.waits_for_lock('s2'), 'session 2 waits for session 1');
select is(steadfast_test.remote('s1', 'commit'), 'COMMIT', 'session 1 commits');
select results_eq($$select * from dblink_get_result('s2') as t(n bigint)$$, $$values (1::bigint)$$,
                  'session 2 then gets the one slot left, not 3');
do $$ begin perform * from dblink_get_result('s2') as t(n bigint); end $$;

-- 2. A queue without a global rule is claimed without locking its row.
do $$ begin
    perform steadfast_test.remote('s1', 'begin');
    perform steadfast_test.remote_value('s1', $r$select count(*) from steadfast.claim_workflows('lrace-1', 2, '{"queues": ["lrace_free"]}')$r$);
end $$;
select lives_ok($$select 1 from steadfast.queues where name = 'lrace_free' for no key update nowait$$,
                'while session 1 claims from a queue without limits, its row is free');
select is(steadfast_test.remote('s1', 'commit'), 'COMMIT', 'session 1 commits');

-- 3. Six sessions at once, three times over: never more than the limit.
create temp table fired (queue text, round int, session int, n bigint);
create function pg_temp.fire(p_queue text, p_round int, p_limit int) returns void language plpgsql as $$
begin
    for i in 1..6 loop
        perform dblink_send_query('s' || i, pg_catalog.format(
            $r$select count(*) from steadfast.claim_workflows('lrace-%s', %s, '{"queues": ["%s"]}')$r$, i, p_limit, p_queue));
    end loop;
    for i in 1..6 loop
        insert into fired select p_queue, p_round, i, t.n from dblink_get_result('s' || i) as t(n bigint);
        perform * from dblink_get_result('s' || i) as t(n bigint);
    end loop;
end;
$$;
do $$ begin
    for r in 1..3 loop
        perform pg_temp.fire('lrace_many', r, 3);
        -- Finish what runs, so the next round races for the slots again.
        perform steadfast_test.remote_value('setup', $r$
            select count(*) from steadfast.workflows w, steadfast.complete_workflow(w.id, w.attempt, '1')
            where w.queue = 'lrace_many' and w.status = 'running'$r$);
    end loop;
    perform pg_temp.fire('lrace_part', 1, 3);
    perform pg_temp.fire('lrace_rate', 1, 3);
end $$;
select results_eq($$select round, sum(n)::int from fired where queue = 'lrace_many' group by 1 order by 1$$,
                  $$values (1, 4), (2, 4), (3, 4)$$, 'concurrency 4: each round of six racing claims starts exactly 4');
select is((select sum(n)::int from fired where queue = 'lrace_part'), 3,
          'partition_concurrency 1 with three partitions: six racing claims start exactly 3');
select is_empty($$select partition_key from steadfast.workflows where queue = 'lrace_part' and status = 'running'
                  group by 1 having count(*) > 1$$, 'one per partition');
select is((select sum(n)::int from fired where queue = 'lrace_rate'), 5,
          'rate_limit 5 per hour: six racing claims of 3 start exactly 5');
select is((select count(*)::int from steadfast.workflows where id like 'lrace-%' and attempt > 1), 0,
          'no workflow was claimed twice');

select * from finish();
rollback;

select pg_temp.cleanup();
