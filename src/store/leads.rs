//! Purpose: read and erase lead data for admins — lists, one lead's full record, CRM exports,
//! and privacy requests (erasure keeps anonymous funnel counts).

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError};
use crate::engine::state::{AnswerValue, ConversationState};

/// Which leads to list or export.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    /// Only leads at this stage.
    pub stage: Option<String>,
    /// Only leads updated at or after this time (Unix ms).
    pub since_ms: Option<i64>,
    /// Only leads on this script.
    pub script: Option<String>,
}

/// One lead's row, as lists and exports show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadSummary {
    /// Lead id.
    pub id: i64,
    /// Channel the lead talks on.
    pub channel: String,
    /// Contact name.
    pub name: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Work e-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Funnel stage.
    pub stage: String,
    /// Score.
    pub score: i64,
    /// Script id.
    pub script_id: String,
    /// Script version.
    pub script_version: String,
    /// First contact (Unix ms).
    pub created_at: i64,
    /// Last change (Unix ms).
    pub updated_at: i64,
    /// When the lead became sales-qualified (Unix ms).
    pub qualified_at: Option<i64>,
    /// Set when the person's data was erased.
    pub forgotten: bool,
    /// The rep who accepted the hand-off, if one did.
    pub owner: Option<String>,
    /// Set when this lead was folded into another (the same person): that lead's id.
    pub merged_into: Option<i64>,
    /// When the latest meeting the prospect booked starts (Unix ms), if they booked one.
    pub meeting_at: Option<i64>,
}

/// One stored answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredAnswer {
    /// Step id.
    pub step: String,
    /// Criterion.
    pub criterion: String,
    /// What the prospect wrote.
    pub raw: String,
    /// What it was understood as.
    pub value: serde_json::Value,
    /// A human description of the value.
    pub described: String,
    /// Points it earned.
    pub points: i64,
    /// When (Unix ms).
    pub at: i64,
}

/// One stored score event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredScoreEvent {
    /// Points.
    pub points: i64,
    /// Why.
    pub reason: String,
    /// Which rule.
    pub rule: String,
    /// When (Unix ms).
    pub at: i64,
}

/// One stored stage change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredStageChange {
    /// Before.
    pub from: String,
    /// After.
    pub to: String,
    /// Why.
    pub reason: String,
    /// When (Unix ms).
    pub at: i64,
}

/// One transcript line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredMessage {
    /// "in" (prospect) or "out" (bot).
    pub direction: String,
    /// The text.
    pub body: String,
    /// When (Unix ms).
    pub at: i64,
}

/// One lead as `leads export` writes it: the row with its owner, what was answered and why it
/// scored what it did — without the transcript, which an export does not carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadExport {
    /// The lead row.
    pub lead: LeadSummary,
    /// Answers in order.
    pub answers: Vec<StoredAnswer>,
    /// Score events in order: the reasons for the score.
    pub score_events: Vec<StoredScoreEvent>,
}

/// Everything stored about one lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadRecord {
    /// The lead row.
    pub lead: LeadSummary,
    /// Where on the channel the person is reached.
    pub address: String,
    /// Answers in order.
    pub answers: Vec<StoredAnswer>,
    /// Score events in order.
    pub score_events: Vec<StoredScoreEvent>,
    /// Stage history in order.
    pub stage_changes: Vec<StoredStageChange>,
    /// The transcript.
    pub transcript: Vec<StoredMessage>,
    /// Questions the prospect asked that the script has no answer for, for the rep.
    pub questions: Vec<String>,
}

pub(super) const LEAD_COLUMNS: &str = "id, channel, name, company, email, phone, region, stage, score, script_id, \
     script_version, created_at, updated_at, qualified_at, forgotten_at, owner, merged_into, \
     (SELECT MAX(m.starts_at) FROM meetings m WHERE m.lead_id = l.id) AS meeting_at";

/// The leads a [`LeadFilter`] picks (never one merged into another), as a condition on
/// `leads l` with parameters $1–$3.
const LEAD_FILTER: &str = "($1 = '' OR l.stage = $1) AND l.updated_at >= $2 \
     AND ($3 = '' OR l.script_id = $3) AND l.merged_into IS NULL";

