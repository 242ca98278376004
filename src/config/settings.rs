//! Purpose: every setting leadbot reads, in one table — its command-line flag, its environment
//! variable, its key in `leadbot.toml`, whether it is a secret — so the flags, the file, the
//! `.env.sample`, the documentation and `leadbot config check` cannot drift apart.
//!
//! clap reads flags and the environment at the binary's edge; [`Settings::fill_from_file`]
//! adds what a `leadbot.toml` says for the settings still unset (flag > environment > file >
//! built-in default). Secrets are never read from the file: they come from the environment.

use std::fmt;

/// One setting, as documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// Its key in `leadbot.toml` (and, with `-` for `_`, its flag).
    pub key: &'static str,
    /// Its environment variable.
    pub env: &'static str,
    /// A secret: environment only, never shown.
    pub secret: bool,
    /// What it is for, one line.
    pub help: &'static str,
}

/// Declares the settings once: the clap fields, the table and the lookups come from it.
macro_rules! settings {
    ($( $(#[doc = $doc:literal])+ $field:ident: $env:literal, secret = $secret:literal, hide = $hide:literal; )*) => {
        /// Every setting as given on the command line, in the environment or in `leadbot.toml`
        /// (unparsed: [`super::Config::from_settings`] reads and checks them).
        #[derive(Clone, Default, clap::Args)]
        pub struct Settings {
            $(
                $(#[doc = $doc])+
                #[arg(long, env = $env, global = true, hide = $hide, hide_env_values = true)]
                pub $field: Option<String>,
            )*
        }

        /// Every setting, in the order of the documentation.
        pub const SETTINGS: &[Setting] = &[
            $( Setting { key: stringify!($field), env: $env, secret: $secret, help: concat!($($doc),+) }, )*
        ];

        impl Settings {
            /// The value of the setting whose environment variable is `env`, if set.
            pub fn get(&self, env: &str) -> Option<&str> {
                match env {
                    $( $env => self.$field.as_deref(), )*
                    _ => None,
                }
            }

            fn slot(&mut self, key: &str) -> Option<&mut Option<String>> {
                match key {
                    $( stringify!($field) => Some(&mut self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

settings! {
    /// Where leads and conversations are stored: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB
    /// (default sqlite://data/leadbot.db)
    database: "DATABASE_URL", secret = false, hide = false;
    /// PostgreSQL connections each process opens for writes, besides up to 4 for reads (default 10)
    db_connections: "LEADBOT_DB_CONNECTIONS", secret = false, hide = true;
    /// Folder (or file) of conversation scripts (default conversations)
    scripts: "LEADBOT_SCRIPTS", secret = false, hide = false;
    /// The sales team: reps, pools and routing rules (default reps.toml when present)
    reps: "LEADBOT_REPS", secret = false, hide = false;
    /// Where `serve` listens; port 0 picks a free port and prints it (default 127.0.0.1:3000)
    listen: "LEADBOT_LISTEN", secret = false, hide = false;
    /// Log filter on stderr, e.g. info or leadbot=debug (default warn)
    log: "LEADBOT_LOG", secret = false, hide = true;
    /// Log lines as text (default) or json
    log_format: "LEADBOT_LOG_FORMAT", secret = false, hide = true;
    /// Bearer token for /api/*; without it the API answers 503
    api_token: "LEADBOT_API_TOKEN", secret = true, hide = true;
    /// Token for /admin sign-in and /metrics; without it both answer 503
    admin_token: "LEADBOT_ADMIN_TOKEN", secret = true, hide = true;
    /// What each lead source costs, for cost per lead: website=12.50/lead,linkedin=2000/month (a [sources] table in the file)
    sources: "LEADBOT_SOURCES", secret = false, hide = true;
    /// Every hand-off notice is also posted here (a CRM, Zapier, n8n); needs LEADBOT_WEBHOOK_SECRET
    handoff_webhook_url: "LEADBOT_HANDOFF_WEBHOOK_URL", secret = true, hide = true;
    /// Seconds an outbox item a process is delivering stays claimed by it; if the process dies, another takes the item over after this (default 60)
    outbox_lease_seconds: "LEADBOT_OUTBOX_LEASE_SECONDS", secret = false, hide = true;
    /// Signs each webhook request (HMAC-SHA256), to the CRM and to reps' own webhook_url
    webhook_secret: "LEADBOT_WEBHOOK_SECRET", secret = true, hide = true;
    /// Verifies booking webhooks (Calendly, Cal.com) at POST /webhooks/booking
    booking_secret: "LEADBOT_BOOKING_SECRET", secret = true, hide = true;
    /// The Slack app's bot token (xoxb-...); with SLACK_SIGNING_SECRET it turns Slack on
    slack_bot_token: "SLACK_BOT_TOKEN", secret = true, hide = true;
    /// Verifies every request from Slack
    slack_signing_secret: "SLACK_SIGNING_SECRET", secret = true, hide = true;
    /// App-level token (xapp-...): also receive events over Socket Mode
    slack_app_token: "SLACK_APP_TOKEN", secret = true, hide = true;
    /// The Slack Web API base: a proxy, or a local fake (default https://slack.com/api)
    slack_api_url: "SLACK_API_URL", secret = false, hide = true;
    /// Where an @leadbot mention continues: thread (default) or dm
    slack_mention_mode: "SLACK_MENTION_MODE", secret = false, hide = true;
    /// The slash command that starts the questions over (default /qualify)
    slack_command: "SLACK_COMMAND", secret = false, hide = true;
    /// The Discord bot token; when set, `serve` runs the Discord bot
    discord_token: "DISCORD_TOKEN", secret = true, hide = true;
    /// The Discord application id, for registering /qualify (default: learnt from READY)
    discord_application_id: "DISCORD_APPLICATION_ID", secret = false, hide = true;
    /// Another Discord API base URL: a fake in tests, or a rate-limiting proxy (default https://discord.com)
    discord_api_url: "DISCORD_API_URL", secret = false, hide = true;
    /// Guild channel ids (comma-separated) where a message opens a qualification thread
    discord_channels: "LEADBOT_DISCORD_CHANNELS", secret = false, hide = true;
    /// Where /qualify is registered: global (default), guild ids (comma-separated), or off
    discord_commands: "LEADBOT_DISCORD_COMMANDS", secret = false, hide = true;
    /// Gateway shards: N (all here, default 1) or FIRST-LAST/N (those of N in this process)
    discord_shards: "LEADBOT_DISCORD_SHARDS", secret = false, hide = true;
    /// Ask for the privileged MESSAGE_CONTENT intent: true (default) or false
    discord_message_content: "LEADBOT_DISCORD_MESSAGE_CONTENT", secret = false, hide = true;
    /// Channel id for hand-offs when neither the rep nor the fallback team names a Discord destination
    discord_sales_channel: "LEADBOT_DISCORD_SALES_CHANNEL", secret = false, hide = true;
    /// Seconds a Discord turn the database refused is retried before the prospect is asked to send it again (default 30)
    discord_retry_seconds: "LEADBOT_DISCORD_RETRY_SECONDS", secret = false, hide = true;
    /// The SMTP server for hand-off e-mails: smtps://USER:PASS@HOST, smtp://HOST?tls=required, smtp://HOST:PORT
    smtp_url: "LEADBOT_SMTP_URL", secret = true, hide = true;
    /// The sender of hand-off e-mails, e.g. "Leads <leadbot@example.com>"; required with LEADBOT_SMTP_URL
    smtp_from: "LEADBOT_SMTP_FROM", secret = false, hide = true;
}

/// What is wrong with a `leadbot.toml`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Not TOML.
    #[error("{file}: {problem}")]
    Unreadable {
        /// The file.
        file: String,
        /// What the TOML parser said.
        problem: String,
    },
    /// A key that is no setting.
    #[error("{file}: unknown setting `{key}`{suggestion}")]
    UnknownKey {
        /// The file.
        file: String,
        /// The key.
        key: String,
        /// ", did you mean `…`?" or nothing.
        suggestion: String,
    },
    /// A secret in the file.
    #[error("{file}: `{key}` is a secret: set {env} in the environment instead of the file")]
    Secret {
        /// The file.
        file: String,
        /// The key.
        key: String,
        /// Its variable.
        env: &'static str,
    },
    /// A value that is not a string, number, boolean or list of them.
    #[error("{file}: `{key}` must be a string, number, boolean or list")]
    Shape {
        /// The file.
        file: String,
        /// The key.
        key: String,
    },
}

impl Settings {
    /// Fills the settings still unset with a `leadbot.toml`'s values (`file` names it in
    /// errors). Keys are the settings' keys; lists become comma-separated values.
    pub fn fill_from_file(&mut self, file: &str, text: &str) -> Result<(), FileError> {
        let table: toml::Table =
            text.parse()
                .map_err(|error: toml::de::Error| FileError::Unreadable {
                    file: file.to_string(),
                    problem: error.to_string(),
                })?;
        for (key, value) in table {
            let Some(setting) = SETTINGS.iter().find(|setting| setting.key == key) else {
                let suggestion = SETTINGS
                    .iter()
                    .map(|setting| (strsim::jaro_winkler(setting.key, &key), setting.key))
                    .filter(|(score, _)| *score > 0.85)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, known)| format!(", did you mean `{known}`?"))
                    .unwrap_or_default();
                return Err(FileError::UnknownKey {
                    file: file.to_string(),
                    key,
                    suggestion,
                });
            };
            if setting.secret {
                return Err(FileError::Secret {
                    file: file.to_string(),
                    key,
                    env: setting.env,
                });
            }
            let text = match (&value, key.as_str()) {
                (toml::Value::Table(table), "sources") => crate::report::costs::from_toml(table),
                _ => plain(&value),
            };
            let text = text.ok_or_else(|| FileError::Shape {
                file: file.to_string(),
                key: key.clone(),
            })?;
            if let Some(slot) = self.slot(&key)
                && slot.is_none()
            {
                *slot = Some(text);
            }
        }
        Ok(())
    }

    /// The value of `setting` as `config check` shows it: secrets as "set" (or a URL's host).
    pub fn shown(&self, setting: &Setting) -> Option<String> {
        let value = self.get(setting.env)?;
        if !setting.secret {
            // A database URL may carry a password.
            if setting.key == "database" && value.contains('@') {
                return Some(super::Secret::new(value.to_string()).url_for_display());
            }
            return Some(value.to_string());
        }
        let secret = super::Secret::new(value.to_string());
        Some(if setting.key.ends_with("_url") {
            format!("{} (secret)", secret.url_for_display())
        } else {
            "set (secret)".to_string()
        })
    }
}

/// A TOML value as a setting's text.
fn plain(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(number) => Some(number.to_string()),
        toml::Value::Float(number) => Some(number.to_string()),
        toml::Value::Boolean(flag) => Some(flag.to_string()),
        toml::Value::Array(items) => items
            .iter()
            .map(plain)
            .collect::<Option<Vec<_>>>()
            .map(|items| items.join(",")),
        toml::Value::Datetime(_) | toml::Value::Table(_) => None,
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = formatter.debug_map();
        for setting in SETTINGS {
            if let Some(value) = self.shown(setting) {
                map.entry(&setting.key, &value);
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_fills_what_flags_and_environment_left_unset() {
        let mut settings = Settings {
            listen: Some("0.0.0.0:8080".into()),
            ..Settings::default()
        };
        settings
            .fill_from_file(
                "leadbot.toml",
                "listen = \"127.0.0.1:9\"\nscripts = \"flows\"\ndiscord_channels = [1, 2]\n\
                 discord_message_content = false\n",
            )
            .unwrap();
        assert_eq!(settings.get("LEADBOT_LISTEN"), Some("0.0.0.0:8080"));
        assert_eq!(settings.get("LEADBOT_SCRIPTS"), Some("flows"));
        assert_eq!(settings.get("LEADBOT_DISCORD_CHANNELS"), Some("1,2"));
        assert_eq!(
            settings.get("LEADBOT_DISCORD_MESSAGE_CONTENT"),
            Some("false")
        );
    }

    #[test]
    fn secrets_typos_and_nonsense_in_the_file_are_refused() {
        let mut settings = Settings::default();
        let secret = settings
            .fill_from_file("leadbot.toml", "slack_bot_token = \"xoxb-1\"")
            .unwrap_err();
        assert_eq!(
            secret.to_string(),
            "leadbot.toml: `slack_bot_token` is a secret: set SLACK_BOT_TOKEN in the environment instead of the file"
        );
        assert!(!secret.to_string().contains("xoxb-1"));
        let typo = settings
            .fill_from_file("leadbot.toml", "scripst = \"x\"")
            .unwrap_err();
        assert_eq!(
            typo.to_string(),
            "leadbot.toml: unknown setting `scripst`, did you mean `scripts`?"
        );
        assert!(matches!(
            settings.fill_from_file("leadbot.toml", "[slack]\nx = 1"),
            Err(FileError::UnknownKey { .. })
        ));
        assert!(matches!(
            settings.fill_from_file("leadbot.toml", "listen = { a = 1 }"),
            Err(FileError::Shape { .. })
        ));
        assert!(matches!(
            settings.fill_from_file("leadbot.toml", "listen = "),
            Err(FileError::Unreadable { .. })
        ));
    }

    #[test]
    fn debug_shows_no_secret() {
        let settings = Settings {
            slack_bot_token: Some("xoxb-very-secret".into()),
            handoff_webhook_url: Some("https://user:pw@crm.example.com/hook?key=k".into()),
            database: Some("sqlite://data/x.db".into()),
            ..Settings::default()
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(!shown.contains("pw"), "{shown}");
        assert!(!shown.contains("key=k"), "{shown}");
        assert!(
            shown.contains("https://crm.example.com/… (secret)"),
            "{shown}"
        );
        assert!(shown.contains("sqlite://data/x.db"), "{shown}");
        let remote = Settings {
            database: Some("postgres://app:hunter2@db.internal/leads".into()),
            ..Settings::default()
        };
        let shown = format!("{remote:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn every_setting_has_a_distinct_key_and_variable() {
        let mut keys: Vec<_> = SETTINGS.iter().map(|setting| setting.key).collect();
        let mut envs: Vec<_> = SETTINGS.iter().map(|setting| setting.env).collect();
        keys.sort_unstable();
        keys.dedup();
        envs.sort_unstable();
        envs.dedup();
        assert_eq!(keys.len(), SETTINGS.len());
        assert_eq!(envs.len(), SETTINGS.len());
    }
}
