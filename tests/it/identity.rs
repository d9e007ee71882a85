//! Identity through the real daemon over real mutual TLS: every bad token
//! gets its status, code and reason, and good requests keep being served
//! in between.

use std::io::Read;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use palisade::identity::devtoken::DevSigner;
use serde_json::{Value, json};

use crate::kit::*;

fn start(pki: &Pki, extra: &str) -> Daemon {
    let addr = free_addr();
    let config = pki.write_config(addr, extra);
    Launch::new(&config, addr).start(pki)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Asserts a refusal, then that a good request still succeeds.
fn refused(d: &Daemon, pki: &Pki, r: Response, status: u16, code: &str, reason: &str) {
    assert_eq!(r.status, status, "{r:?}");
    let v = r.json();
    assert_eq!(v["error"]["code"], code, "{v}");
    assert_eq!(v["error"]["reason"], reason, "{v}");
    assert!(r.header("x-request-id").is_some());
    if status == 401 {
        let challenge = r.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer realm=\"palisade\""),
            "{challenge}"
        );
        if reason != "missing_token" {
            assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        }
    }
    let good = d.get_with_token(pki, "/whoami", &pki.token("alice", &["inference"]));
    assert_eq!(
        good.status, 200,
        "the daemon keeps serving good requests: {good:?}"
    );
}

/// A token refused with 401 for `reason`, then a good request served.
fn rejected(d: &Daemon, pki: &Pki, token: &str, reason: &str) {
    refused(
        d,
        pki,
        with_token(d, pki, token),
        401,
        "unauthorized",
        reason,
    );
}

fn raw_headers(d: &Daemon, pki: &Pki, headers: &str) -> Response {
    get_with_headers(d.addr, pki, Some(&pki.client), "/whoami", headers).unwrap()
}

fn with_token(d: &Daemon, pki: &Pki, token: &str) -> Response {
    d.get_with_token(pki, "/whoami", token)
}

#[test]
fn a_valid_token_yields_the_principal_with_the_client_certificate() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let r = d.get_with_token(
        &pki,
        "/whoami",
        &pki.token("alice", &["inference", "auditor", "superuser"]),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let p = r.json();
    assert_eq!(p["issuer"], ISSUER);
    assert_eq!(p["subject"], "alice");
    assert_eq!(p["tenant"], "acme");
    assert_eq!(
        p["roles"],
        json!(["inference", "auditor"]),
        "unknown role names are dropped"
    );
    assert_eq!(p["certificate_bound"], false);
    let cert = &p["client_cert"];
    assert!(
        cert["subject"].as_str().unwrap().contains("CN=test-client"),
        "{p}"
    );
    assert!(
        cert["issuer"].as_str().unwrap().contains("CN=Test CA"),
        "{p}"
    );
    let der = der_of(&pki.client.cert_pem);
    assert_eq!(
        cert["thumbprint_s256"],
        palisade::identity::client_cert::thumbprint_s256(&der)
    );
}

#[test]
fn missing_malformed_and_wrong_scheme_tokens_are_401() {
    let pki = Pki::new();
    let d = start(&pki, "");
    refused(
        &d,
        &pki,
        raw_headers(&d, &pki, ""),
        401,
        "unauthorized",
        "missing_token",
    );
    refused(
        &d,
        &pki,
        raw_headers(&d, &pki, "Authorization: Bearer garbage\r\n"),
        401,
        "unauthorized",
        "malformed_token",
    );
    refused(
        &d,
        &pki,
        raw_headers(&d, &pki, "Authorization: Basic YWxpY2U6cHc=\r\n"),
        401,
        "unauthorized",
        "malformed_token",
    );
    refused(
        &d,
        &pki,
        raw_headers(&d, &pki, "Authorization: Bearer a.b.c\r\n"),
        401,
        "unauthorized",
        "malformed_token",
    );
}

