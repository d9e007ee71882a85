//! The daemon's one configuration file: a versioned TOML document mapped onto
//! a typed struct tree.
//!
//! Loading happens in three steps so that an operator sees every mistake at
//! once instead of fixing them one run at a time:
//! 1. the file is parsed as TOML (a syntax error stops here, with its line);
//! 2. `PALISADE__SECTION__KEY` environment variables are laid over it;
//! 3. each section is deserialized on its own, so an unknown key in `[tls]`
//!    and a wrong type in `[server]` are both reported, each with its path.
//!
//! [`Config::check`] then validates what the file points to (certificates,
//! keys, addresses); `palisade config check` prints all of it.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::identity::principal::ClaimMapping;

/// The only configuration schema version this build reads.
pub const CONFIG_VERSION: u32 = 1;

/// Prefix of environment variables that override keys of the file.
pub const ENV_PREFIX: &str = "PALISADE__";

/// The whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Schema version of the file; must be [`CONFIG_VERSION`].
    pub version: u32,
    /// This node's identity within a fleet.
    pub node: NodeConfig,
    /// Listeners and connection handling.
    pub server: ServerConfig,
    /// The server certificate and the client-certificate requirement.
    pub tls: TlsConfig,
    /// Where and how the daemon logs.
    pub logging: LoggingConfig,
    /// The Prometheus endpoint.
    pub metrics: MetricsConfig,
    /// Trusted token issuers and token rules.
    pub identity: IdentityConfig,
    /// Request and token rate limits.
    pub rate_limits: RateLimitsConfig,
    /// The tamper-evident audit trail.
    pub audit: AuditConfig,
    /// `[model]`: the model served on `/v1` and how requests are scheduled.
    pub model: ModelConfig,
    /// `[license]`: the installation license.
    pub license: LicenseConfig,
    /// `[policy]`: the Cedar policies and the identifier detector.
    pub policy: PolicyConfig,
    /// `[[upstream]]`: OpenAI-compatible servers this node fronts.
    pub upstreams: Vec<UpstreamConfig>,
    /// Directory of the config file; relative paths in it are resolved
    /// against it, so a config directory can be moved as a whole.
    pub base_dir: PathBuf,
}

/// `[node]`: who this node is.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Node id, unique within a fleet; defaults to the host name.
    #[serde(default = "default_node_id")]
    pub id: String,
    /// The node's region (`eu-central`), a fact policies read.
    #[serde(default)]
    pub region: String,
    /// The legal jurisdiction the node runs in (`EU`, `US`): the shipped
    /// GDPR policy processes personal data only where this is `EU`.
    #[serde(default)]
    pub jurisdiction: String,
    /// The site (data centre, building), a fact policies read.
    #[serde(default)]
    pub site: String,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            id: default_node_id(),
            region: String::new(),
            jurisdiction: String::new(),
            site: String::new(),
        }
    }
}

/// `[server]`: listeners and connection handling.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Addresses to listen on (HTTPS). Ignored when systemd passes listening
    /// sockets (socket activation, `LISTEN_FDS`).
    #[serde(default = "default_listen")]
    pub listen: Vec<SocketAddr>,
    /// HTTP worker threads; 0 means one per CPU core.
    #[serde(default)]
    pub workers: usize,
    /// How long in-flight requests may take to finish after SIGTERM.
    #[serde(default = "default_drain_timeout", with = "duration")]
    pub drain_timeout: Duration,
    /// How long a client may take to complete the TLS handshake.
    #[serde(default = "default_handshake_timeout", with = "duration")]
    pub tls_handshake_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            workers: 0,
            drain_timeout: default_drain_timeout(),
            tls_handshake_timeout: default_handshake_timeout(),
        }
    }
}

/// Lowest TLS protocol version the server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum TlsVersion {
    /// TLS 1.2 and 1.3.
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3 only.
    #[serde(rename = "1.3")]
    Tls13,
}

/// `[tls]`: the server's certificate and what it asks of clients.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM file: the server certificate, then any intermediates.
    pub cert: PathBuf,
    /// PEM file: the server's private key (PKCS#8, SEC1 or PKCS#1).
    pub key: PathBuf,
    /// PEM file: the CA certificates that client certificates must chain to.
    #[serde(default)]
    pub client_ca: Option<PathBuf>,
    /// Refuse connections without a valid client certificate.
    #[serde(default = "default_true")]
    pub require_client_cert: bool,
    /// Lowest accepted protocol version, `"1.2"` or `"1.3"`.
    #[serde(default = "default_min_version")]
    pub min_version: TlsVersion,
    /// PEM or DER certificate revocation lists of the client CAs.
    #[serde(default)]
    pub crls: Vec<PathBuf>,
    /// Accept a CRL whose `nextUpdate` has passed (not recommended).
    #[serde(default)]
    pub allow_expired_crls: bool,
}

/// Log line format on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    Human,
    /// One JSON object per line.
    Json,
}

/// `[logging]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingConfig {
    /// A `tracing` filter: a level (`info`) or directives (`info,palisade=debug`).
    #[serde(default = "default_log_level")]
    pub level: String,
    /// `human` or `json`; ignored when logging to journald.
    #[serde(default = "default_log_format")]
    pub format: LogFormat,
}

impl Default for LoggingConfig {
    fn default() -> Self {
        Self {
            level: default_log_level(),
            format: default_log_format(),
        }
    }
}

/// `[license]`: the installation license (docs/license.md).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseConfig {
    /// The signed license file. Absent, the node runs unlicensed (for
    /// development), and says so in its log and `/readyz`.
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// The vendor's Ed25519 public key, `ed25519:<base64>`; required with
    /// `file`.
    #[serde(default)]
    pub vendor_public_key: Option<String>,
}

/// `[policy]`: data-residency and classification policy (docs/policy.md).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// The policy directory: one Cedar schema (`*.cedarschema`) and the
    /// policies (`*.cedar`). Absent, the policies built into this release
    /// (`policies/` of the source) are in force.
    #[serde(default)]
    pub dir: Option<PathBuf>,
    /// A name dictionary (one name per line) so that names are detected
    /// too; absent, names are not detected.
    #[serde(default)]
    pub names: Option<PathBuf>,
}

