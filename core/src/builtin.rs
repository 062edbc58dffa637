//! The built-in default rubric: an illustrative starting point, not an official
//! municipal standard.

use std::sync::OnceLock;

use crate::rubric::Rubric;

/// The source text of the default rubric (TOML).
pub const DEFAULT_RUBRIC_TOML: &str = include_str!("../rubrics/default.toml");

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
                #[allow(clippy::expect_used)]
                Rubric::from_toml(DEFAULT_RUBRIC_TOML).expect("the built-in rubric is valid")
            })
            .clone()
    }
}
