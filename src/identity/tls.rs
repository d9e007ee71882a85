//! The server side of mutual TLS: loading the server certificate and the
//! client CA bundle, checking them the way an operator needs them checked,
//! and swapping them on reload without touching live connections.
//!
//! rustls asks a certificate resolver and a client-certificate verifier on
//! every handshake, so both are held behind locks that a reload replaces:
//! connections already established keep the session they negotiated, new
//! handshakes see the new material.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use prometheus_client::metrics::counter::Counter;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{
    DigitallySignedStruct, DistinguishedName, RootCertStore, ServerConfig, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer, UnixTime};

use crate::config::{TlsConfig, TlsVersion};

/// One problem with the TLS material, tied to the config key that names the
/// file, so `config check` can say where to look.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TlsError {
    /// The config key, e.g. `tls.cert`.
    pub key: &'static str,
    /// What is wrong, naming the file.
    pub message: String,
}

impl TlsError {
    fn new(key: &'static str, message: impl Into<String>) -> Self {
        Self {
            key,
            message: message.into(),
        }
    }
}

/// The crypto provider every TLS object in Palisade uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Facts about a certificate that operators and tests look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// Subject distinguished name, RFC 4514 style.
    pub subject: String,
    /// Start of validity, seconds since the Unix epoch.
    pub not_before: i64,
    /// End of validity, seconds since the Unix epoch.
    pub not_after: i64,
}

impl CertificateFacts {
    /// Reads the facts out of a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, crate::identity::client_cert::NotACertificate> {
        let (_, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| crate::identity::client_cert::NotACertificate(e.to_string()))?;
        Ok(Self {
            subject: cert.subject().to_string(),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
        })
    }

    /// When validity ends, as an RFC 3339 UTC timestamp.
    pub fn not_after_rfc3339(&self) -> String {
        rfc3339(self.not_after)
    }

    fn check_validity(
        &self,
        key: &'static str,
        what: &str,
        now: SystemTime,
    ) -> Result<(), TlsError> {
        let now = unix_seconds(now);
        if now > self.not_after {
            return Err(TlsError::new(
                key,
                format!(
                    "{what} ({}) expired on {}",
                    self.subject,
                    rfc3339(self.not_after)
                ),
            ));
        }
        if now < self.not_before {
            return Err(TlsError::new(
                key,
                format!(
                    "{what} ({}) is not valid before {}; check the system clock",
                    self.subject,
                    rfc3339(self.not_before)
                ),
            ));
        }
        Ok(())
    }
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{unix} (seconds since 1970)"))
}

/// Everything the server needs for TLS, loaded and checked.
#[derive(Clone)]
pub struct TlsMaterial {
    certified_key: Arc<CertifiedKey>,
    client_verifier: Arc<dyn ClientCertVerifier>,
    /// The server certificate's facts.
    pub server_cert: CertificateFacts,
    /// How many CA certificates client certificates may chain to.
    pub client_ca_count: usize,
}

impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("server_cert", &self.server_cert)
            .field("client_ca_count", &self.client_ca_count)
            .finish_non_exhaustive()
    }
}

impl TlsMaterial {
    /// Loads and checks the files `cfg` names, as of `now`. Every problem
    /// found is returned, not just the first.
    pub fn load(cfg: &TlsConfig, now: SystemTime) -> Result<Self, Vec<TlsError>> {
        let provider = provider();
        let mut errors = Vec::new();

        let chain = read_certs("tls.cert", &cfg.cert)
            .and_then(|chain| {
                let leaf = chain.first().ok_or_else(|| {
                    TlsError::new(
                        "tls.cert",
                        format!("{}: no certificate in the file", cfg.cert.display()),
                    )
                })?;
                let facts = CertificateFacts::from_der(leaf).map_err(|e| {
                    TlsError::new("tls.cert", format!("{}: {e}", cfg.cert.display()))
                })?;
                facts.check_validity(
                    "tls.cert",
                    &format!("server certificate {}", cfg.cert.display()),
                    now,
                )?;
                Ok((chain, facts))
            })
            .map_err(|e| errors.push(e))
            .ok();
        let key = read_key(&cfg.key)
            .and_then(|der| {
                provider.key_provider.load_private_key(der).map_err(|e| {
                    TlsError::new(
                        "tls.key",
                        format!("{}: unusable private key: {e}", cfg.key.display()),
                    )
                })
            })
            .map_err(|e| errors.push(e))
            .ok();
        let certified_key = match (chain, key) {
            (Some((chain, facts)), Some(key)) => {
                let ck = CertifiedKey::new(chain, key);
                match ck.keys_match() {
                    Ok(()) => Some((Arc::new(ck), facts)),
                    Err(_) => {
                        errors.push(TlsError::new(
                            "tls.key",
                            format!(
                                "the private key in {} does not belong to the certificate in {}",
                                cfg.key.display(),
                                cfg.cert.display()
                            ),
                        ));
                        None
                    }
                }
            }
            _ => None,
        };

        let verifier = client_verifier(cfg, &provider, now)
            .map_err(|e| errors.push(e))
            .ok();

        match (certified_key, verifier) {
            (Some((certified_key, server_cert)), Some((client_verifier, client_ca_count)))
                if errors.is_empty() =>
            {
                Ok(Self {
                    certified_key,
                    client_verifier,
                    server_cert,
                    client_ca_count,
                })
            }
            _ => Err(errors),
        }
    }

