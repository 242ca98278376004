//! Purpose: `leadbot config check` — the effective configuration, every setting with where it
//! came from (secrets redacted), and for each channel whether it is on and what it still needs.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::parser::ValueSource;
use leadbot::config::{Config, SETTINGS, Settings};
use leadbot::reps;
use leadbot::script;

/// Prints the configuration and its problems; exits 1 when it is invalid.
pub fn check(settings: &Settings, matches: &clap::ArgMatches) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<24} {:<32} {:<8} value",
        "setting", "variable", "from"
    )?;
    for setting in SETTINGS {
        let value = settings.shown(setting);
        let from = match source(matches, setting.key) {
            Some(ValueSource::CommandLine) => "flag",
            Some(ValueSource::EnvVariable) => "env",
            _ if value.is_some() => "file",
            _ => "default",
        };
        writeln!(
            out,
            "{:<24} {:<32} {from:<8} {}",
            setting.key,
            setting.env,
            value.as_deref().unwrap_or("—")
        )?;
    }
    writeln!(out)?;
    let config = match Config::from_settings(settings) {
        Ok(config) => config,
        Err(error) => {
            writeln!(out, "error: {error}")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    let notices = super::serve::notice_channels(&config);
    let mut problems = 0;
    for (channel, state) in channels(&config) {
        writeln!(out, "{channel:<16} {state}")?;
    }
    writeln!(out)?;
    match script::load_all(std::slice::from_ref(&config.scripts)) {
        Ok(scripts) => {
            writeln!(
                out,
                "scripts          {} script(s) in {}",
                scripts.len(),
                config.scripts.display()
            )?;
            match config.reps.as_deref() {
                None => writeln!(
                    out,
                    "reps             none: hand-offs go to the CRM webhook or stay unrouted"
                )?,
                Some(path) => match reps::load(path, &scripts) {
                    Ok(team) => {
                        writeln!(
                            out,
                            "reps             {} ({} reps)",
                            path.display(),
                            team.reps.len()
                        )?;
                        let available = super::reps::channels_available(&notices);
                        for unreachable in reps::unreachable_recipients(&team, &available) {
                            writeln!(out, "  warn: {unreachable}")?;
                        }
                        if team.reps.iter().any(|rep| rep.webhook_url.is_some())
                            && config.webhook_secret.is_none()
                        {
                            problems += 1;
                            writeln!(
                                out,
                                "  error: reps have a webhook_url but LEADBOT_WEBHOOK_SECRET is \
                                 not set: `leadbot serve` will refuse to start"
                            )?;
                        }
                    }
                    Err(error) => {
                        problems += 1;
                        writeln!(out, "reps             {}: {error}", path.display())?;
                    }
                },
            }
        }
        Err(error) => {
            problems += 1;
            writeln!(out, "scripts          {error}")?;
        }
    }
    if config.crm_webhook.is_some() && config.webhook_secret.is_none() {
        problems += 1;
        writeln!(
            out,
            "error: LEADBOT_HANDOFF_WEBHOOK_URL is set but LEADBOT_WEBHOOK_SECRET is not: \
             `leadbot serve` will refuse to start"
        )?;
    }
    Ok(if problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Where a setting's value came from, looked up in the matches of every subcommand level.
fn source(matches: &clap::ArgMatches, id: &str) -> Option<ValueSource> {
    let mut level = Some(matches);
    let mut found = None;
    while let Some(current) = level {
        if let Ok(Some(_)) = current.try_get_raw(id) {
            found = current.value_source(id).or(found);
        }
        level = current.subcommand().map(|(_, sub)| sub);
    }
    found
}

/// Each channel: on, and how; or off, and what turns it on.
fn channels(config: &Config) -> Vec<(&'static str, String)> {
    let mut channels = vec![("database", config.database_for_display())];
    channels.push(("terminal", "on (leadbot chat)".to_string()));
    channels.push((
        "message api",
        match &config.api_token {
            Some(_) => "on: POST /api/messages with the bearer token".to_string(),
            None => "off: set LEADBOT_API_TOKEN (until then /api/* answers 503)".to_string(),
        },
    ));
    channels.push((
        "slack",
        match &config.slack {
            Some(slack) => format!(
                "on: events at /slack/events, /slack/interactions, /slack/commands ({}); \
                 Socket Mode {}",
                slack.command,
                if slack.app_token.is_some() {
                    "on"
                } else {
                    "off (set SLACK_APP_TOKEN for installs without a public URL)"
                }
            ),
            None => "off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET".to_string(),
        },
    ));
    channels.push((
        "discord",
        match &config.discord {
            Some(discord) => format!(
                "on: {} qualification channel(s), shards {}-{} of {}{}",
                discord.channels.len(),
                discord.shards.first,
                discord.shards.last,
                discord.shards.total,
                if discord.sales_channel.is_none() {
                    "; no LEADBOT_DISCORD_SALES_CHANNEL: unassigned leads use the reps file's \
                     fallback only"
                } else {
                    ""
                }
            ),
            None => "off: set DISCORD_TOKEN".to_string(),
        },
    ));
    channels.push((
        "e-mail",
        match &config.smtp {
            Some(smtp) => format!("on: hand-offs e-mailed from {}", smtp.from),
            None => "off: set LEADBOT_SMTP_URL and LEADBOT_SMTP_FROM".to_string(),
        },
    ));
    channels.push((
        "crm webhook",
        match &config.crm_webhook {
            Some(url) => format!("on: every hand-off notice to {}", url.url_for_display()),
            None => "off: set LEADBOT_HANDOFF_WEBHOOK_URL (and LEADBOT_WEBHOOK_SECRET)".to_string(),
        },
    ));
    channels
}
