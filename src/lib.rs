//! leadbot qualifies sales leads in chat: scripted dialogues, extraction, scoring, storage.

pub mod extract;
pub mod locale;
