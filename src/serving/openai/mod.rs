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

use super::auth::{AuditContext, authorize};
use super::error::{ApiError, ErrorCode};
use super::scheduler::{Event, Finish, Job, Scheduler, TokenLogprob};
use crate::audit::keys::pseudonym;
use crate::audit::record::{AuditEvent, EventType};
use crate::engine::sampling::SamplingParams;
use crate::engine::tokenizer::{ChatMessage, TextTokenizer};
use crate::identity::principal::{Principal, Role};

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

/// The loaded model, as the API serves it.
#[derive(Debug)]
pub struct ServedModel {
    pub id: String,
    pub created: i64,
    pub context_length: usize,
    pub tokenizer: TextTokenizer,
    pub scheduler: Scheduler,
    pub default_max_tokens: usize,
    pub request_timeout: Duration,
    pub max_request_bytes: usize,
    pub engine_version: String,
    /// `sha256:` digest of the weights (`engine::weights::digest`).
    pub weights_digest: String,
    /// The model's own license terms (attribution shown where asked).
    pub terms: crate::license::terms::ModelTerms,
}

/// The header that carries a model license's attribution on every answer.
pub const ATTRIBUTION_HEADER: &str = "X-Model-Attribution";

impl ServedModel {
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

fn served(req: &HttpRequest) -> Result<Arc<ServedModel>, ApiError> {
    req.app_data::<Data<ModelSlot>>()
        .and_then(|slot| slot.get())
        .ok_or_else(|| ApiError::new(ErrorCode::NotReady, "no model is loaded yet; see /readyz"))
}

fn invalid(param: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest, message).with_param(param)
}

/// `stop`: a string or a list of strings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Stop {
    One(String),
    Many(Vec<String>),
}

/// Message `content`: a string or a list of parts.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Content {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Debug, Deserialize)]
struct ContentPart {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
struct MessageIn {
    role: String,
    #[serde(default)]
    content: Option<Content>,
}

#[derive(Debug, Deserialize)]
struct StreamOptions {
    #[serde(default)]
    include_usage: Option<bool>,
}

/// What chat and text completions share.
#[derive(Debug, Deserialize)]
struct Common {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    max_tokens: Option<i64>,
    #[serde(default)]
    max_completion_tokens: Option<i64>,
    #[serde(default)]
    temperature: Option<f32>,
    #[serde(default)]
    top_p: Option<f32>,
    #[serde(default)]
    n: Option<i64>,
    #[serde(default)]
    stop: Option<Stop>,
    #[serde(default)]
    seed: Option<i64>,
    #[serde(default)]
    presence_penalty: Option<f32>,
    #[serde(default)]
    frequency_penalty: Option<f32>,
    #[serde(default)]
    logprobs: Option<Value>,
    #[serde(default)]
    top_logprobs: Option<i64>,
    #[serde(default)]
    stream: Option<bool>,
    #[serde(default)]
    stream_options: Option<StreamOptions>,
    #[serde(default)]
    top_k: Option<i64>,
    #[serde(default)]
    min_p: Option<f32>,
    #[serde(default)]
    repetition_penalty: Option<f32>,
}

/// The body as a JSON object.
fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "the body must be a JSON object",
        )),
        Err(e) => Err(ApiError::new(
            ErrorCode::InvalidRequest,
            format!("the body is not valid JSON: {e}"),
        )),
    }
}

/// Reads a `T` out of `value` (the body, or its field `field`), naming the
/// field a wrong type sits in.
fn typed<T: serde::de::DeserializeOwned>(value: Value, field: &str) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.path().to_string();
        let path = match (field, inner.as_str()) {
            ("", p) => p.to_owned(),
            (f, ".") => f.to_owned(),
            (f, p) if p.starts_with('[') => format!("{f}{p}"),
            (f, p) => format!("{f}.{p}"),
        };
        let message = e.into_inner().to_string();
        invalid(&path, format!("`{path}`: {message}"))
    })
}

/// OpenAI parameters this release does not honour: refused with 400
/// `unsupported_parameter` naming them, never silently ignored (an app
/// that asks for tool calls or JSON output must not get plain text).
fn refuse_unsupported(body: &serde_json::Map<String, Value>) -> Result<(), ApiError> {
    let unsupported = |param: &str, what: &str| {
        Err(ApiError::new(
            ErrorCode::UnsupportedParameter,
            format!("`{param}` is not supported by this release: {what}"),
        )
        .with_param(param))
    };
    for param in [
        "tools",
        "tool_choice",
        "functions",
        "function_call",
        "parallel_tool_calls",
    ] {
        if body.get(param).is_some_and(|v| !v.is_null()) {
            return unsupported(param, "tool calling is not available yet");
        }
    }
    if let Some(format) = body.get("response_format").filter(|v| !v.is_null())
        && format.get("type").and_then(Value::as_str) != Some("text")
    {
        return unsupported(
            "response_format",
            "structured output (json_object, json_schema) is not available yet; only {\"type\": \"text\"}",
        );
    }
    if body
        .get("logit_bias")
        .is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty()))
    {
        return unsupported("logit_bias", "token biases are not applied");
    }
    if body
        .get("best_of")
        .and_then(Value::as_i64)
        .is_some_and(|n| n > 1)
    {
        return unsupported(
            "best_of",
            "only one candidate is generated per choice; use `n`",
        );
    }
    if body.get("echo").and_then(Value::as_bool) == Some(true) {
        return unsupported("echo", "the prompt is not echoed");
    }
    if body
        .get("suffix")
        .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()))
    {
        return unsupported(
            "suffix",
            "insertion (a text after the completion) is not available",
        );
    }
    for param in ["audio", "modalities", "prediction", "web_search_options"] {
        if body
            .get(param)
            .is_some_and(|v| !v.is_null() && v != &Value::Array(vec![json!("text")]))
        {
            return unsupported(param, "only text in, text out");
        }
    }
    Ok(())
}

/// A required field of the body.
fn field<T: serde::de::DeserializeOwned>(
    body: &mut serde_json::Map<String, Value>,
    name: &str,
) -> Result<T, ApiError> {
    let value = body
        .remove(name)
        .ok_or_else(|| invalid(name, format!("`{name}` is required")))?;
    typed(value, name)
}

