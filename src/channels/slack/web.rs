//! Purpose: the Slack Web API calls leadbot makes (`chat.postMessage`, `chat.update`,
//! `conversations.open`, and `conversations.history` / `conversations.replies` to catch up)
//! through slack-morphism, with each failure classified by whether Slack
//! can have acted on the request — the basis of "never send a prospect message twice".

use std::sync::Arc;
use std::time::Duration;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use crate::secret::Secret;

/// How long one call may take before it counts as failed (and possibly accepted).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// A failed Web API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// HTTP 429: Slack did nothing; wait `retry_after` (its `Retry-After`).
    #[error("rate limited by Slack")]
    RateLimited {
        /// Slack's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// Slack surely did not act: the connection was never made, a 5xx, or `ok: false` with a
    /// transient error code.
    #[error("{0}")]
    NotDone(String),
    /// Slack refused for good (`ok: false` with e.g. `channel_not_found`, or another 4xx).
    #[error("{0}")]
    Refused(String),
    /// Slack may have acted (a timeout or broken connection after the request was sent, an
    /// unreadable answer): repeating a post could show it twice.
    #[error("{0}")]
    Unknown(String),
}

/// The bot's Web API client.
#[derive(Clone)]
pub struct SlackWeb {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
}

impl std::fmt::Debug for SlackWeb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SlackWeb(<client>)")
    }
}

/// The client's connector: https for Slack, and plain http allowed so `SLACK_API_URL` can name
/// a local server (tests, a proxy on localhost).
pub(super) fn connector(api_url: &str) -> SlackClientHyperHttpsConnector {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    SlackClientHyperConnector::with_connector(https).with_slack_api_url(api_url)
}

impl SlackWeb {
    /// A client for the Web API at `api_url` (e.g. `https://slack.com/api`).
    pub fn new(api_url: &str, bot_token: &Secret) -> Self {
        SlackWeb {
            client: Arc::new(SlackClient::new(connector(api_url))),
            token: SlackApiToken::new(SlackApiTokenValue::new(bot_token.expose().to_string())),
        }
    }

    /// Posts a message (in a thread when `thread_ts` is set); returns its ts.
    pub async fn post(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        content: SlackMessageContent,
    ) -> Result<String, CallError> {
        let request = SlackApiChatPostMessageRequest::new(channel.into(), content)
            .opt_thread_ts(thread_ts.map(SlackTs::from));
        let session = self.client.open_session(&self.token);
        let response = timed(session.chat_post_message(&request)).await?;
        Ok(response.ts.to_string())
    }

    /// Replaces a message the bot posted.
    pub async fn update(
        &self,
        channel: &str,
        ts: &str,
        content: SlackMessageContent,
    ) -> Result<(), CallError> {
        let request = SlackApiChatUpdateRequest::new(channel.into(), content, ts.into());
        let session = self.client.open_session(&self.token);
        timed(session.chat_update(&request)).await?;
        Ok(())
    }

    /// The id of the bot's DM channel with `user` (opened if needed).
    pub async fn open_direct(&self, user: &str) -> Result<String, CallError> {
        let request =
            SlackApiConversationsOpenRequest::new().with_users(vec![SlackUserId::from(user)]);
        let session = self.client.open_session(&self.token);
        let response = timed(session.conversations_open(&request)).await?;
        Ok(response.channel.id.to_string())
    }
}

/// A message read back from a channel's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastMessage {
    /// Its ts (its id within the channel).
    pub ts: String,
    /// Who wrote it; `None` for a bot's or an app's message.
    pub user: Option<String>,
    /// Its text as Slack keeps it (mention markup included).
    pub text: String,
    /// The thread it is in, when it is a reply.
    pub thread_ts: Option<String>,
    /// An edit, a join, a bot message...: not something a person typed as a new message.
    pub special: bool,
}

impl PastMessage {
    fn of(message: SlackHistoryMessage) -> PastMessage {
        PastMessage {
            ts: message.origin.ts.to_string(),
            user: message
                .sender
                .user
                .filter(|_| message.sender.bot_id.is_none())
                .map(|user| user.to_string()),
            text: message.content.text.unwrap_or_default(),
            thread_ts: message.origin.thread_ts.map(|ts| ts.to_string()),
            special: message.subtype.is_some() || message.edited.is_some(),
        }
    }
}

