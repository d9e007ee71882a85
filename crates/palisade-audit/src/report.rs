//! Compliance reports over the verified trail, for people who do not read
//! JSON: the figures (`Report`, which is also the JSON format) computed
//! from the selected records, then rendered as self-contained HTML (inline
//! CSS and SVG charts, printable to PDF from a browser), JSON or Markdown.
//! Every report names the signed checkpoint it was computed against and the
//! log's verification result, and is signed by a detached note
//! (`sign_report`, `verify_report`) with the checkpoint key.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::checkpoint::{CheckpointSigner, CheckpointVerifier};
use super::export::{Collected, ExportError, Filter};
use super::record::{AuditRecord, EventType, LEGAL_MIN_RETENTION_DAYS};

/// A regulation whose duties a report maps the trail's evidence to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regulation {
    /// EU AI Act (Regulation (EU) 2024/1689): Art. 12 logging, 19 and
    /// 26(6) retention, 26 deployer monitoring, 73 incidents.
    EuAiAct,
    /// GDPR (Regulation (EU) 2016/679): the Art. 30 record of processing
    /// and the data-subject requests handled.
    Gdpr,
    /// HIPAA Security Rule: the 45 CFR 164.312(b) activity review.
    Hipaa,
    /// The log's integrity alone: checkpoint, consistency, verification.
    Integrity,
}

impl Regulation {
    /// `eu-ai-act`, `gdpr`, `hipaa` or `integrity`.
    pub fn parse(name: &str) -> Result<Self, ExportError> {
        match name {
            "eu-ai-act" => Ok(Self::EuAiAct),
            "gdpr" => Ok(Self::Gdpr),
            "hipaa" => Ok(Self::Hipaa),
            "integrity" => Ok(Self::Integrity),
            other => Err(ExportError::UnknownRegulation(other.to_owned())),
        }
    }

    /// The name `parse` reads.
    pub fn name(self) -> &'static str {
        match self {
            Self::EuAiAct => "eu-ai-act",
            Self::Gdpr => "gdpr",
            Self::Hipaa => "hipaa",
            Self::Integrity => "integrity",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::EuAiAct => "EU AI Act record-keeping (Regulation (EU) 2024/1689)",
            Self::Gdpr => "GDPR record of processing (Regulation (EU) 2016/679, Art. 30)",
            Self::Hipaa => "HIPAA activity review (45 CFR 164.312(b))",
            Self::Integrity => "Audit log integrity",
        }
    }
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// One self-contained HTML page.
    Html,
    /// The figures as JSON.
    Json,
    /// Markdown.
    Markdown,
}

impl ReportFormat {
    /// `html`, `json` or `markdown` (`md`).
    pub fn parse(name: &str) -> Result<Self, ExportError> {
        match name {
            "html" => Ok(Self::Html),
            "json" => Ok(Self::Json),
            "markdown" | "md" => Ok(Self::Markdown),
            other => Err(ExportError::UnknownReportFormat(other.to_owned())),
        }
    }

    /// The name `parse` reads.
    pub fn name(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Json => "json",
            Self::Markdown => "markdown",
        }
    }

    /// The media type of the report.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Json => "application/json",
            Self::Markdown => "text/markdown; charset=utf-8",
        }
    }
}

/// A signed checkpoint as a report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointRef {
    /// Records the checkpoint covers.
    pub size: u64,
    /// Its root, hex.
    pub root: String,
}

/// A place the node sends requests to: the node itself or an upstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    /// Node id or upstream name.
    pub name: String,
    /// Region, when configured.
    pub region: Option<String>,
    /// Jurisdiction, when configured.
    pub jurisdiction: Option<String>,
}

/// What the report states beyond the records: the regulation and the
/// node's configuration.
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// The regulation to map the evidence to; `None`: the general summary.
    pub regulation: Option<Regulation>,
    /// When the report was made (RFC 3339).
    pub generated_at: String,
    /// `audit.retention_minimum`.
    pub retention_minimum: std::time::Duration,
    /// `audit.legal_hold`.
    pub legal_hold: bool,
    /// The node, then the upstreams it may send requests to.
    pub sites: Vec<Site>,
    /// The policy files in force (names), for the residency evidence.
    pub policy_files: Vec<String>,
    /// A previous report's checkpoint, to show the log only grew since.
    pub since: Option<CheckpointRef>,
    /// Hours (UTC, `[start, end)`) on weekdays that count as working hours.
    pub working_hours: (u8, u8),
}

/// The log's state the figures were computed in.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The full-log verification: `Ok(summary)` or `Err(why)`.
    pub verification: Result<String, String>,
    /// The checkpoint the figures were computed against.
    pub checkpoint: CheckpointRef,
}

/// One duty of a regulation and the evidence for it in this report.
#[derive(Debug, Clone, Serialize)]
pub struct Duty {
    /// The article or section.
    pub duty: String,
    /// What the trail shows.
    pub evidence: String,
}

/// A stretch with no records at all.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    /// The last record before it.
    pub from: String,
    /// The first record after it.
    pub to: String,
    /// Its length in hours.
    pub hours: f64,
    /// Whether the record before it is the daemon stopping (a planned stop).
    pub after_stop: bool,
}

/// A day on which errors, overloads or policy denials spiked.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// The day (UTC).
    pub day: String,
    /// `errors`, `overload` or `policy_denials`.
    pub kind: String,
    /// Events of that kind that day.
    pub count: u64,
    /// The median of the daily counts in the report's range.
    pub median: u64,
}

/// Retention against Art. 19 and 26(6).
#[derive(Debug, Clone, Serialize)]
pub struct Retention {
    /// `audit.retention_minimum`, days.
    pub minimum_days: u64,
    /// The legal floor, days.
    pub legal_minimum_days: u64,
    /// Whether the minimum meets the floor.
    pub meets_legal_minimum: bool,
    /// Records whose content was pruned by retention (in the whole log).
    pub pruned_records: u64,
    /// `audit.legal_hold`.
    pub legal_hold: bool,
}

/// One subject's activity (HIPAA 164.312(b)).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Access {
    /// Pseudonym.
    pub subject: String,
    /// Roles seen on its records.
    pub roles: BTreeSet<String>,
    /// Records naming it.
    pub records: u64,
    /// Inference requests accepted.
    pub requests: u64,
    /// Of which classified PHI.
    pub phi: u64,
    /// Refusals (status 401, 403 or a policy denial).
    pub denied: u64,
    /// Records outside working hours.
    pub after_hours: u64,
}

