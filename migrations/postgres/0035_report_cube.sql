-- The funnel report's cube (issue 17): every figure of the report summed per day and per
-- slice (channel, source, script version), so a report over a million conversations reads a
-- few hundred thousand narrow rows instead of the whole history. Keep in step with
-- migrations/sqlite/0035.
--
-- Triggers note which leads changed (report_changes); a refresh (src/store/funnel/cube.rs)
-- turns them into the days to recount (report_dirty_days) and recounts those days from the
-- raw rows. Nothing else writes the cube, so it is always a recount of some moment.

CREATE TABLE report_changes (
    id BIGSERIAL PRIMARY KEY,
    lead_id BIGINT,
    day BIGINT
);

CREATE TABLE report_dirty_days (
    day BIGINT PRIMARY KEY
);

-- One row per section, day and slice: `k`/`k2` name what it counts (a step, a rep, a
-- currency…), `v` is a duration bucket for the medians, n1…n9 the counts.
CREATE TABLE report_cube (
    day BIGINT NOT NULL,
    sec TEXT NOT NULL,
    channel TEXT NOT NULL,
    source TEXT NOT NULL,
    script_id TEXT NOT NULL,
    script_version TEXT NOT NULL,
    k TEXT,
    k2 TEXT,
    v BIGINT,
    n1 BIGINT, n2 BIGINT, n3 BIGINT, n4 BIGINT, n5 BIGINT,
    n6 BIGINT, n7 BIGINT, n8 BIGINT, n9 BIGINT
);
CREATE INDEX report_cube_day ON report_cube (day);

-- Which writes are noted. A turn always updates its conversation, so the conversation's
-- triggers note every turn's lead once, and the tables a turn writes with it (answers, stage
-- changes, the lead's stage and flags) need no trigger of their own for inserts and the
-- turn's updates: one note per turn instead of three keeps turns 12-16 % faster (see
-- docs/benchmarks.md). What changes them outside a turn is watched by column: a rep's
-- acceptance (owner), a won outcome (won), a merge (merged_into, its recount of both leads'
-- flags, which sets won, and the rows it moves to another lead). Every other table a lead's
-- figures come from is watched whole. Statement-level where it can be, so a bulk write notes each
-- lead once per statement.
CREATE FUNCTION report_note_lead_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_changes (lead_id) SELECT DISTINCT lead_id FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO report_changes (lead_id)
            SELECT lead_id FROM new_rows UNION SELECT lead_id FROM old_rows;
    ELSE
        INSERT INTO report_changes (lead_id) SELECT DISTINCT lead_id FROM old_rows;
        IF TG_TABLE_NAME = 'conversations' THEN
            INSERT INTO report_changes (day)
                SELECT DISTINCT created_at / 86400000 * 86400000 FROM old_rows;
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- One row's lead (column lists and transition tables do not go together).
CREATE FUNCTION report_note_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'leads' THEN
        INSERT INTO report_changes (lead_id) VALUES (NEW.id);
    ELSE
        INSERT INTO report_changes (lead_id) VALUES (NEW.lead_id);
        IF OLD.lead_id IS DISTINCT FROM NEW.lead_id THEN
            INSERT INTO report_changes (lead_id) VALUES (OLD.lead_id);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION report_note_deleted_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_changes (lead_id) SELECT id FROM old_rows;
    RETURN NULL;
END $$;

CREATE TRIGGER report_leads_updated AFTER UPDATE OF owner, won, merged_into ON leads
    FOR EACH ROW EXECUTE FUNCTION report_note_row();
CREATE TRIGGER report_leads_deleted AFTER DELETE ON leads
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_note_deleted_leads();
CREATE TRIGGER report_answers_moved AFTER UPDATE OF lead_id, conversation_id ON answers
    FOR EACH ROW EXECUTE FUNCTION report_note_row();
CREATE TRIGGER report_stage_changes_moved AFTER UPDATE OF lead_id ON stage_changes
    FOR EACH ROW EXECUTE FUNCTION report_note_row();

DO $$
DECLARE
    watched TEXT;
BEGIN
    FOREACH watched IN ARRAY ARRAY['answers', 'stage_changes']
    LOOP
        EXECUTE format('CREATE TRIGGER report_%s_deleted AFTER DELETE ON %I '
            'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION report_note_lead_id()', watched, watched);
    END LOOP;
    FOREACH watched IN ARRAY ARRAY['conversations', 'assignments', 'outcomes', 'meetings',
                                   'lead_sources']
    LOOP
        EXECUTE format('CREATE TRIGGER report_%s_inserted AFTER INSERT ON %I '
            'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION report_note_lead_id()', watched, watched);
        EXECUTE format('CREATE TRIGGER report_%s_updated AFTER UPDATE ON %I '
            'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION report_note_lead_id()', watched, watched);
        EXECUTE format('CREATE TRIGGER report_%s_deleted AFTER DELETE ON %I '
            'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
            'EXECUTE FUNCTION report_note_lead_id()', watched, watched);
    END LOOP;
END $$;

-- Every day with a conversation is counted by the first refresh.
INSERT INTO report_dirty_days (day)
    SELECT DISTINCT created_at / 86400000 * 86400000 FROM conversations;
