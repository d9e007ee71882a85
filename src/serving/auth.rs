//! The identity step of a request: the connection's client certificate,
//! the bearer token, the role the path needs, the rate limits. Handlers
//! call [`authorize`] first; it yields the [`Principal`] or the API error.

use std::any::Any;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime};

use actix_web::dev::Extensions;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpMessage, HttpRequest, web};

use super::error::ApiError;
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

/// `HttpServer::on_connect` hook: counts the connection, reads the verified
/// client certificate of a TLS connection into the connection's data, and
/// turns off Nagle.
pub fn on_connect(io: &dyn Any, ext: &mut Extensions, connections: &Connections) {
    connections.0.fetch_add(1, Ordering::SeqCst);
    ext.insert(OpenConnection(connections.0.clone()));
    type Tls = actix_tls::accept::rustls_0_23::TlsStream<actix_web::rt::net::TcpStream>;
    let Some(tls) = io.downcast_ref::<Tls>() else {
        return;
    };
    let (tcp, session) = tls.get_ref();
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

/// Authenticates the request, checks `role` (if any) and the rate limits.
pub fn authorize(req: &HttpRequest, role: Option<Role>) -> Result<Principal, ApiError> {
    let state = req.app_data::<web::Data<IdentityState>>().ok_or_else(|| {
        ApiError::new(
            super::error::ErrorCode::Internal,
            "identity is not configured",
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
    let principal = state
        .authenticator()
        .authenticate(header, cert, SystemTime::now())
        .map_err(|failure| {
            count(failure.reason());
            tracing::info!(
                reason = failure.reason(),
                path = req.path(),
                "authentication failed"
            );
            ApiError::unauthorized(&failure)
        })?;
    if let Some(role) = role
        && !principal.has(role)
    {
        count("missing_role");
        tracing::info!(
            role = role.as_str(),
            path = req.path(),
            "authorization failed: missing role"
        );
        return Err(ApiError::missing_role(role));
    }
    state
        .limiter()
        .admit(&principal, Instant::now())
        .map_err(|limited| {
            if let Some(m) = metrics {
                m.rate_limited
                    .get_or_create(&ScopeLabels {
                        scope: limited.scope.as_str(),
                    })
                    .inc();
            }
            ApiError::rate_limited(limited.scope.as_str(), limited.retry_after)
        })?;
    req.extensions_mut().insert(principal.clone());
    Ok(principal)
}
