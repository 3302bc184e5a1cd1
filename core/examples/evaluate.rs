//! Measures how the built-in policy separates spam from ordinary messages on the
//! UCI SMS Spam Collection (`shared/data/sms_spam_collection.tsv`).
//!
//! ```text
//! cargo run --release -p sendlint --example evaluate -- ../shared/data/sms_spam_collection.tsv
//! ```
//! Prints, for spam and ham, the share with a verdict other than `allow` and how
//! often each rule fired. Add `--show ham:RULE` to list the ham messages a rule
//! flagged (to look at false positives, not to tune lists to single lines).

use std::collections::BTreeMap;

use sendlint::{Engine, Message, Verdict};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "../shared/data/sms_spam_collection.tsv".to_owned());
    let show = match (args.next().as_deref(), args.next()) {
        (Some("--show"), Some(what)) => Some(what),
        _ => None,
    };
    let data = std::fs::read_to_string(&path)?;
    let engine = Engine::default();
    // label → (messages, flagged, rule → count)
    let mut stats: BTreeMap<&str, (usize, usize, BTreeMap<&str, usize>)> = BTreeMap::new();
    for line in data.lines().skip(1) {
        let Some((label, text)) = line.split_once('\t') else {
            continue;
        };
        let report = engine.check(&Message::new(text))?;
        let entry = stats.entry(label).or_default();
        entry.0 += 1;
        if report.verdict != Verdict::Allow {
            entry.1 += 1;
        }
        let mut rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
        rules.dedup();
        for rule in rules {
            *entry.2.entry(rule).or_default() += 1;
            if show.as_deref() == Some(&format!("{label}:{rule}")) {
                println!("  {rule}: {text}");
            }
        }
    }
    for (label, (total, flagged, rules)) in &stats {
        println!(
            "{label}: {total} messages, {flagged} not allowed ({:.1} %)",
            100.0 * *flagged as f64 / *total as f64
        );
        for (rule, count) in rules {
            println!(
                "    {rule:<18} {count:>5} ({:.1} %)",
                100.0 * *count as f64 / *total as f64
            );
        }
    }
    Ok(())
}
