//! `score`'s fast reader of plain CSV lines, for outputs that need only a total per row
//! (`--columns` among id, name, total and band): the file read in chunks of 1 MiB (its
//! last few in quarters, so that the workers finish together) by one thread; on every
//! core a chunk's lines encoded by core's
//! [`PlainLines`](civic_value::csv_plain::PlainLines) (the domain rules of a plain line:
//! cells, numbers, ids, which rows the general path must read), the rows scored 256 at a
//! time by `BatchScorer::totals` and their lines written into the chunk's own buffer;
//! chunks are written in input order.
//!
//! Only what the general reader would read the same way is read here: a regular file whose
//! header is a plain line, and chunks core calls plain (`is_plain`). At the first chunk
//! that is not, the rest of the file (from that chunk's first line) goes to the general
//! reader, resumed at that line and row number, so rows, messages and exit status are
//! those of the general path. A row core does not encode, or the scorer refuses, goes, in
//! its place, through the explained path, which scores or reports it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use civic_value::Rubric;
use civic_value::csv_plain::{PlainAt, PlainLines, PlainRow, plain_text};
use civic_value::stream::{Column, CsvInitiatives, CsvLayout};

use crate::columns::Fields;
use crate::load::{InputArgs, InputFormat, Parser, Raw, Stream};
use crate::score::{Ctx, Format, Report, explained, push_json_str};
use crate::text::{Line, NumberText, Repeats, number_text, push_number};

/// Bytes read at a time (a line longer than this, or than a quarter of it in the file's
/// last chunks, goes to the general reader).
const CHUNK: usize = 1 << 20;
/// Rows scored together.
const ROWS: usize = 256;

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

/// A chunk of whole lines, numbered in reading order.
struct Chunk {
    seq: usize,
    /// Its lines, checked plain by the reader (their UTF-8 checked there, once).
    text: String,
}

/// A row left to the explained path: where its line goes in the output, and the row.
struct Deferred {
    at: usize,
    row: PlainRow,
}