/// A validated request, ready for the scheduler.
struct Plan {
    prompt: Vec<u32>,
    params: SamplingParams,
    max_tokens: usize,
    n: usize,
    stop: Vec<String>,
    stream: bool,
    include_usage: bool,
    /// Log-probabilities asked for, with this many alternatives.
    logprobs: Option<usize>,
}

/// `logprobs` / `top_logprobs`, whose types differ between the APIs: chat
/// has a boolean and a count up to 20, text completions a count up to 5.
fn logprobs_asked(common: &Common, api: Api) -> Result<Option<usize>, ApiError> {
    let count = |field: &str, n: i64, max: i64| {
        if (0..=max).contains(&n) {
            Ok(n as usize)
        } else {
            Err(invalid(
                field,
                format!("`{field}` must be between 0 and {max}, not {n}"),
            ))
        }
    };
    match api {
        Api::Chat => {
            let on = match &common.logprobs {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(invalid(
                        "logprobs",
                        format!("`logprobs` must be a boolean, not {other}"),
                    ));
                }
            };
            match (on, common.top_logprobs) {
                (false, Some(_)) => Err(invalid(
                    "top_logprobs",
                    "`top_logprobs` needs `logprobs` set to true",
                )),
                (false, None) => Ok(None),
                (true, None) => Ok(Some(0)),
                (true, Some(n)) => count("top_logprobs", n, MAX_TOP_LOGPROBS_CHAT).map(Some),
            }
        }
        Api::Text => match &common.logprobs {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => {
                count("logprobs", n.as_i64().unwrap_or(-1), MAX_TOP_LOGPROBS_TEXT).map(Some)
            }
            Some(other) => Err(invalid(
                "logprobs",
                format!(
                    "`logprobs` must be an integer between 0 and {MAX_TOP_LOGPROBS_TEXT}, not {other}"
                ),
            )),
        },
    }
}

/// Checks the sampling and length fields against the model.
fn plan(
    common: &Common,
    model: &ServedModel,
    prompt: Vec<u32>,
    api: Api,
) -> Result<Plan, ApiError> {
    // Where the prompt came from, for errors that name it.
    let prompt_field = match api {
        Api::Chat => "messages",
        Api::Text => "prompt",
    };
    if let Some(name) = &common.model
        && name != &model.id
    {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!(
                "the model {name:?} is not served here; this node serves {:?}",
                model.id
            ),
        )
        .with_param("model"));
    }
    let logprobs = logprobs_asked(common, api)?;
    let n = common.n.unwrap_or(1);
    if !(1..=MAX_CHOICES as i64).contains(&n) {
        return Err(invalid(
            "n",
            format!("`n` must be between 1 and {MAX_CHOICES}, not {n}"),
        ));
    }
    let (max_key, max_tokens) = match (common.max_completion_tokens, common.max_tokens) {
        (Some(m), _) => ("max_completion_tokens", Some(m)),
        (None, Some(m)) => ("max_tokens", Some(m)),
        (None, None) => ("max_tokens", None),
    };
    let context = model.context_length;
    let max_tokens = match max_tokens {
        Some(m) if m < 1 => {
            return Err(invalid(
                max_key,
                format!("`{max_key}` must be at least 1, not {m}"),
            ));
        }
        Some(m) => usize::try_from(m).unwrap_or(usize::MAX),
        None => model
            .default_max_tokens
            .min(context.saturating_sub(prompt.len()))
            .max(1),
    };
    if prompt.is_empty() {
        return Err(invalid(prompt_field, "the prompt is empty"));
    }
    if prompt.len().saturating_add(max_tokens) > context {
        return Err(ApiError::new(
            ErrorCode::ContextLengthExceeded,
            format!(
                "the prompt has {} tokens and {max_key} asks for {max_tokens}; the model's context is {context} tokens",
                prompt.len()
            ),
        )
        .with_param(if prompt.len() >= context { prompt_field } else { max_key }));
    }
    if !model.scheduler.fits(prompt.len() + max_tokens) {
        return Err(ApiError::new(
            ErrorCode::ContextLengthExceeded,
            "the prompt and max_tokens need more KV cache than this node has (model.kv_blocks)",
        )
        .with_param(max_key));
    }
    let stop = match &common.stop {
        None => Vec::new(),
        Some(Stop::One(s)) => vec![s.clone()],
        Some(Stop::Many(list)) => list.clone(),
    };
    if stop.len() > MAX_STOP_STRINGS {
        return Err(invalid(
            "stop",
            format!(
                "at most {MAX_STOP_STRINGS} stop strings, not {}",
                stop.len()
            ),
        ));
    }
    if stop.iter().any(String::is_empty) {
        return Err(invalid("stop", "stop strings must not be empty"));
    }
    let top_k = match common.top_k {
        None | Some(-1) | Some(0) => None,
        Some(k) if k < 0 => {
            return Err(invalid(
                "top_k",
                format!("`top_k` must be positive, not {k}"),
            ));
        }
        Some(k) => Some(usize::try_from(k).unwrap_or(usize::MAX)),
    };
    let params = SamplingParams {
        temperature: common.temperature.unwrap_or(1.0),
        top_k,
        top_p: common.top_p.unwrap_or(1.0),
        min_p: common.min_p.unwrap_or(0.0),
        repetition_penalty: common.repetition_penalty.unwrap_or(1.0),
        presence_penalty: common.presence_penalty.unwrap_or(0.0),
        frequency_penalty: common.frequency_penalty.unwrap_or(0.0),
        seed: common.seed.map(|s| s as u64),
    };
    if let Some(t) = common.temperature
        && !(0.0..=2.0).contains(&t)
    {
        return Err(invalid(
            "temperature",
            format!("`temperature` must be between 0 and 2, not {t}"),
        ));
    }
    params.validate().map_err(|e| {
        let message = e.to_string();
        let field = [
            "top_p",
            "min_p",
            "repetition_penalty",
            "presence_penalty",
            "frequency_penalty",
            "temperature",
            "top_k",
        ]
        .into_iter()
        .find(|f| message.contains(f))
        .unwrap_or("temperature");
        invalid(field, message)
    })?;
    Ok(Plan {
        prompt,
        params,
        max_tokens,
        n: n as usize,
        stop,
        stream: common.stream.unwrap_or(false),
        include_usage: common
            .stream_options
            .as_ref()
            .and_then(|o| o.include_usage)
            .unwrap_or(false),
        logprobs,
    })
}

