//! Purpose: what a hand-off e-mail says — subject, a plain-text part and an HTML part drawn
//! from one card, so the two never disagree — and the Message-ID that makes a repeated send
//! of the same outbox item recognisable. Pure: no clock, no network.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::notify::{HandOffNotice, NoticeEvent};

/// Longest subject line kept, in characters; a prospect's name can be anything.
const SUBJECT_LIMIT: usize = 150;

/// Contact fields in the order a rep reads them; others follow alphabetically.
const CONTACT_ORDER: [&str; 5] = ["email", "phone", "role", "industry", "region"];

/// The subject line: what happened and to whom, e.g. "New sales-qualified lead: Dana Smith
/// (Acme Corp)".
pub(super) fn subject(notice: &HandOffNotice) -> String {
    let what = match notice.event {
        NoticeEvent::Assigned => "New sales-qualified lead",
        NoticeEvent::Unassigned => "New sales-qualified lead, nobody assigned",
        NoticeEvent::Withdrawn => "Lead withdrawn",
        NoticeEvent::Accepted => "Lead accepted",
        NoticeEvent::Message => "The prospect wrote",
        NoticeEvent::MeetingBooked => "Meeting booked",
    };
    let line = single_line(&format!("{what}: {}", lead_title(notice)));
    match line.char_indices().nth(SUBJECT_LIMIT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// "Dana Smith (Acme Corp)", or whichever of the two is known, or "lead 7".
fn lead_title(notice: &HandOffNotice) -> String {
    let contact = |field: &str| {
        notice
            .lead
            .contact
            .get(field)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    };
    match (contact("name"), contact("company")) {
        (Some(name), Some(company)) => format!("{name} ({company})"),
        (Some(name), None) => name.to_string(),
        (None, Some(company)) => company.to_string(),
        (None, None) => format!("lead {}", notice.lead_id),
    }
}

/// Control characters (a line break in a name) become spaces, so a header stays one line.
pub(super) fn single_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The plain-text part, in the style of [`crate::notify::handoff_text`]; absolute times,
/// because an e-mail is read later than it is sent.
pub(super) fn plain_text(notice: &HandOffNotice) -> String {
    let card = Card::of(notice);
    let mut out = String::new();
    let _ = writeln!(out, "{}", card.headline);
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", card.title);
    for (label, value) in &card.facts {
        let _ = writeln!(out, "   {label}: {value}");
    }
    if !card.reasons.is_empty() {
        let _ = writeln!(out, "   why:");
        for (points, reason) in &card.reasons {
            let _ = writeln!(out, "     {points:<4} {reason}");
        }
    }
    if !card.answers.is_empty() {
        let _ = writeln!(out, "   answers:");
        for (criterion, answer) in &card.answers {
            let _ = writeln!(out, "     {criterion:<10} {answer}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", card.next_step);
    for command in &card.commands {
        let _ = writeln!(out, "   {command}");
    }
    out
}

/// The HTML part: the same card, every value escaped (a prospect named `<script>` is shown as
/// text).
pub(super) fn html(notice: &HandOffNotice) -> String {
    let card = Card::of(notice);
    let mut out = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family: sans-serif; line-height: 1.4\">\n",
    );
    let _ = writeln!(out, "<p>{}</p>", escape(&card.headline));
    let _ = writeln!(out, "<h2>{}</h2>", escape(&card.title));
    out.push_str("<table>\n");
    for (label, value) in &card.facts {
        let _ = writeln!(
            out,
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
            escape(label),
            escape(value)
        );
    }
    out.push_str("</table>\n");
    if !card.reasons.is_empty() {
        out.push_str("<h3>Why</h3>\n<ul>\n");
        for (points, reason) in &card.reasons {
            let _ = writeln!(out, "<li>{} {}</li>", escape(points), escape(reason));
        }
        out.push_str("</ul>\n");
    }
    if !card.answers.is_empty() {
        out.push_str("<h3>Answers</h3>\n<table>\n");
        for (criterion, answer) in &card.answers {
            let _ = writeln!(
                out,
                "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
                escape(criterion),
                escape(answer)
            );
        }
        out.push_str("</table>\n");
    }
    let _ = writeln!(out, "<p>{}</p>", escape(&card.next_step));
    for command in &card.commands {
        let _ = writeln!(out, "<pre>{}</pre>", escape(command));
    }
    out.push_str("</body></html>\n");
    out
}

/// `text` safe inside HTML elements and quoted attributes.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// A Message-ID that is the same every time the outbox item is sent, so a repeat (after a
/// lost reply or a crash between sending and recording) is recognisable and mail clients
/// that deduplicate on it show one message. The readable part says which item it is; the
/// hash keeps two keys apart that differ only in characters a Message-ID cannot carry.
pub(super) fn message_id(idempotency_key: &str, domain: &str) -> String {
    let mut readable = String::new();
    for c in idempotency_key.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            readable.push(c);
        } else if !readable.is_empty() && !readable.ends_with('.') {
            readable.push('.');
        }
    }
    let readable = readable.trim_end_matches('.');
    let digest = hex::encode(Sha256::digest(idempotency_key.as_bytes()));
    let hash = digest.get(..16).unwrap_or(&digest);
    let local = if readable.is_empty() {
        format!("leadbot.{hash}")
    } else {
        format!("{readable}.{hash}")
    };
    format!("<{local}@{domain}>")
}

/// What the e-mail says, before it is written as text or HTML.
struct Card {
    headline: String,
    title: String,
    facts: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    answers: Vec<(String, String)>,
    next_step: String,
    commands: Vec<String>,
}

impl Card {
    fn of(notice: &HandOffNotice) -> Card {
        let rep = notice.rep.as_ref().map_or("—", |rep| rep.name.as_str());
        let team = notice
            .team_channel
            .as_ref()
            .map_or("the sales team", |team| team.name.as_str());
        let headline = match notice.event {
            NoticeEvent::Assigned => {
                format!("{rep}, a sales-qualified lead is yours to follow up.")
            }
            NoticeEvent::Unassigned => {
                format!("Nobody was available to take this lead: it is for {team}.")
            }
            NoticeEvent::Withdrawn => format!("This lead is no longer with {rep}."),
            NoticeEvent::Accepted => format!("{rep} accepted this lead."),
            NoticeEvent::Message => {
                format!("The prospect wrote to {rep} (answer with leadbot reply).")
            }
            NoticeEvent::MeetingBooked => format!(
                "{} with {rep}.",
                notice.note.as_deref().unwrap_or("Meeting booked")
            ),
        };
        let lead = &notice.lead;
        let mut facts: Vec<(String, String)> = Vec::new();
        for field in CONTACT_ORDER {
            if let Some(value) = lead.contact.get(field) {
                facts.push((field.to_string(), value.clone()));
            }
        }
        for (field, value) in &lead.contact {
            let shown = matches!(field.as_str(), "name" | "company")
                || CONTACT_ORDER.contains(&field.as_str());
            if !shown {
                facts.push((field.clone(), value.clone()));
            }
        }
        facts.push(("stage".into(), lead.stage.to_string()));
        facts.push(("score".into(), lead.score.to_string()));
        facts.push(("script".into(), lead.script_id.clone()));
        facts.push((
            "qualified".into(),
            lead.qualified_at.format("%Y-%m-%d %H:%M %:z").to_string(),
        ));
        if let Some(pool) = &notice.pool {
            let rule = notice.rule.as_deref().map_or_else(
                || "no rule matched".to_string(),
                |rule| format!("rule \"{rule}\""),
            );
            facts.push(("pool".into(), format!("{pool} ({rule})")));
        }
        if let Some(note) = &notice.note {
            facts.push(("note".into(), note.clone()));
        }
        facts.push((
            "conversation".into(),
            format!(
                "{} {} (lead {})",
                notice.prospect.channel, notice.prospect.address, notice.lead_id
            ),
        ));
        let reasons = lead
            .top_reasons
            .iter()
            .map(|reason| (format!("{:+}", reason.points), reason.reason.clone()))
            .collect();
        let answers = lead
            .criteria
            .iter()
            .map(|(criterion, answer)| (criterion.name().to_string(), answer.clone()))
            .chain(
                lead.questions
                    .iter()
                    .map(|asked| ("asked, please answer".to_string(), asked.clone())),
            )
            .collect();
        let handoff = notice.assignment_id.map_or_else(
            || "This hand-off".to_string(),
            |id| format!("Hand-off {id}"),
        );
        let (next_step, commands) = match (notice.event, notice.assignment_id, &notice.rep) {
            (NoticeEvent::Assigned, Some(id), Some(rep)) => {
                let within = notice
                    .sla_minutes
                    .map(|minutes| format!(" within {minutes} minutes"))
                    .unwrap_or_default();
                (
                    format!("{handoff}: accept it{within}, or pass it to the next rep:"),
                    vec![
                        format!("leadbot handoff accept {id} --rep {}", rep.id),
                        format!("leadbot handoff pass {id} --rep {}", rep.id),
                    ],
                )
            }
            (NoticeEvent::Unassigned, _, _) => (
                format!("{handoff}: someone from {team} should reach out to the prospect."),
                Vec::new(),
            ),
            _ => (format!("{handoff}: nothing to answer."), Vec::new()),
        };
        Card {
            headline,
            title: lead_title(notice),
            facts,
            reasons,
            answers,
            next_step,
            commands,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::{TeamChannel, sample_notice};
    use crate::script::Criterion;

    #[test]
    fn subject_says_what_happened_and_who_the_lead_is() {
        let subjects: Vec<String> = [
            NoticeEvent::Assigned,
            NoticeEvent::Unassigned,
            NoticeEvent::Withdrawn,
            NoticeEvent::Accepted,
        ]
        .into_iter()
        .map(|event| subject(&sample_notice(event)))
        .collect();
        assert_eq!(
            subjects,
            [
                "New sales-qualified lead: Dana Smith (Acme Corp)",
                "New sales-qualified lead, nobody assigned: Dana Smith (Acme Corp)",
                "Lead withdrawn: Dana Smith (Acme Corp)",
                "Lead accepted: Dana Smith (Acme Corp)",
            ]
        );
    }

    #[test]
    fn subject_is_one_line_of_bounded_length() {
        let mut notice = sample_notice(NoticeEvent::Assigned);
        notice
            .lead
            .contact
            .insert("name".into(), "Dana\r\nBcc: everyone@example.com".into());
        assert_eq!(
            subject(&notice),
            "New sales-qualified lead: Dana Bcc: everyone@example.com (Acme Corp)"
        );
        notice.lead.contact.insert("name".into(), "x".repeat(500));
        assert_eq!(subject(&notice).chars().count(), SUBJECT_LIMIT + 1);
        notice.lead.contact.clear();
        assert_eq!(subject(&notice), "New sales-qualified lead: lead 7");
    }

    #[test]
    fn plain_text_has_the_card_and_how_to_answer() {
        let text = plain_text(&sample_notice(NoticeEvent::Assigned));
        for expected in [
            "Sam, a sales-qualified lead is yours to follow up.",
            "Dana Smith (Acme Corp)",
            "   email: dana@acme.io",
            "   score: 96",
            "   qualified: 2026-03-04 10:00 +02:00",
            "   pool: emea (rule \"region = Europe\")",
            "     +30  budget: USD 60,000",
            "     budget     USD 60,000 per year",
            "Hand-off 42: accept it within 15 minutes",
            "   leadbot handoff accept 42 --rep sam",
            "   leadbot handoff pass 42 --rep sam",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from\n{text}");
        }
    }

    #[test]
    fn only_an_assigned_rep_is_asked_to_answer() {
        let mut unassigned = sample_notice(NoticeEvent::Unassigned);
        unassigned.rep = None;
        unassigned.team_channel = Some(TeamChannel {
            name: "Sales desk".into(),
            slack_channel: None,
            discord_channel: None,
            email: Some("desk@example.com".into()),
        });
        let text = plain_text(&unassigned);
        assert!(text.contains("it is for Sales desk"), "{text}");
        assert!(text.contains("Hand-off 42: someone from Sales desk should reach out"));
        assert!(!text.contains("leadbot handoff"), "{text}");
        let withdrawn = plain_text(&sample_notice(NoticeEvent::Withdrawn));
        assert!(withdrawn.contains("Hand-off 42: nothing to answer."));
        assert!(!withdrawn.contains("leadbot handoff"));
    }

    #[test]
    fn every_value_from_the_prospect_is_escaped_in_html() {
        let mut notice = sample_notice(NoticeEvent::Assigned);
        notice
            .lead
            .contact
            .insert("name".into(), "<script>alert('x')</script>".into());
        notice
            .lead
            .contact
            .insert("role".into(), "CTO & \"founder\"".into());
        notice
            .lead
            .criteria
            .push((Criterion::Need, "<img src=x onerror=alert(1)>".into()));
        let html = html(&notice);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("CTO &amp; &quot;founder&quot;"));
        assert!(html.contains("<pre>leadbot handoff accept 42 --rep sam</pre>"));
    }

    #[test]
    fn message_id_is_stable_per_item_and_well_formed() {
        let id = message_id("handoff:7:42:assigned:email", "example.com");
        assert_eq!(id, message_id("handoff:7:42:assigned:email", "example.com"));
        assert!(id.starts_with("<handoff.7.42.assigned.email."), "{id}");
        assert!(id.ends_with("@example.com>"), "{id}");
        assert_ne!(id, message_id("handoff:7:42:accepted:email", "example.com"));
        // Keys that differ only in characters a Message-ID cannot carry stay apart.
        assert_ne!(message_id("a:b", "x.io"), message_id("a/b", "x.io"));
        let odd = message_id(":: <>", "x.io");
        assert!(odd.starts_with("<leadbot."), "{odd}");
        let local = &odd[1..odd.find('@').unwrap_or(0)];
        assert!(!local.contains(".."), "{odd}");
    }
}
