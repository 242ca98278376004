//! Purpose: the qualification engine — `step(script, state, input, now) -> (state, effects)`.
//! Pure and deterministic: no I/O, no clock, no randomness; everything that happens in a
//! conversation is a value that can be tested, replayed and benchmarked.

pub mod commands;
pub mod faq;
pub mod flood;
mod interpret;
pub mod language;
pub mod messages;
pub mod scoring;
pub mod state;
pub mod takeover;
pub mod timers;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use self::commands::Command;
use self::interpret::{Interpretation, interpret};
use self::state::{
    AnswerValue, ConversationState, FAST_REPLY_RULE, Pending, RecordedAnswer, ScoreEvent, Stage,
    StageChange,
};
use crate::extract::MoneyAnswer;

use crate::script::{
    Comparison, Condition, Criterion, Expectation, Jump, MessageKey, Script, Step,
};

/// Longest message the engine reads, in characters; longer ones get a polite request to shorten.
pub const MAX_INPUT_CHARS: usize = 2000;

/// What the prospect did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Typed a message.
    Text(String),
    /// Clicked an option button of a step.
    Choice {
        /// The step the button belongs to.
        step: String,
        /// The option's value.
        value: String,
    },
}

/// One option button to show with a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReplyChoice {
    /// Sent back when clicked.
    pub value: String,
    /// Shown on the button.
    pub label: String,
}

/// Something the bot says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Reply {
    /// The text.
    pub text: String,
    /// The step this asks, when it is a question.
    pub step: Option<String>,
    /// Options to render as buttons (empty for free-text questions).
    #[serde(default)]
    pub choices: Vec<ReplyChoice>,
    /// True when several options may be chosen.
    #[serde(default)]
    pub multiple: bool,
    /// A button that opens a page (a booking page), rendered as a link button where the
    /// channel has them and as the address elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<ReplyLink>,
}

/// A link button under a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReplyLink {
    /// Shown on the button ("Book a time with Ana").
    pub label: String,
    /// The page it opens.
    pub url: String,
}

impl Reply {
    fn plain(text: String) -> Self {
        Reply {
            text,
            step: None,
            choices: Vec::new(),
            multiple: false,
            link: None,
        }
    }
}

/// A sales-qualified lead, ready for a rep: everything needed to follow up at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandOff {
    /// The script the lead qualified on.
    pub script_id: String,
    /// The lead's stage (sql).
    pub stage: Stage,
    /// The score.
    pub score: i32,
    /// Contact details, by field name.
    pub contact: std::collections::BTreeMap<String, String>,
    /// The largest positive score events, largest first; then, when the score decayed, the
    /// points decay took away (one negative event).
    pub top_reasons: Vec<ScoreEvent>,
    /// Each criterion's answers, described.
    pub criteria: Vec<(Criterion, String)>,
    /// When the lead qualified.
    pub qualified_at: DateTime<FixedOffset>,
    /// Questions the prospect asked that the script has no answer for: the rep answers them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
}

/// Something that happened in a turn, for the runtime to store and deliver.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Send this to the prospect.
    Say(Reply),
    /// An answer was accepted.
    AnswerRecorded(RecordedAnswer),
    /// The score changed.
    Scored(ScoreEvent),
    /// The funnel stage changed.
    StageChanged(StageChange),
    /// The lead is sales-qualified: notify a rep.
    HandOff(HandOff),
    /// The prospect asked for a person: the script is paused, a rep is to take over.
    HumanRequested,
    /// A rep has the conversation: what the prospect wrote is for them (not interpreted).
    ForRep,
}

impl Effect {
    /// The score event, if this is one (the score's history is the effects', in order).
    pub fn score_event(&self) -> Option<&ScoreEvent> {
        match self {
            Effect::Scored(event) => Some(event),
            _ => None,
        }
    }

    /// The stage change, if this is one.
    pub fn stage_change(&self) -> Option<&StageChange> {
        match self {
            Effect::StageChanged(change) => Some(change),
            _ => None,
        }
    }
}

/// The outcome of one engine call.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// The conversation after the input.
    pub state: ConversationState,
    /// What happened, in order.
    pub effects: Vec<Effect>,
}

