//! Purpose: every write transaction of the store. On PostgreSQL each write is a transaction of
//! its own. SQLite has one writer at a time, and its commit costs more than a turn's statements
//! (every changed page is appended to the WAL), so there each write is a savepoint inside a
//! shared transaction that a committer task commits as soon as it gets the writer: the writes
//! queued together commit together (group commit), and a write's `commit` returns only once
//! its group is durable — nothing is acknowledged before it is stored.
//!
//! PostgreSQL writes are not grouped. Tried (eight connections, each an open transaction whose
//! turns were savepoints): 30 % more turns/s in `leadbot bench` at 64, but no better p99 — a
//! member waits for the statements of every later member of its group — and a group's locks
//! held across turns would let two replicas deadlock.

use std::fmt;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool};
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, watch};

use super::batch::Batch;
use super::connections::LeasedConnection;
use super::{Backend, StoreError};

/// How a group's commit went, as its members learn it (sqlx errors cannot be cloned, so a
/// failure travels as its message).
type GroupOutcome = Option<Result<(), String>>;

/// SQLite's single writer connection and the group transaction open on it.
pub(crate) struct GroupCommit {
    pool: AnyPool,
    state: Arc<Mutex<GroupState>>,
    wake_committer: Arc<Notify>,
    /// Writes waiting for the writer: when none is, a write commits its group itself.
    waiting: Arc<AtomicUsize>,
}

impl fmt::Debug for GroupCommit {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("GroupCommit")
    }
}

/// What the holder of the writer sees.
struct GroupState {
    /// The writer connection while a group transaction is open on it.
    open: Option<PoolConnection<Any>>,
    /// A write ended without committing; its savepoint is rolled back before anything else.
    abandoned: bool,
    /// Members that released their savepoint and wait for the group's commit.
    members: Option<watch::Sender<GroupOutcome>>,
    /// How long the write-ahead log is.
    wal: Arc<WalLength>,
}

impl GroupCommit {
    /// Group commit over `pool` (one connection), with its committer task.
    pub fn start(pool: AnyPool, wal: Arc<WalLength>) -> Arc<GroupCommit> {
        let group = Arc::new(GroupCommit {
            pool,
            state: Arc::new(Mutex::new(GroupState {
                open: None,
                abandoned: false,
                members: None,
                wal,
            })),
            wake_committer: Arc::new(Notify::new()),
            waiting: Arc::default(),
        });
        tokio::spawn(commit_groups(
            Arc::downgrade(&group.state),
            group.wake_committer.clone(),
        ));
        group
    }

    /// Opens a write: a savepoint in the group transaction (opening one if none is). In an
    /// open group the savepoint is left to the write's first statement, to save a round trip.
    pub async fn begin(&self) -> Result<WriteTx, StoreError> {
        let mut state = {
            let _waiting = Waiting::new(&self.waiting);
            self.state.clone().lock_owned().await
        };
        state.settle_abandoned().await;
        let savepoint = if state.open.is_some() {
            Savepoint::Pending
        } else {
            let mut connection = self.pool.acquire().await?;
            if let Err(error) = sqlx::query("BEGIN IMMEDIATE; SAVEPOINT write")
                .execute(&mut *connection)
                .await
            {
                // Not knowing how far it got, start the next group on a fresh connection.
                let _ = connection.close().await;
                return Err(error.into());
            }
            state.open = Some(connection);
            Savepoint::Open
        };
        Ok(WriteTx {
            inner: Inner::Grouped(GroupedWrite {
                state: Some(state),
                savepoint,
                wake_committer: self.wake_committer.clone(),
                waiting: self.waiting.clone(),
            }),
        })
    }

    /// Commits what is pending now (before the store closes).
    pub async fn flush(&self) {
        let mut state = self.state.lock().await;
        state.settle_abandoned().await;
        state.commit().await;
    }
}

impl Drop for GroupCommit {
    fn drop(&mut self) {
        // The committer finds the state gone and ends.
        self.wake_committer.notify_one();
    }
}

impl GroupState {
    /// Rolls back the savepoint of a write that ended without committing.
    async fn settle_abandoned(&mut self) {
        if !std::mem::take(&mut self.abandoned) {
            return;
        }
        let Some(connection) = self.open.as_mut() else {
            return;
        };
        if let Err(error) = sqlx::query("ROLLBACK TO write; RELEASE write")
            .execute(&mut **connection)
            .await
        {
            self.fail(&error.to_string()).await;
        }
    }

