//! Purpose: Slack request signing (v0) — every request to `/slack/*` is checked against the
//! signing secret before its body is even parsed.

use crate::secret::Secret;

/// How far a request's timestamp may be from now: Slack's documented replay window.
pub const MAX_SKEW_SECONDS: i64 = 5 * 60;

/// Why a request was refused. The text is safe to log: it never holds the secret or the
/// presented signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Slack-Request-Timestamp`, or not a number.
    #[error("missing or malformed X-Slack-Request-Timestamp")]
    BadTimestamp,
    /// The timestamp is outside the replay window.
    #[error("timestamp {skew_seconds}s away from now (a replay, or a wrong clock)")]
    Stale {
        /// Seconds between the request's timestamp and now.
        skew_seconds: i64,
    },
    /// No `X-Slack-Signature`, or not `v0=<hex>`.
    #[error("missing or malformed X-Slack-Signature")]
    BadSignatureHeader,
    /// The signature does not match the body.
    #[error("signature does not match")]
    Mismatch,
}

/// Checks a request: `timestamp` and `signature` are the `X-Slack-Request-Timestamp` and
/// `X-Slack-Signature` headers, `body` the raw body, `now` Unix seconds. The comparison runs in
/// constant time.
pub fn verify(
    secret: &Secret,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let timestamp = timestamp.ok_or(SignatureError::BadTimestamp)?;
    let seconds: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    let skew_seconds = now.saturating_sub(seconds);
    if skew_seconds.abs() > MAX_SKEW_SECONDS {
        return Err(SignatureError::Stale { skew_seconds });
    }
    let presented = signature
        .and_then(|value| value.trim().strip_prefix("v0="))
        .filter(|hex_digest| hex::decode(hex_digest).is_ok())
        .ok_or(SignatureError::BadSignatureHeader)?;
    let signed = [b"v0:", timestamp.trim().as_bytes(), b":", body];
    if secret.hmac_matches(&signed, presented) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Slack's documented worked example ("Verifying requests from Slack").
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TIMESTAMP: &str = "1531420618";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const NOW: i64 = 1_531_420_618;

    fn check(
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &str,
        now: i64,
    ) -> Result<(), SignatureError> {
        verify(
            &Secret::new(SECRET.into()),
            timestamp,
            signature,
            body.as_bytes(),
            now,
        )
    }

    #[test]
    fn slacks_worked_example_verifies() {
        assert_eq!(check(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW), Ok(()));
        assert_eq!(
            check(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW + 299),
            Ok(())
        );
    }

    #[test]
    fn a_changed_body_secret_or_signature_is_refused() {
        let body = format!("{BODY}------");
        assert_eq!(
            check(Some(TIMESTAMP), Some(SIGNATURE), &body, NOW),
            Err(SignatureError::Mismatch)
        );
        let other = verify(
            &Secret::new("other".into()),
            Some(TIMESTAMP),
            Some(SIGNATURE),
            BODY.as_bytes(),
            NOW,
        );
        assert_eq!(other, Err(SignatureError::Mismatch));
        let flipped = SIGNATURE.replace("a2114", "a2115");
        assert_eq!(
            check(Some(TIMESTAMP), Some(&flipped), BODY, NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn old_missing_or_malformed_headers_are_refused() {
        assert_eq!(
            check(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW + 301),
            Err(SignatureError::Stale { skew_seconds: 301 })
        );
        assert!(matches!(
            check(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW - 400),
            Err(SignatureError::Stale { .. })
        ));
        assert_eq!(
            check(None, Some(SIGNATURE), BODY, NOW),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            check(Some("soon"), Some(SIGNATURE), BODY, NOW),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            check(Some(TIMESTAMP), None, BODY, NOW),
            Err(SignatureError::BadSignatureHeader)
        );
        let v1 = SIGNATURE.replace("v0=", "v1=");
        assert_eq!(
            check(Some(TIMESTAMP), Some(&v1), BODY, NOW),
            Err(SignatureError::BadSignatureHeader)
        );
        assert_eq!(
            check(Some(TIMESTAMP), Some("v0=zz"), BODY, NOW),
            Err(SignatureError::BadSignatureHeader)
        );
    }
}
