//! The license + monthly-active-user step of an inference request, and the
//! HyperLogLog sketch's accuracy.
//!
//! Per request the node computes the subject's keyed pseudonym and asks the
//! accountant (`mau::Accountant::admit`); a subject already active this
//! month is the common case and never touches the store. A subject new
//! this month is committed to the store first (SQLite here, synchronous
//! FULL): once per subject and month. The baseline is the pseudonym alone.
//!
//! Run: `cargo bench --bench mau`; numbers go to docs/benchmarks.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use palisade::audit::keys::pseudonym;
use palisade::audit::store::Store;
use palisade::license::MauMode;
use palisade::mau::Accountant;
use palisade::mau::sketch::{Sketch, hash_of_pseudonym};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("audit.db").display());
    let now = time::OffsetDateTime::now_utc();
    let key = [7u8; 32];
    let accountant = rt.block_on(async {
        let store = Store::open(&url).await.unwrap();
        let a = Accountant::open(store, "bench", Some(1_000_000), MauMode::Enforce, now)
            .await
            .unwrap();
        // 10 000 subjects already active this month.
        for i in 0..10_000 {
            let p = pseudonym(&key, &["https://idp.example", &format!("user-{i}")]);
            a.admit(&p, "t", now).await.unwrap();
        }
        a
    });
    let mut i = 0u64;
    c.bench_function("pseudonym only (baseline)", |b| {
        b.iter(|| {
            i = (i + 1) % 10_000;
            pseudonym(&key, &["https://idp.example", &format!("user-{i}")])
        });
    });
    c.bench_function("pseudonym + admit, subject active this month", |b| {
        b.iter(|| {
            i = (i + 1) % 10_000;
            let p = pseudonym(&key, &["https://idp.example", &format!("user-{i}")]);
            rt.block_on(accountant.admit(&p, "t", now)).unwrap()
        });
    });
    let mut n = 10_000u64;
    c.bench_function(
        "pseudonym + admit, subject new this month (store commit)",
        |b| {
            b.iter(|| {
                n += 1;
                let p = pseudonym(&key, &["https://idp.example", &format!("user-{n}")]);
                rt.block_on(accountant.admit(&p, "t", now)).unwrap()
            });
        },
    );

    // Sketch accuracy: distinct pseudonyms of a keyed HMAC, as the node
    // feeds them.
    for subjects in [10_000u64, 1_000_000, 10_000_000] {
        let started = Instant::now();
        let mut sketch = Sketch::new();
        for s in 0..subjects {
            sketch.insert(hash_of_pseudonym(&pseudonym(&key, &["i", &s.to_string()])));
        }
        let estimate = sketch.estimate();
        println!(
            "sketch of {subjects} subjects: estimate {estimate:.0}, error {:+.3} % ({:.1} s)",
            100.0 * (estimate - subjects as f64) / subjects as f64,
            started.elapsed().as_secs_f64()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
