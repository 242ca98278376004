//! The storage suite: every test runs on SQLite and on PostgreSQL.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use common::{at, count_rows, english_script, test_key};
use leadbot::engine::{self, Effect, Input};
use leadbot::outbox::{NewOutboxItem, OutboxMessage, ProspectReply};
use leadbot::store::leads::LeadFilter;
use leadbot::store::{Store, StoreError, StoreOptions, StoredConversation, TurnTx};

/// Starts a conversation on the English script and returns its lead id.
async fn started(store: &Store, address: &str) -> i64 {
    let script = english_script();
    let turn = engine::start(&script, at(0));
    let mut tx = store.begin_turn(&test_key(address)).await.unwrap();
    let mut conversation = tx.start_conversation(&turn.state, 0).await.unwrap();
    conversation.state = turn.state;
    tx.save(&conversation, None, &turn.effects, &[], 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    conversation.lead_id
}

/// The conversation of a turn started with a new event, which must exist.
async fn claimed_existing(tx: &mut TurnTx, event: &str) -> StoredConversation {
    tx.claim_and_load(event, 1).await.unwrap().unwrap().unwrap()
}

/// The newest migration of both backends (PostgreSQL's 5, the turn-start function, has no
/// SQLite counterpart).
fn latest_migration(_url: &str) -> i64 {
    35
}

async fn migrations_apply_once_and_report_the_version(url: &str) {
    let latest = latest_migration(url);
    let store = Store::open(url).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), Some(latest));
    store.migrate().await.unwrap();
    store.close().await;
    let again = Store::open(url).await.unwrap();
    assert_eq!(again.schema_version().await.unwrap(), Some(latest));
    again.close().await;
}

