-- 0018 — a workflow carries the trace context of whoever started it (W3C Trace Context), so
-- that every execution of it — the first, a retry, a recovery on another worker, a resume, a
-- fork, its children — joins the starter's trace. Start option `traceparent` (and
-- `tracestate`), from any language; the columns are read from SQL as they are.
-- claim_workflows and start_workflow_and_claim return them (and what the workers' metrics
-- need): a function's result type cannot change in place, so the old ones go and
-- sql/40_claim.sql creates the new ones; their grants come back from role_grants.
create domain steadfast.traceparent as text
    check (value ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'
           and pg_catalog.left(value, 2) <> 'ff'
           and pg_catalog.substr(value, 4, 32) <> '00000000000000000000000000000000'
           and pg_catalog.substr(value, 37, 16) <> '0000000000000000');
comment on domain steadfast.traceparent is
    'a W3C traceparent: version, trace id (32 lowercase hex digits, not all 0), parent id (16, not all 0) and flags (2), joined by "-"';
create domain steadfast.tracestate as text check (pg_catalog.length(value) <= 512);
comment on domain steadfast.tracestate is 'a W3C tracestate of at most 512 characters';

alter type steadfast.start_options add attribute traceparent steadfast.traceparent,
                                   add attribute tracestate steadfast.tracestate;
alter table steadfast.workflows add column traceparent text, add column tracestate text;

drop function if exists steadfast.claim_workflows(text, integer, jsonb);
drop function if exists steadfast.start_workflow_and_claim(text, text, text, jsonb, jsonb);
