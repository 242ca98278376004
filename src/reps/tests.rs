use std::path::Path;

use super::*;

const TEAM: &str = r#"
default_pool = "general"

[fallback]
name = "Sales desk"
slack_channel = "C0SALES"

[budget_bands]
smb = 0
mid = 15_000
enterprise = 50_000

[[rules]]
when = "budget >= 50,000 USD"
pool = "enterprise"

[[rules]]
when = "language = ko"
pool = "korea"

[[pools]]
id = "enterprise"
reps = ["dana", "sam"]
sla_minutes = 15

[[pools]]
id = "korea"
reps = ["jisoo"]

[[pools]]
id = "general"

[[reps]]
id = "dana"
name = "Dana Kim"
slack_user = "U0DANA"
languages = ["en"]
weight = 2
capacity = 5
time_zone = "America/New_York"
hours = ["mon-fri 09:00-17:00"]
out_of_office = ["2026-12-24..2026-12-26"]

[[reps]]
id = "sam"
name = "Sam Lee"
email = "sam@example.com"

[[reps]]
id = "jisoo"
name = "Jisoo Park"
discord_user = "80351110224678912"
languages = ["ko", "EN"]
"#;

fn parse_team(source: &str) -> Result<Team, Vec<String>> {
    parse(source, Path::new("reps.toml"))
        .map_err(|problems| problems.iter().map(ToString::to_string).collect())
}

#[test]
fn a_complete_team_parses() {
    let team = parse_team(TEAM).unwrap();
    assert_eq!(team.reps.len(), 3);
    assert_eq!(team.default_pool, "general");
    assert_eq!(team.pool("general").unwrap().reps, ["dana", "sam", "jisoo"]);
    assert_eq!(team.pool("enterprise").unwrap().sla_minutes, Some(15));
    let rule = &team.rules[0];
    assert_eq!(rule.conditions[0].value, "50000");
    assert_eq!(rule.conditions[0].currency.as_deref(), Some("USD"));
    assert_eq!(team.rep("jisoo").unwrap().languages, ["ko", "en"]);
    assert_eq!(team.rep("dana").unwrap().weight, 2);
    assert_eq!(team.budget_bands[2], ("enterprise".to_string(), 50_000.0));
    assert_eq!(team.fallback.slack_channel.as_deref(), Some("C0SALES"));
    assert_eq!(
        team.rep_by_platform_user("slack", "U0DANA").unwrap().id,
        "dana"
    );
}

#[test]
fn a_file_without_pools_routes_everyone_through_one_default_pool() {
    let team = parse_team("[[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\n").unwrap();
    assert_eq!(team.pool(DEFAULT_POOL).unwrap().reps, ["a"]);
}

#[test]
fn every_problem_is_reported_with_its_position() {
    let broken = r#"
default_pool = "nowhere"

[[rules]]
when = "budget 50000"
pool = "missing"

[[pools]]
id = "p"
reps = ["ghost"]
sla_minutes = 0

[[reps]]
id = "a b"
name = "A"
weight = 0
time_zone = "Mars/Olympus"
hours = ["weekdays 9-5"]
out_of_office = ["tomorrow"]
"#;
    let problems = parse_team(broken).unwrap_err();
    let all = problems.join("\n");
    for expected in [
        "reps.toml:2:16: default_pool \"nowhere\" is not a defined pool",
        "reps.toml:5:8: condition \"budget 50000\" has no comparison",
        "reps.toml:6:8: rule sends leads to unknown pool \"missing\"",
        "reps.toml:10:9: pool \"p\" names unknown rep \"ghost\"",
        "reps.toml:11:15: sla_minutes must be between 1 and 10080",
        "reps.toml:14:6: rep id \"a b\" must be letters",
        "has no way to be reached",
        "reps.toml:16:10: weight must be between 1 and 100",
        "reps.toml:17:13: \"Mars/Olympus\" is not an IANA time zone",
        "reps.toml:18:10: hours \"weekdays 9-5\": \"9\" is not a time",
        "\"tomorrow\" is not a date",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
}

#[test]
fn unknown_keys_are_typos_not_silence() {
    let problems =
        parse_team("[[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\ncapacty = 3\n")
            .unwrap_err();
    assert!(problems[0].contains("reps.toml:5:1"), "{problems:?}");
    assert!(problems[0].contains("capacty"), "{problems:?}");
}

#[test]
fn the_shipped_reps_file_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reps.toml");
    let team = load(&path, &shipped_scripts()).unwrap();
    assert!(team.reps.len() >= 3);
}

fn shipped_scripts() -> Vec<crate::script::Script> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("conversations");
    crate::script::load_all(&[folder]).unwrap()
}

