//! Purpose: turn a raw script into a runnable one, collecting every problem with its position.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Range;

use regex::Regex;
use toml::Spanned;

use super::condition;
use super::messages::MessageKey;
use super::model::{
    Band, ChoiceOption, Comparison, Condition, ContactField, Criterion, Decay, Disqualifier,
    Expectation, Faq, FastReply, FollowUp, Jump, NurtureTouch, Script, Signal, Step, TimeBand,
};
use super::raw::{RawBand, RawLabel, RawScript, RawStep};
use crate::extract::Period;
use crate::locale::Locale;

/// The highest score threshold a script may set; keeps typos like 7000 from passing.
pub const MAX_THRESHOLD: i64 = 1000;

/// The longest version label, in characters: a label is for a listing's column.
const MAX_LABEL: usize = 40;

/// A problem found in a script, with the byte range it points at.
pub(super) struct Problem {
    pub span: Range<usize>,
    pub message: String,
}

/// Collects problems while validating, so that one run reports all of them.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.0.push(Problem {
            span,
            message: message.into(),
        });
    }
}

/// Validates a parsed script; on failure returns every problem found, in file order (problems
/// on the same spot in the order the sections below are read).
pub(super) fn validate(raw: RawScript, source: &str) -> Result<Script, Vec<Problem>> {
    let mut problems = Problems::default();
    let header = header(&raw, &mut problems);
    let (mql, sql) = thresholds(&raw, &mut problems);
    let required = parse_list(&raw.required, &mut problems, parse_criterion);
    let iql_requires = match &raw.iql_requires {
        Some(list) => parse_list(list, &mut problems, parse_contact_field),
        None => vec![ContactField::Email],
    };
    check_message_keys(&raw, &mut problems);
    let signals = signals(&raw, &mut problems);
    let faq = faq(&raw, &mut problems);
    let family = family(&raw, &mut problems);
    let fast_reply = raw.fast_reply.as_ref().map(|fast| FastReply {
        within_seconds: fast.within_seconds,
        points: fast.points,
        max_points: fast.max_points.unwrap_or(fast.points.saturating_mul(5)),
    });
    let follow_up = follow_up(raw.follow_up.as_ref(), &mut problems);
    let seen_ids = step_ids(&raw, &mut problems);
    let nurture = nurture(&raw, &seen_ids, &mut problems);
    let decay = decay(&raw, &mut problems);
    let steps: Vec<Step> = raw
        .steps
        .iter()
        .enumerate()
        .filter_map(|(index, step)| {
            validate_step(step.get_ref(), index, &raw.steps, &seen_ids, &mut problems)
        })
        .collect();
    check_coverage(&raw, &required, &iql_requires, &mut problems);
    if problems.0.is_empty() {
        check_reachable(&raw, &steps, &mut problems);
    }

    if !problems.0.is_empty() {
        problems.0.sort_by_key(|problem| problem.span.start);
        return Err(problems.0);
    }
    Ok(Script {
        name: raw.name.clone().unwrap_or_else(|| header.id.clone()),
        id: header.id,
        default: raw.default,
        version: super::ScriptVersion::of(source),
        label: header.label,
        locale: header.locale,
        currency: header.currency,
        currencies: header.currencies,
        greeting: raw.greeting,
        mql_threshold: i32::try_from(mql).unwrap_or(0),
        sql_threshold: i32::try_from(sql).unwrap_or(0),
        required,
        iql_requires,
        max_reasks: header.max_reasks,
        steps,
        signals,
        fast_reply,
        follow_up,
        nurture,
        decay,
        messages: raw
            .messages
            .into_iter()
            .map(|(key, text)| (key.into_inner(), text))
            .collect(),
        human_phrases: raw
            .human_phrases
            .iter()
            .map(|phrase| phrase.trim().to_string())
            .filter(|phrase| !phrase.is_empty())
            .collect(),
        family,
        language_phrases: raw
            .language_phrases
            .iter()
            .map(|phrase| phrase.trim().to_string())
            .filter(|phrase| !phrase.is_empty())
            .collect(),
        faq,
        source: source.to_string(),
    })
}

