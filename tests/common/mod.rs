//! Shared test support: a fresh database per test, on SQLite or on the local PostgreSQL.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]
#![allow(dead_code, reason = "each test crate uses part of the support code")]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Duration, FixedOffset};
use leadbot::script::{self, Script};

/// The PostgreSQL server tests create their databases on (trust auth on our machines).
pub fn postgres_admin_url() -> String {
    std::env::var("LEADBOT_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A database that exists for one test.
pub struct TestDb {
    /// The URL to give leadbot.
    pub url: String,
    postgres_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh SQLite file.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("leadbot.db").display());
        TestDb {
            url,
            postgres_name: None,
            _dir: Some(dir),
        }
    }

    /// A fresh database on the local PostgreSQL server. Fails (never skips) when the server is
    /// unreachable: CI must exercise PostgreSQL.
    pub async fn postgres() -> TestDb {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "leadbot_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_micros() % 1_000_000
        );
        let admin = postgres_admin_url();
        let mut connection = connect_postgres(&admin).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut connection)
            .await
            .unwrap();
        let base = admin.rsplit_once('/').map(|(base, _)| base).unwrap();
        TestDb {
            url: format!("{base}/{name}"),
            postgres_name: Some(name),
            _dir: None,
        }
    }

    /// Drops a PostgreSQL test database (SQLite files go with their temp folder).
    pub async fn finish(self) {
        if let Some(name) = &self.postgres_name {
            let mut connection = connect_postgres(&postgres_admin_url()).await;
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut connection)
            .await;
        }
    }
}

async fn connect_postgres(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|error| {
            panic!("PostgreSQL must be reachable at {url} for the storage tests: {error}")
        })
}

/// Runs one async test body against a fresh SQLite and a fresh PostgreSQL database.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    let db = $crate::common::TestDb::sqlite();
                    super::$name(&db.url).await;
                    db.finish().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    let db = $crate::common::TestDb::postgres().await;
                    super::$name(&db.url).await;
                    db.finish().await;
                }
            }
        )*
    };
}

/// The project's shipped scripts folder.
pub fn conversations_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conversations")
}

/// The shipped English script.
pub fn english_script() -> Script {
    script::load_file(&conversations_dir().join("saas-en.toml")).unwrap()
}

/// A fixed moment plus `seconds`.
pub fn at(seconds: i64) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap() + Duration::seconds(seconds)
}

/// A `leadbot serve` process on a free port.
pub struct Server {
    child: std::process::Child,
    /// The port it listens on.
    pub port: u16,
}

/// The API token test servers use.
pub const API_TOKEN: &str = "test-token";

impl Server {
    /// Starts `leadbot serve` on `database` and waits until it listens.
    pub fn start(database: &str) -> Server {
        Server::start_with_env(database, &[])
    }

    /// Starts `leadbot serve` on `database` with extra environment variables (e.g. a channel's
    /// token and fake API URL) and waits until it listens.
    pub fn start_with_env(database: &str, env: &[(&str, &str)]) -> Server {
        Server::start_logging_to(database, env, std::process::Stdio::inherit())
    }

    /// As [`Server::start_with_env`], with the server's log (stderr) written to `log`.
    pub fn start_with_log(database: &str, env: &[(&str, &str)], log: &std::path::Path) -> Server {
        let file = std::fs::File::create(log).unwrap();
        Server::start_logging_to(database, env, std::process::Stdio::from(file))
    }

    fn start_logging_to(
        database: &str,
        env: &[(&str, &str)],
        stderr: std::process::Stdio,
    ) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leadbot"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("LEADBOT_API_TOKEN", API_TOKEN)
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from serve: {line:?}"));
        Server { child, port }
    }

    /// Asks the process to stop with SIGTERM, as a service manager does, and waits (up to
    /// 20 s) for it to exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM {pid}: {sent}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "serve did not stop within 20 s of SIGTERM"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Stops the process where it stands (SIGSTOP), as a machine that stalls: it runs nothing
    /// more, its connections stay open, until it is killed.
    pub fn pause(&self) {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -STOP {pid}: {sent}");
    }

    /// Kills the process with SIGKILL — no chance to finish anything.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// POSTs JSON over a fresh HTTP/1.1 connection; returns the status and body.
pub async fn post_json(
    port: u16,
    path: &str,
    token: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let (status, _, body) = post_json_for_headers(port, path, token, body).await?;
    Ok((status, body))
}

/// POSTs JSON over a fresh HTTP/1.1 connection; returns the status, the response's header
/// lines (lower-cased) and the body.
pub async fn post_json_for_headers(
    port: u16,
    path: &str,
    token: &str,
    body: &str,
) -> std::io::Result<(u16, String, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no HTTP status in {text:?}")))?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
    Ok((status, head.to_lowercase(), body.to_string()))
}

