//! Reading many initiatives as a stream, from any reader the caller opens: CSV (with the
//! dialects spreadsheets write: `,` `;` or tab separated, decimal commas), NDJSON (one
//! object a line) and JSON arrays (item by item, never the whole document at once). Memory
//! stays bounded by one record, whatever the number of rows; each item is its own `Result`
//! so that one bad row never hides the others. The engine does no I/O of its own: it reads
//! only the reader it is given.

use std::io::{BufRead, Read};

use crate::error::{Error, ErrorKind, Result};
use crate::input::{Initiative, InputValue, Inputs, MAX_INPUT_BYTES, shorten};
use crate::rubric::{InputKind, Rubric};

/// The longest single record (a CSV row, an NDJSON line, an item of a JSON array) read.
pub const MAX_RECORD_BYTES: usize = MAX_INPUT_BYTES;

// ---- CSV dialects ------------------------------------------------------------------------

/// How many bytes of a file's first line [`Dialect::detect`] looks at (after a byte order
/// mark): a header longer than this is detected on its start.
pub const DETECT_BYTES: usize = 64 * 1024;

/// Whether `head` (after a byte order mark) holds what [`Dialect::detect`] looks at: a line
/// break outside quotes, or [`DETECT_BYTES`] bytes. The reference [`FirstLine`] is tested
/// against.
#[cfg(test)]
fn holds_first_line(head: &[u8]) -> bool {
    let mut quoted = false;
    for &b in head.get(..DETECT_BYTES).unwrap_or(head) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return true,
            _ => {}
        }
    }
    head.len() >= DETECT_BYTES
}

/// Whether a file's start holds what [`Dialect::detect`] looks at (a line break outside
/// quotes, or [`DETECT_BYTES`] bytes after a byte order mark), found as the start grows, each
/// byte looked at once (a pipe may give a few bytes a read: scanning the whole start again at
/// each read was quadratic; that scan is kept as the tests' reference, `holds_first_line`).
#[derive(Debug, Default)]
struct FirstLine {
    /// Bytes of the start scanned.
    at: usize,
    /// Whether a quote is open at `at`.
    quoted: bool,
}

impl FirstLine {
    /// Whether `head`, the file's start with its byte order mark if it has one (the mark's
    /// bytes are neither a quote nor a line break, so they are scanned like any other),
    /// holds the first line or [`DETECT_BYTES`] bytes after the mark. `head` must be the
    /// last call's `head` with bytes added.
    fn held(&mut self, head: &[u8]) -> bool {
        let bom = if head.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let end = head.len().min(bom + DETECT_BYTES);
        for &b in head.get(self.at..end).unwrap_or(&[]) {
            self.at += 1;
            match b {
                b'"' => self.quoted = !self.quoted,
                b'\n' if !self.quoted => return true,
                _ => {}
            }
        }
        head.len() >= bom + DETECT_BYTES
    }
}

/// How a CSV file is written: its delimiter and decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// `b','`, `b';'` or `b'\t'`.
    pub delimiter: u8,
    /// Whether numbers use a decimal comma (`72,5`).
    pub decimal_comma: bool,
}

impl Dialect {
    /// The dialect of a file from its first line: the delimiter that occurs most often
    /// outside quotes (`,` when none does), unless `delimiter` forces one; decimal commas
    /// when the delimiter is not a comma, unless `decimal` forces `','` or `'.'`.
    ///
    /// Only the first [`DETECT_BYTES`] bytes of `first_line` are looked at, so that every
    /// reader of a file (whatever size its buffers are) detects the same dialect: give it at
    /// least those bytes, or the whole first line when it is shorter.
    pub fn detect(first_line: &[u8], delimiter: Option<u8>, decimal: Option<char>) -> Self {
        let delimiter = delimiter.unwrap_or_else(|| {
            let (mut counts, mut quoted) = ([0usize; 3], false);
            for &b in first_line.get(..DETECT_BYTES).unwrap_or(first_line) {
                match b {
                    b'"' => quoted = !quoted,
                    b',' if !quoted => counts[0] += 1,
                    b';' if !quoted => counts[1] += 1,
                    b'\t' if !quoted => counts[2] += 1,
                    b'\n' if !quoted => break,
                    _ => {}
                }
            }
            let [comma, semicolon, tab] = counts;
            if semicolon > comma && semicolon >= tab {
                b';'
            } else if tab > comma && tab > semicolon {
                b'\t'
            } else {
                b','
            }
        });
        let decimal_comma = match decimal {
            Some(',') => true,
            Some(_) => false,
            None => delimiter != b',',
        };
        Self {
            delimiter,
            decimal_comma,
        }
    }

    /// A delimiter as a person names it (`--delimiter` in the CLI, `delimiter=` in Python):
    /// `,` or `comma`, `;` or `semicolon`, a tab, `\t` or `tab`, `|` or `pipe`.
    ///
    /// # Errors
    /// `input.invalid_parameter` naming the accepted forms for anything else (the caller
    /// places it at its option's name with [`ErrorKind::at`]).
    pub fn parse_delimiter(name: &str) -> std::result::Result<u8, ErrorKind> {
        match name {
            "," | "comma" => Ok(b','),
            ";" | "semicolon" => Ok(b';'),
            "\t" | "tab" | "\\t" => Ok(b'\t'),
            "|" | "pipe" => Ok(b'|'),
            other => Err(ErrorKind::InvalidParameter {
                expected: ", ; tab or |".to_owned(),
                got: format!("{other:?}"),
            }),
        }
    }

