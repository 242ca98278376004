//! Purpose: read a yes or a no, and whether it was hedged ("I think so", "probabil că nu",
//! "아마도"), without forcing statements that are neither into one.

use std::sync::LazyLock;

use super::tokens::{capped, is_hangul};
use super::{Unclear, YesNo, fold};
use crate::locale::Locale;

/// What a phrase says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Says {
    Yes {
        hedged: bool,
    },
    No {
        hedged: bool,
    },
    /// "not sure", "nu știu": explicitly neither.
    Neither,
}

/// Phrases in folded form. Longer phrases win over shorter ones starting at the same place, so
/// "absolutely not" beats "absolutely" and "not sure" beats "sure".
const PHRASES: &[(&str, Says)] = &[
    // English
    ("not sure", Says::Neither),
    ("don't know", Says::Neither),
    ("dont know", Says::Neither),
    ("do not know", Says::Neither),
    ("no idea", Says::Neither),
    ("not certain", Says::Neither),
    ("it depends", Says::Neither),
    ("depends", Says::Neither),
    ("yes and no", Says::Neither),
    ("absolutely not", Says::No { hedged: false }),
    ("definitely not", Says::No { hedged: false }),
    ("certainly not", Says::No { hedged: false }),
    ("of course not", Says::No { hedged: false }),
    ("not at all", Says::No { hedged: false }),
    ("no way", Says::No { hedged: false }),
    ("probably not", Says::No { hedged: true }),
    ("maybe not", Says::No { hedged: true }),
    ("likely not", Says::No { hedged: true }),
    ("not really", Says::No { hedged: true }),
    ("not quite", Says::No { hedged: true }),
    ("i don't think so", Says::No { hedged: true }),
    ("i dont think so", Says::No { hedged: true }),
    ("don't think so", Says::No { hedged: true }),
    ("dont think so", Says::No { hedged: true }),
    ("i doubt it", Says::No { hedged: true }),
    ("doubt it", Says::No { hedged: true }),
    ("not yet", Says::No { hedged: false }),
    ("not at the moment", Says::No { hedged: false }),
    ("not right now", Says::No { hedged: false }),
    ("not now", Says::No { hedged: false }),
    ("👎", Says::No { hedged: false }),
    ("👍", Says::Yes { hedged: false }),
    ("✅", Says::Yes { hedged: false }),
    ("❌", Says::No { hedged: false }),
    ("nope", Says::No { hedged: false }),
    ("nah", Says::No { hedged: false }),
    ("no", Says::No { hedged: false }),
    ("n", Says::No { hedged: false }),
    ("negative", Says::No { hedged: false }),
    ("never", Says::No { hedged: false }),
    ("i think so", Says::Yes { hedged: true }),
    ("think so", Says::Yes { hedged: true }),
    ("i believe so", Says::Yes { hedged: true }),
    ("i guess so", Says::Yes { hedged: true }),
    ("i guess", Says::Yes { hedged: true }),
    ("probably", Says::Yes { hedged: true }),
    ("likely", Says::Yes { hedged: true }),
    ("maybe", Says::Yes { hedged: true }),
    ("perhaps", Says::Yes { hedged: true }),
    ("sort of", Says::Yes { hedged: true }),
    ("kind of", Says::Yes { hedged: true }),
    ("more or less", Says::Yes { hedged: true }),
    ("i suppose", Says::Yes { hedged: true }),
    ("yes", Says::Yes { hedged: false }),
    ("yeah", Says::Yes { hedged: false }),
    ("yea", Says::Yes { hedged: false }),
    ("yep", Says::Yes { hedged: false }),
    ("yup", Says::Yes { hedged: false }),
    ("ya", Says::Yes { hedged: false }),
    ("y", Says::Yes { hedged: false }),
    ("sure", Says::Yes { hedged: false }),
    ("absolutely", Says::Yes { hedged: false }),
    ("definitely", Says::Yes { hedged: false }),
    ("certainly", Says::Yes { hedged: false }),
    ("of course", Says::Yes { hedged: false }),
    ("correct", Says::Yes { hedged: false }),
    ("that's right", Says::Yes { hedged: false }),
    ("thats right", Says::Yes { hedged: false }),
    ("right", Says::Yes { hedged: false }),
    ("indeed", Says::Yes { hedged: false }),
    ("affirmative", Says::Yes { hedged: false }),
    ("ok", Says::Yes { hedged: false }),
    ("okay", Says::Yes { hedged: false }),
    ("yes please", Says::Yes { hedged: false }),
    ("of course", Says::Yes { hedged: false }),
    ("i am", Says::Yes { hedged: false }),
    ("we do", Says::Yes { hedged: false }),
    ("we are", Says::Yes { hedged: false }),
    ("i do", Says::Yes { hedged: false }),
    // Romanian (folded: ș→s, ă→a, â/î→a/i)
    ("nu stiu", Says::Neither),
    ("nu sunt sigur", Says::Neither),
    ("nu sunt sigura", Says::Neither),
    ("nu am idee", Says::Neither),
    ("depinde", Says::Neither),
    ("si da si nu", Says::Neither),
    ("probabil ca nu", Says::No { hedged: true }),
    ("probabil nu", Says::No { hedged: true }),
    ("cred ca nu", Says::No { hedged: true }),
    ("nu cred", Says::No { hedged: true }),
    ("nu chiar", Says::No { hedged: true }),
    ("nu prea", Says::No { hedged: true }),
    ("poate nu", Says::No { hedged: true }),
    ("nicidecum", Says::No { hedged: false }),
    ("deloc", Says::No { hedged: false }),
    ("in niciun caz", Says::No { hedged: false }),
    ("sigur ca nu", Says::No { hedged: false }),
    ("bineinteles ca nu", Says::No { hedged: false }),
    ("nu", Says::No { hedged: false }),
    ("niciodata", Says::No { hedged: false }),
    ("cred ca da", Says::Yes { hedged: true }),
    ("probabil ca da", Says::Yes { hedged: true }),
    ("probabil", Says::Yes { hedged: true }),
    ("poate", Says::Yes { hedged: true }),
    ("cam da", Says::Yes { hedged: true }),
    ("oarecum", Says::Yes { hedged: true }),
    ("da", Says::Yes { hedged: false }),
    ("sigur", Says::Yes { hedged: false }),
    ("desigur", Says::Yes { hedged: false }),
    ("bineinteles", Says::Yes { hedged: false }),
    ("bine inteles", Says::Yes { hedged: false }),
    ("corect", Says::Yes { hedged: false }),
    ("exact", Says::Yes { hedged: false }),
    ("evident", Says::Yes { hedged: false }),
    ("fireste", Says::Yes { hedged: false }),
    ("absolut", Says::Yes { hedged: false }),
    ("categoric", Says::Yes { hedged: false }),
    ("normal", Says::Yes { hedged: false }),
    ("bine", Says::Yes { hedged: false }),
    // Korean (matched at the start of a word, particles and endings may follow)
    ("잘 모르", Says::Neither),
    ("모르겠", Says::Neither),
    ("글쎄", Says::Neither),
    ("아마 아닐", Says::No { hedged: true }),
    ("아닐 것 같", Says::No { hedged: true }),
    ("아닐걸", Says::No { hedged: true }),
    ("아닌 것 같", Says::No { hedged: true }),
    ("아닌것 같", Says::No { hedged: true }),
    ("별로", Says::No { hedged: true }),
    ("그다지", Says::No { hedged: true }),
    ("전혀", Says::No { hedged: false }),
    ("아니요", Says::No { hedged: false }),
    ("아니오", Says::No { hedged: false }),
    ("아뇨", Says::No { hedged: false }),
    ("아니에요", Says::No { hedged: false }),
    ("아닙니다", Says::No { hedged: false }),
    ("아니", Says::No { hedged: false }),
    ("노노", Says::No { hedged: false }),
    ("ㄴㄴ", Says::No { hedged: false }),
    ("아마도", Says::Yes { hedged: true }),
    ("아마", Says::Yes { hedged: true }),
    ("그런 것 같", Says::Yes { hedged: true }),
    ("그런것 같", Says::Yes { hedged: true }),
    ("그럴 거예요", Says::Yes { hedged: true }),
    ("그럴걸", Says::Yes { hedged: true }),
    ("네네", Says::Yes { hedged: false }),
    ("응응", Says::Yes { hedged: false }),
    ("예예", Says::Yes { hedged: false }),
    ("네", Says::Yes { hedged: false }),
    ("넵", Says::Yes { hedged: false }),
    ("넹", Says::Yes { hedged: false }),
    ("예", Says::Yes { hedged: false }),
    ("응", Says::Yes { hedged: false }),
    ("어", Says::Yes { hedged: false }),
    ("ㅇㅇ", Says::Yes { hedged: false }),
    ("맞아", Says::Yes { hedged: false }),
    ("맞습니다", Says::Yes { hedged: false }),
    ("맞아요", Says::Yes { hedged: false }),
    ("그렇습니다", Says::Yes { hedged: false }),
    ("그래요", Says::Yes { hedged: false }),
    ("물론", Says::Yes { hedged: false }),
    ("당연", Says::Yes { hedged: false }),
    ("좋아요", Says::Yes { hedged: false }),
    ("좋습니다", Says::Yes { hedged: false }),
    ("그럼요", Says::Yes { hedged: false }),
];

