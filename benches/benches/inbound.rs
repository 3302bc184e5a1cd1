//! Inbound triage (`Engine::triage`) on the SMS Spam Collection, every message
//! taken as a customer's message to a business, and reply health over 10,000
//! exchanges.
//!
//! ```text
//! cargo bench -p sendlint-benches --bench inbound -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jiff::{SignedDuration, Timestamp};
use sendlint::{Engine, Exchange, Inbound};

fn sms_texts() -> Vec<String> {
    let path = std::env::var_os("SENDLINT_SMS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/sms_spam_collection.tsv"),
        PathBuf::from,
    );
    let data = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {}: {e} (set SENDLINT_SMS)", path.display()));
    data.lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t').map(|(_, text)| text.to_owned()))
        .collect()
}

fn bench_triage(c: &mut Criterion) {
    let engine = Engine::default();
    let texts = sms_texts();
    let at: Timestamp = "2026-11-25T09:00:00Z".parse().unwrap();
    let mut group = c.benchmark_group("inbound");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("triage_sms_corpus", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(
                    engine
                        .triage(&Inbound::new(black_box(text)).at(at))
                        .unwrap(),
                );
            }
        });
    });
    group.finish();

    let now = at;
    let exchanges: Vec<Exchange> = (0..10_000i64)
        .map(|i| {
            let received = now - SignedDuration::from_mins(i * 3);
            let replied = (i % 7 != 0).then(|| received + SignedDuration::from_mins(i % 400));
            Exchange::new(received, replied).due(received + SignedDuration::from_mins(15))
        })
        .collect();
    let mut group = c.benchmark_group("inbound");
    group.throughput(Throughput::Elements(exchanges.len() as u64));
    group.bench_function("reply_health_10k", |b| {
        b.iter(|| {
            black_box(
                engine
                    .reply_health(black_box(&exchanges), Some(now))
                    .unwrap(),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, bench_triage);
criterion_main!(benches);
