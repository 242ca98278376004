//! Purpose: read a budget answer as an amount or range of money with currency, period and
//! hedging, or as a refusal ("no budget yet", "nu știu").

use std::sync::LazyLock;

use super::numbers::{self, NumSpan};
use super::tokens::{TokKind, capped, is_hangul, tail, tokenize};
use super::{Money, MoneyAnswer, Period, Unclear, fold};
use crate::locale::Locale;

mod context;
mod currency;
mod phrases;

use context::*;
use currency::*;
use phrases::*;

pub use currency::known_currencies;

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

/// Reads how often an amount recurs from a reply such as "per month", "yearly", "월", "연간",
/// "pe lună" or "anual" — the answer to "Is that per month or per year?".
///
/// The question offers exactly two units, so the unit word decides whatever surrounds it:
/// "next month" picks monthly and "next year" yearly. A prospect who answers "next month" to
/// "per month or per year?" means the amount recurs each month (or that the monthly billing
/// starts next month); reading it as a timing remark would leave the question unanswered and
/// ask it again for no gain. A count other than one before the unit ("12 months", "2 years",
/// "12개월") is a length of time, not a period, and is not read.
pub fn period(text: &str) -> Result<Period, Unclear> {
    let folded = fold(text);
    let mut monthly = phrases::MONTHLY.is_match(&folded);
    let mut yearly = phrases::YEARLY.is_match(&folded);
    let tokens = tokenize(&folded);
    let words = tokens.iter().filter(|tok| tok.kind != TokKind::Sym).count();
    for (index, tok) in tokens.iter().enumerate() {
        let prev = index.checked_sub(1).and_then(|prev| tokens.get(prev));
        let unit = match tok.kind {
            // Romanian "an" (year) is also the English article: only alone or after "fiecare",
            // "pe", "un", "per".
            TokKind::Word if tok.text == "an" => (words == 1
                || prev.is_some_and(|prev| matches!(prev.text, "fiecare" | "pe" | "un" | "per")))
            .then_some(Period::Year),
            TokKind::Word => period_word(tok.text),
            TokKind::Hangul => korean_period_word(tok.text),
            TokKind::Digits | TokKind::Sym => None,
        };
        let counted = prev.is_some_and(|prev| prev.kind == TokKind::Digits && prev.text != "1");
        match unit {
            Some(Period::Month) if !counted => monthly = true,
            Some(Period::Year) if !counted => yearly = true,
            _ => {}
        }
    }
    match (monthly, yearly) {
        (true, false) => Ok(Period::Month),
        (false, true) => Ok(Period::Year),
        (true, true) => Err(Unclear::Ambiguous {
            readings: vec!["month".into(), "year".into()],
        }),
        (false, false) => Err(Unclear::NotUnderstood),
    }
}

/// A word of a period reply that names the unit ("months", "yearly", "lunar", "anul").
fn period_word(word: &str) -> Option<Period> {
    match word {
        "month" | "months" | "monthly" | "mo" | "mos" | "mth" | "mths" | "luna" | "lunar"
        | "lunara" | "lunare" | "lunii" | "lunile" => Some(Period::Month),
        "year" | "years" | "yearly" | "yr" | "yrs" | "annual" | "annually" | "annum" | "ani"
        | "anul" | "anului" | "anual" | "anuala" | "anuale" => Some(Period::Year),
        _ => None,
    }
}

/// A Korean word of a period reply, its endings taken off: "월이요", "월 기준", "매달", "연간",
/// "1년에", "다음 달". "월요일" (Monday) and "연락" (contact) are not periods.
fn korean_period_word(word: &str) -> Option<Period> {
    const ENDINGS: &[&str] = &[
        "으로요",
        "이에요",
        "입니다",
        "이요",
        "예요",
        "에요",
        "이죠",
        "으로",
        "로요",
        "기준",
        "단위",
        "요",
        "로",
        "에",
        "씩",
    ];
    let mut stem = word;
    while let Some(shorter) = ENDINGS.iter().find_map(|ending| stem.strip_suffix(ending)) {
        if shorter.is_empty() {
            break;
        }
        stem = shorter;
    }
    match stem {
        "월" | "달" | "매월" | "매달" | "월간" | "한달" | "개월" | "다음달" | "월별" | "월마다"
        | "달마다" => Some(Period::Month),
        "연" | "년" | "연간" | "년간" | "매년" | "일년" | "내년" | "연별" | "해마다" | "매해"
        | "년마다" => Some(Period::Year),
        _ => None,
    }
}

