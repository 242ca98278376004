//! End-to-end: the real `leadbot` binary, driven as a user would (piped stdin, files, exit codes).
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{TestDb, conversations_dir};

fn leadbot(args: &[&str], stdin: &str, database: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leadbot"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DATABASE_URL")
        .env("USER", "tester")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(url) = database {
        command.env("DATABASE_URL", url);
    }
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn qualifying() -> String {
    common::QUALIFYING_ANSWERS.join("\n") + "\n"
}

#[test]
fn chat_qualifies_a_lead_and_shows_the_handoff() {
    let db = TestDb::sqlite();
    let output = leadbot(&["chat"], &qualifying(), Some(&db.url));
    let text = stdout(&output);
    assert!(
        output.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("bot: First, what's your name?"), "{text}");
    assert!(text.contains("hand-off to sales"), "{text}");
    assert!(text.contains("Dana Smith (Acme Corp)"), "{text}");
    assert!(text.contains("budget     USD 60,000 per year"), "{text}");
    assert_eq!(text.matches("hand-off to sales").count(), 1);
}

#[test]
fn lead_tools_list_show_export_and_forget() {
    let db = TestDb::sqlite();
    let url = Some(db.url.as_str());
    assert!(leadbot(&["chat"], &qualifying(), url).status.success());
    assert!(
        leadbot(&["chat", "--user", "other"], "Sam\nstop\n", url)
            .status
            .success()
    );

    let list = stdout(&leadbot(&["leads", "list", "--stage", "sql"], "", url));
    assert!(list.contains("Dana Smith"), "{list}");
    assert!(!list.contains("Sam"), "{list}");
    assert!(list.ends_with("1 lead(s)\n"), "{list}");
    let all = stdout(&leadbot(
        &["leads", "list", "--since", "2000-01-01"],
        "",
        url,
    ));
    assert!(all.contains("opted_out") && all.contains("sql"), "{all}");

    let show = stdout(&leadbot(&["leads", "show", "1"], "", url));
    for part in [
        "answers:",
        "USD 60,000 per year",
        "score events:",
        "budget: USD 60,000",
        "stage history:",
        "mql → sql",
        "transcript:",
        "prospect: Acme Corp",
    ] {
        assert!(show.contains(part), "{part} missing in {show}");
    }

    let csv = stdout(&leadbot(&["leads", "export", "--format", "csv"], "", url));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,channel,stage,score,script,script_version,name,company,email,phone,region,need,interest,budget,timing,authority,created_at,updated_at,qualified_at,owner,source,score_reasons,meeting_at"
    );
    assert!(
        csv.contains(",sql,") && csv.contains("USD 60,000 per year"),
        "{csv}"
    );
    let json = stdout(&leadbot(
        &["leads", "export", "--format", "json", "--stage", "sql"],
        "",
        url,
    ));
    let row: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(row["email"], "dana@acme.io");

    let person = stdout(&leadbot(&["leads", "export-person", "1"], "", url));
    let person: serde_json::Value = serde_json::from_str(&person).unwrap();
    assert!(person["transcript"].as_array().unwrap().len() > 10);

    let forget = leadbot(&["leads", "forget", "1"], "", url);
    assert!(forget.status.success());
    let show = stdout(&leadbot(&["leads", "show", "1"], "", url));
    assert!(
        show.contains("personal data erased") && !show.contains("Dana"),
        "{show}"
    );
    let missing = leadbot(&["leads", "show", "42"], "", url);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no lead with id 42"));
}

#[test]
fn chat_resumes_after_quitting_and_new_starts_over() {
    let db = TestDb::sqlite();
    let first = leadbot(&["chat"], "Dana Smith\nAcme Corp\n", Some(&db.url));
    assert!(
        stdout(&first).ends_with("   5. We don't need anything like this\n"),
        "{}",
        stdout(&first)
    );

    let second = leadbot(&["chat"], "1\n", Some(&db.url));
    let text = stdout(&second);
    assert!(text.starts_with("bot: Welcome back!"), "{text}");
    assert!(
        text.contains("What brings you to Northwind today?"),
        "{text}"
    );
    assert!(text.contains("How many people would use it?"), "{text}");

    let korean = leadbot(&["chat", "--script", "saas-ko"], "김민수\n", Some(&db.url));
    assert!(
        stdout(&korean).contains("먼저 성함이"),
        "another script starts over: {}",
        stdout(&korean)
    );
    let korean_again = leadbot(&["chat", "--script", "saas-ko"], "", Some(&db.url));
    assert!(
        stdout(&korean_again).starts_with("bot: 다시 오셨네요!"),
        "{}",
        stdout(&korean_again)
    );

    let fresh = leadbot(&["chat", "--new"], "", Some(&db.url));
    assert!(
        stdout(&fresh).contains("First, what's your name?"),
        "{}",
        stdout(&fresh)
    );
}

