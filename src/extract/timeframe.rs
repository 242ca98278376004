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
    KOREAN_WEEKDAY_ALTERNATION, MONTH_ALTERNATION, ORDINAL_ALTERNATION, SEASON_ALTERNATION,
    UNIT_ALTERNATION, Unit, WEEKDAY_ALTERNATION, count_of, month_number, month_word_is_ambiguous,
    ordinal_value, season_of, unit_of, weekday_of, weekday_word_is_ambiguous,
};
use super::tokens::{capped, tail};
use super::{Timeframe, TimeframeAnswer, Unclear, fold};
use crate::locale::Locale;

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

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|_| super::text::never_matching_regex())
}

macro_rules! lazy_re {
    ($name:ident, $pattern:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| re(&$pattern));
    };
}

lazy_re!(
    NOW_RE,
    r"\b(?:now|right now|asap|a\.s\.a\.p|as soon as possible|as soon as|immediately|right away|straight away|urgent|urgently|at this time|today|tonight|this morning|this afternoon|acum|imediat|cat mai repede|cat de repede|urgent|azi|astazi|chiar acum|de indata|in aceasta zi)\b|지금|당장|즉시|바로|오늘|최대한 빨리|가능한 빨리|빨리|급해요|급합니다"
);
lazy_re!(
    SOON_RE,
    r"\b(?:soon|shortly|in the near future|curand|in curand|in viitorul apropiat)\b|곧|조만간|빠른 시일"
);
lazy_re!(
    YESTERDAY_RE,
    r"\b(?:yesterday|ieri|alaltaieri)\b|어제|그저께"
);
lazy_re!(
    TOMORROW_RE,
    r"\b(?:the day after tomorrow|day after tomorrow|poimaine|tomorrows?|maine)\b|내일\s*모레|모레|내일"
);
lazy_re!(ISO_DATE_RE, r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b");
lazy_re!(
    NUMERIC_DATE_RE,
    r"\b(\d{1,2})([./])(\d{1,2})(?:[./](\d{4}|\d{2}))?\b"
);
lazy_re!(
    MONTH_DAY_RE,
    format!(
        r"\b({MONTH_ALTERNATION})\.?\s*(?:the\s+)?(\d{{1,2}}|{ORDINAL_ALTERNATION}|intai)(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}|'?\d{{2}})\b)?"
    )
);
lazy_re!(
    DAY_MONTH_RE,
    format!(
        r"\b(?:the\s+)?(\d{{1,2}}|{ORDINAL_ALTERNATION}|intai)(?:st|nd|rd|th)?(?:\s+day)?\s*(?:of\s+|de\s+|-)?({MONTH_ALTERNATION})\b\.?(?:,?\s+(\d{{4}}|'?\d{{2}})\b)?"
    )
);
lazy_re!(IDES_RE, format!(r"\bides\s+of\s+({MONTH_ALTERNATION})\b"));
lazy_re!(
    KO_DATE_RE,
    r"(?:(\d{4})\s*년\s*)?(\d{1,2})\s*월\s*(\d{1,2})\s*일"
);
lazy_re!(
    DAY_ONLY_RE,
    format!(
        r"\b(?:on\s+)?the\s+(\d{{1,2}}|{ORDINAL_ALTERNATION})(?:st|nd|rd|th)?\b|\bon\s+(\d{{1,2}})(?:st|nd|rd|th)?\b|\b(\d{{1,2}})(?:st|nd|rd|th)\b|\bpe\s+(\d{{1,2}})\b|(?:^|\s)(\d{{1,2}})\s*일(?:에|날)?"
    )
);
lazy_re!(
    DAY_OF_REL_MONTH_RE,
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+)?of\s+(?:the\s+)?(next|this|current|following)\s+month\b"
);
lazy_re!(
    NTH_WEEKDAY_RE,
    format!(
        r"\b({ORDINAL_ALTERNATION})\s+({WEEKDAY_ALTERNATION})\s+(?:of|in)\s+({MONTH_ALTERNATION})\b"
    )
);
lazy_re!(
    KO_NTH_WEEKDAY_RE,
    format!(
        r"(\d{{1,2}})\s*월\s*(첫째|첫|둘째|두\s*번째|셋째|세\s*번째|넷째|네\s*번째|마지막)\s*(?:주\s*)?({KOREAN_WEEKDAY_ALTERNATION})"
    )
);
lazy_re!(
    NTH_DAY_OF_MONTH_RE,
    format!(r"\b({ORDINAL_ALTERNATION})\s+(last\s+)?day\s+(?:of|in)\s+({MONTH_ALTERNATION})\b")
);
lazy_re!(
    WEEKDAYS_FROM_NOW_RE,
    format!(r"\b(\d+)\s+({WEEKDAY_ALTERNATION})s?\s+from\s+(?:now|today)\b")
);
lazy_re!(
    WEEKDAY_RE,
    format!(
        r"\b(?:(next|this|coming|upcoming|last|on|the)\s+)?({WEEKDAY_ALTERNATION})\b\.?(?:\s+(after next|of next week|next week|of this week|this week|saptamana viitoare|saptamana urmatoare|saptamana asta|saptamana aceasta|viitoare|viitor|urmatoare|asta|aceasta|care vine))?"
    )
);
lazy_re!(
    KO_WEEKDAY_RE,
    format!(
        r"(이번\s*주|금주|다음\s*주|다다음\s*주|오는\s*주|지난\s*주|다음|오는|이번)?\s*({KOREAN_WEEKDAY_ALTERNATION})"
    )
);
lazy_re!(RO_WEEKDAY_ABBR_RE, r"^(lu|ma|mi|jo|vi|sa|sam|du|dum)\.?$");
/// A count, a count range ("2-3", "2 or 3") or a count word ("a", "a few", "câteva").
const COUNT: &str = r"(\d+(?:\s*(?:-|–|~|to|or|sau|la)\s*\d+)?|a couple of|couple of|a couple|a few|few|several|a|an|one|o|un|una|cateva)";
lazy_re!(
    IN_DURATION_RE,
    format!(
        r"\b(?:in|after|peste|dupa|in decurs de)\s+(?:(?:about|around|approximately|roughly|another|cam|vreo|aproximativ|inca)\s+)?{COUNT}\s+({UNIT_ALTERNATION})\b|\b{COUNT}\s+({UNIT_ALTERNATION})\s+(?:from now|from today|hence|later|de acum|de azi|de astazi)\b"
    )
);
lazy_re!(
    WITHIN_RE,
    format!(
        r"\b(?:within|in the next|over the next|in the coming|in the upcoming|during the next|the next|next|upcoming|coming|in the following|the following|in less than|less than|under|in under|in urmatoarele|in urmatorii|urmatoarele|urmatorii|in maxim|in mai putin de|in termen de|in cel mult|in cursul urmatoarelor|in cursul urmatorilor)\s+(?:(?:about|around|cam)\s+)?(?:{COUNT}\s+)?({UNIT_ALTERNATION})\b|\b(\d+)\s+(?:upcoming|coming|next)\s+({UNIT_ALTERNATION})\b"
    )
);
lazy_re!(
    BARE_DURATION_RE,
    format!(
        r"^(?:(?:about|around|maybe|probably|approximately|approx|roughly|cam|vreo|aproximativ|probabil|poate|약|대략|아마)\s+)?{COUNT}\s*({UNIT_ALTERNATION})(?:\s*(?:or so|max|maybe|probably|cam|aproximativ|정도|쯤|후|뒤))?$"
    )
);
lazy_re!(
    KO_DURATION_RE,
    r"(\d+(?:\s*[~-]\s*\d+)?)\s*(주일|개월|일|주|달|년|해|분기)\s*(안에|안으로|안|이내에|이내|내에|내로|내|동안|후에|후|뒤에|뒤|지나서|전에|전)"
);
lazy_re!(
    WITHIN_PERIOD_RE,
    r"\bwithin\s+(?:the|this)\s+(week|month|quarter|year)\b|\b(?:in|during)\s+(?:the\s+)?rest\s+of\s+(?:the|this)\s+(week|month|quarter|year)\b"
);
lazy_re!(
    NTH_WEEK_OF_MONTH_RE,
    format!(r"\b({ORDINAL_ALTERNATION})\s+week\s+(?:of|in)\s+({MONTH_ALTERNATION})\b")
);
lazy_re!(
    A_UNIT_OR_TWO_RE,
    r"\b(?:a|one)\s+(day|week|month|year)\s+or\s+two\b"
);
lazy_re!(
    NEGATED_URGENCY_RE,
    r"\b(?:not urgent|isn'?t urgent|is not urgent|no urgency|not in a hurry|nu e urgent|nu este urgent|nu-i urgent)\b|급하지\s*않"
);
lazy_re!(
    AGO_RE,
    format!(
        r"\b(\d+|a|an|one)\s+({UNIT_ALTERNATION})\s+ago\b|\bacum\s+(\d+|o|un|una)\s+({UNIT_ALTERNATION})\b"
    )
);
lazy_re!(
    RELATIVE_PERIOD_RE,
    r"\b(this|current|the current|next|the next|following|the following|coming|the coming|upcoming|last|previous|the previous|past)\s+(?:fiscal\s+|financial\s+|calendar\s+)?(week|wk|month|quarter|qtr|year|yr)\b|\b(week|month|year)\s+after\s+next\b"
);
lazy_re!(
    RO_RELATIVE_PERIOD_RE,
    r"\b(saptamana|luna|trimestrul|anul|saptamanii|lunii|trimestrului|anului)\s+(asta|aceasta|acesta|curenta|curent|viitoare|viitor|urmatoare|urmator|care vine|trecuta|trecut|asteia|acesteia|acestuia|curente)\b|\bla anul\b"
);
lazy_re!(
    KO_RELATIVE_PERIOD_RE,
    r"(이번|금|다음|다다음|오는|지난|저번)\s*(주|달|분기|해)|이달|올해|금년|내년|작년|내후년|재작년|연내|연중"
);
lazy_re!(
    PART_OF_PERIOD_RE,
    r"\b(end|beginning|start|middle|mid)\s+of\s+(?:the\s+)?(this\s+|next\s+|current\s+|the\s+next\s+)?(week|month|quarter|year)\b|\b(eom|eoy|eoq|eow|eod)\b"
);
lazy_re!(
    RO_PART_OF_PERIOD_RE,
    r"\b(sfarsitul|sfarsit de|finalul|final de|inceputul|inceput de|mijlocul)\s+(lunii|anului|saptamanii|trimestrului|luna|an|saptamana|trimestru)(?:\s+(viitoare|viitor|urmatoare|urmator|asteia|acesteia|acestuia|curente|curent))?\b"
);
lazy_re!(
    KO_PART_OF_PERIOD_RE,
    r"(월말|연말|년말|분기말|월초|연초|년초|주말|이번\s*주말|다음\s*주말)"
);
lazy_re!(
    WEEKEND_RE,
    r"\b(this|next|the)?\s*weekend\b|\bweekendul\s*(asta|acesta|viitor)?\b|\bin weekend\b"
);
lazy_re!(
    QUARTER_RE,
    format!(
        r"\bq\s?([1-4])\b(?:\s*(?:of\s+)?(\d{{4}}|'\d{{2}}))?|\b(\d{{4}})\s*-?\s*q([1-4])\b|\b(\d{{2}})q([1-4])\b|\b({ORDINAL_ALTERNATION})\s+(?:fiscal\s+)?(?:quarter|qtr)\b(?:\s+(?:of\s+)?(?:the\s+year\s+)?(\d{{4}}))?"
    )
);
lazy_re!(
    RO_QUARTER_RE,
    r"\btrimestrul\s+(?:al\s+)?(1|2|3|4|iv|iii|ii|i|intai|unu|doi|trei|patru|doilea|2-lea|treilea|3-lea|patrulea|4-lea)\b(?:\s+(?:din|al anului|din anul|pe)?\s*(\d{4}))?|\b(primul|al\s+doilea|al\s+2-lea|al\s+treilea|al\s+3-lea|al\s+patrulea|al\s+4-lea|ultimul)\s+trimestru\b(?:\s+(?:din|al anului|din anul|pe)?\s*(\d{4}))?"
);
lazy_re!(KO_QUARTER_RE, r"(?:(\d{4})\s*년\s*)?([1-4])\s*분기");
lazy_re!(
    HALF_RE,
    r"\bh([12])\b(?:\s*(\d{4}))?|\b(first|1st|second|2nd|latter|last|back|front)\s+half\b(?:\s+of\s+(?:the\s+year\s*)?(\d{4})?)?|\b(prima|a\s+2|a\s+doua)\s+jumatate\b(?:\s+a\s+anului)?(?:\s+(\d{4}))?|\bsemestrul\s+(1|2|ii|i|intai|doi)\b|\b(primul|al\s+doilea|al\s+2-lea)\s+semestru\b|(상반기|하반기)"
);
lazy_re!(
    SEASON_RE,
    format!(
        r"(?:\b(this|next|coming|the coming|last|la)\s+)?\b({SEASON_ALTERNATION})\b(?:\s+(asta|aceasta|viitoare|viitor|care vine|trecuta|(\d{{4}})))?"
    )
);
lazy_re!(
    KO_SEASON_RE,
    r"(올해|이번|내년|다음|작년|지난)?\s*(봄|여름|가을|겨울)"
);
lazy_re!(
    MONTH_RE,
    format!(
        r"\b(next|this|coming|the coming|last|luna)?\s*\b({MONTH_ALTERNATION})\b\.?(?:\s+(after next))?(?:,?\s+(\d{{4}})\b)?"
    )
);
lazy_re!(
    KO_MONTH_RE,
    r"(?:(\d{4})\s*년\s*|(내년|올해|다음\s*해|작년)\s*)?(\d{1,2})\s*월"
);
lazy_re!(YEAR_RE, r"\b(20\d{2}|19\d{2})\b|(\d{4})\s*년");
lazy_re!(
    HOLIDAY_RE,
    r"\b(christmas eve|xmas eve|christmas day|christmas|xmas|new year'?s eve|new years eve|new year'?s day|new years day|new year|thanksgiving day|thanksgiving|easter|halloween|black friday|ajunul craciunului|craciunul|craciun|revelionul|revelion|anul nou|pastele|paste)\b|크리스마스\s*이브|크리스마스|성탄절|신정|새해|추수감사절|부활절"
);
lazy_re!(
    ALTERNATIVES_RE,
    r"\s+or\s+|\s+sau\s+|\s*아니면\s*|\s+또는\s+|\s+혹은\s+|\s+either\s+"
);
lazy_re!(
    NO_TIMELINE_RE,
    r"\b(?:no timeline|no time ?line|not planned|no plans?|no rush|no hurry|no deadline|no specific|not sure|don'?t know|no idea|not decided|undecided|whenever|someday|some day|eventually|tbd|not yet|not any time soon|not anytime soon|no date|nu avem (?:un )?termen|nu e planificat|nu este planificat|nu ne grabim|nu stiu|nu avem planuri|nu am stabilit|nu s-a stabilit|candva|nu e urgent|nu este urgent|nicio graba|nu avem un plan|nestabilit)\b|일정\s*없|계획\s*없|미정|모르겠|급하지\s*않|아직\s*모|딱히|언젠가|정해지지|정해진\s*(?:건|게)?\s*없"
);
lazy_re!(
    PART_PREFIX_RE,
    r"(?:\b(early|beginning of|start of|the beginning of|the start of|inceputul|la inceputul|inceput de|mid|middle of|the middle of|mijlocul|la mijlocul|late|end of|the end of|sfarsitul|la sfarsitul|finalul|la finalul|spre sfarsitul|spre finalul)\s*-?\s*(?:the\s+|of\s+|lui\s+|lunii\s+)?)$"
);
lazy_re!(
    OFFSET_PREFIX_RE,
    format!(
        r"\b(\d+|a|an|one|o|un|una)\s+({UNIT_ALTERNATION})\s+(after|before|from|dupa|inainte de)\s+(?:the\s+)?$"
    )
);
lazy_re!(
    WEEK_OF_PREFIX_RE,
    r"\b(?:the\s+)?week\s+of\s+(?:the\s+)?$|\bsaptamana\s+(?:din|de|cu)\s+$"
);
lazy_re!(
    KO_PART_SUFFIX_RE,
    r"^\s*(초순|초|중순|중반|말|하순|후반|말경|말쯤)"
);
lazy_re!(
    BOUND_PREFIX_RE,
    r"(?:\b(later|by|no later than|not later than|until|till|up until|up to|through|thru|pana la|pana in|pana pe|cel tarziu|cel tarziu in|nu mai tarziu de|before|prior to|inainte de|inainte sa|anytime after|sometime after|after|post|dupa|not before|not until|no earlier than|nu inainte de|nu mai devreme de|not|from|starting|starting in|starting from|starting at|beginning in|since|as of|incepand cu|incepand din|incepand de la|din|de la|cu incepere din)\s+(?:the\s+|on\s+|in\s+)?)$"
);
lazy_re!(
    KO_BOUND_SUFFIX_RE,
    r"^\s*(전까지|까지|내로|안에|안으로|이내|내에|전에|이전에|이전|전|이후로|이후에|이후|후에|후|뒤에|지나서|부터|내)(?:$|[\s.!?,요])"
);
lazy_re!(
    EN_BOUND_SUFFIX_RE,
    r"^\s*(onwards|onward|or later|and later|at the latest|at the earliest|or after|in avans)\b"
);
lazy_re!(
    RANGE_GAP_RE,
    r"^\s*(?:-|–|—|~|to|till|until|through|thru|and|si|la|pana la|pana in|에서|부터|~에서)\s*$"
);
lazy_re!(BETWEEN_RE, r"\b(between|from|intre|de la|din)\s*$");

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
            .filter_map(|part| read_window(part, locale, today))
            .collect();
        if windows.len() > 1 && windows.iter().any(|w| *w != windows[0]) {
            return Err(Unclear::Ambiguous {
                readings: windows.iter().map(describe).collect(),
            });
        }
    }
    match read_window(text, locale, today) {
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
        if !span.words || span.value.fract() != 0.0 || span.value > 1e6 {
            continue;
        }
        out.push_str(folded.get(last..span.start).unwrap_or(""));
        out.push_str(&format!("{}", span.value as i64));
        last = span.end;
    }
    out.push_str(folded.get(last..).unwrap_or(""));
    out
}

