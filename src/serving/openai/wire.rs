//! The wire side of the API: request bodies as the OpenAI API defines
//! them, read and checked into a [`Plan`] (400 naming the field), and the
//! prompt rendered and tokenized.

use super::*;

pub(super) fn invalid(param: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest, message).with_param(param)
}
/// `stop`: a string or a list of strings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Stop {
    One(String),
    Many(Vec<String>),
}

/// Message `content`: a string or a list of parts.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Content {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Debug, Deserialize)]
pub(super) struct ContentPart {
    #[serde(rename = "type")]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) text: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct MessageIn {
    pub(super) role: String,
    #[serde(default)]
    pub(super) content: Option<Content>,
    /// An assistant's calls.
    #[serde(default)]
    pub(super) tool_calls: Option<Vec<super::tools::ToolCallIn>>,
    /// A tool result's call.
    #[serde(default)]
    pub(super) tool_call_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct StreamOptions {
    #[serde(default)]
    pub(super) include_usage: Option<bool>,
}

/// What chat and text completions share.
#[derive(Debug, Deserialize)]
pub(super) struct Common {
    #[serde(default)]
    pub(super) model: Option<String>,
    #[serde(default)]
    pub(super) max_tokens: Option<i64>,
    #[serde(default)]
    pub(super) max_completion_tokens: Option<i64>,
    #[serde(default)]
    pub(super) temperature: Option<f32>,
    #[serde(default)]
    pub(super) top_p: Option<f32>,
    #[serde(default)]
    pub(super) n: Option<i64>,
    #[serde(default)]
    pub(super) stop: Option<Stop>,
    #[serde(default)]
    pub(super) seed: Option<i64>,
    #[serde(default)]
    pub(super) presence_penalty: Option<f32>,
    #[serde(default)]
    pub(super) frequency_penalty: Option<f32>,
    #[serde(default)]
    pub(super) logprobs: Option<Value>,
    #[serde(default)]
    pub(super) top_logprobs: Option<i64>,
    #[serde(default)]
    pub(super) stream: Option<bool>,
    #[serde(default)]
    pub(super) stream_options: Option<StreamOptions>,
    #[serde(default)]
    pub(super) top_k: Option<i64>,
    #[serde(default)]
    pub(super) min_p: Option<f32>,
    #[serde(default)]
    pub(super) repetition_penalty: Option<f32>,
}

/// The body as a JSON object.
pub(super) fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
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
pub(super) fn typed<T: serde::de::DeserializeOwned>(
    value: Value,
    field: &str,
) -> Result<T, ApiError> {
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
/// that asks for token biases or audio must not get plain text as if they
/// were applied). Tools and `response_format` are read elsewhere.
pub(super) fn refuse_unsupported(body: &serde_json::Map<String, Value>) -> Result<(), ApiError> {
    let unsupported = |param: &str, what: &str| {
        Err(ApiError::new(
            ErrorCode::UnsupportedParameter,
            format!("`{param}` is not supported by this release: {what}"),
        )
        .with_param(param))
    };
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
    if body.get("store").and_then(Value::as_bool) == Some(true) {
        return unsupported(
            "store",
            "completions are never stored here (the audit trail keeps keyed hashes only)",
        );
    }
    for param in ["reasoning_effort", "verbosity"] {
        if body.get(param).is_some_and(|v| !v.is_null()) {
            return unsupported(param, "the served model has no such setting");
        }
    }
    if body.get("moderation").is_some_and(|v| !v.is_null()) {
        return unsupported(
            "moderation",
            "content is screened by this node's policy (identifiers, classification), not by a moderation model",
        );
    }
    if body
        .get("service_tier")
        .is_some_and(|v| !v.is_null() && v != "auto" && v != "default")
    {
        return unsupported(
            "service_tier",
            "this node has one tier; only \"auto\" or \"default\"",
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

/// Fields both APIs read: the sampling and length parameters, streaming,
/// and what is read elsewhere (`response_format`, tools).
const COMMON_FIELDS: &[&str] = &[
    "model",
    "max_tokens",
    "temperature",
    "top_p",
    "n",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logprobs",
    "stream",
    "stream_options",
    "top_k",
    "min_p",
    "repetition_penalty",
    "response_format",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "logit_bias",
    "user",
];

/// Fields only a chat request carries: honoured, refused by value in
/// [`refuse_unsupported`], or accepted and ignored (the last five;
/// docs/api.md says why for each). Anything else is a 400 naming it.
const CHAT_FIELDS: &[&str] = &[
    "messages",
    "max_completion_tokens",
    "top_logprobs",
    "audio",
    "modalities",
    "prediction",
    "web_search_options",
    "functions",
    "function_call",
    "store",
    "reasoning_effort",
    "verbosity",
    "service_tier",
    "moderation",
    "safety_identifier",
    "metadata",
    "prompt_cache_key",
    "prompt_cache_retention",
    "prompt_cache_options",
];

/// Fields only a text completion carries.
const TEXT_FIELDS: &[&str] = &["prompt", "best_of", "echo", "suffix"];

/// Refuses a field this node does not know (400 `unsupported_parameter`
/// naming it), so that nothing an app asks for is silently dropped.
pub(super) fn refuse_unknown(
    body: &serde_json::Map<String, Value>,
    api: Api,
) -> Result<(), ApiError> {
    let own = match api {
        Api::Chat => CHAT_FIELDS,
        Api::Text => TEXT_FIELDS,
    };
    let known = |k: &str| COMMON_FIELDS.contains(&k) || own.contains(&k);
    match body.keys().find(|k| !known(k)) {
        Some(unknown) => Err(ApiError::new(
            ErrorCode::UnsupportedParameter,
            format!("`{unknown}` is not a parameter this node honours (docs/api.md lists them)"),
        )
        .with_param(unknown.as_str())),
        None => Ok(()),
    }
}

/// A required field of the body.
pub(super) fn field<T: serde::de::DeserializeOwned>(
    body: &mut serde_json::Map<String, Value>,
    name: &str,
) -> Result<T, ApiError> {
    let value = body
        .remove(name)
        .ok_or_else(|| invalid(name, format!("`{name}` is required")))?;
    typed(value, name)
}

/// A validated request, ready for the scheduler.
pub(super) struct Plan {
    pub(super) prompt: Vec<u32>,
    pub(super) params: SamplingParams,
    pub(super) max_tokens: usize,
    pub(super) n: usize,
    pub(super) stop: Vec<String>,
    pub(super) stream: bool,
    pub(super) include_usage: bool,
    /// Log-probabilities asked for, with this many alternatives.
    pub(super) logprobs: Option<usize>,
    /// The grammar every choice's output follows.
    pub(super) constraint: Option<crate::engine::constrain::Constraint>,
    /// The tools the model may call, whose calls are read from its output.
    pub(super) tools: Option<Arc<super::tools::ToolUse>>,
}

/// `logprobs` / `top_logprobs`, whose types differ between the APIs: chat
/// has a boolean and a count up to 20, text completions a count up to 5.
pub(super) fn logprobs_asked(common: &Common, api: Api) -> Result<Option<usize>, ApiError> {
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
pub(super) fn plan(
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
        && name != &model.card.id
    {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!(
                "the model {name:?} is not served here; this node serves {:?}",
                model.card.id
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
        constraint: None,
        tools: None,
    })
}

/// The chat's messages, checked: roles known, content text only.
pub(super) fn chat_messages(messages: &[MessageIn]) -> Result<Vec<ChatMessage>, ApiError> {
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
        let calls = m.tool_calls.as_deref().unwrap_or_default();
        if !calls.is_empty() && role != "assistant" {
            return Err(invalid(
                &format!("messages[{i}].tool_calls"),
                "only assistant messages carry `tool_calls`",
            ));
        }
        let tool_call_id = match (role, &m.tool_call_id) {
            ("tool", Some(id)) => Some(id.clone()),
            ("tool", None) => {
                return Err(invalid(
                    &format!("messages[{i}].tool_call_id"),
                    format!("`messages[{i}]` is a tool result without `tool_call_id`"),
                ));
            }
            (_, _) => None,
        };
        let content = match &m.content {
            // Only an assistant message with tool calls may go without
            // content.
            None if !calls.is_empty() => String::new(),
            None => {
                return Err(invalid(
                    &format!("messages[{i}].content"),
                    format!("`messages[{i}]` has no `content` (and no `tool_calls`)"),
                ));
            }
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
        let tool_calls = calls
            .iter()
            .enumerate()
            .map(|(j, c)| {
                super::tools::call_for_template(c, &format!("messages[{i}].tool_calls[{j}]"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        chat.push(ChatMessage {
            role: role.to_owned(),
            content,
            tool_calls,
            tool_call_id,
        });
    }
    Ok(chat)
}

/// The chat rendered by the model's template (with the tools offered)
/// and tokenized.
pub(super) fn chat_prompt(
    model: &ServedModel,
    chat: &[ChatMessage],
    tools: Option<&[Value]>,
) -> Result<Vec<u32>, ApiError> {
    // Message text that spells a special token stays plain text.
    model
        .tokenizer
        .encode_chat_with_tools(chat, tools, true)
        .map_err(|e| invalid("messages", e.to_string()))
}

/// The one prompt of a text completion.
pub(super) fn completion_text(prompt: Stop) -> Result<String, ApiError> {
    match prompt {
        Stop::One(t) => Ok(t),
        Stop::Many(list) if list.len() == 1 => Ok(list.into_iter().next().unwrap_or_default()),
        Stop::Many(list) => Err(invalid(
            "prompt",
            format!("one prompt per request, not {}", list.len()),
        )),
    }
}

pub(super) fn completion_prompt(model: &ServedModel, text: &str) -> Result<Vec<u32>, ApiError> {
    model
        .tokenizer
        .encode_untrusted(text, true)
        .map_err(|e| invalid("prompt", e.to_string()))
}

pub(super) async fn body_of(
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
