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
