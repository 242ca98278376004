//! Purpose: find numbers written in digits or words (English, Korean, Romanian), with scale
//! words ("20 thousand", "2,5 milioane", "1억 5천만"), as spans that money and timeframe share.

use super::tokens::{Tok, TokKind, is_hangul, parse_digits, tokenize};
use crate::locale::Locale;

/// A number found in folded text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumSpan {
    /// Byte offset of the number's first character in the folded text.
    pub start: usize,
    /// Byte offset just past the number (scale words included).
    pub end: usize,
    /// The value, scale applied.
    pub value: f64,
    /// The value before the trailing scale ("20" in "20k"), used to spread a scale over ranges.
    pub base: f64,
    /// The trailing scale (1 when none): 1000 for "k", 10 000 for "만".
    pub scale: f64,
    /// True when written (at least partly) in words.
    pub words: bool,
    /// Index of the first token of the number.
    pub first_token: usize,
    /// Index just past the number's last token.
    pub end_token: usize,
}

/// Scale words and suffixes, in folded form, of every language (mixed-language chat is common).
pub fn scale_word(word: &str) -> Option<f64> {
    Some(match word {
        "k" | "thousand" | "thousands" | "grand" | "thou" | "mie" | "mii" => 1e3,
        "lakh" | "lakhs" | "lac" => 1e5,
        "crore" | "crores" => 1e7,
        "m" | "mm" | "mn" | "mil" | "mio" | "mln" | "million" | "millions" | "milion"
        | "milioane" | "milioana" => 1e6,
        "b" | "bn" | "billion" | "billions" | "miliard" | "miliarde" | "bil" => 1e9,
        "trillion" | "trillions" | "trilion" | "trilioane" => 1e12,
        _ => return None,
    })
}

