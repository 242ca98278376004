//! Questions answered, the prospect's language and flood control, end to end on both databases
//! with the shipped scripts: an FAQ question gets its answer and the same question again (no
//! re-ask counted); a question nobody answered reaches the rep in the hand-off and `leads
//! show`; a Korean greeting starts the Korean script and is not taken for a name; "English
//! please" switches mid-dialogue, keeping the answers, and the switch is stored; a flood of 20
//! messages gets one "one moment" and its answers in order, exactly, across two replicas; and
//! the same over the HTTP message API.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::process::Command;

use common::{TWO_EMAIL_REPS, at, conversations_dir, drain_messages as drain, test_key};
use leadbot::engine::Input;
use leadbot::engine::state::Stage;
use leadbot::outbox::OutboxMessage;
use leadbot::runtime::{Handled, Inbound, Outcome, ReplyRoute, Runtime};

async fn runtime(url: &str) -> Runtime {
    let scripts = leadbot::script::load_all(&[conversations_dir()]).unwrap();
    common::team_runtime(url, scripts, TWO_EMAIL_REPS).await
}

/// Replies are queued for destination "chat", as a Slack or Discord turn queues them.
fn route() -> ReplyRoute {
    ReplyRoute {
        destination: "chat".into(),
        context: serde_json::json!({}),
    }
}

fn inbound(address: &str, event: &str, text: &str, seconds: i64) -> Inbound {
    Inbound {
        reply_via: Some(route()),
        ..Inbound::new(
            test_key(address),
            Some(format!("{address}-{event}")),
            Input::Text(text.into()),
            at(seconds),
        )
    }
}

async fn say(runtime: &Runtime, address: &str, text: &str, seconds: i64) -> Outcome {
    let event = format!("{seconds}");
    match runtime
        .handle(&inbound(address, &event, text, seconds))
        .await
        .unwrap()
    {
        Handled::Replied(outcome) => *outcome,
        other => panic!("not a turn: {other:?}"),
    }
}

fn texts(outcome: &Outcome) -> Vec<&str> {
    outcome
        .replies
        .iter()
        .map(|reply| reply.text.as_str())
        .collect()
}

fn reply_texts(messages: &[OutboxMessage]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|message| match message {
            OutboxMessage::Reply(reply) => Some(reply.reply.text.clone()),
            _ => None,
        })
        .collect()
}

