//! `palisade serve`: start up, serve, reload on SIGHUP, drain on SIGTERM.
//!
//! Start-up order: configuration, TLS material, listeners, HTTP workers,
//! then `READY=1`. Nothing is served before the TLS material checks out,
//! and a failure at any step exits with a message naming what failed.

pub mod check;
pub mod checkpoint_push;
pub mod listeners;
pub mod readiness;
pub mod systemd;
pub mod watchdog;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use tokio::signal::unix::{SignalKind, signal};

use crate::audit::record::{AuditEvent, EventType};
use crate::config::{Config, ConfigErrors};
use crate::identity::jwt::Authenticator;
use crate::identity::ratelimit::RateLimiter;
use crate::identity::tls::{TlsError, TlsMaterial, TlsState};
use crate::serving;
use crate::serving::auth::{AuditContext, IdentityState};
use crate::telemetry::metrics::Metrics;
use readiness::{ComponentState, Readiness, component};

/// Why the daemon could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The configuration is invalid.
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    /// The TLS material is unusable.
    #[error("TLS: {}", join_tls(.0))]
    Tls(Vec<TlsError>),
    /// The identity configuration or a JWKS is unusable.
    #[error("identity: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Identity(Vec<crate::identity::jwt::IdentityError>),
    /// The policy set or the name dictionary is unusable.
    #[error("policy: {0}")]
    Policy(String),
    /// The audit trail cannot be opened or written.
    #[error("audit: {0}")]
    Audit(String),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    /// A listener could not be opened.
    #[error("{0}")]
    Listen(#[from] listeners::ListenError),
    /// Signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(std::io::Error),
    /// The HTTP server failed.
    #[error("HTTP server: {0}")]
    Server(std::io::Error),
}

