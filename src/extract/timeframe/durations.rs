//! Purpose: rules for durations: "in 3 weeks", "within 2 months", "3개월 안에", "în 3 luni", "3 weeks ago".

use super::*;

/// The window `n` units after today: a day, or a week/month/quarter/year starting then.
pub(super) fn shift_window(today: NaiveDate, unit: Unit, n: i64) -> Window {
    match unit {
        Unit::Day => Window::day(add_days(today, n)),
        Unit::Week => {
            let start = add_days(today, 7 * n);
            Window::new(start, add_days(start, 6))
        }
        Unit::Month => {
            let start = add_months(today, n);
            Window::new(start, add_days(add_months(start, 1), -1))
        }
        Unit::Quarter => {
            let start = add_months(today, 3 * n);
            Window::new(start, add_days(add_months(start, 3), -1))
        }
        Unit::Year => {
            let start = add_months(today, 12 * n);
            Window::new(start, add_days(add_months(start, 12), -1))
        }
    }
}

/// Today moved by `n` units.
pub(super) fn advance(today: NaiveDate, unit: Unit, n: i64) -> NaiveDate {
    match unit {
        Unit::Day => add_days(today, n),
        Unit::Week => add_days(today, 7 * n),
        Unit::Month => add_months(today, n),
        Unit::Quarter => add_months(today, 3 * n),
        Unit::Year => add_months(today, 12 * n),
    }
}

/// The grain a duration unit gives its hit.
pub(super) fn unit_grain(unit: Unit) -> Grain {
    match unit {
        Unit::Day => Grain::Day,
        Unit::Week => Grain::Week,
        Unit::Month => Grain::Month,
        Unit::Quarter => Grain::Quarter,
        Unit::Year => Grain::Year,
    }
}

/// A count or count range: "3" → (3, 3), "2-3" / "2 or 3" → (2, 3), "a few" → (3, 3).
pub(super) fn count_range(text: &str) -> Option<(i64, i64)> {
    let numbers: Vec<i64> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|part| part.parse().ok())
        .collect();
    let (low, high) = match numbers.as_slice() {
        [n] => (*n, *n),
        [low, high, ..] => (*low, *high),
        [] => {
            let n = count_of(text)?;
            (n, n)
        }
    };
    let low = low.clamp(0, 1000);
    Some((low, high.clamp(low, 1000)))
}

/// Unit words in the plural, which alone ("the coming months") mean a few of them.
pub(super) fn plural_unit(word: &str) -> bool {
    matches!(
        word,
        "days" | "weeks" | "months" | "years" | "quarters" | "zile" | "saptamani" | "luni" | "ani"
    )
}

/// "in 2-3 months": from the low end to the end of the high end's unit.
pub(super) fn in_duration(today: NaiveDate, unit: Unit, (low, high): (i64, i64)) -> Window {
    let first = shift_window(today, unit, low);
    let last = shift_window(today, unit, high);
    Window {
        start: first.start,
        end: last.end,
    }
}

/// A bare "6 months" is a duration, but not "azi" (a + zi), "3분기" (Q3) or "3일" (the 3rd).
pub(super) fn bare_duration_ok(caps: &Captures) -> bool {
    let (Some(count), Some(unit)) = (caps.get(1), caps.get(2)) else {
        return false;
    };
    let spaced = count.end() < unit.start();
    let digits = count.as_str().starts_with(|c: char| c.is_ascii_digit());
    (digits || spaced) && !matches!(unit.as_str(), "분기" | "일" | "해")
}

/// A count range and unit read from two capture groups.
pub(super) type CountedUnit = (Option<(i64, i64)>, Unit, String);

/// Reads a count (or count range) and its unit from two capture groups.
pub(super) fn counted_unit(
    caps: &Captures,
    count_group: usize,
    unit_group: usize,
) -> Option<CountedUnit> {
    let count = capture_text(caps, count_group).and_then(count_range);
    let unit_word = capture_text(caps, unit_group)?;
    Some((count, unit_of(unit_word)?, unit_word.to_string()))
}

