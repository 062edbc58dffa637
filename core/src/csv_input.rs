//! Reading initiatives from CSV as a stream, as spreadsheets write it: the delimiter
//! (`,` `;` or tab) detected from the header line, decimal commas accepted when the
//! delimiter is not a comma, `low..high` for a range, `yes`/`no`/`ja`/`nee` for booleans.
//! One row per initiative, a column per criterion id, plus optional `id`, `name` and
//! `description` columns.
//!
//! [`CsvReader`] reads raw rows from any [`Read`] (sequentially, memory bounded by the
//! longest line); [`CsvLayout`] turns a raw row into an [`Initiative`] or, without
//! allocating, into the numeric encoding of [`crate::BatchScorer`]. The layout is `Sync`, so
//! rows read by one thread can be decoded on several. Core does no I/O of its own: it reads
//! the reader it is given.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, BufRead, Read};

use crate::doc::UnknownInputPolicy;
use crate::error::{ErrorKind, Result};
use crate::input::{Initiative, InputValue, Inputs, MAX_INPUT_BYTES};
use crate::rubric::{Criterion, InputKind, Rubric};

/// The decimal mark of numbers in a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimal {
    /// `72.5` only.
    Point,
    /// `72,5` (and `72.5`, but not both marks in one number).
    Comma,
}

/// How a CSV file is written: its delimiter and decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvDialect {
    /// The field delimiter: `b','`, `b';'` or `b'\t'` (or any byte forced by the caller).
    pub delimiter: u8,
    /// The decimal mark of numbers.
    pub decimal: Decimal,
}

impl fmt::Display for CsvDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let delimiter = match self.delimiter {
            b'\t' => "tab".to_owned(),
            d if d.is_ascii_graphic() => format!("'{}'", char::from(d)),
            d => format!("byte 0x{d:02x}"),
        };
        let decimal = match self.decimal {
            Decimal::Point => "decimal point",
            Decimal::Comma => "decimal comma",
        };
        write!(f, "CSV, delimiter {delimiter}, {decimal}")
    }
}

/// What to read and how; every field may be left to detection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Force the delimiter (otherwise the most frequent of `,` `;` tab in the header line).
    pub delimiter: Option<u8>,
    /// Force the decimal mark (otherwise a comma when the delimiter is not a comma).
    pub decimal: Option<Decimal>,
    /// Columns that are not criteria and are left out (e.g. a district).
    pub ignore: Vec<String>,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Id,
    Name,
    /// `description` and ignored columns.
    Skip,
    /// The criterion with this index.
    Criterion(usize),
    /// Not a criterion: kept, so that scoring reports it by the rubric's policy.
    Unknown,
}

/// A cell read as text, before it becomes an [`InputValue`] (no allocation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Missing,
    Number(f64),
    Range(f64, f64),
    Bool(bool),
    Text(&'a str),
}

impl Cell<'_> {
    pub(crate) fn of(value: &InputValue) -> Option<Cell<'_>> {
        Some(match value {
            InputValue::Missing => Cell::Missing,
            InputValue::Number(x) => Cell::Number(*x),
            InputValue::Range { low, high } => Cell::Range(*low, *high),
            InputValue::Bool(b) => Cell::Bool(*b),
            InputValue::Text(t) => Cell::Text(t),
            InputValue::Graded { .. } => return None,
        })
    }

    pub(crate) fn into_input(self) -> InputValue {
        match self {
            Cell::Missing => InputValue::Missing,
            Cell::Number(x) => InputValue::Number(x),
            Cell::Range(low, high) => InputValue::Range { low, high },
            Cell::Bool(b) => InputValue::Bool(b),
            Cell::Text(t) => InputValue::Text(t.to_owned()),
        }
    }
}

/// A number as typed, with the decimal mark of `decimal`.
fn parse_number(t: &str, decimal: Decimal) -> Option<f64> {
    let t = t.trim();
    if decimal == Decimal::Comma && t.contains(',') {
        if t.contains('.') || t.len() > 64 || t.matches(',').count() > 1 {
            return None;
        }
        let mut buf = [0u8; 64];
        let bytes = t.as_bytes();
        let slot = buf.get_mut(..bytes.len())?;
        for (d, &s) in slot.iter_mut().zip(bytes) {
            *d = if s == b',' { b'.' } else { s };
        }
        return std::str::from_utf8(slot).ok()?.parse().ok();
    }
    t.parse().ok()
}

