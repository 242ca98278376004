//! Purpose: hand-off notices by e-mail (outbox destination [`EMAIL_DESTINATION`]), so a rep
//! or a fallback team known only by an address is notified. One SMTP exchange per item
//! through lettre (tokio, rustls), and what its failure means for retrying.
//!
//! Retrying, and why: a 4xx reply, a refused or broken connection, a TLS failure or a timeout
//! before the message was handed over mean the server does not have it — retried with the
//! worker's backoff. A 5xx reply means the server refused this message (550 no such user),
//! and a client error means it cannot be sent to this server at all (no shared AUTH
//! mechanism, no STARTTLS when `tls=required`): given up, no retry loop. The one ambiguous
//! case is a connection lost, or the time running out, after the message's final `.` was
//! sent and before the server's 250 came back: the server may have queued it. That case is
//! retried, unlike an ambiguous Slack post: a lost hand-off costs a sales-qualified lead while
//! a repeated e-mail costs a glance, and the repeat is recognisable — it carries the same
//! `Message-ID` (derived from the item's idempotency key), which mail stores and clients that
//! deduplicate use, the same hand-off id and the same answer commands (accepting twice
//! changes nothing).

mod body;

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Attempt, Deliver};
use crate::notify::HandOffNotice;
use crate::outbox::OutboxItem;
use crate::secret::Secret;

/// The outbox destination whose worker sends hand-off notices by e-mail.
pub const EMAIL_DESTINATION: &str = "email";

/// The environment variable with the SMTP server's URL (a secret: it may carry a password).
pub const SMTP_URL_VAR: &str = "LEADBOT_SMTP_URL";

/// The environment variable with the sender, e.g. `leadbot <leadbot@example.com>`.
pub const SMTP_FROM_VAR: &str = "LEADBOT_SMTP_FROM";

/// How long one send may take, connecting included, when the caller has no better figure.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Shown instead of a credential in any text leadbot writes.
const REDACTED: &str = "<redacted>";

/// Why e-mail cannot be set up; names the variable, never the URL or its credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// The SMTP URL has a scheme, `tls` parameter or form lettre cannot use.
    #[error(
        "{SMTP_URL_VAR} is not a usable SMTP URL ({problem}): use smtp://host:port, \
         smtps://host (TLS) or smtp://host?tls=required (STARTTLS), with user:password@ before \
         the host when the server wants a login"
    )]
    InvalidUrl {
        /// What is wrong, with any credential redacted.
        problem: String,
    },
    /// A server is configured but no sender.
    #[error("{SMTP_URL_VAR} is set but {SMTP_FROM_VAR} is not: e-mail needs a sender address")]
    MissingFrom,
    /// The sender is not a mailbox.
    #[error("{SMTP_FROM_VAR} {value:?} is not an address such as leadbot@example.com ({problem})")]
    InvalidFrom {
        /// The value given.
        value: String,
        /// Why it is not an address.
        problem: String,
    },
}

/// Where and as whom leadbot sends e-mail. The URL is kept as a [`Secret`], so printing the
/// settings never shows a password.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `smtp://host:port` (plain), `smtps://host` (implicit TLS, port 465 by default) or
    /// `smtp://host?tls=required` (STARTTLS, port 587 by default); `user:password@` before the
    /// host logs in (percent-encode special characters); a path sets the EHLO name.
    pub url: Secret,
    /// The sender of every notice.
    pub from: Mailbox,
}

impl SmtpSettings {
    /// Checks the URL's form and parses the sender.
    pub fn new(url: Secret, from: &str) -> Result<SmtpSettings, EmailError> {
        let from = from
            .trim()
            .parse::<Mailbox>()
            .map_err(|error| EmailError::InvalidFrom {
                value: from.to_string(),
                problem: error.to_string(),
            })?;
        transport_builder(&url)?;
        Ok(SmtpSettings { url, from })
    }

    /// Reads [`SMTP_URL_VAR`] and [`SMTP_FROM_VAR`] through `lookup` (the environment, a
    /// test's table): `None` when no URL is set, which leaves e-mail off.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<SmtpSettings>, EmailError> {
        let setting = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let Some(url) = setting(SMTP_URL_VAR) else {
            return Ok(None);
        };
        let from = setting(SMTP_FROM_VAR).ok_or(EmailError::MissingFrom)?;
        SmtpSettings::new(Secret::new(url.trim().to_string()), &from).map(Some)
    }
}

/// Delivers outbox items of kind `handoff` to the rep's address, or for a lead nobody could
/// take, to the fallback team's.
#[derive(Clone)]
pub struct EmailDelivery {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
    /// The URL and its credentials (as written and decoded), removed from every reason.
    secrets: Vec<String>,
}

