//! Purpose: the PostgreSQL connections that write transactions run on, kept outside sqlx's pool.
//! sqlx pings every connection it takes back before handing it out again, a round trip more for
//! every turn on a server that is the bottleneck. Here a connection whose transaction committed
//! goes straight back, already inside the next transaction (its `BEGIN` went with the `COMMIT`;
//! see `writer` for what that costs the server); one dropped in the middle of a transaction is
//! rolled back first, and one that cannot be rolled back is closed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, Connection, Executor};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::StoreError;

/// How long a connection may sit idle before it is checked ahead of its next use (a server
/// restart or a proxy's timeout may have cut it meanwhile).
pub(super) const IDLE_BEFORE_PING: Duration = Duration::from_secs(10);

/// How long a write waits for a connection before giving up (as sqlx's pool does).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// At most `size` connections, opened on first need and reused in last-in-first-out order.
#[derive(Debug)]
pub(crate) struct WriteConnections {
    options: AnyConnectOptions,
    idle: std::sync::Mutex<Vec<IdleConnection>>,
    /// One per connection open or being opened; closed with the pool.
    permits: Arc<Semaphore>,
}

/// A connection waiting in the pool.
#[derive(Debug)]
struct IdleConnection {
    session: Session,
    since: Instant,
}

/// An open connection and what the store knows of its session.
#[derive(Debug)]
struct Session {
    connection: AnyConnection,
    transaction: Transaction,
    /// How long it may sit idle before it is checked (see [`check_after`]).
    check_after: Duration,
}

/// Where a write connection's transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transaction {
    /// None is open.
    None,
    /// `BEGIN` ran, sent with the previous transaction's `COMMIT`, and nothing since.
    Begun,
    /// Statements ran in it (or were sent, and may have).
    Running,
}

impl WriteConnections {
    /// Up to `size` connections to the database of `options`.
    pub fn new(options: AnyConnectOptions, size: u32) -> Arc<WriteConnections> {
        Arc::new(WriteConnections {
            options,
            idle: std::sync::Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size.max(1) as usize)),
        })
    }

    /// A connection for one transaction, waiting (in order) while all are in use.
    pub async fn acquire(self: &Arc<Self>) -> Result<LeasedConnection, StoreError> {
        let permit = tokio::time::timeout(ACQUIRE_TIMEOUT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| StoreError::Query(sqlx::Error::PoolTimedOut))?
            .map_err(|_| StoreError::Query(sqlx::Error::PoolClosed))?;
        let session = match self.take_idle().await {
            Some(session) => session,
            None => {
                let mut connection = AnyConnection::connect_with(&self.options)
                    .await
                    .map_err(StoreError::Connect)?;
                let check_after = check_after(&mut connection).await?;
                Session {
                    connection,
                    transaction: Transaction::None,
                    check_after,
                }
            }
        };
        Ok(LeasedConnection {
            session: Some(session),
            lock: None,
            home: self.clone(),
            permit: Some(permit),
        })
    }

    /// The most recently used idle connection that still answers, if any. One idle too long
    /// is checked: its empty transaction begun anew (which renews the transaction's age for
    /// the server's timeouts), or a ping when it has none.
    async fn take_idle(&self) -> Option<Session> {
        loop {
            let IdleConnection { mut session, since } = self.idle.lock().ok()?.pop()?;
            if since.elapsed() < session.check_after {
                return Some(session);
            }
            let answers = match session.transaction {
                Transaction::Begun => session.connection.execute("ROLLBACK; BEGIN").await.is_ok(),
                _ => session.connection.ping().await.is_ok(),
            };
            if answers {
                return Some(session);
            }
        }
    }

    fn put_back(&self, session: Session) {
        if self.permits.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(IdleConnection {
                session,
                since: Instant::now(),
            });
        }
    }

    /// Drops every idle connection: one connection just failed, and after a server restart or
    /// a network cut the others are as dead — each would otherwise fail one more write.
    fn forget_idle(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    /// Closes the idle connections; connections in use are closed when they come back. The
    /// server ends a closed session's empty transaction with it.
    pub async fn close(&self) {
        self.permits.close();
        let idle = match self.idle.lock() {
            Ok(mut idle) => std::mem::take(&mut *idle),
            Err(_) => Vec::new(),
        };
        for idle in idle {
            let _ = idle.session.connection.close().await;
        }
    }
}

