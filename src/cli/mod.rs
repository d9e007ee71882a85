//! The `palisade` command line (names as in INTERFACES.md). Commands of
//! parts not built yet are absent rather than pretending.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::{daemon, telemetry};

mod compliance;
#[cfg(feature = "dev-tools")]
mod dev;
mod license;
mod mau;
mod model;
mod policy;

/// Exit status for an invalid configuration (sysexits EX_CONFIG); the
/// systemd unit lists it in `RestartPreventExitStatus`.
pub const EXIT_CONFIG: u8 = 78;

/// Palisade: a mixture-of-experts LLM behind mTLS, policy, license and a
/// tamper-evident audit trail.
#[derive(Debug, Parser)]
#[command(name = "palisade", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the daemon (what the systemd unit starts).
    Serve {
        /// The configuration file.
        #[arg(long, short, value_name = "FILE")]
        config: PathBuf,
    },
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Development and vendor tools (the `dev-tools` feature).
    #[cfg(feature = "dev-tools")]
    #[command(flatten)]
    Dev(dev::DevCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Model directories: inspect, verify against a reference, synthesise.
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// Generate text locally with a model, without the server.
    Generate(model::GenerateArgs),
    /// Installation licenses: verify one, and the development signer.
    #[command(subcommand)]
    License(license::LicenseCommand),
    /// Monthly active users: the signed report, and its verification.
    #[command(subcommand)]
    Mau(mau::MauCommand),
    /// Cedar policies: validate them, run their test cases.
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Personal and health identifiers: find them in text.
    #[command(subcommand)]
    Pii(policy::PiiCommand),
    /// Requests of data subjects: access to every record about a person.
    #[command(subcommand)]
    Subject(compliance::SubjectCommand),
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Export records (and their verification bundle, OUT.bundle.json);
    /// the export is recorded in the trail first.
    Export(ExportArgs),
    /// A signed compliance report (HTML, JSON or Markdown) of the selected
    /// records, with the log's verification state and the checkpoint it was
    /// computed against; its signature goes to OUT.sig. Recorded like an
    /// export. Exit 1 when the log does not verify (the report says so).
    Report(compliance::ReportArgs),
    /// Remove the content of records older than BEFORE and than the
    /// retention minimum (a signed checkpoint covers them first; their leaf
    /// hashes stay, so the log still verifies). Refused under legal hold.
    /// Recorded.
    Prune {
        /// The configuration whose store to prune.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// A date or RFC 3339 time; default: now (so the retention floor decides).
        #[arg(long)]
        before: Option<String>,
    },
    /// An online, consistent copy of a configuration's SQLite audit store
    /// (safe while the daemon writes); `audit verify` accepts it with a
    /// configuration whose `audit.store` names the copy.
    Backup {
        /// The configuration whose store to copy.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The new file to write (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Verify the live audit log of a configuration: every record, its
    /// place, its chain and every signed checkpoint. Exit 0 only when all
    /// verifies; otherwise name the first bad log index and why.
    Verify {
        /// The configuration whose store and node id to verify.
        #[arg(
            long,
            value_name = "FILE",
            required_unless_present_any = ["bundle", "report"],
            conflicts_with_all = ["bundle", "report"]
        )]
        config: Option<PathBuf>,
        /// An export bundle (from `/admin/v1/audit/export?format=bundle`) to verify offline.
        #[arg(
            long,
            value_name = "FILE",
            requires = "public_key",
            conflicts_with = "report"
        )]
        bundle: Option<PathBuf>,
        /// A report from `audit report` to check against its signature
        /// (FILE.sig beside it).
        #[arg(long, value_name = "FILE", requires = "public_key")]
        report: Option<PathBuf>,
        /// The checkpoint verifier key (with --config, default: the `.pub`
        /// file beside `audit.signing_key`).
        #[arg(long = "public-key", value_name = "FILE")]
        public_key: Option<PathBuf>,
        /// With --bundle: also check that this export (JSONL, CSV, OCSF or
        /// CEF) is, byte for byte, the file the bundle was made for.
        #[arg(long, value_name = "FILE", requires = "bundle")]
        export: Option<PathBuf>,
        /// Checkpoints kept outside the store (the `audit.checkpoint_file`
        /// a WORM mount or SIEM holds, or what the checkpoint endpoint
        /// received): the live log must match every one of them, so that
        /// deleting checkpoints from the store together with the records
        /// after them is caught.
        #[arg(long, value_name = "FILE", requires = "config")]
        checkpoints: Option<PathBuf>,
        /// Fail when records have waited longer than this for a signed
        /// checkpoint (default: twice `audit.checkpoint_interval`, at least
        /// 2 minutes); such an unsigned tail is protected by no signature.
        #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration, requires = "config")]
        max_unsigned_age: Option<std::time::Duration>,
    },
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The configuration whose store and node id to export.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// jsonl, csv, ocsf or cef.
    #[arg(long, default_value = "jsonl")]
    format: String,
    #[command(flatten)]
    filter: compliance::FilterArgs,
    /// Where to write the export; its bundle goes to OUT.bundle.json.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a configuration and everything it points to; exit 0, or
    /// list every error and exit 78.
    Check {
        /// The configuration file.
        file: PathBuf,
    },
}

