//! Any bytes as a saved history: an error or a history that checks and saves,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sendlint::{Engine, History, Message};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(history) = History::from_json(text) else {
        return;
    };
    let engine = ENGINE.get_or_init(Engine::default);
    let people = vec!["+4917012345678".to_owned()];
    let message = Message::new("Anzeige: @all 20 % Rabatt https://bit.ly/x")
        .account("a")
        .group("g")
        .recipients(&people)
        .at("2026-11-02T08:00:00Z".parse().unwrap());
    engine.check(&message.clone().history(&history)).unwrap();
    engine.record(&history, &message).unwrap();
    History::from_json(&history.to_json()).unwrap();
});
