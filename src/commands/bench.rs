//! Purpose: `leadbot bench` — print what the benchmarks in `leadbot::bench` measured.

use anyhow::Result;
use chrono::Local;
use leadbot::bench::{self, BenchPlan};
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
    let runtime = Runtime::new(store.clone(), catalog, Some("bench"));
    let run = BenchPlan {
        conversations: plan.conversations,
        concurrency: plan.concurrency,
        run_id: format!("run{}", Local::now().timestamp_millis()),
        now: Local::now().fixed_offset(),
    };
    let db = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let report = bench::run(&runtime, &script, &run, db).await;
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
