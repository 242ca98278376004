-- The stage index no longer contains updated_at, which changes on every turn (kept in step
-- with migrations/sqlite/0002).
DROP INDEX leads_stage;
CREATE INDEX leads_stage ON leads (stage);
