//! Purpose: qualification scripts as data — load TOML files from `conversations/`, validate them,
//! and report every problem as `file:line:column: message`.

mod condition;
mod currencies;
mod lint;
mod messages;
mod model;
mod raw;
mod validate;
mod version;

use std::fmt;
use std::path::{Path, PathBuf};

pub use condition::{is_id_char, parse as parse_condition};
pub(crate) use currencies::rates as exchange_rates;
pub use currencies::{convert as convert_currency, unknown_currency};
pub use lint::{score_range, warnings};
pub use messages::MessageKey;
pub use model::*;
pub use validate::MAX_THRESHOLD;
pub use version::{SHORT_VERSION, ScriptVersion};

/// The JSON Schema of a script file, generated from the type that reads it, so editors
/// (through the `#:schema` line Taplo / Even Better TOML understand) check and complete while
/// typing. `leadbot validate` checks what a schema cannot (references, reachability).
pub fn json_schema() -> serde_json::Value {
    titled(schemars::schema_for!(raw::RawScript), "leadbot script")
}

/// A generated schema as JSON, with a title people read.
pub(crate) fn titled(schema: schemars::Schema, title: &str) -> serde_json::Value {
    let mut value = schema.to_value();
    if let Some(object) = value.as_object_mut() {
        object.insert("title".into(), title.into());
    }
    value
}

/// One problem in one script file, positioned for an editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, as the admin named it.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Why an admin-edited file (a set of scripts, the reps file) could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// One or more files have problems; each diagnostic says where.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// What was being read.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Parses and validates one script from its source text; `file` is used in diagnostics.
pub fn parse(source: &str, file: &Path) -> Result<Script, Vec<Diagnostic>> {
    let at = |span: std::ops::Range<usize>, message: String| {
        let (line, column) = line_and_column(source, span.start);
        Diagnostic {
            file: file.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let raw: raw::RawScript = toml::from_str(source).map_err(|error| {
        let message = error.message().trim().to_string();
        vec![at(error.span().unwrap_or(0..0), message)]
    })?;
    validate::validate(raw, source).map_err(|problems| {
        problems
            .into_iter()
            .map(|problem| at(problem.span, problem.message))
            .collect()
    })
}

/// The largest script or reps file read: far beyond any real dialogue (the shipped scripts are
/// under 20 KB), small enough that a wrong path (a log, a dump) is refused at once instead of
/// being parsed into memory.
pub const MAX_SOURCE_BYTES: u64 = 1024 * 1024;

/// Reads and validates one script file.
pub fn load_file(path: &Path) -> Result<Script, ScriptError> {
    let source = read_source(path)?;
    parse(&source, path).map_err(ScriptError::Invalid)
}

/// The text of an admin's file (a script, the reps file): UTF-8, at most
/// [`MAX_SOURCE_BYTES`].
pub fn read_source(path: &Path) -> Result<String, ScriptError> {
    let read_error = |source| ScriptError::Read {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > MAX_SOURCE_BYTES {
        return Err(read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is {size} bytes; scripts and reps files are limited to {MAX_SOURCE_BYTES}"
            ),
        )));
    }
    std::fs::read_to_string(path).map_err(read_error)
}

/// The script files under `path` (a file, or every `*.toml` in a folder), sorted by name.
pub fn script_files(path: &Path) -> Result<Vec<PathBuf>, ScriptError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let read_error = |source| ScriptError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(read_error)? {
        let entry_path = entry.map_err(read_error)?.path();
        if entry_path.extension().is_some_and(|ext| ext == "toml") {
            files.push(entry_path);
        }
    }
    files.sort();
    Ok(files)
}

/// Every script under the given paths; fails with all diagnostics if any file is broken or two
/// files share a script id.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Script>, ScriptError> {
    let mut scripts: Vec<(PathBuf, Script)> = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        for file in script_files(path)? {
            match load_file(&file) {
                Ok(script) => {
                    if let Some((other, _)) = scripts.iter().find(|(_, s)| s.id == script.id) {
                        diagnostics.push(Diagnostic {
                            file: file.clone(),
                            line: 1,
                            column: 1,
                            message: format!(
                                "script id {:?} is already used by {}",
                                script.id,
                                other.display()
                            ),
                        });
                    }
                    scripts.push((file, script));
                }
                Err(ScriptError::Invalid(found)) => diagnostics.extend(found),
                Err(other) => return Err(other),
            }
        }
    }
    diagnostics.extend(family_problems(&scripts));
    if !diagnostics.is_empty() {
        return Err(ScriptError::Invalid(diagnostics));
    }
    Ok(scripts.into_iter().map(|(_, script)| script).collect())
}

