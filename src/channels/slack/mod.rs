//! Purpose: the Slack channel — prospects qualify in a DM with the app or in a thread under an
//! @mention, answer with Block Kit buttons or free text, and `/qualify` starts over; replies
//! and rep hand-off cards leave through the outbox via the Web API.
//!
//! Inbound requests are verified ([`signature`]), read ([`inbound`]) and run as turns through
//! [`Runtime::handle`] with the replies routed to the outbox destination [`DESTINATION`];
//! the [`deliver`] worker sends them with [`web`], rendered by [`blocks`].

pub mod address;
pub mod blocks;
pub mod config;
pub mod deliver;
pub mod endpoints;
pub mod inbound;
pub mod signature;
pub mod socket;
pub mod web;

use std::sync::Arc;

use chrono::Utc;

pub use config::{MentionMode, SlackConfig};
pub use endpoints::routes;

use self::address::ReplyContext;
use self::inbound::{Command, HandoffClick, Turn, TurnInput};
use crate::delivery::{self, RetryPolicy};
use crate::engine::Input;
use crate::runtime::{
    Handled, HandoffAnswer, HandoffAnswered, Inbound, RepIdentity, ReplyRoute, Runtime,
    RuntimeError,
};

/// The outbox destination of everything the Slack channel sends.
pub const DESTINATION: &str = "slack";

/// What the Slack handlers share.
#[derive(Debug)]
pub struct SlackApp {
    runtime: Runtime,
    config: SlackConfig,
    web: web::SlackWeb,
}

impl SlackApp {
    /// The Slack channel over `runtime`.
    pub fn new(runtime: Runtime, config: SlackConfig) -> Arc<Self> {
        let web = web::SlackWeb::new(&config.api_url, &config.bot_token);
        Arc::new(SlackApp {
            runtime,
            config,
            web,
        })
    }

    /// Starts the worker that delivers the `slack` outbox items until the process ends.
    pub fn start_delivery(&self, policy: RetryPolicy) {
        let wake = self.runtime.outbox_wake();
        let deliverer = deliver::SlackDelivery::new(self.web.clone(), wake.clone());
        tokio::spawn(delivery::run_worker(
            self.runtime.store().clone(),
            DESTINATION.to_string(),
            deliverer,
            wake.subscribe(),
            policy,
        ));
    }

    /// Connects Socket Mode when `SLACK_APP_TOKEN` is set: the same handlers, over Slack's
    /// WebSockets instead of HTTP requests. The connections serve while the returned value is
    /// kept; stop them before the store closes.
    pub async fn start_socket_mode(
        self: &Arc<Self>,
    ) -> Result<Option<socket::SocketMode>, slack_morphism::errors::SlackClientError> {
        match &self.config.app_token {
            Some(token) => socket::SocketMode::start(self.clone(), token)
                .await
                .map(Some),
            None => Ok(None),
        }
    }

    /// The settings.
    pub fn config(&self) -> &SlackConfig {
        &self.config
    }

    fn route(&self, reply: &ReplyContext) -> ReplyRoute {
        ReplyRoute {
            destination: DESTINATION.to_string(),
            context: serde_json::to_value(reply).unwrap_or_default(),
        }
    }

    /// Runs a message or click as a turn; errors are logged (the request was acknowledged).
    pub async fn run_turn(&self, turn: Turn) {
        if let Err(error) = self.try_turn(turn).await {
            tracing::error!(%error, "a Slack turn failed");
        }
    }

    async fn try_turn(&self, turn: Turn) -> Result<(), RuntimeError> {
        let clicked_step = match &turn.input {
            TurnInput::Choice { step, .. } => Some(step.as_str()),
            TurnInput::Text(_) => None,
        };
        if turn.existing_only || clicked_step.is_some() {
            let Some((conversation, _)) = self.runtime.resume(&turn.key).await? else {
                tracing::debug!(event = %turn.event_id, "not a conversation of the bot");
                return Ok(());
            };
            let waiting_for = conversation.state.pending.as_ref().map(|p| p.step.as_str());
            if clicked_step.is_some() && clicked_step != waiting_for {
                tracing::debug!(event = %turn.event_id, "a click on an earlier question");
                return Ok(());
            }
        }
        let input = match turn.input {
            TurnInput::Text(text) => Input::Text(text),
            TurnInput::Choice { step, value } => Input::Choice { step, value },
        };
        // The message's own time, but never later than this server's clock: the outbox
        // schedules the replies at the turn's time, and a clock running behind Slack's would
        // otherwise hold them back.
        let now = turn.at.min(Utc::now().fixed_offset());
        let inbound = Inbound {
            key: turn.key,
            event_id: Some(turn.event_id),
            input,
            now,
            reply_via: Some(self.route(&turn.reply)),
        };
        if self.runtime.handle(&inbound).await? == Handled::Duplicate {
            tracing::debug!(event = ?inbound.event_id, "a Slack event seen before");
        }
        Ok(())
    }

    /// Starts the caller's dialogue afresh in their DM; returns what the caller is told.
    pub async fn start_over(&self, command: Command) -> String {
        let key = address::direct(&command.user);
        let route = self.route(&ReplyContext {
            user: Some(command.user.clone()),
            ..ReplyContext::default()
        });
        let started = self
            .runtime
            .start_over(
                &key,
                command.script.as_deref(),
                Utc::now().fixed_offset(),
                Some((&route, &command.request_id)),
            )
            .await;
        match started {
            Ok(_) => "Let's go — I've sent you a direct message.".to_string(),
            Err(RuntimeError::ScriptMissing(script)) => {
                format!("There is no conversation script called “{script}”.")
            }
            Err(error) => {
                tracing::error!(%error, "starting a Slack dialogue failed");
                "Sorry, something went wrong. Please try again.".to_string()
            }
        }
    }

    /// A rep's Accept or Pass on a hand-off card: recorded by routing (a repeated click
    /// changes nothing), then the card is redrawn with the outcome instead of the buttons.
    pub async fn answer_handoff(&self, click: HandoffClick) {
        let answer = if click.accept {
            HandoffAnswer::Accept
        } else {
            HandoffAnswer::Pass
        };
        let answered = self
            .runtime
            .answer_handoff(
                click.assignment_id,
                RepIdentity::Slack(click.user.clone()),
                answer,
                Utc::now().fixed_offset(),
            )
            .await;
        let user = &click.user;
        let outcome = match answered {
            Ok(HandoffAnswered::Accepted { .. } | HandoffAnswered::AlreadyAccepted { .. }) => {
                format!("✅ Accepted by <@{user}>")
            }
            Ok(HandoffAnswered::Passed { .. }) => {
                format!("↷ <@{user}> passed: the lead was offered to someone else")
            }
            Ok(HandoffAnswered::NotOpen { status }) => {
                format!("This lead is no longer open ({status})")
            }
            Err(error) => {
                tracing::warn!(assignment = click.assignment_id, %error, "a hand-off answer from Slack was refused");
                return;
            }
        };
        let card = click
            .card
            .and_then(|blocks| serde_json::from_value(blocks).ok());
        let content = blocks::answered_card(card, &click.headline, &outcome);
        let mut updated = self
            .web
            .update(&click.channel, &click.ts, content.clone())
            .await;
        if let Err(web::CallError::RateLimited { retry_after }) = updated {
            tokio::time::sleep(retry_after.unwrap_or(std::time::Duration::from_secs(1))).await;
            updated = self.web.update(&click.channel, &click.ts, content).await;
        }
        if let Err(error) = updated {
            tracing::warn!(%error, "could not update a hand-off card");
        }
    }
}
