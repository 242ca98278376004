//! Purpose: what happens when nobody says anything — the conversation's next timer (a nudge
//! for an unanswered question, abandonment after a longer silence, one follow-up and then the
//! nurture touches for an MQL) and what each does when it fires. Pure: the runtime stores the
//! timer and fires it.

use chrono::{DateTime, Duration, FixedOffset};

use super::state::{ConversationState, DECAY_RULE, Pending, ScoreEvent, Stage};
use super::{Effect, Reply, Turn, messages, pending_question, question, scoring};
use crate::script::{MessageKey, Script};

/// A conversation timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// Remind a quiet prospect of the pending question.
    Nudge,
    /// Mark the conversation abandoned.
    Abandon,
    /// Follow up once with a marketing-qualified lead.
    FollowUp,
    /// Send touch number `n` (1 = the first) of the script's nurture sequence.
    Nurture(u32),
    /// Take behaviour points away from a lead that has been silent (the script's `decay`).
    Decay,
}

/// The prefix of a nurture timer's stored name: "nurture:2" is the second touch.
const NURTURE: &str = "nurture:";

impl Wake {
    /// The stored name.
    pub fn name(self) -> String {
        match self {
            Wake::Nudge => "nudge".into(),
            Wake::Abandon => "abandon".into(),
            Wake::FollowUp => "follow_up".into(),
            Wake::Nurture(touch) => format!("{NURTURE}{touch}"),
            Wake::Decay => "decay".into(),
        }
    }

    /// Reads a stored name.
    pub fn from_name(name: &str) -> Option<Wake> {
        if let Some(touch) = name.strip_prefix(NURTURE) {
            return touch
                .parse()
                .ok()
                .filter(|touch| *touch > 0)
                .map(Wake::Nurture);
        }
        [Wake::Nudge, Wake::Abandon, Wake::FollowUp, Wake::Decay]
            .into_iter()
            .find(|wake| wake.name() == name)
    }
}

/// The conversation's next timer, if any: a nudge, then abandonment, counted from when the
/// pending question was asked; for a dialogue that ended at MQL, one follow-up, then the
/// nurture touches until the prospect writes or the stage changes; and, whichever comes first,
/// the next score decay. Opted-out and disqualified prospects are never contacted again.
pub fn next_wake(
    script: &Script,
    state: &ConversationState,
) -> Option<(Wake, DateTime<FixedOffset>)> {
    // A rep has the conversation: they, not the timers, decide what happens next.
    if matches!(state.stage, Stage::OptedOut | Stage::Disqualified) || state.human_since.is_some() {
        return None;
    }
    match (message_wake(script, state), decay_wake(script, state)) {
        (Some(message), Some(decay)) if decay.1 < message.1 => Some(decay),
        (message, decay) => message.or(decay),
    }
}

/// The next decay: `after_days` after the last activity or the last decay, whichever is later,
/// while behaviour points are left to take — for leads not yet handed off (an SQL lead is with
/// its rep, who saw the score it qualified with).
fn decay_wake(script: &Script, state: &ConversationState) -> Option<(Wake, DateTime<FixedOffset>)> {
    let decay = script.decay?;
    if state.stage == Stage::Sql || scoring::behaviour_points_left(script, state) <= 0 {
        return None;
    }
    let from = state
        .last_decay_at
        .map_or(state.last_activity(), |decayed| {
            decayed.max(state.last_activity())
        });
    Some((Wake::Decay, from + Duration::days(decay.after_days)))
}

