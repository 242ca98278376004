//! Purpose: decide whether a number without a currency is still an amount ("our budget is 5000")
//! or counts something else ("3 people", "version 2", "Windows 11", "직원 30명").

use std::sync::LazyLock;

use regex::Regex;

use crate::extract::tokens::Tok;

use super::*;

/// Words that may stand right before a bare number that is still an amount.
pub(super) const OK_BEFORE: &[&str] = &[
    "about",
    "around",
    "roughly",
    "approximately",
    "approx",
    "circa",
    "ca",
    "maybe",
    "perhaps",
    "like",
    "is",
    "be",
    "was",
    "are",
    "of",
    "at",
    "budget",
    "spend",
    "spending",
    "pay",
    "paying",
    "invest",
    "investing",
    "afford",
    "allocate",
    "allocated",
    "have",
    "has",
    "got",
    "our",
    "my",
    "the",
    "with",
    "for",
    "from",
    "between",
    "and",
    "to",
    "or",
    "under",
    "below",
    "over",
    "above",
    "than",
    "least",
    "most",
    "max",
    "maximum",
    "min",
    "minimum",
    "up",
    "upto",
    "only",
    "just",
    "exactly",
    "nearly",
    "almost",
    "close",
    "probably",
    "likely",
    "think",
    "guess",
    "say",
    "it's",
    "its",
    "that's",
    "thats",
    "ballpark",
    "range",
    "total",
    "budgeted",
    "aside",
    "plan",
    "planned",
    "expect",
    "estimate",
    "estimated",
    "target",
    "cost",
    "costs",
    "price",
    "within",
    "cap",
    "capped",
    "limit",
    "more",
    "less",
    "lower",
    "higher",
    "tops",
    "somewhere",
    "region",
    "we",
    "i",
    "can",
    "could",
    "would",
    "will",
    "we'd",
    "i'd",
    "do",
    "a",
    "an",
    "annual",
    "monthly",
    "yearly",
    "buget",
    "bugetul",
    "avem",
    "am",
    "este",
    "e",
    "de",
    "la",
    "intre",
    "si",
    "sau",
    "pana",
    "cam",
    "aproximativ",
    "aproape",
    "in",
    "jur",
    "vreo",
    "maxim",
    "minim",
    "sub",
    "peste",
    "cel",
    "mult",
    "putin",
    "mai",
    "nu",
    "chiar",
    "nici",
    "macar",
    "ieftin",
    "scump",
    "undeva",
    "pe",
    "putem",
    "plati",
    "investi",
    "aloca",
    "alocat",
    "suma",
    "cred",
    "ca",
    "probabil",
    "doar",
    "exact",
    "pretul",
    "costul",
    "lunar",
    "anual",
    "ar",
    "fi",
    "pot",
    "spend",
    "need",
];

/// Words that may follow a bare number that is still an amount.
pub(super) const OK_AFTER: &[&str] = &[
    "per",
    "a",
    "an",
    "each",
    "every",
    "monthly",
    "yearly",
    "annually",
    "annual",
    "mo",
    "yr",
    "pm",
    "pa",
    "or",
    "and",
    "to",
    "ish",
    "tops",
    "max",
    "maximum",
    "min",
    "minimum",
    "total",
    "in",
    "overall",
    "budget",
    "range",
    "give",
    "plus",
    "but",
    "for",
    "maybe",
    "is",
    "would",
    "at",
    "most",
    "least",
    "more",
    "less",
    "so",
    "roughly",
    "approx",
    "approximately",
    "give",
    "ballpark",
    "including",
    "incl",
    "all",
    "excluding",
    "excl",
    "vat",
    "tva",
    "net",
    "gross",
    "de",
    "la",
    "sau",
    "si",
    "pe",
    "maxim",
    "minim",
    "cel",
    "mult",
    "putin",
    "buget",
    "lunar",
    "anual",
    "aproximativ",
    "cam",
    "fara",
    "cu",
    "we",
    "i",
    "upfront",
    "one",
    "off",
    "once",
    "initially",
    "first",
    "then",
    "this",
    "that",
    "if",
    "ok",
    "okay",
    "thanks",
    "month",
    "year",
    "luna",
    "an",
    // What a budget is, said after it: "30-50k set aside", "40k allocated", "50 mii alocați".
    "set",
    "aside",
    "earmarked",
    "allocated",
    "approved",
    "available",
    "reserved",
    "budgeted",
    "saved",
    "planned",
    "committed",
    "already",
    "depending",
    "depends",
    "based",
    "on",
    "over",
    "towards",
    "toward",
    "with",
    "from",
    "until",
    "by",
    "alocat",
    "alocati",
    "alocate",
    "alocata",
    "pus",
    "pusi",
    "puse",
    "pusa",
    "deoparte",
    "aprobat",
    "aprobati",
    "aprobate",
    "aprobata",
    "disponibil",
    "disponibili",
    "disponibile",
    "disponibila",
    "rezervat",
    "rezervati",
    "rezervate",
    "rezervata",
    "bugetat",
    "bugetati",
    "bugetate",
    "bugetata",
    "pentru",
    "depinde",
];

/// Korean counters that make a bare number something other than money ("3명", "5년").
pub(super) const KOREAN_NOT_MONEY: &[&str] = &[
    "명",
    "개",
    "년",
    "개월",
    "달",
    "주",
    "일",
    "월",
    "시",
    "번",
    "분기",
    "살",
    "회",
    "건",
    "퍼센트",
    "프로",
    "층",
    "대",
    "곳",
    "가지",
    "배",
    "차",
    "기",
    "위",
    "분",
    "초",
    "시간",
    "주일",
];

