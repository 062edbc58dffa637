//! `civic-value score`: score initiatives and print a table, JSON, CSV or NDJSON.
//!
//! Inputs are read as streams and written as they are scored, in input order, a block of
//! rows at a time on every core: memory does not grow with the number of rows. CSV rows
//! going to CSV or NDJSON take the batch path (`BatchScorer`, no allocation per row); every
//! other case is scored through the explained path. A bad initiative is reported on stderr
//! with its file, line or index and field, and every other one is still scored; the exit
//! status is 1 at the end when any was bad.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use civic_value::stream::Column;
use civic_value::{BatchScorer, Initiative, Rubric, Score};
use clap::ValueEnum;
use serde::Serialize;

use crate::load::{InputArgs, Parser, Raw, Stream, describe_error, load_rubric};
use crate::{Failure, table};

/// Records scored together (per block, split over the threads).
const BLOCK: usize = 8192;
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

/// What one record became: its output text, or the message of why it could not be scored.
enum Done {
    Out(String),
    Bad(String),
}

/// Everything a worker needs to score records.
struct Ctx<'r> {
    rubric: &'r Rubric,
    perspective: Option<&'r str>,
    format: Format,
    lang: &'r str,
    /// The batch scorer over every criterion, in rubric order.
    batch: BatchScorer<'r>,
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
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut written = 0usize;
    let write_err = |e: std::io::Error| Failure::Usage(format!("cannot write the output: {e}"));
    match args.format {
        Format::Csv => out
            .write_all(csv_header(&rubric).as_bytes())
            .map_err(write_err)?,
        Format::Json => out.write_all(b"[").map_err(write_err)?,
        Format::Table | Format::Ndjson => {}
    }
    let (mut bad, mut unreadable) = (0usize, false);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    for path in &args.inputs {
        let mut stream = match Stream::open(path, &rubric, &args.input) {
            Ok(s) => s,
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
        };
        let progress = progress_bar(&stream, path);
        let parser = stream.parser().clone();
        let bytes = std::sync::Arc::clone(&stream.bytes);
        let mut reported = 0usize;
        let mut rows = 0u64;
        let mut failure = None;
        // One thread reads records; another gathers them into blocks of what is ready (up
        // to BLOCK, fewer when the input has nothing more for now, so a slow pipe is scored
        // as it arrives); the others score the previous block.
        std::thread::scope(|s| {
            let (raw_tx, raw_rx) = std::sync::mpsc::sync_channel::<Raw>(BLOCK);
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Raw>>(2);
            s.spawn(move || {
                while let Some(raw) = stream.next_raw() {
                    if raw_tx.send(raw).is_err() {
                        break;
                    }
                }
            });
            s.spawn(move || {
                while let Ok(first) = raw_rx.recv() {
                    let mut block = Vec::with_capacity(BLOCK);
                    block.push(first);
                    while block.len() < BLOCK {
                        match raw_rx.try_recv() {
                            Ok(raw) => block.push(raw),
                            Err(_) => break,
                        }
                    }
                    if tx.send(block).is_err() {
                        break;
                    }
                }
            });
            for block in rx {
                rows += block.len() as u64;
                for d in score_block(&ctx, &parser, path, &block, threads) {
                    match d {
                        Done::Out(text) => {
                            if let Err(e) = write_item(&mut out, args.format, written, &text) {
                                failure = Some(write_err(e));
                                return; // dropping `rx` stops the reader
                            }
                            written += 1;
                        }
                        Done::Bad(msg) => {
                            bad += 1;
                            reported += 1;
                            if reported <= MAX_REPORTED {
                                match &progress {
                                    Some(p) => p.suspend(|| eprintln!("{msg}")),
                                    None => eprintln!("{msg}"),
                                }
                            }
                        }
                    }
                }
                // A short block: the input is slow (a pipe), so show what is done now.
                if block.len() < BLOCK
                    && let Err(e) = out.flush()
                {
                    failure = Some(write_err(e));
                    return;
                }
                if let Some(p) = &progress {
                    p.set_position(bytes.load(Ordering::Relaxed));
                    p.set_message(format!("{rows} rows"));
                }
            }
        });
        if let Some(f) = failure {
            return Err(f);
        }
        if let Some(p) = progress {
            p.finish_and_clear();
        }
        if reported > MAX_REPORTED {
            eprintln!(
                "{}: … and {} more invalid initiatives",
                path.display(),
                reported - MAX_REPORTED
            );
        }
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

fn write_item(
    out: &mut impl std::io::Write,
    format: Format,
    index: usize,
    text: &str,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            out.write_all(if index == 0 { b"\n" } else { b",\n" })?;
            out.write_all(text.as_bytes())
        }
        Format::Table => {
            if index > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(text.as_bytes())
        }
        Format::Csv | Format::Ndjson => out.write_all(text.as_bytes()),
    }
}