/// The regulation-specific part of a report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sections {
    /// Each duty and its evidence.
    pub duties: Vec<Duty>,
    /// EU AI Act: the longest stretches without records (over an hour).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gaps: Option<Vec<Gap>>,
    /// EU AI Act: days with spikes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incidents: Option<Vec<Incident>>,
    /// EU AI Act: accepted requests per model and deployer (tenant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_by_model_and_deployer: Option<BTreeMap<String, u64>>,
    /// EU AI Act, GDPR: retention.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// GDPR: declared purposes and their requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purposes: Option<BTreeMap<String, u64>>,
    /// GDPR: categories of personal data seen (identifier categories and
    /// data classes), with request counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_categories: Option<BTreeMap<String, u64>>,
    /// GDPR: recipients (tenants served).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Vec<String>>,
    /// GDPR: where requests are processed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_sites: Option<Vec<Site>>,
    /// GDPR: transfers outside the node's jurisdiction (configured sites).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transfers: Option<Vec<String>>,
    /// GDPR: data-subject requests handled, by operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_requests: Option<BTreeMap<String, u64>>,
    /// HIPAA: activity per subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<Vec<Access>>,
    /// HIPAA: PHI-classified requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phi_requests: Option<u64>,
    /// HIPAA: records outside working hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_hours: Option<u64>,
    /// Integrity: whether the log is consistent with `since` (it only grew).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistent_with_previous: Option<bool>,
}

/// The figures of a report; its JSON format.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Whether the whole log verified against its signed checkpoints.
    pub verified: bool,
    /// The verification result in words.
    pub verification: String,
    /// `palisade-audit-report/1`.
    pub format: &'static str,
    /// The title.
    pub title: String,
    /// The log.
    pub log_id: String,
    /// The regulation, if any.
    pub regulation: Option<&'static str>,
    /// When made.
    pub generated_at: String,
    /// The range asked (`from`, `to`; absent: unbounded).
    pub period: BTreeMap<&'static str, String>,
    /// The other filters applied (`tenant`, `subject_pseudonym`, `model`,
    /// `event_type`); empty: every record of the period.
    pub selection: BTreeMap<&'static str, String>,
    /// The checkpoint the figures were computed against.
    pub checkpoint: CheckpointRef,
    /// The previous checkpoint compared with, if any.
    pub since_checkpoint: Option<CheckpointRef>,
    /// Records selected.
    pub records: u64,
    /// The first and last selected record's time.
    pub first_record: Option<String>,
    /// The last selected record's time.
    pub last_record: Option<String>,
    /// Distinct subject pseudonyms.
    pub subjects: u64,
    /// Inference requests accepted.
    pub inference_requests: u64,
    /// Refusals (status 400 and up).
    pub refusals: u64,
    /// Accepted inference requests per day (UTC).
    pub requests_per_day: BTreeMap<String, u64>,
    /// Records by event type.
    pub events_by_type: BTreeMap<String, u64>,
    /// Refusals by status and reason.
    pub refusals_by_reason: BTreeMap<String, u64>,
    /// Requests in which each identifier category was found (input or output).
    pub identifier_categories: BTreeMap<String, u64>,
    /// Accepted requests per model.
    pub requests_by_model: BTreeMap<String, u64>,
    /// Records per tenant.
    pub records_by_tenant: BTreeMap<String, u64>,
    /// The regulation's part.
    pub sections: Sections,
}

/// Report format marker, also the first line of a report's signature note.
pub const REPORT_FORMAT: &str = "palisade-audit-report/1";

fn day(t: &str) -> String {
    t.get(..10).unwrap_or(t).to_owned()
}

fn refused(e: &super::record::AuditEvent) -> bool {
    e.status.is_some_and(|s| s >= 400)
}

fn denied(e: &super::record::AuditEvent) -> bool {
    matches!(e.status, Some(401 | 403))
        || e.error_code.as_deref() == Some("policy_denied")
        || e.decision.as_deref() == Some("deny")
}

/// Whether `t` falls outside working hours (UTC, weekdays `[start, end)`).
fn after_hours(t: &str, (start, end): (u8, u8)) -> bool {
    use time::format_description::well_known::Rfc3339;
    let Ok(t) = time::OffsetDateTime::parse(t, &Rfc3339) else {
        return false;
    };
    let weekend = matches!(t.weekday(), time::Weekday::Saturday | time::Weekday::Sunday);
    weekend || t.hour() < start || t.hour() >= end
}

fn hours_between(a: &str, b: &str) -> Option<f64> {
    use time::format_description::well_known::Rfc3339;
    let a = time::OffsetDateTime::parse(a, &Rfc3339).ok()?;
    let b = time::OffsetDateTime::parse(b, &Rfc3339).ok()?;
    Some((b - a).as_seconds_f64() / 3600.0)
}

fn median(values: &mut [u64]) -> u64 {
    // The lower median, so that a spike on one of two days still shows.
    values.sort_unstable();
    values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0)
}

/// A day's counts of the events an incident is made of.
#[derive(Debug, Default, Clone, Copy)]
struct DayCounts {
    errors: u64,
    overload: u64,
    policy_denials: u64,
}

/// Days whose count of an incident kind is at least 5 and at least three
/// times the median day's.
fn incidents(daily: &BTreeMap<String, DayCounts>) -> Vec<Incident> {
    type Count = fn(&DayCounts) -> u64;
    let kinds: [(&str, Count); 3] = [
        ("errors", |c| c.errors),
        ("overload", |c| c.overload),
        ("policy_denials", |c| c.policy_denials),
    ];
    let mut out = Vec::new();
    for (kind, count) in kinds {
        let mut counts: Vec<u64> = daily.values().map(count).collect();
        let m = median(&mut counts);
        for (d, c) in daily {
            let n = count(c);
            if n >= 5 && n >= 3 * m.max(1) {
                out.push(Incident {
                    day: d.clone(),
                    kind: kind.to_owned(),
                    count: n,
                    median: m,
                });
            }
        }
    }
    out.sort_by(|a, b| a.day.cmp(&b.day).then_with(|| a.kind.cmp(&b.kind)));
    out
}

/// `tenant=acme, model=m`, or `all records`.
fn selection_text(selection: &BTreeMap<&'static str, String>) -> String {
    if selection.is_empty() {
        return "all records of the period".to_owned();
    }
    selection
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".to_owned();
    }
    map.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Computes the report's figures over `collected` (its records selected by
