//! The canonical JSON text of a rubric document (what the fingerprint hashes), written by
//! hand: the same bytes as serde_json's compact writer over the derived `Serialize` after
//! `-0.0` became `0.0` (a test compares both on every vector's rubric and thousands of
//! mutations), with much less code in the browser module than that instantiation.
//!
//! The rules serde_json and the derive follow: struct fields in declaration order, the
//! optional ones left out when empty (`skip_serializing_if`), map keys sorted (`BTreeMap`),
//! the value function tagged by `type` first, a knock-out as `{"variant": value}`, a default
//! input untagged; numbers written by serde_json's writer (zmij, called directly), NaN and
//! ±infinity as `null`; strings escaped as serde_json escapes them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::doc::{
    CriterionDoc, DefaultValue, KnockoutDoc, MonetisationDoc, RubricDoc, ValueFunctionDoc,
};

/// The canonical JSON text of `doc`.
pub(crate) fn write(doc: &RubricDoc) -> String {
    let mut w = String::with_capacity(4096);
    let mut o = Obj::open(&mut w);
    o.string("id", &doc.id);
    o.string("version", &doc.version);
    o.text("title", &doc.title);
    o.text("description", &doc.description);
    o.string("aggregation", doc.aggregation.as_str());
    o.string(
        "missing",
        match doc.missing {
            crate::doc::MissingPolicy::Error => "error",
            crate::doc::MissingPolicy::Zero => "zero",
            crate::doc::MissingPolicy::Renormalise => "renormalise",
        },
    );
    o.string(
        "unknown_inputs",
        match doc.unknown_inputs {
            crate::doc::UnknownInputPolicy::Error => "error",
            crate::doc::UnknownInputPolicy::Warn => "warn",
        },
    );
    o.key("themes");
    list(o.w, &doc.themes, |w, t| {
        let mut o = Obj::open(w);
        o.string("id", &t.id);
        o.text("label", &t.label);
        o.text("help", &t.help);
        o.float("weight", t.weight);
        o.close();
    });
    o.key("criteria");
    list(o.w, &doc.criteria, criterion);
    if !doc.bands.is_empty() {
        o.key("bands");
        list(o.w, &doc.bands, |w, b| {
            let mut o = Obj::open(w);
            o.string("id", &b.id);
            o.text("label", &b.label);
            o.float("min", b.min);
            o.close();
        });
    }
    if !doc.perspectives.is_empty() {
        o.key("perspectives");
        list(o.w, &doc.perspectives, |w, p| {
            let mut o = Obj::open(w);
            o.string("id", &p.id);
            o.text("label", &p.label);
            o.text("help", &p.help);
            o.weights("themes", &p.themes);
            o.weights("criteria", &p.criteria);
            o.close();
        });
    }
    if !doc.evidence.is_empty() {
        o.key("evidence");
        list(o.w, &doc.evidence, |w, e| {
            let mut o = Obj::open(w);
            o.string("id", &e.id);
            o.text("label", &e.label);
            o.float("widen", e.widen);
            o.close();
        });
    }
    if let Some(m) = &doc.monetisation {
        o.key("monetisation");
        monetisation(o.w, m);
    }
    o.close();
    w
}

fn criterion(w: &mut String, c: &CriterionDoc) {
    let mut o = Obj::open(w);
    o.string("id", &c.id);
    o.string("theme", &c.theme);
    o.text("label", &c.label);
    o.text("help", &c.help);
    if let Some(unit) = &c.unit {
        o.string("unit", unit);
    }
    o.float("weight", c.weight);
    o.key("value_function");
    value_function(o.w, &c.value_function);
    if let Some(x) = c.min {
        o.float("min", x);
    }
    if let Some(x) = c.max {
        o.float("max", x);
    }
    match &c.default {
        None => {}
        Some(DefaultValue::Number(x)) => o.float("default", *x),
        Some(DefaultValue::Bool(b)) => {
            o.key("default");
            o.w.push_str(if *b { "true" } else { "false" });
        }
        Some(DefaultValue::Option(s)) => o.string("default", s),
    }
    if let Some(k) = &c.knockout {
        o.key("knockout");
        let mut k_obj = Obj::open(o.w);
        match k {
            KnockoutDoc::AtLeast(x) => k_obj.float("at_least", *x),
            KnockoutDoc::AtMost(x) => k_obj.float("at_most", *x),
            KnockoutDoc::Required(b) => {
                k_obj.key("required");
                k_obj.w.push_str(if *b { "true" } else { "false" });
            }
            KnockoutDoc::OneOf(ids) => {
                k_obj.key("one_of");
                list(k_obj.w, ids, |w, id| string(w, id));
            }
        }
        k_obj.close();
    }
    o.close();
}

