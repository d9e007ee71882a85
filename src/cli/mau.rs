//! `palisade mau ...`: the signed monthly-active-user report of a node, and
//! its verification by an auditor.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use super::fail;
use crate::audit::checkpoint::CheckpointVerifier;
use crate::config::Config;
use crate::mau::{Report, parse_month};

#[derive(Debug, Subcommand)]
pub(super) enum MauCommand {
    /// The month's report of this node, signed with its audit checkpoint
    /// key (a signed note; `mau verify` checks it with the verifier key).
    Report {
        /// The node's configuration.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The month, YYYY-MM (UTC).
        #[arg(long)]
        month: String,
        /// Write the report here instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check a signed report against a node's audit verifier key and print
    /// its counts.
    Verify {
        /// The signed report.
        file: PathBuf,
        /// The verifier key (the `.pub` file beside `audit.signing_key`).
        #[arg(long = "public-key", value_name = "FILE")]
        public_key: PathBuf,
    },
}

pub(super) fn run(command: MauCommand) -> ExitCode {
    match command {
        MauCommand::Report { config, month, out } => match report(&config, &month) {
            Ok(note) => match out {
                Some(path) => match std::fs::write(&path, &note) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => fail(&format!("mau report: {}: {e}", path.display())),
                },
                None => {
                    print!("{note}");
                    ExitCode::SUCCESS
                }
            },
            Err(e) => fail(&format!("mau report: {e}")),
        },
        MauCommand::Verify { file, public_key } => match verify(&file, &public_key) {
            Ok(report) => {
                print!("{}", describe(&report));
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("mau verify: {e}")),
        },
    }
}

fn report(config: &Path, month: &str) -> Result<String, String> {
    let month = parse_month(month).map_err(|e| e.to_string())?;
    let config = Config::load(config).map_err(|e| e.to_string())?;
    let audit = &config.audit;
    let signer = crate::audit::keys::read_signer(&audit.signing_key).map_err(|e| e.to_string())?;
    let license = match (&config.license.file, &config.license.vendor_public_key) {
        (Some(file), Some(key)) => {
            let key = crate::license::parse_public_key(key).map_err(|e| e.to_string())?;
            let text =
                std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
            Some(
                crate::license::verify(&text, &key)
                    .map_err(|e| format!("{}: {e}", file.display()))?,
            )
        }
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let report = runtime.block_on(async {
        let store = crate::audit::store::Store::open(&audit.store)
            .await
            .map_err(|e| e.to_string())?;
        let terms = license.as_ref().map(|l| {
            (
                l.terms.license_id.as_str(),
                l.terms.mau_limit,
                l.terms.mau_mode,
            )
        });
        let model = config
            .model
            .path
            .as_deref()
            .map(|p| crate::daemon::model_id(&config.model, p));
        let report = Report::build(
            &store,
            &config.node.id,
            model.as_deref(),
            &month,
            terms,
            crate::clock::now(),
        )
        .await;
        store.close().await;
        report.map_err(|e| e.to_string())
    })?;
    Ok(signer.sign_note(&report.note_body().map_err(|e| e.to_string())?))
}

fn verify(file: &Path, public_key: &Path) -> Result<Report, String> {
    let key = std::fs::read_to_string(public_key)
        .map_err(|e| format!("{}: {e}", public_key.display()))?;
    let verifier = CheckpointVerifier::parse(&key).map_err(|e| e.to_string())?;
    let note = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let body = verifier.open_note(&note).map_err(|e| e.to_string())?;
    Report::from_note_body(body).map_err(|e| e.to_string())
}

fn describe(r: &Report) -> String {
    let mut out = format!(
        "node {} month {}: {} monthly active users (exact)\n",
        r.node_id, r.month, r.subjects
    );
    for (tenant, n) in &r.tenants {
        out.push_str(&format!("  tenant {tenant}: {n}\n"));
    }
    if let Some(model) = &r.model {
        out.push_str(&format!("  model {model}: {}\n", r.subjects));
    }
    out.push_str(&format!(
        "fleet: about {} across {} node(s) (merged sketches, 0.81 % standard error)\n",
        r.fleet_estimate, r.fleet_nodes
    ));
    out.push_str(&format!(
        "license {}: limit {}, mode {:?}; generated {}\n",
        r.license_id.as_deref().unwrap_or("none"),
        r.limit.map_or_else(|| "none".to_owned(), |l| l.to_string()),
        r.mode,
        r.generated_at
    ));
    out
}
