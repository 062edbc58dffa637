//! Reading rubric and initiative files for every command. Every source — a file, a pipe, a
//! device, standard input (`-`) — is read through a limit that counts the bytes actually
//! read, never the file's metadata: a rubric or a single JSON document is read whole up to
//! its limit; CSV, NDJSON and JSON arrays are read as streams, a record at a time.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use civic_value::stream::{
    CsvInitiatives, CsvLayout, CsvRow, JsonItem, JsonItems, JsonShape, RawCsvRow,
};
use civic_value::{Error, Initiative, MAX_RUBRIC_TEXT_BYTES, Rubric, RubricDoc, strip_bom};
use clap::ValueEnum;

use crate::Failure;

/// Size of the read buffer of an input stream.
const BUFFER: usize = 256 * 1024;

/// Open a file, or standard input for `-`.
fn open(path: &Path) -> Result<Box<dyn Read + Send>, Failure> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = File::open(path)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(Failure::Usage(format!(
            "cannot read {}: it is a directory",
            path.display()
        )));
    }
    Ok(Box::new(file))
}

/// A whole text file of at most `limit` bytes (counted while reading, so pipes and devices
/// are held to it too), without a leading byte order mark.
///
/// Exit 1 for a file over the limit or not UTF-8 (naming the file); 2 when unreadable.
pub(crate) fn read(path: &Path, limit: usize) -> Result<String, Failure> {
    let shown = path.display();
    let mut bytes = Vec::new();
    open(path)?
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Usage(format!("cannot read {shown}: {e}")))?;
    if bytes.len() > limit {
        return Err(Failure::Invalid(format!(
            "{shown}: more than the limit of {limit} bytes"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| Failure::Invalid(format!("{shown}: not valid UTF-8 text ({e})")))?;
    Ok(strip_bom(&text).to_owned())
}

pub(crate) fn is_toml(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("toml") => true,
        Some(e) if e.eq_ignore_ascii_case("json") => false,
        _ => !text.trim_start().starts_with('{'),
    }
}

pub(crate) fn parse_doc(path: &Path) -> Result<RubricDoc, Failure> {
    let text = read(path, MAX_RUBRIC_TEXT_BYTES)?;
    let doc = if is_toml(path, &text) {
        RubricDoc::from_toml(&text)
    } else {
        RubricDoc::from_json(&text)
    };
    doc.map_err(|e| Failure::Invalid(format!("{}: {e}", path.display())))
}

pub(crate) fn load_rubric(path: Option<&Path>) -> Result<Rubric, Failure> {
    let Some(path) = path else {
        return Ok(Rubric::builtin());
    };
    Rubric::compile(parse_doc(path)?).map_err(|errors| {
        let mut msg = String::new();
        for e in &errors.0 {
            let _ = writeln!(msg, "{}: {e}", path.display());
        }
        Failure::Invalid(msg.trim_end().to_owned())
    })
}

// ---- initiative streams --------------------------------------------------------------------

/// How an input file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputFormat {
    /// By the file's extension: .csv, .tsv, .ndjson/.jsonl, otherwise JSON (an array or
    /// one object).
    Auto,
    /// CSV (delimiter detected unless --delimiter).
    Csv,
    /// A JSON array of initiatives, or one initiative object.
    Json,
    /// One initiative object per line.
    Ndjson,
}

/// The options every command that reads initiatives shares.
#[derive(clap::Args, Clone, Debug)]
pub(crate) struct InputArgs {
    /// Input columns (CSV) or keys (JSON) that are not criteria and are not scored, e.g.
    /// `--ignore district --ignore notes` (without it they are reported by the rubric's
    /// policy for unknown inputs).
    #[arg(long, value_name = "COLUMN")]
    pub(crate) ignore: Vec<String>,
    /// How to read the inputs (default: by extension; `-` is standard input).
    #[arg(long, value_enum, default_value_t = InputFormat::Auto, value_name = "FORMAT")]
    pub(crate) input_format: InputFormat,
    /// CSV delimiter: `,` (comma), `;` (semicolon), `tab` or `|` (pipe) (default: detected from the header line).
    #[arg(long, value_parser = parse_delimiter, value_name = "CHAR")]
    pub(crate) delimiter: Option<u8>,
    /// CSV decimal separator: `,` or `.` (default: a comma when the delimiter is not a comma).
    #[arg(long, value_parser = parse_decimal, value_name = "CHAR")]
    pub(crate) decimal: Option<char>,
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    civic_value::stream::Dialect::parse_delimiter(s).map_err(|k| k.to_string())
}