/// The chat's messages, checked: roles known, content text only.
fn chat_messages(messages: &[MessageIn]) -> Result<Vec<ChatMessage>, ApiError> {
    if messages.is_empty() {
        return Err(invalid("messages", "`messages` must not be empty"));
    }
    let mut chat = Vec::with_capacity(messages.len());
    for (i, m) in messages.iter().enumerate() {
        let role = match m.role.as_str() {
            "developer" => "system",
            r @ ("system" | "user" | "assistant" | "tool") => r,
            other => {
                return Err(invalid(
                    &format!("messages[{i}].role"),
                    format!("unknown role {other:?} (system, developer, user, assistant, tool)"),
                ));
            }
        };
        let content = match &m.content {
            None => String::new(),
            Some(Content::Text(t)) => t.clone(),
            Some(Content::Parts(parts)) => {
                let mut text = String::new();
                for (j, p) in parts.iter().enumerate() {
                    match (p.kind.as_str(), &p.text) {
                        ("text", Some(t)) => text.push_str(t),
                        (kind, _) => {
                            return Err(invalid(
                                &format!("messages[{i}].content[{j}]"),
                                format!(
                                    "content parts of type {kind:?} are not supported (text only)"
                                ),
                            ));
                        }
                    }
                }
                text
            }
        };
        chat.push(ChatMessage {
            role: role.to_owned(),
            content,
        });
    }
    Ok(chat)
}

/// The chat rendered by the model's template and tokenized.
fn chat_prompt(model: &ServedModel, chat: &[ChatMessage]) -> Result<Vec<u32>, ApiError> {
    // Message text that spells a special token stays plain text.
    model
        .tokenizer
        .encode_chat(chat, true)
        .map_err(|e| invalid("messages", e.to_string()))
}

/// The one prompt of a text completion.
fn completion_text(prompt: Stop) -> Result<String, ApiError> {
    match prompt {
        Stop::One(t) => Ok(t),
        Stop::Many(list) if list.len() == 1 => Ok(list.into_iter().next().unwrap_or_default()),
        Stop::Many(list) => Err(invalid(
            "prompt",
            format!("one prompt per request, not {}", list.len()),
        )),
    }
}

fn completion_prompt(model: &ServedModel, text: &str) -> Result<Vec<u32>, ApiError> {
    model
        .tokenizer
        .encode_untrusted(text, true)
        .map_err(|e| invalid("prompt", e.to_string()))
}

async fn body_of(
    req: &HttpRequest,
    payload: actix_web::web::Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    // Past the limit, the rest is read and dropped (up to a bound), so the
    // client, still writing, receives the 413 instead of a reset.
    const DRAIN_MAX: usize = 64 << 20;
    let mut body = actix_web::web::BytesMut::new();
    let mut payload = payload;
    let mut seen = 0usize;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                format!("cannot read the body: {e}"),
            )
        })?;
        seen += chunk.len();
        if seen > limit {
            if seen > DRAIN_MAX {
                break;
            }
            continue;
        }
        body.extend_from_slice(&chunk);
    }
    let _ = req;
    if seen > limit {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {limit} bytes (model.max_request_bytes)"),
        ));
    }
    Ok(body.freeze())
}

/// Which API a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Chat,
    Text,
}

/// `POST /v1/chat/completions`.
pub async fn chat_completions(
    req: HttpRequest,
    payload: actix_web::web::Payload,
) -> Result<HttpResponse, ApiError> {
    handle(req, payload, Api::Chat).await
}

/// `POST /v1/completions`.
pub async fn completions(
    req: HttpRequest,
    payload: actix_web::web::Payload,
) -> Result<HttpResponse, ApiError> {
    handle(req, payload, Api::Text).await
}

/// Identity, body, prompt, plan, then [`run`]. A request refused before its
/// body is read (401, 403, 429, 503) has the body drained first, so that
/// its keep-alive connection carries the client's next request.
async fn handle(
    req: HttpRequest,
    payload: actix_web::web::Payload,
    api: Api,
) -> Result<HttpResponse, ApiError> {
    let mut payload = Some(payload);
    match handle_read(req.clone(), &mut payload, api).await {
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

async fn handle_read(
    req: HttpRequest,
    payload: &mut Option<actix_web::web::Payload>,
    api: Api,
) -> Result<HttpResponse, ApiError> {
    let principal = authorize(&req, Some(Role::Inference)).await?;
    let model = served(&req)?;
    let Some(payload) = payload.take() else {
        return Err(ApiError::new(
            ErrorCode::Internal,
            "the body was already read",
        ));
    };
    let body = body_of(&req, payload, model.max_request_bytes).await?;
    let mut object = parse_object(&body)?;
    let mut chat = Vec::new();
    let texts = match api {
        Api::Chat => {
            let messages: Vec<MessageIn> = field(&mut object, "messages")?;
            chat = chat_messages(&messages)?;
            chat.iter().map(|m| m.content.clone()).collect()
        }
        Api::Text => {
            let prompt: Stop = field(&mut object, "prompt")?;
            vec![completion_text(prompt)?]
        }
    };
    refuse_unsupported(&object)?;
    let common: Common = typed(Value::Object(object), "")?;
    // A prompt certain not to fit the context is refused before any work.
    let bytes: usize = texts.iter().map(String::len).sum();
    if let Some(at_least) = model.tokenizer.tokens_at_least(bytes)
        && at_least >= model.context_length
    {
        return Err(ApiError::new(
            ErrorCode::ContextLengthExceeded,
            format!(
                "the prompt is {bytes} bytes, so at least {at_least} tokens; the model's context is {} tokens",
                model.context_length
            ),
        )
        .with_param(if api == Api::Chat { "messages" } else { "prompt" }));
    }
    // Policy before any work: identifiers found, classification settled,
    // Cedar asked; a deny is recorded and answered 403. Detection, the
    // chat template and tokenizing run off the HTTP workers, so that large
    // bodies never hold up health checks and small requests.
    let policy = req
        .app_data::<Data<super::policy::PolicyContext>>()
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::NotReady, "the policy engine is not loaded"))?;
    let declared = super::policy::Declared::of(&req)?;
    let prepared = {
        let (model, principal) = (model.clone(), principal.clone());
        offload(move || prepare(&declared, &policy, &principal, &model, api, chat, texts)).await?
    };
    let (screening, prompt) = match prepared {
        Prepared::Denied(screening) => {
            let audit = req.app_data::<Data<AuditContext>>().ok_or_else(|| {
                ApiError::new(
                    ErrorCode::AuditUnavailable,
                    "the audit trail is not available",
                )
            })?;
            let mut refused = refusal(
                audit_event(
                    &req,
                    audit,
                    &principal,
                    &model,
                    EventType::InferenceRefused,
                    0,
                ),
                ErrorCode::PolicyDenied,
                screening.decision.reason.clone(),
            );
            refused.prompt_tokens = None;
            screening.stamp(&mut refused);
            audit.record(refused).await?;
            return Err(screening.denial());
        }
        Prepared::Allowed(screening, prompt) => (screening, prompt),
    };
    let plan = plan(&common, &model, prompt, api)?;
    run(req, principal, model, plan, api, &body, *screening).await
}

