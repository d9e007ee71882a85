//! The OpenAI-compatible API: `POST /v1/chat/completions`,
//! `POST /v1/completions`, `GET /v1/models`, bodies as the OpenAI API
//! defines them, streaming as server-sent events the official SDKs parse.
//!
//! A request's path: identity (role `inference`), parse and validate
//! (400 naming the field), tokenize (400 `context_length_exceeded` before
//! any work), the accepted record committed to the audit trail, the
//! scheduler's queue (429 when full), generation, the completion record
//! committed, then the response's end (for a stream: before `[DONE]`).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedReceiver;

mod answer;
mod request;
mod structured;
mod tools;
mod upstream;
mod wire;

use request::handle_read;

use super::auth::AuditContext;
use super::caller::Inference;
use super::error::{ApiError, ErrorCode};
use super::scheduler::{Event, Finish, Job, Scheduler, TokenLogprob};
use crate::audit::keys::pseudonym;
use crate::audit::record::{AuditEvent, EventType};
use crate::engine::sampling::SamplingParams;
use crate::engine::tokenizer::{ChatMessage, TextTokenizer};
use crate::identity::principal::Principal;

/// Most choices (`n`) one request may ask for.
pub const MAX_CHOICES: usize = 8;
/// Most stop strings one request may give.
pub const MAX_STOP_STRINGS: usize = 16;

/// The most alternatives a chat request may ask for (`top_logprobs`), as
/// in the OpenAI API.
pub const MAX_TOP_LOGPROBS_CHAT: i64 = 20;

/// The most alternatives a text completion may ask for (`logprobs`), as in
/// the OpenAI API.
pub const MAX_TOP_LOGPROBS_TEXT: i64 = 5;

/// What the API shows and the audit trail records of the model that
/// answers a request, whichever engine runs it.
#[derive(Debug, Clone)]
pub struct ModelCard {
    /// The id clients pass as `model`.
    pub id: String,
    pub created: i64,
    /// `palisade X.Y.Z`, or `upstream NAME` for a model an upstream serves.
    pub engine_version: String,
    /// `sha256:` digest of the weights (`engine::weights::digest`); none
    /// for an upstream's model, whose weights this node never sees.
    pub weights_digest: Option<String>,
    /// The chat template's digest, when this node renders it.
    pub chat_template_hash: Option<String>,
    /// The model's own license terms (attribution shown where asked).
    pub terms: crate::license::terms::ModelTerms,
}

/// The loaded model, as the API serves it.
#[derive(Debug)]
pub struct ServedModel {
    pub card: Arc<ModelCard>,
    pub context_length: usize,
    pub tokenizer: TextTokenizer,
    pub scheduler: Scheduler,
    pub default_max_tokens: usize,
    pub request_timeout: Duration,
    pub max_request_bytes: usize,
    /// Grammars over the model's vocabulary for constrained output, or why
    /// this tokenizer cannot have them.
    pub grammars: Result<Arc<crate::engine::constrain::Grammars>, String>,
}

impl ServedModel {
    /// The model's grammars, or why it has none.
    pub fn grammars(&self) -> Result<&crate::engine::constrain::Grammars, &str> {
        self.grammars.as_deref().map_err(String::as_str)
    }
}

/// The header that carries a model license's attribution on every answer.
pub const ATTRIBUTION_HEADER: &str = "X-Model-Attribution";

impl ModelCard {
    /// `builder` with the attribution header, when the model's license asks
    /// for one (and it is a valid header value).
    fn attributed(
        &self,
        mut builder: actix_web::HttpResponseBuilder,
    ) -> actix_web::HttpResponseBuilder {
        if let Some(value) = self
            .terms
            .attribution
            .as_deref()
            .and_then(|a| header::HeaderValue::from_str(a).ok())
        {
            builder.insert_header((ATTRIBUTION_HEADER, value));
        }
        builder
    }

    /// The model as `GET /v1/models` lists it.
    fn listing(&self, owned_by: &str, context_length: Option<usize>) -> Value {
        json!({
            "id": self.id,
            "object": "model",
            "created": self.created,
            "owned_by": owned_by,
            "context_length": context_length,
            "license": {
                "id": self.terms.license,
                "attribution": self.terms.attribution,
                "acceptable_use": self.terms.acceptable_use,
                "mau_threshold": self.terms.mau_threshold,
            },
        })
    }
}

/// The model slot: empty until the model has loaded (or when none is
/// configured), so `/v1` answers 503 `not_ready` meanwhile.
#[derive(Debug, Default)]
pub struct ModelSlot(RwLock<Option<Arc<ServedModel>>>);

impl ModelSlot {
    /// Installs the loaded model.
    pub fn set(&self, model: Arc<ServedModel>) {
        if let Ok(mut slot) = self.0.write() {
            *slot = Some(model);
        }
    }

    /// The model, when loaded.
    #[must_use]
    pub fn get(&self) -> Option<Arc<ServedModel>> {
        self.0.read().ok().and_then(|m| m.clone())
    }
}

/// Which API a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    Chat,
    Text,
}

/// `POST /v1/chat/completions`.
pub async fn chat_completions(
    caller: Result<Inference, ApiError>,
    req: HttpRequest,
    payload: actix_web::web::Payload,
) -> Result<HttpResponse, ApiError> {
    handle(caller, req, payload, Api::Chat).await
}

