//! The audit trail's throughput: durable records per second through the
//! group-committing log writer, on SQLite (a file in a temp dir, WAL,
//! synchronous=FULL) and on PostgreSQL (127.0.0.1:5432), with 1, 16 and 64
//! concurrent writers; and verification speed in records per second.
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
        let log = AuditLog::start(
            Store::open(&url).await.unwrap(),
            signer,
            LogSettings {
                log_id: log_id.to_owned(),
                checkpoint_every_records: 10_000,
                checkpoint_interval: Duration::from_secs(3600),
                checkpoint_file: None,
                checkpoint_feed: None,
            },
        )
        .await
        .unwrap();
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let log = log.clone();
                tokio::spawn(async move {
                    for _ in 0..n / 64 + 1 {
                        log.append(event(log_id)).await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        log.checkpoint().await.unwrap();
        let store = Store::open(&url).await.unwrap();
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

criterion_group!(benches, bench);
criterion_main!(benches);
