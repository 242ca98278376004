//! `/admin` in a real browser, on both databases: headless Chromium driven over WebDriver
//! (chromedriver, `/usr/bin/chromedriver` or `LEADBOT_CHROMEDRIVER`) against `leadbot serve`
//! on a history seeded by `leadbot bench --history`: sign in, the funnel numbers of the
//! seeded database, a filter, the lead list and a lead's page, a prospect's `<script>` name
//! shown as text. Screenshots of each page go to target/screenshots/.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use leadbot::report::costs::SourceCosts;
use leadbot::store::Store;
use leadbot::store::funnel::ReportFilter;

const ADMIN_TOKEN: &str = "dashboard-admin-token";
const HOSTILE_NAME: &str = "<script>document.title='pwned'</script> Eve";

/// A chromedriver process on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let binary = std::env::var("LEADBOT_CHROMEDRIVER")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".to_string());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start {binary} (apt-get install chromium chromium-driver): {error}")
            });
        Driver { child, port }
    }

    async fn browser(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_string(),
            serde_json::json!({
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=412,915"]
            }),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            if let Ok(client) = ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                return client;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not accept a session on {url}");
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn screenshot(browser: &Client, name: &str) {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    let png = browser.screenshot().await.unwrap();
    std::fs::write(folder.join(format!("{name}.png")), png).unwrap();
}

/// Clicks what `locator` finds and waits (up to 10 s) until the page contains `marker`: a click
/// that submits a form returns before the next page has loaded.
async fn click_and_wait(browser: &Client, locator: Locator<'_>, marker: &str) {
    browser.find(locator).await.unwrap().click().await.unwrap();
    let mut page = String::new();
    for _ in 0..100 {
        page = browser.source().await.unwrap();
        if page.contains(marker) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never showed {marker:?}:\n{page}");
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn the_dashboard_shows_the_seeded_funnel_in_chromium(url: &str) {
    let db = if url.starts_with("sqlite") {
        "sqlite"
    } else {
        "postgres"
    };
    let seeded = Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .args(["bench", "--history", "300", "--json", "--database", url])
        .current_dir(std::env::temp_dir())
        .env_remove("LEADBOT_CONFIG")
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let mut server = common::Server::start_with_env(url, &[("LEADBOT_ADMIN_TOKEN", ADMIN_TOKEN)]);
    for (event, text) in [("d1", "hi"), ("d2", HOSTILE_NAME)] {
        let body = serde_json::json!({
            "channel": "web", "conversation": "hostile", "event_id": event, "text": text,
            "source": "ads"
        });
        let (status, answer) = common::post_json(
            server.port,
            "/api/messages",
            common::API_TOKEN,
            &body.to_string(),
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "{answer}");
    }
    let store = Store::open(url).await.unwrap();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let expected = |filter: ReportFilter| {
        let store = store.clone();
        async move {
            leadbot::report::build(&store, &filter, &SourceCosts::new(), now_ms)
                .await
                .unwrap()
                .figures
                .funnel
        }
    };
    let all = expected(ReportFilter::default()).await;
    let web = expected(ReportFilter {
        channel: Some("web".into()),
        ..ReportFilter::default()
    })
    .await;
    assert_eq!(all.started, 301);

    let driver = Driver::start();
    let browser = driver.browser().await;
    let base = format!("http://127.0.0.1:{}", server.port);
    browser.goto(&format!("{base}/admin")).await.unwrap();
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/admin/login")
    );
    screenshot(&browser, &format!("{db}-sign-in")).await;
    let token = browser
        .find(Locator::Css("input[name=token]"))
        .await
        .unwrap();
    token.send_keys("wrong").await.unwrap();
    click_and_wait(&browser, Locator::Id("sign-in"), "not the admin token").await;
    let token = browser
        .find(Locator::Css("input[name=token]"))
        .await
        .unwrap();
    token.send_keys(ADMIN_TOKEN).await.unwrap();
    click_and_wait(&browser, Locator::Id("sign-in"), "id=\"stat-started\"").await;

    assert_eq!(
        text_of(&browser, "#stat-started b").await,
        all.started.to_string()
    );
    assert_eq!(text_of(&browser, "#stat-sql b").await, all.sql.to_string());
    assert_eq!(text_of(&browser, "#stat-iql b").await, all.iql.to_string());
    let charts = browser.find_all(Locator::Css("svg.chart")).await.unwrap();
    assert_eq!(charts.len(), 4, "funnel, drop-off, weeks, reps");
    screenshot(&browser, &format!("{db}-overview")).await;
    // The whole page, charts included, still at phone width.
    browser.set_window_size(412, 3000).await.unwrap();
    screenshot(&browser, &format!("{db}-overview-full")).await;
    browser.set_window_size(412, 915).await.unwrap();

    let channel = browser
        .find(Locator::Css("input[name=channel]"))
        .await
        .unwrap();
    channel.send_keys("web").await.unwrap();
    click_and_wait(
        &browser,
        Locator::Id("apply-filters"),
        "name=\"channel\" value=\"web\"",
    )
    .await;
    assert_eq!(
        text_of(&browser, "#stat-started b").await,
        web.started.to_string()
    );
    assert!(web.started < all.started);
    screenshot(&browser, &format!("{db}-overview-web")).await;

    browser.goto(&format!("{base}/admin/leads")).await.unwrap();
    screenshot(&browser, &format!("{db}-leads")).await;
    let search = browser.find(Locator::Css("input[name=q]")).await.unwrap();
    search.send_keys("eve").await.unwrap();
    click_and_wait(
        &browser,
        Locator::Id("filter-leads"),
        "name=\"q\" value=\"eve\"",
    )
    .await;
    let rows = browser.find_all(Locator::Css("#leads tr")).await.unwrap();
    assert_eq!(rows.len(), 2, "the header and the one lead named Eve");
    click_and_wait(
        &browser,
        Locator::Css("#leads tr:nth-child(2) td:nth-child(2) a"),
        "id=\"lead-name\"",
    )
    .await;
    assert_eq!(text_of(&browser, "#lead-name").await, HOSTILE_NAME);
    let title = browser
        .execute("return document.title", vec![])
        .await
        .unwrap();
    assert_ne!(
        title,
        serde_json::json!("pwned"),
        "the prospect's script ran"
    );
    let scripts = browser
        .execute(
            "return document.querySelectorAll('main script').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(scripts, serde_json::json!(0));
    screenshot(&browser, &format!("{db}-lead")).await;

    // A rep's open hand-off closed from its lead page, through the CSRF-protected form.
    let open: i64 = sqlx::query_scalar(
        "SELECT lead_id FROM assignments WHERE status = 'offered' ORDER BY id LIMIT 1",
    )
    .fetch_one(&raw_pool(url).await)
    .await
    .unwrap();
    browser
        .goto(&format!("{base}/admin/leads/{open}"))
        .await
        .unwrap();
    let form = browser
        .find(Locator::Css("form[action$='/close']"))
        .await
        .unwrap();
    form.find(Locator::Css("select[name=outcome] option[value=won]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    form.find(Locator::Css("input[name=value]"))
        .await
        .unwrap()
        .send_keys("5000")
        .await
        .unwrap();
    click_and_wait(
        &browser,
        Locator::Css("form[action$='/close'] button"),
        "won · 5,000.00 USD",
    )
    .await;
    assert_eq!(store.outcomes_of(open).await.unwrap()[0].outcome, "won");

    browser.goto(&format!("{base}/admin/reps")).await.unwrap();
    screenshot(&browser, &format!("{db}-reps")).await;
    // A change the live watcher refused shows with its error until the file is fixed.
    store
        .refuse_change(&leadbot::store::scripts::RefusedChange {
            file: "conversations/broken.toml".into(),
            script_id: None,
            error: "conversations/broken.toml:3:7: expected `=`".into(),
            at_ms: chrono::Utc::now().timestamp_millis(),
        })
        .await
        .unwrap();
    browser
        .goto(&format!("{base}/admin/scripts"))
        .await
        .unwrap();
    let page = browser.source().await.unwrap();
    assert!(page.contains("saas-en"));
    assert!(
        page.contains("conversations/broken.toml:3:7: expected `=`"),
        "{page}"
    );
    screenshot(&browser, &format!("{db}-scripts")).await;

    click_and_wait(
        &browser,
        Locator::Css("header form button"),
        "name=\"token\"",
    )
    .await;
    browser.goto(&format!("{base}/admin")).await.unwrap();
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/admin/login")
    );
    browser.close().await.unwrap();
    store.close().await;
    server.terminate();
}

async fn raw_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

/// POSTs a form with a cookie over a fresh connection; returns the status and headers.
async fn post_form(port: u16, path: &str, cookie: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap();
    (status, text)
}

/// Without the browser: the session cookie's attributes, and a form without its CSRF token
/// refused.
async fn sessions_are_strict_cookies_and_forms_need_their_csrf_token(url: &str) {
    let mut server = common::Server::start_with_env(url, &[("LEADBOT_ADMIN_TOKEN", ADMIN_TOKEN)]);
    let (status, response) = post_form(
        server.port,
        "/admin/login",
        "",
        &format!("token={ADMIN_TOKEN}"),
    )
    .await;
    assert_eq!(status, 303, "{response}");
    let set_cookie = response
        .lines()
        .find(|line| line.to_lowercase().starts_with("set-cookie:"))
        .unwrap()
        .to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains(ADMIN_TOKEN));
    let cookie = set_cookie
        .split_once(':')
        .unwrap()
        .1
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (status, _) = post_form(server.port, "/admin/logout", &cookie, "csrf=forged").await;
    assert_eq!(status, 403);
    let (status, _) = post_form(
        server.port,
        "/admin/handoffs/1/close",
        &cookie,
        "outcome=won",
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = post_form(server.port, "/admin/login", "", "token=wrong").await;
    assert_eq!(status, 401);
    server.terminate();
}

on_both_databases!(
    the_dashboard_shows_the_seeded_funnel_in_chromium,
    sessions_are_strict_cookies_and_forms_need_their_csrf_token,
);
