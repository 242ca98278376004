//! Purpose: the sales team as data — reps (contacts, languages, regions, deal sizes, weights,
//! capacity, hours), pools, and the ordered rules that send a lead to a pool — loaded from an
//! admin-edited TOML file and validated with `file:line:column` diagnostics, like scripts.

pub mod hours;
mod known;
mod raw;
pub mod reach;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use toml::Spanned;

pub use reach::{ChannelsAvailable, Recipient, Unreachable, unreachable_recipients};

pub use hours::{Availability, Unavailable};
pub use known::KnownAttributes;

use crate::script::{Diagnostic, Script};

/// Default pool name when the file does not name one.
pub const DEFAULT_POOL: &str = "default";

/// Step ids that mean "how big is the company" in the shipped scripts and common practice: the
/// first one answered is a lead's `company_size`.
pub const COMPANY_SIZE_STEPS: [&str; 4] = ["company_size", "team_size", "employees", "seats"];

/// The budget bands' currency when `[budget_bands]` does not name one.
pub const DEFAULT_BUDGET_CURRENCY: &str = "USD";

/// The whole team: who sells, in which pools, and how leads reach a pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Team {
    /// Every rep, in file order (the order breaks ties in a rotation).
    pub reps: Vec<Rep>,
    /// Pools by id, in file order.
    pub pools: Vec<Pool>,
    /// Rules, tried in order; the first that matches picks the pool.
    pub rules: Vec<Rule>,
    /// The pool of leads no rule matches.
    pub default_pool: String,
    /// Where a lead goes when nobody in its pool can take it.
    pub fallback: Fallback,
    /// Named budget bands, lowest first: a lead's `budget_band` is the last one it reaches.
    pub budget_bands: Vec<(String, f64)>,
    /// The currency of the budget bands, of rule amounts and of reps' deal sizes (default USD):
    /// a lead's budget is converted into it before it is compared with any of them.
    pub budget_currency: String,
    /// Exchange rates from `[currencies]`: units of `budget_currency` per unit of each other
    /// currency.
    pub currencies: BTreeMap<String, f64>,
}

/// One sales rep.
#[derive(Debug, Clone, PartialEq)]
pub struct Rep {
    /// Stable id, used in rules, pools, the database and commands.
    pub id: String,
    /// Display name (the prospect is told it).
    pub name: String,
    /// Slack user id for DMs.
    pub slack_user: Option<String>,
    /// Discord user id for DMs.
    pub discord_user: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// A personal webhook (a CRM or automation) that receives their hand-offs.
    pub webhook_url: Option<crate::secret::Secret>,
    /// Languages spoken (script locales such as "en", "ko"); empty means any.
    pub languages: Vec<String>,
    /// Regions covered (the lead's `region` answer, e.g. "eu"); empty means any.
    pub regions: Vec<String>,
    /// Industries covered; empty means any.
    pub industries: Vec<String>,
    /// Deal sizes handled (the lead's budget), inclusive; `None` ends are open.
    pub deal_size: (Option<f64>, Option<f64>),
    /// Free text such as "senior", shown in listings.
    pub seniority: Option<String>,
    /// Share of the rotation relative to others (default 1).
    pub weight: u32,
    /// Most open hand-offs (offered or accepted, not closed) at once; `None` means no limit.
    pub capacity: Option<u32>,
    /// Hours and leave.
    pub availability: Availability,
    /// Their booking page (Calendly, Cal.com, HubSpot meetings, Google appointments): a
    /// sales-qualified prospect is offered "Book a time with <rep>".
    pub booking_url: Option<String>,
}

/// A group of reps sharing a rotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    /// Stable id.
    pub id: String,
    /// Members, in rotation order.
    pub reps: Vec<String>,
    /// Minutes a rep has to accept before the lead moves to the next rep.
    pub sla_minutes: Option<u32>,
    /// Where a prospect books a meeting with the pool when its rep has no page of their own.
    pub booking_url: Option<String>,
}

/// "when this holds, use that pool".
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The condition as written, for explanations.
    pub text: String,
    /// All must hold.
    pub conditions: Vec<RuleCondition>,
    /// The pool it sends leads to.
    pub pool: String,
}

