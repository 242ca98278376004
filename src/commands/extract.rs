//! Purpose: `leadbot extract` — show what the extractor understands, as the documented JSON.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use leadbot::extract::cli::{self, Kind, Request};

/// Prints the extraction of `text` as one JSON line; exits 1 when not understood.
pub fn run(kind: Kind, text: &str, request: &Request) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let (value, code) = match cli::run(kind, text, request) {
        Ok(value) => (value, ExitCode::SUCCESS),
        Err(error) => (error, ExitCode::FAILURE),
    };
    writeln!(
        out,
        "{}",
        serde_json::to_string(&value).context("rendering JSON")?
    )?;
    Ok(code)
}
