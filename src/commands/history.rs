//! Purpose: `leadbot bench --history N` — writes N synthetic conversations with their answers,
//! hand-offs and outcomes (the database generates them), then times `leadbot report` on the
//! result: the figure docs/benchmarks.md keeps for the funnel report.

use std::time::Instant;

use anyhow::Result;
use leadbot::report::{self, costs::SourceCosts};
use leadbot::store::funnel::ReportFilter;
use leadbot::store::{Backend, Store};
use serde_json::json;

use super::progress;

/// The database a history benchmark writes to when none is named on the command line.
const DEFAULT_HISTORY_DB: &str = "data/bench-history.db";

/// Conversations written per transaction.
const CHUNK: i64 = 20_000;

/// What a history benchmark does.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Conversations to write first (0: time the report on the database as it is).
    pub count: i64,
    /// Also time the reference recount and check it gives the same figures.
    pub recount: bool,
    /// Print one JSON object.
    pub json: bool,
}

/// Seeds the plan's conversations, counts them into the report's cube, then builds the report
/// twice (cold, then warm) and prints the times.
pub async fn run(database: Option<String>, plan: &Plan, costs: &SourceCosts) -> Result<()> {
    let Plan { count, .. } = *plan;
    let database = match database {
        Some(url) => url,
        None => {
            std::fs::create_dir_all("data")?;
            if count > 0 {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{DEFAULT_HISTORY_DB}{suffix}"));
                }
            }
            format!("sqlite://{DEFAULT_HISTORY_DB}")
        }
    };
    let store = Store::open(&database).await?;
    let result = seed_and_time(&store, plan, costs).await;
    store.close().await;
    result
}

async fn seed_and_time(store: &Store, plan: &Plan, costs: &SourceCosts) -> Result<()> {
    let Plan {
        count,
        recount,
        json,
    } = *plan;
    let db = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let seeding = Instant::now();
    if count > 0 {
        let bar = progress::bar(u64::try_from(count).unwrap_or(0), "writing conversations");
        store
            .seed_history(count, CHUNK, now_ms, |written| {
                bar.set_position(u64::try_from(written).unwrap_or(0));
            })
            .await?;
        bar.finish_and_clear();
    }
    let seed_seconds = seeding.elapsed().as_secs_f64();
    let spinner = progress::spinner("counting the history into the report's cube");
    let counting = Instant::now();
    let cube_days = store.refresh_report_cube().await?;
    let cube_seconds = counting.elapsed().as_secs_f64();
    spinner.finish_and_clear();
    let filter = ReportFilter::default();
    let mut times = Vec::new();
    let mut built = None;
    for _ in 0..2 {
        let spinner = progress::spinner("building the report");
        let started = Instant::now();
        let report = report::build(store, &filter, costs, now_ms).await?;
        times.push(started.elapsed().as_secs_f64());
        spinner.finish_and_clear();
        built = Some(report);
    }
    let mut reference = None;
    if recount {
        let spinner = progress::spinner("recounting the raw rows");
        let started = Instant::now();
        let figures = store.funnel_recount(&filter).await?;
        let seconds = started.elapsed().as_secs_f64();
        spinner.finish_and_clear();
        let same = built
            .as_ref()
            .is_some_and(|report| report.figures == figures);
        reference = Some((seconds, same));
    }
    let funnel = built
        .map(|report| report.figures.funnel)
        .unwrap_or_default();
    if json {
        println!(
            "{}",
            json!({
                "db": db,
                "seeded": count,
                "seed_seconds": seed_seconds,
                "conversations": funnel.started,
                "cube_days": cube_days,
                "cube_seconds": cube_seconds,
                "report_cold_seconds": times[0],
                "report_warm_seconds": times[1],
                "recount_seconds": reference.map(|(seconds, _)| seconds),
                "recount_equal": reference.map(|(_, same)| same),
            })
        );
    } else {
        println!("database        {db}");
        if count > 0 {
            println!("seeded          {count} conversations in {seed_seconds:.1} s");
        }
        if cube_days > 0 {
            println!("cube            {cube_days} days counted in {cube_seconds:.1} s");
        }
        println!(
            "report over     {} conversations ({} leads, {} SQL)",
            funnel.started, funnel.leads, funnel.sql
        );
        println!("report (cold)   {:.2} s", times[0]);
        println!("report (warm)   {:.2} s", times[1]);
        if let Some((seconds, same)) = reference {
            let verdict = if same {
                "same figures"
            } else {
                "DIFFERENT figures"
            };
            println!("recount         {seconds:.2} s ({verdict})");
        }
    }
    if let Some((_, false)) = reference {
        anyhow::bail!("the report's figures differ from the recount of the raw rows");
    }
    Ok(())
}
