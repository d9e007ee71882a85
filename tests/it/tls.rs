//! Handshakes with real certificates: who gets in and who does not.

use crate::kit::*;

fn start(pki: &Pki, extra: &str) -> Daemon {
    let addr = free_addr();
    let config = pki.write_config(addr, extra);
    Launch::new(&config, addr).start(pki)
}

#[test]
fn a_client_certificate_from_the_configured_ca_is_served_over_tls_1_2_and_1_3() {
    let pki = Pki::new();
    let d = start(&pki, "");
    for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let r = request(
            d.addr,
            client_config(&pki, Some(&pki.client), &[version]),
            "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.status, 200, "{version:?}: {r:?}");
        assert_eq!(r.server_cert, der_of(&pki.server.cert_pem));
    }
}

#[test]
fn no_client_certificate_is_refused() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let err = get(d.addr, &pki, None, "/healthz").unwrap_err();
    assert!(err.contains("CertificateRequired"), "{err}");
    // TLS 1.2 refuses during the handshake itself.
    let err = request(
        d.addr,
        client_config(&pki, None, &[&rustls::version::TLS12]),
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n",
    )
    .unwrap_err();
    assert!(
        err.contains("HandshakeFailure") || err.contains("CertificateRequired"),
        "{err}"
    );
    assert_eq!(
        d.get(&pki, "/healthz").status,
        200,
        "the daemon keeps serving"
    );
}

#[test]
fn a_certificate_from_another_ca_is_refused_and_counted() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let other = palisade::identity::devpki::DevCa::new("Other CA", valid()).unwrap();
    let stranger = other.issue_client("stranger", valid()).unwrap();
    let err = get(d.addr, &pki, Some(&stranger), "/healthz").unwrap_err();
    assert!(err.contains("UnknownCA"), "{err}");
    let metrics = d.metrics(&pki);
    assert!(
        metrics.contains("palisade_tls_client_certificate_rejections_total 1"),
        "{metrics}"
    );
    assert!(
        d.log().contains("client certificate rejected"),
        "{}",
        d.log()
    );
}

#[test]
fn an_expired_client_certificate_is_refused() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let old = pki.ca.issue_client("old-client", expired()).unwrap();
    let err = get(d.addr, &pki, Some(&old), "/healthz").unwrap_err();
    assert!(err.contains("CertificateExpired"), "{err}");
}

#[test]
fn plain_http_on_the_tls_port_gets_no_http_answer_and_the_daemon_survives() {
    use std::io::{Read, Write};
    let pki = Pki::new();
    let d = start(&pki, "");
    let mut tcp = std::net::TcpStream::connect(d.addr).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer);
    assert!(
        !answer.starts_with(b"HTTP/"),
        "answered plain HTTP: {answer:?}"
    );
    // What comes back, if anything, is a TLS alert record (content type 21).
    assert!(answer.is_empty() || answer[0] == 21, "{answer:?}");
    assert_eq!(d.get(&pki, "/healthz").status, 200);
}

#[test]
fn min_version_1_3_refuses_tls_1_2_clients() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki
        .config(addr, "")
        .replace("[tls]\n", "[tls]\nmin_version = \"1.3\"\n");
    let config = pki.write("tls13.toml", &config);
    let d = Launch::new(&config, addr).start(&pki);
    let err = request(
        d.addr,
        client_config(&pki, Some(&pki.client), &[&rustls::version::TLS12]),
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n",
    )
    .unwrap_err();
    assert!(err.contains("ProtocolVersion"), "{err}");
    assert_eq!(d.get(&pki, "/healthz").status, 200);
}

#[test]
fn optional_client_certificates_serve_clients_without_one() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki
        .config(addr, "")
        .replace("[tls]\n", "[tls]\nrequire_client_cert = false\n");
    let config = pki.write("optional.toml", &config);
    let d = Launch::new(&config, addr).start(&pki);
    assert_eq!(get(d.addr, &pki, None, "/healthz").unwrap().status, 200);
    // A certificate that is presented must still verify.
    let old = pki.ca.issue_client("old-client", expired()).unwrap();
    assert!(get(d.addr, &pki, Some(&old), "/healthz").is_err());
    assert!(
        d.log().contains("require_client_cert is false"),
        "{}",
        d.log()
    );
}
