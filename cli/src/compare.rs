//! `civic-value compare`: each initiative's total under the rubric's own weights and every
//! perspective's, and per criterion where the weight sets differ most.

use std::fmt::Write as _;
use std::path::PathBuf;

use civic_value::Rubric;
use civic_value::analysis::perspectives::PerspectiveComparison;
use clap::ValueEnum;
use serde::Serialize;

use crate::Failure;
use crate::load::{InputArgs, collect_initiatives, load_rubric};
use crate::table::{self, total_text};

#[derive(clap::Args)]
pub(crate) struct CompareArgs {
    /// Rubric file (.json or .toml); the built-in default rubric when omitted.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Language of labels.
    #[arg(long, default_value = "en", value_name = "nl|en")]
    lang: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    format: CompareFormat,
    #[command(flatten)]
    input: InputArgs,
    /// Initiative files: JSON (one object or an array) or CSV, as for `score`.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CompareFormat {
    /// Totals side by side and a row of points per criterion.
    Table,
    /// A JSON array: `{id, name, comparison}` per initiative.
    Json,
}

#[derive(Serialize)]
struct Compared {
    id: String,
    name: String,
    comparison: PerspectiveComparison,
}

pub(crate) fn compare(args: &CompareArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let (done, problems) = collect_initiatives(&args.inputs, &rubric, &args.input, |i| {
        rubric
            .compare_perspectives(&i.inputs)
            .map(|comparison| Compared {
                id: i.id,
                name: i.name,
                comparison,
            })
    })?;
    let out = crate::table::records(&done, args.format == CompareFormat::Json, |out, x| {
        write_compared(out, &rubric, x, &args.lang);
    });
    print!("{out}");
    Failure::unless_problems(&problems)
}

fn column_label(rubric: &Rubric, id: &str, lang: &str) -> String {
    if id == civic_value::analysis::perspectives::RUBRIC_COLUMN {
        return "rubric".to_owned();
    }
    rubric
        .perspectives()
        .iter()
        .find(|p| p.id() == id)
        .map_or(id, |p| p.label(lang))
        .to_owned()
}

fn cell(s: &str, width: usize) -> String {
    let s = table::fit(s, width);
    format!("{s:>width$}")
}

fn write_compared(out: &mut String, rubric: &Rubric, x: &Compared, lang: &str) {
    let c = &x.comparison;
    let labels: Vec<String> = c
        .columns
        .iter()
        .map(|p| column_label(rubric, p, lang))
        .collect();
    let w = 13;
    let _ = writeln!(out, "{} ({})", table::clean(&x.name), table::clean(&x.id));
    let head: String = labels.iter().map(|l| cell(l, w)).collect();
    let _ = writeln!(out, "  {:<32}{head}   differ most", "");
    let totals: String = c
        .totals
        .iter()
        .map(|t| cell(&total_text(rubric, *t), w))
        .collect();
    let _ = writeln!(out, "  {:<32}{totals}", "total");
    let bands: String = c
        .bands
        .iter()
        .map(|b| {
            let text = b
                .as_deref()
                .and_then(|b| rubric.bands().iter().find(|x| x.id() == b))
                .map_or("—", |b| b.label(lang));
            cell(text, w)
        })
        .collect();
    let _ = writeln!(out, "  {:<32}{bands}", "band");
    let widest = c.criteria.iter().map(|r| r.spread).fold(0.0, f64::max);
    for row in &c.criteria {
        let label = rubric
            .criterion(&row.id)
            .map_or(row.id.as_str(), |k| k.label(lang));
        let name = format!("{:<32}", table::fit(label, 31));
        let points: String = row
            .points
            .iter()
            .map(|p| cell(&format!("{p:.2}"), w))
            .collect();
        let (hi, lo) = extremes(&row.points);
        let mark = if row.spread > 0.0 && row.spread >= widest {
            " ◀ most"
        } else {
            ""
        };
        // What counts as a difference is the core's rule (`differs`), shared with the form.
        let differ = if row.differs {
            format!(
                "   {:.2}: {} highest, {} lowest{mark}",
                row.spread,
                labels.get(hi).map_or("", String::as_str),
                labels.get(lo).map_or("", String::as_str)
            )
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {name}{points}{differ}");
    }
    for d in &c.differences {
        if !d.differs {
            let _ = writeln!(
                out,
                "  {}: total {:+.2} against the rubric's weights; no criterion differs",
                column_label(rubric, &d.perspective, lang),
                d.total_delta,
            );
            continue;
        }
        let label = rubric
            .criterion(&d.criterion)
            .map_or(d.criterion.as_str(), |k| k.label(lang));
        let _ = writeln!(
            out,
            "  {}: total {:+.2} against the rubric's weights; biggest difference {} ({:+.2} points: {:.2} instead of {:.2})",
            column_label(rubric, &d.perspective, lang),
            d.total_delta,
            table::clean(label),
            d.delta,
            d.points,
            d.rubric_points
        );
    }
}

/// Indices of the largest and smallest value (the first of equals).
fn extremes(values: &[f64]) -> (usize, usize) {
    let mut hi = 0;
    let mut lo = 0;
    for (i, v) in values.iter().enumerate() {
        if values.get(hi).is_some_and(|h| v > h) {
            hi = i;
        }
        if values.get(lo).is_some_and(|l| v < l) {
            lo = i;
        }
    }
    (hi, lo)
}
