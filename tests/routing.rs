//! Hand-offs end to end on both databases: routing inside the qualifying turn, the prospect
//! told who will reach out, fairness across two replicas, accept, pass, SLA escalation with a
//! controlled clock, and the fallback team.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use common::{at, test_key};
use leadbot::config::Secret;
use leadbot::engine::Input;
use leadbot::http::AppState;
use leadbot::notify::{HandOffNotice, NoticeEvent};
use leadbot::reps::{self, Team};
use leadbot::runtime::{
    Handled, HandoffAnswer, HandoffAnswered, Inbound, RepIdentity, Runtime, RuntimeError,
    ScriptCatalog,
};
use leadbot::store::Store;

const FOUR_REPS: &str = r#"
[[pools]]
id = "default"
reps = ["ana", "ben", "cai", "dee"]
sla_minutes = 15
[[reps]]
id = "ana"
name = "Ana"
slack_user = "U0ANA"
[[reps]]
id = "ben"
name = "Ben"
email = "ben@x.io"
[[reps]]
id = "cai"
name = "Cai"
email = "cai@x.io"
[[reps]]
id = "dee"
name = "Dee"
email = "dee@x.io"
"#;

fn team(source: &str) -> Arc<Team> {
    Arc::new(reps::parse(source, Path::new("reps.toml")).unwrap())
}

async fn runtime(url: &str, team: Arc<Team>) -> Runtime {
    let store = Store::open(url).await.unwrap();
    Runtime::new(
        store,
        ScriptCatalog::new(vec![common::quick_script()], None),
        None,
    )
    .with_team(team)
    .with_rep_channels(["console"])
}

async fn say(runtime: &Runtime, who: &str, text: &str, seconds: i64) -> leadbot::runtime::Outcome {
    let inbound = Inbound {
        key: test_key(who),
        event_id: None,
        input: Input::Text(text.into()),
        now: at(seconds),
        reply_via: None,
        existing_only: false,
        answers_step: None,
        person: None,
    };
    match runtime.handle(&inbound).await.unwrap() {
        Handled::Replied(outcome) => *outcome,
        other => panic!("not a turn: {other:?}"),
    }
}

/// Qualifies `who`; returns the replies of the qualifying turn.
async fn qualify(runtime: &Runtime, who: &str, seconds: i64) -> Vec<String> {
    say(runtime, who, "hi", seconds).await;
    let outcome = say(runtime, who, "60000 USD a year", seconds + 1).await;
    assert!(outcome.handoff.is_some(), "{who} should qualify");
    outcome
        .replies
        .into_iter()
        .map(|reply| reply.text)
        .collect()
}

/// Claims every console notice due at `seconds` and marks them delivered.
async fn notices(runtime: &Runtime, seconds: i64) -> Vec<HandOffNotice> {
    common::drain_notices(runtime, seconds).await
}

async fn the_prospect_hears_the_reps_name_and_the_rep_gets_the_card(url: &str) {
    let runtime = runtime(url, team(FOUR_REPS)).await;
    let replies = qualify(&runtime, "p1", 0).await;
    assert_eq!(
        replies.last().unwrap(),
        "Ana from our team will be your contact and will reach out to you soon."
    );
    let sent = notices(&runtime, 2).await;
    assert_eq!(sent.len(), 1);
    let notice = &sent[0];
    assert_eq!(notice.event, NoticeEvent::Assigned);
    assert_eq!(
        notice.rep.as_ref().unwrap().slack_user.as_deref(),
        Some("U0ANA")
    );
    assert_eq!(notice.sla_minutes, Some(15));
    assert_eq!(notice.pool.as_deref(), Some("default"));
    assert_eq!(notice.lead.score, 60);
    assert_eq!(notice.prospect.address, "p1");
    runtime.store().close().await;
}

