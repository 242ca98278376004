//! The funnel end to end on both databases: hand-off outcomes and lead sources over the HTTP
//! API, and the report's figures on a history whose answers are known.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::path::Path;
use std::sync::Arc;

use leadbot::config::Secret;
use leadbot::http::AppState;
use leadbot::reps;
use leadbot::runtime::{Runtime, ScriptCatalog};
use leadbot::script::{self, Script};
use leadbot::store::Store;

/// Qualifies in one answer: a budget of 1,000 or more is SQL; "none" disqualifies.
const QUICK_SCRIPT: &str = r#"
id = "quick"
version = 1
locale = "en"
currency = "USD"
default = true
greeting = "Hi!"
required = ["budget"]
iql_requires = []
[thresholds]
mql = 20
sql = 50
[[steps]]
id = "budget"
criterion = "budget"
ask = "Budget?"
expect = "money"
period = "year"
bands = [{ at_least = 1000, points = 60 }]
"#;

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

fn quick_script() -> Script {
    script::parse(QUICK_SCRIPT, Path::new("quick.toml")).unwrap()
}

async fn runtime(url: &str) -> Runtime {
    let store = Store::open(url).await.unwrap();
    let team = Arc::new(reps::parse(TWO_REPS, Path::new("reps.toml")).unwrap());
    Runtime::new(store, ScriptCatalog::new(vec![quick_script()], None), None)
        .with_team(team)
        .with_rep_channels(["console"])
}

/// Serves the API of `runtime` on a free port.
async fn serve(runtime: &Runtime) -> u16 {
    let state = AppState {
        runtime: runtime.clone(),
        api_token: Some(Secret::new("api-token".into())),
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

on_both_databases!(
    a_won_deal_is_stored_with_its_value_rep_and_source,
    a_hand_off_closed_without_an_outcome_takes_one_later,
);
