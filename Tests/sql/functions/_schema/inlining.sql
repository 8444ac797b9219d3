-- The plain-argument checks' fast paths (sql/10_arguments.sql) are inlined by the planner: a call
-- that is not inlined runs the SQL function the slow way, parsed and planned on every call
-- (about 25 µs here, against nothing when inlined). Checked on generic plans, where the
-- arguments are parameters, as in the engine's PL/pgSQL. (Options objects are parsed by one
-- call each, _parse_options, since migration 0010.)
begin;
select plan(5);

set local plan_cache_mode = force_generic_plan;

create function pg_temp.plan_of(p_sql text) returns text language plpgsql as $$
declare
    v_line text;
    v_plan text := '';
begin
    execute 'prepare inlining_probe as ' || p_sql;
    for v_line in execute 'explain (verbose, costs off) execute inlining_probe' loop
        v_plan := v_plan || v_line || E'\n';
    end loop;
    deallocate inlining_probe;
    return v_plan;
end;
$$;

create temporary table probe (options jsonb, value text, payload jsonb, at timestamptz, template steadfast.workflows);

select unalike(pg_temp.plan_of($$select steadfast._require_text(value, 'what', 'f') from probe$$),
               '%steadfast._require_text(%', '_require_text is inlined');
select unalike(pg_temp.plan_of($$select steadfast._check_payload(payload, 'what') from probe$$),
               '%steadfast._check_payload(%', '_check_payload is inlined');
select unalike(pg_temp.plan_of($$select steadfast._check_timestamp(at, 'what', 'f') from probe$$),
               '%steadfast._check_timestamp(%', '_check_timestamp is inlined');
select unalike(pg_temp.plan_of($$select steadfast._instant(payload, 'key', 'f') from probe$$),
               '%steadfast._instant(%', '_instant is inlined');
select unalike(pg_temp.plan_of($$select steadfast._workflow_row(template, value, value, payload, 'f', false) from probe$$),
               '%steadfast._workflow_row(%', '_workflow_row is inlined (one row costs no function call)');

select * from finish();
rollback;
