//! `palisade serve`: start up, serve, reload on SIGHUP, drain on SIGTERM.
//!
//! Start-up order: configuration, TLS material, listeners, HTTP workers,
//! then `READY=1`. Nothing is served before the TLS material checks out,
//! and a failure at any step exits with a message naming what failed.

pub mod check;
pub mod checkpoint_push;
pub mod listeners;
pub mod readiness;
mod state;
pub mod systemd;
pub mod watchdog;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

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
    /// An `[[upstream]]` cannot be set up (its certificates or keys).
    #[error("upstream: {0}")]
    Upstream(String),
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
        let material = TlsMaterial::load(&config.tls, crate::clock::system_now())
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

/// Records a daemon event; the daemon's own events are not refusals, so a
/// failure is logged (the log writer already fails requests closed).
async fn record_daemon_event(
    audit: &AuditContext,
    event_type: EventType,
    reason: Option<String>,
) -> Result<u64, String> {
    let mut e = AuditEvent::new(event_type, &audit.node_id, crate::clock::now());
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

/// The id the model in `path` is served under: `[model] id`, else the
/// directory's name.
pub fn model_id(settings: &crate::config::ModelConfig, path: &Path) -> String {
    settings.id.clone().unwrap_or_else(|| {
        // A GGUF file is named without its extension.
        let name = if path.is_file() {
            path.file_stem()
        } else {
            path.file_name()
        };
        name.map_or_else(|| "model".to_owned(), |n| n.to_string_lossy().into_owned())
    })
}

async fn run(config_path: PathBuf, config: Config) -> Result<(), DaemonError> {
    let state = state::build(&config).await?;
    let (reload_tx, reload_rx) = tokio::sync::mpsc::channel(4);
    let bound = bind(&config, &state, serving::admin::ReloadHandle(reload_tx))?;
    let mut running = Running {
        config_path,
        config,
        tls: state.tls.clone(),
        identity: state.identity.clone(),
        audit: state.audit.clone(),
        metrics: state.metrics.clone(),
        readiness: state.readiness.clone(),
        addrs: bound.addrs.clone(),
        last_reload_error: None,
        policy: state.policy.clone(),
        store_limit: state.store_limit.clone(),
    };
    record_daemon_event(&running.audit, EventType::DaemonStarted, None)
        .await
        .map_err(DaemonError::Audit)?;
    if let Some(summary) = running.readiness.not_ready_summary() {
        tracing::warn!(%summary, "started, but not ready to serve inference");
    }
    systemd::ready(&running.status_line());
    let background = [
        spawn_watchdog(&bound.addrs, &state.tls, &state.metrics),
        Some(spawn_jwks_poll(&state.identity, &state.readiness)),
    ];
    let mut bound = bound;
    let reason = supervise(&mut running, &mut bound.server_task, reload_rx).await?;
    for task in background.into_iter().flatten() {
        task.abort();
    }
    stop(&running, bound, reason).await;
    Ok(())
}

/// The listeners and the servers on them.
struct Bound {
    addrs: Vec<SocketAddr>,
    connections: serving::auth::Connections,
    handle: actix_server::ServerHandle,
    server_task: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    metrics_server: Option<actix_server::ServerHandle>,
}

/// Opens the listeners (from the configuration or systemd's sockets) and
/// starts the HTTPS API on them, and the loopback metrics listener if one
/// is configured.
fn bind(
    config: &Config,
    state: &state::State,
    reload: serving::admin::ReloadHandle,
) -> Result<Bound, DaemonError> {
    let (listeners, source) = listeners::open(&config.server)?;
    let addrs: Vec<SocketAddr> = listeners
        .iter()
        .map(|l| l.local_addr())
        .collect::<Result<_, _>>()
        .map_err(DaemonError::Server)?;

    let connections = serving::auth::Connections::default();
    let app_metrics = web::Data::from(state.metrics.clone());
    let app_readiness = web::Data::from(state.readiness.clone());
    let app_identity = web::Data::from(state.identity.clone());
    let app_audit = web::Data::new(state.audit.clone());
    let app_model = web::Data::from(state.model.clone());
    let app_upstreams = web::Data::from(state.upstreams.clone());
    let app_mau = web::Data::from(state.mau.clone());
    let app_mau_reporting = state.mau_reporting.clone();
    let app_policy = state.policy_context.clone();
    let app_reload = web::Data::new(reload);
    let app_retention = web::Data::new(serving::admin::Retention {
        minimum: config.audit.retention_minimum,
        legal_hold: config.audit.legal_hold,
    });
    let app_reporting =
        web::Data::new(serving::admin::Reporting::new(config).map_err(DaemonError::Audit)?);
    let app = move || {
        App::new()
            .app_data(app_metrics.clone())
            .app_data(app_readiness.clone())
            .app_data(app_identity.clone())
            .app_data(app_audit.clone())
            .app_data(app_retention.clone())
            .app_data(app_reporting.clone())
            .app_data(app_model.clone())
            .app_data(app_upstreams.clone())
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
        protocol_errors: state.metrics.protocol_errors.clone(),
    };
    let server = serving::connection::server(
        listeners,
        &state.server_config,
        &settings,
        &connections,
        app,
    )
    .map_err(DaemonError::Server)?;
    let handle = server.handle();
    let server_task = actix_web::rt::spawn(server);

    let metrics_server = match config.metrics.listen {
        Some(addr) => {
            let listener = listeners::bind(addr)?;
            let data = web::Data::from(state.metrics.clone());
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

    state
        .readiness
        .set(component::LISTENERS, ComponentState::Ready);
    tracing::info!(
        addresses = ?addrs,
        socket_activation = source == listeners::Source::SocketActivation,
        "listening (HTTPS)"
    );
    Ok(Bound {
        addrs,
        connections,
        handle,
        server_task,
        metrics_server,
    })
}

/// Pings systemd's watchdog while a TLS probe of our own listener succeeds.
fn spawn_watchdog(
    addrs: &[SocketAddr],
    tls: &TlsState,
    metrics: &Arc<Metrics>,
) -> Option<actix_web::rt::task::JoinHandle<()>> {
    let interval = systemd::watchdog_interval()?;
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
}

/// IdPs rotate keys by rewriting the JWKS file (or the remote set); picks
/// that up without a SIGHUP.
fn spawn_jwks_poll(
    identity: &Arc<IdentityState>,
    readiness: &Arc<Readiness>,
) -> actix_web::rt::task::JoinHandle<()> {
    let identity = identity.clone();
    let readiness = readiness.clone();
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
}

/// Serves until SIGTERM or SIGINT (returned as the reason), reloading on
/// SIGHUP and `POST /admin/v1/reload` and keeping systemd's status line
/// current; the server stopping by itself is an error.
async fn supervise(
    running: &mut Running,
    server_task: &mut actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    mut reload_rx: tokio::sync::mpsc::Receiver<
        tokio::sync::oneshot::Sender<serving::admin::ReloadOutcome>,
    >,
) -> Result<&'static str, DaemonError> {
    let mut hup = signal(SignalKind::hangup()).map_err(DaemonError::Signals)?;
    // STATUS= follows notes set while serving (a MAU threshold crossed).
    let mut status_tick = tokio::time::interval(Duration::from_secs(5));
    let mut last_status = running.status_line();
    let mut term = signal(SignalKind::terminate()).map_err(DaemonError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(DaemonError::Signals)?;
    loop {
        tokio::select! {
            _ = hup.recv() => {
                tracing::info!("SIGHUP: reloading configuration");
                let _ = reload_and_record(running).await;
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
                let outcome = reload_and_record(running).await;
                let _ = reply.send(outcome);
            }
            _ = term.recv() => return Ok("SIGTERM"),
            _ = int.recv() => return Ok("SIGINT"),
            result = &mut *server_task => {
                let detail = match result {
                    Ok(Ok(())) => "stopped unexpectedly".to_owned(),
                    Ok(Err(e)) => e.to_string(),
                    Err(e) => e.to_string(),
                };
                return Err(DaemonError::Server(std::io::Error::other(detail)));
            }
        }
    }
}

/// Drains the requests in flight (up to `server.drain_timeout`), stops the
/// servers, records the stop, signs a last checkpoint and closes the store.
async fn stop(running: &Running, bound: Bound, reason: &'static str) {
    let drain = running.config.server.drain_timeout;
    let line = format!(
        "{reason}: draining in-flight requests (up to {})",
        humantime::format_duration(drain)
    );
    tracing::info!("{line}");
    systemd::stopping(&line);
    if let Some(h) = bound.metrics_server {
        h.stop(true).await;
    }
    // Stop accepting, then wait for the open connections ourselves: actix's
    // graceful stop can return before a busy worker has drained (seen as a
    // request cut off mid-flight under load), so it is only asked to stop
    // once nothing is left to drain.
    bound.handle.pause().await;
    let deadline = tokio::time::Instant::now() + drain;
    loop {
        let open = bound.connections.open();
        if open == 0 {
            break;
        }
        if tokio::time::Instant::now() >= deadline {
            tracing::warn!(open, "drain timeout: closing the remaining connections");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bound.handle.stop(false).await;
    let _ = bound.server_task.await;
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
}