impl std::fmt::Debug for EmailDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailDelivery")
            .field("smtp", &REDACTED)
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl EmailDelivery {
    /// A deliverer over the configured server; one send, connection included, gives up
    /// after `timeout` (lettre's own limit covers only connecting).
    pub fn new(settings: &SmtpSettings, timeout: Duration) -> Result<EmailDelivery, EmailError> {
        let transport = transport_builder(&settings.url)?
            .timeout(Some(timeout))
            .build();
        Ok(EmailDelivery {
            transport,
            from: settings.from.clone(),
            timeout,
            secrets: url_secrets(settings.url.expose()),
        })
    }

    /// Sends one hand-off notice and says what the outcome means for retrying (see the
    /// module's documentation).
    pub async fn deliver(&self, item: &OutboxItem) -> Attempt {
        let Some(notice) = item.message.as_handoff() else {
            return give_up(format!(
                "e-mail delivers hand-off notices, not {:?} items",
                item.message.kind()
            ));
        };
        let message = match self.message(notice, &item.idempotency_key) {
            Ok(message) => message,
            Err(reason) => return give_up(reason),
        };
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_)) => Attempt::Delivered,
            Ok(Err(error)) => self.classify(&error),
            Err(_) => Attempt::Retry {
                after: None,
                reason: format!(
                    "the SMTP exchange timed out after {} s",
                    self.timeout.as_secs_f32()
                ),
            },
        }
    }

    /// The e-mail for `notice`: to the rep, or the fallback team; subject, plain text and
    /// HTML; a Message-ID derived from `idempotency_key`.
    fn message(&self, notice: &HandOffNotice, idempotency_key: &str) -> Result<Message, String> {
        let (name, address, whose) = match (&notice.rep, &notice.team_channel) {
            (Some(rep), _) => (&rep.name, &rep.email, format!("rep {:?}", rep.id)),
            (None, Some(team)) => (&team.name, &team.email, format!("team {:?}", team.name)),
            (None, None) => return Err("the notice names no rep and no team".into()),
        };
        let Some(address) = address.as_deref().map(str::trim) else {
            return Err(format!("{whose} has no e-mail address"));
        };
        let address: Address = address
            .parse()
            .map_err(|error| format!("{whose}'s e-mail {address:?} is not an address: {error}"))?;
        let name = Some(body::single_line(name)).filter(|name| !name.is_empty());
        let to = Mailbox::new(name, address);
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(body::subject(notice))
            .message_id(Some(body::message_id(
                idempotency_key,
                self.from.email.domain(),
            )))
            .multipart(MultiPart::alternative_plain_html(
                body::plain_text(notice),
                body::html(notice),
            ))
            .map_err(|error| format!("cannot build the e-mail: {error}"))
    }

    /// What a failed send means: a reply code says whether the server may take the message
    /// later (4xx) or never (5xx); a client error will not pass by itself; anything else (the
    /// connection, TLS, a garbled reply) is retried.
    fn classify(&self, error: &SmtpError) -> Attempt {
        let reason = self.redact(&error.to_string());
        if error.is_permanent() || error.is_client() {
            give_up(reason)
        } else {
            Attempt::Retry {
                after: None,
                reason,
            }
        }
    }

    /// `text` with every credential of the URL replaced, in case a server echoes one back.
    fn redact(&self, text: &str) -> String {
        self.secrets.iter().fold(text.to_string(), |text, secret| {
            text.replace(secret, REDACTED)
        })
    }
}

impl Deliver for EmailDelivery {
    async fn deliver(&self, item: &OutboxItem) -> Attempt {
        EmailDelivery::deliver(self, item).await
    }
}

fn give_up(reason: String) -> Attempt {
    Attempt::GiveUp { reason }
}

/// lettre's builder for the URL; its error text passes through [`url_secrets`] redaction.
fn transport_builder(
    url: &Secret,
) -> Result<lettre::transport::smtp::AsyncSmtpTransportBuilder, EmailError> {
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose()).map_err(|error| {
        let problem = url_secrets(url.expose())
            .iter()
            .fold(error.to_string(), |text, secret| {
                text.replace(secret, REDACTED)
            });
        EmailError::InvalidUrl { problem }
    })
}

/// The URL itself and its user and password, as written and percent-decoded, longest first
/// (so a password is not half-replaced through a shorter user name inside it).
fn url_secrets(url: &str) -> Vec<String> {
    let mut secrets = vec![url.to_string()];
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if let Some((userinfo, _host)) = authority.rsplit_once('@') {
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        for part in [user, password] {
            secrets.push(part.to_string());
            secrets.push(percent_decoded(part));
        }
    }
    secrets.retain(|secret| !secret.is_empty());
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    secrets.dedup();
    secrets
}

