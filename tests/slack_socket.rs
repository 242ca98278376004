//! The Slack channel over Socket Mode, end to end: the real `leadbot serve` binary, given an
//! app-level token, opens its connections through the fake Web API's `apps.connections.open`,
//! receives envelopes from a fake Socket Mode server on 127.0.0.1, acknowledges them there and
//! answers through the fake Web API.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;
mod slack_fake;

use std::sync::atomic::{AtomicU32, Ordering};

use common::{QUALIFYING_ANSWERS, Server, count_rows};
use serde_json::json;
use slack_fake::socket::{FakeSocketMode, disconnect, events_api, interactive, slash_commands};
use slack_fake::{
    APP_TOKEN, BOT_TOKEN, FakeSlack, SIGNING_SECRET, block_actions, buttons, direct_message,
    dm_channel, envelope,
};

const DANA: &str = "U0DANA";

/// The reps of these tests: Sam and Omar, both in Slack, always available.
const REPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/slack_fake/reps.toml");

/// The fake Web API and the fake Socket Mode server it sends clients to.
async fn fakes() -> (FakeSlack, FakeSocketMode) {
    let web = FakeSlack::start().await;
    let socket = FakeSocketMode::start(&web).await;
    (web, socket)
}

fn socket_mode_server(url: &str, web: &FakeSlack) -> Server {
    Server::start_with_env(
        url,
        &[
            ("SLACK_BOT_TOKEN", BOT_TOKEN),
            ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
            ("SLACK_APP_TOKEN", APP_TOKEN),
            ("SLACK_API_URL", &web.api_url()),
            ("LEADBOT_REPS", REPS),
        ],
    )
}

