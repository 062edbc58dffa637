//! Portfolio selection: which initiatives a fund should choose within its budget.
//!
//! Given each initiative's total score, its cost in whole euros, whether it is knocked out,
//! and optionally a group (a district), [`select`] returns the set with the **largest sum of
//! totals** whose summed cost stays within the budget, that takes at least
//! `min_per_group` and at most `max_per_group` initiatives of every group when these are
//! given, and that **never includes a knocked-out initiative**. Among sets of equal value it
//! takes the cheapest. The choice is exact (an exact 0/1 knapsack with group limits, solved
//! by branch and bound; see `knapsack.rs`), not a greedy ranking by value per euro.
//!
//! Totals are compared in units of 10⁻⁹ points (each total is rounded to the nearest
//! billionth of a point first, the resolution at which the engine chooses bands), so two
//! sets whose sums differ by less than that count as equal in value.
//!
//! # Reasons
//!
//! Every initiative gets one [`Reason`], decided in this order:
//!
//! 1. `"knocked out"` — it fails a knock-out criterion; it is never chosen.
//! 2. `"chosen"` — it is in the chosen set.
//! 3. `"over budget"` — its cost alone exceeds the budget.
//! 4. `"lower value per euro"` — its value per euro (total ÷ cost) is lower than that of
//!    every chosen initiative, or it would fit in the money left but adds no value (a total
//!    of 0).
//! 5. `"group limit"` — (only with `max_per_group`) its group already has `max_per_group`
//!    chosen initiatives, which together add more value within the budget.
//! 6. `"over budget"` — otherwise: its value per euro is at least that of some chosen
//!    initiative, but its cost exceeds the money left (no room left: the best use of the
//!    budget is another combination).
//!
//! # Example
//!
//! ```
//! use civic_value::analysis::portfolio::{select, Candidate, Reason, SelectOptions};
//!
//! # fn main() -> Result<(), civic_value::Error> {
//! let c = |total: f64, cost: f64| Candidate { total, cost, knocked_out: false, group: None };
//! // Budget 100: A alone is worth 60 for 60; B + C are worth 50 + 45 = 95 for 50 + 50.
//! let s = select(&[c(60.0, 60.0), c(50.0, 50.0), c(45.0, 50.0)], 100.0, &SelectOptions::default())?;
//! assert_eq!(s.chosen, [false, true, true]);
//! assert_eq!((s.cost, s.left), (100, 0));
//! assert_eq!(s.reasons[0], Reason::OverBudget); // 1.0 per euro beats C's 0.9, but no room
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;

use serde::Serialize;

use super::knapsack::{self, Item, Outcome, Problem};
use crate::error::{Error, ErrorKind, Result};
use crate::input::InputValue;

/// The largest cost or budget accepted, in euros (10¹⁵: sums stay exact in `f64`).
pub const MAX_EUROS: f64 = 1e15;
/// The largest total accepted (the engine's totals are 0–100).
pub const MAX_TOTAL: f64 = 1000.0;
/// The most initiatives [`select`] accepts at once.
pub const MAX_CANDIDATES: usize = 1_000_000;
/// Search nodes [`select`] visits before giving up with `input.search_limit`
/// ([`SelectOptions::max_nodes`]): on two cores of a CI machine about ten seconds; realistic
/// funds need a few thousand.
pub const DEFAULT_MAX_NODES: u64 = 20_000_000;

/// Units of value per point of total.
const UNITS_PER_POINT: f64 = 1e9;

/// One initiative offered to the fund.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Its total score (0–100 from the engine; at most [`MAX_TOTAL`]).
    pub total: f64,
    /// What it costs the fund, in whole euros (≥ 0).
    pub cost: f64,
    /// Whether it fails a knock-out (then it is never chosen).
    pub knocked_out: bool,
    /// Its group (e.g. a district); needed when group limits are given.
    pub group: Option<String>,
}

/// Options of [`select`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SelectOptions {
    /// Choose at least this many initiatives of every group (every group that occurs).
    pub min_per_group: Option<u32>,
    /// Choose at most this many initiatives of any group.
    pub max_per_group: Option<u32>,
    /// Stop the exact search after this many nodes ([`DEFAULT_MAX_NODES`] when `None`).
    pub max_nodes: Option<u64>,
}

