//! Purpose: Slack's inbound payloads (Events API envelopes, `block_actions`, slash commands)
//! read into what leadbot does with them. Pure: no I/O, so every shape is unit-tested.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serde::Deserialize;

use super::address::{self, ClickedQuestion, ReplyContext};
use super::config::MentionMode;
use crate::conversation::ConversationKey;

/// A prospect's message (or button click) to run as a turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// Whose conversation.
    pub key: ConversationKey,
    /// Processed at most once per id.
    pub event_id: String,
    /// What they said or chose.
    pub input: TurnInput,
    /// When (the message's or the click's Slack timestamp).
    pub at: DateTime<FixedOffset>,
    /// Where the replies go.
    pub reply: ReplyContext,
    /// Only continue an existing conversation, never start one (a reply in a channel thread:
    /// only threads the bot started are its business).
    pub existing_only: bool,
}

/// A typed message or a clicked option.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnInput {
    /// Free text.
    Text(String),
    /// An option button or select of `step`.
    Choice {
        /// The question's step id.
        step: String,
        /// The option's value.
        value: String,
    },
}

/// What an Events API request asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum EventAction {
    /// `url_verification`: echo the challenge.
    Challenge(String),
    /// A message for a conversation.
    Turn(Box<Turn>),
    /// Nothing to do, and why (for the debug log).
    Ignore(&'static str),
}

/// What an interaction (`payload=` form field) asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum InteractionAction {
    /// An answer button or select.
    Turn(Box<Turn>),
    /// Accept or Pass on a rep's hand-off card.
    Handoff(HandoffClick),
    /// An outcome picked in the Close menu of an accepted hand-off card.
    Close(CloseClick),
    /// "Hand back to the bot" under a prospect's message to a rep.
    HandBack {
        /// The lead whose conversation goes back to the script.
        lead_id: i64,
        /// Who clicked (must be a rep).
        user: String,
    },
    /// Nothing to do.
    Ignore(&'static str),
}

/// A rep's pick in the Close menu of their hand-off card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseClick {
    /// The hand-off closed.
    pub assignment_id: i64,
    /// `won`, `lost`, `no_fit` or `no_response`.
    pub outcome: String,
    /// Who picked it (must be the hand-off's rep).
    pub user: String,
    /// The card's channel and ts, to redraw it.
    pub channel: String,
    /// The card's ts.
    pub ts: String,
    /// The card's text.
    pub headline: String,
    /// The card's blocks as posted.
    pub card: Option<serde_json::Value>,
}

/// A rep's click on a hand-off card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffClick {
    /// The assignment the card offers.
    pub assignment_id: i64,
    /// True for Accept, false for Pass.
    pub accept: bool,
    /// The rep's Slack user id.
    pub user: String,
    /// The card's channel and ts, to update it.
    pub channel: String,
    /// The card's ts.
    pub ts: String,
    /// Processed at most once per id.
    pub event_id: String,
    /// The card's headline (its fallback text).
    pub headline: String,
    /// The card's blocks as Slack sent them back, to redraw it without the buttons.
    pub card: Option<serde_json::Value>,
}

/// A slash command for the configured command name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Who ran it: their DM gets the dialogue.
    pub user: String,
    /// A script id typed after the command, if any.
    pub script: Option<String>,
    /// Processed at most once per id.
    pub request_id: String,
}

/// Action id prefix of answer buttons and selects: `answer:<step>:<index or "select">`.
pub const ANSWER_ACTION: &str = "answer:";
/// Action id of the Accept button on hand-off cards (value: the assignment id).
pub const ACCEPT_ACTION: &str = "handoff:accept";
/// Action id of the Pass button on hand-off cards.
pub const PASS_ACTION: &str = "handoff:pass";
/// Action id of the Close menu on an accepted hand-off card (option values
/// `<assignment id>:<outcome>`).
pub const CLOSE_ACTION: &str = "handoff:close";
/// Action id of the "Hand back to the bot" button a rep gets with a prospect's messages
/// (value: the lead id).
pub const HAND_BACK_ACTION: &str = "takeover:hand_back";
/// Action id of the "Book a time" link button: Slack reports its clicks, which are ignored
/// (the page opens in the prospect's browser).
pub const BOOKING_ACTION: &str = "booking:open";

#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    challenge: Option<String>,
    event: Option<Event>,
}

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    subtype: Option<String>,
    user: Option<String>,
    bot_id: Option<String>,
    text: Option<String>,
    ts: Option<String>,
    thread_ts: Option<String>,
    channel: Option<String>,
    channel_type: Option<String>,
}

/// Reads an Events API request body.
pub fn event(body: &[u8], mode: MentionMode) -> Result<EventAction, serde_json::Error> {
    let envelope: Envelope = serde_json::from_slice(body)?;
    Ok(match envelope.kind.as_str() {
        "url_verification" => EventAction::Challenge(envelope.challenge.unwrap_or_default()),
        "event_callback" => match envelope.event {
            Some(event) => event_turn(event, mode),
            None => EventAction::Ignore("event_callback without an event"),
        },
        _ => EventAction::Ignore("not an event callback"),
    })
}

