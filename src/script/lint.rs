//! Purpose: what is legal in a script but likely wrong — `leadbot validate` prints these as
//! warnings: a threshold no combination of answers can reach, and an option that changes
//! nothing (no points, no disqualification, stored nowhere, and no condition or routing rule
//! asks for it).

use super::model::{Condition, Expectation, Script, Step};

/// The lowest and highest score a step can add (0 is always possible: a step can be skipped by
/// its condition or by an answer never understood).
fn step_range(step: &Step) -> (i64, i64) {
    let points = |values: &mut dyn Iterator<Item = i32>| -> (i64, i64) {
        values.fold((0, 0), |(low, high), p| {
            (low.min(i64::from(p)), high.max(i64::from(p)))
        })
    };
    let (low, high) = match &step.expect {
        Expectation::Choice { options } => points(&mut options.iter().map(|o| o.points)),
        Expectation::MultiChoice { options } => options.iter().fold((0, 0), |(low, high), o| {
            let p = i64::from(o.points);
            (low + p.min(0), high + p.max(0))
        }),
        Expectation::YesNo {
            yes_points,
            no_points,
            ..
        } => points(&mut [*yes_points, *no_points].into_iter()),
        Expectation::Money {
            bands,
            no_budget_points,
            ..
        } => points(&mut bands.iter().map(|b| b.points).chain([*no_budget_points])),
        Expectation::Timeframe {
            bands,
            no_timeline_points,
        } => points(&mut bands.iter().map(|b| b.points).chain([*no_timeline_points])),
        Expectation::Number { bands } => points(&mut bands.iter().map(|b| b.points)),
        Expectation::Email | Expectation::Text { .. } => (0, 0),
    };
    let own = i64::from(step.points);
    (low + own.min(0), high + own.max(0))
}

/// The lowest and highest score any dialogue on `script` can reach: every step's extremes,
/// every signal once, and quick-reply points up to their cap.
pub fn score_range(script: &Script) -> (i64, i64) {
    let (mut low, mut high) = script
        .steps
        .iter()
        .map(step_range)
        .fold((0, 0), |(low, high), (step_low, step_high)| {
            (low + step_low, high + step_high)
        });
    for signal in &script.signals {
        let p = i64::from(signal.points);
        low += p.min(0);
        high += p.max(0);
    }
    if let Some(fast) = &script.fast_reply {
        high += i64::from(fast.max_points.max(0));
    }
    (low, high)
}

/// Whether `condition` singles out the option `value` of `step` (`=` or `!=`; a number
/// comparison cannot name an option).
fn names_option(condition: &Condition, step: &str, value: &str) -> bool {
    condition.step == step
        && matches!(
            condition.op,
            super::Comparison::Equal | super::Comparison::NotEqual
        )
        && condition.value.eq_ignore_ascii_case(value)
}

/// Options that change nothing: no points, no disqualification, not stored as a contact field,
/// and named by no condition of the script nor by any of `routing` (the reps file's rule
/// conditions, attribute as `step`). Such an answer is recorded and shown to the rep, but an
/// option written that way is usually a forgotten score.
fn unused_options(script: &Script, routing: &[Condition]) -> Vec<String> {
    let conditions: Vec<&Condition> = script
        .steps
        .iter()
        .flat_map(|step| {
            step.when
                .iter()
                .chain(step.goto.iter().flat_map(|j| &j.when))
        })
        .chain(routing)
        .collect();
    let mut found = Vec::new();
    for step in script.steps.iter().filter(|step| step.store_as.is_none()) {
        for option in step.expect.options() {
            let used = option.points != 0
                || option.disqualify.is_some()
                || conditions
                    .iter()
                    .any(|condition| names_option(condition, &step.id, &option.value));
            if !used {
                found.push(format!(
                    "step `{}`, option `{}` changes nothing: it has no points, no disqualify, and \
                     no `when`, `goto` or reps rule names it",
                    step.id, option.value
                ));
            }
        }
    }
    found
}

/// Warnings for `script`, each one line. `routing` holds the reps file's rule conditions (empty
/// when there is no reps file), so an option only a routing rule uses is not reported.
pub fn warnings(script: &Script, routing: &[Condition]) -> Vec<String> {
    let (low, high) = score_range(script);
    let mut found = unused_options(script, routing);
    for (name, threshold) in [("mql", script.mql_threshold), ("sql", script.sql_threshold)] {
        if i64::from(threshold) > high {
            found.push(format!(
                "thresholds.{name} = {threshold} cannot be reached: the highest score any \
                 answers can give is {high} (lowest {low})"
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn the_shipped_scripts_can_reach_their_thresholds() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("conversations");
        for file in crate::script::script_files(&folder).unwrap() {
            let script = crate::script::load_file(&file).unwrap();
            assert_eq!(
                warnings(&script, &[]),
                Vec::<String>::new(),
                "{}",
                file.display()
            );
            let (low, high) = score_range(&script);
            assert!(
                low < 0 && high >= i64::from(script.sql_threshold),
                "{low}..{high}"
            );
        }
    }

    #[test]
    fn a_threshold_above_the_highest_score_is_reported() {
        let source = r#"
id = "t"
locale = "en"
greeting = "Hi"
required = []
iql_requires = []
[thresholds]
mql = 10
sql = 40
[[steps]]
id = "size"
criterion = "interest"
ask = "How many?"
expect = "number"
bands = [{ at_least = 10, points = 25 }]
[[steps]]
id = "ok"
criterion = "authority"
ask = "Decide?"
expect = "yes_no"
yes_points = 10
no_points = -5
"#;
        let script = crate::script::parse(source, Path::new("t.toml")).unwrap();
        assert_eq!(score_range(&script), (-5, 35));
        assert_eq!(
            warnings(&script, &[]),
            [
                "thresholds.sql = 40 cannot be reached: the highest score any answers can give is 35 (lowest -5)"
            ]
        );
    }

    #[test]
    fn an_option_that_changes_nothing_is_reported_unless_a_rule_names_it() {
        let source = r#"
id = "t"
locale = "en"
greeting = "Hi"
required = []
iql_requires = []
[thresholds]
mql = 10
sql = 20
[[steps]]
id = "need"
criterion = "need"
ask = "Why?"
expect = "choice"
options = [
  { value = "replace", label = "Replace", points = 20 },
  { value = "browsing", label = "Browsing" },
  { value = "none", label = "No need", disqualify = "Bye" },
  { value = "partner", label = "Partner" },
]
[[steps]]
id = "who"
criterion = "authority"
ask = "Who?"
expect = "text"
when = "need = partner"
"#;
        let script = crate::script::parse(source, Path::new("t.toml")).unwrap();
        let browsing = "step `need`, option `browsing` changes nothing: it has no points, no \
                        disqualify, and no `when`, `goto` or reps rule names it";
        assert_eq!(warnings(&script, &[]), [browsing]);
        let routed = crate::script::parse_condition("need = Browsing").unwrap();
        assert_eq!(warnings(&script, &[routed]), Vec::<String>::new());
    }
}
