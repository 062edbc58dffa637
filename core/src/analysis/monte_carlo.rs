//! Monte Carlo: how sure is a score, and a ranking, when the weights and the uncertain
//! inputs could reasonably have been different?
//!
//! Each draw `d` has a generator of its own, seeded from `(seed, d)` (see
//! [`crate::analysis::sampling`]), and uses it in a fixed order:
//!
//! 1. weights from a Dirichlet distribution centred on the effective weights (rubric's or
//!    a perspective's) with the given concentration: one gamma variate per criterion with
//!    a positive weight, in rubric order (none when the concentration is infinite: the
//!    weights stay fixed);
//! 2. when `vary_inputs`, one uniform `U` per input given as a range (or an evidence grade,
//!    whose range the rubric sets), initiative by initiative, criterion by criterion in
//!    rubric order: the input becomes `low + U · (high − low)`, its value and knock-out are
//!    evaluated there;
//! 3. every initiative's total through the engine's aggregation, and its rank: initiatives
//!    that pass their knock-outs (in that draw) first, by total, highest first, ties by
//!    position; knocked-out ones after them in the same way.
//!
//! Statistics are streamed, so memory does not grow with the number of draws, and every
//! statistic is a sum of integers, so the result is the same bits for any number of
//! threads:
//!
//! - `mean`: the totals summed as integers `trunc(total · 2⁶⁰)`, then divided by
//!   `2⁶⁰ · draws`;
//! - `p5`, `p50`, `p95`: quantiles of a histogram of each initiative's totals with bins of
//!   1/32 point (bin `b` holds `[b/32, (b+1)/32)`, the last one exactly 100). The
//!   q-quantile lies in the first bin `b` where the running count reaches `h = q · draws`;
//!   inside it the totals are taken as spread evenly over the bin narrowed to the
//!   initiative's smallest and largest total, `[max(b/32, min), min((b+1)/32, max)]`, so
//!   the quantile is `lo + (h − before)/count · (hi − lo)`. It is within 1/32 point of the
//!   sample quantile, and exact when every draw gives the same total;
//! - `p_top_k`: the share of draws in which the initiative passes its knock-outs and ranks
//!   `top_k` or better; `ranks[i][r]`: the share of draws in which it ranks `r + 1`.

use serde::{Deserialize, Serialize};

#[cfg(not(target_arch = "wasm32"))]
mod kernels;
mod window;

#[cfg(not(target_arch = "wasm32"))]
use crate::Aggregation;
#[cfg(not(target_arch = "wasm32"))]
use crate::aggregate::{Sum, add_terms, finish_sum, scale, term, two_sum, weight_sum};
use crate::analysis::ranking::Ranker;
use crate::analysis::reweight::Evaluated;
#[cfg(any(target_arch = "wasm32", test))]
use crate::analysis::sampling::uniform;
#[cfg(not(target_arch = "wasm32"))]
use crate::analysis::sampling::uniforms_into;
use crate::analysis::sampling::{dirichlet, draw_rng};
use crate::error::{ErrorKind, Result};
use crate::input::Inputs;
#[cfg(not(target_arch = "wasm32"))]
use crate::log1p::log1p_into;
#[cfg(not(target_arch = "wasm32"))]
use crate::rubric::Knockout;
use crate::rubric::Rubric;
#[cfg(not(target_arch = "wasm32"))]
use crate::value::{ValueFn, linear};
use window::Window;

/// Histogram bins per point of the total (a power of two, so binning is exact).
pub const BINS_PER_POINT: f64 = 32.0;
/// Number of histogram bins: `[0, 100)` in steps of 1/32, and 100 itself.
const BINS: usize = 3201;
/// Most draws per unit of work (and per progress report). A chunk has [`MIN_CHUNK`] draws
/// for fewer than [`MANY`] initiatives (their tallies stay in cache); from there on up to
/// 2 048, as many as keep a thread's chunk buffer near 8 MB ([`CHUNK_CELLS`] cells of 4
/// bytes, a bin and a place each): each chunk visits every initiative's histogram and rank
/// row once (cache misses that cost ≈ 1 ms a chunk for 1 000 initiatives), so longer chunks
/// cost less per draw (1 024 draws instead of 2 048 took ≈ 2 % more time, 256 ≈ 10 %). The
/// result is the same bits for any chunk length.
pub const CHUNK: u64 = 2048;

// The chunk's sums of totals in parts ([`Run::flush`]) are exact only while a chunk's sum
// of whole numbers below 2³⁰ stays below 2⁵³: at most 2²³ draws a chunk.
const _: () = assert!(CHUNK <= 1 << 23);
/// Fewest draws per unit of work.
pub const MIN_CHUNK: u64 = 256;
/// Initiatives from which chunks grow past [`MIN_CHUNK`].
const MANY: usize = 256;
/// Initiative-draws per chunk buffer.
const CHUNK_CELLS: u64 = 1 << 21;

/// How a run's draws are cut into chunks. On one thread: chunks of `big` draws, the last
/// one what is left. On several: chunks of `big` while at least `threads × big` draws are
/// left, then each chunk a `threads`-th of what is left (a multiple of [`MIN_CHUNK`] /
/// [`TAIL_SPLIT`], at least that, at most `big`), so that the threads finish close together
/// (a long chunk started last would leave the others idle for as long as it takes) with few
/// chunks: each chunk costs a pass over every initiative's counts, so short chunks cost
/// more per draw.
#[derive(Debug, Clone)]
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
struct Schedule {
    draws: u64,
    big: u64,
    /// Draws `0..head` are in chunks of `big`.
    head: u64,
    /// Where each chunk after `head` ends (fewer than `threads × big / tiny`).
    tail: Vec<u64>,
}

/// How many times shorter than [`MIN_CHUNK`] the shortest chunks of a run on several
/// threads may be.
const TAIL_SPLIT: u64 = 4;

impl Schedule {
    fn new(draws: u64, big: u64, threads: usize) -> Self {
        let big = big.max(1);
        let threads = u64::try_from(threads.max(1)).unwrap_or(u64::MAX);
        let mut tail = Vec::new();
        // WebAssembly draws on one thread (and keeps the package small).
        if threads == 1 || cfg!(target_arch = "wasm32") {
            // One thread has nothing to balance: its last chunk is as long as what is left.
            let head = draws / big * big;
            if head < draws {
                tail.push(draws);
            }
            return Self {
                draws,
                big,
                head,
                tail,
            };
        }
        let tiny = (MIN_CHUNK.min(big) / TAIL_SPLIT).max(1);
        let span = big.saturating_mul(threads);
        let head = if draws >= span {
            ((draws - span) / big + 1) * big
        } else {
            0
        };
        let mut at = head;
        while at < draws {
            let left = draws - at;
            at += (left / threads / tiny * tiny).clamp(tiny, big).min(left);
            tail.push(at);
        }
        Self {
            draws,
            big,
            head,
            tail,
        }
    }

    /// Number of chunks.
    fn chunks(&self) -> u64 {
        self.head / self.big + u64::try_from(self.tail.len()).unwrap_or(u64::MAX)
    }

    /// Draws `[from, to)` of chunk `c`.
    fn bounds(&self, c: u64) -> (u64, u64) {
        let bigs = self.head / self.big;
        if c < bigs {
            return (c * self.big, (c + 1) * self.big);
        }
        let k = usize::try_from(c - bigs).unwrap_or(usize::MAX);
        let from = match k.checked_sub(1) {
            None => self.head,
            Some(before) => self.tail.get(before).copied().unwrap_or(self.draws),
        };
        (from, self.tail.get(k).copied().unwrap_or(self.draws))
    }
}

/// Draws per chunk for `n` initiatives (see [`CHUNK`]).
fn chunk_draws(n: usize) -> u64 {
    if n < MANY {
        return MIN_CHUNK;
    }
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    (CHUNK_CELLS / n).clamp(MIN_CHUNK, CHUNK)
}

/// Most draws in one run.
pub const MAX_DRAWS: u64 = 100_000_000;
/// Bytes the per-thread tallies may take together (more threads than fit run as fewer; the
/// result is the same bits for any number).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
const TALLY_BUDGET: usize = 1 << 30;
/// Most initiatives in one run (the rank table grows with the square).
pub const MAX_INITIATIVES: usize = 5_000;
/// `2⁶⁰`, the fixed-point scale of the streamed sums.
const FIXED: f64 = 1_152_921_504_606_846_976.0;

/// What to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloOptions {
    /// Number of draws (1 to 100 million).
    pub draws: u64,
    /// Seed: the same seed gives the same numbers everywhere.
    pub seed: u64,
    /// Concentration of the Dirichlet around the effective weights (higher = closer);
    /// `f64::INFINITY` keeps the weights fixed.
    pub concentration: f64,
    /// Whether inputs given as ranges (or evidence grades) are drawn inside them.
    pub vary_inputs: bool,
    /// How many places count as "top" for `p_top_k`.
    pub top_k: usize,
    /// Threads to use: 0 for one per core (always 1 in WebAssembly); fewer when their
    /// tallies would take more than 1 GiB together (many initiatives).
    pub threads: usize,
}

impl Default for MonteCarloOptions {
    fn default() -> Self {
        Self {
            draws: 10_000,
            seed: 0,
            concentration: 100.0,
            vary_inputs: true,
            top_k: 3,
            threads: 0,
        }
    }
}

/// What the draws say about one initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitiativeSummary {
    /// Mean total.
    pub mean: f64,
    /// 5th percentile of the total (see the module documentation).
    pub p5: f64,
    /// Median total.
    pub p50: f64,
    /// 95th percentile of the total.
    pub p95: f64,
    /// Share of draws in which it passes its knock-outs and ranks `top_k` or better.
    pub p_top_k: f64,
    /// Smallest total drawn.
    pub min: f64,
    /// Largest total drawn.
    pub max: f64,
    /// The total under the unchanged weights, ranges at their points.
    pub point: f64,
    /// Whether a knock-out fails for certain (ranges at their points).
    pub knocked_out: bool,
}