/// The script-wide settings at the top of the file, read by [`header`].
struct Header {
    id: String,
    label: Option<String>,
    locale: Locale,
    currency: String,
    currencies: BTreeMap<String, f64>,
    max_reasks: u32,
}

/// Reads the id, version label, locale, currency and its `[currencies]` rates, and `max_reasks`.
fn header(raw: &RawScript, problems: &mut Problems) -> Header {
    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty() || !id.chars().all(condition::is_id_char) {
        problems.at(
            raw.id.span(),
            format!("script id {id:?} must be letters, digits, _ or - (and not empty)"),
        );
    }
    let label = match &raw.version {
        None => None,
        Some(spanned) => {
            match spanned.get_ref() {
                RawLabel::Number(number) if *number < 1 => {
                    problems.at(
                        spanned.span(),
                        format!("version {number} must be a positive whole number"),
                    );
                    None
                }
                RawLabel::Number(number) => Some(number.to_string()),
                RawLabel::Text(text) => {
                    let text = text.trim();
                    if text.is_empty() || text.chars().count() > MAX_LABEL || text.contains('\n') {
                        problems.at(
                        spanned.span(),
                        format!("version label {text:?} must be one line of 1 to {MAX_LABEL} characters"),
                    );
                    }
                    Some(text.to_string())
                }
            }
        }
    };
    let locale = match raw.locale.get_ref().parse::<Locale>() {
        Ok(locale) => locale,
        Err(error) => {
            problems.at(raw.locale.span(), error.to_string());
            Locale::En
        }
    };
    let currency = match &raw.currency {
        Some(code) => {
            let text = code.get_ref().trim().to_string();
            if let Some(message) = super::currencies::unknown_currency(&text) {
                problems.at(code.span(), message);
            }
            text
        }
        None => locale.default_currency().to_string(),
    };
    let currencies = super::currencies::rates(
        &raw.currencies,
        &currency,
        "the script's own currency",
        &mut |span, message| problems.at(span, message),
    );
    let max_reasks = match &raw.max_reasks {
        Some(value) if !(0..=10).contains(value.get_ref()) => {
            problems.at(
                value.span(),
                format!("max_reasks {} must be between 0 and 10", value.get_ref()),
            );
            2
        }
        Some(value) => u32::try_from(*value.get_ref()).unwrap_or(2),
        None => 2,
    };
    Header {
        id,
        label,
        locale,
        currency,
        currencies,
        max_reasks,
    }
}

/// Reads `[thresholds]`: each within range, MQL below SQL. Returns (mql, sql) as written.
fn thresholds(raw: &RawScript, problems: &mut Problems) -> (i64, i64) {
    let thresholds = raw.thresholds.get_ref();
    let (mql, sql) = (*thresholds.mql.get_ref(), *thresholds.sql.get_ref());
    for (name, value) in [("mql", &thresholds.mql), ("sql", &thresholds.sql)] {
        if !(0..=MAX_THRESHOLD).contains(value.get_ref()) {
            problems.at(
                value.span(),
                format!(
                    "{name} threshold {} is out of range (0 to {MAX_THRESHOLD})",
                    value.get_ref()
                ),
            );
        }
    }
    if mql >= sql {
        problems.at(
            thresholds.mql.span(),
            format!("mql threshold {mql} must be below the sql threshold {sql}"),
        );
    }
    (mql, sql)
}

/// Checks that every key of `[messages]` overrides a message leadbot has.
fn check_message_keys(raw: &RawScript, problems: &mut Problems) {
    for key in raw.messages.keys() {
        if MessageKey::from_name(key.get_ref()).is_none() {
            let known: Vec<&str> = MessageKey::ALL.iter().map(|key| key.name()).collect();
            problems.at(
                key.span(),
                format!(
                    "unknown message {:?} (known: {})",
                    key.get_ref(),
                    known.join(", ")
                ),
            );
        }
    }
}

