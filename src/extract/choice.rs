//! Purpose: match a free-text answer to one or several options of a choice question: by number,
//! ordinal, label, value or synonym, accent-insensitive and tolerant of typos.

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::ordinal_in;
use super::tokens::{capped, is_hangul};
use super::{ChoiceCandidate, Unclear, fold};
use crate::locale::Locale;

static OPTION_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(
        r"^(?:(?:option|opt|choice|number|no\.?|nr\.?|num|varianta|optiunea|alegerea|numarul|번호|선택)\s*)?#?\s*(\d{1,3})\s*(?:번|번이요|번요|번으로|번이에요)?\s*(?:please|pls|te rog|va rog|multumesc|thanks|요)?$",
    )
});

static OPTION_NUMBER_INSIDE: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(
        r"(?:\b(?:option|opt|choice|number|varianta|optiunea|numarul|nr\.?)\s*#?\s*|#)(\d{1,3})\b|(\d{1,3})\s*번",
    )
});

static OPTION_LETTER: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(r"^(?:(?:option|choice|varianta|optiunea)\s+)?\(?([a-h])\)?$")
});

static EXCEPT: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(
        r"^(?:all|everything|all of them|toate|tot|toate variantele)?\s*,?\s*(?:except|except for|but not|but|apart from|other than|in afara de|cu exceptia|mai putin|fara)\s+(.+)$|^(.+?)\s*(?:빼고|말고|제외하고|제외)\s*(?:전부|모두|다)",
    )
});

static LAST_ONE: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(r"\b(?:the )?last(?: one)?\b|\bultim(?:a|ul)\b|마지막")
});

static ALL_OF_THEM: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(
        r"^(?:all|all of them|all of the above|everything|every one|each|toate|toate variantele|pe toate|tot|toti|전부|모두|다|다요|전부 다|모두 다|다 해당|전부요|모두요)\W*$",
    )
});

static SEPARATORS: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(
        r"\s*(?:,|;|/|&|\+|\band\b|\bsi\b|\bplus\b|\bas well as\b|\bprecum si\b|이랑|랑|하고|그리고|및|\s와\s|\s과\s)\s*",
    )
});

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_hangul(c)
}

