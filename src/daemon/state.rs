//! Start-up, first part: everything the daemon serves with, built and
//! checked in order (TLS, identity, audit, license, monthly active users,
//! policy, model) before any listener opens. Each step sets its readiness
//! component; a step that cannot work exits with a message naming it.

use std::path::Path;
use std::sync::Arc;

use actix_web::web;

use super::readiness::{ComponentState, Readiness, component};
use super::{
    DaemonError, NO_MODEL, checkpoint_push, identity_state, model_id, policy_state, systemd,
};
use crate::audit::record::{AuditEvent, EventType};
use crate::audit::store::{SizeLimit, Store};
use crate::config::Config;
use crate::identity::jwt::Authenticator;
use crate::identity::ratelimit::RateLimiter;
use crate::identity::tls::{TlsMaterial, TlsState};
use crate::license::License;
use crate::mau::Accountant;
use crate::serving;
use crate::serving::auth::{AuditContext, IdentityState};
use crate::serving::openai::ModelSlot;
use crate::telemetry::metrics::Metrics;

/// What the daemon serves with.
pub(super) struct State {
    pub metrics: Arc<Metrics>,
    pub readiness: Arc<Readiness>,
    pub tls: TlsState,
    pub server_config: rustls::ServerConfig,
    pub identity: Arc<IdentityState>,
    pub audit: AuditContext,
    /// `audit.max_store_mib`, which a reload changes.
    pub store_limit: SizeLimit,
    pub mau: Arc<Accountant>,
    pub mau_reporting: web::Data<serving::admin::MauReporting>,
    pub policy: Arc<crate::policy::PolicyState>,
    pub policy_context: web::Data<serving::policy::PolicyContext>,
    pub model: Arc<ModelSlot>,
    /// The `[[upstream]]` servers (none configured: empty).
    pub upstreams: Arc<serving::upstream::Upstreams>,
}

/// Builds the daemon's state from `config`, in the order of the request
/// path.
pub(super) async fn build(config: &Config) -> Result<State, DaemonError> {
    let metrics = Arc::new(Metrics::new());
    let readiness = Arc::new(Readiness::new(metrics.clone()));
    readiness.set(component::LISTENERS, ComponentState::Starting);
    readiness.set(component::TLS, ComponentState::Starting);
    readiness.set(component::MODEL, ComponentState::Starting);

    let (tls, server_config) = start_tls(config, &metrics)?;
    readiness.set(component::TLS, ComponentState::Ready);
    let identity = start_identity(config, &readiness).await?;

    readiness.set(component::AUDIT, ComponentState::Starting);
    systemd::status("opening the audit trail");
    let store_limit = SizeLimit::default();
    let (audit, store) = start_audit(config, store_limit.clone()).await?;
    readiness.set(component::AUDIT, ComponentState::Ready);
    actix_web::rt::spawn(mirror_audit_health(audit.log.health(), readiness.clone()));

    readiness.set(component::LICENSE, ComponentState::Starting);
    systemd::status("checking the license");
    let (license_state, license) = admit_license(config, &audit, &store).await?;
    let licensed = matches!(license_state, ComponentState::Ready);
    readiness.set(component::LICENSE, license_state);
    let (mau, mau_reporting) = start_mau(
        config,
        license.as_ref(),
        &audit,
        store,
        &metrics,
        &readiness,
    )
    .await?;

    readiness.set(component::POLICY, ComponentState::Starting);
    let (policy, policy_context) = start_policy(config, &readiness)?;

    let model = Arc::new(ModelSlot::default());
    systemd::status("loading the model");
    let model_state = serve_model(config, licensed, license, &metrics, &model).await;
    let upstreams = start_upstreams(config, licensed)?;
    // A node that only fronts upstreams is ready without a model of its own.
    let model_state = match model_state {
        ComponentState::Unavailable(_) if config.model.path.is_none() && !upstreams.is_empty() => {
            ComponentState::Ready
        }
        ComponentState::Unavailable(_) if config.model.path.is_none() && !licensed && !config.upstreams.is_empty() => {
            ComponentState::Unavailable(
                "the upstreams are not served: the installation license is not in force (see the license component)"
                    .to_owned(),
            )
        }
        state => state,
    };
    readiness.set(component::MODEL, model_state);
    upstreams.spawn_health_checks(metrics.clone());
    Ok(State {
        metrics,
        readiness,
        tls,
        server_config,
        identity,
        audit,
        store_limit,
        mau,
        mau_reporting,
        policy,
        policy_context,
        model,
        upstreams,
    })
}

