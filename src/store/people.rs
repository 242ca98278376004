//! Purpose: one lead per person in the database — which lead a Slack or Discord user or an
//! e-mail address belongs to (`lead_identities`), a new conversation joining a known person's
//! lead, and two leads folded into one (automatically when an e-mail is given again, or by
//! `leads merge`), history and owner kept.

use sqlx::{AnyConnection, Row};

use super::{HandoffTx, Store, StoreError, StoredConversation, TurnTx};
use crate::engine::state::ConversationState;
use crate::person::PersonId;

/// What `leads merge` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// The second lead's history now belongs to the first.
    Done {
        /// Conversations moved.
        conversations: u64,
    },
    /// One of the leads does not exist (or was merged already).
    NoSuchLead(i64),
    /// Both ids name the same lead.
    SameLead,
}

impl TurnTx {
    /// The lead `person` belongs to, if they were seen before (merged leads are followed to
    /// the lead they went into).
    pub async fn lead_of_person(&mut self, person: &PersonId) -> Result<Option<i64>, StoreError> {
        lead_of_person(self.connection().await?, person).await
    }

    /// Records that `person` is the lead `lead_id`; a person already known keeps their lead
    /// (returns false then).
    pub async fn remember_person(
        &mut self,
        person: &PersonId,
        lead_id: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO lead_identities (kind, value, lead_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (kind, value) DO NOTHING",
        )
        .bind(person.kind.name())
        .bind(&person.value)
        .bind(lead_id)
        .bind(now_ms)
        .execute(self.connection().await?)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// Starts (or, for a restart, resets) this key's conversation as part of the lead
    /// `lead_id`: a known person's new conversation adds to their lead, whose owner stays.
    pub async fn start_conversation_of(
        &mut self,
        lead_id: i64,
        state: &ConversationState,
        now_ms: i64,
    ) -> Result<StoredConversation, StoreError> {
        let (key, _) = self.held();
        let (channel, address) = (key.channel.clone(), key.address.clone());
        let state_json =
            serde_json::to_string(state).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let row = sqlx::query(
            "INSERT INTO conversations (lead_id, channel, address, script_id, script_version, state, finished, turns, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $7) \
             ON CONFLICT (channel, address) DO UPDATE SET lead_id = excluded.lead_id, \
             script_id = excluded.script_id, script_version = excluded.script_version, \
             state = excluded.state, finished = 0, updated_at = excluded.updated_at \
             RETURNING id",
        )
        .bind(lead_id)
        .bind(&channel)
        .bind(&address)
        .bind(&state.script_id)
        .bind(state.script_version.as_str())
        .bind(state_json)
        .bind(now_ms)
        .fetch_one(self.connection().await?)
        .await?;
        Ok(StoredConversation {
            id: row.try_get("id")?,
            lead_id,
            state: state.clone(),
            wake: None,
            reply_route: None,
        })
    }

    /// Folds the lead `from` into `into` inside this turn (the person gave an e-mail another
    /// lead already has): every conversation, answer, score event, stage change, hand-off and
    /// identity of `from` moves to `into`, which keeps its owner (or takes `from`'s).
    pub async fn merge_leads(
        &mut self,
        into: i64,
        from: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        merge(self.connection().await?, into, from, now_ms).await?;
        Ok(())
    }
}

impl HandoffTx<'_> {
    /// The rep who owns a lead (accepted a hand-off of it), if any.
    pub async fn owner_of(&mut self, lead_id: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar::<_, Option<String>>("SELECT owner FROM leads WHERE id = $1")
                .bind(lead_id)
                .fetch_optional(&mut *self.tx)
                .await?
                .flatten(),
        )
    }
}

impl Store {
    /// `leads merge <into> <from>`: what automatic matching missed, folded by hand in one
    /// transaction (see [`TurnTx::merge_leads`]).
    pub async fn merge_leads(
        &self,
        into: i64,
        from: i64,
        now_ms: i64,
    ) -> Result<Merged, StoreError> {
        if into == from {
            return Ok(Merged::SameLead);
        }
        let mut write = self.begin_write().await?;
        let connection = write.conn().await?;
        for id in [into, from] {
            let live: Option<i64> =
                sqlx::query_scalar("SELECT id FROM leads WHERE id = $1 AND merged_into IS NULL")
                    .bind(id)
                    .fetch_optional(&mut *connection)
                    .await?;
            if live.is_none() {
                return Ok(Merged::NoSuchLead(id));
            }
        }
        let conversations = merge(connection, into, from, now_ms).await?;
        write.commit().await?;
        Ok(Merged::Done { conversations })
    }

