-- 0021 — list_stranded takes a workflow name too: a client that starts a workflow asks once
-- whether any live executor can run that name on that queue (Client.start warns otherwise).
alter type steadfast.stranded_options add attribute name text;