/// The phrases folded like the answers are ("ㅇㅇ" becomes conjoining jamo under NFKD).
static FOLDED_PHRASES: LazyLock<Vec<(String, Says)>> =
    LazyLock::new(|| PHRASES.iter().map(|(p, says)| (fold(p), *says)).collect());

/// Single letters and very short words count only when they are the whole answer.
fn whole_answer_only(phrase: &str) -> bool {
    matches!(
        phrase,
        "y" | "n"
            | "ya"
            | "어"
            | "right"
            | "normal"
            | "bine"
            | "exact"
            | "i am"
            | "we do"
            | "we are"
            | "i do"
    )
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\''
}

/// Where `phrase` occurs as whole words (Latin) or at a word start (Hangul).
fn occurrences(text: &str, phrase: &str) -> Vec<usize> {
    let hangul = phrase.chars().any(is_hangul);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text.get(from..).and_then(|rest| rest.find(phrase)) {
        let at = from + offset;
        let end = at + phrase.len();
        let before_ok = !text[..at].chars().next_back().is_some_and(is_word_char);
        let after_ok = if hangul {
            korean_ending_ok(phrase, &text[end..])
        } else {
            !text[end..].chars().next().is_some_and(is_word_char)
        };
        if before_ok && after_ok {
            found.push(at);
        }
        from = end;
    }
    found
}