/// `filter`).
pub fn build(
    log_id: &str,
    filter: &Filter,
    collected: &Collected,
    ctx: &ReportSettings,
    checked: &Checked,
) -> Report {
    let records = &collected.records;
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut refusals: BTreeMap<String, u64> = BTreeMap::new();
    let mut tenants: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    let mut models: BTreeMap<String, u64> = BTreeMap::new();
    let mut subjects: BTreeSet<&str> = BTreeSet::new();
    let mut found: BTreeMap<String, BTreeSet<&String>> = BTreeMap::new();
    let (mut inference, mut refused_n) = (0, 0);
    for r in records {
        let e = &r.event;
        *by_type
            .entry(super::export::event_type_name(e.event_type))
            .or_default() += 1;
        if refused(e) {
            refused_n += 1;
            let key = format!(
                "{} {}",
                e.status.map(|s| s.to_string()).unwrap_or_default(),
                e.reason
                    .as_deref()
                    .or(e.error_code.as_deref())
                    .unwrap_or("-")
            );
            *refusals.entry(key).or_default() += 1;
        }
        if let Some(t) = &e.tenant {
            *tenants.entry(t.clone()).or_default() += 1;
        }
        if let Some(s) = &e.subject_pseudonym {
            subjects.insert(s.as_str());
        }
        if e.event_type == EventType::InferenceAccepted {
            inference += 1;
            *per_day.entry(day(&e.start_time)).or_default() += 1;
            if let Some(m) = &e.model_id {
                *models.entry(m.clone()).or_default() += 1;
            }
        }
        // Per request: its records (accepted, completed) repeat or add to
        // what was found in it.
        if !e.identifier_categories.is_empty() || !e.output_identifier_categories.is_empty() {
            let key = e
                .request_id
                .as_deref()
                .map_or_else(|| format!("#{}", r.log_index), str::to_owned);
            found.entry(key).or_default().extend(
                e.identifier_categories
                    .iter()
                    .chain(&e.output_identifier_categories),
            );
        }
    }
    for c in found.values().flatten() {
        *categories.entry((*c).clone()).or_default() += 1;
    }
    let verified = checked.verification.is_ok();
    let verification = match &checked.verification {
        Ok(s) => format!("OK: {s}"),
        Err(e) => format!("FAILED: {e}"),
    };
    let title = match ctx.regulation {
        Some(reg) => reg.title().to_owned(),
        None => "Audit report".to_owned(),
    };
    let mut selection = BTreeMap::new();
    let picked = [
        ("tenant", filter.tenant.clone()),
        ("subject_pseudonym", filter.subject_pseudonym.clone()),
        ("model", filter.model_id.clone()),
        (
            "event_type",
            filter.event_type.map(super::export::event_type_name),
        ),
    ];
    for (k, v) in picked {
        if let Some(v) = v {
            selection.insert(k, v);
        }
    }
    let title = if selection.is_empty() {
        title
    } else {
        format!(
            "{title} (selected records only: {})",
            selection_text(&selection)
        )
    };
    let title = if verified {
        format!("{title}: log {log_id}")
    } else {
        format!("NOT VERIFIED: {title}: log {log_id}")
    };
    let mut period = BTreeMap::new();
    if let Some(f) = &filter.from {
        period.insert("from", f.clone());
    }
    if let Some(t) = &filter.to {
        period.insert("to", t.clone());
    }
    let mut report = Report {
        verified,
        verification,
        format: REPORT_FORMAT,
        title,
        log_id: log_id.to_owned(),
        regulation: ctx.regulation.map(Regulation::name),
        generated_at: ctx.generated_at.clone(),
        period,
        selection,
        checkpoint: checked.checkpoint.clone(),
        since_checkpoint: ctx.since.clone(),
        records: records.len() as u64,
        first_record: records.iter().map(|r| r.event.start_time.clone()).min(),
        last_record: records.iter().map(|r| r.event.start_time.clone()).max(),
        subjects: subjects.len() as u64,
        inference_requests: inference,
        refusals: refused_n,
        requests_per_day: per_day,
        events_by_type: by_type,
        refusals_by_reason: refusals,
        identifier_categories: categories,
        requests_by_model: models,
        records_by_tenant: tenants,
        sections: Sections::default(),
    };
    report.sections = match ctx.regulation {
        None => Sections::default(),
        Some(Regulation::EuAiAct) => eu_ai_act(&report, collected, ctx),
        Some(Regulation::Gdpr) => gdpr(&report, records, ctx),
        Some(Regulation::Hipaa) => hipaa(&report, records, ctx),
        Some(Regulation::Integrity) => integrity(&report, collected, ctx),
    };
    // Every report given a previous checkpoint says whether the log only grew.
    report.sections.consistent_with_previous = consistent_with(&report, collected, ctx);
    report
}

fn retention(collected: &Collected, ctx: &ReportSettings) -> Retention {
    let minimum_days = ctx.retention_minimum.as_secs() / 86_400;
    Retention {
        minimum_days,
        legal_minimum_days: LEGAL_MIN_RETENTION_DAYS,
        meets_legal_minimum: minimum_days >= LEGAL_MIN_RETENTION_DAYS,
        pruned_records: collected.pruned,
        legal_hold: ctx.legal_hold,
    }
}

