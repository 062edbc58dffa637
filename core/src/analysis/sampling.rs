//! Reproducible random draws for Monte Carlo: one generator per draw, seeded from
//! `(seed, draw)`, and sampling written out here with `libm`, so that every platform, every
//! thread count and the browser draw the same numbers.
//!
//! The generator is PCG-XSL-RR 128/64 ([`rand_pcg::Pcg64`], the same algorithm as numpy's
//! `PCG64`). Draw `d` of seed `s` uses `Pcg64::new((s << 64) | d, STREAM)`. On top of its
//! 64-bit outputs:
//!
//! - [`uniform`]: `(next_u64 >> 11) · 2⁻⁵³`, in `[0, 1)`;
//! - [`normal`]: Marsaglia's polar method (two uniforms `u = 2U − 1`, `v = 2U − 1` until
//!   `0 < s = u² + v² < 1`, then `u · √(−2 ln s / s)`; the second variate is not kept);
//! - [`gamma`]: Marsaglia and Tsang (2000) for shape `a ≥ 1`; for `a < 1`,
//!   `gamma(a + 1) · U^(1/a)`;
//! - [`dirichlet`]: one gamma variate of shape `concentration · cᵢ` per positive centre
//!   weight `cᵢ` (in order; a zero weight draws nothing and stays zero), divided by their sum.
//!
//! `tests/vectors/monte_carlo/derive.py` implements the same definitions independently on
//! numpy's `PCG64` bit generator.

use rand_core::Rng;
use rand_pcg::Pcg64;

/// The PCG stream every draw uses: the bytes of `"civic-value"`.
pub const STREAM: u128 = 0x0063_6976_6963_2d76_616c_7565;

/// The generator of draw `draw` under `seed`: `Pcg64::new((seed << 64) | draw, STREAM)`.
pub fn draw_rng(seed: u64, draw: u64) -> Pcg64 {
    Pcg64::new((u128::from(seed) << 64) | u128::from(draw), STREAM)
}

/// A uniform number in `[0, 1)` from the top 53 bits of one output.
#[inline]
#[allow(clippy::cast_precision_loss)]
pub fn uniform(rng: &mut Pcg64) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// PCG64's LCG multiplier (as in `rand_pcg`: `state ← state · M + increment`, then the
/// output of the new state).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // the browser draws one by one
const MULTIPLIER: u128 = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645;
/// The increment of every draw's generator: `(STREAM << 1) | 1`.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
const INCREMENT: u128 = (STREAM << 1) | 1;
/// Lanes of [`uniforms_into`]: independent steps in flight at once.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
const LANES: usize = 4;
/// `LANES` steps at once: `state ← state · A + C` with `A = M⁴`,
/// `C = increment · (M³ + M² + M + 1)` (all mod 2¹²⁸), as `rand_pcg`'s `advance(4)`.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
const JUMP: (u128, u128) = {
    let (mut a, mut c, mut k) = (1u128, 0u128, 0);
    while k < LANES {
        a = a.wrapping_mul(MULTIPLIER);
        c = c.wrapping_mul(MULTIPLIER).wrapping_add(INCREMENT);
        k += 1;
    }
    (a, c)
};

/// PCG-XSL-RR's output of a state (as in `rand_pcg`).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
#[inline(always)]
#[allow(clippy::cast_possible_truncation)]
fn xsl_rr(state: u128) -> u64 {
    let rot = (state >> 122) as u32;
    (((state >> 64) as u64) ^ (state as u64)).rotate_right(rot)
}

/// [`uniform`] as [`uniform`] computes it from one output.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
#[inline(always)]
#[allow(clippy::cast_precision_loss)]
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// The next `slots.len()` uniforms of `rng` (a draw's generator, [`draw_rng`]), the `k`-th
/// stored at `out[slots[k]]` (slots past `out`'s end are skipped): the same numbers as
/// `slots.len()` calls of [`uniform`], computed as `LANES` interleaved runs of the same LCG
/// (each `LANES` steps apart, stepped with [`JUMP`]) so that their multiplications overlap
/// instead of waiting for each other. `rng` itself does not move (callers draw nothing
/// after the uniforms). A unit test compares with [`uniform`].
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
#[inline]
pub(crate) fn uniforms_into(rng: &Pcg64, slots: &[usize], out: &mut [f64]) {
    let mut state = rng.state();
    let mut lanes = [0u128; LANES];
    for lane in &mut lanes {
        state = state.wrapping_mul(MULTIPLIER).wrapping_add(INCREMENT);
        *lane = state;
    }
    let (a, c) = JUMP;
    let mut groups = slots.chunks_exact(LANES);
    for group in &mut groups {
        for (lane, &slot) in lanes.iter_mut().zip(group) {
            if let Some(o) = out.get_mut(slot) {
                *o = unit(xsl_rr(*lane));
            }
            *lane = lane.wrapping_mul(a).wrapping_add(c);
        }
    }
    for (lane, &slot) in lanes.iter().zip(groups.remainder()) {
        if let Some(o) = out.get_mut(slot) {
            *o = unit(xsl_rr(*lane));
        }
    }
}

