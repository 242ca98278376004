//! Purpose: the calendar vocabulary of each language (months, weekdays, seasons, ordinals,
//! duration units), in folded form, for the timeframe rules.

use chrono::Weekday;

use super::calendar::Season;

/// Month names and abbreviations (English, Romanian), longest first for regex alternation.
pub const MONTH_ALTERNATION: &str = "january|february|march|april|may|june|july|august|september|october|november|december|ianuarie|februarie|martie|aprilie|iunie|iulie|septembrie|octombrie|noiembrie|decembrie|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec|ian|iun|iul|noi|mai";

/// Month number of a folded month word.
pub fn month_number(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    Some(match word {
        "january" | "jan" | "ianuarie" | "ian" => 1,
        "february" | "feb" | "februarie" => 2,
        "march" | "mar" | "martie" => 3,
        "april" | "apr" | "aprilie" => 4,
        "may" | "mai" => 5,
        "june" | "jun" | "iunie" | "iun" => 6,
        "july" | "jul" | "iulie" | "iul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" | "septembrie" => 9,
        "october" | "oct" | "octombrie" => 10,
        "november" | "nov" | "noiembrie" | "noi" => 11,
        "december" | "dec" | "decembrie" => 12,
        _ => return None,
    })
}

/// Month words that are also common words ("may", "mai" = more, "noi" = we, "mar" = apple):
/// they count as months only in a date-like context.
pub fn month_word_is_ambiguous(word: &str) -> bool {
    matches!(
        word,
        "may" | "mai" | "noi" | "mar" | "sept" | "sep" | "jan" | "dec"
    )
}

/// Weekday names and abbreviations (English, Romanian with articled forms), longest first.
pub const WEEKDAY_ALTERNATION: &str = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunea|martea|miercurea|miercuri|joia|vinerea|vineri|sambata|duminica|luni|marti|joi|tues|thurs|thur|mon|tue|wed|thu|fri|sat|sun|dum|sam";

/// Korean weekday names, longest first.
pub const KOREAN_WEEKDAY_ALTERNATION: &str =
    "월요일|화요일|수요일|목요일|금요일|토요일|일요일|월욜|화욜|수욜|목욜|금욜|토욜|일욜";

/// Weekday of a folded weekday word (English, Romanian or Korean).
pub fn weekday_of(word: &str) -> Option<Weekday> {
    let word = word.trim_end_matches('.');
    Some(match word {
        "monday" | "mon" | "luni" | "lunea" | "lu" => Weekday::Mon,
        "tuesday" | "tues" | "tue" | "marti" | "martea" | "ma" => Weekday::Tue,
        "wednesday" | "wed" | "miercuri" | "miercurea" | "mi" => Weekday::Wed,
        "thursday" | "thurs" | "thur" | "thu" | "joi" | "joia" | "jo" => Weekday::Thu,
        "friday" | "fri" | "vineri" | "vinerea" | "vi" => Weekday::Fri,
        "saturday" | "sat" | "sambata" | "sam" | "sa" => Weekday::Sat,
        "sunday" | "sun" | "duminica" | "dum" | "du" => Weekday::Sun,
        _ => {
            let first = word.chars().next()?;
            if !word.ends_with("요일") && !word.ends_with('욜') {
                return None;
            }
            match first {
                '월' => Weekday::Mon,
                '화' => Weekday::Tue,
                '수' => Weekday::Wed,
                '목' => Weekday::Thu,
                '금' => Weekday::Fri,
                '토' => Weekday::Sat,
                '일' => Weekday::Sun,
                _ => return None,
            }
        }
    })
}

/// Short weekday words that are also ordinary words ("sun", "sat", "wed", "mon").
pub fn weekday_word_is_ambiguous(word: &str) -> bool {
    matches!(
        word,
        "sun" | "sat" | "wed" | "mon" | "dum" | "sam" | "tue" | "thu" | "fri"
    )
}

/// Season words (English, Romanian, Korean).
pub const SEASON_ALTERNATION: &str = "spring|summer|autumn|fall|winter|primaverii|primavara|verii|vara|toamnei|toamna|iernii|iarna|봄|여름|가을|겨울";

/// Season of a folded season word.
pub fn season_of(word: &str) -> Option<Season> {
    Some(match word {
        "spring" | "primavara" | "primaverii" | "봄" => Season::Spring,
        "summer" | "vara" | "verii" | "여름" => Season::Summer,
        "autumn" | "fall" | "toamna" | "toamnei" | "가을" => Season::Fall,
        "winter" | "iarna" | "iernii" | "겨울" => Season::Winter,
        _ => return None,
    })
}

/// Ordinal words for days, quarters and halves (folded), longest first.
pub const ORDINAL_ALTERNATION: &str =
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|1st|2nd|3rd|4th|5th";

/// Position of an ordinal word, 0 for "last".
pub fn ordinal_value(word: &str) -> Option<u32> {
    Some(match word {
        "first" | "1st" | "intai" | "primul" | "prima" | "1" | "i" | "unu" | "첫째" | "첫"
        | "첫번째" => 1,
        "second" | "2nd" | "doilea" | "2-lea" | "doua" | "2" | "ii" | "doi" | "둘째" | "두번째" => {
            2
        }
        "third" | "3rd" | "treilea" | "3-lea" | "treia" | "3" | "iii" | "trei" | "셋째"
        | "세번째" => 3,
        "fourth" | "4th" | "patrulea" | "4-lea" | "patra" | "4" | "iv" | "patru" | "넷째"
        | "네번째" => 4,
        "fifth" | "5th" | "5" | "다섯째" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "last" | "ultimul" | "ultima" | "마지막" => 0,
        _ => return None,
    })
}

/// A duration unit in days, weeks, months or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Days.
    Day,
    /// Weeks.
    Week,
    /// Calendar months.
    Month,
    /// Quarters (three months).
    Quarter,
    /// Years.
    Year,
}

/// Duration unit words (English, Romanian, Korean), longest first.
pub const UNIT_ALTERNATION: &str = "days|day|weeks|week|wks|wk|months|month|mos|mo|quarters|quarter|years|year|yrs|yr|zile|zi|saptamani|saptamana|luni|luna|trimestre|ani|an|주일|개월|일|주|달|년|해|분기";

/// Unit of a folded unit word.
pub fn unit_of(word: &str) -> Option<Unit> {
    Some(match word {
        "days" | "day" | "zile" | "zi" | "일" => Unit::Day,
        "weeks" | "week" | "wks" | "wk" | "saptamani" | "saptamana" | "주" | "주일" => {
            Unit::Week
        }
        "months" | "month" | "mos" | "mo" | "luni" | "luna" | "개월" | "달" => Unit::Month,
        "quarters" | "quarter" | "trimestre" | "분기" => Unit::Quarter,
        "years" | "year" | "yrs" | "yr" | "ani" | "an" | "년" | "해" => Unit::Year,
        _ => return None,
    })
}

/// A count written as a word that the number scanner leaves alone ("a week", "o lună").
pub fn count_of(word: &str) -> Option<i64> {
    let word = word.trim();
    if let Ok(n) = word.parse::<i64>() {
        return Some(n);
    }
    Some(match word {
        "a" | "an" | "one" | "o" | "un" | "una" => 1,
        "a couple of" | "couple of" | "a couple" | "cateva" => 2,
        "a few" | "few" | "several" => 3,
        _ => return None,
    })
}
