//! Bearer tokens from the corporate IdP: JWKS keys per trusted issuer, an
//! algorithm allow-list, issuer/audience/expiry checks, certificate binding
//! (RFC 8705) and the claim mapping that yields a [`Principal`].
//!
//! Order of checks, each failing with its own [`AuthFailure`]: header
//! present and `Bearer`; size; the header's `alg` on the allow-list (never
//! `none`, never HMAC); the `iss` a trusted issuer; the `kid` one of that
//! issuer's keys, of a type that fits `alg`; the signature; `aud`, `exp`,
//! `nbf`; the certificate binding; the claims the mapping needs. `jku`,
//! `x5u`, `x5c` and `jwk` header parameters are ignored: keys come only from
//! the configuration, never from the token.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;

use super::client_cert::ClientCertIdentity;
use super::principal::{Principal, Role, list_claim, map_roles, string_claim};
use crate::config::{IdentityConfig, IssuerConfig};

/// Longest accepted token, in bytes. IdP tokens are a few KB at most.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Why a request was not authenticated. The `reason` is stable and safe to
/// show: it never contains token contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// No `Authorization` header.
    #[error("no bearer token: send `Authorization: Bearer <JWT>`")]
    MissingToken,
    /// Not a parseable JWT (or not `Bearer`).
    #[error("the bearer token is not a well-formed JWT: {0}")]
    Malformed(String),
    /// `alg` not on the allow-list.
    #[error("token algorithm {0:?} is not allowed")]
    AlgorithmNotAllowed(String),
    /// `iss` not configured.
    #[error("token issuer is not trusted")]
    UntrustedIssuer,
    /// No key with the token's `kid` (and a type fitting `alg`).
    #[error("no key of the issuer matches the token's key id and algorithm")]
    UnknownKey,
    /// The signature does not verify.
    #[error("token signature does not verify")]
    BadSignature,
    /// `exp` passed.
    #[error("token has expired")]
    Expired,
    /// `nbf` in the future.
    #[error("token is not valid yet")]
    NotYetValid,
    /// `aud` not accepted.
    #[error("token audience is not accepted")]
    WrongAudience,
    /// A required claim is missing or has the wrong type.
    #[error("token claim problem: {0}")]
    Claim(String),
    /// `cnf.x5t#S256` differs from the presented client certificate.
    #[error("token is bound to a different client certificate")]
    CertificateMismatch,
    /// Binding required but the token carries no `cnf.x5t#S256`.
    #[error("token must be bound to the client certificate (cnf.x5t#S256)")]
    BindingRequired,
}

impl AuthFailure {
    /// A stable machine-readable reason.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::MissingToken => "missing_token",
            Self::Malformed(_) => "malformed_token",
            Self::AlgorithmNotAllowed(_) => "algorithm_not_allowed",
            Self::UntrustedIssuer => "untrusted_issuer",
            Self::UnknownKey => "unknown_key",
            Self::BadSignature => "bad_signature",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::WrongAudience => "wrong_audience",
            Self::Claim(_) => "invalid_claims",
            Self::CertificateMismatch => "certificate_binding_mismatch",
            Self::BindingRequired => "certificate_binding_required",
        }
    }
}

/// A problem with the identity configuration or a JWKS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct IdentityError {
    /// Config key path.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// Why an algorithm name is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlgorithmError {
    /// A known algorithm Palisade refuses, and why.
    #[error("{name} is refused: {why}")]
    Refused {
        /// The name as given.
        name: String,
        /// Why it is refused.
        why: &'static str,
    },
    /// Not an algorithm name.
    #[error("unknown algorithm {0:?}")]
    Unknown(String),
}

/// Why a JWKS document or file is not usable.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The document is not a usable JWKS.
    #[error("{0}")]
    Document(String),
    /// A key of the set is symmetric: anyone who can verify could sign.
    #[error("{0} is a symmetric (kty \"oct\") key; only public keys are accepted")]
    Symmetric(String),
    /// A key of the set is not usable.
    #[error("{key}: {why}")]
    Key {
        /// Which key (`key "kid"` or `key #n`).
        key: String,
        /// What is wrong with it.
        why: String,
    },
    /// A file's document is not usable.
    #[error("{}: {source}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: Box<JwksError>,
    },
}

