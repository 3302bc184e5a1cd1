//! What the C ABI costs on top of the Rust call, on the UCI SMS Spam Collection.
//!
//! ```text
//! cargo bench -p sendlint-ffi --bench ffi -- --warm-up-time 1 --measurement-time 3
//! ```
//! `rust_engine_check` is `Engine::check(&Message::new(text))`;
//! `c_check_text` is `sendlint_check_text` on the same texts (pointer checks,
//! UTF-8 validation, the panic boundary, the summary); `c_check_json` is the
//! full `sendlint_check` path: each message as a JSON object in, the report as
//! JSON out and freed.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sendlint::{
    sendlint_check, sendlint_check_text, sendlint_engine_free, sendlint_engine_new,
    sendlint_status, sendlint_string_free, sendlint_summary,
};

fn sms_texts() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/sms_spam_collection.tsv");
    let data =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    data.lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t').map(|(_, text)| text.to_owned()))
        .collect()
}

fn bench_overhead(c: &mut Criterion) {
    let texts = sms_texts();
    let messages: Vec<String> = texts
        .iter()
        .map(|text| serde_json::json!({ "text": text }).to_string())
        .collect();
    let engine = sendlint_core::Engine::default();
    let mut handle = std::ptr::null_mut();
    // SAFETY: NULL policy (the built-in one) and a valid out pointer.
    let status = unsafe { sendlint_engine_new(std::ptr::null(), 0, &mut handle) };
    assert_eq!(status, sendlint_status::SENDLINT_OK);

    let mut group = c.benchmark_group("ffi_overhead");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function(format!("rust_engine_check/{}_sms", texts.len()), |b| {
        b.iter(|| {
            for text in &texts {
                let report = engine.check(&sendlint_core::Message::new(black_box(text)));
                black_box(report.unwrap().risk);
            }
        })
    });
    group.bench_function(format!("c_check_text/{}_sms", texts.len()), |b| {
        b.iter(|| {
            let mut summary = std::mem::MaybeUninit::<sendlint_summary>::uninit();
            for text in &texts {
                let text = black_box(text.as_bytes());
                // SAFETY: a live engine, `text.len()` readable bytes, a writable summary.
                let status = unsafe {
                    sendlint_check_text(
                        handle,
                        text.as_ptr().cast(),
                        text.len(),
                        summary.as_mut_ptr(),
                    )
                };
                black_box(status);
            }
        })
    });
    group.bench_function(format!("c_check_json/{}_sms", texts.len()), |b| {
        b.iter(|| {
            for message in &messages {
                let message = black_box(message.as_bytes());
                let mut report = std::ptr::null_mut();
                // SAFETY: a live engine, no history, readable JSON bytes, a writable out pointer.
                let status = unsafe {
                    sendlint_check(
                        handle,
                        std::ptr::null(),
                        message.as_ptr().cast(),
                        message.len(),
                        &mut report,
                    )
                };
                black_box(status);
                // SAFETY: a report string from `sendlint_check` (or NULL), freed once.
                unsafe { sendlint_string_free(report) };
            }
        })
    });
    group.finish();
    // SAFETY: the handle from `sendlint_engine_new`, freed once.
    unsafe { sendlint_engine_free(handle) };
}

criterion_group!(benches, bench_overhead);
criterion_main!(benches);
