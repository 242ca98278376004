//! The `leadbot` command line: wires the library to the terminal, files and the database.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, Local};
use clap::{Parser, Subcommand};

use leadbot::engine::state::Stage;
use leadbot::extract;
use leadbot::locale::Locale;
use leadbot::runtime::{HandoffAnswer, Runtime, ScriptCatalog};
use leadbot::script;
use leadbot::store::Store;
use leadbot::store::leads::LeadFilter;

/// A turn allocates and frees many small strings and vectors; mimalloc does that in a
/// fraction of glibc's time (leadbot bench, PostgreSQL, C=64: the allocator was a fifth of
/// leadbot's CPU).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// The sales team: reps, pools and routing rules (default: ./reps.toml when present).
    #[arg(long, global = true, env = "LEADBOT_REPS")]
    reps: Option<PathBuf>,
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
    /// Run the server: the HTTP API for inbound messages (LEADBOT_API_TOKEN).
    Serve {
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        /// Address to listen on (port 0 picks a free port; the address is printed).
        #[arg(long, env = "LEADBOT_LISTEN", default_value = "127.0.0.1:3000")]
        listen: String,
    },
    /// List, show, export or erase leads.
    Leads {
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        #[command(subcommand)]
        action: LeadsAction,
    },
    /// Run simulated prospects through complete dialogues and print turns/s, latency, memory.
    Bench {
        /// Database URL (default: a fresh SQLite file, data/bench.db).
        #[arg(long)]
        database: Option<String>,
        /// Prospects to run through complete dialogues.
        #[arg(long, default_value_t = 1000)]
        conversations: usize,
        /// Prospects talking at the same time.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Time the extractors on a long message instead (no database).
        #[arg(long)]
        extract: bool,
        /// With --extract: message size in bytes.
        #[arg(long, default_value_t = 4096)]
        bytes: usize,
        /// Measure hand-off latency instead: qualifying answer committed → a rep's webhook
        /// (a local receiver) has it.
        #[arg(long)]
        handoff: bool,
    },
    /// Check the reps file, or list reps with their open load.
    Reps {
        #[command(subcommand)]
        action: RepsAction,
    },
    /// Explain how a lead was routed: the rule, who was skipped and why, who was chosen.
    Route {
        /// Lead id.
        lead: i64,
        /// Print the explanation (the only mode today; kept for scripts that pass it).
        #[arg(long)]
        explain: bool,
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
    },
    /// Answer a hand-off as a rep: accept, pass, or close it when done.
    Handoff {
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        #[command(subcommand)]
        action: HandoffAction,
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
        /// The text to read (may start with a dash: "-3").
        #[arg(allow_hyphen_values = true)]
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

#[derive(Debug, Subcommand)]
enum LeadsAction {
    /// A readable table of leads, most recently updated first.
    List {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// One lead: answers, score events with reasons, stage history, transcript.
    Show {
        /// Lead id.
        id: i64,
    },
    /// One row per lead, one column per criterion (for CRM imports).
    Export {
        /// csv or json (one object per line).
        #[arg(long, default_value = "csv")]
        format: String,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Everything stored about one person, as JSON (a subject-access request).
    ExportPerson {
        /// Lead id.
        id: i64,
    },
    /// Erase a person's data; anonymous funnel counts are kept.
    Forget {
        /// Lead id.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum RepsAction {
    /// Check the reps file, its rules and filters against the scripts (--scripts); prints
    /// file:line:column: problem for each and exits 1 if broken.
    Validate,
    /// Each rep with pools, languages, weight, open hand-offs / capacity, and availability now.
    List {
        /// Database URL.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
    },
}

#[derive(Debug, Subcommand)]
enum HandoffAction {
    /// Take the lead: you become its owner.
    Accept {
        /// Hand-off id (shown in the notification).
        id: i64,
        /// Your rep id.
        #[arg(long)]
        rep: String,
    },
    /// Give the lead to the next rep in the pool.
    Pass {
        /// Hand-off id.
        id: i64,
        /// Your rep id.
        #[arg(long)]
        rep: String,
    },
    /// Mark a hand-off done so it no longer counts against the rep's capacity.
    Close {
        /// Hand-off id.
        id: i64,
    },
}

#[derive(Debug, clap::Args)]
struct FilterArgs {
    /// Only leads at this stage (lead, iql, mql, sql, disqualified, opted_out).
    #[arg(long)]
    stage: Option<String>,
    /// Only leads updated since this date (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long)]
    since: Option<String>,
    /// Only leads on this script id.
    #[arg(long)]
    script: Option<String>,
}

impl FilterArgs {
    fn filter(self) -> Result<LeadFilter> {
        if let Some(stage) = &self.stage
            && Stage::from_name(stage).is_none()
        {
            anyhow::bail!("unknown stage {stage:?} (lead, iql, mql, sql, disqualified, opted_out)");
        }
        let since_ms = match &self.since {
            None => None,
            Some(text) => Some(parse_since(text)?),
        };
        Ok(LeadFilter {
            stage: self.stage,
            since_ms,
            script: self.script,
        })
    }
}

fn parse_since(text: &str) -> Result<i64> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.timestamp_millis());
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("--since {text:?} is neither YYYY-MM-DD nor RFC 3339"))?;
    Ok(date
        .and_hms_opt(0, 0, 0)
        .map(|at| at.and_utc().timestamp_millis())
        .unwrap_or_default())
}

/// A runtime with the team, for commands that answer or explain hand-offs. Notices they queue
/// are delivered by a running `leadbot serve`.
async fn team_runtime(
    scripts: &std::path::Path,
    reps: Option<&std::path::Path>,
    database: &str,
) -> Result<Runtime> {
    let scripts = script::load_all(&[scripts.to_path_buf()])?;
    let team = commands::reps::load_team(reps, &scripts)?
        .context("no reps file: create reps.toml or pass --reps")?;
    let store = Store::open(database).await?;
    Ok(commands::serve::configured_runtime(
        store,
        scripts,
        Some(team),
    ))
}

/// The embedded default: a SQLite file in the data folder.
const DEFAULT_DATABASE: &str = "sqlite://data/leadbot.db";

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// True when the reader of our output went away (`leadbot leads show 1 | head`).
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

async fn run(cli: Cli) -> Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LEADBOT_LOG")
                // sqlx reports every statement over 1 s at WARN, the background WAL
                // checkpoint included; its query log is for debugging, not for users.
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error")),
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
            let team = commands::reps::load_team(cli.reps.as_deref(), &scripts)?;
            let store = Store::open(&database).await?;
            let catalog = ScriptCatalog::new(scripts, None);
            let console = commands::chat::CONSOLE_DESTINATION;
            let runtime = match team {
                Some(team) => Runtime::new(store.clone(), catalog, None)
                    .with_team(team)
                    .with_rep_channels([console]),
                None => Runtime::new(store.clone(), catalog, Some(console)),
            };
            let options = commands::chat::ChatOptions { user, new, script };
            let result = commands::chat::run(&runtime, options).await;
            store.close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { database, listen } => {
            let scripts = script::load_all(std::slice::from_ref(&cli.scripts))?;
            let team = commands::reps::load_team(cli.reps.as_deref(), &scripts)?;
            commands::serve::run(scripts, team, &database, &listen).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Leads { database, action } => {
            let store = Store::open(&database).await?;
            let result = match action {
                LeadsAction::List { filter } => {
                    commands::leads::list(&store, &filter.filter()?).await
                }
                LeadsAction::Show { id } => commands::leads::show(&store, id).await,
                LeadsAction::Export { format, filter } => {
                    commands::leads::export(&store, &filter.filter()?, &format).await
                }
                LeadsAction::ExportPerson { id } => {
                    commands::leads::export_person(&store, id).await
                }
                LeadsAction::Forget { id } => commands::leads::forget(&store, id).await,
            };
            store.close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            extract: true,
            bytes,
            json,
            ..
        } => {
            commands::bench::extraction(bytes, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            database,
            conversations,
            concurrency,
            json,
            handoff,
            ..
        } => {
            let scripts = script::load_all(std::slice::from_ref(&cli.scripts))?;
            let plan = commands::bench::DialoguePlan {
                database,
                conversations,
                concurrency,
                json,
                handoff,
            };
            commands::bench::dialogues(scripts, plan).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Reps { action } => match action {
            RepsAction::Validate => {
                let path = cli
                    .reps
                    .unwrap_or_else(|| PathBuf::from(commands::reps::DEFAULT_REPS_FILE));
                commands::reps::validate(&path, &cli.scripts)
            }
            RepsAction::List { database } => {
                let scripts = script::load_all(std::slice::from_ref(&cli.scripts))?;
                let team = commands::reps::load_team(cli.reps.as_deref(), &scripts)?
                    .context("no reps file: create reps.toml or pass --reps")?;
                let store = Store::open(&database).await?;
                let result = commands::reps::list(&team, &store).await;
                store.close().await;
                result?;
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Route { lead, database, .. } => {
            let runtime = team_runtime(&cli.scripts, cli.reps.as_deref(), &database).await?;
            let result = commands::reps::explain(&runtime, lead).await;
            runtime.store().close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Handoff { database, action } => {
            let runtime = team_runtime(&cli.scripts, cli.reps.as_deref(), &database).await?;
            let result = match action {
                HandoffAction::Accept { id, rep } => {
                    commands::reps::answer(&runtime, id, &rep, HandoffAnswer::Accept).await
                }
                HandoffAction::Pass { id, rep } => {
                    commands::reps::answer(&runtime, id, &rep, HandoffAnswer::Pass).await
                }
                HandoffAction::Close { id } => commands::reps::close(&runtime, id).await,
            };
            runtime.store().close().await;
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
