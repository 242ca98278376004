//! Purpose: the process's Prometheus metrics — turns by channel and result, turn latency,
//! stage transitions, hand-off events, deliveries, platform rate limits, database errors —
//! recorded with the `metrics` facade and rendered by `metrics-exporter-prometheus` for
//! `GET /metrics`. Recording is a no-op until [`handle`] installs the recorder (`serve` does).

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Turn latency buckets, in seconds.
const TURN_BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The recorder's handle, installed on first use (once per process); `None` when another
/// recorder was installed first.
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("leadbot_turn_seconds".to_string()),
                    &TURN_BUCKETS,
                )
                .ok()?;
            let handle = builder.install_recorder().ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    metrics::describe_counter!("leadbot_turns_total", "Turns by channel and result");
    metrics::describe_histogram!(
        "leadbot_turn_seconds",
        metrics::Unit::Seconds,
        "Time to handle a turn, by channel"
    );
    metrics::describe_counter!(
        "leadbot_stage_transitions_total",
        "Funnel stage changes by from and to stage"
    );
    metrics::describe_counter!("leadbot_handoffs_total", "Hand-off events by event");
    metrics::describe_counter!(
        "leadbot_deliveries_total",
        "Outbox delivery attempts by destination and result"
    );
    metrics::describe_counter!(
        "leadbot_rate_limited_total",
        "Deliveries a platform asked to retry later (HTTP 429 Retry-After), by destination"
    );
    metrics::describe_counter!(
        "leadbot_database_errors_total",
        "Requests that failed because the database did"
    );
}

/// One turn: its channel, how it ended (replied, duplicate, ignored, error) and how long it
/// took.
pub fn turn(channel: &str, result: &'static str, took: Duration) {
    let channel = channel.to_string();
    metrics::counter!("leadbot_turns_total", "channel" => channel.clone(), "result" => result)
        .increment(1);
    metrics::histogram!("leadbot_turn_seconds", "channel" => channel).record(took.as_secs_f64());
}

/// A lead moved from one funnel stage to another.
pub fn stage_transition(from: &'static str, to: &'static str) {
    metrics::counter!("leadbot_stage_transitions_total", "from" => from, "to" => to).increment(1);
}

/// A hand-off event: offered, accepted, passed, expired, closed.
pub fn handoff_event(event: &'static str) {
    metrics::counter!("leadbot_handoffs_total", "event" => event).increment(1);
}

/// One delivery attempt: delivered, retry or given_up.
pub fn delivery(destination: &str, result: &'static str) {
    metrics::counter!("leadbot_deliveries_total", "destination" => destination.to_string(), "result" => result)
        .increment(1);
}

/// A platform asked to wait before the next attempt (429).
pub fn rate_limited(destination: &str) {
    metrics::counter!("leadbot_rate_limited_total", "destination" => destination.to_string())
        .increment(1);
}

/// A request failed because the database did.
pub fn database_error() {
    metrics::counter!("leadbot_database_errors_total").increment(1);
}

/// The outbox backlog of one destination: items waiting, and the oldest one's age.
pub fn outbox(destination: &str, depth: i64, oldest_age_seconds: f64) {
    metrics::gauge!("leadbot_outbox_depth", "destination" => destination.to_string())
        .set(depth as f64);
    metrics::gauge!("leadbot_outbox_oldest_age_seconds", "destination" => destination.to_string())
        .set(oldest_age_seconds);
}
