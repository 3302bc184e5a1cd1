//! Any text, with any context, checked under the default or strict policy:
//! never panics, spans stay on character boundaries, and checking a batch gives
//! the same reports as checking one by one.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sendlint::{Engine, Kind, Message, Policy};
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
struct Input {
    strict: bool,
    kind: Option<u8>,
    group: Option<String>,
    recipients: Vec<String>,
    dead_links: Vec<String>,
    texts: Vec<String>,
}

fn engines() -> &'static (Engine, Engine) {
    static ENGINES: OnceLock<(Engine, Engine)> = OnceLock::new();
    ENGINES.get_or_init(|| (Engine::default(), Engine::new(Policy::strict()).unwrap()))
}

/// The message of `text` with the input's context.
fn message<'a>(input: &'a Input, kind: Option<Kind>, text: &'a str) -> Message<'a> {
    let mut message = Message::new(text)
        .recipients(&input.recipients)
        .dead_links(&input.dead_links);
    if let Some(kind) = kind {
        message = message.kind(kind);
    }
    if let Some(group) = &input.group {
        message = message.group(group);
    }
    message
}

fuzz_target!(|input: Input| {
    let (default, strict) = engines();
    let engine = if input.strict { strict } else { default };
    let kind = input.kind.map(|k| [Kind::Useful, Kind::Offer, Kind::Ad][usize::from(k % 3)]);
    let message = |text| message(&input, kind, text);
    let mut first = Vec::new();
    for text in &input.texts {
        let report = engine.check(&message(text)).unwrap();
        for finding in &report.findings {
            if let Some(span) = finding.span {
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                assert_eq!(finding.matched.as_deref(), text.get(span.start..span.end));
            }
        }
        first.push(report);
    }
    // Differential: the same messages again, in reverse order, give the same reports.
    for (text, expected) in input.texts.iter().zip(&first).rev() {
        assert_eq!(&engine.check(&message(text)).unwrap(), expected);
    }
});
