//! README.md's lists of error messages (the ```text blocks marked `<!-- errors: … -->`), each
//! line produced by a document written here by hand and compared with what the README shows:
//! the message (`path: message`, `…` standing for any text) and, where a line names one, the
//! code. The README is the expected side; the documents only say how to make each error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::BufReader;

use civic_value::stream::CsvInitiatives;
use civic_value::{Error, Initiative, Inputs, Rubric};
use readme_blocks::{line_matches, marker, readme};

/// The bodies of the ```text blocks marked `<!-- errors: … -->`, in the README's order.
fn readme_error_blocks() -> Vec<Vec<String>> {
    let (lines, blocks) = readme();
    let marked = lines
        .iter()
        .filter(|l| l.trim().starts_with("<!-- errors:"))
        .count();
    let lists: Vec<Vec<String>> = blocks
        .into_iter()
        .filter(|b| marker(b, "errors").is_some())
        .inspect(|b| assert_eq!(b.lang, "text", "README.md:{}", b.line))
        .map(|b| b.body)
        .collect();
    // Every marker is right before its block.
    assert_eq!(
        lists.len(),
        marked,
        "an errors marker not followed by its block"
    );
    lists
}

/// A rubric with these criteria and themes and one band, as JSON text.
fn rubric_json(criteria: &str, themes: &str) -> String {
    format!(
        r#"{{"id": "r", "version": "1", "themes": {themes}, "criteria": {criteria},
            "bands": [{{"id": "all", "min": 0}}]}}"#
    )
}

fn linear(id: &str, worst: f64, best: f64) -> String {
    format!(
        r#"{{"id": "{id}", "theme": "t", "weight": 1,
             "value_function": {{"type": "linear", "worst": {worst}, "best": {best}}}}}"#
    )
}

fn rubric_error(result: civic_value::Result<Rubric>) -> Error {
    match result {
        Ok(_) => panic!("the rubric loaded"),
        Err(e) => e,
    }
}

fn score_error(inputs: Inputs) -> Error {
    Rubric::builtin().score(&inputs, None).unwrap_err()
}

/// The errors of the first list, in the README's order.
fn first_list() -> Vec<Error> {
    let t = r#"[{"id": "t", "weight": 1}]"#;
    let four = format!(
        "[{}, {}, {}, {}]",
        linear("a", 0.0, 1.0),
        linear("b", 0.0, 1.0),
        linear("c", 0.0, 1.0),
        linear("d", 5.0, 5.0)
    );
    // `weigth` on line 9 of the document.
    let toml = "id = \"r\"\nversion = \"1\"\n\n[[themes]]\nid = \"t\"\nweight = 1\n\n[[criteria]]\nweigth = 1\n";
    let zero = r#"[{"id": "t", "weight": 0}]"#;
    // JSON has no NaN: TOML writes it.
    let nan_toml = "id = \"r\"\nversion = \"1\"\n[[themes]]\nid = \"t\"\nweight = 1\n\
        [[criteria]]\nid = \"a\"\ntheme = \"t\"\nweight = 1\n\
        value_function = { type = \"linear\", worst = 0, best = 1 }\n\
        [[criteria]]\nid = \"b\"\ntheme = \"t\"\nweight = nan\n\
        value_function = { type = \"linear\", worst = 0, best = 1 }\n\
        [[bands]]\nid = \"all\"\nmin = 0\n";
    let csv = "id,support_share,id\na,50,b\n";
    vec![
        rubric_error(Rubric::from_json(&rubric_json(&four, t))),
        rubric_error(Rubric::from_toml(toml)),
        rubric_error(Rubric::from_json(&rubric_json(
            &format!("[{}]", linear("a", 0.0, 1.0)),
            zero,
        ))),
        rubric_error(Rubric::from_toml(nan_toml)),
        score_error(Inputs::new().with("volunteer_hours", "lots")),
        score_error(Inputs::new().with("neighbour_contact", 7.0)),
        score_error(Inputs::new().with("volunteer_hours", -3.0)),
        score_error(Inputs::new().with("nieuw", 1.0)),
        Initiative::list_from_json(
            r#"{"id": "a", "inputs": {"support_share": 80, "support_share": 10}}"#,
        )
        .unwrap_err(),
        match CsvInitiatives::new(
            &Rubric::builtin(),
            BufReader::new(csv.as_bytes()),
            None,
            None,
            &[],
        ) {
            Ok(_) => panic!("a column named twice was read"),
            Err(e) => e,
        },
    ]
}

/// The errors of the second list (short messages), in the README's order.
fn second_list() -> Vec<Error> {
    vec![
        score_error(Inputs::new().with("support_share", 1e308)),
        score_error(Inputs::new().with("inclusion", "x".repeat(500).as_str())),
    ]
}

fn compare(shown: &[String], errors: &[Error], with_codes: bool) {
    assert_eq!(
        shown.len(),
        errors.len(),
        "the README lists {} errors",
        shown.len()
    );
    for (line, err) in shown.iter().zip(errors) {
        let (message, code) = if with_codes {
            let (m, c) = line.trim_end().rsplit_once("  ").unwrap();
            (m.trim_end(), Some(c.trim()))
        } else {
            (line.trim_end(), None)
        };
        let real = err.to_string();
        assert!(
            line_matches(message, &real),
            "README shows\n  {message}\nthe engine says\n  {real}"
        );
        if let Some(code) = code {
            assert_eq!(err.code(), code, "{message}");
        }
    }
}

#[test]
fn the_readme_error_lists_are_what_the_engine_says() {
    let blocks = readme_error_blocks();
    assert_eq!(blocks.len(), 2, "two error lists marked in README.md");
    compare(&blocks[0], &first_list(), true);
    compare(&blocks[1], &second_list(), false);
}