/// The next message timer: nudge, abandonment, follow-up or nurture touch.
fn message_wake(
    script: &Script,
    state: &ConversationState,
) -> Option<(Wake, DateTime<FixedOffset>)> {
    let timers = &script.follow_up;
    if let Some(pending) = state.pending.as_ref().filter(|pending| !pending.nurture) {
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
    let (Stage::Mql, Some(finished)) = (state.stage, state.finished_at) else {
        return None;
    };
    if let Some(after) = timers.mql_after
        && !state.followed_up
    {
        return Some((Wake::FollowUp, finished + after));
    }
    if state.nurture_stopped {
        return None;
    }
    let touch = script
        .nurture
        .get(usize::try_from(state.nurture_sent).ok()?)?;
    Some((
        Wake::Nurture(state.nurture_sent + 1),
        finished + Duration::days(touch.after_days),
    ))
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
    let Some((_, due_at)) =
        next_wake(script, &turn.state).filter(|(next, at)| *next == wake && *at <= now)
    else {
        return turn;
    };
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
        Wake::Nurture(number) => nurture(script, &mut turn, number, now),
        Wake::Decay => decay(script, &mut turn, due_at),
    }
    turn
}

/// Takes the script's decay points (at most what is left of the behaviour points) off the
/// score, with the silence it is for as the reason. The stage stays: decay lowers the score
/// shown and what a later re-qualification counts from, never a stage already reached.
fn decay(script: &Script, turn: &mut Turn, due_at: DateTime<FixedOffset>) {
    let Some(decay) = script.decay else {
        return;
    };
    let take = decay
        .points
        .saturating_neg()
        .min(scoring::behaviour_points_left(script, &turn.state));
    if take <= 0 {
        return;
    }
    let days = (due_at - turn.state.last_activity()).num_days();
    turn.state.decayed -= take;
    turn.state.last_decay_at = Some(due_at);
    turn.score(ScoreEvent {
        points: -take,
        reason: format!("decay: {days} days without activity"),
        rule: DECAY_RULE.into(),
        at: due_at,
    });
}