/// Starts a conversation: greeting and first question.
pub fn start(script: &Script, now: DateTime<FixedOffset>) -> Turn {
    let state = ConversationState {
        script_id: script.id.clone(),
        script_version: script.version.clone(),
        stage: Stage::Lead,
        score: 0,
        pending: None,
        answers: Vec::new(),
        fast_reply_points: 0,
        top_gains: Vec::new(),
        qualified_at: None,
        earlier_score_events: Vec::new(),
        earlier_stage_changes: Vec::new(),
        path: Vec::new(),
        contact: Default::default(),
        signals_fired: Default::default(),
        started_at: now,
        finished_at: None,
        nudged: false,
        abandoned_at: None,
        followed_up: false,
        human_since: None,
        nurture_sent: 0,
        nurture_stopped: false,
        last_active_at: None,
        decayed: 0,
        last_decay_at: None,
        open_questions: Vec::new(),
        burst: None,
    };
    let mut turn = Turn {
        state,
        effects: vec![Effect::Say(Reply::plain(script.greeting.clone()))],
    };
    advance(script, &mut turn, None, now);
    turn
}

/// Applies one input to a conversation.
pub fn step(
    script: &Script,
    state: ConversationState,
    input: &Input,
    now: DateTime<FixedOffset>,
) -> Turn {
    let mut turn = Turn {
        state,
        effects: Vec::new(),
    };
    // The prospect is back: a later silence may be nudged again.
    turn.state.nudged = false;
    turn.state.abandoned_at = None;
    // Decay counts silence from here (kept only where the script decays).
    if script.decay.is_some() {
        turn.state.last_active_at = Some(now);
    }
    // A reply to a nurture touch ends the sequence: the prospect is talking again.
    if turn.state.nurture_sent > 0 {
        turn.state.nurture_stopped = true;
    }
    let command = match input {
        Input::Text(text) => commands::recognise(text, script.locale),
        Input::Choice { .. } => None,
    };
    // A rep has the conversation: everything but "stop" is for them, long or not.
    if turn.state.human_since.is_some() && command != Some(Command::Stop) {
        turn.effects.push(Effect::ForRep);
        return turn;
    }
    if let Input::Text(text) = input {
        if text.chars().count() > MAX_INPUT_CHARS {
            turn.say(messages::text(script, MessageKey::TooLong));
            return turn;
        }
        if command.is_none()
            && turn.state.stage != Stage::OptedOut
            && takeover::asks_for_human(text, script)
        {
            return takeover::request(script, turn, now);
        }
        match command {
            Some(Command::Stop) => return opt_out(script, turn, now),
            Some(Command::Restart) => return restart(script, turn, now),
            Some(Command::Help) => {
                turn.say(messages::text(script, MessageKey::Help));
                if let Some(step) = pending_step(script, &turn.state) {
                    turn.effects.push(Effect::Say(question(step)));
                }
                return turn;
            }
            None => {}
        }
    }
    if turn.state.stage == Stage::OptedOut {
        turn.say(messages::text(script, MessageKey::OptedOutAlready));
        return turn;
    }
    let Some(step) = pending_step(script, &turn.state) else {
        turn.say(messages::text(script, MessageKey::AlreadyDone));
        return turn;
    };
    let flooding = flood::arrived(&mut turn.state.burst, now);
    if let Input::Text(text) = input {
        for (id, event) in scoring::signals_in(script, text, &turn.state.signals_fired, now) {
            turn.state.signals_fired.insert(id);
            turn.score(event);
        }
    }
    if let Some((said, money)) = turn
        .state
        .pending
        .as_ref()
        .and_then(|pending| pending.awaiting_period.clone())
    {
        if let Input::Text(text) = input
            && let Some(entry) = faq::matching(script, text)
            && faq::looks_like_question(text, script.locale)
        {
            // The amount stays waiting for its period; the question is answered first.
            turn.say(entry.answer.clone());
            turn.effects
                .push(Effect::Say(period_question(script, step)));
            return turn;
        }
        if flooding
            && let Input::Text(text) = input
            && crate::extract::period(text).is_err()
        {
            flood::hold(script, &mut turn);
            return turn;
        }
        complete_period(script, &mut turn, step, input, said, money, now);
        return turn;
    }
    let (clarifying, reasks) = turn
        .state
        .pending
        .as_ref()
        .map(|pending| (pending.clarifying.clone(), pending.reasks))
        .unwrap_or_default();
    let interpretation = interpret(script, step, input, &clarifying, now);
    if let Input::Text(text) = input {
        let understood = !matches!(interpretation, Interpretation::NotUnderstood);
        if faq::aside(script, &mut turn, step, text, understood, flooding, now) {
            return turn;
        }
    }
    if flooding && !matches!(interpretation, Interpretation::Understood(_)) {
        flood::hold(script, &mut turn);
        return turn;
    }
    match interpretation {
        Interpretation::Understood(AnswerValue::Money {
            answer: MoneyAnswer::Amount(money),
        }) if money.period.is_none()
            && matches!(
                step.expect,
                Expectation::Money {
                    ask_period: true,
                    ..
                }
            ) =>
        {
            let said = raw_text(input, step);
            if let Some(pending) = turn.state.pending.as_mut() {
                pending.awaiting_period = Some((said, money));
            }
            turn.effects
                .push(Effect::Say(period_question(script, step)));
        }
        Interpretation::Understood(value) => {
            let raw = raw_text(input, step);
            accept(script, &mut turn, step, raw, value, now);
        }
        Interpretation::Ambiguous(readings) if reasks < script.max_reasks => {
            let text = messages::text(script, MessageKey::Clarify)
                .replace("{options}", &messages::either(script.locale, &readings));
            if let Some(pending) = turn.state.pending.as_mut() {
                pending.reasks += 1;
                pending.clarifying = readings;
            }
            turn.say(text);
        }
        Interpretation::NotUnderstood | Interpretation::Ambiguous(_)
            if reasks < script.max_reasks =>
        {
            if let Some(pending) = turn.state.pending.as_mut() {
                pending.reasks += 1;
                pending.clarifying.clear();
            }
            let hint = step.hint.clone().unwrap_or_else(|| {
                messages::text(script, MessageKey::hint_for(step.expect.kind()))
            });
            turn.say(format!(
                "{} {hint}",
                messages::text(script, MessageKey::Reask)
            ));
            turn.effects.push(Effect::Say(question(step)));
        }
        Interpretation::NotUnderstood | Interpretation::Ambiguous(_) => {
            turn.say(messages::text(script, MessageKey::MovingOn));
            let raw = raw_text(input, step);
            accept(script, &mut turn, step, raw, AnswerValue::Unparsed, now);
        }
    }
    turn
}

