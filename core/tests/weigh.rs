//! Weigh and decide: hand-derived and published numbers for each method (cited in each
//! test), and the laws of issue 7 as property tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop
)]

use std::collections::BTreeMap;

use approx::assert_relative_eq;
use civic_value::analysis::ahp::{AhpMethod, RandomIndex, ahp, parse_judgement};
use civic_value::analysis::mcda::{Normalization, normalize, topsis, wsum};
use civic_value::analysis::{critic, entropy, weights};
use civic_value::{InputValue, Inputs, Rubric};
use proptest::prelude::*;

const EV: AhpMethod = AhpMethod::Eigenvector;
const GM: AhpMethod = AhpMethod::GeometricMean;
const SAATY: RandomIndex = RandomIndex::Saaty;

fn m(text: &str) -> Vec<Vec<f64>> {
    text.trim()
        .lines()
        .map(|l| {
            l.split_whitespace()
                .map(|c| parse_judgement(c).unwrap())
                .collect()
        })
        .collect()
}

// ---- AHP --------------------------------------------------------------------------------

#[test]
fn ahp_saaty_house_example() {
    // T. L. Saaty, "How to make a decision: the analytic hierarchy process", EJOR 48 (1990)
    // 9–26, the house example: weights .173 .054 .188 .018 .031 .036 .167 .333,
    // λmax 9.669, CI 0.238, CR 0.169 (published to three decimals).
    let house = m("
        1   5   3   7   6   6   1/3 1/4
        1/5 1   1/3 5   3   3   1/5 1/7
        1/3 3   1   6   3   4   6   1/5
        1/7 1/5 1/6 1   1/3 1/4 1/7 1/8
        1/6 1/3 1/3 3   1   1/2 1/5 1/6
        1/6 1/3 1/4 4   2   1   1/5 1/6
        3   5   1/6 7   5   5   1   1/2
        4   7   5   8   6   6   2   1");
    let r = ahp(&house, EV, SAATY).unwrap();
    let published = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333];
    for (w, p) in r.weights.iter().zip(published) {
        assert!((w - p).abs() < 6e-4, "{w} vs {p}");
    }
    assert!((r.lambda_max - 9.669).abs() < 6e-4);
    assert!((r.ci - 0.238).abs() < 6e-4);
    assert!((r.cr - 0.169).abs() < 6e-4);
    assert!(!r.consistent);
    assert_eq!(r.random_index, 1.41); // Saaty's RI(8)
}

#[test]
fn ahp_two_by_two_and_one() {
    // [[1, 4], [1/4, 1]]: eigenvector (4, 1), so (0.8, 0.2); n = 2 gives CR 0.
    let r = ahp(&[vec![1.0, 4.0], vec![0.25, 1.0]], EV, SAATY).unwrap();
    assert_relative_eq!(r.weights[0], 0.8, epsilon = 1e-15);
    assert_relative_eq!(r.weights[1], 0.2, epsilon = 1e-15);
    assert_eq!((r.ci, r.cr, r.consistent), (0.0, 0.0, true));
    let one = ahp(&[vec![1.0]], GM, SAATY).unwrap();
    assert_eq!(one.weights, vec![1.0]);
    assert_eq!(one.cr, 0.0);
}

#[test]
fn ahp_geometric_mean_by_hand() {
    // [[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]] is consistent: row geometric means 2, 1, 1/2,
    // weights (4/7, 2/7, 1/7) by either method, λmax = 3.
    let a = m("1 2 4\n1/2 1 2\n1/4 1/2 1");
    for method in [EV, GM] {
        let r = ahp(&a, method, SAATY).unwrap();
        for (w, e) in r.weights.iter().zip([4.0 / 7.0, 2.0 / 7.0, 1.0 / 7.0]) {
            assert_relative_eq!(*w, e, epsilon = 1e-14);
        }
        assert_relative_eq!(r.lambda_max, 3.0, epsilon = 1e-13);
        assert!(r.cr < 1e-13);
        assert_eq!(r.method, method);
    }
}

