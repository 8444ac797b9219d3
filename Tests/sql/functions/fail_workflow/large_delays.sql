-- Retry delays at the edges: a policy the engine accepts must never make fail_workflow raise
-- something other than an SF code, or the workflow could not be failed at all. max_delay caps
-- every delay, however many retries came before.
begin;
select plan(3);

select steadfast_test.queue('bigdelay_q');
select steadfast_test.set_now('2030-01-01 00:00:00+00');
select steadfast.register_executor('bigdelay-e', '{"queues": ["bigdelay_q"], "lease_seconds": 86400}');

-- "Retry forever, at most once a minute", after 400 failures. (retry_count is set directly:
-- reaching it through 400 failures would only slow the test down.)
select steadfast.start_workflow('bigdelay-forever', 'job', '{}', $${"queue": "bigdelay_q", "retry":
    {"kind": "exponential", "max_attempts": 1000000, "base_delay": 1, "factor": 10, "max_delay": 60}}$$);
update steadfast.workflows set retry_count = 400 where id = 'bigdelay-forever';
select steadfast.claim_workflows('bigdelay-e', 1);
select lives_ok($$select * from steadfast.fail_workflow('bigdelay-forever', 1, '{"type": "x"}')$$,
                'failure 401 of an exponential policy with a large factor is accepted');
select results_eq($$select status, available_at from steadfast.workflows where id = 'bigdelay-forever'$$,
                  $$values ('enqueued', '2030-01-01 00:01:00+00'::timestamptz)$$,
                  'and retried after max_delay');

-- A delay beyond any timestamp: refused when the policy is given (SF005), or capped when used.
create temp table outcome (what text);
do $$
declare
    v_state text;
begin
    begin
        perform steadfast.start_workflow('bigdelay-huge', 'job', '{}', $p${"queue": "bigdelay_q", "retry":
            {"kind": "fixed", "max_attempts": 3, "base_delay": 1e300, "max_delay": 1e300}}$p$);
    exception when sqlstate 'SF005' then
        insert into outcome values ('refused at start');
        return;
    end;
    perform steadfast.claim_workflows('bigdelay-e', 1);
    begin
        select status into v_state from steadfast.fail_workflow('bigdelay-huge', 1, '{"type": "x"}');
        insert into outcome values ('fail_workflow: ' || v_state);
    exception when others then
        get stacked diagnostics v_state = returned_sqlstate;
        insert into outcome values ('fail_workflow raised ' || v_state);
    end;
end $$;
select ok((select what in ('refused at start', 'fail_workflow: enqueued', 'fail_workflow: failed') from outcome),
          'a policy with an unrepresentable delay is refused at start (SF005) or handled by fail_workflow');
select diag('outcome: ' || what) from outcome where what like '%raised%';

select * from finish();
rollback;