fn parse_decimal(s: &str) -> Result<char, String> {
    civic_value::stream::Dialect::parse_decimal(s).map_err(|k| k.to_string())
}

/// One record of a stream, not yet turned into an initiative (that may happen on another
/// thread).
pub(crate) enum Raw {
    /// A CSV row.
    Row(CsvRow),
    /// An item of a JSON array or an NDJSON line.
    Json(JsonItem),
    /// A record that could not be read at all.
    Broken(Error),
}

/// Turns raw records into initiatives (shared by the worker threads).
#[derive(Clone)]
pub(crate) struct Parser<'r> {
    csv: Option<CsvLayout<'r>>,
    ignore: Vec<String>,
    /// A single JSON document: no index to name.
    single: bool,
}

impl<'r> Parser<'r> {
    /// Where a record is, for messages: `line 7 (semicolon-separated, decimal comma)`,
    /// `[3] (line 12)`.
    pub(crate) fn place(&self, raw: &Raw) -> String {
        match raw {
            Raw::Row(row) => match &self.csv {
                Some(layout) => format!("line {} ({})", row.line, layout.dialect().describe()),
                None => format!("line {}", row.line),
            },
            Raw::Json(item) if self.single => {
                let _ = item;
                String::new()
            }
            Raw::Json(item) => format!("[{}] (line {})", item.index, item.line),
            Raw::Broken(_) => String::new(),
        }
    }

    /// The id of a record that could not be read as an initiative, when it can still be
    /// told (a CSV row's id column, a JSON item's `id`), so that its error names it.
    pub(crate) fn failed_id(&self, raw: &Raw) -> Option<String> {
        match raw {
            Raw::Row(row) => self.csv().and_then(|l| l.id_of(row)).map(str::to_owned),
            Raw::Json(item) => item.id(),
            Raw::Broken(_) => None,
        }
    }

    /// The initiative of a record, with `ignore`d inputs left out.
    pub(crate) fn initiative(&self, raw: &Raw) -> Result<Initiative, Error> {
        let mut initiative = match (raw, &self.csv) {
            (Raw::Row(row), Some(layout)) => layout.initiative(row)?,
            (Raw::Json(item), _) => item.initiative()?,
            (Raw::Broken(e), _) => return Err(e.clone()),
            (Raw::Row(_), None) => {
                return Err(civic_value::ErrorKind::InputParse {
                    message: "a CSV row outside a CSV file".to_owned(),
                }
                .at(""));
            }
        };
        for column in &self.ignore {
            initiative.inputs.remove(column);
        }
        Ok(initiative)
    }

    /// The parser of a CSV file's rows read with `layout` (`--ignore` from `args`).
    pub(crate) fn for_csv(layout: CsvLayout<'r>, args: &InputArgs) -> Self {
        Self {
            csv: Some(layout),
            ignore: args.ignore.clone(),
            single: false,
        }
    }

    /// The CSV layout, for the batch path; `None` for JSON and NDJSON input.
    pub(crate) fn csv(&self) -> Option<&CsvLayout<'_>> {
        self.csv.as_ref()
    }
}

enum Kind<'r> {
    /// Boxed: the CSV reader is several times the JSON one's size.
    Csv(Box<CsvInitiatives<'r, BufReader<Counted>>>),
    Json(JsonItems<BufReader<Counted>>),
}

