//! `civic-value score`: score initiatives and print a table, JSON, CSV or NDJSON.
//!
//! Inputs are read as streams and written as they are scored, in input order, a block of
//! rows at a time on every core: memory does not grow with the number of rows. CSV rows
//! going to CSV or NDJSON take the batch path (`BatchScorer`, no allocation per row); every
//! other case is scored through the explained path. A bad initiative is reported on stderr
//! with its file, line or index and field, and every other one is still scored; the exit
//! status is 1 at the end when any was bad.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use civic_value::stream::{Column, trim};
use civic_value::{BatchScorer, BlockScores, Initiative, Rubric, Score};
use clap::ValueEnum;
use serde::Serialize;

use crate::block::{Block, Entry};
use crate::columns::Fields;
use crate::load::{InputArgs, Next, Parser, Raw, Stream, describe_error, load_rubric};
use crate::text::{Line, Repeats, csv_line, push_again, push_csv_field, push_number};
use crate::{Failure, table};

/// Records scored together (per block, split over the threads).
const BLOCK: usize = 8192;
/// CSV rows scored by column at a time (see `score_chunk`).
const COLUMN_ROWS: usize = 256;
/// Parts of a block per thread (see `score_block`).
const PARTS: usize = 4;
/// Full messages printed per file before the rest are only counted.
const MAX_REPORTED: usize = 100;
/// Inputs larger than this get a progress bar (when stderr is a terminal).
const PROGRESS_BYTES: u64 = 4 * 1024 * 1024;

#[derive(clap::Args)]
pub(crate) struct ScoreArgs {
    /// Rubric file (.json or .toml); the built-in default rubric when omitted.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Score under this perspective's weights (e.g. municipality, residents, initiators).
    #[arg(long, value_name = "NAME")]
    perspective: Option<String>,
    /// Language of labels in the table.
    #[arg(long, default_value = "en", value_name = "nl|en")]
    lang: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Columns of the CSV or NDJSON output, in this order, separated by commas: id, name,
    /// total, band, low, high, knocked_out, points (every criterion's points). Default:
    /// all of them. `id,total` and `id,total,band` read and score the fastest.
    #[arg(long, value_name = "NAMES", value_parser = Fields::parse)]
    columns: Option<Fields>,
    #[command(flatten)]
    input: InputArgs,
    /// Initiative files, read as streams: CSV (.csv, .tsv; a column per criterion id,
    /// `low..high` for a range; `,` `;` or tab separated), NDJSON (.ndjson, .jsonl), JSON
    /// (an array of {id, name, inputs}, or one such object); `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A readable breakdown per initiative.
    Table,
    /// A JSON array with one explained score per initiative.
    Json,
    /// One CSV row per initiative, with the points of every criterion.
    Csv,
    /// One JSON object per line: id, name, total, band, low, high, knocked_out, points.
    Ndjson,
}

/// One initiative's result in the JSON output.
#[derive(Serialize)]
pub(crate) struct Scored<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(flatten)]
    score: &'a Score,
    /// The monetised value when the rubric has a proxy table (see `sroi.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    monetised: Option<civic_value::analysis::monetise::MonetisedSummary>,
}

/// What the records of a chunk became, in order: output text in one buffer (each item
/// ends at an offset of it), or the message of why a record could not be scored.
#[derive(Default)]
struct Done {
    text: Vec<u8>,
    items: Vec<Item>,
}

enum Item {
    /// Scored: its text is `text[previous end..end]`.
    Out(usize),
    Bad(String),
}

/// Records waiting for the scorer, shared by the reading thread and the scoring one.
struct Pending {
    block: Block,
    /// The reader reached the end.
    done: bool,
    /// The scorer stopped (the output cannot be written).
    stop: bool,
}

fn lock(m: &Mutex<Pending>) -> MutexGuard<'_, Pending> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything a worker needs to score records.
pub(crate) struct Ctx<'r> {
    pub(crate) rubric: &'r Rubric,
    perspective: Option<&'r str>,
    pub(crate) format: Format,
    lang: &'r str,
    /// The batch scorer over every criterion, in rubric order.
    pub(crate) batch: BatchScorer<'r>,
    /// `,"<criterion id>":` for each criterion, for NDJSON points.
    pub(crate) json_keys: Vec<Vec<u8>>,
    /// The output columns chosen with `--columns`; `None` for all of them.
    pub(crate) fields: Option<Fields>,
}

