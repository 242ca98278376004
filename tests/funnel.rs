//! The funnel end to end on both databases: hand-off outcomes and lead sources over the HTTP
//! API, and the report's figures on a history whose answers are known.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use leadbot::config::Secret;
use leadbot::http::AppState;
use leadbot::runtime::Runtime;
use leadbot::store::funnel::ReportFilter;

const TWO_REPS: &str = r#"
[[pools]]
id = "default"
reps = ["ana", "ben"]
sla_minutes = 15
[[reps]]
id = "ana"
name = "Ana"
email = "ana@x.io"
[[reps]]
id = "ben"
name = "Ben"
email = "ben@x.io"
"#;

async fn runtime(url: &str) -> Runtime {
    common::team_runtime(url, vec![common::quick_script()], TWO_REPS).await
}

/// Serves the API of `runtime` on a free port.
async fn serve(runtime: &Runtime) -> u16 {
    let state = AppState {
        runtime: runtime.clone(),
        api_token: Some(Secret::new("api-token".into())),
        booking_secret: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, leadbot::http::app(state)).await });
    port
}

async fn post(port: u16, path: &str, body: &str) -> (u16, String) {
    common::post_json(port, path, "api-token", body)
        .await
        .unwrap()
}

async fn a_won_deal_is_stored_with_its_value_rep_and_source(url: &str) {
    let runtime = runtime(url).await;
    let port = serve(&runtime).await;
    let first = r#"{"channel":"web","conversation":"v1","event_id":"e1","text":"hi",
        "source":"linkedin","campaign":"spring","utm":{"source":"li","medium":"cpc"},
        "company":"Acme <b>Corp</b>","email":"dana@acme.io"}"#;
    let (status, body) = post(port, "/api/messages", first).await;
    assert_eq!(status, 200, "{body}");
    let later = r#"{"channel":"web","conversation":"v1","event_id":"e2","text":"60000 USD a year",
        "source":"newsletter"}"#;
    let (status, body) = post(port, "/api/messages", later).await;
    assert!(status == 200 && body.contains(r#""stage":"sql""#), "{body}");
    let lead_id = 1;
    let source = runtime.store().lead_source(lead_id).await.unwrap().unwrap();
    assert_eq!(
        source.source.as_deref(),
        Some("linkedin"),
        "first touch wins"
    );
    assert_eq!(source.campaign.as_deref(), Some("spring"));
    assert_eq!(source.utm_medium.as_deref(), Some("cpc"));
    assert_eq!(source.company.as_deref(), Some("Acme <b>Corp</b>"));

    let handoff = runtime.store().assignments_of(lead_id).await.unwrap()[0].clone();
    let close = format!("/api/handoffs/{}/close", handoff.id);
    let (status, body) = post(port, &close, r#"{"outcome":"won","value":-5}"#).await;
    assert_eq!(status, 422, "a negative value is refused: {body}");
    let (status, body) = post(port, &close, r#"{"outcome":"maybe"}"#).await;
    assert_eq!(status, 422, "an unknown outcome is refused: {body}");
    let won = r#"{"outcome":"won","value":12000.5,"currency":"eur","note":"annual plan"}"#;
    let (status, body) = post(port, &close, won).await;
    assert!(status == 200 && body.contains(r#""closed":true"#), "{body}");
    let (_, body) = post(port, &close, r#"{"outcome":"lost"}"#).await;
    assert!(
        body.contains(r#""closed":false"#),
        "one outcome per hand-off: {body}"
    );

    let outcomes = runtime.store().outcomes_of(lead_id).await.unwrap();
    assert_eq!(outcomes.len(), 1);
    let outcome = &outcomes[0];
    assert_eq!(outcome.outcome, "won");
    assert_eq!(outcome.value_cents, Some(1_200_050));
    assert_eq!(outcome.currency.as_deref(), Some("EUR"));
    assert_eq!(outcome.rep_id, handoff.rep_id);
    assert_eq!(outcome.note.as_deref(), Some("annual plan"));
    assert!(outcome.closed_at > 0);

    assert!(runtime.store().forget_lead(lead_id, 1).await.unwrap());
    let forgotten = runtime.store().lead_source(lead_id).await.unwrap().unwrap();
    assert_eq!((forgotten.company, forgotten.email), (None, None));
    assert_eq!(forgotten.source.as_deref(), Some("linkedin"));
    runtime.store().close().await;
}

async fn a_hand_off_closed_without_an_outcome_takes_one_later(url: &str) {
    let runtime = runtime(url).await;
    let port = serve(&runtime).await;
    for (event, text) in [("e1", "hi"), ("e2", "5000 USD")] {
        let body = format!(
            r#"{{"channel":"web","conversation":"v2","event_id":"{event}","text":"{text}"}}"#
        );
        assert_eq!(post(port, "/api/messages", &body).await.0, 200);
    }
    let id = runtime.store().assignments_of(1).await.unwrap()[0].id;
    let close = format!("/api/handoffs/{id}/close");
    let (_, body) = post(port, &close, "").await;
    assert!(body.contains(r#""closed":true"#), "{body}");
    let (_, body) = post(port, &close, "").await;
    assert!(body.contains(r#""closed":false"#), "{body}");
    let (_, body) = post(port, &close, r#"{"outcome":"no_response"}"#).await;
    assert!(body.contains(r#""closed":true"#), "{body}");
    let outcomes = runtime.store().outcomes_of(1).await.unwrap();
    assert_eq!(outcomes[0].outcome, "no_response");
    runtime.store().close().await;
}

async fn message(port: u16, conversation: &str, event: &str, text: &str, extra: &str) {
    let body = format!(
        r#"{{"channel":"web","conversation":"{conversation}","event_id":"{event}","text":"{text}"{extra}}}"#
    );
    let (status, answer) = post(port, "/api/messages", &body).await;
    assert_eq!(status, 200, "{answer}");
}

/// Three prospects with known paths: one won (re-asked once first), one lost, one who stopped
/// at the budget question; the report's figures must be exactly theirs.
async fn the_report_counts_a_known_history(url: &str) {
    let runtime = runtime(url).await;
    let port = serve(&runtime).await;
    let ads = r#","source":"ads""#;
    message(port, "won", "w1", "hi", ads).await;
    message(port, "won", "w2", "help", "").await;
    message(port, "won", "w3", "60000 USD a year", "").await;
    message(port, "lost", "l1", "hi", "").await;
    message(port, "lost", "l2", "5000 USD", "").await;
    message(port, "quiet", "q1", "hi", ads).await;
    let store = runtime.store();
    for (lead, outcome) in [
        (1, r#"{"outcome":"won","value":12000}"#),
        (2, r#"{"outcome":"lost"}"#),
    ] {
        let handoff = &store.assignments_of(lead).await.unwrap()[0];
        let rep = handoff.rep_id.clone().unwrap();
        let accept = format!(r#"{{"rep":"{rep}"}}"#);
        let (status, body) = post(
            port,
            &format!("/api/handoffs/{}/accept", handoff.id),
            &accept,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (_, body) = post(
            port,
            &format!("/api/handoffs/{}/close", handoff.id),
            outcome,
        )
        .await;
        assert!(body.contains(r#""closed":true"#), "{body}");
    }
    // The won lead booked a meeting with its rep (as the booking webhook records it).
    let won_handoff = store.assignments_of(1).await.unwrap()[0].clone();
    {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(url).await.unwrap();
        sqlx::query(
            "INSERT INTO meetings (provider, external_id, lead_id, assignment_id, starts_at, created_at) \
             VALUES ('calendly', 'E1', 1, $1, 0, 0)",
        )
        .bind(won_handoff.id)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let costs = leadbot::report::costs::parse("ads=10/lead").unwrap();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let all = ReportFilter::default();
    let report = leadbot::report::build(store, &all, &costs, now_ms)
        .await
        .unwrap();
    assert_eq!(report.figures, store.funnel_recount(&all).await.unwrap());
    let funnel = &report.figures.funnel;
    assert_eq!(
        (funnel.started, funnel.leads, funnel.sql),
        (3, 2, 2),
        "{funnel:?}"
    );
    assert_eq!(report.conversion.mql_to_sql, Some(100.0));
    assert_eq!(report.conversion.sql_to_won, Some(50.0));
    let budget = &report.figures.drop_off[0];
    assert_eq!(budget.step, "budget");
    assert_eq!(
        (
            budget.asked,
            budget.answered,
            budget.reasked,
            budget.stopped
        ),
        (3, 2, 1, 1),
        "{budget:?}"
    );
    assert!(budget.median_answer_ms.is_some_and(|ms| ms >= 0));
    assert_eq!(report.figures.speed.to_sql.count, 2);
    assert_eq!(report.figures.speed.to_acceptance.count, 2);
    let reps = &report.figures.reps;
    assert_eq!(
        reps.iter().map(|rep| rep.assigned).sum::<i64>(),
        2,
        "{reps:?}"
    );
    assert_eq!(
        reps.iter().map(|rep| rep.accepted).sum::<i64>(),
        2,
        "{reps:?}"
    );
    assert_eq!(reps.iter().map(|rep| rep.open).sum::<i64>(), 0, "{reps:?}");
    assert_eq!(reps.iter().map(|rep| rep.won).sum::<i64>(), 1, "{reps:?}");
    let revenue: Vec<_> = reps.iter().flat_map(|rep| rep.revenue.clone()).collect();
    assert_eq!(revenue.len(), 1, "{reps:?}");
    assert_eq!(
        (
            revenue[0].currency.as_str(),
            revenue[0].won,
            revenue[0].value_cents
        ),
        ("USD", 1, 1_200_000)
    );
    let money = &report.figures.money;
    assert_eq!(money.revenue.len(), 1);
    assert_eq!(
        (money.revenue[0].won, money.revenue[0].value_cents),
        (1, 1_200_000)
    );
    assert_eq!(money.revenue[0].currency, "USD");
    assert_eq!(money.cycle.count, 1);
    assert_eq!(money.meetings, 1, "the booked meeting is counted");
    let booked_with = reps
        .iter()
        .find(|rep| Some(&rep.rep) == won_handoff.rep_id.as_ref())
        .unwrap();
    assert_eq!(
        booked_with.meetings, 1,
        "on the rep of its hand-off: {reps:?}"
    );
    let costs = report.costs.clone().unwrap();
    assert_eq!(costs.spent, 20.0, "two leads from ads at 10 each");
    assert_eq!(costs.per_won, Some(20.0));
    assert_eq!(report.figures.sources.len(), 2, "ads and none");

    let only_ads = ReportFilter {
        source: Some("ads".into()),
        ..ReportFilter::default()
    };
    let ads = leadbot::report::build(store, &only_ads, &costs_none(), now_ms)
        .await
        .unwrap();
    assert_eq!((ads.figures.funnel.started, ads.figures.funnel.sql), (2, 1));
    let future = ReportFilter {
        since_ms: Some(now_ms + 60_000),
        ..ReportFilter::default()
    };
    let nothing = leadbot::report::build(store, &future, &costs_none(), now_ms)
        .await
        .unwrap();
    assert_eq!(nothing.figures.funnel.started, 0);
    assert!(nothing.figures.drop_off.is_empty());
    let rep = reps.iter().find(|rep| rep.won == 1).unwrap().rep.clone();
    let by_rep = ReportFilter {
        rep: Some(rep),
        ..ReportFilter::default()
    };
    let theirs = leadbot::report::build(store, &by_rep, &costs_none(), now_ms)
        .await
        .unwrap();
    assert_eq!(theirs.figures.funnel.started, 1);
    runtime.store().close().await;
}

fn costs_none() -> leadbot::report::costs::SourceCosts {
    leadbot::report::costs::SourceCosts::new()
}

fn leadbot_command(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("LEADBOT_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap()
}

/// What the issue's "done when" asks: `bench --history` seeds a database, `report` prints the
/// funnel, drop-off, speed, reps and money tables, and the CSV and JSON agree with them.
async fn bench_history_then_report_prints_every_table(url: &str) {
    let seeded = leadbot_command(&["bench", "--history", "500", "--json", "--database", url]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let timing: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap();
    assert_eq!(timing["conversations"], 500);
    let table = leadbot_command(&["report", "--database", url]);
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let text = String::from_utf8(table.stdout).unwrap();
    for section in [
        "Funnel",
        "Drop-off per question",
        "Speed",
        "Reps",
        "Money",
        "By week",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    assert!(text.contains("started") && text.contains("500"), "{text}");
    let json = leadbot_command(&[
        "report",
        "--format",
        "json",
        "--channel",
        "web",
        "--database",
        url,
    ]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let web = report["funnel"]["started"].as_i64().unwrap();
    assert!(
        web > 100 && web < 200,
        "a third of the history is on web: {web}"
    );
    assert_eq!(report["drop_off"].as_array().map(Vec::len), Some(6));
    let csv = leadbot_command(&[
        "report",
        "--format",
        "csv",
        "--channel",
        "web",
        "--database",
        url,
    ]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("section,key,metric,value\n"), "{csv}");
    assert!(csv.contains(&format!("funnel,,started,{web}\n")), "{csv}");
    let bad = leadbot_command(&["report", "--since", "yesterday", "--database", url]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("neither YYYY-MM-DD nor RFC 3339"));
}

/// The report reads the figures kept as rows are written (migration 34); on a seeded history
/// plus real dialogues (a re-ask, a lead merged into another, deals won in two currencies)
/// every figure, under every filter, must equal the straightforward recount over the raw rows.
async fn the_report_equals_a_recount_of_the_history(url: &str) {
    let runtime = runtime(url).await;
    let store = runtime.store();
    let now_ms = chrono::Utc::now().timestamp_millis();
    store.seed_history(400, 150, now_ms, |_| {}).await.unwrap();
    // A first report counts the seeded days into the stored cube; every write after it must
    // reach the cube through the triggers' notes.
    let before = store
        .funnel_figures(&ReportFilter::default())
        .await
        .unwrap();
    assert_eq!(before.funnel.started, 400);
    assert_eq!(store.refresh_report_cube().await.unwrap(), 0);
    let port = serve(&runtime).await;
    let ads = r#","source":"ads""#;
    message(port, "won", "w1", "hi", ads).await;
    message(port, "won", "w2", "help", "").await;
    message(port, "won", "w3", "60000 USD a year", "").await;
    message(port, "euro", "e1", "hi", ads).await;
    message(port, "euro", "e2", "70000 USD a year", "").await;
    message(port, "lost", "l1", "hi", "").await;
    message(port, "lost", "l2", "5000 USD", "").await;
    message(port, "quiet", "q1", "hi", ads).await;
    message(port, "merged", "m1", "hi", "").await;
    message(port, "merged", "m2", "what?", "").await;
    let lead_of = |conversation: &'static str| async move {
        let key = leadbot::conversation::ConversationKey {
            channel: "web".into(),
            address: conversation.into(),
        };
        store
            .read_conversation(&key)
            .await
            .unwrap()
            .unwrap()
            .lead_id
    };
    let (won, euro, lost, quiet, merged) = (
        lead_of("won").await,
        lead_of("euro").await,
        lead_of("lost").await,
        lead_of("quiet").await,
        lead_of("merged").await,
    );
    for (lead, outcome) in [
        (won, r#"{"outcome":"won","value":12000,"currency":"USD"}"#),
        (euro, r#"{"outcome":"won","value":9000,"currency":"EUR"}"#),
        (lost, r#"{"outcome":"lost"}"#),
    ] {
        let handoff = &store.assignments_of(lead).await.unwrap()[0];
        let rep = handoff.rep_id.clone().unwrap();
        let accept = format!(r#"{{"rep":"{rep}"}}"#);
        let path = format!("/api/handoffs/{}/accept", handoff.id);
        assert_eq!(post(port, &path, &accept).await.0, 200);
        let path = format!("/api/handoffs/{}/close", handoff.id);
        let (_, body) = post(port, &path, outcome).await;
        assert!(body.contains(r#""closed":true"#), "{body}");
    }
    store.merge_leads(quiet, merged, now_ms).await.unwrap();
    let today = now_ms - now_ms.rem_euclid(86_400_000);
    let filters = [
        ReportFilter::default(),
        ReportFilter {
            channel: Some("web".into()),
            ..ReportFilter::default()
        },
        ReportFilter {
            source: Some("ads".into()),
            ..ReportFilter::default()
        },
        ReportFilter {
            rep: Some("ana".into()),
            ..ReportFilter::default()
        },
        ReportFilter {
            since_ms: Some(now_ms - 90 * 86_400_000),
            until_ms: Some(now_ms + 3_600_000),
            script: Some("saas-en".into()),
            ..ReportFilter::default()
        },
        ReportFilter {
            since_ms: Some(today - 30 * 86_400_000),
            until_ms: Some(today + 86_400_000),
            channel: Some("web".into()),
            source: Some("ads".into()),
            ..ReportFilter::default()
        },
    ];
    for filter in filters {
        let fast = store.funnel_figures(&filter).await.unwrap();
        let recount = store.funnel_recount(&filter).await.unwrap();
        assert_eq!(fast, recount, "{filter:?}");
        assert!(fast.funnel.started > 0, "{filter:?}");
    }
    let all = store
        .funnel_figures(&ReportFilter::default())
        .await
        .unwrap();
    let currencies: Vec<&str> = all
        .reps
        .iter()
        .flat_map(|rep| rep.revenue.iter().map(|part| part.currency.as_str()))
        .collect();
    assert!(
        currencies.contains(&"EUR") && currencies.contains(&"USD"),
        "{:?}",
        all.reps
    );
    assert!(all.drop_off.iter().any(|step| step.reasked > 0));
    runtime.store().close().await;
}

on_both_databases!(
    the_report_equals_a_recount_of_the_history,
    a_won_deal_is_stored_with_its_value_rep_and_source,
    a_hand_off_closed_without_an_outcome_takes_one_later,
    the_report_counts_a_known_history,
    bench_history_then_report_prints_every_table,
);