/// Every problem of `source` checked against the shipped scripts, as `file:line:column: message`.
fn problems_with_scripts(source: &str) -> String {
    match parse_for(source, Path::new("reps.toml"), &shipped_scripts()) {
        Ok(_) => String::new(),
        Err(problems) => problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

const ONE_REP: &str = "[[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\n";

#[test]
fn a_rule_attribute_typo_is_an_error_with_a_suggestion() {
    let all = problems_with_scripts(&format!(
        "[[rules]]\nwhen = \"regoin = eu\"\npool = \"default\"\n{ONE_REP}"
    ));
    assert_eq!(
        all,
        "reps.toml:2:9: unknown attribute \"regoin\" (did you mean \"region\"?)"
    );
}

#[test]
fn rule_values_must_be_ones_the_scripts_can_give() {
    let source = format!(
        "[budget_bands]\nsmb = 0\nmid = 15_000\n\
         [[rules]]\nwhen = \"language = kr\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"budget_band = enterprise and region = europe\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"need = replace and team_size >= lots\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"timing <= 30\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"industry = retail\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"region > eu\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"team_size >= 50 EUR\"\npool = \"default\"\n\
         {ONE_REP}"
    );
    let all = problems_with_scripts(&source);
    for expected in [
        "reps.toml:5:9: \"kr\" is not a language any script gives a lead (did you mean \"ko\"?",
        "reps.toml:8:9: \"enterprise\" is not a band of [budget_bands] (bands: smb, mid)",
        "reps.toml:8:38: \"europe\" is not a region any script gives a lead (values: abroad, apac,",
        "reps.toml:11:28: team_size is a number: compare it with a number",
        "reps.toml:14:9: timing is a timeframe step: rules cannot test it",
        "reps.toml:17:9: no script gives a lead an industry (no step has store_as = \"industry\")",
        "reps.toml:20:9: region is text: use = or !=",
        "reps.toml:23:9: team_size is not money: a currency code applies to budget or a money step",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
    assert_eq!(all.lines().count(), 8, "{all}");
}

#[test]
fn rules_the_scripts_can_satisfy_pass() {
    let source = format!(
        "[budget_bands]\nsmb = 0\nenterprise = 50_000\n[currencies]\nEUR = 1.08\n\
         [[rules]]\nwhen = \"budget_band = Enterprise and region = EU\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"budget >= 20000 EUR and team_size >= 25\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"script = saas-ro and region != bucharest\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"authority = yes and need = new_process and stage = sql\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"company = acme and email != x@y.io and score >= 70\"\npool = \"default\"\n\
         [[rules]]\nwhen = \"company_size >= 200 and language = ro\"\npool = \"default\"\n\
         {ONE_REP}"
    );
    assert_eq!(problems_with_scripts(&source), "");
}

#[test]
fn rep_filters_must_name_values_the_scripts_can_give() {
    let all = problems_with_scripts(
        "[[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\n\
         languages = [\"ko\", \"kr\"]\nregions = [\"eu\", \"buchrest\"]\nindustries = [\"retail\"]\n",
    );
    for expected in [
        "reps.toml:5:20: \"kr\" is not a language any script gives a lead (did you mean \"ko\"?",
        "reps.toml:6:18: \"buchrest\" is not a region any script gives a lead (did you mean \"bucharest\"?",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
    assert_eq!(
        all.lines().count(),
        2,
        "industries no script asks about exclude nobody: {all}"
    );
}

#[test]
fn band_currency_and_rates_are_checked() {
    let problems = parse_team(
        "[budget_bands]\ncurrency = \"DOLLARS\"\nmid = 15_000\n\
         [currencies]\nKRW = 0\nXYZ = 1.5\nEUR = -1.08\n\
         [[rules]]\nwhen = \"budget >= 50000 GBP\"\npool = \"default\"\n\
         [[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\n",
    )
    .unwrap_err();
    let all = problems.join("\n");
    for expected in [
        "reps.toml:2:12: unknown currency \"DOLLARS\"",
        "reps.toml:5:7: the rate of KRW must be a positive number",
        "reps.toml:6:1: unknown currency \"XYZ\"",
        "reps.toml:7:7: the rate of EUR must be a positive number",
        "reps.toml:9:9: no exchange rate for GBP in [currencies]",
    ] {
        assert!(all.contains(expected), "missing {expected:?} in:\n{all}");
    }
    let own = parse_team(
        "[currencies]\nUSD = 1\n[[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\n",
    )
    .unwrap_err();
    assert!(
        own[0].starts_with("reps.toml:2:1: USD is the budget bands' currency"),
        "{own:?}"
    );
    let mistyped = parse_team("[budget_bands]\nmid = \"15k\"\n").unwrap_err();
    assert!(mistyped[0].starts_with("reps.toml:2:7: "), "{mistyped:?}");
}

#[test]
fn rule_amounts_in_another_currency_are_converted_once_at_load() {
    let team = parse_team(
        "[currencies]\nEUR = 1.08\n[[rules]]\nwhen = \"budget >= 50,000 EUR\"\npool = \"default\"\n\
         [[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\n",
    )
    .unwrap();
    let condition = &team.rules[0].conditions[0];
    assert_eq!(condition.value, "54000");
    assert_eq!(condition.currency.as_deref(), Some("EUR"));
    assert_eq!(team.rules[0].text, "budget >= 50,000 EUR");
}

#[test]
fn webhook_urls_never_show_in_debug_output() {
    let team = parse_team(
        "[fallback]\nname = \"Desk\"\nwebhook_url = \"https://hooks.example.com/desk?token=fallback-secret\"\n\n\
         [[reps]]\nid = \"kim\"\nname = \"Kim\"\nwebhook_url = \"https://user:rep-secret@crm.example.com/hook\"\n",
    )
    .unwrap();
    let shown = format!("{team:?}");
    assert!(!shown.contains("fallback-secret"), "{shown}");
    assert!(!shown.contains("rep-secret"), "{shown}");
    assert!(shown.contains("Secret(<redacted>)"), "{shown}");
}