/// A standard normal variate (Marsaglia's polar method).
pub fn normal(rng: &mut Pcg64) -> f64 {
    loop {
        let u = 2.0 * uniform(rng) - 1.0;
        let v = 2.0 * uniform(rng) - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * libm::log(s) / s).sqrt();
        }
    }
}

/// A gamma variate with the given shape and scale 1 (Marsaglia and Tsang). A shape that is
/// not positive and finite gives 0.
pub fn gamma(rng: &mut Pcg64, shape: f64) -> f64 {
    if !(shape > 0.0 && shape.is_finite()) {
        return 0.0;
    }
    if shape < 1.0 {
        let g = gamma(rng, shape + 1.0);
        return g * libm::pow(uniform(rng), 1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = uniform(rng);
        let x2 = x * x;
        if u < 1.0 - 0.0331 * (x2 * x2) {
            return d * v;
        }
        if libm::log(u) < 0.5 * x2 + d * (1.0 - v + libm::log(v)) {
            return d * v;
        }
    }
}

/// Weights drawn from a Dirichlet distribution centred on `centre` (summing to 1) with the
/// given concentration, written into `out` (same length). An infinite concentration copies
/// the centre without drawing; should every variate come out zero (underflow with tiny
/// shapes), the centre is used too.
pub fn dirichlet(rng: &mut Pcg64, centre: &[f64], concentration: f64, out: &mut [f64]) {
    if concentration.is_infinite() {
        out.copy_from_slice(centre);
        return;
    }
    let mut sum = 0.0;
    for (o, &c) in out.iter_mut().zip(centre) {
        *o = if c > 0.0 {
            gamma(rng, concentration * c)
        } else {
            0.0
        };
        sum += *o;
    }
    if sum > 0.0 && sum.is_finite() {
        for o in out.iter_mut() {
            *o /= sum;
        }
    } else {
        out.copy_from_slice(centre);
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn pcg64_matches_the_reference_stream() {
        // numpy: bg = PCG64(); bg.state = {..., "state": {"state": S, "inc": I}} with
        // I = (STREAM << 1) | 1 and S = ((state + I) * M + I) mod 2^128 (rand_pcg's `new`),
        // state = 0, M = 0x2360ED051FC65DA44385DF649FCCF645; bg.random_raw(3) gives these
        // (run in tests/vectors/monte_carlo/derive.py --selftest).
        let mut rng = draw_rng(0, 0);
        let got = [rng.next_u64(), rng.next_u64(), rng.next_u64()];
        assert_eq!(got, REFERENCE);
    }

    pub(super) const REFERENCE: [u64; 3] = [
        12_628_354_324_903_161_719,
        7_039_721_792_958_628_841,
        7_048_187_555_938_635_547,
    ];

    #[test]
    fn interleaved_uniforms_are_the_sequential_ones() {
        // The generator after some gamma draws (its state anywhere), then k uniforms for
        // every k around the lane count and a long run, through a permutation of slots.
        for k in (0..=13).chain([1_000, 3_001]) {
            let mut rng = draw_rng(9, 4);
            gamma(&mut rng, 3.5);
            let slots: Vec<usize> = (0..k).map(|i| (i * 7 + 3) % k.max(1)).collect();
            let mut fast = vec![f64::NAN; k];
            uniforms_into(&rng, &slots, &mut fast);
            let mut want = vec![f64::NAN; k];
            for &slot in &slots {
                want[slot] = uniform(&mut rng);
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&fast), bits(&want), "{k} uniforms");
        }
    }

    #[test]
    fn uniform_in_unit_interval_and_gamma_mean() {
        let mut rng = draw_rng(7, 3);
        let n = 20_000;
        let (mut mean_u, mut mean_g, mut mean_small) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let u = uniform(&mut rng);
            assert!((0.0..1.0).contains(&u));
            mean_u += u / f64::from(n);
            mean_g += gamma(&mut rng, 4.0) / f64::from(n);
            mean_small += gamma(&mut rng, 0.3) / f64::from(n);
        }
        // E[U] = 1/2, E[Gamma(a)] = a; standard errors 0.002, 0.014 and 0.004.
        assert!((mean_u - 0.5).abs() < 0.01, "{mean_u}");
        assert!((mean_g - 4.0).abs() < 0.06, "{mean_g}");
        assert!((mean_small - 0.3).abs() < 0.02, "{mean_small}");
    }

    #[test]
    fn dirichlet_sums_to_one_and_keeps_zeros() {
        let mut rng = draw_rng(1, 2);
        let centre = [0.5, 0.0, 0.3, 0.2];
        let mut out = [0.0; 4];
        dirichlet(&mut rng, &centre, 50.0, &mut out);
        assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(out[1], 0.0);
        dirichlet(&mut rng, &centre, f64::INFINITY, &mut out);
        assert_eq!(out, centre);
    }
}
