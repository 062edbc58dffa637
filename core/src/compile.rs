//! Validation and compilation of a [`RubricDoc`] into a [`Rubric`]: every error found, each
//! with the path of its field.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::doc::{CriterionDoc, DefaultValue, KnockoutDoc, RubricDoc, ValueFunctionDoc};
use crate::error::{Error, ErrorKind, Errors};
use crate::id_index::IdIndex;
use crate::input::InputValue;
use crate::rubric::{
    Band, CategoryOption, Criterion, Inner, InputKind, Knockout, MAX_CRITERIA, MAX_ITEMS,
    MAX_LEVELS, MAX_MAGNITUDE, MAX_POINTS, MAX_WEIGHT, Perspective, Rubric, Theme, WeightSet,
};
use crate::value::ValueFn;

struct Check {
    errors: Vec<Error>,
}

impl Check {
    fn push(&mut self, kind: ErrorKind, path: impl Into<String>) {
        self.errors.push(kind.at(path));
    }

    fn id(&mut self, id: &str, path: &str) {
        let ok = (1..=64).contains(&id.len())
            && id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            self.push(
                ErrorKind::InvalidId { id: id.to_owned() },
                format!("{path}.id"),
            );
        }
    }

    /// Check ids of a list for validity and duplicates.
    fn ids<'a>(&mut self, ids: impl Iterator<Item = &'a str>, path: &str) {
        let mut seen = BTreeSet::new();
        for (i, id) in ids.enumerate() {
            let p = format!("{path}[{i}]");
            self.id(id, &p);
            if !seen.insert(id) {
                self.push(
                    ErrorKind::DuplicateId { id: id.to_owned() },
                    format!("{p}.id"),
                );
            }
        }
    }

    fn count(&mut self, n: usize, limit: usize, path: &str) {
        if n > limit {
            self.push(ErrorKind::TooMany { got: n, limit }, path);
        }
    }

    /// A finite number within ±MAX_MAGNITUDE.
    fn finite(&mut self, x: f64, path: impl Into<String>) -> bool {
        if !x.is_finite() {
            self.push(ErrorKind::NotFinite { value: x }, path);
            false
        } else if x.abs() > MAX_MAGNITUDE {
            self.push(
                ErrorKind::NotBetween {
                    min: -MAX_MAGNITUDE,
                    max: MAX_MAGNITUDE,
                    value: x,
                },
                path,
            );
            false
        } else {
            true
        }
    }

    fn between(&mut self, x: f64, min: f64, max: f64, path: impl Into<String>) -> bool {
        let path = path.into();
        if !self.finite(x, path.clone()) {
            return false;
        }
        if x < min || x > max {
            self.push(ErrorKind::NotBetween { min, max, value: x }, path);
            return false;
        }
        true
    }

    fn weight(&mut self, w: f64, path: impl Into<String>) -> bool {
        let path = path.into();
        if !w.is_finite() {
            self.push(ErrorKind::NotFinite { value: w }, path);
            false
        } else if w < 0.0 {
            self.push(ErrorKind::NegativeWeight { value: w }, path);
            false
        } else if w > MAX_WEIGHT {
            self.push(
                ErrorKind::NotBetween {
                    min: 0.0,
                    max: MAX_WEIGHT,
                    value: w,
                },
                path,
            );
            false
        } else {
            true
        }
    }
}

