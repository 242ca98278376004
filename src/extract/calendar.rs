//! Purpose: calendar arithmetic for timeframes: windows of weeks, months, quarters, halves,
//! seasons and holidays, always from a given "today" (no clock).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// A window of dates, inclusive; `end == None` is open-ended ("after March").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First day.
    pub start: NaiveDate,
    /// Last day, inclusive, if any.
    pub end: Option<NaiveDate>,
}

impl Window {
    /// A closed window.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Self {
        Window {
            start,
            end: Some(end),
        }
    }

    /// A single day.
    pub fn day(day: NaiveDate) -> Self {
        Window::new(day, day)
    }

    /// Open from `start` on.
    pub fn from(start: NaiveDate) -> Self {
        Window { start, end: None }
    }
}

/// `date + n days`, saturating at the calendar's end.
pub fn add_days(date: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        date.checked_add_days(Days::new(n.unsigned_abs()))
            .unwrap_or(date)
    } else {
        date.checked_sub_days(Days::new(n.unsigned_abs()))
            .unwrap_or(date)
    }
}

/// `date + n months`, clamping the day ("Jan 31 + 1 month" = Feb 28).
pub fn add_months(date: NaiveDate, n: i64) -> NaiveDate {
    let months = Months::new(u32::try_from(n.unsigned_abs()).unwrap_or(u32::MAX));
    let moved = if n >= 0 {
        date.checked_add_months(months)
    } else {
        date.checked_sub_months(months)
    };
    moved.unwrap_or(date)
}

/// A date, or `None` when it does not exist (Feb 30).
pub fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The first day of a month (years out of chrono's range fall back to `fallback`).
pub fn month_start(year: i32, month: u32) -> Option<NaiveDate> {
    ymd(year, month, 1)
}

/// The whole calendar month.
pub fn month_window(year: i32, month: u32) -> Option<Window> {
    let start = month_start(year, month)?;
    Some(Window::new(start, add_days(add_months(start, 1), -1)))
}

/// Monday of the week holding `date` (weeks start on Monday).
pub fn week_start(date: NaiveDate) -> NaiveDate {
    add_days(date, -i64::from(date.weekday().num_days_from_monday()))
}

/// Monday to Sunday around `date`.
pub fn week_window(date: NaiveDate) -> Window {
    let start = week_start(date);
    Window::new(start, add_days(start, 6))
}

/// Quarter `q` (1–4) of `year`.
pub fn quarter_window(year: i32, quarter: u32) -> Option<Window> {
    if !(1..=4).contains(&quarter) {
        return None;
    }
    let start = month_start(year, (quarter - 1) * 3 + 1)?;
    Some(Window::new(start, add_days(add_months(start, 3), -1)))
}

/// The quarter (1–4) a date is in.
pub fn quarter_of(date: NaiveDate) -> u32 {
    (date.month() - 1) / 3 + 1
}

/// Half `h` (1–2) of `year`.
pub fn half_window(year: i32, half: u32) -> Option<Window> {
    let start = month_start(year, if half == 1 { 1 } else { 7 })?;
    Some(Window::new(start, add_days(add_months(start, 6), -1)))
}

/// The whole year.
pub fn year_window(year: i32) -> Option<Window> {
    Some(Window::new(ymd(year, 1, 1)?, ymd(year, 12, 31)?))
}

/// Northern-hemisphere seasons, on the astronomical dates Duckling also uses:
/// spring Mar 20–Jun 20, summer Jun 21–Sep 22, fall Sep 23–Dec 20, winter Dec 21–Mar 19.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Season {
    /// Mar 20 – Jun 20.
    Spring,
    /// Jun 21 – Sep 22.
    Summer,
    /// Sep 23 – Dec 20.
    Fall,
    /// Dec 21 – Mar 19 (of the next year).
    Winter,
}

/// The season starting in `year`.
pub fn season_window(season: Season, year: i32) -> Option<Window> {
    let (start, end) = match season {
        Season::Spring => (ymd(year, 3, 20)?, ymd(year, 6, 20)?),
        Season::Summer => (ymd(year, 6, 21)?, ymd(year, 9, 22)?),
        Season::Fall => (ymd(year, 9, 23)?, ymd(year, 12, 20)?),
        Season::Winter => (ymd(year, 12, 21)?, ymd(year + 1, 3, 19)?),
    };
    Some(Window::new(start, end))
}

/// The first window produced by `make(year)` that has not ended by `today`, trying this year
/// and the next few (also the previous year, for winters that started last December).
pub fn next_yearly(today: NaiveDate, make: impl Fn(i32) -> Option<Window>) -> Option<Window> {
    (today.year() - 1..=today.year() + 4)
        .filter_map(&make)
        .find(|w| w.end.unwrap_or(w.start) >= today)
}

/// The next date on or after `from` that falls on `weekday`.
pub fn next_weekday_on_or_after(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() as i64
        - from.weekday().num_days_from_monday() as i64)
        % 7;
    add_days(from, ahead)
}

/// The `n`-th `weekday` of a month (n ≥ 1), or the last one when `n == 0`.
pub fn nth_weekday_of_month(year: i32, month: u32, weekday: Weekday, n: u32) -> Option<NaiveDate> {
    let first = month_start(year, month)?;
    if n == 0 {
        let last = add_days(add_months(first, 1), -1);
        let back = (7 + last.weekday().num_days_from_monday() as i64
            - weekday.num_days_from_monday() as i64)
            % 7;
        return Some(add_days(last, -back));
    }
    let day = add_days(
        next_weekday_on_or_after(first, weekday),
        7 * i64::from(n - 1),
    );
    (day.month() == month).then_some(day)
}

/// Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm.
pub fn western_easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Orthodox Easter (Romania's Paște), Julian computus shifted to the Gregorian calendar
/// (13 days in the 1900–2099 range).
pub fn orthodox_easter(year: i32) -> Option<NaiveDate> {
    let a = year % 4;
    let b = year % 7;
    let c = year % 19;
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    let julian = ymd(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    Some(add_days(julian, 13))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn easter_dates() {
        assert_eq!(western_easter(2013), Some(d(2013, 3, 31)));
        assert_eq!(western_easter(2026), Some(d(2026, 4, 5)));
        assert_eq!(orthodox_easter(2026), Some(d(2026, 4, 12)));
        assert_eq!(orthodox_easter(2024), Some(d(2024, 5, 5)));
    }

    #[test]
    fn weeks_and_weekdays() {
        assert_eq!(week_start(d(2026, 3, 4)), d(2026, 3, 2));
        assert_eq!(
            nth_weekday_of_month(2026, 11, Weekday::Thu, 4),
            Some(d(2026, 11, 26))
        );
        assert_eq!(
            nth_weekday_of_month(2013, 3, Weekday::Mon, 0),
            Some(d(2013, 3, 25))
        );
        assert_eq!(
            quarter_window(2026, 3),
            Some(Window::new(d(2026, 7, 1), d(2026, 9, 30)))
        );
        assert_eq!(add_months(d(2026, 1, 31), 1), d(2026, 2, 28));
    }
}
