//! Reading initiatives from JSON as a stream: a JSON array of any length, one object,
//! several objects one after another, or NDJSON (one object per line), from any
//! [`BufRead`]. Items are cut out one at a time (memory is bounded by the largest item, at
//! most [`MAX_INPUT_BYTES`]) and parsed by [`parse_initiative`], so a malformed item is an
//! error of that item only and the items after it are still read.
//!
//! Core does no I/O of its own: it reads the reader it is given.

use std::io::BufRead;

use serde::Deserialize;

use crate::error::{Error, ErrorKind, Result, path_string};
use crate::input::{Initiative, MAX_INPUT_BYTES};

/// Where an item was found in its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemPlace {
    /// 0-based position of the item in the document.
    pub index: usize,
    /// 1-based line on which the item starts.
    pub line: u64,
    /// 1-based column (in bytes) at which the item starts.
    pub column: u64,
    /// Whether the item is an element of a JSON array (its path is then `[index]`).
    pub in_array: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing read yet.
    Start,
    /// Inside a top-level array, before an element or its closing bracket.
    Array { first: bool },
    /// Top-level objects one after another (one document, concatenated, or NDJSON).
    Objects,
    /// One object per line.
    Lines,
    /// The end, or a fatal error was reported.
    Done,
}

/// A stream of JSON items (see the module docs). Call [`JsonItems::next_into`] until it
/// returns `Ok(None)`; an `Err` is fatal (the document cannot be read further: a syntax
/// error between items, an item above the size limit, an I/O error) and ends the stream.
#[derive(Debug)]
pub struct JsonItems<R> {
    reader: R,
    state: State,
    index: usize,
    line: u64,
    column: u64,
    limit: usize,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn fatal(message: String) -> Error {
    ErrorKind::InputParse { message }.at("")
}

fn shown(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", char::from(b))
    } else {
        format!("byte 0x{b:02x}")
    }
}

