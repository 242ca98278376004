//! The runtime end to end on both databases: dedupe, one transaction per turn, restarts,
//! script versions, hand-offs through the outbox.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use common::{QUALIFYING_ANSWERS, at, english_script, test_key};
use leadbot::engine::Input;
use leadbot::engine::state::Stage;
use leadbot::runtime::{Handled, Inbound, Outcome, ReplyRoute, Runtime, ScriptCatalog};
use leadbot::script::{self, Script};
use leadbot::store::Store;

async fn runtime(url: &str, scripts: Vec<Script>) -> Runtime {
    let store = Store::open(url).await.unwrap();
    Runtime::new(store, ScriptCatalog::new(scripts, None), Some("console"))
}

fn text(address: &str, event: Option<&str>, body: &str, seconds: i64) -> Inbound {
    Inbound::new(
        test_key(address),
        event.map(str::to_string),
        Input::Text(body.into()),
        at(seconds),
    )
}

async fn say(runtime: &Runtime, address: &str, body: &str, seconds: i64) -> Outcome {
    match runtime
        .handle(&text(address, None, body, seconds))
        .await
        .unwrap()
    {
        Handled::Replied(outcome) => *outcome,
        other => panic!("not a turn: {other:?}"),
    }
}

async fn a_full_dialogue_qualifies_and_queues_one_handoff(url: &str) {
    let runtime = runtime(url, vec![english_script()]).await;
    let first = say(&runtime, "dana", "hi", 0).await;
    assert_eq!(first.replies[1].text, "First, what's your name?");
    let mut last = first;
    for (index, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
        last = say(&runtime, "dana", answer, 60 * (index as i64 + 1)).await;
    }
    assert_eq!(last.state.stage, Stage::Sql);
    assert!(last.handoff.is_some());
    let items = runtime
        .store()
        .claim_outbox("console", 10, 1000, at(9999).timestamp_millis())
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind(), "handoff");
    assert_eq!(
        items[0].payload()["lead"]["contact"]["email"],
        "dana@acme.io"
    );
    assert_eq!(items[0].payload()["lead_id"], last.lead_id);
    runtime
        .store()
        .outbox_delivered(items[0].id, at(9999).timestamp_millis())
        .await
        .unwrap();
    // Talking on after the end neither re-qualifies nor queues another hand-off.
    let after = say(&runtime, "dana", "thanks!", 9999).await;
    assert!(after.handoff.is_none());
    assert!(
        runtime
            .store()
            .claim_outbox("console", 10, 1000, at(99_999).timestamp_millis())
            .await
            .unwrap()
            .is_empty()
    );
    runtime.store().close().await;
}

async fn a_retried_event_is_processed_once(url: &str) {
    let runtime = runtime(url, vec![english_script()]).await;
    runtime
        .handle(&text("r", Some("E0"), "hi", 0))
        .await
        .unwrap();
    let first = runtime
        .handle(&text("r", Some("E1"), "Dana", 1))
        .await
        .unwrap();
    assert!(matches!(first, Handled::Replied(_)));
    for retry in 0..3 {
        let again = runtime
            .handle(&text("r", Some("E1"), "Dana", 2 + retry))
            .await
            .unwrap();
        assert_eq!(again, Handled::Duplicate);
    }
    let next = say(&runtime, "r", "Acme", 10).await;
    assert_eq!(next.state.answers.len(), 2, "Dana once, Acme once");
    runtime.store().close().await;
}

