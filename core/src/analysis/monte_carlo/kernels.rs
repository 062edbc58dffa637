//! The column kernels of a Monte Carlo draw — the drawn inputs' values
//! ([`Run::draw_inputs`]) and every initiative's total ([`Run::totals`]) — compiled twice on
//! x86_64: as plain x86_64 code and for AVX2 (`x86_64+avx+avx2`, four doubles per
//! instruction instead of two), the clone chosen once at run time from the CPU's features
//! (the `multiversion` crate). Every other target, WebAssembly included, has the plain code
//! only.
//!
//! The same bits either way: the compiler vectorises these loops lane by lane without
//! reordering any floating-point operation (Rust never contracts `a·b + c`), and **FMA is
//! not enabled** (a fused multiply-add rounds once where the plain code rounds twice). The
//! unit test below runs both clones on the same draws and compares every bit.

use super::{Run, Scratch};

/// The drawn inputs' values (when `vary_inputs`) and the totals of one draw, into `s.hi`:
/// the AVX2 clone on a CPU that has it, the plain code otherwise.
///
/// `allow(unsafe_code)`: the `multiversion` expansion calls the AVX2 clone (a
/// `#[target_feature]` function) inside an `unsafe` block once it has checked that the CPU
/// supports AVX2; there is no hand-written `unsafe` here.
#[allow(unsafe_code)]
#[cfg_attr(
    target_arch = "x86_64",
    multiversion::multiversion(targets("x86_64+avx+avx2"))
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
