//! Purpose: a meeting booked — the booking page a sales-qualified prospect is offered (the
//! rep's, else the pool's, else the fallback team's `booking_url`), as a link button with the
//! prospect's name and e-mail filled in (Calendly, Cal.com and HubSpot read `name` and
//! `email` from the query).

use crate::engine::{HandOff, ReplyLink, messages};
use crate::reps::{Rep, Team};
use crate::script::{MessageKey, Script};

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
