//! Purpose: read when a prospect plans to buy ("next quarter", "3개월 안에", "până la sfârșitul
//! anului") as a window of dates relative to a given `now`.
//!
//! Every rule finds a *hit* (a window with its span and grain) in the folded text, with number
//! words already turned into digits. Hits inside a longer hit are dropped; the finest grain wins
//! (a day beats a month beats a year), then the longest. Words around the chosen hit then narrow
//! it ("early", "end of", "말") and bound it ("by", "after", "까지", "până la").

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Weekday};
use regex::{Captures, Regex};

use super::calendar::{
    Season, Window, add_days, add_months, half_window, month_window, next_weekday_on_or_after,
    next_yearly, nth_weekday_of_month, orthodox_easter, quarter_of, quarter_window, season_window,
    week_start, week_window, western_easter, year_window, ymd,
};
use super::numbers;
use super::timewords::{
    KOREAN_WEEKDAY_ALTERNATION, Unit, WEEKDAY_ALTERNATION, count_of, month_number,
    month_word_is_ambiguous, ordinal_value, season_of, unit_of, weekday_of,
    weekday_word_is_ambiguous,
};
use super::tokens::{capped, tail};
use super::{Timeframe, TimeframeAnswer, Unclear, fold};
use crate::locale::Locale;

mod days;
mod durations;
mod modifiers;
mod patterns;
mod periods;

use days::*;
use durations::*;
use modifiers::*;
use patterns::*;
use periods::*;

/// How fine a hit is; finer hits win over coarser ones found in the same answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Grain {
    Year = 1,
    Quarter = 2,
    Month = 3,
    Week = 4,
    Day = 5,
}

/// A window found by one rule, with where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hit {
    window: Window,
    start: usize,
    end: usize,
    grain: Grain,
    /// A bare weekday: it yields to a date of the same grain ("Thursday the 12th").
    weak: bool,
    /// Words often said in passing ("right now we use…", "today"): they count only when the
    /// answer names no other time.
    background: bool,
}

/// What the rules need besides the text.
struct Ctx<'a> {
    text: &'a str,
    locale: Locale,
    today: NaiveDate,
    /// The date next occurrences count from: today, or later for "March in a year".
    anchor: NaiveDate,
    /// A year said elsewhere in the answer ("Q2 next year", "martie 2027").
    year_hint: Option<i32>,
}

fn capture_text<'t>(caps: &Captures<'t>, index: usize) -> Option<&'t str> {
    caps.get(index).map(|m| m.as_str())
}

fn parse_i32(text: Option<&str>) -> Option<i32> {
    text?.trim_start_matches('\'').parse().ok()
}

fn parse_u32(text: Option<&str>) -> Option<u32> {
    text?.parse().ok()
}

/// A year written with two or four digits.
fn full_year(text: Option<&str>) -> Option<i32> {
    let year = parse_i32(text)?;
    Some(if year < 100 { 2000 + year } else { year })
}

fn hit(window: Window, caps: &Captures, grain: Grain) -> Option<Hit> {
    let whole = caps.get(0)?;
    let leading_space = whole.as_str().len() - whole.as_str().trim_start().len();
    Some(Hit {
        window,
        start: whole.start() + leading_space,
        end: whole.end(),
        grain,
        weak: false,
        background: false,
    })
}

/// Reads when something will happen, relative to `now`.
pub fn timeframe(
    text: &str,
    locale: Locale,
    now: DateTime<FixedOffset>,
) -> Result<TimeframeAnswer, Unclear> {
    let today = now.date_naive();
    let folded = fold(capped(text));
    let folded = folded
        .replace("한두", "1-2")
        .replace("두세", "2-3")
        .replace("서너", "3-4")
        .replace("반년", "6개월")
        .replace("몇 ", "3 ")
        .replace("half a year", "6 months")
        .replace("a fortnight", "2 weeks")
        .replace("fortnight", "2 weeks")
        .replace("half year", "6 months");
    // "a week or two" → "1-2 weeks"
    let folded = A_UNIT_OR_TWO_RE
        .replace_all(&folded, "1-2 ${1}s")
        .into_owned();
    // "not urgent" is no deadline, not "now": blank it out, keeping byte offsets.
    let calm = NEGATED_URGENCY_RE.is_match(&folded);
    let folded = NEGATED_URGENCY_RE
        .replace_all(&folded, |m: &regex::Captures| " ".repeat(m[0].len()))
        .into_owned();
    let digitized = digitize(&folded, locale);
    let text =
        digitized.trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!' | '?' | ','));
    // "March or April": two readings, each understood on its own.
    let parts: Vec<&str> = ALTERNATIVES_RE
        .split(text)
        .filter(|p| !p.trim().is_empty())
        .collect();
    if parts.len() > 1 {
        let windows: Vec<Window> = parts
            .iter()
            .filter_map(|part| read_window(part, locale, today).ok().flatten())
            .collect();
        if windows.len() > 1 && windows.iter().any(|w| *w != windows[0]) {
            return Err(Unclear::Ambiguous {
                readings: windows.iter().map(describe).collect(),
            });
        }
    }
    match read_window(text, locale, today)? {
        Some(window) => Ok(TimeframeAnswer::Window(Timeframe {
            start: window.start,
            end: window.end,
            days_until_start: (window.start - today).num_days().max(0),
        })),
        None if calm || NO_TIMELINE_RE.is_match(text) => Ok(TimeframeAnswer::NoTimeline),
        None => Err(Unclear::NotUnderstood),
    }
}

