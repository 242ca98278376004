//! Purpose: currency words and symbols of every language, and where they sit around a number.

use std::sync::LazyLock;

use super::*;

/// What a currency word stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    /// A main unit with its ISO code.
    Major(&'static str),
    /// Hundredths; the currency is known for "bani" (RON) and "pence" (GBP), else borrowed.
    Cents(Option<&'static str>),
}

/// Currency words and symbols, folded, longest first so "us$" wins over "$".
pub(super) static CURRENCIES: LazyLock<Vec<(&'static str, Unit)>> = LazyLock::new(|| {
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

/// The ISO 4217 codes of every currency a prospect can name, sorted: the codes a script or the
/// reps file may give a rate for, since an amount in any other currency is never read.
pub fn known_currencies() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = CURRENCIES
        .iter()
        .filter_map(|(_, unit)| match unit {
            Unit::Major(code) => Some(*code),
            Unit::Cents(_) => None,
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Currencies that have no hundredths in use; "cents" then mean US cents.
pub(super) const WITHOUT_CENTS: &[&str] = &["KRW", "RON", "JPY"];

/// Letters of alphabetic scripts other than Hangul, for word-boundary checks.
pub(super) fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic() && !is_hangul(c)
}

/// A currency word at the very start of `text` (after an optional Romanian "de").
pub(super) fn currency_after(text: &str) -> Option<(Unit, usize)> {
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
pub(super) fn currency_before(text: &str) -> Option<(Unit, usize)> {
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

/// Inserts a space after Korean currency words so "이달러이십삼센트" splits into two amounts.
pub(super) fn split_korean_units(folded: &str) -> String {
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

/// Syllables that can start a Sino-Korean number ("이십", "만").
pub(super) fn sino_start(c: char) -> bool {
    "일이삼사오육칠팔구십백천만억".contains(c)
}
