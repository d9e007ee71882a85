//! `/admin/v1/...`: administration and audit endpoints. Every call is
//! authorized by role and recorded in the audit trail before it is answered.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::auth::AuditContext;
use super::caller::{Admin, Auditor};
use super::error::{ApiError, ErrorCode};
use crate::audit::export::{self, Filter, Format};
use crate::audit::record::EventType;
use crate::audit::report;

/// Query of an audit export.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// `jsonl`, `csv`, `ocsf`, `cef`, or `bundle` (the verification bundle).
    format: Option<String>,
    from: Option<String>,
    to: Option<String>,
    tenant: Option<String>,
    subject: Option<String>,
    model: Option<String>,
    event_type: Option<String>,
}

fn bad(param: &str, message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest, message).with_param(param)
}

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "audit export failed");
    ApiError::new(
        ErrorCode::AuditUnavailable,
        "the audit trail cannot be read now; try again later",
    )
}

/// What `GET /admin/v1/mau` needs: the store, the node's checkpoint key
/// (the report is a signed note auditors check with its verifier key) and
/// the license's terms.
pub struct MauReporting {
    pub store: crate::audit::store::Store,
    pub signer: crate::audit::checkpoint::CheckpointSigner,
    pub node_id: String,
    /// The model id this node serves, if any.
    pub model_id: Option<String>,
    pub license_id: Option<String>,
    /// The accountant, whose limit and mode the report states.
    pub accountant: std::sync::Arc<crate::mau::Accountant>,
}

/// `?month=YYYY-MM` (default: this month, UTC).
#[derive(Debug, serde::Deserialize)]
pub struct MauQuery {
    month: Option<String>,
}

/// `GET /admin/v1/mau`: role `auditor`. The month's signed report
/// (`palisade mau verify` checks it).
pub async fn mau_report(
    _: Auditor,
    req: HttpRequest,
    query: web::Query<MauQuery>,
) -> Result<HttpResponse, ApiError> {
    let reporting = req
        .app_data::<web::Data<MauReporting>>()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "MAU reporting is not configured"))?;
    let now = crate::clock::now();
    let month = match &query.month {
        Some(m) => crate::mau::parse_month(m).map_err(|e| bad("month", e.to_string()))?,
        None => crate::mau::month_of(now),
    };
    let (limit, mode) = reporting.accountant.terms();
    let license = reporting.license_id.as_deref().map(|id| (id, limit, mode));
    let report = crate::mau::Report::build(
        &reporting.store,
        &reporting.node_id,
        reporting.model_id.as_deref(),
        &month,
        license,
        now,
    )
    .await
    .map_err(|e| ApiError::audit_unavailable("the store cannot be read for the MAU report", &e))?;
    let body = report
        .note_body()
        .map_err(|e| ApiError::internal("the MAU report cannot be encoded", &e))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(reporting.signer.sign_note(&body)))
}

/// `GET /admin/v1/audit/export`: role `auditor`.
pub async fn audit_export(
    Auditor(principal): Auditor,
    req: HttpRequest,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let audit = req
        .app_data::<web::Data<AuditContext>>()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the audit trail is not configured"))?;
    let q = query.into_inner();
    let format_name = q.format.clone().unwrap_or_else(|| "jsonl".to_owned());
    let format = match format_name.as_str() {
        "bundle" => None,
        other => Some(Format::parse(other).map_err(|e| bad("format", e.to_string()))?),
    };
    let filter = filter_of(
        q.from.as_deref(),
        q.to.as_deref(),
        q.tenant,
        q.subject,
        q.model,
        q.event_type,
    )?;

    // Everything committed so far gets signed, so every exported record has a proof.
    let collected = export::collect(&audit.log, &filter)
        .await
        .map_err(unavailable)?;

    let mut event = audit.event(&req, EventType::AuditExport, 200);
    audit.principal(&mut event, &principal);
    event.reason = Some(format!(
        "format={format_name} records={}",
        collected.selected.len()
    ));
    audit.record(event).await?;

    Ok(match format {
        Some(f) => HttpResponse::Ok()
            .content_type(f.content_type())
            .body(export::render(f, &collected.records)),
        None => HttpResponse::Ok().json(collected.bundle(audit.log.log_id()).map_err(unavailable)?),
    })
}

