//! The rubric document read from a [`Tree`] by hand: one small function per document type
//! instead of serde's derived `Deserialize` driven through the tree's deserializer.
//!
//! Why: the derived code, instantiated for the tree reader and inlined into one function,
//! was the largest piece of the browser module (≈ 150 KB of its 620 KB). These functions
//! follow the derived code step by step, so the document, the error message and the path
//! are the same (a test below compares them on thousands of documents):
//!
//! - a struct is a map (anything else: `invalid type: …, expected struct ThemeDoc`); its
//!   entries are read in document order: an unknown key fails at the key's path
//!   (`unknown field …, expected one of …`), a key given twice at the struct's path
//!   (`duplicate field …`), a value at its field's path; then the first missing field in
//!   declaration order (`missing field …`);
//! - the messages are serde's own (`de::Error::invalid_type` and friends), the expected
//!   types named as serde's visitors name them (`a string`, `f64`, `u32`, `a sequence`);
//! - the value function is serde's internally tagged enum: the tag is read first (its
//!   errors at `value_function.type`), the rest is buffered, so errors inside it carry the
//!   value function's path only, and structs inside it may also be written as arrays (by
//!   position); the default input is an untagged enum; the knock-out and the three policy
//!   enums are externally tagged.

use std::collections::BTreeMap;

use serde::de::{Error as _, Unexpected};

use crate::doc::{
    Aggregation, BandDoc, CriterionDoc, DefaultValue, EvidenceGradeDoc, KnockoutDoc, MissingPolicy,
    MonetisationDoc, OptionDoc, OutcomeDoc, PerspectiveDoc, ProxyDoc, RubricDoc, ThemeDoc,
    UnknownInputPolicy, ValueFunctionDoc,
};
use crate::tree::{Segment, Tree, TreeError};

type Res<T> = std::result::Result<T, TreeError>;

/// Read a whole rubric document (the tree's root must be a map: see
/// [`RubricDoc::from_tree`]). The error's segments are innermost first.
pub(crate) fn rubric(t: Tree) -> Res<RubricDoc> {
    const NAMES: &[&str] = &[
        "id",
        "version",
        "title",
        "description",
        "aggregation",
        "missing",
        "unknown_inputs",
        "themes",
        "criteria",
        "bands",
        "perspectives",
        "evidence",
        "monetisation",
    ];
    let (mut id, mut version, mut title, mut description) = (None, None, None, None);
    let (mut aggregation, mut missing, mut unknown_inputs) = (None, None, None);
    let (mut themes, mut criteria, mut bands) = (None, None, None);
    let (mut perspectives, mut evidence, mut monetisation) = (None, None, None);
    fields(t, "struct RubricDoc", NAMES, &mut |i, v| {
        match i {
            0 => id = Some(string(v)?),
            1 => version = Some(string(v)?),
            2 => title = Some(text(v)?),
            3 => description = Some(text(v)?),
            4 => aggregation = Some(aggregation_enum(v)?),
            5 => missing = Some(missing_enum(v)?),
            6 => unknown_inputs = Some(unknown_enum(v)?),
            7 => themes = Some(seq(v, theme)?),
            8 => criteria = Some(seq(v, criterion)?),
            9 => bands = Some(seq(v, band)?),
            10 => perspectives = Some(seq(v, perspective)?),
            11 => evidence = Some(seq(v, evidence_grade)?),
            _ => monetisation = Some(option(v, monetisation_doc)?),
        }
        Ok(())
    })?;
    Ok(RubricDoc {
        id: need(id, "id")?,
        version: need(version, "version")?,
        title: title.unwrap_or_default(),
        description: description.unwrap_or_default(),
        aggregation: aggregation.unwrap_or_default(),
        missing: missing.unwrap_or_default(),
        unknown_inputs: unknown_inputs.unwrap_or_default(),
        themes: need(themes, "themes")?,
        criteria: need(criteria, "criteria")?,
        bands: bands.unwrap_or_default(),
        perspectives: perspectives.unwrap_or_default(),
        evidence: evidence.unwrap_or_default(),
        monetisation: monetisation.flatten(),
    })
}

fn theme(t: Tree) -> Res<ThemeDoc> {
    const NAMES: &[&str] = &["id", "label", "help", "weight"];
    let (mut id, mut label, mut help, mut weight) = (None, None, None, None);
    fields(t, "struct ThemeDoc", NAMES, &mut |i, v| {
        match i {
            0 => id = Some(string(v)?),
            1 => label = Some(text(v)?),
            2 => help = Some(text(v)?),
            _ => weight = Some(float(v)?),
        }
        Ok(())
    })?;
    Ok(ThemeDoc {
        id: need(id, "id")?,
        label: label.unwrap_or_default(),
        help: help.unwrap_or_default(),
        weight: need(weight, "weight")?,
    })
}

