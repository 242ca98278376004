//! Purpose: decide who gets a sales-qualified lead — the first matching rule picks a pool, then
//! a weighted rotation picks the rep whose turn it is among those who can take it now. Pure:
//! the rotation's state and the reps' open loads come in, the decision and the new rotation
//! state go out, and the store applies them atomically.

mod attributes;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use attributes::LeadAttributes;

use crate::reps::{Pool, Rep, Team};

/// One full turn of the rotation, in load units: a rep of weight `w` advances by
/// `ROTATION_SCALE / w` per lead. Divisible by every weight from 1 to 16.
pub const ROTATION_SCALE: i64 = 720_720;

/// Which pool a lead goes to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolChoice {
    /// The pool.
    pub pool: String,
    /// The rule that matched, as written; `None` for the default pool.
    pub rule: Option<String>,
}

/// The first rule whose conditions all hold; the default pool otherwise.
pub fn choose_pool(team: &Team, attributes: &LeadAttributes) -> PoolChoice {
    team.rules
        .iter()
        .find(|rule| {
            rule.conditions
                .iter()
                .all(|condition| attributes.holds(condition))
        })
        .map_or_else(
            || PoolChoice {
                pool: team.default_pool.clone(),
                rule: None,
            },
            |rule| PoolChoice {
                pool: rule.pool.clone(),
                rule: Some(rule.text.clone()),
            },
        )
}

/// What the rotation knows about one pool member, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationSlot {
    /// Virtual time served: grows by `ROTATION_SCALE / weight` per lead.
    pub load: i64,
}

/// Why a rep was passed over for a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    /// Outside working hours or out of office.
    Unavailable(String),
    /// Already has `open` open hand-offs, the capacity.
    AtCapacity {
        /// Open hand-offs now.
        open: i64,
        /// The rep's limit.
        capacity: u32,
    },
    /// Does not cover the lead's language, region, industry or deal size.
    NotAMatch(String),
    /// Passed on this lead already, or let it time out.
    AlreadyOffered,
    /// Named in the pool but not in the reps file any more.
    UnknownRep,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Unavailable(why) => f.write_str(why),
            Skip::AtCapacity { open, capacity } => {
                write!(f, "at capacity ({open} open hand-offs of {capacity})")
            }
            Skip::NotAMatch(why) => f.write_str(why),
            Skip::AlreadyOffered => f.write_str("already had this lead (passed or timed out)"),
            Skip::UnknownRep => f.write_str("not in the reps file"),
        }
    }
}

/// One pool member's verdict for a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Considered {
    /// The rep id.
    pub rep: String,
    /// `None` when the rep could take the lead.
    pub skipped: Option<Skip>,
}

/// The lead's owner, asked before the rules ("existing owner", as routing tools call it): a
/// returning lead goes back to the rep who accepted it, not to whoever's turn it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerStep {
    /// The owner's rep id.
    pub rep: String,
    /// `None` when the owner takes the lead; otherwise why the rules decide instead.
    pub skipped: Option<Skip>,
}

/// The existing-owner step: `None` for a lead nobody owns. The owner takes the lead unless they
/// left the reps file, are on leave, or already passed on (or let time out) this hand-off;
/// working hours and capacity do not matter — the lead is theirs, and the notice waits for
/// them.
pub fn existing_owner(
    team: &Team,
    owner: Option<&str>,
    excluded: &BTreeSet<String>,
    now: DateTime<Utc>,
) -> Option<OwnerStep> {
    let owner = owner?;
    let skipped = match team.rep(owner) {
        None => Some(Skip::UnknownRep),
        Some(_) if excluded.contains(owner) => Some(Skip::AlreadyOffered),
        Some(rep) => match rep.availability.check(now) {
            Err(away @ crate::reps::Unavailable::OutOfOffice { .. }) => {
                Some(Skip::Unavailable(away.to_string()))
            }
            _ => None,
        },
    };
    Some(OwnerStep {
        rep: owner.to_string(),
        skipped,
    })
}

/// The decision that gives the lead to its owner (see [`existing_owner`]): no rotation turn is
/// spent, and the pool the rules would have chosen gives the SLA.
pub fn to_owner(team: &Team, pool: PoolChoice, owner: OwnerStep) -> Decision {
    let sla_minutes = team.pool(&pool.pool).and_then(|found| found.sla_minutes);
    Decision {
        pool,
        considered: Vec::new(),
        chosen: Some(owner.rep.clone()),
        sla_minutes,
        owner: Some(owner),
    }
}

/// The whole decision, stored with the assignment and shown by `route --explain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The existing-owner step, for a lead someone owns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<OwnerStep>,
    /// The pool and the rule that chose it.
    pub pool: PoolChoice,
    /// Every member, in rotation order, with why they were skipped.
    pub considered: Vec<Considered>,
    /// The rep chosen; `None` sends the lead to the fallback team.
    pub chosen: Option<String>,
    /// The pool's SLA in minutes.
    pub sla_minutes: Option<u32>,
}