/// Reads `[[signals]]`: unique ids, at least one phrase each, phrases folded for matching.
fn signals(raw: &RawScript, problems: &mut Problems) -> Vec<Signal> {
    let mut signal_ids = HashSet::new();
    raw.signals
        .iter()
        .map(|signal| {
            let signal = signal.get_ref();
            if !signal_ids.insert(signal.id.get_ref().clone()) {
                problems.at(
                    signal.id.span(),
                    format!("duplicate signal id {:?}", signal.id.get_ref()),
                );
            }
            if signal
                .phrases
                .get_ref()
                .iter()
                .all(|phrase| phrase.trim().is_empty())
            {
                problems.at(signal.phrases.span(), "a signal needs at least one phrase");
            }
            Signal {
                id: signal.id.get_ref().clone(),
                reason: signal.reason.clone(),
                points: signal.points,
                phrases: signal
                    .phrases
                    .get_ref()
                    .iter()
                    .map(|phrase| crate::extract::fold(phrase))
                    .filter(|phrase| !phrase.is_empty())
                    .collect(),
            }
        })
        .collect()
}

/// Reads `[[faq]]`: unique ids, at least one phrase and an answer each, phrases folded.
fn faq(raw: &RawScript, problems: &mut Problems) -> Vec<Faq> {
    let mut ids = HashSet::new();
    raw.faq
        .iter()
        .map(|entry| {
            let entry = entry.get_ref();
            let id = entry.id.get_ref().trim().to_string();
            if id.is_empty() || !id.chars().all(condition::is_id_char) {
                problems.at(
                    entry.id.span(),
                    format!("faq id {id:?} must be letters, digits, _ or - (and not empty)"),
                );
            } else if !ids.insert(id.clone()) {
                problems.at(entry.id.span(), format!("duplicate faq id {id:?}"));
            }
            let phrases: Vec<String> = entry
                .phrases
                .get_ref()
                .iter()
                .map(|phrase| crate::extract::fold(phrase.trim()))
                .filter(|phrase| !phrase.is_empty())
                .collect();
            if phrases.is_empty() {
                problems.at(
                    entry.phrases.span(),
                    format!("faq {id:?} needs at least one phrase"),
                );
            }
            if entry.answer.get_ref().trim().is_empty() {
                problems.at(
                    entry.answer.span(),
                    format!("faq {id:?} has an empty answer"),
                );
            }
            Faq {
                id,
                phrases,
                answer: entry.answer.get_ref().trim().to_string(),
            }
        })
        .collect()
}

/// Reads `family`: the name a script's translations share, written like an id.
fn family(raw: &RawScript, problems: &mut Problems) -> Option<String> {
    let spanned = raw.family.as_ref()?;
    let family = spanned.get_ref().trim().to_string();
    if family.is_empty() || !family.chars().all(condition::is_id_char) {
        problems.at(
            spanned.span(),
            format!("family {family:?} must be letters, digits, _ or - (and not empty)"),
        );
        return None;
    }
    Some(family)
}

/// Checks the steps' ids (at least one step; ids well-formed, not "end", unique) and returns
/// each id's index, which jumps are resolved against.
fn step_ids(raw: &RawScript, problems: &mut Problems) -> BTreeMap<String, usize> {
    if raw.steps.is_empty() {
        problems.at(raw.id.span(), "a script needs at least one [[steps]]");
    }
    let mut seen_ids: BTreeMap<String, usize> = BTreeMap::new();
    for (index, step) in raw.steps.iter().enumerate() {
        let step_id = step.get_ref().id.get_ref();
        if !step_id.chars().all(condition::is_id_char) || step_id.is_empty() || step_id == Jump::END
        {
            problems.at(
                step.get_ref().id.span(),
                format!("step id {step_id:?} must be letters, digits, _ or - and not \"end\""),
            );
        }
        if seen_ids.insert(step_id.clone(), index).is_some() {
            problems.at(
                step.get_ref().id.span(),
                format!("duplicate step id {step_id:?}"),
            );
        }
    }
    seen_ids
}

