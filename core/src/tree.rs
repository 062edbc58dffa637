//! A document as a plain tree of values, and a serde reader over it that knows the path of
//! every value it reads.
//!
//! Two users: a binding that hands over a value it read from its host (the browser package
//! turns a JS object into a [`Tree`] and calls [`Inputs::from_tree`]), and the rubric readers
//! when the `positions` feature is off (the browser build): the text is parsed into a tree,
//! then read into the document types by hand (`doc_tree.rs`, which follows serde's derived
//! code over this deserializer exactly). That gives the same error codes and paths as the
//! default readers (`serde_path_to_error` over the text) with much less code; the messages
//! then name no line and column.
//!
//! The path rules follow `serde_path_to_error` as the crate writes paths: `key`, `[index]`,
//! joined with `.` (`criteria[3].value_function.best`), the innermost field that failed, an
//! enum variant counted as a key, and the key itself for a key that failed (an unknown
//! field). The tests below check that both readers agree on every vector's rubric and on
//! thousands of mutations of them. One difference by design: a struct written as an array
//! is refused as a whole (`invalid type: sequence, expected struct …` at the struct's path),
//! where serde_json reads its fields by position; and a syntax error has the empty path
//! (its message names the line and column).

use std::fmt;

use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

use crate::doc::RubricDoc;
use crate::error::{ErrorKind, Result};
use crate::input::Inputs;

/// A value of a parsed document (JSON's data model; TOML and JS values map onto it).
#[derive(Debug, Clone, PartialEq)]
pub enum Tree {
    /// `null` (JSON), `undefined`/`null` (JS).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number written without a fraction that fits in `u64`.
    UInt(u64),
    /// A negative whole number that fits in `i64`.
    Int(i64),
    /// Any other number (NaN and ±infinity included: JS and TOML have them).
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Seq(Vec<Tree>),
    /// An object's entries in document order. A key given twice stays twice, so that a
    /// struct refuses it (`duplicate field`) as it does when read from text.
    Map(Vec<(String, Tree)>),
}

impl Tree {
    pub(crate) fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Tree::Null => Unexpected::Unit,
            Tree::Bool(b) => Unexpected::Bool(*b),
            Tree::UInt(n) => Unexpected::Unsigned(*n),
            Tree::Int(n) => Unexpected::Signed(*n),
            Tree::Float(x) => Unexpected::Float(*x),
            Tree::Str(s) => Unexpected::Str(s),
            Tree::Seq(_) => Unexpected::Seq,
            Tree::Map(_) => Unexpected::Map,
        }
    }

    /// Read a value of type `T` from the tree.
    ///
    /// # Errors
    /// The deserializer's message and the path of the value that failed (see the module
    /// docs), e.g. `("criteria[0].weight", "invalid type: string \"x\", expected f64")`.
    pub fn read<T: de::DeserializeOwned>(self) -> std::result::Result<T, TreeError> {
        T::deserialize(TreeDe(self)).map_err(TreeError::finish)
    }
}

impl Inputs {
    /// Read the inputs of one initiative from a tree (a JS object read by the browser
    /// package), by the same rules and with the same codes and paths as
    /// [`Inputs::from_json`].
    ///
    /// # Errors
    /// `input.parse` with the path of the bad value (`input.volunteer_hours`) for a tree that
    /// is not a map or a value of an impossible shape. The size limit is the caller's.
    pub fn from_tree(tree: Tree) -> Result<Self> {
        tree.read::<Inputs>().map_err(|e| {
            let path = e.path_under("input");
            ErrorKind::InputParse { message: e.message }.at(path)
        })
    }
}