fn read_window(text: &str, locale: Locale, today: NaiveDate) -> Option<Window> {
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
        return Some(range);
    }
    let best = top.iter().copied().max_by(|a, b| {
        a.grain
            .cmp(&b.grain)
            .then((a.end - a.start).cmp(&(b.end - b.start)))
            .then(b.start.cmp(&a.start))
    })?;
    Some(apply_modifiers(text, best, today))
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

fn now_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits: Vec<Hit> = NOW_RE
        .captures_iter(ctx.text)
        .filter_map(|caps| hit(Window::day(ctx.today), &caps, Grain::Day))
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

fn tomorrow_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits: Vec<Hit> = YESTERDAY_RE
        .captures_iter(ctx.text)
        .filter_map(|caps| {
            let word = capture_text(&caps, 0)?;
            let days = if word == "alaltaieri" || word == "그저께" {
                -2
            } else {
                -1
            };
            hit(Window::day(add_days(ctx.today, days)), &caps, Grain::Day)
        })
        .collect();
    hits.extend(TOMORROW_RE.captures_iter(ctx.text).filter_map(|caps| {
        let word = capture_text(&caps, 0)?;
        let days = if word.contains("after") || word.contains("poimaine") || word.contains("모레")
        {
            2
        } else {
            1
        };
        hit(Window::day(add_days(ctx.today, days)), &caps, Grain::Day)
    }));
    hits
}

