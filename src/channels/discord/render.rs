//! Purpose: what leadbot looks like on Discord — a reply as a message with buttons or a select
//! menu, the message after a click, and a rep's hand-off as an embed with Accept / Pass. Pure
//! functions from leadbot values to serenity builders, within Discord's size limits.
//!
//! Nothing leadbot posts pings anyone (`allowed_mentions` is empty: a reply can echo what the
//! prospect typed, "@everyone" included), and text the prospect typed is markdown-escaped
//! before it goes into an embed, so it shows as typed — no bold, no masked links, no mentions.

use serde::{Deserialize, Serialize};
use serenity::all::{
    ButtonStyle, ChannelId, Colour, CreateActionRow, CreateAllowedMentions, CreateButton,
    CreateEmbed, CreateMessage, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
    MessageId, Timestamp, UserId,
};

use super::ids::{ComponentAction, ProspectAddress};
use crate::engine::Reply;
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
/// Most characters across an embed's title, description and field names and values.
const MAX_EMBED_TOTAL: usize = 6000;
/// Criteria shown as fields (an embed holds 25 fields; four are taken).
const MAX_CRITERIA: usize = 20;

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
pub fn reply_message(reply: &Reply) -> CreateMessage {
    let message = CreateMessage::new()
        .content(clip(&reply.text, MAX_CONTENT))
        .allowed_mentions(CreateAllowedMentions::new());
    match components(reply) {
        Some(row) => message.components(vec![row]),
        None => message,
    }
}

fn components(reply: &Reply) -> Option<CreateActionRow> {
    if let Some(link) = &reply.link {
        return Some(CreateActionRow::Buttons(vec![
            CreateButton::new_link(link.url.as_str()).label(clip(&link.label, MAX_BUTTON_LABEL)),
        ]));
    }
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
    let contact = |field: &str| {
        lead.contact
            .get(field)
            .map_or_else(|| "—".to_string(), |typed| escape_markdown(typed))
    };
    let (headline, colour) = match notice.event {
        NoticeEvent::Assigned => ("🔥 New sales-qualified lead", Colour::ORANGE),
        NoticeEvent::Accepted => ("✅ Lead accepted", Colour::DARK_GREEN),
        NoticeEvent::Withdrawn => ("↩️ Lead withdrawn", Colour::LIGHT_GREY),
        NoticeEvent::Unassigned => ("⚠️ Unassigned lead", Colour::RED),
        NoticeEvent::Message => ("💬 The prospect wrote", Colour::BLUE),
        NoticeEvent::MeetingBooked => ("📅 Meeting booked", Colour::DARK_GREEN),
    };
    let headline = if notice.takeover.is_some() && notice.event != NoticeEvent::Message {
        "🙋 Wants to talk to a person"
    } else {
        headline
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
    let title = clip_escaped(&title, MAX_TITLE);
    let description = clip(&description.join("\n"), MAX_DESCRIPTION);
    let mut fields = vec![
        ("Stage".to_string(), lead.stage.name().to_string(), true),
        (
            "Email".into(),
            clip_escaped(&contact("email"), MAX_FIELD_VALUE),
            true,
        ),
        (
            "Region".into(),
            clip_escaped(&contact("region"), MAX_FIELD_VALUE),
            true,
        ),
        (
            "Score".into(),
            clip(&why.join("\n"), MAX_FIELD_VALUE),
            false,
        ),
    ];
    if !lead.questions.is_empty() {
        let asked: Vec<String> = lead
            .questions
            .iter()
            .map(|asked| format!("? {}", escape_markdown(asked)))
            .collect();
        fields.push((
            "Asked — please answer".into(),
            clip_escaped(&asked.join("\n"), MAX_FIELD_VALUE),
            false,
        ));
    }
    let count = |text: &str| text.chars().count();
    let mut used = count(&title)
        + count(&description)
        + fields
            .iter()
            .map(|(name, value, _)| count(name) + count(value))
            .sum::<usize>();
    // Long answers share what is left of the embed's total, so the hand-off is never refused.
    let criteria: Vec<_> = lead.criteria.iter().take(MAX_CRITERIA).collect();
    for (index, (criterion, answer)) in criteria.iter().enumerate() {
        let name = capitalised(criterion.name());
        let share = MAX_EMBED_TOTAL.saturating_sub(used) / (criteria.len() - index);
        let room = share.saturating_sub(count(&name)).clamp(1, MAX_FIELD_VALUE);
        let answer = if answer.trim().is_empty() {
            "—".to_string()
        } else {
            clip_escaped(&escape_markdown(answer), room)
        };
        used += count(&name) + count(&answer);
        fields.push((name, answer, false));
    }
    let mut embed = CreateEmbed::new()
        .title(title)
        .description(description)
        .colour(colour)
        .fields(fields);
    if let Ok(at) = Timestamp::from_millis(lead.qualified_at.timestamp_millis()) {
        embed = embed.timestamp(at);
    }
    let message = CreateMessage::new()
        .embed(embed)
        .allowed_mentions(CreateAllowedMentions::new());
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
        // The rep who has a prospect's conversation can give it back from any of its messages.
        (NoticeEvent::Message, _) | (NoticeEvent::Accepted, _) if taken_over(notice) => message
            .components(vec![CreateActionRow::Buttons(vec![
                CreateButton::new(
                    ComponentAction::HandBack {
                        lead_id: notice.lead_id,
                    }
                    .encode(0),
                )
                .label("Hand back to the bot")
                .style(ButtonStyle::Primary),
            ])]),
        _ => message,
    }
}

