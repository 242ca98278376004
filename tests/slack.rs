//! The Slack channel end to end: the real `leadbot serve` binary receives signed requests in
//! Slack's payload shapes and answers through a fake Slack Web API on 127.0.0.1, reached by
//! slack-morphism's client via `SLACK_API_URL`.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;
mod slack_fake;

use std::time::Duration;

use common::{BOOKING_SECRET, QUALIFYING_ANSWERS, Server, count_rows, drain_outbox, post_booking};
use serde_json::{Value, json};
use slack_fake::{
    BOT_TOKEN, Failure, FakeSlack, SIGNING_SECRET, SlackRequest, block_actions, buttons,
    direct_message, dm_channel, envelope, slack_signature,
};

const DANA: &str = "U0DANA";

/// The reps of these tests: Sam and Omar, both in Slack, always available.
const REPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/slack_fake/reps.toml");

fn slack_server(url: &str, fake: &FakeSlack) -> Server {
    Server::start_with_env(
        url,
        &[
            ("SLACK_BOT_TOKEN", BOT_TOKEN),
            ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
            ("SLACK_API_URL", &fake.api_url()),
            ("LEADBOT_REPS", REPS),
        ],
    )
}

/// A Slack ts `offset` seconds from now, unique per `offset`.
fn ts(offset: i64) -> String {
    format!(
        "{}.{:06}",
        chrono::Utc::now().timestamp() + offset,
        offset.rem_euclid(1_000_000)
    )
}

/// Waits until every Slack outbox item is delivered or given up.
async fn settle(url: &str) {
    drain_outbox(url, "slack").await;
}

/// Posts a signed event envelope with this id, as Slack does, and checks it was acknowledged.
async fn deliver(port: u16, event_id: &str, event: Value) {
    let (status, body) = SlackRequest::event(envelope(event_id, event))
        .send(port)
        .await;
    assert_eq!(status, 200, "{event_id}: {body}");
}

async fn say(port: u16, url: &str, user: &str, text: &str, ts: &str) {
    deliver(port, &format!("Ev{ts}"), direct_message(user, text, ts)).await;
    settle(url).await;
}

async fn replies_queued(url: &str) -> i64 {
    count_rows(url, "outbox WHERE destination = 'slack' AND kind = 'reply'").await
}

