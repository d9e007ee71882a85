//! The audit trail: what the daemon records, and `palisade audit verify`
//! catching every kind of tampering, with the right index, in SQLite and in
//! PostgreSQL (the server on 127.0.0.1:5432 that .ci/run starts).

use std::path::Path;
use std::time::Duration;

use palisade::audit::checkpoint::CheckpointSigner;
use palisade::audit::log::{AuditLog, LogSettings};
use palisade::audit::merkle::leaf_hash;
use palisade::audit::record::{AuditEvent, AuditRecord, EventType, encode};
use palisade::audit::store::Store;
use serde_json::{Value, json};

use crate::kit::*;

const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Writes a log of `n` records (checkpoint after all of them) for `log_id`
/// into `store_url`, and a config naming it; returns the config path.
fn make_log(dir: &Path, store_url: &str, log_id: &str, n: u64) -> std::path::PathBuf {
    make_log_at(dir, store_url, log_id, n, time::OffsetDateTime::now_utc())
}

fn make_log_at(
    dir: &Path,
    store_url: &str,
    log_id: &str,
    n: u64,
    at: time::OffsetDateTime,
) -> std::path::PathBuf {
    let (signer, private) = CheckpointSigner::generate(&format!("palisade-{log_id}")).unwrap();
    std::fs::write(dir.join("checkpoint.key"), format!("{private}\n")).unwrap();
    std::fs::write(
        dir.join("checkpoint.key.pub"),
        format!("{}\n", signer.verifier_key()),
    )
    .unwrap();
    runtime().block_on(async {
        let store = Store::open(store_url).await.unwrap();
        let log = AuditLog::start(
            store,
            signer,
            LogSettings {
                log_id: log_id.to_owned(),
                checkpoint_every_records: 1_000_000,
                checkpoint_interval: Duration::from_secs(3600),
                checkpoint_file: None,
                checkpoint_feed: None,
            },
        )
        .await
        .unwrap();
        for i in 0..n {
            let mut e = AuditEvent::new(EventType::AuthenticationFailed, log_id, at);
            e.status = Some(401);
            e.reason = Some(format!("expired-{i}"));
            assert_eq!(log.append(e).await.unwrap(), i);
        }
        log.checkpoint().await.unwrap().unwrap();
    });
    let config = format!(
        "version = 1\n[node]\nid = \"{log_id}\"\n[tls]\ncert = \"x.pem\"\nkey = \"x.key\"\nclient_ca = \"ca.pem\"\n\
         [audit]\nstore = \"{store_url}\"\nsigning_key = \"checkpoint.key\"\npseudonym_key = \"pseudonym.key\"\n"
    );
    let path = dir.join(format!("{log_id}.toml"));
    std::fs::write(&path, config).unwrap();
    path
}

fn verify(config: &Path) -> (bool, String) {
    let (status, out, err) = run(&["audit", "verify", "--config", config.to_str().unwrap()]);
    (status.success(), format!("{out}{err}"))
}

/// Binds `binds` to a query of either backend.
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut q = $query;
        for b in $binds {
            q = match b {
                Bind::Text(t) => q.bind(t.clone()),
                Bind::Int(i) => q.bind(*i),
                Bind::Bytes(v) => q.bind(v.clone()),
                Bind::Null => q.bind(None::<String>),
            };
        }
        q
    }};
}

/// Raw SQL against either store, with `$n` placeholders written as `?n` for SQLite.
fn exec(store_url: &str, sql: &str, binds: &[Bind]) {
    runtime().block_on(async {
        if store_url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(store_url).await.unwrap();
            let sql = sql.replace('$', "?");
            bind_all!(sqlx::query(&sql), binds)
                .execute(&pool)
                .await
                .unwrap();
        } else {
            let pool = sqlx::PgPool::connect(store_url).await.unwrap();
            bind_all!(sqlx::query(sql), binds)
                .execute(&pool)
                .await
                .unwrap();
        }
    });
}

#[derive(Clone)]
enum Bind {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
    Null,
}

fn record_at(store_url: &str, log_id: &str, index: u64) -> AuditRecord {
    runtime().block_on(async {
        let store = Store::open(store_url).await.unwrap();
        let all = store.records(log_id).await.unwrap();
        serde_json::from_str(&all.iter().find(|r| r.index == index).unwrap().record).unwrap()
    })
}

/// Rewrites record `index` as `edit` makes it, re-encoding it canonically
/// and (when `fix_leaf`) updating its stored leaf hash too, as an attacker
/// with database access and the source code would.
fn rewrite(
    store_url: &str,
    log_id: &str,
    index: u64,
    fix_leaf: bool,
    edit: impl Fn(&mut AuditRecord),
) {
    let mut r = record_at(store_url, log_id, index);
    edit(&mut r);
    let text = encode(&r).unwrap();
    let (id, at) = (Bind::Text(log_id.into()), Bind::Int(index as i64));
    if fix_leaf {
        let leaf = Bind::Bytes(leaf_hash(text.as_bytes()).to_vec());
        exec(
            store_url,
            "UPDATE audit_records SET record = $1, leaf_hash = $2 WHERE log_id = $3 AND log_index = $4",
            &[Bind::Text(text), leaf, id, at],
        );
    } else {
        exec(
            store_url,
            "UPDATE audit_records SET record = $1 WHERE log_id = $2 AND log_index = $3",
            &[Bind::Text(text), id, at],
        );
    }
}

fn assert_fails_at(config: &Path, index: u64, words: &str) {
    let (ok, out) = verify(config);
    assert!(!ok, "verification passed on a tampered log:\n{out}");
    assert!(
        out.contains(&format!("FAILED: log index {index}:")),
        "expected index {index}:\n{out}"
    );
    assert!(out.contains(words), "expected {words:?}:\n{out}");
}

