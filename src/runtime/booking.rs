//! Purpose: a meeting booked — the booking page a sales-qualified prospect is offered (the
//! rep's, else the pool's, else the fallback team's `booking_url`), as a link button with the
//! prospect's name and e-mail filled in (Calendly, Cal.com and HubSpot read `name` and
//! `email` from the query); and a booking the provider reports, recorded and shown to the rep
//! on their hand-off card through the outbox.

use chrono::{DateTime, FixedOffset};

use super::handoff::stored_notice;
use super::{Runtime, RuntimeError};
use crate::engine::{HandOff, ReplyLink, messages};
use crate::notify::{CardRef, NoticeEvent};
use crate::outbox::OutboxMessage;
use crate::reps::{Rep, Team};
use crate::script::{MessageKey, Script};
use crate::store::meetings::{Booking, BookingRecorded, HandoffCard};

impl Runtime {
    /// Records a booking a provider reported and tells the hand-off's rep: "Meeting booked for
    /// <time>" on their Slack card / Discord message when its message is known (remembered when
    /// they answered it), else as a short message in their DM — queued in the outbox once per
    /// booking and destination, so a provider retrying its webhook (which also heals a crash
    /// between recording and queueing) sends nothing twice.
    pub async fn meeting_booked(
        &self,
        booking: &Booking,
        now: DateTime<FixedOffset>,
    ) -> Result<BookingRecorded, RuntimeError> {
        let now_ms = now.timestamp_millis();
        let recorded = self.store.record_booking(booking, now_ms).await?;
        let (BookingRecorded::Booked {
            assignment_id: Some(assignment_id),
            ..
        }
        | BookingRecorded::AlreadyKnown {
            assignment_id: Some(assignment_id),
            ..
        }) = recorded
        else {
            return Ok(recorded);
        };
        let Some(team) = self.team.load_full() else {
            return Ok(recorded);
        };
        let cards = self.store.cards_of(assignment_id).await?;
        let mut write = self.store.begin_handoff().await?;
        let mut handoffs = write.handoffs().await?;
        let Some(assignment) = handoffs.lock_assignment(assignment_id).await? else {
            return Ok(recorded);
        };
        let mut notice = stored_notice(&assignment)?;
        notice.event = NoticeEvent::MeetingBooked;
        notice.takeover = None;
        notice.note = Some(format!(
            "Meeting booked for {}",
            meeting_time(booking.starts_at)
        ));
        let rep = assignment.rep_id.as_deref().and_then(|id| team.rep(id));
        let items: Vec<_> = self
            .notices(&team, &notice, rep)?
            .into_iter()
            .map(|mut item| {
                item.idempotency_key = format!(
                    "{}:{}:{}",
                    item.idempotency_key, booking.provider, booking.external_id
                );
                let card = cards
                    .iter()
                    .find(|card| card.destination == item.destination)
                    .map(card_ref);
                if let OutboxMessage::HandOff(notice) = &mut item.message {
                    notice.card = card;
                }
                item
            })
            .collect();
        handoffs.queue(&items, now_ms).await?;
        write.commit().await?;
        self.outbox_wake.notify();
        Ok(recorded)
    }

    /// Remembers where a rep's hand-off card is on `destination` ("slack", "discord") and what
    /// it shows, once the rep answered it, so a meeting booked later is shown on it.
    pub async fn remember_card(
        &self,
        assignment_id: i64,
        destination: &str,
        card: CardRef,
        now: DateTime<FixedOffset>,
    ) -> Result<(), RuntimeError> {
        let card = HandoffCard {
            assignment_id,
            destination: destination.to_string(),
            channel: card.channel,
            message: card.message,
            shown: card.shown,
        };
        self.store
            .remember_card(&card, now.timestamp_millis())
            .await?;
        Ok(())
    }
}

fn card_ref(card: &HandoffCard) -> CardRef {
    CardRef {
        channel: card.channel.clone(),
        message: card.message.clone(),
        shown: card.shown.clone(),
    }
}

/// "2026-03-10 15:00 UTC".
fn meeting_time(starts_at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(starts_at_ms).map_or_else(
        || "an unknown time".to_string(),
        |time| time.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// The "Book a time with <who>" button for a routed lead, if anyone has a booking page.
pub(super) fn booking_link(
    script: &Script,
    team: &Team,
    rep: Option<&Rep>,
    pool: Option<&str>,
    lead: &HandOff,
) -> Option<ReplyLink> {
    let pool_url = pool
        .and_then(|id| team.pool(id))
        .and_then(|pool| pool.booking_url.clone());
    let (who, url) = match rep {
        Some(rep) => (
            rep.name.clone(),
            rep.booking_url
                .clone()
                .or(pool_url)
                .or_else(|| team.fallback.booking_url.clone())?,
        ),
        None => (
            team.fallback.name.clone(),
            pool_url.or_else(|| team.fallback.booking_url.clone())?,
        ),
    };
    Some(ReplyLink {
        label: messages::text(script, MessageKey::BookATime).replace("{rep}", &who),
        url: prefilled(&url, lead),
    })
}

/// `url` with the prospect's `name` and `email` added to its query.
fn prefilled(url: &str, lead: &HandOff) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for field in ["name", "email"] {
        if let Some(value) = lead.contact.get(field) {
            query.append_pair(field, value);
        }
    }
    let query = query.finish();
    if query.is_empty() {
        return url.to_string();
    }
    let (base, fragment) = url
        .split_once('#')
        .map_or((url, None), |(base, f)| (base, Some(f)));
    let joiner = if base.contains('?') { '&' } else { '?' };
    let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    format!("{base}{joiner}{query}{fragment}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::sample_handoff;

    #[test]
    fn the_booking_page_gets_the_prospects_name_and_email() {
        let mut lead = sample_handoff();
        lead.contact.insert("name".into(), "Dana Smith".into());
        lead.contact.insert("email".into(), "dana+x@acme.io".into());
        assert_eq!(
            prefilled("https://calendly.com/ana/30min", &lead),
            "https://calendly.com/ana/30min?name=Dana+Smith&email=dana%2Bx%40acme.io"
        );
        assert_eq!(
            prefilled("https://cal.com/ana?duration=30#top", &lead),
            "https://cal.com/ana?duration=30&name=Dana+Smith&email=dana%2Bx%40acme.io#top"
        );
        lead.contact.clear();
        assert_eq!(
            prefilled("https://cal.com/ana", &lead),
            "https://cal.com/ana"
        );
    }
}
