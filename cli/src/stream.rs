//! Scoring files of any size as a stream: the main thread reads raw items in blocks and
//! writes results in input order; worker threads (one per core) decode, score and format
//! each block. At most a few blocks are in flight, so memory does not grow with the number
//! of rows. CSV rows written as CSV or NDJSON take the batch path (`BatchScorer`, no
//! allocation per row); other rows and formats the explained path (`Rubric::score`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

use civic_value::{BatchScorer, CsvLayout, Rubric};

use crate::Failure;
use crate::input::{
    Block, InputOptions, Problem, Source, csv_initiative, json_initiative, open_source,
    score_problem,
};
use crate::load::{file_size, open, shown};
use crate::output::{Format, Writer, csv_header};
use crate::progress::Progress;
use crate::pump::pump;

/// What every worker needs to score.
pub(crate) struct Settings<'r> {
    pub rubric: &'r Rubric,
    pub perspective: Option<&'r str>,
    pub format: Format,
    pub lang: &'r str,
    pub options: &'r InputOptions,
}

/// One input file, shared by the blocks read from it.
struct FileCtx<'r> {
    name: String,
    layout: Option<CsvLayout<'r>>,
    batch: Option<BatchScorer<'r>>,
}

/// A block to score.
struct Job<'r> {
    seq: u64,
    file: Arc<FileCtx<'r>>,
    block: Block,
    out: Vec<u8>,
    /// A fatal error of the file, reported after the block's items.
    fatal: Option<String>,
}

/// A scored block.
struct Done {
    seq: u64,
    block: Block,
    out: Vec<u8>,
    problems: Vec<String>,
    items: u64,
    failed: u64,
    fatal: Option<String>,
}

/// Per-worker buffers, reused from row to row.
struct Scratch {
    low: Vec<f64>,
    high: Vec<f64>,
    points: Vec<f64>,
    id: String,
}

fn process(settings: &Settings<'_>, job: Job<'_>, scratch: &mut Scratch) -> Done {
    let Job {
        seq,
        file,
        block,
        mut out,
        fatal,
    } = job;
    out.clear();
    let mut writer = Writer::new(settings.rubric, settings.format, settings.lang);
    let mut problems = Vec::new();
    let mut first = true;
    let mut emit = |out: &mut Vec<u8>| {
        if !first {
            out.extend_from_slice(settings.format.separator());
        }
        first = false;
    };
    let mut failed = 0;
    let mut fail = |p: Box<Problem>| {
        failed += 1;
        problems.push(p.message(&file.name));
    };
    let score = |initiative: &civic_value::Initiative| {
        settings
            .rubric
            .score(&initiative.inputs, settings.perspective)
    };
    if let Some(layout) = &file.layout {
        let dialect = Some(layout.dialect());
        for row in block.rows.iter().take(block.rows_len) {
            if let Some(batch) = &file.batch
                && settings.format.compact()
            {
                let n = batch.columns();
                scratch.low.resize(n, 0.0);
                scratch.high.resize(n, 0.0);
                scratch.points.resize(batch.criteria(), 0.0);
                let (id_cell, name_cell) = layout.id_and_name(row);
                if layout.encode(row, &mut scratch.low, &mut scratch.high)
                    && let (Ok(id), Ok(name)) = (
                        std::str::from_utf8(id_cell.unwrap_or_default()),
                        std::str::from_utf8(name_cell.unwrap_or_default()),
                    )
                    && let Ok(r) = batch.score_row(&scratch.low, &scratch.high, &mut scratch.points)
                {
                    let id = if id_cell.is_some() {
                        id
                    } else {
                        scratch.id.clear();
                        let _ = write!(scratch.id, "row{}", row.number);
                        &scratch.id
                    };
                    let name = if name_cell.is_some() { name } else { id };
                    emit(&mut out);
                    writer.batch_row(&mut out, id, name, &r, &scratch.points);
                    continue;
                }
            }
            match csv_initiative(layout, row) {
                Err(p) => fail(p),
                Ok(initiative) => match score(&initiative) {
                    Ok(s) => {
                        emit(&mut out);
                        writer.scored(&mut out, &initiative, &s);
                    }
                    Err(e) => fail(Box::new(score_problem(
                        &initiative,
                        row.line,
                        None,
                        dialect,
                        e,
                    ))),
                },
            }
        }
    } else {
        for (place, range) in &block.items {
            let bytes = block.bytes.get(range.clone()).unwrap_or_default();
            match json_initiative(bytes, place, &settings.options.ignore) {
                Err(p) => fail(p),
                Ok(initiative) => match score(&initiative) {
                    Ok(s) => {
                        emit(&mut out);
                        writer.scored(&mut out, &initiative, &s);
                    }
                    Err(e) => {
                        let index = place.in_array.then_some(place.index);
                        fail(Box::new(score_problem(
                            &initiative,
                            place.line,
                            index,
                            None,
                            e,
                        )));
                    }
                },
            }
        }
    }
    Done {
        seq,
        items: block.len() as u64,
        block,
        out,
        problems,
        failed,
        fatal,
    }
}