fn describe(window: &Window) -> String {
    match window.end {
        Some(end) if end == window.start => window.start.to_string(),
        Some(end) => format!("{}..{}", window.start, end),
        None => format!("{}..", window.start),
    }
}

/// Replaces number words with digits ("two weeks" → "2 weeks", "삼분기" → "3분기").
fn digitize(folded: &str, locale: Locale) -> String {
    let mut out = String::with_capacity(folded.len());
    let mut last = 0;
    for span in numbers::scan(folded, locale) {
        // "the one", "this one": a lone "one" is a pronoun more often than a count, and the
        // duration rules read "one week" without help.
        let lone_one = folded.get(span.start..span.end) == Some("one");
        if !span.words || span.value.fract() != 0.0 || span.value > 1e6 || lone_one {
            continue;
        }
        out.push_str(folded.get(last..span.start).unwrap_or(""));
        out.push_str(&format!("{}", span.value as i64));
        last = span.end;
    }
    out.push_str(folded.get(last..).unwrap_or(""));
    out
}

/// The window an answer names; `Err(Ambiguous)` when it names two unrelated ones
/// ("March 15 and April 2"), `Ok(None)` when it names none.
fn read_window(text: &str, locale: Locale, today: NaiveDate) -> Result<Option<Window>, Unclear> {
    let mut ctx = Ctx {
        text,
        locale,
        today,
        anchor: today,
        year_hint: None,
    };
    ctx.year_hint = year_hint(&ctx);
    // A duration said beside another expression moves where "next" counts from.
    let durations = duration_hits(&ctx);
    let mut hits = all_hits(&ctx);
    if let Some(shift) = durations
        .iter()
        .find(|h| h.grain != Grain::Day || h.window.end == Some(h.window.start))
    {
        let others_exist = hits
            .iter()
            .any(|h| h.end <= shift.start || h.start >= shift.end);
        if others_exist {
            ctx.anchor = shift.window.start;
            hits = all_hits(&ctx);
        }
    }
    hits.extend(durations.iter().copied());
    // Drop hits nested in longer ones.
    let top: Vec<Hit> = hits
        .iter()
        .copied()
        .filter(|h| {
            !hits.iter().any(|o| {
                o != h
                    && o.start <= h.start
                    && h.end <= o.end
                    && (o.end - o.start) > (h.end - h.start)
            })
        })
        .collect();
    if let Some(range) = range_of(text, &top) {
        return Ok(Some(range));
    }
    // "right now we use X, we'll buy in Q3": words said in passing yield to a real answer.
    let foreground: Vec<Hit> = top.iter().copied().filter(|h| !h.background).collect();
    let top = if foreground.is_empty() {
        top
    } else {
        foreground
    };
    let Some(best) = top.iter().copied().max_by(|a, b| {
        a.grain
            .cmp(&b.grain)
            .then(b.weak.cmp(&a.weak))
            .then((a.end - a.start).cmp(&(b.end - b.start)))
            .then(b.start.cmp(&a.start))
    }) else {
        return Ok(None);
    };
    // Two separate expressions of the same grain naming different windows are two readings.
    let independent = top.iter().filter(|h| {
        !h.weak
            && h.grain == best.grain
            && !top.iter().any(|o| {
                o != *h
                    && o.start < h.end
                    && h.start < o.end
                    && (o.end - o.start) > (h.end - h.start)
            })
    });
    let mut readings: Vec<Window> = Vec::new();
    for hit in independent {
        let window = apply_modifiers(text, *hit, today);
        if !readings.contains(&window) {
            readings.push(window);
        }
    }
    if readings.len() > 1 {
        return Err(Unclear::Ambiguous {
            readings: readings.iter().map(describe).collect(),
        });
    }
    Ok(Some(apply_modifiers(text, best, today)))
}

/// "between March and May", "Q2-Q3", "3월~5월": two hits of the same grain joined by a range word.
fn range_of(text: &str, hits: &[Hit]) -> Option<Window> {
    let mut sorted: Vec<Hit> = hits.to_vec();
    sorted.sort_by_key(|h| h.start);
    for pair in sorted.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        if first.grain != second.grain || first.end > second.start {
            continue;
        }
        let gap = text.get(first.end..second.start)?;
        if !RANGE_GAP_RE.is_match(gap) {
            continue;
        }
        let needs_between = matches!(gap.trim(), "and" | "si");
        if needs_between && !BETWEEN_RE.is_match(tail(text.get(..first.start)?, 40)) {
            continue;
        }
        let end = second.window.end?;
        if end >= first.window.start {
            return Some(Window::new(first.window.start, end));
        }
    }
    None
}

