//! The request core: after identity and the body, screening and policy,
//! monthly-active-user admission, a place in the queue, the accepted
//! record committed, then the choices handed to the scheduler.

use super::answer::Completion;
use super::wire::*;
use super::*;
use crate::serving::events::{InferenceRefused, inference_record};

pub(super) fn served(req: &HttpRequest) -> Result<Arc<ServedModel>, ApiError> {
    req.app_data::<Data<ModelSlot>>()
        .and_then(|slot| slot.get())
        .ok_or_else(|| ApiError::new(ErrorCode::NotReady, "no model is loaded yet; see /readyz"))
}

/// Body, prompt, screening and plan of a request from `principal`, then
/// [`run`].
pub(super) async fn handle_read(
    principal: Principal,
    req: HttpRequest,
    payload: &mut Option<actix_web::web::Payload>,
    api: Api,
) -> Result<HttpResponse, ApiError> {
    let upstreams = req
        .app_data::<Data<crate::serving::upstream::Upstreams>>()
        .filter(|u| !u.is_empty())
        .cloned();
    // With upstreams, a node may serve without a model of its own.
    let model = match (served(&req), &upstreams) {
        (Ok(model), _) => Some(model),
        (Err(_), Some(_)) => None,
        (Err(e), None) => return Err(e),
    };
    let limit = match (&model, &upstreams) {
        (Some(m), _) => m.max_request_bytes,
        (None, Some(u)) => u.max_request_bytes,
        (None, None) => crate::config::ModelConfig::default().max_request_bytes,
    };
    let Some(payload) = payload.take() else {
        return Err(ApiError::new(
            ErrorCode::Internal,
            "the body was already read",
        ));
    };
    let body = body_of(&req, payload, limit).await?;
    let mut object = parse_object(&body)?;
    let mut chat = Vec::new();
    let mut texts = match api {
        Api::Chat => {
            let messages: Vec<MessageIn> = field(&mut object, "messages")?;
            chat = chat_messages(&messages)?;
            screened_texts(&chat)
        }
        Api::Text => {
            let prompt: Stop = field(&mut object, "prompt")?;
            vec![completion_text(prompt)?]
        }
    };
    refuse_unknown(&object, api)?;
    refuse_unsupported(&object)?;
    let format = super::structured::output_format(&object)?;
    let tools = super::tools::tools_of(&object, api)?;
    // The tool definitions the model is shown are screened too (their
    // descriptions, enums and defaults are text like any other).
    if let Some(t) = tools.as_ref().filter(|t| t.active()) {
        texts.extend(t.definitions.iter().map(Value::to_string));
    }
    if tools.as_ref().is_some_and(super::tools::Tools::active)
        && format != super::structured::OutputFormat::Text
    {
        return Err(ApiError::new(
            ErrorCode::UnsupportedParameter,
            "`response_format` cannot be combined with tool calls; set `tool_choice` to \"none\" or drop `response_format`",
        )
        .with_param("response_format"));
    }
    let asked = object
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let (Some(id), Some(upstreams)) = (&asked, &upstreams)
        && let Some(routes) = upstreams.route(id)
    {
        if tools.is_some()
            || chat
                .iter()
                .any(|m| !m.tool_calls.is_empty() || m.tool_call_id.is_some())
        {
            return Err(ApiError::new(
                ErrorCode::UnsupportedParameter,
                format!(
                    "tool calling is not relayed to upstream servers yet ({id:?} is served by one)"
                ),
            )
            .with_param("tools"));
        }
        let routes = routes.to_vec();
        return super::upstream::handle(
            principal,
            req,
            id.clone(),
            routes,
            api,
            &body,
            object,
            chat,
            texts,
        )
        .await;
    }
    let Some(model) = model else {
        let served: Vec<&str> = upstreams
            .as_ref()
            .map(|u| u.models().map(|(id, _)| id).collect())
            .unwrap_or_default();
        return Err(match asked {
            Some(id) => ApiError::new(
                ErrorCode::NotFound,
                format!("the model {id:?} is not served here; this node serves {served:?}"),
            ),
            None => invalid(
                "model",
                format!("`model` is required: this node serves {served:?}"),
            ),
        }
        .with_param("model"));
    };
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
        .app_data::<Data<crate::serving::policy::PolicyContext>>()
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::NotReady, "the policy engine is not loaded"))?;
    let mut declared = crate::serving::policy::Declared::of(&req)?;
    if let Some(t) = tools.as_ref().filter(|t| t.active()) {
        declared.tools = t.names().into_iter().map(str::to_owned).collect();
    }
    let tool_use = tools.filter(super::tools::Tools::active).map(|tools| {
        Arc::new(super::tools::ToolUse {
            syntax: crate::engine::toolcall::ToolSyntax::of_template(
                model.tokenizer.chat_template_source(),
            ),
            tools,
        })
    });
    let prepared = {
        let (model, principal, tool_use) = (model.clone(), principal.clone(), tool_use.clone());
        offload(move || {
            prepare(
                &declared,
                &policy,
                &principal,
                &model,
                api,
                chat,
                texts,
                &format,
                tool_use.as_deref(),
            )
        })
        .await?
    };
    let (screening, prompt, constraint) = match prepared {
        Prepared::Denied(screening) => {
            let audit = req.app_data::<Data<AuditContext>>().ok_or_else(|| {
                ApiError::new(
                    ErrorCode::AuditUnavailable,
                    "the audit trail is not available",
                )
            })?;
            InferenceRefused {
                code: ErrorCode::PolicyDenied,
                reason: screening.decision.reason.clone(),
                prompt_tokens: None,
                screening: &screening,
            }
            .emit(&req, audit, &principal, &model.card)
            .await?;
            return Err(screening.denial());
        }
        Prepared::Allowed(screening, prompt, constraint) => (screening, prompt, constraint),
    };
    let mut plan = plan(&common, &model, prompt, api)?;
    // A stop string would cut a constrained output short of its grammar.
    if constraint.is_some() && !plan.stop.is_empty() {
        return Err(ApiError::new(
            ErrorCode::UnsupportedParameter,
            "`stop` cannot be combined with constrained output (response_format json, or tool_choice required or named): it would cut the output short of its schema",
        )
        .with_param("stop"));
    }
    plan.constraint = constraint;
    plan.tools = tool_use;
    run(req, principal, model, plan, api, &body, *screening).await
}