/// `%40` → `@`, as lettre decodes credentials; invalid escapes are kept as written.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = bytes
            .get(index + 1..index + 3)
            .filter(|_| bytes[index] == b'%')
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::{NoticeEvent, sample_notice};

    const URL: &str = "smtp://mailer:s3cr%40t-pw@127.0.0.1:2525";

    fn settings() -> SmtpSettings {
        SmtpSettings::new(Secret::new(URL.into()), "leadbot <leadbot@example.com>").unwrap()
    }

    fn lookup<'a>(pairs: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn every_tls_form_of_the_url_is_accepted() {
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://mail.example.com?tls=required",
            "smtp://user:pass@mail.example.com:587?tls=required",
            "smtps://user:pass@mail.example.com",
            "smtps://mail.example.com:465/leadbot.example.com",
        ] {
            assert!(
                SmtpSettings::new(Secret::new(url.into()), "a@example.com").is_ok(),
                "{url}"
            );
        }
    }

    #[test]
    fn a_bad_url_is_refused_without_showing_its_credentials() {
        for url in [
            "https://mailer:s3cr3t-pw@mail.example.com",
            "smtp://mailer:s3cr3t-pw@mail.example.com?tls=sometimes",
            "mailer:s3cr3t-pw",
        ] {
            let error = SmtpSettings::new(Secret::new(url.into()), "a@example.com").unwrap_err();
            let text = format!("{error} {error:?}");
            assert!(matches!(error, EmailError::InvalidUrl { .. }), "{text}");
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(text.contains(SMTP_URL_VAR), "{text}");
        }
    }

    #[test]
    fn settings_come_from_two_variables() {
        assert!(SmtpSettings::from_lookup(lookup(&[])).unwrap().is_none());
        assert!(
            SmtpSettings::from_lookup(lookup(&[(SMTP_URL_VAR, " ")]))
                .unwrap()
                .is_none()
        );
        assert_eq!(
            SmtpSettings::from_lookup(lookup(&[(SMTP_URL_VAR, URL)])).unwrap_err(),
            EmailError::MissingFrom
        );
        assert!(matches!(
            SmtpSettings::from_lookup(lookup(&[(SMTP_URL_VAR, URL), (SMTP_FROM_VAR, "leadbot")])),
            Err(EmailError::InvalidFrom { .. })
        ));
        let settings = SmtpSettings::from_lookup(lookup(&[
            (SMTP_URL_VAR, URL),
            (SMTP_FROM_VAR, "Leads <leads@example.com>"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(settings.from.email.to_string(), "leads@example.com");
    }

    #[test]
    fn debug_output_never_shows_the_url() {
        let settings = settings();
        let delivery = EmailDelivery::new(&settings, DEFAULT_SEND_TIMEOUT).unwrap();
        for text in [format!("{settings:?}"), format!("{delivery:?}")] {
            assert!(!text.contains("s3cr"), "{text}");
            assert!(!text.contains("mailer"), "{text}");
            assert!(!text.contains("2525"), "{text}");
        }
    }

    #[test]
    fn credentials_are_redacted_as_written_and_decoded() {
        let delivery = EmailDelivery::new(&settings(), DEFAULT_SEND_TIMEOUT).unwrap();
        assert_eq!(
            delivery.redact("535 no login for mailer with s3cr@t-pw or s3cr%40t-pw"),
            "535 no login for <redacted> with <redacted> or <redacted>"
        );
        assert_eq!(percent_decoded("a%2Fb%zz%4"), "a/b%zz%4");
        assert_eq!(url_secrets("smtp://host:25"), ["smtp://host:25"]);
    }

    #[test]
    fn the_message_goes_to_the_rep_or_else_the_team() {
        let delivery = EmailDelivery::new(&settings(), DEFAULT_SEND_TIMEOUT).unwrap();
        let mut notice = sample_notice(NoticeEvent::Assigned);
        assert_eq!(
            delivery.message(&notice, "k").unwrap_err(),
            "rep \"sam\" has no e-mail address"
        );
        if let Some(rep) = notice.rep.as_mut() {
            rep.email = Some("sam@example.com".into());
        }
        let message = delivery
            .message(&notice, "handoff:7:42:assigned:email")
            .unwrap();
        assert_eq!(
            message
                .envelope()
                .to()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["sam@example.com"]
        );
        let raw = String::from_utf8_lossy(&message.formatted()).into_owned();
        assert!(raw.contains("To: Sam <sam@example.com>"), "{raw}");
        assert!(
            raw.contains("Message-ID: <handoff.7.42.assigned.email."),
            "{raw}"
        );
        assert!(raw.contains("multipart/alternative"), "{raw}");

        notice.rep = None;
        notice.team_channel = Some(crate::notify::TeamChannel {
            name: "Sales desk".into(),
            slack_channel: None,
            discord_channel: None,
            email: Some("not an address".into()),
        });
        let refused = delivery.message(&notice, "k").unwrap_err();
        assert!(
            refused.starts_with("team \"Sales desk\"'s e-mail"),
            "{refused}"
        );
    }
}
