//! Purpose: what happens when nobody says anything — the conversation's next timer (a nudge
//! for an unanswered question, abandonment after a longer silence, one follow-up for an MQL)
//! and what each does when it fires. Pure: the runtime stores the timer and fires it.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::state::{ConversationState, Stage};
use super::{Effect, Reply, Turn, messages, pending_question};
use crate::script::{MessageKey, Script};

/// A conversation timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wake {
    /// Remind a quiet prospect of the pending question.
    Nudge,
    /// Mark the conversation abandoned.
    Abandon,
    /// Follow up once with a marketing-qualified lead.
    FollowUp,
}

impl Wake {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Wake::Nudge => "nudge",
            Wake::Abandon => "abandon",
            Wake::FollowUp => "follow_up",
        }
    }

    /// Reads a stored name.
    pub fn from_name(name: &str) -> Option<Wake> {
        [Wake::Nudge, Wake::Abandon, Wake::FollowUp]
            .into_iter()
            .find(|wake| wake.name() == name)
    }
}

/// The conversation's next timer, if any: a nudge, then abandonment, counted from when the
/// pending question was asked; for a dialogue that ended at MQL, one follow-up. Opted-out and
/// disqualified prospects are never contacted again.
pub fn next_wake(
    script: &Script,
    state: &ConversationState,
) -> Option<(Wake, DateTime<FixedOffset>)> {
    // A rep has the conversation: they, not the timers, decide what happens next.
    if matches!(state.stage, Stage::OptedOut | Stage::Disqualified) || state.human_since.is_some() {
        return None;
    }
    let timers = &script.follow_up;
    if let Some(pending) = &state.pending {
        if state.abandoned_at.is_some() {
            return None;
        }
        if !state.nudged
            && let Some(after) = timers.nudge_after
        {
            return Some((Wake::Nudge, pending.asked_at + after));
        }
        return timers
            .abandon_after
            .map(|after| (Wake::Abandon, pending.asked_at + after));
    }
    match (state.stage, state.finished_at, timers.mql_after) {
        (Stage::Mql, Some(finished), Some(after)) if !state.followed_up => {
            Some((Wake::FollowUp, finished + after))
        }
        _ => None,
    }
}

/// Fires a timer. A timer that no longer applies (the prospect answered, opted out, or the
/// lead moved on) does nothing.
pub fn wake(
    script: &Script,
    state: ConversationState,
    wake: Wake,
    now: DateTime<FixedOffset>,
) -> Turn {
    let mut turn = Turn {
        state,
        effects: Vec::new(),
    };
    let due = next_wake(script, &turn.state).is_some_and(|(next, at)| next == wake && at <= now);
    if !due {
        return turn;
    }
    match wake {
        Wake::Nudge => {
            turn.state.nudged = true;
            let question = pending_question(script, &turn.state)
                .map(|question| question.text)
                .unwrap_or_default();
            let text = messages::text(script, MessageKey::Nudge).replace("{question}", &question);
            turn.effects.push(Effect::Say(Reply::plain(text)));
        }
        Wake::Abandon => turn.state.abandoned_at = Some(now),
        Wake::FollowUp => {
            turn.state.followed_up = true;
            turn.effects.push(Effect::Say(Reply::plain(messages::text(
                script,
                MessageKey::FollowUpMql,
            ))));
        }
    }
    turn
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::Duration;

    use super::*;
    use crate::engine::{Input, start, step};

    fn script(follow_up: &str) -> Script {
        let source = format!(
            "id = \"t\"\nversion = 1\nlocale = \"en\"\ngreeting = \"Hi\"\nrequired = [\"need\"]\niql_requires = []\n\
             [thresholds]\nmql = 10\nsql = 90\n{follow_up}\n\
             [[steps]]\nid = \"need\"\ncriterion = \"need\"\nask = \"What do you need?\"\nexpect = \"yes_no\"\nyes_points = 20\n"
        );
        crate::script::parse(&source, Path::new("t.toml")).unwrap()
    }

    fn at(minutes: i64) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap()
            + Duration::minutes(minutes)
    }

    const TIMERS: &str =
        "[follow_up]\nnudge_after = \"30m\"\nabandon_after = \"1d\"\nmql_after = \"3d\"";

    #[test]
    fn a_quiet_prospect_is_nudged_once_then_abandoned() {
        let script = script(TIMERS);
        let started = start(&script, at(0)).state;
        assert_eq!(next_wake(&script, &started), Some((Wake::Nudge, at(30))));
        let early = wake(&script, started.clone(), Wake::Nudge, at(29));
        assert!(early.effects.is_empty(), "not due yet");
        let nudged = wake(&script, started, Wake::Nudge, at(31));
        assert_eq!(
            nudged.effects,
            [Effect::Say(Reply::plain(
                "Still there? Whenever you're ready: What do you need?".into()
            ))]
        );
        assert_eq!(
            next_wake(&script, &nudged.state),
            Some((Wake::Abandon, at(24 * 60)))
        );
        let again = wake(&script, nudged.state.clone(), Wake::Nudge, at(40));
        assert!(again.effects.is_empty(), "one nudge per silence");
        let abandoned = wake(&script, nudged.state, Wake::Abandon, at(24 * 60));
        assert_eq!(abandoned.state.abandoned_at, Some(at(24 * 60)));
        assert_eq!(next_wake(&script, &abandoned.state), None);
        // Coming back clears it; the next silence gets its own nudge.
        let back = step(
            &script,
            abandoned.state,
            &Input::Text("hello?".into()),
            at(3000),
        );
        assert_eq!(back.state.abandoned_at, None);
        assert_eq!(
            next_wake(&script, &back.state).map(|(wake, _)| wake),
            Some(Wake::Nudge)
        );
    }

    #[test]
    fn an_mql_gets_one_follow_up_and_opted_out_people_none() {
        let script = script(TIMERS);
        let started = start(&script, at(0)).state;
        let finished = step(&script, started.clone(), &Input::Text("yes".into()), at(1)).state;
        assert_eq!(finished.stage, Stage::Mql);
        assert_eq!(
            next_wake(&script, &finished),
            Some((Wake::FollowUp, at(1 + 3 * 24 * 60)))
        );
        let followed = wake(&script, finished, Wake::FollowUp, at(5 * 24 * 60));
        assert_eq!(followed.effects.len(), 1);
        assert_eq!(next_wake(&script, &followed.state), None);
        let stopped = step(&script, started, &Input::Text("stop".into()), at(2)).state;
        assert_eq!(next_wake(&script, &stopped), None);
        assert!(
            wake(&script, stopped, Wake::Nudge, at(999))
                .effects
                .is_empty()
        );
    }

    #[test]
    fn scripts_without_timers_never_wake() {
        let script = script("");
        assert_eq!(next_wake(&script, &start(&script, at(0)).state), None);
    }

    #[test]
    fn durations_are_validated() {
        let source = "id = \"t\"\nversion = 1\nlocale = \"en\"\ngreeting = \"Hi\"\nrequired = [\"need\"]\niql_requires = []\n\
             [thresholds]\nmql = 10\nsql = 90\n[follow_up]\nnudge_after = \"two hours\"\nabandon_after = \"10m\"\n\
             [[steps]]\nid = \"need\"\ncriterion = \"need\"\nask = \"?\"\nexpect = \"yes_no\"\n";
        let problems: Vec<String> = crate::script::parse(source, Path::new("t.toml"))
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("\"two hours\" is not a duration")),
            "{problems:?}"
        );
    }
}
