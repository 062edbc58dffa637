//! Reading the arguments of the SROI analysis from JSON-like values, as the Python and
//! browser bindings receive them (a list of dicts, a discount given as a rate, a preset or
//! a term structure), with errors that name the row and field.

use serde_json::Value;

use super::discount::{DEFAULT_PRESET, Discount};
use super::sroi::{Outcome, Parameter};
use crate::error::{ErrorKind, Result};
use crate::input::format_number;

/// What a value is, for messages.
fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn number(v: &Value, path: &str) -> Result<f64> {
    v.as_f64().ok_or_else(|| {
        ErrorKind::NotANumber {
            got: kind(v).chars().take(80).collect(),
        }
        .at(path)
    })
}

/// Outcomes from an array of objects with `quantity`, `proxy`, `deadweight`,
/// `displacement`, `attribution`, `drop_off` (fractions, default 0 when absent or null),
/// `duration` (whole years) and optionally `name`; each checked by [`Outcome::validate`].
///
/// # Errors
/// `input.parse` for a value that is not an array of objects or an unknown field;
/// `input.not_a_number`, `input.missing` (quantity, proxy, duration),
/// `input.invalid_duration` for a duration that is not a whole number from 1 to 200; the
/// errors of [`Outcome::validate`]. Paths are `outcomes[i].field`.
pub fn outcomes_from_value(value: &Value) -> Result<Vec<Outcome>> {
    let Value::Array(items) = value else {
        return Err(ErrorKind::InputParse {
            message: format!("expected a list of outcomes, got {}", kind(value)),
        }
        .at("outcomes"));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = |field: &str| format!("outcomes[{i}].{field}");
        let Value::Object(map) = item else {
            return Err(ErrorKind::InputParse {
                message: format!("expected an object, got {}", kind(item)),
            }
            .at(format!("outcomes[{i}]")));
        };
        for key in map.keys() {
            if !matches!(
                key.as_str(),
                "name"
                    | "quantity"
                    | "proxy"
                    | "deadweight"
                    | "displacement"
                    | "attribution"
                    | "drop_off"
                    | "duration"
            ) {
                let shown: String = key.chars().take(80).collect();
                return Err(ErrorKind::InputParse {
                    message: format!(
                        "unknown field {shown:?}; expected name, quantity, proxy, deadweight, \
                         displacement, attribution, drop_off, duration"
                    ),
                }
                .at(path(&shown)));
            }
        }
        let required = |field: &str| -> Result<f64> {
            match map.get(field) {
                None | Some(Value::Null) => Err(ErrorKind::Missing.at(path(field))),
                Some(v) => number(v, &path(field)),
            }
        };
        let fraction = |field: &str| -> Result<f64> {
            match map.get(field) {
                None | Some(Value::Null) => Ok(0.0),
                Some(v) => number(v, &path(field)),
            }
        };
        let duration = required("duration")?;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let years = if duration.fract() == 0.0 && (1.0..=f64::from(u32::MAX)).contains(&duration) {
            duration as u32
        } else {
            return Err(ErrorKind::InvalidDuration {
                got: duration,
                max: super::discount::MAX_YEARS,
            }
            .at(path("duration")));
        };
        let name = match map.get("name") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                return Err(ErrorKind::InputParse {
                    message: format!("expected a name (text), got {}", kind(other)),
                }
                .at(path("name")));
            }
        };
        let outcome = Outcome {
            name,
            quantity: required("quantity")?,
            proxy: required("proxy")?,
            deadweight: fraction("deadweight")?,
            displacement: fraction("displacement")?,
            attribution: fraction("attribution")?,
            drop_off: fraction("drop_off")?,
            duration: years,
        };
        outcome.validate(i)?;
        out.push(outcome);
    }
    Ok(out)
}

