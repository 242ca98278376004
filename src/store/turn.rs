//! Purpose: one inbound message is one transaction — dedupe its event id, lock and load the
//! conversation, and store everything the engine decided, or nothing at all.

use std::sync::Arc;

use sqlx::Row;

use super::batch::{Arg, Batch};
use super::{Backend, Store, StoreError, WriteTx, lock_key};
use crate::conversation::ConversationKey;
use crate::engine::state::{ConversationState, Stage};
use crate::engine::{Effect, Reply};
use crate::outbox::NewOutboxItem;
use crate::script::{ContactField, Script, ScriptVersion};

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConversation {
    /// Row id.
    pub id: i64,
    /// The lead it belongs to.
    pub lead_id: i64,
    /// The engine state.
    pub state: ConversationState,
    /// The next timer: when, and which (a `Wake` name).
    pub wake: Option<(i64, String)>,
    /// Where proactive messages (nudges, follow-ups) go: the channel's reply route, as JSON.
    pub reply_route: Option<serde_json::Value>,
}

/// An open turn: holds the transaction (and on PostgreSQL the conversation's lock) until
/// [`TurnTx::commit`]; dropping it rolls everything back.
pub struct TurnTx {
    write: WriteTx,
    backend: Backend,
    key: ConversationKey,
    /// What [`TurnTx::save`] stored, sent with the commit.
    saved: Batch,
    /// The turn queued outbox items: on PostgreSQL, wake the workers of every replica when it
    /// commits.
    notify_outbox: bool,
    /// Where a script version this turn stored is recorded once it commits.
    stored_scripts: Arc<super::StoredScripts>,
    /// The script version this turn stored, if any.
    remembered: Option<(String, ScriptVersion)>,
    /// The conversation's advisory lock on PostgreSQL (see [`lock_key`]).
    lock: i64,
    /// The event ids this turn claimed.
    claimed: Vec<String>,
}

impl Store {
    /// Opens the transaction of one turn of `key`'s conversation. Turns of one conversation run
    /// one after the other, across processes; other conversations are not blocked on PostgreSQL.
    pub async fn begin_turn(&self, key: &ConversationKey) -> Result<TurnTx, StoreError> {
        refuse_nul("conversation channel", &key.channel)?;
        refuse_nul("conversation address", &key.address)?;
        let lock = lock_key(&conversation_lock(key));
        let write = self.begin_locked(lock).await?;
        Ok(TurnTx {
            write,
            lock,
            backend: self.backend(),
            key: key.clone(),
            saved: Batch::default(),
            notify_outbox: false,
            stored_scripts: self.stored_scripts.clone(),
            remembered: None,
            claimed: Vec::new(),
        })
    }
}

impl Store {
    /// The conversation of `key` as last committed, read outside any turn (no lock, no write
    /// transaction): for showing, never for deciding a turn.
    pub async fn read_conversation(
        &self,
        key: &ConversationKey,
    ) -> Result<Option<StoredConversation>, StoreError> {
        let row = sqlx::query(SELECT_CONVERSATION)
            .bind(&key.channel)
            .bind(&key.address)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => stored_conversation(key, &row),
            None => Ok(None),
        }
    }
}

