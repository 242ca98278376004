//! Purpose: rules for periods: this/next week, month, quarter, half, season, named months and years.

use super::*;

/// The calendar week, month, quarter or year `offset` periods from today.
pub(super) fn period_window(today: NaiveDate, unit: Unit, offset: i64) -> Option<Window> {
    match unit {
        Unit::Day => Some(Window::day(add_days(today, offset))),
        Unit::Week => Some(week_window(add_days(today, 7 * offset))),
        Unit::Month => {
            let d = add_months(today, offset);
            month_window(d.year(), d.month())
        }
        Unit::Quarter => {
            let d = add_months(today, 3 * offset);
            quarter_window(d.year(), quarter_of(d))
        }
        Unit::Year => year_window(today.year() + i32::try_from(offset).ok()?),
    }
}

/// How many periods ahead "next", "viitoare", "다음"… point (0 for "this").
pub(super) fn relative_offset(word: &str) -> i64 {
    match word {
        "next" | "the next" | "following" | "the following" | "coming" | "the coming"
        | "upcoming" | "viitoare" | "viitor" | "urmatoare" | "urmator" | "care vine" | "다음"
        | "오는" => 1,
        "last" | "previous" | "the previous" | "past" | "trecuta" | "trecut" | "지난" | "저번" => {
            -1
        }
        "다다음" => 2,
        _ => 0,
    }
}

/// "this/next week", "next quarter", "anul viitor", "다음 달", "올해", "내년".
pub(super) fn relative_period_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    for caps in RELATIVE_PERIOD_RE.captures_iter(ctx.text) {
        let (unit, offset) = if let Some(unit_word) = capture_text(&caps, 3) {
            (unit_of(unit_word), 2)
        } else {
            let unit_word = match capture_text(&caps, 2) {
                Some("qtr") => "quarter",
                other => other.unwrap_or(""),
            };
            (
                unit_of(unit_word),
                relative_offset(capture_text(&caps, 1).unwrap_or("")),
            )
        };
        let Some(unit) = unit else { continue };
        if let Some(h) =
            period_window(ctx.today, unit, offset).and_then(|w| hit(w, &caps, unit_grain(unit)))
        {
            hits.push(h);
        }
    }
    for caps in RO_RELATIVE_PERIOD_RE.captures_iter(ctx.text) {
        let whole = capture_text(&caps, 0).unwrap_or("");
        let (unit, offset) = if whole == "la anul" {
            (Some(Unit::Year), 1)
        } else {
            let unit = match capture_text(&caps, 1).unwrap_or("") {
                "saptamana" | "saptamanii" => Some(Unit::Week),
                "luna" | "lunii" => Some(Unit::Month),
                "trimestrul" | "trimestrului" => Some(Unit::Quarter),
                "anul" | "anului" => Some(Unit::Year),
                _ => None,
            };
            (unit, relative_offset(capture_text(&caps, 2).unwrap_or("")))
        };
        let Some(unit) = unit else { continue };
        if let Some(h) =
            period_window(ctx.today, unit, offset).and_then(|w| hit(w, &caps, unit_grain(unit)))
        {
            hits.push(h);
        }
    }
    for caps in KO_RELATIVE_PERIOD_RE.captures_iter(ctx.text) {
        let whole = capture_text(&caps, 0).unwrap_or("");
        let (unit, offset) = match whole {
            "이달" => (Unit::Month, 0),
            "올해" | "금년" | "연내" | "연중" => (Unit::Year, 0),
            "내년" => (Unit::Year, 1),
            "작년" => (Unit::Year, -1),
            "내후년" => (Unit::Year, 2),
            "재작년" => (Unit::Year, -2),
            _ => {
                let unit = match capture_text(&caps, 2).unwrap_or("") {
                    "주" => Unit::Week,
                    "달" => Unit::Month,
                    "분기" => Unit::Quarter,
                    _ => Unit::Year,
                };
                (unit, relative_offset(capture_text(&caps, 1).unwrap_or("")))
            }
        };
        let mut window = period_window(ctx.today, unit, offset);
        if matches!(whole, "연내") {
            window = year_window(ctx.today.year()).map(|w| Window {
                start: ctx.today,
                end: w.end,
            });
        }
        if let Some(h) = window.and_then(|w| hit(w, &caps, unit_grain(unit))) {
            hits.push(h);
        }
    }
    hits
}

