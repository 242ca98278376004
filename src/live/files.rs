//! Purpose: read an admin's script files as an editor leaves them — a save may arrive in
//! several writes, so a file is read until two reads agree before it is judged.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Loaded;
use crate::script::{self, ScriptError};

/// How long apart the two reads of a file are that must agree.
const SETTLE: Duration = Duration::from_millis(50);

/// How many times a file that keeps changing is re-read before it is judged as it is.
const MAX_READS: usize = 20;

/// Every script file under `path` (by name, as shown) with what it holds, or the error that
/// says why they cannot be listed. A script whose translations (`family`) it no longer
/// matches is refused, so a switch of language never meets steps that are not there. Blocks:
/// files are re-read until they settle.
pub(super) fn load_folder(path: &Path) -> Result<Vec<(String, Loaded)>, String> {
    let files: Vec<PathBuf> = script::script_files(path).map_err(|error| error.to_string())?;
    let mut loaded: Vec<(String, Loaded)> = files
        .into_iter()
        .map(|file| (file.display().to_string(), load(&file)))
        .collect();
    let valid: Vec<(PathBuf, script::Script)> = loaded
        .iter()
        .filter_map(|(file, outcome)| match outcome {
            Loaded::Valid(script) => Some((PathBuf::from(file), (**script).clone())),
            Loaded::Refused { .. } => None,
        })
        .collect();
    for diagnostic in script::family_problems(&valid) {
        let file = diagnostic.file.display().to_string();
        if let Some((_, outcome)) = loaded.iter_mut().find(|(name, _)| *name == file) {
            let script_id = match outcome {
                Loaded::Valid(script) => Some(script.id.clone()),
                Loaded::Refused { script_id, .. } => script_id.clone(),
            };
            *outcome = Loaded::Refused {
                script_id,
                error: diagnostic.to_string(),
            };
        }
    }
    Ok(loaded)
}

/// Reads `path` once it stops changing and loads the script in it.
pub(super) fn load(path: &Path) -> Loaded {
    let source = match settled_text(path) {
        Ok(source) => source,
        Err(error) => {
            return Loaded::Refused {
                script_id: None,
                error: ScriptError::Read {
                    path: path.to_path_buf(),
                    source: error,
                }
                .to_string(),
            };
        }
    };
    match script::parse(&source, path) {
        Ok(script) => Loaded::Valid(Box::new(script)),
        Err(diagnostics) => Loaded::Refused {
            script_id: claimed_id(&source),
            error: diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        },
    }
}

/// The file's text once two reads [`SETTLE`] apart agree (or after [`MAX_READS`]).
pub(super) fn settled_text(path: &Path) -> std::io::Result<String> {
    let mut text = std::fs::read_to_string(path)?;
    for _ in 0..MAX_READS {
        std::thread::sleep(SETTLE);
        let again = std::fs::read_to_string(path)?;
        if again == text {
            break;
        }
        text = again;
    }
    Ok(text)
}

/// The `id` an invalid script's text names, when it can be read, to say whose change failed.
fn claimed_id(source: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(source).ok()?;
    table.get("id")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_translation_whose_steps_drifted_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("conversations");
        for name in ["saas-en.toml", "saas-ko.toml"] {
            std::fs::copy(folder.join(name), dir.path().join(name)).unwrap();
        }
        let ko = dir.path().join("saas-ko.toml");
        let drifted = std::fs::read_to_string(&ko)
            .unwrap()
            .replace("id = \"email\"", "id = \"mail\"");
        std::fs::write(&ko, drifted).unwrap();
        let loaded = load_folder(dir.path()).unwrap();
        let refused: Vec<&str> = loaded
            .iter()
            .filter_map(|(file, outcome)| match outcome {
                Loaded::Refused { error, .. } => {
                    Some(error.as_str()).filter(|_| file.ends_with("saas-ko.toml"))
                }
                Loaded::Valid(_) => None,
            })
            .collect();
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(refused[0].contains("family \"saas\""), "{}", refused[0]);
    }

    #[test]
    fn a_broken_script_says_where_and_whose_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, "id = \"s\"\nversion = 0\n").unwrap();
        let Loaded::Refused { script_id, error } = load(&path) else {
            panic!("an incomplete script loaded");
        };
        assert_eq!(script_id.as_deref(), Some("s"));
        assert!(
            error.starts_with(&format!("{}:", path.display())),
            "{error}"
        );
        std::fs::write(&path, "id = \"s\"\nname = [\n").unwrap();
        let Loaded::Refused { script_id, error } = load(&path) else {
            panic!("half a file loaded");
        };
        assert_eq!(script_id, None);
        assert!(error.contains(":2:"), "{error}");
    }

    #[test]
    fn an_unreadable_file_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let Loaded::Refused { error, .. } = load(&dir.path().join("gone.toml")) else {
            panic!("a missing file loaded");
        };
        assert!(error.starts_with("cannot read"), "{error}");
    }
}
