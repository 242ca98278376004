//! Purpose: whether each enabled channel is connected now, for `GET /readyz` — `serve` says
//! which channels it runs ([`expect`]), their connection code reports ([`connected`],
//! [`disconnected`]). Process-wide, like the connections themselves.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};

/// Channel name → `None` when connected, or why it is not.
fn channels() -> &'static Mutex<BTreeMap<String, Option<String>>> {
    static CHANNELS: OnceLock<Mutex<BTreeMap<String, Option<String>>>> = OnceLock::new();
    CHANNELS.get_or_init(Mutex::default)
}

/// A channel `serve` runs (called before it starts connecting): not ready until it reports
/// a connection.
pub fn expect(channel: &str) {
    disconnected(channel, "not connected yet");
}

/// The channel is connected (a Discord READY, a Slack Socket Mode hello).
pub fn connected(channel: &str) {
    channels()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(channel.to_string(), None);
}

/// The channel lost its connection (and is reconnecting), with why.
pub fn disconnected(channel: &str, why: &str) {
    channels()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(channel.to_string(), Some(why.to_string()));
}

/// Each expected channel that is not connected, with why.
pub fn not_connected() -> Vec<(String, String)> {
    channels()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter_map(|(name, why)| why.as_ref().map(|why| (name.clone(), why.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_is_ready_once_connected_and_not_after_it_drops() {
        expect("test-channel");
        assert!(
            not_connected()
                .iter()
                .any(|(name, _)| name == "test-channel")
        );
        connected("test-channel");
        assert!(
            !not_connected()
                .iter()
                .any(|(name, _)| name == "test-channel")
        );
        disconnected("test-channel", "reconnecting");
        assert!(
            not_connected()
                .iter()
                .any(|(name, why)| name == "test-channel" && why == "reconnecting")
        );
    }
}