/// An indicatif bar on stderr for a large input when stderr is a terminal: bytes read (so
/// the ETA is right), rows and rows per second.
fn progress_bar(stream: &Stream<'_>, path: &Path) -> Option<indicatif::ProgressBar> {
    let size = stream.size.filter(|&s| s > PROGRESS_BYTES)?;
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

/// Score a block of records on `threads` threads, each taking a contiguous share; the
/// results come back in input order.
fn score_block(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    path: &Path,
    block: &[Raw],
    threads: usize,
) -> Vec<Done> {
    let chunk = block.len().div_ceil(threads.max(1)).max(256);
    if block.len() <= chunk {
        return score_chunk(ctx, parser, path, block);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = block
            .chunks(chunk)
            .map(|part| s.spawn(move || score_chunk(ctx, parser, path, part)))
            .collect();
        let mut all = Vec::with_capacity(block.len());
        for h in handles {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(_) => all.push(Done::Bad(format!(
                    "{}: internal error while scoring a block",
                    path.display()
                ))),
            }
        }
        all
    })
}

fn score_chunk(ctx: &Ctx<'_>, parser: &Parser<'_>, path: &Path, part: &[Raw]) -> Vec<Done> {
    let n = ctx.batch.criteria();
    let (mut low, mut high, mut points) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    part.iter()
        .map(|raw| {
            if matches!(ctx.format, Format::Csv | Format::Ndjson)
                && let Raw::Row(row) = raw
                && let Some(done) = fast_row(ctx, parser, row, &mut low, &mut high, &mut points)
            {
                return Done::Out(done);
            }
            explained(ctx, parser, path, raw)
        })
        .collect()
}

/// The batch path for a CSV row: every cell encoded as numbers and scored without
/// allocating. `None` when the row needs the explained path (a value that does not encode,
/// such as text for a number or an unknown column, or an error to report).
fn fast_row(
    ctx: &Ctx<'_>,
    parser: &Parser<'_>,
    row: &civic_value::stream::CsvRow,
    low: &mut [f64],
    high: &mut [f64],
    points: &mut [f64],
) -> Option<String> {
    let layout = parser.csv()?;
    layout.check_shape(row).ok()?;
    low.fill(f64::NAN);
    high.fill(f64::NAN);
    let (mut id, mut name) = (None, None);
    for (column, cell) in layout.columns().iter().zip(row.record.iter()) {
        let cell = cell.trim();
        match column {
            Column::Id => id = Some(cell),
            Column::Name => name = Some(cell),
            Column::Criterion(i) => {
                let c = ctx.rubric.criteria().get(*i)?;
                let (lo, hi) = c.encode(&layout.cell(*i, cell))?;
                *low.get_mut(*i)? = lo;
                *high.get_mut(*i)? = hi;
            }
            Column::Unknown(_) if !cell.is_empty() => return None,
            Column::Unknown(_) | Column::Ignored | Column::Description => {}
        }
    }
    let r = ctx.batch.score_row(low, high, points).ok()?;
    let fallback;
    let id = match id {
        Some(id) => id,
        None => {
            fallback = format!("row{}", row.number);
            &fallback
        }
    };
    let name = name.unwrap_or(id);
    let band = ctx.rubric.band_for(r.total).map_or("", |b| b.id());
    Some(match ctx.format {
        Format::Ndjson => ndjson_line(
            ctx.rubric,
            id,
            name,
            r.total,
            band,
            r.low,
            r.high,
            r.knocked_out,
            points,
        ),
        _ => csv_line(
            id,
            name,
            r.total,
            band,
            r.low,
            r.high,
            r.knocked_out,
            points,
        ),
    })
}