/// The algorithms Palisade verifies, by name.
pub fn parse_algorithm(name: &str) -> Result<Algorithm, AlgorithmError> {
    let alg = match name {
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "EdDSA" => Algorithm::EdDSA,
        "HS256" | "HS384" | "HS512" => {
            return Err(AlgorithmError::Refused {
                name: name.to_owned(),
                why: "shared-secret (HMAC) tokens cannot be tied to one issuer",
            });
        }
        "none" => {
            return Err(AlgorithmError::Refused {
                name: "\"none\"".to_owned(),
                why: "unsigned tokens prove nothing",
            });
        }
        other => return Err(AlgorithmError::Unknown(other.to_owned())),
    };
    Ok(alg)
}

/// One verification key.
struct VerifyKey {
    kid: Option<String>,
    algorithms: Vec<Algorithm>,
    key: DecodingKey,
}

/// The keys of one issuer.
#[derive(Default)]
pub struct KeySet {
    keys: Vec<VerifyKey>,
}

impl KeySet {
    /// Parses a JWKS document. Signature keys of supported types are kept;
    /// encryption keys are skipped; symmetric keys are an error.
    pub fn parse(bytes: &[u8]) -> Result<Self, JwksError> {
        let doc: Value = serde_json::from_slice(bytes)
            .map_err(|e| JwksError::Document(format!("not JSON: {e}")))?;
        let list = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| JwksError::Document("not a JWKS: no \"keys\" array".to_owned()))?;
        let mut keys = Vec::new();
        for (i, raw) in list.iter().enumerate() {
            let name = raw
                .get("kid")
                .and_then(Value::as_str)
                .map(|k| format!("key {k:?}"))
                .unwrap_or_else(|| format!("key #{}", i + 1));
            if raw
                .get("use")
                .and_then(Value::as_str)
                .is_some_and(|u| u != "sig")
            {
                continue;
            }
            let bad = |why: String| JwksError::Key {
                key: name.clone(),
                why,
            };
            if raw.get("kty").and_then(Value::as_str) == Some("oct") {
                return Err(JwksError::Symmetric(name));
            }
            let jwk: Jwk = serde_json::from_value(raw.clone()).map_err(|e| bad(e.to_string()))?;
            let algorithms = algorithms_for(&jwk).map_err(|e| bad(e.to_string()))?;
            let key = DecodingKey::from_jwk(&jwk).map_err(|e| bad(format!("unusable key: {e}")))?;
            keys.push(VerifyKey {
                kid: jwk.common.key_id.clone(),
                algorithms,
                key,
            });
        }
        if keys.is_empty() {
            return Err(JwksError::Document(
                "the JWKS holds no signature keys".to_owned(),
            ));
        }
        Ok(Self { keys })
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn find(&self, kid: Option<&str>, alg: Algorithm) -> Option<&DecodingKey> {
        let fits = |k: &&VerifyKey| k.algorithms.contains(&alg);
        match kid {
            Some(kid) => self
                .keys
                .iter()
                .filter(fits)
                .find(|k| k.kid.as_deref() == Some(kid)),
            // Without a kid, only an unambiguous key is used.
            None => {
                let mut candidates = self.keys.iter().filter(fits);
                match (candidates.next(), candidates.next()) {
                    (Some(k), None) => Some(k),
                    _ => None,
                }
            }
        }
        .map(|k| &k.key)
    }
}

