//! The hot scoring path: `Engine::check` on realistic messages.
//!
//! ```text
//! cargo bench -p sendlint-benches --bench check
//! ```
//! Uses the UCI SMS Spam Collection from `data/` (or `$SENDLINT_SMS`)
//! and the multilingual `examples/campaign.jsonl`.
//!
//! `baseline/bare_scan_500_keywords` is the floor we compare against: one
//! Aho-Corasick scan of 500 phrases from our lexicons over the same SMS, nothing
//! else. `check/sms_corpus_cold` runs the corpus on a fresh thread each time, so
//! the per-thread link and phone memos start empty; `check/sms_corpus` is warm.
//! After the `check` group the bench prints `fastest_round`: the fastest of 40
//! interleaved rounds of the bare scan, a warm and a cold pass, and the ratios
//! of the two checks to the scan, measured in the same run.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sendlint::{Engine, Message};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sms_texts() -> Vec<String> {
    let path = std::env::var_os("SENDLINT_SMS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("data/sms_spam_collection.tsv"));
    let data = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {}: {e} (set SENDLINT_SMS)", path.display()));
    data.lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t').map(|(_, text)| text.to_owned()))
        .collect()
}

fn campaign_texts() -> Vec<String> {
    let data = std::fs::read_to_string(workspace().join("examples/campaign.jsonl")).unwrap();
    data.lines()
        .filter_map(|line| {
            let start = line.find("\"text\": \"")? + 9;
            let end = start + line[start..].find("\", \"")?;
            Some(line[start..end].replace("\\\"", "\""))
        })
        .collect()
}

/// 500 phrases of the built-in lexicons (bait words, labels, cues, …), as a bare
/// keyword scanner a team would start from would hold them.
fn lexicon_keywords(count: usize) -> Vec<String> {
    fn walk(dir: &std::path::Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&workspace().join("core/lexicons"), &mut files);
    files.retain(|f| {
        !f.components()
            // Inbound lists are not scanned by `check` (they have their own automaton).
            .any(|c| {
                ["stopwords", "homoglyphs.txt", "inbound"]
                    .contains(&c.as_os_str().to_str().unwrap_or(""))
            })
    });
    files.sort();
    let mut keywords: Vec<String> = files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && *l != "#" && !l.starts_with("# "))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    keywords.sort();
    keywords.dedup();
    let stride = (keywords.len() / count).max(1);
    keywords.into_iter().step_by(stride).take(count).collect()
}

/// The baseline's scanner: 500 lexicon phrases, ASCII case folded, nothing else.
fn bare_scanner() -> aho_corasick::AhoCorasick {
    let keywords = lexicon_keywords(500);
    assert_eq!(keywords.len(), 500);
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&keywords)
        .unwrap()
}

/// One pass of the baseline over `texts`.
fn bare_scan(scanner: &aho_corasick::AhoCorasick, texts: &[String]) {
    for text in texts {
        black_box(scanner.find_iter(black_box(text.as_str())).count());
    }
}

/// One pass of `check` over `texts` on this thread (warm once its memos are
/// filled).
fn check_all(engine: &Engine, texts: &[String]) {
    for text in texts {
        black_box(engine.check(&Message::new(black_box(text))).unwrap());
    }
}

/// One pass of `check` over `texts` on a fresh thread, whose memos start empty.
fn check_all_cold(engine: &Engine, texts: &[String]) {
    std::thread::scope(|scope| {
        scope.spawn(|| check_all(engine, texts));
    });
}

fn bench_baseline(c: &mut Criterion) {
    let texts = sms_texts();
    let scanner = bare_scanner();
    let mut group = c.benchmark_group("baseline");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function(
        format!("bare_scan_500_keywords/{}_messages", texts.len()),
        |b| b.iter(|| bare_scan(&scanner, &texts)),
    );
    group.finish();
}

fn bench_check(c: &mut Criterion) {
    let engine = Engine::default();
    let mut group = c.benchmark_group("check");
    let sms = sms_texts();
    group.throughput(Throughput::Elements(sms.len() as u64));
    // Whether the filter kept the cold SMS bench: the fastest-round ratios below
    // run with it.
    let measured_sms = std::cell::Cell::new(false);
    group.bench_function(format!("sms_corpus_cold/{}_messages", sms.len()), |b| {
        measured_sms.set(true);
        b.iter(|| check_all_cold(&engine, &sms))
    });
    for (name, texts) in [
        ("sms_corpus", sms_texts()),
        ("campaign_multilingual", campaign_texts()),
    ] {
        let bytes: usize = texts.iter().map(String::len).sum();
        group.throughput(Throughput::Elements(texts.len() as u64));
        group.bench_function(
            format!("{name}/{}_messages_{}_bytes", texts.len(), bytes),
            |b| b.iter(|| check_all(&engine, &texts)),
        );
    }
    let typical = "Anzeige: Unser neuer Lippenstift ist da – für €19,90 statt €24,90. \
                   Jetzt bestellen: https://www.beauty-shop-shenzhen.com/shop/lippenstift 💄 \
                   Antworte STOP zum Abmelden.";
    group.throughput(Throughput::Bytes(typical.len() as u64));
    group.bench_function(format!("one_{}_byte_ad", typical.len()), |b| {
        b.iter(|| black_box(engine.check(&Message::new(black_box(typical))).unwrap()))
    });
    group.finish();
    // Only when benchmarking (`cargo test --benches` runs each bench once).
    if measured_sms.get() && std::env::args().any(|arg| arg == "--bench") {
        fastest_rounds(&engine, &sms);
    }
}

