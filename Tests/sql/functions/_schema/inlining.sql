-- The argument checks' fast paths (sql/10_arguments.sql) are inlined by the planner: a call
-- that is not inlined runs the SQL function the slow way, parsed and planned on every call
-- (about 25 µs here, against nothing when inlined). Checked on generic plans, where the
-- arguments are parameters, as in the engine's PL/pgSQL.
begin;
select plan(10);

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

create temporary table probe (options jsonb, value text, payload jsonb, at timestamptz);

select unalike(pg_temp.plan_of($$select steadfast._options(options, array['a'], 'f') from probe$$),
               '%steadfast._options(%', '_options is inlined');
select unalike(pg_temp.plan_of($$select steadfast._opt_text(options, 'a') from probe$$),
               '%steadfast._opt_text(%', '_opt_text is inlined');
select unalike(pg_temp.plan_of($$select steadfast._opt_int(options, 'a', 1) from probe$$),
               '%steadfast._opt_int(%', '_opt_int is inlined');
select unalike(pg_temp.plan_of($$select steadfast._opt_number(options, 'a') from probe$$),
               '%steadfast._opt_number(%', '_opt_number is inlined');
select unalike(pg_temp.plan_of($$select steadfast._opt_bool(options, 'a', false) from probe$$),
               '%steadfast._opt_bool(%', '_opt_bool is inlined');
select unalike(pg_temp.plan_of($$select steadfast._opt_timestamptz(options, 'a') from probe$$),
               '%steadfast._opt_timestamptz(%', '_opt_timestamptz is inlined');
select unalike(pg_temp.plan_of($$select steadfast._require_text(value, 'what', 'f') from probe$$),
               '%steadfast._require_text(%', '_require_text is inlined');
select unalike(pg_temp.plan_of($$select steadfast._require_text(steadfast._opt_text(options, 'a'), 'a', 'f') from probe$$),
               '%steadfast._require_text(%', '_require_text is inlined around an inlined _opt_text');
select unalike(pg_temp.plan_of($$select steadfast._check_payload(payload, 'what') from probe$$),
               '%steadfast._check_payload(%', '_check_payload is inlined');
select unalike(pg_temp.plan_of($$select steadfast._check_timestamp(at, 'what', 'f') from probe$$),
               '%steadfast._check_timestamp(%', '_check_timestamp is inlined');

select * from finish();
rollback;
