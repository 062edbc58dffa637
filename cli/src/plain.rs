//! `score`'s fast reader of plain CSV lines, for outputs that need only a total per row
//! (`--columns` among id, name, total and band): the file read in chunks of 1 MiB by one
//! thread, and on every core a chunk's lines split and their cells read in one pass, 8
//! bytes at a time, the rows scored 256 at a time by `BatchScorer::totals` and their lines
//! written into the chunk's own buffer; chunks are written in input order.
//!
//! Only what the general reader would read the same way is read here: a regular file whose
//! header is a plain line, chunks without a quote, with no carriage return but before a
//! line break, and valid UTF-8. At the first chunk that is not, the rest of the file (from
//! that chunk's first line) goes to the general reader, resumed at that line and row
//! number, so rows, messages and exit status are those of the general path. A row this
//! reader does not score itself (another number of cells, a range, a value that does not
//! encode or is refused by the scorer, an unknown column with a value) goes, in its place,
//! through the explained path, which scores or reports it.
//!
//! Numbers: a cell of up to 8 digits, or digits, a point and digits (15 digits at most), is
//! read as the engine's `short_decimal` reads it (`m / 10^f`, exact as `str::parse`); any
//! other cell by `CsvLayout::encode_cell`, the engine's rules (categories and yes/no are
//! remembered per column for the last few texts).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use civic_value::stream::{Column, CsvInitiatives, CsvLayout, CsvRow, trim};
use civic_value::{InputKind, Rubric};

use crate::columns::Fields;
use crate::load::{InputArgs, InputFormat, Parser, Raw, Stream};
use crate::score::{Ctx, Format, Report, explained, push_json_str};
use crate::text::{Line, Repeats};

/// Bytes read at a time (a line longer than this goes to the general reader).
const CHUNK: usize = 1 << 20;
/// Rows scored together.
const ROWS: usize = 256;
/// Texts remembered per category or yes/no column.
const KEYS: usize = 4;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A CSV file this reader can start on: its header read, the bytes after it.
pub(crate) struct Plain<'r> {
    path: PathBuf,
    file: File,
    pub(crate) size: u64,
    layout: CsvLayout<'r>,
    /// A chunk buffer holding the first bytes after the header.
    first: Vec<u8>,
    filled: usize,
    /// Bytes of the file before `first` (byte order mark and header).
    offset: u64,
}

/// The part of a file this reader left to the general one.
pub(crate) struct Rest<'r> {
    layout: CsvLayout<'r>,
    input: Box<dyn Read + Send>,
    line: u64,
    rows: usize,
    bytes: Arc<AtomicU64>,
    size: u64,
}

impl<'r> Rest<'r> {
    /// The general reader of the rest, numbering rows and lines on.
    pub(crate) fn stream(self, args: &InputArgs) -> Stream<'r> {
        Stream::resume(
            self.layout,
            self.input,
            (self.line, self.rows),
            args,
            (self.bytes, Some(self.size)),
        )
    }
}

