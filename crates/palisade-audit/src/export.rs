//! Exports for compliance officers and SIEMs: the selected records as JSON
//! Lines, CSV, OCSF (API Activity, class 6003) or CEF over syslog, and a
//! verification bundle that lets an auditor check every exported record
//! offline against the signed checkpoint (an RFC 6962 inclusion proof each).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::checkpoint::{Checkpoint, CheckpointVerifier};
use super::merkle::{TreeLevels, leaf_hash, verify_inclusion};
use super::record::{AuditRecord, EventType, encode};
use super::verify::VerifyError;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One canonical record per line.
    Jsonl,
    /// A header line and one row per record.
    Csv,
    /// One OCSF API Activity (6003) event per line.
    Ocsf,
    /// One RFC 5424 syslog line with a CEF payload per record.
    Cef,
}

/// Why an export, a bundle or a report could not be made or checked.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// `--format` names no export format.
    #[error("unknown export format {0:?}; use jsonl, csv, ocsf or cef")]
    UnknownFormat(String),
    /// `--regulation` names no regulation a report maps to.
    #[error("unknown regulation {0:?}; use eu-ai-act, gdpr, hipaa or integrity")]
    UnknownRegulation(String),
    /// A report's `--format` names no report format.
    #[error("unknown report format {0:?}; use html, json or markdown")]
    UnknownReportFormat(String),
    /// A `--from`/`--to` bound is not a date or time.
    #[error("{given:?} is not a date (YYYY-MM-DD) or an RFC 3339 time: {why}")]
    Time {
        /// The bound as given.
        given: String,
        /// The parser's complaint.
        why: String,
    },
    /// The log cannot be read or checkpointed.
    #[error("{0}")]
    Store(String),
    /// Nothing has been signed yet, so nothing can be proven.
    #[error("the log has no signed checkpoint yet")]
    NoCheckpoint,
    /// A stored record cannot be read.
    #[error("log index {index}: {why}")]
    Record {
        /// Its log index.
        index: u64,
        /// What is wrong with it.
        why: String,
    },
    /// An inclusion proof cannot be built.
    #[error("{0}")]
    Proof(String),
    /// The export file does not match the bundle.
    #[error("{0}")]
    Export(String),
}

impl Format {
    /// Parses `jsonl`, `csv`, `ocsf` or `cef`.
    pub fn parse(s: &str) -> Result<Self, ExportError> {
        match s {
            "jsonl" => Ok(Self::Jsonl),
            "csv" => Ok(Self::Csv),
            "ocsf" => Ok(Self::Ocsf),
            "cef" => Ok(Self::Cef),
            other => Err(ExportError::UnknownFormat(other.to_owned())),
        }
    }

    /// The media type of the export.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jsonl | Self::Ocsf => "application/x-ndjson",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Cef => "text/plain; charset=utf-8",
        }
    }
}

/// Which records to export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Start time at or after (RFC 3339 UTC, compared as text in the records' format).
    pub from: Option<String>,
    /// Start time before.
    pub to: Option<String>,
    /// Tenant.
    pub tenant: Option<String>,
    /// Subject pseudonym.
    pub subject_pseudonym: Option<String>,
    /// Model id.
    pub model_id: Option<String>,
    /// Event type.
    pub event_type: Option<EventType>,
}

impl Filter {
    /// True when `r` is selected.
    pub fn matches(&self, r: &AuditRecord) -> bool {
        let e = &r.event;
        self.from
            .as_ref()
            .is_none_or(|f| e.start_time.as_str() >= f.as_str())
            && self
                .to
                .as_ref()
                .is_none_or(|t| e.start_time.as_str() < t.as_str())
            && self
                .tenant
                .as_ref()
                .is_none_or(|t| e.tenant.as_ref() == Some(t))
            && self
                .subject_pseudonym
                .as_ref()
                .is_none_or(|s| e.subject_pseudonym.as_ref() == Some(s))
            && self
                .model_id
                .as_ref()
                .is_none_or(|m| e.model_id.as_ref() == Some(m))
            && self.event_type.is_none_or(|t| e.event_type == t)
    }
}

