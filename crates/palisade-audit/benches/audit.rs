//! The audit trail's throughput: durable records per second through the
//! group-committing log writer, on SQLite (a file in a temp dir, WAL,
//! synchronous=FULL) and on PostgreSQL (127.0.0.1:5432), with 1, 16 and 64
//! concurrent writers; verification speed in records per second; and a
//! compliance report over a million records against a full verification of
//! the same log (read and verified from the store).
//! Criterion reports elements/s; the baseline of each group is 1 writer.
//!
//! Run: `cargo bench --bench audit`; numbers go to docs/benchmarks.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use palisade_audit::checkpoint::{CheckpointSigner, CheckpointVerifier};
use palisade_audit::log::{AuditLog, LogSettings, origin};
use palisade_audit::record::{AuditEvent, EventType};
use palisade_audit::store::Store;

fn event(log_id: &str) -> AuditEvent {
    let mut e = AuditEvent::new(
        EventType::AuthenticationFailed,
        log_id,
        time::OffsetDateTime::now_utc(),
    );
    e.request_id = Some(uuid::Uuid::now_v7().to_string());
    e.status = Some(401);
    e.reason = Some("expired".into());
    e.source_address = Some("10.1.2.0/24".into());
    e.operation = Some("POST /v1/chat/completions".into());
    e
}

async fn start(url: &str, log_id: &str) -> AuditLog {
    let (signer, _) = CheckpointSigner::generate("bench").unwrap();
    AuditLog::start(
        Store::open(url).await.unwrap(),
        signer,
        LogSettings {
            log_id: log_id.to_owned(),
            checkpoint_every_records: 10_000,
            checkpoint_interval: Duration::from_secs(60),
            checkpoint_file: None,
            checkpoint_feed: None,
        },
    )
    .await
    .unwrap()
}

fn bench_store(c: &mut Criterion, name: &str, url: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let log_id = format!("bench-{}", uuid::Uuid::now_v7().simple());
    let log = rt.block_on(start(url, &log_id));
    let mut group = c.benchmark_group(format!("audit_append_{name}"));
    group.throughput(Throughput::Elements(1));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    for writers in [1usize, 16, 64] {
        group.bench_with_input(
            BenchmarkId::from_parameter(writers),
            &writers,
            |b, &writers| {
                b.iter_custom(|iters| {
                    let per_writer = (iters as usize).div_ceil(writers);
                    rt.block_on(async {
                        let start = Instant::now();
                        let tasks: Vec<_> = (0..writers)
                            .map(|_| {
                                let log = log.clone();
                                let id = log_id.clone();
                                tokio::spawn(async move {
                                    for _ in 0..per_writer {
                                        log.append(event(&id)).await.unwrap();
                                    }
                                })
                            })
                            .collect();
                        for t in tasks {
                            t.await.unwrap();
                        }
                        start
                            .elapsed()
                            .mul_f64(iters as f64 / (per_writer * writers) as f64)
                    })
                })
            },
        );
    }
    group.finish();
}

