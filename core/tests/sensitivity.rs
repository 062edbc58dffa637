//! Tornado, exact weight stability and Monte Carlo: numbers derived by hand on a
//! three-initiative example, and the laws (fixed weights reproduce the score, rank rows sum
//! to 1, the same seed gives the same bits on any number of threads, the ranking holds just
//! inside a stability bound and changes just outside it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use approx::assert_abs_diff_eq;
use civic_value::analysis::monte_carlo::{MonteCarlo, MonteCarloOptions};
use civic_value::analysis::reweight::rescale;
use civic_value::{Inputs, Rubric};
use proptest::prelude::*;
use serde_json::json;

/// One theme, criteria `c0, c1, …` with the given weights, values `x / 10` (linear 0..10),
/// and a knock-out `c2 >= 2` when `knockout`.
fn rubric(weights: &[f64], aggregation: &str, knockout: bool) -> Rubric {
    let criteria: Vec<_> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut c = json!({
                "id": format!("c{i}"), "theme": "t", "weight": w,
                "value_function": {"type": "linear", "worst": 0, "best": 10},
                "min": 0, "max": 10
            });
            if knockout && i == 2 {
                c["knockout"] = json!({"at_least": 2});
            }
            c
        })
        .collect();
    let doc = json!({
        "id": "three", "version": "1", "aggregation": aggregation,
        "themes": [{"id": "t", "weight": 1}], "criteria": criteria
    });
    Rubric::from_json(&doc.to_string()).unwrap()
}

fn inputs(xs: &[f64]) -> Inputs {
    let mut i = Inputs::new();
    for (j, x) in xs.iter().enumerate() {
        i.insert(format!("c{j}"), *x);
    }
    i
}

/// The example: weights 0.5, 0.3, 0.2; A = (8, 2, 5), B = (4, 9, 6), C = (6, 5, 3) and
/// D = (10, 10, 1), knocked out by c2 >= 2.
///   A: 100·(0.5·0.8 + 0.3·0.2 + 0.2·0.5) = 100·(0.40 + 0.06 + 0.10) = 56
///   B: 100·(0.5·0.4 + 0.3·0.9 + 0.2·0.6) = 100·(0.20 + 0.27 + 0.12) = 59
///   C: 100·(0.5·0.6 + 0.3·0.5 + 0.2·0.3) = 100·(0.30 + 0.15 + 0.06) = 51
///   D: 100·(0.5 + 0.3 + 0.02) = 82, knocked out.
fn example() -> (Rubric, Vec<Inputs>) {
    let r = rubric(&[0.5, 0.3, 0.2], "weighted_sum", true);
    let items = vec![
        inputs(&[8.0, 2.0, 5.0]),
        inputs(&[4.0, 9.0, 6.0]),
        inputs(&[6.0, 5.0, 3.0]),
        inputs(&[10.0, 10.0, 1.0]),
    ];
    (r, items)
}