impl Turn {
    fn say(&mut self, text: String) {
        self.effects.push(Effect::Say(Reply::plain(text)));
    }

    fn score(&mut self, event: ScoreEvent) {
        self.state.record_score(&event);
        self.effects.push(Effect::Scored(event));
    }

    fn change_stage(&mut self, to: Stage, reason: String, at: DateTime<FixedOffset>) {
        let change = StageChange {
            from: self.state.stage,
            to,
            reason,
            at,
        };
        self.state.record_stage_change(&change);
        self.effects.push(Effect::StageChanged(change));
    }
}

/// The question a conversation is waiting on, to ask again when the prospect comes back.
pub fn pending_question(script: &Script, state: &ConversationState) -> Option<Reply> {
    pending_step(script, state).map(question)
}

fn pending_step<'a>(script: &'a Script, state: &ConversationState) -> Option<&'a Step> {
    state
        .pending
        .as_ref()
        .and_then(|pending| script.step(&pending.step))
}

fn raw_text(input: &Input, step: &Step) -> String {
    match input {
        Input::Text(text) => text.trim().to_string(),
        Input::Choice { value, .. } => step
            .expect
            .options()
            .iter()
            .find(|option| &option.value == value)
            .map_or_else(|| value.clone(), |option| option.label.clone()),
    }
}

/// "Is that per month or per year?", with both as buttons.
fn period_question(script: &Script, step: &Step) -> Reply {
    Reply {
        text: messages::text(script, MessageKey::ClarifyPeriod),
        step: Some(step.id.clone()),
        choices: vec![
            ReplyChoice {
                value: "month".into(),
                label: messages::text(script, MessageKey::PerMonth),
            },
            ReplyChoice {
                value: "year".into(),
                label: messages::text(script, MessageKey::PerYear),
            },
        ],
        multiple: false,
        link: None,
    }
}

