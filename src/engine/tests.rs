//! Engine behaviour: scoring, stage transitions, branching, opt-out, re-asks, limits.

use std::path::Path;

use chrono::{DateTime, Duration, FixedOffset};
use proptest::prelude::*;

use super::state::{AnswerValue, Stage};
use super::*;
use crate::script::{self, Script};

const SCRIPT: &str = r#"id = "t"
version = 1
locale = "en"
currency = "USD"
greeting = "Hello!"
max_reasks = 2
required = ["need", "budget", "authority"]
iql_requires = ["name", "email"]

[thresholds]
mql = 20
sql = 50

[fast_reply]
within_seconds = 10
points = 1
max_points = 2

[[signals]]
id = "demo"
reason = "asked for a demo"
points = 10
phrases = ["demo"]

[[steps]]
id = "name"
criterion = "contact"
ask = "Name?"
expect = "text"
store_as = "name"

[[steps]]
id = "need"
criterion = "need"
ask = "Need?"
expect = "choice"
options = [
  { value = "crm", label = "A CRM", points = 20, synonyms = ["customer database"] },
  { value = "erp", label = "An ERP", points = 15 },
  { value = "none", label = "Nothing", disqualify = "Then we cannot help, sorry." },
]

[[steps]]
id = "seats"
criterion = "interest"
ask = "Seats?"
expect = "number"
bands = [{ at_least = 10, points = 5 }, { at_least = 100, points = 10 }]

[[steps]]
id = "budget"
criterion = "budget"
ask = "Budget per year?"
expect = "money"
period = "year"
bands = [{ at_least = 10000, points = 20 }, { at_least = 1000, points = 5 }]
disqualify_below = { amount = 500, say = "Too small for us." }
no_budget_points = -10

[[steps]]
id = "authority"
criterion = "authority"
ask = "Do you decide?"
expect = "yes_no"
yes_points = 10
no_points = -10

[[steps]]
id = "decider"
criterion = "authority"
when = "authority = no"
ask = "Who decides?"
expect = "text"
points = 15

[[steps]]
id = "email"
criterion = "contact"
ask = "Email?"
expect = "email"
store_as = "email"
"#;

fn script() -> Script {
    script::parse(SCRIPT, Path::new("t.toml")).unwrap()
}

fn at(seconds: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap() + Duration::seconds(seconds)
}

/// Runs the answers one minute apart (no quick-reply points) and returns every effect.
fn run(script: &Script, answers: &[&str]) -> (ConversationState, Vec<Effect>) {
    let mut turn = start(script, at(0));
    let mut effects = turn.effects.clone();
    for (index, answer) in answers.iter().enumerate() {
        let now = at(60 * (index as i64 + 1));
        turn = step(script, turn.state, &Input::Text(answer.to_string()), now);
        effects.extend(turn.effects.clone());
    }
    (turn.state, effects)
}

/// The score events among `effects`, in order.
fn scored(effects: &[Effect]) -> Vec<&ScoreEvent> {
    effects.iter().filter_map(Effect::score_event).collect()
}

fn said(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Say(reply) => Some(reply.text.clone()),
            _ => None,
        })
        .collect()
}

fn stages(effects: &[Effect]) -> Vec<(Stage, Stage)> {
    effects
        .iter()
        .filter_map(Effect::stage_change)
        .map(|change| (change.from, change.to))
        .collect()
}

#[test]
fn start_greets_and_asks_the_first_question() {
    let turn = start(&script(), at(0));
    assert_eq!(said(&turn.effects), vec!["Hello!", "Name?"]);
    assert_eq!(turn.state.path, vec!["name"]);
    assert_eq!(turn.state.stage, Stage::Lead);
}

#[test]
fn a_strong_lead_climbs_every_stage_in_order_and_is_handed_off() {
    let script = script();
    let (state, effects) = run(
        &script,
        &["Dana", "1", "50", "$20,000 a year", "yes", "dana@acme.io"],
    );
    assert_eq!(state.stage, Stage::Sql);
    assert_eq!(state.score, 20 + 5 + 20 + 10);
    assert_eq!(
        stages(&effects),
        vec![
            (Stage::Lead, Stage::Iql),
            (Stage::Iql, Stage::Mql),
            (Stage::Mql, Stage::Sql)
        ]
    );
    assert!(state.is_finished());
    assert_eq!(
        state.path,
        vec!["name", "need", "seats", "budget", "authority", "email"]
    );
    let handoff = effects
        .iter()
        .find_map(|effect| match effect {
            Effect::HandOff(handoff) => Some(handoff.clone()),
            _ => None,
        })
        .expect("a hand-off");
    assert_eq!(
        handoff.contact.get("email").map(String::as_str),
        Some("dana@acme.io")
    );
    assert_eq!(handoff.top_reasons[0].points, 20);
    assert!(said(&effects).last().unwrap().contains("sales team"));
}

