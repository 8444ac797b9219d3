-- 0020 — list_stranded (sql/70_read.sql): the stranded workflows with the reason none of the
-- live executors can run each, for a viewer (the dashboard) that reads through functions only.
create type steadfast.stranded_options as (queue text, "limit" steadfast.page);
