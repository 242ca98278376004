//! Purpose: the gateway side — serenity's event handler forwards READY, MESSAGE_CREATE and
//! INTERACTION_CREATE to functions that need only leadbot's REST client and runtime: turns go
//! through `Runtime::handle` (deduplicated by message / interaction id, replies queued for the
//! outbox), clicks are answered within Discord's 3 seconds, `/qualify` starts over.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::json;
use serenity::all::{
    ApplicationId, ChannelId, CommandInteraction, ComponentInteraction,
    ComponentInteractionDataKind, Context, CreateCommand, CreateInteractionResponse,
    CreateInteractionResponseMessage, EventHandler, GuildId, Interaction, InteractionId, Message,
    Ready, UserId,
};
use serenity::http::{LightMethod, Route};

use super::config::CommandScope;
use super::ids::{self, ComponentAction, ProspectAddress};
use super::inbound::{self, MessageRoute};
use super::render::{self, ReplyContext};
use super::rest::{Rest, RestReply};
use crate::conversation::ConversationKey;
use crate::engine::Input;
use crate::notify::CardRef;
use crate::person::PersonId;
use crate::runtime::{
    Closing, Handled, HandoffAnswer, HandoffAnswered, HandoffOutcome, Ignored, Inbound,
    RepIdentity, ReplyRoute, Runtime, RuntimeError,
};

/// What a prospect is told when their message could not be saved, even after retrying.
pub const NOT_SAVED: &str =
    "Sorry — we could not save your last message just now. Please send it again.";

/// What someone clicking a question in another prospect's thread is told.
const NOT_THEIR_QUESTION: &str =
    "This question is for someone else — post in the channel to start your own.";

/// How long a click's turn may take before the click is acknowledged without waiting for it
/// (Discord allows 3 seconds for the first answer).
const CLICK_ANSWER_BUDGET: Duration = Duration::from_millis(2000);

/// The first wait before a Discord turn the database refused is tried again; it doubles.
const FIRST_RETRY_WAIT: Duration = Duration::from_millis(250);

/// The longest wait between two tries of a Discord turn.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(8);

/// One Discord event to run as a turn.
struct DiscordTurn {
    address: ProspectAddress,
    event_id: String,
    input: Input,
    answers_step: Option<String>,
    existing_only: bool,
    /// The message's or interaction's id, whose timestamp is the turn's time.
    snowflake: u64,
    context: ReplyContext,
    /// Where to tell the prospect if the turn cannot be stored.
    told_in: ChannelId,
}

/// Per-conversation locks, so this process runs one conversation's turns one at a time, in
/// the order they arrived, even while one of them is being retried.
#[derive(Debug, Default)]
struct InOrder {
    locks: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl InOrder {
    /// The lock of `address`; entries nobody holds or waits for are dropped as it goes.
    fn of(&self, address: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        locks.entry(address.to_string()).or_default().clone()
    }
}

/// The name of the slash command that starts a qualification.
pub const QUALIFY_COMMAND: &str = "qualify";

/// Discord's code for "this interaction has already been acknowledged" (a replayed event).
const ALREADY_ACKNOWLEDGED: i64 = 40_060;

/// What every gateway handler shares.
#[derive(Debug)]
pub struct Gateway {
    runtime: Runtime,
    rest: Arc<Rest>,
    channels: HashSet<ChannelId>,
    commands: CommandScope,
    application_id: AtomicU64,
    bot_user: AtomicU64,
    commands_registered: AtomicBool,
    warned_no_content: AtomicBool,
    /// How long a turn the database refused is retried.
    retry_for: Duration,
    in_order: InOrder,
}

impl Gateway {
    /// The handlers' shared state.
    pub fn new(
        runtime: Runtime,
        rest: Arc<Rest>,
        channels: &[ChannelId],
        commands: CommandScope,
        application_id: Option<u64>,
        retry_for: Duration,
    ) -> Self {
        Gateway {
            runtime,
            rest,
            channels: channels.iter().copied().collect(),
            commands,
            application_id: AtomicU64::new(application_id.unwrap_or(0)),
            bot_user: AtomicU64::new(0),
            commands_registered: AtomicBool::new(false),
            warned_no_content: AtomicBool::new(false),
            retry_for,
            in_order: InOrder::default(),
        }
    }