/// What a worker made of a chunk.
struct Done {
    seq: usize,
    chunk: Vec<u8>,
    text: Vec<u8>,
    /// The chunk's second half's lines, written after `text` (empty when a row of that
    /// half is deferred: its lines are then in `text`).
    tail: Vec<u8>,
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
            tail: Vec::new(),
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

/// Why the fast reader stopped the run.
pub(crate) enum Stopped {
    /// The output could not be written.
    Write(std::io::Error),
    /// A worker or the reader panicked (not reached: nothing here panics on input); the
    /// run ends with this message rather than go on at a wrong line.
    Internal(String),
}

/// Score the file on `threads` workers, writing its lines to `out` in order; `None` when
/// the whole file was read, else the rest for the general reader.
///
/// # Errors
/// [`Stopped`]: a write error, or an internal error (the lines before it are written).
pub(crate) fn score<'r>(
    ctx: &Ctx<'r>,
    plain: Plain<'r>,
    args: &InputArgs,
    threads: usize,
    out: &mut impl std::io::Write,
    report: &mut Report<'_>,
) -> Result<Option<Rest<'r>>, Stopped> {
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
    // Bytes read from the file: the header and the first chunk's bytes (read by `open`).
    let bytes = Arc::new(AtomicU64::new(offset + filled as u64));
    let stop = AtomicBool::new(false);
    let workers = threads.max(1);
    let (work_tx, work_rx) = sync_channel::<Chunk>(workers);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = sync_channel::<Done>(workers * 2);
    // Buffers go round: the reader's chunks and the workers' output, back from the writer.
    let (free_tx, free_rx) = channel::<Vec<u8>>();
    // The reader takes a buffer from these for each chunk and waits when none is free, so
    // memory stays flat however far one worker falls behind. Each is a chunk's length of
    // zeros from the allocator (fresh pages, not written here): the reader then never
    // grows one, so never zeroes one (it was ≈ 1 M instructions of `memset` per buffer).
    for _ in 0..2 * workers + 2 {
        let _ = free_tx.send(vec![0u8; CHUNK]);
    }
    let (text_tx, text_rx) = channel::<Vec<u8>>();
    let text_rx = Mutex::new(text_rx);
    // The header is line 1.
    let (mut line, mut rows) = (2u64, 0usize);
    let mut failure = None;
    let end = std::thread::scope(|s| {
        for _ in 0..workers {
            let (work_rx, text_rx, done_tx) = (&work_rx, &text_rx, done_tx.clone());
            let (layout, stop) = (&layout, &stop);
            s.spawn(move || {
                let mut w = Worker::new(ctx, layout);
                loop {
                    let next = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok(chunk)) = next else { break };
                    if stop.load(Ordering::Relaxed) {
                        // The output failed: the chunk's buffer goes back unread, so that
                        // the reader, waiting for a free one, gets it and stops.
                        let done = Done {
                            chunk: chunk.text.into_bytes(),
                            ..Done::new(chunk.seq, Vec::new())
                        };
                        if done_tx.send(done).is_err() {
                            break;
                        }
                        continue;
                    }
                    // Room for a chunk's length of output (usually more than its lines
                    // need), so they are rarely grown by copying.
                    let buffer = || {
                        text_rx
                            .lock()
                            .ok()
                            .and_then(|rx| rx.try_recv().ok())
                            .unwrap_or_else(|| Vec::with_capacity(CHUNK))
                    };
                    let (text, tail) = (buffer(), buffer());
                    let seq = chunk.seq;
                    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        #[cfg(debug_assertions)]
                        injected_panic(seq);
                        w.chunk(chunk, text, tail)
                    }))
                    .unwrap_or_else(|_| {
                        // Not reached (nothing here panics on input): the run stops at this
                        // chunk with an internal error.
                        w = Worker::new(ctx, layout);
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
            s.spawn(move || {
                // The last two chunks of each worker read in quarters.
                let tail = (2 * workers * CHUNK) as u64;
                read_chunks(
                    file,
                    (first, filled),
                    &work_tx,
                    &free_rx,
                    &bytes,
                    (size, tail),
                    stop,
                )
            })
        };
        // This thread writes, in order.
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        for done in done_rx {
            waiting.insert(done.seq, done);
            while let Some(done) = waiting.remove(&next) {
                next += 1;
                if failure.is_some() {
                    // Stopped: what is still on its way is not written.
                } else if done.failed {
                    failure = Some(Stopped::Internal(format!(
                        "{}: internal error while scoring the rows from line {line}",
                        path.display()
                    )));
                    stop.store(true, Ordering::Relaxed);
                } else if let Err(e) =
                    write_done(ctx, &parser, &path, &done, (line, rows), out, report)
                {
                    failure = Some(Stopped::Write(e));
                    stop.store(true, Ordering::Relaxed);
                }
                line += done.lines;
                rows += done.records;
                report.rows += done.records as u64;
                report.at(bytes.load(Ordering::Relaxed));
                let _ = free_tx.send(done.chunk);
                let _ = text_tx.send(done.text);
                let _ = text_tx.send(done.tail);
            }
        }
        reader.join().unwrap_or_else(|_| {
            // Not reached: where the reader was is unknown, so nothing is resumed.
            if failure.is_none() {
                failure = Some(Stopped::Internal(format!(
                    "{}: internal error while reading",
                    path.display()
                )));
            }
            End::Done
        })
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

/// A panic in the worker scoring chunk `seq` when `CIVIC_VALUE_TEST_PANIC_AT_CHUNK` is
/// `seq`: in debug builds only (the tests'), to check a panic stops the run.
#[cfg(debug_assertions)]
#[allow(clippy::panic)]
fn injected_panic(seq: usize) {
    let at = std::env::var("CIVIC_VALUE_TEST_PANIC_AT_CHUNK").ok();
    if at.and_then(|v| v.parse().ok()) == Some(seq) {
        panic!("injected panic at chunk {seq}");
    }
}

/// The reader: chunks of whole lines to the workers until the end of the file or a chunk
/// that is not plain (then its bytes, from its first line, are returned).
fn read_chunks(
    file: &mut File,
    (mut buf, mut filled): (Vec<u8>, usize),
    work: &SyncSender<Chunk>,
    free: &Receiver<Vec<u8>>,
    bytes: &AtomicU64,
    (size, tail): (u64, u64),
    stop: &AtomicBool,
) -> End {
    let mut seq = 0;
    loop {
        if stop.load(Ordering::Relaxed) {
            return End::Done;
        }
        buf.resize(CHUNK, 0);
        // The file's last `tail` bytes in quarter chunks: the workers' last chunks end
        // closer together (a worker idles while the other finishes a chunk).
        let left = size.saturating_sub(bytes.load(Ordering::Relaxed));
        let want = if left < tail && filled < CHUNK / 8 {
            CHUNK / 4
        } else {
            CHUNK
        };
        let before = filled;
        match read_full(file, buf.get_mut(filled..want).unwrap_or(&mut [])) {
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
        let at_end = filled < want;
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
        let Ok(mut next) = free.recv() else {
            return End::Done;
        };
        // The bytes after the chunk's last line start the next one. The buffer keeps its
        // length (a chunk's, the length of the read), so it is not zeroed again before
        // being read into.
        next.resize(CHUNK, 0);
        let tail = filled - end;
        if let (Some(to), Some(from)) = (next.get_mut(..tail), buf.get(end..filled)) {
            to.copy_from_slice(from);
        }
        buf.truncate(end);
        let mut text = match plain_text(buf) {
            Ok(text) => text,
            Err(mut buf) => {
                // Its bytes and the rest of the read, for the general reader.
                buf.extend_from_slice(next.get(..tail).unwrap_or(&[]));
                return End::Rest(buf);
            }
        };
        filled = tail;
        if at_end && !text.ends_with('\n') {
            text.push('\n'); // the last line, without its line break
        }
        if work.send(Chunk { seq, text }).is_err() {
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
        out.write_all(&done.tail)?;
        report.written += done.written;
        return Ok(());
    }
    // As the general path: the chunk's lines in one write, then the messages of its bad
    // rows (none printed when the output cannot be written).
    let Some(layout) = parser.csv() else {
        return Ok(()); // not reached: the parser of a CSV file
    };
    let mut lines = Vec::with_capacity(done.text.len() + 64 * done.deferred.len());
    let (mut at, mut written, mut bad) = (0, done.written, Vec::new());
    for d in &done.deferred {
        lines.extend_from_slice(done.text.get(at..d.at).unwrap_or(&[]));
        at = d.at;
        let text = done.chunk.get(d.row.text.clone()).unwrap_or(&[]);
        let text = std::str::from_utf8(text).unwrap_or("");
        let row = layout.plain_row(text, rows + d.row.number + 1, line + d.row.line);
        match explained(ctx, parser, path, &Raw::Row(row)) {
            Ok(line) => {
                lines.extend_from_slice(line.as_bytes());
                written += 1;
            }
            Err(msg) => bad.push(msg),
        }
    }
    lines.extend_from_slice(done.text.get(at..).unwrap_or(&[]));
    lines.extend_from_slice(&done.tail);
    out.write_all(&lines)?;
    report.written += written;
    for msg in &bad {
        report.bad(msg);
    }
    Ok(())
}

/// A worker's buffers, kept from chunk to chunk.
struct Worker<'a, 'r> {
    ctx: &'a Ctx<'r>,
    lines: PlainLines<'a, 'r>,
    width: usize,
    /// The block's encoded rows, row-major, a column per criterion.
    data: Vec<f64>,
    /// The second half's block (a chunk's two halves are read together).
    data_b: Vec<f64>,
    rows_b: Vec<PlainRow>,
    totals: Vec<f64>,
    /// Rows of `data` the scorer refused (their error is the explained path's to report).
    refused: Vec<bool>,
    rows: Vec<PlainRow>,
    repeats: Repeats,
    /// Room for the texts of a block's totals.
    room: Vec<NumberText>,
    /// Whether the band is written.
    band: bool,
    /// Whether the lines are `id,total` in CSV from a comma-separated file: written
    /// directly (an id cell of a plain line of such a file holds no comma, quote or line
    /// break, so it is never quoted).
    id_total: bool,
}

impl<'a, 'r> Worker<'a, 'r> {
    fn new(ctx: &'a Ctx<'r>, layout: &'a CsvLayout<'r>) -> Self {
        let width = ctx.batch.columns();
        Self {
            ctx,
            lines: PlainLines::new(layout, width),
            width,
            data: Vec::new(),
            data_b: Vec::new(),
            rows_b: Vec::new(),
            totals: Vec::new(),
            refused: Vec::new(),
            rows: Vec::new(),
            repeats: Repeats::default(),
            room: Vec::new(),
            band: ctx.fields.as_ref().is_some_and(Fields::has_band),
            id_total: ctx.format == Format::Csv
                && layout.dialect().delimiter == b','
                && ctx.fields.as_ref().is_some_and(Fields::is_id_total),
        }
    }

    /// Read (core's [`PlainLines`]), score and write the lines of a chunk (whole lines of
    /// valid UTF-8, see [`is_plain`](civic_value::csv_plain::is_plain), checked by the reader):
    /// its two halves (split at a line start) read together while both have lines, the
    /// second half's lines written after the first's.
    fn chunk(&mut self, chunk: Chunk, mut text: Vec<u8>, mut tail: Vec<u8>) -> Done {
        text.clear();
        tail.clear();
        let mut done = Done::new(chunk.seq, text);
        let s = chunk.text.as_str();
        let half = s.len() / 2;
        let mid = memchr::memchr(b'\n', s.as_bytes().get(half..).unwrap_or(&[]))
            .map_or(s.len(), |k| half + k + 1);
        let mut second = Done::new(chunk.seq, tail);
        let mut a = PlainAt::default();
        let mut b = PlainAt {
            byte: mid,
            ..PlainAt::default()
        };
        while a.byte < mid && b.byte < s.len() {
            let (ea, eb) = self.lines.encode_two(
                s,
                (&mut a, mid),
                &mut b,
                ROWS,
                (&mut self.data, &mut self.rows),
                (&mut self.data_b, &mut self.rows_b),
            );
            self.score(ea);
            self.write(s, &mut done);
            self.swap_halves();
            self.score(eb);
            self.write(s, &mut second);
            self.swap_halves();
        }
        // What is left of either half, alone.
        let first = s.get(..mid).unwrap_or("");
        while a.byte < first.len() {
            let encoded = self
                .lines
                .encode(first, &mut a, ROWS, &mut self.data, &mut self.rows);
            self.score(encoded);
            self.write(s, &mut done);
        }
        while b.byte < s.len() {
            let encoded = self
                .lines
                .encode(s, &mut b, ROWS, &mut self.data, &mut self.rows);
            self.score(encoded);
            self.write(s, &mut second);
        }
        // The second half after the first: written after it, or, when a row of it is
        // deferred, its lines after the first's with its deferred rows' places, lines and
        // numbers moved on.
        if !second.deferred.is_empty() {
            for d in &mut second.deferred {
                d.at += done.text.len();
                d.row.line += a.lines;
                d.row.number += a.rows;
            }
            done.text.extend_from_slice(&second.text);
            done.deferred.append(&mut second.deferred);
            second.text.clear();
        }
        done.tail = second.text;
        done.written += second.written;
        done.lines = a.lines + b.lines;
        done.records = a.rows + b.rows;
        done.chunk = chunk.text.into_bytes();
        done
    }

    /// The second half's block in the place of the first's (and back).
    fn swap_halves(&mut self) {
        std::mem::swap(&mut self.data, &mut self.data_b);
        std::mem::swap(&mut self.rows, &mut self.rows_b);
    }

    /// Totals of the block's encoded rows; a row the scorer refuses is marked for the
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
        // `id,total` lines: the totals' texts first, then the lines (see `NumberText`).
        let mut room = std::mem::take(&mut self.room);
        let texts: Vec<&[u8]> = if self.id_total {
            if room.len() < self.totals.len() {
                room.resize_with(self.totals.len(), NumberText::default);
            }
            room.iter_mut()
                .zip(&self.totals)
                .map(|(r, &x)| number_text(x, r))
                .collect()
        } else {
            Vec::new()
        };
        for row in &rows {
            let scored = row.encoded && {
                let refused = self.refused.get(k).copied().unwrap_or(true);
                k += 1;
                !refused
            };
            if !scored {
                done.deferred.push(Deferred {
                    at: done.text.len(),
                    row: row.clone(),
                });
                continue;
            }
            let total = self.totals.get(k - 1).copied().unwrap_or(f64::NAN);
            done.written += 1;
            if self.id_total {
                let id = row.id(s);
                let out = &mut done.text;
                out.extend_from_slice(id.as_bytes());
                out.push(b',');
                match texts.get(k - 1) {
                    Some(text) => out.extend_from_slice(text),
                    None => push_number(out, total),
                }
                out.push(b'\n');
                continue;
            }
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
            let (id, name) = row.id_name(s);
            self.line_out(&mut done.text, id, name, &line);
        }
        drop(texts);
        self.room = room;
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
