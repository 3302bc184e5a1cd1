//! Measures the kind classifier (`useful` / `offer` / `ad`) on labelled SMS data:
//! how many promotional messages it calls promotional, and how many ordinary
//! ones it wrongly calls promotional, per language.
//!
//! ```text
//! cargo run --release -p sendlint --example kinds -- \
//!     core/testdata/sms_id/sms_spam_id.tsv data/sms_spam_collection.tsv
//! ```
//! Each file is a TSV with a header line. Two layouts are read:
//! - `lang<TAB>label<TAB>text`, label `promo` (promotional) or `normal`
//!   (`core/testdata/sms_id/`);
//! - `label<TAB>text`, the UCI SMS Spam Collection: language `en`, `spam` counted
//!   as promotional and `ham` as normal (UCI spam is mostly prizes and offers, so
//!   its row is a rough upper bound, not a target).
//!
//! Add `--show LANG:LABEL:KIND` (e.g. `id:promo:useful`) to list the messages of
//! one cell, to look at misses, not to tune lists to single lines.

use std::collections::BTreeMap;
use std::io::Write as _;

use sendlint::{Engine, Kind, Message};

/// Messages of one (language, label): total and count per kind.
#[derive(Default)]
struct Cell {
    total: usize,
    ad: usize,
    offer: usize,
    useful: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut paths = Vec::new();
    let mut show = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--show" {
            show = Some(args.next().ok_or("--show needs LANG:LABEL:KIND")?);
        } else {
            paths.push(arg);
        }
    }
    if paths.is_empty() {
        paths.push("core/testdata/sms_id/sms_spam_id.tsv".to_owned());
    }
    let engine = Engine::default();
    // Written with `?`, so a closed pipe (`| head`) ends the run without a panic.
    let mut out = std::io::stdout().lock();
    let mut cells: BTreeMap<(String, String), Cell> = BTreeMap::new();
    for path in &paths {
        let data = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let mut lines = data.lines();
        let header = lines.next().unwrap_or_default();
        let three_columns = header.split('\t').count() == 3;
        for (number, line) in lines.enumerate() {
            let (lang, label, text) = if three_columns {
                let mut parts = line.splitn(3, '\t');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(lang), Some(label), Some(text)) => (lang, label, text),
                    _ => return Err(format!("{path}:{}: expected 3 columns", number + 2).into()),
                }
            } else {
                let (label, text) = line
                    .split_once('\t')
                    .ok_or_else(|| format!("{path}:{}: expected 2 columns", number + 2))?;
                let label = match label {
                    "spam" => "promo",
                    "ham" => "normal",
                    other => other,
                };
                ("en", label, text)
            };
            let kind = engine.check(&Message::new(text))?.kind;
            let cell = cells
                .entry((lang.to_owned(), label.to_owned()))
                .or_default();
            cell.total += 1;
            match kind {
                Kind::Ad => cell.ad += 1,
                Kind::Offer => cell.offer += 1,
                Kind::Useful => cell.useful += 1,
                _ => {} // a kind added later is in `total` only
            }
            if show.as_deref() == Some(&format!("{lang}:{label}:{}", kind.as_str())) {
                writeln!(out, "  {text}")?;
            }
        }
    }
    writeln!(
        out,
        "| lang | label | messages | ad | offer | useful | called promotional |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|")?;
    for ((lang, label), cell) in &cells {
        let promotional = cell.ad + cell.offer;
        writeln!(
            out,
            "| {lang} | {label} | {} | {} | {} | {} | {:.1} % |",
            cell.total,
            cell.ad,
            cell.offer,
            cell.useful,
            100.0 * promotional as f64 / cell.total as f64
        )?;
    }
    Ok(())
}
