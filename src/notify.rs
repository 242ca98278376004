//! Purpose: render the hand-off a sales rep receives, as plain text (terminal, e-mail, logs).

use chrono::{DateTime, FixedOffset};

use crate::engine::HandOff;

/// The hand-off as a readable card: who, contact, score and why, each criterion's answer.
pub fn handoff_text(handoff: &HandOff, now: DateTime<FixedOffset>) -> String {
    let contact = |field: &str| handoff.contact.get(field).map_or("—", String::as_str);
    let mut lines = vec![
        format!(
            "🔥 New sales-qualified lead: {} ({})",
            contact("name"),
            contact("company")
        ),
        format!(
            "   email: {}   region: {}",
            contact("email"),
            contact("region")
        ),
        format!(
            "   stage: {}   score: {}   script: {}   qualified {}",
            handoff.stage,
            handoff.score,
            handoff.script_id,
            ago(handoff.qualified_at, now)
        ),
        "   why:".to_string(),
    ];
    for reason in &handoff.top_reasons {
        lines.push(format!("     +{:<3} {}", reason.points, reason.reason));
    }
    lines.push("   answers:".to_string());
    for (criterion, answer) in &handoff.criteria {
        lines.push(format!("     {:<10} {answer}", criterion.name()));
    }
    lines.join("\n")
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn ago(then: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> String {
    let seconds = (now - then).num_seconds().max(0);
    match seconds {
        0..60 => "just now".to_string(),
        60..3600 => plural(seconds / 60, "minute"),
        3600..86400 => plural(seconds / 3600, "hour"),
        _ => plural(seconds / 86400, "day"),
    }
}

fn plural(count: i64, unit: &str) -> String {
    if count == 1 {
        format!("1 {unit} ago")
    } else {
        format!("{count} {unit}s ago")
    }
}