/// Why an initiative was or was not chosen (see the module documentation for the exact
/// rules and their order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Reason {
    /// In the chosen set.
    #[serde(rename = "chosen")]
    Chosen,
    /// Fails a knock-out criterion.
    #[serde(rename = "knocked out")]
    KnockedOut,
    /// Costs more than the budget alone, or more than the money left although its value per
    /// euro is at least that of some chosen initiative.
    #[serde(rename = "over budget")]
    OverBudget,
    /// Lower value per euro than every chosen initiative (or no value at all).
    #[serde(rename = "lower value per euro")]
    LowerValuePerEuro,
    /// Its group already has `max_per_group` chosen initiatives.
    #[serde(rename = "group limit")]
    GroupLimit,
}

impl Reason {
    /// The reason as text: `"chosen"`, `"knocked out"`, `"over budget"`,
    /// `"lower value per euro"` or `"group limit"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chosen => "chosen",
            Self::KnockedOut => "knocked out",
            Self::OverBudget => "over budget",
            Self::LowerValuePerEuro => "lower value per euro",
            Self::GroupLimit => "group limit",
        }
    }
}

/// The chosen portfolio, with a row per candidate (in input order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// Per candidate: whether it is chosen.
    pub chosen: Vec<bool>,
    /// Per candidate: why (see [`Reason`]).
    pub reasons: Vec<Reason>,
    /// Per candidate: its cost in euros.
    pub costs: Vec<u64>,
    /// Per candidate: total ÷ cost (`+∞` for a free initiative with a positive total, 0 for
    /// a free one with total 0).
    pub value_per_euro: Vec<f64>,
    /// Sum of the chosen totals.
    pub value: f64,
    /// Sum of the chosen costs, in euros.
    pub cost: u64,
    /// The budget, in euros.
    pub budget: u64,
    /// Money left: `budget − cost`.
    pub left: u64,
    /// Nodes the exact search visited (how hard the instance was).
    pub nodes: u64,
}

/// A whole, non-negative number of euros, at most [`MAX_EUROS`].
///
/// # Errors
/// `input.not_finite` (NaN, ±∞), `input.negative`, `input.not_whole_euros` (a fraction of a
/// euro, or above [`MAX_EUROS`]); the error has no path (the caller adds it).
pub fn whole_euros(x: f64) -> std::result::Result<u64, ErrorKind> {
    if !x.is_finite() {
        return Err(ErrorKind::InputNotFinite { got: x });
    }
    if x < 0.0 {
        return Err(ErrorKind::Negative { got: x });
    }
    if x.fract() != 0.0 || x > MAX_EUROS {
        return Err(ErrorKind::NotWholeEuros {
            got: InputValue::Number(x).describe(),
        });
    }
    // A whole number in [0, 1e15] converts exactly.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(x as u64)
}

/// An input value used as a cost (a cost column of a table, an initiative's input): the
/// number it holds or its text spells (`"1500"`), to be checked by [`select`].
///
/// # Errors
/// `input.missing` for a missing value or empty text; `input.not_whole_euros` for a
/// range, an evidence-graded value, a boolean or text that is not a number.
pub fn cost_from_input(value: &InputValue) -> std::result::Result<f64, ErrorKind> {
    match value {
        InputValue::Number(x) => Ok(*x),
        InputValue::Missing => Err(ErrorKind::Required),
        InputValue::Text(t) if t.trim().is_empty() => Err(ErrorKind::Required),
        InputValue::Text(t) => {
            crate::float::parse(t.trim()).ok_or_else(|| ErrorKind::NotWholeEuros {
                got: value.describe(),
            })
        }
        other => Err(ErrorKind::NotWholeEuros {
            got: other.describe(),
        }),
    }
}