/// A request screened, and if allowed, its prompt tokenized.
enum Prepared {
    Denied(Box<super::policy::Screening>),
    Allowed(Box<super::policy::Screening>, Vec<u32>),
}

/// Screening (detection, redaction, the policy decision) and the prompt's
/// template and tokens: the CPU-heavy part of a request.
fn prepare(
    declared: &super::policy::Declared,
    policy: &super::policy::PolicyContext,
    principal: &Principal,
    model: &ServedModel,
    api: Api,
    mut chat: Vec<ChatMessage>,
    mut texts: Vec<String>,
) -> Result<Prepared, ApiError> {
    let screening = super::policy::screen_declared(
        declared,
        policy,
        principal,
        &model.id,
        model.terms.license.as_deref().unwrap_or_default(),
        &mut texts,
    )?;
    if !screening.decision.allowed {
        return Ok(Prepared::Denied(Box::new(screening)));
    }
    let prompt = match api {
        Api::Chat => {
            for (m, text) in chat.iter_mut().zip(texts) {
                m.content = text;
            }
            chat_prompt(model, &chat)?
        }
        Api::Text => completion_prompt(model, texts.first().map_or("", String::as_str))?,
    };
    Ok(Prepared::Allowed(Box::new(screening), prompt))
}

/// Runs CPU-heavy request work on the blocking pool, at most one job per
/// CPU at a time (the rest wait their turn without holding a thread).
async fn offload<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let permits = PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    let busy = |_| ApiError::new(ErrorCode::Internal, "the request worker pool is closed");
    let _permit = permits.acquire().await.map_err(busy)?;
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "request preparation failed");
        ApiError::new(ErrorCode::Internal, "request preparation failed")
    })?
}

/// `GET /v1/models`.
pub async fn models(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    authorize(&req, None).await?;
    let data: Vec<Value> = req
        .app_data::<Data<ModelSlot>>()
        .and_then(|slot| slot.get())
        .map(|m| {
            vec![json!({
                "id": m.id,
                "object": "model",
                "created": m.created,
                "owned_by": "palisade",
                "context_length": m.context_length,
                "license": {
                    "id": m.terms.license,
                    "attribution": m.terms.attribution,
                    "acceptable_use": m.terms.acceptable_use,
                    "mau_threshold": m.terms.mau_threshold,
                },
            })]
        })
        .unwrap_or_default();
    Ok(HttpResponse::Ok().json(json!({"object": "list", "data": data})))
}

fn audit_event(
    req: &HttpRequest,
    audit: &AuditContext,
    principal: &Principal,
    model: &ServedModel,
    event_type: EventType,
    prompt_tokens: usize,
) -> AuditEvent {
    let mut e = audit.event(req, event_type, 200);
    audit.principal(&mut e, principal);
    e.model_id = Some(model.id.clone());
    e.engine_version = Some(model.engine_version.clone());
    e.weights_digest = Some(model.weights_digest.clone());
    e.chat_template_hash = model.tokenizer.chat_template_hash();
    e.prompt_tokens = Some(prompt_tokens as u64);
    e
}

/// An `inference_refused` record: the status and code the client gets, and
/// why.
fn refusal(mut e: AuditEvent, code: ErrorCode, reason: String) -> AuditEvent {
    e.status = Some(code.status().as_u16());
    e.outcome = Some("refused".into());
    e.error_code = Some(code.as_str().into());
    e.reason = Some(reason);
    e
}

