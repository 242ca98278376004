//! Purpose: one module per `leadbot` subcommand; each turns parsed arguments into library calls.

pub mod bench;
pub mod chat;
pub mod config;
pub mod extract;
pub mod history;
pub mod leads;
pub mod printable;
pub mod progress;
pub mod report;
pub mod reps;
pub mod scripts;
pub mod serve;
pub mod simulate;
pub mod test;
pub mod validate;
