//! Purpose: `leadbot serve` — the long-running server: the HTTP API, the Discord gateway (when
//! `DISCORD_TOKEN` is set), the Slack endpoints (when `SLACK_BOT_TOKEN` is set), outbox
//! delivery workers (CRM webhook, reps' webhooks, Discord, Slack), and the timers that move
//! unanswered hand-offs on.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use leadbot::channels::discord;
use leadbot::channels::slack::{self, SlackApp, SlackConfig};
use leadbot::delivery::{self, RetryPolicy, Webhook};
use leadbot::http::{self, AppState, Secret};
use leadbot::reps::Team;
use leadbot::runtime::{Runtime, ScriptCatalog};
use leadbot::script::Script;
use leadbot::store::Store;
use tokio::io::AsyncWriteExt;

/// Outbox destination of every hand-off notice delivered to `LEADBOT_HANDOFF_WEBHOOK_URL`.
const CRM_WEBHOOK: &str = "webhook";

fn setting(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// The runtime as the server's settings configure it: the CRM webhook when
/// `LEADBOT_HANDOFF_WEBHOOK_URL` is set, reps' own webhooks when the team has any, reps' Slack
/// DMs when Slack is configured.
pub fn configured_runtime(store: Store, scripts: Vec<Script>, team: Option<Arc<Team>>) -> Runtime {
    let crm = setting("LEADBOT_HANDOFF_WEBHOOK_URL").map(|_| CRM_WEBHOOK);
    let runtime = Runtime::new(store, ScriptCatalog::new(scripts, None), crm);
    let mut rep_channels = vec!["webhook"];
    if setting("DISCORD_TOKEN").is_some() {
        rep_channels.push(discord::ids::CHANNEL);
    }
    if setting("SLACK_BOT_TOKEN").is_some() {
        rep_channels.push(slack::DESTINATION);
    }
    match team {
        Some(team) => runtime.with_team(team).with_rep_channels(rep_channels),
        None => runtime,
    }
}

/// The webhook workers to run: (outbox destination, URL).
fn webhook_targets(team: Option<&Team>) -> Vec<(String, String)> {
    let mut targets = Vec::new();
    if let Some(url) = setting("LEADBOT_HANDOFF_WEBHOOK_URL") {
        targets.push((CRM_WEBHOOK.to_string(), url));
    }
    if let Some(team) = team {
        for rep in &team.reps {
            if let Some(url) = &rep.webhook_url {
                targets.push((format!("webhook:{}", rep.id), url.clone()));
            }
        }
        if let Some(url) = &team.fallback.webhook_url {
            targets.push(("webhook:fallback".to_string(), url.clone()));
        }
    }
    targets
}

/// Starts a delivery worker per webhook.
fn start_delivery(runtime: &Runtime, targets: Vec<(String, String)>) -> Result<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let secret = setting("LEADBOT_WEBHOOK_SECRET").context(
        "webhooks are configured (LEADBOT_HANDOFF_WEBHOOK_URL or a rep's webhook_url) but \
         LEADBOT_WEBHOOK_SECRET is not set: hand-offs must be signed",
    )?;
    let wake = runtime.outbox_wake();
    for (destination, url) in targets {
        let target = Webhook::new(url, Secret::new(secret.clone()), Duration::from_secs(10))
            .context("cannot build the webhook client")?;
        tokio::spawn(delivery::run_worker(
            runtime.store().clone(),
            destination,
            target,
            wake.subscribe(),
            RetryPolicy::default(),
        ));
    }
    Ok(())
}

/// Starts the Discord channel when `DISCORD_TOKEN` is set (see the README's Discord section).
async fn start_discord(runtime: &Runtime) -> Result<Option<discord::DiscordChannel>> {
    let Some(config) = discord::DiscordConfig::from_env(setting)? else {
        return Ok(None);
    };
    Ok(Some(discord::start(runtime.clone(), config).await?))
}

/// Every second, moves hand-offs whose SLA ran out to the next rep, and fires conversation
/// timers (nudges, abandonment, MQL follow-ups).
async fn run_timers(runtime: Runtime) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let now = chrono::Utc::now().fixed_offset();
        if let Err(error) = runtime.expire_offers(now).await {
            tracing::error!(%error, "hand-off timers failed; retrying");
        }
        if let Err(error) = runtime.fire_timers(now).await {
            tracing::error!(%error, "conversation timers failed; retrying");
        }
    }
}

/// Reads the server's settings from the environment, opens the store and serves until Ctrl-C
/// or SIGTERM.
pub async fn run(
    scripts: Vec<Script>,
    team: Option<Arc<Team>>,
    database: &str,
    listen: &str,
) -> Result<()> {
    let slack_config = SlackConfig::from_lookup(|name| std::env::var(name).ok())?;
    let store = Store::open(database).await?;
    let targets = webhook_targets(team.as_deref());
    let delivers = !targets.is_empty() || slack_config.is_some();
    let runtime = configured_runtime(store.clone(), scripts, team);
    start_delivery(&runtime, targets)?;
    let discord = start_discord(&runtime).await?;
    if (delivers || discord.is_some()) && store.backend() == leadbot::store::Backend::Postgres {
        // Workers here also wake when another replica queues an item.
        tokio::spawn(delivery::listen_for_other_replicas(
            database.to_string(),
            runtime.outbox_wake(),
        ));
    }
    let (slack, socket_mode) = match slack_config {
        Some(config) => {
            let app = SlackApp::new(runtime.clone(), config);
            app.start_delivery(RetryPolicy::default());
            let socket_mode = app
                .start_socket_mode()
                .await
                .context("cannot start Slack Socket Mode")?;
            (Some(app), socket_mode)
        }
        None => (None, None),
    };
    tokio::spawn(run_timers(runtime.clone()));
    let result = serve(runtime, listen, setting("LEADBOT_API_TOKEN"), slack).await;
    if let Some(socket_mode) = socket_mode {
        socket_mode.stop().await;
    }
    if let Some(discord) = discord {
        discord.shards.shutdown_all().await;
    }
    store.close().await;
    result
}

/// Serves until Ctrl-C or SIGTERM; prints `listening on ADDR` once ready.
async fn serve(
    runtime: Runtime,
    listen: &str,
    api_token: Option<String>,
    slack: Option<Arc<SlackApp>>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    let state = AppState {
        runtime,
        api_token: api_token.filter(|token| !token.is_empty()).map(Secret::new),
    };
    if state.api_token.is_none() {
        tracing::warn!("LEADBOT_API_TOKEN is not set: /api/messages answers 503");
    }
    let mut stdout = tokio::io::stdout();
    stdout
        .write_all(format!("listening on {address}\n").as_bytes())
        .await?;
    stdout.flush().await?;
    let mut app = http::app(state);
    if let Some(slack) = slack {
        app = app.merge(slack::routes(slack));
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .context("server stopped")?;
    Ok(())
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
