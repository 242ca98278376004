//! Purpose: what is legal in a script but likely wrong — `leadbot validate` prints these as
//! warnings: a threshold no combination of answers can reach.

use super::model::{Expectation, Script, Step};

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

/// Warnings for `script`, each one line.
pub fn warnings(script: &Script) -> Vec<String> {
    let (low, high) = score_range(script);
    let mut found = Vec::new();
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
                warnings(&script),
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
            warnings(&script),
            [
                "thresholds.sql = 40 cannot be reached: the highest score any answers can give is 35 (lowest -5)"
            ]
        );
    }
}
