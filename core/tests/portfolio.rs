//! Portfolio selection under a budget: hand-derived examples, and the exact solver against
//! independent references (brute force over every subset for up to 18 initiatives, with and
//! without group limits; a dynamic programme over the budget for hundreds).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use civic_value::analysis::portfolio::{Candidate, Reason, SelectOptions, select};
use proptest::prelude::*;

fn c(total: f64, cost: f64) -> Candidate {
    Candidate {
        total,
        cost,
        knocked_out: false,
        group: None,
    }
}

fn g(total: f64, cost: f64, group: &str) -> Candidate {
    Candidate {
        group: Some(group.to_owned()),
        ..c(total, cost)
    }
}

fn opts(min: Option<u32>, max: Option<u32>) -> SelectOptions {
    SelectOptions {
        min_per_group: min,
        max_per_group: max,
        max_nodes: None,
    }
}

// ---- hand-derived examples -------------------------------------------------------------

#[test]
fn exact_beats_greedy_by_value_per_euro() {
    // Budget 100. A: 60 points for 60 (1.0 per euro), B: 50 for 50 (1.0), C: 45 for 50
    // (0.9), F: 10 for 40 (0.25).
    // Greedy by value per euro takes A (60), then B does not fit (110): A + F = 70.
    // Feasible pairs: A+F = 70 (100), B+C = 95 (100), B+F = 60 (90), C+F = 55 (90);
    // no three fit (cheapest three cost 140). Best: B + C = 95, cost 100, left 0.
    let s = select(
        &[c(60.0, 60.0), c(50.0, 50.0), c(45.0, 50.0), c(10.0, 40.0)],
        100.0,
        &SelectOptions::default(),
    )
    .unwrap();
    assert_eq!(s.chosen, [false, true, true, false]);
    assert_eq!(s.value, 95.0);
    assert_eq!((s.cost, s.left, s.budget), (100, 0, 100));
    // A: 1.0 per euro ≥ C's 0.9 (the least of the chosen), but 60 > 0 left: no room.
    // F: 0.25 < 0.9: lower value per euro than every chosen one.
    assert_eq!(
        s.reasons,
        [
            Reason::OverBudget,
            Reason::Chosen,
            Reason::Chosen,
            Reason::LowerValuePerEuro
        ]
    );
    assert_eq!(s.value_per_euro, [1.0, 1.0, 0.9, 0.25]);
}

#[test]
fn knocked_out_and_too_expensive_are_never_chosen() {
    // K (knocked out) would be the best buy: 90 points for 10. E costs 150 > 100 alone.
    // What is left: A (60, 60), B (50, 50): together 110 > 100, so the best is A = 60.
    let mut k = c(90.0, 10.0);
    k.knocked_out = true;
    let s = select(
        &[k, c(99.0, 150.0), c(60.0, 60.0), c(50.0, 50.0)],
        100.0,
        &SelectOptions::default(),
    )
    .unwrap();
    assert_eq!(s.chosen, [false, false, true, false]);
    assert_eq!((s.value, s.cost, s.left), (60.0, 60, 40));
    // B: 1.0 per euro = A's, group none, 50 > 40 left → over budget (no room left).
    assert_eq!(
        s.reasons,
        [
            Reason::KnockedOut,
            Reason::OverBudget,
            Reason::Chosen,
            Reason::OverBudget
        ]
    );
}

#[test]
fn equal_value_goes_to_the_cheaper_set() {
    // A: 50 for 50, B: 50 for 40; budget 50 fits one of them: same value, B is cheaper.
    let s = select(
        &[c(50.0, 50.0), c(50.0, 40.0)],
        50.0,
        &SelectOptions::default(),
    )
    .unwrap();
    assert_eq!(s.chosen, [false, true]);
    assert_eq!(s.left, 10);
    // A total of 0 is never bought; a free initiative with value always is.
    let s = select(
        &[c(0.0, 1.0), c(7.0, 0.0), c(0.0, 0.0)],
        10.0,
        &SelectOptions::default(),
    )
    .unwrap();
    assert_eq!(s.chosen, [false, true, false]);
    assert_eq!(s.value_per_euro, [0.0, f64::INFINITY, 0.0]);
    assert_eq!(s.reasons[0], Reason::LowerValuePerEuro);
}

