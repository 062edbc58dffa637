//! Initiative files as streams: which format a file is in (CSV, TSV, NDJSON, JSON), reading
//! raw items in blocks (sequentially), and decoding one item (on any thread), with the
//! place of a bad item for its message.

use std::io::BufRead;
use std::ops::Range;
use std::path::Path;

use civic_value::{
    CsvDialect, CsvLayout, CsvOptions, CsvReader, CsvRow, Decimal, Error, Initiative, ItemPlace,
    JsonItems, Rubric, id_hint, parse_initiative,
};

use crate::text::escape;

/// How to read input files (from the command line).
#[derive(Debug, Clone, Default)]
pub(crate) struct InputOptions {
    /// Force the CSV delimiter.
    pub delimiter: Option<u8>,
    /// Force the CSV decimal mark.
    pub decimal: Option<Decimal>,
    /// Columns or keys that are not criteria and are left out.
    pub ignore: Vec<String>,
}

/// The format of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// CSV (a `.tsv` file is CSV with tabs).
    Csv { tab: bool },
    /// A JSON array, one object or objects one after another.
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// The format by extension; without one (stdin, devices, other names) by the first byte
/// that is not whitespace: `[` or `{` is JSON, anything else CSV.
pub(crate) fn kind_of(path: &Path, start: &[u8]) -> Kind {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Kind::Csv { tab: false },
        Some("tsv" | "tab") => Kind::Csv { tab: true },
        Some("ndjson" | "jsonl") => Kind::Ndjson,
        Some("json") => Kind::Json,
        _ => {
            let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
            match start.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'[' | b'{') | None => Kind::Json,
                Some(_) => Kind::Csv { tab: false },
            }
        }
    }
}

/// An open input: its rows or items, read one at a time.
#[allow(clippy::large_enum_variant)] // One per file.
pub(crate) enum Source<'r, R> {
    /// A CSV file and the row read into.
    Csv(CsvReader<'r, R>, CsvRow),
    /// A JSON or NDJSON file and the buffer of one item.
    Json(JsonItems<R>, Vec<u8>),
}

/// Open a source on `reader` for `path` (its format by extension or content).
///
/// # Errors
/// A CSV header that cannot be read or names a column twice.
pub(crate) fn open_source<'r, R: BufRead>(
    mut reader: R,
    path: &Path,
    rubric: &'r Rubric,
    options: &InputOptions,
) -> Result<Source<'r, R>, Error> {
    let start = reader.fill_buf().map(<[u8]>::to_vec).unwrap_or_default();
    Ok(match kind_of(path, &start) {
        Kind::Csv { tab } => {
            let csv = CsvOptions {
                delimiter: options.delimiter.or(tab.then_some(b'\t')),
                decimal: options.decimal,
                ignore: options.ignore.clone(),
            };
            Source::Csv(CsvReader::new(rubric, reader, &csv)?, CsvRow::new())
        }
        Kind::Json => Source::Json(JsonItems::new(reader), Vec::new()),
        Kind::Ndjson => Source::Json(JsonItems::lines(reader), Vec::new()),
    })
}

/// A bad item: where it is, which initiative, what is wrong.
#[derive(Debug)]
pub(crate) struct Problem {
    pub line: u64,
    /// Position in a JSON array.
    pub index: Option<usize>,
    pub id: Option<String>,
    pub error: Error,
    /// The dialect a CSV row was read in.
    pub dialect: Option<CsvDialect>,
}

impl Problem {
    /// `file:line: [index] initiative "id": path: message (read as CSV, …)`.
    pub(crate) fn message(&self, file: &str) -> String {
        let mut s = format!("{file}:{}: ", self.line);
        if let Some(i) = self.index {
            s.push_str(&format!("[{i}] "));
        }
        if let Some(id) = &self.id {
            s.push_str(&format!("initiative \"{}\": ", escape(id)));
        }
        s.push_str(&escape(&self.error.to_string()));
        if let Some(d) = &self.dialect {
            s.push_str(&format!(" (read as {d})"));
        }
        s
    }
}

/// Drop the inputs named in `ignore`.
pub(crate) fn without(mut initiative: Initiative, ignore: &[String]) -> Initiative {
    for key in ignore {
        initiative.inputs.remove(key);
    }
    initiative
}

/// A CSV row as an initiative, or its problem.
pub(crate) fn csv_initiative(
    layout: &CsvLayout<'_>,
    row: &CsvRow,
) -> Result<Initiative, Box<Problem>> {
    layout.initiative(row).map_err(|error| {
        Box::new(Problem {
            line: row.line,
            index: None,
            id: Some(layout.id(row)),
            error,
            dialect: Some(layout.dialect()),
        })
    })
}

