//! Purpose: read a budget answer as an amount or range of money with currency, period and
//! hedging, or as a refusal ("no budget yet", "nu știu").

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::{self, NumSpan};
use super::tokens::{TokKind, capped, is_hangul, tail, tokenize};
use super::{Money, MoneyAnswer, Period, Unclear, fold};
use crate::locale::Locale;

/// What a currency word stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A main unit with its ISO code.
    Major(&'static str),
    /// Hundredths; the currency is known for "bani" (RON) and "pence" (GBP), else borrowed.
    Cents(Option<&'static str>),
}

/// Currency words and symbols, folded, longest first so "us$" wins over "$".
static CURRENCIES: LazyLock<Vec<(&'static str, Unit)>> = LazyLock::new(|| {
    use Unit::{Cents, Major};
    let mut list = vec![
        ("us$", Major("USD")),
        ("usd", Major("USD")),
        ("$", Major("USD")),
        ("us dollars", Major("USD")),
        ("dollars", Major("USD")),
        ("dollar", Major("USD")),
        ("bucks", Major("USD")),
        ("buck", Major("USD")),
        ("dolari", Major("USD")),
        ("dolar", Major("USD")),
        ("달러", Major("USD")),
        ("불", Major("USD")),
        ("€", Major("EUR")),
        ("eur", Major("EUR")),
        ("euros", Major("EUR")),
        ("euro", Major("EUR")),
        ("유로", Major("EUR")),
        ("£", Major("GBP")),
        ("gbp", Major("GBP")),
        ("pounds", Major("GBP")),
        ("pound", Major("GBP")),
        ("quid", Major("GBP")),
        ("lire sterline", Major("GBP")),
        ("lira sterlina", Major("GBP")),
        ("lire", Major("GBP")),
        ("lira", Major("GBP")),
        ("lir", Major("GBP")),
        ("파운드", Major("GBP")),
        ("₩", Major("KRW")),
        ("krw", Major("KRW")),
        ("won", Major("KRW")),
        ("원", Major("KRW")),
        ("lei", Major("RON")),
        ("leu", Major("RON")),
        ("ron", Major("RON")),
        ("roni", Major("RON")),
        ("rupees", Major("INR")),
        ("rupee", Major("INR")),
        ("rupii", Major("INR")),
        ("rs.", Major("INR")),
        ("rs", Major("INR")),
        ("inr", Major("INR")),
        ("yen", Major("JPY")),
        ("jpy", Major("JPY")),
        ("엔", Major("JPY")),
        ("yuan", Major("CNY")),
        ("cny", Major("CNY")),
        ("위안", Major("CNY")),
        ("cad", Major("CAD")),
        ("chf", Major("CHF")),
        ("aud", Major("AUD")),
        ("sek", Major("SEK")),
        ("nok", Major("NOK")),
        ("dkk", Major("DKK")),
        ("pln", Major("PLN")),
        ("huf", Major("HUF")),
        ("czk", Major("CZK")),
        ("bgn", Major("BGN")),
        ("mdl", Major("MDL")),
        ("uah", Major("UAH")),
        ("sgd", Major("SGD")),
        ("hkd", Major("HKD")),
        ("nzd", Major("NZD")),
        ("kwd", Major("KWD")),
        ("lbp", Major("LBP")),
        ("egp", Major("EGP")),
        ("qar", Major("QAR")),
        ("sar", Major("SAR")),
        ("myr", Major("MYR")),
        ("ringgit", Major("MYR")),
        ("ringgits", Major("MYR")),
        ("ils", Major("ILS")),
        ("shekels", Major("ILS")),
        ("mnt", Major("MNT")),
        ("aed", Major("AED")),
        ("try", Major("TRY")),
        ("mxn", Major("MXN")),
        ("brl", Major("BRL")),
        ("zar", Major("ZAR")),
        ("thb", Major("THB")),
        ("idr", Major("IDR")),
        ("php", Major("PHP")),
        ("vnd", Major("VND")),
        ("cents", Cents(None)),
        ("cent", Cents(None)),
        ("¢", Cents(None)),
        ("c", Cents(None)),
        ("pennies", Cents(None)),
        ("penny", Cents(None)),
        ("pence", Cents(Some("GBP"))),
        ("센트", Cents(None)),
        ("centi", Cents(None)),
        ("centime", Cents(None)),
        ("bani", Cents(Some("RON"))),
    ];
    list.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
    list
});

/// Currencies that have no hundredths in use; "cents" then mean US cents.
const WITHOUT_CENTS: &[&str] = &["KRW", "RON", "JPY"];

fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic() && !is_hangul(c)
}

/// A currency word at the very start of `text` (after an optional Romanian "de").
fn currency_after(text: &str) -> Option<(Unit, usize)> {
    let trimmed = text.trim_start();
    let mut skipped = text.len() - trimmed.len();
    let mut rest = trimmed;
    if let Some(after_de) = rest.strip_prefix("de ") {
        skipped += 3;
        rest = after_de;
    }
    for (word, unit) in CURRENCIES.iter() {
        if let Some(after) = rest.strip_prefix(word) {
            let boundary = !after.chars().next().is_some_and(is_latin_letter)
                || !word.chars().all(is_latin_letter);
            let glued_symbol_word = *word == "€" && after.starts_with("ur");
            if boundary || glued_symbol_word {
                let extra = if glued_symbol_word { 2 } else { 0 };
                return Some((*unit, skipped + word.len() + extra));
            }
        }
    }
    None
}

/// A currency word at the very end of `text`.
fn currency_before(text: &str) -> Option<(Unit, usize)> {
    let trimmed = text.trim_end();
    for (word, unit) in CURRENCIES.iter() {
        // Korean units follow the number; "직원 30명" is not "원 30".
        if matches!(unit, Unit::Cents(_)) || word.chars().any(is_hangul) {
            continue;
        }
        if let Some(before) = trimmed.strip_suffix(word) {
            let boundary = !before.chars().next_back().is_some_and(is_latin_letter)
                || !word.chars().all(is_latin_letter);
            if boundary {
                return Some((*unit, text.len() - before.len()));
            }
        }
    }
    None
}

