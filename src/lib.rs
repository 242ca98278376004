//! leadbot qualifies sales leads in chat: scripted dialogues, extraction, scoring, storage.

pub mod bench;
pub mod cases;
pub mod channels;
pub mod config;
pub mod conversation;
pub mod delivery;
pub mod engine;
pub mod extract;
pub mod fuzz_checks;
pub mod health;
pub mod http;
pub mod live;
pub mod locale;
pub mod metrics;
pub mod notify;
pub mod outbox;
pub mod person;
pub mod report;
pub mod reps;
pub mod routing;
pub mod runtime;
pub mod script;
pub mod secret;
pub mod store;