#[test]
fn chat_uses_the_default_data_folder_and_database_flag() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("nested/lead.db").display());
    let output = leadbot(&["chat", "--database", &url], "Dana\n", None);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("nested/lead.db").exists());
}

#[test]
fn chat_reports_an_unreachable_database_clearly() {
    let output = leadbot(&["chat", "--database", "mysql://nowhere/db"], "", None);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("unsupported database URL"), "{error}");
}

#[test]
fn simulate_prints_a_transcript_and_json_state() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.txt");
    std::fs::write(&answers, qualifying()).unwrap();
    let answers = answers.to_string_lossy();
    let now = "2026-03-04T10:00:00+02:00";
    let text = stdout(&leadbot(
        &["simulate", "saas-en", "--answers", &answers, "--now", now],
        "",
        None,
    ));
    assert!(text.contains("you: $60k a year"), "{text}");
    assert!(text.contains("— stage: sql"), "{text}");

    let output = leadbot(
        &["simulate", "saas-en", "--json", "--now", now],
        &qualifying(),
        None,
    );
    let state: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(state["stage"], "sql");
    assert_eq!(state["path"][0], "name");
    let budget = state["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["step"] == "budget")
        .unwrap();
    assert_eq!(budget["raw"], "$60k a year");
    assert_eq!(budget["value"]["answer"]["amount"], 60000.0);
    assert!(
        state["score_events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"].as_str().unwrap().starts_with("budget:"))
    );
}

#[test]
fn validate_accepts_the_shipped_scripts() {
    let output = leadbot(&["validate"], "", None);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).contains("ok   conversations/saas-en.toml"));
}

#[test]
fn validate_prints_file_line_column_and_fails_on_a_broken_script() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(conversations_dir().join("saas-en.toml")).unwrap();
    let broken = good
        .replace("id = \"saas-en\"", "id = \"broken\"")
        .replace("expect = \"number\"", "expect = \"integer\"");
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, broken).unwrap();
    let path_text = path.to_string_lossy();
    let output = leadbot(&["validate", &path_text], "", None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let line = good
        .lines()
        .position(|l| l == "expect = \"number\"")
        .unwrap()
        + 1;
    assert!(
        text.contains(&format!(
            "{path_text}:{line}:10: unknown expectation kind \"integer\""
        )),
        "{text}"
    );
}

#[test]
fn validate_reports_a_missing_folder() {
    let output = leadbot(&["validate", "no/such/folder"], "", None);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read no/such/folder"));
}

#[test]
fn extract_prints_the_documented_json() {
    let now = "2026-03-04T10:00:00+02:00";
    let cases: &[(&[&str], &str)] = &[
        (
            &["extract", "money", "--locale", "en", "about $25,000 a year"],
            r#""amount":25000"#,
        ),
        (
            &["extract", "email", "reach me at Dana@Acme.io"],
            r#"{"value":"#,
        ),
        (
            &["extract", "number", "--locale", "en", "3.5"],
            r#"{"value":3.5}"#,
        ),
        (
            &["extract", "yes_no", "--locale", "ro", "da"],
            r#""value":true"#,
        ),
        (
            &[
                "extract",
                "choice",
                "--options",
                "Basic,Pro,Enterprise",
                "2",
            ],
            r#"{"value":"Pro"}"#,
        ),
        (
            &[
                "extract",
                "timeframe",
                "--locale",
                "en",
                "--now",
                now,
                "next month",
            ],
            r#""start":"2026-04-01""#,
        ),
    ];
    for (args, expected) in cases {
        let output = leadbot(args, "", None);
        let text = stdout(&output);
        assert!(output.status.success(), "{args:?}: {text}");
        assert!(text.contains(expected), "{args:?}: {text}");
    }
}

#[test]
fn extract_exits_1_with_an_error_object_when_not_understood() {
    let output = leadbot(&["extract", "email", "no address here"], "", None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains(r#""error""#));
    let output = leadbot(&["extract", "colour", "red"], "", None);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unknown kind is a usage error"
    );
}

#[test]
fn every_shipped_script_runs_in_simulate() {
    for entry in std::fs::read_dir(conversations_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "toml") {
            continue; // conversations/tests/ holds the scripts' test cases
        }
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        let output = leadbot(
            &["simulate", &id, "--now", "2026-03-04T10:00:00+02:00"],
            "stop\n",
            None,
        );
        assert!(
            output.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout(&output).contains("stage: opted_out"),
            "{id}: {}",
            stdout(&output)
        );
    }
}