#[test]
fn tornado_by_hand() {
    let (r, items) = example();
    let t = r.tornado(&items[0], 0.2, None).unwrap();
    assert_abs_diff_eq!(t.total, 56.0, epsilon = 1e-12);
    // With c_k at weight t the others are scaled by (1 − t)/(1 − w_k):
    // S(t) = 100·(t·v_k + (1 − t)/(1 − w_k)·P), P = Σ_{j≠k} w_j v_j.
    // c0: P = 0.06 + 0.10 = 0.16; t = 0.4: 100·(0.32 + 1.2·0.16) = 51.2;
    //     t = 0.6: 100·(0.48 + 0.8·0.16) = 60.8 (swing 9.6).
    // c1: P = 0.40 + 0.10 = 0.50; t = 0.24: 100·(0.048 + 0.76/0.7·0.5) = 59.085714…;
    //     t = 0.36: 100·(0.072 + 0.64/0.7·0.5) = 52.914285… (swing 6.17).
    // c2: P = 0.40 + 0.06 = 0.46; t = 0.16: 100·(0.08 + 1.05·0.46) = 56.3;
    //     t = 0.24: 100·(0.12 + 0.95·0.46) = 55.7 (swing 0.6).
    let want = [
        ("c0", 0.5, 51.2, 60.8),
        (
            "c1",
            0.3,
            100.0 * (0.048 + 0.76 / 0.7 * 0.5),
            100.0 * (0.072 + 0.64 / 0.7 * 0.5),
        ),
        ("c2", 0.2, 56.3, 55.7),
    ];
    assert_eq!(t.rows.len(), 3);
    for (row, (id, w, low, high)) in t.rows.iter().zip(want) {
        assert_eq!(row.criterion, id);
        assert_abs_diff_eq!(row.weight, w, epsilon = 1e-12);
        assert_abs_diff_eq!(row.low, low, epsilon = 1e-9);
        assert_abs_diff_eq!(row.high, high, epsilon = 1e-9);
    }
    // change = 0: both ends are the total.
    let flat = r.tornado(&items[0], 0.0, None).unwrap();
    assert!(
        flat.rows
            .iter()
            .all(|row| (row.low - 56.0).abs() < 1e-12 && (row.high - 56.0).abs() < 1e-12)
    );
    let err = r.tornado(&items[0], 1.5, None).unwrap_err();
    assert_eq!((err.code(), err.path()), ("input.not_a_fraction", "change"));
    let err = r
        .tornado(&inputs(&[11.0, 1.0, 1.0]), 0.2, None)
        .unwrap_err();
    assert_eq!((err.code(), err.path()), ("input.above_max", "input.c0"));
}

#[test]
fn stability_by_hand() {
    let (r, items) = example();
    let s = r.stability(&items, None).unwrap();
    // D is knocked out; the ranking is B (59) > A (56) > C (51).
    assert_eq!(s.knocked_out, vec![3]);
    assert_eq!(s.ranking, vec![1, 0, 2]);
    let (a, b, c) = (0, 1, 2);
    // c0 (w = 0.5): S/100 = t·v0 + 2(1 − t)·P:
    //   A = 0.32 + 0.48t, B = 0.78 − 0.38t, C = 0.42 + 0.18t.
    //   A = B at 0.46/0.86 = 0.534884 (above 0.5), A = C at 0.1/0.3 = 1/3 (below),
    //   B = C at 0.36/0.56 = 0.642857 (further above).
    let c0 = &s.criteria[0];
    assert_abs_diff_eq!(c0.lower, 1.0 / 3.0, epsilon = 1e-12);
    assert_abs_diff_eq!(c0.upper, 0.46 / 0.86, epsilon = 1e-12);
    assert_eq!(c0.lower_swap, Some((a, c)));
    assert_eq!(c0.upper_swap, Some((b, a)));
    assert_eq!(c0.first_swap, Some((b, a))); // 0.035 above vs 0.167 below
    // c1 (w = 0.3), times 7: 7A = 5 − 3.6t, 7B = 3.2 + 3.1t, 7C = 3.6 − 0.1t.
    //   A = B at 1.8/6.7 = 18/67 = 0.268657 (below), A = C at 1.4/3.5 = 0.4 (above),
    //   B = C at 0.4/3.2 = 0.125 (further below).
    let c1 = &s.criteria[1];
    assert_abs_diff_eq!(c1.lower, 18.0 / 67.0, epsilon = 1e-12);
    assert_abs_diff_eq!(c1.upper, 0.4, epsilon = 1e-12);
    assert_eq!(c1.lower_swap, Some((b, a)));
    assert_eq!(c1.upper_swap, Some((a, c)));
    assert_eq!(c1.first_swap, Some((b, a)));
    // c2 (w = 0.2): A = 0.575 − 0.075t, B = 0.5875 + 0.0125t, C = 0.5625 − 0.2625t: every
    //   crossing is at a negative weight, so the ranking holds over [0, 1].
    let c2 = &s.criteria[2];
    assert_eq!((c2.lower, c2.upper, c2.first_swap), (0.0, 1.0, None));
}

