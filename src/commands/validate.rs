//! Purpose: `leadbot validate` — check scripts and print `file:line:column: problem` for each.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use leadbot::reps;
use leadbot::script::{self, Condition, ScriptError};

/// The reps file's rule conditions, so an option only routing uses is not reported as unused.
/// A reps file that does not load gives none (`leadbot reps validate` reports its problems).
fn routing_conditions(reps_file: Option<&Path>, paths: &[PathBuf]) -> Vec<Condition> {
    let (Some(file), Ok(scripts)) = (reps_file, script::load_all(paths)) else {
        return Vec::new();
    };
    let Ok(team) = reps::load(file, &scripts) else {
        return Vec::new();
    };
    team.rules
        .iter()
        .flat_map(|rule| &rule.conditions)
        .map(|condition| Condition {
            step: condition.attribute.clone(),
            op: condition.op,
            value: condition.value.clone(),
        })
        .collect()
}

/// Validates every script under `paths`; exits 1 when any is broken. Warnings (legal but
/// likely wrong) take the routing rules of `reps_file` into account.
pub fn run(paths: &[PathBuf], reps_file: Option<&Path>) -> Result<ExitCode> {
    let routing = routing_conditions(reps_file, paths);
    let mut out = std::io::stdout().lock();
    let mut broken = 0;
    let mut valid = 0;
    for path in paths {
        let files = match script::script_files(path) {
            Ok(files) => files,
            Err(error) => {
                eprintln!("{error}");
                broken += 1;
                continue;
            }
        };
        if files.is_empty() {
            eprintln!("{}: no .toml scripts found", path.display());
            broken += 1;
        }
        for file in files {
            match script::load_file(&file) {
                Ok(script) => {
                    valid += 1;
                    writeln!(
                        out,
                        "ok   {} ({} {}{}, {}, {} steps)",
                        file.display(),
                        script.id,
                        script.version,
                        script
                            .label
                            .as_deref()
                            .map(|label| format!(" \"{label}\""))
                            .unwrap_or_default(),
                        script.locale,
                        script.steps.len()
                    )?;
                    for warning in script::warnings(&script, &routing) {
                        writeln!(out, "warn {}: {warning}", file.display())?;
                    }
                }
                Err(ScriptError::Invalid(diagnostics)) => {
                    broken += 1;
                    for diagnostic in diagnostics {
                        writeln!(out, "{diagnostic}")?;
                    }
                }
                Err(error) => {
                    broken += 1;
                    writeln!(out, "{error}")?;
                }
            }
        }
    }
    if let Err(ScriptError::Invalid(diagnostics)) = script::load_all(paths) {
        for diagnostic in diagnostics
            .iter()
            .filter(|d| d.message.contains("already used"))
        {
            broken += 1;
            writeln!(out, "{diagnostic}")?;
        }
    }
    if broken > 0 {
        eprintln!("{broken} broken, {valid} valid");
        Ok(ExitCode::FAILURE)
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