    /// The runtime turns run on.
    pub(super) fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The REST client.
    pub(super) fn rest(&self) -> &Rest {
        &self.rest
    }

    fn bot_user(&self) -> Option<UserId> {
        match self.bot_user.load(Ordering::Acquire) {
            0 => None,
            id => Some(UserId::new(id)),
        }
    }

    /// READY: remember who the bot is, register `/qualify` once per process.
    pub async fn on_ready(&self, ready: &Ready) {
        self.bot_user.store(ready.user.id.get(), Ordering::Release);
        let _ = self.application_id.compare_exchange(
            0,
            ready.application.id.get(),
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        tracing::info!(shard = ?ready.shard, "Discord gateway ready");
        if !self.commands_registered.swap(true, Ordering::AcqRel) {
            self.register_commands().await;
        }
        super::catch_up::catch_up(self, chrono::Utc::now().timestamp_millis()).await;
    }

    async fn register_commands(&self) {
        let application_id =
            ApplicationId::new(match self.application_id.load(Ordering::Acquire) {
                0 => return,
                id => id,
            });
        let commands = [CreateCommand::new(QUALIFY_COMMAND)
            .description("Start (or start over) a short chat to find the right person for you")];
        let routes: Vec<Route<'_>> = match &self.commands {
            CommandScope::Off => return,
            CommandScope::Global => vec![Route::Commands { application_id }],
            CommandScope::Guilds(guilds) => guilds
                .iter()
                .map(|guild_id: &GuildId| Route::GuildCommands {
                    application_id,
                    guild_id: *guild_id,
                })
                .collect(),
        };
        for route in routes {
            match self
                .rest
                .call(LightMethod::Put, route, Some(&commands), Some("commands"))
                .await
            {
                Ok(reply) if reply.is_success() => {}
                Ok(reply) => {
                    tracing::error!(status = reply.status, "registering /qualify was refused");
                }
                Err(error) => tracing::error!(%error, "registering /qualify failed"),
            }
        }
    }

    /// MESSAGE_CREATE: a prospect's turn, a rep's answer to a prospect who asked for a person,
    /// or nothing.
    pub async fn on_message(&self, message: &Message) {
        if self.rep_answer(message).await {
            return;
        }
        let route = inbound::route_message(message, self.bot_user(), &self.channels);
        let (address, text, context, existing_only) = match route {
            MessageRoute::Ignore(why) => {
                if why == "no text"
                    && message.guild_id.is_some()
                    && !message.author.bot
                    && !self.warned_no_content.swap(true, Ordering::AcqRel)
                {
                    tracing::warn!(
                        "a guild message arrived without text: enable the MESSAGE_CONTENT intent \
                         (Developer Portal → Bot) or prospects must mention the bot"
                    );
                }
                return;
            }
            MessageRoute::Turn {
                address,
                text,
                context,
            } => (address, text, context, false),
            MessageRoute::IfThreadKnown { address, text } => {
                let context = ReplyContext {
                    channel_id: Some(message.channel_id),
                    ..ReplyContext::default()
                };
                (address, text, context, true)
            }
        };
        // A message in a qualification channel opens the dialogue: that channel is its source.
        let source = self
            .channels
            .contains(&message.channel_id)
            .then(|| format!("discord:#{}", message.channel_id.get()));
        let turn = DiscordTurn {
            address,
            event_id: ids::message_event(message.id.get()),
            input: Input::Text(text),
            answers_step: None,
            existing_only,
            snowflake: message.id.get(),
            context,
            told_in: message.channel_id,
        };
        let handled = self.turn(turn).await;
        if let (Some(source), Some(Handled::Replied(outcome))) = (source, handled) {
            let now_ms = inbound::snowflake_time(message.id.get()).timestamp_millis();
            self.runtime
                .remember_platform_source(outcome.lead_id, &source, now_ms)
                .await;
        }
    }