/// Dates, times, phone numbers and percentages: numbers inside them are never bare amounts.
pub(super) static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(
        r"\d{1,4}\s?[-/.]\s?\d{1,2}\s?[-/.]\s?\d{1,4}|\d{1,2}\s?/\s?\d{1,2}|\d{1,2}:\d{2}|\b\d{1,3}\s?%|\+?\b\d{2,4}[-. ]\d{3,4}[-. ]\d{3,4}\b|\b\d{3}-\d{4}\b",
    )
});

/// The high end of a range that makes its low end an amount: "-15k", "- $20", "to 3 million".
pub(super) static RANGE_HIGH_END: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(
        r"^\s*(?:[$€£₩]\s*\d|\d[\d.,]*\s*(?:k|m|mm|bn|b|mil|mln|grand|thousand|million|billion|mii|milioane|usd|eur|gbp|ron|lei|krw|dollars?|euros?|pounds?|만|억|천|원|달러|유로)\b|\d[\d.,]*\s*[$€£₩])",
    )
});

/// Whether a number with no currency reads as an amount: the words right around it must be
/// budget talk, not a noun it counts ("3 people", "version 2", "Windows 11", "Q3").
pub(super) fn bare_number_is_amount(folded: &str, tokens: &[Tok], span: &NumSpan) -> bool {
    allowed_before(folded, tokens, span, amount_shaped(folded, span)) && allowed_after(folded, span)
}

/// Whether a range of two numbers with no currency reads as an amount. The words before the low
/// end and after the high end belong to the whole range ("30-50k set aside" is money, "30-50
/// people" is not), and the shape of either end ("50k") counts for both.
pub(super) fn bare_range_is_amount(
    folded: &str,
    tokens: &[Tok],
    low: &NumSpan,
    high: &NumSpan,
) -> bool {
    let shaped = amount_shaped(folded, low) || amount_shaped(folded, high);
    allowed_before(folded, tokens, low, shaped) && allowed_after(folded, high)
}

/// "20k", "15,000", "2 milioane" read as amounts whatever word comes before them.
fn amount_shaped(folded: &str, span: &NumSpan) -> bool {
    let written = folded.get(span.start..span.end).unwrap_or("");
    span.scale > 1.0 || written.contains([',', '.', ' ', '\'']) && span.value >= 1000.0
}

/// Whether the word before a bare number lets it be an amount ("budget is 5000", not
/// "version 2" or "in 2026").
fn allowed_before(folded: &str, tokens: &[Tok], span: &NumSpan, amount_shaped: bool) -> bool {
    let prev = span.first_token.checked_sub(1).and_then(|i| tokens.get(i));
    let written = folded.get(span.start..span.end).unwrap_or("");
    let year_like = span.scale == 1.0
        && span.value.fract() == 0.0
        && (1950.0..=2100.0).contains(&span.value)
        && !written.contains([',', '.', ' ', '\'']);
    if year_like
        && prev.is_some_and(|p| {
            matches!(
                p.text,
                "in" | "since"
                    | "by"
                    | "until"
                    | "before"
                    | "after"
                    | "from"
                    | "din"
                    | "pana"
                    | "inainte"
                    | "dupa"
                    | "anul"
                    | "year"
            )
        })
    {
        return false;
    }
    // The low end of a range takes its meaning from the high end: "thinking 12-15k".
    let after_connector = folded[span.end..]
        .trim_start()
        .strip_prefix(['-', '–', '~'])
        .or_else(|| folded[span.end..].trim_start().strip_prefix("to "));
    let starts_range = after_connector.is_some_and(|rest| RANGE_HIGH_END.is_match(rest));
    if let Some(prev) = prev.filter(|_| !amount_shaped && !starts_range) {
        let glued = prev.end == span.start;
        match prev.kind {
            TokKind::Word if glued => return false,
            TokKind::Word if !OK_BEFORE.contains(&prev.text) => return false,
            TokKind::Digits => return false,
            TokKind::Sym if matches!(prev.text, "#" | "/" | ":" | "." | "@" | "№") => {
                return false;
            }
            _ => {}
        }
    }
    true
}

/// Whether what follows a bare number lets it be an amount ("5000 a year", not "3 people",
/// "3d" or "50 de oameni").
fn allowed_after(folded: &str, span: &NumSpan) -> bool {
    let after = &folded[span.end..];
    let after_trim = after.trim_start();
    if let Some(c) = after.chars().next()
        && is_latin_letter(c)
    {
        return false; // glued letters: "3d", "5x", "11th"
    }
    if let Some(c) = after_trim.chars().next() {
        if is_hangul(c) {
            return !KOREAN_NOT_MONEY.iter().any(|w| after_trim.starts_with(w));
        }
        if is_latin_letter(c) {
            let word = latin_word(after_trim);
            // Romanian "de" only links the number to the noun it counts: "50 de oameni".
            if word == "de" {
                let noun = latin_word(after_trim[word.len()..].trim_start());
                return noun.is_empty() || OK_AFTER.contains(&noun);
            }
            return OK_AFTER.contains(&word);
        }
        if matches!(c, '/' | ':' | '×' | '*' | 'x' | '%' | '@') {
            let rest = after_trim[c.len_utf8()..].trim_start();
            return c == '/' && rest.chars().next().is_some_and(is_latin_letter);
        }
    }
    true
}

/// The Latin-letter word at the start of `text` ("" when it starts otherwise).
fn latin_word(text: &str) -> &str {
    let len = text
        .char_indices()
        .find(|&(_, c)| !(is_latin_letter(c) || c == '\''))
        .map_or(text.len(), |(index, _)| index);
    &text[..len]
}