pub(super) fn summary(row: &AnyRow) -> Result<LeadSummary, StoreError> {
    let forgotten_at: Option<i64> = row.try_get("forgotten_at")?;
    Ok(LeadSummary {
        id: row.try_get("id")?,
        channel: row.try_get("channel")?,
        name: row.try_get("name")?,
        company: row.try_get("company")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        region: row.try_get("region")?,
        stage: row.try_get("stage")?,
        score: row.try_get("score")?,
        script_id: row.try_get("script_id")?,
        script_version: row.try_get("script_version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        qualified_at: row.try_get("qualified_at")?,
        forgotten: forgotten_at.is_some(),
        owner: row.try_get("owner")?,
        merged_into: row.try_get("merged_into")?,
        meeting_at: row.try_get("meeting_at")?,
    })
}

fn stored_answer(row: &AnyRow, lead_id: i64) -> Result<StoredAnswer, StoreError> {
    let value_json: String = row.try_get("value")?;
    let value: serde_json::Value = serde_json::from_str(&value_json)
        .map_err(|error| StoreError::Corrupt(format!("answer of lead {lead_id}: {error}")))?;
    let described = serde_json::from_value::<AnswerValue>(value.clone())
        .map(|value| value.describe())
        .unwrap_or_else(|_| ERASED.to_string());
    Ok(StoredAnswer {
        step: row.try_get("step")?,
        criterion: row.try_get("criterion")?,
        raw: row.try_get("raw")?,
        value,
        described,
        points: row.try_get("points")?,
        at: row.try_get("created_at")?,
    })
}

fn stored_score_event(row: &AnyRow) -> Result<StoredScoreEvent, StoreError> {
    Ok(StoredScoreEvent {
        points: row.try_get("points")?,
        reason: row.try_get("reason")?,
        rule: row.try_get("rule")?,
        at: row.try_get("created_at")?,
    })
}

/// The text erased personal data is replaced with.
pub const ERASED: &str = "[erased]";

impl Store {
    /// Leads matching the filter, most recently updated first.
    pub async fn list_leads(&self, filter: &LeadFilter) -> Result<Vec<LeadSummary>, StoreError> {
        let select = format!("SELECT {LEAD_COLUMNS} FROM leads l");
        let rows = self
            .filtered_rows(&select, "updated_at DESC, id DESC", filter)
            .await?;
        rows.iter().map(summary).collect()
    }

    /// The rows of `select` (code's own SQL, over `leads l`) for the leads `filter` keeps, in
    /// `order`; the filter's values are bound.
    async fn filtered_rows(
        &self,
        select: &str,
        order: &str,
        filter: &LeadFilter,
    ) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "{select} WHERE {LEAD_FILTER} ORDER BY {order}"
        )))
        .bind(filter.stage.clone().unwrap_or_default())
        .bind(filter.since_ms.unwrap_or(i64::MIN))
        .bind(filter.script.clone().unwrap_or_default())
        .fetch_all(self.pool())
        .await?)
    }

    /// The leads matching the filter with their owners, answers and score events, in the order
    /// of [`Store::list_leads`]: three queries however many leads there are.
    pub async fn lead_exports(&self, filter: &LeadFilter) -> Result<Vec<LeadExport>, StoreError> {
        let leads = self.list_leads(filter).await?;
        let mut answers: HashMap<i64, Vec<StoredAnswer>> = HashMap::new();
        for row in self
            .filtered_rows(
                "SELECT a.lead_id, a.step, a.criterion, a.raw, a.value, a.points, a.created_at \
                 FROM answers a JOIN leads l ON l.id = a.lead_id",
                "a.id",
                filter,
            )
            .await?
        {
            let lead_id: i64 = row.try_get("lead_id")?;
            answers
                .entry(lead_id)
                .or_default()
                .push(stored_answer(&row, lead_id)?);
        }
        let mut score_events: HashMap<i64, Vec<StoredScoreEvent>> = HashMap::new();
        for row in self
            .filtered_rows(
                "SELECT e.lead_id, e.points, e.reason, e.rule, e.created_at \
                 FROM score_events e JOIN leads l ON l.id = e.lead_id",
                "e.id",
                filter,
            )
            .await?
        {
            let lead_id: i64 = row.try_get("lead_id")?;
            score_events
                .entry(lead_id)
                .or_default()
                .push(stored_score_event(&row)?);
        }
        Ok(leads
            .into_iter()
            .map(|lead| LeadExport {
                answers: answers.remove(&lead.id).unwrap_or_default(),
                score_events: score_events.remove(&lead.id).unwrap_or_default(),
                lead,
            })
            .collect())
    }

    /// Everything stored about one lead, or `None` if there is no such lead.
    pub async fn lead_record(&self, id: i64) -> Result<Option<LeadRecord>, StoreError> {
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LEAD_COLUMNS}, address FROM leads l WHERE l.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let lead = summary(&row)?;
        let address: String = row.try_get("address")?;
        let answers = sqlx::query(
            "SELECT step, criterion, raw, value, points, created_at FROM answers WHERE lead_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| stored_answer(row, id))
        .collect::<Result<_, StoreError>>()?;
        let score_events = sqlx::query(
            "SELECT points, reason, rule, created_at FROM score_events WHERE lead_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(stored_score_event)
        .collect::<Result<_, StoreError>>()?;
        let stage_changes = sqlx::query(
            "SELECT from_stage, to_stage, reason, created_at FROM stage_changes WHERE lead_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(StoredStageChange {
                from: row.try_get("from_stage")?,
                to: row.try_get("to_stage")?,
                reason: row.try_get("reason")?,
                at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        let transcript = sqlx::query(
            "SELECT m.direction, m.body, m.created_at FROM messages m \
             JOIN conversations c ON c.id = m.conversation_id WHERE c.lead_id = $1 ORDER BY m.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(StoredMessage {
                direction: row.try_get("direction")?,
                body: row.try_get("body")?,
                at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
        let mut questions = Vec::new();
        for row in sqlx::query("SELECT state FROM conversations WHERE lead_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(self.pool())
            .await?
        {
            let state: String = row.try_get("state")?;
            let state: ConversationState = serde_json::from_str(&state)
                .map_err(|error| StoreError::Corrupt(format!("lead {id}: {error}")))?;
            questions.extend(state.open_questions);
        }
        Ok(Some(LeadRecord {
            lead,
            address,
            answers,
            score_events,
            stage_changes,
            transcript,
            questions,
        }))
    }

    /// Erases a person's data — contact fields, channel address, transcript text, the raw text
    /// of every answer and the value of free-text and contact answers — in one transaction.
    /// Stage, score, score events, stage history and typed answers (choices, amounts, dates)
    /// stay, so funnel counts are unchanged. Returns false when there is no such lead.
    pub async fn forget_lead(&self, id: i64, now_ms: i64) -> Result<bool, StoreError> {
        let mut write = self.begin_write().await?;
        let tx = write.conn().await?;
        let erased_address = format!("forgotten-{id}");
        let updated = sqlx::query(
            "UPDATE leads SET name = NULL, company = NULL, email = NULL, phone = NULL, region = NULL, \
             industry = NULL, role = NULL, address = $1, forgotten_at = $2, updated_at = $2 WHERE id = $3",
        )
        .bind(&erased_address)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE lead_sources SET company = NULL, email = NULL WHERE lead_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let conversations = sqlx::query("SELECT id, state FROM conversations WHERE lead_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        for row in conversations {
            let conversation_id: i64 = row.try_get("id")?;
            let state_json: String = row.try_get("state")?;
            let scrubbed = match serde_json::from_str::<ConversationState>(&state_json) {
                Ok(state) => serde_json::to_string(&scrub(state))
                    .map_err(|error| StoreError::Corrupt(error.to_string()))?,
                Err(_) => "{}".to_string(),
            };
            sqlx::query("UPDATE conversations SET state = $1, address = $2 WHERE id = $3")
                .bind(scrubbed)
                .bind(format!("{erased_address}-{conversation_id}"))
                .bind(conversation_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE messages SET body = $1 WHERE conversation_id = $2")
                .bind(ERASED)
                .bind(conversation_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE answers SET raw = $1, value = $2 WHERE lead_id = $3 \
             AND (criterion = 'contact' OR value LIKE '{\"kind\":\"text\"%' OR value LIKE '{\"kind\":\"email\"%')",
        )
        .bind(ERASED)
        .bind(r#"{"kind":"unparsed"}"#)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE answers SET raw = $1 WHERE lead_id = $2")
            .bind(ERASED)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // The person's identities (an e-mail address is personal data), and the rows of
        // leads merged into this one, go too.
        sqlx::query("DELETE FROM lead_identities WHERE lead_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE leads SET name = NULL, company = NULL, email = NULL, phone = NULL, region = NULL, \
             industry = NULL, role = NULL, address = 'forgotten-' || id, forgotten_at = $1 \
             WHERE merged_into = $2",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        for prefix in ["handoff", "reply"] {
            sqlx::query("UPDATE outbox SET payload = '{}' WHERE idempotency_key LIKE $1")
                .bind(format!("{prefix}:{id}:%"))
                .execute(&mut *tx)
                .await?;
        }
        // The remembered cards show the person (name, company, answers).
        sqlx::query(
            "DELETE FROM handoff_cards WHERE assignment_id IN \
             (SELECT id FROM assignments WHERE lead_id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // Hand-offs keep their routing (who, when, which pool) but not the person; open
        // offers end, so nobody is asked to contact them again.
        sqlx::query(
            "UPDATE assignments SET notice = '{}', attributes = '{}', sla_due_at = NULL, \
             status = CASE WHEN status IN ('offered', 'accepted') THEN 'closed' ELSE status END \
             WHERE lead_id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        write.commit().await?;
        Ok(true)
    }
}

/// A conversation state with everything personal removed.
fn scrub(mut state: ConversationState) -> ConversationState {
    state.contact.clear();
    state.open_questions.clear();
    for answer in &mut state.answers {
        answer.raw = ERASED.to_string();
        let personal = answer.criterion == crate::script::Criterion::Contact
            || matches!(
                answer.value,
                AnswerValue::Text { .. } | AnswerValue::Email { .. }
            );
        if personal {
            answer.value = AnswerValue::Unparsed;
        }
    }
    state
}
