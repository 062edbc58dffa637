//! Discounting future values: a constant rate, a named and dated preset, or a term
//! structure. Year `t` (1, 2, …) is discounted by `∏ over years k = 1..t of 1 / (1 + r_k)`,
//! where `r_k` is the rate in force in year `k`. The factors are computed by repeated
//! division (IEEE basic operations only), so every platform gets the same bits.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, Result};

/// Most years a discount factor is asked for (outcomes last at most this long).
pub const MAX_YEARS: u32 = 200;

/// One piece of a term structure: `rate` applies up to and including `until_year`; the last
/// piece (`until_year: None`) applies to every later year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DiscountTerm {
    /// Last year this rate applies to; `None` for every year after the previous term.
    pub until_year: Option<u32>,
    /// Yearly rate as a fraction (0.0225 for 2.25 %).
    pub rate: f64,
}

/// How future values are discounted: its name (a preset id, `"rate"` or `"terms"`), a
/// description with its source, and the rates by year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discount {
    /// `"nl-mkba-2021"`, `"uk-green-book-2022"`, `"rate"` (a constant rate given by the
    /// caller), `"rubric"` (the rubric's own rate) or `"terms"` (a term structure).
    pub name: String,
    /// What it is and where it comes from.
    pub description: String,
    /// The rates by year, in order; the last term has `until_year: None`.
    pub terms: Vec<DiscountTerm>,
    /// For a preset: the date it took effect (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_force_from: Option<String>,
    /// For a preset: the document it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A named, dated discount-rate preset.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// The id to ask for it by.
    pub id: &'static str,
    /// What it is.
    pub description: &'static str,
    /// The date it took effect (ISO 8601).
    pub in_force_from: &'static str,
    /// The document it comes from.
    pub source: &'static str,
    /// `(until_year, rate)`; the last entry has `None` and applies to every later year.
    pub terms: &'static [(Option<u32>, f64)],
}

/// The discount-rate presets.
///
/// - `nl-mkba-2021`: 2.25 % a year, the standard discount rate for Dutch social cost-benefit
///   analyses (MKBA) since 2021, set by the cabinet on the advice of the *Werkgroep
///   Discontovoet 2020* (Ministerie van Financiën, "Rapport Werkgroep discontovoet 2020",
///   published November 2020, in force from 2021).
/// - `uk-green-book-2022`: the UK HM Treasury Green Book (2022 edition, Table 8) declining
///   schedule: 3.5 % for years 1–30, 3.0 % for 31–75, 2.5 % for 76–125, 2.0 % for 126–200
///   (the Green Book's 1.5 % and 1.0 % steps start after year 200, beyond any outcome here).
pub const PRESETS: &[Preset] = &[
    Preset {
        id: "nl-mkba-2021",
        description: "2.25 % a year: the Dutch standard discount rate for social cost-benefit \
                      analysis (MKBA), in force from 2021 (Rapport Werkgroep discontovoet 2020, \
                      Ministerie van Financiën)",
        in_force_from: "2021-01-01",
        source: "Ministerie van Financiën, Rapport Werkgroep discontovoet 2020 (standard \
                 discount rate for cost-benefit analyses from 2021)",
        terms: &[(None, 0.0225)],
    },
    Preset {
        id: "uk-green-book-2022",
        description: "UK HM Treasury Green Book (2022), Table 8: 3.5 % for years 1-30, 3.0 % \
                      for 31-75, 2.5 % for 76-125, 2.0 % for 126-200",
        in_force_from: "2022-11-18",
        source: "HM Treasury, The Green Book: appraisal and evaluation in central government \
                 (2022 edition, published 18 November 2022), Table 8",
        terms: &[
            (Some(30), 0.035),
            (Some(75), 0.030),
            (Some(125), 0.025),
            (None, 0.020),
        ],
    },
];

/// The default discounting when a caller names none.
pub const DEFAULT_PRESET: &str = "nl-mkba-2021";

fn check_rate(rate: f64, path: &str) -> Result<()> {
    if !rate.is_finite() {
        return Err(ErrorKind::InputNotFinite { got: rate }.at(path));
    }
    if !(0.0..=1.0).contains(&rate) {
        return Err(ErrorKind::NotAFraction { got: rate }.at(path));
    }
    Ok(())
}

impl Discount {
    /// A constant yearly rate (a fraction, 0.035 for 3.5 %).
    ///
    /// # Errors
    /// `input.not_finite` or `input.not_a_fraction` (path `discount`) outside 0–1.
    pub fn rate(rate: f64) -> Result<Self> {
        check_rate(rate, "discount")?;
        Ok(Self {
            name: "rate".to_owned(),
            description: format!("a constant rate of {} a year", percent(rate)),
            terms: vec![DiscountTerm {
                until_year: None,
                rate: rate + 0.0,
            }],
            in_force_from: None,
            source: None,
        })
    }

    /// A named preset (see [`PRESETS`]).
    ///
    /// # Errors
    /// `input.unknown_discount` naming the presets there are.
    pub fn preset(id: &str) -> Result<Self> {
        let preset = PRESETS.iter().find(|p| p.id == id).ok_or_else(|| {
            ErrorKind::UnknownDiscount {
                got: id.to_owned(),
                known: PRESETS.iter().map(|p| p.id).collect::<Vec<_>>().join(", "),
            }
            .at("discount")
        })?;
        Ok(Self {
            name: preset.id.to_owned(),
            description: preset.description.to_owned(),
            in_force_from: Some(preset.in_force_from.to_owned()),
            source: Some(preset.source.to_owned()),
            terms: preset
                .terms
                .iter()
                .map(|&(until_year, rate)| DiscountTerm { until_year, rate })
                .collect(),
        })
    }

