//! Upstream OpenAI-compatible servers (vLLM, TGI, NIM, llama.cpp's server,
//! other Palisade nodes) whose models this node serves through its whole
//! request path (`[[upstream]]`, docs/upstreams.md).
//!
//! Each upstream has replicas (its `urls`); a request goes to the replica
//! with the fewest requests in flight for its weight, among those not
//! ejected. A replica that fails `eject_after` times in a row (refused
//! connection, 5xx, timeout) is ejected until its health check passes; a
//! request moves to another replica only while none of the answer has
//! reached the client, which the caller guarantees by asking before it
//! answers anything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::UpstreamConfig;
use crate::identity::tls::provider;
use crate::serving::error::ErrorCode;
use crate::telemetry::metrics::{Metrics, ReplicaLabels, UpstreamLabels, UpstreamOutcomeLabels};

/// Where a system's CA bundle is, when an upstream names none (Debian and
/// Ubuntu, then RHEL and Fedora).
const SYSTEM_BUNDLES: [&str; 2] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
];

/// Largest non-streamed answer read from an upstream.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// A problem with an upstream's settings: the config key and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError {
    /// `upstream[i].key`.
    pub key: String,
    /// What is wrong, naming the file.
    pub message: String,
}

/// Every configured upstream, and which serves each model id clients use.
#[derive(Debug, Default)]
pub struct Upstreams {
    /// Largest request body accepted (`model.max_request_bytes`).
    pub max_request_bytes: usize,
    all: Vec<Arc<Upstream>>,
    /// Client model id → the upstreams that serve it, with their own id.
    routes: BTreeMap<String, Vec<Route>>,
}

/// One upstream that serves a model clients ask for.
#[derive(Debug, Clone)]
pub struct Route {
    pub upstream: Arc<Upstream>,
    /// The model's id at the upstream.
    pub model: String,
}

/// One `[[upstream]]`. (Its `Debug` leaves the bearer key out.)
pub struct Upstream {
    pub name: String,
    pub region: String,
    pub jurisdiction: String,
    pub license: Option<String>,
    replicas: Vec<Replica>,
    client: reqwest::Client,
    /// The bearer key, when one is configured.
    api_key: Option<String>,
    permits: Arc<Semaphore>,
    weight: u32,
    request_timeout: Duration,
    health_path: String,
    health_interval: Duration,
    eject_after: u32,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("name", &self.name)
            .field("region", &self.region)
            .field("jurisdiction", &self.jurisdiction)
            .field("replicas", &self.replicas)
            .field("api_key", &self.api_key.as_ref().map(|_| "(set)"))
            .finish_non_exhaustive()
    }
}

/// The most of a refusal's body read from an upstream.
const MAX_REFUSAL_BYTES: usize = 64 * 1024;

/// One replica of an upstream.
#[derive(Debug)]
struct Replica {
    /// The base URL, ending in `/`.
    base: reqwest::Url,
    /// `host:port`, for logs and metrics.
    label: String,
    outstanding: AtomicUsize,
    /// Failures in a row.
    failures: AtomicU32,
    ejected: AtomicBool,
    /// Why it was last ejected or failed its health check.
    last_error: Mutex<Option<String>>,
}

/// An upstream's state, for `/readyz`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UpstreamHealth {
    /// `up` when a replica is in rotation, else `down`.
    pub state: &'static str,
    pub replicas: Vec<ReplicaHealth>,
}

/// A replica's state, for `/readyz`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReplicaHealth {
    pub url: String,
    pub up: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Why an upstream did not answer a request.
#[derive(Debug)]
pub enum SendError {
    /// Every replica is at the upstream's `max_concurrency`.
    Busy,
    /// The upstream refused the request (4xx): its status and its message.
    Refused { status: u16, message: String },
    /// No replica answered: the last failure, and whether it was a timeout.
    Unavailable { why: String, timeout: bool },
}

