//! The `leadbot` command line: wires the library to the terminal, files and the database.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use chrono::{DateTime, FixedOffset, Local};
use clap::{Parser, Subcommand};

use leadbot::extract;
use leadbot::locale::Locale;
use leadbot::script;

/// leadbot qualifies sales leads in chat.
#[derive(Debug, Parser)]
#[command(name = "leadbot", version, about)]
struct Cli {
    /// Folder (or file) of conversation scripts.
    #[arg(
        long,
        global = true,
        env = "LEADBOT_SCRIPTS",
        default_value = "conversations"
    )]
    scripts: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check scripts; prints file:line:column: problem for each and exits 1 if any is broken.
    Validate {
        /// Script files or folders (default: the scripts folder).
        paths: Vec<PathBuf>,
    },
    /// Replay a dialogue from answers (one per line, from a file or stdin) without a database.
    Simulate {
        /// Script id, or path to a script file.
        script: String,
        /// File of answers, one per line (default: stdin).
        #[arg(long)]
        answers: Option<PathBuf>,
        /// Print the final state as JSON instead of the transcript.
        #[arg(long)]
        json: bool,
        /// Fix the clock (RFC 3339), for repeatable results.
        #[arg(long)]
        now: Option<DateTime<FixedOffset>>,
    },
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
        /// Currency of a bare amount (ISO 4217); defaults to the locale's.
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
        Command::Validate { paths } => {
            let paths = if paths.is_empty() {
                vec![cli.scripts]
            } else {
                paths
            };
            commands::validate::run(&paths)
        }
        Command::Simulate {
            script,
            answers,
            json,
            now,
        } => {
            let script = script::pick(&[cli.scripts], Some(&script))?;
            commands::simulate::run(&script, answers.as_deref(), json, now)?;
            Ok(ExitCode::SUCCESS)
        }
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
            commands::extract::run(kind, &text, &request)
        }
    }
}
