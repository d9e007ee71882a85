//! `palisade license ...`: the development signer, verification of a
//! license file, and the standing of a configuration's license.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use super::fail;
use crate::license::{self, License};

#[derive(Debug, Subcommand)]
pub(super) enum LicenseCommand {
    /// Create a development vendor key: the private seed in FILE (mode
    /// 0600), the public key (for `license.vendor_public_key`) on stdout.
    /// For tests and the demo; a real vendor key never leaves the vendor.
    #[cfg(feature = "dev-tools")]
    Keygen {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Sign license terms (a JSON object) with a development vendor key.
    #[cfg(feature = "dev-tools")]
    Sign {
        /// The private key written by `license keygen`.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The terms: a JSON object (docs/license.md).
        #[arg(long, value_name = "FILE")]
        terms: PathBuf,
        /// The license file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Verify a license file against the vendor public key; with --model,
    /// also whether it covers that model directory. Exit 0 only when the
    /// license verifies, is in force (or in its grace period) and covers
    /// the model.
    #[command(group(clap::ArgGroup::new("trust").required(true).args(["public_key", "config"])))]
    Verify {
        /// The license file.
        file: PathBuf,
        /// The vendor public key (`ed25519:<base64>`), or a file holding it.
        #[arg(long = "public-key", value_name = "KEY")]
        public_key: Option<String>,
        /// Or the configuration whose `license.vendor_public_key` to trust
        /// (and whose `model.path` the license must cover, unless --model).
        #[arg(long, value_name = "FILE", conflicts_with = "public_key")]
        config: Option<PathBuf>,
        /// A model directory the license must cover.
        #[arg(long, value_name = "DIR")]
        model: Option<PathBuf>,
        /// The model's id (default: the directory's name).
        #[arg(long, value_name = "ID", requires = "model")]
        model_id: Option<String>,
    },
    /// The license a configuration names, checked as the daemon checks it
    /// at start (signature, dates, and the configured model's weights).
    Show {
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
}

pub(super) fn run(command: LicenseCommand) -> ExitCode {
    match command {
        #[cfg(feature = "dev-tools")]
        LicenseCommand::Keygen { out } => keygen(&out),
        #[cfg(feature = "dev-tools")]
        LicenseCommand::Sign { key, terms, out } => sign(&key, &terms, &out),
        LicenseCommand::Verify {
            file,
            public_key,
            config,
            model,
            model_id,
        } => match (public_key, config) {
            (Some(key), _) => verify(&file, &key, model.as_deref(), model_id.as_deref()),
            (None, Some(config)) => verify_with_config(&file, &config, model, model_id),
            (None, None) => fail("license verify: give --public-key KEY or --config FILE"),
        },
        LicenseCommand::Show { config } => show(&config),
    }
}

/// `license verify FILE --config C`: the vendor key (and, unless --model
/// names one, the model) that configuration trusts.
fn verify_with_config(
    file: &Path,
    config: &Path,
    model: Option<PathBuf>,
    model_id: Option<String>,
) -> ExitCode {
    let path = config;
    let config = match crate::config::Config::load(path) {
        Ok(c) => c,
        Err(e) => return fail(&format!("license verify: {e}")),
    };
    let Some(key) = &config.license.vendor_public_key else {
        return fail(&format!(
            "license verify: {} trusts no vendor key (license.vendor_public_key); give --public-key",
            path.display()
        ));
    };
    let (model, model_id) = match model {
        Some(m) => (Some(m), model_id),
        None => {
            let id = config
                .model
                .path
                .as_ref()
                .map(|p| crate::daemon::model_id(&config.model, p));
            (config.model.path.clone(), id)
        }
    };
    verify(file, key, model.as_deref(), model_id.as_deref())
}

fn show(config: &Path) -> ExitCode {
    let config = match crate::config::Config::load(config) {
        Ok(c) => c,
        Err(e) => return fail(&format!("license show: {e}")),
    };
    let (Some(file), Some(key)) = (&config.license.file, &config.license.vendor_public_key) else {
        println!("no license is configured ([license] file): the node runs unlicensed");
        return ExitCode::SUCCESS;
    };
    let model_id = config
        .model
        .path
        .as_ref()
        .map(|p| crate::daemon::model_id(&config.model, p));
    verify(file, key, config.model.path.as_deref(), model_id.as_deref())
}

#[cfg(feature = "dev-tools")]
fn keygen(out: &Path) -> ExitCode {
    let (signer, seed) = match license::Signer::generate() {
        Ok(s) => s,
        Err(e) => return fail(&format!("license keygen: {e}")),
    };
    if let Err(e) = crate::identity::devpki::write_new(out, format!("{seed}\n").as_bytes(), 0o600) {
        return fail(&format!("license keygen: {e}"));
    }
    println!("{}", signer.public_key());
    ExitCode::SUCCESS
}

#[cfg(feature = "dev-tools")]
fn sign(key: &Path, terms: &Path, out: &Path) -> ExitCode {
    let result = (|| -> Result<(), String> {
        let seed = std::fs::read_to_string(key).map_err(|e| format!("{}: {e}", key.display()))?;
        let signer =
            license::Signer::from_private(&seed).map_err(|e| format!("{}: {e}", key.display()))?;
        let text =
            std::fs::read_to_string(terms).map_err(|e| format!("{}: {e}", terms.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not JSON: {e}", terms.display()))?;
        let signed = signer
            .sign(&value)
            .map_err(|e| format!("{}: {e}", terms.display()))?;
        std::fs::write(out, format!("{signed}\n")).map_err(|e| format!("{}: {e}", out.display()))
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("license sign: {e}")),
    }
}

/// A public key given inline or as a file.
pub(crate) fn read_public_key(given: &str) -> Result<Vec<u8>, String> {
    let text = if Path::new(given).is_file() {
        std::fs::read_to_string(given).map_err(|e| format!("{given}: {e}"))?
    } else {
        given.to_owned()
    };
    license::parse_public_key(&text).map_err(|e| e.to_string())
}

fn verify(file: &Path, public_key: &str, model: Option<&Path>, model_id: Option<&str>) -> ExitCode {
    let result = (|| -> Result<(License, Vec<String>), String> {
        let key = read_public_key(public_key)?;
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let license =
            license::verify(&text, &key).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut problems = Vec::new();
        let standing = license.standing(crate::clock::now());
        if !standing.serves() {
            problems.push(format!("the license is {standing}"));
        }
        if let Some(dir) = model {
            let id = model_id.map_or_else(
                || {
                    dir.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                },
                str::to_owned,
            );
            let digest = crate::engine::weights::digest(dir).map_err(|e| e.to_string())?;
            if let Err(why) = license.covers(&id, &digest) {
                problems.push(why.to_string());
            }
        }
        Ok((license, problems))
    })();
    match result {
        Ok((license, problems)) => {
            print!("{}", describe(&license));
            if problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                for p in &problems {
                    eprintln!("palisade: license verify: {p}");
                }
                ExitCode::FAILURE
            }
        }
        Err(e) => fail(&format!("license verify: {e}")),
    }
}

/// What a verified license says, for people.
pub(crate) fn describe(license: &License) -> String {
    let t = &license.terms;
    let standing = license.standing(crate::clock::now());
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<16} {v}\n"));
    line("license", t.license_id.clone());
    line("licensee", t.licensee.clone());
    line("signed by key", license.key_id.clone());
    line("standing", standing.to_string());
    line("grace period", format!("{} days", t.grace_days));
    line("node limit", t.node_limit.to_string());
    line(
        "mau limit",
        match t.mau_limit {
            Some(n) => format!("{n} ({:?})", t.mau_mode).to_lowercase(),
            None => "none".into(),
        },
    );
    line("features", t.features.join(", "));
    for m in &t.models {
        line("model", format!("{} {}", m.id, m.weights_digest));
    }
    out
}
