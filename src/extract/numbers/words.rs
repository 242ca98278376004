//! Purpose: English and Romanian number words ("twenty-five thousand", "douăzeci și cinci de mii").

use super::*;

/// English words for 0–19 and the tens.
pub(super) fn english_word(word: &str) -> Option<f64> {
    Some(match word {
        "zero" | "nil" => 0.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" | "fourty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        _ => return None,
    })
}

/// Romanian words for 0–19 and the tens, folded (șase → sase), with colloquial short forms.
pub(super) fn romanian_word(word: &str) -> Option<f64> {
    Some(match word {
        "zero" => 0.0,
        "unu" | "una" => 1.0,
        "doi" | "doua" => 2.0,
        "trei" => 3.0,
        "patru" => 4.0,
        "cinci" => 5.0,
        "sase" => 6.0,
        "sapte" => 7.0,
        "opt" => 8.0,
        "noua" => 9.0,
        "zece" => 10.0,
        "unsprezece" | "unspe" => 11.0,
        "doisprezece" | "douasprezece" | "doispe" => 12.0,
        "treisprezece" | "treispe" => 13.0,
        "paisprezece" | "paispe" => 14.0,
        "cincisprezece" | "cinspe" => 15.0,
        "saisprezece" | "saispe" => 16.0,
        "saptesprezece" | "saptespe" => 17.0,
        "optsprezece" | "optspe" => 18.0,
        "nouasprezece" | "nouaspe" => 19.0,
        "douazeci" => 20.0,
        "treizeci" => 30.0,
        "patruzeci" => 40.0,
        "cincizeci" => 50.0,
        "saizeci" => 60.0,
        "saptezeci" => 70.0,
        "optzeci" => 80.0,
        "nouazeci" => 90.0,
        _ => return None,
    })
}

/// A word for 0–99 in the locale (English is read everywhere).
pub(super) fn small_word(word: &str, locale: Locale) -> Option<f64> {
    match locale {
        Locale::Ro => romanian_word(word).or_else(|| english_word(word)),
        _ => english_word(word),
    }
}

/// Words for a hundred ("hundred", "sută"/"sute").
pub(super) fn hundred_word(word: &str) -> bool {
    matches!(word, "hundred" | "hundreds" | "suta" | "sute")
}

/// "a"/"an"/"o"/"un": one, but only right before a scale word ("a hundred", "o mie").
pub(super) fn article_one(word: &str) -> bool {
    matches!(word, "a" | "an" | "one" | "o" | "un" | "una")
}