    /// A decimal separator as a person names it: `,` or `.`.
    ///
    /// # Errors
    /// `input.invalid_parameter` naming the accepted forms for anything else.
    pub fn parse_decimal(name: &str) -> std::result::Result<char, ErrorKind> {
        match name {
            "," => Ok(','),
            "." => Ok('.'),
            other => Err(ErrorKind::InvalidParameter {
                expected: ", or .".to_owned(),
                got: format!("{other:?}"),
            }),
        }
    }

    /// In words, for messages: `semicolon-separated, decimal comma`.
    pub fn describe(&self) -> String {
        let sep = match self.delimiter {
            b',' => "comma-separated".to_owned(),
            b';' => "semicolon-separated".to_owned(),
            b'\t' => "tab-separated".to_owned(),
            other => format!("{:?}-separated", char::from(other)),
        };
        let decimal = if self.decimal_comma {
            "decimal comma"
        } else {
            "decimal point"
        };
        format!("{sep}, {decimal}")
    }
}

/// The role of one CSV column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    /// `id`.
    Id,
    /// `name`.
    Name,
    /// `description`.
    Description,
    /// A criterion, by index in the rubric.
    Criterion(usize),
    /// Left out (named in `ignore`).
    Ignored,
    /// Not a criterion: reported by the rubric's policy for unknown inputs.
    Unknown(String),
}

/// A reader that fails when a single line grows beyond a limit (a file of zeros without a
/// newline, a device), so that no record is ever held whole beyond [`MAX_RECORD_BYTES`].
#[derive(Debug)]
pub struct LineLimit<R> {
    inner: R,
    since_newline: usize,
    limit: usize,
}

impl<R> LineLimit<R> {
    /// Wrap `inner`, allowing lines of at most `limit` bytes.
    pub fn new(inner: R, limit: usize) -> Self {
        Self {
            inner,
            since_newline: 0,
            limit,
        }
    }
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or(&[]);
        // When the chunk is no longer than the limit, a line wholly inside it is short
        // enough: only the line running on from before and the one it ends with count, so
        // the first and last line breaks are all that need finding.
        if n <= self.limit {
            match (
                read.iter().position(|&b| b == b'\n'),
                read.iter().rposition(|&b| b == b'\n'),
            ) {
                (Some(first), Some(last)) if self.since_newline + first <= self.limit => {
                    self.since_newline = n - last - 1;
                    return Ok(n);
                }
                (None, _) if self.since_newline + n <= self.limit => {
                    self.since_newline += n;
                    return Ok(n);
                }
                _ => {}
            }
        }
        for &b in read {
            if b == b'\n' {
                self.since_newline = 0;
            } else {
                self.since_newline += 1;
                if self.since_newline > self.limit {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("a line longer than {} bytes", self.limit),
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// One CSV row: where it is and its cells. `CsvRow::default()` is an empty buffer for
/// [`CsvInitiatives::read_row`].
#[derive(Debug, Clone, Default)]
pub struct CsvRow {
    /// 1-based number of the row among the data rows (its id when there is no `id`).
    pub number: usize,
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// The cells.
    pub record: csv::StringRecord,
}

/// One CSV row as [`CsvInitiatives::read_raw_row`] reads it: without a record, the text of
/// its cells one after another, `gap` bytes apart, and where each cell ends in it (borrowed
/// from the reader until the next row is read). Cell `k` is
/// `text[ends[k - 1] + gap..ends[k]]` (from 0 for the first).
#[derive(Debug, Clone, Copy)]
pub struct RawCsvRow<'a> {
    /// 1-based number of the row among the data rows (its id when there is no `id`).
    pub number: usize,
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// The cells, one after another (quotes removed).
    pub text: &'a str,
    /// The end of each cell in `text`.
    pub ends: &'a [usize],
    /// Bytes between two cells in `text`: 1 for a plain line (the row's own text, with its
    /// delimiters), 0 for a row with quotes (the cells unquoted, end to end).
    pub gap: usize,
}

/// A streaming CSV reader of initiatives: one column per criterion id, plus `id`, `name`
/// and `description`; `low..high` for a range; `yes`/`no`/`ja`/`nee` for booleans.
#[derive(Debug)]
pub struct CsvInitiatives<'r, R: Read> {
    /// The first bytes (read to detect the dialect), then the rest of the input.
    reader: crate::csv_records::Records<LineLimit<std::io::Chain<std::io::Cursor<Vec<u8>>, R>>>,
    layout: CsvLayout<'r>,
    rows: usize,
}

/// How the rows of one CSV file are read: the role of each column and the dialect. Cheap to
/// share between threads (rows can be turned into initiatives in parallel).
#[derive(Debug, Clone)]
pub struct CsvLayout<'r> {
    rubric: &'r Rubric,
    columns: Vec<Column>,
    header: Vec<String>,
    dialect: Dialect,
}

impl<'r, R: BufRead> CsvInitiatives<'r, R> {
    /// Read the header of a CSV stream (a leading byte order mark is skipped). The dialect
    /// is detected from the first line unless forced (`delimiter`, `decimal`).
    ///
    /// # Errors
    /// `input.parse` for a stream without a header or one that cannot be read;
    /// `input.duplicate_column` (path `columns.<name>`) for a column named twice, `id`
    /// included.
    pub fn new(
        rubric: &'r Rubric,
        mut input: R,
        delimiter: Option<u8>,
        decimal: Option<char>,
        ignore: &[String],
    ) -> Result<Self> {
        // The file's start, up to what the dialect is detected on, whatever the reader's
        // buffer size or however little a read returns (a pipe): the same bytes for every
        // reader of the same file.
        let mut head = Vec::new();
        let mut first_line = FirstLine::default();
        loop {
            let buf = input.fill_buf().map_err(io_error)?;
            if buf.is_empty() {
                break;
            }
            let room = (DETECT_BYTES + 3).saturating_sub(head.len());
            let take = buf.len().min(room);
            head.extend_from_slice(buf.get(..take).unwrap_or(&[]));
            input.consume(take);
            if take == room || first_line.held(&head) {
                break;
            }
        }
        if head.starts_with(b"\xEF\xBB\xBF") {
            head.drain(..3);
        }
        let dialect = Dialect::detect(&head, delimiter, decimal);
        let mut reader = crate::csv_records::Records::new(
            LineLimit::new(std::io::Cursor::new(head).chain(input), MAX_RECORD_BYTES),
            dialect.delimiter,
        );
        let mut first = csv::StringRecord::new();
        let header: Vec<String> = match reader.read(&mut first) {
            None => Vec::new(),
            Some(Ok(_)) => first.iter().map(|h| h.trim().to_owned()).collect(),
            Some(Err(e)) => return Err(csv_error(e, dialect)),
        };
        if header.iter().all(String::is_empty) {
            return Err(ErrorKind::InputParse {
                message: "the file has no header row (a column per criterion id)".to_owned(),
            }
            .at("line 1"));
        }
        let mut columns = Vec::with_capacity(header.len());
        for (j, name) in header.iter().enumerate() {
            if header.iter().take(j).any(|h| h == name) {
                return Err(ErrorKind::DuplicateColumn.at(format!("columns.{}", shorten(name, 80))));
            }
            columns.push(match name.as_str() {
                "id" => Column::Id,
                "name" => Column::Name,
                "description" => Column::Description,
                n if ignore.iter().any(|i| i == n) => Column::Ignored,
                n => rubric
                    .index_of(n)
                    .map_or_else(|| Column::Unknown(n.to_owned()), Column::Criterion),
            });
        }
        Ok(Self {
            reader,
            layout: CsvLayout {
                rubric,
                columns,
                header,
                dialect,
            },
            rows: 0,
        })
    }
}

impl<'r, R: Read> CsvInitiatives<'r, R> {
    /// Go on reading a CSV stream part of which was read another way (a faster reader of
    /// plain lines): `input` starts at the start of line `line` (1-based) of the file, after
    /// `rows` data rows, and is read with `layout` (the file's header). Rows and errors then
    /// carry the same numbers and lines as when the whole file is read by [`Self::new`].
    pub fn resume(layout: CsvLayout<'r>, input: R, line: u64, rows: usize) -> Self {
        let reader = crate::csv_records::Records::new(
            LineLimit::new(
                std::io::Cursor::new(Vec::new()).chain(input),
                MAX_RECORD_BYTES,
            ),
            layout.dialect.delimiter,
        )
        .starting_at_line(line);
        Self {
            reader,
            layout,
            rows,
        }
    }