impl SendError {
    /// The API code the client gets.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Busy => ErrorCode::RateLimited,
            Self::Refused { status, .. } => match status {
                400 | 422 => ErrorCode::InvalidRequest,
                413 => ErrorCode::PayloadTooLarge,
                429 => ErrorCode::Overloaded,
                _ => ErrorCode::UpstreamUnavailable,
            },
            Self::Unavailable { timeout: true, .. } => ErrorCode::UpstreamTimeout,
            Self::Unavailable { .. } => ErrorCode::UpstreamUnavailable,
        }
    }
}

/// An answer under way from a replica: the response, with the replica's
/// in-flight count and the upstream's permit held until it is dropped.
#[derive(Debug)]
pub struct Answer {
    pub response: reqwest::Response,
    pub replica: String,
    _flight: Flight,
}

/// Holds a replica's in-flight count and the upstream's concurrency permit.
#[derive(Debug)]
struct Flight {
    upstream: Arc<Upstream>,
    replica: usize,
    metrics: Option<Arc<Metrics>>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Flight {
    fn drop(&mut self) {
        if let Some(r) = self.upstream.replicas.get(self.replica) {
            r.outstanding.fetch_sub(1, Ordering::Relaxed);
        }
        if let Some(m) = &self.metrics {
            m.upstream_in_flight
                .get_or_create(&UpstreamLabels {
                    upstream: self.upstream.name.clone(),
                })
                .dec();
        }
    }
}

impl Upstreams {
    /// Builds every upstream's client from `configs`: certificates, keys
    /// and bearer keys are read here, so that `config check` reports them.
    /// `credentials` is systemd's `$CREDENTIALS_DIRECTORY`.
    pub fn build(
        configs: &[UpstreamConfig],
        credentials: Option<&Path>,
        max_request_bytes: usize,
    ) -> Result<Self, Vec<SetupError>> {
        let mut errors = Vec::new();
        let mut upstreams = Self {
            max_request_bytes,
            ..Self::default()
        };
        for (i, cfg) in configs.iter().enumerate() {
            match Upstream::build(i, cfg, credentials) {
                Ok(u) => {
                    let u = Arc::new(u);
                    for m in &cfg.models {
                        upstreams
                            .routes
                            .entry(m.client_id().to_owned())
                            .or_default()
                            .push(Route {
                                upstream: u.clone(),
                                model: m.upstream_id().to_owned(),
                            });
                    }
                    upstreams.all.push(u);
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            Ok(upstreams)
        } else {
            Err(errors)
        }
    }

    /// True when no upstream is configured.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// The upstreams that serve the model clients call `id`.
    #[must_use]
    pub fn route(&self, id: &str) -> Option<&[Route]> {
        self.routes.get(id).map(Vec::as_slice)
    }

    /// The model ids clients may use, with the upstreams behind each.
    pub fn models(&self) -> impl Iterator<Item = (&str, &[Route])> {
        self.routes
            .iter()
            .map(|(id, r)| (id.as_str(), r.as_slice()))
    }

    /// Each upstream's state, by name.
    #[must_use]
    pub fn health(&self) -> BTreeMap<String, UpstreamHealth> {
        self.all
            .iter()
            .map(|u| (u.name.clone(), u.health()))
            .collect()
    }

    /// Whether any of `routes` is below its `max_concurrency` (one whose
    /// replicas are all down is answered 502 by [`Self::send`], not 429).
    #[must_use]
    pub fn has_capacity(routes: &[Route]) -> bool {
        routes
            .iter()
            .any(|r| r.upstream.permits.available_permits() > 0)
    }

    /// Starts a health-check task per upstream (on the current runtime).
    pub fn spawn_health_checks(&self, metrics: Arc<Metrics>) {
        for u in &self.all {
            let (u, metrics) = (u.clone(), metrics.clone());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(u.health_interval);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    u.check_health(&metrics).await;
                }
            });
        }
    }

