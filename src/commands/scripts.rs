//! Purpose: `leadbot scripts list|history|diff|rollback|migrate` — what version of each script
//! runs, how it got there, what changed, going back, and moving conversations in progress.

use std::io::Write;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use leadbot::live::migrate;
use leadbot::script::{self, Script};
use leadbot::store::Store;
use leadbot::store::scripts::{NewActivation, Origin, StoredVersion};

fn time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn label(label: Option<&str>) -> String {
    label
        .map(|label| format!("\"{label}\""))
        .unwrap_or_else(|| "—".into())
}

/// `scripts list`: each script's active version, label, since when and how, conversations per
/// version (in progress / all), then every refused change still open.
pub async fn list(store: &Store) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let active = store.active_versions().await?;
    let uses = store.conversations_per_version().await?;
    writeln!(
        out,
        "{:<12} {:<9} {:<10} {:<21} conversations (in progress/all) per version",
        "script", "active", "label", "since"
    )?;
    for version in &active {
        let a = &version.activation;
        let per_version: Vec<String> = uses
            .iter()
            .filter(|used| used.script_id == a.script_id)
            .map(|used| format!("{} {}/{}", used.version, used.running, used.total))
            .collect();
        writeln!(
            out,
            "{:<12} {:<9} {:<10} {:<21} {}",
            a.script_id,
            a.version.to_string(),
            label(a.label.as_deref()),
            time(a.at_ms),
            if per_version.is_empty() {
                "none".to_string()
            } else {
                per_version.join(", ")
            }
        )?;
    }
    if active.is_empty() {
        writeln!(
            out,
            "no script applied yet: `leadbot serve` or `leadbot chat` applies them"
        )?;
    }
    let refused = store.open_refusals().await?;
    if !refused.is_empty() {
        writeln!(out, "\nrefused changes (the running version stays):")?;
        for change in refused {
            writeln!(out, "{}  {}", time(change.at_ms), change.file)?;
            for line in change.error.lines() {
                writeln!(out, "  {line}")?;
            }
        }
    }
    Ok(())
}

/// `scripts history <id>`: every activation, newest first — version, label, when, how, who.
pub async fn history(store: &Store, id: &str) -> Result<()> {
    let history = store.script_history(id).await?;
    if history.is_empty() {
        bail!("no history for script {id:?}: it has never been applied");
    }
    let mut out = std::io::stdout().lock();
    for (index, a) in history.iter().enumerate() {
        let how = match a.file.as_deref() {
            Some(file) => format!("{} {file}", a.origin),
            None => a.origin.clone(),
        };
        writeln!(
            out,
            "{} {:<9} {:<10} {}  {how}, by {}",
            if index == 0 { "*" } else { " " },
            a.version.to_string(),
            label(a.label.as_deref()),
            time(a.at_ms),
            a.by
        )?;
    }
    Ok(())
}

/// The stored version of `id` that `wanted` names: a hex prefix of its hash, or its label.
async fn find_version(store: &Store, id: &str, wanted: &str) -> Result<StoredVersion> {
    let versions = store.stored_versions(id).await?;
    if versions.is_empty() {
        bail!("no stored versions of script {id:?}");
    }
    let by_hash: Vec<&StoredVersion> = versions
        .iter()
        .filter(|v| v.version.starts_with(wanted))
        .collect();
    let found: Vec<&StoredVersion> = if by_hash.is_empty() {
        versions
            .iter()
            .filter(|v| v.label.as_deref() == Some(wanted))
            .collect()
    } else {
        by_hash
    };
    match found.as_slice() {
        [only] => Ok((*only).clone()),
        [] => bail!("script {id:?} has no version {wanted:?} (see `leadbot scripts history {id}`)"),
        several => bail!(
            "{wanted:?} names {} versions of {id:?} ({}): give more of the hash",
            several.len(),
            several
                .iter()
                .map(|v| v.version.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Loads a stored version as a script (it loaded when it was stored; the check is cheap).
fn loaded(id: &str, version: &StoredVersion) -> Result<Script> {
    let name = format!("{id} {}", version.version);
    script::parse(&version.source, std::path::Path::new(&name)).map_err(|problems| {
        anyhow::anyhow!(
            "version {} of {id:?} no longer loads:\n{}",
            version.version,
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// `scripts diff <id> <v1> <v2>`: a unified diff of two versions' text.
pub async fn diff(store: &Store, id: &str, from: &str, to: &str) -> Result<()> {
    let old = find_version(store, id, from).await?;
    let new = find_version(store, id, to).await?;
    let text = similar::TextDiff::from_lines(&old.source, &new.source)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{id} {}", old.version),
            &format!("{id} {}", new.version),
        )
        .to_string();
    let mut out = std::io::stdout().lock();
    if text.is_empty() {
        writeln!(out, "{} and {} are the same text", old.version, new.version)?;
    } else {
        write!(out, "{text}")?;
    }
    Ok(())
}

/// `scripts rollback <id> <version>`: makes a stored version the active one again, recorded
/// with who and when; conversations in progress stay on their versions.
pub async fn rollback(store: &Store, id: &str, wanted: &str, by: &str) -> Result<()> {
    let version = find_version(store, id, wanted).await?;
    let script = loaded(id, &version)?;
    let now_ms = Utc::now().timestamp_millis();
    store
        .activate(NewActivation {
            script: &script,
            origin: Origin::Rollback,
            file: None,
            by,
            now_ms,
        })
        .await?;
    println!(
        "{id}: new conversations start on {} ({}) — every replica within seconds; \
         conversations in progress stay on their versions (`leadbot scripts migrate` moves them)",
        script.version,
        label(script.label.as_deref())
    );
    Ok(())
}

/// `scripts migrate <id> --to <version>`: moves conversations in progress to a version where
/// every step they answered still exists; prints each one that could not move, and why.
pub async fn migrate(store: &Store, id: &str, wanted: &str) -> Result<()> {
    let version = find_version(store, id, wanted).await?;
    let target = loaded(id, &version)?;
    let done = migrate::migrate(store, &target, Utc::now().timestamp_millis())
        .await
        .context("moving conversations failed; those moved so far stay moved")?;
    let mut out = std::io::stdout().lock();
    for (channel, address, why) in &done.refused {
        writeln!(out, "stays  {channel}:{address}: {why}")?;
    }
    writeln!(
        out,
        "{} conversation(s) moved to {} {}, {} left on their version",
        done.moved.len(),
        id,
        target.version,
        done.refused.len()
    )?;
    Ok(())
}