/// Pages of history read at most per conversation (of [`HISTORY_PAGE`] messages each).
const HISTORY_PAGES: usize = 5;
/// Messages per history page.
const HISTORY_PAGE: u16 = 100;

impl SlackWeb {
    /// The messages of `channel` after `oldest` — in the thread `thread_ts` when given, else at
    /// its top level — oldest first, at most [`HISTORY_PAGES`] pages.
    pub async fn history_after(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        oldest: &str,
    ) -> Result<Vec<PastMessage>, CallError> {
        let session = self.client.open_session(&self.token);
        let mut found = Vec::new();
        let mut cursor: Option<SlackCursorId> = None;
        for _ in 0..HISTORY_PAGES {
            let (messages, next) = match thread_ts {
                Some(thread_ts) => {
                    let request =
                        SlackApiConversationsRepliesRequest::new(channel.into(), thread_ts.into())
                            .with_oldest(oldest.into())
                            .with_inclusive(false)
                            .with_limit(HISTORY_PAGE)
                            .opt_cursor(cursor.clone());
                    let page = timed(session.conversations_replies(&request)).await?;
                    (
                        page.messages,
                        page.response_metadata.and_then(|m| m.next_cursor),
                    )
                }
                None => {
                    let request = SlackApiConversationsHistoryRequest::new()
                        .with_channel(channel.into())
                        .with_oldest(oldest.into())
                        .with_inclusive(false)
                        .with_limit(HISTORY_PAGE)
                        .opt_cursor(cursor.clone());
                    let page = timed(session.conversations_history(&request)).await?;
                    (
                        page.messages,
                        page.response_metadata.and_then(|m| m.next_cursor),
                    )
                }
            };
            found.extend(messages.into_iter().map(PastMessage::of));
            match next.filter(|next| !next.to_string().is_empty()) {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        found.sort_by(|a, b| ts_order(&a.ts).total_cmp(&ts_order(&b.ts)));
        found.dedup_by(|a, b| a.ts == b.ts);
        Ok(found)
    }
}

/// A Slack ts as a number, for ordering (ts are `seconds.microseconds`).
fn ts_order(ts: &str) -> f64 {
    ts.parse().unwrap_or(0.0)
}

async fn timed<T>(call: impl Future<Output = ClientResult<T>>) -> Result<T, CallError> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(classify(error)),
        Err(_) => Err(CallError::Unknown(format!(
            "no answer from Slack within {}s",
            CALL_TIMEOUT.as_secs()
        ))),
    }
}

/// `ok: false` codes after which Slack did nothing and asks to try again.
const TRANSIENT_CODES: [&str; 4] = [
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
];

fn classify(error: SlackClientError) -> CallError {
    match error {
        SlackClientError::RateLimitError(limit) => CallError::RateLimited {
            retry_after: limit.retry_after,
        },
        SlackClientError::ApiError(api) if TRANSIENT_CODES.contains(&api.code.as_str()) => {
            CallError::NotDone(format!("Slack error {}", api.code))
        }
        SlackClientError::ApiError(api) => CallError::Refused(format!("Slack error {}", api.code)),
        SlackClientError::HttpError(http) if http.status_code.is_server_error() => {
            CallError::NotDone(format!("Slack answered HTTP {}", http.status_code.as_u16()))
        }
        SlackClientError::HttpError(http) => {
            CallError::Refused(format!("Slack answered HTTP {}", http.status_code.as_u16()))
        }
        SlackClientError::HttpProtocolError(protocol) => {
            let never_connected = protocol
                .cause
                .as_deref()
                .and_then(|cause| cause.downcast_ref::<hyper_util::client::legacy::Error>())
                .is_some_and(hyper_util::client::legacy::Error::is_connect);
            if never_connected {
                CallError::NotDone("could not connect to Slack".into())
            } else {
                CallError::Unknown("the connection to Slack failed mid-request".into())
            }
        }
        SlackClientError::ProtocolError(_) => {
            CallError::Unknown("Slack's answer could not be read".into())
        }
        other => CallError::Unknown(format!("Slack call failed: {}", kind_of(&other))),
    }
}

fn kind_of(error: &SlackClientError) -> &'static str {
    match error {
        SlackClientError::EndOfStream(_) => "end of stream",
        SlackClientError::SystemError(_) => "system error",
        SlackClientError::SocketModeProtocolError(_) => "socket mode protocol error",
        _ => "unexpected error",
    }
}