fn eu_ai_act(report: &Report, collected: &Collected, ctx: &ReportSettings) -> Sections {
    let records = &collected.records;
    let mut ordered: Vec<&AuditRecord> = records.iter().collect();
    ordered.sort_by(|a, b| a.event.start_time.cmp(&b.event.start_time));
    let mut gaps: Vec<Gap> = ordered
        .windows(2)
        .filter_map(|w| {
            let [a, b] = w else { return None };
            let (a, b) = (&a.event, &b.event);
            let hours = hours_between(&a.start_time, &b.start_time)?;
            (hours > 1.0).then(|| Gap {
                from: a.start_time.clone(),
                to: b.start_time.clone(),
                hours: (hours * 10.0).round() / 10.0,
                after_stop: a.event_type == EventType::DaemonStopped,
            })
        })
        .collect();
    gaps.sort_by(|a, b| b.hours.total_cmp(&a.hours));
    let gap_count = gaps.len();
    gaps.truncate(10);
    let mut daily: BTreeMap<String, DayCounts> = BTreeMap::new();
    let mut usage: BTreeMap<String, u64> = BTreeMap::new();
    for r in records {
        let e = &r.event;
        let counts = daily.entry(day(&e.start_time)).or_default();
        if e.status.is_some_and(|s| s >= 500) && e.status != Some(503) {
            counts.errors += 1;
        }
        if matches!(e.status, Some(429 | 503))
            || matches!(e.error_code.as_deref(), Some("rate_limited" | "overloaded"))
        {
            counts.overload += 1;
        }
        if e.error_code.as_deref() == Some("policy_denied") {
            counts.policy_denials += 1;
        }
        if e.event_type == EventType::InferenceAccepted {
            let key = format!(
                "{} / {}",
                e.model_id.as_deref().unwrap_or("-"),
                e.tenant.as_deref().unwrap_or("-")
            );
            *usage.entry(key).or_default() += 1;
        }
    }
    let incidents = incidents(&daily);
    let retention = retention(collected, ctx);
    let hold = if ctx.legal_hold { "on" } else { "off" };
    let duties = vec![
        Duty {
            duty: "Art. 12(1) automatic recording of events over the lifetime".into(),
            evidence: format!(
                "{} records of {} types in this range; every request, decision, reload, export, start and stop is recorded; {} stretches over an hour without records between the selected records (the ten longest listed below)",
                report.records,
                report.events_by_type.len(),
                gap_count
            ),
        },
        Duty {
            duty: "Art. 12(2)(a) situations that may result in a risk; Art. 73 serious incidents"
                .into(),
            evidence: format!(
                "{} refusals; {} days with spikes of errors, overload or policy denials (listed below)",
                report.refusals,
                incidents
                    .iter()
                    .map(|i| &i.day)
                    .collect::<BTreeSet<_>>()
                    .len()
            ),
        },
        Duty {
            duty: "Art. 12(2)(c), 26(5) monitoring of the operation by the deployer".into(),
            evidence: format!("accepted requests per model and deployer: {}", list(&usage)),
        },
        Duty {
            duty: "Art. 12 integrity of the logs".into(),
            evidence: report.verification.clone(),
        },
        Duty {
            duty: "Art. 19(1), 26(6) logs kept at least six months".into(),
            evidence: format!(
                "retention minimum {} days against the legal floor of {} days: {}; {} records pruned by retention; legal hold {hold}",
                retention.minimum_days,
                retention.legal_minimum_days,
                if retention.meets_legal_minimum {
                    "met"
                } else {
                    "NOT met"
                },
                retention.pruned_records
            ),
        },
    ];
    Sections {
        duties,
        gaps: Some(gaps),
        incidents: Some(incidents),
        usage_by_model_and_deployer: Some(usage),
        retention: Some(retention),
        ..Sections::default()
    }
}

fn gdpr(report: &Report, records: &[AuditRecord], ctx: &ReportSettings) -> Sections {
    let mut purposes: BTreeMap<String, u64> = BTreeMap::new();
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    let mut requests: BTreeMap<String, u64> = BTreeMap::new();
    for r in records {
        let e = &r.event;
        if e.event_type == EventType::InferenceAccepted {
            let p = e
                .purpose
                .clone()
                .unwrap_or_else(|| "(none declared)".into());
            *purposes.entry(p).or_default() += 1;
            if let Some(c) = &e.data_classification {
                *categories.entry(format!("class: {c}")).or_default() += 1;
            }
        }
        if let Some(op) = e.operation.as_deref()
            && (op.starts_with("palisade subject") || op.starts_with("subject."))
        {
            *requests.entry(op.to_owned()).or_default() += 1;
        }
    }
    for (c, n) in &report.identifier_categories {
        categories.insert(format!("identifier: {c}"), *n);
    }
    let home = ctx.sites.first();
    let home_jurisdiction = home.and_then(|h| h.jurisdiction.as_ref());
    // A site whose jurisdiction is not configured is not known to be at
    // home: it is listed, not assumed.
    let transfers: Vec<String> = ctx
        .sites
        .iter()
        .skip(1)
        .filter(|s| home_jurisdiction.is_none() || s.jurisdiction.as_ref() != home_jurisdiction)
        .map(|s| {
            format!(
                "{} ({})",
                s.name,
                s.jurisdiction.as_deref().unwrap_or("no jurisdiction set")
            )
        })
        .collect();
    let recipients: Vec<String> = report.records_by_tenant.keys().cloned().collect();
    let where_ = |s: &Site| {
        format!(
            "{} in {} ({})",
            s.name,
            s.region.as_deref().unwrap_or("no region set"),
            s.jurisdiction.as_deref().unwrap_or("no jurisdiction set")
        )
    };
    let sites = ctx.sites.iter().map(where_).collect::<Vec<_>>().join("; ");
    let policies = if ctx.policy_files.is_empty() {
        "none".to_owned()
    } else {
        ctx.policy_files.join(", ")
    };
    let retention_days = ctx.retention_minimum.as_secs() / 86_400;
    let duties = vec![
        Duty {
            duty: "Art. 30(1)(b) purposes of the processing".into(),
            evidence: format!("declared purposes and their requests: {}", list(&purposes)),
        },
        Duty {
            duty: "Art. 30(1)(c) categories of data subjects and personal data".into(),
            evidence: format!(
                "{} distinct data subjects (pseudonyms); categories detected in requests: {}",
                report.subjects,
                list(&categories)
            ),
        },
        Duty {
            duty: "Art. 30(1)(d) recipients".into(),
            evidence: format!(
                "tenants served: {}",
                if recipients.is_empty() {
                    "none".to_owned()
                } else {
                    recipients.join(", ")
                }
            ),
        },
        Duty {
            duty: "Art. 30(1)(e), 44 transfers to third countries".into(),
            evidence: if home_jurisdiction.is_none() {
                format!(
                    "cannot be shown: the node's jurisdiction is not configured (node.jurisdiction); sites: {sites}; policies in force: {policies}"
                )
            } else if transfers.is_empty() {
                format!(
                    "none: every configured processing site is in the node's jurisdiction ({sites}); policies in force: {policies}"
                )
            } else {
                format!(
                    "configured sites outside the node's jurisdiction: {}; policies in force: {policies}",
                    transfers.join(", ")
                )
            },
        },
        Duty {
            duty: "Art. 30(1)(f), 5(1)(e) time limits for erasure".into(),
            evidence: format!(
                "audit records kept at least {retention_days} days{}; prompts and completions are not stored",
                if ctx.legal_hold {
                    " (legal hold on)"
                } else {
                    ""
                }
            ),
        },
        Duty {
            duty: "Art. 30(1)(g), 32 security of processing".into(),
            evidence: format!(
                "mutual TLS and signed tokens on every request; subjects pseudonymised (keyed HMAC); tamper-evident log: {}",
                report.verification
            ),
        },
        Duty {
            duty: "Art. 15, 17 data-subject requests handled".into(),
            evidence: format!("in this range: {}", list(&requests)),
        },
    ];
    Sections {
        duties,
        purposes: Some(purposes),
        data_categories: Some(categories),
        recipients: Some(recipients),
        processing_sites: Some(ctx.sites.clone()),
        transfers: Some(transfers),
        subject_requests: Some(requests),
        ..Sections::default()
    }
}