/// `<attribute> <op> <value>` on a lead attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleCondition {
    /// The attribute: budget, budget_band, region, industry, language, company_size, script,
    /// score, stage, a contact field or a step id.
    pub attribute: String,
    /// The comparison.
    pub op: crate::script::Comparison,
    /// The value compared with (a number, or text compared case-insensitively).
    pub value: String,
    /// For money: the currency the amount was written in (`budget >= 50000 EUR`); `value` holds
    /// it converted into the team's budget currency, as leads' budgets are.
    pub currency: Option<String>,
}

/// Where leads go when no rep is available.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fallback {
    /// Shown in explanations and notices, e.g. "Sales team".
    pub name: String,
    /// A Slack channel id.
    pub slack_channel: Option<String>,
    /// A Discord channel id.
    pub discord_channel: Option<String>,
    /// A shared mailbox.
    pub email: Option<String>,
    /// A webhook.
    pub webhook_url: Option<crate::secret::Secret>,
    /// Where a prospect books a meeting when nobody in particular has the lead.
    pub booking_url: Option<String>,
}

impl Team {
    /// A rep by id.
    pub fn rep(&self, id: &str) -> Option<&Rep> {
        self.reps.iter().find(|rep| rep.id == id)
    }

    /// A pool by id.
    pub fn pool(&self, id: &str) -> Option<&Pool> {
        self.pools.iter().find(|pool| pool.id == id)
    }

    /// An amount of `currency` in the budget currency; `None` without a rate for it.
    pub fn in_budget_currency(&self, amount: f64, currency: &str) -> Option<f64> {
        crate::script::convert_currency(amount, currency, &self.budget_currency, &self.currencies)
    }

    /// The rep whose Slack or Discord user id this is.
    pub fn rep_by_platform_user(&self, platform: &str, user: &str) -> Option<&Rep> {
        self.reps.iter().find(|rep| match platform {
            "slack" => rep.slack_user.as_deref() == Some(user),
            "discord" => rep.discord_user.as_deref() == Some(user),
            _ => false,
        })
    }
}

/// The JSON Schema of the reps file (see [`crate::script::json_schema`]).
pub fn json_schema() -> serde_json::Value {
    crate::script::titled(schemars::schema_for!(raw::RawTeam), "leadbot reps file")
}

/// Why a reps file could not be loaded: the same two ways a script can fail.
pub type RepsError = crate::script::ScriptError;

/// Reads and validates a reps file against the scripts leads are qualified on (see
/// [`parse_for`]).
pub fn load(path: &Path, scripts: &[Script]) -> Result<Team, RepsError> {
    let source = crate::script::read_source(path)?;
    parse_for(&source, path, scripts).map_err(RepsError::Invalid)
}

/// Parses and validates a reps file's text on its own — structure, references, hours,
/// currencies — without knowing the scripts; `file` names it in diagnostics.
pub fn parse(source: &str, file: &Path) -> Result<Team, Vec<Diagnostic>> {
    parse_checked(source, file, None)
}

/// Parses and validates a reps file's text, and checks every rule attribute and value and every
/// rep's languages, regions and industries against what `scripts` can give a lead, so a typo is
/// an error rather than a rule that never matches.
pub fn parse_for(source: &str, file: &Path, scripts: &[Script]) -> Result<Team, Vec<Diagnostic>> {
    parse_checked(source, file, Some(scripts))
}

fn parse_checked(
    source: &str,
    file: &Path,
    scripts: Option<&[Script]>,
) -> Result<Team, Vec<Diagnostic>> {
    let at = |span: std::ops::Range<usize>, message: String| {
        let (line, column) = crate::script::line_and_column(source, span.start);
        Diagnostic {
            file: file.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let raw: raw::RawTeam = toml::from_str(source).map_err(|error| {
        vec![at(
            error.span().unwrap_or(0..0),
            error.message().trim().to_string(),
        )]
    })?;
    let mut problems = Vec::new();
    let context = Context { source, scripts };
    let team = validate(raw, &context, &mut |span, message| {
        problems.push(at(span, message));
    });
    problems.sort_by_key(|problem| (problem.line, problem.column));
    if problems.is_empty() {
        Ok(team)
    } else {
        Err(problems)
    }
}

type Report<'a> = dyn FnMut(std::ops::Range<usize>, String) + 'a;

/// What validation reads besides the parsed file.
struct Context<'a> {
    /// The file's text, to point inside a rule's `when` string.
    source: &'a str,
    /// The scripts leads are qualified on, when known.
    scripts: Option<&'a [Script]>,
}

impl Context<'_> {
    /// The span of the text `offset` bytes into a string value at `span`, when the string is
    /// written without escapes (so text and source line up); the whole value otherwise.
    fn inside(
        &self,
        span: &std::ops::Range<usize>,
        text: &str,
        offset: usize,
    ) -> std::ops::Range<usize> {
        let start = span.start + 1;
        match self.source.get(start..start + text.len()) {
            Some(written) if written == text => start + offset..span.end,
            _ => span.clone(),
        }
    }
}

