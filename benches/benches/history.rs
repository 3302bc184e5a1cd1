//! Context rules: checking against a history of 1k, 10k and 100k sends, recording
//! (steady state, and 200k distinct accounts), and SimHash alone.
//!
//! ```text
//! cargo bench -p sendlint-benches --bench history
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use jiff::{SignedDuration, Timestamp};
use sendlint::{Engine, History, Message};

const TEMPLATES: [&str; 6] = [
    "Anzeige: {} % Rabatt auf alle Torten, nur diese Woche im Laden am Markt",
    "Tipp {}: Brot im Leinenbeutel bleibt länger frisch als in Plastik",
    "Neu ab heute: Dinkel-Walnuss-Brot Nummer {} aus dem Steinofen",
    "(광고) 신상 립스틱 {}호 출시 기념 할인 쿠폰 https://www.beauty-shop-shenzhen.com/ko/shop",
    "【广告】新品口红{}号上市，欢迎选购 https://www.beauty-shop-shenzhen.com/zh/shop",
    "Publicité : -{} % sur toutes les palettes avec le code PARIS, jusqu'à dimanche",
];

/// A history of `sends` sends by 20 accounts over the 30 days from `start`, 5
/// recipients each.
fn history(engine: &Engine, sends: usize, start: &str) -> History {
    let history = History::new();
    let start: Timestamp = start.parse().unwrap();
    let step = SignedDuration::from_secs(30 * 86_400 / sends as i64);
    for i in 0..sends {
        let text = TEMPLATES[i % TEMPLATES.len()].replace("{}", &(i % 97).to_string());
        let account = format!("account-{}", i % 20);
        let recipients: Vec<String> = (0..5)
            .map(|r| format!("+49170{:07}", (i * 7 + r) % 5000))
            .collect();
        let at = start + step * i as i32;
        engine
            .record(
                &history,
                &Message::new(&text)
                    .account(&account)
                    .recipients(&recipients)
                    .at(at),
            )
            .unwrap();
    }
    history
}

fn bench_history(c: &mut Criterion) {
    let engine = Engine::default();
    let at: Timestamp = "2026-10-31T12:00:00Z".parse().unwrap();
    let recipients: Vec<String> = (0..5).map(|r| format!("+49170{r:07}")).collect();
    let text = "Anzeige: 20 % Rabatt auf alle Torten, nur diese Woche im Laden am Markt";
    let mut group = c.benchmark_group("check_with_history");
    for sends in [1_000, 10_000, 100_000] {
        let history = history(&engine, sends, "2026-10-01T00:00:00Z");
        group.bench_with_input(
            BenchmarkId::from_parameter(sends),
            &history,
            |b, history| {
                b.iter(|| {
                    let message = Message::new(black_box(text))
                        .account("account-3")
                        .group("kiez")
                        .recipients(&recipients)
                        .at(at)
                        .history(history);
                    black_box(engine.check(&message).unwrap())
                })
            },
        );
    }
    group.finish();

    // Recording refuses times more than a day ahead of the clock, and the steady
    // state moves time on by 259 s a send: start decades back to stay in the past.
    let history = history(&engine, 10_000, "1990-01-01T00:00:00Z");
    c.bench_function("record/steady_10000", |b| {
        // Steady state: time moves on, so retention keeps ~10k sends in the window.
        let step = SignedDuration::from_secs(30 * 86_400 / 10_000);
        let mut at: Timestamp = "1990-01-31T00:00:00Z".parse().unwrap();
        let mut i = 0usize;
        b.iter(|| {
            at += step;
            i += 1;
            let account = format!("account-{}", i % 20);
            let message = Message::new(black_box(text))
                .account(&account)
                .recipients(&recipients)
                .at(at);
            engine.record(&history, &message).unwrap();
        })
    });
    let mut group = c.benchmark_group("record");
    group.sample_size(10);
    let accounts: Vec<String> = (0..200_000).map(|i| format!("account-{i}")).collect();
    let at: Timestamp = "2026-10-31T00:00:00Z".parse().unwrap();
    group.bench_function("distinct_accounts_200000", |b| {
        // One send for each of 200k accounts into a fresh history: interning a new
        // account must not scan the ones before it.
        b.iter_batched(
            History::new,
            |history| {
                for account in &accounts {
                    let message = Message::new(text).account(account).at(at);
                    engine.record(&history, &message).unwrap();
                }
                history
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    c.bench_function("simhash/71_byte_ad", |b| {
        b.iter(|| black_box(engine.simhash(black_box(text))))
    });
}

criterion_group!(benches, bench_history);
criterion_main!(benches);