#[test]
fn alg_none_and_hmac_with_the_public_key_as_secret_are_refused() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let claims = pki.claims("mallory", &["admin"]);
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    rejected(&d, &pki, &none, "algorithm_not_allowed");

    // Algorithm confusion: HS256 keyed with the issuer's public key.
    let public_pem = rcgen::KeyPair::from_pem(pki.signer.key_pem())
        .unwrap()
        .public_key_pem();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(pki.signer.kid().to_owned());
    let confused = jsonwebtoken::encode(
        &header,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(public_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    rejected(&d, &pki, &confused, "algorithm_not_allowed");
}

#[test]
fn unknown_kid_tampered_payload_and_foreign_key_are_refused() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let claims = pki.claims("alice", &["inference"]);

    let mut header = pki.signer.header();
    header.kid = Some("no-such-key".into());
    let token = pki.signer.sign_with(&header, &claims).unwrap();
    rejected(&d, &pki, &token, "unknown_key");

    // Tampered: the payload of a good token swapped for one with more roles.
    let good = pki.signer.sign(&claims).unwrap();
    let parts: Vec<&str> = good.split('.').collect();
    let evil = URL_SAFE_NO_PAD.encode(pki.claims("alice", &["inference", "admin"]).to_string());
    let tampered = format!("{}.{}.{}", parts[0], evil, parts[2]);
    rejected(&d, &pki, &tampered, "bad_signature");

    // Another key that claims the issuer's kid.
    let other = DevSigner::generate_es256().unwrap();
    let forged = other.sign_with(&pki.signer.header(), &claims).unwrap();
    rejected(&d, &pki, &forged, "bad_signature");
}

#[test]
fn expiry_not_before_issuer_and_audience_are_enforced() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let sign = |patch: Value| {
        let mut c = pki.claims("alice", &["inference"]);
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        pki.signer.sign(&c).unwrap()
    };
    // Past the 60 s default leeway.
    let expired = sign(json!({"exp": now() - 120}));
    rejected(&d, &pki, &expired, "expired");
    let future = sign(json!({"nbf": now() + 3600}));
    rejected(&d, &pki, &future, "not_yet_valid");
    let stranger = sign(json!({"iss": "https://evil.example"}));
    rejected(&d, &pki, &stranger, "untrusted_issuer");
    let other_aud = sign(json!({"aud": "another-service"}));
    rejected(&d, &pki, &other_aud, "wrong_audience");
    let no_exp = {
        let mut c = pki.claims("alice", &["inference"]);
        c.as_object_mut().unwrap().remove("exp");
        pki.signer.sign(&c).unwrap()
    };
    rejected(&d, &pki, &no_exp, "invalid_claims");
    let no_tenant = {
        let mut c = pki.claims("alice", &["inference"]);
        c.as_object_mut().unwrap().remove("tenant");
        pki.signer.sign(&c).unwrap()
    };
    let r = with_token(&d, &pki, &no_tenant);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tenant"),
        "{r:?}"
    );
    refused(&d, &pki, r, 401, "unauthorized", "invalid_claims");
    // Within the leeway is still fine.
    let just_expired = sign(json!({"exp": now() - 10}));
    assert_eq!(with_token(&d, &pki, &just_expired).status, 200);
}

#[test]
fn certificate_bound_tokens_must_match_the_presented_certificate() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let mut claims = pki.claims("svc", &["inference"]);
    let mine = palisade::identity::client_cert::thumbprint_s256(&der_of(&pki.client.cert_pem));
    claims["cnf"] = json!({"x5t#S256": mine});
    let bound = pki.signer.sign(&claims).unwrap();
    let r = with_token(&d, &pki, &bound);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["certificate_bound"], true);

    // The same token presented with another valid client certificate.
    let other_client = pki.ca.issue_client("other-client", valid()).unwrap();
    let r = get_with_headers(
        d.addr,
        &pki,
        Some(&other_client),
        "/whoami",
        &format!("Authorization: Bearer {bound}\r\n"),
    )
    .unwrap();
    refused(
        &d,
        &pki,
        r,
        401,
        "unauthorized",
        "certificate_binding_mismatch",
    );

    // A `cnf` that binds the token some other way (DPoP's `jkt`) is not
    // taken as an unbound token.
    let mut claims = pki.claims("svc", &["inference"]);
    claims["cnf"] = json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"});
    let r = with_token(&d, &pki, &pki.signer.sign(&claims).unwrap());
    refused(&d, &pki, r, 401, "unauthorized", "invalid_claims");
    for cnf in [json!({}), json!("x5t")] {
        let mut claims = pki.claims("svc", &["inference"]);
        claims["cnf"] = cnf;
        let r = with_token(&d, &pki, &pki.signer.sign(&claims).unwrap());
        refused(&d, &pki, r, 401, "unauthorized", "invalid_claims");
    }
}

