//! Purpose: scripts in the database — every version a conversation may run (by content hash),
//! which version of each script is active (the activation history every replica follows),
//! changes that were refused and why, and moving running conversations to another version.

use sqlx::Row;

use super::{Backend, Store, StoreError, lock_key};
use crate::conversation::ConversationKey;
use crate::engine::state::ConversationState;
use crate::script::{Script, ScriptVersion};

/// How a version became active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A script file changed (or was seen for the first time).
    File,
    /// An admin made an earlier version active again.
    Rollback,
}

impl Origin {
    /// As stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            Origin::File => "file",
            Origin::Rollback => "rollback",
        }
    }
}

/// One activation: from then on, new conversations on `script_id` start on `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    /// Row id; grows with every activation.
    pub id: i64,
    /// The script.
    pub script_id: String,
    /// The version made active.
    pub version: ScriptVersion,
    /// That version's label (the file's `version`), if any.
    pub label: Option<String>,
    /// "file" or "rollback".
    pub origin: String,
    /// The file it came from, for a file activation.
    pub file: Option<String>,
    /// Who made it: a user for a rollback, the process for a file change.
    pub by: String,
    /// When (Unix ms).
    pub at_ms: i64,
}

/// The active version of a script, with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveVersion {
    /// The activation that made it active.
    pub activation: Activation,
    /// The script's text.
    pub source: String,
}

/// A stored version of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    /// The version.
    pub version: ScriptVersion,
    /// Its label, if the file had one.
    pub label: Option<String>,
    /// Its text.
    pub source: String,
    /// When it was first stored (Unix ms).
    pub stored_at_ms: i64,
}

/// A version to make active.
#[derive(Debug, Clone, Copy)]
pub struct NewActivation<'a> {
    /// The script version (stored if it is not yet).
    pub script: &'a Script,
    /// Why.
    pub origin: Origin,
    /// The file, for a file activation.
    pub file: Option<&'a str>,
    /// Who.
    pub by: &'a str,
    /// When (Unix ms).
    pub now_ms: i64,
}

/// A change of a script or reps file that was refused, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedChange {
    /// The file.
    pub file: String,
    /// The script it belongs to, when known.
    pub script_id: Option<String>,
    /// Why, as `file:line:column: problem` lines or a sentence.
    pub error: String,
    /// When (Unix ms).
    pub at_ms: i64,
}

/// Conversations on one version of one script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionUse {
    /// The script.
    pub script_id: String,
    /// The version.
    pub version: ScriptVersion,
    /// Still in progress.
    pub running: i64,
    /// All, finished ones included.
    pub total: i64,
}

/// What moving one conversation to another version did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// It runs on the target version now.
    Moved,
    /// It stays where it is, for this reason.
    Refused(String),
    /// It finished (or moved) meanwhile: nothing to do.
    NotRunning,
}

/// Serialises activations across processes, so two replicas that see the same file change
/// record it once.
const ACTIVATIONS_LOCK: &str = "leadbot script activations";

const ACTIVATION_COLUMNS: &str = "a.id, a.script_id, a.version, v.label, a.origin, a.file, \
     a.activated_by, a.activated_at";

/// Stores a script version (its text under its hash), unless it is stored already.
pub(super) async fn store_version(
    connection: &mut sqlx::AnyConnection,
    script: &Script,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO script_versions (script_id, version, label, source, stored_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (script_id, version) DO NOTHING",
    )
    .bind(&script.id)
    .bind(script.version.as_str())
    .bind(script.label.clone())
    .bind(&script.source)
    .bind(now_ms)
    .execute(connection)
    .await?;
    Ok(())
}

fn activation(row: &sqlx::any::AnyRow) -> Result<Activation, StoreError> {
    Ok(Activation {
        id: row.try_get("id")?,
        script_id: row.try_get("script_id")?,
        version: ScriptVersion::from_stored(row.try_get::<String, _>("version")?),
        label: row.try_get("label")?,
        origin: row.try_get("origin")?,
        file: row.try_get("file")?,
        by: row.try_get("activated_by")?,
        at_ms: row.try_get("activated_at")?,
    })
}

