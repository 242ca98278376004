//! Validation errors, each with the line and column it must point at.

use std::path::Path;

use super::*;

const VALID: &str = r#"id = "demo"
version = 1
locale = "en"
currency = "USD"
greeting = "Hi!"
required = ["need", "budget"]

[thresholds]
mql = 30
sql = 60

[[steps]]
id = "need"
criterion = "need"
ask = "What do you need?"
expect = "choice"
options = [
  { value = "crm", label = "A CRM", points = 20 },
  { value = "none", label = "Nothing", disqualify = "Bye" },
]

[[steps]]
id = "budget"
criterion = "budget"
ask = "Budget?"
expect = "money"
bands = [{ at_least = 1000, points = 10 }]

[[steps]]
id = "email"
criterion = "contact"
ask = "Email?"
expect = "email"
store_as = "email"
"#;

fn problems(source: &str) -> Vec<Diagnostic> {
    match parse(source, Path::new("s.toml")) {
        Ok(_) => Vec::new(),
        Err(diagnostics) => diagnostics,
    }
}

/// The single problem of `source`, as `line:column: message`.
fn only_problem(source: &str) -> String {
    let found = problems(source);
    assert_eq!(found.len(), 1, "expected one problem, got {found:#?}");
    format!(
        "{}:{}: {}",
        found[0].line, found[0].column, found[0].message
    )
}

#[test]
fn the_sample_is_valid() {
    let script = parse(VALID, Path::new("s.toml")).unwrap();
    assert_eq!(script.id, "demo");
    assert_eq!(script.steps.len(), 3);
    assert_eq!(script.required, vec![Criterion::Need, Criterion::Budget]);
    assert_eq!(script.iql_requires, vec![ContactField::Email]);
    assert_eq!(script.source, VALID);
}

#[test]
fn toml_syntax_error_points_at_the_line() {
    let source = VALID.replace("version = 1", "version = = 1");
    let problem = only_problem(&source);
    assert!(problem.starts_with("2:"), "{problem}");
}

#[test]
fn unknown_field_is_named() {
    let source = VALID.replace("ask = \"Budget?\"", "ask = \"Budget?\"\nquestion = \"x\"");
    let problem = only_problem(&source);
    assert!(problem.starts_with("26:1:"), "{problem}");
    assert!(problem.contains("unknown field `question`"), "{problem}");
}

#[test]
fn duplicate_step_id() {
    let source = VALID.replace("id = \"budget\"", "id = \"need\"");
    let problem = only_problem(&source);
    assert_eq!(problem, "23:6: duplicate step id \"need\"");
}

#[test]
fn goto_to_an_unknown_step() {
    let source = VALID.replace(
        "expect = \"money\"",
        "expect = \"money\"\ngoto = [{ when = \"budget < 10\", to = \"nowhere\" }]",
    );
    let problem = only_problem(&source);
    assert!(problem.starts_with("27:"), "{problem}");
    assert!(
        problem.contains("goto target \"nowhere\" is not a step"),
        "{problem}"
    );
}

#[test]
fn backward_jumps_are_refused() {
    let source = VALID.replace(
        "expect = \"money\"",
        "expect = \"money\"\ngoto = [{ to = \"need\" }]",
    );
    assert!(only_problem(&source).contains("jumps backwards"));
}

#[test]
fn unreachable_step() {
    let source = VALID.replace("options = [", "goto = [{ to = \"email\" }]\noptions = [");
    let problem = only_problem(&source);
    assert_eq!(problem, "24:6: step \"budget\" can never be reached");
}

#[test]
fn a_conditional_jump_leaves_the_next_step_reachable() {
    let source = VALID.replace(
        "options = [",
        "goto = [{ when = \"need = none\", to = \"email\" }]\noptions = [",
    );
    assert!(problems(&source).is_empty(), "{:?}", problems(&source));
}

#[test]
fn mql_must_be_below_sql() {
    let source = VALID.replace("mql = 30", "mql = 70");
    assert_eq!(
        only_problem(&source),
        "9:7: mql threshold 70 must be below the sql threshold 60"
    );
}

