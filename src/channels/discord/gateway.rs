//! Purpose: the gateway side — serenity's event handler forwards READY, MESSAGE_CREATE and
//! INTERACTION_CREATE to functions that need only leadbot's REST client and runtime: turns go
//! through `Runtime::handle` (deduplicated by message / interaction id, replies queued for the
//! outbox), clicks are answered within Discord's 3 seconds, `/qualify` starts over.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde_json::json;
use serenity::all::{
    ApplicationId, ChannelId, CommandInteraction, ComponentInteraction, Context, CreateCommand,
    CreateInteractionResponse, CreateInteractionResponseMessage, EventHandler, GuildId,
    Interaction, InteractionId, Message, Ready, UserId,
};
use serenity::http::{LightMethod, Route};

use super::config::CommandScope;
use super::ids::{self, ComponentAction, ProspectAddress};
use super::inbound::{self, MessageRoute};
use super::render::{self, ReplyContext};
use super::rest::{Rest, RestReply};
use crate::engine::Input;
use crate::runtime::{
    Handled, HandoffAnswer, HandoffAnswered, Inbound, RepIdentity, ReplyRoute, Runtime,
    RuntimeError,
};
use crate::store::ConversationKey;

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
}

impl Gateway {
    /// The handlers' shared state.
    pub fn new(
        runtime: Runtime,
        rest: Arc<Rest>,
        channels: &[ChannelId],
        commands: CommandScope,
        application_id: Option<u64>,
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
        }
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

    /// MESSAGE_CREATE: a prospect's turn, or nothing.
    pub async fn on_message(&self, message: &Message) {
        let route = inbound::route_message(message, self.bot_user(), &self.channels);
        let (address, text, context) = match route {
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
            } => (address, text, context),
            MessageRoute::IfThreadKnown { address, text } => {
                match self.runtime.resume(&key(&address)).await {
                    Ok(Some(_)) => {}
                    Ok(None) => return,
                    Err(error) => {
                        tracing::error!(%error, "cannot look up a Discord thread's conversation");
                        return;
                    }
                }
                let context = ReplyContext {
                    channel_id: Some(message.channel_id),
                    ..ReplyContext::default()
                };
                (address, text, context)
            }
        };
        self.turn(
            &address,
            ids::message_event(message.id.get()),
            Input::Text(text),
            message.id.get(),
            &context,
        )
        .await;
    }

    async fn turn(
        &self,
        address: &ProspectAddress,
        event_id: String,
        input: Input,
        snowflake: u64,
        context: &ReplyContext,
    ) {
        let context = match serde_json::to_value(context) {
            Ok(context) => context,
            Err(error) => {
                tracing::error!(%error, "cannot encode a reply context");
                return;
            }
        };
        let inbound = Inbound {
            key: key(address),
            event_id: Some(event_id),
            input,
            now: inbound::snowflake_time(snowflake),
            reply_via: Some(ReplyRoute {
                destination: ids::CHANNEL.to_string(),
                context,
            }),
        };
        match self.runtime.handle(&inbound).await {
            Ok(Handled::Duplicate) => {
                tracing::debug!(event = ?inbound.event_id, "replayed Discord event ignored");
            }
            Ok(Handled::Replied(_)) => {}
            Err(error) => tracing::error!(%error, "a Discord turn failed"),
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
        let address = inbound::click_address(click);
        if matches!(address, ProspectAddress::Thread { .. }) {
            match self.runtime.resume(&key(&address)).await {
                Ok(Some(_)) => {}
                Ok(None) => {
                    self.respond(
                        click.id,
                        &click.token,
                        ephemeral("This question is for someone else — post in the channel to start your own."),
                    )
                    .await;
                    return;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot look up a Discord thread's conversation");
                    return;
                }
            }
        }
        let Some((input, labels)) = inbound::click_input(click, &action) else {
            return;
        };
        let shown = CreateInteractionResponse::UpdateMessage(
            CreateInteractionResponseMessage::new()
                .content(render::answered(&click.message.content, &labels))
                .components(Vec::new()),
        );
        self.respond(click.id, &click.token, shown).await;
        let context = ReplyContext {
            channel_id: Some(click.channel_id),
            ..ReplyContext::default()
        };
        self.turn(
            &address,
            ids::interaction_event(click.id.get()),
            input,
            click.id.get(),
            &context,
        )
        .await;
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
        if let Err(error) = self
            .runtime
            .start_over(&key(&address), None, now, Some((&route, &request)))
            .await
        {
            tracing::error!(%error, "/qualify failed");
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
        let shown = match outcome {
            Ok(HandoffAnswered::Accepted { .. } | HandoffAnswered::AlreadyAccepted { .. }) => {
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
        let edit = json!({ "content": shown, "components": [] });
        let token = click.token.as_str();
        let answer = self
            .rest
            .call(
                LightMethod::Patch,
                Route::WebhookOriginalInteractionResponse {
                    application_id: click.application_id,
                    token,
                },
                Some(&edit),
                None,
            )
            .await;
        if !answer.as_ref().is_ok_and(RestReply::is_success) {
            tracing::warn!(interaction = %click.id, "could not show a hand-off answer on the embed");
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

fn ephemeral(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(text)
            .ephemeral(true),
    )
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
        self.0.on_ready(&ready).await;
    }

    async fn message(&self, _: Context, message: Message) {
        self.0.on_message(&message).await;
    }

    async fn interaction_create(&self, _: Context, interaction: Interaction) {
        self.0.on_interaction(&interaction).await;
    }
}
