-- The invariants of `make chaos` (scripts/chaos.sh), read from the surviving server's database
-- after the drain. Writes chaos.results (one row per invariant: value, expected, ok) and
-- chaos.figures (numbers that are reported, not judged), prints both, and with -v json_out=FILE
-- writes them as JSON. The driver exits non-zero when a row of chaos.results is not ok.
--
-- Variables (psql -v):
--   expected_workflows   how many workflows the driver started (the waves and the frozen one)
--   kills, stops, outages   how many of each fault the driver was asked to inject
--   freeze_id            the id of the workflow whose transaction step was frozen
--   run                  optional: a JSON object of the driver's own figures (seed, durations)
--   json_out             optional: where to write the JSON report
--
-- Every chaos workflow's id begins with `chaos-`.
\set ON_ERROR_STOP on
set client_min_messages = warning;

drop table if exists chaos.results;
create table chaos.results (
    ord       serial,
    invariant text primary key,
    value     jsonb not null,
    expected  text not null,
    ok        boolean not null,
    detail    text
);
drop table if exists chaos.figures;
create table chaos.figures (
    ord    serial,
    figure text primary key,
    value  jsonb
);

-- The chaos workflows the driver started; their children (ck) are checked on their own.
create temp view cw as select * from steadfast.workflows where id like 'chaos-%' and parent_id is null;
create temp view ck as select * from steadfast.workflows where id like 'chaos-%' and parent_id is not null;

-- started: every workflow the driver started exists (a wave whose start never succeeded would
-- be missing here, and escape every other check).
insert into chaos.results (invariant, value, expected, ok)
select 'started', to_jsonb(count(*)), '= ' || :expected_workflows, count(*) = :expected_workflows from cw;

-- lost: started but not succeeded, whatever the reason; a few of them named.
insert into chaos.results (invariant, value, expected, ok, detail)
select 'lost (not succeeded)', to_jsonb(count(*) filter (where status <> 'succeeded')), '0',
       count(*) filter (where status <> 'succeeded') = 0,
       (select string_agg(id || ' ' || status, ', ' order by id)
        from (select id, status from cw where status <> 'succeeded' order by id limit 10) x)
from cw;

-- failed: the engine gave up on them (a workflow failed by an outage counts here).
insert into chaos.results (invariant, value, expected, ok, detail)
select 'failed', to_jsonb(count(*)), '0', count(*) = 0,
       (select string_agg(id || ': ' || left(coalesce(error ->> 'message', error::text), 160), ' | ' order by id)
        from (select id, error from cw where status in ('failed', 'dead') order by id limit 5) x)
from cw where status = 'failed';

-- dead: claimed more than max_recovery_attempts times.
insert into chaos.results (invariant, value, expected, ok)
select 'dead', to_jsonb(count(*)), '0', count(*) = 0 from cw where status = 'dead';

-- stuck: still enqueued, running or waiting after the drain (children included).
insert into chaos.results (invariant, value, expected, ok, detail)
select 'stuck', to_jsonb(count(*)), '0', count(*) = 0,
       (select string_agg(id || ' ' || status || ' attempt ' || attempt || coalesce(' on ' || executor_id, ''), ', ' order by id)
        from (select * from steadfast.workflows where id like 'chaos-%' and status in ('enqueued', 'running', 'waiting')
              order by id limit 10) x)
from steadfast.workflows where id like 'chaos-%' and status in ('enqueued', 'running', 'waiting');

-- children: every succeeded workflow started exactly its two children (never a second pair
-- on a replay), both succeeded with their one step, and recorded both outcomes in its wait.
insert into chaos.results (invariant, value, expected, ok, detail)
select 'children not as started', to_jsonb(count(*)), '0', count(*) = 0,
       (select string_agg(id, ', ') from (select id from cw where status = 'succeeded' and (
            (select array_agg(k.id || ':' || k.status order by k.id) from ck k where k.parent_id = cw.id)
                is distinct from array[cw.id || '/kids:succeeded', cw.id || '/kids#2:succeeded']
            or (select s.output from steadfast.steps s where s.workflow_id = cw.id and s.step_key = 'children')
                is distinct from jsonb_build_object('children', jsonb_build_array(
                    jsonb_build_object('workflow_id', cw.id || '/kids', 'status', 'succeeded', 'output', (cw.input ->> 'n')::int, 'error', null),
                    jsonb_build_object('workflow_id', cw.id || '/kids#2', 'status', 'succeeded', 'output', (cw.input ->> 'n')::int + 1, 'error', null))))
            order by id limit 10) x)
