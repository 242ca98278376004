//! Purpose: run one inbound event through the product — dedupe its id, lock and load the
//! conversation, call the pure engine, and store the outcome in one transaction — then hand
//! the replies back to the channel that asked.

mod booking;
mod catalog;
mod handoff;
mod people;
mod source;
mod takeover;
mod timers;

use std::collections::BTreeSet;
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use chrono::{DateTime, FixedOffset};

/// An unfinished conversation a channel may need to catch up on.
pub use crate::store::WaitingConversation;
pub use crate::store::outcomes::{Closing, Outcome as HandoffOutcome};
pub use catalog::{ActiveScripts, ScriptCatalog};
pub use handoff::{HandoffAnswer, HandoffAnswered, RepIdentity};

use crate::conversation::ConversationKey;
use crate::engine::state::ConversationState;
use crate::engine::{self, Effect, HandOff, Input, Reply};
use crate::outbox::{self, NewOutboxItem, OutboxMessage, OutboxWake, ProspectReply};
use crate::person::PersonId;
use crate::reps::Team;
use crate::script::Script;
use crate::store::{Store, StoreError, StoredConversation, TurnTx};

/// What can go wrong while handling an event.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The database failed; nothing of the turn was stored.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The script a conversation needs is neither in `conversations/` nor in the database.
    #[error("script {0:?} is not available")]
    ScriptMissing(String),
    /// Hand-off answers need a reps file.
    #[error("no reps file is loaded (see `leadbot reps validate`)")]
    NoTeam,
    /// Nobody in the reps file matches.
    #[error("{0} is not in the reps file")]
    UnknownRep(String),
    /// No such assignment.
    #[error("there is no hand-off {0}")]
    UnknownAssignment(i64),
    /// No such lead (or it has no conversation).
    #[error("there is no lead {0}")]
    UnknownLead(i64),
    /// A rep answered a lead whose prospect is talking to the bot, not to a person.
    #[error("lead {0} is talking to the bot: no one asked for a person")]
    NotWithARep(i64),
    /// A rep's reply with nothing in it.
    #[error("the reply is empty")]
    EmptyReply,
    /// A rep answered someone else's offer.
    #[error("hand-off {assignment} was not offered to {rep}")]
    NotTheirLead {
        /// Who answered.
        rep: String,
        /// The assignment.
        assignment: i64,
    },
}

/// One event from a channel, normalised.
#[derive(Debug, Clone)]
pub struct Inbound {
    /// Whose conversation.
    pub key: ConversationKey,
    /// The platform's id for the event, used to process it at most once.
    pub event_id: Option<String>,
    /// What the prospect did.
    pub input: Input,
    /// When it happened, in the prospect's (or the server's) offset.
    pub now: DateTime<FixedOffset>,
    /// Set by channels that answer asynchronously (Slack, Discord): the replies are queued in
    /// the outbox in the turn's transaction, so each is sent once even across crashes.
    pub reply_via: Option<ReplyRoute>,
    /// Only continue a conversation that exists, never start one (a message in a thread the
    /// bot may not have started). Decided inside the turn's transaction.
    pub existing_only: bool,
    /// The question this input answers, when the channel knows it (a clicked button): the
    /// turn is ignored unless that question is still the one waiting for an answer. A
    /// [`Input::Choice`] answers its own step without this.
    pub answers_step: Option<String>,
    /// Who is writing, when the channel knows (a Slack or Discord user): a new conversation of
    /// a person seen before joins their lead.
    pub person: Option<PersonId>,
}

impl Inbound {
    /// An event for `key`'s conversation, with no reply route and no conditions. NUL
    /// characters are dropped from a text: they carry nothing a person typed, and PostgreSQL
    /// text cannot hold them (a turn storing one would fail on every retry).
    pub fn new(
        key: ConversationKey,
        event_id: Option<String>,
        input: Input,
        now: DateTime<FixedOffset>,
    ) -> Self {
        let input = match input {
            Input::Text(text) if text.contains('\0') => Input::Text(text.replace('\0', "")),
            other => other,
        };
        Inbound {
            key,
            event_id,
            input,
            now,
            reply_via: None,
            existing_only: false,
            answers_step: None,
            person: None,
        }
    }

