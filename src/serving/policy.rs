//! Policy on the request path: detect identifiers in the prompt, settle
//! the request's classification and purpose, put it to Cedar, and apply
//! the decision's obligations (redaction before the model sees the text).
//!
//! Classification comes from the token's `classification` claim, the
//! identifiers detected, and the `X-Data-Classification` header. A header
//! replaces the claim only when policy permits `declare` for the
//! principal; otherwise it is added to the classes, so it can raise the
//! classification and never lower it. Detection always counts. `X-Purpose`
//! is believed only when `declare` is permitted.

use std::collections::BTreeSet;
use std::sync::Arc;

use actix_web::HttpRequest;
use serde_json::json;

use super::error::{ApiError, ErrorCode};
use crate::audit::record::AuditEvent;
use crate::config::NodeConfig;
use crate::identity::principal::{Principal, Role};
use crate::pii::Detector;
use crate::policy::{
    Action, Caller, CallerKind, Circumstances, Decision, Deployment, Facts, NO_STORE, PolicyState,
    REDACT,
};

/// Header: the data classification the caller declares.
pub const CLASSIFICATION_HEADER: &str = "X-Data-Classification";
/// Header: the purpose of processing the caller declares.
pub const PURPOSE_HEADER: &str = "X-Purpose";

/// What the request path needs for policy: the set in force, the
/// detector, and this node's facts.
#[derive(Debug)]
pub struct PolicyContext {
    /// The policy set, replaced on reload.
    pub state: Arc<PolicyState>,
    /// The identifier detector.
    pub detector: Detector,
    /// This node.
    pub node: NodeConfig,
}

/// The outcome of screening one request.
#[derive(Debug, Clone)]
pub struct Screening {
    /// The decision on `infer`.
    pub decision: Decision,
    /// The highest class in the request.
    pub classification: String,
    /// Categories of identifiers detected, sorted.
    pub categories: Vec<String>,
    /// The purpose in force.
    pub purpose: Option<String>,
    /// The policy set's hash.
    pub policy_set_hash: String,
    /// Whether identifiers were redacted from the prompt.
    pub redacted: bool,
}

impl Screening {
    /// Writes the classification and decision into an audit record.
    pub fn stamp(&self, e: &mut AuditEvent) {
        e.data_classification = Some(self.classification.clone());
        e.identifier_categories = self.categories.clone();
        if self.purpose.is_some() {
            e.purpose = self.purpose.clone();
        }
        e.decision = Some(
            if self.decision.allowed {
                "allow"
            } else {
                "deny"
            }
            .to_owned(),
        );
        e.policy_ids = self.decision.policy_ids.clone();
        e.policy_set_hash = Some(self.policy_set_hash.clone());
    }

    /// False when policy forbids keeping even keyed hashes of the content.
    pub fn keeps_content_hashes(&self) -> bool {
        !self.decision.obliges(NO_STORE)
    }

    /// The 403 a deny answers with.
    pub fn denial(&self) -> ApiError {
        denied(&self.decision)
    }
}

/// The 403 `policy_denied` of a deny, naming the policies.
fn denied(decision: &Decision) -> ApiError {
    ApiError::new(
        ErrorCode::PolicyDenied,
        format!("the request is refused by policy: {}", decision.reason),
    )
    .with_field("policy_ids", json!(decision.policy_ids))
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Result<Option<&'a str>, ApiError> {
    match req.headers().get(name) {
        None => Ok(None),
        Some(v) => v.to_str().map(|s| Some(s.trim())).map_err(|_| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                format!("the {name} header is not visible ASCII"),
            )
            .with_param(name)
        }),
    }
}

fn known_class(value: &str, source: &str) -> Result<String, ApiError> {
    let class = value.trim().to_ascii_lowercase();
    if crate::policy::rank(&class).is_some() {
        Ok(class)
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!(
                "{source}: unknown data classification {value:?} (one of {})",
                crate::policy::CLASSES.join(", ")
            ),
        )
        .with_param(source))
    }
}

/// The policy facts of the caller.
fn caller(p: &Principal) -> Caller {
    Caller {
        kind: if p.service {
            CallerKind::Service
        } else {
            CallerKind::User
        },
        issuer: p.issuer.clone(),
        subject: p.subject.clone(),
        tenant: p.tenant.clone(),
        roles: p.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        clearances: p
            .clearances
            .iter()
            .map(|c| c.to_ascii_lowercase())
            .collect(),
        region: p.region.clone().unwrap_or_default(),
        certificate_bound: p.certificate_bound,
        acting_service: p.actor.clone().unwrap_or_default(),
    }
}

/// The facts of a request before its content is looked at: the caller,
/// this node's deployment of `model_id`, the time and the certificate.
fn base_facts(ctx: &PolicyContext, principal: &Principal, model_id: &str, license: &str) -> Facts {
    let now = time::OffsetDateTime::now_utc();
    Facts {
        caller: caller(principal),
        deployment: Deployment {
            model_id: model_id.to_owned(),
            license: license.to_owned(),
            node: ctx.node.id.clone(),
            region: ctx.node.region.clone(),
            jurisdiction: ctx.node.jurisdiction.clone(),
            site: ctx.node.site.clone(),
        },
        circumstances: Circumstances {
            data_classes: BTreeSet::new(),
            identifier_categories: BTreeSet::new(),
            identifier_count: 0,
            purpose: principal.purpose.clone().unwrap_or_default(),
            hour_utc: i64::from(now.hour()),
            weekday_utc: i64::from(now.weekday().number_from_monday()),
            client_certificate: principal
                .client_cert
                .as_ref()
                .map(|c| c.thumbprint_s256.clone())
                .unwrap_or_default(),
            client_subject: principal
                .client_cert
                .as_ref()
                .map(|c| c.subject.clone())
                .unwrap_or_default(),
        },
    }
}