/// Which algorithms a key may verify: its declared `alg`, or what its
/// type and curve imply.
fn algorithms_for(jwk: &Jwk) -> Result<Vec<Algorithm>, String> {
    if let Some(declared) = jwk.common.key_algorithm {
        let alg = match declared {
            KeyAlgorithm::ES256 => Algorithm::ES256,
            KeyAlgorithm::ES384 => Algorithm::ES384,
            KeyAlgorithm::RS256 => Algorithm::RS256,
            KeyAlgorithm::RS384 => Algorithm::RS384,
            KeyAlgorithm::RS512 => Algorithm::RS512,
            KeyAlgorithm::PS256 => Algorithm::PS256,
            KeyAlgorithm::PS384 => Algorithm::PS384,
            KeyAlgorithm::PS512 => Algorithm::PS512,
            KeyAlgorithm::EdDSA => Algorithm::EdDSA,
            other => {
                return Err(format!(
                    "algorithm {other:?} is not supported for signature keys"
                ));
            }
        };
        return Ok(vec![alg]);
    }
    Ok(match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => vec![Algorithm::ES256],
            EllipticCurve::P384 => vec![Algorithm::ES384],
            ref other => return Err(format!("curve {other:?} is not supported")),
        },
        AlgorithmParameters::OctetKeyPair(_) => vec![Algorithm::EdDSA],
        AlgorithmParameters::RSA(_) => vec![
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
        ],
        _ => return Err("unsupported key type".to_owned()),
    })
}

