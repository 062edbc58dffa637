//! `csv-floor --job INPUT.csv`: a prototype of the fastest honest whole job of
//! `civic-value score --columns id,total` (issue 10's feasibility question), output on
//! standard output:
//!
//! - **read**: the file in chunks of 1 MiB by `read` into reused buffers, each cut after
//!   its last line break (the rest carried into the next), by one thread;
//! - **split + parse**, on 2 worker threads, a chunk at a time: a chunk holding a `"` is
//!   counted (the CLI would read it with the full CSV reader); cells are split on the
//!   delimiter in one pass that also reads a number cell's digits (the integer / short
//!   decimal fast path, the same arithmetic as the engine's `short_decimal`, bit-identical
//!   to `str::parse::<f64>`), any other cell by `CsvLayout::encode_cell` (categories,
//!   booleans, ranges, long numbers: the CLI's own rules);
//! - **score**: 256 rows at a time, row-major, by `BatchScorer::totals` (the engine's batch
//!   path, the same bits as `Rubric::score`);
//! - **write**: `id,total` lines with the CLI's `push_number` (itoa / zmij shortest
//!   digits) into the chunk's own output buffer, written in input order by a writer thread.
//!
//! Prints one line of JSON on stderr: wall seconds, CPU seconds (every thread, getrusage),
//! rows, cells read the general way (the last row of each chunk, which has fewer than 8
//! bytes after a cell) and chunks holding a quote; with `CSV_JOB_PHASES=1` also each worker
//! phase's CPU seconds summed over the workers (thread CPU clocks: a system call per 256
//! rows, which adds ≈ 0.01 s).
//!
//! Tried and slower on this machine (1 M rows, 63 MB): a separate pass finding every
//! delimiter first (8 bytes at a time, or a 64-bit mask per 64 bytes), then reading cells
//! between known ends: 0.23–0.25 s CPU against 0.19 s for the one-pass scan here (the
//! compiler does not turn the 64-byte mask into vector compares; explicit SIMD would need
//! `unsafe`, which the workspace denies); a byte loop per digit: 0.22 s.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

use civic_value::stream::{Column, CsvInitiatives, CsvLayout, trim};
use civic_value::{BatchScorer, Rubric};

use crate::text;

const CHUNK: usize = 1 << 20;
const ROWS: usize = 256;
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// How a column's cell is read.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Id,
    /// A number criterion: fast path, else `encode_cell`; its column in the scorer.
    Number(usize, usize),
    /// Another criterion (category, boolean): `encode_cell`.
    Other(usize, usize),
    Skip,
}

#[derive(Default, Clone, Copy)]
struct Phases {
    parse: f64,
    score: f64,
    format: f64,
    rows: usize,
    general: usize,
    quoted: usize,
}