/// Which part of a window the prospect meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    Early,
    Middle,
    Late,
}

/// Splits a window into thirds: "early March" = 1–10, "mid" = 11–20, "late" = 21–31; for a
/// year, early = Jan–Apr, mid = May–Aug, late = Sep–Dec.
pub(super) fn part_of(window: Window, part: Part) -> Window {
    let Some(end) = window.end else { return window };
    let days = (end - window.start).num_days() + 1;
    if days <= 1 {
        return window;
    }
    let is_month = window.start.day() == 1 && (28..=31).contains(&days);
    let is_year = window.start.day() == 1 && window.start.month() == 1 && days >= 365;
    let is_quarter = window.start.day() == 1 && (90..=92).contains(&days);
    if is_quarter {
        let month_start = |k: i64| add_months(window.start, k);
        return match part {
            Part::Early => Window::new(window.start, add_days(month_start(1), -1)),
            Part::Middle => Window::new(month_start(1), add_days(month_start(2), -1)),
            Part::Late => Window::new(month_start(2), end),
        };
    }
    let (first_end, second_end) = if is_month {
        (add_days(window.start, 9), add_days(window.start, 19))
    } else if is_year {
        (
            add_days(add_months(window.start, 4), -1),
            add_days(add_months(window.start, 8), -1),
        )
    } else if days == 7 {
        // A week: Monday–Tuesday, Wednesday–Thursday, Friday–Sunday.
        (add_days(window.start, 1), add_days(window.start, 3))
    } else {
        let third = days / 3;
        (
            add_days(window.start, third - 1),
            add_days(window.start, days - third - 1),
        )
    };
    match part {
        Part::Early => Window::new(window.start, first_end),
        Part::Middle => Window::new(add_days(first_end, 1), second_end),
        Part::Late => Window::new(add_days(second_end, 1), end),
    }
}

/// The part of a period a word names ("early", "mijlocul", "말").
pub(super) fn part_from_word(word: &str) -> Option<Part> {
    Some(match word {
        "early" | "beginning of" | "start of" | "the beginning of" | "the start of"
        | "inceputul" | "la inceputul" | "inceput de" | "beginning" | "start" | "초순" | "초" => {
            Part::Early
        }
        "mid" | "middle of" | "the middle of" | "mijlocul" | "la mijlocul" | "jumatatea"
        | "la jumatatea" | "middle" | "중순" | "중반" => Part::Middle,
        "late" | "end of" | "the end of" | "sfarsitul" | "la sfarsitul" | "finalul"
        | "la finalul" | "spre sfarsitul" | "spre finalul" | "end" | "sfarsit de" | "final de"
        | "말" | "하순" | "후반" | "말경" | "말쯤" => Part::Late,
        _ => return None,
    })
}