/// n - s for P-256's order n (big-endian, 32 bytes).
fn p256_negate(s: &[u8]) -> Vec<u8> {
    let n: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let mut out = vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

/// The malleable twin of a valid ES256 signature (`s` replaced by `n - s`)
/// verifies mathematically. An issuer with `reject_high_s` refuses it (the
/// dev signer signs low-S, so its own tokens pass); without the setting it
/// is accepted, since many IdPs sign high-S half the time.
#[test]
fn a_high_s_ecdsa_signature_is_refused_where_the_issuer_signs_low_s() {
    let pki = Pki::new();
    let addr = free_addr();
    let strict = pki.config(addr, "").replace(
        "jwks_file = \"jwks.json\"",
        "jwks_file = \"jwks.json\"\nreject_high_s = true",
    );
    let config = pki.write("low-s.toml", &strict);
    let d = Launch::new(&config, addr).start(&pki);
    let lenient = start(&pki, "");
    for i in 0..8 {
        let token = pki.token(&format!("alice{i}"), &["inference"]);
        assert_eq!(with_token(&d, &pki, &token).status, 200, "{token}");
        let (signed, sig) = token.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        let (r, s) = sig.split_at(32);
        let twin = [r, &p256_negate(s)].concat();
        let forged = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(twin));
        let answer = with_token(&d, &pki, &forged);
        refused(&d, &pki, answer, 401, "unauthorized", "bad_signature");
        assert_eq!(with_token(&lenient, &pki, &forged).status, 200);
    }
}

#[test]
fn binding_can_be_required_for_every_token() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.config(addr, "").replace(
        "[[identity.issuers]]",
        "[identity]\nrequire_bound_tokens = true\n\n[[identity.issuers]]",
    );
    let config = pki.write("bound.toml", &config);
    let d = Launch::new(&config, addr).start(&pki);
    let r = with_token(&d, &pki, &pki.token("alice", &["inference"]));
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["reason"], "certificate_binding_required");
    // token mint --bind-cert makes a token that passes.
    let (status, token, err) = run(&[
        "token",
        "mint",
        "--config",
        config.to_str().unwrap(),
        "--sub",
        "alice",
        "--tenant",
        "acme",
        "--roles",
        "inference",
        "--bind-cert",
        pki.write("client.pem", &pki.client.cert_pem)
            .to_str()
            .unwrap(),
    ]);
    assert!(
        !status.success(),
        "no dev_signing_key configured yet: {token}{err}"
    );
    assert!(err.contains("no issuer with a dev_signing_key"), "{err}");
    let with_key = pki
        .config(addr, "")
        .replace(
            "[[identity.issuers]]",
            "[identity]\nrequire_bound_tokens = true\n\n[[identity.issuers]]",
        )
        .replace(
            "jwks_file = \"jwks.json\"",
            "jwks_file = \"jwks.json\"\ndev_signing_key = \"signing.key\"",
        );
    pki.write("signing.key", pki.signer.key_pem());
    let minting = pki.write("mint.toml", &with_key);
    let (status, token, err) = run(&[
        "token",
        "mint",
        "--config",
        minting.to_str().unwrap(),
        "--sub",
        "alice",
        "--tenant",
        "acme",
        "--roles",
        "inference,metrics",
        "--bind-cert",
        pki.path("client.pem").to_str().unwrap(),
    ]);
    assert!(status.success(), "{err}");
    let r = with_token(&d, &pki, token.trim());
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["roles"], json!(["inference", "metrics"]));
}

#[test]
fn roles_guard_paths_and_a_missing_role_is_403() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let r = d.get_with_token(&pki, "/metrics", &pki.token("alice", &["inference"]));
    assert_eq!(
        r.header("www-authenticate"),
        Some("Bearer realm=\"palisade\", error=\"insufficient_scope\", scope=\"metrics\"")
    );
    refused(&d, &pki, r, 403, "forbidden", "missing_role");
    assert!(
        d.metrics(&pki)
            .contains("palisade_auth_failures_total{reason=\"missing_role\"} 1")
    );
    // Health checks need only the certificate.
    assert_eq!(d.get(&pki, "/healthz").status, 200);
}

