-- start_workflows and start_workflow share one set-based creation path (_new_workflows builds
-- the rows, _insert_workflows inserts them). Here: a batch gives the same result rows, the same
-- rows in the table (every column but the id) and the same errors as start_workflow called
-- element by element; a batch is built by one _new_workflows call (counted with
-- track_functions); an element whose id stands for a workflow of the same name finds it at
-- once, and only the others whose id or key is taken are resolved one at a time
-- (_insert_workflow).
begin;
select plan(91);

select steadfast_test.queue('fp_q');
select steadfast_test.queue('fp_r');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
set local track_functions = 'pl';

-- calls(function) → how many times this transaction called steadfast.<function>.
create function pg_temp.calls(p_function text) returns bigint language sql as $$
    select coalesce((select calls from pg_stat_xact_user_functions
                     where schemaname = 'steadfast' and funcname = p_function), 0)
$$;

-- error_of(sql) → 'SQLSTATE | message | detail | hint' of the error sql raises (rolled back),
-- or null when it succeeds.
create function pg_temp.error_of(p_sql text) returns text language plpgsql as $$
declare
    v_state text;
    v_message text;
    v_detail text;
    v_hint text;
begin
    execute p_sql;
    return null;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                            v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    return concat_ws(' | ', v_state, v_message, nullif(v_detail, ''), nullif(v_hint, ''));
end;
$$;