pub(crate) fn compile(mut doc: RubricDoc) -> Result<Rubric, Errors> {
    // −0.0 is 0.0: the same rubric, the same fingerprint, never a "-0" shown.
    crate::canonical::normalise_zeros(&mut doc);
    crate::parse::check_canonical_size(&doc).map_err(|e| Errors(vec![e]))?;
    let mut ck = Check { errors: Vec::new() };
    ck.id(&doc.id, "");
    if let Some(e) = ck.errors.last_mut() {
        // The rubric's own id has the path "id", not ".id".
        *e = e.kind().clone().at("id");
    }
    if doc.version.trim().is_empty() {
        ck.push(ErrorKind::Empty, "version");
    }

    // Themes.
    if doc.themes.is_empty() {
        ck.push(ErrorKind::Empty, "themes");
    }
    ck.count(doc.themes.len(), MAX_ITEMS, "themes");
    ck.ids(doc.themes.iter().map(|t| t.id.as_str()), "themes");
    let theme_index: IdIndex<&str> = doc
        .themes
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let mut themes: Vec<Theme> = doc
        .themes
        .iter()
        .enumerate()
        .map(|(i, t)| {
            ck.weight(t.weight, format!("themes[{i}].weight"));
            Theme {
                id: t.id.clone(),
                label: t.label.clone(),
                help: t.help.clone(),
                weight: t.weight,
                criteria: Vec::new(),
            }
        })
        .collect();

    // Evidence grades (needed before criteria? no; compiled here for completeness).
    ck.count(doc.evidence.len(), MAX_ITEMS, "evidence");
    ck.ids(doc.evidence.iter().map(|g| g.id.as_str()), "evidence");
    let evidence: Vec<(String, f64)> = doc
        .evidence
        .iter()
        .enumerate()
        .map(|(i, g)| {
            ck.between(g.widen, 0.0, 1.0, format!("evidence[{i}].widen"));
            (g.id.clone(), g.widen)
        })
        .collect();

    // Criteria.
    if doc.criteria.is_empty() {
        ck.push(ErrorKind::Empty, "criteria");
    }
    ck.count(doc.criteria.len(), MAX_CRITERIA, "criteria");
    ck.ids(doc.criteria.iter().map(|c| c.id.as_str()), "criteria");
    let mut criteria = Vec::with_capacity(doc.criteria.len());
    for (i, c) in doc.criteria.iter().enumerate() {
        let path = format!("criteria[{i}]");
        let theme = match theme_index.get(c.theme.as_str()) {
            Some(&t) => {
                if let Some(th) = themes.get_mut(t) {
                    th.criteria.push(i);
                }
                t
            }
            None => {
                ck.push(
                    ErrorKind::UnknownReference {
                        what: "theme",
                        id: c.theme.clone(),
                    },
                    format!("{path}.theme"),
                );
                0
            }
        };
        criteria.push(compile_criterion(&mut ck, c, theme, &path));
    }
    for (i, t) in themes.iter().enumerate() {
        if t.criteria.is_empty() {
            ck.push(ErrorKind::EmptyTheme, format!("themes[{i}]"));
        }
    }

    // Bands.
    ck.count(doc.bands.len(), MAX_ITEMS, "bands");
    ck.ids(doc.bands.iter().map(|b| b.id.as_str()), "bands");
    let mut bands = Vec::with_capacity(doc.bands.len());
    let mut previous: Option<f64> = None;
    for (i, b) in doc.bands.iter().enumerate() {
        let path = format!("bands[{i}].min");
        if ck.between(b.min, 0.0, 100.0, path.clone()) {
            if previous.is_some_and(|p| b.min >= p) {
                ck.push(ErrorKind::BandsOrder, path);
            }
            previous = Some(b.min);
        }
        bands.push(Band {
            id: b.id.clone(),
            label: b.label.clone(),
            min: b.min,
        });
    }
    if let Some(last) = doc.bands.last()
        && last.min.is_finite()
        && last.min != 0.0
        && (0.0..=100.0).contains(&last.min)
    {
        ck.push(
            ErrorKind::BandsIncomplete { value: last.min },
            format!("bands[{}].min", doc.bands.len() - 1),
        );
    }

    // Perspectives and weight sets.
    ck.count(doc.perspectives.len(), MAX_ITEMS, "perspectives");
    ck.ids(
        doc.perspectives.iter().map(|p| p.id.as_str()),
        "perspectives",
    );
    let theme_weights: Vec<f64> = themes.iter().map(|t| t.weight).collect();
    let criterion_weights: Vec<f64> = criteria.iter().map(|c: &Criterion| c.weight).collect();
    let criterion_themes: Vec<usize> = criteria.iter().map(|c| c.theme).collect();
    let criterion_index: IdIndex<&str> = doc
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut weight_sets = Vec::with_capacity(doc.perspectives.len() + 1);
    // Weight sets are computed only from otherwise valid weights.
    if ck.errors.is_empty() {
        match effective_weights(&theme_weights, &criterion_weights, &criterion_themes) {
            Ok(w) => weight_sets.push(WeightSet { criteria: w }),
            Err((kind, None)) => ck.push(kind, "themes"),
            Err((kind, Some(t))) => ck.push(kind, format!("themes[{t}]")),
        }
    }
    let mut perspectives = Vec::with_capacity(doc.perspectives.len());
    for (k, p) in doc.perspectives.iter().enumerate() {
        let path = format!("perspectives[{k}]");
        let mut tw = theme_weights.clone();
        let mut cw = criterion_weights.clone();
        override_weights(
            &mut ck,
            &p.themes,
            &theme_index,
            &mut tw,
            "theme",
            &format!("{path}.themes"),
        );
        override_weights(
            &mut ck,
            &p.criteria,
            &criterion_index,
            &mut cw,
            "criterion",
            &format!("{path}.criteria"),
        );
        if ck.errors.is_empty() {
            match effective_weights(&tw, &cw, &criterion_themes) {
                Ok(w) => weight_sets.push(WeightSet { criteria: w }),
                Err((kind, None)) => ck.push(kind, format!("{path}.themes")),
                Err((kind, Some(t))) => {
                    let id = themes.get(t).map_or("", |t| t.id.as_str());
                    ck.push(kind, format!("{path}.themes.{id}"));
                }
            }
        }
        perspectives.push(Perspective {
            id: p.id.clone(),
            label: p.label.clone(),
            help: p.help.clone(),
        });
    }

    // Monetisation: references and fractions (computed by a later analysis).
    if let Some(m) = &doc.monetisation {
        if m.currency.trim().is_empty() {
            ck.push(ErrorKind::Empty, "monetisation.currency");
        }
        ck.between(m.discount_rate, 0.0, 1.0, "monetisation.discount_rate");
        ck.count(m.proxies.len(), MAX_ITEMS, "monetisation.proxies");
        ck.ids(
            m.proxies.iter().map(|p| p.id.as_str()),
            "monetisation.proxies",
        );
        for (i, p) in m.proxies.iter().enumerate() {
            ck.between(
                p.value,
                0.0,
                MAX_MAGNITUDE,
                format!("monetisation.proxies[{i}].value"),
            );
        }
        if let Some(id) = &m.investment {
            match criterion_index
                .get(id.as_str())
                .and_then(|&c| criteria.get(c))
            {
                Some(c) if c.kind != InputKind::Number => ck.push(
                    ErrorKind::NotApplicable {
                        field: "investment",
                        kind: c.kind.as_str(),
                    },
                    "monetisation.investment",
                ),
                Some(_) => {}
                None => ck.push(
                    ErrorKind::UnknownReference {
                        what: "criterion",
                        id: id.clone(),
                    },
                    "monetisation.investment",
                ),
            }
        }
        ck.count(m.outcomes.len(), MAX_ITEMS, "monetisation.outcomes");
        ck.ids(
            m.outcomes.iter().map(|o| o.id.as_str()),
            "monetisation.outcomes",
        );
        for (i, o) in m.outcomes.iter().enumerate() {
            let path = format!("monetisation.outcomes[{i}]");
            match criterion_index
                .get(o.criterion.as_str())
                .and_then(|&c| criteria.get(c))
            {
                Some(c) if c.kind != InputKind::Number => ck.push(
                    ErrorKind::NotApplicable {
                        field: "outcome",
                        kind: c.kind.as_str(),
                    },
                    format!("{path}.criterion"),
                ),
                Some(_) => {}
                None => ck.push(
                    ErrorKind::UnknownReference {
                        what: "criterion",
                        id: o.criterion.clone(),
                    },
                    format!("{path}.criterion"),
                ),
            }
            if !m.proxies.iter().any(|p| p.id == o.proxy) {
                ck.push(
                    ErrorKind::UnknownReference {
                        what: "proxy",
                        id: o.proxy.clone(),
                    },
                    format!("{path}.proxy"),
                );
            }
            for (name, x) in [
                ("deadweight", o.deadweight),
                ("displacement", o.displacement),
                ("attribution", o.attribution),
                ("drop_off", o.drop_off),
            ] {
                ck.between(x, 0.0, 1.0, format!("{path}.{name}"));
            }
            if !(1..=200).contains(&o.duration_years) {
                ck.push(
                    ErrorKind::NotBetween {
                        min: 1.0,
                        max: 200.0,
                        value: f64::from(o.duration_years),
                    },
                    format!("{path}.duration_years"),
                );
            }
        }
    }

    if !ck.errors.is_empty() {
        return Err(Errors(ck.errors));
    }
    let index = criteria
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    let fingerprint = doc.fingerprint();
    Ok(Rubric {
        inner: Arc::new(Inner {
            doc,
            fingerprint,
            themes,
            criteria,
            index,
            weight_sets,
            perspectives,
            bands,
            evidence,
        }),
    })
}

