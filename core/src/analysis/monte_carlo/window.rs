//! A row of counts kept only over the indices it has seen: an initiative's histogram bins
//! (of 3 201) or places (of `n`). An initiative's totals and places usually span a few
//! dozen to a few hundred of them, so a thread's tally of `n` histograms and `n` rank rows
//! takes a few hundred kilobytes instead of `n × (3 201 + n)` counts (≈ 17 MB for 1 000
//! initiatives), each row allocated when first counted and never memset in full.
//!
//! Only the storage changes: the count at every index is what a full row would hold (zero
//! outside the window), so every statistic read from it is the same bits.

/// Indices a window grows by, at least, past the one that did not fit (so that a row
/// reallocates a few times in a run, not once per new index).
#[cfg(any(not(target_arch = "wasm32"), test))]
const MARGIN: usize = 16;

/// Counts at indices `base..base + counts.len()`; every other index counts zero.
#[derive(Debug, Clone, Default)]
pub(super) struct Window {
    base: usize,
    counts: Vec<u32>,
}

impl Window {
    /// The first index held.
    #[inline(always)]
    pub(super) fn base(&self) -> usize {
        self.base
    }

    /// The counts from [`Window::base`] on.
    #[inline(always)]
    pub(super) fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// The first index held and the counts, to count into.
    #[cfg(any(not(target_arch = "wasm32"), test))]
    #[inline(always)]
    pub(super) fn parts(&mut self) -> (usize, &mut [u32]) {
        (self.base, &mut self.counts)
    }

    /// The count at `index`.
    #[cfg(test)]
    pub(super) fn get(&self, index: usize) -> u32 {
        index
            .checked_sub(self.base)
            .and_then(|k| self.counts.get(k))
            .copied()
            .unwrap_or(0)
    }

    /// Adds one to the count at `index` (`< limit`). WebAssembly's form (less code in the
    /// browser package, which draws for a few initiatives): the row is held in full, `0..limit`,
    /// from its first count.
    #[cfg(target_arch = "wasm32")]
    pub(super) fn increment(&mut self, index: usize, limit: usize) {
        if self.counts.is_empty() {
            self.base = 0;
            self.counts = vec![0; limit];
        }
        if let Some(c) = self.counts.get_mut(index) {
            *c += 1;
        }
    }

    /// Makes the window hold indices `from..to` (`from < to ≤ limit`), keeping its counts:
    /// when it grows, by half its new length more on the side that grew (at least
    /// [`MARGIN`]), never below 0 nor to `limit` or beyond.
    #[cfg(any(not(target_arch = "wasm32"), test))]
    #[cold]
    #[inline(never)]
    pub(super) fn cover(&mut self, from: usize, to: usize, limit: usize) {
        let (old_from, old_to) = (self.base, self.base + self.counts.len());
        if !self.counts.is_empty() && old_from <= from && to <= old_to {
            return;
        }
        let (lo, hi) = if self.counts.is_empty() {
            (from, to)
        } else {
            (old_from.min(from), old_to.max(to))
        };
        let margin = ((hi - lo) / 2).max(MARGIN);
        let new_from = if self.counts.is_empty() || lo < old_from {
            lo.saturating_sub(margin)
        } else {
            lo
        };
        let new_to = if self.counts.is_empty() || hi > old_to {
            hi.saturating_add(margin).min(limit.max(hi))
        } else {
            hi
        };
        let mut counts = vec![0; new_to - new_from];
        if let Some(place) = counts.get_mut(old_from.saturating_sub(new_from)..) {
            for (c, &old) in place.iter_mut().zip(&self.counts) {
                *c = old;
            }
        }
        self.base = new_from;
        self.counts = counts;
    }

    /// Adds `other`'s counts into these, growing to hold its indices (`limit` as for
    /// [`Window::cover`]).
    #[cfg(any(not(target_arch = "wasm32"), test))]
    pub(super) fn add(&mut self, other: &Self, limit: usize) {
        if other.counts.is_empty() {
            return;
        }
        self.cover(other.base, other.base + other.counts.len(), limit);
        let at = other.base - self.base;
        if let Some(mine) = self.counts.get_mut(at..) {
            for (m, &o) in mine.iter_mut().zip(&other.counts) {
                *m += o;
            }
        }
    }