    /// The server certificate chain, leaf first.
    pub fn certificate_chain(&self) -> &[CertificateDer<'static>] {
        &self.certified_key.cert
    }
}

fn client_verifier(
    cfg: &TlsConfig,
    provider: &Arc<CryptoProvider>,
    now: SystemTime,
) -> Result<(Arc<dyn ClientCertVerifier>, usize), TlsError> {
    let Some(ca_path) = &cfg.client_ca else {
        if cfg.require_client_cert {
            return Err(TlsError::new(
                "tls.client_ca",
                "client certificates are required but no client CA bundle is configured",
            ));
        }
        return Ok((WebPkiClientVerifier::no_client_auth(), 0));
    };
    let cas = read_certs("tls.client_ca", ca_path)?;
    let mut roots = RootCertStore::empty();
    for (i, ca) in cas.iter().enumerate() {
        let what = format!("CA certificate #{} in {}", i + 1, ca_path.display());
        let facts = CertificateFacts::from_der(ca)
            .map_err(|e| TlsError::new("tls.client_ca", format!("{what}: {e}")))?;
        facts.check_validity("tls.client_ca", &what, now)?;
        roots.add(ca.clone()).map_err(|e| {
            TlsError::new(
                "tls.client_ca",
                format!("{what} cannot be a trust anchor: {e}"),
            )
        })?;
    }
    let crls = read_crls(cfg, &cas, now)?;
    let mut builder =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    if !crls.is_empty() {
        builder = builder.with_crls(crls);
        if !cfg.allow_expired_crls {
            builder = builder.enforce_revocation_expiration();
        }
    }
    let builder = if cfg.require_client_cert {
        builder
    } else {
        builder.allow_unauthenticated()
    };
    let verifier = builder
        .build()
        .map_err(|e| TlsError::new("tls.client_ca", format!("{}: {e}", ca_path.display())))?;
    Ok((verifier, cas.len()))
}