/// `[[upstream]]`: an OpenAI-compatible server (vLLM, TGI, NIM, llama.cpp's
/// server, another Palisade node) whose models this node serves through
/// its whole request path (docs/upstreams.md).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// A name for logs, metrics, audit records and policies.
    pub name: String,
    /// Base URLs of its replicas (`https://host:port`, or `http://` on a
    /// loopback address only); `/v1/...` is appended.
    pub urls: Vec<String>,
    /// The models it serves, each as the upstream names it, with the id
    /// clients use when that differs.
    pub models: Vec<UpstreamModel>,
    /// Where it runs, for residency policies (`resource.region`).
    #[serde(default)]
    pub region: String,
    /// Its legal jurisdiction (`resource.jurisdiction`): the shipped GDPR
    /// policy sends personal data only where this is `EU`.
    #[serde(default)]
    pub jurisdiction: String,
    /// The models' license id, for policies (`resource.license`).
    #[serde(default)]
    pub license: Option<String>,
    /// CA bundle that verifies its certificate (default: the system's).
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS, with `client_key`.
    #[serde(default)]
    pub client_cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    /// A file holding the bearer key sent to it (never the key itself in
    /// this file).
    #[serde(default)]
    pub api_key_file: Option<PathBuf>,
    /// A systemd credential (`LoadCredential=`) holding the bearer key,
    /// read from `$CREDENTIALS_DIRECTORY`.
    #[serde(default)]
    pub api_key_credential: Option<String>,
    /// How long connecting (TCP and TLS) may take.
    #[serde(default = "default_upstream_connect_timeout", with = "duration")]
    pub connect_timeout: Duration,
    /// How long a whole answer may take (for a stream, its last byte).
    #[serde(default = "default_request_timeout", with = "duration")]
    pub request_timeout: Duration,
    /// Requests in flight to it at once, all replicas together; beyond,
    /// 429 `rate_limited`.
    #[serde(default = "default_upstream_concurrency")]
    pub max_concurrency: usize,
    /// Its share of the requests when several upstreams serve one model.
    #[serde(default = "default_upstream_weight")]
    pub weight: u32,
    /// The path the active health check reads (200 is healthy).
    #[serde(default = "default_upstream_health_path")]
    pub health_path: String,
    /// How often each replica's health is checked.
    #[serde(default = "default_upstream_health_interval", with = "duration")]
    pub health_interval: Duration,
    /// Consecutive failures (refused connections, 5xx, timeouts) that take
    /// a replica out of rotation until a health check passes.
    #[serde(default = "default_upstream_eject_after")]
    pub eject_after: u32,
}

/// A model an upstream serves.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum UpstreamModel {
    /// Clients use the upstream's own id.
    Id(String),
    /// Clients use `alias`; the upstream is sent `id`.
    Aliased {
        /// The upstream's id.
        id: String,
        /// The id clients use.
        alias: String,
    },
}

impl UpstreamModel {
    /// The id the upstream knows.
    #[must_use]
    pub fn upstream_id(&self) -> &str {
        match self {
            Self::Id(id) | Self::Aliased { id, .. } => id,
        }
    }

    /// The id clients use.
    #[must_use]
    pub fn client_id(&self) -> &str {
        match self {
            Self::Id(id) | Self::Aliased { alias: id, .. } => id,
        }
    }
}

fn default_upstream_connect_timeout() -> Duration {
    Duration::from_secs(5)
}
fn default_upstream_concurrency() -> usize {
    64
}
fn default_upstream_weight() -> u32 {
    1
}
fn default_upstream_health_path() -> String {
    "/v1/models".to_owned()
}
fn default_upstream_health_interval() -> Duration {
    Duration::from_secs(10)
}
fn default_upstream_eject_after() -> u32 {
    3
}

/// `[model]`: the model served on `/v1` and how its requests are batched.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// The model directory (Hugging Face layout); none: `/v1` answers
    /// 503 `not_ready`.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// The id clients pass as `model` (default: the directory's name).
    #[serde(default)]
    pub id: Option<String>,
    /// Weights dtype: `bf16`, `f16` or `f32`.
    #[serde(default = "default_model_dtype")]
    pub dtype: String,
    /// Quantize floating-point weights as they load: `q8_0` or `q4_k`
    /// (none: held in `dtype`). A GGUF file's quantized weights stay as
    /// the file holds them.
    #[serde(default)]
    pub quantization: Option<String>,
    /// With `quantization`, the attention projections, LM head and token
    /// embedding too (as llama.cpp's files); else only the feed-forward
    /// and expert weights.
    #[serde(default = "default_quantize_attention")]
    pub quantize_attention: bool,
    /// `cpu`, or `cuda[:N]` in a build with the `cuda` feature.
    #[serde(default = "default_model_device")]
    pub device: String,
    /// Sequences decoded together in one engine step.
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    /// Requests waiting for a batch slot; beyond it, 429 `rate_limited`.
    #[serde(default = "default_queue_depth")]
    pub queue_depth: usize,
    /// KV-cache blocks (of `kv_block_size` tokens) shared by all sequences;
    /// a request is admitted when its prompt and `max_tokens` fit.
    #[serde(default = "default_kv_blocks")]
    pub kv_blocks: usize,
    /// Tokens per KV-cache block.
    #[serde(default = "default_kv_block_size")]
    pub kv_block_size: usize,
    /// Prompt tokens prefilled per engine step, so a long prompt does not
    /// stall the decoding of the others.
    #[serde(default = "default_prefill_chunk")]
    pub prefill_chunk: usize,
    /// `max_tokens` when a request does not say.
    #[serde(default = "default_max_tokens")]
    pub default_max_tokens: usize,
    /// How long a request may take, queueing included.
    #[serde(default = "default_request_timeout", with = "duration")]
    pub request_timeout: Duration,
    /// Largest request body accepted on `/v1` (413 beyond).
    #[serde(default = "default_max_request_bytes")]
    pub max_request_bytes: usize,
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            path: None,
            id: None,
            dtype: default_model_dtype(),
            quantization: None,
            quantize_attention: default_quantize_attention(),
            device: default_model_device(),
            max_batch: default_max_batch(),
            queue_depth: default_queue_depth(),
            kv_blocks: default_kv_blocks(),
            kv_block_size: default_kv_block_size(),
            prefill_chunk: default_prefill_chunk(),
            default_max_tokens: default_max_tokens(),
            request_timeout: default_request_timeout(),
            max_request_bytes: default_max_request_bytes(),
        }
    }
}