#[test]
fn ahp_refuses_and_names_the_cell() {
    let e = ahp(&m("1 3 2\n0.5 1 1\n1/2 1 1"), EV, SAATY).unwrap_err();
    assert_eq!(e.code(), "input.not_reciprocal");
    assert_eq!(e.path(), "matrix[1][0]");
    assert_eq!(e.message(), "must be 1/3 (reciprocal of 3), got 0.5");
    // Within the 1e-9 relative tolerance: 0.333333333 is accepted as 1/3.
    assert!(ahp(&m("1 3\n0.3333333333 1"), EV, SAATY).is_ok());
    assert_eq!(
        ahp(&m("1 3\n0.33333 1"), EV, SAATY).unwrap_err().code(),
        "input.not_reciprocal"
    );
    let e = ahp(&[vec![1.0, f64::NAN], vec![1.0, 1.0]], EV, SAATY).unwrap_err();
    assert_eq!((e.code(), e.path()), ("input.not_finite", "matrix[0][1]"));
    let e = ahp(&[vec![1.0, -2.0], vec![-0.5, 1.0]], EV, SAATY).unwrap_err();
    assert_eq!((e.code(), e.path()), ("input.not_positive", "matrix[0][1]"));
    let e = ahp(&[vec![1.0, 2.0]], EV, SAATY).unwrap_err();
    assert_eq!(e.code(), "input.shape");
    let e = ahp(&[], EV, SAATY).unwrap_err();
    assert_eq!(e.code(), "input.empty");
    let big = vec![vec![1.0; 11]; 11];
    let e = ahp(&big, EV, SAATY).unwrap_err();
    assert_eq!(e.code(), "input.random_index_not_covered");
    assert!(e.message().contains("n = 11"), "{e}");
    assert!(ahp(&big, EV, RandomIndex::AlonsoLamata).is_ok());
}

#[test]
fn hierarchical_ahp_gives_rubric_weights() {
    // Built-in rubric: 5 themes; equal judgements everywhere give every theme 1/5 and each
    // criterion 1/5 × 1/(criteria in its theme): social cohesion has 3, so 1/15 each.
    let r = Rubric::builtin();
    let ones = |n: usize| vec![vec![1.0; n]; n];
    let mut criteria = BTreeMap::new();
    for t in r.themes() {
        criteria.insert(t.id().to_owned(), ones(t.criteria().len()));
    }
    let h = r.ahp_weights(&ones(5), &criteria, EV, SAATY).unwrap();
    assert!(h.consistent);
    let w: BTreeMap<_, _> = h.weights.iter().cloned().collect();
    assert_relative_eq!(w["volunteer_hours"], 1.0 / 15.0, epsilon = 1e-15);
    assert_relative_eq!(w["plan_maturity"], 1.0 / 10.0, epsilon = 1e-15);
    let new = r.with_weights(&h.weight_map()).unwrap();
    assert_relative_eq!(
        new.effective_weights(None).unwrap()[0],
        1.0 / 15.0,
        epsilon = 1e-15
    );
    // A theme of several criteria needs its matrix.
    criteria.remove("cost");
    let e = r.ahp_weights(&ones(5), &criteria, EV, SAATY).unwrap_err();
    assert_eq!(
        (e.code(), e.path()),
        ("input.matrix_missing", "criteria.cost")
    );
    criteria.insert("nope".into(), ones(1));
    let e = r.ahp_weights(&ones(5), &criteria, EV, SAATY).unwrap_err();
    assert_eq!(e.code(), "input.unknown_theme");
}

// ---- rank and objective weights -----------------------------------------------------------

