-- Metrics from SQL: what a monitoring agent scrapes (a postgres_exporter custom query, a
-- Datadog or Zabbix check), one row per (metric, queue, label). It reads only unfinished
-- workflows and the executors, so it stays cheap however many finished workflows are kept;
-- totals of finished workflows are counters the application's metrics keep, not a query.

-- metrics() → (metric, queue, label, value), the current values of:
--   steadfast_workflows            unfinished workflows, by queue; label: status (enqueued,
--                                  running, waiting)
--   steadfast_workflows_ready      enqueued workflows claimable now (available_at has come), by queue
--   steadfast_oldest_ready_seconds how long the oldest claimable workflow of the queue has been
--                                  claimable: a backlog's age (schedule-to-start so far)
--   steadfast_waiting              waiting workflows, by queue; label: what they wait for (sleep,
--                                  children, message, event)
--   steadfast_executors            executors not stopped; label: alive, lease expired, session lost
--                                  (the last two: dead, not yet noticed by a claim)
--   steadfast_stranded_workflows   unfinished workflows no live executor can run (see the view
--                                  stranded_workflows for which and why)
-- A series with nothing to count has no row. Read-only; raises nothing.
create or replace function steadfast.metrics()
returns table (metric text, queue text, label text, value double precision)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    select 'steadfast_workflows', w.queue, w.status, pg_catalog.count(*)::double precision
    from steadfast.workflows w where w.status in ('enqueued', 'running', 'waiting')
    group by w.queue, w.status
    union all
    select 'steadfast_workflows_ready', w.queue, null, pg_catalog.count(*)::double precision
    from steadfast.workflows w where w.status = 'enqueued' and w.available_at <= steadfast.now()
    group by w.queue
    union all
    select 'steadfast_oldest_ready_seconds', w.queue, null,
           pg_catalog.date_part('epoch', steadfast.now() - pg_catalog.min(w.available_at))
    from steadfast.workflows w where w.status = 'enqueued' and w.available_at <= steadfast.now()
    group by w.queue
    union all
    select 'steadfast_waiting', w.queue, w.wait ->> 'kind', pg_catalog.count(*)::double precision
    from steadfast.workflows w where w.status = 'waiting'
    group by w.queue, w.wait ->> 'kind'
    union all
    select 'steadfast_executors', null, e.state, pg_catalog.count(*)::double precision
    from steadfast.executor_overview e where e.state <> 'stopped'
    group by e.state
    union all
    select 'steadfast_stranded_workflows', null, null, pg_catalog.count(*)::double precision
    from steadfast.stranded_workflows
    order by 1, 2, 3
$fn$;
comment on function steadfast.metrics() is
    'Current values for monitoring: unfinished workflows by queue and status, claimable backlog and its age, waiting by kind, executors by state, stranded workflows — one row per (metric, queue, label).';
