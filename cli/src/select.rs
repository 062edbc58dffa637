//! `civic-value select`: which initiatives a fund chooses within its budget — the exact set
//! with the largest sum of totals, never a knocked-out one, with optional limits per group
//! (e.g. at most one per district) — with a reason per initiative, the value and the money
//! left.

use std::fmt::Write as _;
use std::path::PathBuf;

use civic_value::analysis::portfolio::{
    Candidate, SelectOptions, Selection, cost_from_input, select as choose,
};
use civic_value::{Error, Initiative, InputValue};
use clap::ValueEnum;
use serde::Serialize;

use crate::Failure;
use crate::load::{InputArgs, describe_error, each_initiative, load_rubric};

#[derive(clap::Args)]
pub(crate) struct SelectArgs {
    /// The fund's budget in whole euros.
    #[arg(long, value_name = "EUROS")]
    budget: f64,
    /// The column (CSV) or key (JSON) holding each initiative's cost in whole euros; when it
    /// is not a criterion it is not scored.
    #[arg(long, default_value = "municipal_contribution", value_name = "COLUMN")]
    cost: String,
    /// The column or key naming each initiative's group (e.g. district); not scored.
    #[arg(long, value_name = "COLUMN")]
    group: Option<String>,
    /// Choose at most K initiatives of any group (needs --group).
    #[arg(long, value_name = "K", requires = "group")]
    max_per_group: Option<u32>,
    /// Choose at least K initiatives of every group (needs --group).
    #[arg(long, value_name = "K", requires = "group")]
    min_per_group: Option<u32>,
    /// Rubric file (.json or .toml); the built-in default rubric when omitted.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Score under this perspective's weights.
    #[arg(long, value_name = "NAME")]
    perspective: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SelectFormat::Table)]
    format: SelectFormat,
    /// How the inputs are read (`--ignore COLUMN` for other columns that are not criteria,
    /// formats, CSV dialects), as in `score`.
    #[command(flatten)]
    input: InputArgs,
    /// Initiative files: JSON (one object or an array) or CSV, as for `score`.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum SelectFormat {
    /// The chosen set, then every other initiative with its reason.
    Table,
    /// `{budget, cost, left, value, chosen: [ids], initiatives: [...]}`.
    Json,
}

/// One initiative in the JSON output.
#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    total: f64,
    cost: u64,
    /// `null` for a free initiative (no value per euro to speak of).
    value_per_euro: Option<f64>,
    chosen: bool,
    reason: &'static str,
}

#[derive(Serialize)]
struct Output<'a> {
    budget: u64,
    cost: u64,
    left: u64,
    value: f64,
    chosen: Vec<&'a str>,
    initiatives: Vec<Row<'a>>,
}

/// An initiative read from a file, with its cost and group taken out of its inputs.
struct Entry {
    file: PathBuf,
    place: String,
    initiative: Initiative,
    cost: Result<f64, Error>,
    group: Option<String>,
}

