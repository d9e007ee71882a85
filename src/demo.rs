//! `palisade demo init`: a complete, secure setup in one directory, so that
//! removing the directory removes the demo. Layout (INTERFACES.md):
//!
//! ```text
//! DIR/palisade.toml    the configuration, paths relative to DIR
//! DIR/pki/             development CA, server and client certificates
//! DIR/jwt/signing.key  ES256 PKCS#8 key of the demo token issuer
//! DIR/jwt/jwks.json    its public JWKS
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use time::OffsetDateTime;

use crate::identity::devpki::{self, PkiError};

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
    /// The directory cannot be read.
    #[error("cannot read {path}: {source}")]
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
    Key(#[from] rcgen::Error),
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

/// Writes the demo into `dir` (which must be new or empty).
pub fn init(dir: &Path, listen: SocketAddr, now: OffsetDateTime) -> Result<(), DemoError> {
    if !is_empty_dir(dir)? {
        return Err(DemoError::NotEmpty(dir.to_path_buf()));
    }
    devpki::create_dir(dir)?;
    devpki::init(&dir.join("pki"), now)?;
    write_jwt_keys(&dir.join("jwt"))?;
    devpki::write_new(
        &dir.join(CONFIG_FILE),
        demo_config(listen).as_bytes(),
        0o600,
    )?;
    Ok(())
}

fn write_jwt_keys(dir: &Path) -> Result<(), DemoError> {
    let key = rcgen::KeyPair::generate()?;
    // An uncompressed P-256 point: 0x04, then x and y, 32 bytes each.
    let raw = key.public_key_raw();
    let (x, y) = match raw {
        [0x04, rest @ ..] if rest.len() == 64 => rest.split_at(32),
        _ => return Err(DemoError::Key(rcgen::Error::KeyGenerationUnavailable)),
    };
    let (x, y) = (URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
    // RFC 7638 thumbprint: SHA-256 over the required members in
    // lexicographic order, no whitespace.
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        canonical.as_bytes(),
    ));
    let jwks = json!({"keys": [{
        "kty": "EC", "crv": "P-256", "x": x, "y": y,
        "kid": kid, "alg": "ES256", "use": "sig"
    }]});
    devpki::create_dir(dir)?;
    devpki::write_new(
        &dir.join("signing.key"),
        key.serialize_pem().as_bytes(),
        0o600,
    )?;
    let pretty = serde_json::to_string_pretty(&jwks).unwrap_or_else(|_| jwks.to_string());
    devpki::write_new(
        &dir.join("jwks.json"),
        format!("{pretty}\n").as_bytes(),
        0o644,
    )?;
    Ok(())
}

fn demo_config(listen: SocketAddr) -> String {
    format!(
        r#"# Palisade demo configuration, written by `palisade demo init`.
# Every key is documented in docs/configuration.md. Relative paths are
# resolved against the directory of this file.
version = 1

[node]
id = "demo"

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
    format!(
        "Palisade demo: {base} (configuration {d}/{CONFIG_FILE})\n\
         Every request needs the demo client certificate:\n\
         \n  curl --cacert {d}/pki/ca.pem --cert {d}/pki/client.pem --key {d}/pki/client.key {base}/healthz\n\
         \n  curl --cacert {d}/pki/ca.pem --cert {d}/pki/client.pem --key {d}/pki/client.key {base}/readyz\n\
         \nStop it with Ctrl-C; remove {d} to remove the demo.\n"
    )
}
