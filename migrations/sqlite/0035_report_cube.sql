-- The funnel report's cube (issue 17): every figure of the report summed per day and per
-- slice (channel, source, script version), so a report over a large history reads narrow
-- rows instead of the whole history. Keep in step with migrations/postgres/0035.
--
-- Triggers note which leads changed (report_changes); a refresh (src/store/funnel/cube.rs)
-- turns them into the days to recount (report_dirty_days) and recounts those days from the
-- raw rows. Nothing else writes the cube, so it is always a recount of some moment.

CREATE TABLE report_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id INTEGER,
    day INTEGER
);

CREATE TABLE report_dirty_days (
    day INTEGER PRIMARY KEY
);

-- One row per section, day and slice: `k`/`k2` name what it counts (a step, a rep, a
-- currency…), `v` is a duration bucket for the medians, n1…n9 the counts.
CREATE TABLE report_cube (
    day INTEGER NOT NULL,
    sec TEXT NOT NULL,
    channel TEXT NOT NULL,
    source TEXT NOT NULL,
    script_id TEXT NOT NULL,
    script_version TEXT NOT NULL,
    k TEXT,
    k2 TEXT,
    v INTEGER,
    n1 INTEGER, n2 INTEGER, n3 INTEGER, n4 INTEGER, n5 INTEGER,
    n6 INTEGER, n7 INTEGER, n8 INTEGER, n9 INTEGER
);
CREATE INDEX report_cube_day ON report_cube (day);

-- Which writes are noted. A turn always updates its conversation, so the conversation's
-- triggers note every turn's lead once, and the tables a turn writes with it (answers, stage
-- changes, the lead's stage and flags) need no trigger of their own for inserts and the
-- turn's updates: one note per turn instead of three keeps turns 12-16 % faster (see
-- docs/benchmarks.md). What changes them outside a turn is watched by column: a rep's
-- acceptance (owner), a won outcome (won), a merge (merged_into, its recount of both leads'
-- flags, which sets won, and the rows it moves to another lead). Every other table a lead's
-- figures come from is watched whole.
CREATE TRIGGER report_leads_updated AFTER UPDATE OF owner, won, merged_into ON leads
BEGIN INSERT INTO report_changes (lead_id) VALUES (NEW.id); END;
CREATE TRIGGER report_leads_deleted AFTER DELETE ON leads
BEGIN INSERT INTO report_changes (lead_id) VALUES (OLD.id); END;
CREATE TRIGGER report_answers_moved AFTER UPDATE OF lead_id, conversation_id ON answers
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id);
    INSERT INTO report_changes (lead_id) SELECT OLD.lead_id WHERE OLD.lead_id <> NEW.lead_id;
END;
CREATE TRIGGER report_answers_deleted AFTER DELETE ON answers
BEGIN INSERT INTO report_changes (lead_id) VALUES (OLD.lead_id); END;
CREATE TRIGGER report_stage_changes_moved AFTER UPDATE OF lead_id ON stage_changes
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id);
    INSERT INTO report_changes (lead_id) SELECT OLD.lead_id WHERE OLD.lead_id <> NEW.lead_id;
END;
CREATE TRIGGER report_stage_changes_deleted AFTER DELETE ON stage_changes
BEGIN INSERT INTO report_changes (lead_id) VALUES (OLD.lead_id); END;

CREATE TRIGGER report_conversations_inserted AFTER INSERT ON conversations
BEGIN INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id); END;
CREATE TRIGGER report_conversations_updated AFTER UPDATE ON conversations
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id);
    INSERT INTO report_changes (lead_id) SELECT OLD.lead_id WHERE OLD.lead_id <> NEW.lead_id;
END;
CREATE TRIGGER report_conversations_deleted AFTER DELETE ON conversations
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (OLD.lead_id);
    INSERT INTO report_changes (day) VALUES (OLD.created_at / 86400000 * 86400000);
END;

CREATE TRIGGER report_assignments_inserted AFTER INSERT ON assignments
BEGIN INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id); END;
CREATE TRIGGER report_assignments_updated AFTER UPDATE ON assignments
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id);
    INSERT INTO report_changes (lead_id) SELECT OLD.lead_id WHERE OLD.lead_id <> NEW.lead_id;
END;
CREATE TRIGGER report_assignments_deleted AFTER DELETE ON assignments
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (OLD.lead_id);
END;

CREATE TRIGGER report_outcomes_inserted AFTER INSERT ON outcomes
BEGIN INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id); END;
CREATE TRIGGER report_outcomes_updated AFTER UPDATE ON outcomes
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id);
    INSERT INTO report_changes (lead_id) SELECT OLD.lead_id WHERE OLD.lead_id <> NEW.lead_id;
END;
CREATE TRIGGER report_outcomes_deleted AFTER DELETE ON outcomes
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (OLD.lead_id);
END;

CREATE TRIGGER report_meetings_inserted AFTER INSERT ON meetings
BEGIN INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id); END;
CREATE TRIGGER report_meetings_updated AFTER UPDATE ON meetings
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id);
    INSERT INTO report_changes (lead_id) SELECT OLD.lead_id WHERE OLD.lead_id <> NEW.lead_id;
END;
CREATE TRIGGER report_meetings_deleted AFTER DELETE ON meetings
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (OLD.lead_id);
END;

CREATE TRIGGER report_lead_sources_inserted AFTER INSERT ON lead_sources
BEGIN INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id); END;
CREATE TRIGGER report_lead_sources_updated AFTER UPDATE ON lead_sources
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id);
    INSERT INTO report_changes (lead_id) SELECT OLD.lead_id WHERE OLD.lead_id <> NEW.lead_id;
END;
CREATE TRIGGER report_lead_sources_deleted AFTER DELETE ON lead_sources
BEGIN
    INSERT INTO report_changes (lead_id) VALUES (OLD.lead_id);
END;

-- Every day with a conversation is counted by the first refresh.
INSERT INTO report_dirty_days (day)
    SELECT DISTINCT created_at / 86400000 * 86400000 FROM conversations;