    /// Commits the group transaction and tells its members; then, when the WAL has grown
    /// long, checkpoints it from the writer.
    async fn commit(&mut self) {
        let members = self.members.take();
        let (outcome, connection) = match self.open.take() {
            Some(mut connection) => match sqlx::query("COMMIT").execute(&mut *connection).await {
                Ok(_) => (Ok(()), Some(connection)),
                Err(error) => {
                    discard(connection).await;
                    (Err(error.to_string()), None)
                }
            },
            None if members.is_some() => (Err("the group transaction was lost".to_string()), None),
            None => (Ok(()), None),
        };
        if let Some(members) = members {
            members.send_replace(Some(outcome));
        }
        if let Some(mut connection) = connection {
            self.wal.checkpoint_if_long(&mut connection).await;
        }
    }

    /// Gives up the group: everything in it is rolled back and its members are told why.
    async fn fail(&mut self, reason: &str) {
        self.abandoned = false;
        if let Some(connection) = self.open.take() {
            discard(connection).await;
        }
        if let Some(members) = self.members.take() {
            members.send_replace(Some(Err(reason.to_string())));
        }
    }
}

/// Rolls back whatever is open on the writer connection and closes it, so the next group starts
/// on a fresh one whatever state this one was left in.
async fn discard(mut connection: PoolConnection<Any>) {
    let _ = sqlx::query("ROLLBACK").execute(&mut *connection).await;
    let _ = connection.close().await;
}

/// WAL frames past which the writer checkpoints after a commit (64 MB of 4 KB pages).
const WAL_FRAMES_BEFORE_WRITER_CHECKPOINT: i64 = 16_384;

/// The length of SQLite's write-ahead log, as the background checkpointer last saw it.
///
/// Checkpoints run in the background, beside the writer, so no commit waits for one. But a
/// log only starts over from its beginning when a checkpoint has copied all of it, which never
/// happens while writes keep coming: under sustained load the file would grow without end
/// (700 MB over 100,000 turns in `leadbot bench`). Past 64 MB, the writer checkpoints once
/// after a commit, with no write running, and the next write restarts the log.
#[derive(Debug, Default)]
pub(crate) struct WalLength {
    frames: AtomicI64,
}

impl WalLength {
    /// Records the log's length in frames.
    pub fn record(&self, frames: i64) {
        self.frames.store(frames, Ordering::Release);
    }

    async fn checkpoint_if_long(&self, connection: &mut AnyConnection) {
        if self.frames.load(Ordering::Acquire) <= WAL_FRAMES_BEFORE_WRITER_CHECKPOINT {
            return;
        }
        self.record(0);
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(connection)
            .await
        {
            tracing::warn!(%error, "WAL checkpoint by the writer failed");
        }
    }
}

/// Commits each group once the writer comes to it: every write queued before the committer
/// joins the group first (the writer's lock is handed out in order).
async fn commit_groups(state: Weak<Mutex<GroupState>>, wake: Arc<Notify>) {
    loop {
        wake.notified().await;
        let Some(state) = state.upgrade() else {
            break;
        };
        let mut state = state.lock().await;
        state.settle_abandoned().await;
        state.commit().await;
    }
}

/// A write transaction; dropping it rolls its changes back.
pub(crate) struct WriteTx {
    inner: Inner,
}

enum Inner {
    /// A transaction of its own (PostgreSQL), begun on the connection.
    Own(LeasedConnection),
    /// A savepoint in SQLite's group transaction.
    Grouped(GroupedWrite),
}

/// Where a grouped write's savepoint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Savepoint {
    /// Not opened yet: nothing of the write ran.
    Pending,
    /// Open: the write's statements so far can be rolled back alone.
    Open,
    /// Released into the group transaction: committed or rolled back with the group.
    Released,
}

/// Holds the writer until committed or dropped.
struct GroupedWrite {
    state: Option<OwnedMutexGuard<GroupState>>,
    savepoint: Savepoint,
    wake_committer: Arc<Notify>,
    waiting: Arc<AtomicUsize>,
}

impl WriteTx {
    /// A write that is a transaction of its own, begun on `connection`.
    pub fn own(connection: LeasedConnection) -> WriteTx {
        WriteTx {
            inner: Inner::Own(connection),
        }
    }