/// Read a rubric document through a tree: the reader of [`RubricDoc::from_toml`] when the
/// `positions` feature is off (JSON has its own reader, `json_tree.rs`). `message` turns a
/// syntax error of the text into its message (which names the line and column).
#[cfg_attr(any(feature = "positions", not(feature = "toml")), allow(dead_code))]
pub(crate) fn read_doc<'de, D: Deserializer<'de>>(
    de: D,
    format: &'static str,
    message: impl FnOnce(D::Error) -> String,
) -> Result<RubricDoc> {
    let tree = Tree::deserialize(de).map_err(|e| {
        ErrorKind::RubricParse {
            format,
            message: message(e),
        }
        .at("")
    })?;
    RubricDoc::from_tree(tree, format)
}

impl RubricDoc {
    /// Read a rubric document from a tree (no validation beyond types). `format` names the
    /// text it came from in messages (`"JSON"`, `"TOML"`).
    ///
    /// # Errors
    /// `rubric.parse` with the path of the offending field (see the module docs).
    pub fn from_tree(tree: Tree, format: &'static str) -> Result<Self> {
        if !matches!(tree, Tree::Map(_)) {
            return Err(ErrorKind::RubricParse {
                format,
                message: "a rubric must be an object with id, version, themes and criteria"
                    .to_owned(),
            }
            .at(""));
        }
        crate::doc_tree::rubric(tree).map_err(|e| {
            let e = e.finish();
            let path = e.path();
            ErrorKind::RubricParse {
                format,
                message: e.message.trim_end().to_owned(),
            }
            .at(path)
        })
    }
}

#[cfg(feature = "toml")]
impl Tree {
    /// Parse TOML text into a tree (what the browser package's TOML module does before the
    /// main module reads the rubric from it).
    ///
    /// # Errors
    /// `rubric.too_large` above [`crate::MAX_RUBRIC_TEXT_BYTES`]; `rubric.parse` for a syntax
    /// error, its message naming the line and column.
    pub fn from_toml(text: &str) -> Result<Tree> {
        crate::parse::check_size(text)?;
        let de = toml::Deserializer::parse(text).map_err(|e| {
            ErrorKind::RubricParse {
                format: "TOML",
                message: crate::parse::toml_message(text, &e),
            }
            .at("")
        })?;
        Tree::deserialize(de).map_err(|e| {
            ErrorKind::RubricParse {
                format: "TOML",
                message: crate::parse::toml_message(text, &e),
            }
            .at("")
        })
    }
}