/// Reads and parses a JWKS file.
pub fn load_jwks_file(path: &Path) -> Result<KeySet, JwksError> {
    let bytes = std::fs::read(path).map_err(|source| JwksError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    KeySet::parse(&bytes).map_err(|e| JwksError::InFile {
        path: path.to_path_buf(),
        source: Box::new(e),
    })
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Where an issuer's keys come from.
enum KeySource {
    /// A file, re-read when its modification time changes.
    File {
        path: PathBuf,
        stamp: RwLock<Option<SystemTime>>,
    },
    /// An HTTPS URL, with the last good copy cached on disk.
    Url {
        url: String,
        roots: Arc<rustls::RootCertStore>,
        cache: PathBuf,
        refresh: Duration,
        last_attempt: RwLock<Option<Instant>>,
        /// Set when a token named a key id we do not have.
        wanted: AtomicBool,
    },
}

/// Earliest refetch after an unknown key id.
const UNKNOWN_KID_REFETCH: Duration = Duration::from_secs(30);
/// Time allowed for one JWKS fetch.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

struct IssuerState {
    config: IssuerConfig,
    role_map: BTreeMap<String, Vec<Role>>,
    keys: RwLock<Arc<KeySet>>,
    source: KeySource,
}

impl IssuerState {
    fn keys(&self) -> Arc<KeySet> {
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set_keys(&self, keys: KeySet) {
        *self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(keys);
    }
}

/// Verifies bearer tokens against the configured issuers.
pub struct Authenticator {
    issuers: Vec<IssuerState>,
    algorithms: Vec<Algorithm>,
    leeway_secs: u64,
    require_binding: bool,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field(
                "issuers",
                &self
                    .issuers
                    .iter()
                    .map(|i| &i.config.issuer)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// Builds the verifier, loading every JWKS file. All problems are returned.
    pub fn new(cfg: &IdentityConfig) -> Result<Self, Vec<IdentityError>> {
        let mut errors = Vec::new();
        let mut algorithms = Vec::new();
        for name in &cfg.algorithms {
            match parse_algorithm(name) {
                Ok(a) => algorithms.push(a),
                Err(e) => errors.push(IdentityError {
                    key: "identity.algorithms".into(),
                    message: e.to_string(),
                }),
            }
        }
        let mut issuers = Vec::new();
        for (i, issuer) in cfg.issuers.iter().enumerate() {
            let key = format!("identity.issuers[{i}]");
            let mut role_map = BTreeMap::new();
            for (group, roles) in &issuer.role_map {
                let mut mapped = Vec::new();
                for r in roles {
                    match Role::parse(r) {
                        Some(role) => mapped.push(role),
                        None => errors.push(IdentityError {
                            key: format!("{key}.role_map.{group}"),
                            message: format!(
                                "unknown role {r:?}; roles are inference, auditor, admin, metrics"
                            ),
                        }),
                    }
                }
                role_map.insert(group.clone(), mapped);
            }
            let (keys, source) = match key_source(issuer) {
                Ok(k) => k,
                Err((field, message)) => {
                    errors.push(IdentityError {
                        key: format!("{key}.{field}"),
                        message,
                    });
                    continue;
                }
            };
            issuers.push(IssuerState {
                config: issuer.clone(),
                role_map,
                keys: RwLock::new(Arc::new(keys)),
                source,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            issuers,
            algorithms,
            leeway_secs: cfg.leeway.as_secs(),
            require_binding: cfg.require_bound_tokens,
        })
    }

    /// Number of trusted issuers.
    pub fn issuer_count(&self) -> usize {
        self.issuers.len()
    }

    /// Issuers that have no usable key now.
    pub fn issuers_without_keys(&self) -> Vec<String> {
        self.issuers
            .iter()
            .filter(|i| i.keys().is_empty())
            .map(|i| i.config.issuer.clone())
            .collect()
    }

    /// Fetches the JWKS of every URL issuer that is due: never fetched,
    /// past its refresh period, or asked for by an unknown key id. A failed
    /// fetch keeps the keys in use; its error is returned.
    pub async fn refresh_remote(&self) -> Vec<String> {
        let mut errors = Vec::new();
        for issuer in &self.issuers {
            let KeySource::Url {
                url,
                roots,
                cache,
                refresh,
                last_attempt,
                wanted,
            } = &issuer.source
            else {
                continue;
            };
            let last = *last_attempt
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let due = match last {
                None => true,
                Some(t) => {
                    t.elapsed() >= *refresh
                        || (wanted.load(Ordering::Relaxed)
                            && t.elapsed() >= UNKNOWN_KID_REFETCH.min(*refresh))
                }
            };
            if !due {
                continue;
            }
            *last_attempt
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
            wanted.store(false, Ordering::Relaxed);
            let fetched = crate::https::fetch(url, roots.clone(), FETCH_TIMEOUT)
                .await
                .map_err(|e| e.to_string())
                .and_then(|body| {
                    KeySet::parse(&body)
                        .map(|k| (k, body))
                        .map_err(|e| format!("{url}: {e}"))
                });
            match fetched {
                Ok((keys, body)) => {
                    tracing::info!(issuer = %issuer.config.issuer, keys = keys.len(), "JWKS fetched");
                    issuer.set_keys(keys);
                    if let Err(e) = write_cache(cache, &body) {
                        errors.push(format!(
                            "issuer {}: cannot write the JWKS cache {}: {e}",
                            issuer.config.issuer,
                            cache.display()
                        ));
                    }
                }
                Err(e) => errors.push(format!(
                    "issuer {}: {e}; keeping the keys in use",
                    issuer.config.issuer
                )),
            }
        }
        errors
    }

    /// Re-reads every JWKS file whose modification time changed. A file
    /// that no longer parses keeps the previous keys; its error is returned.
    pub fn reload_changed_jwks(&self) -> Vec<String> {
        let mut errors = Vec::new();
        for issuer in &self.issuers {
            let KeySource::File { path, stamp: seen } = &issuer.source else {
                continue;
            };
            let stamp = modified(path);
            if stamp
                == *seen
                    .read()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            {
                continue;
            }
            *seen
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = stamp;
            match load_jwks_file(path) {
                Ok(keys) => {
                    tracing::info!(issuer = %issuer.config.issuer, keys = keys.len(), "JWKS reloaded");
                    issuer.set_keys(keys);
                }
                Err(e) => errors.push(format!(
                    "issuer {}: {e}; keeping the previous keys",
                    issuer.config.issuer
                )),
            }
        }
        errors
    }

    /// Verifies the `Authorization` header value for a connection with
    /// client certificate `cert`, at `now`.
    pub fn authenticate(
        &self,
        authorization: Option<&[u8]>,
        cert: Option<&ClientCertIdentity>,
        now: SystemTime,
    ) -> Result<Principal, AuthFailure> {
        let header = authorization.ok_or(AuthFailure::MissingToken)?;
        let token = bearer_token(header)?;
        let (header_b64, payload_b64) = split_token(token)?;

        let header: Value = decode_json(header_b64, "header")?;
        let alg_name = header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or_else(|| AuthFailure::Malformed("no \"alg\" in the header".into()))?;
        let alg = parse_algorithm(alg_name)
            .ok()
            .filter(|a| self.algorithms.contains(a))
            .ok_or_else(|| AuthFailure::AlgorithmNotAllowed(alg_name.chars().take(16).collect()))?;
        let kid = header.get("kid").and_then(Value::as_str);

        let unverified: Value = decode_json(payload_b64, "payload")?;
        let iss = unverified
            .get("iss")
            .and_then(Value::as_str)
            .ok_or_else(|| AuthFailure::Claim("`iss` is required".into()))?;
        let issuer = self
            .issuers
            .iter()
            .find(|i| i.config.issuer == iss)
            .ok_or(AuthFailure::UntrustedIssuer)?;
        let keys = issuer.keys();
        let key = keys.find(kid, alg).ok_or_else(|| {
            if let KeySource::Url { wanted, .. } = &issuer.source {
                wanted.store(true, Ordering::Relaxed);
            }
            AuthFailure::UnknownKey
        })?;

        if issuer.config.reject_high_s {
            refuse_high_s(token, alg)?;
        }
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[iss]);
        validation.set_audience(&issuer.config.audiences);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        // Time is checked below against `now`, so tests can pin it.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let claims = jsonwebtoken::decode::<Value>(token, key, &validation)
            .map_err(map_jwt_error)?
            .claims;

        let now = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let exp = numeric_claim(&claims, "exp")?
            .ok_or_else(|| AuthFailure::Claim("`exp` is required".into()))?;
        if now > exp.saturating_add(self.leeway_secs) {
            return Err(AuthFailure::Expired);
        }
        if let Some(nbf) = numeric_claim(&claims, "nbf")?
            && now.saturating_add(self.leeway_secs) < nbf
        {
            return Err(AuthFailure::NotYetValid);
        }

        let bound = certificate_binding(&claims)?;
        match (bound, cert) {
            (Some(t), Some(c)) if t == c.thumbprint_s256 => {}
            (Some(_), _) => return Err(AuthFailure::CertificateMismatch),
            (None, _) if self.require_binding => return Err(AuthFailure::BindingRequired),
            (None, _) => {}
        }

        let m = &issuer.config.claims;
        let claim_err = |e: super::principal::ClaimError| AuthFailure::Claim(e.to_string());
        let subject = string_claim(&claims, &m.subject)
            .map_err(claim_err)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                AuthFailure::Claim(format!("`{}` (the subject) is required", m.subject))
            })?;
        let tenant = string_claim(&claims, &m.tenant)
            .map_err(claim_err)?
            .filter(|s| !s.is_empty())
            .or_else(|| issuer.config.default_tenant.clone())
            .ok_or_else(|| {
                AuthFailure::Claim(format!("`{}` (the tenant) is required", m.tenant))
            })?;
        let role_names = list_claim(&claims, &m.roles).map_err(claim_err)?;
        let actor = match super::principal::claim(&claims, &m.actor) {
            None | Some(Value::Null) => None,
            Some(act) => Some(
                act.get("sub")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        AuthFailure::Claim(format!("`{}.sub` must be a string", m.actor))
                    })?,
            ),
        };
        Ok(Principal {
            issuer: iss.to_owned(),
            subject,
            tenant,
            roles: map_roles(&role_names, &issuer.role_map),
            clearances: list_claim(&claims, &m.clearances).map_err(claim_err)?,
            region: string_claim(&claims, &m.region).map_err(claim_err)?,
            purpose: string_claim(&claims, &m.purpose).map_err(claim_err)?,
            classification: string_claim(&claims, &m.classification).map_err(claim_err)?,
            service: string_claim(&claims, &m.principal_type)
                .map_err(claim_err)?
                .is_some_and(|t| t == "service"),
            actor,
            certificate_bound: bound.is_some(),
            client_cert: cert.cloned(),
            token_id: string_claim(&claims, "jti").ok().flatten(),
            expires_at: i64::try_from(exp).unwrap_or(i64::MAX),
        })
    }

    /// The issuer configurations, in order.
    pub fn issuers(&self) -> impl Iterator<Item = &IssuerConfig> {
        self.issuers.iter().map(|i| &i.config)
    }
}

