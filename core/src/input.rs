//! Inputs: what an initiative says for each criterion.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, Result, path_string};

/// Largest inputs document accepted by [`Inputs::from_json`] and [`Initiative::list_from_json`].
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// One input value. In JSON: a number, `[low, high]` or `{"low": …, "high": …}`, `true` /
/// `false`, an option id string, `null` (missing) or `{"value": x, "evidence": "grade"}`.
///
/// Whether the value fits its criterion is checked when scoring, so that the error can
/// name the criterion and say what was expected.
#[derive(Debug, Clone, PartialEq)]
pub enum InputValue {
    /// A number (number and Likert criteria; `0`/`1` are not booleans).
    Number(f64),
    /// An uncertain number: somewhere in `[low, high]` (number criteria only).
    Range {
        /// Low end.
        low: f64,
        /// High end.
        high: f64,
    },
    /// A number with an evidence grade, widened into a range by the rubric's grade table.
    Graded {
        /// The number as given.
        value: f64,
        /// The evidence grade id.
        evidence: String,
    },
    /// Yes or no (boolean criteria).
    Bool(bool),
    /// An option id (category criteria).
    Text(String),
    /// No value: the rubric's missing-data policy applies.
    Missing,
}

impl InputValue {
    /// The value as it would be written in JSON, for messages: `"lots"`, `12`, `[1, 2]`;
    /// short (a text is cut at 80 characters, numbers in their short form, see
    /// [`format_number`](crate::format_number)).
    pub fn describe(&self) -> String {
        match self {
            Self::Number(x) => format_number(*x),
            Self::Range { low, high } => {
                format!("[{}, {}]", format_number(*low), format_number(*high))
            }
            Self::Graded { value, evidence } => {
                format!(
                    "{} ({})",
                    format_number(*value),
                    crate::short::value(evidence)
                )
            }
            Self::Bool(b) => b.to_string(),
            Self::Text(s) => crate::short::quoted(s),
            Self::Missing => "null".to_owned(),
        }
    }

    /// The same value with every `-0.0` turned into `0.0` (what scores echo).
    #[must_use]
    pub fn normalised(&self) -> Self {
        match self {
            Self::Number(x) => Self::Number(x + 0.0),
            Self::Range { low, high } => Self::Range {
                low: low + 0.0,
                high: high + 0.0,
            },
            Self::Graded { value, evidence } => Self::Graded {
                value: value + 0.0,
                evidence: evidence.clone(),
            },
            other => other.clone(),
        }
    }

    /// Whether this is [`InputValue::Missing`].
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Missing)
    }
}

pub(crate) use crate::short::format_number;

impl From<f64> for InputValue {
    fn from(x: f64) -> Self {
        Self::Number(x)
    }
}
impl From<bool> for InputValue {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}
impl From<&str> for InputValue {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}
impl From<(f64, f64)> for InputValue {
    fn from((low, high): (f64, f64)) -> Self {
        Self::Range { low, high }
    }
}

impl Serialize for InputValue {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            // `+ 0.0`: a negative zero is written as 0.
            Self::Number(x) => s.serialize_f64(x + 0.0),
            Self::Range { low, high } => {
                let mut seq = s.serialize_seq(Some(2))?;
                seq.serialize_element(&(low + 0.0))?;
                seq.serialize_element(&(high + 0.0))?;
                seq.end()
            }
            Self::Graded { value, evidence } => {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("value", &(value + 0.0))?;
                map.serialize_entry("evidence", evidence)?;
                map.end()
            }
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Text(t) => s.serialize_str(t),
            Self::Missing => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for InputValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(InputVisitor)
    }
}

struct InputVisitor;

const EXPECTED: &str = "a number, [low, high], {\"low\", \"high\"}, {\"value\", \"evidence\"}, true/false, an option id or null";

