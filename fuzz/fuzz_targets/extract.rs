//! Fuzzes every extractor in every language: no input may panic.
#![no_main]

use chrono::{DateTime, FixedOffset};
use leadbot::extract::{self, ChoiceCandidate};
use leadbot::locale::Locale;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(now) = DateTime::<FixedOffset>::parse_from_rfc3339("2026-03-04T10:00:00+02:00") else {
        return;
    };
    let synonyms = vec!["switch".to_string(), "엑셀".to_string(), "înlocuim".to_string()];
    let options = [
        ChoiceCandidate { value: "replace", label: "Replacing our current tool", synonyms: &synonyms },
        ChoiceCandidate::labelled("Setting up a new process"),
        ChoiceCandidate::labelled("Just looking around"),
    ];
    for locale in Locale::ALL {
        let _ = extract::money(text, locale, locale.default_currency());
        let _ = extract::timeframe(text, locale, now);
        let _ = extract::number(text, locale, now);
        let _ = extract::yes_no(text, locale);
        let _ = extract::choice(text, locale, &options);
        let _ = extract::choices(text, locale, &options);
    }
    let _ = extract::email(text);
    let _ = extract::contact::person_name(text);
    let _ = extract::contact::company(text);
});
