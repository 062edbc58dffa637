//! The floor of `civic-value score --format csv`: the I/O of the same job without the
//! scoring, with the code the CLI uses, on 2 threads like the CLI. Run by
//! `benches/cli/bench_stream.py`, which puts the CLI's times next to it.
//!
//!     csv-floor INPUT.csv OUTPUT.csv
//!
//! 1. **read**: `INPUT.csv` read by the engine's CSV reader as the CLI reads it
//!    (`CsvInitiatives::read_raw_row`, under the same line limit and buffer size), each
//!    row's text copied into a block, blocks of 8192 rows handed to a second thread which
//!    parses every criterion cell with `CsvLayout::encode_cell` (the CLI's number, option
//!    and boolean reading). Nothing is scored.
//! 2. **write**: `OUTPUT.csv`, a file the CLI wrote for `INPUT.csv`, is read into memory
//!    (not timed), then every row is formatted again with the CLI's own line writer
//!    (`cli/src/text.rs`, included below) — each block of 8192 rows halved between 2 threads
//!    — and written to standard output in order.
//!
//! Prints one line of JSON: wall and CPU seconds (user + system, every thread, from
//! `getrusage`) of each timed phase, and a checksum so that nothing is optimised away.

use std::io::{BufReader, Write as _};
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use civic_value::Rubric;
use civic_value::stream::{Column, CsvInitiatives, trim};

#[allow(dead_code)]
#[path = "../../cli/src/text.rs"]
mod text;

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

fn load_output(path: &str) -> Output {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
    let columns = reader.headers().map(csv::StringRecord::len).unwrap_or(0);
    let width = columns.saturating_sub(4);
    let mut out = Output {
        text: String::new(),
        ends: Vec::new(),
        numbers: Vec::new(),
        knocked_out: Vec::new(),
        width,
    };
    let number = |s: &str| {
        s.parse::<f64>()
            .unwrap_or_else(|e| fail(&format!("{s:?}: {e}")))
    };
    let mut r = csv::StringRecord::new();
    while reader
        .read_record(&mut r)
        .unwrap_or_else(|e| fail(&format!("{path}: {e}")))
    {
        // id, name, total, band, low, high, knocked_out, points…
        for s in [&r[0], &r[1], &r[3]] {
            out.text.push_str(s);
            out.ends.push(out.text.len());
        }
        out.numbers.extend([&r[2], &r[4], &r[5]].map(number));
        out.knocked_out.push(&r[6] == "true");
        out.numbers.extend(r.iter().skip(7).map(number));
    }
    out
}

fn write_floor(output: &Output) -> usize {
    let rows = output.knocked_out.len();
    let stdout = std::io::stdout();
    let mut sink = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut buffers = [Vec::new(), Vec::new()];
    let mut written = 0;
    let mut repeats = [
        text::Repeats::new(output.width - 3),
        text::Repeats::new(output.width - 3),
    ];
    let format = |range: std::ops::Range<usize>, out: &mut Vec<u8>, repeats: &mut text::Repeats| {
        out.clear();
        for r in range {
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
    };
    for start in (0..rows).step_by(BLOCK) {
        let end = (start + BLOCK).min(rows);
        let mid = start + (end - start).div_ceil(2);
        let ([a, b], [ra, rb]) = (&mut buffers, &mut repeats);
        std::thread::scope(|s| {
            s.spawn(|| format(mid..end, b, rb));
            format(start..mid, a, ra);
        });
        for buffer in &buffers {
            sink.write_all(buffer)
                .unwrap_or_else(|e| fail(&e.to_string()));
            written += buffer.len();
        }
    }
    sink.flush().unwrap_or_else(|e| fail(&e.to_string()));
    written
}

fn fail(msg: &str) -> ! {
    eprintln!("csv-floor: {msg}");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        fail("usage: csv-floor INPUT.csv OUTPUT.csv (the CLI's output for INPUT.csv)");
    };
    let rubric = Rubric::builtin();
    let (t0, c0) = (Instant::now(), cpu());
    let checksum = read_floor(&rubric, input);
    let (read_wall, read_cpu) = (t0.elapsed().as_secs_f64(), cpu() - c0);
    let loaded = load_output(output);
    let (t0, c0) = (Instant::now(), cpu());
    let bytes = write_floor(&loaded);
    let (write_wall, write_cpu) = (t0.elapsed().as_secs_f64(), cpu() - c0);
    eprintln!(
        "{{\"read\": {{\"wall\": {read_wall:.4}, \"cpu\": {read_cpu:.4}}}, \
         \"write\": {{\"wall\": {write_wall:.4}, \"cpu\": {write_cpu:.4}}}, \
         \"bytes\": {bytes}, \"checksum\": {checksum}}}"
    );
}
