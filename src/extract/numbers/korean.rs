//! Purpose: Korean numbers: Sino-Korean with units (이천칠백삼십오만, 1억 5천만) and native (스물다섯).

use super::*;

/// Sino-Korean digit syllables: 일 1 … 구 9 (영/공 0).
pub(super) fn sino_digit(c: char) -> Option<f64> {
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

/// Units inside a group of four digits: 십 10, 백 100, 천 1000.
pub(super) fn small_unit(c: char) -> Option<f64> {
    Some(match c {
        '십' => 10.0,
        '백' => 100.0,
        '천' => 1000.0,
        _ => return None,
    })
}

/// Units of groups of four digits: 만 10⁴, 억 10⁸, 조 10¹².
pub(super) fn big_unit(c: char) -> Option<f64> {
    Some(match c {
        '만' => 1e4,
        '억' => 1e8,
        '조' => 1e12,
        _ => return None,
    })
}

/// Native Korean numbers (하나, 스물다섯), full and before-counter forms.
pub(super) const NATIVE_TENS: &[(&str, f64)] = &[
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

/// Native Korean ones, with the short forms used before counters (한 명, 두 달).
pub(super) const NATIVE_UNITS: &[(&str, f64)] = &[
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
pub(super) const KOREAN_NOT_NUMBERS: &[&str] = &[
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

/// Counters and currencies after a Korean numeral ("원", "명", "개월"...).
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

/// Particles and amount words that may follow a Korean numeral besides a counter ("정도",
/// "이상", "까지", "입니다"...).
const AMOUNT_PARTICLES: &[&str] = &[
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
    "가량",
    "내외",
    "안",
    "내",
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
    "사이",
    "명이",
];

/// Syllables that may follow a Korean numeral (counters, currencies, particles of amount).
pub(super) fn korean_suffix_ok(rest: &str) -> bool {
    rest.is_empty()
        || COUNTERS
            .iter()
            .chain(AMOUNT_PARTICLES)
            .any(|suffix| rest.starts_with(suffix))
}

/// Counters and currencies that let a lone digit syllable stand as a number ("구파운드", "삼년").
pub(super) fn korean_counter_follows(rest: &str) -> bool {
    COUNTERS.iter().any(|counter| rest.starts_with(counter))
}

/// Whether a Hangul run begins with a unit that continues a number ("500만").
pub(super) fn starts_with_unit(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| small_unit(c).is_some() || big_unit(c).is_some())
}

/// Sino-Korean numerals, with Arabic digits mixed in: "이천칠백삼십오만", "1억 5천만", "500만",
/// "일점이삼". Numerals must start the Hangul run and be followed by a counter, currency or
/// particle, so that words like "이번" or "오늘" are not read as numbers.
pub(super) fn read_korean(tokens: &[Tok], i: usize) -> Option<NumSpan> {
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
    // A bare digit after 억 stays a digit ("일억이" = 100,000,002).
    if last_scale >= 1e8 && section > 0.0 && (section + tail) < 1e4 {
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
        // "오 파운드": a currency word may also follow after a space.
        let currency_next = rest_of_token.is_empty()
            && tokens.get(end_token).is_some_and(|next| {
                next.kind == TokKind::Hangul
                    && ["원", "달러", "불", "유로", "파운드", "센트", "엔", "위안"]
                        .iter()
                        .any(|c| next.text.starts_with(c))
            });
        if !saw_unit
            && fraction_len == 0
            && !korean_counter_follows(rest_of_token)
            && !currency_next
        {
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

/// Native Korean numbers ("스물다섯", "열두 명", "한 달"); short forms only before a counter.
pub(super) fn read_native_korean(tokens: &[Tok], i: usize) -> Option<NumSpan> {
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
    // "둘째", "두 번째" are ordinals, read by `ordinal_in`, not counts.
    let ordinal_next = tokens
        .get(i + 1)
        .is_some_and(|n| n.text.starts_with("번째"));
    if rest.starts_with('째') || rest.starts_with("번째") || (rest.is_empty() && ordinal_next) {
        return None;
    }
    let ok = if short_form {
        COUNTERS.iter().any(|counter| rest.starts_with(counter))
            || (rest.is_empty() && next_counter())
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