/// Reads the CRLs, checking each is issued and signed by a configured CA,
/// carries the CRL number rustls requires and, unless allowed, is not past
/// its `nextUpdate`: a forged or malformed CRL is refused at load and by
/// `config check`, not discovered when it locks every client out.
fn read_crls(
    cfg: &TlsConfig,
    cas: &[CertificateDer<'static>],
    now: SystemTime,
) -> Result<Vec<CertificateRevocationListDer<'static>>, TlsError> {
    let parsed_cas: Vec<x509_parser::certificate::X509Certificate<'_>> = cas
        .iter()
        .filter_map(|c| x509_parser::parse_x509_certificate(c).ok())
        .map(|(_, c)| c)
        .collect();
    let mut out = Vec::new();
    for path in &cfg.crls {
        let bytes = std::fs::read(path).map_err(|e| {
            TlsError::new("tls.crls", format!("cannot read {}: {e}", path.display()))
        })?;
        let crls: Vec<CertificateRevocationListDer<'static>> = if bytes.starts_with(b"-----") {
            CertificateRevocationListDer::pem_slice_iter(&bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| {
                    TlsError::new(
                        "tls.crls",
                        format!("{}: not a valid PEM CRL file: {e}", path.display()),
                    )
                })?
        } else {
            vec![CertificateRevocationListDer::from(bytes)]
        };
        if crls.is_empty() {
            return Err(TlsError::new(
                "tls.crls",
                format!(
                    "{}: no CRL (-----BEGIN X509 CRL-----) in the file",
                    path.display()
                ),
            ));
        }
        for crl in crls {
            let (_, parsed) = x509_parser::parse_x509_crl(&crl).map_err(|e| {
                TlsError::new(
                    "tls.crls",
                    format!("{}: not a valid CRL: {e}", path.display()),
                )
            })?;
            let issuer = parsed.issuer().to_string();
            let issuers: Vec<_> = parsed_cas
                .iter()
                .filter(|c| c.subject() == parsed.issuer())
                .collect();
            if issuers.is_empty() {
                return Err(TlsError::new(
                    "tls.crls",
                    format!(
                        "{}: issued by {issuer}, which is not a CA in tls.client_ca",
                        path.display()
                    ),
                ));
            }
            let verdicts: Vec<Result<(), String>> = issuers
                .iter()
                .map(|ca| crl_signature(&parsed, ca))
                .collect();
            if !verdicts.iter().any(Result::is_ok) {
                let why: Vec<String> = verdicts.into_iter().filter_map(Result::err).collect();
                return Err(TlsError::new(
                    "tls.crls",
                    format!(
                        "{}: the CRL's signature does not verify with the key of {issuer} in tls.client_ca ({}); it was not issued by that CA or was altered",
                        path.display(),
                        why.join("; ")
                    ),
                ));
            }
            if parsed.crl_number().is_none() {
                return Err(TlsError::new(
                    "tls.crls",
                    format!(
                        "{}: the CRL of {issuer} has no CRL number extension, which RFC 5280 requires and rustls will not load without; reissue it (e.g. `openssl ca -gencrl` with a crlnumber file)",
                        path.display()
                    ),
                ));
            }
            if let Some(next) = parsed.next_update()
                && next.timestamp() < unix_seconds(now)
                && !cfg.allow_expired_crls
            {
                return Err(TlsError::new(
                    "tls.crls",
                    format!(
                        "{}: the CRL of {issuer} expired on {} (nextUpdate); publish a fresh one or set tls.allow_expired_crls",
                        path.display(),
                        rfc3339(next.timestamp())
                    ),
                ));
            }
            out.push(crl);
        }
    }
    Ok(out)
}

/// Checks the CRL's signature against `ca`'s public key (aws-lc-rs, the
/// provider rustls uses; webpki keeps its own check private).
fn crl_signature(
    crl: &x509_parser::revocation_list::CertificateRevocationList<'_>,
    ca: &x509_parser::certificate::X509Certificate<'_>,
) -> Result<(), String> {
    use aws_lc_rs::signature as sig;
    const P256: &str = "1.2.840.10045.3.1.7";
    const P384: &str = "1.3.132.0.34";
    let spki = ca.public_key();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    let algorithm = crl.signature_algorithm.algorithm.to_id_string();
    let verifier: &dyn sig::VerificationAlgorithm = match (algorithm.as_str(), curve.as_deref()) {
        ("1.2.840.10045.4.3.2", Some(P256)) => &sig::ECDSA_P256_SHA256_ASN1,
        ("1.2.840.10045.4.3.3", Some(P256)) => &sig::ECDSA_P256_SHA384_ASN1,
        ("1.2.840.10045.4.3.2", Some(P384)) => &sig::ECDSA_P384_SHA256_ASN1,
        ("1.2.840.10045.4.3.3", Some(P384)) => &sig::ECDSA_P384_SHA384_ASN1,
        ("1.2.840.113549.1.1.11", _) => &sig::RSA_PKCS1_2048_8192_SHA256,
        ("1.2.840.113549.1.1.12", _) => &sig::RSA_PKCS1_2048_8192_SHA384,
        ("1.2.840.113549.1.1.13", _) => &sig::RSA_PKCS1_2048_8192_SHA512,
        ("1.3.101.112", _) => &sig::ED25519,
        (other, _) => {
            return Err(format!(
                "signature algorithm {other} with this CA's key is not supported"
            ));
        }
    };
    sig::UnparsedPublicKey::new(verifier, &spki.subject_public_key.data)
        .verify(crl.tbs_cert_list.as_ref(), &crl.signature_value.data)
        .map_err(|_| "bad signature".to_owned())
}