pub(crate) fn score(args: &ScoreArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let perspective = args.perspective.as_deref();
    if let Some(p) = perspective {
        // Fail early, once, for an unknown perspective.
        rubric
            .effective_weights(Some(p))
            .map_err(|e| Failure::Usage(e.message()))?;
    }
    let fields = match (&args.columns, args.format) {
        (Some(f), Format::Csv | Format::Ndjson) => Some(f.clone()).filter(|f| !f.is_all()),
        (Some(_), Format::Table | Format::Json) => {
            return Err(Failure::Usage(
                "--columns applies to --format csv and --format ndjson".to_owned(),
            ));
        }
        (None, _) => None,
    };
    let ids: Vec<&str> = rubric.criteria().iter().map(|c| c.id()).collect();
    let batch = rubric
        .batch(&ids, perspective)
        .map_err(|e| Failure::Usage(e.message()))?;
    let ctx = Ctx {
        rubric: &rubric,
        perspective,
        format: args.format,
        lang: &args.lang,
        batch,
        json_keys: rubric
            .criteria()
            .iter()
            .map(|c| {
                let mut key = b",".to_vec();
                push_json_str(&mut key, c.id());
                key.push(b':');
                key
            })
            .collect(),
        fields,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut written = 0usize;
    let write_err = |e: std::io::Error| Failure::Usage(format!("cannot write the output: {e}"));
    match args.format {
        Format::Csv => {
            let header = match &ctx.fields {
                Some(f) => f.csv_header(rubric.criteria().iter().map(|c| c.id())),
                None => csv_header(&rubric),
            };
            out.write_all(header.as_bytes()).map_err(write_err)?;
        }
        Format::Json => out.write_all(b"[").map_err(write_err)?,
        Format::Table | Format::Ndjson => {}
    }
    let (mut bad, mut unreadable) = (0usize, false);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    for path in &args.inputs {
        // CSV to a total per row: plain lines read by the fast reader, which hands the rest
        // of the file to the general one at the first line it does not read.
        let plain = ctx
            .fields
            .as_ref()
            .filter(|f| f.totals_only())
            .and_then(|f| crate::plain::open(&rubric, path, &args.input, f));
        let size = plain.as_ref().map(|p| p.size);
        let mut report = Report::new(path, size, written);
        let stream = match plain {
            Some(plain) => {
                let done =
                    crate::plain::score(&ctx, plain, &args.input, threads, &mut out, &mut report);
                match done {
                    Err(crate::plain::Stopped::Write(e)) => return Err(write_err(e)),
                    Err(crate::plain::Stopped::Internal(msg)) => return Err(Failure::Usage(msg)),
                    Ok(None) => {
                        written = report.written;
                        bad += report.bad;
                        report.finish();
                        continue;
                    }
                    Ok(Some(rest)) => rest.stream(&args.input),
                }
            }
            None => match Stream::open(path, &rubric, &args.input) {
                Ok(s) => {
                    report.progress = progress_bar(s.size, path);
                    s
                }
                Err(Failure::Usage(msg)) => {
                    eprintln!("error: {msg}");
                    unreadable = true;
                    continue;
                }
                Err(Failure::Invalid(msg)) => {
                    eprintln!("{msg}");
                    bad += 1;
                    continue;
                }
            },
        };
        let failure = score_stream(&ctx, stream, path, threads, &mut out, &mut report);
        written = report.written;
        bad += report.bad;
        if let Some(e) = failure {
            return Err(write_err(e));
        }
        report.finish();
    }
    match args.format {
        Format::Json if written == 0 => out.write_all(b"]\n").map_err(write_err)?,
        Format::Json => out.write_all(b"\n]\n").map_err(write_err)?,
        _ => {}
    }
    out.flush().map_err(write_err)?;
    if unreadable {
        Err(Failure::Usage(String::new()))
    } else if bad > 0 {
        Err(Failure::Invalid(String::new()))
    } else {
        Ok(())
    }
}

/// What became of one file's records: lines written, bad records (the first
/// [`MAX_REPORTED`] printed on stderr, the rest counted), and its progress bar.
pub(crate) struct Report<'p> {
    path: &'p Path,
    pub(crate) written: usize,
    pub(crate) bad: usize,
    pub(crate) rows: u64,
    pub(crate) progress: Option<indicatif::ProgressBar>,
}

