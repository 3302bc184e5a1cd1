//! Heap allocations per `Engine::check`, counted, not timed.
//!
//! ```text
//! cargo bench -p sendlint-benches --bench allocations
//! ```
//! Prints allocations per message for the SMS corpus (warm: a second pass, so
//! per-thread buffers and the phone memo exist) and for the multilingual campaign.

use std::hint::black_box;
use std::path::PathBuf;

use sendlint::{Engine, Message};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn lines(path: &str, field: fn(&str) -> Option<String>) -> Vec<String> {
    let path = workspace().join(path);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .lines()
        .filter_map(field)
        .collect()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument other than ours skips the run.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"allocations".contains(a.as_str()))
    {
        return;
    }
    let engine = Engine::default();
    let sms = lines("data/sms_spam_collection.tsv", |line| {
        line.split_once('\t')
            .filter(|(label, _)| *label != "label")
            .map(|(_, text)| text.to_owned())
    });
    let campaign = lines("examples/campaign.jsonl", |line| {
        let start = line.find("\"text\": \"")? + 9;
        let end = start + line[start..].find("\", \"")?;
        Some(line[start..end].replace("\\\"", "\""))
    });
    for (name, texts) in [("sms_corpus", &sms), ("campaign_multilingual", &campaign)] {
        for text in texts {
            black_box(engine.check(&Message::new(text)).unwrap()); // warm buffers and memo
        }
        // (allocations, messages) for clean messages and for those with findings.
        let mut clean = (0u64, 0u64);
        let mut flagged = (0u64, 0u64);
        for text in texts {
            let mut findings = 0;
            let counted = allocation_counter::measure(|| {
                findings = black_box(engine.check(&Message::new(black_box(text))).unwrap())
                    .findings
                    .len();
            });
            let bucket = if findings == 0 {
                &mut clean
            } else {
                &mut flagged
            };
            bucket.0 += counted.count_total;
            bucket.1 += 1;
        }
        let per = |(allocations, messages): (u64, u64)| allocations as f64 / messages.max(1) as f64;
        println!(
            "{name}: {} messages; allocations per check: {:.2} without findings ({} messages), {:.2} with findings ({} messages)",
            texts.len(),
            per(clean),
            clean.1,
            per(flagged),
            flagged.1,
        );
    }
}