/// Replace `weights[index[id]]` by each perspective weight, checking ids and values.
fn override_weights(
    ck: &mut Check,
    overrides: &std::collections::BTreeMap<String, f64>,
    index: &IdIndex<&str>,
    weights: &mut [f64],
    what: &'static str,
    path: &str,
) {
    for (id, w) in overrides {
        let wpath = format!("{path}.{id}");
        match index.get(id.as_str()) {
            Some(&i) => {
                if ck.weight(*w, wpath)
                    && let Some(slot) = weights.get_mut(i)
                {
                    *slot = *w;
                }
            }
            None => ck.push(
                ErrorKind::UnknownReference {
                    what,
                    id: id.clone(),
                },
                wpath,
            ),
        }
    }
}

/// Theme share × criterion share within the theme, for every criterion.
fn effective_weights(
    themes: &[f64],
    criteria: &[f64],
    criterion_themes: &[usize],
) -> std::result::Result<Vec<f64>, (ErrorKind, Option<usize>)> {
    let theme_total: f64 = themes.iter().sum();
    if theme_total <= 0.0 {
        return Err((ErrorKind::ZeroWeights { what: "the themes" }, None));
    }
    let mut in_theme = vec![0.0; themes.len()];
    for (w, &t) in criteria.iter().zip(criterion_themes) {
        if let Some(s) = in_theme.get_mut(t) {
            *s += w;
        }
    }
    for (t, (&tw, &cw)) in themes.iter().zip(&in_theme).enumerate() {
        if tw > 0.0 && cw <= 0.0 {
            return Err((
                ErrorKind::ZeroWeights {
                    what: "this theme's criteria",
                },
                Some(t),
            ));
        }
    }
    Ok(criteria
        .iter()
        .zip(criterion_themes)
        .map(|(&w, &t)| {
            let tw = themes.get(t).copied().unwrap_or(0.0);
            let cw = in_theme.get(t).copied().unwrap_or(0.0);
            if tw > 0.0 && cw > 0.0 {
                (tw / theme_total) * (w / cw)
            } else {
                0.0
            }
        })
        .collect())
}