/// Checks the scripts that share a `family` (translations of one dialogue): one per language,
/// and the same step ids informing the same criteria, because a conversation switching
/// language keeps its answers by step id.
pub fn family_problems(scripts: &[(PathBuf, Script)]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (index, (file, script)) in scripts.iter().enumerate() {
        let Some(family) = &script.family else {
            continue;
        };
        // Two files claiming one script id are a problem of their own, reported elsewhere.
        if scripts[..index]
            .iter()
            .any(|(_, other)| other.id == script.id)
        {
            continue;
        }
        let Some((first_file, first)) = scripts[..index]
            .iter()
            .find(|(_, other)| other.family.as_ref() == Some(family))
        else {
            continue;
        };
        let (line, column) = script
            .source
            .find("\nfamily")
            .map_or((1, 1), |at| line_and_column(&script.source, at + 1));
        let mut say = |message: String| {
            diagnostics.push(Diagnostic {
                file: file.clone(),
                line,
                column,
                message,
            });
        };
        if let Some((other_file, other)) = scripts[..index].iter().find(|(_, other)| {
            other.family.as_ref() == Some(family) && other.locale == script.locale
        }) {
            say(format!(
                "family {family:?} already has a {} script: {} ({})",
                script.locale,
                other.id,
                other_file.display()
            ));
        }
        if let Err(problem) = same_steps(first, script) {
            say(format!(
                "family {family:?}: {problem} — translations share step ids so a conversation \
                 keeps its answers when it switches language (compare {})",
                first_file.display()
            ));
        }
    }
    diagnostics
}

/// Whether two translations have the same steps (ids and criteria).
fn same_steps(first: &Script, other: &Script) -> Result<(), String> {
    for step in &first.steps {
        match other.step(&step.id) {
            None => {
                return Err(format!(
                    "{} has no step {:?} ({} has)",
                    other.id, step.id, first.id
                ));
            }
            Some(found) if found.criterion != step.criterion => {
                return Err(format!(
                    "step {:?} informs {} in {} but {} in {}",
                    step.id,
                    found.criterion.name(),
                    other.id,
                    step.criterion.name(),
                    first.id
                ));
            }
            Some(_) => {}
        }
    }
    match other
        .steps
        .iter()
        .find(|step| first.step(&step.id).is_none())
    {
        Some(extra) => Err(format!(
            "{} has a step {:?} that {} lacks",
            other.id, extra.id, first.id
        )),
        None => Ok(()),
    }
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_and_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Why a script could not be picked.
#[derive(Debug, thiserror::Error)]
pub enum PickError {
    /// Loading failed.
    #[error(transparent)]
    Load(#[from] ScriptError),
    /// No script has that id.
    #[error("no script with id {wanted:?} (available: {available})")]
    Unknown {
        /// The id asked for.
        wanted: String,
        /// The ids that exist.
        available: String,
    },
    /// No id was given and no single script is marked `default = true`.
    #[error("no default script: mark one with `default = true` or name one with --script")]
    NoDefault,
}

/// Picks a script: a path to a file, an id among the scripts under `paths`, or (with `None`)
/// the one marked `default = true` (or the only one).
pub fn pick(paths: &[PathBuf], wanted: Option<&str>) -> Result<Script, PickError> {
    if let Some(file) = wanted.map(Path::new).filter(|path| path.is_file()) {
        return Ok(load_file(file)?);
    }
    let scripts = load_all(paths)?;
    match wanted {
        Some(id) => {
            let available = scripts
                .iter()
                .map(|script| script.id.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            scripts
                .into_iter()
                .find(|script| script.id == id)
                .ok_or_else(|| PickError::Unknown {
                    wanted: id.to_string(),
                    available,
                })
        }
        None => {
            let defaults: Vec<&Script> = scripts.iter().filter(|script| script.default).collect();
            match (defaults.as_slice(), scripts.as_slice()) {
                ([only], _) => Ok((*only).clone()),
                ([], [only]) => Ok(only.clone()),
                _ => Err(PickError::NoDefault),
            }
        }
    }
}

#[cfg(test)]
mod tests;
