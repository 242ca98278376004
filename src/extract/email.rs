//! Purpose: find one e-mail address in a free-text answer ("sure, it's Ana.Pop@Firma.ro!").

use std::sync::LazyLock;

use regex::Regex;

use super::Unclear;
use super::tokens::capped;

static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(r"[\p{L}\p{N}._%+'\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+")
});

/// Checks the shape rules a mail server would: no leading, trailing or doubled dots in the local
/// part, labels that do not start or end with '-', and a top-level domain of two letters or more.
fn plausible(local: &str, domain: &str) -> bool {
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let labels_ok = labels
        .iter()
        .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    local_ok && labels.len() >= 2 && labels_ok && tld_ok
}

/// Finds an e-mail address in the answer: trailing punctuation trimmed, domain lower-cased.
pub fn email(text: &str) -> Result<String, Unclear> {
    let mut found: Vec<String> = Vec::new();
    for candidate in ADDRESS.find_iter(capped(text)) {
        let raw = candidate.as_str().trim_end_matches(['.', '-', '\'']);
        let raw = raw.trim_start_matches(['.', '\'']);
        let Some((local, domain)) = raw.rsplit_once('@') else {
            continue;
        };
        if !plausible(local, domain) {
            continue;
        }
        let address = format!("{local}@{}", domain.to_lowercase());
        if !found.iter().any(|f| f.eq_ignore_ascii_case(&address)) {
            found.push(address);
        }
    }
    match found.len() {
        0 => Err(Unclear::NotUnderstood),
        1 => Ok(found.remove(0)),
        _ => Err(Unclear::Ambiguous { readings: found }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_found_in_text() {
        let cases: &[(&str, &str)] = &[
            ("ana@firma.ro", "ana@firma.ro"),
            ("sure, it's Ana.Pop@Firma.RO!", "Ana.Pop@firma.ro"),
            (
                "mail me at john.doe+leads@example.co.uk.",
                "john.doe+leads@example.co.uk",
            ),
            ("제 이메일은 kim@naver.com 입니다", "kim@naver.com"),
            ("<bob@acme.io>", "bob@acme.io"),
            (
                "e-mail: maria_ionescu@yahoo.com; mulțumesc",
                "maria_ionescu@yahoo.com",
            ),
            ("(j.smith@sub.domain.org)", "j.smith@sub.domain.org"),
            (
                "contact: sales-team@my-company.com",
                "sales-team@my-company.com",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(email(text).as_deref(), Ok(*expected), "{text}");
        }
    }

    #[test]
    fn rejects_non_addresses() {
        for text in [
            "foo@bar",
            "no email",
            "@example.com",
            "me@.com",
            "a..b@x.com",
            "x@y.c0m",
            "john at example dot com",
        ] {
            assert_eq!(email(text), Err(Unclear::NotUnderstood), "{text}");
        }
        assert!(matches!(
            email("a@x.com or b@y.com"),
            Err(Unclear::Ambiguous { .. })
        ));
    }
}
