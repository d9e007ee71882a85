//! `palisade policy check|test` and `palisade pii scan`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use super::fail;
use crate::pii::Detector;
use crate::policy::{PolicySet, cases};

#[derive(Debug, Subcommand)]
pub(super) enum PolicyCommand {
    /// Parse the policies of DIR and validate them against its schema.
    Check {
        /// The policy directory (one *.cedarschema, any *.cedar).
        #[arg(default_value = "policies")]
        dir: PathBuf,
    },
    /// Run the table-driven cases in DIR/tests/*.toml.
    Test {
        /// The policy directory.
        #[arg(default_value = "policies")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum PiiCommand {
    /// Print one JSON object per identifier found: category and byte
    /// offsets, never the value.
    Scan {
        /// The text (stdin when absent).
        file: Option<PathBuf>,
        /// A name dictionary (one name per line) to find names too.
        #[arg(long, value_name = "FILE")]
        names: Option<PathBuf>,
    },
}

fn load(dir: &Path) -> Result<PolicySet, ExitCode> {
    PolicySet::load(dir).map_err(|errors| {
        for e in &errors.0 {
            eprintln!("palisade: {e}");
        }
        fail(&format!(
            "{}: {} error(s); the policy set is not valid",
            dir.display(),
            errors.0.len()
        ))
    })
}

pub(super) fn run_policy(command: PolicyCommand) -> ExitCode {
    match command {
        PolicyCommand::Check { dir } => {
            let set = match load(&dir) {
                Ok(s) => s,
                Err(code) => return code,
            };
            if set.is_empty() {
                return fail(&format!(
                    "{}: no policies, so every request would be denied",
                    dir.display()
                ));
            }
            println!(
                "{}: {} policies valid against the schema; policy-set hash {}",
                dir.display(),
                set.len(),
                set.hash()
            );
            for id in set.ids() {
                println!("  {id}");
            }
            ExitCode::SUCCESS
        }
        PolicyCommand::Test { dir } => {
            let set = match load(&dir) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let results = match cases::run(&dir, &set) {
                Ok(r) => r,
                Err(e) => return fail(&e.to_string()),
            };
            let failed = results.iter().filter(|r| !r.passed).count();
            for r in &results {
                if r.passed {
                    println!("ok    {}", r.name);
                } else {
                    println!("FAIL  {}: {}", r.name, r.detail);
                }
            }
            println!(
                "{} cases, {} passed, {failed} failed (policy-set hash {})",
                results.len(),
                results.len() - failed,
                set.hash()
            );
            if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

pub(super) fn run_pii(command: PiiCommand) -> ExitCode {
    let PiiCommand::Scan { file, names } = command;
    let detector = match names {
        Some(path) => Detector::with_dictionary(&path),
        None => Detector::new(),
    };
    let detector = match detector {
        Ok(d) => d,
        Err(e) => return fail(&e.to_string()),
    };
    let mut bytes = Vec::new();
    let (read, source) = match &file {
        Some(path) => (
            std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)),
            path.display().to_string(),
        ),
        None => (std::io::stdin().read_to_end(&mut bytes), "stdin".to_owned()),
    };
    if let Err(e) = read {
        return fail(&format!("{source}: {e}"));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return fail(&format!(
                "{source} is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ));
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for f in detector.scan(&text) {
        let line = serde_json::json!({"category": f.category, "start": f.start, "end": f.end});
        if writeln!(out, "{line}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    if out.flush().is_err() {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
