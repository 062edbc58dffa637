//! An initiative's monetised value from its inputs and the rubric's own proxy table
//! (`monetisation` in the rubric): each outcome's yearly quantity is a criterion's input,
//! valued by a financial proxy, and the result is the [`Sroi`] chain of
//! [`sroi`](super::sroi::sroi).

use serde::{Deserialize, Serialize};

use super::discount::Discount;
use super::sroi::{Outcome, Sroi, sroi};
use crate::doc::ProxyDoc;
use crate::error::{ErrorKind, Result};
use crate::input::{InputValue, Inputs};
use crate::rubric::Rubric;
use crate::score::Interval;

/// One outcome of the rubric as valued for this initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonetisedOutcome {
    /// The outcome's id in the rubric.
    pub id: String,
    /// The criterion whose input is its yearly quantity.
    pub criterion: String,
    /// The quantity used (the middle of a range, the value as given with an evidence grade,
    /// 0 when missing).
    pub quantity: f64,
    /// The proxy, as the rubric states it (value, unit, source, year, licence).
    pub proxy: ProxyDoc,
    /// Whether the input was missing (the outcome then counts 0).
    pub missing: bool,
}

/// The monetised value of one initiative under a rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Monetised {
    /// The currency of every amount (ISO 4217, from the rubric).
    pub currency: String,
    /// Where the investment came from: `"given"` or the criterion id the rubric names.
    pub investment_source: String,
    /// The outcomes with the quantities and proxies used.
    pub outcomes: Vec<MonetisedOutcome>,
    /// The outcomes as valued (quantity, proxy, fractions, duration), e.g. for
    /// [`sensitivity`](super::sroi::sensitivity). Empty when read from a result written
    /// before this field existed (the fractions and durations are not in `outcomes`).
    #[serde(default)]
    pub valued: Vec<Outcome>,
    /// Present value with every ranged quantity at its low and at its high end.
    pub present_value_interval: Interval,
    /// The SROI chain: present value, NPV, ratios, payback, table, waterfall.
    pub sroi: Sroi,
}

impl Rubric {
    /// Monetise an initiative: each of the rubric's outcomes valued from the input of its
    /// criterion. `investment` defaults to the input of the criterion the rubric names as
    /// its investment (`monetisation.investment`); `discount` to the rubric's own rate.
    ///
    /// # Errors
    /// `input.no_monetisation` when the rubric has no proxy table; every error
    /// [`Rubric::score`] gives for the inputs; `input.missing` (path
    /// `input.<criterion>`) when the investment is neither given nor in the inputs;
    /// `input.no_investment` for a zero investment; the errors of
    /// [`sroi`](super::sroi::sroi).
    pub fn monetise(
        &self,
        inputs: &Inputs,
        investment: Option<f64>,
        discount: Option<&Discount>,
    ) -> Result<Monetised> {
        let Some(m) = self.doc().monetisation.as_ref() else {
            return Err(ErrorKind::NoMonetisation {
                rubric: self.id().to_owned(),
            }
            .at("rubric"));
        };
        // Every input is checked exactly as scoring checks it (and defaults apply).
        let score = self.score(inputs, None)?;
        let raw_of = |criterion: &str| {
            score
                .criteria
                .iter()
                .find(|row| row.id == criterion)
                .map_or(&InputValue::Missing, |row| &row.raw)
        };
        let (investment, investment_source) = match (investment, &m.investment) {
            (Some(x), _) => (x, "given".to_owned()),
            (None, Some(id)) => match self.quantities(id, raw_of(id))? {
                Some((x, _, _)) => (x, id.clone()),
                None => return Err(ErrorKind::Missing.at(format!("input.{id}"))),
            },
            (None, None) => {
                return Err(ErrorKind::InputParse {
                    message: "the rubric names no investment criterion: give the investment"
                        .to_owned(),
                }
                .at("investment"));
            }
        };
        let own;
        let discount = match discount {
            Some(d) => d,
            None => {
                let mut d = Discount::rate(m.discount_rate)?;
                d.name = "rubric".to_owned();
                d.description = format!("the rubric's own rate, {}", d.description);
                own = d;
                &own
            }
        };
        let mut valued = Vec::with_capacity(m.outcomes.len());
        let (mut at, mut lows, mut highs) = (Vec::new(), Vec::new(), Vec::new());
        for o in &m.outcomes {
            let Some(proxy) = m.proxies.iter().find(|p| p.id == o.proxy) else {
                continue; // compile() guarantees the proxy exists
            };
            let q = self.quantities(&o.criterion, raw_of(&o.criterion))?;
            let (x, lo, hi) = q.unwrap_or((0.0, 0.0, 0.0));
            let outcome = |quantity: f64| Outcome {
                name: Some(o.id.clone()),
                quantity,
                proxy: proxy.value,
                deadweight: o.deadweight,
                displacement: o.displacement,
                attribution: o.attribution,
                drop_off: o.drop_off,
                duration: o.duration_years,
            };
            at.push(outcome(x));
            lows.push(outcome(lo));
            highs.push(outcome(hi));
            valued.push(MonetisedOutcome {
                id: o.id.clone(),
                criterion: o.criterion.clone(),
                quantity: x,
                proxy: proxy.clone(),
                missing: q.is_none(),
            });
        }
        let result = sroi(&at, investment, discount)?;
        let valued_outcomes = at.clone();
        let low = sroi(&lows, investment, discount)?.present_value;
        let high = sroi(&highs, investment, discount)?.present_value;
        Ok(Monetised {
            currency: m.currency.clone(),
            investment_source,
            outcomes: valued,
            valued: valued_outcomes,
            present_value_interval: Interval { low, high },
            sroi: result,
        })
    }