/// "end of the month", "EOY", "sfârșitul anului", "연말", "월초".
pub(super) fn part_of_period_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    for caps in PART_OF_PERIOD_RE.captures_iter(ctx.text) {
        let (part, unit, offset) = if let Some(abbr) = capture_text(&caps, 4) {
            let unit = match abbr {
                "eom" => Unit::Month,
                "eoy" => Unit::Year,
                "eoq" => Unit::Quarter,
                "eow" => Unit::Week,
                "bom" => Unit::Month,
                "boy" => Unit::Year,
                "boq" => Unit::Quarter,
                _ => Unit::Day,
            };
            let part = if abbr.starts_with('b') {
                Part::Early
            } else {
                Part::Late
            };
            (part, unit, 0)
        } else {
            let part = capture_text(&caps, 1)
                .and_then(part_from_word)
                .unwrap_or(Part::Late);
            let offset = if capture_text(&caps, 2).is_some_and(|w| w.contains("next")) {
                1
            } else {
                0
            };
            let Some(unit) = capture_text(&caps, 3).and_then(unit_of) else {
                continue;
            };
            (part, unit, offset)
        };
        if let Some(h) = period_window(ctx.today, unit, offset)
            .map(|w| part_of(w, part))
            .and_then(|w| hit(w, &caps, unit_grain(unit)))
        {
            hits.push(h);
        }
    }
    for caps in RO_PART_OF_PERIOD_RE.captures_iter(ctx.text) {
        let Some(part) = capture_text(&caps, 1).and_then(part_from_word) else {
            continue;
        };
        let rest = caps
            .get(0)
            .and_then(|m| ctx.text.get(m.end()..))
            .unwrap_or("");
        let next_word = rest.split_whitespace().next().unwrap_or("");
        if month_number(next_word).is_some() {
            continue; // "mijlocul lunii mai" is about May, read by the month rule.
        }
        let unit = match capture_text(&caps, 2).unwrap_or("") {
            "lunii" | "luna" => Unit::Month,
            "anului" | "an" => Unit::Year,
            "saptamanii" | "saptamana" => Unit::Week,
            _ => Unit::Quarter,
        };
        let offset = relative_offset(capture_text(&caps, 3).unwrap_or(""));
        if let Some(h) = period_window(ctx.today, unit, offset)
            .map(|w| part_of(w, part))
            .and_then(|w| hit(w, &caps, unit_grain(unit)))
        {
            hits.push(h);
        }
    }
    for caps in KO_PART_OF_PERIOD_RE.captures_iter(ctx.text) {
        let word: String = capture_text(&caps, 1)
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let window = match word.as_str() {
            "월말" => period_window(ctx.today, Unit::Month, 0).map(|w| part_of(w, Part::Late)),
            "월초" => period_window(ctx.today, Unit::Month, 0).map(|w| part_of(w, Part::Early)),
            "연말" | "년말" => {
                period_window(ctx.today, Unit::Year, 0).map(|w| part_of(w, Part::Late))
            }
            "연초" | "년초" => {
                period_window(ctx.today, Unit::Year, 0).map(|w| part_of(w, Part::Early))
            }
            "분기말" => {
                period_window(ctx.today, Unit::Quarter, 0).map(|w| part_of(w, Part::Late))
            }
            "다음주말" => Some(weekend(add_days(ctx.today, 7))),
            _ => Some(weekend(ctx.today)),
        };
        if let Some(h) = window.and_then(|w| hit(w, &caps, Grain::Week)) {
            hits.push(h);
        }
    }
    hits
}

/// The weekend (Saturday–Sunday) of the week holding `day`, or the coming one.
pub(super) fn weekend(day: NaiveDate) -> Window {
    let saturday = if day.weekday() == Weekday::Sun {
        add_days(day, -1)
    } else {
        next_weekday_on_or_after(day, Weekday::Sat)
    };
    Window::new(saturday, add_days(saturday, 1))
}

/// "this weekend", "next weekend", "weekendul viitor".
pub(super) fn weekend_hits(ctx: &Ctx) -> Vec<Hit> {
    WEEKEND_RE
        .captures_iter(ctx.text)
        .filter_map(|caps| {
            let next =
                capture_text(&caps, 1) == Some("next") || capture_text(&caps, 2) == Some("viitor");
            let window = weekend(if next {
                add_days(ctx.today, 7)
            } else {
                ctx.today
            });
            hit(window, &caps, Grain::Week)
        })
        .collect()
}