impl TurnTx {
    /// Records that the platform event `event_id` is being processed; false when it already was
    /// (a retry or a replay), in which case the turn is over: the caller drops it.
    pub async fn claim_event(&mut self, event_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        refuse_nul("event id", event_id)?;
        let inserted = sqlx::query(
            "INSERT INTO processed_events (event_id, processed_at) VALUES ($1, $2) \
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(event_id)
        .bind(now_ms)
        .execute(self.write.conn().await?)
        .await?;
        let claimed = inserted.rows_affected() == 1;
        self.settle_claim(event_id, claimed).await?;
        Ok(claimed)
    }

    /// After a claim of `event_id`: a refused claim is reported only once the claim that
    /// refused it is committed (see [`WriteTx::wait_for_earlier_commits`]), unless this turn
    /// made that claim itself.
    async fn settle_claim(&mut self, event_id: &str, claimed: bool) -> Result<(), StoreError> {
        if claimed {
            self.claimed.push(event_id.to_string());
        } else if !self.claimed.iter().any(|own| own == event_id) {
            self.write.wait_for_earlier_commits().await?;
        }
        Ok(())
    }

    /// The conversation of this key, if one was started.
    pub async fn conversation(&mut self) -> Result<Option<StoredConversation>, StoreError> {
        let row = sqlx::query(SELECT_CONVERSATION)
            .bind(&self.key.channel)
            .bind(&self.key.address)
            .fetch_optional(self.write.conn().await?)
            .await?;
        match row {
            Some(row) => self.stored_conversation(&row),
            None => Ok(None),
        }
    }

    /// [`TurnTx::claim_event`] and [`TurnTx::conversation`] in one round trip, as every turn
    /// of a platform event starts: `None` when the event was processed before.
    pub async fn claim_and_load(
        &mut self,
        event_id: &str,
        now_ms: i64,
    ) -> Result<Option<Option<StoredConversation>>, StoreError> {
        refuse_nul("event id", event_id)?;
        let rows = match self.backend {
            Backend::Postgres => {
                // The function takes the conversation's lock, then claims and reads (see
                // migration 5).
                sqlx::query("SELECT * FROM leadbot_start_turn($1, $2, $3, $4, $5)")
                    .bind(self.lock)
                    .bind(event_id)
                    .bind(now_ms)
                    .bind(&self.key.channel)
                    .bind(&self.key.address)
                    .fetch_all(self.write.conn_taking_lock().await?)
                    .await?
            }
            Backend::Sqlite => {
                // The conversation is read after the claim: SQLite runs the two statements in
                // order (changes() is the claim's).
                let (opening, connection) = self.write.conn_with_opening().await?;
                let sql = format!(
                    "{opening}INSERT INTO processed_events (event_id, processed_at) VALUES ($1, $2) \
                     ON CONFLICT (event_id) DO NOTHING;\n\
                     SELECT changes() AS claimed, c.id, c.lead_id, c.state, c.wake_at, c.wake_kind, c.reply_route \
                     FROM (SELECT 1) AS one LEFT JOIN conversations c ON c.channel = $3 AND c.address = $4"
                );
                // All rows: the Any driver's fetch_one stops at SQLite's first statement.
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(event_id)
                    .bind(now_ms)
                    .bind(&self.key.channel)
                    .bind(&self.key.address)
                    .fetch_all(connection)
                    .await?
            }
        };
        let row = rows.first().ok_or(sqlx::Error::RowNotFound)?;
        let claimed = row.try_get::<i64, _>("claimed")? == 1;
        self.settle_claim(event_id, claimed).await?;
        if !claimed {
            return Ok(None);
        }
        Ok(Some(self.stored_conversation(row)?))
    }

    /// A conversation from a row of its columns; `None` when they are NULL (no conversation).
    fn stored_conversation(
        &self,
        row: &sqlx::any::AnyRow,
    ) -> Result<Option<StoredConversation>, StoreError> {
        stored_conversation(&self.key, row)
    }

    /// Keeps the source of the script version a conversation starts on, so it can resume on
    /// that exact version after the active version changes (sent once per process and
    /// version). Part of the turn: on SQLite a second connection could not write while this
    /// transaction holds the write lock.
    pub async fn remember_script(
        &mut self,
        script: &Script,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let version_key = (script.id.clone(), script.version.clone());
        let known = self
            .stored_scripts
            .lock()
            .is_ok_and(|stored| stored.contains(&version_key));
        if known {
            return Ok(());
        }
        self.remembered = Some(version_key);
        super::scripts::store_version(self.write.conn().await?, script, now_ms).await
    }

    /// The stored source of a script version, read in this turn's transaction (a turn holding
    /// a connection never waits for a second one: the pool could be all turns).
    pub async fn script_source(
        &mut self,
        script_id: &str,
        version: &ScriptVersion,
    ) -> Result<Option<String>, StoreError> {
        super::script_source(self.write.conn().await?, script_id, version).await
    }

    /// Creates (or, for a restart, resets) the conversation and its lead with a fresh state.
    pub async fn start_conversation(
        &mut self,
        state: &ConversationState,
        now_ms: i64,
    ) -> Result<StoredConversation, StoreError> {
        // The lead and its conversation in one round trip: PostgreSQL chains them in a CTE,
        // SQLite runs two statements (the second finds the lead by its unique key).
        const LEAD: &str = "INSERT INTO leads (channel, address, stage, score, script_id, script_version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (channel, address) DO UPDATE SET script_id = excluded.script_id, \
             script_version = excluded.script_version, updated_at = excluded.updated_at";
        const CONVERSATION: &str = "INSERT INTO conversations (lead_id, channel, address, script_id, script_version, state, finished, turns, created_at, updated_at) \
             SELECT id, $1, $2, $5, $6, $8, 0, 0, $7, $7";
        const RESET: &str = "ON CONFLICT (channel, address) DO UPDATE SET script_id = excluded.script_id, \
             script_version = excluded.script_version, state = excluded.state, finished = 0, \
             updated_at = excluded.updated_at \
             RETURNING id, lead_id";
        let sql = match self.backend {
            Backend::Postgres => {
                format!("WITH lead AS ({LEAD} RETURNING id) {CONVERSATION} FROM lead {RESET}")
            }
            Backend::Sqlite => format!(
                "{LEAD};\n{CONVERSATION} FROM leads WHERE channel = $1 AND address = $2 {RESET}"
            ),
        };
        // All rows: the Any driver's fetch_one stops at SQLite's first statement.
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.key.channel)
            .bind(&self.key.address)
            .bind(state.stage.name())
            .bind(i64::from(state.score))
            .bind(&state.script_id)
            .bind(state.script_version.as_str())
            .bind(now_ms)
            .bind(to_json(state)?)
            .fetch_all(self.write.conn().await?)
            .await?;
        let row = rows.last().ok_or(sqlx::Error::RowNotFound)?;
        let conversation_id: i64 = row.try_get("id")?;
        let lead_id: i64 = row.try_get("lead_id")?;
        Ok(StoredConversation {
            id: conversation_id,
            lead_id,
            state: state.clone(),
            wake: None,
            reply_route: None,
        })
    }