#[test]
fn score_is_the_sum_of_its_events_with_reasons() {
    let (state, effects) = run(&script(), &["Dana", "2", "150", "5000"]);
    let events = scored(&effects);
    let total: i32 = events.iter().map(|event| event.points).sum();
    assert_eq!(state.score, total);
    let reasons: Vec<&str> = events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(
        reasons,
        vec![
            "need: An ERP",
            "seats: 150 (band ≥ 100)",
            "budget: USD 5,000 (band ≥ 1,000)"
        ]
    );
}

#[test]
fn a_lead_without_contact_details_stays_a_lead_whatever_the_score() {
    let (state, effects) = run(&script(), &["Dana", "1", "500", "$90k"]);
    assert_eq!(state.score, 50);
    assert_eq!(state.stage, Stage::Lead);
    assert!(stages(&effects).is_empty());
}

#[test]
fn naming_the_decider_meets_authority() {
    let answers = [
        "Dana",
        "1",
        "500",
        "$90k",
        "no",
        "Sam, our CTO",
        "dana@acme.io",
    ];
    let (state, _) = run(&script(), &answers);
    assert_eq!(state.score, 20 + 10 + 20 - 10 + 15);
    assert_eq!(state.stage, Stage::Sql);
}

#[test]
fn missing_a_required_criterion_stops_at_mql() {
    // Score 50 reaches the SQL threshold, but authority is "no" and the decider question is
    // never answered, so no authority answer earned points.
    let answers = [
        "Dana",
        "1",
        "500, and can we get a demo?",
        "$90k",
        "no",
        " ",
        "...",
        "",
        "dana@acme.io",
    ];
    let (state, _) = run(&script(), &answers);
    assert_eq!(
        state.answer("decider").map(|a| &a.value),
        Some(&AnswerValue::Unparsed)
    );
    assert_eq!(state.score, 10 + 20 + 10 + 20 - 10);
    assert_eq!(state.stage, Stage::Mql);
    assert!(state.is_finished());
}

#[test]
fn authority_yes_skips_the_decider_question() {
    let (state, _) = run(&script(), &["Dana", "1", "5", "$2k", "yes"]);
    assert_eq!(
        state.pending.as_ref().map(|p| p.step.as_str()),
        Some("email")
    );
    let (state, _) = run(&script(), &["Dana", "1", "5", "$2k", "no"]);
    assert_eq!(
        state.pending.as_ref().map(|p| p.step.as_str()),
        Some("decider")
    );
}

#[test]
fn a_disqualifying_option_ends_the_dialogue() {
    let (state, effects) = run(&script(), &["Dana", "nothing"]);
    assert_eq!(state.stage, Stage::Disqualified);
    assert!(state.is_finished());
    assert_eq!(
        said(&effects).last().unwrap(),
        "Then we cannot help, sorry."
    );
    let after = step(&script(), state, &Input::Text("hello?".into()), at(999));
    assert_eq!(after.state.stage, Stage::Disqualified);
    assert!(said(&after.effects)[0].contains("already have your answers"));
}

#[test]
fn a_budget_below_the_floor_disqualifies() {
    let (state, effects) = run(&script(), &["Dana", "1", "5", "$300"]);
    assert_eq!(state.stage, Stage::Disqualified);
    assert_eq!(said(&effects).last().unwrap(), "Too small for us.");
}

#[test]
fn monthly_amounts_are_scored_against_yearly_bands() {
    let (state, _) = run(&script(), &["Dana", "1", "5", "$1,000 per month"]);
    let budget = state.answer("budget").unwrap();
    assert_eq!(budget.points, 20, "12,000 a year reaches the 10,000 band");
}

fn script_with_rates(rates: &str) -> Script {
    script::parse(
        &format!("{SCRIPT}\n[currencies]\n{rates}\n"),
        Path::new("t.toml"),
    )
    .unwrap()
}