/// The result of a Monte Carlo run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarlo {
    /// Number of draws.
    pub draws: u64,
    /// The seed.
    pub seed: u64,
    /// The concentration used.
    pub concentration: f64,
    /// Whether inputs were drawn inside their ranges.
    pub vary_inputs: bool,
    /// The `k` of `p_top_k`.
    pub top_k: usize,
    /// One summary per initiative, in input order.
    pub summary: Vec<InitiativeSummary>,
    /// `ranks[i][r]`: share of draws in which initiative `i` ranks `r + 1`; rows sum to 1.
    pub ranks: Vec<Vec<f64>>,
}

impl Rubric {
    /// Monte Carlo over weights (Dirichlet) and uncertain inputs (uniform inside their
    /// ranges), reproducible from the seed; see the module documentation for the
    /// definitions. `progress(done, total)` is called on the calling thread after each
    /// chunk of draws (at most every 50 ms when several threads draw); returning `false`
    /// stops the run with `analysis.cancelled`.
    ///
    /// # Errors
    /// `input.invalid_parameter` (path `draws`, `concentration`, `top_k` or
    /// `initiatives`); the errors of [`Rubric::score`] for an initiative, with `rows[i]`
    /// before the path; `analysis.cancelled`.
    pub fn monte_carlo(
        &self,
        initiatives: &[Inputs],
        perspective: Option<&str>,
        options: &MonteCarloOptions,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<MonteCarlo> {
        self.monte_carlo_counts(initiatives, perspective, options, progress)
            .map(MonteCarloCounts::into_result)
    }

    /// [`Rubric::monte_carlo`] with the rank table left as counts
    /// ([`MonteCarloCounts::rank_counts`], `n × n` in one block): for a binding that
    /// writes the shares straight into an array of its own
    /// ([`MonteCarloCounts::rank_shares_into`]) instead of building `n` rows and copying
    /// them. The same numbers.
    ///
    /// # Errors
    /// As [`Rubric::monte_carlo`].
    pub fn monte_carlo_counts(
        &self,
        initiatives: &[Inputs],
        perspective: Option<&str>,
        options: &MonteCarloOptions,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<MonteCarloCounts> {
        check(options, initiatives.len())?;
        // `threads` is honoured everywhere: with 1, no step starts a thread.
        let ev = Evaluated::new_on(self, initiatives, perspective, options.threads)?;
        let run = Run {
            ev: &ev,
            plan: Plan::new(&ev),
            options,
        };
        let (tally, summary) = run.all(progress)?;
        Ok(run.finish(tally, summary))
    }
}

/// A Monte Carlo result with the rank table as counts of draws (see
/// [`Rubric::monte_carlo_counts`]); [`MonteCarloCounts::into_result`] makes the
/// [`MonteCarlo`].
#[derive(Debug, Clone)]
pub struct MonteCarloCounts {
    /// Number of draws.
    pub draws: u64,
    /// The seed.
    pub seed: u64,
    /// The concentration used.
    pub concentration: f64,
    /// Whether inputs were drawn inside their ranges.
    pub vary_inputs: bool,
    /// The `k` of `p_top_k`.
    pub top_k: usize,
    /// One summary per initiative, in input order.
    pub summary: Vec<InitiativeSummary>,
    /// Each initiative's counts of places, over the places it took.
    ranks: Vec<Window>,
    /// Threads the run was asked for ([`MonteCarloOptions::threads`]): with 1,
    /// [`MonteCarloCounts::rank_shares_into`] starts no thread either.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    threads: usize,
}

/// Equal when every number is: the rank tables as counts, however they are stored.
impl PartialEq for MonteCarloCounts {
    fn eq(&self, other: &Self) -> bool {
        (self.draws, self.seed, self.vary_inputs, self.top_k)
            == (other.draws, other.seed, other.vary_inputs, other.top_k)
            && self.concentration == other.concentration
            && self.summary == other.summary
            && self.rank_counts() == other.rank_counts()
    }
}

impl MonteCarloCounts {
    /// The rank table as counts: `[i·n + r]` is the number of draws in which initiative
    /// `i` ranks `r + 1` (`n` initiatives, row by row).
    pub fn rank_counts(&self) -> Vec<u32> {
        let n = self.summary.len();
        let mut out = vec![0; n * n];
        for (row, w) in out.chunks_exact_mut(n.max(1)).zip(&self.ranks) {
            w.expand_into(row, 0, |c| c);
        }
        out
    }

    /// The rank table as shares of the draws, `count / draws` (the numbers of
    /// [`MonteCarlo::ranks`]), row by row into `out`; an `out` shorter than `n²` gets the
    /// first `out.len()` shares, a longer one keeps the rest as it was. A large table is
    /// written by two threads, half of the rows each, unless the run was asked for one
    /// thread.
    pub fn rank_shares_into(&self, out: &mut [f64]) {
        #[allow(clippy::cast_precision_loss)]
        let draws = self.draws as f64;
        let n = self.summary.len().max(1);
        let shares = |rows: &[Window], out: &mut [f64]| {
            for (row, w) in out.chunks_mut(n).zip(rows) {
                w.expand_into(row, 0.0, |c| f64::from(c) / draws);
            }
        };
        #[cfg(not(target_arch = "wasm32"))]
        if n >= MANY
            && self.threads != 1
            && std::thread::available_parallelism().is_ok_and(|p| p.get() > 1)
        {
            let half = self.ranks.len() / 2;
            let (mine, theirs) = self.ranks.split_at(half);
            let (a, b) = out.split_at_mut((half * n).min(out.len()));
            std::thread::scope(|scope| {
                scope.spawn(|| shares(theirs, b));
                shares(mine, a);
            });
            return;
        }
        shares(&self.ranks, out);
    }

    /// The result with the rank table as shares, one row per initiative.
    pub fn into_result(self) -> MonteCarlo {
        let n = self.summary.len();
        let mut shares = vec![0.0; n * n];
        self.rank_shares_into(&mut shares);
        let ranks = if n == 0 {
            Vec::new()
        } else {
            shares.chunks(n).map(<[f64]>::to_vec).collect()
        };
        MonteCarlo {
            draws: self.draws,
            seed: self.seed,
            concentration: self.concentration,
            vary_inputs: self.vary_inputs,
            top_k: self.top_k,
            summary: self.summary,
            ranks,
        }
    }
}

/// The error for a Monte Carlo option that cannot be used: `field` is the option's name in
/// [`MonteCarloOptions`] (`draws`, `seed`, `concentration`, `top_k`, or `initiatives` for
/// their number), `got` the value as text. Its message says what the option accepts; the
/// path is `field`. Bindings call it for a value they cannot even convert (a negative or
/// fractional number), so every language gives the core's message, and rename the path to
/// the option's name in their language (`topK` in JavaScript).
pub fn option_error(field: &str, got: String) -> crate::Error {
    let expected = match field {
        "draws" => "a whole number of draws from 1 to 100000000",
        "seed" => "a whole number from 0 to 2^64 − 1",
        "concentration" => "a concentration greater than 0 (or infinity for fixed weights)",
        "top_k" => "a whole number of at least 1",
        "initiatives" => "at most 5000 initiatives",
        _ => "a valid value",
    };
    ErrorKind::InvalidParameter {
        expected: expected.to_owned(),
        got,
    }
    .at(field)
}

fn check(o: &MonteCarloOptions, n: usize) -> Result<()> {
    if o.draws == 0 || o.draws > MAX_DRAWS {
        return Err(option_error("draws", o.draws.to_string()));
    }
    if o.concentration.is_nan() || o.concentration <= 0.0 {
        return Err(option_error(
            "concentration",
            crate::display_number(o.concentration),
        ));
    }
    if o.top_k == 0 {
        return Err(option_error("top_k", "0".to_owned()));
    }
    if n > MAX_INITIATIVES {
        return Err(option_error("initiatives", n.to_string()));
    }
    Ok(())
}

/// Streamed statistics of some draws (integers only, so merging is exact).
#[derive(Debug, Clone)]
struct Tally {
    /// Each initiative's histogram (bins `0..BINS`), over the bins it has counts in.
    hist: Vec<Window>,
    sum: Vec<i128>,
    min: Vec<f64>,
    max: Vec<f64>,
    /// Each initiative's counts of places (`0..n`), over the places it took.
    ranks: Vec<Window>,
    top: Vec<u32>,
}

impl Tally {
    fn new(n: usize) -> Self {
        Self {
            hist: vec![Window::default(); n],
            sum: vec![0; n],
            min: vec![f64::INFINITY; n],
            max: vec![f64::NEG_INFINITY; n],
            ranks: vec![Window::default(); n],
            top: vec![0; n],
        }
    }

    /// Adds `other`'s counts into these, but for the histograms and rank rows (added by
    /// [`add_rows`]).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    fn merge_small(&mut self, other: &Self) {
        let add = |a: &mut [u32], b: &[u32]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.top, &other.top);
        self.sum
            .iter_mut()
            .zip(&other.sum)
            .for_each(|(x, y)| *x += y);
        self.min
            .iter_mut()
            .zip(&other.min)
            .for_each(|(x, y)| *x = x.min(*y));
        self.max
            .iter_mut()
            .zip(&other.max)
            .for_each(|(x, y)| *x = x.max(*y));
    }
}

/// Adds another tally's histograms and rank rows (`their_hist`, `their_ranks`) into
/// `hist` and `ranks`, those of the same initiatives (`n` initiatives in all); theirs are
/// left with counts of no further use (see [`Window::absorb`]).
#[cfg(not(target_arch = "wasm32"))]
fn add_rows(
    hist: &mut [Window],
    ranks: &mut [Window],
    their_hist: &mut [Window],
    their_ranks: &mut [Window],
    n: usize,
) {
    for (mine, theirs) in hist.iter_mut().zip(their_hist) {
        mine.absorb(theirs, BINS);
    }
    for (mine, theirs) in ranks.iter_mut().zip(their_ranks) {
        mine.absorb(theirs, n);
    }
}

