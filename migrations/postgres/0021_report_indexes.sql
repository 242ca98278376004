-- Indexes the funnel report reads by (issue 17): a lead's conversations, conversations by the
-- time they started (--since/--until), and a conversation's answers in order (drop-off per
-- question). None is on a column a turn updates. Keep in step with migrations/sqlite/0021.
CREATE INDEX conversations_lead ON conversations (lead_id);
CREATE INDEX conversations_started ON conversations (created_at);
CREATE INDEX answers_conversation ON answers (conversation_id, id);