/// The position of the first `..` in `t` (a byte scan: cheaper per cell than a substring
/// search).
fn range_dots(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    let first = b.iter().position(|&c| c == b'.')?;
    b.get(first..)?
        .windows(2)
        .position(|w| w == b"..")
        .map(|i| first + i)
}

/// Text typed by a person as an input for criterion `c` (the rule of
/// [`Criterion::parse_text`], with a decimal mark).
pub(crate) fn parse_cell<'a>(c: &Criterion, text: &'a str, decimal: Decimal) -> Cell<'a> {
    let t = text.trim();
    if t.is_empty() {
        return Cell::Missing;
    }
    match c.kind() {
        InputKind::Boolean => {
            const TRUE: [&str; 6] = ["true", "yes", "ja", "1", "y", "j"];
            const FALSE: [&str; 5] = ["false", "no", "nee", "0", "n"];
            if TRUE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
                Cell::Bool(true)
            } else if FALSE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
                Cell::Bool(false)
            } else {
                Cell::Text(t)
            }
        }
        InputKind::Category => Cell::Text(t),
        InputKind::Number | InputKind::Likert { .. } => {
            if let Some(i) = range_dots(t)
                && let (Some(a), Some(b)) = (t.get(..i), t.get(i + 2..))
                && let (Some(low), Some(high)) =
                    (parse_number(a, decimal), parse_number(b, decimal))
            {
                return Cell::Range(low, high);
            }
            parse_number(t, decimal).map_or(Cell::Text(t), Cell::Number)
        }
    }
}

/// A cell in the numeric encoding of [`crate::BatchScorer`] (the rule of
/// [`Criterion::encode`]); `None` when only the general path can score it.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn encode_cell(c: &Criterion, cell: Cell<'_>) -> Option<(f64, f64)> {
    match (cell, c.kind()) {
        (Cell::Missing, _) => Some((f64::NAN, f64::NAN)),
        (Cell::Number(x), InputKind::Number | InputKind::Likert { .. }) if !x.is_nan() => {
            Some((x, x))
        }
        (Cell::Range(low, high), InputKind::Number) if !low.is_nan() && !high.is_nan() => {
            Some((low, high))
        }
        (Cell::Bool(b), InputKind::Boolean) => Some(if b { (1.0, 1.0) } else { (0.0, 0.0) }),
        (Cell::Text(s), InputKind::Category) => c.option_index(s).map(|i| (i as f64, i as f64)),
        _ => None,
    }
}

/// Count delimiters outside quotes in the header line; the most frequent of `,` `;` tab
/// wins (a comma when there is none: one column).
fn detect_delimiter(header: &[u8]) -> u8 {
    let (mut comma, mut semicolon, mut tab, mut quoted) = (0, 0, 0, false);
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => comma += 1,
            b';' if !quoted => semicolon += 1,
            b'\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > comma && tab >= semicolon {
        b'\t'
    } else if semicolon > comma {
        b';'
    } else {
        b','
    }
}

/// A reader that fails when a line grows longer than `limit` bytes (bytes read are
/// counted, so a device or a pipe without line breaks cannot exhaust memory).
#[derive(Debug)]
struct LineLimit<R> {
    inner: R,
    since_newline: usize,
    limit: usize,
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let got = buf.get(..n).unwrap_or_default();
        match got.iter().rposition(|&b| b == b'\n') {
            Some(i) => self.since_newline = n - i - 1,
            None => self.since_newline += n,
        }
        if self.since_newline > self.limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, LineTooLong));
        }
        Ok(n)
    }
}

#[derive(Debug)]
struct LineTooLong;

impl fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a line is too long")
    }
}

impl std::error::Error for LineTooLong {}

