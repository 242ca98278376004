//! Purpose: read a person's or a company's name out of how people actually introduce
//! themselves ("I'm Priya", "we're at Globex", "저는 김민수입니다", "lucrez la Bitdefender"),
//! and refuse answers that are not a name at all ("hey, can I get a demo?").

use std::sync::LazyLock;

use regex::Regex;

use super::text::pattern;

use super::Unclear;

/// Lead-ins before a person's name, per language (matched case-insensitively at the start).
static NAME_LEAD_INS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)^(?:(?:hi|hello|hey)[,!.]*\s+)?(?:(?:my name is|my name's|name is|name's|i am|i'm|im|this is|it's|it is|call me|you can call me|mă numesc|ma numesc|numele meu este|numele meu e|eu sunt|sunt|mă cheamă|ma cheama)(?:\s*[:,-]\s*|\s+)|(?:제 이름은|이름은|저는|전)\s*)",
    )
});

/// Lead-ins before a company name.
static COMPANY_LEAD_INS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)^(?:(?:(?:i|we)(?:'m|'re|\s+am|\s+are)?\s+)?(?:work(?:ing)?\s+)?(?:at|for|with|from)|company(?: name)?(?: is)?|it's|it is|our company is|the company is|we are|we're|lucrez la|lucrăm la|lucram la|suntem de la|sunt de la|de la|firma|compania)(?:\s*[:,-]\s*|\s+)|^(?:회사는|회사 이름은|저희 회사는|저희는)\s*",
    )
});

/// Endings after a Korean name or company ("김민수입니다", "삼성전자에서 일해요").
static KOREAN_ENDINGS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:입니다|이에요|예요|이라고 합니다|라고 합니다|에서 일해요|에서 일합니다|에서 근무합니다|에서 근무해요|에 다녀요|이요|요)[.!~ ]*$",
    )
});

/// Words that show a message is a request or a question, not a name.
const NOT_A_NAME: &[&str] = &[
    "demo",
    "price",
    "pricing",
    "help",
    "want",
    "need",
    "like",
    "looking",
    "how",
    "what",
    "can",
    "could",
    "please",
    "interested",
    "question",
    "hi",
    "hello",
    "hey",
    "안녕",
    "안녕하세",
    "안녕하세요",
    "안녕하십니까",
    "buna",
    "bună",
    "salut",
    "ziua",
    "thanks",
    "yes",
    "no",
];

/// A person's name: lead-ins removed, 1 to 5 words, no question or request. The lead-ins of
/// every language are read whatever the script's language, as prospects switch languages.
pub fn person_name(text: &str) -> Result<String, Unclear> {
    let stripped = strip(text, &NAME_LEAD_INS);
    let words: Vec<&str> = stripped.split_whitespace().collect();
    let looks_like_request = words.iter().any(|word| {
        let lower = word.to_lowercase();
        NOT_A_NAME.contains(&lower.trim_matches(|c: char| !c.is_alphanumeric()))
    });
    if words.is_empty()
        || words.len() > 5
        || stripped.contains(['?', '@'])
        || looks_like_request
        || !stripped.chars().any(char::is_alphabetic)
    {
        return Err(Unclear::NotUnderstood);
    }
    Ok(stripped)
}

/// A company name: lead-ins removed, 1 to 8 words, not a question (lead-ins of every language).
pub fn company(text: &str) -> Result<String, Unclear> {
    let stripped = strip(text, &COMPANY_LEAD_INS);
    let words = stripped.split_whitespace().count();
    if words == 0
        || words > 8
        || stripped.contains('?')
        || !stripped.chars().any(char::is_alphanumeric)
    {
        return Err(Unclear::NotUnderstood);
    }
    Ok(stripped)
}

fn strip(text: &str, lead_ins: &Regex) -> String {
    let trimmed = text.trim();
    let without_lead_in = lead_ins.replace(trimmed, "");
    let without_ending = KOREAN_ENDINGS.replace(without_lead_in.trim(), "");
    without_ending
        .trim()
        .trim_matches(|c: char| matches!(c, '.' | '!' | ',' | ';' | ':' | '"' | '\'' | '~'))
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_greeting_is_not_a_name() {
        for text in ["안녕하세요", "안녕", "Bună ziua", "salut!", "hello"] {
            assert!(person_name(text).is_err(), "{text}");
        }
    }

    #[test]
    fn names_as_people_write_them() {
        let cases = [
            ("Priya", "Priya"),
            ("I'm Priya Patel", "Priya Patel"),
            ("my name is Dana O'Neil.", "Dana O'Neil"),
            ("Hi! This is Sam", "Sam"),
            ("저는 김민수입니다", "김민수"),
            ("김민수예요", "김민수"),
            ("이지은", "이지은"),
            ("Mă numesc Ioana Popescu", "Ioana Popescu"),
            ("sunt Andrei", "Andrei"),
            ("Imran Khan", "Imran Khan"),
            ("Simona", "Simona"),
            ("Hello, I'm Jo", "Jo"),
        ];
        for (text, expected) in cases {
            assert_eq!(person_name(text).as_deref(), Ok(expected), "{text}");
        }
    }

    #[test]
    fn requests_and_questions_are_not_names() {
        for text in [
            "hey, I'd like to see a demo",
            "what does it cost?",
            "can you help me",
            "dana@acme.io",
            "...",
            "we are a team of twelve people looking at tools",
        ] {
            assert!(person_name(text).is_err(), "{text}");
        }
    }

    #[test]
    fn companies_as_people_write_them() {
        let cases = [
            ("Globex", "Globex"),
            ("we're at Globex", "Globex"),
            ("I work for Initech Ltd.", "Initech Ltd"),
            ("at Acme Corp", "Acme Corp"),
            ("삼성전자에서 일해요", "삼성전자"),
            ("저희 회사는 네이버입니다", "네이버"),
            ("Lucrez la Bitdefender", "Bitdefender"),
            ("suntem de la UiPath", "UiPath"),
            ("Atlassian", "Atlassian"),
            ("Fortinet", "Fortinet"),
            ("I'm with Fortinet", "Fortinet"),
        ];
        for (text, expected) in cases {
            assert_eq!(company(text).as_deref(), Ok(expected), "{text}");
        }
    }

    #[test]
    fn questions_are_not_companies() {
        assert!(company("why do you need that?").is_err());
        assert!(company("   ").is_err());
    }
}
