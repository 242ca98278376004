//! Purpose: the Slack channel's settings, read from the environment (tokens and the signing
//! secret are wrapped so they never reach a log).

use crate::secret::Secret;

/// Slack's own Web API base; `SLACK_API_URL` replaces it (a proxy, or a fake in tests).
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

/// Where a conversation started by an `@mention` in a channel goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionMode {
    /// In a thread under the mention (everyone in the channel can see it).
    Thread,
    /// In a direct message with the person who mentioned the bot.
    DirectMessage,
}

/// What went wrong reading the settings; names the variable, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// One of a pair is set without the other.
    #[error("{set} is set but {missing} is not: Slack needs both")]
    Incomplete {
        /// The variable that is set.
        set: &'static str,
        /// The one that is missing.
        missing: &'static str,
    },
    /// A variable has a value leadbot does not understand.
    #[error("{name}: {problem}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

/// Everything the Slack channel needs.
#[derive(Debug, Clone)]
pub struct SlackConfig {
    /// `SLACK_BOT_TOKEN` (xoxb-…): Web API calls.
    pub bot_token: Secret,
    /// `SLACK_SIGNING_SECRET`: verifies requests to `/slack/*`.
    pub signing_secret: Secret,
    /// `SLACK_APP_TOKEN` (xapp-…): Socket Mode, for installs without a public URL.
    pub app_token: Option<Secret>,
    /// `SLACK_API_URL`: the Web API base (default `https://slack.com/api`).
    pub api_url: String,
    /// `SLACK_MENTION_MODE`: `thread` (default) or `dm`.
    pub mention_mode: MentionMode,
    /// `SLACK_COMMAND`: the slash command that (re)starts a dialogue (default `/qualify`).
    pub command: String,
}

impl SlackConfig {
    /// Reads the settings through `lookup` (the environment in `serve`); `Ok(None)` when Slack
    /// is not configured at all.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<SlackConfig>, ConfigError> {
        let setting = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let (bot_token, signing_secret) =
            match (setting("SLACK_BOT_TOKEN"), setting("SLACK_SIGNING_SECRET")) {
                (None, None) => return Ok(None),
                (Some(_), None) => {
                    return Err(ConfigError::Incomplete {
                        set: "SLACK_BOT_TOKEN",
                        missing: "SLACK_SIGNING_SECRET",
                    });
                }
                (None, Some(_)) => {
                    return Err(ConfigError::Incomplete {
                        set: "SLACK_SIGNING_SECRET",
                        missing: "SLACK_BOT_TOKEN",
                    });
                }
                (Some(token), Some(secret)) => (token, secret),
            };
        let api_url = setting("SLACK_API_URL")
            .unwrap_or_else(|| DEFAULT_API_URL.to_string())
            .trim_end_matches('/')
            .to_string();
        if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
            return Err(ConfigError::Invalid {
                name: "SLACK_API_URL",
                problem: "must start with https:// (or http:// for a local server)".into(),
            });
        }
        let mention_mode = match setting("SLACK_MENTION_MODE").as_deref().map(str::trim) {
            None | Some("thread") => MentionMode::Thread,
            Some("dm") => MentionMode::DirectMessage,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "SLACK_MENTION_MODE",
                    problem: format!("{other:?} is neither \"thread\" nor \"dm\""),
                });
            }
        };
        let command = setting("SLACK_COMMAND").unwrap_or_else(|| "/qualify".into());
        let command = format!("/{}", command.trim().trim_start_matches('/'));
        Ok(Some(SlackConfig {
            bot_token: Secret::new(bot_token),
            signing_secret: Secret::new(signing_secret),
            app_token: setting("SLACK_APP_TOKEN").map(Secret::new),
            api_url,
            mention_mode,
            command,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<Option<SlackConfig>, ConfigError> {
        SlackConfig::from_lookup(|name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        })
    }

    #[test]
    fn unset_means_no_slack_and_half_set_is_an_error() {
        assert!(read(&[]).unwrap().is_none());
        assert_eq!(
            read(&[("SLACK_BOT_TOKEN", "xoxb-1")]).unwrap_err(),
            ConfigError::Incomplete {
                set: "SLACK_BOT_TOKEN",
                missing: "SLACK_SIGNING_SECRET"
            }
        );
    }

    #[test]
    fn defaults_and_overrides() {
        let base = [("SLACK_BOT_TOKEN", "xoxb-1"), ("SLACK_SIGNING_SECRET", "s")];
        let config = read(&base).unwrap().unwrap();
        assert_eq!(config.api_url, DEFAULT_API_URL);
        assert_eq!(config.mention_mode, MentionMode::Thread);
        assert_eq!(config.command, "/qualify");
        assert!(config.app_token.is_none());
        assert!(!format!("{config:?}").contains("xoxb-1"));
        let mut custom = base.to_vec();
        custom.extend([
            ("SLACK_API_URL", "http://127.0.0.1:9/api/"),
            ("SLACK_MENTION_MODE", "dm"),
            ("SLACK_COMMAND", "lead"),
        ]);
        let config = read(&custom).unwrap().unwrap();
        assert_eq!(config.api_url, "http://127.0.0.1:9/api");
        assert_eq!(config.mention_mode, MentionMode::DirectMessage);
        assert_eq!(config.command, "/lead");
        let mut wrong = base.to_vec();
        wrong.push(("SLACK_MENTION_MODE", "channel"));
        assert!(matches!(
            read(&wrong),
            Err(ConfigError::Invalid {
                name: "SLACK_MENTION_MODE",
                ..
            })
        ));
    }
}