from cw
where status = 'succeeded' and (
    (select array_agg(k.id || ':' || k.status order by k.id) from ck k where k.parent_id = cw.id)
        is distinct from array[cw.id || '/kids:succeeded', cw.id || '/kids#2:succeeded']
    or (select s.output from steadfast.steps s where s.workflow_id = cw.id and s.step_key = 'children')
        is distinct from jsonb_build_object('children', jsonb_build_array(
            jsonb_build_object('workflow_id', cw.id || '/kids', 'status', 'succeeded', 'output', (cw.input ->> 'n')::int, 'error', null),
            jsonb_build_object('workflow_id', cw.id || '/kids#2', 'status', 'succeeded', 'output', (cw.input ->> 'n')::int + 1, 'error', null))));

-- messages: each workflow got exactly one "go" message (the driver's repeated sends stored
-- nothing), consumed exactly once, by its receive step, which recorded it.
insert into chaos.results (invariant, value, expected, ok, detail)
select 'message not received exactly once', to_jsonb(count(*)), '0', count(*) = 0,
       (select string_agg(id, ', ') from (select id from cw where status = 'succeeded' and (
            (select count(*) from steadfast.messages m where m.workflow_id = cw.id) <> 1
            or not exists (select from steadfast.messages m join steadfast.steps s
                               on s.workflow_id = m.workflow_id and s.step_key = m.consumed_step
                           where m.workflow_id = cw.id and m.consumed_step = 'receive'
                             and s.output -> 'message' = m.message and (s.output ->> 'message_id')::bigint = m.id))
            order by id limit 10) x)
from cw
where status = 'succeeded' and (
    (select count(*) from steadfast.messages m where m.workflow_id = cw.id) <> 1
    or not exists (select from steadfast.messages m join steadfast.steps s
                       on s.workflow_id = m.workflow_id and s.step_key = m.consumed_step
                   where m.workflow_id = cw.id and m.consumed_step = 'receive'
                     and s.output -> 'message' = m.message and (s.output ->> 'message_id')::bigint = m.id));

insert into chaos.results (invariant, value, expected, ok)
select 'child without its one step', to_jsonb(count(*)), '0', count(*) = 0
from ck
where status = 'succeeded'
  and (select array_agg(s.step_key) from steadfast.steps s where s.workflow_id = ck.id) is distinct from array['c1'];

-- double completions: a workflow that became succeeded more than once.
insert into chaos.results (invariant, value, expected, ok, detail)
select 'double completions', to_jsonb(count(*)), '0', count(*) = 0,
       string_agg(workflow_id || ' x' || n, ', ' order by workflow_id)
from (select workflow_id, count(*) as n from chaos.completions group by workflow_id having count(*) > 1) x;

-- every success left its completion row (the evidence the check above relies on).
insert into chaos.results (invariant, value, expected, ok)
select 'succeeded without completion row', to_jsonb(count(*)), '0', count(*) = 0
from cw where status = 'succeeded' and not exists (select 1 from chaos.completions c where c.workflow_id = cw.id);

-- stale completions: a completion must come from the running attempt that holds the workflow.
insert into chaos.results (invariant, value, expected, ok, detail)
select 'stale completions accepted', to_jsonb(count(*)), '0', count(*) = 0,
       string_agg(workflow_id || ' ' || old_status || ' ' || old_attempt || '->' || attempt, ', ')
from chaos.completions where old_status <> 'running' or old_attempt <> attempt;

-- stale step writes: a checkpoint must come from the running attempt that holds the workflow.
insert into chaos.results (invariant, value, expected, ok, detail)
select 'stale step writes accepted', to_jsonb(count(*)), '0', count(*) = 0,
       (select string_agg(workflow_id || '/' || step_key || ' step attempt ' || step_attempt
                          || ' workflow attempt ' || coalesce(workflow_attempt::text, '?')
                          || ' ' || coalesce(workflow_status, '?'), ', ')
        from (select * from chaos.step_writes
              where step_attempt is distinct from workflow_attempt or workflow_status is distinct from 'running'
              limit 10) x)
