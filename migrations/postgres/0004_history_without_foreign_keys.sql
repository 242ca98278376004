-- The history tables (messages, answers, score events, stage changes) are append-only and
-- written only by a turn that holds its conversation's lock and has just read the conversation
-- and its lead; nothing deletes a lead or a conversation (`leads forget` erases in place). Their
-- foreign keys checked what the store already guarantees, at the cost of one trigger query per
-- row: about a tenth of a turn's time on PostgreSQL (leadbot bench, C=64). Kept in step with
-- migrations/sqlite/0004.
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_conversation_id_fkey;
ALTER TABLE answers DROP CONSTRAINT IF EXISTS answers_conversation_id_fkey;
ALTER TABLE answers DROP CONSTRAINT IF EXISTS answers_lead_id_fkey;
ALTER TABLE score_events DROP CONSTRAINT IF EXISTS score_events_lead_id_fkey;
ALTER TABLE score_events DROP CONSTRAINT IF EXISTS score_events_conversation_id_fkey;
ALTER TABLE stage_changes DROP CONSTRAINT IF EXISTS stage_changes_lead_id_fkey;