fn year_hint(ctx: &Ctx) -> Option<i32> {
    let this = ctx.today.year();
    static NEXT_YEAR: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"\b(next year|the following year|next yr|anul viitor|anul urmator|anului viitor|anului urmator|la anul|anul care vine)\b|내년|다음\s*해",
        )
    });
    static THIS_YEAR: LazyLock<Regex> = LazyLock::new(|| {
        re(
            r"\b(this year|current year|this yr|anul acesta|anul asta|anul curent|anul acesta)\b|올해|금년|이번\s*해",
        )
    });
    if let Some(caps) = YEAR_RE.captures(ctx.text) {
        let year = parse_i32(capture_text(&caps, 1).or(capture_text(&caps, 2)))?;
        if (1990..=2100).contains(&year) {
            return Some(year);
        }
    }
    if ctx.text.contains("내후년") {
        return Some(this + 2);
    }
    if NEXT_YEAR.is_match(ctx.text) {
        return Some(this + 1);
    }
    if THIS_YEAR.is_match(ctx.text) {
        return Some(this);
    }
    None
}

fn all_hits(ctx: &Ctx) -> Vec<Hit> {
    let rules: &[fn(&Ctx) -> Vec<Hit>] = &[
        now_hits,
        tomorrow_hits,
        date_hits,
        day_only_hits,
        nth_weekday_hits,
        weekday_hits,
        relative_period_hits,
        part_of_period_hits,
        weekend_hits,
        quarter_hits,
        half_hits,
        season_hits,
        month_hits,
        year_hits,
        holiday_hits,
    ];
    rules.iter().flat_map(|rule| rule(ctx)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap_or_default()
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    fn check(cases: &[(&str, Locale, &str, Option<&str>)]) {
        let mut failures = Vec::new();
        for (text, locale, start, end) in cases {
            let got = timeframe(text, *locale, now());
            let want_start = date(start);
            let want_end = end.map(date);
            let ok = matches!(&got, Ok(TimeframeAnswer::Window(w)) if w.start == want_start && w.end == want_end
                && w.days_until_start == (want_start - date("2026-03-04")).num_days().max(0));
            if !ok {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn english_windows() {
        use Locale::En;
        check(&[
            ("now", En, "2026-03-04", Some("2026-03-04")),
            ("ASAP", En, "2026-03-04", Some("2026-03-04")),
            ("immediately", En, "2026-03-04", Some("2026-03-04")),
            ("right away please", En, "2026-03-04", Some("2026-03-04")),
            ("today", En, "2026-03-04", Some("2026-03-04")),
            ("tomorrow", En, "2026-03-05", Some("2026-03-05")),
            ("this week", En, "2026-03-02", Some("2026-03-08")),
            ("next week", En, "2026-03-09", Some("2026-03-15")),
            ("early next week", En, "2026-03-09", Some("2026-03-10")),
            ("this month", En, "2026-03-01", Some("2026-03-31")),
            ("next month", En, "2026-04-01", Some("2026-04-30")),
            ("this quarter", En, "2026-01-01", Some("2026-03-31")),
            ("next quarter", En, "2026-04-01", Some("2026-06-30")),
            (
                "probably next quarter",
                En,
                "2026-04-01",
                Some("2026-06-30"),
            ),
            ("this year", En, "2026-01-01", Some("2026-12-31")),
            ("next year", En, "2027-01-01", Some("2027-12-31")),
            ("in 3 days", En, "2026-03-07", Some("2026-03-07")),
            ("in two weeks", En, "2026-03-18", Some("2026-03-24")),
            ("in a couple of weeks", En, "2026-03-18", Some("2026-03-24")),
            ("in 3 months", En, "2026-06-04", Some("2026-07-03")),
            ("in a month", En, "2026-04-04", Some("2026-05-03")),
            ("within 2 weeks", En, "2026-03-04", Some("2026-03-18")),
            ("within six months", En, "2026-03-04", Some("2026-09-04")),
            ("in the next 30 days", En, "2026-03-04", Some("2026-04-03")),
            ("next 2 weeks", En, "2026-03-04", Some("2026-03-18")),
            ("by end of month", En, "2026-03-04", Some("2026-03-31")),
            (
                "by the end of the quarter",
                En,
                "2026-03-04",
                Some("2026-03-31"),
            ),
            ("by end of year", En, "2026-03-04", Some("2026-12-31")),
            ("by EOY", En, "2026-03-04", Some("2026-12-31")),
            ("end of next month", En, "2026-04-21", Some("2026-04-30")),
            ("March", En, "2026-03-01", Some("2026-03-31")),
            ("in May", En, "2026-05-01", Some("2026-05-31")),
            ("February", En, "2027-02-01", Some("2027-02-28")),
            ("March 2027", En, "2027-03-01", Some("2027-03-31")),
            ("mid April", En, "2026-04-11", Some("2026-04-20")),
            ("early May", En, "2026-05-01", Some("2026-05-10")),
            ("late June", En, "2026-06-21", Some("2026-06-30")),
            ("end of april", En, "2026-04-21", Some("2026-04-30")),
            (
                "beginning of next year",
                En,
                "2027-01-01",
                Some("2027-04-30"),
            ),
            ("this summer", En, "2026-06-21", Some("2026-09-22")),
            ("spring", En, "2026-03-20", Some("2026-06-20")),
            ("next winter", En, "2026-12-21", Some("2027-03-19")),
            ("Q3", En, "2026-07-01", Some("2026-09-30")),
            ("Q1", En, "2026-01-01", Some("2026-03-31")),
            ("q4 2026", En, "2026-10-01", Some("2026-12-31")),
            ("2027Q1", En, "2027-01-01", Some("2027-03-31")),
            ("3rd quarter", En, "2026-07-01", Some("2026-09-30")),
            ("sometime in Q2", En, "2026-04-01", Some("2026-06-30")),
            ("Q2 next year", En, "2027-04-01", Some("2027-06-30")),
            ("H2", En, "2026-07-01", Some("2026-12-31")),
            (
                "second half of next year",
                En,
                "2027-07-01",
                Some("2027-12-31"),
            ),
            ("first half", En, "2026-01-01", Some("2026-06-30")),
            ("on Friday", En, "2026-03-06", Some("2026-03-06")),
            ("next Tuesday", En, "2026-03-10", Some("2026-03-10")),
            ("this friday", En, "2026-03-06", Some("2026-03-06")),
            ("monday", En, "2026-03-09", Some("2026-03-09")),
            ("March 15", En, "2026-03-15", Some("2026-03-15")),
            ("15 March", En, "2026-03-15", Some("2026-03-15")),
            ("on the 15th of April", En, "2026-04-15", Some("2026-04-15")),
            ("3/15", En, "2026-03-15", Some("2026-03-15")),
            ("2026-04-20", En, "2026-04-20", Some("2026-04-20")),
            ("20.04.2026", En, "2026-04-20", Some("2026-04-20")),
            ("the 20th", En, "2026-03-20", Some("2026-03-20")),
            ("Christmas", En, "2026-12-25", Some("2026-12-25")),
            ("new year", En, "2027-01-01", Some("2027-01-01")),
            ("Thanksgiving", En, "2026-11-26", Some("2026-11-26")),
            ("not before May", En, "2026-05-01", None),
            ("after the summer", En, "2026-09-23", None),
            ("after 2026", En, "2027-01-01", None),
            ("from June onwards", En, "2026-06-01", None),
            ("before June", En, "2026-03-04", Some("2026-05-31")),
            ("by April", En, "2026-03-04", Some("2026-04-30")),
            (
                "between April and June",
                En,
                "2026-04-01",
                Some("2026-06-30"),
            ),
            ("April-June", En, "2026-04-01", Some("2026-06-30")),
            ("week after next", En, "2026-03-16", Some("2026-03-22")),
            ("the week of March 16", En, "2026-03-16", Some("2026-03-22")),
            ("this weekend", En, "2026-03-07", Some("2026-03-08")),
            (
                "we'd like to start in September",
                En,
                "2026-09-01",
                Some("2026-09-30"),
            ),
            (
                "hopefully before the end of Q2",
                En,
                "2026-03-04",
                Some("2026-06-30"),
            ),
            ("2 weeks after Easter", En, "2026-04-19", Some("2026-04-19")),
            (
                "last friday of october",
                En,
                "2026-10-30",
                Some("2026-10-30"),
            ),
            ("3 weeks ago", En, "2026-02-11", Some("2026-02-17")),
            ("next fiscal year", En, "2027-01-01", Some("2027-12-31")),
            ("March to May", En, "2026-03-01", Some("2026-05-31")),
            ("as soon as we can", En, "2026-03-04", Some("2026-03-04")),
            ("yesterday", En, "2026-03-03", Some("2026-03-03")),
            ("a week from Friday", En, "2026-03-13", Some("2026-03-13")),
            ("within a week or two", En, "2026-03-04", Some("2026-03-18")),
            ("in 10 days", En, "2026-03-14", Some("2026-03-14")),
            ("late Q4", En, "2026-12-01", Some("2026-12-31")),
            ("1st half 2027", En, "2027-01-01", Some("2027-06-30")),
            ("end of the month", En, "2026-03-21", Some("2026-03-31")),
            ("wed 3/11", En, "2026-03-11", Some("2026-03-11")),
            ("the week of March 15", En, "2026-03-16", Some("2026-03-22")),
            ("the ides of March", En, "2026-03-15", Some("2026-03-15")),
            ("thursday the 12th", En, "2026-03-12", Some("2026-03-12")),
            ("in a fortnight", En, "2026-03-18", Some("2026-03-24")),
            ("the end of next week", En, "2026-03-13", Some("2026-03-15")),
            (
                "the 2nd tuesday of may",
                En,
                "2026-05-12",
                Some("2026-05-12"),
            ),
            ("last day of february", En, "2027-02-28", Some("2027-02-28")),
            ("four weeks from now", En, "2026-04-01", Some("2026-04-07")),
            ("2 months from today", En, "2026-05-04", Some("2026-06-03")),
            (
                "first quarter of 2027",
                En,
                "2027-01-01",
                Some("2027-03-31"),
            ),
            ("2027 q1", En, "2027-01-01", Some("2027-03-31")),
            ("the following month", En, "2026-04-01", Some("2026-04-30")),
            (
                "the 15th of this month",
                En,
                "2026-03-15",
                Some("2026-03-15"),
            ),
            ("sep. 10", En, "2026-09-10", Some("2026-09-10")),
            ("jan 5th 2027", En, "2027-01-05", Some("2027-01-05")),
            ("by next friday", En, "2026-03-04", Some("2026-03-13")),
            ("after friday", En, "2026-03-07", None),
            ("starting monday", En, "2026-03-09", None),
            ("black friday", En, "2026-11-27", Some("2026-11-27")),
            (
                "right now we use Excel, we'll decide in Q3",
                En,
                "2026-07-01",
                Some("2026-09-30"),
            ),
            (
                "today we're just looking; maybe next month",
                En,
                "2026-04-01",
                Some("2026-04-30"),
            ),
            (
                "the first day of next month",
                En,
                "2026-04-01",
                Some("2026-04-01"),
            ),
            (
                "the last day of the month",
                En,
                "2026-03-31",
                Some("2026-03-31"),
            ),
            (
                "in the second week of april",
                En,
                "2026-04-08",
                Some("2026-04-14"),
            ),
            ("end of q2", En, "2026-06-01", Some("2026-06-30")),
            ("a few weeks", En, "2026-03-25", Some("2026-03-31")),
            (
                "next month, around the 20th",
                En,
                "2026-04-20",
                Some("2026-04-20"),
            ),
            ("by Friday the 13th", En, "2026-03-04", Some("2026-03-13")),
            ("in May, on the 4th", En, "2026-05-04", Some("2026-05-04")),
            ("13-15 April", En, "2026-04-13", Some("2026-04-15")),
            (
                "from the 13th to the 15th of April",
                En,
                "2026-04-13",
                Some("2026-04-15"),
            ),
            ("the last 2 weeks", En, "2026-02-18", Some("2026-03-04")),
            (
                "first monday of next month",
                En,
                "2026-04-06",
                Some("2026-04-06"),
            ),
            ("rest of the week", En, "2026-03-04", Some("2026-03-08")),
            ("BOY", En, "2026-01-01", Some("2026-04-30")),
            ("may be next month", En, "2026-04-01", Some("2026-04-30")),
            ("Easter", En, "2026-04-05", Some("2026-04-05")),
            ("3/4", En, "2026-03-04", Some("2026-03-04")),
            ("2-3 months", En, "2026-05-04", Some("2026-07-03")),
            ("in 2 or 3 weeks", En, "2026-03-18", Some("2026-03-31")),
            ("6 months", En, "2026-09-04", Some("2026-10-03")),
            (
                "the first week of April",
                En,
                "2026-04-01",
                Some("2026-04-07"),
            ),
            ("last week of May", En, "2026-05-25", Some("2026-05-31")),
            ("not this year", En, "2027-01-01", None),
            ("not until June", En, "2026-06-01", None),
            ("next couple of weeks", En, "2026-03-04", Some("2026-03-18")),
            ("in the coming months", En, "2026-03-04", Some("2026-06-04")),
            ("later this year", En, "2026-03-04", Some("2026-12-31")),
            ("within the week", En, "2026-03-04", Some("2026-03-08")),
            ("early Q3", En, "2026-07-01", Some("2026-07-31")),
            (
                "not urgent, maybe next quarter",
                En,
                "2026-04-01",
                Some("2026-06-30"),
            ),
            ("over the summer", En, "2026-06-21", Some("2026-09-22")),
            ("mid-2026", En, "2026-05-01", Some("2026-08-31")),
            ("Jan 2027", En, "2027-01-01", Some("2027-01-31")),
            ("this coming Monday", En, "2026-03-09", Some("2026-03-09")),
            ("April 1st", En, "2026-04-01", Some("2026-04-01")),
            ("1st of April", En, "2026-04-01", Some("2026-04-01")),
            ("by the 15th", En, "2026-03-04", Some("2026-03-15")),
            ("a year from now", En, "2027-03-04", Some("2028-03-03")),
        ]);
    }

    #[test]
    fn korean_windows() {
        use Locale::Ko;
        check(&[
            ("지금", Ko, "2026-03-04", Some("2026-03-04")),
            ("당장이요", Ko, "2026-03-04", Some("2026-03-04")),
            ("오늘", Ko, "2026-03-04", Some("2026-03-04")),
            ("내일", Ko, "2026-03-05", Some("2026-03-05")),
            ("이번 주", Ko, "2026-03-02", Some("2026-03-08")),
            ("다음 주", Ko, "2026-03-09", Some("2026-03-15")),
            ("다음주", Ko, "2026-03-09", Some("2026-03-15")),
            ("이번 달", Ko, "2026-03-01", Some("2026-03-31")),
            ("다음 달", Ko, "2026-04-01", Some("2026-04-30")),
            ("다음 달 말", Ko, "2026-04-21", Some("2026-04-30")),
            ("3개월 안에", Ko, "2026-03-04", Some("2026-06-04")),
            ("3개월 이내", Ko, "2026-03-04", Some("2026-06-04")),
            ("삼개월 안에", Ko, "2026-03-04", Some("2026-06-04")),
            ("2주 안에", Ko, "2026-03-04", Some("2026-03-18")),
            ("한 달 안에", Ko, "2026-03-04", Some("2026-04-04")),
            ("올해 안에", Ko, "2026-03-04", Some("2026-12-31")),
            ("연말까지", Ko, "2026-03-04", Some("2026-12-31")),
            ("내년", Ko, "2027-01-01", Some("2027-12-31")),
            ("내년 상반기", Ko, "2027-01-01", Some("2027-06-30")),
            ("하반기", Ko, "2026-07-01", Some("2026-12-31")),
            ("3월", Ko, "2026-03-01", Some("2026-03-31")),
            ("5월", Ko, "2026-05-01", Some("2026-05-31")),
            ("5월 초", Ko, "2026-05-01", Some("2026-05-10")),
            ("6월 말", Ko, "2026-06-21", Some("2026-06-30")),
            ("3분기", Ko, "2026-07-01", Some("2026-09-30")),
            ("2분기쯤", Ko, "2026-04-01", Some("2026-06-30")),
            ("내년 1분기", Ko, "2027-01-01", Some("2027-03-31")),
            ("4월 15일", Ko, "2026-04-15", Some("2026-04-15")),
            ("금요일", Ko, "2026-03-06", Some("2026-03-06")),
            ("다음 주 화요일", Ko, "2026-03-10", Some("2026-03-10")),
            ("3주 후", Ko, "2026-03-25", Some("2026-03-31")),
            ("여름", Ko, "2026-06-21", Some("2026-09-22")),
            ("내년 봄", Ko, "2027-03-20", Some("2027-06-20")),
            ("크리스마스", Ko, "2026-12-25", Some("2026-12-25")),
            ("5월부터", Ko, "2026-05-01", None),
            ("6월 전에", Ko, "2026-03-04", Some("2026-05-31")),
            ("2027년 3월", Ko, "2027-03-01", Some("2027-03-31")),
            ("3월~5월", Ko, "2026-03-01", Some("2026-05-31")),
            ("3월 이후", Ko, "2026-03-01", None),
            ("신정", Ko, "2027-01-01", Some("2027-01-01")),
            (
                "지금은 검토 중이고 3분기에 결정해요",
                Ko,
                "2026-07-01",
                Some("2026-09-30"),
            ),
            ("다음달 15일", Ko, "2026-04-15", Some("2026-04-15")),
            ("이번달 20일", Ko, "2026-03-20", Some("2026-03-20")),
            ("내년 3월", Ko, "2027-03-01", Some("2027-03-31")),
            ("글피", Ko, "2026-03-07", Some("2026-03-07")),
            ("3일 후", Ko, "2026-03-07", Some("2026-03-07")),
            ("이번 주말", Ko, "2026-03-07", Some("2026-03-08")),
            ("3월 둘째 주", Ko, "2026-03-08", Some("2026-03-14")),
            ("10월 마지막 금요일", Ko, "2026-10-30", Some("2026-10-30")),
            ("이번 주 금요일까지", Ko, "2026-03-04", Some("2026-03-06")),
            ("2026년 5월 1일", Ko, "2026-05-01", Some("2026-05-01")),
            ("1년 후", Ko, "2027-03-04", Some("2028-03-03")),
            ("지난 일요일", Ko, "2026-03-01", Some("2026-03-01")),
            ("저번주 화요일", Ko, "2026-02-24", Some("2026-02-24")),
            ("그제", Ko, "2026-03-02", Some("2026-03-02")),
            ("3주 이전", Ko, "2026-02-11", Some("2026-02-17")),
            ("다음 3주", Ko, "2026-03-04", Some("2026-03-25")),
            ("지난 2달", Ko, "2026-01-04", Some("2026-03-04")),
            ("4월 13일~15일", Ko, "2026-04-13", Some("2026-04-15")),
            ("금주 내", Ko, "2026-03-04", Some("2026-03-08")),
            ("이번달 말까지", Ko, "2026-03-04", Some("2026-03-31")),
            ("다다음 주", Ko, "2026-03-16", Some("2026-03-22")),
            ("다음 달 중순쯤", Ko, "2026-04-11", Some("2026-04-20")),
            ("올해 4분기", Ko, "2026-10-01", Some("2026-12-31")),
            ("2027년 상반기", Ko, "2027-01-01", Some("2027-06-30")),
            ("다음 분기 초", Ko, "2026-04-01", Some("2026-04-30")),
            ("2주 뒤", Ko, "2026-03-18", Some("2026-03-24")),
            ("석 달 안에", Ko, "2026-03-04", Some("2026-06-04")),
            ("2월", Ko, "2027-02-01", Some("2027-02-28")),
            ("한두 달 안에", Ko, "2026-03-04", Some("2026-05-04")),
            ("반년 안에", Ko, "2026-03-04", Some("2026-09-04")),
            ("연말 전에", Ko, "2026-03-04", Some("2026-12-31")),
            ("6개월", Ko, "2026-09-04", Some("2026-10-03")),
            ("2~3개월 후", Ko, "2026-05-04", Some("2026-07-03")),
            ("내년 초", Ko, "2027-01-01", Some("2027-04-30")),
            ("3월 중순", Ko, "2026-03-11", Some("2026-03-20")),
            ("이번 분기 안에", Ko, "2026-03-04", Some("2026-03-31")),
            ("다음달 초", Ko, "2026-04-01", Some("2026-04-10")),
            ("올해 하반기", Ko, "2026-07-01", Some("2026-12-31")),
            ("일주일 안에", Ko, "2026-03-04", Some("2026-03-11")),
            ("이번주 금요일", Ko, "2026-03-06", Some("2026-03-06")),
            ("10월 1일", Ko, "2026-10-01", Some("2026-10-01")),
        ]);
    }

    #[test]
    fn romanian_windows() {
        use Locale::Ro;
        check(&[
            ("acum", Ro, "2026-03-04", Some("2026-03-04")),
            ("imediat", Ro, "2026-03-04", Some("2026-03-04")),
            ("azi", Ro, "2026-03-04", Some("2026-03-04")),
            ("astăzi", Ro, "2026-03-04", Some("2026-03-04")),
            ("mâine", Ro, "2026-03-05", Some("2026-03-05")),
            ("maine", Ro, "2026-03-05", Some("2026-03-05")),
            ("săptămâna asta", Ro, "2026-03-02", Some("2026-03-08")),
            ("săptămâna viitoare", Ro, "2026-03-09", Some("2026-03-15")),
            ("saptamana viitoare", Ro, "2026-03-09", Some("2026-03-15")),
            ("luna asta", Ro, "2026-03-01", Some("2026-03-31")),
            ("luna viitoare", Ro, "2026-04-01", Some("2026-04-30")),
            ("în 3 luni", Ro, "2026-06-04", Some("2026-07-03")),
            ("în trei luni", Ro, "2026-06-04", Some("2026-07-03")),
            (
                "în următoarele 2 săptămâni",
                Ro,
                "2026-03-04",
                Some("2026-03-18"),
            ),
            (
                "până la sfârșitul anului",
                Ro,
                "2026-03-04",
                Some("2026-12-31"),
            ),
            (
                "până la sfârşitul anului",
                Ro,
                "2026-03-04",
                Some("2026-12-31"),
            ),
            (
                "pana la sfarsitul lunii",
                Ro,
                "2026-03-04",
                Some("2026-03-31"),
            ),
            ("trimestrul următor", Ro, "2026-04-01", Some("2026-06-30")),
            ("trimestrul 3", Ro, "2026-07-01", Some("2026-09-30")),
            ("al treilea trimestru", Ro, "2026-07-01", Some("2026-09-30")),
            ("anul viitor", Ro, "2027-01-01", Some("2027-12-31")),
            ("în martie", Ro, "2026-03-01", Some("2026-03-31")),
            ("în mai", Ro, "2026-05-01", Some("2026-05-31")),
            ("vara asta", Ro, "2026-06-21", Some("2026-09-22")),
            ("15 martie", Ro, "2026-03-15", Some("2026-03-15")),
            ("1 aprilie", Ro, "2026-04-01", Some("2026-04-01")),
            ("vineri", Ro, "2026-03-06", Some("2026-03-06")),
            ("lunea viitoare", Ro, "2026-03-09", Some("2026-03-09")),
            ("peste 2 săptămâni", Ro, "2026-03-18", Some("2026-03-24")),
            (
                "la începutul lunii viitoare",
                Ro,
                "2026-04-01",
                Some("2026-04-10"),
            ),
            (
                "a doua jumătate a anului",
                Ro,
                "2026-07-01",
                Some("2026-12-31"),
            ),
            (
                "prima jumătate a anului viitor",
                Ro,
                "2027-01-01",
                Some("2027-06-30"),
            ),
            ("după vară", Ro, "2026-09-23", None),
            ("din iunie", Ro, "2026-06-01", None),
            ("15.04", Ro, "2026-04-15", Some("2026-04-15")),
            ("de Crăciun", Ro, "2026-12-25", Some("2026-12-25")),
            ("în următoarele luni", Ro, "2026-03-04", Some("2026-06-04")),
            (
                "în trimestrul al doilea",
                Ro,
                "2026-04-01",
                Some("2026-06-30"),
            ),
            ("mijlocul lunii mai", Ro, "2026-05-11", Some("2026-05-20")),
            ("2-3 luni", Ro, "2026-05-04", Some("2026-07-03")),
            ("cât mai repede", Ro, "2026-03-04", Some("2026-03-04")),
            ("până în martie", Ro, "2026-03-04", Some("2026-03-31")),
            ("după Paște", Ro, "2026-04-13", None),
            ("la toamnă", Ro, "2026-09-23", Some("2026-12-20")),
            ("în maxim 3 luni", Ro, "2026-03-04", Some("2026-06-04")),
            (
                "la sfârșitul lui aprilie",
                Ro,
                "2026-04-21",
                Some("2026-04-30"),
            ),
            (
                "începutul anului viitor",
                Ro,
                "2027-01-01",
                Some("2027-04-30"),
            ),
            ("pe 20 aprilie", Ro, "2026-04-20", Some("2026-04-20")),
            ("în 2027", Ro, "2027-01-01", Some("2027-12-31")),
            ("joi", Ro, "2026-03-05", Some("2026-03-05")),
            ("între martie și mai", Ro, "2026-03-01", Some("2026-05-31")),
            ("martie-mai", Ro, "2026-03-01", Some("2026-05-31")),
            ("poimâine", Ro, "2026-03-06", Some("2026-03-06")),
            ("Paște", Ro, "2026-04-12", Some("2026-04-12")),
            ("3/4", Ro, "2026-04-03", Some("2026-04-03")),
            ("diseară", Ro, "2026-03-04", Some("2026-03-04")),
            ("de Paști", Ro, "2026-04-12", Some("2026-04-12")),
            ("la începutul verii", Ro, "2026-06-21", Some("2026-07-21")),
            ("19 februarie 2027", Ro, "2027-02-19", Some("2027-02-19")),
            ("săptămâna care vine", Ro, "2026-03-09", Some("2026-03-15")),
            (
                "până la finalul trimestrului",
                Ro,
                "2026-03-04",
                Some("2026-03-31"),
            ),
            (
                "între 13 și 15 aprilie",
                Ro,
                "2026-04-13",
                Some("2026-04-15"),
            ),
            ("13-15 aprilie", Ro, "2026-04-13", Some("2026-04-15")),
            ("luni", Ro, "2026-03-09", Some("2026-03-09")),
            ("marți viitoare", Ro, "2026-03-10", Some("2026-03-10")),
            ("joia asta", Ro, "2026-03-05", Some("2026-03-05")),
            ("pe 1 mai", Ro, "2026-05-01", Some("2026-05-01")),
            ("în mai 2027", Ro, "2027-05-01", Some("2027-05-31")),
            ("anul următor", Ro, "2027-01-01", Some("2027-12-31")),
            ("peste 3 zile", Ro, "2026-03-07", Some("2026-03-07")),
            ("weekendul ăsta", Ro, "2026-03-07", Some("2026-03-08")),
            ("ajunul Crăciunului", Ro, "2026-12-24", Some("2026-12-24")),
            ("trimestrul 1 2027", Ro, "2027-01-01", Some("2027-03-31")),
            ("până vineri", Ro, "2026-03-04", Some("2026-03-06")),
            ("începând de luna viitoare", Ro, "2026-04-01", None),
            ("după 15 aprilie", Ro, "2026-04-16", None),
            (
                "la jumătatea lui iunie",
                Ro,
                "2026-06-11",
                Some("2026-06-20"),
            ),
            (
                "cel târziu în septembrie",
                Ro,
                "2026-03-04",
                Some("2026-09-30"),
            ),
        ]);
    }

    #[test]
    fn no_timeline_unclear_and_ambiguous() {
        for (text, locale) in [
            ("no timeline", Locale::En),
            ("not planned yet", Locale::En),
            ("no rush", Locale::En),
            ("일정 없어요", Locale::Ko),
            ("아직 계획 없음", Locale::Ko),
            ("nu avem un termen", Locale::Ro),
            ("nu ne grăbim", Locale::Ro),
            ("not urgent", Locale::En),
            ("nu e urgent", Locale::Ro),
            ("아직 미정입니다", Locale::Ko),
            ("급하지 않아요", Locale::Ko),
        ] {
            assert_eq!(
                timeframe(text, locale, now()),
                Ok(TimeframeAnswer::NoTimeline),
                "{text}"
            );
        }
        for text in [
            "I'm the CEO",
            "this is the one",
            "Pay ABC 2000",
            "1 adult",
            "25",
            "we use Salesforce",
            "may I ask a question?",
            "we sat down with the team",
            "our 2nd office",
            "we need 5 licenses",
            "sun is shining",
            "3 people",
            "version 2",
            "hello",
            "24/7",
            "we use Windows 11",
            "the price is 3.5",
        ] {
            assert_eq!(
                timeframe(text, Locale::En, now()),
                Err(Unclear::NotUnderstood),
                "{text}"
            );
        }
        for text in ["March 15 and April 2", "3/15 and 3/20", "Q2 and Q4"] {
            assert!(
                matches!(
                    timeframe(text, Locale::En, now()),
                    Err(Unclear::Ambiguous { .. })
                ),
                "{text}"
            );
        }
        assert!(matches!(
            timeframe("March or April", Locale::En, now()),
            Err(Unclear::Ambiguous { .. })
        ));
        assert!(matches!(
            timeframe("3월 아니면 4월", Locale::Ko, now()),
            Err(Unclear::Ambiguous { .. })
        ));
    }
}
