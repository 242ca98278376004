//! Purpose: a script version is its content — the SHA-256 of the file's text — so an edit can
//! never change a version in place, and every replica names the same text the same way.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::Digest;

/// How many hex digits a version shows (as git shows commits): enough to tell a script's
/// versions apart, short enough to type. Commands accept any unique prefix.
pub const SHORT_VERSION: usize = 8;

/// The version of a script: the lowercase hex SHA-256 of its source text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScriptVersion(String);

impl ScriptVersion {
    /// The version of this source text.
    pub fn of(source: &str) -> ScriptVersion {
        ScriptVersion(hex::encode(sha2::Sha256::digest(source.as_bytes())))
    }

    /// A version as stored (the database keeps the full hex digest).
    pub fn from_stored(hex: impl Into<String>) -> ScriptVersion {
        ScriptVersion(hex.into())
    }

    /// The full hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first [`SHORT_VERSION`] hex digits, as listings show it.
    pub fn short(&self) -> &str {
        self.0.get(..SHORT_VERSION).unwrap_or(&self.0)
    }

    /// True when `prefix` (hex, case-insensitive) starts this version.
    pub fn starts_with(&self, prefix: &str) -> bool {
        !prefix.is_empty() && self.0.starts_with(&prefix.to_ascii_lowercase())
    }
}

impl fmt::Display for ScriptVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_the_sha256_of_the_text_and_shows_short() {
        let version = ScriptVersion::of("abc");
        assert_eq!(
            version.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(version.to_string(), "ba7816bf");
        assert!(version.starts_with("BA78"));
        assert!(!version.starts_with(""));
        assert_ne!(ScriptVersion::of("abc "), version);
    }
}
