//! Purpose: ordinal words and forms in each language ("second", "3rd", "a doua", "두 번째").

use super::*;

/// Ordinal words and forms ("second", "3rd", "a doua", "al treilea", "두 번째") → position from 1.
pub fn ordinal_in(folded: &str) -> Option<u32> {
    const WORDS: &[(&str, u32)] = &[
        ("first", 1),
        ("second", 2),
        ("third", 3),
        ("fourth", 4),
        ("fifth", 5),
        ("sixth", 6),
        ("seventh", 7),
        ("eighth", 8),
        ("ninth", 9),
        ("tenth", 10),
        ("primul", 1),
        ("prima", 1),
        ("primu", 1),
        ("intai", 1),
        ("intaiul", 1),
        ("doilea", 2),
        ("doua", 2),
        ("treilea", 3),
        ("treia", 3),
        ("patrulea", 4),
        ("patra", 4),
        ("cincilea", 5),
        ("cincea", 5),
        ("saselea", 6),
        ("sasea", 6),
        ("saptelea", 7),
        ("saptea", 7),
        ("optulea", 8),
        ("opta", 8),
        ("noualea", 9),
        ("zecelea", 10),
        ("zecea", 10),
    ];
    const KOREAN: &[(&str, u32)] = &[
        ("첫", 1),
        ("한", 1),
        ("둘", 2),
        ("두", 2),
        ("셋", 3),
        ("세", 3),
        ("넷", 4),
        ("네", 4),
        ("다섯", 5),
        ("여섯", 6),
        ("일곱", 7),
        ("여덟", 8),
        ("아홉", 9),
        ("열", 10),
    ];
    let tokens = tokenize(folded);
    for (idx, tok) in tokens.iter().enumerate() {
        match tok.kind {
            TokKind::Word => {
                if let Some(&(_, n)) = WORDS.iter().find(|(w, _)| *w == tok.text) {
                    return Some(n);
                }
            }
            TokKind::Digits => {
                let next = tokens
                    .get(idx + 1)
                    .filter(|n| n.start == tok.end)
                    .map(|n| n.text);
                if matches!(
                    next,
                    Some("st" | "nd" | "rd" | "th" | "번째" | "째" | "번" | "lea" | "a")
                ) {
                    return tok.text.parse().ok();
                }
            }
            TokKind::Hangul => {
                for (word, n) in KOREAN {
                    if let Some(rest) = tok.text.strip_prefix(word) {
                        let counter_next = rest.is_empty()
                            && tokens.get(idx + 1).is_some_and(|t| {
                                t.text.starts_with("번째") || t.text.starts_with("째")
                            });
                        if rest.starts_with("째") || rest.starts_with("번째") || counter_next {
                            return Some(*n);
                        }
                    }
                }
            }
            TokKind::Sym => {}
        }
    }
    None
}
