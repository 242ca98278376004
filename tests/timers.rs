//! Conversation timers on both databases with a controlled clock: one nudge for a quiet
//! prospect, abandonment after a longer silence, one MQL follow-up, nothing for people who
//! opted out — stored with the conversation, so they survive restarts and fire once across
//! replicas.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::path::Path;

use chrono::{DateTime, Duration, FixedOffset};
use common::{at, say_in_chat_app as say, sent_to_chat_app as sent, test_key};
use leadbot::engine::Input;
use leadbot::runtime::{Inbound, Runtime, ScriptCatalog};
use leadbot::script;
use leadbot::store::Store;

const SCRIPT: &str = r#"
id = "timed"
version = 1
locale = "en"
currency = "USD"
default = true
greeting = "Hi!"
required = ["need"]
iql_requires = []
[thresholds]
mql = 10
sql = 90
[follow_up]
nudge_after = "30m"
abandon_after = "1d"
mql_after = "3d"
[[steps]]
id = "need"
criterion = "need"
ask = "Do you need a CRM?"
expect = "yes_no"
yes_points = 20
[[steps]]
id = "budget"
criterion = "budget"
ask = "Budget?"
expect = "money"
bands = [{ at_least = 1000, points = 10 }]
no_budget_points = -5
"#;

async fn runtime(url: &str) -> Runtime {
    let script = script::parse(SCRIPT, Path::new("timed.toml")).unwrap();
    let store = Store::open(url).await.unwrap();
    Runtime::new(store, ScriptCatalog::new(vec![script], None), None)
}

fn minutes(n: i64) -> DateTime<FixedOffset> {
    at(0) + Duration::minutes(n)
}

async fn a_quiet_prospect_is_nudged_once_then_abandoned(url: &str) {
    let runtime = runtime(url).await;
    say(&runtime, "q", "hi", minutes(0)).await;
    sent(&runtime, minutes(0)).await;
    assert_eq!(runtime.fire_timers(minutes(29)).await.unwrap(), 0);
    assert_eq!(runtime.fire_timers(minutes(31)).await.unwrap(), 1);
    assert_eq!(
        sent(&runtime, minutes(31)).await,
        ["Still there? Whenever you're ready: Do you need a CRM?"]
    );
    assert_eq!(
        runtime.fire_timers(minutes(60)).await.unwrap(),
        0,
        "one nudge"
    );
    // A restarted process (another replica too) finds the timer in the database; two of
    // them racing fire it once.
    let other = self::runtime(url).await;
    let (one, two) = tokio::join!(
        runtime.fire_timers(minutes(24 * 60 + 1)),
        other.fire_timers(minutes(24 * 60 + 1))
    );
    assert_eq!(one.unwrap() + two.unwrap(), 1);
    assert!(
        sent(&runtime, minutes(24 * 60 + 2)).await.is_empty(),
        "abandoning is silent"
    );
    let (conversation, _) = runtime.conversation(&test_key("q")).await.unwrap().unwrap();
    assert_eq!(conversation.state.abandoned_at, Some(minutes(24 * 60 + 1)));
    assert_eq!(conversation.wake, None);
    // Coming back revives the conversation and its timers.
    say(&runtime, "q", "yes", minutes(3000)).await;
    let (back, _) = runtime.conversation(&test_key("q")).await.unwrap().unwrap();
    assert_eq!(back.state.abandoned_at, None);
    assert_eq!(back.wake.unwrap().1, "nudge");
    runtime.store().close().await;
    other.store().close().await;
}

async fn an_mql_gets_one_follow_up_and_an_opt_out_nothing(url: &str) {
    let runtime = runtime(url).await;
    say(&runtime, "m", "hi", minutes(0)).await;
    say(&runtime, "m", "yes", minutes(1)).await;
    say(&runtime, "m", "no budget yet", minutes(2)).await;
    say(&runtime, "o", "hi", minutes(0)).await;
    say(&runtime, "o", "stop", minutes(1)).await;
    sent(&runtime, minutes(3)).await;
    assert_eq!(runtime.fire_timers(minutes(3 * 24 * 60)).await.unwrap(), 0);
    assert_eq!(
        runtime.fire_timers(minutes(3 * 24 * 60 + 3)).await.unwrap(),
        1
    );
    let follow_up = sent(&runtime, minutes(3 * 24 * 60 + 3)).await;
    assert_eq!(follow_up.len(), 1);
    assert!(follow_up[0].starts_with("Hi again!"), "{follow_up:?}");
    assert_eq!(runtime.fire_timers(minutes(30 * 24 * 60)).await.unwrap(), 0);
    assert!(
        sent(&runtime, minutes(30 * 24 * 60)).await.is_empty(),
        "the opted-out never hear from us"
    );
    runtime.store().close().await;
}

async fn nudges_of_api_prospects_go_to_the_crm_to_relay(url: &str) {
    let script = script::parse(SCRIPT, Path::new("timed.toml")).unwrap();
    let store = Store::open(url).await.unwrap();
    let runtime = Runtime::new(store, ScriptCatalog::new(vec![script], None), Some("crm"));
    let hello = Inbound {
        key: test_key("api"),
        event_id: Some("api-1".into()),
        input: Input::Text("hi".into()),
        now: minutes(0),
        reply_via: None,
        existing_only: false,
        answers_step: None,
        person: None,
    };
    runtime.handle(&hello).await.unwrap();
    assert_eq!(runtime.fire_timers(minutes(31)).await.unwrap(), 1);
    let items = runtime
        .store()
        .claim_outbox("crm", 10, 60_000, minutes(31).timestamp_millis())
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind(), "prospect_message");
    assert_eq!(items[0].payload()["context"]["timer"], "nudge");
    assert_eq!(items[0].payload()["address"], "api");
    assert!(
        items[0].payload()["reply"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Still there?")
    );
    runtime.store().close().await;
}

on_both_databases!(
    nudges_of_api_prospects_go_to_the_crm_to_relay,
    a_quiet_prospect_is_nudged_once_then_abandoned,
    an_mql_gets_one_follow_up_and_an_opt_out_nothing,
);
