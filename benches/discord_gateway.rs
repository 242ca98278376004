//! The Discord gateway path's throughput, end to end: simulated prospects write in their DMs
//! through a fake gateway (WebSocket, real frames) to leadbot's serenity client, each turn goes
//! through the runtime and the database, and every reply leaves through the outbox worker as a
//! REST call to a fake Discord API. A prospect waits for the bot's replies before answering, as
//! people do.
//!
//! `cargo bench --bench discord_gateway` (env: BENCH_PROSPECTS, default 200; BENCH_CONCURRENCY,
//! default 50; DATABASE_URL, default a fresh SQLite file).
#![expect(
    clippy::unwrap_used,
    reason = "benchmark harness: a failed unwrap is a failed run, with its message"
)]

#[path = "../tests/discord_fake/mod.rs"]
mod discord_fake;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use discord_fake::{FakeDiscord, TOKEN, frames};
use leadbot::channels::discord::{self, DiscordConfig};
use leadbot::engine::{self, Effect, Input};
use leadbot::runtime::{Runtime, ScriptCatalog};
use leadbot::script;
use leadbot::store::Store;
use tokio::sync::Semaphore;

/// The prospect's messages: a hello, then answers that qualify on the shipped English script.
const MESSAGES: [&str; 10] = [
    "hi",
    "Dana Smith",
    "Acme Corp",
    "we are switching from our old CRM",
    "40",
    "$60k a year",
    "next month",
    "yes",
    "dana@acme.io",
    "Europe",
];

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// How many replies the bot posts after each message, from the pure engine.
fn replies_per_message(script: &script::Script, now: DateTime<FixedOffset>) -> Vec<usize> {
    let says = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|effect| matches!(effect, Effect::Say(_)))
            .count()
    };
    let turn = engine::start(script, now);
    let mut counts = vec![says(&turn.effects)];
    let mut state = turn.state;
    for text in &MESSAGES[1..] {
        let turn = engine::step(script, state, &Input::Text(text.to_string()), now);
        counts.push(says(&turn.effects));
        state = turn.state;
    }
    counts
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let prospects = setting("BENCH_PROSPECTS", 200);
    let concurrency = setting("BENCH_CONCURRENCY", 50).max(1);
    let dir = tempfile::tempdir().unwrap();
    let database = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = script::load_file(&manifest.join("conversations/saas-en.toml")).unwrap();
    let expected = replies_per_message(&script, Utc::now().fixed_offset());

    let fake = FakeDiscord::start().await;
    let store = Store::open(&database).await.unwrap();
    let runtime = Runtime::new(store.clone(), ScriptCatalog::new(vec![script], None), None);
    let config = DiscordConfig::from_env(|name| match name {
        "DISCORD_TOKEN" => Some(TOKEN.to_string()),
        "DISCORD_API_URL" => Some(fake.api_url.clone()),
        "LEADBOT_DISCORD_COMMANDS" => Some("off".to_string()),
        _ => None,
    })
    .unwrap()
    .unwrap();
    let workers = leadbot::delivery::Workers::default();
    let _channel = discord::start(
        runtime,
        config,
        &workers,
        leadbot::config::DEFAULT_OUTBOX_LEASE,
    )
    .await
    .unwrap();
    let connected = fake.clone();
    discord_fake::eventually("the gateway READY", move || connected.connected()).await;

    let limit = Arc::new(Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for prospect in 0..prospects as u64 {
        let (fake, limit, expected) = (fake.clone(), limit.clone(), expected.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await.unwrap();
            let user = 1_400_000_000_000_000_000 + prospect * 2;
            let dm = user + 1;
            let author = frames::user(user, &format!("Prospect {prospect}"), false);
            let mut posted = 0;
            let mut latencies = Vec::with_capacity(MESSAGES.len());
            for (text, replies) in MESSAGES.iter().zip(&expected) {
                let id = fake.next_id();
                let sent = Instant::now();
                fake.dispatch(
                    "MESSAGE_CREATE",
                    frames::message(id, dm, author.clone(), text, None),
                );
                posted += replies;
                fake.wait_posted(dm, posted).await;
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let messages = prospects * MESSAGES.len();
    let replies = prospects * expected.iter().sum::<usize>();
    let sql: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM leads WHERE stage = 'sql'")
        .fetch_one(&sqlx::AnyPool::connect(&database).await.unwrap())
        .await
        .unwrap_or(0);
    println!(
        "discord gateway: {prospects} prospects ({concurrency} at a time), {messages} messages in, \
         {replies} replies out, {sql} sales-qualified, in {:.2} s",
        elapsed.as_secs_f64()
    );
    println!(
        "  {:.0} messages/s in, {:.0} replies/s out (end to end: gateway frame → runtime → DB → outbox → REST)",
        messages as f64 / elapsed.as_secs_f64(),
        replies as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  turn latency (message dispatched → last reply posted): p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.95).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    store.close().await;
}
