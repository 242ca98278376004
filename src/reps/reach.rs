//! Purpose: who on the team would never hear of a hand-off with the channels this process
//! delivers on — a rep with only an e-mail address when SMTP is not configured, a fallback
//! team with only a Slack channel when Slack is off — so `reps validate` and `serve` can name
//! them instead of leaving their leads silently unannounced. Pure: the caller says which
//! channels are available.

use std::fmt;

use super::Team;

/// The outbound channels a process delivers hand-off notices on, as its configuration says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelsAvailable {
    /// Slack DMs and channels (a bot token is configured).
    pub slack: bool,
    /// Discord DMs and channels (a bot token is configured).
    pub discord: bool,
    /// Reps' and the fallback team's own webhooks.
    pub webhook: bool,
    /// E-mail over SMTP.
    pub email: bool,
}

/// Who would not be notified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A rep, by id.
    Rep(String),
    /// The fallback team, which receives the leads nobody in a pool can take.
    FallbackTeam,
}

/// A rep or the fallback team that no available channel reaches, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable {
    /// Who.
    pub recipient: Recipient,
    /// Why, in words an admin acts on: which addresses they have and what would enable them.
    pub why: String,
}

impl fmt::Display for Unreachable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.recipient {
            Recipient::Rep(id) => write!(f, "rep {id:?} cannot be notified: {}", self.why),
            Recipient::FallbackTeam => {
                write!(f, "the fallback team cannot be notified: {}", self.why)
            }
        }
    }
}

/// One outbound channel, what enables it, and what an address on it is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Slack,
    Discord,
    Webhook,
    Email,
}

impl Channel {
    fn name(self) -> &'static str {
        match self {
            Channel::Slack => "Slack",
            Channel::Discord => "Discord",
            Channel::Webhook => "webhook",
            Channel::Email => "e-mail",
        }
    }

    /// The setting that turns the channel on in `leadbot serve`.
    fn setting(self) -> &'static str {
        match self {
            Channel::Slack => "SLACK_BOT_TOKEN",
            Channel::Discord => "DISCORD_TOKEN",
            Channel::Webhook => "LEADBOT_WEBHOOK_SECRET",
            Channel::Email => crate::delivery::SMTP_URL_VAR,
        }
    }

    fn available(self, channels: &ChannelsAvailable) -> bool {
        match self {
            Channel::Slack => channels.slack,
            Channel::Discord => channels.discord,
            Channel::Webhook => channels.webhook,
            Channel::Email => channels.email,
        }
    }
}

/// Every rep, then the fallback team, who has no address on any available channel, in file
/// order. Empty when everyone can be reached.
pub fn unreachable_recipients(team: &Team, available: &ChannelsAvailable) -> Vec<Unreachable> {
    let mut unreachable = Vec::new();
    for rep in &team.reps {
        let has = [
            (Channel::Slack, rep.slack_user.is_some()),
            (Channel::Discord, rep.discord_user.is_some()),
            (Channel::Webhook, rep.webhook_url.is_some()),
            (Channel::Email, rep.email.is_some()),
        ];
        if let Some(why) = why_unreachable(&has, available, "slack_user, discord_user") {
            unreachable.push(Unreachable {
                recipient: Recipient::Rep(rep.id.clone()),
                why,
            });
        }
    }
    let fallback = &team.fallback;
    let has = [
        (Channel::Slack, fallback.slack_channel.is_some()),
        (Channel::Discord, fallback.discord_channel.is_some()),
        (Channel::Webhook, fallback.webhook_url.is_some()),
        (Channel::Email, fallback.email.is_some()),
    ];
    if let Some(why) = why_unreachable(&has, available, "slack_channel, discord_channel") {
        unreachable.push(Unreachable {
            recipient: Recipient::FallbackTeam,
            why,
        });
    }
    unreachable
}

