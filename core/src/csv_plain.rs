//! Plain CSV lines encoded fast into the batch path's points-input matrix: a chunk of a
//! file's whole lines (no quote, no carriage return but before a line break, valid UTF-8:
//! [`is_plain`]) read in one pass, 8 bytes at a time, by the same rules as
//! [`CsvInitiatives`](crate::stream::CsvInitiatives) and [`CsvLayout::initiative`] read
//! them (blank lines skipped, CRLF, the cell count checked, id and name trimmed, a number
//! read as the engine's short decimal, any other cell by [`CsvLayout::encode_cell`]). A row
//! this reader does not encode (another number of cells, a range, a value that does not
//! encode, an unknown column with a value) is handed back, in its place, for the general
//! path to score or report ([`CsvLayout::plain_row`] makes its record).
//!
//! The caller reads the chunks, scores the matrix with
//! [`BatchScorer::totals`](crate::BatchScorer::totals) and writes; this module is the
//! domain rules of reading a plain line, once.

use std::ops::Range;

use crate::rubric::InputKind;
use crate::stream::{Column, CsvLayout, trim};

/// Texts remembered per category or yes/no column.
const KEYS: usize = 4;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `10^k` for the digits of a fraction (at most 7).
const POW10_INT: [u64; 8] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000];

/// Whether the general reader reads every line of `chunk` as [`PlainLines`] does: no quote,
/// a carriage return only before a line break, valid UTF-8. `false` for anything else
/// (the general reader reads that chunk).
pub fn is_plain(chunk: &[u8]) -> bool {
    plain_bytes(chunk) && std::str::from_utf8(chunk).is_ok()
}

/// [`is_plain`] for a chunk of its own, taken as text: `Ok` the chunk's text when it is
/// plain (its UTF-8 checked once, here, for the reader and whoever the text goes to),
/// else `Err` its bytes, unchanged.
pub fn plain_text(chunk: Vec<u8>) -> Result<String, Vec<u8>> {
    if !plain_bytes(&chunk) {
        return Err(chunk);
    }
    String::from_utf8(chunk).map_err(std::string::FromUtf8Error::into_bytes)
}

/// [`is_plain`]'s rules but UTF-8: no quote, a carriage return only before a line break.
fn plain_bytes(chunk: &[u8]) -> bool {
    // One pass for both: a quote fails, a carriage return must end its line.
    memchr::memchr2_iter(b'"', b'\r', chunk)
        .all(|k| chunk.get(k) == Some(&b'\r') && chunk.get(k + 1) == Some(&b'\n'))
}

/// One row of a chunk read by [`PlainLines::encode`]: where it is, and whether its points
/// are in the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainRow {
    /// The line's text in the chunk, without its line break.
    pub text: Range<usize>,
    /// Line breaks before it in the chunk (blank lines included).
    pub line: u64,
    /// Rows before it in the chunk (blank lines are not rows).
    pub number: usize,
    /// Whether its points are the matrix's next row; `false`: the general path reads it
    /// (see the module's documentation).
    pub encoded: bool,
    /// Its `id` and `name` cells (untrimmed), when it is encoded and the file has them.
    pub id: Option<Range<usize>>,
    /// See `id`.
    pub name: Option<Range<usize>>,
}

impl PlainRow {
    /// The row's id and name as the general path reads them: trimmed, the name the id when
    /// the file has no `name` column, `""` when it has no `id` column (or `text` is not the
    /// chunk the row was read from).
    pub fn id_name<'c>(&self, chunk: &'c str) -> (&'c str, &'c str) {
        let id = self.id(chunk);
        let name = self.name.clone().map(|c| trim(chunk.get(c).unwrap_or("")));
        (id, name.unwrap_or(id))
    }

    /// The row's id as [`PlainRow::id_name`] gives it, alone.
    #[inline]
    pub fn id<'c>(&self, chunk: &'c str) -> &'c str {
        self.id.clone().and_then(|c| chunk.get(c)).map_or("", trim)
    }
}

/// Where [`PlainLines::encode`] is in a chunk: the next line's first byte, and the line
/// breaks and rows read before it. `PlainAt::default()` is the chunk's start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlainAt {
    /// The next line's first byte.
    pub byte: usize,
    /// Line breaks read.
    pub lines: u64,
    /// Rows read (blank lines are not rows).
    pub rows: usize,
}

/// How a column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Id,
    Name,
    /// A number criterion (by index): [`number`], else `encode_cell`.
    Number(usize),
    /// Another criterion (a category, yes/no): `encode_cell`, remembered.
    Other(usize),
    /// Not a criterion: a row with a value there goes to the general path.
    Unknown,
    /// Ignored, or a description.
    Skip,
}

/// A short text's first 16 bytes (zeros after it) and its length.
type Key = (u64, u64, usize);

/// A row's `id` and `name` cells, when the file has those columns.
type Names = (Option<Range<usize>>, Option<Range<usize>>);

/// How a line was read: blank (skipped), or a row with its text (without the line break)
/// and, when it is encoded, its id and name cells (when the file has those columns).
enum Lined {
    Blank,
    Row {
        text: Range<usize>,
        cells: Option<Names>,
    },
}

/// The reader of a file's plain lines into a points-input matrix (one per thread: it
/// remembers the last few texts of each category or yes/no column).
#[derive(Debug, Clone)]
pub struct PlainLines<'a, 'r> {
    layout: &'a CsvLayout<'r>,
    roles: Vec<Role>,
    delimiter: u8,
    width: usize,
    keys: Vec<Vec<(Key, f64)>>,
}

impl<'a, 'r> PlainLines<'a, 'r> {
    /// A reader of lines of the file `layout` was read from, into rows of `width` values
    /// (criterion `i` of the rubric in column `i`: a [`BatchScorer`](crate::BatchScorer)
    /// of the rubric's criteria in order; a criterion at or beyond `width` is not written).
    pub fn new(layout: &'a CsvLayout<'r>, width: usize) -> Self {
        let roles: Vec<Role> = layout
            .columns()
            .iter()
            .map(|c| match c {
                Column::Id => Role::Id,
                Column::Name => Role::Name,
                Column::Criterion(i) => {
                    match layout.rubric().criteria().get(*i).map(|c| c.kind()) {
                        Some(InputKind::Number | InputKind::Likert { .. }) => Role::Number(*i),
                        _ => Role::Other(*i),
                    }
                }
                Column::Unknown(_) => Role::Unknown,
                Column::Ignored | Column::Description => Role::Skip,
            })
            .collect();
        Self {
            layout,
            delimiter: layout.dialect().delimiter,
            width,
            keys: vec![Vec::new(); roles.len()],
            roles,
        }
    }

    /// The layout lines are read with.
    pub fn layout(&self) -> &'a CsvLayout<'r> {
        self.layout
    }