    /// A number criterion's input as `(point, low, high)`; `None` when missing. Ranges give
    /// their middle, evidence grades the value as given and the widened range.
    fn quantities(&self, criterion: &str, raw: &InputValue) -> Result<Option<(f64, f64, f64)>> {
        let Some(c) = self.criterion(criterion) else {
            return Ok(None);
        };
        let path = || format!("input.{criterion}");
        let Some(eval) = c
            .evaluate(raw, self.evidence_grades())
            .map_err(|k| k.at(path()))?
        else {
            return Ok(None);
        };
        let point = match raw {
            InputValue::Number(x) => *x,
            InputValue::Range { low, high } => 0.5 * low + 0.5 * high,
            InputValue::Graded { value, .. } => *value,
            _ => eval.x_lo,
        };
        Ok(Some((point, eval.x_lo, eval.x_hi)))
    }
}

/// The headline figures of [`Rubric::monetise`] under the rubric's own investment and
/// discount, as `score --format json` and the service carry them in a `monetised` block;
/// or the error that kept them from being computed (e.g. no investment given).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MonetisedSummary {
    /// The figures.
    Figures {
        /// Currency of every amount.
        currency: String,
        /// Present value.
        present_value: f64,
        /// Present value over the ends of ranged inputs.
        present_value_interval: Interval,
        /// The investment.
        investment: f64,
        /// `"given"` or the criterion it came from.
        investment_source: String,
        /// Present value − investment.
        npv: f64,
        /// Present value / investment.
        ratio: f64,
        /// (Present value − investment) / investment.
        net_ratio: f64,
        /// Years to pay back, or `None`.
        payback_years: Option<f64>,
        /// The discount's name.
        discount: String,
    },
    /// Why there are no figures.
    Failed {
        /// `{code, path, message}`.
        error: SummaryError,
    },
}

/// An error in a [`MonetisedSummary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryError {
    /// The stable code.
    pub code: String,
    /// The path of the offending field.
    pub path: String,
    /// The message without the path.
    pub message: String,
}

impl Rubric {
    /// [`MonetisedSummary`] of an initiative; `None` when the rubric has no proxy table.
    pub fn monetised_summary(&self, inputs: &Inputs) -> Option<MonetisedSummary> {
        self.doc().monetisation.as_ref()?;
        Some(match self.monetise(inputs, None, None) {
            Ok(m) => MonetisedSummary::Figures {
                currency: m.currency,
                present_value: m.sroi.present_value,
                present_value_interval: m.present_value_interval,
                investment: m.sroi.investment,
                investment_source: m.investment_source,
                npv: m.sroi.npv,
                ratio: m.sroi.ratio,
                net_ratio: m.sroi.net_ratio,
                payback_years: m.sroi.payback_years,
                discount: m.sroi.discount.name,
            },
            Err(e) => MonetisedSummary::Failed {
                error: SummaryError {
                    code: e.code().to_owned(),
                    path: e.path().to_owned(),
                    message: e.message(),
                },
            },
        })
    }
}