fn english_word(word: &str) -> Option<f64> {
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

fn romanian_word(word: &str) -> Option<f64> {
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

fn small_word(word: &str, locale: Locale) -> Option<f64> {
    match locale {
        Locale::Ro => romanian_word(word).or_else(|| english_word(word)),
        _ => english_word(word),
    }
}

fn hundred_word(word: &str) -> bool {
    matches!(word, "hundred" | "hundreds" | "suta" | "sute")
}

/// "a"/"an"/"o"/"un": one, but only right before a scale word ("a hundred", "o mie").
fn article_one(word: &str) -> bool {
    matches!(word, "a" | "an" | "one" | "o" | "un" | "una")
}

fn sino_digit(c: char) -> Option<f64> {
    Some(match c {
        '영' | '공' => 0.0,
        '일' => 1.0,
        '이' => 2.0,
        '삼' => 3.0,
        '사' => 4.0,
        '오' => 5.0,
        '육' | '륙' => 6.0,
        '칠' => 7.0,
        '팔' => 8.0,
        '구' => 9.0,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<f64> {
    Some(match c {
        '십' => 10.0,
        '백' => 100.0,
        '천' => 1000.0,
        _ => return None,
    })
}

fn big_unit(c: char) -> Option<f64> {
    Some(match c {
        '만' => 1e4,
        '억' => 1e8,
        '조' => 1e12,
        _ => return None,
    })
}

/// Native Korean numbers (하나, 스물다섯), full and before-counter forms.
const NATIVE_TENS: &[(&str, f64)] = &[
    ("스물", 20.0),
    ("스무", 20.0),
    ("서른", 30.0),
    ("마흔", 40.0),
    ("쉰", 50.0),
    ("예순", 60.0),
    ("일흔", 70.0),
    ("여든", 80.0),
    ("아흔", 90.0),
    ("열", 10.0),
];
const NATIVE_UNITS: &[(&str, f64)] = &[
    ("하나", 1.0),
    ("다섯", 5.0),
    ("여섯", 6.0),
    ("일곱", 7.0),
    ("여덟", 8.0),
    ("아홉", 9.0),
    ("둘", 2.0),
    ("셋", 3.0),
    ("넷", 4.0),
    ("한", 1.0),
    ("두", 2.0),
    ("세", 3.0),
    ("서", 3.0),
    ("네", 4.0),
    ("석", 3.0),
    ("넉", 4.0),
];

/// Words that begin with numeral syllables but are not numbers ("이번" this, "오늘" today).
const KOREAN_NOT_NUMBERS: &[&str] = &[
    "이번",
    "이상",
    "이하",
    "이내",
    "일요일",
    "오늘",
    "사이",
    "이요",
    "오전",
    "오후",
    "일단",
    "이제",
    "사용",
    "구매",
    "이미",
    "이거",
    "이것",
    "이게",
    "이렇",
    "이런",
    "일정",
    "일반",
    "구독",
    "사실",
    "오픈",
    "이메일",
    "사업",
    "사장",
    "사람",
    "구입",
    "이후",
    "이전",
    "이월",
    "일시",
    "삼성",
    "세금",
    "네이버",
    "이용",
    "오래",
    "일찍",
    "이달",
    "사월",
    "오월",
    "구월",
    "일월",
    "칠월",
    "팔월",
    "삼월",
    "육월",
    "유월",
    "시월",
    "십일월",
    "십이월",
    "한번",
    "한국",
    "한달",
    "두달",
    "세달",
    "네달",
];

/// Syllables that may follow a Korean numeral (counters, currencies, particles of amount).
fn korean_suffix_ok(rest: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "원",
        "달러",
        "불",
        "유로",
        "센트",
        "파운드",
        "엔",
        "위안",
        "년",
        "개월",
        "달",
        "주",
        "일",
        "분기",
        "월",
        "명",
        "개",
        "번",
        "시",
        "정도",
        "쯤",
        "이상",
        "이하",
        "미만",
        "초과",
        "까지",
        "부터",
        "에서",
        "에",
        "은",
        "는",
        "이",
        "가",
        "을",
        "를",
        "도",
        "만",
        "억",
        "천",
        "백",
        "살",
        "가량",
        "내외",
        "안",
        "내",
        "주일",
        "퍼센트",
        "프로",
        "째",
        "약",
        "씩",
        "요",
        "입니다",
        "이요",
        "이에요",
        "예요",
        "위",
        "대",
        "건",
        "회",
        "사이",
        "명이",
    ];
    rest.is_empty() || SUFFIXES.iter().any(|s| rest.starts_with(s))
}

/// Counters and currencies that let a lone digit syllable stand as a number ("구파운드", "삼년").
fn korean_counter_follows(rest: &str) -> bool {
    const COUNTERS: &[&str] = &[
        "원",
        "달러",
        "불",
        "유로",
        "센트",
        "파운드",
        "엔",
        "위안",
        "년",
        "개월",
        "달",
        "주",
        "일",
        "분기",
        "월",
        "명",
        "개",
        "번",
        "시",
        "살",
        "회",
        "건",
        "퍼센트",
        "프로",
        "층",
        "배",
        "주일",
    ];
    COUNTERS.iter().any(|c| rest.starts_with(c))
}

/// The folded text's numbers, in order, with spans. `locale` picks the number words; digits and
/// English scale suffixes are read in every locale.
pub fn scan(folded: &str, locale: Locale) -> Vec<NumSpan> {
    let tokens = tokenize(folded);
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(span) = read_at(&tokens, i, locale) {
            i = span.end_token.max(i + 1);
            found.push(span);
        } else {
            i += 1;
        }
    }
    found
}

fn read_at(tokens: &[Tok], i: usize, locale: Locale) -> Option<NumSpan> {
    let tok = tokens.get(i)?;
    match tok.kind {
        TokKind::Digits => {
            let value = parse_digits(tok.text)?;
            let glued_hangul = tokens.get(i + 1).is_some_and(|n| {
                n.kind == TokKind::Hangul && n.start == tok.end && starts_with_unit(n.text)
            });
            if glued_hangul {
                return read_korean(tokens, i);
            }
            // "1 point 5"
            let is_point = tokens.get(i + 1).is_some_and(|t| t.text == "point");
            if is_point && let Some((fraction, used)) = decimal_digits(tokens, i + 2, locale) {
                return Some(with_scales(
                    tokens,
                    i,
                    i + 2 + used,
                    (value + fraction, 1.0),
                    true,
                    locale,
                ));
            }
            Some(with_scales(tokens, i, i + 1, (value, 1.0), false, locale))
        }
        TokKind::Hangul => read_korean(tokens, i).or_else(|| read_native_korean(tokens, i)),
        TokKind::Word => read_words(tokens, i, locale),
        TokKind::Sym => None,
    }
}

fn starts_with_unit(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| small_unit(c).is_some() || big_unit(c).is_some())
}

/// Applies trailing scale words: "20k", "2,5 milioane", "20 de mii", "1.5 million".
fn with_scales(
    tokens: &[Tok],
    first: usize,
    mut next: usize,
    (base, mut scale): (f64, f64),
    words: bool,
    locale: Locale,
) -> NumSpan {
    let mut end = tokens.get(next.saturating_sub(1)).map_or(0, |t| t.end);
    while let Some(tok) = tokens.get(next) {
        if tok.kind != TokKind::Word {
            break;
        }
        if locale == Locale::Ro && tok.text == "de" {
            let after = tokens.get(next + 1);
            if let Some(s) = after
                .filter(|t| t.kind == TokKind::Word)
                .and_then(|t| scale_word(t.text))
                && s >= 1e3
                && !matches!(after.map(|t| t.text), Some("m" | "k" | "b"))
            {
                scale *= s;
                end = after.map_or(end, |t| t.end);
                next += 2;
                continue;
            }
            break;
        }
        let glued = tok.start == end;
        let Some(s) = scale_word(tok.text) else { break };
        // Single-letter suffixes only count when glued ("10k", "5m") or clearly standalone "k".
        if tok.text.len() == 1 && !glued && tok.text != "k" {
            break;
        }
        scale *= s;
        end = tok.end;
        next += 1;
    }
    let start = tokens.get(first).map_or(0, |t| t.start);
    NumSpan {
        start,
        end,
        value: base * scale,
        base,
        scale,
        words,
        first_token: first,
        end_token: next,
    }
}

fn read_words(tokens: &[Tok], i: usize, locale: Locale) -> Option<NumSpan> {
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

fn decimal_digits(tokens: &[Tok], from: usize, locale: Locale) -> Option<(f64, usize)> {
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

/// Sino-Korean numerals, with Arabic digits mixed in: "이천칠백삼십오만", "1억 5천만", "500만",
/// "일점이삼". Numerals must start the Hangul run and be followed by a counter, currency or
/// particle, so that words like "이번" or "오늘" are not read as numbers.
fn read_korean(tokens: &[Tok], i: usize) -> Option<NumSpan> {
    let first = tokens.get(i)?;
    if first.kind == TokKind::Hangul
        && KOREAN_NOT_NUMBERS.iter().any(|w| first.text.starts_with(w))
        && !first.text.starts_with("이달러")
    {
        return None;
    }
    let mut total = 0.0;
    let mut section = 0.0;
    let mut pending: Option<f64> = None;
    let mut fraction: Option<String> = None;
    let mut any_numeral = false;
    let mut saw_unit = false;
    let mut last_scale = 1.0;
    let mut base_before_scale = 0.0;
    let mut end = first.start;
    let mut end_token = i;
    let mut k = i;
    let mut hangul_only = true;
    'tokens: while let Some(tok) = tokens.get(k) {
        if k > i {
            let prev_end = tokens.get(k - 1).map_or(0, |t| t.end);
            let spaced = tok.start != prev_end;
            let continues = match tok.kind {
                TokKind::Digits => saw_unit && pending.is_none() && (section > 0.0 || total > 0.0),
                TokKind::Hangul => tok.text.chars().next().is_some_and(|c| {
                    small_unit(c).is_some()
                        || big_unit(c).is_some()
                        || (saw_unit && sino_digit(c).is_some() && spaced)
                }),
                _ => false,
            };
            if !continues || (spaced && tok.kind == TokKind::Hangul && !saw_unit) {
                break;
            }
            if tok.kind == TokKind::Hangul
                && KOREAN_NOT_NUMBERS.iter().any(|w| tok.text.starts_with(w))
            {
                break;
            }
        }
        match tok.kind {
            TokKind::Digits => {
                if pending.is_some() {
                    break;
                }
                pending = Some(parse_digits(tok.text)?);
                hangul_only = false;
                any_numeral = true;
                end = tok.end;
                end_token = k + 1;
            }
            TokKind::Hangul => {
                for (offset, c) in tok.text.char_indices() {
                    if let Some(frac) = fraction.as_mut() {
                        if let Some(d) = sino_digit(c) {
                            frac.push(char::from(b'0' + d as u8));
                            end = tok.start + offset + c.len_utf8();
                            continue;
                        }
                        if let Some(u) = big_unit(c).filter(|_| !frac.is_empty()) {
                            // "이점오억" = 2.5 × 10⁸
                            let fraction_value = format!("0.{frac}").parse::<f64>().unwrap_or(0.0);
                            let group = section + pending.take().unwrap_or(0.0) + fraction_value;
                            total += group * u;
                            base_before_scale = group;
                            last_scale = u;
                            section = 0.0;
                            fraction = None;
                            saw_unit = true;
                            end = tok.start + offset + c.len_utf8();
                            continue;
                        }
                        break 'tokens;
                    }
                    if let Some(d) = sino_digit(c) {
                        if pending.is_some() {
                            break 'tokens;
                        }
                        pending = Some(d);
                        any_numeral = true;
                    } else if let Some(u) = small_unit(c) {
                        section += pending.take().unwrap_or(1.0) * u;
                        any_numeral = true;
                        saw_unit = true;
                    } else if let Some(u) = big_unit(c) {
                        let group = section + pending.take().unwrap_or(0.0);
                        let group = if group == 0.0 { 1.0 } else { group };
                        total += group * u;
                        base_before_scale = group;
                        last_scale = u;
                        section = 0.0;
                        any_numeral = true;
                        saw_unit = true;
                    } else if (c == '점' || c == '쩜') && (pending.is_some() || section > 0.0) {
                        fraction = Some(String::new());
                    } else {
                        if !any_numeral {
                            return None;
                        }
                        end_token = k + 1;
                        break 'tokens;
                    }
                    end = tok.start + offset + c.len_utf8();
                }
                end_token = k + 1;
            }
            _ => break,
        }
        k += 1;
    }
    if !any_numeral {
        return None;
    }
    let fraction_len = fraction.as_ref().map_or(0, String::len);
    let mut tail = pending.unwrap_or(0.0);
    if let Some(frac) = fraction.filter(|f| !f.is_empty()) {
        tail += format!("0.{frac}").parse::<f64>().unwrap_or(0.0);
    }
    // Colloquial Korean drops the smaller big unit after a larger one: "1억 2천" = 1억 2천만,
    // "일억오천" = 1억 5천만.
    if last_scale >= 1e8 && (section + tail) > 0.0 && (section + tail) < 1e4 {
        section = (section + tail) * (last_scale / 1e4);
        tail = 0.0;
    }
    let value = total + section + tail;
    if let (Some(prev), TokKind::Hangul) =
        (i.checked_sub(1).and_then(|p| tokens.get(p)), first.kind)
        && prev.end == first.start
        && prev.kind == TokKind::Digits
        && !starts_with_unit(first.text)
    {
        return None; // "3일", "15일에": a counter after digits, not another number.
    }
    if hangul_only {
        let rest_of_token = tokens.get(end_token.saturating_sub(1)).map_or("", |t| {
            if end >= t.start && end <= t.end {
                &t.text[end - t.start..]
            } else {
                ""
            }
        });
        if !korean_suffix_ok(rest_of_token) {
            return None;
        }
        // A lone digit syllable ("오는", "이가") is a number only before a counter or currency.
        if !saw_unit && fraction_len == 0 && !korean_counter_follows(rest_of_token) {
            return None;
        }
    }
    let (base, scale) = if total > 0.0 && section == 0.0 && tail == 0.0 {
        (base_before_scale, last_scale)
    } else {
        (value, 1.0)
    };
    let start = first.start;
    // If the number stopped inside a Hangul token, the span ends mid-token; `end_token` then
    // points past that token so callers look at the remaining suffix through `end`.
    Some(NumSpan {
        start,
        end,
        value,
        base,
        scale,
        words: hangul_only,
        first_token: i,
        end_token,
    })
}

fn read_native_korean(tokens: &[Tok], i: usize) -> Option<NumSpan> {
    let tok = tokens.get(i)?;
    let text = tok.text;
    let mut value = 0.0;
    let mut rest = text;
    if let Some((word, v)) = NATIVE_TENS.iter().find(|(w, _)| rest.starts_with(w)) {
        value += v;
        rest = &rest[word.len()..];
    }
    if let Some((word, v)) = NATIVE_UNITS.iter().find(|(w, _)| rest.starts_with(w)) {
        value += v;
        rest = &rest[word.len()..];
    }
    if value == 0.0 {
        return None;
    }
    let consumed = text.len() - rest.len();
    let prefix = &text[..consumed];
    let short_form = matches!(
        prefix,
        "한" | "두" | "세" | "서" | "네" | "석" | "넉" | "스무"
    );
    const COUNTERS: &[&str] = &[
        "달", "명", "개", "주", "번", "해", "살", "시간", "분기", "가지", "곳",
    ];
    let next_counter = || {
        tokens.get(i + 1).is_some_and(|n| {
            n.kind == TokKind::Hangul && COUNTERS.iter().any(|c| n.text.starts_with(c))
        })
    };
    let ok = if short_form {
        COUNTERS.iter().any(|c| rest.starts_with(c)) || (rest.is_empty() && next_counter())
    } else {
        rest.is_empty() || korean_suffix_ok(rest) || COUNTERS.iter().any(|c| rest.starts_with(c))
    };
    if !ok || rest.chars().next().is_some_and(|c| !is_hangul(c)) {
        return None;
    }
    Some(NumSpan {
        start: tok.start,
        end: tok.start + consumed,
        value,
        base: value,
        scale: 1.0,
        words: true,
        first_token: i,
        end_token: i + 1,
    })
}

/// Ordinal words and forms ("second", "3rd", "a doua", "al treilea", "두 번째") → position from 1.
pub fn ordinal_in(folded: &str) -> Option<u32> {
    const WORDS: &[(&str, u32)] = &[
        ("first", 1),
        ("second", 2),
        ("third", 3),
        ("fourth", 4),
        ("fifth", 5),
        ("sixth", 6),
        ("seventh", 7),
        ("eighth", 8),
        ("ninth", 9),
        ("tenth", 10),
        ("primul", 1),
        ("prima", 1),
        ("primu", 1),
        ("intai", 1),
        ("intaiul", 1),
        ("doilea", 2),
        ("doua", 2),
        ("treilea", 3),
        ("treia", 3),
        ("patrulea", 4),
        ("patra", 4),
        ("cincilea", 5),
        ("cincea", 5),
        ("saselea", 6),
        ("sasea", 6),
        ("saptelea", 7),
        ("saptea", 7),
        ("optulea", 8),
        ("opta", 8),
        ("noualea", 9),
        ("zecelea", 10),
        ("zecea", 10),
    ];
    const KOREAN: &[(&str, u32)] = &[
        ("첫", 1),
        ("한", 1),
        ("둘", 2),
        ("두", 2),
        ("셋", 3),
        ("세", 3),
        ("넷", 4),
        ("네", 4),
        ("다섯", 5),
        ("여섯", 6),
        ("일곱", 7),
        ("여덟", 8),
        ("아홉", 9),
        ("열", 10),
    ];
    let tokens = tokenize(folded);
    for (idx, tok) in tokens.iter().enumerate() {
        match tok.kind {
            TokKind::Word => {
                if let Some(&(_, n)) = WORDS.iter().find(|(w, _)| *w == tok.text) {
                    return Some(n);
                }
            }
            TokKind::Digits => {
                let next = tokens
                    .get(idx + 1)
                    .filter(|n| n.start == tok.end)
                    .map(|n| n.text);
                if matches!(
                    next,
                    Some("st" | "nd" | "rd" | "th" | "번째" | "째" | "번" | "lea" | "a")
                ) {
                    return tok.text.parse().ok();
                }
            }
            TokKind::Hangul => {
                for (word, n) in KOREAN {
                    if let Some(rest) = tok.text.strip_prefix(word) {
                        let counter_next = rest.is_empty()
                            && tokens.get(idx + 1).is_some_and(|t| {
                                t.text.starts_with("번째") || t.text.starts_with("째")
                            });
                        if rest.starts_with("째") || rest.starts_with("번째") || counter_next {
                            return Some(*n);
                        }
                    }
                }
            }
            TokKind::Sym => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::fold;

    fn values(text: &str, locale: Locale) -> Vec<f64> {
        scan(&fold(text), locale).iter().map(|s| s.value).collect()
    }

    #[test]
    fn number_phrases_in_each_language() {
        let cases: &[(&str, Locale, &[f64])] = &[
            ("twenty thousand", Locale::En, &[20_000.0]),
            ("a hundred grand", Locale::En, &[100_000.0]),
            ("twenty-five", Locale::En, &[25.0]),
            ("one hundred and five", Locale::En, &[105.0]),
            ("two point five million", Locale::En, &[2_500_000.0]),
            ("half a million", Locale::En, &[500_000.0]),
            ("a dozen", Locale::En, &[12.0]),
            ("10k", Locale::En, &[10_000.0]),
            ("1.5m", Locale::En, &[1_500_000.0]),
            ("2 bn", Locale::En, &[2e9]),
            ("between ten and twenty", Locale::En, &[10.0, 20.0]),
            ("douăzeci de mii", Locale::Ro, &[20_000.0]),
            ("2,5 milioane", Locale::Ro, &[2_500_000.0]),
            ("o sută", Locale::Ro, &[100.0]),
            ("douăzeci și cinci", Locale::Ro, &[25.0]),
            ("două sute cincizeci", Locale::Ro, &[250.0]),
            ("trei mii cinci sute", Locale::Ro, &[3500.0]),
            ("이만", Locale::Ko, &[20_000.0]),
            ("삼천만", Locale::Ko, &[30_000_000.0]),
            ("일억", Locale::Ko, &[1e8]),
            ("오백만원", Locale::Ko, &[5_000_000.0]),
            ("1억 5천만", Locale::Ko, &[150_000_000.0]),
            ("500만원", Locale::Ko, &[5_000_000.0]),
            ("3천만 원", Locale::Ko, &[30_000_000.0]),
            ("이천칠백삼십오만원", Locale::Ko, &[27_350_000.0]),
            ("일점이삼달러", Locale::Ko, &[1.23]),
            ("스물다섯", Locale::Ko, &[25.0]),
            ("이십오", Locale::Ko, &[25.0]),
            ("한 달", Locale::Ko, &[1.0]),
            ("이번 주", Locale::Ko, &[]),
            ("오늘", Locale::Ko, &[]),
            ("사이", Locale::Ko, &[]),
            ("네", Locale::Ko, &[]),
        ];
        for (text, locale, expected) in cases {
            assert_eq!(values(text, *locale), expected.to_vec(), "{text}");
        }
    }

    #[test]
    fn ordinals() {
        let cases: &[(&str, Option<u32>)] = &[
            ("the second one", Some(2)),
            ("3rd", Some(3)),
            ("a doua", Some(2)),
            ("al treilea", Some(3)),
            ("두 번째", Some(2)),
            ("첫째", Some(1)),
            ("2번", Some(2)),
            ("pro", None),
        ];
        for (text, expected) in cases {
            assert_eq!(ordinal_in(&fold(text)), *expected, "{text}");
        }
    }
}