fn value_function(w: &mut String, f: &ValueFunctionDoc) {
    let mut o = Obj::open(w);
    match f {
        ValueFunctionDoc::Linear { worst, best } => {
            o.string("type", "linear");
            o.float("worst", *worst);
            o.float("best", *best);
        }
        ValueFunctionDoc::Piecewise { points } => {
            o.string("type", "piecewise");
            o.key("points");
            list(o.w, points, |w, p| list(w, p, |w, x| float(w, *x)));
        }
        ValueFunctionDoc::Log { best, scale } => {
            o.string("type", "log");
            o.float("best", *best);
            o.float("scale", *scale);
        }
        ValueFunctionDoc::Likert { levels } => {
            o.string("type", "likert");
            o.key("levels");
            let _ = write!(o.w, "{levels}");
        }
        ValueFunctionDoc::Boolean => o.string("type", "boolean"),
        ValueFunctionDoc::Category { options } => {
            o.string("type", "category");
            o.key("options");
            list(o.w, options, |w, option| {
                let mut o = Obj::open(w);
                o.string("id", &option.id);
                o.text("label", &option.label);
                o.float("value", option.value);
                o.close();
            });
        }
    }
    o.close();
}

fn monetisation(w: &mut String, m: &MonetisationDoc) {
    let mut o = Obj::open(w);
    o.string("currency", &m.currency);
    o.float("discount_rate", m.discount_rate);
    o.key("proxies");
    list(o.w, &m.proxies, |w, p| {
        let mut o = Obj::open(w);
        o.string("id", &p.id);
        o.text("label", &p.label);
        o.string("unit", &p.unit);
        o.float("value", p.value);
        o.string("source", &p.source);
        o.key("year");
        let _ = write!(o.w, "{}", p.year);
        o.string("licence", &p.licence);
        o.close();
    });
    o.key("outcomes");
    list(o.w, &m.outcomes, |w, x| {
        let mut o = Obj::open(w);
        o.string("id", &x.id);
        o.string("criterion", &x.criterion);
        o.string("proxy", &x.proxy);
        o.float("deadweight", x.deadweight);
        o.float("displacement", x.displacement);
        o.float("attribution", x.attribution);
        o.float("drop_off", x.drop_off);
        o.key("duration_years");
        let _ = write!(o.w, "{}", x.duration_years);
        o.close();
    });
    if let Some(investment) = &m.investment {
        o.string("investment", investment);
    }
    o.close();
}

/// An object being written: `{`, then `"key":value` pairs separated by commas.
struct Obj<'a> {
    w: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    fn open(w: &'a mut String) -> Self {
        w.push('{');
        Obj { w, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.w.push(',');
        }
        self.first = false;
        string(self.w, key);
        self.w.push(':');
    }

    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        string(self.w, value);
    }

    fn float(&mut self, key: &str, value: f64) {
        self.key(key);
        float(self.w, value);
    }

    /// Text per language, left out when empty.
    fn text(&mut self, key: &str, text: &BTreeMap<String, String>) {
        if text.is_empty() {
            return;
        }
        self.key(key);
        let mut o = Obj::open(self.w);
        for (k, v) in text {
            o.string(k, v);
        }
        o.close();
    }

    /// Weights by id, left out when empty.
    fn weights(&mut self, key: &str, weights: &BTreeMap<String, f64>) {
        if weights.is_empty() {
            return;
        }
        self.key(key);
        let mut o = Obj::open(self.w);
        for (k, v) in weights {
            o.float(k, *v);
        }
        o.close();
    }

    fn close(self) {
        self.w.push('}');
    }
}