/// Reads an amount of money; a bare number takes `default_currency`.
pub fn money(text: &str, locale: Locale, default_currency: &str) -> Result<MoneyAnswer, Unclear> {
    let folded = split_korean_units(&fold(capped(text)));
    // "a few thousand", "a couple hundred", "câteva mii", "몇백만원": a vague count of a scale
    // is read as a hedged estimate (a few = 3, a couple = 2).
    let vague = VAGUE_COUNT.is_match(&folded);
    let folded = VAGUE_COUNT
        .replace_all(&folded, |caps: &regex::Captures| {
            let said = |i: usize| caps.get(i).map_or("", |m| m.as_str());
            if said(3).is_empty() {
                let count = if said(1).contains("couple") { "2" } else { "3" };
                format!("{count} {}", said(2))
            } else {
                format!("3{}", said(4)) // Korean: the digit stays glued to its unit.
            }
        })
        .into_owned();
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
    let default_currency = default_currency.trim().to_uppercase();
    let default_currency = default_currency.as_str();
    let groups = join_floor_and_ceiling(group_mentions(&folded, mentions));
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
    let Some(group) = groups.first() else {
        return Err(Unclear::NotUnderstood);
    };
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
    money.approximate = vague || APPROXIMATE.is_match(&folded) || tilde_hedge(&folded);
    Ok(MoneyAnswer::Amount(money))
}