/// Parses the command line, runs the command and returns the exit status.
pub fn main() -> ExitCode {
    let _ = crate::engine::retain_freed_memory();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { config } => serve(&config),
        Command::Config(ConfigCommand::Check { file }) => config_check(&file),
        #[cfg(feature = "dev-tools")]
        Command::Dev(command) => dev::run(command),
        Command::Audit(AuditCommand::Report(args)) => match compliance::audit_report(&args) {
            Ok((summary, true)) => {
                println!("{summary}");
                ExitCode::SUCCESS
            }
            Ok((summary, false)) => fail(&format!(
                "audit report: the log does not verify; the report was written and says so: {summary}"
            )),
            Err(e) => fail(&format!("audit report: {e}")),
        },
        Command::Audit(AuditCommand::Export(args)) => match audit_export(&args) {
            Ok(summary) => {
                println!("{summary}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("audit export: {e}")),
        },
        Command::Audit(AuditCommand::Prune { config, before }) => {
            match audit_prune(&config, before.as_deref()) {
                Ok(summary) => {
                    println!("{summary}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("audit prune: {e}")),
            }
        }
        Command::Audit(AuditCommand::Backup { config, out }) => match audit_backup(&config, &out) {
            Ok(summary) => {
                println!("{summary}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("audit backup: {e}")),
        },
        Command::Audit(AuditCommand::Verify {
            config,
            bundle,
            report,
            public_key,
            export,
            checkpoints,
            max_unsigned_age,
        }) => {
            let result = match (config, bundle, report, public_key) {
                (_, _, Some(report), Some(key)) => compliance::verify_report(&report, &key),
                (_, Some(bundle), None, Some(key)) => {
                    audit_verify_bundle(&bundle, &key, export.as_deref())
                }
                (Some(config), None, None, key) => audit_verify(
                    &config,
                    key.as_deref(),
                    checkpoints.as_deref(),
                    max_unsigned_age,
                ),
                _ => Err(
                    "give --config FILE, or --bundle FILE or --report FILE with --public-key FILE"
                        .to_owned(),
                ),
            };
            match result {
                Ok(summary) => {
                    println!("{summary}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("audit verify: {e}")),
            }
        }
        Command::Model(command) => model::run(command),
        Command::Generate(args) => model::generate(&args),
        Command::License(command) => license::run(command),
        Command::Mau(command) => mau::run(command),
        Command::Policy(command) => policy::run_policy(command),
        Command::Pii(command) => policy::run_pii(command),
        Command::Subject(compliance::SubjectCommand::Access {
            config,
            issuer,
            subject,
            out,
        }) => match compliance::subject_access(&config, &issuer, &subject, &out) {
            Ok(summary) => {
                println!("{summary}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("subject access: {e}")),
        },
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("palisade: {message}");
    ExitCode::FAILURE
}

fn serve(path: &Path) -> ExitCode {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("palisade: {e}");
            daemon::systemd::status(&format!("failed: invalid configuration {}", path.display()));
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    serve_loaded(path, config)
}

fn serve_loaded(path: &Path, config: Config) -> ExitCode {
    if let Err(e) = telemetry::init_logging(&config.logging) {
        return fail(&e.to_string());
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), config = %path.display(), node = %config.node.id, "palisade starting");
    match daemon::serve(path, config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "palisade cannot run");
            daemon::systemd::status(&format!("failed: {e}"));
            match e {
                daemon::DaemonError::Config(_)
                | daemon::DaemonError::Tls(_)
                | daemon::DaemonError::Identity(_)
                | daemon::DaemonError::Policy(_) => ExitCode::from(EXIT_CONFIG),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

fn config_check(path: &Path) -> ExitCode {
    let report = daemon::check::check(path, crate::clock::system_now());
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if report.is_ok() {
        println!("{}: OK", path.display());
        ExitCode::SUCCESS
    } else {
        let n = report.errors.len();
        eprintln!(
            "{n} error{} in {}:",
            if n == 1 { "" } else { "s" },
            path.display()
        );
        for e in &report.errors {
            eprintln!("  - {e}");
        }
        ExitCode::from(EXIT_CONFIG)
    }
}

/// The signed notes in a checkpoint file (notes separated by blank lines,
/// as `audit.checkpoint_file` holds them), as stored checkpoints of their
/// signed size; a note that does not verify is an error naming its place.
fn external_checkpoints(
    path: &Path,
    verifier: &crate::audit::checkpoint::CheckpointVerifier,
) -> Result<Vec<crate::audit::store::StoredCheckpoint>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut notes = Vec::new();
    let mut current = String::new();
    let mut in_signatures = false;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank && in_signatures {
            notes.push(std::mem::take(&mut current));
            in_signatures = false;
            continue;
        }
        if blank && current.is_empty() {
            continue;
        }
        if blank {
            in_signatures = true;
        }
        current.push_str(line);
    }
    if !current.trim().is_empty() {
        notes.push(current);
    }
    notes
        .into_iter()
        .enumerate()
        .map(|(i, note)| {
            let c = verifier.open(&note).map_err(|e| {
                format!(
                    "{}: checkpoint #{} does not verify: {e}",
                    path.display(),
                    i + 1
                )
            })?;
            Ok(crate::audit::store::StoredCheckpoint { size: c.size, note })
        })
        .collect()
}

fn audit_verify(
    path: &Path,
    public_key: Option<&Path>,
    external: Option<&Path>,
    max_unsigned_age: Option<std::time::Duration>,
) -> Result<String, String> {
    use crate::audit::checkpoint::CheckpointVerifier;
    use crate::audit::{keys, log, store::Store, verify};

    let config = Config::load(path).map_err(|e| e.to_string())?;
    let key_path = public_key
        .map(Path::to_path_buf)
        .unwrap_or_else(|| keys::public_key_path(&config.audit.signing_key));
    let key_text = std::fs::read_to_string(&key_path)
        .map_err(|e| format!("cannot read the verifier key {}: {e}", key_path.display()))?;
    let verifier =
        CheckpointVerifier::parse(&key_text).map_err(|e| format!("{}: {e}", key_path.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let log_id = config.node.id.clone();
    let (records, checkpoints) = runtime.block_on(async {
        let store = Store::open(&config.audit.store)
            .await
            .map_err(|e| e.to_string())?;
        let records = store.records(&log_id).await.map_err(|e| e.to_string())?;
        let checkpoints = store
            .checkpoints(&log_id)
            .await
            .map_err(|e| e.to_string())?;
        store.close().await;
        Ok::<_, String>((records, checkpoints))
    })?;
    let mut checkpoints = checkpoints;
    let mut kept_elsewhere = 0;
    if let Some(file) = external {
        let outside = external_checkpoints(file, &verifier)?;
        kept_elsewhere = outside.len();
        checkpoints.extend(outside);
        checkpoints.sort_by(|a, b| a.size.cmp(&b.size).then_with(|| a.note.cmp(&b.note)));
        checkpoints.dedup();
    }
    let report = verify::verify(
        &log_id,
        &log::origin(&log_id),
        &records,
        &checkpoints,
        &verifier,
    )
    .map_err(|e| format!("FAILED: {e}"))?;
    // The records after the latest checkpoint are protected by no signature:
    // past the time the writer takes to sign them, that is a finding.
    let allowed = max_unsigned_age.unwrap_or_else(|| {
        (config.audit.checkpoint_interval * 2).max(std::time::Duration::from_secs(120))
    });
    let tail_start = records.len().saturating_sub(report.unsigned_tail as usize);
    let oldest_unsigned = records
        .get(tail_start)
        .filter(|_| report.unsigned_tail > 0)
        .and_then(|r| serde_json::from_str::<crate::audit::record::AuditRecord>(&r.record).ok())
        .map(|r| r.event.start_time);
    if let Some(oldest) = &oldest_unsigned {
        let limit = crate::audit::record::timestamp(crate::clock::now() - allowed);
        if *oldest < limit {
            return Err(format!(
                "FAILED: log index {tail_start}: {} records, the oldest from {oldest}, are covered by no signed checkpoint (allowed: {}); the log lost its latest checkpoints or its writer stopped without signing; compare with the checkpoints kept elsewhere (--checkpoints FILE) and restart the node so that it signs them",
                report.unsigned_tail,
                humantime::format_duration(allowed)
            ));
        }
    }
    let latest = report
        .latest
        .as_ref()
        .map(|c| {
            format!(
                "latest checkpoint: size {}, root {}",
                c.size,
                hex::encode(c.root)
            )
        })
        .unwrap_or_else(|| "no checkpoint yet".to_owned());
    let tail = match &oldest_unsigned {
        Some(oldest) => format!(
            "{} records not yet covered by a signed checkpoint (the oldest from {oldest})",
            report.unsigned_tail
        ),
        None => "every record is covered by a signed checkpoint".to_owned(),
    };
    let outside = if external.is_some() {
        format!("; the log matches all {kept_elsewhere} checkpoints kept elsewhere")
    } else {
        String::new()
    };
    Ok(format!(
        "OK: log {log_id:?}: {} records ({} pruned by retention), {} signed checkpoints; {latest}; {tail}{outside}",
        report.records, report.pruned, report.checkpoints
    ))
}

fn audit_verify_bundle(path: &Path, key: &Path, export: Option<&Path>) -> Result<String, String> {
    use crate::audit::checkpoint::CheckpointVerifier;
    use crate::audit::export::{BUNDLE_FORMAT, Bundle, verify_bundle};

    let key_text =
        std::fs::read_to_string(key).map_err(|e| format!("cannot read {}: {e}", key.display()))?;
    let verifier =
        CheckpointVerifier::parse(&key_text).map_err(|e| format!("{}: {e}", key.display()))?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let bundle: Bundle = serde_json::from_str(&text).map_err(|e| {
        format!(
            "FAILED: {} is not a complete bundle (truncated or edited?): {e}",
            path.display()
        )
    })?;
    if bundle.format != BUNDLE_FORMAT {
        return Err(format!("FAILED: unknown bundle format {:?}", bundle.format));
    }
    let checkpoint = verify_bundle(&bundle, &verifier).map_err(|e| format!("FAILED: {e}"))?;
    let file = match export {
        None => String::new(),
        Some(file) => {
            let bytes =
                std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let format = bundle
                .verify_export(&verifier, &bytes)
                .map_err(|e| format!("FAILED: {}: {e}", file.display()))?;
            format!(
                "; {} is the {format} export it was made for",
                file.display()
            )
        }
    };
    Ok(format!(
        "OK: {} records of log {:?}, each proven included in the signed checkpoint of size {} (root {}){file}",
        bundle.entries.len(),
        bundle.log_id,
        checkpoint.size,
        hex::encode(checkpoint.root)
    ))
}

/// The audit log of `config`, for a command that writes to it beside a
/// running daemon (each writer that finds its next index taken catches up).
pub(crate) async fn cli_log(
    config: &Config,
    signer: crate::audit::checkpoint::CheckpointSigner,
) -> Result<crate::audit::log::AuditLog, String> {
    use crate::audit::{log, store::Store};
    let audit = &config.audit;
    let store = Store::open(&audit.store).await.map_err(|e| e.to_string())?;
    log::AuditLog::start(
        store,
        signer,
        log::LogSettings {
            log_id: config.node.id.clone(),
            checkpoint_every_records: audit.checkpoint_every_records,
            checkpoint_interval: audit.checkpoint_interval,
            checkpoint_file: audit.checkpoint_file.clone(),
            checkpoint_feed: None,
        },
    )
    .await
    .map_err(|e| e.to_string())
}

/// The operator running a command, as the pseudonym audit records hold.
pub(crate) fn local_operator(pseudonym_key: &[u8]) -> String {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".to_owned());
    crate::audit::keys::pseudonym(pseudonym_key, &["local", &user])
}

/// `palisade audit backup`: an online copy of a SQLite store, recorded in
/// the trail first (the copy holds its own record).
fn audit_backup(path: &Path, out: &Path) -> Result<String, String> {
    let config = Config::load(path).map_err(|e| e.to_string())?;
    if out.exists() {
        return Err(format!(
            "{} exists; name a new file so that nothing is overwritten",
            out.display()
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    if !config.audit.store.starts_with("sqlite:") {
        return Err(crate::audit::store::POSTGRES_BACKUP.to_owned());
    }
    let signer =
        crate::audit::keys::read_signer(&config.audit.signing_key).map_err(|e| e.to_string())?;
    let pseudonym_key =
        crate::audit::keys::load_or_create_pseudonym_key(&config.audit.pseudonym_key)
            .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let log = cli_log(&config, signer).await?;
        let mut event = crate::audit::record::AuditEvent::new(
            crate::audit::record::EventType::AdminAction,
            &config.node.id,
            crate::clock::now(),
        );
        event.auth_method = Some("local-cli".into());
        event.subject_pseudonym = Some(local_operator(&pseudonym_key));
        event.operation = Some("palisade audit backup".into());
        event.status = Some(200);
        event.outcome = Some("success".into());
        event.reason = Some(format!("an online copy of the audit store to {}", out.display()));
        log.append(event).await.map_err(|e| e.to_string())?;
        // Signed, so that the copy verifies with nothing unprotected.
        log.checkpoint().await.map_err(|e| e.to_string())?;
        let store = log.store().clone();
        store.backup(out).await.map_err(|e| e.to_string())?;
        let records = {
            let copy = crate::audit::store::Store::open(&format!("sqlite:{}", out.display()))
                .await
                .map_err(|e| e.to_string())?;
            let n = copy.records(&config.node.id).await.map_err(|e| e.to_string())?.len();
            copy.close().await;
            n
        };
        Ok(format!(
            "wrote {} ({records} records of log {}); verify it with a configuration whose audit.store is sqlite:{}",
            out.display(),
            config.node.id,
            out.display()
        ))
    })
}

/// `palisade audit prune`: as `POST /admin/v1/audit/prune`, from the
/// command line.
fn audit_prune(path: &Path, before: Option<&str>) -> Result<String, String> {
    use crate::audit::record::{AuditEvent, EventType};
    use crate::audit::{export, keys};
    let config = Config::load(path).map_err(|e| e.to_string())?;
    let audit = &config.audit;
    let now = crate::clock::now();
    let before = match before {
        Some(b) => export::time_bound(b).map_err(|e| e.to_string())?,
        None => crate::audit::record::timestamp(now),
    };
    let signer = keys::read_signer(&audit.signing_key).map_err(|e| e.to_string())?;
    let pseudonym_key =
        keys::load_or_create_pseudonym_key(&audit.pseudonym_key).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let log = cli_log(&config, signer).await?;
        let mut event = AuditEvent::new(EventType::AdminAction, &config.node.id, now);
        event.auth_method = Some("local-cli".into());
        event.subject_pseudonym = Some(local_operator(&pseudonym_key));
        event.operation = Some("palisade audit prune".into());
        if audit.legal_hold {
            event.status = Some(409);
            event.outcome = Some("refused".into());
            event.reason = Some("prune refused: legal hold".into());
            log.append(event).await.map_err(|e| e.to_string())?;
            return Err(
                "the audit trail is under legal hold (audit.legal_hold); nothing is pruned"
                    .to_owned(),
            );
        }
        let pruned = crate::audit::log::prune(&log, audit.retention_minimum, &before, now)
            .await
            .map_err(|e| e.to_string())?;
        event.status = Some(200);
        event.outcome = Some("success".into());
        event.reason = Some(format!(
            "pruned the content of {} records below index {} (started before {})",
            pruned.pruned, pruned.below, pruned.cutoff
        ));
        log.append(event).await.map_err(|e| e.to_string())?;
        log.checkpoint().await.map_err(|e| e.to_string())?;
        Ok(format!(
            "pruned the content of {} records (every record below index {} is pruned; cutoff {}, retention floor {})",
            pruned.pruned, pruned.below, pruned.cutoff, pruned.floor
        ))
    })
}

fn audit_export(args: &ExportArgs) -> Result<String, String> {
    use crate::audit::export::{self, Format};
    use crate::audit::keys;

    let config = Config::load(&args.config).map_err(|e| e.to_string())?;
    let format = Format::parse(&args.format).map_err(|e| e.to_string())?;
    let audit = &config.audit;
    let signer = keys::read_signer(&audit.signing_key).map_err(|e| e.to_string())?;
    let pseudonym_key = args.filter.pseudonym_key(&audit.pseudonym_key)?;
    let filter = args.filter.filter(&pseudonym_key)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let log = cli_log(&config, signer).await?;
        let collected = export::collect(&log, &filter)
            .await
            .map_err(|e| e.to_string())?;
        // Recorded before anything is written: no unrecorded export.
        let mut event =
            compliance::operator_event(&config, &pseudonym_key, "palisade audit export");
        event.reason = Some(format!(
            "format={} records={} out={}",
            args.format,
            collected.selected.len(),
            args.out.display()
        ));
        log.append(event).await.map_err(|e| e.to_string())?;
        log.checkpoint().await.map_err(|e| e.to_string())?;
        let mut bundle = collected
            .bundle(&config.node.id)
            .map_err(|e| e.to_string())?;
        let rendered = export::render(format, &collected.records);
        bundle.bind_export(
            &args.format,
            rendered.as_bytes(),
            &keys::read_signer(&audit.signing_key).map_err(|e| e.to_string())?,
        );
        std::fs::write(&args.out, rendered)
            .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
        let mut bundle_path = args.out.as_os_str().to_owned();
        bundle_path.push(".bundle.json");
        let bundle_path = PathBuf::from(bundle_path);
        let text = serde_json::to_string_pretty(&bundle).map_err(|e| e.to_string())?;
        std::fs::write(&bundle_path, text)
            .map_err(|e| format!("cannot write {}: {e}", bundle_path.display()))?;
        let hint = match (collected.selected.is_empty(), args.filter.hint_when_empty()) {
            (true, Some(hint)) => format!("; {hint}"),
            _ => String::new(),
        };
        Ok(format!(
            "exported {} records to {} and their verification bundle to {}{hint}",
            collected.selected.len(),
            args.out.display(),
            bundle_path.display()
        ))
    })
}
