//! Hostile and broken input, one table per kind of entry point: every HTTP endpoint of the real
//! `leadbot serve` (Slack events, interactions and commands, the message API, the hand-off
//! API), the admin's files and the command line. Each row is the input, the answer expected
//! (status and a piece of the message), and — for every input that is refused — proof that
//! nothing stored changed. Text that is accepted is stored verbatim and rendered escaped.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;
mod slack_fake;

use common::{API_TOKEN, Server, count_rows, drain_outbox};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use slack_fake::{BOT_TOKEN, FakeSlack, SIGNING_SECRET, SlackRequest, direct_message, envelope};

/// The reps of these tests: Sam and Omar, both in Slack, always available.
const REPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/slack_fake/reps.toml");

/// The tables whose row counts must not move when an input is refused.
const STORED: [&str; 8] = [
    "leads",
    "conversations",
    "messages",
    "answers",
    "processed_events",
    "outbox",
    "assignments",
    "stage_changes",
];

/// The row count of every table in [`STORED`].
async fn stored(url: &str) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in STORED {
        counts.push((table, count_rows(url, table).await));
    }
    counts
}

/// A request as bytes on the wire, so that bodies may be invalid UTF-8 and headers missing.
struct Raw {
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn new(path: &'static str, content_type: &str, body: impl Into<Vec<u8>>) -> Raw {
        Raw {
            path,
            headers: vec![("Content-Type", content_type.to_string())],
            body: body.into(),
        }
    }

    /// Signed as Slack signs, with `secret`, timestamped `age_seconds` ago.
    fn slack_signed(mut self, secret: &str, age_seconds: i64) -> Raw {
        let timestamp = chrono::Utc::now().timestamp() - age_seconds;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("v0:{timestamp}:").as_bytes());
        mac.update(&self.body);
        let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
        self.headers
            .push(("X-Slack-Request-Timestamp", timestamp.to_string()));
        self.headers.push(("X-Slack-Signature", signature));
        self
    }

    fn header(mut self, name: &'static str, value: &str) -> Raw {
        self.headers.push((name, value.to_string()));
        self
    }

    fn bearer(self, token: &str) -> Raw {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    /// Sends it over a fresh connection; the status and the body.
    async fn send(&self, port: u16) -> (u16, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.path,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        // A server may answer (413, 401) and close before reading a large body.
        let _ = stream.write_all(&self.body).await;
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response).await;
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, body)| body)
            .unwrap_or("");
        (status, body.to_string())
    }
}

/// One row of a table: what is sent, and what must come back.
struct Row {
    what: &'static str,
    request: Raw,
    status: u16,
    /// A piece of the answer's body; `""` when any body will do.
    says: &'static str,
}

fn row(what: &'static str, request: Raw, status: u16, says: &'static str) -> Row {
    Row {
        what,
        request,
        status,
        says,
    }
}

fn slack_server(url: &str, fake: &FakeSlack) -> Server {
    Server::start_with_env(
        url,
        &[
            ("SLACK_BOT_TOKEN", BOT_TOKEN),
            ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
            ("SLACK_API_URL", &fake.api_url()),
            ("LEADBOT_REPS", REPS),
            ("LEADBOT_BOOKING_SECRET", BOOKING_SECRET),
            ("LEADBOT_ADMIN_TOKEN", ADMIN_TOKEN),
        ],
    )
}

/// What signs booking webhooks, and what signs an admin in, in these tests.
const BOOKING_SECRET: &str = "test-booking-secret";
const ADMIN_TOKEN: &str = "test-admin-token";

/// A Cal.com-style signature: the hex HMAC-SHA256 of the body.
fn cal_com_signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Calendly's header for `body` signed with `secret` at Unix second `t`.
fn calendly_signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn json_event(body: &Value) -> Raw {
    Raw::new("/slack/events", "application/json", body.to_string())
}

fn form(path: &'static str, body: &str) -> Raw {
    Raw::new(path, "application/x-www-form-urlencoded", body)
}

fn api(body: impl Into<Vec<u8>>) -> Raw {
    Raw::new("/api/messages", "application/json", body)
}

