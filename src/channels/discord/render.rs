//! Purpose: what leadbot looks like on Discord — a reply as a message with buttons or a select
//! menu, the message after a click, and a rep's hand-off as an embed with Accept / Pass. Pure
//! functions from leadbot values to serenity builders, within Discord's size limits.

use serde::{Deserialize, Serialize};
use serenity::all::{
    ButtonStyle, ChannelId, Colour, CreateActionRow, CreateButton, CreateEmbed, CreateMessage,
    CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption, MessageId, Timestamp, UserId,
};

use super::ids::{ComponentAction, ProspectAddress};
use crate::notify::{HandOffNotice, NoticeEvent};

/// Longest message content Discord accepts.
const MAX_CONTENT: usize = 2000;
/// Buttons in one action row; longer lists become a select menu.
const MAX_BUTTONS: usize = 5;
/// Options in one select menu.
const MAX_OPTIONS: usize = 25;
/// Longest button label.
const MAX_BUTTON_LABEL: usize = 80;
/// Longest select option label and value.
const MAX_OPTION_TEXT: usize = 100;
/// Longest embed title, field value, description.
const MAX_TITLE: usize = 256;
const MAX_FIELD_VALUE: usize = 1024;
const MAX_DESCRIPTION: usize = 4096;

/// One option of a question, as queued in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedChoice {
    /// Sent back when chosen.
    pub value: String,
    /// Shown.
    pub label: String,
}

/// A reply as queued in the outbox by the runtime (`payload.reply`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedReply {
    /// The text.
    pub text: String,
    /// The question's step, when it asks one.
    pub step: Option<String>,
    /// Options for buttons.
    #[serde(default)]
    pub choices: Vec<QueuedChoice>,
    /// Several options may be chosen.
    #[serde(default)]
    pub multiple: bool,
}

/// Where a turn's replies go, written by the gateway handler into the outbox item's context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyContext {
    /// The channel to post in (a DM channel or the prospect's thread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<ChannelId>,
    /// The prospect, when no channel is known yet: a DM is opened with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// A thread to open before posting (its id is the starter message's id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_thread: Option<ThreadStart>,
}

/// The thread a prospect's first message in a qualification channel opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadStart {
    /// The qualification channel.
    pub parent: ChannelId,
    /// The prospect's message the thread hangs off.
    pub message: MessageId,
    /// The thread's name.
    pub name: String,
}

/// A reply as a Discord message: the text, then buttons (up to five single choices) or a
/// select menu (longer lists, and multiple choice).
pub fn reply_message(reply: &QueuedReply) -> CreateMessage {
    let message = CreateMessage::new().content(clip(&reply.text, MAX_CONTENT));
    match components(reply) {
        Some(row) => message.components(vec![row]),
        None => message,
    }
}

fn components(reply: &QueuedReply) -> Option<CreateActionRow> {
    let step = reply.step.as_deref()?;
    if reply.choices.is_empty() {
        return None;
    }
    if !reply.multiple && reply.choices.len() <= MAX_BUTTONS {
        let buttons = reply
            .choices
            .iter()
            .enumerate()
            .map(|(index, choice)| {
                let action = ComponentAction::Choice {
                    step: step.to_string(),
                    value: choice.value.clone(),
                };
                CreateButton::new(action.encode(index))
                    .label(clip(&choice.label, MAX_BUTTON_LABEL))
                    .style(ButtonStyle::Secondary)
            })
            .collect();
        return Some(CreateActionRow::Buttons(buttons));
    }
    let options: Vec<_> = reply
        .choices
        .iter()
        .take(MAX_OPTIONS)
        .map(|choice| {
            CreateSelectMenuOption::new(
                clip(&choice.label, MAX_OPTION_TEXT),
                clip(&choice.value, MAX_OPTION_TEXT),
            )
        })
        .collect();
    let most = u8::try_from(options.len()).unwrap_or(1);
    let menu = CreateSelectMenu::new(
        ComponentAction::Select {
            step: step.to_string(),
        }
        .encode(0),
        CreateSelectMenuKind::String { options },
    )
    .min_values(1)
    .max_values(if reply.multiple { most } else { 1 });
    Some(CreateActionRow::SelectMenu(menu))
}

/// The question's text once answered by a click: the choice shown under it, buttons gone.
pub fn answered(question: &str, chosen: &[String]) -> String {
    let answer = format!("\n\n→ **{}**", chosen.join(", "));
    let room = MAX_CONTENT.saturating_sub(answer.chars().count());
    format!("{}{}", clip(question, room), clip(&answer, MAX_CONTENT))
}