fn tampering_is_caught(store_url: &str, dir: &Path, prefix: &str) {
    let id = |case: &str| format!("{prefix}-{case}");

    let c = make_log(dir, store_url, &id("clean"), 20);
    let (ok, out) = verify(&c);
    assert!(ok, "{out}");
    assert!(
        out.contains("20 records (0 pruned by retention), 1 signed checkpoints"),
        "{out}"
    );

    // An UPDATE of one field.
    let c = make_log(dir, store_url, &id("update"), 20);
    rewrite(store_url, &id("update"), 5, false, |r| {
        r.event.status = Some(200)
    });
    assert_fails_at(&c, 5, "altered");

    // The same, with the stored leaf hash recomputed.
    let c = make_log(dir, store_url, &id("update-leaf"), 20);
    rewrite(store_url, &id("update-leaf"), 5, true, |r| {
        r.event.reason = Some("nothing happened".into())
    });
    assert_fails_at(&c, 5, "committed to");

    // The last record, leaf recomputed: only the checkpoint can tell.
    let c = make_log(dir, store_url, &id("update-last"), 20);
    rewrite(store_url, &id("update-last"), 19, true, |r| {
        r.event.status = Some(200)
    });
    assert_fails_at(&c, 19, "signed checkpoint");

    // A DELETE.
    let c = make_log(dir, store_url, &id("delete"), 20);
    exec(
        store_url,
        "DELETE FROM audit_records WHERE log_id = $1 AND log_index = 7",
        &[Bind::Text(id("delete"))],
    );
    assert_fails_at(&c, 7, "missing");

    // Two records swapped.
    let c = make_log(dir, store_url, &id("swap"), 20);
    let log = id("swap");
    exec(
        store_url,
        "UPDATE audit_records SET log_index = 1000 WHERE log_id = $1 AND log_index = 3",
        &[Bind::Text(log.clone())],
    );
    exec(
        store_url,
        "UPDATE audit_records SET log_index = 3 WHERE log_id = $1 AND log_index = 4",
        &[Bind::Text(log.clone())],
    );
    exec(
        store_url,
        "UPDATE audit_records SET log_index = 4 WHERE log_id = $1 AND log_index = 1000",
        &[Bind::Text(log.clone())],
    );
    assert_fails_at(&c, 3, "holds the record of index 4");

    // A record inserted at 8, the later ones renumbered, the forged one
    // carrying the right prev_root.
    let c = make_log(dir, store_url, &id("insert"), 20);
    let log = id("insert");
    exec(
        store_url,
        "UPDATE audit_records SET log_index = log_index + 1000 WHERE log_id = $1 AND log_index >= 8",
        &[Bind::Text(log.clone())],
    );
    exec(
        store_url,
        "UPDATE audit_records SET log_index = log_index - 999 WHERE log_id = $1 AND log_index >= 1000",
        &[Bind::Text(log.clone())],
    );
    let mut forged = record_at(store_url, &log, 9); // the original index 8, now at 9
    forged.event.reason = Some("forged".into());
    let text = encode(&forged).unwrap();
    exec(
        store_url,
        "INSERT INTO audit_records (log_id, log_index, leaf_hash, record) VALUES ($1, $2, $3, $4)",
        &[
            Bind::Text(log.clone()),
            Bind::Int(8),
            Bind::Bytes(leaf_hash(text.as_bytes()).to_vec()),
            Bind::Text(text),
        ],
    );
    assert_fails_at(&c, 8, "inserted");

    // A forged checkpoint: a bigger size signed by another key.
    let c = make_log(dir, store_url, &id("forged-checkpoint"), 20);
    let (mallory, _) =
        CheckpointSigner::generate(&format!("palisade-{}", id("forged-checkpoint"))).unwrap();
    let root = record_at(store_url, &id("forged-checkpoint"), 19).prev_root;
    let note = mallory.sign(&palisade::audit::checkpoint::Checkpoint {
        origin: format!("palisade/{}", id("forged-checkpoint")),
        size: 19,
        root: {
            let bytes: Vec<u8> = (0..64)
                .step_by(2)
                .map(|i| u8::from_str_radix(&root[i..i + 2], 16).unwrap())
                .collect();
            bytes.try_into().unwrap()
        },
    });
    exec(
        store_url,
        "INSERT INTO audit_checkpoints (log_id, tree_size, root_hash, note, created_at) VALUES ($1, 19, $2, $3, '2026-01-01T00:00:00Z')",
        &[
            Bind::Text(id("forged-checkpoint")),
            Bind::Bytes(vec![0; 32]),
            Bind::Text(note),
        ],
    );
    let (ok, out) = verify(&c);
    assert!(!ok, "{out}");
    assert!(
        out.contains("checkpoint of size 19: no valid signature"),
        "{out}"
    );

    // Truncation: the last two records removed.
    let c = make_log(dir, store_url, &id("truncate"), 20);
    exec(
        store_url,
        "DELETE FROM audit_records WHERE log_id = $1 AND log_index >= 18",
        &[Bind::Text(id("truncate"))],
    );
    assert_fails_at(&c, 18, "only 18 are present");
}

#[test]
fn tampering_is_caught_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("audit.db").display());
    tampering_is_caught(&url, dir.path(), "node");
}

#[test]
fn tampering_is_caught_in_postgresql() {
    let dir = tempfile::tempdir().unwrap();
    // Each run its own logs in the shared database, as fleet nodes are.
    let prefix = format!("it-{}", uuid::Uuid::now_v7().simple());
    tampering_is_caught(POSTGRES, dir.path(), &prefix);
}

#[test]
fn the_daemon_records_refusals_reloads_start_and_stop_and_the_log_verifies() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.write_config(addr, "[rate_limits.default]\nrequests_per_minute = 1\n");
    let mut d = Launch::new(&config, addr).start(&pki);
    let r = d.get_with_token(&pki, "/whoami", "garbage");
    assert_eq!(r.status, 401);
    let request_id = r.header("x-request-id").unwrap().to_owned();
    assert_eq!(
        d.get_with_token(&pki, "/metrics", &pki.token("alice", &["inference"]))
            .status,
        403
    );
    assert_eq!(
        d.get_with_token(&pki, "/whoami", &pki.token("alice", &["inference"]))
            .status,
        200
    );
    assert_eq!(
        d.get_with_token(&pki, "/whoami", &pki.token("alice", &["inference"]))
            .status,
        429
    );
    d.signal("HUP");
    std::thread::sleep(Duration::from_millis(500));
    d.signal("TERM");
    assert!(
        d.wait_exit(Duration::from_secs(20)).success(),
        "{}",
        d.log()
    );

    let (ok, out) = verify(&config);
    assert!(ok, "{out}");
    assert!(
        out.contains("every record is covered by a signed checkpoint"),
        "a final checkpoint at stop: {out}"
    );
    assert!(pki.path("audit/checkpoint.key.pub").is_file());

    let records: Vec<Value> = runtime().block_on(async {
        let url = format!("sqlite:{}", pki.path("audit/audit.db").display());
        let store = Store::open(&url).await.unwrap();
        let node = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap()
            .trim()
            .to_owned();
        store
            .records(&node)
            .await
            .unwrap()
            .into_iter()
            .map(|r| serde_json::from_str(&r.record).unwrap())
            .collect()
    });
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["event"]["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![
            "license_checked",
            "daemon_started",
            "authentication_failed",
            "authorization_failed",
            "rate_limited",
            "config_reloaded",
            "daemon_stopped"
        ]
    );
    let auth = &records[2]["event"];
    assert_eq!(auth["reason"], "malformed_token");
    assert_eq!(auth["status"], 401);
    assert_eq!(
        auth["request_id"],
        json!(request_id),
        "the audit record carries the X-Request-Id"
    );
    assert_eq!(auth["source_address"], "127.0.0.0/24");
    assert_eq!(
        auth["client_cert_thumbprint"],
        palisade::identity::client_cert::thumbprint_s256(&der_of(&pki.client.cert_pem))
    );
    let denied = &records[3]["event"];
    assert_eq!(denied["reason"], "missing_role:metrics");
    let pseudonym = denied["subject_pseudonym"].as_str().unwrap();
    assert_eq!(pseudonym.len(), 64);
    assert!(
        !records[3].to_string().contains("alice"),
        "no direct identifier in the log"
    );
    assert_eq!(
        records[4]["event"]["subject_pseudonym"], pseudonym,
        "pseudonyms are stable"
    );
    assert_eq!(
        records[0]["prev_root"],
        hex::encode(palisade::audit::merkle::empty_root())
    );
}