/// Scores under a rubric whose weights are `weights` (an independent path: a new rubric).
fn totals_under(weights: &[f64], aggregation: &str, items: &[Inputs]) -> Vec<f64> {
    let r = rubric(weights, aggregation, false);
    items
        .iter()
        .map(|i| r.score(i, None).unwrap().total)
        .collect()
}

fn ranking(totals: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]).then(a.cmp(&b)));
    order
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Just inside each stability bound the ranking is the current one; just outside it
    /// has changed (weights rescaled proportionally, scored by a rubric with those weights).
    #[test]
    fn stability_bounds_are_where_the_ranking_changes(
        weights in prop::collection::vec(0.5..5.0f64, 2..5),
        xs in prop::collection::vec(prop::collection::vec(0.0..10.0f64, 5), 2..7),
        product in any::<bool>(),
    ) {
        let aggregation = if product { "weighted_product" } else { "weighted_sum" };
        let m = weights.len();
        let items: Vec<Inputs> = xs.iter().map(|x| inputs(&x[..m])).collect();
        let r = rubric(&weights, aggregation, false);
        let s = r.stability(&items, None).unwrap();
        let w = r.effective_weights(None).unwrap().to_vec();
        let now = ranking(&totals_under(&w, aggregation, &items));
        prop_assert_eq!(&now, &s.ranking);
        let eps = 1e-7;
        for (k, row) in s.criteria.iter().enumerate() {
            for (bound, swap, inward) in [(row.lower, row.lower_swap, eps), (row.upper, row.upper_swap, -eps)] {
                // Inside (away from the current weight only if there is room).
                if (bound - w[k]).abs() > 2.0 * eps {
                    let inside = totals_under(&rescale(&w, k, bound + inward), aggregation, &items);
                    prop_assert_eq!(&ranking(&inside), &now, "inside {} of c{}", bound, k);
                }
                if swap.is_some() {
                    let outside = totals_under(&rescale(&w, k, bound - inward), aggregation, &items);
                    let (hi, lo) = swap.unwrap();
                    prop_assert!(outside[lo] >= outside[hi], "c{} outside {}: {:?}", k, bound, outside);
                }
            }
            // Midway between the bounds the ranking holds too.
            let mid = totals_under(&rescale(&w, k, 0.5 * (row.lower + row.upper)), aggregation, &items);
            prop_assert_eq!(&ranking(&mid), &now);
        }
    }
}

fn run(r: &Rubric, items: &[Inputs], o: &MonteCarloOptions) -> MonteCarlo {
    r.monte_carlo(items, None, o, &mut |_, _| true).unwrap()
}

