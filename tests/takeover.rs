//! A person when the prospect asks for one, end to end on both databases: the script pauses,
//! the lead is routed as a takeover with the conversation so far, the prospect's words reach
//! the rep, the rep's answers reach the prospect (split, mass mentions defused), the hand-back
//! resumes the script without scoring anything twice; outside hours the prospect hears when a
//! person is back.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use common::{QUALIFYING_ANSWERS, at, drain_messages as drain, english_script, test_key};
use leadbot::engine::Input;
use leadbot::engine::state::Stage;
use leadbot::notify::{HandOffNotice, NoticeEvent};
use leadbot::outbox::OutboxMessage;
use leadbot::runtime::{Handled, Inbound, Outcome, RepIdentity, ReplyRoute, Runtime, RuntimeError};

/// Both reps work 09:00–17:00 UTC on weekdays.
const OFFICE_HOURS: &str = r#"
[fallback]
name = "Sales desk"
email = "desk@x.io"
[[pools]]
id = "default"
reps = ["ana"]
[[reps]]
id = "ana"
name = "Ana"
email = "ana@x.io"
time_zone = "UTC"
hours = ["mon-fri 09:00-17:00"]
"#;

async fn runtime(url: &str, team: &str) -> Runtime {
    common::team_runtime(url, vec![english_script()], team).await
}

/// The prospect's channel in these tests: replies are queued for destination "chat".
fn route() -> ReplyRoute {
    ReplyRoute {
        destination: "chat".into(),
        context: serde_json::json!({}),
    }
}

async fn say(runtime: &Runtime, text: &str, seconds: i64) -> Outcome {
    let inbound = Inbound {
        reply_via: Some(route()),
        ..Inbound::new(
            test_key("dana"),
            Some(format!("e{seconds}")),
            Input::Text(text.into()),
            at(seconds),
        )
    };
    match runtime.handle(&inbound).await.unwrap() {
        Handled::Replied(outcome) => *outcome,
        other => panic!("not a turn: {other:?}"),
    }
}

fn notices(messages: &[OutboxMessage]) -> Vec<&HandOffNotice> {
    messages
        .iter()
        .filter_map(OutboxMessage::as_handoff)
        .collect()
}

fn texts(messages: &[OutboxMessage]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|message| match message {
            OutboxMessage::Reply(reply) => Some(reply.reply.text.clone()),
            _ => None,
        })
        .collect()
}

