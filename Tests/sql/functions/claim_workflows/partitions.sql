-- claim_workflows honours partition_concurrency (running workflows per partition key) and
-- serves partitions in turn: a partition with a large backlog cannot starve the others.
-- Workflows without a key form one group no partition limit applies to. Priority still
-- comes first. Fake clock, so turns and FIFO are deterministic.
begin;
select plan(12);

select steadfast.create_queue('pt_q', '{"partition_concurrency": 1}');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('pt-e', '{"queues": ["pt_q"], "lease_seconds": 86400}');
select steadfast.register_executor('pt-f', '{"queues": ["pt_q"], "lease_seconds": 86400}');
-- Customer a enqueued a backlog first; b and c came later; two workflows have no key.
select steadfast.start_workflow('pt-a' || i, 'job', '{}', '{"queue": "pt_q", "partition_key": "a"}') from generate_series(1, 6) i;
select steadfast_test.set_now('2030-01-01 00:00:01+00');
select steadfast.start_workflow('pt-b' || i, 'job', '{}', '{"queue": "pt_q", "partition_key": "b"}') from generate_series(1, 2) i;
select steadfast.start_workflow('pt-c' || i, 'job', '{}', '{"queue": "pt_q", "partition_key": "c"}') from generate_series(1, 2) i;
select steadfast.start_workflow('pt-n' || i, 'job', '{}', '{"queue": "pt_q"}') from generate_series(1, 2) i;

-- Per-partition limit.
select results_eq($$select workflow_id from steadfast.claim_workflows('pt-e', 100) order by 1$$,
                  $$values ('pt-a1'), ('pt-b1'), ('pt-c1'), ('pt-n1'), ('pt-n2')$$,
                  'one per partition; the workflows without a key are not limited');
select is((select count(*)::int from steadfast.claim_workflows('pt-f', 100)), 0,
          'another executor gets none: every partition is busy');
select steadfast.complete_workflow('pt-b1', 1, '1');
select results_eq($$select workflow_id from steadfast.claim_workflows('pt-f', 100)$$, $$values ('pt-b2')$$,
                  'b''s running workflow finished: b''s next starts, and only it');
select is_empty(
    $$select partition_key from steadfast.workflows where queue = 'pt_q' and status = 'running' and partition_key is not null
      group by 1 having count(*) > 1$$, 'never two running in one partition');

-- Raising the limit at runtime.
select steadfast.alter_queue('pt_q', '{"partition_concurrency": 3}');
select results_eq($$select workflow_id from steadfast.claim_workflows('pt-e', 100) order by 1$$,
                  $$values ('pt-a2'), ('pt-a3'), ('pt-c2')$$, 'raised to 3: a gets two more, c one more');

-- Fair turns, one at a time (concurrency 1): the least recently served partition goes first.
select steadfast.create_queue('fair_q', '{"partition_concurrency": 1, "concurrency": 1}');
select steadfast.register_executor('fair-e', '{"queues": ["fair_q"], "lease_seconds": 86400}');
select steadfast_test.set_now('2030-01-01 00:01:00+00');
select steadfast.start_workflow('fair-a' || i, 'job', '{}', '{"queue": "fair_q", "partition_key": "a"}') from generate_series(1, 5) i;
select steadfast_test.set_now('2030-01-01 00:01:01+00');
select steadfast.start_workflow('fair-b' || i, 'job', '{}', '{"queue": "fair_q", "partition_key": "b"}') from generate_series(1, 2) i;
select steadfast_test.set_now('2030-01-01 00:01:02+00');
select steadfast.start_workflow('fair-c' || i, 'job', '{}', '{"queue": "fair_q", "partition_key": "c"}') from generate_series(1, 2) i;
select steadfast.start_workflow('fair-n' || i, 'job', '{}', '{"queue": "fair_q"}') from generate_series(1, 2) i;
create temp table fair_order (n serial, workflow_id text);
do $$
declare
    r record;
begin
    for i in 1..12 loop
        perform steadfast_test.set_now('2030-01-01 00:02:00+00'::timestamptz + make_interval(secs => i));
        for r in select * from steadfast.claim_workflows('fair-e', 10) loop
            insert into fair_order (workflow_id) values (r.workflow_id);
            perform steadfast.complete_workflow(r.workflow_id, r.attempt, '1');
        end loop;
    end loop;