/// A tally's statistics other than the histograms and rank rows, borrowed.
struct Small<'t> {
    sum: &'t [i128],
    min: &'t [f64],
    max: &'t [f64],
    top: &'t [u32],
}

/// The histogram bin of a total: `⌊total · 32⌋`, at most the last bin (a NaN's is 0).
#[inline(always)]
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn bin(total: f64) -> usize {
    ((total * BINS_PER_POINT) as usize).min(BINS - 1)
}

/// Per-thread buffers: one draw's weights, uniforms, values and knock-outs, and a chunk's
/// bins and places (the tally takes a chunk initiative by initiative, so that each
/// initiative's histogram and rank row stay in cache while it is updated).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
struct Scratch {
    weights: Vec<f64>,
    /// One uniform per ranged cell, in drawing order.
    uniforms: Vec<f64>,
    /// Column-major values (`m × n`): criterion `j`'s values of every initiative at `j·n`.
    values: Vec<f64>,
    knocked_out: Vec<bool>,
    /// One draw's compensated sums per initiative (`hi`, `lo`), then its totals.
    hi: Vec<f64>,
    lo: Vec<f64>,
    /// A column of drawn inputs, and of their values.
    xs: Vec<f64>,
    vs: Vec<f64>,
    spare: Vec<f64>,
    /// Totals of the rows that do not count every criterion.
    partial: Vec<f64>,
    order: Vec<u32>,
    /// One draw's places, by initiative.
    place: Vec<u32>,
    /// The chunk's sums of [`fixed`] totals in parts, by initiative (see [`Run::record`]):
    /// the whole parts, and the fractions' high and low [`PART`] bits.
    whole: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    ranker: Ranker,
    /// A chunk's histogram bins and places, by tiles of [`TILE`] initiatives: initiative
    /// `i` in the chunk's draw `s` at [`at(slots, s, i)`](at), as its total's [`bin`] in the
    /// high 16 bits and its place (0-based, [`TOP`] set when it counts as top k) in the low
    /// 16 (4 bytes a cell: the totals themselves go into the sums, smallest and largest as
    /// each draw is made, see [`Run::record`]).
    cells: Vec<u32>,
}

/// Initiatives per tile of the chunk buffer (half a cache line of cells: 8 ran faster than
/// 16).
const TILE: usize = 8;

/// Where draw `slot` of initiative `i` lies in the chunk buffers: tile by tile
/// (`TILE × slots` values each, `slots` the draws per chunk), slot by slot inside a tile.
/// A draw writes a line per tile; the tally reads a tile's draws from one contiguous block.
#[inline(always)]
fn at(slots: usize, slot: usize, i: usize) -> usize {
    (i / TILE) * TILE * slots + slot * TILE + i % TILE
}

/// Marks a place that counts for `p_top_k` (places are below [`MAX_INITIATIVES`] < 2¹⁵).
const TOP: u32 = 1 << 15;
/// The place bits of a cell.
const PLACE: u32 = TOP - 1;

#[cfg(not(target_arch = "wasm32"))]
/// Whether a sum of weights leaves something to score (as [`crate::aggregate::Acc`] checks).
fn valid(weight: f64) -> bool {
    weight > 0.0 && !weight.is_nan()
}

#[cfg(not(target_arch = "wasm32"))]
/// Row `i`'s total from its compensated sum and its sum of weights; its point total when
/// every weight underflowed (nothing to score).
fn total_of(ev: &Evaluated<'_>, i: usize, hi: f64, lo: f64, weight: f64) -> f64 {
    if valid(weight) {
        scale(ev.kind, finish_sum(hi, lo), weight) + 0.0
    } else {
        ev.totals.get(i).copied().unwrap_or(0.0) + 0.0
    }
}

/// Rows per block of [`sum_block`] (16 ran faster than 8, and 32 no faster).
#[cfg(not(target_arch = "wasm32"))]
const ROWS: usize = 16;

/// A block's running sums, aligned to a cache line: when the compiler keeps them on the
/// stack between columns (it does in the AVX-512 clone), a vector stored and loaded back
/// must not straddle two lines, or the load waits for the store to reach the cache (a
/// frame placed at another offset made the whole run ≈ 10 % slower).
#[cfg(not(target_arch = "wasm32"))]
#[repr(C, align(64))]
struct Lanes([f64; ROWS]);

/// The compensated weighted sums of rows `i0..i0 + ROWS` over every column, into `hi` and
/// `lo` (`ROWS` long): [`two_sum`] of `w·v` column by column in rubric order, skipping a
/// criterion a row does not count — the operations [`add_terms`] makes, each block's sums
/// carried across the columns in locals instead of loaded from and stored to the row
/// arrays for every column. Weighted sum only.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn sum_block(
    weights: &[f64],
    plan: &Plan,
    values: &[f64],
    n: usize,
    i0: usize,
    hi: &mut [f64],
    lo: &mut [f64],
) {
    let (mut hb, mut lb) = (Lanes([0.0; ROWS]), Lanes([0.0; ROWS]));
    let (h, l) = (&mut hb.0, &mut lb.0);
    for (j, (&w, &full)) in weights.iter().zip(&plan.column_scored).enumerate() {
        let at = j * n + i0..j * n + i0 + ROWS;
        let Some(column) = values
            .get(at.clone())
            .and_then(|c| <&[f64; ROWS]>::try_from(c).ok())
        else {
            continue;
        };
        if full {
            for ((h, l), &v) in h.iter_mut().zip(l.iter_mut()).zip(column) {
                (*h, *l) = two_sum(*h, *l, w * v);
            }
        } else {
            let scored = plan.scored.get(at).unwrap_or_default();
            for (((h, l), &v), &sc) in h.iter_mut().zip(l.iter_mut()).zip(column).zip(scored) {
                let (a, b) = two_sum(*h, *l, w * v);
                if sc {
                    (*h, *l) = (a, b);
                }
            }
        }
    }
    hi.copy_from_slice(h);
    lo.copy_from_slice(l);
}

/// The ranged cells of one criterion (column), in row order.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
struct Column {
    col: usize,
    /// Where the column's uniforms start in the scratch's uniforms (laid out column by
    /// column, see [`Plan::slot`]).
    start: usize,
    rows: Vec<usize>,
    /// Whether the column has a cell in every row, in row order (`rows` is `0..n`): its
    /// values and knock-outs are written straight, without the row indirection.
    dense: bool,
    low: Vec<f64>,
    /// `high − low`.
    width: Vec<f64>,
    /// Whether the criterion has a knock-out rule to check at the drawn values.
    knockout: bool,
}

/// What does not change from draw to draw, laid out for the block loops.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
struct Plan {
    /// Column-major point values.
    values: Vec<f64>,
    /// Column-major: whether the criterion counts for the initiative.
    scored: Vec<bool>,
    /// Whether every initiative counts criterion `j`.
    column_scored: Vec<bool>,
    /// Initiatives that do not count every criterion (their weight is summed on its own).
    partial: Vec<usize>,
    columns: Vec<Column>,
    /// For each uniform in drawing order, its place in the scratch's uniforms: column by
    /// column, each column's cells in row order (so a column reads its uniforms in one run).
    slot: Vec<usize>,
}

