//! Purpose: rules for single days: now, tomorrow, dates, days of the month, weekdays and holidays.

use super::*;

/// "now", "asap", "지금", "acum" (today) and "soon" (within a month).
pub(super) fn now_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits: Vec<Hit> = NOW_RE
        .captures_iter(ctx.text)
        .filter_map(|caps| {
            let word = capture_text(&caps, 0)?.trim();
            let background = matches!(
                word,
                "now"
                    | "right now"
                    | "at this time"
                    | "today"
                    | "acum"
                    | "azi"
                    | "astazi"
                    | "지금"
                    | "오늘"
            );
            hit(Window::day(ctx.today), &caps, Grain::Day).map(|h| Hit { background, ..h })
        })
        .collect();
    hits.extend(SOON_RE.captures_iter(ctx.text).filter_map(|caps| {
        hit(
            Window::new(ctx.today, add_months(ctx.today, 1)),
            &caps,
            Grain::Month,
        )
    }));
    hits
}

/// "yesterday", "tomorrow", "the day after tomorrow", "내일", "모레", "mâine", "poimâine".
pub(super) fn tomorrow_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits: Vec<Hit> = YESTERDAY_RE
        .captures_iter(ctx.text)
        .filter_map(|caps| {
            let word = capture_text(&caps, 0)?;
            let days = if matches!(word, "alaltaieri" | "그저께" | "그제" | "엊그제") {
                -2
            } else {
                -1
            };
            hit(Window::day(add_days(ctx.today, days)), &caps, Grain::Day)
        })
        .collect();
    hits.extend(TOMORROW_RE.captures_iter(ctx.text).filter_map(|caps| {
        let word = capture_text(&caps, 0)?;
        let days = if word == "글피" {
            3
        } else if word.contains("after") || word.contains("poimaine") || word.contains("모레") {
            2
        } else {
            1
        };
        hit(Window::day(add_days(ctx.today, days)), &caps, Grain::Day)
    }));
    hits
}

/// The next date on or after `from` with this month and day (Feb 29 waits for a leap year).
pub(super) fn next_month_day(from: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    (from.year()..=from.year() + 8)
        .filter_map(|y| ymd(y, month, day))
        .find(|d| *d >= from)
}

/// When a weekday is also named ("Thu 15th", "Monday, Feb 18"), the next date that fits both.
pub(super) fn weekday_said(ctx: &Ctx) -> Option<Weekday> {
    static ANY_WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"\b({WEEKDAY_ALTERNATION})\b|({KOREAN_WEEKDAY_ALTERNATION})"
        ))
    });
    let caps = ANY_WEEKDAY.captures(ctx.text)?;
    weekday_of(capture_text(&caps, 1).or(capture_text(&caps, 2))?)
}