/// The file at `path` ready for this reader, or `None` when it is not a regular CSV file
/// whose first line is a plain header, or when the columns need a row's id or name and the
/// file has no `id` column (rows are then named by their number).
pub(crate) fn open<'r>(
    rubric: &'r Rubric,
    path: &Path,
    args: &InputArgs,
    fields: &Fields,
) -> Option<Plain<'r>> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let tab = matches!(extension.as_str(), "tsv" | "tab");
    let csv = match args.input_format {
        InputFormat::Csv => true,
        InputFormat::Auto => tab || extension == "csv",
        InputFormat::Json | InputFormat::Ndjson => false,
    };
    if !csv || path.as_os_str() == "-" {
        return None;
    }
    // The path's kind before opening it: opening a FIFO and dropping it would close the
    // only read end (the writer gets SIGPIPE, or the general reader waits for a writer
    // that is gone).
    let size = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)?
        .len();
    let mut file = File::open(path).ok()?;
    let mut first = vec![0u8; CHUNK];
    let filled = read_full(&mut file, &mut first).ok()?;
    let bytes = first.get(..filled)?;
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let end = bom + memchr::memchr(b'\n', bytes.get(bom..)?)? + 1;
    let header = bytes.get(bom..end)?;
    let text = header.strip_suffix(b"\n")?;
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    if text.is_empty() || text.iter().any(|&b| b == b'"' || b == b'\r') {
        return None;
    }
    let delimiter = args.delimiter.or_else(|| tab.then_some(b'\t'));
    let layout = CsvInitiatives::new(rubric, header, delimiter, args.decimal, &args.ignore)
        .ok()?
        .layout()
        .clone();
    if fields.names_a_row() && !layout.columns().contains(&Column::Id) {
        return None;
    }
    first.copy_within(end..filled, 0);
    Some(Plain {
        path: path.to_owned(),
        file,
        size,
        layout,
        first,
        filled: filled - end,
        offset: end as u64,
    })
}

