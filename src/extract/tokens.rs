//! Purpose: split folded text into digit runs, words, Hangul runs and symbols with byte spans,
//! so every extractor can look at neighbours without slicing strings by hand.

/// Longest text an extractor looks at; answers are short and this bounds the work per message.
pub const MAX_SCAN_CHARS: usize = 2_000;

/// What kind of run a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// Digits, possibly with grouping or decimal separators inside ("25,000", "2,5", "1 000").
    Digits,
    /// Letters of a non-Hangul script (apostrophes inside are kept: "don't").
    Word,
    /// A run of Hangul syllables or jamo.
    Hangul,
    /// Any other single character ("$", "-", "~", "/").
    Sym,
}

/// One token with its byte span in the folded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok<'a> {
    /// The token's text.
    pub text: &'a str,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
    /// The token's kind.
    pub kind: TokKind,
}

/// True for Hangul syllables and jamo.
pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Truncates text to at most [`MAX_SCAN_CHARS`] characters, on a character boundary.
pub fn capped(text: &str) -> &str {
    match text.char_indices().nth(MAX_SCAN_CHARS) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}

/// The last `max_chars` characters of `text`: modifiers sit right before what they modify, so
/// looking further back only costs time on long messages.
pub fn tail(text: &str, max_chars: usize) -> &str {
    match text.char_indices().rev().nth(max_chars.saturating_sub(1)) {
        Some((index, _)) if max_chars > 0 => &text[index..],
        _ if max_chars == 0 => "",
        _ => text,
    }
}

fn kind_of(c: char) -> Option<TokKind> {
    if c.is_whitespace() {
        None
    } else if c.is_ascii_digit() {
        Some(TokKind::Digits)
    } else if is_hangul(c) {
        Some(TokKind::Hangul)
    } else if c.is_alphabetic() {
        Some(TokKind::Word)
    } else {
        Some(TokKind::Sym)
    }
}