/// Full dates: "2026-03-15", "3/15", "15.03.2026", "March 15", "15 martie", "3월 15일".
pub(super) fn date_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    let weekday = weekday_said(ctx);
    let dated = |month: u32, day: u32, year: Option<i32>| -> Option<NaiveDate> {
        match year {
            Some(y) => ymd(y, month, day),
            None => {
                let first = next_month_day(ctx.anchor, month, day)?;
                match weekday {
                    Some(wd) if first.weekday() != wd => (first.year()..=first.year() + 1)
                        .filter_map(|y| ymd(y, month, day))
                        .find(|d| *d >= ctx.anchor && d.weekday() == wd)
                        .or(Some(first)),
                    _ => Some(first),
                }
            }
        }
    };
    for caps in ISO_DATE_RE.captures_iter(ctx.text) {
        let date = ymd(
            parse_i32(capture_text(&caps, 1)).unwrap_or(0),
            parse_u32(capture_text(&caps, 2)).unwrap_or(0),
            parse_u32(capture_text(&caps, 3)).unwrap_or(0),
        );
        if let Some(h) = date.and_then(|d| hit(Window::day(d), &caps, Grain::Day)) {
            hits.push(h);
        }
    }
    for caps in NUMERIC_DATE_RE.captures_iter(ctx.text) {
        let (Some(a), Some(b)) = (
            parse_u32(capture_text(&caps, 1)),
            parse_u32(capture_text(&caps, 3)),
        ) else {
            continue;
        };
        let separator = capture_text(&caps, 2).unwrap_or("/");
        let year = full_year(capture_text(&caps, 4));
        if separator == "." && year.is_none() && ctx.locale != Locale::Ro {
            continue; // "3.5" is a number, not a date, outside Romanian.
        }
        if a == 24 && b == 7 {
            continue; // "24/7" is availability, not a date.
        }
        let month_first = separator == "/" && ctx.locale != Locale::Ro && a <= 12;
        let (month, day) = if month_first { (a, b) } else { (b, a) };
        if let Some(h) =
            dated(month, day, year).and_then(|d| hit(Window::day(d), &caps, Grain::Day))
        {
            hits.push(h);
        }
    }
    for (regex, month_index, day_index) in [(&*MONTH_DAY_RE, 1, 2), (&*DAY_MONTH_RE, 2, 1)] {
        for caps in regex.captures_iter(ctx.text) {
            let Some(month) = capture_text(&caps, month_index).and_then(month_number) else {
                continue;
            };
            let day_word = capture_text(&caps, day_index).unwrap_or("");
            let Some(day) = day_word
                .parse::<u32>()
                .ok()
                .or_else(|| ordinal_value(day_word).filter(|d| *d > 0))
            else {
                continue;
            };
            if day_word == "last" {
                continue;
            }
            let year = full_year(capture_text(&caps, 3));
            if let Some(h) =
                dated(month, day, year).and_then(|d| hit(Window::day(d), &caps, Grain::Day))
            {
                hits.push(h);
            }
        }
    }
    // "the ides of March": the 15th of March, May, July and October, the 13th of other months.
    for caps in IDES_RE.captures_iter(ctx.text) {
        let Some(month) = capture_text(&caps, 1).and_then(month_number) else {
            continue;
        };
        let day = if matches!(month, 3 | 5 | 7 | 10) {
            15
        } else {
            13
        };
        if let Some(h) =
            dated(month, day, None).and_then(|d| hit(Window::day(d), &caps, Grain::Day))
        {
            hits.push(h);
        }
    }
    for caps in KO_DATE_RE.captures_iter(ctx.text) {
        let (Some(month), Some(day)) = (
            parse_u32(capture_text(&caps, 2)),
            parse_u32(capture_text(&caps, 3)),
        ) else {
            continue;
        };
        let year = parse_i32(capture_text(&caps, 1));
        if let Some(h) =
            dated(month, day, year).and_then(|d| hit(Window::day(d), &caps, Grain::Day))
        {
            hits.push(h);
        }
    }
    // "13-15 July", "from the 13th to the 15th of July", "între 13 și 15 iulie", "7월 13일~15일".
    for caps in DAY_RANGE_RE.captures_iter(ctx.text) {
        let (first, last, month) =
            if let Some(month) = capture_text(&caps, 3).and_then(month_number) {
                (
                    parse_u32(capture_text(&caps, 1)),
                    parse_u32(capture_text(&caps, 2)),
                    month,
                )
            } else {
                let Some(month) = parse_u32(capture_text(&caps, 4)) else {
                    continue;
                };
                (
                    parse_u32(capture_text(&caps, 5)),
                    parse_u32(capture_text(&caps, 6)),
                    month,
                )
            };
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        let Some(end) = dated(month, last, None) else {
            continue;
        };
        let Some(start) = ymd(end.year(), month, first).filter(|s| *s <= end) else {
            continue;
        };
        if let Some(h) = hit(Window::new(start, end), &caps, Grain::Day) {
            hits.push(h);
        }
    }
    for caps in DAY_OF_REL_MONTH_RE.captures_iter(ctx.text) {
        let Some(day) = parse_u32(capture_text(&caps, 1).or(capture_text(&caps, 4))) else {
            continue;
        };
        let months = match capture_text(&caps, 2).or(capture_text(&caps, 3)) {
            Some("next" | "following" | "다음") => 1,
            Some("다다음") => 2,
            _ => 0,
        };
        let base = add_months(ctx.today, months);
        if let Some(h) =
            ymd(base.year(), base.month(), day).and_then(|d| hit(Window::day(d), &caps, Grain::Day))
        {
            hits.push(h);
        }
    }
    hits
}