from chaos.step_writes
where step_attempt is distinct from workflow_attempt or workflow_status is distinct from 'running';

-- transaction step exactly once: never two committed runs of s3 …
insert into chaos.results (invariant, value, expected, ok, detail)
select 'tx step committed twice', to_jsonb(count(*)), '0', count(*) = 0,
       string_agg(workflow_id || ' x' || n, ', ' order by workflow_id)
from (select workflow_id, count(*) as n from chaos.tx_effects group by workflow_id having count(*) > 1) x;

-- … and one for every workflow that succeeded …
insert into chaos.results (invariant, value, expected, ok)
select 'tx step missing', to_jsonb(count(*)), '0', count(*) = 0
from cw where status = 'succeeded' and not exists (select 1 from chaos.tx_effects t where t.workflow_id = cw.id);

-- … committed together with its checkpoint: the s3 checkpoint and the tx row carry the same attempt.
insert into chaos.results (invariant, value, expected, ok)
select 'tx checkpoint without its tx row', to_jsonb(count(*)), '0', count(*) = 0
from steadfast.steps s
where s.workflow_id like 'chaos-%' and s.step_key = 's3'
  and not exists (select 1 from chaos.tx_effects t where t.workflow_id = s.workflow_id and t.attempt = s.attempt);

-- recorded steps re-executed: once a plain step's checkpoint landed (recorded by attempt A),
-- no later attempt may run its body again. Runs of attempts ≤ A are the recording run and
-- runs whose checkpoint never landed.
insert into chaos.results (invariant, value, expected, ok, detail)
select 'recorded steps re-executed', to_jsonb(count(*)), '0', count(*) = 0,
       (select string_agg(x.workflow_id || '/' || x.step || ' recorded by ' || x.recorded || ' run by ' || x.attempt, ', ')
        from (select e.workflow_id, e.step, s.attempt as recorded, e.attempt
              from chaos.effects e join steadfast.steps s on s.workflow_id = e.workflow_id and s.step_key = e.step
              where e.attempt > s.attempt limit 10) x)
from chaos.effects e join steadfast.steps s on s.workflow_id = e.workflow_id and s.step_key = e.step
where e.attempt > s.attempt;

-- durability of acknowledged writes: a plain step's body leaves its effect row (s1, s2: a
-- committed row; s4, s5: a line in a file) before the step is checkpointed, so each
-- checkpoint has an effect row of its own attempt — across restarts and the failover
-- (synchronous replication) as well.
insert into chaos.results (invariant, value, expected, ok)
select 'checkpoint without its effect row', to_jsonb(count(*)), '0', count(*) = 0
from steadfast.steps s
where s.workflow_id like 'chaos-%' and s.step_key in ('s1', 's2', 's4', 's5', 'c1')
  and not exists (select 1 from chaos.effects e
                  where e.workflow_id = s.workflow_id and e.step = s.step_key and e.attempt = s.attempt);

-- every succeeded workflow recorded its five steps, its children's starts and wait, its
-- receive and its sleep, no more.
insert into chaos.results (invariant, value, expected, ok)
select 'succeeded without its 5 steps, children, receive and sleep', to_jsonb(count(*)), '0', count(*) = 0
from cw
where status = 'succeeded'
  and (select array_agg(s.step_key order by s.step_key) from steadfast.steps s where s.workflow_id = cw.id)
      is distinct from array['children', 'kids', 'kids#2', 'receive', 's1', 's2', 's3', 's4', 's5', 'sleep'];

-- no workflow woke early: the step after its sleep started no sooner than the recorded wake
-- time (both clocks are this machine's; 50 ms of slack for the client's clock reading).
insert into chaos.results (invariant, value, expected, ok, detail)
select 'woke before its wake time', to_jsonb(count(*)), '0', count(*) = 0,
       (select string_agg(x.workflow_id, ', ') from (
            select z.workflow_id from steadfast.steps z join steadfast.steps t on t.workflow_id = z.workflow_id and t.step_key = 's3'
            where z.workflow_id like 'chaos-%' and z.step_key = 'sleep'
              and t.started_at < (z.output ->> 'until')::timestamptz - interval '50 milliseconds' limit 10) x)
