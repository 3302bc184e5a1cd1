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
//!
//! On a shared, loaded machine those groups run seconds apart under different
//! load, which can swamp a difference of a few per cent. So the bench then
//! prints `ffi_overhead_paired`: 41 rounds, each a Rust pass and a C pass over
//! the corpus back to back (the order alternating), and the median per-message
//! time of each and of the per-round difference; both passes of a round see
//! the same load. (Criterion cannot report it: a difference can be negative.)

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
// The C library has no rlib (see Cargo.toml): compile its source into the
// bench, so the exports are called exactly as C calls them.
#[allow(dead_code)]
#[path = "../src/lib.rs"]
mod capi;

use capi::{
    sendlint_check, sendlint_check_text, sendlint_engine, sendlint_engine_free,
    sendlint_engine_new, sendlint_status, sendlint_string_free, sendlint_summary,
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

    paired_overhead(&engine, handle, &texts);
    // SAFETY: the handle from `sendlint_engine_new`, freed once.
    unsafe { sendlint_engine_free(handle) };
}

/// The Rust and C passes interleaved, round by round; prints medians.
fn paired_overhead(engine: &sendlint_core::Engine, handle: *mut sendlint_engine, texts: &[String]) {
    const ROUNDS: usize = 41;
    let rust_pass = || {
        let start = Instant::now();
        for text in texts {
            let report = engine.check(&sendlint_core::Message::new(black_box(text)));
            black_box(report.unwrap().risk);
        }
        start.elapsed()
    };
    let c_pass = || {
        let mut summary = std::mem::MaybeUninit::<sendlint_summary>::uninit();
        let start = Instant::now();
        for text in texts {
            let text = black_box(text.as_bytes());
            // SAFETY: a live engine, `text.len()` readable bytes, a writable summary.
            black_box(unsafe {
                sendlint_check_text(
                    handle,
                    text.as_ptr().cast(),
                    text.len(),
                    summary.as_mut_ptr(),
                )
            });
        }
        start.elapsed()
    };
    let per_message = |d: Duration| d.as_nanos() as f64 / texts.len() as f64;
    let (mut rust, mut c, mut difference) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (r, cc) = if round % 2 == 0 {
            let r = rust_pass();
            (r, c_pass())
        } else {
            let cc = c_pass();
            (rust_pass(), cc)
        };
        rust.push(per_message(r));
        c.push(per_message(cc));
        difference.push(per_message(cc) - per_message(r));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (rust, c, difference) = (median(&mut rust), median(&mut c), median(&mut difference));
    println!(
        "ffi_overhead_paired/{}_sms ({ROUNDS} rounds, medians per message): \
         rust_engine_check {rust:.0} ns, c_check_text {c:.0} ns, \
         difference {difference:+.0} ns ({:+.1} %)",
        texts.len(),
        100.0 * difference / rust
    );
}

criterion_group!(benches, bench_overhead);
criterion_main!(benches);