#[test]
fn a_budget_in_another_currency_scores_at_the_scripts_rate() {
    let script = script_with_rates("EUR = 1.08");
    let (state, effects) = run(&script, &["Dana", "1", "5", "€10,000 a year"]);
    let budget = state.answer("budget").unwrap();
    assert_eq!(budget.points, 20, "EUR 10,000 is USD 10,800");
    assert!(
        scored(&effects)
            .iter()
            .any(|event| event.reason == "budget: EUR 10,000 ≈ USD 10,800 (band ≥ 10,000)"),
        "{:?}",
        scored(&effects)
    );
    assert_eq!(state.pending.as_ref().unwrap().step, "authority");
    let (state, _) = run(&script, &["Dana", "1", "5", "€450"]);
    assert_eq!(
        state.stage,
        Stage::Disqualified,
        "EUR 450 is USD 486, below 500"
    );
    let (state, _) = run(&script, &["Dana", "1", "5", "€480"]);
    assert_eq!(state.answer("budget").unwrap().points, 0, "USD 518.40");
    assert_ne!(state.stage, Stage::Disqualified);
}

#[test]
fn a_budget_without_a_rate_says_why_and_is_asked_in_the_scripts_currency() {
    let script = script();
    let (state, effects) = run(&script, &["Dana", "1", "5", "€10,000 a year"]);
    let budget = state.answer("budget").unwrap();
    assert_eq!(budget.points, 0);
    assert_eq!(budget.raw, "€10,000 a year", "the answer given is kept");
    let events = scored(&effects);
    let reason = events.last().unwrap();
    assert_eq!(reason.reason, "budget in EUR: no exchange rate to USD");
    assert_eq!(reason.points, 0);
    let texts = said(&effects);
    assert_eq!(
        texts.last().unwrap(),
        "Could you give me that amount in USD? A rough figure is fine."
    );
    assert_eq!(state.pending.as_ref().unwrap().step, "budget");

    let turn = step(
        &script,
        state,
        &Input::Text("$12,000 a year".into()),
        at(999),
    );
    let answers: Vec<_> = turn
        .state
        .answers
        .iter()
        .filter(|answer| answer.step == "budget")
        .map(|answer| (answer.raw.as_str(), answer.points))
        .collect();
    assert_eq!(answers, [("€10,000 a year", 0), ("$12,000 a year", 20)]);
    assert_eq!(turn.state.pending.as_ref().unwrap().step, "authority");
}

#[test]
fn an_amount_in_a_currency_without_a_rate_is_asked_again_at_most_max_reasks_times() {
    let script = script();
    let (state, _) = run(&script, &["Dana", "1", "5", "€10,000", "£9,000", "€10,000"]);
    assert_eq!(state.pending.as_ref().unwrap().step, "authority");
    assert_eq!(
        state.answers.iter().filter(|a| a.step == "budget").count(),
        3
    );
}

#[test]
fn a_period_question_then_a_currency_without_a_rate_asks_for_the_amount_again() {
    let script = asking_script();
    let (state, effects) = run(&script, &["Dana", "1", "5", "€10,000", "per year"]);
    assert!(said(&effects).last().unwrap().contains("amount in USD"));
    let turn = step(
        &script,
        state,
        &Input::Text("$11,000 a year".into()),
        at(999),
    );
    assert_eq!(turn.state.answer("budget").unwrap().points, 20);
    assert_eq!(turn.state.pending.as_ref().unwrap().step, "authority");
}

#[test]
fn conditions_on_an_amount_compare_it_in_the_scripts_currency() {
    let source = SCRIPT.replace("when = \"authority = no\"", "when = \"budget >= 10000\"");
    let with = |rates: &str| {
        script::parse(
            &format!("{source}\n[currencies]\n{rates}\n"),
            Path::new("t.toml"),
        )
        .unwrap()
    };
    let asks_decider = |script: &Script, budget: &str| {
        let (state, _) = run(script, &["Dana", "1", "5", budget, "yes"]);
        state.path.contains(&"decider".to_string())
    };
    assert!(asks_decider(&with("KRW = 0.00068"), "$10,000"));
    assert!(
        !asks_decider(&with("KRW = 0.00068"), "₩10,000,000"),
        "KRW 10,000,000 is USD 6,800"
    );
    assert!(asks_decider(&with("KRW = 0.00068"), "₩20,000,000"));
}

fn asking_script() -> Script {
    let source = SCRIPT.replace("period = \"year\"", "period = \"year\"\nask_period = true");
    script::parse(&source, Path::new("t.toml")).unwrap()
}

