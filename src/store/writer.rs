//! Purpose: every write transaction of the store — how it starts, what it sends, and when it
//! counts as stored. This is the one place that explains the write path; the code elsewhere
//! refers here.
//!
//! # A turn on the wire
//!
//! A turn (`turn.rs`) is one transaction: claim the platform event's id, read the conversation
//! while holding it, then store every row the engine decided — or nothing. Every value from
//! outside (event ids, addresses, messages) travels as a bound parameter; SQL text is only ever
//! the store's own, with numbers the store computed. A round trip is a hop to sqlx's SQLite
//! worker thread, or a message to PostgreSQL and its answer.
//!
//! - **SQLite: two round trips.** (1) The write's savepoint opened, the event claimed and the
//!   conversation read, as one multi-statement query; (2) the turn's writes and the savepoint's
//!   release, as another (`batch.rs`). The commit is shared with other turns (below). No lock is
//!   needed: the writer is exclusive.
//! - **PostgreSQL: three round trips.** (1) `leadbot_start_turn` (migration 5) takes the
//!   conversation's advisory lock, then claims the event, then reads the conversation — in that
//!   order, each statement seeing what committed before it ran; (2) the turn's writes as one
//!   statement of data-modifying CTEs; (3) `COMMIT; BEGIN`.
//!
//! A conversation's first turn adds one round trip (its lead and conversation created
//! together); a script version's source is sent once per process; on PostgreSQL a statement's
//! first use on a connection adds one (it is prepared, then reused), and so does the first
//! transaction of a new connection (its `BEGIN` and lock).
//!
//! # Acknowledged means committed
//!
//! [`WriteTx::commit`] returns `Ok` only once the transaction is durable — on SQLite, once the
//! group it joined is committed. A channel answers the platform with a 2xx only after that; any
//! error (a failed statement, a failed commit, a lost connection) means nothing of the turn is
//! stored, and the platform is told to retry. Dropping a write without committing it — after an
//! error, or because its task was cancelled — rolls it back, and frees the conversation for its
//! next turn.
//!
//! A claimed event id is a row in `processed_events`, written in the turn's own transaction: a
//! retry of the event that arrives while the first copy is being processed waits for it, and is
//! told "duplicate" only if the first copy's claim is committed. If the first copy fails, the
//! retry processes the event.
//!
//! # SQLite: group commit
//!
//! SQLite has one writer, and a commit (every changed page appended to the WAL) costs more than
//! a turn's statements. So writes queue, in order, for the one writer connection, and the first
//! opens a group transaction (`BEGIN IMMEDIATE`: the write lock from the start, so a
//! read-then-write never fails midway). Each write is a savepoint in it, opened with the
//! write's first statement and released with its last. A released write waits for its group:
//! when no write is queued it commits the group itself; otherwise it wakes the committer task,
//! which queues for the writer behind the writes already waiting, so they join the group first.
//!
//! - A write that fails or is dropped before its release has its savepoint rolled back alone,
//!   by whoever holds the writer next, before that one runs anything. The group goes on, and the
//!   other writes in it commit.
//! - If the group's `COMMIT` fails, every write released into it gets [`StoreError::NotCommitted`]:
//!   none was acknowledged, none is stored, and the next group starts on a fresh connection.
//! - A claim refused by another write's claim in the same open group would say "duplicate"
//!   about something not yet committed. So a refused claim gives up its savepoint and waits
//!   for the group ([`WriteTx::wait_for_earlier_commits`]): "duplicate" if it committed, its
//!   error if not.
//!
//! # PostgreSQL: one transaction per write, begun with the previous commit
//!
//! Each write is a transaction of its own on a connection of `connections.rs`, and PostgreSQL
//! groups concurrent commits in its own WAL flush. Writes are not grouped into shared
//! transactions here: a turn's lock would then be held until its whole group committed, so the
//! next turn of that conversation — and every member's answer — would wait for the statements
//! of the members after it; and two replicas' groups, each holding locks of several
//! conversations, could deadlock.
//!
//! A transaction's `BEGIN` travels with the previous transaction's `COMMIT` on the same
//! connection, so a connection goes back to the pool already inside a fresh, empty
//! transaction, and the next turn's first statement needs no round trip of its own. Such a
//! session shows as "idle in transaction" in `pg_stat_activity`, with `xact_start` at its
//! `BEGIN`, but until its first statement the server has taken no snapshot for it, assigned no
//! transaction id and holds no lock but its virtual xid: it holds back no vacuum and blocks no
//! DDL. Closing the store ends the sessions, and the server ends their empty transactions. A
//! server that ends sessions idle in a transaction (`idle_in_transaction_session_timeout`,
//! `transaction_timeout`) is asked for those timeouts on connect, and a connection idle for
//! half of one is checked before use, its empty transaction begun anew (see `connections.rs`).
//! A server restart or a network cut kills idle connections as it would without this.
//!
//! A write that has no lock to take (an outbox claim, a hand-off answer) sends its first
//! statement into that transaction directly; a turn's `leadbot_start_turn` takes the lock
//! itself. A connection with no transaction open (new, or whose commit failed) sends `BEGIN`,
//! with the lock, as a round trip of its own.

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
        if let Err(error) = sqlx::query(ROLL_BACK_SAVEPOINT)
            .execute(&mut **connection)
            .await
        {
            self.fail(&super::describe_failed_write(&error)).await;
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
                    (Err(super::describe_failed_write(&error)), None)
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

/// Undoes a write's statements and closes its savepoint, leaving the group's other writes.
const ROLL_BACK_SAVEPOINT: &str = "ROLLBACK TO write; RELEASE write";

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
/// happens while writes keep coming: under sustained load the file would grow without end.
/// Past 64 MB, the writer checkpoints once after a commit, with no write running, and the next
/// write restarts the log.
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
    /// Rolled back: the write ended and nothing of it is kept.
    RolledBack,
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
    /// of that statement to open the write's savepoint while it is pending (one round trip
    /// instead of two; empty when there is none). Once returned, the opening counts as run.
    pub async fn conn_with_opening(
        &mut self,
    ) -> Result<(&'static str, &mut AnyConnection), StoreError> {
        match &mut self.inner {
            Inner::Own(connection) => Ok(("", connection.started().await?)),
            Inner::Grouped(write) => {
                let opening = write.take_opening();
                Ok((opening, write.connection()?))
            }
        }
    }

    /// The connection for a first statement that takes the write's advisory lock itself
    /// (PostgreSQL; SQLite's writer is exclusive and takes none).
    pub async fn conn_taking_lock(&mut self) -> Result<&mut AnyConnection, StoreError> {
        match &mut self.inner {
            Inner::Own(connection) => connection.started_taking_lock().await,
            Inner::Grouped(write) => write.opened().await,
        }
    }

    /// The connection to run the write's statements on (its savepoint opened first).
    pub async fn conn(&mut self) -> Result<&mut AnyConnection, StoreError> {
        match &mut self.inner {
            Inner::Own(connection) => connection.started().await,
            Inner::Grouped(write) => write.opened().await,
        }
    }

    /// Returns once everything this write could read of other writes is committed, so that a
    /// verdict drawn from it holds: a claim refused by another write's claim means "duplicate"
    /// only if that claim is committed. On PostgreSQL it is — another transaction's rows are
    /// seen only once committed, and the refused claim waited at the unique index for the other
    /// transaction to end — and the write goes on. On SQLite the other claim may sit in this write's own group,
    /// released but not committed: the write rolls back its savepoint, gives up the writer and
    /// waits for the group. The write is then over; if the group's commit failed, that error is
    /// returned.
    pub async fn wait_for_earlier_commits(&mut self) -> Result<(), StoreError> {
        match &mut self.inner {
            Inner::Own(_) => Ok(()),
            Inner::Grouped(write) => write.roll_back_and_wait().await,
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
        if matches!(self.savepoint, Savepoint::Pending | Savepoint::RolledBack) && batch.is_empty()
        {
            // Nothing of the write ran or is kept: nothing to commit.
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
        let Some(state) = self.state.take() else {
            return Err(writer_lost());
        };
        wait_for_group(state, &self.waiting, &self.wake_committer).await
    }

    /// Rolls back the write's savepoint, gives up the writer and waits for the group.
    async fn roll_back_and_wait(&mut self) -> Result<(), StoreError> {
        let Some(mut state) = self.state.take() else {
            return Err(writer_lost());
        };
        if self.savepoint == Savepoint::Open {
            let connection = state.open.as_deref_mut().ok_or_else(writer_lost)?;
            if let Err(error) = sqlx::query(ROLL_BACK_SAVEPOINT).execute(connection).await {
                state.fail(&super::describe_failed_write(&error)).await;
                return Err(error.into());
            }
        }
        self.savepoint = Savepoint::RolledBack;
        wait_for_group(state, &self.waiting, &self.wake_committer).await
    }
}

/// Hands the writer on and waits for the outcome of the group open on it: committed now when no
/// write is waiting for the writer, else by the committer once the waiting writes had their turn.
async fn wait_for_group(
    mut state: OwnedMutexGuard<GroupState>,
    waiting: &AtomicUsize,
    wake_committer: &Notify,
) -> Result<(), StoreError> {
    let mut outcome = state
        .members
        .get_or_insert_with(|| watch::channel(None).0)
        .subscribe();
    if waiting.load(Ordering::Acquire) == 0 {
        state.commit().await;
    } else {
        wake_committer.notify_one();
    }
    drop(state);
    let committed = match outcome.wait_for(Option::is_some).await {
        Ok(outcome) => outcome.clone(),
        Err(_) => None,
    };
    group_result(committed)
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
