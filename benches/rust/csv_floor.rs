//! The floor of `civic-value score --format csv`: the I/O of the same job without the
//! scoring, with the code the CLI uses, on 2 threads like the CLI. Run by
//! `benches/cli/bench_stream.py`, which puts the CLI's times next to it.
//!
//!     csv-floor INPUT.csv OUTPUT.csv
//!     csv-floor --job INPUT.csv > OUT.csv
//!
//! `--job` is another measure (benches/rust/csv_job.rs): a prototype of the whole job of
//! `score --columns id,total` done the fastest honest way found (chunks read whole, cells
//! split and read in one pass 8 bytes at a time, `BatchScorer::totals`), for issue 10's
//! question whether that output can come within 3× of `score_matrix`.
//!
//! 1. **read**: `INPUT.csv` read by the engine's CSV reader as the CLI reads it
//!    (`CsvInitiatives::read_raw_row`, under the same line limit and buffer size), each
//!    row's text copied into a block, blocks of 8192 rows handed to a second thread which
//!    parses every criterion cell with `CsvLayout::encode_cell` (the CLI's number, option
//!    and boolean reading). Nothing is scored.
//! 2. **write**: `OUTPUT.csv`, a file the CLI wrote for `INPUT.csv`, is read back 8192
//!    rows at a time, each block halved between 2 threads which read their rows back into
//!    numbers (not timed: the numbers are then in that thread's cache, as a CLI thread's
//!    just-scored numbers are) and format them again with the CLI's own line writer
//!    (`cli/src/text.rs`, included below); then both halves are written to standard output
//!    in order. Formatting and writing are timed with each thread's own CPU clock.
//!
//! Prints one line of JSON (on stderr): wall and CPU seconds of each phase (read: user +
//! system of every thread from `getrusage`; write: the threads' CPU clocks), and a checksum
//! so that nothing is optimised away.

use std::io::{BufReader, Write as _};
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use civic_value::Rubric;
use civic_value::stream::{Column, CsvInitiatives, trim};

#[allow(dead_code)]
#[path = "../../cli/src/text.rs"]
mod text;

#[path = "csv_job.rs"]
mod job;

/// Rows per block, as in the CLI.
const BLOCK: usize = 8192;

/// CPU seconds (user + system) of this process so far, every thread.
fn cpu() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes one `rusage` into the pointer it is given, which points to
    // a zeroed value of that type owned by this frame.
    #[allow(unsafe_code)]
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// Rows packed as in the CLI's block: the text of every row, where each cell ends, and
/// per row its cells, where its text starts and the bytes between its cells.
#[derive(Default)]
struct Packed {
    text: String,
    ends: Vec<usize>,
    rows: Vec<(std::ops::Range<usize>, usize, usize)>,
}