fn hipaa(report: &Report, records: &[AuditRecord], ctx: &ReportSettings) -> Sections {
    let mut access: BTreeMap<&str, Access> = BTreeMap::new();
    let (mut phi, mut late, mut denials) = (0, 0, 0);
    for r in records {
        let e = &r.event;
        let is_phi = e.event_type == EventType::InferenceAccepted
            && e.data_classification.as_deref() == Some("phi");
        let is_late = after_hours(&e.start_time, ctx.working_hours);
        phi += u64::from(is_phi);
        late += u64::from(is_late);
        denials += u64::from(denied(e));
        let Some(s) = e.subject_pseudonym.as_deref() else {
            continue;
        };
        let a = access.entry(s).or_insert_with(|| Access {
            subject: s.to_owned(),
            ..Access::default()
        });
        a.roles.extend(e.roles.iter().cloned());
        a.records += 1;
        a.requests += u64::from(e.event_type == EventType::InferenceAccepted);
        a.phi += u64::from(is_phi);
        a.denied += u64::from(denied(e));
        a.after_hours += u64::from(is_late);
    }
    let mut access: Vec<Access> = access.into_values().collect();
    access.sort_by(|a, b| {
        b.records
            .cmp(&a.records)
            .then_with(|| a.subject.cmp(&b.subject))
    });
    let (start, end) = ctx.working_hours;
    let duties = vec![
        Duty {
            duty: "164.312(b) audit controls: activity review".into(),
            evidence: format!(
                "{} records by {} subjects (pseudonyms), by role below; {} inference requests accepted",
                report.records, report.subjects, report.inference_requests
            ),
        },
        Duty {
            duty: "164.312(a)(1) access control".into(),
            evidence: format!("{denials} refusals for identity, role or policy"),
        },
        Duty {
            duty: "164.308(a)(1)(ii)(D) information system activity review: unusual access".into(),
            evidence: format!(
                "{late} records outside working hours (weekdays {start:02}:00-{end:02}:00 UTC)"
            ),
        },
        Duty {
            duty: "164.502(b), 164.514(d) minimum necessary: PHI requests".into(),
            evidence: format!(
                "{phi} requests classified PHI; identifier categories detected: {}",
                list(&report.identifier_categories)
            ),
        },
        Duty {
            duty: "164.312(c)(1), (c)(2) integrity".into(),
            evidence: report.verification.clone(),
        },
    ];
    Sections {
        duties,
        access: Some(access),
        phi_requests: Some(phi),
        after_hours: Some(late),
        ..Sections::default()
    }
}

/// Whether the log is consistent with the previous checkpoint `since`:
/// the tree of its size, built from today's leaves, has its root. Only a
/// log that verifies can be (its stored leaves are then its records').
fn consistent_with(report: &Report, collected: &Collected, ctx: &ReportSettings) -> Option<bool> {
    ctx.since.as_ref().map(|prev| {
        report.verified
            && usize::try_from(prev.size)
                .ok()
                .and_then(|n| collected.leaves.get(..n))
                .is_some_and(|leaves| hex::encode(super::merkle::root(leaves)) == prev.root)
    })
}

fn integrity(report: &Report, collected: &Collected, ctx: &ReportSettings) -> Sections {
    let consistent = consistent_with(report, collected, ctx);
    let previous = match (&ctx.since, consistent) {
        (Some(p), Some(true)) => format!(
            "the log is consistent with the previous checkpoint (size {}, root {}): it only grew since",
            p.size, p.root
        ),
        (Some(p), _) => format!(
            "the log is NOT consistent with the previous checkpoint (size {}, root {}): records it covered were changed or removed",
            p.size, p.root
        ),
        (None, _) => "no previous checkpoint given (--since-checkpoint)".to_owned(),
    };
    let duties = vec![
        Duty {
            duty: "Verification of every record, its place, its chain and every checkpoint".into(),
            evidence: report.verification.clone(),
        },
        Duty {
            duty: "Latest signed checkpoint".into(),
            evidence: format!(
                "size {}, root {}",
                report.checkpoint.size, report.checkpoint.root
            ),
        },
        Duty {
            duty: "Consistency with the previous report".into(),
            evidence: previous,
        },
    ];
    Sections {
        duties,
        retention: Some(retention(collected, ctx)),
        consistent_with_previous: consistent,
        ..Sections::default()
    }
}

/// Whether every check the report shows passed: the log verified and, when
/// compared, it is consistent with the previous checkpoint.
pub fn all_passed(report: &Report) -> bool {
    report.verified && report.sections.consistent_with_previous != Some(false)
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        ReportFormat::Markdown => markdown(report),
        ReportFormat::Html => html(report),
    }
}

