//! Purpose: `POST /webhooks/booking` — a booking provider (Calendly, Cal.com) tells leadbot a
//! prospect booked a meeting; the request's HMAC-SHA256 signature is checked against
//! `LEADBOT_BOOKING_SECRET` (a bad or missing one is refused) and the meeting is recorded on
//! the lead's latest hand-off ("meeting booked").

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::AppState;
use super::api::{ApiError, error};
use crate::secret::Secret;
use crate::store::meetings::{Booking, BookingRecorded};

/// Calendly's header: `t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">`.
const CALENDLY_SIGNATURE: &str = "calendly-webhook-signature";
/// Cal.com's header: the hex HMAC of the body.
const CAL_COM_SIGNATURE: &str = "x-cal-signature-256";
/// How far a Calendly signature's `t=` may be from now: older is a replay (Calendly's own
/// guidance uses three minutes; leadbot allows Slack's five for clock drift).
const CALENDLY_MAX_SKEW_SECONDS: i64 = 5 * 60;

pub(super) async fn received(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let Some(secret) = &state.booking_secret else {
        return Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "LEADBOT_BOOKING_SECRET is not set: booking webhooks are off",
        ));
    };
    if !signed(secret, &headers, &body, Utc::now().timestamp()) {
        return Err(error(StatusCode::UNAUTHORIZED, "bad or missing signature"));
    }
    let payload: Value = serde_json::from_slice(&body).map_err(|problem| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("not JSON: {problem}"),
        )
    })?;
    let Some(booking) = booking_of(&payload)? else {
        return Ok(Json(json!({ "ignored": "not a new booking" })));
    };
    let recorded = state
        .runtime
        .meeting_booked(&booking, Utc::now().fixed_offset())
        .await
        .map_err(|failure| {
            tracing::error!(error = %failure, "a booking was not stored");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Not stored: the database is unavailable. Send the same request again.",
            )
        })?;
    Ok(Json(match recorded {
        BookingRecorded::Booked {
            lead_id,
            assignment_id,
        } => json!({ "lead_id": lead_id, "handoff": assignment_id, "meeting_booked": true }),
        BookingRecorded::AlreadyKnown { lead_id, .. } => {
            json!({ "lead_id": lead_id, "meeting_booked": true, "repeat": true })
        }
        BookingRecorded::NoLead => {
            json!({ "meeting_booked": false, "reason": "no lead has this e-mail" })
        }
    }))
}

/// True when the request carries a valid Calendly or Cal.com signature; a Calendly one must be
/// recent (`now`: Unix seconds), so a captured request cannot be replayed later.
fn signed(secret: &Secret, headers: &HeaderMap, body: &[u8], now: i64) -> bool {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(calendly) = header(CALENDLY_SIGNATURE) {
        let part = |key: &str| {
            calendly
                .split(',')
                .find_map(|part| part.trim().strip_prefix(key))
        };
        let (Some(timestamp), Some(given)) = (part("t="), part("v1=")) else {
            return false;
        };
        let recent = timestamp
            .parse::<i64>()
            .is_ok_and(|seconds| now.saturating_sub(seconds).abs() <= CALENDLY_MAX_SKEW_SECONDS);
        return recent && secret.hmac_matches(&[timestamp.as_bytes(), b".", body], given);
    }
    match header(CAL_COM_SIGNATURE) {
        Some(given) => secret.hmac_matches(&[body], given),
        None => false,
    }
}