/// The next date on or after `from` with this month and day (Feb 29 waits for a leap year).
fn next_month_day(from: NaiveDate, month: u32, day: u32) -> Option<NaiveDate> {
    (from.year()..=from.year() + 8)
        .filter_map(|y| ymd(y, month, day))
        .find(|d| *d >= from)
}

/// When a weekday is also named ("Thu 15th", "Monday, Feb 18"), the next date that fits both.
fn weekday_said(ctx: &Ctx) -> Option<Weekday> {
    static ANY_WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
        re(&format!(
            r"\b({WEEKDAY_ALTERNATION})\b|({KOREAN_WEEKDAY_ALTERNATION})"
        ))
    });
    let caps = ANY_WEEKDAY.captures(ctx.text)?;
    weekday_of(capture_text(&caps, 1).or(capture_text(&caps, 2))?)
}

fn date_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    let weekday = weekday_said(ctx);
    let dated = |month: u32, day: u32, year: Option<i32>| -> Option<NaiveDate> {
        match year {
            Some(y) => ymd(y, month, day),
            None => {
                let first = next_month_day(ctx.anchor, month, day)?;
                match weekday {
                    Some(wd) if first.weekday() != wd => (first.year()..=first.year() + 12)
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
    for caps in DAY_OF_REL_MONTH_RE.captures_iter(ctx.text) {
        let Some(day) = parse_u32(capture_text(&caps, 1)) else {
            continue;
        };
        let months = if matches!(capture_text(&caps, 2), Some("next" | "following")) {
            1
        } else {
            0
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

fn day_only_hits(ctx: &Ctx) -> Vec<Hit> {
    let weekday = weekday_said(ctx);
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

fn nth_weekday_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    let year_for = |month: u32| -> i32 {
        ctx.year_hint.unwrap_or(if month >= ctx.anchor.month() {
            ctx.anchor.year()
        } else {
            ctx.anchor.year() + 1
        })
    };
    for caps in NTH_WEEKDAY_RE.captures_iter(ctx.text) {
        let (Some(n), Some(wd), Some(month)) = (
            capture_text(&caps, 1).and_then(ordinal_value),
            capture_text(&caps, 2).and_then(weekday_of),
            capture_text(&caps, 3).and_then(month_number),
        ) else {
            continue;
        };
        if let Some(h) = nth_weekday_of_month(year_for(month), month, wd, n)
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
        let (Some(n), Some(month)) = (
            capture_text(&caps, 1).and_then(ordinal_value),
            capture_text(&caps, 3).and_then(month_number),
        ) else {
            continue;
        };
        let Some(window) = month_window(year_for(month), month) else {
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
        let Some(window) = month_window(year_for(month), month) else {
            continue;
        };
        let Some(last) = window.end else { continue };
        let start = if n == 0 {
            add_days(last, -6)
        } else {
            add_days(window.start, 7 * (i64::from(n) - 1))
        };
        if start <= last
            && let Some(h) = hit(
                Window::new(start, add_days(start, 6).min(last)),
                &caps,
                Grain::Week,
            )
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
enum WeekChoice {
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
}

fn weekday_date(today: NaiveDate, wd: Weekday, choice: WeekChoice) -> NaiveDate {
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
        WeekChoice::Last => add_days(upcoming, -7),
    }
}

fn weekday_hits(ctx: &Ctx) -> Vec<Hit> {
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
        hits.push(h);
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
            "지난주" => WeekChoice::Last,
            _ => WeekChoice::Upcoming,
        };
        let mut date = weekday_date(ctx.today, wd, choice);
        if modifier == "다다음주" {
            date = add_days(weekday_date(ctx.today, wd, WeekChoice::NextWeek), 7);
        }
        if let Some(h) = hit(Window::day(date), &caps, Grain::Day) {
            hits.push(h);
        }
    }
    hits
}

fn shift_window(today: NaiveDate, unit: Unit, n: i64) -> Window {
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

fn advance(today: NaiveDate, unit: Unit, n: i64) -> NaiveDate {
    match unit {
        Unit::Day => add_days(today, n),
        Unit::Week => add_days(today, 7 * n),
        Unit::Month => add_months(today, n),
        Unit::Quarter => add_months(today, 3 * n),
        Unit::Year => add_months(today, 12 * n),
    }
}

fn unit_grain(unit: Unit) -> Grain {
    match unit {
        Unit::Day => Grain::Day,
        Unit::Week => Grain::Week,
        Unit::Month => Grain::Month,
        Unit::Quarter => Grain::Quarter,
        Unit::Year => Grain::Year,
    }
}

/// A count or count range: "3" → (3, 3), "2-3" / "2 or 3" → (2, 3), "a few" → (3, 3).
fn count_range(text: &str) -> Option<(i64, i64)> {
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
fn plural_unit(word: &str) -> bool {
    matches!(
        word,
        "days" | "weeks" | "months" | "years" | "quarters" | "zile" | "saptamani" | "luni" | "ani"
    )
}

/// "in 2-3 months": from the low end to the end of the high end's unit.
fn in_duration(today: NaiveDate, unit: Unit, (low, high): (i64, i64)) -> Window {
    let first = shift_window(today, unit, low);
    let last = shift_window(today, unit, high);
    Window {
        start: first.start,
        end: last.end,
    }
}

/// A bare "6 months" is a duration, but not "azi" (a + zi), "3분기" (Q3) or "3일" (the 3rd).
fn bare_duration_ok(caps: &Captures) -> bool {
    let (Some(count), Some(unit)) = (caps.get(1), caps.get(2)) else {
        return false;
    };
    let spaced = count.end() < unit.start();
    let digits = count.as_str().starts_with(|c: char| c.is_ascii_digit());
    (digits || spaced) && !matches!(unit.as_str(), "분기" | "일" | "해")
}

/// A count range and unit read from two capture groups.
type CountedUnit = (Option<(i64, i64)>, Unit, String);

fn counted_unit(caps: &Captures, count_group: usize, unit_group: usize) -> Option<CountedUnit> {
    let count = capture_text(caps, count_group).and_then(count_range);
    let unit_word = capture_text(caps, unit_group)?;
    Some((count, unit_of(unit_word)?, unit_word.to_string()))
}

/// "in 3 weeks" (a point: the window of that week), "within 3 months" (today to then),
/// "3개월 안에", "în următoarele 2 săptămâni", "the coming months", "3 weeks ago".
fn duration_hits(ctx: &Ctx) -> Vec<Hit> {
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
            "전에" | "전" => shift_window(ctx.today, unit, -counts.1),
            _ => Window::new(ctx.today, advance(ctx.today, unit, counts.1)),
        };
        if let Some(h) = hit(window, &caps, unit_grain(unit)) {
            hits.push(h);
        }
    }
    for caps in WITHIN_PERIOD_RE.captures_iter(ctx.text) {
        let Some(unit) = capture_text(&caps, 1)
            .or(capture_text(&caps, 2))
            .and_then(unit_of)
        else {
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

fn period_window(today: NaiveDate, unit: Unit, offset: i64) -> Option<Window> {
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

fn relative_offset(word: &str) -> i64 {
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

fn relative_period_hits(ctx: &Ctx) -> Vec<Hit> {
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
enum Part {
    Early,
    Middle,
    Late,
}

/// Splits a window into thirds: "early March" = 1–10, "mid" = 11–20, "late" = 21–31; for a
/// year, early = Jan–Apr, mid = May–Aug, late = Sep–Dec.
fn part_of(window: Window, part: Part) -> Window {
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

fn part_from_word(word: &str) -> Option<Part> {
    Some(match word {
        "early" | "beginning of" | "start of" | "the beginning of" | "the start of"
        | "inceputul" | "la inceputul" | "inceput de" | "beginning" | "start" | "초순" | "초" => {
            Part::Early
        }
        "mid" | "middle of" | "the middle of" | "mijlocul" | "la mijlocul" | "middle" | "중순"
        | "중반" => Part::Middle,
        "late" | "end of" | "the end of" | "sfarsitul" | "la sfarsitul" | "finalul"
        | "la finalul" | "spre sfarsitul" | "spre finalul" | "end" | "sfarsit de" | "final de"
        | "말" | "하순" | "후반" | "말경" | "말쯤" => Part::Late,
        _ => return None,
    })
}

fn part_of_period_hits(ctx: &Ctx) -> Vec<Hit> {
    let mut hits = Vec::new();
    for caps in PART_OF_PERIOD_RE.captures_iter(ctx.text) {
        let (part, unit, offset) = if let Some(abbr) = capture_text(&caps, 4) {
            let unit = match abbr {
                "eom" => Unit::Month,
                "eoy" => Unit::Year,
                "eoq" => Unit::Quarter,
                "eow" => Unit::Week,
                _ => Unit::Day,
            };
            (Part::Late, unit, 0)
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
fn weekend(day: NaiveDate) -> Window {
    let saturday = if day.weekday() == Weekday::Sun {
        add_days(day, -1)
    } else {
        next_weekday_on_or_after(day, Weekday::Sat)
    };
    Window::new(saturday, add_days(saturday, 1))
}

fn weekend_hits(ctx: &Ctx) -> Vec<Hit> {
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
fn in_year_or_next(
    ctx: &Ctx,
    explicit_year: Option<i32>,
    make: impl Fn(i32) -> Option<Window>,
) -> Option<Window> {
    match explicit_year.or(ctx.year_hint) {
        Some(year) => make(year),
        None => next_yearly(ctx.anchor, make),
    }
}

fn roman_or_word(word: &str) -> Option<u32> {
    ordinal_value(word.split_whitespace().last().unwrap_or(word))
        .map(|n| if n == 0 { 4 } else { n })
}

fn quarter_hits(ctx: &Ctx) -> Vec<Hit> {
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

fn half_hits(ctx: &Ctx) -> Vec<Hit> {
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

fn season_hits(ctx: &Ctx) -> Vec<Hit> {
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
fn after_month_and_connector(before: &str) -> bool {
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

fn month_hits(ctx: &Ctx) -> Vec<Hit> {
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

fn year_hits(ctx: &Ctx) -> Vec<Hit> {
    YEAR_RE
        .captures_iter(ctx.text)
        .filter_map(|caps| {
            let year = parse_i32(capture_text(&caps, 1).or(capture_text(&caps, 2)))?;
            if !(1990..=2100).contains(&year) {
                return None;
            }
            hit(year_window(year)?, &caps, Grain::Year)
        })
        .collect()
}

fn holiday_date(name: &str, year: i32) -> Option<NaiveDate> {
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
        "pastele" | "paste" => orthodox_easter(year),
        _ => None,
    }
}

fn holiday_hits(ctx: &Ctx) -> Vec<Hit> {
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

/// How the words around a hit bound it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    By,
    Before,
    After,
    From,
}

fn bound_from_word(word: &str) -> Option<Bound> {
    Some(match word {
        "by" | "no later than" | "not later than" | "until" | "till" | "up until" | "up to"
        | "through" | "thru" | "pana la" | "pana in" | "pana pe" | "cel tarziu"
        | "cel tarziu in" | "nu mai tarziu de" | "at the latest" | "later" | "까지" | "전까지"
        | "내로" | "안에" | "안으로" | "이내" | "내에" | "내" => Bound::By,
        "before" | "prior to" | "inainte de" | "inainte sa" | "전에" | "이전에" | "이전" | "전" => {
            Bound::Before
        }
        "anytime after" | "sometime after" | "after" | "post" | "dupa" | "이후에" | "후에"
        | "후" | "뒤에" | "지나서" | "or after" | "not" => Bound::After,
        "not before" | "not until" | "no earlier than" | "nu inainte de" | "nu mai devreme de"
        | "from" | "starting" | "starting in" | "starting from" | "starting at"
        | "beginning in" | "since" | "as of" | "incepand cu" | "incepand din"
        | "incepand de la" | "din" | "de la" | "cu incepere din" | "부터" | "이후로" | "이후"
        | "onwards" | "onward" | "or later" | "and later" | "at the earliest" => Bound::From,
        _ => return None,
    })
}

fn apply_modifiers(text: &str, hit: Hit, today: NaiveDate) -> Window {
    let mut window = hit.window;
    let before = tail(text.get(..hit.start).unwrap_or(""), 80);
    let after = text.get(hit.end..).unwrap_or("");
    let mut before_rest = before;
    let mut after_rest = after;
    let mut part_said = None;
    // "3 days after Easter", "two weeks before Christmas".
    if let Some(caps) = OFFSET_PREFIX_RE.captures(before) {
        let count = capture_text(&caps, 1).and_then(count_of);
        let unit = capture_text(&caps, 2).and_then(unit_of);
        if let (Some(n), Some(unit)) = (count, unit) {
            let n = n.clamp(0, 1000);
            let signed = if matches!(capture_text(&caps, 3), Some("before" | "inainte de")) {
                -n
            } else {
                n
            };
            return Window::day(advance(window.start, unit, signed));
        }
    }
    // "the week of March 9": the Monday–Sunday week holding that day. A Sunday names the
    // working week it opens (US calendars start weeks on Sunday).
    if hit.grain == Grain::Day && WEEK_OF_PREFIX_RE.is_match(before) {
        let day = window.start;
        let anchor = if day.weekday() == Weekday::Sun {
            add_days(day, 1)
        } else {
            day
        };
        return week_window(anchor);
    }
    if hit.grain != Grain::Day {
        if let Some(caps) = PART_PREFIX_RE.captures(before) {
            if let Some(part) = capture_text(&caps, 1).and_then(part_from_word) {
                window = part_of(window, part);
                part_said = Some(part);
                before_rest = before
                    .get(..caps.get(0).map_or(before.len(), |m| m.start()))
                    .unwrap_or("");
            }
        } else if let Some(caps) = KO_PART_SUFFIX_RE.captures(after)
            && let Some(part) = capture_text(&caps, 1).and_then(part_from_word)
        {
            window = part_of(window, part);
            part_said = Some(part);
            after_rest = after
                .get(caps.get(0).map_or(0, |m| m.end())..)
                .unwrap_or("");
        }
    }
    let bound = BOUND_PREFIX_RE
        .captures(before_rest)
        .and_then(|caps| capture_text(&caps, 1).and_then(bound_from_word))
        .or_else(|| {
            KO_BOUND_SUFFIX_RE
                .captures(after_rest)
                .and_then(|caps| capture_text(&caps, 1).and_then(bound_from_word))
        })
        .or_else(|| {
            EN_BOUND_SUFFIX_RE
                .captures(after_rest)
                .and_then(|caps| capture_text(&caps, 1).and_then(bound_from_word))
        });
    let said = text.get(hit.start..hit.end).unwrap_or("");
    if ["말", "end", "eo", "sfarsit", "final"]
        .iter()
        .any(|w| said.contains(w))
    {
        part_said = part_said.or(Some(Part::Late));
    }
    // "before the end of Q2" means by then.
    let bound = match (bound, part_said) {
        (Some(Bound::Before), Some(Part::Late)) => Some(Bound::By),
        (bound, _) => bound,
    };
    let end = window.end.unwrap_or(window.start);
    match bound {
        Some(Bound::By) if end >= today => Window::new(today, end),
        Some(Bound::Before) if window.start > today => {
            Window::new(today, add_days(window.start, -1))
        }
        Some(Bound::After) => Window::from(add_days(end, 1)),
        Some(Bound::From) => Window::from(window.start),
        _ => window,
    }
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
        assert!(matches!(
            timeframe("March or April", Locale::En, now()),
            Err(Unclear::Ambiguous { .. })
        ));
        assert!(matches!(
            timeframe("3월 아니면 4월", Locale::Ko, now()),
            Err(Unclear::Ambiguous { .. })
        ));
    }

    /// Prints how long each rule's pattern takes on 2,000 characters (`--ignored --nocapture`).
    #[test]
    #[ignore]
    fn pattern_costs() {
        let text = "We are a team of 40 people and our budget is around 25k per year, maybe by Q3 next year. "
            .repeat(30);
        let text = fold(&text[..2000]);
        let time = |name: &str, regex: &Regex| {
            let started = std::time::Instant::now();
            for _ in 0..20 {
                let _ = regex.captures_iter(&text).count();
            }
            println!("{name}: {:?}", started.elapsed() / 20);
        };
        let today = date("2026-03-04");
        let _ = timeframe(&text, Locale::En, now());
        let started = std::time::Instant::now();
        let digitized = digitize(&text, Locale::En);
        println!("digitize: {:?}", started.elapsed());
        let started = std::time::Instant::now();
        let _ = read_window(&digitized, Locale::En, today);
        println!("read_window: {:?}", started.elapsed());
        let ctx = Ctx {
            text: &digitized,
            locale: Locale::En,
            today,
            anchor: today,
            year_hint: None,
        };
        let started = std::time::Instant::now();
        let hits = all_hits(&ctx);
        println!("all_hits: {:?} ({} hits)", started.elapsed(), hits.len());
        let started = std::time::Instant::now();
        let _ = duration_hits(&ctx);
        println!("duration_hits: {:?}", started.elapsed());
        time("AGO_RE", &AGO_RE);
        time("ALTERNATIVES_RE", &ALTERNATIVES_RE);
        time("A_UNIT_OR_TWO_RE", &A_UNIT_OR_TWO_RE);
        time("BARE_DURATION_RE", &BARE_DURATION_RE);
        time("DAY_MONTH_RE", &DAY_MONTH_RE);
        time("DAY_OF_REL_MONTH_RE", &DAY_OF_REL_MONTH_RE);
        time("DAY_ONLY_RE", &DAY_ONLY_RE);
        time("HALF_RE", &HALF_RE);
        time("HOLIDAY_RE", &HOLIDAY_RE);
        time("IDES_RE", &IDES_RE);
        time("IN_DURATION_RE", &IN_DURATION_RE);
        time("ISO_DATE_RE", &ISO_DATE_RE);
        time("KO_DATE_RE", &KO_DATE_RE);
        time("KO_DURATION_RE", &KO_DURATION_RE);
        time("KO_MONTH_RE", &KO_MONTH_RE);
        time("KO_NTH_WEEKDAY_RE", &KO_NTH_WEEKDAY_RE);
        time("KO_PART_OF_PERIOD_RE", &KO_PART_OF_PERIOD_RE);
        time("KO_QUARTER_RE", &KO_QUARTER_RE);
        time("KO_RELATIVE_PERIOD_RE", &KO_RELATIVE_PERIOD_RE);
        time("KO_SEASON_RE", &KO_SEASON_RE);
        time("KO_WEEKDAY_RE", &KO_WEEKDAY_RE);
        time("MONTH_DAY_RE", &MONTH_DAY_RE);
        time("MONTH_RE", &MONTH_RE);
        time("NEGATED_URGENCY_RE", &NEGATED_URGENCY_RE);
        time("NOW_RE", &NOW_RE);
        time("NO_TIMELINE_RE", &NO_TIMELINE_RE);
        time("NTH_DAY_OF_MONTH_RE", &NTH_DAY_OF_MONTH_RE);
        time("NTH_WEEKDAY_RE", &NTH_WEEKDAY_RE);
        time("NTH_WEEK_OF_MONTH_RE", &NTH_WEEK_OF_MONTH_RE);
        time("NUMERIC_DATE_RE", &NUMERIC_DATE_RE);
        time("PART_OF_PERIOD_RE", &PART_OF_PERIOD_RE);
        time("QUARTER_RE", &QUARTER_RE);
        time("RELATIVE_PERIOD_RE", &RELATIVE_PERIOD_RE);
        time("RO_PART_OF_PERIOD_RE", &RO_PART_OF_PERIOD_RE);
        time("RO_QUARTER_RE", &RO_QUARTER_RE);
        time("RO_RELATIVE_PERIOD_RE", &RO_RELATIVE_PERIOD_RE);
        time("SEASON_RE", &SEASON_RE);
        time("SOON_RE", &SOON_RE);
        time("TOMORROW_RE", &TOMORROW_RE);
        time("WEEKDAYS_FROM_NOW_RE", &WEEKDAYS_FROM_NOW_RE);
        time("WEEKDAY_RE", &WEEKDAY_RE);
        time("WEEKEND_RE", &WEEKEND_RE);
        time("WITHIN_PERIOD_RE", &WITHIN_PERIOD_RE);
        time("WITHIN_RE", &WITHIN_RE);
        time("YEAR_RE", &YEAR_RE);
        time("YESTERDAY_RE", &YESTERDAY_RE);
    }
}