async fn a_prospect_qualifies_in_a_direct_message(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    say(server.port, url, DANA, "hi", &ts(0)).await;
    let texts = fake.posted_texts(&dm_channel(DANA));
    assert!(texts.len() >= 2, "{texts:?}");
    assert!(
        texts.iter().any(|text| text.contains("what's your name")),
        "{texts:?}"
    );
    for (turn, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
        say(server.port, url, DANA, answer, &ts(1 + turn as i64)).await;
    }
    assert_eq!(count_rows(url, "leads WHERE stage = 'sql'").await, 1);
    assert_eq!(
        count_rows(url, "answers").await,
        QUALIFYING_ANSWERS.len() as i64
    );
    let (to_dana, to_reps): (Vec<_>, Vec<_>) = fake
        .accepted("chat.postMessage")
        .into_iter()
        .partition(|post| post.body["channel"] == dm_channel(DANA));
    assert_eq!(
        to_dana.len() as i64,
        replies_queued(url).await,
        "each reply posted once"
    );
    assert!(fake.calls().iter().all(|call| call.authorized));
    assert!(
        to_dana
            .iter()
            .all(|post| post.body.get("thread_ts").is_none())
    );
    // The rep the lead was routed to gets one card in their DM, and accepts it.
    assert_eq!(to_reps.len(), 1, "one hand-off card: {to_reps:#?}");
    let card = &to_reps[0];
    let rep = card.body["channel"].as_str().unwrap()[1..].to_string();
    assert!(["U0SAM", "U0OMAR"].contains(&rep.as_str()), "{rep}");
    let rep_name = if rep == "U0SAM" { "Sam" } else { "Omar" };
    assert!(
        to_dana.last().unwrap().body["text"]
            .as_str()
            .unwrap()
            .contains(rep_name)
    );
    let shown = card.body["blocks"].to_string();
    for expected in [
        "Dana Smith",
        "Acme Corp",
        "dana@acme.io",
        "Budget\\n",
        "*Score ",
        "<@U0DANA>",
    ] {
        assert!(shown.contains(expected), "{expected} in {shown}");
    }
    let (accept_id, assignment) = buttons(card)[0].clone();
    assert_eq!(accept_id, "handoff:accept");
    let accept = click(&rep, card, &accept_id, &assignment, &ts(100));
    assert_eq!(accept.send(server.port).await.0, 200);
    settle(url).await;
    let updates = fake.accepted("chat.update");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].body["ts"], card.ts.clone().unwrap().as_str());
    let redrawn = updates[0].body["blocks"].to_string();
    assert!(
        redrawn.contains(&format!("Accepted by <@{rep}>")),
        "{redrawn}"
    );
    assert!(!redrawn.contains("handoff:accept"), "{redrawn}");
    assert!(redrawn.contains("Dana Smith"), "the card stays: {redrawn}");
    assert_eq!(
        count_rows(url, "assignments WHERE status = 'accepted'").await,
        1
    );
    let rep_posts = fake.posted_texts(&dm_channel(&rep));
    assert_eq!(
        rep_posts.len(),
        2,
        "the card, then the acceptance: {rep_posts:?}"
    );
    // A second click (a double click) changes nothing and sends nothing new.
    let again = click(&rep, card, &accept_id, &assignment, &ts(101));
    assert_eq!(again.send(server.port).await.0, 200);
    settle(url).await;
    assert_eq!(fake.posted_texts(&dm_channel(&rep)).len(), 2);
    assert_eq!(
        count_rows(url, "assignments WHERE status = 'accepted'").await,
        1
    );
    // The accepted card has a Close menu: the rep closes the hand-off as won from it.
    assert!(redrawn.contains("handoff:close"), "{redrawn}");
    let accepted_card = fake.accepted("chat.update")[0].body.clone();
    let mut close = block_actions(&rep, card, &accept_id, &assignment, &ts(102));
    close["actions"] = json!([{
        "type": "static_select", "action_id": "handoff:close", "block_id": "close",
        "selected_option": {"text": {"type": "plain_text", "text": "Won"}, "value": format!("{assignment}:won")},
        "placeholder": {"type": "plain_text", "text": "Close as…"}, "action_ts": ts(102),
    }]);
    close["message"]["blocks"] = accepted_card["blocks"].clone();
    assert_eq!(
        SlackRequest::interaction(close).send(server.port).await.0,
        200
    );
    settle(url).await;
    assert_eq!(
        count_rows(url, "outcomes WHERE outcome = 'won'").await,
        1,
        "closed as won from Slack"
    );
    let updates = fake.accepted("chat.update");
    let closed_card = updates.last().unwrap().body["blocks"].to_string();
    assert!(closed_card.contains("Closed by"), "{closed_card}");
    assert!(!closed_card.contains("handoff:close"), "{closed_card}");
    let posts = to_dana;
    // The need question has buttons.
    let need = posts
        .iter()
        .find(|post| {
            buttons(post)
                .first()
                .is_some_and(|(id, _)| id.starts_with("answer:need:"))
        })
        .unwrap();
    assert!(buttons(need).len() >= 2);
    drop(server);
}

/// A server taking booking webhooks, where Dana qualified in her DM; returns it with the
/// hand-off card posted to the rep.
async fn qualified_with_booking_on(url: &str, fake: &FakeSlack) -> (Server, slack_fake::Call) {
    let server = Server::start_with_env(
        url,
        &[
            ("SLACK_BOT_TOKEN", BOT_TOKEN),
            ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
            ("SLACK_API_URL", &fake.api_url()),
            ("LEADBOT_REPS", REPS),
            ("LEADBOT_BOOKING_SECRET", BOOKING_SECRET),
        ],
    );
    say(server.port, url, DANA, "hi", &ts(0)).await;
    for (turn, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
        say(server.port, url, DANA, answer, &ts(1 + turn as i64)).await;
    }
    let card = fake
        .accepted("chat.postMessage")
        .into_iter()
        .find(|post| post.body["channel"] != dm_channel(DANA))
        .unwrap();
    (server, card)
}

