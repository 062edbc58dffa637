//! Reading an input on a thread of its own, in chunks, so that the scorer can tell when
//! the input has nothing more for now (a slow pipe, an interactive stdin): it then sends
//! what it has and writes the results instead of waiting for a full block.

use std::io::{self, BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};

/// Bytes per chunk, and chunks read ahead.
const CHUNK: usize = 1 << 16;
const AHEAD: usize = 16;

/// What the reading thread and the scorer share.
#[derive(Debug, Default)]
pub(crate) struct PumpState {
    /// Chunks read and not yet taken.
    queued: AtomicUsize,
    /// The chunk being read is used up (or only whitespace is left of it).
    exhausted: AtomicBool,
}

impl PumpState {
    /// Whether reading on would wait for the input (nothing buffered, nothing queued).
    pub(crate) fn starving(&self) -> bool {
        self.exhausted.load(Ordering::Acquire) && self.queued.load(Ordering::Acquire) == 0
    }
}

/// The scorer's end: a [`BufRead`] over the chunks.
pub(crate) struct Pump {
    rx: Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
    state: Arc<PumpState>,
}

/// Start reading `reader` on its own thread, counting bytes into `count`. The thread ends
/// at the end of the input, on an error, or when the [`Pump`] is dropped and it has read
/// one more chunk (it is not joined: a pipe that never ends cannot hold the process).
pub(crate) fn pump(
    mut reader: Box<dyn Read + Send>,
    count: Arc<AtomicU64>,
) -> (Pump, Arc<PumpState>) {
    let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(AHEAD);
    let state = Arc::new(PumpState {
        queued: AtomicUsize::new(0),
        exhausted: AtomicBool::new(true),
    });
    let shared = Arc::clone(&state);
    std::thread::spawn(move || {
        loop {
            let mut buf = vec![0u8; CHUNK];
            let n = match reader.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            buf.truncate(n);
            count.fetch_add(n as u64, Ordering::Relaxed);
            shared.queued.fetch_add(1, Ordering::AcqRel);
            if tx.send(Ok(buf)).is_err() {
                return;
            }
        }
    });
    let pump = Pump {
        rx,
        chunk: Vec::new(),
        pos: 0,
        state: Arc::clone(&state),
    };
    (pump, state)
}

impl Read for Pump {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..n), available.get(..n)) {
            to.copy_from_slice(from);
        }
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Pump {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.state.queued.fetch_sub(1, Ordering::AcqRel);
                    self.chunk = chunk;
                    self.pos = 0;
                    self.state.exhausted.store(false, Ordering::Release);
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(&[]),
            }
        }
        Ok(self.chunk.get(self.pos..).unwrap_or_default())
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.chunk.len());
        // What is left holds no item (e.g. the line break after the last one).
        let rest = self.chunk.get(self.pos..).unwrap_or_default();
        if rest.iter().all(u8::is_ascii_whitespace) {
            self.state.exhausted.store(true, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_everything_and_counts_it() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let count = Arc::new(AtomicU64::new(0));
        let (mut pump, state) = pump(Box::new(io::Cursor::new(data.clone())), Arc::clone(&count));
        let mut out = Vec::new();
        pump.read_to_end(&mut out).unwrap_or_default();
        assert_eq!(out, data);
        assert_eq!(count.load(Ordering::Relaxed), 300_000);
        assert!(state.starving());
    }
}
