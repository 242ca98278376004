//! Purpose: a person when the prospect asks for one, as the runtime does it — route the lead as
//! a "takeover" hand-off (the owner first, else the rules) with the conversation so far, pass
//! what the prospect writes meanwhile to that rep, send the rep's answers to the prospect on
//! their channel (`leadbot reply`, the HTTP API), and hand the conversation back to the script.

use chrono::{DateTime, Duration, FixedOffset, Utc};

use super::{ReplyRoute, Runtime, RuntimeError, reply_items, wake_of};
use crate::conversation::ConversationKey;
use crate::engine::takeover::{self, defuse_mentions};
use crate::engine::{self, Effect, Reply};
use crate::locale::Locale;
use crate::notify::NoticeEvent;
use crate::outbox::NewOutboxItem;
use crate::reps::{Rep, Team};
use crate::script::{MessageKey, Script};
use crate::store::{StoredConversation, TurnTx};

/// The longest piece of a rep's answer each channel takes in one message.
fn message_limit(channel: &str) -> usize {
    match channel {
        "slack" => 3000,
        "discord" => 2000,
        _ => 4000,
    }
}

/// The longest prospect message passed to a rep in one notice, in characters.
const MAX_RELAYED: usize = 3000;

impl Runtime {
    /// The takeover part of a turn: when the prospect just asked for a person, route the lead
    /// as a takeover (and, when nobody is working, say when a person is back); when a rep has
    /// the conversation, pass the prospect's words to that rep. Returns the notices to queue
    /// and what to tell the prospect.
    #[expect(
        clippy::too_many_arguments,
        reason = "the turn's parts, passed through as they are"
    )]
    pub(super) async fn takeover_in_turn(
        &self,
        tx: &mut TurnTx,
        key: &ConversationKey,
        conversation: &StoredConversation,
        script: &Script,
        effects: &[Effect],
        text: &str,
        turn_ref: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<(Vec<NewOutboxItem>, Option<Reply>), RuntimeError> {
        if effects.contains(&Effect::HumanRequested) {
            let mut transcript = tx.transcript_lines(conversation.id).await?;
            transcript.push(format!("prospect: {}", text.replace('\n', " ")));
            let handoff = engine::hand_off(script, &conversation.state, now);
            let routed = self
                .route_lead(
                    &mut tx.handoffs().await?,
                    key,
                    conversation,
                    script,
                    &handoff,
                    Some(transcript),
                    now,
                )
                .await?;
            let told = match (self.team.load_full(), &routed.rep) {
                (Some(team), None) => {
                    let back = next_opening(&team, routed.pool.as_deref(), now.with_timezone(&Utc));
                    let mut told =
                        after_hours(script, back.map(|at| at.with_timezone(now.offset())));
                    told.link = super::booking::booking_link(
                        script,
                        &team,
                        None,
                        routed.pool.as_deref(),
                        &handoff,
                    );
                    Some(told)
                }
                _ => None,
            };
            return Ok((routed.items, told));
        }
        if effects.contains(&Effect::ForRep) {
            return Ok((
                self.relay_to_rep(tx, conversation, text, turn_ref).await?,
                None,
            ));
        }
        Ok((Vec::new(), None))
    }

    /// The prospect's words as a notice to the rep who has the conversation (the latest
    /// takeover's), on the rep's channels and the CRM feed.
    async fn relay_to_rep(
        &self,
        tx: &mut TurnTx,
        conversation: &StoredConversation,
        text: &str,
        turn_ref: &str,
    ) -> Result<Vec<NewOutboxItem>, RuntimeError> {
        let mut handoffs = tx.handoffs().await?;
        let assignments = handoffs.assignments_of(conversation.lead_id).await?;
        let Some(mut notice) = assignments
            .iter()
            .rev()
            .filter_map(|assignment| super::handoff::stored_notice(assignment).ok())
            .find(|notice| notice.takeover.is_some())
        else {
            return Ok(Vec::new());
        };
        notice.event = NoticeEvent::Message;
        notice.takeover = None;
        notice.note = Some(defuse_mentions(&clip(text.trim(), MAX_RELAYED)));
        let items = match self.team.load_full() {
            Some(team) => {
                let rep = notice
                    .rep
                    .as_ref()
                    .and_then(|contact| team.rep(&contact.id));
                self.notices(&team, &notice, rep)?
            }
            None => Vec::new(),
        };
        Ok(items
            .into_iter()
            .map(|mut item| {
                item.idempotency_key = format!("{}:{turn_ref}", item.idempotency_key);
                item
            })
            .collect())
    }

    /// A rep's answer to a prospect who asked for a person: sent on the prospect's channel
    /// with the rep's name, split to the channel's limit, mass mentions made harmless, and
    /// kept in the transcript. `request` (a CRM's request id) makes a retry queue nothing
    /// twice. Returns how many messages were queued.
    pub async fn reply_as_rep(
        &self,
        lead_id: i64,
        who: &super::RepIdentity,
        text: &str,
        request: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> Result<usize, RuntimeError> {
        let team = self.team.load_full().ok_or(RuntimeError::NoTeam)?;
        let rep = find_rep(&team, who)?;
        if text.trim().is_empty() {
            return Err(RuntimeError::EmptyReply);
        }
        let (key, mut tx, conversation) = self.taken_over(lead_id).await?;
        let replies = takeover::rep_message(&rep.name, text, message_limit(&key.channel));
        let effects: Vec<Effect> = replies.into_iter().map(Effect::Say).collect();
        let now_ms = now.timestamp_millis();
        let turn_ref = match request {
            Some(request) => format!("rep-{}-{request}", rep.id),
            None => format!("rep-{}-{now_ms}", rep.id),
        };
        let outbox = self.to_prospect(&key, &conversation, &turn_ref, &effects);
        tx.save(&conversation, None, &effects, &outbox, now_ms)
            .await?;
        tx.commit().await?;
        self.outbox_wake.notify();
        Ok(effects.len())
    }

    /// A rep's message written where they are (a Slack thread reply, a Discord Reply in their
    /// DM): sent to the prospect of their latest takeover, as [`Runtime::reply_as_rep`] with
    /// `request` (the platform's event id) so a redelivery sends nothing twice. `Ok(None)` when
    /// the rep has no takeover.
    pub async fn reply_to_latest_takeover(
        &self,
        who: &super::RepIdentity,
        text: &str,
        request: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<i64>, RuntimeError> {
        let team = self.team.load_full().ok_or(RuntimeError::NoTeam)?;
        let rep = find_rep(&team, who)?;
        let Some(lead) = self.store.latest_takeover_of(&rep.id).await? else {
            return Ok(None);
        };
        self.reply_as_rep(lead, who, text, Some(request), now)
            .await?;
        Ok(Some(lead))
    }

    /// "Hand back to the bot": the script resumes where it stopped, asking its question
    /// again. Returns false when no rep had the conversation.
    pub async fn hand_back(
        &self,
        lead_id: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<bool, RuntimeError> {
        let (key, mut tx, mut conversation) = match self.taken_over(lead_id).await {
            Ok(found) => found,
            Err(RuntimeError::NotWithARep(_)) => return Ok(false),
            Err(error) => return Err(error),
        };
        let active = self.scripts.snapshot();
        let script = self
            .script_in_turn(&mut tx, &active, &conversation.state)
            .await?;
        let turn = takeover::hand_back(&script, conversation.state.clone(), now);
        conversation.state = turn.state;
        conversation.wake = wake_of(&script, &conversation.state);
        let now_ms = now.timestamp_millis();
        let outbox = self.to_prospect(
            &key,
            &conversation,
            &format!("back-{now_ms}"),
            &turn.effects,
        );
        tx.save(&conversation, None, &turn.effects, &outbox, now_ms)
            .await?;
        tx.commit().await?;
        self.outbox_wake.notify();
        Ok(true)
    }

    /// The lead's latest conversation, held for a turn, when a rep has it.
    async fn taken_over(
        &self,
        lead_id: i64,
    ) -> Result<(ConversationKey, TurnTx, StoredConversation), RuntimeError> {
        let key = self
            .store
            .latest_conversation_of(lead_id)
            .await?
            .ok_or(RuntimeError::UnknownLead(lead_id))?;
        let mut tx = self.store.begin_turn(&key).await?;
        let conversation = tx
            .conversation()
            .await?
            .ok_or(RuntimeError::UnknownLead(lead_id))?;
        if conversation.state.human_since.is_none() {
            return Err(RuntimeError::NotWithARep(lead_id));
        }
        Ok((key, tx, conversation))
    }

    /// Messages for the prospect outside a turn of theirs: on their own channel, or to the CRM
    /// feed to relay for channels that only answer requests (the message API).
    fn to_prospect(
        &self,
        key: &ConversationKey,
        conversation: &StoredConversation,
        turn_ref: &str,
        effects: &[Effect],
    ) -> Vec<NewOutboxItem> {
        let route: Option<ReplyRoute> = conversation
            .reply_route
            .clone()
            .and_then(|route| serde_json::from_value(route).ok())
            .map(|mut route: ReplyRoute| {
                // A button clicked earlier is not this message's business.
                if let Some(context) = route.context.as_object_mut() {
                    context.remove("clicked");
                }
                route
            });
        match (&route, &self.crm_destination) {
            (Some(route), _) => reply_items(route, key, conversation, turn_ref, effects, false),
            (None, Some(crm)) => {
                let relay = ReplyRoute {
                    destination: crm.clone(),
                    context: serde_json::json!({ "from": "rep" }),
                };
                reply_items(&relay, key, conversation, turn_ref, effects, true)
            }
            (None, None) => Vec::new(),
        }
    }
}

/// The rep behind an identity.
pub(super) fn find_rep<'t>(
    team: &'t Team,
    who: &super::RepIdentity,
) -> Result<&'t Rep, RuntimeError> {
    match who {
        super::RepIdentity::Id(id) => team.rep(id),
        super::RepIdentity::Slack(user) => team.rep_by_platform_user("slack", user),
        super::RepIdentity::Discord(user) => team.rep_by_platform_user("discord", user),
    }
    .ok_or_else(|| {
        RuntimeError::UnknownRep(match who {
            super::RepIdentity::Id(id) => format!("rep {id:?}"),
            super::RepIdentity::Slack(user) => format!("Slack user {user}"),
            super::RepIdentity::Discord(user) => format!("Discord user {user}"),
        })
    })
}

/// The first quarter hour in the next eight days when someone in the pool (every rep, for an
/// unknown pool) is working and not on leave.
fn next_opening(team: &Team, pool: Option<&str>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let reps: Vec<&Rep> = match pool.and_then(|id| team.pool(id)) {
        Some(pool) => pool.reps.iter().filter_map(|id| team.rep(id)).collect(),
        None => team.reps.iter().collect(),
    };
    (1..=8 * 24 * 4)
        .map(|quarter| now + Duration::minutes(15 * quarter))
        .find(|at| reps.iter().any(|rep| rep.availability.check(*at).is_ok()))
}

/// "Our team is away; a person will be back <when>", in the script's language and the
/// prospect's offset.
fn after_hours(script: &Script, back: Option<DateTime<FixedOffset>>) -> Reply {
    let when = match (script.locale, back) {
        (Locale::En, Some(at)) => format!(
            "on {} (UTC{})",
            at.format("%A %-d %B at %H:%M"),
            at.offset()
        ),
        (Locale::Ko, Some(at)) => {
            format!("{} (UTC{})", at.format("%-m월 %-d일 %H:%M"), at.offset())
        }
        (Locale::Ro, Some(at)) => format!(
            "pe {}, ora {} (UTC{})",
            at.format("%d.%m.%Y"),
            at.format("%H:%M"),
            at.offset()
        ),
        (Locale::En, None) => "as soon as possible".to_string(),
        (Locale::Ko, None) => "최대한 빨리".to_string(),
        (Locale::Ro, None) => "cât mai curând".to_string(),
    };
    Reply {
        text: engine::messages::text(script, MessageKey::TakeoverAfterHours)
            .replace("{back}", &when),
        step: None,
        choices: Vec::new(),
        multiple: false,
        link: None,
    }
}

/// At most `limit` characters of `text`, with an ellipsis when cut.
fn clip(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