/// Two reps, Ana and Ben, reachable by e-mail, always available, in one default pool.
pub const TWO_EMAIL_REPS: &str = r#"
[[pools]]
id = "default"
reps = ["ana", "ben"]
[[reps]]
id = "ana"
name = "Ana"
email = "ana@x.io"
[[reps]]
id = "ben"
name = "Ben"
email = "ben@x.io"
"#;

/// A runtime on `url` with `scripts` and the team of the reps file `team`, whose notices are
/// queued for the terminal (destination "console").
pub async fn team_runtime(
    url: &str,
    scripts: Vec<Script>,
    team: &str,
) -> leadbot::runtime::Runtime {
    let store = leadbot::store::Store::open(url).await.unwrap();
    let team =
        std::sync::Arc::new(leadbot::reps::parse(team, std::path::Path::new("reps.toml")).unwrap());
    leadbot::runtime::Runtime::new(
        store,
        leadbot::runtime::ScriptCatalog::new(scripts, None),
        None,
    )
    .with_team(team)
    .with_rep_channels(["console"])
}

/// Records a migration newer than this build knows, as a newer leadbot would have.
pub async fn record_a_future_migration(url: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let bytes = if url.starts_with("sqlite") {
        "x'00'"
    } else {
        "decode('00', 'hex')"
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'from the future', TRUE, {bytes}, 1)"
    )))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
}

/// A script that qualifies in one answer: a budget of 1,000 or more is SQL.
pub const QUICK_SCRIPT: &str = r#"
id = "quick"
version = 1
locale = "en"
currency = "USD"
default = true
greeting = "Hi!"
required = ["budget"]
iql_requires = []
[thresholds]
mql = 20
sql = 50
[[steps]]
id = "budget"
criterion = "budget"
ask = "Budget?"
expect = "money"
period = "year"
bands = [{ at_least = 1000, points = 60 }]
"#;

/// [`QUICK_SCRIPT`], read.
pub fn quick_script() -> Script {
    leadbot::script::parse(QUICK_SCRIPT, std::path::Path::new("quick.toml")).unwrap()
}

/// Answers that take the shipped English script from its first question to SQL.
pub const QUALIFYING_ANSWERS: [&str; 9] = [
    "Dana Smith",
    "Acme Corp",
    "we are switching from our old CRM",
    "40",
    "$60k a year",
    "next month",
    "yes",
    "dana@acme.io",
    "Europe",
];

/// A conversation of the "test" channel.
pub fn test_key(address: &str) -> leadbot::conversation::ConversationKey {
    leadbot::conversation::ConversationKey {
        channel: "test".into(),
        address: address.into(),
    }
}

/// `SELECT COUNT(*) FROM <from>` on the database at `url`, e.g. `count_rows(url, "answers")`.
pub async fn count_rows(url: &str, from: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {from}")))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

/// Waits until no outbox item for `destination` is pending — each one delivered or given up —
/// so a test asserts what was delivered instead of sleeping to see that nothing more comes. A
/// retry scheduled for later keeps an item pending: such tests use a short retry policy.
pub async fn drain_outbox(url: &str, destination: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE destination = $1 AND status = 'pending'",
        )
        .bind(destination)
        .fetch_one(&pool)
        .await
        .unwrap();
        if pending == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{pending} outbox items for {destination} stayed pending"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    pool.close().await;
}

/// A database outage made on purpose: PostgreSQL refuses connections to the test database
/// (and its open sessions are ended); a SQLite file is write-locked by another connection, so
/// leadbot's writes wait (up to its busy timeout) instead of committing. Ended by
/// [`Outage::end`].
pub enum Outage {
    /// The PostgreSQL database refusing connections.
    Postgres {
        /// Its name.
        database: String,
    },
    /// A connection holding SQLite's write lock.
    Sqlite(sqlx::SqliteConnection),
}

impl Outage {
    /// Starts an outage of the test database at `url`.
    pub async fn begin(url: &str) -> Outage {
        use sqlx::Connection;
        if let Some(path) = url.strip_prefix("sqlite://") {
            let mut connection = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
                .await
                .unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut connection)
                .await
                .unwrap();
            return Outage::Sqlite(connection);
        }
        let database = url.rsplit('/').next().unwrap().to_string();
        let mut admin = connect_postgres(&postgres_admin_url()).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE {database} ALLOW_CONNECTIONS false"
        )))
        .execute(&mut admin)
        .await
        .unwrap();
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(&database)
        .execute(&mut admin)
        .await
        .unwrap();
        Outage::Postgres { database }
    }

    /// Ends the outage: the database accepts leadbot again.
    pub async fn end(self) {
        use sqlx::Connection;
        match self {
            Outage::Sqlite(mut connection) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut connection)
                    .await
                    .unwrap();
                connection.close().await.unwrap();
            }
            Outage::Postgres { database } => {
                let mut admin = connect_postgres(&postgres_admin_url()).await;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER DATABASE {database} ALLOW_CONNECTIONS true"
                )))
                .execute(&mut admin)
                .await
                .unwrap();
            }
        }
    }
}

