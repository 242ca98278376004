//! Purpose: the hand-off of a sales-qualified lead — route it to a rep inside the turn's
//! transaction, queue the notices (rep, CRM, fallback team), tell the prospect who will reach
//! out; then the rep's answer (accept or pass) and the SLA running out, which move the lead to
//! the next rep and tell the first one.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, Utc};

use super::{Runtime, RuntimeError};
use crate::conversation::ConversationKey;
use crate::delivery::EMAIL_DESTINATION;
use crate::engine::{HandOff, Reply};
use crate::notify::{HandOffNotice, NoticeEvent, ProspectRef, RepContact, TeamChannel};
use crate::outbox::{self, NewOutboxItem, OutboxMessage};
use crate::reps::{Rep, Team};
use crate::routing::{self, Decision, LeadAttributes, RotationInput};
use crate::script::{MessageKey, Script};
use crate::store::outcomes::{Closing, StoredOutcome};
use crate::store::{Assignment, HandoffTx, NewAssignment, StoreError, StoredConversation};

/// Who is answering a hand-off: a rep id (CLI, API) or a platform user (a button click).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepIdentity {
    /// The id in the reps file.
    Id(String),
    /// A Slack user id.
    Slack(String),
    /// A Discord user id.
    Discord(String),
}

/// A rep's answer to an offered lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffAnswer {
    /// "I'll take it."
    Accept,
    /// "Give it to someone else."
    Pass,
}

/// What an answer (or an expiry) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandoffAnswered {
    /// The rep owns the lead now.
    Accepted {
        /// The rep.
        rep: String,
        /// The lead.
        lead_id: i64,
    },
    /// The rep had already accepted: nothing changed (a repeated click).
    AlreadyAccepted {
        /// The rep.
        rep: String,
    },
    /// The lead moved on to `next` (`None`: to the fallback team).
    Passed {
        /// Who gets it now.
        next: Option<String>,
        /// The new assignment.
        assignment_id: i64,
    },
    /// The offer is no longer open (accepted, passed, expired or closed): nothing changed.
    NotOpen {
        /// Its status.
        status: String,
    },
}

impl Runtime {
    /// Routes a lead that just qualified, inside the turn: returns the notices to queue and
    /// what to tell the prospect.
    pub(super) async fn route_handoff(
        &self,
        handoffs: &mut HandoffTx<'_>,
        key: &ConversationKey,
        conversation: &StoredConversation,
        script: &Script,
        handoff: &HandOff,
        now: DateTime<FixedOffset>,
    ) -> Result<(Vec<NewOutboxItem>, Option<Reply>), RuntimeError> {
        let routed = self
            .route_lead(handoffs, key, conversation, script, handoff, None, now)
            .await?;
        let link = self.team.load_full().and_then(|team| {
            super::booking::booking_link(
                script,
                &team,
                routed.rep.as_ref(),
                routed.pool.as_deref(),
                handoff,
            )
        });
        let told = match (&routed.rep, link) {
            (Some(rep), link) => Some(Reply {
                text: crate::engine::messages::text(script, MessageKey::HandoffRep)
                    .replace("{rep}", &rep.name),
                step: None,
                choices: Vec::new(),
                multiple: false,
                link,
            }),
            // Nobody is working now: the prospect can still book a time.
            (None, Some(link)) => Some(Reply {
                text: format!("{}:", link.label),
                step: None,
                choices: Vec::new(),
                multiple: false,
                link: Some(link),
            }),
            (None, None) => None,
        };
        Ok((routed.items, told))
    }