#[test]
fn threshold_out_of_range() {
    let source = VALID.replace("sql = 60", "sql = 6000");
    assert_eq!(
        only_problem(&source),
        "10:7: sql threshold 6000 is out of range (0 to 1000)"
    );
}

#[test]
fn choice_without_label() {
    let source = VALID.replace(
        "{ value = \"crm\", label = \"A CRM\", points = 20 }",
        "{ value = \"crm\", points = 20 }",
    );
    let problem = only_problem(&source);
    assert!(
        problem.starts_with("18:3: option has no label"),
        "{problem}"
    );
}

#[test]
fn empty_label() {
    let source = VALID.replace("label = \"A CRM\"", "label = \" \"");
    let problem = only_problem(&source);
    assert!(
        problem.starts_with("18:28: option label is empty"),
        "{problem}"
    );
}

#[test]
fn regex_that_does_not_compile() {
    let source = VALID.replace(
        "expect = \"email\"",
        "expect = \"text\"\npattern = \"[a-z\"",
    );
    let problem = only_problem(&source);
    assert!(
        problem.starts_with("34:11: pattern does not compile"),
        "{problem}"
    );
}

#[test]
fn unknown_expectation_kind() {
    let source = VALID.replace("expect = \"money\"", "expect = \"moneyy\"");
    let problem = only_problem(&source);
    assert!(
        problem.starts_with("26:10: unknown expectation kind \"moneyy\""),
        "{problem}"
    );
}

#[test]
fn required_criterion_no_step_covers() {
    let source = VALID.replace(
        "required = [\"need\", \"budget\"]",
        "required = [\"need\", \"timing\"]",
    );
    assert_eq!(
        only_problem(&source),
        "6:12: required criterion \"timing\" is not covered by any step"
    );
}

#[test]
fn unknown_criterion_and_contact_field() {
    let source = VALID
        .replace("criterion = \"budget\"", "criterion = \"money\"")
        .replace("store_as = \"email\"", "store_as = \"mail\"");
    let found = problems(&source);
    assert!(
        found
            .iter()
            .any(|d| d.line == 24 && d.message.contains("unknown criterion \"money\"")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|d| d.line == 34 && d.message.contains("unknown contact field \"mail\"")),
        "{found:#?}"
    );
}

#[test]
fn fields_of_another_kind_are_refused() {
    let source = VALID.replace(
        "bands = [{ at_least = 1000, points = 10 }]",
        "bands = [{ at_least = 1000, points = 10 }]\nyes_points = 3",
    );
    assert_eq!(
        only_problem(&source),
        "28:14: field `yes_points` does not apply to expect = \"money\""
    );
}

#[test]
fn timeframe_bands_need_within_days() {
    let source = VALID.replace("expect = \"money\"", "expect = \"timeframe\"");
    let problem = only_problem(&source);
    assert!(problem.contains("needs `within_days`"), "{problem}");
}

#[test]
fn conditions_are_checked_against_the_step_they_test() {
    let cases = [
        (
            "need = maybe",
            "\"maybe\" is not an option value of step \"need\"",
        ),
        ("need > 3", "is a choice; use = or !="),
        ("email = x", "is not answered yet"),
        ("ghost = 1", "unknown step \"ghost\""),
        ("need", "has no comparison"),
    ];
    for (condition, expected) in cases {
        let source = VALID.replace(
            "ask = \"Budget?\"",
            &format!("ask = \"Budget?\"\nwhen = \"{condition}\""),
        );
        let problem = only_problem(&source);
        assert!(problem.starts_with("26:8:"), "{condition}: {problem}");
        assert!(problem.contains(expected), "{condition}: {problem}");
    }
}

#[test]
fn several_problems_are_all_reported_in_file_order() {
    let source = VALID
        .replace("mql = 30", "mql = 90")
        .replace("id = \"budget\"", "id = \"need\"");
    let lines: Vec<usize> = problems(&source).iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![9, 23]);
}

#[test]
fn unknown_message_key() {
    let source = format!("{VALID}\n[messages]\nbye = \"ciao\"\n");
    let problem = only_problem(&source);
    assert!(problem.contains("unknown message \"bye\""), "{problem}");
}

