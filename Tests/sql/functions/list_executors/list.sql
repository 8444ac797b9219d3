-- list_executors and the view executor_overview: each executor's state (alive, lease expired,
-- session lost, stopped), version, queues and running count.
begin;
select plan(9);

select steadfast_test.queue('le_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('le-alive', '{"queues": ["le_q"], "app_version": "v3", "host": "h1", "pid": 42,
                                                 "lease_seconds": 60, "metadata": {"workflows": ["job"]}}');
select steadfast.start_workflow('le-w', 'job', '{}', '{"queue": "le_q"}');
select steadfast.claim_workflows('le-alive', 1);
-- Executors whose process is gone: rows no session's lock backs (as a killed process leaves).
insert into steadfast.executors (id, queues, lease_seconds, session_pid, lease_expires_at, heartbeat_at)
values ('le-lost', '{le_q}', 60, 0, '2030-01-01 00:01:00+00', '2030-01-01 00:00:00+00'),
       ('le-expired', '{le_q}', 60, pg_backend_pid(), '2029-12-31 23:59:00+00', '2029-12-31 23:58:00+00');
insert into steadfast.executors (id, queues, lease_expires_at, stopped_at, stop_reason)
values ('le-stopped', '{le_q}', '2030-01-01 00:00:00+00', '2030-01-01 00:00:00+00', 'deregistered');

select results_eq(
    $$select executor_id, host, pid, app_version, queues, state, alive, running, workflows
      from steadfast.list_executors() where executor_id like 'le-%'$$,
    $$values ('le-alive', 'h1', 42, 'v3', '["le_q"]'::jsonb, 'alive', true, 1, '["job"]'::jsonb),
             ('le-expired', null, null, null, '["le_q"]', 'lease expired', false, 0, null),
             ('le-lost', null, null, null, '["le_q"]', 'session lost', false, 0, null)$$,
    'live and dead executors, not the stopped one, by id');
select results_eq(
    $$select executor_id, state, stop_reason from steadfast.list_executors('{"include_stopped": true}')
      where executor_id = 'le-stopped'$$,
    $$values ('le-stopped', 'stopped', 'deregistered')$$, 'include_stopped adds stopped executors');
select results_eq(
    $$select executor_id, state from steadfast.executor_overview where executor_id like 'le-%' order by 1$$,
    $$values ('le-alive', 'alive'), ('le-expired', 'lease expired'), ('le-lost', 'session lost'), ('le-stopped', 'stopped')$$,
    'the view shows every executor');
select is((select lease_expires_at from steadfast.list_executors() where executor_id = 'le-alive'),
          '2030-01-01 00:01:00+00'::timestamptz, 'with its lease');

select * from steadfast_test.rejects($$select * from steadfast.list_executors('{"all": true}')$$, 'SF005', 'an unknown option');
select * from steadfast_test.rejects($$select * from steadfast.list_executors('{"include_stopped": "yes"}')$$, 'SF005',
    'include_stopped that is not a boolean');
select lives_ok($$select * from steadfast.list_executors(null)$$, 'null options mean none');

select * from finish();
rollback;