/// After a short Korean phrase ("네", "아마"), only polite endings may follow in the same word,
/// so "네트워크" is not a yes.
fn korean_ending_ok(phrase: &str, rest: &str) -> bool {
    if phrase.chars().count() >= 3 {
        return true;
    }
    let word: String = rest.chars().take_while(|c| is_hangul(*c)).collect();
    const ENDINGS: &[&str] = &[
        "",
        "요",
        "죠",
        "이죠",
        "하죠",
        "하지",
        "하지요",
        "입니다",
        "이에요",
        "예요",
        "이요",
        "지",
        "이지",
        "야",
        "이야",
        "합니다",
        "해요",
        "하다",
        "히",
        "니다",
        "아요",
    ];
    ENDINGS.contains(&word.as_str())
}

/// Reads a yes or a no; text that says neither clearly is `NotUnderstood`.
pub fn yes_no(text: &str, locale: Locale) -> Result<YesNo, Unclear> {
    let _ = locale; // Phrases of every language are read: prospects switch languages.
    let folded = fold(capped(text));
    let trimmed = folded.trim_matches(|c: char| c.is_whitespace() || c.is_ascii_punctuation());
    let bare: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '!' | '.' | ',' | '?'))
        .collect();
    // Earliest phrase wins; at the same place, the longest.
    let mut best: Option<(usize, usize, Says)> = None;
    for (phrase, says) in FOLDED_PHRASES.iter() {
        let phrase = phrase.as_str();
        if whole_answer_only(phrase) {
            if bare == *phrase {
                return to_answer(*says).ok_or(Unclear::NotUnderstood);
            }
            continue;
        }
        if let Some(&at) = occurrences(trimmed, phrase).first() {
            let better = match best {
                None => true,
                Some((best_at, best_len, _)) => {
                    at < best_at || (at == best_at && phrase.len() > best_len)
                }
            };
            if better {
                best = Some((at, phrase.len(), *says));
            }
        }
    }
    let (_, _, says) = best.ok_or(Unclear::NotUnderstood)?;
    to_answer(says).ok_or(Unclear::NotUnderstood)
}

