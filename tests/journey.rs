//! Issue 18's "done when", end to end against the fake Slack on both databases: a prospect in
//! Slack asks for a person mid-dialogue, the rep accepts the takeover card, reads the
//! prospect's question, answers in its Slack thread (and through the HTTP API a CRM or the CLI
//! uses), hands back with
//! the "Hand back to the bot" button; the
//! prospect finishes, becomes SQL, is offered "Book a time with <rep>", books (signed
//! webhook), comes back later and reaches the same rep.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;
mod slack_fake;

use common::{API_TOKEN, QUALIFYING_ANSWERS, Server, count_rows, drain_outbox, post_json};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use slack_fake::{
    BOT_TOKEN, FakeSlack, SIGNING_SECRET, SlackRequest, block_actions, buttons, direct_message,
    dm_channel, envelope,
};

const DANA: &str = "U0DANA";
const REPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/journey/reps.toml");
const BOOKING_SECRET: &str = "journey-booking-secret";

fn ts(offset: i64) -> String {
    format!(
        "{}.{:06}",
        chrono::Utc::now().timestamp() + offset,
        offset.rem_euclid(1_000_000)
    )
}

async fn say(server: &Server, url: &str, text: &str, ts: &str) {
    let event = envelope(&format!("Ev{ts}"), direct_message(DANA, text, ts));
    let (status, body) = SlackRequest::event(event).send(server.port).await;
    assert_eq!(status, 200, "{text}: {body}");
    drain_outbox(url, "slack").await;
}

/// The posts the bot made in `user`'s DM, in order.
fn posts_to(fake: &FakeSlack, user: &str) -> Vec<slack_fake::Call> {
    fake.accepted("chat.postMessage")
        .into_iter()
        .filter(|post| post.body["channel"] == dm_channel(user))
        .collect()
}

fn text_of(post: &slack_fake::Call) -> String {
    post.body["text"].as_str().unwrap_or_default().to_string()
}