fn validate(raw: raw::RawTeam, context: &Context<'_>, problem: &mut Report<'_>) -> Team {
    let mut reps = Vec::new();
    let mut rep_ids = BTreeSet::new();
    let mut filters: Vec<(Vec<Spanned<String>>, &str)> = Vec::new();
    for spanned in raw.reps {
        let span = spanned.span();
        let rep = spanned.into_inner();
        if !valid_id(rep.id.get_ref()) {
            problem(
                rep.id.span(),
                format!(
                    "rep id {:?} must be letters, digits, _ and -",
                    rep.id.get_ref()
                ),
            );
        }
        if !rep_ids.insert(rep.id.get_ref().clone()) {
            problem(
                rep.id.span(),
                format!("rep {:?} is defined twice", rep.id.get_ref()),
            );
        }
        if rep.name.trim().is_empty() {
            problem(
                span.clone(),
                format!("rep {:?} needs a name", rep.id.get_ref()),
            );
        }
        if rep.slack_user.is_none()
            && rep.discord_user.is_none()
            && rep.email.is_none()
            && rep.webhook_url.is_none()
        {
            problem(
                span.clone(),
                format!(
                    "rep {:?} has no way to be reached (slack_user, discord_user, email or webhook_url)",
                    rep.id.get_ref()
                ),
            );
        }
        let weight = match rep.weight {
            Some(weight) if !(1..=100).contains(weight.get_ref()) => {
                problem(weight.span(), "weight must be between 1 and 100".into());
                1
            }
            Some(weight) => u32::try_from(*weight.get_ref()).unwrap_or(1),
            None => 1,
        };
        let capacity = match rep.capacity {
            Some(capacity) if *capacity.get_ref() < 1 => {
                problem(capacity.span(), "capacity must be at least 1 (remove the rep from pools to stop routing to them)".into());
                None
            }
            Some(capacity) => u32::try_from(*capacity.get_ref()).ok(),
            None => None,
        };
        let deal_size = match rep.deal_size {
            Some(range) => {
                let (min, max) = (range.get_ref().min, range.get_ref().max);
                if let (Some(min), Some(max)) = (min, max)
                    && max < min
                {
                    problem(range.span(), "deal_size max is below min".into());
                }
                (min, max)
            }
            None => (None, None),
        };
        let time_zone = match &rep.time_zone {
            Some(zone) => zone.get_ref().parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
                problem(
                    zone.span(),
                    format!(
                        "{:?} is not an IANA time zone (e.g. \"Europe/Bucharest\")",
                        zone.get_ref()
                    ),
                );
                chrono_tz::UTC
            }),
            None => {
                if !rep.hours.is_empty() {
                    problem(
                        span.clone(),
                        format!("rep {:?} has hours but no time_zone", rep.id.get_ref()),
                    );
                }
                chrono_tz::UTC
            }
        };
        let mut weekly = Vec::new();
        for text in &rep.hours {
            match hours::parse_hours(text.get_ref()) {
                Ok(span) => weekly.push(span),
                Err(message) => problem(text.span(), message),
            }
        }
        let mut leave = Vec::new();
        for text in &rep.out_of_office {
            match hours::parse_dates(text.get_ref()) {
                Ok(range) => leave.push(range),
                Err(message) => problem(text.span(), message),
            }
        }
        let lower = |values: Vec<Spanned<String>>| {
            values
                .into_iter()
                .map(|value| value.get_ref().trim().to_lowercase())
                .collect()
        };
        filters.push((rep.languages.clone(), "language"));
        filters.push((rep.regions.clone(), "region"));
        filters.push((rep.industries.clone(), "industry"));
        reps.push(Rep {
            id: rep.id.into_inner(),
            name: rep.name.trim().to_string(),
            slack_user: rep.slack_user,
            discord_user: rep.discord_user,
            email: rep.email,
            webhook_url: rep.webhook_url,
            booking_url: booking_url(rep.booking_url.as_ref(), problem),
            languages: lower(rep.languages),
            regions: lower(rep.regions),
            industries: lower(rep.industries),
            deal_size,
            seniority: rep.seniority,
            weight,
            capacity,
            availability: Availability {
                time_zone,
                hours: weekly,
                out_of_office: leave,
            },
        });
    }
    let default_pool = raw
        .default_pool
        .as_ref()
        .map_or_else(|| DEFAULT_POOL.to_string(), |pool| pool.get_ref().clone());
    let mut pools: Vec<Pool> = Vec::new();
    for spanned in raw.pools {
        let pool = spanned.into_inner();
        if pools.iter().any(|known| &known.id == pool.id.get_ref()) {
            problem(
                pool.id.span(),
                format!("pool {:?} is defined twice", pool.id.get_ref()),
            );
        }
        let members = match pool.reps {
            Some(members) => {
                let mut ids = Vec::new();
                for member in members {
                    if !rep_ids.contains(member.get_ref()) {
                        problem(
                            member.span(),
                            format!(
                                "pool {:?} names unknown rep {:?}",
                                pool.id.get_ref(),
                                member.get_ref()
                            ),
                        );
                    } else if ids.contains(member.get_ref()) {
                        problem(
                            member.span(),
                            format!("rep {:?} is listed twice", member.get_ref()),
                        );
                    } else {
                        ids.push(member.into_inner());
                    }
                }
                ids
            }
            None => reps.iter().map(|rep| rep.id.clone()).collect(),
        };
        let sla_minutes = match pool.sla_minutes {
            Some(sla) if !(1..=10_080).contains(sla.get_ref()) => {
                problem(
                    sla.span(),
                    "sla_minutes must be between 1 and 10080 (a week)".into(),
                );
                None
            }
            Some(sla) => u32::try_from(*sla.get_ref()).ok(),
            None => None,
        };
        pools.push(Pool {
            id: pool.id.into_inner(),
            reps: members,
            sla_minutes,
            booking_url: booking_url(pool.booking_url.as_ref(), problem),
        });
    }
    if pools.iter().all(|pool| pool.id != default_pool) {
        match &raw.default_pool {
            Some(named) if !pools.is_empty() || named.get_ref() != DEFAULT_POOL => {
                problem(
                    named.span(),
                    format!("default_pool {:?} is not a defined pool", named.get_ref()),
                );
            }
            _ => pools.push(Pool {
                id: default_pool.clone(),
                reps: reps.iter().map(|rep| rep.id.clone()).collect(),
                sla_minutes: None,
                booking_url: None,
            }),
        }
    }
    let budget_currency = match &raw.budget_bands.currency {
        Some(code) => {
            if let Some(message) = crate::script::unknown_currency(code.get_ref()) {
                problem(code.span(), message);
            }
            code.get_ref().clone()
        }
        None => DEFAULT_BUDGET_CURRENCY.to_string(),
    };
    let currencies = crate::script::exchange_rates(
        &raw.currencies,
        &budget_currency,
        "the budget bands' currency",
        &mut *problem,
    );
    let mut budget_bands: Vec<(String, f64)> = raw
        .budget_bands
        .bands
        .into_iter()
        .map(|(name, at_least)| (name, *at_least.get_ref()))
        .collect();
    budget_bands.sort_by(|a, b| a.1.total_cmp(&b.1));
    let known = context
        .scripts
        .map(|scripts| KnownAttributes::of(scripts, &budget_bands));
    if let Some(known) = &known {
        for (values, attribute) in &filters {
            for value in values {
                if let Some(message) = known.check_filter(attribute, value.get_ref()) {
                    problem(value.span(), message);
                }
            }
        }
    }
    let mut rules = Vec::new();
    for spanned in raw.rules {
        let rule = spanned.into_inner();
        if pools.iter().all(|pool| &pool.id != rule.pool.get_ref()) {
            problem(
                rule.pool.span(),
                format!("rule sends leads to unknown pool {:?}", rule.pool.get_ref()),
            );
        }
        let parsed = match parse_conditions(rule.when.get_ref()) {
            Ok(parsed) => parsed,
            Err(message) => {
                problem(rule.when.span(), message);
                continue;
            }
        };
        let mut conditions = Vec::new();
        for (offset, condition) in parsed {
            let checked = match known
                .as_ref()
                .and_then(|known| known.check_condition(&condition))
            {
                Some(message) => Err(message),
                None => in_budget_currency(condition, &budget_currency, &currencies),
            };
            match checked {
                Ok(condition) => conditions.push(condition),
                Err(message) => problem(
                    context.inside(&rule.when.span(), rule.when.get_ref(), offset),
                    message,
                ),
            }
        }
        rules.push(Rule {
            text: rule.when.get_ref().trim().to_string(),
            conditions,
            pool: rule.pool.into_inner(),
        });
    }
    let fallback = raw.fallback.map_or_else(
        || Fallback {
            name: "Sales team".into(),
            ..Fallback::default()
        },
        |fallback| Fallback {
            name: fallback.name.unwrap_or_else(|| "Sales team".into()),
            slack_channel: fallback.slack_channel,
            discord_channel: fallback.discord_channel,
            email: fallback.email,
            webhook_url: fallback.webhook_url,
            booking_url: booking_url(fallback.booking_url.as_ref(), problem),
        },
    );
    Team {
        reps,
        pools,
        rules,
        default_pool,
        fallback,
        budget_bands,
        budget_currency,
        currencies,
    }
}