#[test]
fn an_amount_without_a_period_gets_asked_per_month_or_per_year() {
    let script = asking_script();
    let (state, effects) = run(&script, &["Dana", "1", "5", "about $1,000"]);
    let question = effects
        .iter()
        .rev()
        .find_map(|effect| match effect {
            Effect::Say(reply) => Some(reply.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(question.text, "Is that per month or per year?");
    assert_eq!(question.choices.len(), 2);
    assert!(
        state.answer("budget").is_none(),
        "nothing recorded until the period is known"
    );

    let turn = step(
        &script,
        state.clone(),
        &Input::Text("per month".into()),
        at(999),
    );
    let budget = turn.state.answer("budget").unwrap();
    assert_eq!(budget.points, 20, "1,000 a month is 12,000 a year");
    assert_eq!(budget.raw, "about $1,000 (per month)");
    assert_eq!(turn.state.pending.as_ref().unwrap().step, "authority");

    let click = Input::Choice {
        step: "budget".into(),
        value: "year".into(),
    };
    let turn = step(&script, state.clone(), &click, at(999));
    assert_eq!(
        turn.state.answer("budget").unwrap().points,
        5,
        "1,000 a year reaches only the 1,000 band"
    );

    let (state, _) = run(&script, &["Dana", "1", "5", "$1,000 a month"]);
    assert_eq!(
        state.answer("budget").unwrap().points,
        20,
        "a stated period is not asked again"
    );
}

#[test]
fn the_period_question_takes_the_unit_in_any_words() {
    // (locale, reply, points): 1,000 a month reaches the 10,000 band, 1,000 a year the 1,000 one.
    let cases: &[(&str, &str, i32)] = &[
        ("en", "next month", 20),
        ("en", "monthly", 20),
        ("en", "a month", 20),
        ("en", "per month", 20),
        ("en", "next year", 5),
        ("en", "yearly", 5),
        ("en", "annually", 5),
        ("en", "a year", 5),
        ("ko", "매월", 20),
        ("ko", "월", 20),
        ("ko", "연간", 5),
        ("ko", "1년", 5),
        ("ro", "pe lună", 20),
        ("ro", "lunar", 20),
        ("ro", "pe an", 5),
        ("ro", "anual", 5),
    ];
    let mut failures = Vec::new();
    for (locale, reply, points) in cases {
        let source = SCRIPT
            .replace("locale = \"en\"", &format!("locale = \"{locale}\""))
            .replace("period = \"year\"", "period = \"year\"\nask_period = true");
        let script = script::parse(&source, Path::new("t.toml")).unwrap();
        let (state, _) = run(&script, &["Dana", "1", "5", "1000 USD", reply]);
        let got = state.answer("budget").map(|answer| answer.points);
        if got != Some(*points) {
            failures.push(format!("{locale} {reply:?}: {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn an_unanswered_period_question_keeps_the_amount_as_said() {
    let script = asking_script();
    let (state, _) = run(
        &script,
        &["Dana", "1", "5", "$20,000", "hmm", "what?", "no idea"],
    );
    let budget = state.answer("budget").unwrap();
    assert_eq!(budget.points, 20);
    assert_eq!(state.pending.as_ref().unwrap().step, "authority");
}

pub(super) fn in_language(locale: &str) -> Script {
    let source = SCRIPT.replace("locale = \"en\"", &format!("locale = \"{locale}\""));
    script::parse(&source, Path::new("t.toml")).unwrap()
}

#[test]
fn a_number_question_re_asks_a_date_or_a_duration() {
    let cases: &[(&str, &str, Option<f64>)] = &[
        ("en", "within 3 weeks", None),
        ("en", "in 3 weeks", None),
        ("en", "3 weeks", None),
        ("en", "by march 3", None),
        ("en", "2027", None),
        ("en", "next month", None),
        ("ko", "3주 안에", None),
        ("ko", "다음 달", None),
        ("ro", "în 3 săptămâni", None),
        ("ro", "luna viitoare", None),
        ("en", "3", Some(3.0)),
        ("en", "about 20 people", Some(20.0)),
        ("en", "twenty", Some(20.0)),
        ("ko", "스무 명", Some(20.0)),
        ("ro", "douăzeci", Some(20.0)),
    ];
    let mut failures = Vec::new();
    for (locale, answer, expected) in cases {
        let (state, _) = run(&in_language(locale), &["Dana", "1", answer]);
        let got = match state.answer("seats").map(|answer| &answer.value) {
            Some(AnswerValue::Number { value }) => Some(*value),
            _ => None,
        };
        let pending = state.pending.as_ref().map(|pending| pending.step.as_str());
        let re_asked = pending == Some("seats");
        if got != *expected || re_asked != expected.is_none() {
            failures.push(format!("{locale} {answer:?}: {got:?}, pending {pending:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn no_budget_scores_negative() {
    let (state, _) = run(&script(), &["Dana", "1", "5", "no budget yet"]);
    assert_eq!(state.answer("budget").unwrap().points, -10);
}

#[test]
fn not_understood_answers_are_reasked_with_a_hint_then_kept_raw() {
    let script = script();
    let (state, effects) = run(&script, &["Dana", "banana"]);
    assert_eq!(state.pending.as_ref().unwrap().reasks, 1);
    let texts = said(&effects);
    assert!(
        texts[texts.len() - 2].contains("Please pick one of the options"),
        "{texts:?}"
    );
    assert_eq!(texts.last().unwrap(), "Need?");
    let (state, effects) = run(&script, &["Dana", "banana", "kiwi", "mango"]);
    let answer = state.answer("need").unwrap();
    assert_eq!(answer.value, AnswerValue::Unparsed);
    assert_eq!(answer.raw, "mango");
    assert_eq!(answer.points, 0);
    assert!(said(&effects).contains(&"No problem — let's move on.".to_string()));
    assert_eq!(state.pending.as_ref().unwrap().step, "seats");
}

#[test]
fn a_steps_own_hint_replaces_the_default_one() {
    let source = SCRIPT.replace(
        "ask = \"Seats?\"",
        "ask = \"Seats?\"\nhint = \"Just the head count.\"",
    );
    let script = script::parse(&source, Path::new("t.toml")).unwrap();
    let (_, effects) = run(&script, &["Dana", "1", "lots"]);
    assert!(
        said(&effects)
            .iter()
            .any(|text| text.ends_with("Just the head count."))
    );
}

#[test]
fn stop_opts_out_politely_in_each_language() {
    for (locale, stop, reply_part) in [
        ("en", "STOP", "won't contact you"),
        ("ko", "그만", "연락드리지 않을게요"),
        ("ro", "dezabonare", "nu vă vom mai contacta"),
    ] {
        let source = SCRIPT.replace("locale = \"en\"", &format!("locale = \"{locale}\""));
        let script = script::parse(&source, Path::new("t.toml")).unwrap();
        let (state, effects) = run(&script, &["Dana", stop]);
        assert_eq!(state.stage, Stage::OptedOut, "{locale}");
        assert!(state.is_finished());
        assert!(
            said(&effects).last().unwrap().contains(reply_part),
            "{locale}: {:?}",
            said(&effects)
        );
        let again = step(&script, state, &Input::Text("hi".into()), at(999));
        assert_eq!(again.state.stage, Stage::OptedOut);
        assert!(again.effects.iter().all(|e| matches!(e, Effect::Say(_))));
    }
}

#[test]
fn restart_starts_over_and_records_the_stage_reset() {
    let script = script();
    let (state, _) = run(&script, &["Dana", "stop"]);
    let turn = step(&script, state, &Input::Text("restart".into()), at(999));
    assert_eq!(
        said(&turn.effects),
        vec!["Let's start over.", "Hello!", "Name?"]
    );
    assert_eq!(turn.state.stage, Stage::Lead);
    assert!(turn.state.answers.is_empty());
    assert_eq!(stages(&turn.effects), vec![(Stage::OptedOut, Stage::Lead)]);
}

#[test]
fn help_explains_and_asks_again_without_changing_anything() {
    let script = script();
    let (state, _) = run(&script, &["Dana"]);
    let turn = step(&script, state.clone(), &Input::Text("help".into()), at(999));
    assert_eq!(turn.state, state);
    let texts = said(&turn.effects);
    assert!(texts[0].contains("restart"));
    assert_eq!(texts[1], "Need?");
}

#[test]
fn oversize_messages_get_a_clear_reply_and_change_nothing() {
    let script = script();
    let (state, _) = run(&script, &["Dana"]);
    let long = "a".repeat(MAX_INPUT_CHARS + 1);
    let turn = step(&script, state.clone(), &Input::Text(long), at(999));
    assert_eq!(turn.state, state);
    assert!(said(&turn.effects)[0].contains("long message"));
}

#[test]
fn a_button_click_answers_its_step() {
    let script = script();
    let (state, _) = run(&script, &["Dana"]);
    let click = Input::Choice {
        step: "need".into(),
        value: "erp".into(),
    };
    let turn = step(&script, state.clone(), &click, at(999));
    assert_eq!(turn.state.answer("need").unwrap().raw, "An ERP");
    let stale = Input::Choice {
        step: "seats".into(),
        value: "erp".into(),
    };
    let turn = step(&script, state, &stale, at(999));
    assert!(
        turn.state.answer("need").is_none(),
        "a click on another step's button is not an answer"
    );
}

#[test]
fn synonyms_and_typos_pick_options() {
    let (state, _) = run(&script(), &["Dana", "customer database"]);
    assert_eq!(
        state.answer("need").unwrap().value,
        AnswerValue::Choice {
            value: "crm".into(),
            label: "A CRM".into()
        }
    );
}

#[test]
fn behaviour_signals_score_once() {
    let (_, effects) = run(
        &script(),
        &["Dana, can I get a demo?", "1 - and a demo please"],
    );
    let demos = scored(&effects)
        .iter()
        .filter(|e| e.rule == "signal:demo")
        .count();
    assert_eq!(demos, 1);
}

#[test]
fn quick_answers_earn_points_up_to_the_cap() {
    let script = script();
    let mut turn = start(&script, at(0));
    let mut effects = Vec::new();
    for (offset, answer) in [(5, "Dana"), (10, "1"), (15, "50")] {
        turn = step(&script, turn.state, &Input::Text(answer.into()), at(offset));
        effects.extend(turn.effects.clone());
    }
    let quick: i32 = scored(&effects)
        .iter()
        .filter(|e| e.rule == "fast_reply")
        .map(|e| e.points)
        .sum();
    assert_eq!(quick, 2);
    assert_eq!(turn.state.fast_reply_earned(), 2);
}

#[test]
fn replies_are_in_the_scripts_language() {
    let source = SCRIPT.replace("locale = \"en\"", "locale = \"ko\"");
    let script = script::parse(&source, Path::new("t.toml")).unwrap();
    let (_, effects) = run(&script, &["Dana", "바나나"]);
    assert!(
        said(&effects)
            .iter()
            .any(|text| text.starts_with("죄송합니다"))
    );
}

#[test]
fn the_same_inputs_give_the_same_outcome() {
    let answers = [
        "Dana",
        "2",
        "40",
        "about 30k",
        "no",
        "Sam, CTO",
        "dana@acme.io",
    ];
    assert_eq!(run(&script(), &answers), run(&script(), &answers));
}

/// A conversation stored by a leadbot that kept every score event and stage change in the
/// state goes on exactly as one that never was: same quick-reply cap, same hand-off. States
/// stored now keep only the totals.
#[test]
fn a_state_stored_with_its_whole_history_goes_on_as_before() {
    let script = script();
    let answers = ["Dana", "1", "50", "$20,000 a year", "yes", "dana@acme.io"];
    let play = |stored_after: Option<usize>| {
        let mut turn = start(&script, at(0));
        let mut effects = turn.effects.clone();
        for (index, answer) in answers.iter().enumerate() {
            if stored_after == Some(index) {
                turn.state = stored_with_whole_history(&turn.state, &effects);
            }
            let now = at(5 * (index as i64 + 1));
            turn = step(&script, turn.state, &Input::Text((*answer).into()), now);
            effects.extend(turn.effects.clone());
        }
        (turn.state, effects)
    };
    let (state, effects) = play(None);
    assert!(
        state.fast_reply_earned() > 0,
        "no quick replies to carry over"
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::HandOff(_))));
    let json = serde_json::to_string(&state).unwrap();
    assert!(!json.contains("score_events") && !json.contains("stage_changes"));
    for stored_after in 1..answers.len() {
        let (resumed, resumed_effects) = play(Some(stored_after));
        assert_eq!(
            resumed_effects, effects,
            "stored after answer {stored_after}"
        );
        assert_eq!(resumed.score, state.score);
        assert_eq!(resumed.fast_reply_earned(), state.fast_reply_earned());
        assert_eq!(resumed.top_reasons(), state.top_reasons());
        assert_eq!(resumed.last_qualified_at(), state.last_qualified_at());
    }
}

/// `state` as an earlier leadbot stored it: every score event and stage change so far, none
/// of the totals that replaced them.
fn stored_with_whole_history(state: &ConversationState, effects: &[Effect]) -> ConversationState {
    let mut json = serde_json::to_value(state).unwrap();
    let object = json.as_object_mut().unwrap();
    for total in ["fast_reply_points", "top_gains", "qualified_at"] {
        object.remove(total);
    }
    let changes: Vec<&StageChange> = effects.iter().filter_map(Effect::stage_change).collect();
    object.insert("score_events".into(), serde_json::json!(scored(effects)));
    object.insert("stage_changes".into(), serde_json::json!(changes));
    serde_json::from_value(json).unwrap()
}

/// The top gains kept turn by turn are the three biggest of the whole history.
#[test]
fn the_top_gains_are_the_biggest_of_all_in_order() {
    let gain = |points: i32, rule: &str| ScoreEvent {
        points,
        reason: rule.to_string(),
        rule: rule.to_string(),
        at: at(0),
    };
    let mut state = run(&script(), &[]).0;
    for event in [
        gain(5, "a"),
        gain(-3, "b"),
        gain(10, "c"),
        gain(5, "d"),
        gain(7, "e"),
        gain(10, "f"),
    ] {
        state.record_score(&event);
    }
    let rules: Vec<String> = state.top_reasons().into_iter().map(|e| e.rule).collect();
    assert_eq!(rules, ["c", "f", "e"]);
    assert_eq!(state.score, 34);
}

#[test]
fn a_conversation_keeps_its_script_version() {
    let (state, _) = run(&script(), &["Dana"]);
    let expected = crate::script::ScriptVersion::of(SCRIPT);
    assert_eq!(
        (state.script_id.as_str(), &state.script_version),
        ("t", &expected)
    );
    let json = serde_json::to_string(&state).unwrap();
    let back: ConversationState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, state);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_input_panics_the_engine(inputs in proptest::collection::vec(any::<String>(), 1..12)) {
        let script = script();
        let mut turn = start(&script, at(0));
        let mut total: i32 = scored(&turn.effects).iter().map(|e| e.points).sum();
        for (index, input) in inputs.iter().enumerate() {
            turn = step(&script, turn.state, &Input::Text(input.clone()), at(index as i64 * 30));
            total += scored(&turn.effects).iter().map(|e| e.points).sum::<i32>();
            prop_assert_eq!(turn.state.score, total);
        }
    }

    #[test]
    fn very_long_inputs_never_panic(text in "\\PC{0,6000}") {
        let script = script();
        let turn = start(&script, at(0));
        let _ = step(&script, turn.state, &Input::Text(text), at(1));
    }
}

#[test]
fn a_euro_budget_in_the_shipped_romanian_script_is_scored_in_lei() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("conversations/saas-ro.toml");
    let script = script::load_file(&path).unwrap();
    let (state, effects) = run(
        &script,
        &[
            "Andreea Popescu",
            "Acme SRL",
            "1",
            "30",
            "10.000 de euro pe an",
        ],
    );
    assert_eq!(state.answer("budget").unwrap().points, 10);
    assert!(
        scored(&effects)
            .iter()
            .any(|event| event.reason == "budget: EUR 10,000 ≈ RON 49,700 (band ≥ 25,000)"),
        "{:?}",
        scored(&effects)
    );
}

/// The test script with FAQ entries.
fn with_faq() -> Script {
    let source = format!(
        "{SCRIPT}\n[[faq]]\nid = \"pricing\"\nphrases = [\"how much\", \"price\"]\nanswer = \"From $1,000 a year.\"\n\n[[faq]]\nid = \"crm\"\nphrases = [\"salesforce\"]\nanswer = \"Yes, we integrate with Salesforce.\"\n"
    );
    script::parse(&source, Path::new("t.toml")).unwrap()
}

#[test]
fn an_faq_question_gets_its_answer_and_the_same_question_without_a_re_ask() {
    let script = with_faq();
    let (state, effects) = run(
        &script,
        &[
            "Dana",
            "how much is it?",
            "do you integrate with Salesforce?",
            "price?",
            "a CRM",
        ],
    );
    let said = said(&effects);
    let reask = messages::text(&script, MessageKey::Reask);
    assert!(
        !said.iter().any(|text| text.starts_with(&reask)),
        "{said:?}"
    );
    assert_eq!(
        said.iter()
            .filter(|text| *text == "From $1,000 a year.")
            .count(),
        2
    );
    let after_answer = said
        .iter()
        .position(|text| text == "Yes, we integrate with Salesforce.")
        .unwrap();
    assert_eq!(said[after_answer + 1], "Need?");
    assert_eq!(state.path, ["name", "need", "seats"]);
    assert!(matches!(
        &state.answer("need").unwrap().value,
        AnswerValue::Choice { value, .. } if value == "crm"
    ));
    assert!(state.open_questions.is_empty());
}

#[test]
fn an_answer_that_mentions_an_faq_phrase_is_still_an_answer() {
    let script = with_faq();
    let (state, _) = run(
        &script,
        &["Dana", "1", "25", "price is fine, about 20k a year"],
    );
    assert!(matches!(
        state.answer("budget").map(|answer| &answer.value),
        Some(AnswerValue::Money { .. })
    ));
}

#[test]
fn a_question_nobody_answered_is_noted_for_the_rep_and_shown_in_the_hand_off() {
    let script = with_faq();
    let (state, effects) = run(
        &script,
        &[
            "Dana",
            "Do you have an office in Lisbon?",
            "What's your SLA",
            "1",
        ],
    );
    assert_eq!(
        state.open_questions,
        ["Do you have an office in Lisbon?", "What's your SLA"]
    );
    let said = said(&effects);
    let noted = messages::text(&script, MessageKey::QuestionNoted);
    assert_eq!(said.iter().filter(|text| **text == noted).count(), 2);
    assert_eq!(state.path, ["name", "need", "seats"]);
    assert_eq!(state.pending.as_ref().unwrap().reasks, 0);
    let handoff = hand_off(&script, &state, at(600));
    assert_eq!(handoff.questions, state.open_questions);
    // A free-text question is not taken for a name.
    let (state, _) = run(&script, &["Is this a bot?"]);
    assert_eq!(state.path, ["name"]);
    assert_eq!(state.open_questions, ["Is this a bot?"]);
}

#[test]
fn a_flood_gets_one_moment_and_its_answers_in_order() {
    let script = with_faq();
    let mut turn = start(&script, at(0));
    turn = step(&script, turn.state, &Input::Text("Dana".into()), at(30));
    let mut effects = Vec::new();
    for index in 0..20 {
        let text = match index {
            9 => "25",
            14 => "how much?",
            _ => "zzz",
        };
        turn = step(&script, turn.state, &Input::Text(text.into()), at(60));
        effects.extend(turn.effects.clone());
    }
    let said = said(&effects);
    let moment = messages::text(&script, MessageKey::OneMoment);
    let reask = messages::text(&script, MessageKey::Reask);
    assert_eq!(
        said.iter().filter(|text| **text == moment).count(),
        1,
        "{said:?}"
    );
    // Three re-asks (two on need, then moving on, one on seats) before the burst is a flood.
    assert_eq!(
        said.iter().filter(|text| text.starts_with(&reask)).count(),
        3,
        "{said:?}"
    );
    let answered: Vec<&str> = turn.state.answers.iter().map(|a| a.step.as_str()).collect();
    assert_eq!(answered, ["name", "need", "seats"]);
    assert!(said.contains(&"From $1,000 a year.".to_string()));
    assert_eq!(turn.state.pending.as_ref().unwrap().step, "budget");
    assert_eq!(turn.state.pending.as_ref().unwrap().reasks, 0);
    // After a quiet gap the prospect is re-asked as usual.
    let later = step(&script, turn.state, &Input::Text("zzz".into()), at(120));
    assert!(said_starts(&later.effects, &reask));
}

fn said_starts(effects: &[Effect], prefix: &str) -> bool {
    said(effects).iter().any(|text| text.starts_with(prefix))
}

#[test]
fn switching_language_keeps_the_answers_and_asks_the_same_question_there() {
    let (en, ko) = (in_language("en"), in_language("ko"));
    let (state, _) = run(&en, &["Dana", "1"]);
    let switched = language::switch(&ko, state.clone(), at(300));
    assert_eq!(switched.state.answers, state.answers);
    assert_eq!(switched.state.score, state.score);
    assert_eq!(switched.state.script_version, ko.version);
    let said = said(&switched.effects);
    assert_eq!(
        said,
        [
            messages::text(&ko, MessageKey::LanguageSwitched),
            "Seats?".to_string()
        ]
    );
    assert!(language::fits(&ko, &state).is_ok());
}

#[test]
fn an_faq_question_while_the_period_is_asked_keeps_the_amount_waiting() {
    let source = format!(
        "{}\n[[faq]]\nid = \"pricing\"\nphrases = [\"how much\"]\nanswer = \"From $1,000 a year.\"\n",
        SCRIPT.replace("period = \"year\"", "period = \"year\"\nask_period = true")
    );
    let script = script::parse(&source, Path::new("t.toml")).unwrap();
    let (state, effects) = run(
        &script,
        &["Dana", "1", "25", "20k", "how much is it?", "a year"],
    );
    let said = said(&effects);
    let answer = said
        .iter()
        .position(|text| text == "From $1,000 a year.")
        .unwrap();
    assert_eq!(
        said[answer + 1],
        messages::text(&script, MessageKey::ClarifyPeriod)
    );
    assert!(matches!(
        &state.answer("budget").unwrap().value,
        AnswerValue::Money { answer: crate::extract::MoneyAnswer::Amount(money) }
            if money.amount == 20_000.0 && money.period == Some(crate::extract::Period::Year)
    ));
}
