-- A tick with nothing due is one probe of the partial index schedules_due: with 10,000
-- schedules due later (and 1,000 paused), the tick's query for due schedules and its query
-- for the next due time use the index and never scan the table. Rows live in this
-- transaction only; ANALYZE runs inside it so the planner sees them.
begin;
select plan(5);

select steadfast_test.set_now('2026-06-01 10:00Z');
insert into steadfast.schedules (name, cron, workflow_name, next_fire_at, enabled)
select 'ex-' || i, '0 0 * * *', 'job', '2026-06-02 00:00Z'::timestamptz + i * interval '1 second', i > 1000
from generate_series(1, 11000) i;
analyze steadfast.schedules;

create function pg_temp.plan_of(p_sql text) returns text language plpgsql as $$
declare
    v_line text;
    v_plan text := '';
begin
    for v_line in execute 'explain ' || p_sql loop
        v_plan := v_plan || v_line || E'\n';
    end loop;
    return v_plan;
end;
$$;

-- The statements of tick_schedules, as written there, with now() for its v_now.
create temp table plans as select
    pg_temp.plan_of($q$select * from steadfast.schedules x where x.enabled and x.next_fire_at <= steadfast.now()
                       order by x.next_fire_at, x.name limit 100 for update skip locked$q$) as due,
    pg_temp.plan_of($q$select pg_catalog.min(x.next_fire_at) from steadfast.schedules x where x.enabled$q$) as next;

select matches((select due from plans), 'Index Scan using schedules_due', 'due schedules: an index scan of schedules_due');
select doesnt_match((select due from plans), 'Seq Scan', 'no sequential scan (a sort, if any, is of the due rows only)');
select matches((select next from plans), 'schedules_due', 'the next due time: read off schedules_due');
select doesnt_match((select next from plans), 'Seq Scan', 'no sequential scan');
select results_eq($$select started, more, next_due_at from steadfast.tick_schedules()$$,
                  $$values (0, false, '2026-06-02 00:16:41Z'::timestamptz)$$, 'and the tick fires nothing, and knows when to come back');

select * from finish();
rollback;
