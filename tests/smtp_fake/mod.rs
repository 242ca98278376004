//! A fake SMTP server on 127.0.0.1 for tests: it speaks enough of RFC 5321 (EHLO, AUTH PLAIN,
//! MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT) for lettre, records every accepted message and
//! every login, and can be told to answer the next recipients with a 4xx or 5xx, to never
//! answer them (a timeout before DATA), or to hang up after taking a message without
//! confirming it (the ambiguous case). Also reads what it received: headers and decoded MIME
//! parts, with base64 and quoted-printable decoders written here, independent of lettre.
#![allow(dead_code, reason = "each test crate uses part of the support code")]
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message the fake accepted (or took before hanging up).
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender.
    pub mail_from: String,
    /// The envelope recipients.
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, lines joined with CRLF.
    pub data: String,
    /// The user and password the session logged in with.
    pub login: Option<(String, String)>,
}

/// How the fake answers the next RCPT TO instead of 250.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientAnswer {
    /// A reply with this code (451, 550...).
    Code(u16),
    /// No answer at all, until the client hangs up.
    Silence,
}

#[derive(Default)]
struct Inner {
    messages: Vec<Received>,
    recipient_answers: VecDeque<RecipientAnswer>,
    recipients_tried: usize,
    required_login: Option<(String, String)>,
    logins: Vec<(String, String)>,
    failed_logins: Vec<(String, String)>,
    hang_ups_after_data: usize,
    connections: usize,
}

/// A running fake SMTP server.
#[derive(Clone)]
pub struct FakeSmtp {
    /// The port it listens on.
    pub port: u16,
    inner: Arc<Mutex<Inner>>,
}

impl FakeSmtp {
    /// Starts a server on a free port; it runs until the test's runtime ends.
    pub async fn start() -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let inner = Arc::new(Mutex::new(Inner::default()));
        let shared = inner.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                shared.lock().unwrap().connections += 1;
                tokio::spawn(session(stream, shared.clone()));
            }
        });
        FakeSmtp { port, inner }
    }

    /// `smtp://127.0.0.1:<port>`: plain SMTP, no login.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// From now on MAIL FROM needs a login with exactly this user and password; a wrong login
    /// is answered `535` with the user and password it was given echoed back (as a careless
    /// server might), so tests can prove leadbot never repeats them.
    pub fn require_login(&self, user: &str, password: &str) {
        self.inner.lock().unwrap().required_login = Some((user.into(), password.into()));
    }

    /// The next `count` RCPT TO commands get `answer` instead of 250.
    pub fn answer_next_recipients(&self, answer: RecipientAnswer, count: usize) {
        let mut inner = self.inner.lock().unwrap();
        for _ in 0..count {
            inner.recipient_answers.push_back(answer);
        }
    }

    /// The next `count` messages are read to their final "." and recorded, then the
    /// connection is closed without the 250 that confirms them.
    pub fn hang_up_after_next_data(&self, count: usize) {
        self.inner.lock().unwrap().hang_ups_after_data += count;
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.inner.lock().unwrap().messages.clone()
    }

    /// How many RCPT TO commands arrived, answered or not.
    pub fn recipients_tried(&self) -> usize {
        self.inner.lock().unwrap().recipients_tried
    }

    /// Successful logins (user, password), in order.
    pub fn logins(&self) -> Vec<(String, String)> {
        self.inner.lock().unwrap().logins.clone()
    }

    /// Refused logins (user, password), in order.
    pub fn failed_logins(&self) -> Vec<(String, String)> {
        self.inner.lock().unwrap().failed_logins.clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.inner.lock().unwrap().connections
    }
}

