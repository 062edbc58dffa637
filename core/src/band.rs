//! Bands: which band a total falls in, decided as a person reads the total.
//!
//! A total is compared with the band thresholds **after rounding to 1e-9** (nine decimals):
//! a total that is mathematically on a threshold — three equal weights with inputs 17, 72
//! and 61 make exactly 50 — may come out of floating-point arithmetic a few ulps below it
//! (49.99999999999999), and lands in the band that starts at 50 as a reader expects. Totals
//! lie in 0–100, where the arithmetic's error is below 1e-11, so rounding to 1e-9 never
//! moves a total across a threshold it is really below.

use crate::rubric::{Band, Rubric};

/// Decimals a total is rounded to before it is compared with band thresholds.
pub const BAND_DECIMALS: usize = 9;

/// The total as the bands see it: rounded to [`BAND_DECIMALS`] decimals (half away from
/// zero): far coarser than the rounding error of any total (below 1e-11 for 1 000
/// criteria), far finer than any threshold a rubric sets. NaN stays NaN.
#[inline]
pub fn band_total(total: f64) -> f64 {
    (total * 1e9).round() / 1e9
}

/// Whether `total`, rounded to 1e-9 ([`band_total`]), reaches `threshold`
/// (`band_total(total) >= threshold`), with the rounding (a multiplication, a `round` and
/// a division) done only when the total is near the threshold.
///
/// Far from it the unrounded total decides: rounding moves a total by at most 0.5e-9 plus
/// three roundings of about `|total|`·1.2e-16 each (and `total - threshold` is off by at
/// most half an ulp of the larger), all below `1e-8·(1 + |total| + |threshold|)`, so a total
/// farther than that from the threshold lies on the same side of it before and after
/// rounding. NaN and infinite totals, totals of 1e15 or more in size (where `total * 1e9`
/// may overflow to infinity, and the rounded total is no longer the total), and anything
/// near, take the rounding.
#[inline(always)]
pub(crate) fn reaches(total: f64, threshold: f64) -> bool {
    let d = total - threshold;
    if total.abs() < 1e15 && d.abs() > 1e-8 * (1.0 + total.abs() + threshold.abs()) {
        d > 0.0
    } else {
        band_total(total) >= threshold
    }
}

impl Rubric {
    /// The band a total falls in: the first band (from the highest threshold down) whose
    /// threshold the total, rounded to 1e-9 ([`band_total`]), reaches; the lowest band for
    /// a total below every threshold or NaN. `None` only when the rubric has no bands.
    pub fn band_for(&self, total: f64) -> Option<&Band> {
        self.band_index_for(total).and_then(|i| self.bands().get(i))
    }

    /// The index in [`Rubric::bands`] (highest threshold first) of the band
    /// [`Rubric::band_for`] gives a total; `None` only when the rubric has no bands.
    #[inline]
    pub fn band_index_for(&self, total: f64) -> Option<usize> {
        let bands = self.bands();
        bands
            .iter()
            .position(|b| reaches(total, b.min()))
            .or_else(|| bands.len().checked_sub(1))
    }

