//! The daemon under systemd: this test plays the service manager (a
//! NOTIFY_SOCKET datagram socket, WATCHDOG_USEC, signals) and checks the
//! protocol and the drain; and socket activation with systemd's own tool.

use std::io::Write;
use std::os::unix::net::UnixDatagram;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::kit::*;

/// Collects every notification the daemon sends.
struct Notifications {
    messages: Arc<Mutex<Vec<String>>>,
    path: std::path::PathBuf,
}

impl Notifications {
    fn bind(dir: &std::path::Path) -> Self {
        let path = dir.join("notify.sock");
        let sock = UnixDatagram::bind(&path).unwrap();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let sink = messages.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            while let Ok(n) = sock.recv(&mut buf) {
                sink.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
            }
        });
        Self { messages, path }
    }

    fn all(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits for a message at index >= `from` matching `pred`; returns its index.
    fn wait(&self, from: usize, what: &str, pred: impl Fn(&str) -> bool) -> usize {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(i) = self.all().iter().skip(from).position(|m| pred(m)) {
                return from + i;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} notification; got {:#?}",
                self.all()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn count(&self, from: usize, line: &str) -> usize {
        self.all()
            .iter()
            .skip(from)
            .filter(|m| m.lines().any(|l| l == line))
            .count()
    }
}

fn has_line(m: &str, line: &str) -> bool {
    m.lines().any(|l| l == line)
}

#[test]
fn plays_the_systemd_protocol_reloads_and_drains() {
    let pki = Pki::new();
    let notes = Notifications::bind(pki.dir.path());
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let mut d = Launch::new(&config, addr)
        .env("NOTIFY_SOCKET", notes.path.to_str().unwrap())
        .env("WATCHDOG_USEC", "1000000")
        .spawn();

    // READY=1, with a status line an operator can read.
    let ready = notes.wait(0, "READY=1", |m| has_line(m, "READY=1"));
    let ready_msg = &notes.all()[ready];
    assert!(
        ready_msg.contains(&format!("STATUS=serving on {addr}")),
        "{ready_msg}"
    );
    assert!(ready_msg.contains("not ready: model"), "{ready_msg}");
    assert_eq!(
        get(addr, &pki, Some(&pki.client), "/healthz")
            .unwrap()
            .status,
        200
    );

    // Periodic WATCHDOG=1 (every 500 ms for WATCHDOG_USEC = 1 s), each
    // after a successful probe of the listener.
    let start = notes.all().len();
    let began = Instant::now();
    while notes.count(start, "WATCHDOG=1") < 3 {
        assert!(
            began.elapsed() < Duration::from_secs(10),
            "fewer than 3 WATCHDOG=1 in 10 s: {:#?}\n{}",
            notes.all(),
            d.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        began.elapsed() >= Duration::from_millis(900),
        "pings come every half period, not in a burst"
    );

    // SIGHUP with a new certificate: RELOADING=1 + MONOTONIC_USEC, then
    // READY=1, and new handshakes see the new certificate.
    let mut live = KeepAlive::open(addr, &pki);
    assert_eq!(live.get("/healthz"), 200);
    let renewed = issue_server(&pki.ca, valid());
    pki.write("server.pem", &renewed.cert_pem);
    pki.write("server.key", &renewed.key_pem);
    let from = notes.all().len();
    d.signal("HUP");
    let reloading = notes.wait(from, "RELOADING=1", |m| has_line(m, "RELOADING=1"));
    let msg = &notes.all()[reloading];
    let usec: u64 = msg
        .lines()
        .find_map(|l| l.strip_prefix("MONOTONIC_USEC="))
        .unwrap_or_else(|| panic!("no MONOTONIC_USEC in {msg}"))
        .parse()
        .unwrap();
    assert!(usec > 0);
    let ready = notes.wait(reloading + 1, "READY=1 after reload", |m| {
        has_line(m, "READY=1")
    });
    assert!(
        !notes.all()[ready].contains("FAILED"),
        "{}",
        notes.all()[ready]
    );
    let r = get(addr, &pki, Some(&pki.client), "/healthz").unwrap();
    assert_eq!(
        r.server_cert,
        der_of(&renewed.cert_pem),
        "the renewed certificate is served"
    );
    // A connection opened before the reload keeps working, on its old session.
    assert_eq!(live.get("/healthz"), 200);
    assert_eq!(live.server_cert(), der_of(&pki.server.cert_pem));
    drop(live);

    // SIGHUP after the certificate was replaced by garbage: the old one
    // keeps serving, the error is logged, STATUS= says so.
    pki.write("server.pem", "garbage\n");
    let from = notes.all().len();
    d.signal("HUP");
    let reloading = notes.wait(from, "RELOADING=1", |m| has_line(m, "RELOADING=1"));
    let ready = notes.wait(reloading + 1, "READY=1 after failed reload", |m| {
        has_line(m, "READY=1")
    });
    let status = &notes.all()[ready];
    assert!(status.contains("last reload FAILED"), "{status}");
    assert!(status.contains("tls.cert"), "{status}");
    let r = get(addr, &pki, Some(&pki.client), "/healthz").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.server_cert,
        der_of(&renewed.cert_pem),
        "the previous certificate keeps serving"
    );
    assert!(d.log().contains("reload failed"), "{}", d.log());
    let m = d.metrics(&pki);
    assert!(
        m.contains("palisade_config_reloads_total{outcome=\"failure\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("palisade_config_reloads_total{outcome=\"success\"} 1"),
        "{m}"
    );

    // SIGTERM with a request in flight: STOPPING=1, the request completes
    // during the drain, then exit 0.
    let mut inflight = connect(
        addr,
        client_config(&pki, Some(&pki.client), &[&rustls::version::TLS13]),
    )
    .unwrap();
    inflight
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    inflight.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let from = notes.all().len();
    d.signal("TERM");
    let stopping = notes.wait(from, "STOPPING=1", |m| has_line(m, "STOPPING=1"));
    assert!(
        notes.all()[stopping].contains("draining"),
        "{}",
        notes.all()[stopping]
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        d.child.try_wait().unwrap().is_none(),
        "exited while a request was in flight:\n{}",
        d.log()
    );
    inflight.write_all(b"Connection: close\r\n\r\n").unwrap();
    let r = read_response(&mut inflight).unwrap();
    assert_eq!(r.status, 200, "{r:?}");
    let status = d.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "exit {status}:\n{}", d.log());
    // New connections are refused once draining has begun.
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn listens_on_sockets_passed_by_systemd() {
    let tool = "systemd-socket-activate";
    let found = std::process::Command::new(tool).arg("--version").output();
    assert!(
        found.is_ok(),
        "{tool} is needed for this test (Debian package systemd; .ci/run installs it)"
    );
    let pki = Pki::new();
    let activated = free_addr();
    // The config names another address; the passed socket wins.
    let config = pki.write_config(free_addr(), "");
    let mut launch = Launch::new(&config, activated);
    launch.wrapper = vec![tool.to_owned(), "-l".to_owned(), activated.to_string()];
    let d = launch.start(&pki);
    assert_eq!(d.get(&pki, "/healthz").status, 200);
    assert!(d.log().contains("socket_activation=true"), "{}", d.log());
}

/// Monthly-active-user thresholds crossed while serving show in `STATUS=`
/// within the 5 s refresh: the license's (mode `enforce` here; `warn`
/// alike) and the model license's own.
#[test]
fn a_crossed_mau_threshold_shows_in_the_status_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let addr = free_addr();
    crate::demo::demo_init(&dir, addr, &["--mau-limit", "2"]);
    // The model license's own threshold, made small enough to cross.
    let terms = dir.join("model/palisade-model.toml");
    let text = std::fs::read_to_string(&terms).unwrap();
    let small = text.replace("mau_threshold = 700000000", "mau_threshold = 2");
    assert_ne!(text, small);
    std::fs::write(&terms, small).unwrap();
    let notes = Notifications::bind(tmp.path());
    let config = dir.join("palisade.toml");
    let _d = Launch::new(&config, addr)
        .env("NOTIFY_SOCKET", notes.path.to_str().unwrap())
        .spawn();
    let ready = notes.wait(0, "READY=1", |m| has_line(m, "READY=1"));
    let body = r#"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}"#;
    for subject in ["alice", "bob"] {
        let mint = ["--sub", subject, "--tenant", "t", "--roles", "inference"];
        let (status, text) = crate::demo::demo_request(
            &dir,
            addr.port(),
            &mint,
            "/v1/chat/completions",
            Some(body),
            &[],
        );
        assert_eq!(status, 200, "{text}");
    }
    notes.wait(ready, "a STATUS= with both MAU notes", |m| {
        m.contains("monthly active users at 100% of the license's limit (2 of 2)")
            && m.contains(
                "monthly active users at 100% of the model model license's threshold (2 of 2)",
            )
    });
}