fn compile_criterion(ck: &mut Check, c: &CriterionDoc, theme: usize, path: &str) -> Criterion {
    ck.weight(c.weight, format!("{path}.weight"));
    let vpath = format!("{path}.value_function");
    let mut options = Vec::new();
    let (kind, vf) = match &c.value_function {
        ValueFunctionDoc::Linear { worst, best } => {
            let ok = ck.finite(*worst, format!("{vpath}.worst"))
                & ck.finite(*best, format!("{vpath}.best"));
            if ok && worst == best {
                ck.push(ErrorKind::BestEqualsWorst, format!("{vpath}.best"));
            }
            (
                InputKind::Number,
                ValueFn::Linear {
                    worst: *worst,
                    best: *best,
                },
            )
        }
        ValueFunctionDoc::Piecewise { points } => {
            let ppath = format!("{vpath}.points");
            if points.len() < 2 {
                ck.push(
                    ErrorKind::TooFew {
                        min: 2,
                        got: points.len(),
                    },
                    ppath.clone(),
                );
            }
            ck.count(points.len(), MAX_POINTS, &ppath);
            let mut previous: Option<f64> = None;
            for (k, [x, v]) in points.iter().enumerate() {
                if ck.finite(*x, format!("{ppath}[{k}][0]")) {
                    if let Some(p) = previous
                        && *x <= p
                    {
                        ck.push(
                            ErrorKind::NotIncreasing { previous: p, x: *x },
                            format!("{ppath}[{k}][0]"),
                        );
                    }
                    previous = Some(*x);
                }
                ck.between(*v, 0.0, 1.0, format!("{ppath}[{k}][1]"));
            }
            (
                InputKind::Number,
                ValueFn::Piecewise {
                    xs: points.iter().map(|p| p[0]).collect(),
                    vs: points.iter().map(|p| p[1]).collect(),
                },
            )
        }
        ValueFunctionDoc::Log { best, scale } => {
            let mut denominator = 1.0;
            let mut ok = true;
            for (name, x) in [("best", *best), ("scale", *scale)] {
                if ck.finite(x, format!("{vpath}.{name}")) && x <= 0.0 {
                    ck.push(
                        ErrorKind::NotPositive { value: x },
                        format!("{vpath}.{name}"),
                    );
                    ok = false;
                }
            }
            if ok && best.is_finite() && scale.is_finite() {
                denominator = libm::log1p(best / scale);
                if !(denominator.is_finite() && denominator > 0.0) {
                    ck.push(
                        ErrorKind::NotPositive { value: denominator },
                        format!("{vpath}.best"),
                    );
                    denominator = 1.0;
                }
            }
            (
                InputKind::Number,
                ValueFn::Log {
                    best: *best,
                    scale: *scale,
                    denominator,
                },
            )
        }
        ValueFunctionDoc::Likert { levels } => {
            if !(2..=MAX_LEVELS).contains(levels) {
                ck.push(
                    ErrorKind::NotBetween {
                        min: 2.0,
                        max: f64::from(MAX_LEVELS),
                        value: f64::from(*levels),
                    },
                    format!("{vpath}.levels"),
                );
            }
            let levels = (*levels).clamp(2, MAX_LEVELS);
            (InputKind::Likert { levels }, ValueFn::Likert { levels })
        }
        ValueFunctionDoc::Boolean => (InputKind::Boolean, ValueFn::Boolean),
        ValueFunctionDoc::Category { options: opts } => {
            let opath = format!("{vpath}.options");
            if opts.is_empty() {
                ck.push(ErrorKind::Empty, opath.clone());
            }
            ck.count(opts.len(), MAX_ITEMS, &opath);
            ck.ids(opts.iter().map(|o| o.id.as_str()), &opath);
            for (k, o) in opts.iter().enumerate() {
                ck.between(o.value, 0.0, 1.0, format!("{opath}[{k}].value"));
            }
            options = opts
                .iter()
                .map(|o| CategoryOption {
                    id: o.id.clone(),
                    label: o.label.clone(),
                    value: o.value,
                })
                .collect();
            (
                InputKind::Category,
                ValueFn::Category {
                    values: opts.iter().map(|o| o.value).collect(),
                },
            )
        }
    };

    // Limits (number criteria only).
    for (name, x) in [("min", c.min), ("max", c.max)] {
        if let Some(x) = x {
            if kind == InputKind::Number {
                ck.finite(x, format!("{path}.{name}"));
            } else {
                ck.push(
                    ErrorKind::NotApplicable {
                        field: name,
                        kind: kind.as_str(),
                    },
                    format!("{path}.{name}"),
                );
            }
        }
    }
    if let (Some(min), Some(max)) = (c.min, c.max)
        && min > max
    {
        ck.push(
            ErrorKind::LimitsInverted { min, max },
            format!("{path}.max"),
        );
    }

    // Knock-out.
    let kpath = format!("{path}.knockout");
    let mismatch = |rule: &'static str| ErrorKind::KnockoutMismatch {
        rule,
        kind: kind.as_str(),
    };
    let knockout = match &c.knockout {
        None => None,
        Some(KnockoutDoc::AtLeast(t)) | Some(KnockoutDoc::AtMost(t)) => {
            let at_least = matches!(c.knockout, Some(KnockoutDoc::AtLeast(_)));
            let rule = if at_least { "at_least" } else { "at_most" };
            if !matches!(kind, InputKind::Number | InputKind::Likert { .. }) {
                ck.push(mismatch(rule), kpath.clone());
            }
            ck.finite(*t, format!("{kpath}.{rule}"));
            Some(if at_least {
                Knockout::AtLeast(*t)
            } else {
                Knockout::AtMost(*t)
            })
        }
        Some(KnockoutDoc::Required(b)) => {
            if kind != InputKind::Boolean {
                ck.push(mismatch("required"), kpath.clone());
            }
            Some(Knockout::Required(*b))
        }
        Some(KnockoutDoc::OneOf(ids)) => {
            if kind != InputKind::Category {
                ck.push(mismatch("one_of"), kpath.clone());
            }
            if ids.is_empty() {
                ck.push(ErrorKind::Empty, format!("{kpath}.one_of"));
            }
            let mut ix = Vec::with_capacity(ids.len());
            for (k, id) in ids.iter().enumerate() {
                match options.iter().position(|o| &o.id == id) {
                    Some(i) => ix.push(i),
                    None if kind == InputKind::Category => ck.push(
                        ErrorKind::UnknownReference {
                            what: "option",
                            id: id.clone(),
                        },
                        format!("{kpath}.one_of[{k}]"),
                    ),
                    None => {}
                }
            }
            Some(Knockout::OneOf(ix))
        }
    };

    let mut criterion = Criterion {
        id: c.id.clone(),
        theme,
        label: c.label.clone(),
        help: c.help.clone(),
        unit: c.unit.clone(),
        weight: c.weight,
        kind,
        vf,
        min: c.min,
        max: c.max,
        options,
        default: None,
        knockout,
    };

    // Default: must be a valid input for this criterion.
    if let Some(d) = &c.default {
        let value = match d {
            DefaultValue::Number(x) => InputValue::Number(*x),
            DefaultValue::Bool(b) => InputValue::Bool(*b),
            DefaultValue::Option(s) => InputValue::Text(s.clone()),
        };
        if let Err(e) = criterion.evaluate(&value, &[]) {
            ck.push(
                ErrorKind::InvalidDefault {
                    message: e.to_string(),
                },
                format!("{path}.default"),
            );
        }
        criterion.default = Some(value);
    }
    criterion
}