/// A team whose only rep is always available.
const ALWAYS_ON_TEAM: &str = r#"
[[pools]]
id = "default"
reps = ["kim", "lee"]
sla_minutes = 30
[[reps]]
id = "kim"
name = "Kim Jones"
email = "kim@example.com"
[[reps]]
id = "lee"
name = "Lee Park"
email = "lee@example.com"
languages = ["ko"]
"#;

#[test]
fn a_rep_answers_a_handoff_from_the_terminal_and_route_explains_it() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("team.toml");
    std::fs::write(&team, ALWAYS_ON_TEAM).unwrap();
    let team = team.to_str().unwrap();
    let chat = leadbot(&["chat", "--reps", team], &qualifying(), Some(&db.url));
    let text = stdout(&chat);
    assert!(
        text.contains("bot: Kim Jones from our team will be your contact"),
        "{text}"
    );
    assert!(text.contains("→ assigned to Kim Jones"), "{text}");
    assert!(
        text.contains("leadbot handoff accept 1 --rep kim"),
        "{text}"
    );

    let explained = stdout(&leadbot(
        &["route", "1", "--explain", "--reps", team],
        "",
        Some(&db.url),
    ));
    assert!(
        explained.contains("none matched → default pool default"),
        "{explained}"
    );
    assert!(explained.contains("CHOSEN"), "{explained}");
    assert!(
        explained.contains("skipped: does not cover language \"en\""),
        "{explained}"
    );
    // Without --explain: who got it, and no reasons.
    let summary = stdout(&leadbot(&["route", "1", "--reps", team], "", Some(&db.url)));
    assert!(
        summary.contains("to Kim Jones (kim), pool default; 1 of 2 skipped (--explain says why)"),
        "{summary}"
    );
    assert!(!summary.contains("does not cover"), "{summary}");

    let wrong = leadbot(
        &["handoff", "accept", "1", "--rep", "lee", "--reps", team],
        "",
        Some(&db.url),
    );
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("was not offered to lee"));
    let accepted = leadbot(
        &["handoff", "accept", "1", "--rep", "kim", "--reps", team],
        "",
        Some(&db.url),
    );
    assert!(accepted.status.success(), "{:?}", accepted);
    assert_eq!(stdout(&accepted).trim(), "kim now owns lead 1");
    let shown = stdout(&leadbot(&["leads", "show", "1"], "", Some(&db.url)));
    assert!(
        shown.contains("to kim (pool default, rule default) → accepted"),
        "{shown}"
    );
    let listed = stdout(&leadbot(
        &["reps", "list", "--reps", team],
        "",
        Some(&db.url),
    ));
    let kim = listed.lines().find(|line| line.starts_with("kim")).unwrap();
    assert!(kim.contains("1/∞"), "{listed}");
}

/// `leadbot reps validate --reps <file>` with exactly these hand-off settings in the environment.
fn validate_with(file: &std::path::Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leadbot"));
    command
        .args(["reps", "validate", "--reps", file.to_str().unwrap()])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for name in [
        "SLACK_BOT_TOKEN",
        "DISCORD_TOKEN",
        "LEADBOT_SMTP_URL",
        "LEADBOT_SMTP_FROM",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied()).output().unwrap()
}

#[test]
fn reps_validate_names_reps_that_no_configured_channel_reaches() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reps.toml");
    std::fs::write(
        &file,
        "[fallback]\nemail = \"desk@x.io\"\n\n[[reps]]\nid = \"mail\"\nname = \"M\"\nemail = \"m@x.io\"\n\n\
         [[reps]]\nid = \"hook\"\nname = \"H\"\nwebhook_url = \"https://crm.x.io/h\"\n",
    )
    .unwrap();

    let without_smtp = validate_with(&file, &[]);
    assert!(without_smtp.status.success(), "{without_smtp:?}");
    let text = stdout(&without_smtp);
    assert!(
        text.contains(
            "rep \"mail\" cannot be notified: reachable only by e-mail, which is not configured \
             here (set LEADBOT_SMTP_URL)"
        ),
        "{text}"
    );
    assert!(
        text.contains("the fallback team cannot be notified"),
        "{text}"
    );
    assert!(!text.contains("\"hook\""), "{text}");

    // A half-made e-mail setting is a configuration error, which every command reports.
    let half_configured = validate_with(&file, &[("LEADBOT_SMTP_URL", "smtp://u:pw-9z@x.io")]);
    assert!(!half_configured.status.success());
    let text = String::from_utf8_lossy(&half_configured.stderr);
    assert!(
        text.contains("LEADBOT_SMTP_URL is set but LEADBOT_SMTP_FROM is not"),
        "{text}"
    );
    assert!(!text.contains("pw-9z"), "{text}");

    let with_smtp = validate_with(
        &file,
        &[
            ("LEADBOT_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("LEADBOT_SMTP_FROM", "leadbot@x.io"),
        ],
    );
    assert!(with_smtp.status.success());
    assert!(
        !stdout(&with_smtp).contains("warn"),
        "{}",
        stdout(&with_smtp)
    );
}

