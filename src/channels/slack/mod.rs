//! Purpose: the Slack channel — prospects qualify in a DM with the app or in a thread under an
//! @mention, answer with Block Kit buttons or free text, and `/qualify` starts over; replies
//! and rep hand-off cards leave through the outbox via the Web API.
//!
//! Inbound requests are verified ([`signature`]), read ([`inbound`]) and run as turns through
//! [`Runtime::handle`] with the replies routed to the outbox destination [`DESTINATION`];
//! the [`deliver`] worker sends them with [`web`], rendered by [`blocks`].

pub mod address;
pub mod blocks;
mod catch_up;
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

use self::address::{ClickedQuestion, ReplyContext};
use self::inbound::{CloseClick, Command, HandoffClick, Turn, TurnInput};
use crate::delivery::{RetryPolicy, Workers};
use crate::engine::Input;
use crate::notify::CardRef;
use crate::person::PersonId;
use crate::runtime::{
    Closing, Handled, HandoffAnswer, HandoffAnswered, HandoffOutcome, Ignored, Inbound,
    RepIdentity, ReplyRoute, Runtime, RuntimeError,
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
    pub fn start_delivery(&self, workers: &Workers, policy: RetryPolicy) {
        let wake = self.runtime.outbox_wake();
        let deliverer = deliver::SlackDelivery::new(self.web.clone(), wake.clone());
        workers.deliver(self.runtime.store(), DESTINATION, deliverer, &wake, policy);
    }

    /// Catches up, in the background, on what prospects wrote while no leadbot process ran
    /// (see [`catch_up`]); stops early when the workers stop.
    pub fn start_catch_up(self: &Arc<Self>, workers: &Workers) {
        let app = self.clone();
        let mut stop = workers.stopping();
        workers.spawn(async move {
            let now_ms = Utc::now().timestamp_millis();
            tokio::select! {
                _ = app.catch_up(now_ms) => {}
                _ = stop.changed() => {}
            }
        });
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

    /// Runs a message or click as a turn. `Ok` means stored (or seen before, or not the bot's
    /// business): only then may Slack be told the event was received.
    pub async fn run_turn(&self, mut turn: Turn) -> Result<Handled, RuntimeError> {
        if turn.key.address.starts_with("dm:") && turn.reply.thread_ts.is_some() {
            if let Some(replied) = self.rep_answer_in_thread(&turn).await {
                return replied.map(|()| Handled::Ignored(Ignored::NoConversation));
            }
            // Prospects are answered in the DM itself, threads or not.
            turn.reply.thread_ts = None;
        }
        let (input, answers_step) = match turn.input {
            TurnInput::Text(text) => (Input::Text(text), None),
            TurnInput::Choice { step, value } => (Input::Choice { step, value }, None),
        };
        // The message's own time, but never later than this server's clock: the outbox
        // schedules the replies at the turn's time, and a clock running behind Slack's would
        // otherwise hold them back.
        let now = turn.at.min(Utc::now().fixed_offset());
        let clicked = turn.reply.clicked.clone();
        let person = address::user_of(&turn.key.address).and_then(PersonId::slack);
        let inbound = Inbound {
            reply_via: Some(self.route(&turn.reply)),
            existing_only: turn.existing_only,
            answers_step,
            person,
            ..Inbound::new(turn.key, Some(turn.event_id), input, now)
        };
        let handled = self.runtime.handle(&inbound).await.inspect_err(|error| {
            tracing::error!(%error, event = ?inbound.event_id, "a Slack turn failed; Slack will retry it");
        })?;
        match &handled {
            Handled::Duplicate => {
                tracing::debug!(event = ?inbound.event_id, "a Slack event seen before");
            }
            Handled::Ignored(Ignored::NoConversation) => {
                tracing::debug!(event = ?inbound.event_id, "not a conversation of the bot");
            }
            Handled::Ignored(Ignored::QuestionClosed { .. }) => {
                if let Some(clicked) = clicked {
                    self.close_question(&clicked).await;
                }
            }
            Handled::Replied(_) => {}
        }
        Ok(handled)
    }

    /// Rewrites a question whose button was clicked too late, without its buttons, so the
    /// prospect sees it is closed. Best effort: the click itself changed nothing.
    async fn close_question(&self, clicked: &ClickedQuestion) {
        if let Err(error) = self
            .web
            .update(&clicked.channel, &clicked.ts, blocks::closed(clicked))
            .await
        {
            tracing::warn!(%error, "could not mark a closed question");
        }
    }

    /// Starts the caller's dialogue afresh in their DM; returns what the caller is told, or
    /// the error that kept it from being stored.
    pub async fn start_over(&self, command: Command) -> Result<String, RuntimeError> {
        let key = address::direct(&command.user);
        let route = self.route(&ReplyContext {
            user: Some(command.user.clone()),
            ..ReplyContext::default()
        });
        let started = self
            .runtime
            .start_over_as(
                &key,
                PersonId::slack(&command.user).as_ref(),
                command.script.as_deref(),
                Utc::now().fixed_offset(),
                Some((&route, &command.request_id)),
            )
            .await;
        match started {
            Ok(handled) => {
                if let Handled::Replied(outcome) = &handled {
                    let source = format!("slack:{}", self.config.command);
                    self.runtime
                        .remember_platform_source(
                            outcome.lead_id,
                            &source,
                            Utc::now().timestamp_millis(),
                        )
                        .await;
                }
                Ok("Let's go — I've sent you a direct message.".to_string())
            }
            Err(RuntimeError::ScriptMissing(script)) => Ok(format!(
                "There is no conversation script called “{script}”."
            )),
            Err(error) => {
                tracing::error!(%error, "starting a Slack dialogue failed");
                Err(error)
            }
        }
    }

    /// A rep's Accept or Pass on a hand-off card: recorded by routing (a repeated click
    /// changes nothing), then the card is redrawn with the outcome instead of the buttons.
    /// Fails only when the answer could not be stored (a refused answer is logged).
    /// A rep writing in a thread of their DM with the app (under a prospect's message or the
    /// takeover card) answers the prospect of their latest takeover; `None` when the writer is
    /// not a rep (the message is an ordinary turn then).
    async fn rep_answer_in_thread(&self, turn: &Turn) -> Option<Result<(), RuntimeError>> {
        let user = address::user_of(&turn.key.address)?;
        let team = self.runtime.team()?;
        let rep = team.rep_by_platform_user("slack", user)?;
        let TurnInput::Text(text) = &turn.input else {
            return Some(Ok(()));
        };
        let now = turn.at.min(Utc::now().fixed_offset());
        let who = RepIdentity::Slack(user.to_string());
        match self
            .runtime
            .reply_to_latest_takeover(&who, text, &turn.event_id, now)
            .await
        {
            Ok(Some(_)) => Some(Ok(())),
            Ok(None) => {
                tracing::info!(rep = %rep.id, "a rep wrote in a thread, but has no takeover");
                Some(Ok(()))
            }
            Err(error @ RuntimeError::Store(_)) => Some(Err(error)),
            Err(error) => {
                tracing::warn!(%error, "a rep's thread reply was not sent");
                Some(Ok(()))
            }
        }
    }

    /// A rep's "Hand back to the bot" click: the prospect's script resumes. A click by someone
    /// who is not a rep, or a second click, changes nothing.
    pub async fn hand_back(&self, lead_id: i64, user: &str) -> Result<(), RuntimeError> {
        let is_rep = self
            .runtime
            .team()
            .is_some_and(|team| team.rep_by_platform_user("slack", user).is_some());
        if !is_rep {
            tracing::warn!(
                lead = lead_id,
                "a hand-back click from someone not in the reps file"
            );
            return Ok(());
        }
        match self
            .runtime
            .hand_back(lead_id, Utc::now().fixed_offset())
            .await
        {
            Ok(_) => Ok(()),
            Err(error @ RuntimeError::Store(_)) => Err(error),
            Err(error) => {
                tracing::warn!(lead = lead_id, %error, "a hand-back from Slack was refused");
                Ok(())
            }
        }
    }

    /// A rep's pick in the Close menu of their accepted card: the hand-off is closed with that
    /// outcome (as `leadbot handoff close`), and the card redrawn without the menu. A pick by
    /// someone else, or on a hand-off already closed, changes nothing. Fails only when the
    /// outcome could not be stored.
    pub async fn close_handoff(&self, click: CloseClick) -> Result<(), RuntimeError> {
        let closed = match HandoffOutcome::from_name(&click.outcome) {
            None => Ok(false),
            Some(outcome) => {
                self.runtime
                    .close_handoff_as(
                        click.assignment_id,
                        &RepIdentity::Slack(click.user.clone()),
                        &Closing::outcome_only(outcome),
                        Utc::now().fixed_offset(),
                    )
                    .await
            }
        };
        let line = match closed {
            Ok(true) => format!(
                "🏁 Closed by <@{}>: {}",
                click.user,
                click.outcome.replace('_', " ")
            ),
            Ok(false) => return Ok(()),
            Err(error @ RuntimeError::Store(_)) => return Err(error),
            Err(error) => {
                tracing::warn!(assignment = click.assignment_id, %error, "a close from Slack was refused");
                return Ok(());
            }
        };
        let card = click
            .card
            .and_then(|blocks| serde_json::from_value(blocks).ok());
        let content = blocks::answered_card(card, &click.headline, &line, None);
        if let Err(error) = self.web.update(&click.channel, &click.ts, content).await {
            tracing::warn!(%error, "could not update a closed hand-off card");
        }
        Ok(())
    }

    pub async fn answer_handoff(&self, click: HandoffClick) -> Result<(), RuntimeError> {
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
        let mut close_menu = None;
        let outcome = match answered {
            Ok(HandoffAnswered::Accepted { .. } | HandoffAnswered::AlreadyAccepted { .. }) => {
                close_menu = Some(click.assignment_id);
                format!("✅ Accepted by <@{user}>")
            }
            Ok(HandoffAnswered::Passed { .. }) => {
                format!("↷ <@{user}> passed: the lead was offered to someone else")
            }
            Ok(HandoffAnswered::NotOpen { status }) => {
                format!("This lead is no longer open ({status})")
            }
            Err(error @ RuntimeError::Store(_)) => {
                tracing::error!(assignment = click.assignment_id, %error, "a hand-off answer from Slack was not stored");
                return Err(error);
            }
            Err(error) => {
                tracing::warn!(assignment = click.assignment_id, %error, "a hand-off answer from Slack was refused");
                return Ok(());
            }
        };
        let card = click
            .card
            .and_then(|blocks| serde_json::from_value(blocks).ok());
        let content = blocks::answered_card(card, &click.headline, &outcome, close_menu);
        let shown = serde_json::to_string(&content).unwrap_or_default();
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
            return Ok(());
        }
        // Where the card is, so a meeting booked later shows on it.
        let card = CardRef {
            channel: click.channel.clone(),
            message: click.ts.clone(),
            shown,
        };
        let remembered = self
            .runtime
            .remember_card(
                click.assignment_id,
                address::CHANNEL,
                card,
                Utc::now().fixed_offset(),
            )
            .await;
        if let Err(error) = remembered {
            tracing::warn!(%error, "could not remember a hand-off card");
        }
        Ok(())
    }
}