/// Noord: A (60 for 60), D (30 for 30); Oost: B (50 for 50), C (45 for 50).
fn districts() -> Vec<Candidate> {
    vec![
        g(60.0, 60.0, "Noord"),
        g(50.0, 50.0, "Oost"),
        g(45.0, 50.0, "Oost"),
        g(30.0, 30.0, "Noord"),
    ]
}

#[test]
fn at_most_one_per_district() {
    // Without limits, budget 100: A + D = 90 (cost 90) beats B + C = 95? No: 95 > 90, and
    // B + C costs 100 ≤ 100. So B + C (both Oost).
    let s = select(&districts(), 100.0, &SelectOptions::default()).unwrap();
    assert_eq!(s.chosen, [false, true, true, false]);
    // At most one per district: pairs across districts: A+B 110, A+C 110 (too much),
    // D+B = 80 (80), D+C = 75 (80); singles at most 60. Best: B + D = 80, left 20.
    let s = select(&districts(), 100.0, &opts(None, Some(1))).unwrap();
    assert_eq!(s.chosen, [false, true, false, true]);
    assert_eq!((s.value, s.cost, s.left), (80.0, 80, 20));
    // A: 1.0 per euro = the least of the chosen (B, D: 1.0); Noord already has D → group
    // limit. C: 0.9 < 1.0 → lower value per euro.
    assert_eq!(
        s.reasons,
        [
            Reason::GroupLimit,
            Reason::Chosen,
            Reason::LowerValuePerEuro,
            Reason::Chosen
        ]
    );
}

#[test]
fn at_least_one_per_district() {
    // Budget 100 with at least one of Noord and of Oost: the unconstrained best B + C has no
    // Noord. Pairs across: A+B 110, A+C 110 (too much), B+D 80, C+D 75; a third never fits
    // (B + D + C = 130). Best: B + D = 80.
    let s = select(&districts(), 100.0, &opts(Some(1), None)).unwrap();
    assert_eq!(s.chosen, [false, true, false, true]);
    // Budget 70: the cheapest of Noord (30) and of Oost (50) cost 80 > 70: impossible.
    let e = select(&districts(), 70.0, &opts(Some(1), None)).unwrap_err();
    assert_eq!((e.code(), e.path()), ("input.infeasible", "min_per_group"));
    assert!(e.to_string().contains("costs at least 80 euros"), "{e}");
    // Budget 45: nothing of Oost fits at all.
    let e = select(&districts(), 45.0, &opts(Some(1), None)).unwrap_err();
    assert!(e.to_string().contains("group \"Oost\" has 0"), "{e}");
    // Two per district with at most one: inverted.
    let e = select(&districts(), 100.0, &opts(Some(2), Some(1))).unwrap_err();
    assert_eq!(e.code(), "input.limits_inverted");
}

#[test]
fn bad_input_names_the_row() {
    let cases = [
        (c(50.0, 12.5), "rows[1].cost", "input.not_whole_euros"),
        (c(50.0, -1.0), "rows[1].cost", "input.negative"),
        (c(50.0, f64::NAN), "rows[1].cost", "input.not_finite"),
        (c(f64::INFINITY, 1.0), "rows[1].total", "input.not_finite"),
        (c(-3.0, 1.0), "rows[1].total", "input.negative"),
        (c(1e6, 1.0), "rows[1].total", "input.above_max"),
    ];
    for (bad, path, code) in cases {
        let e = select(&[c(1.0, 1.0), bad], 10.0, &SelectOptions::default()).unwrap_err();
        assert_eq!((e.path(), e.code()), (path, code), "{e}");
    }
    let e = select(&[c(1.0, 1.0)], 10.5, &SelectOptions::default()).unwrap_err();
    assert_eq!((e.path(), e.code()), ("budget", "input.not_whole_euros"));
    assert_eq!(
        e.to_string(),
        "budget: must be a whole number of euros, got 10.5"
    );
    // A group limit needs every candidate's group.
    let e = select(&[g(1.0, 1.0, "a"), c(1.0, 1.0)], 10.0, &opts(None, Some(1))).unwrap_err();
    assert_eq!((e.path(), e.code()), ("rows[1].group", "input.missing"));
}

#[test]
fn an_empty_fund_round() {
    let s = select(&[], 1000.0, &SelectOptions::default()).unwrap();
    assert!(s.chosen.is_empty());
    assert_eq!((s.value, s.cost, s.left), (0.0, 0, 1000));
}

// ---- against independent references -----------------------------------------------------