async fn a_prospect_gets_a_person_books_a_time_and_comes_back_to_the_same_rep(url: &str) {
    let fake = FakeSlack::start().await;
    let server = Server::start_with_env(
        url,
        &[
            ("SLACK_BOT_TOKEN", BOT_TOKEN),
            ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
            ("SLACK_API_URL", &fake.api_url()),
            ("LEADBOT_REPS", REPS),
            ("LEADBOT_BOOKING_SECRET", BOOKING_SECRET),
        ],
    );
    say(&server, url, "hi", &ts(0)).await;
    say(&server, url, QUALIFYING_ANSWERS[0], &ts(1)).await;
    say(&server, url, "can I talk to a human please?", &ts(2)).await;
    let told = posts_to(&fake, DANA);
    assert!(
        text_of(told.last().unwrap()).contains("bringing in a person"),
        "{:?}",
        told.iter().map(text_of).collect::<Vec<_>>()
    );

    // The takeover card reaches the first rep of the rotation, with the conversation so far.
    let sam_posts = posts_to(&fake, "U0SAM");
    assert_eq!(sam_posts.len(), 1, "one takeover card");
    let card = &sam_posts[0];
    let shown = card.body["blocks"].to_string();
    assert!(shown.contains("Wants to talk to a person"), "{shown}");
    let (accept, assignment) = buttons(card)[0].clone();
    assert_eq!(accept, "handoff:accept");
    let click = block_actions("U0SAM", card, &accept, &assignment, &ts(3));
    assert_eq!(
        SlackRequest::interaction(click).send(server.port).await.0,
        200
    );
    drain_outbox(url, "slack").await;
    assert_eq!(count_rows(url, "leads WHERE owner = 'sam'").await, 1);

    // Dana's question goes to Sam, not to the script.
    say(&server, url, "How much would 40 seats cost?", &ts(4)).await;
    let relayed = posts_to(&fake, "U0SAM");
    assert!(
        text_of(relayed.last().unwrap()).contains("How much would 40 seats cost?"),
        "{:?}",
        relayed.iter().map(text_of).collect::<Vec<_>>()
    );
    assert_eq!(
        count_rows(url, "answers").await,
        1,
        "only the name was an answer"
    );

    // Sam answers in the thread of Dana's message, in his DM with the app.
    let message = relayed.last().unwrap();
    let mut in_thread = direct_message("U0SAM", "Happy to help, Dana! <!channel>", &ts(5));
    in_thread["channel"] = message.body["channel"].clone();
    in_thread["thread_ts"] = message.ts.clone().unwrap().into();
    let event = envelope("EvSamThread", in_thread);
    assert_eq!(SlackRequest::event(event).send(server.port).await.0, 200);
    drain_outbox(url, "slack").await;
    let answered = text_of(posts_to(&fake, DANA).last().unwrap());
    assert_eq!(
        answered, "Sam Rivera: Happy to help, Dana!",
        "the rep's name shown, the mass mention not echoed"
    );
    assert_eq!(
        count_rows(url, "leads").await,
        1,
        "Sam's message is no prospect's"
    );

    // And once more through the API (what `leadbot reply` and a CRM use).
    let lead: i64 = 1;
    let reply = r#"{"rep": "sam", "text": "About $1,200 a month for 40 seats. @everyone", "request_id": "sam-1"}"#;
    let (status, body) = post_json(
        server.port,
        &format!("/api/leads/{lead}/reply"),
        API_TOKEN,
        reply,
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
    drain_outbox(url, "slack").await;
    let answered = text_of(posts_to(&fake, DANA).last().unwrap());
    assert!(
        answered.starts_with("Sam Rivera: About $1,200 a month"),
        "{answered}"
    );
    assert!(!answered.contains("@everyone"), "{answered}");
    // Sam hands back with the button under Dana's message.
    let (hand_back, value) = buttons(message)[0].clone();
    assert_eq!(
        (hand_back.as_str(), value.as_str()),
        ("takeover:hand_back", "1")
    );
    let click = block_actions("U0SAM", message, &hand_back, &value, &ts(5));
    assert_eq!(
        SlackRequest::interaction(click).send(server.port).await.0,
        200
    );
    drain_outbox(url, "slack").await;
    let resumed = text_of(posts_to(&fake, DANA).last().unwrap());
    assert!(resumed.contains("Which company"), "{resumed}");

    // Dana finishes, qualifies, and is offered Sam's booking page with her details.
    for (turn, answer) in QUALIFYING_ANSWERS.iter().enumerate().skip(1) {
        say(&server, url, answer, &ts(10 + turn as i64)).await;
    }
    assert_eq!(count_rows(url, "leads WHERE stage = 'sql'").await, 1);
    assert_eq!(
        count_rows(url, "answers").await,
        QUALIFYING_ANSWERS.len() as i64
    );
    let offer = posts_to(&fake, DANA)
        .into_iter()
        .rev()
        .find(|post| {
            post.body["blocks"]
                .to_string()
                .contains("Book a time with Sam Rivera")
        })
        .unwrap_or_else(|| panic!("no booking button"));
    let button = &offer.body["blocks"][1]["elements"][0];
    assert_eq!(
        button["url"],
        "https://calendly.com/sam-northwind/30min?name=Dana+Smith&email=dana%40acme.io"
    );
    let to_sam = posts_to(&fake, "U0SAM");
    assert!(
        to_sam.last().unwrap().body["blocks"]
            .to_string()
            .contains("New sales-qualified lead"),
        "the SQL hand-off goes to Sam, the owner"
    );

    // Calendly reports the booking.
    let booked = serde_json::json!({"event": "invitee.created", "payload": {
        "uri": "https://api.calendly.com/scheduled_events/E9/invitees/I9",
        "email": "dana@acme.io", "scheduled_event": {"start_time": "2026-12-14T15:00:00Z"}}})
    .to_string();
    let sent_at = chrono::Utc::now().timestamp();
    let mut mac = Hmac::<Sha256>::new_from_slice(BOOKING_SECRET.as_bytes()).unwrap();
    mac.update(format!("{sent_at}.{booked}").as_bytes());
    let signature = format!(
        "t={sent_at},v1={}",
        hex::encode(mac.finalize().into_bytes())
    );
    let (status, body) = booking_webhook(server.port, &signature, &booked).await;
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["lead_id"], lead);
    assert_eq!(count_rows(url, "meetings").await, 1);

    // Later, Dana is back: a new dialogue, the same lead, the same rep (not Omar, whose turn it is).
    let before = posts_to(&fake, "U0OMAR").len();
    say(&server, url, "restart", &ts(100)).await;
    for (turn, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
        say(&server, url, answer, &ts(101 + turn as i64)).await;
    }
    assert_eq!(count_rows(url, "leads").await, 1, "one lead per person");
    assert_eq!(posts_to(&fake, "U0OMAR").len(), before, "nothing for Omar");
    let cards = posts_to(&fake, "U0SAM")
        .iter()
        .filter(|post| {
            post.body["blocks"]
                .to_string()
                .contains("New sales-qualified lead")
        })
        .count();
    assert_eq!(cards, 2, "both sales-qualified hand-offs went to Sam");
    assert_eq!(
        count_rows(url, "assignments WHERE rep_id = 'sam'").await,
        3,
        "the takeover and two hand-offs"
    );
}

/// POSTs a Calendly-signed booking to the server.
async fn booking_webhook(port: u16, signature: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!(
        "POST /webhooks/booking HTTP/1.1\r\nHost: 127.0.0.1\r\nCalendly-Webhook-Signature: {signature}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, text.split_once("\r\n\r\n").unwrap().1.to_string())
}

on_both_databases!(a_prospect_gets_a_person_books_a_time_and_comes_back_to_the_same_rep);