fn join_tls(errors: &[TlsError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.key, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Runs the daemon with the configuration at `config_path` (already loaded
/// as `config`) until SIGTERM or SIGINT.
pub fn serve(config_path: &Path, config: Config) -> Result<(), DaemonError> {
    actix_web::rt::System::new().block_on(run(config_path.to_path_buf(), config))
}

/// What a running daemon holds between signals.
struct Running {
    config_path: PathBuf,
    config: Config,
    tls: TlsState,
    identity: Arc<IdentityState>,
    audit: AuditContext,
    metrics: Arc<Metrics>,
    readiness: Arc<Readiness>,
    addrs: Vec<SocketAddr>,
    last_reload_error: Option<String>,
    policy: Arc<crate::policy::PolicyState>,
    /// `audit.max_store_mib`, which a reload changes.
    store_limit: crate::audit::store::SizeLimit,
}

impl Running {
    /// The `STATUS=` line: where we serve, what is not ready, and any
    /// reload that failed.
    fn status_line(&self) -> String {
        let addrs: Vec<String> = self.addrs.iter().map(ToString::to_string).collect();
        let mut line = format!("serving on {}", addrs.join(", "));
        if let Some(err) = &self.last_reload_error {
            line.push_str(&format!(
                "; last reload FAILED, previous configuration kept: {err}"
            ));
        }
        match self.readiness.not_ready_summary() {
            Some(summary) => line.push_str(&format!("; not ready: {summary}")),
            None => line.push_str("; ready"),
        }
        for note in self.readiness.notes() {
            line.push_str(&format!("; {note}"));
        }
        line
    }

    /// SIGHUP: re-read the file; apply what can change while running (the
    /// TLS certificate, key and client CA); keep everything as it was when
    /// anything in the new configuration is invalid.
    fn reload(&mut self) -> Result<Vec<String>, String> {
        let config = Config::load(&self.config_path).map_err(|e| e.to_string())?;
        let material = TlsMaterial::load(&config.tls, SystemTime::now())
            .map_err(|e| format!("TLS: {}", join_tls(&e)))?;
        let authenticator = Authenticator::new(&config.identity).map_err(|e| {
            let all: Vec<String> = e.iter().map(ToString::to_string).collect();
            format!("identity: {}", all.join("; "))
        })?;
        let policies = crate::policy::load_configured(config.policy.dir.as_ref())
            .map_err(|e| format!("policy: {e}"))?;
        // Everything checked out: apply.
        let mut notes = Vec::new();
        let restart_only = [
            ("server", config.server != self.config.server),
            (
                "tls.min_version",
                config.tls.min_version != self.config.tls.min_version,
            ),
            ("logging", config.logging != self.config.logging),
            ("metrics", config.metrics != self.config.metrics),
            ("node", config.node != self.config.node),
            (
                "audit",
                crate::config::AuditConfig {
                    max_store_mib: self.config.audit.max_store_mib,
                    ..config.audit.clone()
                } != self.config.audit,
            ),
            ("license", config.license != self.config.license),
            (
                "policy.names",
                config.policy.names != self.config.policy.names,
            ),
        ];
        for (section, changed) in restart_only {
            if changed {
                notes.push(format!(
                    "{section} changed; that takes effect after a restart"
                ));
            }
        }
        self.metrics
            .server_cert_expiry
            .set(material.server_cert.not_after);
        self.tls.replace(material);
        self.readiness
            .set(component::IDENTITY, identity_state(&authenticator));
        self.identity.replace_authenticator(authenticator);
        if config.rate_limits != self.config.rate_limits {
            self.identity
                .replace_limiter(RateLimiter::new(config.rate_limits.clone()));
        }
        let min_version = self.config.tls.min_version;
        self.config.tls = config.tls;
        self.config.tls.min_version = min_version;
        self.config.identity = config.identity;
        self.config.rate_limits = config.rate_limits;
        let old_hash = self.policy.get().hash().to_owned();
        if policies.hash() != old_hash {
            notes.push(format!(
                "policies reloaded from {}: {} policies, policy-set hash {} (was {old_hash})",
                policies.origin(),
                policies.len(),
                policies.hash()
            ));
        }
        self.readiness
            .set(component::POLICY, policy_state(&policies));
        self.policy.replace(policies);
        self.config.policy.dir = config.policy.dir;
        if config.audit.max_store_mib != self.config.audit.max_store_mib {
            notes.push(match config.audit.max_store_mib {
                Some(mib) => format!("audit.max_store_mib is now {mib}"),
                None => "audit.max_store_mib lifted".to_owned(),
            });
            self.store_limit.set_mib(config.audit.max_store_mib);
            self.config.audit.max_store_mib = config.audit.max_store_mib;
        }
        Ok(notes)
    }
}

/// Reloads (SIGHUP or `POST /admin/v1/reload`), records the outcome in the
/// audit trail and tells systemd.
async fn reload_and_record(running: &mut Running) -> Result<Vec<String>, String> {
    systemd::reloading();
    let outcome = running.reload();
    match &outcome {
        Ok(notes) => {
            running.last_reload_error = None;
            running.metrics.reload(true);
            for note in notes {
                tracing::warn!("{note}");
            }
            tracing::info!("configuration reloaded");
            let detail = (!notes.is_empty()).then(|| notes.join("; "));
            if let Err(e) =
                record_daemon_event(&running.audit, EventType::ConfigReloaded, detail).await
            {
                tracing::error!(error = %e, "cannot record the reload in the audit trail");
            }
        }
        Err(e) => {
            running.metrics.reload(false);
            tracing::error!(error = %e, "reload failed; still serving with the previous configuration");
            if let Err(a) = record_daemon_event(
                &running.audit,
                EventType::ConfigReloadFailed,
                Some(e.clone()),
            )
            .await
            {
                tracing::error!(error = %a, "cannot record the failed reload in the audit trail");
            }
            running.last_reload_error = Some(e.clone());
        }
    }
    systemd::ready(&running.status_line());
    outcome
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
                    Arc::new(crate::https::load_roots(ca).map_err(DaemonError::Audit)?),
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

/// Records a daemon event; the daemon's own events are not refusals, so a
/// failure is logged (the log writer already fails requests closed).
async fn record_daemon_event(
    audit: &AuditContext,
    event_type: EventType,
    reason: Option<String>,
) -> Result<u64, String> {
    let mut e = AuditEvent::new(event_type, &audit.node_id, time::OffsetDateTime::now_utc());
    e.reason = reason;
    e.operation = Some(format!("palisade {}", env!("CARGO_PKG_VERSION")));
    audit.log.append(e).await.map_err(|e| e.to_string())
}

/// How often JWKS files are checked for changes.
const JWKS_POLL: Duration = Duration::from_secs(5);

fn identity_state(a: &Authenticator) -> ComponentState {
    let without = a.issuers_without_keys();
    if a.issuer_count() == 0 {
        ComponentState::Unavailable(
            "no token issuer is configured ([[identity.issuers]]), so every request that needs a token is refused"
                .to_owned(),
        )
    } else if without.len() == a.issuer_count() {
        ComponentState::Unavailable(format!(
            "no issuer has usable keys yet (JWKS not fetched): {}",
            without.join(", ")
        ))
    } else {
        ComponentState::Ready
    }
}

/// The policy component's state: an empty set denies everything, and
/// says so.
fn policy_state(set: &crate::policy::PolicySet) -> ComponentState {
    if set.is_empty() {
        tracing::error!(
            origin = set.origin(),
            "the policy set is empty: every request is denied"
        );
        ComponentState::Unavailable(format!(
            "no policies in {}: every request is denied",
            set.origin()
        ))
    } else {
        ComponentState::Ready
    }
}

/// Why the model component is unavailable without a `[model]` path.
pub const NO_MODEL: &str = "no model is configured ([model] path), so /v1 is not served";

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
    let standing = license.standing(time::OffsetDateTime::now_utc());
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
    let since = time::OffsetDateTime::now_utc() - time::Duration::days(NODE_WINDOW_DAYS);
    let active = store
        .active_logs(since)
        .await
        .map_err(|e| format!("cannot count the nodes on the audit store: {e}"))?;
    terms.check_nodes(&config.node.id, &active)
}

/// The id the model in `path` is served under: `[model] id`, else the
/// directory's name.
pub fn model_id(settings: &crate::config::ModelConfig, path: &Path) -> String {
    settings.id.clone().unwrap_or_else(|| {
        path.file_name()
            .map_or_else(|| "model".to_owned(), |n| n.to_string_lossy().into_owned())
    })
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
    let model = engine::model::Model::load(path, dtype, &device).map_err(err)?;
    let tokenizer = engine::tokenizer::TextTokenizer::load(path, model.config().common.vocab_size)
        .map_err(err)?;
    let context_length = model.context_length();
    let terms = crate::license::terms::read(path)?;
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
    Ok(serving::openai::ServedModel {
        id: model_id(settings, path),
        created: time::OffsetDateTime::now_utc().unix_timestamp(),
        context_length,
        tokenizer,
        scheduler,
        default_max_tokens: settings.default_max_tokens,
        request_timeout: settings.request_timeout,
        max_request_bytes: settings.max_request_bytes,
        engine_version: format!("palisade {}", env!("CARGO_PKG_VERSION")),
        weights_digest,
        terms,
    })
}

async fn run(config_path: PathBuf, config: Config) -> Result<(), DaemonError> {
    let metrics = Arc::new(Metrics::new());
    let readiness = Arc::new(Readiness::new(metrics.clone()));
    readiness.set(component::LISTENERS, ComponentState::Starting);
    readiness.set(component::TLS, ComponentState::Starting);
    readiness.set(component::MODEL, ComponentState::Starting);

    systemd::status("loading TLS certificates");
    let material = TlsMaterial::load(&config.tls, SystemTime::now()).map_err(DaemonError::Tls)?;
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
    readiness.set(component::TLS, ComponentState::Ready);

    let authenticator = Authenticator::new(&config.identity).map_err(DaemonError::Identity)?;
    for e in authenticator.refresh_remote().await {
        tracing::error!(error = %e, "JWKS fetch failed");
    }
    readiness.set(component::IDENTITY, identity_state(&authenticator));
    let identity = Arc::new(IdentityState::new(
        authenticator,
        RateLimiter::new(config.rate_limits.clone()),
    ));

    readiness.set(component::AUDIT, ComponentState::Starting);
    systemd::status("opening the audit trail");
    let store_limit = crate::audit::store::SizeLimit::default();
    let (audit, store) = start_audit(&config, store_limit.clone()).await?;
    readiness.set(component::AUDIT, ComponentState::Ready);
    actix_web::rt::spawn(mirror_audit_health(audit.log.health(), readiness.clone()));

    readiness.set(component::LICENSE, ComponentState::Starting);
    systemd::status("checking the license");
    let (mut license_state, license) = check_license(&config.license);
    if let (ComponentState::Ready, Some(l)) = (&license_state, &license)
        && let Err(why) = check_license_scope(&l.terms, &config, &store).await
    {
        tracing::error!(error = %why, "no model is served");
        license_state = ComponentState::Unavailable(why);
    }
    let licensed = matches!(license_state, ComponentState::Ready);
    {
        let now = time::OffsetDateTime::now_utc();
        let mut e = AuditEvent::new(EventType::LicenseChecked, &audit.node_id, now);
        e.license_id = license.as_ref().map(|l| l.terms.license_id.clone());
        let (outcome, reason) = match (&license_state, &license) {
            (ComponentState::Unavailable(why), _) => ("refused", Some(why.clone())),
            (_, Some(l)) => match l.standing(now) {
                crate::license::Standing::Grace { .. } => {
                    ("grace", Some(l.standing(now).to_string()))
                }
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
    }
    readiness.set(component::LICENSE, license_state);
    let (mau_limit, mau_mode) = license
        .as_ref()
        .map_or((None, crate::license::MauMode::Observe), |l| {
            (l.terms.mau_limit, l.terms.mau_mode)
        });
    let mau = Arc::new(
        crate::mau::Accountant::open(
            store.clone(),
            &config.node.id,
            mau_limit,
            mau_mode,
            time::OffsetDateTime::now_utc(),
        )
        .await
        .map_err(|e| DaemonError::Audit(format!("monthly-active-user accounting: {e}")))?,
    );
    // The table is an index of the trail's evidence: subjects it lost
    // (rows deleted while the node was down) are restored and said so.
    match mau
        .restore_from_trail(time::OffsetDateTime::now_utc())
        .await
    {
        Ok(0) => {}
        Ok(restored) => {
            let why = format!(
                "restored {restored} monthly-active subjects of this month from the audit trail; the table had lost them (deleted outside Palisade?)"
            );
            tracing::error!("{why}");
            let mut e = AuditEvent::new(
                EventType::AdminAction,
                &audit.node_id,
                time::OffsetDateTime::now_utc(),
            );
            e.operation = Some("monthly-active-user table restored".into());
            e.outcome = Some("restored".into());
            e.reason = Some(why);
            audit
                .log
                .append(e)
                .await
                .map_err(|e| DaemonError::Audit(e.to_string()))?;
        }
        Err(e) => {
            return Err(DaemonError::Audit(format!(
                "monthly-active-user accounting: cannot check the count against the audit trail: {e}"
            )));
        }
    }
    let app_mau_reporting = web::Data::new(serving::admin::MauReporting {
        store,
        signer: crate::audit::keys::read_signer(&config.audit.signing_key)
            .map_err(DaemonError::Audit)?,
        node_id: config.node.id.clone(),
        model_id: config
            .model
            .path
            .as_deref()
            .map(|p| model_id(&config.model, p)),
        license_id: license.as_ref().map(|l| l.terms.license_id.clone()),
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

    readiness.set(component::POLICY, ComponentState::Starting);
    let policies = crate::policy::load_configured(config.policy.dir.as_ref())
        .map_err(|e| DaemonError::Policy(e.to_string()))?;
    tracing::info!(
        origin = policies.origin(),
        policies = policies.len(),
        hash = policies.hash(),
        "policies loaded"
    );
    readiness.set(component::POLICY, policy_state(&policies));
    let policy_state = Arc::new(crate::policy::PolicyState::new(policies));
    let detector = match &config.policy.names {
        Some(names) => crate::pii::Detector::with_dictionary(names),
        None => crate::pii::Detector::new(),
    }
    .map_err(|e| DaemonError::Policy(e.to_string()))?;
    let app_policy = web::Data::new(serving::policy::PolicyContext {
        state: policy_state.clone(),
        detector,
        node: config.node.clone(),
    });

    let (reload_tx, reload_rx) = tokio::sync::mpsc::channel(4);
    let app_reload = web::Data::new(serving::admin::ReloadHandle(reload_tx));

    let model_slot = Arc::new(serving::openai::ModelSlot::default());
    systemd::status("loading the model");
    let model_state = match config.model.path.clone() {
        None => ComponentState::Unavailable(NO_MODEL.to_owned()),
        Some(_) if !licensed => ComponentState::Unavailable(
            "not served: the installation license is not in force (see the license component)"
                .to_owned(),
        ),
        Some(path) => {
            let settings = config.model.clone();
            let serving_metrics = metrics.serving.clone();
            let license = license.clone();
            let loaded = tokio::task::spawn_blocking(move || {
                // The weights digest names, in every audit record, the
                // weights that answered; and coverage comes first: an
                // uncovered model is never loaded.
                let digest = crate::engine::weights::digest(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                if let Some(license) = &license {
                    let id = model_id(&settings, &path);
                    license.covers(&id, &digest)?;
                    tracing::info!(model = %id, %digest, license = %license.terms.license_id, "the license covers the model");
                }
                load_model(&settings, &path, serving_metrics, digest)
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
            match loaded {
                Ok(served) => {
                    tracing::info!(model = %served.id, context = served.context_length, "model loaded");
                    model_slot.set(Arc::new(served));
                    ComponentState::Ready
                }
                Err(e) => {
                    tracing::error!(error = %e, "the model did not load; /v1 answers 503");
                    ComponentState::Unavailable(e)
                }
            }
        }
    };
    readiness.set(component::MODEL, model_state);

    let (listeners, source) = listeners::open(&config.server)?;
    let addrs: Vec<SocketAddr> = listeners
        .iter()
        .map(|l| l.local_addr())
        .collect::<Result<_, _>>()
        .map_err(DaemonError::Server)?;

    let connections = serving::auth::Connections::default();
    let app_metrics = web::Data::from(metrics.clone());
    let app_readiness = web::Data::from(readiness.clone());
    let app_identity = web::Data::from(identity.clone());
    let app_audit = web::Data::new(audit.clone());
    let app_model = web::Data::from(model_slot.clone());
    let app_mau = web::Data::from(mau.clone());
    let app_retention = web::Data::new(serving::admin::Retention {
        minimum: config.audit.retention_minimum,
        legal_hold: config.audit.legal_hold,
    });
    let app = move || {
        App::new()
            .app_data(app_metrics.clone())
            .app_data(app_readiness.clone())
            .app_data(app_identity.clone())
            .app_data(app_audit.clone())
            .app_data(app_retention.clone())
            .app_data(app_model.clone())
            .app_data(app_mau.clone())
            .app_data(app_mau_reporting.clone())
            .app_data(app_policy.clone())
            .app_data(app_reload.clone())
            .wrap(from_fn(serving::middleware::request_context))
            .configure(serving::routes)
    };
    let settings = serving::connection::Settings {
        workers: config.server.workers,
        drain_timeout: config.server.drain_timeout,
        tls_handshake_timeout: config.server.tls_handshake_timeout,
        protocol_errors: metrics.protocol_errors.clone(),
    };
    let server =
        serving::connection::server(listeners, &server_config, &settings, &connections, app)
            .map_err(DaemonError::Server)?;
    let handle = server.handle();
    let mut server_task = actix_web::rt::spawn(server);

    let metrics_server = match config.metrics.listen {
        Some(addr) => {
            let listener = listeners::bind(addr)?;
            let data = web::Data::from(metrics.clone());
            let server = HttpServer::new(move || {
                App::new()
                    .app_data(data.clone())
                    .wrap(from_fn(serving::middleware::request_context))
                    .configure(serving::metrics_routes)
            })
            .disable_signals()
            .workers(1)
            .listen(listener)
            .map_err(DaemonError::Server)?
            .run();
            tracing::info!(%addr, "plain-HTTP metrics listener (loopback only)");
            let h = server.handle();
            actix_web::rt::spawn(server);
            Some(h)
        }
        None => None,
    };

    readiness.set(component::LISTENERS, ComponentState::Ready);
    tracing::info!(
        addresses = ?addrs,
        socket_activation = source == listeners::Source::SocketActivation,
        "listening (HTTPS)"
    );

    let mut running = Running {
        config_path,
        config,
        tls: tls.clone(),
        identity: identity.clone(),
        audit: audit.clone(),
        metrics: metrics.clone(),
        readiness,
        addrs: addrs.clone(),
        last_reload_error: None,
        policy: policy_state,
        store_limit,
    };
    record_daemon_event(&audit, EventType::DaemonStarted, None)
        .await
        .map_err(DaemonError::Audit)?;
    if let Some(summary) = running.readiness.not_ready_summary() {
        tracing::warn!(%summary, "started, but not ready to serve inference");
    }
    systemd::ready(&running.status_line());

    let watchdog_task = systemd::watchdog_interval().and_then(|interval| {
        let probe_addr = watchdog::probe_address(*addrs.first()?);
        tracing::info!(?interval, %probe_addr, "systemd watchdog enabled");
        let tls = tls.clone();
        let metrics = metrics.clone();
        Some(actix_web::rt::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            let timeout = (interval / 2).max(Duration::from_millis(100));
            loop {
                ticker.tick().await;
                let Some(leaf) = tls.current().certificate_chain().first().cloned() else {
                    continue;
                };
                match watchdog::probe(probe_addr, leaf, timeout).await {
                    Ok(()) => systemd::watchdog(),
                    Err(e) => {
                        metrics.watchdog_probe_failures.inc();
                        tracing::error!(error = %e, "watchdog probe failed; not pinging systemd");
                    }
                }
            }
        }))
    });

    // IdPs rotate keys by rewriting the JWKS file; pick that up without a SIGHUP.
    let jwks_task = {
        let identity = identity.clone();
        let readiness = running.readiness.clone();
        actix_web::rt::spawn(async move {
            let mut ticker = tokio::time::interval(JWKS_POLL);
            loop {
                ticker.tick().await;
                let authenticator = identity.authenticator();
                for e in authenticator.reload_changed_jwks() {
                    tracing::error!(error = %e, "JWKS reload failed");
                }
                for e in authenticator.refresh_remote().await {
                    tracing::error!(error = %e, "JWKS fetch failed");
                }
                readiness.set(component::IDENTITY, identity_state(&authenticator));
            }
        })
    };

    let mut hup = signal(SignalKind::hangup()).map_err(DaemonError::Signals)?;
    let mut reload_rx = reload_rx;
    // STATUS= follows notes set while serving (a MAU threshold crossed).
    let mut status_tick = tokio::time::interval(Duration::from_secs(5));
    let mut last_status = running.status_line();
    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;
    let reason = loop {
        tokio::select! {
            _ = hup.recv() => {
                tracing::info!("SIGHUP: reloading configuration");
                let _ = reload_and_record(&mut running).await;
            }
            _ = status_tick.tick() => {
                let line = running.status_line();
                if line != last_status {
                    systemd::status(&line);
                    last_status = line;
                }
            }
            Some(reply) = reload_rx.recv() => {
                tracing::info!("POST /admin/v1/reload: reloading configuration");
                let outcome = reload_and_record(&mut running).await;
                let _ = reply.send(outcome);
            }
            _ = term.recv() => break "SIGTERM",
            _ = int.recv() => break "SIGINT",
            result = &mut server_task => {
                let detail = match result {
                    Ok(Ok(())) => "stopped unexpectedly".to_owned(),
                    Ok(Err(e)) => e.to_string(),
                    Err(e) => e.to_string(),
                };
                return Err(DaemonError::Server(std::io::Error::other(detail)));
            }
        }
    };

    let drain = running.config.server.drain_timeout;
    let line = format!(
        "{reason}: draining in-flight requests (up to {})",
        humantime::format_duration(drain)
    );
    tracing::info!("{line}");
    systemd::stopping(&line);
    if let Some(task) = watchdog_task {
        task.abort();
    }
    jwks_task.abort();
    if let Some(h) = metrics_server {
        h.stop(true).await;
    }
    // Stop accepting, then wait for the open connections ourselves: actix's
    // graceful stop can return before a busy worker has drained (seen as a
    // request cut off mid-flight under load), so it is only asked to stop
    // once nothing is left to drain.
    handle.pause().await;
    let deadline = tokio::time::Instant::now() + drain;
    loop {
        let open = connections.open();
        if open == 0 {
            break;
        }
        if tokio::time::Instant::now() >= deadline {
            tracing::warn!(open, "drain timeout: closing the remaining connections");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    handle.stop(false).await;
    let _ = server_task.await;
    if let Err(e) = record_daemon_event(
        &running.audit,
        EventType::DaemonStopped,
        Some(reason.to_owned()),
    )
    .await
    {
        tracing::error!(error = %e, "cannot record the stop in the audit trail");
    }
    if let Err(e) = running.audit.log.checkpoint().await {
        tracing::error!(error = %e, "cannot sign the final audit checkpoint");
    }
    if let Err(e) = running.audit.log.store().checkpoint_and_close().await {
        tracing::error!(error = %e, "cannot close the audit store cleanly");
    }
    tracing::info!("stopped");
    Ok(())
}
