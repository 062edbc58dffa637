//! The order of one Monte Carlo draw: initiatives that pass their knock-outs first, by
//! total, highest first, ties by position; knocked-out ones after them in the same way.
//!
//! Sorting a thousand `(flag, total, position)` keys by comparison every draw was a sixth of
//! the run, so totals in `[0, 100]` are first spread into buckets by `⌊(total − min) · per⌋`
//! (one bucket per initiative over the draw's range; a monotone function of the total, so
//! the buckets are in order: a counting sort), and an insertion sort of the keys
//! `(flag, total bits, position)` finishes each bucket — usually one or two initiatives —
//! or, past a budget of moves (crowded buckets), a comparison sort does. A draw with a total
//! outside `[0, 100]` (or NaN) is sorted by comparison outright, and so is every draw in
//! WebAssembly (less code in the browser package). Either way the order is
//! that of the sorted keys, exactly; a unit test checks it against a plain sort.

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
    keys: Vec<u128>,
    wide: Vec<u128>,
}

/// The comparison key of the reference order: passes flag, total bits, position (sorted
/// descending; the position enters as `u64::MAX − i`, so a smaller position comes first).
#[inline]
fn wide_key(i: usize, total: f64, passes: bool) -> u128 {
    let high = (u64::from(passes) << 63) | total.to_bits();
    (u128::from(high) << 64) | u128::from(u64::MAX - i as u64)
}

impl Ranker {
    /// Writes into `order` the positions `0..n` in rank order (`order[place] = position`)
    /// for the given totals and knock-out flags (same length; a shorter `knocked_out`
    /// counts the missing ones as passing).
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
        // Buckets per group: n + 1 over the draw's range of totals, `⌊(t − min) · per⌋` with
        // per = n / (max − min) (monotone in t: each operation is).
        let (min, max) = totals
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(a, b), &t| (a.min(t), b.max(t)));
        let top = BUCKETS_PER_ITEM * n;
        #[allow(clippy::cast_precision_loss)]
        let per = if max > min {
            top as f64 / (max - min)
        } else {
            0.0
        };
        let per = if per.is_finite() { per } else { 0.0 };
        let group = top + 1;
        self.counts.clear();
        self.counts.resize(2 * group + 1, 0);
        self.buckets.clear();
        self.keys.clear();
        for (i, &t) in totals.iter().enumerate() {
            let passes = !knocked_out.get(i).copied().unwrap_or(false);
            self.keys.push(wide_key(i, t, passes));
            // Its group (passing first), then descending total.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let b = (((t - min) * per) as usize).min(top);
            let bucket = usize::from(!passes) * group + (top - b);
            #[allow(clippy::cast_possible_truncation)]
            self.buckets.push(bucket as u32);
            if let Some(c) = self.counts.get_mut(bucket + 1) {
                *c += 1;
            }
        }
        // counts[b] becomes the start of bucket b.
        let mut run = 0;
        for c in &mut self.counts {
            run += *c;
            *c = run;
        }
        self.wide.clear();
        self.wide.resize(n, 0);
        for (&key, &bucket) in self.keys.iter().zip(&self.buckets) {
            if let Some(c) = self.counts.get_mut(bucket as usize)
                && let Some(w) = self.wide.get_mut(*c as usize)
            {
                *w = key;
                *c += 1;
            }
        }
        // In bucket order, every key is in place but for its bucket's neighbours: an
        // insertion sort finishes it in a few moves each, or hands over to a comparison sort
        // when the buckets are crowded.
        if !insertion_sort(&mut self.wide, MOVES_PER_ITEM * n) {
            self.wide.sort_unstable_by(|a, b| b.cmp(a));
        }
        #[allow(clippy::cast_possible_truncation)]
        order.extend(self.wide.iter().map(|k| (u64::MAX - *k as u64) as u32));
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

/// Sorts `keys` descending by insertion, giving up (returning `false`, the keys still a
/// permutation of the input) after `budget` moves.
fn insertion_sort(keys: &mut [u128], budget: usize) -> bool {
    let mut moves = 0usize;
    for j in 1..keys.len() {
        let Some(&cur) = keys.get(j) else { break };
        let mut h = j;
        while h > 0 {
            let Some(&prev) = keys.get(h - 1) else { break };
            if prev >= cur {
                break;
            }
            if let Some(k) = keys.get_mut(h) {
                *k = prev;
            }
            h -= 1;
        }
        if let Some(k) = keys.get_mut(h) {
            *k = cur;
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
