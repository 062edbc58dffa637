//! Monetised value (SROI-style social return on investment) of a set of outcomes.
//!
//! Per outcome: `gross = quantity × proxy` a year;
//! `net = gross × (1 − deadweight) × (1 − displacement) × (1 − attribution)`; in year
//! `t = 1..duration` the value is `net × (1 − drop_off)^(t−1)`, discounted by the
//! [`Discount`] factor of year `t`. The present value (PV) is the sum over outcomes and years;
//! `npv = PV − investment`; `ratio = PV / investment`; `net_ratio = (PV − investment) /
//! investment` (both unrounded). `payback_years` is the first moment at which the cumulative
//! discounted value reaches the investment, interpolated linearly inside that year (2.4 means
//! 40 % into year 3), or `None` when it never does.
//!
//! Powers are computed by repeated multiplication (IEEE basic operations only), so every
//! platform gets the same bits.

use serde::{Deserialize, Serialize};

use super::discount::{Discount, MAX_YEARS};
use crate::error::{ErrorKind, Result};

/// One outcome to value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// A name for tables (the outcome's position when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Units of the outcome a year (≥ 0).
    pub quantity: f64,
    /// Money per unit (≥ 0), the financial proxy.
    pub proxy: f64,
    /// Share that would have happened anyway, 0–1 (default 0).
    #[serde(default)]
    pub deadweight: f64,
    /// Share that merely moved from elsewhere, 0–1 (default 0).
    #[serde(default)]
    pub displacement: f64,
    /// Share owed to others, 0–1 (default 0).
    #[serde(default)]
    pub attribution: f64,
    /// Yearly decline after the first year, 0–1 (default 0).
    #[serde(default)]
    pub drop_off: f64,
    /// Whole years the outcome lasts, 1–200.
    pub duration: u32,
}

impl Outcome {
    /// The outcome's display name: its `name`, or `outcome N` (1-based).
    pub fn label(&self, index: usize) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("outcome {}", index + 1))
    }

    /// Check every field; errors name `outcomes[i].field`.
    ///
    /// # Errors
    /// `input.not_finite`, `input.negative` (quantity, proxy), `input.not_a_fraction` (the
    /// four fractions), `input.invalid_duration`.
    pub fn validate(&self, index: usize) -> Result<()> {
        let path = |field: &str| format!("outcomes[{index}].{field}");
        for (field, x) in [("quantity", self.quantity), ("proxy", self.proxy)] {
            if !x.is_finite() {
                return Err(ErrorKind::InputNotFinite { got: x }.at(path(field)));
            }
            if x < 0.0 {
                return Err(ErrorKind::Negative { got: x }.at(path(field)));
            }
        }
        for (field, x) in [
            ("deadweight", self.deadweight),
            ("displacement", self.displacement),
            ("attribution", self.attribution),
            ("drop_off", self.drop_off),
        ] {
            if !x.is_finite() {
                return Err(ErrorKind::InputNotFinite { got: x }.at(path(field)));
            }
            if !(0.0..=1.0).contains(&x) {
                return Err(ErrorKind::NotAFraction { got: x }.at(path(field)));
            }
        }
        if !(1..=MAX_YEARS).contains(&self.duration) {
            return Err(ErrorKind::InvalidDuration {
                got: f64::from(self.duration),
                max: MAX_YEARS,
            }
            .at(path("duration")));
        }
        Ok(())
    }

    /// `quantity × proxy`: the gross value a year.
    pub fn gross(&self) -> f64 {
        self.quantity * self.proxy
    }

    /// The gross value after deadweight, displacement and attribution.
    pub fn net(&self) -> f64 {
        self.gross()
            * (1.0 - self.deadweight)
            * (1.0 - self.displacement)
            * (1.0 - self.attribution)
    }
}

/// One outcome in one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearRow {
    /// The outcome's name.
    pub outcome: String,
    /// The year, from 1.
    pub year: u32,
    /// `quantity × proxy`.
    pub gross: f64,
    /// Gross after deadweight, displacement and attribution.
    pub net: f64,
    /// Net after drop-off: `net × (1 − drop_off)^(year − 1)`.
    pub value: f64,
    /// The discount factor of the year.
    pub factor: f64,
    /// `value × factor`.
    pub discounted: f64,
}

/// One step of the way from gross to present value (for a waterfall chart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaterfallStep {
    /// `gross`, `deadweight`, `displacement`, `attribution`, `drop_off`, `discounting` or
    /// `present_value`.
    pub step: String,
    /// The amount: the total for `gross` and `present_value`, a deduction (≤ 0) otherwise.
    pub amount: f64,
    /// The running total after this step.
    pub total: f64,
}