/// The keys an issuer starts with, and where later ones come from. A URL
/// issuer starts from its cache when there is one, else with no keys until
/// the first fetch.
fn key_source(issuer: &IssuerConfig) -> Result<(KeySet, KeySource), (&'static str, String)> {
    match (
        &issuer.jwks_file,
        &issuer.jwks_url,
        &issuer.jwks_url_ca,
        &issuer.jwks_cache,
    ) {
        (Some(path), None, _, _) => {
            let keys = load_jwks_file(path).map_err(|e| ("jwks_file", e.to_string()))?;
            Ok((
                keys,
                KeySource::File {
                    path: path.clone(),
                    stamp: RwLock::new(modified(path)),
                },
            ))
        }
        (None, Some(url), Some(ca), Some(cache)) => {
            let roots = crate::https::load_roots(ca).map_err(|e| ("jwks_url_ca", e.to_string()))?;
            let keys = match std::fs::read(cache) {
                Ok(bytes) => KeySet::parse(&bytes).unwrap_or_else(|e| {
                    tracing::warn!(cache = %cache.display(), error = %e, "ignoring an unusable JWKS cache");
                    KeySet::default()
                }),
                Err(_) => KeySet::default(),
            };
            Ok((
                keys,
                KeySource::Url {
                    url: url.clone(),
                    roots: Arc::new(roots),
                    cache: cache.clone(),
                    refresh: issuer.jwks_refresh,
                    last_attempt: RwLock::new(None),
                    wanted: AtomicBool::new(false),
                },
            ))
        }
        _ => Err((
            "jwks_file",
            "set jwks_file, or jwks_url with jwks_url_ca and jwks_cache".to_owned(),
        )),
    }
}

