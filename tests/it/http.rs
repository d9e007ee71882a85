//! The HTTP surface every path shares: request ids, the error shape,
//! readiness and metrics.

use std::collections::HashSet;

use crate::kit::*;

fn start(pki: &Pki, extra: &str) -> Daemon {
    let addr = free_addr();
    let config = pki.write_config(addr, extra);
    Launch::new(&config, addr).start(pki)
}

fn assert_error_shape(r: &Response, status: u16, code: &str) {
    assert_eq!(r.status, status, "{r:?}");
    let v = r.json();
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    assert!(v["error"]["type"].is_string(), "{v}");
    assert!(v["error"].get("param").is_some(), "{v}");
}

#[test]
fn every_response_carries_a_fresh_uuidv7_request_id() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let mut seen = HashSet::new();
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/no/such/path",
        "/healthz",
    ] {
        let r = d.get(&pki, path);
        let id = r
            .header("x-request-id")
            .unwrap_or_else(|| panic!("{path}: no X-Request-Id"));
        let uuid = uuid::Uuid::parse_str(id).unwrap();
        assert_eq!(uuid.get_version_num(), 7, "{id}");
        assert!(seen.insert(id.to_owned()), "{id} repeated");
    }
}

#[test]
fn errors_are_openai_shaped_including_404_405_and_bad_requests() {
    let pki = Pki::new();
    let d = start(&pki, "");
    assert_error_shape(&d.get(&pki, "/v2/nothing"), 404, "not_found");

    let cfg = client_config(&pki, Some(&pki.client), &[&rustls::version::TLS13]);
    let r = request(
        d.addr,
        cfg.clone(),
        "DELETE /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    assert_error_shape(&r, 405, "method_not_allowed");
    assert_eq!(r.header("allow"), Some("GET"));
    assert!(r.header("x-request-id").is_some());

    let r = request(
        d.addr,
        cfg,
        "POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .unwrap();
    assert_error_shape(&r, 405, "method_not_allowed");
}

#[test]
fn readyz_names_what_is_not_ready_and_healthz_is_live() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let h = d.get(&pki, "/healthz");
    assert_eq!(h.json()["status"], "ok");
    let r = d.get(&pki, "/readyz");
    assert_error_shape(&r, 503, "not_ready");
    let v = r.json();
    assert_eq!(v["error"]["components"]["tls"]["state"], "ready");
    assert_eq!(v["error"]["components"]["listeners"]["state"], "ready");
    assert_eq!(v["error"]["components"]["model"]["state"], "unavailable");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("model"),
        "{v}"
    );
}

#[test]
fn metrics_are_prometheus_text_and_count_requests() {
    let pki = Pki::new();
    let d = start(&pki, "");
    d.get(&pki, "/no/such/path");
    let m = d.get_with_token(&pki, "/metrics", &pki.token("prometheus", &["metrics"]));
    assert_eq!(m.status, 200);
    assert!(
        m.header("content-type")
            .unwrap()
            .contains("openmetrics-text")
    );
    for needle in [
        "palisade_build_info{version=",
        "palisade_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
        "palisade_component_ready{component=\"tls\"} 1",
        "palisade_component_ready{component=\"model\"} 0",
        "palisade_tls_server_certificate_expiry_timestamp_seconds ",
        "palisade_http_request_duration_seconds_bucket",
    ] {
        assert!(m.body.contains(needle), "missing {needle} in\n{}", m.body);
    }
    // Every metric the daemon exports is documented for the operator.
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/operations.md"),
    )
    .unwrap();
    let exported: Vec<&str> = m
        .body
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(exported.len() >= 15, "{exported:?}");
    for name in exported {
        assert!(
            docs.contains(&format!("`{name}")),
            "{name} is exported but not in docs/operations.md"
        );
    }
}