/// The first window of a kind (quarter, half, month…) that has not ended by `anchor`, or the
/// one in the year the answer names.
pub(super) fn in_year_or_next(
    ctx: &Ctx,
    explicit_year: Option<i32>,
    make: impl Fn(i32) -> Option<Window>,
) -> Option<Window> {
    match explicit_year.or(ctx.year_hint) {
        Some(year) => make(year),
        None => next_yearly(ctx.anchor, make),
    }
}

/// A quarter written as an ordinal word or Roman numeral ("third", "III").
pub(super) fn roman_or_word(word: &str) -> Option<u32> {
    ordinal_value(word.split_whitespace().last().unwrap_or(word))
        .map(|n| if n == 0 { 4 } else { n })
}

/// Quarters: "Q3", "Q4 2026", "2027Q1", "3rd quarter", "trimestrul 3", "3분기".
pub(super) fn quarter_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    for caps in QUARTER_RE.captures_iter(ctx.text) {
        let (quarter, year) = if let Some(q) = parse_u32(capture_text(&caps, 1)) {
            (Some(q), full_year(capture_text(&caps, 2)))
        } else if let Some(q) = parse_u32(capture_text(&caps, 4)) {
            (Some(q), full_year(capture_text(&caps, 3)))
        } else if let Some(q) = parse_u32(capture_text(&caps, 6)) {
            (Some(q), full_year(capture_text(&caps, 5)))
        } else {
            (
                capture_text(&caps, 7).and_then(roman_or_word),
                full_year(capture_text(&caps, 8)),
            )
        };
        let Some(quarter) = quarter.filter(|q| (1..=4).contains(q)) else {
            continue;
        };
        if let Some(h) = in_year_or_next(ctx, year, |y| quarter_window(y, quarter))
            .and_then(|w| hit(w, &caps, Grain::Quarter))
        {
            hits.push(h);
        }
    }
    for caps in RO_QUARTER_RE.captures_iter(ctx.text) {
        let (word, year) = match capture_text(&caps, 1) {
            Some(w) => (w, capture_text(&caps, 2)),
            None => (capture_text(&caps, 3).unwrap_or(""), capture_text(&caps, 4)),
        };
        let quarter = match word {
            "iv" => Some(4),
            "iii" => Some(3),
            "ii" => Some(2),
            "i" => Some(1),
            other => roman_or_word(other),
        };
        let Some(quarter) = quarter.filter(|q| (1..=4).contains(q)) else {
            continue;
        };
        if let Some(h) = in_year_or_next(ctx, full_year(year), |y| quarter_window(y, quarter))
            .and_then(|w| hit(w, &caps, Grain::Quarter))
        {
            hits.push(h);
        }
    }
    for caps in KO_QUARTER_RE.captures_iter(ctx.text) {
        let Some(quarter) = parse_u32(capture_text(&caps, 2)) else {
            continue;
        };
        let year = parse_i32(capture_text(&caps, 1));
        if let Some(h) = in_year_or_next(ctx, year, |y| quarter_window(y, quarter))
            .and_then(|w| hit(w, &caps, Grain::Quarter))
        {
            hits.push(h);
        }
    }
    hits
}

/// Halves: "H2", "second half", "a doua jumătate", "상반기", "하반기".
pub(super) fn half_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    for caps in HALF_RE.captures_iter(ctx.text) {
        let first_words = [
            "first",
            "1st",
            "front",
            "prima",
            "1",
            "i",
            "intai",
            "primul",
            "상반기",
        ];
        let (word, year) = if let Some(h) = capture_text(&caps, 1) {
            (h, capture_text(&caps, 2))
        } else if let Some(w) = capture_text(&caps, 3) {
            (w, capture_text(&caps, 4))
        } else if let Some(w) = capture_text(&caps, 5) {
            (w, capture_text(&caps, 6))
        } else {
            (
                capture_text(&caps, 7)
                    .or(capture_text(&caps, 8))
                    .or(capture_text(&caps, 9))
                    .unwrap_or(""),
                None,
            )
        };
        let half = if first_words.contains(&word) { 1 } else { 2 };
        if let Some(h) = in_year_or_next(ctx, full_year(year), |y| half_window(y, half))
            .and_then(|w| hit(w, &caps, Grain::Quarter))
        {
            hits.push(h);
        }
    }
    hits
}