/// Choose the initiatives with the largest sum of totals within `budget` (whole euros),
/// never a knocked-out one, with the group limits of `options`. Exact; among sets of equal
/// value the cheapest. Returns the choice with a [`Reason`] per candidate.
///
/// # Errors
/// Paths name the candidate (`rows[3].cost`) or the argument:
/// - `rows[i].cost`: `input.not_finite`, `input.negative`, `input.not_whole_euros`;
/// - `rows[i].total`: `input.not_finite`, `input.negative`, `input.above_max`;
/// - `rows[i].group`: `input.missing` when a group limit is given and the candidate has no
///   group;
/// - `budget`: as a cost;
/// - `min_per_group`: `input.limits_inverted` (above `max_per_group`), `input.infeasible`
///   (a group has too few candidates that are not knocked out and fit the budget, or the
///   cheapest way to meet every minimum costs more than the budget);
/// - `input.too_many` above [`MAX_CANDIDATES`];
/// - `input.search_limit` when the search visits `max_nodes` nodes without proving the best
///   set (only on adversarial instances whose values are almost exactly proportional to
///   their costs).
pub fn select(candidates: &[Candidate], budget: f64, options: &SelectOptions) -> Result<Selection> {
    if candidates.len() > MAX_CANDIDATES {
        return Err(ErrorKind::TooManyRows {
            got: candidates.len(),
            limit: MAX_CANDIDATES,
        }
        .at("rows"));
    }
    let budget = whole_euros(budget).map_err(|k| k.at("budget"))?;
    if let (Some(lo), Some(hi)) = (options.min_per_group, options.max_per_group)
        && lo > hi
    {
        return Err(ErrorKind::InputLimitsInverted { min: lo, max: hi }.at("min_per_group"));
    }
    let grouped = options.min_per_group.is_some() || options.max_per_group.is_some();

    // Validate and convert every candidate.
    let mut costs = Vec::with_capacity(candidates.len());
    let mut units = Vec::with_capacity(candidates.len());
    let mut group_ids: HashMap<&str, usize> = HashMap::new();
    let mut group_names: Vec<&str> = Vec::new();
    let mut groups = Vec::with_capacity(candidates.len());
    for (r, c) in candidates.iter().enumerate() {
        let at = |field: &str| format!("rows[{r}].{field}");
        costs.push(whole_euros(c.cost).map_err(|k| k.at(at("cost")))?);
        units.push(value_units(c.total).map_err(|k| k.at(at("total")))?);
        let g = match (&c.group, grouped) {
            (Some(name), _) => {
                let next = group_names.len();
                let id = *group_ids.entry(name.as_str()).or_insert(next);
                if id == next {
                    group_names.push(name.as_str());
                }
                Some(id)
            }
            (None, true) => return Err(ErrorKind::Required.at(at("group"))),
            (None, false) => None,
        };
        groups.push(g);
    }

    let min = options.min_per_group.unwrap_or(0);
    let max = options.max_per_group.unwrap_or(u32::MAX);
    let limits: Vec<(u32, u32)> = if grouped {
        vec![(min, max); group_names.len()]
    } else {
        Vec::new()
    };
    // Knocked-out candidates are not offered to the solver at all.
    let mut offered = Vec::new();
    let mut items = Vec::new();
    for (r, c) in candidates.iter().enumerate() {
        if c.knocked_out {
            continue;
        }
        offered.push(r);
        items.push(Item {
            value: units.get(r).copied().unwrap_or(0),
            cost: costs.get(r).copied().unwrap_or(0),
            group: if grouped {
                groups.get(r).copied().flatten()
            } else {
                None
            },
        });
    }
    let problem = Problem {
        items: &items,
        capacity: budget,
        limits: &limits,
        max_nodes: options.max_nodes.unwrap_or(DEFAULT_MAX_NODES),
    };
    let (picked, nodes) = match knapsack::solve(&problem) {
        Outcome::Optimal { chosen, nodes } => (chosen, nodes),
        Outcome::Infeasible => {
            return Err(infeasible(&items, &group_names, budget, min));
        }
        Outcome::NodeLimit { nodes } => {
            return Err(ErrorKind::SearchLimit { nodes }.at(""));
        }
    };
    let mut chosen = vec![false; candidates.len()];
    for (&r, &p) in offered.iter().zip(&picked) {
        if let Some(c) = chosen.get_mut(r) {
            *c = p;
        }
    }

    let cost: u64 = costs
        .iter()
        .zip(&chosen)
        .filter(|(_, c)| **c)
        .map(|(x, _)| *x)
        .sum();
    let value: f64 = candidates
        .iter()
        .zip(&chosen)
        .filter(|(_, c)| **c)
        .map(|(x, _)| x.total)
        .sum();
    let left = budget.saturating_sub(cost);

    // Reasons.
    let mut per_group = vec![0u32; group_names.len()];
    let mut least: Option<(u64, u64)> = None; // least efficient chosen (units, cost)
    for (r, _) in chosen.iter().enumerate().filter(|(_, c)| **c) {
        let (v, c) = (
            units.get(r).copied().unwrap_or(0),
            costs.get(r).copied().unwrap_or(0),
        );
        if least.is_none_or(|(lv, lc)| less_efficient(v, c, lv, lc)) {
            least = Some((v, c));
        }
        if let Some(n) = groups
            .get(r)
            .copied()
            .flatten()
            .and_then(|g| per_group.get_mut(g))
        {
            *n += 1;
        }
    }
    let reasons = candidates
        .iter()
        .enumerate()
        .map(|(r, cand)| {
            let (v, c) = (
                units.get(r).copied().unwrap_or(0),
                costs.get(r).copied().unwrap_or(0),
            );
            let full = grouped
                && groups
                    .get(r)
                    .copied()
                    .flatten()
                    .and_then(|g| per_group.get(g))
                    .is_some_and(|&n| n >= max);
            if cand.knocked_out {
                Reason::KnockedOut
            } else if chosen.get(r).copied().unwrap_or(false) {
                Reason::Chosen
            } else if c > budget {
                Reason::OverBudget
            } else if v == 0 || least.is_none_or(|(lv, lc)| less_efficient(v, c, lv, lc)) {
                if least.is_none() && full {
                    Reason::GroupLimit
                } else {
                    Reason::LowerValuePerEuro
                }
            } else if full {
                Reason::GroupLimit
            } else if c > left {
                Reason::OverBudget
            } else {
                Reason::LowerValuePerEuro
            }
        })
        .collect();
    let value_per_euro = candidates
        .iter()
        .zip(&costs)
        .map(|(cand, &c)| match c {
            0 if cand.total > 0.0 => f64::INFINITY,
            0 => 0.0,
            #[allow(clippy::cast_precision_loss)] // c ≤ 1e15: exact
            c => cand.total / c as f64,
        })
        .collect();
    Ok(Selection {
        chosen,
        reasons,
        costs,
        value_per_euro,
        value,
        cost,
        budget,
        left,
        nodes,
    })
}