#[test]
fn monte_carlo_fixed_weights_and_points_reproduce_the_score() {
    let r = Rubric::builtin();
    let a = Inputs::from_json(
        r#"{"volunteer_hours": 3000, "neighbour_contact": 4, "support_share": 72,
            "permit_secured": true, "inclusion": "several_groups"}"#,
    )
    .unwrap();
    let b = Inputs::from_json(r#"{"volunteer_hours": 200, "support_share": 55}"#).unwrap();
    let items = [a, b];
    let o = MonteCarloOptions {
        draws: 300,
        concentration: f64::INFINITY,
        threads: 2,
        ..MonteCarloOptions::default()
    };
    let mc = run(&r, &items, &o);
    for (s, i) in mc.summary.iter().zip(&items) {
        let total = r.score(i, None).unwrap().total;
        // Every draw is the score: min, max and the quantiles are its bits.
        assert_eq!(
            (s.min, s.max, s.p5, s.p50, s.p95, s.point),
            (total, total, total, total, total, total)
        );
        assert_abs_diff_eq!(s.mean, total, epsilon = 1e-12);
    }
    // Ranges stay at their points when inputs do not vary.
    let ranged =
        [
            Inputs::from_json(r#"{"volunteer_hours": [1000, 4000], "support_share": [55, 80]}"#)
                .unwrap(),
        ];
    let fixed = run(
        &r,
        &ranged,
        &MonteCarloOptions {
            vary_inputs: false,
            ..o.clone()
        },
    );
    let total = r.score(&ranged[0], None).unwrap().total;
    assert_eq!((fixed.summary[0].p5, fixed.summary[0].p95), (total, total));
    // ... and spread inside the score's interval when they do.
    let varied = run(&r, &ranged, &o);
    let iv = r.score(&ranged[0], None).unwrap().interval;
    let s = &varied.summary[0];
    assert!(
        iv.low <= s.min && s.min < s.p5 && s.p5 < s.p95 && s.p95 < s.max && s.max <= iv.high,
        "{s:?} {iv:?}"
    );
}

fn fund() -> (Rubric, Vec<Inputs>) {
    let r = Rubric::builtin();
    let items = (0..12)
        .map(|i| {
            let f = f64::from(i);
            Inputs::from_json(&format!(
                r#"{{"volunteer_hours": [{}, {}], "neighbour_contact": {}, "support_share": {},
                    "permit_secured": {}, "inclusion": "several_groups"}}"#,
                100.0 + 300.0 * f,
                400.0 + 350.0 * f,
                1 + i % 5,
                45.0 + 4.0 * f,
                i % 3 != 0
            ))
            .unwrap()
        })
        .collect();
    (r, items)
}

#[test]
fn monte_carlo_is_reproducible_on_any_number_of_threads() {
    let (r, items) = fund();
    let o = MonteCarloOptions {
        draws: 1000,
        seed: 42,
        threads: 1,
        ..MonteCarloOptions::default()
    };
    let one = run(&r, &items, &o);
    assert_eq!(one, run(&r, &items, &o));
    for threads in [2, 3, 8] {
        assert_eq!(
            one,
            run(
                &r,
                &items,
                &MonteCarloOptions {
                    threads,
                    ..o.clone()
                }
            ),
            "{threads} threads"
        );
    }
    let other = run(
        &r,
        &items,
        &MonteCarloOptions {
            seed: 43,
            ..o.clone()
        },
    );
    assert_ne!(one.summary, other.summary);
    // A number of draws that is not a multiple of the chunk size.
    let odd = MonteCarloOptions {
        draws: 1333,
        ..o.clone()
    };
    assert_eq!(
        run(&r, &items, &odd),
        run(
            &r,
            &items,
            &MonteCarloOptions {
                threads: 2,
                ..odd.clone()
            }
        )
    );
}

#[test]
fn monte_carlo_ranks_and_top_k() {
    let (r, items) = fund();
    let n = items.len();
    let mc = run(
        &r,
        &items,
        &MonteCarloOptions {
            draws: 500,
            top_k: 3,
            ..MonteCarloOptions::default()
        },
    );
    for (i, row) in mc.ranks.iter().enumerate() {
        assert_eq!(row.len(), n);
        assert_abs_diff_eq!(row.iter().sum::<f64>(), 1.0, epsilon = 1e-12);
        // p_top_k ≤ P(rank ≤ 3), equal when the initiative always passes its knock-outs.
        let top3: f64 = row[..3].iter().sum();
        assert!(mc.summary[i].p_top_k <= top3 + 1e-12);
    }
    for place in 0..n {
        let column: f64 = mc.ranks.iter().map(|row| row[place]).sum();
        assert_abs_diff_eq!(column, 1.0, epsilon = 1e-12);
    }
    let top: f64 = mc.summary.iter().map(|s| s.p_top_k).sum();
    assert!(top <= 3.0 + 1e-12);
    // Initiatives 0, 1, 2 and 3 have support 45–57 around the knock-out (>= 50): 0 and 1
    // fail for certain and never count as top, nor rank above one that passes.
    assert!(mc.summary[0].knocked_out && mc.summary[1].knocked_out);
    assert_eq!((mc.summary[0].p_top_k, mc.summary[1].p_top_k), (0.0, 0.0));
    assert_eq!(mc.ranks[0][..n - 2].iter().sum::<f64>(), 0.0);
}

