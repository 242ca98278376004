//! Purpose: `leadbot leads …` — list, show, export and erase lead data.

use std::io::Write;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use leadbot::script::Criterion;
use leadbot::store::Store;
use leadbot::store::leads::{LeadFilter, LeadRecord, LeadSummary};

/// Formats Unix milliseconds as an RFC 3339 UTC time.
fn time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

fn or_dash(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("—")
}

/// `leads list`: a readable table.
pub async fn list(store: &Store, filter: &LeadFilter) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let leads = store.list_leads(filter).await?;
    writeln!(
        out,
        "{:>5}  {:<12} {:>5}  {:<20} {:<20} {:<26} {:<10} {:<19}",
        "id", "stage", "score", "name", "company", "email", "script", "updated (UTC)"
    )?;
    for lead in &leads {
        writeln!(
            out,
            "{:>5}  {:<12} {:>5}  {:<20} {:<20} {:<26} {:<10} {:<19}",
            lead.id,
            lead.stage,
            lead.score,
            clip(or_dash(&lead.name), 20),
            clip(or_dash(&lead.company), 20),
            clip(or_dash(&lead.email), 26),
            clip(&lead.script_id, 10),
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
        lead.id, record.address, lead.channel
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
        "  stage: {}   score: {}   script: {} v{}   first seen: {}   updated: {}",
        lead.stage,
        lead.score,
        lead.script_id,
        lead.script_version,
        time(lead.created_at),
        time(lead.updated_at)
    )?;
    if lead.forgotten {
        writeln!(out, "  (personal data erased on request)")?;
    }
    writeln!(out, "\nanswers:")?;
    for answer in &record.answers {
        writeln!(
            out,
            "  {:<12} {:<10} {:>4}  {}   (said: {:?})",
            answer.step, answer.criterion, answer.points, answer.described, answer.raw
        )?;
    }
    writeln!(out, "\nscore events:")?;
    for event in &record.score_events {
        writeln!(
            out,
            "  {:>+4}  {}   [{}]",
            event.points, event.reason, event.rule
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
            change.reason
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
        writeln!(
            out,
            "  #{:<4} {}  to {to} (pool {}, rule {rule}){answered}{}",
            handoff.id,
            time(handoff.created_at),
            handoff.pool,
            handoff
                .note
                .as_deref()
                .map(|note| format!(": {note}"))
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
            message.body.replace('\n', " ")
        )?;
    }
    Ok(())
}

/// The export columns of one lead: fields, then one column per criterion.
fn export_row(summary: &LeadSummary, record: &LeadRecord) -> Vec<String> {
    let mut row = vec![
        summary.id.to_string(),
        summary.channel.clone(),
        summary.stage.clone(),
        summary.score.to_string(),
        summary.script_id.clone(),
        summary.script_version.to_string(),
        summary.name.clone().unwrap_or_default(),
        summary.company.clone().unwrap_or_default(),
        summary.email.clone().unwrap_or_default(),
        summary.phone.clone().unwrap_or_default(),
        summary.region.clone().unwrap_or_default(),
    ];
    for criterion in criteria() {
        let answers: Vec<&str> = record
            .answers
            .iter()
            .filter(|answer| answer.criterion == criterion.name())
            .map(|answer| answer.described.as_str())
            .collect();
        row.push(answers.join("; "));
    }
    row.push(time(summary.created_at));
    row.push(time(summary.updated_at));
    row.push(summary.qualified_at.map(time).unwrap_or_default());
    row
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

/// `leads export`: one row per lead, one column per criterion, as CSV or JSON lines.
pub async fn export(store: &Store, filter: &LeadFilter, format: &str) -> Result<()> {
    let mut header: Vec<String> = HEADER.iter().map(|name| name.to_string()).collect();
    header.extend(criteria().map(|criterion| criterion.name().to_string()));
    header.extend(["created_at", "updated_at", "qualified_at"].map(String::from));
    let stdout = std::io::stdout();
    match format {
        "csv" => {
            let mut writer = csv::Writer::from_writer(stdout.lock());
            writer.write_record(&header)?;
            for summary in store.list_leads(filter).await? {
                let record = record(store, summary.id).await?;
                writer.write_record(export_row(&summary, &record))?;
            }
            writer.flush()?;
        }
        "json" => {
            let mut out = stdout.lock();
            for summary in store.list_leads(filter).await? {
                let record = record(store, summary.id).await?;
                let object: serde_json::Map<String, serde_json::Value> = header
                    .iter()
                    .cloned()
                    .zip(export_row(&summary, &record).into_iter().map(Into::into))
                    .collect();
                writeln!(out, "{}", serde_json::Value::Object(object))?;
            }
        }
        other => bail!("unknown export format {other:?} (csv or json)"),
    }
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