fn criterion(t: Tree) -> Res<CriterionDoc> {
    const NAMES: &[&str] = &[
        "id",
        "theme",
        "label",
        "help",
        "unit",
        "weight",
        "value_function",
        "min",
        "max",
        "default",
        "knockout",
    ];
    let (mut id, mut theme, mut label, mut help) = (None, None, None, None);
    let (mut unit, mut weight, mut value_function) = (None, None, None);
    let (mut min, mut max, mut default, mut knockout) = (None, None, None, None);
    fields(t, "struct CriterionDoc", NAMES, &mut |i, v| {
        match i {
            0 => id = Some(string(v)?),
            1 => theme = Some(string(v)?),
            2 => label = Some(text(v)?),
            3 => help = Some(text(v)?),
            4 => unit = Some(option(v, string)?),
            5 => weight = Some(float(v)?),
            6 => value_function = Some(value_function_doc(v)?),
            7 => min = Some(option(v, float)?),
            8 => max = Some(option(v, float)?),
            9 => default = Some(option(v, default_value)?),
            _ => knockout = Some(option(v, knockout_doc)?),
        }
        Ok(())
    })?;
    Ok(CriterionDoc {
        id: need(id, "id")?,
        theme: need(theme, "theme")?,
        label: label.unwrap_or_default(),
        help: help.unwrap_or_default(),
        unit: unit.flatten(),
        weight: need(weight, "weight")?,
        value_function: need(value_function, "value_function")?,
        min: min.flatten(),
        max: max.flatten(),
        default: default.flatten(),
        knockout: knockout.flatten(),
    })
}

fn band(t: Tree) -> Res<BandDoc> {
    const NAMES: &[&str] = &["id", "label", "min"];
    let (mut id, mut label, mut min) = (None, None, None);
    fields(t, "struct BandDoc", NAMES, &mut |i, v| {
        match i {
            0 => id = Some(string(v)?),
            1 => label = Some(text(v)?),
            _ => min = Some(float(v)?),
        }
        Ok(())
    })?;
    Ok(BandDoc {
        id: need(id, "id")?,
        label: label.unwrap_or_default(),
        min: need(min, "min")?,
    })
}

fn perspective(t: Tree) -> Res<PerspectiveDoc> {
    const NAMES: &[&str] = &["id", "label", "help", "themes", "criteria"];
    let (mut id, mut label, mut help, mut themes, mut criteria) = (None, None, None, None, None);
    fields(t, "struct PerspectiveDoc", NAMES, &mut |i, v| {
        match i {
            0 => id = Some(string(v)?),
            1 => label = Some(text(v)?),
            2 => help = Some(text(v)?),
            3 => themes = Some(unique_map(v, float)?),
            _ => criteria = Some(unique_map(v, float)?),
        }
        Ok(())
    })?;
    Ok(PerspectiveDoc {
        id: need(id, "id")?,
        label: label.unwrap_or_default(),
        help: help.unwrap_or_default(),
        themes: themes.unwrap_or_default(),
        criteria: criteria.unwrap_or_default(),
    })
}

fn evidence_grade(t: Tree) -> Res<EvidenceGradeDoc> {
    const NAMES: &[&str] = &["id", "label", "widen"];
    let (mut id, mut label, mut widen) = (None, None, None);
    fields(t, "struct EvidenceGradeDoc", NAMES, &mut |i, v| {
        match i {
            0 => id = Some(string(v)?),
            1 => label = Some(text(v)?),
            _ => widen = Some(float(v)?),
        }
        Ok(())
    })?;
    Ok(EvidenceGradeDoc {
        id: need(id, "id")?,
        label: label.unwrap_or_default(),
        widen: need(widen, "widen")?,
    })
}

fn monetisation_doc(t: Tree) -> Res<MonetisationDoc> {
    const NAMES: &[&str] = &[
        "currency",
        "discount_rate",
        "proxies",
        "outcomes",
        "investment",
    ];
    let (mut currency, mut discount_rate, mut proxies) = (None, None, None);
    let (mut outcomes, mut investment) = (None, None);
    fields(t, "struct MonetisationDoc", NAMES, &mut |i, v| {
        match i {
            0 => currency = Some(string(v)?),
            1 => discount_rate = Some(float(v)?),
            2 => proxies = Some(seq(v, proxy)?),
            3 => outcomes = Some(seq(v, outcome)?),
            _ => investment = Some(option(v, string)?),
        }
        Ok(())
    })?;
    Ok(MonetisationDoc {
        currency: need(currency, "currency")?,
        discount_rate: need(discount_rate, "discount_rate")?,
        proxies: need(proxies, "proxies")?,
        outcomes: need(outcomes, "outcomes")?,
        investment: investment.flatten(),
    })
}

