//! Purpose: what leadbot's Slack messages look like — a question with Block Kit buttons (a
//! static select for long lists), a clicked question showing the choice, and the rep's
//! hand-off card with Accept / Pass. Pure: values in, Block Kit out.
//!
//! Text the prospect typed (contact fields, answers) only ever goes into `plain_text`, escaped:
//! mrkdwn has no escape for `*`, `_`, `~` or `` ` ``, so a prospect's "*urgent*" would render
//! bold in a rep's card. A clicked message's text comes back from Slack already escaped, and
//! is sent back as it came.

use slack_morphism::prelude::*;

use super::address::ClickedQuestion;
use super::inbound::{
    ACCEPT_ACTION, ANSWER_ACTION, BOOKING_ACTION, CLOSE_ACTION, HAND_BACK_ACTION, PASS_ACTION,
};
use crate::engine::Reply;
use crate::notify::{HandOffNotice, NoticeEvent};

/// Up to this many options are buttons; more become a static select.
pub const MAX_BUTTONS: usize = 5;

/// Slack's limit on button and option labels.
const MAX_LABEL: usize = 75;
/// Slack's limit on a header block's text.
const MAX_HEADER: usize = 150;
/// Slack's limit on a section field's text.
const MAX_FIELD_TEXT: usize = 2000;
/// Slack's limit on a section's text.
const MAX_SECTION_TEXT: usize = 3000;

/// A reply as a Slack message: its text, plus the options of a choice question.
pub fn reply(reply: &Reply) -> SlackMessageContent {
    let text = escape(&reply.text);
    let content = SlackMessageContent::new().with_text(text.clone());
    if let Some((link, url)) = reply
        .link
        .as_ref()
        .and_then(|link| Some((link, reqwest::Url::parse(&link.url).ok()?)))
    {
        return content.with_blocks(vec![
            SlackSectionBlock::new().with_text(md(&text)).into(),
            SlackActionsBlock::new(vec![
                SlackBlockButtonElement::new(label(&link.label).into())
                    .with_action_id(BOOKING_ACTION.into())
                    .with_url(url)
                    .with_style(SlackBlockButtonStyle::Primary)
                    .into(),
            ])
            .into(),
        ]);
    }
    let Some(step) = reply.step.as_deref().filter(|_| !reply.choices.is_empty()) else {
        return content;
    };
    if reply.multiple {
        // One click is one option: several are typed ("1, 3"), so the options are listed.
        let listed: Vec<String> = reply
            .choices
            .iter()
            .enumerate()
            .map(|(index, choice)| format!("{}. {}", index + 1, escape(&choice.label)))
            .collect();
        return content.with_text(format!("{text}\n{}", listed.join("\n")));
    }
    let question: SlackBlock = SlackSectionBlock::new().with_text(md(&text)).into();
    let controls: Vec<SlackActionBlockElement> = if reply.choices.len() <= MAX_BUTTONS {
        reply
            .choices
            .iter()
            .enumerate()
            .map(|(index, choice)| {
                SlackBlockButtonElement::new(label(&choice.label).into())
                    .with_action_id(format!("{ANSWER_ACTION}{step}:{index}").into())
                    .with_value(choice.value.clone())
                    .into()
            })
            .collect()
    } else {
        let options = reply
            .choices
            .iter()
            .take(100)
            .map(|choice| {
                SlackBlockChoiceItem::new(label(&choice.label).into(), choice.value.clone())
            })
            .collect();
        vec![
            SlackBlockStaticSelectElement::new()
                .with_action_id(format!("{ANSWER_ACTION}{step}:select").into())
                .with_placeholder("Choose…".into())
                .with_options(options)
                .into(),
        ]
    };
    content.with_blocks(vec![question, SlackActionsBlock::new(controls).into()])
}

/// A clicked question rewritten: the question, then the choice instead of the buttons.
pub fn answered(clicked: &ClickedQuestion) -> SlackMessageContent {
    let question = &clicked.question;
    SlackMessageContent::new()
        .with_text(question.clone())
        .with_blocks(vec![
            SlackSectionBlock::new().with_text(md(question)).into(),
            SlackContextBlock::new(vec![md_element(&format!(
                "✅ *{}*",
                escape(&clicked.chosen)
            ))])
            .into(),
        ])
}

/// A question clicked after it was answered (or the dialogue moved on): shown without its
/// buttons, marked closed.
pub fn closed(clicked: &ClickedQuestion) -> SlackMessageContent {
    let question = &clicked.question;
    SlackMessageContent::new()
        .with_text(question.clone())
        .with_blocks(vec![
            SlackSectionBlock::new().with_text(md(question)).into(),
            SlackContextBlock::new(vec![md_element(
                "This question is closed — it was already answered.",
            )])
            .into(),
        ])
}

