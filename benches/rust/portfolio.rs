//! The fund's exact portfolio choice (`analysis::portfolio::select`) for 1 000 initiatives and
//! a €10 million budget, against baselines run in the same process:
//!
//! - a dynamic programme over the budget in whole euros (the textbook exact method): on the
//!   full €10 million it would need 10¹⁰ steps, so it runs on a €100 000 fund of 1 000 small
//!   initiatives, where both methods must agree, and the ratio of their times is printed
//!   (the programme's time grows with the budget, the branch and bound's does not);
//! - the greedy choice by value per euro (the fast inexact method): how much value the exact
//!   choice adds and how its time compares.
//!
//! Instances (seeded, so every run sees the same ones): "scored" — random inputs scored by
//! the built-in rubric, cost = the municipal contribution asked (€2 000–€300 000), knock-outs
//! as the rubric says; "correlated" — totals that grow with cost plus noise (the harder kind
//! for a knapsack); each without groups, with at most 5 per district (20 districts), and with
//! at least 1 and at most 3 per district.
//!
//! `cargo bench -p civic-value-benches --bench portfolio`; `-- --quick` runs one instance of
//! each kind (a smoke test in the test command).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use civic_value::Rubric;
use civic_value::analysis::portfolio::{Candidate, SelectOptions, select};

/// Column order = the built-in rubric's criteria order.
const COLUMNS: [&str; 12] = [
    "volunteer_hours",
    "neighbour_contact",
    "inclusion",
    "green_area_m2",
    "biodiversity",
    "residents_reached",
    "support_share",
    "partners",
    "plan_maturity",
    "permit_secured",
    "municipal_contribution",
    "cofunding_share",
];

/// xorshift64: a uniform number in [0, 1).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 1 000 random initiatives scored by the built-in rubric; the cost is the contribution.
fn scored(rubric: &Rubric, n: usize, seed: u64) -> Vec<Candidate> {
    let batch = rubric.batch(&COLUMNS, None).unwrap();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut points = vec![0.0; 12];
    (0..n)
        .map(|i| {
            let cost = (2_000.0 + rng.next() * 298_000.0).floor();
            let row = [
                (rng.next() * 6000.0).floor(),
                1.0 + (rng.next() * 5.0).floor(),
                (rng.next() * 3.0).floor(),
                (rng.next() * 25000.0).floor(),
                1.0 + (rng.next() * 5.0).floor(),
                (rng.next() * 15000.0).floor(),
                40.0 + (rng.next() * 60.0).floor(),
                (rng.next() * 8.0).floor(),
                1.0 + (rng.next() * 5.0).floor(),
                (rng.next() * 2.0).floor(),
                cost,
                (rng.next() * 100.0).floor(),
            ];
            let s = batch.score_row(&row, &row, &mut points).unwrap();
            Candidate {
                total: s.total,
                cost,
                knocked_out: s.knocked_out,
                group: Some(format!("district {}", i % 20)),
            }
        })
        .collect()
}

/// Totals that grow with the cost (20 + 60 · cost/€300 000 ± 10), no knock-outs.
fn correlated(n: usize, seed: u64) -> Vec<Candidate> {
    let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
    (0..n)
        .map(|i| {
            let cost = (2_000.0 + rng.next() * 298_000.0).floor();
            let total =
                (20.0 + 60.0 * cost / 300_000.0 + 20.0 * (rng.next() - 0.5)).clamp(0.0, 100.0);
            Candidate {
                total,
                cost,
                knocked_out: false,
                group: Some(format!("district {}", i % 20)),
            }
        })
        .collect()
}

/// Units the solver compares totals in (10⁻⁹ points).
fn units(total: f64) -> u64 {
    (total * 1e9).round() as u64
}

/// The exact best value by a dynamic programme over every budget from 0 to `budget` euros.
fn dynamic_programme(cands: &[Candidate], budget: usize) -> u64 {
    let mut best = vec![0u64; budget + 1];
    for c in cands.iter().filter(|c| !c.knocked_out) {
        let (v, w) = (units(c.total), c.cost as usize);
        for b in (w..=budget).rev() {
            let with = best[b - w] + v;
            if with > best[b] {
                best[b] = with;
            }
        }
    }
    best[budget]
}

