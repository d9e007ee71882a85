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
use crate::pii::{Category, Detector, Finding};
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
    /// What the model's output may carry.
    pub output: OutputPolicy,
    /// The tools offered to the model (names).
    pub tools: Vec<String>,
}

/// What the model's output may carry: the identifier categories that the
/// same policy would redact (or refuse) had the caller sent them. A model
/// can echo or invent an identifier; it leaves only as the caller may see it.
#[derive(Debug, Clone, Default)]
pub struct OutputPolicy {
    /// Categories replaced by their placeholder in the output.
    pub redact: BTreeSet<Category>,
}

/// Bytes of generated text held back from a stream while output is
/// screened: longer than any identifier the detector bounds (an IBAN with
/// its spaces is 42, a card 23, a labelled record number well under 64),
/// so that nothing is sent before the identifier it starts is complete.
/// URLs and e-mail addresses longer than this can leave in two parts, each
/// screened on its own.
pub const HOLD_BACK: usize = 96;

impl OutputPolicy {
    /// Whether output text must be screened before it is sent.
    pub fn screens(&self) -> bool {
        !self.redact.is_empty()
    }

    /// `text` as the caller may receive it, and the identifiers redacted
    /// (byte ranges of `text`).
    pub fn apply(&self, detector: &Detector, text: &str) -> (String, Vec<Finding>) {
        if !self.screens() {
            return (text.to_owned(), Vec::new());
        }
        self.apply_found(text, &detector.scan(text))
    }

    /// [`Self::apply`] with `text`'s findings already at hand.
    pub fn apply_found(&self, text: &str, found: &[Finding]) -> (String, Vec<Finding>) {
        let redacted: Vec<Finding> = found
            .iter()
            .filter(|f| self.redact.contains(&f.category))
            .copied()
            .collect();
        if redacted.is_empty() {
            (text.to_owned(), redacted)
        } else {
            (crate::pii::redact(text, &redacted), redacted)
        }
    }
}

/// Log-probabilities of generated text, each with the byte range of the
/// text event it came with: an entry whose text overlaps a redacted
/// identifier shows the placeholder instead of its token, and no
/// alternatives (which would spell the identifier's digits).
pub fn scrub_logprobs(
    entries: &mut [crate::serving::scheduler::TokenLogprob],
    spans: &[(usize, usize)],
    redacted: &[Finding],
) {
    for (entry, (start, end)) in entries.iter_mut().zip(spans) {
        if let Some(f) = redacted.iter().find(|f| f.start < *end && *start < f.end) {
            entry.token = f.category.placeholder();
            entry.top.clear();
        }
    }
}

/// Screens a stream of generated text: holds back the last [`HOLD_BACK`]
/// bytes (and any identifier still growing at the end), sends the rest
/// with the identifiers the policy redacts replaced. Detection also reads
/// the last text already sent, so a label sent earlier still counts.
#[derive(Debug, Default)]
pub struct HeldBack {
    /// Generated, not sent yet.
    pending: String,
    /// The end of what was sent (as generated), for labels.
    sent_tail: String,
    /// Something was redacted.
    pub redacted: bool,
    /// Bytes of generated text released so far.
    pub released: usize,
    /// What was redacted, as byte ranges of the whole generated text.
    pub redactions: Vec<Finding>,
}

impl HeldBack {
    /// Adds generated `text`; returns what may be sent now.
    pub fn push(&mut self, policy: &OutputPolicy, detector: &Detector, text: &str) -> String {
        self.pending.push_str(text);
        if self.pending.len() <= HOLD_BACK {
            return String::new();
        }
        self.release(policy, detector, false)
    }

    /// The rest, at the end of the generation.
    pub fn finish(&mut self, policy: &OutputPolicy, detector: &Detector) -> String {
        self.release(policy, detector, true)
    }

