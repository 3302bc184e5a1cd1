//! Measures how the built-in policy separates spam from ordinary messages on the
//! UCI SMS Spam Collection (`data/sms_spam_collection.tsv`).
//!
//! ```text
//! cargo run --release -p sendlint --example evaluate -- data/sms_spam_collection.tsv
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
        .unwrap_or_else(|| "data/sms_spam_collection.tsv".to_owned());
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
    simhash_distribution(&engine, &data);
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

/// SimHash similarity of unrelated messages (distinct texts paired at a fixed
/// stride) and of light edits of each message longer than 60 bytes.
fn simhash_distribution(engine: &Engine, data: &str) {
    let mut texts: Vec<&str> = data
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once('\t').map(|(_, text)| text))
        .collect();
    texts.sort_unstable();
    texts.dedup();
    let hashes: Vec<u64> = texts.iter().map(|t| engine.simhash(t)).collect();
    let mut unrelated: Vec<f64> = (0..hashes.len())
        .map(|i| sendlint::similarity(hashes[i], hashes[(i * 7919 + 1) % hashes.len()]))
        .collect();
    unrelated.sort_by(f64::total_cmp);
    let at = |q: f64| unrelated[((unrelated.len() - 1) as f64 * q) as usize];
    let above = unrelated.iter().filter(|&&s| s > 0.8).count();
    println!(
        "simhash, {} unrelated pairs: median {:.2}, p99 {:.2}, max {:.2}, above 0.8: {above}",
        unrelated.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    let long: Vec<&str> = texts.iter().copied().filter(|t| t.len() > 60).collect();
    for (name, edit) in [
        (
            "'!!' appended",
            Box::new(|t: &str| format!("{t}!!")) as Box<dyn Fn(&str) -> String>,
        ),
        (
            "' and ' -> ' & '",
            Box::new(|t: &str| t.replace(" and ", " & ")),
        ),
        (
            "a word added",
            Box::new(|t: &str| t.replacen(' ', " really ", 1)),
        ),
        (
            "last word dropped",
            Box::new(|t: &str| {
                t.rsplit_once(' ')
                    .map_or(t.to_owned(), |(head, _)| head.to_owned())
            }),
        ),
    ] {
        let kept = long
            .iter()
            .filter(|t| sendlint::similarity(engine.simhash(t), engine.simhash(&edit(t))) > 0.8)
            .count();
        println!(
            "simhash, {name}: {kept} of {} messages over 60 bytes stay above 0.8 ({:.1} %)",
            long.len(),
            100.0 * kept as f64 / long.len() as f64
        );
    }
}
