//! `civic-value rubric show|validate|schema`.

use std::path::{Path, PathBuf};

use civic_value::Rubric;
use clap::{Subcommand, ValueEnum};

use crate::Failure;
use crate::load::load_rubric;

#[derive(Subcommand)]
pub(crate) enum RubricCommand {
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
pub(crate) enum RubricFormat {
    Json,
    Toml,
}

pub(crate) fn show(file: Option<&Path>, format: RubricFormat) -> Result<(), Failure> {
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

pub(crate) fn validate(files: &[PathBuf]) -> Result<(), Failure> {
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
    // Every file is reported, whatever happens to the others.
    let (mut invalid, mut unreadable) = (false, false);
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
            Err(Failure::Invalid(msg)) => {
                eprintln!("{msg}");
                invalid = true;
            }
            Err(Failure::Usage(msg)) => {
                eprintln!("error: {msg}");
                unreadable = true;
            }
        }
    }
    if unreadable {
        Err(Failure::Usage(String::new()))
    } else if invalid {
        Err(Failure::Invalid(String::new()))
    } else {
        Ok(())
    }
}