/// A meeting booked after the rep accepted shows on their card (chat.update of the card, once
/// however often the provider retries); one booked before anyone answered the card (so its
/// message is not known) comes as a short line in the rep's DM.
async fn a_booked_meeting_shows_on_the_reps_card(url: &str) {
    let fake = FakeSlack::start().await;
    let (server, card) = qualified_with_booking_on(url, &fake).await;
    let rep = card.body["channel"].as_str().unwrap()[1..].to_string();
    let (accept_id, assignment) = buttons(&card)[0].clone();
    let accept = click(&rep, &card, &accept_id, &assignment, &ts(100));
    assert_eq!(accept.send(server.port).await.0, 200);
    settle(url).await;
    assert_eq!(fake.accepted("chat.update").len(), 1, "the acceptance");
    assert_eq!(
        count_rows(url, "handoff_cards").await,
        1,
        "the card is remembered"
    );

    for _ in 0..2 {
        let (status, body) =
            post_booking(server.port, "bk-1", "dana@acme.io", "2026-03-10T15:00:00Z").await;
        assert_eq!(status, 200, "{body}");
        settle(url).await;
    }
    let updates = fake.accepted("chat.update");
    assert_eq!(
        updates.len(),
        2,
        "one update for the meeting, however often it is reported"
    );
    assert_eq!(updates[1].body["ts"], card.ts.clone().unwrap().as_str());
    let shown = updates[1].body["blocks"].to_string();
    assert!(
        shown.contains("Meeting booked for 2026-03-10 15:00 UTC"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("Accepted by <@{rep}>")),
        "the card stays: {shown}"
    );
    assert!(shown.contains("Dana Smith"), "{shown}");
    assert!(
        shown.contains("handoff:close"),
        "the Close menu stays under the meeting: {shown}"
    );
    drop(server);
    // Erasing the person erases the remembered copy of their card.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let lead: i64 = sqlx::query_scalar("SELECT lead_id FROM assignments")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    let store = leadbot::store::Store::open(url).await.unwrap();
    assert!(store.forget_lead(lead, 1).await.unwrap());
    store.close().await;
    assert_eq!(count_rows(url, "handoff_cards").await, 0);
}

async fn a_meeting_on_an_unanswered_card_comes_as_a_dm(url: &str) {
    let fake = FakeSlack::start().await;
    let (server, card) = qualified_with_booking_on(url, &fake).await;
    let rep_dm = card.body["channel"].as_str().unwrap().to_string();
    let (status, body) =
        post_booking(server.port, "bk-2", "dana@acme.io", "2026-03-11T09:30:00Z").await;
    assert_eq!(status, 200, "{body}");
    settle(url).await;
    assert!(fake.accepted("chat.update").is_empty());
    let posts = fake.posted_texts(&rep_dm);
    assert_eq!(posts.len(), 2, "the card, then the meeting: {posts:?}");
    assert!(
        posts[1].contains("Meeting booked for 2026-03-11 09:30 UTC")
            && posts[1].contains("Dana Smith"),
        "{posts:?}"
    );
    drop(server);
}

fn click(
    user: &str,
    post: &slack_fake::Call,
    action_id: &str,
    value: &str,
    action_ts: &str,
) -> SlackRequest<'static> {
    SlackRequest::interaction(block_actions(user, post, action_id, value, action_ts))
}