/// A Slack ts of now, different from every one before in this test process (leadbot knows a
/// message by its channel and ts).
fn ts() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!(
        "{}.{:06}",
        chrono::Utc::now().timestamp(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// Waits until every Slack outbox item is delivered or given up.
async fn settle(url: &str) {
    common::drain_outbox(url, "slack").await;
}

/// Sends Dana's direct message as envelope `envelope_id` (event `event_id`) on connection
/// `on`; checks it is acknowledged on that connection with a bare ack.
async fn say(socket: &FakeSocketMode, on: usize, envelope_id: &str, event_id: &str, text: &str) {
    let payload = envelope(event_id, direct_message(DANA, text, &ts()));
    socket.send(on, &events_api(envelope_id, 0, payload));
    let (acked_on, ack) = socket.ack(envelope_id).await;
    assert_eq!(acked_on, on);
    assert_eq!(ack, json!({ "envelope_id": envelope_id }));
}

/// Waits until Dana's DM has more than `after` posts.
async fn answered(web: &FakeSlack, after: usize) {
    web.wait_for(&format!("post number {} to Dana", after + 1), |_| {
        web.post_count(&dm_channel(DANA)) > after
    })
    .await;
}

fn greetings(web: &FakeSlack) -> usize {
    web.posted_texts(&dm_channel(DANA))
        .iter()
        .filter(|text| text.contains("what's your name"))
        .count()
}

async fn a_direct_message_is_acknowledged_and_answered(url: &str) {
    let (web, socket) = fakes().await;
    let server = socket_mode_server(url, &web);
    socket.connected(0).await;
    let opened = web.accepted("apps.connections.open");
    assert!(
        opened.iter().all(|call| call.authorized),
        "apps.connections.open with the app-level token: {opened:#?}"
    );
    say(&socket, 0, "env-hi", "EvHi", "hi").await;
    answered(&web, 0).await;
    settle(url).await;
    assert_eq!(greetings(&web), 1);
    assert_eq!(socket.acks_of("env-hi").len(), 1, "acknowledged once");
    drop(server);
}

/// The database goes away: an envelope whose turn was not stored is left unacknowledged, so
/// Slack delivers it again; the redelivery after the database is back is acknowledged and
/// answered once.
async fn an_envelope_that_was_not_stored_is_not_acknowledged(url: &str) {
    let (web, socket) = fakes().await;
    let server = socket_mode_server(url, &web);
    socket.connected(0).await;
    say(&socket, 0, "env-hi", "EvHi", "hi").await;
    answered(&web, 0).await;
    settle(url).await;
    let greeted = web.post_count(&dm_channel(DANA));
    let name = envelope("EvName", direct_message(DANA, QUALIFYING_ANSWERS[0], &ts()));
    let outage = common::Outage::begin(url).await;
    socket.send(0, &events_api("env-down", 0, name.clone()));
    // A connection handles its envelopes in order: once the next one is acknowledged, the
    // first was handled.
    socket.send(
        0,
        &json!({"envelope_id": "env-probe", "type": "something_new", "payload": {}}),
    );
    socket.ack("env-probe").await;
    outage.end().await;
    assert!(
        socket.acks_of("env-down").is_empty(),
        "not stored, so not acknowledged"
    );
    socket.send(0, &events_api("env-again", 1, name));
    socket.ack("env-again").await;
    answered(&web, greeted).await;
    settle(url).await;
    assert_eq!(count_rows(url, "answers").await, 1);
    assert_eq!(
        count_rows(url, "messages WHERE direction = 'in'").await,
        2,
        "hi and the name, each once"
    );
    drop(server);
}

async fn a_redelivered_envelope_is_acknowledged_but_answered_once(url: &str) {
    let (web, socket) = fakes().await;
    let server = socket_mode_server(url, &web);
    socket.connected(0).await;
    say(&socket, 0, "env-hi", "EvHi", "hi").await;
    answered(&web, 0).await;
    settle(url).await;
    let greeted = web.post_count(&dm_channel(DANA));
    let name = envelope("EvName", direct_message(DANA, QUALIFYING_ANSWERS[0], &ts()));
    socket.send(0, &events_api("env-name", 0, name.clone()));
    socket.ack("env-name").await;
    answered(&web, greeted).await;
    settle(url).await;
    let posts = web.post_count(&dm_channel(DANA));
    assert_eq!(count_rows(url, "answers").await, 1);
    // Slack redelivers the same event (it saw no ack in time): acknowledged, not run again.
    socket.send(0, &events_api("env-name-again", 1, name));
    let (_, ack) = socket.ack("env-name-again").await;
    assert_eq!(ack, json!({"envelope_id": "env-name-again"}));
    settle(url).await;
    assert_eq!(count_rows(url, "answers").await, 1);
    assert_eq!(web.post_count(&dm_channel(DANA)), posts);
    drop(server);
}

async fn after_a_disconnect_it_reconnects_and_goes_on(url: &str) {
    let (web, socket) = fakes().await;
    let server = socket_mode_server(url, &web);
    // leadbot keeps two connections; the second opens a few seconds after the first.
    socket.connected(0).await;
    socket.connected(1).await;
    assert_eq!(web.accepted("apps.connections.open").len(), 2);
    socket.send(0, &disconnect("refresh_requested"));
    socket.connected(2).await;
    assert_eq!(web.accepted("apps.connections.open").len(), 3);
    socket.closed_by_client(0).await;
    say(&socket, 2, "env-after", "EvAfter", "hi").await;
    answered(&web, 0).await;
    settle(url).await;
    // The other connection still works too.
    let before = web.post_count(&dm_channel(DANA));
    say(&socket, 1, "env-other", "EvOther", QUALIFYING_ANSWERS[0]).await;
    answered(&web, before).await;
    settle(url).await;
    assert_eq!(count_rows(url, "answers").await, 1);
    assert_eq!(socket.connection_count(), 3);
    drop(server);
}

async fn clicks_and_slash_commands_work_over_socket_mode(url: &str) {
    let (web, socket) = fakes().await;
    let server = socket_mode_server(url, &web);
    socket.connected(0).await;
    for (turn, text) in ["hi", QUALIFYING_ANSWERS[0], QUALIFYING_ANSWERS[1]]
        .iter()
        .enumerate()
    {
        let before = web.post_count(&dm_channel(DANA));
        say(
            &socket,
            0,
            &format!("env-{turn}"),
            &format!("Ev{turn}"),
            text,
        )
        .await;
        answered(&web, before).await;
        settle(url).await;
    }
    let question = web.accepted("chat.postMessage").last().unwrap().clone();
    let (action_id, value) = buttons(&question)[0].clone();
    assert!(action_id.starts_with("answer:need:"), "{action_id}");
    let asked = web.post_count(&dm_channel(DANA));
    let click = block_actions(DANA, &question, &action_id, &value, &ts());
    socket.send(0, &interactive("env-click", click));
    let (_, ack) = socket.ack("env-click").await;
    assert_eq!(ack, json!({"envelope_id": "env-click"}));
    web.wait_for("the clicked question redrawn", |calls| {
        calls.iter().any(|call| call.method == "chat.update")
    })
    .await;
    answered(&web, asked).await;
    settle(url).await;
    let updates = web.accepted("chat.update");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].body["ts"], question.ts.clone().unwrap().as_str());
    assert!(updates[0].body["blocks"].to_string().contains("✅"));
    assert_eq!(count_rows(url, "answers").await, 3);

    let command = json!({
        "token": "legacy-verification-token", "team_id": "T0LEAD", "team_domain": "acme",
        "channel_id": "C0SALES", "channel_name": "sales", "user_id": DANA, "user_name": "dana",
        "command": "/qualify", "text": "", "api_app_id": "A0LEAD", "is_enterprise_install": "false",
        "response_url": "https://hooks.invalid/commands/1",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    });
    socket.send(0, &slash_commands("env-command", command));
    let (_, ack) = socket.ack("env-command").await;
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    assert!(
        ack["payload"]["text"]
            .as_str()
            .unwrap()
            .contains("direct message"),
        "{ack}"
    );
    web.wait_for("the dialogue started over", |_| greetings(&web) == 2)
        .await;
    let opened = web.accepted("conversations.open");
    assert!(
        opened
            .iter()
            .any(|call| call.body["users"].to_string().contains(DANA))
    );
    drop(server);
}