    /// Sends `body` (JSON) to `path` of one of `routes`' upstreams: the
    /// replica with the fewest requests in flight for its weight, then the
    /// next while one fails before answering (refused connection, 5xx,
    /// timeout). A 4xx is the answer: another replica would refuse too.
    pub async fn send(
        routes: &[Route],
        path: &str,
        body: impl Fn(&Route) -> Vec<u8>,
        stream: bool,
        metrics: Option<Arc<Metrics>>,
    ) -> Result<(Route, Answer), SendError> {
        let mut tried: Vec<(usize, usize)> = Vec::new();
        let mut last: Option<SendError> = None;
        let mut any_permit = false;
        // One deadline for the request: a replica tried after another
        // timed out gets what is left, not a fresh `request_timeout`.
        let deadline = routes
            .first()
            .map(|r| Instant::now() + r.upstream.request_timeout);
        while let Some((r, replica)) = pick(routes, &tried) {
            tried.push((r, replica));
            let Some(route) = routes.get(r) else { break };
            let u = &route.upstream;
            let Ok(permit) = u.permits.clone().try_acquire_owned() else {
                continue;
            };
            any_permit = true;
            let Some(rep) = u.replicas.get(replica) else {
                continue;
            };
            rep.outstanding.fetch_add(1, Ordering::Relaxed);
            let labels = UpstreamLabels {
                upstream: u.name.clone(),
            };
            if let Some(m) = &metrics {
                m.upstream_in_flight.get_or_create(&labels).inc();
            }
            let flight = Flight {
                upstream: u.clone(),
                replica,
                metrics: metrics.clone(),
                _permit: permit,
            };
            let started = Instant::now();
            let left = deadline.map_or(u.request_timeout, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if left.is_zero() {
                last = Some(SendError::Unavailable {
                    why: "the request's deadline (request_timeout) passed".to_owned(),
                    timeout: true,
                });
                break;
            }
            let outcome = u.post(rep, path, body(route), stream, left).await;
            if let Some(m) = &metrics {
                m.upstream_duration
                    .get_or_create(&labels)
                    .observe(started.elapsed().as_secs_f64());
            }
            let count = |outcome: &'static str| {
                if let Some(m) = &metrics {
                    m.upstream_requests
                        .get_or_create(&UpstreamOutcomeLabels {
                            upstream: u.name.clone(),
                            outcome,
                        })
                        .inc();
                }
            };
            match outcome {
                Ok(response) => {
                    u.succeeded(rep, &metrics);
                    count("answered");
                    return Ok((
                        route.clone(),
                        Answer {
                            response,
                            replica: rep.label.clone(),
                            _flight: flight,
                        },
                    ));
                }
                Err(e @ SendError::Refused { .. }) => {
                    // The replica answered: it is healthy.
                    u.succeeded(rep, &metrics);
                    count("refused");
                    return Err(e);
                }
                Err(e) => {
                    let why = match &e {
                        SendError::Unavailable { why, .. } => why.clone(),
                        other => format!("{other:?}"),
                    };
                    tracing::warn!(upstream = %u.name, replica = %rep.label, error = %why, "upstream replica failed; trying another");
                    u.failed(rep, &why, &metrics);
                    count("failed");
                    last = Some(e);
                }
            }
        }
        Err(match last {
            Some(e) => e,
            None if !any_permit && !tried.is_empty() => SendError::Busy,
            None => SendError::Unavailable {
                why: "every replica is out of rotation after failing".to_owned(),
                timeout: false,
            },
        })
    }
}

/// The next replica to try, `(route, replica)`: the fewest requests in
/// flight for the upstream's weight among those in rotation and not
/// tried; when every untried replica is ejected, none (a request never
/// waits on a replica known to be down).
fn pick(routes: &[Route], tried: &[(usize, usize)]) -> Option<(usize, usize)> {
    let mut best: Option<((usize, usize), f64)> = None;
    for (r, route) in routes.iter().enumerate() {
        let u = &route.upstream;
        for (i, rep) in u.replicas.iter().enumerate() {
            if tried.contains(&(r, i)) || rep.ejected.load(Ordering::Relaxed) {
                continue;
            }
            let load = (rep.outstanding.load(Ordering::Relaxed) as f64 + 1.0) / f64::from(u.weight);
            if best.is_none_or(|(_, b)| load < b) {
                best = Some(((r, i), load));
            }
        }
    }
    best.map(|(at, _)| at)
}

