//! `civic-value explain`: the breakdown of each initiative, what would raise its score most
//! (the top levers) and the fewest changes that reach the next band.

use std::fmt::Write as _;
use std::path::PathBuf;

use civic_value::analysis::levers::Lever;
use civic_value::analysis::path_to_band::PathStep;
use civic_value::{Initiative, Rubric, Score};
use clap::ValueEnum;
use serde::Serialize;

use crate::Failure;
use crate::load::{InputArgs, collect_initiatives, load_rubric};
use crate::table::{self, raw_text};

#[derive(clap::Args)]
pub(crate) struct ExplainArgs {
    /// Rubric file (.json or .toml); the built-in default rubric when omitted.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Explain under this perspective's weights (e.g. municipality, residents, initiators).
    #[arg(long, value_name = "NAME")]
    perspective: Option<String>,
    /// Language of labels.
    #[arg(long, default_value = "en", value_name = "nl|en")]
    lang: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Table)]
    format: ExplainFormat,
    #[command(flatten)]
    input: InputArgs,
    /// Initiative files: JSON (one object or an array) or CSV, as for `score`.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExplainFormat {
    /// The breakdown, the top levers and the path to the next band, per initiative.
    Table,
    /// A JSON array: `{id, name, score, levers, next_band, path, path_error}` per initiative.
    Json,
}

/// Why no path is given.
#[derive(Serialize)]
struct PathError {
    code: &'static str,
    path: String,
    message: String,
}

#[derive(Serialize)]
struct Explained {
    id: String,
    name: String,
    score: Score,
    /// Every lever, highest gain first.
    levers: Vec<Lever>,
    /// The band the path leads to: the next band up, or the current one when a knock-out
    /// fails in the top band; `null` in the top band with no knock-out failing.
    next_band: Option<String>,
    path: Option<Vec<PathStep>>,
    path_error: Option<PathError>,
}

fn explain_one(
    rubric: &Rubric,
    initiative: Initiative,
    perspective: Option<&str>,
) -> Result<Explained, civic_value::Error> {
    let score = rubric.score(&initiative.inputs, perspective)?;
    let levers = rubric.levers(&initiative.inputs, perspective)?;
    let next_band = rubric.next_band(&score).map(|b| b.id().to_owned());
    let (path, path_error) = match &next_band {
        None => (None, None),
        Some(b) => match rubric.path_to_band(&initiative.inputs, perspective, b) {
            Ok(p) => (Some(p), None),
            Err(e) => (
                None,
                Some(PathError {
                    code: e.code(),
                    path: e.path().to_owned(),
                    message: e.message(),
                }),
            ),
        },
    };
    Ok(Explained {
        id: initiative.id,
        name: initiative.name,
        score,
        levers,
        next_band,
        path,
        path_error,
    })
}

pub(crate) fn explain(args: &ExplainArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    let perspective = args.perspective.as_deref();
    if let Some(p) = perspective {
        rubric
            .effective_weights(Some(p))
            .map_err(|e| Failure::Usage(e.message()))?;
    }
    let (done, problems) = collect_initiatives(&args.inputs, &rubric, &args.input, |i| {
        explain_one(&rubric, i, perspective)
    })?;
    let out = crate::table::records(&done, args.format == ExplainFormat::Json, |out, x| {
        write_explained(out, &rubric, x, &args.lang);
    });
    print!("{out}");
    Failure::unless_problems(&problems)
}

fn label<'a>(rubric: &'a Rubric, id: &'a str, lang: &str) -> &'a str {
    rubric.criterion(id).map_or(id, |c| c.label(lang))
}

fn write_explained(out: &mut String, rubric: &Rubric, x: &Explained, lang: &str) {
    let initiative = Initiative {
        id: x.id.clone(),
        name: x.name.clone(),
        description: None,
        inputs: civic_value::Inputs::new(),
    };
    table::write(out, rubric, &initiative, &x.score, lang);
    let raw = |id: &str| {
        x.score
            .criteria
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| "—".to_owned(), |c| raw_text(rubric, id, &c.raw, lang))
    };
    let _ = writeln!(out, "  what would raise this score most:");
    // Which levers to show is the core's rule (`Lever::shown`), shared with the web form.
    let top: Vec<&Lever> = x.levers.iter().filter(|l| l.shown).collect();
    if top.is_empty() {
        let _ = writeln!(out, "    nothing: every criterion is at its best");
    }
    for (k, l) in top.iter().enumerate() {
        let mut line = format!(
            "    {}. {}: {} → {}   +{:.2} points",
            k + 1,
            table::clean(label(rubric, &l.criterion, lang)),
            raw(&l.criterion),
            raw_text(rubric, &l.criterion, &l.best, lang),
            l.gain
        );
        if let Some(p) = l.per_unit.filter(|p| *p != 0.0) {
            let unit = rubric
                .criterion(&l.criterion)
                .and_then(|c| c.unit())
                .unwrap_or("unit");
            let _ = write!(line, " ({} points per {unit} here)", significant(p));
        }
        let _ = writeln!(out, "{line}");
    }
    let band_label = |id: &str| {
        rubric
            .bands()
            .iter()
            .find(|b| b.id() == id)
            .map_or(id.to_owned(), |b| {
                format!("{} (from {})", b.label(lang), table::num(b.min()))
            })
    };
    match (&x.next_band, &x.path, &x.path_error) {
        (None, _, _) => {
            let _ = writeln!(out, "  path to the next band: already in the top band");
        }
        (Some(b), Some(path), _) if path.is_empty() => {
            let _ = writeln!(out, "  path to {}: already there", band_label(b));
        }
        (Some(b), Some(path), _) => {
            let _ = writeln!(out, "  path to {}:", band_label(b));
            for (k, s) in path.iter().enumerate() {
                let last = if k + 1 == path.len() {
                    "   (only as far as needed)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "    {}. {}: {} → {}{last}",
                    k + 1,
                    table::clean(label(rubric, &s.criterion, lang)),
                    raw(&s.criterion),
                    raw_text(rubric, &s.criterion, &s.shown, lang),
                );
            }
        }
        (Some(b), None, Some(e)) => {
            let _ = writeln!(out, "  path to {}: {}", band_label(b), e.message);
        }
        (Some(_), None, None) => {}
    }
}

/// A number with four significant digits (per-unit slopes are often tiny).
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = 3 - x.abs().log10().floor() as i32;
    if digits <= 0 {
        format!("{x:.0}")
    } else {
        format!("{x:.*}", digits as usize)
    }
}