#[test]
fn reps_validate_accepts_the_shipped_team_and_pinpoints_problems() {
    let ok = leadbot(&["reps", "validate"], "", None);
    assert!(ok.status.success(), "{:?}", ok);
    assert!(stdout(&ok).starts_with("ok   reps.toml"));
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("reps.toml");
    std::fs::write(
        &broken,
        "[[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\nhours = [\"mon-fri 9-17\"]\ntime_zone = \"UTC\"\n",
    )
    .unwrap();
    let output = leadbot(
        &["reps", "validate", "--reps", broken.to_str().unwrap()],
        "",
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("reps.toml:5:10: hours \"mon-fri 9-17\""),
        "{text}"
    );
}

#[test]
fn reps_list_shows_a_rep_at_capacity_as_unavailable() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("team.toml");
    std::fs::write(
        &team,
        "[[reps]]\nid = \"kim\"\nname = \"Kim Jones\"\nemail = \"kim@example.com\"\ncapacity = 1\n\
         [[reps]]\nid = \"lee\"\nname = \"Lee Park\"\nemail = \"lee@example.com\"\ncapacity = 2\n",
    )
    .unwrap();
    let team = team.to_str().unwrap();
    let chat = leadbot(&["chat", "--reps", team], &qualifying(), Some(&db.url));
    assert!(
        stdout(&chat).contains("→ assigned to Kim Jones"),
        "{}",
        stdout(&chat)
    );
    let listed = stdout(&leadbot(
        &["reps", "list", "--reps", team],
        "",
        Some(&db.url),
    ));
    let line = |id: &str| {
        listed
            .lines()
            .find(|line| line.starts_with(id))
            .unwrap()
            .to_string()
    };
    let kim = line("kim");
    assert!(kim.contains("1/1"), "{listed}");
    assert!(
        kim.ends_with("at capacity (1 open hand-offs of 1)"),
        "{listed}"
    );
    let lee = line("lee");
    assert!(
        lee.contains("0/2") && lee.ends_with("available"),
        "{listed}"
    );
}

#[test]
fn route_explain_says_why_a_budget_has_no_band() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("team.toml");
    std::fs::write(
        &team,
        format!(
            "[budget_bands]\ncurrency = \"EUR\"\nsmall = 0\nbig = 50_000\n\
             [currencies]\nGBP = 1.17\n{ALWAYS_ON_TEAM}"
        ),
    )
    .unwrap();
    let team = team.to_str().unwrap();
    let chat = leadbot(&["chat", "--reps", team], &qualifying(), Some(&db.url));
    assert!(chat.status.success(), "{}", stdout(&chat));
    let explained = stdout(&leadbot(
        &["route", "1", "--explain", "--reps", team],
        "",
        Some(&db.url),
    ));
    assert!(
        explained.contains(
            "budget:  USD 60,000 a year: no exchange rate to EUR in the reps file, so no budget \
             and no budget_band for routing"
        ),
        "{explained}"
    );
}