/// The `[[upstream]]` servers' clients (certificates, keys and bearer keys
/// read now); none while the installation license is not in force, so
/// that nothing is served that the license does not allow.
fn start_upstreams(
    config: &Config,
    licensed: bool,
) -> Result<Arc<serving::upstream::Upstreams>, DaemonError> {
    if config.upstreams.is_empty() {
        return Ok(Arc::default());
    }
    if !licensed {
        tracing::error!("the installation license is not in force; no upstream is served");
        return Ok(Arc::default());
    }
    let credentials = std::env::var_os("CREDENTIALS_DIRECTORY").map(std::path::PathBuf::from);
    let upstreams = serving::upstream::Upstreams::build(
        &config.upstreams,
        credentials.as_deref(),
        config.model.max_request_bytes,
    )
    .map_err(|errors| {
        DaemonError::Upstream(
            errors
                .into_iter()
                .map(|e| format!("{}: {}", e.key, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    for (id, routes) in upstreams.models() {
        let names: Vec<&str> = routes.iter().map(|r| r.upstream.name.as_str()).collect();
        tracing::info!(model = %id, upstreams = ?names, "model served by upstream servers");
    }
    Ok(Arc::new(upstreams))
}

/// The server certificate, client CAs and CRLs, and the rustls
/// configuration that consults them on every handshake.
fn start_tls(
    config: &Config,
    metrics: &Metrics,
) -> Result<(TlsState, rustls::ServerConfig), DaemonError> {
    systemd::status("loading TLS certificates");
    let material =
        TlsMaterial::load(&config.tls, crate::clock::system_now()).map_err(DaemonError::Tls)?;
    tracing::info!(
        subject = %material.server_cert.subject,
        not_after = %material.server_cert.not_after_rfc3339(),
        client_cas = material.client_ca_count,
        require_client_cert = config.tls.require_client_cert,
        "TLS material loaded"
    );
    if !config.tls.require_client_cert {
        tracing::warn!(
            "tls.require_client_cert is false: clients without a certificate are served"
        );
    }
    metrics
        .server_cert_expiry
        .set(material.server_cert.not_after);
    let tls = TlsState::new(material, metrics.client_cert_rejections.clone());
    let server_config = tls.server_config(config.tls.min_version)?;
    Ok((tls, server_config))
}

/// Token issuers (remote JWKS fetched once here) and rate limits.
async fn start_identity(
    config: &Config,
    readiness: &Readiness,
) -> Result<Arc<IdentityState>, DaemonError> {
    let authenticator = Authenticator::new(&config.identity).map_err(DaemonError::Identity)?;
    for e in authenticator.refresh_remote().await {
        tracing::error!(error = %e, "JWKS fetch failed");
    }
    readiness.set(component::IDENTITY, identity_state(&authenticator));
    Ok(Arc::new(IdentityState::new(
        authenticator,
        RateLimiter::new(config.rate_limits.clone()),
    )))
}

/// The license's readiness and the license itself, checked against what
/// this node uses; the outcome is recorded in the trail.
async fn admit_license(
    config: &Config,
    audit: &AuditContext,
    store: &Store,
) -> Result<(ComponentState, Option<License>), DaemonError> {
    let (mut state, license) = check_license(&config.license);
    if let (ComponentState::Ready, Some(l)) = (&state, &license)
        && let Err(why) = check_license_scope(&l.terms, config, store).await
    {
        tracing::error!(error = %why, "no model is served");
        state = ComponentState::Unavailable(why);
    }
    let now = crate::clock::now();
    let mut e = AuditEvent::new(EventType::LicenseChecked, &audit.node_id, now);
    e.license_id = license.as_ref().map(|l| l.terms.license_id.clone());
    let (outcome, reason) = match (&state, &license) {
        (ComponentState::Unavailable(why), _) => ("refused", Some(why.clone())),
        (_, Some(l)) => match l.standing(now) {
            crate::license::Standing::Grace { .. } => ("grace", Some(l.standing(now).to_string())),
            standing => ("valid", Some(standing.to_string())),
        },
        (_, None) => ("unlicensed", None),
    };
    e.outcome = Some(outcome.to_owned());
    e.reason = reason;
    audit
        .log
        .append(e)
        .await
        .map_err(|e| DaemonError::Audit(e.to_string()))?;
    Ok((state, license))
}

/// Monthly-active-user accounting under the license's terms, checked
/// against the trail's evidence, and what `/admin/v1/mau` reports from.
async fn start_mau(
    config: &Config,
    license: Option<&License>,
    audit: &AuditContext,
    store: Store,
    metrics: &Metrics,
    readiness: &Readiness,
) -> Result<(Arc<Accountant>, web::Data<serving::admin::MauReporting>), DaemonError> {
    let (mau_limit, mau_mode) = license.map_or((None, crate::license::MauMode::Observe), |l| {
        (l.terms.mau_limit, l.terms.mau_mode)
    });
    let mau = Arc::new(
        Accountant::open(
            store.clone(),
            &config.node.id,
            mau_limit,
            mau_mode,
            crate::clock::now(),
        )
        .await
        .map_err(|e| DaemonError::Audit(format!("monthly-active-user accounting: {e}")))?,
    );
    restore_mau(&mau, audit).await?;
    let reporting = web::Data::new(serving::admin::MauReporting {
        store,
        signer: crate::audit::keys::read_signer(&config.audit.signing_key)
            .map_err(|e| DaemonError::Audit(e.to_string()))?,
        node_id: config.node.id.clone(),
        model_id: config
            .model
            .path
            .as_deref()
            .map(|p| model_id(&config.model, p)),
        license_id: license.map(|l| l.terms.license_id.clone()),
        accountant: mau.clone(),
    });
    let active = mau.count().await;
    metrics.serving.mau_active_users.set(active as i64);
    if let (Some(limit), false) = (mau_limit, mau_mode == crate::license::MauMode::Observe) {
        readiness.set_note(
            "mau:license_limit",
            crate::mau::status_note(active, limit, "the license's limit"),
        );
    }
    metrics
        .serving
        .mau_limit
        .set(mau_limit.map_or(0, |l| l as i64));
    tracing::info!(
        count = active,
        limit = ?mau_limit,
        mode = ?mau_mode,
        "monthly active users this month"
    );
    Ok((mau, reporting))
}

/// The MAU table is an index of the trail's evidence: subjects it lost
/// (rows deleted while the node was down) are restored and said so.
async fn restore_mau(mau: &Accountant, audit: &AuditContext) -> Result<(), DaemonError> {
    match mau.restore_from_trail(crate::clock::now()).await {
        Ok(0) => Ok(()),
        Ok(restored) => {
            let why = format!(
                "restored {restored} monthly-active subjects of this month from the audit trail; the table had lost them (deleted outside Palisade?)"
            );
            tracing::error!("{why}");
            let mut e =
                AuditEvent::new(EventType::AdminAction, &audit.node_id, crate::clock::now());
            e.operation = Some("monthly-active-user table restored".into());
            e.outcome = Some("restored".into());
            e.reason = Some(why);
            audit
                .log
                .append(e)
                .await
                .map(|_| ())
                .map_err(|e| DaemonError::Audit(e.to_string()))
        }
        Err(e) => Err(DaemonError::Audit(format!(
            "monthly-active-user accounting: cannot check the count against the audit trail: {e}"
        ))),
    }
}

/// The policy set and the identifier detector each request is put to.
fn start_policy(
    config: &Config,
    readiness: &Readiness,
) -> Result<
    (
        Arc<crate::policy::PolicyState>,
        web::Data<serving::policy::PolicyContext>,
    ),
    DaemonError,
> {
    let policies = crate::policy::load_configured(config.policy.dir.as_ref())
        .map_err(|e| DaemonError::Policy(e.to_string()))?;
    tracing::info!(
        origin = policies.origin(),
        policies = policies.len(),
        hash = policies.hash(),
        "policies loaded"
    );
    readiness.set(component::POLICY, policy_state(&policies));
    let state = Arc::new(crate::policy::PolicyState::new(policies));
    let detector = match &config.policy.names {
        Some(names) => crate::pii::Detector::with_dictionary(names),
        None => crate::pii::Detector::new(),
    }
    .map_err(|e| DaemonError::Policy(e.to_string()))?;
    let context = web::Data::new(serving::policy::PolicyContext {
        state: state.clone(),
        detector,
        node: config.node.clone(),
    });
    Ok((state, context))
}

/// Loads the configured model into `slot` when the license is in force and
/// covers it; the model component's state says what happened.
async fn serve_model(
    config: &Config,
    licensed: bool,
    license: Option<License>,
    metrics: &Metrics,
    slot: &ModelSlot,
) -> ComponentState {
    let path = match config.model.path.clone() {
        None => return ComponentState::Unavailable(NO_MODEL.to_owned()),
        Some(_) if !licensed => {
            return ComponentState::Unavailable(
                "not served: the installation license is not in force (see the license component)"
                    .to_owned(),
            );
        }
        Some(path) => path,
    };
    let settings = config.model.clone();
    let serving_metrics = metrics.serving.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        // The weights digest names, in every audit record, the weights that
        // answered; and coverage comes first: an uncovered model is never
        // loaded.
        let digest = crate::engine::weights::digest(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if let Some(license) = &license {
            let id = model_id(&settings, &path);
            license.covers(&id, &digest).map_err(|e| e.to_string())?;
            tracing::info!(model = %id, %digest, license = %license.terms.license_id, "the license covers the model");
        }
        load_model(&settings, &path, serving_metrics, digest)
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r);
    match loaded {
        Ok(served) => {
            tracing::info!(model = %served.card.id, context = served.context_length, "model loaded");
            slot.set(Arc::new(served));
            ComponentState::Ready
        }
        Err(e) => {
            tracing::error!(error = %e, "the model did not load; /v1 answers 503");
            ComponentState::Unavailable(e)
        }
    }
}

/// Opens the audit store, loads (or creates) the keys and starts the log.
async fn start_audit(
    config: &Config,
    limit: crate::audit::store::SizeLimit,
) -> Result<(AuditContext, crate::audit::store::Store), DaemonError> {
    let audit = &config.audit;
    let sqlite_path = audit.store.strip_prefix("sqlite:").map(Path::new);
    for file in [
        Some(audit.signing_key.as_path()),
        Some(audit.pseudonym_key.as_path()),
        sqlite_path,
    ]
    .into_iter()
    .flatten()
    {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::identity::devpki::create_dir(dir)
                .map_err(|e| DaemonError::Audit(e.to_string()))?;
        }
    }
    let key_name = format!("palisade-{}", config.node.id.replace(['+', ' '], "-"));
    let (signer, created) =
        crate::audit::keys::load_or_create_signer(&audit.signing_key, &key_name)
            .map_err(|e| DaemonError::Audit(e.to_string()))?;
    if created {
        tracing::warn!(
            key = %audit.signing_key.display(),
            verifier_key = %signer.verifier_key(),
            "created the audit checkpoint signing key; give its verifier key to your auditors"
        );
    }
    let pseudonym_key = crate::audit::keys::load_or_create_pseudonym_key(&audit.pseudonym_key)
        .map_err(|e| DaemonError::Audit(e.to_string()))?;
    limit.set_mib(audit.max_store_mib);
    let store = crate::audit::store::Store::open_limited(&audit.store, limit)
        .await
        .map_err(|e| DaemonError::Audit(e.to_string()))?;
    let log = crate::audit::log::AuditLog::start(
        store.clone(),
        signer,
        crate::audit::log::LogSettings {
            log_id: config.node.id.clone(),
            checkpoint_every_records: audit.checkpoint_every_records,
            checkpoint_interval: audit.checkpoint_interval,
            checkpoint_file: audit.checkpoint_file.clone(),
            checkpoint_feed: match (&audit.checkpoint_url, &audit.checkpoint_url_ca) {
                (Some(url), Some(ca)) => Some(checkpoint_push::start(
                    url.clone(),
                    Arc::new(
                        crate::https::load_roots(ca)
                            .map_err(|e| DaemonError::Audit(e.to_string()))?,
                    ),
                )),
                _ => None,
            },
        },
    )
    .await
    .map_err(|e| DaemonError::Audit(e.to_string()))?;
    Ok((
        AuditContext {
            log,
            pseudonym_key: pseudonym_key.into(),
            node_id: config.node.id.clone(),
        },
        store,
    ))
}

/// Keeps the audit component's readiness in step with the store: not ready
/// while it refuses writes (requests fail closed meanwhile), ready again
/// once the log's own retries get through.
async fn mirror_audit_health(
    mut health: tokio::sync::watch::Receiver<Option<String>>,
    readiness: Arc<Readiness>,
) {
    loop {
        let state = match health.borrow_and_update().clone() {
            None => ComponentState::Ready,
            Some(why) => {
                ComponentState::Unavailable(format!("the audit store refuses writes: {why}"))
            }
        };
        readiness.set(component::AUDIT, state);
        systemd::status(&match readiness.not_ready_summary() {
            Some(summary) => format!("serving; not ready: {summary}"),
            None => "serving; ready".to_owned(),
        });
        if health.changed().await.is_err() {
            return;
        }
    }
}

/// Verifies the configured license: its readiness, and the license when it
/// verified. Without a license file the node runs unlicensed (ready, with
/// a warning); expired beyond its grace period, not yet valid, or not
/// verifying, it is not ready and no model is served.
fn check_license(
    settings: &crate::config::LicenseConfig,
) -> (ComponentState, Option<crate::license::License>) {
    let Some(file) = &settings.file else {
        tracing::warn!(
            "no license is configured ([license] file): running unlicensed, for development only"
        );
        return (ComponentState::Ready, None);
    };
    let verified = (|| {
        let key = crate::license::parse_public_key(
            settings.vendor_public_key.as_deref().unwrap_or_default(),
        )
        .map_err(|e| e.to_string())?;
        let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        crate::license::verify(&text, &key).map_err(|e| e.to_string())
    })();
    let license = match verified {
        Ok(l) => l,
        Err(e) => {
            let why = format!("license {}: {e}", file.display());
            tracing::error!(error = %why, "the license does not verify; no model is served");
            return (ComponentState::Unavailable(why), None);
        }
    };
    let standing = license.standing(crate::clock::now());
    let id = &license.terms.license_id;
    match standing {
        crate::license::Standing::Valid { .. } => {
            tracing::info!(license = %id, licensee = %license.terms.licensee, %standing, "license verified");
        }
        crate::license::Standing::Grace { .. } => {
            tracing::warn!(license = %id, %standing, "the license has expired and is in its grace period: renew it");
        }
        _ => {
            let why = format!("license {id} is {standing}");
            tracing::error!(error = %why, "no model is served");
            return (ComponentState::Unavailable(why), Some(license));
        }
    }
    (ComponentState::Ready, Some(license))
}

/// What a verified license allows this node: the features it uses
/// (`serving` for a model, `fleet` for a PostgreSQL store) and the node
/// limit, counted on the audit store.
async fn check_license_scope(
    terms: &crate::license::Terms,
    config: &Config,
    store: &crate::audit::store::Store,
) -> Result<(), String> {
    use crate::license::{FEATURE_FLEET, FEATURE_SERVING, NODE_WINDOW_DAYS};
    let id = &terms.license_id;
    if config.model.path.is_some() && !terms.allows(FEATURE_SERVING) {
        return Err(format!(
            "license {id} does not include the `{FEATURE_SERVING}` feature (it has: {})",
            terms.features.join(", ")
        ));
    }
    if config.audit.store.starts_with("postgres") && !terms.allows(FEATURE_FLEET) {
        return Err(format!(
            "license {id} does not include the `{FEATURE_FLEET}` feature, which a PostgreSQL audit store (a fleet) needs (it has: {})",
            terms.features.join(", ")
        ));
    }
    let since = crate::clock::now() - time::Duration::days(NODE_WINDOW_DAYS);
    let active = store
        .active_logs(since)
        .await
        .map_err(|e| format!("cannot count the nodes on the audit store: {e}"))?;
    terms
        .check_nodes(&config.node.id, &active)
        .map_err(|e| e.to_string())
}

/// Loads the configured model and starts its scheduler.
fn load_model(
    settings: &crate::config::ModelConfig,
    path: &Path,
    metrics: crate::telemetry::metrics::ServingMetrics,
    weights_digest: String,
) -> Result<serving::openai::ServedModel, String> {
    use crate::engine;
    let err = |e: engine::EngineError| format!("{}: {e}", path.display());
    let dtype = engine::parse_dtype(&settings.dtype).map_err(err)?;
    let device = engine::parse_device(&settings.device).map_err(err)?;
    if let Some(problem) = crate::daemon::check::memory_problem(settings, path) {
        return Err(problem);
    }
    let quantization = settings
        .quantization
        .as_deref()
        .map(engine::quant::Quantization::parse)
        .transpose()
        .map_err(err)?
        .map(|q| (q, settings.quantize_attention));
    let model =
        engine::model::Model::load_quantized(path, dtype, &device, quantization).map_err(err)?;
    let tokenizer =
        engine::model::Model::tokenizer_at(path, model.config().common.vocab_size).map_err(err)?;
    let context_length = model.context_length();
    let grammars = engine::constrain::Grammars::new(&tokenizer, model.config().common.vocab_size)
        .map(Arc::new)
        .map_err(|e| {
            tracing::warn!(error = %e, "constrained output (response_format, tool calls) is off for this model");
            e.to_string()
        });
    let terms = crate::license::terms::read(path).map_err(|e| e.to_string())?;
    if let Some(attribution) = &terms.attribution {
        tracing::info!(license = ?terms.license, %attribution, "the model's license asks for attribution; /v1 shows it");
    }
    let pool = model
        .new_kv_pool(settings.kv_blocks, settings.kv_block_size)
        .map_err(err)?;
    tracing::info!(
        blocks = pool.blocks(),
        block_size = pool.block_size(),
        bytes = pool.bytes(),
        "KV cache pool: {} MiB when every block is in use",
        pool.bytes() >> 20
    );
    let scheduler = serving::scheduler::Scheduler::start(
        model,
        pool,
        tokenizer.clone(),
        serving::scheduler::Settings {
            max_batch: settings.max_batch,
            queue_depth: settings.queue_depth,
            kv_blocks: settings.kv_blocks,
            kv_block_size: settings.kv_block_size,
            prefill_chunk: settings.prefill_chunk,
        },
        metrics,
    )
    .map_err(|e| format!("cannot start the scheduler thread: {e}"))?;
    let card = serving::openai::ModelCard {
        id: model_id(settings, path),
        created: crate::clock::now().unix_timestamp(),
        engine_version: format!("palisade {}", env!("CARGO_PKG_VERSION")),
        weights_digest: Some(weights_digest),
        chat_template_hash: tokenizer.chat_template_hash(),
        terms,
    };
    Ok(serving::openai::ServedModel {
        card: Arc::new(card),
        context_length,
        tokenizer,
        scheduler,
        default_max_tokens: settings.default_max_tokens,
        request_timeout: settings.request_timeout,
        max_request_bytes: settings.max_request_bytes,
        grammars,
    })
}