/// Normalises a user-given time bound (`2026-11-28`, or RFC 3339 in UTC)
/// to the records' format so that text comparison orders correctly.
pub fn time_bound(s: &str) -> Result<String, ExportError> {
    use time::format_description::well_known::Rfc3339;
    let t = if s.len() == 10 {
        time::OffsetDateTime::parse(&format!("{s}T00:00:00Z"), &Rfc3339)
    } else {
        time::OffsetDateTime::parse(s, &Rfc3339)
    }
    .map_err(|e| ExportError::Time {
        given: s.to_owned(),
        why: e.to_string(),
    })?;
    Ok(super::record::timestamp(t))
}

/// The offline verification bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// `palisade-audit-bundle/1`.
    pub format: String,
    /// The log.
    pub log_id: String,
    /// The signed checkpoint every proof leads to.
    pub checkpoint: String,
    /// Number of entries, so that a shortened bundle is caught.
    pub count: usize,
    /// The exported records with their proofs, in log order.
    pub entries: Vec<BundleEntry>,
    /// A note signed with the checkpoint key that names the export file
    /// this bundle was made for (its format and SHA-256) and these records,
    /// so that an edited export is caught (`audit verify --export`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<String>,
}

/// One record of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleEntry {
    /// Log index.
    pub index: u64,
    /// The record's canonical JSON.
    pub record: String,
    /// Inclusion proof (base64 hashes) against the checkpoint.
    pub proof: Vec<String>,
}

/// Bundle format marker.
pub const BUNDLE_FORMAT: &str = "palisade-audit-bundle/1";

/// Builds the bundle of `selected` (index, canonical text) against the tree
/// `levels` and its signed `note`.
pub fn bundle(
    log_id: &str,
    note: &str,
    levels: &TreeLevels,
    selected: &[(u64, String)],
) -> Result<Bundle, ExportError> {
    let mut entries = Vec::with_capacity(selected.len());
    for (index, text) in selected {
        let i = usize::try_from(*index).map_err(|e| ExportError::Proof(e.to_string()))?;
        let proof = levels
            .inclusion_proof(i)
            .map_err(|e| ExportError::Proof(e.to_string()))?;
        entries.push(BundleEntry {
            index: *index,
            record: text.clone(),
            proof: proof.iter().map(|h| STANDARD.encode(h)).collect(),
        });
    }
    Ok(Bundle {
        format: BUNDLE_FORMAT.to_owned(),
        log_id: log_id.to_owned(),
        checkpoint: note.to_owned(),
        count: entries.len(),
        entries,
        export: None,
    })
}

/// First line of the signed note that ties a bundle to its export file.
pub const EXPORT_NOTE: &str = "palisade-audit-export/1";

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes))
}

/// The body of the export note: log, format, record count, a digest of the
/// bundle's records, and the export file's SHA-256.
fn export_note_body(bundle: &Bundle, format: &str, export: &[u8]) -> String {
    let mut records = Vec::new();
    for e in &bundle.entries {
        records.extend_from_slice(e.record.as_bytes());
        records.push(b'\n');
    }
    format!(
        "{EXPORT_NOTE}\n{}\n{format}\n{}\nrecords sha256:{}\nexport sha256:{}\n",
        bundle.log_id,
        bundle.count,
        sha256_hex(&records),
        sha256_hex(export)
    )
}

impl Bundle {
    /// Binds the bundle to the export file `export` written in `format`,
    /// with a note signed by `signer`.
    pub fn bind_export(
        &mut self,
        format: &str,
        export: &[u8],
        signer: &super::checkpoint::CheckpointSigner,
    ) {
        let body = export_note_body(self, format, export);
        self.export = Some(signer.sign_note(&body));
    }

    /// Checks that `export` is, byte for byte, the file this (verified)
    /// bundle was made for; returns its format.
    pub fn verify_export(
        &self,
        verifier: &CheckpointVerifier,
        export: &[u8],
    ) -> Result<String, ExportError> {
        let note = self.export.as_deref().ok_or_else(|| ExportError::Export(
            "the bundle names no export file (it predates bound exports, or came from the admin API's format=bundle); it proves its own records only".to_owned(),
        ))?;
        let body = verifier.open_note(note).map_err(|e| {
            ExportError::Export(format!("the bundle's export note does not verify: {e}"))
        })?;
        let format = body.lines().nth(2).unwrap_or_default().to_owned();
        let expected = export_note_body(self, &format, export);
        if body == expected {
            return Ok(format);
        }
        let signed_export = body.lines().last().unwrap_or_default();
        if expected.lines().last() != Some(signed_export) {
            return Err(ExportError::Export(format!(
                "the export file is not the one this bundle was made for: its SHA-256 is {}, the bundle signed {} (edited, truncated or another export)",
                sha256_hex(export),
                signed_export.trim_start_matches("export sha256:")
            )));
        }
        Err(ExportError::Export("the bundle's export note does not match its records (the note was moved from another bundle)".to_owned()))
    }
}