fn thread_cpu(timed: bool) -> f64 {
    if timed { crate::thread_cpu() } else { 0.0 }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Eight bytes at `p`, the first in the lowest byte, when there are eight.
#[inline]
fn word(buf: &[u8], p: usize) -> Option<u64> {
    let b: [u8; 8] = buf.get(p..p + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// Digits at `p` (up to 8): how many, and their value; no branch on each digit.
#[inline]
fn digits(buf: &[u8], p: usize) -> Option<(usize, u64)> {
    let w = word(buf, p)?;
    let a = w ^ (ONES * u64::from(b'0'));
    // A byte is not a digit when its high nibble is set in `a`, or adding 6 carries into
    // it; bytes after the first non-digit may be flagged wrongly, which is never read.
    let not_digit = (a | a.wrapping_add(ONES * 6)) & (ONES * 0xF0);
    let n = (not_digit.trailing_zeros() / 8) as usize;
    if n == 0 || n == 8 {
        return Some((n, 0)).filter(|_| n == 0);
    }
    // The n digits moved to the top bytes (zeros before them), then combined in pairs,
    // fours and eights (the first digit is the most significant).
    let mut v = a << (8 * (8 - n));
    v = v.wrapping_mul(10).wrapping_add(v >> 8);
    v = ((v & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32))))
        >> 32;
    Some((n, v))
}

/// A number cell at `p` read without a branch per digit: `d` or `d.d` with 1–7 digits on
/// each side, ending at the delimiter or the line's end (`NaN` for an empty cell) — the
/// engine's short decimal (`m / 10^f` with `m` below 10^15, exact as `str::parse`). Its
/// value and where it ends; `None` for anything else (read the general way).
#[inline]
fn number(buf: &[u8], p: usize, delim: u8) -> Option<(f64, usize)> {
    let (n, whole) = digits(buf, p)?;
    let end = p + n;
    let b = *buf.get(end)?;
    if b == delim || b == b'\n' {
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
    let b = *buf.get(last)?;
    if k == 0 || !(b == delim || b == b'\n') {
        return None;
    }
    let m = whole * POW10[k] as u64 + fraction;
    Some((m as i64 as f64 / POW10[k], last))
}

/// A short text's bytes (zeros after it) and length.
type Key = (u64, u64, usize);

/// A text of at most 16 bytes as a key: its bytes (zeros after it) and its length.
#[inline]
fn short_key(buf: &[u8], start: usize, end: usize) -> Option<Key> {
    let n = end - start;
    if n > 16 {
        return None;
    }
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

/// Two short texts equal (compared 8 bytes at a time, no call).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in x.by_ref().zip(y.by_ref()) {
        if p != q {
            return false;
        }
    }
    x.remainder().iter().zip(y.remainder()).all(|(p, q)| p == q)
}

/// The cell that starts at `p` (its line ends with `\n`): its end.
#[inline]
fn cell_end(buf: &[u8], mut p: usize, delim: u8) -> usize {
    while let Some(w) = word(buf, p) {
        let (x, y) = (w ^ (ONES * u64::from(delim)), w ^ (ONES * u64::from(b'\n')));
        // A zero byte of x or y (the lowest one found is exact).
        let hit = (x.wrapping_sub(ONES) & !x | y.wrapping_sub(ONES) & !y) & HIGH;
        if hit != 0 {
            return p + (hit.trailing_zeros() / 8) as usize;
        }
        p += 8;
    }
    while let Some(&b) = buf.get(p) {
        if b == delim || b == b'\n' {
            break;
        }
        p += 1;
    }
    p
}

struct Worker<'a> {
    layout: &'a CsvLayout<'a>,
    roles: &'a [Role],
    batch: &'a BatchScorer<'a>,
    delim: u8,
    width: usize,
    data: Vec<f64>,
    totals: Vec<f64>,
    ids: Vec<(usize, usize)>,
    cache: Vec<Vec<(String, f64)>>,
    /// Per column, the values of up to 4 short texts (see [`short_key`]).
    keys: Vec<Vec<(Key, f64)>>,
    timed: bool,
    phases: Phases,
}