impl Upstream {
    fn build(
        index: usize,
        cfg: &UpstreamConfig,
        credentials: Option<&Path>,
    ) -> Result<Self, Vec<SetupError>> {
        let mut errors = Vec::new();
        let key = |k: &str| format!("upstream[{index}].{k}");
        let mut err = |k: &str, message: String| {
            errors.push(SetupError {
                key: key(k),
                message,
            });
        };
        let roots = match &cfg.ca {
            Some(ca) => crate::https::load_roots(ca)
                .map_err(|e| err("ca", e.to_string()))
                .ok(),
            None => {
                let found = SYSTEM_BUNDLES
                    .iter()
                    .map(Path::new)
                    .find(|p| p.exists())
                    .map(crate::https::load_roots);
                match found {
                    Some(Ok(roots)) => Some(roots),
                    Some(Err(e)) => {
                        err("ca", format!("the system's CA bundle: {e}"));
                        None
                    }
                    None => {
                        err(
                            "ca",
                            format!(
                                "no CA bundle given and none of {} exists",
                                SYSTEM_BUNDLES.join(", ")
                            ),
                        );
                        None
                    }
                }
            }
        };
        let identity = match (&cfg.client_cert, &cfg.client_key) {
            (Some(cert), Some(k)) => client_identity(cert, k)
                .map_err(|(which, m)| err(which, m))
                .ok(),
            _ => None,
        };
        let api_key = match (&cfg.api_key_file, &cfg.api_key_credential) {
            (Some(file), _) => read_key_file(file).map_err(|m| err("api_key_file", m)).ok(),
            (None, Some(name)) => match credentials {
                Some(dir) if is_plain_name(name) => read_key_file(&dir.join(name))
                    .map_err(|m| err("api_key_credential", m))
                    .ok(),
                Some(_) => {
                    err(
                        "api_key_credential",
                        format!("{name:?} is not a credential name (no / or ..)"),
                    );
                    None
                }
                None => {
                    err(
                        "api_key_credential",
                        "$CREDENTIALS_DIRECTORY is not set: load the credential with LoadCredential= in the unit".to_owned(),
                    );
                    None
                }
            },
            (None, None) => None,
        };
        let mut replicas = Vec::new();
        for url in &cfg.urls {
            match crate::config::upstream_url(url) {
                Ok(mut base) => {
                    if !base.path().ends_with('/') {
                        let path = format!("{}/", base.path());
                        base.set_path(&path);
                    }
                    let label = format!(
                        "{}:{}",
                        base.host_str().unwrap_or_default(),
                        base.port_or_known_default().unwrap_or_default()
                    );
                    replicas.push(Replica {
                        base,
                        label,
                        outstanding: AtomicUsize::new(0),
                        failures: AtomicU32::new(0),
                        ejected: AtomicBool::new(false),
                        last_error: Mutex::new(None),
                    });
                }
                Err(why) => err("urls", why),
            }
        }
        let client = match roots {
            Some(roots) => {
                let tls = rustls::ClientConfig::builder_with_provider(provider())
                    .with_safe_default_protocol_versions()
                    .map(|b| b.with_root_certificates(roots));
                let tls = match (tls, identity) {
                    (Ok(b), Some((chain, key))) => b
                        .with_client_auth_cert(chain, key)
                        .map_err(|e| format!("the client certificate and key: {e}")),
                    (Ok(b), None) => Ok(b.with_no_client_auth()),
                    (Err(e), _) => Err(e.to_string()),
                };
                match tls {
                    Ok(tls) => reqwest::Client::builder()
                        .use_preconfigured_tls(tls)
                        .redirect(reqwest::redirect::Policy::none())
                        .no_proxy()
                        .connect_timeout(cfg.connect_timeout)
                        .tcp_nodelay(true)
                        .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
                        .build()
                        .map_err(|e| err("urls", format!("cannot build its HTTP client: {e}")))
                        .ok(),
                    Err(m) => {
                        err("client_cert", m);
                        None
                    }
                }
            }
            None => None,
        };
        match client {
            Some(client) if errors.is_empty() => Ok(Self {
                name: cfg.name.clone(),
                region: cfg.region.clone(),
                jurisdiction: cfg.jurisdiction.clone(),
                license: cfg.license.clone(),
                replicas,
                client,
                api_key,
                permits: Arc::new(Semaphore::new(cfg.max_concurrency)),
                weight: cfg.weight.max(1),
                request_timeout: cfg.request_timeout,
                health_path: cfg.health_path.clone(),
                health_interval: cfg.health_interval,
                eject_after: cfg.eject_after.max(1),
            }),
            _ => Err(errors),
        }
    }