/// Verifies a bundle against the checkpoint verifier key: the checkpoint's
/// signature, then each record's canonical form, place and inclusion proof.
pub fn verify_bundle(
    bundle: &Bundle,
    verifier: &CheckpointVerifier,
) -> Result<Checkpoint, VerifyError> {
    let checkpoint = verifier
        .open(&bundle.checkpoint)
        .map_err(|e| VerifyError::Checkpoint {
            size: 0,
            why: e.to_string(),
        })?;
    let expected_origin = super::log::origin(&bundle.log_id);
    if checkpoint.origin != expected_origin {
        return Err(VerifyError::Checkpoint {
            size: checkpoint.size,
            why: format!("names log {:?}, not {expected_origin:?}", checkpoint.origin),
        });
    }
    let mut previous: Option<u64> = None;
    for entry in &bundle.entries {
        let bad = |why: String| VerifyError::Record {
            index: entry.index,
            why,
        };
        if previous.is_some_and(|p| entry.index <= p) {
            return Err(bad("out of log order or repeated".into()));
        }
        previous = Some(entry.index);
        let record: AuditRecord = serde_json::from_str(&entry.record)
            .map_err(|e| bad(format!("not a valid record: {e}")))?;
        if record.log_index != entry.index || record.log_id != bundle.log_id {
            return Err(bad(format!(
                "holds the record of index {} of log {:?}",
                record.log_index, record.log_id
            )));
        }
        let canonical = encode(&record).map_err(|e| bad(e.to_string()))?;
        if canonical != entry.record {
            return Err(bad("is not in its canonical encoding: it was edited".into()));
        }
        let proof: Vec<Vec<u8>> = entry
            .proof
            .iter()
            .map(|h| STANDARD.decode(h))
            .collect::<Result<_, _>>()
            .map_err(|_| bad("a proof hash is not base64".into()))?;
        verify_inclusion(
            entry.index,
            checkpoint.size,
            &leaf_hash(canonical.as_bytes()),
            &proof,
            &checkpoint.root,
        )
        .map_err(|e| bad(format!("not in the signed log: {e}")))?;
    }
    if bundle.entries.len() != bundle.count {
        let next = bundle.entries.last().map_or(0, |e| e.index + 1);
        return Err(VerifyError::Record {
            index: next,
            why: format!(
                "the bundle lists {} records but holds {}: it was shortened",
                bundle.count,
                bundle.entries.len()
            ),
        });
    }
    Ok(checkpoint)
}

/// What an export holds: the signed checkpoint it is proven against, every
/// leaf it covers (for the proofs) and the selected records.
#[derive(Debug)]
pub struct Collected {
    /// The signed checkpoint note covering the export.
    pub note: String,
    /// Leaf hashes of records `0..size` of that checkpoint.
    pub leaves: Vec<[u8; 32]>,
    /// Selected (index, canonical text).
    pub selected: Vec<(u64, String)>,
    /// Selected records, parsed.
    pub records: Vec<AuditRecord>,
    /// Records below the checkpoint whose content retention removed.
    pub pruned: u64,
    /// Records that could not be read (only when selected leniently: a
    /// report over a log that fails verification says so instead).
    pub unreadable: u64,
}

impl Collected {
    /// The verification bundle of the selection.
    pub fn bundle(&self, log_id: &str) -> Result<Bundle, ExportError> {
        bundle(
            log_id,
            &self.note,
            &TreeLevels::new(self.leaves.clone()),
            &self.selected,
        )
    }
}

/// Signs a checkpoint of everything committed and collects the records
/// `filter` selects among those it covers (pruned records are left out).
pub async fn collect(
    log: &super::log::AuditLog,
    filter: &Filter,
) -> Result<Collected, ExportError> {
    let store_err = |e: &dyn std::fmt::Display| ExportError::Store(e.to_string());
    log.checkpoint().await.map_err(|e| store_err(&e))?;
    let store = log.store();
    let log_id = log.log_id();
    let checkpoints = store.checkpoints(log_id).await.map_err(|e| store_err(&e))?;
    let latest = checkpoints.last().ok_or(ExportError::NoCheckpoint)?;
    let stored = store.records(log_id).await.map_err(|e| store_err(&e))?;
    select(stored, latest.note.clone(), latest.size, filter, false)
}

