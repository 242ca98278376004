//! Purpose: flood control — a prospect who sends a burst of messages gets their answers read
//! in order, and for the messages that answer nothing one polite "one moment", not a re-ask
//! each. The burst is part of the conversation's state, which the store changes one turn at a
//! time, so the count is exact across replicas.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::{Turn, messages};
use crate::script::{MessageKey, Script};

/// Messages at most this many seconds apart belong to one burst.
pub const BURST_GAP_SECONDS: i64 = 3;

/// A burst of more than this many messages is a flood: the messages beyond it that answer
/// nothing are not re-asked.
pub const BURST_MESSAGES: u32 = 4;

/// The prospect's latest burst of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Burst {
    /// When the burst's latest message arrived.
    pub last: DateTime<FixedOffset>,
    /// Messages in the burst so far.
    pub count: u32,
    /// "One moment" was said in this burst.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub told: bool,
}

/// Counts a message arriving at `now`; true when it is beyond what a burst may hold.
pub fn arrived(burst: &mut Option<Burst>, now: DateTime<FixedOffset>) -> bool {
    let next = match *burst {
        Some(current) if (now - current.last).num_seconds() <= BURST_GAP_SECONDS => Burst {
            last: now.max(current.last),
            count: current.count.saturating_add(1),
            told: current.told,
        },
        _ => Burst {
            last: now,
            count: 1,
            told: false,
        },
    };
    *burst = Some(next);
    next.count > BURST_MESSAGES
}

/// A message that answers nothing, in a flood: "one moment" the first time, nothing after.
pub(super) fn hold(script: &Script, turn: &mut Turn) {
    if let Some(burst) = turn.state.burst.as_mut()
        && !burst.told
    {
        burst.told = true;
        turn.say(messages::text(script, MessageKey::OneMoment));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_ends_after_a_quiet_gap() {
        let start = DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap();
        let mut burst = None;
        let flags: Vec<bool> = (0..6)
            .map(|second| arrived(&mut burst, start + chrono::Duration::seconds(second)))
            .collect();
        assert_eq!(flags, [false, false, false, false, true, true]);
        let later = start + chrono::Duration::seconds(5 + BURST_GAP_SECONDS + 1);
        assert!(!arrived(&mut burst, later));
        assert_eq!(burst.map(|b| b.count), Some(1));
    }
}
