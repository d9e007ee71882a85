//! Outbound HTTPS, kept to what the daemon needs (fetching an IdP's JWKS,
//! pushing audit checkpoints): one request per connection, HTTP/1.1, the
//! server verified against the CA bundle the operator names, no redirects,
//! no cookies, a size cap, rather than pulling a general HTTP client in.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::identity::tls::provider;

/// Largest response body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The parts of an `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpsUrl {
    /// Host name or IP address (without brackets).
    pub host: String,
    /// Port (443 by default).
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl HttpsUrl {
    /// Parses an `https://host[:port]/path` URL.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("https://")
            .ok_or_else(|| format!("{url:?} is not an https:// URL"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(format!("{url:?}: credentials in the URL are not supported"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("{url:?}: unclosed [ in the host"))?;
            let port = after.strip_prefix(':');
            (h.to_owned(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (authority.to_owned(), None),
            }
        };
        let port = match port {
            None => 443,
            Some(p) => p.parse().map_err(|_| format!("{url:?}: bad port {p:?}"))?,
        };
        if host.is_empty() {
            return Err(format!("{url:?}: no host"));
        }
        Ok(Self {
            host,
            port,
            path: path.to_owned(),
        })
    }
}

/// Reads a PEM CA bundle into a root store.
pub fn load_roots(path: &Path) -> Result<RootCertStore, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| format!("{}: not a valid PEM bundle: {e}", path.display()))?;
        // System bundles hold a few certificates webpki cannot use; skip those.
        let _ = roots.add(cert);
    }
    if roots.is_empty() {
        return Err(format!("{}: no usable CA certificate", path.display()));
    }
    Ok(roots)
}

/// `GET url`, verifying the server against `roots`; returns the body of a
/// 200 answer.
pub async fn fetch(
    url: &str,
    roots: Arc<RootCertStore>,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    match request("GET", url, None, &[], roots, timeout).await? {
        (200, body) => Ok(body),
        (status, _) => Err(format!("{url}: HTTP status {status}")),
    }
}

/// One request; returns the status and body.
pub async fn request(
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: &[u8],
    roots: Arc<RootCertStore>,
    timeout: Duration,
) -> Result<(u16, Vec<u8>), String> {
    let parsed = HttpsUrl::parse(url)?;
    tokio::time::timeout(
        timeout,
        request_inner(method, &parsed, content_type, body, roots),
    )
    .await
    .map_err(|_| format!("{url}: no answer within {timeout:?}"))?
    .map_err(|e| format!("{url}: {e}"))
}

async fn request_inner(
    method: &str,
    url: &HttpsUrl,
    content_type: Option<&str>,
    body: &[u8],
    roots: Arc<RootCertStore>,
) -> Result<(u16, Vec<u8>), String> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(url.host.clone()).map_err(|e| format!("bad host name: {e}"))?;
    let tcp = tokio::net::TcpStream::connect((url.host.as_str(), url.port))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    let host_header = if url.host.contains(':') {
        format!("[{}]:{}", url.host, url.port)
    } else {
        format!("{}:{}", url.host, url.port)
    };
    let mut head = format!(
        "{method} {} HTTP/1.1\r\nHost: {host_header}\r\nAccept: application/json\r\nUser-Agent: palisade/{}\r\nConnection: close\r\n",
        url.path,
        env!("CARGO_PKG_VERSION")
    );
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if method != "GET" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    tls.write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    tls.write_all(body).await.map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match tls.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => {
                raw.extend_from_slice(chunk.get(..n).unwrap_or_default());
                if raw.len() > MAX_BODY_BYTES + 16 * 1024 {
                    return Err(format!("answer larger than {MAX_BODY_BYTES} bytes"));
                }
            }
            // Servers often close without close_notify after `Connection: close`.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    parse_response(&raw)
}

/// Parses an HTTP/1.1 response read to its end into status and body.
pub fn parse_response(raw: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("no complete HTTP response")?;
    let (head, body) = raw.split_at(split);
    let body = body.get(4..).unwrap_or_default();
    let head = std::str::from_utf8(head).map_err(|_| "response headers are not text")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut chunked = false;
    let mut length = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("transfer-encoding")
                && value.eq_ignore_ascii_case("chunked")
            {
                chunked = true;
            } else if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>().map_err(|_| "bad Content-Length")?);
            }
        }
    }
    let body = if chunked {
        dechunk(body)?
    } else if let Some(n) = length {
        body.get(..n)
            .ok_or("body shorter than its Content-Length")?
            .to_vec()
    } else {
        body.to_vec()
    };
    if body.len() > MAX_BODY_BYTES {
        return Err(format!("body larger than {MAX_BODY_BYTES} bytes"));
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunked body")?;
        let (size_line, rest) = data.split_at(line_end);
        let size_text = std::str::from_utf8(size_line).map_err(|_| "bad chunk size")?;
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size {size_text:?}"))?;
        let rest = rest.get(2..).unwrap_or_default();
        if size == 0 {
            return Ok(out);
        }
        let chunk = rest.get(..size).ok_or("truncated chunk")?;
        out.extend_from_slice(chunk);
        if out.len() > MAX_BODY_BYTES {
            return Err(format!("body larger than {MAX_BODY_BYTES} bytes"));
        }
        data = rest.get(size + 2..).ok_or("truncated chunked body")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_into_host_port_and_path() {
        let u = HttpsUrl::parse("https://idp.example:8443/realms/x/certs?a=1").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("idp.example", 8443, "/realms/x/certs?a=1")
        );
        let u = HttpsUrl::parse("https://[::1]/jwks").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("::1", 443, "/jwks")
        );
        assert!(HttpsUrl::parse("http://idp/jwks").is_err());
        assert!(HttpsUrl::parse("https://user:pw@idp/jwks").is_err());
        assert!(HttpsUrl::parse("https://idp:x/jwks").is_err());
    }

    #[test]
    fn responses_with_length_chunks_or_errors_are_read() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}trailing";
        assert_eq!(parse_response(r).unwrap(), (200, b"{}".to_vec()));
        let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"k\r\n3;x=y\r\n\":1\r\n1\r\n}\r\n0\r\n\r\n";
        assert_eq!(parse_response(r).unwrap(), (200, b"{\"k\":1}".to_vec()));
        let r = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
        assert_eq!(parse_response(r).unwrap(), (404, Vec::new()));
        let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
        assert!(parse_response(r).is_err());
    }
}