/// The monetised value of a set of outcomes against an investment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sroi {
    /// Sum of every discounted yearly value.
    pub present_value: f64,
    /// The investment it is set against.
    pub investment: f64,
    /// `present_value − investment`.
    pub npv: f64,
    /// `present_value / investment` (unrounded).
    pub ratio: f64,
    /// `(present_value − investment) / investment` (unrounded).
    pub net_ratio: f64,
    /// Years until the cumulative discounted value reaches the investment (interpolated in
    /// the year it does); `None` when it never does.
    pub payback_years: Option<f64>,
    /// How values were discounted.
    pub discount: Discount,
    /// One row per outcome and year, outcome by outcome.
    pub table: Vec<YearRow>,
    /// Cumulative discounted value (all outcomes) at the end of each year, from year 1.
    pub cumulative: Vec<f64>,
    /// From gross to present value, step by step.
    pub waterfall: Vec<WaterfallStep>,
}

/// Value `outcomes` against `investment` with `discount`.
///
/// # Errors
/// The first invalid outcome field ([`Outcome::validate`]); `input.not_finite` /
/// `input.negative` for the investment (path `investment`); `input.no_investment` for an
/// investment of zero, where no ratio exists.
pub fn sroi(outcomes: &[Outcome], investment: f64, discount: &Discount) -> Result<Sroi> {
    for (i, o) in outcomes.iter().enumerate() {
        o.validate(i)?;
    }
    check_investment(investment)?;
    let years = outcomes.iter().map(|o| o.duration).max().unwrap_or(0);
    let factors = discount.factors(years);
    let mut table = Vec::new();
    let mut per_year = vec![0.0; years as usize];
    // Waterfall sums (over outcomes and years).
    let (mut gross_all, mut after_dw, mut after_disp, mut net_all, mut value_all) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut present_value = 0.0;
    for (i, o) in outcomes.iter().enumerate() {
        let name = o.label(i);
        let gross = o.gross();
        let net = o.net();
        let mut keep = 1.0; // (1 − drop_off)^(t − 1)
        for (t, (&factor, slot)) in (1..=o.duration).zip(factors.iter().zip(per_year.iter_mut())) {
            let value = net * keep;
            let discounted = value * factor;
            table.push(YearRow {
                outcome: name.clone(),
                year: t,
                gross,
                net,
                value,
                factor,
                discounted,
            });
            *slot += discounted;
            present_value += discounted;
            gross_all += gross;
            after_dw += gross * (1.0 - o.deadweight);
            after_disp += gross * (1.0 - o.deadweight) * (1.0 - o.displacement);
            net_all += net;
            value_all += value;
            keep *= 1.0 - o.drop_off;
        }
    }
    let mut cumulative = Vec::with_capacity(per_year.len());
    let mut running = 0.0;
    let mut payback_years = None;
    for (t, v) in per_year.iter().enumerate() {
        let before = running;
        running += v;
        cumulative.push(running);
        if payback_years.is_none() && running >= investment && *v > 0.0 {
            // Linear inside year t + 1: the share of this year's value still needed.
            payback_years = Some(t as f64 + (investment - before) / v);
        }
    }
    let steps = [
        ("gross", gross_all, gross_all),
        ("deadweight", after_dw - gross_all, after_dw),
        ("displacement", after_disp - after_dw, after_disp),
        ("attribution", net_all - after_disp, net_all),
        ("drop_off", value_all - net_all, value_all),
        ("discounting", present_value - value_all, present_value),
        ("present_value", present_value, present_value),
    ];
    Ok(Sroi {
        present_value,
        investment,
        npv: present_value - investment,
        ratio: present_value / investment,
        net_ratio: (present_value - investment) / investment,
        payback_years,
        discount: discount.clone(),
        table,
        cumulative,
        waterfall: steps
            .iter()
            .map(|&(step, amount, total)| WaterfallStep {
                step: step.to_owned(),
                amount: amount + 0.0,
                total,
            })
            .collect(),
    })
}

fn check_investment(investment: f64) -> Result<()> {
    if !investment.is_finite() {
        return Err(ErrorKind::InputNotFinite { got: investment }.at("investment"));
    }
    if investment < 0.0 {
        return Err(ErrorKind::Negative { got: investment }.at("investment"));
    }
    if investment == 0.0 {
        return Err(ErrorKind::NoInvestment.at("investment"));
    }
    Ok(())
}

/// A parameter whose effect on the ratio [`sensitivity`] measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parameter {
    /// Every outcome's deadweight.
    Deadweight,
    /// Every outcome's displacement.
    Displacement,
    /// Every outcome's attribution.
    Attribution,
    /// Every outcome's drop-off.
    DropOff,
    /// The discount rate (every term of it).
    DiscountRate,
}

impl Parameter {
    /// All of them, in table order.
    pub const ALL: [Self; 5] = [
        Self::Deadweight,
        Self::Displacement,
        Self::Attribution,
        Self::DropOff,
        Self::DiscountRate,
    ];