/// Checks that a step asks for every required criterion and stores every contact field an
/// information-qualified lead needs.
fn check_coverage(
    raw: &RawScript,
    required: &[Criterion],
    iql_requires: &[ContactField],
    problems: &mut Problems,
) {
    for criterion in required {
        if !raw
            .steps
            .iter()
            .any(|step| parse_criterion(step.get_ref().criterion.get_ref()) == Ok(*criterion))
        {
            problems.at(
                raw.required.span(),
                format!(
                    "required criterion {:?} is not covered by any step",
                    criterion.name()
                ),
            );
        }
    }
    for field in iql_requires {
        if !raw.steps.iter().any(|step| {
            step.get_ref()
                .store_as
                .as_ref()
                .is_some_and(|store_as| parse_contact_field(store_as.get_ref()) == Ok(*field))
        }) {
            let span = raw
                .iql_requires
                .as_ref()
                .map_or_else(|| raw.id.span(), |list| list.span());
            problems.at(
                span,
                format!(
                    "iql_requires {:?} but no step has store_as = {:?}",
                    field.name(),
                    field.name()
                ),
            );
        }
    }
}

/// Checks that every step can be reached from the first (only meaningful, and only run, when
/// the steps are otherwise valid, so `steps` matches `raw.steps` one to one).
fn check_reachable(raw: &RawScript, steps: &[Step], problems: &mut Problems) {
    for index in unreachable_steps(steps) {
        problems.at(
            raw.steps[index].get_ref().id.span(),
            format!("step {:?} can never be reached", steps[index].id),
        );
    }
}

/// Reads `[follow_up]`: durations such as "45m", "2h", "3d".
fn follow_up(raw: Option<&super::raw::RawFollowUp>, problems: &mut Problems) -> FollowUp {
    let Some(raw) = raw else {
        return FollowUp::default();
    };
    let mut duration = |field: &Option<Spanned<String>>, name: &str| {
        let text = field.as_ref()?;
        match parse_duration(text.get_ref()) {
            Some(duration) => Some(duration),
            None => {
                problems.at(
                    text.span(),
                    format!(
                        "{name} {:?} is not a duration like \"45m\", \"2h\" or \"3d\"",
                        text.get_ref()
                    ),
                );
                None
            }
        }
    };
    let parsed = FollowUp {
        nudge_after: duration(&raw.nudge_after, "nudge_after"),
        abandon_after: duration(&raw.abandon_after, "abandon_after"),
        mql_after: duration(&raw.mql_after, "mql_after"),
    };
    if let (Some(nudge), Some(abandon), Some(span)) = (
        parsed.nudge_after,
        parsed.abandon_after,
        raw.abandon_after.as_ref().map(Spanned::span),
    ) && abandon <= nudge
    {
        problems.at(span, "abandon_after must be longer than nudge_after");
    }
    parsed
}

/// Reads `[[nurture]]`: days after the dialogue ended, positive and increasing; a message; an
/// optional step id to ask again, which must exist.
fn nurture(
    raw: &RawScript,
    step_ids: &BTreeMap<String, usize>,
    problems: &mut Problems,
) -> Vec<NurtureTouch> {
    let mut previous = 0;
    raw.nurture
        .iter()
        .map(|touch| {
            let touch = touch.get_ref();
            let days = *touch.after_days.get_ref();
            if days <= 0 {
                problems.at(
                    touch.after_days.span(),
                    "after_days must be a whole number of days above 0",
                );
            } else if days <= previous {
                problems.at(
                    touch.after_days.span(),
                    format!(
                        "after_days counts from the end of the dialogue: it must be more than the previous touch's {previous}"
                    ),
                );
            }
            previous = previous.max(days);
            if touch.say.trim().is_empty() {
                problems.at(touch.after_days.span(), "a nurture touch needs a message (say)");
            }
            if let Some(ask) = &touch.ask
                && !step_ids.contains_key(ask.get_ref())
            {
                problems.at(
                    ask.span(),
                    format!("ask {:?} is not a step id of this script", ask.get_ref()),
                );
            }
            NurtureTouch {
                after_days: days,
                say: touch.say.clone(),
                ask: touch.ask.as_ref().map(|ask| ask.get_ref().clone()),
            }
        })
        .collect()
}