impl<'p> Report<'p> {
    /// `written`: lines written before this file (the JSON output separates items).
    fn new(path: &'p Path, size: Option<u64>, written: usize) -> Self {
        Self {
            path,
            written,
            bad: 0,
            rows: 0,
            progress: progress_bar(size, path),
        }
    }

    /// A bad record's message: printed (above the bar) while few, else only counted.
    pub(crate) fn bad(&mut self, msg: &str) {
        self.bad += 1;
        if self.bad <= MAX_REPORTED {
            match &self.progress {
                Some(p) => p.suspend(|| eprintln!("{msg}")),
                None => eprintln!("{msg}"),
            }
        }
    }

    /// Where reading is: bytes of the file, rows.
    pub(crate) fn at(&self, bytes: u64) {
        if let Some(p) = &self.progress {
            p.set_position(bytes);
            p.set_message(format!("{} rows", self.rows));
        }
    }

    fn finish(self) {
        if let Some(p) = self.progress {
            p.finish_and_clear();
        }
        if self.bad > MAX_REPORTED {
            eprintln!(
                "{}: … and {} more invalid initiatives",
                self.path.display(),
                self.bad - MAX_REPORTED
            );
        }
    }
}

/// Score the records of one stream, a block at a time on `threads` threads, writing each
/// block in input order. The error of writing the output, if any.
fn score_stream(
    ctx: &Ctx<'_>,
    mut stream: Stream<'_>,
    path: &Path,
    threads: usize,
    out: &mut impl std::io::Write,
    report: &mut Report<'_>,
) -> Option<std::io::Error> {
    let parser = stream.parser().clone();
    let bytes = std::sync::Arc::clone(&stream.bytes);
    let waiting = std::sync::Arc::clone(&stream.waiting);
    let mut failure = None;
    // One thread reads records into a block (packed, no allocation per row); this one
    // takes the block when it is full, or when the reader waits for its source with
    // rows ready (a slow pipe is scored as it arrives), and scores it on every core
    // while the reader fills the next.
    let shared = (
        Mutex::new(Pending {
            block: Block::default(),
            done: false,
            stop: false,
        }),
        Condvar::new(),
    );
    std::thread::scope(|s| {
        let (state, ready) = (&shared.0, &shared.1);
        s.spawn(move || {
            while let Some(next) = stream.read_next() {
                let mut g = lock(state);
                while g.block.len() >= BLOCK && !g.stop {
                    g = ready.wait(g).unwrap_or_else(PoisonError::into_inner);
                }
                if g.stop {
                    break;
                }
                match next {
                    Next::Row(row) => g.block.push_row(&row),
                    Next::Other(raw) => g.block.entries.push(Entry::Other(raw)),
                }
                if g.block.len() >= BLOCK {
                    drop(g);
                    ready.notify_all();
                }
            }
            lock(state).done = true;
            ready.notify_all();
        });
        let mut work = Block::default();
        let mut scratch: Vec<Scratch> = Vec::new();
        loop {
            {
                let mut g = lock(state);
                loop {
                    let n = g.block.len();
                    if n >= BLOCK || g.done || (n > 0 && waiting.load(Ordering::Acquire)) {
                        break;
                    }
                    g = ready
                        .wait_timeout(g, Duration::from_millis(2))
                        .map_or_else(|e| e.into_inner().0, |(g, _)| g);
                }
                if g.block.len() == 0 {
                    break; // done
                }
                std::mem::swap(&mut g.block, &mut work);
            }
            ready.notify_all();
            report.rows += work.len() as u64;
            let mut written = report.written;
            let stopped = write_block(
                ctx,
                &parser,
                path,
                &work,
                (&mut scratch, threads),
                out,
                &mut written,
                &mut |msg| report.bad(msg),
            )
            // A short block: the input is slow (a pipe), so show what is done now.
            .and_then(|()| {
                if work.len() < BLOCK {
                    out.flush()
                } else {
                    Ok(())
                }
            });
            report.written = written;
            if let Err(e) = stopped {
                failure = Some(e);
                lock(state).stop = true;
                ready.notify_all();
                return;
            }
            work.clear();
            report.at(bytes.load(Ordering::Relaxed));
        }
    });
    failure
}

