//! Installation licenses through the CLI and the daemon: signed with the
//! development signer, every bad license named, and a node whose license
//! is not in force serving no model.

use std::path::Path;

use serde_json::{Value, json};

use crate::kit::*;

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/llama4-tiny")
        .display()
        .to_string()
}

/// The fixture's weights digest, as `model inspect` prints it.
fn fixture_digest() -> String {
    let (status, out, err) = run(&["model", "inspect", &fixture()]);
    assert!(status.success(), "{err}");
    out.lines()
        .find_map(|l| {
            l.strip_prefix("weights digest")
                .map(|d| d.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no digest in {out}"))
}

fn terms(digest: &str) -> Value {
    json!({
        "schema": 1,
        "license_id": "LIC-IT-1",
        "licensee": "Example Hospital",
        "issued_at": "2026-01-01T00:00:00Z",
        "not_before": "2026-01-01T00:00:00Z",
        "expires_at": "2099-01-01T00:00:00Z",
        "grace_days": 30,
        "node_limit": 2,
        "features": ["serving"],
        "models": [{"id": "llama4-tiny", "weights_digest": digest}],
        "mau_limit": 100,
        "mau_mode": "enforce",
    })
}

struct Vendor {
    dir: tempfile::TempDir,
    public: String,
}

impl Vendor {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("vendor.key");
        let (status, out, err) = run(&["license", "keygen", "--out", key.to_str().unwrap()]);
        assert!(status.success(), "{err}");
        assert!(out.trim().starts_with("ed25519:"), "{out}");
        Self {
            public: out.trim().to_owned(),
            dir,
        }
    }

    /// Signs `terms`; the license file's path, or the signer's error.
    fn sign(&self, name: &str, terms: &Value) -> Result<String, String> {
        let t = self.dir.path().join(format!("{name}.terms.json"));
        std::fs::write(&t, terms.to_string()).unwrap();
        let out = self.dir.path().join(format!("{name}.json"));
        let key = self.dir.path().join("vendor.key");
        let (status, _, err) = run(&[
            "license",
            "sign",
            "--key",
            key.to_str().unwrap(),
            "--terms",
            t.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        if status.success() {
            Ok(out.display().to_string())
        } else {
            Err(err)
        }
    }
}

fn verify(file: &str, key: &str, model: bool) -> (bool, String, String) {
    let mut args = vec!["license", "verify", file, "--public-key", key];
    let fixture = fixture();
    if model {
        args.extend(["--model", &fixture, "--model-id", "llama4-tiny"]);
    }
    let (status, out, err) = run(&args);
    (status.success(), out, err)
}

#[test]
fn license_files_verify_or_say_exactly_what_is_wrong() {
    let vendor = Vendor::new();
    let digest = fixture_digest();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    let good = vendor.sign("good", &terms(&digest)).unwrap();
    let (ok, out, err) = verify(&good, &vendor.public, true);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("LIC-IT-1") && out.contains("valid until 2099"),
        "{out}"
    );

    // A flipped byte in the terms.
    let text = std::fs::read_to_string(&good).unwrap();
    let flipped = text.replacen("Example Hospital", "Example Hospitam", 1);
    let tampered = vendor.dir.path().join("tampered.json");
    std::fs::write(&tampered, flipped).unwrap();
    let (ok, _, err) = verify(tampered.to_str().unwrap(), &vendor.public, false);
    assert!(!ok);
    assert!(err.contains("signature does not verify"), "{err}");

    // Signed by another key.
    let other = Vendor::new();
    let (ok, _, err) = verify(&good, &other.public, false);
    assert!(!ok);
    assert!(err.contains("not the configured vendor key"), "{err}");

    // Expired beyond its grace period; not yet valid.
    let mut t = terms(&digest);
    t["expires_at"] = json!("2026-02-01T00:00:00Z");
    t["grace_days"] = json!(3);
    let expired = vendor.sign("expired", &t).unwrap();
    let (ok, _, err) = verify(&expired, &vendor.public, false);
    assert!(!ok);
    assert!(
        err.contains("expired 2026-02-01") && err.contains("grace period over"),
        "{err}"
    );
    let mut t = terms(&digest);
    t["not_before"] = json!("2098-01-01T00:00:00Z");
    let early = vendor.sign("early", &t).unwrap();
    let (ok, _, err) = verify(&early, &vendor.public, false);
    assert!(!ok);
    assert!(err.contains("not valid before 2098"), "{err}");

    // Missing fields are refused by the signer, naming the field.
    let mut t = terms(&digest);
    t.as_object_mut().unwrap().remove("node_limit");
    let err = vendor.sign("missing", &t).unwrap_err();
    assert!(err.contains("missing `node_limit`"), "{err}");

    // A model the license does not cover, or other weights under its id.
    let mut t = terms(&digest);
    t["models"] = json!([{"id": "mixtral", "weights_digest": digest}]);
    let other_model = vendor.sign("other-model", &t).unwrap();
    let (ok, _, err) = verify(&other_model, &vendor.public, true);
    assert!(!ok);
    assert!(
        err.contains("does not cover the model \"llama4-tiny\""),
        "{err}"
    );
    let wrong_weights = vendor
        .sign(
            "wrong-weights",
            &terms(&format!("sha256:{}", "0".repeat(64))),
        )
        .unwrap();
    let (ok, _, err) = verify(&wrong_weights, &vendor.public, true);
    assert!(!ok);
    assert!(err.contains("but these weights are sha256:"), "{err}");
}

fn serve_with(pki: &Pki, license: &str, key: &str) -> (Daemon, std::path::PathBuf) {
    let addr = free_addr();
    let extra = format!(
        "[model]\npath = \"{}\"\nid = \"llama4-tiny\"\ndtype = \"f32\"\n\n[license]\nfile = \"{license}\"\nvendor_public_key = \"{key}\"\n",
        fixture()
    );
    let config = pki.write_config(addr, &extra);
    (Launch::new(&config, addr).start(pki), config)
}

#[test]
fn the_daemon_serves_only_under_a_license_in_force() {
    let vendor = Vendor::new();
    let digest = fixture_digest();
    // The fixture carries no license text; the operator's file names it.
    let good = vendor.sign("good", &terms(&digest)).unwrap();
    let pki = Pki::new();
    let token = pki.token("alice", &["inference"]);
    let (daemon, config) = serve_with(&pki, &good, &vendor.public);
    let ready = wait_ready(&daemon, &pki);
    assert_eq!(ready.status, 200, "{}", ready.body);
    // `license show` checks the configured license as the daemon does.
    let (status, out, err) = run(&["license", "show", "--config", config.to_str().unwrap()]);
    assert!(status.success(), "{out}{err}");
    assert!(
        out.contains("LIC-IT-1") && out.contains("Example Hospital"),
        "{out}"
    );
    // `license verify FILE --config C`, the form the interface names: the
    // vendor key and the model that configuration trusts.
    let config_arg = config.to_str().unwrap();
    let (status, out, err) = run(&["license", "verify", &good, "--config", config_arg]);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains("LIC-IT-1"), "{out}");
    let other_vendor = Vendor::new();
    let other = other_vendor.sign("other", &terms(&digest)).unwrap();
    let (status, _, err) = run(&["license", "verify", &other, "--config", config_arg]);
    assert!(!status.success());
    assert!(err.contains("not the configured vendor key"), "{err}");
    let (status, _, err) = run(&["license", "verify", &good]);
    assert!(!status.success());
    assert!(
        err.contains("--public-key") && err.contains("--config"),
        "{err}"
    );
    let models = daemon.get_with_token(&pki, "/v1/models", &token);
    assert_eq!(
        models.json()["data"][0]["id"],
        "llama4-tiny",
        "{}",
        models.body
    );
    drop(daemon);

    // Expired beyond grace: not ready, and /readyz says why.
    let mut t = terms(&digest);
    t["expires_at"] = json!("2026-02-01T00:00:00Z");
    t["grace_days"] = json!(0);
    let expired = vendor.sign("expired", &t).unwrap();
    let (daemon, _) = serve_with(&pki, &expired, &vendor.public);
    let r = wait_ready(&daemon, &pki);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("LIC-IT-1 is expired"), "{}", r.body);
    let v1 = daemon.get_with_token(&pki, "/v1/models", &token);
    assert!(
        v1.json()["data"].as_array().unwrap().is_empty(),
        "{}",
        v1.body
    );
    drop(daemon);

    // Another model's license: the model is not served, and says why.
    let mut t = terms(&digest);
    t["models"] = json!([{"id": "mixtral", "weights_digest": digest}]);
    let other = vendor.sign("other", &t).unwrap();
    let (daemon, _) = serve_with(&pki, &other, &vendor.public);
    let r = wait_ready(&daemon, &pki);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("does not cover the model"), "{}", r.body);
}