#[test]
fn roc_and_rank_sum_by_hand() {
    // Barron & Barrett (1996), ROC for n = 3: (1 + 1/2 + 1/3)/3 = 11/18, (1/2 + 1/3)/3 = 5/18,
    // (1/3)/3 = 2/18.
    let w = weights::roc(3).unwrap();
    for (a, b) in w.iter().zip([11.0 / 18.0, 5.0 / 18.0, 2.0 / 18.0]) {
        assert_relative_eq!(*a, b, epsilon = 1e-15);
    }
    // Rank sum n = 3: 2(n + 1 − k)/(n(n + 1)) = 6/12, 4/12, 2/12.
    let w = weights::rank_sum(3).unwrap();
    for (a, b) in w.iter().zip([0.5, 1.0 / 3.0, 1.0 / 6.0]) {
        assert_relative_eq!(*a, b, epsilon = 1e-15);
    }
    assert_eq!(weights::roc(1).unwrap(), vec![1.0]);
    assert_eq!(weights::points(&[2.0, 6.0]).unwrap(), vec![0.25, 0.75]);
}

#[test]
fn entropy_by_hand() {
    // Two rows, benefit: column 0 (1, 1) is uniform, e = 1, d = 0; column 1 (1, 3) has shares
    // (1/4, 3/4), e = −(1/4 ln 1/4 + 3/4 ln 3/4)/ln 2 = 0.8112781244591328, d = 0.18872;
    // so the weights are (0, 1).
    let w = entropy::entropy(&[vec![1.0, 1.0], vec![1.0, 3.0]], &[1.0, 1.0]).unwrap();
    assert_eq!(w[0], 0.0);
    assert_relative_eq!(w[1], 1.0, epsilon = 1e-15);
    // A cost column by 1/x: (1, 3) as cost has shares (3/4, 1/4): the same entropy.
    let w = entropy::entropy(&[vec![1.0, 2.0], vec![3.0, 1.0]], &[-1.0, 1.0]).unwrap();
    // Column 1 (2, 1) has shares (2/3, 1/3): e = 0.9182958340544896, d = 0.0817041659455104;
    // column 0: d = 1 − 0.8112781244591328 = 0.1887218755408672. w0 = 0.18872/(0.18872 + 0.08170).
    assert_relative_eq!(
        w[0],
        0.1887218755408672 / 0.2704260414863776,
        epsilon = 1e-12
    );
}

#[test]
fn critic_by_hand() {
    // Two criteria, three rows, min-max normalised columns (0, 0.5, 1) and (1, 0, 0.5):
    // equal standard deviations; correlation r = −0.5 (centred (−.5, 0, .5)·(.5, −.5, 0) =
    // −.25, over sqrt(.5 · .5) = .5), so both C_j = σ (1 − 1 + 1 − (−0.5)) are equal: (1/2, 1/2).
    let w = critic::critic(
        &[vec![0.0, 2.0], vec![1.0, 0.0], vec![2.0, 1.0]],
        &[1.0, 1.0],
    )
    .unwrap();
    assert_relative_eq!(w[0], 0.5, epsilon = 1e-15);
    assert_relative_eq!(w[1], 0.5, epsilon = 1e-15);
}

// ---- normalisation, weighted sum, TOPSIS -------------------------------------------------------

