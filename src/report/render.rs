//! Purpose: the report as people and tools read it — aligned tables for a terminal, long-form
//! CSV (section, key, metric, value) for spreadsheets, JSON for scripts.

use std::fmt::Write as _;
use std::str::FromStr;

use super::{Report, percent};
use crate::store::funnel::{RepRevenue, Segment, Spread};

/// How `leadbot report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned tables.
    Table,
    /// `section,key,metric,value` rows.
    Csv,
    /// One JSON object.
    Json,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        match text {
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown format {other:?} (table, csv or json)")),
        }
    }
}

/// The report in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Table => table(report),
        Format::Csv => csv(report),
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
    }
}

/// A duration for people: 45s, 12m, 3.5h, 2.1d.
pub fn duration(ms: Option<i64>) -> String {
    let Some(ms) = ms else {
        return "-".to_string();
    };
    let seconds = ms as f64 / 1000.0;
    if seconds < 90.0 {
        format!("{seconds:.0}s")
    } else if seconds < 90.0 * 60.0 {
        format!("{:.0}m", seconds / 60.0)
    } else if seconds < 36.0 * 3600.0 {
        format!("{:.1}h", seconds / 3600.0)
    } else {
        format!("{:.1}d", seconds / 86400.0)
    }
}

/// A rep's won value, one amount per currency ("12,000.00 USD + 900.00 EUR"), "-" for none:
/// amounts in different currencies are never added.
pub fn rep_revenue(revenue: &[RepRevenue]) -> String {
    if revenue.is_empty() {
        return "-".to_string();
    }
    revenue
        .iter()
        .map(|part| {
            format!(
                "{} {}",
                money(part.value_cents),
                currency_name(&part.currency)
            )
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A currency code as shown: "(none)" when the deal was closed without one.
pub fn currency_name(code: &str) -> &str {
    if code.is_empty() { "(none)" } else { code }
}

/// Hundredths as an amount: 1200050 → "12,000.50".
pub fn money(cents: i64) -> String {
    let units = cents / 100;
    let digits = units.abs().to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{grouped}.{:02}", (cents % 100).abs())
}

fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |value| format!("{value:.1}%"))
}

/// Rows of cells as aligned columns: the first left-aligned, the others right-aligned.
fn columns(out: &mut String, rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|column| {
            rows.iter()
                .map(|row| row.get(column).map_or(0, |cell| cell.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from("  ");
        for (column, cell) in row.iter().enumerate() {
            let pad = widths[column].saturating_sub(cell.chars().count());
            if column == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn row(cells: &[&dyn ToString]) -> Vec<String> {
    cells.iter().map(|cell| cell.to_string()).collect()
}

fn spread_row(name: &str, spread: &Spread) -> Vec<String> {
    row(&[
        &name,
        &spread.count,
        &duration(spread.median_ms),
        &duration(spread.p90_ms),
    ])
}

fn segments(out: &mut String, title: &str, segments: &[Segment]) {
    if segments.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    let mut rows = vec![row(&[&"", &"started", &"IQL", &"MQL", &"SQL", &"won"])];
    for segment in segments {
        let key = if segment.key.is_empty() {
            "(none)"
        } else {
            &segment.key
        };
        rows.push(row(&[
            &key,
            &segment.started,
            &segment.iql,
            &segment.mql,
            &segment.sql,
            &segment.won,
        ]));
    }
    columns(out, &rows);
}

fn table(report: &Report) -> String {
    let figures = &report.figures;
    let funnel = &figures.funnel;
    let conversion = &report.conversion;
    let mut out = String::new();
    out.push_str("Funnel\n");
    columns(
        &mut out,
        &[
            row(&[&"started", &funnel.started, &""]),
            row(&[&"leads", &funnel.leads, &rate(conversion.started_to_lead)]),
            row(&[&"IQL", &funnel.iql, &rate(conversion.lead_to_iql)]),
            row(&[&"MQL", &funnel.mql, &rate(conversion.iql_to_mql)]),
            row(&[&"SQL", &funnel.sql, &rate(conversion.mql_to_sql)]),
            row(&[&"disqualified", &funnel.disqualified, &""]),
            row(&[&"opted out", &funnel.opted_out, &""]),
            row(&[&"abandoned", &funnel.abandoned, &""]),
        ],
    );
    if !figures.disqualified_by_reason.is_empty() {
        out.push_str("\nDisqualified by reason\n");
        let rows: Vec<_> = figures
            .disqualified_by_reason
            .iter()
            .map(|reason| row(&[&reason.reason, &reason.count]))
            .collect();
        columns(&mut out, &rows);
    }
    out.push_str("\nDrop-off per question\n");
    let mut rows = vec![row(&[
        &"step",
        &"asked",
        &"answered",
        &"re-asked",
        &"stopped",
        &"stopped %",
        &"median answer",
    ])];
    for step in &figures.drop_off {
        rows.push(row(&[
            &step.step,
            &step.asked,
            &step.answered,
            &step.reasked,
            &step.stopped,
            &rate(percent(step.stopped, step.asked)),
            &duration(step.median_answer_ms),
        ]));
    }
    columns(&mut out, &rows);
    out.push_str("\nSpeed\n");
    columns(
        &mut out,
        &[
            row(&[&"", &"count", &"median", &"p90"]),
            spread_row("first message → SQL", &figures.speed.to_sql),
            spread_row("SQL → accepted", &figures.speed.to_acceptance),
            row(&[&"SLA misses", &figures.speed.sla_misses, &"", &""]),
        ],
    );
    out.push_str("\nReps\n");
    let mut rows = vec![row(&[
        &"rep",
        &"assigned",
        &"accepted",
        &"passed",
        &"escalated",
        &"open",
        &"won",
        &"lost",
        &"win rate",
        &"revenue",
        &"meetings",
        &"median accept",
    ])];
    for rep in &figures.reps {
        rows.push(row(&[
            &rep.rep,
            &rep.assigned,
            &rep.accepted,
            &rep.passed,
            &rep.escalated,
            &rep.open,
            &rep.won,
            &rep.lost,
            &rate(percent(rep.won, rep.won + rep.lost)),
            &rep_revenue(&rep.revenue),
            &rep.meetings,
            &duration(rep.median_accept_ms),
        ]));
    }
    columns(&mut out, &rows);
    out.push_str("\nMoney\n");
    let money_figures = &figures.money;
    let mut rows = vec![row(&[&"outcome", &"hand-offs"])];
    for (outcome, count) in &money_figures.outcomes {
        rows.push(row(&[outcome, count]));
    }
    rows.push(row(&[&"meetings booked", &money_figures.meetings]));
    columns(&mut out, &rows);
    let mut rows = vec![row(&[&"currency", &"won", &"revenue", &"average deal"])];
    for revenue in &money_figures.revenue {
        let average = if revenue.won > 0 {
            money(revenue.value_cents / revenue.won)
        } else {
            "-".to_string()
        };
        rows.push(row(&[
            &revenue.currency,
            &revenue.won,
            &money(revenue.value_cents),
            &average,
        ]));
    }
    columns(&mut out, &rows);
    columns(
        &mut out,
        &[spread_row(
            "sales cycle (first message → won)",
            &money_figures.cycle,
        )],
    );
    if let Some(costs) = &report.costs {
        let amount =
            |value: Option<f64>| value.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"));
        columns(
            &mut out,
            &[
                row(&[&"spent on costed sources", &format!("{:.2}", costs.spent)]),
                row(&[&"period (days)", &costs.days]),
                row(&[&"cost per lead", &amount(costs.per_lead)]),
                row(&[&"cost per SQL", &amount(costs.per_sql)]),
                row(&[&"cost per won deal", &amount(costs.per_won)]),
            ],
        );
    }
    segments(&mut out, "By week (Monday)", &figures.weeks);
    segments(&mut out, "By channel", &figures.channels);
    segments(&mut out, "By source", &figures.sources);
    segments(&mut out, "By script version", &figures.scripts);
    out
}

fn csv(report: &Report) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut put = |section: &str, key: &str, metric: &str, value: String| {
        let _ = writer.write_record([section, key, metric, &value]);
    };
    put("section", "key", "metric", "value".into());
    let figures = &report.figures;
    let funnel = &figures.funnel;
    for (metric, value) in [
        ("started", funnel.started),
        ("leads", funnel.leads),
        ("iql", funnel.iql),
        ("mql", funnel.mql),
        ("sql", funnel.sql),
        ("disqualified", funnel.disqualified),
        ("opted_out", funnel.opted_out),
        ("abandoned", funnel.abandoned),
    ] {
        put("funnel", "", metric, value.to_string());
    }
    let optional = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let conversion = &report.conversion;
    for (metric, value) in [
        ("started_to_lead", conversion.started_to_lead),
        ("lead_to_iql", conversion.lead_to_iql),
        ("iql_to_mql", conversion.iql_to_mql),
        ("mql_to_sql", conversion.mql_to_sql),
        ("sql_to_won", conversion.sql_to_won),
    ] {
        put("conversion_percent", "", metric, optional(value));
    }
    for reason in &figures.disqualified_by_reason {
        put(
            "disqualified",
            &reason.reason,
            "leads",
            reason.count.to_string(),
        );
    }
    let ms = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    for step in &figures.drop_off {
        put("drop_off", &step.step, "asked", step.asked.to_string());
        put(
            "drop_off",
            &step.step,
            "answered",
            step.answered.to_string(),
        );
        put("drop_off", &step.step, "reasked", step.reasked.to_string());
        put("drop_off", &step.step, "stopped", step.stopped.to_string());
        put(
            "drop_off",
            &step.step,
            "median_answer_ms",
            ms(step.median_answer_ms),
        );
    }
    for (key, spread) in [
        ("first_message_to_sql", &figures.speed.to_sql),
        ("sql_to_accepted", &figures.speed.to_acceptance),
        ("sales_cycle", &figures.money.cycle),
    ] {
        put("speed", key, "count", spread.count.to_string());
        put("speed", key, "median_ms", ms(spread.median_ms));
        put("speed", key, "p90_ms", ms(spread.p90_ms));
    }
    put(
        "speed",
        "sla",
        "misses",
        figures.speed.sla_misses.to_string(),
    );
    for rep in &figures.reps {
        for (metric, value) in [
            ("assigned", rep.assigned),
            ("accepted", rep.accepted),
            ("passed", rep.passed),
            ("escalated", rep.escalated),
            ("open", rep.open),
            ("won", rep.won),
            ("lost", rep.lost),
            ("meetings", rep.meetings),
        ] {
            put("reps", &rep.rep, metric, value.to_string());
        }
        for revenue in &rep.revenue {
            let currency = currency_name(&revenue.currency);
            put(
                "reps",
                &rep.rep,
                &format!("won:{currency}"),
                revenue.won.to_string(),
            );
            put(
                "reps",
                &rep.rep,
                &format!("revenue_cents:{currency}"),
                revenue.value_cents.to_string(),
            );
        }
        put(
            "reps",
            &rep.rep,
            "median_accept_ms",
            ms(rep.median_accept_ms),
        );
    }
    for (outcome, count) in &figures.money.outcomes {
        put("outcomes", outcome, "hand_offs", count.to_string());
    }
    put("meetings", "", "booked", figures.money.meetings.to_string());
    for revenue in &figures.money.revenue {
        put("revenue", &revenue.currency, "won", revenue.won.to_string());
        put(
            "revenue",
            &revenue.currency,
            "value_cents",
            revenue.value_cents.to_string(),
        );
    }
    if let Some(costs) = &report.costs {
        put("costs", "", "spent", costs.spent.to_string());
        put("costs", "", "per_lead", optional(costs.per_lead));
        put("costs", "", "per_sql", optional(costs.per_sql));
        put("costs", "", "per_won", optional(costs.per_won));
    }
    for (section, list) in [
        ("week", &figures.weeks),
        ("channel", &figures.channels),
        ("source", &figures.sources),
        ("script", &figures.scripts),
    ] {
        for segment in list {
            for (metric, value) in [
                ("started", segment.started),
                ("iql", segment.iql),
                ("mql", segment.mql),
                ("sql", segment.sql),
                ("won", segment.won),
            ] {
                put(section, &segment.key, metric, value.to_string());
            }
        }
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_amounts_read_like_people_write_them() {
        assert_eq!(duration(Some(45_000)), "45s");
        assert_eq!(duration(Some(12 * 60_000)), "12m");
        assert_eq!(duration(Some(3 * 3_600_000 + 1_800_000)), "3.5h");
        assert_eq!(duration(Some(3 * 86_400_000)), "3.0d");
        assert_eq!(duration(None), "-");
        assert_eq!(money(1_200_050), "12,000.50");
        assert_eq!(money(99), "0.99");
        assert_eq!(money(12_345_678_900), "123,456,789.00");
    }

    #[test]
    fn formats_are_read_from_their_names() {
        assert_eq!("csv".parse(), Ok(Format::Csv));
        assert!("xml".parse::<Format>().is_err());
    }
}