fn event_turn(event: Event, mode: MentionMode) -> EventAction {
    if event.bot_id.is_some() {
        return EventAction::Ignore("a bot's message (this app's or another)");
    }
    if event
        .subtype
        .as_deref()
        .is_some_and(|subtype| subtype != "thread_broadcast")
    {
        return EventAction::Ignore("a message subtype (edited, deleted, joined...)");
    }
    let (Some(user), Some(channel), Some(ts)) = (event.user, event.channel, event.ts) else {
        return EventAction::Ignore("no user, channel or ts");
    };
    let Some(at) = slack_time(&ts) else {
        return EventAction::Ignore("unreadable ts");
    };
    // One message can arrive as both `app_mention` and `message` (two event ids), and a
    // retry repeats one of them: the message's channel and ts name it in every case.
    let event_id = format!("slack:msg:{channel}:{ts}");
    let text = clean_text(event.text.as_deref().unwrap_or_default());
    let turn = |key, reply, existing_only| {
        EventAction::Turn(Box::new(Turn {
            key,
            event_id: event_id.clone(),
            input: TurnInput::Text(text.clone()),
            at,
            reply,
            existing_only,
        }))
    };
    match (event.kind.as_str(), event.channel_type.as_deref()) {
        ("app_mention", _) => match mode {
            MentionMode::Thread => {
                let thread_ts = event.thread_ts.unwrap_or(ts);
                turn(
                    address::thread(&channel, &thread_ts, &user),
                    ReplyContext {
                        channel: Some(channel),
                        thread_ts: Some(thread_ts),
                        ..ReplyContext::default()
                    },
                    false,
                )
            }
            MentionMode::DirectMessage => turn(
                address::direct(&user),
                ReplyContext {
                    user: Some(user.clone()),
                    ..ReplyContext::default()
                },
                false,
            ),
        },
        // A thread in a DM is kept: a rep answering a prospect writes in the thread of the
        // prospect's message (the app decides; prospects are answered in the DM itself).
        ("message", Some("im")) => turn(
            address::direct(&user),
            ReplyContext {
                channel: Some(channel),
                thread_ts: event.thread_ts,
                ..ReplyContext::default()
            },
            false,
        ),
        ("message", _) => match event.thread_ts {
            Some(thread_ts) => turn(
                address::thread(&channel, &thread_ts, &user),
                ReplyContext {
                    channel: Some(channel),
                    thread_ts: Some(thread_ts),
                    ..ReplyContext::default()
                },
                true,
            ),
            None => EventAction::Ignore("a channel message outside a thread"),
        },
        _ => EventAction::Ignore("an event type leadbot does not handle"),
    }
}

#[derive(Debug, Deserialize)]
struct Interaction {
    #[serde(rename = "type")]
    kind: String,
    user: Option<IdOnly>,
    channel: Option<IdOnly>,
    message: Option<InteractionMessage>,
    #[serde(default)]
    actions: Vec<ClickedAction>,
}