    /// Read the lines of `chunk` (whole lines of a file, each ending with a line break,
    /// [`is_plain`]) from `at` until `max` rows are read or the chunk ends; `rows` is
    /// cleared and gets every row read, in order; the encoded ones' points go to the rows
    /// of `data`, in the same order (`data` is grown to `max` rows of `width`, the values a
    /// file has no column for left `NaN`: keep `data` for the next call). `at` moves on.
    /// Returns the number of encoded rows. A chunk that is not plain is read wrongly, never
    /// with a panic.
    pub fn encode(
        &mut self,
        chunk: &str,
        at: &mut PlainAt,
        max: usize,
        data: &mut Vec<f64>,
        rows: &mut Vec<PlainRow>,
    ) -> usize {
        rows.clear();
        self.grow(data, max);
        let mut encoded = 0;
        while rows.len() < max && at.byte < chunk.len() {
            // Two lines at once when both are ordinary (see `pair`); else one by `line`.
            if rows.len() + 2 <= max {
                let buf = chunk.as_bytes();
                // The second line starts after the first line break.
                let b = memchr::memchr(b'\n', buf.get(at.byte..).unwrap_or(&[]))
                    .map(|k| at.byte + k + 1);
                if let Some(b) = b
                    && let Some((one, two)) = data.split_at_mut_checked((encoded + 1) * self.width)
                    && let Some(one) = one.get_mut(encoded * self.width..)
                    && let Some([a, b_row]) = self.pair(buf, (at.byte, b), one, two)
                    // The first line ends where the second starts.
                    && a.0 == b
                {
                    for (next, text, (id, name)) in [a, b_row] {
                        push(rows, at, next, text, Some((id, name)));
                    }
                    encoded += 2;
                    continue;
                }
            }
            self.step(chunk, at, data, rows, &mut encoded);
        }
        encoded
    }

    /// Read the lines of `chunk` from two places at once, `first.0` up to `first.1` (a line
    /// start) and `second` to the chunk's end, each as [`PlainLines::encode`] reads them into
    /// its own `data` and `rows` (a line of each read together while both are ordinary: two
    /// independent chains of cell ends, and the second line's start is known without looking
    /// for the first one's end), until either has `max` rows or reaches its end. Both `rows`
    /// are cleared first; each `at` moves on, its lines and rows counted from where it
    /// started (the caller adds the first part's counts to the second's rows once the first
    /// part is read: see [`PlainAt`]). Returns the encoded rows of each. A chunk that is not
    /// plain, or a `first.1` that is not a line start, is read wrongly, never with a panic.
    pub fn encode_two(
        &mut self,
        chunk: &str,
        first: (&mut PlainAt, usize),
        second: &mut PlainAt,
        max: usize,
        (data_a, rows_a): (&mut Vec<f64>, &mut Vec<PlainRow>),
        (data_b, rows_b): (&mut Vec<f64>, &mut Vec<PlainRow>),
    ) -> (usize, usize) {
        let (a, end) = first;
        let end = end.min(chunk.len());
        let b = second;
        rows_a.clear();
        rows_b.clear();
        self.grow(data_a, max);
        self.grow(data_b, max);
        let (mut ea, mut eb) = (0, 0);
        let width = self.width;
        while rows_a.len() < max && rows_b.len() < max && a.byte < end && b.byte < chunk.len() {
            let one = data_a.get_mut(ea * width..).unwrap_or(&mut []);
            let two = data_b.get_mut(eb * width..).unwrap_or(&mut []);
            if let Some([x, y]) = self.pair(chunk.as_bytes(), (a.byte, b.byte), one, two)
                && x.0 <= end
            {
                let (next, text, names) = x;
                push(rows_a, a, next, text, Some(names));
                let (next, text, names) = y;
                push(rows_b, b, next, text, Some(names));
                (ea, eb) = (ea + 1, eb + 1);
                continue;
            }
            self.step(chunk, a, data_a, rows_a, &mut ea);
            self.step(chunk, b, data_b, rows_b, &mut eb);
        }
        (ea, eb)
    }

    /// `data` grown to `max` rows of NaN (missing) for the criteria the file has no column
    /// for, once: every row encoded sets every column the file has.
    fn grow(&self, data: &mut Vec<f64>, max: usize) {
        if data.len() < max * self.width {
            data.resize(max * self.width, f64::NAN);
        }
    }

    /// One line at `at` read by `line` into row `encoded` of `data`, its row (unless it is
    /// blank) pushed to `rows`.
    fn step(
        &mut self,
        chunk: &str,
        at: &mut PlainAt,
        data: &mut [f64],
        rows: &mut Vec<PlainRow>,
        encoded: &mut usize,
    ) {
        let (next, lined) = self.line(chunk, at.byte, data, *encoded);
        let Lined::Row { text, cells } = lined else {
            at.byte = next;
            at.lines += 1;
            return;
        };
        *encoded += usize::from(cells.is_some());
        push(rows, at, next, text, cells);
    }

    /// The lines at `starts.0` and `starts.1` read together, cell by cell (the two lines'
    /// chains of cell positions are independent, so the processor works on both at once: a
    /// line alone waits on each cell's end before it can read the next), into the first
    /// row of `one` and of `two` (a row too short is not written): for each, where the line
    /// after it starts, its text and its id and name cells. `None`, having maybe written
    /// those rows, unless both lines are rows read by the fast rules alone: neither blank,
    /// the header's number of cells, each number cell read by [`number`], each other
    /// criterion cell a text this reader remembers (read by [`short_cell`]: its delimiter or
    /// line break within its first 16 bytes), every unknown column empty. Then `line` reads
    /// them one at a time, by the same rules, to the same rows, values and cells (whatever
    /// `pair` wrote is written again or belongs to no encoded row).
    #[inline(always)]
    fn pair(
        &self,
        buf: &[u8],
        (p, b): (usize, usize),
        one: &mut [f64],
        two: &mut [f64],
    ) -> Option<[(usize, Range<usize>, Names); 2]> {
        // Neither line is blank (a line of a plain chunk that starts with a carriage return
        // is a blank CRLF line).
        let starts = |q: usize| buf.get(q).is_some_and(|&c| c != b'\n' && c != b'\r');
        if !starts(p) || !starts(b) {
            return None;
        }
        let delimiter = self.delimiter;
        let put = |row: &mut [f64], i: usize, x: f64| {
            if let Some(slot) = row.get_mut(i) {
                *slot = x;
            }
        };
        let (mut qa, mut qb) = (p, b);
        let (mut names_a, mut names_b): (Names, Names) = ((None, None), (None, None));
        for (k, role) in self.roles.iter().enumerate() {
            if k > 0 {
                if buf.get(qa) != Some(&delimiter) || buf.get(qb) != Some(&delimiter) {
                    return None;
                }
                qa += 1;
                qb += 1;
            }
            let (sa, sb) = (qa, qb);
            match *role {
                Role::Number(i) => {
                    let (xa, ea) = number(buf, qa, delimiter)?;
                    let (xb, eb) = number(buf, qb, delimiter)?;
                    put(one, i, xa);
                    put(two, i, xb);
                    (qa, qb) = (ea, eb);
                }
                Role::Other(i) => {
                    let keys = self.keys.get(k)?;
                    let (ea, ka) = short_cell(buf, qa, delimiter)?;
                    let (eb, kb) = short_cell(buf, qb, delimiter)?;
                    put(one, i, known(keys, ka)?);
                    put(two, i, known(keys, kb)?);
                    (qa, qb) = (ea, eb);
                }
                Role::Id | Role::Name | Role::Unknown | Role::Skip => {
                    (qa, qb) = (cell_end(buf, qa, delimiter), cell_end(buf, qb, delimiter));
                    match role {
                        Role::Id => (names_a.0, names_b.0) = (Some(sa..qa), Some(sb..qb)),
                        Role::Name => (names_a.1, names_b.1) = (Some(sa..qa), Some(sb..qb)),
                        Role::Unknown if qa != sa || qb != sb => return None,
                        _ => {}
                    }
                }
            }
        }
        // Each line ends right after its last cell.
        let next = |q: usize| match buf.get(q..q + 2) {
            Some([b'\n', _]) => Some(q + 1),
            Some(b"\r\n") => Some(q + 2),
            _ if buf.get(q..) == Some(b"\n") => Some(q + 1),
            _ => None,
        };
        let (na, nb) = (next(qa)?, next(qb)?);
        Some([(na, p..qa, names_a), (nb, b..qb, names_b)])
    }