/// Splits folded text into tokens. Digit runs swallow `.`, `,`, `'` and single spaces that sit
/// between digit groups ("25 000"), so that grouping can be judged as a whole.
pub fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let Some(kind) = kind_of(c) else {
            i += 1;
            continue;
        };
        let begin = i;
        i += 1;
        match kind {
            TokKind::Digits => {
                while i < chars.len() {
                    let c = chars[i].1;
                    let next_is_digit = chars.get(i + 1).is_some_and(|&(_, n)| n.is_ascii_digit());
                    let separator = matches!(c, '.' | ',' | '\'' | '’') && next_is_digit;
                    let space_group = c == ' '
                        && space_group_follows(&chars, i)
                        && last_group_len(&chars, begin, i) <= 3;
                    if c.is_ascii_digit() || separator || space_group {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            TokKind::Word => {
                while i < chars.len() {
                    let c = chars[i].1;
                    let inner_apostrophe = matches!(c, '\'' | '’')
                        && chars
                            .get(i + 1)
                            .is_some_and(|&(_, n)| n.is_alphabetic() && !is_hangul(n));
                    if (c.is_alphabetic() && !is_hangul(c)) || inner_apostrophe {
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            TokKind::Hangul => {
                while i < chars.len() && is_hangul(chars[i].1) {
                    i += 1;
                }
            }
            TokKind::Sym => {}
        }
        let (start, end) = (byte_at(begin), byte_at(i));
        tokens.push(Tok {
            text: &text[start..end],
            start,
            end,
            kind,
        });
    }
    tokens
}

fn space_group_follows(chars: &[(usize, char)], space: usize) -> bool {
    let digits = (1..=3).all(|k| {
        chars
            .get(space + k)
            .is_some_and(|&(_, c)| c.is_ascii_digit())
    });
    let after = chars.get(space + 4).map(|&(_, c)| c);
    digits && !after.is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
}

fn last_group_len(chars: &[(usize, char)], begin: usize, end: usize) -> usize {
    chars[begin..end]
        .iter()
        .rev()
        .take_while(|&&(_, c)| c.is_ascii_digit())
        .count()
}

/// Reads a digit run, judging grouping against decimals: the last of two different separators
/// is the decimal one; a single separator followed by exactly three digits groups thousands
/// ("25.000", "1,000"); otherwise it is a decimal point ("2,5", "3.14"). Returns `None` for runs
/// that are not one number, such as dates ("15.03.2013").
pub fn parse_digits(raw: &str) -> Option<f64> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '’'))
        .collect();
    let has_dot = cleaned.contains('.');
    let has_comma = cleaned.contains(',');
    let decimal_sep = match (has_dot, has_comma) {
        (false, false) => None,
        (true, true) => {
            let last_dot = cleaned.rfind('.')?;
            let last_comma = cleaned.rfind(',')?;
            Some(if last_dot > last_comma { '.' } else { ',' })
        }
        (true, false) | (false, true) => {
            let sep = if has_dot { '.' } else { ',' };
            let parts: Vec<&str> = cleaned.split(sep).collect();
            if parts.len() > 2 {
                None
            } else {
                let (head, tail) = (parts.first()?, parts.get(1)?);
                if tail.len() == 3 && !head.is_empty() && *head != "0" {
                    None
                } else {
                    Some(sep)
                }
            }
        }
    };
    let (int_part, frac_part) = match decimal_sep {
        Some(sep) => {
            let (int_part, frac_part) = cleaned.rsplit_once(sep)?;
            if frac_part.contains(['.', ',']) {
                return None;
            }
            (int_part.to_string(), frac_part.to_string())
        }
        None => (cleaned.clone(), String::new()),
    };
    let groups: Vec<&str> = int_part.split(['.', ',']).collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups.first()?.len());
        if !first_ok || groups.iter().skip(1).any(|g| g.len() != 3) {
            return None;
        }
    }
    let digits: String = groups.concat();
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let text = if frac_part.is_empty() {
        digits
    } else {
        format!("{digits}.{frac_part}")
    };
    text.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_grouping_and_decimals() {
        let cases: &[(&str, Option<f64>)] = &[
            ("25,000", Some(25000.0)),
            ("25.000", Some(25000.0)),
            ("25 000", Some(25000.0)),
            ("25'000", Some(25000.0)),
            ("1,000,000", Some(1_000_000.0)),
            ("1.234.567,89", Some(1_234_567.89)),
            ("1,234,567.89", Some(1_234_567.89)),
            ("2,5", Some(2.5)),
            ("2.75", Some(2.75)),
            ("7.20000", Some(7.2)),
            ("0.125", Some(0.125)),
            ("29,99", Some(29.99)),
            ("15.03.2013", None),
            ("1,2,3", None),
            ("12", Some(12.0)),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_digits(raw), *expected, "{raw}");
        }
    }

    #[test]
    fn tokens_keep_spans_and_kinds() {
        let tokens = tokenize("about 25 000 lei/lună, 500만원");
        let texts: Vec<&str> = tokens.iter().map(|t| t.text).collect();
        assert_eq!(
            texts,
            ["about", "25 000", "lei", "/", "lună", ",", "500", "만원"]
        );
        assert_eq!(tokens[1].kind, TokKind::Digits);
        assert_eq!(tokens[7].kind, TokKind::Hangul);
    }

    #[test]
    fn tail_is_char_safe() {
        assert_eq!(tail("până la", 3), " la");
        assert_eq!(tail("ăîș", 2), "îș");
        assert_eq!(tail("ab", 5), "ab");
        assert_eq!(tail("ab", 0), "");
    }

    #[test]
    fn cap_is_char_safe() {
        let long = "é".repeat(MAX_SCAN_CHARS + 10);
        assert_eq!(capped(&long).chars().count(), MAX_SCAN_CHARS);
    }
}