async fn buttons_answer_the_question_once(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    for (turn, text) in ["hi", QUALIFYING_ANSWERS[0], QUALIFYING_ANSWERS[1]]
        .iter()
        .enumerate()
    {
        say(server.port, url, DANA, text, &ts(turn as i64)).await;
    }
    let posts = fake.accepted("chat.postMessage");
    let question = posts.last().unwrap().clone();
    let (action_id, value) = buttons(&question)[0].clone();
    assert!(action_id.starts_with("answer:need:"), "{action_id}");
    let first = click(DANA, &question, &action_id, &value, &ts(10));
    let (status, _) = first.send(server.port).await;
    assert_eq!(status, 200);
    settle(url).await;
    let updates = fake.accepted("chat.update");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].body["ts"], question.ts.clone().unwrap().as_str());
    let shown = updates[0].body["blocks"].to_string();
    assert!(shown.contains("✅"), "{shown}");
    assert!(
        !shown.contains("\"actions\""),
        "the buttons are gone: {shown}"
    );
    assert_eq!(count_rows(url, "answers").await, 3);
    let after_click = fake.accepted("chat.postMessage").len();
    assert!(after_click > posts.len(), "the next question was asked");
    // The same request again (a replay): nothing. A second click on the old question (a
    // client still showing its buttons): no answer, and the question is shown closed.
    let (status, _) = first.send(server.port).await;
    assert_eq!(status, 200);
    let (status, _) = click(DANA, &question, &action_id, &value, &ts(11))
        .send(server.port)
        .await;
    assert_eq!(status, 200);
    settle(url).await;
    assert_eq!(count_rows(url, "answers").await, 3);
    assert_eq!(fake.accepted("chat.postMessage").len(), after_click);
    let updates = fake.accepted("chat.update");
    assert_eq!(updates.len(), 2, "the late click closed the question");
    let closed = updates[1].body["blocks"].to_string();
    assert!(closed.contains("This question is closed"), "{closed}");
    assert!(!closed.contains("\"actions\""), "{closed}");
    // Free text still answers a choice question.
    say(server.port, url, DANA, QUALIFYING_ANSWERS[3], &ts(12)).await;
    assert_eq!(count_rows(url, "answers").await, 4);
    drop(server);
}

fn channel_message(user: &str, text: &str, ts: &str, thread_ts: Option<&str>) -> Value {
    let mut event = json!({
        "client_msg_id": format!("m-{ts}"), "type": "message", "text": text, "user": user,
        "ts": ts, "team": "T0LEAD", "channel": "C0SALES", "event_ts": ts, "channel_type": "channel",
    });
    if let Some(thread_ts) = thread_ts {
        event["thread_ts"] = json!(thread_ts);
        event["parent_user_id"] = json!("U0BOT");
    }
    event
}

async fn a_mention_in_a_channel_continues_in_its_thread(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    let port = server.port;
    let mention_ts = ts(0);
    let mention = json!({
        "client_msg_id": "m-0", "type": "app_mention", "text": "<@U0BOT> hi there", "user": DANA,
        "ts": mention_ts, "team": "T0LEAD", "channel": "C0SALES", "event_ts": mention_ts,
    });
    deliver(port, "Ev1", mention).await;
    // The same message also arrives as a `message` event.
    let same = channel_message(DANA, "<@U0BOT> hi there", &mention_ts, None);
    deliver(port, "Ev2", same).await;
    settle(url).await;
    let posts = fake.accepted("chat.postMessage");
    assert!(posts.len() >= 2);
    assert!(
        posts.iter().all(|post| post.body["channel"] == "C0SALES"
            && post.body["thread_ts"] == mention_ts.as_str())
    );
    let first_turn = posts.len();
    // Dana answers in the thread; a colleague's message there and a channel message are not
    // leadbot's business.
    let colleague = channel_message(
        "U0COLLEAGUE",
        "I'll let Dana answer",
        &ts(1),
        Some(&mention_ts),
    );
    deliver(port, "Ev3", colleague).await;
    let elsewhere = channel_message(DANA, "lunch?", &ts(2), None);
    deliver(port, "Ev4", elsewhere).await;
    let answer = channel_message(DANA, "Dana Smith", &ts(3), Some(&mention_ts));
    deliver(port, "Ev5", answer).await;
    settle(url).await;
    let posts = fake.accepted("chat.postMessage");
    assert!(posts.len() > first_turn);
    assert!(
        posts
            .iter()
            .all(|post| post.body["thread_ts"] == mention_ts.as_str())
    );
    assert_eq!(count_rows(url, "answers").await, 1);
    assert_eq!(count_rows(url, "conversations").await, 1);
    assert_eq!(count_rows(url, "messages WHERE direction = 'in'").await, 2);
    drop(server);
}

