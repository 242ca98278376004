//! Purpose: one lead per person, as the turn sees it — a new conversation of a known person
//! (the same Slack or Discord user) joins their lead, and an e-mail address another lead
//! already has folds this conversation's lead into that one, so the person's owner, history
//! and hand-offs stay together.

use super::{Runtime, RuntimeError};
use crate::engine::state::ConversationState;
use crate::person::PersonId;
use crate::store::{StoredConversation, TurnTx};

impl Runtime {
    /// Starts the turn's conversation in the right lead: `existing` (a restart keeps its lead),
    /// else the lead `person` already has, else a new one; then remembers the person.
    pub(super) async fn start_in_lead(
        &self,
        tx: &mut TurnTx,
        person: Option<&PersonId>,
        existing: Option<i64>,
        state: &ConversationState,
        now_ms: i64,
    ) -> Result<StoredConversation, RuntimeError> {
        let known = match (existing, person) {
            (Some(lead), _) => Some(lead),
            (None, Some(person)) => tx.lead_of_person(person).await?,
            (None, None) => None,
        };
        let conversation = match known {
            Some(lead) => tx.start_conversation_of(lead, state, now_ms).await?,
            None => tx.start_conversation(state, now_ms).await?,
        };
        if let Some(person) = person {
            tx.remember_person(person, conversation.lead_id, now_ms)
                .await?;
        }
        Ok(conversation)
    }

    /// After a turn that gave an e-mail address (`before` was the one known until then): if
    /// another lead has it, this conversation's lead is folded into that one (the person's
    /// older lead, with its owner) and the turn continues there; otherwise the address is
    /// remembered as this lead's.
    pub(super) async fn recognise_email(
        &self,
        tx: &mut TurnTx,
        conversation: &mut StoredConversation,
        before: Option<&str>,
        now_ms: i64,
    ) -> Result<(), RuntimeError> {
        let given = conversation.state.contact.get("email").map(String::as_str);
        let Some(person) = given
            .filter(|given| Some(*given) != before)
            .and_then(PersonId::email)
        else {
            return Ok(());
        };
        match tx.lead_of_person(&person).await? {
            Some(lead) if lead != conversation.lead_id => {
                tx.merge_leads(lead, conversation.lead_id, now_ms).await?;
                tracing::info!(
                    from = conversation.lead_id,
                    into = lead,
                    "the same e-mail again: leads merged"
                );
                conversation.lead_id = lead;
            }
            Some(_) => {}
            None => {
                tx.remember_person(&person, conversation.lead_id, now_ms)
                    .await?;
            }
        }
        Ok(())
    }
}
