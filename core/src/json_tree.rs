//! A small JSON reader that builds a [`Tree`]: the rubric reader of [`RubricDoc::from_json`]
//! when the `positions` feature is off (the browser build), in place of serde_json's parser
//! (its parser and exact float reader were 12–15 KB of the gzipped browser module).
//!
//! It reads exactly what serde_json reads, into the same tree, and fails where serde_json
//! fails with the same message (`expected `,` or `}` at line 3 column 7`): the grammar of
//! RFC 8259, serde_json's recursion limit (128 nested arrays and objects), numbers kept as
//! `u64` / `i64` when written without a fraction or exponent and they fit (`-0` is the float
//! `-0.0`), every other number the nearest `f64` (`float.rs`: std's `str::parse` natively,
//! its table-free twin in wasm; correctly rounded like serde_json's `float_roundtrip`), an
//! infinite one refused as `number out of range`, and strings with paired surrogate escapes
//! only. Lines and columns count bytes, as serde_json does. The tests compare both readers on
//! thousands of texts, valid and broken.
//!
//! [`RubricDoc::from_json`]: crate::RubricDoc::from_json

use crate::tree::Tree;

/// serde_json's recursion limit: the 128th nested array or object is refused.
const DEPTH: usize = 128;

/// A syntax error: serde_json's message for it, with the line and column.
pub(crate) type SyntaxError = String;

/// Parse one JSON value from `text` and check that only whitespace follows, as
/// `serde_json::from_str::<Tree>` does. `then` runs on the tree before the trailing text is
/// checked (serde_json reports a type error of the value before trailing characters).
///
/// # Errors
/// serde_json's message for the first syntax error (`EOF while parsing an object at line 1
/// column 1`), or what `then` returns.
#[cfg_attr(feature = "positions", allow(dead_code))]
pub(crate) fn parse<T, E>(
    text: &str,
    then: impl FnOnce(Tree) -> Result<T, E>,
    syntax: impl Fn(SyntaxError) -> E,
) -> Result<T, E> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        index: 0,
        depth: DEPTH,
    };
    let tree = reader.value().map_err(&syntax)?;
    let value = then(tree)?;
    match reader.whitespace() {
        Some(_) => Err(syntax(reader.peek_error("trailing characters"))),
        None => Ok(value),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    index: usize,
    /// Arrays and objects that may still open (serde_json's `remaining_depth`).
    depth: usize,
}

