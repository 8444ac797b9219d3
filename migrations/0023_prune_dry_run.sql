-- 0023 — prune_workflows takes a dry_run option: it counts what it would delete (workflows and
-- their steps) and deletes nothing, so an operator (or `steadfast prune --dry-run`) sees the
-- effect of a retention rule before applying it.
alter type steadfast.prune_options add attribute dry_run boolean;