    /// Its state, for `/readyz`.
    fn health(&self) -> UpstreamHealth {
        let replicas: Vec<ReplicaHealth> = self
            .replicas
            .iter()
            .map(|r| {
                let up = !r.ejected.load(Ordering::Relaxed);
                ReplicaHealth {
                    url: r.base.to_string(),
                    up,
                    reason: if up {
                        None
                    } else {
                        r.last_error.lock().ok().and_then(|e| e.clone())
                    },
                }
            })
            .collect();
        UpstreamHealth {
            state: if replicas.iter().any(|r| r.up) {
                "up"
            } else {
                "down"
            },
            replicas,
        }
    }

    /// A request to `rep`: the response when its status is 2xx.
    async fn post(
        &self,
        rep: &Replica,
        path: &str,
        body: Vec<u8>,
        stream: bool,
        timeout: Duration,
    ) -> Result<reqwest::Response, SendError> {
        let unavailable = |why: String, timeout: bool| SendError::Unavailable { why, timeout };
        let url = rep
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| unavailable(format!("{}: {e}", rep.base), false))?;
        let mut request = self
            .client
            .post(url)
            .timeout(timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                reqwest::header::ACCEPT,
                if stream {
                    "text/event-stream"
                } else {
                    "application/json"
                },
            )
            .body(body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|e| {
            unavailable(
                format!("{}: {}", rep.label, crate::https::describe(&e)),
                e.is_timeout(),
            )
        })?;
        let status = response.status().as_u16();
        match status {
            200..=299 => Ok(response),
            400..=499 => {
                let mut response = response;
                let mut body = Vec::new();
                while let Ok(Some(chunk)) = response.chunk().await {
                    body.extend_from_slice(&chunk);
                    if body.len() >= MAX_REFUSAL_BYTES {
                        break;
                    }
                }
                Err(SendError::Refused {
                    status,
                    message: error_message(&body),
                })
            }
            _ => Err(unavailable(
                format!("{}: HTTP status {status}", rep.label),
                status == 504,
            )),
        }
    }

    fn succeeded(&self, rep: &Replica, metrics: &Option<Arc<Metrics>>) {
        rep.failures.store(0, Ordering::Relaxed);
        if rep.ejected.swap(false, Ordering::Relaxed) {
            tracing::info!(upstream = %self.name, replica = %rep.label, "upstream replica back in rotation");
            self.mirror(rep, metrics);
        }
    }

    fn failed(&self, rep: &Replica, why: &str, metrics: &Option<Arc<Metrics>>) {
        if let Ok(mut last) = rep.last_error.lock() {
            *last = Some(why.to_owned());
        }
        let failures = rep.failures.fetch_add(1, Ordering::Relaxed) + 1;
        if failures >= self.eject_after && !rep.ejected.swap(true, Ordering::Relaxed) {
            tracing::warn!(upstream = %self.name, replica = %rep.label, failures, error = %why, "upstream replica ejected until its health check passes");
            self.mirror(rep, metrics);
        }
    }

    /// `palisade_upstream_up` for `rep`.
    fn mirror(&self, rep: &Replica, metrics: &Option<Arc<Metrics>>) {
        if let Some(m) = metrics {
            m.upstream_up
                .get_or_create(&ReplicaLabels {
                    upstream: self.name.clone(),
                    replica: rep.label.clone(),
                })
                .set(i64::from(!rep.ejected.load(Ordering::Relaxed)));
        }
    }

    /// Reads `health_path` of each replica: 2xx puts it (back) in
    /// rotation; anything else ejects it.
    async fn check_health(&self, metrics: &Arc<Metrics>) {
        let metrics = Some(metrics.clone());
        for rep in &self.replicas {
            let Some(url) = rep
                .base
                .join(self.health_path.trim_start_matches('/'))
                .ok()
                .filter(|u| u.origin() == rep.base.origin())
            else {
                continue;
            };
            let mut request = self
                .client
                .get(url)
                .timeout(self.health_interval.min(Duration::from_secs(10)));
            if let Some(key) = &self.api_key {
                request = request.bearer_auth(key);
            }
            let outcome = match request.send().await {
                Ok(r) if r.status().is_success() => Ok(()),
                Ok(r) => Err(format!(
                    "{}: health check {}: HTTP status {}",
                    rep.label,
                    self.health_path,
                    r.status().as_u16()
                )),
                Err(e) => Err(format!(
                    "{}: health check {}: {}",
                    rep.label,
                    self.health_path,
                    crate::https::describe(&e)
                )),
            };
            match outcome {
                Ok(()) => self.succeeded(rep, &metrics),
                Err(why) => {
                    if let Ok(mut last) = rep.last_error.lock() {
                        *last = Some(why.clone());
                    }
                    if !rep.ejected.swap(true, Ordering::Relaxed) {
                        tracing::warn!(upstream = %self.name, replica = %rep.label, error = %why, "upstream replica failed its health check; out of rotation");
                    }
                }
            }
            self.mirror(rep, &metrics);
        }
    }
}

