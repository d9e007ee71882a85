//! A request for a model an upstream server serves (`[[upstream]]`):
//! the same path as the embedded engine's (screening and policy with the
//! upstream's place as the deployment, monthly-active-user admission, the
//! accepted record committed before anything is sent), then the request
//! sent upstream with the redacted prompt, and its answer relayed as the
//! engine's events, so that output screening, the completion record and
//! cancellation are the engine path's own.

use tokio::sync::mpsc::UnboundedSender;

use super::answer::{CancelGuard, Choice, Completion};
use super::request::{admit, commit_accepted, offload};
use super::wire::*;
use super::*;
use crate::serving::events::InferenceRefused;
use crate::serving::upstream::{Answer, MAX_ANSWER_BYTES, Route, SendError, Upstreams};

/// What the request asks, checked before anything is sent.
struct Asked {
    n: usize,
    stream: bool,
    include_usage: bool,
}

/// Answers a request whose `model` an upstream serves. `object` is the
/// body with `messages` or `prompt` already taken out into `chat` /
/// `texts`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn handle(
    principal: Principal,
    req: HttpRequest,
    client_id: String,
    routes: Vec<Route>,
    api: Api,
    body: &[u8],
    object: serde_json::Map<String, Value>,
    chat: Vec<ChatMessage>,
    texts: Vec<String>,
) -> Result<HttpResponse, ApiError> {
    let common: Common = typed(Value::Object(object.clone()), "")?;
    let asked = check(&common, api)?;
    // Upstreams that share a model share its license (`config check`).
    let license = routes
        .first()
        .and_then(|r| r.upstream.license.clone())
        .unwrap_or_default();
    let card = Arc::new(ModelCard {
        id: client_id,
        created: 0,
        engine_version: format!("upstream {}", names(&routes)),
        weights_digest: None,
        chat_template_hash: None,
        terms: crate::license::terms::of_license(&license),
    });
    let policy = req
        .app_data::<Data<crate::serving::policy::PolicyContext>>()
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::NotReady, "the policy engine is not loaded"))?;
    let audit = req
        .app_data::<Data<AuditContext>>()
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::AuditUnavailable,
                "the audit trail is not available",
            )
        })?;
    // Screening with each upstream's place as the deployment (a residency
    // policy refuses to send a classification where it may not go); the
    // request goes only to upstreams whose decision allows it, each with
    // the prompt as its own decision redacted it.
    let declared = crate::serving::policy::Declared::of(&req)?;
    let screened = {
        let (policy, principal, id) = (policy.clone(), principal.clone(), card.id.clone());
        let places = upstream_places(&routes);
        offload(move || {
            places
                .into_iter()
                .map(|(name, destination)| {
                    let mut texts = texts.clone();
                    let s = crate::serving::policy::screen_to(
                        &declared,
                        &policy,
                        &principal,
                        &id,
                        &license,
                        Some(&destination),
                        &mut texts,
                    )?;
                    Ok((name, s, texts))
                })
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?
    };
    let allowed: Vec<&(String, crate::serving::policy::Screening, Vec<String>)> = screened
        .iter()
        .filter(|(_, s, _)| s.decision.allowed)
        .collect();
    let started = Instant::now();
    let Some((_, screening, _)) = allowed.first().copied() else {
        let Some((_, denied, _)) = screened.first() else {
            return Err(ApiError::new(
                ErrorCode::Internal,
                "a model with no upstream",
            ));
        };
        InferenceRefused {
            code: ErrorCode::PolicyDenied,
            reason: denied.decision.reason.clone(),
            prompt_tokens: None,
            screening: denied,
        }
        .emit(&req, &audit, &principal, &card)
        .await?;
        return Err(denied.denial());
    };
    let screening = screening.clone();
    let routes: Vec<Route> = routes
        .into_iter()
        .filter(|r| allowed.iter().any(|(name, _, _)| *name == r.upstream.name))
        .collect();
    let texts: Vec<(String, Vec<String>)> = allowed
        .iter()
        .map(|(name, _, texts)| (name.clone(), texts.clone()))
        .collect();
    admit(&req, &audit, &principal, &card, &screening, None).await?;
    if !Upstreams::has_capacity(&routes) {
        InferenceRefused {
            code: ErrorCode::RateLimited,
            reason: "upstream_busy".into(),
            prompt_tokens: None,
            screening: &screening,
        }
        .emit(&req, &audit, &principal, &card)
        .await?;
        return Err(ApiError::rate_limited("upstream", Duration::from_secs(1)));
    }
    // Committed before any byte of the prompt leaves this node.
    let prompt_hash =
        commit_accepted(&req, &audit, &principal, &card, &screening, None, body).await?;

    let mut completion = Completion {
        req,
        audit,
        principal,
        model: card,
        id: format!(
            "{}-{}",
            if api == Api::Chat { "chatcmpl" } else { "cmpl" },
            uuid::Uuid::now_v7().simple()
        ),
        created: crate::clock::now().unix_timestamp(),
        api,
        started,
        prompt_tokens: 0,
        prompt_hash,
        logprobs: false,
        screening,
        tools: None,
    };
    // A client that leaves while the upstream has not answered yet still
    // leaves a record: `cancelled`.
    let guard = CancelGuard::arm(completion.clone());
    let path = match api {
        Api::Chat => "v1/chat/completions",
        Api::Text => "v1/completions",
    };
    let outgoing = Outgoing {
        object,
        chat,
        texts,
        api,
        stream: asked.stream,
    };
    let metrics = completion
        .req
        .app_data::<Data<crate::telemetry::metrics::Metrics>>()
        .map(|m| m.clone().into_inner());
    let span =
        tracing::info_span!("upstream", model = %completion.model.id, upstreams = %names(&routes));
    let sent = tracing::Instrument::instrument(
        Upstreams::send(&routes, path, |r| outgoing.body(r), asked.stream, metrics),
        span,
    )
    .await;
    guard.disarm();
    let (route, answer) = match sent {
        Ok(sent) => sent,
        Err(e) => {
            let (code, recorded, shown) = failure_messages(&e, &routes);
            // The log and the record get the status, never the upstream's
            // words (a validation error may quote the prompt).
            tracing::warn!(model = %completion.model.id, code = code.as_str(), error = %recorded, "upstream request failed");
            let failed = Choice {
                error: Some((code, recorded)),
                ..Choice::default()
            };
            completion.record_failure(&failed).await?;
            let error = ApiError::new(code, shown);
            return Err(
                if code == ErrorCode::Overloaded || code == ErrorCode::RateLimited {
                    error.with_retry_after(Duration::from_secs(1))
                } else {
                    error
                },
            );
        }
    };
    // The completion record names the upstream and replica that answered.
    completion.model = Arc::new(ModelCard {
        engine_version: format!("upstream {} ({})", route.upstream.name, answer.replica),
        ..(*completion.model).clone()
    });
    let mut senders = Vec::with_capacity(asked.n);
    let mut receivers = Vec::with_capacity(asked.n);
    for _ in 0..asked.n {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        senders.push(tx);
        receivers.push(rx);
    }
    let name = route.upstream.name.clone();
    actix_web::rt::spawn(relay(answer, api, asked.stream, senders, name));
    if asked.stream {
        Ok(completion.stream(receivers, asked.include_usage))
    } else {
        completion.whole(receivers).await
    }
}

/// Each distinct upstream of `routes`, with its place for policy.
fn upstream_places(routes: &[Route]) -> Vec<(String, crate::serving::policy::Destination)> {
    let mut places: Vec<(String, crate::serving::policy::Destination)> = Vec::new();
    for r in routes {
        let u = &r.upstream;
        if places.iter().all(|(name, _)| *name != u.name) {
            places.push((
                u.name.clone(),
                crate::serving::policy::Destination {
                    upstream: u.name.clone(),
                    region: u.region.clone(),
                    jurisdiction: u.jurisdiction.clone(),
                },
            ));
        }
    }
    places
}

/// The upstreams' names, `a|b` when several serve the model.
fn names(routes: &[Route]) -> String {
    let mut names: Vec<&str> = routes.iter().map(|r| r.upstream.name.as_str()).collect();
    names.dedup();
    names.join("|")
}

/// What no upstream answering means: the code, the reason the log and
/// the record keep (no upstream text), and what the client is told (an
/// upstream's 4xx message, which answers the client's own request, except
/// for 401/403, which are about this node's credentials).
fn failure_messages(e: &SendError, routes: &[Route]) -> (ErrorCode, String, String) {
    let name = names(routes);
    let code = e.code();
    let (recorded, shown) = match e {
        SendError::Busy => {
            let m = format!("upstream {name} is at its concurrency limit");
            (m.clone(), m)
        }
        SendError::Refused { status, .. } if *status == 401 || *status == 403 => {
            let m = format!("upstream {name} refused this node's credentials (HTTP {status})");
            (m.clone(), m)
        }
        SendError::Refused { status, message } => (
            format!("upstream {name} refused the request (HTTP {status})"),
            format!("upstream {name} refused the request (HTTP {status}): {message}"),
        ),
        SendError::Unavailable { why, timeout: true } => {
            let m = format!("upstream {name} did not answer in time: {why}");
            (m.clone(), m)
        }
        SendError::Unavailable { why, .. } => {
            let m = format!("upstream {name} is unavailable: {why}");
            (m.clone(), m)
        }
    };
    (code, recorded, shown)
}

/// The checks a request gets before it is sent: what this node relays.
fn check(common: &Common, api: Api) -> Result<Asked, ApiError> {
    let n = common.n.unwrap_or(1);
    if !(1..=MAX_CHOICES as i64).contains(&n) {
        return Err(invalid(
            "n",
            format!("`n` must be between 1 and {MAX_CHOICES}, not {n}"),
        ));
    }
    if logprobs_asked(common, api)?.is_some() {
        return Err(ApiError::new(
            ErrorCode::UnsupportedParameter,
            "`logprobs` is not relayed from upstream servers by this release",
        )
        .with_param("logprobs"));
    }
    for (key, value) in [
        ("max_tokens", common.max_tokens),
        ("max_completion_tokens", common.max_completion_tokens),
    ] {
        if let Some(m) = value
            && m < 1
        {
            return Err(invalid(key, format!("`{key}` must be at least 1, not {m}")));
        }
    }
    if let Some(Stop::Many(list)) = &common.stop
        && list.len() > MAX_STOP_STRINGS
    {
        return Err(invalid(
            "stop",
            format!(
                "at most {MAX_STOP_STRINGS} stop strings, not {}",
                list.len()
            ),
        ));
    }
    let stream = common.stream.unwrap_or(false);
    let include_usage = stream
        && common
            .stream_options
            .as_ref()
            .and_then(|o| o.include_usage)
            .unwrap_or(false);
    Ok(Asked {
        n: n as usize,
        stream,
        include_usage,
    })
}

/// The fields of a request that go upstream as the client sent them:
/// sampling and length, which carry no content. Every other field stays
/// here (an unknown one could carry text that was never screened, or ask
/// the upstream for what this node refuses, such as a grammar).
const RELAYED_FIELDS: [&str; 13] = [
    "max_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "n",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "top_k",
    "min_p",
    "repetition_penalty",
    "response_format",
];

/// The request as it goes upstream: the relayed fields, the prompt as
/// screened for that upstream (identifiers redacted where its decision
/// says), the upstream's own model id, and usage asked for on a stream
/// (for the record's counts). The client's `user` is recorded here, not
/// handed on.
struct Outgoing {
    object: serde_json::Map<String, Value>,
    chat: Vec<ChatMessage>,
    /// The prompt texts as screened for each upstream, by name.
    texts: Vec<(String, Vec<String>)>,
    api: Api,
    stream: bool,
}

impl Outgoing {
    fn body(&self, route: &Route) -> Vec<u8> {
        let mut object: serde_json::Map<String, Value> = RELAYED_FIELDS
            .iter()
            .filter_map(|&k| self.object.get(k).map(|v| (k.to_owned(), v.clone())))
            .collect();
        object.insert("model".into(), json!(route.model));
        let texts = self
            .texts
            .iter()
            .find(|(name, _)| *name == route.upstream.name)
            .map(|(_, t)| t.as_slice())
            .unwrap_or_default();
        match self.api {
            Api::Chat => {
                let messages: Vec<Value> = self
                    .chat
                    .iter()
                    .zip(texts)
                    .map(|(m, text)| json!({"role": m.role, "content": text}))
                    .collect();
                object.insert("messages".into(), Value::Array(messages));
            }
            Api::Text => {
                let prompt = texts.first().cloned().unwrap_or_default();
                object.insert("prompt".into(), json!(prompt));
            }
        }
        if self.stream {
            object.insert("stream".into(), json!(true));
            object.insert("stream_options".into(), json!({"include_usage": true}));
        }
        serde_json::to_vec(&Value::Object(object)).unwrap_or_default()
    }
}

/// An upstream's answer, as the engine's events per choice.
#[derive(Default)]
struct Relayed {
    finish: Vec<Option<Finish>>,
    prompt_tokens: Option<usize>,
    completion_tokens: Option<usize>,
}

impl Relayed {
    /// Reads one answer object (whole, or a stream's chunk): text and ends
    /// go out as events; usage is kept for the end. An `error` object is
    /// the upstream failing mid-answer.
    fn take(
        &mut self,
        value: &Value,
        api: Api,
        senders: &[UnboundedSender<Event>],
        name: &str,
    ) -> Result<(), String> {
        if value.get("error").is_some_and(|e| !e.is_null()) {
            // Its words stay out: the record and the log keep no upstream
            // text (an error may quote the prompt).
            return Err(format!("upstream {name} reported an error while answering"));
        }
        if let Some(usage) = value.get("usage").filter(|u| !u.is_null()) {
            let count = |k: &str| {
                usage
                    .get(k)
                    .and_then(Value::as_u64)
                    .and_then(|n| usize::try_from(n).ok())
            };
            self.prompt_tokens = count("prompt_tokens").or(self.prompt_tokens);
            self.completion_tokens = count("completion_tokens").or(self.completion_tokens);
        }
        let choices = value.get("choices").and_then(Value::as_array);
        for (k, choice) in choices.into_iter().flatten().enumerate() {
            let index = choice
                .get("index")
                .and_then(Value::as_u64)
                .and_then(|i| usize::try_from(i).ok())
                .unwrap_or(k);
            let Some(tx) = senders.get(index) else {
                return Err(format!(
                    "upstream {name} answered a choice {index} that was not asked for"
                ));
            };
            let text = match api {
                Api::Chat => choice
                    .pointer("/delta/content")
                    .or_else(|| choice.pointer("/message/content")),
                Api::Text => choice.get("text"),
            }
            .and_then(Value::as_str)
            .unwrap_or_default();
            if !text.is_empty() {
                let _ = tx.send(Event::Text {
                    text: text.to_owned(),
                    logprobs: Vec::new(),
                });
            }
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                let finish = match reason {
                    "stop" | "eos" | "eos_token" | "stop_sequence" => Finish::Stop,
                    "length" => Finish::Length,
                    "content_filter" => Finish::ContentFilter,
                    // vLLM's `abort`, an `error`: the choice did not end
                    // as an answer does.
                    other => {
                        return Err(format!(
                            "upstream {name} ended choice {index} with finish_reason {:?}",
                            other.chars().take(40).collect::<String>()
                        ));
                    }
                };
                if self.finish.len() < senders.len() {
                    self.finish.resize(senders.len(), None);
                }
                if let Some(slot) = self.finish.get_mut(index) {
                    *slot = Some(finish);
                }
            }
        }
        Ok(())
    }

    /// Every choice's end, with the usage the upstream reported (all of
    /// the completion's tokens on the first choice: upstreams report one
    /// total).
    fn end(&self, senders: &[UnboundedSender<Event>]) {
        for (i, tx) in senders.iter().enumerate() {
            let _ = tx.send(Event::Done {
                finish: self
                    .finish
                    .get(i)
                    .copied()
                    .flatten()
                    .unwrap_or(Finish::Stop),
                prompt_tokens: self.prompt_tokens.unwrap_or(0),
                completion_tokens: if i == 0 {
                    self.completion_tokens.unwrap_or(0)
                } else {
                    0
                },
            });
        }
    }

    /// True when every choice has ended.
    fn finished(&self, n: usize) -> bool {
        self.finish.len() >= n && self.finish.iter().take(n).all(Option::is_some)
    }
}

