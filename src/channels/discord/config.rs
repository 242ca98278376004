//! Purpose: the Discord channel's settings, read from the environment into one typed value
//! whose `Debug` never shows the bot token.

use serenity::all::{ChannelId, GuildId};

use crate::secret::Secret;

/// A setting that cannot be used as given. The text names the variable, never its value when
/// the variable is a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable does not hold what it should.
    #[error("{variable}: {problem}")]
    Invalid {
        /// The environment variable.
        variable: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

/// Where `/qualify` is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandScope {
    /// Everywhere the bot is (global commands take up to an hour to appear).
    Global,
    /// Only in these guilds (instant; handy while testing).
    Guilds(Vec<GuildId>),
    /// Not registered.
    Off,
}

/// Which gateway shards this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shards {
    /// First shard id run here.
    pub first: u32,
    /// Last shard id run here (inclusive).
    pub last: u32,
    /// Shards of the whole bot, across every process.
    pub total: u32,
}

/// Everything the Discord channel needs.
#[derive(Debug, Clone)]
pub struct DiscordConfig {
    /// The bot token (`DISCORD_TOKEN`).
    pub token: Secret,
    /// The application id (`DISCORD_APPLICATION_ID`); learnt from READY when unset.
    pub application_id: Option<u64>,
    /// Another Discord API base URL (`DISCORD_API_URL`), e.g. a fake in tests or a rate-limiting
    /// proxy; requests go to `{url}/api/v10/...`.
    pub api_url: Option<String>,
    /// Guild channels where a message opens a qualification thread
    /// (`LEADBOT_DISCORD_CHANNELS`).
    pub channels: Vec<ChannelId>,
    /// Where hand-offs go when the rep has no Discord user id, and unassigned leads
    /// (`LEADBOT_DISCORD_SALES_CHANNEL`).
    pub sales_channel: Option<ChannelId>,
    /// Where `/qualify` is registered (`LEADBOT_DISCORD_COMMANDS`).
    pub commands: CommandScope,
    /// The shards run by this process (`LEADBOT_DISCORD_SHARDS`).
    pub shards: Shards,
    /// Whether to ask for the privileged MESSAGE_CONTENT intent
    /// (`LEADBOT_DISCORD_MESSAGE_CONTENT`, default true).
    pub message_content: bool,
    /// How long a turn the database refused is retried before the prospect is asked to send
    /// it again (`LEADBOT_DISCORD_RETRY_SECONDS`, default 30): Discord cannot redeliver it.
    pub retry_for: std::time::Duration,
}

/// How long a Discord turn is retried by default while the database is unavailable.
pub const DEFAULT_RETRY_SECONDS: u64 = 30;