/// The booking in a Calendly (`invitee.created`) or Cal.com (`BOOKING_CREATED`) payload;
/// `None` for the providers' other events (cancellations, pings).
fn booking_of(payload: &Value) -> Result<Option<Booking>, ApiError> {
    let text = |value: &Value| value.as_str().map(str::to_string);
    let (provider, external_id, email, start) =
        match (payload["event"].as_str(), payload["triggerEvent"].as_str()) {
            (Some("invitee.created"), _) => {
                let invitee = &payload["payload"];
                (
                    "calendly",
                    text(&invitee["uri"]),
                    text(&invitee["email"]),
                    text(&invitee["scheduled_event"]["start_time"]),
                )
            }
            (_, Some("BOOKING_CREATED")) => {
                let booking = &payload["payload"];
                (
                    "cal.com",
                    text(&booking["uid"])
                        .or_else(|| booking["bookingId"].as_i64().map(|id| id.to_string())),
                    text(&booking["attendees"][0]["email"]),
                    text(&booking["startTime"]),
                )
            }
            (Some(_), _) | (_, Some(_)) => return Ok(None),
            (None, None) => {
                return Err(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "neither a Calendly (\"event\") nor a Cal.com (\"triggerEvent\") payload",
                ));
            }
        };
    let missing = |what: &str| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{provider} booking without {what}"),
        )
    };
    let starts_at = start
        .as_deref()
        .and_then(|start| DateTime::parse_from_rfc3339(start).ok())
        .ok_or_else(|| missing("a start time (RFC 3339)"))?;
    Ok(Some(Booking {
        provider: provider.to_string(),
        external_id: external_id.ok_or_else(|| missing("an id"))?,
        email: email.ok_or_else(|| missing("the invitee's e-mail"))?,
        starts_at: starts_at.timestamp_millis(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hmac_hex(secret: &str, message: &[u8]) -> String {
        Secret::new(secret.into()).hmac_hex(&[message])
    }

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn only_a_correct_signature_is_accepted() {
        let secret = Secret::new("booking-secret".into());
        let body = br#"{"event":"invitee.created"}"#;
        let mut headers = HeaderMap::new();
        assert!(!signed(&secret, &headers, body, NOW), "unsigned");
        let mut calendly = b"1700000000.".to_vec();
        calendly.extend_from_slice(body);
        let good = format!("t=1700000000,v1={}", hmac_hex("booking-secret", &calendly));
        headers.insert(CALENDLY_SIGNATURE, good.parse().unwrap());
        assert!(signed(&secret, &headers, body, NOW));
        assert!(
            signed(&secret, &headers, body, NOW + 299),
            "within five minutes"
        );
        assert!(!signed(&secret, &headers, body, NOW + 301), "a replay");
        assert!(
            !signed(&secret, &headers, body, NOW - 301),
            "from the future"
        );
        assert!(!signed(&secret, &headers, br#"{"event":"tampered"}"#, NOW));
        let wrong = format!("t=1700000000,v1={}", hmac_hex("other", &calendly));
        headers.insert(CALENDLY_SIGNATURE, wrong.parse().unwrap());
        assert!(!signed(&secret, &headers, body, NOW));
        let mut cal = HeaderMap::new();
        cal.insert(
            CAL_COM_SIGNATURE,
            hmac_hex("booking-secret", body).parse().unwrap(),
        );
        assert!(signed(&secret, &cal, body, NOW));
        cal.insert(CAL_COM_SIGNATURE, "zz-not-hex".parse().unwrap());
        assert!(!signed(&secret, &cal, body, NOW));
    }

    #[test]
    fn calendly_and_cal_com_payloads_read_the_same() {
        let calendly = json!({"event": "invitee.created", "payload": {
            "uri": "https://api.calendly.com/scheduled_events/E1/invitees/I1",
            "email": "dana@acme.io", "name": "Dana Smith",
            "scheduled_event": {"start_time": "2026-03-10T15:00:00.000000Z"}}});
        let cal = json!({"triggerEvent": "BOOKING_CREATED", "payload": {
            "uid": "b-42", "startTime": "2026-03-10T15:00:00Z",
            "attendees": [{"email": "dana@acme.io", "name": "Dana Smith"}]}});
        let read = |payload: &Value| booking_of(payload).ok().flatten().unwrap();
        assert_eq!(read(&calendly).provider, "calendly");
        assert_eq!(read(&cal).external_id, "b-42");
        assert_eq!(read(&calendly).starts_at, read(&cal).starts_at);
        assert_eq!(read(&cal).email, "dana@acme.io");
        let cancelled = json!({"event": "invitee.canceled", "payload": {}});
        assert!(matches!(booking_of(&cancelled), Ok(None)));
        assert!(booking_of(&json!({"hello": 1})).is_err());
        let no_time = json!({"triggerEvent": "BOOKING_CREATED", "payload": {"uid": "x"}});
        assert!(booking_of(&no_time).is_err());
    }
}
