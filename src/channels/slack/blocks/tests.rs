//! What leadbot sends Slack, as snapshots under `snapshots/` (a rendering change is a diff to
//! review), plus the rules every rendering keeps, as plain asserts.

use insta::assert_json_snapshot;
use serde_json::Value;

use super::*;
use crate::engine::ReplyChoice;
use crate::notify::hostile_notice;

/// Slack's limit on an `action_id`.
const MAX_ACTION_ID: usize = 255;
/// Slack's limit on a header block's text.
const MAX_HEADER: usize = 150;

fn question(choices: usize) -> Reply {
    Reply {
        text: "What brings you here? <3 & more".into(),
        step: Some("need".into()),
        choices: (0..choices)
            .map(|index| ReplyChoice {
                value: format!("v{index}"),
                label: format!("Option {index}"),
            })
            .collect(),
        multiple: false,
        link: None,
    }
}

fn json_of(content: &SlackMessageContent) -> Value {
    serde_json::to_value(content).unwrap()
}

/// Every string value in `json`, however deep.
fn strings(json: &Value) -> Vec<&str> {
    match json {
        Value::String(text) => vec![text.as_str()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(fields) => fields.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// The value of every `key` in `json`, however deep.
fn values_of<'j>(json: &'j Value, key: &str) -> Vec<&'j Value> {
    match json {
        Value::Array(items) => items.iter().flat_map(|item| values_of(item, key)).collect(),
        Value::Object(fields) => fields
            .iter()
            .flat_map(|(name, value)| {
                let own = (name == key).then_some(value);
                own.into_iter().chain(values_of(value, key))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A click on [`question`]'s message: Slack sends its text back escaped, as it was posted.
fn clicked() -> ClickedQuestion {
    ClickedQuestion {
        channel: "D1".into(),
        ts: "1.2".into(),
        question: json_of(&reply(&question(3)))["text"]
            .as_str()
            .unwrap()
            .to_string(),
        chosen: "Replacing our tool & more".into(),
    }
}

#[test]
fn a_free_text_question_is_plain_text() {
    assert_json_snapshot!("reply_free_text", json_of(&reply(&question(0))));
}

#[test]
fn a_few_choices_are_buttons_with_the_step_in_their_action_id() {
    assert_json_snapshot!("reply_buttons", json_of(&reply(&question(3))));
}

#[test]
fn a_long_list_is_a_static_select() {
    assert_json_snapshot!("reply_select", json_of(&reply(&question(8))));
}

#[test]
fn multiple_choice_is_listed_to_be_typed() {
    let mut several = question(3);
    several.multiple = true;
    assert_json_snapshot!("reply_multiple_choice", json_of(&reply(&several)));
}

#[test]
fn a_clicked_question_shows_the_choice_instead_of_buttons() {
    let message = json_of(&answered(&clicked()));
    assert!(values_of(&message, "action_id").is_empty());
    assert_json_snapshot!("answered", message);
}

#[test]
fn a_question_clicked_again_is_marked_closed() {
    let message = json_of(&closed(&clicked()));
    assert!(values_of(&message, "action_id").is_empty());
    assert_json_snapshot!("closed", message);
}

#[test]
fn an_offered_lead_is_a_card_with_accept_and_pass() {
    assert_json_snapshot!(
        "notice_assigned",
        json_of(&notice(&hostile_notice(NoticeEvent::Assigned)))
    );
}

#[test]
fn an_accepted_lead_is_a_line_for_the_rep() {
    assert_json_snapshot!(
        "notice_accepted",
        json_of(&notice(&hostile_notice(NoticeEvent::Accepted)))
    );
}

#[test]
fn a_withdrawn_lead_is_a_line_for_the_rep() {
    assert_json_snapshot!(
        "notice_withdrawn",
        json_of(&notice(&hostile_notice(NoticeEvent::Withdrawn)))
    );
}

#[test]
fn an_unassigned_lead_is_a_card_for_the_team_channel() {
    assert_json_snapshot!(
        "notice_unassigned",
        json_of(&notice(&hostile_notice(NoticeEvent::Unassigned)))
    );
}

#[test]
fn an_answered_card_keeps_the_card_and_shows_the_outcome() {
    let card = json_of(&notice(&hostile_notice(NoticeEvent::Assigned)));
    let blocks: Vec<SlackBlock> = serde_json::from_value(card["blocks"].clone()).unwrap();
    let message = json_of(&answered_card(
        Some(blocks),
        "New lead",
        "✅ Accepted by <@U0SAM>",
        None,
    ));
    assert!(values_of(&message, "action_id").is_empty());
    assert_json_snapshot!("answered_card", message);
}

#[test]
fn an_accepted_card_offers_the_close_menu_with_every_outcome() {
    let message = json_of(&answered_card(None, "New lead", "✅ Accepted", Some(12)));
    assert_eq!(values_of(&message, "action_id"), ["handoff:close"]);
    let shown = message.to_string();
    for value in ["12:won", "12:lost", "12:no_fit", "12:no_response"] {
        assert!(shown.contains(value), "{value} in {shown}");
    }
}

#[test]
fn an_answered_card_that_was_not_found_is_its_headline_and_outcome() {
    let message = json_of(&answered_card(
        None,
        "New lead: &lt;b&gt;",
        "↷ Passed",
        None,
    ));
    assert_json_snapshot!("answered_card_without_card", message);
}

#[test]
fn only_an_offer_has_buttons() {
    for event in [
        NoticeEvent::Accepted,
        NoticeEvent::Withdrawn,
        NoticeEvent::Unassigned,
    ] {
        let message = json_of(&notice(&hostile_notice(event)));
        assert!(values_of(&message, "action_id").is_empty(), "{event:?}");
    }
    let offer = json_of(&notice(&hostile_notice(NoticeEvent::Assigned)));
    let actions: Vec<&Value> = values_of(&offer, "action_id");
    assert_eq!(actions, [ACCEPT_ACTION, PASS_ACTION]);
}

#[test]
fn action_ids_and_labels_fit_slacks_limits() {
    let mut long = question(4);
    long.step = Some("s".repeat(200));
    long.choices[0].label = "l".repeat(300);
    for message in [reply(&long), reply(&question(120))] {
        let message = json_of(&message);
        for id in values_of(&message, "action_id") {
            assert!(
                id.as_str().unwrap().chars().count() <= MAX_ACTION_ID,
                "{id}"
            );
        }
        for label in values_of(&message, "text")
            .into_iter()
            .filter(|text| text["type"] == "plain_text")
        {
            assert!(label["text"].as_str().unwrap().chars().count() <= MAX_LABEL);
        }
        let options = values_of(&message, "options");
        assert!(
            options
                .iter()
                .all(|list| list.as_array().unwrap().len() <= 100)
        );
    }
}

#[test]
fn a_very_long_company_keeps_the_header_within_its_limit() {
    for event in [NoticeEvent::Assigned, NoticeEvent::Unassigned] {
        let message = json_of(&notice(&hostile_notice(event)));
        let header = &message["blocks"][0];
        assert_eq!(header["type"], "header");
        let text = header["text"]["text"].as_str().unwrap();
        assert!(text.chars().count() <= MAX_HEADER, "{text}");
        assert!(text.ends_with('…'), "{text}");
    }
}

#[test]
fn what_a_prospect_typed_never_mentions_or_links() {
    for event in [
        NoticeEvent::Assigned,
        NoticeEvent::Accepted,
        NoticeEvent::Withdrawn,
        NoticeEvent::Unassigned,
    ] {
        let message = json_of(&notice(&hostile_notice(event)));
        for text in strings(&message) {
            assert!(
                !text.contains("<!"),
                "{event:?}: a live mass mention in {text}"
            );
            assert!(
                !text.contains("<@U0BOSS"),
                "{event:?}: a live mention in {text}"
            );
            assert!(!text.contains("<http"), "{event:?}: a live link in {text}");
            assert!(
                !text.contains("<script"),
                "{event:?}: unescaped markup in {text}"
            );
        }
    }
}

#[test]
fn what_a_prospect_typed_is_never_formatted() {
    let typed = ["Smith", "Acme", "Replace", "Q3", "I sign off"];
    for event in [
        NoticeEvent::Assigned,
        NoticeEvent::Accepted,
        NoticeEvent::Withdrawn,
        NoticeEvent::Unassigned,
    ] {
        let message = json_of(&notice(&hostile_notice(event)));
        let blocks = &message["blocks"];
        assert!(!strings(blocks).is_empty(), "{event:?}: no blocks");
        for text in values_of(blocks, "text")
            .into_iter()
            .filter(|text| text["type"] == "mrkdwn")
        {
            let text = text["text"].as_str().unwrap();
            assert!(
                typed.iter().all(|typed| !text.contains(typed)),
                "{event:?}: prospect text in mrkdwn: {text}"
            );
        }
    }
}

#[test]
fn a_meeting_line_is_added_to_an_answered_card_once() {
    let answered = answered_card(None, "New lead: Dana", "✅ Accepted by <@U0SAM>", None);
    let shown = serde_json::to_string(&answered).unwrap();
    let first = card_with_line(&shown, "📅 Meeting booked for 2026-03-10 15:00 UTC").unwrap();
    let again = card_with_line(
        &serde_json::to_string(&first).unwrap(),
        "📅 Meeting booked for 2026-03-11 09:00 UTC",
    )
    .unwrap();
    let text = json_of(&again).to_string();
    assert!(text.contains("Accepted by"), "{text}");
    assert!(text.contains("2026-03-11 09:00"), "{text}");
    assert!(
        !text.contains("2026-03-10 15:00"),
        "the earlier line is replaced: {text}"
    );
    assert_eq!(card_with_line("not a card", "x"), None);
}