impl<'de> Visitor<'de> for InputVisitor {
    type Value = InputValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<InputValue, E> {
        Ok(InputValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<InputValue, E> {
        #[allow(clippy::cast_precision_loss)]
        Ok(InputValue::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<InputValue, E> {
        #[allow(clippy::cast_precision_loss)]
        Ok(InputValue::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<InputValue, E> {
        Ok(InputValue::Number(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<InputValue, E> {
        Ok(InputValue::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<InputValue, E> {
        Ok(InputValue::Text(v))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<InputValue, E> {
        Ok(InputValue::Missing)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<InputValue, E> {
        Ok(InputValue::Missing)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<InputValue, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<InputValue, A::Error> {
        let bad = || de::Error::custom("a range must be [low, high]: two numbers");
        let low: f64 = seq.next_element::<Num>()?.ok_or_else(bad)?.0;
        let high: f64 = seq.next_element::<Num>()?.ok_or_else(bad)?.0;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(bad());
        }
        Ok(InputValue::Range { low, high })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<InputValue, A::Error> {
        let (mut low, mut high, mut value, mut evidence) = (None, None, None, None);
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return map
                    .next_value_seed(Duplicate(&key))
                    .map(|()| InputValue::Missing);
            }
            seen.push(key.clone());
            match key.as_str() {
                "low" => low = Some(map.next_value::<Num>()?.0),
                "high" => high = Some(map.next_value::<Num>()?.0),
                "value" => value = Some(map.next_value::<Num>()?.0),
                "evidence" => evidence = Some(map.next_value::<String>()?),
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key \"{other}\": expected {{\"low\", \"high\"}} or {{\"value\", \"evidence\"}}"
                    )));
                }
            }
        }
        match (low, high, value, evidence) {
            (Some(low), Some(high), None, None) => Ok(InputValue::Range { low, high }),
            (None, None, Some(value), Some(evidence)) => Ok(InputValue::Graded { value, evidence }),
            (None, None, Some(value), None) => Ok(InputValue::Number(value)),
            _ => Err(de::Error::custom(
                "expected {\"low\", \"high\"} or {\"value\", \"evidence\"}",
            )),
        }
    }
}

/// A number inside a range or graded input (integers accepted).
struct Num(f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Num, E> {
                #[allow(clippy::cast_precision_loss)]
                Ok(Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Num, E> {
                #[allow(clippy::cast_precision_loss)]
                Ok(Num(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Num, E> {
                Ok(Num(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// The inputs of one initiative: criterion id → value. Ids not present count as missing.
/// Read from a map in which every key appears once: a key given twice is an error (never
/// a silent overwrite).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Inputs(BTreeMap<String, InputValue>);

impl<'de> Deserialize<'de> for Inputs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Inputs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of criterion id → value")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Inputs, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        // Fail inside the value, so that the error's path names the key.
                        return map.next_value_seed(Duplicate(&key)).map(|()| Inputs(out));
                    }
                    let value = map.next_value::<InputValue>()?;
                    out.insert(key, value);
                }
                Ok(Inputs(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A seed that fails at once with "key given twice": its error carries the key's path.
struct Duplicate<'a>(&'a str);

impl<'de> de::DeserializeSeed<'de> for Duplicate<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, _: D) -> std::result::Result<(), D::Error> {
        Err(de::Error::custom(format!(
            "key \"{}\" given more than once (each key may appear once)",
            shorten(self.0, 80)
        )))
    }
}

/// `s` cut to at most `max` characters, with `…` when cut, control characters escaped
/// (the one capping of `short.rs`).
pub(crate) fn shorten(s: &str, max: usize) -> String {
    crate::short::capped(s, max)
}

impl Inputs {
    /// No inputs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the input of one criterion (replacing any earlier one).
    pub fn insert(&mut self, id: impl Into<String>, value: impl Into<InputValue>) -> &mut Self {
        self.0.insert(id.into(), value.into());
        self
    }

    /// The same inputs with one more: `Inputs::new().with("x", 3.0).with("y", true)`.
    #[must_use]
    pub fn with(mut self, id: impl Into<String>, value: impl Into<InputValue>) -> Self {
        self.insert(id, value);
        self
    }

    /// The input of one criterion, if given.
    pub fn get(&self, id: &str) -> Option<&InputValue> {
        self.0.get(id)
    }

    /// Remove the input of one criterion.
    pub fn remove(&mut self, id: &str) -> Option<InputValue> {
        self.0.remove(id)
    }

    /// All inputs, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &InputValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of inputs given (including explicit `Missing`).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no inputs are given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parse a JSON object of criterion id → value.
    ///
    /// # Errors
    /// `input.too_large` above [`MAX_INPUT_BYTES`]; `input.parse` (with the path of the bad
    /// value, e.g. `input.volunteer_hours`) for malformed JSON or an impossible shape.
    pub fn from_json(text: &str) -> Result<Self> {
        check_size(text)?;
        parse_json(strip_bom(text), "input")
    }
}

impl<K: Into<String>, V: Into<InputValue>> FromIterator<(K, V)> for Inputs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// An initiative: an id, a name and its inputs (the format of the example files).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Initiative {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Optional description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The inputs, by criterion id.
    pub inputs: Inputs,
}

impl Initiative {
    /// Parse one initiative object or an array of them (a leading UTF-8 byte order mark is
    /// skipped).
    ///
    /// # Errors
    /// `input.too_large` above [`MAX_INPUT_BYTES`]; `input.parse` with the path of the
    /// offending field (e.g. `[2].inputs.support_share`), including a key given twice.
    pub fn list_from_json(text: &str) -> Result<Vec<Self>> {
        check_size(text)?;
        let text = strip_bom(text);
        // First the outer shape, then each initiative from its own text, so that errors
        // carry a precise path and duplicate keys are seen (a JSON value would merge them).
        if text.trim_start().starts_with('[') {
            let items: Vec<Box<serde_json::value::RawValue>> = parse_json(text, "")?;
            items
                .iter()
                .enumerate()
                .map(|(i, raw)| parse_json(raw.get(), &format!("[{i}]")))
                .collect()
        } else {
            Ok(vec![parse_json(text, "")?])
        }
    }

    /// Parse one initiative object; `prefix` goes before the paths of errors (`[12]` for
    /// the 13th item of a stream, `line 7` for a line of NDJSON).
    ///
    /// # Errors
    /// As [`Initiative::list_from_json`].
    pub fn from_json(text: &str, prefix: &str) -> Result<Self> {
        check_size(text)?;
        parse_json(strip_bom(text), prefix)
    }
}

/// `text` without a leading UTF-8 byte order mark.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn check_size(text: &str) -> Result<()> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ErrorKind::InputTooLarge {
            size: text.len(),
            limit: MAX_INPUT_BYTES,
        }
        .at(""));
    }
    Ok(())
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (_, true) => prefix.to_owned(),
        (true, false) => path.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(text: &str, prefix: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = join(prefix, &path_string(e.path()));
        ErrorKind::InputParse {
            message: e.into_inner().to_string(),
        }
        .at(path)
    })?;
    de.end().map_err(|e| {
        ErrorKind::InputParse {
            message: e.to_string(),
        }
        .at(prefix)
    })?;
    Ok(value)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let i = Inputs::from_json(
            r#"{"a": 3, "b": [1, 2.5], "c": {"low": 1, "high": 2}, "d": true, "e": "ja",
                "f": null, "g": {"value": 4, "evidence": "claimed"}}"#,
        )
        .unwrap();
        assert_eq!(i.get("a"), Some(&InputValue::Number(3.0)));
        assert_eq!(
            i.get("b"),
            Some(&InputValue::Range {
                low: 1.0,
                high: 2.5
            })
        );
        assert_eq!(
            i.get("c"),
            Some(&InputValue::Range {
                low: 1.0,
                high: 2.0
            })
        );
        assert_eq!(i.get("d"), Some(&InputValue::Bool(true)));
        assert_eq!(i.get("e"), Some(&InputValue::Text("ja".into())));
        assert_eq!(i.get("f"), Some(&InputValue::Missing));
        assert_eq!(
            i.get("g"),
            Some(&InputValue::Graded {
                value: 4.0,
                evidence: "claimed".into()
            })
        );
        // Round trip through JSON.
        let back = Inputs::from_json(&serde_json::to_string(&i).unwrap()).unwrap();
        assert_eq!(back, i);
    }

    #[test]
    fn bad_shapes_name_the_field() {
        let e = Inputs::from_json(r#"{"a": 1, "hours": [1, 2, 3]}"#).unwrap_err();
        assert_eq!(e.code(), "input.parse");
        assert_eq!(e.path(), "input.hours");
        let e = Inputs::from_json(r#"{"hours": {"lo": 1}}"#).unwrap_err();
        assert_eq!(e.path(), "input.hours");
        let e = Inputs::from_json("[1, 2]").unwrap_err();
        assert_eq!(e.code(), "input.parse");
        let e = Inputs::from_json(r#"{"a": 1} trailing"#).unwrap_err();
        assert_eq!(e.code(), "input.parse");
    }

    #[test]
    fn initiatives_one_or_many() {
        let one =
            Initiative::list_from_json(r#"{"id": "a", "name": "A", "inputs": {"x": 1}}"#).unwrap();
        assert_eq!(one.len(), 1);
        let many = Initiative::list_from_json(
            r#"[{"id": "a", "name": "A", "inputs": {}}, {"id": "b", "name": "B", "inputs": {"x": [1]}}]"#,
        )
        .unwrap_err();
        assert_eq!(many.path(), "[1].inputs.x");
    }

    #[test]
    fn too_large() {
        let big = " ".repeat(MAX_INPUT_BYTES + 1);
        assert_eq!(
            Inputs::from_json(&big).unwrap_err().code(),
            "input.too_large"
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod duplicate_tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_an_error_naming_it() {
        let e = Inputs::from_json(r#"{"support_share": 80, "support_share": 10}"#).unwrap_err();
        assert_eq!((e.code(), e.path()), ("input.parse", "input.support_share"));
        assert!(e.message().contains("given more than once"), "{e}");
        let e = Inputs::from_json(r#"{"x": {"low": 1, "low": 2, "high": 3}}"#).unwrap_err();
        assert_eq!(e.path(), "input.x.low");
        let e = Initiative::list_from_json(
            r#"[{"id": "a", "name": "A", "inputs": {}},
                {"id": "b", "name": "B", "inputs": {"p": 1}, "inputs": {"p": 2}}]"#,
        )
        .unwrap_err();
        assert_eq!(e.path(), "[1]");
        assert!(e.message().contains("duplicate field"), "{e}");
        let e =
            Initiative::list_from_json(r#"{"id": "a", "name": "A", "inputs": {"p": 1, "p": 1}}"#)
                .unwrap_err();
        assert_eq!(e.path(), "inputs.p");
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let i = Inputs::from_json("\u{feff}{\"x\": 1}").unwrap();
        assert_eq!(i.get("x"), Some(&InputValue::Number(1.0)));
        let l = Initiative::list_from_json(
            "\u{feff}[{\"id\": \"a\", \"name\": \"A\", \"inputs\": {}}]",
        );
        assert_eq!(l.unwrap().len(), 1);
    }
}
