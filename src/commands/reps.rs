//! Purpose: `leadbot reps validate|list`, `leadbot route <lead> --explain` and
//! `leadbot handoff accept|pass|close` — the sales team's file, its live load, and the
//! answers reps give from a terminal.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use leadbot::reps::{self, ChannelsAvailable, RepsError, Team};
use leadbot::routing::{self, Decision, LeadAttributes};
use leadbot::runtime::{HandoffAnswer, HandoffAnswered, NoticeChannels, RepIdentity, Runtime};
use leadbot::script::{self, Script};
use leadbot::store::Store;
use leadbot::store::outcomes::Closing;

/// Loads the team from the configured reps file, if there is one; its rules and filters are
/// checked against the scripts leads are qualified on.
pub fn load_team(path: Option<&Path>, scripts: &[Script]) -> Result<Option<Arc<Team>>> {
    let Some(path) = path else {
        return Ok(None);
    };
    let team = reps::load(path, scripts)
        .with_context(|| format!("invalid reps file {}", path.display()))?;
    Ok(Some(Arc::new(team)))
}

/// `leadbot reps validate`: prints every problem as file:line:column; exits 1 if any. Rules and
/// rep filters are checked against the scripts under `scripts`. A valid file is followed by a
/// warning for each rep (and the fallback team) that the configured channels cannot reach.
pub fn validate(path: &Path, scripts: &Path, notices: &NoticeChannels) -> Result<ExitCode> {
    let loaded = script::load_all(&[scripts.to_path_buf()]).with_context(|| {
        format!(
            "the reps file is checked against the scripts in {}, which do not load \
             (see `leadbot validate`)",
            scripts.display()
        )
    })?;
    match reps::load(path, &loaded) {
        Ok(team) => {
            println!(
                "ok   {} ({} reps, {} pools, {} rules; checked against {} scripts in {})",
                path.display(),
                team.reps.len(),
                team.pools.len(),
                team.rules.len(),
                loaded.len(),
                scripts.display()
            );
            for unreachable in reps::unreachable_recipients(&team, &channels_available(notices)) {
                println!("warn {}: {unreachable}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(RepsError::Invalid(problems)) => {
            for problem in &problems {
                println!("{problem}");
            }
            eprintln!("{} problem(s)", problems.len());
            Ok(ExitCode::FAILURE)
        }
        Err(error) => Err(error.into()),
    }
}

/// The channels notices reach reps on, as `reach` counts them.
pub fn channels_available(notices: &NoticeChannels) -> ChannelsAvailable {
    let on = |channel: &str| notices.reps.contains(channel);
    ChannelsAvailable {
        slack: on("slack"),
        discord: on("discord"),
        webhook: on("webhook"),
        email: on(leadbot::delivery::EMAIL_DESTINATION),
    }
}

/// `leadbot reps list`: each rep with pools, languages, hours, open load and capacity.
pub async fn list(team: &Team, store: &Store) -> Result<()> {
    let loads = store.open_loads().await?;
    let assigned = store.rotation_counts().await?;
    let pools = reps::pools_of(team);
    let now = chrono::Utc::now();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<10} {:<18} {:<22} {:<8} {:>4} {:>9} {:>8}  now",
        "id", "name", "pools", "langs", "wt", "open/cap", "assigned"
    )?;
    for rep in &team.reps {
        let open = loads.get(&rep.id).copied().unwrap_or(0);
        let capacity = rep
            .capacity
            .map_or_else(|| "∞".to_string(), |capacity| capacity.to_string());
        let total: i64 = assigned
            .iter()
            .filter(|((_, id), _)| id == &rep.id)
            .map(|(_, count)| count)
            .sum();
        let status = match routing::available(rep, open, now) {
            Ok(()) => "available".to_string(),
            Err(why) => why.to_string(),
        };
        let languages = if rep.languages.is_empty() {
            "any".to_string()
        } else {
            rep.languages.join(",")
        };
        writeln!(
            out,
            "{:<10} {:<18} {:<22} {:<8} {:>4} {:>9} {:>8}  {status}",
            rep.id,
            rep.name,
            pools
                .get(&rep.id)
                .map_or(String::new(), |pools| pools.join(",")),
            languages,
            rep.weight,
            format!("{open}/{capacity}"),
            total,
        )?;
    }
    Ok(())
}

