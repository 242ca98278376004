//! The `leadbot` command line: wires the library to the terminal, files and the database.

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, Local};
use clap::{Parser, Subcommand};

use leadbot::extract;
use leadbot::locale::Locale;

/// leadbot qualifies sales leads in chat.
#[derive(Debug, Parser)]
#[command(name = "leadbot", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print what the extractor understands in a text, as JSON.
    Extract {
        /// money, timeframe, number, yes_no, email, choice or multi_choice.
        kind: extract::cli::Kind,
        /// The text to read.
        text: String,
        /// Language of the text.
        #[arg(long, default_value = "en")]
        locale: Locale,
        /// Reference time for relative dates (RFC 3339); defaults to now.
        #[arg(long)]
        now: Option<DateTime<FixedOffset>>,
        /// Currency of a bare amount (ISO 4217).
        #[arg(long)]
        currency: Option<String>,
        /// Options of a choice, comma-separated.
        #[arg(long, value_delimiter = ',')]
        options: Vec<String>,
    },
}

fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Extract {
            kind,
            text,
            locale,
            now,
            currency,
            options,
        } => {
            let request = extract::cli::Request {
                locale,
                now: now.unwrap_or_else(|| Local::now().fixed_offset()),
                currency: currency.unwrap_or_else(|| locale.default_currency().to_string()),
                options,
            };
            let (value, code) = match extract::cli::run(kind, &text, &request) {
                Ok(value) => (value, ExitCode::SUCCESS),
                Err(error) => (error, ExitCode::FAILURE),
            };
            println!("{}", serde_json::to_string(&value).context("rendering JSON")?);
            Ok(code)
        }
    }
}
