use serde_json::json;

use super::*;

fn envelope(event: serde_json::Value) -> Vec<u8> {
    json!({
        "token": "legacy-token",
        "team_id": "T0LEAD",
        "api_app_id": "A0LEAD",
        "event": event,
        "type": "event_callback",
        "event_id": "Ev0001",
        "event_time": 1_767_225_600,
        "authorizations": [{"team_id": "T0LEAD", "user_id": "U0BOT", "is_bot": true}],
    })
    .to_string()
    .into_bytes()
}

fn turn(action: EventAction) -> Turn {
    match action {
        EventAction::Turn(turn) => *turn,
        other => panic!("expected a turn, got {other:?}"),
    }
}

#[test]
fn url_verification_echoes_the_challenge() {
    let body = br#"{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    assert_eq!(
        event(body, MentionMode::Thread).unwrap(),
        EventAction::Challenge("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".into())
    );
}

#[test]
fn a_direct_message_is_a_turn_in_the_users_dm() {
    let body = envelope(json!({
        "type": "message", "channel": "D0DM", "user": "U0DANA", "text": "we use &lt;spreadsheets&gt; &amp; email",
        "ts": "1767225600.000100", "event_ts": "1767225600.000100", "channel_type": "im",
        "client_msg_id": "5a1f"
    }));
    let turn = turn(event(&body, MentionMode::Thread).unwrap());
    assert_eq!(turn.key, address::direct("U0DANA"));
    assert_eq!(turn.event_id, "slack:msg:D0DM:1767225600.000100");
    assert_eq!(
        turn.input,
        TurnInput::Text("we use <spreadsheets> & email".into())
    );
    assert_eq!(turn.reply.channel.as_deref(), Some("D0DM"));
    assert_eq!(turn.at.timestamp_micros(), 1_767_225_600_000_100);
    assert!(!turn.existing_only);
}

#[test]
fn a_mention_opens_a_thread_or_a_dm_as_configured() {
    let body = envelope(json!({
        "type": "app_mention", "user": "U0DANA", "text": "<@U0BOT> hi, mail me at <mailto:dana@acme.io|dana@acme.io>",
        "ts": "1767225601.000200", "channel": "C0SALES", "event_ts": "1767225601.000200"
    }));
    let threaded = turn(event(&body, MentionMode::Thread).unwrap());
    assert_eq!(
        threaded.key,
        address::thread("C0SALES", "1767225601.000200", "U0DANA")
    );
    assert_eq!(
        threaded.input,
        TurnInput::Text("hi, mail me at dana@acme.io".into())
    );
    assert_eq!(
        threaded.reply.thread_ts.as_deref(),
        Some("1767225601.000200")
    );
    let direct = turn(event(&body, MentionMode::DirectMessage).unwrap());
    assert_eq!(direct.key, address::direct("U0DANA"));
    assert_eq!(direct.reply.user.as_deref(), Some("U0DANA"));
    assert_eq!(direct.reply.channel, None);
    // The same message as a `message` event is the same event id.
    let as_message = envelope(json!({
        "type": "message", "user": "U0DANA", "text": "<@U0BOT> hi", "ts": "1767225601.000200",
        "channel": "C0SALES", "channel_type": "channel"
    }));
    assert_eq!(
        event(&as_message, MentionMode::Thread).unwrap(),
        EventAction::Ignore("a channel message outside a thread")
    );
}

#[test]
fn a_thread_reply_continues_only_an_existing_conversation() {
    let body = envelope(json!({
        "type": "message", "user": "U0DANA", "text": "Acme", "ts": "1767225700.000300",
        "thread_ts": "1767225601.000200", "channel": "C0SALES", "channel_type": "channel"
    }));
    let reply = turn(event(&body, MentionMode::Thread).unwrap());
    assert_eq!(
        reply.key,
        address::thread("C0SALES", "1767225601.000200", "U0DANA")
    );
    assert!(reply.existing_only);
}

