//! Hand-off notices delivered by e-mail through the outbox, on both databases, to a fake SMTP
//! server: the message arrives once with its subject, plain and HTML parts (the HTML escaped);
//! a 451 is retried into exactly one delivery; a 550 is given up without a retry loop;
//! credentials in the URL log in and never show in an error, a Debug output or the log. And,
//! without a database, what the ambiguous and the unreachable cases do.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;
mod smtp_fake;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::DateTime;
use leadbot::config::Secret;
use leadbot::delivery::{
    self, Attempt, EMAIL_DESTINATION, EmailDelivery, RetryPolicy, SmtpSettings,
};
use leadbot::engine::HandOff;
use leadbot::engine::state::{ScoreEvent, Stage};
use leadbot::notify::{HandOffNotice, NoticeEvent, ProspectRef, RepContact, TeamChannel};
use leadbot::outbox::{NewOutboxItem, OutboxItem, OutboxMessage};
use leadbot::script::Criterion;
use leadbot::store::Store;
use smtp_fake::{FakeSmtp, Received, RecipientAnswer};

const FROM: &str = "leadbot <leadbot@example.com>";
const USER: &str = "mailer-7f3k";
const PASSWORD: &str = "p@ss:w0rd/x";
/// [`PASSWORD`] as it must be written in a URL.
const PASSWORD_IN_URL: &str = "p%40ss%3Aw0rd%2Fx";
const WRONG_PASSWORD_IN_URL: &str = "wr0ng%40pw";
/// What a prospect typed as their need: it must reach the rep as text, never as markup.
const HOSTILE_ANSWER: &str = "<script>alert(\"x\")</script> & co";

fn notice(event: NoticeEvent) -> HandOffNotice {
    let at = DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap();
    let (rep, team_channel) = match event {
        NoticeEvent::Unassigned => (
            None,
            Some(TeamChannel {
                name: "Sales desk".into(),
                slack_channel: None,
                discord_channel: None,
                email: Some("desk@example.com".into()),
            }),
        ),
        _ => (
            Some(RepContact {
                id: "sam".into(),
                name: "Sam Jones".into(),
                slack_user: None,
                discord_user: None,
                email: Some("sam@example.com".into()),
            }),
            None,
        ),
    };
    HandOffNotice {
        event,
        assignment_id: Some(42),
        lead_id: 7,
        conversation_id: 9,
        rep,
        lead: HandOff {
            script_id: "saas-en".into(),
            stage: Stage::Sql,
            score: 96,
            contact: [
                ("name", "Dana Smith"),
                ("company", "Acme Corp"),
                ("email", "dana@acme.io"),
            ]
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect(),
            top_reasons: vec![ScoreEvent {
                points: 30,
                reason: "budget: USD 60,000".into(),
                rule: "step:budget".into(),
                at,
            }],
            criteria: vec![
                (Criterion::Need, HOSTILE_ANSWER.into()),
                (Criterion::Budget, "USD 60,000 per year".into()),
            ],
            qualified_at: at,
            questions: Vec::new(),
        },
        prospect: ProspectRef {
            channel: "web".into(),
            address: "dana".into(),
        },
        pool: Some("emea".into()),
        rule: Some("region = eu".into()),
        sla_minutes: Some(15),
        note: None,
        team_channel,
        takeover: None,
        card: None,
    }
}

/// The outbox item the runtime queues for a notice's e-mail.
fn item(notice: &HandOffNotice) -> NewOutboxItem {
    let event = serde_json::to_value(notice.event).unwrap();
    NewOutboxItem {
        destination: EMAIL_DESTINATION.into(),
        idempotency_key: format!(
            "handoff:{}:{}:{}:{EMAIL_DESTINATION}",
            notice.lead_id,
            notice.assignment_id.unwrap_or(0),
            event.as_str().unwrap()
        ),
        ordering_key: Some(leadbot::outbox::lead_order(notice.lead_id)),
        message: OutboxMessage::HandOff(Box::new(notice.clone())),
    }
}