/// What of a chat is screened: every message's content, then the
/// arguments of every earlier tool call, in order (then, added by the
/// caller, the tool definitions).
pub(super) fn screened_texts(chat: &[ChatMessage]) -> Vec<String> {
    let contents = chat.iter().map(|m| m.content.clone());
    let arguments = chat.iter().flat_map(|m| &m.tool_calls).map(|c| {
        c.pointer("/function/arguments")
            .map(Value::to_string)
            .unwrap_or_default()
    });
    contents.chain(arguments).collect()
}

/// Puts the screened `texts` (see [`screened_texts`]) back into the chat;
/// what follows (the tool definitions) is returned.
fn restore_screened(chat: &mut [ChatMessage], texts: Vec<String>) -> Vec<String> {
    let mut texts = texts.into_iter();
    for m in chat.iter_mut() {
        if let Some(text) = texts.next() {
            m.content = text;
        }
    }
    for call in chat.iter_mut().flat_map(|m| &mut m.tool_calls) {
        if let Some(text) = texts.next()
            && let Some(arguments) = call.pointer_mut("/function/arguments")
        {
            // Redaction puts placeholders inside JSON strings, so the
            // arguments stay JSON.
            *arguments = serde_json::from_str(&text).unwrap_or(Value::String(text));
        }
    }
    texts.collect()
}

/// A request screened, and if allowed, its prompt tokenized.
pub(super) enum Prepared {
    Denied(Box<crate::serving::policy::Screening>),
    Allowed(
        Box<crate::serving::policy::Screening>,
        Vec<u32>,
        Option<crate::engine::constrain::Constraint>,
    ),
}

