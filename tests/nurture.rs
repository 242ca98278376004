//! Nurture sequences and score decay on both databases with a controlled clock: an MQL gets
//! each touch once (two runtimes racing fire it once), a reply stops the sequence, a
//! re-answer re-scores the lead and hands it off; decay takes behaviour points after a silence,
//! stored with its reason.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::path::Path;

use chrono::{DateTime, Duration, FixedOffset};
use common::{
    TWO_EMAIL_REPS, at, count_rows, say_in_chat_app as say, sent_to_chat_app as sent, team_runtime,
    test_key,
};
use leadbot::engine::state::Stage;
use leadbot::runtime::Runtime;
use leadbot::script::{self, Script};

/// An MQL after "yes" and "next year"; SQL once the timing is "this month".
const NURTURED: &str = r#"
id = "nurtured"
version = 1
locale = "en"
currency = "USD"
default = true
greeting = "Hi!"
required = ["need", "timing"]
iql_requires = []
[thresholds]
mql = 10
sql = 90
[[nurture]]
after_days = 7
say = "How Acme did it: example.com/acme"
[[nurture]]
after_days = 30
say = "Our pricing: example.com/pricing. Has your timeline changed?"
ask = "timing"
[[steps]]
id = "need"
criterion = "need"
ask = "Do you need a CRM?"
expect = "yes_no"
yes_points = 20
[[steps]]
id = "timing"
criterion = "timing"
ask = "When would you start?"
expect = "timeframe"
bands = [{ within_days = 30, points = 80 }, { within_days = 400, points = 5 }]
"#;

/// A lead that asks for a demo (15 behaviour points) and fades 5 points a month.
const DECAYING: &str = r#"
id = "decaying"
version = 1
locale = "en"
currency = "USD"
default = true
greeting = "Hi!"
required = ["need"]
iql_requires = []
decay = { after_days = 30, points = -5 }
[thresholds]
mql = 10
sql = 90
[[signals]]
id = "demo"
reason = "asked for a demo"
points = 15
phrases = ["demo"]
[[steps]]
id = "need"
criterion = "need"
ask = "Do you need a CRM?"
expect = "yes_no"
yes_points = 20
"#;

fn parsed(source: &str) -> Script {
    script::parse(source, Path::new("test.toml")).unwrap()
}

async fn runtime(url: &str, source: &str) -> Runtime {
    team_runtime(url, vec![parsed(source)], TWO_EMAIL_REPS).await
}

fn day(n: i64) -> DateTime<FixedOffset> {
    at(0) + Duration::days(n)
}

/// `who` answers the dialogue to MQL (it ends at minute 2).
async fn reach_mql(runtime: &Runtime, who: &str) {
    say(runtime, who, "hi", at(0)).await;
    say(runtime, who, "yes", at(60)).await;
    say(runtime, who, "next year", at(120)).await;
    let (conversation, _) = runtime.conversation(&test_key(who)).await.unwrap().unwrap();
    assert_eq!(conversation.state.stage, Stage::Mql);
    sent(runtime, at(121)).await;
}

async fn an_mql_gets_each_touch_once_and_a_re_answer_hands_it_off(url: &str) {
    let runtime = runtime(url, NURTURED).await;
    reach_mql(&runtime, "m").await;
    let (conversation, _) = runtime.conversation(&test_key("m")).await.unwrap().unwrap();
    assert_eq!(conversation.wake.unwrap().1, "nurture:1");
    assert_eq!(runtime.fire_timers(day(6)).await.unwrap(), 0);
    // Two replicas racing fire the touch once.
    let other = self::runtime(url, NURTURED).await;
    let (one, two) = tokio::join!(runtime.fire_timers(day(8)), other.fire_timers(day(8)));
    assert_eq!(one.unwrap() + two.unwrap(), 1);
    assert_eq!(
        sent(&runtime, day(8)).await,
        ["How Acme did it: example.com/acme"]
    );
    assert_eq!(
        runtime.fire_timers(day(9)).await.unwrap(),
        0,
        "each touch once"
    );
    assert_eq!(runtime.fire_timers(day(31)).await.unwrap(), 1);
    assert_eq!(
        sent(&runtime, day(31)).await,
        [
            "Our pricing: example.com/pricing. Has your timeline changed?",
            "When would you start?"
        ]
    );
    assert_eq!(count_rows(url, "assignments").await, 0);

    say(&runtime, "m", "this month", day(32)).await;
    let (conversation, _) = runtime.conversation(&test_key("m")).await.unwrap().unwrap();
    assert_eq!(conversation.state.stage, Stage::Sql);
    assert_eq!(conversation.state.score, 100);
    assert_eq!(conversation.wake, None, "the sequence is over");
    assert_eq!(count_rows(url, "assignments").await, 1, "handed off");
    let record = runtime
        .store()
        .lead_record(conversation.lead_id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        record
            .score_events
            .iter()
            .any(|event| event.points == -5 && event.reason.starts_with("timing: answered again")),
        "{:?}",
        record.score_events
    );
    runtime.store().close().await;
    other.store().close().await;
}

async fn a_reply_stops_the_sequence(url: &str) {
    let runtime = runtime(url, NURTURED).await;
    reach_mql(&runtime, "r").await;
    assert_eq!(runtime.fire_timers(day(8)).await.unwrap(), 1);
    sent(&runtime, day(8)).await;
    say(&runtime, "r", "thanks, not now", day(9)).await;
    let (conversation, _) = runtime.conversation(&test_key("r")).await.unwrap().unwrap();
    assert_eq!(conversation.wake, None);
    sent(&runtime, day(9)).await;
    assert_eq!(runtime.fire_timers(day(40)).await.unwrap(), 0);
    assert!(sent(&runtime, day(40)).await.is_empty());
    runtime.store().close().await;
}

async fn decay_lowers_the_score_with_a_stored_reason(url: &str) {
    let runtime = runtime(url, DECAYING).await;
    say(&runtime, "d", "hi", at(0)).await;
    say(&runtime, "d", "can I see a demo", at(60)).await;
    say(&runtime, "d", "yes", at(120)).await;
    let (conversation, _) = runtime.conversation(&test_key("d")).await.unwrap().unwrap();
    assert_eq!(conversation.state.score, 35);
    assert_eq!(conversation.wake.as_ref().unwrap().1, "decay");
    assert_eq!(runtime.fire_timers(day(29)).await.unwrap(), 0);
    assert_eq!(runtime.fire_timers(day(31)).await.unwrap(), 1);
    assert!(
        sent(&runtime, day(31))
            .await
            .iter()
            .all(|text| !text.contains("decay")),
        "decay is silent"
    );
    let record = runtime
        .store()
        .lead_record(conversation.lead_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.lead.score, 30);
    assert_eq!(record.lead.stage, "mql", "decay never lowers the stage");
    let last = record.score_events.last().unwrap();
    assert_eq!(
        (last.points, last.reason.as_str(), last.rule.as_str()),
        (-5, "decay: 30 days without activity", "decay")
    );
    // Three more months take the rest of the demo's 15 points, and no more.
    for month in 2..=5 {
        runtime.fire_timers(day(30 * month + 1)).await.unwrap();
    }
    let record = runtime
        .store()
        .lead_record(conversation.lead_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.lead.score, 20);
    runtime.store().close().await;
}

on_both_databases!(
    an_mql_gets_each_touch_once_and_a_re_answer_hands_it_off,
    a_reply_stops_the_sequence,
    decay_lowers_the_score_with_a_stored_reason,
);