    /// A rep replying (Discord's Reply) in their DM with the bot — to the takeover embed or a
    /// message relayed from the prospect — answers the prospect of their latest takeover, with
    /// the rep's name. True when the message was a rep's reply (handled, or refused and logged).
    async fn rep_answer(&self, message: &Message) -> bool {
        if message.guild_id.is_some() || message.message_reference.is_none() {
            return false;
        }
        let Some(team) = self.runtime.team() else {
            return false;
        };
        let user = message.author.id.to_string();
        let Some(rep) = team.rep_by_platform_user(ids::CHANNEL, &user) else {
            return false;
        };
        let event = ids::message_event(message.id.get());
        let now = inbound::snowflake_time(message.id.get());
        let sent = self
            .runtime
            .reply_to_latest_takeover(&RepIdentity::Discord(user), &message.content, &event, now)
            .await;
        match sent {
            Ok(Some(_)) => {}
            Ok(None) => {
                tracing::info!(rep = %rep.id, "a rep replied in their DM, but has no takeover");
            }
            Err(error @ RuntimeError::Store(_)) => {
                tracing::error!(%error, "a rep's Discord reply was not stored");
                self.say_not_saved(message.channel_id).await;
            }
            Err(error) => tracing::warn!(%error, "a rep's Discord reply was not sent"),
        }
        true
    }

    /// A rep's pick in the Close menu of their accepted hand-off: closed with that outcome
    /// (as `leadbot handoff close`), and the message redrawn without the menu. Someone else's
    /// pick, or one on a hand-off already closed, is answered privately and changes nothing.
    async fn on_close(&self, click: &ComponentInteraction, assignment_id: i64) {
        let picked = match &click.data.kind {
            ComponentInteractionDataKind::StringSelect { values } => values.first().cloned(),
            _ => None,
        };
        let Some(outcome) = picked.as_deref().and_then(HandoffOutcome::from_name) else {
            self.respond(click.id, &click.token, ephemeral("Pick an outcome."))
                .await;
            return;
        };
        let closing = Closing::outcome_only(outcome);
        let user = click.user.id;
        let now = inbound::snowflake_time(click.id.get());
        let closed = self
            .runtime
            .close_handoff_as(
                assignment_id,
                &RepIdentity::Discord(user.to_string()),
                &closing,
                now,
            )
            .await;
        let response = match closed {
            Ok(true) => CreateInteractionResponse::UpdateMessage(
                CreateInteractionResponseMessage::new()
                    .content(format!(
                        "🏁 Closed by <@{user}>: {}",
                        outcome.name().replace('_', " ")
                    ))
                    .components(Vec::new()),
            ),
            Ok(false) => ephemeral("This hand-off is already closed."),
            Err(RuntimeError::NotTheirLead { .. }) => ephemeral("This lead is another rep's."),
            Err(RuntimeError::UnknownRep(_)) => {
                ephemeral("Your Discord account is not in the reps file (discord_user).")
            }
            Err(error) => {
                tracing::error!(%error, assignment_id, "closing a hand-off from Discord failed");
                ephemeral("An internal error occurred; try again.")
            }
        };
        self.respond(click.id, &click.token, response).await;
    }

    /// A rep's "Hand back to the bot" click: the prospect's script resumes where it stopped.
    /// Someone not in the reps file, or a second click, changes nothing.
    async fn on_hand_back(&self, click: &ComponentInteraction, lead_id: i64) {
        let is_rep = self.runtime.team().is_some_and(|team| {
            team.rep_by_platform_user(ids::CHANNEL, &click.user.id.to_string())
                .is_some()
        });
        let text = if !is_rep {
            "Your Discord account is not in the reps file (discord_user)."
        } else {
            let now = inbound::snowflake_time(click.id.get());
            match self.runtime.hand_back(lead_id, now).await {
                Ok(true) => "Handed back: the bot asks the prospect its question again.",
                Ok(false) => "The bot already has this conversation.",
                Err(error) => {
                    tracing::error!(%error, lead_id, "a hand-back from Discord failed");
                    "An internal error occurred; try again."
                }
            }
        };
        self.respond(click.id, &click.token, ephemeral(text)).await;
    }