#[test]
fn the_record_schema_names_every_field() {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("audit/schema/record-v1.json"))
            .unwrap(),
    )
    .unwrap();
    let mut e = AuditEvent::new(
        EventType::InferenceCompleted,
        "n",
        time::OffsetDateTime::now_utc(),
    );
    // Fill every optional field so that it is serialized.
    let mut v = serde_json::to_value(&e).unwrap();
    let props = schema["properties"]["event"]["properties"]
        .as_object()
        .unwrap();
    for (k, p) in props {
        if v.get(k).is_none() {
            v[k] = match p["type"].as_str() {
                Some("array") => json!(["x"]),
                Some("integer") => json!(200),
                Some("boolean") => json!(true),
                _ => json!("x"),
            };
        }
    }
    e = serde_json::from_value(v.clone())
        .unwrap_or_else(|err| panic!("schema has a field the record lacks: {err}"));
    let back = serde_json::to_value(&e).unwrap();
    assert_eq!(
        back.as_object().unwrap().len(),
        props.len(),
        "record fields and schema properties differ"
    );
}

#[test]
fn when_the_store_cannot_commit_refusals_fail_closed_with_503_and_nothing_is_lost() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let d = Launch::new(&config, addr).start(&pki);
    let url = format!("sqlite:{}", pki.path("audit/audit.db").display());
    assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
    // The store starts refusing writes (as a full disk would).
    exec(
        &url,
        "CREATE TRIGGER fault BEFORE INSERT ON audit_records BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
        &[],
    );
    let r = d.get_with_token(&pki, "/whoami", "garbage");
    assert_eq!(r.status, 503, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "audit_unavailable");
    assert!(d.log().contains("audit commit failed"), "{}", d.log());
    // The store recovers; so does the daemon, and the log has no hole.
    exec(&url, "DROP TRIGGER fault", &[]);
    assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
    drop(d);
    let (ok, out) = verify(&config);
    assert!(ok, "{out}");
    assert!(
        out.contains("5 records"),
        "the license check, started, the store's recovery, two recorded refusals: {out}"
    );
}

/// The audit state of `/readyz`: `ready`, or `unavailable` with its reason.
fn audit_readiness(d: &Daemon, pki: &Pki) -> (String, String) {
    let v = d.get(pki, "/readyz").json();
    let c = if v["error"].is_null() {
        v["components"]["audit"].clone()
    } else {
        v["error"]["components"]["audit"].clone()
    };
    (
        c["state"].as_str().unwrap_or_default().to_owned(),
        c["reason"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Load of refusals from `threads` clients: request ids answered 401, and
/// the count of 503 `audit_unavailable`; any other answer fails the test.
struct RefusalLoad {
    answered: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    refused: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    clients: Vec<std::thread::JoinHandle<()>>,
}

impl RefusalLoad {
    fn start(pki: &std::sync::Arc<Pki>, addr: std::net::SocketAddr, threads: usize) -> Self {
        use std::sync::atomic::Ordering;
        let load = Self {
            answered: Default::default(),
            refused: Default::default(),
            stop: Default::default(),
            clients: Vec::new(),
        };
        let clients = (0..threads)
            .map(|_| {
                let (pki, answered, refused, stop) = (
                    pki.clone(),
                    load.answered.clone(),
                    load.refused.clone(),
                    load.stop.clone(),
                );
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let headers = "Authorization: Bearer not.a.token\r\n";
                        match get_with_headers(addr, &pki, Some(&pki.client), "/whoami", headers) {
                            Ok(r) if r.status == 401 => answered
                                .lock()
                                .unwrap()
                                .push(r.header("x-request-id").unwrap().to_owned()),
                            Ok(r) if r.status == 503 => {
                                assert_eq!(r.json()["error"]["code"], "audit_unavailable");
                                refused.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(Duration::from_millis(20));
                            }
                            Ok(r) => panic!("unexpected answer {r:?}"),
                            Err(_) => {}
                        }
                    }
                })
            })
            .collect();
        Self { clients, ..load }
    }

    fn answered(&self) -> usize {
        self.answered.lock().unwrap().len()
    }

    fn refused(&self) -> usize {
        self.refused.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Stops the clients; returns the request ids answered 401.
    fn stop(self) -> Vec<String> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for c in self.clients {
            c.join().unwrap();
        }
        self.answered.lock().unwrap().clone()
    }
}

