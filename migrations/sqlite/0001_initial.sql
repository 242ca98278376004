-- leadbot schema, SQLite. Times are Unix milliseconds (UTC). Keep table and column names in
-- step with migrations/postgres/.
CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    name TEXT,
    company TEXT,
    email TEXT,
    phone TEXT,
    region TEXT,
    industry TEXT,
    role TEXT,
    stage TEXT NOT NULL,
    score INTEGER NOT NULL,
    script_id TEXT NOT NULL,
    script_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    qualified_at INTEGER,
    forgotten_at INTEGER,
    UNIQUE (channel, address)
);
CREATE INDEX leads_stage ON leads (stage, updated_at);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL REFERENCES leads (id),
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    script_id TEXT NOT NULL,
    script_version INTEGER NOT NULL,
    state TEXT NOT NULL,
    finished INTEGER NOT NULL,
    turns INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (channel, address)
);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    direction TEXT NOT NULL,
    body TEXT NOT NULL,
    event_id TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    lead_id INTEGER NOT NULL REFERENCES leads (id),
    step TEXT NOT NULL,
    criterion TEXT NOT NULL,
    raw TEXT NOT NULL,
    value TEXT NOT NULL,
    points INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX answers_lead ON answers (lead_id, id);

CREATE TABLE score_events (
    id INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL REFERENCES leads (id),
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    points INTEGER NOT NULL,
    reason TEXT NOT NULL,
    rule TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX score_events_lead ON score_events (lead_id, id);

CREATE TABLE stage_changes (
    id INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL REFERENCES leads (id),
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX stage_changes_lead ON stage_changes (lead_id, id);

CREATE TABLE processed_events (
    event_id TEXT PRIMARY KEY,
    conversation_id INTEGER,
    processed_at INTEGER NOT NULL
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    destination TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE script_versions (
    script_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    stored_at INTEGER NOT NULL,
    PRIMARY KEY (script_id, version)
);
