-- The claim's queries read only active workflows: with 100,000 finished and 10,000 enqueued
-- workflows in a queue (and a partitioned queue with 10,000 more across 200 partitions), the
-- plans of the claim's candidate queries (_claimable, _claimable_partitioned), of its running
-- count and of queue_stats use the partial indexes and never scan the table sequentially.
-- The very text of each function is prepared and explained, with the plan PostgreSQL picks
-- for a first call (custom) and the one it may cache (generic). Rows live in this transaction
-- only; ANALYZE runs inside it so the planner sees them.
begin;
select plan(14);

select steadfast_test.queue('explain_q');
select steadfast_test.queue('explain_part');
insert into steadfast.workflows (id, name, status, queue, partition_key, created_at, available_at, started_at, completed_at,
                                 output, attempt)
select 'explain-done-' || i, 'job', case when i % 10 = 0 then 'failed' else 'succeeded' end,
       case when i % 4 = 0 then 'explain_part' else 'explain_q' end, 'p' || (i % 200),
       now() - interval '30 days' + i * interval '10 seconds', now() - interval '30 days' + i * interval '10 seconds',
       now() - interval '30 days' + i * interval '10 seconds', now() - interval '30 days' + i * interval '11 seconds',
       '{"ok": true}', 1
from generate_series(1, 100000) i;
insert into steadfast.workflows (id, name, status, queue, partition_key, priority, created_at, available_at)
select 'explain-q-' || i, 'job', 'enqueued', 'explain_q', null, i % 3, now() - interval '1 hour', now() - interval '1 hour' + i * interval '1 ms'
from generate_series(1, 10000) i;
insert into steadfast.workflows (id, name, status, queue, partition_key, priority, created_at, available_at)
select 'explain-p-' || i, 'job', 'enqueued', 'explain_part', 'p' || (i % 200), 0, now() - interval '1 hour',
       now() - interval '1 hour' + i * interval '1 ms'
from generate_series(1, 10000) i;
insert into steadfast.workflows (id, name, status, queue, partition_key, executor_id, attempt, created_at, started_at)
select 'explain-r-' || i, 'job', 'running', case when i % 2 = 0 then 'explain_q' else 'explain_part' end, 'p' || i,
       'explain-e', 1, now(), now()
from generate_series(1, 20) i;
analyze steadfast.workflows;
select is((select count(*)::int from steadfast.workflows where queue in ('explain_q', 'explain_part') and status in ('succeeded', 'failed')),
          100000, '100,000 finished workflows');
select is((select count(*)::int from steadfast.workflows where queue = 'explain_q' and status = 'enqueued'),
          10000, '10,000 enqueued in the queue claimed from');

-- plan_of(function, arguments, plan_cache_mode) → the EXPLAIN text of the function's body
-- (the query of a PL/pgSQL `return query …;` or `return (…);`), prepared as a statement with
-- the function's parameter types and executed with arguments.
create function pg_temp.plan_of(p_function regproc, p_arguments text, p_mode text) returns text language plpgsql as $$
declare
    v_line text;
    v_plan text := '';
begin
    execute format('set local plan_cache_mode = %s', p_mode);
    execute format('prepare explained (%s) as %s',
                   (select oidvectortypes(p.proargtypes) from pg_proc p where p.oid = p_function),
                   (select coalesce((regexp_match(p.prosrc, 'return query\s+(.*);\s*end;\s*$'))[1],
                                    (regexp_match(p.prosrc, 'return \((.*)\);\s*end;\s*$'))[1],
                                    p.prosrc)
                    from pg_proc p where p.oid = p_function));
    for v_line in execute format('explain execute explained (%s)', p_arguments) loop
        v_plan := v_plan || v_line || E'\n';
    end loop;
    deallocate explained;
    reset plan_cache_mode;
    return v_plan;
end;
$$;

create temp table plans (what text, mode text, plan text);
insert into plans
select f.what, m.mode, pg_temp.plan_of(f.fn, f.args, m.mode)
from (values
        ('claimable', 'steadfast._claimable'::regproc, $a$'explain_q', null, null, now(), 10$a$),
        ('claimable, names and version', 'steadfast._claimable'::regproc, $a$'explain_q', 'v1', array['job'], now(), 10$a$),
        ('claimable_partitioned', 'steadfast._claimable_partitioned'::regproc, $a$'explain_part', null, null, now(), 10, 1$a$),
        ('running_count', 'steadfast._running_count'::regproc, $a$'explain_q'$a$)) f (what, fn, args),
     (values ('force_custom_plan'), ('force_generic_plan')) m (mode);

select is_empty($$select what, mode from plans where plan ~ 'Seq Scan on workflows'$$,
                'no plan scans workflows sequentially');
select ok(plan ~ 'Index Scan using workflows_claimable on workflows', 'claimable (' || mode || '): walks workflows_claimable')
from plans where what = 'claimable' order by mode;
select ok(plan ~ 'Index Scan using workflows_claimable on workflows', 'claimable with names and version (' || mode || '): the same index')
from plans where what = 'claimable, names and version' order by mode;
select ok(plan ~ 'workflows_claimable_by_partition' and plan !~ 'workflows_claimable on', 'claimable_partitioned (' || mode || '): the partition index')
from plans where what = 'claimable_partitioned' order by mode;
select ok(plan ~ 'workflows_running_by_(queue|executor)', 'running_count (' || mode || '): an index of running workflows')
from plans where what = 'running_count' order by mode;

-- The whole claim, as a worker calls it, on this data.
select steadfast.register_executor('explain-e2', '{"queues": ["explain_q", "explain_part"]}');
select steadfast.alter_queue('explain_q', '{"concurrency": 100}');
select steadfast.alter_queue('explain_part', '{"partition_concurrency": 1, "concurrency": 100}');
create temp table timed as select clock_timestamp() as t0;
select is((select count(*)::int from steadfast.claim_workflows('explain-e2', 50, '{"queues": ["explain_q"]}')), 50,
          'a claim of 50 from the limited queue');
select is((select count(distinct partition_key)::int from steadfast.claim_workflows('explain-e2', 50, '{"queues": ["explain_part"]}')
           join steadfast.workflows w on w.id = workflow_id), 50, 'a claim of 50 from the partitioned queue: 50 partitions');
select diag('two claims of 50 took ' || round(extract(epoch from clock_timestamp() - (select t0 from timed)) * 1000) || ' ms');

create temp table stats_plan (line text);
do $$
declare v_line text;
begin
    for v_line in execute $q$explain select * from steadfast.queue_stats where queue = 'explain_q'$q$ loop
        insert into stats_plan values (v_line);
    end loop;
end $$;
select is_empty($$select line from stats_plan where line ~ 'Seq Scan on workflows'$$, 'queue_stats reads no history either');

select * from finish();
rollback;
