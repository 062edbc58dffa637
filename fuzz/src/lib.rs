//! The checks behind each fuzz target. Each takes the raw bytes libFuzzer gives and panics
//! when civic-value breaks a promise: a panic anywhere, a round trip that changes a rubric,
//! or (the oracle) a batch total that differs from `score`'s by one bit, a total outside
//! 0–100 or its interval, or in the wrong band.
//!
//! This file is also compiled by `core/tests/regressions.rs` (on stable, without
//! libFuzzer) to replay every input kept under `tests/regressions/<target>/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    dead_code
)]

use arbitrary::{Arbitrary, Unstructured};
use civic_value::{Initiative, InputValue, Inputs, Rubric, RubricDoc};
use serde_json::{Value, json};

// ---- text readers ----------------------------------------------------------------------

/// A rubric read from JSON: never panics; a rubric that loads survives its own JSON and
/// TOML forms with the same fingerprint, describes itself and scores empty inputs.
pub fn rubric_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rubric) = Rubric::from_json(text) {
        loaded(&rubric);
    }
    let _ = RubricDoc::from_json(text);
}

/// As [`rubric_json`], from TOML.
pub fn rubric_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rubric) = Rubric::from_toml(text) {
        loaded(&rubric);
    }
}

fn loaded(rubric: &Rubric) {
    let again = Rubric::from_json(&rubric.to_json()).expect("a rubric reads its own JSON");
    assert_eq!(again.fingerprint(), rubric.fingerprint(), "JSON round trip");
    let toml = rubric.to_toml().expect("a compiled rubric writes TOML");
    let again = Rubric::from_toml(&toml).expect("a rubric reads its own TOML");
    assert_eq!(again.fingerprint(), rubric.fingerprint(), "TOML round trip");
    let _ = rubric.describe("en");
    if let Ok(score) = rubric.score(&Inputs::new(), None) {
        check_score(rubric, &score);
    }
}

/// Inputs and initiatives read from JSON: never panics; what loads scores (or fails with a
/// typed error) under the built-in rubric and survives a JSON round trip.
pub fn inputs_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rubric = Rubric::builtin();
    if let Ok(inputs) = Inputs::from_json(text) {
        let back = serde_json::to_string(&inputs).unwrap();
        assert_eq!(
            Inputs::from_json(&back).unwrap(),
            inputs,
            "inputs round trip"
        );
        score_checked(&rubric, &inputs, None);
    }
    if let Ok(list) = Initiative::list_from_json(text) {
        for initiative in &list {
            score_checked(&rubric, &initiative.inputs, Some("residents"));
        }
    }
}

/// The streaming CSV reader (`civic_value::stream`): any bytes as a CSV file, the dialect
/// detected or (by the first byte) forced; never panics; every row that reads as an
/// initiative scores under the built-in rubric or fails with a typed error.
pub fn inputs_csv(data: &[u8]) {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let rubric = Rubric::builtin();
    let delimiter = [None, Some(b','), Some(b';'), Some(b'\t')][usize::from(mode % 4)];
    let decimal = [None, Some('.'), Some(',')][usize::from((mode / 4) % 3)];
    let Ok(mut csv) =
        civic_value::stream::CsvInitiatives::new(&rubric, body, delimiter, decimal, &[])
    else {
        return;
    };
    for _ in 0..10_000 {
        let Some(row) = csv.next_row() else { break };
        let Ok(row) = row else { continue };
        if let Ok(initiative) = csv.layout().initiative(&row) {
            score_checked(&rubric, &initiative.inputs, None);
        }
    }
}

/// The streaming JSON reader: any bytes as NDJSON (first byte odd) or as a JSON array or
/// object; never panics; every item that reads as an initiative scores or fails typed.
pub fn inputs_stream(data: &[u8]) {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let rubric = Rubric::builtin();
    let Ok(items) = civic_value::stream::JsonItems::new(body, mode % 2 == 1) else {
        return;
    };
    for item in items.take(10_000) {
        if let Ok(initiative) = item.initiative() {
            score_checked(&rubric, &initiative.inputs, None);
        }
    }
}

// ---- structured: arbitrary rubrics and inputs --------------------------------------------

/// A number, biased towards the values that matter: small whole numbers, fractions, the
/// special values, and any bit pattern.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Num {
    Small(i8),
    Int(i32),
    Frac(i16, u8),
    Special(u8),
    Raw(f64),
}