    /// How rows are read (columns, dialect).
    pub fn layout(&self) -> &CsvLayout<'r> {
        &self.layout
    }

    /// The next raw row (`None` at the end). Errors (a row that cannot be read, invalid
    /// UTF-8, an over-long line) carry the row's line as path; an error of the underlying
    /// reader ends the stream after it is returned.
    pub fn next_row(&mut self) -> Option<Result<CsvRow>> {
        let mut row = CsvRow {
            number: 0,
            line: 0,
            record: csv::StringRecord::new(),
        };
        self.read_row(&mut row).map(|r| r.map(|()| row))
    }

    /// As [`next_row`](Self::next_row), but reading into `row` (its buffers are reused, so a
    /// loop over a file allocates nothing per row). `None` at the end; after an error `row`
    /// holds nothing meaningful.
    pub fn read_row(&mut self, row: &mut CsvRow) -> Option<Result<()>> {
        if self.rows == usize::MAX {
            return None;
        }
        match self.reader.read(&mut row.record)? {
            Ok(line) => {
                self.rows += 1;
                row.number = self.rows;
                row.line = line;
                Some(Ok(()))
            }
            Err(e) => {
                if matches!(e, crate::csv_records::Failure::Io(_)) {
                    self.rows = usize::MAX;
                } else {
                    self.rows += 1;
                }
                Some(Err(csv_error(e, self.layout.dialect)))
            }
        }
    }

    /// As [`read_row`](Self::read_row), without copying the row into a record: its cells'
    /// text and ends, valid until the next call (a reader that keeps rows its own way copies
    /// them once). `None` at the end.
    pub fn read_raw_row(&mut self) -> Option<Result<RawCsvRow<'_>>> {
        if self.rows == usize::MAX {
            return None;
        }
        match self.reader.read_raw()? {
            Ok(raw) => {
                self.rows += 1;
                Some(Ok(RawCsvRow {
                    number: self.rows,
                    line: raw.line,
                    text: raw.text,
                    ends: raw.ends,
                    gap: raw.gap,
                }))
            }
            Err(e) => {
                if matches!(e, crate::csv_records::Failure::Io(_)) {
                    self.rows = usize::MAX;
                } else {
                    self.rows += 1;
                }
                Some(Err(csv_error(e, self.layout.dialect)))
            }
        }
    }

    /// Convenience: the initiative of a row (see [`CsvLayout::initiative`]).
    ///
    /// # Errors
    /// As [`CsvLayout::initiative`].
    pub fn initiative(&self, row: &CsvRow) -> Result<Initiative> {
        self.layout.initiative(row)
    }
}

