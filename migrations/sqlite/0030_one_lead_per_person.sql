-- One lead per person. A lead used to be one (channel, address); now the people behind it are
-- recognised wherever they come back: by their Slack or Discord user, or by an e-mail address
-- they gave. A new conversation of a known person joins their lead. Keep in step with
-- migrations/postgres/0030.
CREATE TABLE lead_identities (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    lead_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE INDEX lead_identities_lead ON lead_identities (lead_id);

-- A lead folded into another (`leads merge`, or the same e-mail given again): its history was
-- moved to that lead; the row stays so its id still explains where it went.
ALTER TABLE leads ADD COLUMN merged_into INTEGER;

-- The people behind the leads already stored, oldest lead first (a person seen twice keeps
-- their first lead; `leads merge` folds in the other). Slack and Discord addresses end with
-- the user id: dm:<user>, thread:<channel>:<ts>:<user>, thread:<thread>:<user>.
INSERT OR IGNORE INTO lead_identities (kind, value, lead_id, created_at)
SELECT CASE channel WHEN 'slack' THEN 'slack_user' ELSE 'discord_user' END,
       replace(address, rtrim(address, replace(address, ':', '')), ''),
       id, created_at
FROM leads
WHERE channel IN ('slack', 'discord') AND forgotten_at IS NULL
  AND (address LIKE 'dm:%' OR address LIKE 'thread:%')
ORDER BY id;
INSERT OR IGNORE INTO lead_identities (kind, value, lead_id, created_at)
SELECT 'email', lower(trim(email)), id, created_at
FROM leads
WHERE email LIKE '%_@_%.%' AND forgotten_at IS NULL
ORDER BY id;
