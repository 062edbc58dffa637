//! `ln(1 + x)` on a block of numbers, the same bits as `libm::log1p` (libm 0.2.16, FreeBSD's
//! `s_log1p.c`) for every input, faster on blocks.
//!
//! For `0.41 ≲ x < 2⁵²` (`1 + x` at least about √2, where `libm::log1p` always reduces `1 + x`
//! to `2ᵏ·(1 + f)` with a correction term) and for `2⁻⁵³ ≤ x < 0.41` (where it takes
//! `f = x` without reduction) the operations of `libm::log1p` are written out here without
//! branches, in the same order and with the same constants (by their bits), so each value is
//! the same bits (IEEE arithmetic is exact to the bit, and nothing here is fused). A block is
//! computed in two passes: those paths for every lane (vectorisable, no call, no branch),
//! then `libm::log1p` itself for the lanes outside them (tiny, negative, huge, NaN or
//! infinite inputs). The unit tests compare with `libm::log1p` bit for bit.

const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000); // 6.931_471_803_691_238_164_90e-01
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76); // 1.908_214_929_270_587_700_02e-10
const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593); // 6.666_666_666_666_735_130e-01
const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04); // 3.999_999_999_940_941_908e-01
const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359); // 2.857_142_874_366_239_149e-01
const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af); // 2.222_219_843_214_978_396e-01
const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de); // 1.818_357_216_161_805_012e-01
const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f); // 1.531_383_769_920_937_332e-01
const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244); // 1.479_819_860_511_658_591e-01

/// The smallest input of the reduced path: high word `0x3fda827a` (`√2 − 1`, rounded up).
const LOW: u64 = 0x3fda_827a_0000_0000;
/// The smallest input `libm::log1p` computes with the polynomial (below it, `|x| < 2⁻⁵³`,
/// it returns `x`): high word `0x3ca00000`.
const TINY: u64 = 0x3ca0_0000_0000_0000;
/// Below this (2⁵²) the exponent `k` of `1 + x` is below 54, so the correction term is kept.
const HIGH: f64 = 4_503_599_627_370_496.0;

/// Whether `x` takes one of the two paths written out here: `libm::log1p`'s `k = 0` path
/// for `2⁻⁵³ ≤ x < √2 − 1` (no reduction: `f = x`, `c = 0`) or its reduced path for
/// `√2 − 1 ≤ x < 2⁵²` (`1 + x ≥ √2`, `k < 54`).
#[inline(always)]
fn reduced(x: f64) -> bool {
    x >= f64::from_bits(TINY) && x < HIGH
}

/// `libm::log1p` for an `x` where [`reduced`] holds, operation by operation: below
/// `√2 − 1` its `k = 0` path (`f = x`, `c = 0`, `k = 0`: the final sum adds `0·ln2_lo + 0`
/// and `0·ln2_hi`, which leave a positive number unchanged), else its `k > 0` path; the
/// two chosen lane by lane without a branch. Any other input gives some number (no panic);
/// callers replace it.
#[inline(always)]
#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
fn log1p_reduced(x: f64) -> f64 {
    let u = 1.0 + x;
    let ui = u.to_bits();
    let hu = ((ui >> 32) as u32).wrapping_add(0x3ff0_0000 - 0x3fe6_a09e);
    let k = (hu >> 20) as i32 - 0x3ff;
    // The correction term: log(1+x) − log(u) ≈ c/u.
    let c = if k >= 2 { 1.0 - (u - x) } else { x - (u - 1.0) };
    let c = c / u;
    // u reduced into [√2/2, √2].
    let hu = (hu & 0x000f_ffff) + 0x3fe6_a09e;
    let f = f64::from_bits((u64::from(hu) << 32) | (ui & 0xffff_ffff)) - 1.0;
    // The k = 0 path: no reduction.
    let small = x < f64::from_bits(LOW);
    let (f, c, k) = if small { (x, 0.0, 0) } else { (f, c, k) };
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let dk = f64::from(k);
    s * (hfsq + r) + (dk * LN2_LO + c) - hfsq + f + dk * LN2_HI
}

/// `ln(1 + x)` of every element of `xs`, into the same place of `out` (as far as the shorter
/// of the two goes): the same bits as `libm::log1p` of each.
#[inline(always)]
pub(crate) fn log1p_into(xs: &[f64], out: &mut [f64]) {
    // Separate loops without early exits, so that each vectorises.
    for (y, &x) in out.iter_mut().zip(xs) {
        *y = log1p_reduced(x);
    }
    let all = xs.iter().fold(true, |all, &x| all & reduced(x));
    if !all {
        for (y, &x) in out.iter_mut().zip(xs) {
            if !reduced(x) {
                *y = libm::log1p(x);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn same(xs: &[f64]) {
        let mut ys = vec![0.0; xs.len()];
        log1p_into(xs, &mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            let want = libm::log1p(*x);
            assert!(
                y.to_bits() == want.to_bits() || (y.is_nan() && want.is_nan()),
                "log1p({x:e}) = {y:e}, libm {want:e}"
            );
        }
    }

    #[test]
    fn edges_give_libm_bits() {
        let low = f64::from_bits(LOW);
        let mut xs = vec![
            0.0,
            -0.0,
            1e-300,
            5e-324,
            1e-17,
            0.1,
            0.4,
            low,
            f64::from_bits(LOW - 1),
            f64::from_bits(LOW + 1),
            0.5,
            1.0,
            2.0,
            3.0,
            3.5,
            1e10,
            HIGH,
            f64::from_bits(HIGH.to_bits() - 1),
            1e300,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -0.5,
            -1.0,
            -2.0,
            f64::from_bits(TINY),
            f64::from_bits(TINY - 1),
            f64::from_bits(TINY + 1),
            1e-10,
            0.2,
            -0.2,
            -0.3,
        ];
        // Around each power of two (k changes there, and at 1 + x = 2ᵏ·√2).
        for e in 0..60 {
            let p = f64::from(2u32).powi(e);
            for d in [-2i64, -1, 0, 1, 2] {
                xs.push(f64::from_bits(p.to_bits().wrapping_add_signed(d)) - 1.0);
                xs.push(f64::from_bits(
                    (p * std::f64::consts::SQRT_2)
                        .to_bits()
                        .wrapping_add_signed(d),
                ));
            }
        }
        same(&xs);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Random bit patterns over the whole range, and uniform numbers where the value
        /// functions put them, and below √2 − 1: 64 × 1 200 inputs a run, each the same bits as libm.
        #[test]
        fn random_inputs_give_libm_bits(
            bits in proptest::collection::vec(proptest::num::u64::ANY, 500),
            small in proptest::collection::vec(0.0..100.0f64, 500),
            below in proptest::collection::vec(0.0..0.5f64, 200),
        ) {
            let mut xs: Vec<f64> = bits.iter().map(|b| f64::from_bits(*b)).collect();
            xs.extend(small);
            xs.extend(below);
            same(&xs);
        }
    }
}
