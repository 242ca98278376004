//! The JSON Schemas of the script and reps files: `leadbot schema` prints what is committed in
//! schema/ (so the files editors read stay in step with the types), and every shipped file
//! names its schema and is valid against it.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn printed(format: &str) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .args(["schema", format])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn committed(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("schema").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The schema problems of a TOML file, one per line (empty: valid).
fn problems(schema: &serde_json::Value, file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let instance: serde_json::Value = toml::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(schema).unwrap();
    validator
        .iter_errors(&instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_committed_schemas_are_what_the_types_generate() {
    assert_eq!(
        printed("script"),
        committed("script.schema.json"),
        "run `leadbot schema script > schema/script.schema.json`"
    );
    assert_eq!(
        printed("reps"),
        committed("reps.schema.json"),
        "run `leadbot schema reps > schema/reps.schema.json`"
    );
}

#[test]
fn every_shipped_file_names_its_schema_and_is_valid_against_it() {
    let script_schema = committed("script.schema.json");
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("conversations")).unwrap() {
        let file = entry.unwrap().path();
        if file.extension().is_none_or(|ext| ext != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("#:schema ../schema/script.schema.json\n"),
            "{}",
            file.display()
        );
        assert_eq!(problems(&script_schema, &file), "", "{}", file.display());
        checked += 1;
    }
    assert_eq!(checked, 3);
    let reps = root().join("reps.toml");
    let text = std::fs::read_to_string(&reps).unwrap();
    assert!(text.starts_with("#:schema ./schema/reps.schema.json\n"));
    assert_eq!(problems(&committed("reps.schema.json"), &reps), "");
}

#[test]
fn the_schema_refuses_what_leadbot_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typo.toml");
    let shipped = std::fs::read_to_string(root().join("conversations/saas-en.toml")).unwrap();
    std::fs::write(&file, shipped.replace("max_reasks = 2", "max_reask = 2")).unwrap();
    let found = problems(&committed("script.schema.json"), &file);
    assert!(found.contains("max_reask"), "{found}");
    let reps = dir.path().join("reps.toml");
    std::fs::write(&reps, "[[pools]]\nid = 3\n").unwrap();
    let found = problems(&committed("reps.schema.json"), &reps);
    assert!(found.contains("/pools/0/id"), "{found}");
}
