//! Purpose: scripts tested like code — test cases beside the scripts (`conversations/tests/
//! *.toml`) give a dialogue's answers and a fixed clock, and say what must come out: stage,
//! score, path, disqualification, the pool and rep routing picks, golden replies. Running one
//! is pure: the engine and routing, no database.

mod file;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, FixedOffset};

use crate::channels::console;
use crate::engine::{self, Effect};
use crate::reps::Team;
use crate::routing::{self, LeadAttributes, RotationInput};
use crate::script::Script;

pub use file::{
    CaseChannel, CaseFile, CasesError, ScoreExpectation, TestCase, load, update_replies,
};

/// The prefix of an answer that clicks an option button instead of typing.
pub const CLICK: &str = "click:";

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What was checked: "stage", "score", "path", "disqualified", "pool", "rep", "questions",
    /// "replies", or "click" (a click or wait the case could not make).
    pub what: &'static str,
    /// What the case expects.
    pub expected: String,
    /// What the dialogue gave.
    pub actual: String,
}

/// What running one case gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The case's name.
    pub name: String,
    /// Every expectation that did not hold (empty: the case passed).
    pub mismatches: Vec<Mismatch>,
    /// The bot's replies, in order (what `--update` writes as golden replies).
    pub replies: Vec<String>,
    /// The whole dialogue: bot and prospect lines, score and stage events.
    pub transcript: Vec<String>,
}

/// The dialogue of one case, as the engine runs it.
struct Run {
    state: engine::state::ConversationState,
    replies: Vec<String>,
    transcript: Vec<String>,
    disqualified: Option<String>,
    /// A click or wait that could not be made: (the answer, why).
    impossible_click: Option<(String, String)>,
    /// The clock when the last answer was given or the last wait ended.
    ended_at: DateTime<FixedOffset>,
}

/// The engine input for one answer of a case: typed text, or a click on an option button of
/// the pending question. A click needs a channel with buttons and an option of that value.
fn input_of(
    answer: &str,
    channel: CaseChannel,
    script: &Script,
    state: &engine::state::ConversationState,
) -> Result<engine::Input, String> {
    let Some(value) = answer.strip_prefix(CLICK) else {
        return Ok(console::input(answer));
    };
    if !channel.has_buttons() {
        return Err("the terminal has no buttons: set channel = \"slack\" or \"discord\"".into());
    }
    let question = engine::pending_question(script, state)
        .ok_or_else(|| "no question is waiting for an answer".to_string())?;
    let step = question.step.unwrap_or_default();
    if question.choices.iter().any(|choice| choice.value == value) {
        return Ok(engine::Input::Choice {
            step,
            value: value.to_string(),
        });
    }
    let offered: Vec<&str> = question.choices.iter().map(|c| c.value.as_str()).collect();
    Err(format!(
        "step `{step}` offers no button `{value}` (buttons: {})",
        if offered.is_empty() {
            "none".to_string()
        } else {
            offered.join(", ")
        }
    ))
}

/// The prefix of an answer that lets time pass instead (`wait:14d`, `wait:3h`, `wait:45m`):
/// every timer that falls due meanwhile fires — nudges, abandonment, follow-ups, nurture
/// touches, score decay — as `serve` would fire it.
pub const WAIT: &str = "wait:";

/// A `wait:` duration: a whole number of days, hours or minutes.
fn wait_of(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let amount: i64 = number
        .parse()
        .ok()
        .filter(|amount| *amount > 0 && *amount <= 3650 * 24 * 60)
        .ok_or_else(|| format!("`wait:{text}`: expected e.g. wait:14d, wait:3h or wait:45m"))?;
    match unit {
        "d" => Ok(Duration::days(amount.min(3650))),
        "h" => Ok(Duration::hours(amount.min(3650 * 24))),
        "m" => Ok(Duration::minutes(amount)),
        _ => Err(format!(
            "`wait:{text}`: expected e.g. wait:14d, wait:3h or wait:45m"
        )),
    }
}

/// The most timers one wait fires (a guard against a timer that keeps itself due).
const MAX_TIMERS_PER_WAIT: usize = 100;

fn run_dialogue(
    script: &Script,
    answers: &[String],
    channel: CaseChannel,
    start: DateTime<FixedOffset>,
) -> Run {
    let mut turn = engine::start(script, start);
    let mut run = Run {
        state: turn.state.clone(),
        replies: Vec::new(),
        transcript: Vec::new(),
        disqualified: None,
        impossible_click: None,
        ended_at: start,
    };
    record(&turn.effects, &mut run);
    let mut clock = start;
    for answer in answers {
        if let Some(duration) = answer.strip_prefix(WAIT) {
            let until = match wait_of(duration) {
                Ok(wait) => clock + wait,
                Err(why) => {
                    run.transcript.push(format!("(cannot {answer:?}: {why})"));
                    run.impossible_click = Some((answer.clone(), why));
                    break;
                }
            };
            run.transcript.push(format!("({duration} pass)"));
            for _ in 0..MAX_TIMERS_PER_WAIT {
                let Some((wake, at)) =
                    engine::timers::next_wake(script, &turn.state).filter(|(_, at)| *at <= until)
                else {
                    break;
                };
                turn = engine::timers::wake(script, turn.state, wake, at.max(clock));
                record(&turn.effects, &mut run);
            }
            clock = until;
            continue;
        }
        if turn.state.is_finished() && turn.state.pending.is_none() {
            run.transcript
                .push(format!("(the dialogue had ended; {answer:?} was not sent)"));
            break;
        }
        let input = match input_of(answer, channel, script, &turn.state) {
            Ok(input) => input,
            Err(why) => {
                run.transcript.push(format!("(cannot {answer:?}: {why})"));
                run.impossible_click = Some((answer.clone(), why));
                break;
            }
        };
        run.transcript.push(format!("you: {answer}"));
        clock += Duration::minutes(1);
        turn = engine::step(script, turn.state, &input, clock);
        record(&turn.effects, &mut run);
    }
    run.state = turn.state;
    run.ended_at = clock;
    run
}