from steadfast.steps z join steadfast.steps t on t.workflow_id = z.workflow_id and t.step_key = 's3'
where z.workflow_id like 'chaos-%' and z.step_key = 'sleep'
  and t.started_at < (z.output ->> 'until')::timestamptz - interval '50 milliseconds';

-- the frozen transaction step: other workflows kept completing while it was frozen …
insert into chaos.results (invariant, value, expected, ok, detail)
select 'completions during the freeze', to_jsonb(coalesce(n, 0)), '> 0', coalesce(n, 0) > 0,
       'window ' || coalesce(round(extract(epoch from f.ended_at - f.started_at)::numeric, 1)::text, '?') || ' s'
from (select 1) one
left join chaos.faults f on f.kind = 'freeze'
left join lateral (select count(*) as n from chaos.completions c
                   where c.at between f.started_at and f.ended_at and c.workflow_id <> :'freeze_id') c on true;

-- … and the frozen workflow finished exactly once, with one committed transaction step.
insert into chaos.results (invariant, value, expected, ok)
select 'frozen workflow finished once',
       to_jsonb(coalesce(w.status, 'missing') || ', ' || (select count(*) from chaos.completions c where c.workflow_id = :'freeze_id')
                || ' completion(s), ' || (select count(*) from chaos.tx_effects t where t.workflow_id = :'freeze_id') || ' tx row(s)'),
       'succeeded, 1 completion(s), 1 tx row(s)',
       coalesce(w.status = 'succeeded', false)
       and (select count(*) from chaos.completions c where c.workflow_id = :'freeze_id') = 1
       and (select count(*) from chaos.tx_effects t where t.workflow_id = :'freeze_id') = 1
from (select 1) one left join steadfast.workflows w on w.id = :'freeze_id';

-- the workers reached the promoted standby: workflows completed after the failover.
insert into chaos.results (invariant, value, expected, ok)
select 'completions after the failover', to_jsonb(count(c.*)), '> 0', count(c.*) > 0
from chaos.faults f join chaos.completions c on c.at > f.ended_at
where f.kind = 'failover';

-- the driver injected the faults it was asked for.
with k as (
    select count(*) filter (where kind = 'kill') as n_kill, count(*) filter (where kind = 'stop') as n_stop,
           count(*) filter (where kind = 'freeze') as n_freeze,
           count(*) filter (where kind = 'restart_fast') as n_restart_fast,
           count(*) filter (where kind = 'restart_immediate') as n_restart_immediate,
           count(*) filter (where kind = 'outage') as n_outage,
           count(*) filter (where kind = 'failover') as n_failover
    from chaos.faults
)
insert into chaos.results (invariant, value, expected, ok)
select 'faults injected',
       to_jsonb(format('kill %s, stop %s, freeze %s, restart_fast %s, restart_immediate %s, outage %s, failover %s',
                       n_kill, n_stop, n_freeze, n_restart_fast, n_restart_immediate, n_outage, n_failover)),
       format('kill ≥ %s, stop ≥ %s, freeze 1, restart_fast ≥ 1, restart_immediate ≥ 1, outage ≥ %s, failover 1',
              :kills, :stops, :outages),
       n_kill >= :kills and n_stop >= :stops and n_freeze = 1 and n_restart_fast >= 1 and n_restart_immediate >= 1
       and n_outage >= :outages and n_failover = 1
from k;

-- Figures: reported, not judged.
insert into chaos.figures (figure, value)
select 'workflows', to_jsonb(count(*)) from cw
union all select 'succeeded', to_jsonb(count(*)) from cw where status = 'succeeded'
union all select 'steps recorded', to_jsonb(count(*)) from steadfast.steps where workflow_id like 'chaos-%'
union all select 'step body runs (plain)', to_jsonb(count(*)) from chaos.effects
union all select 'plain step bodies run more than once', to_jsonb(count(*) - count(distinct (workflow_id, step))) from chaos.effects
union all select 'claims', to_jsonb(count(*)) from chaos.claims
union all select 'claims after a recovery (attempt > 1)', to_jsonb(count(*)) from chaos.claims where attempt > 1
union all select 'requeues', to_jsonb(count(*)) from chaos.requeues
union all select 'step writes logged', to_jsonb(count(*)) from chaos.step_writes
union all select 'executors registered', to_jsonb(count(*)) from steadfast.executors;