    /// The lead `person` belongs to, read outside any turn.
    pub async fn lead_of_person(&self, person: &PersonId) -> Result<Option<i64>, StoreError> {
        let mut connection = self.pool().acquire().await?;
        lead_of_person(&mut connection, person).await
    }
}

async fn lead_of_person(
    connection: &mut AnyConnection,
    person: &PersonId,
) -> Result<Option<i64>, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT COALESCE(l.merged_into, l.id) FROM lead_identities i JOIN leads l ON l.id = i.lead_id \
         WHERE i.kind = $1 AND i.value = $2 AND l.forgotten_at IS NULL",
    )
    .bind(person.kind.name())
    .bind(&person.value)
    .fetch_optional(connection)
    .await?;
    Ok(found)
}

/// Moves everything of `from` to `into` and marks `from` merged; returns how many
/// conversations moved. The more recently updated of the two lead rows gives the stage and
/// score (it is the person's latest picture); missing contact fields and the owner are filled
/// from `from`.
async fn merge(
    connection: &mut AnyConnection,
    into: i64,
    from: i64,
    now_ms: i64,
) -> Result<u64, StoreError> {
    sqlx::query(
        "UPDATE leads SET stage = (SELECT stage FROM leads f WHERE f.id = $2), \
         score = (SELECT score FROM leads f WHERE f.id = $2) \
         WHERE id = $1 AND updated_at < (SELECT updated_at FROM leads f WHERE f.id = $2)",
    )
    .bind(into)
    .bind(from)
    .execute(&mut *connection)
    .await?;
    sqlx::query(
        "UPDATE leads SET \
         owner = COALESCE(owner, (SELECT owner FROM leads f WHERE f.id = $2)), \
         name = COALESCE(name, (SELECT name FROM leads f WHERE f.id = $2)), \
         company = COALESCE(company, (SELECT company FROM leads f WHERE f.id = $2)), \
         email = COALESCE(email, (SELECT email FROM leads f WHERE f.id = $2)), \
         phone = COALESCE(phone, (SELECT phone FROM leads f WHERE f.id = $2)), \
         region = COALESCE(region, (SELECT region FROM leads f WHERE f.id = $2)), \
         industry = COALESCE(industry, (SELECT industry FROM leads f WHERE f.id = $2)), \
         role = COALESCE(role, (SELECT role FROM leads f WHERE f.id = $2)), \
         qualified_at = COALESCE(qualified_at, (SELECT qualified_at FROM leads f WHERE f.id = $2)), \
         updated_at = $3 WHERE id = $1",
    )
    .bind(into)
    .bind(from)
    .bind(now_ms)
    .execute(&mut *connection)
    .await?;
    let moved = sqlx::query("UPDATE conversations SET lead_id = $1 WHERE lead_id = $2")
        .bind(into)
        .bind(from)
        .execute(&mut *connection)
        .await?
        .rows_affected();
    for table in HISTORY {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET lead_id = $1 WHERE lead_id = $2"
        )))
        .bind(into)
        .bind(from)
        .execute(&mut *connection)
        .await?;
    }
    // The report's per-lead figures (migration 34) follow the answers and stage changes that
    // moved; outcomes stay with the lead whose hand-off they closed.
    for lead in [into, from] {
        sqlx::query(RECOUNT_LEAD_FIGURES)
            .bind(lead)
            .execute(&mut *connection)
            .await?;
    }
    // `from`, and leads merged into it earlier, now point at `into` directly.
    sqlx::query(
        "UPDATE leads SET merged_into = $1, updated_at = $2 WHERE id = $3 OR merged_into = $3",
    )
    .bind(into)
    .bind(now_ms)
    .bind(from)
    .execute(&mut *connection)
    .await?;
    Ok(moved)
}

/// Recounts lead `$1`'s report figures (`reached`, `answered`, `won`) from its history.
const RECOUNT_LEAD_FIGURES: &str = "UPDATE leads SET \
     reached = COALESCE((SELECT MAX(CASE sc.to_stage WHEN 'iql' THEN 1 WHEN 'mql' THEN 2 \
     WHEN 'sql' THEN 3 ELSE 0 END) FROM stage_changes sc WHERE sc.lead_id = leads.id), 0), \
     answered = CASE WHEN EXISTS (SELECT 1 FROM answers a WHERE a.lead_id = leads.id) THEN 1 ELSE 0 END, \
     won = CASE WHEN EXISTS (SELECT 1 FROM outcomes o WHERE o.lead_id = leads.id \
     AND o.outcome = 'won') THEN 1 ELSE 0 END WHERE id = $1";

/// The tables whose rows belong to a lead by `lead_id`, moved when leads are merged.
const HISTORY: [&str; 6] = [
    "meetings",
    "answers",
    "score_events",
    "stage_changes",
    "assignments",
    "lead_identities",
];
