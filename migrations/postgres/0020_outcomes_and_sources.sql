-- How hand-offs ended and where leads came from, for the funnel report (issue 17). Keep in
-- step with migrations/sqlite/0020.

-- The outcome of a closed hand-off: won, lost, no_fit or no_response; the deal's value in
-- hundredths of the currency (won deals); who closed it and when.
CREATE TABLE outcomes (
    id BIGSERIAL PRIMARY KEY,
    assignment_id BIGINT NOT NULL UNIQUE,
    lead_id BIGINT NOT NULL,
    rep_id TEXT,
    outcome TEXT NOT NULL,
    value_cents BIGINT,
    currency TEXT,
    note TEXT,
    closed_at BIGINT NOT NULL
);
CREATE INDEX outcomes_lead ON outcomes (lead_id);

-- Where a lead came from (first touch wins): the source and campaign the message API was
-- given, UTM fields, and attributes known before the dialogue asked (company, e-mail).
CREATE TABLE lead_sources (
    lead_id BIGINT PRIMARY KEY,
    source TEXT,
    campaign TEXT,
    utm_source TEXT,
    utm_medium TEXT,
    utm_campaign TEXT,
    utm_term TEXT,
    utm_content TEXT,
    company TEXT,
    email TEXT,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX lead_sources_source ON lead_sources (source);
