-- start_workflows: many workflows in one call and one transaction, one result row per element
-- in order; shared options overridden by each element's; ids idempotent and dedup keys
-- honoured within the batch and against existing workflows.
begin;
select plan(13);

select steadfast_test.queue('sw_q');
select steadfast_test.queue('sw_r');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.start_workflow('sw-existing', 'job', '{}', '{"queue": "sw_q", "dedup_key": "held"}');

select results_eq(
    $$select ordinal, workflow_id, status, created, queue from steadfast.start_workflows(
        '[{"workflow_id": "sw-1", "name": "job", "input": {"n": 1}},
          {"workflow_id": "sw-2", "name": "job", "input": {"n": 2}, "options": {"priority": 5}},
          {"workflow_id": "sw-3", "name": "other", "options": {"queue": "sw_r", "partition_key": "p"}},
          {"workflow_id": "sw-1", "name": "job"},
          {"workflow_id": "sw-4", "name": "job", "options": {"dedup_key": "held"}},
          {"workflow_id": "sw-5", "name": "job", "options": {"dedup_key": "new"}},
          {"workflow_id": "sw-6", "name": "job", "options": {"dedup_key": "new"}},
          {"name": "job", "options": {"delay_seconds": 60}}]',
        '{"queue": "sw_q", "priority": 1}') where ordinal < 8$$,
    $$values (1, 'sw-1', 'enqueued', true, 'sw_q'),
             (2, 'sw-2', 'enqueued', true, 'sw_q'),
             (3, 'sw-3', 'enqueued', true, 'sw_r'),
             (4, 'sw-1', 'enqueued', false, 'sw_q'),
             (5, 'sw-existing', 'enqueued', false, 'sw_q'),
             (6, 'sw-5', 'enqueued', true, 'sw_q'),
             (7, 'sw-5', 'enqueued', false, 'sw_q')$$ ,
    'one row per element, in order (the last one checked below): created, or the existing workflow by id or dedup key');
select is((select count(*)::int from steadfast.workflows where queue in ('sw_q', 'sw_r')), 6,
          'five new workflows (and the one that existed)');
select results_eq($$select id, priority, input from steadfast.workflows where id in ('sw-1', 'sw-2') order by id$$,
                  $$values ('sw-1', 1, '{"n": 1}'::jsonb), ('sw-2', 5, '{"n": 2}'::jsonb)$$,
                  'shared options apply; an element''s own options override them key by key');
select results_eq($$select name, queue, priority, partition_key, input from steadfast.workflows where id = 'sw-3'$$,
                  $$values ('other', 'sw_r', 1, 'p', 'null'::jsonb)$$, 'an element may go to another queue; input defaults to null');
select is((select available_at from steadfast.workflows
           where queue = 'sw_q' and id not like 'sw-%'), '2030-01-01 00:01:00+00'::timestamptz,
          'an element without an id gets a generated one, and its delay');

select results_eq($$select count(*)::int from steadfast.start_workflows('[]')$$, $$values (0)$$,
                  'an empty batch starts nothing');
select results_eq($$select count(*)::int from steadfast.start_workflows('[]', null)$$, $$values (0)$$,
                  'null options mean none');

-- 1000 at once.
select results_eq(
    $$select count(*)::int, count(*) filter (where created)::int
      from steadfast.start_workflows(
          (select jsonb_agg(jsonb_build_object('workflow_id', 'sw-many-' || i, 'name', 'job', 'input', i)) from generate_series(1, 1000) i),
          '{"queue": "sw_r"}')$$,
    $$values (1000, 1000)$$, 'a batch of 1000');
select is((select count(*)::int from steadfast.workflows where id like 'sw-many-%'), 1000, 'all enqueued');
select results_eq(
    $$select ordinal, workflow_id from steadfast.start_workflows(
          (select jsonb_agg(jsonb_build_object('workflow_id', 'sw-many-' || i, 'name', 'job')) from generate_series(1, 3) i))$$,
    $$values (1, 'sw-many-1'), (2, 'sw-many-2'), (3, 'sw-many-3')$$, 'the same batch again returns the existing ones');

-- The claim sees them like any other.
select steadfast.register_executor('sw-e', '{"queues": ["sw_q"], "lease_seconds": 86400}');
select results_eq($$select workflow_id from steadfast.claim_workflows('sw-e', 10, '{"names": ["job"]}')$$,
                  $$values ('sw-existing'), ('sw-1'), ('sw-5'), ('sw-2')$$,
                  'claimed in priority order, the delayed one not yet');
select is((select count(*)::int from steadfast.workflows where queue = 'sw_q' and status = 'running'), 4, 'four running');
select is((select count(*)::int from steadfast.workflows where queue = 'sw_q' and status = 'enqueued'), 1, 'one delayed');

select * from finish();
rollback;