/// Every refusal the HTTP entry points owe: forged, stale and unsigned requests, wrong
/// tokens, oversize, malformed and non-UTF-8 bodies, unknown shapes.
fn refusals() -> Vec<Row> {
    let message = envelope(
        "EvHostile",
        direct_message("U0DANA", "hi", "1700000000.000100"),
    );
    let oversize = "x".repeat(70 * 1024);
    let unknown_event = envelope(
        "EvReaction",
        json!({"type": "reaction_added", "user": "U0DANA", "reaction": "thumbsup",
               "item": {"type": "message", "channel": "D0DANA", "ts": "1.2"}, "event_ts": "1.3"}),
    );
    let booking =
        json!({"triggerEvent": "BOOKING_CREATED", "payload": {"startTime": "2026-12-10T10:00:00Z",
        "attendees": [{"email": "dana@acme.io", "name": "Dana"}], "uid": "b-1"}})
        .to_string();
    let unknown_booking = json!({"event": "something.else", "payload": {}}).to_string();
    let api_message =
        r#"{"channel":"web","conversation":"c-1","event_id":"e-1","text":"hi"}"#.to_string();
    vec![
        row("slack event, forged signature", json_event(&message).slack_signed("not-the-secret", 0), 401, ""),
        row("slack event, signed 6 minutes ago", json_event(&message).slack_signed(SIGNING_SECRET, 360), 401, ""),
        row("slack event, signed in the future", json_event(&message).slack_signed(SIGNING_SECRET, -360), 401, ""),
        row("slack event, no signature", json_event(&message), 401, ""),
        row(
            "slack event, timestamp not a number",
            json_event(&message)
                .header("X-Slack-Request-Timestamp", "soon")
                .header("X-Slack-Signature", "v0=00"),
            401,
            "",
        ),
        row("slack event, signed but not JSON", Raw::new("/slack/events", "application/json", "{\"type\": ").slack_signed(SIGNING_SECRET, 0), 400, ""),
        row(
            "slack event, signed but not UTF-8",
            Raw::new("/slack/events", "application/json", b"{\"type\": \"event_callback\", \"x\": \"\xff\xfe\"}".to_vec()).slack_signed(SIGNING_SECRET, 0),
            400,
            "not UTF-8",
        ),
        row("slack event, 70 KB body", Raw::new("/slack/events", "application/json", oversize.clone()).slack_signed(SIGNING_SECRET, 0), 413, ""),
        row("slack event, unknown event type", json_event(&unknown_event).slack_signed(SIGNING_SECRET, 0), 200, ""),
        row("slack event, unknown envelope type", json_event(&json!({"type": "app_rate_limited_v9", "token": "t"})).slack_signed(SIGNING_SECRET, 0), 200, ""),
        row("slack interaction, forged", form("/slack/interactions", "payload=%7B%7D").slack_signed("not-the-secret", 0), 401, ""),
        row("slack interaction, no payload field", form("/slack/interactions", "nothing=here").slack_signed(SIGNING_SECRET, 0), 400, ""),
        row("slack interaction, payload not JSON", form("/slack/interactions", "payload=%7B%22type").slack_signed(SIGNING_SECRET, 0), 400, ""),
        row(
            "slack interaction, unknown action",
            form(
                "/slack/interactions",
                &form_urlencoded::Serializer::new(String::new())
                    .append_pair("payload", &json!({"type": "block_actions", "user": {"id": "U0DANA"},
                        "actions": [{"action_id": "lb:unknown", "value": "x", "action_ts": "1.1"}],
                        "container": {"channel_id": "D0DANA", "message_ts": "1.0"},
                        "channel": {"id": "D0DANA"}}).to_string())
                    .finish(),
            )
            .slack_signed(SIGNING_SECRET, 0),
            200,
            "",
        ),
        row("slack command, forged", form("/slack/commands", "command=%2Fqualify&user_id=U0DANA").slack_signed("not-the-secret", 0), 401, ""),
        row("slack command, no user", form("/slack/commands", "command=%2Fqualify&trigger_id=1.2").slack_signed(SIGNING_SECRET, 0), 400, "no user_id"),
        row("slack command, another app's command", form("/slack/commands", "command=%2Fdeploy&user_id=U0DANA&trigger_id=1.3").slack_signed(SIGNING_SECRET, 0), 200, "don't know that command"),
        row("api, no token", api(api_message.clone()), 401, "missing or wrong bearer token"),
        row("api, wrong token", api(api_message.clone()).bearer("wrong"), 401, "missing or wrong bearer token"),
        row("api, the token with more after it", api(api_message.clone()).bearer(&format!("{API_TOKEN}x")), 401, "missing or wrong bearer token"),
        row("api, a token prefix", api(api_message.clone()).bearer(&API_TOKEN[..4]), 401, "missing or wrong bearer token"),
        row("api, malformed JSON", api("{\"channel\":").bearer(API_TOKEN), 422, "malformed message"),
        row("api, not UTF-8", api(b"{\"channel\":\"web\",\"conversation\":\"c\",\"event_id\":\"e\",\"text\":\"\xff\"}".to_vec()).bearer(API_TOKEN), 422, "malformed message"),
        row("api, 70 KB body", api(oversize).bearer(API_TOKEN), 413, ""),
        row("api, unknown field", api(r#"{"channel":"web","conversation":"c","event_id":"e","text":"hi","admin":true}"#).bearer(API_TOKEN), 422, "unknown field"),
        row("api, a conversation id with a path in it", api(r#"{"channel":"web","conversation":"../../etc/passwd","event_id":"e","text":"hi"}"#).bearer(API_TOKEN), 422, "letters, digits"),
        row("api, a NUL in the text", api(r#"{"channel":"web","conversation":"c-nul","event_id":"e-nul","text":"a\u0000b"}"#).bearer(API_TOKEN), 422, "NUL"),
        row("api, a NUL in the event id", api(r#"{"channel":"web","conversation":"c-nul","event_id":"e\u0000","text":"ab"}"#).bearer(API_TOKEN), 422, "NUL"),
        row("api, an empty event id", api(r#"{"channel":"web","conversation":"c","event_id":"","text":"hi"}"#).bearer(API_TOKEN), 422, "event_id"),
        row("hand-off api, no token", Raw::new("/api/handoffs/1/accept", "application/json", r#"{"rep":"sam"}"#), 401, "missing or wrong bearer token"),
        row("hand-off api, unknown action", Raw::new("/api/handoffs/1/steal", "application/json", r#"{"rep":"sam"}"#).bearer(API_TOKEN), 404, ""),
        row("hand-off api, id not a number", Raw::new("/api/handoffs/one/accept", "application/json", r#"{"rep":"sam"}"#).bearer(API_TOKEN), 400, ""),
        row("hand-off api, no such hand-off", Raw::new("/api/handoffs/999999/accept", "application/json", r#"{"rep":"sam"}"#).bearer(API_TOKEN), 404, ""),
        row("hand-off api, malformed body", Raw::new("/api/handoffs/1/accept", "application/json", "{").bearer(API_TOKEN), 422, "malformed"),
        row("hand-off api, unknown rep", Raw::new("/api/handoffs/1/accept", "application/json", r#"{"rep":"mallory"}"#).bearer(API_TOKEN), 403, "not in the reps file"),
        row("booking webhook, unsigned", Raw::new("/webhooks/booking", "application/json", booking.clone()), 401, "bad or missing signature"),
        row(
            "booking webhook, signed with another secret",
            Raw::new("/webhooks/booking", "application/json", booking.clone())
                .header("X-Cal-Signature-256", &cal_com_signature("not-the-secret", &booking)),
            401,
            "bad or missing signature",
        ),
        row(
            "booking webhook, a Calendly signature that is not one",
            Raw::new("/webhooks/booking", "application/json", booking.clone())
                .header("Calendly-Webhook-Signature", "t=1,v1=00"),
            401,
            "bad or missing signature",
        ),
        row(
            "booking webhook, a genuine Calendly signature replayed an hour later",
            Raw::new("/webhooks/booking", "application/json", booking.clone()).header(
                "Calendly-Webhook-Signature",
                &calendly_signature(BOOKING_SECRET, chrono::Utc::now().timestamp() - 3600, &booking),
            ),
            401,
            "bad or missing signature",
        ),
        row(
            "booking webhook, signed but of no known shape",
            Raw::new("/webhooks/booking", "application/json", unknown_booking.clone())
                .header("X-Cal-Signature-256", &cal_com_signature(BOOKING_SECRET, &unknown_booking)),
            200,
            "not a new booking",
        ),
        row("takeover api, no token", Raw::new("/api/leads/1/reply", "application/json", r#"{"rep":"sam","text":"hi"}"#), 401, "missing or wrong bearer token"),
        row("admin sign-in, a wrong token", form("/admin/login", "token=guess"), 401, ""),
        row("admin close form, no session", form("/admin/handoffs/1/close", "outcome=won&csrf=x"), 303, ""),
        row("unknown path", Raw::new("/admin/../../etc/passwd", "text/plain", ""), 404, ""),
    ]
}

async fn every_refusal_is_answered_and_changes_nothing(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    let before = stored(url).await;
    let rows = refusals();
    let mut wrong = Vec::new();
    for row in &rows {
        let (status, body) = row.request.send(server.port).await;
        if status != row.status || !body.contains(row.says) {
            wrong.push(format!(
                "{}: expected {} saying {:?}, got {status}: {body}",
                row.what, row.status, row.says
            ));
        }
        // No answer names the token or the signing secret it was checked against.
        for secret in [
            API_TOKEN,
            SIGNING_SECRET,
            BOT_TOKEN,
            BOOKING_SECRET,
            ADMIN_TOKEN,
        ] {
            assert!(!body.contains(secret), "{}: {body}", row.what);
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rows:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
    assert_eq!(
        stored(url).await,
        before,
        "a refused input changed what is stored"
    );
    assert!(
        fake.accepted("chat.postMessage").is_empty(),
        "a refused input made leadbot post to Slack"
    );
    drop(server);
}

/// A prospect's name and company meant to break something: SQL, HTML, Markdown, mass
/// mentions, control, RTL-override and zero-width characters.
const HOSTILE_NAME: &str = "Bobby <!channel> *Tables* \u{202e}evil\u{200b}";
/// [`HOSTILE_NAME`] as the prospect typed it: Slack's mention markup is not text.
const HOSTILE_NAME_TYPED: &str = "Bobby *Tables* \u{202e}evil\u{200b}";
const HOSTILE_COMPANY: &str = "Acme'); DROP TABLE leads;--";
/// Slack sends `<`, `>` and `&` typed by a person HTML-escaped, and mentions as markup.
const HOSTILE_NEED: &str = "&lt;script&gt;alert(1)&lt;/script&gt; <!everyone> <!here> <@U0BOSS> @here `x` _y_ \u{7} \u{1b}[2J";
const HOSTILE_NEED_TYPED: &str = "<script>alert(1)</script> @here `x` _y_ \u{7} \u{1b}[2J";

async fn hostile_text_is_stored_verbatim_and_never_pings_anyone(url: &str) {
    let fake = FakeSlack::start().await;
    let server = slack_server(url, &fake);
    let port = server.port;
    let now = chrono::Utc::now().timestamp();
    for (offset, text) in [
        "hi",
        HOSTILE_NAME,
        HOSTILE_COMPANY,
        HOSTILE_NEED,
        "a NUL\u{0} inside",
    ]
    .into_iter()
    .enumerate()
    {
        let ts = format!("{now}.{offset:06}");
        let (status, body) = SlackRequest::event(envelope(
            &format!("EvName{offset}"),
            direct_message("U0DANA", text, &ts),
        ))
        .send(port)
        .await;
        assert_eq!(status, 200, "{text:?}: {body}");
        drain_outbox(url, "slack").await;
    }
    // Stored exactly as sent (Slack's mention syntax is the prospect's text too), the tables
    // all still there; the NUL, which no database column can hold, dropped.
    let store = leadbot::store::Store::open(url).await.unwrap();
    let leads = store
        .list_leads(&leadbot::store::leads::LeadFilter::default())
        .await
        .unwrap();
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].name.as_deref(), Some(HOSTILE_NAME_TYPED));
    assert_eq!(leads[0].company.as_deref(), Some(HOSTILE_COMPANY));
    let record = store.lead_record(leads[0].id).await.unwrap().unwrap();
    let said: Vec<&str> = record
        .transcript
        .iter()
        .filter(|message| message.direction == "in")
        .map(|message| message.body.as_str())
        .collect();
    assert_eq!(
        said,
        [
            "hi",
            HOSTILE_NAME_TYPED,
            HOSTILE_COMPANY,
            HOSTILE_NEED_TYPED,
            "a NUL inside"
        ]
    );
    store.close().await;
    // What leadbot posted back pings no one and renders none of the markup.
    let posted = fake.accepted("chat.postMessage");
    assert!(posted.len() >= 5, "{} posts", posted.len());
    for post in posted {
        let text = post.body.to_string();
        for live in [
            "<!channel>",
            "<!everyone>",
            "<!here>",
            "<@U0BOSS>",
            "<script>",
        ] {
            assert!(!text.contains(live), "{live} echoed live: {text}");
        }
    }
    drop(server);
}

on_both_databases!(
    every_refusal_is_answered_and_changes_nothing,
    hostile_text_is_stored_verbatim_and_never_pings_anyone,
);

/// One admin file or command line, and what leadbot must say about it.
struct FileRow {
    what: &'static str,
    /// The file's name and bytes (none: the row is only arguments).
    file: Option<(&'static str, Vec<u8>)>,
    /// The arguments; `{file}` stands for the file's path.
    args: &'static [&'static str],
    /// The exit code expected.
    exit: i32,
    /// A piece of what it prints on stderr or stdout.
    says: &'static str,
}

fn shipped_script() -> String {
    std::fs::read_to_string(common::conversations_dir().join("saas-en.toml")).unwrap()
}

fn file_rows() -> Vec<FileRow> {
    let script = shipped_script();
    let traversal = script.replacen("id = \"saas-en\"", "id = \"../../etc/passwd\"", 1);
    let mut huge = script.clone().into_bytes();
    huge.extend(format!("# {}\n", "x".repeat(2 * 1024 * 1024)).into_bytes());
    let mut not_utf8 = script.clone().into_bytes();
    not_utf8.extend(b"# \xff\xfe\n");
    let nested = format!("id = \"x\"\nsteps = {}", "[".repeat(100_000));
    let inline_tables = format!("id = \"x\"\na = {}", "{ b = ".repeat(50_000));
    vec![
        FileRow {
            what: "a script id with a path in it",
            file: Some(("trav.toml", traversal.into_bytes())),
            args: &["validate", "{file}"],
            exit: 1,
            says: "must be letters, digits",
        },
        FileRow {
            what: "a 2 MB script",
            file: Some(("huge.toml", huge)),
            args: &["validate", "{file}"],
            exit: 1,
            says: "limited to 1048576",
        },
        FileRow {
            what: "a script that is not UTF-8",
            file: Some(("bytes.toml", not_utf8)),
            args: &["validate", "{file}"],
            exit: 1,
            says: "valid UTF-8",
        },
        FileRow {
            what: "arrays nested 100,000 deep",
            file: Some(("deep.toml", nested.into_bytes())),
            args: &["validate", "{file}"],
            exit: 1,
            says: "recursion",
        },
        FileRow {
            what: "inline tables nested 50,000 deep",
            file: Some(("tables.toml", inline_tables.into_bytes())),
            args: &["validate", "{file}"],
            exit: 1,
            says: "recursion",
        },
        FileRow {
            what: "a script that is empty",
            file: Some(("empty.toml", Vec::new())),
            args: &["validate", "{file}"],
            exit: 1,
            says: "empty.toml",
        },
        FileRow {
            what: "a reps file nested deep",
            file: Some((
                "reps.toml",
                format!("[[reps]]\nid = {}", "[".repeat(100_000)).into_bytes(),
            )),
            args: &[
                "--scripts",
                "{scripts}",
                "--reps",
                "{file}",
                "reps",
                "validate",
            ],
            exit: 1,
            says: "recursion",
        },
        FileRow {
            what: "a reps file that is a 2 MB log",
            file: Some(("reps.log", vec![b'a'; 2 * 1024 * 1024])),
            args: &[
                "--scripts",
                "{scripts}",
                "--reps",
                "{file}",
                "reps",
                "validate",
            ],
            exit: 1,
            says: "limited to 1048576",
        },
        FileRow {
            what: "a lead id that is not a number",
            file: None,
            args: &["leads", "show", "1; DROP TABLE leads"],
            exit: 2,
            says: "invalid digit",
        },
        FileRow {
            what: "an unknown subcommand",
            file: None,
            args: &["erase-everything"],
            exit: 2,
            says: "unrecognized subcommand",
        },
        FileRow {
            what: "a database URL of an unknown kind",
            file: None,
            args: &[
                "--database",
                "mysql://root:hunter2@127.0.0.1/x",
                "leads",
                "list",
            ],
            exit: 1,
            says: "unsupported database URL",
        },
        FileRow {
            what: "a PostgreSQL server that refuses",
            file: None,
            args: &[
                "--database",
                "postgres://leadbot:hunter2@127.0.0.1:1/x",
                "leads",
                "list",
            ],
            exit: 1,
            says: "Connection refused",
        },
    ]
}

#[test]
fn bad_files_and_arguments_get_a_clear_error_and_no_secret_is_echoed() {
    let folder = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", folder.path().join("leads.db").display());
    let mut wrong = Vec::new();
    let rows = file_rows();
    for row in &rows {
        let path = row.file.as_ref().map(|(name, bytes)| {
            let path = folder.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path.display().to_string()
        });
        let args: Vec<String> = row
            .args
            .iter()
            .map(|arg| {
                arg.replace("{file}", path.as_deref().unwrap_or_default())
                    .replace(
                        "{scripts}",
                        &common::conversations_dir().display().to_string(),
                    )
            })
            .collect();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadbot"))
            .args(&args)
            .env("DATABASE_URL", &database)
            .env_remove("LEADBOT_REPS")
            .env_remove("LEADBOT_CONFIG")
            .current_dir(folder.path())
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if output.status.code() != Some(row.exit) || !printed.contains(row.says) {
            wrong.push(format!(
                "{}: expected exit {} saying {:?}, got {:?}: {printed}",
                row.what,
                row.exit,
                row.says,
                output.status.code()
            ));
        }
        assert!(!printed.contains("hunter2"), "{}: {printed}", row.what);
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rows:\n{}",
        wrong.len(),
        rows.len(),
        wrong.join("\n")
    );
}

/// A prospect's text printed on an admin's terminal: escape sequences and bidirectional
/// overrides are shown as escapes, never acted on.
#[test]
fn a_prospects_escape_sequences_never_reach_an_admins_terminal() {
    let folder = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", folder.path().join("leads.db").display());
    let leadbot = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_leadbot"));
        command
            .env("DATABASE_URL", &database)
            .env("LEADBOT_SCRIPTS", common::conversations_dir())
            .env_remove("LEADBOT_CONFIG")
            .current_dir(folder.path());
        command
    };
    let mut chat = leadbot()
        .arg("chat")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut input = chat.stdin.take().unwrap();
        writeln!(
            input,
            "hi\nBobby \u{1b}[2J\u{1b}]0;owned\u{7} \u{202e}evil\nAcme\u{1b}[31m"
        )
        .unwrap();
    }
    assert!(chat.wait().unwrap().success());
    for args in [&["leads", "show", "1"][..], &["leads", "list"][..]] {
        let output = leadbot().args(args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        let printed = String::from_utf8(output.stdout).unwrap();
        assert!(printed.contains("Bobby \\u{1b}[2J"), "{args:?}: {printed}");
        for acting in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(
                !printed.contains(acting),
                "{args:?} printed {acting:?}: {printed}"
            );
        }
    }
}
