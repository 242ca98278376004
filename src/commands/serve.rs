//! Purpose: `leadbot serve` — the long-running server: HTTP API (and, later, Slack and Discord).

use anyhow::{Context, Result};
use leadbot::http::{self, AppState, Secret};
use leadbot::runtime::Runtime;
use tokio::io::AsyncWriteExt;

/// Outbox destination of hand-offs until rep routing delivers them.
pub const UNROUTED: &str = "unrouted";

/// Serves until Ctrl-C or SIGTERM; prints `listening on ADDR` once ready.
pub async fn run(runtime: Runtime, listen: &str, api_token: Option<String>) -> Result<()> {
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
