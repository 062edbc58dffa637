//! The order of one Monte Carlo draw: initiatives that pass their knock-outs first, by
//! total, highest first, ties by position; knocked-out ones after them in the same way.
//!
//! Sorting a thousand `(flag, total, position)` keys by comparison every draw was a sixth of
//! the run, so totals in `[0, 100]` are first spread into buckets by `⌊(total − min) · per⌋`
//! (each group — passing, knocked out — has four buckets per member over its own range of
//! totals; a monotone function of the total, so the buckets are in order: a counting sort
//! that keeps positions in order inside a bucket),
//! and a stable insertion sort of the keys `(flag, total bits)` as one `u64` finishes each
//! bucket — usually one or two initiatives — or, past a budget of moves (crowded buckets),
//! a comparison sort does. A draw with a total outside `[0, 100]` (or NaN) is sorted by
//! comparison outright, and so is every draw in WebAssembly (less code in the browser
//! package). Either way the order is that of the sorted keys `(flag, total bits, position)`,
//! exactly; a unit test checks it against a plain sort.

/// Moves per initiative the insertion sort may make before a comparison sort takes over
/// (no quadratic worst case).
const MOVES_PER_ITEM: usize = 8;

/// Buckets per initiative and group (fewer initiatives share one, fewer moves).
const BUCKETS_PER_ITEM: usize = 4;

/// The bits of 100.0: a non-negative total up to 100 has bits at most these.
const HUNDRED: u64 = 0x4059_0000_0000_0000;

/// Reusable buffers of the ranking.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ranker {
    counts: Vec<u32>,
    buckets: Vec<u32>,
    /// [`key`] of each initiative, by position.
    keys: Vec<u64>,
    /// The keys and positions in bucket order, then sorted.
    sorted: Vec<u64>,
    positions: Vec<u32>,
    wide: Vec<u128>,
}

/// The comparison key of the reference order: passes flag, total bits, position (sorted
/// descending; the position enters as `u64::MAX − i`, so a smaller position comes first).
#[inline]
fn wide_key(i: usize, total: f64, passes: bool) -> u128 {
    let high = (u64::from(passes) << 63) | total.to_bits();
    (u128::from(high) << 64) | u128::from(u64::MAX - i as u64)
}

/// The high half of [`wide_key`]: passes flag and total bits. For totals in `[+0, 100]`
/// (bits below 2⁶³) it orders as the pair `(passes, total)`.
#[inline(always)]
fn key(total: f64, passes: bool) -> u64 {
    (u64::from(passes) << 63) | total.to_bits()
}

