//! Purpose: how a Slack conversation is named in the store and where its replies go.
//!
//! Addresses (channel `slack`): `dm:<user id>` for a direct message with the app, and
//! `thread:<channel id>:<thread ts>:<user id>` for a thread in a channel — one prospect per
//! thread, so a colleague chiming in does not answer for them. Slack user and channel ids are
//! unique across workspaces (Slack Connect included), so no team id is needed.

use serde::{Deserialize, Serialize};

use crate::conversation::ConversationKey;

/// The `ConversationKey::channel` of every Slack conversation.
pub const CHANNEL: &str = "slack";

/// The conversation of a direct message with `user`.
pub fn direct(user: &str) -> ConversationKey {
    ConversationKey {
        channel: CHANNEL.into(),
        address: format!("dm:{user}"),
    }
}

/// The conversation of `user` in the thread `thread_ts` of `channel`.
pub fn thread(channel: &str, thread_ts: &str, user: &str) -> ConversationKey {
    ConversationKey {
        channel: CHANNEL.into(),
        address: format!("thread:{channel}:{thread_ts}:{user}"),
    }
}

/// The Slack user a conversation address belongs to (its last part): the person behind it.
pub fn user_of(address: &str) -> Option<&str> {
    let (kind, _) = address.split_once(':')?;
    matches!(kind, "dm" | "thread")
        .then(|| address.rsplit(':').next())
        .flatten()
        .filter(|user| !user.is_empty())
}

/// Where a turn's replies go, stored as the reply route's context (`ReplyRoute::context`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyContext {
    /// The channel to post in, when known (a DM or a channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Otherwise the user whose DM is opened first (`conversations.open`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The thread to answer in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_ts: Option<String>,
    /// A question whose buttons were clicked: updated to show the choice before the reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clicked: Option<ClickedQuestion>,
}

/// The message of a clicked question, to be rewritten without its buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClickedQuestion {
    /// Its channel.
    pub channel: String,
    /// Its ts.
    pub ts: String,
    /// The question's text.
    pub question: String,
    /// The label of the chosen option.
    pub chosen: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_person_is_the_last_part_of_an_address() {
        assert_eq!(user_of(&direct("U1").address), Some("U1"));
        assert_eq!(user_of(&thread("C1", "17.5", "U2").address), Some("U2"));
        assert_eq!(user_of("forgotten-3"), None);
        assert_eq!(user_of("dm:"), None);
    }
}
