//! Test kit: a fresh development PKI in a temporary directory, and the real
//! `palisade` binary started on a free port, reached by a real TLS client.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade::identity::devpki::{DevCa, Issued, Validity};
use palisade::identity::devtoken::DevSigner;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::{Value, json};
use tempfile::TempDir;
use time::OffsetDateTime;

pub const BIN: &str = env!("CARGO_BIN_EXE_palisade");

/// A CA with a server certificate for localhost and a client certificate,
/// written as PEM files into a temporary directory.
pub struct Pki {
    pub dir: TempDir,
    pub ca: DevCa,
    pub server: Issued,
    pub client: Issued,
    /// The test token issuer's key; its JWKS is `jwks.json`.
    pub signer: DevSigner,
}

pub const ISSUER: &str = "https://idp.test/realms/palisade";
pub const AUDIENCE: &str = "palisade";

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub fn valid() -> Validity {
    Validity::days_from(now(), 30)
}

pub fn expired() -> Validity {
    Validity {
        not_before: now() - time::Duration::days(30),
        not_after: now() - time::Duration::days(1),
    }
}

impl Pki {
    pub fn new() -> Self {
        let ca = DevCa::new("Test CA", valid()).unwrap();
        let server = issue_server(&ca, valid());
        let client = ca.issue_client("test-client", valid()).unwrap();
        let pki = Self {
            dir: tempfile::tempdir().unwrap(),
            ca,
            server,
            client,
            signer: DevSigner::generate_es256().unwrap(),
        };
        pki.write("jwks.json", &pki.signer.jwks().to_string());
        pki.write("ca.pem", pki.ca.cert_pem());
        pki.write("server.pem", &pki.server.cert_pem);
        pki.write("server.key", &pki.server.key_pem);
        pki
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// A config using this PKI, listening on `addr`, with `extra` TOML
    /// appended (sections only; `[[identity.issuers]]` tables add issuers).
    pub fn config(&self, addr: SocketAddr, extra: &str) -> String {
        format!(
            "version = 1\n\n[server]\nlisten = [\"{addr}\"]\nworkers = 1\ndrain_timeout = \"5s\"\n\n\
             [tls]\ncert = \"server.pem\"\nkey = \"server.key\"\nclient_ca = \"ca.pem\"\n\n\
             [audit]\nstore = \"sqlite:audit/audit.db\"\nsigning_key = \"audit/checkpoint.key\"\n\
             pseudonym_key = \"audit/pseudonym.key\"\n\n\
             [[identity.issuers]]\nissuer = \"{ISSUER}\"\naudiences = [\"{AUDIENCE}\"]\njwks_file = \"jwks.json\"\n\n{extra}"
        )
    }

    /// Claims of a valid token for `sub` in tenant `acme` with `roles`.
    pub fn claims(&self, sub: &str, roles: &[&str]) -> Value {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        json!({"iss": ISSUER, "aud": AUDIENCE, "sub": sub, "tenant": "acme",
               "roles": roles, "iat": now, "nbf": now, "exp": now + 600})
    }

    /// A valid signed token.
    pub fn token(&self, sub: &str, roles: &[&str]) -> String {
        self.signer.sign(&self.claims(sub, roles)).unwrap()
    }

    pub fn write_config(&self, addr: SocketAddr, extra: &str) -> PathBuf {
        self.write("palisade.toml", &self.config(addr, extra))
    }
}

pub fn issue_server(ca: &DevCa, validity: Validity) -> Issued {
    ca.issue_server(
        "localhost",
        &["localhost"],
        &["127.0.0.1".parse().unwrap()],
        validity,
    )
    .unwrap()
}

/// A port nobody listens on right now, below the kernel's ephemeral range
/// (32768 and up on Linux): a port the kernel hands out for `bind(0)` or
/// an outgoing connection (tests' scripted servers, a gateway's upstream
/// connections) could otherwise take it between this check and the
/// daemon's bind. Each call in this process gets a different port.
pub fn free_addr() -> SocketAddr {
    use std::sync::atomic::{AtomicU32, Ordering};
    // Processes start apart (by pid), then walk 20000..32000.
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let _ = NEXT.compare_exchange(
        u32::MAX,
        (std::process::id() % 1000) * 12,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    loop {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let port = 20_000 + (n % 12_000) as u16;
        if let Ok(l) = TcpListener::bind(("127.0.0.1", port)) {
            return l.local_addr().unwrap();
        }
    }
}

/// A running `palisade serve`.
pub struct Daemon {
    pub child: Child,
    pub addr: SocketAddr,
    pub log_path: PathBuf,
}

pub struct Launch<'a> {
    pub config: &'a Path,
    pub addr: SocketAddr,
    pub env: Vec<(String, String)>,
    /// A command to run palisade under (e.g. systemd-socket-activate).
    pub wrapper: Vec<String>,
}

impl<'a> Launch<'a> {
    pub fn new(config: &'a Path, addr: SocketAddr) -> Self {
        Self {
            config,
            addr,
            env: Vec::new(),
            wrapper: Vec::new(),
        }
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.to_owned(), v.to_owned()));
        self
    }

    /// Spawns the daemon without waiting for it.
    pub fn spawn(self) -> Daemon {
        let log_path = self
            .config
            .with_extension(format!("{}.log", self.addr.port()));
        let log = std::fs::File::create(&log_path).unwrap();
        let mut cmd = match self.wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(BIN);
                c
            }
            None => Command::new(BIN),
        };
        cmd.args(["serve", "--config"])
            .arg(self.config)
            .env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .env_remove("LISTEN_FDS")
            .env_remove("JOURNAL_STREAM")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        Daemon {
            child: cmd.spawn().unwrap(),
            addr: self.addr,
            log_path,
        }
    }

    /// Spawns the daemon and waits until it answers `/healthz`.
    pub fn start(self, pki: &Pki) -> Daemon {
        let mut d = self.spawn();
        d.wait_healthy(pki);
        d
    }
}

