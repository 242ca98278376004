//! Purpose: the database behind leadbot — one store over sqlx for SQLite (the embedded default)
//! and PostgreSQL (production), chosen by the URL. Runtime queries with `$N` placeholders run on
//! both; where the backends differ (how a write transaction starts, how a conversation is
//! locked) the store says so in one place.

pub mod admin;
pub mod assignments;
mod batch;
mod connections;
mod destinations;
pub mod funnel;
mod health;
mod history;
pub mod leads;
pub mod meetings;
mod migrations;
pub mod outbox;
pub mod outcomes;
pub mod people;
pub mod scripts;
mod takeover;
mod turn;
mod waiting;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

pub use assignments::{Assignment, HandoffTx, HandoffWrite, NewAssignment};
use connections::{IDLE_BEFORE_PING, WriteConnections};
pub use health::Backlog;
pub use outbox::OUTBOX_NOTIFY_CHANNEL;
pub use people::Merged;
pub use turn::{StoredConversation, TurnTx};
pub use waiting::WaitingConversation;
pub(crate) use writer::WriteTx;
use writer::{GroupCommit, WalLength};

use crate::conversation::ConversationKey;

/// PostgreSQL connections for reads outside a turn (reports, timers, script versions).
const POSTGRES_READERS: u32 = 4;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A local file, WAL mode; one process.
    Sqlite,
    /// A server shared by several replicas.
    Postgres,
}

