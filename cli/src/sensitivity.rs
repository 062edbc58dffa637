//! `civic-value sensitivity`: how sure are the scores and the ranking? Monte Carlo over the
//! weights (Dirichlet) and the uncertain inputs, a table per initiative (mean, p5–p95,
//! probability of the top k), and the tornado of the first initiative. A progress bar on
//! stderr when stderr is a terminal.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::PathBuf;

use civic_value::analysis::monte_carlo::{MonteCarlo, MonteCarloOptions};
use civic_value::analysis::tornado::Tornado;
use civic_value::{Initiative, Inputs};
use clap::ValueEnum;
use serde::Serialize;

use crate::Failure;
use crate::load::{InputArgs, collect_initiatives, load_rubric};

#[derive(clap::Args)]
pub(crate) struct SensitivityArgs {
    /// Rubric file (.json or .toml); the built-in default rubric when omitted.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Centre the weights on this perspective's (e.g. municipality, residents, initiators).
    #[arg(long, value_name = "NAME")]
    perspective: Option<String>,
    /// Number of Monte Carlo draws.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    draws: u64,
    /// Seed: the same seed gives the same numbers on every machine.
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
    /// Concentration of the weights around the rubric's (higher = closer; `inf` keeps them
    /// fixed).
    #[arg(long, default_value_t = 100.0, value_name = "C")]
    concentration: f64,
    /// How many places count as "top" for the probability column.
    #[arg(long, default_value_t = 3, value_name = "K")]
    top_k: usize,
    /// Keep inputs given as ranges at their midpoints (vary only the weights).
    #[arg(long)]
    fixed_inputs: bool,
    /// Relative change of each weight in the tornado.
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION")]
    change: f64,
    /// Threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    input: InputArgs,
    /// Initiative files: JSON or CSV, as for `score`; all their initiatives are ranked together.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// A table per initiative and the tornado of the first.
    Table,
    /// JSON: the options, one object per initiative (with its rank shares) and the tornado.
    Json,
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    point: f64,
    mean: f64,
    p5: f64,
    p50: f64,
    p95: f64,
    p_top_k: f64,
    knocked_out: bool,
    /// Share of draws at each place, 1..n.
    ranks: &'a [f64],
}

#[derive(Serialize)]
struct Output<'a> {
    draws: u64,
    seed: u64,
    /// `null` for fixed weights (infinite concentration).
    concentration: Option<f64>,
    vary_inputs: bool,
    top_k: usize,
    initiatives: Vec<Row<'a>>,
    tornado: TornadoOut<'a>,
}

#[derive(Serialize)]
struct TornadoOut<'a> {
    id: &'a str,
    #[serde(flatten)]
    tornado: &'a Tornado,
}

pub(crate) fn sensitivity(args: &SensitivityArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let perspective = args.perspective.as_deref();
    if let Some(p) = perspective {
        rubric
            .effective_weights(Some(p))
            .map_err(|e| Failure::Usage(e.message()))?;
    }
    let (initiatives, problems) = collect_initiatives(&args.inputs, &rubric, &args.input, |i| {
        rubric.score(&i.inputs, perspective).map(|_| i)
    })?;
    Failure::unless_problems(&problems)?;
    let Some(first) = initiatives.first() else {
        return Err(Failure::Usage("no initiatives in the input".to_owned()));
    };
    let options = MonteCarloOptions {
        draws: args.draws,
        seed: args.seed,
        concentration: args.concentration,
        vary_inputs: !args.fixed_inputs,
        top_k: args.top_k,
        threads: args.threads.unwrap_or(0),
    };
    let items: Vec<Inputs> = initiatives.iter().map(|i| i.inputs.clone()).collect();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(args.draws);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "Monte Carlo {bar:40} {pos}/{len} draws, {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mc = rubric.monte_carlo(&items, perspective, &options, &mut |done, _| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
        true
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mc = mc.map_err(|e| Failure::Invalid(flagged(&e)))?;
    let tornado = rubric
        .tornado(&first.inputs, args.change, perspective)
        .map_err(|e| Failure::Invalid(flagged(&e)))?;
    let out = match args.format {
        Format::Table => table(&initiatives, &mc, first, &tornado),
        Format::Json => {
            let rows = initiatives
                .iter()
                .zip(&mc.summary)
                .zip(&mc.ranks)
                .map(|((i, s), ranks)| Row {
                    id: &i.id,
                    name: &i.name,
                    point: s.point,
                    mean: s.mean,
                    p5: s.p5,
                    p50: s.p50,
                    p95: s.p95,
                    p_top_k: s.p_top_k,
                    knocked_out: s.knocked_out,
                    ranks,
                })
                .collect();
            let output = Output {
                draws: mc.draws,
                seed: mc.seed,
                concentration: mc.concentration.is_finite().then_some(mc.concentration),
                vary_inputs: mc.vary_inputs,
                top_k: mc.top_k,
                initiatives: rows,
                tornado: TornadoOut {
                    id: &first.id,
                    tornado: &tornado,
                },
            };
            serde_json::to_string_pretty(&output).unwrap_or_default() + "\n"
        }
    };
    print!("{out}");
    Ok(())
}