/// `/readyz` once the model component has settled (ready or not).
fn wait_ready(daemon: &Daemon, pki: &Pki) -> Response {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let r = daemon.get(pki, "/readyz");
        if r.status == 200 || !r.body.contains("starting") || std::time::Instant::now() > deadline {
            return r;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A chat request through curl with the demo's client certificate, as
/// `subject` (a token minted by the demo's issuer): status and body.
fn demo_chat(dir: &Path, addr: std::net::SocketAddr, subject: &str) -> (u16, Value) {
    let (status, body) = demo_call(
        dir,
        addr,
        subject,
        "inference",
        "/v1/chat/completions",
        Some(r#"{"messages": [{"role": "user", "content": "hello"}], "max_tokens": 2}"#),
    );
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// A request through curl with the demo's client certificate and a token
/// for `subject` with `roles`: status and body text.
fn demo_call(
    dir: &Path,
    addr: std::net::SocketAddr,
    subject: &str,
    roles: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String) {
    let mint = ["--sub", subject, "--tenant", "ward-7", "--roles", roles];
    crate::demo::demo_request(dir, addr.port(), &mint, path, body, &[])
}

/// `palisade demo init --mau-limit 2`: two subjects are served, a third is
/// refused while the first two keep working, the crossing and the refusal
/// are in the audit trail, and a restart (after a kill) keeps the count.
#[test]
fn an_enforced_mau_limit_refuses_new_subjects_and_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let addr = free_addr();
    crate::demo::demo_init(&dir, addr, &["--mau-limit", "2"]);
    let config = dir.join("palisade.toml");
    let serve = || crate::demo::demo_serve(&dir, addr.port());
    let mut daemon = serve();
    assert_eq!(demo_chat(&dir, addr, "alice").0, 200);
    assert_eq!(demo_chat(&dir, addr, "bob").0, 200);
    let (status, body) = demo_chat(&dir, addr, "carol");
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "license_mau_exceeded", "{body}");
    assert_eq!(
        demo_chat(&dir, addr, "alice").0,
        200,
        "active subjects keep working"
    );
    // Killed, not stopped: every new subject was committed before its answer.
    let _ = daemon.kill();
    let _ = daemon.wait();
    let mut daemon = serve();
    assert_eq!(demo_chat(&dir, addr, "carol").0, 403, "the count survived");
    assert_eq!(demo_chat(&dir, addr, "bob").0, 200);
    // The signed report over HTTPS, for an auditor.
    let month = palisade::mau::month_of(time::OffsetDateTime::now_utc());
    let (status, note) = demo_call(&dir, addr, "audra", "auditor", "/admin/v1/mau", None);
    assert_eq!(status, 200, "{note}");
    let (status, _) = demo_call(&dir, addr, "alice", "inference", "/admin/v1/mau", None);
    assert_eq!(status, 403, "the report is for auditors");
    let (_, metrics) = demo_call(&dir, addr, "ops", "metrics", "/metrics", None);
    for line in [
        "palisade_mau_active_users 2",
        "palisade_mau_limit 2",
        "palisade_mau_refused_total 1",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} not in {metrics}"
        );
    }
    let _ = daemon.kill();
    let _ = daemon.wait();

    // The same report from the CLI; both verify with the node's audit
    // verifier key, and a changed count does not.
    let public = dir.join("audit/checkpoint.key.pub");
    let from_cli = tmp.path().join("mau.note");
    let (status, _, err) = run(&[
        "mau",
        "report",
        "--config",
        config.to_str().unwrap(),
        "--month",
        &month,
        "--out",
        from_cli.to_str().unwrap(),
    ]);
    assert!(status.success(), "{err}");
    let from_http = tmp.path().join("mau-http.note");
    std::fs::write(&from_http, &note).unwrap();
    for file in [&from_cli, &from_http] {
        let (status, out, err) = run(&[
            "mau",
            "verify",
            file.to_str().unwrap(),
            "--public-key",
            public.to_str().unwrap(),
        ]);
        assert!(status.success(), "{err}");
        assert!(out.contains("2 monthly active users (exact)"), "{out}");
        assert!(out.contains("tenant ward-7: 2"), "{out}");
        assert!(out.contains("model model: 2"), "{out}");
        assert!(out.contains("limit 2, mode Enforce"), "{out}");
    }
    let forged = std::fs::read_to_string(&from_cli)
        .unwrap()
        .replace("\"subjects\":2", "\"subjects\":1");
    assert_ne!(forged, std::fs::read_to_string(&from_cli).unwrap());
    std::fs::write(&from_cli, forged).unwrap();
    let (status, _, err) = run(&[
        "mau",
        "verify",
        from_cli.to_str().unwrap(),
        "--public-key",
        public.to_str().unwrap(),
    ]);
    assert!(!status.success());
    assert!(err.contains("no valid signature"), "{err}");

    let export = tmp.path().join("audit.jsonl");
    let (status, out, err) = run(&[
        "audit",
        "export",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "jsonl",
        "--out",
        export.to_str().unwrap(),
    ]);
    assert!(status.success(), "{out}{err}");
    let records: Vec<Value> = std::fs::read_to_string(&export)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["event"].clone())
        .collect();
    let crossed: Vec<&Value> = records
        .iter()
        .filter(|r| r["event_type"] == "mau_threshold_crossed")
        .collect();
    assert_eq!(
        crossed.len(),
        1,
        "{:?}",
        records
            .iter()
            .map(|r| r["event_type"].clone())
            .collect::<Vec<_>>()
    );
    assert!(
        crossed[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("100% of the license's limit (2 of 2 in "),
        "{}",
        crossed[0]
    );
    // Each start checked the license, and said so.
    let checks: Vec<&Value> = records
        .iter()
        .filter(|r| r["event_type"] == "license_checked")
        .collect();
    assert_eq!(checks.len(), 2, "{checks:?}");
    assert!(
        checks
            .iter()
            .all(|c| c["outcome"] == "valid"
                && c["license_id"].as_str().unwrap().starts_with("DEMO-"))
    );
    let refused = records
        .iter()
        .filter(|r| {
            r["event_type"] == "inference_refused" && r["error_code"] == "license_mau_exceeded"
        })
        .count();
    assert_eq!(refused, 2);
    let counted: Vec<&Value> = records
        .iter()
        .filter(|r| r["event_type"] == "mau_subject_counted")
        .collect();
    assert_eq!(counted.len(), 2, "alice and bob, once each: {counted:?}");
    assert!(counted.iter().all(|r| r["mau_month"] == month.as_str()));

    // The count reset through the database while the node is down: the
    // report refuses to sign a count its evidence contradicts, and a
    // restart restores the count from the trail, so no one new is served
    // past the limit.
    let db = format!("sqlite:{}", dir.join("audit/audit.db").display());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
            sqlx::query("DELETE FROM mau_subjects")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
    let (status, _, err) = run(&[
        "mau",
        "report",
        "--config",
        config.to_str().unwrap(),
        "--month",
        &month,
    ]);
    assert!(!status.success(), "a report over a reset count was signed");
    assert!(err.contains("disagrees with the audit trail"), "{err}");
    let mut daemon = serve();
    for newcomer in ["carol", "dave"] {
        let (status, body) = demo_chat(&dir, addr, newcomer);
        assert_eq!(status, 403, "{newcomer} was served past the limit: {body}");
    }
    assert_eq!(demo_chat(&dir, addr, "alice").0, 200);
    let _ = daemon.kill();
    let _ = daemon.wait();
    let (status, out, err) = run(&[
        "mau",
        "report",
        "--config",
        config.to_str().unwrap(),
        "--month",
        &month,
    ]);
    assert!(status.success(), "{err}");
    assert!(out.contains("\"subjects\":2"), "{out}");
}