/// A condition whose amount names a currency (`budget >= 50000 EUR`), with the amount
/// converted into the budget currency, which is what leads' budgets are compared in.
fn in_budget_currency(
    mut condition: RuleCondition,
    budget_currency: &str,
    currencies: &BTreeMap<String, f64>,
) -> Result<RuleCondition, String> {
    let Some(code) = &condition.currency else {
        return Ok(condition);
    };
    if let Some(message) = crate::script::unknown_currency(code) {
        return Err(message);
    }
    let amount: f64 = condition
        .value
        .parse()
        .map_err(|_| format!("{:?} is not an amount of {code}", condition.value))?;
    let converted = crate::script::convert_currency(amount, code, budget_currency, currencies)
        .ok_or_else(|| {
            format!("no exchange rate for {code} in [currencies] (rates into {budget_currency})")
        })?;
    condition.value = converted.to_string();
    Ok(condition)
}

/// Parses "budget >= 50000 USD and region = eu", each condition with its byte offset in `text`.
fn parse_conditions(text: &str) -> Result<Vec<(usize, RuleCondition)>, String> {
    let mut conditions = Vec::new();
    let mut offset = 0;
    for part in text.split(" and ") {
        let start = offset + (part.len() - part.trim_start().len());
        offset += part.len() + " and ".len();
        let parsed = crate::script::parse_condition(part.trim())?;
        let mut value = parsed.value;
        let mut currency = None;
        if let Some((amount, code)) = value.rsplit_once(' ')
            && code.len() == 3
            && code.chars().all(|c| c.is_ascii_uppercase())
        {
            currency = Some(code.to_string());
            value = amount.trim().to_string();
        }
        let digits = value.replace(['_', ','], "");
        if digits.parse::<f64>().is_ok() {
            value = digits;
        }
        let condition = RuleCondition {
            attribute: parsed.step,
            op: parsed.op,
            value,
            currency,
        };
        conditions.push((start, condition));
    }
    Ok(conditions)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(crate::script::is_id_char)
}

/// Each pool's members in a stable map, for listings.
pub fn pools_of(team: &Team) -> BTreeMap<String, Vec<String>> {
    let mut of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pool in &team.pools {
        for rep in &pool.reps {
            of.entry(rep.clone()).or_default().push(pool.id.clone());
        }
    }
    of
}

#[cfg(test)]
mod tests;

/// A `booking_url` as written: an `https://` (or `http://`) address without spaces, or a
/// problem at its place in the file.
fn booking_url(raw: Option<&Spanned<String>>, problem: &mut Report<'_>) -> Option<String> {
    let raw = raw?;
    let url = raw.get_ref().trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.contains(char::is_whitespace) || url.len() <= "https://".len() {
        problem(
            raw.span(),
            format!(
                "booking_url {url:?} must be an https:// address (a Calendly, Cal.com, HubSpot or Google booking page)"
            ),
        );
        return None;
    }
    Some(url.to_string())
}
