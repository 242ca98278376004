//! Purpose: when a rep can take a lead — weekly working hours in their own IANA time zone and
//! out-of-office dates — so routing never hands a hot lead to someone asleep or on leave.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// One weekly span, e.g. "mon-fri 09:00-17:30".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyHours {
    /// Days it applies to, Monday first.
    pub days: Vec<Weekday>,
    /// Start, local time.
    pub from: NaiveTime,
    /// End, local time (exclusive); may be before `from` for a night shift. 00:00 (written
    /// "00:00" or "24:00") is the midnight that ends the day, so the day's last second counts.
    pub to: NaiveTime,
}

/// Why a rep is not available at a moment, in words for `route --explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// Outside every span of working hours.
    OutsideHours {
        /// The rep's local time, e.g. "Sat 10:15 Europe/Bucharest".
        local: String,
    },
    /// On an out-of-office date.
    OutOfOffice {
        /// The local date.
        date: NaiveDate,
    },
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::OutsideHours { local } => write!(f, "outside working hours ({local})"),
            Unavailable::OutOfOffice { date } => write!(f, "out of office on {date}"),
        }
    }
}

/// A rep's calendar: time zone, weekly hours (none = always), out-of-office date ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct Availability {
    /// The rep's IANA time zone.
    pub time_zone: Tz,
    /// Weekly spans; empty means any time.
    pub hours: Vec<WeeklyHours>,
    /// Inclusive local date ranges.
    pub out_of_office: Vec<(NaiveDate, NaiveDate)>,
}

impl Availability {
    /// `Ok` when the rep can take a lead at `now`; otherwise why not.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), Unavailable> {
        let local = self.time_zone.from_utc_datetime(&now.naive_utc());
        let date = local.date_naive();
        if self
            .out_of_office
            .iter()
            .any(|(first, last)| (*first..=*last).contains(&date))
        {
            return Err(Unavailable::OutOfOffice { date });
        }
        if self.hours.is_empty() {
            return Ok(());
        }
        let time = local.time();
        let weekday = local.weekday();
        let working = self.hours.iter().any(|span| {
            let until_midnight = span.to == NaiveTime::MIN;
            if until_midnight || span.from < span.to {
                span.days.contains(&weekday)
                    && span.from <= time
                    && (until_midnight || time < span.to)
            } else {
                // A night shift: the evening part belongs to the listed day, the early-morning
                // part to the day after it.
                (span.days.contains(&weekday) && time >= span.from)
                    || (span.days.contains(&weekday.pred()) && time < span.to)
            }
        });
        if working {
            Ok(())
        } else {
            Err(Unavailable::OutsideHours {
                local: format!("{} {}", local.format("%a %H:%M"), self.time_zone.name()),
            })
        }
    }
}

/// Parses "mon-fri 09:00-17:30", "sat 10:00-14:00", "mon,wed,fri 08:00-12:00".
pub fn parse_hours(text: &str) -> Result<WeeklyHours, String> {
    let (days, times) = text.trim().split_once(char::is_whitespace).ok_or_else(|| {
        format!("hours {text:?}: expected days and times, e.g. \"mon-fri 09:00-17:00\"")
    })?;
    let (from, to) = times
        .trim()
        .split_once('-')
        .ok_or_else(|| format!("hours {text:?}: expected a time range such as 09:00-17:00"))?;
    let time = |value: &str| {
        NaiveTime::parse_from_str(value.trim(), "%H:%M").map_err(|_| {
            format!(
                "hours {text:?}: {:?} is not a time like 09:30",
                value.trim()
            )
        })
    };
    if from.trim() == "24:00" {
        return Err(format!(
            "hours {text:?}: 24:00 can only end a span (start at 00:00)"
        ));
    }
    let whole_day = from.trim() == "00:00" && to.trim() == "24:00";
    let from = time(from)?;
    // 24:00 is the midnight that ends the day: the same instant as the next day's 00:00.
    let to = if to.trim() == "24:00" {
        NaiveTime::MIN
    } else {
        time(to)?
    };
    if from == to && !whole_day {
        return Err(format!("hours {text:?}: the span is empty"));
    }
    let mut parsed = Vec::new();
    for part in days.split(',') {
        match part.split_once('-') {
            Some((first, last)) => {
                let (first, last) = (weekday(first, text)?, weekday(last, text)?);
                let mut day = first;
                loop {
                    parsed.push(day);
                    if day == last {
                        break;
                    }
                    day = day.succ();
                }
            }
            None => parsed.push(weekday(part, text)?),
        }
    }
    Ok(WeeklyHours {
        days: parsed,
        from,
        to,
    })
}

