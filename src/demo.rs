//! `palisade demo init`: a complete, secure setup in one directory, so that
//! removing the directory removes the demo. Layout (INTERFACES.md):
//!
//! ```text
//! DIR/palisade.toml    the configuration, paths relative to DIR
//! DIR/pki/             development CA, server and client certificates
//! DIR/jwt/signing.key  ES256 PKCS#8 key of the demo token issuer
//! DIR/jwt/jwks.json    its public JWKS
//! DIR/model/           a tiny random-weight Llama 4 model (`model synth --preset tiny`)
//! DIR/license/vendor.key      a development vendor key (never a real one)
//! DIR/license/license.json    a one-year license it signed, covering the model
//! DIR/policies/        the shipped Cedar schema, policies and test cases
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::identity::devpki::{self, PkiError};
use crate::identity::devtoken::DevSigner;

/// The configuration file inside a demo directory.
pub const CONFIG_FILE: &str = "palisade.toml";

/// Default demo listener.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";

/// Why a demo directory could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The directory already holds files.
    #[error("{0} is not empty; demo init writes only into a new or empty directory")]
    NotEmpty(PathBuf),
    /// The directory cannot be read or written.
    #[error("cannot read or write {path}: {source}")]
    Read {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Generating or writing keys and certificates failed.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// The key pair could not be made.
    #[error("cannot generate the demo token signing key: {0}")]
    Key(#[from] crate::identity::devtoken::DevTokenError),
    /// The demo model could not be written.
    #[error("cannot write the demo model: {0}")]
    Model(#[from] crate::engine::EngineError),
    /// The demo license could not be issued.
    #[error("cannot issue the demo license: {0}")]
    License(String),
}

/// True when `dir` does not exist or holds nothing.
pub fn is_empty_dir(dir: &Path) -> Result<bool, DemoError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(source) => Err(DemoError::Read {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// Writes the demo into `dir` (which must be new or empty); `mau_limit`
/// makes its license enforce that many monthly active users.
pub fn init(
    dir: &Path,
    listen: SocketAddr,
    mau_limit: Option<u64>,
    now: OffsetDateTime,
) -> Result<(), DemoError> {
    if !is_empty_dir(dir)? {
        return Err(DemoError::NotEmpty(dir.to_path_buf()));
    }
    devpki::create_dir(dir)?;
    devpki::init(&dir.join("pki"), now)?;
    write_jwt_keys(&dir.join("jwt"))?;
    crate::engine::synth::synth(
        "llama4",
        "tiny",
        &dir.join("model"),
        candle_core::DType::F32,
        0,
    )?;
    devpki::write_new(
        &dir.join("model")
            .join(crate::license::terms::MODEL_TERMS_FILE),
        DEMO_MODEL_TERMS.as_bytes(),
        0o644,
    )?;
    let vendor_key = write_license(&dir.join("license"), &dir.join("model"), mau_limit, now)?;
    let policies = dir.join("policies");
    crate::policy::write_shipped(&policies).map_err(|source| DemoError::Read {
        path: policies,
        source,
    })?;
    devpki::write_new(
        &dir.join(CONFIG_FILE),
        demo_config(listen, &vendor_key).as_bytes(),
        0o600,
    )?;
    Ok(())
}

/// The demo model's license terms: those of Llama 4, whose layout the
/// random-weight model has, to show where an attribution appears.
const DEMO_MODEL_TERMS: &str = r#"# The model's own license terms (docs/license.md). The demo model has random
# weights in the Llama 4 layout; these are the Llama 4 Community License's
# terms, to show where its attribution appears (/v1/models, X-Model-Attribution).
license = "llama4"
mau_threshold = 700000000
attribution = "Built with Llama"
acceptable_use = "https://www.llama.com/llama4/use-policy"
"#;

/// A development vendor key and a one-year license it signs for the demo
/// model; returns the vendor public key for the configuration.
fn write_license(
    dir: &Path,
    model: &Path,
    mau_limit: Option<u64>,
    now: OffsetDateTime,
) -> Result<String, DemoError> {
    let bad = |e: crate::license::LicenseError| DemoError::License(e.to_string());
    let (signer, seed) = crate::license::Signer::generate().map_err(bad)?;
    devpki::create_dir(dir)?;
    devpki::write_new(
        &dir.join("vendor.key"),
        format!("{seed}\n").as_bytes(),
        0o600,
    )?;
    let digest = crate::engine::weights::digest(model)?;
    let at = |t: OffsetDateTime| {
        t.replace_nanosecond(0)
            .unwrap_or(t)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let terms = serde_json::json!({
        "schema": crate::license::SCHEMA,
        "license_id": format!("DEMO-{}", now.unix_timestamp()),
        "licensee": "Palisade demo",
        "issued_at": at(now),
        "not_before": at(now - time::Duration::days(1)),
        "expires_at": at(now + time::Duration::days(365)),
        "grace_days": 30,
        "node_limit": 1,
        "features": ["serving", "audit"],
        "models": [{"id": "model", "weights_digest": digest}],
        "mau_limit": mau_limit,
        "mau_mode": if mau_limit.is_some() { "enforce" } else { "observe" },
    });
    let text = signer.sign(&terms).map_err(bad)?;
    devpki::write_new(
        &dir.join("license.json"),
        format!("{text}\n").as_bytes(),
        0o644,
    )?;
    Ok(signer.public_key())
}

fn write_jwt_keys(dir: &Path) -> Result<(), DemoError> {
    let signer = DevSigner::generate_es256()?;
    let jwks = signer.jwks();
    devpki::create_dir(dir)?;
    devpki::write_new(&dir.join("signing.key"), signer.key_pem().as_bytes(), 0o600)?;
    let pretty = serde_json::to_string_pretty(&jwks).unwrap_or_else(|_| jwks.to_string());
    devpki::write_new(
        &dir.join("jwks.json"),
        format!("{pretty}\n").as_bytes(),
        0o644,
    )?;
    Ok(())
}

fn demo_config(listen: SocketAddr, vendor_key: &str) -> String {
    format!(
        r#"# Palisade demo configuration, written by `palisade demo init`.
# Every key is documented in docs/configuration.md. Relative paths are
# resolved against the directory of this file.
version = 1

[node]
id = "demo"
# Facts the policies read: the shipped GDPR policy processes personal data
# only in the EU jurisdiction.
region = "eu-central"
jurisdiction = "EU"
site = "demo"

[server]
listen = ["{listen}"]
drain_timeout = "10s"

[tls]
cert = "pki/server.pem"
key = "pki/server.key"
client_ca = "pki/ca.pem"
require_client_cert = true
min_version = "1.2"

[logging]
level = "info"
format = "human"

# The model served on /v1: the tiny random-weight Llama 4 in model/.
[model]
path = "model"
dtype = "f32"
max_batch = 8
queue_depth = 32
default_max_tokens = 64

# The installation license, signed by the demo's development vendor key
# (`palisade license verify license/license.json --public-key ...`).
[license]
file = "license/license.json"
vendor_public_key = "{vendor_key}"

# The Cedar policies (a copy of the shipped set; edit, then
# `palisade policy check policies` and reload with SIGHUP or
# POST /admin/v1/reload).
[policy]
dir = "policies"

# The audit trail, kept in this directory.
[audit]
store = "sqlite:audit/audit.db"
signing_key = "audit/checkpoint.key"
pseudonym_key = "audit/pseudonym.key"
checkpoint_every_records = 100
checkpoint_interval = "30s"

# The demo's own token issuer. `palisade token mint --config THIS_FILE ...`
# signs with jwt/signing.key; the daemon verifies with jwt/jwks.json.
[identity]
require_bound_tokens = false

[[identity.issuers]]
issuer = "palisade-demo"
audiences = ["palisade"]
jwks_file = "jwt/jwks.json"
dev_signing_key = "jwt/signing.key"
"#
    )
}

/// The commands a person runs to call the demo.
pub fn how_to_call(dir: &Path, listen: SocketAddr) -> String {
    let d = dir.display();
    let host = match listen.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        ip => ip.to_string(),
    };
    let base = format!("https://{host}:{}", listen.port());
    let curl =
        format!("curl --cacert {d}/pki/ca.pem --cert {d}/pki/client.pem --key {d}/pki/client.key");
    format!(
        "Palisade demo: {base} (configuration {d}/{CONFIG_FILE})\n\
         Every request needs the demo client certificate:\n\
         \n  {curl} {base}/healthz\n\
         \nand, beyond health checks, a token from the demo issuer:\n\
         \n  TOKEN=$(palisade token mint --config {d}/{CONFIG_FILE} --sub alice --tenant demo --roles inference,metrics)\n\
         \n  {curl} -H \"Authorization: Bearer $TOKEN\" {base}/whoami\n\
         \n  {curl} -H \"Authorization: Bearer $TOKEN\" {base}/metrics\n\
         \nStop it with Ctrl-C; remove {d} to remove the demo.\n"
    )
}