async fn a_retried_event_is_processed_once(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    let event = envelope("Ev42", direct_message(DANA, "hello", &ts(0)));
    let original = SlackRequest::event(event.clone());
    let mut retry = SlackRequest::event(event);
    retry.extra = vec![
        ("X-Slack-Retry-Num", "1".into()),
        ("X-Slack-Retry-Reason", "http_timeout".into()),
    ];
    // The retry races the original, as after an http_timeout; then comes once more.
    let (first, second) = tokio::join!(original.send(server.port), retry.send(server.port));
    assert_eq!((first.0, second.0), (200, 200));
    retry.extra[0].1 = "2".into();
    assert_eq!(retry.send(server.port).await.0, 200);
    settle(url).await;
    assert_eq!(count_rows(url, "messages WHERE direction = 'in'").await, 1);
    let greeting_and_question = replies_queued(url).await;
    assert!(greeting_and_question >= 2);
    assert_eq!(
        fake.accepted("chat.postMessage").len() as i64,
        greeting_and_question
    );
    drop(server);
}

/// The database goes away mid-dialogue: Slack is told the message was not stored (503, and no
/// `X-Slack-No-Retry`), and its retry of the same event after the database is back is
/// answered once, with nothing stored twice.
async fn a_message_that_cannot_be_stored_is_not_acknowledged(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    say(server.port, url, DANA, "hi", &ts(0)).await;
    say(server.port, url, DANA, "Dana Smith", &ts(1)).await;
    let posted_before = fake.accepted("chat.postMessage").len();
    let event = envelope("EvDown", direct_message(DANA, "Acme Corp", &ts(2)));

    let outage = common::Outage::begin(url).await;
    let (status, head, _) = SlackRequest::event(event.clone())
        .send_for_headers(server.port)
        .await;
    assert_eq!(status, 503, "not stored, so not acknowledged");
    assert!(
        !head.contains("x-slack-no-retry"),
        "Slack must retry: {head}"
    );
    outage.end().await;

    let mut retry = SlackRequest::event(event);
    retry.extra = vec![
        ("X-Slack-Retry-Num", "1".into()),
        ("X-Slack-Retry-Reason", "http_error".into()),
    ];
    assert_eq!(retry.send(server.port).await.0, 200, "the retry is stored");
    retry.extra[0].1 = "2".into();
    assert_eq!(retry.send(server.port).await.0, 200, "and not again");
    settle(url).await;
    assert_eq!(
        count_rows(
            url,
            "messages WHERE direction = 'in' AND body = 'Acme Corp'"
        )
        .await,
        1
    );
    assert_eq!(count_rows(url, "answers").await, 2, "name and company");
    assert_eq!(
        fake.accepted("chat.postMessage").len() as i64,
        replies_queued(url).await,
        "each reply posted once"
    );
    assert!(fake.accepted("chat.postMessage").len() > posted_before);
    drop(server);
}

/// A rep passes from a shell that has no Slack token: the next rep still gets the Slack card,
/// because where notices go is what the serving deployment delivers, recorded by `serve`.
async fn a_pass_from_a_shell_without_tokens_still_reaches_the_next_rep_in_slack(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    say(server.port, url, DANA, "hi", &ts(0)).await;
    for (turn, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
        say(server.port, url, DANA, answer, &ts(1 + turn as i64)).await;
    }
    let first: Vec<_> = fake
        .accepted("chat.postMessage")
        .into_iter()
        .filter(|post| post.body["channel"] != dm_channel(DANA))
        .collect();
    assert_eq!(first.len(), 1, "one card for the first rep");
    let first_rep = first[0].body["channel"].as_str().unwrap()[1..].to_string();
    let (rep_id, next_user) = if first_rep == "U0SAM" {
        ("sam", "U0OMAR")
    } else {
        ("omar", "U0SAM")
    };
    let (_, assignment) = buttons(&first[0])[0].clone();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .args(["handoff", "--database", url, "--reps", REPS])
        .args(["pass", &assignment, "--rep", rep_id])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SLACK_BOT_TOKEN")
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let next_dm = format!("D{next_user}");
    fake.wait_for("the next rep's card", |calls| {
        calls.iter().any(|call| {
            call.method == "chat.postMessage"
                && call.status == 200
                && call.body["channel"] == next_dm
        })
    })
    .await;
    settle(url).await;
    assert_eq!(
        count_rows(
            url,
            "outbox WHERE destination = 'slack' AND kind = 'handoff'"
        )
        .await,
        3,
        "assigned to the first, withdrawn from the first, assigned to the next"
    );
    drop(server);
}

