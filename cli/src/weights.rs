//! `civic-value weights ahp MATRIX.csv`: weights from a panel's pairwise judgements, with
//! λmax, CI, CR and a verdict on their consistency.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use civic_value::analysis::ahp::{
    Ahp, AhpMethod, CONSISTENCY_THRESHOLD, RandomIndex, ahp, parse_judgement,
};
use clap::{Subcommand, ValueEnum};
use serde::Serialize;

use crate::Failure;
use crate::load::read;

/// Largest matrix file read.
const MAX_MATRIX_BYTES: usize = 1024 * 1024;

#[derive(Subcommand)]
pub(crate) enum WeightsCommand {
    /// Weights from a pairwise comparison matrix (AHP): λmax, CI, CR and a verdict.
    Ahp(AhpArgs),
}

#[derive(clap::Args)]
pub(crate) struct AhpArgs {
    /// How to derive the weights.
    #[arg(long, value_enum, default_value_t = Method::Eigenvector)]
    method: Method,
    /// The random-index table for CR: Saaty's (n ≤ 10) or Alonso & Lamata's (any n).
    #[arg(long, value_enum, default_value_t = Ri::Saaty)]
    ri: Ri,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WeightsFormat::Table)]
    format: WeightsFormat,
    /// A CSV file of n rows of n judgements (decimals or fractions such as 1/3), optionally
    /// under a header row of names (and with a first column of the same names).
    #[arg(value_name = "MATRIX.csv")]
    matrix: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum Method {
    /// The principal eigenvector (power iteration).
    Eigenvector,
    /// The row geometric means.
    #[value(name = "geometric_mean")]
    GeometricMean,
}

#[derive(Clone, Copy, ValueEnum)]
enum Ri {
    /// Saaty (1980): n = 1..10.
    Saaty,
    /// Alonso & Lamata (2006): any n.
    #[value(name = "alonso_lamata")]
    AlonsoLamata,
}

#[derive(Clone, Copy, ValueEnum)]
enum WeightsFormat {
    /// The weights, λmax, CI, CR and the verdict.
    Table,
    /// `{names, weights, lambda_max, ci, cr, consistent, method, ri, random_index}`.
    Json,
}

#[derive(Serialize)]
struct Out<'a> {
    names: &'a [String],
    #[serde(flatten)]
    ahp: &'a Ahp,
}

pub(crate) fn weights(command: &WeightsCommand) -> Result<(), Failure> {
    match command {
        WeightsCommand::Ahp(args) => ahp_command(args),
    }
}

fn ahp_command(args: &AhpArgs) -> Result<(), Failure> {
    let path = &args.matrix;
    let (names, rows) = read_matrix(path)?;
    let method = match args.method {
        Method::Eigenvector => AhpMethod::Eigenvector,
        Method::GeometricMean => AhpMethod::GeometricMean,
    };
    let ri = match args.ri {
        Ri::Saaty => RandomIndex::Saaty,
        Ri::AlonsoLamata => RandomIndex::AlonsoLamata,
    };
    let result = ahp(&rows, method, ri)
        .map_err(|e| Failure::Invalid(format!("{}: {}", path.display(), cell_message(&e))))?;
    let out = match args.format {
        WeightsFormat::Json => {
            serde_json::to_string_pretty(&Out {
                names: &names,
                ahp: &result,
            })
            .unwrap_or_default()
                + "\n"
        }
        WeightsFormat::Table => table(&names, &result),
    };
    print!("{out}");
    Ok(())
}

/// The core's `matrix[1][0]: …` as a person counts: `row 2, column 1: …`.
fn cell_message(e: &civic_value::Error) -> String {
    let path = e.path();
    let cell = path.strip_prefix("matrix[").and_then(|rest| {
        let (i, rest) = rest.split_once("][")?;
        let j = rest.strip_suffix(']')?;
        Some((i.parse::<usize>().ok()? + 1, j.parse::<usize>().ok()? + 1))
    });
    let row = path
        .strip_prefix("matrix[")
        .and_then(|r| r.strip_suffix(']'))
        .and_then(|i| i.parse::<usize>().ok());
    match (cell, row) {
        (Some((i, j)), _) => format!("row {i}, column {j}: {}", e.message()),
        (None, Some(i)) => format!("row {}: {}", i + 1, e.message()),
        _ => e.message(),
    }
}