    /// The total as text with `decimals` decimals, or more (up to nine) when rounding to
    /// `decimals` would show a number that reads as another band (49.96 with a band from
    /// 50 prints `49.96`, not `50.0`). What every table and label should print next to a
    /// band. More than nine decimals are never printed (the bands read nine). A NaN prints
    /// `NaN`; never `-0`.
    pub fn format_total(&self, total: f64, decimals: usize) -> String {
        let band = self.band_for(total).map(Band::id);
        let total = total + 0.0;
        for d in decimals..BAND_DECIMALS {
            let text = crate::float_text::fixed(total, d);
            let shown = crate::float::parse(&text).unwrap_or(f64::NAN);
            if self.band_for(shown).map(Band::id) == band {
                return text;
            }
        }
        crate::float_text::fixed(band_total(total) + 0.0, BAND_DECIMALS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric() -> Rubric {
        Rubric::from_json(
            r#"{"id": "r", "version": "1", "themes": [{"id": "t", "weight": 1}],
                "criteria": [{"id": "c", "theme": "t", "weight": 1,
                              "value_function": {"type": "linear", "worst": 0, "best": 100}}],
                "bands": [{"id": "fund", "min": 50}, {"id": "maybe", "min": 37.5},
                          {"id": "decline", "min": 0}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn printed_totals_agree_with_their_band() {
        let r = rubric();
        // Far from a threshold: one decimal.
        assert_eq!(r.format_total(62.34, 1), "62.3");
        assert_eq!(r.format_total(0.0, 1), "0.0");
        // 49.96 rounds to 50.0, which reads as "fund": print 49.96 ("maybe" band).
        assert_eq!(r.band_for(49.96).unwrap().id(), "maybe");
        assert_eq!(r.format_total(49.96, 1), "49.96");
        // 49.9999 needs four decimals; 49.99999999999999 is 50 for the bands.
        assert_eq!(r.format_total(49.9999, 1), "49.9999");
        assert_eq!(r.format_total(49.999_999_999_999_99, 1), "50.0");
        assert_eq!(r.band_for(49.999_999_999_999_99).unwrap().id(), "fund");
        // 37.45 prints 37.5 at one decimal ("maybe"), but it is "decline".
        assert_eq!(r.format_total(37.45, 1), "37.45");
        // Just below a threshold by more than 1e-9 but less than 1e-8.
        assert_eq!(r.format_total(50.0 - 4e-9, 1), "49.999999996");
        // Never "-0".
        assert_eq!(r.format_total(-0.0, 1), "0.0");
    }

    /// The rounded comparison itself, as the bands were chosen before the fast path.
    fn rounded(total: f64, threshold: f64) -> bool {
        band_total(total) >= threshold
    }

    #[test]
    fn fast_path_edges() {
        // A few ulps below 50 rounds up to it; 4e-9 below does not; NaN never reaches.
        assert!(reaches(49.999_999_999_999_99, 50.0));
        assert!(!reaches(50.0 - 4e-9, 50.0));
        assert!(reaches(50.0 - 4e-10, 50.0));
        assert!(!reaches(f64::NAN, 0.0));
        assert!(reaches(f64::INFINITY, 50.0));
        assert!(!reaches(f64::NEG_INFINITY, 0.0));
        // Found by review: 1e300 * 1e9 overflows to infinity, so the rounded total of 1e300
        // reaches 2e300 although the total does not; the fast path must agree with it.
        for (t, m) in [
            (1e300, 1e300),
            (1e300, 2e300),
            (-1e300, -2e300),
            (1e16, 1e16 + 2.0),
            (-0.0, 0.0),
            (5e-10, 0.0),
            (-5e-10, 0.0),
        ] {
            assert_eq!(reaches(t, m), rounded(t, m), "{t} {m}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        /// The fast path gives the rounded comparison's answer, for totals at every distance
        /// from a threshold: within a few ulps, near the 1e-9 rounding step and the 1e-8
        /// cut-off, far, and any bits at all.
        #[test]
        fn reaches_is_the_rounded_comparison(
            threshold in proptest::prop_oneof![0.0..100.0f64, proptest::num::f64::ANY],
            ulps in -8i64..8,
            off in proptest::prop_oneof![-1e-7..1e-7f64, -2e-9..2e-9f64, -100.0..100.0f64],
            whole in proptest::num::f64::ANY,
            whole_threshold in 0u8..=100,
        ) {
            let near = f64::from_bits(threshold.to_bits().wrapping_add_signed(ulps));
            for t in [near, threshold + off, whole] {
                proptest::prop_assert_eq!(reaches(t, threshold), rounded(t, threshold), "{} {}", t, threshold);
            }
            // Thresholds as rubrics set them (whole numbers), totals in 0–100 near them.
            let m = f64::from(whole_threshold);
            let t = (m + off).clamp(0.0, 100.0);
            proptest::prop_assert_eq!(reaches(t, m), rounded(t, m), "{} {}", t, m);
        }
    }
}