/// How the columns of one CSV file map onto a rubric; decodes raw rows (see the module
/// docs). `Sync`: rows may be decoded on several threads.
#[derive(Debug, Clone)]
pub struct CsvLayout<'r> {
    rubric: &'r Rubric,
    dialect: CsvDialect,
    headers: Vec<String>,
    roles: Vec<Role>,
    /// (column, criterion index) of every criterion column, in column order.
    criteria: Vec<(usize, usize)>,
    /// The `id` and `name` columns.
    id_column: Option<usize>,
    name_column: Option<usize>,
}

/// One raw row: its fields and the line it starts on. Reused from row to row.
#[derive(Debug, Clone, Default)]
pub struct CsvRow {
    record: csv::ByteRecord,
    /// 1-based line on which the row starts.
    pub line: u64,
    /// 1-based number of the row among the data rows (the default id is `row<number>`).
    pub number: u64,
}

impl CsvRow {
    /// An empty row to read into.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<'r> CsvLayout<'r> {
    /// The dialect the file is read in.
    pub fn dialect(&self) -> CsvDialect {
        self.dialect
    }

    /// The header's column names, in order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The criterion columns, in the order of [`CsvLayout::encode`]'s values: pass them to
    /// [`Rubric::batch`].
    pub fn criterion_columns(&self) -> Vec<&str> {
        self.criteria
            .iter()
            .filter_map(|&(col, _)| self.headers.get(col).map(String::as_str))
            .collect()
    }

    /// The row's cell in column `col` as text (`None` when absent or not UTF-8).
    fn text(row: &CsvRow, col: usize) -> Option<&str> {
        row.record
            .get(col)
            .and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The row's id as the initiative will carry it (`row<number>` without an id column).
    pub fn id(&self, row: &CsvRow) -> String {
        self.id_column
            .map(|col| {
                row.record
                    .get(col)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default()
            })
            .unwrap_or_else(|| format!("row{}", row.number))
    }

    /// The row's id and name, borrowed (the id is `None` without an id column, the name
    /// `None` without a name column); `None` for a cell that is not UTF-8.
    pub fn id_and_name<'a>(&self, row: &'a CsvRow) -> (Option<&'a [u8]>, Option<&'a [u8]>) {
        let get = |column: Option<usize>| column.map(|col| row.record.get(col).unwrap_or_default());
        (get(self.id_column), get(self.name_column))
    }

    fn check_shape(&self, row: &CsvRow) -> Result<()> {
        if row.record.len() != self.headers.len() {
            return Err(ErrorKind::Shape {
                expected: self.headers.len(),
                got: row.record.len(),
            }
            .at("input"));
        }
        Ok(())
    }

    /// The row as an initiative: `id` (default `row<number>`), `name` (default the id),
    /// an input per criterion column (empty cells are missing), non-criterion columns kept
    /// as numbers or text so that scoring reports them by the rubric's policy;
    /// `description` and ignored columns left out.
    ///
    /// # Errors
    /// `input.shape` when the row has another number of fields than the header;
    /// `input.parse` (path `input.<column>`) for a cell that is not UTF-8.
    pub fn initiative(&self, row: &CsvRow) -> Result<Initiative> {
        self.check_shape(row)?;
        let mut inputs = Inputs::new();
        let (mut id, mut name) = (None, None);
        for (col, (role, header)) in self.roles.iter().zip(&self.headers).enumerate() {
            let text = Self::text(row, col).ok_or_else(|| {
                ErrorKind::InputParse {
                    message: "not valid UTF-8".to_owned(),
                }
                .at(format!("input.{header}"))
            })?;
            match *role {
                Role::Id => id = Some(text.to_owned()),
                Role::Name => name = Some(text.to_owned()),
                Role::Skip => {}
                Role::Criterion(i) => {
                    let value = self
                        .rubric
                        .criteria()
                        .get(i)
                        .map_or(Cell::Missing, |c| parse_cell(c, text, self.dialect.decimal));
                    if value != Cell::Missing {
                        inputs.insert(header.as_str(), value.into_input());
                    }
                }
                Role::Unknown => {
                    if !text.is_empty() {
                        let value = parse_number(text, self.dialect.decimal)
                            .map_or_else(|| InputValue::Text(text.to_owned()), InputValue::Number);
                        inputs.insert(header.as_str(), value);
                    }
                }
            }
        }
        let id = id.unwrap_or_else(|| format!("row{}", row.number));
        Ok(Initiative {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            description: None,
            inputs,
        })
    }