/// A day of the month alone: "the 20th", "on 24th", "pe 19", "15일에".
pub(super) fn day_only_hits(ctx: &Ctx) -> Vec<Hit> {
    let weekday = weekday_said(ctx);
    // "next month, around the 20th": a month said elsewhere is where the day falls.
    let month_said: Vec<Hit> = relative_period_hits(ctx)
        .into_iter()
        .chain(month_hits(ctx))
        .filter(|h| h.grain == Grain::Month)
        .collect();
    let mut hits = Vec::new();
    for caps in DAY_ONLY_RE.captures_iter(ctx.text) {
        let Some(whole) = caps.get(0) else { continue };
        let word = (1..=5).find_map(|i| capture_text(&caps, i)).unwrap_or("");
        let Some(day) = word
            .parse::<u32>()
            .ok()
            .or_else(|| ordinal_value(word).filter(|d| *d > 0))
        else {
            continue;
        };
        let rest = ctx.text.get(whole.end()..).unwrap_or("").trim_start();
        const NOT_A_DAY: &[&str] = &[
            "quarter",
            "qtr",
            "half",
            "week",
            "month",
            "time",
            "one",
            "option",
            "of",
            "day",
            "year",
            "people",
            "trimestru",
            "semestru",
            "후",
            "뒤",
            "안",
            "이내",
            "내",
            "동안",
            "전",
        ];
        if NOT_A_DAY.iter().any(|w| rest.starts_with(w)) || !(1..=31).contains(&day) {
            continue;
        }
        // Korean "15일" right after a month is a full date, read elsewhere.
        let before = ctx.text.get(..whole.start()).unwrap_or("").trim_end();
        if before.ends_with('월') {
            continue;
        }
        let mut candidates = (0..24).filter_map(|k| {
            let base = add_months(ctx.anchor, k);
            ymd(base.year(), base.month(), day)
        });
        let in_month_said = month_said
            .iter()
            .find(|m| m.end <= whole.start() || m.start >= whole.end())
            .and_then(|m| ymd(m.window.start.year(), m.window.start.month(), day));
        if let Some(date) = in_month_said
            && let Some(h) = hit(Window::day(date), &caps, Grain::Day)
        {
            hits.push(h);
            continue;
        }
        let found = match weekday {
            Some(wd) => {
                let all: Vec<NaiveDate> =
                    candidates.by_ref().filter(|d| *d >= ctx.anchor).collect();
                all.iter()
                    .copied()
                    .find(|d| d.weekday() == wd)
                    .or(all.first().copied())
            }
            None => candidates.find(|d| *d >= ctx.anchor),
        };
        if let Some(h) = found.and_then(|d| hit(Window::day(d), &caps, Grain::Day)) {
            hits.push(h);
        }
    }
    hits
}