async fn forged_and_stale_requests_are_refused(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    let port = server.port;
    let body = envelope("Ev7", direct_message(DANA, "hi", &ts(0))).to_string();
    let mut forged = SlackRequest::signed("/slack/events", "application/json", body.clone());
    forged.signature = slack_signature("not-the-secret", forged.timestamp, &body);
    assert_eq!(forged.send(port).await.0, 401);
    let mut tampered = SlackRequest::signed("/slack/events", "application/json", body.clone());
    tampered.body = body.replace("hi", "ho");
    assert_eq!(tampered.send(port).await.0, 401);
    let stale_at = chrono::Utc::now().timestamp() - 6 * 60;
    let mut stale = SlackRequest::signed("/slack/events", "application/json", body.clone());
    stale.timestamp = stale_at;
    stale.signature = slack_signature(SIGNING_SECRET, stale_at, &body);
    assert_eq!(stale.send(port).await.0, 401);
    let mut unsigned = SlackRequest::signed("/slack/events", "application/json", body.clone());
    unsigned.signature = String::new();
    assert_eq!(unsigned.send(port).await.0, 401);
    for path in ["/slack/interactions", "/slack/commands"] {
        let mut forged = SlackRequest::signed(
            path,
            "application/x-www-form-urlencoded",
            "payload=%7B%7D".into(),
        );
        forged.signature = slack_signature("not-the-secret", forged.timestamp, &forged.body);
        assert_eq!(forged.send(port).await.0, 401, "{path}");
    }
    // A signed body that is not an event is refused, not processed.
    let garbage = SlackRequest::signed("/slack/events", "application/json", "not json".into());
    assert_eq!(garbage.send(port).await.0, 400);
    // A correctly signed url_verification is answered with its challenge.
    let challenge = json!({"token": "t", "challenge": "c-123", "type": "url_verification"});
    let (status, answer) = SlackRequest::event(challenge).send(port).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&answer).unwrap()["challenge"],
        "c-123"
    );
    assert_eq!(count_rows(url, "processed_events").await, 0);
    assert!(fake.calls().is_empty());
    drop(server);
}

async fn bot_and_edited_messages_are_ignored(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    let t = ts(0);
    let events = [
        json!({"type": "message", "subtype": "bot_message", "text": "Hi! I'm the bot", "ts": t,
               "bot_id": "B0LEAD", "channel": dm_channel(DANA), "event_ts": t, "channel_type": "im"}),
        json!({"type": "message", "text": "another bot", "ts": ts(1), "user": "U0OTHERBOT",
               "bot_id": "B0OTHER", "app_id": "A0OTHER", "channel": dm_channel(DANA), "event_ts": ts(1), "channel_type": "im"}),
        json!({"type": "message", "subtype": "message_changed", "hidden": true, "channel": dm_channel(DANA),
               "ts": ts(2), "event_ts": ts(2), "channel_type": "im",
               "message": {"type": "message", "user": DANA, "text": "edited", "ts": t, "edited": {"user": DANA, "ts": ts(2)}},
               "previous_message": {"type": "message", "user": DANA, "text": "hi", "ts": t}}),
        json!({"type": "message", "subtype": "message_deleted", "hidden": true, "channel": dm_channel(DANA),
               "ts": ts(3), "deleted_ts": t, "event_ts": ts(3), "channel_type": "im",
               "previous_message": {"type": "message", "user": DANA, "text": "hi", "ts": t}}),
    ];
    for (index, event) in events.into_iter().enumerate() {
        deliver(server.port, &format!("EvBot{index}"), event).await;
    }
    // A 200 means whatever the event caused is stored, and leadbot talks to Slack only through
    // the outbox: with the outbox drained, nothing was recorded, queued or sent.
    settle(url).await;
    assert_eq!(count_rows(url, "messages").await, 0);
    assert_eq!(count_rows(url, "outbox").await, 0);
    assert!(fake.calls().is_empty());
    // The same server answers Dana's own message, and only that.
    say(server.port, url, DANA, "hi", &ts(4)).await;
    assert_eq!(count_rows(url, "messages WHERE direction = 'in'").await, 1);
    let calls = fake.calls();
    assert!(!calls.is_empty());
    assert!(
        calls
            .iter()
            .all(|call| call.method == "chat.postMessage"
                && call.body["channel"] == dm_channel(DANA)),
        "{calls:#?}"
    );
    assert_eq!(calls.len() as i64, replies_queued(url).await);
    drop(server);
}