async fn a_database_migrated_by_a_newer_leadbot_is_refused(url: &str) {
    let store = Store::open(url).await.unwrap();
    store.close().await;
    common::record_a_future_migration(url).await;
    match Store::open(url).await {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (99, latest_migration(url)));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

async fn a_turn_stores_everything_or_nothing(url: &str) {
    let store = Store::open(url).await.unwrap();
    let script = english_script();
    let lead = started(&store, "dana").await;

    let mut tx = store.begin_turn(&test_key("dana")).await.unwrap();
    let mut conversation = tx.conversation().await.unwrap().unwrap();
    assert_eq!(conversation.lead_id, lead);
    let turn = engine::step(
        &script,
        conversation.state.clone(),
        &Input::Text("Dana".into()),
        at(5),
    );
    conversation.state = turn.state.clone();
    tx.save(
        &conversation,
        Some(("Dana", Some("ev-1"))),
        &turn.effects,
        &[],
        5_000,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin_turn(&test_key("dana")).await.unwrap();
    let stored = tx.conversation().await.unwrap().unwrap();
    assert_eq!(stored.state, turn.state);
    assert_eq!(
        stored.state.contact.get("name").map(String::as_str),
        Some("Dana")
    );
    drop(tx);

    // A turn that is dropped before commit leaves no trace.
    let mut tx = store.begin_turn(&test_key("dana")).await.unwrap();
    let mut conversation = tx.conversation().await.unwrap().unwrap();
    let turn = engine::step(
        &script,
        conversation.state.clone(),
        &Input::Text("Acme".into()),
        at(9),
    );
    conversation.state = turn.state;
    tx.save(
        &conversation,
        Some(("Acme", None)),
        &turn.effects,
        &[],
        9_000,
    )
    .await
    .unwrap();
    drop(tx);
    let mut tx = store.begin_turn(&test_key("dana")).await.unwrap();
    assert_eq!(
        tx.conversation().await.unwrap().unwrap().state,
        stored.state
    );
    drop(tx);
    store.close().await;

    assert_eq!(count_rows(url, "answers").await, 1);
    assert_eq!(count_rows(url, "messages WHERE direction = 'in'").await, 1);
    assert_eq!(count_rows(url, "leads WHERE name = 'Dana'").await, 1);
}

async fn a_repeated_event_id_is_claimed_once(url: &str) {
    let store = Store::open(url).await.unwrap();
    let mut tx = store.begin_turn(&test_key("a")).await.unwrap();
    assert!(tx.claim_event("Ev123", 1).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.begin_turn(&test_key("b")).await.unwrap();
    assert!(!tx.claim_event("Ev123", 2).await.unwrap());
    drop(tx);
    let mut tx = store.begin_turn(&test_key("b")).await.unwrap();
    assert!(tx.claim_event("Ev124", 2).await.unwrap());
    drop(tx);
    // The rolled-back claim of Ev124 is free again.
    let mut tx = store.begin_turn(&test_key("b")).await.unwrap();
    assert!(tx.claim_event("Ev124", 3).await.unwrap());
    tx.commit().await.unwrap();

    // Claiming and loading in one step: a seen event gives nothing, a new one the conversation.
    let mut tx = store.begin_turn(&test_key("c")).await.unwrap();
    assert_eq!(tx.claim_and_load("Ev123", 4).await.unwrap(), None);
    drop(tx);
    let lead = started(&store, "c").await;
    let mut tx = store.begin_turn(&test_key("c")).await.unwrap();
    let loaded = tx.claim_and_load("Ev125", 5).await.unwrap();
    assert_eq!(loaded.flatten().map(|c| c.lead_id), Some(lead));
    tx.commit().await.unwrap();
    let mut tx = store.begin_turn(&test_key("nobody")).await.unwrap();
    assert_eq!(tx.claim_and_load("Ev126", 6).await.unwrap(), Some(None));
    tx.commit().await.unwrap();
    let mut tx = store.begin_turn(&test_key("c")).await.unwrap();
    assert_eq!(tx.claim_and_load("Ev125", 7).await.unwrap(), None);
    drop(tx);
    store.close().await;
    assert_eq!(count_rows(url, "processed_events").await, 4);
}

/// A turn whose start already went with an earlier statement (a read) claims and loads the
/// same way: inside that transaction, under the lock it took.
async fn a_claim_after_another_statement_of_the_turn_is_the_same(url: &str) {
    let store = Store::open(url).await.unwrap();
    let lead = started(&store, "d").await;
    let mut tx = store.begin_turn(&test_key("d")).await.unwrap();
    assert_eq!(
        tx.conversation().await.unwrap().map(|c| c.lead_id),
        Some(lead)
    );
    let loaded = tx.claim_and_load("Ev-d1", 1).await.unwrap();
    assert_eq!(loaded.flatten().map(|c| c.lead_id), Some(lead));
    assert_eq!(tx.claim_and_load("Ev-d1", 2).await.unwrap(), None);
    tx.commit().await.unwrap();
    let mut tx = store.begin_turn(&test_key("d")).await.unwrap();
    assert_eq!(
        tx.conversation().await.unwrap().map(|c| c.lead_id),
        Some(lead)
    );
    assert_eq!(tx.claim_and_load("Ev-d1", 3).await.unwrap(), None);
    drop(tx);
    store.close().await;
    assert_eq!(
        count_rows(url, "processed_events WHERE event_id = 'Ev-d1'").await,
        1
    );
}

async fn writes_queued_together_are_each_committed_or_rolled_back(url: &str) {
    let store = Arc::new(Store::open(url).await.unwrap());
    for prospect in 0..40 {
        started(&store, &format!("g{prospect}")).await;
    }
    let mut tasks = Vec::new();
    for prospect in 0..40_i32 {
        let store = store.clone();
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let event = format!("ev-g{prospect}");
            let mut tx = store
                .begin_turn(&test_key(&format!("g{prospect}")))
                .await
                .unwrap();
            let mut conversation = claimed_existing(&mut tx, &event).await;
            tokio::task::yield_now().await;
            conversation.state.score = 1000 + prospect;
            tx.save(&conversation, Some(("queued", Some(&event))), &[], &[], 1)
                .await
                .unwrap();
            if prospect % 4 == 0 {
                // Abandoned among the others: none of it may be stored.
                drop(tx);
                return;
            }
            tx.commit().await.unwrap();
            // Committed means stored: another connection sees it at once.
            let stored = format!("processed_events WHERE event_id = '{event}'");
            assert_eq!(count_rows(&url, &stored).await, 1, "{event}");
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    store.close().await;
    assert_eq!(
        count_rows(url, "processed_events WHERE event_id LIKE 'ev-g%'").await,
        30
    );
    assert_eq!(count_rows(url, "messages WHERE body = 'queued'").await, 30);
    assert_eq!(count_rows(url, "conversations WHERE turns = 2").await, 30);
    for prospect in (0..40).step_by(4) {
        let abandoned = format!("processed_events WHERE event_id = 'ev-g{prospect}'");
        assert_eq!(count_rows(url, &abandoned).await, 0);
    }
}

async fn concurrent_turns_of_one_conversation_apply_one_after_the_other(url: &str) {
    let store = Arc::new(Store::open(url).await.unwrap());
    started(&store, "busy").await;
    let mut tasks = Vec::new();
    for worker in 0..24 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin_turn(&test_key("busy")).await.unwrap();
            let mut conversation = tx.conversation().await.unwrap().unwrap();
            tokio::task::yield_now().await;
            conversation.state.score += 1;
            conversation.state.path.push(format!("w{worker}"));
            tx.save(&conversation, Some(("x", None)), &[], &[], worker)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // The same with each turn's start as platform events have it: lock, claim and read in
    // one step (on PostgreSQL one round trip), the address and event ids full of quotes.
    let quoted = "it's \\ \"busy\" 💬";
    started(&store, quoted).await;
    let mut tasks = Vec::new();
    for worker in 0..24 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin_turn(&test_key(quoted)).await.unwrap();
            let event = format!("ev '{worker}' \\'");
            let mut conversation = claimed_existing(&mut tx, &event).await;
            tokio::task::yield_now().await;
            conversation.state.score += 1;
            tx.save(&conversation, Some(("y", Some(&event))), &[], &[], worker)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for (address, turns) in [("busy", 24), (quoted, 24)] {
        let mut tx = store.begin_turn(&test_key(address)).await.unwrap();
        let state = tx.conversation().await.unwrap().unwrap().state;
        drop(tx);
        assert_eq!(state.score, turns, "no update lost ({address})");
    }
    let mut tx = store.begin_turn(&test_key("busy")).await.unwrap();
    let state = tx.conversation().await.unwrap().unwrap().state;
    drop(tx);
    assert_eq!(state.path.len(), 1 + 24);
    let mut tx = store.begin_turn(&test_key(quoted)).await.unwrap();
    assert_eq!(tx.claim_and_load("ev '3' \\'", 2).await.unwrap(), None);
    drop(tx);
    store.close().await;
    assert_eq!(
        count_rows(url, "processed_events WHERE event_id LIKE 'ev ''%'").await,
        24
    );
}

fn handoff_item(key: &str) -> NewOutboxItem {
    NewOutboxItem {
        destination: "console".into(),
        idempotency_key: key.into(),
        ordering_key: None,
        message: OutboxMessage::RelayToProspect(ProspectReply {
            conversation_id: 1,
            lead_id: 1,
            channel: "test".into(),
            address: key.into(),
            context: serde_json::Value::Null,
            index: 0,
            reply: leadbot::engine::Reply {
                text: format!("for {key}"),
                step: None,
                choices: Vec::new(),
                multiple: false,
                link: None,
            },
        }),
    }
}

async fn save_outbox(store: &Store, address: &str, items: &[NewOutboxItem]) {
    let mut tx = store.begin_turn(&test_key(address)).await.unwrap();
    let conversation = tx.conversation().await.unwrap().unwrap();
    tx.save(&conversation, None, &[], items, 0).await.unwrap();
    tx.commit().await.unwrap();
}

async fn outbox_items_are_leased_retried_and_delivered_once(url: &str) {
    let store = Store::open(url).await.unwrap();
    started(&store, "o").await;
    save_outbox(
        &store,
        "o",
        &[handoff_item("k1"), handoff_item("k1"), handoff_item("k2")],
    )
    .await;
    save_outbox(&store, "o", &[handoff_item("k1")]).await;

    let claimed = store.claim_outbox("console", 10, 1_000, 10).await.unwrap();
    let keys: Vec<&str> = claimed.iter().map(|i| i.idempotency_key.as_str()).collect();
    assert_eq!(
        keys,
        vec!["k1", "k2"],
        "the idempotency key queues an item once"
    );
    assert!(
        store
            .claim_outbox("console", 10, 1_000, 20)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    assert!(
        store
            .claim_outbox("slack", 10, 1_000, 20)
            .await
            .unwrap()
            .is_empty()
    );

    store.outbox_delivered(claimed[0].id, 30).await.unwrap();
    store
        .outbox_failed(claimed[1].id, "HTTP 500", Some(5_000))
        .await
        .unwrap();
    assert!(
        store
            .claim_outbox("console", 10, 1_000, 4_999)
            .await
            .unwrap()
            .is_empty()
    );
    let retry = store
        .claim_outbox("console", 10, 1_000, 5_000)
        .await
        .unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(
        (retry[0].idempotency_key.as_str(), retry[0].attempts),
        ("k2", 2)
    );

    // A worker that dies mid-delivery loses its lease; the item is handed out again.
    let again = store
        .claim_outbox("console", 10, 1_000, 6_001)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    store
        .outbox_failed(again[0].id, "gave up", None)
        .await
        .unwrap();
    assert!(
        store
            .claim_outbox("console", 10, 1_000, 99_999)
            .await
            .unwrap()
            .is_empty()
    );
    store.close().await;
}

async fn concurrent_workers_never_claim_the_same_item(url: &str) {
    let store = Arc::new(Store::open(url).await.unwrap());
    started(&store, "many").await;
    let items: Vec<NewOutboxItem> = (0..300).map(|i| handoff_item(&format!("m{i}"))).collect();
    save_outbox(&store, "many", &items).await;
    let mut workers = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_outbox("console", 7, 60_000, 100).await.unwrap();
                if batch.is_empty() {
                    break mine;
                }
                for item in batch {
                    store.outbox_delivered(item.id, 100).await.unwrap();
                    mine.push(item.id);
                }
            }
        }));
    }
    let mut seen = HashSet::new();
    let mut total = 0;
    for worker in workers {
        for id in worker.await.unwrap() {
            total += 1;
            assert!(seen.insert(id), "item {id} claimed twice");
        }
    }
    assert_eq!(total, 300);
    store.close().await;
}