/// Reads `decay = { after_days, points }`: days above 0, points below 0.
fn decay(raw: &RawScript, problems: &mut Problems) -> Option<Decay> {
    let decay = raw.decay.as_ref()?.get_ref();
    let mut valid = true;
    if *decay.after_days.get_ref() <= 0 {
        problems.at(
            decay.after_days.span(),
            "after_days must be a whole number of days above 0",
        );
        valid = false;
    }
    if *decay.points.get_ref() >= 0 {
        problems.at(
            decay.points.span(),
            "decay points must be negative, e.g. -5",
        );
        valid = false;
    }
    valid.then(|| Decay {
        after_days: *decay.after_days.get_ref(),
        points: *decay.points.get_ref(),
    })
}

/// "45m", "2h", "3d", "1w" (a positive whole number and a unit).
fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
    match unit.trim() {
        "m" | "min" | "minutes" => chrono::Duration::try_minutes(number),
        "h" | "hours" => chrono::Duration::try_hours(number),
        "d" | "days" => chrono::Duration::try_days(number),
        "w" | "weeks" => chrono::Duration::try_weeks(number),
        _ => None,
    }
}

fn parse_list<T>(
    list: &Spanned<Vec<Spanned<String>>>,
    problems: &mut Problems,
    parse: fn(&str) -> Result<T, String>,
) -> Vec<T> {
    list.get_ref()
        .iter()
        .filter_map(|item| match parse(item.get_ref()) {
            Ok(value) => Some(value),
            Err(message) => {
                problems.at(item.span(), message);
                None
            }
        })
        .collect()
}

fn parse_criterion(name: &str) -> Result<Criterion, String> {
    Criterion::ALL
        .into_iter()
        .find(|criterion| criterion.name() == name)
        .ok_or_else(|| {
            format!(
                "unknown criterion {name:?} (need, interest, budget, timing, authority, contact)"
            )
        })
}

fn parse_contact_field(name: &str) -> Result<ContactField, String> {
    const ALL: [ContactField; 7] = [
        ContactField::Name,
        ContactField::Company,
        ContactField::Email,
        ContactField::Phone,
        ContactField::Region,
        ContactField::Industry,
        ContactField::Role,
    ];
    ALL.into_iter().find(|field| field.name() == name).ok_or_else(|| {
        format!("unknown contact field {name:?} (name, company, email, phone, region, industry, role)")
    })
}

/// The fields each expectation kind may use, beyond the common ones.
fn allowed_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "choice" | "multi_choice" => &["options"],
        "yes_no" => &["yes_points", "no_points", "disqualify_yes", "disqualify_no"],
        "money" => &[
            "bands",
            "disqualify_below",
            "no_budget_points",
            "disqualify_no_budget",
            "period",
            "ask_period",
        ],
        "timeframe" => &["bands", "no_timeline_points"],
        "number" => &["bands"],
        "text" => &["pattern"],
        _ => &[],
    }
}

/// The kind-specific fields a raw step sets, with their positions.
fn kind_fields_present(step: &RawStep) -> Vec<(&'static str, Range<usize>)> {
    let mut present = Vec::new();
    let mut note = |name: &'static str, span: Option<Range<usize>>| {
        if let Some(span) = span {
            present.push((name, span));
        }
    };
    note("options", step.options.as_ref().map(Spanned::span));
    note("bands", step.bands.as_ref().map(Spanned::span));
    note(
        "disqualify_below",
        step.disqualify_below.as_ref().map(Spanned::span),
    );
    note(
        "no_budget_points",
        step.no_budget_points.as_ref().map(Spanned::span),
    );
    note(
        "disqualify_no_budget",
        step.disqualify_no_budget.as_ref().map(Spanned::span),
    );
    note("period", step.period.as_ref().map(Spanned::span));
    note("ask_period", step.ask_period.as_ref().map(Spanned::span));
    note(
        "no_timeline_points",
        step.no_timeline_points.as_ref().map(Spanned::span),
    );
    note("yes_points", step.yes_points.as_ref().map(Spanned::span));
    note("no_points", step.no_points.as_ref().map(Spanned::span));
    note(
        "disqualify_yes",
        step.disqualify_yes.as_ref().map(Spanned::span),
    );
    note(
        "disqualify_no",
        step.disqualify_no.as_ref().map(Spanned::span),
    );
    note("pattern", step.pattern.as_ref().map(Spanned::span));
    present
}

