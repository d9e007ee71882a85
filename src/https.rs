//! Outbound HTTPS (fetching an IdP's JWKS, pushing audit checkpoints) with
//! reqwest over Palisade's rustls configuration: the server verified
//! against the CA bundle the operator names and nothing else, no
//! redirects, no proxy from the environment, no cookies, a timeout and a
//! cap on the answer. A body cut short (before its length, or without the
//! end of its chunks) is an error, never a shorter answer.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::identity::tls::provider;

/// Largest response body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What went wrong with an outbound request or its configuration.
#[derive(Debug, thiserror::Error)]
pub enum HttpsError {
    /// The URL is not an `https://` URL with a host (or carries
    /// credentials).
    #[error("{url:?} {why}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// The CA bundle cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The bundle.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The CA bundle is not PEM, or holds no usable certificate.
    #[error("{}: {why}", path.display())]
    Bundle {
        /// The bundle.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// The request failed: connecting, TLS, a timeout, or an answer cut
    /// short.
    #[error("{url}: {why}")]
    Request {
        /// The URL.
        url: String,
        /// What happened.
        why: String,
    },
    /// The server answered with a status the caller does not accept.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The answer is larger than [`MAX_BODY_BYTES`].
    #[error("{url}: answer larger than {MAX_BODY_BYTES} bytes")]
    TooLarge {
        /// The URL.
        url: String,
    },
}

/// Parses an `https://host[:port]/path` URL.
pub fn parse_url(url: &str) -> Result<reqwest::Url, HttpsError> {
    let bad = |why: &str| HttpsError::Url {
        url: url.to_owned(),
        why: why.to_owned(),
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(&format!("is not a URL: {e}")))?;
    if parsed.scheme() != "https" {
        return Err(bad("is not an https:// URL"));
    }
    if !parsed.has_host() || parsed.host_str().is_some_and(str::is_empty) {
        return Err(bad("has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("carries credentials, which are not supported"));
    }
    Ok(parsed)
}

/// Reads a PEM CA bundle into a root store.
pub fn load_roots(path: &Path) -> Result<RootCertStore, HttpsError> {
    let bytes = std::fs::read(path).map_err(|source| HttpsError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bundle = |why: String| HttpsError::Bundle {
        path: path.to_path_buf(),
        why,
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| bundle(format!("not a valid PEM bundle: {e}")))?;
        // System bundles hold a few certificates webpki cannot use; skip those.
        let _ = roots.add(cert);
    }
    if roots.is_empty() {
        return Err(bundle("no usable CA certificate".to_owned()));
    }
    Ok(roots)
}

/// `GET url`, verifying the server against `roots`; returns the body of a
/// 200 answer.
pub async fn fetch(
    url: &str,
    roots: Arc<RootCertStore>,
    timeout: Duration,
) -> Result<Vec<u8>, HttpsError> {
    match request("GET", url, None, &[], roots, timeout).await? {
        (200, body) => Ok(body),
        (status, _) => Err(HttpsError::Status {
            url: url.to_owned(),
            status,
        }),
    }
}

/// One request (`GET` or `POST`); returns the status and body.
pub async fn request(
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: &[u8],
    roots: Arc<RootCertStore>,
    timeout: Duration,
) -> Result<(u16, Vec<u8>), HttpsError> {
    let failed = |why: String| HttpsError::Request {
        url: url.to_owned(),
        why,
    };
    let parsed = parse_url(url)?;
    let tls = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .https_only(true)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| failed(format!("{method:?} is not an HTTP method")))?;
    let mut builder = client
        .request(method, parsed)
        .header(reqwest::header::ACCEPT, "application/json");
    if let Some(ct) = content_type {
        builder = builder.header(reqwest::header::CONTENT_TYPE, ct);
    }
    let mut response = builder
        .body(body.to_vec())
        .send()
        .await
        .map_err(|e| failed(describe(&e)))?;
    let status = response.status().as_u16();
    let too_large = || HttpsError::TooLarge {
        url: url.to_owned(),
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut answer = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| failed(describe(&e)))? {
        if answer.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        answer.extend_from_slice(&chunk);
    }
    Ok((status, answer))
}

/// A reqwest error with its causes, which say what actually failed (the
/// TLS alert, the refused connection).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::devpki::{DevCa, Validity};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn only_https_urls_with_a_host_and_no_credentials() {
        let u = parse_url("https://idp.example:8443/realms/a/certs?x=1").unwrap();
        assert_eq!(u.host_str(), Some("idp.example"));
        assert_eq!(u.port_or_known_default(), Some(8443));
        let v6 = parse_url("https://[::1]/").unwrap();
        assert_eq!(v6.port_or_known_default(), Some(443));
        for bad in [
            "http://idp.example/certs",
            "https://",
            "https://user:pw@idp.example/",
            "https://idp.example:99999/",
            "idp.example/certs",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
        let e = parse_url("http://plain.example/jwks").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"http://plain.example/jwks\" is not an https:// URL"
        );
    }