fn default_quantize_attention() -> bool {
    true
}
fn default_model_dtype() -> String {
    "bf16".to_owned()
}
fn default_model_device() -> String {
    "cpu".to_owned()
}
fn default_max_batch() -> usize {
    16
}
fn default_queue_depth() -> usize {
    64
}
fn default_kv_blocks() -> usize {
    8192
}
fn default_kv_block_size() -> usize {
    16
}
fn default_prefill_chunk() -> usize {
    256
}
fn default_max_tokens() -> usize {
    512
}
fn default_request_timeout() -> Duration {
    Duration::from_secs(600)
}
fn default_max_request_bytes() -> usize {
    4 << 20
}

/// `[metrics]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// An extra plain-HTTP listener serving only `GET /metrics`, for a local
    /// Prometheus. Must be a loopback address.
    #[serde(default)]
    pub listen: Option<SocketAddr>,
}

/// `[identity]`: who may call, proven by a bearer JWT.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// Refuse tokens that are not bound to the client certificate (RFC 8705 `cnf.x5t#S256`).
    #[serde(default)]
    pub require_bound_tokens: bool,
    /// Clock skew tolerated on `exp` and `nbf`; at most 5 minutes.
    #[serde(default = "default_leeway", with = "duration")]
    pub leeway: Duration,
    /// Signature algorithms accepted. HMAC and `none` are always refused.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<String>,
    /// Trusted issuers, each with its own keys and claim mapping.
    #[serde(default)]
    pub issuers: Vec<IssuerConfig>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            require_bound_tokens: false,
            leeway: default_leeway(),
            algorithms: default_algorithms(),
            issuers: Vec::new(),
        }
    }
}

/// `[[identity.issuers]]`: one trusted token issuer.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    /// The exact `iss` value of its tokens.
    pub issuer: String,
    /// Accepted `aud` values; a token must carry at least one.
    pub audiences: Vec<String>,
    /// The issuer's public keys (JWKS JSON), re-read when the file changes.
    /// Set this or `jwks_url`.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// Where the daemon fetches the issuer's JWKS (`https://` only).
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// CA bundle (PEM) that verifies the JWKS server; required with `jwks_url`.
    #[serde(default)]
    pub jwks_url_ca: Option<PathBuf>,
    /// Where the last good fetched JWKS is kept, used when the IdP cannot be
    /// reached (at start included); required with `jwks_url`.
    #[serde(default)]
    pub jwks_cache: Option<PathBuf>,
    /// How often the JWKS is fetched again; an unknown key id triggers an
    /// earlier fetch (at most every 30 s, or every `jwks_refresh` if shorter).
    #[serde(default = "default_jwks_refresh", with = "duration")]
    pub jwks_refresh: Duration,
    /// Where the principal's attributes are in this issuer's tokens.
    #[serde(default)]
    pub claims: ClaimMapping,
    /// IdP role or group names mapped to Palisade roles; when empty, role
    /// names are taken as they are.
    #[serde(default)]
    pub role_map: BTreeMap<String, Vec<String>>,
    /// Tenant for tokens without a tenant claim; without it such tokens are refused.
    #[serde(default)]
    pub default_tenant: Option<String>,
    /// Development only: the private key `palisade token mint` signs with.
    #[serde(default)]
    pub dev_signing_key: Option<PathBuf>,
    /// Refuse ES256/ES384 signatures whose `s` is in the upper half of the
    /// curve order (the malleable twin of a valid signature). Set it only
    /// for an IdP that signs low-S: many (Java, .NET, AWS-LC based ones)
    /// emit high-S for about half their tokens, which would then be refused.
    #[serde(default)]
    pub reject_high_s: bool,
}

/// `[audit]`: where the audit trail is kept and how it is signed.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// `sqlite:PATH` (embedded) or `postgres://USER@HOST/DB` (a fleet).
    pub store: String,
    /// Ed25519 checkpoint signing key (C2SP note format); created on first
    /// start with its verifier key beside it as `<file>.pub`.
    pub signing_key: PathBuf,
    /// 256-bit HMAC key that turns subjects into pseudonyms; created on first start.
    pub pseudonym_key: PathBuf,
    /// Sign a checkpoint after this many records.
    #[serde(default = "default_checkpoint_records")]
    pub checkpoint_every_records: u64,
    /// ...or this long after the first unsigned record.
    #[serde(default = "default_checkpoint_interval", with = "duration")]
    pub checkpoint_interval: Duration,
    /// Also append every signed checkpoint to this file (a WORM mount, a
    /// file a SIEM collects), so that history cannot be rewritten unseen.
    #[serde(default)]
    pub checkpoint_file: Option<PathBuf>,
    /// Also POST every signed checkpoint (text/plain) to this `https://`
    /// endpoint (a SIEM, a WORM store, a witness); failed pushes are retried.
    #[serde(default)]
    pub checkpoint_url: Option<String>,
    /// CA bundle (PEM) that verifies `checkpoint_url`; required with it.
    #[serde(default)]
    pub checkpoint_url_ca: Option<PathBuf>,
    /// Records keep their content at least this long (at least 183 days,
    /// the EU AI Act's six months; the default, 6 years, is HIPAA's).
    #[serde(default = "default_retention", with = "duration")]
    pub retention_minimum: Duration,
    /// Legal hold: while true, nothing is pruned.
    #[serde(default)]
    pub legal_hold: bool,
    /// SQLite only: the largest the audit database may grow, in MiB. At
    /// that size the node refuses requests with 503 `audit_unavailable` and
    /// `/readyz` says why, exactly as on a full disk, until the limit is
    /// raised (a reload applies it) or content is pruned; it recovers by
    /// itself. Unset: no limit but the disk's.
    #[serde(default)]
    pub max_store_mib: Option<u64>,
}

