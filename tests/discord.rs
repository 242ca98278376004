//! The Discord channel end to end: the real `leadbot serve` (serenity's gateway client and
//! leadbot's REST calls) against a fake Discord on 127.0.0.1 — a DM qualification ending in a
//! rep's embed, buttons, a guild thread, replayed events, a dropped connection resumed, a 429
//! honoured, a 500 after acceptance not posting twice, a restart mid-dialogue, `/qualify` —
//! on SQLite and PostgreSQL.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;
mod discord_fake;

use std::time::Duration;

use common::{BOOKING_SECRET, QUALIFYING_ANSWERS, Server, post_booking};
use discord_fake::{APPLICATION_ID, BOT_ID, Failure, FakeDiscord, TOKEN, eventually, frames};
use serde_json::{Value, json};
use serenity::all::{Event, GatewayEvent, Interaction};

/// The guild of the tests, its qualification channel and another channel.
const GUILD: u64 = 1_200_000_000_000_000_001;
const QUALIFY_CHANNEL: u64 = 1_200_000_000_000_000_002;
const SALES_CHANNEL: u64 = 1_200_000_000_000_000_003;
const OTHER_CHANNEL: u64 = 1_200_000_000_000_000_004;
/// A prospect and their DM channel with the bot.
const DANA: u64 = 1_300_000_000_000_000_001;
const DANA_DM: u64 = 1_300_000_000_000_000_002;
/// Someone else in the guild.
const SAM: u64 = 1_300_000_000_000_000_003;
/// A sales rep.
const REP: u64 = 1_300_000_000_000_000_004;

fn dana() -> Value {
    frames::user(DANA, "Dana Smith", false)
}

/// Parses a frame the way serenity's shard does.
fn parse(frame: &Value) -> GatewayEvent {
    serde_json::from_value(frame.clone()).unwrap()
}

fn dispatched(frame: &Value) -> Event {
    match parse(frame) {
        GatewayEvent::Dispatch(_, event) => event,
        other => panic!("not a dispatch: {other:?}"),
    }
}

