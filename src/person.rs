//! Purpose: who a prospect is across conversations — a Slack or Discord user, or an e-mail
//! address they gave — so the same person returning continues their lead instead of starting
//! a second one. Channels name the platform user; the runtime learns the e-mail from answers.

use std::fmt;

/// What kind of identity a [`PersonId`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PersonKind {
    /// A Slack user id (unique across workspaces, Slack Connect included).
    SlackUser,
    /// A Discord user id (a snowflake).
    DiscordUser,
    /// A work e-mail address, lower-cased.
    Email,
}

impl PersonKind {
    /// The name stored in `lead_identities.kind`.
    pub fn name(self) -> &'static str {
        match self {
            PersonKind::SlackUser => "slack_user",
            PersonKind::DiscordUser => "discord_user",
            PersonKind::Email => "email",
        }
    }
}

/// One way of recognising a person: the same value on another conversation is the same lead.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId {
    /// What it is.
    pub kind: PersonKind,
    /// The platform's id, or the normalised address.
    pub value: String,
}

impl PersonId {
    /// A Slack user.
    pub fn slack(user: &str) -> Option<PersonId> {
        Self::of(PersonKind::SlackUser, user.trim())
    }

    /// A Discord user.
    pub fn discord(user: &str) -> Option<PersonId> {
        Self::of(PersonKind::DiscordUser, user.trim())
    }

    /// An e-mail address as people type it: trimmed and lower-cased, so "Dana@Acme.io " and
    /// "dana@acme.io" are one person; `None` for anything without a local part and a domain.
    pub fn email(address: &str) -> Option<PersonId> {
        let address = address.trim().to_lowercase();
        let (local, domain) = address.split_once('@')?;
        if local.is_empty() || !domain.contains('.') || address.contains(char::is_whitespace) {
            return None;
        }
        Self::of(PersonKind::Email, &address)
    }

    fn of(kind: PersonKind, value: &str) -> Option<PersonId> {
        (!value.is_empty()).then(|| PersonId {
            kind,
            value: value.to_string(),
        })
    }
}

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.name(), self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_one_person_whatever_their_case_and_spaces() {
        assert_eq!(
            PersonId::email(" Dana@Acme.IO "),
            PersonId::email("dana@acme.io")
        );
        for not_an_address in ["", "dana", "@acme.io", "dana@acme", "da na@acme.io"] {
            assert_eq!(PersonId::email(not_an_address), None, "{not_an_address}");
        }
        assert_eq!(PersonId::slack(""), None);
        assert_eq!(
            PersonId::discord("42").map(|id| id.to_string()).as_deref(),
            Some("discord_user 42")
        );
    }
}