fn proxy(t: Tree) -> Res<ProxyDoc> {
    const NAMES: &[&str] = &["id", "label", "unit", "value", "source", "year", "licence"];
    let (mut id, mut label, mut unit, mut value) = (None, None, None, None);
    let (mut source, mut year, mut licence) = (None, None, None);
    fields(t, "struct ProxyDoc", NAMES, &mut |i, v| {
        match i {
            0 => id = Some(string(v)?),
            1 => label = Some(text(v)?),
            2 => unit = Some(string(v)?),
            3 => value = Some(float(v)?),
            4 => source = Some(string(v)?),
            5 => year = Some(unsigned(v, u16::MAX.into(), "u16")?),
            _ => licence = Some(string(v)?),
        }
        Ok(())
    })?;
    Ok(ProxyDoc {
        id: need(id, "id")?,
        label: label.unwrap_or_default(),
        unit: need(unit, "unit")?,
        value: need(value, "value")?,
        source: need(source, "source")?,
        // In range: `unsigned` checked it against u16::MAX.
        year: u16::try_from(need(year, "year")?).unwrap_or(u16::MAX),
        licence: need(licence, "licence")?,
    })
}

fn outcome(t: Tree) -> Res<OutcomeDoc> {
    const NAMES: &[&str] = &[
        "id",
        "criterion",
        "proxy",
        "deadweight",
        "displacement",
        "attribution",
        "drop_off",
        "duration_years",
    ];
    let (mut id, mut criterion, mut proxy) = (None, None, None);
    let (mut deadweight, mut displacement, mut attribution) = (None, None, None);
    let (mut drop_off, mut duration_years) = (None, None);
    fields(t, "struct OutcomeDoc", NAMES, &mut |i, v| {
        match i {
            0 => id = Some(string(v)?),
            1 => criterion = Some(string(v)?),
            2 => proxy = Some(string(v)?),
            3 => deadweight = Some(float(v)?),
            4 => displacement = Some(float(v)?),
            5 => attribution = Some(float(v)?),
            6 => drop_off = Some(float(v)?),
            _ => duration_years = Some(unsigned(v, u32::MAX.into(), "u32")?),
        }
        Ok(())
    })?;
    Ok(OutcomeDoc {
        id: need(id, "id")?,
        criterion: need(criterion, "criterion")?,
        proxy: need(proxy, "proxy")?,
        deadweight: deadweight.unwrap_or_default(),
        displacement: displacement.unwrap_or_default(),
        attribution: attribution.unwrap_or_default(),
        drop_off: drop_off.unwrap_or_default(),
        // In range: `unsigned` checked it against u32::MAX.
        duration_years: duration_years.map_or(1, |y| u32::try_from(y).unwrap_or(u32::MAX)),
    })
}

/// The entries of a struct, in document order: `read(i, value)` reads the value of field
/// `names[i]`. `expected` names the struct as serde does (`struct ThemeDoc`).
fn fields(
    t: Tree,
    expected: &str,
    names: &'static [&'static str],
    read: &mut dyn FnMut(usize, Tree) -> Res<()>,
) -> Res<()> {
    let entries = match t {
        Tree::Map(entries) => entries,
        other => return Err(invalid_type(&other, expected)),
    };
    let mut seen = 0u64;
    for (key, value) in entries {
        let Some(i) = names.iter().position(|name| *name == key) else {
            return Err(TreeError::unknown_field(&key, names).under(Segment::Key(key)));
        };
        let bit = 1u64 << i;
        if seen & bit != 0 {
            let name = names.get(i).copied().unwrap_or_default();
            return Err(TreeError::duplicate_field(name));
        }
        seen |= bit;
        read(i, value).map_err(|e| e.under(Segment::Key(key)))?;
    }
    Ok(())
}

fn need<T>(value: Option<T>, name: &'static str) -> Res<T> {
    value.ok_or_else(|| TreeError::missing_field(name))
}

fn invalid_type(t: &Tree, expected: &str) -> TreeError {
    TreeError::invalid_type(t.unexpected(), &expected)
}

fn string(t: Tree) -> Res<String> {
    match t {
        Tree::Str(s) => Ok(s),
        other => Err(invalid_type(&other, "a string")),
    }
}

/// serde's `f64`: any number.
fn float(t: Tree) -> Res<f64> {
    match t {
        Tree::UInt(n) => Ok(n as f64),
        Tree::Int(n) => Ok(n as f64),
        Tree::Float(x) => Ok(x),
        other => Err(invalid_type(&other, "f64")),
    }
}

/// serde's `u16` / `u32` (`name`): a whole number up to `max`; a float is the wrong type.
fn unsigned(t: Tree, max: u64, name: &'static str) -> Res<u64> {
    match t {
        Tree::UInt(n) if n <= max => Ok(n),
        Tree::UInt(n) => Err(TreeError::invalid_value(Unexpected::Unsigned(n), &name)),
        Tree::Int(n) => match u64::try_from(n) {
            Ok(n) if n <= max => Ok(n),
            _ => Err(TreeError::invalid_value(Unexpected::Signed(n), &name)),
        },
        other => Err(invalid_type(&other, name)),
    }
}