async fn a_restarted_process_resumes_the_conversation(url: &str) {
    let runtime_one = runtime(url, vec![english_script()]).await;
    say(&runtime_one, "k", "hi", 0).await;
    say(&runtime_one, "k", "Dana", 1).await;
    runtime_one.store().close().await;
    drop(runtime_one);

    let runtime_two = runtime(url, vec![english_script()]).await;
    let (conversation, _) = runtime_two
        .conversation(&test_key("k"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(conversation.state.pending.as_ref().unwrap().step, "company");
    let outcome = say(&runtime_two, "k", "Acme", 2).await;
    assert_eq!(
        outcome.state.contact.get("company").map(String::as_str),
        Some("Acme")
    );
    runtime_two.store().close().await;
}

async fn a_conversation_finishes_on_the_script_version_it_started_on(url: &str) {
    let v1 = english_script();
    let first = v1.version.clone();
    // No label bump: the edit alone makes it another version.
    let source_v2 = v1.source.replace(
        "Thanks! Which company are you with?",
        "Which organisation do you work for?",
    );
    let v2 = script::parse(&source_v2, std::path::Path::new("saas-en.toml")).unwrap();
    assert_ne!(v2.version, first);
    assert_eq!(v2.label, v1.label);

    let old = runtime(url, vec![v1]).await;
    say(&old, "early", "hi", 0).await;
    old.store().close().await;

    let new = runtime(url, vec![v2]).await;
    let early = say(&new, "early", "Dana", 1).await;
    assert_eq!(early.replies[0].text, "Thanks! Which company are you with?");
    assert_eq!(early.state.script_version, first);
    say(&new, "late", "hi", 2).await;
    let late = say(&new, "late", "Sam", 3).await;
    assert_eq!(late.replies[0].text, "Which organisation do you work for?");
    new.store().close().await;
}

async fn start_over_keeps_history_and_resets_the_dialogue(url: &str) {
    let runtime = runtime(url, vec![english_script()]).await;
    say(&runtime, "s", "hi", 0).await;
    say(&runtime, "s", "Dana", 1).await;
    let stopped = say(&runtime, "s", "stop", 2).await;
    assert_eq!(stopped.state.stage, Stage::OptedOut);
    let fresh = runtime
        .start_over(&test_key("s"), None, at(3), None)
        .await
        .unwrap()
        .into_outcome()
        .unwrap();
    assert_eq!(fresh.state.stage, Stage::Lead);
    assert!(fresh.state.answers.is_empty());
    assert_eq!(
        fresh.lead_id, stopped.lead_id,
        "the same person, the same lead"
    );
    runtime.store().close().await;
}

async fn different_conversations_run_side_by_side(url: &str) {
    let runtime = runtime(url, vec![english_script()]).await;
    let mut tasks = Vec::new();
    for prospect in 0..12 {
        let runtime = runtime.clone();
        tasks.push(tokio::spawn(async move {
            let address = format!("p{prospect}");
            say(&runtime, &address, "hi", 0).await;
            // Twelve people, so twelve e-mail addresses (one address is one lead).
            let email = format!("{address}@acme.io");
            for (index, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
                let answer = if answer.contains('@') {
                    email.as_str()
                } else {
                    answer
                };
                say(&runtime, &address, answer, 60 * (index as i64 + 1)).await;
            }
            say(&runtime, &address, "ok", 9999).await.state.stage
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), Stage::Sql);
    }
    let items = runtime
        .store()
        .claim_outbox("console", 100, 1000, at(99_999).timestamp_millis())
        .await
        .unwrap();
    assert_eq!(items.len(), 12);
    runtime.store().close().await;
}

async fn forgetting_a_lead_erases_the_person_and_keeps_the_funnel(url: &str) {
    let runtime = runtime(url, vec![english_script()]).await;
    say(&runtime, "f", "hi", 0).await;
    let mut last = None;
    for (index, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
        last = Some(say(&runtime, "f", answer, 60 * (index as i64 + 1)).await);
    }
    let lead = last.unwrap().lead_id;
    let store = runtime.store();
    assert!(
        store
            .forget_lead(lead, at(9999).timestamp_millis())
            .await
            .unwrap()
    );
    assert!(!store.forget_lead(999_999, 0).await.unwrap());

    let record = store.lead_record(lead).await.unwrap().unwrap();
    assert!(record.lead.forgotten);
    assert_eq!(record.lead.stage, "sql");
    assert!(record.lead.score > 0);
    assert_eq!(
        (record.lead.name.clone(), record.lead.email.clone()),
        (None, None)
    );
    assert_eq!(record.address, format!("forgotten-{lead}"));
    assert!(record.transcript.iter().all(|m| m.body == "[erased]"));
    assert!(record.answers.iter().all(|a| a.raw == "[erased]"));
    let name = record.answers.iter().find(|a| a.step == "name").unwrap();
    assert_eq!(name.value["kind"], "unparsed");
    let budget = record.answers.iter().find(|a| a.step == "budget").unwrap();
    assert_eq!(
        budget.value["answer"]["amount"], 60000.0,
        "typed answers stay for the funnel"
    );
    assert!(!record.score_events.is_empty());
    assert!(!record.stage_changes.is_empty());
    let everything = serde_json::to_string(&record).unwrap();
    for personal in ["Dana", "Acme", "dana@acme.io"] {
        assert!(
            !everything.contains(personal),
            "{personal} survived: {everything}"
        );
    }
    let sql_leads = store
        .list_leads(&leadbot::store::leads::LeadFilter {
            stage: Some("sql".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(sql_leads.len(), 1, "still counted as an SQL");
    // The person can talk again as a new conversation: the old address is gone.
    assert!(
        runtime
            .conversation(&test_key("f"))
            .await
            .unwrap()
            .is_none()
    );
    store.close().await;
}

async fn replies_for_asynchronous_channels_are_queued_once(url: &str) {
    let runtime = runtime(url, vec![english_script()]).await;
    let route = ReplyRoute {
        destination: "chat-app".into(),
        context: serde_json::json!({"thread": "T1"}),
    };
    let mut hello = text("dana", Some("ev-1"), "hi", 0);
    hello.reply_via = Some(route.clone());
    assert!(matches!(
        runtime.handle(&hello).await.unwrap(),
        Handled::Replied(_)
    ));
    assert_eq!(runtime.handle(&hello).await.unwrap(), Handled::Duplicate);
    let now = at(10).timestamp_millis();
    let items = runtime
        .store()
        .claim_outbox("chat-app", 10, 1000, now)
        .await
        .unwrap();
    let texts: Vec<_> = items
        .iter()
        .map(|item| {
            item.payload()["reply"]["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        texts.len(),
        2,
        "greeting and first question, once: {texts:?}"
    );
    assert_eq!(texts[1], "First, what's your name?");
    assert_eq!(items[0].kind(), "reply");
    assert_eq!(items[0].payload()["context"]["thread"], "T1");
    assert_eq!(items[0].payload()["address"], "dana");
    for item in &items {
        runtime
            .store()
            .outbox_delivered(item.id, now)
            .await
            .unwrap();
    }
    // A restart requested twice (a retried slash command) queues its greeting once.
    for _ in 0..2 {
        runtime
            .start_over(&test_key("dana"), None, at(20), Some((&route, "cmd-1")))
            .await
            .unwrap();
    }
    let again = runtime
        .store()
        .claim_outbox("chat-app", 10, 1000, at(30).timestamp_millis())
        .await
        .unwrap();
    assert_eq!(again.len(), 2);
    runtime.store().close().await;
}

on_both_databases!(
    replies_of_one_conversation_are_sent_in_order,
    replies_for_asynchronous_channels_are_queued_once,
    forgetting_a_lead_erases_the_person_and_keeps_the_funnel,
    a_full_dialogue_qualifies_and_queues_one_handoff,
    a_retried_event_is_processed_once,
    a_restarted_process_resumes_the_conversation,
    a_conversation_finishes_on_the_script_version_it_started_on,
    start_over_keeps_history_and_resets_the_dialogue,
    different_conversations_run_side_by_side,
);

/// Records what it was asked to send; the first attempt of conversation `flaky`'s first
/// reply fails.
struct Recorder {
    sent: std::sync::Mutex<Vec<(i64, i64)>>,
    flaky: i64,
    failed_once: std::sync::atomic::AtomicBool,
}

impl leadbot::delivery::Deliver for Recorder {
    async fn deliver(&self, item: &leadbot::outbox::OutboxItem) -> leadbot::delivery::Attempt {
        let leadbot::outbox::OutboxMessage::Reply(reply) = &item.message else {
            panic!("not a reply: {item:?}");
        };
        let conversation = reply.conversation_id;
        let index = i64::from(reply.index);
        // Later replies must not overtake: give the first one a head start to lose.
        if index == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        if conversation == self.flaky
            && index == 0
            && !self
                .failed_once
                .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return leadbot::delivery::Attempt::Retry {
                after: Some(std::time::Duration::ZERO),
                reason: "HTTP 500".into(),
            };
        }
        self.sent.lock().unwrap().push((conversation, index));
        leadbot::delivery::Attempt::Delivered
    }
}

async fn replies_of_one_conversation_are_sent_in_order(url: &str) {
    let runtime = runtime(url, vec![english_script()]).await;
    let route = ReplyRoute {
        destination: "ordered".into(),
        context: serde_json::Value::Null,
    };
    for who in ["a", "b"] {
        let mut hello = text(who, Some(&format!("{who}-1")), "hi", 0);
        hello.reply_via = Some(route.clone());
        runtime.handle(&hello).await.unwrap();
    }
    let ids: Vec<i64> = runtime
        .store()
        .claim_outbox("ordered", 10, 1, at(0).timestamp_millis())
        .await
        .unwrap()
        .iter()
        .map(|item| item.payload()["conversation_id"].as_i64().unwrap())
        .collect();
    let recorder = Recorder {
        sent: std::sync::Mutex::new(Vec::new()),
        flaky: ids[0],
        failed_once: std::sync::atomic::AtomicBool::new(false),
    };
    let policy = leadbot::delivery::RetryPolicy {
        lease: std::time::Duration::from_millis(1),
        ..Default::default()
    };
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        leadbot::delivery::deliver_due(runtime.store(), "ordered", &recorder, &policy)
            .await
            .unwrap();
    }
    let sent = recorder.sent.lock().unwrap().clone();
    for conversation in [ids[0], ids[2]] {
        let order: Vec<i64> = sent
            .iter()
            .filter(|(c, _)| *c == conversation)
            .map(|(_, index)| *index)
            .collect();
        assert_eq!(order, [0, 1], "conversation {conversation}: {sent:?}");
    }
    runtime.store().close().await;
}
