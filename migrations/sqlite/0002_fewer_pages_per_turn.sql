-- Fewer pages written per turn: the stage index no longer contains updated_at (which changes
-- on every turn), and processed event ids live in one b-tree (WITHOUT ROWID) instead of a table
-- plus its primary-key index.
DROP INDEX leads_stage;
CREATE INDEX leads_stage ON leads (stage);

CREATE TABLE processed_events_by_id (
    event_id TEXT PRIMARY KEY,
    conversation_id INTEGER,
    processed_at INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO processed_events_by_id (event_id, conversation_id, processed_at)
    SELECT event_id, conversation_id, processed_at FROM processed_events;
DROP TABLE processed_events;
ALTER TABLE processed_events_by_id RENAME TO processed_events;
