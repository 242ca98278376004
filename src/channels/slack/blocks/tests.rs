use serde_json::{Value, json};

use super::*;
use crate::engine::ReplyChoice;

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
    }
}

fn json_of(content: &SlackMessageContent) -> Value {
    serde_json::to_value(content).unwrap()
}

#[test]
fn a_few_choices_are_buttons_with_the_step_in_their_action_id() {
    let message = json_of(&reply(&question(3)));
    assert_eq!(message["text"], "What brings you here? &lt;3 &amp; more");
    assert_eq!(message["blocks"][0]["type"], "section");
    let buttons = message["blocks"][1]["elements"].as_array().unwrap();
    assert_eq!(buttons.len(), 3);
    assert_eq!(
        buttons[2],
        json!({"type": "button", "action_id": "answer:need:2", "value": "v2",
               "text": {"type": "plain_text", "text": "Option 2"}})
    );
}

#[test]
fn many_choices_are_a_static_select_and_free_text_questions_plain_text() {
    let message = json_of(&reply(&question(8)));
    let select = &message["blocks"][1]["elements"][0];
    assert_eq!(select["type"], "static_select");
    assert_eq!(select["action_id"], "answer:need:select");
    assert_eq!(select["options"].as_array().unwrap().len(), 8);
    assert_eq!(select["options"][7]["value"], "v7");
    let plain = json_of(&reply(&question(0)));
    assert!(plain.get("blocks").is_none());
    let mut several = question(2);
    several.multiple = true;
    let listed = json_of(&reply(&several));
    assert!(listed.get("blocks").is_none());
    assert!(
        listed["text"]
            .as_str()
            .unwrap()
            .ends_with("1. Option 0\n2. Option 1")
    );
}

#[test]
fn a_clicked_question_shows_the_choice_instead_of_buttons() {
    let clicked = ClickedQuestion {
        channel: "D1".into(),
        ts: "1.2".into(),
        question: "What brings you here?".into(),
        chosen: "Replacing our tool".into(),
    };
    let message = json_of(&answered(&clicked));
    assert_eq!(
        message["blocks"][1]["elements"][0]["text"],
        "✅ *Replacing our tool*"
    );
    assert!(!message.to_string().contains("\"actions\""));
}

fn notice(event: NoticeEvent) -> HandOffNotice {
    crate::notify::sample_notice(event)
}

#[test]
fn an_offered_lead_is_a_card_with_accept_and_pass() {
    let card = json_of(&super::notice(&notice(NoticeEvent::Assigned)));
    let text = card.to_string();
    assert_eq!(card["blocks"][0]["type"], "header");
    assert!(text.contains("Dana Smith (Acme Corp)"), "{text}");
    let fields = card["blocks"][1]["fields"].as_array().unwrap();
    assert!(
        fields
            .iter()
            .any(|field| field["text"] == "*Need*\nReplacing our current tool")
    );
    assert!(
        fields
            .iter()
            .any(|field| field["text"] == "*Budget*\nUSD 60,000 per year")
    );
    assert!(text.contains("+30 budget: USD 60,000"), "{text}");
    assert!(
        text.contains("<@U0DANA>"),
        "a reference to the prospect's conversation: {text}"
    );
    assert!(text.contains("15 minutes"), "{text}");
    let buttons = card["blocks"][4]["elements"].as_array().unwrap();
    assert_eq!(buttons[0]["action_id"], ACCEPT_ACTION);
    assert_eq!(buttons[0]["value"], "42");
    assert_eq!(buttons[0]["style"], "primary");
    assert_eq!(buttons[1]["action_id"], PASS_ACTION);
}

#[test]
fn other_notices_have_no_buttons() {
    for event in [
        NoticeEvent::Accepted,
        NoticeEvent::Withdrawn,
        NoticeEvent::Unassigned,
    ] {
        let text = json_of(&super::notice(&notice(event))).to_string();
        assert!(!text.contains(ACCEPT_ACTION), "{event:?}: {text}");
    }
    let card = json_of(&super::notice(&notice(NoticeEvent::Assigned)));
    let blocks: Vec<SlackBlock> = serde_json::from_value(card["blocks"].clone()).unwrap();
    let answered = json_of(&answered_card(
        Some(blocks),
        "New lead",
        "✅ Accepted by <@U0SAM>",
    ));
    let text = answered.to_string();
    assert!(!text.contains(ACCEPT_ACTION));
    assert!(text.contains("Accepted by <@U0SAM>"));
    assert!(text.contains("Dana Smith"));
}