/// "in 3 weeks" (a point: the window of that week), "within 3 months" (today to then),
/// "3개월 안에", "în următoarele 2 săptămâni", "the coming months", "3 weeks ago".
pub(super) fn duration_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    for caps in IN_DURATION_RE.captures_iter(ctx.text) {
        let Some((Some(counts), unit, _)) =
            counted_unit(&caps, 1, 2).or_else(|| counted_unit(&caps, 3, 4))
        else {
            continue;
        };
        if let Some(h) = hit(
            in_duration(ctx.today, unit, counts),
            &caps,
            unit_grain(unit),
        ) {
            hits.push(h);
        }
    }
    if let Some(caps) = BARE_DURATION_RE.captures(ctx.text)
        && bare_duration_ok(&caps)
        && let Some((Some(counts), unit, _)) = counted_unit(&caps, 1, 2)
        && let Some(h) = hit(
            in_duration(ctx.today, unit, counts),
            &caps,
            unit_grain(unit),
        )
    {
        hits.push(h);
    }
    for caps in WITHIN_RE.captures_iter(ctx.text) {
        let Some((counts, unit, word)) =
            counted_unit(&caps, 1, 2).or_else(|| counted_unit(&caps, 3, 4))
        else {
            continue;
        };
        // "the coming months" without a count means a few; "next week" is a calendar week.
        let counts = match counts {
            Some(c) => c,
            None if plural_unit(&word) => (3, 3),
            None => continue,
        };
        let end = advance(ctx.today, unit, counts.1);
        if let Some(h) = hit(Window::new(ctx.today, end), &caps, unit_grain(unit)) {
            hits.push(h);
        }
    }
    for caps in KO_DURATION_RE.captures_iter(ctx.text) {
        let Some((Some(counts), unit, _)) = counted_unit(&caps, 1, 2) else {
            continue;
        };
        let window = match capture_text(&caps, 3).unwrap_or("") {
            "후에" | "후" | "뒤에" | "뒤" | "지나서" => {
                in_duration(ctx.today, unit, counts)
            }
            "전에" | "전" | "이전에" | "이전" => shift_window(ctx.today, unit, -counts.1),
            _ => Window::new(ctx.today, advance(ctx.today, unit, counts.1)),
        };
        if let Some(h) = hit(window, &caps, unit_grain(unit)) {
            hits.push(h);
        }
    }
    // "the last 2 weeks", "지난 2주": from then until today.
    for caps in PAST_SPAN_RE.captures_iter(ctx.text) {
        let Some((Some(counts), unit, _)) =
            counted_unit(&caps, 1, 2).or_else(|| counted_unit(&caps, 3, 4))
        else {
            continue;
        };
        let start = advance(ctx.today, unit, -counts.1);
        if let Some(h) = hit(Window::new(start, ctx.today), &caps, unit_grain(unit)) {
            hits.push(h);
        }
    }
    // "다음 3주", "앞으로 2개월": from today until then.
    for caps in KO_NEXT_SPAN_RE.captures_iter(ctx.text) {
        let Some((Some(counts), unit, _)) = counted_unit(&caps, 1, 2) else {
            continue;
        };
        let end = advance(ctx.today, unit, counts.1);
        if let Some(h) = hit(Window::new(ctx.today, end), &caps, unit_grain(unit)) {
            hits.push(h);
        }
    }
    for caps in WITHIN_PERIOD_RE.captures_iter(ctx.text) {
        let unit_word = capture_text(&caps, 1)
            .or(capture_text(&caps, 2))
            .or(capture_text(&caps, 3))
            .or(capture_text(&caps, 4))
            .map(|w| match w {
                "saptamanii" => "week",
                "lunii" => "month",
                "anului" => "year",
                other => other,
            });
        let Some(unit) = unit_word.and_then(unit_of) else {
            continue;
        };
        let window = period_window(ctx.today, unit, 0)
            .and_then(|w| w.end)
            .map(|end| Window::new(ctx.today, end));
        if let Some(h) = window.and_then(|w| hit(w, &caps, unit_grain(unit))) {
            hits.push(h);
        }
    }
    for caps in AGO_RE.captures_iter(ctx.text) {
        let count = capture_text(&caps, 1)
            .or(capture_text(&caps, 3))
            .and_then(count_of);
        let unit = capture_text(&caps, 2)
            .or(capture_text(&caps, 4))
            .and_then(unit_of);
        let (Some(n), Some(unit)) = (count, unit) else {
            continue;
        };
        if let Some(h) = hit(
            shift_window(ctx.today, unit, -n.clamp(0, 1000)),
            &caps,
            unit_grain(unit),
        ) {
            hits.push(h);
        }
    }
    hits
}