fn list<T>(w: &mut String, items: &[T], mut item: impl FnMut(&mut String, &T)) {
    w.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            w.push(',');
        }
        item(w, x);
    }
    w.push(']');
}

/// A number as serde_json writes it (its writer, zmij, called directly: no `Number` and
/// its `Display` in the browser module; NaN and ±infinity as `null`), `-0.0` as `0.0`.
fn float(w: &mut String, x: f64) {
    let x = x + 0.0;
    if x.is_finite() {
        w.push_str(zmij::Buffer::new().format_finite(x));
    } else {
        w.push_str("null");
    }
}

/// A string as serde_json escapes it: `"` and `\`, and control characters (`\n`, `\t`, …,
/// the others as `\u00XX`).
fn string(w: &mut String, s: &str) {
    w.push('"');
    for c in s.chars() {
        match c {
            '"' => w.push_str("\\\""),
            '\\' => w.push_str("\\\\"),
            '\n' => w.push_str("\\n"),
            '\r' => w.push_str("\\r"),
            '\t' => w.push_str("\\t"),
            '\u{8}' => w.push_str("\\b"),
            '\u{c}' => w.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(w, "\\u{:04x}", u32::from(c));
            }
            c => w.push(c),
        }
    }
    w.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::RubricDoc;

    /// serde_json's text of the derived `Serialize`, after `-0.0` → `0.0`: what
    /// `canonical_json` wrote before this module.
    fn reference(doc: &RubricDoc) -> String {
        let mut doc = doc.clone();
        crate::canonical::normalise_zeros(&mut doc);
        serde_json::to_string(&doc).unwrap()
    }

    /// Every number replaced by awkward numbers and every string by awkward strings.
    fn mutations(v: &Value, out: &mut Vec<Value>) {
        let at = crate::test_support::json_pointers(v);
        let numbers = [
            serde_json::json!(-0.0),
            serde_json::json!(0.1),
            serde_json::json!(1e300),
            serde_json::json!(-1.5e-7),
            serde_json::json!(123456789.125),
            serde_json::json!(3),
        ];
        let strings = ["a\"b\\c\n\t\r\u{8}\u{c}\u{1}\u{1f}\u{7f}é€😀", ""];
        for (p, x) in &at {
            let replacements: Vec<Value> = match x {
                Value::Number(_) => numbers.to_vec(),
                Value::String(_) => strings.iter().map(|s| Value::from(*s)).collect(),
                _ => continue,
            };
            for r in replacements {
                let mut m = v.clone();
                *m.pointer_mut(p).unwrap() = r;
                out.push(m);
            }
        }
    }

    #[test]
    fn same_bytes_as_serde_json() {
        let rubrics = crate::test_support::vector_rubrics();
        let mut checked = 0;
        for r in &rubrics {
            let mut all = vec![r.clone()];
            mutations(r, &mut all);
            for m in all {
                // Only documents that read (the canonical form is of a read document).
                let Ok(doc) = RubricDoc::from_json(&m.to_string()) else {
                    continue;
                };
                assert_eq!(super::write(&doc), reference(&doc), "differs on {m}");
                checked += 1;
            }
        }
        assert!(checked > 2000, "only {checked} documents compared");
        // NaN and infinity (no JSON text has them; a Python dict or JS object may).
        let mut doc = RubricDoc::from_json(crate::DEFAULT_RUBRIC_JSON).unwrap();
        doc.themes[0].weight = f64::NAN;
        doc.criteria[0].weight = f64::NEG_INFINITY;
        assert_eq!(super::write(&doc), reference(&doc));
    }
}