async fn hand_offs_are_shared_fairly_across_two_replicas(url: &str) {
    let team = team(FOUR_REPS);
    let first = runtime(url, team.clone()).await;
    let second = runtime(url, team).await;
    let mut tasks = Vec::new();
    for lead in 0..1000 {
        let replica = if lead % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tasks.push(tokio::spawn(async move {
            qualify(&replica, &format!("lead-{lead}"), 0).await;
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut per_rep: BTreeMap<String, usize> = BTreeMap::new();
    for notice in notices(&first, 10).await {
        *per_rep.entry(notice.rep.unwrap().id).or_default() += 1;
    }
    assert_eq!(per_rep.values().sum::<usize>(), 1000);
    for (rep, count) in &per_rep {
        assert!(
            (249..=251).contains(count),
            "{rep} got {count}: {per_rep:?}"
        );
    }
    first.store().close().await;
    second.store().close().await;
}

async fn accepting_makes_the_rep_the_owner_once(url: &str) {
    let runtime = runtime(url, team(FOUR_REPS)).await;
    qualify(&runtime, "p1", 0).await;
    let assignment = notices(&runtime, 2).await[0].assignment_id.unwrap();
    let wrong = runtime
        .answer_handoff(
            assignment,
            RepIdentity::Id("ben".into()),
            HandoffAnswer::Accept,
            at(60),
        )
        .await;
    assert!(
        matches!(wrong, Err(RuntimeError::NotTheirLead { .. })),
        "{wrong:?}"
    );
    let accepted = runtime
        .answer_handoff(
            assignment,
            RepIdentity::Slack("U0ANA".into()),
            HandoffAnswer::Accept,
            at(60),
        )
        .await
        .unwrap();
    assert!(matches!(accepted, HandoffAnswered::Accepted { ref rep, .. } if rep == "ana"));
    let again = runtime
        .answer_handoff(
            assignment,
            RepIdentity::Id("ana".into()),
            HandoffAnswer::Accept,
            at(61),
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        HandoffAnswered::AlreadyAccepted { rep: "ana".into() }
    );
    let sent = notices(&runtime, 62).await;
    assert_eq!(sent.len(), 1, "one accepted notice, not two");
    assert_eq!(sent[0].event, NoticeEvent::Accepted);
    assert_eq!(sent[0].note.as_deref(), Some("Ana accepted this lead"));
    // Accepted leads do not expire.
    assert_eq!(runtime.expire_offers(at(3600)).await.unwrap(), 0);
    let history = runtime
        .store()
        .assignments_of(sent[0].lead_id)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, "accepted");
    runtime.store().close().await;
}

async fn passing_moves_the_lead_and_tells_the_first_rep(url: &str) {
    let runtime = runtime(url, team(FOUR_REPS)).await;
    qualify(&runtime, "p1", 0).await;
    let first = notices(&runtime, 2).await.remove(0);
    let passed = runtime
        .answer_handoff(
            first.assignment_id.unwrap(),
            RepIdentity::Id("ana".into()),
            HandoffAnswer::Pass,
            at(30),
        )
        .await
        .unwrap();
    assert!(
        matches!(passed, HandoffAnswered::Passed { next: Some(ref next), .. } if next == "ben")
    );
    let sent = notices(&runtime, 31).await;
    let events: Vec<_> = sent
        .iter()
        .map(|notice| (notice.event, notice.rep.as_ref().unwrap().id.as_str()))
        .collect();
    assert_eq!(
        events,
        [
            (NoticeEvent::Withdrawn, "ana"),
            (NoticeEvent::Assigned, "ben")
        ]
    );
    assert_eq!(sent[1].note.as_deref(), Some("Ana passed"));
    // The rotation is not disturbed: the next new lead goes to whoever is next after ben.
    qualify(&runtime, "p2", 40).await;
    let next = notices(&runtime, 42).await;
    assert_eq!(next[0].rep.as_ref().unwrap().id, "cai");
    runtime.store().close().await;
}

async fn an_unanswered_offer_escalates_once_after_the_sla(url: &str) {
    let team = team(FOUR_REPS);
    let runtime = runtime(url, team.clone()).await;
    let other_replica = self::runtime(url, team).await;
    qualify(&runtime, "p1", 0).await;
    notices(&runtime, 2).await;
    assert_eq!(
        runtime.expire_offers(at(14 * 60)).await.unwrap(),
        0,
        "inside the SLA"
    );
    let (one, two) = tokio::join!(
        runtime.expire_offers(at(16 * 60)),
        other_replica.expire_offers(at(16 * 60))
    );
    assert_eq!(one.unwrap() + two.unwrap(), 1, "fires once across replicas");
    let sent = notices(&runtime, 16 * 60 + 1).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].event, NoticeEvent::Withdrawn);
    assert_eq!(
        sent[0].note.as_deref(),
        Some("Ana did not answer within 15 minutes; the lead was offered to someone else")
    );
    assert_eq!(sent[1].event, NoticeEvent::Assigned);
    assert_eq!(sent[1].rep.as_ref().unwrap().id, "ben");
    // Nobody answers: every rep times out in turn, then the fallback team gets the lead.
    for round in 2..=4 {
        assert_eq!(runtime.expire_offers(at(round * 16 * 60)).await.unwrap(), 1);
    }
    let last = notices(&runtime, 5 * 16 * 60).await;
    let fallback = last.last().unwrap();
    assert_eq!(fallback.event, NoticeEvent::Unassigned);
    assert!(fallback.rep.is_none());
    assert_eq!(fallback.team_channel.as_ref().unwrap().name, "Sales team");
    let history = runtime
        .store()
        .assignments_of(fallback.lead_id)
        .await
        .unwrap();
    let statuses: Vec<_> = history.iter().map(|a| a.status.as_str()).collect();
    assert_eq!(
        statuses,
        ["expired", "expired", "expired", "expired", "unassigned"]
    );
    runtime.store().close().await;
    other_replica.store().close().await;
}

async fn capacity_skips_a_full_rep_until_a_hand_off_closes(url: &str) {
    let source = FOUR_REPS.replace("name = \"Ana\"", "name = \"Ana\"\ncapacity = 1");
    let runtime = runtime(url, team(&source)).await;
    qualify(&runtime, "p1", 0).await;
    let first = notices(&runtime, 2).await.remove(0);
    assert_eq!(first.rep.as_ref().unwrap().id, "ana");
    for (n, who) in ["p2", "p3", "p4"].iter().enumerate() {
        qualify(&runtime, who, 10 * (n as i64 + 1)).await;
    }
    // ana is full: she is skipped, and her turn comes back when her hand-off closes.
    assert!(
        runtime
            .close_handoff(first.assignment_id.unwrap(), at(50))
            .await
            .unwrap()
    );
    qualify(&runtime, "p5", 60).await;
    let order: Vec<_> = notices(&runtime, 70)
        .await
        .into_iter()
        .map(|notice| notice.rep.unwrap().id)
        .collect();
    assert_eq!(order, ["ben", "cai", "dee", "ana"]);
    let explained = runtime.store().assignments_of(2).await.unwrap();
    assert!(
        explained[0].decision.to_string().contains("at_capacity"),
        "{explained:?}"
    );
    runtime.store().close().await;
}

async fn a_crm_answers_for_a_rep_over_http(url: &str) {
    let runtime = runtime(url, team(FOUR_REPS)).await;
    qualify(&runtime, "p1", 0).await;
    let id = notices(&runtime, 2).await[0].assignment_id.unwrap();
    let state = AppState {
        runtime: runtime.clone(),
        api_token: Some(Secret::new("crm-token".into())),
        booking_secret: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, leadbot::http::app(state)).await });
    let path = format!("/api/handoffs/{id}/accept");
    let post = |path: String, token: &'static str, body: &'static str| async move {
        common::post_json(port, &path, token, body).await.unwrap()
    };
    assert_eq!(
        post(path.clone(), "wrong", r#"{"rep": "ana"}"#).await.0,
        401
    );
    let (status, body) = post(path.clone(), "crm-token", r#"{"rep": "ben"}"#).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("was not offered to ben"), "{body}");
    let (status, body) = post(path.clone(), "crm-token", r#"{"rep": "ana"}"#).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""outcome":"accepted""#), "{body}");
    let (status, body) = post(path, "crm-token", r#"{"rep": "ana"}"#).await;
    assert!(status == 200 && body.contains("already_accepted"), "{body}");
    assert_eq!(
        post(
            "/api/handoffs/9999/pass".into(),
            "crm-token",
            r#"{"rep": "ana"}"#
        )
        .await
        .0,
        404
    );
    let (status, body) = post(format!("/api/handoffs/{id}/close"), "crm-token", "").await;
    assert!(status == 200 && body.contains(r#""closed":true"#), "{body}");
    runtime.store().close().await;
}

on_both_databases!(
    a_crm_answers_for_a_rep_over_http,
    the_prospect_hears_the_reps_name_and_the_rep_gets_the_card,
    hand_offs_are_shared_fairly_across_two_replicas,
    accepting_makes_the_rep_the_owner_once,
    passing_moves_the_lead_and_tells_the_first_rep,
    an_unanswered_offer_escalates_once_after_the_sla,
    capacity_skips_a_full_rep_until_a_hand_off_closes,
);