/// Seasons: "this summer", "next winter", "vara asta", "내년 봄".
pub(super) fn season_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    let pick = |season: Season, offset: i64, year: Option<i32>| -> Option<Window> {
        if let Some(y) = year.or(if offset == 0 { None } else { ctx.year_hint }) {
            return season_window(season, y);
        }
        let upcoming = next_yearly(ctx.anchor, |y| season_window(season, y))?;
        match offset {
            1 if upcoming.start <= ctx.today => season_window(season, upcoming.start.year() + 1),
            -1 => season_window(season, upcoming.start.year() - 1),
            _ => match ctx.year_hint {
                Some(y) if y != upcoming.start.year() => season_window(season, y),
                _ => Some(upcoming),
            },
        }
    };
    for caps in SEASON_RE.captures_iter(ctx.text) {
        let Some(season) = capture_text(&caps, 2).and_then(season_of) else {
            continue;
        };
        let word = capture_text(&caps, 2).unwrap_or("");
        // Romanian "vara" is also a word inside phrases like "de vara"; keep it, it is still summer.
        let modifier = capture_text(&caps, 1)
            .or(capture_text(&caps, 3))
            .unwrap_or("");
        let offset = match modifier {
            "next" | "viitoare" | "viitor" | "care vine" => 1,
            "last" | "trecuta" => -1,
            _ => 0,
        };
        let _ = word;
        if let Some(h) = pick(season, offset, parse_i32(capture_text(&caps, 4)))
            .and_then(|w| hit(w, &caps, Grain::Month))
        {
            hits.push(h);
        }
    }
    for caps in KO_SEASON_RE.captures_iter(ctx.text) {
        let Some(season) = capture_text(&caps, 2).and_then(season_of) else {
            continue;
        };
        let (offset, year) = match capture_text(&caps, 1).unwrap_or("") {
            "내년" => (0, Some(ctx.today.year() + 1)),
            "작년" | "지난" => (-1, None),
            "다음" => (1, None),
            "올해" => (0, Some(ctx.today.year())),
            _ => (0, None),
        };
        if let Some(h) = pick(season, offset, year).and_then(|w| hit(w, &caps, Grain::Month)) {
            hits.push(h);
        }
    }
    hits
}

/// "between March and May", "martie-mai": a month word right after another month and a range
/// word is a month too.
pub(super) fn after_month_and_connector(before: &str) -> bool {
    let mut words = before
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .rev();
    let last = words.next().unwrap_or("");
    let (connector, month) = if before.ends_with('-') {
        ("-", last)
    } else {
        (last, words.next().unwrap_or(""))
    };
    matches!(
        connector,
        "-" | "and" | "to" | "si" | "la" | "until" | "till" | "through" | "or" | "sau"
    ) && month_number(month).is_some()
}