/// Score a block and write what it became, in input order; `bad` is told each message.
#[allow(clippy::too_many_arguments)]
fn write_block(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    path: &Path,
    block: &Block,
    (scratch, threads): (&mut Vec<Scratch>, usize),
    out: &mut impl std::io::Write,
    written: &mut usize,
    bad: &mut impl FnMut(&str),
) -> std::io::Result<()> {
    let used = score_block(ctx, parser, path, block, scratch, threads);
    for Scratch { done, .. } in scratch.iter().take(used) {
        if matches!(ctx.format, Format::Csv | Format::Ndjson) {
            // Lines one after another: the chunk's text in one write (not copied line by
            // line into the writer's buffer), then the messages of the bad records.
            out.write_all(&done.text)?;
            for item in &done.items {
                match item {
                    Item::Out(_) => *written += 1,
                    Item::Bad(msg) => bad(msg),
                }
            }
            continue;
        }
        let mut at = 0;
        for item in &done.items {
            match item {
                Item::Out(end) => {
                    let text = done.text.get(at..*end).unwrap_or(&[]);
                    at = *end;
                    write_item(out, ctx.format, *written, text)?;
                    *written += 1;
                }
                Item::Bad(msg) => bad(msg),
            }
        }
    }
    Ok(())
}

fn write_item(
    out: &mut impl std::io::Write,
    format: Format,
    index: usize,
    text: &[u8],
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            out.write_all(if index == 0 { b"\n" } else { b",\n" })?;
            out.write_all(text)
        }
        Format::Table => {
            if index > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(text)
        }
        Format::Csv | Format::Ndjson => out.write_all(text),
    }
}

/// An indicatif bar on stderr for a large input when stderr is a terminal: bytes read (so
/// the ETA is right), rows and rows per second.
fn progress_bar(size: Option<u64>, path: &Path) -> Option<indicatif::ProgressBar> {
    let size = size.filter(|&s| s > PROGRESS_BYTES)?;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(size);
    let style = indicatif::ProgressStyle::with_template(
        "{prefix} [{bar:30}] {bytes}/{total_bytes} · {msg} · {per_sec} · ETA {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(path.display().to_string());
    Some(bar)
}

/// Buffers a part of a block is scored into (by whichever thread takes the part; one per
/// part, see `score_block`), kept from block to block (large buffers freed and taken again
/// for every block would cost page faults).
#[derive(Default)]
struct Scratch {
    done: Done,
    columns: Columns,
    /// Texts of the points already written, per criterion.
    repeats: Repeats,
}

/// A chunk's rows by column for [`BatchScorer::score_block`], and what it gives back.
#[derive(Default)]
struct Columns {
    low: Vec<f64>,
    high: Vec<f64>,
    /// Rows left to the explained path.
    skip: Vec<bool>,
    total: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    knocked_out: Vec<bool>,
    points: Vec<f64>,
}

/// Score a block of records on `threads` threads (this one among them): the block cut into
/// [`PARTS`] contiguous parts per thread (of at least [`COLUMN_ROWS`] rows, but the last),
/// each scored into its own `scratch` buffer (grown to the number of parts) by whichever
/// thread is free, so that a thread sharing its core with the reader does less of the block
/// instead of keeping the others waiting. The number of buffers used, in input order.
fn score_block(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    path: &Path,
    block: &Block,
    scratch: &mut Vec<Scratch>,
    threads: usize,
) -> usize {
    let threads = threads.max(1);
    let chunk = block.len().div_ceil(threads * PARTS).max(COLUMN_ROWS);
    let used = block.len().div_ceil(chunk);
    if scratch.len() < used {
        scratch.resize_with(used, Scratch::default);
    }
    let parts = Mutex::new(block.entries.chunks(chunk).zip(scratch.iter_mut()));
    let work = || {
        loop {
            // (Nothing panics while the lock is held: a poisoned lock is taken as it is.)
            let next = parts.lock().unwrap_or_else(PoisonError::into_inner).next();
            let Some((part, sc)) = next else { break };
            let scored = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                score_chunk(ctx, parser, path, block, part, sc);
            }));
            if scored.is_err() {
                // Not reached (nothing here panics on input): the part's rows are reported.
                sc.done.text.clear();
                sc.done.items = vec![Item::Bad(format!(
                    "{}: internal error while scoring a block",
                    path.display()
                ))];
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads.min(used) {
            s.spawn(work);
        }
        work();
    });
    used
}