/// Waits up to `within` for `done`, failing with `what` and the daemon's log.
fn wait_for(d: &Daemon, within: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + within;
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}: {}", d.log());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Asserts that every answered request is in the store, that every
/// checkpoint covers stored records only, and that the log verifies.
fn assert_nothing_answered_was_lost(
    config: &Path,
    store_url: &str,
    log_id: &str,
    answered: &[String],
) {
    let (ok, out) = verify(config);
    assert!(ok, "{out}");
    let (records, checkpoints) = runtime().block_on(async {
        let store = Store::open(store_url).await.unwrap();
        (
            store.records(log_id).await.unwrap(),
            store.checkpoints(log_id).await.unwrap(),
        )
    });
    for c in &checkpoints {
        assert!(
            c.size <= records.len() as u64,
            "a checkpoint covers {} records, but only {} are stored",
            c.size,
            records.len()
        );
    }
    let stored: String = records
        .iter()
        .map(|r| r.record.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for id in answered {
        assert!(
            stored.contains(id.as_str()),
            "request {id} was answered 401 but is not in the audit log"
        );
    }
    assert!(
        stored.contains("\"audit_store_recovered\""),
        "the trail does not say that the store refused writes for a while"
    );
}

/// The SQLite store fills up under load (`audit.max_store_mib` makes SQLite
/// answer SQLITE_FULL exactly as a full disk does): requests fail closed
/// with 503, `/readyz` says the audit store refuses writes, nothing that was
/// answered is lost, no checkpoint covers an unstored record, and once the
/// space is back (the limit raised by a reload) the daemon serves again by
/// itself, without a restart, and writes its stop record.
#[test]
fn when_the_sqlite_store_is_full_nothing_answered_is_lost_and_it_recovers_without_restart() {
    let pki = std::sync::Arc::new(Pki::new());
    let addr = free_addr();
    let full = |mib: u64| {
        pki.config(addr, "")
            .replace(
                "pseudonym_key = \"audit/pseudonym.key\"\n",
                &format!(
                    "pseudonym_key = \"audit/pseudonym.key\"\nmax_store_mib = {mib}\ncheckpoint_every_records = 50\n"
                ),
            )
            .replace("version = 1\n", "version = 1\n[node]\nid = \"full-disk\"\n")
    };
    let config = pki.write("palisade.toml", &full(1));
    let mut d = Launch::new(&config, addr).start(&pki);
    let load = RefusalLoad::start(&pki, addr, 6);
    // The store reaches its size: requests are refused, not answered.
    wait_for(
        &d,
        Duration::from_secs(120),
        "the store never filled up",
        || load.refused() > 0,
    );
    // Near the limit a smaller batch may still fit, as on a nearly full
    // disk, and the store is rightly ready again for a moment. Once not even
    // the recovery record fits, readiness says so and nothing is answered.
    let mut answered_when_full = 0;
    wait_for(
        &d,
        Duration::from_secs(60),
        "the store never stayed full",
        || {
            let (state, reason) = audit_readiness(&d, &pki);
            if state != "unavailable" {
                return false;
            }
            assert!(reason.contains("full"), "{reason}");
            answered_when_full = load.answered();
            std::thread::sleep(Duration::from_secs(2));
            load.answered() == answered_when_full && audit_readiness(&d, &pki).0 == "unavailable"
        },
    );
    // Space comes back; the daemon notices by itself.
    pki.write("palisade.toml", &full(64));
    d.signal("HUP");
    wait_for(&d, Duration::from_secs(20), "not served again", || {
        load.answered() > answered_when_full + 20
    });
    let answered = load.stop();
    assert_eq!(audit_readiness(&d, &pki).0, "ready");
    d.signal("TERM");
    assert!(
        d.wait_exit(Duration::from_secs(20)).success(),
        "{}",
        d.log()
    );
    let url = format!("sqlite:{}", pki.path("audit/audit.db").display());
    assert_nothing_answered_was_lost(&config, &url, "full-disk", &answered);
    let stored = runtime().block_on(async {
        let store = Store::open(&url).await.unwrap();
        store.records("full-disk").await.unwrap()
    });
    let last = stored.last().unwrap();
    assert!(
        last.record.contains("\"daemon_stopped\""),
        "{}",
        last.record
    );
}

/// A copy of `config` whose audit store is the SQLite file `db`.
fn config_with_store(pki: &Pki, config: &Path, db: &Path, name: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(config).unwrap().replace(
        "store = \"sqlite:audit/audit.db\"",
        &format!("store = \"sqlite:{}\"", db.display()),
    );
    pki.write(name, &text)
}

/// `audit backup` copies the live store while the daemon writes, and the
/// copy verifies; after a clean stop `audit.db` alone holds every record
/// (nothing left in the WAL file), so copying that one file is a backup.
#[test]
fn a_backup_made_while_serving_and_the_database_file_after_a_stop_both_verify() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let mut d = Launch::new(&config, addr).start(&pki);
    for _ in 0..5 {
        assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
    }
    let online = pki.path("online-backup.db");
    let (status, out, err) = run(&[
        "audit",
        "backup",
        "--config",
        config.to_str().unwrap(),
        "--out",
        online.to_str().unwrap(),
    ]);
    assert!(status.success(), "{out}{err}");
    // Never over an existing file.
    let (status, _, err) = run(&[
        "audit",
        "backup",
        "--config",
        config.to_str().unwrap(),
        "--out",
        online.to_str().unwrap(),
    ]);
    assert!(!status.success());
    assert!(err.contains("exists"), "{err}");
    let (ok, out) = verify(&config_with_store(&pki, &config, &online, "online.toml"));
    assert!(ok, "{out}");
    assert!(
        out.contains("8 records") && out.contains("every record is covered"),
        "license, start, five refusals, the backup itself: {out}"
    );

    d.signal("TERM");
    assert!(
        d.wait_exit(Duration::from_secs(20)).success(),
        "{}",
        d.log()
    );
    let wal = pki.path("audit/audit.db-wal");
    assert!(
        std::fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "records left in {}",
        wal.display()
    );
    let copied = pki.path("copied.db");
    std::fs::copy(pki.path("audit/audit.db"), &copied).unwrap();
    let (ok, out) = verify(&config_with_store(&pki, &config, &copied, "copied.toml"));
    assert!(ok, "{out}");
    assert!(out.contains("9 records"), "and the stop: {out}");
}

/// Records no signature covers are reported, fail verification once they
/// are older than the checkpoint interval allows, and checkpoints kept
/// outside the store (`audit.checkpoint_file`) catch what the store alone
/// cannot: a rewritten tail with its checkpoint deleted, or the deletion of
/// every checkpoint together with the records after them.
#[test]
fn the_unsigned_tail_is_reported_and_checkpoints_kept_elsewhere_catch_a_rewritten_tail() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("tail.db").display());
    let log_id = "tail-node";
    let (signer, private) = CheckpointSigner::generate(&format!("palisade-{log_id}")).unwrap();
    std::fs::write(dir.path().join("checkpoint.key"), format!("{private}\n")).unwrap();
    std::fs::write(
        dir.path().join("checkpoint.key.pub"),
        format!("{}\n", signer.verifier_key()),
    )
    .unwrap();
    let outside = dir.path().join("checkpoints.txt");
    let yesterday = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    let rt = runtime();
    let append = |log: &AuditLog, i: u64| {
        let mut e = AuditEvent::new(EventType::AuthenticationFailed, log_id, yesterday);
        e.reason = Some(format!("r{i}"));
        rt.block_on(log.append(e)).unwrap()
    };
    let log = rt.block_on(async {
        AuditLog::start(
            Store::open(&url).await.unwrap(),
            signer,
            LogSettings {
                log_id: log_id.to_owned(),
                checkpoint_every_records: 5,
                checkpoint_interval: Duration::from_secs(3600),
                checkpoint_file: Some(outside.clone()),
                checkpoint_feed: None,
            },
        )
        .await
        .unwrap()
    });
    let config = dir.path().join("tail.toml");
    std::fs::write(
        &config,
        format!(
            "version = 1\n[node]\nid = \"{log_id}\"\n[tls]\ncert = \"x.pem\"\nkey = \"x.key\"\nclient_ca = \"ca.pem\"\n\
             [audit]\nstore = \"{url}\"\nsigning_key = \"checkpoint.key\"\npseudonym_key = \"pseudonym.key\"\n"
        ),
    )
    .unwrap();
    let verify_with = |extra: &[&str]| {
        let mut args = vec!["audit", "verify", "--config", config.to_str().unwrap()];
        args.extend_from_slice(extra);
        let (status, out, err) = run(&args);
        (status.success(), format!("{out}{err}"))
    };
    let outside_arg = outside.to_str().unwrap().to_owned();
    // Twelve records of yesterday: checkpoints at 5 and 10, two unsigned.
    for i in 0..12 {
        append(&log, i);
    }
    let (ok, out) = verify_with(&[]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("FAILED: log index 10:")
            && out.contains("2 records")
            && out.contains("covered by no signed checkpoint"),
        "{out}"
    );
    let (ok, out) = verify_with(&["--max-unsigned-age", "2days"]);
    assert!(ok, "{out}");
    assert!(out.contains("2 records not yet covered"), "{out}");
    // Signed: nothing unprotected, and the file matches the store.
    rt.block_on(log.checkpoint()).unwrap().unwrap();
    let (ok, out) = verify_with(&["--checkpoints", &outside_arg]);
    assert!(ok, "{out}");
    assert!(
        out.contains("every record is covered")
            && out.contains("matches all 3 checkpoints kept elsewhere"),
        "{out}"
    );

    // The last record rewritten (its leaf fixed; nothing after it to chain)
    // and the checkpoint over it deleted from the store: the store alone
    // cannot tell, the checkpoint file can.
    rewrite(&url, log_id, 11, true, |r| {
        r.event.reason = Some("nothing to see".into())
    });
    exec(
        &url,
        "DELETE FROM audit_checkpoints WHERE tree_size = 12",
        &[],
    );
    let (ok, out) = verify_with(&["--max-unsigned-age", "2days"]);
    assert!(ok, "the store alone is fooled: {out}");
    let (ok, out) = verify_with(&["--checkpoints", &outside_arg]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("FAILED: log index 11:") && out.contains("checkpoint of size 12"),
        "{out}"
    );

    // Every checkpoint deleted with the records after the first five.
    exec(&url, "DELETE FROM audit_checkpoints", &[]);
    exec(&url, "DELETE FROM audit_records WHERE log_index >= 5", &[]);
    let (ok, out) = verify_with(&[]);
    assert!(!ok, "a log with no checkpoint and old records: {out}");
    assert!(out.contains("covered by no signed checkpoint"), "{out}");
    let (ok, out) = verify_with(&["--checkpoints", &outside_arg, "--max-unsigned-age", "2days"]);
    assert!(!ok, "{out}");
    assert!(out.contains("FAILED: log index 5: missing"), "{out}");
}