/// Reads the answer to the period question and records the amount with it; after the allowed
/// re-asks, records the amount as said.
fn complete_period(
    script: &Script,
    turn: &mut Turn,
    step: &Step,
    input: &Input,
    said: String,
    mut money: crate::extract::Money,
    now: DateTime<FixedOffset>,
) {
    let (period, reply) = match input {
        Input::Choice { value, .. } => (
            match value.as_str() {
                "month" => Ok(crate::extract::Period::Month),
                "year" => Ok(crate::extract::Period::Year),
                _ => Err(crate::extract::Unclear::NotUnderstood),
            },
            value.clone(),
        ),
        Input::Text(text) => (crate::extract::period(text), text.trim().to_string()),
    };
    let reasks = turn
        .state
        .pending
        .as_ref()
        .map_or(0, |pending| pending.reasks);
    match period {
        Ok(period) => money.period = Some(period),
        Err(_) if reasks < script.max_reasks => {
            if let Some(pending) = turn.state.pending.as_mut() {
                pending.reasks += 1;
            }
            turn.effects
                .push(Effect::Say(period_question(script, step)));
            return;
        }
        Err(_) => {}
    }
    let value = AnswerValue::Money {
        answer: MoneyAnswer::Amount(money),
    };
    accept(script, turn, step, format!("{said} ({reply})"), value, now);
}

/// The question of a step, with its options as buttons.
fn question(step: &Step) -> Reply {
    Reply {
        text: step.ask.clone(),
        step: Some(step.id.clone()),
        choices: step
            .expect
            .options()
            .iter()
            .map(|option| ReplyChoice {
                value: option.value.clone(),
                label: option.label.clone(),
            })
            .collect(),
        multiple: matches!(step.expect, Expectation::MultiChoice { .. }),
        link: None,
    }
}

/// Records an answer, scores it, moves the funnel and asks the next question.
fn accept(
    script: &Script,
    turn: &mut Turn,
    step: &Step,
    raw: String,
    value: AnswerValue,
    now: DateTime<FixedOffset>,
) {
    let scored = scoring::score_answer(script, step, &value, now);
    let unconvertible = unconvertible_amount(script, &value);
    let nurture = turn
        .state
        .pending
        .as_ref()
        .is_some_and(|pending| pending.nurture);
    if nurture {
        if matches!(value, AnswerValue::Unparsed) {
            // Not understood: the earlier answer stands.
            finish(turn, now);
            return;
        }
        take_back_earlier_answer(turn, step, now);
    }
    let mut events = scored.events;
    if let (Some(fast), Some(pending)) = (script.fast_reply, turn.state.pending.as_ref()) {
        let quick = (now - pending.asked_at).num_seconds() <= fast.within_seconds;
        let earned = turn.state.fast_reply_earned();
        // Once per step: an amount asked for again in the script's currency earns it once.
        let first_answer = turn.state.answer(&step.id).is_none();
        if quick
            && first_answer
            && earned + fast.points <= fast.max_points
            && !matches!(value, AnswerValue::Unparsed)
        {
            events.push(ScoreEvent {
                points: fast.points,
                reason: format!("answered {} quickly", step.id),
                rule: FAST_REPLY_RULE.into(),
                at: now,
            });
        }
    }
    if let Some(field) = step.store_as
        && !matches!(value, AnswerValue::Unparsed)
    {
        turn.state
            .contact
            .insert(field.name().to_string(), value.describe());
    }
    let answer = RecordedAnswer {
        step: step.id.clone(),
        criterion: step.criterion,
        raw,
        points: events
            .iter()
            .filter(|event| event.rule != FAST_REPLY_RULE)
            .map(|event| event.points)
            .sum(),
        value,
        at: now,
    };
    turn.state.answers.push(answer.clone());
    turn.effects.push(Effect::AnswerRecorded(answer));
    for event in events {
        turn.score(event);
    }
    if let Some(say) = scored.disqualified {
        turn.change_stage(
            Stage::Disqualified,
            format!("{}: hard disqualifier", step.id),
            now,
        );
        turn.say(say);
        finish(turn, now);
        return;
    }
    promote(script, turn, now);
    if let Some(said) = unconvertible
        && let Some(pending) = turn.state.pending.as_mut()
        && pending.reasks < script.max_reasks
    {
        // The answer stays recorded; the prospect is asked for a figure the bands can use.
        pending.reasks += 1;
        pending.clarifying.clear();
        pending.awaiting_period = None;
        let text = messages::text(script, MessageKey::AmountInCurrency)
            .replace("{amount}", &said)
            .replace("{currency}", &script.currency);
        turn.effects.push(Effect::Say(Reply {
            text,
            step: Some(step.id.clone()),
            choices: Vec::new(),
            multiple: false,
            link: None,
        }));
        return;
    }
    if nurture {
        // A nurture question stands alone: the dialogue is over, so it ends again here (and
        // a lead that is now sales-qualified is handed off).
        complete(script, turn, now);
        return;
    }
    advance(script, turn, Some(step), now);
}