fn score_chunk(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    path: &Path,
    block: &Block,
    part: &[Entry],
    scratch: &mut Scratch,
) {
    let n = ctx.batch.criteria();
    let Scratch {
        done,
        columns,
        repeats,
    } = scratch;
    if repeats.columns() != n {
        *repeats = Repeats::new(n);
    }
    done.text.clear();
    done.items.clear();
    let batch = matches!(ctx.format, Format::Csv | Format::Ndjson);
    let layout = parser.csv().filter(|_| batch);
    // CSV rows are scored by column a slice at a time, small enough for the slice's columns
    // to stay in the first-level cache while they are filled and read.
    let slice = if layout.is_some() {
        COLUMN_ROWS
    } else {
        part.len().max(1)
    };
    for part in part.chunks(slice) {
        if let Some(layout) = layout
            && score_columns(ctx, layout, block, part, columns).is_some()
        {
            write_columns(
                ctx,
                parser,
                path,
                block,
                part,
                layout,
                (columns, repeats),
                done,
            );
            continue;
        }
        let (mut low, mut high, mut points) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for entry in part {
            if batch
                && let Entry::Row {
                    number,
                    start,
                    cells,
                    ..
                } = entry
                && fast_row(
                    ctx,
                    parser,
                    *number,
                    &mut block.cells(*start, cells),
                    (&mut low, &mut high, &mut points),
                    (&mut done.text, repeats),
                )
                .is_some()
            {
                done.items.push(Item::Out(done.text.len()));
                continue;
            }
            push_explained(ctx, parser, path, block, entry, done);
        }
    }
}

/// The lines of rows [`score_columns`] scored, in order; the rows it left out through the
/// explained path.
#[allow(clippy::too_many_arguments)]
fn write_columns(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    path: &Path,
    block: &Block,
    part: &[Entry],
    layout: &civic_value::stream::CsvLayout<'_>,
    (columns, repeats): (&Columns, &mut Repeats),
    done: &mut Done,
) {
    let position = |role: &Column| layout.columns().iter().position(|c| c == role);
    let (id_at, name_at) = (position(&Column::Id), position(&Column::Name));
    let rows = part.len().max(1);
    let mut points = vec![0.0; ctx.batch.criteria()];
    for (r, entry) in part.iter().enumerate() {
        if let Entry::Row {
            number,
            start,
            cells,
            ..
        } = entry
            && !columns.skip.get(r).copied().unwrap_or(true)
        {
            let at = |v: &[f64]| v.get(r).copied().unwrap_or(f64::NAN);
            for (p, column) in points.iter_mut().zip(columns.points.chunks(rows)) {
                *p = at(column);
            }
            let total = at(&columns.total);
            let line = Line {
                total,
                band: ctx.rubric.band_for(total).map_or("", |b| b.id()),
                low: at(&columns.lo),
                high: at(&columns.hi),
                knocked_out: columns.knocked_out.get(r).copied().unwrap_or(false),
                points: &points,
            };
            let cell =
                |j: Option<usize>| j.and_then(|j| block.cells(*start, cells).nth(j)).map(trim);
            write_line(
                ctx,
                *number,
                cell(id_at),
                cell(name_at),
                &line,
                (&mut done.text, repeats),
            );
            done.items.push(Item::Out(done.text.len()));
        } else {
            push_explained(ctx, parser, path, block, entry, done);
        }
    }
}

/// A record through the explained path, its text or message appended to `done`.
fn push_explained(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    path: &Path,
    block: &Block,
    entry: &Entry,
    done: &mut Done,
) {
    let raw;
    let raw = match entry {
        Entry::Row {
            number,
            line,
            start,
            cells,
        } => {
            raw = block.raw(*number, *line, *start, cells);
            &raw
        }
        Entry::Other(raw) => raw,
    };
    match explained(ctx, parser, path, raw) {
        Ok(text) => {
            done.text.extend_from_slice(text.as_bytes());
            done.items.push(Item::Out(done.text.len()));
        }
        Err(msg) => done.items.push(Item::Bad(msg)),
    }
}

