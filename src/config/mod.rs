//! Purpose: one typed configuration, built once at the binary's edge from flags, the
//! environment and an optional `leadbot.toml` ([`Settings`]), checked, and handed down: the
//! library never reads the environment. Secrets travel in [`Secret`] (its own small module, so
//! the channels and deliverers that hold secrets need nothing else from here).

pub mod settings;

use std::path::PathBuf;

pub use crate::secret::Secret;
pub use settings::{FileError, SETTINGS, Setting, Settings};

use crate::channels::discord::{self, DiscordConfig};
use crate::channels::slack::{self, SlackConfig};
use crate::delivery::{EmailError, SmtpSettings};
use crate::report::costs::{self, SourceCosts};
use crate::store::StoreOptions;

/// The embedded default database: a SQLite file in the data folder.
pub const DEFAULT_DATABASE: &str = "sqlite://data/leadbot.db";

/// Where `serve` listens by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

/// How long a claimed outbox item stays with its worker by default.
pub const DEFAULT_OUTBOX_LEASE: std::time::Duration = std::time::Duration::from_secs(60);

/// The scripts folder by default.
pub const DEFAULT_SCRIPTS: &str = "conversations";

/// The reps file used when none is named and it exists.
pub const DEFAULT_REPS: &str = "reps.toml";

/// The configuration file read when none is named and it exists.
pub const DEFAULT_FILE: &str = "leadbot.toml";