async fn script_versions_are_kept(url: &str) {
    let store = Store::open(url).await.unwrap();
    let v1 = english_script();
    let edited = v1.source.replace("What brings you", "What brought you");
    let v2 = leadbot::script::parse(&edited, std::path::Path::new("saas-en.toml")).unwrap();
    let mut tx = store.begin_turn(&test_key("v")).await.unwrap();
    tx.remember_script(&v1, 0).await.unwrap();
    tx.remember_script(&v1, 0).await.unwrap();
    tx.remember_script(&v2, 0).await.unwrap();
    tx.commit().await.unwrap();
    let source = |version| {
        let store = store.clone();
        async move { store.script_source("saas-en", &version).await.unwrap() }
    };
    assert_eq!(source(v1.version.clone()).await, Some(v1.source.clone()));
    assert_eq!(source(v2.version.clone()).await, Some(edited));
    let unknown = leadbot::script::ScriptVersion::of("another text");
    assert_eq!(source(unknown).await, None);
    store.close().await;
}

/// A database from before migration 10 names script versions by number: leadbot re-stores
/// each under its hash and moves the conversations, leads and states that name it, once.
async fn numbered_script_versions_become_hashes(url: &str) {
    let store = Store::open(url).await.unwrap();
    let lead = started(&store, "numbered").await;
    let script = english_script();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    // Put the database back as migration 7 left it: numbered versions, numbers in the state.
    sqlx::query(
        "CREATE TABLE script_versions_numbered (script_id TEXT NOT NULL, version BIGINT NOT NULL, \
         source TEXT NOT NULL, stored_at BIGINT NOT NULL, PRIMARY KEY (script_id, version))",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO script_versions_numbered VALUES ($1, 2, $2, 5)")
        .bind(&script.id)
        .bind(&script.source)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM script_versions")
        .execute(&pool)
        .await
        .unwrap();
    let state: String = sqlx::query_scalar("SELECT state FROM conversations")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut state: serde_json::Value = serde_json::from_str(&state).unwrap();
    state["script_version"] = 2.into();
    sqlx::query("UPDATE conversations SET state = $1, script_version = '2'")
        .bind(state.to_string())
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE leads SET script_version = '2'")
        .execute(&pool)
        .await
        .unwrap();

    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    let hash = script.version.as_str();
    let conversation: String = sqlx::query_scalar("SELECT script_version FROM conversations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(conversation, hash);
    let lead_version: String = sqlx::query_scalar("SELECT script_version FROM leads WHERE id = $1")
        .bind(lead)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(lead_version, hash);
    let mut tx = store.begin_turn(&test_key("numbered")).await.unwrap();
    let state = tx.conversation().await.unwrap().unwrap().state;
    assert_eq!(state.script_version, script.version);
    drop(tx);
    let stored = store.stored_versions(&script.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].label.as_deref(), Some("2"));
    assert_eq!(stored[0].source, script.source);
    assert_eq!(stored[0].stored_at_ms, 5);
    pool.close().await;
    store.close().await;
}

async fn effects_are_stored_as_rows(url: &str) {
    let store = Store::open(url).await.unwrap();
    let script = english_script();
    started(&store, "rows").await;
    let mut state_effects: Vec<Effect> = Vec::new();
    let mut tx = store.begin_turn(&test_key("rows")).await.unwrap();
    let mut conversation = tx.conversation().await.unwrap().unwrap();
    let mut turn = engine::step(
        &script,
        conversation.state.clone(),
        &Input::Text("Dana".into()),
        at(1),
    );
    state_effects.extend(turn.effects.clone());
    turn = engine::step(&script, turn.state, &Input::Text("Acme".into()), at(2));
    state_effects.extend(turn.effects.clone());
    turn = engine::step(&script, turn.state, &Input::Text("1".into()), at(3));
    state_effects.extend(turn.effects.clone());
    conversation.state = turn.state;
    tx.save(&conversation, Some(("1", None)), &state_effects, &[], 3_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await;
    assert_eq!(count_rows(url, "answers").await, 3);
    assert_eq!(
        count_rows(url, "score_events WHERE rule = 'step:need' AND points = 20").await,
        1
    );
    assert_eq!(
        count_rows(url, "leads WHERE company = 'Acme' AND score > 0").await,
        1
    );
}

/// An export reads each lead with its owner, its answers and the reasons for its score, and
/// the filter picks the leads on both sides of the join.
async fn lead_exports_carry_the_owner_and_the_score_reasons(url: &str) {
    let store = Store::open(url).await.unwrap();
    let script = english_script();
    let owned = started(&store, "owned").await;
    let other = started(&store, "other").await;
    let mut tx = store.begin_turn(&test_key("owned")).await.unwrap();
    let mut conversation = tx.conversation().await.unwrap().unwrap();
    let mut effects: Vec<Effect> = Vec::new();
    let mut state = conversation.state.clone();
    for (second, answer) in [(100, "Dana"), (200, "Acme"), (300, "1")] {
        let turn = engine::step(&script, state, &Input::Text(answer.into()), at(second));
        effects.extend(turn.effects);
        state = turn.state;
    }
    conversation.state = state;
    tx.save(&conversation, Some(("1", None)), &effects, &[], 3_000)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut write = store.begin_handoff().await.unwrap();
    write
        .handoffs()
        .await
        .unwrap()
        .set_owner(owned, Some("kim"))
        .await
        .unwrap();
    write.commit().await.unwrap();

    let exports = store.lead_exports(&LeadFilter::default()).await.unwrap();
    assert_eq!(exports.len(), 2);
    let export = exports.iter().find(|e| e.lead.id == owned).unwrap();
    assert_eq!(export.lead.owner.as_deref(), Some("kim"));
    assert_eq!(export.lead.channel, "test");
    assert_eq!(export.lead.script_id, "saas-en");
    let reasons: Vec<(i64, &str)> = export
        .score_events
        .iter()
        .map(|event| (event.points, event.reason.as_str()))
        .collect();
    assert_eq!(reasons, [(20, "need: Replacing our current tool")]);
    assert_eq!(
        export
            .answers
            .iter()
            .map(|a| a.step.as_str())
            .collect::<Vec<_>>(),
        ["name", "company", "need"]
    );
    assert_eq!(export.lead.score, 20);
    let unowned = exports.iter().find(|e| e.lead.id == other).unwrap();
    assert_eq!(unowned.lead.owner, None);
    assert!(unowned.score_events.is_empty() && unowned.answers.is_empty());

    let filter = |stage: &str| LeadFilter {
        stage: Some(stage.into()),
        ..LeadFilter::default()
    };
    let leads = store.lead_exports(&filter("lead")).await.unwrap();
    assert_eq!(leads.len(), 2);
    assert!(
        leads
            .iter()
            .any(|e| e.lead.id == owned && e.score_events.len() == 1)
    );
    assert!(store.lead_exports(&filter("sql")).await.unwrap().is_empty());
    store.close().await;
}

/// A turn that ends without committing — dropped after an error, or its task cancelled while
/// it held the conversation — leaves nothing behind: its claim and writes are rolled back, and
/// its connection and the conversation's lock go to the next turn (here the only connection).
async fn an_abandoned_turn_leaves_nothing_and_gives_back_its_connection_and_lock(url: &str) {
    let store = Store::open_with(
        url,
        StoreOptions {
            write_connections: 1,
        },
    )
    .await
    .unwrap();
    started(&store, "a").await;
    let key = test_key("a");

    let mut dropped = store.begin_turn(&key).await.unwrap();
    let conversation = claimed_existing(&mut dropped, "E1").await;
    dropped
        .save(&conversation, Some(("dropped", Some("E1"))), &[], &[], 1)
        .await
        .unwrap();
    drop(dropped);

    let (claimed, is_claimed) = tokio::sync::oneshot::channel();
    let cancelled = tokio::spawn({
        let store = store.clone();
        let key = key.clone();
        async move {
            let mut tx = store.begin_turn(&key).await.unwrap();
            let conversation = claimed_existing(&mut tx, "E2").await;
            tx.save(&conversation, Some(("cancelled", Some("E2"))), &[], &[], 2)
                .await
                .unwrap();
            let _ = claimed.send(());
            std::future::pending::<()>().await;
            tx.commit().await.unwrap();
        }
    });
    is_claimed.await.unwrap();
    cancelled.abort();

    let next_turn = async {
        let mut tx = store.begin_turn(&key).await.unwrap();
        let conversation = claimed_existing(&mut tx, "E1").await;
        assert!(tx.claim_event("E2", 3).await.unwrap(), "E2 was kept");
        tx.save(&conversation, Some(("next", Some("E1"))), &[], &[], 3)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    };
    let given_back = tokio::time::timeout(Duration::from_secs(10), next_turn).await;
    assert!(
        given_back.is_ok(),
        "the connection or the lock was not given back"
    );
    let mut tx = store.begin_turn(&key).await.unwrap();
    assert_eq!(tx.claim_and_load("E1", 4).await.unwrap(), None);
    drop(tx);
    store.close().await;
    assert_eq!(
        count_rows(url, "messages WHERE body IN ('dropped', 'cancelled')").await,
        0
    );
    assert_eq!(count_rows(url, "messages WHERE body = 'next'").await, 1);
    assert_eq!(count_rows(url, "conversations WHERE turns = 2").await, 1);
    assert_eq!(count_rows(url, "processed_events").await, 2);
}

/// A lead name (see [`save_text`]) that the test triggers refuse in the update of the lead: the
/// last statement of the turn's write batch fails, after the others ran.
const FAILS_MID_BATCH: &str = "fails mid-batch";
/// An inbound message that makes the test triggers refuse the turn's commit (a deferred
/// constraint), after every statement of the turn ran.
const FAILS_AT_COMMIT: &str = "fails at commit";

/// Installs the triggers behind [`FAILS_MID_BATCH`] and [`FAILS_AT_COMMIT`], as another client
/// of the database.
async fn install_failures(url: &str) {
    let statements: &[&str] = if url.starts_with("sqlite") {
        &[
            "CREATE TRIGGER test_fails_mid_batch BEFORE UPDATE ON leads \
             WHEN NEW.name = 'fails mid-batch' \
             BEGIN SELECT RAISE(ABORT, 'refused by test_fails_mid_batch'); END",
            "CREATE TABLE test_parent (id INTEGER PRIMARY KEY)",
            "CREATE TABLE test_child (parent INTEGER REFERENCES test_parent (id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER test_fails_at_commit AFTER INSERT ON messages \
             WHEN NEW.body = 'fails at commit' BEGIN INSERT INTO test_child (parent) VALUES (1); END",
        ]
    } else {
        &[
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by %', TG_NAME; END $$",
            "CREATE TRIGGER test_fails_mid_batch BEFORE UPDATE ON leads FOR EACH ROW \
             WHEN (NEW.name = 'fails mid-batch') EXECUTE FUNCTION test_refuse()",
            "CREATE CONSTRAINT TRIGGER test_fails_at_commit AFTER INSERT ON messages \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.body = 'fails at commit') \
             EXECUTE FUNCTION test_refuse()",
        ]
    };
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    for statement in statements {
        sqlx::query(*statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
}

/// Saves a turn of `conversation` for `event` whose inbound message, and the lead's name, are
/// `text`.
async fn save_text(
    tx: &mut TurnTx,
    mut conversation: StoredConversation,
    event: &str,
    text: &str,
) -> Result<(), StoreError> {
    conversation
        .state
        .contact
        .insert("name".to_string(), text.to_string());
    tx.save(&conversation, Some((text, Some(event))), &[], &[], 1)
        .await
}

/// One turn of an existing conversation, as [`save_text`] has it: `Ok(true)` when stored,
/// `Ok(false)` when the event was a duplicate.
async fn turn_with(
    store: &Store,
    address: &str,
    event: &str,
    text: &str,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_turn(&test_key(address)).await?;
    let Some(conversation) = tx.claim_and_load(event, 1).await? else {
        return Ok(false);
    };
    save_text(&mut tx, conversation.unwrap(), event, text).await?;
    tx.commit().await?;
    Ok(true)
}

/// Waits until `retry` is held up by the turn that holds its conversation: on PostgreSQL until
/// the server shows a session waiting for an advisory lock; on SQLite, whose one writer is
/// queued for inside the process, for a pause (which proves nothing by itself: the assertion
/// that follows does).
async fn until_held_up<T>(url: &str, retry: &tokio::task::JoinHandle<T>) {
    if url.starts_with("postgres") {
        let pool = sqlx::AnyPool::connect(url).await.unwrap();
        let waiting = async {
            loop {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
                )
                .fetch_one(&pool)
                .await
                .unwrap();
                if waiting > 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        let seen = tokio::time::timeout(Duration::from_secs(10), waiting).await;
        pool.close().await;
        assert!(
            seen.is_ok(),
            "the retry never waited for the conversation's lock"
        );
    } else {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        !retry.is_finished(),
        "the retry went ahead while the first copy held its claim uncommitted"
    );
}

/// SQLite commits turns in groups (savepoints in one transaction): a turn that fails midway —
/// its write batch refused after some of its statements ran — rolls back its own savepoint
/// only, and the turns queued with it commit. (On PostgreSQL every turn is a transaction of its
/// own; the same must hold.)
async fn a_turn_failing_midway_rolls_back_alone_and_the_turns_queued_with_it_commit(url: &str) {
    let store = Arc::new(Store::open(url).await.unwrap());
    install_failures(url).await;
    for prospect in 0..24 {
        started(&store, &format!("m{prospect}")).await;
    }
    // The first turn holds the writer while the others queue behind it: on SQLite they go
    // into one group, committed after the last of them.
    let mut first = store.begin_turn(&test_key("m0")).await.unwrap();
    let conversation = claimed_existing(&mut first, "ev-m0").await;
    let mut turns = Vec::new();
    for prospect in 1..24 {
        let store = store.clone();
        let text = if prospect % 3 == 1 {
            FAILS_MID_BATCH
        } else {
            "fine"
        };
        turns.push((
            prospect,
            text,
            tokio::spawn(async move {
                turn_with(
                    &store,
                    &format!("m{prospect}"),
                    &format!("ev-m{prospect}"),
                    text,
                )
                .await
            }),
        ));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    save_text(&mut first, conversation, "ev-m0", "fine")
        .await
        .unwrap();
    first.commit().await.unwrap();
    for (prospect, text, turn) in turns {
        let outcome = turn.await.unwrap();
        if text == FAILS_MID_BATCH {
            assert!(outcome.is_err(), "m{prospect} should have failed");
        } else {
            assert!(outcome.unwrap(), "m{prospect} was not stored");
        }
    }
    store.close().await;
    // Of 24 turns, m1, m4, ... m22 (8) failed.
    assert_eq!(count_rows(url, "processed_events").await, 16);
    assert_eq!(count_rows(url, "messages WHERE body = 'fine'").await, 16);
    assert_eq!(
        count_rows(url, "messages WHERE body = 'fails mid-batch'").await,
        0
    );
    assert_eq!(count_rows(url, "conversations WHERE turns = 2").await, 16);
    for prospect in (1..24).step_by(3) {
        let failed = format!("processed_events WHERE event_id = 'ev-m{prospect}'");
        assert_eq!(
            count_rows(url, &failed).await,
            0,
            "m{prospect} left its claim"
        );
    }
}

/// A platform retry that arrives while the first copy of its event is still being processed
/// waits for it; when the first copy then fails, the retry processes the event — it is never
/// told "duplicate" about a claim that was not stored.
async fn a_retry_waiting_on_a_claim_processes_the_event_when_the_first_copy_fails(url: &str) {
    let store = Arc::new(Store::open(url).await.unwrap());
    install_failures(url).await;
    started(&store, "r").await;
    let mut first = store.begin_turn(&test_key("r")).await.unwrap();
    let conversation = claimed_existing(&mut first, "ev-r").await;
    let retry = tokio::spawn({
        let store = store.clone();
        async move { turn_with(&store, "r", "ev-r", "retried").await }
    });
    until_held_up(url, &retry).await;
    save_text(&mut first, conversation, "ev-r", FAILS_MID_BATCH)
        .await
        .unwrap();
    assert!(first.commit().await.is_err());
    assert!(
        retry.await.unwrap().unwrap(),
        "the retry was told the event was a duplicate"
    );
    store.close().await;
    assert_eq!(count_rows(url, "processed_events").await, 1);
    assert_eq!(count_rows(url, "messages WHERE body = 'retried'").await, 1);
    assert_eq!(count_rows(url, "conversations WHERE turns = 2").await, 1);
}

/// The same when the first copy fails only at its commit, after every statement ran: on SQLite
/// its claim then sat released in a group that a retry queued behind it could see. The retry
/// is not told "duplicate": it processes the event (PostgreSQL) or fails, so the platform
/// retries again (SQLite); either way the event is stored once.
async fn a_retry_is_not_told_duplicate_when_the_first_copy_fails_at_commit(url: &str) {
    let store = Arc::new(Store::open(url).await.unwrap());
    install_failures(url).await;
    started(&store, "c").await;
    let mut first = store.begin_turn(&test_key("c")).await.unwrap();
    let conversation = claimed_existing(&mut first, "ev-c").await;
    let retry = tokio::spawn({
        let store = store.clone();
        async move { turn_with(&store, "c", "ev-c", "retried").await }
    });
    until_held_up(url, &retry).await;
    save_text(&mut first, conversation, "ev-c", FAILS_AT_COMMIT)
        .await
        .unwrap();
    assert!(first.commit().await.is_err());
    match retry.await.unwrap() {
        Ok(stored) => assert!(stored, "the retry was told the event was a duplicate"),
        Err(_) => {
            let again = turn_with(&store, "c", "ev-c", "retried").await.unwrap();
            assert!(again, "a later retry was told the event was a duplicate");
        }
    }
    store.close().await;
    assert_eq!(count_rows(url, "processed_events").await, 1);
    assert_eq!(count_rows(url, "messages WHERE body = 'retried'").await, 1);
    assert_eq!(
        count_rows(url, "messages WHERE body = 'fails at commit'").await,
        0
    );
}

/// Text from outside that SQL would read as syntax: quotes, backslashes, placeholders,
/// comments, statement separators, escapes of either backend, and text that is not ASCII.
const HOSTILE_TEXT: &[&str] = &[
    "it's",
    "'); DELETE FROM processed_events; --",
    "\\'; DROP TABLE leads; --",
    "E'\\\\' || pg_sleep(5) || '",
    "x'00'",
    "$1",
    "$2 $$ $tag$ $3",
    "?, ?1, :name, @p",
    "-- comment",
    "/* open comment",
    ";",
    "a\\b\\\\c\\",
    "\"double\" `back` [square]",
    "line\nbreak\ttab\r",
    "%_ LIKE",
    "💬🔥 façade 한국어 \u{202e}",
];

/// A conversation's address, an event id and a message made of [`HOSTILE_TEXT`] are stored
/// exactly and change no statement; a NUL character is refused with a clear error, before
/// anything is stored.
async fn outside_text_is_stored_exactly_and_never_changes_a_statement(url: &str) {
    let store = Store::open(url).await.unwrap();
    let script = english_script();
    for text in HOSTILE_TEXT {
        let key = test_key(text);
        let mut tx = store.begin_turn(&key).await.unwrap();
        assert_eq!(
            tx.claim_and_load(text, 1).await.unwrap(),
            Some(None),
            "{text:?}"
        );
        let turn = engine::start(&script, at(0));
        let mut conversation = tx.start_conversation(&turn.state, 1).await.unwrap();
        conversation.state = turn.state;
        tx.save(&conversation, Some((text, Some(text))), &[], &[], 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let record = store
            .lead_record(conversation.lead_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.address, *text);
        assert_eq!(record.transcript[0].body, *text);
        let stored = store.read_conversation(&key).await.unwrap().unwrap();
        assert_eq!(stored.id, conversation.id, "{text:?}");
        let mut tx = store.begin_turn(&key).await.unwrap();
        assert_eq!(tx.claim_and_load(text, 2).await.unwrap(), None, "{text:?}");
        drop(tx);
    }

    for (key, event, what) in [
        (test_key("nul\0address"), "ev-1", "conversation address"),
        (
            leadbot::conversation::ConversationKey {
                channel: "te\0st".into(),
                address: "nul".into(),
            },
            "ev-2",
            "conversation channel",
        ),
        (test_key("nul"), "ev\0nul", "event id"),
    ] {
        let refused = async {
            let mut tx = store.begin_turn(&key).await?;
            tx.claim_and_load(event, 3).await
        }
        .await;
        match refused {
            Err(error @ StoreError::NulCharacter(_)) => {
                let message = error.to_string();
                assert!(
                    message.contains(what) && message.contains("NUL"),
                    "{message}"
                );
            }
            other => panic!("a NUL in the {what} was not refused: {other:?}"),
        }
    }
    store.close().await;

    // Every text once, byte for byte, in each table it went to; nothing else there.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    for (sql, expected) in [
        ("SELECT event_id FROM processed_events", HOSTILE_TEXT.len()),
        ("SELECT address FROM leads", HOSTILE_TEXT.len()),
        ("SELECT address FROM conversations", HOSTILE_TEXT.len()),
        (
            "SELECT body FROM messages WHERE body = event_id",
            HOSTILE_TEXT.len(),
        ),
    ] {
        let stored: Vec<String> = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
        let stored: HashSet<&str> = stored.iter().map(String::as_str).collect();
        let hostile: HashSet<&str> = HOSTILE_TEXT.iter().copied().collect();
        assert_eq!(stored, hostile, "{sql}");
        assert_eq!(stored.len(), expected);
    }
    pool.close().await;
}

on_both_databases!(
    an_abandoned_turn_leaves_nothing_and_gives_back_its_connection_and_lock,
    a_turn_failing_midway_rolls_back_alone_and_the_turns_queued_with_it_commit,
    a_retry_waiting_on_a_claim_processes_the_event_when_the_first_copy_fails,
    a_retry_is_not_told_duplicate_when_the_first_copy_fails_at_commit,
    outside_text_is_stored_exactly_and_never_changes_a_statement,
    migrations_apply_once_and_report_the_version,
    a_database_migrated_by_a_newer_leadbot_is_refused,
    a_turn_stores_everything_or_nothing,
    a_repeated_event_id_is_claimed_once,
    a_claim_after_another_statement_of_the_turn_is_the_same,
    writes_queued_together_are_each_committed_or_rolled_back,
    concurrent_turns_of_one_conversation_apply_one_after_the_other,
    outbox_items_are_leased_retried_and_delivered_once,
    concurrent_workers_never_claim_the_same_item,
    script_versions_are_kept,
    numbered_script_versions_become_hashes,
    effects_are_stored_as_rows,
    lead_exports_carry_the_owner_and_the_score_reasons,
);

/// A write connection waits idle inside an empty transaction (its `BEGIN` went with the last
/// `COMMIT`). A server that ends such sessions after a while costs no turn: the store learns the
/// timeout on connect and checks a connection idle for half of it before using it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_server_ending_idle_transactions_costs_no_turn() {
    let db = common::TestDb::postgres().await;
    let name = db.url.rsplit('/').next().unwrap().to_string();
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&db.url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {name} SET idle_in_transaction_session_timeout = '1s'"
    )))
    .execute(&admin)
    .await
    .unwrap();
    let store = Store::open_with(
        &db.url,
        StoreOptions {
            write_connections: 1,
        },
    )
    .await
    .unwrap();
    started(&store, "idle").await;
    let idle_in_transaction = "SELECT COUNT(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND state = 'idle in transaction'";
    let waiting: i64 = sqlx::query_scalar(idle_in_transaction)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(
        waiting, 1,
        "the write connection went back inside a transaction"
    );
    let ended = async {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let waiting: i64 = sqlx::query_scalar(idle_in_transaction)
                .fetch_one(&admin)
                .await
                .unwrap();
            if waiting == 0 {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), ended)
        .await
        .expect("the server did not end the idle session");
    assert!(
        turn_with(&store, "idle", "ev-idle", "after the timeout")
            .await
            .unwrap()
    );
    store.close().await;
    admin.close().await;
    db.finish().await;
}

/// Other replicas' delivery workers hear of a turn's outbox items when it commits, not
/// before, and not from a turn that queued none.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_notifies_the_outbox_channel_when_a_turn_with_items_commits() {
    let db = common::TestDb::postgres().await;
    let store = Store::open(&db.url).await.unwrap();
    started(&store, "n").await;
    let mut listener = sqlx::postgres::PgListener::connect(&db.url).await.unwrap();
    listener
        .listen(leadbot::store::OUTBOX_NOTIFY_CHANNEL)
        .await
        .unwrap();
    let quiet = std::time::Duration::from_millis(300);

    save_outbox(&store, "n", &[]).await;
    let none = tokio::time::timeout(quiet, listener.recv()).await;
    assert!(none.is_err(), "a turn without outbox items notified");

    let mut tx = store.begin_turn(&test_key("n")).await.unwrap();
    let conversation = tx.conversation().await.unwrap().unwrap();
    tx.save(&conversation, None, &[], &[handoff_item("n-1")], 0)
        .await
        .unwrap();
    let early = tokio::time::timeout(quiet, listener.recv()).await;
    assert!(early.is_err(), "notified before the commit");
    tx.commit().await.unwrap();
    let heard = tokio::time::timeout(std::time::Duration::from_secs(5), listener.recv())
        .await
        .expect("no notification after the commit")
        .unwrap();
    assert_eq!(heard.channel(), leadbot::store::OUTBOX_NOTIFY_CHANNEL);
    store.close().await;
    db.finish().await;
}

/// What `leadbot serve` records as the destinations it delivers, any process reads back.
async fn served_destinations_are_recorded_and_replaced(url: &str) {
    let store = Store::open(url).await.unwrap();
    assert_eq!(store.served_destinations().await.unwrap(), None);
    let first: std::collections::BTreeSet<String> =
        ["slack", "webhook", "crm:webhook"].map(String::from).into();
    store.record_served_destinations(&first, 1).await.unwrap();
    assert_eq!(store.served_destinations().await.unwrap(), Some(first));
    let second: std::collections::BTreeSet<String> = ["email"].map(String::from).into();
    store.record_served_destinations(&second, 2).await.unwrap();
    assert_eq!(store.served_destinations().await.unwrap(), Some(second));
    store.close().await;
}

on_both_databases!(served_destinations_are_recorded_and_replaced);