    /// Read the line at `p` into row `r` of `data`; where the next line starts, and how it
    /// was read.
    #[inline]
    fn line(&mut self, s: &str, p: usize, data: &mut [f64], r: usize) -> (usize, Lined) {
        let buf = s.as_bytes();
        match buf.get(p..p + 2) {
            Some([b'\n', _]) => return (p + 1, Lined::Blank),
            Some(b"\r\n") => return (p + 2, Lined::Blank),
            _ if buf.get(p..) == Some(b"\n") => return (p + 1, Lined::Blank),
            _ => {}
        }
        let delimiter = self.delimiter;
        let (mut id, mut name) = (None, None);
        let mut q = p;
        let mut scored = true;
        for (k, role) in self.roles.iter().enumerate() {
            if k > 0 {
                if buf.get(q) != Some(&delimiter) {
                    scored = false; // fewer cells than the header
                    break;
                }
                q += 1;
            }
            let start = q;
            let put = |data: &mut [f64], i: usize, x: f64| {
                if let Some(slot) = data.get_mut(r * self.width + i) {
                    *slot = x;
                }
            };
            match *role {
                Role::Number(i) => {
                    if let Some((x, end)) = number(buf, q, delimiter) {
                        put(data, i, x);
                        q = end;
                        continue;
                    }
                    q = cell_end(buf, q, delimiter);
                    match point(self.layout, i, s.get(start..q).unwrap_or("")) {
                        Some(x) => put(data, i, x),
                        None => scored = false,
                    }
                }
                Role::Other(i) => {
                    q = cell_end(buf, q, delimiter);
                    let key = short_key(buf, start, q);
                    let keys = self.keys.get_mut(k);
                    let remembered = key.and_then(|key| known(keys.as_ref()?, key));
                    let x = remembered.or_else(|| {
                        let x = point(self.layout, i, s.get(start..q).unwrap_or(""))?;
                        if let (Some(key), Some(keys)) = (key, keys)
                            && keys.len() < KEYS
                        {
                            keys.push((key, x));
                        }
                        Some(x)
                    });
                    match x {
                        Some(x) => put(data, i, x),
                        None => scored = false,
                    }
                }
                Role::Id => {
                    q = cell_end(buf, q, delimiter);
                    id = Some(start..q);
                }
                Role::Name => {
                    q = cell_end(buf, q, delimiter);
                    name = Some(start..q);
                }
                Role::Unknown => {
                    q = cell_end(buf, q, delimiter);
                    scored &= trim(s.get(start..q).unwrap_or("")).is_empty();
                }
                Role::Skip => q = cell_end(buf, q, delimiter),
            }
        }
        // The line's end: right after its last cell, unless it has more cells (or fewer);
        // the next line starts after its line break.
        let (end, next) = match buf.get(q..q + 2) {
            Some([b'\n', _]) => (q, q + 1),
            Some(b"\r\n") => (q, q + 2),
            _ if buf.get(q..) == Some(b"\n") => (q, q + 1),
            _ => {
                scored = false;
                let n =
                    memchr::memchr(b'\n', buf.get(q..).unwrap_or(&[])).map_or(buf.len(), |k| q + k);
                let end = if n > p && buf.get(n - 1) == Some(&b'\r') {
                    n - 1
                } else {
                    n
                };
                (end, n + 1)
            }
        };
        (
            next,
            Lined::Row {
                text: p..end,
                cells: scored.then_some((id, name)),
            },
        )
    }
}

/// A row read at `at` (its text `text`, its id and name cells when it is encoded) pushed
/// to `rows`; `at` moves on to `next`, the line and the row counted.
#[inline]
fn push(
    rows: &mut Vec<PlainRow>,
    at: &mut PlainAt,
    next: usize,
    text: Range<usize>,
    cells: Option<Names>,
) {
    let (id, name) = cells.clone().unwrap_or((None, None));
    rows.push(PlainRow {
        text,
        line: at.lines,
        number: at.rows,
        encoded: cells.is_some(),
        id,
        name,
    });
    at.byte = next;
    at.lines += 1;
    at.rows += 1;
}

/// A cell of criterion `i` read by the engine's rules, when it is a point (or missing):
/// `None` for a range (low ≠ high) or a value that does not encode.
fn point(layout: &CsvLayout<'_>, i: usize, cell: &str) -> Option<f64> {
    let (lo, hi) = layout.encode_cell(i, cell)?;
    (lo.to_bits() == hi.to_bits() || (lo.is_nan() && hi.is_nan())).then_some(lo)
}

