-- 0012 — get_workflow and list_workflows say what a waiting workflow waits for: their result
-- gains a `wait` column, and a function's result type cannot change in place. sql/70_read.sql
-- creates them again (and sql/90_grants.sql gives their roles back).
drop function if exists steadfast.get_workflow(text);
drop function if exists steadfast.list_workflows(jsonb);
