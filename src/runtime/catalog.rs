//! Purpose: find the script a conversation runs — the current file, or the exact earlier
//! version it started on (kept in the database) when the file has changed since.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::RuntimeError;
use crate::engine::state::ConversationState;
use crate::script::{self, Script};

/// The scripts in `conversations/`, plus earlier versions loaded on demand.
#[derive(Debug, Clone)]
pub struct ScriptCatalog {
    current: Arc<HashMap<String, Arc<Script>>>,
    default_id: Option<String>,
    earlier: Arc<EarlierVersions>,
}

/// Script versions loaded from the database, by (id, version).
type EarlierVersions = Mutex<HashMap<(String, u32), Arc<Script>>>;

impl ScriptCatalog {
    /// A catalog of these scripts; `default_id` names the one new conversations use.
    pub fn new(scripts: Vec<Script>, default_id: Option<String>) -> Self {
        let default_id = default_id.or_else(|| {
            let defaults: Vec<&Script> = scripts.iter().filter(|s| s.default).collect();
            match (defaults.as_slice(), scripts.as_slice()) {
                ([only], _) => Some(only.id.clone()),
                ([], [only]) => Some(only.id.clone()),
                _ => None,
            }
        });
        ScriptCatalog {
            current: Arc::new(
                scripts
                    .into_iter()
                    .map(|s| (s.id.clone(), Arc::new(s)))
                    .collect(),
            ),
            default_id,
            earlier: Arc::default(),
        }
    }

    /// The current version of a script.
    pub fn current(&self, id: &str) -> Result<Arc<Script>, RuntimeError> {
        self.current
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

    /// The script version a conversation started on, when it is in memory: the current file,
    /// or an earlier version loaded before.
    pub fn loaded(&self, state: &ConversationState) -> Option<Arc<Script>> {
        let wanted = (state.script_id.clone(), state.script_version);
        match self.current.get(&wanted.0) {
            Some(script) if script.version == wanted.1 => Some(script.clone()),
            _ => self.cached(&wanted),
        }
    }

    /// Parses a version's stored source (`None`: not stored) and keeps it for next time.
    pub fn from_stored(
        &self,
        state: &ConversationState,
        source: Option<String>,
    ) -> Result<Arc<Script>, RuntimeError> {
        let wanted = (state.script_id.clone(), state.script_version);
        let missing = || RuntimeError::ScriptMissing(format!("{} v{}", wanted.0, wanted.1));
        let source = source.ok_or_else(missing)?;
        let name = format!("{} v{} (stored)", wanted.0, wanted.1);
        let script = Arc::new(script::parse(&source, Path::new(&name)).map_err(|_| missing())?);
        if let Ok(mut earlier) = self.earlier.lock() {
            earlier.insert(wanted, script.clone());
        }
        Ok(script)
    }

    fn cached(&self, wanted: &(String, u32)) -> Option<Arc<Script>> {
        self.earlier.lock().ok()?.get(wanted).cloned()
    }
}