/// A hand-off notice for a rep (or the fallback team): the full card with Accept / Pass when a
/// lead is offered, the card without buttons when nobody was available, a short line when an
/// offer was accepted or withdrawn.
pub fn notice(notice: &HandOffNotice) -> SlackMessageContent {
    let name = contact(notice, "name");
    let company = contact(notice, "company");
    let line = match notice.event {
        NoticeEvent::Accepted => format!(
            "✅ {} — {name} ({company}) is yours. Lead {}.",
            notice.note.as_deref().unwrap_or("Accepted"),
            notice.lead_id
        ),
        NoticeEvent::Withdrawn => format!(
            "↷ {name} ({company}) was withdrawn: {}. Lead {}.",
            notice.note.as_deref().unwrap_or("the lead moved on"),
            notice.lead_id
        ),
        NoticeEvent::Message => format!(
            "💬 {name} ({company}): {} — answer with `leadbot reply {}`. Lead {}.",
            notice.note.as_deref().unwrap_or_default(),
            notice.lead_id,
            notice.lead_id
        ),
        NoticeEvent::MeetingBooked => format!(
            "📅 {name} ({company}): {}. Lead {}.",
            notice.note.as_deref().unwrap_or("Meeting booked"),
            notice.lead_id
        ),
        NoticeEvent::Assigned | NoticeEvent::Unassigned => {
            return card(notice, &name, &company);
        }
    };
    let mut blocks: Vec<SlackBlock> = vec![
        SlackSectionBlock::new()
            .with_text(plain(&line, MAX_SECTION_TEXT))
            .into(),
    ];
    // The rep who has a prospect's conversation can give it back from any of its messages.
    let taken_over = notice.event == NoticeEvent::Message
        || (notice.event == NoticeEvent::Accepted && notice.takeover.is_some());
    if taken_over {
        blocks.push(
            SlackActionsBlock::new(vec![
                SlackBlockButtonElement::new("Hand back to the bot".into())
                    .with_action_id(HAND_BACK_ACTION.into())
                    .with_value(notice.lead_id.to_string())
                    .into(),
            ])
            .into(),
        );
    }
    SlackMessageContent::new()
        .with_text(escape(&line))
        .with_blocks(blocks)
}

fn card(notice: &HandOffNotice, name: &str, company: &str) -> SlackMessageContent {
    let lead = &notice.lead;
    let headline = match notice.event {
        _ if notice.takeover.is_some() => {
            format!("🙋 Wants to talk to a person: {name} ({company})")
        }
        NoticeEvent::Unassigned => {
            format!("🔥 Sales-qualified lead for the team: {name} ({company})")
        }
        _ => format!("🔥 New sales-qualified lead: {name} ({company})"),
    };
    let field = |label: &str, value: &str| plain(&format!("{label}\n{value}"), MAX_FIELD_TEXT);
    let mut fields = vec![
        field("Stage", &lead.stage.to_string()),
        field("Score", &lead.score.to_string()),
        field("Email", &contact(notice, "email")),
        field("Region", &contact(notice, "region")),
    ];
    for (criterion, answer) in lead.criteria.iter().take(6) {
        fields.push(field(&capitalised(criterion.name()), answer));
    }
    let reasons: Vec<String> = lead
        .top_reasons
        .iter()
        .map(|reason| format!("• {:+} {}", reason.points, escape(&reason.reason)))
        .collect();
    let mut blocks: Vec<SlackBlock> = vec![
        SlackHeaderBlock::new(escape_within(&headline, MAX_HEADER).into()).into(),
        SlackSectionBlock::new().with_fields(fields).into(),
        SlackSectionBlock::new()
            .with_text(md(&format!(
                "*Score {} — why*\n{}",
                lead.score,
                reasons.join("\n")
            )))
            .into(),
    ];
    if !lead.questions.is_empty() {
        let asked: Vec<String> = lead.questions.iter().map(|q| format!("? {q}")).collect();
        blocks.push(
            SlackSectionBlock::new()
                .with_text(plain(
                    &format!("Asked — please answer:\n{}", asked.join("\n")),
                    MAX_SECTION_TEXT,
                ))
                .into(),
        );
    }
    let mut context = vec![format!("Conversation: {}", conversation_ref(notice))];
    if let Some(pool) = &notice.pool {
        context.push(match &notice.rule {
            Some(rule) => format!("Pool: {} (rule “{}”)", escape(pool), escape(rule)),
            None => format!("Pool: {}", escape(pool)),
        });
    }
    if let Some(note) = &notice.note {
        context.push(escape(note));
    }
    if notice.event == NoticeEvent::Assigned
        && let Some(minutes) = notice.sla_minutes
    {
        context.push(format!("Please answer within {minutes} minutes"));
    }
    blocks.push(SlackContextBlock::new(vec![md_element(&context.join(" · "))]).into());
    if let (NoticeEvent::Assigned, Some(assignment)) = (notice.event, notice.assignment_id) {
        blocks.push(
            SlackActionsBlock::new(vec![
                SlackBlockButtonElement::new("Accept".into())
                    .with_action_id(ACCEPT_ACTION.into())
                    .with_value(assignment.to_string())
                    .with_style(SlackBlockButtonStyle::Primary)
                    .into(),
                SlackBlockButtonElement::new("Pass".into())
                    .with_action_id(PASS_ACTION.into())
                    .with_value(assignment.to_string())
                    .into(),
            ])
            .into(),
        );
    }
    SlackMessageContent::new()
        .with_text(escape(&headline))
        .with_blocks(blocks)
}

