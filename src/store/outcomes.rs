//! Purpose: how hand-offs ended (won, lost, …, with the deal's value) and where leads came from
//! (source, campaign, UTM fields) — the rows the funnel report counts revenue and cost from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{HandoffTx, Store, StoreError};

/// How a hand-off ended, as the rep reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The deal was signed.
    Won,
    /// The prospect chose someone else or stopped.
    Lost,
    /// The lead turned out not to fit.
    NoFit,
    /// The prospect never answered the rep.
    NoResponse,
}

impl Outcome {
    /// Every outcome, in the order reports list them.
    pub const ALL: [Outcome; 4] = [
        Outcome::Won,
        Outcome::Lost,
        Outcome::NoFit,
        Outcome::NoResponse,
    ];

    /// The name used in the database, the CLI and the API.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Won => "won",
            Outcome::Lost => "lost",
            Outcome::NoFit => "no_fit",
            Outcome::NoResponse => "no_response",
        }
    }

    /// Reads a name; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Outcome> {
        Outcome::ALL
            .into_iter()
            .find(|outcome| outcome.name() == name)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not an outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown outcome {0:?} (won, lost, no_fit, no_response)")]
pub struct UnknownOutcome(pub String);

impl FromStr for Outcome {
    type Err = UnknownOutcome;

    fn from_str(text: &str) -> Result<Outcome, UnknownOutcome> {
        Outcome::ALL
            .into_iter()
            .find(|outcome| outcome.name() == text)
            .ok_or_else(|| UnknownOutcome(text.to_string()))
    }
}

/// What a rep says when closing a hand-off.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Closing {
    /// How it ended; `None` closes without one (it then counts as open in no report).
    pub outcome: Option<Outcome>,
    /// The deal's value in hundredths of `currency`.
    pub value_cents: Option<i64>,
    /// ISO 4217 code of the value.
    pub currency: Option<String>,
    /// Free text for the record.
    pub note: Option<String>,
}

/// The longest note a closing keeps.
pub const MAX_NOTE_BYTES: usize = 2000;

impl Closing {
    /// A closing with an outcome alone, as a rep picks it from the platform card's Close menu
    /// (a value and a note come from the CLI, the API or the dashboard).
    pub fn outcome_only(outcome: Outcome) -> Closing {
        Closing {
            outcome: Some(outcome),
            value_cents: None,
            currency: None,
            note: None,
        }
    }

    /// A closing as a rep gave it (CLI, API, dashboard form), checked the same way wherever it
    /// came from: the value is stored in hundredths, a currency must be an ISO 4217 code and
    /// defaults to USD when a value is given, the note is at most [`MAX_NOTE_BYTES`].
    pub fn checked(
        outcome: Option<Outcome>,
        value: Option<f64>,
        currency: Option<String>,
        note: Option<String>,
    ) -> Result<Closing, String> {
        let value_cents = value.map(value_in_cents).transpose()?;
        let currency = match (value_cents, currency) {
            (_, Some(code)) => Some(currency_code(&code)?),
            (Some(_), None) => Some("USD".to_string()),
            (None, None) => None,
        };
        if note
            .as_ref()
            .is_some_and(|note| note.len() > MAX_NOTE_BYTES)
        {
            return Err(format!("the note must be at most {MAX_NOTE_BYTES} bytes"));
        }
        Ok(Closing {
            outcome,
            value_cents,
            currency,
            note,
        })
    }
}

/// A stored outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredOutcome {
    /// The hand-off it closed.
    pub assignment_id: i64,
    /// The lead.
    pub lead_id: i64,
    /// The rep the hand-off was with (none for the fallback team).
    pub rep_id: Option<String>,
    /// won, lost, no_fit or no_response.
    pub outcome: String,
    /// Hundredths of `currency`.
    pub value_cents: Option<i64>,
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// The rep's note.
    pub note: Option<String>,
    /// When (Unix ms).
    pub closed_at: i64,
}

/// Where a lead came from, as the message API was told.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LeadSource {
    /// The source: "website", "linkedin", "slack:#qualify", …
    pub source: Option<String>,
    /// The campaign.
    pub campaign: Option<String>,
    /// `utm_source`.
    pub utm_source: Option<String>,
    /// `utm_medium`.
    pub utm_medium: Option<String>,
    /// `utm_campaign`.
    pub utm_campaign: Option<String>,
    /// `utm_term`.
    pub utm_term: Option<String>,
    /// `utm_content`.
    pub utm_content: Option<String>,
    /// The company, when known before the dialogue asks.
    pub company: Option<String>,
    /// The e-mail address, when known before the dialogue asks.
    pub email: Option<String>,
}

impl LeadSource {
    /// True when nothing is known (nothing to store).
    pub fn is_empty(&self) -> bool {
        *self == LeadSource::default()
    }
}

/// A deal value in hundredths, refused when negative, not a number or beyond 10^15.
pub fn value_in_cents(value: f64) -> Result<i64, String> {
    if !value.is_finite() || !(0.0..=1e15).contains(&value) {
        return Err(format!(
            "the value {value} is not an amount between 0 and 10^15"
        ));
    }
    // In range by the check above, so the conversion cannot saturate.
    Ok((value * 100.0).round() as i64)
}

/// An ISO 4217 code as stored (upper case), refused unless it is three letters.
pub fn currency_code(code: &str) -> Result<String, String> {
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err(format!("{code:?} is not a currency code (e.g. USD, EUR)"))
    }
}