fn read_certs(key: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = std::fs::read(path)
        .map_err(|e| TlsError::new(key, format!("cannot read {}: {e}", path.display())))?;
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&bytes).collect();
    let certs = certs.map_err(|e| {
        TlsError::new(
            key,
            format!("{}: not a valid PEM certificate file: {e}", path.display()),
        )
    })?;
    if certs.is_empty() {
        return Err(TlsError::new(
            key,
            format!(
                "{}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file",
                path.display()
            ),
        ));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = std::fs::read(path)
        .map_err(|e| TlsError::new("tls.key", format!("cannot read {}: {e}", path.display())))?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => TlsError::new(
            "tls.key",
            format!(
                "{}: no PEM private key (PKCS#8, SEC1 or PKCS#1) in the file",
                path.display()
            ),
        ),
        other => TlsError::new(
            "tls.key",
            format!("{}: not a valid PEM private key: {other}", path.display()),
        ),
    })
}

/// The TLS state the running server uses; [`TlsState::replace`] swaps it.
#[derive(Debug, Clone)]
pub struct TlsState {
    resolver: Arc<SwappableCert>,
    verifier: Arc<SwappableVerifier>,
    material: Arc<RwLock<TlsMaterial>>,
}

impl TlsState {
    /// Wraps loaded material; `rejections` counts refused client certificates.
    pub fn new(material: TlsMaterial, rejections: Counter) -> Self {
        Self {
            resolver: Arc::new(SwappableCert(RwLock::new(material.certified_key.clone()))),
            verifier: Arc::new(SwappableVerifier {
                inner: RwLock::new(material.client_verifier.clone()),
                rejections,
            }),
            material: Arc::new(RwLock::new(material)),
        }
    }

    /// A rustls server configuration whose certificate and client
    /// verification follow this state across reloads.
    pub fn server_config(&self, min_version: TlsVersion) -> Result<ServerConfig, rustls::Error> {
        let versions: &[&rustls::SupportedProtocolVersion] = match min_version {
            TlsVersion::Tls12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
            TlsVersion::Tls13 => &[&rustls::version::TLS13],
        };
        let config = ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(versions)?
            .with_client_cert_verifier(self.verifier.clone())
            .with_cert_resolver(self.resolver.clone());
        Ok(config)
    }

    /// Installs new material for every handshake from now on.
    pub fn replace(&self, material: TlsMaterial) {
        *write(&self.resolver.0) = material.certified_key.clone();
        *write(&self.verifier.inner) = material.client_verifier.clone();
        *write(&self.material) = material;
    }

    /// The material in use now.
    pub fn current(&self) -> TlsMaterial {
        read(&self.material).clone()
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // A writer that panicked left a whole value behind (assignments only).
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Debug)]
struct SwappableCert(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for SwappableCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(read(&self.0).clone())
    }
}

struct SwappableVerifier {
    inner: RwLock<Arc<dyn ClientCertVerifier>>,
    rejections: Counter,
}

impl fmt::Debug for SwappableVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SwappableVerifier").finish_non_exhaustive()
    }
}

impl SwappableVerifier {
    fn current(&self) -> Arc<dyn ClientCertVerifier> {
        read(&self.inner).clone()
    }
}

impl ClientCertVerifier for SwappableVerifier {
    fn offer_client_auth(&self) -> bool {
        self.current().offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.current().client_auth_mandatory()
    }

    /// The CA names are not sent: rustls wants a slice borrowed from the
    /// verifier, which a reloadable verifier cannot lend. The hint is
    /// optional (RFC 8446 4.2.4); clients with one configured certificate
    /// (curl, the OpenAI SDKs, rustls, OpenSSL) present it regardless.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let result = self
            .current()
            .verify_client_cert(end_entity, intermediates, now);
        if let Err(e) = &result {
            self.rejections.inc();
            let subject = CertificateFacts::from_der(end_entity)
                .map(|f| f.subject)
                .unwrap_or_else(|_| "unparseable certificate".to_owned());
            tracing::warn!(error = %e, %subject, "client certificate rejected");
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.current().verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.current().verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.current().supported_verify_schemes()
    }
}

/// How long before expiry `config check` starts warning.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 24 * 3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            unix_seconds(SystemTime::UNIX_EPOCH + Duration::from_secs(5)),
            5
        );
    }
}