/// The shortest retention allowed: six months (EU AI Act Art. 19, 26(6)).
pub const MIN_RETENTION: Duration = Duration::from_secs(183 * 24 * 3600);

fn default_retention() -> Duration {
    Duration::from_secs(6 * 365 * 24 * 3600 + 2 * 24 * 3600)
}

fn default_checkpoint_records() -> u64 {
    1000
}
fn default_checkpoint_interval() -> Duration {
    Duration::from_secs(60)
}

/// A rate: requests and generated tokens per minute (0 = unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Requests per minute.
    #[serde(default)]
    pub requests_per_minute: u32,
    /// Generated tokens per minute.
    #[serde(default)]
    pub tokens_per_minute: u32,
}

/// `[rate_limits]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitsConfig {
    /// Per subject, unless a role limit applies.
    #[serde(default = "default_subject_limit")]
    pub default: Limit,
    /// Per subject holding the role; the most generous of the principal's roles applies.
    #[serde(default)]
    pub roles: BTreeMap<String, Limit>,
    /// Per tenant, shared by all its subjects.
    #[serde(default)]
    pub tenants: BTreeMap<String, Limit>,
}

impl Default for RateLimitsConfig {
    fn default() -> Self {
        Self {
            default: default_subject_limit(),
            roles: BTreeMap::new(),
            tenants: BTreeMap::new(),
        }
    }
}

fn default_jwks_refresh() -> Duration {
    Duration::from_secs(15 * 60)
}

fn default_subject_limit() -> Limit {
    Limit {
        requests_per_minute: 600,
        tokens_per_minute: 0,
    }
}
fn default_leeway() -> Duration {
    Duration::from_secs(60)
}
fn default_algorithms() -> Vec<String> {
    ["ES256", "ES384", "RS256", "PS256", "EdDSA"]
        .map(str::to_owned)
        .to_vec()
}

fn default_node_id() -> String {
    // /proc/sys is hidden under the unit's ProcSubset=pid; /etc/hostname is not.
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|h| h.trim().to_owned())
        .find(|h| !h.is_empty())
        .unwrap_or_else(|| "palisade".to_owned())
}
fn default_listen() -> Vec<SocketAddr> {
    vec![SocketAddr::from(([127, 0, 0, 1], 8443))]
}
fn default_drain_timeout() -> Duration {
    Duration::from_secs(30)
}
fn default_handshake_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_true() -> bool {
    true
}
fn default_min_version() -> TlsVersion {
    TlsVersion::Tls12
}
fn default_log_level() -> String {
    "info".to_owned()
}
fn default_log_format() -> LogFormat {
    LogFormat::Human
}

/// An upstream's base URL: `https://host[:port][/path]`, or `http://` to a
/// loopback address (a server on the same host), with no credentials,
/// query or fragment.
pub fn upstream_url(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|a| a.is_loopback());
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(format!(
                "{url:?}: plain http:// only to a loopback address; use https:// (prompts cross the network)"
            ));
        }
        other => return Err(format!("{url:?}: {other}:// is not http(s)")),
    }
    if !parsed.has_host() {
        return Err(format!("{url:?} has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!(
            "{url:?} carries credentials; use api_key_file or api_key_credential"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!("{url:?} has a query or fragment"));
    }
    Ok(parsed)
}

/// Durations are written the way people say them: `30s`, `5m`, `1h30m`, `250ms`.
pub mod duration {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    /// Deserializes a human-readable duration string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!(
                "invalid duration {s:?} ({e}); write a number with a unit, like 30s, 5m or 1h"
            ))
        })
    }

    /// Serializes a duration as a human-readable string.
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }
}

/// One thing wrong with a configuration: where (file or environment
/// variable, and key path) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, or the environment variable that set the key.
    pub origin: String,
    /// Dotted key path, e.g. `tls.cert`; empty for file-level problems.
    pub key: String,
    /// What is wrong, in words an operator can act on.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.origin, self.message)
        } else {
            write!(f, "{}: {}: {}", self.origin, self.key, self.message)
        }
    }
}

/// Every error found in one configuration, in the order found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "{n} configuration error{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0 {
            write!(f, "\n  - {e}")?;
        }
        Ok(())
    }
}

/// Where each overridden key came from, so errors name the variable.
struct Overrides(Vec<(String, String)>);

impl Overrides {
    fn origin_of(&self, key: &str, file: &str) -> String {
        self.0
            .iter()
            .find(|(path, _)| key == path || key.starts_with(&format!("{path}.")))
            .map(|(_, var)| format!("environment variable {var}"))
            .unwrap_or_else(|| file.to_owned())
    }
}

impl Config {
    /// Reads `path`, applies `PALISADE__*` overrides from the process
    /// environment, and returns the typed configuration or every error.
    pub fn load(path: &Path) -> Result<Self, ConfigErrors> {
        Self::load_with_env(path, std::env::vars())
    }

