//! Purpose: what names a prospect's conversation — a channel and an address on it. Channels
//! make keys from platform ids, the runtime runs turns by them, the store keeps them.

/// Identifies one prospect's conversation on one channel, e.g. ("slack", "T1/D2").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConversationKey {
    /// "console", "slack", "discord"...
    pub channel: String,
    /// Where on that channel: a user, DM or thread id.
    pub address: String,
}
