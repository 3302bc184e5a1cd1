//! Checks the SMS corpus repeatedly, for profilers (`perf record`, callgrind).
//!
//! ```text
//! cargo run --release -p sendlint --example profile -- data/sms_spam_collection.tsv 20 [policy.toml]
//! SENDLINT_PROFILE_COLD=1 cargo run …       # every round on a fresh thread (empty phone memo)
//! SENDLINT_PROFILE_BASELINE=1 cargo run …   # the bench's bare scan of 500 lexicon phrases instead
//! ```
//!
//! It prints the mean time per message over all rounds (the first round
//! included) and the fastest round's, the steadier figure on a shared machine.
//!
//! Instructions per check, warm, without the first round's one-off costs: run
//! callgrind with `--toggle-collect='sendlint::engine::Engine::check'` (or
//! `--toggle-collect='profile::bare_scan'` for the baseline) at two round counts
//! and divide the difference by the extra checks.
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("path to sms_spam_collection.tsv");
    let rounds: usize = args.next().map_or(10, |r| r.parse().expect("rounds"));
    let data = std::fs::read_to_string(path).expect("read corpus");
    let texts: Vec<&str> = data
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t').map(|p| p.1))
        .collect();
    let start = std::time::Instant::now();
    if std::env::var_os("SENDLINT_PROFILE_BASELINE").is_some_and(|v| v == "1") {
        let keywords = lexicon_keywords(500);
        assert_eq!(keywords.len(), 500);
        let scanner = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&keywords)
            .expect("keywords compile");
        let start = std::time::Instant::now();
        let mut fastest = Fastest::default();
        let matches: usize = (0..rounds)
            .map(|_| fastest.time(|| texts.iter().map(|t| bare_scan(&scanner, t)).sum::<usize>()))
            .sum();
        let per = start.elapsed() / (rounds * texts.len()) as u32;
        println!(
            "{} scans, {matches} matches, {per:?} per message, fastest round {:?} per message",
            rounds * texts.len(),
            fastest.per(texts.len())
        );
        return;
    }
    let policy = args.next().map_or_else(sendlint::Policy::default, |p| {
        sendlint::Policy::from_path(p).expect("policy")
    });
    let engine = sendlint::Engine::new(policy).expect("engine");
    let mut findings = 0;
    // `SENDLINT_PROFILE_COLD=1`: each round on a fresh thread, so every round
    // starts with an empty per-thread phone memo (what a new worker sees).
    let cold = std::env::var_os("SENDLINT_PROFILE_COLD").is_some_and(|v| v == "1");
    let round = || {
        texts
            .iter()
            .map(|text| {
                engine
                    .check(&sendlint::Message::new(text))
                    .unwrap()
                    .findings
                    .len()
            })
            .sum::<usize>()
    };
    let mut fastest = Fastest::default();
    for _ in 0..rounds {
        findings += fastest.time(|| {
            if cold {
                std::thread::scope(|scope| scope.spawn(round).join().unwrap())
            } else {
                round()
            }
        });
    }
    let per = start.elapsed() / (rounds * texts.len()) as u32;
    println!(
        "{} checks, {findings} findings, {per:?} per message, fastest round {:?} per message",
        rounds * texts.len(),
        fastest.per(texts.len())
    );
}

/// The fastest of the timed rounds: on a shared machine other load only ever
/// slows a round down, so the minimum is the steadiest estimate (the first
/// round, which builds the phone DFAs, is never the fastest).
#[derive(Default)]
struct Fastest(Option<std::time::Duration>);

impl Fastest {
    fn time<T>(&mut self, round: impl FnOnce() -> T) -> T {
        let start = std::time::Instant::now();
        let result = round();
        let took = start.elapsed();
        self.0 = Some(self.0.map_or(took, |fastest| fastest.min(took)));
        result
    }

    fn per(&self, messages: usize) -> std::time::Duration {
        self.0.unwrap_or_default() / messages.max(1) as u32
    }
}

/// The baseline: one Aho-Corasick scan, nothing else (a function of its own so
/// callgrind can count just it).
#[inline(never)]
fn bare_scan(scanner: &aho_corasick::AhoCorasick, text: &str) -> usize {
    scanner.find_iter(black_box(text)).count()
}

/// 500 phrases of the built-in lexicons, picked as `benches/benches/check.rs` does.
fn lexicon_keywords(count: usize) -> Vec<String> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("lexicon directory") {
            let path = entry.expect("lexicon entry").path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons"),
        &mut files,
    );
    files.retain(|f| {
        !f.components()
            .any(|c| c.as_os_str() == "stopwords" || c.as_os_str() == "homoglyphs.txt")
    });
    files.sort();
    let mut keywords: Vec<String> = files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .expect("lexicon file")
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