/// A JSON item as an initiative, or its problem.
pub(crate) fn json_initiative(
    bytes: &[u8],
    place: &ItemPlace,
    ignore: &[String],
) -> Result<Initiative, Box<Problem>> {
    parse_initiative(bytes, place)
        .map(|i| without(i, ignore))
        .map_err(|error| {
            Box::new(Problem {
                line: place.line,
                index: place.in_array.then_some(place.index),
                id: id_hint(bytes),
                error,
                dialect: None,
            })
        })
}

/// A scoring error of a decoded initiative, placed.
pub(crate) fn score_problem(
    initiative: &Initiative,
    line: u64,
    index: Option<usize>,
    dialect: Option<CsvDialect>,
    error: Error,
) -> Problem {
    Problem {
        line,
        index,
        id: Some(initiative.id.clone()),
        error,
        dialect,
    }
}

/// A block of raw items, read sequentially and decoded on a worker thread. Its buffers
/// are reused from block to block.
#[derive(Debug, Default)]
pub(crate) struct Block {
    /// CSV rows (the first `rows_len` are filled).
    pub rows: Vec<CsvRow>,
    pub rows_len: usize,
    /// JSON items: their bytes, one after another, and where each is.
    pub bytes: Vec<u8>,
    pub items: Vec<(ItemPlace, Range<usize>)>,
}

impl Block {
    pub(crate) fn clear(&mut self) {
        self.rows_len = 0;
        self.bytes.clear();
        self.items.clear();
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows_len == 0 && self.items.is_empty()
    }

    /// Number of items held.
    pub(crate) fn len(&self) -> usize {
        self.rows_len + self.items.len()
    }
}

/// Rows per CSV block, items and bytes per JSON block.
const ROWS: usize = 2048;
const ITEMS: usize = 512;
const BYTES: usize = 1 << 20;

impl<R: BufRead> Source<'_, R> {
    /// Fill `block` with the next items; `Ok(false)` when there are none left. Stops
    /// early, with at least one item, when `starving` says the input has nothing more for
    /// now (so that a slow pipe's results are written without waiting for a full block).
    ///
    /// # Errors
    /// Fatal errors of the file (the items already in the block are still valid).
    pub(crate) fn fill(
        &mut self,
        block: &mut Block,
        starving: &dyn Fn() -> bool,
    ) -> Result<bool, Error> {
        block.clear();
        match self {
            Source::Csv(reader, _) => {
                while block.rows_len < ROWS && (block.rows_len == 0 || !starving()) {
                    if block.rows.len() == block.rows_len {
                        block.rows.push(CsvRow::new());
                    }
                    let Some(row) = block.rows.get_mut(block.rows_len) else {
                        break;
                    };
                    if !reader.read_row(row)? {
                        break;
                    }
                    block.rows_len += 1;
                }
            }
            Source::Json(items, _) => {
                while block.items.len() < ITEMS
                    && block.bytes.len() < BYTES
                    && (block.items.is_empty() || !starving())
                {
                    let start = block.bytes.len();
                    let Some(place) = items.next_into(&mut block.bytes)? else {
                        break;
                    };
                    block.items.push((place, start..block.bytes.len()));
                }
            }
        }
        Ok(!block.is_empty())
    }

    /// The next initiative (or its problem); `Ok(None)` at the end.
    ///
    /// # Errors
    /// Fatal errors of the file.
    pub(crate) fn next_initiative(
        &mut self,
        ignore: &[String],
    ) -> Result<Option<Result<Initiative, Box<Problem>>>, Error> {
        match self {
            Source::Csv(reader, row) => {
                if !reader.read_row(row)? {
                    return Ok(None);
                }
                Ok(Some(csv_initiative(reader.layout(), row)))
            }
            Source::Json(items, buf) => {
                buf.clear();
                let Some(place) = items.next_into(buf)? else {
                    return Ok(None);
                };
                Ok(Some(json_initiative(buf, &place, ignore)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension_then_content() {
        let p = Path::new;
        assert_eq!(kind_of(p("a.CSV"), b"["), Kind::Csv { tab: false });
        assert_eq!(kind_of(p("a.tsv"), b""), Kind::Csv { tab: true });
        assert_eq!(kind_of(p("a.jsonl"), b""), Kind::Ndjson);
        assert_eq!(kind_of(p("a.ndjson"), b""), Kind::Ndjson);
        assert_eq!(kind_of(p("a.json"), b"id,x"), Kind::Json);
        assert_eq!(kind_of(p("-"), b"\xEF\xBB\xBF  [{}]"), Kind::Json);
        assert_eq!(kind_of(p("/dev/stdin"), b"\n{"), Kind::Json);
        assert_eq!(kind_of(p("/dev/zero"), b"\0\0"), Kind::Csv { tab: false });
        assert_eq!(kind_of(p("data"), b"id;name\n"), Kind::Csv { tab: false });
    }
}