#[test]
fn monte_carlo_bad_parameters_and_cancel() {
    let (r, items) = fund();
    let bad = |o: MonteCarloOptions| {
        let e = r
            .monte_carlo(&items, None, &o, &mut |_, _| true)
            .unwrap_err();
        (e.code(), e.path().to_owned())
    };
    let d = MonteCarloOptions::default;
    assert_eq!(
        bad(MonteCarloOptions { draws: 0, ..d() }),
        ("input.invalid_parameter", "draws".into())
    );
    for c in [0.0, -1.0, f64::NAN] {
        assert_eq!(
            bad(MonteCarloOptions {
                concentration: c,
                ..d()
            }),
            ("input.invalid_parameter", "concentration".into())
        );
    }
    assert_eq!(
        bad(MonteCarloOptions { top_k: 0, ..d() }),
        ("input.invalid_parameter", "top_k".into())
    );
    let mut bad_items = items.clone();
    bad_items[4].insert("support_share", 120.0);
    let e = r
        .monte_carlo(&bad_items, None, &d(), &mut |_, _| true)
        .unwrap_err();
    assert_eq!(
        (e.code(), e.path()),
        ("input.above_max", "rows[4].input.support_share")
    );
    for threads in [1, 2] {
        let mut calls = 0;
        let e = r
            .monte_carlo(
                &items,
                None,
                &MonteCarloOptions { threads, ..d() },
                &mut |done, total| {
                    calls += 1;
                    assert!(done <= total && total == 10_000);
                    false
                },
            )
            .unwrap_err();
        assert_eq!(e.code(), "analysis.cancelled");
        assert_eq!(calls, 1);
    }
    let mut seen = Vec::new();
    run_with(
        &r,
        &items,
        &MonteCarloOptions {
            draws: 600,
            threads: 1,
            ..d()
        },
        &mut |done, total| {
            seen.push((done, total));
            true
        },
    );
    assert_eq!(seen, vec![(256, 600), (512, 600), (600, 600)]);
}

fn run_with(
    r: &Rubric,
    items: &[Inputs],
    o: &MonteCarloOptions,
    p: &mut dyn FnMut(u64, u64) -> bool,
) {
    r.monte_carlo(items, None, o, p).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// With fixed weights and point inputs every draw equals the score, for any weights
    /// and aggregation.
    #[test]
    fn fixed_monte_carlo_is_the_score(
        weights in prop::collection::vec(0.0..5.0f64, 3..6),
        xs in prop::collection::vec(prop::collection::vec(0.0..10.0f64, 6), 1..5),
        product in any::<bool>(),
        seed in any::<u64>(),
    ) {
        prop_assume!(weights.iter().sum::<f64>() > 0.1);
        let aggregation = if product { "weighted_product" } else { "weighted_sum" };
        let m = weights.len();
        let r = rubric(&weights, aggregation, false);
        let items: Vec<Inputs> = xs.iter().map(|x| inputs(&x[..m])).collect();
        let o = MonteCarloOptions { draws: 70, seed, concentration: f64::INFINITY, ..MonteCarloOptions::default() };
        let mc = run(&r, &items, &o);
        for (s, i) in mc.summary.iter().zip(&items) {
            let t = r.score(i, None).unwrap().total;
            prop_assert_eq!((s.p5, s.p50, s.p95), (t, t, t));
        }
    }
}