#[test]
fn a_100_kb_header_gets_a_clear_error_and_the_daemon_survives() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let huge = format!("Authorization: Bearer {}\r\n", "a".repeat(100 * 1024));
    let r = get_with_headers(d.addr, &pki, Some(&pki.client), "/whoami", &huge).unwrap();
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 16384 bytes"),
        "{r:?}"
    );
    refused(&d, &pki, r, 401, "unauthorized", "malformed_token");
    // Below the size limit, a long token of junk is parsed and refused as such.
    let long = format!(
        "Authorization: Bearer {}.{}.{}\r\n",
        "a".repeat(3000),
        "b".repeat(3000),
        "c".repeat(3000)
    );
    let r = get_with_headers(d.addr, &pki, Some(&pki.client), "/whoami", &long).unwrap();
    refused(&d, &pki, r, 401, "unauthorized", "malformed_token");
}

#[test]
fn jku_and_x5u_in_a_token_are_never_fetched() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let trap = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    trap.set_nonblocking(true).unwrap();
    let trap_url = format!("https://{}/jwks.json", trap.local_addr().unwrap());
    let attacker = DevSigner::generate_es256().unwrap();
    let mut header = attacker.header();
    header.jku = Some(trap_url.clone());
    header.x5u = Some(trap_url.clone());
    let token = attacker
        .sign_with(&header, &pki.claims("mallory", &["admin"]))
        .unwrap();
    rejected(&d, &pki, &token, "unknown_key");
    // A genuine token carrying the same header parameters verifies against
    // the configured keys only.
    let mut header = pki.signer.header();
    header.jku = Some(trap_url);
    let token = pki
        .signer
        .sign_with(&header, &pki.claims("alice", &["inference"]))
        .unwrap();
    assert_eq!(with_token(&d, &pki, &token).status, 200);
    std::thread::sleep(Duration::from_millis(200));
    match trap.accept() {
        Ok((mut s, _)) => {
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
            panic!("the daemon fetched a URL from a token header");
        }
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock),
    }
}

#[test]
fn several_issuers_each_with_their_own_keys_and_claim_mapping() {
    let pki = Pki::new();
    let keycloak = DevSigner::generate_ed25519().unwrap();
    pki.write("keycloak.json", &keycloak.jwks().to_string());
    let extra = r#"
[[identity.issuers]]
issuer = "https://keycloak.test/realms/clinic"
audiences = ["palisade", "account"]
jwks_file = "keycloak.json"
default_tenant = "clinic"
[identity.issuers.claims]
subject = "preferred_username"
roles = "realm_access.roles"
clearances = "clearance"
[identity.issuers.role_map]
"llm-users" = ["inference"]
"compliance" = ["auditor", "metrics"]
"#;
    let d = start(&pki, extra);
    let t = now();
    let token = keycloak
        .sign(&json!({
            "iss": "https://keycloak.test/realms/clinic", "aud": ["account", "palisade"],
            "sub": "f:1234", "preferred_username": "dr.house", "exp": t + 300, "iat": t,
            "realm_access": {"roles": ["llm-users", "compliance", "offline_access"]},
            "clearance": "phi pii", "act": {"sub": "ehr-service"}
        }))
        .unwrap();
    let r = with_token(&d, &pki, &token);
    assert_eq!(r.status, 200, "{r:?}");
    let p = r.json();
    assert_eq!(p["subject"], "dr.house");
    assert_eq!(p["tenant"], "clinic");
    assert_eq!(p["roles"], json!(["inference", "auditor", "metrics"]));
    assert_eq!(p["clearances"], json!(["phi", "pii"]));
    assert_eq!(p["actor"], "ehr-service");
    // Keycloak's key does not verify the first issuer's tokens.
    let crossed = keycloak.sign(&pki.claims("alice", &["inference"])).unwrap();
    rejected(&d, &pki, &crossed, "unknown_key");
}