/// Totals of a run, for the exit status.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub items: u64,
    pub failed: u64,
    /// Files that could not be read to the end (bad header, syntax error …).
    pub bad_files: u64,
    /// Files that could not be opened.
    pub unreadable: u64,
}

/// Writes finished blocks in input order.
struct Sink<'a, W: Write> {
    out: W,
    format: Format,
    next: u64,
    pending: BTreeMap<u64, Done>,
    wrote_any: bool,
    summary: Summary,
    progress: &'a Progress,
    /// The reader stops (stdout closed).
    stopped: bool,
    error: Option<std::io::Error>,
    pool: Vec<(Block, Vec<u8>)>,
}

impl<W: Write> Sink<'_, W> {
    fn write(&mut self, bytes: &[u8]) {
        if self.stopped {
            return;
        }
        if let Err(e) = self.out.write_all(bytes) {
            self.stopped = true;
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                self.error = Some(e);
            }
        }
    }

    fn accept(&mut self, done: Done) {
        self.pending.insert(done.seq, done);
        while let Some(done) = self.pending.remove(&self.next) {
            self.next += 1;
            if !done.out.is_empty() {
                if self.wrote_any {
                    self.write(self.format.separator());
                } else if self.format == Format::Json {
                    self.write(b"[\n");
                }
                self.write(&done.out);
                self.wrote_any = true;
                if !self.stopped
                    && let Err(e) = self.out.flush()
                {
                    self.stopped = true;
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        self.error = Some(e);
                    }
                }
            }
            for p in &done.problems {
                self.progress.eprintln(p);
            }
            if let Some(f) = &done.fatal {
                self.progress.eprintln(f);
                self.summary.bad_files += 1;
            }
            self.summary.items += done.items;
            self.summary.failed += done.failed;
            self.progress.update(self.summary.items);
            self.pool.push((done.block, done.out));
        }
    }

    fn finish(&mut self) {
        if self.format == Format::Json {
            let end: &[u8] = if self.wrote_any { b"\n]\n" } else { b"[]\n" };
            self.write(end);
        }
        if !self.stopped
            && let Err(e) = self.out.flush()
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            self.error = Some(e);
        }
    }
}

/// The blocks sent to the workers and not yet written.
struct Flight<'r> {
    jobs: Option<SyncSender<Job<'r>>>,
    done: Receiver<Done>,
    in_flight: usize,
    max: usize,
}

impl<'r> Flight<'r> {
    /// Send a block to the workers; write what is finished, waiting while too many
    /// blocks are in flight.
    fn send<W: Write>(&mut self, job: Job<'r>, sink: &mut Sink<'_, W>) {
        let sent = self.jobs.as_ref().is_some_and(|tx| tx.send(job).is_ok());
        if !sent {
            sink.stopped = true;
            return;
        }
        self.in_flight += 1;
        while let Ok(done) = self.done.try_recv() {
            self.in_flight -= 1;
            sink.accept(done);
        }
        while self.in_flight >= self.max {
            if !self.wait(sink) {
                return;
            }
        }
    }

    fn wait<W: Write>(&mut self, sink: &mut Sink<'_, W>) -> bool {
        match self.done.recv() {
            Ok(done) => {
                self.in_flight -= 1;
                sink.accept(done);
                true
            }
            Err(_) => {
                sink.stopped = true;
                false
            }
        }
    }

    /// Write everything still in flight.
    fn drain<W: Write>(&mut self, sink: &mut Sink<'_, W>) {
        while self.in_flight > 0 && self.wait(sink) {}
    }