#[test]
fn bots_edits_and_deletions_are_ignored() {
    let own = envelope(json!({
        "type": "message", "subtype": "bot_message", "text": "Hi!", "ts": "1767225602.000100",
        "bot_id": "B0LEAD", "channel": "D0DM", "channel_type": "im"
    }));
    assert!(matches!(
        event(&own, MentionMode::Thread).unwrap(),
        EventAction::Ignore(_)
    ));
    let bot_without_subtype = envelope(json!({
        "type": "message", "text": "Hi!", "ts": "1767225602.000100", "user": "U0BOT",
        "bot_id": "B0LEAD", "channel": "D0DM", "channel_type": "im"
    }));
    assert!(matches!(
        event(&bot_without_subtype, MentionMode::Thread).unwrap(),
        EventAction::Ignore(_)
    ));
    for subtype in ["message_changed", "message_deleted", "channel_join"] {
        let body = envelope(json!({
            "type": "message", "subtype": subtype, "hidden": true, "channel": "D0DM",
            "channel_type": "im", "ts": "1767225603.000100",
            "message": {"type": "message", "user": "U0DANA", "text": "edited", "ts": "1767225600.000100"}
        }));
        assert!(
            matches!(
                event(&body, MentionMode::Thread).unwrap(),
                EventAction::Ignore(_)
            ),
            "{subtype}"
        );
    }
}

#[test]
fn malformed_bodies_are_errors_not_panics() {
    assert!(event(b"not json", MentionMode::Thread).is_err());
    assert!(event(b"{}", MentionMode::Thread).is_err());
    assert!(interaction("[1,2]").is_err());
}

fn block_actions(action: serde_json::Value, message: serde_json::Value) -> String {
    json!({
        "type": "block_actions",
        "team": {"id": "T0LEAD", "domain": "acme"},
        "user": {"id": "U0DANA", "username": "dana", "team_id": "T0LEAD"},
        "api_app_id": "A0LEAD",
        "token": "legacy-token",
        "container": {"type": "message", "message_ts": "1767225605.000100", "channel_id": "D0DM", "is_ephemeral": false},
        "trigger_id": "1111.2222.abcd",
        "channel": {"id": "D0DM", "name": "directmessage"},
        "message": message,
        "response_url": "https://hooks.example/actions/1",
        "actions": [action],
    })
    .to_string()
}

#[test]
fn an_answer_button_is_a_choice_that_updates_its_question() {
    let payload = block_actions(
        json!({"action_id": "answer:need:0", "block_id": "q", "type": "button", "value": "replace",
               "text": {"type": "plain_text", "text": "Replacing our current tool", "emoji": true},
               "action_ts": "1767225606.123456"}),
        json!({"type": "message", "bot_id": "B0LEAD", "user": "U0BOT", "text": "What brings you here?", "ts": "1767225605.000100"}),
    );
    let InteractionAction::Turn(turn) = interaction(&payload).unwrap() else {
        panic!("expected a turn");
    };
    assert_eq!(turn.key, address::direct("U0DANA"));
    assert_eq!(
        turn.input,
        TurnInput::Choice {
            step: "need".into(),
            value: "replace".into()
        }
    );
    assert_eq!(
        turn.event_id,
        "slack:action:U0DANA:1767225605.000100:1767225606.123456"
    );
    let clicked = turn.reply.clicked.clone().unwrap();
    assert_eq!(
        (clicked.ts.as_str(), clicked.chosen.as_str()),
        ("1767225605.000100", "Replacing our current tool")
    );
    assert_eq!(clicked.question, "What brings you here?");
}

#[test]
fn a_select_in_a_thread_answers_with_the_selected_option() {
    let payload = block_actions(
        json!({"action_id": "answer:region:select", "block_id": "q", "type": "static_select",
               "selected_option": {"text": {"type": "plain_text", "text": "Europe"}, "value": "eu"},
               "action_ts": "1767225607.000001"}),
        json!({"type": "message", "text": "Where are you?", "ts": "1767225605.000100", "thread_ts": "1767225601.000200"}),
    );
    let InteractionAction::Turn(turn) = interaction(&payload).unwrap() else {
        panic!("expected a turn");
    };
    assert_eq!(
        turn.key,
        address::thread("D0DM", "1767225601.000200", "U0DANA")
    );
    assert_eq!(
        turn.input,
        TurnInput::Choice {
            step: "region".into(),
            value: "eu".into()
        }
    );
    assert_eq!(turn.reply.clicked.unwrap().chosen, "Europe");
}

