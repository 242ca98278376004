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

/// The smallest snowflake of a message sent at `unix_ms` (Discord ids start with their time).
pub fn snowflake_at(unix_ms: i64) -> u64 {
    u64::try_from(unix_ms)
        .unwrap_or(0)
        .saturating_sub(DISCORD_EPOCH_MS)
        << 22
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

/// A prospect's click, read: the input, the question it answers, and the labels chosen (to
/// show on the clicked message).
#[derive(Debug, Clone, PartialEq)]
pub struct ClickInput {
    /// What the engine gets.
    pub input: Input,
    /// The question the click answers, when the button says.
    pub answers_step: Option<String>,
    /// The chosen options' labels.
    pub labels: Vec<String>,
}

/// A click on a question's component as engine input, with the labels to show as chosen.
/// `None` when it carries no usable choice.
pub fn click_input(click: &ComponentInteraction, action: &ComponentAction) -> Option<ClickInput> {
    match action {
        ComponentAction::Choice { step, value } => Some(ClickInput {
            input: Input::Choice {
                step: step.clone(),
                value: value.clone(),
            },
            answers_step: Some(step.clone()),
            labels: vec![button_label(click).unwrap_or_else(|| value.clone())],
        }),
        ComponentAction::Numbered { step, number } => Some(ClickInput {
            input: Input::Text(number.to_string()),
            answers_step: step.clone(),
            labels: vec![button_label(click).unwrap_or_else(|| number.to_string())],
        }),
        ComponentAction::Select { step } => {
            let ComponentInteractionDataKind::StringSelect { values } = &click.data.kind else {
                return None;
            };
            let labels: Vec<String> = values
                .iter()
                .map(|value| option_label(click, value).unwrap_or_else(|| value.clone()))
                .collect();
            let input = match values.as_slice() {
                [] => return None,
                [value] => Input::Choice {
                    step: step.clone(),
                    value: value.clone(),
                },
                _ => Input::Text(labels.join(", ")),
            };
            Some(ClickInput {
                input,
                answers_step: Some(step.clone()),
                labels,
            })
        }
        ComponentAction::Handoff { .. }
        | ComponentAction::HandBack { .. }
        | ComponentAction::Close { .. } => None,
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    const BOT: u64 = 900;
    const QUALIFY: u64 = 500;

    fn message(author: Value, channel: u64, guild: Option<u64>, content: &str) -> Message {
        let mut message = json!({
            "id": "844397162624450620", "channel_id": channel.to_string(), "author": author,
            "content": content, "timestamp": "2021-05-19T02:12:51.710000+00:00",
            "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0,
        });
        if let Some(guild) = guild {
            message["guild_id"] = json!(guild.to_string());
        }
        serde_json::from_value(message).unwrap()
    }

    fn user(id: u64, bot: bool) -> Value {
        json!({ "id": id.to_string(), "username": "mason", "global_name": "Mason",
                "discriminator": "0", "avatar": null, "bot": bot })
    }

    fn route(message: &Message) -> MessageRoute {
        route_message(
            message,
            Some(UserId::new(BOT)),
            &HashSet::from([ChannelId::new(QUALIFY)]),
        )
    }

    #[test]
    fn a_dm_is_a_turn_answered_in_the_dm() {
        let routed = route(&message(user(7, false), 40, None, " hi "));
        let MessageRoute::Turn {
            address,
            text,
            context,
        } = routed
        else {
            panic!("{routed:?}")
        };
        assert_eq!(address.encode(), "dm:7");
        assert_eq!(text, "hi");
        assert_eq!(context.channel_id, Some(ChannelId::new(40)));
        assert!(context.open_thread.is_none());
    }

    #[test]
    fn a_message_in_a_qualification_channel_opens_a_thread_named_after_its_author() {
        let routed = route(&message(user(7, false), QUALIFY, Some(1), "<@900> hello"));
        let MessageRoute::Turn {
            address,
            text,
            context,
        } = routed
        else {
            panic!("{routed:?}")
        };
        assert_eq!(address.encode(), "thread:844397162624450620:7");
        assert_eq!(text, "hello", "the bot's mention is dropped");
        let thread = context.open_thread.unwrap();
        assert_eq!(thread.parent, ChannelId::new(QUALIFY));
        assert_eq!(thread.message.get(), 844397162624450620);
        assert_eq!(thread.name, "Mason · getting started");
        assert_eq!(context.channel_id, Some(ChannelId::new(844397162624450620)));
    }

    #[test]
    fn elsewhere_in_a_guild_it_counts_only_in_a_known_thread() {
        let routed = route(&message(user(7, false), 41, Some(1), "Acme"));
        assert_eq!(
            routed,
            MessageRoute::IfThreadKnown {
                address: ProspectAddress::Thread {
                    thread: ChannelId::new(41),
                    user: UserId::new(7)
                },
                text: "Acme".into()
            }
        );
    }

    #[test]
    fn bots_itself_system_messages_and_empty_text_are_ignored() {
        let ignored = |routed: MessageRoute| matches!(routed, MessageRoute::Ignore(_));
        assert!(ignored(route(&message(user(8, true), 40, None, "hi"))));
        assert!(ignored(route(&message(user(BOT, false), 40, None, "hi"))));
        assert!(ignored(route(&message(
            user(7, false),
            QUALIFY,
            Some(1),
            ""
        ))));
        assert!(ignored(route(&message(
            user(7, false),
            QUALIFY,
            Some(1),
            "<@900>"
        ))));
        let mut joined = message(user(7, false), QUALIFY, Some(1), "hi");
        joined.kind = MessageType::MemberJoin;
        assert!(ignored(route(&joined)));
    }

    #[test]
    fn snowflakes_carry_discords_clock() {
        // 175928847299117063 is Discord's documented example: 2016-04-30 11:18:25.796 UTC.
        assert_eq!(
            snowflake_time(175_928_847_299_117_063).to_rfc3339(),
            "2016-04-30T11:18:25.796+00:00"
        );
    }

    fn select_click(values: &[&str]) -> ComponentInteraction {
        serde_json::from_value(json!({
            "id": "846462639134605312", "application_id": "290926444748734465", "type": 3,
            "token": "t", "version": 1, "locale": "en-US", "entitlements": [],
            "authorizing_integration_owners": {}, "attachment_size_limit": 10485760,
            "channel_id": "40", "user": user(7, false),
            "data": { "custom_id": "lb:s:industry", "component_type": 3, "values": values },
            "message": {
                "id": "1", "channel_id": "40", "author": user(BOT, true), "content": "Which industry?",
                "timestamp": "2021-05-19T02:12:51.710000+00:00", "edited_timestamp": null,
                "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
                "attachments": [], "embeds": [], "pinned": false, "type": 0,
                "components": [{ "type": 1, "components": [{
                    "type": 3, "custom_id": "lb:s:industry",
                    "options": [
                        { "label": "Software", "value": "software" },
                        { "label": "Retail", "value": "retail" }
                    ]
                }]}]
            }
        }))
        .unwrap()
    }

    #[test]
    fn a_select_menu_choice_is_a_choice_and_several_are_their_labels() {
        let action = ComponentAction::Select {
            step: "industry".into(),
        };
        let one = click_input(&select_click(&["retail"]), &action).unwrap();
        assert_eq!(
            one.input,
            Input::Choice {
                step: "industry".into(),
                value: "retail".into()
            }
        );
        assert_eq!(one.labels, ["Retail"]);
        let several = click_input(&select_click(&["software", "retail"]), &action).unwrap();
        assert_eq!(several.input, Input::Text("Software, Retail".into()));
        assert_eq!(several.labels, ["Software", "Retail"]);
        assert_eq!(several.answers_step.as_deref(), Some("industry"));
        assert!(click_input(&select_click(&[]), &action).is_none());
        assert_eq!(click_address(&select_click(&["retail"])).encode(), "dm:7");
    }

    mod arbitrary_input {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Any content, in a DM, a qualification channel or elsewhere, is routed without a
            /// panic; a turn's text never keeps the bot's own mention.
            #[test]
            fn any_content_is_routed(
                content in "(<@!?900> ?)?[<>@!&#:*_~`|a-z0-9 ]{0,120}|\\PC{0,200}",
                channel in prop_oneof![Just(40u64), Just(QUALIFY), Just(77u64)],
                in_guild in any::<bool>(),
            ) {
                let guild = in_guild.then_some(1);
                if let MessageRoute::Turn { text, .. } = route(&message(user(7, false), channel, guild, &content)) {
                    prop_assert!(!text.starts_with("<@900>"), "{text:?}");
                }
            }
        }
    }
}