impl Plan {
    /// Nothing to lay out for WebAssembly's plain path.
    #[cfg(target_arch = "wasm32")]
    fn new(_ev: &Evaluated<'_>) -> Self {
        Self {
            values: Vec::new(),
            scored: Vec::new(),
            column_scored: Vec::new(),
            partial: Vec::new(),
            columns: Vec::new(),
            slot: Vec::new(),
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn new(ev: &Evaluated<'_>) -> Self {
        let (n, m) = (ev.len(), ev.m);
        let mut values = vec![0.0; n * m];
        let mut scored = vec![true; n * m];
        for i in 0..n {
            for (j, (&v, &sc)) in ev.row(i).iter().zip(ev.scored_row(i)).enumerate() {
                if let Some(x) = values.get_mut(j * n + i) {
                    *x = v;
                }
                if let Some(x) = scored.get_mut(j * n + i) {
                    *x = sc;
                }
            }
        }
        let column_scored = (0..m)
            .map(|j| {
                scored
                    .get(j * n..(j + 1) * n)
                    .is_some_and(|c| c.iter().all(|&s| s))
            })
            .collect();
        let partial = (0..n)
            .filter(|&i| !ev.scored_row(i).iter().all(|&s| s))
            .collect();
        let mut columns: Vec<Column> = Vec::new();
        let mut slot = vec![0; ev.ranged.len()];
        let mut start = 0;
        for j in 0..m {
            let cells: Vec<(usize, _)> = ev
                .ranged
                .iter()
                .enumerate()
                .filter(|(_, c)| c.col == j)
                .collect();
            if cells.is_empty() {
                continue;
            }
            for (place, (k, _)) in cells.iter().enumerate() {
                if let Some(p) = slot.get_mut(*k) {
                    *p = start + place;
                }
            }
            let rows: Vec<usize> = cells.iter().map(|(_, c)| c.row).collect();
            columns.push(Column {
                col: j,
                start,
                dense: rows.len() == n && rows.iter().enumerate().all(|(i, &r)| i == r),
                rows,
                low: cells.iter().map(|(_, c)| c.low).collect(),
                width: cells.iter().map(|(_, c)| c.high - c.low).collect(),
                knockout: cells.iter().any(|(_, c)| c.knockout),
            });
            start += cells.len();
        }
        Self {
            values,
            scored,
            column_scored,
            partial,
            columns,
            slot,
        }
    }
}

struct Run<'a, 'r> {
    ev: &'a Evaluated<'r>,
    plan: Plan,
    options: &'a MonteCarloOptions,
}

impl Run<'_, '_> {
    /// Draws per chunk: the length of a tile's block in the chunk buffers.
    fn slots(&self) -> usize {
        usize::try_from(chunk_draws(self.ev.len())).unwrap_or(1)
    }

    fn scratch(&self) -> Scratch {
        let n = self.ev.len();
        Scratch {
            weights: self.ev.weights.clone(),
            uniforms: vec![0.0; self.ev.ranged.len()],
            // Column-major for the block path; row-major for WebAssembly's plain one.
            values: if cfg!(target_arch = "wasm32") {
                self.ev.values.clone()
            } else {
                self.plan.values.clone()
            },
            knocked_out: self.ev.knocked_out.clone(),
            hi: vec![0.0; n],
            lo: vec![0.0; n],
            xs: Vec::new(),
            vs: Vec::new(),
            spare: Vec::new(),
            partial: Vec::new(),
            order: Vec::with_capacity(n),
            place: vec![0; n],
            whole: vec![0.0; n],
            high: vec![0.0; n],
            low: vec![0.0; n],
            ranker: Ranker::default(),
            cells: vec![0; n.div_ceil(TILE) * TILE * self.slots()],
        }
    }

    /// The drawn inputs of the ranged cells: their values (written into the column-major
    /// values) and knock-outs, column by column. The same operations on each input as
    /// [`crate::value::ValueFn::value`] (a log's `log1p` through the block form that gives
    /// libm's bits), so the same bits.
    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn draw_inputs(&self, s: &mut Scratch) {
        let ev = self.ev;
        let n = ev.len();
        s.knocked_out.copy_from_slice(&ev.fixed_knockout);
        for column in &self.plan.columns {
            let Some(criterion) = ev.criterion(column.col) else {
                continue;
            };
            let us = s
                .uniforms
                .get(column.start..column.start + column.rows.len())
                .unwrap_or_default();
            s.xs.clear();
            s.xs.extend(
                us.iter()
                    .zip(column.low.iter().zip(&column.width))
                    .map(|(&u, (&low, &width))| low + u * width),
            );
            // A dense column's values go straight into its column of values; others through
            // `s.vs`, then to their rows.
            let column_values = s
                .values
                .get_mut(column.col * n..(column.col + 1) * n)
                .unwrap_or_default();
            let dense = column.dense && column_values.len() == s.xs.len();
            let out: &mut [f64] = if dense {
                column_values
            } else {
                s.vs.clear();
                s.vs.resize(s.xs.len(), 0.0);
                &mut s.vs
            };
            match criterion.vf {
                ValueFn::Log {
                    scale, denominator, ..
                } => {
                    s.spare.clear();
                    s.spare.extend(s.xs.iter().map(|x| x / scale));
                    log1p_into(&s.spare, out);
                    // `value::log`, without a branch (so that it vectorises).
                    for (v, &x) in out.iter_mut().zip(&s.xs) {
                        let q = (*v / denominator).min(1.0);
                        *v = if x <= 0.0 { 0.0 } else { q };
                    }
                }
                ValueFn::Linear { worst, best } => {
                    for (v, &x) in out.iter_mut().zip(&s.xs) {
                        *v = linear(x, worst, best);
                    }
                }
                ref vf => {
                    for (v, &x) in out.iter_mut().zip(&s.xs) {
                        *v = vf.value(x);
                    }
                }
            }
            if !dense {
                let values = s
                    .values
                    .get_mut(column.col * n..(column.col + 1) * n)
                    .unwrap_or_default();
                for (&row, &v) in column.rows.iter().zip(&s.vs) {
                    if let Some(value) = values.get_mut(row) {
                        *value = v;
                    }
                }
            }
            // The rule checked at the drawn point: `Criterion::knockout_fails` of a given
            // point (`Eval::point`) is `Some(true)` exactly when the rule fails there.
            if column.knockout
                && let Some(rule) = criterion.knockout()
            {
                let ko = &mut s.knocked_out;
                // A dense column's threshold rules in a loop of their own each (the rule
                // known outside the loop: compare and or, vectorised).
                match rule {
                    Knockout::AtLeast(_) if column.dense => {
                        ko.iter_mut()
                            .zip(&s.xs)
                            .for_each(|(k, &x)| *k |= rule.fails(x));
                    }
                    Knockout::AtMost(_) if column.dense => {
                        ko.iter_mut()
                            .zip(&s.xs)
                            .for_each(|(k, &x)| *k |= rule.fails(x));
                    }
                    _ => {
                        for (&row, &x) in column.rows.iter().zip(&s.xs) {
                            if let Some(k) = ko.get_mut(row) {
                                *k |= rule.fails(x);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Every initiative's total under the draw's weights and values, into `s.hi`: the
    /// engine's compensated sums ([`add_terms`], criterion by criterion in rubric order, as
    /// [`Evaluated::total`] adds them row by row), so each total is the same bits.
    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn totals(&self, s: &mut Scratch) {
        let (ev, plan) = (self.ev, &self.plan);
        let n = ev.len();
        s.hi.iter_mut().for_each(|h| *h = 0.0);
        s.lo.iter_mut().for_each(|l| *l = 0.0);
        // A weighted sum's rows in blocks of `ROWS`, each block's sums carried in locals
        // over every column; the rest (and a weighted product's `ln`) column by column.
        let blocked = if ev.kind == Aggregation::WeightedSum {
            n - n % ROWS
        } else {
            0
        };
        for ((hi, lo), i0) in
            s.hi.chunks_exact_mut(ROWS)
                .zip(s.lo.chunks_exact_mut(ROWS))
                .zip((0..blocked).step_by(ROWS))
        {
            sum_block(&s.weights, plan, &s.values, n, i0, hi, lo);
        }
        for (j, (&w, &full)) in s.weights.iter().zip(&plan.column_scored).enumerate() {
            let column = s
                .values
                .get(j * n + blocked..(j + 1) * n)
                .unwrap_or_default();
            let (hi, lo) = (
                s.hi.get_mut(blocked..).unwrap_or_default(),
                s.lo.get_mut(blocked..).unwrap_or_default(),
            );
            if full {
                add_terms(ev.kind, w, column, hi, lo);
                continue;
            }
            let scored = plan
                .scored
                .get(j * n + blocked..(j + 1) * n)
                .unwrap_or_default();
            for (((h, l), &v), &sc) in hi.iter_mut().zip(lo.iter_mut()).zip(column).zip(scored) {
                if sc && let Some(t) = term(ev.kind, w, v) {
                    (*h, *l) = two_sum(*h, *l, t);
                }
            }
        }
        // Rows that do not count every criterion: their own sum of weights.
        s.partial.clear();
        for &i in &plan.partial {
            let mut weight = Sum::ZERO;
            for (&w, &sc) in s.weights.iter().zip(ev.scored_row(i)) {
                if sc {
                    weight.add(w);
                }
            }
            let (h, l) = (
                s.hi.get(i).copied().unwrap_or(0.0),
                s.lo.get(i).copied().unwrap_or(0.0),
            );
            s.partial.push(total_of(ev, i, h, l, weight.value()));
        }
        // The weight of a row that counts every criterion is the same for all of them.
        let weight = weight_sum(&s.weights).value();
        if valid(weight) {
            // One loop per aggregation (the weighted sum's vectorises).
            match ev.kind {
                Aggregation::WeightedSum => {
                    for (h, &l) in s.hi.iter_mut().zip(&s.lo) {
                        *h = scale(Aggregation::WeightedSum, finish_sum(*h, l), weight) + 0.0;
                    }
                }
                Aggregation::WeightedProduct => {
                    for (h, &l) in s.hi.iter_mut().zip(&s.lo) {
                        *h = scale(Aggregation::WeightedProduct, finish_sum(*h, l), weight) + 0.0;
                    }
                }
            }
        } else {
            for (h, &point) in s.hi.iter_mut().zip(&ev.totals) {
                *h = point + 0.0;
            }
        }
        for (&i, &t) in plan.partial.iter().zip(&s.partial) {
            if let Some(h) = s.hi.get_mut(i) {
                *h = t;
            }
        }
    }

    /// One draw: its totals into `s.hi`, its places (with [`TOP`]) into `s.place`.
    #[inline(always)]
    fn draw(&self, d: u64, s: &mut Scratch) {
        let (ev, o) = (self.ev, self.options);
        let mut rng = draw_rng(o.seed, d);
        if o.concentration.is_finite() {
            dirichlet(&mut rng, &ev.weights, o.concentration, &mut s.weights);
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            if o.vary_inputs {
                // Drawn in order, stored column by column.
                uniforms_into(&rng, &self.plan.slot, &mut s.uniforms);
            }
            kernels::values_and_totals(self, s, o.vary_inputs);
        }
        #[cfg(target_arch = "wasm32")]
        self.plain_totals(&mut rng, s);
        s.ranker.order(&s.hi, &s.knocked_out, &mut s.order);
        for (place, &i) in s.order.iter().enumerate() {
            let passes = !s.knocked_out.get(i as usize).copied().unwrap_or(false);
            let top = place < o.top_k && passes;
            if let Some(p) = s.place.get_mut(i as usize) {
                #[allow(clippy::cast_possible_truncation)]
                let place = place as u32;
                *p = place | if top { TOP } else { 0 };
            }
        }
    }

    /// One draw's totals (`s.hi`) added to the tally's sums, smallest and largest, row by
    /// row in order (arrays of `n`, in cache), and the bins and places packed into slot
    /// `slot` of the chunk buffer, one line per tile, for [`Run::chunk`] to count.
    ///
    /// Natively a draw whose totals all lie in `[+0, 100]` (every draw of a valid rubric,
    /// either aggregation: `scale` clamps to that range and removes −0; only a NaN total
    /// would take the general path) adds each [`fixed`] total as three whole numbers below
    /// 2³⁰ into
    /// the chunk's sums ([`Scratch::whole`], see [`split`]: held in `f64`s, where sums of
    /// whole numbers below 2⁵³ are exact; a loop without integer conversions or `i128` that
    /// vectorises), which [`Run::flush`] adds into the tally's `i128` sums after the chunk:
    /// the same integers.
    #[inline(always)]
    fn record(&self, slot: usize, s: &mut Scratch, t: &mut Tally) {
        #[cfg(not(target_arch = "wasm32"))]
        let parts = s.hi.iter().fold(0, |m, t| t.to_bits().max(m)) <= HUNDRED;
        #[cfg(target_arch = "wasm32")]
        let parts = false;
        if parts {
            for (((((w, h), l), lo), hi), &total) in s
                .whole
                .iter_mut()
                .zip(s.high.iter_mut())
                .zip(s.low.iter_mut())
                .zip(t.min.iter_mut())
                .zip(t.max.iter_mut())
                .zip(&s.hi)
            {
                let (whole, high, low) = split(total);
                *w += whole;
                *h += high;
                *l += low;
                // `min` and `max` without their NaN cases (no total here is NaN, and
                // neither is a smallest or largest one): compare and select, vectorised.
                *lo = if total < *lo { total } else { *lo };
                *hi = if total > *hi { total } else { *hi };
            }
        } else {
            for (((sum, lo), hi), &total) in t
                .sum
                .iter_mut()
                .zip(t.min.iter_mut())
                .zip(t.max.iter_mut())
                .zip(&s.hi)
            {
                *sum += fixed(total);
                *lo = lo.min(total);
                *hi = hi.max(total);
            }
        }
        let slots = self.slots();
        for (tile, (hi, place)) in s.hi.chunks(TILE).zip(s.place.chunks(TILE)).enumerate() {
            let from = at(slots, slot, tile * TILE);
            let Some(cells) = s.cells.get_mut(from..from + hi.len()) else {
                continue;
            };
            for ((c, &total), &p) in cells.iter_mut().zip(hi).zip(place) {
                #[allow(clippy::cast_possible_truncation)]
                let b = bin(total) as u32;
                *c = (b << 16) | p;
            }
        }
    }

    /// Adds the chunk's sums in parts ([`Run::record`]) into the tally's sums and clears
    /// them: `whole · 2⁶⁰ + high · 2³⁰ + low`, the sum of the [`fixed`] totals recorded in
    /// parts (each part's sum is a whole number below 2⁴¹ for a chunk of at most [`CHUNK`]
    /// = 2¹¹ draws — the whole-number part's at most 204 800 — so exact in an `f64` and in
    /// its conversion; the assertion under [`CHUNK`] keeps it so).
    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn flush(s: &mut Scratch, t: &mut Tally) {
        for (((sum, w), h), l) in t
            .sum
            .iter_mut()
            .zip(s.whole.iter_mut())
            .zip(s.high.iter_mut())
            .zip(s.low.iter_mut())
        {
            #[allow(clippy::cast_possible_truncation)]
            let [whole, high, low] = [*w, *h, *l].map(|x| i128::from(x as i64));
            *sum += (whole << 60) + (high << 30) + low;
            (*w, *h, *l) = (0.0, 0.0, 0.0);
        }
    }

    /// WebAssembly's form of [`Run::draw_inputs`] and [`Run::totals`]: cell by cell and row
    /// by row (`s.values` row-major), less code in the browser package for the same bits
    /// (the native unit test `draw_tests` runs this function too and checks both forms
    /// against its own plain draw, bit for bit).
    #[cfg(any(target_arch = "wasm32", test))]
    fn plain_totals(&self, rng: &mut rand_pcg::Pcg64, s: &mut Scratch) {
        let ev = self.ev;
        if self.options.vary_inputs {
            s.knocked_out.copy_from_slice(&ev.fixed_knockout);
            for cell in &ev.ranged {
                let x = cell.low + uniform(rng) * (cell.high - cell.low);
                let Some(c) = ev.criterion(cell.col) else {
                    continue;
                };
                let v = c.vf.value(x);
                if let Some(value) = s.values.get_mut(cell.row * ev.m + cell.col) {
                    *value = v;
                }
                if cell.knockout
                    && c.knockout().is_some_and(|rule| rule.fails(x))
                    && let Some(k) = s.knocked_out.get_mut(cell.row)
                {
                    *k = true;
                }
            }
        }
        for (i, h) in s.hi.iter_mut().enumerate() {
            let row = s.values.get(i * ev.m..(i + 1) * ev.m).unwrap_or(&[]);
            let point = ev.totals.get(i).copied().unwrap_or(0.0);
            // Only an underflow of every drawn weight of the row leaves nothing to score.
            *h = ev.total(i, &s.weights, row).unwrap_or(point) + 0.0;
        }
    }

    /// Draws `[from, to)` (at most a chunk), added to the tally: natively through
    /// [`kernels::chunk`] (this code compiled for the CPU's vector extensions, chosen at run
    /// time), in WebAssembly directly.
    fn run_chunk(&self, from: u64, to: u64, s: &mut Scratch, t: &mut Tally) {
        #[cfg(not(target_arch = "wasm32"))]
        kernels::chunk(self, from, to, s, t);
        #[cfg(target_arch = "wasm32")]
        self.chunk(from, to, s, t);
    }

    /// Draws `[from, to)` (at most a chunk), added to the tally (see [`Run::run_chunk`]).
    #[inline(always)]
    fn chunk(&self, from: u64, to: u64, s: &mut Scratch, t: &mut Tally) {
        let n = self.ev.len();
        #[allow(clippy::cast_possible_truncation)]
        let count = (to - from) as usize;
        for (slot, d) in (from..to).enumerate() {
            self.draw(d, s);
            #[cfg(not(target_arch = "wasm32"))]
            kernels::record(self, slot, s, t);
            #[cfg(target_arch = "wasm32")]
            self.record(slot, s, t);
        }
        #[cfg(not(target_arch = "wasm32"))]
        Self::flush(s, t);
        // A tile at a time: its draws are one contiguous block of the chunk buffers.
        for (tile, i0) in (0..n).step_by(TILE).enumerate() {
            let width = TILE.min(n - i0);
            let block = tile * TILE * self.slots()..tile * TILE * self.slots() + count * TILE;
            let tile_cells = s.cells.get(block).unwrap_or_default();
            for k in 0..width {
                let i = i0 + k;
                let (Some(top), Some(hist), Some(ranks)) =
                    (t.top.get_mut(i), t.hist.get_mut(i), t.ranks.get_mut(i))
                else {
                    continue;
                };
                // The running count in a local (a register), not through its reference.
                let mut s_top = *top;
                // WebAssembly (the browser's few initiatives): cell by cell, less code.
                #[cfg(target_arch = "wasm32")]
                for &cell in tile_cells.iter().skip(k).step_by(TILE) {
                    hist.increment((cell >> 16) as usize, BINS);
                    ranks.increment((cell & PLACE) as usize, n);
                    s_top += u32::from(cell & TOP != 0);
                }
                #[cfg(not(target_arch = "wasm32"))]
                {
                    // Every total so far lies in `bin(min)..=bin(max)` (`bin` is monotone), but
                    // for a NaN one (bin 0), which the loop below makes room for when it comes.
                    if let (Some(&lo), Some(&hi)) = (t.min.get(i), t.max.get(i))
                        && lo <= hi
                    {
                        hist.cover(bin(lo), bin(hi) + 1, BINS);
                    }
                    // A rank row counted for the first time: sized to the places of this chunk.
                    if ranks.counts().is_empty() {
                        let (lo, hi) = tile_cells
                            .iter()
                            .skip(k)
                            .step_by(TILE)
                            .map(|&cell| (cell & PLACE) as usize)
                            .fold((usize::MAX, 0), |(lo, hi), p| (lo.min(p), hi.max(p)));
                        if lo <= hi {
                            ranks.cover(lo, hi + 1, n);
                        }
                    }
                    let mut cells = tile_cells.iter().skip(k).step_by(TILE);
                    // Counted into the windows while they hold the cell's bin and place; when
                    // one does not, it grows (rarely: by half its length or more each time) and
                    // the count goes on from that cell.
                    loop {
                        let ((hb, hc), (rb, rc)) = (hist.parts(), ranks.parts());
                        let mut outside = None;
                        for &cell in cells.by_ref() {
                            let b = ((cell >> 16) as usize).wrapping_sub(hb);
                            let p = ((cell & PLACE) as usize).wrapping_sub(rb);
                            if let (Some(h), Some(r)) = (hc.get_mut(b), rc.get_mut(p)) {
                                *h += 1;
                                *r += 1;
                                s_top += u32::from(cell & TOP != 0);
                            } else {
                                outside = Some(cell);
                                break;
                            }
                        }
                        let Some(cell) = outside else {
                            break;
                        };
                        let (b, p) = ((cell >> 16) as usize, (cell & PLACE) as usize);
                        hist.cover(b, b + 1, BINS);
                        ranks.cover(p, p + 1, n);
                        let ((hb, hc), (rb, rc)) = (hist.parts(), ranks.parts());
                        if let Some(h) = b.checked_sub(hb).and_then(|b| hc.get_mut(b)) {
                            *h += 1;
                        }
                        if let Some(r) = p.checked_sub(rb).and_then(|p| rc.get_mut(p)) {
                            *r += 1;
                        }
                        s_top += u32::from(cell & TOP != 0);
                    }
                }
                *top = s_top;
            }
        }
    }

    fn threads(&self) -> usize {
        #[cfg(target_arch = "wasm32")]
        {
            1
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let asked = match self.options.threads {
                0 => std::thread::available_parallelism().map_or(1, usize::from),
                t => t,
            };
            thread_cap(asked, self.ev.len())
        }
    }

    /// Every draw, on one thread or several: the tally, and the summaries when the threads
    /// made them while merging (see [`Run::threaded`]).
    fn all(
        &self,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<(Tally, Option<Vec<InitiativeSummary>>)> {
        let draws = self.options.draws;
        let big = chunk_draws(self.ev.len());
        let asked = self.threads();
        let schedule = Schedule::new(draws, big, asked);
        let threads = asked.min(usize::try_from(schedule.chunks()).unwrap_or(usize::MAX));
        if threads <= 1 || self.ev.is_empty() {
            let schedule = Schedule::new(draws, big, 1);
            let (mut s, mut t) = (self.scratch(), Tally::new(self.ev.len()));
            for c in 0..schedule.chunks() {
                let (from, to) = schedule.bounds(c);
                self.run_chunk(from, to, &mut s, &mut t);
                if !progress(to, draws) {
                    return Err(ErrorKind::Cancelled.at(""));
                }
            }
            return Ok((t, None));
        }
        self.threaded(threads, schedule, progress)
    }

    #[cfg(target_arch = "wasm32")]
    fn threaded(
        &self,
        _threads: usize,
        _schedule: Schedule,
        _progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<(Tally, Option<Vec<InitiativeSummary>>)> {
        Err(ErrorKind::Cancelled.at(""))
    }

    /// Chunks handed out to `threads` workers; progress reported on this thread. The
    /// tallies are merged, and the summaries made, by two threads (each for half of the
    /// initiatives).
    #[cfg(not(target_arch = "wasm32"))]
    fn threaded(
        &self,
        threads: usize,
        schedule: Schedule,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<(Tally, Option<Vec<InitiativeSummary>>)> {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        use std::sync::mpsc;
        use std::time::{Duration, Instant};

        let draws = self.options.draws;
        let schedule = &schedule;
        let next = AtomicU64::new(0);
        let stop = AtomicBool::new(false);
        let (tx, rx) = mpsc::channel::<u64>();
        let tallies: Vec<Option<Tally>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    let tx = tx.clone();
                    let (next, stop) = (&next, &stop);
                    scope.spawn(move || {
                        let (mut s, mut t) = (self.scratch(), Tally::new(self.ev.len()));
                        loop {
                            let c = next.fetch_add(1, Ordering::Relaxed);
                            if c >= schedule.chunks() || stop.load(Ordering::Relaxed) {
                                break;
                            }
                            let (from, to) = schedule.bounds(c);
                            self.run_chunk(from, to, &mut s, &mut t);
                            if tx.send(to - from).is_err() {
                                break;
                            }
                        }
                        t
                    })
                })
                .collect();
            drop(tx);
            let (mut done, mut last) = (0, Instant::now());
            loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(k) => done += k,
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
                if (done == draws || last.elapsed() >= Duration::from_millis(50))
                    && !stop.load(Ordering::Relaxed)
                {
                    last = Instant::now();
                    if !progress(done, draws) {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            }
            handles.into_iter().map(|h| h.join().ok()).collect()
        });
        if stop.load(Ordering::Relaxed) {
            return Err(ErrorKind::Cancelled.at(""));
        }
        // The others added into the first worker's tally (no fresh tally of n² + 3 201·n
        // counts to zero and add into; the sums are integers, so the order does not matter).
        // A worker cannot panic on valid input; should one, the run fails cleanly.
        let mut tallies = tallies
            .into_iter()
            .map(|t| t.ok_or_else(|| ErrorKind::Cancelled.at("")))
            .collect::<Result<Vec<Tally>>>()?;
        if tallies.is_empty() {
            return Ok((Tally::new(self.ev.len()), None));
        }
        let mut total = tallies.swap_remove(0);
        for t in &tallies {
            total.merge_small(t);
        }
        let n = self.ev.len();
        let half = n / 2;
        let Tally {
            hist,
            ranks,
            sum,
            min,
            max,
            top,
        } = &mut total;
        let (Some((hist_a, hist_b)), Some((ranks_a, ranks_b))) = (
            hist.split_at_mut_checked(half),
            ranks.split_at_mut_checked(half),
        ) else {
            // Unreachable (the tally holds `n` rows of each); merged on one thread.
            for t in &mut tallies {
                add_rows(hist, ranks, &mut t.hist, &mut t.ranks, n);
            }
            return Ok((total, None));
        };
        let small = Small { sum, min, max, top };
        // The other tallies' rows cut at the same initiative.
        let (mut firsts, mut seconds) = (Vec::new(), Vec::new());
        for t in &mut tallies {
            let (h, r) = (half.min(t.hist.len()), half.min(t.ranks.len()));
            let (ha, hb) = t.hist.split_at_mut(h);
            let (ra, rb) = t.ranks.split_at_mut(r);
            firsts.push((ha, ra));
            seconds.push((hb, rb));
        }
        let summary = std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                for (h, r) in seconds {
                    add_rows(hist_b, ranks_b, h, r, n);
                }
                self.summaries(hist_b, &small, half..n)
            });
            for (h, r) in firsts {
                add_rows(hist_a, ranks_a, h, r, n);
            }
            let mut summary = self.summaries(hist_a, &small, 0..half);
            second.join().ok().map(|b| {
                summary.extend(b);
                summary
            })
        });
        // A thread that panicked (it cannot on valid input) fails the run cleanly.
        let summary = summary.ok_or_else(|| ErrorKind::Cancelled.at(""))?;
        Ok((total, Some(summary)))
    }

    /// The summaries of initiatives `range`, their histograms in `hist` (from the range's
    /// first), the other statistics in `t` (every initiative's).
    fn summaries(
        &self,
        hist: &[Window],
        t: &Small<'_>,
        range: std::ops::Range<usize>,
    ) -> Vec<InitiativeSummary> {
        let (ev, o) = (self.ev, self.options);
        #[allow(clippy::cast_precision_loss)]
        let draws = o.draws as f64;
        let from = range.start;
        range
            .map(|i| {
                let k = i - from;
                let empty = Window::default();
                let hist = hist.get(k).unwrap_or(&empty);
                let min = t.min.get(i).copied().unwrap_or(f64::NAN);
                let max = t.max.get(i).copied().unwrap_or(f64::NAN);
                #[allow(clippy::cast_precision_loss)]
                let sum = t.sum.get(i).copied().unwrap_or(0) as f64;
                let [p5, p50, p95] = quantiles(hist, draws, [0.05, 0.5, 0.95], min, max);
                InitiativeSummary {
                    mean: sum / FIXED / draws,
                    p5,
                    p50,
                    p95,
                    p_top_k: f64::from(t.top.get(i).copied().unwrap_or(0)) / draws,
                    min,
                    max,
                    point: ev.totals.get(i).copied().unwrap_or(f64::NAN),
                    knocked_out: ev.knocked_out.get(i).copied().unwrap_or(false),
                }
            })
            .collect()
    }

    /// The result from the merged tally (and its summaries, when the threads made them).
    fn finish(&self, t: Tally, summary: Option<Vec<InitiativeSummary>>) -> MonteCarloCounts {
        let o = self.options;
        let summary = summary.unwrap_or_else(|| {
            let small = Small {
                sum: &t.sum,
                min: &t.min,
                max: &t.max,
                top: &t.top,
            };
            self.summaries(&t.hist, &small, 0..self.ev.len())
        });
        MonteCarloCounts {
            draws: o.draws,
            seed: o.seed,
            concentration: o.concentration,
            vary_inputs: o.vary_inputs,
            top_k: o.top_k,
            summary,
            ranks: t.ranks,
            threads: o.threads,
        }
    }
}

/// `trunc(total · 2⁶⁰)` as an integer, without the slow float-to-`i128` conversion for
/// totals below 2⁶² in size: the whole part and the fraction (both exact) converted
/// separately, `whole · 2⁶⁰ + trunc(fraction · 2⁶⁰)`, which is the same integer.
#[inline]
#[allow(clippy::cast_possible_truncation)]
fn fixed(total: f64) -> i128 {
    if total.abs() < 4_611_686_018_427_387_904.0 {
        let whole = total as i64;
        #[allow(clippy::cast_precision_loss)]
        let fraction = total - whole as f64;
        (i128::from(whole) << 60) + i128::from((fraction * FIXED) as i64)
    } else {
        fixed_wide(total)
    }
}

/// The bits of 100.0: a total from +0 to 100 has bits at most these (−0 and NaN more).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
const HUNDRED: u64 = 0x4059_0000_0000_0000;

/// `2³⁰`, where [`split`] cuts the fraction.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
const PART: f64 = 1_073_741_824.0;

/// [`fixed`] of a total from +0 to 100 as three whole numbers (held in `f64`s): `fixed(total)
/// = whole · 2⁶⁰ + high · 2³⁰ + low`, whole from 0 to 100, high and low from 0 to 2³⁰ − 1.
/// [`fixed`]'s fast path takes `whole = trunc(total)` (`total as i64`), `fraction = total −
/// whole` (exact) and `T = trunc(fraction · 2⁶⁰)` (the scaling is exact); here `high =
/// trunc(fraction · 2³⁰)`, which is `⌊T / 2³⁰⌋`, and `low = T − high · 2³⁰`, a whole number
/// below 2³⁰, so computed exactly. Truncations and arithmetic only (no conversions to
/// integers), so that a loop of them vectorises; a unit test compares with [`fixed`].
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
#[inline(always)]
fn split(total: f64) -> (f64, f64, f64) {
    let whole = total.trunc();
    let fraction = total - whole;
    let t = (fraction * FIXED).trunc();
    let high = (fraction * PART).trunc();
    (whole, high, t - high * PART)
}

/// [`fixed`] of a total of 2⁶² or more in size (or NaN): the slow conversion, out of line so
/// that the compiler does not compute it for every total and select (it did in the
/// AVX-512 clone: a `__fixdfti` call per total).
#[cold]
#[inline(never)]
#[allow(clippy::cast_possible_truncation)]
fn fixed_wide(total: f64) -> i128 {
    (total * FIXED) as i128
}

/// The q-quantiles of a histogram for increasing `qs` (see the module documentation), in
/// one pass over the bins: each is found in the first bin where the running count reaches
/// `q · draws`, as a pass of its own would find it. Only the bins the histogram holds are
/// read: the others are empty.
#[allow(clippy::cast_precision_loss)]
fn quantiles<const K: usize>(
    hist: &Window,
    draws: f64,
    qs: [f64; K],
    min: f64,
    max: f64,
) -> [f64; K] {
    let mut out = [max; K];
    let mut next = 0;
    let mut before = 0.0;
    let from = hist.base();
    for (b, &count) in (from..).zip(hist.counts()) {
        if count == 0 {
            continue;
        }
        let count = f64::from(count);
        while let (Some(&q), Some(o)) = (qs.get(next), out.get_mut(next)) {
            let h = q * draws;
            if before + count < h {
                break;
            }
            let f = ((h - before) / count).clamp(0.0, 1.0);
            let lo = (b as f64 / BINS_PER_POINT).max(min);
            let hi = ((b + 1) as f64 / BINS_PER_POINT).min(max);
            *o = lo + f * (hi - lo);
            next += 1;
        }
        if next == K {
            break;
        }
        before += count;
    }
    out
}

/// `asked` threads, or fewer: each keeps a tally of its own (`n²` ranks and `n` histograms of
/// `u32`), and together they stay within [`TALLY_BUDGET`], so memory does not grow with the
/// threads asked. At least one.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn thread_cap(asked: usize, n: usize) -> usize {
    let n = n.max(1);
    let tally = n.saturating_mul(n + BINS).saturating_mul(4).max(1);
    asked.min(TALLY_BUDGET / tally).max(1)
}

#[cfg(test)]
mod fixed_tests {
    use super::{FIXED, fixed};

    #[test]
    fn fixed_point_is_the_truncated_product() {
        // The reference: the float-to-i128 conversion of the exact product.
        #[allow(clippy::cast_possible_truncation)]
        let reference = |t: f64| (t * FIXED) as i128;
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            100.0,
            99.999_999_999_999_99,
            1e-300,
            5e-324,
            -2.5,
        ];
        xs.extend([f64::NAN, f64::INFINITY, 1e30, -1e30, 4.6e18, -4.6e18]);
        xs.extend((0..10_000).map(|k| f64::from(k) * 0.010_000_000_000_000_2));
        xs.extend((0..2_000).map(|k| f64::from(k).sqrt() * 2.2360679));
        for x in xs {
            assert_eq!(fixed(x), reference(x), "{x:e}");
        }
    }

    /// `split`'s three parts make `fixed`'s integer for every total from +0 to 100: the ends,
    /// the smallest numbers (where the fraction's product is truncated), bin edges, and
    /// random bit patterns in the range.
    #[test]
    fn split_makes_the_same_integer() {
        use super::{HUNDRED, PART, split};
        use proptest::prelude::*;
        #[allow(clippy::cast_possible_truncation)]
        let check = |t: f64| {
            let (whole, high, low) = split(t);
            for part in [whole, high, low] {
                assert!(part.fract() == 0.0 && (0.0..PART).contains(&part), "{t:e}");
            }
            let [w, h, l] = [whole, high, low].map(|x| i128::from(x as i64));
            assert_eq!((w << 60) + (h << 30) + l, fixed(t), "{t:e}");
        };
        let mut xs = vec![
            0.0,
            5e-324,
            1e-300,
            2.0f64.powi(-8),
            0.003,
            1.0,
            99.999_999_999_999_99,
        ];
        xs.extend([100.0, f64::from_bits(HUNDRED - 1), 1.0 / 3.0, 12.5 - 1e-15]);
        xs.extend((0..3_201).map(|b| f64::from(b) / 32.0));
        xs.extend((0..10_000).map(|k| f64::from(k) * 0.010_000_000_000_000_2));
        for x in xs {
            check(x);
        }
        proptest!(|(bits in 0..=HUNDRED)| check(f64::from_bits(bits)));
    }
}

#[cfg(test)]
mod thread_cap_tests {
    use super::{TALLY_BUDGET, thread_cap};

    #[test]
    fn threads_are_capped_by_the_memory_of_their_tallies() {
        // 5 000 initiatives: (5 000 + 3 201) · 5 000 · 4 bytes ≈ 164 MB a tally, so 1 GiB
        // holds 6 of them (1 073 741 824 / 164 020 000 = 6.5).
        assert_eq!(thread_cap(64, 5_000), 6);
        assert_eq!(thread_cap(2, 5_000), 2);
        // Small runs keep what was asked; never fewer than one.
        assert_eq!(thread_cap(8, 100), 8);
        assert_eq!(thread_cap(0, 100), 1);
        assert!(thread_cap(usize::MAX, 1) * (1 + 3_201) * 4 <= TALLY_BUDGET);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod draw_tests {
    //! The block path of a draw against the plain one it replaced: each initiative's total
    //! through [`Evaluated::total`] (the engine's accumulator, row by row), its value
    //! through [`ValueFn::value`] (libm's `log1p`), its knock-out through
    //! `knockout_fails` at the drawn point, and the order from a comparison sort of
    //! `(passes, total bits, position)`. Every draw must agree to the bit.
    use super::*;
    use crate::score::Eval;

    /// The plain draw: totals, places (with the top mark) and knock-outs.
    fn plain(run: &Run<'_, '_>, d: u64) -> (Vec<f64>, Vec<u32>, Vec<bool>) {
        let (ev, o) = (run.ev, run.options);
        let n = ev.len();
        let mut rng = draw_rng(o.seed, d);
        let mut weights = ev.weights.clone();
        if o.concentration.is_finite() {
            dirichlet(&mut rng, &ev.weights, o.concentration, &mut weights);
        }
        let mut values = ev.values.clone();
        let mut knocked_out = ev.knocked_out.clone();
        if o.vary_inputs {
            knocked_out.copy_from_slice(&ev.fixed_knockout);
            for cell in &ev.ranged {
                let x = cell.low + uniform(&mut rng) * (cell.high - cell.low);
                let v = ev.criterion(cell.col).unwrap().vf.value(x);
                values[cell.row * ev.m + cell.col] = v;
                let c = ev.criterion(cell.col).unwrap();
                if cell.knockout && c.knockout_fails(&Eval::point(x, v)) == Some(true) {
                    knocked_out[cell.row] = true;
                }
            }
        }
        let totals: Vec<f64> = (0..n)
            .map(|i| {
                let row = &values[i * ev.m..(i + 1) * ev.m];
                ev.total(i, &weights, row).unwrap_or(ev.totals[i]) + 0.0
            })
            .collect();
        let mut keys: Vec<u128> = totals
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let high = (u64::from(!knocked_out[i]) << 63) | t.to_bits();
                (u128::from(high) << 64) | u128::from(u64::MAX - i as u64)
            })
            .collect();
        keys.sort_unstable_by(|a, b| b.cmp(a));
        let mut places = vec![0; n];
        for (place, key) in keys.iter().enumerate() {
            let i = (u64::MAX - *key as u64) as usize;
            let top = place < o.top_k && (key >> 127) == 1;
            places[i] = place as u32 | if top { TOP } else { 0 };
        }
        (totals, places, knocked_out)
    }

    fn rubric(product: bool) -> Rubric {
        let aggregation = if product {
            "weighted_product"
        } else {
            "weighted_sum"
        };
        Rubric::from_json(&format!(
            r#"{{"id": "m", "version": "1", "aggregation": "{aggregation}",
                "missing": "renormalise",
                "themes": [{{"id": "t", "weight": 1}}, {{"id": "u", "weight": 2}}],
                "criteria": [
                  {{"id": "lin", "theme": "t", "weight": 3, "min": 0, "max": 100,
                    "knockout": {{"at_least": 30}},
                    "value_function": {{"type": "linear", "worst": 90, "best": 10}}}},
                  {{"id": "log", "theme": "t", "weight": 2, "min": 0,
                    "value_function": {{"type": "log", "best": 5000, "scale": 500}}}},
                  {{"id": "small", "theme": "u", "weight": 1, "min": 0,
                    "value_function": {{"type": "log", "best": 2, "scale": 10}}}},
                  {{"id": "pw", "theme": "u", "weight": 1,
                    "value_function": {{"type": "piecewise", "points": [[0, 0], [1, 0.4], [3, 0.8], [6, 1]]}}}},
                  {{"id": "lk", "theme": "u", "weight": 2, "knockout": {{"at_least": 2}},
                    "value_function": {{"type": "likert", "levels": 5}}}}
                ]}}"#
        ))
        .unwrap()
    }

    /// Initiatives with ranges (some only on some criteria), point inputs, missing inputs
    /// (dropped under `renormalise`) and knock-outs that fail only for some draws.
    fn initiatives(n: usize) -> Vec<Inputs> {
        (0..n)
            .map(|i| {
                let f = (i as f64 * 0.618_033_988_749_895).fract();
                let lin = if i % 3 == 0 {
                    format!("[{}, {}]", 10.0 + 40.0 * f, 40.0 + 50.0 * f)
                } else {
                    format!("{}", 100.0 * f)
                };
                let log = if i % 7 == 3 {
                    String::new()
                } else {
                    format!(r#", "log": [{}, {}]"#, 6000.0 * f, 6000.0 * f + 900.0)
                };
                let small = format!(r#", "small": [{}, {}]"#, 0.5 * f, 5.0 * f);
                let pw = if i % 5 == 1 {
                    String::new()
                } else {
                    format!(r#", "pw": [{}, {}]"#, 2.0 * f, 7.0 * f)
                };
                Inputs::from_json(&format!(
                    r#"{{"lin": {lin}{log}{small}{pw}, "lk": {}}}"#,
                    1 + i % 5
                ))
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn block_draw_matches_the_plain_draw_bit_for_bit() {
        for product in [false, true] {
            let rubric = rubric(product);
            let items = initiatives(150);
            let ev = Evaluated::new(&rubric, &items, None).unwrap();
            assert!(
                !Plan::new(&ev).partial.is_empty(),
                "some rows drop a criterion"
            );
            for (concentration, vary_inputs) in [(20.0, true), (f64::INFINITY, true), (5.0, false)]
            {
                let options = MonteCarloOptions {
                    seed: 11,
                    concentration,
                    vary_inputs,
                    top_k: 4,
                    ..MonteCarloOptions::default()
                };
                let run = Run {
                    ev: &ev,
                    plan: Plan::new(&ev),
                    options: &options,
                };
                let mut s = run.scratch();
                // The browser's form (`plain_totals`, what wasm32 builds run) on its own
                // scratch, fed the same random stream as `draw` feeds it there.
                let mut browser = run.scratch();
                browser.values = ev.values.clone(); // row-major, as wasm32's scratch has it
                for d in 0..40 {
                    run.draw(d, &mut s);
                    let (totals, places, knocked_out) = plain(&run, d);
                    let mut rng = draw_rng(options.seed, d);
                    if options.concentration.is_finite() {
                        dirichlet(
                            &mut rng,
                            &ev.weights,
                            options.concentration,
                            &mut browser.weights,
                        );
                    }
                    run.plain_totals(&mut rng, &mut browser);
                    for (i, want) in totals.iter().enumerate() {
                        assert_eq!(
                            browser.hi[i].to_bits(),
                            want.to_bits(),
                            "browser form: draw {d}, initiative {i}, product {product}"
                        );
                    }
                    assert_eq!(browser.knocked_out, knocked_out, "browser form: draw {d}");
                    for (i, want) in totals.iter().enumerate() {
                        assert_eq!(
                            s.hi[i].to_bits(),
                            want.to_bits(),
                            "draw {d}, initiative {i}, product {product}"
                        );
                    }
                    assert_eq!(s.place, places, "draw {d}, product {product}");
                }
            }
        }
    }

    #[test]
    fn chunk_length_grows_with_many_initiatives_and_keeps_the_bits() {
        assert_eq!(chunk_draws(0), MIN_CHUNK);
        assert_eq!(chunk_draws(255), MIN_CHUNK);
        assert_eq!(chunk_draws(256), CHUNK);
        assert_eq!(chunk_draws(1024), CHUNK);
        // 2^21 / 2 000 = 1 048.6; 2^21 / 5 000 = 419.4.
        assert_eq!(chunk_draws(2_000), 1_048);
        assert_eq!(chunk_draws(5_000), 419);
        // 10 000 draws of 1 024 on two threads: long chunks while 2 × 1 024 or more are left
        // (8 of them, to 8 192), then half of what is left, rounded down to a multiple of
        // 64: 1 808 / 2 = 904 → 896, 912 / 2 → 448, 464 / 2 = 232 → 192, 272 / 2 → 128,
        // 144 / 2 = 72 → 64, 80 / 2 = 40 → at least 64, and the last 16: 15 chunks. On one
        // thread 9 long ones and 784.
        let two = Schedule::new(10_000, 1_024, 2);
        assert_eq!(two.chunks(), 8 + 7);
        assert_eq!(two.bounds(7), (7_168, 8_192));
        assert_eq!(two.bounds(8), (8_192, 9_088));
        assert_eq!(two.bounds(9), (9_088, 9_536));
        assert_eq!(two.bounds(13), (9_920, 9_984));
        assert_eq!(two.bounds(14), (9_984, 10_000));
        let one = Schedule::new(10_000, 1_024, 1);
        assert_eq!(one.chunks(), 10);
        assert_eq!(one.bounds(9), (9_216, 10_000));
        // Fewer draws than two long chunks: 1 000 / 2 = 500 → 448, then 276 → 256, 148 →
        // 128, 84 → 64, 52 → 64 and the last 40.
        let short = Schedule::new(1_000, 1_024, 2);
        assert_eq!(short.chunks(), 6);
        assert_eq!(short.bounds(0), (0, 448));
        assert_eq!(short.bounds(5), (960, 1_000));
        for (draws, big, threads) in [
            (10_000, 1_024, 2),
            (2_100, 1_024, 3),
            (777, 256, 2),
            (3, 1_024, 2),
            (10_001, 1_024, 1),
        ] {
            let s = Schedule::new(draws, big, threads);
            let mut at = 0;
            let mut last = u64::MAX;
            for c in 0..s.chunks() {
                let (from, to) = s.bounds(c);
                assert!(
                    from == at && to > from && to - from <= big,
                    "{draws} {big} {threads}: chunk {c}"
                );
                // Never longer than the chunk before (the threads finish together), but for
                // one thread's last.
                assert!(
                    to - from <= last || threads == 1,
                    "{draws} {big} {threads}: {c}"
                );
                last = to - from;
                at = to;
            }
            assert_eq!(at, draws);
        }
        // 256 initiatives: chunks of 2 048 draws (one and 1 052 draws on one thread; on two,
        // 1 536, 768, 384, 192, 64, 64, 64 and the last 28), the same bits either way.
        let rubric = rubric(false);
        let items = initiatives(256);
        let run = |threads| {
            let o = MonteCarloOptions {
                draws: 3_100,
                seed: 3,
                threads,
                ..MonteCarloOptions::default()
            };
            rubric
                .monte_carlo(&items, None, &o, &mut |_, _| true)
                .unwrap()
        };
        assert_eq!(run(1), run(2));
    }

    /// Two threads merge the tallies and make the summaries, each for half of the
    /// initiatives: the same result as one thread for odd and even counts, and for one.
    #[test]
    fn halves_merged_on_two_threads_give_the_one_thread_result() {
        let rubric = rubric(false);
        for n in [1, 2, 7, 150] {
            let items = initiatives(n);
            let run = |threads| {
                let o = MonteCarloOptions {
                    draws: 1_500,
                    seed: 9,
                    threads,
                    ..MonteCarloOptions::default()
                };
                rubric
                    .monte_carlo(&items, None, &o, &mut |_, _| true)
                    .unwrap()
            };
            let one = run(1);
            assert_eq!(one, run(2), "{n} initiatives");
            assert_eq!(one, run(3), "{n} initiatives");
        }
    }

    /// The kernels' dispatched form (the AVX2 clone on a CPU that has it, as this machine and
    /// CI do) and their plain form give the same bits: every total and knock-out of 40 draws
    /// under both aggregations, with and without drawn inputs, on row counts with and
    /// without a partial block of `ROWS`.
    #[test]
    fn dispatched_kernels_match_the_plain_ones_bit_for_bit() {
        // Without AVX2 the dispatched form is the plain one and this compares it with itself:
        // say so rather than pass silently.
        #[cfg(target_arch = "x86_64")]
        if !std::arch::is_x86_feature_detected!("avx2") {
            eprintln!("no AVX2 on this CPU: the dispatched kernels are the plain ones here");
        }
        for product in [false, true] {
            let rubric = rubric(product);
            for n in [150, 160, 7] {
                let items = initiatives(n);
                let ev = Evaluated::new(&rubric, &items, None).unwrap();
                for (concentration, vary_inputs) in [(20.0, true), (5.0, false)] {
                    let options = MonteCarloOptions {
                        seed: 5,
                        concentration,
                        vary_inputs,
                        ..MonteCarloOptions::default()
                    };
                    let run = Run {
                        ev: &ev,
                        plan: Plan::new(&ev),
                        options: &options,
                    };
                    let (mut fast, mut plain) = (run.scratch(), run.scratch());
                    for d in 0..40 {
                        run.draw(d, &mut fast); // through kernels::values_and_totals
                        plain.weights.clone_from(&fast.weights);
                        plain.uniforms.clone_from(&fast.uniforms);
                        kernels::values_and_totals_plain(&run, &mut plain, vary_inputs);
                        for (i, (a, b)) in fast.hi.iter().zip(&plain.hi).enumerate() {
                            assert_eq!(a.to_bits(), b.to_bits(), "draw {d}, row {i} of {n}");
                        }
                        assert_eq!(fast.knocked_out, plain.knocked_out, "draw {d}");
                        assert_eq!(fast.values, plain.values, "draw {d}");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod quantile_tests {
    use super::{BINS, BINS_PER_POINT, Window, bin, quantiles};

    /// The rule of the module documentation over a full row of bins, bin by bin from 0 (the
    /// form before histograms were kept as windows).
    #[allow(clippy::cast_precision_loss)]
    fn reference(full: &[u32], draws: f64, q: f64, min: f64, max: f64) -> f64 {
        let h = q * draws;
        let mut before = 0.0;
        for (b, &count) in full.iter().enumerate() {
            let count = f64::from(count);
            if count > 0.0 && before + count >= h {
                let f = ((h - before) / count).clamp(0.0, 1.0);
                let lo = (b as f64 / BINS_PER_POINT).max(min);
                let hi = ((b + 1) as f64 / BINS_PER_POINT).min(max);
                return lo + f * (hi - lo);
            }
            before += count;
        }
        max
    }

    #[test]
    fn quantiles_of_a_window_are_those_of_the_full_row() {
        assert_eq!(
            (bin(40.0), bin(40.5), bin(100.0), bin(250.0), bin(f64::NAN)),
            (1280, 1296, 3200, 3200, 0)
        );
        // Totals spread over 40 to 47.9 (one NaN among them, in bin 0), counted into a
        // window as the tally does and into a full row.
        let mut totals: Vec<f64> = (0..2_000)
            .map(|k| 40.0 + f64::from(k % 97) * 0.0825)
            .collect();
        totals.push(f64::NAN);
        let draws = totals.len() as f64;
        let (mut w, mut full) = (Window::default(), vec![0u32; BINS]);
        for &t in &totals {
            let b = bin(t);
            w.cover(b, b + 1, BINS);
            let (base, counts) = w.parts();
            counts[b - base] += 1;
            full[b] += 1;
        }
        let (min, max) = totals
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &t| {
                (a.min(t), b.max(t))
            });
        let qs = [0.0001, 0.05, 0.5, 0.95, 1.0];
        let got = quantiles(&w, draws, qs, min, max);
        for (g, q) in got.iter().zip(qs) {
            assert_eq!(
                g.to_bits(),
                reference(&full, draws, q, min, max).to_bits(),
                "q {q}"
            );
        }
        // Nothing counted: every quantile is the largest total.
        let empty = quantiles(&Window::default(), 10.0, [0.5], 1.0, 2.0);
        assert_eq!(empty, [2.0]);
    }
}