/// What can go wrong in the store. Messages never contain credentials.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported database.
    #[error("unsupported database URL (use sqlite://PATH or postgres://HOST/DB)")]
    UnsupportedUrl,
    /// The database could not be reached or opened.
    #[error("cannot open the database: {0}")]
    Connect(sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database was migrated by a newer leadbot.
    #[error(
        "the database schema is at version {found}, newer than this leadbot supports ({supported}); upgrade leadbot"
    )]
    SchemaTooNew {
        /// The version in the database.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A query failed.
    #[error("database error: {0}{hint}", hint = cannot_write_hint(.0))]
    Query(#[from] sqlx::Error),
    /// Stored data could not be read back.
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// A write was not committed (SQLite: its group commit failed); nothing of it is stored.
    #[error("the write was not stored: {0}")]
    NotCommitted(String),
    /// Text from outside (a conversation's channel or address, an event id) holds a NUL
    /// character, which PostgreSQL text cannot hold: refused on both backends alike, before
    /// anything is written.
    #[error("the {0} contains a NUL character, which the database cannot store")]
    NulCharacter(&'static str),
}

/// Script versions (id, version) known to be in the database.
type StoredScripts =
    std::sync::Mutex<std::collections::HashSet<(String, crate::script::ScriptVersion)>>;

/// Where write transactions run, by backend.
#[derive(Debug, Clone)]
enum Writes {
    /// SQLite: savepoints in a group transaction; writes queued together commit together (see
    /// `writer`).
    Grouped(Arc<GroupCommit>),
    /// PostgreSQL: a transaction of its own on one of these connections (see `connections`).
    Own(Arc<WriteConnections>),
}

/// Handle to the database; cheap to clone, shared by every task.
#[derive(Debug, Clone)]
pub struct Store {
    /// Migrations, and on SQLite the group commit's single connection: SQLite has one writer
    /// at a time, and writers queued here (in order) beat writers sleeping in SQLite's busy
    /// handler, with one page cache that stays warm. On PostgreSQL the read pool.
    writer: AnyPool,
    /// How a write transaction starts.
    writes: Writes,
    /// Script versions this process has seen committed, so their source is sent only once.
    stored_scripts: Arc<StoredScripts>,
    /// Reads outside a turn (reports, resumes, script versions).
    reader: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens the database at `url` with the default options and applies pending migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, StoreOptions::default()).await
    }

    /// Opens the database at `url` with `options` and applies pending migrations.
    pub async fn open_with(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        let store = Store::connect_with(url, options).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating (for `leadbot migrate` to report what it does).
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        Store::connect_with(url, options).await
    }

    async fn connect_with(url: &str, store_options: StoreOptions) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(StoreError::Connect)?;
        let connect = |max: u32| {
            let pool = AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                // No ping before every use: it would add a round trip to every turn on
                // PostgreSQL, and a local file needs none (idle connections: see below).
                .test_before_acquire(false);
            match backend {
                Backend::Sqlite => pool.after_connect(|connection, _| {
                    Box::pin(async move {
                        connection.execute("PRAGMA journal_mode = WAL").await?;
                        connection.execute("PRAGMA synchronous = NORMAL").await?;
                        connection.execute("PRAGMA busy_timeout = 10000").await?;
                        connection.execute("PRAGMA foreign_keys = ON").await?;
                        // Checkpoints run in the background (below), not in a turn's commit.
                        connection.execute("PRAGMA wal_autocheckpoint = 0").await?;
                        // After a spike, the log file is cut back to 64 MB once it restarts.
                        connection
                            .execute("PRAGMA journal_size_limit = 67108864")
                            .await?;
                        Ok(())
                    })
                }),
                // A connection that sat idle may have been cut (a server restart, a proxy's
                // timeout): checked before use, and replaced when it fails.
                Backend::Postgres => pool.before_acquire(|connection, metadata| {
                    Box::pin(async move {
                        if metadata.idle_for >= IDLE_BEFORE_PING {
                            connection.ping().await?;
                        }
                        Ok(true)
                    })
                }),
            }
        };
        let (writer, reader, writes) = match backend {
            Backend::Sqlite => {
                let writer = connect(1)
                    .connect_with(options.clone())
                    .await
                    .map_err(StoreError::Connect)?;
                let reader = connect(4)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Connect)?;
                let wal = Arc::new(WalLength::default());
                tokio::spawn(checkpoint_in_background(reader.clone(), wal.clone()));
                let group = GroupCommit::start(writer.clone(), wal);
                (writer, reader, Writes::Grouped(group))
            }
            Backend::Postgres => {
                reach_server(&options).await?;
                let writes =
                    WriteConnections::new(options.clone(), store_options.write_connections);
                let pool = connect(POSTGRES_READERS)
                    .connect_with(options)
                    .await
                    .map_err(StoreError::Connect)?;
                (pool.clone(), pool, Writes::Own(writes))
            }
        };
        Ok(Store {
            writer,
            writes,
            stored_scripts: Arc::default(),
            reader,
            backend,
        })
    }

    /// Brings the schema up to date; refuses a database migrated by a newer leadbot.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let supported = migrations::latest_version(self.backend);
        if let Some(found) = self.schema_version().await?
            && found > supported
        {
            return Err(StoreError::SchemaTooNew { found, supported });
        }
        migrations::migrator(self.backend).run(&self.writer).await?;
        self.convert_numbered_versions().await?;
        Ok(())
    }

    /// The newest migration applied to the database, if any.
    pub async fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        let exists_query = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let exists: i64 = sqlx::query_scalar(exists_query)
            .fetch_one(&self.writer)
            .await?;
        if exists == 0 {
            return Ok(None);
        }
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.writer)
                .await?;
        Ok(version)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool for reads outside a turn.
    fn pool(&self) -> &AnyPool {
        &self.reader
    }

    /// Starts a write transaction the way the backend needs: on SQLite a savepoint in the group
    /// transaction, which holds the write lock from its start (`BEGIN IMMEDIATE`), so a
    /// read-then-write never fails with SQLITE_BUSY midway.
    async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        match &self.writes {
            Writes::Grouped(group) => group.begin().await,
            Writes::Own(connections) => Ok(WriteTx::own(connections.acquire().await?)),
        }
    }

    /// Starts a write transaction holding the advisory lock `lock` (see [`lock_key`]) until it
    /// ends. SQLite's writer is exclusive already; on PostgreSQL the lock is taken before the
    /// transaction's first statement, or by it.
    async fn begin_locked(&self, lock: i64) -> Result<WriteTx, StoreError> {
        match &self.writes {
            Writes::Grouped(group) => group.begin().await,
            Writes::Own(connections) => {
                let mut connection = connections.acquire().await?;
                connection.lock_first(lock);
                Ok(WriteTx::own(connection))
            }
        }
    }

    /// The stored source of a script version.
    pub async fn script_source(
        &self,
        script_id: &str,
        version: &crate::script::ScriptVersion,
    ) -> Result<Option<String>, StoreError> {
        script_source(&self.reader, script_id, version).await
    }

    /// Conversations whose timer is due by `now_ms`, oldest first (at most `limit`).
    pub async fn due_conversations(
        &self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<ConversationKey>, StoreError> {
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT channel, address FROM conversations WHERE wake_at IS NOT NULL AND wake_at <= $1 \
             ORDER BY wake_at LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ConversationKey {
                    channel: row.try_get("channel")?,
                    address: row.try_get("address")?,
                })
            })
            .collect()
    }

    /// Closes every connection (checkpoints SQLite's WAL).
    pub async fn close(&self) {
        match &self.writes {
            Writes::Grouped(group) => group.flush().await,
            Writes::Own(connections) => connections.close().await,
        }
        self.writer.close().await;
        self.reader.close().await;
    }
}