/// `POST /v1/completions`.
pub async fn completions(
    caller: Result<Inference, ApiError>,
    req: HttpRequest,
    payload: actix_web::web::Payload,
) -> Result<HttpResponse, ApiError> {
    handle(caller, req, payload, Api::Text).await
}

/// The caller, then body, prompt, plan and the request core. A request
/// refused before its body is read (401, 403, 429, 503) has the body
/// drained first, so that its keep-alive connection carries the client's
/// next request: the caller is taken as a `Result` for that.
async fn handle(
    caller: Result<Inference, ApiError>,
    req: HttpRequest,
    payload: actix_web::web::Payload,
    api: Api,
) -> Result<HttpResponse, ApiError> {
    let Inference(principal) = match caller {
        Ok(caller) => caller,
        Err(e) => return Err(drain(&req, payload, e).await),
    };
    let mut payload = Some(payload);
    match handle_read(principal, req.clone(), &mut payload, api).await {
        Err(e) => match payload.take() {
            Some(unread) => Err(drain(&req, unread, e).await),
            None => Err(e),
        },
        ok => ok,
    }
}

/// Reads and drops the body of a request refused before reading it, up to
/// the request size limit and for at most a few seconds; past either, the
/// refusal says `Connection: close` rather than leave the client's next
/// request unanswered on a connection the server drops.
async fn drain(req: &HttpRequest, mut payload: actix_web::web::Payload, e: ApiError) -> ApiError {
    let limit = req
        .app_data::<Data<ModelSlot>>()
        .and_then(|slot| slot.get())
        .map_or(
            crate::config::ModelConfig::default().max_request_bytes,
            |m| m.max_request_bytes,
        );
    let drained = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        let mut seen = 0usize;
        while let Some(chunk) = payload.next().await {
            seen += chunk.map_err(|_| ())?.len();
            if seen > limit {
                return Err(());
            }
        }
        Ok(())
    })
    .await;
    match drained {
        Ok(Ok(())) => e,
        _ => e.closing(),
    }
}

/// `GET /v1/models`: the embedded model and every upstream's that the
/// caller's policy lets them use.
pub async fn models(
    crate::serving::caller::Caller(principal): crate::serving::caller::Caller,
    slot: Data<ModelSlot>,
    upstreams: Option<Data<crate::serving::upstream::Upstreams>>,
    policy: Option<Data<crate::serving::policy::PolicyContext>>,
) -> Result<HttpResponse, ApiError> {
    let data = listed(
        &principal,
        &slot,
        upstreams.as_ref().map(|u| u.get_ref()),
        policy.as_ref().map(|p| p.get_ref()),
    );
    Ok(HttpResponse::Ok().json(json!({"object": "list", "data": data})))
}

/// `GET /v1/models/{id}` (the SDKs' `models.retrieve`): one model of
/// [`models`]; 404 for one not served, or not for this caller.
pub async fn model(
    crate::serving::caller::Caller(principal): crate::serving::caller::Caller,
    id: actix_web::web::Path<String>,
    slot: Data<ModelSlot>,
    upstreams: Option<Data<crate::serving::upstream::Upstreams>>,
    policy: Option<Data<crate::serving::policy::PolicyContext>>,
) -> Result<HttpResponse, ApiError> {
    listed(
        &principal,
        &slot,
        upstreams.as_ref().map(|u| u.get_ref()),
        policy.as_ref().map(|p| p.get_ref()),
    )
    .into_iter()
    .find(|m| m.get("id").and_then(Value::as_str) == Some(id.as_str()))
    .map(|m| HttpResponse::Ok().json(m))
    .ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            format!("the model {:?} is not served here", id.as_str()),
        )
        .with_param("model")
    })
}

/// The models `principal` may use, as `/v1/models` lists them.
fn listed(
    principal: &Principal,
    slot: &ModelSlot,
    upstreams: Option<&crate::serving::upstream::Upstreams>,
    policy: Option<&crate::serving::policy::PolicyContext>,
) -> Vec<Value> {
    let allowed = |id: &str, license: &str, to: Option<&crate::serving::policy::Destination>| {
        policy.is_some_and(|p| crate::serving::policy::may_use(p, principal, id, license, to))
    };
    let mut data: Vec<Value> = slot
        .get()
        .filter(|m| {
            allowed(
                &m.card.id,
                m.card.terms.license.as_deref().unwrap_or_default(),
                None,
            )
        })
        .map(|m| vec![m.card.listing("palisade", Some(m.context_length))])
        .unwrap_or_default();
    for (id, routes) in upstreams.iter().flat_map(|u| u.models()) {
        let Some(first) = routes.first() else {
            continue;
        };
        let to = crate::serving::policy::Destination {
            upstream: first.upstream.name.clone(),
            region: first.upstream.region.clone(),
            jurisdiction: first.upstream.jurisdiction.clone(),
        };
        let license = first.upstream.license.as_deref().unwrap_or_default();
        if !allowed(id, license, Some(&to)) {
            continue;
        }
        let card = ModelCard {
            id: id.to_owned(),
            created: 0,
            engine_version: String::new(),
            weights_digest: None,
            chat_template_hash: None,
            terms: crate::license::terms::of_license(license),
        };
        data.push(card.listing(&format!("upstream:{}", first.upstream.name), None));
    }
    data
}