    /// Routes a lead (owner first, then the rules) and builds its notices; a `takeover`
    /// (the conversation so far) marks a prospect who asked for a person.
    #[expect(
        clippy::too_many_arguments,
        reason = "the turn's parts, passed through as they are"
    )]
    pub(super) async fn route_lead(
        &self,
        handoffs: &mut HandoffTx<'_>,
        key: &ConversationKey,
        conversation: &StoredConversation,
        script: &Script,
        handoff: &HandOff,
        takeover: Option<Vec<String>>,
        now: DateTime<FixedOffset>,
    ) -> Result<Routed, RuntimeError> {
        let note = takeover
            .is_some()
            .then(|| "The prospect asked to talk to a person".to_string());
        let notice = HandOffNotice {
            event: NoticeEvent::Unassigned,
            assignment_id: None,
            lead_id: conversation.lead_id,
            conversation_id: conversation.id,
            rep: None,
            lead: handoff.clone(),
            prospect: ProspectRef {
                channel: key.channel.clone(),
                address: key.address.clone(),
            },
            pool: None,
            rule: None,
            sla_minutes: None,
            note,
            team_channel: None,
            takeover,
            card: None,
        };
        let Some(team) = self.team.load_full() else {
            let kind = if notice.takeover.is_some() {
                format!("takeover:{}", now.timestamp_millis())
            } else {
                handoff.qualified_at.timestamp_millis().to_string()
            };
            let key = format!("handoff:{}:{kind}", conversation.lead_id);
            return Ok(Routed {
                items: self.crm_notice(&notice, &key)?.into_iter().collect(),
                rep: None,
                pool: None,
            });
        };
        let team = team.as_ref();
        let attributes = LeadAttributes::of(&conversation.state, script, team);
        let lead = LeadToRoute {
            lead_id: conversation.lead_id,
            conversation_id: conversation.id,
            attributes: &attributes,
        };
        let (notice, rep) =
            route_and_record(handoffs, team, lead, &BTreeSet::new(), notice, None, now).await?;
        Ok(Routed {
            items: self.notices(team, &notice, rep)?,
            rep: rep.cloned(),
            pool: notice.pool.clone(),
        })
    }

    /// Records a rep's answer to an offered lead: accepting makes them the owner; passing
    /// moves the lead to the next rep (who is notified) and tells the first one. A repeated
    /// click changes nothing.
    pub async fn answer_handoff(
        &self,
        assignment_id: i64,
        who: RepIdentity,
        answer: HandoffAnswer,
        now: DateTime<FixedOffset>,
    ) -> Result<HandoffAnswered, RuntimeError> {
        let team = self.team.load_full().ok_or(RuntimeError::NoTeam)?;
        let team = team.as_ref();
        let rep = match &who {
            RepIdentity::Id(id) => team.rep(id),
            RepIdentity::Slack(user) => team.rep_by_platform_user("slack", user),
            RepIdentity::Discord(user) => team.rep_by_platform_user("discord", user),
        }
        .ok_or_else(|| RuntimeError::UnknownRep(describe(&who)))?;
        let now_ms = now.timestamp_millis();
        let mut write = self.store.begin_handoff().await?;
        let mut handoffs = write.handoffs().await?;
        let assignment = handoffs
            .lock_assignment(assignment_id)
            .await?
            .ok_or(RuntimeError::UnknownAssignment(assignment_id))?;
        if assignment.rep_id.as_deref() != Some(rep.id.as_str()) {
            return Err(RuntimeError::NotTheirLead {
                rep: rep.id.clone(),
                assignment: assignment_id,
            });
        }
        let answered = match (answer, assignment.status.as_str()) {
            (HandoffAnswer::Accept, "offered") => {
                handoffs
                    .finish(assignment.id, "accepted", None, now_ms)
                    .await?;
                handoffs
                    .set_owner(assignment.lead_id, Some(&rep.id))
                    .await?;
                let mut notice = stored_notice(&assignment)?;
                notice.event = NoticeEvent::Accepted;
                notice.note = Some(format!("{} accepted this lead", rep.name));
                let items = self.notices(team, &notice, Some(rep))?;
                handoffs.queue(&items, now_ms).await?;
                HandoffAnswered::Accepted {
                    rep: rep.id.clone(),
                    lead_id: assignment.lead_id,
                }
            }
            (HandoffAnswer::Accept, "accepted") => HandoffAnswered::AlreadyAccepted {
                rep: rep.id.clone(),
            },
            (HandoffAnswer::Pass, "offered") => {
                let note = format!("{} passed", rep.name);
                self.move_on(&mut handoffs, team, &assignment, "passed", &note, now)
                    .await?
            }
            (_, status) => HandoffAnswered::NotOpen {
                status: status.to_string(),
            },
        };
        write.commit().await?;
        self.outbox_wake.notify();
        crate::metrics::handoff_event(match &answered {
            HandoffAnswered::Accepted { .. } => "accepted",
            HandoffAnswered::Passed { .. } => "passed",
            HandoffAnswered::AlreadyAccepted { .. } | HandoffAnswered::NotOpen { .. } => "ignored",
        });
        Ok(answered)
    }

    /// Closes an assignment (the deal is won, lost or handled): it no longer counts against
    /// the rep's capacity. Returns false when it was not open.
    pub async fn close_handoff(
        &self,
        assignment_id: i64,
        now: DateTime<FixedOffset>,
    ) -> Result<bool, RuntimeError> {
        self.close_handoff_with(assignment_id, &Closing::default(), now)
            .await
    }

    /// Closes an assignment with how it ended (won, lost, …, and the deal's value), stored
    /// with the time and the rep it was with. A hand-off closed earlier without an outcome
    /// takes one later; returns false when it was not open, or already has an outcome.
    pub async fn close_handoff_with(
        &self,
        assignment_id: i64,
        closing: &Closing,
        now: DateTime<FixedOffset>,
    ) -> Result<bool, RuntimeError> {
        self.close_handoff_by(assignment_id, None, closing, now)
            .await
    }

    /// A rep closes their own hand-off from the platform card (the Close menu): as
    /// [`Runtime::close_handoff_with`], refused when `who` is not in the reps file or the
    /// hand-off is another rep's.
    pub async fn close_handoff_as(
        &self,
        assignment_id: i64,
        who: &RepIdentity,
        closing: &Closing,
        now: DateTime<FixedOffset>,
    ) -> Result<bool, RuntimeError> {
        let team = self.team.load_full().ok_or(RuntimeError::NoTeam)?;
        let rep = super::takeover::find_rep(&team, who)?;
        self.close_handoff_by(assignment_id, Some(&rep.id), closing, now)
            .await
    }

    async fn close_handoff_by(
        &self,
        assignment_id: i64,
        rep: Option<&str>,
        closing: &Closing,
        now: DateTime<FixedOffset>,
    ) -> Result<bool, RuntimeError> {
        let now_ms = now.timestamp_millis();
        let mut write = self.store.begin_handoff().await?;
        let mut handoffs = write.handoffs().await?;
        let assignment = handoffs
            .lock_assignment(assignment_id)
            .await?
            .ok_or(RuntimeError::UnknownAssignment(assignment_id))?;
        if let Some(rep) = rep
            && assignment.rep_id.as_deref() != Some(rep)
        {
            return Err(RuntimeError::NotTheirLead {
                rep: rep.to_string(),
                assignment: assignment_id,
            });
        }
        let open = matches!(assignment.status.as_str(), "offered" | "accepted");
        let takes_outcome = closing.outcome.is_some()
            && (open || assignment.status == "closed")
            && handoffs.outcome_of(assignment.id).await?.is_none();
        if !open && !takes_outcome {
            return Ok(false);
        }
        if open {
            handoffs.close_assignment(assignment.id, now_ms).await?;
        }
        if let (true, Some(outcome)) = (takes_outcome, closing.outcome) {
            handoffs
                .record_outcome(&StoredOutcome {
                    assignment_id: assignment.id,
                    lead_id: assignment.lead_id,
                    rep_id: assignment.rep_id.clone(),
                    outcome: outcome.name().to_string(),
                    value_cents: closing.value_cents,
                    currency: closing.currency.clone(),
                    note: closing.note.clone(),
                    closed_at: now_ms,
                })
                .await?;
        }
        write.commit().await?;
        crate::metrics::handoff_event("closed");
        Ok(true)
    }

    /// Moves every offer whose SLA ran out by `now` to the next rep, telling the first one.
    /// Safe across replicas: each offer is locked and re-checked. Returns how many moved.
    pub async fn expire_offers(&self, now: DateTime<FixedOffset>) -> Result<usize, RuntimeError> {
        let Some(team) = self.team.load_full() else {
            return Ok(0);
        };
        let team = team.as_ref();
        let now_ms = now.timestamp_millis();
        let mut moved = 0;
        for id in self.store.expired_offers(now_ms, 100).await? {
            let mut write = self.store.begin_handoff().await?;
            let mut handoffs = write.handoffs().await?;
            let Some(assignment) = handoffs.lock_assignment(id).await? else {
                continue;
            };
            let due = assignment.sla_due_at.is_some_and(|due| due <= now_ms);
            if assignment.status != "offered" || !due {
                continue;
            }
            let minutes =
                (assignment.sla_due_at.unwrap_or(now_ms) - assignment.created_at) / 60_000;
            let who = assignment
                .rep_id
                .as_deref()
                .and_then(|id| team.rep(id))
                .map_or("The rep", |rep| rep.name.as_str());
            let note = format!("{who} did not answer within {minutes} minutes");
            self.move_on(&mut handoffs, team, &assignment, "expired", &note, now)
                .await?;
            write.commit().await?;
            crate::metrics::handoff_event("expired");
            moved += 1;
        }
        if moved > 0 {
            self.outbox_wake.notify();
        }
        Ok(moved)
    }

    /// Ends `previous` with `status`, tells its rep, and routes the lead again among reps who
    /// have not had it.
    async fn move_on(
        &self,
        handoffs: &mut HandoffTx<'_>,
        team: &Team,
        previous: &Assignment,
        status: &str,
        note: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<HandoffAnswered, RuntimeError> {
        let now_ms = now.timestamp_millis();
        handoffs
            .finish(previous.id, status, Some(note), now_ms)
            .await?;
        let mut withdrawn = stored_notice(previous)?;
        withdrawn.event = NoticeEvent::Withdrawn;
        withdrawn.note = Some(format!("{note}; the lead was offered to someone else"));
        let previous_rep = previous.rep_id.as_deref().and_then(|id| team.rep(id));
        let mut items = self.notices(team, &withdrawn, previous_rep)?;
        let excluded: BTreeSet<String> = handoffs
            .assignments_of(previous.lead_id)
            .await?
            .into_iter()
            .filter_map(|assignment| assignment.rep_id)
            .collect();
        let attributes: LeadAttributes = serde_json::from_value(previous.attributes.clone())
            .map_err(|error| StoreError::Corrupt(format!("assignment attributes: {error}")))?;
        let lead = LeadToRoute {
            lead_id: previous.lead_id,
            conversation_id: previous.conversation_id,
            attributes: &attributes,
        };
        let (notice, rep) = route_and_record(
            handoffs,
            team,
            lead,
            &excluded,
            stored_notice(previous)?,
            Some(note),
            now,
        )
        .await?;
        items.extend(self.notices(team, &notice, rep)?);
        handoffs.queue(&items, now_ms).await?;
        Ok(HandoffAnswered::Passed {
            next: rep.map(|rep| rep.id.clone()),
            assignment_id: notice.assignment_id.unwrap_or_default(),
        })
    }

    /// The outbox items of one notice: the CRM feed, and each of the rep's (or the fallback
    /// team's) channels this process delivers to.
    pub(super) fn notices(
        &self,
        team: &Team,
        notice: &HandOffNotice,
        rep: Option<&Rep>,
    ) -> Result<Vec<NewOutboxItem>, RuntimeError> {
        let event = serde_json::to_value(notice.event)
            .ok()
            .and_then(|value| value.as_str().map(str::to_string))
            .unwrap_or_default();
        let base = format!(
            "handoff:{}:{}:{event}",
            notice.lead_id,
            notice.assignment_id.unwrap_or(0)
        );
        let mut items: Vec<NewOutboxItem> = self.crm_notice(notice, &base)?.into_iter().collect();
        let mut destinations = Vec::new();
        let enabled = |channel: &str| self.rep_channels.contains(channel);
        match rep {
            Some(rep) => {
                if rep.slack_user.is_some() && enabled("slack") {
                    destinations.push("slack".to_string());
                }
                if rep.discord_user.is_some() && enabled("discord") {
                    destinations.push("discord".to_string());
                }
                if rep.webhook_url.is_some() && enabled("webhook") {
                    destinations.push(format!("webhook:{}", rep.id));
                }
                if rep.email.is_some() && enabled(EMAIL_DESTINATION) {
                    destinations.push(EMAIL_DESTINATION.to_string());
                }
            }
            None => {
                if team.fallback.slack_channel.is_some() && enabled("slack") {
                    destinations.push("slack".to_string());
                }
                if team.fallback.discord_channel.is_some() && enabled("discord") {
                    destinations.push("discord".to_string());
                }
                if team.fallback.webhook_url.is_some() && enabled("webhook") {
                    destinations.push("webhook:fallback".to_string());
                }
                if team.fallback.email.is_some() && enabled(EMAIL_DESTINATION) {
                    destinations.push(EMAIL_DESTINATION.to_string());
                }
            }
        }
        if enabled("console") {
            destinations.push("console".to_string());
        }
        for destination in destinations {
            if Some(destination.as_str()) == self.crm_destination.as_deref() {
                continue;
            }
            items.push(notice_item(notice, &base, destination));
        }
        Ok(items)
    }

    /// The CRM feed's copy of a notice, when a CRM destination is configured.
    fn crm_notice(
        &self,
        notice: &HandOffNotice,
        key: &str,
    ) -> Result<Option<NewOutboxItem>, RuntimeError> {
        let Some(destination) = &self.crm_destination else {
            return Ok(None);
        };
        Ok(Some(notice_item(notice, key, destination.clone())))
    }
}