    /// Runs a turn. Discord cannot deliver a gateway event again, so a turn the database
    /// refused is retried here with backoff (turns of one conversation wait for each other, in
    /// order) for up to the configured time; if it still fails, the prospect is told plainly
    /// to send it again. `None` when it was not stored.
    async fn turn(&self, turn: DiscordTurn) -> Option<Handled> {
        let context = match serde_json::to_value(&turn.context) {
            Ok(context) => context,
            Err(error) => {
                tracing::error!(%error, "cannot encode a reply context");
                return None;
            }
        };
        let inbound = Inbound {
            reply_via: Some(ReplyRoute {
                destination: ids::CHANNEL.to_string(),
                context,
            }),
            existing_only: turn.existing_only,
            answers_step: turn.answers_step,
            person: PersonId::discord(&person_of(&turn.address).to_string()),
            ..Inbound::new(
                key(&turn.address),
                Some(turn.event_id),
                turn.input,
                inbound::snowflake_time(turn.snowflake),
            )
        };
        let handled = self
            .stored_with_retries(&inbound.key.address, turn.told_in, || {
                self.runtime.handle(&inbound)
            })
            .await?;
        if handled == Handled::Duplicate {
            tracing::debug!(event = ?inbound.event_id, "replayed Discord event ignored");
        }
        Some(handled)
    }

    /// Runs `work` (a turn of the conversation at `address`) until it is stored: a database
    /// failure is retried with backoff for up to the configured time, turns of one conversation
    /// waiting for each other in arrival order. If it still fails the prospect is told, in
    /// `told_in`, to send it again; `None` then.
    async fn stored_with_retries<T, F, W>(
        &self,
        address: &str,
        told_in: ChannelId,
        mut work: W,
    ) -> Option<T>
    where
        W: FnMut() -> F,
        F: std::future::Future<Output = Result<T, RuntimeError>>,
    {
        let in_order = self.in_order.of(address);
        let _turn_of_this_conversation = in_order.lock().await;
        let deadline = tokio::time::Instant::now() + self.retry_for;
        let mut wait = FIRST_RETRY_WAIT;
        loop {
            let failure = match work().await {
                Ok(done) => return Some(done),
                Err(error) => error,
            };
            let transient = matches!(failure, RuntimeError::Store(_));
            if !transient || tokio::time::Instant::now() + wait > deadline {
                tracing::error!(error = %failure, address, "a Discord turn was not stored; the prospect is asked to send it again");
                self.say_not_saved(told_in).await;
                return None;
            }
            tracing::warn!(error = %failure, address, retry_in = ?wait, "a Discord turn was not stored; retrying");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(MAX_RETRY_WAIT);
        }
    }

    /// Tells the prospect, straight through the REST API (the outbox is in the database that
    /// just failed), that their message was not saved.
    async fn say_not_saved(&self, channel: ChannelId) {
        let body = json!({ "content": NOT_SAVED, "allowed_mentions": { "parse": [] } });
        let answer = self
            .rest
            .call(
                LightMethod::Post,
                Route::ChannelMessages {
                    channel_id: channel,
                },
                Some(&body),
                Some("not-saved"),
            )
            .await;
        if !answer.as_ref().is_ok_and(RestReply::is_success) {
            tracing::warn!(%channel, "could not tell a prospect their message was not saved");
        }
    }

    /// INTERACTION_CREATE: a click, or `/qualify`.
    pub async fn on_interaction(&self, interaction: &Interaction) {
        match interaction {
            Interaction::Component(click) => self.on_click(click).await,
            Interaction::Command(command) if command.data.name == QUALIFY_COMMAND => {
                self.on_qualify(command).await;
            }
            _ => {}
        }
    }