/// "last Monday of March", "first week of April", "3 fridays from now", "10월 첫째 화요일".
pub(super) fn nth_weekday_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    let year_for = |month: u32| -> i32 {
        ctx.year_hint.unwrap_or(if month >= ctx.anchor.month() {
            ctx.anchor.year()
        } else {
            ctx.anchor.year() + 1
        })
    };
    for caps in NTH_WEEKDAY_RE.captures_iter(ctx.text) {
        let (Some(n), Some(wd)) = (
            capture_text(&caps, 1).and_then(ordinal_value),
            capture_text(&caps, 2).and_then(weekday_of),
        ) else {
            continue;
        };
        let (year, month) = if let Some(month) = capture_text(&caps, 3).and_then(month_number) {
            (year_for(month), month)
        } else {
            let offset = match capture_text(&caps, 4) {
                Some("next" | "following") => 1,
                Some("last") => -1,
                _ => 0,
            };
            let day = add_months(ctx.today, offset);
            (day.year(), day.month())
        };
        if let Some(h) = nth_weekday_of_month(year, month, wd, n)
            .and_then(|d| hit(Window::day(d), &caps, Grain::Day))
        {
            hits.push(h);
        }
    }
    for caps in KO_NTH_WEEKDAY_RE.captures_iter(ctx.text) {
        let ordinal: String = capture_text(&caps, 2)
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let (Some(month), Some(n), Some(wd)) = (
            parse_u32(capture_text(&caps, 1)),
            ordinal_value(&ordinal),
            capture_text(&caps, 3).and_then(weekday_of),
        ) else {
            continue;
        };
        if let Some(h) = nth_weekday_of_month(year_for(month), month, wd, n)
            .and_then(|d| hit(Window::day(d), &caps, Grain::Day))
        {
            hits.push(h);
        }
    }
    for caps in NTH_DAY_OF_MONTH_RE.captures_iter(ctx.text) {
        let Some(n) = capture_text(&caps, 1).and_then(ordinal_value) else {
            continue;
        };
        // A named month, or this/next/last month ("the first day of next month").
        let window = match capture_text(&caps, 3).and_then(month_number) {
            Some(month) => month_window(year_for(month), month),
            None => {
                let offset = match capture_text(&caps, 4) {
                    Some("next" | "following") => 1,
                    Some("last") => -1,
                    _ => 0,
                };
                let day = add_months(ctx.today, offset);
                month_window(day.year(), day.month())
            }
        };
        let Some(window) = window else {
            continue;
        };
        let Some(last) = window.end else { continue };
        let day = match (n, caps.get(2).is_some()) {
            (0, _) => last,
            (n, true) => add_days(last, -(i64::from(n) - 1)),
            (n, false) => add_days(window.start, i64::from(n) - 1),
        };
        if let Some(h) = hit(Window::day(day), &caps, Grain::Day) {
            hits.push(h);
        }
    }
    for caps in NTH_WEEK_OF_MONTH_RE.captures_iter(ctx.text) {
        let (Some(n), Some(month)) = (
            capture_text(&caps, 1).and_then(ordinal_value),
            capture_text(&caps, 2).and_then(month_number),
        ) else {
            continue;
        };
        if let Some(h) = month_window(year_for(month), month)
            .and_then(|window| nth_week(&window, n))
            .and_then(|week| hit(week, &caps, Grain::Week))
        {
            hits.push(h);
        }
    }
    for caps in KO_NTH_WEEK_RE.captures_iter(ctx.text) {
        let (Some(month), Some(n)) = (
            parse_u32(capture_text(&caps, 1)),
            capture_text(&caps, 2)
                .and_then(|w| ordinal_value(if w == "첫" { "첫째" } else { w })),
        ) else {
            continue;
        };
        if let Some(h) = month_window(year_for(month), month)
            .and_then(|window| nth_week(&window, n))
            .and_then(|week| hit(week, &caps, Grain::Week))
        {
            hits.push(h);
        }
    }
    for caps in WEEKDAYS_FROM_NOW_RE.captures_iter(ctx.text) {
        let (Some(n), Some(wd)) = (
            parse_i32(capture_text(&caps, 1)),
            capture_text(&caps, 2).and_then(weekday_of),
        ) else {
            continue;
        };
        let first = next_weekday_on_or_after(add_days(ctx.today, 1), wd);
        if let Some(h) = hit(
            Window::day(add_days(first, 7 * i64::from(n.clamp(1, 520) - 1))),
            &caps,
            Grain::Day,
        ) {
            hits.push(h);
        }
    }
    hits
}