    fn release(&mut self, policy: &OutputPolicy, detector: &Detector, all: bool) -> String {
        let context = self.sent_tail.len();
        let combined = format!("{}{}", self.sent_tail, self.pending);
        let found = detector.scan(&combined);
        let mut cut = if all {
            combined.len()
        } else {
            floor_boundary(&combined, combined.len() - HOLD_BACK)
        };
        // An identifier across the cut (or reaching the end, still growing)
        // is held whole.
        for f in &found {
            if !all && f.start < cut && (f.end > cut || f.end == combined.len()) {
                cut = f.start.max(context);
            }
        }
        let out_range = context..cut.max(context);
        let redact: Vec<Finding> = found
            .iter()
            .filter(|f| policy.redact.contains(&f.category))
            .filter(|f| f.end > out_range.start && f.start < out_range.end)
            .map(|f| Finding {
                category: f.category,
                start: f.start.max(out_range.start) - out_range.start,
                end: f.end.min(out_range.end) - out_range.start,
            })
            .collect();
        let sent = combined.get(out_range.clone()).unwrap_or_default();
        let out = if redact.is_empty() {
            sent.to_owned()
        } else {
            self.redacted = true;
            self.redactions.extend(redact.iter().map(|f| Finding {
                category: f.category,
                start: f.start + self.released,
                end: f.end + self.released,
            }));
            crate::pii::redact(sent, &redact)
        };
        self.released += sent.len();
        let tail_from = floor_boundary(&combined, out_range.end.saturating_sub(HOLD_BACK));
        self.sent_tail = combined
            .get(tail_from..out_range.end)
            .unwrap_or_default()
            .to_owned();
        self.pending = combined.get(out_range.end..).unwrap_or_default().to_owned();
        out
    }
}

/// The largest char boundary of `text` at or below `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
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
        e.tools_offered = self.tools.clone();
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

/// Where a request's content is processed when not on this node: an
/// upstream server (`[[upstream]]`), whose place residency policies read
/// as the deployment's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Destination {
    /// The upstream's name (the deployment's `site`).
    pub upstream: String,
    pub region: String,
    pub jurisdiction: String,
}

/// The facts of a request before its content is looked at: the caller,
/// the deployment of `model_id` (this node's, or `destination`'s), the
/// time and the certificate.
fn base_facts(
    ctx: &PolicyContext,
    principal: &Principal,
    model_id: &str,
    license: &str,
    destination: Option<&Destination>,
) -> Facts {
    let now = crate::clock::now();
    let (region, jurisdiction, site) = match destination {
        Some(d) => (
            d.region.clone(),
            d.jurisdiction.clone(),
            format!("upstream:{}", d.upstream),
        ),
        None => (
            ctx.node.region.clone(),
            ctx.node.jurisdiction.clone(),
            ctx.node.site.clone(),
        ),
    };
    Facts {
        caller: caller(principal),
        deployment: Deployment {
            model_id: model_id.to_owned(),
            license: license.to_owned(),
            node: ctx.node.id.clone(),
            region,
            jurisdiction,
            site,
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
            tools: BTreeSet::new(),
        },
    }
}

/// Whether policy lets `principal` use `model_id` at all: the decision on
/// `infer` for its deployment (this node's, or `destination`'s) with no
/// content yet (no identifier found, no class declared). What
/// `GET /v1/models` lists.
#[must_use]
pub fn may_use(
    ctx: &PolicyContext,
    principal: &Principal,
    model_id: &str,
    license: &str,
    destination: Option<&Destination>,
) -> bool {
    let mut facts = base_facts(ctx, principal, model_id, license, destination);
    facts.circumstances.data_classes = principal
        .classification
        .iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    ctx.state.get().decide(Action::Infer, &facts).allowed
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
        (
            m.card.id.clone(),
            m.card.terms.license.clone().unwrap_or_default(),
        )
    });
    let set = ctx.state.get();
    let decision = set.decide(
        action,
        &base_facts(ctx, &principal, &model_id, &license, None),
    );
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
    let declared = Declared::of(req)?;
    screen_declared(&declared, ctx, principal, model_id, model_license, texts)
}

/// What a request declares in its headers (read on the HTTP worker, so
/// that screening can run elsewhere).
#[derive(Debug, Clone, Default)]
pub struct Declared {
    classification: Option<String>,
    purpose: Option<String>,
    /// The tools the request offers the model (names), which policy sees
    /// as `context.tools`.
    pub tools: Vec<String>,
}