/// What is wrong with the configuration; names the setting, never a secret's value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A setting does not hold what it should.
    #[error("{variable}: {problem}")]
    Invalid {
        /// Its environment variable.
        variable: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The Slack settings.
    #[error(transparent)]
    Slack(#[from] slack::config::ConfigError),
    /// The Discord settings.
    #[error(transparent)]
    Discord(#[from] discord::ConfigError),
    /// The e-mail settings.
    #[error(transparent)]
    Email(#[from] EmailError),
    /// The configuration file.
    #[error(transparent)]
    File(#[from] FileError),
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Everything leadbot is configured with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where leads and conversations are stored (a URL that may carry a password).
    pub database: Secret,
    /// How the store connects.
    pub store: StoreOptions,
    /// How long a delivery worker holds the outbox items it claimed: after a crash, another
    /// process delivers them once this has passed.
    pub outbox_lease: std::time::Duration,
    /// Folder (or file) of conversation scripts.
    pub scripts: PathBuf,
    /// The reps file, when one is named or `reps.toml` exists.
    pub reps: Option<PathBuf>,
    /// Where `serve` listens.
    pub listen: String,
    /// The log filter (tracing's `EnvFilter` syntax).
    pub log_filter: String,
    /// How log lines are written.
    pub log_format: LogFormat,
    /// Bearer token for `/api/*`.
    pub api_token: Option<Secret>,
    /// Token for `/admin` sign-in and `/metrics`.
    pub admin_token: Option<Secret>,
    /// What each lead source costs (`[sources]`).
    pub source_costs: SourceCosts,
    /// The CRM webhook every hand-off notice is posted to.
    pub crm_webhook: Option<Secret>,
    /// Signs webhook requests.
    pub webhook_secret: Option<Secret>,
    /// Verifies booking providers' webhooks (`POST /webhooks/booking`).
    pub booking_secret: Option<Secret>,
    /// The Slack channel, when configured.
    pub slack: Option<SlackConfig>,
    /// The Discord channel, when configured.
    pub discord: Option<DiscordConfig>,
    /// Hand-off e-mails, when configured.
    pub smtp: Option<SmtpSettings>,
}

impl Config {
    /// Reads and checks `settings`, filling in the defaults.
    pub fn from_settings(settings: &Settings) -> Result<Config, ConfigError> {
        let get = |env: &str| {
            settings
                .get(env)
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_string)
        };
        let lookup = |env: &str| get(env);
        let store = match get("LEADBOT_DB_CONNECTIONS") {
            None => StoreOptions::default(),
            Some(text) => StoreOptions {
                write_connections: text
                    .parse::<u32>()
                    .ok()
                    .filter(|connections| *connections > 0)
                    .ok_or_else(|| ConfigError::Invalid {
                        variable: "LEADBOT_DB_CONNECTIONS",
                        problem: format!("expected a number of connections above 0, got {text:?}"),
                    })?,
            },
        };
        let log_format = match get("LEADBOT_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    variable: "LEADBOT_LOG_FORMAT",
                    problem: format!("expected text or json, got {other:?}"),
                });
            }
        };
        let reps = get("LEADBOT_REPS").map(PathBuf::from).or_else(|| {
            let default = PathBuf::from(DEFAULT_REPS);
            default.exists().then_some(default)
        });
        let source_costs = match get("LEADBOT_SOURCES") {
            None => SourceCosts::new(),
            Some(text) => costs::parse(&text).map_err(|problem| ConfigError::Invalid {
                variable: "LEADBOT_SOURCES",
                problem,
            })?,
        };
        let outbox_lease = match get("LEADBOT_OUTBOX_LEASE_SECONDS") {
            None => DEFAULT_OUTBOX_LEASE,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|seconds| *seconds >= 2)
                .map(std::time::Duration::from_secs)
                .ok_or_else(|| ConfigError::Invalid {
                    variable: "LEADBOT_OUTBOX_LEASE_SECONDS",
                    problem: format!("expected a number of seconds, at least 2, got {text:?}"),
                })?,
        };
        let crm_webhook = get("LEADBOT_HANDOFF_WEBHOOK_URL").map(Secret::new);
        let webhook_secret = get("LEADBOT_WEBHOOK_SECRET").map(Secret::new);
        Ok(Config {
            database: Secret::new(
                get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE.to_string()),
            ),
            store,
            outbox_lease,
            scripts: PathBuf::from(
                get("LEADBOT_SCRIPTS").unwrap_or_else(|| DEFAULT_SCRIPTS.to_string()),
            ),
            reps,
            listen: get("LEADBOT_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_string()),
            log_filter: get("LEADBOT_LOG").unwrap_or_else(|| "warn".to_string()),
            log_format,
            api_token: get("LEADBOT_API_TOKEN").map(Secret::new),
            admin_token: get("LEADBOT_ADMIN_TOKEN").map(Secret::new),
            source_costs,
            crm_webhook,
            webhook_secret,
            booking_secret: get("LEADBOT_BOOKING_SECRET").map(Secret::new),
            slack: SlackConfig::from_lookup(lookup)?,
            discord: DiscordConfig::from_env(lookup)?,
            smtp: SmtpSettings::from_lookup(lookup)?,
        })
    }

    /// The database URL as it may be shown: whole, unless it carries credentials.
    pub fn database_for_display(&self) -> String {
        let url = self.database.expose();
        if url.contains('@') {
            self.database.url_for_display()
        } else {
            url.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let mut settings = Settings::default();
        let text: String = pairs
            .iter()
            .map(|(key, value)| format!("{key} = {value:?}\n"))
            .collect();
        settings.fill_from_file("test.toml", &text).unwrap();
        settings
    }

    #[test]
    fn defaults_make_a_working_local_configuration() {
        let config = Config::from_settings(&Settings::default()).unwrap();
        assert_eq!(config.database.expose(), DEFAULT_DATABASE);
        assert_eq!(config.listen, DEFAULT_LISTEN);
        assert_eq!(config.store, StoreOptions::default());
        assert_eq!(config.log_format, LogFormat::Text);
        assert!(config.slack.is_none() && config.discord.is_none() && config.smtp.is_none());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (key, value, variable) in [
            ("db_connections", "0", "LEADBOT_DB_CONNECTIONS"),
            ("log_format", "yaml", "LEADBOT_LOG_FORMAT"),
        ] {
            let error = Config::from_settings(&settings(&[(key, value)])).unwrap_err();
            assert!(error.to_string().starts_with(variable), "{error}");
        }
    }
}
