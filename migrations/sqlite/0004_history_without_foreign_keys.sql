-- The history tables (messages, answers, score events, stage changes) are append-only and
-- written only by a turn that holds the writer and has just read the conversation and its
-- lead; nothing deletes a lead or a conversation (`leads forget` erases in place). Their
-- foreign keys checked what the store already guarantees, once per row. SQLite cannot drop a
-- constraint, so each table is rebuilt without them (ids kept). Kept in step with
-- migrations/postgres/0004.
CREATE TABLE messages_new (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    direction TEXT NOT NULL,
    body TEXT NOT NULL,
    event_id TEXT,
    created_at INTEGER NOT NULL
);
INSERT INTO messages_new (id, conversation_id, direction, body, event_id, created_at)
    SELECT id, conversation_id, direction, body, event_id, created_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE answers_new (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    lead_id INTEGER NOT NULL,
    step TEXT NOT NULL,
    criterion TEXT NOT NULL,
    raw TEXT NOT NULL,
    value TEXT NOT NULL,
    points INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO answers_new (id, conversation_id, lead_id, step, criterion, raw, value, points, created_at)
    SELECT id, conversation_id, lead_id, step, criterion, raw, value, points, created_at FROM answers;
DROP TABLE answers;
ALTER TABLE answers_new RENAME TO answers;
CREATE INDEX answers_lead ON answers (lead_id, id);

CREATE TABLE score_events_new (
    id INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    points INTEGER NOT NULL,
    reason TEXT NOT NULL,
    rule TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO score_events_new (id, lead_id, conversation_id, points, reason, rule, created_at)
    SELECT id, lead_id, conversation_id, points, reason, rule, created_at FROM score_events;
DROP TABLE score_events;
ALTER TABLE score_events_new RENAME TO score_events;
CREATE INDEX score_events_lead ON score_events (lead_id, id);

CREATE TABLE stage_changes_new (
    id INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO stage_changes_new (id, lead_id, from_stage, to_stage, reason, created_at)
    SELECT id, lead_id, from_stage, to_stage, reason, created_at FROM stage_changes;
DROP TABLE stage_changes;
ALTER TABLE stage_changes_new RENAME TO stage_changes;
CREATE INDEX stage_changes_lead ON stage_changes (lead_id, id);
