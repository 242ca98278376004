-- Meetings prospects booked through a rep's (or pool's, or the team's) booking page, reported
-- by the booking provider's webhook (POST /webhooks/booking). One row per booking; a provider
-- retrying its webhook changes nothing. Keep in step with migrations/postgres/0031.
CREATE TABLE meetings (
    provider TEXT NOT NULL,
    external_id TEXT NOT NULL,
    lead_id INTEGER NOT NULL,
    assignment_id INTEGER,
    starts_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (provider, external_id)
) WITHOUT ROWID;
CREATE INDEX meetings_lead ON meetings (lead_id);