    /// The question the input answers, if it answers a particular one.
    fn answered_step(&self) -> Option<&str> {
        match (&self.answers_step, &self.input) {
            (Some(step), _) => Some(step),
            (None, Input::Choice { step, .. }) => Some(step),
            (None, Input::Text(_)) => None,
        }
    }
}

/// Where a turn's replies are queued, and what the channel needs to send them. Kept with the
/// conversation, so nudges and follow-ups reach the prospect the same way.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReplyRoute {
    /// The outbox destination whose worker sends them ("slack", "discord").
    pub destination: String,
    /// Channel-specific details copied into each item (a thread to answer in, a message to
    /// update after a button click).
    pub context: serde_json::Value,
}

/// What handling an event produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Handled {
    /// The event id was seen before: nothing was done.
    Duplicate,
    /// The event was not for the bot, or came too late: nothing was stored.
    Ignored(Ignored),
    /// The turn was stored; these are the replies to send.
    Replied(Box<Outcome>),
}

/// Why an event was ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    /// `existing_only`, and the conversation does not exist.
    NoConversation,
    /// A click on a question that is no longer the one asked (answered already, or the
    /// dialogue moved on or ended).
    QuestionClosed {
        /// The question clicked.
        clicked: String,
        /// The question waiting for an answer now, if any.
        asked: Option<String>,
    },
}

impl Handled {
    /// The outcome, or `None` for a duplicate.
    pub fn into_outcome(self) -> Option<Outcome> {
        match self {
            Handled::Replied(outcome) => Some(*outcome),
            Handled::Duplicate | Handled::Ignored(_) => None,
        }
    }
}

/// The stored result of a turn, as a channel needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The lead's id.
    pub lead_id: i64,
    /// Replies for the prospect, in order.
    pub replies: Vec<Reply>,
    /// The conversation after the turn.
    pub state: ConversationState,
    /// Set when this turn made the lead sales-qualified.
    pub handoff: Option<HandOff>,
}

/// Where hand-off notices are queued: the CRM feed's destination, and the channels reps (and
/// the fallback team) are reached on — "slack", "discord", "email", "webhook", "console".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeChannels {
    /// The outbox destination of the CRM feed, if there is one.
    pub crm: Option<String>,
    /// The channels reps' notices go out on.
    pub reps: BTreeSet<String>,
}

impl NoticeChannels {
    /// As the store records them: the rep channels, and `crm:<destination>`.
    pub fn recorded(&self) -> BTreeSet<String> {
        let mut recorded = self.reps.clone();
        if let Some(crm) = &self.crm {
            recorded.insert(format!("{CRM_PREFIX}{crm}"));
        }
        recorded
    }

    /// From what the store recorded.
    pub fn from_recorded(recorded: &BTreeSet<String>) -> Self {
        let crm = recorded
            .iter()
            .find_map(|entry| entry.strip_prefix(CRM_PREFIX))
            .map(str::to_string);
        let reps = recorded
            .iter()
            .filter(|entry| !entry.starts_with(CRM_PREFIX))
            .cloned()
            .collect();
        NoticeChannels { crm, reps }
    }
}

/// Marks the CRM feed among recorded notice channels.
const CRM_PREFIX: &str = "crm:";

/// The product's core loop, shared by every channel.
#[derive(Debug, Clone)]
pub struct Runtime {
    store: Store,
    scripts: ScriptCatalog,
    crm_destination: Option<String>,
    /// The team, replaced whole when the reps file changes; a routing reads it once.
    team: Arc<ArcSwapOption<Team>>,
    rep_channels: BTreeSet<String>,
    outbox_wake: OutboxWake,
}

impl Runtime {
    /// A runtime over a store and the scripts; every hand-off notice is also queued for
    /// `crm_destination` (a CRM webhook, the terminal) when set.
    pub fn new(store: Store, scripts: ScriptCatalog, crm_destination: Option<&str>) -> Self {
        Runtime {
            store,
            scripts,
            crm_destination: crm_destination.map(str::to_string),
            team: Arc::default(),
            rep_channels: BTreeSet::new(),
            outbox_wake: OutboxWake::default(),
        }
    }