type Parsed<T> = Result<T, SyntaxError>;

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.index).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.index += 1;
        Some(b)
    }

    /// The byte after any whitespace (not consumed).
    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.index += 1;
        }
        self.peek()
    }

    /// `message at line L column C` for the byte at `index` (1-based column, in bytes).
    fn at(&self, message: &str, index: usize) -> SyntaxError {
        let before = self.bytes.get(..index).unwrap_or(self.bytes);
        let start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |newline| newline + 1);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        format!("{message} at line {line} column {}", index - start)
    }

    /// An error at the last byte read (serde_json's `error`).
    fn error(&self, message: &str) -> SyntaxError {
        self.at(message, self.index)
    }

    /// An error at the next byte (serde_json's `peek_error`).
    fn peek_error(&self, message: &str) -> SyntaxError {
        self.at(message, (self.index + 1).min(self.bytes.len()))
    }

    fn value(&mut self) -> Parsed<Tree> {
        let Some(b) = self.whitespace() else {
            return Err(self.peek_error("EOF while parsing a value"));
        };
        match b {
            b'n' => self.ident(b"null", Tree::Null),
            b't' => self.ident(b"true", Tree::Bool(true)),
            b'f' => self.ident(b"false", Tree::Bool(false)),
            b'-' | b'0'..=b'9' => self.number(),
            b'"' => {
                self.index += 1;
                self.string().map(Tree::Str)
            }
            b'[' | b'{' => {
                self.depth -= 1;
                if self.depth == 0 {
                    return Err(self.peek_error("recursion limit exceeded"));
                }
                self.index += 1;
                let tree = if b == b'[' { self.seq() } else { self.map() };
                self.depth += 1;
                tree
            }
            _ => Err(self.peek_error("expected value")),
        }
    }

    fn ident(&mut self, word: &[u8], tree: Tree) -> Parsed<Tree> {
        self.index += 1;
        for expected in word.iter().skip(1) {
            match self.next() {
                None => return Err(self.error("EOF while parsing a value")),
                Some(b) if b != *expected => return Err(self.error("expected ident")),
                Some(_) => {}
            }
        }
        Ok(tree)
    }

    fn seq(&mut self) -> Parsed<Tree> {
        let mut items = Vec::new();
        loop {
            match self.whitespace() {
                None => return Err(self.peek_error("EOF while parsing a list")),
                Some(b']') => break,
                Some(_) if items.is_empty() => {}
                Some(b',') => {
                    self.index += 1;
                    match self.whitespace() {
                        Some(b']') => return Err(self.peek_error("trailing comma")),
                        Some(_) => {}
                        None => return Err(self.peek_error("EOF while parsing a value")),
                    }
                }
                Some(_) => return Err(self.peek_error("expected `,` or `]`")),
            }
            items.push(self.value()?);
        }
        self.index += 1;
        Ok(Tree::Seq(items))
    }

    fn map(&mut self) -> Parsed<Tree> {
        let mut entries = Vec::new();
        loop {
            match self.whitespace() {
                None => return Err(self.peek_error("EOF while parsing an object")),
                Some(b'}') => break,
                Some(b'"') if entries.is_empty() => {}
                Some(_) if entries.is_empty() => {
                    return Err(self.peek_error("key must be a string"));
                }
                Some(b',') => {
                    self.index += 1;
                    match self.whitespace() {
                        Some(b'"') => {}
                        Some(b'}') => return Err(self.peek_error("trailing comma")),
                        Some(_) => return Err(self.peek_error("key must be a string")),
                        None => return Err(self.peek_error("EOF while parsing a value")),
                    }
                }
                Some(_) => return Err(self.peek_error("expected `,` or `}`")),
            }
            self.index += 1;
            let key = self.string()?;
            match self.whitespace() {
                Some(b':') => self.index += 1,
                Some(_) => return Err(self.peek_error("expected `:`")),
                None => return Err(self.peek_error("EOF while parsing an object")),
            }
            entries.push((key, self.value()?));
        }
        self.index += 1;
        Ok(Tree::Map(entries))
    }

    /// A string's contents, after its opening quote, up to and past its closing quote.
    fn string(&mut self) -> Parsed<String> {
        let mut out = Vec::new();
        loop {
            let start = self.index;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.index += 1;
            }
            out.extend_from_slice(self.bytes.get(start..self.index).unwrap_or_default());
            match self.next() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => break,
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => {
                    return Err(self.error(
                        "control character (\\u0000-\\u001F) found while parsing a string",
                    ));
                }
            }
        }
        // Only whole UTF-8 sequences of the text and whole characters were copied.
        String::from_utf8(out).map_err(|_| self.error("invalid unicode code point"))
    }

    /// One escape, after its backslash.
    fn escape(&mut self, out: &mut Vec<u8>) -> Parsed<()> {
        let Some(b) = self.next() else {
            return Err(self.error("EOF while parsing a string"));
        };
        let byte = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => b'\x08',
            b'f' => b'\x0c',
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let c = self.unicode_escape()?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            _ => return Err(self.error("invalid escape")),
        };
        out.push(byte);
        Ok(())
    }

    /// A `\uXXXX` escape after its `u`, or a surrogate pair of two.
    fn unicode_escape(&mut self) -> Parsed<char> {
        let n = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&n) {
            return Err(self.error("lone leading surrogate in hex escape"));
        }
        if !(0xD800..=0xDBFF).contains(&n) {
            return char::from_u32(n).ok_or_else(|| self.error("invalid unicode code point"));
        }
        for expected in [b'\\', b'u'] {
            match self.peek() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b) => {
                    self.index += 1;
                    if b != expected {
                        return Err(self.error("unexpected end of hex escape"));
                    }
                }
            }
        }
        let n2 = self.hex4()?;
        if !(0xDC00..=0xDFFF).contains(&n2) {
            return Err(self.error("lone leading surrogate in hex escape"));
        }
        char::from_u32((((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x1_0000)
            .ok_or_else(|| self.error("invalid unicode code point"))
    }

    fn hex4(&mut self) -> Parsed<u32> {
        let Some(digits) = self.bytes.get(self.index..self.index + 4) else {
            self.index = self.bytes.len();
            return Err(self.error("EOF while parsing a string"));
        };
        self.index += 4;
        let mut n = 0;
        for &d in digits {
            let Some(v) = char::from(d).to_digit(16) else {
                return Err(self.error("invalid escape"));
            };
            n = n * 16 + v;
        }
        Ok(n)
    }

    /// A number, by serde_json's grammar and errors (see the module docs).
    fn number(&mut self) -> Parsed<Tree> {
        let start = self.index;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.index += 1;
        }
        // The integer part, kept as u64 while it fits.
        let mut significand: Option<u64> = Some(0);
        let mut any_nonzero = false;
        match self.next() {
            None => return Err(self.error("EOF while parsing a value")),
            Some(b'0') => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_error("invalid number"));
                }
            }
            Some(d @ b'1'..=b'9') => {
                significand = Some(u64::from(d - b'0'));
                any_nonzero = true;
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    self.index += 1;
                    significand = significand
                        .and_then(|s| s.checked_mul(10))
                        .and_then(|s| s.checked_add(u64::from(d - b'0')));
                }
            }
            Some(_) => return Err(self.error("invalid number")),
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            float = true;
            self.index += 1;
            let digits = self.index;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                any_nonzero |= d != b'0';
                self.index += 1;
            }
            if self.index == digits {
                return Err(match self.peek() {
                    Some(_) => self.peek_error("invalid number"),
                    None => self.peek_error("EOF while parsing a value"),
                });
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            float = true;
            self.index += 1;
            let positive_exp = match self.peek() {
                Some(b'+') => {
                    self.index += 1;
                    true
                }
                Some(b'-') => {
                    self.index += 1;
                    false
                }
                _ => true,
            };
            match self.next() {
                None => return Err(self.error("EOF while parsing a value")),
                Some(b'0'..=b'9') => {}
                Some(_) => return Err(self.error("invalid number")),
            }
            // serde_json keeps the exponent in an i32: beyond it, a non-zero number with a
            // positive exponent is out of range (refused at the digit that overflows) and
            // anything else is zero.
            let mut exp: i32 = self
                .bytes
                .get(self.index - 1)
                .map_or(0, |d| i32::from(d - b'0'));
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.index += 1;
                match exp
                    .checked_mul(10)
                    .and_then(|e| e.checked_add(i32::from(d - b'0')))
                {
                    Some(e) => exp = e,
                    None => {
                        if any_nonzero && positive_exp {
                            return Err(self.error("number out of range"));
                        }
                        while let Some(b'0'..=b'9') = self.peek() {
                            self.index += 1;
                        }
                        return Ok(Tree::Float(if negative { -0.0 } else { 0.0 }));
                    }
                }
            }
        }
        match significand {
            Some(n) if !float && !negative => return Ok(Tree::UInt(n)),
            // -0 is a float, as in serde_json; so is anything below i64::MIN.
            Some(n) if !float && n != 0 => {
                if let Some(m) = 0i64.checked_sub_unsigned(n) {
                    return Ok(Tree::Int(m));
                }
            }
            _ => {}
        }
        let text = self.bytes.get(start..self.index).unwrap_or_default();
        // The bytes are ASCII digits, signs, `.` and `e`: always UTF-8, always a valid float.
        let x = std::str::from_utf8(text)
            .ok()
            .and_then(crate::float::parse)
            .unwrap_or(f64::NAN);
        if x.is_infinite() {
            return Err(self.error("number out of range"));
        }
        Ok(Tree::Float(x))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    /// What serde_json makes of `text`: the tree, or its message.
    fn serde_json_tree(text: &str) -> Result<Tree, String> {
        let mut de = serde_json::Deserializer::from_str(text);
        let tree = Tree::deserialize(&mut de).map_err(|e| e.to_string())?;
        de.end().map_err(|e| e.to_string())?;
        Ok(tree)
    }

    fn ours(text: &str) -> Result<Tree, String> {
        parse(text, Ok, |e| e)
    }

    /// Same tree (floats compared by bits, so -0.0 and NaN count) or the same message.
    fn same(text: &str) {
        let (a, b) = (ours(text), serde_json_tree(text));
        let bits = |r: &Result<Tree, String>| format!("{:?}", r.as_ref().map(bits_of));
        assert_eq!(bits(&a), bits(&b), "text: {text:?}");
    }

    fn bits_of(tree: &Tree) -> String {
        match tree {
            Tree::Float(x) => format!("F{:x}", x.to_bits()),
            Tree::Seq(items) => format!(
                "[{}]",
                items.iter().map(bits_of).collect::<Vec<_>>().join(",")
            ),
            Tree::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{k:?}:{}", bits_of(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn edge_cases_as_serde_json() {
        let cases = [
            "",
            " ",
            "{",
            "}",
            "[",
            "]",
            "[,]",
            "[1,]",
            "[1 2]",
            "{,}",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":1 \"b\":2}",
            "{1:2}",
            "{\"a\":1,2}",
            "{\"a\":1,",
            "{\"a\"",
            "{\"a\":1",
            "[1",
            "[1,",
            "nul",
            "nulx",
            "tru",
            "fals",
            "falsey",
            "null x",
            "1 2",
            "0",
            "-0",
            "-",
            "-a",
            "01",
            "-01",
            "1.",
            "1.e5",
            "1.5",
            ".5",
            "1e",
            "1e+",
            "1e-",
            "1ea",
            "1E5",
            "1e-5",
            "-1.25e+3",
            "1e309",
            "-1e309",
            "1e-400",
            "4.9e-324",
            "2.2250738585072011e-308",
            "0.1",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "-18446744073709551616",
            "123456789012345678901234567890",
            "0.000000000000000000000000000001234567890123",
            "1e2147483647",
            "1e2147483648",
            "0e2147483648",
            "1e-2147483648",
            "-1e99999999999",
            "0.0e99999999999",
            "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            "1797693134862315799999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999.9",
            "\"",
            "\"abc",
            "\"a\\",
            "\"a\\x\"",
            "\"\\u12\"",
            "\"\\u12",
            "\"\\u123g\"",
            "\"\\u00e9\"",
            "\"\\ud83d\\ude00\"",
            "\"\\ud83d\"",
            "\"\\ud83dx\"",
            "\"\\ud83d\\x\"",
            "\"\\ud83d\\u0041\"",
            "\"\\ude00\"",
            "\"\\ud83d",
            "\"\\ud83d\\",
            "\"a\tb\"",
            "\"a\nb\"",
            "\"é\\n\"",
            "\"\\/\\b\\f\\r\\t\\\"\\\\\"",
            "\u{a0}1",
            "\n\n  {x",
            "{\n\"a\": [1,\n 2,,]}",
            "{\"a\":1,\"a\":2}",
            "[[[]]]",
            "\"\\u00\u{e9}\"",
        ];
        for text in cases {
            same(text);
        }
        same(&"[".repeat(127));
        same(&"[".repeat(128));
        same(&format!("{}{}", "[".repeat(127), "]".repeat(127)));
        same(&format!("{}{}", "{\"a\":".repeat(127), "}".repeat(127)));
    }

    #[test]
    fn every_vector_rubric_and_its_mutations_as_serde_json() {
        let mut texts = Vec::new();
        for rubric in crate::test_support::vector_rubrics() {
            texts.push(serde_json::to_string(&rubric).unwrap());
            texts.push(serde_json::to_string_pretty(&rubric).unwrap());
        }
        let inserts = [
            "", "\"", ",", ":", "}", "]", "{", "[", "\\", "-", ".", "e", "0", " ", "\n", "x", "\\u",
        ];
        let mut checked = 0;
        for text in &texts {
            same(text);
            let cut: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            // A spread of positions in every text: each of the first 12 characters, then every
            // 263rd (a prime, so that the positions fall on every kind of token).
            for (k, &i) in cut.iter().enumerate() {
                if k > 12 && k % 263 != 0 {
                    continue;
                }
                let next = cut.get(k + 1).copied().unwrap_or(text.len());
                for insert in inserts {
                    // Replace the character at i (insert "" deletes it) and insert before it.
                    same(&format!("{}{insert}{}", &text[..i], &text[next..]));
                    same(&format!("{}{insert}{}", &text[..i], &text[i..]));
                    checked += 2;
                }
                same(&text[..i]);
            }
        }
        assert!(checked > 10_000, "{checked} texts");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Short texts over JSON's alphabet, mostly broken.
        #[test]
        fn random_texts_as_serde_json(text in r#"[\[\]{}",: \n0-9.eE+\-tnrulfase\\/bu\x01é]{0,24}"#) {
            same(&text);
        }

        /// Numbers: any digits, fraction and exponent.
        #[test]
        fn random_numbers_as_serde_json(text in r"-?[0-9]{1,30}(\.[0-9]{0,30})?([eE][+-]?[0-9]{0,12})?") {
            same(&text);
        }

        /// Any finite double, written shortest, with 17 digits and with an exponent, reads back
        /// as serde_json reads it.
        #[test]
        fn doubles_as_serde_json(bits in proptest::prelude::any::<u64>()) {
            let x = f64::from_bits(bits);
            if x.is_finite() {
                same(&format!("{x:?}"));
                same(&format!("{x:.17e}"));
                same(&format!("[{x}]"));
            }
        }
    }
}