/// How long a new connection may sit idle before it is checked: [`IDLE_BEFORE_PING`], or half
/// the server's shortest timeout for a session idle in a transaction
/// (`idle_in_transaction_session_timeout`, and `transaction_timeout` where the server has it),
/// since an idle write connection waits inside an empty transaction: past that timeout the
/// server ends the session, and the next write on it would fail.
async fn check_after(connection: &mut AnyConnection) -> Result<Duration, StoreError> {
    let timeouts: Vec<String> = sqlx::query_scalar(
        "SELECT setting FROM pg_settings \
         WHERE name IN ('idle_in_transaction_session_timeout', 'transaction_timeout')",
    )
    .fetch_all(connection)
    .await?;
    let shortest_ms = timeouts
        .iter()
        .filter_map(|milliseconds| milliseconds.parse::<u64>().ok())
        .filter(|milliseconds| *milliseconds > 0)
        .min();
    Ok(match shortest_ms {
        Some(milliseconds) => IDLE_BEFORE_PING.min(Duration::from_millis(milliseconds / 2)),
        None => IDLE_BEFORE_PING,
    })
}

/// One connection, lent to one transaction; goes back when dropped.
#[derive(Debug)]
pub(crate) struct LeasedConnection {
    session: Option<Session>,
    /// The advisory lock the transaction takes before its first statement, while not taken.
    lock: Option<i64>,
    home: Arc<WriteConnections>,
    permit: Option<OwnedSemaphorePermit>,
}

impl LeasedConnection {
    /// Makes the transaction take the advisory lock `lock` before its first statement.
    pub fn lock_first(&mut self, lock: i64) {
        self.lock = Some(lock);
    }

    /// The connection for a first statement that takes the transaction's lock itself: the
    /// transaction is begun if it was not, and the lock counts as taken.
    pub async fn started_taking_lock(&mut self) -> Result<&mut AnyConnection, StoreError> {
        self.lock = None;
        self.started().await
    }

    /// The connection for the transaction's next statement: the transaction begun and its lock
    /// taken first, where they were not.
    pub async fn started(&mut self) -> Result<&mut AnyConnection, StoreError> {
        let lock = self.lock.take();
        let session = self.session()?;
        let transaction = std::mem::replace(&mut session.transaction, Transaction::Running);
        let connection = &mut session.connection;
        match (transaction, lock) {
            (Transaction::Running, _) | (Transaction::Begun, None) => {}
            (Transaction::Begun, Some(lock)) => {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(lock)
                    .execute(&mut *connection)
                    .await?;
            }
            (Transaction::None, None) => {
                connection.execute("BEGIN").await?;
            }
            (Transaction::None, Some(lock)) => {
                // Both in one round trip: the key is a number the store computed, not text.
                connection
                    .execute(sqlx::AssertSqlSafe(format!(
                        "BEGIN; SELECT pg_advisory_xact_lock({lock})"
                    )))
                    .await?;
            }
        }
        Ok(connection)
    }

    fn session(&mut self) -> Result<&mut Session, StoreError> {
        self.session
            .as_mut()
            .ok_or_else(|| StoreError::NotCommitted("the connection was lost".to_string()))
    }

    /// Commits the transaction, and begins the next one in the same round trip.
    pub async fn commit(&mut self) -> Result<(), StoreError> {
        self.lock = None;
        let session = self.session()?;
        if session.transaction != Transaction::Running {
            // Nothing ran: nothing to commit.
            return Ok(());
        }
        session.connection.execute("COMMIT; BEGIN").await?;
        session.transaction = Transaction::Begun;
        Ok(())
    }
}

impl Drop for LeasedConnection {
    fn drop(&mut self) {
        let Some(mut session) = self.session.take() else {
            return;
        };
        if session.transaction != Transaction::Running {
            self.home.put_back(session);
            return;
        }
        // Ended without a commit (an error, or its task was cancelled): the server would keep
        // the transaction, and its locks, open. Roll back before anyone else gets the
        // connection, which holds its place in the pool until then.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let home = self.home.clone();
        let permit = self.permit.take();
        runtime.spawn(async move {
            match session.connection.execute("ROLLBACK; BEGIN").await {
                Ok(_) => {
                    session.transaction = Transaction::Begun;
                    home.put_back(session);
                }
                // Dropping the connection ends its session, and the server rolls back.
                Err(error) => {
                    tracing::warn!(%error, "rolling back an abandoned transaction failed; reconnecting");
                    home.forget_idle();
                }
            }
            drop(permit);
        });
    }
}