async fn an_faq_question_is_answered_and_an_unknown_one_reaches_the_rep(url: &str) {
    let runtime = runtime(url).await;
    say(&runtime, "dana", "hi", 0).await;
    say(&runtime, "dana", "Dana Smith", 60).await;
    let priced = say(&runtime, "dana", "how much is it?", 120).await;
    let company_question = "Thanks! Which company are you with?";
    assert!(
        texts(&priced)[0].starts_with("Plans start at $1,000 a year"),
        "{:?}",
        texts(&priced)
    );
    assert_eq!(texts(&priced)[1], company_question);
    let integrated = say(&runtime, "dana", "do you integrate with Salesforce?", 180).await;
    assert!(texts(&integrated)[0].contains("Salesforce, HubSpot"));
    let secure = say(&runtime, "dana", "is it secure?", 240).await;
    assert!(texts(&secure)[0].contains("SOC 2"));
    assert_eq!(secure.state.pending.as_ref().unwrap().reasks, 0);
    let noted = say(&runtime, "dana", "Do you have an office in Lisbon?", 300).await;
    assert_eq!(
        texts(&noted),
        [
            "Good question — I've noted it for our team, and the person who follows up will answer it.",
            company_question
        ]
    );
    // Three questions and an unknown one at the company question, with two re-asks allowed:
    // none counted, so the next answer is still the company.
    let mut last = noted;
    for (index, answer) in common::QUALIFYING_ANSWERS[1..].iter().enumerate() {
        last = say(&runtime, "dana", answer, 360 + 60 * index as i64).await;
    }
    assert_eq!(last.state.stage, Stage::Sql);
    assert_eq!(last.state.contact.get("company").unwrap(), "Acme Corp");
    assert_eq!(
        last.state.open_questions,
        ["Do you have an office in Lisbon?"]
    );
    let handoff = last.handoff.as_ref().unwrap();
    assert_eq!(handoff.questions, ["Do you have an office in Lisbon?"]);
    let notices = drain(&runtime, "console", 1000).await;
    let notice = notices.iter().find_map(OutboxMessage::as_handoff).unwrap();
    assert_eq!(notice.lead.questions, ["Do you have an office in Lisbon?"]);
    let card = leadbot::notify::notice_text(notice, at(1000));
    assert!(
        card.contains("? Do you have an office in Lisbon?"),
        "{card}"
    );

    let shown = Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .args(["leads", "show", &last.lead_id.to_string()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("asked, for the rep to answer:"), "{shown}");
    assert!(
        shown.contains("? Do you have an office in Lisbon?"),
        "{shown}"
    );
}

async fn the_first_message_picks_the_language_and_a_greeting_is_no_name(url: &str) {
    let runtime = runtime(url).await;
    let korean = say(&runtime, "minji", "안녕하세요", 0).await;
    assert_eq!(korean.state.script_id, "saas-ko");
    assert!(texts(&korean)[0].starts_with("안녕하세요! 👋 노스윈드"));
    assert_eq!(texts(&korean)[1], "먼저 성함이 어떻게 되세요?");
    let again = say(&runtime, "minji", "안녕하세요", 60).await;
    assert!(!again.state.contact.contains_key("name"), "{again:?}");
    let named = say(&runtime, "minji", "김민지입니다", 120).await;
    assert_eq!(named.state.contact.get("name").unwrap(), "김민지");

    // The bot spoke first (a terminal chat, a /qualify command): a first answer in Korean
    // continues in Korean.
    runtime
        .start_over(&test_key("jisoo"), None, at(0), None)
        .await
        .unwrap();
    let answered = say(&runtime, "jisoo", "안녕하세요", 60).await;
    assert_eq!(answered.state.script_id, "saas-ko");
    assert_eq!(
        texts(&answered),
        ["네 — 한국어로 계속할게요.", "먼저 성함이 어떻게 되세요?"]
    );
    assert!(!answered.state.contact.contains_key("name"));

    // A name written in Hangul is the answer, read in Korean.
    runtime
        .start_over(&test_key("minsu"), None, at(0), None)
        .await
        .unwrap();
    let named = say(&runtime, "minsu", "김민수", 60).await;
    assert_eq!(named.state.script_id, "saas-ko");
    assert_eq!(named.state.contact.get("name").unwrap(), "김민수");
    assert_eq!(
        texts(&named),
        [
            "네 — 한국어로 계속할게요.",
            "감사합니다! 어느 회사에 계신가요?"
        ]
    );

    let romanian = say(&runtime, "andrei", "Bună ziua", 0).await;
    assert_eq!(romanian.state.script_id, "saas-ro");
    let english = say(&runtime, "dana", "hello there", 0).await;
    assert_eq!(english.state.script_id, "saas-en");
}

async fn english_please_switches_keeping_the_answers_and_the_switch_is_stored(url: &str) {
    let runtime = runtime(url).await;
    say(&runtime, "minji", "안녕하세요", 0).await;
    say(&runtime, "minji", "김민지", 60).await;
    say(&runtime, "minji", "한빛소프트", 120).await;
    let before = say(&runtime, "minji", "1", 180).await;
    assert_eq!(before.state.pending.as_ref().unwrap().step, "team_size");
    let switched = say(&runtime, "minji", "English please", 240).await;
    let english = runtime.scripts().current("saas-en").unwrap();
    assert_eq!(switched.state.script_id, "saas-en");
    assert_eq!(switched.state.script_version, english.version);
    assert_eq!(
        texts(&switched),
        [
            "Sure — let's continue in English.",
            "How many people would use it?"
        ]
    );
    assert_eq!(switched.state.answers, before.state.answers);
    assert_eq!(switched.state.score, before.state.score);

    // Stored: a fresh read (as another replica would) continues in English.
    let (stored, script) = runtime
        .conversation(&test_key("minji"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.state.script_id.as_str(), &script.version),
        ("saas-en", &english.version)
    );
    let record = runtime
        .store()
        .lead_record(switched.lead_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.lead.script_id, "saas-en");
    let other_replica = self::runtime(url).await;
    let next = say(&other_replica, "minji", "40", 300).await;
    assert_eq!(
        texts(&next),
        ["Roughly what budget do you have for this? A range is fine."]
    );

    // And back: "한국어로" asks the same question in Korean, with every answer kept.
    let back = say(&other_replica, "minji", "한국어로 해주세요", 360).await;
    assert_eq!(back.state.script_id, "saas-ko");
    assert_eq!(back.state.answers.len(), 4);
    assert_eq!(texts(&back)[0], "네 — 한국어로 계속할게요.");
    let mut last = back;
    for (index, answer) in ["연 3천만 원", "다음 달", "네", "minji@hanbit.kr", "1"]
        .iter()
        .enumerate()
    {
        last = say(&other_replica, "minji", answer, 420 + 60 * index as i64).await;
    }
    assert_eq!(last.state.stage, Stage::Sql);
    let path: Vec<&str> = last
        .state
        .answers
        .iter()
        .map(|answer| answer.step.as_str())
        .collect();
    assert_eq!(
        path,
        [
            "name",
            "company",
            "need",
            "team_size",
            "budget",
            "timing",
            "authority",
            "email",
            "region"
        ]
    );
}

async fn a_flood_gets_one_moment_and_its_answers_in_order(url: &str) {
    let runtime = runtime(url).await;
    say(&runtime, "sam", "hi", 0).await;
    say(&runtime, "sam", "Sam Lee", 10).await;
    drain(&runtime, "chat", 11).await;
    let mut replies = Vec::new();
    let mut last = None;
    for index in 0..20 {
        let text = match index {
            0 => "Bolt Ltd",
            1 => "1",
            2 => "40",
            10 => "$60k a year",
            _ => "asdf qwerty",
        };
        let event = format!("flood{index}");
        let outcome = match runtime
            .handle(&inbound("sam", &event, text, 60))
            .await
            .unwrap()
        {
            Handled::Replied(outcome) => *outcome,
            other => panic!("{other:?}"),
        };
        replies.extend(outcome.replies.iter().map(|reply| reply.text.clone()));
        last = Some(outcome);
    }
    let last = last.unwrap();
    let moment = "One moment — I'm reading your messages and will answer them in order.";
    assert_eq!(
        replies.iter().filter(|text| *text == moment).count(),
        1,
        "{replies:#?}"
    );
    let reasks = replies
        .iter()
        .filter(|text| text.starts_with("Sorry, I didn't quite get that."))
        .count();
    assert_eq!(reasks, 1, "only the 4th message was re-asked: {replies:#?}");
    let answered: Vec<&str> = last
        .state
        .answers
        .iter()
        .map(|answer| answer.step.as_str())
        .collect();
    assert_eq!(answered, ["name", "company", "need", "team_size", "budget"]);
    assert_eq!(last.state.pending.as_ref().unwrap().step, "timing");
    assert_eq!(last.state.pending.as_ref().unwrap().reasks, 0);
    // What the channel sends is what the turns said, in the order they said it.
    assert_eq!(reply_texts(&drain(&runtime, "chat", 61).await), replies);
}

/// Two replicas receive 20 identical messages at once: the conversation's turns run one at a
/// time, so exactly one "one moment" goes out, and exactly the re-asks of the first messages.
async fn a_flood_across_two_replicas_is_counted_exactly(url: &str) {
    let first = runtime(url).await;
    let second = runtime(url).await;
    say(&first, "kim", "hi", 0).await;
    say(&first, "kim", "Kim Park", 10).await;
    let mut tasks = Vec::new();
    for index in 0..20 {
        let replica = if index % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tasks.push(tokio::spawn(async move {
            let event = format!("burst{index}");
            replica
                .handle(&inbound("kim", &event, "asdf qwerty", 60))
                .await
                .unwrap()
        }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        if let Some(outcome) = task.await.unwrap().into_outcome() {
            replies.extend(outcome.replies.into_iter().map(|reply| reply.text));
        }
    }
    let moment = "One moment — I'm reading your messages and will answer them in order.";
    assert_eq!(replies.iter().filter(|text| *text == moment).count(), 1);
    // The first message is taken for the company; then two re-asks of the need question, and
    // moving on: four messages answered before the burst is a flood.
    let reasks = replies
        .iter()
        .filter(|text| text.starts_with("Sorry, I didn't quite get that."))
        .count();
    assert_eq!(reasks, 2, "{replies:#?}");
    assert_eq!(
        replies
            .iter()
            .filter(|text| *text == "No problem — let's move on.")
            .count(),
        1
    );
    let queued = reply_texts(&drain(&first, "chat", 61).await);
    assert_eq!(queued.iter().filter(|text| *text == moment).count(), 1);
}

on_both_databases!(
    an_faq_question_is_answered_and_an_unknown_one_reaches_the_rep,
    the_first_message_picks_the_language_and_a_greeting_is_no_name,
    english_please_switches_keeping_the_answers_and_the_switch_is_stored,
    a_flood_gets_one_moment_and_its_answers_in_order,
    a_flood_across_two_replicas_is_counted_exactly,
    the_message_api_answers_in_the_prospects_language,
);

/// The same over the HTTP message API a CRM or web chat uses.
async fn the_message_api_answers_in_the_prospects_language(url: &str) {
    let runtime = runtime(url).await;
    let state = leadbot::http::AppState {
        runtime: runtime.clone(),
        api_token: Some(leadbot::config::Secret::new("api-token".into())),
        booking_secret: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, leadbot::http::app(state)).await });
    let mut bodies = Vec::new();
    for (event, text) in [
        ("e1", "안녕하세요"),
        ("e2", "김민지"),
        ("e3", "가격이 얼마예요?"),
        ("e4", "English please"),
    ] {
        let body = format!(
            r#"{{"channel":"web","conversation":"w1","event_id":"{event}","text":"{text}"}}"#
        );
        let (status, answer) = common::post_json(port, "/api/messages", "api-token", &body)
            .await
            .unwrap();
        assert_eq!(status, 200, "{answer}");
        bodies.push(answer);
    }
    assert!(
        bodies[0].contains("먼저 성함이 어떻게 되세요?"),
        "{}",
        bodies[0]
    );
    assert!(
        bodies[2].contains("소규모 팀은 연 150만 원부터"),
        "{}",
        bodies[2]
    );
    assert!(bodies[2].contains("어느 회사에 계신가요?"), "{}", bodies[2]);
    assert!(
        bodies[3].contains("Thanks! Which company are you with?"),
        "{}",
        bodies[3]
    );
    runtime.store().close().await;
}