/// A total as the solver compares it: whole units of 10⁻⁹ points.
fn units(total: f64) -> u64 {
    (total * 1e9).round() as u64
}

/// Brute force: every subset; the best (value, then lower cost) that respects the budget,
/// the knock-outs and the group limits. `None` when no subset does.
fn brute_force(cands: &[Candidate], budget: u64, o: &SelectOptions) -> Option<(u64, u64)> {
    let mut names: Vec<&str> = Vec::new();
    let mut group = Vec::new();
    for cand in cands {
        group.push(cand.group.as_deref().map(|gr| {
            if !names.contains(&gr) {
                names.push(gr);
            }
            names.iter().position(|x| *x == gr).unwrap()
        }));
    }
    assert!(names.len() <= 8);
    let value: Vec<u64> = cands.iter().map(|x| units(x.total)).collect();
    let (lo, hi) = (
        o.min_per_group.unwrap_or(0),
        o.max_per_group.unwrap_or(u32::MAX),
    );
    let mut best: Option<(u64, u64)> = None;
    'subsets: for mask in 0u32..(1 << cands.len()) {
        let (mut v, mut cost) = (0u64, 0u64);
        let mut counts = [0u32; 8];
        for (i, cand) in cands.iter().enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            if cand.knocked_out {
                continue 'subsets;
            }
            v += value[i];
            cost += cand.cost as u64;
            if let Some(k) = group[i] {
                counts[k] += 1;
            }
        }
        if cost > budget || counts[..names.len()].iter().any(|&k| k < lo || k > hi) {
            continue;
        }
        if best.is_none_or(|(bv, bc)| v > bv || (v == bv && cost < bc)) {
            best = Some((v, cost));
        }
    }
    best
}

fn candidates(max_len: usize, groups: bool) -> impl Strategy<Value = Vec<Candidate>> {
    prop::collection::vec(
        (
            0u32..=10_000, // total in hundredths of a point
            0u32..=1_000,  // cost in euros
            prop::bool::weighted(0.15),
            0u8..4,
        ),
        0..=max_len,
    )
    .prop_map(move |rows| {
        rows.into_iter()
            .map(|(t, cost, ko, gr)| Candidate {
                total: f64::from(t) / 100.0,
                cost: f64::from(cost),
                knocked_out: ko,
                group: groups.then(|| format!("d{gr}")),
            })
            .collect()
    })
}