/// Whether the notice is about a conversation a rep has taken over: a prospect's message
/// relayed to them, or their acceptance of a takeover.
fn taken_over(notice: &HandOffNotice) -> bool {
    notice.event == NoticeEvent::Message
        || (notice.event == NoticeEvent::Accepted && notice.takeover.is_some())
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// `text` as typed, with a backslash before every character Discord's markdown would act on:
/// emphasis, code, spoilers, quotes, headings, lists, masked links and `<@…>` mentions.
fn escape_markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut line_start = true;
    for character in text.chars() {
        let special = matches!(
            character,
            '\\' | '*' | '_' | '~' | '`' | '|' | '<' | '>' | '[' | ']' | '#'
        ) || (line_start && matches!(character, '-' | '+'));
        if special {
            escaped.push('\\');
        }
        escaped.push(character);
        line_start = character == '\n' || (line_start && character == ' ');
    }
    escaped
}

/// Markdown-escaped `text` cut like [`clip`], never between a backslash and what it escapes
/// (which would escape the "…" instead).
fn clip_escaped(text: &str, max: usize) -> String {
    let clipped = clip(text, max);
    let Some(kept) = clipped.strip_suffix('…').filter(|_| clipped != text) else {
        return clipped;
    };
    if kept.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1 {
        let mut kept = kept.to_string();
        kept.pop();
        kept.push('…');
        return kept;
    }
    clipped
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
    //! What leadbot sends Discord, as snapshots under `snapshots/` (a rendering change is a
    //! diff to review), plus the rules every rendering keeps, as plain asserts.

    use insta::assert_json_snapshot;
    use serde_json::{Value, json};

    use super::*;
    use crate::engine::ReplyChoice;
    use crate::notify::{ProspectRef, RepContact, hostile_notice};

    fn question(choices: usize, multiple: bool) -> Reply {
        Reply {
            text: "What brings you here? **Pick** one, @everyone".into(),
            step: Some("need".into()),
            choices: (0..choices)
                .map(|index| ReplyChoice {
                    value: format!("v{index}"),
                    label: format!("Option {index}"),
                })
                .collect(),
            multiple,
            link: None,
        }
    }

    fn json_of(message: &CreateMessage) -> Value {
        serde_json::to_value(message).unwrap()
    }

    /// The value of every `key` in `json`, however deep.
    fn values_of<'j>(json: &'j Value, key: &str) -> Vec<&'j Value> {
        match json {
            Value::Array(items) => items.iter().flat_map(|item| values_of(item, key)).collect(),
            Value::Object(fields) => fields
                .iter()
                .flat_map(|(name, value)| {
                    let own = (name == key).then_some(value);
                    own.into_iter().chain(values_of(value, key))
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// [`hostile_notice`] to rep Ana on Discord, about a prospect in a qualification thread.
    fn notice(event: NoticeEvent) -> HandOffNotice {
        let mut notice = hostile_notice(event);
        notice.assignment_id = Some(77);
        if notice.rep.is_some() {
            notice.rep = Some(RepContact {
                id: "ana".into(),
                name: "Ana".into(),
                slack_user: None,
                discord_user: Some("900".into()),
                email: None,
            });
        }
        notice.prospect = ProspectRef {
            channel: "discord".into(),
            address: "thread:844:53".into(),
        };
        notice
    }

    #[test]
    fn a_free_text_question_is_its_text() {
        assert_json_snapshot!(
            "reply_free_text",
            json_of(&reply_message(&question(0, false)))
        );
    }

    #[test]
    fn a_few_choices_are_buttons() {
        assert_json_snapshot!(
            "reply_buttons",
            json_of(&reply_message(&question(2, false)))
        );
    }

    #[test]
    fn a_long_list_is_a_select_menu_of_one() {
        assert_json_snapshot!("reply_select", json_of(&reply_message(&question(6, false))));
    }

    #[test]
    fn multiple_choice_is_a_select_menu_of_several() {
        assert_json_snapshot!(
            "reply_multiple_choice",
            json_of(&reply_message(&question(3, true)))
        );
    }

    #[test]
    fn an_answered_question_shows_the_choice() {
        assert_json_snapshot!(
            "answered",
            json!(answered(
                "What brings you here?",
                &["Replacing our tool".into(), "Reporting".into()]
            ))
        );
    }

    #[test]
    fn a_question_clicked_again_is_marked_closed() {
        assert_json_snapshot!("closed", json!(closed("What brings you here?")));
    }

    #[test]
    fn an_offered_lead_is_an_embed_with_accept_and_pass() {
        assert_json_snapshot!(
            "handoff_assigned",
            json_of(&handoff_message(&notice(NoticeEvent::Assigned)))
        );
    }

    #[test]
    fn an_accepted_lead_is_an_embed_without_buttons() {
        assert_json_snapshot!(
            "handoff_accepted",
            json_of(&handoff_message(&notice(NoticeEvent::Accepted)))
        );
    }

    #[test]
    fn a_withdrawn_lead_is_an_embed_without_buttons() {
        assert_json_snapshot!(
            "handoff_withdrawn",
            json_of(&handoff_message(&notice(NoticeEvent::Withdrawn)))
        );
    }

    #[test]
    fn an_unassigned_lead_is_an_embed_for_the_team() {
        assert_json_snapshot!(
            "handoff_unassigned",
            json_of(&handoff_message(&notice(NoticeEvent::Unassigned)))
        );
    }

    #[test]
    fn only_an_offer_has_buttons() {
        for event in [
            NoticeEvent::Accepted,
            NoticeEvent::Withdrawn,
            NoticeEvent::Unassigned,
        ] {
            let message = json_of(&handoff_message(&notice(event)));
            assert!(values_of(&message, "custom_id").is_empty(), "{event:?}");
        }
        let offer = json_of(&handoff_message(&notice(NoticeEvent::Assigned)));
        let ids: Vec<&str> = values_of(&offer, "custom_id")
            .into_iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(ids, ["lb:h:a:77", "lb:h:p:77"]);
    }

    #[test]
    fn nothing_leadbot_posts_pings_anyone() {
        let mut messages: Vec<CreateMessage> = [(0, false), (2, false), (30, true)]
            .into_iter()
            .map(|(choices, multiple)| reply_message(&question(choices, multiple)))
            .collect();
        messages.extend(
            [
                NoticeEvent::Assigned,
                NoticeEvent::Accepted,
                NoticeEvent::Withdrawn,
                NoticeEvent::Unassigned,
            ]
            .map(|event| handoff_message(&notice(event))),
        );
        for message in &messages {
            let message = json_of(message);
            assert_eq!(
                message["allowed_mentions"],
                json!({"parse": [], "users": [], "roles": []}),
                "{message}"
            );
        }
    }

    #[test]
    fn what_a_prospect_typed_shows_as_typed() {
        let message = json_of(&handoff_message(&notice(NoticeEvent::Assigned)));
        let embed = &message["embeds"][0];
        let mut shown: Vec<&str> = vec![embed["title"].as_str().unwrap()];
        shown.extend(
            values_of(&embed["fields"], "value")
                .into_iter()
                .filter_map(Value::as_str),
        );
        // Markup is live where its first character is not escaped with a backslash.
        let live = |text: &str, markup: &str| {
            text.match_indices(markup)
                .any(|(at, _)| !text[..at].ends_with('\\'))
        };
        for text in shown {
            for markup in [
                "<@U0BOSS", "<!", "<script", "](http", "*Acme*", "_Smith_", "`",
            ] {
                assert!(!live(text, markup), "{markup} is live in {text}");
            }
        }
    }

    #[test]
    fn custom_ids_fit_in_100_characters() {
        let mut long = question(3, false);
        long.step = Some("s".repeat(90));
        long.choices[1].value = "v".repeat(150);
        let mut select = question(8, true);
        select.step = Some("s".repeat(150));
        for message in [reply_message(&long), reply_message(&select)] {
            for id in values_of(&json_of(&message), "custom_id") {
                assert!(id.as_str().unwrap().chars().count() <= 100, "{id}");
            }
        }
    }

    #[test]
    fn long_answers_share_the_embeds_6000_characters() {
        let mut notice = notice(NoticeEvent::Assigned);
        notice.lead.criteria = crate::script::Criterion::ALL
            .into_iter()
            .map(|criterion| (criterion, "a long answer ".repeat(100)))
            .collect();
        let message = json_of(&handoff_message(&notice));
        let embed = &message["embeds"][0];
        let chars = |value: &Value| value.as_str().unwrap_or_default().chars().count();
        let fields = embed["fields"].as_array().unwrap();
        let total = chars(&embed["title"])
            + chars(&embed["description"])
            + fields
                .iter()
                .map(|field| chars(&field["name"]) + chars(&field["value"]))
                .sum::<usize>();
        assert!(total <= 6000, "{total} characters");
        // Stage, email, region, score, the prospect's open question, then each criterion.
        assert_eq!(fields.len(), 5 + crate::script::Criterion::ALL.len());
        assert!(fields.iter().all(|field| chars(&field["value"]) <= 1024));
    }

    #[test]
    fn long_text_is_clipped_to_discords_limits() {
        let mut reply = question(30, true);
        reply.text = "é".repeat(2500);
        let message = json_of(&reply_message(&reply));
        let content = message["content"].as_str().unwrap();
        assert_eq!(content.chars().count(), 2000);
        assert!(content.ends_with('…'));
        assert_eq!(
            values_of(&message, "options")[0].as_array().unwrap().len(),
            25
        );
        assert!(answered(&"x".repeat(3000), &["a".into()]).chars().count() <= 2000);
        assert!(closed(&"x".repeat(3000)).chars().count() <= 2000);
        let handoff = json_of(&handoff_message(&notice(NoticeEvent::Assigned)));
        let title = handoff["embeds"][0]["title"].as_str().unwrap();
        assert!(title.chars().count() <= 256, "{title}");
        assert!(title.ends_with('…'), "{title}");
        assert_eq!(clip_escaped(&escape_markdown("ab*cd"), 4), "ab…");
        assert_eq!(clip_escaped(&escape_markdown("ab\\*cd"), 5), "ab\\\\…");
    }
}