/// Read the CSV: an optional header row of names, an optional first column of the same
/// names, and n rows of n judgements.
fn read_matrix(path: &Path) -> Result<(Vec<String>, Vec<Vec<f64>>), Failure> {
    let text = read(path, MAX_MATRIX_BYTES)?;
    let text = civic_value::strip_bom(&text);
    let invalid = |msg: String| Failure::Invalid(format!("{}: {msg}", path.display()));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| invalid(e.to_string()))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        records.push(record.iter().map(str::to_owned).collect());
    }
    let is_number = |s: &String| parse_judgement(s).is_some();
    // A header names: none of its cells is a number (the corner above a label column may
    // be empty).
    let header = records
        .first()
        .is_some_and(|first| first.iter().all(|c| c.is_empty() || !is_number(c)));
    let names_row = if header {
        records.first().cloned()
    } else {
        None
    };
    let body = if header {
        records.get(1..).unwrap_or(&[])
    } else {
        &records[..]
    };
    // A first column of labels: every row's first cell is not a number.
    let labelled = !body.is_empty()
        && body
            .iter()
            .all(|r| r.first().is_some_and(|c| !is_number(c)));
    let mut rows = Vec::with_capacity(body.len());
    for (i, record) in body.iter().enumerate() {
        let cells = if labelled {
            record.get(1..).unwrap_or(&[])
        } else {
            &record[..]
        };
        let mut row = Vec::with_capacity(cells.len());
        for (j, c) in cells.iter().enumerate() {
            match parse_judgement(c) {
                Some(x) => row.push(x),
                None => {
                    return Err(invalid(format!(
                        "row {}, column {}: expected a number or a fraction such as 1/3, got {:?}",
                        i + 1,
                        j + 1,
                        c
                    )));
                }
            }
        }
        rows.push(row);
    }
    let mut names: Vec<String> = match names_row {
        Some(mut n) => {
            // A header over a label column starts with an empty (or corner) cell.
            if labelled || n.len() == rows.first().map_or(0, Vec::len) + 1 {
                n.remove(0);
            }
            n
        }
        None if labelled => body.iter().filter_map(|r| r.first().cloned()).collect(),
        None => Vec::new(),
    };
    let n = rows.len();
    if names.is_empty() {
        names = (1..=n).map(|i| format!("item {i}")).collect();
    }
    if names.len() != n {
        return Err(invalid(format!(
            "the header names {} items but the matrix has {n} rows",
            names.len()
        )));
    }
    // A name given twice would print two rows under one name: which weight is whose?
    let mut seen = std::collections::BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        if !seen.insert(name.as_str()) {
            return Err(invalid(format!(
                "item {}: the name {:?} is given more than once",
                i + 1,
                name.chars().take(civic_value::MAX_ECHO).collect::<String>()
            )));
        }
    }
    Ok((names, rows))
}

fn table(names: &[String], r: &Ahp) -> String {
    let mut out = String::new();
    let n = r.weights.len();
    let width = names
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(4)
        .max(6);
    let _ = writeln!(
        out,
        "AHP weights ({}, {n} items)",
        match r.method {
            AhpMethod::Eigenvector => "principal eigenvector",
            AhpMethod::GeometricMean => "row geometric mean",
        }
    );
    for (name, w) in names.iter().zip(&r.weights) {
        let bar = "█".repeat((w * 40.0).round() as usize);
        let _ = writeln!(
            out,
            "  {:<width$}  {w:.4}  {bar}",
            crate::table::clean(name)
        );
    }
    let ri_name = match r.ri {
        RandomIndex::Saaty => "Saaty",
        RandomIndex::AlonsoLamata => "Alonso & Lamata",
    };
    let _ = writeln!(
        out,
        "  λmax {:.4}   CI {:.4}   CR {:.4}   (random index {} = {}, {ri_name})",
        r.lambda_max, r.ci, r.cr, n, r.random_index
    );
    if n <= 2 {
        let _ = writeln!(
            out,
            "  consistent: with {n} item(s) the judgements cannot contradict each other (CR 0)"
        );
    } else if r.consistent {
        let _ = writeln!(
            out,
            "  consistent: CR {:.4} ≤ {CONSISTENCY_THRESHOLD:.2}, the judgements may be used",
            r.cr
        );
    } else {
        let _ = writeln!(
            out,
            "  NOT consistent: CR {:.4} > {CONSISTENCY_THRESHOLD:.2}; revise the judgements before using these weights",
            r.cr
        );
    }
    out
}