#[test]
fn reps_validate_checks_rule_attributes_against_the_scripts_folder() {
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("reps.toml");
    let source = "[[rules]]\nwhen = \"regoin = eu\"\npool = \"general\"\n\
                  [[rules]]\nwhen = \"language = ko\"\npool = \"general\"\n\
                  [[pools]]\nid = \"general\"\n\
                  [[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\n";
    std::fs::write(&team, source).unwrap();
    let team_path = team.to_str().unwrap();
    let output = leadbot(&["reps", "validate", "--reps", team_path], "", None);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        format!("{team_path}:2:9: unknown attribute \"regoin\" (did you mean \"region\"?)\n")
    );

    // Against the English script alone, no lead can have language ko.
    let english = dir.path().join("english");
    std::fs::create_dir(&english).unwrap();
    std::fs::copy(
        conversations_dir().join("saas-en.toml"),
        english.join("saas-en.toml"),
    )
    .unwrap();
    std::fs::write(&team, source.replace("regoin", "region")).unwrap();
    let scripts = english.to_str().unwrap();
    let output = leadbot(
        &[
            "reps",
            "validate",
            "--reps",
            team_path,
            "--scripts",
            scripts,
        ],
        "",
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output).starts_with(&format!(
            "{team_path}:5:9: \"ko\" is not a language any script gives a lead (values: en)"
        )),
        "{}",
        stdout(&output)
    );
    let output = leadbot(&["reps", "validate", "--reps", team_path], "", None);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("checked against 3 scripts in conversations"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn leads_export_carries_owner_source_and_score_reasons_with_typed_json() {
    let db = TestDb::sqlite();
    let url = Some(db.url.as_str());
    let dir = tempfile::tempdir().unwrap();
    let team = dir.path().join("team.toml");
    std::fs::write(&team, ALWAYS_ON_TEAM).unwrap();
    let team = team.to_str().unwrap();
    assert!(
        leadbot(&["chat", "--reps", team], &qualifying(), url)
            .status
            .success()
    );
    assert!(
        leadbot(&["chat", "--user", "other"], "Sam\nstop\n", url)
            .status
            .success()
    );
    let accepted = leadbot(
        &["handoff", "accept", "1", "--rep", "kim", "--reps", team],
        "",
        url,
    );
    assert!(accepted.status.success(), "{accepted:?}");

    let json = stdout(&leadbot(&["leads", "export", "--format", "json"], "", url));
    let rows: Vec<serde_json::Value> = json
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{json}");
    let dana = rows.iter().find(|row| row["id"] == 1).unwrap();
    assert!(dana["id"].is_i64() && dana["score"].is_i64(), "{dana}");
    assert!(dana["score"].as_i64().unwrap() >= 65, "{dana}");
    assert_eq!(
        dana["script_version"],
        common::english_script().version.as_str()
    );
    assert_eq!(dana["owner"], "kim");
    assert_eq!(dana["source"], "console:saas-en");
    assert_eq!(dana["stage"], "sql");
    assert_eq!(dana["email"], "dana@acme.io");
    assert_eq!(dana["phone"], serde_json::Value::Null);
    let budget = &dana["answers"]["budget"]["answer"];
    assert_eq!(budget["amount"].as_f64(), Some(60_000.0), "{dana}");
    assert_eq!(budget["currency"], "USD");
    assert_eq!(dana["answers"]["team_size"]["value"].as_f64(), Some(40.0));
    let reasons = dana["score_reasons"].as_array().unwrap();
    assert!(
        reasons.contains(&serde_json::json!({
            "points": 30,
            "reason": "budget: USD 60,000 (band ≥ 50,000)"
        })),
        "{dana}"
    );
    let total: i64 = reasons.iter().map(|r| r["points"].as_i64().unwrap()).sum();
    assert_eq!(
        Some(total),
        dana["score"].as_i64(),
        "the reasons add up to the score"
    );
    for field in ["created_at", "updated_at", "qualified_at"] {
        let text = dana[field].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            "{field}: {text}"
        );
    }
    let sam = rows.iter().find(|row| row["id"] == 2).unwrap();
    assert_eq!(sam["owner"], serde_json::Value::Null, "{sam}");
    assert_eq!(sam["qualified_at"], serde_json::Value::Null, "{sam}");
    assert_eq!(sam["budget"], serde_json::Value::Null, "{sam}");
    assert_eq!(sam["stage"], "opted_out");

    let csv = stdout(&leadbot(&["leads", "export", "--format", "csv"], "", url));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        [
            "id",
            "channel",
            "stage",
            "score",
            "script",
            "script_version",
            "name",
            "company",
            "email",
            "phone",
            "region",
            "need",
            "interest",
            "budget",
            "timing",
            "authority",
            "created_at",
            "updated_at",
            "qualified_at",
            "owner",
            "source",
            "score_reasons",
            "meeting_at"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2, "one row per lead: {csv}");
    let column = |record: &csv::StringRecord, name: &str| {
        record[header.iter().position(|h| h == name).unwrap()].to_string()
    };
    let dana = records.iter().find(|r| &r[0] == "1").unwrap();
    assert_eq!(column(dana, "owner"), "kim");
    assert_eq!(column(dana, "source"), "console:saas-en");
    let reasons = column(dana, "score_reasons");
    assert!(
        reasons.contains("+30 budget: USD 60,000 (band ≥ 50,000); +"),
        "{reasons}"
    );
    assert!(reasons.contains(" timing: "), "{reasons}");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&column(dana, "qualified_at")).is_ok(),
        "{csv}"
    );
    let sam = records.iter().find(|r| &r[0] == "2").unwrap();
    assert_eq!(column(sam, "owner"), "");
    assert_eq!(column(sam, "qualified_at"), "");
}
