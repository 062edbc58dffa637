//! The built-in default rubric: an illustrative starting point, not an official
//! municipal standard.

use std::sync::OnceLock;

use crate::rubric::Rubric;

/// The source text of the default rubric (TOML): what people read and edit.
pub const DEFAULT_RUBRIC_TOML: &str = include_str!("../rubrics/default.toml");

/// The default rubric in its canonical JSON form (compact, defaults written out), generated
/// from [`DEFAULT_RUBRIC_TOML`]: what [`Rubric::builtin`] reads, so that a build without the
/// TOML reader (the browser's) has it too. A test of this crate fails when it is stale and
/// says how to regenerate it (`CIVIC_VALUE_BLESS=1 cargo test -p civic-value builtin`).
pub const DEFAULT_RUBRIC_JSON: &str = include_str!("../rubrics/default.json");

impl Rubric {
    /// The built-in default rubric: 12 criteria in 5 themes (social cohesion, green &
    /// climate, reach & support, feasibility, cost), Dutch and English texts, three
    /// perspectives (municipality, residents, initiators), four bands and a knock-out on
    /// support among neighbours. Compiled once; clones share it.
    ///
    /// It is an illustrative starting point, not an official municipal standard.
    pub fn builtin() -> Rubric {
        static BUILTIN: OnceLock<Rubric> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                // The text is a compile-time constant, checked by the tests of this crate.
                // Not `expect`: printing the errors would link the derived `Debug` of every
                // error type (and its field and variant names) into the browser module.
                let Ok(rubric) = Rubric::from_json(DEFAULT_RUBRIC_JSON) else {
                    #[allow(clippy::panic)]
                    {
                        panic!("the built-in rubric is valid")
                    }
                };
                rubric
            })
            .clone()
    }
}

#[cfg(all(test, feature = "toml"))]
mod tests {
    use super::*;
    use crate::doc::RubricDoc;

    /// The JSON form is the TOML source's canonical JSON, byte for byte.
    #[test]
    fn builtin_json_is_the_canonical_form_of_the_toml() {
        let canonical = RubricDoc::from_toml(DEFAULT_RUBRIC_TOML)
            .unwrap()
            .canonical_json();
        if std::env::var_os("CIVIC_VALUE_BLESS").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rubrics/default.json");
            std::fs::write(path, format!("{canonical}\n")).unwrap();
        }
        assert!(
            DEFAULT_RUBRIC_JSON.trim_end() == canonical,
            "core/rubrics/default.json is stale: regenerate it with \
             `CIVIC_VALUE_BLESS=1 cargo test -p civic-value builtin`"
        );
        let toml = Rubric::from_toml(DEFAULT_RUBRIC_TOML).unwrap();
        assert_eq!(Rubric::builtin().fingerprint(), toml.fingerprint());
    }
}