/// A notice queued for `destination`, once per key, after the lead's earlier notices there.
fn notice_item(notice: &HandOffNotice, key: &str, destination: String) -> NewOutboxItem {
    NewOutboxItem {
        idempotency_key: format!("{key}:{destination}"),
        destination,
        ordering_key: Some(outbox::lead_order(notice.lead_id)),
        message: OutboxMessage::HandOff(Box::new(notice.clone())),
    }
}

/// Routes the lead, fills `notice` in for the chosen rep (or the fallback team) and stores it
/// with the new assignment; returns it and the rep.
async fn route_and_record<'t>(
    handoffs: &mut HandoffTx<'_>,
    team: &'t Team,
    lead: LeadToRoute<'_>,
    excluded: &BTreeSet<String>,
    mut notice: HandOffNotice,
    note: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<(HandOffNotice, Option<&'t Rep>), RuntimeError> {
    let (decision, assignment_id) = route(handoffs, team, lead, excluded, &notice, now).await?;
    let rep = decision.chosen.as_deref().and_then(|id| team.rep(id));
    shape(&mut notice, team, rep, assignment_id, &decision);
    notice.note = note.map(str::to_string);
    handoffs.set_notice(assignment_id, &json(&notice)?).await?;
    Ok((notice, rep))
}