/// Relays `answer` to the choices' event channels; stops reading (which
/// drops the connection, so the upstream stops generating) once every
/// receiver is gone: the client went away.
async fn relay(
    mut answer: Answer,
    api: Api,
    stream: bool,
    senders: Vec<UnboundedSender<Event>>,
    name: String,
) {
    let fail = |code: ErrorCode, why: String| {
        for tx in &senders {
            let _ = tx.send(Event::Error(code, why.clone()));
        }
    };
    let mut relayed = Relayed::default();
    let mut sse = SseLines::default();
    let mut whole = Vec::new();
    let mut read = 0usize;
    let gone = futures_util::future::join_all(senders.iter().map(UnboundedSender::closed));
    tokio::pin!(gone);
    loop {
        let chunk = tokio::select! {
            _ = &mut gone => {
                tracing::debug!(upstream = %name, "client gone; upstream request dropped");
                return;
            }
            chunk = answer.response.chunk() => chunk,
        };
        let chunk = match chunk {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                let code = if e.is_timeout() {
                    ErrorCode::UpstreamTimeout
                } else {
                    ErrorCode::UpstreamUnavailable
                };
                return fail(
                    code,
                    format!("upstream {name} stopped before the end of its answer: {e}"),
                );
            }
        };
        // Streamed or whole, an answer is bounded: an upstream cannot fill
        // this node's memory.
        read += chunk.len();
        if read > MAX_ANSWER_BYTES {
            return fail(
                ErrorCode::UpstreamUnavailable,
                format!("upstream {name} answered more than {MAX_ANSWER_BYTES} bytes"),
            );
        }
        if !stream {
            whole.extend_from_slice(&chunk);
            continue;
        }
        let events = match sse.push(&chunk) {
            Ok(events) => events,
            Err(why) => {
                return fail(
                    ErrorCode::UpstreamUnavailable,
                    format!("upstream {name} {why}"),
                );
            }
        };
        for data in events {
            if data == "[DONE]" {
                return end_or_fail(&relayed, &senders, &name);
            }
            let parsed = serde_json::from_str::<Value>(&data)
                .map_err(|e| format!("upstream {name} sent an event that is not JSON: {e}"))
                .and_then(|v| relayed.take(&v, api, &senders, &name));
            if let Err(why) = parsed {
                return fail(ErrorCode::UpstreamUnavailable, why);
            }
        }
    }
    if !stream {
        let parsed = serde_json::from_slice::<Value>(&whole)
            .map_err(|e| format!("upstream {name} answered something that is not JSON: {e}"))
            .and_then(|v| relayed.take(&v, api, &senders, &name));
        if let Err(why) = parsed {
            return fail(ErrorCode::UpstreamUnavailable, why);
        }
    }
    // A stream that ends without `[DONE]`, like a whole answer, ended
    // cleanly only if every choice said how it finished.
    end_or_fail(&relayed, &senders, &name);
}