#[test]
fn normalisations_by_hand() {
    // Column (2, 4), benefit and cost.
    let x = [vec![2.0, 2.0], vec![4.0, 4.0]];
    let t = [1.0, -1.0];
    let n = |method| normalize(&x, &t, method).unwrap();
    // minmax: benefit (0, 1), cost (1, 0).
    assert_eq!(
        n(Normalization::MinMax),
        vec![vec![0.0, 1.0], vec![1.0, 0.0]]
    );
    // max: 2/4, 4/4; cost 1 − 2/4, 1 − 4/4.
    assert_eq!(n(Normalization::Max), vec![vec![0.5, 0.5], vec![1.0, 0.0]]);
    // sum: 2/6, 4/6; cost (1/2)/(3/4) = 2/3, (1/4)/(3/4) = 1/3.
    let s = n(Normalization::Sum);
    assert_relative_eq!(s[0][0], 1.0 / 3.0, epsilon = 1e-15);
    assert_relative_eq!(s[0][1], 2.0 / 3.0, epsilon = 1e-15);
    // vector: ‖(2, 4)‖ = √20; 2/√20 = 0.4472135954999579; cost 1 − that.
    let v = n(Normalization::Vector);
    assert_relative_eq!(v[0][0], 0.4472135954999579, epsilon = 1e-15);
    assert_relative_eq!(v[0][1], 1.0 - 0.4472135954999579, epsilon = 1e-15);
    // linear: 2/4, 4/4; cost min/x = 2/2, 2/4.
    assert_eq!(
        n(Normalization::Linear),
        vec![vec![0.5, 1.0], vec![1.0, 0.5]]
    );
    // A constant column under min-max is an error naming the column.
    let e = normalize(
        &[vec![1.0, 5.0], vec![2.0, 5.0]],
        &[1.0, 1.0],
        Normalization::MinMax,
    )
    .unwrap_err();
    assert_eq!(
        (e.code(), e.path()),
        ("input.degenerate_column", "matrix[*][1]")
    );
    // A cost column with a zero under sum divides by zero at that cell.
    let e = normalize(&[vec![0.0], vec![2.0]], &[-1.0], Normalization::Sum).unwrap_err();
    assert_eq!((e.code(), e.path()), ("input.not_positive", "matrix[0][0]"));
}

#[test]
fn wsum_and_topsis_by_hand() {
    // wsum, min-max, weights (3, 1): rows (0, 1), (1/2, 1/2), (1, 0) → 1/4, 1/2, 3/4.
    let x = [vec![3.0, 4.0], vec![4.0, 3.0], vec![5.0, 2.0]];
    let s = wsum(&x, &[3.0, 1.0], &[1.0, 1.0], Normalization::MinMax).unwrap();
    assert_eq!(s, vec![0.25, 0.5, 0.75]);
    // TOPSIS, see tests/vectors/weigh/topsis-hand.json: (0.25, 0.75).
    let c = topsis(
        &[vec![3.0, 4.0], vec![4.0, 3.0]],
        &[0.75, 0.25],
        &[1.0, 1.0],
        Normalization::Vector,
    )
    .unwrap();
    assert_relative_eq!(c[0], 0.25, epsilon = 1e-15);
    assert_relative_eq!(c[1], 0.75, epsilon = 1e-15);
}

// ---- levers, path to a band, perspectives, re-weighting (built-in rubric) -------------------

fn oosterspoorbaan() -> Inputs {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/oosterspoorbaan.json"
    ))
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    Inputs::from_json(&v["inputs"].to_string()).unwrap()
}

#[test]
fn levers_of_a_likert_boolean_and_category() {
    let r = Rubric::builtin();
    // Everything at its worst except what is asked about.
    let inputs = Inputs::from_json(
        r#"{"neighbour_contact": 2, "permit_secured": false, "inclusion": "one_group",
            "support_share": 60, "municipal_contribution": 100000}"#,
    )
    .unwrap();
    let levers = r.levers(&inputs, None).unwrap();
    let by: BTreeMap<_, _> = levers.iter().map(|l| (l.criterion.as_str(), l)).collect();
    // Likert 5: best level 5; social cohesion 30 % × 2/5 = 12 % × (1 − 1/4) = 9 points.
    assert_eq!(by["neighbour_contact"].best, InputValue::Number(5.0));
    assert_relative_eq!(by["neighbour_contact"].gain, 9.0, epsilon = 1e-12);
    assert_eq!(by["neighbour_contact"].per_unit, None);
    // Boolean: true; feasibility 15 % × 1/3 = 5 points.
    assert_eq!(by["permit_secured"].best, InputValue::Bool(true));
    assert_relative_eq!(by["permit_secured"].gain, 5.0, epsilon = 1e-12);
    // Category: several_groups (value 1, from 0.5): 30 % × 1/5 = 6 % → 3 points.
    assert_eq!(
        by["inclusion"].best,
        InputValue::Text("several_groups".into())
    );
    assert_relative_eq!(by["inclusion"].gain, 3.0, epsilon = 1e-12);
    // Linear cost 250 000 → 0: best 0; cost 10 % × 2/3; per € −100 × (1/15) / 250 000.
    assert_eq!(by["municipal_contribution"].best, InputValue::Number(0.0));
    assert_relative_eq!(
        by["municipal_contribution"].per_unit.unwrap(),
        -100.0 * (1.0 / 15.0) / 250_000.0,
        epsilon = 1e-18
    );
    // support_share 60: linear 30 → 90, reach & support 25 % × 2/5 = 10 %; per % 10/60.
    assert_relative_eq!(
        by["support_share"].per_unit.unwrap(),
        10.0 / 60.0,
        epsilon = 1e-14
    );
    // Sorted by gain, highest first.
    assert!(levers.windows(2).all(|w| w[0].gain >= w[1].gain));
}