/// `None` when one of the addresses is on an available channel; otherwise why not.
/// `chat_keys` names the file's keys for chat addresses, for the no-address case.
fn why_unreachable(
    has: &[(Channel, bool)],
    available: &ChannelsAvailable,
    chat_keys: &str,
) -> Option<String> {
    let addressed: Vec<Channel> = has
        .iter()
        .filter(|(_, present)| *present)
        .map(|(channel, _)| *channel)
        .collect();
    if addressed.iter().any(|channel| channel.available(available)) {
        return None;
    }
    if addressed.is_empty() {
        return Some(format!(
            "no address at all ({chat_keys}, email or webhook_url)"
        ));
    }
    let names: Vec<&str> = addressed.iter().map(|channel| channel.name()).collect();
    let settings: Vec<&str> = addressed.iter().map(|channel| channel.setting()).collect();
    Some(format!(
        "reachable only by {}, which {} not configured here (set {})",
        names.join(" or "),
        if names.len() == 1 { "is" } else { "are" },
        settings.join(" or ")
    ))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn team(source: &str) -> Team {
        super::super::parse(source, Path::new("reps.toml")).unwrap()
    }

    const TEAM: &str = r#"
        [fallback]
        name = "Desk"
        slack_channel = "C0DESK"

        [[reps]]
        id = "mail"
        name = "Mail Only"
        email = "mail@example.com"

        [[reps]]
        id = "chat"
        name = "Chat And Mail"
        slack_user = "U0CHAT"
        discord_user = "123"
        email = "chat@example.com"

        [[reps]]
        id = "hook"
        name = "Hook"
        webhook_url = "https://crm.example.com/hook"
    "#;

    fn ids(unreachable: &[Unreachable]) -> Vec<String> {
        unreachable
            .iter()
            .map(|entry| match &entry.recipient {
                Recipient::Rep(id) => id.clone(),
                Recipient::FallbackTeam => "fallback".into(),
            })
            .collect()
    }

    #[test]
    fn a_rep_with_only_email_is_unreachable_without_smtp() {
        let available = ChannelsAvailable {
            slack: true,
            webhook: true,
            ..ChannelsAvailable::default()
        };
        let unreachable = unreachable_recipients(&team(TEAM), &available);
        assert_eq!(ids(&unreachable), ["mail"]);
        assert_eq!(
            unreachable[0].to_string(),
            "rep \"mail\" cannot be notified: reachable only by e-mail, which is not configured \
             here (set LEADBOT_SMTP_URL)"
        );
        let with_email = ChannelsAvailable {
            email: true,
            ..available
        };
        assert!(unreachable_recipients(&team(TEAM), &with_email).is_empty());
    }

    #[test]
    fn one_available_channel_among_several_is_enough() {
        let only_discord = ChannelsAvailable {
            discord: true,
            ..ChannelsAvailable::default()
        };
        let unreachable = unreachable_recipients(&team(TEAM), &only_discord);
        assert_eq!(ids(&unreachable), ["mail", "hook", "fallback"]);
        assert_eq!(
            unreachable[2].why,
            "reachable only by Slack, which is not configured here (set SLACK_BOT_TOKEN)"
        );
    }

    #[test]
    fn with_nothing_available_everyone_is_named_with_every_setting() {
        let unreachable = unreachable_recipients(&team(TEAM), &ChannelsAvailable::default());
        assert_eq!(ids(&unreachable), ["mail", "chat", "hook", "fallback"]);
        assert_eq!(
            unreachable[1].why,
            "reachable only by Slack or Discord or e-mail, which are not configured here (set \
             SLACK_BOT_TOKEN or DISCORD_TOKEN or LEADBOT_SMTP_URL)"
        );
    }

    #[test]
    fn a_fallback_team_without_any_address_is_named() {
        let team = team("[[reps]]\nid = \"a\"\nname = \"A\"\nslack_user = \"U0A\"\n");
        let all = ChannelsAvailable {
            slack: true,
            discord: true,
            webhook: true,
            email: true,
        };
        let unreachable = unreachable_recipients(&team, &all);
        assert_eq!(ids(&unreachable), ["fallback"]);
        assert_eq!(
            unreachable[0].to_string(),
            "the fallback team cannot be notified: no address at all (slack_channel, \
             discord_channel, email or webhook_url)"
        );
    }
}
