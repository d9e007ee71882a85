//! Policy decisions and identifier detection, the two steps policy adds to
//! an inference request.
//!
//! - Decision latency (p50, p99 over 20 000 decisions, printed) with the
//!   shipped set and with 1 000 generated policies, plus criterion's mean.
//! - Detection throughput (MB/s) on prose with identifiers, on prose with
//!   none, and on a megabyte of near-miss card numbers (every Luhn check
//!   fails), against a baseline that only counts the text's digits (one
//!   pass over the same bytes), so the ratio survives a noisy machine.
//!
//! Run: `cargo bench --bench policy`; numbers go to docs/benchmarks.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::disallowed_methods
)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use palisade::pii::Detector;
use palisade::policy::{Action, Caller, Circumstances, Deployment, Facts, PolicySet, SHIPPED};

fn facts(tenant: &str, classes: &[&str], categories: &[&str]) -> Facts {
    Facts {
        caller: Caller {
            issuer: "https://idp.example".into(),
            subject: "alice".into(),
            tenant: tenant.into(),
            roles: vec!["inference".into()],
            clearances: vec!["pii".into()],
            region: "eu-central".into(),
            ..Caller::default()
        },
        deployment: Deployment {
            model_id: "palisade-demo".into(),
            node: "n1".into(),
            region: "eu-central".into(),
            jurisdiction: "EU".into(),
            ..Deployment::default()
        },
        circumstances: Circumstances {
            data_classes: classes.iter().map(|c| (*c).to_owned()).collect(),
            identifier_categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            identifier_count: categories.len() as i64,
            purpose: "treatment".into(),
            ..Circumstances::default()
        },
    }
}

/// 1 000 policies in the shape operators write: per-tenant allow-lists and
/// residency rules, per-tenant grants with conditions.
fn generated() -> PolicySet {
    let mut text = String::new();
    for i in 0..1000 {
        match i % 4 {
            0 => text.push_str(&format!(
                "@id(\"allow-{i}\")\nforbid (principal in Palisade::Tenant::\"t{i}\", action == Palisade::Action::\"infer\", resource)\nunless {{ [\"m{i}\", \"m{}\"].contains(resource.model_id) }};\n",
                i + 1
            )),
            1 => text.push_str(&format!(
                "@id(\"residency-{i}\")\nforbid (principal, action == Palisade::Action::\"infer\", resource)\nwhen {{ principal.tenant == \"t{i}\" && context.data_classes.contains(\"pii\") && resource.region != \"r{i}\" }};\n"
            )),
            2 => text.push_str(&format!(
                "@id(\"grant-{i}\")\npermit (principal, action == Palisade::Action::\"infer\", resource)\nwhen {{ principal.tenant == \"t{i}\" && principal.roles.contains(\"inference\") && context.hour_utc >= 6 }};\n"
            )),
            _ => text.push_str(&format!(
                "@id(\"phi-{i}\")\nforbid (principal, action == Palisade::Action::\"infer\", resource)\nwhen {{ context.identifier_categories.contains(\"medical_record_number\") && principal.region == \"r{i}\" }};\n"
            )),
        }
    }
    let mut files: Vec<(String, String)> = SHIPPED
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect();
    files.push(("generated.cedar".to_owned(), text));
    PolicySet::from_files("generated", &files).unwrap()
}

fn percentiles(name: &str, set: &PolicySet, f: &Facts) {
    let mut times = Vec::with_capacity(20_000);
    for _ in 0..1_000 {
        black_box(set.decide(Action::Infer, f));
    }
    for _ in 0..20_000 {
        let t = Instant::now();
        black_box(set.decide(Action::Infer, f));
        times.push(t.elapsed().as_nanos() as f64 / 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    println!(
        "decision, {name}: p50 {:.1} us, p99 {:.1} us, max {:.1} us",
        at(0.50),
        at(0.99),
        at(1.0)
    );
}

fn prose(with_identifiers: bool) -> String {
    let clean = "The patient was seen in clinic today and reports improved sleep. \
                 Plan: continue the current dose, review in four weeks, and repeat the \
                 blood panel before the next visit. Discussed diet and exercise at length. ";
    let marked = "Contact Dr Weber at +49 30 1234567 or weber@klinik.example.de; \
                  MRN: A7734521, DOB 07/03/1984, card 4111 1111 1111 1111, \
                  IBAN DE89 3704 0044 0532 0130 00, SSN 123-45-6789, see https://klinik.example.de/x. ";
    let mut text = String::new();
    while text.len() < 1 << 20 {
        text.push_str(clean);
        if with_identifiers {
            text.push_str(marked);
        }
    }
    text
}

fn near_misses() -> String {
    let mut text = String::new();
    let mut n: u64 = 4_000_000_000_000_000;
    while text.len() < 1 << 20 {
        let mut c = n;
        loop {
            let d: Vec<u32> = c
                .to_string()
                .chars()
                .map(|x| x.to_digit(10).unwrap())
                .collect();
            if !palisade::pii::luhn_valid(&d) {
                break;
            }
            c += 1;
        }
        let s = c.to_string();
        text.push_str(&format!(
            "{} {} {} {} ",
            &s[0..4],
            &s[4..8],
            &s[8..12],
            &s[12..16]
        ));
        n += 7_919;
    }
    text
}

fn bench(c: &mut Criterion) {
    let shipped = PolicySet::shipped().unwrap();
    let many = generated();
    let plain = facts("ward-7", &[], &[]);
    let ssn = facts("ward-7", &["pii"], &["ssn"]);
    let tenant = facts("t500", &["pii"], &["ssn"]);
    percentiles("shipped set, no identifiers", &shipped, &plain);
    percentiles("shipped set, an SSN (redact)", &shipped, &ssn);
    percentiles("1 000 generated + shipped, an SSN", &many, &ssn);
    percentiles("1 000 generated + shipped, tenant t500", &many, &tenant);
    c.bench_function("decide: shipped set", |b| {
        b.iter(|| shipped.decide(Action::Infer, black_box(&ssn)))
    });
    c.bench_function("decide: 1000 generated policies", |b| {
        b.iter(|| many.decide(Action::Infer, black_box(&ssn)))
    });

    let detector = Detector::new().unwrap();
    let mut group = c.benchmark_group("detect");
    for (name, text) in [
        ("prose with identifiers", prose(true)),
        ("prose without identifiers", prose(false)),
        ("near-miss card numbers", near_misses()),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("baseline: count digits, {name}"), |b| {
            b.iter(|| {
                black_box(&text)
                    .chars()
                    .filter(char::is_ascii_digit)
                    .count()
            })
        });
        group.bench_function(name, |b| b.iter(|| detector.scan(black_box(&text))));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