/// Before a nurture re-answer is scored: the earlier answer to the same step gives its points
/// back (one score event saying so), so the step counts once, with its latest answer.
fn take_back_earlier_answer(turn: &mut Turn, step: &Step, now: DateTime<FixedOffset>) {
    let Some(earlier) = turn
        .state
        .answers
        .iter_mut()
        .rev()
        .find(|answer| answer.step == step.id)
    else {
        return;
    };
    let points = std::mem::take(&mut earlier.points);
    let was = earlier.value.describe();
    if points != 0 {
        turn.score(ScoreEvent {
            points: -points,
            reason: format!("{}: answered again (was {was})", step.id),
            rule: format!("step:{}", step.id),
            at: now,
        });
    }
}

/// An amount the script has no exchange rate for, described ("EUR 10,000"); `None` otherwise.
fn unconvertible_amount(script: &Script, value: &AnswerValue) -> Option<String> {
    match value {
        AnswerValue::Money {
            answer: MoneyAnswer::Amount(money),
        } if script
            .in_own_currency(money.amount, &money.currency)
            .is_none() =>
        {
            Some(value.describe())
        }
        _ => None,
    }
}

/// Moves the lead up the funnel as far as its answers justify, one recorded change per stage.
fn promote(script: &Script, turn: &mut Turn, now: DateTime<FixedOffset>) {
    if turn.state.stage.is_terminal() {
        return;
    }
    let earned = scoring::earned_stage(script, &turn.state);
    for stage in [Stage::Iql, Stage::Mql, Stage::Sql] {
        if turn.state.stage < stage && stage <= earned {
            let reason = scoring::stage_reason(script, &turn.state, stage);
            turn.change_stage(stage, reason, now);
        }
    }
}

/// Asks the next applicable question after `after` (or the first), or ends the dialogue.
fn advance(script: &Script, turn: &mut Turn, after: Option<&Step>, now: DateTime<FixedOffset>) {
    let mut next = match after {
        None => Some(0),
        Some(step) => match step.goto.iter().find(|jump| {
            jump.when
                .as_ref()
                .is_none_or(|c| holds(script, &turn.state, c))
        }) {
            Some(jump) if jump.to == Jump::END => None,
            Some(jump) => script.step_index(&jump.to),
            None => script.step_index(&step.id).map(|index| index + 1),
        },
    };
    while let Some(index) = next {
        let Some(candidate) = script.steps.get(index) else {
            next = None;
            break;
        };
        if candidate
            .when
            .as_ref()
            .is_none_or(|condition| holds(script, &turn.state, condition))
        {
            break;
        }
        next = Some(index + 1);
    }
    match next.and_then(|index| script.steps.get(index)) {
        Some(step) => {
            turn.state.pending = Some(Pending::asked(&step.id, now, false));
            turn.state.path.push(step.id.clone());
            turn.effects.push(Effect::Say(question(step)));
        }
        None => complete(script, turn, now),
    }
}

/// Ends a dialogue that ran out of questions, handing a sales-qualified lead off.
fn complete(script: &Script, turn: &mut Turn, now: DateTime<FixedOffset>) {
    let key = match turn.state.stage {
        Stage::Sql => MessageKey::CompletedSql,
        Stage::Mql => MessageKey::CompletedMql,
        _ => MessageKey::Completed,
    };
    turn.say(messages::text(script, key));
    if turn.state.stage == Stage::Sql {
        let handoff = hand_off(script, &turn.state, now);
        turn.effects.push(Effect::HandOff(handoff));
    }
    finish(turn, now);
}

