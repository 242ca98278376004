//! One lead per person, end to end on both databases: the same Slack user returning on a new
//! conversation continues their lead and reaches the rep who owns it (the "existing owner"
//! step before the rotation); the same e-mail given on another conversation folds the leads
//! together; `leads merge` does it by hand.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use common::{QUALIFYING_ANSWERS, at, english_script, test_key};
use leadbot::engine::Input;
use leadbot::notify::HandOffNotice;
use leadbot::person::PersonId;
use leadbot::runtime::{
    Handled, HandoffAnswer, HandoffAnswered, Inbound, Outcome, RepIdentity, Runtime, ScriptCatalog,
};
use leadbot::store::leads::LeadFilter;
use leadbot::store::{Merged, Store};

async fn quick_runtime(url: &str) -> Runtime {
    common::team_runtime(url, vec![common::quick_script()], common::TWO_EMAIL_REPS).await
}

async fn say_as(
    runtime: &Runtime,
    address: &str,
    person: Option<PersonId>,
    text: &str,
    seconds: i64,
) -> Outcome {
    let inbound = Inbound {
        person,
        ..Inbound::new(
            test_key(address),
            None,
            Input::Text(text.into()),
            at(seconds),
        )
    };
    match runtime.handle(&inbound).await.unwrap() {
        Handled::Replied(outcome) => *outcome,
        other => panic!("not a turn: {other:?}"),
    }
}

/// Claims every console notice due at `seconds` and marks them delivered.
async fn notices(runtime: &Runtime, seconds: i64) -> Vec<HandOffNotice> {
    common::drain_notices(runtime, seconds).await
}

async fn a_returning_slack_user_reaches_the_rep_who_owns_their_lead(url: &str) {
    let runtime = quick_runtime(url).await;
    let dana = PersonId::slack("U0DANA");
    say_as(&runtime, "dm:U0DANA", dana.clone(), "hi", 0).await;
    let first = say_as(&runtime, "dm:U0DANA", dana.clone(), "60000 USD a year", 1).await;
    assert!(first.handoff.is_some());
    let offered = notices(&runtime, 2).await;
    assert_eq!(
        offered[0].rep.as_ref().map(|rep| rep.id.as_str()),
        Some("ana")
    );
    let accepted = runtime
        .answer_handoff(
            offered[0].assignment_id.unwrap(),
            RepIdentity::Id("ana".into()),
            HandoffAnswer::Accept,
            at(60),
        )
        .await
        .unwrap();
    assert!(matches!(accepted, HandoffAnswered::Accepted { .. }));
    notices(&runtime, 61).await;

    // Someone else qualifies meanwhile: the rotation moves on to Ben.
    say_as(&runtime, "dm:U0OMAR", PersonId::slack("U0OMAR"), "hi", 100).await;
    say_as(
        &runtime,
        "dm:U0OMAR",
        PersonId::slack("U0OMAR"),
        "5000 USD a year",
        101,
    )
    .await;
    let to_ben = notices(&runtime, 102).await;
    assert_eq!(
        to_ben[0].rep.as_ref().map(|rep| rep.id.as_str()),
        Some("ben")
    );

    say_as(&runtime, "dm:U0KIM", PersonId::slack("U0KIM"), "hi", 200).await;
    say_as(
        &runtime,
        "dm:U0KIM",
        PersonId::slack("U0KIM"),
        "5000 USD a year",
        201,
    )
    .await;
    let to_ana = notices(&runtime, 202).await;
    assert_eq!(
        to_ana[0].rep.as_ref().map(|rep| rep.id.as_str()),
        Some("ana")
    );

    // A week later Dana starts a new conversation in a channel thread: same lead, and Ana,
    // her owner, although the rotation would give Ben the next lead.
    let week = 7 * 24 * 3600;
    let thread = "thread:C1:1700000000.1:U0DANA";
    let back = say_as(&runtime, thread, dana.clone(), "hello again", week).await;
    assert_eq!(back.lead_id, first.lead_id, "one lead per person");
    say_as(&runtime, thread, dana.clone(), "90000 USD a year", week + 1).await;
    let again = notices(&runtime, week + 2).await;
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0].lead_id, first.lead_id);
    assert_eq!(
        again[0].rep.as_ref().map(|rep| rep.id.as_str()),
        Some("ana")
    );
    let history = runtime.store().assignments_of(first.lead_id).await.unwrap();
    let explained = &history.last().unwrap().decision;
    assert_eq!(explained["owner"]["rep"], "ana", "{explained}");
    assert!(explained["owner"]["skipped"].is_null(), "{explained}");
    let leads = runtime
        .store()
        .list_leads(&LeadFilter::default())
        .await
        .unwrap();
    assert_eq!(leads.len(), 3, "Dana, Omar and Kim, not four leads");
    let dana_row = leads.iter().find(|lead| lead.id == first.lead_id).unwrap();
    assert_eq!(dana_row.owner.as_deref(), Some("ana"));
    runtime.store().close().await;
}