const KINDS: [&str; 8] = [
    "choice",
    "multi_choice",
    "yes_no",
    "money",
    "timeframe",
    "number",
    "email",
    "text",
];

fn validate_step(
    raw: &RawStep,
    index: usize,
    all: &[Spanned<RawStep>],
    ids: &BTreeMap<String, usize>,
    problems: &mut Problems,
) -> Option<Step> {
    let kind = raw.expect.get_ref().as_str();
    if !KINDS.contains(&kind) {
        problems.at(
            raw.expect.span(),
            format!(
                "unknown expectation kind {kind:?} (expected one of {})",
                KINDS.join(", ")
            ),
        );
        return None;
    }
    for (field, span) in kind_fields_present(raw) {
        if !allowed_fields(kind).contains(&field) {
            problems.at(
                span,
                format!("field `{field}` does not apply to expect = {kind:?}"),
            );
        }
    }
    let criterion = parse_criterion(raw.criterion.get_ref())
        .map_err(|message| problems.at(raw.criterion.span(), message))
        .ok();
    let store_as = raw.store_as.as_ref().and_then(|field| {
        parse_contact_field(field.get_ref())
            .map_err(|message| problems.at(field.span(), message))
            .ok()
    });
    let when = raw
        .when
        .as_ref()
        .and_then(|text| check_condition(text, index, all, ids, problems, "when"));
    let mut goto = Vec::new();
    for jump in &raw.goto {
        let jump = jump.get_ref();
        let target = jump.to.get_ref();
        if target != Jump::END {
            match ids.get(target) {
                None => problems.at(
                    jump.to.span(),
                    format!("goto target {target:?} is not a step of this script"),
                ),
                Some(&target_index) if target_index <= index => problems.at(
                    jump.to.span(),
                    format!(
                        "goto {target:?} jumps backwards; jumps may only go forward (or to \"end\")"
                    ),
                ),
                Some(_) => {}
            }
        }
        let condition = match &jump.when {
            Some(text) => match check_condition(text, index + 1, all, ids, problems, "goto") {
                Some(condition) => Some(condition),
                None => continue,
            },
            None => None,
        };
        goto.push(Jump {
            when: condition,
            to: target.clone(),
        });
    }
    let expect = validate_expectation(raw, kind, problems)?;
    Some(Step {
        id: raw.id.get_ref().clone(),
        criterion: criterion?,
        ask: raw.ask.clone(),
        hint: raw.hint.clone(),
        expect,
        store_as,
        when,
        goto,
        points: raw.points.unwrap_or(0),
    })
}

