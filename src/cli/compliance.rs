//! Commands for compliance officers and data protection officers: signed
//! reports (`audit report`, `audit verify --report`) and data-subject
//! access (`subject access`). Each is recorded in the trail before its
//! output is written.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::audit::export::Filter;
use crate::audit::record::{AuditEvent, EventType};
use crate::audit::report::{self, Regulation, ReportFormat};
use crate::config::Config;

/// Which records: the filters `audit export` and `audit report` share.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Records that started at or after this date or RFC 3339 time.
    #[arg(long)]
    pub from: Option<String>,
    /// Records that started before this date or RFC 3339 time.
    #[arg(long)]
    pub to: Option<String>,
    /// Only this tenant.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Only this subject pseudonym (the keyed hash records hold; to name a
    /// person, give --user and --issuer instead).
    #[arg(long, conflicts_with = "user")]
    pub subject: Option<String>,
    /// Only this person: their token's `sub`, with --issuer (the pseudonym
    /// is computed with the node's key).
    #[arg(long, requires = "issuer")]
    pub user: Option<String>,
    /// The issuer (`iss`, exactly as in tokens) of --user.
    #[arg(long, requires = "user")]
    pub issuer: Option<String>,
    /// Only this model id.
    #[arg(long)]
    pub model: Option<String>,
    /// Only this event type (e.g. authentication_failed).
    #[arg(long = "event-type")]
    pub event_type: Option<String>,
}

impl FilterArgs {
    /// The filter, with --user/--issuer turned into the pseudonym.
    pub fn filter(&self, pseudonym_key: &[u8]) -> Result<Filter, String> {
        let bound = |b: &Option<String>| {
            b.as_deref()
                .map(crate::audit::export::time_bound)
                .transpose()
                .map_err(|e| e.to_string())
        };
        let subject = match (&self.user, &self.issuer) {
            (Some(user), Some(issuer)) => Some(crate::audit::keys::pseudonym(
                pseudonym_key,
                &[issuer, user],
            )),
            _ => self.subject.clone(),
        };
        Ok(Filter {
            from: bound(&self.from)?,
            to: bound(&self.to)?,
            tenant: self.tenant.clone(),
            subject_pseudonym: subject,
            model_id: self.model.clone(),
            event_type: self
                .event_type
                .as_ref()
                .map(|t| serde_json::from_value::<EventType>(serde_json::Value::String(t.clone())))
                .transpose()
                .map_err(|_| format!("unknown --event-type {:?}", self.event_type))?,
        })
    }

    /// The node's pseudonym key: it must exist to find a person by name
    /// (a new one would find no one); otherwise it is made if missing (it
    /// only names the operator).
    pub fn pseudonym_key(&self, path: &Path) -> Result<Vec<u8>, String> {
        use crate::audit::keys;
        if self.user.is_some() {
            keys::read_pseudonym_key(path)
        } else {
            keys::load_or_create_pseudonym_key(path)
        }
        .map_err(|e| e.to_string())
    }

    /// What to tell someone whose filter found nothing, when the likely
    /// cause is a name given where a pseudonym is expected.
    pub fn hint_when_empty(&self) -> Option<&'static str> {
        let pseudonym_like = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        match &self.subject {
            Some(s) if !pseudonym_like(s) => Some(
                "--subject takes the pseudonym records hold (64 hex characters, a keyed hash of issuer and subject), not a name; to select a person, give --user SUB --issuer ISS",
            ),
            _ => None,
        }
    }
}

/// `palisade audit report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The configuration whose store and node id to report on.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Map the evidence to a regulation's duties: eu-ai-act, gdpr, hipaa
    /// or integrity (absent: the general summary).
    #[arg(long)]
    regulation: Option<String>,
    /// html (default), json or md.
    #[arg(long, default_value = "html")]
    format: String,
    #[command(flatten)]
    filter: FilterArgs,
    /// A previous report's signature (FILE.sig) or a signed checkpoint: the
    /// report states whether the log is consistent with it (it only grew).
    #[arg(long = "since-checkpoint", value_name = "FILE")]
    since_checkpoint: Option<PathBuf>,
    /// Where to write the report; its signature goes to OUT.sig.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// `palisade subject ...`: requests of data subjects (GDPR Art. 15).