/// Requests refused for what they are (400 malformed body, 404 unknown
/// path, 405 wrong method) are recorded too, with their code and request
/// id, who sent them when known, and never their content or raw path.
#[test]
fn requests_refused_with_400_404_or_405_are_recorded_without_content() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let d = Launch::new(&config, addr).start(&pki);
    let token = pki.token("alice", &["inference"]);
    let tls = || client_config(&pki, Some(&pki.client), &[&rustls::version::TLS13]);
    let secret_path = "/patients/123-45-6789";
    let missing = d.get_with_token(&pki, secret_path, &token);
    assert_eq!(missing.status, 404);
    let wrong_method = request(
        addr,
        tls(),
        &format!("DELETE /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"),
    )
    .unwrap();
    assert_eq!(wrong_method.status, 405);
    // A malformed parameter from an authenticated admin: 400, recorded
    // with who sent it.
    let admin = pki.token("ops", &["admin"]);
    let malformed = request(
        addr,
        tls(),
        &format!(
            "POST /admin/v1/audit/prune?before=soon HTTP/1.1\r\nHost: localhost\r\n\
             Authorization: Bearer {admin}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    )
    .unwrap();
    assert_eq!(malformed.status, 400, "{malformed:?}");
    drop(d);
    let (ok, out) = verify(&config);
    assert!(ok, "{out}");
    let node = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_owned();
    let url = format!("sqlite:{}", pki.path("audit/audit.db").display());
    let stored: Vec<AuditRecord> = runtime()
        .block_on(async {
            Store::open(&url)
                .await
                .unwrap()
                .records(&node)
                .await
                .unwrap()
        })
        .into_iter()
        .map(|r| serde_json::from_str(&r.record).unwrap())
        .collect();
    for (response, code, known) in [
        (&missing, "not_found", false),
        (&wrong_method, "method_not_allowed", false),
        (&malformed, "invalid_request_error", true),
    ] {
        let id = response.header("x-request-id").unwrap();
        let record = stored
            .iter()
            .find(|r| r.event.request_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no record of the {code} refusal {id}"));
        assert_eq!(record.event.event_type, EventType::RequestRefused);
        assert_eq!(record.event.error_code.as_deref(), Some(code));
        assert_eq!(record.event.status, Some(response.status));
        // Unknown paths are refused before authentication; the admin was known.
        assert_eq!(record.event.subject_pseudonym.is_some(), known, "{code}");
    }
    let all: String = stored
        .iter()
        .map(|r| encode(r).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!all.contains("123-45-6789"), "a refused path is not stored");
}

#[test]
fn kill_9_under_load_loses_no_answered_refusal_and_the_log_verifies() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let pki = Arc::new(Pki::new());
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let mut d = Launch::new(&config, addr).start(&pki);
    let answered = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let (pki, answered, stop) = (pki.clone(), answered.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let headers = "Authorization: Bearer not.a.token\r\n";
                    if let Ok(r) =
                        get_with_headers(addr, &pki, Some(&pki.client), "/whoami", headers)
                        && r.status == 401
                    {
                        answered
                            .lock()
                            .unwrap()
                            .push(r.header("x-request-id").unwrap().to_owned());
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    d.child.kill().unwrap(); // SIGKILL, mid-load
    d.child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    assert!(answered.len() > 20, "too little load: {}", answered.len());

    // The daemon restarts on the same store and carries the log on.
    let d = Launch::new(&config, addr).start(&pki);
    assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
    drop(d);
    let (ok, out) = verify(&config);
    assert!(ok, "{out}");
    let stored: String = runtime().block_on(async {
        let url = format!("sqlite:{}", pki.path("audit/audit.db").display());
        let store = Store::open(&url).await.unwrap();
        let node = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap()
            .trim()
            .to_owned();
        store
            .records(&node)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.record)
            .collect::<Vec<_>>()
            .join("\n")
    });
    for id in &answered {
        assert!(
            stored.contains(id.as_str()),
            "request {id} was answered 401 but is not in the audit log"
        );
    }
}

#[test]
fn auditors_export_in_four_formats_and_bundles_verify_offline() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let d = Launch::new(&config, addr).start(&pki);
    for _ in 0..3 {
        assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
    }
    let auditor = pki.token("dpo", &["auditor"]);
    // Only auditors export.
    let r = d.get_with_token(
        &pki,
        "/admin/v1/audit/export",
        &pki.token("alice", &["inference"]),
    );
    assert_eq!(r.status, 403);

    let r = d.get_with_token(
        &pki,
        "/admin/v1/audit/export?format=jsonl&event_type=authentication_failed",
        &auditor,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let lines: Vec<Value> = r
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 3 bad tokens and the refused export by alice (an authorization failure is not selected).
    assert_eq!(lines.len(), 3, "{}", r.body);
    assert!(
        lines
            .iter()
            .all(|l| l["event"]["event_type"] == "authentication_failed")
    );

    let csv = d.get_with_token(&pki, "/admin/v1/audit/export?format=csv", &auditor);
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("log_index,event_id,start_time,event_type"),
        "{}",
        csv.body
    );
    let ocsf = d.get_with_token(&pki, "/admin/v1/audit/export?format=ocsf", &auditor);
    let first: Value = serde_json::from_str(ocsf.body.lines().next().unwrap()).unwrap();
    assert_eq!(first["class_uid"], 6003);
    let cef = d.get_with_token(&pki, "/admin/v1/audit/export?format=cef", &auditor);
    assert!(
        cef.body
            .lines()
            .all(|l| l.contains(" CEF:0|Palisade|Palisade|")),
        "{}",
        cef.body
    );

    let bad = d.get_with_token(&pki, "/admin/v1/audit/export?format=xml", &auditor);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["param"], "format");
    let bad = d.get_with_token(&pki, "/admin/v1/audit/export?from=yesterday", &auditor);
    assert_eq!(bad.json()["error"]["param"], "from");

    let bundle = d.get_with_token(
        &pki,
        "/admin/v1/audit/export?format=bundle&event_type=authentication_failed",
        &auditor,
    );
    assert_eq!(bundle.status, 200, "{bundle:?}");
    let path = pki.write("bundle.json", &bundle.body);
    let key = pki.path("audit/checkpoint.key.pub");
    let check = |p: &Path| {
        run(&[
            "audit",
            "verify",
            "--bundle",
            p.to_str().unwrap(),
            "--public-key",
            key.to_str().unwrap(),
        ])
    };
    let (status, out, err) = check(&path);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains("OK: 3 records"), "{out}");

    // A record edited in the bundle, a shortened bundle, a truncated file.
    let mut b: Value = serde_json::from_str(&bundle.body).unwrap();
    let index = b["entries"][1]["index"].as_u64().unwrap();
    let edited = b["entries"][1]["record"]
        .as_str()
        .unwrap()
        .replace("malformed_token", "expired");
    b["entries"][1]["record"] = json!(edited);
    let (status, _, err) = check(&pki.write("edited.json", &b.to_string()));
    assert!(!status.success());
    assert!(
        err.contains(&format!("FAILED: log index {index}: not in the signed log")),
        "{err}"
    );
    let mut b: Value = serde_json::from_str(&bundle.body).unwrap();
    b["entries"].as_array_mut().unwrap().pop();
    let (status, _, err) = check(&pki.write("short.json", &b.to_string()));
    assert!(!status.success());
    assert!(err.contains("it was shortened"), "{err}");
    let (status, _, err) = check(&pki.write("cut.json", &bundle.body[..bundle.body.len() / 2]));
    assert!(!status.success());
    assert!(err.contains("not a complete bundle"), "{err}");

    // The exports themselves are in the trail.
    drop(d);
    let (ok, out) = verify(&config);
    assert!(ok, "{out}");
    let exports = runtime().block_on(async {
        let url = format!("sqlite:{}", pki.path("audit/audit.db").display());
        let store = Store::open(&url).await.unwrap();
        let node = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap()
            .trim()
            .to_owned();
        let records = store.records(&node).await.unwrap();
        records
            .iter()
            .filter(|r| r.record.contains("\"event_type\":\"audit_export\""))
            .count()
    });
    assert_eq!(exports, 5, "four formats and one bundle, each recorded");
}