/// `null` is `None`.
fn option<T>(t: Tree, read: fn(Tree) -> Res<T>) -> Res<Option<T>> {
    match t {
        Tree::Null => Ok(None),
        other => read(other).map(Some),
    }
}

fn seq<T>(t: Tree, read: fn(Tree) -> Res<T>) -> Res<Vec<T>> {
    let mut out = Vec::new();
    items(t, &mut |item| {
        out.push(read(item)?);
        Ok(())
    })?;
    Ok(out)
}

/// The items of a sequence, each handed to `read` (errors under the item's index). One
/// function for every item type, the loop not repeated per type (nor `collect` into a
/// `Result`, an adapter per type): ≈ 500 bytes less per type in the browser module.
#[inline(never)]
fn items(t: Tree, read: &mut dyn FnMut(Tree) -> Res<()>) -> Res<()> {
    match t {
        Tree::Seq(items) => {
            for (i, item) in items.into_iter().enumerate() {
                read(item).map_err(|e| e.under(Segment::Index(i)))?;
            }
            Ok(())
        }
        other => Err(invalid_type(&other, "a sequence")),
    }
}

/// Text per language.
fn text(t: Tree) -> Res<BTreeMap<String, String>> {
    unique_map(t, string)
}

/// The document's `unique_map`: each key once.
fn unique_map<V>(t: Tree, read: fn(Tree) -> Res<V>) -> Res<BTreeMap<String, V>> {
    let entries = match t {
        Tree::Map(entries) => entries,
        other => return Err(invalid_type(&other, "a map")),
    };
    let mut out = BTreeMap::new();
    for (key, value) in entries {
        if out.contains_key(&key) {
            return Err(TreeError::custom(crate::doc::given_twice(&key)));
        }
        let value = read(value).map_err(|e| e.under(Segment::Key(key.clone())))?;
        out.insert(key, value);
    }
    Ok(out)
}

/// An enum of unit variants written as `"name"` (or `{"name": null}`), as serde reads it
/// through the tree: the index of the variant.
fn unit_enum(t: Tree, expected: &str, variants: &'static [&'static str]) -> Res<usize> {
    let (name, value) = enum_parts(t, expected)?;
    let i = variant(&name, variants)?;
    match value {
        None | Some(Tree::Null) => Ok(i),
        Some(other) => Err(invalid_type(&other, "unit variant")),
    }
}

/// An externally tagged enum: `"variant"` or `{"variant": value}` (exactly one entry).
fn enum_parts(t: Tree, expected: &str) -> Res<(String, Option<Tree>)> {
    match t {
        Tree::Str(name) => Ok((name, None)),
        Tree::Map(entries) if entries.len() == 1 => match entries.into_iter().next() {
            Some((name, value)) => Ok((name, Some(value))),
            None => Err(TreeError::invalid_value(Unexpected::Map, &expected)),
        },
        Tree::Map(_) => Err(TreeError::invalid_value(Unexpected::Map, &expected)),
        other => Err(invalid_type(&other, expected)),
    }
}

fn variant(name: &str, variants: &'static [&'static str]) -> Res<usize> {
    variants
        .iter()
        .position(|v| *v == name)
        .ok_or_else(|| TreeError::unknown_variant(name, variants))
}

fn aggregation_enum(t: Tree) -> Res<Aggregation> {
    const VARIANTS: &[&str] = &["weighted_sum", "weighted_product"];
    Ok(match unit_enum(t, "enum Aggregation", VARIANTS)? {
        0 => Aggregation::WeightedSum,
        _ => Aggregation::WeightedProduct,
    })
}

fn missing_enum(t: Tree) -> Res<MissingPolicy> {
    const VARIANTS: &[&str] = &["error", "zero", "renormalise"];
    Ok(match unit_enum(t, "enum MissingPolicy", VARIANTS)? {
        0 => MissingPolicy::Error,
        1 => MissingPolicy::Zero,
        _ => MissingPolicy::Renormalise,
    })
}

fn unknown_enum(t: Tree) -> Res<UnknownInputPolicy> {
    const VARIANTS: &[&str] = &["error", "warn"];
    Ok(match unit_enum(t, "enum UnknownInputPolicy", VARIANTS)? {
        0 => UnknownInputPolicy::Error,
        _ => UnknownInputPolicy::Warn,
    })
}

/// serde's `bool`.
fn boolean(t: Tree) -> Res<bool> {
    match t {
        Tree::Bool(b) => Ok(b),
        other => Err(invalid_type(&other, "a boolean")),
    }
}

