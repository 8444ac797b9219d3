-- Hostile roles, the clock: application roles cannot move the engine's time.
--
-- Any role may SET the custom setting steadfast.fake_now in its own session; the engine must
-- ignore it unless the session's login role (session_user, which SET ROLE does not change)
-- is a member of the schema's owner. Checked in real sessions logged in as the roles (dblink):
-- a worker whose clock says 2999 registers, heartbeats and claims at the real time — it does
-- not expire another live executor's lease, take its running workflow, or claim a delayed
-- workflow; its tick does not fire a schedule due only in its fake future, and the schedule
-- it creates starts from the real now; a client whose clock says 2999, or 2000 (to jump the
-- queue), starts, batch-starts and cancels at the real time; neither role can call
-- set_fake_now (the database-wide clock). The owner's session still moves time (control).
-- Login roles cannot be created inside the test's transaction (another session could not see
-- them): they are created first and dropped at the end, as are the committed fixtures
-- (prefix hclk); a previous run's leftovers are removed first.
set client_min_messages = warning;

select 'sfh_clk_w_' || current_database() as worker, 'sfh_clk_c_' || current_database() as client \gset
select steadfast_test.cleanup('hclk');
select steadfast_test.fresh_role(:'worker', 'worker');
select steadfast_test.fresh_role(:'client', 'client');

begin;
select plan(20);

-- Committed fixtures, written by the owner's own session.
select steadfast_test.remote('hclk_owner', $$
    insert into steadfast.queues (name) values ('hclk_q') on conflict do nothing;
    do $b$ begin
        perform steadfast.start_workflow('hclk-1', 'job', '{}', '{"queue": "hclk_q", "priority": 0}');
        perform steadfast.start_workflow('hclk-2', 'job', '{}', '{"queue": "hclk_q", "priority": 1}');
        perform steadfast.start_workflow('hclk-3', 'job', '{}', '{"queue": "hclk_q", "delay_seconds": 86400}');
        perform steadfast.create_schedule('hclk_sched', '0 0 1 1 *', 'job', '{"queue": "hclk_q"}');
    end $b$;
$$);

-- The victim: a live executor (worker role, its own session) running hclk-1.
select steadfast_test.connect_as('hclk_victim', :'worker');
select steadfast_test.remote_value('hclk_victim',
    $$select executor_id from steadfast.register_executor('hclk-victim', '{"queues": ["hclk_q"], "lease_seconds": 60}')$$);
select is(steadfast_test.remote_value('hclk_victim', $$select workflow_id from steadfast.claim_workflows('hclk-victim', 1)$$),
          'hclk-1', 'the victim executor runs hclk-1');

-- The hostile worker: same role, its own session, its clock in 2999.
select steadfast_test.connect_as('hclk_hostile', :'worker');
select lives_ok($$select steadfast_test.remote('hclk_hostile', 'set steadfast.fake_now = ''2999-01-01 00:00:00+00''')$$,
                'a worker session may set steadfast.fake_now');
select is(steadfast_test.remote_value('hclk_hostile', $$select current_setting('steadfast.fake_now')$$),
          '2999-01-01 00:00:00+00', 'and the setting is in effect in its session');

create temp table hostile_register as
select steadfast_test.remote_value('hclk_hostile',
    $$select lease_expires_at from steadfast.register_executor('hclk-hostile', '{"queues": ["hclk_q"], "lease_seconds": 30}')$$
)::timestamptz as lease_expires_at;
select ok((select lease_expires_at between clock_timestamp() and clock_timestamp() + interval '90 seconds' from hostile_register),
          'its registration leases from the real time, not 2999');

create temp table hostile_claim as
select string_agg(v, ',' order by v) as ids
from dblink('hclk_hostile', $$select workflow_id from steadfast.claim_workflows('hclk-hostile', 10)$$) as t(v text);
select is((select coalesce(ids, '') from hostile_claim), 'hclk-2',
          'its claim takes only what is claimable at the real time');
select is((select stopped_at from steadfast.executors where id = 'hclk-victim'), null,
          'the other live executor was not declared dead');
select results_eq($$select status, executor_id, attempt from steadfast.workflows where id = 'hclk-1'$$,
                  $$values ('running', 'hclk-victim', 1)$$,
                  'its running workflow was not taken');
select is((select status from steadfast.workflows where id = 'hclk-3'), 'enqueued',
          'a workflow delayed by a day was not claimed');

