//! Purpose: one signed webhook delivery and what its answer means for retrying.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::outbox::OutboxItem;
use crate::secret::Secret;

/// Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub const SIGNATURE_HEADER: &str = "x-leadbot-signature";

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver answered 2xx.
    Delivered,
    /// Try again: after a wait of the deliverer's own choosing, or the policy's backoff. A
    /// failed attempt: after the policy's attempts, the item is given up.
    Retry {
        /// The wait, when the deliverer chose one.
        after: Option<Duration>,
        /// Why, for the outbox row and the log (no secrets).
        reason: String,
    },
    /// The receiver is up and asked to be tried again after `after` (a 429 with Retry-After,
    /// a platform's rate limit). Not a failed attempt: however long the limit lasts, the item
    /// is not given up for it.
    RateLimited {
        /// The wait it asked for.
        after: Duration,
        /// Why, for the outbox row and the log.
        reason: String,
    },
    /// A permanent failure (a 4xx other than 408/429).
    GiveUp {
        /// Why.
        reason: String,
    },
}

/// A webhook receiver and the secret its requests are signed with. Clones share the URL, so
/// [`Webhook::repoint`] moves a running worker to a rep's new address.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// May carry credentials (a token in the path or query).
    url: Arc<ArcSwap<Secret>>,
    secret: Secret,
    client: reqwest::Client,
}

impl Webhook {
    /// A webhook at `url`; each request times out after `timeout`.
    pub fn new(url: Secret, secret: Secret, timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(timeout).build()?;
        Ok(Webhook {
            url: Arc::new(ArcSwap::from_pointee(url)),
            secret,
            client,
        })
    }

    /// Sends the next attempts (of this webhook and its clones) to `url` instead.
    pub fn repoint(&self, url: Secret) {
        self.url.store(Arc::new(url));
    }

    /// Posts an outbox item's payload, signed, with its idempotency key so the receiver can
    /// drop a repeat (a worker that died after sending but before recording it).
    pub async fn deliver(&self, item: &OutboxItem) -> Attempt {
        let body = match item.message.payload() {
            Ok(payload) => payload.to_string(),
            Err(error) => {
                return Attempt::GiveUp {
                    reason: format!("the message cannot be written as JSON: {error}"),
                };
            }
        };
        let timestamp = chrono::Utc::now().timestamp();
        let response = self
            .client
            .post(self.url.load().expose())
            .header("content-type", "application/json")
            .header("x-leadbot-event", item.message.kind())
            .header("idempotency-key", item.idempotency_key.as_str())
            .header(SIGNATURE_HEADER, signature(&self.secret, timestamp, &body))
            .body(body)
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                let reason = if error.is_timeout() {
                    "timed out".to_string()
                } else {
                    format!("could not reach the webhook: {}", without_url(&error))
                };
                return Attempt::Retry {
                    after: None,
                    reason,
                };
            }
        };
        let status = response.status();
        if status.is_success() {
            return Attempt::Delivered;
        }
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let reason = format!("HTTP {}", status.as_u16());
        match status.as_u16() {
            429 => match retry_after {
                Some(after) => Attempt::RateLimited { after, reason },
                None => Attempt::Retry {
                    after: None,
                    reason,
                },
            },
            408 | 500..=599 => Attempt::Retry {
                after: None,
                reason,
            },
            _ => Attempt::GiveUp { reason },
        }
    }
}

/// The error without the URL, which may carry credentials in its query string.
fn without_url(error: &reqwest::Error) -> String {
    let mut error_text = error.to_string();
    if let Some(url) = error.url() {
        error_text = error_text.replace(url.as_str(), "<webhook>");
    }
    error_text
}

/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`: receivers recompute it with
/// the shared secret, compare in constant time, and reject old timestamps.
pub fn signature(secret: &Secret, timestamp: i64, body: &str) -> String {
    let hmac = secret.hmac_hex(&[timestamp.to_string().as_bytes(), b".", body.as_bytes()]);
    format!("t={timestamp},v1={hmac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        let secret = Secret::new("key".into());
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            signature(&secret, 1_700_000_000, "{}"),
            "t=1700000000,v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
        assert_ne!(signature(&secret, 1, "{}"), signature(&secret, 2, "{}"));
    }
}
