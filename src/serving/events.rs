//! Events of the request path, each defined once with everything it
//! leaves behind: its log line, its metric and its audit record (the
//! pattern of vector's `internal_events`), so that a refusal reads the same
//! wherever it happens.

use actix_web::HttpRequest;
use actix_web::web::Data;

use super::auth::AuditContext;
use super::error::{ApiError, ErrorCode};
use super::openai::ModelCard;
use super::policy::Screening;
use crate::audit::record::{AuditEvent, EventType};
use crate::identity::principal::Principal;
use crate::telemetry::metrics::{CodeLabels, Metrics};

/// A record about an inference request of `principal` to `model`, filled
/// with what the request, the model and the principal say.
pub fn inference_record(
    req: &HttpRequest,
    audit: &AuditContext,
    principal: &Principal,
    model: &ModelCard,
    event_type: EventType,
    prompt_tokens: Option<usize>,
) -> AuditEvent {
    let mut e = audit.event(req, event_type, 200);
    audit.principal(&mut e, principal);
    e.model_id = Some(model.id.clone());
    e.engine_version = Some(model.engine_version.clone());
    e.weights_digest.clone_from(&model.weights_digest);
    e.chat_template_hash.clone_from(&model.chat_template_hash);
    e.prompt_tokens = prompt_tokens.map(|n| n as u64);
    e
}

/// An inference request refused after identity and before the engine: by
/// policy, the license's monthly-active-user limit, or a full queue.
#[derive(Debug)]
pub struct InferenceRefused<'a> {
    /// The code the client gets.
    pub code: ErrorCode,
    /// Why, for the record and the log (no request content).
    pub reason: String,
    /// The prompt's tokens, when it was tokenized.
    pub prompt_tokens: Option<usize>,
    /// The screening the request went through.
    pub screening: &'a Screening,
}

impl InferenceRefused<'_> {
    /// Logs the refusal, counts it by code
    /// (`palisade_inference_refused_total`) and commits its
    /// `inference_refused` record; a record that cannot be committed makes
    /// the answer 503 `audit_unavailable`.
    pub async fn emit(
        self,
        req: &HttpRequest,
        audit: &AuditContext,
        principal: &Principal,
        model: &ModelCard,
    ) -> Result<(), ApiError> {
        let code = self.code.as_str();
        tracing::info!(code, reason = %self.reason, model = %model.id, "inference refused");
        if let Some(m) = req.app_data::<Data<Metrics>>() {
            m.inference_refused
                .get_or_create(&CodeLabels { code })
                .inc();
        }
        let mut e = inference_record(
            req,
            audit,
            principal,
            model,
            EventType::InferenceRefused,
            self.prompt_tokens,
        );
        e.status = Some(self.code.status().as_u16());
        e.outcome = Some("refused".into());
        e.error_code = Some(code.into());
        e.reason = Some(self.reason);
        self.screening.stamp(&mut e);
        audit.record(e).await
    }
}