    /// The row in the numeric encoding of [`crate::BatchScorer`] for the columns of
    /// [`CsvLayout::criterion_columns`] (`low`, `high`: one slot per criterion column; NaN
    /// for missing), without allocating. `false` when the row must take the general path
    /// ([`CsvLayout::initiative`] and [`Rubric::score`], which also find its error): a
    /// wrong number of fields, a cell that does not encode, or a non-empty unknown column
    /// under the rubric's `error` policy.
    pub fn encode(&self, row: &CsvRow, low: &mut [f64], high: &mut [f64]) -> bool {
        if row.record.len() != self.headers.len()
            || low.len() != self.criteria.len()
            || high.len() != self.criteria.len()
        {
            return false;
        }
        let criteria = self.rubric.criteria();
        for ((&(col, i), lo), hi) in self.criteria.iter().zip(low).zip(high) {
            let (Some(text), Some(c)) = (Self::text(row, col), criteria.get(i)) else {
                return false;
            };
            match encode_cell(c, parse_cell(c, text, self.dialect.decimal)) {
                Some((a, b)) => (*lo, *hi) = (a, b),
                None => return false,
            }
        }
        if self.rubric.unknown_input_policy() == UnknownInputPolicy::Error {
            for (col, role) in self.roles.iter().enumerate() {
                if *role == Role::Unknown
                    && row.record.get(col).is_some_and(|cell| !cell.is_empty())
                {
                    return false;
                }
            }
        }
        true
    }
}

/// Reads raw rows of a CSV file one at a time (see the module docs).
#[derive(Debug)]
pub struct CsvReader<'r, R> {
    layout: CsvLayout<'r>,
    reader: csv::Reader<io::Chain<io::Cursor<Vec<u8>>, LineLimit<R>>>,
    rows: u64,
}

impl<'r, R: BufRead> CsvReader<'r, R> {
    /// Read the header line, detect the dialect (unless forced) and map the columns onto
    /// `rubric`. A leading UTF-8 byte order mark is skipped. A line longer than
    /// [`MAX_INPUT_BYTES`] is an error (bytes read are counted, not a file size).
    ///
    /// # Errors
    /// `input.parse` for an unreadable or non-UTF-8 header (or a read error);
    /// `input.duplicate_column` (path `input.<column>`) for a column named twice, `id`
    /// included; `input.too_large` for a header line above the limit.
    pub fn new(rubric: &'r Rubric, mut reader: R, options: &CsvOptions) -> Result<Self> {
        let mut header = Vec::new();
        let limit = MAX_INPUT_BYTES;
        (&mut reader)
            .take(limit as u64 + 1)
            .read_until(b'\n', &mut header)
            .map_err(|e| read_error(&e, 1))?;
        if header.len() > limit {
            return Err(ErrorKind::ItemTooLarge {
                line: 1,
                limit,
                hint: "",
            }
            .at(""));
        }
        if header.starts_with(b"\xEF\xBB\xBF") {
            header.drain(..3);
        }
        let delimiter = options
            .delimiter
            .unwrap_or_else(|| detect_delimiter(&header));
        let decimal = options.decimal.unwrap_or(if delimiter == b',' {
            Decimal::Point
        } else {
            Decimal::Comma
        });
        let dialect = CsvDialect { delimiter, decimal };
        let rest = LineLimit {
            inner: reader,
            since_newline: 0,
            limit,
        };
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .trim(csv::Trim::All)
            .flexible(true)
            .has_headers(true)
            .from_reader(io::Cursor::new(header).chain(rest));
        let raw = csv.byte_headers().map_err(|e| csv_error(&e, 1))?.clone();
        let mut headers = Vec::with_capacity(raw.len());
        let mut seen = HashSet::new();
        for cell in &raw {
            let name = std::str::from_utf8(cell).map_err(|_| {
                ErrorKind::InputParse {
                    message: "the header line is not valid UTF-8".to_owned(),
                }
                .at("")
            })?;
            if !seen.insert(name) {
                return Err(ErrorKind::DuplicateColumn.at(format!("input.{name}")));
            }
            headers.push(name.to_owned());
        }
        let roles: Vec<Role> = headers
            .iter()
            .map(|h| match h.as_str() {
                "id" => Role::Id,
                "name" => Role::Name,
                "description" => Role::Skip,
                h if options.ignore.iter().any(|i| i == h) => Role::Skip,
                h => rubric.index_of(h).map_or(Role::Unknown, Role::Criterion),
            })
            .collect();
        let criteria = roles
            .iter()
            .enumerate()
            .filter_map(|(col, r)| match r {
                Role::Criterion(i) => Some((col, *i)),
                _ => None,
            })
            .collect();
        Ok(Self {
            layout: CsvLayout {
                rubric,
                dialect,
                headers,
                id_column: roles.iter().position(|&r| r == Role::Id),
                name_column: roles.iter().position(|&r| r == Role::Name),
                roles,
                criteria,
            },
            reader: csv,
            rows: 0,
        })
    }