/// Read `buf` full, or to the end of the file.
fn read_full(file: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..).filter(|r| !r.is_empty()) {
        match file.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Whether the general reader reads every line of `chunk` as this one does: no quote, a
/// carriage return only before a line break, valid UTF-8.
fn is_plain(chunk: &[u8]) -> bool {
    // One pass for both: a quote fails, a carriage return must end its line.
    memchr::memchr2_iter(b'"', b'\r', chunk)
        .all(|k| chunk.get(k) == Some(&b'\r') && chunk.get(k + 1) == Some(&b'\n'))
        && std::str::from_utf8(chunk).is_ok()
}

/// A chunk of whole lines, numbered in reading order.
struct Chunk {
    seq: usize,
    buf: Vec<u8>,
}

/// A row left to the explained path: where its line goes in the output, where it is.
struct Deferred {
    at: usize,
    /// Line breaks before it in its chunk, and records before it.
    line: u64,
    number: usize,
    text: std::ops::Range<usize>,
}

/// What a worker made of a chunk.
struct Done {
    seq: usize,
    chunk: Vec<u8>,
    text: Vec<u8>,
    deferred: Vec<Deferred>,
    /// Rows written into `text`, records and line breaks in the chunk.
    written: usize,
    records: usize,
    lines: u64,
    /// The worker failed on this chunk (its rows are not written).
    failed: bool,
}

impl Done {
    fn new(seq: usize, text: Vec<u8>) -> Self {
        Self {
            seq,
            chunk: Vec::new(),
            text,
            deferred: Vec::new(),
            written: 0,
            records: 0,
            lines: 0,
            failed: false,
        }
    }
}

/// How the reader ended.
enum End {
    /// The end of the file.
    Done,
    /// A chunk this reader does not read (from its first line), or a read error: the rest
    /// goes to the general reader.
    Rest(Vec<u8>),
}

/// Score the file on `threads` workers, writing its lines to `out` in order; `None` when
/// the whole file was read, else the rest for the general reader. An error writing the
/// output.
pub(crate) fn score<'r>(
    ctx: &Ctx<'r>,
    plain: Plain<'r>,
    args: &InputArgs,
    threads: usize,
    out: &mut impl std::io::Write,
    report: &mut Report<'_>,
) -> std::io::Result<Option<Rest<'r>>> {
    let Plain {
        path,
        mut file,
        size,
        layout,
        first,
        filled,
        offset,
    } = plain;
    let parser = Parser::for_csv(layout.clone(), args);
    let bytes = Arc::new(AtomicU64::new(offset));
    let stop = AtomicBool::new(false);
    let workers = threads.max(1);
    let (work_tx, work_rx) = sync_channel::<Chunk>(workers);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = sync_channel::<Done>(workers * 2);
    // Buffers go round: the reader's chunks and the workers' output, back from the writer.
    let (free_tx, free_rx) = channel::<Vec<u8>>();
    // The reader takes a buffer from these for each chunk and waits when none is free, so
    // memory stays flat however far one worker falls behind.
    for _ in 0..2 * workers + 2 {
        let _ = free_tx.send(Vec::new());
    }
    let (text_tx, text_rx) = channel::<Vec<u8>>();
    let text_rx = Mutex::new(text_rx);
    let roles = roles(&layout, ctx.rubric);
    // The header is line 1.
    let (mut line, mut rows) = (2u64, 0usize);
    let mut failure = None;
    let end = std::thread::scope(|s| {
        for _ in 0..workers {
            let (work_rx, text_rx, done_tx) = (&work_rx, &text_rx, done_tx.clone());
            let (layout, roles, stop) = (&layout, &roles, &stop);
            s.spawn(move || {
                let mut w = Worker::new(ctx, layout, roles);
                loop {
                    let next = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok(chunk)) = next else { break };
                    if stop.load(Ordering::Relaxed) {
                        // The output failed: the chunk's buffer goes back unread, so that
                        // the reader, waiting for a free one, gets it and stops.
                        let done = Done {
                            chunk: chunk.buf,
                            ..Done::new(chunk.seq, Vec::new())
                        };
                        if done_tx.send(done).is_err() {
                            break;
                        }
                        continue;
                    }
                    let text = text_rx
                        .lock()
                        .ok()
                        .and_then(|rx| rx.try_recv().ok())
                        .unwrap_or_default();
                    let seq = chunk.seq;
                    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        w.chunk(chunk, text)
                    }))
                    .unwrap_or_else(|_| {
                        // Not reached (nothing here panics on input): the chunk is reported,
                        // and the others are still written.
                        w = Worker::new(ctx, layout, roles);
                        Done {
                            failed: true,
                            ..Done::new(seq, Vec::new())
                        }
                    });
                    if done_tx.send(done).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let reader = {
            let (file, bytes, stop) = (&mut file, Arc::clone(&bytes), &stop);
            s.spawn(move || read_chunks(file, (first, filled), &work_tx, &free_rx, &bytes, stop))
        };
        // This thread writes, in order.
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for done in done_rx {
            waiting.insert(done.seq, done);
            while let Some(done) = waiting.remove(&next) {
                next += 1;
                if done.failed {
                    report.bad(&format!(
                        "{}: internal error while scoring a block",
                        path.display()
                    ));
                } else if failure.is_none()
                    && let Err(e) =
                        write_done(ctx, &parser, &path, &done, (line, rows), out, report)
                {
                    failure = Some(e);
                    stop.store(true, Ordering::Relaxed);
                }
                line += done.lines;
                rows += done.records;
                report.rows += done.records as u64;
                report.at(bytes.load(Ordering::Relaxed));
                let _ = free_tx.send(done.chunk);
                let _ = text_tx.send(done.text);
            }
        }
        reader.join().unwrap_or(End::Rest(Vec::new()))
    });
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(match end {
        End::Done => None,
        End::Rest(rest) => {
            // Where the rest starts, for the progress bar.
            let at = bytes
                .load(Ordering::Relaxed)
                .saturating_sub(rest.len() as u64);
            bytes.store(at, Ordering::Relaxed);
            Some(Rest {
                layout,
                input: Box::new(Cursor::new(rest).chain(file)),
                line,
                rows,
                bytes,
                size,
            })
        }
    })
}