impl Store {
    /// A number that changes whenever a version is activated anywhere (the newest activation's
    /// id): replicas poll it to pick changes up.
    pub async fn activations_mark(&self) -> Result<i64, StoreError> {
        let mark: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM script_activations")
            .fetch_one(self.pool())
            .await?;
        Ok(mark.unwrap_or(0))
    }

    /// The active version of every script that has one, with its text, by script id.
    pub async fn active_versions(&self) -> Result<Vec<ActiveVersion>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVATION_COLUMNS}, v.source FROM script_activations a \
             JOIN script_versions v ON v.script_id = a.script_id AND v.version = a.version \
             WHERE a.id IN (SELECT MAX(id) FROM script_activations GROUP BY script_id) \
             ORDER BY a.script_id"
        )))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ActiveVersion {
                    activation: activation(row)?,
                    source: row.try_get("source")?,
                })
            })
            .collect()
    }

    /// The latest activation from a file of every script: what each file was last applied as.
    pub async fn file_activations(&self) -> Result<Vec<Activation>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVATION_COLUMNS} FROM script_activations a \
             LEFT JOIN script_versions v ON v.script_id = a.script_id AND v.version = a.version \
             WHERE a.id IN (SELECT MAX(id) FROM script_activations WHERE origin = 'file' \
             GROUP BY script_id) ORDER BY a.script_id"
        )))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(activation).collect()
    }

    /// Every activation of a script, newest first.
    pub async fn script_history(&self, script_id: &str) -> Result<Vec<Activation>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVATION_COLUMNS} FROM script_activations a \
             LEFT JOIN script_versions v ON v.script_id = a.script_id AND v.version = a.version \
             WHERE a.script_id = $1 ORDER BY a.id DESC"
        )))
        .bind(script_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(activation).collect()
    }

    /// Every stored version of a script, oldest first.
    pub async fn stored_versions(&self, script_id: &str) -> Result<Vec<StoredVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, label, source, stored_at FROM script_versions WHERE script_id = $1 \
             ORDER BY stored_at, version",
        )
        .bind(script_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StoredVersion {
                    version: ScriptVersion::from_stored(row.try_get::<String, _>("version")?),
                    label: row.try_get("label")?,
                    source: row.try_get("source")?,
                    stored_at_ms: row.try_get("stored_at")?,
                })
            })
            .collect()
    }

    /// Makes a version active (storing it first). A file activation is recorded only when the
    /// file's last activation was another version — so two replicas seeing one change record
    /// it once, and an unchanged file never undoes a rollback; returns whether it was recorded.
    pub async fn activate(&self, new: NewActivation<'_>) -> Result<bool, StoreError> {
        let mut write = self.begin_locked(lock_key(ACTIVATIONS_LOCK)).await?;
        let connection = write.conn().await?;
        if new.origin == Origin::File {
            let last: Option<String> = sqlx::query_scalar(
                "SELECT version FROM script_activations WHERE script_id = $1 AND origin = 'file' \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(&new.script.id)
            .fetch_optional(&mut *connection)
            .await?;
            if last.as_deref() == Some(new.script.version.as_str()) {
                return Ok(false);
            }
        }
        store_version(&mut *connection, new.script, new.now_ms).await?;
        sqlx::query(
            "INSERT INTO script_activations (script_id, version, origin, file, activated_by, \
             activated_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&new.script.id)
        .bind(new.script.version.as_str())
        .bind(new.origin.name())
        .bind(new.file.map(str::to_string))
        .bind(new.by)
        .bind(new.now_ms)
        .execute(&mut *connection)
        .await?;
        write.commit().await?;
        Ok(true)
    }

    /// Records a refused change of `file`, unless the same refusal is already open; returns
    /// whether it was recorded.
    pub async fn refuse_change(&self, refused: &RefusedChange) -> Result<bool, StoreError> {
        let mut write = self.begin_locked(lock_key(ACTIVATIONS_LOCK)).await?;
        let connection = write.conn().await?;
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM refused_changes WHERE file = $1 AND error = $2 \
             AND resolved_at IS NULL",
        )
        .bind(&refused.file)
        .bind(&refused.error)
        .fetch_one(&mut *connection)
        .await?;
        if open > 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO refused_changes (file, script_id, error, refused_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&refused.file)
        .bind(refused.script_id.clone())
        .bind(&refused.error)
        .bind(refused.at_ms)
        .execute(&mut *connection)
        .await?;
        write.commit().await?;
        Ok(true)
    }

    /// Marks the open refusals of `file` resolved (a later change of it was accepted).
    pub async fn resolve_refusals(&self, file: &str, now_ms: i64) -> Result<u64, StoreError> {
        let mut write = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE refused_changes SET resolved_at = $1 WHERE file = $2 AND resolved_at IS NULL",
        )
        .bind(now_ms)
        .bind(file)
        .execute(write.conn().await?)
        .await?;
        write.commit().await?;
        Ok(done.rows_affected())
    }

    /// The refusals no later accepted change has resolved, oldest first.
    pub async fn open_refusals(&self) -> Result<Vec<RefusedChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT file, script_id, error, refused_at FROM refused_changes \
             WHERE resolved_at IS NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RefusedChange {
                    file: row.try_get("file")?,
                    script_id: row.try_get("script_id")?,
                    error: row.try_get("error")?,
                    at_ms: row.try_get("refused_at")?,
                })
            })
            .collect()
    }

    /// Conversations per script version: in progress, and in all.
    pub async fn conversations_per_version(&self) -> Result<Vec<VersionUse>, StoreError> {
        let rows = sqlx::query(
            "SELECT script_id, script_version, \
             SUM(CASE WHEN finished = 0 THEN 1 ELSE 0 END) AS running, COUNT(*) AS total \
             FROM conversations GROUP BY script_id, script_version ORDER BY script_id, script_version",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(VersionUse {
                    script_id: row.try_get("script_id")?,
                    version: ScriptVersion::from_stored(
                        row.try_get::<String, _>("script_version")?,
                    ),
                    running: row.try_get("running")?,
                    total: row.try_get("total")?,
                })
            })
            .collect()
    }

    /// The conversations of a script still in progress on a version other than `except`.
    pub async fn running_conversations(
        &self,
        script_id: &str,
        except: &ScriptVersion,
    ) -> Result<Vec<(ConversationKey, ScriptVersion)>, StoreError> {
        let rows = sqlx::query(
            "SELECT channel, address, script_version FROM conversations \
             WHERE script_id = $1 AND finished = 0 AND script_version <> $2 ORDER BY id",
        )
        .bind(script_id)
        .bind(except.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    ConversationKey {
                        channel: row.try_get("channel")?,
                        address: row.try_get("address")?,
                    },
                    ScriptVersion::from_stored(row.try_get::<String, _>("script_version")?),
                ))
            })
            .collect()
    }

    /// Moves `key`'s conversation to `target` (a version of its script) under the
    /// conversation's lock, so no turn runs meanwhile: `decide` sees the state and says why it
    /// cannot move, or the conversation's next timer on the target (when, which).
    pub async fn move_conversation(
        &self,
        key: &ConversationKey,
        target: &Script,
        now_ms: i64,
        decide: impl FnOnce(&ConversationState) -> Result<Option<(i64, String)>, String>,
    ) -> Result<Moved, StoreError> {
        let lock = lock_key(&super::turn::conversation_lock(key));
        let mut write = self.begin_locked(lock).await?;
        let connection = write.conn().await?;
        let row = sqlx::query(
            "SELECT id, lead_id, state, finished FROM conversations \
             WHERE channel = $1 AND address = $2",
        )
        .bind(&key.channel)
        .bind(&key.address)
        .fetch_optional(&mut *connection)
        .await?;
        let Some(row) = row else {
            return Ok(Moved::NotRunning);
        };
        let finished: i64 = row.try_get("finished")?;
        let state_json: String = row.try_get("state")?;
        let mut state: ConversationState = serde_json::from_str(&state_json).map_err(|error| {
            StoreError::Corrupt(format!("conversation {}: {error}", key.address))
        })?;
        if finished != 0 || state.script_id != target.id || state.script_version == target.version {
            return Ok(Moved::NotRunning);
        }
        let wake = match decide(&state) {
            Ok(wake) => wake,
            Err(reason) => return Ok(Moved::Refused(reason)),
        };
        state.script_version = target.version.clone();
        let state_json = serde_json::to_string(&state)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        store_version(&mut *connection, target, now_ms).await?;
        let id: i64 = row.try_get("id")?;
        let lead_id: i64 = row.try_get("lead_id")?;
        sqlx::query(
            "UPDATE conversations SET state = $1, script_version = $2, wake_at = $3, wake_kind = $4 \
             WHERE id = $5",
        )
        .bind(state_json)
        .bind(target.version.as_str())
        .bind(wake.as_ref().map(|(at, _)| *at))
        .bind(wake.map(|(_, kind)| kind))
        .bind(id)
        .execute(&mut *connection)
        .await?;
        sqlx::query("UPDATE leads SET script_version = $1 WHERE id = $2 AND script_id = $3")
            .bind(target.version.as_str())
            .bind(lead_id)
            .bind(&target.id)
            .execute(&mut *connection)
            .await?;
        write.commit().await?;
        Ok(Moved::Moved)
    }

    /// Right after migration 10: stores every numbered script version under its hash, moves the
    /// conversations and leads that name it, and drops the numbered table. Runs once (the table
    /// is gone after), under a lock, so replicas starting together do it once.
    pub(super) async fn convert_numbered_versions(&self) -> Result<(), StoreError> {
        let exists_query = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' \
                 AND name = 'script_versions_numbered'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = \
                 current_schema() AND table_name = 'script_versions_numbered'"
            }
        };
        let exists: i64 = sqlx::query_scalar(exists_query)
            .fetch_one(self.pool())
            .await?;
        if exists == 0 {
            return Ok(());
        }
        let mut write = self.begin_locked(lock_key(ACTIVATIONS_LOCK)).await?;
        let connection = write.conn().await?;
        let exists: i64 = sqlx::query_scalar(exists_query)
            .fetch_one(&mut *connection)
            .await?;
        if exists == 0 {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT script_id, version, source, stored_at FROM script_versions_numbered",
        )
        .fetch_all(&mut *connection)
        .await?;
        for row in &rows {
            let script_id: String = row.try_get("script_id")?;
            let number: i64 = row.try_get("version")?;
            let source: String = row.try_get("source")?;
            let version = ScriptVersion::of(&source);
            sqlx::query(
                "INSERT INTO script_versions (script_id, version, label, source, stored_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (script_id, version) DO NOTHING",
            )
            .bind(&script_id)
            .bind(version.as_str())
            .bind(number.to_string())
            .bind(&source)
            .bind(row.try_get::<i64, _>("stored_at")?)
            .execute(&mut *connection)
            .await?;
            for table in ["conversations", "leads"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET script_version = $1 WHERE script_id = $2 AND script_version = $3"
                )))
                .bind(version.as_str())
                .bind(&script_id)
                .bind(number.to_string())
                .execute(&mut *connection)
                .await?;
            }
        }
        // Each state names its version as the number it started on: now the column's text.
        let states = match self.backend {
            Backend::Sqlite => {
                "UPDATE conversations SET state = json_set(state, '$.script_version', script_version) \
                 WHERE json_type(state, '$.script_version') = 'integer'"
            }
            Backend::Postgres => {
                "UPDATE conversations SET state = jsonb_set(state::jsonb, '{script_version}', \
                 to_jsonb(script_version))::TEXT \
                 WHERE jsonb_typeof(state::jsonb -> 'script_version') = 'number'"
            }
        };
        sqlx::query(states).execute(&mut *connection).await?;
        sqlx::query("DROP TABLE script_versions_numbered")
            .execute(&mut *connection)
            .await?;
        write.commit().await?;
        Ok(())
    }
}
