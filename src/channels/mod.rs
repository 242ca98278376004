//! Purpose: channel adapters — they translate platform events to engine inputs and replies to
//! platform output, and nothing else.

pub mod console;
pub mod discord;
pub mod slack;