    /// Routes sales-qualified leads to this team's reps.
    pub fn with_team(mut self, team: Arc<Team>) -> Self {
        self.team = Arc::new(ArcSwapOption::from(Some(team)));
        self
    }

    /// Makes `team` the one every clone of this runtime routes with, from the next routing on
    /// (a reps file change applied live). Rotation state lives in the database and is kept.
    pub fn replace_team(&self, team: Arc<Team>) {
        self.team.store(Some(team));
    }

    /// The channels this process delivers rep notices on: "slack", "discord", "webhook"
    /// (reps' own webhooks), "console".
    pub fn with_rep_channels<'a>(mut self, channels: impl IntoIterator<Item = &'a str>) -> Self {
        self.rep_channels = channels.into_iter().map(str::to_string).collect();
        self
    }

    /// Where hand-off notices go: the CRM destination and the channels reps are reached on.
    pub fn notice_channels(&self) -> NoticeChannels {
        NoticeChannels {
            crm: self.crm_destination.clone(),
            reps: self.rep_channels.clone(),
        }
    }

    /// Sends hand-off notices to `channels` (as `leadbot serve` recorded them).
    pub fn with_notice_channels(mut self, channels: NoticeChannels) -> Self {
        self.crm_destination = channels.crm;
        self.rep_channels = channels.reps;
        self
    }

    /// The team as it is now, when a reps file is loaded.
    pub fn team(&self) -> Option<Arc<Team>> {
        self.team.load_full()
    }

    /// The scripts: the active set (replaced live) and earlier versions.
    pub fn scripts(&self) -> &ScriptCatalog {
        &self.scripts
    }

    /// Notified after every commit that queued outbox items: delivery workers wait on it, so a
    /// hand-off leaves within moments of the answer that qualified the lead.
    pub fn outbox_wake(&self) -> OutboxWake {
        self.outbox_wake.clone()
    }

    /// The store, for channels that deliver outbox items.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Handles one event: at most once per event id, one transaction per turn. A conversation
    /// that does not exist yet starts with the default script (the event itself is the hello).
    /// Every log line of the turn carries its channel, conversation id and lead id; the turn
    /// is counted and timed in the metrics.
    pub async fn handle(&self, inbound: &Inbound) -> Result<Handled, RuntimeError> {
        use tracing::Instrument;
        let span = tracing::info_span!(
            "turn",
            channel = %inbound.key.channel,
            conversation_id = tracing::field::Empty,
            lead_id = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let handled = self.handle_turn(inbound).instrument(span.clone()).await;
        let result = match &handled {
            Ok(Handled::Replied(_)) => "replied",
            Ok(Handled::Duplicate) => "duplicate",
            Ok(Handled::Ignored(_)) => "ignored",
            Err(RuntimeError::Store(_)) => {
                crate::metrics::database_error();
                "error"
            }
            Err(_) => "error",
        };
        let took = started.elapsed();
        crate::metrics::turn(&inbound.key.channel, result, took);
        span.in_scope(|| {
            tracing::info!(result, took_ms = took.as_millis() as u64, "turn handled");
        });
        handled
    }

    async fn handle_turn(&self, inbound: &Inbound) -> Result<Handled, RuntimeError> {
        let now_ms = inbound.now.timestamp_millis();
        let mut tx = self.store.begin_turn(&inbound.key).await?;
        let stored = match &inbound.event_id {
            Some(event_id) => match tx.claim_and_load(event_id, now_ms).await? {
                Some(stored) => stored,
                None => return Ok(Handled::Duplicate),
            },
            None => tx.conversation().await?,
        };
        if let Some(ignored) = ignored(inbound, stored.as_ref()) {
            // Dropping the turn rolls back the event's claim: a repeat is judged the same way.
            return Ok(Handled::Ignored(ignored));
        }
        let active = self.scripts.snapshot();
        let (mut conversation, mut turn, script) = match stored {
            Some(conversation) => {
                let script = self
                    .script_in_turn(&mut tx, &active, &conversation.state)
                    .await?;
                match language_switch(&active, &script, &conversation.state, &inbound.input) {
                    Some((target, asked)) => {
                        tx.remember_script(&target, now_ms).await?;
                        let state = conversation.state.clone();
                        let turn = if asked {
                            engine::language::switch(&target, state, inbound.now)
                        } else {
                            engine::language::continue_in(
                                &target,
                                state,
                                &inbound.input,
                                inbound.now,
                            )
                        };
                        (conversation, turn, target)
                    }
                    None => {
                        let turn = engine::step(
                            &script,
                            conversation.state.clone(),
                            &inbound.input,
                            inbound.now,
                        );
                        (conversation, turn, script)
                    }
                }
            }
            None => {
                let script = match &inbound.input {
                    Input::Text(text) => active.for_first_message(text)?,
                    Input::Choice { .. } => active.default_script()?,
                };
                tx.remember_script(&script, now_ms).await?;
                let turn = engine::start(&script, inbound.now);
                let person = inbound.person.as_ref();
                let conversation = self
                    .start_in_lead(&mut tx, person, None, &turn.state, now_ms)
                    .await?;
                (conversation, turn, script)
            }
        };
        tracing::Span::current()
            .record("conversation_id", conversation.id)
            .record("lead_id", conversation.lead_id);
        let email_before = conversation.state.contact.get("email").cloned();
        conversation.state = turn.state.clone();
        self.recognise_email(&mut tx, &mut conversation, email_before.as_deref(), now_ms)
            .await?;
        let text = match &inbound.input {
            Input::Text(text) => text.clone(),
            Input::Choice { value, .. } => format!("[clicked] {value}"),
        };
        let mut outbox = Vec::new();
        let handoff = turn.effects.iter().find_map(|effect| match effect {
            Effect::HandOff(handoff) => Some(handoff.clone()),
            _ => None,
        });
        if let Some(handoff) = handoff {
            let (notices, told) = self
                .route_handoff(
                    &mut tx.handoffs().await?,
                    &inbound.key,
                    &conversation,
                    &script,
                    &handoff,
                    inbound.now,
                )
                .await?;
            outbox.extend(notices);
            if let Some(told) = told {
                turn.effects.push(Effect::Say(told));
            }
        }
        let turn_ref = inbound
            .event_id
            .clone()
            .unwrap_or_else(|| format!("t{now_ms}"));
        let (notices, told) = self
            .takeover_in_turn(
                &mut tx,
                &inbound.key,
                &conversation,
                &script,
                &turn.effects,
                &text,
                &turn_ref,
                inbound.now,
            )
            .await?;
        outbox.extend(notices);
        if let Some(told) = told {
            turn.effects.push(Effect::Say(told));
        }
        conversation.wake = wake_of(&script, &conversation.state);
        if let Some(route) = &inbound.reply_via {
            conversation.reply_route = serde_json::to_value(route).ok();
        }
        if let Some(route) = &inbound.reply_via {
            outbox.extend(reply_items(
                route,
                &inbound.key,
                &conversation,
                &turn_ref,
                &turn.effects,
                false,
            ));
        }
        tx.save(
            &conversation,
            Some((&text, inbound.event_id.as_deref())),
            &turn.effects,
            &outbox,
            now_ms,
        )
        .await?;
        tx.commit().await?;
        if !outbox.is_empty() {
            self.outbox_wake.notify();
        }
        for change in turn.effects.iter().filter_map(Effect::stage_change) {
            crate::metrics::stage_transition(change.from.name(), change.to.name());
        }
        Ok(Handled::Replied(Box::new(outcome(
            conversation,
            turn.effects,
        ))))
    }

    /// Starts `key`'s conversation afresh on `script` (the default when `None`), keeping the
    /// history of any earlier one; returns the greeting and first question (also queued for
    /// `reply_via` when set). A request id seen before (a retried slash command) does nothing.
    pub async fn start_over(
        &self,
        key: &ConversationKey,
        script: Option<&str>,
        now: DateTime<FixedOffset>,
        reply_via: Option<(&ReplyRoute, &str)>,
    ) -> Result<Handled, RuntimeError> {
        self.start_over_as(key, None, script, now, reply_via).await
    }

    /// [`Runtime::start_over`] for a person the channel knows: a first conversation of theirs
    /// joins the lead they already have.
    pub async fn start_over_as(
        &self,
        key: &ConversationKey,
        person: Option<&PersonId>,
        script: Option<&str>,
        now: DateTime<FixedOffset>,
        reply_via: Option<(&ReplyRoute, &str)>,
    ) -> Result<Handled, RuntimeError> {
        let active = self.scripts.snapshot();
        let script = match script {
            Some(id) => active.current(id)?,
            None => active.default_script()?,
        };
        let now_ms = now.timestamp_millis();
        let mut tx = self.store.begin_turn(key).await?;
        if let Some((_, request_id)) = reply_via
            && !tx.claim_event(request_id, now_ms).await?
        {
            return Ok(Handled::Duplicate);
        }
        tx.remember_script(&script, now_ms).await?;
        let turn = engine::start(&script, now);
        let existing = tx.conversation().await?.map(|found| found.lead_id);
        let mut conversation = self
            .start_in_lead(&mut tx, person, existing, &turn.state, now_ms)
            .await?;
        conversation.state = turn.state;
        conversation.wake = wake_of(&script, &conversation.state);
        if let Some((route, _)) = reply_via {
            conversation.reply_route = serde_json::to_value(route).ok();
        }
        let outbox = match reply_via {
            Some((route, request_id)) => {
                reply_items(route, key, &conversation, request_id, &turn.effects, false)
            }
            None => Vec::new(),
        };
        tx.save(&conversation, None, &turn.effects, &outbox, now_ms)
            .await?;
        tx.commit().await?;
        if !outbox.is_empty() {
            self.outbox_wake.notify();
        }
        Ok(Handled::Replied(Box::new(outcome(
            conversation,
            turn.effects,
        ))))
    }

    /// The unfinished conversations of `channel` that changed since `since_ms`, with their
    /// last inbound event: what a channel reads to catch up after being away.
    pub async fn waiting_conversations(
        &self,
        channel: &str,
        since_ms: i64,
    ) -> Result<Vec<WaitingConversation>, RuntimeError> {
        Ok(self.store.waiting_conversations(channel, since_ms).await?)
    }

    /// `key`'s conversation as last stored, with the script version it runs: for showing
    /// where a dialogue stands (the terminal's "welcome back"), never for deciding a turn.
    pub async fn conversation(
        &self,
        key: &ConversationKey,
    ) -> Result<Option<(StoredConversation, Arc<Script>)>, RuntimeError> {
        let Some(conversation) = self.store.read_conversation(key).await? else {
            return Ok(None);
        };
        let script = match self
            .scripts
            .loaded(&self.scripts.snapshot(), &conversation.state)
        {
            Some(script) => script,
            None => {
                let state = &conversation.state;
                let source = self
                    .store
                    .script_source(&state.script_id, &state.script_version)
                    .await?;
                self.scripts.from_stored(state, source)?
            }
        };
        Ok(Some((conversation, script)))
    }

    /// The exact script version a conversation runs: in memory, or read inside its turn (a
    /// turn holding a connection never waits for a second one).
    async fn script_in_turn(
        &self,
        tx: &mut TurnTx,
        active: &ActiveScripts,
        state: &ConversationState,
    ) -> Result<Arc<Script>, RuntimeError> {
        if let Some(script) = self.scripts.loaded(active, state) {
            return Ok(script);
        }
        let source = tx
            .script_source(&state.script_id, &state.script_version)
            .await?;
        self.scripts.from_stored(state, source)
    }
}