/// One number with what surrounds it.
#[derive(Debug, Clone, PartialEq)]
struct Mention {
    span: NumSpan,
    value: f64,
    unit: Option<Unit>,
    /// Byte range including currency words on either side.
    outer_start: usize,
    outer_end: usize,
}

/// Inserts a space after Korean currency words so "이달러이십삼센트" splits into two amounts.
fn split_korean_units(folded: &str) -> String {
    if !folded.chars().any(is_hangul) {
        return folded.to_string();
    }
    let mut out = String::with_capacity(folded.len() + 8);
    let chars: Vec<char> = folded.chars().collect();
    let units = ["달러", "센트", "유로", "파운드", "원", "불"];
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
        if let Some(unit) = units.iter().find(|u| rest.starts_with(**u)) {
            out.push_str(unit);
            i += unit.chars().count();
            if chars.get(i).is_some_and(|&c| sino_start(c)) {
                out.push(' ');
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn sino_start(c: char) -> bool {
    "일이삼사오육칠팔구십백천만억".contains(c)
}

/// Words that may stand right before a bare number that is still an amount.
const OK_BEFORE: &[&str] = &[
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
const OK_AFTER: &[&str] = &[
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
];

/// Korean counters that make a bare number something other than money ("3명", "5년").
const KOREAN_NOT_MONEY: &[&str] = &[
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

static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,4}\s?[-/.]\s?\d{1,2}\s?[-/.]\s?\d{1,4}|\d{1,2}\s?/\s?\d{1,2}|\d{1,2}:\d{2}|\b\d{1,3}\s?%|\+?\b\d{2,4}[-. ]\d{3,4}[-. ]\d{3,4}\b|\b\d{3}-\d{4}\b")
        .unwrap_or_else(|_| super::text::never_matching_regex())
});

/// The high end of a range that makes its low end an amount: "-15k", "- $20", "to 3 million".
static RANGE_HIGH_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[$€£₩]\s*\d|\d[\d.,]*\s*(?:k|m|mm|bn|b|mil|mln|grand|thousand|million|billion|mii|milioane|usd|eur|gbp|ron|lei|krw|dollars?|euros?|pounds?|만|억|천|원|달러|유로)\b|\d[\d.,]*\s*[$€£₩])")
        .unwrap_or_else(|_| super::text::never_matching_regex())
});

static MONTHLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(per|a|an|each|every|p|pe|in)\s*/?\s*(month|mo|mth|luna)\b|\bmonthly\b|/\s*(mo|month|mth|m|luna)\b",
        r"|\blunar[ae]?\b|\bpm\b|\bp/m\b|\bpe\s+luna\b|\bmonth\b",
        r"|(^|\s)월(\s|간|\d|[일이삼사오육칠팔구십백천만억])|매달|매월|한\s?달에?|달에|월마다|월간",
    ))
    .unwrap_or_else(|_| super::text::never_matching_regex())
});

static YEARLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(per|a|an|each|every|pe|in)\s*/?\s*(year|yr|annum|an)\b|\b(annually|yearly|annual|p\.?a)\b",
        r"|/\s*(yr|year|y|an)\b|\banual[ae]?\b|\bpe\s+ani?\b|\byear\b",
        r"|(^|\s)연(\s|간|\d|[일이삼사오육칠팔구십백천만억])|매년|연간|일\s?년에|1년에|년에|해마다",
    ))
    .unwrap_or_else(|_| super::text::never_matching_regex())
});

static APPROXIMATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(about|around|roughly|approx|approximately|circa|ca|maybe|perhaps|nearly|almost|close to",
        r"|give or take|or so|ish|ballpark|estimated|est|something like|somewhere",
        r"|cam|aproximativ|aproape|vreo|in jur de|undeva|circa)\b|약|정도|쯤|대략|가량|내외|안팎|-ish",
    ))
    .unwrap_or_else(|_| super::text::never_matching_regex())
});

/// Phrases before a number that make it an upper bound, longest first.
const UPPER_BEFORE: &[&str] = &[
    "no more than",
    "not more than",
    "less than",
    "lower than",
    "fewer than",
    "at most",
    "up to",
    "upto",
    "under",
    "below",
    "max",
    "maximum",
    "within",
    "not over",
    "no higher than",
    "mai putin de",
    "mai mic de",
    "mai mica de",
    "cel mult",
    "pana la",
    "pana in",
    "maxim",
    "sub",
    "nu chiar",
    "nici macar",
    "mai ieftin de",
    "nu mai mult de",
    "최대",
    "최고",
];
/// Phrases before a number that make it a lower bound.
const LOWER_BEFORE: &[&str] = &[
    "no less than",
    "not less than",
    "more than",
    "higher than",
    "greater than",
    "at least",
    "over",
    "above",
    "minimum",
    "min",
    "starting at",
    "starting from",
    "upwards of",
    "north of",
    "mai mult de",
    "mai mare de",
    "cel putin",
    "minim",
    "peste",
    "mai scump de",
    "macar",
    "최소",
    "적어도",
];
/// Phrases after a number that bound it from above.
const UPPER_AFTER: &[&str] = &[
    "or less",
    "or under",
    "tops",
    "max",
    "maximum",
    "at most",
    "sau mai putin",
    "maxim",
    "이하",
    "미만",
    "까지",
    "안쪽",
    "이내",
    "아래",
];
/// Phrases after a number that bound it from below.
const LOWER_AFTER: &[&str] = &[
    "or more",
    "plus",
    "+",
    "and up",
    "and above",
    "sau mai mult",
    "minim",
    "이상",
    "초과",
    "넘게",
    "넘는",
    "넘어",
    "부터",
    "over",
];

