use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::*;
use crate::reps;

fn team(source: &str) -> Team {
    reps::parse(source, Path::new("reps.toml")).unwrap()
}

fn four_reps(extra: &str) -> Team {
    team(&format!(
        "{extra}\n[[reps]]\nid = \"a\"\nname = \"A\"\nemail = \"a@x.io\"\n\
         [[reps]]\nid = \"b\"\nname = \"B\"\nemail = \"b@x.io\"\n\
         [[reps]]\nid = \"c\"\nname = \"C\"\nemail = \"c@x.io\"\n\
         [[reps]]\nid = \"d\"\nname = \"D\"\nemail = \"d@x.io\"\n"
    ))
}

fn monday_noon() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Runs `n` hand-offs through the rotation, carrying its state; returns the choices.
fn run(team: &Team, n: usize, open: &BTreeMap<String, i64>) -> Vec<Option<String>> {
    let attributes = LeadAttributes::default();
    let pool = choose_pool(team, &attributes);
    let mut rotation = BTreeMap::new();
    let mut chosen = Vec::new();
    for _ in 0..n {
        let rotated = rotate(&RotationInput {
            team,
            pool: &pool,
            attributes: &attributes,
            rotation: &rotation,
            open_load: open,
            excluded: &BTreeSet::new(),
            now: monday_noon(),
        });
        rotation = rotated.rotation;
        chosen.push(rotated.decision.chosen);
    }
    chosen
}

fn counts(choices: &[Option<String>]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for choice in choices.iter().flatten() {
        *counts.entry(choice.clone()).or_default() += 1;
    }
    counts
}