#[test]
fn auditors_get_checkpoints_and_consistency_proofs_that_verify() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.config(addr, "").replace(
        "pseudonym_key = \"audit/pseudonym.key\"",
        "pseudonym_key = \"audit/pseudonym.key\"\ncheckpoint_every_records = 2",
    );
    let config = pki.write("cp.toml", &config);
    let d = Launch::new(&config, addr).start(&pki);
    for _ in 0..5 {
        assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
    }
    let auditor = pki.token("dpo", &["auditor"]);
    let r = d.get_with_token(&pki, "/admin/v1/audit/checkpoints", &auditor);
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    let verifier = palisade::audit::checkpoint::CheckpointVerifier::parse(
        &std::fs::read_to_string(pki.path("audit/checkpoint.key.pub")).unwrap(),
    )
    .unwrap();
    let opened: Vec<_> = v["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| verifier.open(c["note"].as_str().unwrap()).unwrap())
        .collect();
    assert!(opened.len() >= 2, "{v}");
    let (old, new) = (&opened[0], opened.last().unwrap());
    let r = d.get_with_token(
        &pki,
        &format!(
            "/admin/v1/audit/proof/consistency?from={}&to={}",
            old.size, new.size
        ),
        &auditor,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let proof: Vec<Vec<u8>> = r.json()["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| b64.decode(h.as_str().unwrap()).unwrap())
        .collect();
    palisade::audit::merkle::verify_consistency(old.size, new.size, &proof, &old.root, &new.root)
        .unwrap();
    let bad = d.get_with_token(
        &pki,
        "/admin/v1/audit/proof/consistency?from=0&to=3",
        &auditor,
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["param"], "to");
    let bad = d.get_with_token(
        &pki,
        "/admin/v1/audit/proof/consistency?from=x&to=3",
        &auditor,
    );
    assert_eq!(bad.status, 400, "{bad:?}");
}

#[test]
fn retention_prunes_old_content_keeps_the_log_verifiable_and_respects_legal_hold() {
    let pki = Pki::new();
    let node = "retention-node";
    let url = format!("sqlite:{}", pki.path("old.db").display());
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(400);
    make_log_at(pki.dir.path(), &url, node, 10, long_ago);
    let addr = free_addr();
    let config = |hold: bool| {
        pki.config(addr, "")
            .replace("version = 1\n", &format!("version = 1\n[node]\nid = \"{node}\"\n"))
            .replace("store = \"sqlite:audit/audit.db\"", &format!("store = \"{url}\""))
            .replace("signing_key = \"audit/checkpoint.key\"", "signing_key = \"checkpoint.key\"")
            .replace(
                "pseudonym_key = \"audit/pseudonym.key\"",
                &format!("pseudonym_key = \"audit/pseudonym.key\"\nretention_minimum = \"183days\"\nlegal_hold = {hold}"),
            )
    };
    let path = pki.write("retention.toml", &config(false));
    let d = Launch::new(&path, addr).start(&pki);
    let admin = pki.token("ops", &["admin"]);
    let prune = |d: &Daemon, before: &str| {
        request(
            d.addr,
            client_config(&pki, Some(&pki.client), &[&rustls::version::TLS13]),
            &format!(
                "POST /admin/v1/audit/prune?before={before} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {admin}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
        )
        .unwrap()
    };
    // Nothing is younger than the 183-day floor... except what the daemon wrote now.
    let r = prune(&d, "2100-01-01");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["pruned"], 10, "{}", r.body);
    assert_eq!(r.json()["below_index"], 10);
    let again = prune(&d, "2100-01-01");
    assert_eq!(
        again.json()["pruned"],
        0,
        "pruning is idempotent: {}",
        again.body
    );
    let bad = prune(&d, "soon");
    assert_eq!(bad.status, 400);
    // Exports leave pruned records out, and bundles still verify.
    let auditor = pki.token("dpo", &["auditor"]);
    let jsonl = d
        .get_with_token(&pki, "/admin/v1/audit/export", &auditor)
        .body;
    assert!(!jsonl.contains("expired-3"), "{jsonl}");
    assert!(jsonl.contains("daemon_started"), "{jsonl}");
    let bundle = d
        .get_with_token(&pki, "/admin/v1/audit/export?format=bundle", &auditor)
        .body;
    let bundle_path = pki.write("retention-bundle.json", &bundle);
    let (status, out, err) = run(&[
        "audit",
        "verify",
        "--bundle",
        bundle_path.to_str().unwrap(),
        "--public-key",
        pki.path("checkpoint.key.pub").to_str().unwrap(),
    ]);
    assert!(status.success(), "{out}{err}");
    drop(d);
    let (ok, out) = verify(&path);
    assert!(ok, "{out}");
    assert!(out.contains("10 pruned"), "{out}");

    // Under legal hold, nothing is pruned.
    let path = pki.write("retention.toml", &config(true));
    let d = Launch::new(&path, addr).start(&pki);
    let r = prune(&d, "2100-01-01");
    assert_eq!(r.status, 409, "{r:?}");
    assert_eq!(r.json()["error"]["reason"], "legal_hold");
    drop(d);
    // The command line says the same, and records the refusal.
    let (status, _, err) = run(&["audit", "prune", "--config", path.to_str().unwrap()]);
    assert!(!status.success());
    assert!(err.contains("legal hold"), "{err}");
    // Without the hold, the command line prunes as the endpoint does
    // (nothing left that is old enough) and the log still verifies.
    let path = pki.write("retention.toml", &config(false));
    let (status, out, err) = run(&["audit", "prune", "--config", path.to_str().unwrap()]);
    assert!(status.success(), "{out}{err}");
    assert!(out.contains("pruned the content of 0 records"), "{out}");
    let (ok, out) = verify(&path);
    assert!(ok, "{out}");
    let (status, _, err) = run(&[
        "audit",
        "prune",
        "--config",
        path.to_str().unwrap(),
        "--before",
        "yesterday",
    ]);
    assert!(!status.success());
    assert!(err.contains("yesterday"), "{err}");

    // A recent record's content deleted does not pass as retention: no
    // prune event covers it (the daemon's start, signed, after the 10).
    let started = (10..20)
        .find(|&i| record_at(&url, node, i).event.event_type == EventType::DaemonStarted)
        .unwrap();
    let kept = encode(&record_at(&url, node, started)).unwrap();
    let set = |text: Option<String>| {
        let value = text.map_or(Bind::Null, Bind::Text);
        exec(
            &url,
            "UPDATE audit_records SET record = $1 WHERE log_id = $2 AND log_index = $3",
            &[value, Bind::Text(node.into()), Bind::Int(started as i64)],
        );
    };
    set(None);
    assert_fails_at(&path, started, "no prune event covers it");
    set(Some(kept));
    let (ok, out) = verify(&path);
    assert!(ok, "{out}");
    // The records the prune announced stay excused; the announcement says why.
    let announced: Vec<AuditRecord> = runtime()
        .block_on(async {
            Store::open(&url)
                .await
                .unwrap()
                .records(node)
                .await
                .unwrap()
        })
        .into_iter()
        .filter(|r| !r.pruned)
        .map(|r| serde_json::from_str::<AuditRecord>(&r.record).unwrap())
        .filter(|r| r.event.event_type == EventType::AuditPruned)
        .collect();
    assert!(!announced.is_empty());
    assert_eq!(announced[0].event.prune_below, Some(10));
    assert_eq!(announced[0].event.retention_minimum_days, Some(183));

    // A pruned record's leaf hash altered: the checkpoint catches it.
    exec(
        &url,
        "UPDATE audit_records SET leaf_hash = $1 WHERE log_id = $2 AND log_index = 4",
        &[Bind::Bytes(vec![7; 32]), Bind::Text(node.into())],
    );
    let (ok, out) = verify(&path);
    assert!(!ok, "{out}");
    assert!(
        out.contains("does not match the signed checkpoint"),
        "{out}"
    );
}

#[test]
fn checkpoints_are_pushed_to_an_https_endpoint_and_retried_when_it_fails() {
    let pki = Pki::new();
    let sink = HttpsSink::start(&pki, 1);
    let addr = free_addr();
    let config = pki.config(addr, "").replace(
        "pseudonym_key = \"audit/pseudonym.key\"",
        &format!(
            "pseudonym_key = \"audit/pseudonym.key\"\ncheckpoint_every_records = 2\ncheckpoint_url = \"{}\"\ncheckpoint_url_ca = \"ca.pem\"",
            sink.url
        ),
    );
    let config = pki.write("push.toml", &config);
    let d = Launch::new(&config, addr).start(&pki);
    for _ in 0..3 {
        assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
    }
    let verifier = palisade::audit::checkpoint::CheckpointVerifier::parse(
        &std::fs::read_to_string(pki.path("audit/checkpoint.key.pub")).unwrap(),
    )
    .unwrap();
    // The first push is refused (503) and retried after a second.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while sink.bodies.lock().unwrap().len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "checkpoints not pushed:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(sink.attempts.load(std::sync::atomic::Ordering::SeqCst) >= 3);
    assert!(
        d.log()
            .contains("the checkpoint endpoint refused a checkpoint"),
        "{}",
        d.log()
    );
    let sizes: Vec<u64> = sink
        .bodies
        .lock()
        .unwrap()
        .iter()
        .map(|n| verifier.open(n).unwrap().size)
        .collect();
    assert_eq!(
        sizes[..2],
        [2, 4],
        "pushed in order, the refused one again first"
    );
}

/// An export is tied to its bundle: `audit verify --bundle B --export F`
/// passes for the file the bundle was made for, in every format, and fails
/// on any changed byte (an auditor opens the CSV, not the bundle).
#[test]
fn every_export_format_is_bound_to_its_bundle_and_an_edited_cell_fails() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let d = Launch::new(&config, addr).start(&pki);
    for _ in 0..3 {
        assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
    }
    let key = pki.path("audit/checkpoint.key.pub");
    let check = |bundle: &Path, export: &Path| {
        let (status, o, e) = run(&[
            "audit",
            "verify",
            "--bundle",
            bundle.to_str().unwrap(),
            "--public-key",
            key.to_str().unwrap(),
            "--export",
            export.to_str().unwrap(),
        ]);
        (status.success(), format!("{o}{e}"))
    };
    for format in ["jsonl", "csv", "ocsf", "cef"] {
        let out = pki.path(&format!("export.{format}"));
        let (status, o, e) = run(&[
            "audit",
            "export",
            "--config",
            config.to_str().unwrap(),
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(status.success(), "{o}{e}");
        let bundle = pki.path(&format!("export.{format}.bundle.json"));
        let (ok, text) = check(&bundle, &out);
        assert!(ok, "{format}: {text}");
        assert!(
            text.contains(&format!("the {format} export it was made for")),
            "{text}"
        );
        // One character of a cell changed.
        let original = std::fs::read_to_string(&out).unwrap();
        let edited = original.replacen("authentication_failed", "authentication_faileD", 1);
        assert_ne!(edited, original, "{format}: {original}");
        std::fs::write(&out, &edited).unwrap();
        let (ok, text) = check(&bundle, &out);
        assert!(!ok, "{format}: an edited export passed: {text}");
        assert!(
            text.contains("not the one this bundle was made for"),
            "{text}"
        );
        // Another export's file under this bundle.
        std::fs::write(&out, format!("{original}\n")).unwrap();
        assert!(!check(&bundle, &out).0, "{format}: a longer file passed");
    }
    drop(d);
}

#[test]
fn the_cli_export_is_recorded_beside_a_running_daemon_and_both_writers_keep_one_log() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let d = Launch::new(&config, addr).start(&pki);
    for _ in 0..3 {
        assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
    }
    let out = pki.path("export.csv");
    let (status, stdout, stderr) = run(&[
        "audit",
        "export",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "csv",
        "--event-type",
        "authentication_failed",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("exported 3 records"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 4);
    let bundle = pki.path("export.csv.bundle.json");
    let (status, o, e) = run(&[
        "audit",
        "verify",
        "--bundle",
        bundle.to_str().unwrap(),
        "--public-key",
        pki.path("audit/checkpoint.key.pub").to_str().unwrap(),
    ]);
    assert!(status.success(), "{o}{e}");
    // The daemon's next records go after the CLI's (its writer catches up).
    for _ in 0..3 {
        assert_eq!(
            d.get_with_token(&pki, "/whoami", "garbage").status,
            401,
            "{}",
            d.log()
        );
    }
    let (bad, _, err) = run(&[
        "audit",
        "export",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "xml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!bad.success());
    assert!(err.contains("unknown export format"), "{err}");
    drop(d);
    let (ok, text) = verify(&config);
    assert!(ok, "{text}");
    assert!(
        text.contains("9 records"),
        "the license check, start, 3 + 3 refusals, the CLI export: {text}"
    );
    let cli = runtime().block_on(async {
        let url = format!("sqlite:{}", pki.path("audit/audit.db").display());
        let store = Store::open(&url).await.unwrap();
        let node = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .unwrap()
            .trim()
            .to_owned();
        store
            .records(&node)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.record.contains("local-cli"))
            .map(|r| r.index)
    });
    assert_eq!(
        cli,
        Some(5),
        "the CLI's export record sits between the daemon's"
    );
}

/// A TCP proxy to PostgreSQL that the test can take down (every open
/// connection cut, new ones refused, as when the server stops) and bring
/// back.
struct PgProxy {
    port: u16,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
    open: std::sync::Arc<std::sync::Mutex<Vec<std::net::TcpStream>>>,
}

impl PgProxy {
    fn start() -> Self {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let open = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (up2, open2) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused
                }
                let Ok(server) = std::net::TcpStream::connect("127.0.0.1:5432") else {
                    continue;
                };
                let mut open = open2.lock().unwrap();
                open.push(client.try_clone().unwrap());
                open.push(server.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Self { port, up, open }
    }

    fn down(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    fn back(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// PostgreSQL goes away under load: requests fail closed with 503
/// `audit_unavailable`, nothing that was answered is lost, and once it is
/// back the daemon serves again and the log verifies.
#[test]
fn when_postgresql_goes_away_under_load_requests_fail_closed_and_nothing_answered_is_lost() {
    let pki = std::sync::Arc::new(Pki::new());
    let proxy = PgProxy::start();
    let node = format!(
        "pg-outage-{}-{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    );
    let addr = free_addr();
    let config = pki.write(
        "pg-outage.toml",
        &pki.config(addr, "")
            .replace(
                "version = 1\n",
                &format!("version = 1\n[node]\nid = \"{node}\"\n"),
            )
            .replace(
                "store = \"sqlite:audit/audit.db\"",
                &format!(
                    "store = \"postgres://postgres@127.0.0.1:{}/test\"",
                    proxy.port
                ),
            ),
    );
    let d = Launch::new(&config, addr).start(&pki);
    let load = RefusalLoad::start(&pki, addr, 6);
    std::thread::sleep(Duration::from_millis(1500));
    proxy.down();
    wait_for(&d, Duration::from_secs(30), "nothing was refused", || {
        load.refused() > 0
    });
    let (state, reason) = audit_readiness(&d, &pki);
    assert_eq!(state, "unavailable", "{reason}");
    std::thread::sleep(Duration::from_secs(4));
    let during = load.answered();
    proxy.back();
    // Served again once PostgreSQL is back, without a restart.
    wait_for(
        &d,
        Duration::from_secs(30),
        "the daemon did not recover after PostgreSQL came back",
        || load.answered() >= during + 20,
    );
    let answered = load.stop();
    wait_for(
        &d,
        Duration::from_secs(10),
        "/readyz did not recover",
        || audit_readiness(&d, &pki).0 == "ready",
    );
    drop(d);
    assert_nothing_answered_was_lost(&config, POSTGRES, &node, &answered);
}

/// A store made before versioned migrations (today's tables, no
/// `_sqlx_migrations`) is brought under them at start without losing or
/// changing a record; the trail verifies across the upgrade. A migration
/// edited after it was applied is refused by name.
#[test]
fn a_store_from_before_versioned_migrations_is_upgraded_in_place() {
    let pki = Pki::new();
    let addr = free_addr();
    let config = pki.write_config(addr, "");
    let url = format!("sqlite:{}", pki.path("audit/audit.db").display());
    let serve = |refusals: usize| {
        let mut d = Launch::new(&config, addr).start(&pki);
        for _ in 0..refusals {
            assert_eq!(d.get_with_token(&pki, "/whoami", "garbage").status, 401);
        }
        d.signal("TERM");
        assert!(
            d.wait_exit(Duration::from_secs(20)).success(),
            "{}",
            d.log()
        );
    };
    serve(3);
    // As the store looked before this version: the same tables, unversioned.
    exec(&url, "DROP TABLE _sqlx_migrations", &[]);
    let before = runtime().block_on(async {
        let store = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_records")
            .fetch_one(&store)
            .await
            .unwrap()
    });
    serve(2);
    let (ok, out) = verify(&config);
    assert!(ok, "{out}");
    let (versions, after) = runtime().block_on(async {
        let store = sqlx::SqlitePool::connect(&url).await.unwrap();
        let versions: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&store)
        .await
        .unwrap();
        let after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_records")
            .fetch_one(&store)
            .await
            .unwrap();
        (versions, after)
    });
    assert_eq!(versions, vec![1, 2]);
    // The license check, start, two refusals and stop were added to what
    // was there.
    assert_eq!(after, before + 5, "{out}");

    exec(
        &url,
        "UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 1",
        &[],
    );
    let refused = runtime().block_on(Store::open(&url)).unwrap_err();
    assert!(
        refused.to_string().contains("schema") && refused.to_string().contains('1'),
        "{refused}"
    );
}
