-- The message a rep's hand-off card is on, per platform ("slack": channel and ts; "discord":
-- channel and message id), recorded when the rep answers it, with what it shows, so a meeting
-- booked later can be added to that card. Keep in step with migrations/postgres/0033.
CREATE TABLE handoff_cards (
    assignment_id INTEGER NOT NULL,
    destination TEXT NOT NULL,
    channel TEXT NOT NULL,
    message TEXT NOT NULL,
    shown TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (assignment_id, destination)
) WITHOUT ROWID;