/// Selects, among the `stored` records below `size` (the checkpoint whose
/// signed note is `note`), those `filter` matches. `lenient`: a record that
/// cannot be read is counted in `unreadable` instead of failing.
pub fn select(
    stored: Vec<super::store::StoredRecord>,
    note: String,
    size: u64,
    filter: &Filter,
    lenient: bool,
) -> Result<Collected, ExportError> {
    let mut collected = Collected {
        note,
        leaves: Vec::new(),
        selected: Vec::new(),
        records: Vec::new(),
        pruned: 0,
        unreadable: 0,
    };
    for r in stored.into_iter().filter(|r| r.index < size) {
        let leaf: [u8; 32] =
            r.leaf_hash
                .as_slice()
                .try_into()
                .map_err(|_| ExportError::Record {
                    index: r.index,
                    why: "the stored leaf hash is not 32 bytes".to_owned(),
                })?;
        collected.leaves.push(leaf);
        if r.pruned {
            collected.pruned += 1;
            continue;
        }
        let record: AuditRecord = match serde_json::from_str(&r.record) {
            Ok(record) => record,
            Err(_) if lenient => {
                collected.unreadable += 1;
                continue;
            }
            Err(e) => {
                return Err(ExportError::Record {
                    index: r.index,
                    why: e.to_string(),
                });
            }
        };
        if filter.matches(&record) {
            collected.selected.push((r.index, r.record));
            collected.records.push(record);
        }
    }
    Ok(collected)
}

/// Renders the records in `format`.
pub fn render(format: Format, records: &[AuditRecord]) -> String {
    let mut out = String::new();
    match format {
        Format::Jsonl => {
            for r in records {
                if let Ok(text) = encode(r) {
                    out.push_str(&text);
                    out.push('\n');
                }
            }
        }
        Format::Csv => {
            out.push_str(&CSV_COLUMNS.join(","));
            out.push('\n');
            for r in records {
                let row: Vec<String> = csv_row(r).iter().map(|f| csv_field(f)).collect();
                out.push_str(&row.join(","));
                out.push('\n');
            }
        }
        Format::Ocsf => {
            for r in records {
                out.push_str(&ocsf(r).to_string());
                out.push('\n');
            }
        }
        Format::Cef => {
            for r in records {
                out.push_str(&cef(r));
                out.push('\n');
            }
        }
    }
    out
}

/// The CSV columns: the first nineteen as they always were (so that
/// spreadsheets built on them keep working), then every other field of a
/// record, so that no compliance field is in JSON Lines but not in CSV
/// (docs/audit.md lists them; a unit test checks none is missing).
pub const CSV_COLUMNS: [&str; 49] = [
    "log_index",
    "event_id",
    "start_time",
    "event_type",
    "node_id",
    "tenant",
    "subject_pseudonym",
    "on_behalf_of",
    "operation",
    "status",
    "outcome",
    "error_code",
    "reason",
    "request_id",
    "source_address",
    "client_cert_thumbprint",
    "model_id",
    "prompt_tokens",
    "completion_tokens",
    "decision",
    "policy_ids",
    "policy_set_hash",
    "data_classification",
    "identifier_categories",
    "output_identifier_categories",
    "output_redacted",
    "purpose",
    "trace_id",
    "weights_digest",
    "engine_version",
    "chat_template_hash",
    "roles",
    "auth_method",
    "region",
    "jurisdiction",
    "end_time",
    "latency_ms",
    "finish_reason",
    "license_id",
    "tools_offered",
    "tools_called",
    "prompt_hash",
    "completion_hash",
    "mau_month",
    "prune_below",
    "prune_cutoff",
    "retention_minimum_days",
    "log_id",
    "prev_root",
];

