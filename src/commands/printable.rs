//! Purpose: prospect text made safe to print on an admin's terminal. A name or answer may hold
//! escape sequences (which clear a screen, recolour it or retitle the window), bidirectional
//! overrides (which make a line read differently from what it holds) or invisible characters;
//! printed as they are, a prospect would control what an admin sees.

use std::borrow::Cow;

/// `text` with every control, bidirectional-formatting and zero-width character written as a
/// visible `\u{…}` escape; other text unchanged.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        if hidden(character) {
            shown.push_str(&format!("\\u{{{:x}}}", u32::from(character)));
        } else {
            shown.push(character);
        }
    }
    Cow::Owned(shown)
}

/// Characters that act on a terminal or on the reading order instead of showing.
fn hidden(character: char) -> bool {
    character.is_control()
        || matches!(
            character,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn escapes_terminal_controls_and_bidi_overrides_and_leaves_the_rest() {
        assert_eq!(printable("Dana Smith — 이다나"), "Dana Smith — 이다나");
        assert_eq!(
            printable("Bobby\u{1b}[2J \u{202e}evil\u{200b}\u{7}"),
            "Bobby\\u{1b}[2J \\u{202e}evil\\u{200b}\\u{7}"
        );
        assert_eq!(printable("a\nb\tc"), "a\\u{a}b\\u{9}c");
    }
}
