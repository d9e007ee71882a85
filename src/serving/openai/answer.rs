//! Answering an accepted request: whole or as server-sent events, the
//! output screened, the completion record committed before the end.

use super::*;
use crate::serving::events::inference_record;

/// One accepted request being answered.
#[derive(Clone)]
pub(super) struct Completion {
    pub(super) req: HttpRequest,
    pub(super) audit: Data<AuditContext>,
    pub(super) principal: Principal,
    pub(super) model: Arc<ModelCard>,
    pub(super) id: String,
    pub(super) created: i64,
    pub(super) api: Api,
    pub(super) started: Instant,
    pub(super) prompt_tokens: usize,
    pub(super) prompt_hash: Option<String>,
    /// Whether the answer carries log-probabilities.
    pub(super) logprobs: bool,
    /// The policy decision the request was accepted under.
    pub(super) screening: crate::serving::policy::Screening,
    /// The tools the model may call; its output is read for calls.
    pub(super) tools: Option<Arc<super::tools::ToolUse>>,
}

/// A choice, as its events arrive.
#[derive(Default)]
pub(super) struct Choice {
    /// The text as generated.
    pub(super) text: String,
    /// The text as sent (identifiers the output policy redacts replaced).
    pub(super) delivered: String,
    /// Identifiers were redacted from what was sent.
    pub(super) redacted: bool,
    /// The categories found in `text`, once scanned whole.
    pub(super) found: Option<std::collections::BTreeSet<&'static str>>,
    pub(super) finish: Option<Finish>,
    /// The prompt's tokens as the engine that answered counted them.
    pub(super) prompt_tokens: Option<usize>,
    pub(super) completion_tokens: usize,
    /// Why it failed, as the client is told.
    pub(super) error: Option<(ErrorCode, String)>,
    /// When its last text arrived, for the latency histograms.
    pub(super) last_text: Option<Instant>,
    pub(super) logprobs: Vec<TokenLogprob>,
    /// The byte range of `text` each log-probability came with.
    pub(super) logprob_spans: Vec<(usize, usize)>,
    /// Log-probabilities sent so far (a screened stream holds them back
    /// with their text).
    pub(super) logprobs_sent: usize,
    /// Characters of token text before the next log-probability (a text
    /// completion's `text_offset`).
    pub(super) offset: usize,
    /// With tools in play: streamed text held back while it may be a tool
    /// call, read as calls (or sent as content) at the end.
    pub(super) tool_pending: String,
    /// The output is content: nothing more is held back for calls.
    pub(super) tool_content: bool,
    /// The calls the output held, with the content before them.
    pub(super) calls: Option<(String, Vec<crate::engine::toolcall::ToolCall>)>,
    /// Categories found in the calls' decoded arguments.
    pub(super) found_in_calls: std::collections::BTreeSet<&'static str>,
}

impl Choice {
    /// Of `text`, what may be streamed as content now: text that may still
    /// be a tool call waits (see [`super::tools::held_for_calls`]).
    fn tool_gate(&mut self, syntax: crate::engine::toolcall::ToolSyntax, text: &str) -> String {
        if self.tool_content {
            return text.to_owned();
        }
        self.tool_pending.push_str(text);
        match super::tools::held_for_calls(syntax, &self.tool_pending) {
            None => {
                self.tool_content = true;
                std::mem::take(&mut self.tool_pending)
            }
            Some(keep) => {
                let cut = self.tool_pending.len().saturating_sub(keep);
                if !self.tool_pending.is_char_boundary(cut) {
                    return String::new();
                }
                let rest = self.tool_pending.split_off(cut);
                std::mem::replace(&mut self.tool_pending, rest)
            }
        }
    }

    /// A choice whose events ended without an end of its own failed.
    fn close(&mut self) {
        if self.finish.is_none() && self.error.is_none() {
            self.error = Some((ErrorCode::NotReady, "the engine stopped".into()));
        }
    }
}