/// Named months: "March", "next March", "March 2027", "în martie", "3월", "2027년 3월".
pub(super) fn month_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    for caps in MONTH_RE.captures_iter(ctx.text) {
        let Some(word_match) = caps.get(2) else {
            continue;
        };
        let word = word_match.as_str();
        let Some(month) = month_number(word) else {
            continue;
        };
        let modifier = capture_text(&caps, 1).unwrap_or("");
        let year = parse_i32(capture_text(&caps, 4));
        if month_word_is_ambiguous(word) && modifier.is_empty() && year.is_none() {
            let before = ctx.text.get(..word_match.start()).unwrap_or("").trim_end();
            let after = ctx.text.get(word_match.end()..).unwrap_or("").trim_start();
            const CUES: &[&str] = &[
                "in",
                "during",
                "by",
                "until",
                "from",
                "of",
                "early",
                "mid",
                "late",
                "end of",
                "beginning of",
                "before",
                "after",
                "since",
                "din",
                "pana in",
                "pana la",
                "pe",
                "inainte de",
                "dupa",
                "luna",
                "lunii",
                "lui",
                "sometime in",
                "starting",
            ];
            let cue = before.is_empty()
                || CUES
                    .iter()
                    .any(|c| before.ends_with(c) && !before.ends_with(&format!("a{c}")))
                || after_month_and_connector(before);
            let end_ok = after.is_empty() || after.starts_with([',', '.', '!', '?']);
            if !(cue && (end_ok || !before.is_empty())) {
                continue;
            }
            if word == "mai" && ctx.locale != Locale::Ro && before.is_empty() && !after.is_empty() {
                continue;
            }
        }
        let after_next = caps.get(3).is_some();
        let window = if let Some(y) = year {
            month_window(y, month)
        } else if modifier == "next" || modifier == "coming" || modifier == "the coming" {
            let start_from = add_months(ctx.anchor, 1);
            next_yearly(ctx.anchor, |y| month_window(y, month)).and_then(|w| {
                if w.start <= ctx.anchor && ctx.anchor.month() == month {
                    next_yearly(start_from, |y| month_window(y, month))
                } else {
                    Some(w)
                }
            })
        } else if modifier == "last" {
            let y = if month < ctx.today.month() {
                ctx.today.year()
            } else {
                ctx.today.year() - 1
            };
            month_window(y, month)
        } else {
            in_year_or_next(ctx, None, |y| month_window(y, month))
        };
        let window = if after_next {
            window.and_then(|w| month_window(w.start.year() + 1, month))
        } else {
            window
        };
        if let Some(h) = window.and_then(|w| hit(w, &caps, Grain::Month)) {
            hits.push(h);
        }
    }
    for caps in KO_MONTH_RE.captures_iter(ctx.text) {
        let Some(month) = parse_u32(capture_text(&caps, 3)).filter(|m| (1..=12).contains(m)) else {
            continue;
        };
        let Some(whole) = caps.get(0) else { continue };
        // "3월 15일" is a date; "3개월" never matches because of the digits rule.
        let rest = ctx.text.get(whole.end()..).unwrap_or("");
        if rest.trim_start().starts_with(|c: char| c.is_ascii_digit()) && rest.contains('일') {
            continue;
        }
        let before = ctx.text.get(..whole.start()).unwrap_or("");
        if before.ends_with('다') || before.trim_end().ends_with("다음") {
            // "다음 3월" = next March: same as the upcoming one.
        }
        let year = parse_i32(capture_text(&caps, 1)).or(
            match capture_text(&caps, 2).map(|w| w.split_whitespace().collect::<String>()) {
                Some(w) if w == "내년" || w == "다음해" => Some(ctx.today.year() + 1),
                Some(w) if w == "올해" => Some(ctx.today.year()),
                Some(w) if w == "작년" => Some(ctx.today.year() - 1),
                _ => None,
            },
        );
        if let Some(h) = in_year_or_next(ctx, year, |y| month_window(y, month))
            .and_then(|w| hit(w, &caps, Grain::Month))
        {
            hits.push(h);
        }
    }
    hits
}

/// Years: "2027", "2027년".
pub(super) fn year_hits(ctx: &Ctx) -> Vec<Hit> {
    YEAR_RE
        .captures_iter(ctx.text)
        .filter_map(|caps| {
            let year = parse_i32(capture_text(&caps, 1).or(capture_text(&caps, 2)))?;
            // A purchase is planned within a few years; "Pay ABC 2000" is not a date.
            let this_year = ctx.today.year();
            if !(this_year - 5..=this_year + 30).contains(&year) {
                return None;
            }
            hit(year_window(year)?, &caps, Grain::Year)
        })
        .collect()
}
