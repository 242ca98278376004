//! Purpose: admins' changes on a live system. The scripts folder is applied to the database
//! (which version of each script is active — one answer for every replica) and the running
//! catalog follows the database; the reps file is applied to the running runtime. A change that
//! does not load is refused and recorded with its `file:line:column` error; what runs stays.

mod files;
pub mod migrate;
pub mod watch;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::reps;
use crate::runtime::{Runtime, ScriptCatalog};
use crate::script::{Script, ScriptVersion};
use crate::store::scripts::{NewActivation, Origin, RefusedChange};
use crate::store::{Store, StoreError};

/// Why a live change could not be applied at all (a refused file is not an error: it is
/// recorded and reported in [`Applied`]).
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What applying the scripts folder did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Scripts whose active version changed: (id, new version).
    pub activated: Vec<(String, ScriptVersion)>,
    /// Changes refused this time (not those already recorded before).
    pub refused: Vec<RefusedChange>,
}

/// A script file that loaded, or why it did not.
enum Loaded {
    Valid(Box<Script>),
    Refused {
        script_id: Option<String>,
        error: String,
    },
}

/// Applies the scripts under `folder` (a folder of `*.toml`, or one file): each valid script
/// whose text differs from what its file last activated becomes the active version (recorded
/// once, whichever replica sees it first; `by` says who); each file that cannot be used is
/// refused with its error — unreadable, invalid, deleted, or claiming another file's script
/// id — and that script keeps running its current version.
pub async fn apply_scripts(
    store: &Store,
    folder: &Path,
    by: &str,
    now_ms: i64,
) -> Result<Applied, LiveError> {
    let mut applied = Applied::default();
    let last = store.file_activations().await?;
    let last_file_of: BTreeMap<&str, &str> = last
        .iter()
        .filter_map(|a| a.file.as_deref().map(|file| (a.script_id.as_str(), file)))
        .collect();
    let mut refuse = Vec::new();
    let listed = {
        let folder = folder.to_path_buf();
        tokio::task::spawn_blocking(move || files::load_folder(&folder)).await
    };
    let loaded: Vec<(String, Loaded)> = match listed {
        Ok(Ok(loaded)) => loaded,
        Ok(Err(error)) => {
            refuse.push(RefusedChange {
                file: folder.display().to_string(),
                script_id: None,
                error,
                at_ms: now_ms,
            });
            Vec::new()
        }
        Err(error) => {
            refuse.push(RefusedChange {
                file: folder.display().to_string(),
                script_id: None,
                error: format!("{}: reading the scripts stopped: {error}", folder.display()),
                at_ms: now_ms,
            });
            Vec::new()
        }
    };
    let mut claims: BTreeMap<String, Vec<(String, Box<Script>)>> = BTreeMap::new();
    for (file, outcome) in loaded.iter().map(|(file, loaded)| (file.clone(), loaded)) {
        match outcome {
            Loaded::Valid(script) => claims
                .entry(script.id.clone())
                .or_default()
                .push((file, script.clone())),
            Loaded::Refused { script_id, error } => refuse.push(RefusedChange {
                file,
                script_id: script_id.clone(),
                error: error.clone(),
                at_ms: now_ms,
            }),
        }
    }
    let present: BTreeSet<&str> = loaded.iter().map(|(file, _)| file.as_str()).collect();
    let provided: BTreeSet<String> = claims.keys().cloned().collect();
    for (id, mut files) in claims {
        let winner = claim_winner(&files, last_file_of.get(id.as_str()).copied());
        let Some(winner) = winner else {
            let names: Vec<&str> = files.iter().map(|(file, _)| file.as_str()).collect();
            for (file, _) in &files {
                refuse.push(RefusedChange {
                    file: file.clone(),
                    script_id: Some(id.clone()),
                    error: format!(
                        "{file}:1:1: script id {id:?} is claimed by {} files ({}): none is \
                         applied until one id is changed",
                        names.len(),
                        names.join(", ")
                    ),
                    at_ms: now_ms,
                });
            }
            continue;
        };
        let (file, script) = files.swap_remove(winner);
        for (other, _) in &files {
            refuse.push(RefusedChange {
                file: other.clone(),
                script_id: Some(id.clone()),
                error: format!(
                    "{other}:1:1: script id {id:?} is already used by {file}: this file is ignored"
                ),
                at_ms: now_ms,
            });
        }
        let recorded = store
            .activate(NewActivation {
                script: &script,
                origin: Origin::File,
                file: Some(&file),
                by,
                now_ms,
            })
            .await?;
        store.resolve_refusals(&file, now_ms).await?;
        if recorded {
            tracing::info!(
                script = %id,
                version = %script.version,
                file = %file,
                "script change applied: new conversations start on this version"
            );
            if let Some(old) = last
                .iter()
                .find(|a| a.file.as_deref() == Some(file.as_str()) && a.script_id != id)
            {
                tracing::warn!(
                    file = %file,
                    "{file} now holds script {id:?} instead of {:?}: {id:?} starts as its own \
                     script, {:?} stays active on version {}",
                    old.script_id,
                    old.script_id,
                    old.version
                );
            }
            applied.activated.push((id, script.version.clone()));
        }
    }
    for activation in &last {
        let Some(file) = activation.file.as_deref() else {
            continue;
        };
        let still_provided = provided.contains(activation.script_id.as_str());
        if !present.contains(file) && !still_provided && !Path::new(file).exists() {
            refuse.push(RefusedChange {
                file: file.to_string(),
                script_id: Some(activation.script_id.clone()),
                error: format!(
                    "{file}: deleted; script {:?} stays active on version {} (restore the file, \
                     or keep it deleted: nothing changes)",
                    activation.script_id, activation.version
                ),
                at_ms: now_ms,
            });
        }
    }
    // A refused file that is gone and never ran (a stray copy, a half-saved new script) has
    // nothing left to refuse.
    let ran: BTreeSet<&str> = last_file_of.values().copied().collect();
    for open in store.open_refusals().await? {
        let gone = !present.contains(open.file.as_str()) && !Path::new(&open.file).exists();
        if gone && !ran.contains(open.file.as_str()) && Path::new(&open.file).starts_with(folder) {
            store.resolve_refusals(&open.file, now_ms).await?;
        }
    }
    for refused in refuse {
        if store.refuse_change(&refused).await? {
            tracing::error!(
                file = %refused.file,
                "script change refused, the running version stays:\n{}",
                refused.error
            );
            applied.refused.push(refused);
        }
    }
    Ok(applied)
}