impl Ranker {
    /// Writes into `order` the positions `0..n` in rank order (`order[place] = position`)
    /// for the given totals and knock-out flags (same length; a shorter `knocked_out`
    /// counts the missing ones as passing). Inlined into the Monte Carlo's chunk kernel, so
    /// that it is compiled for the same vector extensions.
    #[inline(always)]
    pub(crate) fn order(&mut self, totals: &[f64], knocked_out: &[bool], order: &mut Vec<u32>) {
        let n = totals.len();
        order.clear();
        // The browser package keeps the plain sort (the same order, less code).
        if cfg!(target_arch = "wasm32") {
            self.by_comparison(totals, knocked_out, order);
            return;
        }
        // By their bits: +0 to 100 (not −0, which the reference key treats differently).
        let in_range = totals.iter().all(|t| t.to_bits() <= HUNDRED);
        if !in_range || u32::try_from(n).is_err() {
            self.by_comparison(totals, knocked_out, order);
            return;
        }
        let Self {
            counts,
            buckets,
            keys,
            sorted,
            positions,
            ..
        } = self;
        keys.clear();
        keys.extend(
            totals
                .iter()
                .enumerate()
                .map(|(i, &t)| key(t, !knocked_out.get(i).copied().unwrap_or(false))),
        );
        // Each group (passing, knocked out) has `BUCKETS_PER_ITEM · size + 1` buckets over
        // its own range of totals, `⌊(t − min) · per⌋` with per = BUCKETS_PER_ITEM · size /
        // (max − min) (monotone in t: each operation is): `4n + 2` buckets in all, not
        // `8n + 2` (each draw clears and adds up every bucket's count).
        let (mut pass, mut out) = ((f64::INFINITY, 0.0f64), (f64::INFINITY, 0.0f64));
        let mut passing = 0usize;
        for (&k, &t) in keys.iter().zip(totals) {
            let passes = k >> 63 == 1;
            // Written as selects, so that the loop vectorises.
            pass.0 = pass.0.min(if passes { t } else { f64::INFINITY });
            pass.1 = pass.1.max(if passes { t } else { 0.0 });
            out.0 = out.0.min(if passes { f64::INFINITY } else { t });
            out.1 = out.1.max(if passes { 0.0 } else { t });
            passing += usize::from(passes);
        }
        let tops = [BUCKETS_PER_ITEM * passing, BUCKETS_PER_ITEM * (n - passing)];
        #[allow(clippy::cast_precision_loss)]
        let per = |(min, max): (f64, f64), top: usize| {
            let per = if max > min {
                top as f64 / (max - min)
            } else {
                0.0
            };
            if per.is_finite() { per } else { 0.0 }
        };
        let pass = (pass.0, per(pass, tops[0]), tops[0], 0);
        // The knocked-out group's buckets follow the passing group's.
        let out = (out.0, per(out, tops[1]), tops[1], tops[0] + 1);
        counts.clear();
        counts.resize(tops[0] + tops[1] + 3, 0);
        buckets.clear();
        buckets.extend(keys.iter().zip(totals).map(|(&k, &t)| {
            // Its group (passing first), then descending total.
            let (min, per, top, base) = if k >> 63 == 1 { pass } else { out };
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let b = (((t - min) * per) as usize).min(top);
            #[allow(clippy::cast_possible_truncation)]
            let bucket = (base + (top - b)) as u32;
            bucket
        }));
        let counts = counts.as_mut_slice();
        for &b in buckets.iter() {
            if let Some(c) = counts.get_mut(b as usize + 1) {
                *c += 1;
            }
        }
        // counts[b] becomes the start of bucket b.
        let mut run = 0;
        for c in counts.iter_mut() {
            run += *c;
            *c = run;
        }
        // Into bucket order, by position inside each bucket (so equal keys stay in
        // position order).
        sorted.clear();
        sorted.resize(n, 0);
        positions.clear();
        positions.resize(n, 0);
        let (sorted, positions) = (sorted.as_mut_slice(), positions.as_mut_slice());
        for (i, (&k, &b)) in keys.iter().zip(buckets.iter()).enumerate() {
            if let Some(c) = counts.get_mut(b as usize) {
                let at = *c as usize;
                if let (Some(s), Some(p)) = (sorted.get_mut(at), positions.get_mut(at)) {
                    *s = k;
                    #[allow(clippy::cast_possible_truncation)]
                    let i = i as u32;
                    *p = i;
                }
                *c += 1;
            }
        }
        // In bucket order, every key is in place but for its bucket's neighbours: a stable
        // insertion sort finishes it in a few moves each, or hands over to a comparison sort
        // when the buckets are crowded.
        if insertion_sort(sorted, positions, MOVES_PER_ITEM * n) {
            order.extend_from_slice(positions);
        } else {
            self.by_comparison(totals, knocked_out, order);
        }
    }

    /// The reference: a comparison sort of [`wide_key`].
    fn by_comparison(&mut self, totals: &[f64], knocked_out: &[bool], order: &mut Vec<u32>) {
        self.wide.clear();
        self.wide.extend(totals.iter().enumerate().map(|(i, &t)| {
            let passes = !knocked_out.get(i).copied().unwrap_or(false);
            wide_key(i, t, passes)
        }));
        self.wide.sort_unstable_by(|a, b| b.cmp(a));
        #[allow(clippy::cast_possible_truncation)]
        order.extend(self.wide.iter().map(|k| (u64::MAX - *k as u64) as u32));
    }
}