/// Picks the lead's owner, or else the pool and the rep whose turn it is (the pure `routing`
/// decides; the store keeps the rotation and the assignment), with the pool's rotation held
/// until the transaction ends; returns the decision and the new assignment's id.
async fn route(
    handoffs: &mut HandoffTx<'_>,
    team: &Team,
    lead: LeadToRoute<'_>,
    excluded: &BTreeSet<String>,
    notice: &HandOffNotice,
    now: DateTime<FixedOffset>,
) -> Result<(Decision, i64), RuntimeError> {
    let pool = routing::choose_pool(team, lead.attributes);
    let owner = handoffs.owner_of(lead.lead_id).await?;
    let owner = routing::existing_owner(team, owner.as_deref(), excluded, now.with_timezone(&Utc));
    if let Some(step) = owner.clone().filter(|step| step.skipped.is_none()) {
        let decision = routing::to_owner(team, pool, step);
        let assignment_id = record(handoffs, lead, &decision, notice, now).await?;
        return Ok((decision, assignment_id));
    }
    handoffs.lock_pool(&pool.pool).await?;
    let rotation = handoffs.rotation(&pool.pool).await?;
    let open_load = handoffs.open_loads().await?;
    let rotated = routing::rotate(&RotationInput {
        team,
        pool: &pool,
        attributes: lead.attributes,
        rotation: &rotation,
        open_load: &open_load,
        excluded,
        now: now.with_timezone(&Utc),
    });
    let changed = rotated
        .rotation
        .into_iter()
        .filter(|(rep, slot)| rotation.get(rep) != Some(slot))
        .collect();
    let mut decision = rotated.decision;
    decision.owner = owner;
    handoffs
        .save_rotation(
            &pool.pool,
            &changed,
            decision.chosen.as_deref(),
            now.timestamp_millis(),
        )
        .await?;
    let assignment_id = record(handoffs, lead, &decision, notice, now).await?;
    Ok((decision, assignment_id))
}