fn ends_with_phrase(text: &str, phrase: &str) -> bool {
    let trimmed = text.trim_end();
    trimmed.strip_suffix(phrase).is_some_and(|before| {
        !before.chars().next_back().is_some_and(is_latin_letter)
            || !phrase.chars().all(|c| is_latin_letter(c) || c == ' ')
    })
}

fn starts_with_phrase(text: &str, phrase: &str) -> bool {
    let trimmed = text.trim_start();
    trimmed.strip_prefix(phrase).is_some_and(|after| {
        !after.chars().next().is_some_and(is_latin_letter)
            || !phrase.chars().all(|c| is_latin_letter(c) || c == ' ')
    })
}

/// Refusal phrases, folded; checked only when no amount was found.
const NO_BUDGET: &[&str] = &[
    "no budget",
    "don't have a budget",
    "dont have a budget",
    "do not have a budget",
    "don't have budget",
    "dont have budget",
    "haven't got a budget",
    "no money",
    "not budgeted",
    "nothing allocated",
    "zero budget",
    "not yet",
    "none",
    "nothing yet",
    "no funds",
    "nu avem buget",
    "nu avem bani",
    "fara buget",
    "nu exista buget",
    "niciun buget",
    "nu avem inca",
    "inca nu avem",
    "nu e buget",
    "nu am buget",
    "nu avem",
    "예산 없",
    "예산없",
    "아직 없",
    "없어요",
    "없습니다",
    "없음",
    "없어",
    "예산이 없",
    "아직 예산",
];
const UNSURE: &[&str] = &[
    "not sure",
    "don't know",
    "dont know",
    "do not know",
    "no idea",
    "tbd",
    "to be determined",
    "unsure",
    "depends",
    "not decided",
    "undecided",
    "hard to say",
    "tba",
    "unknown",
    "not clear",
    "haven't decided",
    "havent decided",
    "not determined",
    "no clue",
    "nu stiu",
    "nu sunt sigur",
    "nu e clar",
    "nu stim",
    "nu am idee",
    "nu se stie",
    "depinde",
    "nestabilit",
    "nu am decis",
    "nu am hotarat",
    "inca nu stim",
    "neclar",
    "모르겠",
    "몰라",
    "모름",
    "미정",
    "글쎄",
    "정해지지",
    "미확정",
    "잘 모르",
    "결정되지",
    "결정 안",
    "아직 몰",
];

fn contains_phrase(folded: &str, phrase: &str) -> bool {
    let mut search_from = 0;
    while let Some(found) = folded.get(search_from..).and_then(|rest| rest.find(phrase)) {
        let at = search_from + found;
        let before_ok = !folded[..at]
            .chars()
            .next_back()
            .is_some_and(is_latin_letter);
        let after_ok = !folded[at + phrase.len()..]
            .chars()
            .next()
            .is_some_and(is_latin_letter);
        let latin = phrase.chars().any(is_latin_letter);
        if !latin || (before_ok && after_ok) {
            return true;
        }
        search_from = at + phrase.len();
    }
    false
}

/// Reads an amount of money; a bare number takes `default_currency`.
pub fn money(text: &str, locale: Locale, default_currency: &str) -> Result<MoneyAnswer, Unclear> {
    let folded = split_korean_units(&fold(capped(text)));
    let mentions = mentions(&folded, locale);
    if mentions.is_empty() {
        if UNSURE.iter().any(|p| contains_phrase(&folded, p)) {
            return Ok(MoneyAnswer::Unsure);
        }
        if NO_BUDGET.iter().any(|p| contains_phrase(&folded, p)) {
            return Ok(MoneyAnswer::NoBudget);
        }
        return Err(Unclear::NotUnderstood);
    }
    let groups = group_mentions(&folded, mentions);
    let known_major = groups.iter().find_map(|g| g.currency);
    let mut readings: Vec<Money> = Vec::new();
    for group in &groups {
        let currency = group
            .currency
            .or(known_major)
            .map(str::to_string)
            .unwrap_or_else(|| {
                if group.cents_only && WITHOUT_CENTS.contains(&default_currency) {
                    "USD".to_string()
                } else {
                    default_currency.to_string()
                }
            });
        let money = Money {
            amount: group.min,
            min: group.min,
            max: group.max,
            currency,
            period: None,
            approximate: false,
        };
        if !readings
            .iter()
            .any(|r| r.min == money.min && r.max == money.max && r.currency == money.currency)
        {
            readings.push(money);
        }
    }
    if readings.len() > 1 {
        return Err(Unclear::Ambiguous {
            readings: readings.iter().map(describe).collect(),
        });
    }
    let Some(mut money) = readings.pop() else {
        return Err(Unclear::NotUnderstood);
    };
    let group = &groups[0];
    match group.bound {
        Bound::Upper => {
            money.min = 0.0;
            money.amount = money.max;
        }
        Bound::Lower => {
            money.max = money.min;
        }
        Bound::None => {}
    }
    money.period = if MONTHLY.is_match(&folded) {
        Some(Period::Month)
    } else if YEARLY.is_match(&folded) {
        Some(Period::Year)
    } else {
        None
    };
    money.approximate = APPROXIMATE.is_match(&folded) || tilde_hedge(&folded);
    Ok(MoneyAnswer::Amount(money))
}

/// "~5k" hedges; "10~20만원" is a range.
fn tilde_hedge(folded: &str) -> bool {
    folded.match_indices('~').any(|(at, _)| {
        !folded[..at]
            .trim_end()
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    })
}

fn describe(money: &Money) -> String {
    if money.min == money.max {
        format!("{} {}", trim_number(money.min), money.currency)
    } else {
        format!(
            "{}–{} {}",
            trim_number(money.min),
            trim_number(money.max),
            money.currency
        )
    }
}

fn trim_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.2}")
    }
}

/// Which side an amount bounds, when the prospect said "under", "at least", "이상".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    None,
    Upper,
    Lower,
}

