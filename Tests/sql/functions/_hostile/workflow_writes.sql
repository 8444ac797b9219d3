-- A worker role cannot write to the workflows another role's executor holds. The fencing token
-- (attempt) is no secret — any viewer reads it with get_workflow — so record_step,
-- complete_workflow, fail_workflow and record_batch also require the caller's login role to be
-- the role that registered the executor holding the workflow (SF008 otherwise), and change
-- nothing. Workers of the same role may (a worker's pool writes what its executor claimed).
-- Login roles and committed fixtures (prefix hww) are created first and removed at the end.
set client_min_messages = warning;

select 'hww_w1_' || current_database() as w1, 'hww_w2_' || current_database() as w2 \gset
select steadfast_test.cleanup('hww');
select steadfast_test.fresh_role(:'w1', 'worker');
select steadfast_test.fresh_role(:'w2', 'worker');
select steadfast_test.remote('hww_owner', $$
    insert into steadfast.queues (name) values ('hww_q') on conflict do nothing;
    do $b$ begin
        perform steadfast.start_workflow('hww-1', 'job', '{}', '{"queue": "hww_q"}');
        perform steadfast.start_workflow('hww-2', 'job', '{}', '{"queue": "hww_q"}');
    end $b$;
$$);
select steadfast_test.connect_as('hww_a', :'w1');
select steadfast_test.connect_as('hww_a_pool', :'w1');
select steadfast_test.connect_as('hww_b', :'w2');
-- sqlstate_of in W2's session (it may not use steadfast_test): the SQLSTATE a statement raises.
select steadfast_test.remote('hww_b', $r$
    create function pg_temp.sqlstate_of(p_sql text) returns text language plpgsql as $f$
    begin
        execute p_sql;
        return null;
    exception when others then
        return sqlstate;
    end $f$;
$r$);
select steadfast_test.remote_value('hww_a', $$select executor_id from steadfast.register_executor('hww-e1', '{"queues": ["hww_q"]}')$$);
select steadfast_test.remote_value('hww_a', $$select count(*) from steadfast.claim_workflows('hww-e1', 2)$$);

begin;
select plan(7);

create temp table snap as select steadfast_test.snapshot() as s;
select is(steadfast_test.remote_value('hww_b',
          $$select pg_temp.sqlstate_of('select steadfast.record_step(''hww-1'', 1, ''s'', ''1'')')$$),
          'SF008', 'another worker role cannot record a step of a workflow W1''s executor holds');
select is(steadfast_test.remote_value('hww_b',
          $$select pg_temp.sqlstate_of('select steadfast.complete_workflow(''hww-1'', 1, ''"stolen"'')')$$),
          'SF008', 'nor complete it');
select is(steadfast_test.remote_value('hww_b',
          $$select pg_temp.sqlstate_of('select steadfast.fail_workflow(''hww-1'', 1, ''{"type": "x"}'')')$$),
          'SF008', 'nor fail it');
select is(steadfast_test.remote_value('hww_b',
          $$select string_agg(coalesce(error_code, 'ok'), ',' order by ordinal) from steadfast.record_batch(
              '[{"kind": "step", "workflow_id": "hww-1", "attempt": 1, "name": "s", "output": 1},
                {"kind": "complete", "workflow_id": "hww-2", "attempt": 1, "output": 2}]')$$),
          'SF008,SF008', 'nor write to them in a batch: each write is refused');
select is(steadfast_test.snapshot(), (select s from snap), 'nothing changed');

-- The same role, from another session (a worker's pool): allowed.
select is(steadfast_test.remote_value('hww_a_pool', $$select recorded::text from steadfast.record_step('hww-1', 1, 's', '1')$$),
          'true', 'a session of the executor''s own role records the step');
select is(steadfast_test.remote_value('hww_a_pool', $$select (steadfast.complete_workflow('hww-1', 1, '"done"') is not null)::text$$),
          'true', 'and completes the workflow');

select * from finish();
rollback;

select steadfast_test.cleanup('hww', :'w1', :'w2');
