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