const SPECIAL: [f64; 16] = [
    0.0,
    -0.0,
    5e-324,
    f64::MIN_POSITIVE,
    1e15,
    -1e15,
    1e308,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    0.5,
    1.0,
    100.0,
    1e-9,
    50.0,
    f64::MAX,
];

impl Num {
    pub fn get(self) -> f64 {
        match self {
            Self::Small(i) => f64::from(i),
            Self::Int(i) => f64::from(i),
            Self::Frac(i, d) => f64::from(i) / (f64::from(d) + 1.0),
            Self::Special(k) => SPECIAL[usize::from(k) % SPECIAL.len()],
            Self::Raw(x) => x,
        }
    }
}

/// A value function.
#[derive(Arbitrary, Debug)]
pub enum Kind {
    Linear(Num, Num),
    Piecewise(Vec<(Num, u8)>),
    Log(Num, Num),
    Likert(u8),
    Boolean,
    Category(Vec<u8>),
}

/// A criterion.
#[derive(Arbitrary, Debug)]
pub struct CriterionSpec {
    theme: u8,
    weight: u8,
    kind: Kind,
    min: Option<Num>,
    max: Option<Num>,
    default: Option<Num>,
    knockout: Option<(bool, Num)>,
}

/// A rubric: mostly valid by construction; the engine refuses the rest with typed errors.
#[derive(Arbitrary, Debug)]
pub struct RubricSpec {
    product: bool,
    missing: u8,
    warn_unknown: bool,
    themes: Vec<u8>,
    criteria: Vec<CriterionSpec>,
    bands: Vec<Num>,
    perspective: Vec<(u8, u8)>,
    evidence: Vec<u8>,
}

impl RubricSpec {
    /// The rubric document as JSON (through the engine's own reader). Built to be valid
    /// most of the time: at least one criterion, every theme used, bands in 0–100.
    pub fn doc(&self) -> Value {
        let fallback = [CriterionSpec {
            theme: 0,
            weight: 1,
            kind: Kind::Boolean,
            min: None,
            max: None,
            default: None,
            knockout: None,
        }];
        let specs: &[CriterionSpec] = if self.criteria.is_empty() {
            &fallback
        } else {
            &self.criteria[..self.criteria.len().min(12)]
        };
        let n_themes = self.themes.len().clamp(1, 4).min(specs.len());
        let themes: Vec<Value> = (0..n_themes)
            .map(|t| json!({"id": format!("t{t}"), "weight": self.themes.get(t).copied().unwrap_or(1)}))
            .collect();
        let criteria: Vec<Value> = specs
            .iter()
            .enumerate()
            .map(|(i, c)| {
                // The first criteria fill every theme; the rest go where they say.
                let theme = if i < n_themes {
                    i
                } else {
                    usize::from(c.theme) % n_themes
                };
                criterion(i, c, theme)
            })
            .collect();
        let mut bands: Vec<f64> = self
            .bands
            .iter()
            .take(5)
            .map(|b| match b {
                Num::Raw(_) => b.get(),
                _ => b.get().abs() % 100.0,
            })
            .collect();
        bands.sort_by(|a, b| b.total_cmp(a));
        bands.dedup();
        let bands: Vec<Value> = bands
            .iter()
            .enumerate()
            .map(|(k, &min)| json!({"id": format!("b{k}"), "min": min}))
            .chain(std::iter::once(json!({"id": "bottom", "min": 0})))
            .collect();
        let missing = ["error", "zero", "renormalise"][usize::from(self.missing % 3)];
        let mut doc = json!({
            "id": "fuzz",
            "version": "1",
            "aggregation": if self.product { "weighted_product" } else { "weighted_sum" },
            "missing": missing,
            "unknown_inputs": if self.warn_unknown { "warn" } else { "error" },
            "themes": themes,
            "criteria": criteria,
            "bands": bands,
            "perspectives": [{
                "id": "p",
                "criteria": self.perspective.iter().take(6)
                    .map(|&(c, w)| (format!("c{}", usize::from(c) % specs.len()), json!(w)))
                    .collect::<serde_json::Map<String, Value>>(),
            }],
        });
        if !self.evidence.is_empty() {
            doc["evidence"] = self
                .evidence
                .iter()
                .take(3)
                .enumerate()
                .map(|(k, &w)| json!({"id": format!("e{k}"), "widen": f64::from(w) / 255.0}))
                .collect();
        }
        doc
    }

    /// The compiled rubric, when the document is valid.
    pub fn rubric(&self) -> Option<Rubric> {
        let doc = RubricDoc::from_value(self.doc()).ok()?;
        Rubric::compile(doc).ok()
    }
}