/// The script a conversation on `script` continues on when `input` asks for another language
/// of its family (the current script when it asks for the current language), or is the first
/// answer and clearly written in another, and the conversation's answers fit there. Not while
/// a rep has the conversation. True with it when the prospect asked (rather than wrote in it).
fn language_switch(
    active: &ActiveScripts,
    script: &Arc<Script>,
    state: &ConversationState,
    input: &Input,
) -> Option<(Arc<Script>, bool)> {
    let (Input::Text(text), Some(family)) = (input, &script.family) else {
        return None;
    };
    if state.human_since.is_some() {
        return None;
    }
    let others: Vec<Arc<Script>> = active
        .scripts()
        .filter(|other| other.family.as_ref() == Some(family) && other.id != script.id)
        .cloned()
        .collect();
    let members: Vec<&Script> = std::iter::once(script.as_ref())
        .chain(others.iter().map(Arc::as_ref))
        .collect();
    // Before any answer, writing in another language of the family is asking for it (the
    // bot spoke first, as in `chat` or after `/qualify`).
    let written_in = state
        .answers
        .is_empty()
        .then(|| engine::language::detect(text))
        .flatten()
        .filter(|locale| *locale != script.locale)
        .and_then(|locale| members.iter().copied().find(|m| m.locale == locale));
    let asked = engine::language::requested(text, &members);
    let wanted = asked.or(written_in)?;
    if wanted.id == script.id {
        return Some((script.clone(), true));
    }
    let target = others.iter().find(|other| other.id == wanted.id)?.clone();
    match engine::language::fits(&target, state) {
        Ok(()) => Some((target, asked.is_some())),
        Err(why) => {
            tracing::warn!(script = %target.id, %why, "language switch refused: the answers do not fit");
            None
        }
    }
}