fn to_answer(says: Says) -> Option<YesNo> {
    match says {
        Says::Yes { hedged } => Some(YesNo {
            value: true,
            hedged,
        }),
        Says::No { hedged } => Some(YesNo {
            value: false,
            hedged,
        }),
        Says::Neither => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_and_no_with_hedges() {
        let cases: &[(&str, Locale, bool, bool)] = &[
            ("yes", Locale::En, true, false),
            ("Yes!", Locale::En, true, false),
            ("yep", Locale::En, true, false),
            ("yeah sure", Locale::En, true, false),
            ("sure", Locale::En, true, false),
            ("absolutely", Locale::En, true, false),
            ("of course", Locale::En, true, false),
            ("y", Locale::En, true, false),
            ("I think so", Locale::En, true, true),
            ("probably", Locale::En, true, true),
            ("maybe", Locale::En, true, true),
            ("yes, I'm the one who signs", Locale::En, true, false),
            ("probably not", Locale::En, false, true),
            ("not really", Locale::En, false, true),
            ("I don't think so", Locale::En, false, true),
            ("nope", Locale::En, false, false),
            ("no", Locale::En, false, false),
            ("No, my boss decides", Locale::En, false, false),
            ("absolutely not", Locale::En, false, false),
            ("n", Locale::En, false, false),
            ("네", Locale::Ko, true, false),
            ("네 맞아요", Locale::Ko, true, false),
            ("예", Locale::Ko, true, false),
            ("응", Locale::Ko, true, false),
            ("넵!", Locale::Ko, true, false),
            ("물론이죠", Locale::Ko, true, false),
            ("아마도", Locale::Ko, true, true),
            ("그런 것 같아요", Locale::Ko, true, true),
            ("아니요", Locale::Ko, false, false),
            ("아뇨", Locale::Ko, false, false),
            ("아니요, 팀장님이 결정해요", Locale::Ko, false, false),
            ("아닌 것 같아요", Locale::Ko, false, true),
            ("별로요", Locale::Ko, false, true),
            ("da", Locale::Ro, true, false),
            ("Da, sigur", Locale::Ro, true, false),
            ("sigur", Locale::Ro, true, false),
            ("desigur", Locale::Ro, true, false),
            ("cred că da", Locale::Ro, true, true),
            ("probabil", Locale::Ro, true, true),
            ("nu", Locale::Ro, false, false),
            ("Nu, decide directorul", Locale::Ro, false, false),
            ("nu chiar", Locale::Ro, false, true),
            ("probabil că nu", Locale::Ro, false, true),
            ("cred ca nu", Locale::Ro, false, true),
            ("deloc", Locale::Ro, false, false),
            ("네네", Locale::Ko, true, false),
            ("응응", Locale::Ko, true, false),
            ("ㅇㅇ", Locale::Ko, true, false),
            ("ㄴㄴ", Locale::Ko, false, false),
            ("그렇습니다", Locale::Ko, true, false),
            ("아마 아닐 거예요", Locale::Ko, false, true),
            ("예 맞습니다", Locale::Ko, true, false),
            ("👍", Locale::En, true, false),
            ("Not at the moment", Locale::En, false, false),
            ("of course not", Locale::En, false, false),
            ("that's correct", Locale::En, true, false),
            ("I believe so", Locale::En, true, true),
            ("nope, not me", Locale::En, false, false),
            ("sigur că da", Locale::Ro, true, false),
            ("bineînțeles", Locale::Ro, true, false),
            ("probabil că da", Locale::Ro, true, true),
            ("nu prea", Locale::Ro, false, true),
            ("în niciun caz", Locale::Ro, false, false),
            ("nu sunt eu", Locale::Ro, false, false),
        ];
        let mut failures = Vec::new();
        for (text, locale, value, hedged) in cases {
            let got = yes_no(text, *locale);
            if got
                != Ok(YesNo {
                    value: *value,
                    hedged: *hedged,
                })
            {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn statements_that_are_neither() {
        for text in [
            "I am the decision maker",
            "not sure",
            "I don't know",
            "it depends on the price",
            "hello",
            "nu știu",
            "모르겠어요",
            "네트워크 팀",
            "",
            "the CTO",
            "Notion",
            "nothing",
            "danke",
            "글쎄요",
            "네트워크 팀이 결정해요",
            "잘 모르겠어요",
            "yes and no",
        ] {
            assert_eq!(
                yes_no(text, Locale::En),
                Err(Unclear::NotUnderstood),
                "{text}"
            );
        }
    }
}
