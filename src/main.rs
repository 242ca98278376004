//! The `leadbot` command line: wires the library to the terminal, files and the database.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, Local};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use leadbot::config::{self, Config, LogFormat, Settings};
use leadbot::engine::state::Stage;
use leadbot::extract;
use leadbot::live;
use leadbot::locale::Locale;
use leadbot::runtime::{HandoffAnswer, NoticeChannels, Runtime, ScriptCatalog};
use leadbot::script;
use leadbot::store::Store;
use leadbot::store::leads::LeadFilter;

/// A turn allocates and frees many small strings and vectors; mimalloc does that in a
/// fraction of glibc's time, which shows under load (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// leadbot qualifies sales leads in chat.
#[derive(Debug, Parser)]
#[command(name = "leadbot", version, about)]
struct Cli {
    /// A configuration file with the settings' keys (default: ./leadbot.toml when present);
    /// flags and the environment win over it.
    #[arg(long = "config", global = true, env = "LEADBOT_CONFIG")]
    config_file: Option<PathBuf>,
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Qualify yourself in the terminal, against the default script (or --script).
    Chat {
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
    /// Run the server: the HTTP API, Slack, Discord, hand-off delivery, timers.
    Serve,
    /// Show the effective configuration (secrets redacted) and what each channel still needs.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// List, show, export or erase leads.
    Leads {
        #[command(subcommand)]
        action: LeadsAction,
    },
    /// Run simulated prospects through complete dialogues and print turns/s, latency, memory
    /// (on `--database` when given on the command line; else a fresh data/bench.db).
    Bench {
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
        /// Time the funnel report instead, after writing this many synthetic conversations
        /// (0: on the database as it is); on data/bench-history.db unless --database is given.
        #[arg(long)]
        history: Option<i64>,
        /// With --history: also time the report's reference recount over the raw rows (slow:
        /// minutes on a million conversations) and check that both give the same figures.
        #[arg(long)]
        recount: bool,
    },
    /// Run the scripts' test cases (default: the `tests` folder beside the scripts); exit 1
    /// on any failure.
    Test {
        /// Case files or folders.
        paths: Vec<PathBuf>,
        /// Rewrite the golden replies with what the scripts say now.
        #[arg(long)]
        update: bool,
    },
    /// Print the JSON Schema of the script or the reps file format, for editors.
    Schema {
        /// Which format.
        #[arg(value_parser = ["script", "reps"])]
        format: String,
    },
    /// Script versions: list, history, diff, rollback, migrate conversations in progress.
    Scripts {
        #[command(subcommand)]
        action: ScriptsAction,
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
        /// Also say why: the rule that picked the pool, each rep skipped and why (hours,
        /// leave, capacity, language, region, deal size, already passed), who was chosen.
        #[arg(long)]
        explain: bool,
    },
    /// Answer a hand-off as a rep: accept, pass, or close it when done.
    Handoff {
        #[command(subcommand)]
        action: HandoffAction,
    },
    /// The funnel: stages and conversion, drop-off per question, speed, reps, money, and the
    /// same by week, channel, source and script version (docs/reports.md).
    Report {
        /// Conversations started on or after this date (YYYY-MM-DD) or time (RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// Conversations started before this date (YYYY-MM-DD) or time (RFC 3339).
        #[arg(long)]
        until: Option<String>,
        /// Only this script id.
        #[arg(long)]
        script: Option<String>,
        /// Only this script version (its full content hash, as `scripts list` shows it).
        #[arg(long)]
        version: Option<String>,
        /// Only this channel (slack, discord, console, or a message API channel).
        #[arg(long)]
        channel: Option<String>,
        /// Only leads from this source (as the message API was given it).
        #[arg(long)]
        source: Option<String>,
        /// Only leads handed to this rep.
        #[arg(long)]
        rep: Option<String>,
        /// table, csv or json.
        #[arg(long, default_value = "table")]
        format: leadbot::report::Format,
    },
    /// Answer a prospect who asked for a person, as a rep: sent on their channel with your
    /// name (docs/conversations.md).
    Reply {
        /// Lead id (shown in the takeover notice).
        lead: i64,
        /// What to tell the prospect.
        text: String,
        /// Your rep id.
        #[arg(long)]
        rep: String,
    },
    /// Give a conversation a rep took over back to the bot: the script asks its question again.
    HandBack {
        /// Lead id.
        lead: i64,
    },
    /// Apply database migrations and print the schema version.
    Migrate,
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
enum ConfigAction {
    /// Print every setting (secrets redacted), where it came from, and what each channel
    /// needs; exits 1 when the configuration is invalid.
    Check,
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
    /// Fold the second lead into the first (the same person, missed by automatic matching):
    /// conversations, answers, score and hand-offs move; the first keeps its owner.
    Merge {
        /// The lead that stays.
        into: i64,
        /// The lead folded into it.
        from: i64,
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
    List,
}

#[derive(Debug, Subcommand)]
enum ScriptsAction {
    /// Each script's active version, label, since when, conversations per version, and every
    /// refused change still open.
    List,
    /// Every activation of a script, newest first: version, label, when, how, who.
    History {
        /// Script id.
        id: String,
    },
    /// A unified diff of two versions (a hash prefix or a label each).
    Diff {
        /// Script id.
        id: String,
        /// The older version.
        from: String,
        /// The newer version.
        to: String,
    },
    /// Make an earlier version active again for new conversations, on every replica.
    Rollback {
        /// Script id.
        id: String,
        /// A hash prefix or a label.
        version: String,
        /// Who rolls back, for the history.
        #[arg(long, env = "USER", default_value = "local")]
        by: String,
    },
    /// Move conversations in progress to a version where all their answered steps exist.
    Migrate {
        /// Script id.
        id: String,
        /// A hash prefix or a label.
        #[arg(long)]
        to: String,
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
    /// Mark a hand-off done so it no longer counts against the rep's capacity, with how it
    /// ended (for the funnel report's win rate and revenue).
    Close {
        /// Hand-off id.
        id: i64,
        /// won, lost, no_fit or no_response.
        #[arg(long)]
        outcome: Option<leadbot::store::outcomes::Outcome>,
        /// The deal's value (a won deal), e.g. 12000 or 12000.50.
        #[arg(long, requires = "outcome")]
        value: Option<f64>,
        /// ISO 4217 code of the value (default USD).
        #[arg(long, requires = "value")]
        currency: Option<String>,
        /// A note for the record.
        #[arg(long)]
        note: Option<String>,
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
        .with_context(|| format!("{text:?} is neither YYYY-MM-DD nor RFC 3339"))?;
    Ok(date
        .and_hms_opt(0, 0, 0)
        .map(|at| at.and_utc().timestamp_millis())
        .unwrap_or_default())
}

/// A runtime with the team, for commands that answer or explain hand-offs. The notices they
/// queue go where the serving deployment delivers (as `leadbot serve` recorded it), whatever
/// this shell's environment holds; a running `leadbot serve` delivers them.
async fn team_runtime(config: &Config) -> Result<Runtime> {
    let scripts = script::load_all(std::slice::from_ref(&config.scripts))?;
    let team = commands::reps::load_team(config.reps.as_deref(), &scripts)?
        .context("no reps file: create reps.toml or pass --reps")?;
    let store = open_store(config).await?;
    let channels = match store.served_destinations().await? {
        Some(recorded) => NoticeChannels::from_recorded(&recorded),
        None => commands::serve::notice_channels(config),
    };
    Ok(Runtime::new(store, ScriptCatalog::new(scripts, None), None)
        .with_notice_channels(channels)
        .with_team(team))
}

async fn open_store(config: &Config) -> Result<Store> {
    Ok(Store::open_with(config.database.expose(), config.store).await?)
}

/// The settings: flags and environment as clap read them, then the configuration file.
fn settings(cli: &Cli) -> Result<Settings> {
    let mut settings = cli.settings.clone();
    let file = match &cli.config_file {
        Some(path) if !path.as_os_str().is_empty() => Some(path.clone()),
        _ => {
            let default = PathBuf::from(config::DEFAULT_FILE);
            default.exists().then_some(default)
        }
    };
    if let Some(path) = file {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
        settings.fill_from_file(&path.display().to_string(), &text)?;
    }
    Ok(settings)
}

#[tokio::main]
async fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    match run(cli, &matches).await {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error_message(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, like `{:#}`, without a cause its context already
/// quotes (library errors carry their cause's text, and also name it as their source).
fn error_message(error: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

/// True when the reader of our output went away (`leadbot leads show 1 | head`).
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(config: &Config) {
    // sqlx's slow-statement warnings stay off unless the filter names sqlx: a report over a
    // large history runs statements over 1 s by design.
    let filter_text = if config.log_filter.contains("sqlx") {
        config.log_filter.clone()
    } else {
        format!("{},sqlx::query=error", config.log_filter)
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&filter_text)
        // sqlx reports every statement over 1 s at WARN, the background WAL checkpoint
        // included; its query log is for debugging, not for users.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run(cli: Cli, matches: &clap::ArgMatches) -> Result<ExitCode> {
    let settings = settings(&cli)?;
    if let Command::Config {
        action: ConfigAction::Check,
    } = &cli.command
    {
        return commands::config::check(&settings, matches);
    }
    let config = Config::from_settings(&settings)?;
    init_logging(&config);
    match cli.command {
        Command::Config { .. } => Ok(ExitCode::SUCCESS),
        Command::Chat { new, script, user } => {
            let scripts = script::load_all(std::slice::from_ref(&config.scripts))?;
            let team = commands::reps::load_team(config.reps.as_deref(), &scripts)?;
            let store = open_store(&config).await?;
            let by = format!("chat (pid {})", std::process::id());
            let now_ms = chrono::Utc::now().timestamp_millis();
            let catalog =
                live::starting_catalog(&store, &config.scripts, scripts, &by, now_ms).await?;
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
        Command::Serve => {
            let scripts = script::load_all(std::slice::from_ref(&config.scripts))?;
            let team = commands::reps::load_team(config.reps.as_deref(), &scripts)?;
            commands::serve::run(&config, scripts, team).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { format } => {
            let schema = if format == "reps" {
                leadbot::reps::json_schema()
            } else {
                script::json_schema()
            };
            println!("{}", serde_json::to_string_pretty(&schema)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Test { paths, update } => commands::test::run(&paths, &config.scripts, update),
        Command::Scripts { action } => {
            let store = open_store(&config).await?;
            let result = match action {
                ScriptsAction::List => commands::scripts::list(&store).await,
                ScriptsAction::History { id } => commands::scripts::history(&store, &id).await,
                ScriptsAction::Diff { id, from, to } => {
                    commands::scripts::diff(&store, &id, &from, &to).await
                }
                ScriptsAction::Rollback { id, version, by } => {
                    commands::scripts::rollback(&store, &id, &version, &by).await
                }
                ScriptsAction::Migrate { id, to } => {
                    commands::scripts::migrate(&store, &id, &to).await
                }
            };
            store.close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Leads { action } => {
            let store = open_store(&config).await?;
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
                LeadsAction::Merge { into, from } => {
                    commands::leads::merge(&store, into, from).await
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
            history: Some(count),
            json,
            recount,
            ..
        } => {
            let database = given_on_command_line(matches, "database")
                .then(|| config.database.expose().to_string());
            let plan = commands::history::Plan {
                count,
                recount,
                json,
            };
            commands::history::run(database, &plan, &config.source_costs).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            conversations,
            concurrency,
            json,
            handoff,
            ..
        } => {
            let scripts = script::load_all(std::slice::from_ref(&config.scripts))?;
            // A benchmark writes a lot: it runs on a database named on its command line, never
            // on one the environment or the configuration file happens to name.
            let database = given_on_command_line(matches, "database")
                .then(|| config.database.expose().to_string());
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
                let path = config
                    .reps
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(config::DEFAULT_REPS));
                let notices = commands::serve::notice_channels(&config);
                commands::reps::validate(&path, &config.scripts, &notices)
            }
            RepsAction::List => {
                let scripts = script::load_all(std::slice::from_ref(&config.scripts))?;
                let team = commands::reps::load_team(config.reps.as_deref(), &scripts)?
                    .context("no reps file: create reps.toml or pass --reps")?;
                let store = open_store(&config).await?;
                let result = commands::reps::list(&team, &store).await;
                store.close().await;
                result?;
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Route { lead, explain } => {
            let runtime = team_runtime(&config).await?;
            let result = commands::reps::explain(&runtime, lead, explain).await;
            runtime.store().close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Handoff { action } => {
            let runtime = team_runtime(&config).await?;
            let result = match action {
                HandoffAction::Accept { id, rep } => {
                    commands::reps::answer(&runtime, id, &rep, HandoffAnswer::Accept).await
                }
                HandoffAction::Pass { id, rep } => {
                    commands::reps::answer(&runtime, id, &rep, HandoffAnswer::Pass).await
                }
                HandoffAction::Close {
                    id,
                    outcome,
                    value,
                    currency,
                    note,
                } => {
                    let closing =
                        leadbot::store::outcomes::Closing::checked(outcome, value, currency, note)
                            .map_err(anyhow::Error::msg)?;
                    commands::reps::close(&runtime, id, &closing).await
                }
            };
            runtime.store().close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            since,
            until,
            script,
            version,
            channel,
            source,
            rep,
            format,
        } => {
            let filter = leadbot::store::funnel::ReportFilter {
                since_ms: since.as_deref().map(parse_since).transpose()?,
                until_ms: until.as_deref().map(parse_since).transpose()?,
                script,
                version,
                channel,
                source,
                rep,
            };
            let store = open_store(&config).await?;
            let result = commands::report::run(&store, &filter, &config.source_costs, format).await;
            store.close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Reply { lead, text, rep } => {
            let runtime = team_runtime(&config).await?;
            let result = commands::reps::reply(&runtime, lead, &rep, &text).await;
            runtime.store().close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::HandBack { lead } => {
            let runtime = team_runtime(&config).await?;
            let result = commands::reps::hand_back(&runtime, lead).await;
            runtime.store().close().await;
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
            let version = store.schema_version().await?.unwrap_or(0);
            println!("database is at schema version {version}");
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { paths } => {
            let paths = if paths.is_empty() {
                vec![config.scripts]
            } else {
                paths
            };
            commands::validate::run(&paths, config.reps.as_deref())
        }
        Command::Simulate {
            script,
            answers,
            json,
            now,
        } => {
            let script = script::pick(&[config.scripts], Some(&script))?;
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

/// True when the global argument `id` was given as a flag (not by the environment).
fn given_on_command_line(matches: &clap::ArgMatches, id: &str) -> bool {
    let mut level = Some(matches);
    while let Some(current) = level {
        if current.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
            return true;
        }
        level = current.subcommand().map(|(_, sub)| sub);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadbot::config::SETTINGS;

    /// Every environment variable the binary reads, from its command line's definition.
    fn variables(command: &clap::Command, found: &mut std::collections::BTreeSet<String>) {
        for argument in command.get_arguments() {
            if let Some(env) = argument.get_env() {
                found.insert(env.to_string_lossy().into_owned());
            }
        }
        for sub in command.get_subcommands() {
            variables(sub, found);
        }
    }

    #[test]
    fn an_error_message_quotes_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let quoted = anyhow::Error::new(leadbot::script::ScriptError::Read {
            path: "conversations".into(),
            source: io,
        })
        .context("cannot start");
        assert_eq!(
            error_message(&quoted),
            "cannot start: cannot read conversations: No such file"
        );
        let plain = anyhow::anyhow!("refused").context("cannot connect");
        assert_eq!(error_message(&plain), "cannot connect: refused");
    }

    #[test]
    fn every_variable_the_binary_reads_is_in_the_env_sample_and_the_docs() {
        let mut read = std::collections::BTreeSet::new();
        variables(&Cli::command(), &mut read);
        for setting in SETTINGS {
            assert!(
                read.contains(setting.env),
                "{} is not a flag's env",
                setting.env
            );
        }
        let root = env!("CARGO_MANIFEST_DIR");
        let sample = std::fs::read_to_string(format!("{root}/.env.sample")).unwrap_or_default();
        let in_sample: std::collections::BTreeSet<String> = sample
            .lines()
            .map(|line| line.trim_start_matches("# "))
            .filter_map(|line| line.split_once('='))
            .map(|(name, _)| name.to_string())
            .filter(|name| name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .collect();
        let mut documented = in_sample.clone();
        documented.remove("LEADBOT_TEST_POSTGRES");
        assert_eq!(
            read, documented,
            ".env.sample and the flags' variables differ"
        );
        let docs =
            std::fs::read_to_string(format!("{root}/docs/configuration.md")).unwrap_or_default();
        for variable in &read {
            assert!(
                docs.contains(&format!("`{variable}`")),
                "docs/configuration.md does not describe {variable}"
            );
        }
    }
}