/// Replaces `path` atomically with `body`.
fn write_cache(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, body)?;
    std::fs::rename(&tmp, path)
}

fn bearer_token(header: &[u8]) -> Result<&str, AuthFailure> {
    let header =
        std::str::from_utf8(header).map_err(|_| AuthFailure::Malformed("not ASCII".into()))?;
    let (scheme, token) = header
        .split_once(' ')
        .ok_or_else(|| AuthFailure::Malformed("expected `Bearer <JWT>`".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthFailure::Malformed("the scheme must be Bearer".into()));
    }
    let token = token.trim();
    if token.len() > MAX_TOKEN_BYTES {
        return Err(AuthFailure::Malformed(format!(
            "longer than {MAX_TOKEN_BYTES} bytes"
        )));
    }
    Ok(token)
}

/// The `cnf.x5t#S256` a token is bound to, if any (RFC 8705). A `cnf` that
/// binds the token some other way (`jkt`, `jwk`: proof of possession this
/// server cannot check) is refused, not read as an unbound token (RFC 7800
/// §3: a confirmation the recipient does not understand must not be ignored).
fn certificate_binding(claims: &Value) -> Result<Option<&str>, AuthFailure> {
    let Some(cnf) = claims.get("cnf") else {
        return Ok(None);
    };
    let cnf = cnf
        .as_object()
        .ok_or_else(|| AuthFailure::Claim("`cnf` must be an object".into()))?;
    match cnf.get("x5t#S256") {
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| AuthFailure::Claim("`cnf.x5t#S256` must be a string".into())),
        None => {
            let members: Vec<String> = cnf
                .keys()
                .take(4)
                .map(|k| k.chars().take(16).collect())
                .collect();
            Err(AuthFailure::Claim(format!(
                "`cnf` binds the token by {} which this server cannot check; only `x5t#S256` (RFC 8705) is accepted",
                if members.is_empty() {
                    "nothing".to_owned()
                } else {
                    members.join(", ")
                }
            )))
        }
    }
}

/// Half the order of P-256 and P-384: an ECDSA signature whose `s` is above
/// it is the malleable twin of a valid one, which RFC 7518 implementations
/// (and JWT libraries since) refuse.
const P256_HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
];
const P384_HALF_ORDER: [u8; 48] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xe3, 0xb1, 0xa6, 0xc0, 0xfa, 0x1b, 0x96, 0xef,
    0xac, 0x0d, 0x06, 0xd9, 0x24, 0x58, 0x53, 0xbd, 0x76, 0x76, 0x0c, 0xb5, 0x66, 0x62, 0x94, 0xb9,
];