    /// The connection for the write's first statement, with SQL the caller must put in front
    /// of that statement (one round trip instead of two): on PostgreSQL `"BEGIN; "` while the
    /// transaction's start is held back (the statement must then take the lock the start
    /// would have), on SQLite the savepoint's opening while it is pending; empty when there is
    /// none. Once returned, the opening counts as run.
    pub fn conn_for_start(&mut self) -> Result<(&'static str, &mut AnyConnection), StoreError> {
        match &mut self.inner {
            Inner::Own(connection) => connection.start_with_first_statement(),
            Inner::Grouped(write) => {
                let opening = write.take_opening();
                Ok((opening, write.connection()?))
            }
        }
    }

    /// The connection to run the write's statements on (its savepoint opened first).
    pub async fn conn(&mut self) -> Result<&mut AnyConnection, StoreError> {
        match &mut self.inner {
            Inner::Own(connection) => connection.started().await,
            Inner::Grouped(write) => write.opened().await,
        }
    }

    /// Makes the write durable; on SQLite, returns once its group has committed.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            Inner::Own(mut connection) => connection.commit().await,
            Inner::Grouped(write) => write.commit_after(&Batch::default()).await,
        }
    }

    /// Runs `batch` as the write's last statements, then commits: on SQLite in one round
    /// trip with the savepoint's opening and release.
    pub(super) async fn commit_after(self, batch: &Batch) -> Result<(), StoreError> {
        match self.inner {
            Inner::Own(mut connection) => {
                if !batch.is_empty() {
                    batch
                        .execute(connection.started().await?, Backend::Postgres, "", "")
                        .await?;
                }
                connection.commit().await
            }
            Inner::Grouped(write) => write.commit_after(batch).await,
        }
    }
}

impl GroupedWrite {
    /// The connection, the write's savepoint opened first if it was not.
    async fn opened(&mut self) -> Result<&mut AnyConnection, StoreError> {
        let opening = self.take_opening();
        if !opening.is_empty() {
            sqlx::query(opening).execute(self.connection()?).await?;
        }
        self.connection()
    }

    fn connection(&mut self) -> Result<&mut AnyConnection, StoreError> {
        self.state
            .as_mut()
            .and_then(|state| state.open.as_deref_mut())
            .ok_or_else(writer_lost)
    }

    /// The savepoint's opening, once, for the write's first statement; counted as run.
    fn take_opening(&mut self) -> &'static str {
        if self.savepoint != Savepoint::Pending {
            return "";
        }
        self.savepoint = Savepoint::Open;
        "SAVEPOINT write;\n"
    }

    async fn commit_after(mut self, batch: &Batch) -> Result<(), StoreError> {
        if self.savepoint == Savepoint::Pending && batch.is_empty() {
            // Nothing of the write ran: nothing to commit.
            return Ok(());
        }
        let opening = self.take_opening();
        let connection = self.connection()?;
        batch
            .execute(connection, Backend::Sqlite, opening, "RELEASE write")
            .await?;
        self.savepoint = Savepoint::Released;
        self.join_group().await
    }

    /// Waits for the group this released write belongs to.
    async fn join_group(mut self) -> Result<(), StoreError> {
        let Some(mut state) = self.state.take() else {
            return Err(writer_lost());
        };
        let mut outcome = state
            .members
            .get_or_insert_with(|| watch::channel(None).0)
            .subscribe();
        if self.waiting.load(Ordering::Acquire) == 0 {
            // Nobody to group with: commit now rather than hand over to the committer.
            state.commit().await;
        } else {
            self.wake_committer.notify_one();
        }
        drop(state);
        let committed = match outcome.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            Err(_) => None,
        };
        group_result(committed)
    }
}

/// What a member's commit returns for its group's outcome.
fn group_result(outcome: GroupOutcome) -> Result<(), StoreError> {
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(reason)) => Err(StoreError::NotCommitted(reason)),
        None => Err(StoreError::NotCommitted(
            "the writer stopped before committing".to_string(),
        )),
    }
}

/// Counts a write waiting for the writer, until it has it (or gives up).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(waiting: &'a AtomicUsize) -> Self {
        waiting.fetch_add(1, Ordering::AcqRel);
        Waiting(waiting)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Drop for GroupedWrite {
    fn drop(&mut self) {
        if let Some(mut state) = self.state.take()
            && self.savepoint == Savepoint::Open
        {
            state.abandoned = true;
            self.wake_committer.notify_one();
        }
    }
}

fn writer_lost() -> StoreError {
    StoreError::NotCommitted("the write transaction was lost".to_string())
}