/// The reader: chunks of whole lines to the workers until the end of the file or a chunk
/// that is not plain (then its bytes, from its first line, are returned).
fn read_chunks(
    file: &mut File,
    (mut buf, mut filled): (Vec<u8>, usize),
    work: &SyncSender<Chunk>,
    free: &Receiver<Vec<u8>>,
    bytes: &AtomicU64,
    stop: &AtomicBool,
) -> End {
    let mut seq = 0;
    loop {
        if stop.load(Ordering::Relaxed) {
            return End::Done;
        }
        buf.resize(CHUNK, 0);
        let before = filled;
        match read_full(file, buf.get_mut(filled..).unwrap_or(&mut [])) {
            Ok(n) => filled += n,
            Err(_) => {
                // The general reader reads on and reports the error as it does.
                buf.truncate(filled);
                return End::Rest(buf);
            }
        }
        bytes.fetch_add((filled - before) as u64, Ordering::Relaxed);
        if filled == 0 {
            return End::Done;
        }
        let at_end = filled < CHUNK;
        let end = if at_end {
            filled
        } else {
            match memchr::memrchr(b'\n', buf.get(..filled).unwrap_or(&[])) {
                Some(k) => k + 1,
                None => {
                    buf.truncate(filled);
                    return End::Rest(buf); // a line longer than a chunk
                }
            }
        };
        if !is_plain(buf.get(..end).unwrap_or(&[])) {
            buf.truncate(filled);
            return End::Rest(buf);
        }
        let Ok(mut next) = free.recv() else {
            return End::Done;
        };
        next.clear();
        next.extend_from_slice(buf.get(end..filled).unwrap_or(&[]));
        filled -= end;
        buf.truncate(end);
        if at_end && buf.last() != Some(&b'\n') {
            buf.push(b'\n'); // the last line, without its line break
        }
        if work.send(Chunk { seq, buf }).is_err() {
            return End::Done;
        }
        seq += 1;
        buf = next;
        if at_end && filled == 0 {
            return End::Done;
        }
    }
}

/// Write a chunk's lines, and in their places the deferred rows through the explained
/// path; `(line, rows)`: the chunk's first line and the records before it.
fn write_done(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    path: &Path,
    done: &Done,
    (line, rows): (u64, usize),
    out: &mut impl std::io::Write,
    report: &mut Report<'_>,
) -> std::io::Result<()> {
    if done.deferred.is_empty() {
        out.write_all(&done.text)?;
        report.written += done.written;
        return Ok(());
    }
    // As the general path: the chunk's lines in one write, then the messages of its bad
    // rows (none printed when the output cannot be written).
    let delimiter = parser.csv().map_or(b',', |l| l.dialect().delimiter);
    let mut lines = Vec::with_capacity(done.text.len() + 64 * done.deferred.len());
    let (mut at, mut written, mut bad) = (0, done.written, Vec::new());
    for d in &done.deferred {
        lines.extend_from_slice(done.text.get(at..d.at).unwrap_or(&[]));
        at = d.at;
        let text = done.chunk.get(d.text.clone()).unwrap_or(&[]);
        let text = std::str::from_utf8(text).unwrap_or("");
        let mut record = csv::StringRecord::new();
        for cell in text.split(char::from(delimiter)) {
            record.push_field(cell);
        }
        let row = CsvRow {
            number: rows + d.number + 1,
            line: line + d.line,
            record,
        };
        match explained(ctx, parser, path, &Raw::Row(row)) {
            Ok(line) => {
                lines.extend_from_slice(line.as_bytes());
                written += 1;
            }
            Err(msg) => bad.push(msg),
        }
    }
    lines.extend_from_slice(done.text.get(at..).unwrap_or(&[]));
    out.write_all(&lines)?;
    report.written += written;
    for msg in &bad {
        report.bad(msg);
    }
    Ok(())
}

/// How a column's cells are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Id,
    Name,
    /// A number criterion (by index): the fast path, else `encode_cell`.
    Number(usize),
    /// Another criterion (a category, yes/no): `encode_cell`, remembered.
    Other(usize),
    /// Not a criterion: a row with a value there goes to the explained path.
    Unknown,
    /// Ignored, or a description.
    Skip,
}

