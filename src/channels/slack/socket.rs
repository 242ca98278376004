//! Purpose: Socket Mode, for installs without a public URL — slack-morphism's WebSocket
//! listener (app token `SLACK_APP_TOKEN`) hands events, interactions and slash commands to the
//! same readers and handlers as the HTTP endpoints. Envelopes are acknowledged when a callback
//! returns, so each handler waits at most [`ACK_BUDGET`](super::endpoints::ACK_BUDGET).

use std::sync::Arc;

use slack_morphism::prelude::*;

use super::inbound::{self, EventAction, InteractionAction};
use super::{SlackApp, endpoints};
use crate::http::Secret;

/// Connects with the app-level token and serves Socket Mode until the process ends. Errors of
/// the callbacks are logged here: slack-morphism would otherwise swallow them.
pub async fn run(app: Arc<SlackApp>, app_token: Secret) {
    let client = Arc::new(SlackClient::new(super::web::connector(&app.config.api_url)));
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_push_events(on_push_event)
        .with_interaction_events(on_interaction)
        .with_command_events(on_command);
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(client)
            .with_error_handler(on_error)
            .with_user_state(app),
    );
    let listener = SlackClientSocketModeListener::new(
        &SlackClientSocketModeConfig::new(),
        environment,
        callbacks,
    );
    let token = SlackApiToken::new(SlackApiTokenValue::new(app_token.expose().to_string()));
    if let Err(error) = listener.listen_for(&token).await {
        tracing::error!(%error, "Socket Mode could not connect to Slack");
        return;
    }
    tracing::info!("Socket Mode connected");
    listener.start().await;
}

fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _client: Arc<SlackHyperClient>,
    _state: SlackClientEventsUserState,
) -> HttpStatusCode {
    tracing::error!(%error, "Socket Mode error");
    HttpStatusCode::OK
}

async fn app_of(state: &SlackClientEventsUserState) -> Option<Arc<SlackApp>> {
    state
        .read()
        .await
        .get_user_state::<Arc<SlackApp>>()
        .cloned()
}

/// The event as it arrives over HTTP, read by the same reader.
pub fn event_action(
    event: SlackPushEventCallback,
    mode: super::MentionMode,
) -> Result<EventAction, serde_json::Error> {
    let body = serde_json::to_vec(&SlackPushEvent::EventCallback(event))?;
    inbound::event(&body, mode)
}

async fn on_push_event(
    event: SlackPushEventCallback,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let Some(app) = app_of(&state).await else {
        return Ok(());
    };
    match event_action(event, app.config.mention_mode) {
        Ok(EventAction::Turn(turn)) => {
            let outcome = endpoints::within_budget(async move { app.run_turn(*turn).await }).await;
            return stored_or_error(outcome).map(|_| ());
        }
        Ok(EventAction::Challenge(_) | EventAction::Ignore(_)) => {}
        Err(error) => tracing::warn!(%error, "unreadable Socket Mode event"),
    }
    Ok(())
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    let Some(app) = app_of(&state).await else {
        return Ok(());
    };
    let action = serde_json::to_string(&event).and_then(|payload| inbound::interaction(&payload));
    match action {
        Ok(InteractionAction::Turn(turn)) => {
            let outcome = endpoints::within_budget(async move { app.run_turn(*turn).await }).await;
            return stored_or_error(outcome).map(|_| ());
        }
        Ok(InteractionAction::Handoff(click)) => {
            let outcome =
                endpoints::within_budget(async move { app.answer_handoff(click).await }).await;
            return stored_or_error(outcome).map(|_| ());
        }
        Ok(InteractionAction::Ignore(_)) => {}
        Err(error) => tracing::warn!(%error, "unreadable Socket Mode interaction"),
    }
    Ok(())
}

/// `Ok` when the work was stored; an error otherwise, so the envelope is not acknowledged
/// and Slack delivers it again.
fn stored_or_error<T, E: std::fmt::Display>(
    outcome: Option<Result<T, E>>,
) -> UserCallbackResult<T> {
    match outcome {
        Some(Ok(value)) => Ok(value),
        Some(Err(error)) => Err(format!("not stored: {error}").into()),
        None => Err("not stored within the acknowledgement budget".into()),
    }
}

/// A slash command's fields, as the HTTP form carries them.
pub fn command_fields(event: &SlackCommandEvent) -> Vec<(String, String)> {
    vec![
        ("command".into(), event.command.to_string()),
        ("user_id".into(), event.user_id.to_string()),
        ("trigger_id".into(), event.trigger_id.to_string()),
        ("text".into(), event.text.clone().unwrap_or_default()),
    ]
}