fn knockout_doc(t: Tree) -> Res<KnockoutDoc> {
    const VARIANTS: &[&str] = &["at_least", "at_most", "required", "one_of"];
    let (name, value) = enum_parts(t, "enum KnockoutDoc")?;
    let i = variant(&name, VARIANTS)?;
    // A variant written as a bare string has the value `null`.
    let value = value.unwrap_or(Tree::Null);
    let read = match i {
        0 => float(value).map(KnockoutDoc::AtLeast),
        1 => float(value).map(KnockoutDoc::AtMost),
        2 => boolean(value).map(KnockoutDoc::Required),
        _ => seq(value, string).map(KnockoutDoc::OneOf),
    };
    read.map_err(|e| e.under(Segment::Key(name)))
}

/// The untagged `DefaultValue`: the first variant that reads the value.
fn default_value(t: Tree) -> Res<DefaultValue> {
    match t {
        Tree::UInt(n) => Ok(DefaultValue::Number(n as f64)),
        Tree::Int(n) => Ok(DefaultValue::Number(n as f64)),
        Tree::Float(x) => Ok(DefaultValue::Number(x)),
        Tree::Bool(b) => Ok(DefaultValue::Bool(b)),
        Tree::Str(s) => Ok(DefaultValue::Option(s)),
        _ => Err(TreeError::custom(
            "data did not match any variant of untagged enum DefaultValue",
        )),
    }
}

/// The rest of an internally tagged value once its tag is taken out: the other entries of
/// the map, or the other items of the array. serde buffers it, so errors inside it carry
/// no path of their own (they are reported at the value function's path).
enum Rest {
    Map(Vec<(String, Tree)>),
    Seq(Vec<Tree>),
}

/// The value function, tagged by `type` (serde's internally tagged enum).
fn value_function_doc(t: Tree) -> Res<ValueFunctionDoc> {
    const VARIANTS: &[&str] = &[
        "linear",
        "piecewise",
        "log",
        "likert",
        "boolean",
        "category",
    ];
    let tag_of = |t: Tree| match t {
        Tree::Str(name) => variant(&name, VARIANTS),
        other => Err(invalid_type(&other, "variant identifier")),
    };
    let (tag, rest) = match t {
        Tree::Map(entries) => {
            let mut tag = None;
            let mut rest = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                if key == "type" {
                    if tag.is_some() {
                        return Err(TreeError::duplicate_field("type"));
                    }
                    tag = Some(tag_of(value).map_err(|e| e.under(Segment::Key(key)))?);
                } else {
                    rest.push((key, value));
                }
            }
            (
                tag.ok_or_else(|| TreeError::missing_field("type"))?,
                Rest::Map(rest),
            )
        }
        Tree::Seq(items) => {
            let mut items = items.into_iter();
            let Some(first) = items.next() else {
                return Err(TreeError::missing_field("type"));
            };
            let tag = tag_of(first).map_err(|e| e.under(Segment::Index(0)))?;
            (tag, Rest::Seq(items.collect()))
        }
        other => {
            return Err(invalid_type(
                &other,
                "internally tagged enum ValueFunctionDoc",
            ));
        }
    };
    match tag {
        0 => {
            let [worst, best] = buffered_struct(
                rest,
                "struct variant ValueFunctionDoc::Linear",
                &["worst", "best"],
                &[false, false],
                &mut |_, v| float(v).map(Field::Float),
            )?;
            Ok(ValueFunctionDoc::Linear {
                worst: worst.float(),
                best: best.float(),
            })
        }
        1 => {
            let [points] = buffered_struct(
                rest,
                "struct variant ValueFunctionDoc::Piecewise",
                &["points"],
                &[false],
                &mut |_, v| buffered_seq(v, "a sequence", pair).map(Field::Points),
            )?;
            Ok(ValueFunctionDoc::Piecewise {
                points: match points {
                    Field::Points(p) => p,
                    _ => Vec::new(),
                },
            })
        }
        2 => {
            let [best, scale] = buffered_struct(
                rest,
                "struct variant ValueFunctionDoc::Log",
                &["best", "scale"],
                &[false, false],
                &mut |_, v| float(v).map(Field::Float),
            )?;
            Ok(ValueFunctionDoc::Log {
                best: best.float(),
                scale: scale.float(),
            })
        }
        3 => {
            let [levels] = buffered_struct(
                rest,
                "struct variant ValueFunctionDoc::Likert",
                &["levels"],
                &[false],
                &mut |_, v| unsigned(v, u32::MAX.into(), "u32").map(Field::Unsigned),
            )?;
            Ok(ValueFunctionDoc::Likert {
                levels: match levels {
                    Field::Unsigned(n) => u32::try_from(n).unwrap_or(u32::MAX),
                    _ => 0,
                },
            })
        }
        4 => match rest {
            // serde's unit variant visitor takes any map and no array items.
            Rest::Map(_) => Ok(ValueFunctionDoc::Boolean),
            Rest::Seq(items) if items.is_empty() => Ok(ValueFunctionDoc::Boolean),
            Rest::Seq(items) => Err(TreeError::invalid_length(
                items.len(),
                &"0 elements in sequence",
            )),
        },
        _ => {
            let [options] = buffered_struct(
                rest,
                "struct variant ValueFunctionDoc::Category",
                &["options"],
                &[false],
                &mut |_, v| buffered_seq(v, "a sequence", option_doc).map(Field::Options),
            )?;
            Ok(ValueFunctionDoc::Category {
                options: match options {
                    Field::Options(o) => o,
                    _ => Vec::new(),
                },
            })
        }
    }
}