/// An open stream of initiatives from one file.
pub(crate) struct Stream<'r> {
    kind: Kind<'r>,
    parser: Parser<'r>,
    /// Bytes read so far (for a progress bar).
    pub(crate) bytes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The file's size when known (a regular file).
    pub(crate) size: Option<u64>,
    /// Whether the stream is waiting for its source right now.
    pub(crate) waiting: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// A reader that counts the bytes read, and says when it is waiting for its source (so that
/// the records already read can be scored meanwhile: a slow pipe is scored as it arrives).
pub(crate) struct Counted {
    inner: Box<dyn Read + Send>,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
    waiting: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::sync::atomic::Ordering;
        self.waiting.store(true, Ordering::Release);
        let n = self.inner.read(buf);
        self.waiting.store(false, Ordering::Release);
        let n = n?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// What [`Stream::read_next`] read.
pub(crate) enum Next<'a> {
    /// A CSV row, borrowed from the reader until the next one is read.
    Row(RawCsvRow<'a>),
    /// Any other record.
    Other(Raw),
}

impl<'r> Stream<'r> {
    /// Open `path` (or `-`) for reading initiatives of `rubric`.
    ///
    /// Exit 2 when unreadable; 1 for a CSV header that cannot be used (naming the file).
    pub(crate) fn open(path: &Path, rubric: &'r Rubric, args: &InputArgs) -> Result<Self, Failure> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let mut format = match args.input_format {
            InputFormat::Auto => match extension.as_str() {
                "csv" | "tsv" | "tab" => InputFormat::Csv,
                "ndjson" | "jsonl" => InputFormat::Ndjson,
                "json" => InputFormat::Json,
                _ => InputFormat::Auto,
            },
            other => other,
        };
        let size = std::fs::metadata(path)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len());
        let bytes = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let waiting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let input = BufReader::with_capacity(
            BUFFER,
            Counted {
                inner: open(path)?,
                count: std::sync::Arc::clone(&bytes),
                waiting: std::sync::Arc::clone(&waiting),
            },
        );
        let mut input = input;
        if format == InputFormat::Auto {
            // No telling extension (standard input, a pipe): JSON when the text starts with
            // `[` or `{`, CSV otherwise.
            use std::io::BufRead as _;
            let head = input
                .fill_buf()
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
            let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
            let first = head.iter().find(|b| !b.is_ascii_whitespace());
            format = match first {
                Some(b'[' | b'{') | None => InputFormat::Json,
                Some(_) => InputFormat::Csv,
            };
        }
        let invalid = |e: Error| Failure::Invalid(format!("{}: {e}", path.display()));
        let (kind, csv): (Kind<'r>, _) = match format {
            InputFormat::Csv => {
                let delimiter = args
                    .delimiter
                    .or_else(|| matches!(extension.as_str(), "tsv" | "tab").then_some(b'\t'));
                let reader =
                    CsvInitiatives::new(rubric, input, delimiter, args.decimal, &args.ignore)
                        .map_err(invalid)?;
                let layout = reader.layout().clone();
                (Kind::Csv(Box::new(reader)), Some(layout))
            }
            InputFormat::Ndjson => (
                Kind::Json(JsonItems::new(input, true).map_err(invalid)?),
                None,
            ),
            InputFormat::Json | InputFormat::Auto => (
                Kind::Json(JsonItems::new(input, false).map_err(invalid)?),
                None,
            ),
        };
        let single = matches!(&kind, Kind::Json(items) if items.shape() == JsonShape::Single);
        Ok(Self {
            kind,
            parser: Parser {
                csv,
                ignore: args.ignore.clone(),
                single,
            },
            bytes,
            size,
            waiting,
        })
    }

    /// The rest of a CSV file part of which another reader read (`score`'s fast reader of
    /// plain lines, see `plain.rs`): `input` starts at line `line`, after `rows` data rows,
    /// and is read with the file's `layout`; `bytes` counts on from what was read before.
    pub(crate) fn resume(
        layout: CsvLayout<'r>,
        input: Box<dyn Read + Send>,
        (line, rows): (u64, usize),
        args: &InputArgs,
        (bytes, size): (std::sync::Arc<std::sync::atomic::AtomicU64>, Option<u64>),
    ) -> Self {
        let waiting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let input = BufReader::with_capacity(
            BUFFER,
            Counted {
                inner: input,
                count: std::sync::Arc::clone(&bytes),
                waiting: std::sync::Arc::clone(&waiting),
            },
        );
        let reader = CsvInitiatives::resume(layout.clone(), input, line, rows);
        Self {
            kind: Kind::Csv(Box::new(reader)),
            parser: Parser::for_csv(layout, args),
            bytes,
            size,
            waiting,
        }
    }

    /// The parser of this stream's records.
    pub(crate) fn parser(&self) -> &Parser<'r> {
        &self.parser
    }

    /// The next record; a CSV row is not copied (the caller copies its cells once).
    pub(crate) fn read_next(&mut self) -> Option<Next<'_>> {
        match &mut self.kind {
            Kind::Csv(reader) => reader.read_raw_row().map(|r| match r {
                Ok(row) => Next::Row(row),
                Err(e) => Next::Other(Raw::Broken(e)),
            }),
            Kind::Json(items) => items.next().map(|item| Next::Other(Raw::Json(item))),
        }
    }

    /// The next record.
    pub(crate) fn next_raw(&mut self) -> Option<Raw> {
        match &mut self.kind {
            Kind::Csv(reader) => reader
                .next_row()
                .map(|r| r.map_or_else(Raw::Broken, Raw::Row)),
            Kind::Json(items) => items.next().map(Raw::Json),
        }
    }
}

