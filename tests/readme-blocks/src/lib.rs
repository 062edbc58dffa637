//! README.md's fenced code blocks, read once for the Rust tests that check the README
//! (`cli/tests/readme.rs`: commands and their output; `core/tests/readme_errors.rs`: the
//! error lists; `examples/service/tests/readme.rs`: the service's `curl` lines), and the
//! rules by which a shown output matches a real one. The same rules as
//! `py/tests/test_readme.py` and `wasm/tests/node/readme.test.mjs`:
//!
//! - A block opens with ```` ```LANG ```` (letters and digits, any indentation, which is
//!   taken off its lines) and closes with a line that is ```` ``` ````.
//! - An HTML comment `<!-- KIND: TEXT -->` on the line right before the fence is its marker.
//! - In a shown line `…` stands for any text; a shown line that is only `…` stands for any
//!   number of lines (see [`lines_match`]).
//!
//! A dev-dependency of the workspace's crates, never published. Its functions panic (a test
//! failure naming the README line) on a README they cannot read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

/// The repository's root (the folder holding README.md).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// One fenced block of the README.
#[derive(Debug, Clone)]
pub struct Block {
    /// 1-based line of the opening fence.
    pub line: usize,
    /// 1-based line of the closing fence.
    pub end: usize,
    /// The language after the opening fence (`sh`, `text`, `python`…).
    pub lang: String,
    /// The lines between the fences, without the fence's indentation.
    pub body: Vec<String>,
    /// The marker comment right before the fence: (kind, text).
    pub marker: Option<(String, String)>,
}

impl Block {
    /// The 1-based README line of `body[index]`.
    pub fn body_line(&self, index: usize) -> usize {
        self.line + 1 + index
    }
}

/// Every fenced block of `text`, in order. Panics on a block that is never closed.
pub fn read_blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```")
            && !lang.trim().is_empty()
            && lang.trim().chars().all(|c| c.is_ascii_alphanumeric())
        {
            let indent = line.len() - trimmed.len();
            let start = i;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && lines[i].trim() != "```" {
                let l = lines[i];
                body.push(if l.len() >= indent && l[..indent].trim().is_empty() {
                    l[indent..].to_string()
                } else {
                    l.to_string()
                });
                i += 1;
            }
            assert!(
                i < lines.len(),
                "README.md:{}: block never closed",
                start + 1
            );
            let marker = start
                .checked_sub(1)
                .and_then(|p| lines[p].trim().strip_prefix("<!--"))
                .and_then(|m| m.strip_suffix("-->"))
                .and_then(|m| m.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()));
            blocks.push(Block {
                line: start + 1,
                end: i + 1,
                lang: lang.trim().to_string(),
                body,
                marker,
            });
        }
        i += 1;
    }
    blocks
}

/// README.md's lines and its blocks.
pub fn readme() -> (Vec<String>, Vec<Block>) {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = text.split('\n').map(str::to_string).collect();
    (lines, read_blocks(&text))
}

/// The text of `b`'s marker if it is of this kind (`no-run`, `output-of`, `errors`…).
pub fn marker<'a>(b: &'a Block, kind: &str) -> Option<&'a str> {
    b.marker
        .as_ref()
        .filter(|(k, _)| k == kind)
        .map(|(_, v)| v.as_str())
}

/// The block right after `b` with only blank lines between, if any.
pub fn next_block<'a>(lines: &[String], blocks: &'a [Block], b: &Block) -> Option<&'a Block> {
    let next = blocks.iter().find(|n| n.line > b.end)?;
    let between = &lines[b.end..next.line - 1];
    between.iter().all(|l| l.trim().is_empty()).then_some(next)
}

/// The block right before `b` with only blank lines between, if any.
pub fn previous_block<'a>(lines: &[String], blocks: &'a [Block], b: &Block) -> Option<&'a Block> {
    let prev = blocks.iter().rev().find(|p| p.end < b.line)?;
    let between = &lines[prev.end..b.line - 1];
    between.iter().all(|l| l.trim().is_empty()).then_some(prev)
}

/// The blocks of the section whose heading line starts with `heading` (`## A Rust scoring
/// service`), up to the next heading of the same level. Panics if there is no such section.
pub fn section_blocks<'a>(lines: &[String], blocks: &'a [Block], heading: &str) -> Vec<&'a Block> {
    let level = heading.split(' ').next().unwrap_or("");
    let start = lines
        .iter()
        .position(|l| l.starts_with(heading))
        .unwrap_or_else(|| panic!("README.md has no section {heading:?}"));
    let next = format!("{level} ");
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with(&next))
        .map_or(lines.len(), |p| start + 1 + p);
    // 1-based block lines against 0-based positions: the heading is line start + 1.
    blocks
        .iter()
        .filter(|b| b.line > start + 1 && b.end <= end)
        .collect()
}