/// Stores a routing decision as the lead's new assignment; returns its id.
async fn record(
    handoffs: &mut HandoffTx<'_>,
    lead: LeadToRoute<'_>,
    decision: &Decision,
    notice: &HandOffNotice,
    now: DateTime<FixedOffset>,
) -> Result<i64, RuntimeError> {
    let assignment_id = handoffs
        .record_assignment(NewAssignment {
            lead_id: lead.lead_id,
            conversation_id: lead.conversation_id,
            decision,
            attributes: lead.attributes,
            notice: &json(notice)?,
            now_ms: now.timestamp_millis(),
        })
        .await?;
    crate::metrics::handoff_event("offered");
    Ok(assignment_id)
}

/// A routed lead: its notices, the rep (`None`: the fallback team) and the pool.
pub(super) struct Routed {
    /// The notices to queue.
    pub items: Vec<NewOutboxItem>,
    /// The rep who got it.
    pub rep: Option<Rep>,
    /// The pool the rules chose.
    pub pool: Option<String>,
}

/// What a routing needs to know about the lead.
#[derive(Debug, Clone, Copy)]
struct LeadToRoute<'a> {
    lead_id: i64,
    conversation_id: i64,
    /// What rules and reps' filters look at.
    attributes: &'a LeadAttributes,
}

