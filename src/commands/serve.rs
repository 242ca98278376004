//! Purpose: `leadbot serve` — the long-running server: the HTTP API, the Slack endpoints and
//! Socket Mode, the Discord gateway, outbox delivery workers (CRM webhook, reps' webhooks,
//! e-mail, Slack, Discord), and the timers that move unanswered hand-offs on — each on when
//! the configuration turns it on. A clean stop finishes the workers before the store closes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use leadbot::channels::discord;
use leadbot::channels::slack::{self, SlackApp};
use leadbot::config::Config;
use leadbot::delivery::{
    self, EMAIL_DESTINATION, EmailDelivery, RepWebhooks, RetryPolicy, Webhook, Workers,
};
use leadbot::http::{self, AppState};
use leadbot::live;
use leadbot::reps::Team;
use leadbot::runtime::{NoticeChannels, Runtime};
use leadbot::script::Script;
use leadbot::store::Store;
use tokio::io::AsyncWriteExt;

/// Outbox destination of every hand-off notice delivered to `LEADBOT_HANDOFF_WEBHOOK_URL`.
pub const CRM_WEBHOOK: &str = "webhook";

/// How long a stopping server waits for its workers to finish what they started.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// How long one webhook request may take.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Where this configuration sends hand-off notices: the CRM webhook when one is set, reps'
/// own webhooks, and each configured channel.
pub fn notice_channels(config: &Config) -> NoticeChannels {
    let mut reps = BTreeSet::from(["webhook".to_string()]);
    if config.slack.is_some() {
        reps.insert(slack::DESTINATION.to_string());
    }
    if config.discord.is_some() {
        reps.insert(discord::ids::CHANNEL.to_string());
    }
    if config.smtp.is_some() {
        reps.insert(EMAIL_DESTINATION.to_string());
    }
    NoticeChannels {
        crm: config.crm_webhook.as_ref().map(|_| CRM_WEBHOOK.to_string()),
        reps,
    }
}

/// The delivery workers' retry policy, with the configured outbox lease.
fn retry_policy(config: &Config) -> RetryPolicy {
    RetryPolicy {
        lease: config.outbox_lease,
        ..RetryPolicy::default()
    }
}

/// Starts the CRM webhook's worker, one per rep webhook (which then follow live edits of the
/// reps file), and the e-mail worker.
fn start_delivery(
    config: &Config,
    runtime: &Runtime,
    team: Option<&Team>,
    workers: &Workers,
) -> Result<Arc<RepWebhooks>> {
    let wake = runtime.outbox_wake();
    if let Some(url) = &config.crm_webhook {
        let secret = config.webhook_secret.clone().context(
            "LEADBOT_HANDOFF_WEBHOOK_URL is set but LEADBOT_WEBHOOK_SECRET is not: hand-offs \
             must be signed",
        )?;
        let target = Webhook::new(url.clone(), secret, WEBHOOK_TIMEOUT)
            .context("cannot build the webhook client")?;
        workers.deliver(
            runtime.store(),
            CRM_WEBHOOK,
            target,
            &wake,
            retry_policy(config),
        );
    }
    let rep_webhooks = Arc::new(RepWebhooks::new(
        runtime.store().clone(),
        wake.clone(),
        workers.clone(),
        config.webhook_secret.clone(),
        WEBHOOK_TIMEOUT,
        retry_policy(config),
    ));
    if let Some(team) = team {
        rep_webhooks.follow(team)?;
    }
    if let Some(smtp) = &config.smtp {
        let email = EmailDelivery::new(smtp, delivery::DEFAULT_SEND_TIMEOUT)
            .context("cannot set up hand-off e-mails")?;
        workers.deliver(
            runtime.store(),
            EMAIL_DESTINATION,
            email,
            &wake,
            retry_policy(config),
        );
    }
    Ok(rep_webhooks)
}

/// Every second, moves hand-offs whose SLA ran out to the next rep, and fires conversation
/// timers (nudges, abandonment, MQL follow-ups); ends when the workers stop.
async fn run_timers(runtime: Runtime, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    while !*stop.borrow() {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => continue,
        }
        let now = chrono::Utc::now().fixed_offset();
        if let Err(error) = runtime.expire_offers(now).await {
            tracing::error!(%error, "hand-off timers failed; retrying");
        }
        if let Err(error) = runtime.fire_timers(now).await {
            tracing::error!(%error, "conversation timers failed; retrying");
        }
    }
}

/// How often `serve` counts the days writes touched into the report's cube, so a report or
/// a dashboard page has only the last few seconds' changes left to count.
const REPORT_REFRESH_EVERY: Duration = Duration::from_secs(15);

/// Keeps the funnel report's stored cube close to the history; ends when the workers stop.
async fn run_report_refresh(runtime: Runtime, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(REPORT_REFRESH_EVERY);
    while !*stop.borrow() {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => continue,
        }
        match runtime.store().refresh_report_cube().await {
            Ok(0) => {}
            Ok(days) => tracing::debug!(days, "report cube refreshed"),
            Err(error) => tracing::warn!(%error, "report cube refresh failed; retrying"),
        }
    }
}