/// An event type as records spell it (`inference_accepted`).
pub(crate) fn event_type_name(t: EventType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A record field as one cell: lists joined by `;`, absent as empty.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

fn csv_row(r: &AuditRecord) -> Vec<String> {
    let event = serde_json::to_value(&r.event).unwrap_or_default();
    CSV_COLUMNS
        .iter()
        .map(|c| match *c {
            "log_index" => r.log_index.to_string(),
            "event_id" => r.event_id.clone(),
            "log_id" => r.log_id.clone(),
            "prev_root" => r.prev_root.clone(),
            // Each item of a list is guarded like a cell: a spreadsheet in
            // a locale whose delimiter is `;` splits them into cells.
            field => match event.get(field) {
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| defused(&cell(i)))
                    .collect::<Vec<_>>()
                    .join(";"),
                Some(v) => cell(v),
                None => String::new(),
            },
        })
        .collect()
}

/// Characters that make a spreadsheet read a cell as a formula when they
/// lead it (OWASP's list: tab and carriage return too, since spreadsheets
/// strip them and read what follows), with the full-width forms that
/// East Asian spreadsheet locales normalise to them.
const FORMULA_LEADS: [char; 11] = [
    '=', '+', '-', '@', '\t', '\r', '\n', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// `f`, prefixed with `'` when it starts with a formula lead, so that a
/// spreadsheet does not run it as a formula.
fn defused(f: &str) -> String {
    if f.starts_with(FORMULA_LEADS) {
        format!("'{f}")
    } else {
        f.to_owned()
    }
}

/// RFC 4180 quoting of a defused cell.
fn csv_field(f: &str) -> String {
    let f = defused(f);
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

fn epoch_ms(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .unwrap_or(0)
}

/// An OCSF 1.3 API Activity event (class 6003). Activity: 99 (other).
fn ocsf(r: &AuditRecord) -> Value {
    let e = &r.event;
    let failed = e.status.is_some_and(|s| s >= 400);
    let mut v = json!({
        "class_uid": 6003,
        "class_name": "API Activity",
        "category_uid": 6,
        "category_name": "Application Activity",
        "activity_id": 99,
        "activity_name": event_type_name(e.event_type),
        "type_uid": 600399,
        "time": epoch_ms(&e.start_time),
        "time_dt": e.start_time,
        "severity_id": if failed { 3 } else { 1 },
        "status_id": if failed { 2 } else { 1 },
        "metadata": {
            "version": "1.3.0",
            "uid": r.event_id,
            "log_name": r.log_id,
            "sequence": r.log_index,
            "product": {"name": "Palisade", "vendor_name": "Palisade", "version": env!("CARGO_PKG_VERSION")}
        },
        "api": {"operation": e.operation.clone().unwrap_or_default()},
        "unmapped": {"node_id": e.node_id, "prev_root": r.prev_root},
    });
    let set = |v: &mut Value, path: &[&str], value: Value| {
        if let Some((last, parents)) = path.split_last() {
            let mut cur = v;
            for p in parents {
                cur = &mut cur[*p];
            }
            cur[*last] = value;
        }
    };
    if let Some(s) = e.status {
        set(&mut v, &["status_code"], json!(s.to_string()));
        set(&mut v, &["http_response", "code"], json!(s));
    }
    if let Some(reason) = &e.reason {
        set(&mut v, &["status_detail"], json!(reason));
    }
    if let Some(id) = &e.request_id {
        set(&mut v, &["api", "request", "uid"], json!(id));
    }
    if let Some(p) = &e.subject_pseudonym {
        set(&mut v, &["actor", "user", "uid"], json!(p));
    }
    if let Some(t) = &e.tenant {
        set(&mut v, &["actor", "user", "org", "uid"], json!(t));
    }
    if let Some(a) = &e.source_address {
        set(&mut v, &["unmapped", "source_network"], json!(a));
    }
    if let Some(t) = &e.client_cert_thumbprint {
        set(&mut v, &["unmapped", "client_cert_thumbprint"], json!(t));
    }
    // Every other field of the record, so that no compliance field is lost.
    const MAPPED: [&str; 10] = [
        "event_type",
        "start_time",
        "operation",
        "node_id",
        "status",
        "reason",
        "request_id",
        "subject_pseudonym",
        "tenant",
        "source_address",
    ];
    if let (Ok(Value::Object(fields)), Some(Value::Object(unmapped))) =
        (serde_json::to_value(&r.event), v.get_mut("unmapped"))
    {
        for (key, value) in fields {
            if !MAPPED.contains(&key.as_str()) {
                unmapped.insert(key, value);
            }
        }
    }
    v
}

/// `policy_ids` as a CEF extension key: `palisadePolicyIds`.
fn cef_key(field: &str) -> String {
    let mut key = String::from("palisade");
    for part in field.split('_') {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            key.extend(first.to_uppercase());
            key.push_str(chars.as_str());
        }
    }
    key
}

fn cef_header(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|")
}

fn cef_value(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('=', "\\=")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// An RFC 5424 syslog line (facility local0, severity by outcome) carrying CEF.
fn cef(r: &AuditRecord) -> String {
    let e = &r.event;
    let failed = e.status.is_some_and(|s| s >= 400);
    let (pri, severity) = if failed { (132, 5) } else { (134, 3) };
    let name = event_type_name(e.event_type);
    let mut ext = vec![
        format!("rt={}", epoch_ms(&e.start_time)),
        format!("externalId={}", cef_value(&r.event_id)),
        format!("cs1Label=logIndex cs1={}", r.log_index),
        format!("dvchost={}", cef_value(&e.node_id)),
    ];
    let mut push = |key: &str, v: &Option<String>| {
        if let Some(v) = v {
            ext.push(format!("{key}={}", cef_value(v)));
        }
    };
    push("suser", &e.subject_pseudonym);
    push("cs2Label=tenant cs2", &e.tenant);
    push("request", &e.operation);
    push("outcome", &e.outcome);
    push("reason", &e.reason);
    push("cs3Label=requestId cs3", &e.request_id);
    push("cs4Label=sourceNetwork cs4", &e.source_address);
    if let Some(s) = e.status {
        ext.push(format!("cn1Label=httpStatus cn1={s}"));
    }
    // Every other field as a Palisade extension key, so that no compliance
    // field is lost (CEF allows vendor keys beyond its dictionary).
    const MAPPED: [&str; 10] = [
        "event_type",
        "start_time",
        "node_id",
        "subject_pseudonym",
        "tenant",
        "operation",
        "outcome",
        "reason",
        "request_id",
        "source_address",
    ];
    if let Ok(Value::Object(fields)) = serde_json::to_value(e) {
        for (key, value) in fields {
            if !MAPPED.contains(&key.as_str()) && key != "status" {
                ext.push(format!("{}={}", cef_key(&key), cef_value(&cell(&value))));
            }
        }
    }
    format!(
        "<{pri}>1 {} {} palisade - - - CEF:0|Palisade|Palisade|{}|{}|{}|{severity}|{}",
        e.start_time,
        e.node_id.replace(' ', "_"),
        env!("CARGO_PKG_VERSION"),
        cef_header(&name),
        cef_header(&name.replace('_', " ")),
        ext.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{AuditEvent, SCHEMA_VERSION};

    fn record(i: u64) -> AuditRecord {
        let t = time::OffsetDateTime::from_unix_timestamp(1_800_000_000 + i as i64).unwrap();
        let mut event = AuditEvent::new(EventType::AuthenticationFailed, "node-1", t);
        event.status = Some(401);
        event.reason = Some("=cmd|' /C calc'!A0".into());
        event.tenant = Some(if i.is_multiple_of(2) { "acme" } else { "beta" }.into());
        AuditRecord {
            schema_version: SCHEMA_VERSION,
            event_id: format!("id-{i}"),
            log_id: "node-1".into(),
            log_index: i,
            prev_root: "00".into(),
            event,
        }
    }

    /// Every formula lead is neutralised, including those a spreadsheet
    /// strips before it reads the formula.
    #[test]
    fn csv_cells_never_start_a_formula() {
        for cell in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\t=cmd|' /C calc'!A0",
            "\r=1",
            "\n=1",
            "\u{FF1D}1+1",
        ] {
            let quoted = csv_field(cell);
            let inner = quoted.trim_start_matches('"');
            assert!(inner.starts_with('\''), "{cell:?} -> {quoted:?}");
        }
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn formats_render_every_record_safely() {
        let records: Vec<AuditRecord> = (0..3).map(record).collect();
        let csv = render(Format::Csv, &records);
        assert_eq!(csv.lines().count(), 4);
        assert!(
            csv.contains("'=cmd|' /C calc'!A0"),
            "formula injection neutralised: {csv}"
        );
        let ocsf_line: Value =
            serde_json::from_str(render(Format::Ocsf, &records).lines().next().unwrap()).unwrap();
        assert_eq!(ocsf_line["class_uid"], 6003);
        assert_eq!(ocsf_line["status_id"], 2);
        assert_eq!(ocsf_line["metadata"]["sequence"], 0);
        let cef_text = render(Format::Cef, &records);
        assert!(
            cef_text.starts_with(
                "<132>1 2027-01-15T08:00:00.000Z node-1 palisade - - - CEF:0|Palisade|Palisade|"
            ),
            "{cef_text}"
        );
        assert!(
            cef_text.contains("reason\\=")
                || cef_text.contains("reason==")
                || cef_text.contains("reason=\\=cmd"),
            "{cef_text}"
        );
        let jsonl = render(Format::Jsonl, &records);
        assert_eq!(jsonl.lines().count(), 3);
    }

    /// Every field a record can carry reaches every export format: a CSV
    /// column, an OCSF attribute, a CEF key.
    #[test]
    fn every_field_reaches_every_format() {
        let mut r = record(7);
        let e = &mut r.event;
        let text = |name: &str| Some(format!("v-{name}"));
        e.end_time = text("end_time");
        e.request_id = text("request_id");
        e.trace_id = text("trace_id");
        e.subject_pseudonym = text("subject_pseudonym");
        e.roles = vec!["inference".into(), "auditor".into()];
        e.on_behalf_of = text("on_behalf_of");
        e.client_cert_thumbprint = text("client_cert_thumbprint");
        e.auth_method = text("auth_method");
        e.region = text("region");
        e.jurisdiction = text("jurisdiction");
        e.source_address = text("source_address");
        e.operation = text("operation");
        e.model_id = text("model_id");
        e.weights_digest = text("weights_digest");
        e.engine_version = text("engine_version");
        e.chat_template_hash = text("chat_template_hash");
        e.prompt_tokens = Some(11);
        e.completion_tokens = Some(12);
        e.data_classification = text("data_classification");
        e.identifier_categories = vec!["email".into(), "iban".into()];
        e.output_identifier_categories = vec!["phone".into()];
        e.output_redacted = true;
        e.prune_below = Some(13);
        e.prune_cutoff = text("prune_cutoff");
        e.retention_minimum_days = Some(14);
        e.mau_month = text("mau_month");
        e.purpose = text("purpose");
        e.decision = text("decision");
        e.policy_ids = vec!["p-1".into(), "p-2".into()];
        e.policy_set_hash = text("policy_set_hash");
        e.outcome = text("outcome");
        e.error_code = text("error_code");
        e.latency_ms = Some(15);
        e.license_id = text("license_id");
        e.prompt_hash = text("prompt_hash");
        e.completion_hash = text("completion_hash");
        e.finish_reason = text("finish_reason");
        e.tools_offered = vec!["get_weather".into()];
        e.tools_called = vec!["get_weather".into()];
        let Value::Object(fields) = serde_json::to_value(&r.event).unwrap() else {
            panic!("an event is an object");
        };
        let records = vec![r];
        let csv = render(Format::Csv, &records);
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let ocsf = render(Format::Ocsf, &records);
        let cef = render(Format::Cef, &records);
        for (name, value) in &fields {
            assert!(
                header.contains(&name.as_str()),
                "CSV lacks the column {name}"
            );
            let shown = cell(value);
            assert!(
                ocsf.contains(&shown) || ocsf.contains(&value.to_string()),
                "OCSF lacks {name}"
            );
            let cef_shown = cef_value(&shown);
            assert!(
                cef.contains(&cef_shown),
                "CEF lacks {name} ({cef_shown}): {cef}"
            );
        }
        assert!(csv.contains(",email;iban,"), "{csv}");
        assert!(cef.contains("palisadePolicyIds=p-1;p-2"), "{cef}");
        assert_eq!(header.len(), CSV_COLUMNS.len());
    }

    #[test]
    fn filters_select_by_tenant_type_and_time() {
        let records: Vec<AuditRecord> = (0..6).map(record).collect();
        let f = Filter {
            tenant: Some("acme".into()),
            from: Some(time_bound("2027-01-15T08:00:02Z").unwrap()),
            ..Filter::default()
        };
        let picked: Vec<u64> = records
            .iter()
            .filter(|r| f.matches(r))
            .map(|r| r.log_index)
            .collect();
        assert_eq!(picked, vec![2, 4]);
        assert!(time_bound("yesterday").is_err());
    }
}