async fn rate_limits_and_server_errors_are_retried_in_order(url: &str) {
    let fake = FakeSlack::start().await;
    fake.fail_next(
        "chat.postMessage",
        &[Failure::RateLimited(1), Failure::ServerError],
    );
    let server = slack_server(url, &fake);
    say(server.port, url, DANA, "hi", &ts(0)).await;
    let calls: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|call| call.method == "chat.postMessage")
        .collect();
    assert_eq!(calls[0].status, 429);
    let retried = calls.iter().position(|call| call.status == 500).unwrap();
    assert!(
        calls[retried].at.duration_since(calls[0].at) >= Duration::from_secs(1),
        "Retry-After is honoured"
    );
    let accepted = fake.posted_texts(&dm_channel(DANA));
    assert_eq!(
        accepted.len() as i64,
        replies_queued(url).await,
        "each reply once"
    );
    assert!(
        accepted[0].starts_with("Hi"),
        "the greeting stays first: {accepted:?}"
    );
    assert!(accepted.last().unwrap().contains("name"), "{accepted:?}");
    assert_eq!(
        count_rows(
            url,
            "outbox WHERE status = 'delivered' AND destination = 'slack'"
        )
        .await,
        accepted.len() as i64
    );
    drop(server);
}

async fn a_restart_mid_dialogue_resumes(url: &str) {
    let fake = FakeSlack::start().await;
    let mut server = slack_server(url, &fake);
    say(server.port, url, DANA, "hi", &ts(0)).await;
    say(server.port, url, DANA, QUALIFYING_ANSWERS[0], &ts(1)).await;
    server.kill_9();
    let server = slack_server(url, &fake);
    for (turn, answer) in QUALIFYING_ANSWERS.iter().enumerate().skip(1) {
        say(server.port, url, DANA, answer, &ts(1 + turn as i64)).await;
    }
    assert_eq!(count_rows(url, "leads WHERE stage = 'sql'").await, 1);
    assert_eq!(count_rows(url, "conversations").await, 1);
    let texts = fake.posted_texts(&dm_channel(DANA));
    assert_eq!(
        texts
            .iter()
            .filter(|text| text.contains("what's your name"))
            .count(),
        1,
        "{texts:?}"
    );
    assert_eq!(texts.len() as i64, replies_queued(url).await);
    drop(server);
}

async fn the_slash_command_starts_over_in_a_dm(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    let fields = [
        ("token", "legacy-verification-token"),
        ("team_id", "T0LEAD"),
        ("team_domain", "acme"),
        ("channel_id", "C0SALES"),
        ("channel_name", "sales"),
        ("user_id", DANA),
        ("user_name", "dana"),
        ("command", "/qualify"),
        ("text", ""),
        ("api_app_id", "A0LEAD"),
        ("response_url", "https://hooks.invalid/commands/1"),
        ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
    ];
    let request = SlackRequest::command(&fields);
    let (status, body) = request.send(server.port).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["response_type"], "ephemeral");
    settle(url).await;
    let opened = fake.accepted("conversations.open");
    assert!(!opened.is_empty());
    assert!(opened[0].body["users"].to_string().contains(DANA));
    assert_eq!(
        count_rows(url, "lead_sources WHERE source = 'slack:/qualify'").await,
        1,
        "the slash command is the lead's source"
    );
    let greeted = fake.posted_texts(&dm_channel(DANA)).len();
    assert!(greeted >= 2);
    // The same command delivery again does nothing; a new one starts over.
    request.send(server.port).await;
    settle(url).await;
    assert_eq!(fake.posted_texts(&dm_channel(DANA)).len(), greeted);
    let mut again = fields;
    again[11].1 = "99999.1.again";
    let (_, body) = SlackRequest::command(&again).send(server.port).await;
    assert!(body.contains("ephemeral"));
    settle(url).await;
    assert_eq!(fake.posted_texts(&dm_channel(DANA)).len(), 2 * greeted);
    let mut unknown = fields;
    unknown[7].1 = "/weather";
    let (_, body) = SlackRequest::command(&unknown).send(server.port).await;
    assert!(body.contains("don't know"), "{body}");
    drop(server);
}