/// Every choice's end, when every choice asked for ended; else the answer
/// failed (an upstream that answered 1 of `n` choices, or stopped early).
fn end_or_fail(relayed: &Relayed, senders: &[UnboundedSender<Event>], name: &str) {
    let n = senders.len();
    if relayed.finished(n) {
        relayed.end(senders);
        return;
    }
    let ended = relayed
        .finish
        .iter()
        .take(n)
        .filter(|f| f.is_some())
        .count();
    let why = format!("upstream {name} ended its answer with {ended} of {n} choices finished");
    for tx in senders {
        let _ = tx.send(Event::Error(ErrorCode::UpstreamUnavailable, why.clone()));
    }
}

/// The `data` of server-sent events as bytes arrive. Written here rather
/// than taken from a crate: the framing is three rules (lines, `data:`
/// fields joined by newlines, a blank line ends an event), and the crates
/// that parse it want reqwest's stream feature for a whole-response
/// stream this relay reads chunk by chunk anyway.
#[derive(Default)]
struct SseLines {
    /// Bytes of a line not yet ended.
    partial: Vec<u8>,
    /// How much of `partial` is known to hold no newline.
    scanned: usize,
    /// The `data` lines of the event being read.
    data: Option<String>,
}

/// The longest event (or line) accepted from an upstream.
const MAX_EVENT_BYTES: usize = 1024 * 1024;