impl<'r> CsvLayout<'r> {
    /// The rubric the columns were matched against.
    pub(crate) fn rubric(&self) -> &'r Rubric {
        self.rubric
    }
}

impl CsvLayout<'_> {
    /// The dialect read.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The record of a plain line (no quote, no line break: see
    /// [`csv_plain::is_plain`](crate::csv_plain::is_plain)), its cells split at the
    /// delimiter as the general reader splits them, numbered as the general reader numbers
    /// it: the file's `number`th row, on line `line`. A quoted line is split wrongly.
    pub fn plain_row(&self, text: &str, number: usize, line: u64) -> CsvRow {
        let mut record = csv::StringRecord::new();
        for cell in text.split(char::from(self.dialect.delimiter)) {
            record.push_field(cell);
        }
        CsvRow {
            number,
            line,
            record,
        }
    }

    /// The role of each column, in file order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column names, in file order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The initiative of a row. Its id is the `id` cell, else `row<N>` (1-based).
    ///
    /// # Errors
    /// `input.shape` (path `line <n>`) for a row with another number of cells than the
    /// header.
    pub fn initiative(&self, row: &CsvRow) -> Result<Initiative> {
        self.check_shape(row)?;
        let mut inputs = Inputs::new();
        let (mut id, mut name, mut description) = (None, None, None);
        for (column, cell) in self.columns.iter().zip(row.record.iter()) {
            let cell = cell.trim();
            match column {
                Column::Id => id = Some(cell.to_owned()),
                Column::Name => name = Some(cell.to_owned()),
                Column::Description if !cell.is_empty() => description = Some(cell.to_owned()),
                Column::Description | Column::Ignored => {}
                Column::Criterion(i) => {
                    let value = self.cell(*i, cell);
                    if !value.is_missing()
                        && let Some(c) = self.rubric.criteria().get(*i)
                    {
                        inputs.insert(c.id(), value);
                    }
                }
                Column::Unknown(n) => {
                    if !cell.is_empty() {
                        let value = cell
                            .parse()
                            .map_or_else(|_| InputValue::Text(cell.to_owned()), InputValue::Number);
                        inputs.insert(n.clone(), value);
                    }
                }
            }
        }
        let id = id.unwrap_or_else(|| format!("row{}", row.number));
        Ok(Initiative {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            description,
            inputs,
        })
    }

    /// `input.shape` (path `line <n>`) unless the row has as many cells as the header.
    ///
    /// # Errors
    /// As said.
    pub fn check_shape(&self, row: &CsvRow) -> Result<()> {
        if row.record.len() == self.columns.len() {
            Ok(())
        } else {
            Err(ErrorKind::Shape {
                expected: self.columns.len(),
                got: row.record.len(),
            }
            .at(format!("line {}", row.line)))
        }
    }

    /// The row's `id` cell, if it has one.
    pub fn id_of<'a>(&self, row: &'a CsvRow) -> Option<&'a str> {
        self.columns
            .iter()
            .position(|c| *c == Column::Id)
            .and_then(|j| row.record.get(j))
            .map(str::trim)
    }

    /// A cell of criterion `i` encoded as the batch path takes it: the same as
    /// `criterion.encode(&self.cell(i, cell))`, without allocating for the common cells
    /// (plain decimal numbers, option ids, booleans). `None` when the cell does not encode
    /// (text for a number, an unknown option) or `i` is not a criterion.
    pub fn encode_cell(&self, i: usize, cell: &str) -> Option<(f64, f64)> {
        let c = self.rubric.criteria().get(i)?;
        let t = trim(cell);
        if t.is_empty() {
            return Some((f64::NAN, f64::NAN));
        }
        match c.kind() {
            InputKind::Number | InputKind::Likert { .. } => {
                if let Some(x) = short_decimal(t.as_bytes(), self.dialect.decimal_comma) {
                    return Some((x, x));
                }
            }
            #[allow(clippy::cast_precision_loss)]
            InputKind::Category => return c.option_index(t).map(|k| (k as f64, k as f64)),
            InputKind::Boolean => {
                let x = f64::from(u8::from(crate::rubric::parse_bool(t)?));
                return Some((x, x));
            }
        }
        c.encode(&self.cell(i, t))
    }

    /// A cell of criterion `i` read by the criterion's own rules and this dialect.
    pub fn cell(&self, i: usize, cell: &str) -> InputValue {
        let Some(c) = self.rubric.criteria().get(i) else {
            return InputValue::Missing;
        };
        if self.dialect.decimal_comma
            && matches!(c.kind(), InputKind::Number | InputKind::Likert { .. })
            && cell.as_bytes().contains(&b',')
        {
            c.parse_text(&cell.replace(',', "."))
        } else {
            c.parse_text(cell)
        }
    }
}

/// `str::trim` without decoding characters when the text neither starts nor ends with a
/// space, a control character or a non-ASCII byte (the common cell).
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) if a > b' ' && a < 0x80 && z > b' ' && z < 0x80 => s,
        _ => s.trim(),
    }
}