impl Completion {
    /// The detector that screens the output.
    fn policy(&self) -> Option<Data<crate::serving::policy::PolicyContext>> {
        self.req
            .app_data::<Data<crate::serving::policy::PolicyContext>>()
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
                prompt_tokens,
                completion_tokens,
            } => {
                choice.finish = Some(*finish);
                choice.prompt_tokens = Some(*prompt_tokens);
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
            Event::Error(code, message) => {
                choice.error = Some((*code, message.clone()));
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
        self.audit
            .record(self.completion_event(choices, cancelled))
            .await
    }

    /// Commits the completion record of a request that failed before any
    /// answer (an upstream that refused or did not answer).
    pub(super) async fn record_failure(&self, failed: &Choice) -> Result<(), ApiError> {
        self.record_completion(std::slice::from_ref(failed), false)
            .await
    }

    /// Records that the client went away before the end, from a `Drop`:
    /// handed to the audit writer at once rather than to a task that a
    /// stop could drop before it ran.
    fn record_cancelled(&self, choices: &[Choice]) {
        if let Err(e) = self.audit.log.enqueue(self.completion_event(choices, true)) {
            tracing::error!(error = %e, "cannot record a cancelled request in the audit trail");
        }
    }

    /// The completion record of `choices`.
    fn completion_event(&self, choices: &[Choice], cancelled: bool) -> AuditEvent {
        let mut e = inference_record(
            &self.req,
            &self.audit,
            &self.principal,
            &self.model,
            EventType::InferenceCompleted,
            Some(self.prompt_tokens(choices)),
        );
        let completion_tokens: usize = choices.iter().map(|c| c.completion_tokens).sum();
        e.completion_tokens = Some(completion_tokens as u64);
        e.latency_ms = Some(self.started.elapsed().as_millis() as u64);
        e.end_time = Some(crate::audit::record::timestamp(crate::clock::now()));
        self.screening.stamp(&mut e);
        if let Some(policy) = self.policy() {
            let mut found = std::collections::BTreeSet::new();
            for c in choices {
                found.extend(c.found_in_calls.iter().copied());
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
            .map(|c| {
                if c.calls.is_some() {
                    "tool_calls"
                } else {
                    c.finish.map_or("", Finish::as_str)
                }
            })
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        let mut called: Vec<String> = choices
            .iter()
            .filter_map(|c| c.calls.as_ref())
            .flat_map(|(_, calls)| calls.iter().map(|call| call.name.clone()))
            .collect();
        called.sort();
        called.dedup();
        e.tools_called = called;
        if cancelled {
            e.outcome = Some("cancelled".into());
            e.reason = Some("client_disconnected".into());
        } else if let Some((code, err)) = choices.iter().find_map(|c| c.error.clone()) {
            e.outcome = Some("failed".into());
            e.status = Some(code.status().as_u16());
            e.error_code = Some(code.as_str().into());
            e.reason = Some(err);
        }
        e
    }

    /// The prompt's tokens: as counted before the request was queued, or
    /// as an upstream server reported them.
    fn prompt_tokens(&self, choices: &[Choice]) -> usize {
        choices
            .iter()
            .find_map(|c| c.prompt_tokens)
            .unwrap_or(self.prompt_tokens)
    }

    fn usage(&self, choices: &[Choice]) -> Value {
        let completion_tokens: usize = choices.iter().map(|c| c.completion_tokens).sum();
        let prompt_tokens = self.prompt_tokens(choices);
        json!({
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        })
    }

    pub(super) async fn whole(
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
                    crate::serving::policy::scrub_logprobs(
                        &mut choice.logprobs,
                        &choice.logprob_spans,
                        &redacted,
                    );
                }
                None => choice.delivered.clone_from(&choice.text),
            }
            if let Some(tools) = &self.tools
                && choice.error.is_none()
            {
                choice.calls = tools.calls_in(&choice.delivered);
                self.screen_calls(&mut choice);
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
                match (self.api, &c.calls) {
                    (Api::Chat, Some((content, calls))) => json!({
                        "index": index,
                        "message": {
                            "role": "assistant",
                            "content": (!content.is_empty()).then_some(content),
                            "tool_calls": self
                                .tools
                                .as_ref()
                                .map(|t| t.calls_json(calls, false))
                                .unwrap_or_default(),
                        },
                        "logprobs": logprobs,
                        "finish_reason": "tool_calls",
                    }),
                    (Api::Chat, None) => json!({
                        "index": index,
                        "message": {"role": "assistant", "content": c.delivered},
                        "logprobs": logprobs,
                        "finish_reason": finish,
                    }),
                    (Api::Text, _) => json!({
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

    /// What `held` still holds of choice `i`, screened and released as a
    /// chunk (nothing when nothing is left to send).
    fn release_held(
        &self,
        i: usize,
        choice: &mut Choice,
        held: &mut crate::serving::policy::HeldBack,
        policy: &crate::serving::policy::PolicyContext,
        first: bool,
    ) -> Vec<u8> {
        let rest = held.finish(&self.screening.output, &policy.detector);
        choice.redacted |= held.redacted;
        choice.delivered.push_str(&rest);
        if rest.is_empty() && choice.logprobs_sent >= choice.logprobs.len() {
            return Vec::new();
        }
        let logprobs = self.released_logprobs(choice, held);
        self.content_chunk(i, choice, &rest, first, logprobs)
    }

    /// A chunk of streamed content: what of `text` may go out now (with
    /// tools in play, text that may be a call waits); nothing when there is
    /// nothing to send, except that a choice's first chunk always goes.
    fn content_chunk(
        &self,
        i: usize,
        choice: &mut Choice,
        text: &str,
        first: bool,
        logprobs: Value,
    ) -> Vec<u8> {
        let text = match &self.tools {
            Some(tools) => choice.tool_gate(tools.syntax, text),
            None => text.to_owned(),
        };
        if text.is_empty() && !first && logprobs.is_null() {
            return Vec::new();
        }
        self.chunk(i, Some(&text), first, None, logprobs).to_vec()
    }

    /// The end of a streamed choice: the text held back for calls, as
    /// `delta.tool_calls` (finish `tool_calls`) or as content, then the
    /// chunk with the finish reason.
    fn finish_chunk(&self, i: usize, choice: &mut Choice, first: bool, finish: Finish) -> Vec<u8> {
        let Some(tools) = self
            .tools
            .as_ref()
            .filter(|_| !choice.tool_pending.is_empty())
        else {
            return self
                .chunk(i, None, first, Some(finish), Value::Null)
                .to_vec();
        };
        let pending = std::mem::take(&mut choice.tool_pending);
        let mut bytes = Vec::new();
        choice.calls = tools.calls_in(&pending);
        self.screen_calls(choice);
        let Some((content, calls)) = &choice.calls else {
            bytes.extend_from_slice(&self.chunk(i, Some(&pending), first, None, Value::Null));
            bytes.extend_from_slice(&self.chunk(i, None, false, Some(finish), Value::Null));
            return bytes;
        };
        if !content.is_empty() {
            bytes.extend_from_slice(&self.chunk(i, Some(content), first, None, Value::Null));
        }
        let delta = json!({"tool_calls": tools.calls_json(calls, true)});
        let role = first && bytes.is_empty();
        bytes.extend_from_slice(&self.delta_chunk(i, delta, role, None));
        bytes.extend_from_slice(&self.delta_chunk(i, json!({}), false, Some("tool_calls")));
        bytes
    }

    /// Screens the calls' arguments as read (JSON escapes decoded: the
    /// text screened as generated may spell `@` as `\u0040`), redacting
    /// what the output policy redacts and noting what was found.
    fn screen_calls(&self, choice: &mut Choice) {
        let (Some(policy), Some((_, calls))) = (self.policy(), choice.calls.as_mut()) else {
            return;
        };
        for call in calls.iter_mut() {
            let found = policy.detector.scan(&call.arguments);
            if found.is_empty() {
                continue;
            }
            choice
                .found_in_calls
                .extend(found.iter().map(|f| f.category.as_str()));
            let (arguments, redacted) = self.screening.output.apply_found(&call.arguments, &found);
            choice.redacted |= !redacted.is_empty();
            call.arguments = arguments;
        }
    }

    /// A chat chunk of choice `i` with `delta` (the role added on the
    /// first) and a finish reason.
    fn delta_chunk(&self, i: usize, mut delta: Value, role: bool, finish: Option<&str>) -> Bytes {
        if role && let Value::Object(m) = &mut delta {
            m.insert("role".into(), json!("assistant"));
        }
        sse(&json!({
            "id": self.id,
            "object": self.object(true),
            "created": self.created,
            "model": self.model.id,
            "choices": [{"index": i, "delta": delta, "logprobs": null, "finish_reason": finish}],
        }))
    }

    /// The log-probabilities of a screened stream's text released so far
    /// and not yet sent, scrubbed where their text was redacted.
    fn released_logprobs(
        &self,
        choice: &mut Choice,
        held: &crate::serving::policy::HeldBack,
    ) -> Value {
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
        crate::serving::policy::scrub_logprobs(&mut entries, spans, &held.redactions);
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

    pub(super) fn stream(
        self,
        receivers: Vec<UnboundedReceiver<Event>>,
        include_usage: bool,
    ) -> HttpResponse {
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
            held: (0..n)
                .map(|_| crate::serving::policy::HeldBack::default())
                .collect(),
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
pub(super) struct CancelGuard(Option<Completion>);

impl CancelGuard {
    /// Armed: dropped before [`Self::disarm`], it records `completion`
    /// cancelled.
    pub(super) fn arm(completion: Completion) -> Self {
        Self(Some(completion))
    }

    /// Done waiting: nothing is recorded on drop.
    pub(super) fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        if let Some(completion) = self.0.take() {
            completion.record_cancelled(&[]);
        }
    }
}

/// The error a failed choice answers with; an overloaded node says when
/// to come back.
pub(super) fn failure(code: ErrorCode, message: String) -> ApiError {
    let e = ApiError::new(code, message);
    if code == ErrorCode::Overloaded {
        e.with_retry_after(Duration::from_secs(1))
    } else {
        e
    }
}

pub(super) fn sse(value: &Value) -> Bytes {
    Bytes::from(format!("data: {value}\n\n"))
}

/// An unbounded receiver as a stream.
pub(super) fn tokio_stream_of(
    mut rx: UnboundedReceiver<Event>,
) -> impl futures_util::Stream<Item = Event> + Unpin {
    Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Running,
    Usage,
    Done,
    Closed,
}

pub(super) struct StreamState<S> {
    pub(super) completion: Completion,
    pub(super) merged: S,
    pub(super) choices: Vec<Choice>,
    /// Output not yet sent while it is screened, per choice.
    pub(super) held: Vec<crate::serving::policy::HeldBack>,
    pub(super) started: Vec<bool>,
    pub(super) include_usage: bool,
    pub(super) phase: Phase,
}

impl<S> Drop for StreamState<S> {
    /// A stream dropped before its completion record (the client went
    /// away) still leaves one: outcome `cancelled`. The engine frees the
    /// sequence at its next step, as the receivers close here.
    fn drop(&mut self) {
        if matches!(self.phase, Phase::Running | Phase::Usage) {
            self.completion.record_cancelled(&self.choices);
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
                            let bytes = self
                                .completion
                                .content_chunk(i, choice, &sent, first, logprobs);
                            if bytes.is_empty() {
                                continue;
                            }
                            Bytes::from(bytes)
                        }
                        (Event::Done { finish, .. }, Some(policy), Some(held)) => {
                            let mut bytes = self
                                .completion
                                .release_held(i, choice, held, &policy, first);
                            let first = first && bytes.is_empty();
                            bytes.extend(self.completion.finish_chunk(i, choice, first, finish));
                            Bytes::from(bytes)
                        }
                        (Event::Text { text, logprobs }, _, _) => {
                            choice.delivered.push_str(&text);
                            let logprobs =
                                self.completion.logprobs_json(&logprobs, &mut choice.offset);
                            let bytes = self
                                .completion
                                .content_chunk(i, choice, &text, first, logprobs);
                            if bytes.is_empty() {
                                continue;
                            }
                            Bytes::from(bytes)
                        }
                        (Event::Done { finish, .. }, _, _) => {
                            Bytes::from(self.completion.finish_chunk(i, choice, first, finish))
                        }
                        (failed, screen, held) => {
                            let (code, message) = match failed {
                                Event::Failed(m) => (ErrorCode::Internal, m),
                                Event::TimedOut(m) => (ErrorCode::Overloaded, m),
                                Event::Error(code, m) => (code, m),
                                Event::Text { .. } | Event::Done { .. } => continue,
                            };
                            // The text held back for screening goes out,
                            // screened, before the error: the client gets
                            // all that was generated.
                            let mut bytes = match (screen, held) {
                                (Some(policy), Some(held)) => self
                                    .completion
                                    .release_held(i, choice, held, &policy, first),
                                _ => Vec::new(),
                            };
                            bytes.extend_from_slice(&sse(&failure(code, message).body()));
                            Bytes::from(bytes)
                        }
                    });
                }
            }
        }
    }
}