async fn queue(store: &Store, items: &[NewOutboxItem]) {
    let mut write = store.begin_handoff().await.unwrap();
    write
        .handoffs()
        .await
        .unwrap()
        .queue(items, chrono::Utc::now().timestamp_millis())
        .await
        .unwrap();
    write.commit().await.unwrap();
}

/// Retries at once, so a test drains the queue instead of sleeping.
fn policy() -> RetryPolicy {
    RetryPolicy {
        first_backoff: Duration::ZERO,
        ..RetryPolicy::default()
    }
}

/// Delivers until nothing is due; returns how many rounds claimed something.
async fn drain(store: &Store, delivery: &EmailDelivery) -> usize {
    let mut rounds = 0;
    while delivery::deliver_due(store, EMAIL_DESTINATION, delivery, &policy())
        .await
        .unwrap()
        > 0
    {
        rounds += 1;
        assert!(rounds < 20, "the e-mail queue never drained");
    }
    rounds
}

/// (idempotency key, status, attempts, last error) of every outbox row, in queue order.
async fn outbox(url: &str) -> Vec<(String, String, i64, Option<String>)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let rows: Vec<(String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT idempotency_key, status, attempts, last_error FROM outbox ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows
}

fn deliverer(url: String) -> EmailDelivery {
    let settings = SmtpSettings::new(Secret::new(url), FROM).unwrap();
    EmailDelivery::new(&settings, Duration::from_secs(5)).unwrap()
}

fn to(message: &Received) -> &str {
    message.rcpt_to.first().map_or("", String::as_str)
}

async fn a_handoff_arrives_once_with_subject_both_parts_and_escaped_html(url: &str) {
    let smtp = FakeSmtp::start().await;
    let store = Store::open(url).await.unwrap();
    let email = deliverer(smtp.url());
    queue(
        &store,
        &[
            item(&notice(NoticeEvent::Assigned)),
            item(&notice(NoticeEvent::Unassigned)),
        ],
    )
    .await;
    drain(&store, &email).await;
    assert_eq!(drain(&store, &email).await, 0, "nothing left to send");

    let messages = smtp.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let rep = messages
        .iter()
        .find(|message| to(message) == "sam@example.com")
        .unwrap();
    assert_eq!(rep.rcpt_to, ["sam@example.com"]);
    assert_eq!(rep.mail_from, "leadbot@example.com");
    assert_eq!(rep.header("To").unwrap(), "\"Sam Jones\" <sam@example.com>");
    assert_eq!(
        rep.header("Subject").unwrap(),
        "New sales-qualified lead: Dana Smith (Acme Corp)"
    );
    let message_id = rep.header("Message-ID").unwrap();
    assert!(
        message_id.starts_with("<handoff.7.42.assigned.email.")
            && message_id.ends_with("@example.com>"),
        "{message_id}"
    );
    assert!(
        rep.header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative"),
    );
    let kinds: Vec<String> = rep.parts().into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    let plain = rep.part("text/plain").unwrap();
    for expected in [
        "Dana Smith (Acme Corp)",
        "email: dana@acme.io",
        HOSTILE_ANSWER,
        "Hand-off 42: accept it within 15 minutes",
        "leadbot handoff accept 42 --rep sam",
        "leadbot handoff pass 42 --rep sam",
    ] {
        assert!(plain.contains(expected), "{expected:?} not in\n{plain}");
    }
    let html = rep.part("text/html").unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"),
        "{html}"
    );
    assert!(
        html.contains("leadbot handoff accept 42 --rep sam"),
        "{html}"
    );

    let team = messages
        .iter()
        .find(|message| to(message) == "desk@example.com")
        .unwrap();
    assert_eq!(
        team.header("Subject").unwrap(),
        "New sales-qualified lead, nobody assigned: Dana Smith (Acme Corp)"
    );
    assert!(
        team.part("text/plain")
            .unwrap()
            .contains("someone from Sales desk should reach out")
    );

    let rows = outbox(url).await;
    assert!(
        rows.iter()
            .all(|(_, status, attempts, _)| status == "delivered" && *attempts == 1),
        "{rows:?}"
    );
    store.close().await;
}

