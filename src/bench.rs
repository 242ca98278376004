//! Purpose: `leadbot bench` — drive many simulated prospects through complete dialogues with
//! the real runtime and store, and measure throughput, turn latency and memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::conversation::ConversationKey;
use crate::engine::Input;
use crate::engine::state::Stage;
use crate::locale::Locale;
use crate::runtime::{Handled, Inbound, Runtime, RuntimeError};
use crate::script::{ContactField, Expectation, Script, Step};

/// Longest dialogue a simulated prospect may have, in turns (re-asks included).
const MAX_TURNS: usize = 60;

/// How a benchmark run is shaped.
#[derive(Debug, Clone)]
pub struct BenchPlan {
    /// Prospects to run through complete dialogues.
    pub conversations: usize,
    /// Prospects talking at the same time.
    pub concurrency: usize,
    /// Distinguishes this run's conversations from earlier runs in the same database.
    pub run_id: String,
    /// The moment the simulated prospects write at.
    pub now: DateTime<FixedOffset>,
    /// When set, the instant each lead's qualifying turn committed is recorded here, by lead
    /// id (for the hand-off latency benchmark).
    pub qualified_at: Option<Arc<std::sync::Mutex<std::collections::HashMap<i64, Instant>>>>,
}

/// What a run measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// "sqlite" or "postgres".
    pub db: String,
    /// Prospects talking at once.
    pub concurrency: usize,
    /// Complete dialogues run.
    pub conversations: usize,
    /// Turns handled (every inbound message is one).
    pub turns: usize,
    /// Turns per second over the whole run.
    pub turns_per_s: f64,
    /// Median turn latency.
    pub p50_ms: f64,
    /// 95th percentile turn latency.
    pub p95_ms: f64,
    /// 99th percentile turn latency.
    pub p99_ms: f64,
    /// Slowest turn.
    pub max_ms: f64,
    /// Dialogues that ended sales-qualified (a check that the answers were understood).
    pub qualified: usize,
    /// Peak resident memory of the process.
    pub peak_rss_mb: f64,
    /// Wall time of the run.
    pub seconds: f64,
}

/// Why a benchmark run failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A turn failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// A simulated prospect's task died.
    #[error("a benchmark worker stopped: {0}")]
    Worker(String),
}

/// Runs the plan against `runtime` with `script` (the runtime's default script).
pub async fn run(
    runtime: &Runtime,
    script: &Script,
    plan: &BenchPlan,
    db: &str,
) -> Result<BenchReport, BenchError> {
    let next = Arc::new(AtomicUsize::new(0));
    let script = Arc::new(script.clone());
    let started = Instant::now();
    let mut workers = Vec::with_capacity(plan.concurrency);
    for _ in 0..plan.concurrency.max(1) {
        let runtime = runtime.clone();
        let script = script.clone();
        let next = next.clone();
        let plan = plan.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut qualified = 0;
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= plan.conversations {
                    break;
                }
                if dialogue(&runtime, &script, &plan, index, &mut latencies).await? {
                    qualified += 1;
                }
            }
            Ok::<_, RuntimeError>((latencies, qualified))
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    let mut qualified = 0;
    for worker in workers {
        match worker.await {
            Ok(result) => {
                let (mine, done) = result?;
                latencies.extend(mine);
                qualified += done;
            }
            Err(error) => return Err(BenchError::Worker(error.to_string())),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let percentile = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * (latencies.len() - 1) as f64).round() as usize;
        latencies[rank.min(latencies.len() - 1)].as_secs_f64() * 1000.0
    };
    Ok(BenchReport {
        db: db.to_string(),
        concurrency: plan.concurrency,
        conversations: plan.conversations,
        turns: latencies.len(),
        turns_per_s: latencies.len() as f64 / seconds.max(1e-9),
        p50_ms: percentile(50.0),
        p95_ms: percentile(95.0),
        p99_ms: percentile(99.0),
        max_ms: latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        qualified,
        peak_rss_mb: peak_rss_mb(),
        seconds,
    })
}

/// One prospect's whole dialogue; true when it ended sales-qualified.
async fn dialogue(
    runtime: &Runtime,
    script: &Script,
    plan: &BenchPlan,
    index: usize,
    latencies: &mut Vec<Duration>,
) -> Result<bool, RuntimeError> {
    let key = ConversationKey {
        channel: "bench".into(),
        address: format!("{}-{index}", plan.run_id),
    };
    let mut text = "hello".to_string();
    for turn in 0..MAX_TURNS {
        let inbound = Inbound {
            key: key.clone(),
            event_id: Some(format!("{}-{index}-{turn}", plan.run_id)),
            input: Input::Text(text.clone()),
            now: plan.now,
            reply_via: None,
            existing_only: false,
            answers_step: None,
            person: None,
        };
        let started = Instant::now();
        let handled = runtime.handle(&inbound).await?;
        latencies.push(started.elapsed());
        let Handled::Replied(outcome) = handled else {
            continue;
        };
        if outcome.handoff.is_some()
            && let Some(recorder) = &plan.qualified_at
            && let Ok(mut recorded) = recorder.lock()
        {
            recorded.insert(outcome.lead_id, Instant::now());
        }
        if outcome.state.is_finished() {
            return Ok(outcome.state.stage == Stage::Sql);
        }
        let Some(step) = outcome
            .state
            .pending
            .as_ref()
            .and_then(|pending| script.step(&pending.step))
        else {
            return Ok(false);
        };
        text = answer_for(step, script.locale, index);
    }
    Ok(false)
}

