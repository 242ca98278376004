//! Purpose: the PostgreSQL connections that write transactions run on, kept outside sqlx's pool.
//! sqlx pings every connection it takes back before handing it out again — one more round trip
//! for each turn, on a server that is the bottleneck. Here a connection whose transaction ended
//! goes straight back; one dropped in the middle of a transaction is rolled back first, and one
//! that cannot be rolled back is closed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, Connection, Executor};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::StoreError;

/// How long a connection may sit idle before it is pinged ahead of its next use (a server
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

#[derive(Debug)]
struct IdleConnection {
    connection: AnyConnection,
    since: Instant,
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
        let connection = match self.take_idle().await {
            Some(connection) => connection,
            None => AnyConnection::connect_with(&self.options)
                .await
                .map_err(StoreError::Connect)?,
        };
        Ok(LeasedConnection {
            connection: Some(connection),
            in_transaction: false,
            deferred_begin: None,
            home: self.clone(),
            permit: Some(permit),
        })
    }

    /// The most recently used idle connection that still answers, if any.
    async fn take_idle(&self) -> Option<AnyConnection> {
        loop {
            let idle = self.idle.lock().ok()?.pop()?;
            let mut connection = idle.connection;
            if idle.since.elapsed() < IDLE_BEFORE_PING || connection.ping().await.is_ok() {
                return Some(connection);
            }
        }
    }

    fn put_back(&self, connection: AnyConnection) {
        if self.permits.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(IdleConnection {
                connection,
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

    /// Closes the idle connections; connections in use are closed when they come back.
    pub async fn close(&self) {
        self.permits.close();
        let idle = match self.idle.lock() {
            Ok(mut idle) => std::mem::take(&mut *idle),
            Err(_) => Vec::new(),
        };
        for idle in idle {
            let _ = idle.connection.close().await;
        }
    }
}

/// One connection, lent to one transaction; goes back when dropped.
#[derive(Debug)]
pub(crate) struct LeasedConnection {
    connection: Option<AnyConnection>,
    /// A transaction was begun and has not been committed: roll it back before reuse.
    in_transaction: bool,
    /// The SQL that starts the transaction, not sent yet: it goes with the first statement.
    deferred_begin: Option<String>,
    home: Arc<WriteConnections>,
    permit: Option<OwnedSemaphorePermit>,
}

impl LeasedConnection {
    /// Runs `begin` (SQL starting with `BEGIN`, in one round trip) on the connection.
    pub async fn begin(&mut self, begin: &str) -> Result<(), StoreError> {
        self.in_transaction = true;
        self.connection()?
            .execute(sqlx::AssertSqlSafe(begin.to_string()))
            .await?;
        Ok(())
    }

    /// Holds back `begin` (as for [`LeasedConnection::begin`]) so that it can travel with the
    /// transaction's first statement.
    pub fn defer_begin(&mut self, begin: String) {
        self.deferred_begin = Some(begin);
    }

    /// The connection for a first statement that starts the transaction itself, with the
    /// `BEGIN` to send in front of it: `"BEGIN; "` while the start was held back (it then
    /// counts as sent; the statement takes what the held-back start would have), else empty.
    pub fn start_with_first_statement(
        &mut self,
    ) -> Result<(&'static str, &mut AnyConnection), StoreError> {
        let begin = match self.deferred_begin.take() {
            Some(_) => {
                self.in_transaction = true;
                "BEGIN; "
            }
            None => "",
        };
        Ok((begin, self.connection()?))
    }

    /// The connection for the transaction's next statement, its held-back start sent first.
    pub async fn started(&mut self) -> Result<&mut AnyConnection, StoreError> {
        if let Some(begin) = self.deferred_begin.take() {
            self.begin(&begin).await?;
        }
        self.connection()
    }

    /// The connection, for the transaction's statements.
    pub fn connection(&mut self) -> Result<&mut AnyConnection, StoreError> {
        self.connection
            .as_mut()
            .ok_or_else(|| StoreError::NotCommitted("the connection was lost".to_string()))
    }

    /// Commits the transaction; the connection is clean again.
    pub async fn commit(&mut self) -> Result<(), StoreError> {
        if self.deferred_begin.take().is_some() {
            // Nothing was sent: nothing to commit.
            return Ok(());
        }
        self.connection()?.execute("COMMIT").await?;
        self.in_transaction = false;
        Ok(())
    }
}

impl Drop for LeasedConnection {
    fn drop(&mut self) {
        let Some(mut connection) = self.connection.take() else {
            return;
        };
        if !self.in_transaction {
            self.home.put_back(connection);
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
            match connection.execute("ROLLBACK").await {
                Ok(_) => home.put_back(connection),
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