/// Eight bytes at `p`, the first in the lowest byte, when there are eight.
#[inline(always)]
fn word(buf: &[u8], p: usize) -> Option<u64> {
    let b: [u8; 8] = buf.get(p..p + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// The byte flags of an 8-byte `word` that are not digits: the high nibble of each byte
/// whose value minus `'0'` (the word's bytes xor `'0'`, as `a`) is above 9. A byte that is
/// not a digit is always flagged; a digit may be flagged wrongly only right after a byte
/// that is not one (the addition's carry out of a byte from 0xC9 to 0xCF), which is
/// flagged itself.
#[inline(always)]
fn not_digits(a: u64) -> u64 {
    (a | a.wrapping_add(ONES * 6)) & (ONES * 0xF0)
}

/// The value of the first `n` (1–7) digits of `a` (a word's bytes xor `'0'`, the first
/// digit in the lowest byte; the bytes after them are ignored), with no branch per digit.
#[inline(always)]
fn digit_value(a: u64, n: usize) -> u64 {
    // The digits moved to the top bytes (zeros before them), then combined in pairs, fours
    // and eights (the first digit is the most significant).
    let v = a << ((8 * (8 - n)) & 63);
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    ((v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32)))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32
}

/// The digits at `p` (up to 7 before something else): how many, and their value; no
/// branch per digit. `None` for 8 digits or fewer than 8 bytes left.
#[inline(always)]
fn digits(buf: &[u8], p: usize) -> Option<(usize, u64)> {
    let a = word(buf, p)? ^ (ONES * u64::from(b'0'));
    let n = (not_digits(a).trailing_zeros() / 8) as usize;
    match n {
        0 => Some((0, 0)),
        8.. => None,
        _ => Some((n, digit_value(a, n))),
    }
}

/// Whether `b` ends a cell: the delimiter, a line break, or the carriage return before one.
#[inline(always)]
fn ends_cell(b: u8, delimiter: u8) -> bool {
    b == delimiter || b == b'\n' || b == b'\r'
}

/// A number cell at `p` read without a branch per digit: digits, or digits, a point and
/// digits (each at most 7), then the cell's end; `NaN` for an empty cell (empty means
/// missing, as in `encode_cell`). Its value and where it ends; `None` for anything else
/// (read by `encode_cell`), and when fewer than 8 bytes are left from `p`, or, for a
/// decimal whose end is not in those 8, from the byte after the point. The value is the
/// engine's `short_decimal` of the cell (tested equal): the digits as an integer below
/// 10^15, exact in an f64, divided by a power of ten (exact too), which IEEE division
/// rounds as `str::parse` does.
#[inline(always)]
fn number(buf: &[u8], p: usize, delimiter: u8) -> Option<(f64, usize)> {
    // One word holds the cell and its end, usually: its bytes' flags give the point and
    // the end, its bytes the digits (no second read, no read of the end's byte).
    let w = word(buf, p)?;
    let a = w ^ (ONES * u64::from(b'0'));
    let flags = not_digits(a);
    let n = (flags.trailing_zeros() / 8) as usize;
    if n >= 8 {
        return None; // 8 digits
    }
    let b = (w >> (8 * n)) as u8;
    if ends_cell(b, delimiter) {
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)]
        return Some((
            if n == 0 {
                f64::NAN
            } else {
                digit_value(a, n) as i64 as f64
            },
            p + n,
        ));
    }
    if b != b'.' || n == 0 {
        return None;
    }
    // The next byte flagged after the point is the first that is not a digit (a point and
    // digits carry nothing); 8 when none is.
    let e = ((flags & ((u64::MAX << (8 * n)) << 8)).trailing_zeros() / 8) as usize;
    let k = e - n - 1;
    if e < 8 {
        // The cell ends in this word: its digits with the point taken out, read at once.
        if k == 0 || !ends_cell((w >> (8 * e)) as u8, delimiter) {
            return None;
        }
        let low = (1u64 << (8 * n)) - 1;
        let m = digit_value((a & low) | ((a >> 8) & !low), e - 1);
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)]
        return Some((m as i64 as f64 / POW10.get(k)?, p + e));
    }
    // A longer fraction: read from the byte after the point.
    let whole = digit_value(a, n);
    let end = p + n;
    let (k, fraction) = digits(buf, end + 1)?;
    let last = end + 1 + k;
    if k == 0 || !ends_cell(*buf.get(last)?, delimiter) {
        return None;
    }
    let scale = *POW10_INT.get(k)?;
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)]
    let m = (whole * scale + fraction) as i64 as f64;
    Some((m / POW10.get(k)?, last))
}

/// The value remembered for `key`, found with no branch on which of the texts it is (the
/// texts of a category column come in any order, which a branch would guess wrong; a key
/// is remembered once, so at most one matches).
#[inline(always)]
fn known(keys: &[(Key, f64)], key: Key) -> Option<f64> {
    let (mut hit, mut bits) = (false, 0u64);
    for ((a, b, n), v) in keys {
        let same = ((a ^ key.0) | (b ^ key.1) | (*n ^ key.2) as u64) == 0;
        hit |= same;
        // A conditional move: without the hint the compiler made this a branch, which
        // guessed wrong on about every other cell of a column of mixed texts.
        bits = std::hint::select_unpredictable(same, v.to_bits(), bits);
    }
    hit.then_some(f64::from_bits(bits))
}

/// A text of at most 16 bytes as a key.
#[inline(always)]
fn short_key(buf: &[u8], start: usize, end: usize) -> Option<Key> {
    let n = end.checked_sub(start).filter(|&n| n <= 16)?;
    let (a, b) = (word(buf, start)?, word(buf, start + 8)?);
    let mask = |k: usize| {
        if k >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * k)) - 1
        }
    };
    Some((a & mask(n), b & mask(n.saturating_sub(8)), n))
}

/// The cell at `p` when the byte that ends it (the delimiter, or the line break, even after a
/// carriage return: a 15-byte cell before CRLF is too long) is within the 16 bytes from `p`
/// and 16 bytes are left from `p`: where it ends (as [`cell_end`] finds it, before a CRLF's
/// carriage return) and its [`short_key`], both from the same two words, with
/// no branch on its length (the texts of a category column have different lengths in any
/// order, which a branch, such as `cell_end`'s loop, would guess wrong). `None` otherwise.
#[inline(always)]
fn short_cell(buf: &[u8], p: usize, delimiter: u8) -> Option<(usize, Key)> {
    let (a, b) = (word(buf, p)?, word(buf, p.checked_add(8)?)?);
    // The delimiters and line breaks of a word: the lowest flag is exact (see `cell_end`).
    let hits = |w: u64| {
        let (x, y) = (
            w ^ (ONES * u64::from(delimiter)),
            w ^ (ONES * u64::from(b'\n')),
        );
        (x.wrapping_sub(ONES) & !x | y.wrapping_sub(ONES) & !y) & HIGH
    };
    let (ha, hb) = (hits(a), hits(b));
    let n = std::hint::select_unpredictable(
        ha != 0,
        (ha.trailing_zeros() / 8) as usize,
        8 + (hb.trailing_zeros() / 8) as usize,
    );
    if n >= 16 {
        return None;
    }
    // A carriage return before the line break ends the cell before it.
    let n = n - usize::from(
        n > 0 && buf.get(p + n) == Some(&b'\n') && buf.get(p + n - 1) == Some(&b'\r'),
    );
    let mask = |k: usize| {
        if k >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * k)) - 1
        }
    };
    Some((p + n, (a & mask(n), b & mask(n.saturating_sub(8)), n)))
}