/// The booking webhook secret the meeting tests give `leadbot serve`.
pub const BOOKING_SECRET: &str = "booking-secret";

/// POSTs a Cal.com `BOOKING_CREATED` webhook, signed with [`BOOKING_SECRET`], for a booking
/// `uid` by `email` starting at `start` (RFC 3339); returns the status and body.
pub async fn post_booking(port: u16, uid: &str, email: &str, start: &str) -> (u16, String) {
    use hmac::Mac;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = serde_json::json!({
        "triggerEvent": "BOOKING_CREATED",
        "payload": { "uid": uid, "attendees": [{ "email": email }], "startTime": start },
    })
    .to_string();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(BOOKING_SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!(
        "POST /webhooks/booking HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Cal-Signature-256: {signature}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, text.split_once("\r\n\r\n").unwrap().1.to_string())
}

/// `who` writes `text` at `now` on a chat app whose replies are queued for the destination
/// `chat-app`; the turn must reply.
pub async fn say_in_chat_app(
    runtime: &leadbot::runtime::Runtime,
    who: &str,
    text: &str,
    now: DateTime<FixedOffset>,
) {
    use leadbot::runtime::{Handled, Inbound, ReplyRoute};
    let inbound = Inbound {
        key: test_key(who),
        event_id: Some(format!("{who}-{}", now.timestamp_millis())),
        input: leadbot::engine::Input::Text(text.into()),
        now,
        reply_via: Some(ReplyRoute {
            destination: "chat-app".into(),
            context: serde_json::json!({"thread": who}),
        }),
        existing_only: false,
        answers_step: None,
        person: None,
    };
    assert!(matches!(
        runtime.handle(&inbound).await.unwrap(),
        Handled::Replied(_)
    ));
}

/// The texts queued for `chat-app` since the last call, marked delivered.
pub async fn sent_to_chat_app(
    runtime: &leadbot::runtime::Runtime,
    now: DateTime<FixedOffset>,
) -> Vec<String> {
    let now_ms = now.timestamp_millis();
    let items = runtime
        .store()
        .claim_outbox("chat-app", 100, 60_000, now_ms)
        .await
        .unwrap();
    let mut texts = Vec::new();
    for item in items {
        runtime
            .store()
            .outbox_delivered(item.id, now_ms)
            .await
            .unwrap();
        texts.push(
            item.payload()["reply"]["text"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    texts
}

/// Every hand-off notice queued for the terminal by `seconds` (see [`at`]), marked delivered.
pub async fn drain_notices(
    runtime: &leadbot::runtime::Runtime,
    seconds: i64,
) -> Vec<leadbot::notify::HandOffNotice> {
    drain_messages(runtime, "console", seconds)
        .await
        .iter()
        .map(|message| message.as_handoff().unwrap().clone())
        .collect()
}

/// Every item queued for `destination` by `seconds` (see [`at`]), marked delivered, in
/// delivery order: what a worker would have sent.
pub async fn drain_messages(
    runtime: &leadbot::runtime::Runtime,
    destination: &str,
    seconds: i64,
) -> Vec<leadbot::outbox::OutboxMessage> {
    let now = at(seconds).timestamp_millis();
    let mut messages = Vec::new();
    loop {
        let items = runtime
            .store()
            .claim_outbox(destination, 100, 60_000, now)
            .await
            .unwrap();
        if items.is_empty() {
            return messages;
        }
        for item in items {
            runtime
                .store()
                .outbox_delivered(item.id, now)
                .await
                .unwrap();
            messages.push(item.message);
        }
    }
}

/// What a [`Front`] does with the connections and requests it receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontMode {
    /// Passes everything to the server behind it, and its answers back.
    Open,
    /// Its port is closed: connecting is refused.
    Refusing,
    /// Passes requests on but never answers: the server acts, the caller waits (its timeout).
    Silent,
    /// Answers every request itself with this status, and this `Retry-After` (seconds) when
    /// given; nothing reaches the server.
    Answering(u16, Option<u64>),
}

/// A front for a fake HTTP server (a chat platform's API, a webhook receiver) on a port of its
/// own, that fails the way a real server does when told to: its port closed and reopened,
/// connections accepted and never answered, 429 or 5xx answers. Each change of mode closes
/// the connections open so far, so the new mode applies to every request from then on.
pub struct Front {
    /// The port to give the client instead of the server's.
    pub port: u16,
    mode: std::sync::Arc<tokio::sync::watch::Sender<FrontMode>>,
    met: std::sync::Arc<std::sync::Mutex<Vec<FrontMode>>>,
}

impl Front {
    /// A front, open, for the server on `upstream` (a port on 127.0.0.1).
    pub async fn start(upstream: u16) -> Front {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (mode, _) = tokio::sync::watch::channel(FrontMode::Open);
        let front = Front {
            port,
            mode: std::sync::Arc::new(mode),
            met: std::sync::Arc::default(),
        };
        tokio::spawn(front_loop(
            listener,
            upstream,
            front.mode.subscribe(),
            front.met.clone(),
        ));
        front
    }

    /// From now on, `mode`.
    pub fn set(&self, mode: FrontMode) {
        self.mode.send_replace(mode);
    }

    /// How many connections (open, silent) or requests (answering) met `mode` so far; refused
    /// connections are not seen, and not counted.
    pub fn met(&self, mode: FrontMode) -> usize {
        self.met
            .lock()
            .unwrap()
            .iter()
            .filter(|met| **met == mode)
            .count()
    }
}

/// Accepts connections while the mode is not [`FrontMode::Refusing`]; while it is, the port is
/// closed (the listener dropped), then bound again.
async fn front_loop(
    listener: tokio::net::TcpListener,
    upstream: u16,
    mut mode: tokio::sync::watch::Receiver<FrontMode>,
    met: std::sync::Arc<std::sync::Mutex<Vec<FrontMode>>>,
) {
    let port = listener.local_addr().unwrap().port();
    let mut listener = Some(listener);
    loop {
        let Some(open) = &listener else {
            if mode.changed().await.is_err() {
                return;
            }
            if *mode.borrow() != FrontMode::Refusing {
                // The port was just released; binding it again may take a moment.
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                listener = loop {
                    match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
                        Ok(bound) => break Some(bound),
                        Err(error) => {
                            assert!(
                                std::time::Instant::now() < deadline,
                                "port {port} not free again: {error}"
                            );
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        }
                    }
                };
            }
            continue;
        };
        tokio::select! {
            accepted = open.accept() => {
                if let Ok((stream, _)) = accepted {
                    tokio::spawn(front_connection(stream, upstream, mode.clone(), met.clone()));
                }
            }
            changed = mode.changed() => {
                if changed.is_err() {
                    return;
                }
                if *mode.borrow() == FrontMode::Refusing {
                    listener = None;
                }
            }
        }
    }
}

/// Serves one connection in the mode of the moment it was accepted. A connection passed
/// through is cut when the mode changes (a client's pooled connection must not outlive the
/// server's health); a silent one lasts until the client gives up; an answering one answers
/// one request and closes, so a change never cuts a request off unanswered.
async fn front_connection(
    mut stream: tokio::net::TcpStream,
    upstream: u16,
    mut mode: tokio::sync::watch::Receiver<FrontMode>,
    met: std::sync::Arc<std::sync::Mutex<Vec<FrontMode>>>,
) {
    let now = *mode.borrow_and_update();
    match now {
        FrontMode::Refusing => {}
        FrontMode::Open => {
            met.lock().unwrap().push(now);
            let Ok(mut server) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
            else {
                return;
            };
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut stream, &mut server) => {}
                _ = mode.changed() => {}
            }
        }
        FrontMode::Silent => {
            met.lock().unwrap().push(now);
            let Ok(mut server) = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await
            else {
                return;
            };
            let (mut from_client, _to_client) = stream.split();
            let (_from_server, mut to_server) = server.split();
            let _ = tokio::io::copy(&mut from_client, &mut to_server).await;
        }
        FrontMode::Answering(status, retry_after) => {
            if read_request(&mut stream).await {
                met.lock().unwrap().push(now);
                let _ = answer(&mut stream, status, retry_after).await;
            }
        }
    }
}

/// Reads one HTTP/1.1 request (its head, and a body of `Content-Length` bytes); false when the
/// connection ended first.
async fn read_request(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while received.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
        }
    }
    true
}

/// Answers `status` (429 with Slack's `ratelimited` body), with `Retry-After` when given, and
/// closes the connection.
async fn answer(
    stream: &mut tokio::net::TcpStream,
    status: u16,
    retry_after: Option<u64>,
) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let body = if status == 429 {
        r#"{"ok":false,"error":"ratelimited"}"#
    } else {
        "failing on purpose"
    };
    let retry_after = retry_after
        .map(|seconds| format!("Retry-After: {seconds}\r\n"))
        .unwrap_or_default();
    let response = format!(
        "HTTP/1.1 {status} Failing\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n{retry_after}\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await
}