impl Decision {
    /// One line: who got the lead, from which pool (`leadbot route` without `--explain`).
    pub fn summary(&self, team: &Team) -> String {
        if let Some(owner) = self.chosen_owner() {
            return format!(
                "to {}, the lead's existing owner",
                rep_name(team, &owner.rep)
            );
        }
        let to = match &self.chosen {
            Some(rep) => team
                .rep(rep)
                .map_or_else(|| rep.clone(), |found| format!("{} ({rep})", found.name)),
            None => format!("nobody available → {}", team.fallback.name),
        };
        let skipped = self
            .considered
            .iter()
            .filter(|considered| considered.skipped.is_some())
            .count();
        format!(
            "to {to}, pool {}; {skipped} of {} skipped (--explain says why)",
            self.pool.pool,
            self.considered.len()
        )
    }

    /// A readable account: rule, pool, each rep's verdict, the choice.
    pub fn explain(&self, team: &Team) -> String {
        let mut lines = Vec::new();
        if let Some(owner) = &self.owner {
            let verdict = match &owner.skipped {
                None => "CHOSEN (existing owner)".to_string(),
                Some(skip) => format!("skipped: {skip}; the rules decide"),
            };
            lines.push(format!(
                "owner:   {} owns this lead → {verdict}",
                rep_name(team, &owner.rep)
            ));
        }
        if let Some(owner) = self.chosen_owner() {
            lines.push(format!("chosen:  {} (existing owner)", owner.rep));
            return lines.join("\n");
        }
        lines.push(match &self.pool.rule {
            Some(rule) => format!("rule:    \"{rule}\" → pool {}", self.pool.pool),
            None => format!("rule:    none matched → default pool {}", self.pool.pool),
        });
        for considered in &self.considered {
            let name = team
                .rep(&considered.rep)
                .map_or(considered.rep.as_str(), |rep| rep.name.as_str());
            let verdict = match (&considered.skipped, &self.chosen) {
                (Some(skip), _) => format!("skipped: {skip}"),
                (None, Some(chosen)) if chosen == &considered.rep => "CHOSEN (their turn)".into(),
                (None, _) => "available, not their turn".into(),
            };
            lines.push(format!("  {:<12} {:<20} {verdict}", considered.rep, name));
        }
        lines.push(match &self.chosen {
            Some(rep) => format!("chosen:  {rep}"),
            None => format!(
                "chosen:  nobody available → fallback ({})",
                team.fallback.name
            ),
        });
        lines.join("\n")
    }
}

impl Decision {
    /// The owner step, when it gave the lead to the owner.
    fn chosen_owner(&self) -> Option<&OwnerStep> {
        self.owner
            .as_ref()
            .filter(|owner| owner.skipped.is_none() && self.chosen.as_ref() == Some(&owner.rep))
    }
}

/// "Sam Rivera (sam)", or the id alone for a rep the file no longer has.
fn rep_name(team: &Team, id: &str) -> String {
    team.rep(id)
        .map_or_else(|| id.to_string(), |rep| format!("{} ({id})", rep.name))
}

/// Everything the rotation needs to pick a rep in one pool.
#[derive(Debug, Clone)]
pub struct RotationInput<'a> {
    /// The team.
    pub team: &'a Team,
    /// The pool chosen for the lead.
    pub pool: &'a PoolChoice,
    /// The lead.
    pub attributes: &'a LeadAttributes,
    /// The stored rotation of the pool, by rep id (new members are missing).
    pub rotation: &'a BTreeMap<String, RotationSlot>,
    /// Open hand-offs per rep.
    pub open_load: &'a BTreeMap<String, i64>,
    /// Reps who already passed on this lead or let it time out.
    pub excluded: &'a BTreeSet<String>,
    /// The moment of the decision.
    pub now: DateTime<Utc>,
}

/// The decision and the pool's rotation after it (every member's new slot).
#[derive(Debug, Clone, PartialEq)]
pub struct Rotated {
    /// Who gets the lead and why.
    pub decision: Decision,
    /// The rotation to store.
    pub rotation: BTreeMap<String, RotationSlot>,
}

