//! Admins' live changes with a real `leadbot serve` and real file edits — a script edit is used
//! by the next new conversation while one in progress finishes on its old version; a broken,
//! half-written, duplicate, deleted or unreadable script is refused and nothing changes, a changed
//! id starts a new script beside the old; the reps file likewise (and a rep added with a webhook
//! is delivered to at once) — on SQLite and PostgreSQL.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{API_TOKEN, Server, at, conversations_dir, count_rows, post_json};
use leadbot::script::ScriptVersion;

const COMPANY: &str = "Thanks! Which company are you with?";
const ORGANISATION: &str = "Which organisation do you work for?";

/// Sends `text` as turn `turn` of conversation `address`; returns the reply body.
async fn say(port: u16, address: &str, turn: i64, text: &str) -> String {
    let body = serde_json::json!({
        "channel": "web",
        "conversation": address,
        "event_id": format!("{address}-{turn}"),
        "text": text,
        "at": at(60 * turn).to_rfc3339(),
    })
    .to_string();
    let (status, reply) = post_json(port, "/api/messages", API_TOKEN, &body)
        .await
        .unwrap();
    assert_eq!(status, 200, "{reply}");
    reply
}

/// `GET /api/scripts`: the active versions and open refusals, as JSON text.
async fn get_scripts(port: u16) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!(
        "GET /api/scripts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {API_TOKEN}\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = response.split_once("\r\n\r\n").unwrap().1.to_string();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["scripts"].as_array().unwrap().len(), 3, "{json}");
    body
}

/// Waits (up to 20 s) until `SELECT COUNT(*) FROM <from>` is `expected`.
async fn wait_for_rows(url: &str, from: &str, expected: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = count_rows(url, from).await;
        if found == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{from}: {found} rows, expected {expected}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the refusals of `file` still open say, one per line.
async fn open_refusals(url: &str, file: &Path) -> String {
    let store = leadbot::store::Store::open(url).await.unwrap();
    let refusals = store.open_refusals().await.unwrap();
    store.close().await;
    refusals
        .into_iter()
        .filter(|refusal| refusal.file == file.display().to_string())
        .map(|refusal| refusal.error)
        .collect::<Vec<_>>()
        .join("\n")
}

async fn script_edits_apply_live_and_broken_ones_are_refused(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("conversations");
    std::fs::create_dir(&folder).unwrap();
    for shipped in ["saas-en.toml", "saas-ko.toml", "saas-ro.toml"] {
        std::fs::copy(conversations_dir().join(shipped), folder.join(shipped)).unwrap();
    }
    let script = folder.join("saas-en.toml");
    let original = std::fs::read_to_string(&script).unwrap();
    let reps = dir.path().join("reps.toml");
    let reps_text = std::fs::read_to_string(conversations_dir().join("../reps.toml")).unwrap();
    std::fs::write(&reps, &reps_text).unwrap();
    let log = dir.path().join("serve.log");
    let folder_env = folder.display().to_string();
    let reps_env = reps.display().to_string();
    let server = Server::start_with_log(
        url,
        &[
            ("LEADBOT_SCRIPTS", &folder_env),
            ("LEADBOT_REPS", &reps_env),
            ("LEADBOT_LOG", "info,sqlx=error"),
        ],
        &log,
    );
    let port = server.port;
    wait_for_rows(url, "script_activations", 3).await;

    say(port, "early", 0, "hi").await;
    // An edit without touching `version` is a new version, used from the next conversation on.
    std::fs::write(&script, original.replace(COMPANY, ORGANISATION)).unwrap();
    wait_for_rows(url, "script_activations", 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let early = say(port, "early", 1, "Dana").await;
    assert!(
        early.contains(COMPANY),
        "in progress keeps its version: {early}"
    );
    say(port, "late", 0, "hi").await;
    let late = say(port, "late", 1, "Sam").await;
    assert!(late.contains(ORGANISATION), "a new conversation: {late}");

    // Half a file, as an editor's first write leaves it: refused with file:line:column.
    let cut = original.find("[[steps]]").unwrap() + 12;
    std::fs::write(&script, &original[..cut]).unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 1).await;
    let refused = open_refusals(url, &script).await;
    let at_line = format!("{}:", script.display());
    assert!(refused.starts_with(&at_line), "{refused}");
    assert!(
        refused.split(':').nth(1).unwrap().parse::<usize>().is_ok(),
        "a line number: {refused}"
    );
    let shown = get_scripts(port).await;
    assert!(
        shown.contains("saas-en.toml:"),
        "the admin API shows it: {shown}"
    );
    say(port, "third", 0, "hi").await;
    let third = say(port, "third", 1, "Kim").await;
    assert!(
        third.contains(ORGANISATION),
        "the running version stays: {third}"
    );
    assert_eq!(count_rows(url, "script_activations").await, 4);

    // A second file claiming the same id is ignored; the first one stays in charge.
    std::fs::write(&script, original.replace(COMPANY, ORGANISATION)).unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 0).await;
    let copy = folder.join("copy.toml");
    std::fs::write(&copy, &original).unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 1).await;
    let duplicate = open_refusals(url, &copy).await;
    assert!(duplicate.contains("already used by"), "{duplicate}");
    std::fs::remove_file(&copy).unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 0).await;

    // A deleted script keeps running the version it had.
    std::fs::remove_file(&script).unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 1).await;
    let deleted = open_refusals(url, &script).await;
    assert!(deleted.contains("deleted"), "{deleted}");
    say(port, "fourth", 0, "hi").await;
    let fourth = say(port, "fourth", 1, "Lee").await;
    assert!(fourth.contains(ORGANISATION), "{fourth}");
    std::fs::write(&script, original.replace(COMPANY, ORGANISATION)).unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 0).await;
    assert_eq!(count_rows(url, "script_activations").await, 4);

    // Renaming a file (same script, same text) is no change, and no deleted script.
    std::fs::rename(folder.join("saas-ro.toml"), folder.join("romanian.toml")).unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(open_refusals(url, &folder.join("saas-ro.toml")).await, "");
    assert_eq!(count_rows(url, "script_activations").await, 4);

    // The reps file: a broken change is refused, a valid one applied.
    std::fs::write(
        &reps,
        reps_text.replace("default_pool = \"general\"", "default_pool = \"nowhere\""),
    )
    .unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 1).await;
    let broken_team = open_refusals(url, &reps).await;
    assert!(broken_team.contains("nowhere"), "{broken_team}");
    std::fs::write(
        &reps,
        reps_text.replace("Northwind sales desk", "Northwind desk"),
    )
    .unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 0).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&log)
        .unwrap()
        .contains("reps file applied")
    {
        assert!(
            Instant::now() < deadline,
            "the valid reps file was not applied"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("script change refused"), "{logged}");
}