async fn stopping_closes_the_connections(url: &str) {
    let (web, socket) = fakes().await;
    let mut server = socket_mode_server(url, &web);
    socket.connected(0).await;
    say(&socket, 0, "env-hi", "EvHi", "hi").await;
    let status = server.terminate();
    assert!(status.success(), "{status}");
    socket.closed_by_client(0).await;
}

/// Broken and hostile envelopes on a live connection, one row each: what is acknowledged (an
/// envelope with an id always is, so Slack does not deliver it again and again) and that none
/// stores anything; then the same connection still carries a real conversation.
async fn hostile_envelopes_are_acknowledged_store_nothing_and_the_connection_goes_on(url: &str) {
    let (web, socket) = fakes().await;
    let server = socket_mode_server(url, &web);
    socket.connected(0).await;
    let huge = "x".repeat(70_000);
    // (row, frame, acknowledged)
    let rows: Vec<(&str, serde_json::Value, bool)> = vec![
        (
            "an unknown frame type",
            json!({"type": "mystery", "envelope_id": "h-unknown", "payload": {}}),
            true,
        ),
        (
            "events_api without payload",
            json!({"type": "events_api", "envelope_id": "h-nopayload"}),
            true,
        ),
        (
            "events_api whose payload is a string",
            events_api("h-string", 0, json!("not an object")),
            true,
        ),
        (
            "an event type leadbot does not use",
            events_api(
                "h-pin",
                0,
                envelope(
                    "EvPin",
                    json!({"type": "pin_added", "user": DANA, "channel": dm_channel(DANA)}),
                ),
            ),
            true,
        ),
        (
            "a message from a bot (its own echo)",
            events_api(
                "h-bot",
                0,
                envelope(
                    "EvBot",
                    json!({"type": "message", "subtype": "bot_message", "bot_id": "B1", "text": "hi", "channel": dm_channel(DANA), "ts": ts(), "channel_type": "im"}),
                ),
            ),
            true,
        ),
        (
            "a message without a user",
            events_api(
                "h-nouser",
                0,
                envelope(
                    "EvNoUser",
                    json!({"type": "message", "text": "hi", "channel": dm_channel(DANA), "ts": ts(), "channel_type": "im"}),
                ),
            ),
            true,
        ),
        (
            "an interaction of no known shape",
            interactive("h-interaction", json!({"type": "block_actions"})),
            true,
        ),
        (
            "an interaction whose payload is a number",
            interactive("h-number", json!(42)),
            true,
        ),
        (
            "a slash command without user_id",
            slash_commands(
                "h-command",
                json!({"command": "/qualify", "text": "", "channel_id": "C1"}),
            ),
            true,
        ),
        (
            "a 70 KB unknown field in a frame",
            json!({"type": "mystery", "envelope_id": "h-huge", "padding": huge}),
            true,
        ),
        (
            "no envelope id at all",
            json!({"type": "events_api", "payload": {}}),
            false,
        ),
    ];
    for (_, frame, _) in &rows {
        socket.send(0, frame);
    }
    // A real message after them: answered on the same connection, so the rows did not break it.
    say(&socket, 0, "env-after", "EvAfter", "hi").await;
    answered(&web, 0).await;
    settle(url).await;
    for (row, frame, acknowledged) in &rows {
        let id = frame["envelope_id"].as_str().unwrap_or_default();
        let acks = if id.is_empty() {
            Vec::new()
        } else {
            socket.acks_of(id)
        };
        assert_eq!(
            !acks.is_empty(),
            *acknowledged,
            "{row}: acknowledgements {acks:?}"
        );
        assert!(
            acks.len() <= 1,
            "{row}: acknowledged more than once: {acks:?}"
        );
    }
    assert_eq!(socket.connection_count(), 1, "no reconnection was needed");
    assert_eq!(
        count_rows(url, "messages WHERE direction = 'in'").await,
        1,
        "only the real message was stored"
    );
    assert_eq!(greetings(&web), 1);
    drop(server);
}

on_both_databases!(
    hostile_envelopes_are_acknowledged_store_nothing_and_the_connection_goes_on,
    an_envelope_that_was_not_stored_is_not_acknowledged,
    a_direct_message_is_acknowledged_and_answered,
    a_redelivered_envelope_is_acknowledged_but_answered_once,
    after_a_disconnect_it_reconnects_and_goes_on,
    clicks_and_slash_commands_work_over_socket_mode,
    stopping_closes_the_connections,
);