#[test]
fn path_of_the_park_to_strong_is_empty_and_knockout_matters() {
    let r = Rubric::builtin();
    let park = oosterspoorbaan();
    assert!(r.path_to_band(&park, None, "strong").unwrap().is_empty());
    // Support 40 % fails the knock-out (≥ 50): the path must lift it, however high the total.
    let mut low_support = park.clone();
    low_support.insert("support_share", 40.0);
    let path = r.path_to_band(&low_support, None, "strong").unwrap();
    assert_eq!(path[0].criterion, "support_share");
    let mut fixed = low_support.clone();
    for s in &path {
        fixed.insert(s.criterion.clone(), s.value.clone());
    }
    let s = r.score(&fixed, None).unwrap();
    assert!(s.knockouts.is_empty());
    assert_eq!(s.band.as_deref(), Some("strong"));
    let e = r.path_to_band(&park, None, "gold").unwrap_err();
    assert_eq!((e.code(), e.path()), ("input.unknown_band", "band"));
    // The band to aim for: none for the park (top band, no knock-out failing); the top band
    // itself when a knock-out fails there (as the web form aims), so the path fixes it.
    assert!(r.next_band(&r.score(&park, None).unwrap()).is_none());
    let knocked = r.score(&low_support, None).unwrap();
    assert!(knocked.knocked_out);
    assert_eq!(r.next_band(&knocked).map(|b| b.id()), Some("strong"));
    // Support 40–90 %: still Strong (total 79.7), the knock-out (>= 50) may fail within the
    // range, so path_to_band does not count it as there: aim for Strong itself (the old
    // rule looked only at knocked_out, for certain, and said there was nothing to aim for).
    let mut range = park.clone();
    range.insert(
        "support_share",
        civic_value::InputValue::Range {
            low: 40.0,
            high: 90.0,
        },
    );
    let possible = r.score(&range, None).unwrap();
    assert_eq!(possible.band.as_deref(), Some("strong"));
    assert!(!possible.knocked_out && !possible.knockouts.is_empty());
    assert_eq!(r.next_band(&possible).map(|b| b.id()), Some("strong"));
    assert!(!r.path_to_band(&range, None, "strong").unwrap().is_empty());
}

#[test]
fn with_weights_checks_its_ids() {
    let r = Rubric::builtin();
    let mut w: BTreeMap<String, f64> = r
        .criteria()
        .iter()
        .map(|c| (c.id().to_owned(), 1.0))
        .collect();
    let new = r.with_weights(&w).unwrap();
    assert_ne!(new.fingerprint(), r.fingerprint());
    for x in new.effective_weights(None).unwrap() {
        assert_relative_eq!(*x, 1.0 / 12.0, epsilon = 1e-15);
    }
    // Perspectives survive and still compile.
    assert_eq!(new.perspectives().len(), 3);
    w.insert("nope".into(), 1.0);
    assert_eq!(r.with_weights(&w).unwrap_err().path(), "weights.nope");
    w.remove("nope");
    w.insert("partners".into(), -1.0);
    assert_eq!(r.with_weights(&w).unwrap_err().code(), "input.negative");
    w.remove("partners");
    assert_eq!(
        r.with_weights(&w).unwrap_err().code(),
        "input.weight_missing"
    );
}

