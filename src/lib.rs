//! leadbot qualifies sales leads in chat: scripted dialogues, extraction, scoring, storage.

pub mod bench;
pub mod channels;
pub mod config;
pub mod conversation;
pub mod delivery;
pub mod engine;
pub mod extract;
pub mod http;
pub mod locale;
pub mod notify;
pub mod outbox;
pub mod person;
pub mod reps;
pub mod routing;
pub mod runtime;
pub mod script;
pub mod secret;
pub mod store;
