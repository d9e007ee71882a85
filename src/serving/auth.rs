//! The identity step of a request: the connection's client certificate,
//! the bearer token, the role the path needs, the rate limits. Handlers
//! call [`authorize`] first; it yields the [`Principal`] or the API error.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use actix_web::dev::Extensions;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpMessage, HttpRequest, web};

use super::connection::ApiConnection;
use super::error::ApiError;
use super::middleware::RequestId;
use crate::audit::keys::pseudonym;
use crate::audit::log::AuditLog;
use crate::audit::record::{AuditEvent, EventType};
use crate::identity::client_cert::ClientCertIdentity;
use crate::identity::jwt::Authenticator;
use crate::identity::principal::{Principal, Role};
use crate::identity::ratelimit::RateLimiter;
use crate::telemetry::metrics::{Metrics, ReasonLabels, ScopeLabels};

/// The identity machinery a running daemon uses; reload swaps its parts.
#[derive(Debug)]
pub struct IdentityState {
    authenticator: RwLock<Arc<Authenticator>>,
    limiter: RwLock<Arc<RateLimiter>>,
}

impl IdentityState {
    /// Wraps a verifier and a limiter.
    pub fn new(authenticator: Authenticator, limiter: RateLimiter) -> Self {
        Self {
            authenticator: RwLock::new(Arc::new(authenticator)),
            limiter: RwLock::new(Arc::new(limiter)),
        }
    }