#[test]
fn the_loopback_metrics_listener_serves_only_metrics_over_plain_http() {
    use std::io::{Read, Write};
    let pki = Pki::new();
    let metrics_addr = free_addr();
    let d = start(&pki, &format!("[metrics]\nlisten = \"{metrics_addr}\"\n"));
    let fetch = |path: &str| {
        let mut tcp = std::net::TcpStream::connect(metrics_addr).unwrap();
        write!(
            tcp,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut s = String::new();
        tcp.read_to_string(&mut s).unwrap();
        s
    };
    let m = fetch("/metrics");
    assert!(m.starts_with("HTTP/1.1 200"), "{m}");
    assert!(m.contains("palisade_build_info"), "{m}");
    let h = fetch("/healthz");
    assert!(h.starts_with("HTTP/1.1 404"), "{h}");
    assert!(h.contains("\"not_found\""), "{h}");
    drop(d);
}

/// A request refused before its body is read (a bad token) still leaves
/// its keep-alive connection able to carry the next request: the body is
/// drained. One whose body is beyond the size limit is refused with
/// `Connection: close`, so the client knows not to reuse the connection.
#[test]
fn a_request_refused_before_its_body_is_read_keeps_its_connection_usable() {
    use std::io::Write;
    let pki = Pki::new();
    let d = start(&pki, "");
    let tls = || {
        connect(
            d.addr,
            client_config(&pki, Some(&pki.client), &[&rustls::version::TLS13]),
        )
        .unwrap()
    };
    let head = |length: usize| {
        format!(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer bad\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        )
    };
    let body = r#"{"messages": [{"role": "user", "content": "hello"}]}"#;
    let mut s = tls();
    s.write_all(head(body.len()).as_bytes()).unwrap();
    s.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.write_all(body.as_bytes()).unwrap();
    s.flush().unwrap();
    let (status, headers, refusal) = read_one(&mut s);
    assert_eq!(status, 401, "{refusal}");
    assert!(!says_close(&headers), "{headers:?}");
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    s.flush().unwrap();
    let (status, _, health) = read_one(&mut s);
    assert_eq!(status, 200, "the next request on the connection: {health}");

    // Beyond the size limit (4 MiB by default): not drained, and said so.
    // The client sends just past the limit (all of which the server reads,
    // so its close is clean), then reads without writing.
    let mut s = tls();
    s.write_all(head(64 << 20).as_bytes()).unwrap();
    s.write_all(&vec![b' '; (4 << 20) + (64 << 10)]).unwrap();
    s.flush().unwrap();
    let (status, headers, _) = read_one(&mut ReadOnly(&mut s));
    assert_eq!(status, 401);
    assert!(says_close(&headers), "{headers:?}");
}

/// Requests the HTTP framework refuses before any handler sees them get the
/// API's error shape too, and the answer reaches a client that is still
/// sending: more than 96 header fields, a head over 128 KiB, bytes that are
/// not HTTP, a head that does not arrive in time. The daemon serves on.
#[test]
fn requests_refused_by_the_framework_get_the_api_error_shape() {
    use std::io::{Read, Write};
    let pki = Pki::new();
    let d = start(&pki, "");
    let cfg = client_config(&pki, Some(&pki.client), &[&rustls::version::TLS13]);
    let refused = |r: &Response, status: u16, code: &str| {
        assert_error_shape(r, status, code);
        assert!(r.header("x-request-id").is_some(), "{r:?}");
        assert_eq!(r.header("connection"), Some("close"), "{r:?}");
        assert_eq!(r.header("content-type"), Some("application/json"), "{r:?}");
    };

    let many: String = (0..100).map(|i| format!("X-Field-{i}: {i}\r\n")).collect();
    let r = request(
        d.addr,
        cfg.clone(),
        &format!("GET /healthz HTTP/1.1\r\nHost: localhost\r\n{many}\r\n"),
    )
    .unwrap();
    refused(&r, 431, "headers_too_large");

    let large = "a".repeat(200 << 10);
    let r = request(
        d.addr,
        cfg.clone(),
        &format!("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Large: {large}\r\n\r\n"),
    )
    .unwrap();
    refused(&r, 431, "headers_too_large");

    let r = request(d.addr, cfg.clone(), "\u{1}\u{2} not http\r\n\r\n").unwrap();
    refused(&r, 400, "invalid_request_error");

    // Half a head, then nothing: the framework gives up after 5 s.
    let mut s = connect(d.addr, cfg.clone()).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    s.flush().unwrap();
    let r = read_response(&mut s).unwrap();
    refused(&r, 408, "request_timeout");
    let mut rest = Vec::new();
    assert!(matches!(s.read_to_end(&mut rest), Ok(0) | Err(_)));

    assert_eq!(d.get(&pki, "/healthz").status, 200);
    let m = d.metrics(&pki);
    for counted in [
        "palisade_http_protocol_errors_total{status=\"431\"} 2",
        "palisade_http_protocol_errors_total{status=\"400\"} 1",
        "palisade_http_protocol_errors_total{status=\"408\"} 1",
    ] {
        assert!(m.contains(counted), "{counted} not in {m}");
    }
}

/// HTTP/2 (by ALPN) goes through the same server and layer as HTTP/1.1:
/// answers, the error shape and the request id arrive the same way.
#[test]
fn http2_clients_are_served_with_the_same_answers() {
    let pki = Pki::new();
    let d = start(&pki, "");
    pki.write("client.pem", &pki.client.cert_pem);
    pki.write("client.key", &pki.client.key_pem);
    let curl = |path: &str| {
        let out = std::process::Command::new("curl")
            .args([
                "-sS",
                "--http2",
                "--max-time",
                "10",
                "-w",
                "\n%{http_version} %{http_code}",
                "-D",
                "-",
            ])
            .arg("--cacert")
            .arg(pki.path("ca.pem"))
            .arg("--cert")
            .arg(pki.path("client.pem"))
            .arg("--key")
            .arg(pki.path("client.key"))
            .arg(format!("https://localhost:{}{path}", d.addr.port()))
            .output()
            .expect("curl is needed for this test");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let health = curl("/healthz");
    assert!(health.ends_with("\n2 200"), "{health}");
    assert!(health.contains("x-request-id: "), "{health}");
    let missing = curl("/no/such/path");
    assert!(missing.ends_with("\n2 404"), "{missing}");
    assert!(missing.contains("\"code\":\"not_found\""), "{missing}");
}