async fn a_451_is_retried_into_exactly_one_delivery(url: &str) {
    let smtp = FakeSmtp::start().await;
    smtp.answer_next_recipients(RecipientAnswer::Code(451), 1);
    let store = Store::open(url).await.unwrap();
    let email = deliverer(smtp.url());
    queue(&store, &[item(&notice(NoticeEvent::Assigned))]).await;
    drain(&store, &email).await;

    assert_eq!(smtp.recipients_tried(), 2, "451, then accepted");
    assert_eq!(smtp.messages().len(), 1, "exactly one message");
    let rows = outbox(url).await;
    assert_eq!(rows.len(), 1);
    let (_, status, attempts, last_error) = &rows[0];
    assert_eq!((status.as_str(), *attempts), ("delivered", 2));
    assert!(
        last_error.as_deref().unwrap_or_default().contains("451"),
        "{last_error:?}"
    );
    store.close().await;
}

async fn a_550_is_given_up_without_retrying(url: &str) {
    let smtp = FakeSmtp::start().await;
    smtp.answer_next_recipients(RecipientAnswer::Code(550), 1);
    let store = Store::open(url).await.unwrap();
    let email = deliverer(smtp.url());
    queue(&store, &[item(&notice(NoticeEvent::Withdrawn))]).await;
    assert_eq!(
        drain(&store, &email).await,
        1,
        "one attempt, no retry round"
    );

    assert_eq!(smtp.recipients_tried(), 1);
    assert!(smtp.messages().is_empty());
    let rows = outbox(url).await;
    let (_, status, attempts, last_error) = &rows[0];
    assert_eq!((status.as_str(), *attempts), ("failed", 1));
    let last_error = last_error.as_deref().unwrap_or_default();
    assert!(
        last_error.contains("550") && last_error.contains("no such user"),
        "{last_error}"
    );
    store.close().await;
}

/// Collects everything the `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn credentials_in_the_url_log_in_and_never_show(url: &str) {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let smtp = FakeSmtp::start().await;
    smtp.require_login(USER, PASSWORD);
    let store = Store::open(url).await.unwrap();
    let good_url = format!("smtp://{USER}:{PASSWORD_IN_URL}@127.0.0.1:{}", smtp.port);
    let good_settings = SmtpSettings::new(Secret::new(good_url), FROM).unwrap();
    let good = EmailDelivery::new(&good_settings, Duration::from_secs(5)).unwrap();
    queue(&store, &[item(&notice(NoticeEvent::Assigned))]).await;
    drain(&store, &good).await;
    assert_eq!(smtp.logins(), [(USER.to_string(), PASSWORD.to_string())]);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0].login,
        Some((USER.to_string(), PASSWORD.to_string()))
    );

    // A wrong password: the server refuses it and echoes the user and password back.
    let bad_url = format!(
        "smtp://{USER}:{WRONG_PASSWORD_IN_URL}@127.0.0.1:{}",
        smtp.port
    );
    let bad = deliverer(bad_url);
    queue(&store, &[item(&notice(NoticeEvent::Accepted))]).await;
    drain(&store, &bad).await;
    assert_eq!(smtp.failed_logins().len(), 1, "refused once, not retried");
    let rows = outbox(url).await;
    let (_, status, _, last_error) = &rows[1];
    assert_eq!(status, "failed");
    let last_error = last_error.clone().unwrap_or_default();
    assert!(
        last_error.contains("535") && last_error.contains("<redacted>"),
        "{last_error}"
    );

    let log = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(log.contains("535"), "the refusal is logged: {log}");
    let shown = [
        last_error,
        log,
        format!("{good_settings:?}"),
        format!("{good:?}"),
        format!("{bad:?}"),
    ];
    for text in &shown {
        for secret in [
            USER,
            PASSWORD,
            PASSWORD_IN_URL,
            "wr0ng@pw",
            WRONG_PASSWORD_IN_URL,
        ] {
            assert!(!text.contains(secret), "{secret:?} shown in:\n{text}");
        }
    }
    store.close().await;
}

