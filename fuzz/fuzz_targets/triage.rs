//! Any inbound text at any time, and reply health over any exchanges: never
//! panics, spans stay on character boundaries, due times follow the minutes.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use jiff::Timestamp;
use sendlint::{Engine, Exchange, Inbound};
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
struct Input {
    text: String,
    received: i64,
    exchanges: Vec<(i64, Option<i64>, Option<i64>)>,
    now: i64,
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

/// A timestamp from any integer, clamped into jiff's range.
fn ts(second: i64) -> Timestamp {
    let second = second.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(second).unwrap()
}

fuzz_target!(|input: Input| {
    let engine = engine();
    let at = ts(input.received);
    let triage = engine.triage(&Inbound::new(&input.text).at(at)).unwrap();
    for cue in &triage.cues {
        assert!(input.text.is_char_boundary(cue.span.start));
        assert!(input.text.is_char_boundary(cue.span.end));
        assert_eq!(&input.text[cue.span.start..cue.span.end], cue.matched);
    }
    if let Some(opt_out) = &triage.opt_out {
        assert_eq!(opt_out.at, at);
    }
    let exchanges: Vec<Exchange> = input
        .exchanges
        .iter()
        .map(|&(received, replied, due)| {
            let exchange = Exchange::new(ts(received), replied.map(ts));
            match due {
                Some(due) => exchange.due(ts(due)),
                None => exchange,
            }
        })
        .collect();
    // Inconsistent times are an input error, never a panic.
    let _ = engine.reply_health(&exchanges, Some(ts(input.now)));
});
