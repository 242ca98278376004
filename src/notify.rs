//! Purpose: what a sales rep receives about a lead — the notice queued in the outbox (the
//! contract every channel renders: Slack card, Discord embed, webhook JSON, terminal) and its
//! plain-text rendering.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::engine::HandOff;

/// What happened to a hand-off, from the receiving rep's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeEvent {
    /// A lead was assigned to this rep: accept or pass.
    Assigned,
    /// The rep accepted: they own the lead.
    Accepted,
    /// The lead was taken from this rep (they passed, or the SLA ran out) and re-routed.
    Withdrawn,
    /// Nobody was available: the lead went to the fallback team channel.
    Unassigned,
    /// The prospect wrote while a rep has the conversation (a takeover): the text is the note.
    Message,
    /// The prospect booked a meeting on a booking page: the note says when ("Meeting booked
    /// for …"); shown on the rep's card when its message is known, else sent as a short line.
    MeetingBooked,
}

/// The message a rep's hand-off card is on (for one platform), and what it shows, so a later
/// event (a meeting booked) can be shown on the same card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRef {
    /// The channel the card is in.
    pub channel: String,
    /// The message: a Slack ts, a Discord message id.
    pub message: String,
    /// What the card shows now, in the platform's shape (Slack blocks as JSON, Discord text).
    pub shown: String,
}

/// The rep a notice is for, with where to reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepContact {
    /// The rep's id in the reps file.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Slack user id (a DM goes there).
    pub slack_user: Option<String>,
    /// Discord user id (a DM goes there).
    pub discord_user: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

/// Where the prospect's conversation is, so a rep can open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProspectRef {
    /// The channel: "slack", "discord", "console", "web"...
    pub channel: String,
    /// Where on it (the channel adapter's conversation address).
    pub address: String,
}

/// The outbox payload of every hand-off notification (kind `handoff`). Serialized as JSON for
/// webhooks; rendered by each channel for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandOffNotice {
    /// What happened.
    pub event: NoticeEvent,
    /// The assignment the rep answers with Accept / Pass; `None` when unassigned.
    pub assignment_id: Option<i64>,
    /// The lead.
    pub lead_id: i64,
    /// The prospect's conversation.
    pub conversation_id: i64,
    /// The rep, or `None` for the fallback team channel.
    pub rep: Option<RepContact>,
    /// Everything the rep needs to follow up: contact, stage, score and top reasons, answers.
    pub lead: HandOff,
    /// Where the prospect talked to the bot.
    pub prospect: ProspectRef,
    /// The pool the lead was routed to.
    pub pool: Option<String>,
    /// The rule that chose the pool, in words.
    pub rule: Option<String>,
    /// Minutes the rep has to accept before the lead moves on.
    pub sla_minutes: Option<i64>,
    /// A line for the rep: why a lead was withdrawn, who accepted.
    pub note: Option<String>,
    /// For `Unassigned`: the team channel that should pick the lead up.
    pub team_channel: Option<TeamChannel>,
    /// Set when the prospect asked for a person (a takeover, at any stage): the conversation
    /// so far, oldest line first, for the rep to answer from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takeover: Option<Vec<String>>,
    /// For a platform's copy of a `MeetingBooked` notice: the card to update, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<CardRef>,
}

/// The fallback team a lead goes to when no rep can take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamChannel {
    /// e.g. "Sales desk".
    pub name: String,
    /// A Slack channel id.
    pub slack_channel: Option<String>,
    /// A Discord channel id.
    pub discord_channel: Option<String>,
    /// A shared mailbox.
    pub email: Option<String>,
}

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
        lines.push(format!("     {:<+4} {}", reason.points, reason.reason));
    }
    lines.push("   answers:".to_string());
    for (criterion, answer) in &handoff.criteria {
        lines.push(format!("     {:<10} {answer}", criterion.name()));
    }
    if !handoff.questions.is_empty() {
        lines.push("   asked (please answer):".to_string());
        lines.extend(
            handoff
                .questions
                .iter()
                .map(|asked| format!("     ? {asked}")),
        );
    }
    lines.join("\n")
}