fn check_against_brute_force(cands: &[Candidate], budget: u64, o: &SelectOptions) {
    let expected = brute_force(cands, budget, o);
    match select(cands, budget as f64, o) {
        Ok(s) => {
            let (v, cost) = cands
                .iter()
                .zip(&s.chosen)
                .filter(|(_, ch)| **ch)
                .fold((0u64, 0u64), |(v, cost), (cand, _)| {
                    (v + units(cand.total), cost + cand.cost as u64)
                });
            assert_eq!(Some((v, cost)), expected, "selection {:?}", s.chosen);
            assert!(s.cost <= budget && s.cost == cost && s.left == budget - cost);
            for ((cand, ch), r) in cands.iter().zip(&s.chosen).zip(&s.reasons) {
                assert!(
                    !(cand.knocked_out && *ch),
                    "a knocked-out initiative was chosen"
                );
                assert_eq!(*ch, *r == Reason::Chosen);
                assert_eq!(cand.knocked_out, *r == Reason::KnockedOut);
            }
            let sum: f64 = cands
                .iter()
                .zip(&s.chosen)
                .filter(|(_, ch)| **ch)
                .map(|(cand, _)| cand.total)
                .sum();
            approx::assert_abs_diff_eq!(s.value, sum, epsilon = 1e-9);
        }
        Err(e) => {
            assert_eq!(e.code(), "input.infeasible", "{e}");
            assert_eq!(expected, None);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn matches_brute_force(cands in candidates(18, false), share in 0.0..1.2f64) {
        let all: f64 = cands.iter().map(|x| x.cost).sum();
        let budget = (all * share).floor() as u64;
        check_against_brute_force(&cands, budget, &SelectOptions::default());
    }

    #[test]
    fn matches_brute_force_with_group_limits(
        cands in candidates(18, true),
        share in 0.0..1.2f64,
        min in prop::option::of(0u32..=2),
        extra in prop::option::of(0u32..=3),
    ) {
        let all: f64 = cands.iter().map(|x| x.cost).sum();
        let budget = (all * share).floor() as u64;
        let max = extra.map(|e| min.unwrap_or(0) + e);
        check_against_brute_force(&cands, budget, &opts(min, max));
    }

    /// Values exactly proportional to costs (the knapsack's hardest kind: every set that
    /// fills the budget equally is equally good) and many exact ties.
    #[test]
    fn matches_brute_force_when_values_follow_costs(
        costs in prop::collection::vec(1u32..=60, 0..=16),
        share in 0.0..1.0f64,
    ) {
        let cands: Vec<Candidate> =
            costs.iter().map(|&k| c(f64::from(k), f64::from(k))).collect();
        let all: f64 = cands.iter().map(|x| x.cost).sum();
        check_against_brute_force(&cands, (all * share).floor() as u64, &SelectOptions::default());
    }
}

/// A small linear congruential generator, so the large instances below are fixed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// The best value (in units) and its least cost by dynamic programming over every exact
/// cost up to the budget: an independent reference that is exact but takes
/// items × budget steps.
fn dynamic_programme(cands: &[Candidate], budget: usize) -> (u64, u64) {
    let mut best: Vec<Option<u64>> = vec![None; budget + 1];
    best[0] = Some(0);
    for cand in cands.iter().filter(|x| !x.knocked_out) {
        let (v, w) = (units(cand.total), cand.cost as usize);
        for cost in (w..=budget).rev() {
            if let Some(prev) = best[cost - w]
                && best[cost].is_none_or(|b| prev + v > b)
            {
                best[cost] = Some(prev + v);
            }
        }
    }
    let mut out = (0, 0);
    for (cost, v) in best.iter().enumerate() {
        if let Some(v) = *v
            && v > out.0
        {
            out = (v, cost as u64);
        }
    }
    out
}

#[test]
fn hundreds_of_initiatives_match_the_dynamic_programme() {
    for (seed, n, budget) in [
        (1u64, 300usize, 20_000usize),
        (2, 600, 40_000),
        (3, 1000, 30_000),
    ] {
        let mut rng = Lcg(seed);
        let cands: Vec<Candidate> = (0..n)
            .map(|_| {
                let cost = 50 + rng.next() % 950;
                // Totals loosely tied to cost, in hundredths of a point.
                let total = (rng.next() % 6000 + cost * 4) as f64 / 100.0;
                Candidate {
                    total,
                    cost: cost as f64,
                    knocked_out: rng.next().is_multiple_of(10),
                    group: None,
                }
            })
            .collect();
        let s = select(&cands, budget as f64, &SelectOptions::default()).unwrap();
        let got = cands
            .iter()
            .zip(&s.chosen)
            .filter(|(_, ch)| **ch)
            .fold((0u64, 0u64), |(v, w), (x, _)| {
                (v + units(x.total), w + x.cost as u64)
            });
        assert_eq!(got, dynamic_programme(&cands, budget), "seed {seed}");
    }
}

#[test]
fn a_search_limit_is_a_typed_error() {
    // Values proportional to costs over many items, with one node allowed.
    let cands: Vec<Candidate> = (0..40)
        .map(|i| c(f64::from(i % 7 + 3), f64::from(i % 7 + 3)))
        .collect();
    let o = SelectOptions {
        max_nodes: Some(1),
        ..SelectOptions::default()
    };
    match select(&cands, 101.0, &o) {
        Err(e) => assert_eq!(e.code(), "input.search_limit"),
        // The root alone may already prove the greedy incumbent optimal.
        Ok(s) => assert!(s.nodes <= 1),
    }
}

#[test]
fn costs_from_inputs() {
    use civic_value::InputValue;
    use civic_value::analysis::portfolio::cost_from_input;
    assert_eq!(cost_from_input(&InputValue::Number(1500.0)), Ok(1500.0));
    assert_eq!(
        cost_from_input(&InputValue::Text(" 1500 ".into())),
        Ok(1500.0)
    );
    let code = |v: InputValue| cost_from_input(&v).unwrap_err().code();
    assert_eq!(code(InputValue::Missing), "input.missing");
    assert_eq!(code(InputValue::Text(String::new())), "input.missing");
    assert_eq!(
        code(InputValue::Text("a lot".into())),
        "input.not_whole_euros"
    );
    assert_eq!(
        code(InputValue::Range {
            low: 1.0,
            high: 2.0
        }),
        "input.not_whole_euros"
    );
    assert_eq!(code(InputValue::Bool(true)), "input.not_whole_euros");
}
