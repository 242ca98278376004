//! Purpose: the words around a hit that narrow it ("early", "말") or bound it ("by", "after", "까지").

use super::*;

/// How the words around a hit bound it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    By,
    Before,
    After,
    From,
}

/// What a bounding word does to the window it precedes or follows.
pub(super) fn bound_from_word(word: &str) -> Option<Bound> {
    Some(match word {
        "by" | "no later than" | "not later than" | "until" | "till" | "up until" | "up to"
        | "through" | "thru" | "pana la" | "pana in" | "pana pe" | "pana" | "cel tarziu"
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
        | "incepand de la" | "incepand de" | "incepand" | "din" | "de la" | "cu incepere din"
        | "부터" | "이후로" | "이후" | "onwards" | "onward" | "or later" | "and later"
        | "at the earliest" => Bound::From,
        _ => return None,
    })
}

/// Narrows ("early", "말") and bounds ("by", "after", "까지") the chosen hit.
/// `before` without a trailing weekday word ("by friday " → "by ").
fn strip_weekday_suffix(before: &str) -> &str {
    let trimmed = before.trim_end().trim_end_matches(',').trim_end();
    let last_word_start = trimmed
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let last_word = &trimmed[last_word_start..];
    if weekday_of(last_word).is_some() {
        &trimmed[..last_word_start]
    } else {
        before
    }
}

pub(super) fn apply_modifiers(text: &str, hit: Hit, today: NaiveDate) -> Window {
    let mut window = hit.window;
    let before = tail(text.get(..hit.start).unwrap_or(""), 80);
    // "by Friday the 13th": look past a weekday that only restates the date.
    let before = if hit.grain == Grain::Day {
        strip_weekday_suffix(before)
    } else {
        before
    };
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
