-- The grant helpers: every function a set names exists; unknown roles are SF001, a missing
-- name SF005; a role's recorded sets are granted again whenever sql/90_grants.sql is applied
-- (after every migration), so a function re-created by a migration gets its grants back.
begin;
select plan(11);

select 'sf_test_grants_' || pg_backend_pid() as r \gset
create role :"r" nologin;

select is_empty($$select function_signature from steadfast.grant_sets() where to_regprocedure(function_signature) is null$$,
                'every function a set names exists');
select is_empty($$select function_signature from steadfast.grant_sets() where function_signature like 'steadfast.\_%'$$,
                'no set contains a private helper');
select * from steadfast_test.rejects($$select steadfast.grant_client('sf_no_such_role')$$, 'SF001', 'an unknown role');
select * from steadfast_test.rejects($$select steadfast.grant_viewer(null)$$, 'SF005', 'a null role');
select * from steadfast_test.rejects($$select steadfast.revoke_grants('sf_no_such_role')$$, 'SF001', 'revoking from an unknown role');

select steadfast.grant_viewer(:'r');
select results_eq(format('select role_name, role_set from steadfast.role_grants where role_name = %L', :'r'),
                  format('values (%L, %L)', :'r', 'viewer'), 'the role''s set is recorded');
-- As a migration that re-creates a function would leave it:
select format('revoke execute on function steadfast.list_steps(text) from %I', :'r') as revoke_sql \gset
:revoke_sql;
select ok(not has_function_privilege(:'r', 'steadfast.list_steps(text)', 'execute'), 'fixture: a grant was lost');
-- What sql/90_grants.sql ends with, run by every migrate after a migration:
select count(*) from steadfast.role_grants g cross join lateral steadfast._apply_role_grants(g.role_name, g.role_set) f;
select ok(has_function_privilege(:'r', 'steadfast.list_steps(text)', 'execute'), 're-applying the recorded sets grants it again');

select * from finish();
rollback;