/// A field read from buffered content.
enum Field {
    Absent,
    Float(f64),
    Unsigned(u64),
    Str(String),
    Text(BTreeMap<String, String>),
    Points(Vec<[f64; 2]>),
    Options(Vec<OptionDoc>),
}

impl Field {
    fn float(self) -> f64 {
        match self {
            Field::Float(x) => x,
            _ => 0.0,
        }
    }
}

/// A struct read from buffered content (serde's `ContentDeserializer`): a map by field
/// name, or an array by position (then ending with the struct's fields). `optional[i]`:
/// field i has a default (then `Field::Absent` when not given). Errors carry no path.
fn buffered_struct<const N: usize>(
    rest: Rest,
    expected: &str,
    names: &'static [&'static str],
    optional: &[bool; N],
    read: &mut dyn FnMut(usize, Tree) -> Res<Field>,
) -> Res<[Field; N]> {
    let mut out: [Field; N] = std::array::from_fn(|_| Field::Absent);
    let mut given = [false; N];
    match rest {
        Rest::Map(entries) => {
            for (key, value) in entries {
                let Some(i) = names.iter().position(|name| *name == key) else {
                    return Err(TreeError::unknown_field(&key, names));
                };
                let (Some(slot), Some(seen)) = (out.get_mut(i), given.get_mut(i)) else {
                    return Err(TreeError::unknown_field(&key, names));
                };
                if *seen {
                    return Err(TreeError::duplicate_field(
                        names.get(i).copied().unwrap_or_default(),
                    ));
                }
                *seen = true;
                *slot = read(i, value)?;
            }
            for (i, seen) in given.iter().enumerate() {
                if !seen && !optional.get(i).copied().unwrap_or(false) {
                    return Err(TreeError::missing_field(
                        names.get(i).copied().unwrap_or_default(),
                    ));
                }
            }
        }
        Rest::Seq(items) => {
            let count = items.len();
            let mut items = items.into_iter();
            let mut used = 0;
            for (i, slot) in out.iter_mut().enumerate() {
                match items.next() {
                    Some(item) => {
                        used += 1;
                        *slot = read(i, item)?;
                    }
                    None if optional.get(i).copied().unwrap_or(false) => {}
                    None => {
                        return Err(TreeError::invalid_length(
                            i,
                            &format!(
                                "{expected} with {N} element{}",
                                if N == 1 { "" } else { "s" }
                            )
                            .as_str(),
                        ));
                    }
                }
            }
            if count > used {
                return Err(too_long(count, used));
            }
        }
    }
    Ok(out)
}

/// serde's message for buffered items left over.
fn too_long(count: usize, used: usize) -> TreeError {
    let expected = if used == 1 {
        "1 element in sequence".to_owned()
    } else {
        format!("{used} elements in sequence")
    };
    TreeError::invalid_length(count, &expected.as_str())
}

/// A sequence in buffered content.
fn buffered_seq<T>(t: Tree, expected: &str, read: fn(Tree) -> Res<T>) -> Res<Vec<T>> {
    match t {
        Tree::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(read(item)?);
            }
            Ok(out)
        }
        other => Err(invalid_type(&other, expected)),
    }
}

/// A piecewise point `[x, v]` in buffered content (serde's `[f64; 2]`).
fn pair(t: Tree) -> Res<[f64; 2]> {
    const EXPECTED: &str = "an array of length 2";
    let Tree::Seq(items) = t else {
        return Err(invalid_type(&t, EXPECTED));
    };
    let count = items.len();
    let mut items = items.into_iter();
    let mut out = [0.0; 2];
    for (i, slot) in out.iter_mut().enumerate() {
        match items.next() {
            Some(item) => *slot = float(item)?,
            None => return Err(TreeError::invalid_length(i, &EXPECTED)),
        }
    }
    if count > 2 {
        return Err(too_long(count, 2));
    }
    Ok(out)
}

/// A category option in buffered content.
fn option_doc(t: Tree) -> Res<OptionDoc> {
    let rest = match t {
        Tree::Map(entries) => Rest::Map(entries),
        Tree::Seq(items) => Rest::Seq(items),
        other => return Err(invalid_type(&other, "struct OptionDoc")),
    };
    let [id, label, value] = buffered_struct(
        rest,
        "struct OptionDoc",
        &["id", "label", "value"],
        &[false, true, false],
        &mut |i, v| match i {
            0 => string(v).map(Field::Str),
            1 => buffered_text(v).map(Field::Text),
            _ => float(v).map(Field::Float),
        },
    )?;
    Ok(OptionDoc {
        id: match id {
            Field::Str(s) => s,
            _ => String::new(),
        },
        label: match label {
            Field::Text(t) => t,
            _ => BTreeMap::new(),
        },
        value: value.float(),
    })
}