/// Parses a condition and checks that it refers to an earlier step in a way that can hold.
fn check_condition(
    text: &Spanned<String>,
    before: usize,
    all: &[Spanned<RawStep>],
    ids: &BTreeMap<String, usize>,
    problems: &mut Problems,
    field: &str,
) -> Option<Condition> {
    let condition = condition::parse(text.get_ref())
        .map_err(|message| problems.at(text.span(), message))
        .ok()?;
    let Some(&target) = ids.get(&condition.step) else {
        problems.at(
            text.span(),
            format!("{field} refers to unknown step {:?}", condition.step),
        );
        return None;
    };
    if target >= before {
        problems.at(
            text.span(),
            format!(
                "{field} tests step {:?}, which is not answered yet at this point",
                condition.step
            ),
        );
        return None;
    }
    let tested = all[target].get_ref();
    let kind = tested.expect.get_ref().as_str();
    let ordered = !matches!(condition.op, Comparison::Equal | Comparison::NotEqual);
    let problem = match kind {
        "money" | "number" | "timeframe" if condition.value.parse::<f64>().is_err() => {
            Some(format!(
                "step {:?} is a {kind}; compare it with a number",
                condition.step
            ))
        }
        "yes_no" if ordered || !matches!(condition.value.as_str(), "yes" | "no") => Some(format!(
            "step {:?} is yes_no; use = yes, = no, != yes or != no",
            condition.step
        )),
        "choice" | "multi_choice" => {
            let values: Vec<String> = tested
                .options
                .iter()
                .flat_map(|options| options.get_ref().iter())
                .filter_map(|option| {
                    option
                        .get_ref()
                        .value
                        .as_ref()
                        .or(option.get_ref().label.as_ref())
                })
                .map(|value| value.get_ref().clone())
                .collect();
            if ordered {
                Some(format!(
                    "step {:?} is a choice; use = or !=",
                    condition.step
                ))
            } else if !values.contains(&condition.value) {
                Some(format!(
                    "{:?} is not an option value of step {:?} (values: {})",
                    condition.value,
                    condition.step,
                    values.join(", ")
                ))
            } else {
                None
            }
        }
        "email" | "text" if ordered => {
            Some(format!("step {:?} is {kind}; use = or !=", condition.step))
        }
        _ => None,
    };
    if let Some(message) = problem {
        problems.at(text.span(), message);
        return None;
    }
    Some(condition)
}

fn validate_expectation(raw: &RawStep, kind: &str, problems: &mut Problems) -> Option<Expectation> {
    Some(match kind {
        "choice" | "multi_choice" => {
            let options = validate_options(raw, problems)?;
            if kind == "choice" {
                Expectation::Choice { options }
            } else {
                Expectation::MultiChoice { options }
            }
        }
        "yes_no" => Expectation::YesNo {
            yes_points: raw
                .yes_points
                .as_ref()
                .map_or(0, |points| *points.get_ref()),
            no_points: raw.no_points.as_ref().map_or(0, |points| *points.get_ref()),
            disqualify_yes: raw.disqualify_yes.as_ref().map(|say| say.get_ref().clone()),
            disqualify_no: raw.disqualify_no.as_ref().map(|say| say.get_ref().clone()),
        },
        "money" => Expectation::Money {
            bands: amount_bands(raw, problems),
            disqualify_below: raw.disqualify_below.as_ref().map(|floor| Disqualifier {
                amount: floor.get_ref().amount,
                say: floor.get_ref().say.clone(),
            }),
            no_budget_points: raw
                .no_budget_points
                .as_ref()
                .map_or(0, |points| *points.get_ref()),
            disqualify_no_budget: raw
                .disqualify_no_budget
                .as_ref()
                .map(|say| say.get_ref().clone()),
            period: match &raw.period {
                None => None,
                Some(period) => match period.get_ref().as_str() {
                    "month" => Some(Period::Month),
                    "year" => Some(Period::Year),
                    other => {
                        problems.at(
                            period.span(),
                            format!("period {other:?} must be \"month\" or \"year\""),
                        );
                        None
                    }
                },
            },
            ask_period: raw.ask_period.as_ref().is_some_and(|ask| *ask.get_ref()),
        },
        "timeframe" => Expectation::Timeframe {
            bands: time_bands(raw, problems),
            no_timeline_points: raw
                .no_timeline_points
                .as_ref()
                .map_or(0, |points| *points.get_ref()),
        },
        "number" => Expectation::Number {
            bands: amount_bands(raw, problems),
        },
        "email" => Expectation::Email,
        _ => Expectation::Text {
            pattern: match &raw.pattern {
                None => None,
                Some(pattern) => match Regex::new(pattern.get_ref()) {
                    Ok(regex) => Some(regex),
                    Err(error) => {
                        let first_line = error
                            .to_string()
                            .lines()
                            .last()
                            .unwrap_or_default()
                            .to_string();
                        problems.at(
                            pattern.span(),
                            format!("pattern does not compile: {}", first_line.trim()),
                        );
                        return None;
                    }
                },
            },
        },
    })
}