/// A plain decimal (`123`, `72.5`, `0.25`; `72,5` too with a decimal comma) of at most 15
/// digits, read exactly as `str::parse::<f64>` reads it: the digits form an integer below
/// 10^15 (exact in an f64) divided by a power of ten up to 10^15 (exact too), and IEEE
/// division rounds that quotient correctly, as the standard parser does (Clinger's fast
/// path). `None` for anything else (a sign, an exponent, a range, more digits), which the
/// caller reads the general way.
pub(crate) fn short_decimal(text: &[u8], decimal_comma: bool) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    if text.is_empty() || text.len() > 16 {
        return None;
    }
    let (mut mantissa, mut digits, mut point) = (0u64, 0usize, None);
    for (k, &b) in text.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
            }
            b'.' if point.is_none() => point = Some(k),
            b',' if decimal_comma && point.is_none() => point = Some(k),
            _ => return None,
        }
    }
    // At least one digit on each side of the point: `5.` and `.5` go the general way.
    let fraction = match point {
        None => 0,
        Some(k) if k > 0 && k + 1 < text.len() => text.len() - k - 1,
        Some(_) => return None,
    };
    if digits > 15 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let whole = mantissa as f64;
    POW10.get(fraction).map(|p| whole / p)
}

fn io_error(e: std::io::Error) -> Error {
    ErrorKind::InputParse {
        message: format!("cannot read: {e}"),
    }
    .at("")
}

fn csv_error(e: crate::csv_records::Failure, dialect: Dialect) -> Error {
    use crate::csv_records::Failure;
    let (line, message) = match e {
        Failure::Utf8 { line } => (line, "not valid UTF-8 text".to_owned()),
        Failure::Io(io) => (0, format!("cannot read: {io}")),
    };
    ErrorKind::InputParse {
        message: format!("{message} (read as {})", dialect.describe()),
    }
    .at(if line > 0 {
        format!("line {line}")
    } else {
        String::new()
    })
}

// ---- JSON streams ------------------------------------------------------------------------

/// One item of a JSON stream: its 0-based index, the line it starts on, and its text or
/// the error that kept it from being read.
#[derive(Debug)]
pub struct JsonItem {
    /// 0-based index in the stream.
    pub index: usize,
    /// 1-based line where the item starts.
    pub line: u64,
    /// The item's JSON text.
    pub text: Result<String>,
}

impl JsonItem {
    /// The item as an initiative; errors carry `[index]` in their path.
    ///
    /// # Errors
    /// The reading error of the item, or those of [`Initiative::from_json`].
    pub fn initiative(&self) -> Result<Initiative> {
        match &self.text {
            Ok(text) => Initiative::from_json(text, &format!("[{}]", self.index)),
            Err(e) => Err(e.clone()),
        }
    }

    /// The item's `id` when it can be told although the item is bad (e.g. a key given twice
    /// inside its inputs), so that an error names the initiative; `None` when the text is
    /// not JSON, has no string `id`, or names it twice.
    pub fn id(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct IdOnly {
            id: Option<String>,
        }
        let text = self.text.as_ref().ok()?;
        serde_json::from_str::<IdOnly>(crate::strip_bom(text))
            .ok()
            .and_then(|i| i.id)
    }
}

/// The shape of a JSON stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonShape {
    /// One object per line (NDJSON / JSON Lines).
    Lines,
    /// An array of objects, read item by item.
    Array,
    /// A single object (a document of its own, at most [`MAX_INPUT_BYTES`]).
    Single,
}

/// A streaming reader of the items of NDJSON, a JSON array, or a single JSON object.
#[derive(Debug)]
pub struct JsonItems<R: BufRead> {
    input: R,
    shape: JsonShape,
    index: usize,
    line: u64,
    done: bool,
    started: bool,
}

impl<R: BufRead> JsonItems<R> {
    /// Read `input` as NDJSON when `lines`, otherwise as a JSON array or a single object
    /// (decided by the first character). A leading byte order mark is skipped.
    ///
    /// # Errors
    /// `input.parse` when the stream cannot be read.
    pub fn new(mut input: R, lines: bool) -> Result<Self> {
        if input
            .fill_buf()
            .map_err(io_error)?
            .starts_with(b"\xEF\xBB\xBF")
        {
            input.consume(3);
        }
        let mut line = 1;
        let shape = if lines {
            JsonShape::Lines
        } else {
            // Skip whitespace to the first character.
            loop {
                let buf = input.fill_buf().map_err(io_error)?;
                let Some(&first) = buf.first() else {
                    break JsonShape::Single;
                };
                let ws = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
                line += buf.iter().take(ws).filter(|&&b| b == b'\n').count() as u64;
                if ws == 0 {
                    break if first == b'[' {
                        input.consume(1);
                        JsonShape::Array
                    } else {
                        JsonShape::Single
                    };
                }
                input.consume(ws);
            }
        };
        Ok(Self {
            input,
            shape,
            index: 0,
            line,
            done: false,
            started: false,
        })
    }

    /// The shape read.
    pub fn shape(&self) -> JsonShape {
        self.shape
    }

    fn item(&mut self, line: u64, text: Result<String>) -> JsonItem {
        let index = self.index;
        self.index += 1;
        JsonItem { index, line, text }
    }

    fn fail(&mut self, line: u64, message: String) -> JsonItem {
        self.done = true;
        let at = format!("line {line}");
        self.item(line, Err(ErrorKind::InputParse { message }.at(at)))
    }