    /// `"deadweight"`, `"displacement"`, `"attribution"`, `"drop_off"`, `"discount_rate"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deadweight => "deadweight",
            Self::Displacement => "displacement",
            Self::Attribution => "attribution",
            Self::DropOff => "drop_off",
            Self::DiscountRate => "discount_rate",
        }
    }

    /// The parameter named `name`.
    ///
    /// # Errors
    /// `input.parse` naming the parameters there are.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                ErrorKind::InputParse {
                    message: format!(
                        "unknown parameter {name:?}; expected one of deadweight, displacement, \
                         attribution, drop_off, discount_rate"
                    ),
                }
                .at(format!("ends.{name}"))
            })
    }
}

/// The ratio with one parameter moved to its low and high end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRow {
    /// Which parameter moved.
    pub parameter: Parameter,
    /// The low end applied to every outcome (or the single discount rate); `None` when each
    /// outcome's own value was scaled (the default) and they differ.
    pub low: Option<f64>,
    /// The high end, likewise.
    pub high: Option<f64>,
    /// How the ends were chosen: `"given"` or `"×0.5 / ×1.5, clamped to 0–1"`.
    pub rule: String,
    /// The ratio at the low end.
    pub ratio_low: f64,
    /// The ratio at the high end.
    pub ratio_high: f64,
    /// The ratio as given.
    pub ratio: f64,
}

/// The default ends of [`sensitivity`]: each value × 0.5 and × 1.5, clamped to 0–1.
pub const DEFAULT_SCALES: (f64, f64) = (0.5, 1.5);

/// The ratio when each of deadweight, displacement, attribution, drop-off and the discount
/// rate is moved to its low and high end. `ends` gives absolute ends for some parameters
/// (applied to every outcome; for the discount rate a constant rate); the others move each
/// outcome's own value (every term's rate) × 0.5 and × 1.5, clamped to 0–1.
///
/// # Errors
/// As [`sroi`]; an end outside 0–1 is `input.not_a_fraction` (path `ends.<parameter>`).
pub fn sensitivity(
    outcomes: &[Outcome],
    investment: f64,
    discount: &Discount,
    ends: &[(Parameter, f64, f64)],
) -> Result<Vec<SensitivityRow>> {
    let base = sroi(outcomes, investment, discount)?.ratio;
    let mut rows = Vec::with_capacity(Parameter::ALL.len());
    for parameter in Parameter::ALL {
        let given = ends.iter().find(|(p, _, _)| *p == parameter);
        if let Some(&(_, low, high)) = given {
            for x in [low, high] {
                if !x.is_finite() || !(0.0..=1.0).contains(&x) {
                    return Err(ErrorKind::NotAFraction { got: x }
                        .at(format!("ends.{}", parameter.as_str())));
                }
            }
        }
        let ratio_at = |end: End| -> Result<f64> {
            let discount = match (parameter, end) {
                (Parameter::DiscountRate, End::Value(r)) => Discount::rate(r)?,
                (Parameter::DiscountRate, End::Scale(k)) => discount.scaled(k),
                _ => discount.clone(),
            };
            let moved: Vec<Outcome> = outcomes
                .iter()
                .map(|o| {
                    let mut o = o.clone();
                    if let Some(slot) = field(&mut o, parameter) {
                        *slot = match end {
                            End::Value(x) => x,
                            End::Scale(k) => (*slot * k).clamp(0.0, 1.0),
                        };
                    }
                    o
                })
                .collect();
            Ok(sroi(&moved, investment, &discount)?.ratio)
        };
        let (low_end, high_end, rule) = match given {
            Some(&(_, low, high)) => (End::Value(low), End::Value(high), "given".to_owned()),
            None => (
                End::Scale(DEFAULT_SCALES.0),
                End::Scale(DEFAULT_SCALES.1),
                "×0.5 / ×1.5, clamped to 0–1".to_owned(),
            ),
        };
        let shown = |end: End| match end {
            End::Value(x) => Some(x),
            End::Scale(k) => {
                shared_value(outcomes, discount, parameter).map(|v| (v * k).clamp(0.0, 1.0))
            }
        };
        rows.push(SensitivityRow {
            parameter,
            low: shown(low_end),
            high: shown(high_end),
            rule,
            ratio_low: ratio_at(low_end)?,
            ratio_high: ratio_at(high_end)?,
            ratio: base,
        });
    }
    Ok(rows)
}

#[derive(Clone, Copy)]
enum End {
    Value(f64),
    Scale(f64),
}

fn field(o: &mut Outcome, p: Parameter) -> Option<&mut f64> {
    match p {
        Parameter::Deadweight => Some(&mut o.deadweight),
        Parameter::Displacement => Some(&mut o.displacement),
        Parameter::Attribution => Some(&mut o.attribution),
        Parameter::DropOff => Some(&mut o.drop_off),
        Parameter::DiscountRate => None,
    }
}

/// The parameter's value when every outcome (or every year) has the same one.
fn shared_value(outcomes: &[Outcome], discount: &Discount, p: Parameter) -> Option<f64> {
    if p == Parameter::DiscountRate {
        return discount.constant_rate();
    }
    let mut values = outcomes.iter().map(|o| {
        let mut o = o.clone();
        field(&mut o, p).map_or(0.0, |x| *x)
    });
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}