/// `shown` with each `…` standing for any text, against the whole of `real`.
pub fn line_matches(shown: &str, real: &str) -> bool {
    let parts: Vec<&str> = shown.split('…').collect();
    if parts.len() == 1 {
        return shown == real;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !real.starts_with(first) || real.len() < first.len() + last.len() || !real.ends_with(last) {
        return false;
    }
    // Leftmost matches of the middle parts are enough for `*`-style patterns.
    let mut rest = &real[first.len()..real.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Shown lines against real ones: each shown line matches one real line ([`line_matches`]),
/// in order; a shown line that is only `…` stands for any number of lines; trailing spaces
/// and trailing empty lines do not count.
pub fn lines_match(shown: &[String], real: &[String]) -> bool {
    fn trim(v: &[String]) -> Vec<&str> {
        let mut out: Vec<&str> = v.iter().map(|s| s.trim_end()).collect();
        while out.last() == Some(&"") {
            out.pop();
        }
        out
    }
    let (shown, real) = (trim(shown), trim(real));
    // go[i][j]: shown[i..] matches real[j..].
    let mut go = vec![vec![false; real.len() + 1]; shown.len() + 1];
    go[shown.len()][real.len()] = true;
    for i in (0..shown.len()).rev() {
        for j in (0..=real.len()).rev() {
            go[i][j] = if shown[i].trim() == "…" {
                go[i + 1][j] || (j < real.len() && go[i][j + 1])
            } else {
                j < real.len() && line_matches(shown[i], real[j]) && go[i + 1][j + 1]
            };
        }
    }
    go[0][0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn blocks_markers_and_sections_are_read() {
        let text = "# T\n\n## A\n\n<!-- no-run: a reason -->\n```sh\nx \\\n  y\n```\n\n  ```text\n  out\n   more\n  ```\n## B\n```js\n1\n```\n";
        let blocks = read_blocks(text);
        assert_eq!(blocks.len(), 3);
        assert_eq!((blocks[0].line, blocks[0].end), (6, 9));
        assert_eq!(blocks[0].lang, "sh");
        assert_eq!(blocks[0].body, ["x \\", "  y"]);
        assert_eq!(blocks[0].body_line(1), 8);
        assert_eq!(marker(&blocks[0], "no-run"), Some("a reason"));
        assert_eq!(marker(&blocks[0], "output-of"), None);
        // The fence's indentation is taken off; more than that stays.
        assert_eq!(blocks[1].body, ["out", " more"]);
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        assert_eq!(
            next_block(&lines, &blocks, &blocks[0]).map(|b| b.line),
            Some(11)
        );
        assert_eq!(
            previous_block(&lines, &blocks, &blocks[1]).map(|b| b.line),
            Some(6)
        );
        // Not adjacent: a heading between.
        assert!(next_block(&lines, &blocks, &blocks[1]).is_none());
        let a = section_blocks(&lines, &blocks, "## A");
        assert_eq!(a.iter().map(|b| b.line).collect::<Vec<_>>(), [6, 11]);
        assert_eq!(section_blocks(&lines, &blocks, "## B").len(), 1);
    }

    #[test]
    #[should_panic(expected = "README.md:2: block never closed")]
    fn an_unclosed_block_is_refused() {
        read_blocks("x\n```sh\necho\n");
    }

    #[test]
    fn the_matching_rules_reject_what_they_should() {
        assert!(lines_match(
            &strings(&["a", "…", "d"]),
            &strings(&["a", "b", "c", "d"])
        ));
        assert!(!lines_match(
            &strings(&["a", "…", "d"]),
            &strings(&["a", "b", "c", "d", "e"])
        ));
        assert!(lines_match(&strings(&["a", "…"]), &strings(&["a", "b"])));
        assert!(!lines_match(
            &strings(&["a", "c"]),
            &strings(&["a", "b", "c"])
        ));
        assert!(!lines_match(&strings(&["  x"]), &strings(&["x"])));
        assert!(line_matches("id,…,points_x", "id,name,total,points_x"));
        assert!(!line_matches("id,…,points_x", "id,name,total,points_y"));
        assert!(line_matches(
            "fingerprint 6f91…), engine",
            "fingerprint 6f91d7…), engine"
        ));
        assert!(!line_matches("total 80.9 / 100", "total 80.8 / 100"));
        assert!(!line_matches("a…a", "a"));
        assert!(line_matches(
            r#"{"total":17.3…,"band":"weak"}"#,
            r#"{"total":17.36,"band":"weak"}"#
        ));
        assert!(!line_matches(r#"{"total":17.4…}"#, r#"{"total":17.36}"#));
    }
}