async fn the_same_email_on_another_conversation_joins_the_first_lead(url: &str) {
    let store = Store::open(url).await.unwrap();
    let runtime = Runtime::new(
        store,
        ScriptCatalog::new(vec![english_script()], None),
        Some("console"),
    );
    say_as(&runtime, "web-1", None, "hi", 0).await;
    let mut first = None;
    for (index, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
        first = Some(say_as(&runtime, "web-1", None, answer, index as i64 + 1).await);
    }
    let first = first.unwrap();
    // The same person on another conversation, typing their address in another case.
    let second = say_as(&runtime, "web-2", None, "hi", 100).await;
    assert_ne!(
        second.lead_id, first.lead_id,
        "nobody knows who this is yet"
    );
    let mut last = second.clone();
    for (index, answer) in QUALIFYING_ANSWERS.iter().enumerate() {
        let answer = if answer.contains('@') {
            " Dana@ACME.io"
        } else {
            answer
        };
        last = say_as(&runtime, "web-2", None, answer, 101 + index as i64).await;
    }
    assert_eq!(last.lead_id, first.lead_id, "the e-mail says it is Dana");
    let store = runtime.store();
    let leads = store.list_leads(&LeadFilter::default()).await.unwrap();
    assert_eq!(leads.len(), 1, "{leads:?}");
    let folded = store.lead_record(second.lead_id).await.unwrap().unwrap();
    assert_eq!(folded.lead.merged_into, Some(first.lead_id));
    let kept = store.lead_record(first.lead_id).await.unwrap().unwrap();
    assert_eq!(
        kept.answers.len(),
        2 * QUALIFYING_ANSWERS.len(),
        "both conversations' answers"
    );
    assert_eq!(
        store
            .lead_of_person(&PersonId::email("dana@acme.io").unwrap())
            .await
            .unwrap(),
        Some(first.lead_id)
    );
    store.close().await;
}

async fn leads_merge_folds_what_matching_missed(url: &str) {
    let runtime = quick_runtime(url).await;
    let one = say_as(&runtime, "a", None, "hi", 0).await.lead_id;
    say_as(&runtime, "a", None, "500 USD a year", 1).await;
    let two = say_as(&runtime, "b", None, "hi", 2).await.lead_id;
    say_as(&runtime, "b", None, "700 USD a year", 3).await;
    let store = runtime.store();
    let now = at(10).timestamp_millis();
    assert_eq!(
        store.merge_leads(one, one, now).await.unwrap(),
        Merged::SameLead
    );
    assert_eq!(
        store.merge_leads(one, 999, now).await.unwrap(),
        Merged::NoSuchLead(999)
    );
    assert_eq!(
        store.merge_leads(one, two, now).await.unwrap(),
        Merged::Done { conversations: 1 }
    );
    assert_eq!(
        store.merge_leads(one, two, now).await.unwrap(),
        Merged::NoSuchLead(two)
    );
    let record = store.lead_record(one).await.unwrap().unwrap();
    assert_eq!(record.answers.len(), 2);
    let said: Vec<&str> = record
        .transcript
        .iter()
        .filter(|message| message.direction == "in")
        .map(|message| message.body.as_str())
        .collect();
    assert_eq!(said, ["hi", "500 USD a year", "hi", "700 USD a year"]);
    // The folded conversation's next turn writes to the lead it joined.
    let later = say_as(&runtime, "b", None, "thanks", 20).await;
    assert_eq!(later.lead_id, one);
    assert_eq!(
        store
            .list_leads(&LeadFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    store.close().await;
}

on_both_databases!(
    a_returning_slack_user_reaches_the_rep_who_owns_their_lead,
    the_same_email_on_another_conversation_joins_the_first_lead,
    leads_merge_folds_what_matching_missed,
);