/// Text as Markdown shows it literally: markup, links and inline HTML from
/// the records (tenant names, reasons) are escaped.
fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '|' | '[' | ']' | '*' | '_' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn markdown(r: &Report) -> String {
    let mut out = String::new();
    if !r.verified {
        let _ = writeln!(out, "# NOT VERIFIED: {}\n", md_cell(&r.verification));
    }
    let _ = writeln!(out, "# {}\n", md_cell(&r.title));
    for (k, v) in headline(r) {
        let _ = writeln!(out, "- {k}: {}", md_cell(&v));
    }
    let table = |out: &mut String, title: &str, rows: &BTreeMap<String, u64>| {
        let _ = write!(out, "\n## {title}\n\n| | count |\n|---|---|\n");
        for (k, v) in rows {
            let _ = writeln!(out, "| {} | {v} |", md_cell(k));
        }
        if rows.is_empty() {
            out.push_str("| (none) | 0 |\n");
        }
    };
    for (title, rows) in charts(r) {
        table(&mut out, title, rows);
    }
    if !r.sections.duties.is_empty() {
        out.push_str("\n## Duties and evidence\n\n| duty | evidence in this report |\n|---|---|\n");
        for d in &r.sections.duties {
            let _ = writeln!(out, "| {} | {} |", md_cell(&d.duty), md_cell(&d.evidence));
        }
    }
    for (title, header, rows) in detail_tables(r) {
        let _ = write!(
            out,
            "\n## {title}\n\n| {} |\n|{}\n",
            header.join(" | "),
            "---|".repeat(header.len())
        );
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    out.push_str(FOOTER);
    out.push('\n');
    out
}

const FOOTER: &str = "Subjects appear only as keyed pseudonyms; prompts and completions are never in the log. \
The records behind this report can be exported with `palisade audit export` and verified offline with \
their bundle; this report's signature checks with `palisade audit verify --report FILE --public-key KEY`. \
It maps the log's evidence to the duties; whether the deployment meets them is for the auditor to judge.";

/// The headline figures, in order, as label and value.
fn headline(r: &Report) -> Vec<(&'static str, String)> {
    vec![
        ("Log verification", r.verification.clone()),
        (
            "Checkpoint",
            format!("size {}, root {}", r.checkpoint.size, r.checkpoint.root),
        ),
        (
            "Period asked",
            format!(
                "{} to {}",
                r.period.get("from").map_or("the beginning", |s| s.as_str()),
                r.period.get("to").map_or("now", |s| s.as_str())
            ),
        ),
        ("Selection", selection_text(&r.selection)),
        ("Records", r.records.to_string()),
        (
            "First and last record",
            format!(
                "{} to {}",
                r.first_record.as_deref().unwrap_or("-"),
                r.last_record.as_deref().unwrap_or("-")
            ),
        ),
        ("Inference requests", r.inference_requests.to_string()),
        ("Refusals", r.refusals.to_string()),
        ("Distinct subjects (pseudonyms)", r.subjects.to_string()),
        ("Generated", r.generated_at.clone()),
    ]
}

/// The charted figures.
fn charts(r: &Report) -> Vec<(&'static str, &BTreeMap<String, u64>)> {
    vec![
        ("Inference requests per day (UTC)", &r.requests_per_day),
        ("Refusals by status and reason", &r.refusals_by_reason),
        (
            "Identifier categories found (requests)",
            &r.identifier_categories,
        ),
        ("Inference requests by model", &r.requests_by_model),
        ("Records by tenant", &r.records_by_tenant),
        ("Records by event type", &r.events_by_type),
    ]
}

type Table = (&'static str, Vec<&'static str>, Vec<Vec<String>>);

/// The regulation's tables beyond the duties.
fn detail_tables(r: &Report) -> Vec<Table> {
    let s = &r.sections;
    let mut out = Vec::new();
    let counts = |m: &BTreeMap<String, u64>| -> Vec<Vec<String>> {
        m.iter()
            .map(|(k, v)| vec![k.clone(), v.to_string()])
            .collect()
    };
    if let Some(gaps) = &s.gaps {
        out.push((
            "Stretches over an hour without records (Art. 12)",
            vec!["from", "to", "hours", "after a daemon stop"],
            gaps.iter()
                .map(|g| {
                    vec![
                        g.from.clone(),
                        g.to.clone(),
                        format!("{:.1}", g.hours),
                        if g.after_stop { "yes" } else { "no" }.to_owned(),
                    ]
                })
                .collect(),
        ));
    }
    if let Some(incidents) = &s.incidents {
        out.push((
            "Incident days: spikes of errors, overload or policy denials (Art. 73)",
            vec!["day", "kind", "count", "median day"],
            incidents
                .iter()
                .map(|i| {
                    vec![
                        i.day.clone(),
                        i.kind.clone(),
                        i.count.to_string(),
                        i.median.to_string(),
                    ]
                })
                .collect(),
        ));
    }
    if let Some(u) = &s.usage_by_model_and_deployer {
        out.push((
            "Usage per model and deployer (tenant)",
            vec!["model / deployer", "requests"],
            counts(u),
        ));
    }
    if let Some(p) = &s.purposes {
        out.push((
            "Purposes (Art. 30(1)(b))",
            vec!["purpose", "requests"],
            counts(p),
        ));
    }
    if let Some(c) = &s.data_categories {
        out.push((
            "Categories of personal data seen (Art. 30(1)(c))",
            vec!["category", "requests"],
            counts(c),
        ));
    }
    if let Some(sites) = &s.processing_sites {
        out.push((
            "Processing sites and transfers (Art. 30(1)(e), 44)",
            vec!["site", "region", "jurisdiction"],
            sites
                .iter()
                .map(|x| {
                    vec![
                        x.name.clone(),
                        x.region.clone().unwrap_or_else(|| "-".into()),
                        x.jurisdiction.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect(),
        ));
    }
    if let Some(q) = &s.subject_requests {
        out.push((
            "Data-subject requests handled (Art. 15, 17)",
            vec!["request", "count"],
            counts(q),
        ));
    }
    if let Some(access) = &s.access {
        out.push((
            "Access by subject and role (164.312(b))",
            vec![
                "subject (pseudonym)",
                "roles",
                "records",
                "requests",
                "PHI",
                "refused",
                "after hours",
            ],
            access
                .iter()
                .map(|a| {
                    vec![
                        a.subject.clone(),
                        a.roles.iter().cloned().collect::<Vec<_>>().join(", "),
                        a.records.to_string(),
                        a.requests.to_string(),
                        a.phi.to_string(),
                        a.denied.to_string(),
                        a.after_hours.to_string(),
                    ]
                })
                .collect(),
        ));
    }
    if let Some(ret) = &s.retention {
        out.push((
            "Retention (Art. 19, 26(6))",
            vec![
                "minimum days",
                "legal floor",
                "met",
                "pruned records",
                "legal hold",
            ],
            vec![vec![
                ret.minimum_days.to_string(),
                ret.legal_minimum_days.to_string(),
                if ret.meets_legal_minimum { "yes" } else { "NO" }.into(),
                ret.pruned_records.to_string(),
                if ret.legal_hold { "on" } else { "off" }.into(),
            ]],
        ));
    }
    out
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How many bars a chart shows: the largest, the rest summed as one.
const MAX_BARS: usize = 24;

/// A horizontal bar chart as inline SVG.
fn bar_chart(rows: &BTreeMap<String, u64>) -> String {
    if rows.is_empty() {
        return "<p class=\"none\">none</p>".to_owned();
    }
    let mut bars: Vec<(String, u64)> = rows.iter().map(|(k, v)| (k.clone(), *v)).collect();
    if bars.len() > MAX_BARS {
        bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let rest: u64 = bars.iter().skip(MAX_BARS - 1).map(|(_, v)| v).sum();
        let others = bars.len() - (MAX_BARS - 1);
        bars.truncate(MAX_BARS - 1);
        bars.push((format!("({others} more)"), rest));
    }
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(1).max(1);
    let (label_w, bar_w, row_h) = (260.0, 360.0, 20.0);
    let height = row_h * bars.len() as f64 + 4.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\">",
        w = label_w + bar_w + 80.0
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = row_h * i as f64 + 2.0;
        let width = (*value as f64 / max as f64 * bar_w).max(1.0);
        let shown: String = label.chars().take(40).collect();
        let _ = write!(
            svg,
            "<text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{width:.1}\" height=\"{bh}\"><title>{}: {value}</title></rect><text x=\"{vx:.1}\" y=\"{ty}\">{value}</text>",
            esc(&shown),
            esc(label),
            tx = label_w - 6.0,
            ty = y + 13.0,
            bh = row_h - 5.0,
            vx = label_w + width + 4.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;color:#1a1a1a;max-width:60rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}\
.failed{color:#b00020;font-weight:bold}.ok{color:#1b5e20}\
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:bold}dd{margin:0}\
svg text{font-size:11px;fill:#333}svg rect{fill:#3b6ea5}.none{color:#666}\
footer{margin-top:2rem;color:#555;font-size:12px}code{word-break:break-all}\
@media print{body{margin:0}h2{break-after:avoid}svg{break-inside:avoid}}";

fn html(r: &Report) -> String {
    let mut out = String::new();
    let class = if r.verified { "ok" } else { "failed" };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n",
        esc(&r.title)
    );
    if !r.verified {
        let _ = writeln!(
            out,
            "<p class=\"failed\" id=\"not-verified\">NOT VERIFIED: the audit log does not verify; the figures below may not be the records as written. {}</p>",
            esc(&r.verification)
        );
    }
    let _ = writeln!(
        out,
        "<h1 class=\"{}\">{}</h1>",
        if r.verified { "" } else { "failed" },
        esc(&r.title)
    );
    out.push_str("<dl>\n");
    let ids = [
        "verification",
        "checkpoint",
        "period",
        "selection",
        "records",
        "range",
        "inference_requests",
        "refusals",
        "subjects",
        "generated_at",
    ];
    for ((label, value), id) in headline(r).into_iter().zip(ids) {
        let extra = if id == "verification" {
            format!(" class=\"{class}\"")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd id=\"{id}\" data-figure=\"{id}\"{extra}>{}</dd>",
            esc(label),
            esc(&value)
        );
    }
    out.push_str("</dl>\n");
    if !r.sections.duties.is_empty() {
        out.push_str("<h2>Duties and evidence</h2>\n<table><tr><th>duty</th><th>evidence in this report</th></tr>\n");
        for d in &r.sections.duties {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&d.duty),
                esc(&d.evidence)
            );
        }
        out.push_str("</table>\n");
    }
    for (title, rows) in charts(r) {
        let _ = writeln!(out, "<h2>{}</h2>\n{}", esc(title), bar_chart(rows));
    }
    for (title, header, rows) in detail_tables(r) {
        let _ = write!(out, "<h2>{}</h2>\n<table><tr>", esc(title));
        for h in &header {
            let _ = write!(out, "<th>{}</th>", esc(h));
        }
        out.push_str("</tr>\n");
        if rows.is_empty() {
            let _ = writeln!(
                out,
                "<tr><td colspan=\"{}\" class=\"none\">none</td></tr>",
                header.len()
            );
        }
        for row in rows {
            out.push_str("<tr>");
            for c in row {
                let _ = write!(out, "<td><code>{}</code></td>", esc(&c));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
    let _ = writeln!(out, "<footer>{}</footer>\n</body></html>", esc(FOOTER));
    out
}

/// The body of a report's signature note: what was signed and against
/// which checkpoint.
fn note_body(
    log_id: &str,
    kind: &str,
    format: &str,
    checkpoint: &CheckpointRef,
    bytes: &[u8],
    selection: &str,
) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let selection = selection.replace('\n', " ");
    format!(
        "{REPORT_FORMAT}\n{log_id}\n{kind} {format}\ncheckpoint {} {}\nsha256 {}\nselection {selection}\n",
        checkpoint.size,
        checkpoint.root,
        hex::encode(digest)
    )
}

/// The detached signature (`FILE.sig`) of a rendered report: a note, signed
/// with the checkpoint key, over the report's SHA-256, its log, kind,
/// format and checkpoint.
pub fn sign_report(
    signer: &CheckpointSigner,
    report: &Report,
    format: ReportFormat,
    bytes: &[u8],
) -> String {
    let kind = report.regulation.unwrap_or("summary");
    signer.sign_note(&note_body(
        &report.log_id,
        kind,
        format.name(),
        &report.checkpoint,
        bytes,
        &selection_text(&report.selection),
    ))
}

/// What a verified report signature states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedReport {
    /// The log.
    pub log_id: String,
    /// The regulation (or `summary`) and format.
    pub kind: String,
    /// The checkpoint it was computed against.
    pub checkpoint: CheckpointRef,
    /// The records it covers beyond the period (`all records of the period`).
    pub selection: String,
}

fn parse_note(body: &str) -> Option<(SignedReport, String)> {
    let mut lines = body.lines();
    if lines.next()? != REPORT_FORMAT {
        return None;
    }
    let log_id = lines.next()?.to_owned();
    let kind = lines.next()?.to_owned();
    let mut cp = lines.next()?.strip_prefix("checkpoint ")?.split(' ');
    let size = cp.next()?.parse().ok()?;
    let root = cp.next()?.to_owned();
    let digest = lines.next()?.strip_prefix("sha256 ")?.to_owned();
    let selection = lines.next()?.strip_prefix("selection ")?.to_owned();
    Some((
        SignedReport {
            log_id,
            kind,
            checkpoint: CheckpointRef { size, root },
            selection,
        },
        digest,
    ))
}

/// Checks a report's signature note against the report's bytes.
pub fn verify_report(
    verifier: &CheckpointVerifier,
    signature: &str,
    bytes: &[u8],
) -> Result<SignedReport, ExportError> {
    let bad = |why: String| ExportError::Export(why);
    let body = verifier
        .open_note(signature)
        .map_err(|e| bad(format!("the signature does not verify with this key: {e}")))?;
    let (signed, digest) = parse_note(body)
        .ok_or_else(|| bad(format!("the signature is not a {REPORT_FORMAT} signature")))?;
    let actual = hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes));
    if actual != digest {
        return Err(bad(format!(
            "the report is not the one signed: its SHA-256 is {actual}, the signature covers {digest} (edited, truncated or another report)"
        )));
    }
    Ok(signed)
}

/// Reads the checkpoint a previous report was computed against from its
/// signature file, or a signed checkpoint note; both checked with `verifier`.
pub fn previous_checkpoint(
    verifier: &CheckpointVerifier,
    text: &str,
) -> Result<CheckpointRef, ExportError> {
    let bad = |why: String| ExportError::Export(why);
    if let Ok(body) = verifier.open_note(text)
        && let Some((signed, _)) = parse_note(body)
    {
        return Ok(signed.checkpoint);
    }
    let c = verifier.open(text).map_err(|e| {
        bad(format!(
            "neither a report signature nor a checkpoint signed by this key: {e}"
        ))
    })?;
    Ok(CheckpointRef {
        size: c.size,
        root: hex::encode(c.root),
    })
}

/// What a report is computed from: the log's records and checkpoints as
/// stored, read once.
#[derive(Debug, Clone)]
pub struct Loaded {
    log_id: String,
    stored: Vec<super::store::StoredRecord>,
    checkpoints: Vec<super::store::StoredCheckpoint>,
}

/// Signs what is committed, then reads the log for a report.
pub async fn load(log: &super::log::AuditLog) -> Result<Loaded, ExportError> {
    let store_err = |e: &dyn std::fmt::Display| ExportError::Store(e.to_string());
    log.checkpoint().await.map_err(|e| store_err(&e))?;
    let store = log.store();
    let log_id = log.log_id().to_owned();
    let checkpoints = store
        .checkpoints(&log_id)
        .await
        .map_err(|e| store_err(&e))?;
    let stored = store.records(&log_id).await.map_err(|e| store_err(&e))?;
    Ok(Loaded {
        log_id,
        stored,
        checkpoints,
    })
}

/// Verifies the whole loaded log against its checkpoints (a failure is
/// stated on the report, not an error), then computes the figures of the
/// records `filter` selects against the latest checkpoint. CPU-bound
/// (seconds over a million records): run it off an async worker.
pub fn compute(
    loaded: Loaded,
    filter: &Filter,
    settings: &ReportSettings,
    verifier: &CheckpointVerifier,
) -> Result<(Report, Collected), ExportError> {
    let Loaded {
        log_id,
        stored,
        checkpoints,
    } = loaded;
    let latest = checkpoints.last().ok_or(ExportError::NoCheckpoint)?.clone();
    let verification = super::verify::verify(
        &log_id,
        &super::log::origin(&log_id),
        &stored,
        &checkpoints,
        verifier,
    )
    .map(|v| {
        format!(
            "{} records ({} pruned by retention), {} signed checkpoints",
            v.records, v.pruned, v.checkpoints
        )
    })
    .map_err(|e| e.to_string());
    let checkpoint = match verifier.open(&latest.note) {
        Ok(c) => CheckpointRef {
            size: c.size,
            root: hex::encode(c.root),
        },
        Err(e) => return Err(ExportError::Store(format!("the latest checkpoint: {e}"))),
    };
    let collected = super::export::select(stored, latest.note, latest.size, filter, true)?;
    let checked = Checked {
        verification,
        checkpoint,
    };
    let report = build(&log_id, filter, &collected, settings, &checked);
    Ok((report, collected))
}

/// [`load`] then [`compute`], for a caller with nothing else to serve.
pub async fn make(
    log: &super::log::AuditLog,
    filter: &Filter,
    settings: &ReportSettings,
    verifier: &CheckpointVerifier,
) -> Result<(Report, Collected), ExportError> {
    compute(load(log).await?, filter, settings, verifier)
}

/// The summary a data subject is handed with their records (GDPR Art. 15):
/// what the trail holds about them, in plain words, one row per record.
pub fn subject_summary_html(
    report: &Report,
    records: &[AuditRecord],
    issuer: &str,
    subject: &str,
    pseudonym: &str,
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Records about {subject} held by {node}</title><style>{CSS}</style></head><body>\n",
        subject = esc(subject),
        node = esc(&report.log_id)
    );
    if !report.verified {
        let _ = writeln!(
            out,
            "<p class=\"failed\" id=\"not-verified\">NOT VERIFIED: the audit log does not verify. {}</p>",
            esc(&report.verification)
        );
    }
    let _ = writeln!(
        out,
        "<h1>Records about {} held by {}</h1>\n<dl><dt>Person</dt><dd>subject <code>{}</code> at issuer <code>{}</code></dd><dt>How records name them</dt><dd>by the pseudonym <code>{}</code> (a keyed hash; no name, e-mail or other direct identifier is stored)</dd><dt>Records</dt><dd id=\"records\" data-figure=\"records\">{}</dd><dt>Log verification</dt><dd id=\"verification\">{}</dd><dt>Checkpoint</dt><dd>size {}, root <code>{}</code></dd><dt>Made</dt><dd>{}</dd></dl>",
        esc(subject),
        esc(&report.log_id),
        esc(subject),
        esc(issuer),
        esc(pseudonym),
        records.len(),
        esc(&report.verification),
        report.checkpoint.size,
        esc(&report.checkpoint.root),
        esc(&report.generated_at)
    );
    out.push_str(
        "<h2>What is kept, and what is not</h2>\n<p>For each request the trail keeps when it was made, the model, the declared purpose, \
         the classification of the data, which <em>categories</em> of personal data were detected (never the values), the policy decision \
         and the outcome. The text of prompts and answers is <strong>not</strong> kept; only keyed hashes of it, which cannot be read back.</p>\n",
    );
    if records.is_empty() {
        out.push_str("<p id=\"none\">The trail holds no record about this person.</p>\n");
    } else {
        out.push_str("<h2>The records</h2>\n<table><tr><th>time (UTC)</th><th>event</th><th>operation</th><th>model</th><th>purpose</th><th>classification</th><th>categories detected</th><th>decision</th><th>outcome</th></tr>\n");
        for r in records {
            let e = &r.event;
            let cells = [
                e.start_time.clone(),
                super::export::event_type_name(e.event_type),
                e.operation.clone().unwrap_or_default(),
                e.model_id.clone().unwrap_or_default(),
                e.purpose.clone().unwrap_or_default(),
                e.data_classification.clone().unwrap_or_default(),
                e.identifier_categories.join(", "),
                e.decision.clone().unwrap_or_default(),
                e.outcome.clone().unwrap_or_default(),
            ];
            out.push_str("<tr>");
            for c in cells {
                let _ = write!(out, "<td>{}</td>", esc(&c));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
    out.push_str(
        "<footer>The file records.jsonl beside this summary holds these records in full; with records.jsonl.bundle.json and the \
         node's public key anyone can check that each is the record the node wrote (<code>palisade audit verify --bundle \
         records.jsonl.bundle.json --public-key KEY --export records.jsonl</code>).</footer>\n</body></html>\n",
    );
    out
}

/// Working hours for the after-hours figures: weekdays 07:00 to 19:00 UTC.
pub const WORKING_HOURS: (u8, u8) = (7, 19);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_shows_record_text_literally() {
        let cell = md_cell("acme <img src=x> [x](javascript:y) a|b \\| *c*");
        assert!(!cell.contains('<') && !cell.contains("[x]("), "{cell}");
        assert_eq!(md_cell("a|b"), "a\\|b");
        assert_eq!(md_cell("\\|"), "\\\\\\|");
    }

    #[test]
    fn a_spike_on_one_of_two_days_is_an_incident() {
        let mut daily = BTreeMap::new();
        daily.insert("2026-12-01".to_owned(), DayCounts::default());
        daily.insert(
            "2026-12-02".to_owned(),
            DayCounts {
                policy_denials: 9,
                ..DayCounts::default()
            },
        );
        let found = incidents(&daily);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].day.as_str(), found[0].kind.as_str()),
            ("2026-12-02", "policy_denials")
        );
    }
}