impl Daemon {
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn wait_healthy(&mut self, pki: &Pki) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "palisade exited with {status} before answering:\n{}",
                    self.log()
                );
            }
            if let Ok(r) = get(self.addr, pki, Some(&pki.client), "/healthz")
                && r.status == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "palisade did not answer /healthz in 30 s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "palisade still running after {within:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn get(&self, pki: &Pki, path: &str) -> Response {
        get(self.addr, pki, Some(&pki.client), path).unwrap()
    }

    /// `GET path` with the client certificate and `Authorization: Bearer token`.
    pub fn get_with_token(&self, pki: &Pki, path: &str, token: &str) -> Response {
        get_with_headers(
            self.addr,
            pki,
            Some(&pki.client),
            path,
            &format!("Authorization: Bearer {token}\r\n"),
        )
        .unwrap()
    }

    /// `/metrics` with a token holding the `metrics` role.
    pub fn metrics(&self, pki: &Pki) -> String {
        let r = self.get_with_token(pki, "/metrics", &pki.token("prometheus", &["metrics"]));
        assert_eq!(r.status, 200, "{r:?}");
        r.body
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `palisade ARGS` to completion.
pub fn run(args: &[&str]) -> (ExitStatus, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The certificate the server presented.
    pub server_cert: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A TLS client trusting `pki`'s CA and presenting `client` (if any).
pub fn client_config(
    pki: &Pki,
    client: Option<&Issued>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(pki.ca.cert_pem().as_bytes()).unwrap())
        .unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(palisade::identity::tls::provider())
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots);
    let config = match client {
        Some(c) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_slice(c.cert_pem.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(c.key_pem.as_bytes()).unwrap(),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    Arc::new(config)
}

/// `GET path` over TLS 1.3 with `client`; Err carries the TLS or I/O error.
pub fn get(
    addr: SocketAddr,
    pki: &Pki,
    client: Option<&Issued>,
    path: &str,
) -> Result<Response, String> {
    get_with_headers(addr, pki, client, path, "")
}

/// `GET path` with extra header lines (each ending in CRLF).
pub fn get_with_headers(
    addr: SocketAddr,
    pki: &Pki,
    client: Option<&Issued>,
    path: &str,
    headers: &str,
) -> Result<Response, String> {
    request(
        addr,
        client_config(pki, client, &[&rustls::version::TLS13]),
        &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n"),
    )
}

/// Sends raw HTTP/1.1 `head` over TLS and reads the whole response.
pub fn request(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    head: &str,
) -> Result<Response, String> {
    let mut stream = connect(addr, config)?;
    stream
        .write_all(head.as_bytes())
        .map_err(|e| e.to_string())?;
    read_response(&mut stream)
}

pub type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

pub fn connect(addr: SocketAddr, config: Arc<rustls::ClientConfig>) -> Result<Tls, String> {
    connect_waiting(addr, config, Duration::from_secs(10))
}

/// As [`connect`], with reads that give up after `patience` (a guard
/// against a hung server, not a speed requirement).
pub fn connect_waiting(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    patience: Duration,
) -> Result<Tls, String> {
    let tcp = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(patience)).unwrap();
    let conn = rustls::ClientConnection::new(config, ServerName::try_from("localhost").unwrap())
        .map_err(|e| e.to_string())?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    while tls.conn.is_handshaking() {
        tls.conn
            .complete_io(&mut tls.sock)
            .map_err(|e| e.to_string())?;
    }
    Ok(tls)
}

pub fn read_response(stream: &mut Tls) -> Result<Response, String> {
    let mut raw = Vec::new();
    match stream.read_to_end(&mut raw) {
        Ok(_) => {}
        // Servers may close without close_notify once the response is out.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
        Err(e) => return Err(e.to_string()),
    }
    let server_cert = stream
        .conn
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.as_ref().to_vec())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no HTTP response: {text:?}"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: body.to_owned(),
        server_cert,
    })
}