impl SseLines {
    /// The events that `chunk` completes; an error past
    /// [`MAX_EVENT_BYTES`] in one line or event.
    fn push(&mut self, chunk: &[u8]) -> Result<Vec<String>, String> {
        let mut events = Vec::new();
        self.partial.extend_from_slice(chunk);
        loop {
            let Some(at) = self
                .partial
                .get(self.scanned..)
                .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            else {
                self.scanned = self.partial.len();
                if self.partial.len() > MAX_EVENT_BYTES {
                    return Err(format!("sent a line longer than {MAX_EVENT_BYTES} bytes"));
                }
                return Ok(events);
            };
            let end = self.scanned + at;
            self.scanned = 0;
            let mut line: Vec<u8> = self.partial.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8_lossy(&line);
            if line.is_empty() {
                if let Some(data) = self.data.take() {
                    events.push(data);
                }
                continue;
            }
            // Comments (`: keep-alive`) and other fields (`event:`, `id:`)
            // carry no answer.
            if let Some(value) = line.strip_prefix("data:") {
                let value = value.strip_prefix(' ').unwrap_or(value);
                match &mut self.data {
                    Some(data) => {
                        data.push('\n');
                        data.push_str(value);
                    }
                    None => self.data = Some(value.to_owned()),
                }
                if self
                    .data
                    .as_ref()
                    .is_some_and(|d| d.len() > MAX_EVENT_BYTES)
                {
                    return Err(format!("sent an event longer than {MAX_EVENT_BYTES} bytes"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_sent_events_are_split_however_the_bytes_arrive() {
        let stream = b"data: {\"a\":1}\r\n\r\n: keep-alive\n\nevent: x\ndata: one\ndata: two\n\ndata: [DONE]\n\n";
        for size in [1, 2, 5, 7, stream.len()] {
            let mut sse = SseLines::default();
            let events: Vec<String> = stream
                .chunks(size)
                .flat_map(|c| sse.push(c).unwrap())
                .collect();
            assert_eq!(
                events,
                ["{\"a\":1}", "one\ntwo", "[DONE]"],
                "chunks of {size}"
            );
        }
    }

    #[test]
    fn choices_are_relayed_by_index_and_usage_kept() {
        let (tx0, mut rx0) = tokio::sync::mpsc::unbounded_channel();
        let (tx1, mut rx1) = tokio::sync::mpsc::unbounded_channel();
        let senders = [tx0, tx1];
        let mut relayed = Relayed::default();
        let chunk = json!({"choices": [{"index": 1, "delta": {"content": "b"}, "finish_reason": null},
                                       {"index": 0, "delta": {"content": "a"}, "finish_reason": "length"}]});
        relayed.take(&chunk, Api::Chat, &senders, "u").unwrap();
        assert!(!relayed.finished(2));
        let last = json!({"choices": [{"index": 1, "delta": {}, "finish_reason": "stop"}],
                          "usage": {"prompt_tokens": 7, "completion_tokens": 3}});
        relayed.take(&last, Api::Chat, &senders, "u").unwrap();
        assert!(relayed.finished(2));
        relayed.end(&senders);
        assert!(matches!(rx0.try_recv(), Ok(Event::Text { text, .. }) if text == "a"));
        assert!(matches!(
            rx0.try_recv(),
            Ok(Event::Done {
                finish: Finish::Length,
                prompt_tokens: 7,
                completion_tokens: 3
            })
        ));
        assert!(matches!(rx1.try_recv(), Ok(Event::Text { text, .. }) if text == "b"));
        assert!(matches!(
            rx1.try_recv(),
            Ok(Event::Done {
                finish: Finish::Stop,
                prompt_tokens: 7,
                completion_tokens: 0
            })
        ));
        let error = json!({"error": {"message": "engine died"}});
        // Failed, without the upstream's words (they may quote the prompt).
        let why = relayed.take(&error, Api::Chat, &senders, "u").unwrap_err();
        assert!(!why.contains("engine died"), "{why}");
        let stray = json!({"choices": [{"index": 5, "text": "x"}]});
        assert!(relayed.take(&stray, Api::Text, &senders, "u").is_err());
        let aborted = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "abort"}]});
        assert!(relayed.take(&aborted, Api::Chat, &senders, "u").is_err());
    }

    #[test]
    fn an_answer_with_a_choice_missing_fails() {
        let (tx0, mut rx0) = tokio::sync::mpsc::unbounded_channel();
        let (tx1, mut rx1) = tokio::sync::mpsc::unbounded_channel();
        let senders = [tx0, tx1];
        let mut relayed = Relayed::default();
        let whole = json!({"choices": [{"index": 0, "message": {"content": "a"}, "finish_reason": "stop"}]});
        relayed.take(&whole, Api::Chat, &senders, "u").unwrap();
        end_or_fail(&relayed, &senders, "u");
        assert!(matches!(rx0.try_recv(), Ok(Event::Text { .. })));
        for rx in [&mut rx0, &mut rx1] {
            assert!(matches!(
                rx.try_recv(),
                Ok(Event::Error(ErrorCode::UpstreamUnavailable, why)) if why.contains("1 of 2")
            ));
        }
    }

    #[test]
    fn an_endless_line_is_refused_not_buffered() {
        let mut sse = SseLines::default();
        let chunk = vec![b'x'; 64 * 1024];
        let mut failed = false;
        for _ in 0..20 {
            if sse.push(&chunk).is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed);
    }
}