/// An administration or audit endpoint: the role check, then policy on
/// `action` (`export-audit` for the auditors' endpoints, `admin` for the
/// admins'). A deny is recorded (`authorization_failed`, code
/// `policy_denied`, with the policy ids) and answered 403.
pub async fn authorize_admin(
    req: &HttpRequest,
    role: Role,
    action: Action,
) -> Result<Principal, ApiError> {
    let principal = super::auth::authorize(req, Some(role)).await?;
    let ctx = req
        .app_data::<actix_web::web::Data<PolicyContext>>()
        .ok_or_else(|| ApiError::new(ErrorCode::NotReady, "the policy engine is not loaded"))?;
    let model = req
        .app_data::<actix_web::web::Data<super::openai::ModelSlot>>()
        .and_then(|slot| slot.get());
    let (model_id, license) = model.as_ref().map_or((String::new(), String::new()), |m| {
        (m.id.clone(), m.terms.license.clone().unwrap_or_default())
    });
    let set = ctx.state.get();
    let decision = set.decide(action, &base_facts(ctx, &principal, &model_id, &license));
    if decision.allowed {
        return Ok(principal);
    }
    let audit = req
        .app_data::<actix_web::web::Data<super::auth::AuditContext>>()
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::AuditUnavailable,
                "the audit trail is not available",
            )
        })?;
    let mut e = audit.event(
        req,
        crate::audit::record::EventType::AuthorizationFailed,
        403,
    );
    audit.principal(&mut e, &principal);
    e.error_code = Some(ErrorCode::PolicyDenied.as_str().into());
    e.reason = Some(decision.reason.clone());
    e.decision = Some("deny".into());
    e.policy_ids = decision.policy_ids.clone();
    e.policy_set_hash = Some(set.hash().to_owned());
    audit.record(e).await?;
    Err(denied(&decision))
}

/// Screens an inference request whose prompt texts are `texts`: detects,
/// classifies, decides, and (when the decision obliges it) redacts the
/// texts in place. A deny is returned as a [`Screening`] (the caller
/// records it, then answers [`Screening::denial`]); malformed headers or
/// claims are an `Err`.
pub fn screen(
    req: &HttpRequest,
    ctx: &PolicyContext,
    principal: &Principal,
    model_id: &str,
    model_license: &str,
    texts: &mut [String],
) -> Result<Screening, ApiError> {
    let set = ctx.state.get();
    let findings: Vec<Vec<crate::pii::Finding>> =
        texts.iter().map(|t| ctx.detector.scan(t)).collect();
    let categories: BTreeSet<String> = findings
        .iter()
        .flatten()
        .map(|f| f.category.as_str().to_owned())
        .collect();
    let count = findings.iter().map(Vec::len).sum::<usize>();
    let mut detected = BTreeSet::new();
    for f in findings.iter().flatten() {
        detected.insert(if f.category.is_health() { "phi" } else { "pii" }.to_owned());
    }
    let claimed = principal
        .classification
        .as_deref()
        .map(|c| known_class(c, "classification claim"))
        .transpose()?;
    let declared = header(req, CLASSIFICATION_HEADER)?
        .map(|c| known_class(c, CLASSIFICATION_HEADER))
        .transpose()?;
    let declared_purpose = header(req, PURPOSE_HEADER)?
        .filter(|p| !p.is_empty())
        .map(str::to_ascii_lowercase);
    let mut facts = base_facts(ctx, principal, model_id, model_license);
    facts.circumstances.identifier_categories = categories.clone();
    facts.circumstances.identifier_count = i64::try_from(count).unwrap_or(i64::MAX);
    let trusted = (declared.is_some() || declared_purpose.is_some())
        && set.decide(Action::Declare, &facts).allowed;
    let mut classes = detected;
    match (&declared, trusted) {
        // Believed: the declaration replaces the claim.
        (Some(d), true) => {
            classes.insert(d.clone());
        }
        // Not believed: it can only add (so only raise).
        (Some(d), false) => {
            classes.insert(d.clone());
            classes.extend(claimed);
        }
        (None, _) => classes.extend(claimed),
    }
    if trusted && let Some(p) = &declared_purpose {
        facts.circumstances.purpose = p.clone();
    }
    facts.circumstances.data_classes = classes;
    let mut decision = set.decide(Action::Infer, &facts);
    if !decision.allowed && declared_purpose.is_some() && !trusted {
        decision.reason.push_str(&format!(
            " ({PURPOSE_HEADER} was not believed: no policy permits `declare` for this principal)"
        ));
    }
    let redacted = decision.allowed && decision.obliges(REDACT) && count > 0;
    if redacted {
        for (text, found) in texts.iter_mut().zip(&findings) {
            if !found.is_empty() {
                *text = crate::pii::redact(text, found);
            }
        }
    }
    let purpose = Some(facts.circumstances.purpose.clone()).filter(|p| !p.is_empty());
    Ok(Screening {
        classification: facts.circumstances.classification(),
        decision,
        categories: categories.into_iter().collect(),
        purpose,
        policy_set_hash: set.hash().to_owned(),
        redacted,
    })
}