/// The records an export or report selects, from its query.
fn filter_of(
    from: Option<&str>,
    to: Option<&str>,
    tenant: Option<String>,
    subject: Option<String>,
    model: Option<String>,
    event_type: Option<String>,
) -> Result<Filter, ApiError> {
    Ok(Filter {
        from: from
            .map(export::time_bound)
            .transpose()
            .map_err(|e| bad("from", e.to_string()))?,
        to: to
            .map(export::time_bound)
            .transpose()
            .map_err(|e| bad("to", e.to_string()))?,
        tenant,
        subject_pseudonym: subject,
        model_id: model,
        event_type: event_type
            .map(|t| serde_json::from_value::<EventType>(serde_json::Value::String(t)))
            .transpose()
            .map_err(|_| bad("event_type", "unknown event type".to_owned()))?,
    })
}

/// Query of a compliance report.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    /// `eu-ai-act`, `gdpr`, `hipaa` or `integrity`; absent: the summary.
    regulation: Option<String>,
    /// `html` (default), `json` or `md`.
    format: Option<String>,
    from: Option<String>,
    to: Option<String>,
    tenant: Option<String>,
    subject: Option<String>,
    model: Option<String>,
    event_type: Option<String>,
}

/// What `GET /admin/v1/audit/report` needs beyond the log: the checkpoint
/// key (it signs the report; its verifier checks the log) and what the
/// configuration says (sites, policies, retention).
pub struct Reporting {
    pub signer: crate::audit::checkpoint::CheckpointSigner,
    pub verifier: crate::audit::checkpoint::CheckpointVerifier,
    pub settings: report::ReportSettings,
    /// One report at a time: each holds the whole log in memory.
    pub running: tokio::sync::Semaphore,
}

impl Reporting {
    /// From the configuration the node runs.
    pub fn new(config: &crate::config::Config) -> Result<Self, String> {
        let signer = crate::audit::keys::read_signer(&config.audit.signing_key)
            .map_err(|e| e.to_string())?;
        let verifier = crate::audit::checkpoint::CheckpointVerifier::parse(&signer.verifier_key())
            .map_err(|e| e.to_string())?;
        Ok(Self {
            signer,
            verifier,
            settings: report_settings(config, None),
            running: tokio::sync::Semaphore::new(1),
        })
    }
}

/// The report settings a configuration gives: the node and its upstreams
/// (where requests are processed), the policy files, the retention.
pub fn report_settings(
    config: &crate::config::Config,
    regulation: Option<report::Regulation>,
) -> report::ReportSettings {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let mut sites = vec![report::Site {
        name: config.node.id.clone(),
        region: some(&config.node.region),
        jurisdiction: some(&config.node.jurisdiction),
    }];
    sites.extend(config.upstreams.iter().map(|u| report::Site {
        name: format!("upstream {}", u.name),
        region: some(&u.region),
        jurisdiction: some(&u.jurisdiction),
    }));
    let policy_files = match &config.policy.dir {
        Some(dir) => std::fs::read_dir(dir)
            .map(|entries| {
                let mut names: Vec<String> = entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".cedar"))
                    .collect();
                names.sort();
                names
            })
            .unwrap_or_default(),
        None => vec!["the policies built into this release".to_owned()],
    };
    report::ReportSettings {
        regulation,
        generated_at: crate::audit::record::timestamp(crate::clock::now()),
        retention_minimum: config.audit.retention_minimum,
        legal_hold: config.audit.legal_hold,
        sites,
        policy_files,
        since: None,
        working_hours: report::WORKING_HOURS,
    }
}