/// Prints the fastest of many rounds of the bare scan, a warm and a cold pass
/// over the SMS corpus, interleaved, and their ratios. Load from other tenants
/// of a shared machine only ever slows a round down, so the fastest round is
/// steadier than criterion's means, which on a busy box swing by tens of
/// percent between runs (the cold mean most).
fn fastest_rounds(engine: &Engine, sms: &[String]) {
    const ROUNDS: usize = 40;
    let scanner = bare_scanner();
    // Fills this thread's memos: every warm pass finds them filled.
    check_all(engine, sms);
    let passes: [&dyn Fn(); 3] = [
        &|| bare_scan(&scanner, sms),
        &|| check_all(engine, sms),
        &|| check_all_cold(engine, sms),
    ];
    let mut fastest = [Duration::MAX; 3];
    for round in 0..ROUNDS {
        // A different pass first in each round.
        for k in 0..passes.len() {
            let which = (round + k) % passes.len();
            let start = Instant::now();
            passes[which]();
            fastest[which] = fastest[which].min(start.elapsed());
        }
    }
    let per_message = |d: Duration| d.as_secs_f64() * 1e6 / sms.len() as f64;
    let [bare, warm, cold] = fastest.map(per_message);
    println!(
        "fastest_round/{}_sms ({ROUNDS} rounds, interleaved, per message): bare scan \
         {bare:.3} µs, check warm {warm:.3} µs ({:.2}×), check cold {cold:.3} µs ({:.2}×)",
        sms.len(),
        warm / bare,
        cold / bare,
    );
}

/// 64 KiB texts built against `pii_exposure`, `mass_mention` and the number
/// scanner (the first two took 16 and 4 minutes before the rule was made linear).
/// Target: under 50 ms each.
fn bench_adversarial(c: &mut Criterion) {
    let engine = Engine::default();
    let fill = |unit: &str| unit.repeat(65_536 / unit.len());
    // Distinct valid German numbers, each validated by `phonenumber` (the
    // per-thread memo holds 4096): the cost of libphonenumber itself.
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut numbers = String::new();
    while numbers.len() + 14 <= 65_536 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        numbers.push_str(&format!("0170 {:07}, ", seed % 10_000_000));
    }
    // Distinct international numbers of many countries: once they span more
    // regions than libphonenumber's 100-entry regex cache, every lookup recompiles
    // (seconds before lookups per message were capped).
    let codes = [
        1, 7, 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53,
        54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
        212, 213, 216, 218, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233,
        234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 248, 249, 250, 251, 252,
        253, 254, 255, 256, 257, 258, 260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290, 291,
        297, 298, 299, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 370, 371, 372, 373, 374,
        375, 376, 377, 378, 380, 381, 382, 383, 385, 386, 387, 389,
    ];
    let mut international = String::new();
    let mut i = 0;
    while international.len() + 20 <= 65_536 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        international.push_str(&format!(
            "+{} {:09}, ",
            codes[i % codes.len()],
            seed % 1_000_000_000
        ));
        i += 1;
    }
    let mut group = c.benchmark_group("adversarial");
    group.sample_size(10);
    for (name, text) in [
        ("korean_honorifics", fill("임신님")),
        ("order_numbers", fill("PO 1234567 ")),
        ("named_attributes", fill("Frau Keller: Hauttyp trocken\n")),
        ("honorifics_without_names", fill("Frau Frau Frau Hauttyp ")),
        ("digit_soup", fill("1-2.3 4/5(6)7+8 9-0.1 ")),
        ("mentions", fill("@a @b ")),
        ("distinct_phone_numbers", numbers),
        ("distinct_international_numbers", international),
    ] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(engine.check(&Message::new(black_box(&text))).unwrap()))
        });
    }
    group.finish();
}

fn bench_build(c: &mut Criterion) {
    c.bench_function("engine_build/default_policy", |b| {
        b.iter_batched(
            || (),
            |()| black_box(Engine::default()),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(
    benches,
    bench_baseline,
    bench_check,
    bench_adversarial,
    bench_build
);
criterion_main!(benches);