insert into chaos.figures (figure, value)
select 'faults ' || kind, to_jsonb(count(*)) from chaos.faults group by kind order by kind;

-- Takeover: from a worker fault (kill, stop, freeze) until another executor first claimed one
-- of the workflows the faulted executor held at that moment — a workflow whose latest claim
-- before the fault was the executor's, and that it had neither completed nor handed back by
-- then; "claimed by another" is the claim of the next attempt. A fault whose worker held
-- nothing (or had not registered yet) has no takeover.
create temp view takeover as
select f.id, f.kind,
       (select extract(epoch from min(c.at) - f.started_at)::numeric
        from chaos.claims p
        join chaos.claims c on c.workflow_id = p.workflow_id and c.attempt = p.attempt + 1
        where p.executor_id = f.executor_id and p.at < f.started_at and c.at >= f.started_at
          and c.executor_id is distinct from f.executor_id
          and not exists (select 1 from chaos.completions d
                          where d.workflow_id = p.workflow_id and d.attempt = p.attempt and d.at < f.started_at)
          and not exists (select 1 from chaos.requeues r
                          where r.workflow_id = p.workflow_id and r.attempt = p.attempt and r.at < f.started_at)) as seconds
from chaos.faults f
where f.kind in ('kill', 'stop', 'freeze') and f.executor_id is not null;

insert into chaos.figures (figure, value)
select 'takeover measured / worker faults',
       to_jsonb(format('%s / %s', (select count(*) from takeover where seconds is not null),
                       (select count(*) from chaos.faults where kind in ('kill', 'stop', 'freeze'))))
union all select 'takeover p50 s', to_jsonb(round(percentile_cont(0.5) within group (order by seconds)::numeric, 3)) from takeover
union all select 'takeover p99 s', to_jsonb(round(percentile_cont(0.99) within group (order by seconds)::numeric, 3)) from takeover
union all select 'takeover max s', to_jsonb(round(max(seconds), 3)) from takeover
union all select 'takeover kill p50 s', to_jsonb(round(percentile_cont(0.5) within group (order by seconds)::numeric, 3)) from takeover where kind = 'kill'
union all select 'takeover kill max s', to_jsonb(round(max(seconds), 3)) from takeover where kind = 'kill'
union all select 'takeover stop/freeze max s', to_jsonb(round(max(seconds), 3)) from takeover where kind in ('stop', 'freeze');

-- After each database fault: until the first completion once the server was back.
insert into chaos.figures (figure, value)
select 'first completion after ' || f.kind || ' #' || f.id || ' s',
       to_jsonb(round(extract(epoch from (select min(c.at) from chaos.completions c where c.at >= f.ended_at) - f.ended_at)::numeric, 3))
from chaos.faults f where f.kind in ('restart_fast', 'restart_immediate', 'outage', 'failover') order by f.id;

\if :{?run}
insert into chaos.figures (figure, value) select key, value::jsonb from json_each(:'run'::json);
\endif

\pset footer off
\pset pager off
\echo
\echo '== invariants'
select invariant, value #>> '{}' as value, expected, case when ok then 'ok' else 'FAIL' end as ok from chaos.results order by ord;
\echo '== figures'
select figure, value #>> '{}' as value from chaos.figures order by ord;
select count(*) > 0 as any_detail from chaos.results where not ok and detail is not null \gset
\if :any_detail
\echo '== details of failed invariants'
select invariant, detail from chaos.results where not ok and detail is not null order by ord;
\endif

\if :{?json_out}
\pset format unaligned
\pset tuples_only on
\o :json_out
select jsonb_pretty(jsonb_build_object(
    'ok', (select bool_and(ok) from chaos.results),
    'invariants', (select jsonb_agg(jsonb_build_object('invariant', invariant, 'value', value, 'expected', expected,
                                                       'ok', ok, 'detail', detail) order by ord) from chaos.results),
    'figures', (select jsonb_object_agg(figure, value) from chaos.figures),
    'faults', (select jsonb_agg(to_jsonb(f) order by f.id) from chaos.faults f)));
\o
\endif
