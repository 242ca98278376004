-- leadbot schema, PostgreSQL. Times are Unix milliseconds (UTC). Keep table and column names in
-- step with migrations/sqlite/.
CREATE TABLE leads (
    id BIGSERIAL PRIMARY KEY,
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
    score BIGINT NOT NULL,
    script_id TEXT NOT NULL,
    script_version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    qualified_at BIGINT,
    forgotten_at BIGINT,
    UNIQUE (channel, address)
);
CREATE INDEX leads_stage ON leads (stage, updated_at);

CREATE TABLE conversations (
    id BIGSERIAL PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id),
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    script_id TEXT NOT NULL,
    script_version BIGINT NOT NULL,
    state TEXT NOT NULL,
    finished BIGINT NOT NULL,
    turns BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (channel, address)
);

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
    direction TEXT NOT NULL,
    body TEXT NOT NULL,
    event_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE answers (
    id BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
    lead_id BIGINT NOT NULL REFERENCES leads (id),
    step TEXT NOT NULL,
    criterion TEXT NOT NULL,
    raw TEXT NOT NULL,
    value TEXT NOT NULL,
    points BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX answers_lead ON answers (lead_id, id);

CREATE TABLE score_events (
    id BIGSERIAL PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id),
    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
    points BIGINT NOT NULL,
    reason TEXT NOT NULL,
    rule TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX score_events_lead ON score_events (lead_id, id);

CREATE TABLE stage_changes (
    id BIGSERIAL PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id),
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX stage_changes_lead ON stage_changes (lead_id, id);

CREATE TABLE processed_events (
    event_id TEXT PRIMARY KEY,
    conversation_id BIGINT,
    processed_at BIGINT NOT NULL
);

CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    destination TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE script_versions (
    script_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    stored_at BIGINT NOT NULL,
    PRIMARY KEY (script_id, version)
);