/// A strong, understandable answer to a step, in the script's language.
pub fn answer_for(step: &Step, locale: Locale, index: usize) -> String {
    let best_option = |options: &[crate::script::ChoiceOption]| {
        options
            .iter()
            .enumerate()
            .filter(|(_, option)| option.disqualify.is_none())
            .max_by_key(|(_, option)| option.points)
            .map_or(1, |(position, _)| position + 1)
    };
    match &step.expect {
        Expectation::Choice { options } | Expectation::MultiChoice { options } => {
            best_option(options).to_string()
        }
        Expectation::YesNo {
            yes_points,
            no_points,
            ..
        } => {
            let yes = yes_points >= no_points;
            match (locale, yes) {
                (Locale::En, true) => "yes",
                (Locale::En, false) => "no",
                (Locale::Ko, true) => "네",
                (Locale::Ko, false) => "아니요",
                (Locale::Ro, true) => "da",
                (Locale::Ro, false) => "nu",
            }
            .to_string()
        }
        Expectation::Money { bands, .. } => {
            let top = (bands.first().map_or(10_000.0, |band| band.at_least) * 2.0).round();
            match locale {
                Locale::En => format!("{top} a year"),
                Locale::Ko => format!("연간 {top}원"),
                Locale::Ro => format!("{top} lei pe an"),
            }
        }
        Expectation::Timeframe { .. } => match locale {
            Locale::En => "within 2 weeks",
            Locale::Ko => "2주 안에",
            Locale::Ro => "în 2 săptămâni",
        }
        .to_string(),
        Expectation::Number { bands } => {
            let top = bands.first().map_or(10.0, |band| band.at_least);
            format!("{}", (top * 2.0).round())
        }
        Expectation::Email => format!("prospect{index}@example.com"),
        Expectation::Text { .. } => match step.store_as {
            Some(ContactField::Company) => format!("Company {index}"),
            Some(ContactField::Name) => "Alex Morgan".to_string(),
            _ => "Jordan Lee, head of operations".to_string(),
        },
    }
}

/// Peak resident set size of this process in MiB (Linux), 0 where unknown.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// One extractor call, ready to time.
type Extraction<'a> = Box<dyn Fn() + 'a>;

/// Time per call of one extractor on a long message.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractTiming {
    /// Which extractor.
    pub kind: String,
    /// Which language.
    pub locale: String,
    /// Length of the message, in bytes.
    pub bytes: usize,
    /// Mean time per call.
    pub mean_us: f64,
    /// Slowest call.
    pub max_us: f64,
}

/// A long, realistic message in a language: an answer buried in chatter, about `bytes` long.
pub fn long_message(locale: Locale, bytes: usize) -> String {
    let sentence = match locale {
        Locale::En => {
            "We are a team of forty people in Berlin and we have been using spreadsheets for years, but the budget is around 25k a year and we would like to start next quarter, ideally before the summer. "
        }
        Locale::Ko => {
            "저희는 서울에 있는 40명 규모의 팀이고 몇 년째 엑셀을 쓰고 있는데, 예산은 연간 3천만 원 정도이고 다음 분기에 시작하고 싶어요. "
        }
        Locale::Ro => {
            "Suntem o echipă de patruzeci de oameni din București și folosim tabele de ani de zile, bugetul este cam 10 mii de euro pe an și am vrea să începem luna viitoare. "
        }
    };
    let mut text = String::with_capacity(bytes + sentence.len());
    while text.len() < bytes {
        text.push_str(sentence);
    }
    text
}

/// Runs every extractor `rounds` times on a `bytes`-long message in each language.
pub fn extraction_timings(
    bytes: usize,
    rounds: usize,
    now: DateTime<FixedOffset>,
) -> Vec<ExtractTiming> {
    use crate::extract::{self, ChoiceCandidate};
    let options = [
        "Replacing our current tool",
        "Setting up a new process",
        "Just looking around",
    ];
    let candidates: Vec<ChoiceCandidate> = options
        .iter()
        .map(|label| ChoiceCandidate::labelled(label))
        .collect();
    let mut timings = Vec::new();
    for locale in Locale::ALL {
        let text = long_message(locale, bytes);
        let kinds: [(&str, Extraction); 6] = [
            (
                "money",
                Box::new(|| drop(extract::money(&text, locale, locale.default_currency()))),
            ),
            (
                "timeframe",
                Box::new(|| drop(extract::timeframe(&text, locale, now))),
            ),
            (
                "number",
                Box::new(|| drop(extract::number(&text, locale, now))),
            ),
            ("yes_no", Box::new(|| drop(extract::yes_no(&text, locale)))),
            ("email", Box::new(|| drop(extract::email(&text)))),
            (
                "choice",
                Box::new(|| drop(extract::choice(&text, locale, &candidates))),
            ),
        ];
        for (kind, run) in kinds {
            let mut total = Duration::ZERO;
            let mut slowest = Duration::ZERO;
            for _ in 0..rounds.max(1) {
                let started = Instant::now();
                run();
                let took = started.elapsed();
                total += took;
                slowest = slowest.max(took);
            }
            timings.push(ExtractTiming {
                kind: kind.to_string(),
                locale: locale.code().to_string(),
                bytes: text.len(),
                mean_us: total.as_secs_f64() * 1e6 / rounds.max(1) as f64,
                max_us: slowest.as_secs_f64() * 1e6,
            });
        }
    }
    timings
}
