-- error_codes(): SF001…SF009, each exactly once, with a stable name and a meaning; and every
-- SQLSTATE of class SF the engine's functions raise is listed there.
begin;
select plan(5);

select results_eq(
    $$select sqlstate from steadfast.error_codes() order by sqlstate$$,
    $$values ('SF001'), ('SF002'), ('SF003'), ('SF004'), ('SF005'), ('SF006'), ('SF007'), ('SF008'), ('SF009')$$,
    'error_codes() lists SF001…SF009, each exactly once');

select results_eq(
    $$select sqlstate, name from steadfast.error_codes() order by sqlstate$$,
    $$values ('SF001', 'not_found'), ('SF002', 'workflow_conflict'), ('SF003', 'fenced'),
             ('SF004', 'wrong_state'), ('SF005', 'invalid_argument'), ('SF006', 'payload_too_large'),
             ('SF007', 'non_determinism'), ('SF008', 'executor_in_use'),
             ('SF009', 'duplicate')$$,
    'each code has its stable name');

select is((select count(distinct name)::int from steadfast.error_codes()), 9, 'names are unique');

select is_empty(
    $$select sqlstate from steadfast.error_codes() where meaning is null or meaning = ''$$,
    'every code has a meaning');

select is_empty(
    $$select distinct m[1]
      from pg_catalog.pg_proc p, regexp_matches(p.prosrc, 'errcode\s*=\s*''(SF[0-9A-Z]{3})''', 'g') m
      where p.pronamespace = 'steadfast'::regnamespace
      except
      select sqlstate from steadfast.error_codes()$$,
    'every SQLSTATE the engine raises is listed in error_codes()');

select * from finish();
rollback;