impl DiscordConfig {
    /// Reads the settings through `var` (the process environment in `serve`); `Ok(None)` when
    /// `DISCORD_TOKEN` is not set, so Discord stays off.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<DiscordConfig>, ConfigError> {
        let var = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let Some(token) = var("DISCORD_TOKEN") else {
            return Ok(None);
        };
        let application_id = var("DISCORD_APPLICATION_ID")
            .map(|id| snowflake("DISCORD_APPLICATION_ID", &id))
            .transpose()?;
        let channels = var("LEADBOT_DISCORD_CHANNELS")
            .map(|list| {
                list.split(',')
                    .map(|id| snowflake("LEADBOT_DISCORD_CHANNELS", id).map(ChannelId::new))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let sales_channel = var("LEADBOT_DISCORD_SALES_CHANNEL")
            .map(|id| snowflake("LEADBOT_DISCORD_SALES_CHANNEL", &id).map(ChannelId::new))
            .transpose()?;
        let commands = match var("LEADBOT_DISCORD_COMMANDS") {
            None => CommandScope::Global,
            Some(scope) => command_scope(&scope)?,
        };
        let shards = match var("LEADBOT_DISCORD_SHARDS") {
            None => Shards {
                first: 0,
                last: 0,
                total: 1,
            },
            Some(shards) => parse_shards(&shards)?,
        };
        let message_content = match var("LEADBOT_DISCORD_MESSAGE_CONTENT").as_deref() {
            None | Some("true" | "1" | "yes") => true,
            Some("false" | "0" | "no") => false,
            Some(other) => {
                return Err(invalid(
                    "LEADBOT_DISCORD_MESSAGE_CONTENT",
                    format!("expected true or false, got {other:?}"),
                ));
            }
        };
        let retry_seconds = match var("LEADBOT_DISCORD_RETRY_SECONDS") {
            None => DEFAULT_RETRY_SECONDS,
            Some(seconds) => seconds.trim().parse::<u64>().map_err(|_| {
                invalid(
                    "LEADBOT_DISCORD_RETRY_SECONDS",
                    format!("expected a number of seconds, got {:?}", seconds.trim()),
                )
            })?,
        };
        Ok(Some(DiscordConfig {
            retry_for: std::time::Duration::from_secs(retry_seconds),
            token: Secret::new(token.trim().to_string()),
            application_id,
            api_url: var("DISCORD_API_URL").map(|url| url.trim_end_matches('/').to_string()),
            channels,
            sales_channel,
            commands,
            shards,
            message_content,
        }))
    }
}

fn invalid(variable: &'static str, problem: String) -> ConfigError {
    ConfigError::Invalid { variable, problem }
}

fn snowflake(variable: &'static str, text: &str) -> Result<u64, ConfigError> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| invalid(variable, format!("{:?} is not a Discord id", text.trim())))
}

/// `global`, `off`, or a comma-separated list of guild ids.
fn command_scope(text: &str) -> Result<CommandScope, ConfigError> {
    match text.trim() {
        "global" => Ok(CommandScope::Global),
        "off" => Ok(CommandScope::Off),
        list => list
            .split(',')
            .map(|id| snowflake("LEADBOT_DISCORD_COMMANDS", id).map(GuildId::new))
            .collect::<Result<Vec<_>, _>>()
            .map(CommandScope::Guilds),
    }
}

/// `N` (all N shards here), or `FIRST-LAST/N` (shards FIRST to LAST of N here).
fn parse_shards(text: &str) -> Result<Shards, ConfigError> {
    let problem = || {
        invalid(
            "LEADBOT_DISCORD_SHARDS",
            format!("expected N or FIRST-LAST/N with FIRST <= LAST < N, got {text:?}"),
        )
    };
    let number = |part: &str| part.trim().parse::<u32>().map_err(|_| problem());
    let shards = match text.split_once('/') {
        None => {
            let total = number(text)?;
            Shards {
                first: 0,
                last: total.saturating_sub(1),
                total,
            }
        }
        Some((range, total)) => {
            let (first, last) = range.split_once('-').ok_or_else(problem)?;
            Shards {
                first: number(first)?,
                last: number(last)?,
                total: number(total)?,
            }
        }
    };
    if shards.total == 0 || shards.first > shards.last || shards.last >= shards.total {
        return Err(problem());
    }
    Ok(shards)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Option<DiscordConfig>, ConfigError> {
        DiscordConfig::from_env(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn discord_is_off_without_a_token() {
        assert!(
            config(&[("LEADBOT_DISCORD_CHANNELS", "1")])
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn defaults_are_one_shard_global_commands_and_message_content() {
        let config = config(&[("DISCORD_TOKEN", "abc")]).unwrap().unwrap();
        assert_eq!(config.commands, CommandScope::Global);
        assert_eq!(
            config.shards,
            Shards {
                first: 0,
                last: 0,
                total: 1
            }
        );
        assert!(config.message_content);
        assert!(config.channels.is_empty());
        assert!(
            !format!("{config:?}").contains("abc"),
            "the token is redacted"
        );
    }

    #[test]
    fn every_setting_is_read() {
        let config = config(&[
            ("DISCORD_TOKEN", "abc"),
            ("DISCORD_APPLICATION_ID", "42"),
            ("DISCORD_API_URL", "http://127.0.0.1:9/"),
            ("LEADBOT_DISCORD_CHANNELS", "10, 11"),
            ("LEADBOT_DISCORD_SALES_CHANNEL", "12"),
            ("LEADBOT_DISCORD_COMMANDS", "7,8"),
            ("LEADBOT_DISCORD_SHARDS", "2-3/8"),
            ("LEADBOT_DISCORD_MESSAGE_CONTENT", "false"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(config.application_id, Some(42));
        assert_eq!(config.api_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(config.channels, [ChannelId::new(10), ChannelId::new(11)]);
        assert_eq!(config.sales_channel, Some(ChannelId::new(12)));
        assert_eq!(
            config.commands,
            CommandScope::Guilds(vec![GuildId::new(7), GuildId::new(8)])
        );
        assert_eq!(
            config.shards,
            Shards {
                first: 2,
                last: 3,
                total: 8
            }
        );
        assert!(!config.message_content);
    }

    #[test]
    fn bad_values_name_the_variable_but_never_the_token() {
        for (name, value) in [
            ("LEADBOT_DISCORD_SHARDS", "3-2/8"),
            ("LEADBOT_DISCORD_SHARDS", "0-8/8"),
            ("LEADBOT_DISCORD_SHARDS", "0"),
            ("LEADBOT_DISCORD_CHANNELS", "general"),
            ("DISCORD_APPLICATION_ID", "-1"),
            ("LEADBOT_DISCORD_MESSAGE_CONTENT", "maybe"),
        ] {
            let error = config(&[("DISCORD_TOKEN", "s3cret"), (name, value)]).unwrap_err();
            let text = error.to_string();
            assert!(text.starts_with(name), "{text}");
            assert!(!text.contains("s3cret"), "{text}");
        }
        let shards = config(&[("DISCORD_TOKEN", "x"), ("LEADBOT_DISCORD_SHARDS", "4")])
            .unwrap()
            .unwrap()
            .shards;
        assert_eq!((shards.first, shards.last, shards.total), (0, 3, 4));
    }
}