/// "20k, maybe up to 30k", "at least 10k and at most 20k", "minim 10 mii, maxim 20 de mii": a
/// floor and a ceiling said apart are one range, not two competing amounts.
fn join_floor_and_ceiling(groups: Vec<Group>) -> Vec<Group> {
    let [low, high] = groups.as_slice() else {
        return groups;
    };
    let floor_first = matches!(low.bound, Bound::None | Bound::Lower) && high.bound == Bound::Upper;
    let same_currency =
        low.currency.is_none() || high.currency.is_none() || low.currency == high.currency;
    if floor_first && same_currency && high.max > low.min && !low.cents_only && !high.cents_only {
        return vec![Group {
            min: low.min,
            max: high.max,
            currency: low.currency.or(high.currency),
            cents_only: false,
            bound: Bound::None,
        }];
    }
    groups
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
    let tokens = tokenize(folded);
    let mut spans = numbers::scan(folded, locale);
    // "a dollar", "un dolar", "o liră": an article right before a currency word is one unit.
    for (idx, tok) in tokens.iter().enumerate() {
        let article =
            tok.kind == TokKind::Word && matches!(tok.text, "a" | "an" | "un" | "o" | "una");
        if !article {
            continue;
        }
        let taken = spans
            .iter()
            .any(|s| s.start <= tok.start && tok.start < s.end);
        // Not "a US$4.7 billion": there the currency belongs to the number after it.
        let unit_then_no_number = match currency_after(&folded[tok.end..]) {
            Some((Unit::Major(_), len)) => !folded[tok.end + len..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit()),
            _ => false,
        };
        if !taken && unit_then_no_number {
            spans.push(NumSpan {
                start: tok.start,
                end: tok.end,
                value: 1.0,
                base: 1.0,
                scale: 1.0,
                words: true,
                first_token: idx,
                end_token: idx + 1,
            });
        }
    }
    spans.sort_by_key(|s| s.start);
    let dates: Vec<(usize, usize)> = DATE_LIKE
        .find_iter(folded)
        .map(|m| (m.start(), m.end()))
        .collect();
    let ranges = range_ends(folded, &spans);
    let mut found: Vec<Mention> = Vec::new();
    let mut rejected: Vec<usize> = Vec::new();
    for (index, span) in spans.iter().enumerate() {
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
        let bare_amount = || match ranges[index] {
            Some((low, high)) => {
                has_currency(folded, &spans[low])
                    || has_currency(folded, &spans[high])
                    || bare_range_is_amount(folded, &tokens, &spans[low], &spans[high])
            }
            None => bare_number_is_amount(folded, &tokens, span),
        };
        if unit.is_none() && (in_date || !bare_amount()) {
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
    found
}

/// For each number, the pair of numbers (low, high) of the range it is an end of, if any: "30-50k",
/// "between 30 and 50", "3천~5천만", "între 30 și 50". An amount's range is judged as a whole.
fn range_ends(folded: &str, spans: &[NumSpan]) -> Vec<Option<(usize, usize)>> {
    let mut ranges = vec![None; spans.len()];
    for low in 0..spans.len().saturating_sub(1) {
        let high = low + 1;
        if ranges[low].is_some() {
            continue; // "10-20-30": a high end does not start another range.
        }
        let gap = folded.get(spans[low].end..spans[high].start).unwrap_or("");
        let before_low = tail(folded.get(..spans[low].start).unwrap_or(""), 60);
        if is_range_gap(gap, before_low) {
            ranges[low] = Some((low, high));
            ranges[high] = Some((low, high));
        }
    }
    ranges
}

/// Whether a currency is written right before or after the number.
fn has_currency(folded: &str, span: &NumSpan) -> bool {
    currency_before(&folded[..span.start]).is_some()
        || currency_after(&folded[span.end..]).is_some()
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
                if let Some(unit) = korean_leading_unit(folded.get(high.span.start..).unwrap_or(""))
                    && consumed == 1
                    && first.span.scale == 1.0
                    && (1.0..10.0).contains(&first.value)
                    && first.value.fract() == 0.0
                {
                    low = first.value * unit * high.span.scale;
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

/// "5천만", "3백만": a high end that starts with one digit and 십/백/천 gives that unit to a
/// lone digit before it, so "3~5천만" is 3천만–5천만 and "2~3백만" is 2백만–3백만.
fn korean_leading_unit(high: &str) -> Option<f64> {
    let mut chars = high.chars();
    let digit = chars.next()?;
    let one_digit = digit.is_ascii_digit() || "일이삼사오육칠팔구".contains(digit);
    if !one_digit {
        return None;
    }
    match chars.next()? {
        '십' => Some(10.0),
        '백' => Some(100.0),
        '천' => Some(1000.0),
        _ => None,
    }
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
    // "mai puțin de 7", "under US$ 7": with and without the little word before the number.
    let shortened = before
        .strip_suffix(" us")
        .or_else(|| before.strip_suffix(" de"))
        .unwrap_or(before);
    for text in [before, shortened] {
        for (phrase, bound) in BOUNDS_BEFORE.iter() {
            if ends_with_phrase(text, phrase) {
                return *bound;
            }
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
mod period_tests {
    use super::*;

    #[test]
    fn replies_about_the_period() {
        let cases: &[(&str, Result<Period, Unclear>)] = &[
            ("per month", Ok(Period::Month)),
            ("Monthly.", Ok(Period::Month)),
            ("a month", Ok(Period::Month)),
            ("month", Ok(Period::Month)),
            ("every month", Ok(Period::Month)),
            ("monthly, please", Ok(Period::Month)),
            ("it's per month", Ok(Period::Month)),
            ("the monthly one", Ok(Period::Month)),
            ("1 month", Ok(Period::Month)),
            ("next month", Ok(Period::Month)),
            ("월", Ok(Period::Month)),
            ("월이요", Ok(Period::Month)),
            ("월 기준이요", Ok(Period::Month)),
            ("매월", Ok(Period::Month)),
            ("매달이요", Ok(Period::Month)),
            ("한 달에", Ok(Period::Month)),
            ("1개월", Ok(Period::Month)),
            ("다음 달", Ok(Period::Month)),
            ("pe lună", Ok(Period::Month)),
            ("lunar", Ok(Period::Month)),
            ("în fiecare lună", Ok(Period::Month)),
            ("luna viitoare", Ok(Period::Month)),
            ("per year", Ok(Period::Year)),
            ("yearly", Ok(Period::Year)),
            ("annually", Ok(Period::Year)),
            ("a year", Ok(Period::Year)),
            ("year", Ok(Period::Year)),
            ("every year", Ok(Period::Year)),
            ("per annum", Ok(Period::Year)),
            ("annual, I think", Ok(Period::Year)),
            ("next year", Ok(Period::Year)),
            ("연간", Ok(Period::Year)),
            ("연 기준", Ok(Period::Year)),
            ("1년", Ok(Period::Year)),
            ("1년이요", Ok(Period::Year)),
            ("1년에", Ok(Period::Year)),
            ("일 년에", Ok(Period::Year)),
            ("매년", Ok(Period::Year)),
            ("pe an", Ok(Period::Year)),
            ("anual", Ok(Period::Year)),
            ("în fiecare an", Ok(Period::Year)),
            ("anul viitor", Ok(Period::Year)),
            ("both?", Err(Unclear::NotUnderstood)),
            ("월요일", Err(Unclear::NotUnderstood)),
            ("연락 주세요", Err(Unclear::NotUnderstood)),
            // A length of time is not how often an amount recurs.
            ("12 months", Err(Unclear::NotUnderstood)),
            ("2 years", Err(Unclear::NotUnderstood)),
            ("12개월", Err(Unclear::NotUnderstood)),
            (
                "monthly or yearly?",
                Err(Unclear::Ambiguous {
                    readings: vec!["month".into(), "year".into()],
                }),
            ),
        ];
        let mut failures = Vec::new();
        for (text, expected) in cases {
            let got = period(text);
            if &got != expected {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
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
            ("we have 50k set aside", Locale::En, 50_000.0, "USD"),
            ("40k allocated", Locale::En, 40_000.0, "USD"),
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
            ("a dollar fifty", Locale::En, 1.5, "USD"),
            ("a US$4.7 billion", Locale::En, 4.7e9, "USD"),
            ("a hundred dollars", Locale::En, 100.0, "USD"),
            ("one dollar and fifty cents", Locale::En, 1.5, "USD"),
            ("fifty bucks", Locale::En, 50.0, "USD"),
            ("a grand", Locale::En, 1_000.0, "USD"),
            ("15 quid", Locale::En, 15.0, "GBP"),
            ("EUR2.5k", Locale::En, 2_500.0, "EUR"),
            ("사백오십만원", Locale::Ko, 4_500_000.0, "KRW"),
            ("천오백만원", Locale::Ko, 15_000_000.0, "KRW"),
            ("이십오파운드", Locale::Ko, 25.0, "GBP"),
            ("만오천원", Locale::Ko, 15_000.0, "KRW"),
            ("이만 오천 원", Locale::Ko, 25_000.0, "KRW"),
            ("3달러 50센트", Locale::Ko, 3.5, "USD"),
            ("KRW 3,000,000", Locale::Ko, 3_000_000.0, "KRW"),
            ("trei sute de lei", Locale::Ro, 300.0, "RON"),
            ("o mie cinci sute lei", Locale::Ro, 1_500.0, "RON"),
            ("zece lire sterline", Locale::Ro, 10.0, "GBP"),
            ("un euro", Locale::Ro, 1.0, "EUR"),
            ("3 lei și 20 de bani", Locale::Ro, 3.2, "RON"),
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
            ("오 파운드", Locale::Ko, 5.0, "GBP"),
            ("오십달러", Locale::Ko, 50.0, "USD"),
            ("십 유로", Locale::Ko, 10.0, "EUR"),
            ("삼십 센트", Locale::Ko, 0.3, "USD"),
            ("일억원", Locale::Ko, 100_000_000.0, "KRW"),
            ("7 dollars and 50 cents", Locale::En, 7.5, "USD"),
            ("twelve hundred dollars", Locale::En, 1_200.0, "USD"),
            ("two hundred and fifty euros", Locale::En, 250.0, "EUR"),
            ("trei dolari și cincizeci de cenți", Locale::Ro, 3.5, "USD"),
            ("5,50 lei", Locale::Ro, 5.5, "RON"),
            (
                "douăzeci și cinci de mii de euro",
                Locale::Ro,
                25_000.0,
                "EUR",
            ),
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
            ("a few thousand dollars", Locale::En, 3_000.0, "USD"),
            ("a couple hundred bucks", Locale::En, 200.0, "USD"),
            ("câteva mii de euro", Locale::Ro, 3_000.0, "EUR"),
            ("몇백만원", Locale::Ko, 3_000_000.0, "KRW"),
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
            ("mai puțin de 100 de lei", Locale::Ro, 0.0, 100.0, "RON"),
            ("mai puțin de 7 EUR", Locale::Ro, 0.0, 7.0, "EUR"),
            ("nu chiar 7€", Locale::Ro, 0.0, 7.0, "EUR"),
            ("mai mult de 3 dolari", Locale::Ro, 3.0, 3.0, "USD"),
            ("under US$ 7", Locale::En, 0.0, 7.0, "USD"),
            ("above a dollar and 42 cents", Locale::En, 1.42, 1.42, "USD"),
            ("오만원 이하", Locale::Ko, 0.0, 50_000.0, "KRW"),
            ("1000원 미만", Locale::Ko, 0.0, 1_000.0, "KRW"),
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
            (
                "20k, maybe up to 30k",
                Locale::En,
                20_000.0,
                30_000.0,
                "USD",
            ),
            (
                "at least 10k and at most 20k",
                Locale::En,
                10_000.0,
                20_000.0,
                "USD",
            ),
            (
                "minim 10 mii, maxim 20 de mii de lei",
                Locale::Ro,
                10_000.0,
                20_000.0,
                "RON",
            ),
            (
                "최소 100만원 최대 200만원",
                Locale::Ko,
                1_000_000.0,
                2_000_000.0,
                "KRW",
            ),
            // Words after a range describe the whole range; the scale of the high end spreads.
            (
                "we have 30-50k set aside",
                Locale::En,
                30_000.0,
                50_000.0,
                "USD",
            ),
            ("30-50k set aside", Locale::En, 30_000.0, 50_000.0, "USD"),
            ("30k-50k set aside", Locale::En, 30_000.0, 50_000.0, "USD"),
            ("$30-50k set aside", Locale::En, 30_000.0, 50_000.0, "USD"),
            (
                "30 to 50 thousand earmarked for it",
                Locale::En,
                30_000.0,
                50_000.0,
                "USD",
            ),
            (
                "30-50k depending on scope",
                Locale::En,
                30_000.0,
                50_000.0,
                "USD",
            ),
            (
                "between 30 and 50k approved",
                Locale::En,
                30_000.0,
                50_000.0,
                "USD",
            ),
            (
                "we earmarked thirty to fifty thousand",
                Locale::En,
                30_000.0,
                50_000.0,
                "USD",
            ),
            ("3~5천만원", Locale::Ko, 30_000_000.0, 50_000_000.0, "KRW"),
            (
                "3~5천만원 배정됐어요",
                Locale::Ko,
                30_000_000.0,
                50_000_000.0,
                "KRW",
            ),
            ("2~3백만원", Locale::Ko, 2_000_000.0, 3_000_000.0, "KRW"),
            ("3~5천원", Locale::Ko, 3_000.0, 5_000.0, "KRW"),
            (
                "3천~5천만원 정도 예산 있어요",
                Locale::Ko,
                30_000_000.0,
                50_000_000.0,
                "KRW",
            ),
            ("30-50 mii alocați", Locale::Ro, 30_000.0, 50_000.0, "RON"),
            (
                "avem 30-50 mii puși deoparte",
                Locale::Ro,
                30_000.0,
                50_000.0,
                "RON",
            ),
            (
                "între 30 și 50 de mii alocate pentru asta",
                Locale::Ro,
                30_000.0,
                50_000.0,
                "RON",
            ),
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
            (
                "we want to start next month with 10k",
                Locale::En,
                None,
                false,
            ),
            ("budget for next year is 50k", Locale::En, None, false),
            (
                "25k for the first year",
                Locale::En,
                Some(Period::Year),
                false,
            ),
            (
                "$30 per user per month",
                Locale::En,
                Some(Period::Month),
                false,
            ),
            ("년 1억", Locale::Ko, Some(Period::Year), false),
            ("2026년 예산 1억", Locale::Ko, None, false),
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
            // A count after a range counts both ends: neither is an amount.
            ("30-50 people", Locale::En),
            ("between 30 and 50 people", Locale::En),
            ("30 to 50 users", Locale::En),
            ("30-50k users", Locale::En),
            ("30~50명", Locale::Ko),
            ("직원 30~50명", Locale::Ko),
            ("30-50 de oameni", Locale::Ro),
            ("între 30 și 50 de angajați", Locale::Ro),
            ("12 de angajați", Locale::Ro),
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
}

#[cfg(test)]
mod known_currency_tests {
    use super::*;

    #[test]
    fn known_currencies_are_the_iso_codes_the_extractor_reads() {
        let codes = known_currencies();
        for code in ["EUR", "GBP", "KRW", "RON", "USD"] {
            assert!(codes.contains(&code), "{code}");
        }
        assert!(!codes.contains(&"XYZ"));
        assert!(codes.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