/// The CSV rows of a chunk encoded by column into `c` and scored together by
/// [`BatchScorer::score_block`] (the same bits as `score_row`); rows that do not encode are
/// marked in `c.skip`, for the explained path, and so are rows that encode but cannot be
/// scored (a value out of range…), so that each such row is reported. `None` only when an
/// error names no row (the chunk then goes row by row).
fn score_columns(
    ctx: &Ctx<'_>,
    layout: &civic_value::stream::CsvLayout<'_>,
    block: &Block,
    part: &[Entry],
    c: &mut Columns,
) -> Option<()> {
    let (rows, m) = (part.len(), ctx.batch.criteria());
    let fill = |v: &mut Vec<f64>, len: usize, x: f64| {
        v.clear();
        v.resize(len, x);
    };
    fill(&mut c.low, rows * m, f64::NAN);
    fill(&mut c.high, rows * m, f64::NAN);
    c.skip.clear();
    for (r, entry) in part.iter().enumerate() {
        let encoded = match entry {
            Entry::Row { start, cells, .. } => {
                let (low, high) = (&mut c.low, &mut c.high);
                encode_row(layout, &mut block.cells(*start, cells), |i, lo, hi| {
                    let k = i * rows + r;
                    *low.get_mut(k)? = lo;
                    *high.get_mut(k)? = hi;
                    Some(())
                })
                .is_some()
            }
            Entry::Other(_) => false,
        };
        c.skip.push(!encoded);
    }
    fill(&mut c.total, rows, 0.0);
    fill(&mut c.lo, rows, 0.0);
    fill(&mut c.hi, rows, 0.0);
    fill(&mut c.points, rows * m, 0.0);
    c.knocked_out.clear();
    c.knocked_out.resize(rows, false);
    // A row that encodes but cannot be scored (a value out of range…) stops the block there:
    // the rows before it are scored, it goes to the explained path (which reports it), and
    // scoring resumes after it. Only the bad row is parsed again.
    let mut from = 0;
    loop {
        let low: Vec<&[f64]> = c
            .low
            .chunks(rows.max(1))
            .map(|v| v.get(from..).unwrap_or(&[]))
            .collect();
        let high: Vec<&[f64]> = c
            .high
            .chunks(rows.max(1))
            .map(|v| v.get(from..).unwrap_or(&[]))
            .collect();
        let mut out = BlockScores {
            total: c.total.get_mut(from..)?,
            low: c.lo.get_mut(from..)?,
            high: c.hi.get_mut(from..)?,
            knocked_out: c.knocked_out.get_mut(from..)?,
            points: c
                .points
                .chunks_mut(rows.max(1))
                .map(|p| p.get_mut(from..).unwrap_or(&mut []))
                .collect(),
        };
        let skip = c.skip.get(from..)?;
        match ctx.batch.score_block(from, &low, &high, skip, &mut out) {
            Ok(()) => return Some(()),
            Err(e) => {
                let bad = bad_row(e.path()).filter(|r| (from..rows).contains(r))?;
                *c.skip.get_mut(bad)? = true;
                from = bad + 1;
            }
        }
    }
}

/// The row an error of [`BatchScorer::score_block`] names: `N` of `rows[N].…`.
pub(crate) fn bad_row(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("rows[")?;
    rest.get(..rest.find(']')?)?.parse().ok()
}

/// Encode a CSV row's criteria cells, handing each criterion's `(low, high)` to `put`; the
/// row's id and name cells, or `None` when the row needs the explained path (another number
/// of cells than the header, a value that does not encode such as text for a number, an
/// unknown column with a value).
fn encode_row<'a>(
    layout: &civic_value::stream::CsvLayout<'_>,
    cells: &mut crate::block::Cells<'a>,
    mut put: impl FnMut(usize, f64, f64) -> Option<()>,
) -> Option<(Option<&'a str>, Option<&'a str>)> {
    if cells.len() != layout.columns().len() {
        return None; // the explained path says `input.shape`
    }
    let (mut id, mut name) = (None, None);
    for (column, cell) in layout.columns().iter().zip(cells) {
        match column {
            Column::Id => id = Some(trim(cell)),
            Column::Name => name = Some(trim(cell)),
            Column::Criterion(i) => {
                let (lo, hi) = layout.encode_cell(*i, cell)?;
                put(*i, lo, hi)?;
            }
            Column::Unknown(_) if !trim(cell).is_empty() => return None,
            Column::Unknown(_) | Column::Ignored | Column::Description => {}
        }
    }
    Some((id, name))
}