/// `GET /admin/v1/audit/report`: role `auditor`. The report, with its
/// detached signature (the `FILE.sig` that `palisade audit verify --report`
/// checks) base64-encoded in `Palisade-Report-Signature`.
pub async fn audit_report(
    Auditor(principal): Auditor,
    req: HttpRequest,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    use base64::Engine;
    let audit = audit_context(&req)?;
    let reporting = req
        .app_data::<web::Data<Reporting>>()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "reports are not configured"))?;
    let q = query.into_inner();
    let format = report::ReportFormat::parse(q.format.as_deref().unwrap_or("html"))
        .map_err(|e| bad("format", e.to_string()))?;
    let regulation = q
        .regulation
        .as_deref()
        .map(report::Regulation::parse)
        .transpose()
        .map_err(|e| bad("regulation", e.to_string()))?;
    let filter = filter_of(
        q.from.as_deref(),
        q.to.as_deref(),
        q.tenant,
        q.subject,
        q.model,
        q.event_type,
    )?;
    let _one_at_a_time = reporting.running.try_acquire().map_err(|_| {
        ApiError::new(
            ErrorCode::RateLimited,
            "another report is being made; try again when it is done",
        )
    })?;
    let mut settings = reporting.settings.clone();
    settings.regulation = regulation;
    settings.generated_at = crate::audit::record::timestamp(crate::clock::now());
    let loaded = report::load(&audit.log).await.map_err(unavailable)?;
    // Seconds of CPU over a large log: off the worker that serves requests.
    let verifier = reporting.verifier.clone();
    let (made, collected) =
        web::block(move || report::compute(loaded, &filter, &settings, &verifier))
            .await
            .map_err(unavailable)?
            .map_err(unavailable)?;
    let mut event = audit.event(&req, EventType::AuditExport, 200);
    audit.principal(&mut event, &principal);
    event.reason = Some(format!(
        "report={} format={} records={}",
        made.regulation.unwrap_or("summary"),
        format.name(),
        collected.records.len()
    ));
    audit.record(event).await?;
    drop(collected);
    let passed = report::all_passed(&made);
    let reporting = reporting.clone();
    let (body, signature) = web::block(move || {
        let body = report::render(&made, format);
        let signature = report::sign_report(&reporting.signer, &made, format, body.as_bytes());
        (body, signature)
    })
    .await
    .map_err(unavailable)?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        // The page needs nothing but its inline styles.
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            "Palisade-Report-Signature",
            base64::engine::general_purpose::STANDARD.encode(signature),
        ))
        .insert_header((
            "Palisade-Report-Verified",
            if passed { "true" } else { "false" },
        ))
        .body(body))
}

/// Query of a consistency proof.
#[derive(Debug, Deserialize)]
pub struct ConsistencyQuery {
    /// The older tree size.
    from: u64,
    /// The newer tree size.
    to: u64,
}

/// `GET /admin/v1/audit/checkpoints`: role `auditor`. Every signed
/// checkpoint of this node's log, oldest first, as signed notes.
pub async fn audit_checkpoints(
    Auditor(principal): Auditor,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let audit = audit_context(&req)?;
    let checkpoints = audit
        .log
        .store()
        .checkpoints(audit.log.log_id())
        .await
        .map_err(unavailable)?;
    let mut event = audit.event(&req, EventType::AdminAction, 200);
    audit.principal(&mut event, &principal);
    event.reason = Some(format!("read {} checkpoints", checkpoints.len()));
    audit.record(event).await?;
    let list: Vec<serde_json::Value> = checkpoints
        .iter()
        .map(|c| serde_json::json!({"size": c.size, "note": c.note}))
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "log_id": audit.log.log_id(),
        "origin": crate::audit::log::origin(audit.log.log_id()),
        "checkpoints": list,
    })))
}

/// `GET /admin/v1/audit/proof/consistency?from=S1&to=S2`: role `auditor`.
/// The RFC 6962 consistency proof that the tree of `to` records extends the
/// tree of `from` records, for an auditor who kept an older checkpoint.
pub async fn audit_consistency(
    Auditor(principal): Auditor,
    req: HttpRequest,
    query: web::Query<ConsistencyQuery>,
) -> Result<HttpResponse, ApiError> {
    let audit = audit_context(&req)?;
    let q = query.into_inner();
    let leaves: Vec<[u8; 32]> = audit
        .log
        .store()
        .leaf_hashes(audit.log.log_id(), 0)
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|(_, leaf)| <[u8; 32]>::try_from(leaf.as_slice()).map_err(unavailable))
        .collect::<Result<_, _>>()?;
    let size = leaves.len() as u64;
    if q.from == 0 || q.from > q.to || q.to > size {
        return Err(bad(
            "to",
            format!(
                "need 0 < from <= to <= {size} (the log's size); got from={} to={}",
                q.from, q.to
            ),
        ));
    }
    let to = usize::try_from(q.to).map_err(unavailable)?;
    let from = usize::try_from(q.from).map_err(unavailable)?;
    let slice = leaves
        .get(..to)
        .ok_or_else(|| unavailable("log shorter than expected"))?;
    let proof = crate::audit::merkle::consistency_proof(slice, from).map_err(unavailable)?;
    let mut event = audit.event(&req, EventType::AdminAction, 200);
    audit.principal(&mut event, &principal);
    event.reason = Some(format!("consistency proof {}..{}", q.from, q.to));
    audit.record(event).await?;
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "from": q.from,
        "to": q.to,
        "root_from": b64.encode(crate::audit::merkle::root(slice.get(..from).unwrap_or_default())),
        "root_to": b64.encode(crate::audit::merkle::root(slice)),
        "proof": proof.iter().map(|h| b64.encode(h)).collect::<Vec<_>>(),
    })))
}