// ---- laws (property tests) --------------------------------------------------------------------

/// Saaty's 1–9 scale and its reciprocals.
fn judgement() -> impl Strategy<Value = f64> {
    (1u32..=9, any::<bool>()).prop_map(|(k, inv)| {
        if inv {
            1.0 / f64::from(k)
        } else {
            f64::from(k)
        }
    })
}

fn reciprocal_matrix(n: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
    proptest::collection::vec(judgement(), n * (n - 1) / 2).prop_map(move |upper| {
        let mut a = vec![vec![1.0; n]; n];
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                a[i][j] = upper[k];
                a[j][i] = 1.0 / upper[k];
                k += 1;
            }
        }
        a
    })
}

fn builtin_inputs() -> impl Strategy<Value = Inputs> {
    (
        (
            0.0..6000.0f64,
            1u8..=5,
            0usize..3,
            0.0..30000.0f64,
            1u8..=5,
            0.0..15000.0f64,
        ),
        (
            30.0..100.0f64,
            0.0..8.0f64,
            1u8..=5,
            any::<bool>(),
            0.0..300000.0f64,
            0.0..100.0f64,
        ),
    )
        .prop_map(|((vh, nc, inc, ga, bio, rr), (ss, pa, pm, ps, mc, cf))| {
            let option = ["none", "one_group", "several_groups"][inc];
            Inputs::new()
                .with("volunteer_hours", vh)
                .with("neighbour_contact", f64::from(nc))
                .with("inclusion", option)
                .with("green_area_m2", ga)
                .with("biodiversity", f64::from(bio))
                .with("residents_reached", rr)
                .with("support_share", ss)
                .with("partners", pa)
                .with("plan_maturity", f64::from(pm))
                .with("permit_secured", ps)
                .with("municipal_contribution", mc)
                .with("cofunding_share", cf)
        })
}