/// `leadbot route <lead> [--explain]`: each stored routing of the lead — who got it, from which
/// pool; with `explain`, why: the budget's reading, the rule, each rep skipped and why.
pub async fn explain(runtime: &Runtime, lead_id: i64, explain: bool) -> Result<()> {
    let team = runtime
        .team()
        .context("no reps file: create reps.toml or pass --reps")?;
    let assignments = runtime.store().assignments_of(lead_id).await?;
    let mut out = std::io::stdout().lock();
    if assignments.is_empty() {
        writeln!(out, "lead {lead_id} has not been handed off yet")?;
    }
    for assignment in &assignments {
        let decision: Decision = serde_json::from_value(assignment.decision.clone())
            .context("stored routing decision is unreadable")?;
        let at = chrono::DateTime::from_timestamp_millis(assignment.created_at)
            .map_or_else(String::new, |at| {
                at.format("%Y-%m-%d %H:%M UTC").to_string()
            });
        writeln!(
            out,
            "hand-off {} at {at}: {}{}",
            assignment.id,
            assignment.status,
            assignment
                .note
                .as_deref()
                .map(|note| format!(" ({note})"))
                .unwrap_or_default()
        )?;
        if !explain {
            writeln!(out, "  {}", decision.summary(&team))?;
            continue;
        }
        // An unreadable record of attributes costs only this line, not the explanation.
        let attributes: Option<LeadAttributes> =
            serde_json::from_value(assignment.attributes.clone()).ok();
        if let Some(note) = attributes.and_then(|attributes| attributes.budget_note) {
            writeln!(out, "budget:  {note}")?;
        }
        writeln!(out, "{}\n", decision.explain(&team))?;
    }
    Ok(())
}

/// `leadbot handoff accept|pass <id> --rep <rep>`.
pub async fn answer(
    runtime: &Runtime,
    assignment: i64,
    rep: &str,
    answer: HandoffAnswer,
) -> Result<()> {
    let now = chrono::Local::now().fixed_offset();
    let outcome = runtime
        .answer_handoff(assignment, RepIdentity::Id(rep.to_string()), answer, now)
        .await?;
    match outcome {
        HandoffAnswered::Accepted { rep, lead_id } => {
            println!("{rep} now owns lead {lead_id}")
        }
        HandoffAnswered::AlreadyAccepted { rep } => println!("{rep} had already accepted"),
        HandoffAnswered::Passed {
            next: Some(next),
            assignment_id,
        } => println!("passed: offered to {next} (hand-off {assignment_id})"),
        HandoffAnswered::Passed { next: None, .. } => {
            println!("passed: nobody else is available; sent to the fallback team")
        }
        HandoffAnswered::NotOpen { status } => {
            anyhow::bail!("hand-off {assignment} is no longer open (it is {status})")
        }
    }
    Ok(())
}

/// `leadbot handoff close <id>`.
pub async fn close(runtime: &Runtime, assignment: i64, closing: &Closing) -> Result<()> {
    let now = chrono::Local::now().fixed_offset();
    if runtime.close_handoff_with(assignment, closing, now).await? {
        match closing.outcome {
            Some(outcome) => println!("hand-off {assignment} closed: {outcome}"),
            None => println!("hand-off {assignment} closed"),
        }
        Ok(())
    } else if closing.outcome.is_some() {
        anyhow::bail!("hand-off {assignment} is not open, or has an outcome already")
    } else {
        anyhow::bail!("hand-off {assignment} is not open")
    }
}

/// `leadbot reply <lead> "…" --rep ID`: a rep answers a prospect who asked for a person; the
/// running server sends it on the prospect's channel.
pub async fn reply(runtime: &Runtime, lead: i64, rep: &str, text: &str) -> Result<()> {
    let now = chrono::Local::now().fixed_offset();
    let sent = runtime
        .reply_as_rep(lead, &RepIdentity::Id(rep.to_string()), text, None, now)
        .await?;
    println!("lead {lead}: {sent} message(s) queued for the prospect");
    Ok(())
}

/// `leadbot hand-back <lead>`: the bot takes the conversation back where it stopped.
pub async fn hand_back(runtime: &Runtime, lead: i64) -> Result<()> {
    let now = chrono::Local::now().fixed_offset();
    if runtime.hand_back(lead, now).await? {
        println!("lead {lead}: handed back to the bot");
        Ok(())
    } else {
        anyhow::bail!("lead {lead} is talking to the bot already")
    }
}
