//! The `leadbot` command line: wires the library to the terminal, files and the database.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use chrono::{DateTime, FixedOffset, Local};
use clap::{Parser, Subcommand};

use leadbot::extract;
use leadbot::locale::Locale;
use leadbot::runtime::{Runtime, ScriptCatalog};
use leadbot::script;
use leadbot::store::Store;

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
    /// Qualify yourself in the terminal, against the default script (or --script).
    Chat {
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        /// Start a new conversation instead of resuming the last one.
        #[arg(long)]
        new: bool,
        /// Script id for a new conversation.
        #[arg(long)]
        script: Option<String>,
        /// Whose conversation this is (each name has its own).
        #[arg(long, env = "USER", default_value = "local")]
        user: String,
    },
    /// Apply database migrations and print the schema version.
    Migrate {
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
    },
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

/// The embedded default: a SQLite file in the data folder.
const DEFAULT_DATABASE: &str = "sqlite://data/leadbot.db";

#[tokio::main]
async fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LEADBOT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Chat {
            database,
            new,
            script,
            user,
        } => {
            let scripts = script::load_all(std::slice::from_ref(&cli.scripts))?;
            let store = Store::open(&database).await?;
            let runtime = Runtime::new(
                store.clone(),
                ScriptCatalog::new(scripts, None),
                commands::chat::CONSOLE_DESTINATION,
            );
            let options = commands::chat::ChatOptions { user, new, script };
            let result = commands::chat::run(&runtime, options).await;
            store.close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { database } => {
            let store = Store::open(&database).await?;
            let version = store.schema_version().await?.unwrap_or(0);
            println!("database is at schema version {version}");
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
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
