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
    },
    /// No lead has this e-mail address.
    NoLead,
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
        write.commit().await?;
        Ok(if inserted == 1 {
            BookingRecorded::Booked {
                lead_id,
                assignment_id,
            }
        } else {
            BookingRecorded::AlreadyKnown { lead_id }
        })
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