#[test]
fn hand_off_buttons_carry_the_assignment() {
    let payload = block_actions(
        json!({"action_id": ACCEPT_ACTION, "type": "button", "value": "42",
               "text": {"type": "plain_text", "text": "Accept"}, "action_ts": "1767225608.000001"}),
        json!({"type": "message", "text": "New lead: Dana", "ts": "1767225605.000100"}),
    );
    let InteractionAction::Handoff(click) = interaction(&payload).unwrap() else {
        panic!("expected a hand-off click");
    };
    assert_eq!(
        (click.assignment_id, click.accept, click.user.as_str()),
        (42, true, "U0DANA")
    );
    let bogus = block_actions(
        json!({"action_id": PASS_ACTION, "type": "button", "value": "x", "action_ts": "1"}),
        json!({"type": "message", "text": "", "ts": "1767225605.000100"}),
    );
    assert!(matches!(
        interaction(&bogus).unwrap(),
        InteractionAction::Ignore(_)
    ));
    let foreign = block_actions(
        json!({"action_id": "WaXA", "type": "button", "value": "click_me_123", "action_ts": "1"}),
        json!({"type": "message", "text": "", "ts": "1767225605.000100"}),
    );
    assert!(matches!(
        interaction(&foreign).unwrap(),
        InteractionAction::Ignore(_)
    ));
}

#[test]
fn slash_commands_match_the_configured_name() {
    let form: Vec<(String, String)> = [
        ("token", "legacy"),
        ("team_id", "T0LEAD"),
        ("channel_id", "C0SALES"),
        ("user_id", "U0DANA"),
        ("command", "/qualify"),
        ("text", " saas-ko "),
        ("trigger_id", "3333.4444.ef"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(
        command(&form, "/qualify"),
        Ok(Some(Command {
            user: "U0DANA".into(),
            script: Some("saas-ko".into()),
            request_id: "slack:command:3333.4444.ef".into()
        }))
    );
    assert_eq!(command(&form, "/lead"), Ok(None));
    let without_user: Vec<(String, String)> = form
        .iter()
        .filter(|(name, _)| name != "user_id")
        .cloned()
        .collect();
    assert_eq!(
        command(&without_user, "/qualify"),
        Err("the slash command has no user_id")
    );
}

#[test]
fn slack_times_keep_microseconds() {
    assert_eq!(
        slack_time("1595926230.009600").unwrap().timestamp_micros(),
        1_595_926_230_009_600
    );
    assert_eq!(slack_time("1595926230").unwrap().timestamp(), 1_595_926_230);
    assert!(slack_time("soon").is_none());
}

mod arbitrary_input {
    use proptest::prelude::*;
    use serde_json::json;

    use super::super::*;
    use super::envelope;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever bytes a signed request carries, reading them answers, never panics.
        #[test]
        fn any_body_is_read_or_refused(body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = event(&body, MentionMode::Thread);
            let _ = event(&body, MentionMode::DirectMessage);
            let _ = interaction(&String::from_utf8_lossy(&body));
        }

        /// Any text in a real direct-message envelope, Slack's markup included, becomes a turn
        /// whose text holds no Slack mention markup.
        #[test]
        fn any_text_in_a_direct_message_is_a_turn_without_markup(
            text in "[<>|!@#&;a-zA-Z0-9 \\-:/.]{0,200}|\\PC{0,200}"
        ) {
            let body = envelope(json!({
                "type": "message", "channel_type": "im", "channel": "D0DANA", "user": "U0DANA",
                "text": text, "ts": "1767225600.000100", "event_ts": "1767225600.000100",
            }));
            if let Ok(EventAction::Turn(turn)) = event(&body, MentionMode::Thread)
                && let TurnInput::Text(typed) = &turn.input
            {
                prop_assert!(!typed.contains("<!channel>") && !typed.contains("<!everyone>"), "{typed:?}");
            }
        }

        /// Any JSON shape where an interaction's payload is expected is read or refused.
        #[test]
        fn any_interaction_shape_is_read_or_refused(
            kind in "block_actions|view_submission|shortcut|[a-z_]{0,12}",
            action in "lb:[a-z]:[a-z_]{0,8}:[a-z0-9]{0,6}|[ -~]{0,30}",
            value in "[ -~]{0,30}",
        ) {
            let payload = json!({
                "type": kind, "user": {"id": "U0DANA"},
                "actions": [{"action_id": action, "value": value, "action_ts": "1.2"}],
                "container": {"channel_id": "D0DANA", "message_ts": "1.0"},
                "channel": {"id": "D0DANA"},
            });
            let _ = interaction(&payload.to_string());
        }
    }
}