/// The order of P-256 (big-endian).
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// An ES256 JWS with its signature in low-S form (`s` replaced by `n - s`
/// when above half the order): the same signature, in the one encoding an
/// issuer with `reject_high_s` accepts. Other tokens are returned as they are.
pub fn low_s_es256(token: String) -> String {
    let Some((signed, sig)) = token.rsplit_once('.') else {
        return token;
    };
    let Ok(mut sig) = URL_SAFE_NO_PAD.decode(sig) else {
        return token;
    };
    let Some((_, s)) = sig.split_at_mut_checked(32) else {
        return token;
    };
    if s.len() != 32 || *s <= P256_HALF_ORDER[..] {
        return token;
    }
    let mut borrow = 0u16;
    for (digit, n) in s.iter_mut().rev().zip(P256_ORDER.iter().rev()) {
        let subtrahend = u16::from(*digit) + borrow;
        let minuend = u16::from(*n);
        borrow = u16::from(minuend < subtrahend);
        *digit = (minuend + (borrow << 8) - subtrahend) as u8;
    }
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// Refuses an ES256/ES384 signature with a high `s` (JWS signatures are
/// `r || s`, big-endian, fixed width).
fn refuse_high_s(token: &str, alg: Algorithm) -> Result<(), AuthFailure> {
    let half: &[u8] = match alg {
        Algorithm::ES256 => &P256_HALF_ORDER,
        Algorithm::ES384 => &P384_HALF_ORDER,
        _ => return Ok(()),
    };
    let signature = token
        .rsplit('.')
        .next()
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .ok_or(AuthFailure::BadSignature)?;
    match signature.split_at_checked(half.len()) {
        Some((_, s)) if s.len() == half.len() && s <= half => Ok(()),
        _ => Err(AuthFailure::BadSignature),
    }
}

fn split_token(token: &str) -> Result<(&str, &str), AuthFailure> {
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(_), None) => Ok((h, p)),
        _ => Err(AuthFailure::Malformed(
            "expected three dot-separated parts".into(),
        )),
    }
}

fn decode_json(part: &str, what: &str) -> Result<Value, AuthFailure> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| AuthFailure::Malformed(format!("the {what} is not base64url")))?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|_| AuthFailure::Malformed(format!("the {what} is not JSON")))?;
    if !value.is_object() {
        return Err(AuthFailure::Malformed(format!(
            "the {what} is not a JSON object"
        )));
    }
    Ok(value)
}

fn numeric_claim(claims: &Value, name: &str) -> Result<Option<u64>, AuthFailure> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .map(Some)
            .ok_or_else(|| AuthFailure::Claim(format!("`{name}` must be a number of seconds"))),
    }
}

fn map_jwt_error(e: jsonwebtoken::errors::Error) -> AuthFailure {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::InvalidSignature => AuthFailure::BadSignature,
        K::InvalidIssuer => AuthFailure::UntrustedIssuer,
        K::InvalidAudience => AuthFailure::WrongAudience,
        K::ExpiredSignature => AuthFailure::Expired,
        K::ImmatureSignature => AuthFailure::NotYetValid,
        K::MissingRequiredClaim(c) => AuthFailure::Claim(format!("`{c}` is required")),
        K::InvalidClaimFormat(c) => AuthFailure::Claim(format!("`{c}` has the wrong type")),
        K::InvalidAlgorithm | K::MissingAlgorithm | K::InvalidAlgorithmName => {
            AuthFailure::AlgorithmNotAllowed("?".into())
        }
        // Key/curve mismatches surface as key errors: the signature cannot
        // be valid for this key.
        K::InvalidEcdsaKey | K::InvalidEddsaKey | K::InvalidRsaKey(_) | K::InvalidKeyFormat => {
            AuthFailure::BadSignature
        }
        _ => AuthFailure::Malformed("cannot be decoded".into()),
    }
}
