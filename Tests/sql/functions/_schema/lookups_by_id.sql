-- The writes that find a workflow by id go by the primary key, whatever the statistics say
-- (sql/01_overview.sql, "Lookups by id"). Statistics gathered while no workflow was running
-- made an index on status look as cheap as the key, and a checkpoint then read every
-- running workflow's index entry (and every one left by those that had run before). Here
-- ANALYZE sees 20,000 finished workflows and none running; then 200 run. Every write made
-- by an execution — record_step, record_batch (steps, and a completion with its last step),
-- complete_workflow, fail_workflow (a retry and a failure), start_workflow_and_claim of an
-- existing id, cancel_workflow — reads no entry of an index on status, counted by this
-- transaction's statistics (pg_stat_get_xact_tuples_returned).
begin;
select plan(9);

select steadfast_test.queue('byid_q');
insert into steadfast.workflows (id, name, status, queue, created_at, available_at, started_at, completed_at, output, attempt)
select 'byid-done-' || i, 'job', 'succeeded', 'byid_q', now() - interval '1 day', now() - interval '1 day',
       now() - interval '1 day', now() - interval '1 day', '1', 1
from generate_series(1, 20000) i;
analyze steadfast.workflows;

select steadfast.register_executor('byid-e', '{"queues": ["byid_q"]}');
select steadfast.start_workflows(
    (select jsonb_agg(jsonb_build_object('workflow_id', 'byid-' || i, 'name', 'job', 'input', '{}'::jsonb)) from generate_series(1, 200) i),
    '{"queue": "byid_q", "retry": {"kind": "fixed", "max_attempts": 3, "base_delay": 1}}');
select is((select count(*)::int from steadfast.claim_workflows('byid-e', 200)), 200, '200 workflows running');
select steadfast.start_workflow('byid-later', 'job', '{}', '{"queue": "byid_q", "delay_seconds": 3600}');

-- status_index_reads() → index entries read so far in this transaction from the indexes
-- whose key or predicate is the status.
create function pg_temp.status_index_reads() returns bigint language sql volatile as $$
    select sum(pg_stat_get_xact_tuples_returned(i.indexrelid))::bigint
    from pg_index i
    where i.indrelid = 'steadfast.workflows'::regclass and i.indexrelid <> 'steadfast.workflows_pkey'::regclass
$$;
create temp table reads (what text, status_reads bigint);
create function pg_temp.reads(p_what text, p_sql text) returns void language plpgsql as $$
declare
    v_status bigint := pg_temp.status_index_reads();
begin
    execute p_sql;
    insert into reads values (p_what, pg_temp.status_index_reads() - v_status);
end;
$$;

select pg_temp.reads('record_step', $$select steadfast.record_step('byid-1', 1, 'a', '1')$$);
select pg_temp.reads('record_batch', $$select steadfast.record_batch(
    '[{"kind": "step", "workflow_id": "byid-2", "attempt": 1, "name": "a", "output": 1},
      {"kind": "step", "workflow_id": "byid-3", "attempt": 1, "name": "a", "output": 1},
      {"kind": "complete", "workflow_id": "byid-4", "attempt": 1, "output": 2, "step": {"name": "a", "output": 1}}]')$$);
select pg_temp.reads('complete_workflow', $$select steadfast.complete_workflow('byid-5', 1, '2')$$);
select pg_temp.reads('fail_workflow (retry)', $$select steadfast.fail_workflow('byid-6', 1, '{"message": "x"}')$$);
select pg_temp.reads('fail_workflow (final)', $$select steadfast.fail_workflow('byid-7', 1, '{"message": "x"}', '{"retryable": false}')$$);
select pg_temp.reads('start_workflow_and_claim (existing)',
                     $$select steadfast.start_workflow_and_claim('byid-e', 'byid-later', 'job', '{}', '{"queue": "byid_q"}')$$);
select pg_temp.reads('cancel_workflow', $$select steadfast.cancel_workflow('byid-8')$$);

select is((select count(*)::int from reads), 7, 'seven writes made');
select is(status_reads, 0::bigint, what || ' reads no entry of an index on status') from reads order by what;

select * from finish();
rollback;