#[derive(Debug, Subcommand)]
pub enum SubjectCommand {
    /// Every record about one person, as an export with its verification
    /// bundle and a readable summary they can be handed; recorded.
    Access {
        /// The configuration whose store to search.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The issuer of the person's tokens (`iss`, exactly as in tokens).
        #[arg(long)]
        issuer: String,
        /// The person's subject (`sub`) at that issuer.
        #[arg(long)]
        subject: String,
        /// A new (or empty) directory for records.jsonl, its bundle and
        /// summary.html.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

fn verifier(config: &Config) -> Result<crate::audit::checkpoint::CheckpointVerifier, String> {
    let path = crate::audit::keys::public_key_path(&config.audit.signing_key);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the verifier key {}: {e}", path.display()))?;
    crate::audit::checkpoint::CheckpointVerifier::parse(&text)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The record of a command run here, by the local operator.
pub(crate) fn operator_event(config: &Config, pseudonym_key: &[u8], operation: &str) -> AuditEvent {
    let mut event = AuditEvent::new(EventType::AuditExport, &config.node.id, crate::clock::now());
    event.auth_method = Some("local-cli".into());
    event.subject_pseudonym = Some(super::local_operator(pseudonym_key));
    event.operation = Some(operation.into());
    event.status = Some(200);
    event.outcome = Some("success".into());
    event
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `palisade audit report`: writes the report and its signature. Errors
/// when it cannot be made; `Ok((summary, false))` when it was written but
/// the log does not verify (the report says so in red).
pub fn audit_report(args: &ReportArgs) -> Result<(String, bool), String> {
    use crate::audit::keys;
    let config = Config::load(&args.config).map_err(|e| e.to_string())?;
    let format = ReportFormat::parse(&args.format).map_err(|e| e.to_string())?;
    let regulation = args
        .regulation
        .as_deref()
        .map(Regulation::parse)
        .transpose()
        .map_err(|e| e.to_string())?;
    let audit = &config.audit;
    let signer = keys::read_signer(&audit.signing_key).map_err(|e| e.to_string())?;
    let verifier = verifier(&config)?;
    let pseudonym_key = args.filter.pseudonym_key(&audit.pseudonym_key)?;
    let filter = args.filter.filter(&pseudonym_key)?;
    let mut settings = crate::serving::admin::report_settings(&config, regulation);
    if let Some(file) = &args.since_checkpoint {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        settings.since = Some(
            report::previous_checkpoint(&verifier, &text)
                .map_err(|e| format!("{}: {e}", file.display()))?,
        );
    }
    let sig_path = with_suffix(&args.out, ".sig");
    runtime()?.block_on(async {
        let log = super::cli_log(&config, signer).await?;
        let (made, collected) = report::make(&log, &filter, &settings, &verifier)
            .await
            .map_err(|e| e.to_string())?;
        // Recorded before anything is written: no unrecorded report.
        let mut event = operator_event(&config, &pseudonym_key, "palisade audit report");
        // Not the output path: people name these files after the person.
        event.reason = Some(format!(
            "report={} format={} records={}",
            made.regulation.unwrap_or("summary"),
            format.name(),
            collected.records.len()
        ));
        log.append(event).await.map_err(|e| e.to_string())?;
        log.checkpoint().await.map_err(|e| e.to_string())?;
        let bytes = report::render(&made, format);
        let signature = report::sign_report(
            &keys::read_signer(&audit.signing_key).map_err(|e| e.to_string())?,
            &made,
            format,
            bytes.as_bytes(),
        );
        std::fs::write(&args.out, &bytes)
            .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
        std::fs::write(&sig_path, signature)
            .map_err(|e| format!("cannot write {}: {e}", sig_path.display()))?;
        let passed = report::all_passed(&made);
        let mut summary = format!(
            "wrote the {} report on {} records to {} and its signature to {} (checkpoint size {}; log verification: {})",
            made.regulation.unwrap_or("summary"),
            made.records,
            args.out.display(),
            sig_path.display(),
            made.checkpoint.size,
            made.verification
        );
        if made.records == 0
            && let Some(hint) = args.filter.hint_when_empty()
        {
            summary.push_str("; ");
            summary.push_str(hint);
        }
        Ok((summary, passed))
    })
}

/// `palisade audit verify --report FILE --public-key KEY`.
pub fn verify_report(file: &Path, key: &Path) -> Result<String, String> {
    let key_text =
        std::fs::read_to_string(key).map_err(|e| format!("cannot read {}: {e}", key.display()))?;
    let verifier = crate::audit::checkpoint::CheckpointVerifier::parse(&key_text)
        .map_err(|e| format!("{}: {e}", key.display()))?;
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let sig_path = with_suffix(file, ".sig");
    let signature = std::fs::read_to_string(&sig_path)
        .map_err(|e| format!("cannot read the signature {}: {e}", sig_path.display()))?;
    let signed = report::verify_report(&verifier, &signature, &bytes)
        .map_err(|e| format!("FAILED: {}: {e}", file.display()))?;
    Ok(format!(
        "OK: {} is the {} report of log {:?} signed by this key, over {}, computed against the checkpoint of size {} (root {})",
        file.display(),
        signed.kind,
        signed.log_id,
        signed.selection,
        signed.checkpoint.size,
        signed.checkpoint.root
    ))
}

/// `palisade subject access`.
pub fn subject_access(
    path: &Path,
    issuer: &str,
    subject: &str,
    out: &Path,
) -> Result<String, String> {
    use crate::audit::{export, keys};
    let config = Config::load(path).map_err(|e| e.to_string())?;
    if out.exists()
        && std::fs::read_dir(out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(format!(
            "{} exists and is not an empty directory; name a new one so that nothing is overwritten",
            out.display()
        ));
    }
    let audit = &config.audit;
    let signer = keys::read_signer(&audit.signing_key).map_err(|e| e.to_string())?;
    let verifier = verifier(&config)?;
    let pseudonym_key =
        keys::read_pseudonym_key(&audit.pseudonym_key).map_err(|e| e.to_string())?;
    let pseudonym = keys::pseudonym(&pseudonym_key, &[issuer, subject]);
    let filter = Filter {
        subject_pseudonym: Some(pseudonym.clone()),
        ..Filter::default()
    };
    let settings = crate::serving::admin::report_settings(&config, None);
    runtime()?.block_on(async {
        let log = super::cli_log(&config, signer).await?;
        let (made, collected) = report::make(&log, &filter, &settings, &verifier)
            .await
            .map_err(|e| e.to_string())?;
        // Recorded first; the record names neither the person nor their
        // pseudonym, so that it is no new link to them.
        let mut event = operator_event(&config, &pseudonym_key, "palisade subject access");
        event.event_type = EventType::AdminAction;
        event.reason = Some(format!(
            "data-subject access (GDPR Art. 15): {} records",
            collected.records.len()
        ));
        log.append(event).await.map_err(|e| e.to_string())?;
        log.checkpoint().await.map_err(|e| e.to_string())?;
        if !out.exists() {
            std::fs::create_dir(out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))?;
        }
        // New files only: a file (or a link) that appeared in DIR meanwhile
        // is an error, never overwritten or followed.
        let write = |name: &str, bytes: &[u8]| {
            use std::io::Write;
            let file = out.join(name);
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&file)
                .and_then(|mut f| f.write_all(bytes))
                .map_err(|e| format!("cannot write {}: {e}", file.display()))
        };
        let jsonl = export::render(export::Format::Jsonl, &collected.records);
        let mut bundle = collected
            .bundle(&config.node.id)
            .map_err(|e| e.to_string())?;
        bundle.bind_export(
            "jsonl",
            jsonl.as_bytes(),
            &keys::read_signer(&audit.signing_key).map_err(|e| e.to_string())?,
        );
        write("records.jsonl", jsonl.as_bytes())?;
        write(
            "records.jsonl.bundle.json",
            serde_json::to_string_pretty(&bundle)
                .map_err(|e| e.to_string())?
                .as_bytes(),
        )?;
        write(
            "summary.html",
            report::subject_summary_html(&made, &collected.records, issuer, subject, &pseudonym)
                .as_bytes(),
        )?;
        let found = if collected.records.is_empty() {
            format!(
                "no record names this person (issuer {issuer:?}, subject {subject:?}; pseudonym {pseudonym}); the issuer must be given exactly as in their tokens' `iss`. The summary says that nothing is held"
            )
        } else {
            format!("{} records about this person", collected.records.len())
        };
        Ok(format!(
            "{found}; wrote records.jsonl, its verification bundle and summary.html to {} (log verification: {})",
            out.display(),
            made.verification
        ))
    })
}
