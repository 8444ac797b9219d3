-- record_step inside the caller's own transaction: how a worker in any language makes a step
-- exactly-once. Its statements and the checkpoint commit together, or neither does.
begin;
select plan(6);

select steadfast_test.queue('tx_q');
select steadfast.register_executor('tx-e', '{"queues": ["tx_q"]}');
select steadfast.start_workflow('tx-w', 'ledger', '{}', '{"queue": "tx_q"}');
select attempt from steadfast.claim_workflows('tx-e', 1);
create temp table ledger (workflow_id text, amount int);

-- A stale attempt: the checkpoint is fenced and the statement before it rolls back with it.
select throws_ok($$
    do $body$ begin
        insert into ledger values ('tx-w', 10);
        perform steadfast.record_step('tx-w', 7, 'debit', '{"balance": 90}');
    end $body$ $$,
    'SF003', null, 'a stale attempt''s checkpoint is refused');
select is((select count(*)::int from ledger), 0, 'and its insert is rolled back with it');
select is((select count(*)::int from steadfast.steps where workflow_id = 'tx-w'), 0, 'no checkpoint');

-- The current attempt: both commit.
do $body$ begin
    insert into ledger values ('tx-w', 10);
    perform steadfast.record_step('tx-w', 1, 'debit', '{"balance": 90}');
end $body$;
select is((select count(*)::int from ledger), 1, 'the current attempt''s insert stands');
select is((select output from steadfast.steps where workflow_id = 'tx-w' and step_key = 'debit'),
          '{"balance": 90}'::jsonb, 'with its checkpoint');

-- A replay sees the checkpoint and does not run the statement again.
select is((select steps -> 0 ->> 'key' from steadfast.get_workflow('tx-w')), 'debit',
          'the recorded step is what a replay returns');

select * from finish();
rollback;