/// Sends nurture touch `number`: its message, and its question asked again (which replaces a
/// question an earlier touch left open).
fn nurture(script: &Script, turn: &mut Turn, number: u32, now: DateTime<FixedOffset>) {
    turn.state.nurture_sent = number;
    turn.state.pending = None;
    let Some(touch) = number
        .checked_sub(1)
        .and_then(|index| usize::try_from(index).ok())
        .and_then(|index| script.nurture.get(index))
    else {
        return;
    };
    turn.effects
        .push(Effect::Say(Reply::plain(touch.say.clone())));
    if let Some(step) = touch.ask.as_deref().and_then(|id| script.step(id)) {
        turn.state.pending = Some(Pending::asked(&step.id, now, true));
        turn.effects.push(Effect::Say(question(step)));
    }
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

    const NURTURED: &str = "id = \"n\"\nversion = 1\nlocale = \"en\"\ngreeting = \"Hi\"\nrequired = [\"need\", \"timing\"]\niql_requires = []\n\
         [thresholds]\nmql = 10\nsql = 90\n{follow_up}\n\
         [[nurture]]\nafter_days = 7\nsay = \"How Acme did it: example.com/acme\"\n\
         [[nurture]]\nafter_days = 30\nsay = \"Our pricing: example.com/pricing\"\nask = \"timing\"\n\
         [[steps]]\nid = \"need\"\ncriterion = \"need\"\nask = \"Do you need it?\"\nexpect = \"yes_no\"\nyes_points = 20\n\
         [[steps]]\nid = \"timing\"\ncriterion = \"timing\"\nask = \"When?\"\nexpect = \"timeframe\"\n\
         bands = [{ within_days = 30, points = 80 }, { within_days = 400, points = 5 }]\n";

    fn nurtured(follow_up: &str) -> Script {
        let source = NURTURED.replace("{follow_up}", follow_up);
        crate::script::parse(&source, Path::new("n.toml")).unwrap()
    }

    fn days(n: i64) -> DateTime<FixedOffset> {
        at(0) + Duration::days(n)
    }

    /// A dialogue that ended at MQL ("next year"), at minute 2.
    fn mql(script: &Script) -> ConversationState {
        let started = start(script, at(0)).state;
        let needs = step(script, started, &Input::Text("yes".into()), at(1)).state;
        let finished = step(script, needs, &Input::Text("next year".into()), at(2)).state;
        assert_eq!(finished.stage, Stage::Mql);
        finished
    }

    fn said(turn: &Turn) -> Vec<String> {
        turn.effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Say(reply) => Some(reply.text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_mql_gets_each_touch_once_and_a_re_answer_makes_it_sql() {
        let script = nurtured("");
        let finished = mql(&script);
        assert_eq!(
            next_wake(&script, &finished),
            Some((Wake::Nurture(1), at(2) + Duration::days(7)))
        );
        assert!(
            wake(&script, finished.clone(), Wake::Nurture(1), days(6))
                .effects
                .is_empty(),
            "not due yet"
        );
        let first = wake(&script, finished, Wake::Nurture(1), days(8));
        assert_eq!(said(&first), ["How Acme did it: example.com/acme"]);
        assert!(first.state.is_finished());
        assert!(
            wake(&script, first.state.clone(), Wake::Nurture(1), days(9))
                .effects
                .is_empty(),
            "each touch once"
        );
        assert_eq!(
            next_wake(&script, &first.state),
            Some((Wake::Nurture(2), at(2) + Duration::days(30)))
        );
        let second = wake(&script, first.state, Wake::Nurture(2), days(31));
        assert_eq!(said(&second), ["Our pricing: example.com/pricing", "When?"]);
        assert!(
            second.state.is_finished(),
            "a nurture question does not reopen the dialogue"
        );
        assert_eq!(
            next_wake(&script, &second.state),
            None,
            "the sequence is over"
        );

        let answered = step(
            &script,
            second.state,
            &Input::Text("this month".into()),
            days(32),
        );
        let scores: Vec<(i32, String)> = answered
            .effects
            .iter()
            .filter_map(Effect::score_event)
            .map(|event| (event.points, event.reason.clone()))
            .collect();
        assert_eq!(
            scores[0].0, -5,
            "the earlier answer's points are taken back: {scores:?}"
        );
        assert!(
            scores[0].1.starts_with("timing: answered again"),
            "{scores:?}"
        );
        assert_eq!(scores[1].0, 80, "{scores:?}");
        assert_eq!(answered.state.score, 100);
        assert_eq!(answered.state.stage, Stage::Sql);
        assert!(
            answered
                .effects
                .iter()
                .any(|effect| matches!(effect, Effect::HandOff(handoff) if handoff.score == 100))
        );
        assert_eq!(answered.state.pending, None, "the dialogue does not go on");
        assert_eq!(next_wake(&script, &answered.state), None);
    }

    #[test]
    fn a_reply_stops_the_sequence() {
        let script = nurtured("");
        let first = wake(&script, mql(&script), Wake::Nurture(1), days(8));
        let replied = step(&script, first.state, &Input::Text("thanks".into()), days(9));
        assert!(replied.state.nurture_stopped);
        assert_eq!(next_wake(&script, &replied.state), None);
        assert!(
            wake(&script, replied.state, Wake::Nurture(2), days(40))
                .effects
                .is_empty()
        );
    }

    #[test]
    fn an_opt_out_stops_the_sequence() {
        let script = nurtured("");
        let first = wake(&script, mql(&script), Wake::Nurture(1), days(8));
        let stopped = step(&script, first.state, &Input::Text("stop".into()), days(9));
        assert_eq!(stopped.state.stage, Stage::OptedOut);
        assert_eq!(next_wake(&script, &stopped.state), None);
    }

    #[test]
    fn the_follow_up_comes_before_the_sequence() {
        let script = nurtured("[follow_up]\nmql_after = \"3d\"");
        let finished = mql(&script);
        assert_eq!(
            next_wake(&script, &finished).map(|(wake, _)| wake),
            Some(Wake::FollowUp)
        );
        let followed = wake(&script, finished, Wake::FollowUp, days(4));
        assert_eq!(
            next_wake(&script, &followed.state).map(|(wake, _)| wake),
            Some(Wake::Nurture(1))
        );
    }

    #[test]
    fn timer_names_round_trip_and_old_names_still_read() {
        for wake in [Wake::Nudge, Wake::Abandon, Wake::FollowUp, Wake::Nurture(2)] {
            assert_eq!(Wake::from_name(&wake.name()), Some(wake));
        }
        assert_eq!(Wake::Nurture(2).name(), "nurture:2");
        assert_eq!(Wake::from_name("follow_up"), Some(Wake::FollowUp));
        assert_eq!(Wake::from_name("nurture:0"), None);
        assert_eq!(Wake::from_name("nurture:x"), None);
    }

    #[test]
    fn nurture_touches_are_validated() {
        let source = NURTURED
            .replace("{follow_up}", "")
            .replace("after_days = 30", "after_days = 5")
            .replace("ask = \"timing\"", "ask = \"budget\"");
        let problems: Vec<String> = crate::script::parse(&source, Path::new("n.toml"))
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("more than the previous touch's 7")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("ask \"budget\" is not a step id")),
            "{problems:?}"
        );
        let zero = NURTURED
            .replace("{follow_up}", "")
            .replace("after_days = 7", "after_days = 0");
        assert!(crate::script::parse(&zero, Path::new("n.toml")).is_err());
    }

    #[test]
    fn decay_takes_behaviour_points_after_silence_never_more_than_earned() {
        let script = script(
            "[decay]\nafter_days = 30\npoints = -10\n\
             [[signals]]\nid = \"demo\"\nreason = \"asked for a demo\"\npoints = 15\nphrases = [\"demo\"]",
        );
        let started = start(&script, at(0)).state;
        let asked = step(&script, started, &Input::Text("a demo".into()), at(1)).state;
        let finished = step(&script, asked, &Input::Text("yes".into()), at(2)).state;
        assert_eq!(finished.score, 35);
        let month = Duration::days(30);
        assert_eq!(
            next_wake(&script, &finished),
            Some((Wake::Decay, at(2) + month))
        );
        let first = wake(
            &script,
            finished,
            Wake::Decay,
            at(2) + month + Duration::hours(5),
        );
        let events: Vec<&ScoreEvent> = first
            .effects
            .iter()
            .filter_map(Effect::score_event)
            .collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].points, -10);
        assert_eq!(events[0].reason, "decay: 30 days without activity");
        assert_eq!(first.state.score, 25);
        assert_eq!(
            first.state.stage,
            Stage::Mql,
            "decay never lowers the stage"
        );
        assert_eq!(
            next_wake(&script, &first.state),
            Some((Wake::Decay, at(2) + month + month)),
            "the cadence counts from the due time, not from when it fired"
        );
        let second = wake(&script, first.state, Wake::Decay, at(2) + month * 3);
        let events: Vec<&ScoreEvent> = second
            .effects
            .iter()
            .filter_map(Effect::score_event)
            .collect();
        assert_eq!(events[0].points, -5, "only what the behaviour earned");
        assert_eq!(events[0].reason, "decay: 60 days without activity");
        assert_eq!(second.state.score, 20);
        assert_eq!(
            next_wake(&script, &second.state),
            None,
            "nothing left to take"
        );
        let handoff = crate::engine::hand_off(&script, &second.state, at(2) + month * 3);
        let last = handoff.top_reasons.last().unwrap();
        assert_eq!(last.points, -15);
        assert!(last.reason.starts_with("decay"), "{last:?}");
    }

    #[test]
    fn activity_restarts_the_decay_clock() {
        let script = script(
            "[decay]\nafter_days = 30\npoints = -10\n\
             [[signals]]\nid = \"demo\"\nreason = \"asked for a demo\"\npoints = 15\nphrases = [\"demo\"]",
        );
        let started = start(&script, at(0)).state;
        let asked = step(&script, started, &Input::Text("a demo".into()), at(1)).state;
        let back = step(
            &script,
            asked,
            &Input::Text("hello".into()),
            at(2) + Duration::days(20),
        )
        .state;
        assert_eq!(
            next_wake(&script, &back).map(|(_, at)| at),
            Some(at(2) + Duration::days(50))
        );
        let problems = crate::script::parse(
            &script.source.replace("points = -10", "points = 5"),
            Path::new("t.toml"),
        )
        .unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.to_string().contains("decay points must be negative")),
            "{:?}",
            problems.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
    }
}
