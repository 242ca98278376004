-- Rep routing and timers. Keep in step with migrations/postgres/0003.

-- Each pool member's place in the rotation: `load` grows by (720720 / weight) per lead.
CREATE TABLE rotation (
    pool TEXT NOT NULL,
    rep_id TEXT NOT NULL,
    load INTEGER NOT NULL,
    assigned INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (pool, rep_id)
) WITHOUT ROWID;

-- Every offer of a lead to a rep (or to the fallback team when rep_id is NULL), with its
-- outcome: offered, accepted, passed, expired (SLA), closed, unassigned.
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL REFERENCES leads (id),
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    rep_id TEXT,
    pool TEXT NOT NULL,
    rule TEXT,
    status TEXT NOT NULL,
    decision TEXT NOT NULL,
    attributes TEXT NOT NULL,
    notice TEXT NOT NULL,
    sla_due_at INTEGER,
    note TEXT,
    created_at INTEGER NOT NULL,
    answered_at INTEGER
);
CREATE INDEX assignments_lead ON assignments (lead_id, id);
CREATE INDEX assignments_open ON assignments (status, rep_id);
CREATE INDEX assignments_sla ON assignments (sla_due_at) WHERE status = 'offered' AND sla_due_at IS NOT NULL;

-- The rep who accepted the lead.
ALTER TABLE leads ADD COLUMN owner TEXT;

-- The conversation's next timer (a nudge, abandonment, a follow-up) and where proactive
-- messages go (the channel's reply route, as JSON).
ALTER TABLE conversations ADD COLUMN wake_at INTEGER;
ALTER TABLE conversations ADD COLUMN wake_kind TEXT;
ALTER TABLE conversations ADD COLUMN reply_route TEXT;
CREATE INDEX conversations_wake ON conversations (wake_at) WHERE wake_at IS NOT NULL;