on_both_databases!(
    a_handoff_arrives_once_with_subject_both_parts_and_escaped_html,
    a_451_is_retried_into_exactly_one_delivery,
    a_550_is_given_up_without_retrying,
    credentials_in_the_url_log_in_and_never_show,
);

/// An item as a worker claims it, for attempts made without a database.
fn claimed(notice: &HandOffNotice) -> OutboxItem {
    let new = item(notice);
    OutboxItem {
        id: 1,
        destination: new.destination,
        idempotency_key: new.idempotency_key,
        ordering_key: new.ordering_key,
        message: new.message,
        attempts: 1,
    }
}

#[tokio::test]
async fn a_server_that_refuses_connections_is_retried() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let email = deliverer(format!("smtp://127.0.0.1:{port}"));
    let attempt = email
        .deliver(&claimed(&notice(NoticeEvent::Assigned)))
        .await;
    assert!(matches!(attempt, Attempt::Retry { .. }), "{attempt:?}");
}

#[tokio::test]
async fn silence_before_data_times_out_and_is_retried() {
    let smtp = FakeSmtp::start().await;
    smtp.answer_next_recipients(RecipientAnswer::Silence, 1);
    let settings = SmtpSettings::new(Secret::new(smtp.url()), FROM).unwrap();
    let email = EmailDelivery::new(&settings, Duration::from_millis(300)).unwrap();
    let attempt = email
        .deliver(&claimed(&notice(NoticeEvent::Assigned)))
        .await;
    match attempt {
        Attempt::Retry { reason, .. } => assert!(reason.contains("timed out"), "{reason}"),
        other => panic!("expected a retry, got {other:?}"),
    }
    assert!(smtp.messages().is_empty());
    assert_eq!(
        email
            .deliver(&claimed(&notice(NoticeEvent::Assigned)))
            .await,
        Attempt::Delivered
    );
}

/// The ambiguous case: the server took the whole message and hung up before confirming it.
/// It is sent again (losing a lead costs more than a duplicate), and the repeat carries the
/// same Message-ID, so it can be recognised.
#[tokio::test]
async fn a_lost_confirmation_is_retried_and_the_repeat_keeps_its_message_id() {
    let smtp = FakeSmtp::start().await;
    smtp.hang_up_after_next_data(1);
    let email = deliverer(smtp.url());
    let item = claimed(&notice(NoticeEvent::Assigned));
    let first = email.deliver(&item).await;
    assert!(matches!(first, Attempt::Retry { .. }), "{first:?}");
    assert_eq!(email.deliver(&item).await, Attempt::Delivered);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(
        messages[0].header("Message-ID"),
        messages[1].header("Message-ID")
    );
}

#[tokio::test]
async fn an_item_the_email_channel_cannot_send_is_given_up() {
    let smtp = FakeSmtp::start().await;
    let email = deliverer(smtp.url());
    let mut no_address = notice(NoticeEvent::Assigned);
    if let Some(rep) = no_address.rep.as_mut() {
        rep.email = None;
    }
    let mut reply = claimed(&notice(NoticeEvent::Assigned));
    reply.message = OutboxMessage::Reply(leadbot::outbox::ProspectReply {
        conversation_id: 1,
        lead_id: 1,
        channel: "web".into(),
        address: "v1".into(),
        context: serde_json::Value::Null,
        index: 0,
        reply: leadbot::engine::Reply {
            text: "Hi".into(),
            step: None,
            choices: Vec::new(),
            multiple: false,
            link: None,
        },
    });
    for item in [claimed(&no_address), reply] {
        let attempt = email.deliver(&item).await;
        assert!(matches!(attempt, Attempt::GiveUp { .. }), "{attempt:?}");
    }
    assert_eq!(smtp.connections(), 0, "nothing was sent");
}
