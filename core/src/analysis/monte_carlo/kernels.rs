//! The Monte Carlo's hot code compiled several times on x86_64 — as plain x86_64 code, for
//! AVX2 (`x86_64+avx+avx2`, four doubles per instruction instead of two) and for AVX-512
//! (`+avx512f+avx512dq+avx512vl`: eight doubles, and conversions between doubles and 64-bit
//! integers in vector registers, which the block `log1p`, the histogram bins and the
//! ranking's buckets use) — the clone chosen once at run time from the CPU's features (the
//! `multiversion` crate). `multiversion` 0.9 adds the rest of Ice Lake's AVX-512 set to any
//! target naming an AVX-512 feature (bitalg, bw, cd, ifma, vbmi, vbmi2, vnni, vpopcntdq,
//! gfni, vaes, vpclmulqdq; unless built with `--cfg multiversion_allow_slow_avx512`), so
//! the AVX-512 clone runs on Ice Lake or newer and AMD Zen 4 or newer; Skylake-SP, Cascade
//! Lake and Cooper Lake servers run the AVX2 clone (the same bits; the AVX-512 clone saved
//! ≈ 5 % of the CPU on the AMD EPYC where it was measured). Two entry points: a whole chunk of draws ([`chunk`]: drawing,
//! ranking, recording and counting, everything [`Run::chunk`] inlines) and, inside it, the
//! column kernels of one draw ([`values_and_totals`]: the drawn inputs' values and every
//! initiative's total). Every other target, WebAssembly included, has the plain code only.
//!
//! The same bits in every clone: the compiler vectorises these loops lane by lane without
//! reordering any floating-point operation, and never fuses a multiplication with an
//! addition (Rust does not allow LLVM to contract `a·b + c`; the AVX-512 feature set
//! implies the FMA instructions, but nothing asks for them: the workspace has no `mul_add`
//! here and `objdump -d | grep vfmadd` finds none). Float-to-integer casts saturate the
//! same way whatever instruction makes them. The unit test below runs the dispatched and
//! the plain kernels on the same draws and compares every bit; the Monte Carlo tests and
//! vectors run the dispatched chunk.

use super::{Run, Scratch, Tally};

/// Draws `[from, to)` into `s` and `t` ([`Run::chunk`]): the AVX-512 or AVX2 clone on a
/// CPU that has it, the plain code otherwise.
///
/// `allow(unsafe_code)`: the `multiversion` expansion calls a clone (a `#[target_feature]`
/// function) inside an `unsafe` block once it has checked that the CPU supports its
/// features; there is no hand-written `unsafe` here.
#[allow(unsafe_code)]
#[cfg_attr(
    target_arch = "x86_64",
    multiversion::multiversion(targets(
        "x86_64+avx+avx2+avx512f+avx512dq+avx512vl",
        "x86_64+avx+avx2"
    ))
)]
pub(super) fn chunk(run: &Run<'_, '_>, from: u64, to: u64, s: &mut Scratch, t: &mut Tally) {
    run.chunk(from, to, s, t);
}

/// One draw's totals and places recorded into `s` and `t` ([`Run::record`]): the AVX-512
/// clone on a CPU that has it (its float-to-integer conversions are vector instructions
/// there), the plain code otherwise.
///
/// `allow(unsafe_code)`: as [`chunk`].
#[allow(unsafe_code)]
#[cfg_attr(
    target_arch = "x86_64",
    multiversion::multiversion(targets(
        "x86_64+avx+avx2+avx512f+avx512dq+avx512vl",
        "x86_64+avx+avx2"
    ))
)]
pub(super) fn record(run: &Run<'_, '_>, slot: usize, s: &mut Scratch, t: &mut Tally) {
    run.record(slot, s, t);
}

/// The drawn inputs' values (when `vary_inputs`) and the totals of one draw, into `s.hi`:
/// the AVX-512 or AVX2 clone on a CPU that has it, the plain code otherwise.
///
/// `allow(unsafe_code)`: as [`chunk`].
#[allow(unsafe_code)]
#[cfg_attr(
    target_arch = "x86_64",
    multiversion::multiversion(targets(
        "x86_64+avx+avx2+avx512f+avx512dq+avx512vl",
        "x86_64+avx+avx2"
    ))
)]
pub(super) fn values_and_totals(run: &Run<'_, '_>, s: &mut Scratch, vary_inputs: bool) {
    body(run, s, vary_inputs);
}

/// [`values_and_totals`] without dispatch: always the plain code (the test's reference).
#[cfg(test)]
pub(super) fn values_and_totals_plain(run: &Run<'_, '_>, s: &mut Scratch, vary_inputs: bool) {
    body(run, s, vary_inputs);
}

/// What both forms compile: inlined into each, so each clone has its own code.
#[inline(always)]
fn body(run: &Run<'_, '_>, s: &mut Scratch, vary_inputs: bool) {
    if vary_inputs {
        run.draw_inputs(s);
    }
    run.totals(s);
}