    fn next_line(&mut self) -> Option<JsonItem> {
        loop {
            let mut buf = Vec::new();
            let n = match (&mut self.input)
                .take(MAX_RECORD_BYTES as u64 + 1)
                .read_until(b'\n', &mut buf)
            {
                Ok(n) => n,
                Err(e) => return Some(self.fail(self.line, format!("cannot read: {e}"))),
            };
            if n == 0 {
                return None;
            }
            let line = self.line;
            self.line += 1;
            if buf.len() > MAX_RECORD_BYTES {
                return Some(
                    self.fail(line, format!("a line longer than {MAX_RECORD_BYTES} bytes")),
                );
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let text = String::from_utf8(buf).map_err(|_| {
                ErrorKind::InputParse {
                    message: "not valid UTF-8 text".to_owned(),
                }
                .at(format!("line {line}"))
            });
            return Some(self.item(line, text));
        }
    }

    fn next_single(&mut self) -> Option<JsonItem> {
        if self.started {
            return None;
        }
        self.started = true;
        let mut buf = Vec::new();
        if let Err(e) = (&mut self.input)
            .take(MAX_INPUT_BYTES as u64 + 1)
            .read_to_end(&mut buf)
        {
            return Some(self.fail(1, format!("cannot read: {e}")));
        }
        if buf.len() > MAX_INPUT_BYTES {
            self.done = true;
            let e = ErrorKind::StreamInstead {
                limit: MAX_INPUT_BYTES,
            }
            .at("");
            return Some(self.item(1, Err(e)));
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            return Some(self.fail(1, "the file is empty".to_owned()));
        }
        let line = self.line;
        let text = String::from_utf8(buf).map_err(|_| {
            ErrorKind::InputParse {
                message: "not valid UTF-8 text".to_owned(),
            }
            .at("")
        });
        Some(self.item(line, text))
    }

    /// Scan one array item: its text up to the `,` or `]` that ends it at depth 0.
    fn next_array_item(&mut self) -> Option<JsonItem> {
        let mut buf: Vec<u8> = Vec::new();
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        let mut start_line = None;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) => return Some(self.fail(self.line, format!("cannot read: {e}"))),
            };
            if chunk.is_empty() {
                let line = self.line;
                return Some(self.fail(line, "the JSON array is not closed with ]".to_owned()));
            }
            let mut used = 0;
            let mut end = None;
            for &b in chunk {
                used += 1;
                if b == b'\n' {
                    self.line += 1;
                }
                if in_string {
                    buf.push(b);
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b',' | b']' if depth == 0 => {
                        end = Some(b);
                        break;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth = depth.saturating_sub(1),
                    b'"' => in_string = true,
                    _ => {}
                }
                if start_line.is_none() && !b.is_ascii_whitespace() {
                    start_line = Some(self.line);
                }
                buf.push(b);
            }
            self.input.consume(used);
            if buf.len() > MAX_RECORD_BYTES {
                let line = start_line.unwrap_or(self.line);
                return Some(self.fail(
                    line,
                    format!("an item longer than {MAX_RECORD_BYTES} bytes"),
                ));
            }
            if let Some(end) = end {
                let blank = buf.iter().all(u8::is_ascii_whitespace);
                if end == b']' {
                    self.done = true;
                    if blank {
                        // `[]`, or the `]` after the last item.
                        return None;
                    }
                }
                let line = start_line.unwrap_or(self.line);
                if blank {
                    return Some(self.fail(line, "an empty item in the JSON array".to_owned()));
                }
                let text = String::from_utf8(buf).map_err(|_| {
                    ErrorKind::InputParse {
                        message: "not valid UTF-8 text".to_owned(),
                    }
                    .at(format!("[{}]", self.index))
                });
                return Some(self.item(line, text));
            }
        }
    }
}

impl<R: BufRead> Iterator for JsonItems<R> {
    type Item = JsonItem;