fn roles(layout: &CsvLayout<'_>, rubric: &Rubric) -> Vec<Role> {
    layout
        .columns()
        .iter()
        .map(|c| match c {
            Column::Id => Role::Id,
            Column::Name => Role::Name,
            Column::Criterion(i) => match rubric.criteria().get(*i).map(|c| c.kind()) {
                Some(InputKind::Number | InputKind::Likert { .. }) => Role::Number(*i),
                _ => Role::Other(*i),
            },
            Column::Unknown(_) => Role::Unknown,
            Column::Ignored | Column::Description => Role::Skip,
        })
        .collect()
}

/// A short text's first 16 bytes (zeros after it) and its length.
type Key = (u64, u64, usize);

/// Bytes of a chunk.
type Span = std::ops::Range<usize>;

/// How a line was read: blank (skipped), or a row with its text (without the line break)
/// and, when it is scored here, its id and name cells (when the file has those columns).
enum Lined {
    Blank,
    Row {
        text: Span,
        cells: Option<(Option<Span>, Option<Span>)>,
    },
}

/// One row of a block, in order: its text, line breaks and records before it in the chunk,
/// and its id and name cells when it is scored here (`None`: the explained path's).
struct Out {
    text: Span,
    line: u64,
    number: usize,
    cells: Option<(Option<Span>, Option<Span>)>,
}

/// A worker's buffers, kept from chunk to chunk.
struct Worker<'a, 'r> {
    ctx: &'a Ctx<'r>,
    layout: &'a CsvLayout<'r>,
    roles: &'a [Role],
    delimiter: u8,
    width: usize,
    /// The block's rows scored here, row-major, a column per criterion.
    data: Vec<f64>,
    totals: Vec<f64>,
    /// Rows of `data` the scorer refused (their error is the explained path's to report).
    refused: Vec<bool>,
    rows: Vec<Out>,
    keys: Vec<Vec<(Key, f64)>>,
    repeats: Repeats,
    /// Whether the band is written.
    band: bool,
}

impl<'a, 'r> Worker<'a, 'r> {
    fn new(ctx: &'a Ctx<'r>, layout: &'a CsvLayout<'r>, roles: &'a [Role]) -> Self {
        Self {
            ctx,
            layout,
            roles,
            delimiter: layout.dialect().delimiter,
            width: ctx.batch.columns(),
            data: Vec::new(),
            totals: Vec::new(),
            refused: Vec::new(),
            rows: Vec::new(),
            keys: vec![Vec::new(); roles.len()],
            repeats: Repeats::default(),
            band: ctx.fields.as_ref().is_some_and(Fields::has_band),
        }
    }

    /// Read, score and write the lines of a chunk (whole lines of valid UTF-8, see
    /// [`is_plain`]).
    fn chunk(&mut self, chunk: Chunk, mut text: Vec<u8>) -> Done {
        text.clear();
        let mut done = Done::new(chunk.seq, text);
        let buf = chunk.buf;
        let Ok(s) = std::str::from_utf8(&buf) else {
            // Not reached: the reader sends only valid UTF-8.
            done.chunk = buf;
            return done;
        };
        let mut p = 0;
        while p < buf.len() {
            self.rows.clear();
            // NaN (missing) for the criteria the file has no column for, once: every row
            // scored here sets every column the file has.
            self.data.resize(ROWS * self.width, f64::NAN);
            let mut scored = 0;
            while self.rows.len() < ROWS && p < buf.len() {
                let (next, lined) = self.line(s, p, scored);
                p = next;
                let (line, number) = (done.lines, done.records);
                done.lines += 1;
                let Lined::Row { text, cells } = lined else {
                    continue;
                };
                scored += usize::from(cells.is_some());
                self.rows.push(Out {
                    text,
                    line,
                    number,
                    cells,
                });
                done.records += 1;
            }
            self.score(scored);
            self.write(s, &mut done);
        }
        done.chunk = buf;
        done
    }

