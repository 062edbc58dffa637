//! `civic-value score`: score initiatives from files of any size and print a table, JSON,
//! CSV or NDJSON, written as they are scored, in input order. Every valid initiative is
//! scored and printed; each bad one is reported on stderr (file, line, initiative, field)
//! and the exit status is 1 at the end.

use std::path::PathBuf;

use civic_value::Decimal;

use crate::Failure;
use crate::input::InputOptions;
use crate::load::load_rubric;
pub(crate) use crate::output::Format;
use crate::stream::{Settings, run};

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
    /// CSV delimiter: `,` `;` or `tab` (default: detected from the header line; `.tsv`
    /// files are tab-separated).
    #[arg(long, value_name = ",|;|tab", value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// Decimal mark of numbers in CSV: `,` or `.` (default: a comma is accepted when the
    /// delimiter is not a comma).
    #[arg(long, value_name = ",|.", value_parser = parse_decimal)]
    decimal: Option<Decimal>,
    /// Initiative files, or `-` for stdin: JSON (one object or an array of {id, name,
    /// inputs}), NDJSON (`.ndjson`/`.jsonl`, one object per line) or CSV/TSV (one row per
    /// initiative, a column per criterion id, `low..high` for a range). Read as streams:
    /// any size.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "tab" | "\t" | "\\t" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        _ => Err("expected ',', ';', 'tab' or '|'".to_owned()),
    }
}

fn parse_decimal(s: &str) -> Result<Decimal, String> {
    match s {
        "," | "comma" => Ok(Decimal::Comma),
        "." | "point" => Ok(Decimal::Point),
        _ => Err("expected ',' or '.'".to_owned()),
    }
}

pub(crate) fn score(args: &ScoreArgs) -> Result<(), Failure> {
    let rubric = load_rubric(args.rubric.as_deref())?;
    if let Some(p) = &args.perspective {
        // Fail early, once, for an unknown perspective.
        rubric
            .effective_weights(Some(p))
            .map_err(|e| Failure::Usage(e.message()))?;
    }
    let options = InputOptions {
        delimiter: args.delimiter,
        decimal: args.decimal,
        ignore: args.ignore.clone(),
    };
    let settings = Settings {
        rubric: &rubric,
        perspective: args.perspective.as_deref(),
        format: args.format,
        lang: &args.lang,
        options: &options,
    };
    let summary = run(&settings, &args.inputs)?;
    if summary.unreadable > 0 {
        return Err(Failure::Usage(format!(
            "{} of {} input files could not be read",
            summary.unreadable,
            args.inputs.len()
        )));
    }
    if summary.failed > 0 || summary.bad_files > 0 {
        let mut parts = Vec::new();
        if summary.failed > 0 {
            parts.push(format!(
                "{} of {} initiatives could not be scored",
                summary.failed, summary.items
            ));
        }
        if summary.bad_files > 0 {
            parts.push(format!(
                "{} file(s) could not be read to the end",
                summary.bad_files
            ));
        }
        return Err(Failure::Invalid(parts.join("; ")));
    }
    Ok(())
}