async fn on_command(
    event: SlackCommandEvent,
    _client: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let text = match app_of(&state).await {
        Some(app) => match inbound::command(&command_fields(&event), &app.config.command) {
            Some(command) => stored_or_error(
                endpoints::within_budget(async move { app.start_over(command).await }).await,
            )?,
            None => "Sorry, I don't know that command.".to_string(),
        },
        None => "Sorry, something went wrong. Please try again.".to_string(),
    };
    Ok(
        SlackCommandEventResponse::new(SlackMessageContent::new().with_text(text))
            .with_response_type(SlackMessageResponseType::Ephemeral),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::channels::slack::MentionMode;

    fn envelope(event: serde_json::Value) -> serde_json::Value {
        json!({
            "token": "legacy-token", "team_id": "T0LEAD", "api_app_id": "A0LEAD",
            "event": event, "type": "event_callback", "event_id": "Ev0001",
            "event_time": 1_767_225_600,
            "authorizations": [{"team_id": "T0LEAD", "user_id": "U0BOT", "is_bot": true}],
        })
    }

    /// Socket Mode hands the same event to the same reader as HTTP: the typed event,
    /// serialized back, reads as the raw one does.
    fn same_as_http(event: serde_json::Value) {
        let raw = envelope(event);
        let over_http = inbound::event(raw.to_string().as_bytes(), MentionMode::Thread).unwrap();
        let SlackPushEvent::EventCallback(typed) = serde_json::from_value(raw).unwrap() else {
            panic!("not an event callback");
        };
        assert_eq!(event_action(typed, MentionMode::Thread).unwrap(), over_http);
    }

    #[test]
    fn events_read_the_same_over_socket_mode() {
        same_as_http(json!({
            "type": "message", "channel": "D0DM", "user": "U0DANA", "text": "about 20k a year",
            "ts": "1767225600.000100", "event_ts": "1767225600.000100", "channel_type": "im"
        }));
        same_as_http(json!({
            "type": "app_mention", "user": "U0DANA", "text": "<@U0BOT> hi", "ts": "1767225601.000200",
            "channel": "C0SALES", "event_ts": "1767225601.000200"
        }));
        same_as_http(json!({
            "type": "message", "user": "U0DANA", "text": "Acme", "ts": "1767225700.000300",
            "thread_ts": "1767225601.000200", "channel": "C0SALES", "channel_type": "channel"
        }));
        same_as_http(json!({
            "type": "message", "subtype": "bot_message", "text": "Hi!", "ts": "1767225602.000100",
            "bot_id": "B0LEAD", "channel": "D0DM", "channel_type": "im"
        }));
    }

    #[test]
    fn clicks_and_commands_read_the_same_over_socket_mode() {
        let payload = json!({
            "type": "block_actions",
            "team": {"id": "T0LEAD", "domain": "acme"},
            "user": {"id": "U0DANA", "username": "dana", "team_id": "T0LEAD"},
            "api_app_id": "A0LEAD", "token": "legacy-token",
            "container": {"type": "message", "message_ts": "1767225605.000100", "channel_id": "D0DM", "is_ephemeral": false},
            "trigger_id": "1111.2222.abcd",
            "channel": {"id": "D0DM", "name": "directmessage"},
            "message": {"type": "message", "bot_id": "B0LEAD", "user": "U0BOT", "text": "What brings you here?", "ts": "1767225605.000100"},
            "response_url": "https://hooks.example/actions/1",
            "actions": [{"action_id": "answer:need:0", "block_id": "q", "type": "button", "value": "replace",
                         "text": {"type": "plain_text", "text": "Replacing our current tool"},
                         "action_ts": "1767225606.123456"}],
        });
        let over_http = inbound::interaction(&payload.to_string()).unwrap();
        assert!(matches!(over_http, InteractionAction::Turn(_)));
        let typed: SlackInteractionEvent = serde_json::from_value(payload).unwrap();
        let again = inbound::interaction(&serde_json::to_string(&typed).unwrap()).unwrap();
        assert_eq!(again, over_http);

        let command: SlackCommandEvent = serde_json::from_value(json!({
            "team_id": "T0LEAD", "channel_id": "C0SALES", "user_id": "U0DANA", "command": "/qualify",
            "text": "", "response_url": "https://hooks.example/commands/1", "trigger_id": "3333.4444.ef"
        }))
        .unwrap();
        let read = inbound::command(&command_fields(&command), "/qualify").unwrap();
        assert_eq!(read.user, "U0DANA");
        assert_eq!(read.request_id, "slack:command:3333.4444.ef");
    }
}