async fn a_rep_takes_over_answers_and_hands_back_without_double_scoring(url: &str) {
    let runtime = runtime(url, common::TWO_EMAIL_REPS).await;
    say(&runtime, "hi", 0).await;
    say(&runtime, QUALIFYING_ANSWERS[0], 10).await;
    let asked = say(&runtime, "Can I talk to a human please?", 20).await;
    assert_eq!(
        asked.state.stage,
        Stage::Lead,
        "below SQL, still a takeover"
    );
    assert!(asked.state.human_since.is_some());
    let lead = asked.lead_id;
    let offered = drain(&runtime, "console", 21).await;
    let offered = notices(&offered);
    assert_eq!(offered.len(), 1, "{offered:?}");
    assert_eq!(offered[0].event, NoticeEvent::Assigned);
    assert_eq!(offered[0].rep.as_ref().unwrap().id, "ana");
    let transcript = offered[0].takeover.as_ref().unwrap();
    assert!(
        transcript.contains(&format!("prospect: {}", QUALIFYING_ANSWERS[0])),
        "{transcript:?}"
    );
    assert_eq!(
        transcript.last().unwrap(),
        "prospect: Can I talk to a human please?"
    );

    // What the prospect says now is for Ana, not for the script.
    let during = say(
        &runtime,
        "Our budget is $60k a year, starting next month",
        30,
    )
    .await;
    assert!(during.replies.is_empty(), "{:?}", during.replies);
    assert!(during.state.answers.len() == 1, "only the name so far");
    let relayed = drain(&runtime, "console", 31).await;
    let relayed = notices(&relayed);
    assert_eq!(relayed.len(), 1);
    assert_eq!(relayed[0].event, NoticeEvent::Message);
    assert_eq!(
        relayed[0].note.as_deref(),
        Some("Our budget is $60k a year, starting next month")
    );

    // Ana answers; a mass mention is never echoed; a long answer is split.
    drain(&runtime, "chat", 32).await;
    let sent = runtime
        .reply_as_rep(
            lead,
            &RepIdentity::Id("ana".into()),
            "Hi Dana! @everyone <!channel>",
            Some("r1"),
            at(40),
        )
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let again = runtime
        .reply_as_rep(
            lead,
            &RepIdentity::Id("ana".into()),
            "Hi Dana! @everyone <!channel>",
            Some("r1"),
            at(41),
        )
        .await
        .unwrap();
    assert_eq!(again, 1);
    let to_prospect = texts(&drain(&runtime, "chat", 42).await);
    assert_eq!(
        to_prospect.len(),
        1,
        "a retried request is sent once: {to_prospect:?}"
    );
    assert!(to_prospect[0].starts_with("Ana: Hi Dana!"));
    assert!(!to_prospect[0].contains("@everyone") && !to_prospect[0].contains("<!channel>"));
    let long = "All the details you asked for. ".repeat(1300);
    assert!(long.len() > 40_000);
    let pieces = runtime
        .reply_as_rep(lead, &RepIdentity::Id("ana".into()), &long, None, at(50))
        .await
        .unwrap();
    let long_sent = texts(&drain(&runtime, "chat", 51).await);
    assert_eq!(long_sent.len(), pieces);
    assert!(pieces >= 10, "{pieces}");
    assert!(long_sent.iter().all(|piece| piece.chars().count() <= 4000));
    let unknown = runtime
        .reply_as_rep(lead, &RepIdentity::Id("zoe".into()), "hi", None, at(52))
        .await;
    assert!(
        matches!(unknown, Err(RuntimeError::UnknownRep(_))),
        "{unknown:?}"
    );

    // Handed back: the script asks its question again and goes on from there.
    assert!(runtime.hand_back(lead, at(60)).await.unwrap());
    assert!(!runtime.hand_back(lead, at(61)).await.unwrap(), "once");
    let resumed = texts(&drain(&runtime, "chat", 62).await);
    assert_eq!(resumed.len(), 2, "{resumed:?}");
    assert_eq!(resumed[1], "Thanks! Which company are you with?");
    let late = runtime
        .reply_as_rep(
            lead,
            &RepIdentity::Id("ana".into()),
            "one more thing",
            None,
            at(63),
        )
        .await;
    assert!(
        matches!(late, Err(RuntimeError::NotWithARep(_))),
        "{late:?}"
    );
    let mut last = None;
    for (index, answer) in QUALIFYING_ANSWERS.iter().enumerate().skip(1) {
        last = Some(say(&runtime, answer, 100 + index as i64 * 10).await);
    }
    let last = last.unwrap();
    assert_eq!(last.state.stage, Stage::Sql);
    assert_eq!(
        last.state.answers.len(),
        QUALIFYING_ANSWERS.len(),
        "what Dana told Ana was not scored as answers"
    );
    let record = runtime.store().lead_record(lead).await.unwrap().unwrap();
    assert_eq!(record.answers.len(), QUALIFYING_ANSWERS.len());
    assert!(
        record
            .transcript
            .iter()
            .any(|line| line.body.starts_with("Ana: Hi Dana!")),
        "the rep's words are in the transcript"
    );
    runtime.store().close().await;
}

async fn outside_hours_the_prospect_hears_when_a_person_is_back(url: &str) {
    let runtime = runtime(url, OFFICE_HOURS).await;
    // at(0) is Wednesday 4 March 2026, 08:00 UTC (10:00 at the prospect's +02:00).
    say(&runtime, "hi", 0).await;
    let asked = say(&runtime, "/human", 10).await;
    let told: Vec<&str> = asked
        .replies
        .iter()
        .map(|reply| reply.text.as_str())
        .collect();
    assert_eq!(told.len(), 2, "{told:?}");
    assert_eq!(
        told[1],
        "Our team is away right now; a person will be back on Wednesday 4 March at 11:00 (UTC+02:00) and will answer you right here."
    );
    let offered = drain(&runtime, "console", 11).await;
    let offered = notices(&offered);
    assert_eq!(offered[0].event, NoticeEvent::Unassigned);
    assert!(offered[0].takeover.is_some());
    runtime.store().close().await;
}

on_both_databases!(
    a_rep_takes_over_answers_and_hands_back_without_double_scoring,
    outside_hours_the_prospect_hears_when_a_person_is_back,
);