fn sums_to_one(w: &[f64]) -> bool {
    w.iter().all(|&x| x >= 0.0) && (w.iter().sum::<f64>() - 1.0).abs() < 1e-12
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn ahp_of_a_consistent_matrix_returns_its_weights(
        raw in proptest::collection::vec(0.05..20.0f64, 2..9),
        geometric in any::<bool>(),
    ) {
        let total: f64 = raw.iter().sum();
        let w: Vec<f64> = raw.iter().map(|x| x / total).collect();
        let a: Vec<Vec<f64>> = w.iter().map(|wi| w.iter().map(|wj| wi / wj).collect()).collect();
        let r = ahp(&a, if geometric { GM } else { EV }, SAATY).unwrap();
        for (got, want) in r.weights.iter().zip(&w) {
            prop_assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        prop_assert!(r.cr.abs() < 1e-12);
        prop_assert!(r.consistent);
    }

    #[test]
    fn weights_from_every_method_are_nonnegative_and_sum_to_one(
        n in 1usize..12,
        a in (3usize..9).prop_flat_map(reciprocal_matrix),
        points in proptest::collection::vec(0.0..100.0f64, 1..10),
        data in proptest::collection::vec(proptest::collection::vec(1.0..100.0f64, 4), 3..8),
    ) {
        prop_assert!(sums_to_one(&weights::roc(n).unwrap()));
        prop_assert!(sums_to_one(&weights::rank_sum(n).unwrap()));
        for method in [EV, GM] {
            prop_assert!(sums_to_one(&ahp(&a, method, SAATY).unwrap().weights));
        }
        let mut swing = points.clone();
        swing[0] = 100.0;
        prop_assert!(sums_to_one(&weights::swing(&swing).unwrap()));
        let types = [1.0, -1.0, 1.0, -1.0];
        prop_assert!(sums_to_one(&entropy::entropy(&data, &types).unwrap()));
        if let Ok(w) = critic::critic(&data, &types) {
            prop_assert!(sums_to_one(&w));
        }
    }

    #[test]
    fn topsis_dominance_gives_exactly_one(
        data in proptest::collection::vec(proptest::collection::vec(1.0..100.0f64, 3), 2..8),
        w in proptest::collection::vec(0.1..5.0f64, 3),
        row in 0usize..8,
        normalization in prop_oneof![
            Just(Normalization::Vector), Just(Normalization::MinMax), Just(Normalization::Max),
            Just(Normalization::Sum), Just(Normalization::Linear)],
    ) {
        let types = [1.0, -1.0, 1.0];
        let mut data = data;
        let row = row % data.len();
        // Make `row` best on every criterion: the largest benefit, the smallest cost.
        data[row] = vec![200.0, 0.5, 200.0];
        let c = topsis(&data, &w, &types, normalization).unwrap();
        prop_assert_eq!(c[row], 1.0);
        prop_assert!(c.iter().all(|&x| (0.0..=1.0).contains(&x)));
    }

    #[test]
    fn applying_the_top_lever_raises_the_score_by_exactly_its_gain(
        inputs in builtin_inputs(),
        perspective in prop_oneof![Just(None), Just(Some("residents"))],
    ) {
        let r = Rubric::builtin();
        let before = r.score(&inputs, perspective).unwrap();
        for lever in r.levers(&inputs, perspective).unwrap().iter().take(3) {
            let mut applied = inputs.clone();
            applied.insert(lever.criterion.clone(), lever.best.clone());
            let after = r.score(&applied, perspective).unwrap();
            prop_assert_eq!(after.total - before.total, lever.gain);
            prop_assert!(lever.gain >= 0.0);
        }
    }

    #[test]
    fn the_path_reaches_its_band_and_no_shorter_one_does(inputs in builtin_inputs(), band in 0usize..3) {
        let r = Rubric::builtin();
        let band = ["strong", "promising", "needs_work"][band];
        let Ok(path) = r.path_to_band(&inputs, None, band) else { return Ok(()); };
        let reaches = |i: &Inputs| {
            let s = r.score(i, None).unwrap();
            let rank = |b: &str| r.bands().iter().position(|x| x.id() == b).unwrap();
            s.knockouts.is_empty() && rank(s.band.as_deref().unwrap()) <= rank(band)
        };
        let mut applied = inputs.clone();
        for s in &path {
            applied.insert(s.criterion.clone(), s.value.clone());
        }
        prop_assert!(reaches(&applied), "{path:?}");
        // No set of fewer changes, each to its best, reaches the band.
        let levers = r.levers(&inputs, None).unwrap();
        let k = path.len();
        if k > 0 {
            let n = levers.len();
            for mask in 0u32..(1 << n) {
                if mask.count_ones() as usize >= k {
                    continue;
                }
                let mut trial = inputs.clone();
                for (b, l) in levers.iter().enumerate() {
                    if mask & (1 << b) != 0 {
                        trial.insert(l.criterion.clone(), l.best.clone());
                    }
                }
                prop_assert!(!reaches(&trial), "{} changes reach {band}: {mask:b}", mask.count_ones());
            }
        }
    }

    #[test]
    fn perspective_columns_sum_to_their_totals(inputs in builtin_inputs()) {
        let r = Rubric::builtin();
        let c = r.compare_perspectives(&inputs).unwrap();
        prop_assert_eq!(c.columns.len(), 4);
        for (k, total) in c.totals.iter().enumerate() {
            let sum: f64 = c.criteria.iter().map(|row| row.points[k]).sum();
            prop_assert!((sum - total).abs() < 1e-9, "{sum} vs {total}");
        }
        // The perspective a summary names: no other has a larger |delta|, none before it an
        // equal one; a difference below 0.005 points is none.
        let largest = c.largest.as_deref().unwrap();
        let at = c.differences.iter().position(|d| d.perspective == largest).unwrap();
        for (k, d) in c.differences.iter().enumerate() {
            let top = c.differences[at].delta.abs();
            prop_assert!(d.delta.abs() < top || (d.delta.abs() == top && k >= at));
            prop_assert_eq!(d.differs, d.delta.abs() >= 0.005);
        }
    }

    #[test]
    fn with_weights_gives_those_weights(raw in proptest::collection::vec(0.0..10.0f64, 12)) {
        prop_assume!(raw.iter().sum::<f64>() > 0.1);
        let r = Rubric::builtin();
        let w: BTreeMap<String, f64> =
            r.criteria().iter().zip(&raw).map(|(c, w)| (c.id().to_owned(), *w)).collect();
        let new = r.with_weights(&w).unwrap();
        let total: f64 = raw.iter().sum();
        for (got, want) in new.effective_weights(None).unwrap().iter().zip(&raw) {
            prop_assert!((got - want / total).abs() < 1e-14);
        }
    }
}

// ---- a weighted-product rubric (examples/rubrics/green-fund.toml) ---------------------------

fn green_fund() -> Rubric {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/rubrics/green-fund.toml"
    ))
    .unwrap();
    Rubric::from_toml(&text).unwrap()
}

