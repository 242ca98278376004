//! Purpose: `leadbot validate` — check scripts and print `file:line:column: problem` for each.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use leadbot::script::{self, ScriptError};

/// Validates every script under `paths`; exits 1 when any is broken.
pub fn run(paths: &[PathBuf]) -> Result<ExitCode> {
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
                    for warning in script::warnings(&script) {
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