/// Records acceptance, queues the choices, and answers (whole or streamed).
async fn run(
    req: HttpRequest,
    principal: Principal,
    model: Arc<ServedModel>,
    plan: Plan,
    api: Api,
    body: &[u8],
    screening: super::policy::Screening,
) -> Result<HttpResponse, ApiError> {
    let audit = req
        .app_data::<Data<AuditContext>>()
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::AuditUnavailable,
                "the audit trail is not available",
            )
        })?;
    let started = Instant::now();
    // Monthly active users: a subject new this month is committed before
    // anything else happens; at an enforced limit it is refused.
    if let Some(mau) = req.app_data::<Data<crate::mau::Accountant>>() {
        let subject = audit.subject_pseudonym(&principal);
        let now = time::OffsetDateTime::now_utc();
        let admission = mau
            .admit(&subject, &principal.tenant, now)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "monthly-active-user accounting cannot commit");
                ApiError::new(
                    ErrorCode::AuditUnavailable,
                    "monthly-active-user accounting cannot commit; the request fails closed",
                )
            })?;
        let metrics = req.app_data::<Data<crate::telemetry::metrics::Metrics>>();
        match admission {
            crate::mau::Admission::Known => {}
            crate::mau::Admission::New { count, crossed } => {
                if let Some(m) = metrics {
                    m.serving.mau_active_users.set(count as i64);
                }
                // The evidence of the count, in the trail.
                let mut counted = audit.event(&req, EventType::MauSubjectCounted, 200);
                audit.principal(&mut counted, &principal);
                counted.mau_month = Some(crate::mau::month_of(now));
                audit.record(counted).await?;
                let (limit, mode) = mau.terms();
                let readiness = req.app_data::<Data<crate::daemon::readiness::Readiness>>();
                // The license's limit (in `observe` mode only counted), and
                // the model license's own threshold (warned, never
                // enforced: the appliance sees only its own users).
                let license = crossed
                    .filter(|_| mode != crate::license::MauMode::Observe)
                    .zip(limit)
                    .map(|(p, l)| (p, l, "the license's limit".to_owned(), "license_limit"));
                let model_threshold = model.terms.mau_threshold.and_then(|t| {
                    crate::mau::threshold_crossed(count, t).map(|p| {
                        (
                            p,
                            t,
                            format!("the {} model license's threshold", model.id),
                            "model_license",
                        )
                    })
                });
                for (percent, of, what, topic) in license.into_iter().chain(model_threshold) {
                    tracing::warn!(
                        count,
                        of,
                        ?mode,
                        percent,
                        "monthly active users crossed {percent} % of {what}"
                    );
                    if let Some(r) = readiness {
                        r.set_note(
                            &format!("mau:{topic}"),
                            crate::mau::status_note(count, of, &what),
                        );
                    }
                    let mut e = audit.event(&req, EventType::MauThresholdCrossed, 200);
                    audit.principal(&mut e, &principal);
                    e.model_id = Some(model.id.clone());
                    e.reason = Some(format!(
                        "{percent}% of {what} ({count} of {of} in {})",
                        crate::mau::month_of(now)
                    ));
                    audit.record(e).await?;
                }
            }
            crate::mau::Admission::Refused { count, limit } => {
                if let Some(m) = metrics {
                    m.serving.mau_refused.inc();
                }
                let refused = refusal(
                    audit_event(
                        &req,
                        &audit,
                        &principal,
                        &model,
                        EventType::InferenceRefused,
                        plan.prompt.len(),
                    ),
                    ErrorCode::LicenseMauExceeded,
                    format!("{count} of {limit} monthly active users"),
                );
                let mut refused = refused;
                screening.stamp(&mut refused);
                audit.record(refused).await?;
                return Err(ApiError::new(
                    ErrorCode::LicenseMauExceeded,
                    format!(
                        "the license's limit of {limit} monthly active users is reached; users already active this month are still served"
                    ),
                ));
            }
        }
    }
    // A place in the queue first: a request refused for a full queue was
    // never accepted.
    let Ok(reservation) = model.scheduler.reserve(plan.n) else {
        let refused = refusal(
            audit_event(
                &req,
                &audit,
                &principal,
                &model,
                EventType::InferenceRefused,
                plan.prompt.len(),
            ),
            ErrorCode::RateLimited,
            "queue_full".into(),
        );
        let mut refused = refused;
        screening.stamp(&mut refused);
        audit.record(refused).await?;
        return Err(ApiError::rate_limited("queue", Duration::from_secs(1)));
    };
    let mut accepted = audit_event(
        &req,
        &audit,
        &principal,
        &model,
        EventType::InferenceAccepted,
        plan.prompt.len(),
    );
    screening.stamp(&mut accepted);
    // The request's content is not stored; its keyed hash is (unless
    // policy forbids even that), so an auditor with the transcript and the
    // key can show they match.
    if screening.keeps_content_hashes() {
        accepted.prompt_hash = Some(pseudonym(
            &audit.pseudonym_key,
            &[&String::from_utf8_lossy(body)],
        ));
    }
    let prompt_hash = accepted.prompt_hash.clone();
    // Committed before the request reaches the engine, so before its first
    // token.
    audit.record(accepted).await?;

    let deadline = started + model.request_timeout;
    let mut receivers = Vec::with_capacity(plan.n);
    let mut jobs = Vec::with_capacity(plan.n);
    for i in 0..plan.n {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let mut params = plan.params.clone();
        // Each choice its own seed, derived from the request's.
        params.seed = params.seed.map(|s| s.wrapping_add(i as u64));
        jobs.push(Job {
            prompt: plan.prompt.clone(),
            params,
            max_tokens: plan.max_tokens,
            stop: plan.stop.clone(),
            deadline,
            logprobs: plan.logprobs,
            events: tx,
        });
        receivers.push(rx);
    }
    reservation.send(jobs);
    let id = format!(
        "{}-{}",
        if api == Api::Chat { "chatcmpl" } else { "cmpl" },
        uuid::Uuid::now_v7().simple()
    );
    let created = time::OffsetDateTime::now_utc().unix_timestamp();
    let completion = Completion {
        req,
        audit,
        principal,
        model,
        id,
        created,
        api,
        started,
        prompt_tokens: plan.prompt.len(),
        prompt_hash,
        logprobs: plan.logprobs.is_some(),
        screening,
    };
    if plan.stream {
        Ok(completion.stream(receivers, plan.include_usage))
    } else {
        completion.whole(receivers).await
    }
}

/// One accepted request being answered.
#[derive(Clone)]
struct Completion {
    req: HttpRequest,
    audit: Data<AuditContext>,
    principal: Principal,
    model: Arc<ServedModel>,
    id: String,
    created: i64,
    api: Api,
    started: Instant,
    prompt_tokens: usize,
    prompt_hash: Option<String>,
    /// Whether the answer carries log-probabilities.
    logprobs: bool,
    /// The policy decision the request was accepted under.
    screening: super::policy::Screening,
}