/// The batch path for one CSV row: its cells encoded and scored with `score_row` without
/// allocating, its line appended to `out`. `None` (and nothing appended) when the row needs
/// the explained path (see [`encode_row`], or an error to report).
fn fast_row(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    number: usize,
    cells: &mut crate::block::Cells<'_>,
    (low, high, points): (&mut [f64], &mut [f64], &mut [f64]),
    out: (&mut Vec<u8>, &mut Repeats),
) -> Option<()> {
    let layout = parser.csv()?;
    low.fill(f64::NAN);
    high.fill(f64::NAN);
    let (id, name) = encode_row(layout, cells, |i, lo, hi| {
        *low.get_mut(i)? = lo;
        *high.get_mut(i)? = hi;
        Some(())
    })?;
    let r = ctx.batch.score_row(low, high, points).ok()?;
    let line = Line {
        total: r.total,
        band: ctx.rubric.band_for(r.total).map_or("", |b| b.id()),
        low: r.low,
        high: r.high,
        knocked_out: r.knocked_out,
        points,
    };
    write_line(ctx, number, id, name, &line, out);
    Some(())
}

/// A scored row's CSV or NDJSON line, with `row<N>` for a row without an id.
fn write_line(
    ctx: &Ctx<'_>,
    number: usize,
    id: Option<&str>,
    name: Option<&str>,
    line: &Line<'_>,
    (out, repeats): (&mut Vec<u8>, &mut Repeats),
) {
    let mut fallback = [0u8; 24];
    let id = id.unwrap_or_else(|| row_id(number, &mut fallback));
    let name = name.unwrap_or(id);
    match (ctx.format, &ctx.fields) {
        (Format::Ndjson, Some(f)) => {
            f.ndjson_line(out, repeats, &ctx.json_keys, push_json_str, id, name, line);
        }
        (Format::Ndjson, None) => ndjson_line(out, repeats, &ctx.json_keys, id, name, line),
        (_, Some(f)) => f.csv_line(out, repeats, id, name, line),
        (_, None) => csv_line(out, repeats, id, name, line),
    }
}

/// `row<N>`, the id of a row without an `id` column, written into `buf`.
fn row_id(number: usize, buf: &mut [u8; 24]) -> &str {
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(number).as_bytes();
    let len = 3 + digits.len();
    if let Some((head, tail)) = buf.get_mut(..len).and_then(|b| b.split_at_mut_checked(3)) {
        head.copy_from_slice(b"row");
        tail.copy_from_slice(digits);
    }
    std::str::from_utf8(buf.get(..len).unwrap_or(&[])).unwrap_or("row")
}

/// The explained path: the initiative read whole and scored with `Rubric::score`; its
/// text, or the message of why it could not be scored.
pub(crate) fn explained(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    path: &Path,
    raw: &Raw,
) -> Result<String, String> {
    let place = parser.place(raw);
    let initiative = match parser.initiative(raw) {
        Ok(i) => i,
        Err(e) => {
            let id = parser.failed_id(raw);
            return Err(describe_error(path, &place, id.as_deref(), &e));
        }
    };
    let score = match ctx.rubric.score(&initiative.inputs, ctx.perspective) {
        Ok(s) => s,
        Err(e) => return Err(describe_error(path, &place, Some(&initiative.id), &e)),
    };
    Ok(format_explained(ctx, &initiative, &score))
}

fn format_explained(ctx: &Ctx<'_>, initiative: &Initiative, s: &Score) -> String {
    match ctx.format {
        Format::Table => {
            let mut out = String::new();
            table::write(&mut out, ctx.rubric, initiative, s, ctx.lang);
            out
        }
        Format::Json => serde_json::to_string_pretty(&Scored {
            id: &initiative.id,
            name: &initiative.name,
            score: s,
            monetised: ctx.rubric.monetised_summary(&initiative.inputs),
        })
        .unwrap_or_default(),
        Format::Csv | Format::Ndjson => {
            let points: Vec<f64> = s.criteria.iter().map(|c| c.points).collect();
            let line = Line {
                total: s.total,
                band: s.band.as_deref().unwrap_or(""),
                low: s.interval.low,
                high: s.interval.high,
                knocked_out: s.knocked_out,
                points: &points,
            };
            let mut out = Vec::new();
            write_line(
                ctx,
                0,
                Some(&initiative.id),
                Some(&initiative.name),
                &line,
                (&mut out, &mut Repeats::default()),
            );
            String::from_utf8(out).unwrap_or_default()
        }
    }
}