    /// As [`Config::load`], with the environment given explicitly.
    pub fn load_with_env(
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigErrors> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![ConfigError {
                origin: origin.clone(),
                key: String::new(),
                message: format!("cannot read the configuration file: {e}"),
            }])
        })?;
        let base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        Self::parse(&text, &origin, &base_dir, env)
    }

    /// Parses configuration text. `origin` names the file in errors;
    /// relative paths are resolved against `base_dir`.
    pub fn parse(
        text: &str,
        origin: &str,
        base_dir: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigErrors> {
        let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            ConfigErrors(vec![ConfigError {
                origin: origin.to_owned(),
                key: String::new(),
                message: format!("not valid TOML: {}", e.to_string().trim_end()),
            }])
        })?;
        let mut errors = Vec::new();
        let overrides = apply_env_overrides(&mut table, env, &mut errors);
        let mut sections = Sections {
            table,
            origin,
            overrides: &overrides,
            errors,
        };

        let version = sections.take::<u32>("version");
        let node = sections.take_or_default::<NodeConfig>("node");
        let server = sections.take_or_default::<ServerConfig>("server");
        let tls = sections.take::<TlsConfig>("tls");
        let logging = sections.take_or_default::<LoggingConfig>("logging");
        let metrics = sections.take_or_default::<MetricsConfig>("metrics");
        let identity = sections.take_or_default::<IdentityConfig>("identity");
        let rate_limits = sections.take_or_default::<RateLimitsConfig>("rate_limits");
        let audit = sections.take::<AuditConfig>("audit");
        let model = sections.take_or_default::<ModelConfig>("model");
        let license = sections.take_or_default::<LicenseConfig>("license");
        let policy = sections.take_or_default::<PolicyConfig>("policy");
        let upstreams = sections.take_or_default::<Vec<UpstreamConfig>>("upstream");
        let Sections {
            table, mut errors, ..
        } = sections;
        for key in table.keys() {
            errors.push(ConfigError {
                origin: overrides.origin_of(key, origin),
                key: key.clone(),
                message:
                    "unknown key; expected one of version, node, server, tls, logging, metrics, identity, rate_limits, audit, model, license, policy, upstream"
                        .to_owned(),
            });
        }
        if let Some(v) = version
            && v != CONFIG_VERSION
        {
            errors.push(ConfigError {
                origin: origin.to_owned(),
                key: "version".to_owned(),
                message: format!(
                    "unsupported configuration version {v}; this palisade reads version {CONFIG_VERSION}"
                ),
            });
        }
        match (
            version,
            node,
            server,
            tls,
            logging,
            metrics,
            identity,
            rate_limits,
            audit,
            model,
            license,
            policy,
            upstreams,
        ) {
            (
                Some(version),
                Some(node),
                Some(server),
                Some(tls),
                Some(logging),
                Some(metrics),
                Some(identity),
                Some(rate_limits),
                Some(audit),
                Some(model),
                Some(license),
                Some(policy),
                Some(upstreams),
            ) if errors.is_empty() => {
                let mut config = Config {
                    version,
                    node,
                    server,
                    tls,
                    logging,
                    metrics,
                    identity,
                    rate_limits,
                    audit,
                    model,
                    license,
                    policy,
                    upstreams,
                    base_dir: base_dir.to_path_buf(),
                };
                config.resolve_paths();
                let semantic = config.validate(origin);
                if semantic.is_empty() {
                    Ok(config)
                } else {
                    Err(ConfigErrors(semantic))
                }
            }
            _ => Err(ConfigErrors(errors)),
        }
    }

    fn resolve_paths(&mut self) {
        let base = self.base_dir.clone();
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        resolve(&mut self.tls.cert);
        resolve(&mut self.tls.key);
        if let Some(ca) = self.tls.client_ca.as_mut() {
            resolve(ca);
        }
        self.tls.crls.iter_mut().for_each(resolve);
        if let Some(p) = self.model.path.as_mut() {
            resolve(p);
        }
        if let Some(p) = self.license.file.as_mut() {
            resolve(p);
        }
        for p in [self.policy.dir.as_mut(), self.policy.names.as_mut()]
            .into_iter()
            .flatten()
        {
            resolve(p);
        }
        resolve(&mut self.audit.signing_key);
        resolve(&mut self.audit.pseudonym_key);
        if let Some(f) = self.audit.checkpoint_file.as_mut() {
            resolve(f);
        }
        if let Some(f) = self.audit.checkpoint_url_ca.as_mut() {
            resolve(f);
        }
        // A relative SQLite path is relative to the config file too.
        if let Some(path) = self.audit.store.strip_prefix("sqlite:")
            && !path.starts_with('/')
            && !path.starts_with(":memory:")
        {
            self.audit.store = format!("sqlite:{}", base.join(path).display());
        }
        for upstream in &mut self.upstreams {
            for p in [
                upstream.ca.as_mut(),
                upstream.client_cert.as_mut(),
                upstream.client_key.as_mut(),
                upstream.api_key_file.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                resolve(p);
            }
        }
        for issuer in &mut self.identity.issuers {
            for p in [
                issuer.jwks_file.as_mut(),
                issuer.jwks_url_ca.as_mut(),
                issuer.jwks_cache.as_mut(),
                issuer.dev_signing_key.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                resolve(p);
            }
        }
    }

    /// Checks the values that types alone cannot (no files are read here).
    fn validate(&self, origin: &str) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let mut err = |key: &str, message: String| {
            errors.push(ConfigError {
                origin: origin.to_owned(),
                key: key.to_owned(),
                message,
            })
        };
        self.check_serving(&mut err);
        self.check_identity(&mut err);
        self.check_audit_and_limits(&mut err);
        self.check_upstreams(&mut err);
        errors
    }

    /// The node, license, model, server, TLS, metrics and logging values.
    fn check_serving(&self, err: &mut impl FnMut(&str, String)) {
        if self.node.id.trim().is_empty() {
            err("node.id", "must not be empty".to_owned());
        }
        match (&self.license.file, &self.license.vendor_public_key) {
            (Some(_), None) => err(
                "license.vendor_public_key",
                "is required with license.file".to_owned(),
            ),
            (_, Some(key)) => {
                if let Err(e) = crate::license::parse_public_key(key) {
                    err("license.vendor_public_key", e.to_string());
                }
            }
            (None, None) => {}
        }
        let m = &self.model;
        if !matches!(m.dtype.as_str(), "bf16" | "f16" | "f32") {
            err(
                "model.dtype",
                format!("{:?} is not one of bf16, f16, f32", m.dtype),
            );
        }
        if let Some(q) = &m.quantization
            && let Err(e) = crate::engine::quant::Quantization::parse(q)
        {
            err("model.quantization", e.to_string());
        }
        for (key, value) in [
            ("model.max_batch", m.max_batch),
            ("model.queue_depth", m.queue_depth),
            ("model.kv_blocks", m.kv_blocks),
            ("model.kv_block_size", m.kv_block_size),
            ("model.prefill_chunk", m.prefill_chunk),
            ("model.default_max_tokens", m.default_max_tokens),
            ("model.max_request_bytes", m.max_request_bytes),
        ] {
            if value == 0 {
                err(key, "must be at least 1".to_owned());
            }
        }
        if m.request_timeout.is_zero() {
            err(
                "model.request_timeout",
                "must be longer than zero".to_owned(),
            );
        }
        if self.server.drain_timeout.is_zero() {
            err(
                "server.drain_timeout",
                "must be longer than zero, or in-flight requests are cut off".to_owned(),
            );
        }
        if self.server.tls_handshake_timeout.is_zero() {
            err(
                "server.tls_handshake_timeout",
                "must be longer than zero".to_owned(),
            );
        }
        if self.tls.require_client_cert && self.tls.client_ca.is_none() {
            err(
                "tls.client_ca",
                "missing: client certificates are required (tls.require_client_cert = true), so a CA bundle to verify them is needed".to_owned(),
            );
        }
        if let Some(addr) = self.metrics.listen
            && !addr.ip().is_loopback()
        {
            err(
                "metrics.listen",
                format!(
                    "{addr} is not a loopback address; the plain-HTTP metrics listener may only listen on 127.0.0.0/8 or ::1"
                ),
            );
        }
        if let Err(e) = tracing_subscriber::EnvFilter::builder().parse(&self.logging.level) {
            err(
                "logging.level",
                format!("invalid filter {:?}: {e}", self.logging.level),
            );
        }
    }

    /// Token issuers and their keys.
    fn check_identity(&self, err: &mut impl FnMut(&str, String)) {
        if self.identity.leeway > Duration::from_secs(300) {
            err(
                "identity.leeway",
                "at most 5m: a longer leeway keeps expired tokens alive".to_owned(),
            );
        }
        for name in &self.identity.algorithms {
            if let Err(e) = crate::identity::jwt::parse_algorithm(name) {
                err("identity.algorithms", e.to_string());
            }
        }
        for (i, issuer) in self.identity.issuers.iter().enumerate() {
            let key = |k: &str| format!("identity.issuers[{i}].{k}");
            if issuer.issuer.trim().is_empty() {
                err(&key("issuer"), "must not be empty".to_owned());
            }
            if self
                .identity
                .issuers
                .iter()
                .take(i)
                .any(|o| o.issuer == issuer.issuer)
            {
                err(
                    &key("issuer"),
                    format!("{:?} is configured twice", issuer.issuer),
                );
            }
            match (&issuer.jwks_file, &issuer.jwks_url) {
                (Some(_), Some(_)) => err(
                    &key("jwks_url"),
                    "set jwks_file or jwks_url, not both".to_owned(),
                ),
                (None, None) => err(
                    &key("jwks_file"),
                    "missing: set jwks_file or jwks_url".to_owned(),
                ),
                (None, Some(url)) => {
                    if let Err(e) = crate::https::parse_url(url) {
                        err(&key("jwks_url"), e.to_string());
                    }
                    if issuer.jwks_url_ca.is_none() {
                        err(&key("jwks_url_ca"), "missing: the CA bundle that verifies the JWKS server (e.g. /etc/ssl/certs/ca-certificates.crt)".to_owned());
                    }
                    if issuer.jwks_cache.is_none() {
                        err(&key("jwks_cache"), "missing: a writable file for the last good JWKS (e.g. /var/lib/palisade/jwks-idp.json)".to_owned());
                    }
                    if issuer.jwks_refresh < Duration::from_secs(5) {
                        err(&key("jwks_refresh"), "at least 5s".to_owned());
                    }
                }
                (Some(_), None) => {}
            }
            if issuer.audiences.iter().all(|a| a.trim().is_empty()) {
                err(&key("audiences"), "list at least one audience".to_owned());
            }
            for (group, roles) in &issuer.role_map {
                for r in roles {
                    if crate::identity::principal::Role::parse(r).is_none() {
                        err(
                            &key(&format!("role_map.{group}")),
                            format!(
                                "unknown role {r:?}; roles are inference, auditor, admin, metrics"
                            ),
                        );
                    }
                }
            }
        }
    }

    /// The audit store and trail, rate limits, and listen addresses.
    /// The `[[upstream]]` tables: names, URLs, models, credentials.
    fn check_upstreams(&self, err: &mut impl FnMut(&str, String)) {
        let embedded = self.model.path.as_ref().map(|p| {
            self.model.id.clone().unwrap_or_else(|| {
                p.file_stem()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
        });
        for (i, u) in self.upstreams.iter().enumerate() {
            let key = |k: &str| format!("upstream[{i}].{k}");
            if u.name.trim().is_empty() {
                err(&key("name"), "must not be empty".to_owned());
            }
            if self.upstreams.iter().take(i).any(|o| o.name == u.name) {
                err(&key("name"), format!("{:?} names two upstreams", u.name));
            }
            if u.urls.is_empty() {
                err(&key("urls"), "must list at least one URL".to_owned());
            }
            for url in &u.urls {
                if let Err(why) = upstream_url(url) {
                    err(&key("urls"), why);
                }
            }
            if u.models.is_empty() {
                err(&key("models"), "must list at least one model".to_owned());
            }
            for m in &u.models {
                if m.upstream_id().is_empty() || m.client_id().is_empty() {
                    err(&key("models"), "a model id must not be empty".to_owned());
                }
                if embedded.as_deref() == Some(m.client_id()) {
                    err(
                        &key("models"),
                        format!(
                            "{:?} is the embedded model's id ([model] id); give the upstream's model an alias",
                            m.client_id()
                        ),
                    );
                }
            }
            // One model's upstreams are one place for residency policies.
            for earlier in self.upstreams.iter().take(i) {
                let shared = u.models.iter().find(|m| {
                    earlier
                        .models
                        .iter()
                        .any(|e| e.client_id() == m.client_id())
                });
                if let Some(m) = shared
                    && (earlier.region != u.region
                        || earlier.jurisdiction != u.jurisdiction
                        || earlier.license != u.license)
                {
                    err(
                        &key("jurisdiction"),
                        format!(
                            "{:?} is also served by upstream {:?} with another region, jurisdiction or license; upstreams that share a model must share all three",
                            m.client_id(),
                            earlier.name
                        ),
                    );
                }
            }
            if u.client_cert.is_some() != u.client_key.is_some() {
                err(
                    &key("client_cert"),
                    "client_cert and client_key go together".to_owned(),
                );
            }
            if u.api_key_file.is_some() && u.api_key_credential.is_some() {
                err(
                    &key("api_key_file"),
                    "give api_key_file or api_key_credential, not both".to_owned(),
                );
            }
            if u.max_concurrency == 0 {
                err(&key("max_concurrency"), "must be at least 1".to_owned());
            }
            if u.weight == 0 {
                err(&key("weight"), "must be at least 1".to_owned());
            }
            if u.eject_after == 0 {
                err(&key("eject_after"), "must be at least 1".to_owned());
            }
            if !u.health_path.starts_with('/')
                || u.health_path.starts_with("//")
                || u.health_path.contains("://")
            {
                err(
                    &key("health_path"),
                    "must be a path on the upstream itself, starting with one /".to_owned(),
                );
            }
            for (name, d) in [
                ("connect_timeout", u.connect_timeout),
                ("request_timeout", u.request_timeout),
                ("health_interval", u.health_interval),
            ] {
                if d.is_zero() {
                    err(&key(name), "must be longer than zero".to_owned());
                }
            }
        }
    }

    fn check_audit_and_limits(&self, err: &mut impl FnMut(&str, String)) {
        let store = &self.audit.store;
        if !(store.starts_with("sqlite:")
            || store.starts_with("postgres://")
            || store.starts_with("postgresql://"))
        {
            err(
                "audit.store",
                format!("{store:?} is not a store URL; use sqlite:PATH or postgres://USER@HOST/DB"),
            );
        }
        if self.audit.checkpoint_every_records == 0 {
            err(
                "audit.checkpoint_every_records",
                "must be at least 1".to_owned(),
            );
        }
        if let Some(url) = &self.audit.checkpoint_url {
            if let Err(e) = crate::https::parse_url(url) {
                err("audit.checkpoint_url", e.to_string());
            }
            if self.audit.checkpoint_url_ca.is_none() {
                err(
                    "audit.checkpoint_url_ca",
                    "missing: the CA bundle that verifies the checkpoint endpoint".to_owned(),
                );
            }
        }
        if let Some(mib) = self.audit.max_store_mib {
            if !store.starts_with("sqlite:") {
                err(
                    "audit.max_store_mib",
                    "applies to a SQLite store only; size a PostgreSQL store in PostgreSQL"
                        .to_owned(),
                );
            } else if mib == 0 {
                err("audit.max_store_mib", "must be at least 1".to_owned());
            }
        }
        if self.audit.retention_minimum < MIN_RETENTION {
            err(
                "audit.retention_minimum",
                "at least 183 days: the EU AI Act requires keeping logs six months".to_owned(),
            );
        }
        if self.audit.checkpoint_interval.is_zero() {
            err(
                "audit.checkpoint_interval",
                "must be longer than zero".to_owned(),
            );
        }
        for role in self.rate_limits.roles.keys() {
            if crate::identity::principal::Role::parse(role).is_none() {
                err(
                    &format!("rate_limits.roles.{role}"),
                    "unknown role; roles are inference, auditor, admin, metrics".to_owned(),
                );
            }
        }
        for (i, addr) in self.server.listen.iter().enumerate() {
            if self.server.listen.iter().take(i).any(|a| a == addr) {
                err("server.listen", format!("{addr} is listed twice"));
            }
        }
    }
}

/// Deserializes the top-level sections one at a time, collecting errors.
struct Sections<'a> {
    table: toml::Table,
    origin: &'a str,
    overrides: &'a Overrides,
    errors: Vec<ConfigError>,
}