/// Which week a weekday is looked for in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WeekChoice {
    /// The next one after today.
    Upcoming,
    /// The one in this week (or the next one if it has passed).
    ThisWeek,
    /// The one in next week.
    NextWeek,
    /// The second one after today.
    AfterNext,
    /// The last one before today.
    Last,
    /// The one in last week.
    LastWeek,
}

/// The date of a weekday in the week the prospect meant.
pub(super) fn weekday_date(today: NaiveDate, wd: Weekday, choice: WeekChoice) -> NaiveDate {
    let upcoming = next_weekday_on_or_after(add_days(today, 1), wd);
    match choice {
        WeekChoice::Upcoming => upcoming,
        WeekChoice::AfterNext => add_days(upcoming, 7),
        WeekChoice::NextWeek => add_days(
            week_start(add_days(today, 7)),
            i64::from(wd.num_days_from_monday()),
        ),
        WeekChoice::ThisWeek => {
            let in_week = add_days(week_start(today), i64::from(wd.num_days_from_monday()));
            if in_week >= today { in_week } else { upcoming }
        }
        WeekChoice::Last => {
            let previous = add_days(upcoming, -7);
            if previous < today {
                previous
            } else {
                add_days(upcoming, -14)
            }
        }
        WeekChoice::LastWeek => add_days(
            week_start(add_days(today, -7)),
            i64::from(wd.num_days_from_monday()),
        ),
    }
}

/// Weekdays: "friday", "next Tuesday", "lunea viitoare", "다음주 화요일".
pub(super) fn weekday_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    for caps in WEEKDAY_RE.captures_iter(ctx.text) {
        let Some(word) = capture_text(&caps, 2) else {
            continue;
        };
        let Some(wd) = weekday_of(word) else { continue };
        let Some(whole) = caps.get(0) else { continue };
        let Some(word_match) = caps.get(2) else {
            continue;
        };
        let before = ctx.text.get(..word_match.start()).unwrap_or("").trim_end();
        let after = ctx.text.get(word_match.end()..).unwrap_or("");
        // Romanian "luni" is Monday, but "3 luni" / "în 3 luni" are months.
        if word == "luni"
            && (before.ends_with(|c: char| c.is_ascii_digit())
                || after.trim_start().starts_with("de zile"))
        {
            continue;
        }
        if weekday_word_is_ambiguous(word) {
            let alone = before.is_empty() || before.ends_with(',');
            let next_char = after.chars().next();
            let looks_like_date = next_char.is_none_or(|c| matches!(c, '.' | ','))
                || after.trim_start().starts_with(|c: char| c.is_ascii_digit());
            if !(alone || caps.get(1).is_some()) || !looks_like_date {
                continue;
            }
        }
        let modifier = capture_text(&caps, 1).unwrap_or("");
        let tail = capture_text(&caps, 3).unwrap_or("");
        let choice = match (modifier, tail) {
            (_, "after next") => WeekChoice::AfterNext,
            (
                _,
                "of next week"
                | "next week"
                | "saptamana viitoare"
                | "saptamana urmatoare"
                | "viitoare"
                | "viitor"
                | "urmatoare"
                | "care vine",
            ) => WeekChoice::NextWeek,
            ("next", _) => WeekChoice::NextWeek,
            (
                _,
                "of this week" | "this week" | "saptamana asta" | "saptamana aceasta" | "asta"
                | "aceasta",
            ) => WeekChoice::ThisWeek,
            ("this", _) => WeekChoice::ThisWeek,
            ("last", _) => WeekChoice::Last,
            _ => WeekChoice::Upcoming,
        };
        let date = weekday_date(ctx.today, wd, choice);
        hits.push(Hit {
            window: Window::day(date),
            start: whole.start(),
            end: whole.end(),
            grain: Grain::Day,
            weak: true,
            background: false,
        });
    }
    if ctx.locale == Locale::Ro
        && let Some(caps) = RO_WEEKDAY_ABBR_RE.captures(ctx.text)
        && let Some(wd) = capture_text(&caps, 1).and_then(weekday_of)
        && let Some(h) = hit(
            Window::day(weekday_date(ctx.today, wd, WeekChoice::Upcoming)),
            &caps,
            Grain::Day,
        )
    {
        hits.push(Hit { weak: true, ..h });
    }
    for caps in KO_WEEKDAY_RE.captures_iter(ctx.text) {
        let Some(wd) = capture_text(&caps, 2).and_then(weekday_of) else {
            continue;
        };
        let modifier: String = capture_text(&caps, 1)
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let choice = match modifier.as_str() {
            "이번주" | "금주" | "이번" => WeekChoice::ThisWeek,
            "다음주" | "오는주" => WeekChoice::NextWeek,
            "다다음주" => WeekChoice::AfterNext,
            "지난주" | "저번주" => WeekChoice::LastWeek,
            "지난" | "저번" => WeekChoice::Last,
            _ => WeekChoice::Upcoming,
        };
        let mut date = weekday_date(ctx.today, wd, choice);
        if modifier == "다다음주" {
            date = add_days(weekday_date(ctx.today, wd, WeekChoice::NextWeek), 7);
        }
        if let Some(h) = hit(Window::day(date), &caps, Grain::Day) {
            hits.push(Hit { weak: true, ..h });
        }
    }
    hits
}

