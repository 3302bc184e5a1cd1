//! Any bytes as a contact file, read with or without a default region: an error
//! or a report, never a panic; an accepted import leaves an audience that saves,
//! loads back the same and answers label expressions; a stopped one changes
//! nothing.
//!
//! Seed corpus: `fuzz/seeds/audience_csv/` (`cargo fuzz run audience_csv
//! fuzz/corpus/audience_csv fuzz/seeds/audience_csv`).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sendlint::audience::{Audience, AudienceError, ImportOptions};

#[derive(Arbitrary, Debug)]
struct Input {
    region: Option<bool>,
    expression: String,
    bytes: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let mut audience =
        Audience::new(["VIP", "Interesse-Make-up", "Kaufphase-Abgeschlossen"]).unwrap();
    let options = match input.region {
        None => ImportOptions::new(),
        Some(true) => ImportOptions::new().default_region("DE"),
        Some(false) => ImportOptions::new().default_region("HK"),
    };
    let before = audience.to_json();
    match audience.import_csv(&input.bytes, &options) {
        Ok(report) => {
            assert!(report.applied);
            assert_eq!(report.accepted + report.failed + report.counts().get("duplicate").copied().unwrap_or(0), report.rows);
            let json = audience.to_json();
            let back = Audience::from_json(&json).unwrap();
            assert_eq!(back.to_json(), json);
            let _ = back.select(&input.expression);
            let _ = report.summary();
        }
        Err(AudienceError::ImportStopped(report)) => {
            assert!(!report.applied);
            assert_eq!(audience.to_json(), before);
        }
        Err(_) => assert_eq!(audience.to_json(), before),
    }
});