    fn next(&mut self) -> Option<JsonItem> {
        if self.done {
            return None;
        }
        match self.shape {
            JsonShape::Lines => self.next_line(),
            JsonShape::Single => self.next_single(),
            JsonShape::Array => self.next_array_item(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn dialects_are_detected_and_forced() {
        let d = Dialect::detect(b"id;name;support_share\na;Park;72,5", None, None);
        assert_eq!((d.delimiter, d.decimal_comma), (b';', true));
        assert_eq!(d.describe(), "semicolon-separated, decimal comma");
        let d = Dialect::detect(b"id\tname\tx", None, None);
        assert_eq!(d.delimiter, b'\t');
        let d = Dialect::detect(b"id,name,\"a;b;c\"", None, None);
        assert_eq!((d.delimiter, d.decimal_comma), (b',', false));
        let d = Dialect::detect(b"id;name", Some(b','), Some('.'));
        assert_eq!((d.delimiter, d.decimal_comma), (b',', false));
    }

    /// The dialect of a long header is the same whatever the reader's buffer: detected on
    /// the first `DETECT_BYTES` (here: a comma and a semicolon before them, more semicolons
    /// after, so comma-separated), whether the whole header is in one slice or arrives 7 bytes a read
    /// (a pipe); a header with more semicolons than commas before the limit is
    /// semicolon-separated both ways, even when the first read holds only the comma.
    #[test]
    fn the_dialect_is_the_same_for_every_reader() {
        let rubric = Rubric::builtin();
        let late = format!(
            "support_share,volunteer_hours;{};b;c;d;e\na,72\n",
            "x".repeat(DETECT_BYTES)
        );
        let early = format!("{}id,name;support_share;b;c\na;72,5;;\n", "\u{feff}");
        for (text, want) in [(late, b','), (early, b';')] {
            let whole = CsvInitiatives::new(&rubric, text.as_bytes(), None, None, &[]).unwrap();
            let small = std::io::BufReader::with_capacity(7, text.as_bytes());
            let mut piecewise = CsvInitiatives::new(&rubric, small, None, None, &[]).unwrap();
            assert_eq!(whole.layout().dialect().delimiter, want);
            assert_eq!(piecewise.layout().dialect().delimiter, want);
            assert_eq!(whole.layout().header(), piecewise.layout().header());
            // The bytes read to detect it are read again as the header and the first row.
            let row = piecewise.next_row().unwrap().unwrap();
            assert_eq!(row.record.get(0), Some("a"));
            assert_eq!(row.line, 2);
            assert!(piecewise.next_row().is_none());
        }
    }

    /// Resumed at any line start, a reader gives the rows, lines and errors the whole read
    /// gives from there (blank lines, CRLF, a quoted cell over two lines, bad UTF-8).
    #[test]
    fn a_resumed_reader_numbers_rows_and_lines_as_the_whole_read() {
        let rubric = Rubric::builtin();
        let text: &[u8] = b"id,support_share\na,1\n\nb,2\r\nc,\"3\n\"\nd,\xff\ne,5\n";
        let all = |r: &mut CsvInitiatives<'_, &[u8]>| {
            std::iter::from_fn(|| r.next_row())
                .map(|x| match x {
                    Ok(row) => (row.number, row.line, format!("{:?}", row.record)),
                    Err(e) => (0, 0, e.to_string()),
                })
                .collect::<Vec<_>>()
        };
        let mut whole = CsvInitiatives::new(&rubric, text, None, None, &[]).unwrap();
        let layout = whole.layout().clone();
        let rows = all(&mut whole);
        assert_eq!(rows.len(), 5);
        // Line starts after the header: (byte, line, data rows before).
        for (k, (at, line, before)) in [
            (17, 2, 0),
            (21, 3, 1),
            (22, 4, 1),
            (27, 5, 2),
            (34, 7, 3),
            (38, 8, 4),
        ]
        .into_iter()
        .enumerate()
        {
            let mut r = CsvInitiatives::resume(layout.clone(), &text[at..], line, before);
            assert_eq!(all(&mut r), rows[before..], "from byte {at} ({k})");
        }
    }

    #[test]
    fn a_semicolon_csv_with_decimal_commas_reads() {
        let rubric = Rubric::builtin();
        let text = "\u{feff}id;name;support_share;volunteer_hours\na;Park;72,5;100..200,5\n";
        let mut r = CsvInitiatives::new(&rubric, text.as_bytes(), None, None, &[]).unwrap();
        let row = r.next_row().unwrap().unwrap();
        let i = r.initiative(&row).unwrap();
        assert_eq!(
            i.inputs.get("support_share"),
            Some(&InputValue::Number(72.5))
        );
        assert_eq!(
            i.inputs.get("volunteer_hours"),
            Some(&InputValue::Range {
                low: 100.0,
                high: 200.5
            })
        );
        assert!(r.next_row().is_none());
    }

    #[test]
    fn duplicate_columns_and_short_rows_are_errors() {
        let rubric = Rubric::builtin();
        let e = CsvInitiatives::new(&rubric, "id,x,id\n".as_bytes(), None, None, &[]).unwrap_err();
        assert_eq!(
            (e.code(), e.path()),
            ("input.duplicate_column", "columns.id")
        );
        let text = "id,support_share\na,1\nb\nc,3\n";
        let mut r = CsvInitiatives::new(&rubric, text.as_bytes(), None, None, &[]).unwrap();
        let rows: Vec<_> = std::iter::from_fn(|| r.next_row())
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 3);
        let e = r.initiative(&rows[1]).unwrap_err();
        assert_eq!((e.code(), e.path()), ("input.shape", "line 3"));
        assert!(r.initiative(&rows[2]).is_ok());
    }

    fn bits(x: Option<(f64, f64)>) -> Option<(u64, u64)> {
        x.map(|(a, b)| (a.to_bits(), b.to_bits()))
    }

    proptest::proptest! {
        /// The allocation-free encoding of a cell is the general one (`cell` then `encode`)
        /// to the bit, for every kind of criterion and both decimal separators.
        #[test]
        fn encode_cell_is_encode_of_cell(
            cell in "[ ]?[-+]?[0-9]{0,18}([.,][0-9]{0,18})?(e[0-9])?(\\.\\.[0-9]{1,3})?[ ]?|[ ]?[a-zA-Z_]{0,15}[ ]?|\\PC{0,6}",
            semicolon in proptest::bool::ANY,
        ) {
            let rubric = Rubric::builtin();
            let header = if semicolon { "id;x\n" } else { "id,x\n" };
            let r = CsvInitiatives::new(&rubric, header.as_bytes(), None, None, &[]).unwrap();
            let layout = r.layout();
            for (i, c) in rubric.criteria().iter().enumerate() {
                let general = c.encode(&layout.cell(i, cell.trim()));
                proptest::prop_assert_eq!(bits(layout.encode_cell(i, &cell)), bits(general), "{}", c.id());
            }
        }
    }

    /// The limit counts the bytes after a byte order mark: a start of the mark and
    /// `DETECT_BYTES - 1` other bytes, none a line break, does not hold the first line (one
    /// more byte does); a line break at the mark's `DETECT_BYTES - 2`nd byte after it is
    /// found (the scan reaches 3 bytes further than without a mark). By hand, from the rule.
    #[test]
    fn a_byte_order_mark_is_not_counted_toward_the_limit() {
        let mut head = b"\xEF\xBB\xBF".to_vec();
        head.extend(std::iter::repeat_n(b'x', DETECT_BYTES - 1));
        let mut scan = FirstLine::default();
        assert!(!scan.held(&head));
        head.push(b'x');
        assert!(scan.held(&head));

        let mut head = b"\xEF\xBB\xBF".to_vec();
        head.extend(std::iter::repeat_n(b'x', DETECT_BYTES - 2));
        head.push(b'\n');
        assert!(FirstLine::default().held(&head));
    }

    proptest::proptest! {
        /// The start of a file read a few bytes at a time is found to hold its first line
        /// (or `DETECT_BYTES` bytes) at the same read as a scan of all of it at each read
        /// finds it, with or without a byte order mark; quotes, line breaks and the mark's
        /// bytes are likely (a quoted line break does not end the line).
        #[test]
        fn the_first_line_is_found_at_the_same_read(
            text in "[a\"\n]{0,60}",
            bom in proptest::bool::ANY,
            reads in proptest::collection::vec(1usize..9, 1..80),
            long in proptest::bool::ANY,
        ) {
            let mut start = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            if long {
                // Near the limit: `DETECT_BYTES` without a line break, then the text.
                start.extend(std::iter::repeat_n(b'x', DETECT_BYTES - 30));
            }
            start.extend_from_slice(text.as_bytes());
            let mut scan = FirstLine::default();
            let mut head = Vec::new();
            let mut rest = start.as_slice();
            // The long start in one read (the reference scans all of it at every read).
            let first = if long { start.len() - text.len() } else { 0 };
            for n in std::iter::once(&first).chain(reads.iter().cycle()).take(start.len() + 2) {
                let (read, after) = rest.split_at((*n).min(rest.len()));
                head.extend_from_slice(read);
                rest = after;
                let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
                let want = holds_first_line(text);
                proptest::prop_assert_eq!(scan.held(&head), want, "after {} bytes", head.len());
                if want || rest.is_empty() {
                    break;
                }
            }
        }
    }

    proptest::proptest! {
        /// The line limit fails exactly when some line is longer than the limit, whatever
        /// the sizes of the chunks it is read in.
        #[test]
        fn line_limit_fails_exactly_on_a_long_line(
            text in "[a\n]{0,200}",
            limit in 1usize..12,
            chunk in 1usize..40,
        ) {
            let longest = text.split('\n').map(str::len).max().unwrap_or(0);
            let mut r = LineLimit::new(text.as_bytes(), limit);
            let mut buf = vec![0u8; chunk];
            let failed = loop {
                match r.read(&mut buf) {
                    Ok(0) => break false,
                    Ok(_) => {}
                    Err(_) => break true,
                }
            };
            proptest::prop_assert_eq!(failed, longest > limit);
        }
    }

    #[test]
    fn short_decimals_read_as_the_standard_parser_reads_them() {
        for text in [
            "0",
            "007",
            "72.5",
            "0.1",
            "0.3",
            "123456789012345",
            "99999.9999999999",
            "1.00000000000001",
        ] {
            let x: f64 = text.parse().unwrap();
            assert_eq!(
                short_decimal(text.as_bytes(), false).map(f64::to_bits),
                Some(x.to_bits()),
                "{text}"
            );
        }
        assert_eq!(short_decimal(b"72,5", true), Some(72.5));
        for text in [
            "",
            ".5",
            "5.",
            "-1",
            "1e3",
            "1234567890123456",
            "1.000000000000001",
            "1..2",
            "72,5",
        ] {
            assert_eq!(short_decimal(text.as_bytes(), false), None, "{text}");
        }
    }

    fn items(text: &str, lines: bool) -> Vec<JsonItem> {
        JsonItems::new(text.as_bytes(), lines).unwrap().collect()
    }

    #[test]
    fn json_arrays_stream_item_by_item() {
        let v = items(
            "\u{feff} [ {\"a\": \"],[\\\"\"}, \n {\"b\": [1, {\"c\": 2}]} ]",
            false,
        );
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].text.as_ref().unwrap().trim(), "{\"a\": \"],[\\\"\"}");
        assert_eq!(v[1].line, 2);
        assert_eq!(items("[]", false).len(), 0);
        let broken = items("[{\"a\": 1}, {\"b\"", false);
        assert_eq!(broken.len(), 2);
        assert!(broken[1].text.is_err());
        let single = items("{\"id\": \"x\"}", false);
        assert_eq!(single.len(), 1);
    }

    #[test]
    fn ndjson_lines_each_their_own_item() {
        let v = items("{\"a\": 1}\n\n{bad\n{\"c\": 3}\n", true);
        assert_eq!(v.len(), 3);
        assert_eq!(v[1].line, 3);
        assert_eq!(v[2].index, 2);
    }

    #[test]
    fn an_endless_line_is_refused_not_held() {
        let zeros = std::io::repeat(0).take(MAX_RECORD_BYTES as u64 * 2);
        let v: Vec<_> = JsonItems::new(std::io::BufReader::new(zeros), true)
            .unwrap()
            .collect();
        assert_eq!(v.len(), 1);
        assert!(
            v[0].text
                .as_ref()
                .unwrap_err()
                .message()
                .contains("longer than")
        );
    }
}