/// Messages sent while no leadbot process ran (Slack stops retrying after about six minutes):
/// read from the DM's history when the Slack channel starts, handled once, in order, and
/// answered; a second start answers nothing twice.
async fn messages_sent_while_leadbot_was_down_are_caught_up_in_order(url: &str) {
    let fake = FakeSlack::start().await;
    let mut server = slack_server(url, &fake);
    say(server.port, url, DANA, "hi", &ts(0)).await;
    say(server.port, url, DANA, QUALIFYING_ANSWERS[0], &ts(1)).await;
    assert!(server.terminate().success());
    let dm = dm_channel(DANA);
    fake.write_in_history(&dm, DANA, QUALIFYING_ANSWERS[1], &ts(2), None);
    fake.write_in_history(&dm, DANA, QUALIFYING_ANSWERS[2], &ts(3), None);
    fake.write_in_history(&dm, "U0SOMEONE", "not Dana", &ts(4), None);
    let posted_before = fake.post_count(&dm);

    let server = slack_server(url, &fake);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while count_rows(url, "answers").await < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the missed answers were not caught up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    settle(url).await;
    let steps: Vec<String> = {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(url).await.unwrap();
        let steps = sqlx::query_scalar("SELECT step FROM answers ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        steps
    };
    assert_eq!(steps, ["name", "company", "need"], "in the order written");
    let texts = fake.posted_texts(&dm);
    assert!(
        texts.len() > posted_before,
        "the caught-up answers were replied to"
    );
    assert!(
        texts.last().unwrap().contains("How many people"),
        "the next question: {texts:?}"
    );
    let history_reads = fake.history_calls();
    assert!(
        history_reads
            .iter()
            .any(|(method, query)| method == "conversations.history"
                && query.get("channel") == Some(&dm)),
        "{history_reads:?}"
    );

    // A second start reads again, finds nothing new, and answers nothing twice.
    drop(server);
    let posted = fake.post_count(&dm);
    let reads = fake.history_calls().len();
    let server = slack_server(url, &fake);
    fake.wait_for("the second start's history read", |_| {
        fake.history_calls().len() > reads
    })
    .await;
    settle(url).await;
    assert_eq!(fake.post_count(&dm), posted);
    assert_eq!(count_rows(url, "answers").await, 3);
    drop(server);
}

on_both_databases!(
    a_booked_meeting_shows_on_the_reps_card,
    a_meeting_on_an_unanswered_card_comes_as_a_dm,
    a_message_that_cannot_be_stored_is_not_acknowledged,
    messages_sent_while_leadbot_was_down_are_caught_up_in_order,
    a_pass_from_a_shell_without_tokens_still_reaches_the_next_rep_in_slack,
    a_prospect_qualifies_in_a_direct_message,
    a_restart_mid_dialogue_resumes,
    a_retried_event_is_processed_once,
);

mod sqlite_only {
    macro_rules! on_sqlite {
        ($($name:ident),* $(,)?) => {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let db = crate::common::TestDb::sqlite();
                    super::$name(&db.url).await;
                    db.finish().await;
                }
            )*
        };
    }
    on_sqlite!(
        buttons_answer_the_question_once,
        a_mention_in_a_channel_continues_in_its_thread,
        forged_and_stale_requests_are_refused,
        bot_and_edited_messages_are_ignored,
        rate_limits_and_server_errors_are_retried_in_order,
        the_slash_command_starts_over_in_a_dm,
    );
}