/// Whether `needle` occurs in `hay` as whole words (Hangul may be followed by particles).
fn contains_words(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(offset) = hay.get(from..).and_then(|rest| rest.find(needle)) {
        let at = from + offset;
        let end = at + needle.len();
        let before_ok = !hay[..at].chars().next_back().is_some_and(is_word_char);
        let after_ok = !hay[end..].chars().next().is_some_and(is_word_char);
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

/// Similarity of two folded strings, 0–1, forgiving one typo in short words and about one in
/// five characters in longer ones.
fn similarity(a: &str, b: &str) -> f64 {
    let (len_a, len_b) = (a.chars().count(), b.chars().count());
    let longest = len_a.max(len_b);
    if longest == 0 || len_a.abs_diff(len_b) > longest / 5 + 1 {
        return 0.0; // Too different in length to be a typo; skip the edit distance.
    }
    let distance = strsim::damerau_levenshtein(a, b);
    let allowed = match longest {
        0..=3 => 0,
        4..=6 => 1,
        7..=10 => 2,
        _ => longest / 5,
    };
    if distance > allowed {
        return 0.0;
    }
    let edit = 1.0 - distance as f64 / longest as f64;
    let jaro = strsim::jaro_winkler(a, b);
    (edit + jaro) / 2.0
}

/// The names an option can be called by, folded.
fn names(option: &ChoiceCandidate) -> Vec<String> {
    let mut all = vec![fold(option.label), fold(option.value)];
    all.extend(option.synonyms.iter().map(|s| fold(s)));
    all.retain(|n| !n.is_empty());
    all.dedup();
    all
}

/// How well an answer names an option: exact 3, contained 2 (+ length), fuzzy up to 1.
fn score(answer: &str, option_names: &[String]) -> f64 {
    let words: Vec<&str> = answer.split_whitespace().collect();
    let mut best: f64 = 0.0;
    for name in option_names {
        let name = name.as_str();
        if name == answer {
            return 3.0;
        }
        if contains_words(answer, name) {
            best = best.max(2.0 + name.chars().count() as f64 / 1000.0);
            continue;
        }
        // The answer is a distinctive part of the name ("pro" for "Pro Yearly").
        if answer.chars().count() >= 3 && contains_words(name, answer) {
            best = best.max(1.5);
            continue;
        }
        // Fuzzy: the whole answer, or any run of as many words as the name has.
        let width = name.split_whitespace().count().max(1);
        let mut fuzzy = similarity(answer, name);
        if words.len() > width {
            // Answers are short; a pasted essay is not searched word by word past 200 words.
            for run in words.windows(width).take(200) {
                let candidate = run.join(" ");
                let candidate = candidate.trim_matches(|c: char| !c.is_alphanumeric());
                fuzzy = fuzzy.max(similarity(candidate, name) * 0.95);
            }
        }
        if fuzzy >= 0.75 {
            best = best.max(fuzzy);
        }
        // Weakest: the answer shares a content word's stem with the name ("we are replacing our
        // CRM" ~ "Replacing our current tool"); two options sharing as much tie, and tie is asked.
        if let Some(share) = shared_stems(&words, name) {
            best = best.max(1.0 + 0.4 * share);
        }
    }
    best
}

/// Words too common to tell options apart.
const COMMON_WORDS: &[&str] = &[
    "this",
    "that",
    "with",
    "from",
    "have",
    "just",
    "like",
    "some",
    "your",
    "ours",
    "what",
    "when",
    "will",
    "would",
    "could",
    "into",
    "about",
    "them",
    "they",
    "were",
    "been",
    "dont",
    "need",
    "want",
    "anything",
    "something",
    "pentru",
    "care",
    "este",
    "sunt",
    "doar",
    "nostru",
    "noastra",
    "avem",
    "vrem",
];

/// The share of the name's content words whose stem (a common start of five or more letters,
/// or two Hangul syllables) appears among the answer's words; `None` when none does.
fn shared_stems(answer_words: &[&str], name: &str) -> Option<f64> {
    let content = |word: &&str| {
        let hangul = word.chars().any(is_hangul);
        let long_enough = if hangul {
            word.chars().count() >= 2
        } else {
            word.chars().count() >= 4
        };
        long_enough && !COMMON_WORDS.contains(word)
    };
    let stem_matches = |a: &str, b: &str| {
        let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
        let hangul = a.chars().any(is_hangul);
        let needed = if hangul {
            2
        } else {
            5.min(a.chars().count()).min(b.chars().count()).max(4)
        };
        common >= needed
    };
    let name_words: Vec<&str> = name
        .split_whitespace()
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(content)
        .collect();
    if name_words.is_empty() {
        return None;
    }
    let shared = name_words
        .iter()
        .filter(|name_word| {
            answer_words
                .iter()
                .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
                .filter(content)
                .any(|word| stem_matches(word, name_word))
        })
        .count();
    (shared > 0).then(|| shared as f64 / name_words.len() as f64)
}

/// Picks one option: by number, label, synonym, ordinal or close spelling. Returns its index.
pub fn choice(text: &str, locale: Locale, options: &[ChoiceCandidate]) -> Result<usize, Unclear> {
    let _ = locale; // Ordinals and number words of every language are read.
    let all_names: Vec<Vec<String>> = options.iter().map(names).collect();
    choice_folded(&fold(capped(text)), options, &all_names)
}

/// `choice` on an already folded answer, with the options' folded names computed once.
fn choice_folded(
    answer: &str,
    options: &[ChoiceCandidate],
    all_names: &[Vec<String>],
) -> Result<usize, Unclear> {
    let answer = answer
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!' | '?' | ',' | '"'));
    if answer.is_empty() || options.is_empty() {
        return Err(Unclear::NotUnderstood);
    }
    // Labels first: options may themselves be numbers ("1-10", "11-50").
    let scores: Vec<f64> = all_names.iter().map(|n| score(answer, n)).collect();
    let top = scores.iter().copied().fold(0.0, f64::max);
    if top >= 3.0 {
        return pick(options, &scores, top, 0.0005);
    }
    if top >= 2.0 {
        return pick_contained(answer, options, all_names, &scores, top);
    }
    if let Some(index) = by_number(answer, options.len()) {
        return Ok(index);
    }
    if LAST_ONE.is_match(answer) {
        return Ok(options.len() - 1);
    }
    if let Some(n) = ordinal_in(answer) {
        let n = n as usize;
        if (1..=options.len()).contains(&n) {
            return Ok(n - 1);
        }
    }
    if top >= 1.5 {
        return pick(options, &scores, top, 0.0005);
    }
    if top > 0.0 {
        return pick(options, &scores, top, 0.02);
    }
    Err(Unclear::NotUnderstood)
}

/// The longest name of an option found inside the answer.
fn contained_name(answer: &str, option_names: &[String]) -> Option<String> {
    option_names
        .iter()
        .filter(|name| contains_words(answer, name))
        .max_by_key(|name| name.len())
        .cloned()
}

/// Several labels inside one answer ("pro or enterprise") are ambiguous, unless one label is
/// part of the other ("Pro" inside "Pro Plus"), where the longer wins.
fn pick_contained(
    answer: &str,
    options: &[ChoiceCandidate],
    all_names: &[Vec<String>],
    scores: &[f64],
    top: f64,
) -> Result<usize, Unclear> {
    let found: Vec<(usize, String)> = all_names
        .iter()
        .enumerate()
        .filter(|(i, _)| scores[*i] >= 2.0)
        .filter_map(|(i, n)| contained_name(answer, n).map(|name| (i, name)))
        .collect();
    let distinct: Vec<usize> = found
        .iter()
        .filter(|(i, name)| {
            !found.iter().any(|(j, other)| {
                j != i && other.len() > name.len() && other.contains(name.as_str())
            })
        })
        .map(|(i, _)| *i)
        .collect();
    match distinct.as_slice() {
        [only] => Ok(*only),
        [] => pick(options, scores, top, 0.0005),
        several => Err(Unclear::Ambiguous {
            readings: several
                .iter()
                .map(|&i| options[i].label.to_string())
                .collect(),
        }),
    }
}

fn by_number(answer: &str, count: usize) -> Option<usize> {
    if let Some(caps) = OPTION_LETTER.captures(answer) {
        let letter = caps.get(1)?.as_str().chars().next()?;
        let index = (letter as usize).checked_sub('a' as usize)?;
        return (index < count).then_some(index);
    }
    let caps = OPTION_NUMBER
        .captures(answer)
        .or_else(|| OPTION_NUMBER_INSIDE.captures(answer))?;
    let digits = caps.get(1).or_else(|| caps.get(2))?.as_str();
    let n: usize = digits.parse().ok()?;
    (1..=count).contains(&n).then(|| n - 1)
}

/// The best-scoring option, or `Ambiguous` when another one scores within `tie`.
fn pick(options: &[ChoiceCandidate], scores: &[f64], top: f64, tie: f64) -> Result<usize, Unclear> {
    let close: Vec<usize> = (0..options.len())
        .filter(|&i| top - scores[i] <= tie && scores[i] > 0.0)
        .collect();
    match close.as_slice() {
        [only] => Ok(*only),
        [] => Err(Unclear::NotUnderstood),
        several => Err(Unclear::Ambiguous {
            readings: several
                .iter()
                .map(|&i| options[i].label.to_string())
                .collect(),
        }),
    }
}

/// Picks one or more options ("1 and 3", "CRM, billing", "all of them"). Returns their indexes
/// in option order.
pub fn choices(
    text: &str,
    locale: Locale,
    options: &[ChoiceCandidate],
) -> Result<Vec<usize>, Unclear> {
    let _ = locale; // Ordinals and number words of every language are read.
    let answer = fold(capped(text));
    let answer = answer.trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!' | '?'));
    if options.is_empty() {
        return Err(Unclear::NotUnderstood);
    }
    let all_names: Vec<Vec<String>> = options.iter().map(names).collect();
    let choice = |part: &str| choice_folded(part, options, &all_names);
    if ALL_OF_THEM.is_match(answer)
        || (options.len() == 2
            && matches!(
                answer,
                "both" | "both of them" | "amandoua" | "ambele" | "둘 다"
            ))
    {
        return Ok((0..options.len()).collect());
    }
    // "everything except invoicing", "결제 빼고 전부"
    if let Some(caps) = EXCEPT.captures(answer) {
        let excluded_text = caps
            .get(1)
            .or_else(|| caps.get(2))
            .map_or("", |m| m.as_str());
        let mut excluded = Vec::new();
        for part in SEPARATORS.split(excluded_text) {
            if let Ok(index) = choice(part) {
                excluded.push(index);
            }
        }
        if !excluded.is_empty() {
            let kept: Vec<usize> = (0..options.len())
                .filter(|i| !excluded.contains(i))
                .collect();
            if !kept.is_empty() {
                return Ok(kept);
            }
        }
    }
    // A whole-answer match first, so labels with "and" in them ("Sales and Marketing") survive.
    if let Ok(index) = choice(answer) {
        let exact = all_names.iter().any(|n| n.iter().any(|n| n == answer));
        if exact {
            return Ok(vec![index]);
        }
    }
    // "1 3 4": bare option numbers separated by spaces.
    if answer.split_whitespace().count() > 1
        && answer
            .split_whitespace()
            .all(|w| w.chars().all(|c| c.is_ascii_digit()))
    {
        let mut picked: Vec<usize> = answer
            .split_whitespace()
            .filter_map(|w| w.parse::<usize>().ok())
            .filter(|n| (1..=options.len()).contains(n))
            .map(|n| n - 1)
            .collect();
        picked.sort_unstable();
        picked.dedup();
        if !picked.is_empty() {
            return Ok(picked);
        }
    }
    let mut picked = Vec::new();
    let mut ambiguous: Option<Unclear> = None;
    // A list of choices is short; a pasted essay is not searched past its first 50 parts.
    for part in SEPARATORS.split(answer).take(50) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match choice(part) {
            Ok(index) => picked.push(index),
            Err(unclear @ Unclear::Ambiguous { .. }) => ambiguous = Some(unclear),
            Err(Unclear::NotUnderstood) => {}
        }
    }
    if let Some(unclear) = ambiguous {
        return Err(unclear);
    }
    picked.sort_unstable();
    picked.dedup();
    if picked.is_empty() {
        return Err(Unclear::NotUnderstood);
    }
    Ok(picked)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_shared_word_stem_picks_the_option() {
        let labels = [
            "Replacing our current tool",
            "Setting up a new process",
            "Our team is outgrowing spreadsheets",
            "Just looking around",
        ];
        let options: Vec<ChoiceCandidate> = labels
            .iter()
            .map(|label| ChoiceCandidate::labelled(label))
            .collect();
        for (text, expected) in [
            ("we are replacing our old CRM", 0),
            ("we want to replace our tool", 0),
            ("we're setting things up from scratch", 1),
            ("the spreadsheet is killing us", 2),
        ] {
            assert_eq!(choice(text, Locale::En, &options), Ok(expected), "{text}");
        }
        assert!(choice("we like pizza", Locale::En, &options).is_err());
    }

    use super::*;

    fn candidates<'a>(
        labels: &'a [&'a str],
        synonyms: &'a [Vec<String>],
    ) -> Vec<ChoiceCandidate<'a>> {
        labels
            .iter()
            .enumerate()
            .map(|(i, label)| ChoiceCandidate {
                value: label,
                label,
                synonyms: &synonyms[i],
            })
            .collect()
    }

    #[test]
    fn single_choice() {
        let labels = ["Starter", "Pro", "Enterprise"];
        let synonyms = vec![
            vec!["basic".to_string()],
            vec!["professional".to_string()],
            vec!["ent".to_string(), "corporate".to_string()],
        ];
        let options = candidates(&labels, &synonyms);
        let cases: &[(&str, Locale, usize)] = &[
            ("2", Locale::En, 1),
            ("#2", Locale::En, 1),
            ("option 3", Locale::En, 2),
            ("pro", Locale::En, 1),
            ("PRO", Locale::En, 1),
            ("we'd go with the Pro plan", Locale::En, 1),
            ("enterprize", Locale::En, 2),
            ("Entreprise", Locale::En, 2),
            ("startr", Locale::En, 0),
            ("basic", Locale::En, 0),
            ("the basic one please", Locale::En, 0),
            ("corporate", Locale::En, 2),
            ("the second one", Locale::En, 1),
            ("second", Locale::En, 1),
            ("the last one", Locale::En, 2),
            ("first", Locale::En, 0),
            ("두 번째", Locale::Ko, 1),
            ("2번", Locale::Ko, 1),
            ("3번이요", Locale::Ko, 2),
            ("마지막", Locale::Ko, 2),
            ("첫 번째요", Locale::Ko, 0),
            ("프로 말고 Enterprise요", Locale::Ko, 2),
            ("a doua", Locale::Ro, 1),
            ("al doilea", Locale::Ro, 1),
            ("varianta 3", Locale::Ro, 2),
            ("ultima", Locale::Ro, 2),
            ("prima", Locale::Ro, 0),
            ("Enterprise, te rog", Locale::Ro, 2),
            ("option B", Locale::En, 1),
            ("c", Locale::En, 2),
            ("Pro plan please", Locale::En, 1),
            ("I think starter is enough", Locale::En, 0),
            ("planul Pro", Locale::Ro, 1),
            ("varianta a doua", Locale::Ro, 1),
        ];
        let mut failures = Vec::new();
        for (text, locale, expected) in cases {
            let got = choice(text, *locale, &options);
            if got != Ok(*expected) {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn accents_numbers_as_labels_and_ties() {
        let empty = vec![Vec::new(), Vec::new(), Vec::new()];
        let plans = ["Starter", "Pro", "Enterprise"];
        let plan_options = candidates(&plans, &empty);
        assert_eq!(
            choice("pro or enterprise", Locale::En, &plan_options),
            Err(Unclear::Ambiguous {
                readings: vec!["Pro".into(), "Enterprise".into()]
            })
        );
        let tiers = ["Pro", "Pro Plus", "Basic"];
        let tier_options = candidates(&tiers, &empty);
        assert_eq!(choice("the pro plus one", Locale::En, &tier_options), Ok(1));
        let labels = ["Facturare", "Îmbunătățiri", "Raportare"];
        let synonyms = vec![Vec::new(), Vec::new(), Vec::new()];
        let options = candidates(&labels, &synonyms);
        assert_eq!(choice("imbunatatiri", Locale::Ro, &options), Ok(1));
        assert_eq!(choice("raportări", Locale::Ro, &options), Ok(2));
        let sizes = ["1-10", "11-50", "51-200"];
        let none = vec![Vec::new(), Vec::new(), Vec::new()];
        let size_options = candidates(&sizes, &none);
        assert_eq!(choice("11-50", Locale::En, &size_options), Ok(1));
        assert_eq!(choice("2", Locale::En, &size_options), Ok(1));
        let similar = ["Pro Monthly", "Pro Yearly", "Basic"];
        let similar_options = candidates(&similar, &none);
        assert_eq!(
            choice("pro", Locale::En, &similar_options),
            Err(Unclear::Ambiguous {
                readings: vec!["Pro Monthly".into(), "Pro Yearly".into()]
            })
        );
        assert_eq!(choice("pro yearly", Locale::En, &similar_options), Ok(1));
        assert_eq!(
            choice("something else entirely", Locale::En, &similar_options),
            Err(Unclear::NotUnderstood)
        );
        assert_eq!(
            choice("7", Locale::En, &similar_options),
            Err(Unclear::NotUnderstood)
        );
    }

    #[test]
    fn several_choices() {
        let labels = ["CRM", "Billing", "Support", "Sales and Marketing"];
        let synonyms = vec![
            Vec::new(),
            vec!["facturare".to_string(), "결제".to_string()],
            vec!["suport".to_string()],
            Vec::new(),
        ];
        let options = candidates(&labels, &synonyms);
        let cases: &[(&str, Locale, &[usize])] = &[
            ("1 and 3", Locale::En, &[0, 2]),
            ("CRM, billing", Locale::En, &[0, 1]),
            ("crm & support", Locale::En, &[0, 2]),
            ("Sales and Marketing", Locale::En, &[3]),
            ("all of them", Locale::En, &[0, 1, 2, 3]),
            ("CRM și facturare", Locale::Ro, &[0, 1]),
            ("toate", Locale::Ro, &[0, 1, 2, 3]),
            ("CRM이랑 결제", Locale::Ko, &[0, 1]),
            ("전부", Locale::Ko, &[0, 1, 2, 3]),
            ("billing/support", Locale::En, &[1, 2]),
            ("3, 1", Locale::En, &[0, 2]),
            ("everything except billing", Locale::En, &[0, 2, 3]),
            ("toate în afară de suport", Locale::Ro, &[0, 1, 3]),
            ("결제 빼고 전부", Locale::Ko, &[0, 2, 3]),
            ("1번이랑 3번", Locale::Ko, &[0, 2]),
            ("both crm and support", Locale::En, &[0, 2]),
            ("1 3 4", Locale::En, &[0, 2, 3]),
            ("2번, 4번", Locale::Ko, &[1, 3]),
            ("varianta 1 și varianta 2", Locale::Ro, &[0, 1]),
        ];
        let mut failures = Vec::new();
        for (text, locale, expected) in cases {
            let got = choices(text, *locale, &options);
            if got.as_deref() != Ok(*expected) {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