fn label(i: &Initiative) -> String {
    if i.name.is_empty() || i.name == i.id {
        i.id.clone()
    } else {
        format!("{} ({})", i.name, i.id)
    }
}

/// Initiatives by mean total (knocked-out ones last), then the tornado of the first.
fn table(initiatives: &[Initiative], mc: &MonteCarlo, first: &Initiative, t: &Tornado) -> String {
    let mut out = String::new();
    let weights = if mc.concentration.is_finite() {
        format!(
            "weights around the rubric's (concentration {})",
            mc.concentration
        )
    } else {
        "fixed weights".to_owned()
    };
    let inputs = if mc.vary_inputs {
        "ranges drawn uniformly"
    } else {
        "ranges at their midpoints"
    };
    let _ = writeln!(
        out,
        "Monte Carlo: {} draws, seed {}, {weights}, {inputs}",
        mc.draws, mc.seed
    );
    let mut order: Vec<usize> = (0..initiatives.len()).collect();
    let key = |i: usize| {
        mc.summary
            .get(i)
            .map_or((true, 0.0), |s| (s.knocked_out, s.mean))
    };
    order.sort_by(|&a, &b| {
        let (ka, ma) = key(a);
        let (kb, mb) = key(b);
        ka.cmp(&kb).then(mb.total_cmp(&ma)).then(a.cmp(&b))
    });
    let width = initiatives
        .iter()
        .map(|i| label(i).chars().count())
        .max()
        .unwrap_or(10)
        .clamp(10, 60);
    let top = format!("P(top {})", mc.top_k);
    let _ = writeln!(
        out,
        "  {:<width$}  {:>6}  {:>6}  {:>13}  {:>9}",
        "initiative", "score", "mean", "p5 – p95", top
    );
    for i in order {
        let (Some(item), Some(s)) = (initiatives.get(i), mc.summary.get(i)) else {
            continue;
        };
        let band = format!("{:.1} – {:.1}", s.p5, s.p95);
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6.1}  {:>6.1}  {:>13}  {:>8.1}%{}",
            label(item),
            s.point,
            s.mean,
            band,
            100.0 * s.p_top_k,
            if s.knocked_out { "  knocked out" } else { "" }
        );
    }
    let _ = writeln!(
        out,
        "\nTornado of {}: each weight × (1 ∓ {}), the others rescaled (total {:.1})",
        label(first),
        t.change,
        t.total
    );
    let _ = writeln!(
        out,
        "  {:<24}  {:>6}  {:>7}  {:>7}  {:>6}",
        "criterion", "weight", "lowered", "raised", "swing"
    );
    for r in &t.rows {
        let _ = writeln!(
            out,
            "  {:<24}  {:>5.1}%  {:>7.2}  {:>7.2}  {:>6.2}",
            r.criterion,
            100.0 * r.weight,
            r.low,
            r.high,
            (r.high - r.low).abs()
        );
    }
    out
}

/// A core error, with an option the core names (`top_k`) named by its flag (`--top-k`); the
/// check and the message are the core's.
fn flagged(e: &civic_value::Error) -> String {
    match e.path() {
        p @ ("draws" | "seed" | "concentration" | "top_k" | "change") => {
            format!("--{}: {}", p.replace('_', "-"), e.message())
        }
        _ => e.to_string(),
    }
}
