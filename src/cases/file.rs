//! Purpose: the test case file format — read with `file:line:column` errors, and golden replies
//! written back (`leadbot test --update`) without touching the rest of the file.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

/// Why a case file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CasesError {
    /// The file or folder could not be read or written.
    #[error("cannot read or write {path}: {reason}")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        reason: std::io::Error,
    },
    /// The file is not a valid case file: `file:line:column: problem`.
    #[error("{0}")]
    Invalid(String),
}

/// A score expectation: exact, or a range (either end optional).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ScoreExpectation {
    /// `score = 110`
    Exact(i32),
    /// `score = { min = 90, max = 130 }`
    Range {
        /// Lowest accepted score.
        min: Option<i32>,
        /// Highest accepted score.
        max: Option<i32>,
    },
}

impl ScoreExpectation {
    /// Whether `score` meets it.
    pub fn holds(&self, score: i32) -> bool {
        match self {
            ScoreExpectation::Exact(exact) => score == *exact,
            ScoreExpectation::Range { min, max } => {
                min.is_none_or(|min| score >= min) && max.is_none_or(|max| score <= max)
            }
        }
    }
}

impl fmt::Display for ScoreExpectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScoreExpectation::Exact(exact) => write!(f, "{exact}"),
            ScoreExpectation::Range { min, max } => write!(
                f,
                "{}..={}",
                min.map(|m| m.to_string()).unwrap_or_default(),
                max.map(|m| m.to_string()).unwrap_or_default()
            ),
        }
    }
}

/// The channel a case's prospect talks on: on Slack and Discord a question's options are
/// buttons, so an answer may be a click (`"click:<option value>"`); the terminal has none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseChannel {
    /// Typed lines only (the default).
    #[default]
    Terminal,
    /// Slack: typed messages and button clicks.
    Slack,
    /// Discord: typed messages and button clicks.
    Discord,
}

impl CaseChannel {
    /// Whether questions show their options as buttons a prospect can click.
    pub fn has_buttons(self) -> bool {
        !matches!(self, CaseChannel::Terminal)
    }
}

/// One dialogue and what must come out of it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// Shown in the report.
    pub name: String,
    /// The prospect's messages, one per turn (a minute apart); `"click:<value>"` clicks the
    /// option button `value` of the pending question (Slack and Discord only); `"wait:14d"`
    /// (or `3h`, `45m`) lets time pass, firing the timers that fall due.
    pub answers: Vec<String>,
    /// The channel the prospect talks on (default: terminal).
    #[serde(default)]
    pub channel: CaseChannel,
    /// The prospect's language (`en`, `ko`, `ro`): the dialogue runs on the member of the
    /// script's `family` in that language, as `serve` picks it for them (default: the script's).
    pub locale: Option<String>,
    /// The moment the dialogue starts, overriding the file's `now` (RFC 3339).
    pub now: Option<DateTime<FixedOffset>>,
    /// Expected stage at the end: lead, iql, mql, sql, disqualified, opted_out.
    pub stage: Option<String>,
    /// Expected score.
    pub score: Option<ScoreExpectation>,
    /// Expected steps asked, in order.
    pub path: Option<Vec<String>>,
    /// Expected disqualification: a part of its reason.
    pub disqualified: Option<String>,
    /// The pool routing picks (needs `reps`).
    pub pool: Option<String>,
    /// The rep routing picks, or "fallback" (needs `reps`).
    pub rep: Option<String>,
    /// Golden replies: every bot message, in order (`leadbot test --update` writes them).
    pub replies: Option<Vec<String>>,
    /// The questions noted for the rep (asked, and not answered by the script's FAQ), in order.
    pub questions: Option<Vec<String>>,
}

/// A file of test cases for one script.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// The script's id (or a path to it, relative to this file).
    pub script: String,
    /// A reps file, relative to this file, for `pool` and `rep` expectations.
    pub reps: Option<PathBuf>,
    /// The fixed clock every case starts at, unless it sets its own (RFC 3339).
    pub now: DateTime<FixedOffset>,
    /// The cases.
    #[serde(rename = "case")]
    pub cases: Vec<TestCase>,
}

/// Reads a case file.
pub fn load(path: &Path) -> Result<CaseFile, CasesError> {
    let source = std::fs::read_to_string(path).map_err(|reason| CasesError::Read {
        path: path.to_path_buf(),
        reason,
    })?;
    toml::from_str(&source).map_err(|error| {
        let (line, column) =
            crate::script::line_and_column(&source, error.span().map_or(0, |span| span.start));
        CasesError::Invalid(format!(
            "{}:{line}:{column}: {}",
            path.display(),
            error.message().trim()
        ))
    })
}

/// Writes `replies[i]` as the golden replies of the file's i-th case (`None` leaves a case as
/// it is); comments and the rest of the file are kept.
pub fn update_replies(path: &Path, replies: &[Option<Vec<String>>]) -> Result<(), CasesError> {
    let source = std::fs::read_to_string(path).map_err(|reason| CasesError::Read {
        path: path.to_path_buf(),
        reason,
    })?;
    let mut document: toml_edit::DocumentMut =
        source.parse().map_err(|error: toml_edit::TomlError| {
            CasesError::Invalid(format!("{}: {error}", path.display()))
        })?;
    let Some(cases) = document
        .get_mut("case")
        .and_then(toml_edit::Item::as_array_of_tables_mut)
    else {
        return Err(CasesError::Invalid(format!(
            "{}: no [[case]] tables",
            path.display()
        )));
    };
    for (table, replies) in cases.iter_mut().zip(replies) {
        if let Some(replies) = replies {
            let mut array: toml_edit::Array = replies.iter().map(String::as_str).collect();
            for value in array.iter_mut() {
                value.decor_mut().set_prefix("\n    ");
            }
            array.set_trailing("\n");
            array.set_trailing_comma(true);
            table.insert("replies", toml_edit::value(array));
        }
    }
    std::fs::write(path, document.to_string()).map_err(|reason| CasesError::Read {
        path: path.to_path_buf(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_match_exactly_or_within_a_range() {
        assert!(ScoreExpectation::Exact(5).holds(5));
        assert!(!ScoreExpectation::Exact(5).holds(6));
        let range = ScoreExpectation::Range {
            min: Some(10),
            max: None,
        };
        assert!(range.holds(10) && !range.holds(9));
        assert_eq!(range.to_string(), "10..=");
    }

    #[test]
    fn a_broken_case_file_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(
            &path,
            "script = \"s\"\nnow = \"2026-01-01T00:00:00Z\"\n[[case]]\nname = \"x\"\nanswer = []\n",
        )
        .unwrap();
        let error = load(&path).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!("{}:", path.display())),
            "{error}"
        );
        assert!(error.contains("answer"), "{error}");
    }

    #[test]
    fn golden_replies_are_written_and_comments_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(&path, "# keep me\nscript = \"s\"\nnow = \"2026-01-01T00:00:00Z\"\n[[case]]\nname = \"x\"\nanswers = []\n[[case]]\nname = \"y\"\nanswers = []\n").unwrap();
        update_replies(&path, &[Some(vec!["hi \"there\"".into()]), None]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# keep me"), "{text}");
        let file = load(&path).unwrap();
        assert_eq!(
            file.cases[0].replies,
            Some(vec!["hi \"there\"".to_string()])
        );
        assert_eq!(file.cases[1].replies, None);
    }
}
