//! Purpose: the languages leadbot speaks, shared by scripts, extraction and the engine's own replies.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language a script is written in; every reply and every extraction rule depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// English.
    En,
    /// Korean.
    Ko,
    /// Romanian.
    Ro,
}

impl Locale {
    /// Every supported locale, for help texts and validation messages.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Ko, Locale::Ro];

    /// The short code used in scripts and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ko => "ko",
            Locale::Ro => "ro",
        }
    }

    /// The currency a bare amount is taken to be in when a script does not say.
    pub fn default_currency(self) -> &'static str {
        match self {
            Locale::En => "USD",
            Locale::Ko => "KRW",
            Locale::Ro => "RON",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Raised when a locale code is not one leadbot supports.
#[derive(Debug, thiserror::Error)]
#[error("unknown locale {0:?} (supported: en, ko, ro)")]
pub struct UnknownLocale(pub String);

impl FromStr for Locale {
    type Err = UnknownLocale;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Locale::En),
            "ko" => Ok(Locale::Ko),
            "ro" => Ok(Locale::Ro),
            _ => Err(UnknownLocale(code.to_string())),
        }
    }
}
