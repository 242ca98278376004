//! Purpose: signing in to `/admin` — the admin token from the environment is exchanged for a
//! session cookie (HttpOnly, SameSite=Strict, Secure behind TLS) and each session's forms carry
//! a CSRF token. Both are HMACs keyed by the admin token, so nothing is stored, a new token
//! ends every session, and neither the cookie nor a form reveals the token.

use crate::secret::Secret;

/// The session cookie's name.
pub const COOKIE: &str = "leadbot_admin";

/// How long a session lasts.
const SESSION_MS: i64 = 12 * 3_600_000;

fn sign(token: &Secret, message: &str) -> String {
    token.hmac_hex(&[message.as_bytes()])
}

/// A new session's cookie value: its expiry and signature.
pub fn new_session(token: &Secret, now_ms: i64) -> String {
    let expires = now_ms + SESSION_MS;
    format!("{expires}.{}", sign(token, &format!("session:{expires}")))
}

/// True when `value` is a session this token signed and it has not expired.
pub fn valid_session(token: &Secret, value: &str, now_ms: i64) -> bool {
    let Some((expires, signature)) = value.split_once('.') else {
        return false;
    };
    let Ok(expires_ms) = expires.parse::<i64>() else {
        return false;
    };
    expires_ms > now_ms && token.hmac_matches(&[format!("session:{expires}").as_bytes()], signature)
}

/// The CSRF token of a session's forms.
pub fn csrf_token(token: &Secret, session: &str) -> String {
    sign(token, &format!("csrf:{session}"))
}

/// True when `presented` is the CSRF token of `session`.
pub fn valid_csrf(token: &Secret, session: &str, presented: &str) -> bool {
    token.hmac_matches(&[format!("csrf:{session}").as_bytes()], presented)
}

/// The `Set-Cookie` header of a session: HttpOnly, SameSite=Strict, Secure over TLS.
pub fn set_cookie(value: &str, over_tls: bool) -> String {
    let secure = if over_tls { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=43200{secure}")
}

/// The `Set-Cookie` header that ends a session.
pub fn clear_cookie(over_tls: bool) -> String {
    let secure = if over_tls { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// The session cookie's value in a `Cookie` header, if present.
pub fn from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .map(str::trim)
        .find_map(|pair| pair.strip_prefix(COOKIE)?.strip_prefix('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_signed_expire_and_end_with_a_new_token() {
        let token = Secret::new("admin-token".into());
        let session = new_session(&token, 1_000);
        assert!(valid_session(&token, &session, 2_000));
        assert!(!valid_session(&token, &session, 1_000 + SESSION_MS + 1));
        assert!(!valid_session(
            &Secret::new("other".into()),
            &session,
            2_000
        ));
        let forged = session.replacen('1', "9", 1);
        assert!(!valid_session(&token, &forged, 2_000));
        assert!(!session.contains("admin-token"));
    }

    #[test]
    fn csrf_tokens_belong_to_their_session() {
        let token = Secret::new("admin-token".into());
        let one = new_session(&token, 1_000);
        let two = new_session(&token, 5_000);
        let csrf = csrf_token(&token, &one);
        assert!(valid_csrf(&token, &one, &csrf));
        assert!(!valid_csrf(&token, &two, &csrf));
    }

    #[test]
    fn the_cookie_is_strict_http_only_and_secure_over_tls() {
        let cookie = set_cookie("v", true);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(cookie.ends_with("; Secure"));
        assert!(!set_cookie("v", false).contains("Secure"));
        assert_eq!(
            from_cookie_header("a=1; leadbot_admin=x.y; b=2"),
            Some("x.y")
        );
    }
}