select ok(steadfast_test.remote_value('hclk_hostile', $$select steadfast.heartbeat_executor('hclk-hostile')$$)::timestamptz
              between clock_timestamp() and clock_timestamp() + interval '90 seconds',
          'its heartbeat extends the lease from the real time');

-- Schedules: hclk_sched is due next 1 January (real time); in 2999 it would be long overdue.
create temp table sched_before as select next_fire_at from steadfast.schedules where name = 'hclk_sched';
create temp table hostile_tick as
select t.* from dblink('hclk_hostile', $$select started, checked_at from steadfast.tick_schedules()$$)
    as t(started integer, checked_at timestamptz);
select ok((select abs(extract(epoch from checked_at - clock_timestamp())) < 60 from hostile_tick),
          'its tick checks schedules at the real time');
select is((select next_fire_at from steadfast.schedules where name = 'hclk_sched'), (select next_fire_at from sched_before),
          'and does not fire a schedule due only in its fake future');
select is_empty($$select id from steadfast.workflows where id like 'schedule:hclk_sched@%'$$,
                'no occurrence of it was started');
select ok(steadfast_test.remote_value('hclk_hostile',
              $$select next_fire_at from steadfast.create_schedule('hclk_sched2', '0 0 1 1 *', 'job', '{"queue": "hclk_q"}')$$
          )::timestamptz <= clock_timestamp() + interval '366 days',
          'a schedule it creates starts from the real now');

-- The hostile client: clocks in the future and in the past (to jump the queue).
select steadfast_test.connect_as('hclk_client', :'client');
select steadfast_test.remote('hclk_client', 'set steadfast.fake_now = ''2999-01-01 00:00:00+00''');
select steadfast_test.remote_value('hclk_client',
    $$select steadfast.start_workflow('hclk-c1', 'job', '{}', '{"queue": "hclk_q"}')$$);
select steadfast_test.remote('hclk_client', 'set steadfast.fake_now = ''2000-01-01 00:00:00+00''');
select steadfast_test.remote_value('hclk_client',
    $$select steadfast.start_workflow('hclk-c2', 'job', '{}', '{"queue": "hclk_q"}')$$);
select steadfast_test.remote_value('hclk_client',
    $$select steadfast.start_workflows('[{"name": "job", "workflow_id": "hclk-c3"}]', '{"queue": "hclk_q"}')$$);
select is_empty(
    $$select id || ': created ' || created_at || ', available ' || available_at from steadfast.workflows
      where id in ('hclk-c1', 'hclk-c2', 'hclk-c3')
        and not (abs(extract(epoch from created_at - clock_timestamp())) < 60
                 and abs(extract(epoch from available_at - clock_timestamp())) < 60)$$,
    'a client''s starts are stamped with the real time, whatever its fake_now');
select is((select count(*)::integer from steadfast.workflows where id in ('hclk-c1', 'hclk-c2', 'hclk-c3')), 3,
          'the three starts happened');
select steadfast_test.remote_value('hclk_client', $$select steadfast.cancel_workflow('hclk-c1')$$);
select ok((select abs(extract(epoch from completed_at - clock_timestamp())) < 60 from steadfast.workflows where id = 'hclk-c1'),
          'its cancellation is stamped with the real time');

-- The database-wide clock is the owner's.
select throws_ok($$select steadfast_test.remote_value('hclk_hostile', 'select steadfast.set_fake_now(''2999-01-01'')')$$,
                 '42501', null, 'a worker cannot call set_fake_now');
select throws_ok($$select steadfast_test.remote_value('hclk_client', 'select steadfast.set_fake_now(''2000-01-01'')')$$,
                 '42501', null, 'nor can a client');
select is_empty($$select fake_now from steadfast.fake_clock$$, 'the database-wide fake clock is not set');

-- Control: the owner's session still moves time.
select steadfast_test.remote('hclk_owner', 'set steadfast.fake_now = ''2999-01-01 00:00:00+00''');
select is(steadfast_test.remote_value('hclk_owner', 'select steadfast.now()')::timestamptz,
          '2999-01-01 00:00:00+00'::timestamptz, 'the owner''s session still honours steadfast.fake_now (control)');

select * from finish();
rollback;

-- Cleanup: the sessions (their executors' locks), then the fixtures and the roles.
select steadfast_test.cleanup('hclk', :'worker', :'client');