/// The CSV header: id, name, total, band, low, high, knocked_out, points_<criterion>….
pub(crate) fn csv_header(rubric: &Rubric) -> String {
    let mut out = b"id,name,total,band,low,high,knocked_out".to_vec();
    for c in rubric.criteria() {
        out.extend_from_slice(b",points_");
        push_csv_field(&mut out, c.id());
    }
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// A JSON string (as serde_json writes it).
pub(crate) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

fn ndjson_line(
    out: &mut Vec<u8>,
    repeats: &mut Repeats,
    keys: &[Vec<u8>],
    id: &str,
    name: &str,
    l: &Line<'_>,
) {
    out.extend_from_slice(b"{\"id\":");
    push_json_str(out, id);
    out.extend_from_slice(b",\"name\":");
    push_json_str(out, name);
    out.extend_from_slice(b",\"total\":");
    let at = out.len();
    push_number(out, l.total);
    let total = at..out.len();
    out.extend_from_slice(b",\"band\":");
    if l.band.is_empty() {
        out.extend_from_slice(b"null");
    } else {
        push_json_str(out, l.band);
    }
    out.extend_from_slice(b",\"low\":");
    push_again(out, l.low, l.total, total.clone());
    out.extend_from_slice(b",\"high\":");
    push_again(out, l.high, l.total, total);
    out.extend_from_slice(if l.knocked_out {
        b",\"knocked_out\":true"
    } else {
        b",\"knocked_out\":false"
    });
    out.extend_from_slice(b",\"points\":{");
    for (k, (key, p)) in keys.iter().zip(l.points).enumerate() {
        // The keys start with a comma, which the first one leaves out.
        out.extend_from_slice(key.get(usize::from(k == 0)..).unwrap_or(&[]));
        repeats.push(out, k, *p);
    }
    out.extend_from_slice(b"}}\n");
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_row_alone_leaves_the_block_path() {
        // support_share is 0–100: rows 1 and 3 encode but are out of range. The block path
        // scores the others (the old code gave up on the whole chunk and parsed every row
        // again), marks only those two for the explained path, and every row it scored has
        // the total `score` gives it.
        let rubric = Rubric::builtin();
        let ids: Vec<&str> = rubric.criteria().iter().map(|c| c.id()).collect();
        let ctx = Ctx {
            rubric: &rubric,
            perspective: None,
            format: Format::Csv,
            lang: "en",
            batch: rubric.batch(&ids, None).unwrap(),
            json_keys: Vec::new(),
            fields: None,
        };
        let text =
            "id,support_share,volunteer_hours\na,72,3000\nb,120,10\nc,55,\nd,-1,5\ne,90,200\n";
        let mut csv = civic_value::stream::CsvInitiatives::new(
            &rubric,
            std::io::Cursor::new(text.as_bytes()),
            None,
            None,
            &[],
        )
        .unwrap();
        let mut block = Block::default();
        while let Some(row) = csv.read_raw_row() {
            block.push_row(&row.unwrap());
        }
        let mut columns = Columns::default();
        let scored = score_columns(&ctx, csv.layout(), &block, &block.entries, &mut columns);
        assert_eq!(scored, Some(()));
        assert_eq!(columns.skip, [false, true, false, true, false]);
        for (r, inputs) in [(0, "72,3000"), (2, "55,"), (4, "90,200")] {
            let (share, hours) = inputs.split_once(',').unwrap();
            let mut given = civic_value::Inputs::new();
            given.insert(
                "support_share",
                civic_value::InputValue::Number(share.parse().unwrap()),
            );
            if !hours.is_empty() {
                given.insert(
                    "volunteer_hours",
                    civic_value::InputValue::Number(hours.parse().unwrap()),
                );
            }
            let want = rubric.score(&given, None).unwrap().total;
            assert_eq!(columns.total[r].to_bits(), want.to_bits(), "row {r}");
        }
    }

    #[test]
    fn bad_row_reads_the_row_of_a_path() {
        assert_eq!(bad_row("rows[12].input.support_share"), Some(12));
        assert_eq!(bad_row("rows[0]"), Some(0));
        assert_eq!(bad_row("input"), None);
        assert_eq!(bad_row("rows[x]"), None);
    }
}