    /// A prospect's click on a question, run as a turn; the question is redrawn without its
    /// buttons — with the choice, or marked closed when it was no longer the question asked.
    /// Discord wants an answer within 3 seconds: normally the turn is done by then and the
    /// answer is the redrawn message; otherwise the click is acknowledged and the message
    /// redrawn when the turn ends.
    async fn on_click(&self, click: &ComponentInteraction) {
        let Some(action) = ComponentAction::parse(&click.data.custom_id) else {
            return;
        };
        if let ComponentAction::Handoff {
            assignment_id,
            accept,
        } = action
        {
            self.on_handoff_answer(click, assignment_id, accept).await;
            return;
        }
        if let ComponentAction::HandBack { lead_id } = action {
            self.on_hand_back(click, lead_id).await;
            return;
        }
        if let ComponentAction::Close { assignment_id } = action {
            self.on_close(click, assignment_id).await;
            return;
        }
        let address = inbound::click_address(click);
        let Some(clicked) = inbound::click_input(click, &action) else {
            return;
        };
        let existing_only = matches!(address, ProspectAddress::Thread { .. });
        let turn = DiscordTurn {
            address,
            event_id: ids::interaction_event(click.id.get()),
            input: clicked.input,
            answers_step: clicked.answers_step,
            existing_only,
            snowflake: click.id.get(),
            context: ReplyContext {
                channel_id: Some(click.channel_id),
                ..ReplyContext::default()
            },
            told_in: click.channel_id,
        };
        let running = self.turn(turn);
        tokio::pin!(running);
        if let Ok(handled) = tokio::time::timeout(CLICK_ANSWER_BUDGET, &mut running).await {
            let response = match redrawn(handled.as_ref(), click, &clicked.labels) {
                Redraw::Message(shown) => CreateInteractionResponse::UpdateMessage(
                    CreateInteractionResponseMessage::new()
                        .content(shown)
                        .components(Vec::new()),
                ),
                Redraw::NotTheirs => ephemeral(NOT_THEIR_QUESTION),
                Redraw::Nothing => CreateInteractionResponse::Acknowledge,
            };
            self.respond(click.id, &click.token, response).await;
            return;
        }
        self.respond(
            click.id,
            &click.token,
            CreateInteractionResponse::Acknowledge,
        )
        .await;
        let handled = running.await;
        match redrawn(handled.as_ref(), click, &clicked.labels) {
            Redraw::Message(shown) => {
                self.edit_original(click, &json!({ "content": shown, "components": [] }))
                    .await;
            }
            Redraw::NotTheirs => self.follow_up(click, NOT_THEIR_QUESTION).await,
            Redraw::Nothing => {}
        }
    }

    /// Replaces the message of an acknowledged component interaction.
    /// Redraws the clicked message; true when Discord took the edit.
    async fn edit_original(&self, click: &ComponentInteraction, edit: &serde_json::Value) -> bool {
        let answer = self
            .rest
            .call(
                LightMethod::Patch,
                Route::WebhookOriginalInteractionResponse {
                    application_id: click.application_id,
                    token: click.token.as_str(),
                },
                Some(edit),
                None,
            )
            .await;
        let edited = answer.as_ref().is_ok_and(RestReply::is_success);
        if !edited {
            tracing::warn!(interaction = %click.id, "could not redraw a clicked message");
        }
        edited
    }