impl Sections<'_> {
    fn take<T: DeserializeOwned>(&mut self, name: &str) -> Option<T> {
        let Some(value) = self.table.remove(name) else {
            self.errors.push(ConfigError {
                origin: self.origin.to_owned(),
                key: name.to_owned(),
                message: "missing; this key is required".to_owned(),
            });
            return None;
        };
        self.deserialize(name, value)
    }

    fn take_or_default<T: DeserializeOwned + Default>(&mut self, name: &str) -> Option<T> {
        match self.table.remove(name) {
            None => Some(T::default()),
            Some(value) => self.deserialize(name, value),
        }
    }

    fn deserialize<T: DeserializeOwned>(&mut self, name: &str, value: toml::Value) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(v) => Some(v),
            Err(e) => {
                let inner = e.path().to_string();
                let key = if inner == "." || inner.is_empty() {
                    name.to_owned()
                } else if inner.starts_with('[') {
                    format!("{name}{inner}")
                } else {
                    format!("{name}.{inner}")
                };
                // toml appends "\nin `key`", which the path already says.
                let raw = e.into_inner().to_string();
                let first = raw.lines().next().unwrap_or_default();
                let message = match unknown_field_name(first) {
                    Some(field) => format!("unknown key `{field}`; {}", expected_part(first)),
                    None => first.to_owned(),
                };
                self.errors.push(ConfigError {
                    origin: self.overrides.origin_of(&key, self.origin),
                    key,
                    message,
                });
                None
            }
        }
    }
}

