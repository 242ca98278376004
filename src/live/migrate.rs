//! Purpose: `leadbot scripts migrate` — move conversations in progress to another version of
//! their script, explicitly, and only those whose answered steps (and the question they wait
//! on) exist in it with the same meaning.

use crate::engine::state::ConversationState;
use crate::engine::timers::next_wake;
use crate::script::Script;
use crate::store::scripts::Moved;
use crate::store::{Store, StoreError};

/// What a migration did, conversation by conversation.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// Conversations now on the target version: (channel, address).
    pub moved: Vec<(String, String)>,
    /// Conversations left where they were: (channel, address, why).
    pub refused: Vec<(String, String, String)>,
}

/// Whether a conversation can continue on `target`: every step it has answered, and the one
/// it waits on, must exist there and inform the same criterion.
pub fn check(target: &Script, state: &ConversationState) -> Result<(), String> {
    crate::engine::language::fits(target, state)
}

/// Moves every conversation of `target`'s script still in progress on another version to
/// `target`, each under its lock (no turn runs meanwhile), with its next timer recomputed.
pub async fn migrate(store: &Store, target: &Script, now_ms: i64) -> Result<Migrated, StoreError> {
    let mut migrated = Migrated::default();
    for (key, _) in store
        .running_conversations(&target.id, &target.version)
        .await?
    {
        let outcome = store
            .move_conversation(&key, target, now_ms, |state| {
                check(target, state)?;
                Ok(next_wake(target, state).map(|(wake, at)| (at.timestamp_millis(), wake.name())))
            })
            .await?;
        match outcome {
            Moved::Moved => migrated.moved.push((key.channel, key.address)),
            Moved::Refused(why) => migrated.refused.push((key.channel, key.address, why)),
            Moved::NotRunning => {}
        }
    }
    Ok(migrated)
}
