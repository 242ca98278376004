//! Purpose: `serve` follows admins' edits — it watches the scripts folder and the reps file
//! (debounced: an editor's save arrives as several events) and applies each change, and polls
//! the database so a change applied by another replica, or a rollback, is picked up within
//! seconds.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ::notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::{Sources, apply_reps, apply_scripts, refresh};
use crate::reps::Team;
use crate::runtime::Runtime;

/// How long the files must be quiet before a change is applied.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// How often the database is asked whether another replica (or a rollback) activated a version.
pub const POLL: Duration = Duration::from_secs(2);

/// Which of the watched files an event touched.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Touched {
    scripts: bool,
    reps: bool,
}

impl Touched {
    fn merge(&mut self, other: Touched) {
        self.scripts |= other.scripts;
        self.reps |= other.reps;
    }
}

/// Watches and applies until `stop` turns true. `by` names this process in the activation
/// history; `team_applied` is told of each reps file applied (to start its reps' delivery). A
/// watcher that cannot start is logged; the database is still polled.
pub async fn run(
    runtime: Runtime,
    sources: Sources,
    by: String,
    team_applied: impl Fn(&Team) + Send + 'static,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    // Once the watcher is armed, one pass over both: an edit saved between serve's start-up
    // load and the watcher's start raised no event, and would otherwise wait for the next one.
    let catch_up = sender.clone();
    let _watcher = match start_watcher(&sources, sender) {
        Ok(watcher) => Some(watcher),
        Err(error) => {
            tracing::error!(%error, "cannot watch the scripts folder and reps file; edits apply after a restart");
            None
        }
    };
    let _ = catch_up.send(Touched {
        scripts: true,
        reps: true,
    });
    drop(catch_up);
    let store = runtime.store().clone();
    let mut mark = store.activations_mark().await.unwrap_or(0);
    let mut poll = tokio::time::interval(POLL);
    while !*stop.borrow() {
        let touched = tokio::select! {
            _ = stop.changed() => continue,
            _ = poll.tick() => Touched::default(),
            Some(first) = events.recv() => settle(first, &mut events).await,
        };
        let now_ms = chrono::Utc::now().timestamp_millis();
        if touched.scripts
            && let Err(error) = apply_scripts(&store, &sources.scripts, &by, now_ms).await
        {
            tracing::error!(%error, "applying the scripts folder failed; retrying on the next change");
        }
        match store.activations_mark().await {
            Ok(now) if now != mark || touched.scripts => {
                mark = now;
                if let Err(error) = refresh(&store, runtime.scripts()).await {
                    tracing::error!(%error, "reading the active script versions failed; retrying");
                }
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "reading the active script versions failed"),
        }
        if let Some(reps) = sources.reps.as_deref()
            && (touched.reps || touched.scripts)
        {
            match apply_reps(&runtime, reps, now_ms).await {
                Ok(true) => {
                    if let Some(team) = runtime.team() {
                        team_applied(&team);
                    }
                }
                Ok(false) => {}
                Err(error) => tracing::error!(
                    %error,
                    "applying the reps file failed; retrying on the next change"
                ),
            }
        }
    }
}

/// Everything touched from `first` until the files are quiet for [`DEBOUNCE`].
async fn settle(first: Touched, events: &mut UnboundedReceiver<Touched>) -> Touched {
    let mut touched = first;
    while let Ok(Some(more)) = tokio::time::timeout(DEBOUNCE, events.recv()).await {
        touched.merge(more);
    }
    touched
}

/// The folder to watch for a path: the folder itself, or a file's folder (editors replace a
/// file by renaming a new one over it, which a watch on the file itself would miss).
fn folder_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        return path.to_path_buf();
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn start_watcher(
    sources: &Sources,
    sender: UnboundedSender<Touched>,
) -> ::notify::Result<::notify::RecommendedWatcher> {
    let scripts_file = (!sources.scripts.is_dir())
        .then(|| sources.scripts.file_name().map(ToOwned::to_owned))
        .flatten();
    let reps_name = sources
        .reps
        .as_deref()
        .and_then(Path::file_name)
        .map(ToOwned::to_owned);
    let mut watcher =
        ::notify::recommended_watcher(move |event: ::notify::Result<::notify::Event>| {
            let Ok(event) = event else {
                return;
            };
            if matches!(event.kind, EventKind::Access(_)) {
                return;
            }
            let mut touched = Touched::default();
            for path in &event.paths {
                let name = path.file_name();
                if name.is_some() && name == reps_name.as_deref() {
                    touched.reps = true;
                } else if match &scripts_file {
                    Some(file) => name == Some(file.as_os_str()),
                    None => path.extension().is_some_and(|ext| ext == "toml"),
                } {
                    touched.scripts = true;
                }
            }
            if touched != Touched::default() {
                // The receiver is gone only when serve is stopping.
                let _ = sender.send(touched);
            }
        })?;
    let scripts_folder = folder_of(&sources.scripts);
    watcher.watch(&scripts_folder, RecursiveMode::NonRecursive)?;
    if let Some(reps) = &sources.reps {
        let reps_folder = folder_of(reps);
        if reps_folder != scripts_folder {
            watcher.watch(&reps_folder, RecursiveMode::NonRecursive)?;
        }
    }
    Ok(watcher)
}
