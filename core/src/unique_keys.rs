//! A check that no JSON object in a document repeats a key: serde keeps the last of two
//! equal keys in a map silently (`{"cost": -5, "cost": 15}` in a perspective's weights
//! would hide an invalid first weight). Used on rubric documents; input documents refuse
//! repeated keys while they are read (see `Inputs`' deserializer).

use std::collections::HashSet;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use crate::error::path_string;

/// The path of the first key given twice (`perspectives[0].themes.cost`) and the key, or
/// `None` when every object's keys are distinct (or the text is not JSON: the parser
/// reports that).
pub(crate) fn first_repeated_key(text: &str) -> Option<(String, String)> {
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, Walk>(&mut de) {
        Ok(_) => None,
        Err(e) => {
            let path = path_string(e.path());
            let message = e.into_inner().to_string();
            let key = message
                .strip_prefix(MARK)
                .and_then(|rest| rest.rsplit_once('"'))
                .map(|(key, _)| key.to_owned())?;
            Some((path, key))
        }
    }
}

const MARK: &str = "repeated key \"";

/// Any JSON value, checked for repeated keys.
struct Walk;

impl<'de> de::Deserialize<'de> for Walk {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WalkVisitor)
    }
}

struct WalkVisitor;

impl<'de> Visitor<'de> for WalkVisitor {
    type Value = Walk;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_str<E>(self, _: &str) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_unit<E>(self) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Walk, A::Error> {
        while seq.next_element::<Walk>()?.is_some() {}
        Ok(Walk)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Walk, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                // Raised while reading the value, so that the path ends in the key.
                map.next_value_seed(Repeated(&key))?;
            }
            map.next_value::<Walk>()?;
            seen.insert(key);
        }
        Ok(Walk)
    }
}

struct Repeated<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for Repeated<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, _: D) -> Result<(), D::Error> {
        Err(de::Error::custom(format!("{MARK}{}\"", self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_repeated_key_with_its_path() {
        assert_eq!(
            first_repeated_key(r#"{"a": [{"b": 1, "c": {"d": 2}}]}"#),
            None
        );
        assert_eq!(
            first_repeated_key(r#"{"p": [{"id": "x"}, {"w": {"cost": -5, "cost": 15}}]}"#),
            Some(("p[1].w.cost".to_owned(), "cost".to_owned()))
        );
        assert_eq!(
            first_repeated_key(r#"{"id": "a", "id": "a"}"#),
            Some(("id".to_owned(), "id".to_owned()))
        );
        assert_eq!(first_repeated_key("{not json"), None);
    }
}