/// A discount from a value: `null` for the default preset ([`DEFAULT_PRESET`]), a number
/// for a constant rate, a string for a preset or a rate (`"3.5%"`), or an array of
/// `[until_year, rate]` pairs for a term structure.
///
/// # Errors
/// The errors of [`Discount::rate`], [`Discount::parse`] and [`Discount::terms`];
/// `input.parse` for any other shape.
pub fn discount_from_value(value: &Value) -> Result<Discount> {
    match value {
        Value::Null => Discount::preset(DEFAULT_PRESET),
        Value::Number(n) => Discount::rate(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => Discount::parse(s),
        Value::Array(items) => {
            let mut terms = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let pair = match item {
                    Value::Array(pair) => pair.as_slice(),
                    _ => &[],
                };
                let (Some(until), Some(rate)) = (
                    pair.first().and_then(Value::as_f64),
                    pair.get(1).and_then(Value::as_f64),
                ) else {
                    return Err(ErrorKind::InputParse {
                        message: format!("expected [until_year, rate], got {}", kind(item)),
                    }
                    .at(format!("discount[{i}]")));
                };
                if until.fract() != 0.0 || !(1.0..=f64::from(u32::MAX)).contains(&until) {
                    return Err(ErrorKind::InputParse {
                        message: format!(
                            "until_year must be a whole number from 1, got {}",
                            format_number(until)
                        ),
                    }
                    .at(format!("discount[{i}].until_year")));
                }
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                terms.push((until as u32, rate));
            }
            Discount::terms(&terms)
        }
        Value::Object(_) => {
            // A discount as a result reports it (`{name, description, terms}`), to repeat
            // an analysis with the same discounting.
            let d: Discount = serde_json::from_value(value.clone()).map_err(|e| {
                ErrorKind::InputParse {
                    message: format!("expected {{name, description, terms}}: {e}"),
                }
                .at("discount")
            })?;
            let mut previous = 0;
            for (i, term) in d.terms.iter().enumerate() {
                if !term.rate.is_finite() || !(0.0..=1.0).contains(&term.rate) {
                    return Err(ErrorKind::NotAFraction { got: term.rate }
                        .at(format!("discount.terms[{i}].rate")));
                }
                match term.until_year {
                    Some(y) if y > previous => previous = y,
                    None if i + 1 == d.terms.len() => {}
                    _ => {
                        return Err(ErrorKind::InputParse {
                            message: "until_year must increase; only the last term has none"
                                .to_owned(),
                        }
                        .at(format!("discount.terms[{i}].until_year")));
                    }
                }
            }
            if d.terms.is_empty() {
                return Err(ErrorKind::InputParse {
                    message: "a discount needs at least one term".to_owned(),
                }
                .at("discount.terms"));
            }
            Ok(d)
        }
        other => Err(ErrorKind::InputParse {
            message: format!(
                "expected a rate, a preset name or [[until_year, rate], …], got {}",
                kind(other)
            ),
        }
        .at("discount")),
    }
}

/// Sensitivity ends from an object `{parameter: [low, high], …}` (or `null` for none).
///
/// # Errors
/// `input.parse` for an unknown parameter or a value that is not a pair of numbers.
pub fn ends_from_value(value: &Value) -> Result<Vec<(Parameter, f64, f64)>> {
    let map = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Object(map) => map,
        other => {
            return Err(ErrorKind::InputParse {
                message: format!("expected {{parameter: [low, high]}}, got {}", kind(other)),
            }
            .at("ends"));
        }
    };
    let mut out = Vec::with_capacity(map.len());
    for (name, v) in map {
        let parameter = Parameter::parse(name)?;
        let pair = match v {
            Value::Array(pair) => pair.as_slice(),
            _ => &[],
        };
        match (
            pair.first().and_then(Value::as_f64),
            pair.get(1).and_then(Value::as_f64),
            pair.len(),
        ) {
            (Some(low), Some(high), 2) => out.push((parameter, low, high)),
            _ => {
                return Err(ErrorKind::InputParse {
                    message: format!("expected [low, high], got {}", kind(v)),
                }
                .at(format!("ends.{name}")));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outcomes_read_with_defaults_and_named_errors() {
        let os = outcomes_from_value(&json!([
            {"quantity": 10, "proxy": 2.5, "duration": 3.0, "name": null, "deadweight": null}
        ]))
        .unwrap();
        assert_eq!(os[0].duration, 3);
        assert_eq!(os[0].deadweight, 0.0);
        let err = |v: Value| outcomes_from_value(&v).unwrap_err();
        let e = err(json!([{"quantity": 1, "proxy": 1, "duration": 2.5}]));
        assert_eq!(
            (e.code(), e.path()),
            ("input.invalid_duration", "outcomes[0].duration")
        );
        let e = err(json!([{"quantity": 1, "proxy": 1}]));
        assert_eq!(
            (e.code(), e.path()),
            ("input.missing", "outcomes[0].duration")
        );
        let e = err(json!([{"quantity": "many", "proxy": 1, "duration": 1}]));
        assert_eq!(e.code(), "input.not_a_number");
        let e = err(json!([{"quantity": 1, "proxy": 1, "duration": 1, "colour": 1}]));
        assert_eq!((e.code(), e.path()), ("input.parse", "outcomes[0].colour"));
        let e = err(json!([{"quantity": 1, "proxy": 1, "duration": 1, "attribution": 2}]));
        assert_eq!(e.code(), "input.not_a_fraction");
    }

    #[test]
    fn discounts_and_ends_read_every_form() {
        assert_eq!(
            discount_from_value(&Value::Null).unwrap().name,
            "nl-mkba-2021"
        );
        assert_eq!(discount_from_value(&json!(0.03)).unwrap().rate_in(7), 0.03);
        let t = discount_from_value(&json!([[2, 0.05], [10, 0.1]])).unwrap();
        assert_eq!((t.rate_in(2), t.rate_in(3)), (0.05, 0.1));
        assert_eq!(
            discount_from_value(&json!([[2, 0.05], "x"]))
                .unwrap_err()
                .path(),
            "discount[1]"
        );
        let ends = ends_from_value(&json!({"deadweight": [0.1, 0.3]})).unwrap();
        assert_eq!(ends, vec![(Parameter::Deadweight, 0.1, 0.3)]);
        assert_eq!(
            ends_from_value(&json!({"luck": [0, 1]}))
                .unwrap_err()
                .code(),
            "input.parse"
        );
    }
}
