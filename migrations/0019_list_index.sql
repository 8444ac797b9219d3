-- 0019 — the newest workflows without reading the others: list_workflows (the dashboard's
-- first page, `steadfast workflows list`) orders by (created_at, id) descending; with this
-- index its first page reads that many index entries, whatever the table holds (measured on
-- 1,000,000 workflows by `make bench`, phase dashboard). Filters by status keep using
-- workflows_status_created.
create index if not exists workflows_created on steadfast.workflows (created_at, id);