/// A log of `n` records made by `event` (log id, sequence number) from 64
/// concurrent writers, checkpointed every `checkpoint_every` records and at
/// the end.
async fn filled_log(
    url: &str,
    log_id: &'static str,
    signer: CheckpointSigner,
    (n, checkpoint_every): (u64, u64),
    event: fn(&str, u64) -> AuditEvent,
) -> AuditLog {
    let log = AuditLog::start(
        Store::open(url).await.unwrap(),
        signer,
        LogSettings {
            log_id: log_id.to_owned(),
            checkpoint_every_records: checkpoint_every,
            checkpoint_interval: Duration::from_secs(3600),
            checkpoint_file: None,
            checkpoint_feed: None,
        },
    )
    .await
    .unwrap();
    let writers = 64;
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let log = log.clone();
            tokio::spawn(async move {
                for i in 0..n.div_ceil(writers) {
                    log.append(event(log_id, i * writers + w)).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    log.checkpoint().await.unwrap();
    log
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    bench_store(
        c,
        "sqlite",
        &format!("sqlite:{}", dir.path().join("bench.db").display()),
    );
    bench_store(c, "postgresql", "postgres://postgres@127.0.0.1:5432/test");

    // Verification of a 100 000-record log.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("sqlite:{}", dir.path().join("verify.db").display());
    let log_id = "verify-bench";
    let (signer, _) = CheckpointSigner::generate("palisade-verify").unwrap();
    let verifier = CheckpointVerifier::parse(&signer.verifier_key()).unwrap();
    let n = 100_000u64;
    let (records, checkpoints) = rt.block_on(async {
        let log = filled_log(&url, log_id, signer, (n, 10_000), |id, _| event(id)).await;
        let store = log.store();
        (
            store.records(log_id).await.unwrap(),
            store.checkpoints(log_id).await.unwrap(),
        )
    });
    let mut group = c.benchmark_group("audit_verify");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.sample_size(10);
    group.bench_function("records", |b| {
        b.iter(|| {
            palisade_audit::verify::verify(
                log_id,
                &origin(log_id),
                &records,
                &checkpoints,
                &verifier,
            )
            .unwrap()
        })
    });
    group.finish();
}

/// A mix like a day of a busy node: inference requests from a thousand
/// people in four tenants, some with identifiers or PHI, some refused.
fn mixed_event(log_id: &str, i: u64) -> AuditEvent {
    let mut e = event(log_id);
    match i % 10 {
        0..=5 => {
            e.event_type = if i.is_multiple_of(2) {
                EventType::InferenceAccepted
            } else {
                EventType::InferenceCompleted
            };
            e.status = Some(200);
            e.reason = None;
            e.subject_pseudonym = Some(format!("{:064x}", i % 1000));
            e.tenant = Some(format!("tenant-{}", i % 4));
            e.roles = vec!["inference".into()];
            e.model_id = Some("bench-1b".into());
            e.purpose = Some(
                if i.is_multiple_of(3) {
                    "treatment"
                } else {
                    "operations"
                }
                .into(),
            );
            e.data_classification = Some(
                if i.is_multiple_of(7) {
                    "phi"
                } else {
                    "internal"
                }
                .into(),
            );
            if i.is_multiple_of(5) {
                e.identifier_categories = vec!["email".into(), "phone".into()];
            }
        }
        6 => {
            e.event_type = EventType::InferenceRefused;
            e.status = Some(403);
            e.error_code = Some("policy_denied".into());
            e.decision = Some("deny".into());
            e.policy_ids = vec!["gdpr-residency".into()];
        }
        _ => {}
    }
    e
}

/// `audit report` over 1,000,000 records, as a ratio to `audit verify` of
/// the same log: both read every record from the store; the report also
/// selects and counts.
fn bench_report(c: &mut Criterion) {
    use palisade_audit::export::Filter;
    use palisade_audit::report::{self, Regulation, ReportSettings};
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = format!("sqlite:{}", dir.path().join("report.db").display());
    let log_id = "report-bench";
    let (signer, _) = CheckpointSigner::generate("palisade-report").unwrap();
    let verifier = CheckpointVerifier::parse(&signer.verifier_key()).unwrap();
    let n = 1_000_000u64;
    let log = rt.block_on(filled_log(&url, log_id, signer, (n, 100_000), mixed_event));
    let settings = ReportSettings {
        regulation: Some(Regulation::Hipaa),
        generated_at: "2026-12-08T00:00:00.000Z".into(),
        retention_minimum: Duration::from_secs(6 * 365 * 86_400),
        legal_hold: false,
        sites: Vec::new(),
        policy_files: Vec::new(),
        since: None,
        working_hours: report::WORKING_HOURS,
    };
    let mut group = c.benchmark_group("audit_report_1m");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("verify", |b| {
        b.iter(|| {
            rt.block_on(async {
                let store = log.store();
                let records = store.records(log_id).await.unwrap();
                let checkpoints = store.checkpoints(log_id).await.unwrap();
                palisade_audit::verify::verify(
                    log_id,
                    &origin(log_id),
                    &records,
                    &checkpoints,
                    &verifier,
                )
                .unwrap()
            })
        })
    });
    for regulation in [Regulation::Hipaa, Regulation::EuAiAct, Regulation::Gdpr] {
        let settings = ReportSettings {
            regulation: Some(regulation),
            ..settings.clone()
        };
        group.bench_function(regulation.name(), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let (made, _) = report::make(&log, &Filter::default(), &settings, &verifier)
                        .await
                        .unwrap();
                    assert!(made.verified && made.records >= n);
                    report::render(&made, report::ReportFormat::Html).len()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench, bench_report);
criterion_main!(benches);