    /// Stores a turn: the inbound text, every reply, answer, score event and stage change the
    /// engine produced, the new state and lead record, and the outbox items to deliver. They
    /// are sent to the database as one batch with [`TurnTx::commit`] (one round trip).
    pub async fn save(
        &mut self,
        conversation: &StoredConversation,
        inbound: Option<(&str, Option<&str>)>,
        effects: &[Effect],
        outbox: &[NewOutboxItem],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let (conversation_id, lead_id) = (conversation.id, conversation.lead_id);
        let batch = &mut self.saved;
        let message = |batch: &mut Batch, direction: &str, body: String, event_id: Option<&str>| {
            batch.insert(
                "INSERT INTO messages (conversation_id, direction, body, event_id, created_at) VALUES",
                "",
                vec![
                    conversation_id.into(),
                    direction.into(),
                    body.into(),
                    event_id.map(str::to_string).into(),
                    now_ms.into(),
                ],
            );
        };
        if let Some((text, event_id)) = inbound {
            message(batch, "in", text.to_string(), event_id);
        }
        let mut qualified = false;
        // The report's figures this turn moves (see migration 34), written with the lead
        // below (one statement may update a row once): the furthest stage reached and the
        // steps answered, in order.
        let mut reached = 0;
        let mut answered: Vec<&str> = Vec::new();
        for effect in effects {
            match effect {
                Effect::Say(reply) => message(batch, "out", transcript_text(reply), None),
                Effect::AnswerRecorded(answer) => {
                    // An earlier answer of this turn was the question's asking (see ANSWER).
                    let asked_now = (!answered.is_empty()).then_some(now_ms);
                    let seen = answered.contains(&answer.step.as_str());
                    answered.push(answer.step.as_str());
                    batch.insert(
                        ANSWER,
                        ANSWER_TAIL,
                        vec![
                            conversation_id.into(),
                            lead_id.into(),
                            answer.step.as_str().into(),
                            answer.criterion.name().into(),
                            answer.raw.as_str().into(),
                            to_json(&answer.value)?.into(),
                            i64::from(answer.points).into(),
                            now_ms.into(),
                            asked_now.into(),
                            i64::from(seen).into(),
                        ],
                    );
                }
                Effect::Scored(event) => batch.insert(
                    "INSERT INTO score_events (lead_id, conversation_id, points, reason, rule, created_at) VALUES",
                    "",
                    vec![
                        lead_id.into(),
                        conversation_id.into(),
                        i64::from(event.points).into(),
                        event.reason.as_str().into(),
                        event.rule.as_str().into(),
                        now_ms.into(),
                    ],
                ),
                Effect::StageChanged(change) => {
                    qualified |= change.to == Stage::Sql;
                    reached = reached.max(reached_level(change.to));
                    batch.insert(
                        "INSERT INTO stage_changes (lead_id, from_stage, to_stage, reason, created_at) VALUES",
                        "",
                        vec![
                            lead_id.into(),
                            change.from.name().into(),
                            change.to.name().into(),
                            change.reason.as_str().into(),
                            now_ms.into(),
                        ],
                    );
                }
                Effect::HandOff(_) | Effect::HumanRequested | Effect::ForRep => {}
            }
        }
        super::outbox::queue_in(batch, outbox, now_ms);
        let state = &conversation.state;
        batch.update(
            "UPDATE conversations SET state = $1, finished = $2, turns = turns + 1, updated_at = $3, \
             script_id = $4, script_version = $5, wake_at = $6, wake_kind = $7, reply_route = $8 \
             WHERE id = $9",
            vec![
                to_json(state)?.into(),
                i64::from(state.is_finished()).into(),
                now_ms.into(),
                state.script_id.as_str().into(),
                state.script_version.as_str().into(),
                conversation.wake.as_ref().map(|(at, _)| *at).into(),
                conversation.wake.as_ref().map(|(_, kind)| kind.clone()).into(),
                conversation
                    .reply_route
                    .as_ref()
                    .map(serde_json::Value::to_string)
                    .into(),
                conversation_id.into(),
            ],
        );
        let contact = |field: ContactField| Arg::from(state.contact.get(field.name()).cloned());
        batch.update(
            "UPDATE leads SET stage = $1, score = $2, name = COALESCE($3, name), company = COALESCE($4, company), \
             email = COALESCE($5, email), phone = COALESCE($6, phone), region = COALESCE($7, region), \
             industry = COALESCE($8, industry), role = COALESCE($9, role), script_id = $10, script_version = $11, updated_at = $12, \
             qualified_at = CASE WHEN $13 = 1 THEN $12 ELSE qualified_at END, \
             reached = CASE WHEN reached < $15 THEN $15 ELSE reached END, \
             answered = CASE WHEN $16 = 1 THEN 1 ELSE answered END \
             WHERE id = $14 AND forgotten_at IS NULL",
            vec![
                state.stage.name().into(),
                i64::from(state.score).into(),
                contact(ContactField::Name),
                contact(ContactField::Company),
                contact(ContactField::Email),
                contact(ContactField::Phone),
                contact(ContactField::Region),
                contact(ContactField::Industry),
                contact(ContactField::Role),
                state.script_id.as_str().into(),
                state.script_version.as_str().into(),
                now_ms.into(),
                i64::from(qualified).into(),
                lead_id.into(),
                reached.into(),
                i64::from(!answered.is_empty()).into(),
            ],
        );
        self.notify_outbox |= !outbox.is_empty();
        Ok(())
    }