fn green_inputs() -> impl Strategy<Value = Inputs> {
    (1.0..12000.0f64, 1u8..=5, 1.0..4000.0f64, 41.0..100.0f64).prop_map(|(ga, bio, vh, ss)| {
        Inputs::new()
            .with("green_area_m2", ga)
            .with("biodiversity", f64::from(bio))
            .with("volunteer_hours", vh)
            .with("support_share", ss)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn per_unit_is_the_slope_of_the_total_under_a_weighted_product(inputs in green_inputs()) {
        // Independent of the formula: a forward difference of re-scored totals.
        let r = green_fund();
        let base = r.score(&inputs, None).unwrap().total;
        for lever in r.levers(&inputs, None).unwrap() {
            let Some(per_unit) = lever.per_unit else { continue };
            let Some(InputValue::Number(x)) = inputs.get(&lever.criterion).cloned() else { continue };
            let h = 1e-6 * x.abs().max(1.0);
            let mut moved = inputs.clone();
            moved.insert(lever.criterion.clone(), x + h);
            let Ok(s) = r.score(&moved, None) else { continue };
            let slope = (s.total - base) / h;
            prop_assert!(
                (slope - per_unit).abs() <= 1e-4 * per_unit.abs().max(1e-6),
                "{}: {per_unit} vs {slope}", lever.criterion
            );
        }
    }

    #[test]
    fn a_weighted_product_path_is_the_shortest(inputs in green_inputs()) {
        let r = green_fund();
        let Ok(path) = r.path_to_band(&inputs, None, "fund") else { return Ok(()); };
        let reaches = |i: &Inputs| {
            let s = r.score(i, None).unwrap();
            s.knockouts.is_empty() && s.band.as_deref() == Some("fund")
        };
        let mut applied = inputs.clone();
        for s in &path {
            applied.insert(s.criterion.clone(), s.value.clone());
        }
        prop_assert!(reaches(&applied), "{path:?}");
        let levers = r.levers(&inputs, None).unwrap();
        for mask in 0u32..(1 << levers.len()) {
            if (mask.count_ones() as usize) < path.len() {
                let mut trial = inputs.clone();
                for (b, l) in levers.iter().enumerate() {
                    if mask & (1 << b) != 0 {
                        trial.insert(l.criterion.clone(), l.best.clone());
                    }
                }
                prop_assert!(!reaches(&trial), "fewer changes reach fund: {mask:b}");
            }
        }
    }
}
