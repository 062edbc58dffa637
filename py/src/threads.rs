//! Splitting the rows of a batch over the cores: the one threading helper of `score_matrix`
//! (`table.rs`) and `score_frame` (`frame.rs`). Called with the GIL released.

/// Fewest rows worth a thread of their own.
const MIN_ROWS_PER_THREAD: usize = 50_000;

/// How many threads score `rows` rows: `requested` (0 or `None`: one per core), at most
/// one per [`MIN_ROWS_PER_THREAD`] rows, at least one.
pub fn count(rows: usize, requested: Option<usize>) -> usize {
    requested
        .filter(|&t| t > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .min(rows / MIN_ROWS_PER_THREAD)
        .max(1)
}

/// Rows per thread when `rows` rows go to `threads` threads (at least one).
pub fn chunk(rows: usize, threads: usize) -> usize {
    rows.div_ceil(threads.max(1)).max(1)
}

/// Run `work` on every part (the `k`-th part is given `k` too), each part on a thread of
/// its own when there are two or more, and return the results in the parts' order (so the
/// first error is the one of the first rows). A thread that stops without returning gives
/// `stopped()`.
pub fn run<P: Send, R: Send>(
    parts: impl Iterator<Item = P>,
    work: impl Fn(usize, P) -> R + Sync,
    stopped: impl Fn() -> R,
) -> Vec<R> {
    let parts: Vec<P> = parts.collect();
    if parts.len() < 2 {
        return parts
            .into_iter()
            .enumerate()
            .map(|(k, p)| work(k, p))
            .collect();
    }
    let work = &work;
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .enumerate()
            .map(|(k, p)| s.spawn(move || work(k, p)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| stopped()))
            .collect()
    })
}