/// A notice as the terminal, logs and e-mail show it: what happened, for whom, then the card.
pub fn notice_text(notice: &HandOffNotice, now: DateTime<FixedOffset>) -> String {
    let rep = notice.rep.as_ref().map_or("—", |rep| rep.name.as_str());
    let headline = match notice.event {
        NoticeEvent::Assigned => format!("→ assigned to {rep}"),
        NoticeEvent::Accepted => format!("✓ accepted by {rep}"),
        NoticeEvent::Withdrawn => format!("↷ withdrawn from {rep}"),
        NoticeEvent::Message => format!("💬 the prospect wrote to {rep} (lead {})", notice.lead_id),
        NoticeEvent::MeetingBooked => {
            format!("📅 meeting booked with {rep} (lead {})", notice.lead_id)
        }
        NoticeEvent::Unassigned => {
            let team = notice
                .team_channel
                .as_ref()
                .map_or("the sales team", |team| team.name.as_str());
            format!("→ nobody available: sent to {team}")
        }
    };
    let mut lines = vec![headline];
    if let Some(pool) = &notice.pool {
        let rule = notice.rule.as_deref().map_or_else(
            || "no rule matched".to_string(),
            |rule| format!("rule \"{rule}\""),
        );
        lines.push(format!("   pool: {pool} ({rule})"));
    }
    if let Some(note) = &notice.note {
        lines.push(format!("   note: {note}"));
    }
    lines.push(format!(
        "   conversation: {} {} (lead {})",
        notice.prospect.channel, notice.prospect.address, notice.lead_id
    ));
    if matches!(
        notice.event,
        NoticeEvent::Message | NoticeEvent::MeetingBooked
    ) {
        return lines.join("\n");
    }
    if let Some(transcript) = &notice.takeover {
        lines.push("   asked to talk to a person; the conversation so far:".into());
        lines.extend(transcript.iter().map(|line| format!("     {line}")));
        lines.push(format!(
            "   answer: leadbot reply {0} \"…\"   |   hand back: leadbot hand-back {0}",
            notice.lead_id
        ));
    }
    lines.push(handoff_text(&notice.lead, now));
    if let (NoticeEvent::Assigned, Some(id), Some(rep)) =
        (notice.event, notice.assignment_id, &notice.rep)
    {
        let within = notice
            .sla_minutes
            .map(|minutes| format!(" within {minutes} minutes"))
            .unwrap_or_default();
        lines.push(format!(
            "   answer{within}: leadbot handoff accept {id} --rep {0}   |   leadbot handoff pass {id} --rep {0}",
            rep.id
        ));
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

/// A notice about [`sample_handoff`] to rep Sam of pool emea, as the channels' rendering tests
/// show it; each test puts in the rep and prospect of its platform.
#[cfg(test)]
pub(crate) fn sample_notice(event: NoticeEvent) -> HandOffNotice {
    HandOffNotice {
        event,
        assignment_id: Some(42),
        lead_id: 7,
        conversation_id: 9,
        rep: Some(RepContact {
            id: "sam".into(),
            name: "Sam".into(),
            slack_user: Some("U0SAM".into()),
            discord_user: None,
            email: None,
        }),
        lead: sample_handoff(),
        prospect: ProspectRef {
            channel: "slack".into(),
            address: "dm:U0DANA".into(),
        },
        pool: Some("emea".into()),
        rule: Some("region = Europe".into()),
        sla_minutes: Some(15),
        note: None,
        team_channel: None,
        takeover: None,
        card: None,
    }
}

/// A sales-qualified lead as the channels' rendering tests show it.
#[cfg(test)]
pub(crate) fn sample_handoff() -> HandOff {
    use crate::engine::state::{ScoreEvent, Stage};
    use crate::script::Criterion;
    let at = DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap_or_default();
    HandOff {
        script_id: "saas-en".into(),
        stage: Stage::Sql,
        score: 96,
        contact: [
            ("name", "Dana Smith"),
            ("company", "Acme Corp"),
            ("email", "dana@acme.io"),
        ]
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect(),
        top_reasons: vec![ScoreEvent {
            points: 30,
            reason: "budget: USD 60,000".into(),
            rule: "step:budget".into(),
            at,
        }],
        criteria: vec![
            (Criterion::Need, "Replacing our current tool".into()),
            (Criterion::Budget, "USD 60,000 per year".into()),
        ],
        qualified_at: at,
        questions: Vec::new(),
    }
}

/// A notice about a prospect who typed what chat platforms act on — a script tag, markup, mass
/// mentions, a link, a company name longer than any title — as real forms get. The channels'
/// snapshot tests render it, so their snapshots show what each platform is sent.
#[cfg(test)]
pub(crate) fn hostile_notice(event: NoticeEvent) -> HandOffNotice {
    use crate::engine::state::ScoreEvent;
    use crate::script::Criterion;
    let mut notice = sample_notice(event);
    let lead = &mut notice.lead;
    let company = format!(
        "*Acme* & Sons <!channel> @everyone {}Holdings",
        "International Widget Distribution ".repeat(8)
    );
    for (field, value) in [
        ("name", "Dana <script>alert(1)</script> _Smith_"),
        ("company", company.as_str()),
        ("region", "Europe"),
    ] {
        lead.contact.insert(field.into(), value.into());
    }
    lead.top_reasons.push(ScoreEvent {
        points: 25,
        reason: "asked for a demo".into(),
        rule: "signal:demo".into(),
        at: lead.qualified_at,
    });
    lead.criteria = vec![
        (
            Criterion::Need,
            "*Replace* ~all~ our `tools` — see [our page](https://evil.example) or <https://evil.example|this>".into(),
        ),
        (Criterion::Budget, "USD 60,000 per year".into()),
        (Criterion::Timing, "@here Q3 <!here> @everyone".into()),
        (Criterion::Authority, "> I sign off, ask <@U0BOSS>".into()),
    ];
    lead.questions = vec![
        "<!channel> do you integrate with *SAP*? ask <@U0BOSS> or <https://evil.example|here>"
            .into(),
    ];
    match event {
        NoticeEvent::Accepted => notice.note = Some("Sam accepted this lead".into()),
        NoticeEvent::Withdrawn => {
            notice.note = Some("Sam passed; the lead was offered to someone else".into());
        }
        NoticeEvent::Unassigned => {
            notice.rep = None;
            notice.sla_minutes = None;
            notice.rule = None;
            notice.team_channel = Some(TeamChannel {
                name: "Sales desk".into(),
                slack_channel: Some("C0DESK".into()),
                discord_channel: Some("1200".into()),
                email: Some("desk@example.com".into()),
            });
        }
        NoticeEvent::Message => notice.note = Some("hi @everyone <!channel>".into()),
        NoticeEvent::MeetingBooked => {
            notice.note = Some("Meeting booked for 2026-03-10 15:00 UTC @everyone".into());
        }
        NoticeEvent::Assigned => {}
    }
    notice
}
