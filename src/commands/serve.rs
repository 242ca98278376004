//! Purpose: `leadbot serve` — the long-running server: HTTP API (and, later, Slack and Discord).

use anyhow::{Context, Result};
use leadbot::channels::slack::{self, SlackApp, SlackConfig};
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

/// Starts the webhook delivery worker.
fn start_delivery(runtime: &Runtime, webhook: HandoffWebhook) -> Result<()> {
    let target = Webhook::new(
        webhook.url,
        Secret::new(webhook.secret),
        std::time::Duration::from_secs(10),
    )
    .context("cannot build the webhook client")?;
    tokio::spawn(delivery::run_worker(
        runtime.store().clone(),
        WEBHOOK.to_string(),
        target,
        runtime.outbox_wake().subscribe(),
        RetryPolicy::default(),
    ));
    Ok(())
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
    let slack_config = SlackConfig::from_lookup(|name| std::env::var(name).ok())?;
    let store = Store::open(database).await?;
    let destination = if webhook.is_some() { WEBHOOK } else { UNROUTED };
    let runtime = Runtime::new(
        store.clone(),
        ScriptCatalog::new(scripts, None),
        destination,
    );
    let delivers = webhook.is_some() || slack_config.is_some();
    if let Some(webhook) = webhook {
        start_delivery(&runtime, webhook)?;
    }
    if delivers && store.backend() == leadbot::store::Backend::Postgres {
        // Workers here also wake when another replica queues an item.
        tokio::spawn(delivery::listen_for_other_replicas(
            database.to_string(),
            runtime.outbox_wake(),
        ));
    }
    let slack = slack_config.map(|config| {
        let app = SlackApp::new(runtime.clone(), config);
        app.start_delivery(RetryPolicy::default());
        app
    });
    let result = serve(runtime, listen, setting("LEADBOT_API_TOKEN"), slack).await;
    store.close().await;
    result
}

/// Serves until Ctrl-C or SIGTERM; prints `listening on ADDR` once ready.
async fn serve(
    runtime: Runtime,
    listen: &str,
    api_token: Option<String>,
    slack: Option<std::sync::Arc<SlackApp>>,
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