impl Worker<'_> {
    /// Parse, score and format the lines of `buf` into `out`.
    fn chunk(&mut self, buf: &[u8], out: &mut Vec<u8>) {
        out.clear();
        if memchr::memchr(b'"', buf).is_some() {
            self.phases.quoted += 1;
        }
        // The whole chunk checked once (an ASCII run is checked 16 bytes at a time); a cell
        // is then a slice of it (`get` checks only that it starts and ends on characters).
        let Ok(text) = std::str::from_utf8(buf) else {
            self.phases.general += 1;
            return;
        };
        let mut p = 0;
        while p < buf.len() {
            let t0 = thread_cpu(self.timed);
            let mut rows = 0;
            self.ids.clear();
            self.data.clear();
            self.data.resize(ROWS * self.width, f64::NAN);
            while rows < ROWS && p < buf.len() {
                p = self.line(text, p, rows);
                rows += 1;
            }
            let t1 = thread_cpu(self.timed);
            self.totals.clear();
            self.totals.resize(rows, 0.0);
            if self
                .batch
                .totals(&self.data[..rows * self.width], &mut self.totals)
                .is_err()
            {
                self.phases.general += rows;
            }
            let t2 = thread_cpu(self.timed);
            for (&(a, b), &total) in self.ids.iter().zip(&self.totals) {
                let id = text.get(a..b).unwrap_or("");
                text::push_csv_field(out, trim(id));
                out.push(self.delim);
                text::push_number(out, total);
                out.push(b'\n');
            }
            let t3 = thread_cpu(self.timed);
            self.phases.parse += t1 - t0;
            self.phases.score += t2 - t1;
            self.phases.format += t3 - t2;
            self.phases.rows += rows;
        }
    }

    /// `encode_cell(i, cell)`'s low value, remembered per column for the last texts seen
    /// (a category or yes/no column repeats a few texts).
    #[inline]
    fn cached(slots: &mut Vec<(String, f64)>, layout: &CsvLayout<'_>, i: usize, cell: &str) -> f64 {
        for (t, v) in slots.iter() {
            if same(t.as_bytes(), cell.as_bytes()) {
                return *v;
            }
        }
        let v = layout.encode_cell(i, cell).map_or(f64::NAN, |v| v.0);
        if cell.len() <= 32 {
            if slots.len() == 4 {
                slots.remove(0);
            }
            slots.push((cell.to_owned(), v));
        }
        v
    }

    /// Read the line starting at `p` into row `r`; where the next line starts.
    #[inline]
    fn line(&mut self, text: &str, mut p: usize, r: usize) -> usize {
        let buf = text.as_bytes();
        let row = &mut self.data[r * self.width..(r + 1) * self.width];
        let mut id = (p, p);
        for (k, role) in self.roles.iter().enumerate() {
            if k > 0 {
                // past the delimiter
                p += 1;
            }
            let start = p;
            match *role {
                Role::Number(i, j) => match number(buf, p, self.delim) {
                    Some((x, end)) => {
                        row[j] = x;
                        p = end;
                    }
                    None => {
                        let end = cell_end(buf, p, self.delim);
                        self.phases.general += 1;
                        let cell = text.get(start..end).unwrap_or("");
                        let cell = cell.strip_suffix('\r').unwrap_or(cell);
                        row[j] = self.layout.encode_cell(i, cell).map_or(f64::NAN, |v| v.0);
                        p = end;
                    }
                },
                Role::Other(i, j) => {
                    p = cell_end(buf, p, self.delim);
                    if let Some(key) = short_key(buf, start, p)
                        && let Some(&(_, v)) = self.keys[k].iter().find(|(q, _)| *q == key)
                    {
                        row[j] = v;
                        continue;
                    }
                    let cell = text.get(start..p).unwrap_or("");
                    let cell = cell.strip_suffix('\r').unwrap_or(cell);
                    row[j] = Self::cached(&mut self.cache[k], self.layout, i, cell);
                    if let Some(key) = short_key(buf, start, p)
                        && self.keys[k].len() < 4
                    {
                        self.keys[k].push((key, row[j]));
                    }
                }
                Role::Id => {
                    p = cell_end(buf, p, self.delim);
                    id = (start, p);
                }
                Role::Skip => p = cell_end(buf, p, self.delim),
            }
        }
        self.ids.push(id);
        // to the next line: the common row ends after its last cell
        if buf.get(p) == Some(&b'\n') {
            return p + 1;
        }
        match memchr::memchr(b'\n', &buf[p.min(buf.len())..]) {
            Some(k) => p + k + 1,
            None => buf.len(),
        }
    }
}

