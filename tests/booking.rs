//! A meeting booked, end to end on both databases: a sales-qualified prospect is offered
//! "Book a time with <rep>" with their name and e-mail filled in; the provider's signed webhook
//! (Calendly and Cal.com shapes) marks the hand-off "meeting booked", shown by `leads show` and
//! exports; a bad signature is refused and a retried webhook counts once.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use common::{QUALIFYING_ANSWERS, at, english_script, test_key};
use hmac::{Hmac, Mac};
use leadbot::config::Secret;
use leadbot::engine::Input;
use leadbot::http::AppState;
use leadbot::runtime::{Handled, Inbound, Runtime};
use sha2::Sha256;

const TEAM: &str = r#"
[fallback]
name = "Sales desk"
email = "desk@x.io"
booking_url = "https://cal.com/northwind/intro"
[[pools]]
id = "default"
reps = ["ana"]
[[reps]]
id = "ana"
name = "Ana"
email = "ana@x.io"
booking_url = "https://calendly.com/ana-northwind/30min"
"#;

const SECRET: &str = "booking-secret";

async fn runtime(url: &str) -> Runtime {
    common::team_runtime(url, vec![english_script()], TEAM).await
}

fn hmac_hex(message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// POSTs `body` to /webhooks/booking with one extra header; returns status and body.
async fn post(port: u16, header: (&str, String), body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!(
        "POST /webhooks/booking HTTP/1.1\r\nHost: 127.0.0.1\r\n{}: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        header.0,
        header.1,
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, text.split_once("\r\n\r\n").unwrap().1.to_string())
}

async fn a_qualified_prospect_books_a_time_and_the_handoff_says_so(url: &str) {
    let runtime = runtime(url).await;
    let say = |text: &str, seconds: i64| {
        let inbound = Inbound::new(
            test_key("dana"),
            None,
            Input::Text(text.to_string()),
            at(seconds),
        );
        let runtime = runtime.clone();
        async move {
            match runtime.handle(&inbound).await.unwrap() {
                Handled::Replied(outcome) => *outcome,
                other => panic!("not a turn: {other:?}"),
            }
        }
    };
    say("hi", 0).await;
    let mut last = None;
    for (index, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
        last = Some(say(answer, 10 + index as i64).await);
    }
    let last = last.unwrap();
    assert!(last.handoff.is_some());
    let offer = last
        .replies
        .iter()
        .find_map(|reply| reply.link.clone())
        .unwrap_or_else(|| panic!("no booking link in {:?}", last.replies));
    assert_eq!(offer.label, "Book a time with Ana");
    assert_eq!(
        offer.url,
        "https://calendly.com/ana-northwind/30min?name=Dana+Smith&email=dana%40acme.io"
    );
    let lead = last.lead_id;
    let handoff = runtime.store().assignments_of(lead).await.unwrap()[0].id;

    let state = AppState {
        runtime: runtime.clone(),
        api_token: None,
        booking_secret: Some(Secret::new(SECRET.into())),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, leadbot::http::app(state)).await });

    let calendly = serde_json::json!({"event": "invitee.created", "payload": {
        "uri": "https://api.calendly.com/scheduled_events/E1/invitees/I1",
        "email": "Dana@Acme.io", "name": "Dana Smith",
        "scheduled_event": {"start_time": "2026-03-10T15:00:00.000000Z"}}})
    .to_string();
    // Calendly signs with the time it sends; leadbot refuses one more than 5 minutes off.
    let sent_at = chrono::Utc::now().timestamp();
    let signed = |body: &str| {
        let signed = format!("{sent_at}.{body}");
        (
            "Calendly-Webhook-Signature",
            format!("t={sent_at},v1={}", hmac_hex(signed.as_bytes())),
        )
    };
    let forged = (
        "Calendly-Webhook-Signature",
        format!("t={sent_at},v1={}", hmac_hex(b"something else")),
    );
    let (status, body) = post(port, forged, &calendly).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(runtime.store().meetings_of(lead).await.unwrap().len(), 0);
    let (status, body) = post(port, signed(&calendly), &calendly).await;
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["lead_id"], lead);
    assert_eq!(answer["handoff"], handoff);
    let (status, body) = post(port, signed(&calendly), &calendly).await;
    assert!(status == 200 && body.contains(r#""repeat":true"#), "{body}");

    // Cal.com's shape, for someone leadbot never talked to: accepted, matched to nobody.
    let cal = serde_json::json!({"triggerEvent": "BOOKING_CREATED", "payload": {
        "uid": "b-42", "startTime": "2026-03-11T09:30:00Z",
        "attendees": [{"email": "stranger@else.io"}]}})
    .to_string();
    let (status, body) = post(
        port,
        ("X-Cal-Signature-256", hmac_hex(cal.as_bytes())),
        &cal,
    )
    .await;
    assert!(
        status == 200 && body.contains(r#""meeting_booked":false"#),
        "{body}"
    );

    let meetings = runtime.store().meetings_of(lead).await.unwrap();
    assert_eq!(meetings.len(), 1, "a retried webhook counts once");
    assert_eq!(meetings[0].provider, "calendly");
    assert_eq!(meetings[0].assignment_id, Some(handoff));
    let record = runtime.store().lead_record(lead).await.unwrap().unwrap();
    let ten_march = chrono::DateTime::parse_from_rfc3339("2026-03-10T15:00:00Z").unwrap();
    assert_eq!(record.lead.meeting_at, Some(ten_march.timestamp_millis()));

    let show = std::process::Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .args(["leads", "show", &lead.to_string(), "--database", url])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&show.stdout);
    assert!(show.status.success(), "{shown}");
    assert!(
        shown.contains("meeting booked for 2026-03-10 15:00:00 UTC"),
        "{shown}"
    );
    assert!(shown.contains("owner: —"), "{shown}");
    runtime.store().close().await;
}

on_both_databases!(a_qualified_prospect_books_a_time_and_the_handoff_says_so);