impl<R: BufRead> JsonItems<R> {
    /// Items of a JSON document: an array of objects, one object, or objects one after
    /// another (which includes NDJSON).
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            state: State::Start,
            index: 0,
            line: 1,
            column: 1,
            limit: MAX_INPUT_BYTES,
        }
    }

    /// Items of an NDJSON document: one JSON value per line, blank lines skipped. A line
    /// that is not valid JSON is an error of that item only.
    pub fn lines(reader: R) -> Self {
        Self {
            state: State::Lines,
            ..Self::new(reader)
        }
    }

    /// The same stream with another per-item size limit (default [`MAX_INPUT_BYTES`]).
    #[must_use]
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    fn io(e: &std::io::Error) -> Error {
        fatal(format!("cannot read: {e}"))
    }

    fn advance(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
    }

    fn too_large(&self, place: &ItemPlace) -> Error {
        let hint = if self.state == State::Objects && place.index == 0 {
            ". A single JSON document is limited to this size: to score many initiatives, \
             write them as a JSON array ([{...}, {...}]) or as NDJSON (one object per line, \
             in a .ndjson file), which are read as a stream"
        } else {
            ""
        };
        ErrorKind::ItemTooLarge {
            line: place.line,
            limit: self.limit,
            hint,
        }
        .at("")
    }

    /// Skip whitespace (at most `limit` bytes); the next byte, not consumed.
    fn skip_ws(&mut self) -> Result<Option<u8>> {
        let mut skipped = 0usize;
        loop {
            let buf = self.reader.fill_buf().map_err(|e| Self::io(&e))?;
            if buf.is_empty() {
                return Ok(None);
            }
            let n = buf.iter().position(|&b| !is_ws(b)).unwrap_or(buf.len());
            let next = buf.get(n).copied();
            let (mut lines, mut column) = (0, self.column);
            for &b in buf.get(..n).unwrap_or_default() {
                if b == b'\n' {
                    lines += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            self.line += lines;
            self.column = column;
            self.reader.consume(n);
            skipped += n;
            if skipped > self.limit {
                return Err(fatal(format!(
                    "more than {} bytes of whitespace before line {}",
                    self.limit, self.line
                )));
            }
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    fn consume_byte(&mut self, b: u8) {
        self.reader.consume(1);
        self.advance(&[b]);
    }

    /// Skip a UTF-8 byte order mark at the very start.
    fn skip_bom(&mut self) -> Result<()> {
        let buf = self.reader.fill_buf().map_err(|e| Self::io(&e))?;
        if buf.first() != BOM.first() {
            return Ok(());
        }
        for &expected in BOM {
            let buf = self.reader.fill_buf().map_err(|e| Self::io(&e))?;
            match buf.first() {
                Some(&b) if b == expected => self.reader.consume(1),
                _ => return Err(fatal("invalid UTF-8 at line 1 column 1".to_owned())),
            }
        }
        Ok(())
    }

    /// Copy one value into `out`. In an array, the value ends before a `,` or `]` outside
    /// strings and brackets; otherwise (`object` true) after the `}` that closes it.
    fn scan_value(&mut self, out: &mut Vec<u8>, object: bool, place: &ItemPlace) -> Result<()> {
        let start = out.len();
        let (mut depth, mut in_string, mut escape) = (0usize, false, false);
        loop {
            let buf = self.reader.fill_buf().map_err(|e| Self::io(&e))?;
            if buf.is_empty() {
                if !object && depth == 0 && !in_string && out.len() > start {
                    return Err(self.unexpected_end());
                }
                return Err(fatal(format!(
                    "unexpected end of input inside the initiative that starts at line {} column {}",
                    place.line, place.column
                )));
            }
            let mut end = None;
            for (i, &b) in buf.iter().enumerate() {
                if in_string {
                    if escape {
                        escape = false;
                    } else if b == b'\\' {
                        escape = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 && object {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    b',' | b']' if depth == 0 && !object => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let n = end.unwrap_or(buf.len());
            let taken = buf.get(..n).unwrap_or_default();
            out.extend_from_slice(taken);
            let (mut lines, mut column) = (0, self.column);
            for &b in taken {
                if b == b'\n' {
                    lines += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            self.line += lines;
            self.column = column;
            self.reader.consume(n);
            if out.len() - start > self.limit {
                return Err(self.too_large(place));
            }
            if end.is_some() {
                return Ok(());
            }
        }
    }

    /// Copy one line (without its line break) into `out`.
    fn scan_line(&mut self, out: &mut Vec<u8>, place: &ItemPlace) -> Result<()> {
        let start = out.len();
        loop {
            let buf = self.reader.fill_buf().map_err(|e| Self::io(&e))?;
            if buf.is_empty() {
                break;
            }
            let newline = buf.iter().position(|&b| b == b'\n');
            let n = newline.unwrap_or(buf.len());
            out.extend_from_slice(buf.get(..n).unwrap_or_default());
            let consumed = newline.map_or(n, |i| i + 1);
            self.reader.consume(consumed);
            if out.len() - start > self.limit {
                return Err(self.too_large(place));
            }
            if newline.is_some() {
                self.line += 1;
                self.column = 1;
                break;
            }
        }
        if out.last() == Some(&b'\r') {
            out.pop();
        }
        Ok(())
    }

    /// Append the next item's bytes to `out` and say where it was found; `Ok(None)` at
    /// the end of the document.
    ///
    /// # Errors
    /// Fatal errors only (`input.parse`, `input.too_large`): the document is not an object,
    /// an array or objects one after another; a syntax error between items; an item above
    /// the size limit; the reader fails. The stream ends after an error.
    pub fn next_into(&mut self, out: &mut Vec<u8>) -> Result<Option<ItemPlace>> {
        let result = self.next_inner(out);
        if result.is_err() {
            self.state = State::Done;
        }
        result
    }

    fn next_inner(&mut self, out: &mut Vec<u8>) -> Result<Option<ItemPlace>> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Start => {
                    self.skip_bom()?;
                    match self.skip_ws()? {
                        Some(b'[') => {
                            self.consume_byte(b'[');
                            self.state = State::Array { first: true };
                        }
                        Some(b'{') => self.state = State::Objects,
                        Some(b) => {
                            return Err(fatal(format!(
                                "expected an initiative object or an array of them, found {} at line {} column {}",
                                shown(b),
                                self.line,
                                self.column
                            )));
                        }
                        None => {
                            return Err(fatal(
                                "expected an initiative object or an array of them, found nothing"
                                    .to_owned(),
                            ));
                        }
                    }
                }
                State::Array { first } => {
                    let next = self.skip_ws()?;
                    match (next, first) {
                        (Some(b']'), _) => {
                            self.consume_byte(b']');
                            return match self.skip_ws()? {
                                None => {
                                    self.state = State::Done;
                                    Ok(None)
                                }
                                Some(b) => Err(fatal(format!(
                                    "unexpected {} after the end of the array at line {} column {}",
                                    shown(b),
                                    self.line,
                                    self.column
                                ))),
                            };
                        }
                        (Some(b','), false) => {
                            self.consume_byte(b',');
                            match self.skip_ws()? {
                                Some(b) if b != b']' && b != b',' => {}
                                Some(b) => {
                                    return Err(fatal(format!(
                                        "expected an initiative after ',', found {} at line {} column {}",
                                        shown(b),
                                        self.line,
                                        self.column
                                    )));
                                }
                                None => return Err(self.unexpected_end()),
                            }
                        }
                        (Some(b), false) => {
                            return Err(fatal(format!(
                                "expected ',' or ']' after an initiative, found {} at line {} column {}",
                                shown(b),
                                self.line,
                                self.column
                            )));
                        }
                        (Some(_), true) => {}
                        (None, _) => return Err(self.unexpected_end()),
                    }
                    self.state = State::Array { first: false };
                    let place = self.place(true);
                    self.scan_value(out, false, &place)?;
                    self.index += 1;
                    return Ok(Some(place));
                }
                State::Objects => match self.skip_ws()? {
                    None => {
                        self.state = State::Done;
                        return Ok(None);
                    }
                    Some(b'{') => {
                        let place = self.place(false);
                        self.scan_value(out, true, &place)?;
                        self.index += 1;
                        return Ok(Some(place));
                    }
                    Some(b) => {
                        return Err(fatal(format!(
                            "expected another initiative object or the end, found {} at line {} column {}",
                            shown(b),
                            self.line,
                            self.column
                        )));
                    }
                },
                State::Lines => {
                    if self.line == 1 && self.column == 1 && self.index == 0 {
                        self.skip_bom()?;
                    }
                    let place = self.place(false);
                    let start = out.len();
                    let buf = self.reader.fill_buf().map_err(|e| Self::io(&e))?;
                    if buf.is_empty() {
                        self.state = State::Done;
                        return Ok(None);
                    }
                    self.scan_line(out, &place)?;
                    if out
                        .get(start..)
                        .unwrap_or_default()
                        .iter()
                        .all(|&b| is_ws(b))
                    {
                        out.truncate(start);
                        continue;
                    }
                    self.index += 1;
                    return Ok(Some(place));
                }
            }
        }
    }

    fn place(&self, in_array: bool) -> ItemPlace {
        ItemPlace {
            index: self.index,
            line: self.line,
            column: self.column,
            in_array,
        }
    }

    fn unexpected_end(&self) -> Error {
        fatal(format!(
            "unexpected end of input at line {}: the array is not closed with ']'",
            self.line
        ))
    }
}

/// The message of a JSON error with its position made absolute (serde_json counts from
/// the start of the item).
fn located(e: &serde_json::Error, place: &ItemPlace) -> String {
    let text = e.to_string();
    if e.line() == 0 {
        return text;
    }
    let message = text
        .rfind(" at line ")
        .and_then(|i| text.get(..i))
        .unwrap_or(&text);
    let line = place.line + e.line() as u64 - 1;
    let column = if e.line() == 1 {
        place.column + e.column() as u64 - 1
    } else {
        e.column() as u64
    };
    format!("{message} at line {line} column {column}")
}

/// The kind of an error raised while deserializing an input: a repeated key or field
/// becomes [`ErrorKind::DuplicateKey`], anything else `input.parse`.
pub(crate) fn input_error_kind(message: String, inner: &str) -> ErrorKind {
    let key = inner
        .strip_prefix(crate::input::DUPLICATE_KEY)
        .and_then(|rest| rest.rsplit_once('"'))
        .map(|(key, _)| key.to_owned())
        .or_else(|| {
            inner
                .strip_prefix("duplicate field `")
                .and_then(|rest| rest.split_once('`'))
                .map(|(key, _)| key.to_owned())
        });
    match key {
        Some(key) => ErrorKind::DuplicateKey { key },
        None => ErrorKind::InputParse { message },
    }
}

/// Parse one item cut out by [`JsonItems`] into an initiative. A key given twice (in the
/// initiative, its `inputs` or a range object) is an error.
///
/// # Errors
/// `input.parse` with the path of the offending field relative to the item (e.g.
/// `inputs.support_share`) and a message whose line and column count from the start of
/// the document; `input.duplicate_key` naming the repeated key.
pub fn parse_initiative(bytes: &[u8], place: &ItemPlace) -> Result<Initiative> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = path_string(e.path());
        let inner = e.into_inner();
        let message = located(&inner, place);
        input_error_kind(message, &inner.to_string()).at(path)
    })?;
    de.end().map_err(|e| {
        ErrorKind::InputParse {
            message: located(&e, place),
        }
        .at("")
    })?;
    Ok(value)
}

/// The `id` of an item that could not be parsed, if it can be read (for messages).
pub fn id_hint(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Hint {
        id: Option<String>,
    }
    serde_json::from_slice::<Hint>(bytes)
        .ok()
        .and_then(|h| h.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Vec<Result<(ItemPlace, String)>> {
        let mut it = JsonItems::new(text.as_bytes());
        let mut out = Vec::new();
        loop {
            let mut buf = Vec::new();
            match it.next_into(&mut buf) {
                Ok(Some(p)) => out.push(Ok((p, String::from_utf8(buf).unwrap()))),
                Ok(None) => return out,
                Err(e) => {
                    out.push(Err(e));
                    return out;
                }
            }
        }
    }

    #[test]
    fn array_items_with_places() {
        let got =
            items("\u{feff} [\n {\"id\": \"a\", \"x\": \"]}\"},\n  {\"id\": [1, {\"b\": 2}]} ]\n");
        assert_eq!(got.len(), 2);
        let (p, s) = got[0].as_ref().unwrap();
        assert_eq!((p.index, p.line, p.column, p.in_array), (0, 2, 2, true));
        assert_eq!(s, "{\"id\": \"a\", \"x\": \"]}\"}");
        let (p, s) = got[1].as_ref().unwrap();
        assert_eq!((p.index, p.line, p.column), (1, 3, 3));
        assert_eq!(s.trim_end(), "{\"id\": [1, {\"b\": 2}]}");
    }

    #[test]
    fn objects_and_lines() {
        let got = items("{\"a\": 1}\n\n{\"b\": \"}\"}  ");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].as_ref().unwrap().1, "{\"b\": \"}\"}");
        let mut it = JsonItems::lines("{\"a\": 1}\r\n\n  \n{broken\n{\"c\": 3}".as_bytes());
        let mut lines = Vec::new();
        let mut buf = Vec::new();
        while let Some(p) = it.next_into(&mut buf).unwrap() {
            lines.push((p.line, String::from_utf8(std::mem::take(&mut buf)).unwrap()));
        }
        assert_eq!(
            lines,
            vec![
                (1, "{\"a\": 1}".to_owned()),
                (4, "{broken".to_owned()),
                (5, "{\"c\": 3}".to_owned())
            ]
        );
    }

    #[test]
    fn fatal_errors_end_the_stream() {
        for (text, needle) in [
            ("", "found nothing"),
            ("5", "found '5'"),
            ("\0\0\0", "byte 0x00"),
            ("[{\"a\": 1}\n {\"b\": 2]", "not closed"),
            ("[{\"a\": 1},]", "after ','"),
            ("[{\"a\": 1}", "not closed"),
            ("[{\"a\": 1", "unexpected end of input inside"),
            ("[] x", "after the end of the array"),
            ("{\"a\": 1} x", "expected another initiative"),
        ] {
            let got = items(text);
            let e = got.last().unwrap().as_ref().unwrap_err();
            assert!(e.to_string().contains(needle), "{text:?}: {e}");
        }
        // Two objects without a comma inside an array are one bad item, not the end.
        let got = items("[{\"id\": \"a\", \"name\": \"A\", \"inputs\": {}} {\"b\": 2}, {}]");
        assert_eq!(got.len(), 2);
        let (place, bad) = got[0].as_ref().unwrap();
        let e = parse_initiative(bad.as_bytes(), place).unwrap_err();
        // The second object starts at the 41st byte of the document (column 41).
        assert!(
            e.message()
                .contains("trailing characters at line 1 column 41"),
            "{e}"
        );
    }

    #[test]
    fn limits_count_bytes_read() {
        let big = format!("{{\"a\": \"{}\"}}", "x".repeat(100));
        let mut it = JsonItems::new(big.as_bytes()).with_limit(50);
        let e = it.next_into(&mut Vec::new()).unwrap_err();
        assert_eq!(e.code(), "input.too_large");
        assert!(e.to_string().contains("JSON array"), "{e}");
        let ws = " ".repeat(100);
        let mut it = JsonItems::new(ws.as_bytes()).with_limit(50);
        assert!(it.next_into(&mut Vec::new()).is_err());
        let mut it = JsonItems::lines(big.as_bytes()).with_limit(50);
        assert_eq!(
            it.next_into(&mut Vec::new()).unwrap_err().code(),
            "input.too_large"
        );
    }

    #[test]
    fn duplicates_are_refused() {
        let place = ItemPlace {
            index: 0,
            line: 10,
            column: 3,
            in_array: true,
        };
        let e = parse_initiative(
            br#"{"id": "a", "name": "A", "inputs": {"support_share": 80, "support_share": 10}}"#,
            &place,
        )
        .unwrap_err();
        assert_eq!(e.code(), "input.duplicate_key");
        assert_eq!(e.path(), "inputs.support_share");
        assert_eq!(e.message(), "key \"support_share\" given more than once");
        let e = parse_initiative(
            br#"{"id": "a", "name": "A", "inputs": {}, "inputs": {"x": 1}}"#,
            &place,
        )
        .unwrap_err();
        assert_eq!(e.code(), "input.duplicate_key");
        assert!(e.message().contains("\"inputs\""), "{e}");
        let e = parse_initiative(
            br#"{"id": "a", "name": "A", "inputs": {"x": {"low": 1, "low": 2, "high": 3}}}"#,
            &place,
        )
        .unwrap_err();
        assert_eq!(e.code(), "input.duplicate_key");
        assert_eq!(e.path(), "inputs.x");
    }

    #[test]
    fn positions_count_from_the_document() {
        let place = ItemPlace {
            index: 0,
            line: 10,
            column: 3,
            in_array: true,
        };
        let e = parse_initiative(b"{\"id\": \"a\",\n \"name\": }", &place).unwrap_err();
        assert!(e.message().ends_with("at line 11 column 10"), "{e}");
        assert_eq!(
            id_hint(b"{\"id\": \"a\", \"inputs\": 5}"),
            Some("a".to_owned())
        );
    }
}
