-- The outbox destinations the serving deployment delivers (written by `leadbot serve` at
-- start), so any process that queues a hand-off notice (a rep answering from a shell) queues
-- the same ones, whatever its own environment holds.
CREATE TABLE served_destinations (
    destination TEXT PRIMARY KEY,
    recorded_at BIGINT NOT NULL
);
