//! Purpose: find the script a conversation runs — the active version of each script, swapped
//! as a whole when an admin's change is applied (a turn reads the set once), or the exact
//! earlier version a conversation started on (kept in the database).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use super::RuntimeError;
use crate::engine::{self, state::ConversationState};
use crate::script::{self, Script, ScriptVersion};

/// The active version of every script: what new conversations start on.
#[derive(Debug, Clone, Default)]
pub struct ActiveScripts {
    by_id: HashMap<String, Arc<Script>>,
    default_id: Option<String>,
}

impl ActiveScripts {
    /// These scripts; `default_id` names the one new conversations use (else the one marked
    /// `default = true`, or the only one).
    pub fn new(scripts: Vec<Arc<Script>>, default_id: Option<String>) -> Self {
        let default_id = default_id.or_else(|| {
            let defaults: Vec<&Arc<Script>> = scripts.iter().filter(|s| s.default).collect();
            match (defaults.as_slice(), scripts.as_slice()) {
                ([only], _) => Some(only.id.clone()),
                ([], [only]) => Some(only.id.clone()),
                _ => None,
            }
        });
        ActiveScripts {
            by_id: scripts.into_iter().map(|s| (s.id.clone(), s)).collect(),
            default_id,
        }
    }

    /// The active version of a script.
    pub fn current(&self, id: &str) -> Result<Arc<Script>, RuntimeError> {
        self.by_id
            .get(id)
            .cloned()
            .ok_or_else(|| RuntimeError::ScriptMissing(id.to_string()))
    }

    /// The script new conversations start on.
    pub fn default_script(&self) -> Result<Arc<Script>, RuntimeError> {
        let id = self
            .default_id
            .as_deref()
            .ok_or_else(|| RuntimeError::ScriptMissing("(default)".into()))?;
        self.current(id)
    }

    /// The script a conversation opened by `text` starts on: the default script, or the member
    /// of its family in the language `text` is clearly written in.
    pub fn for_first_message(&self, text: &str) -> Result<Arc<Script>, RuntimeError> {
        let default = self.default_script()?;
        let (Some(family), Some(locale)) = (&default.family, engine::language::detect(text)) else {
            return Ok(default);
        };
        if locale == default.locale {
            return Ok(default);
        }
        let mut members: Vec<&Arc<Script>> = self
            .by_id
            .values()
            .filter(|script| script.family.as_ref() == Some(family) && script.locale == locale)
            .collect();
        members.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(members.first().map_or(default, |member| (*member).clone()))
    }

    /// Every active script, in no particular order.
    pub fn scripts(&self) -> impl Iterator<Item = &Arc<Script>> {
        self.by_id.values()
    }
}

/// The scripts, shared by every clone of a runtime: the active set (replaced whole by
/// [`ScriptCatalog::replace`]) plus earlier versions loaded on demand.
#[derive(Debug, Clone)]
pub struct ScriptCatalog {
    active: Arc<ArcSwap<ActiveScripts>>,
    earlier: Arc<EarlierVersions>,
}

/// Script versions that are not active, by (id, version).
type EarlierVersions = Mutex<HashMap<(String, ScriptVersion), Arc<Script>>>;

impl ScriptCatalog {
    /// A catalog of these scripts; `default_id` names the one new conversations use.
    pub fn new(scripts: Vec<Script>, default_id: Option<String>) -> Self {
        let scripts = scripts.into_iter().map(Arc::new).collect();
        ScriptCatalog {
            active: Arc::new(ArcSwap::from_pointee(ActiveScripts::new(
                scripts, default_id,
            ))),
            earlier: Arc::default(),
        }
    }

    /// The active set as it is now: a turn reads it once and keeps it to its end.
    pub fn snapshot(&self) -> Arc<ActiveScripts> {
        self.active.load_full()
    }

    /// Makes `scripts` the active set for every clone of this catalog, at once; the versions
    /// they replace stay at hand for the conversations still running on them.
    pub fn replace(&self, scripts: Vec<Arc<Script>>) {
        let next = Arc::new(ActiveScripts::new(scripts, None));
        let previous = self.active.swap(next);
        if let Ok(mut earlier) = self.earlier.lock() {
            for script in previous.scripts() {
                earlier
                    .entry((script.id.clone(), script.version.clone()))
                    .or_insert_with(|| script.clone());
            }
        }
    }

    /// The active version of a script.
    pub fn current(&self, id: &str) -> Result<Arc<Script>, RuntimeError> {
        self.snapshot().current(id)
    }

    /// The script new conversations start on.
    pub fn default_script(&self) -> Result<Arc<Script>, RuntimeError> {
        self.snapshot().default_script()
    }

    /// The script version a conversation started on, when it is in memory: active in
    /// `active`, or an earlier version loaded before.
    pub fn loaded(&self, active: &ActiveScripts, state: &ConversationState) -> Option<Arc<Script>> {
        match active.by_id.get(&state.script_id) {
            Some(script) if script.version == state.script_version => Some(script.clone()),
            _ => self
                .earlier
                .lock()
                .ok()?
                .get(&(state.script_id.clone(), state.script_version.clone()))
                .cloned(),
        }
    }

    /// Parses a version's stored source (`None`: not stored) and keeps it for next time.
    pub fn from_stored(
        &self,
        state: &ConversationState,
        source: Option<String>,
    ) -> Result<Arc<Script>, RuntimeError> {
        let wanted = (state.script_id.clone(), state.script_version.clone());
        let missing = || RuntimeError::ScriptMissing(format!("{} {}", wanted.0, wanted.1));
        let source = source.ok_or_else(missing)?;
        let name = format!("{} {} (stored)", wanted.0, wanted.1);
        let script = Arc::new(script::parse(&source, Path::new(&name)).map_err(|_| missing())?);
        if let Ok(mut earlier) = self.earlier.lock() {
            earlier.insert(wanted, script.clone());
        }
        Ok(script)
    }
}