/// Why `inbound` must not run as a turn on `stored`, if it must not: decided inside the
/// turn's transaction, so nothing can change between the check and the turn.
fn ignored(inbound: &Inbound, stored: Option<&StoredConversation>) -> Option<Ignored> {
    let Some(conversation) = stored else {
        return inbound.existing_only.then_some(Ignored::NoConversation);
    };
    let clicked = inbound.answered_step()?;
    let asked = conversation
        .state
        .pending
        .as_ref()
        .map(|pending| pending.step.as_str());
    (asked != Some(clicked)).then(|| Ignored::QuestionClosed {
        clicked: clicked.to_string(),
        asked: asked.map(str::to_string),
    })
}

/// The conversation's next timer, as stored: (when, which).
fn wake_of(script: &Script, state: &ConversationState) -> Option<(i64, String)> {
    engine::timers::next_wake(script, state).map(|(wake, at)| (at.timestamp_millis(), wake.name()))
}

/// One outbox item per reply of a turn, keyed by the turn so a replayed turn queues none twice,
/// in the conversation's order. `relay` marks messages the CRM relays (the message API cannot
/// be written to).
fn reply_items(
    route: &ReplyRoute,
    key: &ConversationKey,
    conversation: &StoredConversation,
    turn_ref: &str,
    effects: &[Effect],
    relay: bool,
) -> Vec<NewOutboxItem> {
    let replies = effects.iter().filter_map(|effect| match effect {
        Effect::Say(reply) => Some(reply),
        _ => None,
    });
    replies
        .enumerate()
        .map(|(index, reply)| {
            let body = ProspectReply {
                conversation_id: conversation.id,
                lead_id: conversation.lead_id,
                channel: key.channel.clone(),
                address: key.address.clone(),
                context: route.context.clone(),
                index: u32::try_from(index).unwrap_or(u32::MAX),
                reply: reply.clone(),
            };
            NewOutboxItem {
                destination: route.destination.clone(),
                idempotency_key: format!(
                    "reply:{}:{}:{}:{turn_ref}:{index}",
                    conversation.lead_id, route.destination, conversation.id
                ),
                ordering_key: Some(outbox::conversation_order(conversation.id)),
                message: if relay {
                    OutboxMessage::RelayToProspect(body)
                } else {
                    OutboxMessage::Reply(body)
                },
            }
        })
        .collect()
}

fn outcome(conversation: StoredConversation, effects: Vec<Effect>) -> Outcome {
    let mut replies = Vec::new();
    let mut handoff = None;
    for effect in effects {
        match effect {
            Effect::Say(reply) => replies.push(reply),
            Effect::HandOff(found) => handoff = Some(found),
            _ => {}
        }
    }
    Outcome {
        lead_id: conversation.lead_id,
        replies,
        state: conversation.state,
        handoff,
    }
}