/// The date of a named holiday in `year`.
pub(super) fn holiday_date(name: &str, year: i32) -> Option<NaiveDate> {
    match name {
        "christmas eve"
        | "xmas eve"
        | "ajunul craciunului"
        | "크리스마스 이브"
        | "크리스마스이브" => ymd(year, 12, 24),
        "christmas day" | "christmas" | "xmas" | "craciunul" | "craciun" | "크리스마스"
        | "성탄절" => ymd(year, 12, 25),
        "new year's eve" | "new years eve" | "revelionul" | "revelion" => ymd(year, 12, 31),
        "new year's day" | "new years day" | "new year" | "new year's" | "anul nou" | "신정"
        | "새해" => ymd(year, 1, 1),
        "thanksgiving day" | "thanksgiving" | "추수감사절" => {
            nth_weekday_of_month(year, 11, Weekday::Thu, 4)
        }
        "black friday" => nth_weekday_of_month(year, 11, Weekday::Thu, 4).map(|d| add_days(d, 1)),
        "halloween" => ymd(year, 10, 31),
        "easter" | "부활절" => western_easter(year),
        "pastele" | "pastelui" | "pasti" | "paste" => orthodox_easter(year),
        _ => None,
    }
}

/// Holidays: Christmas, New Year, Thanksgiving, Easter (Orthodox for "Paște"), 크리스마스.
pub(super) fn holiday_hits(ctx: &Ctx) -> Vec<Hit> {
    HOLIDAY_RE
        .captures_iter(ctx.text)
        .filter_map(|caps| {
            let name = capture_text(&caps, 1).or(capture_text(&caps, 0))?;
            let date = match ctx.year_hint {
                Some(y) if ctx.anchor == ctx.today => holiday_date(name, y)?,
                _ => (ctx.anchor.year()..=ctx.anchor.year() + 2)
                    .filter_map(|y| holiday_date(name, y))
                    .find(|d| *d >= ctx.anchor)?,
            };
            hit(Window::day(date), &caps, Grain::Day)
        })
        .collect()
}

/// The `n`-th week (7 days from the month's first day, 1-based) of a month window, cut at the
/// month's end; `n == 0` is the last week ("the last week of March").
fn nth_week(month: &Window, n: u32) -> Option<Window> {
    let last = month.end?;
    let start = if n == 0 {
        add_days(last, -6)
    } else {
        add_days(month.start, 7 * (i64::from(n) - 1))
    };
    (start <= last).then(|| Window::new(start, add_days(start, 6).min(last)))
}