fn num_or_null(x: f64) -> Value {
    // JSON has no NaN or infinity: those become null (the reader then refuses or defaults).
    if x.is_finite() { json!(x) } else { Value::Null }
}

fn criterion(i: usize, c: &CriterionSpec, theme: usize) -> Value {
    let vf = match &c.kind {
        Kind::Linear(w, b) => {
            json!({"type": "linear", "worst": num_or_null(w.get()), "best": num_or_null(b.get())})
        }
        Kind::Piecewise(points) => {
            let mut x = 0.0;
            let pad = [(Num::Small(1), 0), (Num::Small(1), 255)];
            let points: Vec<Value> = points
                .iter()
                .chain(&pad[points.len().min(2)..])
                .take(8)
                .map(|(dx, v)| {
                    x += dx.get().abs();
                    json!([num_or_null(x), f64::from(*v) / 255.0])
                })
                .collect();
            json!({"type": "piecewise", "points": points})
        }
        Kind::Log(b, s) => {
            json!({"type": "log", "best": num_or_null(b.get().abs()), "scale": num_or_null(s.get().abs())})
        }
        Kind::Likert(l) => json!({"type": "likert", "levels": 2 + l % 12}),
        Kind::Boolean => json!({"type": "boolean"}),
        Kind::Category(values) => {
            json!({"type": "category", "options": values.iter().chain(&[128]).take(5).enumerate()
            .map(|(k, &v)| json!({"id": format!("o{k}"), "value": f64::from(v) / 255.0}))
            .collect::<Vec<_>>()})
        }
    };
    let mut out = json!({
        "id": format!("c{i}"),
        "theme": format!("t{theme}"),
        "weight": c.weight,
        "value_function": vf,
    });
    let number = matches!(
        c.kind,
        Kind::Linear(..) | Kind::Piecewise(_) | Kind::Log(..)
    );
    if number {
        if let Some(m) = c.min {
            out["min"] = num_or_null(m.get());
        }
        if let Some(m) = c.max {
            out["max"] = num_or_null(m.get());
        }
    }
    if let Some(d) = c.default {
        out["default"] = match c.kind {
            Kind::Boolean => json!(d.get() > 0.0),
            Kind::Category(_) => json!(format!("o{}", d.get().abs() as usize % 3)),
            _ => num_or_null(d.get()),
        };
    }
    if let Some((at_least, t)) = c.knockout {
        out["knockout"] = match c.kind {
            Kind::Boolean => json!({"required": at_least}),
            Kind::Category(_) => json!({"one_of": ["o0"]}),
            _ if at_least => json!({"at_least": num_or_null(t.get())}),
            _ => json!({"at_most": num_or_null(t.get())}),
        };
    }
    out
}

/// One input, for a criterion by index (or an unknown key).
#[derive(Arbitrary, Debug, Clone)]
pub enum InputSpec {
    Number(Num),
    Range(Num, Num),
    Graded(Num, u8),
    Bool(bool),
    Option(u8),
    Text(String),
    Missing,
}

impl InputSpec {
    pub fn value(&self) -> InputValue {
        match self {
            Self::Number(x) => InputValue::Number(x.get()),
            Self::Range(a, b) => InputValue::Range {
                low: a.get(),
                high: b.get(),
            },
            Self::Graded(x, g) => InputValue::Graded {
                value: x.get(),
                evidence: format!("e{}", g % 4),
            },
            Self::Bool(b) => InputValue::Bool(*b),
            Self::Option(k) => InputValue::Text(format!("o{}", k % 6)),
            Self::Text(s) => InputValue::Text(s.clone()),
            Self::Missing => InputValue::Missing,
        }
    }
}

fn inputs_of(spec: &[(u8, InputSpec)], criteria: usize) -> Inputs {
    spec.iter()
        .take(16)
        .map(|(k, v)| {
            let k = usize::from(*k);
            // Mostly the rubric's criteria, sometimes a key it does not have.
            let id = if k < 240 {
                format!("c{}", k % criteria.max(1))
            } else {
                format!("x{k}")
            };
            (id, v.value())
        })
        .collect()
}

/// Score and check the invariants every score obeys.
fn score_checked(rubric: &Rubric, inputs: &Inputs, perspective: Option<&str>) {
    if let Ok(score) = rubric.score(inputs, perspective) {
        check_score(rubric, &score);
    }
}