#[test]
fn diagnostics_print_as_file_line_column() {
    let diagnostic = Diagnostic {
        file: "conversations/x.toml".into(),
        line: 3,
        column: 7,
        message: "bad".into(),
    };
    assert_eq!(diagnostic.to_string(), "conversations/x.toml:3:7: bad");
}

#[test]
fn columns_count_characters_not_bytes() {
    let source = VALID.replace("greeting = \"Hi!\"", "greeting = \"안녕하세요\"\nnope = 1");
    let problem = only_problem(&source);
    assert!(problem.starts_with("6:1:"), "{problem}");
    assert_eq!(line_and_column("가나다x", "가나다".len()), (1, 4));
}

#[test]
fn every_shipped_script_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("conversations");
    let scripts = load_all(&[dir]).unwrap();
    let mut locales: Vec<&str> = scripts.iter().map(|script| script.locale.code()).collect();
    locales.sort_unstable();
    assert_eq!(locales, vec!["en", "ko", "ro"]);
    assert_eq!(scripts.iter().filter(|script| script.default).count(), 1);
}

#[test]
fn currencies_are_rates_into_the_scripts_own_currency() {
    let source = format!("{VALID}\n[currencies]\nEUR = 1.08\nKRW = 0.00068\n");
    let script = parse(&source, Path::new("s.toml")).unwrap();
    assert_eq!(script.in_own_currency(10_000.0, "EUR"), Some(10_800.0));
    assert_eq!(script.in_own_currency(50_000_000.0, "KRW"), Some(34_000.0));
    assert_eq!(script.in_own_currency(5.0, "USD"), Some(5.0));
    assert_eq!(script.in_own_currency(5.0, "GBP"), None);
}

