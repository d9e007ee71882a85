//! The identity step of a request, without the network: the client
//! certificate is already verified by TLS; what is measured is bearer-token
//! verification, claim mapping, the role check and the rate-limit admit,
//! as `serving::auth::authorize` runs them. The baseline is the same step
//! with the signature check's cost removed as far as possible: parsing and
//! refusing a token of an untrusted issuer.
//!
//! Run: `cargo bench --bench identity`; numbers go to docs/benchmarks.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use palisade::config::{IdentityConfig, IssuerConfig, RateLimitsConfig};
use palisade::identity::client_cert::ClientCertIdentity;
use palisade::identity::devtoken::DevSigner;
use palisade::identity::jwt::Authenticator;
use palisade::identity::principal::{ClaimMapping, Role};
use palisade::identity::ratelimit::RateLimiter;
use serde_json::json;

fn issuer(name: &str, jwks: &std::path::Path) -> IssuerConfig {
    IssuerConfig {
        issuer: name.to_owned(),
        audiences: vec!["palisade".to_owned()],
        jwks_file: Some(jwks.to_path_buf()),
        jwks_url: None,
        jwks_url_ca: None,
        jwks_cache: None,
        jwks_refresh: std::time::Duration::from_secs(900),
        claims: ClaimMapping::default(),
        role_map: Default::default(),
        default_tenant: None,
        dev_signing_key: None,
        reject_high_s: false,
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let es = DevSigner::generate_es256().unwrap();
    let ed = DevSigner::generate_ed25519().unwrap();
    std::fs::write(dir.path().join("es.json"), es.jwks().to_string()).unwrap();
    std::fs::write(dir.path().join("ed.json"), ed.jwks().to_string()).unwrap();
    let config = IdentityConfig {
        issuers: vec![
            issuer("https://es.example", &dir.path().join("es.json")),
            issuer("https://ed.example", &dir.path().join("ed.json")),
        ],
        ..IdentityConfig::default()
    };
    let authn = Authenticator::new(&config).unwrap();
    // Unlimited, so the bench measures the bookkeeping, not refusals.
    let limiter = RateLimiter::new(RateLimitsConfig {
        default: palisade::config::Limit {
            requests_per_minute: 1_000_000_000,
            tokens_per_minute: 0,
        },
        ..RateLimitsConfig::default()
    });
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = |iss: &str| {
        json!({"iss": iss, "aud": "palisade", "sub": "alice", "tenant": "acme",
               "roles": ["inference"], "data_classes": ["pii"], "iat": now, "exp": now + 3600})
    };
    let es_token = format!("Bearer {}", es.sign(&claims("https://es.example")).unwrap());
    let ed_token = format!("Bearer {}", ed.sign(&claims("https://ed.example")).unwrap());
    let stranger = format!(
        "Bearer {}",
        es.sign(&claims("https://stranger.example")).unwrap()
    );
    let cert = ClientCertIdentity {
        subject: "CN=app".into(),
        issuer: "CN=CA".into(),
        serial: "01".into(),
        sans: vec![],
        thumbprint_s256: "x".repeat(43),
    };

    let step = |token: &str| {
        let p = authn
            .authenticate(Some(token.as_bytes()), Some(&cert), SystemTime::now())
            .unwrap();
        assert!(p.has(Role::Inference));
        limiter.admit(&p, Instant::now()).unwrap();
        p
    };
    let mut group = c.benchmark_group("identity");
    group.bench_function("refuse_untrusted_issuer_baseline", |b| {
        b.iter(|| {
            authn
                .authenticate(Some(stranger.as_bytes()), Some(&cert), SystemTime::now())
                .unwrap_err()
        })
    });
    group.bench_function("authorize_es256", |b| b.iter(|| step(&es_token)));
    group.bench_function("authorize_eddsa", |b| b.iter(|| step(&ed_token)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
