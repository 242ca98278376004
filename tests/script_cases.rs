//! `leadbot test`: the shipped scripts' test cases pass; a failing case is reported with what
//! differs and exits 1; `--update` rewrites golden replies.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

use std::path::Path;
use std::process::Command;

fn leadbot_test(scripts: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .arg("test")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("LEADBOT_SCRIPTS", scripts)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn shipped() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conversations")
}

#[test]
fn the_shipped_scripts_pass_their_test_cases() {
    let (ok, report) = leadbot_test(&shipped(), &[]);
    assert!(ok, "{report}");
    assert!(report.contains(", 0 failed"), "{report}");
    for script in ["saas-en", "saas-ko", "saas-ro"] {
        let cases = report
            .lines()
            .filter(|line| {
                line.starts_with(&format!(
                    "ok   {}",
                    shipped().join("tests").join(script).display()
                ))
            })
            .count();
        assert!(cases >= 7, "{script}: {cases} cases\n{report}");
    }
}

const CASES: &str = r#"# a comment that --update keeps
script = "saas-en"
now = "2026-03-02T15:00:00+00:00"

[[case]]
name = "expects the wrong stage"
answers = ["Max", "Nope LLC", "5"]
stage = "sql"
path = ["name", "company", "need"]

[[case]]
name = "golden replies out of date"
answers = ["Dana"]
replies = ["Hello!", "First, what's your name?"]
"#;

#[test]
fn a_failing_case_is_reported_with_a_diff_and_update_rewrites_golden_replies() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.toml");
    std::fs::write(&cases, CASES).unwrap();
    let case_path = cases.display().to_string();
    let (ok, report) = leadbot_test(&shipped(), &[&case_path]);
    assert!(!ok, "{report}");
    assert!(
        report.contains("FAIL") && report.contains("stage: expected sql, got disqualified"),
        "{report}"
    );
    assert!(report.contains("    - Hello!"), "{report}");
    assert!(report.contains("    + Hi there! 👋"), "{report}");
    assert!(report.contains("     First, what's your name?"), "{report}");
    assert!(report.contains("0 passed, 2 failed"), "{report}");

    let (_, updated) = leadbot_test(&shipped(), &[&case_path, "--update"]);
    assert!(updated.contains("golden replies written"), "{updated}");
    let text = std::fs::read_to_string(&cases).unwrap();
    assert!(
        text.starts_with("# a comment that --update keeps"),
        "{text}"
    );
    assert!(
        text.contains("Thanks! Which company are you with?"),
        "{text}"
    );
    let (ok, report) = leadbot_test(&shipped(), &[&case_path]);
    assert!(!ok, "the wrong stage still fails: {report}");
    assert!(report.contains("1 passed, 1 failed"), "{report}");

    std::fs::write(&cases, "script = \"saas-en\"\nnow = \"2026-03-02T15:00:00+00:00\"\n[[case]]\nname = \"x\"\nanswer = []\n").unwrap();
    let (ok, report) = leadbot_test(&shipped(), &[&case_path]);
    assert!(
        !ok && report.contains(&format!("{case_path}:5:1")),
        "{report}"
    );
}

#[test]
fn validate_warns_about_a_threshold_no_answers_reach() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("high.toml");
    let shipped_en = std::fs::read_to_string(shipped().join("saas-en.toml")).unwrap();
    std::fs::write(&path, shipped_en.replace("sql = 65", "sql = 900")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .args(["validate", &path.display().to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "a warning is not an error: {text}");
    assert!(
        text.contains(&format!(
            "warn {}: thresholds.sql = 900 cannot be reached",
            path.display()
        )),
        "{text}"
    );
    let shipped_check = Command::new(env!("CARGO_BIN_EXE_leadbot"))
        .args(["validate", &shipped().display().to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shipped_check.stdout);
    assert!(!text.contains("warn"), "{text}");
}

#[test]
fn a_click_the_channel_or_question_cannot_take_fails_the_case_with_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clicks.toml");
    std::fs::write(
        &file,
        r#"script = "saas-en"
now = "2026-03-02T15:00:00+00:00"

[[case]]
name = "a click on the terminal"
answers = ["Max", "Acme", "click:replace"]

[[case]]
name = "a button the question does not have"
channel = "discord"
answers = ["Max", "Acme", "click:enterprise"]

[[case]]
name = "a click that works"
channel = "discord"
answers = ["Max", "Acme", "click:no_need"]
stage = "disqualified"
"#,
    )
    .unwrap();
    let (ok, report) = leadbot_test(&shipped(), &[file.to_str().unwrap()]);
    assert!(!ok, "{report}");
    assert!(report.contains("1 passed, 2 failed"), "{report}");
    assert!(report.contains("the terminal has no buttons"), "{report}");
    assert!(
        report.contains("step `need` offers no button `enterprise` (buttons: replace, new_process, scale, browsing, no_need)"),
        "{report}"
    );
}

#[test]
fn a_case_with_a_locale_runs_on_the_family_member_in_that_language() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("korean.toml");
    let reps = Path::new(env!("CARGO_MANIFEST_DIR")).join("reps.toml");
    std::fs::write(
        &file,
        format!(
            r#"script = "saas-en"
reps = {reps:?}
now = "2026-03-02T01:00:00+00:00"

[[case]]
name = "a Korean prospect of the English script's family"
locale = "ko"
answers = ["김민지", "한빛소프트", "1", "40명", "연 3천만 원", "다음 달", "네", "minji@hanbit.kr", "1"]
stage = "sql"
pool = "korea"

[[case]]
name = "a language the family does not have"
locale = "fr"
answers = ["Marie"]
"#
        ),
    )
    .unwrap();
    let (ok, report) = leadbot_test(&shipped(), &[file.to_str().unwrap()]);
    assert!(!ok, "{report}");
    assert!(report.contains("1 passed, 1 failed"), "{report}");
    assert!(
        report.contains(r#"locale = "fr": no script of family "saas" is in that language"#),
        "{report}"
    );
}

#[test]
fn a_wait_fires_the_timers_that_fall_due_and_a_bad_one_says_how_to_write_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("quiet.toml"),
        r#"id = "quiet"
locale = "en"
greeting = "Hi"
required = []
iql_requires = []
[thresholds]
mql = 10
sql = 20
[follow_up]
nudge_after = "2h"
abandon_after = "3d"
[[steps]]
id = "name"
criterion = "contact"
ask = "Your name?"
expect = "text"
points = 10
[[steps]]
id = "company"
criterion = "contact"
ask = "Your company?"
expect = "text"
points = 10
"#,
    )
    .unwrap();
    let file = dir.path().join("waits.toml");
    std::fs::write(
        &file,
        r#"script = "quiet.toml"
now = "2026-03-02T15:00:00+00:00"

[[case]]
name = "a silent prospect is nudged once, then the dialogue is abandoned"
answers = ["Max", "wait:5d"]
replies = []

[[case]]
name = "a wait of no known unit"
answers = ["Max", "wait:soon"]
"#,
    )
    .unwrap();
    let (ok, report) = leadbot_test(&shipped(), &[file.to_str().unwrap(), "--update"]);
    assert!(!ok, "{report}");
    assert!(
        report.contains("`wait:soon`: expected e.g. wait:14d, wait:3h or wait:45m"),
        "{report}"
    );
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        written.matches("Your company?").count(),
        2,
        "asked, then nudged once: {written}"
    );
}