pub(crate) fn select(args: &SelectArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    if let Some(p) = &args.perspective {
        rubric
            .effective_weights(Some(p))
            .map_err(|e| Failure::Usage(e.message()))?;
    }
    // Read every initiative with all its columns, take out the cost and the group, then
    // leave out of scoring what is not a criterion.
    let cost_is_criterion = rubric.criterion(&args.cost).is_some();
    // Read with every column kept (the cost and group columns may be ones to ignore).
    let mut reading = args.input.clone();
    reading.ignore.clear();
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for path in &args.inputs {
        each_initiative(path, &rubric, &reading, |place, read| {
            let mut initiative = match read {
                Ok(i) => i,
                Err(e) => {
                    problems.push(describe_error(path, place, None, &e));
                    return;
                }
            };
            let cost_value = initiative
                .inputs
                .get(&args.cost)
                .cloned()
                .unwrap_or(InputValue::Missing);
            let cost = cost_from_input(&cost_value).map_err(|k| k.at(args.cost.clone()));
            let group = args
                .group
                .as_ref()
                .and_then(|g| match initiative.inputs.remove(g)? {
                    InputValue::Text(s) => Some(s),
                    InputValue::Missing => None,
                    other => Some(other.describe()),
                });
            if !cost_is_criterion {
                initiative.inputs.remove(&args.cost);
            }
            for column in &args.input.ignore {
                initiative.inputs.remove(column);
            }
            entries.push(Entry {
                file: path.clone(),
                place: place.to_owned(),
                initiative,
                cost,
                group,
            });
        })?;
    }
    // Score them; every problem is reported, and no choice is made over a partial list.
    let mut candidates = Vec::with_capacity(entries.len());
    for e in &entries {
        let scored = rubric.score(&e.initiative.inputs, args.perspective.as_deref());
        match (&scored, &e.cost) {
            (Ok(s), Ok(cost)) => candidates.push(Candidate {
                total: s.total,
                cost: *cost,
                knocked_out: s.knocked_out,
                group: e.group.clone(),
            }),
            _ => {
                for err in scored
                    .as_ref()
                    .err()
                    .into_iter()
                    .chain(e.cost.as_ref().err())
                {
                    problems.push(describe_error(
                        &e.file,
                        &e.place,
                        Some(&e.initiative.id),
                        err,
                    ));
                }
            }
        }
    }
    Failure::unless_problems(&problems)?;
    let options = SelectOptions {
        min_per_group: args.min_per_group,
        max_per_group: args.max_per_group,
        max_nodes: None,
    };
    let selection = choose(&candidates, args.budget, &options).map_err(|err| {
        // Name the initiative of a `rows[i].field` error.
        let row = err
            .path()
            .strip_prefix("rows[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(i, field)| Some((i.parse::<usize>().ok()?, field)));
        match row.and_then(|(i, field)| Some((entries.get(i)?, field))) {
            Some((e, field)) => {
                let field = field.trim_start_matches('.');
                let field = match field {
                    "cost" => args.cost.as_str(),
                    "group" => args.group.as_deref().unwrap_or(field),
                    other => other,
                };
                Failure::Invalid(describe_error(
                    &e.file,
                    &e.place,
                    Some(&e.initiative.id),
                    &err.kind().clone().at(field),
                ))
            }
            None => Failure::Invalid(match err.path() {
                "budget" => format!("--budget: {}", err.message()),
                "min_per_group" => format!("--min-per-group: {}", err.message()),
                _ => err.to_string(),
            }),
        }
    })?;
    let rows: Vec<Row<'_>> = entries
        .iter()
        .zip(&candidates)
        .enumerate()
        .map(|(i, (e, c))| Row {
            id: &e.initiative.id,
            name: &e.initiative.name,
            group: e.group.as_deref(),
            total: c.total,
            cost: selection.costs.get(i).copied().unwrap_or(0),
            value_per_euro: selection
                .value_per_euro
                .get(i)
                .copied()
                .filter(|x| x.is_finite()),
            chosen: selection.chosen.get(i).copied().unwrap_or(false),
            reason: selection.reasons.get(i).map_or("", |r| r.as_str()),
        })
        .collect();
    let out = match args.format {
        SelectFormat::Json => {
            let output = Output {
                budget: selection.budget,
                cost: selection.cost,
                left: selection.left,
                value: selection.value,
                chosen: rows.iter().filter(|r| r.chosen).map(|r| r.id).collect(),
                initiatives: rows,
            };
            let mut s = serde_json::to_string_pretty(&output).unwrap_or_default();
            s.push('\n');
            s
        }
        SelectFormat::Table => table(&selection, &rows, args.group.as_deref()),
    };
    print!("{out}");
    Ok(())
}

/// Whole euros with thousands separated by commas: `€1,250,000`.
fn euros(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("€{out}")
}

fn table(s: &Selection, rows: &[Row<'_>], group: Option<&str>) -> String {
    let mut out = String::new();
    let chosen = rows.iter().filter(|r| r.chosen).count();
    let _ = writeln!(
        out,
        "Fund round: {chosen} of {} initiatives chosen within a budget of {}",
        rows.len(),
        euros(s.budget)
    );
    let _ = writeln!(
        out,
        "  value {:.2} points   cost {}   left {}",
        s.value,
        euros(s.cost),
        euros(s.left)
    );
    out.push('\n');
    let name_width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(10, 40);
    let group_width = group.map(|g| {
        rows.iter()
            .filter_map(|r| r.group.map(|x| x.chars().count()))
            .chain([g.chars().count()])
            .max()
            .unwrap_or(0)
            .min(20)
    });
    let mut header = format!("  {:<name_width$}", "initiative");
    if let (Some(g), Some(w)) = (group, group_width) {
        let _ = write!(header, "  {g:<w$}");
    }
    let _ = write!(
        header,
        "  {:>6}  {:>11}  {:>12}  reason",
        "total", "cost", "points/€1000"
    );
    let _ = writeln!(out, "{}", header.trim_end());
    // Chosen first, then the others; each by total, highest first.
    let mut order: Vec<&Row<'_>> = rows.iter().collect();
    order.sort_by(|a, b| b.chosen.cmp(&a.chosen).then(b.total.total_cmp(&a.total)));
    for r in order {
        let name: String = if r.name.chars().count() > name_width {
            let mut t: String = r.name.chars().take(name_width - 1).collect();
            t.push('…');
            t
        } else {
            r.name.to_owned()
        };
        let mut line = format!("  {name:<name_width$}");
        if let Some(w) = group_width {
            let _ = write!(line, "  {:<w$}", r.group.unwrap_or("—"));
        }
        let per = r
            .value_per_euro
            .map_or_else(|| "free".to_owned(), |x| format!("{:.3}", x * 1000.0));
        let _ = writeln!(
            line,
            "  {:>6.2}  {:>11}  {per:>12}  {}",
            r.total,
            euros(r.cost),
            r.reason
        );
        out.push_str(&line);
    }
    out
}
