-- A turn's start in one round trip: its transaction's BEGIN travels with a call of this
-- function as one simple query. The function takes the conversation's lock, claims the event
-- and reads the conversation; the statements inside are planned once per connection (PL/pgSQL
-- caches their plans), where a statement written out with its values would be planned on every
-- turn. It is VOLATILE, so in READ COMMITTED each statement inside sees a snapshot taken after
-- the one before it ran: the conversation is read after the lock is held, as a separate
-- statement would read it.
CREATE FUNCTION leadbot_start_turn(
    lock_key BIGINT,
    claimed_event TEXT,
    claimed_at BIGINT,
    conversation_channel TEXT,
    conversation_address TEXT
) RETURNS TABLE (
    claimed BIGINT,
    id BIGINT,
    lead_id BIGINT,
    state TEXT,
    wake_at BIGINT,
    wake_kind TEXT,
    reply_route TEXT
) LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    INSERT INTO processed_events (event_id, processed_at) VALUES (claimed_event, claimed_at)
        ON CONFLICT (event_id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 0::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::TEXT, NULL::BIGINT,
            NULL::TEXT, NULL::TEXT;
        RETURN;
    END IF;
    RETURN QUERY SELECT 1::BIGINT, c.id, c.lead_id, c.state, c.wake_at, c.wake_kind, c.reply_route
        FROM (SELECT 1) AS one
        LEFT JOIN conversations c ON c.channel = conversation_channel
            AND c.address = conversation_address;
END
$$;