/// Which of the files claiming one script id is used: the only one, or the one the id was
/// last applied from; `None` when several claim it and none has been applied before.
fn claim_winner(files: &[(String, Box<Script>)], last_file: Option<&str>) -> Option<usize> {
    match files {
        [_] => Some(0),
        _ => last_file.and_then(|last| files.iter().position(|(file, _)| file == last)),
    }
}

/// Makes the catalog's active set the database's active versions (a change applied by any
/// replica, or a rollback); scripts the database has no activation for stay as they are.
/// Returns whether anything changed.
pub async fn refresh(store: &Store, catalog: &ScriptCatalog) -> Result<bool, LiveError> {
    let active = store.active_versions().await?;
    let current = catalog.snapshot();
    let mut next: BTreeMap<String, Arc<Script>> = current
        .scripts()
        .map(|script| (script.id.clone(), script.clone()))
        .collect();
    let mut changed = false;
    for version in active {
        let id = &version.activation.script_id;
        if next
            .get(id)
            .is_some_and(|script| script.version == version.activation.version)
        {
            continue;
        }
        let name = format!("{id} {} (stored)", version.activation.version);
        match crate::script::parse(&version.source, Path::new(&name)) {
            Ok(script) => {
                next.insert(id.clone(), Arc::new(script));
                changed = true;
            }
            Err(problems) => tracing::error!(
                script = %id,
                "the active version stored for this script does not load; the running one \
                 stays: {}",
                problems.first().map(ToString::to_string).unwrap_or_default()
            ),
        }
    }
    if changed {
        catalog.replace(next.into_values().collect());
    }
    Ok(changed)
}

/// Applies the reps file to `runtime`: a valid file is what the next routing decision uses
/// (rotation state lives in the database and is kept); an invalid, unreadable or deleted one
/// is refused and recorded, and the running team stays. Returns whether the team changed.
pub async fn apply_reps(runtime: &Runtime, path: &Path, now_ms: i64) -> Result<bool, LiveError> {
    let scripts: Vec<Script> = runtime
        .scripts()
        .snapshot()
        .scripts()
        .map(|script| Script::clone(script))
        .collect();
    let file = path.display().to_string();
    let store = runtime.store();
    let read = {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || files::settled_text(&path)).await
    };
    let loaded = match read {
        Ok(Ok(source)) => {
            reps::parse_for(&source, path, &scripts).map_err(reps::RepsError::Invalid)
        }
        Ok(Err(source)) => Err(reps::RepsError::Read {
            path: path.to_path_buf(),
            source,
        }),
        Err(error) => Err(reps::RepsError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::other(error.to_string()),
        }),
    };
    match loaded {
        Ok(team) => {
            store.resolve_refusals(&file, now_ms).await?;
            if runtime.team().is_some_and(|running| *running == team) {
                return Ok(false);
            }
            tracing::info!(
                file = %file,
                reps = team.reps.len(),
                pools = team.pools.len(),
                "reps file applied: the next routing decision uses it"
            );
            runtime.replace_team(Arc::new(team));
            Ok(true)
        }
        Err(error) => {
            let refused = RefusedChange {
                file: file.clone(),
                script_id: None,
                error: error.to_string(),
                at_ms: now_ms,
            };
            if store.refuse_change(&refused).await? {
                tracing::error!(
                    file = %file,
                    "reps file change refused, the running team stays:\n{}",
                    refused.error
                );
            }
            Ok(false)
        }
    }
}

/// The catalog a process starts with: `scripts` (loaded from `folder`) applied to the database
/// first, then whatever the database says is active (a rollback, or a newer change another
/// replica applied) replaces them.
pub async fn starting_catalog(
    store: &Store,
    folder: &Path,
    scripts: Vec<Script>,
    by: &str,
    now_ms: i64,
) -> Result<ScriptCatalog, LiveError> {
    apply_scripts(store, folder, by, now_ms).await?;
    let catalog = ScriptCatalog::new(scripts, None);
    refresh(store, &catalog).await?;
    Ok(catalog)
}

/// The files `serve` watches: the scripts folder (or file) and the reps file.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Folder (or file) of scripts.
    pub scripts: PathBuf,
    /// The reps file, when there is one.
    pub reps: Option<PathBuf>,
}