/// The DER of the first certificate in a PEM string.
pub fn der_of(pem: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap()
        .as_ref()
        .to_vec()
}

/// A JWKS endpoint over HTTPS (server certificate from the test CA) that
/// serves whatever `body` holds, chunked, and counts requests.
pub struct JwksServer {
    pub url: String,
    pub body: Arc<std::sync::Mutex<String>>,
    pub hits: Arc<std::sync::atomic::AtomicUsize>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl JwksServer {
    pub fn start(pki: &Pki, body: &str) -> Self {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!(
            "https://127.0.0.1:{}/realms/test/certs",
            listener.local_addr().unwrap().port()
        );
        let config = server_config(pki);
        let body = Arc::new(std::sync::Mutex::new(body.to_owned()));
        let hits = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (b, h, s) = (body.clone(), hits.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                let Ok((tcp, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                tcp.set_nonblocking(false).unwrap();
                tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match tls.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                h.fetch_add(1, Ordering::SeqCst);
                let body = b.lock().unwrap().clone();
                let (first, second) = body.split_at(body.len() / 2);
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
                     {:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
                    first.len(),
                    second.len()
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        });
        Self {
            url,
            body,
            hits,
            stop,
        }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// One kept-alive HTTP/1.1 connection over mutual TLS.
pub struct KeepAlive {
    stream: std::io::BufReader<Tls>,
}

impl KeepAlive {
    pub fn open(addr: SocketAddr, pki: &Pki) -> Self {
        let tls = connect(
            addr,
            client_config(pki, Some(&pki.client), &[&rustls::version::TLS13]),
        )
        .unwrap();
        Self {
            stream: std::io::BufReader::new(tls),
        }
    }

    /// `GET path` on this connection; returns the status.
    pub fn get(&mut self, path: &str) -> u16 {
        use std::io::BufRead;
        write!(
            self.stream.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .unwrap();
        self.stream.get_mut().flush().unwrap();
        let mut line = String::new();
        self.stream.read_line(&mut line).unwrap();
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).unwrap();
        status
    }

    /// The certificate the server presented on this connection.
    pub fn server_cert(&self) -> Vec<u8> {
        self.stream.get_ref().conn.peer_certificates().unwrap()[0]
            .as_ref()
            .to_vec()
    }
}

/// An HTTPS endpoint (server certificate from the test CA) that records the
/// body of every POST; it answers 503 to the first `fail_first` requests.
pub struct HttpsSink {
    pub url: String,
    pub bodies: Arc<std::sync::Mutex<Vec<String>>>,
    pub attempts: Arc<std::sync::atomic::AtomicUsize>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl HttpsSink {
    pub fn start(pki: &Pki, fail_first: usize) -> Self {
        use std::io::BufRead;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!(
            "https://127.0.0.1:{}/checkpoints",
            listener.local_addr().unwrap().port()
        );
        let config = server_config(pki);
        let bodies = Arc::new(std::sync::Mutex::new(Vec::new()));
        let attempts = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (b, a, s) = (bodies.clone(), attempts.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                let Ok((tcp, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                tcp.set_nonblocking(false).unwrap();
                tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = std::io::BufReader::new(rustls::StreamOwned::new(conn, tcp));
                let mut length = 0;
                let mut line = String::new();
                loop {
                    line.clear();
                    if tls.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = tls.read_exact(&mut body);
                let n = a.fetch_add(1, Ordering::SeqCst);
                let status = if n < fail_first {
                    "503 Service Unavailable"
                } else {
                    b.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&body).into_owned());
                    "200 OK"
                };
                let stream = tls.get_mut();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                stream.conn.send_close_notify();
                let _ = stream.flush();
            }
        });
        Self {
            url,
            bodies,
            attempts,
            stop,
        }
    }
}

impl Drop for HttpsSink {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A plain (no client auth) TLS server config with the test server certificate.
fn server_config(pki: &Pki) -> Arc<rustls::ServerConfig> {
    Arc::new(
        rustls::ServerConfig::builder_with_provider(palisade::identity::tls::provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(pki.server.cert_pem.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(pki.server.key_pem.as_bytes()).unwrap(),
            )
            .unwrap(),
    )
}

/// Reads the plaintext of a TLS stream without writing to it: a peer that
/// closed after answering would make the write that `StreamOwned::read`
/// may attempt fail, before the answer is read.
pub struct ReadOnly<'a>(pub &'a mut Tls);

impl Read for ReadOnly<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            match self.0.conn.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
            if self.0.conn.read_tls(&mut self.0.sock)? == 0 {
                return Ok(0);
            }
            self.0
                .conn
                .process_new_packets()
                .map_err(std::io::Error::other)?;
        }
    }
}

/// Reads one response (framed by Content-Length) from a keep-alive
/// connection: status, lower-cased headers, body.
pub fn read_one(stream: &mut impl Read) -> (u16, Vec<(String, String)>, String) {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).unwrap();
        raw.push(byte[0]);
    }
    let head = String::from_utf8(raw).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    (status, headers, String::from_utf8(body).unwrap())
}

pub fn says_close(headers: &[(String, String)]) -> bool {
    headers
        .iter()
        .any(|(k, v)| k == "connection" && v.eq_ignore_ascii_case("close"))
}

/// Undoes `Transfer-Encoding: chunked`.
pub fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}

/// The `data:` payloads of a server-sent event stream.
pub fn events(body: &str) -> Vec<String> {
    body.split("\n\n")
        .filter_map(|e| e.strip_prefix("data: "))
        .map(str::to_owned)
        .collect()
}

/// `POST path` with a JSON `body`, the client certificate and
/// `Authorization: Bearer token`, on a connection of its own; a chunked
/// body comes back dechunked.
pub fn post_json(addr: SocketAddr, pki: &Pki, token: &str, path: &str, body: &str) -> Response {
    post_json_waiting(addr, pki, token, path, body, Duration::from_secs(10))
}

/// [`post_json`] for an answer that may take up to `patience` (long
/// generations on a busy batch).
pub fn post_json_waiting(
    addr: SocketAddr,
    pki: &Pki,
    token: &str,
    path: &str,
    body: &str,
    patience: Duration,
) -> Response {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let config = client_config(pki, Some(&pki.client), &[&rustls::version::TLS13]);
    let mut stream = connect_waiting(addr, config, patience).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut r = read_response(&mut stream).unwrap();
    if r.header("transfer-encoding") == Some("chunked") {
        r.body = dechunk(&r.body);
    }
    r
}
