//! Purpose: meetings booked — a booking provider's webhook matched to the lead by the
//! prospect's e-mail and recorded against the lead's latest hand-off ("meeting booked"), once
//! per booking however often the provider retries.

use sqlx::Row;

use super::{Store, StoreError};
use crate::person::PersonId;

/// A booking as a provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// "calendly" or "cal.com".
    pub provider: String,
    /// The provider's id for the booking (a retried webhook carries the same).
    pub external_id: String,
    /// The invitee's e-mail address.
    pub email: String,
    /// When the meeting starts (Unix ms).
    pub starts_at: i64,
}

/// What recording a booking did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingRecorded {
    /// Recorded against this lead and hand-off.
    Booked {
        /// The lead.
        lead_id: i64,
        /// Its latest hand-off, now "meeting booked".
        assignment_id: Option<i64>,
    },
    /// Recorded before (a retried webhook): nothing changed.
    AlreadyKnown {
        /// The lead.
        lead_id: i64,
        /// The hand-off it was recorded against.
        assignment_id: Option<i64>,
    },
    /// No lead has this e-mail address.
    NoLead,
}

/// The message a rep's hand-off card is on, so a booked meeting can be shown on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HandoffCard {
    /// The hand-off.
    pub assignment_id: i64,
    /// The platform's outbox destination: "slack" or "discord".
    pub destination: String,
    /// The channel the card is in.
    pub channel: String,
    /// The message: a Slack ts, a Discord message id.
    pub message: String,
    /// What the card shows now, in the platform's shape (Slack blocks as JSON, Discord text).
    pub shown: String,
}

/// One booked meeting, as `leads show` and exports show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Meeting {
    /// "calendly" or "cal.com".
    pub provider: String,
    /// The hand-off it belongs to.
    pub assignment_id: Option<i64>,
    /// When it starts (Unix ms).
    pub starts_at: i64,
}

impl Store {
    /// Records a booking against the lead whose person has its e-mail (or whose contact
    /// e-mail it is) and that lead's latest hand-off.
    pub async fn record_booking(
        &self,
        booking: &Booking,
        now_ms: i64,
    ) -> Result<BookingRecorded, StoreError> {
        let Some(person) = PersonId::email(&booking.email) else {
            return Ok(BookingRecorded::NoLead);
        };
        let lead = match self.lead_of_person(&person).await? {
            Some(lead) => Some(lead),
            None => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COALESCE(merged_into, id) FROM leads WHERE lower(email) = $1 \
                 AND forgotten_at IS NULL ORDER BY id LIMIT 1",
                )
                .bind(&person.value)
                .fetch_optional(self.pool())
                .await?
            }
        };
        let Some(lead_id) = lead else {
            return Ok(BookingRecorded::NoLead);
        };
        let mut write = self.begin_write().await?;
        let connection = write.conn().await?;
        let assignment_id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM assignments WHERE lead_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(lead_id)
        .fetch_optional(&mut *connection)
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO meetings (provider, external_id, lead_id, assignment_id, starts_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, external_id) DO NOTHING",
        )
        .bind(&booking.provider)
        .bind(&booking.external_id)
        .bind(lead_id)
        .bind(assignment_id)
        .bind(booking.starts_at)
        .bind(now_ms)
        .execute(&mut *connection)
        .await?
        .rows_affected();
        let recorded = if inserted == 1 {
            BookingRecorded::Booked {
                lead_id,
                assignment_id,
            }
        } else {
            let assignment_id: Option<i64> = sqlx::query_scalar(
                "SELECT assignment_id FROM meetings WHERE provider = $1 AND external_id = $2",
            )
            .bind(&booking.provider)
            .bind(&booking.external_id)
            .fetch_optional(&mut *connection)
            .await?
            .flatten();
            BookingRecorded::AlreadyKnown {
                lead_id,
                assignment_id,
            }
        };
        write.commit().await?;
        Ok(recorded)
    }

    /// Remembers the message a hand-off card is on for one platform, and what it shows (the
    /// latest answer replaces an earlier one).
    pub async fn remember_card(&self, card: &HandoffCard, now_ms: i64) -> Result<(), StoreError> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO handoff_cards (assignment_id, destination, channel, message, shown, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (assignment_id, destination) DO UPDATE SET \
             channel = excluded.channel, message = excluded.message, shown = excluded.shown, \
             updated_at = excluded.updated_at",
        )
        .bind(card.assignment_id)
        .bind(&card.destination)
        .bind(&card.channel)
        .bind(&card.message)
        .bind(&card.shown)
        .bind(now_ms)
        .execute(write.conn().await?)
        .await?;
        write.commit().await?;
        Ok(())
    }

    /// The cards of a hand-off whose messages are known, one per platform.
    pub async fn cards_of(&self, assignment_id: i64) -> Result<Vec<HandoffCard>, StoreError> {
        sqlx::query(
            "SELECT assignment_id, destination, channel, message, shown FROM handoff_cards \
             WHERE assignment_id = $1 ORDER BY destination",
        )
        .bind(assignment_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(HandoffCard {
                assignment_id: row.try_get("assignment_id")?,
                destination: row.try_get("destination")?,
                channel: row.try_get("channel")?,
                message: row.try_get("message")?,
                shown: row.try_get("shown")?,
            })
        })
        .collect()
    }

    /// A lead's booked meetings, earliest first.
    pub async fn meetings_of(&self, lead_id: i64) -> Result<Vec<Meeting>, StoreError> {
        sqlx::query(
            "SELECT provider, assignment_id, starts_at FROM meetings WHERE lead_id = $1 ORDER BY starts_at",
        )
        .bind(lead_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(Meeting {
                provider: row.try_get("provider")?,
                assignment_id: row.try_get("assignment_id")?,
                starts_at: row.try_get("starts_at")?,
            })
        })
        .collect()
    }
}
