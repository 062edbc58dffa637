//! `civic-value score`: score initiatives and print a table, JSON or CSV.

use std::path::PathBuf;

use civic_value::{Initiative, Rubric, Score};
use clap::ValueEnum;
use serde::Serialize;

use crate::load::{describe_error, load_rubric, read_initiatives};
use crate::{Failure, table};

#[derive(clap::Args)]
pub(crate) struct ScoreArgs {
    /// Rubric file (.json or .toml); the built-in default rubric when omitted.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Score under this perspective's weights (e.g. municipality, residents, initiators).
    #[arg(long, value_name = "NAME")]
    perspective: Option<String>,
    /// Language of labels in the table.
    #[arg(long, default_value = "en", value_name = "nl|en")]
    lang: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Input columns (CSV) or keys (JSON) that are not criteria and are not scored, e.g.
    /// `--ignore district --ignore notes` (without it they are reported by the rubric's
    /// policy for unknown inputs).
    #[arg(long, value_name = "COLUMN")]
    ignore: Vec<String>,
    /// Initiative files: JSON (one object or an array of {id, name, inputs}) or CSV (one
    /// row per initiative, a column per criterion id, `low..high` for a range).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    /// A readable breakdown per initiative.
    Table,
    /// A JSON array with one object per initiative.
    Json,
    /// One CSV row per initiative, with the points of every criterion.
    Csv,
}

/// One initiative's result in the JSON output.
#[derive(Serialize)]
pub(crate) struct Scored<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(flatten)]
    score: &'a Score,
    /// The monetised value when the rubric has a proxy table (see `sroi.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    monetised: Option<civic_value::analysis::monetise::MonetisedSummary>,
}

pub(crate) fn score(args: &ScoreArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    if let Some(p) = &args.perspective {
        // Fail early, once, for an unknown perspective.
        rubric
            .effective_weights(Some(p))
            .map_err(|e| Failure::Usage(e.message()))?;
    }
    let mut scored: Vec<(Initiative, Score)> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for path in &args.inputs {
        for initiative in read_initiatives(path, &rubric, &args.ignore)? {
            match rubric.score(&initiative.inputs, args.perspective.as_deref()) {
                Ok(s) => scored.push((initiative, s)),
                Err(e) => problems.push(describe_error(path, &initiative, &e)),
            }
        }
    }
    let mut out = String::new();
    match args.format {
        Format::Table => {
            for (i, (initiative, s)) in scored.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                table::write(&mut out, &rubric, initiative, s, &args.lang);
            }
        }
        Format::Json => {
            let items: Vec<Scored<'_>> = scored
                .iter()
                .map(|(i, s)| Scored {
                    id: &i.id,
                    name: &i.name,
                    score: s,
                    monetised: rubric.monetised_summary(&i.inputs),
                })
                .collect();
            out = serde_json::to_string_pretty(&items).unwrap_or_default();
            out.push('\n');
        }
        Format::Csv => out = to_csv(&rubric, &scored),
    }
    print!("{out}");
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::Invalid(problems.join("\n")))
    }
}

pub(crate) fn to_csv(rubric: &Rubric, scored: &[(Initiative, Score)]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "id".to_owned(),
        "name".to_owned(),
        "total".to_owned(),
        "band".to_owned(),
        "low".to_owned(),
        "high".to_owned(),
        "knocked_out".to_owned(),
    ];
    header.extend(
        rubric
            .criteria()
            .iter()
            .map(|c| format!("points_{}", c.id())),
    );
    let _ = w.write_record(&header);
    for (i, s) in scored {
        let mut row = vec![
            i.id.clone(),
            i.name.clone(),
            s.total.to_string(),
            s.band.clone().unwrap_or_default(),
            s.interval.low.to_string(),
            s.interval.high.to_string(),
            s.knocked_out.to_string(),
        ];
        row.extend(s.criteria.iter().map(|c| c.points.to_string()));
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