    /// A preset id, or a rate written as a fraction (`0.035`) or a percentage (`3.5%`).
    ///
    /// # Errors
    /// `input.unknown_discount` for anything else; the errors of [`Discount::rate`].
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        if let Some(p) = t.strip_suffix('%') {
            if let Some(x) = crate::float::parse(p.trim()) {
                return Self::rate(x / 100.0);
            }
        } else if let Some(x) = crate::float::parse(t) {
            return Self::rate(x);
        }
        Self::preset(t)
    }

    /// A term structure: `(until_year, rate)` pieces with increasing years; years after the
    /// last piece keep its rate.
    ///
    /// # Errors
    /// `input.parse` for an empty list or years that do not increase from 1;
    /// `input.not_a_fraction` / `input.not_finite` for a rate outside 0–1 (path
    /// `discount[i].rate`).
    pub fn terms(terms: &[(u32, f64)]) -> Result<Self> {
        if terms.is_empty() {
            return Err(ErrorKind::InputParse {
                message: "a term structure needs at least one (until_year, rate)".to_owned(),
            }
            .at("discount"));
        }
        let mut previous = 0;
        let mut out = Vec::with_capacity(terms.len());
        for (i, &(until, rate)) in terms.iter().enumerate() {
            if until <= previous {
                return Err(ErrorKind::InputParse {
                    message: format!(
                        "until_year must increase from 1, got {until} after {previous}"
                    ),
                }
                .at(format!("discount[{i}].until_year")));
            }
            check_rate(rate, &format!("discount[{i}].rate"))?;
            previous = until;
            out.push(DiscountTerm {
                until_year: Some(until),
                rate: rate + 0.0,
            });
        }
        if let Some(last) = out.last_mut() {
            last.until_year = None;
        }
        let description = terms
            .iter()
            .map(|(y, r)| format!("{} up to year {y}", percent(*r)))
            .collect::<Vec<_>>()
            .join(", ")
            + " (the last rate also after)";
        Ok(Self {
            name: "terms".to_owned(),
            description,
            terms: out,
            in_force_from: None,
            source: None,
        })
    }

    /// The rate in force in year `t` (1-based).
    pub fn rate_in(&self, year: u32) -> f64 {
        self.terms
            .iter()
            .find(|term| term.until_year.is_none_or(|until| year <= until))
            .or(self.terms.last())
            .map_or(0.0, |term| term.rate)
    }

    /// Discount factors of years `1..=years`: `f[t-1] = ∏_{k=1..t} 1 / (1 + r_k)`.
    pub fn factors(&self, years: u32) -> Vec<f64> {
        let mut out = Vec::with_capacity(years as usize);
        let mut f = 1.0;
        for t in 1..=years {
            f /= 1.0 + self.rate_in(t);
            out.push(f);
        }
        out
    }

    /// The same discounting with every rate multiplied by `scale` (clamped to 0–1): for
    /// sensitivity analysis.
    pub fn scaled(&self, scale: f64) -> Self {
        Self {
            name: self.name.clone(),
            in_force_from: self.in_force_from.clone(),
            source: self.source.clone(),
            description: format!("{} × {scale}", self.description),
            terms: self
                .terms
                .iter()
                .map(|t| DiscountTerm {
                    until_year: t.until_year,
                    rate: (t.rate * scale).clamp(0.0, 1.0),
                })
                .collect(),
        }
    }

    /// The single rate when every year has the same one.
    pub fn constant_rate(&self) -> Option<f64> {
        match self.terms.as_slice() {
            [only] => Some(only.rate),
            _ => None,
        }
    }
}

fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    let rounded = (p * 1e6).round() / 1e6;
    format!("{rounded} %")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_parse_and_give_their_rates() {
        let nl = Discount::parse("nl-mkba-2021").unwrap();
        assert_eq!(nl.rate_in(1), 0.0225);
        assert_eq!(nl.rate_in(200), 0.0225);
        let uk = Discount::preset("uk-green-book-2022").unwrap();
        assert_eq!(uk.in_force_from.as_deref(), Some("2022-11-18"));
        assert!(uk.source.as_deref().unwrap().contains("Green Book"));
        assert_eq!(nl.in_force_from.as_deref(), Some("2021-01-01"));
        assert_eq!(uk.rate_in(30), 0.035);
        assert_eq!(uk.rate_in(31), 0.030);
        assert_eq!(uk.rate_in(75), 0.030);
        assert_eq!(uk.rate_in(76), 0.025);
        assert_eq!(uk.rate_in(126), 0.020);
        assert_eq!(Discount::parse("3.5%").unwrap().rate_in(1), 0.035);
        assert_eq!(Discount::parse("0.04").unwrap().rate_in(9), 0.04);
        assert_eq!(
            Discount::parse("us-omb").unwrap_err().code(),
            "input.unknown_discount"
        );
        assert_eq!(
            Discount::rate(1.5).unwrap_err().code(),
            "input.not_a_fraction"
        );
    }

    #[test]
    fn factors_multiply_year_by_year() {
        // 10 % then 20 %: 1/1.1, then 1/(1.1 · 1.2) = 1/1.32.
        let d = Discount::terms(&[(1, 0.1), (5, 0.2)]).unwrap();
        let f = d.factors(3);
        assert!((f[0] - 1.0 / 1.1).abs() < 1e-15);
        assert!((f[1] - 1.0 / 1.32).abs() < 1e-15);
        assert!((f[2] - 1.0 / 1.584).abs() < 1e-15);
        assert_eq!(
            Discount::terms(&[(5, 0.1), (5, 0.2)]).unwrap_err().path(),
            "discount[1].until_year"
        );
    }
}