/// A choice, as its events arrive.
#[derive(Default)]
struct Choice {
    /// The text as generated.
    text: String,
    /// The text as sent (identifiers the output policy redacts replaced).
    delivered: String,
    /// Identifiers were redacted from what was sent.
    redacted: bool,
    /// The categories found in `text`, once scanned whole.
    found: Option<std::collections::BTreeSet<&'static str>>,
    finish: Option<Finish>,
    completion_tokens: usize,
    /// Why it failed, as the client is told.
    error: Option<(ErrorCode, String)>,
    /// When its last text arrived, for the latency histograms.
    last_text: Option<Instant>,
    logprobs: Vec<TokenLogprob>,
    /// The byte range of `text` each log-probability came with.
    logprob_spans: Vec<(usize, usize)>,
    /// Log-probabilities sent so far (a screened stream holds them back
    /// with their text).
    logprobs_sent: usize,
    /// Characters of token text before the next log-probability (a text
    /// completion's `text_offset`).
    offset: usize,
}

impl Choice {
    /// A choice whose events ended without an end of its own failed.
    fn close(&mut self) {
        if self.finish.is_none() && self.error.is_none() {
            self.error = Some((ErrorCode::NotReady, "the engine stopped".into()));
        }
    }
}

impl Completion {
    /// The detector that screens the output.
    fn policy(&self) -> Option<Data<super::policy::PolicyContext>> {
        self.req
            .app_data::<Data<super::policy::PolicyContext>>()
            .cloned()
    }

    /// Notes the arrival of text on `choice`: time to first token, then
    /// inter-token latency.
    fn observe_text(&self, choice: &mut Choice) {
        let now = Instant::now();
        if let Some(m) = self
            .req
            .app_data::<Data<crate::telemetry::metrics::Metrics>>()
        {
            match choice.last_text {
                None => m
                    .serving
                    .time_to_first_token
                    .observe((now - self.started).as_secs_f64()),
                Some(t) => m
                    .serving
                    .inter_token_latency
                    .observe((now - t).as_secs_f64()),
            }
        }
        choice.last_text = Some(now);
    }

    /// Applies an engine event to its choice; true when the choice ended.
    fn apply(&self, choice: &mut Choice, event: &Event) -> bool {
        match event {
            Event::Text { text, logprobs } => {
                self.observe_text(choice);
                let start = choice.text.len();
                choice.text.push_str(text);
                let span = (start, choice.text.len());
                choice.logprobs.extend(logprobs.iter().cloned());
                choice
                    .logprob_spans
                    .extend(std::iter::repeat_n(span, logprobs.len()));
                false
            }
            Event::Done {
                finish,
                completion_tokens,
                ..
            } => {
                choice.finish = Some(*finish);
                choice.completion_tokens = *completion_tokens;
                true
            }
            Event::Failed(message) => {
                choice.error = Some((ErrorCode::Internal, message.clone()));
                true
            }
            Event::TimedOut(message) => {
                choice.error = Some((ErrorCode::Overloaded, message.clone()));
                true
            }
        }
    }

