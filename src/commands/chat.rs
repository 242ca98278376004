//! Purpose: `leadbot chat` — a prospect qualifies themselves in the terminal, stored in the
//! database like any other channel; quitting and coming back resumes the conversation.

use std::io::IsTerminal;

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset, Local};
use leadbot::channels::console;
use leadbot::conversation::ConversationKey;
use leadbot::engine::{self, Reply, messages};
use leadbot::notify;
use leadbot::runtime::{Handled, Inbound, Runtime};
use leadbot::script::MessageKey;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The outbox destination the terminal delivers: hand-offs are shown right here.
pub const CONSOLE_DESTINATION: &str = "console";

/// Options of `leadbot chat`.
pub struct ChatOptions {
    /// Whose conversation (one per name).
    pub user: String,
    /// Start over instead of resuming.
    pub new: bool,
    /// Script id for a new conversation (default: the default script).
    pub script: Option<String>,
}

/// Runs the dialogue on stdin/stdout until it ends or input closes.
pub async fn run(runtime: &Runtime, options: ChatOptions) -> Result<()> {
    let key = ConversationKey {
        channel: "console".into(),
        address: options.user.clone(),
    };
    let interactive = std::io::stdin().is_terminal();
    let resumed = if options.new {
        None
    } else {
        runtime
            .conversation(&key)
            .await?
            .filter(|(conversation, _)| {
                options
                    .script
                    .as_ref()
                    .is_none_or(|wanted| wanted == &conversation.state.script_id)
            })
    };
    match resumed {
        Some((conversation, script)) if !conversation.state.is_finished() => {
            println!("bot: {}", messages::text(&script, MessageKey::WelcomeBack));
            if let Some(question) = engine::pending_question(&script, &conversation.state) {
                show(&[question]);
            }
        }
        Some((conversation, script)) => {
            let key = if conversation.state.stage == leadbot::engine::state::Stage::OptedOut {
                MessageKey::OptedOutAlready
            } else {
                MessageKey::AlreadyDone
            };
            println!("bot: {}", messages::text(&script, key));
            println!(
                "(stage {}, score {} — run `leadbot chat --new` to start over)",
                conversation.state.stage, conversation.state.score
            );
            return Ok(());
        }
        None => {
            let started = runtime
                .start_over(&key, options.script.as_deref(), now(), None)
                .await?;
            if let Some(outcome) = started.into_outcome() {
                show(&outcome.replies);
            }
        }
    }
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        if interactive {
            let mut stdout = tokio::io::stdout();
            stdout.write_all(b"you> ").await?;
            stdout.flush().await?;
        }
        let Some(line) = lines.next_line().await.context("reading stdin")? else {
            break;
        };
        if line.trim().is_empty() {
            continue;
        }
        if !interactive {
            println!("you: {line}");
        }
        let inbound = Inbound {
            key: key.clone(),
            event_id: None,
            input: console::input(&line),
            now: now(),
            reply_via: None,
            existing_only: false,
            answers_step: None,
            person: None,
        };
        let Handled::Replied(outcome) = runtime.handle(&inbound).await? else {
            continue;
        };
        show(&outcome.replies);
        deliver_handoffs(runtime).await?;
        if outcome.state.is_finished() {
            break;
        }
    }
    Ok(())
}

fn show(replies: &[Reply]) {
    for reply in replies {
        println!("bot: {}", console::render(reply));
    }
}

/// Shows the hand-offs queued for the terminal, each exactly once.
async fn deliver_handoffs(runtime: &Runtime) -> Result<()> {
    let store = runtime.store();
    let now = now();
    for item in store
        .claim_outbox(CONSOLE_DESTINATION, 10, 30_000, now.timestamp_millis())
        .await?
    {
        match item.message.as_handoff() {
            Some(notice) => {
                println!("\n── hand-off to sales ──────────────────────────────");
                println!("{}", notify::notice_text(notice, now));
                println!("───────────────────────────────────────────────────\n");
                store
                    .outbox_delivered(item.id, now.timestamp_millis())
                    .await?;
            }
            None => {
                let reason = format!("the terminal shows hand-offs, not {}", item.message.kind());
                store.outbox_failed(item.id, &reason, None).await?;
            }
        }
    }
    Ok(())
}

fn now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}