#[test]
fn unknown_currencies_and_rates_that_are_not_positive_are_refused() {
    let source =
        format!("{VALID}\n[currencies]\nEUR = 0\nXYZ = 2.5\nGBP = -1.3\nUSD = 1\nRON = nan\n");
    let found: Vec<String> = problems(&source)
        .iter()
        .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
        .collect();
    let all = found.join("\n");
    for expected in [
        "37:7: the rate of EUR must be a positive number",
        "38:1: unknown currency \"XYZ\"",
        "39:7: the rate of GBP must be a positive number",
        "40:1: USD is the script's own currency",
        "41:7: the rate of RON must be a positive number",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
    assert_eq!(found.len(), 5, "{all}");
}

#[test]
fn the_scripts_currency_must_be_one_leadbot_reads() {
    let problem = only_problem(&VALID.replace("currency = \"USD\"", "currency = \"ABC\""));
    assert!(
        problem.starts_with("4:12: unknown currency \"ABC\""),
        "{problem}"
    );
}

/// A script wrong in every section validate() reads, with two problems on the script id's
/// span (its own, and the e-mail no step stores) so ties keep the order they were found in.
const BROKEN_EVERYWHERE: &str = r#"id = "de mo"
version = 0
locale = "xx"
currency = "ZZZ"
max_reasks = 11
greeting = "Hi!"
required = ["need", "money", "budget"]

[currencies]
EUR = 0

[thresholds]
mql = 1500
sql = 60

[messages]
bye = "ciao"

[[signals]]
id = "demo"
reason = "asked for a demo"
points = 20
phrases = ["demo"]

[[signals]]
id = "demo"
reason = "again"
points = 5
phrases = [" "]

[follow_up]
nudge_after = "2h"
abandon_after = "1h"
mql_after = "soon"

[[steps]]
id = "end"
criterion = "need"
ask = "What do you need?"
expect = "choice"
options = [{ value = "crm", label = "" }]

[[steps]]
id = "end"
criterion = "wish"
ask = "Anything else?"
expect = "text"
goto = [{ to = "nowhere" }]
"#;

#[test]
fn the_order_of_diagnostics_is_unchanged() {
    // Each message is cut short: the order is the point, and lists such as the known
    // currencies grow.
    let found: Vec<String> = problems(BROKEN_EVERYWHERE)
        .iter()
        .map(|d| {
            let message: String = d.message.chars().take(48).collect();
            format!("{}:{}: {message}", d.line, d.column)
        })
        .collect();
    let expected = [
        "1:6: script id \"de mo\" must be letters, digits, _ or ",
        "1:6: iql_requires \"email\" but no step has store_as = ",
        "2:11: version 0 must be a positive whole number",
        "3:10: unknown locale \"xx\" (supported: en, ko, ro)",
        "4:12: unknown currency \"ZZZ\": use an ISO 4217 code lea",
        "5:14: max_reasks 11 must be between 0 and 10",
        "7:12: required criterion \"budget\" is not covered by an",
        "7:21: unknown criterion \"money\" (need, interest, budge",
        "10:7: the rate of EUR must be a positive number of ZZZ",
        "13:7: mql threshold 1500 is out of range (0 to 1000)",
        "13:7: mql threshold 1500 must be below the sql thresho",
        "17:1: unknown message \"bye\" (known: reask, moving_on, ",
        "26:6: duplicate signal id \"demo\"",
        "29:11: a signal needs at least one phrase",
        "33:17: abandon_after must be longer than nudge_after",
        "34:13: mql_after \"soon\" is not a duration like \"45m\", \"",
        "37:6: step id \"end\" must be letters, digits, _ or - an",
        "41:11: a choice needs at least two options",
        "41:37: option label is empty",
        "44:6: step id \"end\" must be letters, digits, _ or - an",
        "44:6: duplicate step id \"end\"",
        "45:13: unknown criterion \"wish\" (need, interest, budget",
        "48:16: goto target \"nowhere\" is not a step of this scri",
    ];
    assert_eq!(found, expected);
}

#[test]
fn faq_entries_need_an_id_phrases_and_an_answer() {
    let with = |entry: &str| format!("{VALID}\n[[faq]]\n{entry}\n");
    let script = parse(
        &with("id = \"pricing\"\nphrases = [\"Cât costă\"]\nanswer = \"From 1,000.\""),
        Path::new("s.toml"),
    )
    .unwrap();
    assert_eq!(script.faq[0].phrases, ["cat costa"]);
    let problem = only_problem(&with("id = \"p\"\nphrases = [\" \"]\nanswer = \"A.\""));
    assert!(
        problem.contains("faq \"p\" needs at least one phrase"),
        "{problem}"
    );
    let problem = only_problem(&with("id = \"p\"\nphrases = [\"x\"]\nanswer = \"\""));
    assert!(problem.contains("empty answer"), "{problem}");
    let twice = format!(
        "{}\n[[faq]]\nid = \"p\"\nphrases = [\"y\"]\nanswer = \"B.\"\n",
        with("id = \"p\"\nphrases = [\"x\"]\nanswer = \"A.\"")
    );
    assert!(only_problem(&twice).contains("duplicate faq id \"p\""));
}

#[test]
fn a_family_whose_translations_differ_in_steps_is_refused_with_where() {
    let dir = std::env::temp_dir().join(format!("leadbot-family-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let member = |id: &str, locale: &str| {
        VALID
            .replace(
                "id = \"demo\"",
                &format!("id = \"{id}\"\nfamily = \"saas\""),
            )
            .replace("locale = \"en\"", &format!("locale = \"{locale}\""))
    };
    std::fs::write(dir.join("a.toml"), member("a", "en")).unwrap();
    std::fs::write(dir.join("b.toml"), member("b", "ko")).unwrap();
    assert!(load_all(std::slice::from_ref(&dir)).is_ok());
    std::fs::write(
        dir.join("b.toml"),
        member("b", "ko").replace("id = \"budget\"", "id = \"money\""),
    )
    .unwrap();
    let error = load_all(std::slice::from_ref(&dir))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("b.toml:2:1: family \"saas\": b has no step \"budget\""),
        "{error}"
    );
    std::fs::write(dir.join("b.toml"), member("b", "en")).unwrap();
    let error = load_all(std::slice::from_ref(&dir))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("family \"saas\" already has a en script: a"),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