end $$;
select results_eq($$select workflow_id from fair_order order by n$$,
    $$values ('fair-a1'), ('fair-b1'), ('fair-c1'), ('fair-n1'), ('fair-a2'), ('fair-b2'), ('fair-c2'), ('fair-n2'),
             ('fair-a3'), ('fair-a4'), ('fair-a5')$$,
    'partitions take turns: a''s backlog does not hold b, c and the keyless group back');
select results_eq($$select partition_key, last_claimed_at from steadfast.queue_partitions where queue = 'fair_q' order by 1$$,
    $$values ('', '2030-01-01 00:02:08+00'::timestamptz), ('a', '2030-01-01 00:02:11+00'), ('b', '2030-01-01 00:02:06+00'),
             ('c', '2030-01-01 00:02:07+00')$$,
    'queue_partitions remembers when each partition was last served ('''' for no key)');

-- A newcomer goes first among partitions of equal priority.
select steadfast.start_workflow('fair-a' || i, 'job', '{}', '{"queue": "fair_q", "partition_key": "a"}') from generate_series(6, 7) i;
select steadfast.start_workflow('fair-d1', 'job', '{}', '{"queue": "fair_q", "partition_key": "d"}');
select steadfast_test.set_now('2030-01-01 00:03:00+00');
select results_eq($$select workflow_id from steadfast.claim_workflows('fair-e', 1)$$, $$values ('fair-d1')$$,
                  'a partition never served goes before one served before, though younger');

-- Priority comes before turns.
select steadfast.complete_workflow('fair-d1', 1, '1');
select steadfast.start_workflow('fair-b-urgent', 'job', '{}', '{"queue": "fair_q", "partition_key": "b", "priority": -1}');
select steadfast.start_workflow('fair-e1', 'job', '{}', '{"queue": "fair_q", "partition_key": "e"}');
select steadfast_test.set_now('2030-01-01 00:03:01+00');
select results_eq($$select workflow_id from steadfast.claim_workflows('fair-e', 1)$$, $$values ('fair-b-urgent')$$,
                  'a lower priority number wins over a partition''s turn');

-- A batch offers each partition's next workflows round by round.
select steadfast.create_queue('round_q', '{"partition_concurrency": 2}');
select steadfast.register_executor('round-e', '{"queues": ["round_q"], "lease_seconds": 86400}');
select steadfast_test.set_now('2030-01-01 00:04:00+00');
select steadfast.start_workflow('round-a' || i, 'job', '{}', '{"queue": "round_q", "partition_key": "a"}') from generate_series(1, 4) i;
select steadfast_test.set_now('2030-01-01 00:04:01+00');
select steadfast.start_workflow('round-b' || i, 'job', '{}', '{"queue": "round_q", "partition_key": "b"}') from generate_series(1, 4) i;
select steadfast_test.set_now('2030-01-01 00:04:02+00');
select results_eq($$select workflow_id from steadfast.claim_workflows('round-e', 3) order by 1$$,
                  $$values ('round-a1'), ('round-a2'), ('round-b1')$$,
                  'three of a batch: each partition''s first, then a''s second (a is older)');
select results_eq($$select workflow_id from steadfast.claim_workflows('round-e', 10) order by 1$$,
                  $$values ('round-b2')$$, 'then only b has room');

-- Delayed and filtered workflows are not offered.
select steadfast.create_queue('pfilter_q', '{"partition_concurrency": 1}');
select steadfast.register_executor('pfilter-e', '{"queues": ["pfilter_q"], "lease_seconds": 86400}');
select steadfast.start_workflow('pfilter-later', 'job', '{}', '{"queue": "pfilter_q", "partition_key": "a", "delay_seconds": 60}');
select steadfast.start_workflow('pfilter-other', 'other', '{}', '{"queue": "pfilter_q", "partition_key": "a"}');
select steadfast.start_workflow('pfilter-now', 'job', '{}', '{"queue": "pfilter_q", "partition_key": "a"}');
select results_eq($$select workflow_id from steadfast.claim_workflows('pfilter-e', 10, '{"names": ["job"]}')$$,
                  $$values ('pfilter-now')$$, 'a partition''s delayed workflows and names the worker cannot run are skipped');

select * from finish();
rollback;