    /// The turn's connection, for the store's modules that add to a turn (people, takeovers):
    /// what they send runs in the turn's transaction, before the batch `save` collects.
    pub(super) async fn connection(&mut self) -> Result<&mut sqlx::AnyConnection, StoreError> {
        self.write.conn().await
    }

    /// The conversation this turn holds, and the backend it runs on.
    pub(super) fn held(&self) -> (&ConversationKey, Backend) {
        (&self.key, self.backend)
    }

    /// Hand-off work (routing, assignments, notices) inside this turn's transaction.
    pub async fn handoffs(&mut self) -> Result<super::HandoffTx<'_>, StoreError> {
        Ok(super::HandoffTx {
            tx: self.write.conn().await?,
            backend: self.backend,
        })
    }

    /// Sends what was saved and makes the turn durable.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if self.notify_outbox {
            super::outbox::notify_workers(&mut self.saved, self.backend);
        }
        self.write.commit_after(&self.saved).await?;
        if let Some(version_key) = self.remembered.take()
            && let Ok(mut stored) = self.stored_scripts.lock()
        {
            stored.insert(version_key);
        }
        Ok(())
    }
}

/// A conversation from a row of its columns; `None` when they are NULL (no conversation).
fn stored_conversation(
    key: &ConversationKey,
    row: &sqlx::any::AnyRow,
) -> Result<Option<StoredConversation>, StoreError> {
    let Some(id) = row.try_get::<Option<i64>, _>("id")? else {
        return Ok(None);
    };
    let state_json: String = row.try_get("state")?;
    let state = serde_json::from_str(&state_json)
        .map_err(|error| StoreError::Corrupt(format!("conversation {}: {error}", key.address)))?;

    let wake_at: Option<i64> = row.try_get("wake_at")?;
    let wake_kind: Option<String> = row.try_get("wake_kind")?;
    let reply_route: Option<String> = row.try_get("reply_route")?;
    Ok(Some(StoredConversation {
        id,
        lead_id: row.try_get("lead_id")?,
        state,
        wake: wake_at.zip(wake_kind),
        reply_route: reply_route.and_then(|route| serde_json::from_str(&route).ok()),
    }))
}