fn weekday(name: &str, text: &str) -> Result<Weekday, String> {
    name.trim().parse::<Weekday>().map_err(|_| {
        format!(
            "hours {text:?}: {:?} is not a day (mon, tue, … sun)",
            name.trim()
        )
    })
}

/// Parses "2026-12-24" or "2026-12-24..2027-01-02" (inclusive).
pub fn parse_dates(text: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let date = |value: &str| {
        NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
            format!(
                "out_of_office {text:?}: {:?} is not a date like 2026-12-24",
                value.trim()
            )
        })
    };
    match text.split_once("..") {
        Some((first, last)) => {
            let (first, last) = (date(first)?, date(last)?);
            if last < first {
                return Err(format!(
                    "out_of_office {text:?}: the range ends before it starts"
                ));
            }
            Ok((first, last))
        }
        None => {
            let day = date(text)?;
            Ok((day, day))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn office(zone: &str, hours: &[&str]) -> Availability {
        Availability {
            time_zone: zone.parse().unwrap(),
            hours: hours
                .iter()
                .map(|span| parse_hours(span).unwrap())
                .collect(),
            out_of_office: Vec::new(),
        }
    }

    #[test]
    fn parses_day_ranges_lists_and_times() {
        let span = parse_hours("mon-fri 09:00-17:30").unwrap();
        assert_eq!(span.days.len(), 5);
        assert_eq!(span.to, NaiveTime::from_hms_opt(17, 30, 0).unwrap());
        assert_eq!(
            parse_hours("sat,sun 10:00-14:00").unwrap().days,
            [Weekday::Sat, Weekday::Sun]
        );
        assert_eq!(parse_hours("fri-mon 10:00-11:00").unwrap().days.len(), 4);
        assert!(
            parse_hours("weekdays 09:00-17:00")
                .unwrap_err()
                .contains("not a day")
        );
        assert!(parse_hours("mon 9-5").unwrap_err().contains("not a time"));
        assert!(parse_hours("mon-fri").is_err());
    }

    #[test]
    fn working_hours_follow_the_reps_zone_across_a_dst_change() {
        // New York: 09:00-17:00 local is 14:00-22:00 UTC in winter (EST) and 13:00-21:00 UTC
        // in summer (EDT); DST started on Sunday 8 March 2026.
        let new_york = office("America/New_York", &["mon-fri 09:00-17:00"]);
        assert!(
            new_york.check(utc("2026-03-06T13:30:00Z")).is_err(),
            "Fri 08:30 EST"
        );
        assert!(
            new_york.check(utc("2026-03-06T14:30:00Z")).is_ok(),
            "Fri 09:30 EST"
        );
        assert!(
            new_york.check(utc("2026-03-09T13:30:00Z")).is_ok(),
            "Mon 09:30 EDT"
        );
        assert!(
            new_york.check(utc("2026-03-09T21:30:00Z")).is_err(),
            "Mon 17:30 EDT"
        );
        let weekend = new_york.check(utc("2026-03-07T15:00:00Z")).unwrap_err();
        assert_eq!(
            weekend.to_string(),
            "outside working hours (Sat 10:00 America/New_York)"
        );
    }

    #[test]
    fn night_shifts_cross_midnight() {
        let seoul = office("Asia/Seoul", &["mon-fri 22:00-06:00"]);
        assert!(
            seoul.check(utc("2026-03-02T14:00:00Z")).is_ok(),
            "Mon 23:00 KST"
        );
        assert!(
            seoul.check(utc("2026-03-02T19:00:00Z")).is_ok(),
            "Tue 04:00 KST"
        );
        assert!(
            seoul.check(utc("2026-03-02T03:00:00Z")).is_err(),
            "Mon 12:00 KST"
        );
        assert!(
            seoul.check(utc("2026-03-01T19:00:00Z")).is_err(),
            "Mon 04:00: Sunday night off"
        );
    }

    #[test]
    fn a_day_until_24_00_includes_its_last_second() {
        let always = office("UTC", &["mon-sun 00:00-24:00"]);
        for moment in [
            "2026-03-02T00:00:00Z",
            "2026-03-02T12:00:00Z",
            "2026-03-02T23:59:59Z",
            "2026-03-02T23:59:59.5Z",
            "2026-03-02T23:59:59.999Z",
            "2026-03-03T00:00:00Z",
        ] {
            assert!(always.check(utc(moment)).is_ok(), "{moment}");
        }
        let evenings = office("UTC", &["mon 18:00-24:00"]);
        assert!(evenings.check(utc("2026-03-02T17:59:59.5Z")).is_err());
        assert!(evenings.check(utc("2026-03-02T18:00:00Z")).is_ok());
        assert!(evenings.check(utc("2026-03-02T23:59:59.5Z")).is_ok());
        assert!(
            evenings.check(utc("2026-03-03T00:00:00Z")).is_err(),
            "Tuesday starts at midnight"
        );
    }

    #[test]
    fn a_day_from_00_00_starts_at_midnight_and_ends_at_its_end() {
        let monday = office("UTC", &["mon 00:00-09:00"]);
        assert!(
            monday.check(utc("2026-03-01T23:59:59.5Z")).is_err(),
            "Sunday"
        );
        assert!(monday.check(utc("2026-03-02T00:00:00Z")).is_ok());
        assert!(monday.check(utc("2026-03-02T08:59:59.5Z")).is_ok());
        assert!(monday.check(utc("2026-03-02T09:00:00Z")).is_err());
    }

    #[test]
    fn overnight_spans_hold_through_midnight_and_end_on_the_minute() {
        let nights = office("UTC", &["mon-fri 22:00-02:00"]);
        assert!(
            nights.check(utc("2026-03-06T21:59:59.5Z")).is_err(),
            "Fri 21:59:59.5"
        );
        assert!(
            nights.check(utc("2026-03-06T22:00:00Z")).is_ok(),
            "Fri 22:00"
        );
        assert!(
            nights.check(utc("2026-03-06T23:59:59.5Z")).is_ok(),
            "Fri 23:59:59.5"
        );
        assert!(
            nights.check(utc("2026-03-07T00:00:00Z")).is_ok(),
            "Sat 00:00, Friday's night"
        );
        assert!(
            nights.check(utc("2026-03-07T01:59:59.5Z")).is_ok(),
            "Sat 01:59:59.5"
        );
        assert!(
            nights.check(utc("2026-03-07T02:00:00Z")).is_err(),
            "Sat 02:00"
        );
        assert!(
            nights.check(utc("2026-03-07T22:00:00Z")).is_err(),
            "Sat 22:00"
        );
        assert!(
            nights.check(utc("2026-03-02T00:30:00Z")).is_err(),
            "Mon 00:30: Sunday night off"
        );
        let until_midnight = office("UTC", &["fri 22:00-00:00"]);
        assert!(until_midnight.check(utc("2026-03-06T23:59:59.5Z")).is_ok());
        assert!(until_midnight.check(utc("2026-03-07T00:00:00Z")).is_err());
    }

    #[test]
    fn only_an_end_may_be_24_00() {
        assert!(
            parse_hours("mon 24:00-02:00")
                .unwrap_err()
                .contains("24:00")
        );
        assert!(
            parse_hours("mon 00:00-00:00")
                .unwrap_err()
                .contains("empty")
        );
        assert!(parse_hours("mon 24:00-24:00").is_err());
    }

    #[test]
    fn out_of_office_uses_the_local_date() {
        let mut bucharest = office("Europe/Bucharest", &[]);
        bucharest
            .out_of_office
            .push(parse_dates("2026-12-24..2026-12-26").unwrap());
        // 23:30 UTC on the 23rd is already the 24th in Bucharest (UTC+2).
        let away = bucharest.check(utc("2026-12-23T23:30:00Z")).unwrap_err();
        assert_eq!(away.to_string(), "out of office on 2026-12-24");
        assert!(bucharest.check(utc("2026-12-26T23:30:00Z")).is_ok());
        assert!(parse_dates("2026-12-26..2026-12-24").is_err());
        assert!(parse_dates("24/12/2026").is_err());
    }
}