/// Every initiative of a file with where it is, or the error that kept it from being read
/// (a streamed convenience for commands that handle one initiative at a time).
pub(crate) fn each_initiative(
    path: &Path,
    rubric: &Rubric,
    args: &InputArgs,
    mut f: impl FnMut(&str, Result<Initiative, Error>),
) -> Result<(), Failure> {
    let mut stream = Stream::open(path, rubric, args)?;
    while let Some(raw) = stream.next_raw() {
        let mut place = stream.parser().place(&raw);
        let result = stream.parser().initiative(&raw);
        if result.is_err()
            && let Some(id) = stream.parser().failed_id(&raw)
        {
            let sep = if place.is_empty() { "" } else { ": " };
            let _ = write!(place, "{sep}initiative \"{}\"", crate::table::clean(&id));
        }
        f(&place, result);
    }
    Ok(())
}

/// Every initiative of every file through `f`, in input order: what `f` made of each, and a
/// message (`file: place: initiative "id": error`) per record that could not be read or
/// that `f` refused — so a command reports every bad initiative and still handles the rest.
pub(crate) fn collect_initiatives<T>(
    paths: &[PathBuf],
    rubric: &Rubric,
    args: &InputArgs,
    mut f: impl FnMut(Initiative) -> Result<T, Error>,
) -> Result<(Vec<T>, Vec<String>), Failure> {
    let mut done = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        each_initiative(path, rubric, args, |place, initiative| match initiative {
            Err(e) => problems.push(describe_error(path, place, None, &e)),
            Ok(i) => {
                let id = i.id.clone();
                match f(i) {
                    Ok(x) => done.push(x),
                    Err(e) => problems.push(describe_error(path, place, Some(&id), &e)),
                }
            }
        })?;
    }
    Ok((done, problems))
}

/// A message for a bad record: `file: place: initiative "id": error`.
pub(crate) fn describe_error(path: &Path, place: &str, id: Option<&str>, e: &Error) -> String {
    let mut out = path.display().to_string();
    if !place.is_empty() {
        let _ = write!(out, ": {place}");
    }
    if let Some(id) = id {
        let _ = write!(out, ": initiative \"{}\"", crate::table::clean(id));
    }
    // The place already says where (`line 7 …`): then only the message.
    if !e.path().is_empty() && place.starts_with(e.path()) {
        let _ = write!(out, ": {}", e.message());
    } else {
        let _ = write!(out, ": {e}");
    }
    out
}