#[test]
fn equal_reps_take_turns_in_order() {
    let team = four_reps("");
    let choices = run(&team, 8, &BTreeMap::new());
    let names: Vec<_> = choices.iter().map(|c| c.as_deref().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c", "d", "a", "b", "c", "d"]);
    let many = counts(&run(&team, 1000, &BTreeMap::new()));
    assert!(many.values().all(|count| *count == 250), "{many:?}");
}

#[test]
fn weights_share_leads_in_proportion() {
    let team = team(
        "[[reps]]\nid = \"heavy\"\nname = \"H\"\nemail = \"h@x.io\"\nweight = 3\n\
         [[reps]]\nid = \"light\"\nname = \"L\"\nemail = \"l@x.io\"\n",
    );
    let split = counts(&run(&team, 400, &BTreeMap::new()));
    assert_eq!(split["heavy"], 300);
    assert_eq!(split["light"], 100);
}

#[test]
fn a_rep_at_capacity_is_skipped_and_gets_their_turn_back() {
    let team = four_reps("").clone();
    let mut team = team;
    team.reps[1].capacity = Some(2);
    let full = BTreeMap::from([("b".to_string(), 2)]);
    let attributes = LeadAttributes::default();
    let pool = choose_pool(&team, &attributes);
    let mut rotation = BTreeMap::new();
    let mut order = Vec::new();
    for round in 0..12 {
        let open = if round < 6 {
            full.clone()
        } else {
            BTreeMap::new()
        };
        let rotated = rotate(&RotationInput {
            team: &team,
            pool: &pool,
            attributes: &attributes,
            rotation: &rotation,
            open_load: &open,
            excluded: &BTreeSet::new(),
            now: monday_noon(),
        });
        if round == 0 {
            let skipped = &rotated.decision.considered[1];
            assert_eq!(
                skipped.skipped.as_ref().unwrap().to_string(),
                "at capacity (2 open hand-offs of 2)"
            );
        }
        rotation = rotated.rotation;
        order.push(rotated.decision.chosen.unwrap());
    }
    // b is skipped while full, then comes straight back (not penalised) — but catches up only
    // one lead, not the six it missed.
    assert_eq!(order[..6], ["a", "c", "d", "a", "c", "d"]);
    assert_eq!(order[6], "b");
    assert_eq!(order[7..], ["a", "b", "c", "d", "a"]);
}

#[test]
fn rules_pick_pools_in_order_and_reps_must_cover_the_lead() {
    let team = team(
        r#"
[[rules]]
when = "budget >= 50000 and region = eu"
pool = "enterprise-eu"
[[rules]]
when = "language = ko"
pool = "korea"
[[pools]]
id = "enterprise-eu"
reps = ["eu1"]
[[pools]]
id = "korea"
reps = ["en-only", "ko"]
[[reps]]
id = "eu1"
name = "E"
email = "e@x.io"
[[reps]]
id = "en-only"
name = "N"
email = "n@x.io"
languages = ["en"]
[[reps]]
id = "ko"
name = "K"
email = "k@x.io"
languages = ["ko"]
"#,
    );
    let mut attributes = LeadAttributes::default();
    attributes.numbers.insert("budget".into(), 60_000.0);
    attributes.text.insert("region".into(), vec!["eu".into()]);
    let pool = choose_pool(&team, &attributes);
    assert_eq!(pool.pool, "enterprise-eu");
    assert_eq!(
        pool.rule.as_deref(),
        Some("budget >= 50000 and region = eu")
    );
    attributes.text.insert("region".into(), vec!["na".into()]);
    assert_eq!(choose_pool(&team, &attributes).pool, reps::DEFAULT_POOL);
    attributes.text.insert("language".into(), vec!["ko".into()]);
    let korea = choose_pool(&team, &attributes);
    assert_eq!(korea.pool, "korea");
    let rotated = rotate(&RotationInput {
        team: &team,
        pool: &korea,
        attributes: &attributes,
        rotation: &BTreeMap::new(),
        open_load: &BTreeMap::new(),
        excluded: &BTreeSet::new(),
        now: monday_noon(),
    });
    assert_eq!(rotated.decision.chosen.as_deref(), Some("ko"));
    let explained = rotated.decision.explain(&team);
    assert!(
        explained.contains("\"language = ko\" → pool korea"),
        "{explained}"
    );
    assert!(
        explained.contains("skipped: does not cover language \"ko\""),
        "{explained}"
    );
    assert!(explained.contains("CHOSEN"), "{explained}");
}

#[test]
fn nobody_available_goes_to_the_fallback_and_passers_are_not_asked_again() {
    let team = four_reps("");
    let attributes = LeadAttributes::default();
    let pool = choose_pool(&team, &attributes);
    let everyone: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let rotated = rotate(&RotationInput {
        team: &team,
        pool: &pool,
        attributes: &attributes,
        rotation: &BTreeMap::new(),
        open_load: &BTreeMap::new(),
        excluded: &everyone,
        now: monday_noon(),
    });
    assert_eq!(rotated.decision.chosen.as_deref(), Some("d"));
    let all: BTreeSet<String> = ["a", "b", "c", "d"].map(String::from).into();
    let none = rotate(&RotationInput {
        team: &team,
        pool: &pool,
        attributes: &attributes,
        rotation: &BTreeMap::new(),
        open_load: &BTreeMap::new(),
        excluded: &all,
        now: monday_noon(),
    });
    assert_eq!(none.decision.chosen, None);
    assert!(
        none.decision
            .explain(&team)
            .contains("fallback (Sales team)")
    );
}

#[test]
fn a_new_member_joins_at_the_pools_level() {
    let team = four_reps("");
    let attributes = LeadAttributes::default();
    let pool = choose_pool(&team, &attributes);
    // a, b, c have served 10 leads each; d was just added.
    let rotation: BTreeMap<String, RotationSlot> = ["a", "b", "c"]
        .map(|id| {
            (
                id.to_string(),
                RotationSlot {
                    load: 10 * ROTATION_SCALE,
                },
            )
        })
        .into();
    let mut state = rotation;
    let mut order = Vec::new();
    for _ in 0..8 {
        let rotated = rotate(&RotationInput {
            team: &team,
            pool: &pool,
            attributes: &attributes,
            rotation: &state,
            open_load: &BTreeMap::new(),
            excluded: &BTreeSet::new(),
            now: monday_noon(),
        });
        state = rotated.rotation;
        order.push(rotated.decision.chosen.unwrap());
    }
    assert_eq!(order, ["a", "b", "c", "d", "a", "b", "c", "d"]);
}

#[test]
fn a_rep_who_left_the_pool_and_came_back_does_not_jump_the_queue() {
    let team = four_reps("");
    let attributes = LeadAttributes::default();
    let pool = choose_pool(&team, &attributes);
    // a, b, c served 10 leads each while d was out of the pool; d's slot is where d left it.
    let mut state: BTreeMap<String, RotationSlot> = [("a", 10), ("b", 10), ("c", 10), ("d", 2)]
        .map(|(id, leads)| {
            (
                id.to_string(),
                RotationSlot {
                    load: leads * ROTATION_SCALE,
                },
            )
        })
        .into();
    let mut order = Vec::new();
    for _ in 0..8 {
        let rotated = rotate(&RotationInput {
            team: &team,
            pool: &pool,
            attributes: &attributes,
            rotation: &state,
            open_load: &BTreeMap::new(),
            excluded: &BTreeSet::new(),
            now: monday_noon(),
        });
        state = rotated.rotation;
        order.push(rotated.decision.chosen.unwrap());
    }
    assert_eq!(order, ["d", "a", "b", "c", "d", "a", "b", "c"]);
}

/// The attributes of a lead who answered `budget` on a one-question script in `currency`.
fn lead_with_budget(team: &Team, currency: &str, budget: &str) -> LeadAttributes {
    let source = format!(
        "id = \"q\"\nversion = 1\nlocale = \"en\"\ncurrency = \"{currency}\"\ngreeting = \"Hi\"\n\
         required = []\niql_requires = []\n[thresholds]\nmql = 10\nsql = 20\n\
         [[steps]]\nid = \"budget\"\ncriterion = \"budget\"\nask = \"Budget?\"\nexpect = \"money\"\n\
         period = \"year\"\n"
    );
    let script = crate::script::parse(&source, Path::new("q.toml")).unwrap();
    let at = DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z").unwrap();
    let turn = crate::engine::start(&script, at);
    let input = crate::engine::Input::Text(budget.into());
    let turn = crate::engine::step(&script, turn.state, &input, at);
    LeadAttributes::of(&turn.state, &script, team)
}

const BANDS_IN_USD: &str = r#"
[budget_bands]
smb = 0
mid = 15_000
enterprise = 50_000

[currencies]
KRW = 0.00068
EUR = 1.08
"#;

#[test]
fn budget_bands_compare_the_budget_in_the_band_currency() {
    let team = four_reps(BANDS_IN_USD);
    assert_eq!(
        team.budget_currency, "USD",
        "USD when the file does not say"
    );
    let korean = lead_with_budget(&team, "KRW", "5천만 원 a year");
    assert_eq!(korean.budget(), Some(34_000.0));
    assert_eq!(korean.first("budget_band"), Some("mid"));
    assert_eq!(
        korean.budget_note.as_deref(),
        Some("KRW 50,000,000 a year ≈ USD 34,000 (budget_band mid)")
    );
    let euro = lead_with_budget(&team, "EUR", "€50,000 a year");
    assert_eq!(euro.budget(), Some(54_000.0));
    assert_eq!(euro.first("budget_band"), Some("enterprise"));
    let dollars = lead_with_budget(&team, "USD", "$20,000 a year");
    assert_eq!(dollars.first("budget_band"), Some("mid"));
    assert_eq!(
        dollars.budget_note.as_deref(),
        Some("USD 20,000 a year (budget_band mid)")
    );
}

#[test]
fn the_band_currency_can_be_another_one() {
    let team =
        four_reps("[budget_bands]\ncurrency = \"EUR\"\nbig = 50_000\n[currencies]\nUSD = 0.93\n");
    let lead = lead_with_budget(&team, "USD", "$60,000 a year");
    assert_eq!(lead.budget(), Some(55_800.0));
    assert_eq!(lead.first("budget_band"), Some("big"));
}

#[test]
fn a_budget_in_a_currency_without_a_rate_gets_no_band_and_says_why() {
    let team = four_reps(&format!(
        "{BANDS_IN_USD}\n[[rules]]\nwhen = \"budget >= 0\"\npool = \"default\"\n"
    ));
    let lead = lead_with_budget(&team, "GBP", "£60,000 a year");
    assert_eq!(lead.budget(), None);
    assert_eq!(lead.first("budget_band"), None);
    assert_eq!(lead.budget_currency.as_deref(), Some("GBP"));
    assert_eq!(
        lead.budget_note.as_deref(),
        Some(
            "GBP 60,000 a year: no exchange rate to USD in the reps file, so no budget and no \
             budget_band for routing"
        )
    );
    assert_eq!(
        choose_pool(&team, &lead).rule,
        None,
        "budget >= 0 does not hold"
    );
}

#[test]
fn rule_amounts_compare_in_the_band_currency() {
    let team = four_reps(&format!(
        "{BANDS_IN_USD}\n[[pools]]\nid = \"big\"\n[[pools]]\nid = \"euro\"\n[[pools]]\nid = \"default\"\n\
         [[rules]]\nwhen = \"budget >= 30000 EUR\"\npool = \"euro\"\n\
         [[rules]]\nwhen = \"budget >= 20000\"\npool = \"big\"\n"
    ));
    let pool = |currency: &str, budget: &str| {
        choose_pool(&team, &lead_with_budget(&team, currency, budget)).pool
    };
    assert_eq!(pool("KRW", "2천만 원 a year"), "default", "USD 13,600");
    assert_eq!(pool("KRW", "3천만 원 a year"), "big", "USD 20,400");
    assert_eq!(
        pool("KRW", "5천만 원 a year"),
        "euro",
        "USD 34,000 ≥ EUR 30,000 = USD 32,400"
    );
    assert_eq!(pool("USD", "$32,000 a year"), "big");
    assert_eq!(pool("EUR", "€30,000 a year"), "euro");
}

#[test]
fn a_korean_lead_with_fifty_million_won_reaches_the_korea_pool_with_the_shipped_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = crate::script::load_file(&root.join("conversations/saas-ko.toml")).unwrap();
    let scripts = crate::script::load_all(&[root.join("conversations")]).unwrap();
    let team = reps::load(&root.join("reps.toml"), &scripts).unwrap();
    let at = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+09:00").unwrap();
    let mut turn = crate::engine::start(&script, at);
    for answer in [
        "김민수",
        "에이씨엠이",
        "1",
        "30",
        "5천만 원",
        "연간",
        "다음 달",
        "네",
        "minsu@acme.co.kr",
        "서울",
    ] {
        let input = crate::engine::Input::Text(answer.into());
        turn = crate::engine::step(&script, turn.state, &input, at);
    }
    assert_eq!(turn.state.stage, crate::engine::state::Stage::Sql);
    let attributes = LeadAttributes::of(&turn.state, &script, &team);
    assert_eq!(attributes.budget(), Some(34_000.0));
    assert_eq!(attributes.first("budget_band"), Some("mid"));
    let pool = choose_pool(&team, &attributes);
    assert_eq!(pool.pool, "korea");
    assert_eq!(pool.rule.as_deref(), Some("language = ko"));
}