on_both_databases!(script_edits_apply_live_and_broken_ones_are_refused);

/// Runs `leadbot ARGS` on `url` with the scripts in `folder`; returns (success, stdout+stderr).
fn leadbot(url: &str, folder: &Path, args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DATABASE_URL", url)
        .env("LEADBOT_SCRIPTS", folder)
        .env("USER", "tester")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn versions_are_listed_diffed_rolled_back_and_migrated(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("conversations");
    std::fs::create_dir(&folder).unwrap();
    for shipped in ["saas-en.toml", "saas-ko.toml", "saas-ro.toml"] {
        std::fs::copy(conversations_dir().join(shipped), folder.join(shipped)).unwrap();
    }
    let script = folder.join("saas-en.toml");
    let original = std::fs::read_to_string(&script).unwrap();
    let edited = original.replace(COMPANY, ORGANISATION);
    let v1 = ScriptVersion::of(&original).to_string();
    let v2 = ScriptVersion::of(&edited).to_string();
    let folder_env = folder.display().to_string();
    let reps = conversations_dir()
        .join("../reps.toml")
        .display()
        .to_string();
    let server = Server::start_with_env(
        url,
        &[("LEADBOT_SCRIPTS", &folder_env), ("LEADBOT_REPS", &reps)],
    );
    let port = server.port;
    wait_for_rows(url, "script_activations", 3).await;
    say(port, "a", 0, "hi").await;
    say(port, "a", 1, "Dana").await;
    std::fs::write(&script, &edited).unwrap();
    wait_for_rows(url, "script_activations", 4).await;

    let (ok, listed) = leadbot(url, &folder, &["scripts", "list"]);
    assert!(ok, "{listed}");
    let line = listed.lines().find(|l| l.starts_with("saas-en")).unwrap();
    assert!(
        line.contains(&v2) && line.contains(&format!("{v1} 1/1")),
        "{listed}"
    );
    let (ok, diff) = leadbot(url, &folder, &["scripts", "diff", "saas-en", &v1, &v2]);
    assert!(ok, "{diff}");
    assert!(diff.contains(&format!("-ask = \"{COMPANY}\"")), "{diff}");
    assert!(
        diff.contains(&format!("+ask = \"{ORGANISATION}\"")),
        "{diff}"
    );

    let (ok, rolled) = leadbot(
        url,
        &folder,
        &["scripts", "rollback", "saas-en", &v1, "--by", "alice"],
    );
    assert!(ok, "{rolled}");
    let (_, history) = leadbot(url, &folder, &["scripts", "history", "saas-en"]);
    let newest = history.lines().next().unwrap();
    assert!(
        newest.starts_with(&format!("* {v1}")) && newest.contains("rollback, by alice"),
        "{history}"
    );
    assert_eq!(history.lines().count(), 3, "{history}");
    // Every replica polls the database: the rollback reaches this one within seconds.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut attempt = 0;
    loop {
        let address = format!("b{attempt}");
        say(port, &address, 0, "hi").await;
        if say(port, &address, 1, "Sam").await.contains(COMPANY) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the rollback never reached serve"
        );
        attempt += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Moving conversations: all to v2 (same steps), then none to a version without "name".
    let on_v1 = count_rows(
        url,
        &format!("conversations WHERE script_version LIKE '{v1}%'"),
    )
    .await;
    assert!(on_v1 >= 2, "{on_v1}");
    let (ok, moved) = leadbot(
        url,
        &folder,
        &["scripts", "migrate", "saas-en", "--to", &v2],
    );
    assert!(ok, "{moved}");
    assert!(
        moved.contains(&format!("{on_v1} conversation(s) moved")),
        "{moved}"
    );
    let continued = say(port, "a", 2, "Acme").await;
    assert!(continued.contains("What brings you"), "{continued}");
    let renamed = edited.replace("\nid = \"name\"\n", "\nid = \"full_name\"\n");
    std::fs::write(&script, &renamed).unwrap();
    wait_for_rows(url, "script_activations", 6).await;
    let v3 = ScriptVersion::of(&renamed).to_string();
    let (ok, stayed) = leadbot(
        url,
        &folder,
        &["scripts", "migrate", "saas-en", "--to", &v3],
    );
    assert!(ok, "{stayed}");
    assert!(
        stayed.contains("step \"name\" is not in the target version"),
        "{stayed}"
    );
    assert!(stayed.contains("0 conversation(s) moved"), "{stayed}");
    let (ok, unknown) = leadbot(
        url,
        &folder,
        &["scripts", "rollback", "saas-en", "ffffffff"],
    );
    assert!(!ok && unknown.contains("has no version"), "{unknown}");
    drop(server);
}

on_both_databases!(versions_are_listed_diffed_rolled_back_and_migrated);

/// Each request a webhook receiver got: (path, body).
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A webhook receiver that records each request's path and JSON body.
async fn start_receiver() -> (u16, Received) {
    use axum::extract::State;
    let received = Received::default();
    let app = axum::Router::new()
        .fallback(
            |State(log): State<Received>, uri: axum::http::Uri, body: String| async move {
                log.lock().unwrap().push((uri.path().to_string(), body));
                axum::http::StatusCode::OK
            },
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, received)
}

fn one_rep_team(rep: &str, receiver: u16) -> String {
    format!(
        "default_pool = \"desk\"\n\n[[pools]]\nid = \"desk\"\nreps = [\"{rep}\"]\n\n\
         [[reps]]\nid = \"{rep}\"\nname = \"Rep {rep}\"\n\
         webhook_url = \"http://127.0.0.1:{receiver}/{rep}\"\n"
    )
}

async fn a_rep_added_live_gets_hand_offs_on_their_webhook_without_a_restart(url: &str) {
    let (receiver, received) = start_receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let reps = dir.path().join("reps.toml");
    std::fs::write(&reps, one_rep_team("old", receiver)).unwrap();
    let log = dir.path().join("serve.log");
    let scripts = conversations_dir().display().to_string();
    let reps_env = reps.display().to_string();
    let server = Server::start_with_log(
        url,
        &[
            ("LEADBOT_SCRIPTS", &scripts),
            ("LEADBOT_REPS", &reps_env),
            ("LEADBOT_WEBHOOK_SECRET", "whsec-live"),
            ("LEADBOT_LOG", "info,sqlx=error"),
        ],
        &log,
    );
    // The rep who was there at start leaves; a new one, only reachable by webhook, joins.
    std::fs::write(&reps, one_rep_team("new", receiver)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&log)
        .unwrap()
        .contains("delivery started for the reps' new webhooks")
    {
        assert!(
            Instant::now() < deadline,
            "the new rep's webhook was not started"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (turn, text) in std::iter::once("hi")
        .chain(common::QUALIFYING_ANSWERS)
        .enumerate()
    {
        say(server.port, "buyer", turn as i64, text).await;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let paths: Vec<String> = received
            .lock()
            .unwrap()
            .iter()
            .map(|(path, _)| path.clone())
            .collect();
        if !paths.is_empty() {
            assert_eq!(paths, ["/new"], "one hand-off, to the new rep");
            break;
        }
        assert!(Instant::now() < deadline, "no webhook reached the new rep");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = received.lock().unwrap()[0].1.clone();
    let payload: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["lead"]["stage"], "sql", "{payload}");
    assert_eq!(
        count_rows(
            url,
            "outbox WHERE destination = 'webhook:new' AND status = 'delivered'"
        )
        .await,
        1
    );
    drop(server);
}

on_both_databases!(a_rep_added_live_gets_hand_offs_on_their_webhook_without_a_restart);

async fn a_changed_id_and_an_unreadable_file_leave_the_running_versions(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("conversations");
    std::fs::create_dir(&folder).unwrap();
    for shipped in ["saas-en.toml", "saas-ko.toml", "saas-ro.toml"] {
        std::fs::copy(conversations_dir().join(shipped), folder.join(shipped)).unwrap();
    }
    let folder_env = folder.display().to_string();
    let server = Server::start_with_env(
        url,
        &[
            ("LEADBOT_SCRIPTS", &folder_env),
            ("LEADBOT_LOG", "warn,sqlx=error"),
        ],
    );
    wait_for_rows(url, "script_activations", 3).await;

    // Bytes that are not text (a binary saved over the script): refused, the version stays.
    let korean = folder.join("saas-ko.toml");
    let korean_text = std::fs::read(&korean).unwrap();
    std::fs::write(&korean, [0xff, 0xfe, 0x00, b'i', b'd']).unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 1).await;
    let unreadable = open_refusals(url, &korean).await;
    assert!(unreadable.contains("saas-ko.toml"), "{unreadable}");
    assert!(unreadable.to_lowercase().contains("utf-8"), "{unreadable}");
    let (ok, listed) = leadbot(url, &folder, &["scripts", "list"]);
    assert!(ok, "{listed}");
    assert!(listed.contains("saas-ko"), "still active: {listed}");
    std::fs::write(&korean, &korean_text).unwrap();
    wait_for_rows(url, "refused_changes WHERE resolved_at IS NULL", 0).await;
    assert_eq!(count_rows(url, "script_activations").await, 3);

    // A new id in a file starts a new script; the old id stays on its last version.
    let romanian = folder.join("saas-ro.toml");
    let romanian_text = std::fs::read_to_string(&romanian).unwrap();
    std::fs::write(
        &romanian,
        romanian_text.replacen("id = \"saas-ro\"", "id = \"saas-ro-2\"", 1),
    )
    .unwrap();
    wait_for_rows(url, "script_activations", 4).await;
    assert_eq!(
        count_rows(url, "script_activations WHERE script_id = 'saas-ro'").await,
        1,
        "the old id keeps its one activation"
    );
    let (ok, listed) = leadbot(url, &folder, &["scripts", "list"]);
    assert!(ok, "{listed}");
    assert!(
        listed.contains("saas-ro-2") && listed.contains("saas-ro "),
        "{listed}"
    );
    assert_eq!(
        count_rows(url, "refused_changes WHERE resolved_at IS NULL").await,
        0
    );
    drop(server);
}

on_both_databases!(a_changed_id_and_an_unreadable_file_leave_the_running_versions);