/// Fills in who a notice is for and how the lead was routed.
fn shape(
    notice: &mut HandOffNotice,
    team: &Team,
    rep: Option<&Rep>,
    assignment_id: i64,
    decision: &crate::routing::Decision,
) {
    notice.assignment_id = Some(assignment_id);
    notice.pool = Some(decision.pool.pool.clone());
    notice.rule = decision.pool.rule.clone();
    notice.sla_minutes = decision.sla_minutes.map(i64::from);
    match rep {
        Some(rep) => {
            notice.event = NoticeEvent::Assigned;
            notice.rep = Some(RepContact {
                id: rep.id.clone(),
                name: rep.name.clone(),
                slack_user: rep.slack_user.clone(),
                discord_user: rep.discord_user.clone(),
                email: rep.email.clone(),
            });
            notice.team_channel = None;
        }
        None => {
            notice.event = NoticeEvent::Unassigned;
            notice.rep = None;
            notice.sla_minutes = None;
            notice.team_channel = Some(TeamChannel {
                name: team.fallback.name.clone(),
                slack_channel: team.fallback.slack_channel.clone(),
                discord_channel: team.fallback.discord_channel.clone(),
                email: team.fallback.email.clone(),
            });
        }
    }
}

pub(super) fn stored_notice(assignment: &Assignment) -> Result<HandOffNotice, RuntimeError> {
    serde_json::from_value(assignment.notice.clone()).map_err(|error| {
        RuntimeError::Store(StoreError::Corrupt(format!(
            "assignment {} notice: {error}",
            assignment.id
        )))
    })
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, RuntimeError> {
    serde_json::to_value(value)
        .map_err(|error| RuntimeError::Store(StoreError::Corrupt(error.to_string())))
}

fn describe(who: &RepIdentity) -> String {
    match who {
        RepIdentity::Id(id) => format!("rep {id:?}"),
        RepIdentity::Slack(user) => format!("Slack user {user}"),
        RepIdentity::Discord(user) => format!("Discord user {user}"),
    }
}
