//! Triages every message of the SMS Spam Collection as if a customer had sent
//! it, and prints how many are opt-outs, complaints, urgent, questions or need
//! no reply, per label (ham / spam), with the opt-outs listed for review.
//!
//! `cargo run -p sendlint --release --example inbound_corpus [data/sms_spam_collection.tsv]`

use std::collections::BTreeMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data/sms_spam_collection.tsv".to_owned());
    let corpus = std::fs::read_to_string(&path)?;
    let engine = sendlint::Engine::default();
    let mut counts: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    let mut opt_outs = Vec::new();
    // The first line is the header (`label\ttext`).
    for line in corpus.lines().skip(1) {
        let Some((label, text)) = line.split_once('\t') else {
            continue;
        };
        let triage = engine.triage(&sendlint::Inbound::new(text))?;
        *totals.entry(label).or_default() += 1;
        *counts
            .entry((label, triage.priority.to_string()))
            .or_default() += 1;
        if std::env::var_os("SHOW_CUES").is_some() && label == "ham" {
            for cue in &triage.cues {
                if matches!(
                    cue.cue,
                    sendlint::CueKind::Complaint | sendlint::CueKind::Urgent
                ) {
                    eprintln!("{}\t{:?}\t{text}", cue.cue.as_str(), cue.matched);
                }
            }
        }
        if let Some(opt_out) = &triage.opt_out {
            *counts.entry((label, "opt_out".to_owned())).or_default() += 1;
            opt_outs.push(format!("{label}\t{:?}\t{text}", opt_out.matched));
        }
    }
    for ((label, what), n) in &counts {
        let total = totals[label];
        println!(
            "{label}\t{what}\t{n}\t{:.2} %",
            *n as f64 * 100.0 / total as f64
        );
    }
    println!("totals: {totals:?}\n\nopt-outs:");
    for line in opt_outs {
        println!("{line}");
    }
    Ok(())
}
