//! Purpose: `leadbot leads …` — list, show, export and erase lead data.

use std::io::Write;

use std::borrow::Cow;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use leadbot::script::Criterion;
use leadbot::store::leads::{LeadExport, LeadFilter, LeadRecord, LeadSummary};
use leadbot::store::{Merged, Store};
use serde_json::{Map, Value, json};

use super::printable::printable;

/// Formats Unix milliseconds as a readable UTC time for tables ("2026-03-04 08:00:00").
fn time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// A stored text to print, or a dash when there is none (see [`printable`]).
fn or_dash(value: &Option<String>) -> Cow<'_, str> {
    value.as_deref().map_or(Cow::Borrowed("—"), printable)
}

/// `leads list`: a readable table.
pub async fn list(store: &Store, filter: &LeadFilter) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let leads = store.list_leads(filter).await?;
    writeln!(
        out,
        "{:>5}  {:<12} {:>5}  {:<20} {:<20} {:<26} {:<10} {:<12} {:<19}",
        "id", "stage", "score", "name", "company", "email", "script", "owner", "updated (UTC)"
    )?;
    for lead in &leads {
        writeln!(
            out,
            "{:>5}  {:<12} {:>5}  {:<20} {:<20} {:<26} {:<10} {:<12} {:<19}",
            lead.id,
            lead.stage,
            lead.score,
            clip(&or_dash(&lead.name), 20),
            clip(&or_dash(&lead.company), 20),
            clip(&or_dash(&lead.email), 26),
            clip(&lead.script_id, 10),
            clip(&or_dash(&lead.owner), 12),
            time(lead.updated_at)
        )?;
    }
    writeln!(out, "{} lead(s)", leads.len())?;
    Ok(())
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut clipped: String = text.chars().take(width - 1).collect();
    clipped.push('…');
    clipped
}

async fn record(store: &Store, id: i64) -> Result<LeadRecord> {
    match store.lead_record(id).await? {
        Some(record) => Ok(record),
        None => bail!("no lead with id {id}"),
    }
}

/// `leads show`: answers, score events with reasons, stage history, transcript.
pub async fn show(store: &Store, id: i64) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let record = record(store, id).await?;
    let lead = &record.lead;
    writeln!(
        out,
        "lead {}  ({} on {})",
        lead.id,
        printable(&record.address),
        lead.channel
    )?;
    writeln!(
        out,
        "  name: {}   company: {}   email: {}   phone: {}   region: {}",
        or_dash(&lead.name),
        or_dash(&lead.company),
        or_dash(&lead.email),
        or_dash(&lead.phone),
        or_dash(&lead.region)
    )?;
    writeln!(
        out,
        "  stage: {}   score: {}   script: {} {}   first seen: {}   updated: {}",
        lead.stage,
        lead.score,
        lead.script_id,
        leadbot::script::ScriptVersion::from_stored(lead.script_version.clone()),
        time(lead.created_at),
        time(lead.updated_at)
    )?;
    writeln!(out, "  owner: {}", or_dash(&lead.owner))?;
    if let Some(into) = lead.merged_into {
        writeln!(
            out,
            "  (the same person as lead {into}: its history is there now)"
        )?;
    }
    if lead.forgotten {
        writeln!(out, "  (personal data erased on request)")?;
    }
    writeln!(out, "\nanswers:")?;
    for answer in &record.answers {
        writeln!(
            out,
            "  {:<12} {:<10} {:>4}  {}   (said: {:?})",
            answer.step,
            answer.criterion,
            answer.points,
            printable(&answer.described),
            answer.raw
        )?;
    }
    if !record.questions.is_empty() {
        writeln!(out, "\nasked, for the rep to answer:")?;
        for asked in &record.questions {
            writeln!(out, "  ? {}", printable(asked))?;
        }
    }
    writeln!(out, "\nscore events:")?;
    for event in &record.score_events {
        writeln!(
            out,
            "  {:>+4}  {}   [{}]",
            event.points,
            printable(&event.reason),
            event.rule
        )?;
    }
    writeln!(out, "\nstage history:")?;
    for change in &record.stage_changes {
        writeln!(
            out,
            "  {}  {} → {}: {}",
            time(change.at),
            change.from,
            change.to,
            printable(&change.reason)
        )?;
    }
    let meetings = store.meetings_of(id).await?;
    if !meetings.is_empty() {
        writeln!(out, "\nmeetings booked:")?;
    }
    for meeting in &meetings {
        let handoff = meeting
            .assignment_id
            .map(|id| format!(" (hand-off #{id})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} UTC via {}{handoff}",
            time(meeting.starts_at),
            meeting.provider
        )?;
    }
    let handoffs = store.assignments_of(id).await?;
    if !handoffs.is_empty() {
        writeln!(out, "\nhand-offs:")?;
    }
    for handoff in &handoffs {
        let to = handoff.rep_id.as_deref().unwrap_or("fallback team");
        let answered = handoff
            .answered_at
            .map(|at| format!(" → {} at {}", handoff.status, time(at)))
            .unwrap_or_else(|| format!(" → {}", handoff.status));
        let rule = handoff
            .rule
            .as_deref()
            .map_or_else(|| "default".to_string(), |rule| format!("\"{rule}\""));
        let booked = meetings
            .iter()
            .rev()
            .find(|meeting| meeting.assignment_id == Some(handoff.id))
            .map(|meeting| format!(" · meeting booked for {} UTC", time(meeting.starts_at)))
            .unwrap_or_default();
        writeln!(
            out,
            "  #{:<4} {}  to {to} (pool {}, rule {rule}){answered}{}{booked}",
            handoff.id,
            time(handoff.created_at),
            handoff.pool,
            handoff
                .note
                .as_deref()
                .map(|note| format!(": {}", printable(note)))
                .unwrap_or_default()
        )?;
    }
    writeln!(out, "\ntranscript:")?;
    for message in &record.transcript {
        let who = if message.direction == "in" {
            "prospect"
        } else {
            "bot"
        };
        writeln!(
            out,
            "  {} {:>8}: {}",
            time(message.at),
            who,
            printable(&message.body.replace('\n', " "))
        )?;
    }
    Ok(())
}