    async fn on_qualify(&self, command: &CommandInteraction) {
        let user = command.user.id;
        let address = ProspectAddress::Dm { user };
        let (context, answer) = match command.guild_id {
            None => (
                ReplyContext {
                    channel_id: Some(command.channel_id),
                    ..ReplyContext::default()
                },
                "Starting over — here we go.",
            ),
            Some(_) => (
                ReplyContext {
                    user_id: Some(user),
                    ..ReplyContext::default()
                },
                "I've sent you a direct message to get started.",
            ),
        };
        self.respond(command.id, &command.token, ephemeral(answer))
            .await;
        let context = match serde_json::to_value(&context) {
            Ok(context) => context,
            Err(error) => {
                tracing::error!(%error, "cannot encode a reply context");
                return;
            }
        };
        let route = ReplyRoute {
            destination: ids::CHANNEL.to_string(),
            context,
        };
        let request = ids::interaction_event(command.id.get());
        let now = inbound::snowflake_time(command.id.get());
        let key = key(&address);
        let person = PersonId::discord(&user.to_string());
        let started = self
            .stored_with_retries(&key.address, command.channel_id, || {
                self.runtime.start_over_as(
                    &key,
                    person.as_ref(),
                    None,
                    now,
                    Some((&route, &request)),
                )
            })
            .await;
        if let Some(Handled::Replied(outcome)) = started {
            let source = format!("discord:/{QUALIFY_COMMAND}");
            self.runtime
                .remember_platform_source(outcome.lead_id, &source, now.timestamp_millis())
                .await;
        }
    }

    /// Accept / Pass on a hand-off embed: acknowledged at once (a deferred update), recorded
    /// through routing, then the embed's buttons are replaced by the outcome. A repeated or
    /// replayed click changes nothing (routing answers "already accepted" / "not open").
    async fn on_handoff_answer(
        &self,
        click: &ComponentInteraction,
        assignment_id: i64,
        accept: bool,
    ) {
        self.respond(
            click.id,
            &click.token,
            CreateInteractionResponse::Acknowledge,
        )
        .await;
        let user = click.user.id;
        let answer = if accept {
            HandoffAnswer::Accept
        } else {
            HandoffAnswer::Pass
        };
        let now = inbound::snowflake_time(click.id.get());
        let outcome = self
            .runtime
            .answer_handoff(
                assignment_id,
                RepIdentity::Discord(user.to_string()),
                answer,
                now,
            )
            .await;
        let mut components = json!([]);
        let shown = match outcome {
            Ok(HandoffAnswered::Accepted { .. } | HandoffAnswered::AlreadyAccepted { .. }) => {
                components = close_menu(assignment_id);
                format!("✅ Accepted by <@{user}> — the lead is yours.")
            }
            Ok(HandoffAnswered::Passed { next, .. }) => format!(
                "↩️ <@{user}> passed — offered to {}.",
                next.map_or_else(|| "the sales desk".to_string(), |rep| format!("rep {rep}"))
            ),
            Ok(HandoffAnswered::NotOpen { status }) => {
                format!("This hand-off is no longer open ({status}).")
            }
            Err(error) => {
                let text = match &error {
                    RuntimeError::NotTheirLead { .. } => "This lead was offered to another rep.",
                    RuntimeError::UnknownRep(_) => {
                        "Your Discord account is not in the reps file (discord_user)."
                    }
                    RuntimeError::NoTeam => "Hand-off answers need a reps file.",
                    _ => {
                        tracing::error!(%error, assignment_id, "a hand-off answer failed");
                        "An internal error occurred."
                    }
                };
                self.follow_up(click, text).await;
                return;
            }
        };
        if self
            .edit_original(
                click,
                &json!({ "content": shown, "components": components }),
            )
            .await
        {
            // Where the card is, so a meeting booked later shows on it.
            let card = CardRef {
                channel: click.channel_id.to_string(),
                message: click.message.id.to_string(),
                shown,
            };
            let remembered = self
                .runtime
                .remember_card(assignment_id, ids::CHANNEL, card, now)
                .await;
            if let Err(error) = remembered {
                tracing::warn!(%error, assignment_id, "could not remember a hand-off embed");
            }
        }
    }

