//! `civic-value`: score initiatives with a rubric, and show, validate or describe rubrics.
//!
//! Exit status: 0 on success, 1 when a rubric or an input is invalid (the message names the
//! file and the field path), 2 on a usage error (bad flags, unreadable files).

use std::process::ExitCode;

use civic_value::RubricDoc;
use clap::{Parser, Subcommand};

mod block;
mod columns;
mod compare;
mod explain;
mod load;
mod plain;
mod rubric;
mod score;
mod select;
mod sensitivity;
mod sroi;
mod table;
mod text;
mod weights;

use rubric::{RubricCommand, show, validate};
use score::{ScoreArgs, score};
use sroi::SroiArgs;

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
    /// Monetised value (SROI) of initiatives from the rubric's financial proxies.
    Sroi(SroiArgs),
    /// Choose the initiatives a fund's budget buys the most value with (exact).
    Select(select::SelectArgs),
    /// How sure are the scores and the ranking: Monte Carlo over weights and ranges, and a tornado.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Show, validate or describe rubrics.
    #[command(subcommand)]
    Rubric(RubricCommand),
    /// The breakdown, the top levers and the path to the next band of each initiative.
    Explain(explain::ExplainArgs),
    /// The total under every perspective and, per criterion, where they differ most.
    Compare(compare::CompareArgs),
    /// Weights from judgement (AHP pairwise comparisons).
    #[command(subcommand)]
    Weights(weights::WeightsCommand),
}

/// A failure, with the exit status it leads to.
pub(crate) enum Failure {
    /// Invalid rubric or input: exit 1.
    Invalid(String),
    /// Usage error (unreadable file …): exit 2.
    Usage(String),
}

impl Failure {
    /// `Ok` when no record was bad, else exit 1 with every problem, one per line.
    pub(crate) fn unless_problems(problems: &[String]) -> Result<(), Failure> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Failure::Invalid(problems.join("\n")))
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score(args) => score(&args),
        Command::Sroi(args) => sroi::sroi(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Weights(command) => weights::weights(&command),
        Command::Select(args) => select::select(&args),
        Command::Sensitivity(args) => sensitivity::sensitivity(&args),
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
        // An empty message: the details were reported as they happened.
        Err(Failure::Invalid(msg)) => {
            if !msg.is_empty() {
                eprintln!("{msg}");
            }
            ExitCode::from(1)
        }
        Err(Failure::Usage(msg)) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            ExitCode::from(2)
        }
    }
}