/// Formats Unix milliseconds as RFC 3339 in UTC, the form a CRM import reads.
fn rfc3339(ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Where a lead came from: the channel it talked on and the script that qualified it.
fn source(lead: &LeadSummary) -> String {
    format!("{}:{}", lead.channel, lead.script_id)
}

/// The answers of one criterion, described and joined; `None` when there is none.
fn criterion_answers(export: &LeadExport, criterion: Criterion) -> Option<String> {
    let answers: Vec<&str> = export
        .answers
        .iter()
        .filter(|answer| answer.criterion == criterion.name())
        .map(|answer| answer.described.as_str())
        .collect();
    (!answers.is_empty()).then(|| answers.join("; "))
}

/// The export columns of one lead as CSV text: fields, one column per criterion, times, then
/// owner, source and the score's reasons ("+30 budget: USD 60,000 (band ≥ 50,000); …").
fn csv_row(export: &LeadExport) -> Vec<String> {
    let lead = &export.lead;
    let mut row = vec![
        lead.id.to_string(),
        lead.channel.clone(),
        lead.stage.clone(),
        lead.score.to_string(),
        lead.script_id.clone(),
        lead.script_version.to_string(),
        lead.name.clone().unwrap_or_default(),
        lead.company.clone().unwrap_or_default(),
        lead.email.clone().unwrap_or_default(),
        lead.phone.clone().unwrap_or_default(),
        lead.region.clone().unwrap_or_default(),
    ];
    row.extend(
        criteria().map(|criterion| criterion_answers(export, criterion).unwrap_or_default()),
    );
    row.extend(
        [
            Some(lead.created_at),
            Some(lead.updated_at),
            lead.qualified_at,
        ]
        .map(|at| at.and_then(rfc3339).unwrap_or_default()),
    );
    row.push(lead.owner.clone().unwrap_or_default());
    row.push(source(lead));
    let reasons: Vec<String> = export
        .score_events
        .iter()
        .map(|event| format!("{:+} {}", event.points, event.reason))
        .collect();
    row.push(reasons.join("; "));
    row.push(lead.meeting_at.and_then(rfc3339).unwrap_or_default());
    row
}

/// One lead as a JSON object: numbers as numbers, times as RFC 3339, null for what is missing,
/// each answer's typed value under `answers` and the score's reasons as `{points, reason}`.
fn json_row(export: &LeadExport) -> Value {
    let lead = &export.lead;
    let mut object = Map::new();
    object.insert("id".into(), lead.id.into());
    object.insert("channel".into(), lead.channel.clone().into());
    object.insert("stage".into(), lead.stage.clone().into());
    object.insert("score".into(), lead.score.into());
    object.insert("script".into(), lead.script_id.clone().into());
    object.insert("script_version".into(), lead.script_version.clone().into());
    for (field, value) in [
        ("name", &lead.name),
        ("company", &lead.company),
        ("email", &lead.email),
        ("phone", &lead.phone),
        ("region", &lead.region),
    ] {
        object.insert(field.into(), value.clone().into());
    }
    for criterion in criteria() {
        object.insert(
            criterion.name().into(),
            criterion_answers(export, criterion).into(),
        );
    }
    for (field, at) in [
        ("created_at", Some(lead.created_at)),
        ("updated_at", Some(lead.updated_at)),
        ("qualified_at", lead.qualified_at),
    ] {
        object.insert(field.into(), at.and_then(rfc3339).into());
    }
    object.insert("owner".into(), lead.owner.clone().into());
    object.insert("source".into(), source(lead).into());
    let reasons: Vec<Value> = export
        .score_events
        .iter()
        .map(|event| json!({"points": event.points, "reason": event.reason}))
        .collect();
    object.insert("score_reasons".into(), reasons.into());
    object.insert(
        "meeting_at".into(),
        lead.meeting_at.and_then(rfc3339).into(),
    );
    let answers: Map<String, Value> = export
        .answers
        .iter()
        .map(|answer| (answer.step.clone(), answer.value.clone()))
        .collect();
    object.insert("answers".into(), answers.into());
    Value::Object(object)
}

fn criteria() -> impl Iterator<Item = Criterion> {
    Criterion::ALL
        .into_iter()
        .filter(|criterion| *criterion != Criterion::Contact)
}

const HEADER: [&str; 11] = [
    "id",
    "channel",
    "stage",
    "score",
    "script",
    "script_version",
    "name",
    "company",
    "email",
    "phone",
    "region",
];

/// `leads export`: one row per lead — fields, one column per criterion, times, owner, source
/// and score reasons — as CSV or as JSON lines with typed values.
pub async fn export(store: &Store, filter: &LeadFilter, format: &str) -> Result<()> {
    let stdout = std::io::stdout();
    if !matches!(format, "csv" | "json") {
        bail!("unknown export format {format:?} (csv or json)");
    }
    // On a terminal: a spinner while the database reads, a bar while rows are written.
    let spinner = super::progress::spinner("reading leads");
    let exports = store.lead_exports(filter).await;
    spinner.finish_and_clear();
    let exports = exports?;
    let bar = super::progress::bar(exports.len() as u64, "writing leads");
    match format {
        "csv" => {
            let mut header: Vec<String> = HEADER.iter().map(|name| name.to_string()).collect();
            header.extend(criteria().map(|criterion| criterion.name().to_string()));
            header.extend(
                [
                    "created_at",
                    "updated_at",
                    "qualified_at",
                    "owner",
                    "source",
                    "score_reasons",
                    "meeting_at",
                ]
                .map(String::from),
            );
            let mut writer = csv::Writer::from_writer(stdout.lock());
            writer.write_record(&header)?;
            for export in &exports {
                writer.write_record(csv_row(export))?;
                bar.inc(1);
            }
            writer.flush()?;
        }
        "json" => {
            let mut out = stdout.lock();
            for export in &exports {
                writeln!(out, "{}", json_row(export))?;
                bar.inc(1);
            }
        }
        other => bail!("unknown export format {other:?} (csv or json)"),
    }
    bar.finish_and_clear();
    Ok(())
}

/// `leads export-person`: everything stored about one person, as JSON.
pub async fn export_person(store: &Store, id: i64) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let record = record(store, id).await?;
    writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&record).context("rendering JSON")?
    )?;
    Ok(())
}

/// `leads merge`: the second lead is the same person as the first — its conversations and
/// history join the first, which keeps its owner (or takes the second's).
pub async fn merge(store: &Store, into: i64, from: i64) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match store
        .merge_leads(into, from, Utc::now().timestamp_millis())
        .await?
    {
        Merged::Done { conversations } => writeln!(
            out,
            "lead {from} merged into lead {into} ({conversations} conversation(s) moved)"
        )?,
        Merged::NoSuchLead(id) => bail!("no lead with id {id} (or it was merged already)"),
        Merged::SameLead => bail!("a lead cannot be merged into itself"),
    }
    Ok(())
}

/// `leads forget`: erase a person's data.
pub async fn forget(store: &Store, id: i64) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if !store.forget_lead(id, Utc::now().timestamp_millis()).await? {
        bail!("no lead with id {id}");
    }
    writeln!(
        out,
        "lead {id}: personal data erased; stage, score and funnel history kept"
    )?;
    Ok(())
}