    /// An HTTPS server for 127.0.0.1 that answers one request with
    /// `answer`, then closes: cleanly (close_notify) or not. Returns its
    /// URL and the roots that trust it.
    async fn serve_once(answer: Vec<u8>, clean: bool) -> (String, Arc<RootCertStore>) {
        let now = crate::clock::now();
        let ca = DevCa::new("test CA", Validity::days_from(now, 1)).unwrap();
        let server = ca
            .issue_server(
                "localhost",
                &["localhost"],
                &["127.0.0.1".parse().unwrap()],
                Validity::days_from(now, 1),
            )
            .unwrap();
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(server.cert_pem.as_bytes()).unwrap()],
                rustls_pki_types::PrivateKeyDer::from_pem_slice(server.key_pem.as_bytes()).unwrap(),
            )
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://{}/jwks", listener.local_addr().unwrap());
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = acceptor.accept(tcp).await.unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && tls.read(&mut byte).await.unwrap() == 1 {
                head.push(byte[0]);
            }
            tls.write_all(&answer).await.unwrap();
            tls.flush().await.unwrap();
            if clean {
                let _ = tls.shutdown().await;
            }
            // Dropped: without close_notify unless shut down above.
        });
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(ca.cert_pem().as_bytes()).unwrap())
            .unwrap();
        (url, Arc::new(roots))
    }

    fn get(answer: &[u8], clean: bool) -> Result<(u16, Vec<u8>), HttpsError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (url, roots) = serve_once(answer.to_vec(), clean).await;
            request("GET", &url, None, &[], roots, Duration::from_secs(5)).await
        })
    }

    #[test]
    fn answers_are_read_whole_and_a_cut_answer_is_an_error() {
        let whole = get(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n{\"a\"", true);
        assert_eq!(whole.unwrap(), (200, b"{\"a\"".to_vec()));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
        assert_eq!(get(chunked, false).unwrap(), (200, b"{}".to_vec()));
        // Cut before the length, or before the last chunk, and no
        // close_notify: not a shorter answer.
        let cut = get(
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"keys\": [",
            false,
        );
        assert!(matches!(cut, Err(HttpsError::Request { .. })), "{cut:?}");
        let cut = get(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n",
            false,
        );
        assert!(matches!(cut, Err(HttpsError::Request { .. })), "{cut:?}");
        // Redirects are not followed.
        let moved = get(b"HTTP/1.1 302 Found\r\nLocation: https://elsewhere.example/\r\nContent-Length: 0\r\n\r\n", true);
        assert_eq!(moved.unwrap().0, 302);
        // Over the cap.
        let mut big = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY_BYTES + 1
        )
        .into_bytes();
        big.resize(big.len() + MAX_BODY_BYTES + 1, b' ');
        assert!(matches!(get(&big, true), Err(HttpsError::TooLarge { .. })));
    }

    #[test]
    fn a_server_the_roots_do_not_trust_is_refused() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let result = rt.block_on(async {
            let (url, _) = serve_once(b"HTTP/1.1 200 OK\r\n\r\n".to_vec(), true).await;
            let (_, other) = serve_once(Vec::new(), true).await;
            fetch(&url, other, Duration::from_secs(5)).await
        });
        let e = result.unwrap_err().to_string();
        assert!(
            e.contains("certificate") || e.contains("UnknownIssuer"),
            "{e}"
        );
    }
}