/// The license's feature flags and node limit: a license without
/// `serving` serves no model; one without `fleet` serves none from a
/// PostgreSQL store; one whose node limit the fleet on that store already
/// fills serves none on a further node. Each says why in `/readyz`.
#[test]
fn features_and_the_node_limit_are_enforced() {
    let vendor = Vendor::new();
    let digest = fixture_digest();
    let pki = Pki::new();

    let mut t = terms(&digest);
    t["features"] = json!(["audit"]);
    let no_serving = vendor.sign("no-serving", &t).unwrap();
    let (daemon, _) = serve_with(&pki, &no_serving, &vendor.public);
    let r = wait_ready(&daemon, &pki);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(
        r.body.contains("does not include the `serving` feature"),
        "{}",
        r.body
    );
    drop(daemon);

    // A fleet store: PostgreSQL, with another node already active on it.
    let suffix = format!(
        "{}-{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    );
    let (other, this) = (format!("fleet-a-{suffix}"), format!("fleet-b-{suffix}"));
    // A database of its own: every node on a store counts, and other tests
    // share the `test` database.
    let database = format!("palisade_fleet_{}", suffix.replace('-', "_"));
    let postgres = format!("postgres://postgres@127.0.0.1:5432/{database}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let admin = sqlx::PgPool::connect("postgres://postgres@127.0.0.1:5432/test")
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {database}"))
            .execute(&admin)
            .await
            .unwrap();
        let store = palisade::audit::store::Store::open(&postgres)
            .await
            .unwrap();
        store
            .add_checkpoint(&other, 1, &[0u8; 32], "a checkpoint of another node")
            .await
            .unwrap();
    });
    let on_fleet = |license: &str| {
        let addr = free_addr();
        let extra = format!(
            "[model]\npath = \"{}\"\nid = \"llama4-tiny\"\ndtype = \"f32\"\n\n[license]\nfile = \"{license}\"\nvendor_public_key = \"{}\"\n",
            fixture(),
            vendor.public
        );
        let config = pki
            .config(addr, &extra)
            .replace(
                "version = 1\n",
                &format!("version = 1\n[node]\nid = \"{this}\"\n"),
            )
            .replace(
                "store = \"sqlite:audit/audit.db\"",
                &format!("store = \"{postgres}\""),
            );
        let path = pki.write("fleet.toml", &config);
        Launch::new(&path, addr).start(&pki)
    };
    // `features: ["serving"]` lacks `fleet`.
    let daemon = on_fleet(&vendor.sign("no-fleet", &terms(&digest)).unwrap());
    let r = wait_ready(&daemon, &pki);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(
        r.body.contains("does not include the `fleet` feature"),
        "{}",
        r.body
    );
    drop(daemon);
    // One node allowed, another already active: this one does not serve.
    let mut t = terms(&digest);
    t["features"] = json!(["serving", "fleet"]);
    t["node_limit"] = json!(1);
    let one_node = vendor.sign("one-node", &t).unwrap();
    let daemon = on_fleet(&one_node);
    let r = wait_ready(&daemon, &pki);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(
        r.body.contains("allows 1 node(s), and 2 are active"),
        "{}",
        r.body
    );
    assert!(r.body.contains(&other), "{}", r.body);
    drop(daemon);
    // Two allowed: it serves.
    t["node_limit"] = json!(2);
    let two_nodes = vendor.sign("two-nodes", &t).unwrap();
    let daemon = on_fleet(&two_nodes);
    let r = wait_ready(&daemon, &pki);
    assert_eq!(r.status, 200, "{}", r.body);
    drop(daemon);
    runtime.block_on(async {
        let admin = sqlx::PgPool::connect("postgres://postgres@127.0.0.1:5432/test")
            .await
            .unwrap();
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            .execute(&admin)
            .await;
    });
}