fn check_score(rubric: &Rubric, s: &civic_value::Score) {
    assert!((0.0..=100.0).contains(&s.total), "total {}", s.total);
    assert!(
        s.interval.low <= s.total + 1e-9 && s.total <= s.interval.high + 1e-9,
        "total {} outside [{}, {}]",
        s.total,
        s.interval.low,
        s.interval.high
    );
    assert_eq!(
        s.band.as_deref(),
        rubric.band_for(s.total).map(civic_value::Band::id),
        "band of {}",
        s.total
    );
    for c in &s.criteria {
        assert!(
            (0.0..=1.0).contains(&c.value),
            "{}: value {}",
            c.id,
            c.value
        );
        assert!(!c.points.is_nan(), "{}: points NaN", c.id);
    }
    let text = serde_json::to_string(s).unwrap();
    assert!(!has_negative_zero(&text), "a -0 in {text}");
}

/// Whether JSON text holds the number `-0.0` (serde_json's form of a negative zero).
pub fn has_negative_zero(text: &str) -> bool {
    text.match_indices("-0.0").any(|(i, m)| {
        let next = text[i + m.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_digit() || c == 'e' || c == 'E')
    })
}

/// Arbitrary rubric, arbitrary inputs: never panics, and every score obeys its invariants.
pub fn score_arbitrary(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok((spec, inputs)) = <(RubricSpec, Vec<(u8, InputSpec)>)>::arbitrary(&mut u) else {
        return;
    };
    let doc = spec.doc();
    let Ok(doc) = RubricDoc::from_value(doc) else {
        return;
    };
    let Ok(rubric) = Rubric::compile(doc) else {
        return;
    };
    let inputs = inputs_of(&inputs, rubric.criteria().len());
    for p in [None, Some("p")] {
        score_checked(&rubric, &inputs, p);
        if let Err(e) = rubric.score(&inputs, p) {
            assert!(!e.code().is_empty());
            assert!(e.to_string().chars().count() <= 600, "long message {e}");
        }
    }
}

/// The oracle: for an arbitrary valid rubric and rows of arbitrary inputs, the batch path
/// (`BatchScorer::score_row`, `total`, `totals`) gives exactly `score`'s numbers — totals,
/// interval ends and points to the bit, the same error code and path — and every total
/// lies in 0–100, inside its interval, in the band `band_for` gives.
pub fn oracle(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok((spec, rows, perspective)) =
        <(RubricSpec, Vec<Vec<(u8, InputSpec)>>, bool)>::arbitrary(&mut u)
    else {
        return;
    };
    let Some(rubric) = spec.rubric() else {
        return;
    };
    let perspective = perspective.then_some("p");
    let n = rubric.criteria().len();
    let ids: Vec<&str> = rubric.criteria().iter().map(|c| c.id()).collect();
    let batch = rubric.batch(&ids, perspective).unwrap();
    let mut points = vec![0.0; n];
    // Point rows (low == high everywhere) for `totals`, with what `score` said of each.
    let mut matrix = Vec::new();
    let mut expected = Vec::new();
    // Every encodable row (ranges too) for `score_block`, by column.
    let mut block_rows = Vec::new();
    for row in rows.iter().take(200) {
        let inputs = inputs_of(row, n);
        let full = rubric.score(&inputs, perspective);
        if let Ok(s) = &full {
            check_score(&rubric, s);
        }
        // The numeric encoding, when every input has one (and no key is unknown).
        let encoded: Option<Vec<(f64, f64)>> = rubric
            .criteria()
            .iter()
            .map(|c| c.encode(inputs.get(c.id()).unwrap_or(&InputValue::Missing)))
            .collect();
        let Some(encoded) = encoded else { continue };
        if inputs.iter().any(|(k, _)| rubric.index_of(k).is_none()) {
            continue;
        }
        let low: Vec<f64> = encoded.iter().map(|e| e.0).collect();
        let high: Vec<f64> = encoded.iter().map(|e| e.1).collect();
        block_rows.push((low.clone(), high.clone(), full.clone()));
        match (batch.score_row(&low, &high, &mut points), &full) {
            (Ok(r), Ok(s)) => {
                assert_eq!(r.total.to_bits(), s.total.to_bits(), "score_row total");
                assert_eq!(r.low.to_bits(), s.interval.low.to_bits(), "score_row low");
                assert_eq!(
                    r.high.to_bits(),
                    s.interval.high.to_bits(),
                    "score_row high"
                );
                assert_eq!(r.knocked_out, s.knocked_out, "score_row knock-out");
                for (p, c) in points.iter().zip(&s.criteria) {
                    assert_eq!(p.to_bits(), c.points.to_bits(), "points of {}", c.id);
                }
            }
            (Err(a), Err(b)) => {
                assert_eq!(
                    (a.code(), a.path()),
                    (b.code(), b.path()),
                    "score_row error"
                );
            }
            (a, b) => panic!(
                "score_row {a:?} but score {:?}",
                b.as_ref().map(|s| s.total)
            ),
        }
        let point = encoded
            .iter()
            .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
        if point {
            match (batch.total(&low), &full) {
                (Ok(t), Ok(s)) => assert_eq!(t.to_bits(), s.total.to_bits(), "total"),
                (Err(a), Err(b)) => {
                    assert_eq!((a.code(), a.path()), (b.code(), b.path()), "total error");
                }
                (a, b) => panic!("total {a:?} but score {:?}", b.as_ref().map(|s| s.total)),
            }
            matrix.extend_from_slice(&low);
            expected.push(full.map(|s| s.total));
        }
    }
    check_block(&rubric, &batch, &block_rows);
    // The whole matrix at once (several blocks when there are many rows).
    let mut out = vec![0.0; expected.len()];
    let all = batch.totals(&matrix, &mut out);
    match expected.iter().position(Result::is_err) {
        None => {
            assert!(all.is_ok(), "totals {all:?}");
            for (t, e) in out.iter().zip(&expected) {
                let e = e.as_ref().unwrap();
                assert_eq!(t.to_bits(), e.to_bits(), "totals");
                assert_eq!(
                    rubric.band_for(*t).map(civic_value::Band::id),
                    rubric.band_for(*e).map(civic_value::Band::id)
                );
            }
        }
        Some(r) => {
            let e = all.expect_err("totals must fail where score fails");
            let first = expected[r].as_ref().unwrap_err();
            assert_eq!(e.code(), first.code(), "totals error code");
            assert_eq!(e.path(), format!("rows[{r}].{}", first.path()));
        }
    }
}

