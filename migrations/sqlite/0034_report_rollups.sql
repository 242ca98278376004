-- What the funnel report counts, kept as the rows are written (issue 17), so a report over a
-- million conversations reads narrow columns instead of decoding each conversation's JSON state
-- and recounting every lead's history. Each column is defined exactly as the report counted it
-- before (src/store/funnel/recount.rs keeps that reference). Keep in step with
-- migrations/postgres/0034.

-- A conversation's pending question and whether it was abandoned, from its state: generated,
-- so every writer of the state keeps them right.
-- (VIRTUAL: SQLite cannot add a stored column to a table.)
ALTER TABLE conversations ADD COLUMN abandoned INTEGER GENERATED ALWAYS AS
    (CASE WHEN state LIKE '%"abandoned_at":%' THEN 1 ELSE 0 END) VIRTUAL;
ALTER TABLE conversations ADD COLUMN pending_step TEXT GENERATED ALWAYS AS
    (CASE WHEN state LIKE '%"pending":{%' THEN json_extract(state, '$.pending.step') END) VIRTUAL;

-- How far a lead ever got (1 IQL, 2 MQL, 3 SQL, from its stage changes), whether it answered
-- any question, and whether any of its hand-offs was won: set by the turn that records the
-- stage change or answer, by the closing that records the outcome, and by a merge.
ALTER TABLE leads ADD COLUMN reached INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN answered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leads ADD COLUMN won INTEGER NOT NULL DEFAULT 0;
UPDATE leads SET
    reached = COALESCE((SELECT MAX(CASE sc.to_stage WHEN 'iql' THEN 1 WHEN 'mql' THEN 2
        WHEN 'sql' THEN 3 ELSE 0 END) FROM stage_changes sc WHERE sc.lead_id = leads.id), 0),
    answered = CASE WHEN EXISTS (SELECT 1 FROM answers a WHERE a.lead_id = leads.id) THEN 1 ELSE 0 END,
    won = CASE WHEN EXISTS (SELECT 1 FROM outcomes o WHERE o.lead_id = leads.id
        AND o.outcome = 'won') THEN 1 ELSE 0 END;

-- Per answer: when its question was asked (the conversation's previous answer, or its start),
-- whether an inbound message came in between (the question was asked again), and whether it
-- is the conversation's first answer to that step. Set by the turn that inserts the answer.
ALTER TABLE answers ADD COLUMN asked_at INTEGER;
ALTER TABLE answers ADD COLUMN reasked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE answers ADD COLUMN first_answer INTEGER NOT NULL DEFAULT 1;
UPDATE answers SET asked_at = x.asked_at, first_answer = x.first_answer
FROM (SELECT a.id,
        COALESCE(LAG(a.created_at) OVER (PARTITION BY a.conversation_id ORDER BY a.id), c.created_at) AS asked_at,
        CASE WHEN ROW_NUMBER() OVER (PARTITION BY a.conversation_id, a.step ORDER BY a.id) = 1
            THEN 1 ELSE 0 END AS first_answer
      FROM answers a LEFT JOIN conversations c ON c.id = a.conversation_id) AS x
WHERE answers.id = x.id;
UPDATE answers SET reasked = 1 WHERE EXISTS (SELECT 1 FROM messages m
    WHERE m.conversation_id = answers.conversation_id AND m.direction = 'in'
    AND m.created_at > answers.asked_at AND m.created_at < answers.created_at);