/// One amount or range after joining cents and range ends.
#[derive(Debug, Clone, PartialEq)]
struct Group {
    min: f64,
    max: f64,
    currency: Option<&'static str>,
    cents_only: bool,
    bound: Bound,
}

fn mentions(folded: &str, locale: Locale) -> Vec<Mention> {
    let spans = numbers::scan(folded, locale);
    let dates: Vec<(usize, usize)> = DATE_LIKE
        .find_iter(folded)
        .map(|m| (m.start(), m.end()))
        .collect();
    let tokens = tokenize(folded);
    let mut found: Vec<Mention> = Vec::new();
    let mut rejected: Vec<usize> = Vec::new();
    for span in &spans {
        let after = &folded[span.end..];
        let before = &folded[..span.start];
        let unit_after = currency_after(after);
        let unit_before = currency_before(before);
        let (unit, outer_start, outer_end) = match (unit_before, unit_after) {
            (_, Some((unit @ Unit::Cents(_), len))) => (Some(unit), span.start, span.end + len),
            (Some((unit, len)), _) => (Some(unit), span.start - len, span.end),
            (None, Some((unit, len))) => (Some(unit), span.start, span.end + len),
            (None, None) => (None, span.start, span.end),
        };
        // A currency word already read as the previous amount's unit is not this one's.
        let (unit, outer_start) = match found.last() {
            Some(prev) if unit_after.is_none() && outer_start < prev.outer_end => {
                (None, span.start)
            }
            _ => (unit, outer_start),
        };
        let in_date = dates.iter().any(|&(s, e)| span.start < e && span.end > s);
        if unit.is_none() {
            // "$20 43", "20 dollars and 43": a small number right after an amount is its cents.
            if let Some(prev) = found
                .last()
                .filter(|p| matches!(p.unit, Some(Unit::Major(_))))
            {
                let gap = folded.get(prev.outer_end..span.start).unwrap_or("").trim();
                let small = span.value < 100.0 && span.value.fract() == 0.0 && span.scale == 1.0;
                if small && matches!(gap, "" | "and" | "si" | ",") {
                    found.push(Mention {
                        span: *span,
                        value: span.value,
                        unit,
                        outer_start,
                        outer_end,
                    });
                    continue;
                }
            }
        }
        if unit.is_none() && (in_date || !bare_number_is_amount(folded, &tokens, span)) {
            rejected.push(span.end_token);
            continue;
        }
        // "version 2-3": the far end of a range whose near end was not an amount is not one.
        let after_rejected = span.first_token >= 2
            && rejected.contains(&(span.first_token - 1))
            && tokens
                .get(span.first_token - 1)
                .is_some_and(|t| matches!(t.text, "-" | "–" | "~" | "to"));
        if unit.is_none() && after_rejected {
            rejected.push(span.end_token);
            continue;
        }
        if in_date
            && unit.is_some()
            && span.scale == 1.0
            && span.value.fract() == 0.0
            && span.value < 32.0
        {
            continue;
        }
        found.push(Mention {
            span: *span,
            value: span.value,
            unit,
            outer_start,
            outer_end,
        });
    }
    // "a dollar", "un dolar", "o liră": an article before a currency word is one unit.
    for (idx, tok) in tokens.iter().enumerate() {
        if !matches!(tok.text, "a" | "an" | "un" | "o" | "una") || tok.kind != TokKind::Word {
            continue;
        }
        let Some(next) = tokens.get(idx + 1) else {
            continue;
        };
        if let Some((unit @ Unit::Major(_), len)) = currency_after(&folded[tok.end..]) {
            let inside_other = found
                .iter()
                .any(|m| m.outer_start <= next.start && next.start < m.outer_end);
            if !inside_other && next.start >= tok.end {
                let span = NumSpan {
                    start: tok.start,
                    end: tok.end,
                    value: 1.0,
                    base: 1.0,
                    scale: 1.0,
                    words: true,
                    first_token: idx,
                    end_token: idx + 1,
                };
                found.push(Mention {
                    span,
                    value: 1.0,
                    unit: Some(unit),
                    outer_start: tok.start,
                    outer_end: tok.end + len,
                });
            }
        }
    }
    found.sort_by_key(|m| m.span.start);
    found
}

/// Whether a number with no currency reads as an amount: the words right around it must be
/// budget talk, not a noun it counts ("3 people", "version 2", "Windows 11", "Q3").
fn bare_number_is_amount(folded: &str, tokens: &[super::tokens::Tok], span: &NumSpan) -> bool {
    let prev = span.first_token.checked_sub(1).and_then(|i| tokens.get(i));
    let written = folded.get(span.start..span.end).unwrap_or("");
    // "20k", "15,000", "2 milioane" read as amounts whatever word comes before them.
    let amount_shaped =
        span.scale > 1.0 || written.contains([',', '.', ' ', '\'']) && span.value >= 1000.0;
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
            let word: String = after_trim
                .chars()
                .take_while(|&c| is_latin_letter(c) || c == '\'')
                .collect();
            return OK_AFTER.contains(&word.as_str());
        }
        if matches!(c, '/' | ':' | '×' | '*' | 'x' | '%' | '@') {
            let rest = after_trim[c.len_utf8()..].trim_start();
            return c == '/' && rest.chars().next().is_some_and(is_latin_letter);
        }
    }
    true
}

