//! A development PKI: one CA that issues a server certificate (SAN
//! localhost, 127.0.0.1, ::1) and client certificates. For demos and tests
//! only; production certificates come from the customer's own CA.

use std::net::IpAddr;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType, SerialNumber,
};
use time::OffsetDateTime;

/// What can go wrong while making or writing development certificates.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// The certificate library refused the parameters.
    #[error("cannot generate a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// The system random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A certificate with its private key, both PEM.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The certificate, PEM.
    pub cert_pem: String,
    /// Its private key, PKCS#8 PEM.
    pub key_pem: String,
    /// Its serial number (big-endian bytes), for revocation.
    pub serial: Vec<u8>,
}

/// A certificate authority that can issue server and client certificates.
pub struct DevCa {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
    key_pem: String,
}

/// Validity period of a certificate.
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    /// Not valid before.
    pub not_before: OffsetDateTime,
    /// Not valid after.
    pub not_after: OffsetDateTime,
}

impl Validity {
    /// From `now` (less an hour of clock-skew allowance) for `days` days.
    pub fn days_from(now: OffsetDateTime, days: i64) -> Self {
        Self {
            not_before: now - time::Duration::hours(1),
            not_after: now + time::Duration::days(days),
        }
    }
}

fn serial() -> Result<SerialNumber, PkiError> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| PkiError::Random)?;
    // A positive integer of at most 20 octets (RFC 5280 4.1.2.2).
    bytes[0] &= 0x7f;
    Ok(SerialNumber::from_slice(&bytes))
}

fn base_params(common_name: &str, validity: Validity) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Palisade development PKI");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.not_before = validity.not_before;
    params.not_after = validity.not_after;
    params.serial_number = Some(serial()?);
    params.use_authority_key_identifier_extension = true;
    Ok(params)
}

impl DevCa {
    /// A new self-signed CA named `common_name`.
    pub fn new(common_name: &str, validity: Validity) -> Result<Self, PkiError> {
        let key = KeyPair::generate()?;
        let mut params = base_params(common_name, validity)?;
        params.use_authority_key_identifier_extension = false;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key)?;
        let key_pem = key.serialize_pem();
        Ok(Self {
            cert_pem: cert.pem(),
            key_pem,
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// A server certificate for `dns_names` and `ips`.
    pub fn issue_server(
        &self,
        common_name: &str,
        dns_names: &[&str],
        ips: &[IpAddr],
        validity: Validity,
    ) -> Result<Issued, PkiError> {
        let mut params = base_params(common_name, validity)?;
        for name in dns_names {
            params
                .subject_alt_names
                .push(SanType::DnsName((*name).try_into()?));
        }
        params
            .subject_alt_names
            .extend(ips.iter().map(|ip| SanType::IpAddress(*ip)));
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.issue(params)
    }

    /// A client certificate with the given common name.
    pub fn issue_client(&self, common_name: &str, validity: Validity) -> Result<Issued, PkiError> {
        let mut params = base_params(common_name, validity)?;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params)
    }

    fn issue(&self, params: CertificateParams) -> Result<Issued, PkiError> {
        let key = KeyPair::generate()?;
        let serial = params
            .serial_number
            .as_ref()
            .map(SerialNumber::to_bytes)
            .unwrap_or_default();
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            serial,
        })
    }

    /// A CRL (PEM) revoking the certificates with these serials, valid
    /// from `validity.not_before` until its `nextUpdate` at `validity.not_after`.
    pub fn crl(&self, revoked_serials: &[&[u8]], validity: Validity) -> Result<String, PkiError> {
        let params = rcgen::CertificateRevocationListParams {
            this_update: validity.not_before,
            next_update: validity.not_after,
            crl_number: serial()?,
            issuing_distribution_point: None,
            revoked_certs: revoked_serials
                .iter()
                .map(|s| rcgen::RevokedCertParams {
                    serial_number: SerialNumber::from_slice(s),
                    revocation_time: validity.not_before,
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        Ok(params.signed_by(&self.issuer)?.pem()?)
    }
}

/// The files `palisade pki init` writes, relative to its directory.
pub const PKI_FILES: [&str; 7] = [
    "ca.pem",
    "ca.key",
    "server.pem",
    "server.key",
    "client.pem",
    "client.key",
    "README.txt",
];

/// Writes a development CA, a server certificate for the local host and a
/// client certificate (CN=demo-client) into `dir`, refusing to overwrite
/// anything. Returns the paths written.
pub fn init(dir: &Path, now: OffsetDateTime) -> Result<Vec<PathBuf>, PkiError> {
    let validity = Validity::days_from(now, 365);
    let ca = DevCa::new("Palisade development CA", validity)?;
    let server = ca.issue_server(
        "localhost",
        &["localhost"],
        &[
            IpAddr::from([127, 0, 0, 1]),
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ],
        validity,
    )?;
    let client = ca.issue_client("demo-client", validity)?;
    let readme = "Development PKI written by `palisade pki init`. NOT FOR PRODUCTION.\n\
        ca.pem/ca.key: the CA that issued both certificates below (keep ca.key private).\n\
        server.pem/server.key: server certificate for localhost, 127.0.0.1 and ::1.\n\
        client.pem/client.key: client certificate, CN=demo-client.\n";
    let files: [(&str, &str, u32); 7] = [
        ("ca.pem", ca.cert_pem(), 0o644),
        ("ca.key", ca.key_pem(), 0o600),
        ("server.pem", &server.cert_pem, 0o644),
        ("server.key", &server.key_pem, 0o600),
        ("client.pem", &client.cert_pem, 0o644),
        ("client.key", &client.key_pem, 0o600),
        ("README.txt", readme, 0o644),
    ];
    create_dir(dir)?;
    let mut written = Vec::new();
    for (name, contents, mode) in files {
        let path = dir.join(name);
        write_new(&path, contents.as_bytes(), mode)?;
        written.push(path);
    }
    Ok(written)
}

/// Creates `dir` (and parents) with mode 0700 if it does not exist.
pub fn create_dir(dir: &Path) -> Result<(), PkiError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| PkiError::Write {
            path: dir.to_path_buf(),
            source,
        })
}

/// Writes a new file with `mode`; an existing file is an error, never
/// overwritten.
pub fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), PkiError> {
    crate::audit::keys::write_new(path, contents, mode).map_err(|source| PkiError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_writes_private_keys_private_and_refuses_to_overwrite() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let pki = dir.path().join("pki");
        let written = init(&pki, crate::clock::now()).unwrap();
        assert_eq!(written.len(), PKI_FILES.len());
        let mode = std::fs::metadata(pki.join("server.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let err = init(&pki, crate::clock::now()).unwrap_err();
        assert!(err.to_string().contains("ca.pem"), "{err}");
    }
}
