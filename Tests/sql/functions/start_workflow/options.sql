-- start_workflow options: queue, priority, delay_seconds or available_at, app_version,
-- max_recovery_attempts, retry (normalized), deadline, parent; and their defaults.
begin;
select plan(14);

select steadfast_test.queue('start_opts_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');

select results_eq(
    $$select workflow_id, status, created, queue, available_at, output, error
      from steadfast.start_workflow('opts-default', 'job', '{"a": 1}')$$,
    $$values ('opts-default', 'enqueued', true, 'default', '2030-01-01 00:00:00+00'::timestamptz, null::jsonb, null::jsonb)$$,
    'the result of a start without options');
select results_eq(
    $$select queue, priority, available_at, app_version, max_recovery_attempts, retry_policy, deadline,
             parent_id, attempt, recovery_attempts, retry_count, executor_id, created_at
      from steadfast.workflows where id = 'opts-default'$$,
    $$values ('default', 0, '2030-01-01 00:00:00+00'::timestamptz, null::text, 10, null::jsonb, null::timestamptz,
              null::text, 0, 0, 0, null::text, '2030-01-01 00:00:00+00'::timestamptz)$$,
    'defaults: queue "default", priority 0, available now, no version, 10 recovery attempts, no retry policy');

select results_eq(
    $$select queue, available_at from steadfast.start_workflow('opts-queue', 'job', null, '{"queue": "start_opts_q"}')$$,
    $$values ('start_opts_q', '2030-01-01 00:00:00+00'::timestamptz)$$,
    'queue: the workflow goes to that queue');
select is((select input from steadfast.workflows where id = 'opts-queue'), 'null'::jsonb, 'a SQL null input is JSON null');
select lives_ok($$select steadfast.start_workflow('opts-nullopts', 'job', '{}', null)$$, 'null options mean no options');

select steadfast.start_workflow('opts-priority', 'job', '{}', '{"priority": -5}');
select is((select priority from steadfast.workflows where id = 'opts-priority'), -5, 'priority is stored');

select is((select available_at from steadfast.start_workflow('opts-delay', 'job', '{}', '{"delay_seconds": 90.5}')),
          '2030-01-01 00:01:30.5+00'::timestamptz, 'delay_seconds: available that many seconds from now');
select is((select available_at from steadfast.workflows where id = 'opts-delay'),
          '2030-01-01 00:01:30.5+00'::timestamptz, 'and stored so');
select is((select available_at from steadfast.start_workflow('opts-delay0', 'job', '{}', '{"delay_seconds": 0}')),
          '2030-01-01 00:00:00+00'::timestamptz, 'delay_seconds 0: available now');
select is((select available_at from steadfast.start_workflow('opts-at', 'job', '{}', '{"available_at": "2031-06-01T12:00:00Z"}')),
          '2031-06-01 12:00:00+00'::timestamptz, 'available_at: available at that time');

select steadfast.start_workflow('opts-all', 'job', '{}', $${"app_version": "v3", "max_recovery_attempts": 2,
    "deadline": "2030-02-01T00:00:00Z", "parent_id": "opts-default", "parent_step": "spawn"}$$);
select results_eq(
    $$select app_version, max_recovery_attempts, deadline, parent_id, parent_step
      from steadfast.workflows where id = 'opts-all'$$,
    $$values ('v3', 2, '2030-02-01 00:00:00+00'::timestamptz, 'opts-default', 'spawn')$$,
    'app_version, max_recovery_attempts, deadline, parent_id and parent_step are stored');

select steadfast.start_workflow('opts-retry', 'job', '{}', '{"retry": {"kind": "exponential"}}');
select is((select retry_policy from steadfast.workflows where id = 'opts-retry'),
          '{"kind": "exponential", "max_attempts": 3, "base_delay": 1, "factor": 2, "max_delay": 3600, "jitter": 0}'::jsonb,
          'a retry policy is stored normalized, with its defaults');
select steadfast.start_workflow('opts-retry-none', 'job', '{}', '{"retry": {"kind": "none"}}');
select is((select retry_policy from steadfast.workflows where id = 'opts-retry-none'),
          '{"kind": "none", "max_attempts": 1}'::jsonb, 'kind none: a single run');
select steadfast.start_workflow('opts-retry-null', 'job', '{}', '{"retry": null}');
select is((select retry_policy from steadfast.workflows where id = 'opts-retry-null'), null, 'retry null: no policy');

select * from finish();
rollback;