/// Joins cents to their units and range ends to each other.
fn group_mentions(folded: &str, mentions: Vec<Mention>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < mentions.len() {
        let first = &mentions[i];
        let mut value = first.value;
        let mut currency = major(first.unit);
        let mut cents_only = false;
        let mut consumed = 1;
        if let Some(Unit::Cents(c)) = first.unit {
            value /= 100.0;
            currency = c;
            cents_only = true;
        } else if let Some(next) = mentions.get(i + 1) {
            // "$20 and 43c", "20 dollars 43", "10 lei și 50 de bani"
            let gap = folded
                .get(first.outer_end..next.span.start)
                .unwrap_or("")
                .trim();
            let joined = matches!(gap, "" | "and" | "si" | "," | "și");
            let next_is_cents = matches!(next.unit, Some(Unit::Cents(_)));
            let plain_small = next.unit.is_none()
                && next.value < 100.0
                && next.value.fract() == 0.0
                && next.span.scale == 1.0
                && mentions.get(i + 2).is_none();
            if currency.is_some() && joined && (next_is_cents || plain_small) {
                value += next.value / 100.0;
                consumed = 2;
            }
        }
        let mut group = Group {
            min: value,
            max: value,
            currency,
            cents_only,
            bound: Bound::None,
        };
        // Range to the next mention?
        if let Some(high) = mentions.get(i + consumed) {
            let gap = folded
                .get(mentions[i + consumed - 1].outer_end..high.outer_start)
                .unwrap_or("");
            let before_low = tail(folded.get(..first.outer_start).unwrap_or(""), 60);
            if is_range_gap(gap, before_low) && !cents_only {
                let mut low = value;
                if first.span.scale == 1.0
                    && high.span.scale > 1.0
                    && first.span.base <= high.span.base
                    && consumed == 1
                {
                    low = first.span.base * high.span.scale;
                }
                let mut high_value = high.value;
                if let Some(Unit::Cents(_)) = high.unit {
                    high_value /= 100.0;
                }
                if high_value >= low {
                    group.min = low;
                    group.max = high_value;
                    group.currency = group.currency.or(major(high.unit));
                    consumed += 1;
                }
            }
        }
        if group.min == group.max {
            let before = tail(folded.get(..first.outer_start).unwrap_or(""), 60);
            let last = &mentions[i + consumed - 1];
            let after = folded.get(last.outer_end..).unwrap_or("");
            group.bound = bound_of(before, after);
        }
        groups.push(group);
        i += consumed;
    }
    groups
}

fn major(unit: Option<Unit>) -> Option<&'static str> {
    match unit {
        Some(Unit::Major(code)) => Some(code),
        _ => None,
    }
}

/// Bound phrases before a number, longest first so "no less than" beats "less than".
static BOUNDS_BEFORE: LazyLock<Vec<(&'static str, Bound)>> = LazyLock::new(|| {
    let mut candidates: Vec<(&str, Bound)> = UPPER_BEFORE
        .iter()
        .map(|p| (*p, Bound::Upper))
        .chain(LOWER_BEFORE.iter().map(|p| (*p, Bound::Lower)))
        .collect();
    candidates.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    candidates
});

fn bound_of(before: &str, after: &str) -> Bound {
    let before = before
        .trim_end()
        .trim_end_matches(['$', '€', '£', '₩'])
        .trim_end();
    let before = before
        .strip_suffix(" de")
        .or_else(|| before.strip_suffix(" us"))
        .unwrap_or(before);
    for (phrase, bound) in BOUNDS_BEFORE.iter() {
        if ends_with_phrase(before, phrase) {
            return *bound;
        }
    }
    let after = after.trim_start();
    for phrase in UPPER_AFTER {
        if starts_with_phrase(after, phrase) {
            return Bound::Upper;
        }
    }
    for phrase in LOWER_AFTER {
        if starts_with_phrase(after, phrase) {
            return Bound::Lower;
        }
    }
    Bound::None
}

