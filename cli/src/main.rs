//! `civic-value`: score initiatives with a rubric, and show, validate or describe rubrics.
//!
//! Exit status: 0 on success, 1 when a rubric or an input is invalid (the message names the
//! file and the field path), 2 on a usage error (bad flags, unreadable files).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use civic_value::{
    Error, Initiative, InputValue, Inputs, MAX_INPUT_BYTES, MAX_RUBRIC_BYTES, Rubric, RubricDoc,
    Score,
};
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

mod table;

#[derive(Parser)]
#[command(
    name = "civic-value",
    version,
    about = "Score the societal value of citizen initiatives on a transparent rubric"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score initiatives from JSON or CSV files.
    Score(ScoreArgs),
    /// Show, validate or describe rubrics.
    #[command(subcommand)]
    Rubric(RubricCommand),
}

#[derive(clap::Args)]
struct ScoreArgs {
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
    /// Initiative files: JSON (one object or an array of {id, name, inputs}) or CSV (one
    /// row per initiative, a column per criterion id, `low..high` for a range).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A readable breakdown per initiative.
    Table,
    /// A JSON array with one object per initiative.
    Json,
    /// One CSV row per initiative, with the points of every criterion.
    Csv,
}

#[derive(Subcommand)]
enum RubricCommand {
    /// Print a rubric (the built-in one when FILE is omitted).
    Show {
        /// Rubric file (.json or .toml).
        file: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = RubricFormat::Json)]
        format: RubricFormat,
    },
    /// Validate rubrics, listing every error (the built-in one when no FILE is given).
    Validate {
        /// Rubric files (.json or .toml).
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the rubric format (for completion in an editor).
    Schema,
}

#[derive(Clone, Copy, ValueEnum)]
enum RubricFormat {
    Json,
    Toml,
}

/// A failure, with the exit status it leads to.
enum Failure {
    /// Invalid rubric or input: exit 1.
    Invalid(String),
    /// Usage error (unreadable file …): exit 2.
    Usage(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score(args) => score(&args),
        Command::Rubric(RubricCommand::Show { file, format }) => show(file.as_deref(), format),
        Command::Rubric(RubricCommand::Validate { files }) => validate(&files),
        Command::Rubric(RubricCommand::Schema) => {
            let schema = schemars::schema_for!(RubricDoc);
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path, limit: usize) -> Result<String, Failure> {
    let shown = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| Failure::Usage(format!("cannot read {shown}: {e}")))?;
    if meta.len() > limit as u64 {
        return Err(Failure::Invalid(format!(
            "{shown}: file is {} bytes, more than the limit of {limit}",
            meta.len()
        )));
    }
    std::fs::read_to_string(path).map_err(|e| Failure::Usage(format!("cannot read {shown}: {e}")))
}

fn is_toml(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("toml") => true,
        Some(e) if e.eq_ignore_ascii_case("json") => false,
        _ => !text.trim_start().starts_with('{'),
    }
}

fn parse_doc(path: &Path) -> Result<RubricDoc, Failure> {
    let text = read(path, MAX_RUBRIC_BYTES)?;
    let doc = if is_toml(path, &text) {
        RubricDoc::from_toml(&text)
    } else {
        RubricDoc::from_json(&text)
    };
    doc.map_err(|e| Failure::Invalid(format!("{}: {e}", path.display())))
}

fn load_rubric(path: Option<&Path>) -> Result<Rubric, Failure> {
    let Some(path) = path else {
        return Ok(Rubric::builtin());
    };
    Rubric::compile(parse_doc(path)?).map_err(|errors| {
        let mut msg = String::new();
        for e in &errors.0 {
            let _ = writeln!(msg, "{}: {e}", path.display());
        }
        Failure::Invalid(msg.trim_end().to_owned())
    })
}

fn show(file: Option<&Path>, format: RubricFormat) -> Result<(), Failure> {
    let rubric = load_rubric(file)?;
    match format {
        RubricFormat::Json => println!("{}", rubric.to_json()),
        RubricFormat::Toml => {
            let text = rubric
                .to_toml()
                .map_err(|e| Failure::Invalid(e.to_string()))?;
            print!("{text}");
        }
    }
    Ok(())
}

fn validate(files: &[PathBuf]) -> Result<(), Failure> {
    if files.is_empty() {
        let r = Rubric::builtin();
        println!(
            "built-in rubric: ok ({} {}, fingerprint {})",
            r.id(),
            r.version(),
            r.fingerprint()
        );
        return Ok(());
    }
    let mut problems = Vec::new();
    for path in files {
        match load_rubric(Some(path)) {
            Ok(r) => println!(
                "{}: ok ({} {}, {} criteria, fingerprint {})",
                path.display(),
                r.id(),
                r.version(),
                r.criteria().len(),
                r.fingerprint()
            ),
            Err(Failure::Invalid(msg)) => problems.push(msg),
            Err(usage) => return Err(usage),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::Invalid(problems.join("\n")))
    }
}

/// Read initiatives from a JSON or CSV file.
fn read_initiatives(path: &Path, rubric: &Rubric) -> Result<Vec<Initiative>, Failure> {
    let text = read(path, MAX_INPUT_BYTES)?;
    let csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let invalid = |msg: String| Failure::Invalid(format!("{}: {msg}", path.display()));
    if !csv {
        return Initiative::list_from_json(&text).map_err(|e| invalid(e.to_string()));
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| invalid(e.to_string()))?
        .clone();
    let mut out = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(|e| invalid(e.to_string()))?;
        let mut inputs = Inputs::new();
        let (mut id, mut name) = (format!("row{}", r + 1), None);
        for (header, cell) in headers.iter().zip(record.iter()) {
            match header {
                "id" => id = cell.to_owned(),
                "name" => name = Some(cell.to_owned()),
                "description" => {}
                column => {
                    let value = match rubric.criterion(column) {
                        Some(c) => c.parse_text(cell),
                        // Not a criterion: kept, so that scoring reports it by the rubric's policy.
                        None if cell.is_empty() => InputValue::Missing,
                        None => cell
                            .parse()
                            .map_or_else(|_| InputValue::Text(cell.to_owned()), InputValue::Number),
                    };
                    if !value.is_missing() {
                        inputs.insert(column, value);
                    }
                }
            }
        }
        out.push(Initiative {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            description: None,
            inputs,
        });
    }
    Ok(out)
}

/// One initiative's result in the JSON output.
#[derive(Serialize)]
struct Scored<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(flatten)]
    score: &'a Score,
}

fn score(args: &ScoreArgs) -> Result<(), Failure> {
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
        for initiative in read_initiatives(path, &rubric)? {
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

fn describe_error(path: &Path, initiative: &Initiative, e: &Error) -> String {
    format!("{}: initiative \"{}\": {e}", path.display(), initiative.id)
}

fn to_csv(rubric: &Rubric, scored: &[(Initiative, Score)]) -> String {
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