    /// Adds `other`'s counts into these, taking its storage instead when it holds every
    /// index these do (no copy to a larger window); `other` is left holding counts of no
    /// further use.
    #[cfg(any(not(target_arch = "wasm32"), test))]
    pub(super) fn absorb(&mut self, other: &mut Self, limit: usize) {
        let (from, to) = (self.base, self.base + self.counts.len());
        let (their_from, their_to) = (other.base, other.base + other.counts.len());
        if self.counts.is_empty() || (their_from <= from && to <= their_to) {
            std::mem::swap(self, other);
        }
        self.add(other, limit);
    }

    /// The row as a full one of `len` counts, into `out` (`len` long): zero outside the
    /// window, `f(count)` inside it.
    pub(super) fn expand_into<T: Copy>(&self, out: &mut [T], zero: T, f: impl Fn(u32) -> T) {
        let from = self.base.min(out.len());
        let (before, rest) = out.split_at_mut(from);
        before.fill(zero);
        let inside = self.counts.len().min(rest.len());
        let (held, after) = rest.split_at_mut(inside);
        for (o, &c) in held.iter_mut().zip(&self.counts) {
            *o = f(c);
        }
        after.fill(zero);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Counts `indices` into a window (growing it as the tally does) and into a full row.
    fn count(indices: &[usize], limit: usize) -> (Window, Vec<u32>) {
        let mut w = Window::default();
        let mut full = vec![0u32; limit];
        for &i in indices {
            let (base, counts) = w.parts();
            match i.checked_sub(base).and_then(|k| counts.get_mut(k)) {
                Some(c) => *c += 1,
                None => {
                    w.cover(i, i + 1, limit);
                    let (base, counts) = w.parts();
                    counts[i - base] += 1;
                }
            }
            full[i] += 1;
        }
        (w, full)
    }

    fn expanded(w: &Window, limit: usize) -> Vec<u32> {
        let mut out = vec![7u32; limit];
        w.expand_into(&mut out, 0, |c| c);
        out
    }

    #[test]
    fn grows_around_what_it_holds() {
        let mut w = Window::default();
        assert_eq!(w.get(5), 0);
        // First index 100 of 3 201: 100 − 16 .. 101 + 16.
        w.cover(100, 101, 3_201);
        assert_eq!((w.base(), w.counts().len()), (84, 33));
        // 200 lies above: the window keeps 84 and reaches 201 + (201 − 84) / 2 = 259.
        w.cover(200, 201, 3_201);
        assert_eq!((w.base(), w.counts().len()), (84, 259 - 84));
        // Never past the limit, nor below 0.
        w.cover(3_200, 3_201, 3_201);
        assert_eq!(w.base() + w.counts().len(), 3_201);
        w.cover(0, 1, 3_201);
        assert_eq!(w.base(), 0);
        // Already held: unchanged.
        w.cover(10, 20, 3_201);
        assert_eq!((w.base(), w.counts().len()), (0, 3_201));
    }

    proptest! {
        #[test]
        fn counts_as_a_full_row(
            a in proptest::collection::vec(0usize..300, 0..200),
            b in proptest::collection::vec(0usize..300, 0..200),
        ) {
            let (mut wa, fa) = count(&a, 300);
            let (wb, fb) = count(&b, 300);
            prop_assert_eq!(expanded(&wa, 300), fa.clone());
            for (i, &want) in fa.iter().enumerate() {
                prop_assert_eq!(wa.get(i), want);
            }
            let sum: Vec<u32> = fa.iter().zip(&fb).map(|(x, y)| x + y).collect();
            // Added, and absorbed either way round (storage taken or not).
            let (mut wb2, mut wa2) = (wb.clone(), wa.clone());
            wa.add(&wb, 300);
            prop_assert_eq!(expanded(&wa, 300), sum.clone());
            prop_assert!(wa.base() + wa.counts().len() <= 300);
            let (mut wa3, mut wb3) = (wa2.clone(), wb2.clone());
            wa3.absorb(&mut wb3, 300);
            prop_assert_eq!(expanded(&wa3, 300), sum.clone());
            wb2.absorb(&mut wa2, 300);
            prop_assert_eq!(expanded(&wb2, 300), sum);
        }
    }
}