    /// Let the workers end and write everything still in flight.
    fn finish<W: Write>(&mut self, sink: &mut Sink<'_, W>) {
        self.jobs = None;
        self.drain(sink);
    }
}

/// Score every file in turn into stdout, reporting bad items on stderr as they come.
///
/// # Errors
/// `Failure::Usage` when stdout cannot be written.
pub(crate) fn run(settings: &Settings<'_>, paths: &[PathBuf]) -> Result<Summary, Failure> {
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZero::get)
        .clamp(1, 8);
    let max_in_flight = 2 * workers + 1;
    let total: u64 = paths.iter().filter_map(|p| file_size(p)).sum();
    let progress = Progress::new(total);
    let stdout = std::io::stdout().lock();
    let mut sink = Sink {
        out: std::io::BufWriter::with_capacity(1 << 16, stdout),
        format: settings.format,
        next: 0,
        pending: BTreeMap::new(),
        wrote_any: false,
        summary: Summary::default(),
        progress: &progress,
        stopped: false,
        error: None,
        pool: Vec::new(),
    };
    if settings.format == Format::Csv {
        sink.write(&csv_header(settings.rubric));
    }
    std::thread::scope(|scope| {
        let (job_tx, job_rx): (SyncSender<Job<'_>>, Receiver<Job<'_>>) = sync_channel(workers);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (done_tx, done_rx): (Sender<Done>, Receiver<Done>) = channel();
        for _ in 0..workers {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                let mut scratch = Scratch {
                    low: Vec::new(),
                    high: Vec::new(),
                    points: Vec::new(),
                    id: String::new(),
                };
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    if done_tx.send(process(settings, job, &mut scratch)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut seq = 0u64;
        let mut flight = Flight {
            jobs: Some(job_tx),
            done: done_rx,
            in_flight: 0,
            max: max_in_flight,
        };
        for path in paths {
            if sink.stopped {
                break;
            }
            let name = shown(path);
            let reader = match open(path) {
                Ok(r) => r,
                Err(Failure::Usage(msg) | Failure::Invalid(msg)) => {
                    progress.eprintln(&format!("error: {msg}"));
                    sink.summary.unreadable += 1;
                    continue;
                }
            };
            let (reader, state) = pump(reader, Arc::clone(&progress.bytes));
            let mut source = match open_source(reader, path, settings.rubric, settings.options) {
                Ok(s) => s,
                Err(e) => {
                    let (block, out) = sink.pool.pop().unwrap_or_default();
                    let file = Arc::new(FileCtx {
                        name: name.clone(),
                        layout: None,
                        batch: None,
                    });
                    let fatal = Some(format!("{name}: {}", crate::text::escape(&e.to_string())));
                    let job = Job {
                        seq,
                        file,
                        block,
                        out,
                        fatal,
                    };
                    seq += 1;
                    flight.send(job, &mut sink);
                    continue;
                }
            };
            let layout = match &source {
                Source::Csv(reader, _) => Some(reader.layout().clone()),
                Source::Json(..) => None,
            };
            let batch = layout.as_ref().and_then(|l| {
                settings
                    .rubric
                    .batch(&l.criterion_columns(), settings.perspective)
                    .ok()
            });
            let file = Arc::new(FileCtx {
                name: name.clone(),
                layout,
                batch,
            });
            loop {
                if sink.stopped {
                    break;
                }
                if state.starving() {
                    // The input has nothing more for now: write what is scored first.
                    flight.drain(&mut sink);
                }
                let (mut block, out) = sink.pool.pop().unwrap_or_default();
                let (more, fatal) = match source.fill(&mut block, &|| state.starving()) {
                    Ok(more) => (more, None),
                    Err(e) => (
                        false,
                        Some(format!("{name}: {}", crate::text::escape(&e.to_string()))),
                    ),
                };
                if block.is_empty() && fatal.is_none() {
                    sink.pool.push((block, out));
                    break;
                }
                let job = Job {
                    seq,
                    file: Arc::clone(&file),
                    block,
                    out,
                    fatal: fatal.clone(),
                };
                seq += 1;
                flight.send(job, &mut sink);
                if !more || fatal.is_some() {
                    break;
                }
            }
        }
        flight.finish(&mut sink);
    });
    sink.finish();
    progress.finish();
    if let Some(e) = sink.error {
        return Err(Failure::Usage(format!("cannot write the output: {e}")));
    }
    Ok(sink.summary)
}