#[test]
fn a_rotated_jwks_file_is_picked_up_without_a_restart() {
    let pki = Pki::new();
    let d = start(&pki, "");
    let next = DevSigner::generate_es256().unwrap();
    let claims = pki.claims("alice", &["inference"]);
    let new_token = next.sign(&claims).unwrap();
    rejected(&d, &pki, &new_token, "unknown_key");
    // The IdP publishes both keys during the rotation.
    let both = json!({"keys": [pki.signer.jwk(), next.jwk()]});
    pki.write("jwks.json.tmp", &both.to_string());
    std::fs::rename(pki.path("jwks.json.tmp"), pki.path("jwks.json")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while with_token(&d, &pki, &new_token).status != 200 {
        assert!(
            Instant::now() < deadline,
            "the new key was not picked up:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(
        with_token(&d, &pki, &pki.signer.sign(&claims).unwrap()).status,
        200
    );
    // A broken JWKS keeps the previous keys.
    pki.write("jwks.json", "{\"keys\": ");
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(with_token(&d, &pki, &new_token).status, 200);
    assert!(d.log().contains("JWKS reload failed"), "{}", d.log());
}

#[test]
fn rate_limits_answer_429_with_retry_after() {
    let pki = Pki::new();
    let d = start(&pki, "[rate_limits.default]\nrequests_per_minute = 2\n");
    let token = pki.token("alice", &["inference"]);
    assert_eq!(with_token(&d, &pki, &token).status, 200);
    assert_eq!(with_token(&d, &pki, &token).status, 200);
    let r = with_token(&d, &pki, &token);
    assert_eq!(r.status, 429, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "rate_limited");
    assert_eq!(r.json()["error"]["scope"], "subject");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    // Another subject has its own allowance.
    assert_eq!(
        with_token(&d, &pki, &pki.token("bob", &["inference"])).status,
        200
    );
}

#[test]
fn a_revoked_client_certificate_is_refused_in_the_handshake() {
    let pki = Pki::new();
    let revoked = pki.ca.issue_client("revoked-client", valid()).unwrap();
    pki.write("ca.crl", &pki.ca.crl(&[&revoked.serial], valid()).unwrap());
    let addr = free_addr();
    let config = pki.config(addr, "").replace(
        "client_ca = \"ca.pem\"",
        "client_ca = \"ca.pem\"\ncrls = [\"ca.crl\"]",
    );
    let config = pki.write("crl.toml", &config);
    let d = Launch::new(&config, addr).start(&pki);
    let err = get(d.addr, &pki, Some(&revoked), "/healthz").unwrap_err();
    assert!(err.contains("CertificateRevoked"), "{err}");
    assert_eq!(
        d.get(&pki, "/healthz").status,
        200,
        "unrevoked certificates still work"
    );
}

#[test]
fn an_expired_crl_is_refused_unless_allowed() {
    let pki = Pki::new();
    pki.write("old.crl", &pki.ca.crl(&[], expired()).unwrap());
    let config = pki.config(free_addr(), "").replace(
        "client_ca = \"ca.pem\"",
        "client_ca = \"ca.pem\"\ncrls = [\"old.crl\"]",
    );
    let path = pki.write("old-crl.toml", &config);
    let (status, _, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(status.code(), Some(78), "{err}");
    assert!(
        err.contains("tls.crls") && err.contains("expired on"),
        "{err}"
    );
    let allowed = config.replace(
        "crls = [\"old.crl\"]",
        "crls = [\"old.crl\"]\nallow_expired_crls = true",
    );
    let path = pki.write("old-crl-ok.toml", &allowed);
    let (status, out, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert!(status.success(), "{out}{err}");
    // A CRL from a CA that is not trusted is named.
    let other = palisade::identity::devpki::DevCa::new("Other CA", valid()).unwrap();
    pki.write("other.crl", &other.crl(&[], valid()).unwrap());
    let path = pki.write("other-crl.toml", &config.replace("old.crl", "other.crl"));
    let (status, _, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(status.code(), Some(78));
    assert!(err.contains("not a CA in tls.client_ca"), "{err}");
}

/// A CRL that names the trusted CA as issuer but is signed by another key
/// (forged, or altered) is refused by `config check` and at start, instead
/// of loading and then refusing every client at run time; so is one
/// without the CRL number rustls needs, with a message that says so.
#[test]
fn a_forged_crl_or_one_without_a_crl_number_is_refused_by_config_check() {
    let pki = Pki::new();
    let addr = free_addr();
    let with_crl = |file: &str| {
        pki.config(addr, "").replace(
            "client_ca = \"ca.pem\"",
            &format!("client_ca = \"ca.pem\"\ncrls = [\"{file}\"]"),
        )
    };
    // The genuine CRL passes.
    pki.write("good.crl", &pki.ca.crl(&[], valid()).unwrap());
    let path = pki.write("good-crl.toml", &with_crl("good.crl"));
    let (status, out, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert!(status.success(), "{out}{err}");
    // Same issuer name, another key.
    let impostor = palisade::identity::devpki::DevCa::new("Test CA", valid()).unwrap();
    pki.write("forged.crl", &impostor.crl(&[], valid()).unwrap());
    let path = pki.write("forged-crl.toml", &with_crl("forged.crl"));
    let (status, _, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(status.code(), Some(78), "{err}");
    assert!(
        err.contains("tls.crls") && err.contains("signature does not verify"),
        "{err}"
    );
    let mut d = Launch::new(&path, addr).spawn();
    let exit = d.wait_exit(std::time::Duration::from_secs(20));
    assert!(!exit.success());
    assert!(d.log().contains("signature does not verify"), "{}", d.log());
    // One byte of the genuine CRL's revoked list or dates changed.
    let good = pki.ca.crl(&[&[7u8; 8]], valid()).unwrap();
    let der = palisade_pem_body(&good);
    let mut altered = der.clone();
    let at = altered
        .windows(8)
        .position(|w| w == [7u8; 8])
        .expect("the serial is in the CRL");
    altered[at] = 8;
    pki.write("altered.crl", &pem("X509 CRL", &altered));
    let path = pki.write("altered-crl.toml", &with_crl("altered.crl"));
    let (status, _, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(status.code(), Some(78), "{err}");
    assert!(err.contains("signature does not verify"), "{err}");

    // No CRL number: made by openssl, as a hand-rolled CA would.
    let dir = pki.dir.path();
    pki.write("ca.key", pki.ca.key_pem());
    pki.write("index.txt", "");
    pki.write(
        "openssl.cnf",
        "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ndefault_md = sha256\ndefault_crl_days = 30\n",
    );
    let made = std::process::Command::new("openssl")
        .current_dir(dir)
        .args([
            "ca",
            "-gencrl",
            "-config",
            "openssl.cnf",
            "-keyfile",
            "ca.key",
            "-cert",
            "ca.pem",
            "-out",
            "plain.crl",
        ])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let path = pki.write("plain-crl.toml", &with_crl("plain.crl"));
    let (status, _, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(status.code(), Some(78), "{err}");
    assert!(err.contains("no CRL number"), "{err}");
}

fn palisade_pem_body(pem_text: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String = pem_text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

#[test]
fn a_jwks_url_is_fetched_cached_and_refetched_for_an_unknown_key() {
    let pki = Pki::new();
    let idp = DevSigner::generate_es256().unwrap();
    let server = JwksServer::start(&pki, &idp.jwks().to_string());
    let extra = format!(
        r#"
[[identity.issuers]]
issuer = "https://idp.example/realms/test"
audiences = ["palisade"]
jwks_url = "{}"
jwks_url_ca = "ca.pem"
jwks_cache = "idp-jwks.json"
jwks_refresh = "5s"
"#,
        server.url
    );
    let addr = free_addr();
    let config = pki.write("url.toml", &pki.config(addr, &extra));
    let claims = |sub: &str| {
        let mut c = pki.claims(sub, &["inference"]);
        c["iss"] = json!("https://idp.example/realms/test");
        c
    };
    let d = Launch::new(&config, addr).start(&pki);
    // Fetched before READY: the first request already verifies.
    assert_eq!(
        with_token(&d, &pki, &idp.sign(&claims("alice")).unwrap()).status,
        200
    );
    assert!(server.hits() >= 1);
    let cached = std::fs::read_to_string(pki.path("idp-jwks.json")).unwrap();
    assert!(cached.contains(idp.kid()), "{cached}");

    // The IdP rotates; a token with the new kid triggers a refetch.
    let next = DevSigner::generate_es256().unwrap();
    *server.body.lock().unwrap() = json!({"keys": [idp.jwk(), next.jwk()]}).to_string();
    let token = next.sign(&claims("bob")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while with_token(&d, &pki, &token).status != 200 {
        assert!(
            Instant::now() < deadline,
            "the rotated key was not fetched:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    drop(d);

    // The IdP is down at the next start: the cached copy serves.
    drop(server);
    std::thread::sleep(Duration::from_millis(100));
    let addr = free_addr();
    let config = pki.write("url2.toml", &pki.config(addr, &extra));
    let d = Launch::new(&config, addr).start(&pki);
    assert_eq!(with_token(&d, &pki, &token).status, 200, "{}", d.log());
    assert!(d.log().contains("JWKS fetch failed"), "{}", d.log());
}

#[test]
fn identity_configuration_errors_are_named() {
    let pki = Pki::new();
    pki.write(
        "hmac.json",
        r#"{"keys": [{"kty": "oct", "kid": "shared", "k": "c2VjcmV0"}]}"#,
    );
    let extra = r#"
[identity]
algorithms = ["ES256", "HS256"]
leeway = "10m"

[[identity.issuers]]
issuer = "https://second.example"
audiences = []
jwks_file = "hmac.json"
[identity.issuers.role_map]
"admins" = ["root"]

[[identity.issuers]]
issuer = "https://third.example"
audiences = ["palisade"]
jwks_url = "http://plain.example/jwks"
"#;
    // The kit's issuer comes first, so these are issuers [1] and [2].
    let config = pki.config(free_addr(), extra);
    let path = pki.write("bad-identity.toml", &config);
    let (status, _, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(status.code(), Some(78), "{err}");
    for needle in [
        "identity.leeway: at most 5m",
        "identity.algorithms: HS256 is refused",
        "identity.issuers[1].audiences: list at least one audience",
        "identity.issuers[1].role_map.admins: unknown role \"root\"",
        "identity.issuers[2].jwks_url: \"http://plain.example/jwks\" is not an https:// URL",
        "identity.issuers[2].jwks_url_ca: missing",
        "identity.issuers[2].jwks_cache: missing",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in\n{err}");
    }
    // A symmetric key in a JWKS is refused by name.
    let config = pki
        .config(free_addr(), "")
        .replace("jwks_file = \"jwks.json\"", "jwks_file = \"hmac.json\"");
    let path = pki.write("hmac.toml", &config);
    let (status, _, err) = run(&["config", "check", path.to_str().unwrap()]);
    assert_eq!(status.code(), Some(78), "{err}");
    assert!(
        err.contains("key \"shared\" is a symmetric (kty \"oct\") key"),
        "{err}"
    );
}

/// An RSA issuer as Entra ID and most IdPs run: RS256 and PS256 tokens
/// verify; HS256 keyed with the RSA public key (the classic algorithm
/// confusion) is refused.
#[test]
fn rsa_issuers_verify_rs256_and_ps256_and_refuse_alg_confusion() {
    use x509_parser::prelude::FromDer;
    let pki = Pki::new();
    let key = rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        .unwrap();
    let spki_der = rcgen::PublicKeyData::subject_public_key_info(&key);
    let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&spki_der).unwrap();
    let x509_parser::public_key::PublicKey::RSA(rsa) = spki.parsed().unwrap() else {
        panic!("not RSA")
    };
    let strip = |b: &[u8]| {
        b.iter()
            .skip_while(|x| **x == 0)
            .copied()
            .collect::<Vec<u8>>()
    };
    let jwks = json!({"keys": [{"kty": "RSA", "kid": "rsa-1", "use": "sig",
        "n": URL_SAFE_NO_PAD.encode(strip(rsa.modulus)), "e": URL_SAFE_NO_PAD.encode(strip(rsa.exponent))}]});
    pki.write("rsa.json", &jwks.to_string());
    let d = start(
        &pki,
        "[[identity.issuers]]\nissuer = \"https://login.example/tenant/v2.0\"\naudiences = [\"palisade\"]\njwks_file = \"rsa.json\"\n",
    );
    let mut claims = pki.claims("carol", &["inference"]);
    claims["iss"] = json!("https://login.example/tenant/v2.0");
    let encoding = jsonwebtoken::EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes()).unwrap();
    for alg in [
        jsonwebtoken::Algorithm::RS256,
        jsonwebtoken::Algorithm::PS256,
    ] {
        let mut header = jsonwebtoken::Header::new(alg);
        header.kid = Some("rsa-1".into());
        let token = jsonwebtoken::encode(&header, &claims, &encoding).unwrap();
        let r = with_token(&d, &pki, &token);
        assert_eq!(r.status, 200, "{alg:?}: {r:?}");
        assert_eq!(r.json()["subject"], "carol");
    }
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("rsa-1".into());
    let secret = jsonwebtoken::EncodingKey::from_secret(key.public_key_pem().as_bytes()).unwrap();
    let confused = jsonwebtoken::encode(&header, &claims, &secret).unwrap();
    rejected(&d, &pki, &confused, "algorithm_not_allowed");
}