#[derive(Debug, Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Debug, Deserialize)]
struct InteractionMessage {
    ts: String,
    text: Option<String>,
    thread_ts: Option<String>,
    blocks: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct ClickedAction {
    action_id: String,
    value: Option<String>,
    text: Option<Text>,
    selected_option: Option<SelectedOption>,
    action_ts: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Text {
    text: String,
}

#[derive(Debug, Deserialize)]
struct SelectedOption {
    value: String,
    text: Option<Text>,
}

/// Reads an interaction payload (the JSON of the `payload` form field).
pub fn interaction(payload: &str) -> Result<InteractionAction, serde_json::Error> {
    let interaction: Interaction = serde_json::from_str(payload)?;
    if interaction.kind != "block_actions" {
        return Ok(InteractionAction::Ignore("not block_actions"));
    }
    let (Some(user), Some(channel), Some(message), Some(action)) = (
        interaction.user,
        interaction.channel,
        interaction.message,
        interaction.actions.into_iter().next(),
    ) else {
        return Ok(InteractionAction::Ignore(
            "no user, channel, message or action",
        ));
    };
    let (user, channel) = (user.id, channel.id);
    let action_ts = action.action_ts.clone().unwrap_or_default();
    let event_id = format!("slack:action:{user}:{}:{action_ts}", message.ts);
    let question = message.text.clone().unwrap_or_default();
    if action.action_id == HAND_BACK_ACTION {
        return Ok(match action.value.as_deref().and_then(|v| v.parse().ok()) {
            Some(lead_id) => InteractionAction::HandBack { lead_id, user },
            None => InteractionAction::Ignore("a hand-back button without a lead"),
        });
    }
    if action.action_id == CLOSE_ACTION {
        let picked = action
            .selected_option
            .as_ref()
            .and_then(|option| option.value.split_once(':'))
            .and_then(|(id, outcome)| Some((id.parse().ok()?, outcome.to_string())));
        let Some((assignment_id, outcome)) = picked else {
            return Ok(InteractionAction::Ignore(
                "a Close menu pick without a hand-off",
            ));
        };
        return Ok(InteractionAction::Close(CloseClick {
            assignment_id,
            outcome,
            user,
            channel,
            ts: message.ts,
            headline: question,
            card: message.blocks,
        }));
    }
    if action.action_id == ACCEPT_ACTION || action.action_id == PASS_ACTION {
        let Some(assignment_id) = action.value.as_deref().and_then(|v| v.parse().ok()) else {
            return Ok(InteractionAction::Ignore(
                "a hand-off button without an assignment",
            ));
        };
        return Ok(InteractionAction::Handoff(HandoffClick {
            assignment_id,
            accept: action.action_id == ACCEPT_ACTION,
            user,
            channel,
            ts: message.ts,
            event_id,
            headline: question,
            card: message.blocks,
        }));
    }
    // `answer:<step>:<index>`: Slack wants action ids unique within a message.
    let Some(step) = action
        .action_id
        .strip_prefix(ANSWER_ACTION)
        .and_then(|rest| rest.split(':').next())
        .filter(|step| !step.is_empty())
    else {
        return Ok(InteractionAction::Ignore(
            "an action leadbot did not create",
        ));
    };
    let (value, chosen) = match (action.selected_option, action.value) {
        (Some(option), _) => {
            let label = option.text.map_or_else(|| option.value.clone(), |t| t.text);
            (option.value, label)
        }
        (None, Some(value)) => {
            let label = action.text.map_or_else(|| value.clone(), |t| t.text);
            (value, label)
        }
        (None, None) => return Ok(InteractionAction::Ignore("an answer without a value")),
    };
    let at = slack_time(&action_ts).unwrap_or_else(|| Utc::now().fixed_offset());
    let clicked = ClickedQuestion {
        channel: channel.clone(),
        ts: message.ts.clone(),
        question,
        chosen,
    };
    let (key, reply, existing_only) = match message.thread_ts {
        Some(thread_ts) => (
            address::thread(&channel, &thread_ts, &user),
            ReplyContext {
                channel: Some(channel),
                thread_ts: Some(thread_ts),
                user: None,
                clicked: Some(clicked),
            },
            true,
        ),
        None => (
            address::direct(&user),
            ReplyContext {
                channel: Some(channel),
                thread_ts: None,
                user: None,
                clicked: Some(clicked),
            },
            true,
        ),
    };
    Ok(InteractionAction::Turn(Box::new(Turn {
        key,
        event_id,
        input: TurnInput::Choice {
            step: step.to_string(),
            value,
        },
        at,
        reply,
        existing_only,
    })))
}

/// Reads a slash command's form fields: `Ok(None)` for another command, an error naming the
/// missing field for ours without the fields Slack always sends.
pub fn command(
    fields: &[(String, String)],
    configured: &str,
) -> Result<Option<Command>, &'static str> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_string())
    };
    if field("command").as_deref() != Some(configured) {
        return Ok(None);
    }
    let user = field("user_id")
        .filter(|user| !user.is_empty())
        .ok_or("the slash command has no user_id")?;
    let trigger = field("trigger_id")
        .filter(|id| !id.is_empty())
        .ok_or("the slash command has no trigger_id")?;
    let script = field("text").filter(|text| !text.is_empty());
    Ok(Some(Command {
        user,
        script,
        request_id: format!("slack:command:{trigger}"),
    }))
}

/// A Slack timestamp ("1595926230.009600") as a time.
pub fn slack_time(ts: &str) -> Option<DateTime<FixedOffset>> {
    let (seconds, fraction) = ts.split_once('.').unwrap_or((ts, "0"));
    let seconds: i64 = seconds.parse().ok()?;
    let micros: u32 = format!("{fraction:0<6}").get(..6)?.parse().ok()?;
    Utc.timestamp_opt(seconds, micros * 1000)
        .single()
        .map(|time| time.fixed_offset())
}

/// The text a person typed: mentions dropped, links and e-mail addresses (which Slack wraps
/// as `<mailto:a@b.c|a@b.c>`) as shown, Slack's HTML escapes undone.
fn clean_text(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        cleaned.push_str(&rest[..start]);
        let Some(length) = rest[start..].find('>') else {
            cleaned.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let token = &rest[start + 1..start + length];
        rest = &rest[start + length + 1..];
        if token.starts_with('@') || token.starts_with('!') {
            continue;
        }
        let shown = token.split_once('|').map_or(token, |(_, label)| label);
        cleaned.push_str(shown.strip_prefix("mailto:").unwrap_or(shown));
    }
    cleaned.push_str(rest);
    cleaned
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