    /// An ephemeral follow-up to an acknowledged interaction.
    async fn follow_up(&self, click: &ComponentInteraction, text: &str) {
        let body = json!({ "content": text, "flags": 64 });
        let answer = self
            .rest
            .call(
                LightMethod::Post,
                Route::WebhookFollowupMessages {
                    application_id: click.application_id,
                    token: &click.token,
                },
                Some(&body),
                None,
            )
            .await;
        if !answer.as_ref().is_ok_and(RestReply::is_success) {
            tracing::warn!(interaction = %click.id, "could not send a follow-up");
        }
    }

    /// Answers an interaction (must happen within 3 s). A replayed interaction was answered
    /// already; Discord's refusal then is expected.
    async fn respond(&self, id: InteractionId, token: &str, response: CreateInteractionResponse) {
        let answer = self
            .rest
            .call(
                LightMethod::Post,
                Route::InteractionResponse {
                    interaction_id: id,
                    token,
                },
                Some(&response),
                None,
            )
            .await;
        match answer {
            Ok(reply) if reply.is_success() => {}
            Ok(reply) if reply.error_code() == Some(ALREADY_ACKNOWLEDGED) => {
                tracing::debug!(interaction = %id, "interaction already answered");
            }
            Ok(reply) => {
                tracing::warn!(interaction = %id, status = reply.status, "interaction answer refused")
            }
            Err(error) => tracing::warn!(interaction = %id, %error, "interaction answer failed"),
        }
    }
}

/// What a clicked question becomes once its turn is done.
enum Redraw {
    /// Its new text, without buttons.
    Message(String),
    /// The clicker is not the prospect of this thread.
    NotTheirs,
    /// Leave it (the turn was not stored; the prospect was told).
    Nothing,
}

fn redrawn(handled: Option<&Handled>, click: &ComponentInteraction, labels: &[String]) -> Redraw {
    match handled {
        Some(Handled::Replied(_) | Handled::Duplicate) => {
            Redraw::Message(render::answered(&click.message.content, labels))
        }
        Some(Handled::Ignored(Ignored::QuestionClosed { .. })) => {
            Redraw::Message(render::closed(&click.message.content))
        }
        Some(Handled::Ignored(Ignored::NoConversation)) => Redraw::NotTheirs,
        None => Redraw::Nothing,
    }
}

/// "Close as…": a select menu of outcomes for an accepted hand-off, as raw components.
fn close_menu(assignment_id: i64) -> serde_json::Value {
    let options: Vec<serde_json::Value> = HandoffOutcome::ALL
        .iter()
        .map(|outcome| {
            json!({
                "label": match outcome {
                    HandoffOutcome::Won => "Won",
                    HandoffOutcome::Lost => "Lost",
                    HandoffOutcome::NoFit => "No fit",
                    HandoffOutcome::NoResponse => "No response",
                },
                "value": outcome.name(),
            })
        })
        .collect();
    json!([{
        "type": 1,
        "components": [{
            "type": 3,
            "custom_id": ComponentAction::Close { assignment_id }.encode(0),
            "placeholder": "Close as…",
            "options": options,
        }],
    }])
}

fn ephemeral(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(true),
    )
}

/// The Discord user a prospect's conversation belongs to.
fn person_of(address: &ProspectAddress) -> UserId {
    match address {
        ProspectAddress::Dm { user } | ProspectAddress::Thread { user, .. } => *user,
    }
}

/// A prospect's conversation key.
pub fn key(address: &ProspectAddress) -> ConversationKey {
    ConversationKey {
        channel: ids::CHANNEL.to_string(),
        address: address.encode(),
    }
}

/// serenity's event handler: each method forwards to [`Gateway`], because serenity's `Context`
/// cannot be built outside a live shard.
pub struct Handler(pub Arc<Gateway>);

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _: Context, ready: Ready) {
        crate::health::connected(super::HEALTH);
        self.0.on_ready(&ready).await;
    }

    async fn message(&self, _: Context, message: Message) {
        self.0.on_message(&message).await;
    }

    async fn interaction_create(&self, _: Context, interaction: Interaction) {
        self.0.on_interaction(&interaction).await;
    }
}
