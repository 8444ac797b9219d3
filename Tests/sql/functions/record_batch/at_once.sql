-- record_batch applies a batch set-wise (_record_batch_at_once) when every write can be
-- applied as it is, and one by one otherwise; either way the outcome is the one the writes
-- sent one by one (record_step, complete_workflow) would have: the same steps (keys,
-- numbers, running totals), statuses and refusals. Each batch below is applied to one copy of
-- a set of workflows by record_batch and to another copy by the single calls, and the copies
-- are compared. _record_batch_at_once itself returns rows and records the steps for a batch
-- it can apply, and no rows, changing nothing, for one it cannot.
begin;
select plan(16);

select steadfast_test.queue('atonce_q');
select steadfast.register_executor('atonce-e', '{"queues": ["atonce_q"]}');
select steadfast.start_workflow(c || '-' || n, 'job', '{}', '{"queue": "atonce_q"}')
from unnest(array['a', 'b']) c, generate_series(1, 5) n;
select is((select count(*)::int from steadfast.claim_workflows('atonce-e', 10)), 10, 'ten running workflows');
select steadfast.record_step(c || '-3', 1, 'earlier', '0') from unnest(array['a', 'b']) c;
select steadfast.release_workflows('atonce-e', array['a-5', 'b-5']);

-- same(batch, description): applies the batch (its workflow ids without prefix) to the a- copies
-- with record_batch and to the b- copies one write at a time; compares answers and states.
create function pg_temp.same(p_batch jsonb, p_description text) returns setof text language plpgsql as $$
declare
    w jsonb;
    v_batch text[];
    v_single text[];
    v_code text;
    v_n bigint;
begin
    select array_agg(concat_ws(' ', r.ordinal, r.error_code, r.step_key, r.seq, r.recorded, r.completed_at is not null)
                     order by r.ordinal)
    into v_batch
    from steadfast.record_batch((select jsonb_agg(e || jsonb_build_object('workflow_id', 'a-' || (e ->> 'workflow_id')))
                                 from jsonb_array_elements(p_batch) e)) r;
    v_single := '{}';
    for w, v_n in select e, n from jsonb_array_elements(p_batch) with ordinality x(e, n) order by e ->> 'workflow_id', n loop
        declare
            v_step jsonb := coalesce(w -> 'step', case when w ->> 'kind' = 'step' then w end);
            r record;
            v_at timestamptz;
        begin
            select null::text as step_key, null::int as seq, null::boolean as recorded into r;
            v_at := null; v_code := null;
            if nullif(v_step, 'null') is not null then
                begin
                    select * into r from steadfast.record_step('b-' || (w ->> 'workflow_id'), (w ->> 'attempt')::int,
                                                                v_step ->> 'name', v_step -> 'output',
                                                                coalesce(v_step -> 'options', '{}'));
                exception when others then
                    v_code := sqlstate;
                end;
            end if;
            if w ->> 'kind' = 'complete' and (v_code is null or v_code = 'SF003') then
                begin
                    v_at := steadfast.complete_workflow('b-' || (w ->> 'workflow_id'), (w ->> 'attempt')::int, w -> 'output');
                    v_code := null;
                exception when others then
                    v_code := sqlstate;
                end;
            end if;
            v_single := v_single || concat_ws(' ', v_n,
                                              v_code, r.step_key, r.seq, r.recorded, v_at is not null);
        end;
    end loop;
    return next is((select array_agg(x order by split_part(x, ' ', 1)::int) from unnest(v_single) x), v_batch,
                   p_description || ': the same answers');
    -- total_bytes alike within 3 bytes a step: pg_column_size counts a short value's length
    -- header as 1 byte or 4 depending on where the value was read from (a record_step
    -- argument, an element of record_batch's array) — the running total is an estimate.
    return next results_eq(
        $q$select substr(a.workflow_id, 3), a.step_key, a.seq, a.output, abs(a.total_bytes - b.total_bytes) <= 3 * a.seq
           from steadfast.steps a left join steadfast.steps b on b.workflow_id = 'b-' || substr(a.workflow_id, 3)
                                                              and b.step_key = a.step_key and b.seq = a.seq
           where a.workflow_id like 'a-%' order by 1, 3$q$,
        $q$select substr(s.workflow_id, 3), s.step_key, s.seq, s.output, true from steadfast.steps s
           where s.workflow_id like 'b-%' order by 1, 3$q$,
        p_description || ': the same steps');
    return next results_eq(
        $q$select substr(id, 3), status, output from steadfast.workflows where id like 'a-%' order by 1$q$,
        $q$select substr(id, 3), status, output from steadfast.workflows where id like 'b-%' order by 1$q$,
        p_description || ': the same workflows');
end;
$$;

select pg_temp.same('[{"kind": "step", "workflow_id": "2", "attempt": 1, "name": "x", "output": 1},
                      {"kind": "step", "workflow_id": "1", "attempt": 1, "name": "x", "output": {"big": "payload"}},
                      {"kind": "step", "workflow_id": "2", "attempt": 1, "name": "y", "output": 2, "options": {"parallel": true}},
                      {"kind": "complete", "workflow_id": "3", "attempt": 1, "output": 3, "step": {"name": "last", "output": 4}}]',
                    'steps of several workflows and a completion with its last step');
select pg_temp.same('[{"kind": "step", "workflow_id": "2", "attempt": 1, "name": "z", "output": 1},
                      {"kind": "step", "workflow_id": "2", "attempt": 1, "name": "x", "output": 1},
                      {"kind": "step", "workflow_id": "1", "attempt": 1, "name": "w", "output": 1}]',
                    'a step recorded already among new ones');
select pg_temp.same('[{"kind": "complete", "workflow_id": "4", "attempt": 1, "output": 1},
                      {"kind": "step", "workflow_id": "4", "attempt": 1, "name": "after", "output": 1},
                      {"kind": "step", "workflow_id": "5", "attempt": 1, "name": "fenced", "output": 1},
                      {"kind": "step", "workflow_id": "1", "attempt": 1, "name": "v", "output": 1},
                      {"kind": "step", "workflow_id": "1", "attempt": 1, "name": "v", "output": 1}]',
                    'a step after its completion, a fenced step, the same step twice');
select pg_temp.same('[{"kind": "complete", "workflow_id": "1", "attempt": 1, "output": 1},
                      {"kind": "complete", "workflow_id": "1", "attempt": 1, "output": 2}]',
                    'two completions of one workflow');

-- _record_batch_at_once: rows for a batch it can apply, none (and nothing changed) otherwise.
select steadfast.start_workflow('atonce-c', 'job', '{}', '{"queue": "atonce_q"}');
select steadfast.claim_workflows('atonce-e', 10);
select is((select count(*)::int from steadfast._record_batch_at_once(steadfast._parse_array(null::steadfast.batch_write,
              '[{"kind": "step", "workflow_id": "atonce-c", "attempt": 1, "name": "s", "output": 1}]', 'record_batch'))),
          1, 'at once: a batch it can apply');
select is((select count(*)::int from steadfast._record_batch_at_once(steadfast._parse_array(null::steadfast.batch_write,
              '[{"kind": "step", "workflow_id": "atonce-c", "attempt": 1, "name": "t", "output": 1},
                {"kind": "step", "workflow_id": "atonce-c", "attempt": 1, "name": "s", "output": 1}]', 'record_batch'))),
          0, 'at once: not when a step is recorded already');
select is((select array_agg(step_key order by seq) from steadfast.steps where workflow_id = 'atonce-c'), array['s'],
          'and nothing of that batch is recorded');

select * from finish();
rollback;