/// The explained path: the initiative read whole and scored with `Rubric::score`.
fn explained(ctx: &Ctx<'_>, parser: &Parser<'_>, path: &Path, raw: &Raw) -> Done {
    let place = parser.place(raw);
    let initiative = match parser.initiative(raw) {
        Ok(i) => i,
        Err(e) => {
            let id = parser.failed_id(raw);
            return Done::Bad(describe_error(path, &place, id.as_deref(), &e));
        }
    };
    let score = match ctx.rubric.score(&initiative.inputs, ctx.perspective) {
        Ok(s) => s,
        Err(e) => return Done::Bad(describe_error(path, &place, Some(&initiative.id), &e)),
    };
    Done::Out(format_explained(ctx, &initiative, &score))
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
            let band = s.band.as_deref().unwrap_or("");
            let args = (&initiative.id, &initiative.name, s.total, band);
            if ctx.format == Format::Csv {
                csv_line(
                    args.0,
                    args.1,
                    args.2,
                    args.3,
                    s.interval.low,
                    s.interval.high,
                    s.knocked_out,
                    &points,
                )
            } else {
                ndjson_line(
                    ctx.rubric,
                    args.0,
                    args.1,
                    args.2,
                    args.3,
                    s.interval.low,
                    s.interval.high,
                    s.knocked_out,
                    &points,
                )
            }
        }
    }
}

/// The CSV header: id, name, total, band, low, high, knocked_out, points_<criterion>….
pub(crate) fn csv_header(rubric: &Rubric) -> String {
    let mut out = "id,name,total,band,low,high,knocked_out".to_owned();
    for c in rubric.criteria() {
        out.push_str(",points_");
        out.push_str(&csv_field(c.id()));
    }
    out.push('\n');
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A number as the shortest text that reads back to it (ryu), whole numbers without a
/// fraction; never `-0`.
fn push_number(out: &mut String, x: f64) {
    let x = x + 0.0;
    if x.fract() == 0.0 && x.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation)]
        let whole = x as i64;
        let _ = write!(out, "{whole}");
    } else {
        out.push_str(ryu::Buffer::new().format(x));
    }
}

#[allow(clippy::too_many_arguments)]
fn csv_line(
    id: &str,
    name: &str,
    total: f64,
    band: &str,
    low: f64,
    high: f64,
    knocked_out: bool,
    points: &[f64],
) -> String {
    let mut out = String::with_capacity(64 + 20 * points.len());
    out.push_str(&csv_field(id));
    out.push(',');
    out.push_str(&csv_field(name));
    out.push(',');
    push_number(&mut out, total);
    out.push(',');
    out.push_str(&csv_field(band));
    for x in [low, high] {
        out.push(',');
        push_number(&mut out, x);
    }
    out.push_str(if knocked_out { ",true" } else { ",false" });
    for p in points {
        out.push(',');
        push_number(&mut out, *p);
    }
    out.push('\n');
    out
}

#[allow(clippy::too_many_arguments)]
fn ndjson_line(
    rubric: &Rubric,
    id: &str,
    name: &str,
    total: f64,
    band: &str,
    low: f64,
    high: f64,
    knocked_out: bool,
    points: &[f64],
) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned());
    let mut out = String::with_capacity(96 + 32 * points.len());
    out.push_str("{\"id\":");
    out.push_str(&q(id));
    out.push_str(",\"name\":");
    out.push_str(&q(name));
    out.push_str(",\"total\":");
    push_number(&mut out, total);
    out.push_str(",\"band\":");
    out.push_str(&if band.is_empty() {
        "null".to_owned()
    } else {
        q(band)
    });
    out.push_str(",\"low\":");
    push_number(&mut out, low);
    out.push_str(",\"high\":");
    push_number(&mut out, high);
    out.push_str(if knocked_out {
        ",\"knocked_out\":true"
    } else {
        ",\"knocked_out\":false"
    });
    out.push_str(",\"points\":{");
    for (k, (c, p)) in rubric.criteria().iter().zip(points).enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str(&q(c.id()));
        out.push(':');
        push_number(&mut out, *p);
    }
    out.push_str("}}\n");
    out
}
