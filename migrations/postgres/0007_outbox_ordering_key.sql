-- Items that must arrive in order (a conversation's replies, a lead's notices) share an
-- ordering key; a worker never claims one while an earlier item of its key waits.
ALTER TABLE outbox ADD COLUMN ordering_key TEXT;
UPDATE outbox SET ordering_key = 'conversation:' || (payload::json ->> 'conversation_id')
WHERE kind = 'reply' AND status = 'pending';
CREATE INDEX outbox_ordering ON outbox (destination, ordering_key, id) WHERE status = 'pending';
