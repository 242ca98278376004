//! Purpose: `leadbot bench` — print what the benchmarks in `leadbot::bench` measured.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::Local;
use leadbot::bench::{self, BenchPlan};
use leadbot::config::Secret;
use leadbot::delivery::{self, RetryPolicy, Webhook};
use leadbot::reps;
use leadbot::runtime::{Runtime, ScriptCatalog};
use leadbot::script::Script;
use leadbot::store::{Backend, Store};

/// The file a default benchmark writes, recreated on every run.
const DEFAULT_BENCH_DB: &str = "data/bench.db";

/// What `leadbot bench` was asked for.
pub struct DialoguePlan {
    /// Database URL; a fresh SQLite file when absent.
    pub database: Option<String>,
    /// Prospects to run.
    pub conversations: usize,
    /// Prospects at once.
    pub concurrency: usize,
    /// One JSON object instead of text.
    pub json: bool,
    /// Measure hand-off latency (qualifying turn committed → rep's webhook received).
    pub handoff: bool,
}

/// Runs simulated prospects through complete dialogues and prints the figures.
pub async fn dialogues(scripts: Vec<Script>, plan: DialoguePlan) -> Result<()> {
    let database = match plan.database {
        Some(url) => url,
        None => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{DEFAULT_BENCH_DB}{suffix}"));
            }
            format!("sqlite://{DEFAULT_BENCH_DB}")
        }
    };
    let store = Store::open(&database).await?;
    let catalog = ScriptCatalog::new(scripts, None);
    let script = catalog.default_script()?;
    let mut runtime = Runtime::new(store.clone(), catalog, Some("bench"));
    let recorder = Arc::new(Mutex::new(HashMap::new()));
    let receiver = Arc::new(Mutex::new(HashMap::new()));
    if plan.handoff {
        let url = start_receiver(receiver.clone()).await?;
        runtime = handoffs_to_webhook(runtime, url)?;
    }
    let run = BenchPlan {
        conversations: plan.conversations,
        concurrency: plan.concurrency,
        run_id: format!("run{}", Local::now().timestamp_millis()),
        now: Local::now().fixed_offset(),
        qualified_at: plan.handoff.then(|| recorder.clone()),
    };
    let db = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let report = bench::run(&runtime, &script, &run, db).await;
    if plan.handoff {
        let latency = handoff_latency(&recorder, &receiver).await;
        store.close().await;
        report?;
        print_latency(&latency?, db, plan.json)?;
        return Ok(());
    }
    store.close().await;
    let report = report?;
    if plan.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "{} | {} conversations | concurrency {} | {} turns in {:.1} s\n\
             turns/s {:.0} | p50 {:.2} ms | p95 {:.2} ms | p99 {:.2} ms | max {:.1} ms | peak RSS {:.1} MB | {} qualified",
            report.db,
            report.conversations,
            report.concurrency,
            report.turns,
            report.seconds,
            report.turns_per_s,
            report.p50_ms,
            report.p95_ms,
            report.p99_ms,
            report.max_ms,
            report.peak_rss_mb,
            report.qualified
        );
    }
    Ok(())
}

/// When each lead's hand-off reached the webhook, by lead id.
type Arrivals = Arc<Mutex<HashMap<i64, Instant>>>;

/// A local webhook receiver that notes when each lead's hand-off arrives; returns its URL.
async fn start_receiver(arrivals: Arrivals) -> Result<String> {
    let app = Router::new().route(
        "/hook",
        post(|State(arrivals): State<Arrivals>, body: Bytes| async move {
            let arrived = Instant::now();
            let lead = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|notice| notice["lead_id"].as_i64());
            if let (Some(lead), Ok(mut arrivals)) = (lead, arrivals.lock()) {
                arrivals.entry(lead).or_insert(arrived);
            }
            StatusCode::OK
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app.with_state(arrivals)).await });
    Ok(format!("http://{address}/hook"))
}

/// Routes every hand-off to one always-available rep whose webhook is `url`, and starts that
/// webhook's delivery worker.
fn handoffs_to_webhook(runtime: Runtime, url: String) -> Result<Runtime> {
    let team = reps::parse(
        &format!("[[reps]]\nid = \"bench\"\nname = \"Bench Rep\"\nwebhook_url = \"{url}\"\n"),
        std::path::Path::new("bench-reps.toml"),
    )
    .map_err(|problems| anyhow::anyhow!("bench team: {problems:?}"))?;
    let runtime = runtime
        .with_team(Arc::new(team))
        .with_rep_channels(["webhook"]);
    let webhook = Webhook::new(
        Secret::new(url),
        Secret::new("bench".into()),
        Duration::from_secs(10),
    )?;
    delivery::Workers::default().deliver(
        runtime.store(),
        "webhook:bench",
        webhook,
        &runtime.outbox_wake(),
        RetryPolicy::default(),
    );
    Ok(runtime)
}

/// Hand-off latencies in milliseconds, sorted; waits up to 30 s for the last deliveries.
async fn handoff_latency(qualified: &Arrivals, arrivals: &Arrivals) -> Result<Vec<f64>> {
    let expected = qualified.lock().map_or(0, |qualified| qualified.len());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let arrived = arrivals.lock().map_or(0, |arrivals| arrivals.len());
        if arrived >= expected || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (Ok(qualified), Ok(arrivals)) = (qualified.lock(), arrivals.lock()) else {
        anyhow::bail!("a latency recorder was poisoned");
    };
    let mut latencies: Vec<f64> = qualified
        .iter()
        .filter_map(|(lead, committed)| {
            arrivals
                .get(lead)
                .map(|arrived| arrived.saturating_duration_since(*committed).as_secs_f64() * 1000.0)
        })
        .collect();
    if latencies.len() < expected {
        anyhow::bail!(
            "only {} of {expected} hand-offs reached the webhook within 30 s",
            latencies.len()
        );
    }
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}

fn print_latency(latencies: &[f64], db: &str, json: bool) -> Result<()> {
    let percentile = |p: f64| {
        let rank = ((p / 100.0) * latencies.len().saturating_sub(1) as f64).round() as usize;
        latencies.get(rank).copied().unwrap_or(0.0)
    };
    let (p50, p99, max) = (percentile(50.0), percentile(99.0), percentile(100.0));
    if json {
        let figures = serde_json::json!({
            "db": db, "handoffs": latencies.len(), "handoff_p50_ms": p50,
            "handoff_p99_ms": p99, "handoff_max_ms": max,
        });
        println!("{figures}");
    } else {
        println!(
            "{db} | {} hand-offs | committed → webhook received: p50 {p50:.1} ms | p99 {p99:.1} ms | max {max:.1} ms",
            latencies.len()
        );
    }
    Ok(())
}

/// Times every extractor on `bytes`-long messages in each language.
pub fn extraction(bytes: usize, json: bool) -> Result<()> {
    let now = Local::now().fixed_offset();
    for timing in bench::extraction_timings(bytes, 200, now) {
        if json {
            println!("{}", serde_json::to_string(&timing)?);
        } else {
            println!(
                "{:<10} {}  {} bytes  mean {:>8.1} µs  max {:>8.1} µs",
                timing.kind, timing.locale, timing.bytes, timing.mean_us, timing.max_us
            );
        }
    }
    Ok(())
}