    /// How the columns map (to decode rows, possibly on other threads).
    pub fn layout(&self) -> &CsvLayout<'r> {
        &self.layout
    }

    /// Read the next row into `row`; `Ok(false)` at the end. Blank lines are skipped.
    ///
    /// # Errors
    /// Fatal errors only: a read error or a line above [`MAX_INPUT_BYTES`]
    /// (`input.too_large`). A row with a wrong number of fields is read (its error comes
    /// from [`CsvLayout::initiative`]).
    pub fn read_row(&mut self, row: &mut CsvRow) -> Result<bool> {
        let line = self.reader.position().line();
        let more = self
            .reader
            .read_byte_record(&mut row.record)
            .map_err(|e| csv_error(&e, line))?;
        if more {
            self.rows += 1;
            row.number = self.rows;
            row.line = row.record.position().map_or(line, csv::Position::line);
        }
        Ok(more)
    }
}

fn read_error(e: &io::Error, line: u64) -> crate::Error {
    if e.get_ref()
        .and_then(|x| x.downcast_ref::<LineTooLong>())
        .is_some()
    {
        return ErrorKind::ItemTooLarge {
            line,
            limit: MAX_INPUT_BYTES,
            hint: "",
        }
        .at("");
    }
    ErrorKind::InputParse {
        message: format!("cannot read line {line}: {e}"),
    }
    .at("")
}

fn csv_error(e: &csv::Error, line: u64) -> crate::Error {
    match e.kind() {
        csv::ErrorKind::Io(io) => read_error(io, line),
        _ => ErrorKind::InputParse {
            message: e.to_string(),
        }
        .at(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_either_mark() {
        assert_eq!(parse_number("72,5", Decimal::Comma), Some(72.5));
        assert_eq!(parse_number("72.5", Decimal::Comma), Some(72.5));
        assert_eq!(parse_number("1.234,5", Decimal::Comma), None);
        assert_eq!(parse_number("1,2,3", Decimal::Comma), None);
        assert_eq!(parse_number("72,5", Decimal::Point), None);
        assert_eq!(parse_number(" -3 ", Decimal::Point), Some(-3.0));
    }

    #[test]
    fn delimiter_from_the_header() {
        assert_eq!(detect_delimiter(b"id;name;support_share\n"), b';');
        assert_eq!(detect_delimiter(b"id,name,\"a;b\"\n"), b',');
        assert_eq!(detect_delimiter(b"id\tname\tx\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"a,b;c\";d\n"), b';');
        assert_eq!(detect_delimiter(b"support_share\n"), b',');
    }

    #[test]
    fn line_limit_counts_bytes_read() {
        let data = [b'x'; 100];
        let mut r = LineLimit {
            inner: &data[..],
            since_newline: 0,
            limit: 50,
        };
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_err());
        let ok = b"abc\ndef\n".repeat(40);
        let mut r = LineLimit {
            inner: &ok[..],
            since_newline: 0,
            limit: 5,
        };
        assert!(r.read_to_end(&mut Vec::new()).is_ok());
    }
}