-- A batch of plain elements using every option the set-based path handles; '@' stands for a
-- prefix, one per way of starting it. Element 7 repeats the id of element 1 (with another
-- queue: it finds element 1's workflow); element 8 names a workflow that exists and has
-- finished; elements 9 and 10 get generated ids.
create temp table batch (template text, options jsonb);
insert into batch values ($$[
    {"workflow_id": "@-1", "name": "job", "input": {"n": 1}},
    {"workflow_id": "@-2", "name": "job", "input": [1, "two"], "options": {"priority": -5, "queue": "fp_r"}},
    {"workflow_id": "@-3", "name": "job", "options": {"delay_seconds": 90.5, "app_version": "v2", "max_recovery_attempts": 3}},
    {"workflow_id": "@-4", "name": "other", "input": null,
     "options": {"available_at": "2031-06-01T12:00:00Z", "deadline": 1900000000, "parent_id": "p", "parent_step": "s",
                 "partition_key": "k"}},
    {"workflow_id": "@-5", "name": "job", "options": {"retry": {"kind": "exponential"}, "dedup_policy": "error", "dedup_key": null}},
    {"workflow_id": "@-6", "name": "job",
     "options": {"retry": {"kind": "fixed", "max_attempts": 5.0, "base_delay": 2}, "available_at": 1900000000.5,
                 "deadline": "2030-06-01"}},
    {"workflow_id": "@-1", "name": "job", "options": {"queue": "fp_r"}},
    {"workflow_id": "@-old", "name": "job"},
    {"name": "job", "input": "a generated id"},
    {"name": "job", "options": null, "workflow_id": null},
    {"workflow_id": "@-7", "name": "job",
     "options": {"priority": 7, "delay_seconds": 0, "retry": null, "available_at": null, "app_version": null}},
    {"workflow_id": "@-8", "name": "job", "options": {"priority": 1e2, "max_recovery_attempts": 1, "dedup_policy": "return"}}
]$$, '{"queue": "fp_q", "priority": 1, "retry": {"kind": "none"}}');

-- started(prefix) → the batch's text with its ids prefixed.
create function pg_temp.started(p_prefix text) returns jsonb language sql as $$
    select replace(template, '@', p_prefix)::jsonb from batch
$$;

-- The workflow that exists, once per prefix: finished, with an output.
select steadfast.start_workflow(p || '-old', 'job', '{"old": true}', '{"queue": "fp_r"}') from unnest(array['f', 'r', 'o']) p;
update steadfast.workflows set status = 'succeeded', output = '{"done": 1}', attempt = 1, completed_at = steadfast.now()
where id in ('f-old', 'r-old', 'o-old');

-- one_by_one(prefix) → the batch started through start_workflow, element by element.
create function pg_temp.one_by_one(p_prefix text) returns table (ordinal int, workflow_id text, status text,
    created boolean, queue text, available_at timestamptz, output jsonb, error jsonb) language sql as $$
    select x.ord::int, s.*
    from jsonb_array_elements(pg_temp.started(p_prefix)) with ordinality x(v, ord),
         lateral steadfast.start_workflow(x.v ->> 'workflow_id', x.v ->> 'name', coalesce(x.v -> 'input', 'null'),
                                          (select options from batch) || coalesce(nullif(x.v -> 'options', 'null'), '{}')) s
    order by x.ord
$$;

-- 1. Through start_workflows (f) and start_workflow one by one (o).
create temp table calls_before as
    select pg_temp.calls('_new_workflows') as n, pg_temp.calls('_insert_workflow') as resolved;
create temp table fast as
    select * from steadfast.start_workflows(pg_temp.started('f'), (select options from batch));
select is(pg_temp.calls('_new_workflows'), (select n + 1 from calls_before), 'a batch is built by one set-based call');
select is(pg_temp.calls('_insert_workflow'), (select resolved from calls_before),
          'elements 7 and 8, whose id stands for a workflow of the same name, find it without a call each');
create temp table one as select * from pg_temp.one_by_one('o');

-- result(table, prefix) → its rows with the prefix taken off the ids and generated ids masked.
create function pg_temp.result(p_table text, p_prefix text) returns table (ordinal int, workflow_id text, status text,
    created boolean, queue text, available_at timestamptz, output jsonb, error jsonb) language plpgsql as $$
begin
    return query execute format(
        $q$select ordinal, case when workflow_id like %L then substr(workflow_id, %s) else 'generated' end,
                  status, created, queue, available_at, output, error from %I order by ordinal$q$,
        p_prefix || '-%', length(p_prefix) + 2, p_table);
end;
$$;
-- stored(table) → per element, its workflow's row in the table, every column but the id.
create function pg_temp.stored(p_table text) returns table (ordinal int, stored jsonb) language plpgsql as $$
begin
    return query execute format(
        $q$select r.ordinal, to_jsonb(w) - 'id' from %I r join steadfast.workflows w on w.id = r.workflow_id
           order by r.ordinal$q$, p_table);
end;
$$;

select results_eq($$select * from pg_temp.result('fast', 'f')$$, $$select * from pg_temp.result('one', 'o')$$,
                  'the same result rows as start_workflow one by one, in order');
select results_eq($$select * from pg_temp.stored('fast')$$, $$select * from pg_temp.stored('one')$$,
                  'the same rows in the table as start_workflow one by one (every column but the id)');

-- The same rows spelled out, so that "the same" cannot mean "the same mistake".
select results_eq($$select * from pg_temp.result('fast', 'f')$$,
    $$values (1, '1', 'enqueued', true, 'fp_q', '2030-01-01 00:00:00+00'::timestamptz, null::jsonb, null::jsonb),
             (2, '2', 'enqueued', true, 'fp_r', '2030-01-01 00:00:00+00', null, null),
             (3, '3', 'enqueued', true, 'fp_q', '2030-01-01 00:01:30.5+00', null, null),
             (4, '4', 'enqueued', true, 'fp_q', '2031-06-01 12:00:00+00', null, null),
             (5, '5', 'enqueued', true, 'fp_q', '2030-01-01 00:00:00+00', null, null),
             (6, '6', 'enqueued', true, 'fp_q', to_timestamp(1900000000.5), null, null),
             (7, '1', 'enqueued', false, 'fp_q', '2030-01-01 00:00:00+00', null, null),
             (8, 'old', 'succeeded', false, 'fp_r', '2030-01-01 00:00:00+00', '{"done": 1}', null),
             (9, 'generated', 'enqueued', true, 'fp_q', '2030-01-01 00:00:00+00', null, null),
             (10, 'generated', 'enqueued', true, 'fp_q', '2030-01-01 00:00:00+00', null, null),
             (11, '7', 'enqueued', true, 'fp_q', '2030-01-01 00:00:00+00', null, null),
             (12, '8', 'enqueued', true, 'fp_q', '2030-01-01 00:00:00+00', null, null)$$,
    'created, or the existing workflow (by id, also one created earlier in the batch), with its status and output');
select results_eq(
    $$select id, name, queue, priority, input, available_at, app_version, max_recovery_attempts, retry_policy,
             parent_id, parent_step, deadline, partition_key, dedup_key
      from steadfast.workflows where id like 'f-_' order by id$$,
    $$values ('f-1', 'job', 'fp_q', 1, '{"n": 1}'::jsonb, '2030-01-01 00:00:00+00'::timestamptz, null::text, 10,
              '{"kind": "none", "max_attempts": 1}'::jsonb, null::text, null::text, null::timestamptz, null::text, null::text),
             ('f-2', 'job', 'fp_r', -5, '[1, "two"]', '2030-01-01 00:00:00+00', null, 10,
              '{"kind": "none", "max_attempts": 1}', null, null, null, null, null),
             ('f-3', 'job', 'fp_q', 1, 'null', '2030-01-01 00:01:30.5+00', 'v2', 3,
              '{"kind": "none", "max_attempts": 1}', null, null, null, null, null),
             ('f-4', 'other', 'fp_q', 1, 'null', '2031-06-01 12:00:00+00', null, 10,
              '{"kind": "none", "max_attempts": 1}', 'p', 's', to_timestamp(1900000000), 'k', null),
             ('f-5', 'job', 'fp_q', 1, 'null', '2030-01-01 00:00:00+00', null, 10,
              '{"kind": "exponential", "max_attempts": 3, "base_delay": 1, "factor": 2, "max_delay": 3600, "jitter": 0}',
              null, null, null, null, null),
             ('f-6', 'job', 'fp_q', 1, 'null', to_timestamp(1900000000.5), null, 10,
              '{"kind": "fixed", "max_attempts": 5, "base_delay": 2, "factor": 2, "max_delay": 3600, "jitter": 0}',
              null, null, '2030-06-01 00:00:00+00', null, null),
             ('f-7', 'job', 'fp_q', 7, 'null', '2030-01-01 00:00:00+00', null, 10, null, null, null, null, null, null),
             ('f-8', 'job', 'fp_q', 100, 'null', '2030-01-01 00:00:00+00', null, 1,
              '{"kind": "none", "max_attempts": 1}', null, null, null, null, null)$$,
    'each option stored as start_workflow stores it; the first element of a repeated id is the one stored');
select is((select to_jsonb(w) - 'id' from steadfast.workflows w where id = 'f-old'),
          (select to_jsonb(w) - 'id' from steadfast.workflows w where id = 'o-old'), 'the existing workflow is left as it was');
select ok((select bool_and(workflow_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')
           from fast where ordinal in (9, 10)), 'a generated id is a random UUID');

-- The defaults, column by column, of a workflow started without id or options.
create temp table bare as select * from steadfast.start_workflows('[{"name": "bare"}]');
select results_eq(
    $$select w.name, w.status, w.queue, w.priority, w.input, w.output, w.error, w.attempt, w.executor_id,
             w.recovery_attempts, w.max_recovery_attempts, w.retry_count, w.retry_policy, w.available_at,
             w.app_version, w.parent_id, w.parent_step, w.forked_from, w.forked_at_step, w.dedup_key, w.partition_key,
             w.deadline, w.created_at, w.updated_at, w.started_at, w.completed_at, w.error_attempt
      from bare r join steadfast.workflows w on w.id = r.workflow_id$$,
    $$values ('bare', 'enqueued', 'default', 0, 'null'::jsonb, null::jsonb, null::jsonb, 0, null::text, 0, 10, 0,
              null::jsonb, '2030-01-01 00:00:00+00'::timestamptz, null::text, null::text, null::text, null::text,
              null::integer, null::text, null::text, null::timestamptz, '2030-01-01 00:00:00+00'::timestamptz,
              '2030-01-01 00:00:00+00'::timestamptz, null::timestamptz, null::timestamptz, null::integer)$$,
    'the defaults: status enqueued, queue "default", priority 0, attempt 0, 10 recovery attempts, available now');
select is((select to_jsonb(w) - 'id' from steadfast.workflows w join fast r on r.workflow_id = w.id where r.ordinal = 10),
          (select to_jsonb(w) - 'id' from steadfast.workflows w join one r on r.workflow_id = w.id where r.ordinal = 10),
          'a workflow without options is stored as start_workflow stores it');

-- 2. The same batch again: every id exists (the generated ones are new again).
create temp table calls_again as select pg_temp.calls('_new_workflows') as n;
create temp table fast2 as
    select * from steadfast.start_workflows(pg_temp.started('f'), (select options from batch));
select is(pg_temp.calls('_new_workflows'), (select n + 1 from calls_again), 'a batch of existing ids is built by one call too');
create temp table one2 as select * from pg_temp.one_by_one('o');
select results_eq($$select * from pg_temp.result('fast2', 'f')$$, $$select * from pg_temp.result('one2', 'o')$$,
                  'the same batch again: the same result rows as start_workflow one by one');
select results_eq($$select ordinal, created from fast2 order by ordinal$$,
                  $$select g, g in (9, 10) from generate_series(1, 12) g$$,
                  'only the elements without an id are created again');

-- 3. An id used by another workflow name: SF002 naming the element, exactly as start_workflow
-- says it; nothing is started.
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows('[{"workflow_id": "f-new", "name": "job"}, {"workflow_id": "f-old", "name": "other"}]')$$,
    'SF002', 'an existing id with another name');
select is(pg_temp.error_of($$select * from steadfast.start_workflows('[{"workflow_id": "f-new", "name": "job"}, {"workflow_id": "f-old", "name": "other"}]')$$),
          'SF002 | start_workflows[2]: workflow id ''f-old'' is already used by workflow ''job'' | requested name: other',
          'its message names the element, the id and both names');
select is(pg_temp.error_of($$select * from steadfast.start_workflows('[{"workflow_id": "f-new", "name": "job"}, {"workflow_id": "f-old", "name": "other"}]')$$),
          replace(pg_temp.error_of($$select * from steadfast.start_workflow('f-old', 'other')$$), 'start_workflow:', 'start_workflows[2]:'),
          'as start_workflow says it');
select * from steadfast_test.rejects(
    $$select * from steadfast.start_workflows('[{"workflow_id": "f-dup", "name": "job"}, {"name": "job"}, {"workflow_id": "f-dup", "name": "other"}]')$$,
    'SF002', 'an id repeated in the batch with another name');
select is(pg_temp.error_of($$select * from steadfast.start_workflows('[{"workflow_id": "f-dup", "name": "job"}, {"name": "job"}, {"workflow_id": "f-dup", "name": "other"}]')$$),
          'SF002 | start_workflows[3]: workflow id ''f-dup'' is already used by workflow ''job'' | requested name: other',
          'its message names the later element');
select is(pg_temp.error_of($$select * from steadfast.start_workflows('[{"workflow_id": "f-old", "name": "other"}, {"workflow_id": "f-old", "name": "job"}]')$$),
          'SF002 | start_workflows[1]: workflow id ''f-old'' is already used by workflow ''job'' | requested name: other',
          'the first conflicting element is the one named');

-- 4. A batch with a dedup key: the key is honoured within the batch.
create temp table calls_mixed as select pg_temp.calls('_insert_workflow') as n;
select results_eq(
    $$select ordinal, workflow_id, status, created, queue from steadfast.start_workflows(
        '[{"workflow_id": "mx-1", "name": "job"},
          {"workflow_id": "mx-2", "name": "job", "options": {"dedup_key": "d"}},
          {"workflow_id": "mx-3", "name": "job", "options": {"dedup_key": "d"}},
          {"workflow_id": "mx-1", "name": "job"},
          {"workflow_id": "f-old", "name": "job"}]', '{"queue": "fp_q"}')$$,
    $$values (1, 'mx-1', 'enqueued', true, 'fp_q'), (2, 'mx-2', 'enqueued', true, 'fp_q'),
             (3, 'mx-2', 'enqueued', false, 'fp_q'), (4, 'mx-1', 'enqueued', false, 'fp_q'),
             (5, 'f-old', 'succeeded', false, 'fp_r')$$,
    'a batch with a dedup key: each element as start_workflow would start it');
select is(pg_temp.calls('_insert_workflow'), (select n + 1 from calls_mixed),
          'only the element whose dedup key is taken is resolved by itself (the ids of the same name are found at once)');
select is((select dedup_key from steadfast.workflows where id = 'mx-2'), 'd', 'the key is stored');

-- An empty batch.
select results_eq($$select count(*)::int from steadfast.start_workflows('[]', '{"queue": "fp_q"}')$$, $$values (0)$$,
                  'an empty batch starts nothing');

-- 5. Bad elements (and a few good ones near the limits): the same error as start_workflow
-- given the same element (SQLSTATE, message, detail and hint), naming element 2 — or, for the
-- good ones, no error. Elements start_workflow cannot be given (not an object, an unknown key,
-- a name or id that is not a string) are checked for their SQLSTATE and element number.
create temp table cases (n serial, element text, options jsonb, code text, what text);
insert into cases (element, options, code, what) values
    ('{"name": "job", "options": {"priority": 1.5}}', '{}', 'SF005', 'priority not an integer'),
    ('{"name": "job", "options": {"priority": "high"}}', '{}', 'SF005', 'priority not a number'),
    ('{"name": "job", "options": {"priority": 2147483648}}', '{}', 'SF005', 'priority beyond 32 bits'),
    ('{"name": "job", "options": {"priority": 1e400}}', '{}', 'SF005', 'priority huge'),
    ('{"name": "job", "options": {"priority": -2147483648}}', '{}', null, 'priority at the 32-bit limit'),
    ('{"name": "job", "options": {"delay_seconds": -1}}', '{}', 'SF005', 'negative delay'),
    ('{"name": "job", "options": {"delay_seconds": 3153600001}}', '{}', 'SF005', 'delay over 100 years'),
    ('{"name": "job", "options": {"delay_seconds": 3153600000}}', '{}', null, 'delay of 100 years'),
    ('{"name": "job", "options": {"delay_seconds": "soon"}}', '{}', 'SF005', 'delay not a number'),
    ('{"name": "job", "options": {"delay_seconds": 1e400}}', '{}', 'SF005', 'delay out of double range'),
    ('{"name": "job", "options": {"delay_seconds": 1e-400}}', '{}', 'SF005', 'delay below double range'),
    ('{"name": "job", "options": {"available_at": 1e400}}', '{}', 'SF005', 'available_at out of double range'),
    ('{"name": "job", "options": {"available_at": "infinity"}}', '{}', 'SF005', 'available_at infinity'),
    ('{"name": "job", "options": {"available_at": "294276-12-31"}}', '{}', 'SF005', 'available_at in year 294276'),
    ('{"name": "job", "options": {"available_at": "1969-12-31T23:59:59Z"}}', '{}', 'SF005', 'available_at before 1970'),
    ('{"name": "job", "options": {"available_at": "3000-01-01T00:00:00Z"}}', '{}', null, 'available_at at 3000-01-01'),
    ('{"name": "job", "options": {"deadline": "-infinity"}}', '{}', 'SF005', 'deadline -infinity'),
    ('{"name": "job", "options": {"deadline": 1e-400}}', '{}', null, 'deadline 1e-400 (1970-01-01)'),
    ('{"name": "job", "options": {"app_version": "' || repeat('v', 256) || '"}}', '{}', 'SF005', 'app_version too long'),
    ('{"name": "job", "options": {"parent_id": "' || repeat('p', 256) || '"}}', '{}', 'SF005', 'parent_id too long'),
    ('{"name": "job", "options": {"parent_step": "' || repeat('s', 256) || '"}}', '{}', 'SF005', 'parent_step too long'),
    ('{"name": "job", "options": {"parent_id": "' || repeat('p', 255) || '"}}', '{}', null, 'parent_id of 255 characters'),
    ('{"name": "job", "workflow_id": "schedule:nightly@2026-03-08T07:30:00Z"}', '{}', 'SF005', 'an id in the schedule: namespace'),
    ('{"name": "job", "workflow_id": "Schedule:nightly"}', '{}', null, 'an id that only looks like the namespace'),
    ('{"name": "job", "options": {"delay_seconds": 1, "available_at": "2031-01-01"}}', '{}', 'SF005', 'delay and available_at'),
    ('{"name": "job", "options": {"available_at": "not a time"}}', '{}', 'SF005', 'available_at unparsable'),
    ('{"name": "job", "options": {"available_at": -5}}', '{}', 'SF005', 'available_at before 1970'),
    ('{"name": "job", "options": {"available_at": true}}', '{}', 'SF005', 'available_at a boolean'),
    ('{"name": "job", "options": {"available_at": "now"}}', '{}', null, 'available_at "now"'),
    ('{"name": "job", "options": {"deadline": "garbage"}}', '{}', 'SF005', 'deadline unparsable'),
    ('{"name": "job", "options": {"deadline": 40000000000}}', '{}', 'SF005', 'deadline after 3000'),
    ('{"name": "job", "options": {"deadline": [1]}}', '{}', 'SF005', 'deadline an array'),
    ('{"name": "job", "options": {"max_recovery_attempts": 0}}', '{}', 'SF005', 'max_recovery_attempts 0'),
    ('{"name": "job", "options": {"max_recovery_attempts": 2.5}}', '{}', 'SF005', 'max_recovery_attempts not an integer'),
    ('{"name": "job", "options": {"app_version": 3}}', '{}', 'SF005', 'app_version a number'),
    ('{"name": "job", "options": {"parent_id": {}}}', '{}', 'SF005', 'parent_id an object'),
    ('{"name": "job", "options": {"parent_step": false}}', '{}', 'SF005', 'parent_step a boolean'),
    ('{"name": "job", "options": {"partition_key": ""}}', '{}', 'SF005', 'partition_key empty'),
    ('{"name": "job", "options": {"partition_key": 7}}', '{}', 'SF005', 'partition_key a number'),
    ('{"name": "job", "options": {"partition_key": "' || repeat('p', 256) || '"}}', '{}', 'SF005', 'partition_key too long'),
    ('{"name": "job", "options": {"partition_key": "' || repeat('é', 255) || '"}}', '{}', null, 'partition_key of 255 characters'),
    ('{"name": "job", "options": {"dedup_policy": "sometimes"}}', '{}', 'SF005', 'dedup_policy unknown'),
    ('{"name": "job", "options": {"dedup_policy": 1}}', '{}', 'SF005', 'dedup_policy a number'),
    ('{"name": "job", "options": {"dedup_key": ""}}', '{}', 'SF005', 'dedup_key empty'),
    ('{"name": "job", "options": {"retry": {"kind": "sometimes"}}}', '{}', 'SF005', 'retry of an unknown kind'),
    ('{"name": "job", "options": {"retry": {"kind": "fixed", "max_attempts": 0}}}', '{}', 'SF005', 'retry out of range'),
    ('{"name": "job", "options": {"retry": "fixed"}}', '{}', 'SF005', 'retry a string'),
    ('{"name": "job", "options": {"queue": 5}}', '{}', 'SF005', 'queue a number'),
    ('{"name": "job", "options": {"queue": "fp_nope"}}', '{}', 'SF001', 'an unknown queue'),
    ('{"name": "job", "options": {"queue": ""}}', '{}', 'SF001', 'an empty queue name'),
    ('{"name": "job", "options": {"colour": "red"}}', '{}', 'SF005', 'an unknown option'),
    ('{"name": "job", "options": []}', '{}', 'SF005', 'options an array'),
    ('{"name": "job", "options": "x"}', '{}', 'SF005', 'options a string'),
    ('{"name": "job", "queue": "fp_q"}', '{}', 'SF005', 'an unknown key in the element'),
    ('"job"', '{}', 'SF005', 'an element that is a string'),
    ('null', '{}', 'SF005', 'an element that is null'),
    ('{"input": 1}', '{}', 'SF005', 'no name'),
    ('{"name": null}', '{}', 'SF005', 'a null name'),
    ('{"name": ""}', '{}', 'SF005', 'an empty name'),
    ('{"name": 5}', '{}', 'SF005', 'a name that is a number'),
    ('{"name": "' || repeat('n', 256) || '"}', '{}', 'SF005', 'a name too long'),
    ('{"name": "' || repeat('n', 255) || '"}', '{}', null, 'a name of 255 characters'),
    ('{"name": "job", "workflow_id": ""}', '{}', 'SF005', 'an empty id'),
    ('{"name": "job", "workflow_id": 5}', '{}', 'SF005', 'an id that is a number'),
    ('{"name": "job", "workflow_id": "' || repeat('i', 256) || '"}', '{}', 'SF005', 'an id too long'),
    ('{"name": "job", "input": "' || repeat('x', 65525) || '"}', '{}', 'SF006', 'an input one byte over the limit (65536 bytes here)'),
    ('{"name": "job", "input": "' || repeat('x', 65524) || '"}', '{}', null, 'an input exactly at the limit'),
    ('{"name": "job"}', '{"queue": "fp_q", "priority": "x"}', 'SF005', 'a bad shared option'),
    ('{"name": "job"}', '{"queue": "fp_q", "dedup_key": 5}', 'SF005', 'a bad shared dedup_key');
-- the smallest limit settings allow (rolled back with the test)
select steadfast.set_settings('{"max_payload_bytes": 65536}');

-- run(case, function) → the error of starting [a good element, the case's element].
create function pg_temp.run(p_case cases, p_function text) returns text language sql as $$
    select pg_temp.error_of(format('select * from steadfast.%s(%L::jsonb, %L::jsonb)', p_function,
                                   '[{"name": "job", "input": {"first": true}}, ' || p_case.element || ']',
                                   '{"queue": "fp_q"}'::jsonb || p_case.options))
$$;

-- run_one(case) → the error of start_workflow given the case's element, named as the batch
-- names it; null when start_workflow cannot be given that element.
create function pg_temp.run_one(p_case cases) returns text language plpgsql as $$
declare
    e jsonb := p_case.element::jsonb;
    v_options jsonb := '{"queue": "fp_q"}'::jsonb || p_case.options;
begin
    if jsonb_typeof(e) <> 'object' or e - '{name,workflow_id,input,options}'::text[] <> '{}'
       or coalesce(jsonb_typeof(e -> 'name'), 'null') not in ('string', 'null')
       or coalesce(jsonb_typeof(e -> 'workflow_id'), 'null') not in ('string', 'null') then
        return null;
    end if;
    if p_case.options <> '{}' then
        -- a bad shared option: the batch's first (good) element meets it first
        return regexp_replace(pg_temp.error_of(format('select * from steadfast.start_workflow(null, %L, %L, %L)', 'job',
                                                      '{"first": true}', v_options)),
                              '^(\w+) \| (start_workflow: )?', '\1 | start_workflows[1]: ');
    end if;
    return regexp_replace(pg_temp.error_of(format('select * from steadfast.start_workflow(%L, %L, %L, %L)',
                                           e ->> 'workflow_id', e ->> 'name', coalesce(e -> 'input', 'null'),
                                           case when e -> 'options' is null or jsonb_typeof(e -> 'options') = 'null'
                                                then v_options
                                                when jsonb_typeof(e -> 'options') = 'object' then v_options || (e -> 'options')
                                                else e -> 'options' end)),
                          '^(\w+) \| (start_workflow: )?', '\1 | start_workflows[2]: ');
end;
$$;

select is(pg_temp.run(c, 'start_workflows'), pg_temp.run_one(c), c.what || ': as start_workflow')
from cases c where pg_temp.run_one(c) is not null or pg_temp.run(c, 'start_workflows') is null order by c.n;
select is(count(*)::int, 5, 'the elements start_workflow cannot be given: string, null, unknown key, no-string name or id')
from cases c where pg_temp.run_one(c) is null and pg_temp.run(c, 'start_workflows') is not null;
select is(array_agg(c.n || ': ' || pg_temp.run(c, 'start_workflows') order by c.n), null, 'each case fails with the expected SQLSTATE (or does not fail)')
from cases c
where split_part(pg_temp.run(c, 'start_workflows'), ' | ', 1) is distinct from c.code
   or pg_temp.run(c, 'start_workflows') not like c.code || ' | start_workflows[' || case when c.options = '{}' then 2 else 1 end || ']: %';
select steadfast.set_settings('{"max_payload_bytes": 4194304}');

select * from finish();
rollback;
