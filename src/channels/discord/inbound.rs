//! Purpose: which Discord messages and clicks are a prospect talking to leadbot, and as what —
//! pure decisions over serenity's models, so they are tested without a gateway.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serenity::all::{
    ActionRowComponent, ButtonKind, ChannelId, ComponentInteraction, ComponentInteractionDataKind,
    Message, MessageType, UserId,
};

use super::ids::{ComponentAction, ProspectAddress};
use super::render::{ReplyContext, ThreadStart};
use crate::engine::Input;

/// Milliseconds from the Unix epoch to Discord's (2015-01-01), the base of snowflake times.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// What to do with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageRoute {
    /// Not for leadbot: a bot, a webhook, a system message, an empty text, another channel.
    Ignore(&'static str),
    /// A turn of this prospect's conversation, replied to as the context says.
    Turn {
        /// The conversation.
        address: ProspectAddress,
        /// What the prospect wrote, without a mention of the bot.
        text: String,
        /// Where replies go.
        context: ReplyContext,
    },
    /// A message in some guild channel: a turn only if it is a prospect's thread, which the
    /// stored conversations tell.
    IfThreadKnown {
        /// The conversation it would be.
        address: ProspectAddress,
        /// What the prospect wrote.
        text: String,
    },
}

/// Decides what a MESSAGE_CREATE is: DMs are turns; a message in a qualification channel opens
/// a thread (whose id is the message's); anything else in a guild may be in a prospect's
/// thread.
pub fn route_message(
    message: &Message,
    bot: Option<UserId>,
    qualification_channels: &HashSet<ChannelId>,
) -> MessageRoute {
    if message.author.bot || message.webhook_id.is_some() || Some(message.author.id) == bot {
        return MessageRoute::Ignore("from a bot");
    }
    if !matches!(
        message.kind,
        MessageType::Regular | MessageType::InlineReply
    ) {
        return MessageRoute::Ignore("not a user message");
    }
    let text = without_mention(&message.content, bot);
    if text.is_empty() {
        return MessageRoute::Ignore("no text");
    }
    let user = message.author.id;
    match message.guild_id {
        None => MessageRoute::Turn {
            address: ProspectAddress::Dm { user },
            text,
            context: ReplyContext {
                channel_id: Some(message.channel_id),
                ..ReplyContext::default()
            },
        },
        Some(_) if qualification_channels.contains(&message.channel_id) => {
            let thread = ChannelId::new(message.id.get());
            let name = message
                .author
                .global_name
                .clone()
                .unwrap_or_else(|| message.author.name.clone());
            MessageRoute::Turn {
                address: ProspectAddress::Thread { thread, user },
                text,
                context: ReplyContext {
                    channel_id: Some(thread),
                    user_id: None,
                    open_thread: Some(ThreadStart {
                        parent: message.channel_id,
                        message: message.id,
                        name: format!("{name} · getting started"),
                    }),
                },
            }
        }
        Some(_) => MessageRoute::IfThreadKnown {
            address: ProspectAddress::Thread {
                thread: message.channel_id,
                user,
            },
            text,
        },
    }
}

/// The text without `<@bot>` / `<@!bot>` mentions, trimmed.
fn without_mention(content: &str, bot: Option<UserId>) -> String {
    match bot {
        Some(bot) => content
            .replace(&format!("<@{bot}>"), "")
            .replace(&format!("<@!{bot}>"), "")
            .trim()
            .to_string(),
        None => content.trim().to_string(),
    }
}

/// When a snowflake (message or interaction id) was made: Discord's clock, so a replayed event
/// carries the same time as the original.
pub fn snowflake_time(id: u64) -> DateTime<FixedOffset> {
    let millis = (id >> 22).saturating_add(DISCORD_EPOCH_MS);
    let millis = i64::try_from(millis).unwrap_or(i64::MAX);
    Utc.timestamp_millis_opt(millis)
        .single()
        .unwrap_or_else(Utc::now)
        .fixed_offset()
}

/// The conversation a click belongs to: the clicker's DM, or their thread.
pub fn click_address(click: &ComponentInteraction) -> ProspectAddress {
    let user = click.user.id;
    match click.guild_id {
        None => ProspectAddress::Dm { user },
        Some(_) => ProspectAddress::Thread {
            thread: click.channel_id,
            user,
        },
    }
}

/// A click on a question's component as engine input, with the labels to show as chosen.
/// `None` when it carries no usable choice.
pub fn click_input(
    click: &ComponentInteraction,
    action: &ComponentAction,
) -> Option<(Input, Vec<String>)> {
    match action {
        ComponentAction::Choice { step, value } => Some((
            Input::Choice {
                step: step.clone(),
                value: value.clone(),
            },
            vec![button_label(click).unwrap_or_else(|| value.clone())],
        )),
        ComponentAction::Numbered { number } => Some((
            Input::Text(number.to_string()),
            vec![button_label(click).unwrap_or_else(|| number.to_string())],
        )),
        ComponentAction::Select { step } => {
            let ComponentInteractionDataKind::StringSelect { values } = &click.data.kind else {
                return None;
            };
            let labels: Vec<String> = values
                .iter()
                .map(|value| option_label(click, value).unwrap_or_else(|| value.clone()))
                .collect();
            match values.as_slice() {
                [] => None,
                [value] => Some((
                    Input::Choice {
                        step: step.clone(),
                        value: value.clone(),
                    },
                    labels,
                )),
                _ => Some((Input::Text(labels.join(", ")), labels)),
            }
        }
        ComponentAction::Handoff { .. } => None,
    }
}

fn button_label(click: &ComponentInteraction) -> Option<String> {
    click
        .message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|component| match component {
            ActionRowComponent::Button(button) => match &button.data {
                ButtonKind::NonLink { custom_id, .. } if *custom_id == click.data.custom_id => {
                    button.label.clone()
                }
                _ => None,
            },
            _ => None,
        })
}

fn option_label(click: &ComponentInteraction, value: &str) -> Option<String> {
    click
        .message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|component| match component {
            ActionRowComponent::SelectMenu(menu)
                if menu.custom_id.as_deref() == Some(click.data.custom_id.as_str()) =>
            {
                menu.options
                    .iter()
                    .find(|option| option.value == value)
                    .map(|option| option.label.clone())
            }
            _ => None,
        })
}