/// The certificate chain and key of a client identity.
fn client_identity(
    cert: &Path,
    key: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), (&'static str, String)> {
    let bytes = std::fs::read(cert).map_err(|e| {
        (
            "client_cert",
            format!("cannot read {}: {e}", cert.display()),
        )
    })?;
    let chain: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| ("client_cert", format!("{}: not PEM: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err((
            "client_cert",
            format!("{}: no certificate in the file", cert.display()),
        ));
    }
    let bytes = std::fs::read(key)
        .map_err(|e| ("client_key", format!("cannot read {}: {e}", key.display())))?;
    let key = PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| {
        (
            "client_key",
            format!("{}: no usable PEM private key: {e}", key.display()),
        )
    })?;
    Ok((chain, key))
}

/// A bearer key from its file: the first line, trimmed, not empty.
fn read_key_file(path: &PathBuf) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let key = text.lines().next().unwrap_or_default().trim();
    if key.is_empty() {
        return Err(format!("{}: the key is empty", path.display()));
    }
    if key.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(format!(
            "{}: the key holds spaces or control characters",
            path.display()
        ));
    }
    Ok(key.to_owned())
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('/') && name != "." && name != ".."
}

/// The message of an OpenAI-shaped error body (`error.message`, or
/// `message`, or `detail` as some servers write), at most 500 characters
/// of printable text; else the body's first line.
fn error_message(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        // A JSON body's message only where it is a string: a validation
        // error's `detail` list can quote the request's input.
        Ok(v) => [
            v.pointer("/error/message"),
            v.get("message"),
            v.get("detail"),
            v.get("error"),
        ]
        .into_iter()
        .flatten()
        .find_map(serde_json::Value::as_str)
        .unwrap_or("(no message)")
        .to_owned(),
        Err(_) => String::from_utf8_lossy(body)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
    };
    text.chars().filter(|c| !c.is_control()).take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_error_messages_are_read_from_the_shapes_servers_write() {
        assert_eq!(
            error_message(br#"{"error": {"message": "bad max_tokens", "type": "x"}}"#),
            "bad max_tokens"
        );
        assert_eq!(error_message(br#"{"detail": "Not Found"}"#), "Not Found");
        assert_eq!(
            error_message(br#"{"detail": [{"loc": ["body"], "input": "the prompt"}]}"#),
            "(no message)"
        );
        assert_eq!(error_message(b"plain\nsecond line"), "plain");
        assert_eq!(error_message(&[b'x'; 2000]).len(), 500);
        assert_eq!(error_message(b"a\x1b[31mb"), "a[31mb");
    }
}