impl Declared {
    /// The `X-Data-Classification` and `X-Purpose` headers of `req`.
    pub fn of(req: &HttpRequest) -> Result<Self, ApiError> {
        Ok(Self {
            classification: header(req, CLASSIFICATION_HEADER)?.map(str::to_owned),
            purpose: header(req, PURPOSE_HEADER)?.map(str::to_owned),
            tools: Vec::new(),
        })
    }
}

/// [`screen`] with the headers already read.
pub fn screen_declared(
    headers: &Declared,
    ctx: &PolicyContext,
    principal: &Principal,
    model_id: &str,
    model_license: &str,
    texts: &mut [String],
) -> Result<Screening, ApiError> {
    screen_to(
        headers,
        ctx,
        principal,
        model_id,
        model_license,
        None,
        texts,
    )
}

/// [`screen_declared`] for a request whose content goes to
/// `destination` (none: this node's engine).
pub fn screen_to(
    headers: &Declared,
    ctx: &PolicyContext,
    principal: &Principal,
    model_id: &str,
    model_license: &str,
    destination: Option<&Destination>,
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
    let declared = headers
        .classification
        .as_deref()
        .map(|c| known_class(c, CLASSIFICATION_HEADER))
        .transpose()?;
    let declared_purpose = headers
        .purpose
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(str::to_ascii_lowercase);
    let mut facts = base_facts(ctx, principal, model_id, model_license, destination);
    facts.circumstances.identifier_categories = categories.clone();
    facts.circumstances.identifier_count = i64::try_from(count).unwrap_or(i64::MAX);
    facts.circumstances.tools = headers.tools.iter().cloned().collect();
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
    // The output: each category decided as if the caller had sent one.
    let mut output = OutputPolicy::default();
    if decision.allowed {
        for category in Category::ALL {
            let mut f = facts.clone();
            f.circumstances
                .data_classes
                .insert(if category.is_health() { "phi" } else { "pii" }.to_owned());
            f.circumstances.identifier_categories = [category.as_str().to_owned()].into();
            f.circumstances.identifier_count = 1;
            let d = set.decide(Action::Infer, &f);
            if !d.allowed || d.obliges(REDACT) {
                output.redact.insert(category);
            }
        }
    }
    Ok(Screening {
        output,
        tools: headers.tools.clone(),
        classification: facts.circumstances.classification(),
        decision,
        categories: categories.into_iter().collect(),
        purpose,
        policy_set_hash: set.hash().to_owned(),
        redacted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(clearances: &[&str]) -> Principal {
        Principal {
            issuer: "https://idp.test".into(),
            subject: "alice".into(),
            tenant: "acme".into(),
            roles: [Role::Inference].into(),
            clearances: clearances.iter().map(|c| (*c).to_owned()).collect(),
            region: None,
            purpose: None,
            classification: None,
            service: false,
            actor: None,
            certificate_bound: false,
            client_cert: None,
            token_id: None,
            expires_at: 0,
        }
    }

    fn context() -> PolicyContext {
        PolicyContext {
            state: Arc::new(PolicyState::new(
                crate::policy::load_configured(None).unwrap(),
            )),
            detector: Detector::new().unwrap(),
            node: NodeConfig::default(),
        }
    }

    /// Under the built-in policies, a model's output carries no identifier
    /// to a caller, cleared or not: each category is redacted, as it would
    /// be in a prompt.
    #[test]
    fn the_output_policy_is_the_prompt_policy() {
        let ctx = context();
        let req = actix_web::test::TestRequest::default().to_http_request();
        for clearances in [&[][..], &["pii", "phi"][..]] {
            let mut texts = vec!["hello".to_owned()];
            let s = screen(&req, &ctx, &principal(clearances), "m", "", &mut texts).unwrap();
            assert!(s.decision.allowed, "{:?}", s.decision);
            assert_eq!(s.output.redact.len(), Category::ALL.len(), "{clearances:?}");
            let (out, redacted) = s.output.apply(
                &ctx.detector,
                "Patient SSN 123-45-6789, mail bob@example.org.",
            );
            assert_eq!(redacted.len(), 2);
            assert!(!out.contains("6789") && !out.contains("bob@"), "{out}");
        }
    }

    /// A stream sends nothing of an identifier before it is complete, and
    /// what it sends, joined, is the whole text screened at once.
    #[test]
    fn a_held_back_stream_never_sends_part_of_an_identifier() {
        let detector = Detector::new().unwrap();
        let policy = OutputPolicy {
            redact: Category::ALL.into_iter().collect(),
        };
        let text = "The record says: SSN 123-45-6789 and card 4111 1111 1111 1111; \
                    write to carol.jones@example.org or call +1 415 555 0132. \
                    That is all for today, thank you very much for asking.";
        for step in [1, 2, 3, 5, 8] {
            let mut held = HeldBack::default();
            let mut sent = Vec::new();
            let chars: Vec<char> = text.chars().collect();
            for piece in chars.chunks(step) {
                let piece: String = piece.iter().collect();
                sent.push(held.push(&policy, &detector, &piece));
            }
            sent.push(held.finish(&policy, &detector));
            let joined: String = sent.concat();
            for digits in ["123", "6789", "4111", "1111", "carol", "0132"] {
                assert!(
                    !joined.contains(digits),
                    "step {step}: {digits} in {joined}"
                );
                for s in &sent {
                    assert!(!s.contains(digits), "step {step}: {digits} sent in {s:?}");
                }
            }
            let (whole, redactions) = policy.apply(&detector, text);
            assert_eq!(joined, whole, "step {step}");
            assert!(held.redacted);
            assert_eq!(held.released, text.len());
            assert_eq!(held.redactions, redactions, "step {step}");
        }
    }

    /// A log-probability whose text overlaps a redacted identifier shows the
    /// placeholder and no alternatives; the others are untouched.
    #[test]
    fn log_probabilities_of_redacted_text_are_scrubbed() {
        use crate::serving::scheduler::TokenLogprob;
        let entry = |t: &str| TokenLogprob {
            token: t.to_owned(),
            logprob: -0.5,
            top: vec![(t.to_owned(), -0.5), ("9".to_owned(), -2.0)],
        };
        let mut entries = vec![entry("SSN "), entry("123"), entry("-45"), entry(" ok")];
        let spans = [(0, 4), (4, 7), (7, 10), (10, 13)];
        let redacted = [Finding {
            category: Category::Ssn,
            start: 4,
            end: 15,
        }];
        scrub_logprobs(&mut entries, &spans, &redacted);
        assert_eq!(entries[0].token, "SSN ");
        assert_eq!(entries[0].top.len(), 2);
        for e in &entries[1..] {
            assert_eq!(e.token, Category::Ssn.placeholder());
            assert!(e.top.is_empty());
        }
    }

    /// Multi-byte text (CJK, emoji, combining marks) streams without a
    /// split character, and joins to the whole text screened at once.
    #[test]
    fn a_held_back_stream_of_multibyte_text_keeps_its_characters_whole() {
        let detector = Detector::new().unwrap();
        let policy = OutputPolicy {
            redact: Category::ALL.into_iter().collect(),
        };
        let text = "患者の電話番号は +81 3 1234 5678 です 😀 e\u{301}te\u{301} — \
                    Ñandú: SSN 123-45-6789 🇩🇪 ende. "
            .repeat(4);
        for step in [1, 2, 7] {
            let mut held = HeldBack::default();
            let chars: Vec<char> = text.chars().collect();
            let mut sent = String::new();
            for piece in chars.chunks(step) {
                let piece: String = piece.iter().collect();
                sent.push_str(&held.push(&policy, &detector, &piece));
            }
            sent.push_str(&held.finish(&policy, &detector));
            assert_eq!(sent, policy.apply(&detector, &text).0, "step {step}");
            assert!(!sent.contains("6789") && !sent.contains("5678"), "{sent}");
        }
    }
}
