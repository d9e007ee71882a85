//! The daemon's request path over real mutual TLS, against the release
//! binary: `/healthz` on a kept-alive connection (the baseline); `/whoami`,
//! which adds the identity step (ES256 bearer token, claim mapping, rate
//! limit); and a new connection with a full mTLS handshake per request
//! (TLS 1.3 and 1.2). The ratios tell an operator what the identity step
//! costs and what connection reuse is worth.
//!
//! Run: `cargo bench --bench daemon`; numbers go to docs/benchmarks.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use palisade::identity::devpki::{DevCa, Issued, Validity};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

struct Daemon {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(ca: &DevCa, signer: &palisade::identity::devtoken::DevSigner) -> Daemon {
    let dir = tempfile::tempdir().unwrap();
    let validity = Validity::days_from(time::OffsetDateTime::now_utc(), 1);
    let server = ca
        .issue_server(
            "localhost",
            &["localhost"],
            &["127.0.0.1".parse().unwrap()],
            validity,
        )
        .unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca.cert_pem()).unwrap();
    std::fs::write(dir.path().join("server.pem"), &server.cert_pem).unwrap();
    std::fs::write(dir.path().join("server.key"), &server.key_pem).unwrap();
    std::fs::write(dir.path().join("jwks.json"), signer.jwks().to_string()).unwrap();
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    std::fs::write(
        dir.path().join("palisade.toml"),
        format!(
            "version = 1\n[server]\nlisten = [\"{addr}\"]\nworkers = 1\n\
             [tls]\ncert = \"server.pem\"\nkey = \"server.key\"\nclient_ca = \"ca.pem\"\n\
             [logging]\nlevel = \"warn\"\n\
             [rate_limits.default]\nrequests_per_minute = 0\n\
             [audit]\nstore = \"sqlite:audit.db\"\nsigning_key = \"checkpoint.key\"\npseudonym_key = \"pseudonym.key\"\n\
             [[identity.issuers]]\nissuer = \"bench\"\naudiences = [\"palisade\"]\njwks_file = \"jwks.json\"\n"
        ),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["serve", "--config"])
        .arg(dir.path().join("palisade.toml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "daemon did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Daemon {
        child,
        addr,
        _dir: dir,
    }
}

fn client(
    ca: &DevCa,
    cert: &Issued,
    version: &'static rustls::SupportedProtocolVersion,
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.cert_pem().as_bytes()).unwrap())
        .unwrap();
    Arc::new(
        rustls::ClientConfig::builder_with_provider(palisade::identity::tls::provider())
            .with_protocol_versions(&[version])
            .unwrap()
            .with_root_certificates(roots)
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_slice(cert.cert_pem.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).unwrap(),
            )
            .unwrap(),
    )
}

type Conn = BufReader<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>;

fn connect(addr: SocketAddr, config: &Arc<rustls::ClientConfig>) -> Conn {
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_nodelay(true).unwrap();
    let conn =
        rustls::ClientConnection::new(config.clone(), ServerName::try_from("localhost").unwrap())
            .unwrap();
    BufReader::new(rustls::StreamOwned::new(conn, tcp))
}

/// One request on an open connection; returns the body length.
fn get(conn: &mut Conn, path: &str) -> usize {
    get_with(conn, path, "")
}

/// One request with extra header lines (each ending in CRLF).
fn get_with(conn: &mut Conn, path: &str, headers: &str) -> usize {
    write!(
        conn.get_mut(),
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n"
    )
    .unwrap();
    conn.get_mut().flush().unwrap();
    let mut length = 0;
    let mut line = String::new();
    conn.read_line(&mut line).unwrap();
    let status = line.clone();
    loop {
        line.clear();
        conn.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body).unwrap();
    assert!(
        status.starts_with("HTTP/1.1 2"),
        "{status}{}",
        String::from_utf8_lossy(&body)
    );
    length
}

fn bench(c: &mut Criterion) {
    let validity = Validity::days_from(time::OffsetDateTime::now_utc(), 1);
    let ca = DevCa::new("Bench CA", validity).unwrap();
    let cert = ca.issue_client("bench-client", validity).unwrap();
    let signer = palisade::identity::devtoken::DevSigner::generate_es256().unwrap();
    let daemon = start(&ca, &signer);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let token = signer
        .sign(
            &serde_json::json!({"iss": "bench", "aud": "palisade", "sub": "alice",
            "tenant": "acme", "roles": ["inference"], "exp": now + 3600}),
        )
        .unwrap();
    let auth = format!("Authorization: Bearer {token}\r\n");
    let tls13 = client(&ca, &cert, &rustls::version::TLS13);
    let tls12 = client(&ca, &cert, &rustls::version::TLS12);

    let mut group = c.benchmark_group("daemon");
    let mut conn = connect(daemon.addr, &tls13);
    group.bench_function("healthz_keepalive", |b| {
        b.iter(|| get(&mut conn, "/healthz"))
    });
    group.bench_function("whoami_keepalive_es256", |b| {
        b.iter(|| get_with(&mut conn, "/whoami", &auth))
    });
    group.bench_function("healthz_new_mtls_connection_tls13", |b| {
        b.iter(|| get(&mut connect(daemon.addr, &tls13), "/healthz"))
    });
    group.bench_function("healthz_new_mtls_connection_tls12", |b| {
        b.iter(|| get(&mut connect(daemon.addr, &tls12), "/healthz"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5)).sample_size(30);
    targets = bench
}
criterion_main!(benches);