impl HandoffTx<'_> {
    /// Closes an assignment; an accepted one keeps its acceptance time in `answered_at` (the
    /// report's time to accept), an offered one gets the closing time.
    pub async fn close_assignment(&mut self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE assignments SET status = 'closed', note = 'closed', sla_due_at = NULL, \
             answered_at = COALESCE(answered_at, $1) WHERE id = $2",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records how a hand-off ended; a second outcome for the same hand-off is refused by the
    /// unique key (returns false).
    pub async fn record_outcome(&mut self, outcome: &StoredOutcome) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO outcomes (assignment_id, lead_id, rep_id, outcome, value_cents, currency, note, closed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (assignment_id) DO NOTHING",
        )
        .bind(outcome.assignment_id)
        .bind(outcome.lead_id)
        .bind(outcome.rep_id.clone())
        .bind(&outcome.outcome)
        .bind(outcome.value_cents)
        .bind(outcome.currency.clone())
        .bind(outcome.note.clone())
        .bind(outcome.closed_at)
        .execute(&mut *self.tx)
        .await?;
        let stored = inserted.rows_affected() == 1;
        if stored && outcome.outcome == "won" {
            // The report's per-lead figure (migration 34).
            sqlx::query("UPDATE leads SET won = 1 WHERE id = $1")
                .bind(outcome.lead_id)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(stored)
    }

    /// The outcome already stored for a hand-off, if any.
    pub async fn outcome_of(&mut self, assignment_id: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT outcome FROM outcomes WHERE assignment_id = $1")
                .bind(assignment_id)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }
}

impl Store {
    /// Records where a lead came from; the first source recorded for a lead stays (first
    /// touch), later ones are ignored. Returns true when this one was stored.
    pub async fn record_lead_source(
        &self,
        lead_id: i64,
        source: &LeadSource,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        if source.is_empty() {
            return Ok(false);
        }
        let mut write = self.begin_write().await?;
        let tx = write.conn().await?;
        let inserted = sqlx::query(
            "INSERT INTO lead_sources (lead_id, source, campaign, utm_source, utm_medium, utm_campaign, \
             utm_term, utm_content, company, email, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (lead_id) DO NOTHING",
        )
        .bind(lead_id)
        .bind(source.source.clone())
        .bind(source.campaign.clone())
        .bind(source.utm_source.clone())
        .bind(source.utm_medium.clone())
        .bind(source.utm_campaign.clone())
        .bind(source.utm_term.clone())
        .bind(source.utm_content.clone())
        .bind(source.company.clone())
        .bind(source.email.clone())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        write.commit().await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// Where a lead came from, if recorded.
    pub async fn lead_source(&self, lead_id: i64) -> Result<Option<LeadSource>, StoreError> {
        let row = sqlx::query(
            "SELECT source, campaign, utm_source, utm_medium, utm_campaign, utm_term, utm_content, \
             company, email FROM lead_sources WHERE lead_id = $1",
        )
        .bind(lead_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(LeadSource {
                source: row.try_get("source")?,
                campaign: row.try_get("campaign")?,
                utm_source: row.try_get("utm_source")?,
                utm_medium: row.try_get("utm_medium")?,
                utm_campaign: row.try_get("utm_campaign")?,
                utm_term: row.try_get("utm_term")?,
                utm_content: row.try_get("utm_content")?,
                company: row.try_get("company")?,
                email: row.try_get("email")?,
            })
        })
        .transpose()
    }

    /// Every outcome of a lead's hand-offs, oldest first.
    pub async fn outcomes_of(&self, lead_id: i64) -> Result<Vec<StoredOutcome>, StoreError> {
        let rows = sqlx::query(
            "SELECT assignment_id, lead_id, rep_id, outcome, value_cents, currency, note, closed_at \
             FROM outcomes WHERE lead_id = $1 ORDER BY id",
        )
        .bind(lead_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredOutcome {
                    assignment_id: row.try_get("assignment_id")?,
                    lead_id: row.try_get("lead_id")?,
                    rep_id: row.try_get("rep_id")?,
                    outcome: row.try_get("outcome")?,
                    value_cents: row.try_get("value_cents")?,
                    currency: row.try_get("currency")?,
                    note: row.try_get("note")?,
                    closed_at: row.try_get("closed_at")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closing_is_checked_the_same_from_every_door() {
        let won = Closing::checked(Some(Outcome::Won), Some(12_000.5), None, None).unwrap();
        assert_eq!(
            (won.value_cents, won.currency.as_deref()),
            (Some(1_200_050), Some("USD"))
        );
        assert!(Closing::checked(None, None, Some("dollars".into()), None).is_err());
        assert!(Closing::checked(None, None, None, Some("x".repeat(2001))).is_err());
        assert!(Closing::checked(None, Some(-1.0), None, None).is_err());
    }

    #[test]
    fn outcomes_read_back_from_their_names() {
        for outcome in Outcome::ALL {
            assert_eq!(outcome.name().parse::<Outcome>(), Ok(outcome));
        }
        assert_eq!(
            "maybe".parse::<Outcome>(),
            Err(UnknownOutcome("maybe".into()))
        );
    }

    #[test]
    fn values_are_stored_in_hundredths_and_nonsense_is_refused() {
        assert_eq!(value_in_cents(12000.0), Ok(1_200_000));
        assert_eq!(value_in_cents(0.125), Ok(13));
        assert!(value_in_cents(-1.0).is_err());
        assert!(value_in_cents(f64::NAN).is_err());
        assert_eq!(currency_code("usd"), Ok("USD".to_string()));
        assert!(currency_code("dollars").is_err());
    }
}
