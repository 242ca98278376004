//! Purpose: `leadbot serve` — the long-running server: HTTP API, the Discord gateway (when
//! `DISCORD_TOKEN` is set) and the outbox workers.

use anyhow::{Context, Result};
use leadbot::channels::discord;
use leadbot::delivery::{self, RetryPolicy, Webhook};
use leadbot::http::{self, AppState, Secret};
use leadbot::runtime::{Runtime, ScriptCatalog};
use leadbot::script::Script;
use leadbot::store::Store;
use tokio::io::AsyncWriteExt;

/// Outbox destination of hand-offs when no webhook is configured (kept until rep routing
/// delivers them).
const UNROUTED: &str = "unrouted";

/// Outbox destination of hand-offs delivered to `LEADBOT_HANDOFF_WEBHOOK_URL`.
const WEBHOOK: &str = "webhook";

/// Where hand-offs go, from the environment.
struct HandoffWebhook {
    /// The receiver.
    url: String,
    /// The signing secret.
    secret: String,
}

/// Starts the webhook delivery worker (and, on PostgreSQL, the cross-replica wake-up).
fn start_delivery(runtime: &Runtime, database_url: &str, webhook: HandoffWebhook) -> Result<()> {
    let target = Webhook::new(
        webhook.url,
        Secret::new(webhook.secret),
        std::time::Duration::from_secs(10),
    )
    .context("cannot build the webhook client")?;
    let wake = runtime.outbox_wake();
    tokio::spawn(delivery::run_worker(
        runtime.store().clone(),
        WEBHOOK.to_string(),
        target,
        wake.subscribe(),
        RetryPolicy::default(),
    ));
    if runtime.store().backend() == leadbot::store::Backend::Postgres {
        tokio::spawn(delivery::listen_for_other_replicas(
            database_url.to_string(),
            wake,
        ));
    }
    Ok(())
}

/// Starts the Discord channel when `DISCORD_TOKEN` is set (see the README's Discord section).
async fn start_discord(
    runtime: &Runtime,
    setting: &impl Fn(&str) -> Option<String>,
) -> Result<Option<discord::DiscordChannel>> {
    let Some(config) = discord::DiscordConfig::from_env(setting)? else {
        return Ok(None);
    };
    let channel = discord::start(runtime.clone(), config).await?;
    Ok(Some(channel))
}

/// Reads the server's settings from the environment, opens the store and serves until Ctrl-C
/// or SIGTERM.
pub async fn run(scripts: Vec<Script>, database: &str, listen: &str) -> Result<()> {
    let setting = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let webhook = match (
        setting("LEADBOT_HANDOFF_WEBHOOK_URL"),
        setting("LEADBOT_WEBHOOK_SECRET"),
    ) {
        (Some(url), Some(secret)) => Some(HandoffWebhook { url, secret }),
        (Some(_), None) => anyhow::bail!(
            "LEADBOT_HANDOFF_WEBHOOK_URL is set but LEADBOT_WEBHOOK_SECRET is not: hand-offs must be signed"
        ),
        _ => None,
    };
    let store = Store::open(database).await?;
    let destination = if webhook.is_some() { WEBHOOK } else { UNROUTED };
    let runtime = Runtime::new(
        store.clone(),
        ScriptCatalog::new(scripts, None),
        destination,
    );
    if let Some(webhook) = webhook {
        start_delivery(&runtime, database, webhook)?;
    }
    let discord = start_discord(&runtime, &setting).await?;
    let result = serve(runtime, listen, setting("LEADBOT_API_TOKEN")).await;
    if let Some(discord) = discord {
        discord.shards.shutdown_all().await;
    }
    store.close().await;
    result
}

/// Serves until Ctrl-C or SIGTERM; prints `listening on ADDR` once ready.
async fn serve(runtime: Runtime, listen: &str, api_token: Option<String>) -> Result<()> {
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
    axum::serve(listener, http::app(state))
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