fn read_floor(rubric: &Rubric, path: &str) -> f64 {
    let file = std::fs::File::open(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
    let input = BufReader::with_capacity(256 * 1024, file);
    let mut csv = CsvInitiatives::new(rubric, input, None, None, &[])
        .unwrap_or_else(|e| fail(&format!("{path}: {e}")));
    let layout = csv.layout().clone();
    let (full_tx, full_rx) = sync_channel::<Packed>(1);
    let (empty_tx, empty_rx) = sync_channel::<Packed>(2);
    for _ in 0..2 {
        let _ = empty_tx.send(Packed::default());
    }
    std::thread::scope(|s| {
        let parser = s.spawn(move || {
            let mut sum = 0.0;
            for block in full_rx {
                for (row, start, gap) in &block.rows {
                    let mut at = *start;
                    for (column, &end) in layout.columns().iter().zip(&block.ends[row.clone()]) {
                        let cell = &block.text[at..end];
                        at = end + gap;
                        match column {
                            Column::Criterion(i) => {
                                let (lo, hi) = layout.encode_cell(*i, cell).unwrap_or((0.0, 0.0));
                                sum += lo + hi;
                            }
                            _ => sum += trim(cell).len() as f64,
                        }
                    }
                }
                let _ = empty_tx.send(block);
            }
            sum
        });
        let mut block = empty_rx.recv().unwrap_or_default();
        block.text.clear();
        block.ends.clear();
        block.rows.clear();
        while let Some(next) = csv.read_raw_row() {
            let Ok(row) = next else { continue };
            let (first, start) = (block.ends.len(), block.text.len());
            block.text.push_str(row.text);
            block.ends.extend(row.ends.iter().map(|end| start + end));
            block.rows.push((first..block.ends.len(), start, row.gap));
            if block.rows.len() == BLOCK {
                let _ = full_tx.send(block);
                block = empty_rx.recv().unwrap_or_default();
                block.text.clear();
                block.ends.clear();
                block.rows.clear();
            }
        }
        let _ = full_tx.send(block);
        drop(full_tx);
        parser.join().unwrap_or(0.0)
    })
}

/// The CLI's output read back, packed as the CLI holds a block (one text buffer, no
/// allocation per row), so that formatting it reads memory the way the CLI does.
struct Output {
    /// id, name and band of each row, one after another.
    text: String,
    /// Where each of those ends in `text`: 3 per row.
    ends: Vec<usize>,
    /// total, low, high, then the points: `width` numbers per row.
    numbers: Vec<f64>,
    knocked_out: Vec<bool>,
    width: usize,
}

impl Output {
    /// The id, name or band (`k` = 0, 1, 2) of row `r`.
    fn string(&self, r: usize, k: usize) -> &str {
        let at = (r * 3 + k).checked_sub(1).map_or(0, |j| self.ends[j]);
        &self.text[at..self.ends[r * 3 + k]]
    }
}

/// CPU seconds of the calling thread so far.
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one `timespec` into the pointer it is given, which
    // points to a value of that type owned by this frame.
    #[allow(unsafe_code)]
    unsafe {
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts);
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Rows of the CLI's output read back into `out` (emptied first).
fn load_rows(rows: &[csv::StringRecord], out: &mut Output) {
    out.text.clear();
    out.ends.clear();
    out.numbers.clear();
    out.knocked_out.clear();
    let number = |s: &str| {
        s.parse::<f64>()
            .unwrap_or_else(|e| fail(&format!("{s:?}: {e}")))
    };
    for r in rows {
        // id, name, total, band, low, high, knocked_out, points…
        for s in [&r[0], &r[1], &r[3]] {
            out.text.push_str(s);
            out.ends.push(out.text.len());
        }
        out.numbers.extend([&r[2], &r[4], &r[5]].map(number));
        out.knocked_out.push(&r[6] == "true");
        out.numbers.extend(r.iter().skip(7).map(number));
    }
}

/// One thread's half of a block: its rows read back into numbers (not timed: they are then
/// in this thread's cache, as the numbers a CLI thread has just scored are), then formatted
/// with the CLI's line writer (timed). Wall and CPU seconds of the formatting.
fn format_half(
    rows: &[csv::StringRecord],
    output: &mut Output,
    repeats: &mut text::Repeats,
    out: &mut Vec<u8>,
) -> (f64, f64) {
    load_rows(rows, output);
    let (t0, c0) = (Instant::now(), thread_cpu());
    out.clear();
    for r in 0..rows.len() {
        let n = &output.numbers[r * output.width..(r + 1) * output.width];
        let line = text::Line {
            total: n[0],
            band: output.string(r, 2),
            low: n[1],
            high: n[2],
            knocked_out: output.knocked_out[r],
            points: &n[3..],
        };
        text::csv_line(
            out,
            repeats,
            output.string(r, 0),
            output.string(r, 1),
            &line,
        );
    }
    (t0.elapsed().as_secs_f64(), thread_cpu() - c0)
}

/// The write phase, a block of 8192 rows at a time as the CLI writes: each half formatted
/// on its own thread (see [`format_half`]), then both written in order. Bytes written, wall
/// seconds (per block the slower half, plus the writing) and CPU seconds (both halves'
/// formatting, plus the writing).
fn write_floor(path: &str) -> (usize, f64, f64) {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
    let columns = reader.headers().map(csv::StringRecord::len).unwrap_or(0);
    let width = columns.saturating_sub(4);
    let output = || Output {
        text: String::new(),
        ends: Vec::new(),
        numbers: Vec::new(),
        knocked_out: Vec::new(),
        width,
    };
    let mut outputs = [output(), output()];
    let stdout = std::io::stdout();
    let mut sink = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut buffers = [Vec::new(), Vec::new()];
    let mut repeats = [text::Repeats::new(width - 3), text::Repeats::new(width - 3)];
    let mut records = vec![csv::StringRecord::new(); BLOCK];
    let (mut written, mut wall, mut used) = (0, 0.0, 0.0);
    loop {
        let mut rows = 0;
        while rows < BLOCK
            && reader
                .read_record(&mut records[rows])
                .unwrap_or_else(|e| fail(&e.to_string()))
        {
            rows += 1;
        }
        if rows == 0 {
            break;
        }
        let (first, second) = records[..rows].split_at(rows.div_ceil(2));
        let ([oa, ob], [ra, rb], [a, b]) = (&mut outputs, &mut repeats, &mut buffers);
        let ((wa, ca), (wb, cb)) = std::thread::scope(|s| {
            let other = s.spawn(|| format_half(second, ob, rb, b));
            let mine = format_half(first, oa, ra, a);
            (mine, other.join().unwrap_or((0.0, 0.0)))
        });
        let (t0, c0) = (Instant::now(), thread_cpu());
        for buffer in &buffers {
            sink.write_all(buffer)
                .unwrap_or_else(|e| fail(&e.to_string()));
            written += buffer.len();
        }
        wall += wa.max(wb) + t0.elapsed().as_secs_f64();
        used += ca + cb + thread_cpu() - c0;
    }
    let (t0, c0) = (Instant::now(), thread_cpu());
    sink.flush().unwrap_or_else(|e| fail(&e.to_string()));
    (
        written,
        wall + t0.elapsed().as_secs_f64(),
        used + thread_cpu() - c0,
    )
}

fn fail(msg: &str) -> ! {
    eprintln!("csv-floor: {msg}");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [mode, input] = args.as_slice()
        && mode == "--job"
    {
        return job::run(&Rubric::builtin(), input);
    }
    let [input, output] = args.as_slice() else {
        fail("usage: csv-floor INPUT.csv OUTPUT.csv (the CLI's output for INPUT.csv)");
    };
    let rubric = Rubric::builtin();
    let (t0, c0) = (Instant::now(), cpu());
    let checksum = read_floor(&rubric, input);
    let (read_wall, read_cpu) = (t0.elapsed().as_secs_f64(), cpu() - c0);
    let (bytes, write_wall, write_cpu) = write_floor(output);
    eprintln!(
        "{{\"read\": {{\"wall\": {read_wall:.4}, \"cpu\": {read_cpu:.4}}}, \
         \"write\": {{\"wall\": {write_wall:.4}, \"cpu\": {write_cpu:.4}}}, \
         \"bytes\": {bytes}, \"checksum\": {checksum}}}"
    );
}
