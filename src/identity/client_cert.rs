//! The verified client certificate of a connection, as handlers and the
//! audit trail see it. rustls has verified the chain by the time this is
//! built; here we only read the leaf (the chain is leaf-first).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use x509_parser::extensions::GeneralName;

/// Who the workload on the other end of the connection is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientCertIdentity {
    /// Subject distinguished name, RFC 4514 style.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, hex with colons.
    pub serial: String,
    /// Subject alternative names: `dns:...`, `ip:...`, `uri:...`, `email:...`.
    pub sans: Vec<String>,
    /// base64url(SHA-256(DER)) without padding: the RFC 8705 `x5t#S256`.
    pub thumbprint_s256: String,
}

/// Bytes that are not a valid X.509 certificate.
#[derive(Debug, Clone, thiserror::Error)]
#[error("not a valid X.509 certificate: {0}")]
pub struct NotACertificate(pub String);

impl ClientCertIdentity {
    /// Reads the identity of a DER leaf certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, NotACertificate> {
        let (_, cert) =
            x509_parser::parse_x509_certificate(der).map_err(|e| NotACertificate(e.to_string()))?;
        let mut sans = Vec::new();
        if let Ok(Some(ext)) = cert.subject_alternative_name() {
            for name in &ext.value.general_names {
                match name {
                    GeneralName::DNSName(d) => sans.push(format!("dns:{d}")),
                    GeneralName::RFC822Name(e) => sans.push(format!("email:{e}")),
                    GeneralName::URI(u) => sans.push(format!("uri:{u}")),
                    GeneralName::IPAddress(bytes) => sans.push(format!("ip:{}", ip_string(bytes))),
                    _ => {}
                }
            }
        }
        Ok(Self {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: cert.raw_serial_as_string(),
            sans,
            thumbprint_s256: thumbprint_s256(der),
        })
    }
}

/// base64url(SHA-256(der)), unpadded, as RFC 8705 `x5t#S256` carries it.
pub fn thumbprint_s256(der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der))
}

fn ip_string(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes)
            .map(|b| std::net::Ipv4Addr::from(b).to_string())
            .unwrap_or_default(),
        16 => <[u8; 16]>::try_from(bytes)
            .map(|b| std::net::Ipv6Addr::from(b).to_string())
            .unwrap_or_default(),
        _ => bytes.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::devpki::{DevCa, Validity};

    #[test]
    fn reads_subject_issuer_sans_serial_and_thumbprint() {
        let v = Validity::days_from(crate::clock::now(), 1);
        let ca = DevCa::new("Unit CA", v).unwrap();
        let server = ca
            .issue_server("svc", &["svc.example"], &["10.0.0.1".parse().unwrap()], v)
            .unwrap();
        let der = rustls_pki_types::pem::PemObject::from_pem_slice(server.cert_pem.as_bytes())
            .map(|c: rustls_pki_types::CertificateDer<'static>| c.as_ref().to_vec())
            .unwrap();
        let id = ClientCertIdentity::from_der(&der).unwrap();
        assert!(id.subject.contains("CN=svc"), "{id:?}");
        assert!(id.issuer.contains("CN=Unit CA"), "{id:?}");
        assert_eq!(id.sans, vec!["dns:svc.example", "ip:10.0.0.1"]);
        assert_eq!(id.thumbprint_s256.len(), 43);
        assert!(!id.serial.is_empty());
    }
}