/// A question clicked after it was answered (or after the dialogue moved on), without its
/// buttons and marked closed.
pub fn closed(question: &str) -> String {
    let note = "\n\n*This question is closed — it was already answered.*";
    let room = MAX_CONTENT.saturating_sub(note.chars().count());
    format!("{}{note}", clip(question, room))
}

/// A hand-off notice as an embed: who, each criterion's answer, score and why, stage, where to
/// find the prospect; Accept / Pass buttons when the rep has to answer.
pub fn handoff_message(notice: &HandOffNotice) -> CreateMessage {
    let lead = &notice.lead;
    let contact = |field: &str| lead.contact.get(field).map_or("—", String::as_str);
    let (headline, colour) = match notice.event {
        NoticeEvent::Assigned => ("🔥 New sales-qualified lead", Colour::ORANGE),
        NoticeEvent::Accepted => ("✅ Lead accepted", Colour::DARK_GREEN),
        NoticeEvent::Withdrawn => ("↩️ Lead withdrawn", Colour::LIGHT_GREY),
        NoticeEvent::Unassigned => ("⚠️ Unassigned lead", Colour::RED),
    };
    let title = format!("{headline}: {} ({})", contact("name"), contact("company"));
    let prospect = match ProspectAddress::parse(&notice.prospect.address) {
        Some(address) if notice.prospect.channel == super::ids::CHANNEL => address.mention(),
        _ => format!("{}: {}", notice.prospect.channel, notice.prospect.address),
    };
    let mut description = vec![format!("Conversation: {prospect}")];
    if let Some(rep) = &notice.rep {
        let who = rep
            .discord_user
            .as_ref()
            .map_or_else(|| rep.name.clone(), |user| format!("<@{user}>"));
        description.push(format!("Rep: {who}"));
    }
    if let (None, Some(team)) = (&notice.rep, &notice.team_channel) {
        description.push(format!("Team: {}", team.name));
    }
    if let Some(pool) = &notice.pool {
        description.push(format!("Pool: {pool}"));
    }
    if let Some(rule) = &notice.rule {
        description.push(format!("Routed by: {rule}"));
    }
    if let (NoticeEvent::Assigned, Some(minutes)) = (notice.event, notice.sla_minutes) {
        description.push(format!("Please accept or pass within {minutes} minutes."));
    }
    if let Some(note) = &notice.note {
        description.push(note.clone());
    }
    let mut why = vec![format!("**{}**", lead.score)];
    why.extend(
        lead.top_reasons
            .iter()
            .map(|reason| format!("{:+} {}", reason.points, reason.reason)),
    );
    let mut embed = CreateEmbed::new()
        .title(clip(&title, MAX_TITLE))
        .description(clip(&description.join("\n"), MAX_DESCRIPTION))
        .colour(colour)
        .field("Stage", lead.stage.name(), true)
        .field("Email", clip(contact("email"), MAX_FIELD_VALUE), true)
        .field("Region", clip(contact("region"), MAX_FIELD_VALUE), true)
        .field("Score", clip(&why.join("\n"), MAX_FIELD_VALUE), false);
    for (criterion, answer) in lead.criteria.iter().take(20) {
        let answer = if answer.trim().is_empty() {
            "—"
        } else {
            answer
        };
        embed = embed.field(
            capitalised(criterion.name()),
            clip(answer, MAX_FIELD_VALUE),
            false,
        );
    }
    if let Ok(at) = Timestamp::from_millis(lead.qualified_at.timestamp_millis()) {
        embed = embed.timestamp(at);
    }
    let message = CreateMessage::new().embed(embed);
    match (notice.event, notice.assignment_id) {
        (NoticeEvent::Assigned, Some(assignment_id)) => {
            let button = |accept: bool, label: &str, style| {
                CreateButton::new(
                    ComponentAction::Handoff {
                        assignment_id,
                        accept,
                    }
                    .encode(0),
                )
                .label(label)
                .style(style)
            };
            message.components(vec![CreateActionRow::Buttons(vec![
                button(true, "Accept", ButtonStyle::Success),
                button(false, "Pass", ButtonStyle::Secondary),
            ])])
        }
        _ => message,
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// `text` cut to at most `max` characters (not bytes), ending in "…" when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;
    use crate::notify::{ProspectRef, RepContact};

    fn question(choices: usize, multiple: bool) -> QueuedReply {
        QueuedReply {
            text: "What brings you here?".into(),
            step: Some("need".into()),
            choices: (0..choices)
                .map(|index| QueuedChoice {
                    value: format!("v{index}"),
                    label: format!("Option {index}"),
                })
                .collect(),
            multiple,
        }
    }

    fn json_of(message: &CreateMessage) -> serde_json::Value {
        serde_json::to_value(message).unwrap()
    }

    #[test]
    fn a_few_choices_are_buttons() {
        let message = json_of(&reply_message(&question(2, false)));
        assert_eq!(message["content"], "What brings you here?");
        let row = &message["components"][0];
        assert_eq!(row["type"], 1);
        assert_eq!(row["components"][0]["type"], 2);
        assert_eq!(row["components"][0]["custom_id"], "lb:c:need:v0");
        assert_eq!(row["components"][1]["label"], "Option 1");
    }

    #[test]
    fn long_lists_and_multiple_choice_are_a_select_menu() {
        for (count, multiple, most) in [(6, false, 1), (3, true, 3), (30, true, 25)] {
            let message = json_of(&reply_message(&question(count, multiple)));
            let menu = &message["components"][0]["components"][0];
            assert_eq!(menu["type"], 3, "string select");
            assert_eq!(menu["custom_id"], "lb:s:need");
            assert_eq!(menu["max_values"], most);
            assert_eq!(menu["options"].as_array().unwrap().len(), count.min(25));
            assert_eq!(menu["options"][0]["value"], "v0");
        }
    }

    #[test]
    fn free_text_questions_have_no_components_and_long_text_is_clipped() {
        let mut reply = question(0, false);
        reply.text = "é".repeat(2500);
        let message = json_of(&reply_message(&reply));
        assert!(message.get("components").is_none_or(|c| c == &json!([])));
        let content = message["content"].as_str().unwrap();
        assert_eq!(content.chars().count(), 2000);
        assert!(content.ends_with('…'));
    }

    #[test]
    fn an_answered_question_shows_the_choice() {
        assert_eq!(
            answered("Pick one", &["Replacing our tool".into()]),
            "Pick one\n\n→ **Replacing our tool**"
        );
        assert!(answered(&"x".repeat(3000), &["a".into()]).chars().count() <= 2000);
    }

    fn notice(event: NoticeEvent) -> HandOffNotice {
        HandOffNotice {
            assignment_id: Some(77),
            lead_id: 5,
            conversation_id: 6,
            rep: Some(RepContact {
                id: "ana".into(),
                name: "Ana".into(),
                slack_user: None,
                discord_user: Some("900".into()),
                email: None,
            }),
            prospect: ProspectRef {
                channel: "discord".into(),
                address: "thread:844:53".into(),
            },
            sla_minutes: Some(30),
            ..crate::notify::sample_notice(event)
        }
    }

    #[test]
    fn an_assigned_handoff_is_an_embed_with_accept_and_pass() {
        let message = json_of(&handoff_message(&notice(NoticeEvent::Assigned)));
        let embed = &message["embeds"][0];
        assert_eq!(
            embed["title"],
            "🔥 New sales-qualified lead: Dana Smith (Acme Corp)"
        );
        let description = embed["description"].as_str().unwrap();
        assert!(description.contains("<#844> with <@53>"), "{description}");
        assert!(description.contains("within 30 minutes"), "{description}");
        let fields = embed["fields"].as_array().unwrap();
        let field = |name: &str| {
            fields
                .iter()
                .find(|field| field["name"] == name)
                .map(|field| field["value"].as_str().unwrap().to_string())
                .unwrap_or_else(|| panic!("no field {name}"))
        };
        assert_eq!(field("Stage"), "sql");
        assert_eq!(field("Score"), "**96**\n+30 budget: USD 60,000");
        assert_eq!(field("Need"), "Replacing our current tool");
        assert_eq!(field("Budget"), "USD 60,000 per year");
        assert_eq!(embed["timestamp"], "2026-03-04T08:00:00Z");
        let buttons = &message["components"][0]["components"];
        assert_eq!(buttons[0]["custom_id"], "lb:h:a:77");
        assert_eq!(buttons[0]["label"], "Accept");
        assert_eq!(buttons[1]["custom_id"], "lb:h:p:77");
    }

    #[test]
    fn other_notices_have_no_buttons() {
        for event in [
            NoticeEvent::Accepted,
            NoticeEvent::Withdrawn,
            NoticeEvent::Unassigned,
        ] {
            let message = json_of(&handoff_message(&notice(event)));
            assert!(message.get("components").is_none_or(|c| c == &json!([])));
            assert!(
                message["embeds"][0]["title"]
                    .as_str()
                    .unwrap()
                    .contains("Dana")
            );
        }
    }
}