    /// The verifier in use.
    pub fn authenticator(&self) -> Arc<Authenticator> {
        self.authenticator
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The limiter in use.
    pub fn limiter(&self) -> Arc<RateLimiter> {
        self.limiter
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Installs a new verifier (reload).
    pub fn replace_authenticator(&self, a: Authenticator) {
        *self
            .authenticator
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(a);
    }

    /// Installs a new limiter (reload with changed limits).
    pub fn replace_limiter(&self, l: RateLimiter) {
        *self
            .limiter
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(l);
    }
}

/// Counts open HTTPS connections, so that a drain can wait for them.
#[derive(Debug, Clone, Default)]
pub struct Connections(Arc<AtomicUsize>);

impl Connections {
    /// Connections open now.
    pub fn open(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Lives in a connection's data; dropped when the connection closes.
struct OpenConnection(Arc<AtomicUsize>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs as each connection opens: counts it, reads the verified client
/// certificate into the connection's data, and turns off Nagle.
pub fn on_connect(io: &ApiConnection, ext: &mut Extensions, connections: &Connections) {
    connections.0.fetch_add(1, Ordering::SeqCst);
    ext.insert(OpenConnection(connections.0.clone()));
    let (tcp, session) = io.tls().get_ref();
    // Without TCP_NODELAY the first response of a TLS 1.3 connection waits
    // for the client's delayed ACK of the session tickets (about 40 ms).
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "cannot set TCP_NODELAY");
    }
    if let Some(leaf) = session.peer_certificates().and_then(|c| c.first()) {
        match ClientCertIdentity::from_der(leaf) {
            Ok(id) => {
                ext.insert(id);
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the verified client certificate"),
        }
    }
}

/// What the identity step needs to write the audit trail.
#[derive(Debug, Clone)]
pub struct AuditContext {
    /// The running log.
    pub log: AuditLog,
    /// Key of the subject pseudonyms.
    pub pseudonym_key: Arc<[u8]>,
    /// This node.
    pub node_id: String,
}

/// Marks a request whose outcome a handler records itself, so that the
/// outermost middleware does not record it again.
#[derive(Debug, Clone, Copy)]
pub struct OutcomeRecorded;

impl AuditContext {
    /// An event about `req`, filled with what the connection and request
    /// say; the request counts as recorded by its handler from here on.
    pub fn event(&self, req: &HttpRequest, event_type: EventType, status: u16) -> AuditEvent {
        req.extensions_mut().insert(OutcomeRecorded);
        let mut e = AuditEvent::new(event_type, &self.node_id, crate::clock::now());
        e.request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.to_string());
        e.trace_id = req
            .extensions()
            .get::<super::middleware::TraceId>()
            .map(|t| t.0.clone());
        e.client_cert_thumbprint = req
            .conn_data::<ClientCertIdentity>()
            .map(|c| c.thumbprint_s256.clone());
        e.source_address = req.peer_addr().map(|a| truncate_address(a.ip()));
        e.operation = Some(format!("{} {}", req.method(), req.path()));
        e.status = Some(status);
        e.outcome = Some(if status < 400 { "success" } else { "refused" }.to_owned());
        e
    }

    /// The pseudonym of `p`'s subject (issuer + subject), as records and
    /// the monthly-active-user count hold it.
    pub fn subject_pseudonym(&self, p: &Principal) -> String {
        pseudonym(&self.pseudonym_key, &[&p.issuer, &p.subject])
    }

    /// Fills in who the principal is, as pseudonyms.
    pub fn principal(&self, e: &mut AuditEvent, p: &Principal) {
        e.subject_pseudonym = Some(self.subject_pseudonym(p));
        e.tenant = Some(p.tenant.clone());
        e.roles = p.roles.iter().map(|r| r.as_str().to_owned()).collect();
        e.on_behalf_of = p
            .actor
            .as_ref()
            .map(|a| pseudonym(&self.pseudonym_key, &[&p.issuer, a]));
        e.auth_method = Some(
            if p.certificate_bound {
                "mtls+bound-jwt"
            } else {
                "mtls+jwt"
            }
            .to_owned(),
        );
        e.region = p.region.clone();
        e.purpose = p.purpose.clone();
    }

    /// Commits `e` durably; a refusal that cannot be recorded becomes 503.
    pub async fn record(&self, e: AuditEvent) -> Result<(), ApiError> {
        self.log.append(e).await.map(|_| ()).map_err(|e| {
            ApiError::audit_unavailable("the audit trail cannot record this request", &e)
        })
    }
}

/// An address with its host part cut off: IPv4 to /24, IPv6 to /48, so the
/// log shows the network a request came from, not the machine.
pub fn truncate_address(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
            format!("{net}/48")
        }
    }
}

/// Authenticates the request, checks `role` (if any) and the rate limits.
/// Every refusal is recorded in the audit trail before it is answered.
pub async fn authorize(req: &HttpRequest, role: Option<Role>) -> Result<Principal, ApiError> {
    let state = req.app_data::<web::Data<IdentityState>>().ok_or_else(|| {
        ApiError::new(
            super::error::ErrorCode::Internal,
            "identity is not configured",
        )
    })?;
    let audit = req.app_data::<web::Data<AuditContext>>().ok_or_else(|| {
        ApiError::new(
            super::error::ErrorCode::Internal,
            "the audit trail is not configured",
        )
    })?;
    let metrics = req.app_data::<web::Data<Metrics>>();
    let count = |reason: &'static str| {
        if let Some(m) = metrics {
            m.auth_failures
                .get_or_create(&ReasonLabels { reason })
                .inc();
        }
    };
    let cert = req.conn_data::<ClientCertIdentity>();
    let header = req.headers().get(AUTHORIZATION).map(|v| v.as_bytes());
    let verified = state
        .authenticator()
        .authenticate(header, cert, crate::clock::system_now());
    let principal = match verified {
        Ok(p) => p,
        Err(failure) => {
            count(failure.reason());
            tracing::info!(
                reason = failure.reason(),
                path = req.path(),
                "authentication failed"
            );
            let mut e = audit.event(req, EventType::AuthenticationFailed, 401);
            e.error_code = Some("unauthorized".into());
            e.reason = Some(failure.reason().into());
            e.auth_method = Some("mtls".into());
            audit.record(e).await?;
            return Err(ApiError::unauthorized(&failure));
        }
    };
    if let Some(role) = role
        && !principal.has(role)
    {
        count("missing_role");
        tracing::info!(
            role = role.as_str(),
            path = req.path(),
            "authorization failed: missing role"
        );
        let mut e = audit.event(req, EventType::AuthorizationFailed, 403);
        audit.principal(&mut e, &principal);
        e.error_code = Some("forbidden".into());
        e.reason = Some(format!("missing_role:{role}"));
        audit.record(e).await?;
        return Err(ApiError::missing_role(role));
    }
    if let Err(limited) = state.limiter().admit(&principal, Instant::now()) {
        if let Some(m) = metrics {
            m.rate_limited
                .get_or_create(&ScopeLabels {
                    scope: limited.scope.as_str(),
                })
                .inc();
        }
        let mut e = audit.event(req, EventType::RateLimited, 429);
        audit.principal(&mut e, &principal);
        e.error_code = Some("rate_limited".into());
        e.reason = Some(format!("{}_limit", limited.scope.as_str()));
        audit.record(e).await?;
        return Err(ApiError::rate_limited(
            limited.scope.as_str(),
            limited.retry_after,
        ));
    }
    req.extensions_mut().insert(principal.clone());
    Ok(principal)
}
