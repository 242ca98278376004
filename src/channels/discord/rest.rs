//! Purpose: leadbot's calls to Discord's REST API. Requests are built by serenity (its routes,
//! and its proxy rewrite for `DISCORD_API_URL`) and sent with one reqwest client, so every
//! answer — 429 `retry_after`, rate-limit headers, 5xx — reaches leadbot: the outbox owns the
//! waiting instead of a sleep inside the request (serenity's own rate limiter sleeps past the
//! outbox lease, and ignores the proxy).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use serenity::http::{LightMethod, Request, Route};

use crate::secret::Secret;

/// What became of a request that reached Discord.
#[derive(Debug, Clone)]
pub struct RestReply {
    /// HTTP status.
    pub status: u16,
    /// The JSON body (`Null` when empty or not JSON).
    pub body: serde_json::Value,
    /// For a 429: how long Discord asks to wait.
    pub retry_after: Option<Duration>,
}

impl RestReply {
    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Discord's JSON error code (e.g. 160004 "a thread was already created for this message").
    pub fn error_code(&self) -> Option<i64> {
        self.body.get("code").and_then(serde_json::Value::as_i64)
    }
}

/// A request that got no answer. The text never holds the token or a URL (interaction URLs
/// carry the interaction token).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestError {
    /// Not sent: a rate limit learnt from earlier answers is still running.
    #[error("rate limited for another {0:?}")]
    Limited(Duration),
    /// Not sent: no connection could be made, or the request could not be built.
    #[error("not sent: {0}")]
    NotSent(String),
    /// Sent, but the answer was lost (timeout, connection reset): Discord may have acted on it.
    #[error("no answer: {0}")]
    NoAnswer(String),
}

/// The Discord REST client, shared by the gateway handlers and the delivery worker.
#[derive(Debug)]
pub struct Rest {
    client: reqwest::Client,
    authorization: Secret,
    api_url: Option<String>,
    /// Rate-limit bucket (leadbot's key: a channel, "global"...) → no requests before this.
    gates: Mutex<HashMap<String, Instant>>,
}

/// The rate-limit key of requests bound to Discord's global limit.
const GLOBAL: &str = "global";

impl Rest {
    /// A client for the bot `token`, talking to `api_url` (default: discord.com); each request
    /// times out after `timeout`.
    pub fn new(
        token: &Secret,
        api_url: Option<String>,
        timeout: Duration,
    ) -> Result<Rest, reqwest::Error> {
        let token = token.expose();
        let authorization = if token.starts_with("Bot ") {
            token.to_string()
        } else {
            format!("Bot {token}")
        };
        Ok(Rest {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(timeout)
                .build()?,
            authorization: Secret::new(authorization),
            api_url,
            gates: Mutex::new(HashMap::new()),
        })
    }

    /// Sends one request. `bucket` names the rate limit it counts against (`None` for
    /// interaction callbacks, which have none); a bucket known to be exhausted is not even
    /// tried.
    pub async fn call(
        &self,
        method: LightMethod,
        route: Route<'_>,
        body: Option<&(impl Serialize + ?Sized)>,
        bucket: Option<&str>,
    ) -> Result<RestReply, RestError> {
        if let Some(bucket) = bucket
            && let Some(wait) = self.gate(bucket)
        {
            return Err(RestError::Limited(wait));
        }
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|error| RestError::NotSent(format!("cannot encode the body: {error}")))?;
        self.send(Request::new(route, method).body(body), bucket)
            .await
    }

    /// A GET of `route` with query parameters (e.g. a channel's messages `after` an id).
    pub async fn get(
        &self,
        route: Route<'_>,
        params: Vec<(&'static str, String)>,
        bucket: Option<&str>,
    ) -> Result<RestReply, RestError> {
        if let Some(bucket) = bucket
            && let Some(wait) = self.gate(bucket)
        {
            return Err(RestError::Limited(wait));
        }
        self.send(
            Request::new(route, LightMethod::Get).params(Some(params)),
            bucket,
        )
        .await
    }

    async fn send(
        &self,
        request: Request<'_>,
        bucket: Option<&str>,
    ) -> Result<RestReply, RestError> {
        let cannot_build = |_| RestError::NotSent("cannot build the request".into());
        let request = request
            .build(
                &self.client,
                self.authorization.expose(),
                self.api_url.as_deref(),
            )
            .map_err(|_| RestError::NotSent("cannot build the request".into()))?
            .build()
            .map_err(cannot_build)?;
        let response = self.client.execute(request).await.map_err(|error| {
            let error = error.without_url();
            if error.is_connect() || error.is_builder() {
                RestError::NotSent(error.to_string())
            } else {
                RestError::NoAnswer(error.to_string())
            }
        })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .map_err(|error| RestError::NoAnswer(error.without_url().to_string()))?;
        let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<f64>().ok())
                .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        };
        let retry_after = (status == 429).then(|| {
            let seconds = body
                .get("retry_after")
                .and_then(serde_json::Value::as_f64)
                .or_else(|| header("retry-after"))
                .unwrap_or(1.0)
                .clamp(0.0, 24.0 * 3600.0);
            Duration::from_secs_f64(seconds)
        });
        if let Some(bucket) = bucket {
            if let Some(wait) = retry_after {
                let global = body.get("global").and_then(serde_json::Value::as_bool) == Some(true);
                self.close_gate(if global { GLOBAL } else { bucket }, wait);
            } else if header("x-ratelimit-remaining") == Some(0.0)
                && let Some(reset_after) = header("x-ratelimit-reset-after")
            {
                self.close_gate(bucket, Duration::from_secs_f64(reset_after.min(3600.0)));
            }
        }
        Ok(RestReply {
            status,
            body,
            retry_after,
        })
    }

    /// How long requests of `bucket` must still wait, if at all.
    fn gate(&self, bucket: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut gates = self
            .gates
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        gates.retain(|_, until| *until > now);
        [bucket, GLOBAL]
            .iter()
            .filter_map(|key| gates.get(*key))
            .max()
            .map(|until| *until - now)
    }

    fn close_gate(&self, bucket: &str, wait: Duration) {
        let until = Instant::now() + wait;
        let mut gates = self
            .gates
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let entry = gates.entry(bucket.to_string()).or_insert(until);
        *entry = (*entry).max(until);
    }
}