/// serde reports an unknown field as "unknown field `x`, expected ...".
fn unknown_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

fn expected_part(message: &str) -> String {
    message
        .split_once(", ")
        .map(|(_, expected)| expected.to_owned())
        .unwrap_or_else(|| "not a key of this section".to_owned())
}

/// Lays `PALISADE__SECTION__KEY=value` variables over the parsed file.
/// Values that look like TOML numbers, booleans or arrays are parsed as such;
/// anything else is taken as a string.
fn apply_env_overrides(
    table: &mut toml::Table,
    env: impl IntoIterator<Item = (String, String)>,
    errors: &mut Vec<ConfigError>,
) -> Overrides {
    let mut applied = Vec::new();
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with(ENV_PREFIX))
        .collect();
    vars.sort();
    for (var, raw) in vars {
        let segments: Vec<String> = var
            .get(ENV_PREFIX.len()..)
            .unwrap_or_default()
            .split("__")
            .map(str::to_ascii_lowercase)
            .collect();
        if segments.iter().any(String::is_empty) {
            errors.push(ConfigError {
                origin: format!("environment variable {var}"),
                key: String::new(),
                message: "malformed name; expected PALISADE__SECTION__KEY".to_owned(),
            });
            continue;
        }
        let path = segments.join(".");
        match set_path(table, &segments, env_value(&raw)) {
            Ok(()) => applied.push((path, var)),
            Err(message) => errors.push(ConfigError {
                origin: format!("environment variable {var}"),
                key: path,
                message,
            }),
        }
    }
    Overrides(applied)
}

