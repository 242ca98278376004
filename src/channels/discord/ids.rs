//! Purpose: the strings leadbot stores or sends for Discord, in one place — conversation
//! addresses (`dm:<user>`, `thread:<thread>:<user>`), event ids, and the `custom_id` of every
//! button and select menu — with their parsers, so nothing else formats or splits them.

use serenity::all::{ChannelId, UserId};

/// The channel name of Discord conversations (`ConversationKey::channel`).
pub const CHANNEL: &str = "discord";

/// The longest `custom_id` Discord accepts.
const MAX_CUSTOM_ID: usize = 100;

/// Where a prospect talks to the bot. Stored as the conversation address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProspectAddress {
    /// A DM with the bot: one conversation per user (`dm:<user id>`).
    Dm {
        /// The prospect.
        user: UserId,
    },
    /// A thread the bot opened from the prospect's message in a qualification channel
    /// (`thread:<thread id>:<user id>`); only that user's messages there count.
    Thread {
        /// The thread (its id is the id of the message it was opened from).
        thread: ChannelId,
        /// The prospect.
        user: UserId,
    },
}

impl ProspectAddress {
    /// The stored form.
    pub fn encode(&self) -> String {
        match self {
            ProspectAddress::Dm { user } => format!("dm:{user}"),
            ProspectAddress::Thread { thread, user } => format!("thread:{thread}:{user}"),
        }
    }

    /// Reads a stored address back; `None` for anything else.
    pub fn parse(address: &str) -> Option<ProspectAddress> {
        let id = |text: &str| text.parse::<u64>().ok().filter(|id| *id > 0);
        if let Some(user) = address.strip_prefix("dm:") {
            return Some(ProspectAddress::Dm {
                user: UserId::new(id(user)?),
            });
        }
        let (thread, user) = address.strip_prefix("thread:")?.split_once(':')?;
        Some(ProspectAddress::Thread {
            thread: ChannelId::new(id(thread)?),
            user: UserId::new(id(user)?),
        })
    }

    /// How a rep reaches it from an embed: mentions Discord renders as links.
    pub fn mention(&self) -> String {
        match self {
            ProspectAddress::Dm { user } => format!("<@{user}> (DM with the bot)"),
            ProspectAddress::Thread { thread, user } => format!("<#{thread}> with <@{user}>"),
        }
    }
}

/// The runtime's event id of a Discord message (deduplicates gateway replays).
pub fn message_event(message_id: u64) -> String {
    format!("discord:message:{message_id}")
}

/// The message id of a [`message_event`] id; `None` for any other event id.
pub fn message_of_event(event_id: &str) -> Option<u64> {
    event_id.strip_prefix("discord:message:")?.parse().ok()
}

/// The runtime's event id of an interaction (a click or a command).
pub fn interaction_event(interaction_id: u64) -> String {
    format!("discord:interaction:{interaction_id}")
}

/// What a component's `custom_id` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentAction {
    /// A choice button: the option `value` of question `step`.
    Choice {
        /// The question.
        step: String,
        /// The option value.
        value: String,
    },
    /// A choice button whose value did not fit in a custom id: the option's 1-based number,
    /// which the engine understands as typed text, and the question it belongs to (so a click
    /// on an old question is not taken as an answer to the current one). `None` only when
    /// even the step id does not fit, or for buttons sent before steps were encoded.
    Numbered {
        /// The question.
        step: Option<String>,
        /// The option's number.
        number: usize,
    },
    /// The select menu of question `step`; the chosen values come with the interaction.
    Select {
        /// The question.
        step: String,
    },
    /// The Close menu of an accepted hand-off; the outcome picked comes with the interaction.
    Close {
        /// The hand-off closed.
        assignment_id: i64,
    },
    /// A rep gives a prospect's conversation back to the script ("Hand back to the bot").
    HandBack {
        /// The lead whose conversation the rep had.
        lead_id: i64,
    },
    /// A rep's answer to a hand-off.
    Handoff {
        /// The assignment answered.
        assignment_id: i64,
        /// True for Accept, false for Pass.
        accept: bool,
    },
}