/// Reads a number written in words from token `i`: "one hundred and five", "două sute cincizeci".
pub(super) fn read_words(tokens: &[Tok], i: usize, locale: Locale) -> Option<NumSpan> {
    let word_at = |k: usize| {
        tokens
            .get(k)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| t.text)
    };
    let first = word_at(i)?;
    // "half a million"
    if first == "half"
        && word_at(i + 1) == Some("a")
        && let Some(s) = word_at(i + 2).and_then(scale_word)
        && s >= 1e3
    {
        let end = tokens.get(i + 2).map_or(0, |t| t.end);
        let start = tokens.get(i).map_or(0, |t| t.start);
        return Some(NumSpan {
            start,
            end,
            value: 0.5 * s,
            base: 0.5,
            scale: s,
            words: true,
            first_token: i,
            end_token: i + 3,
        });
    }
    let mut total = 0.0;
    let mut current = 0.0;
    let mut any = false;
    let mut last: Option<&str> = None; // "unit", "tens", "hundred", "scale"
    let mut last_scale = 0.0;
    let mut k = i;
    let mut end_token = i;
    while let Some(tok) = tokens.get(k) {
        let w = tok.text;
        let is_hyphen = tok.kind == TokKind::Sym && w == "-";
        if tok.kind != TokKind::Word && !is_hyphen {
            break;
        }
        if is_hyphen {
            if last == Some("tens")
                && word_at(k + 1)
                    .and_then(|n| small_word(n, locale))
                    .is_some_and(|v| v < 10.0)
            {
                k += 1;
                continue;
            }
            break;
        }
        if let Some(v) = small_word(w, locale) {
            let ok = match last {
                None | Some("hundred") | Some("scale") | Some("join") => true,
                Some("tens") => v < 10.0,
                _ => false,
            };
            if !ok {
                break;
            }
            current += v;
            last = Some(if v >= 20.0 { "tens" } else { "unit" });
            any = true;
            k += 1;
            end_token = k;
            continue;
        }
        if article_one(w) && last.is_none() {
            let next = word_at(k + 1);
            let next_is_scale = next.is_some_and(|n| {
                hundred_word(n) || scale_word(n).is_some_and(|s| s >= 1e3) || n == "dozen"
            });
            if next_is_scale {
                current = 1.0;
                last = Some("unit");
                any = true;
                k += 1;
                end_token = k;
                continue;
            }
            break;
        }
        if hundred_word(w) && any {
            current = current.max(1.0) * 100.0;
            last = Some("hundred");
            k += 1;
            end_token = k;
            continue;
        }
        if w == "dozen" && any {
            current = current.max(1.0) * 12.0;
            last = Some("hundred");
            k += 1;
            end_token = k;
            continue;
        }
        if let Some(s) = scale_word(w).filter(|&s| s >= 1e3 && w.len() > 1) {
            if !any {
                break;
            }
            total += current.max(1.0) * s;
            last_scale = s;
            current = 0.0;
            last = Some("scale");
            k += 1;
            end_token = k;
            continue;
        }
        if w == "de" && locale == Locale::Ro && any {
            if word_at(k + 1).and_then(scale_word).is_some() {
                k += 1;
                continue;
            }
            break;
        }
        let joiner = match locale {
            Locale::Ro => w == "si",
            _ => w == "and",
        };
        if joiner && matches!(last, Some("hundred") | Some("scale") | Some("tens")) {
            let next_small = word_at(k + 1).and_then(|n| small_word(n, locale));
            let fits = match last {
                Some("tens") => locale == Locale::Ro && next_small.is_some_and(|v| v < 10.0),
                _ => next_small.is_some(),
            };
            if fits {
                last = Some("join");
                k += 1;
                continue;
            }
        }
        if w == "point" && any {
            if let Some(frac) = decimal_digits(tokens, k + 1, locale) {
                let (fraction, used) = frac;
                current += fraction;
                k += 1 + used;
                end_token = k;
            }
            break;
        }
        break;
    }
    if !any {
        return None;
    }
    // A number that ends on a scale word keeps it as its scale ("twenty thousand" = 20 × 1000),
    // so a range's lower end can borrow it.
    let (base, scale) = if current == 0.0 && last == Some("scale") && last_scale > 0.0 {
        (total / last_scale, last_scale)
    } else {
        (total + current, 1.0)
    };
    let span = with_scales(tokens, i, end_token, (base, scale), true, locale);
    Some(span)
}

/// The digits after "point", read one by one ("one point three" → 0.3).
pub(super) fn decimal_digits(tokens: &[Tok], from: usize, locale: Locale) -> Option<(f64, usize)> {
    let first = tokens.get(from)?;
    if first.kind == TokKind::Digits {
        let text = first.text;
        if text.chars().all(|c| c.is_ascii_digit()) {
            return format!("0.{text}").parse::<f64>().ok().map(|v| (v, 1));
        }
        return None;
    }
    let mut digits = String::new();
    let mut used = 0;
    while let Some(tok) = tokens.get(from + used) {
        match small_word(tok.text, locale) {
            Some(v) if v < 10.0 && tok.kind == TokKind::Word => {
                digits.push(char::from(b'0' + v as u8));
                used += 1;
            }
            _ => break,
        }
    }
    if digits.is_empty() {
        return None;
    }
    format!("0.{digits}").parse::<f64>().ok().map(|v| (v, used))
}