/// Opens the store, starts what the configuration turns on and serves until Ctrl-C or
/// SIGTERM; then stops the channels and workers, and closes the store last.
pub async fn run(config: &Config, scripts: Vec<Script>, team: Option<Arc<Team>>) -> Result<()> {
    // Listening from the start: a SIGTERM sent while the channels connect stops the process
    // cleanly once they are up, instead of killing it mid-start.
    let stop = StopSignal::listen()?;
    let store = Store::open_with(config.database.expose(), config.store).await?;
    let channels = notice_channels(config);
    store
        .record_served_destinations(&channels.recorded(), chrono::Utc::now().timestamp_millis())
        .await?;
    let by = format!("serve (pid {})", std::process::id());
    let now_ms = chrono::Utc::now().timestamp_millis();
    let catalog = live::starting_catalog(&store, &config.scripts, scripts, &by, now_ms).await?;
    let mut runtime = Runtime::new(store.clone(), catalog, None).with_notice_channels(channels);
    if let Some(team) = &team {
        runtime = runtime.with_team(team.clone());
    }
    if let Some(team) = &team {
        let available = super::reps::channels_available(&runtime.notice_channels());
        for unreachable in leadbot::reps::unreachable_recipients(team, &available) {
            tracing::warn!("{unreachable}: no hand-off notice will reach them");
        }
    }
    // Metrics are recorded from here on; /readyz waits for each channel that connects.
    leadbot::metrics::handle();
    let workers = Workers::default();
    let rep_webhooks = start_delivery(config, &runtime, team.as_deref(), &workers)?;
    let discord = match &config.discord {
        Some(discord_config) => Some(
            discord::start(
                runtime.clone(),
                discord_config.clone(),
                &workers,
                config.outbox_lease,
            )
            .await?,
        ),
        None => None,
    };
    if store.backend() == leadbot::store::Backend::Postgres {
        // Workers here also wake when another replica queues an item.
        let stop = workers.stopping();
        workers.spawn(delivery::listen_for_other_replicas(
            config.database.clone(),
            runtime.outbox_wake(),
            stop,
        ));
    }
    let (slack, socket_mode) = match &config.slack {
        Some(slack_config) => {
            let app = SlackApp::new(runtime.clone(), slack_config.clone());
            app.start_delivery(&workers, retry_policy(config));
            app.start_catch_up(&workers);
            let socket_mode = app
                .start_socket_mode()
                .await
                .context("cannot start Slack Socket Mode")?;
            (Some(app), socket_mode)
        }
        None => (None, None),
    };
    workers.spawn(run_timers(runtime.clone(), workers.stopping()));
    workers.spawn(run_report_refresh(runtime.clone(), workers.stopping()));
    let sources = live::Sources {
        scripts: config.scripts.clone(),
        reps: config.reps.clone(),
    };
    let team_applied = move |team: &Team| match rep_webhooks.follow(team) {
        Ok(started) if !started.is_empty() => {
            tracing::info!(?started, "delivery started for the reps' new webhooks");
        }
        Ok(_) => {}
        Err(error) => tracing::error!(%error, "a rep's new webhook gets no hand-offs"),
    };
    workers.spawn(live::watch::run(
        runtime.clone(),
        sources,
        by,
        team_applied,
        workers.stopping(),
    ));
    let result = serve(runtime, config, slack, stop).await;
    if let Some(socket_mode) = socket_mode {
        socket_mode.stop().await;
    }
    if let Some(discord) = discord {
        discord.shards.shutdown_all().await;
    }
    workers.stop(STOP_GRACE).await;
    store.close().await;
    result
}

/// Serves until Ctrl-C or SIGTERM; prints `listening on ADDR` once ready.
async fn serve(
    runtime: Runtime,
    config: &Config,
    slack: Option<Arc<SlackApp>>,
    stop: StopSignal,
) -> Result<()> {
    let listen = &config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let address = listener.local_addr()?;
    let state = AppState {
        runtime,
        api_token: config.api_token.clone(),
        booking_secret: config.booking_secret.clone(),
    };
    if state.api_token.is_none() {
        tracing::warn!("LEADBOT_API_TOKEN is not set: /api/messages answers 503");
    }
    let mut stdout = tokio::io::stdout();
    stdout
        .write_all(format!("listening on {address}\n").as_bytes())
        .await?;
    stdout.flush().await?;
    let operations = http::operations::Operations {
        store: state.runtime.store().clone(),
        admin_token: config.admin_token.clone(),
    };
    let admin = http::admin::Admin {
        runtime: state.runtime.clone(),
        admin_token: config.admin_token.clone(),
        scripts: config.scripts.clone(),
        costs: config.source_costs.clone(),
    };
    let mut app = http::app(state)
        .merge(http::operations::routes(operations))
        .merge(http::admin::routes(admin));
    if let Some(slack) = slack {
        app = app.merge(slack::routes(slack));
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(stop.received())
        .await
        .context("server stopped")?;
    Ok(())
}

/// Ctrl-C or SIGTERM, listened for from the moment it is made: a signal that arrives before
/// [`StopSignal::received`] is awaited is kept, not lost to the default action (exit).
struct StopSignal {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn listen() -> Result<StopSignal> {
        Ok(StopSignal {
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .context("cannot listen for SIGTERM")?,
            #[cfg(unix)]
            interrupt: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .context("cannot listen for Ctrl-C")?,
        })
    }

    /// Resolves once Ctrl-C or SIGTERM arrived (or had arrived).
    #[cfg(unix)]
    async fn received(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }

    /// Resolves once Ctrl-C arrived.
    #[cfg(not(unix))]
    async fn received(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