/// Reads a tree from any self-describing format (used for JSON and TOML text).
impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Tree, E> {
        Ok(Tree::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Tree, E> {
        Ok(u64::try_from(v).map_or(Tree::Int(v), Tree::UInt))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Tree, E> {
        Ok(Tree::UInt(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Tree, E> {
        Ok(Tree::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Tree, E> {
        Ok(Tree::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Tree, E> {
        Ok(Tree::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_none<E: de::Error>(self) -> std::result::Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Tree, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Tree, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Tree, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(entry) = map.next_entry::<String, Tree>()? {
            entries.push(entry);
        }
        Ok(Tree::Map(entries))
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// Why reading a [`Tree`] failed, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeError {
    /// The deserializer's message.
    pub message: String,
    /// Innermost segment first while the error travels up; root first after `finish`.
    segments: Vec<Segment>,
}

impl TreeError {
    pub(crate) fn under(mut self, segment: Segment) -> Self {
        self.segments.push(segment);
        self
    }

    pub(crate) fn finish(mut self) -> Self {
        self.segments.reverse();
        self
    }

    /// The path as this crate writes paths (`criteria[3].weight`); empty for the root.
    pub fn path(&self) -> String {
        self.path_under("")
    }

    /// The path after `prefix` (`input` + `volunteer_hours` = `input.volunteer_hours`).
    pub fn path_under(&self, prefix: &str) -> String {
        let mut out = prefix.to_owned();
        for segment in &self.segments {
            match segment {
                Segment::Key(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TreeError {}

impl de::Error for TreeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        TreeError {
            message: msg.to_string(),
            segments: Vec::new(),
        }
    }

    /// serde's message, with a float written by [`float_text`](crate::float_text) (serde's
    /// `Unexpected` writes it with std's formatting, ≈ 20 KB of the browser module).
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::custom(format_args!(
            "invalid type: {}, expected {exp}",
            unexpected_text(unexp)
        ))
    }

    /// As [`invalid_type`](Self::invalid_type): serde's message, floats written by the core.
    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::custom(format_args!(
            "invalid value: {}, expected {exp}",
            unexpected_text(unexp)
        ))
    }
}

/// serde's text for an unexpected value (`Unexpected`'s `Display`), a float written by
/// [`float_text::unexpected`](crate::float_text::unexpected) (the same text).
fn unexpected_text(unexp: Unexpected<'_>) -> String {
    match unexp {
        Unexpected::Float(x) => crate::float_text::unexpected(x),
        Unexpected::Bool(b) => format!("boolean `{b}`"),
        Unexpected::Unsigned(i) => format!("integer `{i}`"),
        Unexpected::Signed(i) => format!("integer `{i}`"),
        Unexpected::Char(c) => format!("character `{c}`"),
        Unexpected::Str(s) => format!("string {s:?}"),
        Unexpected::Bytes(_) => "byte array".to_owned(),
        Unexpected::Unit => "unit value".to_owned(),
        Unexpected::Option => "Option value".to_owned(),
        Unexpected::NewtypeStruct => "newtype struct".to_owned(),
        Unexpected::Seq => "sequence".to_owned(),
        Unexpected::Map => "map".to_owned(),
        Unexpected::Enum => "enum".to_owned(),
        Unexpected::UnitVariant => "unit variant".to_owned(),
        Unexpected::NewtypeVariant => "newtype variant".to_owned(),
        Unexpected::TupleVariant => "tuple variant".to_owned(),
        Unexpected::StructVariant => "struct variant".to_owned(),
        Unexpected::Other(other) => other.to_owned(),
    }
}

type Res<T> = std::result::Result<T, TreeError>;

/// The deserializer: one node, consumed. Structs are read from maps only and sequences from
/// arrays only (as JSON has them), which keeps the code per document type small.
struct TreeDe(Tree);

impl<'de> Deserializer<'de> for TreeDe {
    type Error = TreeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        match self.0 {
            Tree::Null => visitor.visit_unit(),
            Tree::Bool(b) => visitor.visit_bool(b),
            Tree::UInt(n) => visitor.visit_u64(n),
            Tree::Int(n) => visitor.visit_i64(n),
            Tree::Float(x) => visitor.visit_f64(x),
            Tree::Str(s) => visitor.visit_string(s),
            Tree::Seq(items) => visitor.visit_seq(SeqDe::new(items)),
            Tree::Map(entries) => visitor.visit_map(MapDe::new(entries)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        match self.0 {
            Tree::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        match self.0 {
            Tree::Null => visitor.visit_unit(),
            _ => Err(de::Error::invalid_type(self.0.unexpected(), &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Res<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Res<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        match self.0 {
            Tree::Seq(items) => visitor.visit_seq(SeqDe::new(items)),
            _ => Err(de::Error::invalid_type(self.0.unexpected(), &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Res<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Res<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        match self.0 {
            Tree::Map(entries) => visitor.visit_map(MapDe::new(entries)),
            _ => Err(de::Error::invalid_type(self.0.unexpected(), &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        match self.0 {
            Tree::Str(variant) => visitor.visit_enum(EnumDe {
                variant,
                value: None,
            }),
            Tree::Map(entries) if entries.len() == 1 => {
                let mut entries = entries.into_iter();
                match entries.next() {
                    Some((variant, value)) => visitor.visit_enum(EnumDe {
                        variant,
                        value: Some(value),
                    }),
                    None => Err(de::Error::invalid_value(Unexpected::Map, &visitor)),
                }
            }
            Tree::Map(_) => Err(de::Error::invalid_value(Unexpected::Map, &visitor)),
            _ => Err(de::Error::invalid_type(self.0.unexpected(), &visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        match self.0 {
            Tree::Str(s) => visitor.visit_string(s),
            _ => Err(de::Error::invalid_type(self.0.unexpected(), &visitor)),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
    }
}

struct SeqDe {
    items: std::vec::IntoIter<Tree>,
    index: usize,
}

impl SeqDe {
    fn new(items: Vec<Tree>) -> Self {
        SeqDe {
            items: items.into_iter(),
            index: 0,
        }
    }
}

impl<'de> SeqAccess<'de> for SeqDe {
    type Error = TreeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Res<Option<T::Value>> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(TreeDe(item))
            .map(Some)
            .map_err(|e| e.under(Segment::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe {
    entries: std::vec::IntoIter<(String, Tree)>,
    /// The entry whose key was read and whose value is next.
    value: Option<(String, Tree)>,
}

impl MapDe {
    fn new(entries: Vec<(String, Tree)>) -> Self {
        MapDe {
            entries: entries.into_iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for MapDe {
    type Error = TreeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Res<Option<K::Value>> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        let read = seed.deserialize(KeyDe(&key));
        match read {
            Ok(k) => {
                self.value = Some((key, value));
                Ok(Some(k))
            }
            Err(e) => Err(e.under(Segment::Key(key))),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Res<V::Value> {
        let (key, value) = self
            .value
            .take()
            .ok_or_else(|| <TreeError as de::Error>::custom("value asked before its key"))?;
        seed.deserialize(TreeDe(value))
            .map_err(|e| e.under(Segment::Key(key)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A map key: a string, also offered as a borrowed `&str` to field identifiers.
struct KeyDe<'a>(&'a str);

impl<'de> Deserializer<'de> for KeyDe<'_> {
    type Error = TreeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        visitor.visit_str(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// An enum written as `"variant"` or `{"variant": value}`.
struct EnumDe {
    variant: String,
    value: Option<Tree>,
}

impl<'de> EnumAccess<'de> for EnumDe {
    type Error = TreeError;
    type Variant = VariantDe;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Res<(V::Value, VariantDe)> {
        let v = seed.deserialize(KeyDe(&self.variant))?;
        Ok((
            v,
            VariantDe {
                variant: self.variant,
                value: self.value,
            },
        ))
    }
}

struct VariantDe {
    variant: String,
    value: Option<Tree>,
}

impl VariantDe {
    fn content(self) -> (String, Tree) {
        (self.variant, self.value.unwrap_or(Tree::Null))
    }
}

impl<'de> VariantAccess<'de> for VariantDe {
    type Error = TreeError;

    fn unit_variant(self) -> Res<()> {
        match self.value {
            None | Some(Tree::Null) => Ok(()),
            Some(other) => Err(de::Error::invalid_type(other.unexpected(), &"unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Res<T::Value> {
        let (variant, value) = self.content();
        seed.deserialize(TreeDe(value))
            .map_err(|e| e.under(Segment::Key(variant)))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Res<V::Value> {
        let (variant, value) = self.content();
        TreeDe(value)
            .deserialize_seq(visitor)
            .map_err(|e| e.under(Segment::Key(variant)))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        let (variant, value) = self.content();
        TreeDe(value)
            .deserialize_map(visitor)
            .map_err(|e| e.under(Segment::Key(variant)))
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;
    use crate::InputValue;

    fn json(text: &str) -> Tree {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn numbers_keep_their_kind() {
        assert_eq!(
            json(r#"[1, -2, 2.5, 1e300, 18446744073709551615]"#),
            Tree::Seq(vec![
                Tree::UInt(1),
                Tree::Int(-2),
                Tree::Float(2.5),
                Tree::Float(1e300),
                Tree::UInt(u64::MAX),
            ])
        );
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let Tree::Map(entries) = json(r#"{"a": 1, "a": 2}"#) else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn inputs_from_a_tree_keep_nan() {
        let tree = Tree::Map(vec![
            ("x".into(), Tree::Float(f64::NAN)),
            ("r".into(), Tree::Seq(vec![Tree::UInt(1), Tree::Float(2.5)])),
            ("m".into(), Tree::Null),
        ]);
        let inputs = Inputs::from_tree(tree).unwrap();
        assert!(matches!(inputs.get("x"), Some(InputValue::Number(x)) if x.is_nan()));
        assert_eq!(
            inputs.get("r"),
            Some(&InputValue::Range {
                low: 1.0,
                high: 2.5
            })
        );
        assert_eq!(inputs.get("m"), Some(&InputValue::Missing));
    }

    #[test]
    fn paths_name_the_innermost_value() {
        let e = Inputs::from_tree(json(r#"{"a": 1, "hours": [1, "x"]}"#)).unwrap_err();
        assert_eq!((e.code(), e.path()), ("input.parse", "input.hours[1]"));
        let e = Inputs::from_tree(json(r#"{"hours": {"low": 1, "high": "x"}}"#)).unwrap_err();
        assert_eq!(e.path(), "input.hours.high");
        let e = Inputs::from_tree(json("[1]")).unwrap_err();
        assert_eq!(
            (e.path(), e.message().as_str()),
            (
                "input",
                "invalid type: sequence, expected a map of criterion id → value"
            )
        );
        // A key given twice is refused as by the JSON reader (the tree keeps both).
        let text = r#"{"a": 1, "a": 2}"#;
        let (t, j) = (
            Inputs::from_tree(json(text)).unwrap_err(),
            Inputs::from_json(text).unwrap_err(),
        );
        assert_eq!((t.code(), t.path()), (j.code(), j.path()));
    }

    /// Both rubric readers (serde_path_to_error over the text, and the browser's: json_tree.rs
    /// into a tree, then the tree) give the same document, or the same code and path, for
    /// every vector's rubric and for thousands of mutations of them: each value replaced by values of other types, each key removed,
    /// an unknown key added to each object, each key given twice.
    #[cfg(feature = "positions")]
    #[test]
    fn tree_reader_agrees_with_the_text_reader() {
        use serde_json::Value;

        // The browser's reader: the core's JSON reader into a tree, then from the tree.
        fn via_tree(text: &str) -> Result<RubricDoc> {
            crate::parse::json_via_tree(text)
        }
        fn compare(text: &str, checked: &mut usize) {
            *checked += 1;
            let a = RubricDoc::from_json(text).map_err(|e| (e.code(), e.path().to_owned()));
            let b = via_tree(text);
            // The one difference by design: a struct written as an array. serde_json reads
            // its fields by position and fails at `[0]`; the tree refuses the array itself.
            if let (Err((_, pa)), Err(eb)) = (&a, &b)
                && eb
                    .message()
                    .contains("invalid type: sequence, expected struct")
                && pa.starts_with(eb.path())
                && pa[eb.path().len()..].starts_with('[')
            {
                return;
            }
            let b = b.map_err(|e| (e.code(), e.path().to_owned()));
            assert_eq!(a, b, "readers differ on {text}");
        }
        fn mutations(v: &Value, out: &mut Vec<Value>) {
            let replacements = [
                Value::Null,
                Value::Bool(true),
                serde_json::json!(-1),
                serde_json::json!(1.5),
                serde_json::json!("x"),
                serde_json::json!([]),
                serde_json::json!([1]),
                serde_json::json!({}),
                serde_json::json!({"zz": 1}),
            ];
            let at = crate::test_support::json_pointers(v);
            for (p, _) in at.iter().skip(1) {
                for r in &replacements {
                    let mut m = v.clone();
                    *m.pointer_mut(p).unwrap() = r.clone();
                    out.push(m);
                }
                out.extend(crate::test_support::without_key(v, p));
            }
            for (p, _) in &at {
                let mut m = v.clone();
                if let Some(Value::Object(obj)) = m.pointer_mut(p) {
                    obj.insert("weigth".into(), Value::from(1));
                    out.push(m);
                }
            }
        }

        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "json") {
                continue;
            }
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let Some(rubric) = v.get("rubric").filter(|r| r.is_object()) else {
                continue;
            };
            compare(&rubric.to_string(), &mut checked);
            let mut all = Vec::new();
            mutations(rubric, &mut all);
            for m in &all {
                compare(&m.to_string(), &mut checked);
            }
            // A key given twice (serde_json::Value cannot hold that: edit the text).
            let text = rubric.to_string();
            let twice = text.replacen("{\"id\":", "{\"id\":\"a\",\"id\":", 1);
            compare(&twice, &mut checked);
        }
        compare(crate::DEFAULT_RUBRIC_JSON, &mut checked);
        assert!(checked > 1000, "only {checked} documents compared");
    }

    /// Both input readers agree on code and path for inputs of every shape.
    #[test]
    fn tree_inputs_agree_with_json_inputs() {
        let cases = [
            r#"{"a": 1, "b": [1, 2], "c": {"low": 1, "high": 2}, "d": {"value": 1, "evidence": "x"}}"#,
            r#"{"a": [1, 2, 3]}"#,
            r#"{"a": [1, "x"]}"#,
            r#"{"a": ["x"]}"#,
            r#"{"a": []}"#,
            r#"{"a": {"low": "x", "high": 2}}"#,
            r#"{"a": {"lo": 1}}"#,
            r#"{"a": {"value": 1, "evidence": 3}}"#,
            r#"{"a": {}}"#,
            r#"{"a": [[1], 2]}"#,
            r#"{"a": {"low": {"x": 1}, "high": 1}}"#,
            r#"[1, 2]"#,
            r#""text""#,
            r#"null"#,
            r#"3"#,
            r#"{"a": null, "b": true, "c": "ja", "d": -3, "e": 1e300}"#,
        ];
        for text in cases {
            let a = Inputs::from_json(text).map_err(|e| (e.code(), e.path().to_owned()));
            let b = Inputs::from_tree(json(text)).map_err(|e| (e.code(), e.path().to_owned()));
            assert_eq!(a, b, "readers differ on {text}");
        }
    }

    /// The core's text for an unexpected value is serde's own, variant by variant.
    #[test]
    fn unexpected_text_is_serdes() {
        let all = [
            Unexpected::Bool(true),
            Unexpected::Unsigned(7),
            Unexpected::Signed(-7),
            Unexpected::Float(1.5),
            Unexpected::Float(2.0),
            Unexpected::Float(-0.0),
            Unexpected::Float(1e300),
            Unexpected::Float(f64::NAN),
            Unexpected::Float(f64::NEG_INFINITY),
            Unexpected::Char('\n'),
            Unexpected::Str("a\"b\u{1b}\u{301}"),
            Unexpected::Bytes(b"x"),
            Unexpected::Unit,
            Unexpected::Option,
            Unexpected::NewtypeStruct,
            Unexpected::Seq,
            Unexpected::Map,
            Unexpected::Enum,
            Unexpected::UnitVariant,
            Unexpected::NewtypeVariant,
            Unexpected::TupleVariant,
            Unexpected::StructVariant,
            Unexpected::Other("something else"),
        ];
        for u in all {
            assert_eq!(unexpected_text(u), u.to_string());
            let e = <TreeError as de::Error>::invalid_type(u, &"a string");
            assert_eq!(e.message, format!("invalid type: {u}, expected a string"));
            let e = <TreeError as de::Error>::invalid_value(u, &"a string");
            assert_eq!(e.message, format!("invalid value: {u}, expected a string"));
        }
    }
}