impl ComponentAction {
    /// The `custom_id` to send (at most 100 characters: a long choice falls back to its
    /// question and number, then to its number alone).
    pub fn encode(&self, index: usize) -> String {
        let encoded = match self {
            ComponentAction::Choice { step, value } => format!("lb:c:{step}:{value}"),
            ComponentAction::Numbered {
                step: Some(step),
                number,
            } => format!("lb:n:{step}:{number}"),
            ComponentAction::Numbered { step: None, number } => format!("lb:n:{number}"),
            ComponentAction::Select { step } => format!("lb:s:{step}"),
            ComponentAction::HandBack { lead_id } => format!("lb:b:{lead_id}"),
            ComponentAction::Close { assignment_id } => format!("lb:o:{assignment_id}"),
            ComponentAction::Handoff {
                assignment_id,
                accept,
            } => format!("lb:h:{}:{assignment_id}", if *accept { "a" } else { "p" }),
        };
        if encoded.len() <= MAX_CUSTOM_ID {
            return encoded;
        }
        let step = match self {
            ComponentAction::Choice { step, .. }
            | ComponentAction::Numbered {
                step: Some(step), ..
            } => format!("{step}:"),
            _ => String::new(),
        };
        let numbered = format!("lb:n:{step}{}", index + 1);
        if numbered.len() <= MAX_CUSTOM_ID {
            numbered
        } else {
            format!("lb:n:{}", index + 1)
        }
    }

    /// Reads a `custom_id`; `None` when it is not one of leadbot's.
    pub fn parse(custom_id: &str) -> Option<ComponentAction> {
        let rest = custom_id.strip_prefix("lb:")?;
        let (kind, rest) = rest.split_once(':')?;
        match kind {
            "c" => {
                let (step, value) = rest.split_once(':')?;
                Some(ComponentAction::Choice {
                    step: step.to_string(),
                    value: value.to_string(),
                })
            }
            "n" => match rest.rsplit_once(':') {
                Some((step, number)) if !step.is_empty() => Some(ComponentAction::Numbered {
                    step: Some(step.to_string()),
                    number: number.parse().ok()?,
                }),
                Some(_) => None,
                None => Some(ComponentAction::Numbered {
                    step: None,
                    number: rest.parse().ok()?,
                }),
            },
            "s" => Some(ComponentAction::Select {
                step: rest.to_string(),
            }),
            "b" => Some(ComponentAction::HandBack {
                lead_id: rest.parse().ok()?,
            }),
            "o" => Some(ComponentAction::Close {
                assignment_id: rest.parse().ok()?,
            }),
            "h" => {
                let (answer, id) = rest.split_once(':')?;
                let accept = match answer {
                    "a" => true,
                    "p" => false,
                    _ => return None,
                };
                Some(ComponentAction::Handoff {
                    assignment_id: id.parse().ok()?,
                    accept,
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for address in [
            ProspectAddress::Dm {
                user: UserId::new(53908232506183680),
            },
            ProspectAddress::Thread {
                thread: ChannelId::new(844397162624450620),
                user: UserId::new(7),
            },
        ] {
            assert_eq!(ProspectAddress::parse(&address.encode()), Some(address));
        }
        for bad in [
            "",
            "dm:",
            "dm:x",
            "dm:0",
            "thread:1",
            "thread:1:x",
            "slack:1",
        ] {
            assert_eq!(ProspectAddress::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn custom_ids_round_trip_and_fit() {
        let actions = [
            ComponentAction::Choice {
                step: "need".into(),
                value: "replace:old".into(),
            },
            ComponentAction::Select {
                step: "industry".into(),
            },
            ComponentAction::Handoff {
                assignment_id: 12,
                accept: true,
            },
            ComponentAction::Handoff {
                assignment_id: 13,
                accept: false,
            },
            ComponentAction::HandBack { lead_id: 7 },
            ComponentAction::Close { assignment_id: 9 },
        ];
        for action in actions {
            assert_eq!(ComponentAction::parse(&action.encode(0)), Some(action));
        }
        let long = ComponentAction::Choice {
            step: "need".into(),
            value: "x".repeat(120),
        };
        assert_eq!(long.encode(2), "lb:n:need:3");
        assert_eq!(
            ComponentAction::parse("lb:n:need:3"),
            Some(ComponentAction::Numbered {
                step: Some("need".into()),
                number: 3
            })
        );
        assert_eq!(
            ComponentAction::parse("lb:n:3"),
            Some(ComponentAction::Numbered {
                step: None,
                number: 3
            })
        );
        let long_step = ComponentAction::Choice {
            step: "s".repeat(99),
            value: "v".into(),
        };
        assert_eq!(long_step.encode(0), "lb:n:1");
        for foreign in [
            "click_one",
            "lb:",
            "lb:h:x:1",
            "lb:h:a:x",
            "lb:z:1",
            "lb:n::1",
            "lb:n:need:x",
        ] {
            assert_eq!(ComponentAction::parse(foreign), None, "{foreign}");
        }
    }
}