/// Greedy by value per euro: take each initiative that still fits.
fn greedy(cands: &[Candidate], budget: f64) -> f64 {
    let mut order: Vec<&Candidate> = cands.iter().filter(|c| !c.knocked_out).collect();
    order.sort_by(|a, b| (b.total / b.cost).total_cmp(&(a.total / a.cost)));
    let (mut left, mut value) = (budget, 0.0);
    for c in order {
        if c.cost <= left {
            left -= c.cost;
            value += c.total;
        }
    }
    value
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let seeds: Vec<u64> = if quick {
        vec![1]
    } else if std::env::var_os("ONE").is_some() {
        vec![2]
    } else {
        (1..=10).collect()
    };
    let n = 1_000;
    let budget = 10_000_000.0;
    let rubric = Rubric::builtin();
    let settings: [(&str, SelectOptions); 3] = [
        ("no groups", SelectOptions::default()),
        (
            "≤ 5 per district",
            SelectOptions {
                max_per_group: Some(5),
                ..SelectOptions::default()
            },
        ),
        (
            "1–3 per district",
            SelectOptions {
                min_per_group: Some(1),
                max_per_group: Some(3),
                ..SelectOptions::default()
            },
        ),
    ];
    println!(
        "portfolio choice: {n} initiatives, budget €{budget:.0}, {} seeds",
        seeds.len()
    );
    println!(
        "{:<12} {:<18} {:>10} {:>10} {:>10} {:>8} {:>10}",
        "instances", "groups", "median ms", "max ms", "max nodes", "chosen", "vs greedy"
    );
    let mut worst = Duration::ZERO;
    for kind in ["scored", "correlated"] {
        for (label, options) in &settings {
            let mut times = Vec::new();
            let mut nodes = 0;
            let mut chosen = 0;
            let mut gain = 0.0f64;
            for &seed in &seeds {
                let cands = if kind == "scored" {
                    scored(&rubric, n, seed)
                } else {
                    correlated(n, seed)
                };
                let (s, t) = time(|| select(black_box(&cands), budget, options).unwrap());
                assert!(s.cost <= 10_000_000);
                times.push(t);
                nodes = nodes.max(s.nodes);
                chosen = s.chosen.iter().filter(|c| **c).count();
                if options.max_per_group.is_none() {
                    gain = gain.max(s.value / greedy(&cands, budget) - 1.0);
                }
            }
            times.sort();
            let median = times[times.len() / 2];
            let max = *times.last().unwrap();
            worst = worst.max(max);
            let vs = if options.max_per_group.is_none() {
                format!("+{:.3}%", gain * 100.0)
            } else {
                "—".to_owned()
            };
            println!(
                "{kind:<12} {label:<18} {:>10.2} {:>10.2} {nodes:>10} {chosen:>8} {vs:>10}",
                ms(median),
                ms(max)
            );
        }
    }
    println!("slowest choice: {:.1} ms (goal: under 1 000 ms)", ms(worst));

    // Baseline: the dynamic programme over the budget, on a fund small enough for it.
    let small_budget = if quick { 20_000 } else { 100_000 };
    let mut rng = Rng(42);
    let small: Vec<Candidate> = (0..n)
        .map(|_| {
            let cost = (100.0 + rng.next() * 4_900.0).floor();
            Candidate {
                total: (20.0 + 60.0 * cost / 5_000.0 + 20.0 * (rng.next() - 0.5)).clamp(0.0, 100.0),
                cost,
                knocked_out: rng.next() < 0.1,
                group: None,
            }
        })
        .collect();
    let (exact, t_bb) = time(|| {
        select(
            black_box(&small),
            small_budget as f64,
            &SelectOptions::default(),
        )
        .unwrap()
    });
    let (dp, t_dp) = time(|| dynamic_programme(black_box(&small), small_budget));
    let got: u64 = small
        .iter()
        .zip(&exact.chosen)
        .filter(|(_, c)| **c)
        .map(|(c, _)| units(c.total))
        .sum();
    assert_eq!(
        got, dp,
        "branch and bound and the dynamic programme disagree"
    );
    println!(
        "baseline: {n} initiatives, budget €{small_budget}: dynamic programme over the budget {:.1} ms, \
         branch and bound {:.2} ms ({} nodes): the programme takes {:.0}× as long (same value); \
         at €10 million it would take about {:.0} s",
        ms(t_dp),
        ms(t_bb),
        exact.nodes,
        t_dp.as_secs_f64() / t_bb.as_secs_f64(),
        t_dp.as_secs_f64() * budget / small_budget as f64
    );
}