/// Picks the rep whose turn it is: among reps who can take the lead now, the one whose load
/// after one more lead would be lowest (weights make heavier reps advance slower); ties go to
/// rotation order. A rep skipped for hours, leave or capacity keeps their place — their turn
/// comes back — but catches up at most one lead, so a return from leave is not a flood. A new
/// member joins at the pool's current level, so team edits neither reset nor skew the rotation.
pub fn rotate(input: &RotationInput<'_>) -> Rotated {
    let empty = Pool {
        id: input.pool.pool.clone(),
        reps: Vec::new(),
        sla_minutes: None,
        booking_url: None,
    };
    let pool = input.team.pool(&input.pool.pool).unwrap_or(&empty);
    let floor_of_known = input
        .rotation
        .iter()
        .filter(|(rep, _)| pool.reps.contains(rep))
        .map(|(_, slot)| slot.load)
        .min()
        .unwrap_or(0);
    // A member whose stored slot lags the others by more than one lead left the pool (a
    // reps file edit) and came back: they rejoin one lead behind, never jumping the queue.
    let lowest_other = |rep: &str| {
        input
            .rotation
            .iter()
            .filter(|(id, _)| id.as_str() != rep && pool.reps.contains(id))
            .map(|(_, slot)| slot.load)
            .min()
    };
    let mut rotation: BTreeMap<String, RotationSlot> = pool
        .reps
        .iter()
        .map(|rep| {
            let slot = match input.rotation.get(rep) {
                Some(stored) => {
                    let catch_up = input.team.rep(rep).map_or(0, step);
                    let floor = lowest_other(rep).map_or(stored.load, |low| low - catch_up);
                    RotationSlot {
                        load: stored.load.max(floor),
                    }
                }
                None => RotationSlot {
                    load: floor_of_known,
                },
            };
            (rep.clone(), slot)
        })
        .collect();
    let mut considered = Vec::new();
    let mut best: Option<(i64, usize, &Rep)> = None;
    for (order, id) in pool.reps.iter().enumerate() {
        let skipped = match input.team.rep(id) {
            None => Some(Skip::UnknownRep),
            Some(rep) => skip_reason(rep, input),
        };
        if skipped.is_none()
            && let Some(rep) = input.team.rep(id)
        {
            let load = rotation.get(id).map_or(0, |slot| slot.load);
            let finish = load + step(rep);
            if best.is_none_or(|(best_finish, _, _)| finish < best_finish) {
                best = Some((finish, order, rep));
            }
        }
        considered.push(Considered {
            rep: id.clone(),
            skipped,
        });
    }
    let chosen = best.map(|(_, _, rep)| rep);
    if let Some(rep) = chosen {
        if let Some(slot) = rotation.get_mut(&rep.id) {
            slot.load += step(rep);
        }
        let floor = considered
            .iter()
            .filter(|member| member.skipped.is_none())
            .filter_map(|member| rotation.get(&member.rep).map(|slot| slot.load))
            .min()
            .unwrap_or(0);
        for member in &considered {
            if member.rep == rep.id {
                continue;
            }
            let Some(other) = input.team.rep(&member.rep) else {
                continue;
            };
            if let Some(slot) = rotation.get_mut(&member.rep) {
                slot.load = slot.load.max(floor - step(other));
            }
        }
    }
    Rotated {
        decision: Decision {
            owner: None,
            pool: input.pool.clone(),
            considered,
            chosen: chosen.map(|rep| rep.id.clone()),
            sla_minutes: pool.sla_minutes,
        },
        rotation,
    }
}

fn step(rep: &Rep) -> i64 {
    ROTATION_SCALE / i64::from(rep.weight.max(1))
}

fn skip_reason(rep: &Rep, input: &RotationInput<'_>) -> Option<Skip> {
    if input.excluded.contains(&rep.id) {
        return Some(Skip::AlreadyOffered);
    }
    if let Some(why) = mismatch(rep, input.attributes) {
        return Some(Skip::NotAMatch(why));
    }
    let open = input.open_load.get(&rep.id).copied().unwrap_or(0);
    available(rep, open, input.now).err()
}

/// Whether a rep can take a new lead at `now` with `open` open hand-offs: within their hours,
/// not on leave, under capacity. Routing and `reps list` ask the same question here, so a
/// listing never calls "available" someone routing would skip.
pub fn available(rep: &Rep, open: i64, now: DateTime<Utc>) -> Result<(), Skip> {
    rep.availability
        .check(now)
        .map_err(|unavailable| Skip::Unavailable(unavailable.to_string()))?;
    match rep.capacity {
        Some(capacity) if open >= i64::from(capacity) => Err(Skip::AtCapacity { open, capacity }),
        _ => Ok(()),
    }
}

/// Why a rep does not cover this lead; attributes the lead lacks never exclude anyone.
fn mismatch(rep: &Rep, attributes: &LeadAttributes) -> Option<String> {
    let covers = |covered: &[String], attribute: &str, what: &str| {
        let value = attributes.first(attribute)?;
        (!covered.is_empty() && !covered.iter().any(|item| item == value))
            .then(|| format!("does not cover {what} {value:?}"))
    };
    covers(&rep.languages, "language", "language")
        .or_else(|| covers(&rep.regions, "region", "region"))
        .or_else(|| covers(&rep.industries, "industry", "industry"))
        .or_else(|| {
            let budget = attributes.budget()?;
            match rep.deal_size {
                (Some(min), _) if budget < min => {
                    Some(format!("deal size {budget} is below their minimum {min}"))
                }
                (_, Some(max)) if budget > max => {
                    Some(format!("deal size {budget} is above their maximum {max}"))
                }
                _ => None,
            }
        })
}

#[cfg(test)]
mod tests;
