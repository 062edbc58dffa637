//! The progress bar of long runs (indicatif, on stderr): shown only when stderr is a
//! terminal and the input is larger than a few MB; nothing extra when piped.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs above this many bytes get a progress bar.
pub(crate) const THRESHOLD: u64 = 4 << 20;

/// Whether to show a bar: stderr is a terminal and the inputs' known size is above
/// [`THRESHOLD`].
pub(crate) fn should_show(stderr_is_terminal: bool, total_bytes: u64) -> bool {
    stderr_is_terminal && total_bytes > THRESHOLD
}

/// The bar (absent when not shown).
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    start: Instant,
    /// Bytes read so far, counted by the readers of the inputs.
    pub bytes: Arc<AtomicU64>,
}

impl Progress {
    /// A bar over `total_bytes` of input, if [`should_show`].
    pub(crate) fn new(total_bytes: u64) -> Self {
        let bar = should_show(std::io::stderr().is_terminal(), total_bytes).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{bar:30} {percent:>3}%  {msg}  ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Self {
            bar,
            start: Instant::now(),
            bytes: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Show how far the run is: bytes read, rows done and rows per second.
    pub(crate) fn update(&self, rows: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.bytes.load(Ordering::Relaxed));
            let secs = self.start.elapsed().as_secs_f64().max(1e-3);
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let rate = (rows as f64 / secs) as u64;
            bar.set_message(format!("{rows} rows, {rate} rows/s"));
        }
    }

    /// Print a line on stderr without breaking the bar.
    pub(crate) fn eprintln(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Remove the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_on_a_terminal_and_for_large_inputs() {
        assert!(!should_show(false, 1 << 30));
        assert!(!should_show(true, 1 << 20));
        assert!(should_show(true, 5 << 20));
    }
}
