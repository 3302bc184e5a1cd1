//! Bytes a history keeps per recorded send and per recipient exposure.
//!
//! ```text
//! cargo run --release -p sendlint --example history_memory
//! ```

fn main() {
    let engine = sendlint::Engine::default();
    let start: jiff::Timestamp = "2026-10-01T00:00:00Z".parse().unwrap();
    let sends = 10_000;
    for recipients_per_send in [0usize, 10, 100] {
        let history = sendlint::History::new();
        for i in 0..sends {
            let text = format!("Angebot Nummer {i}: frische Brezeln im Laden");
            let recipients: Vec<String> = (0..recipients_per_send)
                .map(|r| format!("+49170{:07}", i * 13 + r))
                .collect();
            let at = start + jiff::SignedDuration::from_secs(i as i64 * 60);
            let message = sendlint::Message::new(&text)
                .account("a")
                .recipients(&recipients)
                .at(at);
            engine.record(&history, &message).unwrap();
        }
        let bytes = history.memory_bytes() as f64;
        let exposures = (sends * recipients_per_send).max(1) as f64;
        println!(
            "{sends} sends x {recipients_per_send:>3} recipients: {:>7.0} bytes per send, {:.1} bytes per exposure",
            bytes / sends as f64,
            if recipients_per_send == 0 { 0.0 } else { bytes / exposures }
        );
    }
}
