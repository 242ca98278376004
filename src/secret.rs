//! Purpose: the wrapper every secret travels in (tokens, signing secrets, URLs that may carry
//! credentials), so that no `Debug`, log line or error message can show it.

/// A secret from the environment; `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// The value, for signing; never for logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares in constant time, so response timing does not leak the secret.
    pub fn matches(&self, candidate: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.0.as_bytes().ct_eq(candidate.as_bytes()).into()
    }
}

impl Secret {
    /// The hex HMAC-SHA256 of `parts` (concatenated) keyed by this secret: how leadbot signs
    /// webhooks and admin sessions, and how Slack and booking providers sign their requests.
    pub fn hmac_hex(&self, parts: &[&[u8]]) -> String {
        hex::encode(self.hmac(parts))
    }

    /// Whether `given_hex` is the HMAC-SHA256 of `parts` keyed by this secret, compared in
    /// constant time; malformed hex never matches.
    pub fn hmac_matches(&self, parts: &[&[u8]], given_hex: &str) -> bool {
        use subtle::ConstantTimeEq;
        let Ok(given) = hex::decode(given_hex.trim()) else {
            return false;
        };
        let expected = self.hmac(parts);
        expected.len() == given.len() && bool::from(expected.ct_eq(&given))
    }

    fn hmac(&self, parts: &[&[u8]]) -> Vec<u8> {
        use hmac::{Hmac, Mac};
        // HMAC takes keys of any length, so building one cannot fail.
        let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(self.0.as_bytes()) else {
            return Vec::new();
        };
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.matches(&other.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    /// A secret written in a file (a rep's `webhook_url`), held as one from the start.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// A URL held as a secret, shown without what may be a credential: its scheme and host
    /// (`https://hooks.example.com/…`); `<redacted>` when it is not a URL.
    pub fn url_for_display(&self) -> String {
        match reqwest::Url::parse(&self.0) {
            Ok(url) => {
                let host = url.host_str().unwrap_or_default();
                let port = url
                    .port()
                    .map(|port| format!(":{port}"))
                    .unwrap_or_default();
                let rest = if url.path().len() > 1 || url.query().is_some() {
                    "/…"
                } else {
                    ""
                };
                format!("{}://{host}{port}{rest}", url.scheme())
            }
            Err(_) => "<redacted>".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn hmac_of_parts_matches_in_constant_time_and_refuses_bad_hex() {
        let secret = Secret::new("key".into());
        // The well-known HMAC-SHA256 check value for this key and message.
        let signed = secret.hmac_hex(&[b"The quick brown fox ", b"jumps over the lazy dog"]);
        assert_eq!(
            signed,
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        assert!(secret.hmac_matches(&[b"The quick brown fox jumps over the lazy dog"], &signed));
        assert!(!secret.hmac_matches(&[b"The quick brown fox"], &signed));
        assert!(!secret.hmac_matches(&[b"x"], "not hex"));
        assert!(!secret.hmac_matches(&[b"x"], ""));
    }

    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let token = Secret::new("xoxb-very-secret".into());
        assert_eq!(format!("{token:?}"), "Secret(<redacted>)");
        assert!(token.matches("xoxb-very-secret"));
        assert!(!token.matches("xoxb-very-secreT"));
        let url = Secret::new("https://user:pass@hooks.example.com/T1/B2?key=abc".into());
        assert_eq!(url.url_for_display(), "https://hooks.example.com/…");
        let database = Secret::new("postgres://app:pw@db.internal:5432/leads".into());
        assert_eq!(database.url_for_display(), "postgres://db.internal:5432/…");
        assert_eq!(token.url_for_display(), "<redacted>");
    }
}