/// Sorts `keys` descending by insertion, stably (a key moves only past smaller ones), moving
/// `positions` with them; gives up (returning `false`) after `budget` moves.
fn insertion_sort(keys: &mut [u64], positions: &mut [u32], budget: usize) -> bool {
    let mut moves = 0usize;
    for j in 1..keys.len().min(positions.len()) {
        let (Some(&cur), Some(&pos)) = (keys.get(j), positions.get(j)) else {
            break;
        };
        // Most keys are already in place: one comparison.
        if keys.get(j - 1).is_none_or(|&prev| prev >= cur) {
            continue;
        }
        let mut h = j;
        while h > 0 {
            let (Some(&prev), Some(&prev_pos)) = (keys.get(h - 1), positions.get(h - 1)) else {
                break;
            };
            if prev >= cur {
                break;
            }
            if let (Some(k), Some(p)) = (keys.get_mut(h), positions.get_mut(h)) {
                *k = prev;
                *p = prev_pos;
            }
            h -= 1;
        }
        if let (Some(k), Some(p)) = (keys.get_mut(h), positions.get_mut(h)) {
            *k = cur;
            *p = pos;
        }
        moves += j - h;
        if moves > budget {
            return false;
        }
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(totals: &[f64], ko: &[bool]) -> Vec<u32> {
        let mut out = Vec::new();
        Ranker::default().by_comparison(totals, ko, &mut out);
        out
    }

    fn check(totals: &[f64], ko: &[bool]) {
        let mut out = Vec::new();
        Ranker::default().order(totals, ko, &mut out);
        assert_eq!(out, reference(totals, ko), "{totals:?} {ko:?}");
    }

    #[test]
    fn hand_made_order() {
        // Passing first by total (ties by position), then knocked-out: 3.0 (1), 3.0 (3),
        // 2.0 (0), then knocked-out 9.0 (2).
        let totals = [2.0, 3.0, 9.0, 3.0];
        let ko = [false, false, true, false];
        let mut out = Vec::new();
        Ranker::default().order(&totals, &ko, &mut out);
        assert_eq!(out, vec![1, 3, 0, 2]);
        check(&totals, &ko);
        check(&[], &[]);
        check(&[100.0, 0.0, 100.0, 0.0], &[true, false, false, true]);
        check(&[f64::NAN, 5.0, -1.0], &[false, false, false]);
        check(&[-0.0, 0.0, 1.0], &[true, false, true]);
        // One group empty: every initiative knocked out, or none; one in a group of its own.
        let spread: Vec<f64> = (0..50).map(|i| f64::from(i * 37 % 50) * 1.5).collect();
        check(&spread, &[true; 50]);
        check(&spread, &[false; 50]);
        let mut one = [false; 50];
        one[7] = true;
        check(&spread, &one);
        assert_eq!(HUNDRED, 100.0f64.to_bits());
    }

    #[test]
    fn crowded_buckets_and_reversed_runs() {
        // 300 distinct totals inside one bucket, in increasing order (the worst case of an
        // insertion sort), and many equal ones.
        let totals: Vec<f64> = (0..300).map(|i| 50.0 + f64::from(i) * 1e-6).collect();
        check(&totals, &vec![false; 300]);
        check(&vec![42.0; 300], &vec![false; 300]);
    }

    proptest! {
        /// The bucketed order is the comparison order, with ties, both groups, the ends of
        /// the range and bucket edges.
        #[test]
        fn same_order_as_comparison(
            cells in proptest::collection::vec(
                (prop_oneof![0.0..100.0f64, Just(0.0), Just(100.0), Just(50.0),
                    (0u32..1000).prop_map(|k| f64::from(k) / 10.0)], any::<bool>()),
                0..400)
        ) {
            let totals: Vec<f64> = cells.iter().map(|c| c.0).collect();
            let ko: Vec<bool> = cells.iter().map(|c| c.1).collect();
            check(&totals, &ko);
        }
    }
}
