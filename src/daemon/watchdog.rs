//! The systemd watchdog. `WATCHDOG=1` is sent only after a self-probe
//! proves the serving path works: a TCP connection to our own HTTPS
//! listener is accepted by an HTTP worker, which answers the TLS
//! ClientHello with the certificate currently configured. A wedged accept
//! loop, a dead worker pool or a broken TLS setup all stop the pings, and
//! systemd restarts the unit.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};

use crate::identity::tls::provider;

/// Where to reach a listener from inside the host.
pub fn probe_address(bound: SocketAddr) -> SocketAddr {
    let ip = match bound.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, bound.port())
}

/// Why the watchdog's probe of our own listener failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The probe's TLS client could not be configured.
    #[error("probe TLS configuration: {0}")]
    Config(rustls::Error),
    /// Nothing accepted the connection.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// The listener.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The handshake did not get as far as the server's certificate in time.
    #[error("no TLS answer from {addr} within {timeout:?}")]
    Timeout {
        /// The listener.
        addr: SocketAddr,
        /// How long the probe waited.
        timeout: Duration,
    },
    /// Another certificate answered.
    #[error("{0} did not present the configured server certificate")]
    OtherCertificate(SocketAddr),
}

/// Connects to `addr` and checks that the server presents `expected` as
/// its certificate within `timeout`.
pub async fn probe(
    addr: SocketAddr,
    expected: CertificateDer<'static>,
    timeout: Duration,
) -> Result<(), ProbeError> {
    let verifier = Arc::new(ExpectCertificate {
        expected,
        seen: AtomicBool::new(false),
        provider: provider(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(ProbeError::Config)?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|source| ProbeError::Connect { addr, source })?;
        let name = ServerName::IpAddress(addr.ip().into());
        // The server refuses the handshake when it requires a client
        // certificate; by then it has shown its own, which is the proof.
        let _ = connector.connect(name, tcp).await;
        Ok::<(), ProbeError>(())
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .map_err(|_| ProbeError::Timeout { addr, timeout })??;
    if verifier.seen.load(Ordering::SeqCst) {
        Ok(())
    } else {
        Err(ProbeError::OtherCertificate(addr))
    }
}

#[derive(Debug)]
struct ExpectCertificate {
    expected: CertificateDer<'static>,
    seen: AtomicBool,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for ExpectCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            self.seen.store(true, Ordering::SeqCst);
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "not the configured server certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