#[test]
fn a_choice_stored_as_a_contact_field_is_its_option_value() {
    let script = crate::script::parse(
        "id = \"q\"\nversion = 1\nlocale = \"en\"\ngreeting = \"Hi\"\nrequired = []\n\
         iql_requires = []\n[thresholds]\nmql = 10\nsql = 20\n\
         [[steps]]\nid = \"location\"\ncriterion = \"contact\"\nask = \"Where?\"\n\
         expect = \"choice\"\nstore_as = \"region\"\n\
         options = [{ value = \"eu\", label = \"Europe\" }, { value = \"na\", label = \"North America\" }]\n",
        Path::new("q.toml"),
    )
    .unwrap();
    let at = DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z").unwrap();
    let turn = crate::engine::start(&script, at);
    let input = crate::engine::Input::Text("Europe".into());
    let turn = crate::engine::step(&script, turn.state, &input, at);
    let attributes = LeadAttributes::of(&turn.state, &script, &four_reps(""));
    assert_eq!(
        attributes.first("region"),
        Some("eu"),
        "rules and rep filters name values"
    );
    assert_eq!(attributes.first("location"), Some("eu"));
}

#[test]
fn a_romanian_lead_in_bucharest_reaches_the_romanian_rep_with_the_shipped_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scripts = crate::script::load_all(&[root.join("conversations")]).unwrap();
    let script = scripts
        .iter()
        .find(|script| script.id == "saas-ro")
        .unwrap();
    let team = reps::load(&root.join("reps.toml"), &scripts).unwrap();
    let at = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+02:00").unwrap();
    let mut turn = crate::engine::start(script, at);
    for answer in [
        "Andreea Popescu",
        "Acme SRL",
        "1",
        "30",
        "100.000 de lei pe an",
        "luna viitoare",
        "da",
        "andreea@acme.ro",
        "București",
    ] {
        let input = crate::engine::Input::Text(answer.into());
        turn = crate::engine::step(script, turn.state, &input, at);
    }
    assert_eq!(turn.state.stage, crate::engine::state::Stage::Sql);
    let attributes = LeadAttributes::of(&turn.state, script, &team);
    assert_eq!(attributes.first("region"), Some("bucharest"));
    let pool = choose_pool(&team, &attributes);
    assert_eq!(pool.pool, "romania");
    let rotated = rotate(&RotationInput {
        team: &team,
        pool: &pool,
        attributes: &attributes,
        rotation: &BTreeMap::new(),
        open_load: &BTreeMap::new(),
        excluded: &BTreeSet::new(),
        now: at.with_timezone(&Utc),
    });
    assert_eq!(
        rotated.decision.chosen.as_deref(),
        Some("ioana"),
        "{}",
        rotated.decision.explain(&team)
    );
}
