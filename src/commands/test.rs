//! Purpose: `leadbot test [PATH…] [--update]` — run the scripts' test cases and report each
//! failure with what differs; exit 1 on any failure, so a team's CI can run it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use leadbot::cases::{self, CaseFile, Outcome};
use leadbot::reps::{self, Team};
use leadbot::script::{self, Script};

/// Runs every case under `paths` (default: the `tests` folder beside the scripts) against the
/// scripts under `scripts`; `update` rewrites the golden replies of the cases that have them
/// (`replies = []` opts a case in) instead of comparing them.
pub fn run(paths: &[PathBuf], scripts: &Path, update: bool) -> Result<ExitCode> {
    let loaded = script::load_all(&[scripts.to_path_buf()])
        .with_context(|| format!("the scripts in {} do not load", scripts.display()))?;
    let default_folder = [scripts.join("tests")];
    let paths = if paths.is_empty() {
        &default_folder[..]
    } else {
        paths
    };
    let files = cases::case_files(paths)?;
    let mut out = std::io::stdout().lock();
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        match run_file(file, &loaded, update, &mut out)? {
            Ok((ok, not_ok)) => {
                passed += ok;
                failed += not_ok;
            }
            Err(error) => {
                failed += 1;
                writeln!(out, "FAIL {error}")?;
            }
        }
    }
    if files.is_empty() {
        writeln!(out, "no test case files found")?;
        return Ok(ExitCode::FAILURE);
    }
    writeln!(out, "\n{passed} passed, {failed} failed")?;
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The script a case file names: an id among the loaded scripts, or a file beside it.
fn script_of(file: &Path, cases: &CaseFile, loaded: &[Script]) -> Result<Script, String> {
    if let Some(found) = loaded.iter().find(|s| s.id == cases.script) {
        return Ok(found.clone());
    }
    let path = cases::beside(file, Path::new(&cases.script));
    if path.is_file() {
        return script::load_file(&path).map_err(|error| error.to_string());
    }
    Err(format!(
        "{}: no script {:?} (neither an id in the scripts folder nor a file)",
        file.display(),
        cases.script
    ))
}

/// The script a case runs on: `script` itself, or (a case with a `locale`) the member of its
/// family in that language.
fn family_member<'a>(
    script: &'a Script,
    locale: Option<&str>,
    loaded: &'a [Script],
) -> Result<&'a Script, String> {
    let Some(locale) = locale.filter(|locale| *locale != script.locale.code()) else {
        return Ok(script);
    };
    let Some(family) = &script.family else {
        return Err(format!(
            "locale = {locale:?}: {} has no `family`, so it has no translation to run",
            script.id
        ));
    };
    loaded
        .iter()
        .find(|other| other.family.as_ref() == Some(family) && other.locale.code() == locale)
        .ok_or_else(|| {
            format!("locale = {locale:?}: no script of family {family:?} is in that language")
        })
}

fn team_of(file: &Path, cases: &CaseFile, loaded: &[Script]) -> Result<Option<Team>, String> {
    let Some(reps) = &cases.reps else {
        return Ok(None);
    };
    reps::load(&cases::beside(file, reps), loaded)
        .map(Some)
        .map_err(|error| error.to_string())
}

/// Runs one file: (passed, failed), or why the file could not run.
fn run_file(
    file: &Path,
    loaded: &[Script],
    update: bool,
    out: &mut impl Write,
) -> Result<Result<(usize, usize), String>> {
    let cases = match cases::load(file) {
        Ok(cases) => cases,
        Err(error) => return Ok(Err(error.to_string())),
    };
    let script = match script_of(file, &cases, loaded) {
        Ok(script) => script,
        Err(error) => return Ok(Err(error)),
    };
    let team = match team_of(file, &cases, loaded) {
        Ok(team) => team,
        Err(error) => return Ok(Err(error)),
    };
    let (mut passed, mut failed) = (0, 0);
    let mut golden = Vec::new();
    for case in &cases.cases {
        let script = match family_member(&script, case.locale.as_deref(), loaded) {
            Ok(script) => script,
            Err(why) => {
                failed += 1;
                writeln!(out, "FAIL {}: {}\n  {why}", file.display(), case.name)?;
                if update {
                    golden.push(None);
                }
                continue;
            }
        };
        let mut outcome = cases::run(case, script, team.as_ref(), cases.now);
        if update {
            outcome.mismatches.retain(|m| m.what != "replies");
            golden.push(case.replies.is_some().then(|| outcome.replies.clone()));
        }
        if outcome.mismatches.is_empty() {
            passed += 1;
            writeln!(out, "ok   {}: {}", file.display(), outcome.name)?;
        } else {
            failed += 1;
            report(file, &outcome, out)?;
        }
    }
    if update {
        cases::update_replies(file, &golden)?;
        writeln!(out, "     {}: golden replies written", file.display())?;
    }
    Ok(Ok((passed, failed)))
}

/// A failed case: each expectation that did not hold, a diff of golden replies, and the whole
/// dialogue as it ran.
fn report(file: &Path, outcome: &Outcome, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "FAIL {}: {}", file.display(), outcome.name)?;
    for mismatch in &outcome.mismatches {
        if mismatch.what == "replies" {
            writeln!(out, "  replies differ (- expected, + actual):")?;
            let (expected, actual) = (
                format!("{}\n", mismatch.expected),
                format!("{}\n", mismatch.actual),
            );
            let diff = similar::TextDiff::from_lines(&expected, &actual);
            for change in diff.iter_all_changes() {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => "-",
                    similar::ChangeTag::Insert => "+",
                    similar::ChangeTag::Equal => " ",
                };
                write!(out, "    {sign} {change}")?;
            }
        } else {
            writeln!(
                out,
                "  {}: expected {}, got {}",
                mismatch.what, mismatch.expected, mismatch.actual
            )?;
        }
    }
    writeln!(out, "  the dialogue as it ran:")?;
    for line in &outcome.transcript {
        for (index, part) in line.lines().enumerate() {
            let indent = if index == 0 { "    " } else { "      " };
            writeln!(out, "{indent}{part}")?;
        }
    }
    Ok(())
}
