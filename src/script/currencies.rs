//! Purpose: exchange-rate tables in admin-edited files — a script's `[currencies]` (rates into
//! the script's currency) and the reps file's (rates into the budget bands' currency) — so an
//! amount in another currency is converted, never compared as if it were the same money.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

/// Why `code` cannot be a currency of a file, or `None` when the extractor reads it.
pub fn unknown_currency(code: &str) -> Option<String> {
    let known = crate::extract::known_currencies();
    if known.contains(&code) {
        return None;
    }
    Some(format!(
        "unknown currency {code:?}: use an ISO 4217 code leadbot reads (such as USD, EUR, GBP, \
         KRW, RON; all: {})",
        known.join(", ")
    ))
}

/// `amount` of `currency` in the `own` currency, using `rates` (units of `own` per unit of each
/// other currency); `None` when there is no rate. Rounded to hundredths, so that 10,000 × 4.97
/// is 49,700 and not a hair below it.
pub fn convert(
    amount: f64,
    currency: &str,
    own: &str,
    rates: &BTreeMap<String, f64>,
) -> Option<f64> {
    if currency == own {
        return Some(amount);
    }
    let rate = rates.get(currency)?;
    Some((amount * rate * 100.0).round() / 100.0)
}

/// Checks a `[currencies]` table of rates into `own` and returns it; `own_is` names the own
/// currency in messages ("the script's own currency").
pub(crate) fn rates(
    table: &BTreeMap<Spanned<String>, Spanned<f64>>,
    own: &str,
    own_is: &str,
    problem: &mut dyn FnMut(Range<usize>, String),
) -> BTreeMap<String, f64> {
    let mut rates = BTreeMap::new();
    for (code, rate) in table {
        let name = code.get_ref();
        if name == own {
            problem(code.span(), format!("{name} is {own_is}; it needs no rate"));
            continue;
        }
        if let Some(message) = unknown_currency(name) {
            problem(code.span(), message);
            continue;
        }
        let value = *rate.get_ref();
        if !(value.is_finite() && value > 0.0) {
            problem(
                rate.span(),
                format!("the rate of {name} must be a positive number of {own} per {name}"),
            );
            continue;
        }
        rates.insert(name.clone(), value);
    }
    rates
}
