//! Monte Carlo: 10 000 draws × 1 000 initiatives × 12 criteria (the built-in rubric, three
//! inputs given as ranges per initiative), on one thread, on two, and on every core.
//!
//! `cargo bench -p civic-value-benches --bench monte_carlo` prints the figures; `-- --quick`
//! runs 200 draws once (a smoke test). The comparison with numpy is
//! `benches/python/bench_monte_carlo.py`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Instant;

use civic_value::analysis::monte_carlo::MonteCarloOptions;
use civic_value::{Inputs, Rubric};

/// `n` initiatives with inputs spread over each criterion's range; volunteer hours, green
/// area and support are ranges (the same rule as the Python benchmark's `initiatives`).
fn initiatives(n: usize) -> Vec<Inputs> {
    (0..n)
        .map(|i| {
            let f = (i as f64 * 0.618_033_988_749_895).fract();
            let g = (i as f64 * 0.754_877_666_246_693).fract();
            let hours = 100.0 + 4000.0 * f;
            let area = 50.0 + 15000.0 * g;
            let support = 50.0 + 45.0 * (1.0 - f);
            Inputs::from_json(&format!(
                r#"{{"volunteer_hours": [{}, {}], "neighbour_contact": {}, "inclusion": "{}",
                    "green_area_m2": [{}, {}], "biodiversity": {}, "residents_reached": {},
                    "support_share": [{}, {}], "partners": {}, "plan_maturity": {},
                    "permit_secured": {}, "municipal_contribution": {}, "cofunding_share": {}}}"#,
                hours,
                hours * 1.5,
                1 + i % 5,
                ["none", "one_group", "several_groups"][i % 3],
                area,
                area * 1.3,
                1 + (i / 5) % 5,
                200.0 + 9000.0 * g,
                support - 5.0,
                support,
                i % 8,
                1 + (i / 3) % 5,
                i % 4 != 0,
                5000.0 + 200_000.0 * g,
                60.0 * f
            ))
            .unwrap()
        })
        .collect()
}

/// CPU seconds used by this process so far (user + system, from /proc; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) end with ')'.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 =
        fields[11].parse::<f64>().unwrap_or(0.0) + fields[12].parse::<f64>().unwrap_or(0.0);
    ticks / 100.0
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (n, draws) = if quick { (100, 200) } else { (1000, 10_000) };
    let rubric = Rubric::builtin();
    let items = initiatives(n);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("Monte Carlo, {draws} draws × {n} initiatives × 12 criteria (3 ranged inputs each)");
    let mut first = None;
    // THREADS=k runs only k threads (e.g. for a profiler).
    let only: Option<usize> = std::env::var("THREADS").ok().and_then(|t| t.parse().ok());
    // One thread, then two (the issue's "on two cores"), then every core if there are more.
    let mut counts = vec![1, 2];
    if cores > 2 {
        counts.push(cores);
    }
    for threads in only.map_or(counts, |t| vec![t]) {
        let o = MonteCarloOptions {
            draws,
            threads,
            ..MonteCarloOptions::default()
        };
        let (t0, c0) = (Instant::now(), cpu_seconds());
        let mc = rubric
            .monte_carlo(&items, None, &o, &mut |_, _| true)
            .unwrap();
        let (dt, cpu) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
        println!(
            "  {threads} thread(s): {dt:.3} s wall, {cpu:.2} s CPU ({:.1} ns CPU per initiative-draw)",
            cpu * 1e9 / (n as f64 * draws as f64)
        );
        match &first {
            None => first = Some(mc),
            Some(f) => assert_eq!(f, &mc, "same bits on any number of threads"),
        }
        if quick {
            break;
        }
    }
}