#[test]
fn the_fakes_frames_parse_into_the_events_they_claim_to_be() {
    let bot = frames::user(BOT_ID, "Leadbot", true);
    let ready = frames::dispatch(
        1,
        "READY",
        frames::ready(&bot, APPLICATION_ID, "s", "ws://x", [0, 1]),
    );
    assert!(matches!(dispatched(&ready), Event::Ready(_)));

    let dm = frames::message(10 << 22, DANA_DM, dana(), "hi", None);
    match dispatched(&frames::dispatch(2, "MESSAGE_CREATE", dm.clone())) {
        Event::MessageCreate(event) => {
            assert_eq!(event.message.content, "hi");
            assert!(event.message.guild_id.is_none());
        }
        other => panic!("{other:?}"),
    }
    let guild = frames::message(11 << 22, QUALIFY_CHANNEL, dana(), "hello", Some(GUILD));
    match dispatched(&frames::dispatch(3, "MESSAGE_CREATE", guild)) {
        Event::MessageCreate(event) => {
            assert_eq!(event.message.guild_id.map(|id| id.get()), Some(GUILD));
            assert!(event.message.member.is_some());
        }
        other => panic!("{other:?}"),
    }

    let mut asked = frames::created_message(
        12 << 22,
        DANA_DM,
        &bot,
        &json!({"content": "Pick", "components": [{"type": 1, "components": [
            {"type": 2, "style": 2, "custom_id": "lb:c:need:replace", "label": "Replace"}]}]}),
    );
    asked["channel_type"] = json!(1);
    let click = frames::component_interaction(
        13 << 22,
        APPLICATION_ID,
        dana(),
        asked.clone(),
        "lb:c:need:replace",
        None,
        None,
    );
    match dispatched(&frames::dispatch(4, "INTERACTION_CREATE", click)) {
        Event::InteractionCreate(event) => match event.interaction {
            Interaction::Component(click) => {
                assert_eq!(click.data.custom_id, "lb:c:need:replace");
                assert_eq!(click.user.id.get(), DANA);
                assert_eq!(click.message.components.len(), 1);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let select = frames::component_interaction(
        14 << 22,
        APPLICATION_ID,
        dana(),
        asked,
        "lb:s:need",
        Some(vec!["replace".into()]),
        Some(GUILD),
    );
    match dispatched(&frames::dispatch(5, "INTERACTION_CREATE", select)) {
        Event::InteractionCreate(event) => match event.interaction {
            Interaction::Component(click) => {
                assert_eq!(click.user.id.get(), DANA, "the member's user");
                assert!(matches!(
                    click.data.kind,
                    serenity::all::ComponentInteractionDataKind::StringSelect { .. }
                ));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let command = frames::command_interaction(
        15 << 22,
        APPLICATION_ID,
        99,
        "qualify",
        dana(),
        OTHER_CHANNEL,
        Some(GUILD),
    );
    match dispatched(&frames::dispatch(6, "INTERACTION_CREATE", command)) {
        Event::InteractionCreate(event) => match event.interaction {
            Interaction::Command(command) => assert_eq!(command.data.name, "qualify"),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    let resumed = frames::dispatch(7, "RESUMED", json!({"_trace": []}));
    assert!(matches!(dispatched(&resumed), Event::Resumed(_)));
    assert!(matches!(
        parse(&frames::hello(41250)),
        GatewayEvent::Hello(41250)
    ));
    assert!(matches!(
        parse(&frames::heartbeat_ack()),
        GatewayEvent::HeartbeatAck
    ));
    assert!(matches!(
        parse(&frames::reconnect()),
        GatewayEvent::Reconnect
    ));
    assert!(matches!(
        parse(&frames::invalid_session(false)),
        GatewayEvent::InvalidateSession(false)
    ));
}

/// A leadbot process talking to the fake, and the database it uses.
struct Scene {
    fake: FakeDiscord,
    server: Server,
    url: String,
    pool: sqlx::AnyPool,
    reps: tempfile::TempDir,
}

/// The sales team of the tests: one rep on Discord, always available; the fallback desk is a
/// Discord channel.
const REPS_FILE: &str = r#"
default_pool = "sales"

[fallback]
name = "Sales desk"
discord_channel = "1200000000000000003"

[[pools]]
id = "sales"
reps = ["riley"]
sla_minutes = 30

[[reps]]
id = "riley"
name = "Riley Rep"
discord_user = "1300000000000000004"
time_zone = "Europe/London"
"#;

impl Scene {
    async fn start(url: &str) -> Scene {
        Scene::start_with(url, &[]).await
    }

    /// A scene whose leadbot also gets these environment variables.
    async fn start_with(url: &str, env: &[(&str, &str)]) -> Scene {
        let fake = FakeDiscord::start().await;
        let reps = tempfile::tempdir().unwrap();
        std::fs::write(reps.path().join("reps.toml"), REPS_FILE).unwrap();
        let server = start_server(url, &fake, &reps, env);
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(url).await.unwrap();
        let scene = Scene {
            fake,
            server,
            url: url.to_string(),
            pool,
            reps,
        };
        scene.wait_connected().await;
        scene
    }

    async fn wait_connected(&self) {
        let fake = self.fake.clone();
        eventually("the gateway READY", move || fake.connected()).await;
    }

    /// Kills leadbot with SIGKILL and starts it again on the same database and fake.
    async fn restart(&mut self) {
        self.server.kill_9();
        self.server = start_server(&self.url, &self.fake, &self.reps, &[]);
        let fake = self.fake.clone();
        eventually("a second IDENTIFY", move || fake.gateway_counts().0 >= 2).await;
        self.wait_connected().await;
    }

    async fn count(&self, from: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {from}")))
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// Waits until every queued Discord item is delivered or given up.
    async fn settled_outbox(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while self
            .count("outbox WHERE destination = 'discord' AND status = 'pending'")
            .await
            > 0
        {
            assert!(
                std::time::Instant::now() < deadline,
                "Discord items stayed pending"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until leadbot stored the event and delivered every queued Discord item.
    async fn settled(&self, event_id: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let processed = self
                .count(&format!("processed_events WHERE event_id = '{event_id}'"))
                .await;
            let pending = self
                .count("outbox WHERE destination = 'discord' AND status = 'pending'")
                .await;
            if processed == 1 && pending == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {event_id}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until a lead has `source` recorded (it is stored right after the turn).
    async fn source_recorded(&self, source: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while self
            .count(&format!("lead_sources WHERE source = '{source}'"))
            .await
            == 0
        {
            assert!(
                std::time::Instant::now() < deadline,
                "no lead has the source {source}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The gateway sends an interaction again (a replay after a resume); returns once leadbot
    /// has called back for it a second time.
    async fn replay_interaction(&self, interaction: Value, id: u64, what: &str) {
        self.fake.dispatch("INTERACTION_CREATE", interaction);
        let fake = self.fake.clone();
        let path = format!("/api/v10/interactions/{id}/");
        eventually(what, move || {
            fake.calls()
                .iter()
                .filter(|call| call.path.starts_with(&path))
                .count()
                == 2
        })
        .await;
    }

    /// Dana writes in her DM with the bot; returns once the turn is stored and answered.
    async fn dm(&self, text: &str) -> u64 {
        let id = self.fake.next_id();
        self.fake.dispatch(
            "MESSAGE_CREATE",
            frames::message(id, DANA_DM, dana(), text, None),
        );
        self.settled(&format!("discord:message:{id}")).await;
        id
    }

    fn texts_in(&self, channel: u64) -> Vec<String> {
        self.fake
            .posted_in(channel)
            .iter()
            .map(|posted| posted.message["content"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

fn start_server(
    url: &str,
    fake: &FakeDiscord,
    reps: &tempfile::TempDir,
    extra: &[(&str, &str)],
) -> Server {
    let channels = QUALIFY_CHANNEL.to_string();
    let reps = reps.path().join("reps.toml");
    let mut env = vec![
        ("LEADBOT_REPS", reps.to_str().unwrap()),
        ("DISCORD_TOKEN", TOKEN),
        ("DISCORD_API_URL", fake.api_url.as_str()),
        ("LEADBOT_DISCORD_CHANNELS", channels.as_str()),
    ];
    env.extend_from_slice(extra);
    Server::start_with_env(url, &env)
}

/// The custom ids of a posted message's components.
fn custom_ids(message: &Value) -> Vec<String> {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|component| component["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// Dana qualifies in her DM with the shipped English script.
async fn qualify_in_dm(scene: &Scene) {
    scene.dm("hi").await;
    let texts = scene.texts_in(DANA_DM);
    assert_eq!(texts.len(), 2, "greeting and first question: {texts:?}");
    assert!(texts[1].contains("name"), "{texts:?}");
    for answer in QUALIFYING_ANSWERS {
        scene.dm(answer).await;
    }
    assert_eq!(scene.count("leads WHERE stage = 'sql'").await, 1);
}

/// The hand-off embed posted in the rep's DM, once it is there.
async fn rep_embed(scene: &Scene) -> Value {
    let fake = scene.fake.clone();
    eventually("the rep's embed", move || {
        fake.dm_channel_of(REP)
            .is_some_and(|channel| !fake.posted_in(channel).is_empty())
    })
    .await;
    let rep_dm = scene.fake.dm_channel_of(REP).unwrap();
    scene.fake.posted_in(rep_dm)[0].message.clone()
}

/// Riley clicks a button of the embed; returns the interaction id once leadbot answered it.
async fn rep_clicks(scene: &Scene, embed_message: &Value, custom_id: &str) -> u64 {
    let click_id = scene.fake.next_id();
    let click = frames::component_interaction(
        click_id,
        APPLICATION_ID,
        frames::user(REP, "Riley Rep", false),
        embed_message.clone(),
        custom_id,
        None,
        None,
    );
    scene.fake.dispatch("INTERACTION_CREATE", click);
    let fake = scene.fake.clone();
    eventually("the click's outcome on the embed", move || {
        fake.calls().iter().any(|call| {
            call.method == "PATCH"
                && call.path.ends_with("/messages/@original")
                && call.path.contains(&format!("{click_id}:"))
        })
    })
    .await;
    click_id
}

fn field_of(embed: &Value, name: &str) -> String {
    embed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["name"] == name)
        .map(|field| field["value"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {name} field in {embed}"))
}

async fn a_prospect_qualifies_in_a_dm_and_the_rep_accepts_on_an_embed(url: &str) {
    let scene = Scene::start(url).await;
    let fake = scene.fake.clone();
    eventually("/qualify registered globally", move || {
        fake.calls().into_iter().any(|call| {
            call.method == "PUT"
                && call.path == format!("/api/v10/applications/{APPLICATION_ID}/commands")
                && call.body[0]["name"] == "qualify"
        })
    })
    .await;
    let intents = scene.fake.identify_payloads()[0]["intents"]
        .as_u64()
        .unwrap();
    assert_eq!(
        intents,
        (1 << 9) | (1 << 12) | (1 << 15),
        "GUILD_MESSAGES, DIRECT_MESSAGES, MESSAGE_CONTENT"
    );

    qualify_in_dm(&scene).await;
    assert_eq!(
        scene.count("answers").await,
        QUALIFYING_ANSWERS.len() as i64
    );
    let texts = scene.texts_in(DANA_DM);
    assert!(
        texts.iter().any(|text| text.contains("Riley Rep")),
        "Dana is told who follows up: {texts:?}"
    );
    let replies = scene
        .count("outbox WHERE destination = 'discord' AND kind = 'reply'")
        .await;
    assert_eq!(
        texts.len() as i64,
        replies,
        "every queued reply posted once"
    );
    let need = scene
        .fake
        .posted_in(DANA_DM)
        .into_iter()
        .find(|posted| {
            posted.message["content"]
                .as_str()
                .unwrap_or("")
                .contains("What brings you")
        })
        .unwrap();
    assert_eq!(
        custom_ids(&need.message).len(),
        5,
        "the need question has five buttons"
    );

    let embed_message = rep_embed(&scene).await;
    let embed = &embed_message["embeds"][0];
    assert_eq!(
        embed["title"],
        "🔥 New sales-qualified lead: Dana Smith (Acme Corp)"
    );
    let description = embed["description"].as_str().unwrap();
    assert!(
        description.contains(&format!("<@{DANA}> (DM with the bot)")),
        "{description}"
    );
    assert!(description.contains("within 30 minutes"), "{description}");
    assert_eq!(field_of(embed, "Stage"), "sql");
    assert_eq!(field_of(embed, "Email"), "dana@acme.io");
    assert!(
        field_of(embed, "Score").lines().count() > 1,
        "score with reasons"
    );
    for criterion in ["Need", "Budget", "Timing", "Authority"] {
        assert_ne!(field_of(embed, criterion), "—", "{criterion}");
    }
    let buttons = custom_ids(&embed_message);
    assert_eq!(buttons.len(), 2);
    assert!(
        buttons[0].starts_with("lb:h:a:") && buttons[1].starts_with("lb:h:p:"),
        "{buttons:?}"
    );

    let click_id = rep_clicks(&scene, &embed_message, &buttons[0]).await;
    assert_eq!(
        scene.fake.interaction_answers()[&click_id.to_string()]["type"],
        6,
        "deferred update"
    );
    let edit = scene
        .fake
        .calls()
        .into_iter()
        .find(|call| call.method == "PATCH")
        .unwrap();
    assert_eq!(
        edit.body["content"],
        format!("✅ Accepted by <@{REP}> — the lead is yours.")
    );
    let close_menu = custom_ids(&edit.body);
    assert_eq!(
        close_menu.len(),
        1,
        "Accept and Pass make way for the Close menu: {}",
        edit.body
    );
    assert!(close_menu[0].starts_with("lb:o:"), "{close_menu:?}");
    assert_eq!(
        scene.count("assignments WHERE status = 'accepted'").await,
        1
    );

    let again = rep_clicks(&scene, &embed_message, &buttons[0]).await;
    assert_ne!(again, click_id);
    assert_eq!(
        scene.count("assignments").await,
        1,
        "a second click changes nothing"
    );
    assert_eq!(
        scene.count("assignments WHERE status = 'accepted'").await,
        1
    );

    // Riley closes the hand-off as won from the menu.
    let pick_id = scene.fake.next_id();
    let mut accepted_message = embed_message.clone();
    accepted_message["components"] = edit.body["components"].clone();
    scene.fake.dispatch(
        "INTERACTION_CREATE",
        frames::component_interaction(
            pick_id,
            APPLICATION_ID,
            frames::user(REP, "Riley Rep", false),
            accepted_message,
            &close_menu[0],
            Some(vec!["won".to_string()]),
            None,
        ),
    );
    let fake = scene.fake.clone();
    eventually("the close answered", move || {
        fake.interaction_answers()
            .contains_key(&pick_id.to_string())
    })
    .await;
    let answer = scene.fake.interaction_answers()[&pick_id.to_string()].clone();
    assert_eq!(answer["type"], 7, "the message is redrawn: {answer}");
    assert_eq!(
        answer["data"]["content"],
        format!("🏁 Closed by <@{REP}>: won")
    );
    assert_eq!(scene.count("outcomes WHERE outcome = 'won'").await, 1);
    assert_eq!(scene.count("assignments WHERE status = 'closed'").await, 1);
}

async fn a_rep_who_passes_sends_the_lead_to_the_team_channel(url: &str) {
    let scene = Scene::start(url).await;
    qualify_in_dm(&scene).await;
    let embed_message = rep_embed(&scene).await;
    let pass = custom_ids(&embed_message)[1].clone();
    rep_clicks(&scene, &embed_message, &pass).await;
    let edit = scene
        .fake
        .calls()
        .into_iter()
        .find(|call| call.method == "PATCH")
        .unwrap();
    assert_eq!(
        edit.body["content"],
        format!("↩️ <@{REP}> passed — offered to the sales desk.")
    );
    let fake = scene.fake.clone();
    eventually("the unassigned lead in the team channel", move || {
        !fake.posted_in(SALES_CHANNEL).is_empty()
    })
    .await;
    let desk = scene.fake.posted_in(SALES_CHANNEL)[0].message.clone();
    let embed = &desk["embeds"][0];
    assert_eq!(embed["title"], "⚠️ Unassigned lead: Dana Smith (Acme Corp)");
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("Team: Sales desk"),
        "{embed}"
    );
    assert!(
        custom_ids(&desk).is_empty(),
        "nothing to accept in the team channel"
    );
    let fake = scene.fake.clone();
    eventually("the withdrawal in Riley's DM", move || {
        fake.dm_channel_of(REP)
            .is_some_and(|channel| fake.posted_in(channel).len() == 2)
    })
    .await;
    let rep_dm = scene.fake.dm_channel_of(REP).unwrap();
    let withdrawn = &scene.fake.posted_in(rep_dm)[1].message["embeds"][0];
    assert_eq!(
        withdrawn["title"],
        "↩️ Lead withdrawn: Dana Smith (Acme Corp)"
    );
}

/// A meeting booked after the rep accepted shows on their hand-off message (an edit of that
/// message, once however often the provider reports it).
async fn a_booked_meeting_shows_on_the_accepted_embed(url: &str) {
    let scene = Scene::start_with(url, &[("LEADBOT_BOOKING_SECRET", BOOKING_SECRET)]).await;
    qualify_in_dm(&scene).await;
    let embed_message = rep_embed(&scene).await;
    let buttons = custom_ids(&embed_message);
    rep_clicks(&scene, &embed_message, &buttons[0]).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while scene.count("handoff_cards").await == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the embed is never remembered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rep_dm = scene.fake.dm_channel_of(REP).unwrap();
    let card_path = format!(
        "/api/v10/channels/{rep_dm}/messages/{}",
        embed_message["id"].as_str().unwrap()
    );
    let edits = |fake: &FakeDiscord| -> Vec<Value> {
        fake.calls()
            .into_iter()
            .filter(|call| call.method == "PATCH" && call.path == card_path)
            .map(|call| call.body)
            .collect()
    };
    for _ in 0..2 {
        let (status, body) = post_booking(
            scene.server.port,
            "bk-d",
            "dana@acme.io",
            "2026-03-10T15:00:00Z",
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let fake = scene.fake.clone();
        let path = card_path.clone();
        eventually("the embed's edit", move || {
            fake.calls()
                .iter()
                .any(|call| call.method == "PATCH" && call.path == path)
        })
        .await;
        scene.settled_outbox().await;
    }
    let edits = edits(&scene.fake);
    assert_eq!(
        edits.len(),
        1,
        "one edit however often it is reported: {edits:?}"
    );
    assert_eq!(
        edits[0]["content"],
        format!(
            "✅ Accepted by <@{REP}> — the lead is yours.\n📅 Meeting booked for 2026-03-10 15:00 UTC"
        )
    );
    // Discord keeps what an edit leaves out: the embed's Close menu stays under the new text.
    assert!(
        edits[0].get("components").is_none() && edits[0].get("embeds").is_none(),
        "the edit touches only the text: {}",
        edits[0]
    );
}

/// A meeting booked before the rep answered the embed (its message is not known yet) comes to
/// the rep's DM as a message of its own.
async fn a_meeting_before_the_rep_answered_comes_to_their_dm(url: &str) {
    let scene = Scene::start_with(url, &[("LEADBOT_BOOKING_SECRET", BOOKING_SECRET)]).await;
    qualify_in_dm(&scene).await;
    rep_embed(&scene).await;
    let (status, body) = post_booking(
        scene.server.port,
        "bk-early",
        "dana@acme.io",
        "2026-03-10T15:00:00Z",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    scene.settled_outbox().await;
    let rep_dm = scene.fake.dm_channel_of(REP).unwrap();
    let posted = scene.fake.posted_in(rep_dm);
    assert_eq!(posted.len(), 2, "the embed, then the meeting");
    let embed = &posted[1].message["embeds"][0];
    assert_eq!(embed["title"], "📅 Meeting booked: Dana Smith (Acme Corp)");
    assert!(
        embed["description"]
            .as_str()
            .unwrap()
            .contains("Meeting booked for 2026-03-10 15:00 UTC"),
        "{embed}"
    );
    assert!(
        custom_ids(&posted[1].message).is_empty(),
        "nothing to answer"
    );
    assert!(
        !scene
            .fake
            .calls()
            .iter()
            .any(|call| call.method == "PATCH" && call.path.starts_with("/api/v10/channels/")),
        "no message edited"
    );
}

on_both_databases!(
    a_booked_meeting_shows_on_the_accepted_embed,
    a_meeting_before_the_rep_answered_comes_to_their_dm,
    a_prospect_qualifies_in_a_dm_and_the_rep_accepts_on_an_embed,
    a_rep_who_passes_sends_the_lead_to_the_team_channel,
);

/// The last message posted in `channel`.
fn last_posted(scene: &Scene, channel: u64) -> Value {
    scene
        .fake
        .posted_in(channel)
        .last()
        .unwrap()
        .message
        .clone()
}

/// A prospect asks for a person mid-dialogue: the rep gets the takeover embed, the prospect's
/// next message is relayed with a "Hand back to the bot" button, the rep answers with Discord's
/// Reply in their DM (the prospect sees it with the rep's name), and hands back: the script
/// asks its question again.
async fn a_prospect_who_asks_for_a_person_is_answered_by_the_rep_and_handed_back(url: &str) {
    let scene = Scene::start(url).await;
    scene.dm("hi").await;
    scene.dm("Dana Smith").await;
    scene.dm("Can I talk to a human please?").await;
    let embed = rep_embed(&scene).await;
    let title = embed["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(title.contains("Wants to talk to a person"), "{embed}");

    scene.dm("Is anyone there? @everyone").await;
    let rep_dm = scene.fake.dm_channel_of(REP).unwrap();
    scene.fake.wait_posted(rep_dm, 2).await;
    let relayed = scene.fake.posted_in(rep_dm)[1].clone();
    let description = relayed.message["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        description.contains("Is anyone there?"),
        "{}",
        relayed.message
    );
    let hand_back = custom_ids(&relayed.message)
        .into_iter()
        .find(|id| id.starts_with("lb:b:"))
        .unwrap_or_else(|| panic!("no hand-back button: {}", relayed.message));

    // Riley answers with Discord's Reply to the relayed message.
    let reply_id = scene.fake.next_id();
    let mut reply = frames::message(
        reply_id,
        rep_dm,
        frames::user(REP, "Riley Rep", false),
        "Hi Dana, Riley here. What can I do for you?",
        None,
    );
    reply["type"] = json!(19);
    reply["message_reference"] =
        json!({"message_id": relayed.id.to_string(), "channel_id": rep_dm.to_string()});
    scene.fake.dispatch("MESSAGE_CREATE", reply);
    let fake = scene.fake.clone();
    eventually("the rep's answer in Dana's DM", move || {
        fake.posted_in(DANA_DM).iter().any(|posted| {
            posted.message["content"].as_str().is_some_and(|text| {
                text == "Riley Rep: Hi Dana, Riley here. What can I do for you?"
            })
        })
    })
    .await;
    scene.settled_outbox().await;
    let asked_company = scene
        .texts_in(DANA_DM)
        .iter()
        .filter(|text| text.contains("company"))
        .count();

    // Riley hands the conversation back: the script asks its question again.
    let click_id = scene.fake.next_id();
    scene.fake.dispatch(
        "INTERACTION_CREATE",
        frames::component_interaction(
            click_id,
            APPLICATION_ID,
            frames::user(REP, "Riley Rep", false),
            relayed.message.clone(),
            &hand_back,
            None,
            None,
        ),
    );
    let fake = scene.fake.clone();
    eventually("the question asked again", move || {
        fake.posted_in(DANA_DM)
            .iter()
            .filter(|posted| {
                posted.message["content"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("company")
            })
            .count()
            > asked_company
    })
    .await;
    let answers = scene.fake.interaction_answers();
    let answer = answers
        .iter()
        .find(|(path, _)| path.contains(&click_id.to_string()))
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    assert!(answer.contains("Handed back"), "{answers:?}");
    // The rep's words and the relayed message were never scored as answers.
    assert_eq!(scene.count("answers").await, 1, "only the name");
}

async fn a_click_on_a_choice_button_is_answered_and_recorded_once(url: &str) {
    let scene = Scene::start(url).await;
    for text in ["hi", "Dana Smith", "Acme Corp"] {
        scene.dm(text).await;
    }
    let question = last_posted(&scene, DANA_DM);
    assert!(custom_ids(&question).contains(&"lb:c:need:replace".to_string()));
    let posted_before = scene.fake.posted_in(DANA_DM).len();
    let click_id = scene.fake.next_id();
    let click = frames::component_interaction(
        click_id,
        APPLICATION_ID,
        dana(),
        question,
        "lb:c:need:replace",
        None,
        None,
    );
    scene.fake.dispatch("INTERACTION_CREATE", click.clone());
    scene
        .settled(&format!("discord:interaction:{click_id}"))
        .await;
    let answer = &scene.fake.interaction_answers()[&click_id.to_string()];
    assert_eq!(answer["type"], 7, "UPDATE_MESSAGE");
    let shown = answer["data"]["content"].as_str().unwrap();
    assert!(shown.starts_with("What brings you"), "{shown}");
    assert!(
        shown.ends_with("→ **Replacing our current tool**"),
        "{shown}"
    );
    assert_eq!(answer["data"]["components"], json!([]), "buttons removed");
    assert_eq!(scene.count("answers WHERE step = 'need'").await, 1);
    let posted_after = scene.fake.posted_in(DANA_DM).len();
    assert!(posted_after > posted_before, "the next question was asked");

    scene
        .replay_interaction(click, click_id, "the replayed click reaches leadbot")
        .await;
    scene.dm("12").await;
    assert_eq!(
        scene.count("answers WHERE step = 'need'").await,
        1,
        "the replay changed nothing"
    );
    assert_eq!(
        scene
            .count(&format!(
                "processed_events WHERE event_id = 'discord:interaction:{click_id}'"
            ))
            .await,
        1
    );
}

/// Dana clicks the buttons of a question she already answered by typing: the click answers
/// nothing (neither that question again nor the one asked now) and the old question is shown
/// closed — for a button carrying its value and for one carrying only its number.
async fn a_click_on_an_answered_question_is_ignored_and_closed(url: &str) {
    let scene = Scene::start(url).await;
    for text in ["hi", "Dana Smith", "Acme Corp"] {
        scene.dm(text).await;
    }
    let question = last_posted(&scene, DANA_DM);
    assert!(custom_ids(&question).contains(&"lb:c:need:replace".to_string()));
    scene.dm("we are switching from our old CRM").await;
    let posted_before = scene.fake.posted_in(DANA_DM).len();
    for custom_id in ["lb:c:need:replace", "lb:n:need:1"] {
        let click_id = scene.fake.next_id();
        scene.fake.dispatch(
            "INTERACTION_CREATE",
            frames::component_interaction(
                click_id,
                APPLICATION_ID,
                dana(),
                question.clone(),
                custom_id,
                None,
                None,
            ),
        );
        let fake = scene.fake.clone();
        let id = click_id.to_string();
        eventually("the click's answer", move || {
            fake.interaction_answers().contains_key(&id)
        })
        .await;
        let answer = &scene.fake.interaction_answers()[&click_id.to_string()];
        assert_eq!(answer["type"], 7, "UPDATE_MESSAGE");
        let shown = answer["data"]["content"].as_str().unwrap();
        assert!(shown.starts_with("What brings you"), "{shown}");
        assert!(shown.contains("This question is closed"), "{shown}");
        assert_eq!(answer["data"]["components"], json!([]), "buttons removed");
    }
    assert_eq!(scene.count("answers WHERE step = 'need'").await, 1);
    assert_eq!(
        scene.count("answers").await,
        3,
        "name, company, need: the clicks answered nothing"
    );
    assert_eq!(
        scene.fake.posted_in(DANA_DM).len(),
        posted_before,
        "no re-ask, no reply"
    );
}

/// The database is unreachable when Dana answers: Discord cannot send the event again, so
/// leadbot keeps the turn and retries it; once the database is back it is stored and answered
/// once.
async fn a_message_the_database_refused_is_retried_until_stored(url: &str) {
    let scene = Scene::start(url).await;
    scene.dm("hi").await;
    scene.dm("Dana Smith").await;
    let outage = common::Outage::begin(url).await;
    let id = scene.fake.next_id();
    scene.fake.dispatch(
        "MESSAGE_CREATE",
        frames::message(id, DANA_DM, dana(), "Acme Corp", None),
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    outage.end().await;
    scene.settled(&format!("discord:message:{id}")).await;
    assert_eq!(
        scene
            .count("messages WHERE direction = 'in' AND body = 'Acme Corp'")
            .await,
        1
    );
    assert_eq!(scene.count("answers").await, 2, "name and company");
    assert_eq!(
        scene.fake.posted_in(DANA_DM).len() as i64,
        scene.count("outbox WHERE destination = 'discord'").await,
        "each queued reply posted once"
    );
    assert!(
        !scene
            .texts_in(DANA_DM)
            .iter()
            .any(|text| text.contains("could not save")),
        "the prospect never saw the outage"
    );
}

/// The database stays away longer than leadbot retries: Dana is told plainly to send her
/// message again, and when she does (after it is back) it is answered as usual.
async fn a_message_that_cannot_be_stored_is_refused_in_plain_words(url: &str) {
    let scene = Scene::start_with(url, &[("LEADBOT_DISCORD_RETRY_SECONDS", "1")]).await;
    scene.dm("hi").await;
    let outage = common::Outage::begin(url).await;
    let lost = scene.fake.next_id();
    scene.fake.dispatch(
        "MESSAGE_CREATE",
        frames::message(lost, DANA_DM, dana(), "Dana Smith", None),
    );
    let fake = scene.fake.clone();
    eventually("the prospect told to send it again", move || {
        fake.posted_in(DANA_DM).iter().any(|posted| {
            posted.message["content"]
                .as_str()
                .is_some_and(|text| text.contains("could not save your last message"))
        })
    })
    .await;
    outage.end().await;
    assert_eq!(scene.count("answers").await, 0);
    scene.dm("Dana Smith").await;
    assert_eq!(scene.count("answers WHERE step = 'name'").await, 1);
    assert_eq!(
        scene
            .count(&format!(
                "processed_events WHERE event_id = 'discord:message:{lost}'"
            ))
            .await,
        0,
        "the refused message was not stored"
    );
}

async fn a_message_in_the_qualification_channel_opens_a_thread(url: &str) {
    let scene = Scene::start(url).await;
    let first = scene.fake.next_id();
    scene.fake.dispatch(
        "MESSAGE_CREATE",
        frames::message(
            first,
            QUALIFY_CHANNEL,
            dana(),
            "hi, we need a CRM",
            Some(GUILD),
        ),
    );
    scene.settled(&format!("discord:message:{first}")).await;
    assert_eq!(
        scene.fake.threads().get(&first),
        Some(&QUALIFY_CHANNEL),
        "a thread hangs off Dana's message"
    );
    scene
        .source_recorded(&format!("discord:#{QUALIFY_CHANNEL}"))
        .await;
    let opened = scene
        .fake
        .calls()
        .into_iter()
        .find(|call| call.path.ends_with("/threads"))
        .unwrap();
    assert_eq!(opened.body["name"], "Dana Smith · getting started");
    assert!(
        scene.fake.posted_in(QUALIFY_CHANNEL).is_empty(),
        "the channel stays readable"
    );
    assert_eq!(
        scene.texts_in(first).len(),
        2,
        "greeting and first question in the thread"
    );

    let stranger = scene.fake.next_id();
    scene.fake.dispatch(
        "MESSAGE_CREATE",
        frames::message(
            stranger,
            first,
            frames::user(SAM, "Sam", false),
            "hey what is this",
            Some(GUILD),
        ),
    );
    let bot_echo = scene.fake.next_id();
    scene.fake.dispatch(
        "MESSAGE_CREATE",
        frames::message(
            bot_echo,
            first,
            frames::user(BOT_ID, "Leadbot", true),
            "First, what's your name?",
            Some(GUILD),
        ),
    );
    let elsewhere = scene.fake.next_id();
    scene.fake.dispatch(
        "MESSAGE_CREATE",
        frames::message(elsewhere, OTHER_CHANNEL, dana(), "Dana Smith", Some(GUILD)),
    );
    let answer = scene.fake.next_id();
    scene.fake.dispatch(
        "MESSAGE_CREATE",
        frames::message(answer, first, dana(), "Dana Smith", Some(GUILD)),
    );
    scene.settled(&format!("discord:message:{answer}")).await;
    assert!(
        scene.texts_in(first)[2].contains("company"),
        "{:?}",
        scene.texts_in(first)
    );
    scene.dm("a barrier: later than the ignored messages").await;
    for ignored in [stranger, bot_echo, elsewhere] {
        assert_eq!(
            scene
                .count(&format!(
                    "processed_events WHERE event_id = 'discord:message:{ignored}'"
                ))
                .await,
            0
        );
    }
    assert_eq!(
        scene.count("answers").await,
        1,
        "only Dana's answer in her thread"
    );
    assert_eq!(
        scene
            .count(&format!("leads WHERE address = 'thread:{first}:{DANA}'"))
            .await,
        1
    );
}

async fn a_replayed_event_is_processed_once(url: &str) {
    let scene = Scene::start(url).await;
    scene.dm("hi").await;
    scene.dm("Dana Smith").await;
    let posted_before = scene.fake.posted_in(DANA_DM).len();
    scene.fake.replay_seen_on_resume(2);
    scene.fake.ask_to_reconnect();
    let fake = scene.fake.clone();
    eventually("RESUMED", move || fake.resumed_count() == 1).await;
    scene.dm("Acme Corp").await;
    scene.dm("we are switching from our old CRM").await;
    let (identifies, resumes, _) = scene.fake.gateway_counts();
    assert_eq!(identifies, 1, "resumed, not identified again");
    assert_eq!(resumes.len(), 1);
    assert_eq!(resumes[0].0, "fake-session-1");
    assert_eq!(
        scene.count("answers").await,
        3,
        "name, company, need: each once"
    );
    assert_eq!(scene.count("messages WHERE direction = 'in'").await, 4);
    assert_eq!(
        scene.fake.posted_in(DANA_DM).len() as i64,
        scene.count("outbox WHERE destination = 'discord'").await,
        "each queued reply posted once, none for the replayed events"
    );
    assert!(scene.fake.posted_in(DANA_DM).len() > posted_before);
}

async fn a_dropped_connection_resumes_mid_dialogue(url: &str) {
    let scene = Scene::start(url).await;
    scene.dm("hi").await;
    scene.dm("Dana Smith").await;
    let fake = scene.fake.clone();
    eventually("a heartbeat", move || fake.gateway_counts().2 >= 1).await;
    scene.fake.drop_connection();
    let while_down = scene.fake.next_id();
    scene.fake.dispatch(
        "MESSAGE_CREATE",
        frames::message(while_down, DANA_DM, dana(), "Acme Corp", None),
    );
    let fake = scene.fake.clone();
    eventually("RESUMED after the drop", move || fake.resumed_count() == 1).await;
    scene
        .settled(&format!("discord:message:{while_down}"))
        .await;
    let (identifies, resumes, _) = scene.fake.gateway_counts();
    assert_eq!(identifies, 1, "resumed, not identified again");
    assert_eq!(resumes.len(), 1);
    assert_eq!(scene.count("answers").await, 2);
    let texts = scene.texts_in(DANA_DM);
    assert!(
        texts.last().unwrap().contains("What brings you"),
        "{texts:?}"
    );
}

async fn a_429_is_honoured_and_a_post_of_unknown_fate_is_not_repeated(url: &str) {
    let scene = Scene::start(url).await;
    scene.fake.fail_next_posts(&[Failure::RateLimited(1.2)]);
    scene.dm("hi").await;
    let posts: Vec<_> = scene
        .fake
        .calls()
        .into_iter()
        .filter(|call| call.path == format!("/api/v10/channels/{DANA_DM}/messages"))
        .collect();
    let statuses: Vec<u16> = posts.iter().map(|call| call.status).collect();
    assert_eq!(statuses, [429, 200, 200]);
    assert!(
        posts[1].at.duration_since(posts[0].at) >= Duration::from_millis(1200),
        "retry_after honoured"
    );
    let texts = scene.texts_in(DANA_DM);
    assert!(
        texts[0].starts_with("Hi there"),
        "greeting first: {texts:?}"
    );
    assert!(texts[1].contains("name"), "then the question: {texts:?}");

    scene.fake.fail_next_posts(&[Failure::ErrorAfterAccepting]);
    scene.dm("Dana Smith").await;
    let posts: Vec<_> = scene
        .fake
        .calls()
        .into_iter()
        .filter(|call| call.path == format!("/api/v10/channels/{DANA_DM}/messages"))
        .skip(3)
        .collect();
    let statuses: Vec<u16> = posts.iter().map(|call| call.status).collect();
    assert_eq!(statuses, [500, 200], "retried after the 500");
    assert_eq!(
        posts[0].body["nonce"], posts[1].body["nonce"],
        "with the same nonce"
    );
    assert_eq!(posts[1].body["enforce_nonce"], true);
    let texts = scene.texts_in(DANA_DM);
    assert_eq!(
        texts.len(),
        3,
        "the company question posted once: {texts:?}"
    );
}

async fn a_restart_mid_dialogue_resumes(url: &str) {
    let mut scene = Scene::start(url).await;
    scene.dm("hi").await;
    scene.dm("Dana Smith").await;
    scene.restart().await;
    scene.dm("Acme Corp").await;
    assert_eq!(scene.count("answers").await, 2);
    assert_eq!(scene.count("leads").await, 1);
    let texts = scene.texts_in(DANA_DM);
    assert!(
        texts.last().unwrap().contains("What brings you"),
        "{texts:?}"
    );
}

/// Discord does not replay events to a fresh session: what a prospect wrote while no leadbot
/// was running is read from the channel on READY, in order, each message once.
async fn messages_sent_while_leadbot_was_down_are_caught_up_in_order(url: &str) {
    let mut scene = Scene::start(url).await;
    scene.dm("hi").await;
    scene.dm("Dana Smith").await;
    scene.server.kill_9();
    let mut written = Vec::new();
    for text in ["Acme Corp", "we are switching from our old CRM"] {
        let id = scene.fake.next_id();
        scene.fake.dispatch(
            "MESSAGE_CREATE",
            frames::message(id, DANA_DM, dana(), text, None),
        );
        written.push(id);
    }
    scene.server = start_server(&scene.url, &scene.fake, &scene.reps, &[]);
    for id in &written {
        scene.settled(&format!("discord:message:{id}")).await;
    }
    let said: Vec<String> =
        sqlx::query_scalar("SELECT body FROM messages WHERE direction = 'in' ORDER BY id")
            .fetch_all(&scene.pool)
            .await
            .unwrap();
    assert_eq!(
        said,
        [
            "hi",
            "Dana Smith",
            "Acme Corp",
            "we are switching from our old CRM"
        ]
    );
    let steps: Vec<String> = sqlx::query_scalar("SELECT step FROM answers ORDER BY id")
        .fetch_all(&scene.pool)
        .await
        .unwrap();
    assert_eq!(steps, ["name", "company", "need"]);
    // A second start reads the same channel again and answers nothing twice.
    let posted = scene.fake.posted_in(DANA_DM).len();
    scene.restart().await;
    scene.dm("40").await;
    assert_eq!(scene.count("messages WHERE direction = 'in'").await, 5);
    let texts = scene.texts_in(DANA_DM);
    assert_eq!(
        texts.len(),
        posted + 1,
        "only the answer to \"40\" is new: {texts:?}"
    );
}

async fn qualify_starts_a_dialogue_in_a_dm(url: &str) {
    let scene = Scene::start(url).await;
    scene.dm("hi").await;
    scene.dm("Dana Smith").await;
    let command_id = scene.fake.next_id();
    let command = frames::command_interaction(
        command_id,
        APPLICATION_ID,
        7,
        "qualify",
        dana(),
        OTHER_CHANNEL,
        Some(GUILD),
    );
    scene.fake.dispatch("INTERACTION_CREATE", command.clone());
    scene
        .settled(&format!("discord:interaction:{command_id}"))
        .await;
    let answer = &scene.fake.interaction_answers()[&command_id.to_string()];
    assert_eq!(answer["type"], 4);
    assert_eq!(answer["data"]["flags"], 64, "ephemeral");
    let dm = scene.fake.dm_channel_of(DANA).unwrap();
    let texts = scene.texts_in(dm);
    assert_eq!(
        texts.len(),
        2,
        "greeting and the first question again: {texts:?}"
    );
    assert!(texts[1].contains("name"), "{texts:?}");
    assert_eq!(scene.count("leads").await, 1, "the same lead starts over");
    scene.source_recorded("discord:/qualify").await;

    scene
        .replay_interaction(command, command_id, "the replayed command reaches leadbot")
        .await;
    scene.dm("Dana Smith").await;
    assert_eq!(
        scene.texts_in(dm).len(),
        2,
        "the replay did not start over again"
    );
}

/// Hostile and broken gateway input: events of unknown types, a MESSAGE_CREATE that does not
/// parse, text meant to ping everyone or break the markdown. The connection survives, the
/// text is stored as typed, and nothing leadbot posts can ping anyone.
async fn hostile_gateway_input_is_survived_stored_as_typed_and_pings_no_one(url: &str) {
    let scene = Scene::start(url).await;
    scene.dm("hi").await;
    scene.fake.dispatch(
        "SOMETHING_DISCORD_ADDS_NEXT_YEAR",
        json!({"id": "1", "anything": [1, 2, 3]}),
    );
    scene.fake.dispatch(
        "MESSAGE_CREATE",
        json!({"id": "not-a-snowflake", "content": 42, "author": null}),
    );
    let name = "@everyone Bobby **Tables** <@&1400000000000000001> ||x|| \u{202e}evil";
    let company = "Acme`); DROP TABLE leads;-- [click](https://evil.example) @here";
    scene.dm(name).await;
    scene.dm(company).await;
    let said: Vec<String> =
        sqlx::query_scalar("SELECT body FROM messages WHERE direction = 'in' ORDER BY id")
            .fetch_all(&scene.pool)
            .await
            .unwrap();
    assert_eq!(said, ["hi", name, company]);
    assert_eq!(scene.count("leads").await, 1);
    let path = format!("/api/v10/channels/{DANA_DM}/messages");
    let sent: Vec<Value> = scene
        .fake
        .calls()
        .into_iter()
        .filter(|call| call.method == "POST" && call.path == path)
        .map(|call| call.body)
        .collect();
    assert!(sent.len() >= 4, "{} posted", sent.len());
    for body in sent {
        assert_eq!(body["allowed_mentions"]["parse"], json!([]), "{body}");
    }
}

on_both_databases!(
    a_prospect_who_asks_for_a_person_is_answered_by_the_rep_and_handed_back,
    a_click_on_a_choice_button_is_answered_and_recorded_once,
    a_click_on_an_answered_question_is_ignored_and_closed,
    a_message_the_database_refused_is_retried_until_stored,
    a_message_that_cannot_be_stored_is_refused_in_plain_words,
    a_message_in_the_qualification_channel_opens_a_thread,
    a_replayed_event_is_processed_once,
    a_dropped_connection_resumes_mid_dialogue,
    a_429_is_honoured_and_a_post_of_unknown_fate_is_not_repeated,
    a_restart_mid_dialogue_resumes,
    qualify_starts_a_dialogue_in_a_dm,
    hostile_gateway_input_is_survived_stored_as_typed_and_pings_no_one,
    messages_sent_while_leadbot_was_down_are_caught_up_in_order,
);
