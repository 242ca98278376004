//! Shared test support: a fresh database per test, on SQLite or on the local PostgreSQL.
#![allow(dead_code)]

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