fn set_path(
    table: &mut toml::Table,
    segments: &[String],
    value: toml::Value,
) -> Result<(), String> {
    match segments {
        [] => Ok(()),
        [leaf] => {
            table.insert(leaf.clone(), value);
            Ok(())
        }
        [section, rest @ ..] => match table
            .entry(section.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        {
            toml::Value::Table(inner) => set_path(inner, rest, value),
            _ => Err(format!(
                "`{section}` is not a section, so it has no keys to set"
            )),
        },
    }
}

fn env_value(raw: &str) -> toml::Value {
    let trimmed = raw.trim();
    let looks_typed = trimmed == "true"
        || trimmed == "false"
        || trimmed.starts_with('[')
        || trimmed.parse::<i64>().is_ok();
    if looks_typed
        && let Ok(mut t) = format!("v = {trimmed}").parse::<toml::Table>()
        && let Some(v) = t.remove("v")
    {
        return v;
    }
    toml::Value::String(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigErrors> {
        Config::parse(
            text,
            "test.toml",
            Path::new("/etc/palisade"),
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    const MINIMAL: &str = r#"
        version = 1
        [tls]
        cert = "pki/server.pem"
        key = "pki/server.key"
        client_ca = "/pki/ca.pem"
        [audit]
        store = "sqlite:audit/audit.db"
        signing_key = "audit/checkpoint.key"
        pseudonym_key = "audit/pseudonym.key"
    "#;

    #[test]
    fn minimal_config_gets_safe_defaults_and_resolved_paths() {
        let c = parse(MINIMAL, &[]).unwrap();
        assert!(c.tls.require_client_cert);
        assert_eq!(c.tls.min_version, TlsVersion::Tls12);
        assert_eq!(c.server.listen, default_listen());
        assert_eq!(c.server.drain_timeout, Duration::from_secs(30));
        assert_eq!(c.tls.cert, PathBuf::from("/etc/palisade/pki/server.pem"));
        assert_eq!(c.tls.client_ca, Some(PathBuf::from("/pki/ca.pem")));
        assert_eq!(c.audit.store, "sqlite:/etc/palisade/audit/audit.db");
        assert_eq!(c.audit.checkpoint_every_records, 1000);
    }

    #[test]
    fn every_section_error_is_reported_with_its_path() {
        let text = r#"
            version = 1
            colour = "blue"
            [server]
            listen = ["127.0.0.1:8443"]
            drain_timeout = 30
            [tls]
            cert = "a"
            key = "b"
            client_ca = "c"
            bogus = true
            [logging]
            format = "xml"
            [audit]
            store = "sqlite:a.db"
            signing_key = "k"
            pseudonym_key = "p"
        "#;
        let errs = parse(text, &[]).unwrap_err().0;
        let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
        assert!(keys.contains(&"server.drain_timeout"), "{errs:?}");
        assert!(keys.contains(&"tls.bogus"), "{errs:?}");
        assert!(keys.contains(&"logging.format"), "{errs:?}");
        assert!(keys.contains(&"colour"), "{errs:?}");
        assert_eq!(errs.len(), 4, "{errs:?}");
    }

    #[test]
    fn environment_overrides_keys_and_is_named_in_errors() {
        let c = parse(
            MINIMAL,
            &[
                ("PALISADE__SERVER__DRAIN_TIMEOUT", "5s"),
                (
                    "PALISADE__SERVER__LISTEN",
                    "[\"127.0.0.1:9443\", \"[::1]:9443\"]",
                ),
                ("PALISADE__TLS__MIN_VERSION", "1.3"),
                ("PALISADE__SERVER__WORKERS", "3"),
            ],
        )
        .unwrap();
        assert_eq!(c.server.drain_timeout, Duration::from_secs(5));
        assert_eq!(c.server.listen.len(), 2);
        assert_eq!(c.tls.min_version, TlsVersion::Tls13);
        assert_eq!(c.server.workers, 3);

        let errs = parse(MINIMAL, &[("PALISADE__TLS__CERTT", "x")])
            .unwrap_err()
            .0;
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].key, "tls.certt");
        assert_eq!(errs[0].origin, "environment variable PALISADE__TLS__CERTT");
    }

    #[test]
    fn semantic_errors_are_all_listed() {
        let text = r#"
            version = 2
            [tls]
            cert = "a"
            key = "b"
            [metrics]
            listen = "0.0.0.0:9100"
            [audit]
            store = "mysql://x"
            signing_key = "k"
            pseudonym_key = "p"
        "#;
        let errs = parse(text, &[]).unwrap_err().0;
        let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["version"],
            "version errors stop before semantics"
        );
        let text = text.replace("version = 2", "version = 1");
        let errs = parse(&text, &[]).unwrap_err().0;
        let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, vec!["tls.client_ca", "metrics.listen", "audit.store"]);
    }

    #[test]
    fn missing_required_keys_and_bad_toml_are_named() {
        let errs = parse("version = 1\n", &[]).unwrap_err().0;
        assert_eq!(errs[0].key, "tls");
        let errs = parse("version = \n", &[]).unwrap_err().0;
        assert!(errs[0].message.contains("not valid TOML"), "{errs:?}");
        let errs = parse(
            &format!("{MINIMAL}\n[server]\ndrain_timeout = \"soon\""),
            &[],
        )
        .unwrap_err()
        .0;
        assert!(errs[0].message.contains("invalid duration"), "{errs:?}");
    }
}