pub fn run(rubric: &Rubric, path: &str) {
    let (t0, c0) = (Instant::now(), crate::cpu());
    let mut file =
        std::fs::File::open(path).unwrap_or_else(|e| crate::fail(&format!("{path}: {e}")));
    // The header line.
    let mut first = vec![0u8; CHUNK];
    let mut filled = read_full(&mut file, &mut first);
    let header_end = memchr::memchr(b'\n', &first[..filled]).map_or(filled, |k| k + 1);
    let csv = CsvInitiatives::new(rubric, &first[..header_end], None, None, &[])
        .unwrap_or_else(|e| crate::fail(&e.to_string()));
    let layout = csv.layout().clone();
    let delim = layout.dialect().delimiter;
    let mut ids = Vec::new();
    let roles: Vec<Role> = layout
        .columns()
        .iter()
        .map(|c| match c {
            Column::Id => Role::Id,
            Column::Criterion(i) => {
                let j = ids.len();
                ids.push(rubric.criteria()[*i].id());
                match rubric.criteria()[*i].kind() {
                    civic_value::InputKind::Number | civic_value::InputKind::Likert { .. } => {
                        Role::Number(*i, j)
                    }
                    _ => Role::Other(*i, j),
                }
            }
            _ => Role::Skip,
        })
        .collect();
    let batch = rubric
        .batch(&ids, None)
        .unwrap_or_else(|e| crate::fail(&e.to_string()));
    let width = ids.len();
    let timed = std::env::var_os("CSV_JOB_PHASES").is_some();
    first.drain(..header_end);
    filled -= header_end;
    first.resize(CHUNK, 0);

    let (work_tx, work_rx) = sync_channel::<(usize, Vec<u8>)>(4);
    let work_rx = Mutex::new(work_rx);
    let (free_tx, free_rx) = sync_channel::<Vec<u8>>(8);
    let (done_tx, done_rx) = sync_channel::<(usize, Vec<u8>, Vec<u8>)>(8);
    let (out_free_tx, out_free_rx) = sync_channel::<Vec<u8>>(8);
    let out_free_rx = Mutex::new(out_free_rx);
    for _ in 0..6 {
        let _ = free_tx.send(vec![0u8; CHUNK]);
        let _ = out_free_tx.send(Vec::with_capacity(CHUNK / 2));
    }
    let phases = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (work_rx, out_free_rx, done_tx) = (&work_rx, &out_free_rx, done_tx.clone());
                let (layout, roles, batch) = (&layout, &roles, &batch);
                s.spawn(move || {
                    let mut w = Worker {
                        layout,
                        roles,
                        batch,
                        delim,
                        width,
                        data: Vec::new(),
                        totals: Vec::new(),
                        ids: Vec::new(),
                        cache: vec![Vec::new(); roles.len()],
                        keys: vec![Vec::new(); roles.len()],
                        timed,
                        phases: Phases::default(),
                    };
                    loop {
                        let next = work_rx.lock().map(|rx| rx.recv());
                        let Ok(Ok((seq, buf))) = next else { break };
                        // A free output buffer, or a new one: waiting for one could wait
                        // forever (the other worker, run ahead while this one was
                        // descheduled, left every buffer with the writer, which waits for
                        // this chunk: seen under load).
                        let mut out = out_free_rx
                            .lock()
                            .ok()
                            .and_then(|rx| rx.try_recv().ok())
                            .unwrap_or_default();
                        w.chunk(&buf, &mut out);
                        if done_tx.send((seq, buf, out)).is_err() {
                            break;
                        }
                    }
                    w.phases
                })
            })
            .collect();
        drop(done_tx);
        let free_tx2 = free_tx.clone();
        let writer = s.spawn(move || write_in_order(done_rx, free_tx2, out_free_tx));
        drop(free_tx);
        // The reader: this thread.
        let mut buf = first;
        let mut seq = 0;
        loop {
            if filled < buf.len() {
                filled += read_full(&mut file, &mut buf[filled..]);
            }
            if filled == 0 {
                break;
            }
            let end = if filled < buf.len() {
                // The end of the file: a last line without a break gets one.
                if buf[filled - 1] != b'\n' {
                    buf[filled] = b'\n';
                    filled += 1;
                }
                filled
            } else {
                memchr::memrchr(b'\n', &buf[..filled])
                    .map(|k| k + 1)
                    .unwrap_or_else(|| crate::fail("a line longer than a chunk"))
            };
            let mut next = free_rx.recv().unwrap_or_else(|_| vec![0u8; CHUNK]);
            next.resize(CHUNK, 0);
            let rest = filled - end;
            next[..rest].copy_from_slice(&buf[end..filled]);
            buf.truncate(end);
            let _ = work_tx.send((seq, buf));
            seq += 1;
            buf = next;
            let at_end = filled < CHUNK;
            filled = rest;
            if at_end && rest == 0 {
                break;
            }
        }
        drop(work_tx);
        let mut total = Phases::default();
        for w in workers {
            let p = w.join().unwrap_or_default();
            total.parse += p.parse;
            total.score += p.score;
            total.format += p.format;
            total.rows += p.rows;
            total.general += p.general;
            total.quoted += p.quoted;
        }
        let _ = writer.join();
        total
    });
    let (wall, cpu) = (t0.elapsed().as_secs_f64(), crate::cpu() - c0);
    eprintln!(
        "{{\"job\": {{\"wall\": {wall:.4}, \"cpu\": {cpu:.4}, \"parse_cpu\": {:.4}, \
         \"score_cpu\": {:.4}, \"format_cpu\": {:.4}, \"rows\": {}, \"general\": {}, \
         \"quoted_chunks\": {}}}}}",
        phases.parse, phases.score, phases.format, phases.rows, phases.general, phases.quoted
    );
}

fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => crate::fail(&e.to_string()),
        }
    }
    n
}

fn write_in_order(
    done: Receiver<(usize, Vec<u8>, Vec<u8>)>,
    free: SyncSender<Vec<u8>>,
    out_free: SyncSender<Vec<u8>>,
) {
    let stdout = std::io::stdout();
    let mut sink = stdout.lock();
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for (seq, buf, out) in done {
        let _ = free.try_send(buf);
        waiting.insert(seq, out);
        while let Some(out) = waiting.remove(&next) {
            sink.write_all(&out)
                .unwrap_or_else(|e| crate::fail(&e.to_string()));
            let _ = out_free.try_send(out);
            next += 1;
        }
    }
    let _ = sink.flush();
}