fn finish(turn: &mut Turn, now: DateTime<FixedOffset>) {
    turn.state.pending = None;
    turn.state.finished_at = Some(now);
}

/// Builds the hand-off summary a rep receives.
pub fn hand_off(script: &Script, state: &ConversationState, now: DateTime<FixedOffset>) -> HandOff {
    let top_reasons = state.top_reasons();
    let criteria = Criterion::ALL
        .into_iter()
        .filter(|criterion| *criterion != Criterion::Contact)
        .map(|criterion| {
            let answers: Vec<String> = state
                .answers
                .iter()
                .filter(|answer| answer.criterion == criterion)
                .map(|answer| answer.value.describe())
                .collect();
            let text = if answers.is_empty() {
                "—".to_string()
            } else {
                answers.join("; ")
            };
            (criterion, text)
        })
        .collect();
    let mut top_reasons = top_reasons;
    if state.decayed != 0 {
        top_reasons.push(ScoreEvent {
            points: state.decayed,
            reason: "decay: behaviour points faded while the lead was silent".into(),
            rule: state::DECAY_RULE.into(),
            at: state.last_decay_at.unwrap_or(now),
        });
    }
    let qualified_at = state.last_qualified_at().unwrap_or(now);
    HandOff {
        questions: state.open_questions.clone(),
        script_id: script.id.clone(),
        stage: state.stage,
        score: state.score,
        contact: state.contact.clone(),
        top_reasons,
        criteria,
        qualified_at,
    }
}

fn opt_out(script: &Script, mut turn: Turn, now: DateTime<FixedOffset>) -> Turn {
    if turn.state.stage != Stage::OptedOut {
        turn.change_stage(Stage::OptedOut, "asked to stop".into(), now);
    }
    turn.say(messages::text(script, MessageKey::OptedOut));
    turn.state.human_since = None;
    finish(&mut turn, now);
    turn
}

fn restart(script: &Script, turn: Turn, now: DateTime<FixedOffset>) -> Turn {
    let mut fresh = start(script, now);
    let mut effects = vec![Effect::Say(Reply::plain(messages::text(
        script,
        MessageKey::Restarted,
    )))];
    if turn.state.stage != Stage::Lead {
        effects.push(Effect::StageChanged(StageChange {
            from: turn.state.stage,
            to: Stage::Lead,
            reason: "restarted".into(),
            at: now,
        }));
    }
    effects.append(&mut fresh.effects);
    fresh.effects = effects;
    fresh
}

/// Evaluates a condition on the latest answer to its step; an unanswered step satisfies nothing,
/// and neither does an amount in a currency the script has no rate for.
fn holds(script: &Script, state: &ConversationState, condition: &Condition) -> bool {
    let Some(answer) = state.answer(&condition.step) else {
        return false;
    };
    let number = match &answer.value {
        AnswerValue::Money { answer } => match answer {
            MoneyAnswer::Amount(money) => script.in_own_currency(money.amount, &money.currency),
            _ => Some(0.0),
        },
        AnswerValue::Number { value } => Some(*value),
        AnswerValue::Timeframe { answer } => match answer {
            crate::extract::TimeframeAnswer::Window(window) => Some(window.days_until_start as f64),
            crate::extract::TimeframeAnswer::NoTimeline => None,
        },
        _ => None,
    };
    if let (Some(left), Ok(right)) = (number, condition.value.parse::<f64>()) {
        return match condition.op {
            Comparison::Equal => left == right,
            Comparison::NotEqual => left != right,
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Greater => left > right,
            Comparison::GreaterOrEqual => left >= right,
        };
    }
    let equal = match &answer.value {
        AnswerValue::YesNo { value, .. } => (condition.value == "yes") == *value,
        AnswerValue::Choice { value, .. } => value == &condition.value,
        AnswerValue::MultiChoice { values, .. } => values.contains(&condition.value),
        AnswerValue::Email { value } | AnswerValue::Text { value } => {
            value.eq_ignore_ascii_case(&condition.value)
        }
        _ => return false,
    };
    match condition.op {
        Comparison::Equal => equal,
        Comparison::NotEqual => !equal,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