/// Screening (detection, redaction, the policy decision), the prompt's
/// template and tokens, and the output's grammar: the CPU-heavy part of a
/// request.
#[allow(clippy::too_many_arguments)]
pub(super) fn prepare(
    declared: &crate::serving::policy::Declared,
    policy: &crate::serving::policy::PolicyContext,
    principal: &Principal,
    model: &ServedModel,
    api: Api,
    mut chat: Vec<ChatMessage>,
    mut texts: Vec<String>,
    format: &super::structured::OutputFormat,
    tools: Option<&super::tools::ToolUse>,
) -> Result<Prepared, ApiError> {
    let screening = crate::serving::policy::screen_declared(
        declared,
        policy,
        principal,
        &model.card.id,
        model.card.terms.license.as_deref().unwrap_or_default(),
        &mut texts,
    )?;
    if !screening.decision.allowed {
        return Ok(Prepared::Denied(Box::new(screening)));
    }
    let prompt = match api {
        Api::Chat => {
            let rest = restore_screened(&mut chat, texts);
            // The definitions as screened; one redaction broke into the
            // JSON's structure is refused rather than guessed at.
            let definitions = tools
                .map(|t| {
                    t.tools
                        .definitions
                        .iter()
                        .zip(rest)
                        .enumerate()
                        .map(|(i, (_, text))| {
                            serde_json::from_str::<Value>(&text).map_err(|_| {
                                invalid(
                                    &format!("tools[{i}]"),
                                    format!("`tools[{i}]` holds identifiers policy redacts, where they cannot be redacted"),
                                )
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?;
            if definitions.is_some() {
                super::tools::refuse_unrendered(&model.tokenizer)?;
            }
            super::tools::refuse_spelled_specials(&model.tokenizer, &chat, definitions.as_deref())?;
            chat_prompt(model, &chat, definitions.as_deref())?
        }
        Api::Text => completion_prompt(model, texts.first().map_or("", String::as_str))?,
    };
    let constraint = match tools.and_then(|t| t.grammar(&model.tokenizer)) {
        Some(grammar) => Some(
            super::structured::usable(model.grammars())?
                .lark(&grammar)
                .map_err(|e| {
                    ApiError::new(ErrorCode::UnsupportedParameter, format!("`tools`: {e}"))
                        .with_param("tools")
                })?,
        ),
        None => super::structured::compile(model.grammars(), format)?,
    };
    Ok(Prepared::Allowed(Box::new(screening), prompt, constraint))
}

/// Runs CPU-heavy request work on the blocking pool, at most one job per
/// CPU at a time (the rest wait their turn without holding a thread).
pub(super) async fn offload<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let permits = PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    let busy = |_| ApiError::new(ErrorCode::Internal, "the request worker pool is closed");
    let _permit = permits.acquire().await.map_err(busy)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal("request preparation failed", &e))?
}

/// Admits the subject, takes a place in the queue, commits the accepted
/// record, hands the choices to the scheduler, and answers (whole or
/// streamed).
pub(super) async fn run(
    req: HttpRequest,
    principal: Principal,
    model: Arc<ServedModel>,
    plan: Plan,
    api: Api,
    body: &[u8],
    screening: crate::serving::policy::Screening,
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
    let refused = |code: ErrorCode, reason: String| InferenceRefused {
        code,
        reason,
        prompt_tokens: Some(plan.prompt.len()),
        screening: &screening,
    };
    admit(
        &req,
        &audit,
        &principal,
        &model.card,
        &screening,
        Some(plan.prompt.len()),
    )
    .await?;
    // A place in the queue first: a request refused for a full queue was
    // never accepted.
    let Ok(reservation) = model.scheduler.reserve(plan.n) else {
        refused(ErrorCode::RateLimited, "queue_full".into())
            .emit(&req, &audit, &principal, &model.card)
            .await?;
        return Err(ApiError::rate_limited("queue", Duration::from_secs(1)));
    };
    // Committed before the request reaches the engine, so before its first
    // token.
    let prompt_hash = commit_accepted(
        &req,
        &audit,
        &principal,
        &model.card,
        &screening,
        Some(plan.prompt.len()),
        body,
    )
    .await?;

    let receivers = reservation_jobs(&plan, started + model.request_timeout, reservation);
    let id = format!(
        "{}-{}",
        if api == Api::Chat { "chatcmpl" } else { "cmpl" },
        uuid::Uuid::now_v7().simple()
    );
    let completion = Completion {
        req,
        audit,
        principal,
        model: model.card.clone(),
        id,
        created: crate::clock::now().unix_timestamp(),
        api,
        started,
        prompt_tokens: plan.prompt.len(),
        prompt_hash,
        logprobs: plan.logprobs.is_some(),
        screening,
        tools: plan.tools.clone(),
    };
    if plan.stream {
        Ok(completion.stream(receivers, plan.include_usage))
    } else {
        completion.whole(receivers).await
    }
}

/// Queues the plan's choices on `reservation`, each with its own seed
/// derived from the request's; their event receivers, in order.
fn reservation_jobs(
    plan: &Plan,
    deadline: Instant,
    reservation: crate::serving::scheduler::Reservation,
) -> Vec<UnboundedReceiver<Event>> {
    let mut receivers = Vec::with_capacity(plan.n);
    let mut jobs = Vec::with_capacity(plan.n);
    for i in 0..plan.n {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let mut params = plan.params.clone();
        params.seed = params.seed.map(|s| s.wrapping_add(i as u64));
        jobs.push(Job {
            prompt: plan.prompt.clone(),
            params,
            max_tokens: plan.max_tokens,
            stop: plan.stop.clone(),
            deadline,
            logprobs: plan.logprobs,
            constraint: plan.constraint.as_ref().map(|c| c.fork()),
            events: tx,
        });
        receivers.push(rx);
    }
    reservation.send(jobs);
    receivers
}

/// Commits the `inference_accepted` record of a request whose body is
/// `body`; returns the prompt's keyed hash it carries. The request's
/// content is not stored; its keyed hash is (unless policy forbids even
/// that), so an auditor with the transcript and the key can show they
/// match.
pub(super) async fn commit_accepted(
    req: &HttpRequest,
    audit: &AuditContext,
    principal: &Principal,
    model: &ModelCard,
    screening: &crate::serving::policy::Screening,
    prompt_tokens: Option<usize>,
    body: &[u8],
) -> Result<Option<String>, ApiError> {
    let mut accepted = inference_record(
        req,
        audit,
        principal,
        model,
        EventType::InferenceAccepted,
        prompt_tokens,
    );
    screening.stamp(&mut accepted);
    if screening.keeps_content_hashes() {
        accepted.prompt_hash = Some(pseudonym(
            &audit.pseudonym_key,
            &[&String::from_utf8_lossy(body)],
        ));
    }
    let prompt_hash = accepted.prompt_hash.clone();
    audit.record(accepted).await?;
    Ok(prompt_hash)
}

/// A new subject refused at the license's enforced limit.
struct MauRefused {
    count: u64,
    limit: u64,
}

/// Monthly-active-user admission of the request's subject: one refused at
/// the license's enforced limit is recorded (`inference_refused`) and
/// answered 403 `license_mau_exceeded`.
pub(super) async fn admit(
    req: &HttpRequest,
    audit: &AuditContext,
    principal: &Principal,
    model: &ModelCard,
    screening: &crate::serving::policy::Screening,
    prompt_tokens: Option<usize>,
) -> Result<(), ApiError> {
    let Some(MauRefused { count, limit }) = admit_subject(req, audit, principal, model).await?
    else {
        return Ok(());
    };
    InferenceRefused {
        code: ErrorCode::LicenseMauExceeded,
        reason: format!("{count} of {limit} monthly active users"),
        prompt_tokens,
        screening,
    }
    .emit(req, audit, principal, model)
    .await?;
    Err(ApiError::new(
        ErrorCode::LicenseMauExceeded,
        format!(
            "the license's limit of {limit} monthly active users is reached; users already active this month are still served"
        ),
    ))
}

/// Whether the monthly-active-user count refuses this subject. A subject
/// new this month is committed to the trail, with any threshold it
/// crossed, before anything else happens.
async fn admit_subject(
    req: &HttpRequest,
    audit: &AuditContext,
    principal: &Principal,
    model: &ModelCard,
) -> Result<Option<MauRefused>, ApiError> {
    let Some(mau) = req.app_data::<Data<crate::mau::Accountant>>() else {
        return Ok(None);
    };
    let subject = audit.subject_pseudonym(principal);
    let now = crate::clock::now();
    let admission = mau
        .admit(&subject, &principal.tenant, now)
        .await
        .map_err(|e| {
            ApiError::audit_unavailable("monthly-active-user accounting cannot commit", &e)
        })?;
    let metrics = req.app_data::<Data<crate::telemetry::metrics::Metrics>>();
    let (count, crossed) = match admission {
        crate::mau::Admission::Known => return Ok(None),
        crate::mau::Admission::Refused { count, limit } => {
            if let Some(m) = metrics {
                m.serving.mau_refused.inc();
            }
            return Ok(Some(MauRefused { count, limit }));
        }
        crate::mau::Admission::New { count, crossed } => (count, crossed),
    };
    if let Some(m) = metrics {
        m.serving.mau_active_users.set(count as i64);
    }
    // The evidence of the count, in the trail.
    let mut counted = audit.event(req, EventType::MauSubjectCounted, 200);
    audit.principal(&mut counted, principal);
    counted.mau_month = Some(crate::mau::month_of(now));
    audit.record(counted).await?;
    let readiness = req.app_data::<Data<crate::daemon::readiness::Readiness>>();
    for c in mau.crossings(count, crossed, &model.id, model.terms.mau_threshold) {
        let (percent, of, what) = (c.percent, c.of, &c.what);
        let mode = mau.terms().1;
        tracing::warn!(
            count,
            of,
            ?mode,
            percent,
            "monthly active users crossed {percent} % of {what}"
        );
        if let Some(r) = readiness {
            r.set_note(
                &format!("mau:{}", c.topic),
                crate::mau::status_note(count, of, what),
            );
        }
        let mut e = audit.event(req, EventType::MauThresholdCrossed, 200);
        audit.principal(&mut e, principal);
        e.model_id = Some(model.id.clone());
        e.reason = Some(format!(
            "{percent}% of {what} ({count} of {of} in {})",
            crate::mau::month_of(now)
        ));
        audit.record(e).await?;
    }
    Ok(None)
}