/// How long opening the store waits for PostgreSQL to accept a first connection.
const FIRST_CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens and closes one connection, so that a server that refuses (wrong host, port,
/// password, database) is reported at once with the server's reason: sqlx's pool would retry
/// until its acquire timeout and then say only that it timed out.
async fn reach_server(options: &AnyConnectOptions) -> Result<(), StoreError> {
    let connection = tokio::time::timeout(
        FIRST_CONNECTION_TIMEOUT,
        AnyConnection::connect_with(options),
    )
    .await
    .map_err(|_| {
        StoreError::Connect(sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the server did not answer within 10 s",
        )))
    })?
    .map_err(StoreError::Connect)?;
    let _ = connection.close().await;
    Ok(())
}

/// How a store connects, beyond its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// PostgreSQL: the connections each process opens for write transactions (turns,
    /// hand-offs, outbox claims), besides up to four for reads.
    pub write_connections: u32,
}

impl Default for StoreOptions {
    /// Ten write connections: a turn holds its connection for a few short round trips, so a
    /// few connections keep the server busy and more only add contention (`leadbot bench` at 64
    /// conversations at once peaked at ten on a 2-core machine). Mind the server's
    /// `max_connections` across replicas.
    fn default() -> StoreOptions {
        StoreOptions {
            write_connections: 10,
        }
    }
}

/// Copies SQLite's write-ahead log back into the database file every half second, from a
/// reader connection, so no turn waits for a checkpoint's fsync, and records the log's length
/// for the writer (see [`WalLength`]). Ends when the store closes.
async fn checkpoint_in_background(reader: AnyPool, wal: Arc<WalLength>) {
    use sqlx::Row;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tick.tick().await;
        if reader.is_closed() {
            break;
        }
        // One row: busy, frames in the log, frames checkpointed.
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&reader)
            .await
        {
            Ok(row) => wal.record(row.try_get::<i64, _>(1).unwrap_or_default()),
            Err(_) if reader.is_closed() => break,
            Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
        }
    }
}

/// The stored source of a script version, read through any connection or transaction.
async fn script_source(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    script_id: &str,
    version: &crate::script::ScriptVersion,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT source FROM script_versions WHERE script_id = $1 AND version = $2",
    )
    .bind(script_id)
    .bind(version.as_str())
    .fetch_optional(executor)
    .await?)
}

/// A database error in words for a write that was not stored, with what to check when
/// SQLite could not write its file.
fn describe_failed_write(error: &sqlx::Error) -> String {
    format!("{error}{}", cannot_write_hint(error))
}

/// What to check when SQLite could not write its file: its own words ("disk I/O error") do
/// not say that the file may have been made read-only, or its disk filled.
fn cannot_write_hint(error: &sqlx::Error) -> &'static str {
    const SQLITE_READONLY: i32 = 8;
    const SQLITE_IOERR: i32 = 10;
    let code = match error {
        sqlx::Error::Database(database) => database
            .try_downcast_ref::<sqlx::sqlite::SqliteError>()
            .and_then(sqlx::error::DatabaseError::code)
            .and_then(|code| code.parse::<i32>().ok()),
        _ => None,
    };
    match code.map(|code| code & 0xff) {
        Some(SQLITE_READONLY | SQLITE_IOERR) => {
            " (SQLite could not write the database: check that the file, its -wal and -shm files \
             and their folder are writable and not read-only, and that the disk has space)"
        }
        _ => "",
    }
}

/// A PostgreSQL advisory lock key for a name: the first 8 bytes of its SHA-256, the same in
/// every process and version, and a number (so it goes into SQL text without quoting).
fn lock_key(name: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Makes sure a SQLite URL creates its file, and its folder exists.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(url.to_string());
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|error| StoreError::Connect(error.into()))?;
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}