/// A total in whole units of 10⁻⁹ points.
fn value_units(total: f64) -> std::result::Result<u64, ErrorKind> {
    if !total.is_finite() {
        return Err(ErrorKind::InputNotFinite { got: total });
    }
    if total < 0.0 {
        return Err(ErrorKind::Negative { got: total });
    }
    if total > MAX_TOTAL {
        return Err(ErrorKind::AboveMax {
            max: MAX_TOTAL,
            got: total,
        });
    }
    // In [0, 1e12] after scaling: exact conversion of a rounded value.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok((total * UNITS_PER_POINT).round() as u64)
}

/// Whether value `v` for cost `c` is less per euro than `lv` for `lc` (exact; cost 0 is
/// infinitely efficient unless its value is 0).
fn less_efficient(v: u64, c: u64, lv: u64, lc: u64) -> bool {
    u128::from(v) * u128::from(lc) < u128::from(lv) * u128::from(c)
}

/// Why group minimums cannot be met.
fn infeasible(items: &[Item], names: &[&str], budget: u64, min: u32) -> Error {
    let mut cheapest_total: u128 = 0;
    for (g, name) in names.iter().enumerate() {
        let mut costs: Vec<u64> = items
            .iter()
            .filter(|it| it.group == Some(g) && it.cost <= budget)
            .map(|it| it.cost)
            .collect();
        if costs.len() < min as usize {
            return ErrorKind::Infeasible {
                message: format!(
                    "group \"{name}\" has {} initiative(s) that can be chosen (not knocked out, \
                     within the budget), fewer than min_per_group = {min}",
                    costs.len()
                ),
            }
            .at("min_per_group");
        }
        costs.sort_unstable();
        cheapest_total += costs
            .iter()
            .take(min as usize)
            .map(|&c| u128::from(c))
            .sum::<u128>();
    }
    ErrorKind::Infeasible {
        message: format!(
            "choosing min_per_group = {min} from each of the {} groups costs at least {} euros, \
             more than the budget of {budget}",
            names.len(),
            cheapest_total
        ),
    }
    .at("min_per_group")
}