fn validate_options(raw: &RawStep, problems: &mut Problems) -> Option<Vec<ChoiceOption>> {
    let Some(list) = &raw.options else {
        problems.at(
            raw.expect.span(),
            format!("expect = {:?} needs options", raw.expect.get_ref()),
        );
        return None;
    };
    if list.get_ref().len() < 2 {
        problems.at(list.span(), "a choice needs at least two options");
    }
    let mut values = BTreeSet::new();
    let mut options = Vec::new();
    for option in list.get_ref() {
        let span = option.span();
        let option = option.get_ref();
        let label = match &option.label {
            Some(label) if !label.get_ref().trim().is_empty() => label.get_ref().trim().to_string(),
            Some(label) => {
                problems.at(label.span(), "option label is empty");
                continue;
            }
            None => {
                problems.at(span, "option has no label");
                continue;
            }
        };
        let value = option
            .value
            .as_ref()
            .map_or_else(|| label.clone(), |value| value.get_ref().trim().to_string());
        if !values.insert(value.clone()) {
            let at = option.value.as_ref().map_or(span, Spanned::span);
            problems.at(at, format!("duplicate option value {value:?}"));
        }
        options.push(ChoiceOption {
            value,
            label,
            points: option.points,
            synonyms: option.synonyms.clone(),
            disqualify: option.disqualify.clone(),
        });
    }
    Some(options)
}

fn raw_bands(raw: &RawStep) -> &[Spanned<RawBand>] {
    raw.bands
        .as_ref()
        .map_or(&[], |bands| bands.get_ref().as_slice())
}

fn amount_bands(raw: &RawStep, problems: &mut Problems) -> Vec<Band> {
    let mut bands: Vec<Band> = raw_bands(raw)
        .iter()
        .filter_map(
            |band| match (band.get_ref().at_least, band.get_ref().within_days) {
                (Some(at_least), None) => Some(Band {
                    at_least,
                    points: band.get_ref().points,
                }),
                _ => {
                    problems.at(
                        band.span(),
                        "a band here needs `at_least` (and no `within_days`)",
                    );
                    None
                }
            },
        )
        .collect();
    bands.sort_by(|a, b| b.at_least.total_cmp(&a.at_least));
    bands
}

fn time_bands(raw: &RawStep, problems: &mut Problems) -> Vec<TimeBand> {
    let mut bands: Vec<TimeBand> = raw_bands(raw)
        .iter()
        .filter_map(
            |band| match (band.get_ref().within_days, band.get_ref().at_least) {
                (Some(within_days), None) if within_days >= 0 => Some(TimeBand {
                    within_days,
                    points: band.get_ref().points,
                }),
                _ => {
                    problems.at(
                        band.span(),
                        "a timeframe band needs `within_days` (0 or more, and no `at_least`)",
                    );
                    None
                }
            },
        )
        .collect();
    bands.sort_by_key(|band| band.within_days);
    bands
}

/// Indexes of steps no dialogue can reach: jumps only go forward, a step with `when` can be
/// skipped, and an unconditional jump hides the steps it jumps over.
fn unreachable_steps(steps: &[Step]) -> Vec<usize> {
    let index_of = |id: &str| steps.iter().position(|step| step.id == id);
    let mut reachable = vec![false; steps.len()];
    if let Some(first) = reachable.first_mut() {
        *first = true;
    }
    for index in 0..steps.len() {
        if !reachable[index] {
            continue;
        }
        let step = &steps[index];
        let mut falls_through = !step.goto.iter().any(|jump| jump.when.is_none());
        if step.when.is_some() {
            falls_through = true;
        }
        for jump in &step.goto {
            if let Some(target) = index_of(&jump.to) {
                reachable[target] = true;
            }
        }
        if falls_through && index + 1 < steps.len() {
            reachable[index + 1] = true;
        }
    }
    (0..steps.len())
        .filter(|&index| !reachable[index])
        .collect()
}
