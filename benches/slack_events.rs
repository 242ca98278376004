//! Load test of the Slack Events API endpoint: prospects' DMs arrive signed, at a fixed rate,
//! over fresh connections (as Slack sends them) to the real router and runtime in this process;
//! replies go through the outbox worker and slack-morphism to a fake Web API on 127.0.0.1.
//! Reports the ack latency (request sent → 200; Slack's limit is 3 s), the reply latency
//! (request sent → the first chat.postMessage of that turn at the fake) and events/s.
//!
//! `cargo bench --bench slack_events -- [--rate 300] [--conversations 300] [--turns 10]
//! [--database URL]` (default database: a fresh SQLite file in a temp folder).
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark: a failed unwrap is a failed run, with its message"
)]

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/slack_fake/mod.rs"]
mod slack_fake;

use std::sync::Arc;
use std::time::{Duration, Instant};

use leadbot::channels::slack::{self, MentionMode, SlackApp, SlackConfig};
use leadbot::config::Secret;
use leadbot::delivery::RetryPolicy;
use leadbot::runtime::{Runtime, ScriptCatalog};
use leadbot::store::Store;
use slack_fake::{BOT_TOKEN, FakeSlack, SIGNING_SECRET, SlackRequest, direct_message, envelope};

struct Options {
    rate: f64,
    conversations: usize,
    turns: usize,
    database: Option<String>,
}

fn options() -> Options {
    let mut options = Options {
        rate: 300.0,
        conversations: 300,
        turns: 10,
        database: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut index = 0;
    while index < args.len() {
        let value = args.get(index + 1).cloned().unwrap_or_default();
        match args[index].as_str() {
            "--rate" => options.rate = value.parse().unwrap(),
            "--conversations" => options.conversations = value.parse().unwrap(),
            "--turns" => options.turns = value.parse().unwrap(),
            "--database" => options.database = Some(value),
            // `cargo bench` passes --bench; anything else is ignored too.
            _ => {
                index += 1;
                continue;
            }
        }
        index += 2;
    }
    options
}

fn text(turn: usize) -> &'static str {
    turn.checked_sub(1)
        .and_then(|answer| common::QUALIFYING_ANSWERS.get(answer))
        .copied()
        .unwrap_or("hi")
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let options = options();
    let sqlite = common::TestDb::sqlite();
    let database = options
        .database
        .clone()
        .unwrap_or_else(|| sqlite.url.clone());
    let fake = FakeSlack::start().await;
    let store = Store::open(&database).await.unwrap();
    let runtime = Runtime::new(
        store.clone(),
        ScriptCatalog::new(vec![common::english_script()], None),
        None,
    );
    let app = SlackApp::new(
        runtime,
        SlackConfig {
            bot_token: Secret::new(BOT_TOKEN.into()),
            signing_secret: Secret::new(SIGNING_SECRET.into()),
            app_token: None,
            api_url: fake.api_url(),
            mention_mode: MentionMode::Thread,
            command: "/qualify".into(),
        },
    );
    app.start_delivery(
        &leadbot::delivery::Workers::default(),
        RetryPolicy::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, slack::routes(app)).await });

    let total = options.conversations * options.turns;
    println!(
        "slack events: {} conversations × {} turns = {total} events at {} events/s on {}",
        options.conversations,
        options.turns,
        options.rate,
        if options.database.is_some() {
            "the given database"
        } else {
            "SQLite (temp file)"
        }
    );
    let run = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / options.rate);
    let run_id = chrono::Utc::now().timestamp_millis();
    let fake = Arc::new(fake);
    let mut tasks = Vec::with_capacity(total);
    for index in 0..total {
        let (turn, conversation) = (index / options.conversations, index % options.conversations);
        let due = run + interval.mul_f64(index as f64);
        tokio::time::sleep_until(due.into()).await;
        let fake = fake.clone();
        tasks.push(tokio::spawn(async move {
            let user = format!("U{run_id}X{conversation}");
            let channel = slack_fake::dm_channel(&user);
            let seen = fake.post_count(&channel);
            let ts = format!(
                "{}.{:06}",
                chrono::Utc::now().timestamp(),
                index % 1_000_000
            );
            let event = envelope(
                &format!("Ev{index}"),
                direct_message(&user, text(turn), &ts),
            );
            let request = SlackRequest::event(event);
            let sent = Instant::now();
            let (status, _) = request.send(port).await;
            let ack = sent.elapsed();
            let reply = fake
                .post_number(&channel, seen, Duration::from_secs(30))
                .await
                .map(|at| at.saturating_duration_since(sent));
            (status, ack, reply)
        }));
    }
    let mut acks = Vec::with_capacity(total);
    let mut replies = Vec::with_capacity(total);
    let mut failed = 0;
    for task in tasks {
        let (status, ack, reply) = task.await.unwrap();
        if status != 200 {
            failed += 1;
        }
        acks.push(ack);
        replies.extend(reply);
    }
    let sending = run.elapsed();
    acks.sort();
    replies.sort();
    println!(
        "sent {total} events in {:.2} s: {:.0} events/s acknowledged ({failed} not 200)",
        sending.as_secs_f64(),
        total as f64 / sending.as_secs_f64()
    );
    println!(
        "ack latency:   p50 {}  p99 {}  max {}  (over 3 s: {})",
        millis(percentile(&acks, 0.5)),
        millis(percentile(&acks, 0.99)),
        millis(percentile(&acks, 1.0)),
        acks.iter()
            .filter(|ack| **ack > Duration::from_secs(3))
            .count()
    );
    println!(
        "reply latency: p50 {}  p99 {}  max {}  ({} of {total} turns answered within 30 s)",
        millis(percentile(&replies, 0.5)),
        millis(percentile(&replies, 0.99)),
        millis(percentile(&replies, 1.0)),
        replies.len()
    );
    store.close().await;
    sqlite.finish().await;
}