fn record(effects: &[Effect], run: &mut Run) {
    for effect in effects {
        match effect {
            Effect::Say(reply) => {
                let text = console::render(reply);
                run.transcript.push(format!("bot: {text}"));
                run.replies.push(text);
            }
            Effect::Scored(event) => run
                .transcript
                .push(format!("     [score {:+}: {}]", event.points, event.reason)),
            Effect::StageChanged(change) => {
                run.transcript.push(format!(
                    "     [stage {} → {}: {}]",
                    change.from, change.to, change.reason
                ));
                if change.to == engine::state::Stage::Disqualified {
                    run.disqualified = Some(change.reason.clone());
                }
            }
            Effect::HandOff(_)
            | Effect::AnswerRecorded(_)
            | Effect::HumanRequested
            | Effect::ForRep => {}
        }
    }
}

/// The pool and rep routing picks for this lead at `now`, with no rotation history and no
/// open hand-offs: (pool, rep or "fallback").
fn routed(
    script: &Script,
    state: &engine::state::ConversationState,
    team: &Team,
    now: DateTime<FixedOffset>,
) -> (String, String) {
    let attributes = LeadAttributes::of(state, script, team);
    let pool = routing::choose_pool(team, &attributes);
    let rotated = routing::rotate(&RotationInput {
        team,
        pool: &pool,
        attributes: &attributes,
        rotation: &BTreeMap::new(),
        open_load: &BTreeMap::new(),
        excluded: &BTreeSet::new(),
        now: now.to_utc(),
    });
    let rep = rotated
        .decision
        .chosen
        .unwrap_or_else(|| "fallback".to_string());
    (pool.pool, rep)
}

/// Runs one case on `script` (with `team` for pool/rep expectations).
pub fn run(
    case: &TestCase,
    script: &Script,
    team: Option<&Team>,
    start: DateTime<FixedOffset>,
) -> Outcome {
    let start = case.now.unwrap_or(start);
    let run = run_dialogue(script, &case.answers, case.channel, start);
    let mut mismatches = Vec::new();
    if let Some((answer, why)) = &run.impossible_click {
        mismatches.push(Mismatch {
            what: "click",
            expected: answer.clone(),
            actual: why.clone(),
        });
    }
    let mut check = |what: &'static str, expected: String, actual: String| {
        if expected != actual {
            mismatches.push(Mismatch {
                what,
                expected,
                actual,
            });
        }
    };
    if let Some(stage) = &case.stage {
        check("stage", stage.clone(), run.state.stage.to_string());
    }
    if let Some(score) = &case.score
        && !score.holds(run.state.score)
    {
        check("score", score.to_string(), run.state.score.to_string());
    }
    if let Some(path) = &case.path {
        check("path", path.join(" → "), run.state.path.join(" → "));
    }
    if let Some(reason) = &case.disqualified {
        let actual = run
            .disqualified
            .clone()
            .unwrap_or_else(|| "(not disqualified)".into());
        if !actual.contains(reason.as_str()) {
            check("disqualified", reason.clone(), actual);
        }
    }
    if case.pool.is_some() || case.rep.is_some() {
        let (pool, rep) = match team {
            Some(team) => routed(script, &run.state, team, run.ended_at),
            None => ("(no reps file)".into(), "(no reps file)".into()),
        };
        if let Some(expected) = &case.pool {
            check("pool", expected.clone(), pool);
        }
        if let Some(expected) = &case.rep {
            check("rep", expected.clone(), rep);
        }
    }
    if let Some(questions) = &case.questions {
        check(
            "questions",
            questions.join(" | "),
            run.state.open_questions.join(" | "),
        );
    }
    if let Some(golden) = &case.replies {
        check("replies", golden.join("\n"), run.replies.join("\n"));
    }
    Outcome {
        name: case.name.clone(),
        mismatches,
        replies: run.replies,
        transcript: run.transcript,
    }
}

/// The case files under `paths` (files, or every `*.toml` in folders), sorted.
pub fn case_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CasesError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|reason| CasesError::Read {
            path: path.clone(),
            reason,
        })?;
        for entry in entries {
            let entry = entry.map_err(|reason| CasesError::Read {
                path: path.clone(),
                reason,
            })?;
            let found = entry.path();
            if found.extension().is_some_and(|ext| ext == "toml") {
                files.push(found);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Where a case file's relative paths (its reps file) are found: beside it.
pub fn beside(file: &Path, relative: &Path) -> PathBuf {
    file.parent().unwrap_or(Path::new(".")).join(relative)
}
