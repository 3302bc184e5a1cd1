//! Audiences: a label expression over 100,000 contacts × 100 labels, and the
//! import of a 100,000-row CSV with 100 labels.
//!
//! ```text
//! cargo bench -p sendlint-benches --bench audience -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use sendlint::audience::{Audience, Expression, ImportOptions};

const CONTACTS: usize = 100_000;
const LABELS: usize = 100;

fn label_names() -> Vec<String> {
    (0..LABELS).map(|i| format!("Label-{i:02}")).collect()
}

/// A contact list as a shop exports it: E.164 numbers, three to five labels
/// each (label `i` on roughly `1 / (i + 2)` of the contacts, so some labels
/// are large and most small), consent time, method and source.
fn csv(rows: usize) -> String {
    let names = label_names();
    let mut csv = String::from("phone,labels,consent_at,consent_method,consent_source\n");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for row in 0..rows {
        let count = 3 + (next() % 3) as usize;
        let labels: Vec<&str> = (0..count)
            .map(|_| {
                // Smaller label numbers are likelier: a skewed, realistic mix.
                let pick = (next() % 10_000) as f64 / 10_000.0;
                let index = ((pick * pick) * LABELS as f64) as usize;
                names[index.min(LABELS - 1)].as_str()
            })
            .collect();
        csv.push_str(&format!(
            "+49170{},\"{}\",2026-0{}-1{}T10:00:00Z,web_form,checkout\n",
            1_000_000 + row,
            labels.join(","),
            1 + row % 9,
            row % 10
        ));
    }
    csv
}

fn expression(c: &mut Criterion) {
    let mut audience = Audience::new(label_names()).unwrap();
    audience
        .import_csv(csv(CONTACTS).as_bytes(), &ImportOptions::new())
        .unwrap();
    assert_eq!(audience.len(), CONTACTS);
    let seed_003: Expression = "Label-03 AND Label-07 AND NOT Label-11".parse().unwrap();
    let wide: Expression = "(Label-01 OR Label-02 OR Label-40 OR Label-77) AND NOT (Label-05 OR Label-06) AND (Label-00 OR NOT Label-99)"
        .parse()
        .unwrap();
    let mut group = c.benchmark_group("audience/expression_100k_x_100");
    group.bench_function("a AND b AND NOT c", |b| {
        b.iter(|| black_box(audience.count(black_box(&seed_003)).unwrap()))
    });
    group.bench_function("9 labels, OR/AND/NOT, brackets", |b| {
        b.iter(|| black_box(audience.count(black_box(&wide)).unwrap()))
    });
    group.bench_function("select a AND b AND NOT c (numbers out)", |b| {
        b.iter(|| {
            black_box(
                audience
                    .select("Label-03 AND Label-07 AND NOT Label-11")
                    .unwrap(),
            )
        })
    });
    group.finish();
}

fn import(c: &mut Criterion) {
    let bytes = csv(CONTACTS).into_bytes();
    let names = label_names();
    let mut group = c.benchmark_group("audience/import");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Elements(CONTACTS as u64));
    group.bench_function("100k rows, 100 labels", |b| {
        b.iter_batched(
            || Audience::new(&names).unwrap(),
            |mut audience| {
                let report = audience
                    .import_csv(black_box(&bytes), &ImportOptions::new())
                    .unwrap();
                black_box(report.accepted)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, expression, import);
criterion_main!(benches);
