//! Purpose: the dashboard's pages as maud templates — every value from the database or a
//! prospect is escaped by maud; one small stylesheet, no script; laid out for a phone first.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::charts::{Bar, Part, bars, columns};
use crate::report::Report;
use crate::report::render::{duration, money, rep_revenue};
use crate::reps::Team;
use crate::script::{Script, ScriptError};
use crate::store::Assignment;
use crate::store::funnel::{RepFigures, RepRevenue};
use crate::store::leads::{LeadRecord, LeadSummary};
use crate::store::outcomes::{LeadSource, Outcome, StoredOutcome};
use crate::store::scripts::{ActiveVersion, RefusedChange, VersionUse};

const STYLE: &str = "
*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f5f6f8}
header{background:#1d2430;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.8rem;align-items:center}
header a{color:#fff;text-decoration:none}header form{margin-left:auto}
main{max-width:1100px;margin:0 auto;padding:1rem}
section{background:#fff;border-radius:8px;padding:1rem;margin-bottom:1rem;box-shadow:0 1px 2px #0001;overflow-x:auto}
h1{font-size:1.3rem;margin:.2rem 0 1rem;overflow-wrap:anywhere}h2{font-size:1.05rem;margin:0 0 .6rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e4e7eb;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
form.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}label{display:flex;flex-direction:column;font-size:.8rem}
input,select,button{font:inherit;padding:.3rem .4rem}button{cursor:pointer}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem}
.chart{width:100%;height:auto}.chart .label,.chart .value{font-size:13px;fill:#1d2430}.chart .tick{font-size:10px;fill:#555}
.c0{fill:#5b7fd6}.c1{fill:#e0a040}.c2{fill:#4fae7b}.c3{fill:#c95a5a}.c4{fill:#9a9a9a}
.stats{display:flex;flex-wrap:wrap;gap:.6rem}.stat{background:#eef1f6;border-radius:6px;padding:.4rem .7rem}
.stat b{display:block;font-size:1.2rem;overflow-wrap:anywhere}.bad{color:#b02a2a}.ok{color:#1f7a45}.muted{color:#666}
pre{white-space:pre-wrap;word-break:break-word;margin:0}
";

fn layout(title: &str, csrf: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · leadbot" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    strong { "leadbot" }
                    @if let Some(csrf) = csrf {
                        a href="/admin" { "Overview" }
                        a href="/admin/leads" { "Leads" }
                        a href="/admin/reps" { "Reps" }
                        a href="/admin/scripts" { "Scripts" }
                        form method="post" action="/admin/logout" {
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page with one sentence.
pub fn message(text: &str) -> Markup {
    layout("leadbot", None, html! { section { p { (text) } } })
}

/// The sign-in form.
pub fn login(problem: Option<&str>) -> Markup {
    layout(
        "Sign in",
        None,
        html! {
            section {
                h1 { "Sign in" }
                @if let Some(problem) = problem { p.bad { (problem) } }
                form method="post" action="/admin/login" {
                    label { "Admin token" input type="password" name="token" autocomplete="current-password" required; }
                    p { button type="submit" id="sign-in" { "Sign in" } }
                }
            }
        },
    )
}

fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|at| at.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |value| format!("{value:.1}%"))
}

fn value_of<'a>(query: &'a HashMap<String, String>, name: &str) -> &'a str {
    query.get(name).map(String::as_str).unwrap_or_default()
}

/// The overview: filters, the headline numbers, and the four charts.
pub fn overview(csrf: &str, query: &HashMap<String, String>, report: &Report) -> Markup {
    let figures = &report.figures;
    let funnel = &figures.funnel;
    let won: i64 = figures
        .money
        .outcomes
        .iter()
        .filter(|(outcome, _)| outcome == "won")
        .map(|(_, count)| count)
        .sum();
    let stage_bar = |label: &str, value: i64, note: String| Bar {
        label: label.to_string(),
        parts: vec![Part { value, class: "c0" }],
        note: Some(note),
    };
    let conversion = &report.conversion;
    let funnel_chart = bars(
        "Funnel",
        &[
            stage_bar("started", funnel.started, funnel.started.to_string()),
            stage_bar(
                "leads",
                funnel.leads,
                format!("{} ({})", funnel.leads, rate(conversion.started_to_lead)),
            ),
            stage_bar(
                "IQL",
                funnel.iql,
                format!("{} ({})", funnel.iql, rate(conversion.lead_to_iql)),
            ),
            stage_bar(
                "MQL",
                funnel.mql,
                format!("{} ({})", funnel.mql, rate(conversion.iql_to_mql)),
            ),
            stage_bar(
                "SQL",
                funnel.sql,
                format!("{} ({})", funnel.sql, rate(conversion.mql_to_sql)),
            ),
            stage_bar(
                "won",
                won,
                format!("{won} ({})", rate(conversion.sql_to_won)),
            ),
        ],
    );
    let drop_off_chart = bars(
        "Drop-off per question",
        &figures
            .drop_off
            .iter()
            .map(|step| Bar {
                label: step.step.clone(),
                parts: vec![
                    Part {
                        value: step.answered,
                        class: "c2",
                    },
                    Part {
                        value: step.stopped,
                        class: "c3",
                    },
                ],
                note: Some(format!(
                    "{} answered, {} stopped",
                    step.answered, step.stopped
                )),
            })
            .collect::<Vec<_>>(),
    );
    let weeks: Vec<_> = figures
        .weeks
        .iter()
        .rev()
        .take(26)
        .rev()
        .map(|week| {
            (
                week.key.clone(),
                vec![
                    Part {
                        value: week.sql,
                        class: "c2",
                    },
                    Part {
                        value: week.mql - week.sql,
                        class: "c1",
                    },
                    Part {
                        value: week.iql - week.mql,
                        class: "c0",
                    },
                    Part {
                        value: week.started - week.iql,
                        class: "c4",
                    },
                ],
            )
        })
        .collect();
    let weeks_chart = columns(
        "Leads per week by stage",
        &weeks,
        &[("SQL", "c2"), ("MQL", "c1"), ("IQL", "c0"), ("other", "c4")],
    );
    let reps_chart = bars(
        "Rep load and outcomes",
        &figures
            .reps
            .iter()
            .map(|rep| Bar {
                label: rep.rep.clone(),
                parts: vec![
                    Part {
                        value: rep.open,
                        class: "c0",
                    },
                    Part {
                        value: rep.won,
                        class: "c2",
                    },
                    Part {
                        value: rep.lost,
                        class: "c3",
                    },
                ],
                note: Some(format!(
                    "{} open, {} won, {} lost",
                    rep.open, rep.won, rep.lost
                )),
            })
            .collect::<Vec<_>>(),
    );
    // Every currency's total, never one sum across currencies.
    let revenue: Vec<RepRevenue> = figures
        .money
        .revenue
        .iter()
        .map(|part| RepRevenue {
            currency: part.currency.clone(),
            won: part.won,
            value_cents: part.value_cents,
        })
        .collect();
    layout(
        "Overview",
        Some(csrf),
        html! {
            h1 { "Overview" }
            section {
                form.filters method="get" action="/admin" {
                    label { "Since" input type="date" name="since" value=(value_of(query, "since")); }
                    label { "Until" input type="date" name="until" value=(value_of(query, "until")); }
                    label { "Script" input name="script" value=(value_of(query, "script")) size="10"; }
                    label { "Channel" input name="channel" value=(value_of(query, "channel")) size="10"; }
                    label { "Source" input name="source" value=(value_of(query, "source")) size="10"; }
                    button type="submit" id="apply-filters" { "Apply" }
                }
            }
            section {
                div.stats {
                    div.stat id="stat-started" { "Started" b { (funnel.started) } }
                    div.stat id="stat-leads" { "Leads" b { (funnel.leads) } }
                    div.stat id="stat-iql" { "IQL" b { (funnel.iql) } }
                    div.stat id="stat-mql" { "MQL" b { (funnel.mql) } }
                    div.stat id="stat-sql" { "SQL" b { (funnel.sql) } }
                    div.stat id="stat-won" { "Won" b { (won) } }
                    div.stat id="stat-revenue" { "Revenue" b { (rep_revenue(&revenue)) } }
                    div.stat { "First message → SQL" b { (duration(figures.speed.to_sql.median_ms)) } }
                    div.stat { "SQL → accepted" b { (duration(figures.speed.to_acceptance.median_ms)) } }
                    div.stat { "SLA misses" b { (figures.speed.sla_misses) } }
                }
            }
            div.grid {
                section { h2 { "Funnel" } (funnel_chart) }
                section { h2 { "Drop-off per question" } (drop_off_chart) }
                section { h2 { "Leads per week by stage" } (weeks_chart) }
                section { h2 { "Rep load and outcomes" } (reps_chart) }
            }
            section {
                h2 { "Drop-off per question" }
                table {
                    tr { th { "step" } th.n { "asked" } th.n { "answered" } th.n { "re-asked" } th.n { "stopped" } th.n { "median answer" } }
                    @for step in &figures.drop_off {
                        tr { td { (step.step) } td.n { (step.asked) } td.n { (step.answered) } td.n { (step.reasked) } td.n { (step.stopped) } td.n { (duration(step.median_answer_ms)) } }
                    }
                }
            }
            @if !figures.disqualified_by_reason.is_empty() {
                section {
                    h2 { "Disqualified by reason" }
                    table {
                        @for reason in &figures.disqualified_by_reason {
                            tr { td { (reason.reason) } td.n { (reason.count) } }
                        }
                    }
                }
            }
        },
    )
}

fn page_link(query: &HashMap<String, String>, page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = query
        .iter()
        .filter(|(name, _)| name.as_str() != "page")
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    pairs.sort();
    pairs.push(("page", page.to_string()));
    let encoded: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("/admin/leads?{encoded}")
}

/// The lead list: filters, search, sort, one page of rows.
pub fn leads(
    csrf: &str,
    query: &HashMap<String, String>,
    rows: &[LeadSummary],
    total: i64,
    page: i64,
    per_page: i64,
) -> Markup {
    let pages = (total + per_page - 1) / per_page;
    let stage = value_of(query, "stage");
    let sort = value_of(query, "sort");
    layout(
        "Leads",
        Some(csrf),
        html! {
            h1 { "Leads" }
            section {
                form.filters method="get" action="/admin/leads" {
                    label { "Search" input type="search" name="q" value=(value_of(query, "q")) placeholder="name, company, e-mail"; }
                    label { "Stage" select name="stage" {
                        option value="" { "any" }
                        @for name in ["lead", "iql", "mql", "sql", "disqualified", "opted_out"] {
                            option value=(name) selected[stage == name] { (name) }
                        }
                    } }
                    label { "Channel" input name="channel" value=(value_of(query, "channel")) size="8"; }
                    label { "Source" input name="source" value=(value_of(query, "source")) size="8"; }
                    label { "Sort" select name="sort" {
                        option value="updated" selected[sort == "updated"] { "last active" }
                        option value="created" selected[sort == "created"] { "newest" }
                        option value="score" selected[sort == "score"] { "score" }
                    } }
                    button type="submit" id="filter-leads" { "Filter" }
                }
            }
            section {
                p.muted { (total) " leads" @if pages > 1 { " · page " (page + 1) " of " (pages) } }
                table id="leads" {
                    tr { th { "#" } th { "name" } th { "company" } th { "stage" } th.n { "score" } th { "channel" } th { "last active" } }
                    @for lead in rows {
                        tr {
                            td { a href=(format!("/admin/leads/{}", lead.id)) { (lead.id) } }
                            td { a href=(format!("/admin/leads/{}", lead.id)) { (lead.name.as_deref().unwrap_or("—")) } }
                            td { (lead.company.as_deref().unwrap_or("")) }
                            td { (lead.stage) }
                            td.n { (lead.score) }
                            td { (lead.channel) }
                            td { (time(lead.updated_at)) }
                        }
                    }
                }
                p {
                    @if page > 0 { a href=(page_link(query, page - 1)) { "← previous" } " " }
                    @if page + 1 < pages { a href=(page_link(query, page + 1)) id="next-page" { "next →" } }
                }
            }
        },
    )
}

/// One lead: contact, source, answers (raw and understood), score reasons, stage history,
/// hand-offs with their outcome (and a form to close an open one), the transcript.
pub fn lead(
    csrf: &str,
    record: &LeadRecord,
    handoffs: &[Assignment],
    outcomes: &[StoredOutcome],
    source: Option<&LeadSource>,
) -> Markup {
    let lead = &record.lead;
    let name = lead.name.as_deref().unwrap_or("(no name yet)");
    layout(
        name,
        Some(csrf),
        html! {
            h1 id="lead-name" { (name) }
            section {
                div.stats {
                    div.stat { "Stage" b id="lead-stage" { (lead.stage) } }
                    div.stat { "Score" b { (lead.score) } }
                    div.stat { "Company" b { (lead.company.as_deref().unwrap_or("—")) } }
                    div.stat { "E-mail" b { (lead.email.as_deref().unwrap_or("—")) } }
                    div.stat { "Channel" b { (lead.channel) } }
                    div.stat { "Script" b { (lead.script_id) " v" (lead.script_version) } }
                    @if let Some(source) = source.and_then(|source| source.source.as_deref()) {
                        div.stat { "Source" b { (source) } }
                    }
                }
            }
            section {
                h2 { "Answers" }
                table {
                    tr { th { "step" } th { "they said" } th { "understood" } th.n { "points" } }
                    @for answer in &record.answers {
                        tr { td { (answer.step) } td { (answer.raw) } td { (answer.described) } td.n { (answer.points) } }
                    }
                }
            }
            section {
                h2 { "Why this score" }
                table {
                    @for event in &record.score_events {
                        tr { td.n { (format!("{:+}", event.points)) } td { (event.reason) } td.muted { (time(event.at)) } }
                    }
                }
            }
            section {
                h2 { "Stage history" }
                table {
                    @for change in &record.stage_changes {
                        tr { td { (change.from) " → " (change.to) } td { (change.reason) } td.muted { (time(change.at)) } }
                    }
                }
            }
            section {
                h2 { "Hand-offs" }
                table {
                    tr { th { "#" } th { "rep" } th { "status" } th { "outcome" } th { "when" } }
                    @for handoff in handoffs {
                        @let outcome = outcomes.iter().find(|outcome| outcome.assignment_id == handoff.id);
                        tr {
                            td { (handoff.id) }
                            td { (handoff.rep_id.as_deref().unwrap_or("fallback team")) }
                            td { (handoff.status) }
                            td {
                                @if let Some(outcome) = outcome {
                                    (outcome.outcome)
                                    @if let Some(cents) = outcome.value_cents { " · " (money(cents)) " " (outcome.currency.as_deref().unwrap_or("")) }
                                }
                            }
                            td.muted { (time(handoff.created_at)) }
                        }
                        @if outcome.is_none() && matches!(handoff.status.as_str(), "offered" | "accepted" | "closed") {
                            tr { td colspan="5" {
                                form.filters method="post" action=(format!("/admin/handoffs/{}/close", handoff.id)) {
                                    input type="hidden" name="csrf" value=(csrf);
                                    label { "Outcome" select name="outcome" {
                                        @for outcome in Outcome::ALL { option value=(outcome.name()) { (outcome.name()) } }
                                    } }
                                    label { "Value" input name="value" inputmode="decimal" size="8"; }
                                    label { "Currency" input name="currency" size="4" placeholder="USD"; }
                                    label { "Note" input name="note" size="16"; }
                                    button type="submit" { "Close hand-off" }
                                }
                            } }
                        }
                    }
                }
            }
            section {
                h2 { "Transcript" }
                table id="transcript" {
                    @for message in &record.transcript {
                        tr {
                            td.muted { (if message.direction == "in" { "them" } else { "bot" }) }
                            td { pre { (message.body) } }
                            td.muted { (time(message.at)) }
                        }
                    }
                }
            }
        },
    )
}

/// Reps: availability now and why, load, and their record.
pub fn reps(
    csrf: &str,
    team: Option<&Team>,
    loads: &BTreeMap<String, i64>,
    figures: &[RepFigures],
) -> Markup {
    let now = chrono::Utc::now();
    layout(
        "Reps",
        Some(csrf),
        html! {
            h1 { "Reps" }
            section {
                @if let Some(team) = team {
                    table {
                        tr { th { "rep" } th { "now" } th.n { "open / capacity" } }
                        @for rep in &team.reps {
                            @let open = loads.get(&rep.id).copied().unwrap_or(0);
                            tr {
                                td { (rep.name) " " span.muted { "(" (rep.id) ")" } }
                                td {
                                    @match crate::routing::available(rep, open, now) {
                                        Ok(()) => span.ok { "available" },
                                        Err(why) => span.bad { (why.to_string()) },
                                    }
                                }
                                td.n { (open) " / " (rep.capacity.map_or_else(|| "∞".to_string(), |capacity| capacity.to_string())) }
                            }
                        }
                    }
                } @else {
                    p.muted { "No reps file is loaded." }
                }
            }
            section {
                h2 { "Record" }
                table {
                    tr { th { "rep" } th.n { "assigned" } th.n { "accepted" } th.n { "passed" } th.n { "escalated" } th.n { "open" } th.n { "won" } th.n { "lost" } th.n { "revenue" } th.n { "median accept" } }
                    @for rep in figures {
                        tr { td { (rep.rep) } td.n { (rep.assigned) } td.n { (rep.accepted) } td.n { (rep.passed) } td.n { (rep.escalated) } td.n { (rep.open) } td.n { (rep.won) } td.n { (rep.lost) } td.n { (rep_revenue(&rep.revenue)) } td.n { (duration(rep.median_accept_ms)) } }
                    }
                }
            }
        },
    )
}

/// Scripts: each file on disk, valid (with its id and version) or its errors.
/// What the database says about the scripts: the version each runs, and the changes refused.
pub struct StoredScripts {
    /// The active version of each script.
    pub active: Vec<ActiveVersion>,
    /// Conversations per script version.
    pub uses: Vec<VersionUse>,
    /// Changes refused and not yet fixed.
    pub refused: Vec<RefusedChange>,
}

pub fn scripts(
    csrf: &str,
    folder: &Path,
    files: &[(PathBuf, Result<Script, ScriptError>)],
    unreadable: Option<&str>,
    stored: &StoredScripts,
) -> Markup {
    layout(
        "Scripts",
        Some(csrf),
        html! {
            h1 { "Scripts" }
            section {
                h2 { "Running" }
                p.muted { "The version new conversations start on; a conversation stays on the version it started with." }
                table id="active" {
                    tr { th { "script" } th { "version" } th { "since" } th { "by" } th { "conversations (running / all)" } }
                    @for active in &stored.active {
                        @let activation = &active.activation;
                        @let running: i64 = stored.uses.iter().filter(|used| used.script_id == activation.script_id && used.version == activation.version).map(|used| used.running).sum();
                        @let total: i64 = stored.uses.iter().filter(|used| used.script_id == activation.script_id).map(|used| used.total).sum();
                        tr {
                            td { (activation.script_id) }
                            td { (activation.version.short()) @if let Some(label) = &activation.label { " (" (label) ")" } }
                            td { (time(activation.at_ms)) }
                            td { (activation.by) " — " (activation.origin) }
                            td.num { (running) " / " (total) }
                        }
                    }
                }
            }
            section {
                h2 { "Refused changes" }
                @if stored.refused.is_empty() {
                    p.ok { "None: every change on disk was applied." }
                } @else {
                    p.muted { "These edits were refused; the running version stayed. Fix the file and save it again." }
                    table id="refused" {
                        tr { th { "file" } th { "when" } th { "why" } }
                        @for refused in &stored.refused {
                            tr {
                                td { (refused.file) }
                                td { (time(refused.at_ms)) }
                                td.bad { pre { (refused.error) } }
                            }
                        }
                    }
                }
            }
            section {
                h2 { "Files" }
                p.muted { "Files in " (folder.display()) ", checked now." }
                @if let Some(problem) = unreadable { p.bad { (problem) } }
                table id="scripts" {
                    tr { th { "file" } th { "script" } th { "state" } }
                    @for (file, loaded) in files {
                        tr {
                            td { (file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()) }
                            @match loaded {
                                Ok(script) => {
                                    td { (script.id) " v" (script.version) }
                                    td.ok { "valid" }
                                }
                                Err(error) => {
                                    td { "—" }
                                    td.bad { pre { (error.to_string()) } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
