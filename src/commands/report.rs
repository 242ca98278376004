//! Purpose: `leadbot report` — the funnel report printed as a table, CSV or JSON, with a
//! spinner on a terminal while the database counts.

use std::io::Write;

use anyhow::Result;
use leadbot::report::{self, Format, costs::SourceCosts};
use leadbot::store::Store;
use leadbot::store::funnel::ReportFilter;

use super::progress;

/// Computes and prints the report.
pub async fn run(
    store: &Store,
    filter: &ReportFilter,
    costs: &SourceCosts,
    format: Format,
) -> Result<()> {
    let spinner = progress::spinner("counting the funnel");
    let now_ms = chrono::Utc::now().timestamp_millis();
    let report = report::build(store, filter, costs, now_ms).await;
    spinner.finish_and_clear();
    let text = report::render(&report?, format);
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
