//! Purpose: the terminal channel — render replies as text and read numbered choices back.

use crate::engine::{Input, Reply};

/// A reply as terminal text: the message, then its options numbered for typing.
pub fn render(reply: &Reply) -> String {
    let mut text = reply.text.clone();
    for (index, choice) in reply.choices.iter().enumerate() {
        text.push_str(&format!("\n   {}. {}", index + 1, choice.label));
    }
    if let Some(link) = &reply.link {
        text.push_str(&format!("\n   {}: {}", link.label, link.url));
    }
    text
}

/// A typed line as engine input. Numbers and labels are understood by the engine's own choice
/// matching, so the terminal sends text as typed (the same path as Slack or Discord free text).
pub fn input(line: &str) -> Input {
    Input::Text(line.trim_end_matches(['\r', '\n']).to_string())
}
