//! Purpose: `leadbot simulate` — replay a whole dialogue from answers, without a database.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, Local};
use leadbot::channels::console;
use leadbot::engine::state::{ConversationState, ScoreEvent, StageChange};
use leadbot::engine::{self, Effect};
use leadbot::notify;
use leadbot::script::Script;

/// Runs `script` on the answers (one per line) and prints the transcript, or the final state as
/// JSON.
pub fn run(
    script: &Script,
    answers: Option<&Path>,
    json: bool,
    now: Option<DateTime<FixedOffset>>,
) -> Result<()> {
    let lines: Vec<String> = match answers {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read answers from {}", path.display()))?
            .lines()
            .map(str::to_string)
            .collect(),
        None => std::io::stdin()
            .lock()
            .lines()
            .collect::<Result<_, _>>()
            .context("cannot read answers from stdin")?,
    };
    let mut out = std::io::stdout().lock();
    let clock = || now.unwrap_or_else(|| Local::now().fixed_offset());
    let mut turn = engine::start(script, clock());
    let mut transcript = Vec::new();
    let mut effects = turn.effects.clone();
    print_effects(&turn.effects, &mut transcript, clock());
    for line in lines.iter().filter(|line| !line.trim().is_empty()) {
        if turn.state.is_finished() {
            break;
        }
        transcript.push(format!("you: {line}"));
        turn = engine::step(script, turn.state, &console::input(line), clock());
        print_effects(&turn.effects, &mut transcript, clock());
        effects.extend(turn.effects.iter().cloned());
    }
    if json {
        writeln!(out, "{}", state_with_history(&turn.state, &effects)?)?;
    } else {
        writeln!(out, "{}", transcript.join("\n"))?;
        writeln!(
            out,
            "\n— stage: {}, score: {}, path: {}",
            turn.state.stage,
            turn.state.score,
            turn.state.path.join(" → ")
        )?;
    }
    Ok(())
}

/// The final state as JSON, with every score event and stage change of the dialogue (the state
/// itself keeps only what later turns need; a database keeps the rest as rows).
fn state_with_history(state: &ConversationState, effects: &[Effect]) -> Result<String> {
    let mut json = serde_json::to_value(state).context("rendering the state as JSON")?;
    let score_events: Vec<&ScoreEvent> = effects.iter().filter_map(Effect::score_event).collect();
    let stage_changes: Vec<&StageChange> =
        effects.iter().filter_map(Effect::stage_change).collect();
    if let Some(object) = json.as_object_mut() {
        object.insert("score_events".into(), serde_json::json!(score_events));
        object.insert("stage_changes".into(), serde_json::json!(stage_changes));
    }
    serde_json::to_string_pretty(&json).context("rendering the state as JSON")
}

fn print_effects(effects: &[Effect], transcript: &mut Vec<String>, now: DateTime<FixedOffset>) {
    for effect in effects {
        match effect {
            Effect::Say(reply) => transcript.push(format!("bot: {}", console::render(reply))),
            Effect::Scored(event) => {
                transcript.push(format!("     [score {:+}: {}]", event.points, event.reason));
            }
            Effect::StageChanged(change) => transcript.push(format!(
                "     [stage {} → {}: {}]",
                change.from, change.to, change.reason
            )),
            Effect::HandOff(handoff) => {
                transcript.push(format!("\n{}\n", notify::handoff_text(handoff, now)));
            }
            Effect::HumanRequested => transcript.push("(a person from the team takes over)".into()),
            Effect::AnswerRecorded(_) | Effect::ForRep => {}
        }
    }
}