    fn object(&self, chunk: bool) -> &'static str {
        match (self.api, chunk) {
            (Api::Chat, false) => "chat.completion",
            (Api::Chat, true) => "chat.completion.chunk",
            (Api::Text, _) => "text_completion",
        }
    }

    /// Commits the completion record; the answer goes out only after.
    /// `cancelled`: the client went away before the end.
    async fn record_completion(&self, choices: &[Choice], cancelled: bool) -> Result<(), ApiError> {
        let mut e = audit_event(
            &self.req,
            &self.audit,
            &self.principal,
            &self.model,
            EventType::InferenceCompleted,
            self.prompt_tokens,
        );
        let completion_tokens: usize = choices.iter().map(|c| c.completion_tokens).sum();
        e.completion_tokens = Some(completion_tokens as u64);
        e.latency_ms = Some(self.started.elapsed().as_millis() as u64);
        e.end_time = Some(crate::audit::record::timestamp(
            time::OffsetDateTime::now_utc(),
        ));
        self.screening.stamp(&mut e);
        if let Some(policy) = self.policy() {
            let mut found = std::collections::BTreeSet::new();
            for c in choices {
                match &c.found {
                    Some(known) => found.extend(known.iter().copied()),
                    None => found.extend(
                        policy
                            .detector
                            .scan(&c.text)
                            .iter()
                            .map(|f| f.category.as_str()),
                    ),
                }
            }
            e.output_identifier_categories = found.into_iter().map(str::to_owned).collect();
        }
        e.output_redacted = choices.iter().any(|c| c.redacted);
        e.prompt_hash = self.prompt_hash.clone();
        if self.screening.keeps_content_hashes() {
            // Of what the client received.
            let all: String = choices
                .iter()
                .map(|c| c.delivered.as_str())
                .collect::<Vec<_>>()
                .join("\u{0}");
            e.completion_hash = Some(pseudonym(&self.audit.pseudonym_key, &[&all]));
        }
        e.finish_reason = choices
            .first()
            .and_then(|c| c.finish)
            .map(|f| f.as_str().to_owned());
        if cancelled {
            e.outcome = Some("cancelled".into());
            e.reason = Some("client_disconnected".into());
        } else if let Some((code, err)) = choices.iter().find_map(|c| c.error.clone()) {
            e.outcome = Some("failed".into());
            e.status = Some(code.status().as_u16());
            e.error_code = Some(code.as_str().into());
            e.reason = Some(err);
        }
        self.audit.record(e).await
    }

    fn usage(&self, choices: &[Choice]) -> Value {
        let completion_tokens: usize = choices.iter().map(|c| c.completion_tokens).sum();
        json!({
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": self.prompt_tokens + completion_tokens,
        })
    }

    async fn whole(
        self,
        receivers: Vec<UnboundedReceiver<Event>>,
    ) -> Result<HttpResponse, ApiError> {
        // If the client goes away while this waits, the handler is dropped
        // here: the guard records the cancellation.
        let mut guard = CancelGuard(Some(self.clone()));
        let mut choices = Vec::with_capacity(receivers.len());
        for mut rx in receivers {
            let mut choice = Choice::default();
            while let Some(event) = rx.recv().await {
                if self.apply(&mut choice, &event) {
                    break;
                }
            }
            choice.close();
            match self.policy() {
                Some(policy) => {
                    // One scan: the record's categories, and what to redact.
                    let found = policy.detector.scan(&choice.text);
                    choice.found = Some(found.iter().map(|f| f.category.as_str()).collect());
                    let (delivered, redacted) =
                        self.screening.output.apply_found(&choice.text, &found);
                    choice.delivered = delivered;
                    choice.redacted = !redacted.is_empty();
                    super::policy::scrub_logprobs(
                        &mut choice.logprobs,
                        &choice.logprob_spans,
                        &redacted,
                    );
                }
                None => choice.delivered.clone_from(&choice.text),
            }
            choices.push(choice);
        }
        guard.0 = None;
        self.record_completion(&choices, false).await?;
        if let Some((code, err)) = choices.iter().find_map(|c| c.error.clone()) {
            return Err(failure(code, err));
        }
        let rendered: Vec<Value> = choices
            .iter()
            .enumerate()
            .map(|(index, c)| {
                let finish = c.finish.map(Finish::as_str);
                let logprobs = self.logprobs_json(&c.logprobs, &mut 0);
                match self.api {
                    Api::Chat => json!({
                        "index": index,
                        "message": {"role": "assistant", "content": c.delivered},
                        "logprobs": logprobs,
                        "finish_reason": finish,
                    }),
                    Api::Text => json!({
                        "index": index,
                        "text": c.delivered,
                        "logprobs": logprobs,
                        "finish_reason": finish,
                    }),
                }
            })
            .collect();
        Ok(self.model.attributed(HttpResponse::Ok()).json(json!({
            "id": self.id,
            "object": self.object(false),
            "created": self.created,
            "model": self.model.id,
            "choices": rendered,
            "usage": self.usage(&choices),
        })))
    }

    /// The log-probabilities of a screened stream's text released so far
    /// and not yet sent, scrubbed where their text was redacted.
    fn released_logprobs(&self, choice: &mut Choice, held: &super::policy::HeldBack) -> Value {
        let from = choice.logprobs_sent;
        let upto = from
            + choice
                .logprob_spans
                .get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|(_, end)| *end <= held.released)
                .count();
        let mut entries = choice.logprobs.get(from..upto).unwrap_or_default().to_vec();
        let spans = choice.logprob_spans.get(from..upto).unwrap_or_default();
        super::policy::scrub_logprobs(&mut entries, spans, &held.redactions);
        choice.logprobs_sent = upto;
        self.logprobs_json(&entries, &mut choice.offset)
    }

    /// The `logprobs` of a choice or chunk: null unless asked for; in the
    /// chat shape (`content` entries with `bytes`) or the text-completion
    /// shape (parallel lists, `text_offset` counted from `offset`).
    fn logprobs_json(&self, entries: &[TokenLogprob], offset: &mut usize) -> Value {
        if !self.logprobs {
            return Value::Null;
        }
        // JSON has no -inf: OpenAI's API reports such tokens as -9999.
        let finite = |lp: f32| if lp.is_finite() { lp } else { -9999.0 };
        match self.api {
            Api::Chat => {
                let entry = |token: &str, lp: f32, top: Option<Vec<Value>>| {
                    let mut v =
                        json!({"token": token, "logprob": finite(lp), "bytes": token.as_bytes()});
                    if let (Some(top), Some(object)) = (top, v.as_object_mut()) {
                        object.insert("top_logprobs".into(), Value::Array(top));
                    }
                    v
                };
                let content: Vec<Value> = entries
                    .iter()
                    .map(|e| {
                        let top = e.top.iter().map(|(t, lp)| entry(t, *lp, None)).collect();
                        entry(&e.token, e.logprob, Some(top))
                    })
                    .collect();
                json!({"content": content, "refusal": null})
            }
            Api::Text => {
                let mut offsets = Vec::with_capacity(entries.len());
                for e in entries {
                    offsets.push(*offset);
                    *offset += e.token.chars().count();
                }
                json!({
                    "tokens": entries.iter().map(|e| e.token.as_str()).collect::<Vec<_>>(),
                    "token_logprobs": entries.iter().map(|e| finite(e.logprob)).collect::<Vec<_>>(),
                    "top_logprobs": entries
                        .iter()
                        .map(|e| {
                            e.top
                                .iter()
                                .map(|(t, lp)| (t.clone(), json!(finite(*lp))))
                                .collect::<serde_json::Map<_, _>>()
                        })
                        .collect::<Vec<_>>(),
                    "text_offset": offsets,
                })
            }
        }
    }

    fn chunk(
        &self,
        index: usize,
        text: Option<&str>,
        role: bool,
        finish: Option<Finish>,
        logprobs: Value,
    ) -> Bytes {
        let finish = finish.map(Finish::as_str);
        let choice = match self.api {
            Api::Chat => {
                let mut delta = serde_json::Map::new();
                if role {
                    delta.insert("role".into(), json!("assistant"));
                }
                if let Some(t) = text {
                    delta.insert("content".into(), json!(t));
                }
                json!({"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish})
            }
            Api::Text => {
                json!({"index": index, "text": text.unwrap_or(""), "logprobs": logprobs, "finish_reason": finish})
            }
        };
        sse(&json!({
            "id": self.id,
            "object": self.object(true),
            "created": self.created,
            "model": self.model.id,
            "choices": [choice],
        }))
    }

    fn stream(self, receivers: Vec<UnboundedReceiver<Event>>, include_usage: bool) -> HttpResponse {
        let mut response = self.model.attributed(HttpResponse::Ok());
        let n = receivers.len();
        let merged = futures_util::stream::select_all(
            receivers
                .into_iter()
                .enumerate()
                .map(|(i, rx)| tokio_stream_of(rx).map(move |event| (i, event))),
        );
        let state = StreamState {
            completion: self,
            merged,
            choices: (0..n).map(|_| Choice::default()).collect(),
            held: (0..n).map(|_| super::policy::HeldBack::default()).collect(),
            started: vec![false; n],
            include_usage,
            phase: Phase::Running,
        };
        let body = futures_util::stream::unfold(state, |mut state| async move {
            let bytes = state.next().await?;
            Some((Ok::<Bytes, actix_web::Error>(bytes), state))
        });
        response
            .insert_header((header::CONTENT_TYPE, "text/event-stream"))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .streaming(body)
    }
}

/// Records a cancelled completion when dropped while armed.
struct CancelGuard(Option<Completion>);

impl Drop for CancelGuard {
    fn drop(&mut self) {
        if let Some(completion) = self.0.take() {
            actix_web::rt::spawn(async move {
                if let Err(e) = completion.record_completion(&[], true).await {
                    tracing::error!(error = ?e, "cannot record a cancelled request in the audit trail");
                }
            });
        }
    }
}

/// The error a failed choice answers with; an overloaded node says when
/// to come back.
fn failure(code: ErrorCode, message: String) -> ApiError {
    let e = ApiError::new(code, message);
    if code == ErrorCode::Overloaded {
        e.with_retry_after(Duration::from_secs(1))
    } else {
        e
    }
}

fn sse(value: &Value) -> Bytes {
    Bytes::from(format!("data: {value}\n\n"))
}

/// An unbounded receiver as a stream.
fn tokio_stream_of(
    mut rx: UnboundedReceiver<Event>,
) -> impl futures_util::Stream<Item = Event> + Unpin {
    Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running,
    Usage,
    Done,
    Closed,
}

struct StreamState<S> {
    completion: Completion,
    merged: S,
    choices: Vec<Choice>,
    /// Output not yet sent while it is screened, per choice.
    held: Vec<super::policy::HeldBack>,
    started: Vec<bool>,
    include_usage: bool,
    phase: Phase,
}

impl<S> Drop for StreamState<S> {
    /// A stream dropped before its completion record (the client went
    /// away) still leaves one: outcome `cancelled`. The engine frees the
    /// sequence at its next step, as the receivers close here.
    fn drop(&mut self) {
        if matches!(self.phase, Phase::Running | Phase::Usage) {
            let completion = self.completion.clone();
            let choices = std::mem::take(&mut self.choices);
            actix_web::rt::spawn(async move {
                if let Err(e) = completion.record_completion(&choices, true).await {
                    tracing::error!(error = ?e, "cannot record a cancelled request in the audit trail");
                }
            });
        }
    }
}

impl<S: futures_util::Stream<Item = (usize, Event)> + Unpin> StreamState<S> {
    /// The next bytes of the event stream, or None at its end.
    async fn next(&mut self) -> Option<Bytes> {
        loop {
            match self.phase {
                Phase::Closed => return None,
                Phase::Done => {
                    self.phase = Phase::Closed;
                    return Some(Bytes::from_static(b"data: [DONE]\n\n"));
                }
                Phase::Usage => {
                    // Every choice ended: commit the completion record
                    // before the client can see the end of the stream.
                    if let Err(e) = self
                        .completion
                        .record_completion(&self.choices, false)
                        .await
                    {
                        self.phase = Phase::Closed;
                        return Some(sse(&e.body()));
                    }
                    self.phase = Phase::Done;
                    if self.include_usage {
                        let c = &self.completion;
                        return Some(sse(&json!({
                            "id": c.id,
                            "object": c.object(true),
                            "created": c.created,
                            "model": c.model.id,
                            "choices": [],
                            "usage": c.usage(&self.choices),
                        })));
                    }
                }
                Phase::Running => {
                    let Some((i, event)) = self.merged.next().await else {
                        self.choices.iter_mut().for_each(Choice::close);
                        self.phase = Phase::Usage;
                        continue;
                    };
                    let first = !self.started.get(i).copied().unwrap_or(true);
                    if let Some(s) = self.started.get_mut(i) {
                        *s = true;
                    }
                    let Some(choice) = self.choices.get_mut(i) else {
                        continue;
                    };
                    self.completion.apply(choice, &event);
                    let output = &self.completion.screening.output;
                    let screen = output.screens().then(|| self.completion.policy()).flatten();
                    let held = self.held.get_mut(i);
                    return Some(match (event, screen, held) {
                        (Event::Text { text, .. }, Some(policy), Some(held)) => {
                            let sent = held.push(output, &policy.detector, &text);
                            choice.redacted |= held.redacted;
                            // The first chunk goes out at once (with the
                            // role, as OpenAI's does), even if all of its
                            // text is still held back.
                            if sent.is_empty() && !first {
                                continue;
                            }
                            choice.delivered.push_str(&sent);
                            let logprobs = self.completion.released_logprobs(choice, held);
                            self.completion.chunk(i, Some(&sent), first, None, logprobs)
                        }
                        (Event::Done { finish, .. }, Some(policy), Some(held)) => {
                            let rest = held.finish(output, &policy.detector);
                            choice.redacted |= held.redacted;
                            choice.delivered.push_str(&rest);
                            let mut bytes = Vec::new();
                            if !rest.is_empty() || choice.logprobs_sent < choice.logprobs.len() {
                                let logprobs = self.completion.released_logprobs(choice, held);
                                bytes.extend_from_slice(&self.completion.chunk(
                                    i,
                                    Some(&rest),
                                    first,
                                    None,
                                    logprobs,
                                ));
                            }
                            bytes.extend_from_slice(&self.completion.chunk(
                                i,
                                None,
                                first && bytes.is_empty(),
                                Some(finish),
                                Value::Null,
                            ));
                            Bytes::from(bytes)
                        }
                        (Event::Text { text, logprobs }, _, _) => {
                            choice.delivered.push_str(&text);
                            let logprobs =
                                self.completion.logprobs_json(&logprobs, &mut choice.offset);
                            self.completion.chunk(i, Some(&text), first, None, logprobs)
                        }
                        (Event::Done { finish, .. }, _, _) => {
                            self.completion
                                .chunk(i, None, first, Some(finish), Value::Null)
                        }
                        (Event::Failed(message), _, _) => {
                            sse(&failure(ErrorCode::Internal, message).body())
                        }
                        (Event::TimedOut(message), _, _) => {
                            sse(&failure(ErrorCode::Overloaded, message).body())
                        }
                    });
                }
            }
        }
    }
}