/// Whether the text between two amounts makes them a range: "-", "to", "~", "between … and",
/// "de la … la", "între … și", "에서", "부터".
fn is_range_gap(gap: &str, before_low: &str) -> bool {
    // Range words are short ("-", " to ", " dollars and "); a sentence between two numbers is not.
    if gap.len() > 40 {
        return false;
    }
    let mut words: Vec<String> = Vec::new();
    for tok in tokenize(gap) {
        words.push(tok.text.to_string());
    }
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| {
            !matches!(*w, "de" | "$" | "€" | "£" | "₩")
                && currency_after(w).is_none_or(|(_, len)| len != w.len())
        })
        .collect();
    let tail = before_low.trim_end();
    let between = ["between", "intre", "from", "de la"]
        .iter()
        .any(|w| ends_with_phrase(tail, w))
        || tail.ends_with("between")
        || tail.contains("between")
        || tail.contains("intre");
    match words.as_slice() {
        ["-" | "–" | "—" | "~" | "to" | "till" | "until" | "la" | "에서" | "부터" | "~에서"] => {
            true
        }
        ["and" | "si" | "și"] => between,
        ["pana", "la"] => true,
        _ => words.len() == 1 && (words[0].starts_with("에서") || words[0].starts_with("부터")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str, locale: Locale) -> Result<(f64, f64, f64, String), Unclear> {
        match money(text, locale, locale.default_currency())? {
            MoneyAnswer::Amount(m) => Ok((m.amount, m.min, m.max, m.currency)),
            _ => Err(Unclear::NotUnderstood),
        }
    }

    #[test]
    fn single_amounts() {
        let cases: &[(&str, Locale, f64, &str)] = &[
            ("$25,000", Locale::En, 25_000.0, "USD"),
            ("25k", Locale::En, 25_000.0, "USD"),
            ("about 25K USD", Locale::En, 25_000.0, "USD"),
            ("€12.500", Locale::En, 12_500.0, "EUR"),
            ("1,000", Locale::En, 1000.0, "USD"),
            ("we have around 40 grand", Locale::En, 40_000.0, "USD"),
            ("a hundred grand", Locale::En, 100_000.0, "USD"),
            ("twenty thousand dollars", Locale::En, 20_000.0, "USD"),
            ("1.5m", Locale::En, 1_500_000.0, "USD"),
            ("£8k", Locale::En, 8_000.0, "GBP"),
            ("5,000 pounds", Locale::En, 5_000.0, "GBP"),
            ("GBP 900", Locale::En, 900.0, "GBP"),
            ("3.5 million euros", Locale::En, 3_500_000.0, "EUR"),
            ("eur 40000", Locale::En, 40_000.0, "EUR"),
            ("US$ 7,500", Locale::En, 7_500.0, "USD"),
            ("our budget is 50000", Locale::En, 50_000.0, "USD"),
            ("15 000 USD", Locale::En, 15_000.0, "USD"),
            ("2bn", Locale::En, 2e9, "USD"),
            ("75 cents", Locale::En, 0.75, "USD"),
            ("$19 and 99 cents", Locale::En, 19.99, "USD"),
            ("a dollar", Locale::En, 1.0, "USD"),
            ("500 bucks a month", Locale::En, 500.0, "USD"),
            ("이만", Locale::Ko, 20_000.0, "KRW"),
            ("삼천만원", Locale::Ko, 30_000_000.0, "KRW"),
            ("일억", Locale::Ko, 100_000_000.0, "KRW"),
            ("오백만원 정도요", Locale::Ko, 5_000_000.0, "KRW"),
            ("1억 5천만 원", Locale::Ko, 150_000_000.0, "KRW"),
            ("월 500만원", Locale::Ko, 5_000_000.0, "KRW"),
            (
                "3천만 원 정도 생각하고 있어요",
                Locale::Ko,
                30_000_000.0,
                "KRW",
            ),
            ("2억", Locale::Ko, 200_000_000.0, "KRW"),
            ("5만 달러", Locale::Ko, 50_000.0, "USD"),
            ("천 유로", Locale::Ko, 1000.0, "EUR"),
            ("예산은 약 2000만원입니다", Locale::Ko, 20_000_000.0, "KRW"),
            ("₩1,200,000", Locale::Ko, 1_200_000.0, "KRW"),
            ("douăzeci de mii", Locale::Ro, 20_000.0, "RON"),
            ("2,5 milioane lei", Locale::Ro, 2_500_000.0, "RON"),
            ("25.000 lei", Locale::Ro, 25_000.0, "RON"),
            ("o sută de euro", Locale::Ro, 100.0, "EUR"),
            ("cam 10.000 de euro pe an", Locale::Ro, 10_000.0, "EUR"),
            ("3000 RON", Locale::Ro, 3_000.0, "RON"),
            ("bugetul e de 40 de mii de lei", Locale::Ro, 40_000.0, "RON"),
            ("15 mii euro", Locale::Ro, 15_000.0, "EUR"),
            ("1.500,50 lei", Locale::Ro, 1_500.5, "RON"),
            ("un milion de lei", Locale::Ro, 1_000_000.0, "RON"),
            ("50 de bani", Locale::Ro, 0.5, "RON"),
            ("$1.2M", Locale::En, 1_200_000.0, "USD"),
            ("USD 1.2 million", Locale::En, 1_200_000.0, "USD"),
            ("5.000 €", Locale::En, 5_000.0, "EUR"),
            ("2 grand", Locale::En, 2_000.0, "USD"),
            ("1 mil", Locale::En, 1_000_000.0, "USD"),
            ("three hundred k", Locale::En, 300_000.0, "USD"),
            ("75.5k", Locale::En, 75_500.0, "USD"),
            ("1.000.000", Locale::En, 1_000_000.0, "USD"),
            ("12,50 EUR", Locale::En, 12.5, "EUR"),
            (
                "we've allocated 75,000 for this",
                Locale::En,
                75_000.0,
                "USD",
            ),
            ("1000불", Locale::Ko, 1_000.0, "USD"),
            ("5백만원", Locale::Ko, 5_000_000.0, "KRW"),
            ("zece mii de lei", Locale::Ro, 10_000.0, "RON"),
            ("două sute de mii de euro", Locale::Ro, 200_000.0, "EUR"),
            ("1,5 milioane de lei", Locale::Ro, 1_500_000.0, "RON"),
            ("연 1억 2천", Locale::Ko, 120_000_000.0, "KRW"),
            ("일억오천", Locale::Ko, 150_000_000.0, "KRW"),
            ("2억5천만원", Locale::Ko, 250_000_000.0, "KRW"),
            ("1.5억", Locale::Ko, 150_000_000.0, "KRW"),
            ("3만 5천원", Locale::Ko, 35_000.0, "KRW"),
            ("만 달러", Locale::Ko, 10_000.0, "USD"),
            ("삼백만원", Locale::Ko, 3_000_000.0, "KRW"),
            ("대략 천만 원", Locale::Ko, 10_000_000.0, "KRW"),
            (
                "it's about 2.5 million dollars",
                Locale::En,
                2_500_000.0,
                "USD",
            ),
            ("budget: 15,000 EUR", Locale::En, 15_000.0, "EUR"),
            ("around 5 grand a month", Locale::En, 5_000.0, "USD"),
            ("€1.500,00", Locale::En, 1_500.0, "EUR"),
            ("£3,200", Locale::En, 3_200.0, "GBP"),
            ("USD 25k", Locale::En, 25_000.0, "USD"),
            ("thinking about 5000", Locale::En, 5_000.0, "USD"),
            ("we have 3 people and 10k", Locale::En, 10_000.0, "USD"),
            ("zero", Locale::En, 0.0, "USD"),
            (
                "bugetul este de aproximativ 50.000 de euro",
                Locale::Ro,
                50_000.0,
                "EUR",
            ),
            ("vreo 2 milioane de lei", Locale::Ro, 2_000_000.0, "RON"),
            ("o mie de euro", Locale::Ro, 1_000.0, "EUR"),
            ("două mii de lei", Locale::Ro, 2_000.0, "RON"),
            ("100k euro anual", Locale::Ro, 100_000.0, "EUR"),
        ];
        let mut failures = Vec::new();
        for (text, locale, value, currency) in cases {
            let got = amount(text, *locale);
            let want = (*value, *value, *value, currency.to_string());
            if got.as_ref() != Ok(&want) {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn ranges_and_bounds() {
        let cases: &[(&str, Locale, f64, f64, &str)] = &[
            ("10-20k", Locale::En, 10_000.0, 20_000.0, "USD"),
            (
                "between 10 and 20 thousand",
                Locale::En,
                10_000.0,
                20_000.0,
                "USD",
            ),
            ("from 5 to 10k", Locale::En, 5_000.0, 10_000.0, "USD"),
            ("$5k-$8k", Locale::En, 5_000.0, 8_000.0, "USD"),
            (
                "somewhere between €30k and €50k",
                Locale::En,
                30_000.0,
                50_000.0,
                "EUR",
            ),
            ("up to 50k", Locale::En, 0.0, 50_000.0, "USD"),
            ("under 5k", Locale::En, 0.0, 5_000.0, "USD"),
            ("no more than $900", Locale::En, 0.0, 900.0, "USD"),
            ("at least 20k", Locale::En, 20_000.0, 20_000.0, "USD"),
            ("50k+", Locale::En, 50_000.0, 50_000.0, "USD"),
            (
                "no less than 3000 euros",
                Locale::En,
                3_000.0,
                3_000.0,
                "EUR",
            ),
            ("10~20만원", Locale::Ko, 100_000.0, 200_000.0, "KRW"),
            (
                "500만원에서 1000만원 사이",
                Locale::Ko,
                5_000_000.0,
                10_000_000.0,
                "KRW",
            ),
            ("1000만원 이하", Locale::Ko, 0.0, 10_000_000.0, "KRW"),
            ("최소 300만원", Locale::Ko, 3_000_000.0, 3_000_000.0, "KRW"),
            (
                "5천만원 이상",
                Locale::Ko,
                50_000_000.0,
                50_000_000.0,
                "KRW",
            ),
            (
                "între 10 și 20 de mii",
                Locale::Ro,
                10_000.0,
                20_000.0,
                "RON",
            ),
            (
                "de la 5.000 la 8.000 de euro",
                Locale::Ro,
                5_000.0,
                8_000.0,
                "EUR",
            ),
            ("sub 2000 de lei", Locale::Ro, 0.0, 2_000.0, "RON"),
            ("peste 100 de mii", Locale::Ro, 100_000.0, 100_000.0, "RON"),
            ("maxim 7000 euro", Locale::Ro, 0.0, 7_000.0, "EUR"),
            ("$50k-$100k/yr", Locale::En, 50_000.0, 100_000.0, "USD"),
            (
                "30-40 thousand euros",
                Locale::En,
                30_000.0,
                40_000.0,
                "EUR",
            ),
            ("EUR 5-10k", Locale::En, 5_000.0, 10_000.0, "EUR"),
            ("5 to 10 thousand", Locale::En, 5_000.0, 10_000.0, "USD"),
            ("20k max", Locale::En, 0.0, 20_000.0, "USD"),
            ("20k tops", Locale::En, 0.0, 20_000.0, "USD"),
            ("minimum 10k", Locale::En, 10_000.0, 10_000.0, "USD"),
            ("£1m+", Locale::En, 1_000_000.0, 1_000_000.0, "GBP"),
            (
                "약 2천만 원에서 3천만 원 사이",
                Locale::Ko,
                20_000_000.0,
                30_000_000.0,
                "KRW",
            ),
            ("100만~200만원", Locale::Ko, 1_000_000.0, 2_000_000.0, "KRW"),
            ("월 50만 원 이내", Locale::Ko, 0.0, 500_000.0, "KRW"),
            (
                "3000만원에서 5000만원",
                Locale::Ko,
                30_000_000.0,
                50_000_000.0,
                "KRW",
            ),
            ("10-15 mii euro", Locale::Ro, 10_000.0, 15_000.0, "EUR"),
            ("sub 1000 euro", Locale::Ro, 0.0, 1_000.0, "EUR"),
            (
                "We're thinking 12-15k USD for the first year",
                Locale::En,
                12_000.0,
                15_000.0,
                "USD",
            ),
            (
                "our budget is roughly $40-50k annually",
                Locale::En,
                40_000.0,
                50_000.0,
                "USD",
            ),
            (
                "between fifty and sixty thousand",
                Locale::En,
                50_000.0,
                60_000.0,
                "USD",
            ),
            ("$2M-$3M", Locale::En, 2_000_000.0, 3_000_000.0, "USD"),
            ("10 000 - 15 000 EUR", Locale::En, 10_000.0, 15_000.0, "EUR"),
            (
                "less than a thousand bucks",
                Locale::En,
                0.0,
                1_000.0,
                "USD",
            ),
            ("under $1k/mo", Locale::En, 0.0, 1_000.0, "USD"),
            (
                "1억에서 2억 사이",
                Locale::Ko,
                100_000_000.0,
                200_000_000.0,
                "KRW",
            ),
            ("3천~5천만원", Locale::Ko, 30_000_000.0, 50_000_000.0, "KRW"),
            (
                "월 200만원 이하로 생각하고 있어요",
                Locale::Ko,
                0.0,
                2_000_000.0,
                "KRW",
            ),
            ("500만원 이상", Locale::Ko, 5_000_000.0, 5_000_000.0, "KRW"),
            (
                "între 5.000 și 10.000 EUR",
                Locale::Ro,
                5_000.0,
                10_000.0,
                "EUR",
            ),
            ("până la 100.000 lei", Locale::Ro, 0.0, 100_000.0, "RON"),
            ("cel puțin 3000 euro", Locale::Ro, 3_000.0, 3_000.0, "EUR"),
        ];
        let mut failures = Vec::new();
        for (text, locale, min, max, currency) in cases {
            let got = amount(text, *locale).map(|(_, lo, hi, c)| (lo, hi, c));
            if got.as_ref() != Ok(&(*min, *max, currency.to_string())) {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn periods_and_hedges() {
        let cases: &[(&str, Locale, Option<Period>, bool)] = &[
            ("about 2k per month", Locale::En, Some(Period::Month), true),
            ("$500/mo", Locale::En, Some(Period::Month), false),
            ("~30k a year", Locale::En, Some(Period::Year), true),
            ("100만~200만원", Locale::Ko, None, false),
            ("3k-ish/month", Locale::En, Some(Period::Month), true),
            (
                "250 per seat per month",
                Locale::En,
                Some(Period::Month),
                false,
            ),
            ("일년에 1억", Locale::Ko, Some(Period::Year), false),
            ("한 달에 100만원", Locale::Ko, Some(Period::Month), false),
            ("2.000 lei/lună", Locale::Ro, Some(Period::Month), false),
            ("40k annually", Locale::En, Some(Period::Year), false),
            ("roughly 10k", Locale::En, None, true),
            ("월 300만원 정도", Locale::Ko, Some(Period::Month), true),
            ("연간 1억", Locale::Ko, Some(Period::Year), false),
            ("매달 50만원", Locale::Ko, Some(Period::Month), false),
            (
                "cam 500 de euro pe lună",
                Locale::Ro,
                Some(Period::Month),
                true,
            ),
            (
                "aproximativ 20 de mii anual",
                Locale::Ro,
                Some(Period::Year),
                true,
            ),
            (
                "în jur de 3000 lei lunar",
                Locale::Ro,
                Some(Period::Month),
                true,
            ),
        ];
        let mut failures = Vec::new();
        for (text, locale, period, approximate) in cases {
            match money(text, *locale, locale.default_currency()) {
                Ok(MoneyAnswer::Amount(m))
                    if (m.period, m.approximate) == (*period, *approximate) => {}
                other => failures.push(format!("{text}: {other:?}")),
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn refusals_and_non_money() {
        let refusals: &[(&str, Locale, MoneyAnswer)] = &[
            ("no budget yet", Locale::En, MoneyAnswer::NoBudget),
            ("we don't have a budget", Locale::En, MoneyAnswer::NoBudget),
            ("not sure", Locale::En, MoneyAnswer::Unsure),
            ("don't know yet", Locale::En, MoneyAnswer::Unsure),
            ("TBD", Locale::En, MoneyAnswer::Unsure),
            ("아직 없어요", Locale::Ko, MoneyAnswer::NoBudget),
            ("예산 없음", Locale::Ko, MoneyAnswer::NoBudget),
            ("모르겠어요", Locale::Ko, MoneyAnswer::Unsure),
            ("nu știu", Locale::Ro, MoneyAnswer::Unsure),
            ("nu avem buget", Locale::Ro, MoneyAnswer::NoBudget),
            ("nu avem încă un buget", Locale::Ro, MoneyAnswer::NoBudget),
            ("depinde", Locale::Ro, MoneyAnswer::Unsure),
            (
                "아직 예산이 정해지지 않았어요",
                Locale::Ko,
                MoneyAnswer::Unsure,
            ),
            (
                "It depends on the features",
                Locale::En,
                MoneyAnswer::Unsure,
            ),
            ("no idea honestly", Locale::En, MoneyAnswer::Unsure),
        ];
        let mut failures = Vec::new();
        for (text, locale, expected) in refusals {
            let got = money(text, *locale, "USD");
            if got.as_ref() != Ok(expected) {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        let not_money: &[(&str, Locale)] = &[
            ("3 people", Locale::En),
            ("version 2", Locale::En),
            ("Windows 11", Locale::En),
            ("24/7", Locale::En),
            ("Q3", Locale::En),
            ("5 years ago", Locale::En),
            ("on 2026-03-15", Locale::En),
            ("March 15", Locale::En),
            ("we are 40 people", Locale::En),
            ("hello", Locale::En),
            ("3명", Locale::Ko),
            ("5년 전에", Locale::Ko),
            ("이번 주", Locale::Ko),
            ("suntem 12 oameni", Locale::Ro),
            ("15.03.2026", Locale::Ro),
            ("version 2-3", Locale::En),
            ("call me at 555-1234", Locale::En),
            ("+40 721 123 456", Locale::Ro),
            ("in 2026", Locale::En),
            ("iPhone 15", Locale::En),
            ("직원 30명", Locale::Ko),
            ("2026년", Locale::Ko),
            ("avem 12 angajați", Locale::Ro),
        ];
        for (text, locale) in not_money {
            let got = money(text, *locale, "USD");
            if got != Err(Unclear::NotUnderstood) {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn two_amounts_are_ambiguous() {
        for text in ["5k or 10k", "maybe $500, maybe $2000"] {
            assert!(
                matches!(
                    money(text, Locale::En, "USD"),
                    Err(Unclear::Ambiguous { .. })
                ),
                "{text}"
            );
        }
    }

    /// Prints where the time goes on a long message (`--ignored --nocapture`).
    #[test]
    #[ignore]
    fn stage_costs() {
        let text = "We are a team of 40 people and our budget is around 25k per year, maybe by Q3 next year. "
            .repeat(50);
        let _ = money(&text, Locale::En, "USD");
        let started = std::time::Instant::now();
        let folded = split_korean_units(&fold(capped(&text)));
        println!("fold+split: {:?}", started.elapsed());
        let started = std::time::Instant::now();
        let found = mentions(&folded, Locale::En);
        println!("mentions: {:?} ({})", started.elapsed(), found.len());
        let started = std::time::Instant::now();
        let groups = group_mentions(&folded, found);
        println!("groups: {:?} ({})", started.elapsed(), groups.len());
        let started = std::time::Instant::now();
        let _ = (
            MONTHLY.is_match(&folded),
            YEARLY.is_match(&folded),
            APPROXIMATE.is_match(&folded),
        );
        println!("periods: {:?}", started.elapsed());
        let started = std::time::Instant::now();
        let _ = money(&text, Locale::En, "USD");
        println!("total: {:?}", started.elapsed());
    }
}