    /// Totals of the block's scored rows; a row the scorer refuses is marked for the
    /// explained path and the rows after it are scored again.
    fn score(&mut self, scored: usize) {
        self.totals.clear();
        self.totals.resize(scored, f64::NAN);
        self.refused.clear();
        self.refused.resize(scored, false);
        let mut from = 0;
        while from < scored {
            let data = self
                .data
                .get(from * self.width..scored * self.width)
                .unwrap_or(&[]);
            let totals = self.totals.get_mut(from..).unwrap_or(&mut []);
            match self.ctx.batch.totals(data, totals) {
                Ok(()) => break,
                Err(e) => {
                    let Some(bad) = crate::score::bad_row(e.path()).map(|r| from + r) else {
                        // An error that names no row: every row from here is explained.
                        for r in self.refused.get_mut(from..).unwrap_or(&mut []) {
                            *r = true;
                        }
                        break;
                    };
                    if let Some(r) = self.refused.get_mut(bad) {
                        *r = true;
                    }
                    from = bad + 1;
                }
            }
        }
    }

    /// The block's lines into `done.text`, each deferred row marked in its place.
    fn write(&mut self, s: &str, done: &mut Done) {
        let mut k = 0;
        let rows = std::mem::take(&mut self.rows);
        for row in &rows {
            let scored = row.cells.as_ref().filter(|_| {
                let refused = self.refused.get(k).copied().unwrap_or(true);
                k += 1;
                !refused
            });
            let Some((id, name)) = scored else {
                done.deferred.push(Deferred {
                    at: done.text.len(),
                    line: row.line,
                    number: row.number,
                    text: row.text.clone(),
                });
                continue;
            };
            let total = self.totals.get(k - 1).copied().unwrap_or(f64::NAN);
            let line = Line {
                total,
                band: if self.band {
                    self.ctx.rubric.band_for(total).map_or("", |b| b.id())
                } else {
                    ""
                },
                low: total,
                high: total,
                knocked_out: false,
                points: &[],
            };
            let cell = |c: &Option<Span>| c.clone().map(|c| trim(s.get(c).unwrap_or("")));
            let id = cell(id).unwrap_or("");
            let name = cell(name).unwrap_or(id);
            done.written += 1;
            self.line_out(&mut done.text, id, name, &line);
        }
        self.rows = rows;
    }

    fn line_out(&mut self, out: &mut Vec<u8>, id: &str, name: &str, line: &Line<'_>) {
        let Some(fields) = &self.ctx.fields else {
            return;
        };
        match self.ctx.format {
            Format::Ndjson => fields.ndjson_line(
                out,
                &mut self.repeats,
                &self.ctx.json_keys,
                push_json_str,
                id,
                name,
                line,
            ),
            _ => fields.csv_line(out, &mut self.repeats, id, name, line),
        }
    }
}