fn audit_context(req: &HttpRequest) -> Result<&web::Data<AuditContext>, ApiError> {
    req.app_data::<web::Data<AuditContext>>()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the audit trail is not configured"))
}

/// Query of a prune.
#[derive(Debug, Deserialize)]
pub struct PruneQuery {
    /// Remove the content of records that started before this date or time.
    before: String,
}

/// `POST /admin/v1/audit/prune?before=DATE`: role `admin`. Removes the
/// content of the oldest records that are older than both `before` and the
/// retention minimum and covered by a signed checkpoint; their leaf hashes
/// stay, so the log still verifies. Refused under legal hold.
pub async fn audit_prune(
    Admin(principal): Admin,
    req: HttpRequest,
    query: web::Query<PruneQuery>,
) -> Result<HttpResponse, ApiError> {
    let audit = audit_context(&req)?;
    let retention = req
        .app_data::<web::Data<Retention>>()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "retention is not configured"))?;
    let before = export::time_bound(&query.before).map_err(|e| bad("before", e.to_string()))?;
    let mut event = audit.event(&req, EventType::AdminAction, 200);
    audit.principal(&mut event, &principal);
    if retention.legal_hold {
        event.status = Some(409);
        event.outcome = Some("refused".into());
        event.reason = Some("prune refused: legal hold".into());
        audit.record(event).await?;
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the audit trail is under legal hold (audit.legal_hold); nothing is pruned",
        )
        .with_field("reason", serde_json::Value::from("legal_hold")));
    }
    let crate::audit::log::Pruned {
        pruned,
        below,
        cutoff,
        floor,
    } = crate::audit::log::prune(&audit.log, retention.minimum, &before, crate::clock::now())
        .await
        .map_err(unavailable)?;
    event.reason = Some(format!(
        "pruned the content of {pruned} records below index {below} (started before {cutoff})"
    ));
    audit.record(event).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "pruned": pruned,
        "below_index": below,
        "cutoff": cutoff,
        "retention_floor": floor,
    })))
}

/// The retention rules in force.
#[derive(Debug, Clone)]
pub struct Retention {
    /// Minimum age before content may be removed.
    pub minimum: std::time::Duration,
    /// Nothing is removed while true.
    pub legal_hold: bool,
}

/// What a reload answers: the notes of what changed, or why it was refused.
pub type ReloadOutcome = Result<Vec<String>, String>;

/// The daemon's reload queue: `POST /admin/v1/reload` asks the daemon's
/// main loop to reload exactly as SIGHUP does, and waits for the outcome.
#[derive(Debug, Clone)]
pub struct ReloadHandle(pub tokio::sync::mpsc::Sender<tokio::sync::oneshot::Sender<ReloadOutcome>>);

/// `POST /admin/v1/reload` (role `admin`): re-reads the configuration and
/// the policies, as SIGHUP does. An invalid configuration or policy set is
/// refused (400, naming every error) and the previous one keeps serving.
pub async fn reload(Admin(principal): Admin, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let audit = audit_context(&req)?;
    let handle = req
        .app_data::<web::Data<ReloadHandle>>()
        .ok_or_else(|| ApiError::new(ErrorCode::NotReady, "reload is not available"))?;
    let (reply, outcome) = tokio::sync::oneshot::channel();
    let gone = || ApiError::new(ErrorCode::NotReady, "the daemon is shutting down");
    handle.0.send(reply).await.map_err(|_| gone())?;
    let outcome = outcome.await.map_err(|_| gone())?;
    let mut event = audit.event(&req, EventType::AdminAction, 200);
    audit.principal(&mut event, &principal);
    match outcome {
        Ok(notes) => {
            event.reason = Some(format!(
                "reload applied{}",
                if notes.is_empty() {
                    String::new()
                } else {
                    format!(": {}", notes.join("; "))
                }
            ));
            audit.record(event).await?;
            Ok(HttpResponse::Ok().json(serde_json::json!({"reloaded": true, "notes": notes})))
        }
        Err(e) => {
            event.status = Some(400);
            event.outcome = Some("refused".into());
            event.reason = Some(format!("reload refused: {e}"));
            audit.record(event).await?;
            Err(ApiError::new(
                ErrorCode::InvalidRequest,
                format!("reload refused, the previous configuration keeps serving: {e}"),
            ))
        }
    }
}