/// A rep's card after they answered: the card as it was, with `outcome` instead of buttons.
/// `headline` is the card's text as Slack sent it back, already escaped.
pub fn answered_card(
    card: Option<Vec<SlackBlock>>,
    headline: &str,
    outcome: &str,
    close_menu: Option<i64>,
) -> SlackMessageContent {
    let mut blocks: Vec<SlackBlock> = card
        .unwrap_or_else(|| vec![SlackSectionBlock::new().with_text(md(headline)).into()])
        .into_iter()
        .filter(|block| !matches!(block, SlackBlock::Actions(_)))
        .collect();
    blocks.push(SlackContextBlock::new(vec![md_element(outcome)]).into());
    if let Some(assignment_id) = close_menu {
        blocks.push(close_menu_block(assignment_id));
    }
    SlackMessageContent::new()
        .with_text(headline.to_string())
        .with_blocks(blocks)
}

/// The outcomes a rep can close a hand-off with from the card, and how the menu shows them.
const CLOSE_OUTCOMES: [(&str, &str); 4] = [
    ("won", "Won"),
    ("lost", "Lost"),
    ("no_fit", "No fit"),
    ("no_response", "No response"),
];

/// "Close as…": a menu of outcomes for an accepted hand-off (`<assignment>:<outcome>`).
fn close_menu_block(assignment_id: i64) -> SlackBlock {
    let options = CLOSE_OUTCOMES
        .iter()
        .map(|(value, label)| {
            SlackBlockChoiceItem::new((*label).into(), format!("{assignment_id}:{value}"))
        })
        .collect();
    SlackActionsBlock::new(vec![
        SlackBlockStaticSelectElement::new()
            .with_action_id(CLOSE_ACTION.into())
            .with_placeholder("Close as…".into())
            .with_options(options)
            .into(),
    ])
    .into()
}

/// A card as stored when its rep answered it (`shown`, the content's JSON), with `line` (the
/// meeting booked) added under it; a line added earlier is replaced. `None` when `shown` is
/// not a card's content.
pub fn card_with_line(shown: &str, line: &str) -> Option<SlackMessageContent> {
    let mut content: SlackMessageContent = serde_json::from_str(shown).ok()?;
    let mut blocks = content.blocks.take().unwrap_or_default();
    blocks.retain(|block| {
        !matches!(block, SlackBlock::Section(section) if section.block_id.as_ref().is_some_and(|id| id.0 == CARD_LINE))
    });
    blocks.push(
        SlackSectionBlock::new()
            .with_block_id(SlackBlockId(CARD_LINE.to_string()))
            .with_text(plain(line, MAX_SECTION_TEXT))
            .into(),
    );
    Some(content.with_blocks(blocks))
}

/// The block id of the line [`card_with_line`] adds.
const CARD_LINE: &str = "leadbot:card-line";

/// Where the prospect talked to the bot, as a rep can open it.
fn conversation_ref(notice: &HandOffNotice) -> String {
    let prospect = &notice.prospect;
    let lead = format!(
        "lead {} (`leadbot leads show {}`)",
        notice.lead_id, notice.lead_id
    );
    if prospect.channel == super::address::CHANNEL {
        let parts: Vec<&str> = prospect.address.split(':').collect();
        match parts.as_slice() {
            ["dm", user] => return format!("<@{user}> in a direct message with the app · {lead}"),
            ["thread", channel, _, user] => {
                return format!("<@{user}> in a thread in <#{channel}> · {lead}");
            }
            _ => {}
        }
    }
    format!(
        "{} {} · {lead}",
        escape(&prospect.channel),
        escape(&prospect.address)
    )
}

/// A contact field as the prospect gave it (not escaped), or "—".
fn contact(notice: &HandOffNotice, field: &str) -> String {
    notice
        .lead
        .contact
        .get(field)
        .map_or_else(|| "—".to_string(), Clone::clone)
}

/// Text that is shown as typed: escaped, never formatted, within `max` characters.
fn plain(text: &str, max: usize) -> SlackBlockText {
    SlackBlockText::Plain(SlackBlockPlainText::new(escape_within(text, max)))
}

fn md(text: &str) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text.to_string()))
}

fn md_element(text: &str) -> SlackContextBlockElement {
    SlackContextBlockElement::MarkDown(SlackBlockMarkDownText::new(text.to_string()))
}

fn label(text: &str) -> String {
    truncate(text, MAX_LABEL)
}

/// `text` escaped, cut (before escaping, so no entity is split) until it fits in `max`
/// characters, ending in "…" when cut.
fn escape_within(text: &str, max: usize) -> String {
    let escaped = escape(text);
    if escaped.chars().count() <= max {
        return escaped;
    }
    let mut cut = String::new();
    let mut length = 1;
    for character in text.chars() {
        let width = escape(character.encode_utf8(&mut [0; 4])).chars().count();
        if length + width > max {
            break;
        }
        length += width;
        cut.push(character);
    }
    cut = escape(&cut);
    cut.push('…');
    cut
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Slack's three control characters, escaped as its docs require.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests;
