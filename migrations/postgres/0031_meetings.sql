-- Meetings prospects booked through a rep's (or pool's, or the team's) booking page, reported
-- by the booking provider's webhook (POST /webhooks/booking). One row per booking; a provider
-- retrying its webhook changes nothing. Keep in step with migrations/sqlite/0031.
CREATE TABLE meetings (
    provider TEXT NOT NULL,
    external_id TEXT NOT NULL,
    lead_id BIGINT NOT NULL,
    assignment_id BIGINT,
    starts_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (provider, external_id)
);
CREATE INDEX meetings_lead ON meetings (lead_id);