/// Text per language in buffered content: values carry no path.
fn buffered_text(t: Tree) -> Res<BTreeMap<String, String>> {
    let entries = match t {
        Tree::Map(entries) => entries,
        other => return Err(invalid_type(&other, "a map")),
    };
    let mut out = BTreeMap::new();
    for (key, value) in entries {
        if out.contains_key(&key) {
            return Err(TreeError::custom(crate::doc::given_twice(&key)));
        }
        let value = string(value)?;
        out.insert(key, value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The derived reader (serde's `Deserialize` through the tree's deserializer), as
    /// `RubricDoc::from_tree` read before this module.
    fn reference(t: Tree) -> std::result::Result<RubricDoc, (String, String)> {
        t.read::<RubricDoc>()
            .map_err(|e| (e.path(), e.message.clone()))
    }

    fn by_hand(t: Tree) -> std::result::Result<RubricDoc, (String, String)> {
        rubric(t).map_err(|e| {
            let e = e.finish();
            (e.path(), e.message.clone())
        })
    }

    fn compare(text: &str, checked: &mut usize) {
        let tree: Tree = serde_json::from_str(text).unwrap();
        if !matches!(tree, Tree::Map(_)) {
            return;
        }
        *checked += 1;
        assert_eq!(
            by_hand(tree.clone()),
            reference(tree),
            "readers differ on {text}"
        );
    }

    /// Every value replaced by values of other kinds, every key removed, an unknown key in
    /// every object, every key given twice.
    fn mutations(v: &Value) -> Vec<String> {
        let replacements = [
            Value::Null,
            Value::Bool(true),
            serde_json::json!(-1),
            serde_json::json!(0),
            serde_json::json!(70000),
            serde_json::json!(5000000000u64),
            serde_json::json!(1.5),
            serde_json::json!(1e300),
            serde_json::json!("x"),
            serde_json::json!("weighted_product"),
            serde_json::json!([]),
            serde_json::json!([1]),
            serde_json::json!(["x", 2]),
            serde_json::json!({}),
            serde_json::json!({"zz": 1}),
            serde_json::json!({"at_least": 1}),
            serde_json::json!({"a": "x", "b": 2}),
        ];
        let mut out = Vec::new();
        let at = crate::test_support::json_pointers(v);
        for (p, _) in at.iter().skip(1) {
            for r in &replacements {
                let mut m = v.clone();
                *m.pointer_mut(p).unwrap() = r.clone();
                out.push(m.to_string());
            }
            if let Some(m) = crate::test_support::without_key(v, p) {
                out.push(m.to_string());
            }
        }
        for (p, _) in &at {
            let mut m = v.clone();
            let keys: Vec<String> = match m.pointer_mut(p) {
                Some(Value::Object(obj)) => {
                    obj.insert("weigth".into(), Value::from(1));
                    obj.keys().cloned().collect()
                }
                _ => continue,
            };
            let text = m.to_string();
            out.push(text.clone());
            // Every key of this object given twice (the text keeps both).
            for k in keys {
                let needle = format!("{}:", Value::from(k));
                out.push(text.replacen(&needle, &format!("{needle}null,{needle}"), 1));
            }
        }
        out
    }

    /// The hand-written reader gives the same document, or the same message and path, as
    /// the derived one for every vector's rubric, the built-in rubric and thousands of
    /// mutations of them.
    #[test]
    fn agrees_with_the_derived_reader() {
        let rubrics = crate::test_support::vector_rubrics();
        let mut checked = 0;
        for r in &rubrics {
            compare(&r.to_string(), &mut checked);
            for m in mutations(r) {
                compare(&m, &mut checked);
            }
        }
        assert!(checked > 5000, "only {checked} documents compared");
    }

    /// The shapes serde reads in ways of its own: value functions written as arrays (by
    /// position), buffered content, tags and variants given twice or not at all.
    #[test]
    fn agrees_on_odd_shapes() {
        let value_functions = [
            r#"["linear", 0, 1]"#,
            r#"["linear", 0]"#,
            r#"["linear", 0, 1, 2]"#,
            r#"["linear"]"#,
            r#"[]"#,
            r#"[5, 1]"#,
            r#"["boolean"]"#,
            r#"["boolean", 1]"#,
            r#"["boolean", 1, 2]"#,
            r#"["likert", 5]"#,
            r#"["likert", 1.5]"#,
            r#"["likert", -1]"#,
            r#"["likert", 5000000000]"#,
            r#"["piecewise", [[0, 0], [1, 1]]]"#,
            r#"["piecewise", [[0, 0, 1]]]"#,
            r#"["piecewise", [[0]]]"#,
            r#"["piecewise", [{"a": 1}]]"#,
            r#"["category", [["a", {"en": "A"}, 1]]]"#,
            r#"["category", [["a"]]]"#,
            r#"["category", [["a", {"en": "A"}]]]"#,
            r#"["category", [["a", {}, 1, 2]]]"#,
            r#"["category", [["a", {"en": 1}, 1]]]"#,
            r#"["category", [["a", null, 1]]]"#,
            r#"{"type": "boolean", "x": 1}"#,
            r#"{"type": "category", "options": [{"id": "a", "value": 1, "label": {"en": "x", "en": "y"}}]}"#,
            r#"{"type": "category", "options": [{"id": "a"}]}"#,
            r#"{"type": "category", "options": [{"id": "a", "value": 1, "zz": 1}]}"#,
            r#"{"type": "category", "options": [{"id": "a", "value": 1, "id": "b"}]}"#,
            r#"{"type": "category", "options": [5]}"#,
            r#"{"type": "category", "options": {"a": 1}}"#,
            r#"{"type": "linear", "worst": 0, "best": 1, "best": 2}"#,
            r#"{"type": "linear", "type": "linear", "worst": 0, "best": 1}"#,
            r#"{"type": "linear", "worst": 0, "best": 1, "type": "log"}"#,
            r#"{"type": "linear", "worst": "x", "zz": 1}"#,
            r#"{"type": "linear", "zz": 1, "worst": "x"}"#,
            r#"{"type": 5}"#,
            r#"{"type": "nope"}"#,
            r#"{"worst": 0}"#,
            r#"{"type": "piecewise", "points": [[0, 0], [1, 1, 1]]}"#,
            r#"{"type": "piecewise", "points": "x"}"#,
            r#"{"type": "likert", "levels": 3.0}"#,
            r#""linear""#,
            r#"null"#,
        ];
        let knockouts = [
            r#""at_least""#,
            r#""required""#,
            r#""one_of""#,
            r#"{"at_least": "x"}"#,
            r#"{"at_most": 2}"#,
            r#"{"one_of": ["a", 1]}"#,
            r#"{"one_of": "a"}"#,
            r#"{"required": 1}"#,
            r#"{"required": true}"#,
            r#"{"at_least": 1, "at_most": 2}"#,
            r#"{}"#,
            r#""nope""#,
            r#"{"nope": 1}"#,
            r#"5"#,
            r#"null"#,
        ];
        let defaults = [
            r#"[1]"#,
            r#"{"a": 1}"#,
            r#"-3"#,
            r#"true"#,
            r#""a""#,
            r#"null"#,
        ];
        let policies = [
            r#""weighted_product""#,
            r#"{"weighted_sum": null}"#,
            r#"{"weighted_sum": 1}"#,
            r#"{"nope": null}"#,
            r#"{"weighted_sum": null, "weighted_product": null}"#,
            r#"{}"#,
            r#"5"#,
            r#"null"#,
            r#""warn""#,
            r#""renormalise""#,
        ];
        let rubric = |policies: [&str; 3], vf: &str, knockout: &str, default: &str| {
            let [aggregation, missing, unknown] = policies;
            format!(
                r#"{{"id": "r", "version": "1", "aggregation": {aggregation}, "missing": {missing}, "unknown_inputs": {unknown},
                "themes": [{{"id": "t", "weight": 1}}],
                "criteria": [{{"id": "c", "theme": "t", "weight": 1, "value_function": {vf}, "knockout": {knockout}, "default": {default}}}],
                "perspectives": [{{"id": "p", "themes": {{"t": 1}}}}],
                "monetisation": {{"currency": "EUR", "discount_rate": 0.03, "proxies": [{{"id": "x", "unit": "h", "value": 1, "source": "s", "year": {default}, "licence": "l"}}], "outcomes": [{{"id": "o", "criterion": "c", "proxy": "x", "duration_years": {default}}}]}}}}"#
            )
        };
        const VALID: [&str; 3] = [r#""weighted_sum""#, r#""error""#, r#""error""#];
        let mut checked = 0;
        for vf in value_functions {
            compare(&rubric(VALID, vf, "null", "null"), &mut checked);
        }
        for ko in knockouts {
            compare(
                &rubric(VALID, r#"{"type": "boolean"}"#, ko, "null"),
                &mut checked,
            );
        }
        for d in defaults
            .iter()
            .chain(&["70000", "5000000000", "1.5", "2026"])
        {
            compare(
                &rubric(VALID, r#"{"type": "boolean"}"#, "null", d),
                &mut checked,
            );
        }
        for p in policies {
            for i in 0..3 {
                let mut policies = VALID;
                policies[i] = p;
                let text = rubric(policies, r#"{"type": "boolean"}"#, "null", "null");
                compare(&text, &mut checked);
            }
        }
        assert_eq!(
            checked,
            value_functions.len() + knockouts.len() + defaults.len() + 4 + 3 * policies.len()
        );
    }
}