async fn session(stream: TcpStream, inner: Arc<Mutex<Inner>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut send = async |text: &str| write.write_all(text.as_bytes()).await.is_ok();
    if !send("220 fake.test ESMTP ready\r\n").await {
        return;
    }
    let mut login: Option<(String, String)> = None;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end_matches(['\r', '\n']).to_string();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-fake.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN\r\n".into(),
            "HELO" => "250 fake.test\r\n".into(),
            "AUTH" => {
                let mut words = command.split_whitespace().skip(1);
                if !words
                    .next()
                    .is_some_and(|mechanism| mechanism.eq_ignore_ascii_case("PLAIN"))
                {
                    "504 5.5.4 only PLAIN\r\n".into()
                } else {
                    let initial = match words.next() {
                        Some(initial) => initial.to_string(),
                        None => {
                            if !send("334 \r\n").await {
                                return;
                            }
                            line.clear();
                            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            line.trim().to_string()
                        }
                    };
                    let decoded = String::from_utf8_lossy(&base64_decode(&initial)).into_owned();
                    let mut fields = decoded.split('\0').skip(1);
                    let given = (
                        fields.next().unwrap_or_default().to_string(),
                        fields.next().unwrap_or_default().to_string(),
                    );
                    let mut inner = inner.lock().unwrap();
                    if inner
                        .required_login
                        .as_ref()
                        .is_none_or(|want| *want == given)
                    {
                        inner.logins.push(given.clone());
                        login = Some(given);
                        "235 2.7.0 authenticated\r\n".into()
                    } else {
                        inner.failed_logins.push(given.clone());
                        format!(
                            "535 5.7.8 bad credentials: user {} password {}\r\n",
                            given.0, given.1
                        )
                    }
                }
            }
            "MAIL" => {
                let needs_login = inner.lock().unwrap().required_login.is_some();
                if needs_login && login.is_none() {
                    "530 5.7.0 authentication required\r\n".into()
                } else {
                    mail_from = Some(angle_address(&command));
                    rcpt_to.clear();
                    "250 2.1.0 sender ok\r\n".into()
                }
            }
            "RCPT" => {
                let answer = {
                    let mut inner = inner.lock().unwrap();
                    inner.recipients_tried += 1;
                    inner.recipient_answers.pop_front()
                };
                match answer {
                    None => {
                        rcpt_to.push(angle_address(&command));
                        "250 2.1.5 recipient ok\r\n".into()
                    }
                    Some(RecipientAnswer::Code(code)) => format!(
                        "{code} {} {}\r\n",
                        if code < 500 { "4.3.0" } else { "5.1.1" },
                        if code < 500 {
                            "try again later"
                        } else {
                            "no such user here"
                        }
                    ),
                    Some(RecipientAnswer::Silence) => {
                        while lines.read_line(&mut line).await.unwrap_or(0) > 0 {}
                        return;
                    }
                }
            }
            "DATA" => {
                let Some(from) = mail_from.clone().filter(|_| !rcpt_to.is_empty()) else {
                    if !send("503 5.5.1 need MAIL and RCPT first\r\n").await {
                        return;
                    }
                    continue;
                };
                if !send("354 end with <CRLF>.<CRLF>\r\n").await {
                    return;
                }
                let mut body = Vec::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let text = line.trim_end_matches(['\r', '\n']);
                    if text == "." {
                        break;
                    }
                    body.push(text.strip_prefix('.').unwrap_or(text).to_string());
                }
                let hang_up = {
                    let mut inner = inner.lock().unwrap();
                    inner.messages.push(Received {
                        mail_from: from,
                        rcpt_to: std::mem::take(&mut rcpt_to),
                        data: body.join("\r\n"),
                        login: login.clone(),
                    });
                    let hang_up = inner.hang_ups_after_data > 0;
                    inner.hang_ups_after_data = inner.hang_ups_after_data.saturating_sub(1);
                    hang_up
                };
                mail_from = None;
                if hang_up {
                    return;
                }
                "250 2.0.0 queued\r\n".into()
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                "250 2.0.0 reset\r\n".into()
            }
            "NOOP" => "250 2.0.0 ok\r\n".into(),
            "QUIT" => {
                send("221 2.0.0 bye\r\n").await;
                return;
            }
            _ => "502 5.5.2 command not recognized\r\n".into(),
        };
        if !send(&reply).await {
            return;
        }
    }
}

/// The address between `<` and `>` of `MAIL FROM:<a@b> ...` or `RCPT TO:<a@b>`.
fn angle_address(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_string())
        .unwrap_or_default()
}

impl Received {
    /// The header's value (folded lines joined), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<String> {
        header_in(headers_of(&self.data), name)
    }

    /// Each leaf part of a multipart message: (content type, decoded text).
    pub fn parts(&self) -> Vec<(String, String)> {
        leaf_parts(&self.data)
    }

    /// The decoded text of the first part whose content type starts with `content_type`.
    pub fn part(&self, content_type: &str) -> Option<String> {
        self.parts()
            .into_iter()
            .find(|(kind, _)| kind.starts_with(content_type))
            .map(|(_, text)| text)
    }
}

fn headers_of(entity: &str) -> &str {
    entity
        .split_once("\r\n\r\n")
        .map_or(entity, |(headers, _)| headers)
}

fn body_of(entity: &str) -> &str {
    entity.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

fn header_in(headers: &str, name: &str) -> Option<String> {
    let mut found: Option<String> = None;
    for line in headers.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some(value) = found.as_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if found.is_some() {
            break;
        }
        if let Some((key, value)) = line.split_once(':')
            && key.trim().eq_ignore_ascii_case(name)
        {
            found = Some(value.trim().to_string());
        }
    }
    found
}

fn leaf_parts(entity: &str) -> Vec<(String, String)> {
    let headers = headers_of(entity);
    let content_type = header_in(headers, "content-type").unwrap_or_else(|| "text/plain".into());
    if content_type.to_ascii_lowercase().starts_with("multipart/") {
        let Some(boundary) = content_type.split(';').find_map(|parameter| {
            parameter
                .trim()
                .strip_prefix("boundary=")
                .map(|value| value.trim_matches('"').to_string())
        }) else {
            return Vec::new();
        };
        let delimiter = format!("--{boundary}");
        body_of(entity)
            .split(delimiter.as_str())
            .skip(1)
            .take_while(|part| !part.starts_with("--"))
            .flat_map(|part| leaf_parts(part.trim_start_matches("\r\n")))
            .collect()
    } else {
        let encoding = header_in(headers, "content-transfer-encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let body = body_of(entity);
        let text = match encoding.as_str() {
            "base64" => String::from_utf8_lossy(&base64_decode(body)).into_owned(),
            "quoted-printable" => {
                String::from_utf8_lossy(&quoted_printable_decode(body)).into_owned()
            }
            _ => body.to_string(),
        };
        vec![(content_type, text)]
    }
}

/// Standard base64, whitespace ignored, padding optional.
pub fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes().take_while(|&c| c != b'=') {
        let Some(six) = value(c) else { continue };
        buffer = (buffer << 6) | u32::from(six);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

/// Quoted-printable: `=XX` escapes, `=` at a line's end joins it to the next.
fn quoted_printable_decode(text: &str) -> Vec<u8> {
    let bytes = text.replace("=\r\n", "").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'=')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                index += 3;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    out
}