/// The end of the cell at `p`: the next delimiter or line break (before a carriage return
/// that ends the line), found 8 bytes at a time.
#[inline(always)]
fn cell_end(buf: &[u8], mut p: usize, delimiter: u8) -> usize {
    let end = loop {
        let Some(w) = word(buf, p) else {
            break p + buf
                .get(p..)
                .unwrap_or(&[])
                .iter()
                .position(|&b| b == delimiter || b == b'\n')
                .unwrap_or(buf.len().saturating_sub(p));
        };
        let (x, y) = (
            w ^ (ONES * u64::from(delimiter)),
            w ^ (ONES * u64::from(b'\n')),
        );
        // A zero byte of x or y (the lowest one found is exact).
        let hit = (x.wrapping_sub(ONES) & !x | y.wrapping_sub(ONES) & !y) & HIGH;
        if hit != 0 {
            break p + (hit.trailing_zeros() / 8) as usize;
        }
        p += 8;
    };
    if buf.get(end) == Some(&b'\n') && end > 0 && buf.get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    /// What `number` reads is `str::parse`'s double, bit for bit, for random short
    /// decimals (1–7 digits, a point, 1–7 digits; leading zeros) followed by each cell end;
    /// and it refuses what it must leave to `encode_cell` (signs, exponents, spaces, `5.`,
    /// `.5`, 8 digits, a second point, text, a short buffer).
    #[test]
    fn number_reads_as_str_parse() {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut checked = 0;
        for _ in 0..200_000 {
            let whole: String = (0..1 + next(7))
                .map(|_| char::from(b'0' + next(10) as u8))
                .collect();
            let text = if next(2) == 0 {
                whole
            } else {
                let frac: String = (0..1 + next(7))
                    .map(|_| char::from(b'0' + next(10) as u8))
                    .collect();
                format!("{whole}.{frac}")
            };
            let want: f64 = text.parse().unwrap();
            for end in [",", "\n", "\r\n", ";"] {
                let cell = format!("{text}{end}xxxxxxxxxxxxxxxx");
                let delimiter = if end == ";" { b';' } else { b',' };
                let (x, at) = number(cell.as_bytes(), 0, delimiter).unwrap();
                assert_eq!(x.to_bits(), want.to_bits(), "{text:?}");
                assert_eq!(at, text.len());
                checked += 1;
            }
        }
        assert_eq!(checked, 800_000);
        let pad = "xxxxxxxxxxxxxxxx";
        let empty = number(format!(",{pad}").as_bytes(), 0, b',').unwrap();
        assert!(empty.0.is_nan() && empty.1 == 0);
        for refused in [
            "-1",
            "+1",
            "1e5",
            " 1",
            "1 ",
            "5.",
            ".5",
            "12345678",
            "1.2.3",
            "1..2",
            "lots",
            "1.12345678",
            "0x10",
        ] {
            let cell = format!("{refused},{pad}");
            assert_eq!(number(cell.as_bytes(), 0, b','), None, "{refused:?}");
        }
        // Fewer than 8 bytes left: the caller reads the cell the general way.
        assert_eq!(number(b"12,", 0, b','), None);
    }

    #[test]
    fn cell_end_finds_the_delimiter_or_the_line_end() {
        let line = b"abc,defghijklmnop,\r\nq";
        assert_eq!(cell_end(line, 0, b','), 3);
        assert_eq!(cell_end(line, 4, b','), 17);
        // The last cell, empty, ends before the carriage return of a CRLF line.
        assert_eq!(cell_end(line, 18, b','), 18);
        assert_eq!(cell_end(b"a-b,c", 0, b','), 3);
        assert_eq!(cell_end(b"xyz", 0, b','), 3);
    }

    /// `short_cell` finds the end `cell_end` finds and makes the key `short_key` makes, for
    /// every cell whose delimiter or line break is in its first 16 bytes (lengths 0–17, so
    /// ends in either word, at a word's last byte and at the second word's end), before each
    /// cell end (a CRLF's carriage return ends the cell before it), with comma, semicolon and
    /// tab delimiters, the other delimiters' bytes inside the cell, and any start; `None`
    /// when the end is further or fewer than 16 bytes are left.
    #[test]
    fn short_cell_is_cell_end_and_short_key() {
        let mut checked = 0;
        for delimiter in [b',', b';', b'\t'] {
            for len in 0..=17 {
                for end in [&[delimiter][..], b"\n", b"\r\n"] {
                    for lead in 0..3 {
                        for tail in [&b""[..], b"x", b"abcdefghijklmnopqrstuvwxyz"] {
                            let mut buf = vec![b'#'; lead];
                            // Texts with the other delimiters' bytes in them.
                            buf.extend(
                                (0..len)
                                    .map(|k| b"a;b,c\td_"[k % 8])
                                    .map(|c| if c == delimiter { b'.' } else { c }),
                            );
                            buf.extend_from_slice(end);
                            buf.extend_from_slice(tail);
                            let stop = lead + len; // the cell's end (its delimiter, CR or LF)
                            let first = stop + usize::from(end == b"\r\n"); // first hit
                            let want = (first - lead < 16 && buf.len() >= lead + 16).then(|| {
                                let e = cell_end(&buf, lead, delimiter);
                                assert_eq!(e, stop);
                                (e, short_key(&buf, lead, e).unwrap())
                            });
                            assert_eq!(
                                short_cell(&buf, lead, delimiter),
                                want,
                                "{:?} from {lead}",
                                String::from_utf8_lossy(&buf)
                            );
                            checked += usize::from(want.is_some());
                        }
                    }
                }
            }
        }
        assert!(checked > 300, "{checked}");
    }

    /// `number` is the engine's `short_decimal` (the one rule for a plain decimal cell):
    /// the same value, bit for bit, or both refuse, for every cell of up to 16 bytes
    /// made of digits, points and a few other bytes.
    #[test]
    fn number_is_short_decimal() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let alphabet = b"0123456789..-e ";
        for _ in 0..200_000 {
            let cell: Vec<u8> = (0..1 + next(16))
                .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                .collect();
            let mut buf = cell.clone();
            buf.extend_from_slice(b",xxxxxxxxxxxxxxxx");
            let fast = number(&buf, 0, b',').map(|(x, at)| {
                assert_eq!(at, cell.len());
                x.to_bits()
            });
            let rule = crate::stream::short_decimal(&cell, false).map(f64::to_bits);
            // `number` reads at most 7 digits a side: anything longer is refused by it and
            // read by `encode_cell` (short_decimal then), never read differently.
            if let Some(bits) = fast {
                assert_eq!(Some(bits), rule, "{:?}", String::from_utf8_lossy(&cell));
            }
        }
    }

    /// Every shape of a cell of up to 15 bytes made of digits and points (the point first,
    /// last, twice; 8, 9 and more digits a side; the cell's end inside the first 8 bytes
    /// or past them), before each cell end (a comma, semicolon, tab or pipe delimiter, LF,
    /// CRLF), with and without bytes after it: `number`
    /// takes exactly the cells of 1–7 digits, or 1–7 digits, a point and 1–7 digits, and
    /// reads them as `str::parse` does (a cell ending in its first 8 bytes read from them
    /// alone); near the buffer's end (fewer than 8 bytes from the cell's start, or from the
    /// fraction's when the cell is longer) it refuses, for `encode_cell` to read.
    #[test]
    fn number_takes_exactly_the_short_decimals() {
        let mut digit = 0u8;
        let mut checked = 0;
        for len in 1..=15u32 {
            for shape in 0..1u32 << len {
                // Bit i set: a point at byte i, else a digit (0–9 in turn; leading zeros).
                let cell: String = (0..len)
                    .map(|i| {
                        if shape >> i & 1 == 1 {
                            '.'
                        } else {
                            digit = (digit + 7) % 10;
                            char::from(b'0' + digit)
                        }
                    })
                    .collect();
                let sides: Vec<&str> = cell.split('.').collect();
                let short = |t: &str| (1..=7).contains(&t.len());
                let taken = match sides.as_slice() {
                    [w] => short(w),
                    [w, f] => short(w) && short(f),
                    _ => false,
                };
                for (end, delimiter) in [
                    (",", b','),
                    ("\n", b','),
                    ("\r\n", b';'),
                    (";", b';'),
                    ("\t", b'\t'),
                    ("|", b'|'),
                ] {
                    let padded = format!("{cell}{end}xxxxxxxx");
                    let got = number(padded.as_bytes(), 0, delimiter);
                    if taken {
                        let want: f64 = cell.parse().unwrap();
                        assert_eq!(got, Some((want, cell.len())), "{cell:?}");
                        assert_eq!(got.unwrap().0.to_bits(), want.to_bits());
                    } else {
                        assert_eq!(got, None, "{cell:?}");
                    }
                    // Another delimiter's byte does not end the cell.
                    let other = format!(
                        "{cell}{}xxxxxxxx",
                        if delimiter == b',' { ';' } else { ',' }
                    );
                    assert_eq!(number(other.as_bytes(), 0, delimiter), None, "{cell:?}");
                    // At the buffer's end: read with 8 bytes from the cell's start, and,
                    // when its end is not in them, 8 from the fraction's.
                    let bare = format!("{cell}{end}");
                    let got = number(bare.as_bytes(), 0, delimiter);
                    let point = cell.find('.').map_or(0, |k| k + 1);
                    let read = bare.len() >= 8 && (cell.len() < 8 || bare.len() - point >= 8);
                    if taken && read {
                        assert_eq!(got, Some((cell.parse().unwrap(), cell.len())), "{cell:?}");
                    } else {
                        assert_eq!(got, None, "{cell:?}");
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 6 * ((1 << 16) - 2));
    }

    /// A chunk read as the general reader reads its lines: blank lines (LF and CRLF)
    /// skipped but counted, id and name trimmed, a number, a category and a yes/no cell
    /// encoded as `encode_cell` encodes them (spaces too), an empty cell missing (NaN), the
    /// criteria without a column NaN; a range, an unknown column with a value, fewer or more
    /// cells, a text for a number left to the general path, in their places. Read in two
    /// calls (4 rows, then the rest) to check `at` carries on.
    #[test]
    fn a_chunk_is_encoded_as_the_general_reader_reads_it() {
        use crate::stream::CsvInitiatives;
        let rubric = crate::Rubric::builtin();
        let header = "id,name,support_share,inclusion,permit_secured,extra,description\n";
        let csv = CsvInitiatives::new(&rubric, header.as_bytes(), None, None, &[]).unwrap();
        let layout = csv.layout().clone();
        let chunk = concat!(
            " a , Park ,72,one_group,yes,,x\n",
            "\n",
            "b,,12.5,none,no,,\r\n",
            "c,,100..200,none,no,,\n",
            "d,,72,none,no,5,\n",
            "e,,72,none\n",
            "f,,72,none,no,,,\n",
            "g,,lots,none,no,,\n",
            "h,, 7 ,several_groups,ja,,\n",
            "\r\n",
            "i,,,,,,\n",
        );
        let width = rubric.criteria().len();
        let mut lines = PlainLines::new(&layout, width);
        let (mut data, mut rows, mut at) = (Vec::new(), Vec::new(), PlainAt::default());
        let mut all = Vec::new();
        let mut matrix = Vec::new();
        for max in [4, 100] {
            let n = lines.encode(chunk, &mut at, max, &mut data, &mut rows);
            assert_eq!(n, rows.iter().filter(|r| r.encoded).count());
            matrix.extend_from_slice(&data[..n * width]);
            all.extend(rows.iter().cloned());
        }
        assert_eq!(at.byte, chunk.len());
        assert_eq!((at.lines, at.rows), (11, 9));
        let seen: Vec<(&str, u64, usize, bool)> = all
            .iter()
            .map(|r| (&chunk[r.text.clone()], r.line, r.number, r.encoded))
            .collect();
        assert_eq!(
            seen,
            [
                (" a , Park ,72,one_group,yes,,x", 0, 0, true),
                ("b,,12.5,none,no,,", 2, 1, true),
                ("c,,100..200,none,no,,", 3, 2, false),
                ("d,,72,none,no,5,", 4, 3, false),
                ("e,,72,none", 5, 4, false),
                ("f,,72,none,no,,,", 6, 5, false),
                ("g,,lots,none,no,,", 7, 6, false),
                ("h,, 7 ,several_groups,ja,,", 8, 7, true),
                ("i,,,,,,", 10, 8, true),
            ]
        );
        assert_eq!(all[0].id_name(chunk), ("a", "Park"));
        assert_eq!(all[1].id_name(chunk), ("b", ""));
        // Each encoded row's values: what `encode_cell` (the general rule) makes of its
        // cells; every other criterion NaN.
        let col = |id: &str| rubric.index_of(id).unwrap();
        let cells = [
            ("72", "one_group", "yes"),
            ("12.5", "none", "no"),
            (" 7 ", "several_groups", "ja"),
            ("", "", ""),
        ];
        for (r, (share, inclusion, permit)) in cells.iter().enumerate() {
            let row = &matrix[r * width..(r + 1) * width];
            for (i, x) in row.iter().enumerate() {
                let want = if i == col("support_share") {
                    layout.encode_cell(i, share).unwrap().0
                } else if i == col("inclusion") {
                    layout.encode_cell(i, inclusion).unwrap().0
                } else if i == col("permit_secured") {
                    layout.encode_cell(i, permit).unwrap().0
                } else {
                    f64::NAN
                };
                assert_eq!(x.to_bits(), want.to_bits(), "row {r} criterion {i}");
            }
        }
        // By hand: 72, 12.5, 7; yes = 1, no = 0.
        assert_eq!(matrix[col("support_share")], 72.0);
        assert_eq!(matrix[width + col("support_share")], 12.5);
        assert_eq!(matrix[2 * width + col("support_share")], 7.0);
        assert_eq!(matrix[col("permit_secured")], 1.0);
        assert_eq!(matrix[width + col("permit_secured")], 0.0);
        // A deferred row's record, as the general reader splits it.
        let row = layout.plain_row(&chunk[all[3].text.clone()], 4, 5);
        assert_eq!(row.record.len(), 7);
        assert_eq!(row.record.get(5), Some("5"));
        assert!(
            layout
                .initiative(&row)
                .unwrap()
                .inputs
                .get("extra")
                .is_some()
        );
    }

    proptest::proptest! {
        /// Law: a plain chunk is read as the general reader reads it. Every row the general
        /// reader reads is a row here, on the same line, with the same text; an encoded row
        /// has the header's number of cells, each criterion cell a point that `encode_cell`
        /// encodes to the same bits (the matrix), no unknown column with a value, and the
        /// general id and name; a row left to the general path has another number of
        /// cells, a criterion cell that does not encode or is a range, or an unknown column
        /// with a value. Any `max`, LF or CRLF lines.
        #[test]
        fn encode_reads_as_the_general_reader(
            // In the rubric's order (number columns of consecutive criteria side by side)
            // or shuffled.
            columns in proptest::sample::subsequence(
                vec!["id", "name", "volunteer_hours", "neighbour_contact", "inclusion",
                     "green_area_m2", "biodiversity", "support_share", "permit_secured",
                     "extra", "description"],
                1..=11,
            ).prop_flat_map(|c| proptest::prop_oneof![
                proptest::strategy::Just(c.clone()),
                proptest::strategy::Just(c).prop_shuffle(),
            ]),
            lines in proptest::collection::vec(
                (
                    proptest::bool::ANY,
                    proptest::collection::vec(
                        "[0-9]{0,9}|[0-9]{1,3}\\.[0-9]{1,9}|[ ]?[0-9]{1,2}[ ]?|none|one_group|yes|ja|x|1\\.\\.5|-1|",
                        0..10,
                    ),
                ),
                0..30,
            ),
            crlf in proptest::bool::ANY,
            max in 1usize..8,
            // A semicolon or a tab: decimal commas (numbers with a point still read).
            delimiter in proptest::sample::select(vec![',', ';', '\t']),
        ) {
            use crate::stream::CsvInitiatives;
            let rubric = crate::Rubric::builtin();
            let d = delimiter.to_string();
            let header = format!("{}\n", columns.join(&d));
            let csv = CsvInitiatives::new(&rubric, header.as_bytes(), Some(delimiter as u8), None, &[]).unwrap();
            let layout = csv.layout().clone();
            let mut chunk = String::new();
            for (exact, cells) in &lines {
                let mut cells = cells.clone();
                if *exact {
                    cells.resize(columns.len(), String::new());
                }
                chunk.push_str(&cells.join(&d));
                chunk.push_str(if crlf { "\r\n" } else { "\n" });
            }
            let whole = format!("{header}{chunk}");
            let mut general = CsvInitiatives::new(&rubric, whole.as_bytes(), Some(delimiter as u8), None, &[]).unwrap();
            let mut expected = Vec::new();
            while let Some(row) = general.next_row() {
                expected.push(row.unwrap());
            }
            let width = rubric.criteria().len();
            let mut plain = PlainLines::new(&layout, width);
            let (mut data, mut rows, mut at) = (Vec::new(), Vec::new(), PlainAt::default());
            let (mut all, mut matrix) = (Vec::new(), Vec::new());
            while at.byte < chunk.len() {
                let n = plain.encode(&chunk, &mut at, max, &mut data, &mut rows);
                matrix.extend_from_slice(&data[..n * width]);
                all.extend(rows.iter().cloned());
            }
            proptest::prop_assert_eq!(all.len(), expected.len());
            let mut r = 0;
            for (got, want) in all.iter().zip(&expected) {
                proptest::prop_assert_eq!(got.line + 2, want.line);
                proptest::prop_assert_eq!(got.number + 1, want.number);
                let cells: Vec<&str> = want.record.iter().collect();
                proptest::prop_assert_eq!(&chunk[got.text.clone()], cells.join(&d));
                let shape = cells.len() == columns.len();
                let mut readable = shape;
                let mut points = vec![f64::NAN; width];
                if shape {
                    for (column, cell) in layout.columns().iter().zip(&cells) {
                        match column {
                            Column::Criterion(i) => match layout.encode_cell(*i, cell) {
                                Some((lo, hi)) if lo.to_bits() == hi.to_bits() => points[*i] = lo,
                                _ => readable = false,
                            },
                            Column::Unknown(_) => readable &= trim(cell).is_empty(),
                            _ => {}
                        }
                    }
                }
                proptest::prop_assert_eq!(got.encoded, readable, "{:?}", cells);
                if got.encoded {
                    let row = &matrix[r * width..(r + 1) * width];
                    for (x, y) in row.iter().zip(&points) {
                        proptest::prop_assert_eq!(x.to_bits(), y.to_bits(), "{:?}", cells);
                    }
                    let initiative = layout.initiative(want).unwrap();
                    let (id, name) = got.id_name(&chunk);
                    if columns.contains(&"id") {
                        proptest::prop_assert_eq!(id, initiative.id.as_str());
                        proptest::prop_assert_eq!(name, initiative.name.as_str());
                    }
                    r += 1;
                }
            }
        }

        /// A chunk read from two places at once (`encode_two` from its start to a line start
        /// `split` lines in, and from there to its end; what is left of either read alone by
        /// `encode`, as the CLI's workers do) gives the rows and matrix rows `encode` gives
        /// reading it from the start, once the second part's lines and rows are counted
        /// after the first's. Lines of every kind in either part (ordinary ones, blank ones,
        /// a text not yet remembered, another number of cells, a range), LF or CRLF, any
        /// `max`, parts of any number of lines (none, one, odd, even), the last line with
        /// or without its line break (the CLI adds one; `encode` reads it either way).
        #[test]
        fn two_parts_read_as_one(
            lines in proptest::collection::vec(
                (
                    proptest::bool::ANY,
                    proptest::collection::vec(
                        "[0-9]{1,5}|[0-9]{1,3}\\.[0-9]{1,3}|none|one_group|yes|x|1\\.\\.5|",
                        0..6,
                    ),
                ),
                0..24,
            ),
            split in 0usize..25,
            crlf in proptest::bool::ANY,
            last_break in proptest::bool::ANY,
            max in 1usize..6,
        ) {
            use crate::stream::CsvInitiatives;
            let rubric = crate::Rubric::builtin();
            let columns = ["id", "volunteer_hours", "inclusion", "support_share", "permit_secured"];
            let header = format!("{}\n", columns.join(","));
            let csv = CsvInitiatives::new(&rubric, header.as_bytes(), None, None, &[]).unwrap();
            let layout = csv.layout().clone();
            let (mut chunk, mut mid) = (String::new(), 0);
            for (k, (exact, cells)) in lines.iter().enumerate() {
                if k == split {
                    mid = chunk.len();
                }
                let mut cells = cells.clone();
                if *exact {
                    cells.resize(columns.len(), String::new());
                }
                chunk.push_str(&cells.join(","));
                chunk.push_str(if crlf { "\r\n" } else { "\n" });
            }
            if split >= lines.len() {
                mid = chunk.len();
            }
            if !last_break && mid < chunk.len() {
                chunk.pop();
                if crlf {
                    chunk.pop();
                }
            }
            let width = rubric.criteria().len();
            // Read from the start by `encode`.
            let mut one = PlainLines::new(&layout, width);
            let (mut data, mut rows, mut at) = (Vec::new(), Vec::new(), PlainAt::default());
            let (mut want, mut want_matrix) = (Vec::new(), Vec::new());
            while at.byte < chunk.len() {
                let n = one.encode(&chunk, &mut at, max, &mut data, &mut rows);
                want_matrix.extend_from_slice(&data[..n * width]);
                want.extend(rows.iter().cloned());
            }
            // Read in two parts.
            let mut two = PlainLines::new(&layout, width);
            let (mut data_b, mut rows_b) = (Vec::new(), Vec::new());
            let mut a = PlainAt::default();
            let mut b = PlainAt { byte: mid, ..PlainAt::default() };
            let (mut got_a, mut matrix_a, mut got_b, mut matrix_b) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            while a.byte < mid && b.byte < chunk.len() {
                let (ea, eb) = two.encode_two(
                    &chunk,
                    (&mut a, mid),
                    &mut b,
                    max,
                    (&mut data, &mut rows),
                    (&mut data_b, &mut rows_b),
                );
                proptest::prop_assert!(ea <= max && eb <= max);
                proptest::prop_assert_eq!(ea, rows.iter().filter(|r| r.encoded).count());
                proptest::prop_assert_eq!(eb, rows_b.iter().filter(|r| r.encoded).count());
                matrix_a.extend_from_slice(&data[..ea * width]);
                got_a.extend(rows.iter().cloned());
                matrix_b.extend_from_slice(&data_b[..eb * width]);
                got_b.extend(rows_b.iter().cloned());
            }
            while a.byte < mid {
                let n = two.encode(&chunk[..mid], &mut a, max, &mut data, &mut rows);
                matrix_a.extend_from_slice(&data[..n * width]);
                got_a.extend(rows.iter().cloned());
            }
            while b.byte < chunk.len() {
                let n = two.encode(&chunk, &mut b, max, &mut data, &mut rows);
                matrix_b.extend_from_slice(&data[..n * width]);
                got_b.extend(rows.iter().cloned());
            }
            proptest::prop_assert_eq!(a.byte, mid);
            // (One past the end after a last line without its line break, as `encode`.)
            proptest::prop_assert_eq!(b.byte, at.byte);
            proptest::prop_assert_eq!((a.lines + b.lines, a.rows + b.rows), (at.lines, at.rows));
            for row in &mut got_b {
                row.line += a.lines;
                row.number += a.rows;
            }
            got_a.extend(got_b);
            matrix_a.extend(matrix_b);
            proptest::prop_assert_eq!(got_a, want);
            let bits = |m: &[f64]| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bits(&matrix_a), bits(&want_matrix));
        }
    }

    /// Ordinary lines (numbers, decimals, remembered category and yes/no texts, CRLF, an
    /// empty cell) are read two at a time by `pair`, to the values `line` reads one at a
    /// time; a blank line, a text not yet remembered or a cell `number` leaves to
    /// `encode_cell` is not.
    #[test]
    fn ordinary_lines_are_read_in_pairs() {
        use crate::stream::CsvInitiatives;
        let rubric = crate::Rubric::builtin();
        let header = "id,volunteer_hours,inclusion,support_share,permit_secured\n";
        let csv = CsvInitiatives::new(&rubric, header.as_bytes(), None, None, &[]).unwrap();
        let layout = csv.layout().clone();
        let width = rubric.criteria().len();
        let chunk = "a,1200,none,45.5,true\nb,,one_group,7,false\r\nc,3,none,0.25,true\n\
                     d,4,none,1,maybe\n\n";
        let mut plain = PlainLines::new(&layout, width);
        let mut one = vec![f64::NAN; 2 * width];
        let mut two = vec![f64::NAN; 2 * width];
        let buf = chunk.as_bytes();
        let pair = |plain: &PlainLines<'_, '_>, p: usize, two: &mut [f64]| {
            let b = p + chunk[p..].find('\n').unwrap() + 1;
            let (x, y) = two.split_at_mut(width);
            plain.pair(buf, (p, b), x, y)
        };
        // Not remembered yet: `line` reads them (and remembers the texts).
        assert!(pair(&plain, 0, &mut two).is_none());
        let (next, _) = plain.line(chunk, 0, &mut one, 0);
        let (after, _) = plain.line(chunk, next, &mut one, 1);
        let got = pair(&plain, 0, &mut two).unwrap();
        assert_eq!((got[0].0, got[1].0), (next, after));
        assert_eq!(
            (&chunk[got[0].1.clone()], &chunk[got[1].1.clone()]),
            ("a,1200,none,45.5,true", "b,,one_group,7,false")
        );
        assert_eq!(got[1].2.0, Some(22..23));
        for (x, y) in one.iter().zip(&two) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
        // The second line's last cell is not a remembered text; the third starts a blank.
        assert!(pair(&plain, after, &mut two).is_none());
        let d = chunk.find("d,").unwrap();
        assert!(pair(&plain, d, &mut two).is_none());
    }

    #[test]
    fn only_plain_chunks_are_read_here() {
        assert!(is_plain(b"a,1\r\nb,2\n\r\n"));
        assert!(!is_plain(b"a,\"1\"\n"));
        assert!(!is_plain(b"a,1\rb,2\n"));
        assert!(!is_plain(b"a,\xff\n"));
        // plain_text: the same answer, the text or the bytes back unchanged.
        for chunk in [
            &b"a,1\r\nb,2\n\r\n"[..],
            b"a,\"1\"\n",
            b"a,1\rb,2\n",
            b"a,\xff\n",
            b"a,\xc3\xa9\n",
        ] {
            match plain_text(chunk.to_vec()) {
                Ok(text) => assert!(is_plain(chunk) && text.as_bytes() == chunk),
                Err(bytes) => assert!(!is_plain(chunk) && bytes == chunk),
            }
        }
    }
}