/// How far a stage is up the funnel, as `leads.reached` counts it: 1 IQL, 2 MQL, 3 SQL.
pub(super) fn reached_level(stage: Stage) -> i64 {
    match stage {
        Stage::Iql => 1,
        Stage::Mql => 2,
        Stage::Sql => 3,
        _ => 0,
    }
}

/// Inserts an answer with the report's figures of it (migration 34), as the funnel report's
/// reference recount computes them: asked when the conversation's previous answer came (an
/// earlier answer of the same turn: `column9`, bound), else at the conversation's start; asked
/// again when an inbound message came in between; the conversation's first answer to the step
/// unless an earlier one is stored or came in this turn (`column10`). The rows follow as a
/// VALUES list (see [`Batch::insert`]); its columns keep SQL's default names on both databases.
const ANSWER: &str = "INSERT INTO answers (conversation_id, lead_id, step, criterion, raw, value, \
     points, created_at, asked_at, reasked, first_answer) \
     SELECT x.a_conversation, x.a_lead, x.a_step, x.a_criterion, x.a_raw, x.a_value, x.a_points, \
     x.a_at, x.a_asked, \
     CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = x.a_conversation \
     AND m.direction = 'in' AND m.created_at > x.a_asked AND m.created_at < x.a_at) THEN 1 ELSE 0 END, \
     CASE WHEN x.a_seen = 0 AND NOT EXISTS (SELECT 1 FROM answers p \
     WHERE p.conversation_id = x.a_conversation AND p.step = x.a_step) THEN 1 ELSE 0 END \
     FROM (SELECT v.column1 AS a_conversation, v.column2 AS a_lead, v.column3 AS a_step, \
     v.column4 AS a_criterion, v.column5 AS a_raw, v.column6 AS a_value, v.column7 AS a_points, \
     v.column8 AS a_at, v.column10 AS a_seen, \
     COALESCE(v.column9, (SELECT p.created_at FROM answers p WHERE p.conversation_id = v.column1 \
     ORDER BY p.id DESC LIMIT 1), (SELECT c.created_at FROM conversations c WHERE c.id = v.column1)) AS a_asked \
     FROM (VALUES";

/// Closes [`ANSWER`]'s VALUES list.
const ANSWER_TAIL: &str = ") AS v) AS x";

/// The columns of a conversation, by its key (`$1` channel, `$2` address).
const SELECT_CONVERSATION: &str = "SELECT id, lead_id, state, wake_at, wake_kind, reply_route \
     FROM conversations WHERE channel = $1 AND address = $2";

/// What the conversation's lock is named by.
pub(super) fn conversation_lock(key: &ConversationKey) -> String {
    format!("{}\u{1f}{}", key.channel, key.address)
}

/// A reply as the transcript keeps it: the text, then its options.
fn transcript_text(reply: &Reply) -> String {
    if reply.choices.is_empty() {
        return reply.text.clone();
    }
    let labels: Vec<&str> = reply
        .choices
        .iter()
        .map(|choice| choice.label.as_str())
        .collect();
    format!("{}\n[{}]", reply.text, labels.join(" | "))
}

/// Refuses `text` (named by `what`) when it holds a NUL character (see
/// [`StoreError::NulCharacter`]).
fn refuse_nul(what: &'static str, text: &str) -> Result<(), StoreError> {
    if text.contains('\0') {
        return Err(StoreError::NulCharacter(what));
    }
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::Corrupt(error.to_string()))
}
