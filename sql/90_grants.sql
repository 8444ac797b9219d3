-- Grants. Nothing in the schema is granted to PUBLIC: the installing role owns everything and
-- application roles receive functions, never tables, views or sequences. The public functions
-- are `security definer` (they run with the owner's rights and pin search_path), so a role
-- granted a function never needs a grant on a table.
--
-- Three sets of functions, given to a role (plus USAGE on the schema) by one call:
--
--   select steadfast.grant_viewer('dashboard');   -- read-only: list and inspect workflows, steps, queues, schedules, executors
--   select steadfast.grant_client('web_app');     -- start (one or a batch), read results, cancel, resume, fork
--   select steadfast.grant_worker('worker_app');  -- the client set, plus executors, claim, checkpoints, schedule ticks
--
-- `steadfast.grant_sets()` lists them. The owner keeps what no set has: migrations, grants,
-- queue settings (create/define/alter/delete), pausing, resuming and deleting schedules, prune,
-- recovery, the test clock, the limits (set_settings), every table and view. A role's sets are
-- recorded (steadfast.role_grants) and granted again whenever this file is applied — after
-- every migration and whenever it changes, as it does when a set gains a function — so what an
-- upgrade adds to a set reaches the roles that have it, and a function a migration re-created
-- gets its grants back. Grants are only ever added that way; revoke_grants(role) takes a
-- role's sets away.

revoke all on all tables in schema steadfast from public;
revoke all on all sequences in schema steadfast from public;
revoke all on all functions in schema steadfast from public;

-- grant_sets() → (role_set, function_signature): the functions each set grants. A set
-- includes the sets before it: viewer ⊂ client ⊂ worker, except that list_executors is for
-- viewers (and workers) only. Never raises.
create or replace function steadfast.grant_sets()
returns table (role_set text, function_signature text)
language sql
immutable
security definer
set search_path = pg_catalog, pg_temp
as $fn$
    with viewer (f) as (values
        ('steadfast.schema_version()'), ('steadfast.error_codes()'), ('steadfast.breaking_migrations_after(integer)'),
        ('steadfast.get_workflow(text)'), ('steadfast.list_workflows(jsonb)'), ('steadfast.list_steps(text)'),
        ('steadfast.list_queues()'), ('steadfast.list_schedules(jsonb)'), ('steadfast.get_settings()'),
        ('steadfast.next_fire_times(text,timestamp with time zone,integer,text)'),
        ('steadfast.get_event(text,text)'), ('steadfast.list_events(text)'),
        ('steadfast.read_stream(text,text,integer,integer)'), ('steadfast.metrics()'),
        ('steadfast.list_stranded(jsonb)'),
        -- where a workflow lives in a sharded cluster (sql/25_shards.sql)
        ('steadfast.shard_key(text)'), ('steadfast.shard_hash(text)'), ('steadfast.shard_of(text,integer)'),
        ('steadfast.shard_identity()'), ('steadfast.schedules_here(text[])'), ('steadfast.holds(text)')),
    client (f) as (values
        ('steadfast.start_workflow(text,text,jsonb,jsonb)'), ('steadfast.start_workflows(jsonb,jsonb)'),
        ('steadfast.validate_workflows(jsonb,jsonb)'),
        ('steadfast.cancel_workflow(text,jsonb)'), ('steadfast.resume_workflow(text,jsonb)'),
        ('steadfast.fork_workflow(text,integer,jsonb)'),
        -- a client talks to running workflows
        ('steadfast.send_message(text,jsonb,jsonb)')),
    worker (f) as (values
        ('steadfast.register_executor(text,jsonb)'), ('steadfast.heartbeat_executor(text)'),
        ('steadfast.deregister_executor(text)'), ('steadfast.release_workflows(text,text[])'),
        ('steadfast.claim_workflows(text,integer,jsonb)'),
        ('steadfast.start_workflow_and_claim(text,text,text,jsonb,jsonb)'),
        ('steadfast.record_step(text,integer,text,jsonb,jsonb)'), ('steadfast.record_batch(jsonb)'),
        ('steadfast.complete_workflow(text,integer,jsonb)'), ('steadfast.fail_workflow(text,integer,jsonb,jsonb)'),
        ('steadfast.sleep_workflow(text,integer,text,jsonb)'),
        ('steadfast.start_child_workflow(text,integer,text,text,jsonb,jsonb)'),
        ('steadfast.start_child_workflows(text,integer,text,jsonb,jsonb)'),
        ('steadfast.await_children(text,integer,text,text[],jsonb)'),
        ('steadfast.receive_message(text,integer,text,jsonb)'),
        ('steadfast.set_event(text,integer,text,text,jsonb,jsonb)'),
        ('steadfast.await_event(text,integer,text,text,text,jsonb)'),
        ('steadfast.write_stream(text,integer,text,text,jsonb,jsonb)'),
        -- a worker fires schedules, and upserts the ones its code declares
        ('steadfast.tick_schedules(jsonb)'), ('steadfast.create_schedule(text,text,text,jsonb)'),
        ('steadfast.alter_schedule(text,jsonb)'), ('steadfast.define_schedule(text,text,text,jsonb)'))
    select 'viewer', f from viewer
    union all select 'viewer', 'steadfast.list_executors(jsonb)'
    union all select 'client', f from viewer
    union all select 'client', f from client
    union all select 'worker', f from viewer
    union all select 'worker', f from client
    union all select 'worker', 'steadfast.list_executors(jsonb)'
    union all select 'worker', f from worker
$fn$;
comment on function steadfast.grant_sets() is
    'The functions granted by grant_viewer, grant_client and grant_worker, one row per (set, function).';

-- _apply_role_grants(role, set) → the signatures granted: USAGE on the schema and EXECUTE on
-- each function of the set that exists (a signature that does not is skipped; a pgTAP test
-- keeps the list honest). Adds grants, never removes any. Idempotent.
create or replace function steadfast._apply_role_grants(p_role text, p_set text)
returns setof text
language plpgsql
as $fn$
-- plpgsql_check (scripts/plpgsql-check.sh) cannot tell the volatility of dynamic SQL and
-- suggests stable: GRANT changes the catalog, so volatile it is.
-- @plpgsql_check_options: performance_warnings = false
declare
    v_function text;
    v_procedure regprocedure;
begin
    execute pg_catalog.format('grant usage on schema steadfast to %I', p_role);
    -- The function as a regprocedure: PostgreSQL prints it qualified and quoted where it must be.
    for v_function, v_procedure in
        select g.function_signature, pg_catalog.to_regprocedure(g.function_signature) from steadfast.grant_sets() g
        where g.role_set = p_set and pg_catalog.to_regprocedure(g.function_signature) is not null
        order by 1
    loop
        execute pg_catalog.format('grant execute on function %s to %I', v_procedure, p_role);
        return next v_function;
    end loop;
end;
$fn$;

-- _grant_set(role, set, function) → the signatures granted. Records the role's set and grants
-- it. Raises SF005 (no role name), SF001 (no such role; PUBLIC is not a role here).
create or replace function steadfast._grant_set(p_role text, p_set text, p_function text)
returns setof text
language plpgsql
as $fn$
begin
    perform steadfast._require_text(p_role, 'role', p_function);
    if not exists (select 1 from pg_catalog.pg_roles r where r.rolname = p_role) then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('%s: unknown role %s', p_function, pg_catalog.quote_ident(p_role)),
            hint = 'Create the role first (CREATE ROLE … LOGIN), then grant it a set.';
    end if;
    insert into steadfast.role_grants (role_name, role_set) values (p_role, p_set) on conflict do nothing;
    return query select steadfast._apply_role_grants(p_role, p_set);
end;
$fn$;

-- grant_viewer(role) → the function signatures granted: the read-only set (list and inspect
-- workflows, steps and executors). Every function in it is read-only (none is volatile).
-- Idempotent. Raises SF001 (unknown role), SF005.
create or replace function steadfast.grant_viewer(p_role text)
returns setof text
language sql
security definer
set search_path = pg_catalog, pg_temp
as $fn$ select steadfast._grant_set(p_role, 'viewer', 'grant_viewer') $fn$;
comment on function steadfast.grant_viewer(text) is
    'Grants a role USAGE on schema steadfast and EXECUTE on the read-only viewer set (see grant_sets()); returns the functions granted.';

-- grant_client(role) → the function signatures granted: the viewer's reads (but executors),
-- plus start, cancel, resume and fork. For services that start workflows and read results.
-- Idempotent. Raises SF001 (unknown role), SF005.
create or replace function steadfast.grant_client(p_role text)
returns setof text
language sql
security definer
set search_path = pg_catalog, pg_temp
as $fn$ select steadfast._grant_set(p_role, 'client', 'grant_client') $fn$;
comment on function steadfast.grant_client(text) is
    'Grants a role USAGE on schema steadfast and EXECUTE on the client set: start, read, list, cancel, resume, fork (see grant_sets()); returns the functions granted.';

-- grant_worker(role) → the function signatures granted: the client and viewer sets plus what a
-- worker process calls (register/heartbeat/deregister executors, claim, record steps,
-- complete, fail, release). Idempotent. Raises SF001 (unknown role), SF005.
create or replace function steadfast.grant_worker(p_role text)
returns setof text
language sql
security definer
set search_path = pg_catalog, pg_temp
as $fn$ select steadfast._grant_set(p_role, 'worker', 'grant_worker') $fn$;
comment on function steadfast.grant_worker(text) is
    'Grants a role USAGE on schema steadfast and EXECUTE on the worker set: the client set plus executors, claim, checkpoints, complete, fail (see grant_sets()); returns the functions granted.';

-- revoke_grants(role) → the number of sets the role had: revokes EXECUTE on every function of
-- the schema and USAGE on it from the role, and forgets its sets. Idempotent (0 the second
-- time). Raises SF001 (unknown role), SF005.
create or replace function steadfast.revoke_grants(p_role text)
returns integer
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    v_count integer;
begin
    perform steadfast._require_text(p_role, 'role', 'revoke_grants');
    if not exists (select 1 from pg_catalog.pg_roles r where r.rolname = p_role) then
        raise exception using errcode = 'SF001',
            message = pg_catalog.format('revoke_grants: unknown role %s', pg_catalog.quote_ident(p_role));
    end if;
    delete from steadfast.role_grants g where g.role_name = p_role;
    get diagnostics v_count = row_count;
    execute pg_catalog.format('revoke all on all functions in schema steadfast from %I', p_role);
    execute pg_catalog.format('revoke usage on schema steadfast from %I', p_role);
    return v_count;
end;
$fn$;
comment on function steadfast.revoke_grants(text) is
    'Revokes every steadfast function and the schema''s USAGE from a role and forgets its sets; returns how many sets it had.';

-- Each recorded role that still exists gets its sets as they are now.
select pg_catalog.count(*)
from steadfast.role_grants g
     cross join lateral steadfast._apply_role_grants(g.role_name, g.role_set) f
where exists (select 1 from pg_catalog.pg_roles r where r.rolname = g.role_name);