impl Worker<'_, '_> {
    /// Read the line at `p` into row `r` of the block; where the next line starts, and how
    /// it was read.
    fn line(&mut self, s: &str, p: usize, r: usize) -> (usize, Lined) {
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
            let put = |data: &mut Vec<f64>, i: usize, x: f64| {
                if let Some(slot) = data.get_mut(r * self.width + i) {
                    *slot = x;
                }
            };
            match *role {
                Role::Number(i) => {
                    if let Some((x, end)) = number(buf, q, delimiter) {
                        put(&mut self.data, i, x);
                        q = end;
                        continue;
                    }
                    q = cell_end(buf, q, delimiter);
                    match point(self.layout, i, s.get(start..q).unwrap_or("")) {
                        Some(x) => put(&mut self.data, i, x),
                        None => scored = false,
                    }
                }
                Role::Other(i) => {
                    q = cell_end(buf, q, delimiter);
                    let key = short_key(buf, start, q);
                    let keys = self.keys.get_mut(k);
                    let known = key.and_then(|key| {
                        keys.as_ref()?
                            .iter()
                            .find(|(x, _)| *x == key)
                            .map(|(_, v)| *v)
                    });
                    let x = known.or_else(|| {
                        let x = point(self.layout, i, s.get(start..q).unwrap_or(""))?;
                        if let (Some(key), Some(keys)) = (key, keys)
                            && keys.len() < KEYS
                        {
                            keys.push((key, x));
                        }
                        Some(x)
                    });
                    match x {
                        Some(x) => put(&mut self.data, i, x),
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

/// A cell of criterion `i` read by the engine's rules, when it is a point (or missing):
/// `None` for a range or a value that does not encode.
fn point(layout: &CsvLayout<'_>, i: usize, cell: &str) -> Option<f64> {
    let (lo, hi) = layout.encode_cell(i, cell)?;
    (lo.to_bits() == hi.to_bits() || (lo.is_nan() && hi.is_nan())).then_some(lo)
}

/// Eight bytes at `p`, the first in the lowest byte, when there are eight.
#[inline]
fn word(buf: &[u8], p: usize) -> Option<u64> {
    let b: [u8; 8] = buf.get(p..p + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// The digits at `p` (up to 7 before something else): how many, and their value; no
/// branch per digit. `None` for 8 digits or fewer than 8 bytes left.
#[inline]
fn digits(buf: &[u8], p: usize) -> Option<(usize, u64)> {
    let a = word(buf, p)? ^ (ONES * u64::from(b'0'));
    // A byte is not a digit when its high nibble is set in `a`, or adding 6 carries into
    // it; bytes after the first non-digit may be flagged wrongly, which is never read.
    let not_digit = (a | a.wrapping_add(ONES * 6)) & (ONES * 0xF0);
    let n = (not_digit.trailing_zeros() / 8) as usize;
    match n {
        0 => Some((0, 0)),
        8.. => None,
        _ => {
            // The digits moved to the top bytes (zeros before them), then combined in
            // pairs, fours and eights (the first digit is the most significant).
            let v = a << (8 * (8 - n));
            let v = v.wrapping_mul(10).wrapping_add(v >> 8);
            let v = ((v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32)))
                .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
                >> 32;
            Some((n, v))
        }
    }
}

/// Whether `b` ends a cell: the delimiter, a line break, or the carriage return before one.
#[inline]
fn ends_cell(b: u8, delimiter: u8) -> bool {
    b == delimiter || b == b'\n' || b == b'\r'
}

/// A number cell at `p` read without a branch per digit: digits, or digits, a point and
/// digits (each at most 7), then the cell's end; `NaN` for an empty cell. Its value and
/// where it ends; `None` for anything else (read by `encode_cell`). The value is the
/// engine's short decimal: the digits as an integer below 10^15, exact in an f64, divided
/// by a power of ten (exact too), which IEEE division rounds as `str::parse` does.
#[inline]
fn number(buf: &[u8], p: usize, delimiter: u8) -> Option<(f64, usize)> {
    let (n, whole) = digits(buf, p)?;
    let end = p + n;
    let b = *buf.get(end)?;
    if ends_cell(b, delimiter) {
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)]
        return Some((
            if n == 0 {
                f64::NAN
            } else {
                whole as i64 as f64
            },
            end,
        ));
    }
    if b != b'.' || n == 0 {
        return None;
    }
    let (k, fraction) = digits(buf, end + 1)?;
    let last = end + 1 + k;
    if k == 0 || !ends_cell(*buf.get(last)?, delimiter) {
        return None;
    }
    let scale = 10u64.pow(u32::try_from(k).ok()?);
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_wrap)]
    let m = (whole * scale + fraction) as i64 as f64;
    Some((m / POW10.get(k)?, last))
}

/// A text of at most 16 bytes as a key.
#[inline]
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

/// The end of the cell at `p`: the next delimiter or line break (before a carriage return
/// that ends the line), found 8 bytes at a time.
#[inline]
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

    #[test]
    fn only_plain_chunks_are_read_here() {
        assert!(is_plain(b"a,1\r\nb,2\n\r\n"));
        assert!(!is_plain(b"a,\"1\"\n"));
        assert!(!is_plain(b"a,1\rb,2\n"));
        assert!(!is_plain(b"a,\xff\n"));
    }
}