type BlockRow = (Vec<f64>, Vec<f64>, civic_value::Result<civic_value::Score>);

/// `score_block` over the rows by column gives every row before the first bad one exactly
/// `score`'s total, interval, knock-out and points, and the first bad row's error with its
/// row in the path.
fn check_block(rubric: &Rubric, batch: &civic_value::BatchScorer<'_>, rows: &[BlockRow]) {
    let n = rows.len();
    let m = rubric.criteria().len();
    let low_cols: Vec<Vec<f64>> = (0..m)
        .map(|j| rows.iter().map(|r| r.0[j]).collect())
        .collect();
    let high_cols: Vec<Vec<f64>> = (0..m)
        .map(|j| rows.iter().map(|r| r.1[j]).collect())
        .collect();
    let low: Vec<&[f64]> = low_cols.iter().map(Vec::as_slice).collect();
    let high: Vec<&[f64]> = high_cols.iter().map(Vec::as_slice).collect();
    let (mut total, mut lo, mut hi) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut knocked_out = vec![false; n];
    let mut point_cols = vec![vec![0.0; n]; m];
    let mut out = civic_value::BlockScores {
        total: &mut total,
        low: &mut lo,
        high: &mut hi,
        knocked_out: &mut knocked_out,
        points: point_cols.iter_mut().map(Vec::as_mut_slice).collect(),
    };
    let result = batch.score_block(0, &low, &high, &[], &mut out);
    let first_bad = rows.iter().position(|r| r.2.is_err());
    match (first_bad, result) {
        (None, Ok(())) => {}
        (Some(r), Err(e)) => {
            let want = rows[r].2.as_ref().unwrap_err();
            assert_eq!(e.code(), want.code(), "score_block error code");
            assert_eq!(
                e.path(),
                format!("rows[{r}].{}", want.path()),
                "score_block path"
            );
        }
        (bad, got) => panic!("score_block {got:?} but the first bad row is {bad:?}"),
    }
    for (r, row) in rows.iter().take(first_bad.unwrap_or(n)).enumerate() {
        let s = row.2.as_ref().unwrap();
        assert_eq!(total[r].to_bits(), s.total.to_bits(), "score_block total");
        assert_eq!(lo[r].to_bits(), s.interval.low.to_bits(), "score_block low");
        assert_eq!(
            hi[r].to_bits(),
            s.interval.high.to_bits(),
            "score_block high"
        );
        assert_eq!(knocked_out[r], s.knocked_out, "score_block knock-out");
        for (j, c) in s.criteria.iter().enumerate() {
            assert_eq!(
                point_cols[j][r].to_bits(),
                c.points.to_bits(),
                "points of {}",
                c.id
            );
        }
    }
}
